"""Starting the desktop app: font, sign-in, database, first-run set-up, main window.

The sign-in dialog is the first window, shown before the data layer (peewee and the core, most of
start-up) is imported; the database opens behind it, and the main window's modules load while
the inspector types. So this module imports only Qt at the top.
"""

from __future__ import annotations

import os
import sys
import time

from PyQt6.QtCore import QLibraryInfo, QLocale, QTranslator
from PyQt6.QtGui import QFont, QFontDatabase
from PyQt6.QtWidgets import QApplication, QMessageBox

from app.errors import PatrolError
from forms.dialogs import FirstRunDialog, LoginDialog
from forms.i18n import tr
from forms.resources import RESOURCES
from forms.style import apply_style

FONT_FILE = os.path.join(RESOURCES, "fonts", "wqy-microhei.ttc")


def load_font(app: QApplication) -> str:
    """Use the shipped CJK font, so Chinese renders on a machine without one."""
    font_id = QFontDatabase.addApplicationFont(FONT_FILE)
    families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
    if families:
        app.setFont(QFont(families[0], 10))
        return families[0]
    return app.font().family()


_translators: list[QTranslator] = []


class QtGaps(QTranslator):
    """Qt's own strings that its shipped Chinese catalogue lacks (they changed in Qt 6: the file dialog's
    labels gained shortcuts, the icon provider its context), so no English shows in a standard dialog."""

    STRINGS = {
        ("QFileDialog", "&Look in:"): "查找范围(&L):",
        ("QFileDialog", "Files of &type:"): "文件类型(&T):",
        ("QFileDialog", "File &name:"): "文件名(&N):",
        ("QAbstractFileIconProvider", "Folder"): "文件夹",
        ("QAbstractFileIconProvider", "Drive"): "驱动器",
        ("QAbstractFileIconProvider", "File"): "文件",
        ("QAbstractFileIconProvider", "%1 File"): "%1 文件",
    }

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: N802 (Qt's name)
        return self.STRINGS.get((context, source))  # None: a null string, the next catalogue answers

    def isEmpty(self) -> bool:  # noqa: N802
        return False


def load_qt_chinese(app: QApplication) -> None:
    """Qt's own strings (OK, Cancel, Yes, No, the file dialog …) in Simplified Chinese, and Chinese
    dates and numbers wherever Qt formats them (a date editor, a file list)."""
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    if any(t.parent() is app for t in _translators):
        return  # once per application
    translator = QTranslator(app)
    folder = QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)
    if translator.load(QLocale(QLocale.Language.Chinese, QLocale.Country.China), "qtbase", "_", folder):
        app.installTranslator(translator)
        _translators.append(translator)
    gaps = QtGaps(app)  # installed last, asked first
    app.installTranslator(gaps)
    _translators.append(gaps)


def make_app() -> QApplication:
    from forms.errors import install

    if not os.environ.get("LC_ALL"):
        # Qt's file dialog dates the files by the system's time locale: Chinese, whatever the machine's
        # language (read when the application starts).
        os.environ["LC_TIME"] = "zh_CN.UTF-8"
    app = QApplication.instance() or QApplication(sys.argv)
    install()  # an exception in a slot is reported, never an abort
    app.setApplicationName("Window Patrol")
    app.setOrganizationName("window-patrol")
    load_font(app)
    load_qt_chinese(app)
    apply_style(app)
    return app


def set_up_centre(dialog: FirstRunDialog) -> None:
    """Create the demo or an empty centre, then the manager account chosen in the dialog."""
    from app import periods
    from app.demo.centre import make_demo
    from app.people import accounts
    from app.setup.centres import create_centre
    from app.storage.models import User

    if dialog.enrol.isChecked():
        from app.exchange.enrolment import enrol

        done = enrol(dialog.setup_file.text().strip())
        dialog.enrolled = done
        return
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
    """A backup at start (unless one was made in the last hour) and one a day while the app runs,
    in the worker: a year of a large centre is a gigabyte, and ticking must not wait for it."""
    from PyQt6.QtCore import QTimer

    from app.storage import backup
    from app.storage.proxy import sqlite_path
    from forms.tasks import run_in_background

    if sqlite_path() is None:
        return

    def failed(exc: Exception) -> None:  # a full disk must not stop an inspection; say so
        QMessageBox.warning(None, tr("自动备份失败"), str(exc))

    def backup_if_due(hours: float) -> None:
        run_in_background(lambda progress: backup.backup_now() if backup.due(hours) else None, on_error=failed)

    backup_if_due(1)
    timer = QTimer(app)
    timer.timeout.connect(lambda: backup_if_due(24))
    timer.start(60 * 60 * 1000)  # look hourly; back up when the newest is a day old


