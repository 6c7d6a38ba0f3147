"""申诉与发布: appeals against deductions (recorded, decided), and publishing a month's ranking once its
appeal window has closed and every appeal is decided. Thin views over app.loop."""

from __future__ import annotations

import datetime as dt

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QBrush, QColor
from PyQt6.QtWidgets import QHBoxLayout, QInputDialog, QLabel, QLineEdit, QMessageBox, QPushButton, QVBoxLayout, QWidget

from app import periods
from app.centres import wall
from app.context import Context
from app.errors import PatrolError
from app.loop import approvals
from forms.dialogs import ask_reason
from forms.i18n import tr
from forms.models import RowsModel
from forms.tables import fit_once, read_only_table


class AppealModel(RowsModel):
    columns = (("编号", lambda a: a.id), ("记录", lambda a: a.record), ("窗口", lambda a: a.window),
               ("人员", lambda a: a.person), ("巡查日期", lambda a: a.observed.isoformat()), ("申诉项", lambda a: a.items),
               ("理由", lambda a: a.reason), ("状态", lambda a: a.state), ("复核意见", lambda a: a.decision))

    def extra_data(self, row, column, role):
        if role == Qt.ItemDataRole.BackgroundRole and row.state == "待复核":
            return QBrush(QColor("#fff4ce"))
        return None


class ApprovalModel(RowsModel):
    columns = (("编号", lambda a: a.id), ("类别", lambda a: a.kind), ("对象", lambda a: a.target), ("内容", lambda a: a.what),
               ("申请人", lambda a: a.requested_by), ("理由", lambda a: a.reason), ("状态", lambda a: a.state),
               ("审批人", lambda a: a.decided_by))


