"""One inspection: tick items with the keyboard, see the score live, finalise.

Keys (KEYS below, shown by ? and beside the list): a pass moves the cursor on; a failure keeps it on
the item (a setting on the page), so n and p attach to it. Every tick is written at once; Esc goes back
to the patrol list and drops a draft on which nothing was ticked.
"""

from __future__ import annotations

from PyQt6.QtCore import QBuffer, QDateTime, QIODevice, QSettings, Qt, QTimer, pyqtSignal
from PyQt6.QtGui import QFont, QGuiApplication, QKeySequence, QShortcut
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateTimeEdit,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.centres import wall
from app.centres.settings import CentreSettings, load_settings
from app.context import Context
from app.domain import METHODS
from app.errors import PatrolError
from app.loop import record_changes
from app.patrolling import evidence, inspections, patrol
from app.patrolling.checklists import category_weights
from app.patrolling.scoring import ScoredItem, ScoreResult, score_with_settings
from app.storage.faults import BUSY_RETRYING, classify
from app.storage.models import Inspection
from forms.checklist_view import KEYS, ChecklistView
from forms.errors import report
from forms.file_dialogs import open_file
from forms.i18n import DATETIME_FORMAT, tr
from forms.models import ChecklistModel
from forms.photo_dialog import PhotoDialog
from forms.tasks import run_task

RETRY_MS = 700  # between attempts while another program holds the database
STAY_ON_FAIL = "inspection/stay_on_fail"  # QSettings key: the laptop's choice, not the centre's

