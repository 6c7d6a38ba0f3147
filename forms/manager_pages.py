"""Manager pages: probation decisions and centre settings; the tabs a manager sees."""

from __future__ import annotations

import datetime as dt

from PyQt6.QtWidgets import (
    QHBoxLayout,
    QInputDialog,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.centres import wall
from app.context import Context
from app.errors import PatrolError
from app.results import probation
from forms.dashboard_page import ProbationModel
from forms.i18n import tr
from forms.tables import read_only_table


class CaseModel(ProbationModel):
    columns = (("案例", lambda r: r.id),) + ProbationModel.columns[:3] + (
        ("开始", lambda r: r.opened_on.isoformat()),) + ProbationModel.columns[3:4] + (
        ("复查 (合格/不合格/需)", lambda r: f"{r.rechecks_passed}/{r.rechecks_failed}/{r.rechecks_required}"),
        ("状态", lambda r: r.status_label),
    )


class ProbationPage(QWidget):
    """Cases awaiting a decision: confirm return to the labour agency, or clear with a reason."""

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.model = CaseModel()
        self.view = read_only_table(self.model)
        confirm = QPushButton(tr("确认退回劳务公司"))
        confirm.clicked.connect(lambda: self.decide(probation.confirm_return, tr("退回理由")))
        clear = QPushButton(tr("解除考察"))
        clear.clicked.connect(lambda: self.decide(probation.clear_case, tr("解除理由")))
        buttons = QHBoxLayout()
        notice = QPushButton(tr("打印考察期通知书"))
        notice.clicked.connect(self.print_notice)
        buttons.addWidget(confirm)
        buttons.addWidget(clear)
        buttons.addWidget(notice)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        today = dt.date.today()
        probation.sweep(today, centre_id=self.ctx.centre_id)
        self.model.set_rows(probation.case_rows(today, centre_id=self.ctx.centre_id))

    def print_notice(self) -> None:
        from exports import jobs
        from forms.export_page import export_to_file

        index = self.view.currentIndex()
        if not index.isValid():
            QMessageBox.information(self, tr("考察案例"), tr("请先选择一个案例"))
            return
        row = self.model.rows[index.row()]
        export_to_file(self, f"考察期通知书-{row.name}.pdf", ".pdf", lambda out: jobs.probation_pdf(out, row.id,
                                                                                              centre_id=self.ctx.centre_id))

    def decide(self, action, prompt: str) -> None:
        index = self.view.currentIndex()
        if not index.isValid():
            QMessageBox.information(self, tr("考察案例"), tr("请先选择一个案例"))
            return
        row = self.model.rows[index.row()]
        reason, ok = QInputDialog.getText(self, prompt, f"{row.name} ({row.employee_no})")
        if not ok:
            return
        try:
            action(wall.fetch(self.ctx, "case", row.id), self.user, reason)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("无法处理"), str(exc))
            return
        self.refresh()
