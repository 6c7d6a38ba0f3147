"""违规记录 and 表扬记录: the conduct and praise registers, recorded and withdrawn (never deleted)."""


from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import QDate, Qt
from PyQt6.QtGui import QBrush, QColor
from PyQt6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.assessment import events
from app.centres import wall
from app.context import Context
from app.errors import PatrolError
from app.patrolling.evidence import store_photo_files
from app.people import roster
from forms.dialogs import ask_reason
from forms.file_dialogs import open_files
from forms.i18n import DATE_FORMAT, tr
from forms.models import RowsModel
from forms.tables import read_only_table
from forms.tasks import run_task


class EventModel(RowsModel):
    columns = (("编号", lambda e: e.id), ("日期", lambda e: e.occurred_on.isoformat()), ("工号", lambda e: e.employee_no),
               ("姓名", lambda e: e.staff_name), ("窗口", lambda e: e.window_code), ("类别", lambda e: e.kind_label),
               ("来源", lambda e: e.source), ("事由", lambda e: e.description), ("材料", lambda e: e.evidence or ""),
               ("登记人", lambda e: e.recorded_by),
               ("状态", lambda e: f"已撤销: {e.withdraw_reason}" if e.withdrawn else "有效"))

    def extra_data(self, row, column, role):
        if role == Qt.ItemDataRole.ForegroundRole and row.withdrawn:
            return QBrush(QColor("#888888"))
        return None


class RegisterPage(QWidget):
    """违规记录 or 表扬记录: the list (withdrawn ones greyed, never gone), 登记… and 撤销…."""

    def __init__(self, ctx: Context, register: str, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user, self.register = user, register
        self.model = EventModel()
        self.view = read_only_table(self.model)
        add = QPushButton(tr("登记…"))
        add.clicked.connect(self.add)
        withdraw = QPushButton(tr("撤销所选…"))
        withdraw.clicked.connect(self.withdraw)
        note = QLabel(tr("依据: 004 五 (取消年度评先资格的八种情形); 扣分、考察期、取消评先按考核方案")
                      if register == "conduct" else tr("加分按考核方案, 不超过其上限"))
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(withdraw)
        buttons.addWidget(note, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(events.events(self.register, centre_id=self.ctx.centre_id))

    def add(self) -> None:
        dialog = EventDialog(self.ctx, self.register, self)
        if not dialog.exec():
            return
        try:
            events.record_event(self.user, self.register, **dialog.values())
        except PatrolError as exc:
            QMessageBox.warning(self, tr("登记"), str(exc))
            return
        self.refresh()

    def withdraw(self) -> None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if not rows:
            QMessageBox.information(self, tr("撤销"), tr("请先选中一条记录"))
            return
        row = self.model.rows[rows[0].row()]
        reason = ask_reason(self, tr("撤销"), tr("撤销 {0} {1} {2} 的{3} (记录保留, 不再计入考核)").format(
            row.occurred_on.isoformat(), row.staff_name, row.kind_label, events.REGISTERS[self.register][0]))
        if reason is None:
            return
        try:
            events.withdraw_event(self.user, wall.fetch(self.ctx, "event", row.id), reason,
                                  centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("撤销"), str(exc))
            return
        self.refresh()


class EventDialog(QDialog):
    """One event: who, what kind, when, from where, why, with photos and a document."""

    def __init__(self, ctx: Context, register: str, parent=None):
        from app.assessment.schemes import extra_kinds

        super().__init__(parent)
        self.ctx, self.register = ctx, register
        self.setWindowTitle(tr("登记") + events.REGISTERS[register][0])
        self.staff = QComboBox()
        for s in roster.people(active_only=True, centre_id=self.ctx.centre_id):
            self.staff.addItem(f"{s.employee_no} {s.name}", s.id)
        self.kind = QComboBox()
        for code, label in events.kinds(register, extra_kinds(register, centre_id=self.ctx.centre_id)).items():
            self.kind.addItem(label, code)
        self.day = QDateEdit(QDate.currentDate())
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat(DATE_FORMAT)
        self.source = QComboBox()
        for code, label in events.SOURCES.items():
            self.source.addItem(label, code)
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText(tr("事由 (必填): 经过、核实情况"))
        self.photos: list[str] = []
        self.document: Path | None = None
        self.evidence = QLabel(tr("无"))
        attach = QPushButton(tr("添加照片或材料…"))
        attach.clicked.connect(self.attach)
        form = QFormLayout()
        form.addRow(tr("人员"), self.staff)
        form.addRow(tr("类别"), self.kind)
        form.addRow(tr("日期"), self.day)
        if register == "conduct":
            form.addRow(tr("来源"), self.source)
        form.addRow(tr("事由"), self.description)
        row = QHBoxLayout()
        row.addWidget(self.evidence, 1)
        row.addWidget(attach)
        form.addRow(tr("证明材料"), row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(520, 420)

    def attach(self) -> None:
        paths = open_files(self, tr("选择照片或证明材料"), "evidence",
                           tr("照片或材料 (*.jpg *.jpeg *.png *.pdf *.doc *.docx *.xlsx *.txt)"))
        pictures = [p for p in paths if Path(p).suffix.lower() in (".jpg", ".jpeg", ".png")]
        for path in paths:
            if path not in pictures:
                self.document = Path(path)
        if not pictures:
            self._show_evidence()
            return

        def kept(result) -> None:
            refs, refused = result
            self.photos += [r for r in refs if r not in self.photos]
            self._show_evidence()
            if refused:
                QMessageBox.warning(self, tr("证明材料"), "\n".join(refused))

        # Each photo is decoded and re-encoded: most of a second for a large one, so in the worker.
        run_task(self, tr("正在检查照片…"), lambda progress: store_photo_files(pictures, progress), on_done=kept)

    def _show_evidence(self) -> None:
        self.evidence.setText(tr("照片 {0} 张").format(len(self.photos))
                              + (f"; {self.document.name}" if self.document else ""))

    def values(self) -> dict:
        return {"staff": wall.fetch(self.ctx, "staff", self.staff.currentData()), "kind": self.kind.currentData(),
                "occurred_on": self.day.date().toPyDate(), "description": self.description.toPlainText(),
                "source": self.source.currentData() if self.register == "conduct" else "other",
                "photos": tuple(self.photos), "document": self.document}
