"""Starting the desktop app: font, database, first-run set-up, sign-in, main window."""

from __future__ import annotations

import sys
from pathlib import Path

from PyQt6.QtCore import QLibraryInfo, QLocale, QTranslator
from PyQt6.QtGui import QFont, QFontDatabase
from PyQt6.QtWidgets import QApplication, QMessageBox

from app import accounts, periods
from app.centre import create_centre, current_centre, is_empty
from app.db import close_database, open_database
from app.demo import make_demo
from app.errors import PatrolError
from app.models import User
from forms.dialogs import FirstRunDialog, LoginDialog
from forms.i18n import tr

RESOURCES = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent)) / "resources"
FONT_FILE = RESOURCES / "fonts" / "wqy-microhei.ttc"


def load_font(app: QApplication) -> str:
    """Use the shipped CJK font, so Chinese renders on a machine without one."""
    font_id = QFontDatabase.addApplicationFont(str(FONT_FILE))
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families:
        app.setFont(QFont(families[0], 10))
        return families[0]
    return app.font().family()


_translators: list[QTranslator] = []


def load_qt_chinese(app: QApplication) -> None:
    """Qt's own strings (OK, Cancel, Yes, No …) in Simplified Chinese."""
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder):
        app.installTranslator(translator)
        _translators.append(translator)


def make_app() -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("Window Patrol")
    app.setOrganizationName("window-patrol")
    load_font(app)
    load_qt_chinese(app)
    return app


def set_up_centre(dialog: FirstRunDialog) -> None:
    """Create the demo or an empty centre, then the manager account chosen in the dialog."""
    if dialog.demo.isChecked():
        make_demo(seed=1, period=periods.previous_month())
    else:
        create_centre(dialog.centre_code.text().strip() or "CENTRE", dialog.centre_name.text().strip())
    username = dialog.username.text().strip()
    existing = User.get_or_none(User.username == username)
    if existing is not None:  # the demo's own 'admin', say: take it over with the new password
        existing.password_hash = accounts.hash_password(dialog.password.text())
        existing.role = "manager"
        existing.save()
    else:
        accounts.create_user(username, dialog.display_name.text().strip() or username, "manager", dialog.password.text())


def start_backups(app: QApplication) -> None:
    """A backup at start (unless one was made in the last hour) and one a day while the app runs."""
    from PyQt6.QtCore import QTimer

    from app import backup
    from app.db import sqlite_path

    if sqlite_path() is None:
        return

    def backup_if_due(hours: float) -> None:
        try:
            if backup.due(hours):
                backup.backup_now()
        except (OSError, PatrolError) as exc:  # a full disk must not stop an inspection; say so
            QMessageBox.warning(None, tr("自动备份失败"), str(exc))

    backup_if_due(1)
    timer = QTimer(app)
    timer.timeout.connect(lambda: backup_if_due(24))
    timer.start(60 * 60 * 1000)  # look hourly; back up when the newest is a day old


def run(db_target: str | None) -> int:
    app = make_app()
    try:
        open_database(db_target)
    except PatrolError as exc:
        QMessageBox.critical(None, tr("无法打开数据库"), str(exc))
        return 2
    if is_empty():
        dialog = FirstRunDialog()
        if dialog.exec() != FirstRunDialog.DialogCode.Accepted:
            return 0
        from forms.tasks import run_task

        finished = {}
        run_task(None, tr("正在建立中心…"), lambda progress: set_up_centre(dialog),
                 on_done=lambda _: (finished.setdefault("ok", True), app.quit()),
                 on_error=lambda exc: (QMessageBox.critical(None, tr("建立中心失败"), str(exc)), app.quit()))
        app.exec()
        if not finished:
            return 2
    start_backups(app)
    login = LoginDialog(current_centre().name)
    if login.exec() != LoginDialog.DialogCode.Accepted:
        return 0
    from forms.main_window import MainWindow

    window = MainWindow(login.user)
    window.show()
    try:
        return app.exec()
    finally:
        close_database()
