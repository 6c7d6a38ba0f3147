"""The patrol list: start a round, see each window's state, open one by scan, search or Enter.

A USB scanner is a keyboard: whatever is typed on this page goes to the search box, and Enter
opens the window it names (a label's QR payload or a window code).
"""

from __future__ import annotations

from PyQt6.QtCore import QEvent, QObject, Qt, pyqtSignal
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.centres import wall
from app.centres.centre import current_centre
from app.context import Context
from app.domain import WINDOW_TYPES
from app.errors import PatrolError
from app.exchange.laptop_update import stale_warning
from app.patrolling import patrol
from app.people import roster
from app.storage.models import PatrolRound
from forms.finished_dialog import FinishedDialog, print_inspection
from forms.i18n import tr
from forms.models import WindowFilterProxy, WindowStateModel

KEYS = (
    ("输入 / 扫描", "窗口编号或标签二维码进入搜索框, 回车打开该窗口"),
    ("Tab / Shift+Tab", "区域 → 类型 → 开始新一轮巡查 → 打印 → 搜索框 → 窗口列表"),
    ("↑ ↓ 回车", "在窗口列表中选择并打开"),
    ("已完成的窗口", "回车时询问: 再检查一次 (复查), 或查看已定稿的记录"),
)


class PatrolPage(QWidget):
    open_window = pyqtSignal(int)  # window id
    KEYS = KEYS

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.round: PatrolRound | None = None

        self.area_box = QComboBox()
        self.type_box = QComboBox()
        self.type_box.addItem(tr("全部类型"), "")
        for t in WINDOW_TYPES:
            self.type_box.addItem(t, t)
        self.start_button = QPushButton(tr("开始新一轮巡查"))
        self.start_button.clicked.connect(self.start_round)
        self.round_label = QLabel()
        # On a laptop, a warning when the office's last update is old (the roster and re-checks may be).
        self.update_label = QLabel()
        self.update_label.setWordWrap(True)
        self.update_label.setStyleSheet("color: #b71c1c;")
        self.search = QLineEdit()
        self.search.setPlaceholderText(tr("扫描窗口标签, 或输入窗口编号 / 名称后回车"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(lambda text: self.proxy.set_filters(text=text))
        self.search.returnPressed.connect(self.open_from_search)

        self.model = WindowStateModel()
        self.proxy = WindowFilterProxy()
        self.proxy.setSourceModel(self.model)
        self.view = QTableView()
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.setTabKeyNavigation(False)  # Tab leaves the list (to the buttons), arrows move in it
        # Widths measured once, after the first fill: ResizeToContents re-measures every cell on every
        # refresh (15,000 data() calls for 40 windows), and codes, types and departments do not change.
        self.view.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.view.activated.connect(self.open_index)
        self.area_box.currentIndexChanged.connect(self.filter_area)
        self.type_box.currentIndexChanged.connect(
            lambda: self.proxy.set_filters(window_type=self.type_box.currentData()))

        top = QHBoxLayout()
        top.addWidget(QLabel(tr("区域")))
        top.addWidget(self.area_box)
        top.addWidget(QLabel(tr("类型")))
        top.addWidget(self.type_box)
        top.addWidget(self.start_button)
        self.notice_button = QPushButton(tr("打印整改通知单"))
        self.record_button = QPushButton(tr("打印巡查记录表"))
        self.notice_button.clicked.connect(lambda: self.print_selected("notice"))
        self.record_button.clicked.connect(lambda: self.print_selected("record"))
        top.addWidget(self.notice_button)
        top.addWidget(self.record_button)
        top.addStretch(1)
        top.addWidget(self.round_label)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.update_label)
        layout.addWidget(self.search)
        layout.addWidget(self.view, 1)
        # Keys typed anywhere on the page (a scanner) go to the search box.
        for widget in (self, self.view, self.area_box, self.type_box, self.start_button, self.notice_button,
                       self.record_button):
            widget.installEventFilter(self)
        self.reload_areas()
        self.round = patrol.open_round(user)
        self.refresh()
        self.view.resizeColumnsToContents()

    def reload_areas(self) -> None:
        self.area_box.blockSignals(True)
        self.area_box.clear()
        self.area_box.addItem(tr("全部区域"), None)
        for area in roster.areas(centre_id=self.ctx.centre_id):
            self.area_box.addItem(area.name, area.id)
        self.area_box.blockSignals(False)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.KeyPress and obj is not self.search:
            text = event.text()
            if text and text.isprintable() and not event.modifiers() & Qt.KeyboardModifier.ControlModifier \
                    and event.key() not in (Qt.Key.Key_Space,):
                self.search.setFocus()
                self.search.insert(text)
                return True
        return super().eventFilter(obj, event)

    def filter_area(self) -> None:
        area_id = self.area_box.currentData()
        self.proxy.set_filters(area=wall.fetch(self.ctx, "area", area_id).name if area_id else "")

    def start_round(self) -> None:
        area_id = self.area_box.currentData()
        if self.round is not None:
            patrol.finish_round(self.round)
        self.round = patrol.start_round(self.user, wall.fetch(self.ctx, "area", area_id) if area_id else None,
                                        centre_id=self.ctx.centre_id)
        self.refresh()
        self.search.setFocus()

    def refresh(self) -> None:
        warning = stale_warning(self.ctx.today, self.ctx.centre_id)
        self.update_label.setText(warning)
        self.update_label.setVisible(bool(warning))
        if self.round is None:
            states = [patrol.WindowState(w.id, w.code, w.name, w.window_type, w.department, w.area.name,
                                         "todo", None, None, "", "")
                      for w in roster.windows(active_only=True, centre_id=self.ctx.centre_id)]
            self.round_label.setText(tr("尚未开始巡查 (扫描标签将自动开始)"))
        else:
            states = patrol.window_states(self.round, centre_id=self.ctx.centre_id)
            done = sum(1 for s in states if s.finished)
            area = self.round.area.name if self.round.area_id else tr("全部区域")
            self.round_label.setText(tr("本轮: {0} · 已完成 {1}/{2}").format(area, done, len(states)))
        self.model.set_rows(states)

    def open_from_search(self) -> None:
        text = self.search.text().strip()
        if not text:
            return
        centre = current_centre(centre_id=self.ctx.centre_id)
        try:
            window = patrol.find_window(text, centre.code if centre else None, centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            if self.proxy.rowCount() == 1:
                self.open_index(self.proxy.index(0, 0))
                return
            QMessageBox.warning(self, tr("未找到"), str(exc))
            self.search.selectAll()
            return
        self.search.clear()
        self.open_checked(window.id)

    def open_index(self, index) -> None:
        state = self.proxy.data(index, Qt.ItemDataRole.UserRole)
        if state is not None:
            self.search.clear()
            self.open_checked(state.window_id)

    def open_checked(self, window_id: int) -> None:
        """Open a window; one finished in this round asks first: check it again, or see what was found."""
        finished = (patrol.finished_in_round(self.round, wall.fetch(self.ctx, "window", window_id))
                    if self.round is not None else None)
        if finished is None:
            self.open_window.emit(window_id)
            return
        answer = QMessageBox.question(
            self, tr("窗口已完成"),
            tr("{0} 本轮已定稿: {1} 分, {2}。\n\n“是”: 再检查一次 (复查, 新的一次巡查)\n“否”: 查看已定稿的记录\n"
               "“取消”: 返回").format(finished.window.code, f"{finished.score:g}", finished.grade),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self.open_window.emit(window_id)
        elif answer == QMessageBox.StandardButton.No:
            FinishedDialog(finished, self.user, self).exec()

    def print_selected(self, what: str) -> None:
        """The rectification notice or the record of the selected window's finalised inspection."""
        state = self.proxy.data(self.view.currentIndex(), Qt.ItemDataRole.UserRole)
        if state is None or not state.finished:
            QMessageBox.information(self, tr("打印"), tr("请先选中一个本轮已完成的窗口"))
            return
        print_inspection(self, what, state.inspection_id, state.code, self.user)

    def ensure_round(self) -> PatrolRound:
        if self.round is None:
            self.start_round()
        return self.round
