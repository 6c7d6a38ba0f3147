"""中心设置: the centre's settings in groups (评分与等级, 考察期, 评优, 绩效, 整改与申诉, 审批, 本中心), each with a
typed editor and its help, in a part that scrolls, over the buttons that save, back up and restore."""

from __future__ import annotations

import datetime as dt

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.centres.setting_groups import BOUNDS, GROUPS, HELP, short_label
from app.centres.settings import (
    RULE_FIELDS,
    VETO_RANKING,
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
from app.patrolling.centre_checklists import checklist_rows
from app.periods import cn_date
from forms.dialogs import ask_reason
from forms.i18n import tr


class _Wheel:
    """An editor the wheel passes over unless it has the focus: the wheel scrolls the page, and a number
    does not change because the pointer happened to rest on it."""

    def wheelEvent(self, event):  # noqa: N802 (Qt's name)
        if self.hasFocus():
            super().wheelEvent(event)
        else:
            event.ignore()


class _SpinBox(_Wheel, QSpinBox):
    pass


class _DoubleSpinBox(_Wheel, QDoubleSpinBox):
    pass


class _ComboBox(_Wheel, QComboBox):
    pass


def _editor(name: str, default) -> QWidget:
    """The editor a setting's type asks for: a check box, a spin box with its unit, a list, or a line."""
    if isinstance(default, bool):
        return QCheckBox()
    if name == "veto_ranking":
        box = _ComboBox()
        box.addItems(VETO_RANKING)
        box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return box
    if name == "checklist":
        box = _ComboBox()
        box.setEditable(True)  # a code the list does not hold yet is refused by the check on saving
        box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        return box
    bounds = BOUNDS.get(name)
    if bounds is not None:
        box = _DoubleSpinBox() if isinstance(default, float) else _SpinBox()
        box.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        if isinstance(box, QDoubleSpinBox):
            box.setDecimals(bounds.decimals)
        box.setRange(bounds.low, bounds.high)
        box.setSuffix(bounds.suffix)
        return box
    edit = QLineEdit()
    if name == "grades":
        edit.setPlaceholderText("优秀=95,良好=90,合格=85")
    return edit


class SettingsPage(QWidget):
    """Centre settings: grade thresholds, probation length and re-checks, 微笑之星 and 流动红旗 rules."""

    KEYS = (("Tab / Shift+Tab", "逐项移动 (页面随之滚动)"), ("空格", "勾选或取消勾选"),
            ("↑ ↓ / PgUp PgDn", "在数字框中增减"))

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        defaults = CentreSettings()
        self.editors: dict[str, QWidget] = {}
        groups = QWidget()
        column = QVBoxLayout(groups)
        grids = []
        # One group under another, each a grid of label | editor | help: the help stands on the editor's
        # line (a 1366-wide screen holds it), and the page scrolls.
        for title, names in GROUPS:
            box = QGroupBox(tr(title))
            grid = QGridLayout(box)
            grid.setColumnStretch(2, 1)
            grid.setColumnMinimumWidth(1, 240)
            for row, name in enumerate(names):
                editor = _editor(name, getattr(defaults, name))
                editor.setToolTip(tr(HELP[name]))
                self.editors[name] = editor
                label = QLabel(tr(short_label(name, LABELS[name])))
                label.setBuddy(editor)
                help_ = QLabel(tr(HELP[name]))
                help_.setWordWrap(True)
                help_.setStyleSheet("color: #555;")
                grid.addWidget(label, row, 0)
                grid.addWidget(editor, row, 1)
                grid.addWidget(help_, row, 2)
            column.addWidget(box)
            grids.append(grid)
        column.addStretch(1)
        # The same label column in every group, so the editors stand in one line down the page.
        widest = max(label.sizeHint().width() for label in groups.findChildren(QLabel) if label.buddy() is not None)
        for grid in grids:
            grid.setColumnMinimumWidth(0, widest)
        scroll = QScrollArea()
        scroll.setWidget(groups)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self.scroll = scroll
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
        layout.addWidget(scroll, 1)
        layout.addWidget(self.schedule)
        layout.addLayout(buttons)
        self.refresh()

    def value(self, name: str):
        """The setting as its editor holds it, typed (text ones parsed as the command line parses them)."""
        editor = self.editors[name]
        if isinstance(editor, QCheckBox):
            return editor.isChecked()
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, QDoubleSpinBox):
            return float(editor.value())
        text = editor.currentText() if isinstance(editor, QComboBox) else editor.text()
        return parse_value(name, text)

    def show_value(self, name: str, value) -> None:
        editor = self.editors[name]
        if isinstance(editor, QCheckBox):
            editor.setChecked(bool(value))
        elif isinstance(editor, (QSpinBox, QDoubleSpinBox)):
            editor.setValue(value)
        elif isinstance(editor, QComboBox):
            editor.setCurrentText(str(value))
        else:
            editor.setText(format_value(name, value))

    def refresh(self) -> None:
        today = dt.date.today()
        now, ahead = load_settings(centre_id=self.ctx.centre_id), load_settings(next_month_start(today),
                                                                                centre_id=self.ctx.centre_id)
        checklists = self.editors["checklist"]
        checklists.clear()
        checklists.addItems([code for code, *_ in checklist_rows(centre_id=self.ctx.centre_id)])
        for name in self.editors:
            self.show_value(name, getattr(ahead if name in RULE_FIELDS else now, name))
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
            for name in self.editors:
                setattr(settings, name, self.value(name))
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
