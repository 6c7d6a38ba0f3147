"""Start-up: the sign-in window first (before the data layer is imported), the database behind it,
no PostgreSQL driver in a SQLite process, the main window's tabs built when first opened, and the
automatic backup in the worker."""

import json
import subprocess
import sys
from pathlib import Path

from app.centres.scope import signed_in
from app.demo.centre import make_demo
from app.storage import backup
from app.storage import db as dbmod
from app.storage.drivers import is_postgres, target_from_argv

ROOT = Path(__file__).resolve().parents[1]


def test_the_sign_in_window_comes_before_the_data_layer_and_signing_in_opens_the_main_window(demo_file):
    done = subprocess.run([sys.executable, "-m", "benchmarks.startup", "app", str(demo_file), "xuncha1", "patrol123"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    stamps = json.loads(done.stdout.strip().splitlines()[-1])
    assert stamps["data_layer_loaded_at_login"] is False, "peewee and the core load behind the sign-in window"
    assert stamps["postgres_driver_loaded"] is False, "a SQLite process never imports psycopg"
    assert stamps["login"] <= stamps["sign_in"] <= stamps["main"]
    assert stamps["tabs"] == 4 and "巡查员" in stamps["title"] and stamps["exit"] == 0


def test_the_database_target_is_read_from_the_command_line_before_anything_imports_peewee(monkeypatch):
    monkeypatch.delenv("WINDOW_PATROL_DB", raising=False)
    assert target_from_argv(["--db", "x.db", "inspections"]) == "x.db"
    assert target_from_argv(["rankings", "--db=postgresql://h/db"]) == "postgresql://h/db"
    assert target_from_argv([]) is None
    monkeypatch.setenv("WINDOW_PATROL_DB", "postgres://h/db")
    assert is_postgres(target_from_argv([])) and not is_postgres("patrol.db") and not is_postgres(None)


def test_a_sqlite_process_refuses_a_postgresql_url_clearly_instead_of_failing_on_a_missing_driver(tmp_path):
    code = ("import sys; from app.storage.drivers import skip_postgres_drivers; assert skip_postgres_drivers('a.db'); "
            "from app.storage.db import open_database; from app.errors import DatabaseOpenError\n"
            f"open_database({str(tmp_path / 'a.db')!r})\n"
            "assert sys.modules['psycopg'] is None\n"
            "try:\n    open_database('postgresql://postgres@127.0.0.1:1/x')\n"
            "except DatabaseOpenError as exc:\n    print(exc)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "按 SQLite 数据库启动" in done.stdout


def test_a_postgresql_target_keeps_its_driver():
    code = ("import sys; from app.storage.drivers import skip_postgres_drivers; "
            "assert not skip_postgres_drivers('postgresql://h/db'); import peewee; assert peewee.psycopg is not None")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_manager_tabs_are_built_when_first_opened(qtbot, demo_roster, app_font):
    from forms.audit_page import AuditPage
    from forms.main_window import MainWindow
    from forms.roster_pages import WindowsPage
    from tests.gui_support import user

    window = MainWindow(signed_in(user("admin")))
    qtbot.addWidget(window)
    window.show()
    titles = [window.tabs.tabText(n) for n in range(window.tabs.count())]
    lazy = {titles[n]: window.tabs.widget(n) for n in range(2, window.tabs.count())}
    assert all(page.page is None for page in lazy.values()), "nothing but the first screen at start-up"
    window.tabs.setCurrentWidget(lazy["窗口"])
    assert isinstance(lazy["窗口"].page, WindowsPage) and lazy["窗口"].page.isVisible()
    assert lazy["审计记录"].page is None
    window.tabs.setCurrentWidget(lazy["审计记录"])
    assert isinstance(lazy["审计记录"].page, AuditPage)
    built = lazy["窗口"].page
    window.tabs.setCurrentIndex(0)
    window.tabs.setCurrentWidget(lazy["窗口"])
    assert lazy["窗口"].page is built, "built once, refreshed after"


def test_the_automatic_backup_runs_in_the_worker_and_a_failure_is_said(qtbot, qapp, tmp_path, monkeypatch):
    from forms import app as start
    from forms.tasks import pool

    dbmod.open_database(str(tmp_path / "live.db"))
    try:
        make_demo(seed=1, with_inspections=False)
        start.start_backups(qapp)
        qtbot.waitUntil(lambda: len(backup.backups()) == 1, timeout=30000)
        pool().waitForDone()
        warned = []
        monkeypatch.setattr(start.QMessageBox, "warning", lambda *a: warned.append(a[2]))
        monkeypatch.setattr(backup, "due", lambda hours: True)
        monkeypatch.setattr(backup, "backup_now", lambda: (_ for _ in ()).throw(OSError("磁盘已满")))
        start.start_backups(qapp)
        qtbot.waitUntil(lambda: bool(warned), timeout=30000)
        assert warned == ["磁盘已满"]
    finally:
        pool().waitForDone()
        dbmod.close_database()


def test_a_first_start_goes_straight_to_set_up_without_a_sign_in_window(qtbot, qapp, tmp_path, monkeypatch):
    from forms import app as start
    from forms.dialogs import FirstRunDialog, LoginDialog

    shown = []
    monkeypatch.setattr(LoginDialog, "showEvent", lambda self, event: shown.append("sign-in"))
    monkeypatch.setattr(FirstRunDialog, "exec", lambda self: shown.append("set-up") or FirstRunDialog.DialogCode.Rejected)
    try:
        assert start.run(str(tmp_path / "new.db")) == 0
    finally:
        dbmod.close_database()
    assert shown == ["set-up"]
