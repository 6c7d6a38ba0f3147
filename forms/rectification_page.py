"""整改 and the holiday calendar: rectification items with their deadlines, confirmed by a manager; the
district's holidays and worked weekend days that the deadlines count."""


from __future__ import annotations

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
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.centres import wall
from app.context import Context
from app.errors import PatrolError
from forms.dialogs import ask_reason
from forms.i18n import DATE_FORMAT, tr
from forms.models import RowsModel
from forms.tables import read_only_table


class RectificationModel(RowsModel):
    columns = (("编号", lambda r: r.id), ("来源", lambda r: r.as_dict()["source_label"]), ("问题", lambda r: r.what),
               ("工号", lambda r: r.employee_no), ("姓名", lambda r: r.staff_name), ("窗口", lambda r: r.window_code),
               ("开出", lambda r: r.opened_on.isoformat()), ("期限", lambda r: r.due_on.isoformat()),
               ("状态", lambda r: r.state_label), ("整改情况", lambda r: r.close_note))

    def extra_data(self, row, column, role):
        if role == Qt.ItemDataRole.BackgroundRole and row.state == "overdue":
            return QBrush(QColor("#fde2e1"))
        if role == Qt.ItemDataRole.ForegroundRole and row.state == "rectified":
            return QBrush(QColor("#888888"))
        return None


class RectificationsPage(QWidget):
    """整改: open, overdue and rectified items; a manager confirms one as put right."""

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.state = QComboBox()
        for label, key in ((tr("未整改 (含逾期)"), "unfinished"), (tr("逾期"), "overdue"), (tr("已整改"), "rectified"),
                           (tr("全部"), None)):
            self.state.addItem(label, key)
        self.state.currentIndexChanged.connect(self.refresh)
        confirm = QPushButton(tr("确认已整改…"))
        confirm.clicked.connect(self.confirm)
        holidays = QPushButton(tr("节假日与调休…"))
        holidays.setToolTip(tr("整改期限按工作日计算: 在此标出放假的工作日和调休上班的周末"))
        holidays.clicked.connect(self.edit_calendar)
        top = QHBoxLayout()
        top.addWidget(self.state)
        top.addWidget(confirm)
        top.addStretch(1)
        top.addWidget(holidays)
        self.model = RectificationModel()
        self.view = read_only_table(self.model)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.refresh()

    def refresh(self) -> None:
        from app.results import rectification_items

        key = self.state.currentData()
        rows = rectification_items.items(None if key == "unfinished" else key, centre_id=self.ctx.centre_id)
        if key == "unfinished":
            rows = [r for r in rows if r.state != "rectified"]
        self.model.set_rows(rows)

    def confirm(self) -> None:
        from app.loop import rectification

        selected = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if not selected:
            QMessageBox.information(self, tr("整改"), tr("请先选中一个整改项"))
            return
        row = self.model.rows[selected[0].row()]
        note = ask_reason(self, tr("确认已整改"), tr("{0} {1}: {2}").format(row.staff_name or row.window_code, row.due_on,
                                                                            row.what[:40]))
        if note is None:
            return
        try:
            rectification.rectify(self.user, wall.fetch(self.ctx, "rectification", row.id), note,
                                  centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("整改"), str(exc))
            return
        self.refresh()

    def edit_calendar(self) -> None:
        CalendarDialog(self.ctx, self).exec()
        self.refresh()


class CalendarDialog(QDialog):
    """The holiday calendar of a year: the days named, and one range at a time set as 放假, 调休上班 or
    back to an ordinary day (with a reason, audited). In a district, a centre's manager keeps their
    centre's own days above the district's; the district's manager chooses which they change."""

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.setWindowTitle(tr("节假日与调休上班日"))
        self.listing = QLabel()
        self.listing.setWordWrap(True)
        self.first = QDateEdit(QDate.currentDate())
        self.last = QDateEdit(QDate.currentDate())
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(DATE_FORMAT)
        self.kind = QComboBox()
        for key, label in (("holiday", "放假"), ("workday", "调休上班"), ("normal", "恢复平常")):
            self.kind.addItem(tr(label), key)
        self.name = QLineEdit()
        self.name.setPlaceholderText(tr("如 国庆节、国庆调休"))
        from app.centres import scope
        from app.centres.centre import current_centre

        self.whose = QComboBox()
        if scope.is_district() and ctx.centre_id is not None:
            self.whose.addItem(tr("本中心 ({0})").format(current_centre(centre_id=ctx.centre_id).name), ctx.centre_id)
            if user.centre_id is None:
                self.whose.addItem(tr("全区"), None)
        else:
            self.whose.addItem(tr("全区"), None)
        self.whose.currentIndexChanged.connect(self.show_year)
        save = QPushButton(tr("设置…"))
        save.clicked.connect(self.save)
        form = QFormLayout()
        form.addRow(tr("从"), self.first)
        form.addRow(tr("到"), self.last)
        form.addRow(tr("类别"), self.kind)
        form.addRow(tr("名称"), self.name)
        if self.whose.itemData(0) is not None:  # in a district: say whose days these are
            self.whose.setEnabled(self.whose.count() > 1)
            form.addRow(tr("适用于"), self.whose)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.listing)
        layout.addLayout(form)
        layout.addWidget(save)
        layout.addWidget(close)
        self.resize(520, 420)
        self.show_year()

    def show_year(self) -> None:
        from app.centres import workdays

        year = self.first.date().year()
        days = workdays.listed(year, centre_id=self.whose.currentData())
        self.listing.setText(tr("{0}年: ").format(year) + ("、".join(
            f"{d:%m-%d} {workdays.KINDS[k]}{(' ' + n) if n else ''}{'' if w == '全区' else ' (' + w + ')'}"
            for d, k, n, w in days) or tr("尚未标出任何节假日")))

    def save(self) -> None:
        from app.centres import workdays

        first, last = self.first.date().toPyDate(), self.last.date().toPyDate()
        reason = ask_reason(self, tr("节假日"), tr("{0} 至 {1}: {2}").format(first, last, self.kind.currentText()))
        if reason is None:
            return
        try:
            workdays.set_days(self.user, first, last, self.kind.currentData(), self.name.text(), reason,
                              centre_id=self.whose.currentData())
        except PatrolError as exc:
            QMessageBox.warning(self, tr("节假日"), str(exc))
            return
        self.show_year()
