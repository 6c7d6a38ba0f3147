"""数据交换: inspectors export results packages; managers import them and the roster (preview first),
and enrol, list and revoke the laptops whose packages they accept."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.centres import scope
from app.context import Context
from app.errors import PatrolError, SecondInstallation
from app.exchange import conflicts, laptop_update, update_file
from app.exchange.results_import import import_package
from app.exchange.results_package import SUFFIX, export_results
from app.exchange.round_trip import RoundTrip, import_and_update
from app.people.roster_import import RosterPlan, apply_roster, plan_roster
from forms.dialogs import ask_reason
from forms.file_dialogs import open_file, open_files, save_file
from forms.i18n import tr
from forms.laptops_panel import LaptopsPanel
from forms.models import RowsModel
from forms.tables import read_only_table
from forms.tasks import run_task

KIND_LABELS = {"new": "新增", "updated": "修改", "unlisted": "不再列出"}


class ChangesModel(RowsModel):
    columns = (("变化", lambda c: KIND_LABELS[c.kind]), ("对象", lambda c: c.what), ("编号", lambda c: c.key),
               ("名称", lambda c: c.label), ("说明", lambda c: c.details))


class ConflictsModel(RowsModel):
    columns = (("编号", lambda c: c.id), ("窗口", lambda c: c.window), ("工号", lambda c: c.staff),
               ("巡查时间", lambda c: c.observed_at.strftime("%Y-%m-%d %H:%M")), ("版本", lambda c: c.revision),
               ("来自", lambda c: c.source), ("现有", lambda c: f"{c.current_score:g} {c.current_grade}"),
               ("导入", lambda c: f"{c.incoming_score:g} {c.incoming_grade}"),
               ("不同之处 (现有→导入)", lambda c: "; ".join(f"{d.code} {d.current or '—'}→{d.incoming or '—'}"
                                                     for d in c.differences)))


class ExchangePage(QWidget):
    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.plan: RosterPlan | None = None
        self.log = QPlainTextEdit()
        self.log.setReadOnly(True)
        self.log.setMinimumHeight(100)
        # The groups in a part that scrolls: at 1366×768 each list keeps room for its rows.
        content = QWidget()
        layout = QVBoxLayout(content)
        scroll = QScrollArea()
        scroll.setWidget(content)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        QVBoxLayout(self).addWidget(scroll)

        results = QGroupBox(tr("结果包 (笔记本 → 管理员电脑)"))
        row = QHBoxLayout(results)
        export_button = QPushButton(tr("导出结果包 (上次导出以来的记录)…"))
        export_button.clicked.connect(self.export_package)
        row.addWidget(export_button)
        if user.role == "manager":
            import_button = QPushButton(tr("导入结果包…"))
            import_button.clicked.connect(self.import_packages)
            row.addWidget(import_button)
            # One visit with a USB stick: the package in, the laptop's update out beside it.
            trip_button = QPushButton(tr("导入结果包并写回更新…"))
            trip_button.clicked.connect(lambda: self.import_packages(write_back=True))
            row.addWidget(trip_button)
            # A centre sends its month up to the district; the district trusts each centre's office key.
            month_button = QPushButton(tr("报送全区 (某月结果包)…"))
            month_button.clicked.connect(self.export_month)
            row.addWidget(month_button)
            if user.centre_id is None and scope.is_district():
                trust_button = QPushButton(tr("登记中心管理端…"))
                trust_button.clicked.connect(self.trust_centre)
                row.addWidget(trust_button)
        row.addStretch(1)
        layout.addWidget(results)

        if laptop_update.is_laptop():
            updates = QGroupBox(tr("管理端更新 (管理员电脑 → 本笔记本): 名单、检查表、规则、巡查员、待复查项"))
            box = QHBoxLayout(updates)
            self.update_state_label = QLabel()
            self.update_state_label.setWordWrap(True)
            apply_button = QPushButton(tr("应用更新文件…"))
            apply_button.clicked.connect(self.apply_update_file)
            box.addWidget(apply_button)
            box.addWidget(self.update_state_label, 1)
            layout.addWidget(updates)

        if user.role == "manager":
            clashes = QGroupBox(tr("导入冲突 (同一记录在两台电脑上改得不同; 两个版本都已保留)"))
            box = QVBoxLayout(clashes)
            self.conflicts = ConflictsModel()
            self.conflict_view = read_only_table(self.conflicts)
            self.conflict_view.setMinimumHeight(120)
            buttons = QHBoxLayout()
            for label, take in ((tr("采用导入的版本…"), True), (tr("保留现有版本…"), False)):
                b = QPushButton(label)
                b.clicked.connect(lambda _=False, take=take: self.settle_conflict(take))
                buttons.addWidget(b)
            buttons.addStretch(1)
            box.addWidget(self.conflict_view)
            box.addLayout(buttons)
            layout.addWidget(clashes)

        if user.role == "manager":
            self.laptops = LaptopsPanel(ctx, self.note, self.problem)
            self.laptops.device_view.setMinimumHeight(150)
            layout.addWidget(self.laptops)

        if user.role == "manager":
            roster = QGroupBox(tr("人员名单 (Excel)"))
            box = QVBoxLayout(roster)
            buttons = QHBoxLayout()
            for label, slot in ((tr("名单模板…"), self.save_template), (tr("预览名单…"), self.preview_roster)):
                b = QPushButton(label)
                b.clicked.connect(slot)
                buttons.addWidget(b)
            self.apply_button = QPushButton(tr("确认导入名单"))
            self.apply_button.setEnabled(False)
            self.apply_button.clicked.connect(self.apply_roster)
            buttons.addWidget(self.apply_button)
            buttons.addStretch(1)
            self.plan_label = QLabel()
            self.changes = ChangesModel()
            view = read_only_table(self.changes)
            view.setMinimumHeight(200)
            box.addLayout(buttons)
            box.addWidget(self.plan_label)
            box.addWidget(view, 1)
            layout.addWidget(roster, 1)
        layout.addWidget(QLabel(tr("记录")))
        layout.addWidget(self.log)
        self.refresh()

    def refresh(self) -> None:
        if laptop_update.is_laptop():
            self.update_state_label.setText(laptop_update.update_state().describe())
        if self.user.role == "manager":
            self.conflicts.set_rows(conflicts.open_conflicts())
            self.laptops.refresh()

    def apply_update_file(self) -> None:
        path = open_file(self, tr("选择管理端的更新文件"), "update", f"*{update_file.SUFFIX}")
        if not path:
            return

        def done(result) -> None:
            self.note(result.summary())
            self.refresh()
            QMessageBox.information(self, tr("管理端更新"), result.summary())

        run_task(self, tr("正在应用更新…"), lambda progress: laptop_update.apply_update(path), on_done=done,
                 on_error=lambda exc: self.problem(tr("更新未应用"), exc))

    def settle_conflict(self, take_incoming: bool) -> None:
        index = self.conflict_view.currentIndex()
        if not index.isValid():
            QMessageBox.information(self, tr("导入冲突"), tr("请先选择一个冲突"))
            return
        c = self.conflicts.rows[index.row()]
        what = tr("{0} {1} 第 {2} 版: {3}").format(c.window, c.observed_at.strftime("%Y-%m-%d %H:%M"), c.revision,
                                                 tr("采用来自 {0} 的版本").format(c.source) if take_incoming else tr("保留现有版本"))
        reason = ask_reason(self, tr("导入冲突"), what)
        if reason is None:
            return
        try:
            insp = conflicts.resolve(c.id, self.user, take_incoming, reason, centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            self.problem(tr("冲突未处理"), exc)
            return
        self.note(tr("冲突 {0} 已处理: {1}; 现为第 {2} 版, {3:g} 分").format(c.id, what, insp.revision, insp.score))
        self.refresh()

    def note(self, text: str) -> None:
        self.log.appendPlainText(text)

    def export_package(self) -> None:
        path = save_file(self, tr("导出结果包"), "package", f"巡查结果{SUFFIX}", f"*{SUFFIX}")
        if not path:
            return
        path = path if path.endswith(SUFFIX) else path + SUFFIX

        def done(summary) -> None:
            self.note(tr("已导出 {0} 条巡查记录 ({1} 至 {2}) → {3}").format(
                summary.inspections, summary.period[0], summary.period[1], summary.path))

        run_task(self, tr("正在导出结果包…"), lambda progress: export_results(path, user=self.user,
                                                                       centre_id=self.ctx.centre_id), on_done=done,
                 on_error=lambda exc: self.problem(tr("导出结果包"), exc))

    def export_month(self) -> None:
        from app import periods
        from app.exchange.centre_package import export_month

        last = periods.previous_month()
        text, ok = QInputDialog.getText(self, tr("报送全区"), tr("月份 (YYYY-MM)"), text=f"{last.start:%Y-%m}")
        if not ok:
            return
        try:
            period = periods.parse(text.strip())
        except PatrolError as exc:
            self.problem(tr("报送全区"), exc)
            return
        path = save_file(self, tr("报送全区"), "package", f"报送全区-{text.strip()}{SUFFIX}", f"*{SUFFIX}")
        if not path:
            return
        path = path if path.endswith(SUFFIX) else path + SUFFIX
        run_task(self, tr("正在导出…"), lambda progress: export_month(path, period, self.user,
                                                                  centre_id=self.ctx.centre_id),
                 on_done=lambda s: self.note(tr("已导出报送全区的结果包: {0} 条巡查记录 → {1}").format(s.inspections, s.path)),
                 on_error=lambda exc: self.problem(tr("报送全区"), exc))

    def trust_centre(self) -> None:
        from app.exchange.centre_package import trust_office
        from app.keys import signing

        answers = []
        for label in (tr("中心编码"), tr("中心管理端的密钥编号"), tr("中心管理端的公钥 (64 位十六进制)")):
            text, ok = QInputDialog.getText(self, tr("登记中心管理端"), label)
            if not ok:
                return
            answers.append(text.strip())
        reason = ask_reason(self, tr("登记中心管理端"), tr("指纹 {0}: 请与中心管理端核对").format(
            signing.fingerprint(answers[2]) if len(answers[2]) == 64 else "?"))
        if reason is None:
            return
        try:
            device = trust_office(self.user, *answers, reason)
        except PatrolError as exc:
            self.problem(tr("登记中心管理端"), exc)
            return
        self.note(tr("已登记 {0} ({1})").format(device.name, device.key_id))
        self.refresh()

    def import_packages(self, write_back: bool = False) -> None:
        """Import packages; with `write_back`, each laptop's update is written beside its package."""
        paths = open_files(self, tr("选择结果包"), "package", f"*{SUFFIX}")
        if not paths:
            return

        def work(progress):
            out = []
            for n, p in enumerate(paths):
                if write_back:
                    out.append(import_and_update(self.user, p, self.ctx.today, centre_id=self.ctx.centre_id))
                else:
                    out.append(RoundTrip(import_package(p, self.user, centre_id=self.ctx.centre_id), None))
                progress(n + 1, len(paths))
            return out

        def done(trips) -> None:
            lines = []
            for trip in trips:
                s = trip.imported
                lines.append(s.line())
                self.note(s.line())
                for line in s.conflict_details:
                    self.note(tr("  冲突: {0} (两个版本都已保留)").format(line))
                if trip.update is not None:
                    w = trip.update
                    lines.append(tr("已写出 {0} 的第 {1} 号更新 → {2}").format(w.device, w.number, w.path))
                    self.note(lines[-1])
            self.refresh()
            QMessageBox.information(self, tr("导入完成"), "\n".join(lines))

        run_task(self, tr("正在导入结果包…"), work, on_done=done, on_error=self.import_failed)

    def import_failed(self, exc: Exception) -> None:
        """A refused package is said; one from a second installation of a laptop's key offers revoking it."""
        if not isinstance(exc, SecondInstallation):
            self.problem(tr("导入结果包"), exc)
            return
        self.note(str(exc))
        answer = QMessageBox.question(self, tr("同一设备密钥被两处安装使用"), tr("{0}\n\n现在注销设备 {1} ({2}) 吗?").format(
            exc, exc.device, exc.key_id))
        if answer == QMessageBox.StandardButton.Yes:
            self.laptops.revoke(exc.key_id, exc.device, tr("其密钥被两处安装使用"), tr("; 请为每台笔记本分别重新登记"))

    def save_template(self) -> None:
        from exports.roster_template import roster_template

        path = save_file(self, tr("名单模板"), "roster", "人员名单模板.xlsx", "*.xlsx")
        if path:
            roster_template(path if path.endswith(".xlsx") else path + ".xlsx")
            self.note(tr("已生成名单模板 → {0}").format(path))

    def preview_roster(self) -> None:
        from exports.table_reader import read_table

        path = open_file(self, tr("选择名单"), "roster", tr("表格 (*.xlsx *.xls *.ods *.csv)"))
        if not path:
            return

        def done(plan: RosterPlan) -> None:
            self.plan = plan
            self.changes.set_rows(plan.changes)
            self.plan_label.setText("\n".join(plan.notes + [plan.summary()] + [plan.mass_unlisting] * bool(plan.mass_unlisting)))
            self.plan_label.setStyleSheet("color: #c62828; font-weight: bold;" if plan.mass_unlisting else "")
            self.apply_button.setEnabled(bool(plan.changes))

        run_task(self, tr("正在读取名单…"), lambda progress: plan_roster(Path(path).name, read_table(path),
                                                                   centre_id=self.ctx.centre_id),
                 on_done=done, on_error=lambda exc: self.problem(tr("名单有误"), exc))

    def apply_roster(self) -> None:
        if self.plan is None:
            return
        confirmed = False
        if self.plan.mass_unlisting:
            answer = QMessageBox.question(self, tr("确认名单完整"), self.plan.mass_unlisting + tr("\n仍要导入吗?"),
                                          QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                          QMessageBox.StandardButton.No)
            if answer != QMessageBox.StandardButton.Yes:
                return
            confirmed = True
        reason = ask_reason(self, tr("导入名单"), self.plan.summary())
        if reason is None:
            return
        plan = self.plan

        def done(_) -> None:
            self.note(tr("名单已导入: {0}").format(plan.summary()))
            self.plan = None
            self.changes.set_rows([])
            self.apply_button.setEnabled(False)

        # Up to 20,000 people in one transaction: in the worker, with a progress dialog.
        run_task(self, tr("正在导入名单…"), lambda progress: apply_roster(plan, self.user, reason, confirm_unlisted=confirmed),
                 on_done=done, on_error=lambda exc: self.problem(tr("名单未导入"), exc))

    def problem(self, title: str, exc: Exception) -> None:
        from app.storage.faults import classify
        from forms.errors import report

        self.note(f"{title}: {classify(exc).message}")
        report(exc, self, title)
