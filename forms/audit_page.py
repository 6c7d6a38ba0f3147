"""审计记录: the audit trail, filtered by window, staff member or user, exported to Excel. Read-only."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import audit
from app.audit import in_words
from app.context import Context
from forms.export_page import export_to_file
from forms.i18n import tr
from forms.models import RowsModel
from forms.tables import read_only_table


class AuditModel(RowsModel):
    columns = (("时间", lambda a: a.at.strftime("%Y-%m-%d %H:%M:%S")), ("用户", lambda a: a.username),
               ("操作", lambda a: a.action_label), ("对象", lambda a: a.target), ("窗口", lambda a: a.window_code),
               ("工号", lambda a: a.employee_no), ("原值", lambda a: in_words(a.old)), ("新值", lambda a: in_words(a.new)),
               ("理由", lambda a: a.reason))


class AuditPage(QWidget):
    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.window_edit, self.staff_edit, self.user_edit = QLineEdit(), QLineEdit(), QLineEdit()
        filters = QHBoxLayout()
        for label, edit in ((tr("窗口"), self.window_edit), (tr("工号"), self.staff_edit), (tr("用户"), self.user_edit)):
            filters.addWidget(QLabel(label))
            edit.returnPressed.connect(self.refresh)
            filters.addWidget(edit)
        search = QPushButton(tr("筛选"))
        search.clicked.connect(self.refresh)
        export = QPushButton(tr("导出 Excel…"))
        export.clicked.connect(self.export)
        filters.addWidget(search)
        filters.addWidget(export)
        filters.addStretch(1)
        self.model = AuditModel()
        view = read_only_table(self.model, fit_columns=False)  # up to 5,000 rows; the record cannot be changed
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(view, 1)
        self.refresh()

    def filters(self) -> dict:
        return {"window_code": self.window_edit.text().strip().upper() or None,
                "employee_no": self.staff_edit.text().strip() or None, "username": self.user_edit.text().strip() or None}

    def refresh(self) -> None:
        self.model.set_rows(audit.entries(**self.filters(), limit=5000, viewer=self.user))

    def export(self) -> None:
        filters = {**self.filters(), "viewer": self.user}

        def job(out):
            from exports.excel import audit_workbook

            count = audit_workbook(out, tr("审计记录"), audit.entries(**filters))
            return tr("已导出 {0} 条审计记录 → {1}").format(count, out)

        export_to_file(self, "审计记录.xlsx", ".xlsx", job)