class AppealsPage(QWidget):
    """A month's appeals and whether its ranking may be published."""

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.month = QLineEdit(f"{periods.previous_month(dt.date.today()).start:%Y-%m}")
        show = QPushButton(tr("显示"))
        show.clicked.connect(self.refresh)
        add = QPushButton(tr("登记申诉…"))
        add.clicked.connect(self.add)
        uphold = QPushButton(tr("申诉成立 (改判)…"))
        uphold.clicked.connect(lambda: self.decide(True))
        reject = QPushButton(tr("申诉不成立…"))
        reject.clicked.connect(lambda: self.decide(False))
        self.publish_button = QPushButton(tr("发布最终排名…"))
        self.publish_button.clicked.connect(self.publish)
        self.reopen_button = QPushButton(tr("重新开放…"))
        self.reopen_button.setToolTip(tr("已发布的一期须改动时 (申诉成立、补录记录、重新评定): 回到未定稿, 改正后再发布"))
        self.reopen_button.clicked.connect(self.reopen)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("月份")))
        top.addWidget(self.month)
        for b in (show, add, uphold, reject, self.publish_button, self.reopen_button):
            top.addWidget(b)
        top.addStretch(1)
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.model = AppealModel()
        self.view = read_only_table(self.model)
        # Changes waiting for a second manager (setting 双人审批): an amendment that changes a verdict, a publication.
        self.approvals = ApprovalModel()
        self.approvals_view = read_only_table(self.approvals)
        approve = QPushButton(tr("批准所选审批…"))
        approve.clicked.connect(lambda: self.decide_approval(True))
        refuse = QPushButton(tr("驳回所选审批…"))
        refuse.clicked.connect(lambda: self.decide_approval(False))
        second = QHBoxLayout()
        second.addWidget(QLabel(tr("待批准 (双人审批) 或待该期重新开放后生效")))
        second.addWidget(approve)
        second.addWidget(refuse)
        second.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.status)
        layout.addWidget(self.view, 2)
        layout.addLayout(second)
        layout.addWidget(self.approvals_view, 1)
        self.refresh()

    def decide_approval(self, approve: bool) -> None:
        selected = self.approvals_view.selectionModel().selectedRows() if self.approvals_view.selectionModel() else []
        if not selected:
            QMessageBox.information(self, tr("审批"), tr("请先选中一项审批"))
            return
        row = self.approvals.rows[selected[0].row()]
        reason = ask_reason(self, tr("审批"), tr("{0} {1}: {2}").format(tr("批准") if approve else tr("驳回"), row.kind, row.what))
        if reason is None:
            return
        try:
            approvals.decide(self.user, wall.fetch(self.ctx, "approval", row.id), approve, reason)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("审批"), str(exc))
            return
        self.refresh()

    def _period(self):
        return periods.month(self.month.text())

    def refresh(self) -> None:
        from app.loop import appeals, publishing

        try:
            period = self._period()
        except PatrolError as exc:
            self.status.setText(str(exc))
            return
        from app.loop.approvals import approvals

        self.model.set_rows(appeals.appeals(period.start, period.end, centre_id=self.ctx.centre_id))
        self.approvals.set_rows(approvals(pending_only=True, centre_id=self.ctx.centre_id))
        for view in (self.view, self.approvals_view):  # a month's appeals and the waiting changes: short lists
            if view.model().rowCount():
                fit_once(view)
        state = publishing.status(period, centre_id=self.ctx.centre_id)
        if state.published:
            text = tr("{0}排名: 已定稿发布 ({1} {2:%Y-%m-%d %H:%M})").format(period.label, state.published_by,
                                                                     state.published_at)
        else:
            text = tr("{0}排名: 未定稿").format(period.label) + (
                " — " + "; ".join(state.why_not) if state.why_not else tr(" — 申诉期已过, 申诉均已复核, 可以发布"))
        self.status.setText(text)
        self.publish_button.setEnabled(not state.published and state.ready)
        self.reopen_button.setVisible(state.published)

    def add(self) -> None:
        from app.loop import appeals
        from app.patrolling.records import find

        number, ok = QInputDialog.getText(self, tr("登记申诉"), tr("巡查记录编号 (报表和通知单上的 8 位编号):"))
        if not ok or not number.strip():
            return
        inspection = find(number.strip())
        if inspection is None:
            QMessageBox.warning(self, tr("登记申诉"), tr("没有巡查记录 {0}").format(number))
            return
        items, ok = QInputDialog.getText(self, tr("登记申诉"), tr("申诉的扣分项编号 (多个用逗号分开):"))
        if not ok:
            return
        reason = ask_reason(self, tr("登记申诉"), tr("申诉人所述理由"))
        if reason is None:
            return
        try:
            appeals.record_appeal(self.user, inspection, items.replace("，", ",").split(","), reason,
                                  centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("登记申诉"), str(exc))
            return
        self.refresh()

    def decide(self, upheld: bool) -> None:
        selected = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if not selected:
            QMessageBox.information(self, tr("复核申诉"), tr("请先选中一件申诉"))
            return
        row = self.model.rows[selected[0].row()]
        what = tr("申诉成立: 记录 {0} 的 {1} 改为合格, 得分、考察期和排名随之调整") if upheld else tr("申诉不成立: 记录 {0} 维持原判")
        reason = ask_reason(self, tr("复核申诉"), what.format(row.record, row.items))
        if reason is None:
            return
        try:
            appeal = approvals.decide_appeal(self.user, wall.fetch(self.ctx, "appeal", row.id), upheld, reason)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("复核申诉"), str(exc))
            return
        if appeal.state == "pending" and appeal.decision_reason.startswith("改判待"):
            QMessageBox.information(self, tr("复核申诉"), appeal.decision_reason.split(":")[0]
                                    + tr(": 见“待批准”列表"))
        self.refresh()

    def publish(self) -> None:
        period = self._period()
        reason = ask_reason(self, tr("发布最终排名"), tr("{0}排名定稿发布; 此后打印的排名表不再标“未定稿”").format(period.label))
        if reason is None:
            return
        from app.loop.approvals import publish_or_request

        try:
            outcome, done = publish_or_request(self.user, period, reason, centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("发布最终排名"), str(exc))
            return
        if outcome == "pending":
            QMessageBox.information(self, tr("发布最终排名"), tr("本中心实行双人审批: 已提交审批 {0}, 待另一名管理员批准").format(done.id))
        self.refresh()

    def reopen(self) -> None:
        period = self._period()
        reason = ask_reason(self, tr("重新开放"), tr("{0}排名回到未定稿, 以便改正后再发布; 已打印的排名表将显示为已被取代")
                            .format(period.label))
        if reason is None:
            return
        from app.loop.approvals import reopen_or_request

        try:
            outcome, asked = reopen_or_request(self.user, period, reason, centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("重新开放"), str(exc))
            return
        if outcome == "pending":
            QMessageBox.information(self, tr("重新开放"), tr("本中心实行双人审批: 已提交审批 {0}, 待另一名管理员批准").format(asked.id))
        self.refresh()
