"""First start on an empty database, and signing in."""

from __future__ import annotations

from PyQt6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
)

from app.errors import PatrolError
from forms.file_dialogs import open_file
from forms.i18n import tr


def ask_reason(parent, title: str, what: str) -> str | None:
    """The "why" of a manager's change, which the audit trail keeps; None when cancelled."""
    from PyQt6.QtWidgets import QInputDialog

    text, ok = QInputDialog.getText(parent, title, tr("{0}\n理由 (记入审计记录, 必填):").format(what))
    return text if ok else None


class FirstRunDialog(QDialog):
    """Offers the demo centre or an empty one, and sets the first manager account."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle(tr("首次使用: 建立中心"))
        self.demo = QRadioButton(tr("演示中心 (40 个窗口、80 名工作人员和上个月的巡查记录, 用于熟悉软件)"))
        self.empty = QRadioButton(tr("新建空中心"))
        self.enrol = QRadioButton(tr("从设置文件登记本机 (巡查员的笔记本: 管理员在“数据交换”中生成设置文件)"))
        self.demo.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.demo)
        group.addButton(self.empty)
        group.addButton(self.enrol)
        self.setup_file = QLineEdit()
        self.setup_file.setPlaceholderText(tr("设置文件 (.wpe)"))
        browse = QPushButton(tr("选择…"))
        browse.clicked.connect(self.choose_file)
        file_row = QHBoxLayout()
        file_row.addWidget(self.setup_file, 1)
        file_row.addWidget(browse)
        self.centre_name = QLineEdit(tr("政务服务中心"))
        self.centre_code = QLineEdit("CENTRE")
        self.username = QLineEdit("manager")
        self.display_name = QLineEdit(tr("窗口管理科"))
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password2 = QLineEdit()
        self.password2.setEchoMode(QLineEdit.EchoMode.Password)
        self.manager_fields = (self.username, self.display_name, self.password, self.password2)
        form = QFormLayout()
        form.addRow(tr("中心名称"), self.centre_name)
        form.addRow(tr("中心编号"), self.centre_code)
        form.addRow(QLabel(tr("第一个管理员账号")))
        form.addRow(tr("用户名"), self.username)
        form.addRow(tr("姓名"), self.display_name)
        form.addRow(tr("密码 (至少 6 位)"), self.password)
        form.addRow(tr("再次输入密码"), self.password2)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.demo)
        layout.addWidget(self.empty)
        layout.addWidget(self.enrol)
        layout.addLayout(file_row)
        layout.addLayout(form)
        for choice in (self.demo, self.empty, self.enrol):
            choice.toggled.connect(self.update_fields)
        self.update_fields()
        layout.addWidget(buttons)

    def update_fields(self) -> None:
        """The centre's name for a new empty centre only; a laptop gets its centre and accounts from
        the set-up file, and no manager account is made on it."""
        enrol = self.enrol.isChecked()
        self.setup_file.setEnabled(enrol)
        for field in (self.centre_name, self.centre_code):
            field.setEnabled(self.empty.isChecked())
        for field in self.manager_fields:
            field.setEnabled(not enrol)

    def choose_file(self) -> None:

        path = open_file(self, tr("选择设置文件"), "setup", "*.wpe")
        if path:
            self.setup_file.setText(path)
            self.enrol.setChecked(True)

    def check(self) -> None:
        if self.enrol.isChecked():
            if not self.setup_file.text().strip():
                QMessageBox.warning(self, tr("设置文件"), tr("请选择管理员生成的设置文件 (.wpe)"))
            else:
                self.accept()
        elif len(self.password.text()) < 6:
            QMessageBox.warning(self, tr("密码"), tr("密码至少 6 位"))
        elif self.password.text() != self.password2.text():
            QMessageBox.warning(self, tr("密码"), tr("两次输入的密码不一致"))
        elif not self.username.text().strip():
            QMessageBox.warning(self, tr("用户名"), tr("请填写用户名"))
        else:
            self.accept()


class LoginDialog(QDialog):
    """Signing in. Shown before the database is open (the app's first window, at once), so it may
    start without the centre's name; signing in waits for `set_centre`."""

    def __init__(self, centre_name: str | None = None, parent=None):
        super().__init__(parent)
        self.user = None
        self.username = QLineEdit()
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.message = QLabel()
        self.message.setStyleSheet("color:#c62828;")
        form = QFormLayout()
        form.addRow(tr("用户名"), self.username)
        form.addRow(tr("密码"), self.password)
        # Plain buttons, not a QDialogButtonBox: its standard icons cost ~15 ms on the first window.
        self.ok = QPushButton(tr("登录"))
        self.ok.setDefault(True)
        self.ok.clicked.connect(self.try_login)
        cancel = QPushButton(tr("退出"))
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.ok)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("窗口巡查 · 请登录")))
        layout.addLayout(form)
        layout.addWidget(self.message)
        layout.addLayout(buttons)
        self.set_centre(centre_name)

    def set_centre(self, centre_name: str | None) -> None:
        """The database is open: name the centre and allow signing in."""
        self.centre_name = centre_name
        self.setWindowTitle(tr("登录 · {0}").format(centre_name) if centre_name else tr("登录 · 正在打开数据库…"))
        self.ok.setEnabled(centre_name is not None)

    def try_login(self) -> None:
        if self.centre_name is None:
            return  # Enter pressed before the database was open
        from app.people import accounts

        try:
            self.user = accounts.authenticate(self.username.text().strip(), self.password.text())
        except PatrolError as exc:
            self.message.setText(str(exc))
            self.password.selectAll()
            self.password.setFocus()
            return
        self.accept()
