"""Manager pages: probation decisions and centre settings; the tabs a manager sees."""

from __future__ import annotations

import datetime as dt
from dataclasses import fields

from PyQt6.QtWidgets import (
    QFormLayout, QHBoxLayout, QInputDialog, QLineEdit, QMessageBox,
    QPushButton, QVBoxLayout, QWidget,
)

from app import probation
from app.errors import PatrolError
from app.models import ProbationCase, User
from app.settings import (
    LABELS, CentreSettings, changed_settings, format_value, load_settings, parse_value, save_settings,
)
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

    def __init__(self, user: User, parent=None):
        super().__init__(parent)
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
        probation.sweep(today)
        self.model.set_rows(probation.case_rows(today))

    def print_notice(self) -> None:
        from exports import jobs
        from forms.export_page import export_to_file

        index = self.view.currentIndex()
        if not index.isValid():
            QMessageBox.information(self, tr("考察案例"), tr("请先选择一个案例"))
            return
        row = self.model.rows[index.row()]
        export_to_file(self, f"考察期通知书-{row.name}.pdf", ".pdf", lambda out: jobs.probation_pdf(out, row.id))

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
            action(ProbationCase.get_by_id(row.id), self.user, reason)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("无法处理"), str(exc))
            return
        self.refresh()


class SettingsPage(QWidget):
    """Centre settings: grade thresholds, probation length and re-checks, 微笑之星 and 流动红旗 rules."""

    def __init__(self, user: User, parent=None):
        super().__init__(parent)
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
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.refresh()

    def refresh(self) -> None:
        settings = load_settings()
        for name, edit in self.edits.items():
            edit.setText(format_value(name, getattr(settings, name)))

    def backup_now(self) -> None:
        from app import backup

        try:
            path = backup.backup_now()
        except PatrolError as exc:
            QMessageBox.warning(self, tr("备份"), str(exc))
            return
        QMessageBox.information(self, tr("备份"), tr("已备份到 {0}").format(path))

    def restore(self) -> None:
        from PyQt6.QtWidgets import QApplication, QFileDialog

        from app import backup

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
            done = backup.restore(path, self.user)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("不能恢复"), str(exc))
            return
        kept = tr("\n备份中没有的 {0} 条巡查记录已写入 {1}, 可在“数据交换”中重新导入。").format(
            done.inspections, done.package) if done.package else ""
        QMessageBox.information(self, tr("已恢复"), tr("已恢复。恢复前的数据库已保存为 {0}。{1}\n程序将关闭, 请重新打开。").format(
            done.safety, kept))
        QApplication.quit()

    def save(self) -> None:
        settings = load_settings()
        try:
            for name, edit in self.edits.items():
                setattr(settings, name, parse_value(name, edit.text()))
            settings.validate()
            changed = changed_settings(settings)
            if not changed:
                QMessageBox.information(self, tr("设置"), tr("没有修改"))
                return
            reason = ask_reason(self, tr("保存设置"), tr("修改: {0}").format("、".join(LABELS[k] for k in changed)))
            if reason is None:
                return
            save_settings(settings, self.user, reason)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("设置有误"), str(exc))
            return
        QMessageBox.information(self, tr("设置"), tr("已保存"))