class InspectionPage(QWidget):
    finished = pyqtSignal(int)  # inspection id, after finalising
    back = pyqtSignal()
    KEYS = KEYS  # shown by ? (forms.keys_help)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.inspection: Inspection | None = None
        self.model: ChecklistModel | None = None
        self.settings = CentreSettings()  # the inspection's centre's, once one is loaded
        self.weights: dict[str, float] = {}
        self._pending: list[tuple] = []  # (write, show) not yet written: kept in order until they are
        self._waited = 0

        self.title = QLabel()
        self.title.setFont(QFont(self.font().family(), 15, QFont.Weight.Bold))
        self.staff_box = QComboBox()
        self.method_box = QComboBox()
        for key, label in METHODS.items():
            self.method_box.addItem(label, key)
        self.observed = QDateTimeEdit()
        self.observed.setDisplayFormat(DATETIME_FORMAT)
        self.observed.setCalendarPopup(True)
        header = QFormLayout()
        header.addRow(tr("当班人员"), self.staff_box)
        header.addRow(tr("巡查方式"), self.method_box)
        header.addRow(tr("视频中的时间"), self.observed)

        self.view = ChecklistView()
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setWordWrap(True)
        self.view.verticalHeader().setVisible(False)
        self.view.result_key.connect(self.tick)
        self.view.command_key.connect(self.command)
        self.view.doubleClicked.connect(self.open_last_photo)

        self.veto_banner = QLabel(tr("一票否决: 本次巡查不合格"))
        self.veto_banner.setStyleSheet("background:#c62828; color:white; padding:8px; font-weight:bold;")
        self.veto_banner.setVisible(False)
        self.score_label = QLabel()
        self.score_label.setFont(QFont(self.font().family(), 30, QFont.Weight.Bold))
        self.grade_label = QLabel()
        self.grade_label.setFont(QFont(self.font().family(), 16))
        self.progress_label = QLabel()
        self.categories_label = QLabel()
        self.categories_label.setTextFormat(Qt.TextFormat.RichText)
        # The keys used at every window, in three short lines; ? lists them all.
        self.keys_help = QLabel(tr("1 / 空格  合格 · 2 / x  不合格 · 3  不适用\n"
                                   "n  备注 · p  照片 · a  本类其余合格\n"
                                   "Ctrl+Enter  定稿 · Esc  返回 · ?  全部快捷键"))
        # Where the cursor goes after a failure: stay (n and p then note the failed item) or move on.
        self.stay_on_fail = QCheckBox(tr("判为不合格后光标停在该项"))
        self.stay_on_fail.setChecked(QSettings().value(STAY_ON_FAIL, True, type=bool))
        self.stay_on_fail.toggled.connect(lambda on: QSettings().setValue(STAY_ON_FAIL, on))
        self.keys_help.setWordWrap(True)
        self.keys_help.setStyleSheet("color:#555;")
        self.finalise_button = QPushButton(tr("定稿 (Ctrl+Enter)"))
        self.finalise_button.clicked.connect(self.finalise)
        back_button = QPushButton(tr("返回巡查列表 (Esc)"))
        back_button.clicked.connect(self.leave)

        side = QVBoxLayout()
        side.addWidget(self.veto_banner)
        side.addWidget(QLabel(tr("得分")))
        side.addWidget(self.score_label)
        side.addWidget(self.grade_label)
        side.addWidget(self.progress_label)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        side.addWidget(line)
        side.addWidget(QLabel(tr("分类扣分")))
        side.addWidget(self.categories_label)
        side.addStretch(1)
        side.addWidget(self.keys_help)
        side.addWidget(self.stay_on_fail)
        side.addWidget(self.finalise_button)
        side.addWidget(back_button)
        side_widget = QWidget()
        side_widget.setLayout(side)
        side_widget.setFixedWidth(300)

        self.busy_label = QLabel()
        self.busy_label.setWordWrap(True)
        self.busy_label.setStyleSheet("background:#fff3cd; color:#7a5a00; padding:6px;")
        self.busy_label.setVisible(False)

        left = QVBoxLayout()
        left.addWidget(self.busy_label)
        left.addWidget(self.title)
        left.addLayout(header)
        left.addWidget(self.view, 1)
        layout = QHBoxLayout(self)
        layout.addLayout(left, 1)
        layout.addWidget(side_widget)

        QShortcut(QKeySequence("Ctrl+Return"), self, self.finalise)
        QShortcut(QKeySequence("Ctrl+Enter"), self, self.finalise)
        QShortcut(QKeySequence("Escape"), self, self.leave)
        QShortcut(QKeySequence.StandardKey.Paste, self, self.paste_photo)
        self.staff_box.activated.connect(self.staff_changed)
        self.method_box.activated.connect(self.method_changed)
        self.observed.dateTimeChanged.connect(self.observed_changed)

    # ---- loading -----------------------------------------------------------------------------
    def load(self, inspection: Inspection) -> None:
        """Show a draft as it was stored: every tick, note and photo."""
        # The time seen on a video is never later than now (the core refuses one anyway).
        self.observed.setMaximumDateTime(QDateTime.currentDateTime().addSecs(300))
        self.inspection = inspection
        self.settings = load_settings(inspection.observed_at.date(), inspection.window.centre_id)
        self.weights = category_weights(inspection.checklist_version_id)
        window = inspection.window
        self.title.setText(f"{window.code} {window.name} · {window.window_type} · {window.department}")
        self._fill_staff()
        self.method_box.setCurrentIndex(list(METHODS).index(inspection.method))
        self.observed.blockSignals(True)
        self.observed.setDateTime(QDateTime(inspection.observed_at))
        self.observed.blockSignals(False)
        self.observed.setEnabled(inspection.method == "video")
        self._load_items()

    def _fill_staff(self) -> None:
        self.staff_box.clear()
        self.staff_box.addItem(tr("(未指定)"), None)
        people = patrol.people_to_choose(self.inspection)
        for s in people:
            where = s.window.code if s.window_id else ""
            self.staff_box.addItem(f"{s.name} {s.employee_no} {where}{s.post}岗", s.id)
        index = self.staff_box.findData(self.inspection.staff_id)
        self.staff_box.setCurrentIndex(max(index, 0))

    def _load_items(self) -> None:
        from app.loop.rechecks import last_results

        stored = inspections.item_results(self.inspection)
        self.model = ChecklistModel(
            inspections.applicable_items(self.inspection),
            {k: r.result for k, r in stored.items()},
            {k: r.note for k, r in stored.items()},
            {k: [p for p in r.photos.split("\n") if p] for k, r in stored.items()},
            last_results(self.inspection),
        )
        self.view.setModel(self.model)
        # Measure once, then fix the widths: ResizeToContents would re-measure every row on each tick.
        h = self.view.horizontalHeader()
        h.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.view.resizeColumnsToContents()
        h.resizeSection(4, max(h.sectionSize(4), 64))
        h.resizeSection(5, max(h.sectionSize(5), 120))
        h.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.view.setColumnHidden(6, not self.model.last)  # 上次 (待复查): only on a re-check
        first_open = next((n for n, i in enumerate(self.model.items)
                           if i.kind == "check" and i.id not in self.model.results), 0)
        self.view.selectRow(first_open)
        self.view.setFocus()
        self.refresh_score()

    def leave(self) -> None:
        """Back to the patrol list; a draft opened and left without a tick is not kept."""
        if self.inspection is not None and not self._pending and self.inspection.status == "draft":
            try:
                patrol.discard_untouched(self.inspection)
            except Exception as exc:  # noqa: BLE001 — the draft stays; the person is told, and goes back
                report(exc, self)
        self.back.emit()

    # ---- ticking -----------------------------------------------------------------------------
    def current_row(self) -> int:
        return self.view.currentIndex().row()

    def tick(self, result: str | None) -> None:
        row = self.current_row()
        if row < 0 or self.inspection is None:
            return
        item, inspection = self.model.items[row], self.inspection
        note, refs = self.model.notes.get(item.id, ""), tuple(self.model.photos.get(item.id, []))

        def write() -> None:
            if result is None:
                inspections.clear_result(inspection, item)
            else:
                inspections.set_result(inspection, item, result, note, refs)

        def show() -> None:
            self.model.set_result(row, result)
            self.refresh_score()

        self.write(write, show)
        if result is not None and not (result == "fail" and self.stay_on_fail.isChecked()):
            self.view.move(1)  # the keyboard goes on; the tick shows once it is written

    def write(self, write, show) -> None:
        """Write, then show the change. While another program holds the database the writes wait in
        order, with a message on screen, and are retried: a tick is never dropped. Any other failure is
        reported and the draft stays as stored."""
        self._pending.append((write, show))
        if len(self._pending) == 1:
            self._drain()

    def _drain(self) -> None:
        while self._pending:
            write, show = self._pending[0]
            try:
                write()
            except Exception as exc:  # noqa: BLE001 — every failure reaches the person, none aborts
                fault = classify(exc)
                if fault.retry:
                    self._waited += RETRY_MS
                    self.busy_label.setText(tr("{0} (已等待 {1} 秒, 待保存 {2} 项)").format(
                        BUSY_RETRYING, self._waited // 1000, len(self._pending)))
                    self.busy_label.setVisible(True)
                    QTimer.singleShot(RETRY_MS, self._drain)
                    return
                self._pending.clear()
                self._waited = 0
                self.busy_label.setVisible(False)
                report(exc, self, tr("无法保存"))
                return
            self._pending.pop(0)
            show()
        self._waited = 0
        self.busy_label.setVisible(False)

    def command(self, name: str) -> None:
        if name == "pass_category":
            self.pass_category()
        elif name == "note":
            self.edit_note()
        elif name == "photo":
            self.add_photo_file()
        elif name == "last_photo" and self.current_row() >= 0:
            self.open_last_photo(self.model.index(self.current_row(), 6))

    def pass_category(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        code, inspection = self.model.items[row].category.code, self.inspection

        def show() -> None:
            for n, item in enumerate(self.model.items):
                if item.category.code == code and item.kind == "check" and item.id not in self.model.results:
                    self.model.set_result(n, "pass")
            self.refresh_score()

        self.write(lambda: inspections.pass_remaining(inspection, code), show)
        later = [n for n, i in enumerate(self.model.items) if i.category.code != code and n > row]
        if later:
            self.view.selectRow(later[0])

    def _save_extras(self, row: int, note: str, photo_refs: list[str]) -> None:
        item, inspection = self.model.items[row], self.inspection
        result = self.model.results.get(item.id) or "fail"  # a note or photo is evidence of a failure

        def show() -> None:
            self.model.set_result(row, result)
            self.model.set_note(row, note, photo_refs)
            self.refresh_score()

        self.write(lambda: inspections.set_result(inspection, item, result, note, tuple(photo_refs)), show)

    def open_last_photo(self, index) -> None:
        """Double-click on 上次, or o: last time's photo, whole (each of them, one after the other)."""
        last = self.model.last.get(self.model.items[index.row()].code) if index.column() == 6 else None
        if last is None or not last.photos:
            return
        for ref in last.photos:
            PhotoDialog(str(evidence.photo_path(ref)), tr("{0} 上次的照片 ({1})").format(
                self.model.items[index.row()].code, last.day.strftime("%Y-%m-%d")), self).exec()

    def edit_note(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        item = self.model.items[row]
        note, ok = QInputDialog.getText(self, tr("备注"), f"{item.code} {item.text}", text=self.model.notes.get(item.id, ""))
        if ok:
            self._save_extras(row, note.strip(), self.model.photos.get(item.id, []))

    def add_photo_file(self) -> None:
        row = self.current_row()
        if row < 0:
            return
        path = open_file(self, tr("选择照片"), "photo", tr("图片 (*.png *.jpg *.jpeg *.bmp *.gif)"))
        if path:
            self._attach(row, lambda: evidence.store_photo_file(path))

    def paste_photo(self) -> None:
        """A frame grabbed from the recorded video (video spot check), pasted from the clipboard."""
        row = self.current_row()
        image = QGuiApplication.clipboard().image()
        if row < 0 or image.isNull():
            QMessageBox.information(self, tr("粘贴照片"), tr("剪贴板中没有图片"))
            return
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        data = bytes(buffer.data())
        self._attach(row, lambda: evidence.store_photo(data))

    def _attach(self, row: int, store) -> None:
        """Check and keep the photo in the worker (a large photo takes most of a second to decode), then
        attach it to the item that was current when it was chosen."""
        item = self.model.items[row]

        def attached(ref: str) -> None:
            if self.model.items[row] is not item:  # the list was rebuilt meanwhile (staff changed)
                return
            refs = self.model.photos.get(item.id, [])
            if ref not in refs:
                refs = refs + [ref]
            self._save_extras(row, self.model.notes.get(item.id, ""), refs)

        def refused(exc: Exception) -> None:
            if isinstance(exc, PatrolError):
                QMessageBox.warning(self, tr("无法添加照片"), str(exc))
            else:
                report(exc, self)

        run_task(self, tr("正在检查照片…"), lambda progress: store(), on_done=attached, on_error=refused)

    # ---- header fields -------------------------------------------------------------------------
    def staff_changed(self) -> None:
        staff_id = self.staff_box.currentData()
        staff = wall.fetch(Context(self.inspection.inspector, self.inspection.window.centre_id), "staff", staff_id) if staff_id else None
        inspections.update_draft(self.inspection, staff=staff)
        self._load_items()  # gender and party membership change which items apply

    def method_changed(self) -> None:
        method = self.method_box.currentData()
        inspections.update_draft(self.inspection, method=method)
        self.observed.setEnabled(method == "video")
        if method == "video":
            self.observed.setFocus()

    def observed_changed(self, value: QDateTime) -> None:
        if self.inspection is not None and self.inspection.method == "video":
            inspections.update_draft(self.inspection, observed_at=value.toPyDateTime().replace(second=0, microsecond=0))
            self.settings = load_settings(self.inspection.observed_at.date(), self.inspection.window.centre_id)  # the rules of the month seen

    # ---- score -----------------------------------------------------------------------------------
    def current_score(self) -> ScoreResult:
        scored = [ScoredItem(i.code, i.category.code, i.deduction, i.severity, i.kind, self.model.results.get(i.id))
                  for i in self.model.items]
        return score_with_settings(scored, self.settings, self.weights)

    def refresh_score(self) -> None:
        result = self.current_score()
        self.score_label.setText(f"{result.score:g}")
        colour = "#c62828" if not result.passed else "#2e7d32"
        self.score_label.setStyleSheet(f"color:{colour};")
        self.grade_label.setText(result.grade)
        self.veto_banner.setVisible(result.vetoed)
        self.progress_label.setText(tr("已检查 {0}/{1} 项").format(self.model.ticked(), self.model.checks()))
        names = {i.category.code: i.category.name for i in self.model.items}
        lines = [f"{names[c.code]}: " + (f"<b>-{c.deductions:g}</b> ({c.failed} 项)" if c.failed else "0")
                 + (f" · 余 {c.subtotal:g}/{c.weight:g}" if c.weight is not None else "")
                 for c in result.categories]
        if result.bonus:
            lines.append(f"加分: +{result.bonus:g}")
        self.categories_label.setText("<br>".join(lines))

    def finalise(self) -> None:
        if self.inspection is None or self.inspection.status != "draft":
            return
        if self._pending:
            QMessageBox.information(self, tr("不能定稿"), tr("还有检查结果正在等待保存, 请稍候再定稿"))
            return
        # What is not checked yet comes first: the score of a half-ticked list is not worth confirming.
        missing = inspections.unchecked(self.inspection)
        if missing:
            row = next(n for n, i in enumerate(self.model.items) if i.code == missing[0])
            self.view.selectRow(row)
            self.view.setFocus()
            QMessageBox.information(self, tr("不能定稿"), tr("还有 {0} 项未检查 (第一项 {1}, 已选中), 请检查完再定稿").format(
                len(missing), missing[0]))
            return
        result = self.current_score()
        answer = QMessageBox.question(
            self, tr("确认定稿"),
            tr("得分 {0}, 等级 {1}。定稿后不能直接修改, 确认定稿吗?").format(f"{result.score:g}", result.grade),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes,
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            record_changes.finalise(self.inspection)
        except Exception as exc:  # noqa: BLE001 — the draft stays a draft, as stored
            report(exc, self, tr("不能定稿"))
            try:  # finalise set the fields on the object before the write failed: read back what is stored
                self.inspection = wall.fetch(Context(self.inspection.inspector, self.inspection.window.centre_id), "inspection", self.inspection.id)
            except Exception:  # noqa: BLE001 — still unreadable: the next action reports it
                pass
            return
        self.finished.emit(self.inspection.id)
