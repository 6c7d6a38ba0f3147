"""The laptops a centre accepts packages from: enrol one (its key and set-up file), write its update
file, revoke it; a panel of 数据交换."""

from __future__ import annotations

from collections.abc import Callable

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
)

from app.context import Context
from app.errors import PatrolError
from app.exchange import devices, update_file
from forms.dialogs import ask_reason
from forms.file_dialogs import choose_folder, save_file
from forms.i18n import tr
from forms.models import RowsModel
from forms.tables import read_only_table
from forms.tasks import run_task


class DevicesModel(RowsModel):
    columns = (("密钥", lambda d: d.key_id), ("名称", lambda d: d.name), ("巡查员", lambda d: ", ".join(d.inspectors)),
               ("状态", lambda d: d.status), ("登记日期", lambda d: d.enrolled_at.strftime("%Y-%m-%d")),
               ("记录数", lambda d: d.inspections), ("结果包", lambda d: d.packages), ("注销理由", lambda d: d.revoke_reason))


class EnrolDialog(QDialog):
    """The laptop's name and the inspectors who may use it."""

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.setWindowTitle(tr("登记笔记本"))
        self.name = QLineEdit(tr("巡查笔记本1"))
        self.inspectors = QListWidget()
        for u in devices.enrollable_inspectors(user, centre_id=self.ctx.centre_id):
            item = QListWidgetItem(f"{u.username} {u.display_name}")
            item.setData(Qt.ItemDataRole.UserRole, u.username)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.inspectors.addItem(item)
        form = QFormLayout(self)
        form.addRow(tr("设备名称"), self.name)
        form.addRow(tr("可使用的巡查员"), self.inspectors)
        form.addRow(QLabel(tr("将生成该笔记本的密钥和设置文件; 设置文件含私钥, 请像密码一样保管, 登记后删除。")))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def chosen(self) -> list[str]:
        items = (self.inspectors.item(n) for n in range(self.inspectors.count()))
        return [i.data(Qt.ItemDataRole.UserRole) for i in items if i.checkState() == Qt.CheckState.Checked]


class LaptopsPanel(QGroupBox):
    """The register of laptops with its buttons; `note` and `problem` report to the page's log."""

    def __init__(self, ctx: Context, note: Callable[[str], None], problem: Callable[[str, Exception], None],
                 parent=None):
        super().__init__(tr("巡查笔记本 (只接受已登记设备签名的结果包)"), parent)
        self.ctx, self.user = ctx, ctx.user  # who acts, for which centre
        self.note, self.problem = note, problem
        box = QVBoxLayout(self)
        self.devices = DevicesModel()
        self.device_view = read_only_table(self.devices)
        buttons = QHBoxLayout()
        for label, slot in ((tr("登记笔记本…"), self.enrol_device), (tr("写更新文件…"), self.write_update),
                            (tr("为全部笔记本写更新…"), self.write_all_updates),
                            (tr("注销笔记本…"), self.revoke_device)):
            b = QPushButton(label)
            b.clicked.connect(slot)
            buttons.addWidget(b)
        self.legacy_button = QPushButton(tr("停用升级前的共享密钥…"))
        self.legacy_button.clicked.connect(self.end_legacy_key)
        buttons.addWidget(self.legacy_button)
        buttons.addStretch(1)
        box.addWidget(self.device_view)
        box.addLayout(buttons)

    def refresh(self) -> None:
        self.devices.set_rows(devices.device_rows(self.user, centre_id=self.ctx.centre_id))
        self.legacy_button.setVisible(devices.legacy_key_active(centre_id=self.ctx.centre_id))

    def enrol_device(self) -> None:
        dialog = EnrolDialog(self.ctx, self)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        suffix = ".wpe"
        path = save_file(self, tr("保存设置文件"), "setup", f"{dialog.name.text().strip()}{suffix}", f"*{suffix}")
        if not path:
            return
        try:
            done = devices.enrol_device(self.user, dialog.name.text(), dialog.chosen(),
                                        path if path.endswith(suffix) else path + suffix, centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            self.problem(tr("笔记本未登记"), exc)
            return
        self.note(tr("已登记 {0} ({1}), 巡查员 {2} → {3}").format(done.name, done.key_id, ", ".join(done.inspectors), done.path))
        QMessageBox.information(self, tr("笔记本已登记"), tr(
            "设置文件: {0}\n在该笔记本上首次打开本程序时选择“从设置文件登记本机”, 或运行 main.py enrol {1}。\n"
            "管理端密钥指纹: {2} (请与笔记本上显示的核对)").format(done.path, done.path.name, done.fingerprint))
        self.refresh()

    def write_update(self) -> None:
        index = self.device_view.currentIndex()
        if not index.isValid():
            QMessageBox.information(self, tr("写更新文件"), tr("请先选择一台笔记本"))
            return
        d = self.devices.rows[index.row()]
        path = save_file(self, tr("保存更新文件"), "update", f"{d.name}-{d.key_id}{update_file.SUFFIX}",
                         f"*{update_file.SUFFIX}")
        if not path:
            return
        path = path if path.endswith(update_file.SUFFIX) else path + update_file.SUFFIX
        run_task(self, tr("正在写更新文件…"),
                 lambda progress: [update_file.write_update(self.user, d.key_id, path, self.ctx.today,
                                                            centre_id=self.ctx.centre_id)],
                 on_done=self.updates_written, on_error=lambda exc: self.problem(tr("更新文件未写出"), exc))

    def write_all_updates(self) -> None:
        folder = choose_folder(self, tr("更新文件存放的文件夹 (如 U 盘)"), "update")
        if not folder:
            return
        run_task(self, tr("正在写更新文件…"),
                 lambda progress: update_file.write_updates(self.user, folder, self.ctx.today, centre_id=self.ctx.centre_id),
                 on_done=self.updates_written, on_error=lambda exc: self.problem(tr("更新文件未写出"), exc))

    def updates_written(self, written) -> None:
        for w in written:
            self.note(tr("已写出 {0} ({1}) 的第 {2} 号更新: 待复查 {3} 项、考察期 {4} 人 → {5}").format(
                w.device, w.key_id, w.number, w.rechecks, w.probation, w.path))
        self.refresh()

    def revoke_device(self) -> None:
        index = self.device_view.currentIndex()
        if not index.isValid():
            QMessageBox.information(self, tr("注销笔记本"), tr("请先选择一台设备"))
            return
        d = self.devices.rows[index.row()]
        self.revoke(d.key_id, d.name, tr("此后它的结果包和打印件不再被接受"), "")

    def revoke(self, key_id: str, name: str, why: str, after: str) -> None:
        """Ask the reason, revoke the laptop, say so (from the register, or when a package shows its key
        in two installations)."""
        reason = ask_reason(self, tr("注销笔记本"), tr("注销 {0} ({1}): {2}").format(name, key_id, why))
        if reason is None:
            return
        try:
            devices.revoke_device(self.user, key_id, reason, centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            self.problem(tr("未注销"), exc)
            return
        self.note(tr("已注销 {0} ({1})").format(name, key_id) + after)
        self.refresh()

    def end_legacy_key(self) -> None:
        reason = ask_reason(self, tr("停用共享密钥"), tr("停用后, 升级前的旧结果包和旧核验码不再被接受"))
        if reason is None:
            return
        try:
            devices.end_legacy_key(self.user, reason, centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            self.problem(tr("未停用"), exc)
            return
        self.note(tr("已停用升级前的共享密钥"))
        self.refresh()