def show_now(app: QApplication, widget, wait_ms: int = 200) -> None:
    """Show a window and let it be painted before the next slow step (bounded wait for the window system)."""
    widget.show()
    deadline = time.monotonic() + wait_ms / 1000
    app.processEvents()
    while widget.windowHandle() is not None and not widget.windowHandle().isExposed() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.002)
    app.processEvents()


def open_data(db_target: str | None) -> bool:
    """Import the data layer and open the database (migrating it if needed). True if it is empty."""
    from app.centres.centre import is_empty
    from app.storage.db import open_database

    open_database(db_target)
    return is_empty()


def ui_busy_timeout() -> None:
    """The UI thread waits a moment for a database another program holds, not five seconds: a tick
    then says so on screen and retries (forms.inspection_page), instead of freezing the window."""
    from app.storage.proxy import db, is_sqlite

    if is_sqlite():
        db.obj.execute_sql(f"PRAGMA busy_timeout = {UI_BUSY_MS}")


UI_BUSY_MS = 300


def report_setup_failure(exc: Exception) -> None:
    from app.storage.faults import classify

    QMessageBox.critical(None, tr("建立中心失败"), classify(exc).message)


def first_run(app: QApplication) -> bool:
    """The first-run dialog and the centre set-up in the worker; True once a centre exists."""
    dialog = FirstRunDialog()
    if dialog.exec() != FirstRunDialog.DialogCode.Accepted:
        return False
    from forms.tasks import run_task

    finished = {}
    run_task(None, tr("正在建立中心…"), lambda progress: set_up_centre(dialog),
             on_done=lambda _: (finished.setdefault("ok", True), app.quit()),
             on_error=lambda exc: (report_setup_failure(exc), app.quit()))
    app.exec()
    done = getattr(dialog, "enrolled", None)
    if finished and done is not None:  # the person compares the office's fingerprint with the manager's
        from app.exchange.enrolment import delete_reminder  # the core loads behind the first window

        QMessageBox.information(None, tr("本机已登记"), tr(
            "本机已登记为 {0} 的巡查设备 {1}。\n可登录的巡查员: {2}\n管理端密钥指纹: {3} (请与管理员核对)\n\n{4}").format(
            done.centre, done.device, ", ".join(done.inspectors), done.office_fingerprint,
            delete_reminder(dialog.setup_file.text().strip(), done)))
    return bool(finished)


def run(db_target: str | None) -> int:
    from app.storage.locations import is_new_sqlite_file

    app = make_app()
    login = LoginDialog()
    if not is_new_sqlite_file(db_target):  # a first start goes straight to the set-up dialog
        show_now(app, login)
    try:
        empty = open_data(db_target)
        ui_busy_timeout()
    except Exception as exc:  # noqa: BLE001 — a damaged or locked file, a server away: said, not thrown
        from app.storage.faults import classify

        login.hide()
        QMessageBox.critical(None, tr("无法打开数据库"), str(exc) if isinstance(exc, PatrolError) else classify(exc).message)
        return 2
    if empty:
        login.hide()
        if not first_run(app):
            return 0
    from app.centres.centre import current_centre
    from app.storage.db import close_database

    start_backups(app)
    login.set_centre(current_centre(centre_id=None).name)  # the district centre's, or the only one's
    from forms.main_window import MainWindow  # the pages' modules, while the user types

    if login.exec() != LoginDialog.DialogCode.Accepted:
        return 0
    from app.centres import scope

    window = MainWindow(scope.signed_in(login.user))
    window.show()
    try:
        return app.exec()
    finally:
        from forms.tasks import pool

        pool().waitForDone()  # an export or a backup still running finishes before its database closes
        close_database()
