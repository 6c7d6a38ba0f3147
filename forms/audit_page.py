"""审计记录: the audit trail, filtered by window, staff member or user, exported to Excel. Read-only.

The list shows each entry on one line; the pane under it shows the selected one whole: who, when,
what, each changed field old → new, and why."""

from __future__ import annotations

from html import escape

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app import audit
from app.audit import AuditRow, changes, in_words
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


def describe(entry: AuditRow) -> str:
    """One entry whole, as HTML: who and when, what, each changed field old → new, the reason."""
    head = [(tr("时间"), entry.at.strftime("%Y-%m-%d %H:%M:%S")), (tr("用户"), entry.username),
            (tr("操作"), entry.action_label), (tr("对象"), entry.target), (tr("窗口"), entry.window_code),
            (tr("工号"), entry.employee_no)]
    lines = ["<table cellspacing='0' cellpadding='2'>"]
    lines += [f"<tr><td><b>{label}</b></td><td>{escape(value)}</td></tr>" for label, value in head if value]
    lines.append(f"<tr><td><b>{tr('理由')}</b></td><td>{escape(entry.reason) or tr('(未填写)')}</td></tr></table>")
    changed = changes(entry.old, entry.new)
    if changed:
        lines.append(f"<table border='1' cellspacing='0' cellpadding='3'><tr><th>{tr('项目')}</th>"
                     f"<th>{tr('原值')}</th><th></th><th>{tr('新值')}</th></tr>")
        lines += [f"<tr><td>{escape(field)}</td><td>{escape(old)}</td><td>→</td><td>{escape(new)}</td></tr>"
                  for field, old, new in changed]
        lines.append("</table>")
    return "".join(lines)


class AuditPage(QWidget):
    KEYS = (("回车", "在窗口、工号或用户框中: 筛选"), ("↑ ↓", "在记录中移动; 下方显示选中记录的全文"))
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
        self.view = read_only_table(self.model)  # up to 5,000 rows; the record cannot be changed
        self.detail = QTextBrowser()
        self.detail.setPlaceholderText(tr("选中一条记录, 在此查看全文: 谁、何时、改了什么 (原值 → 新值)、理由"))
        self.view.selectionModel().currentRowChanged.connect(self.show_detail)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.view)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(filters)
        layout.addWidget(split, 1)
        self.refresh()

    def filters(self) -> dict:
        return {"window_code": self.window_edit.text().strip().upper() or None,
                "employee_no": self.staff_edit.text().strip() or None, "username": self.user_edit.text().strip() or None}

    def refresh(self) -> None:
        self.model.set_rows(audit.entries(**self.filters(), limit=5000, viewer=self.user))
        self.detail.clear()
        if self.model.rows:
            self.view.selectRow(0)

    def show_detail(self, current, _previous=None) -> None:
        self.detail.setHtml(describe(self.model.rows[current.row()]) if current.isValid() else "")

    def export(self) -> None:
        filters = {**self.filters(), "viewer": self.user}

        def job(out):
            from exports.excel import audit_workbook

            count = audit_workbook(out, tr("审计记录"), audit.entries(**filters))
            return tr("已导出 {0} 条审计记录 → {1}").format(count, out)

        export_to_file(self, "审计记录.xlsx", ".xlsx", job)
