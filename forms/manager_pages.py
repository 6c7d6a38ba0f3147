"""Manager pages: probation decisions and centre settings; the tabs a manager sees."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.centres import wall
from app.centres.settings import (
    RULE_FIELDS,
    CentreSettings,
    changed_settings,
    format_value,
    load_settings,
    month_start,
    next_month_start,
    parse_value,
    rule_schedule,
)
from app.context import Context
from app.domain import SETTING_LABELS as LABELS
from app.errors import PatrolError
from app.exchange.restore import restore as restore_database
from app.periods import cn_date
from app.results import probation
from forms.dashboard_page import ProbationModel
from forms.dialogs import ask_reason
from forms.i18n import tr
from forms.tables import read_only_table


class CaseModel(ProbationModel):
    columns = (("案例", lambda r: r.id),) + ProbationModel.columns[:3] + (
        ("开始", lambda r: r.opened_on.isoformat()),) + ProbationModel.columns[3:4] + (
        ("复查 合格/不合格/需", lambda r: f"{r.rechecks_passed}/{r.rechecks_failed}/{r.rechecks_required}"),
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


class SettingsPage(QWidget):
    """Centre settings: grade thresholds, probation length and re-checks, 微笑之星 and 流动红旗 rules."""

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout()
        for f in fields(CentreSettings):
            edit = QLineEdit()
            self.edits[f.name] = edit
            form.addRow(LABELS[f.name], edit)
        save = QPushButton(tr("保存设置"))
        save.clicked.connect(self.save)
        backup_now = QPushButton(tr("立即备份数据库"))
        backup_now.clicked.connect(self.backup_now)
        restore = QPushButton(tr("从备份恢复…"))
        restore.clicked.connect(self.restore)
        buttons = QHBoxLayout()
        for b in (save, backup_now, restore):
            buttons.addWidget(b)
        # The district's view edits the district centre's settings, which new centres start from; the
        # district's manager can give them to every centre (统一标准).

        self.district_view = user.centre_id is None and self.ctx.centre_id is None
        self.whose = QLabel(tr("全区视图: 以下是区中心的设置, 新建的中心沿用; 可把其中几项推行到各中心"))
        self.whose.setVisible(self.district_view)
        if self.district_view:
            push = QPushButton(tr("推行到各中心…"))
            push.clicked.connect(self.push)
            buttons.addWidget(push)
        buttons.addStretch(1)
        # Rules (grades, bonus, probation) change from the first of a month; this says what is in force
        # this month and what is scheduled, because the boxes show the rules as they will stand.
        self.schedule = QLabel()
        self.schedule.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.whose)
        layout.addLayout(form)
        layout.addWidget(self.schedule)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        today = dt.date.today()
        now, ahead = load_settings(centre_id=self.ctx.centre_id), load_settings(next_month_start(today),
                                                                                centre_id=self.ctx.centre_id)
        for name, edit in self.edits.items():
            edit.setText(format_value(name, getattr(ahead if name in RULE_FIELDS else now, name)))
        lines = []
        for rules in rule_schedule(centre_id=self.ctx.centre_id):
            if rules.effective_from > today:
                changed = [f"{LABELS[k]} {format_value(k, getattr(now, k))} → {format_value(k, getattr(rules.settings, k))}"
                           for k in RULE_FIELDS if format_value(k, getattr(now, k)) != format_value(k, getattr(rules.settings, k))]
                if changed:
                    lines.append(tr("自{0}起执行: {1}").format(cn_date(rules.effective_from), "; ".join(changed)))
        self.schedule.setText("\n".join(lines) if lines else tr(
            "评分规则 (等级分数线、加分、考察期) 的修改从下月 1 日起执行; 也可选择本月起执行并重新评定本月。"))

    def push(self) -> None:
        from app.centres import district

        spread = [s for s in district.settings_spread() if s.differing]
        if not spread:
            QMessageBox.information(self, tr("推行到各中心"), tr("各中心的设置 (含下月起的评分规则) 已与区中心一致"))
            return
        dialog = PushDialog(spread, self)
        if not dialog.exec() or not dialog.chosen():
            return
        names = dialog.chosen()
        reason = ask_reason(self, tr("推行到各中心"), tr("把区中心的 {0} 推行到各中心 (评分规则从{1}起执行)").format(
            "、".join(LABELS[n] for n in names), cn_date(next_month_start(dt.date.today()))))
        if reason is None:
            return
        from forms.tasks import run_task

        run_task(self, tr("正在推行到各中心…"), lambda progress: district.push_settings(self.user, names, None, reason),
                 lambda changed: QMessageBox.information(self, tr("推行到各中心"), tr("已推行到 {0} 个中心: {1}").format(
                     len(changed), "、".join(changed))))

    def backup_now(self) -> None:
        from app.storage import backup

        try:
            path = backup.backup_now(None, self.user)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("备份"), str(exc))
            return
        QMessageBox.information(self, tr("备份"), tr("已备份到 {0}").format(path))

    def restore(self) -> None:
        from PyQt6.QtWidgets import QApplication, QFileDialog

        from app.storage import backup

        try:
            folder = str(backup.backup_dir())
        except PatrolError as exc:
            QMessageBox.warning(self, tr("恢复"), str(exc))
            return
        path, _ = QFileDialog.getOpenFileName(self, tr("选择备份文件"), folder, "*.db")
        if not path:
            return
        try:
            checked = backup.check_backup(path)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("不能恢复"), str(exc))
            return
        answer = QMessageBox.question(self, tr("确认恢复"), tr("用 {0} ({1} 条巡查记录) 替换当前数据? 当前数据会先备份。").format(
            checked.path.name, checked.inspections))
        if answer != QMessageBox.StandardButton.Yes:
            return
        try:
            done = restore_database(path, self.user, centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("不能恢复"), str(exc))
            return
        kept = tr("\n备份中没有的 {0} 条巡查记录已写入 {1}, 可在“数据交换”中重新导入。").format(
            done.inspections, done.package) if done.package else ""
        QMessageBox.information(self, tr("已恢复"), tr("已恢复。恢复前的数据库已保存为 {0}。{1}\n程序将关闭, 请重新打开。").format(
            done.safety, kept))
        QApplication.quit()

    def save(self) -> None:
        settings = load_settings(next_month_start(dt.date.today()), centre_id=self.ctx.centre_id)
        try:
            for name, edit in self.edits.items():
                setattr(settings, name, parse_value(name, edit.text()))
            settings.validate()
            changed = changed_settings(settings, centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("设置有误"), str(exc))
            return
        if not changed:
            QMessageBox.information(self, tr("设置"), tr("没有修改"))
            return
        if not any(k in RULE_FIELDS for k in changed):
            self._store(settings, changed, None, False)
            return
        from app.results import rule_changes
        from forms.tasks import run_task

        run_task(self, tr("正在计算本月受影响的记录…"), lambda progress: rule_changes.preview(settings,
                                                                                  centre_id=self.ctx.centre_id),
                 lambda effect: self._choose_start(settings, changed, effect))

    def _choose_start(self, settings: CentreSettings, changed: list[str], effect) -> None:
        today = dt.date.today()
        answer = QMessageBox.question(
            self, tr("评分规则从何时起执行"),
            tr("修改: {0}\n\n若从本月起执行并重新评定: {1}\n\n"
               "“是”: 从{2}起执行, 本月已评定的不变 (不混用两种规则)\n"
               "“否”: 从{3}起执行, 重新评定本月全部已定稿巡查, 考察案例随之调整\n“取消”: 不保存").format(
                "、".join(LABELS[k] for k in changed), effect.summary(), cn_date(next_month_start(today)),
                cn_date(month_start(today))),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Yes)
        if answer == QMessageBox.StandardButton.Yes:
            self._store(settings, changed, next_month_start(today), False)
        elif answer == QMessageBox.StandardButton.No:
            self._store(settings, changed, month_start(today), True)

    def _store(self, settings: CentreSettings, changed: list[str], start: dt.date | None, regrade: bool) -> None:
        reason = ask_reason(self, tr("保存设置"), tr("修改: {0}").format("、".join(LABELS[k] for k in changed)))
        if reason is None:
            return
        if start is None:
            from app.loop import approvals

            try:
                outcome, asked = approvals.save_settings_or_request(self.user, settings, reason,
                                                                    centre_id=self.ctx.centre_id)
            except PatrolError as exc:
                QMessageBox.warning(self, tr("设置有误"), str(exc))
                return
            self.refresh()
            QMessageBox.information(self, tr("设置"), tr("已保存") if outcome == "done" else tr(
                "关闭双人审批须另一名管理员批准: 已提交审批 (编号 {0}), 批准后生效。").format(asked.id))
            return
        from app.results import rule_changes
        from forms.tasks import run_task

        def done(outcome) -> None:
            self.refresh()
            text = tr("已保存, 评分规则自{0}起执行").format(cn_date(outcome.effective_from)) if outcome.effective_from else tr("已保存")
            if outcome.regraded is not None:
                text += tr("\n已重新评定: {0}").format(outcome.regraded.summary())
            QMessageBox.information(self, tr("设置"), text)

        run_task(self, tr("正在保存…"), lambda progress: rule_changes.change_settings(
            settings, self.user, reason, start, regrade=regrade, centre_id=self.ctx.centre_id), done, self._failed)

    def _failed(self, exc: Exception) -> None:
        if isinstance(exc, PatrolError):
            QMessageBox.warning(self, tr("设置有误"), str(exc))
        else:
            from forms.errors import report

            report(exc, self)


class PushDialog(QDialog):
    """Which of the district centre's settings to give the centres that differ."""

    def __init__(self, spread, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("推行到各中心"))
        self.list = QListWidget()
        for s in spread:
            item = QListWidgetItem(tr("{0}: {1} (不同的中心: {2})").format(s.label, s.district, "、".join(s.differing)))
            item.setData(Qt.ItemDataRole.UserRole, s.name)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.list.addItem(item)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("勾选要统一的设置 (区中心的值 → 各中心):")))
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(640, 360)

    def chosen(self) -> list[str]:
        return [self.list.item(n).data(Qt.ItemDataRole.UserRole) for n in range(self.list.count())
                if self.list.item(n).checkState() == Qt.CheckState.Checked]
