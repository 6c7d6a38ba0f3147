"""The app never dies on an error: a locked database waits on screen and keeps the tick; a full disk or
a read-only file is reported and the draft stays as stored; an unexpected exception is logged."""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import peewee
import pytest
from PyQt6.QtCore import Qt

from app.centres.scope import signed_in
from app.patrolling import inspections
from app.storage.models import ItemResult
from forms.app import ui_busy_timeout
from forms.main_window import MainWindow
from tests.gui_support import Answers, show_active, user


@pytest.fixture
def page(qtbot, demo_roster, app_font):
    ui_busy_timeout()  # as the app sets it: the UI thread waits a moment, not five seconds
    main = MainWindow(signed_in(user("xuncha1")))
    qtbot.addWidget(main)
    show_active(qtbot, main)
    qtbot.keyClicks(main.patrol.view, "WP1:DEMO:A03")
    qtbot.keyClick(main.patrol.search, Qt.Key.Key_Return)
    return main.inspection


def stored(page) -> dict[int, str]:
    return dict(ItemResult.select(ItemResult.item, ItemResult.result).where(ItemResult.inspection == page.inspection).tuples())


def test_a_tick_while_another_program_holds_the_database_waits_on_screen_and_is_kept(qtbot, page, demo_roster):
    first, second = page.model.items[0], page.model.items[1]
    other = sqlite3.connect(demo_roster, timeout=0)
    other.execute("BEGIN EXCLUSIVE")  # a large import in another program
    qtbot.keyClick(page.view, Qt.Key.Key_2)
    qtbot.keyClick(page.view, Qt.Key.Key_J)  # a failure keeps the cursor on its item
    qtbot.keyClick(page.view, Qt.Key.Key_1)
    assert page.busy_label.isVisible() and "占用" in page.busy_label.text()
    assert first.id not in page.model.results, "not shown as saved before it is"
    qtbot.wait(1000)
    assert page.busy_label.isVisible(), "still waiting, still saying so"
    other.rollback()
    other.close()
    qtbot.waitUntil(lambda: not page.busy_label.isVisible(), timeout=10000)
    assert stored(page) == {first.id: "fail", second.id: "pass"}, "both ticks written, in order"
    assert page.model.results[first.id] == "fail" and page.model.results[second.id] == "pass"


@pytest.mark.parametrize("message, shown", [("database or disk is full", "磁盘已满"),
                                            ("cannot rollback - no transaction is active", "磁盘已满"),
                                            ("attempt to write a readonly database", "只读")])
def test_a_tick_on_a_full_disk_or_read_only_file_is_reported_and_the_draft_stays(
        qtbot, page, monkeypatch, message, shown):
    answers = Answers(monkeypatch)
    qtbot.keyClick(page.view, Qt.Key.Key_1)
    before = stored(page)

    def fail(*args, **kwargs):
        raise peewee.OperationalError(message)

    monkeypatch.setattr(inspections, "set_result", fail)
    qtbot.keyClick(page.view, Qt.Key.Key_2)
    assert any(shown in a for a in answers.asked), answers.asked
    assert stored(page) == before and page.model.items[1].id not in page.model.results
    assert page.isVisible() and not page.busy_label.isVisible()
    monkeypatch.undo()
    Answers(monkeypatch)
    page.view.selectRow(1)
    qtbot.keyClick(page.view, Qt.Key.Key_2)
    assert stored(page)[page.model.items[1].id] == "fail", "once the disk has room, ticking goes on"


def test_an_unexpected_exception_in_a_slot_is_shown_and_logged_not_an_abort(qtbot, page, monkeypatch, demo_roster):
    from forms.errors import install

    answers = Answers(monkeypatch)
    install()
    try:
        raise RuntimeError("boom in a slot")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert any("程序内部错误 (RuntimeError)" in a for a in answers.asked)
    log = demo_roster.parent / "window-patrol-errors.log"
    assert "boom in a slot" in log.read_text(encoding="utf-8")


def test_an_exception_in_a_real_slot_does_not_abort_the_process(tmp_path):
    """Without the app's hook PyQt6 calls qFatal (SIGABRT, exit 134) on an exception leaving a slot."""
    import subprocess

    script = (
        "import sys\n"
        "from PyQt6.QtCore import QTimer\n"
        "from PyQt6.QtWidgets import QMessageBox\n"
        "from forms.app import make_app\n"
        "app = make_app()\n"
        "QMessageBox.warning = staticmethod(lambda *a, **k: print('shown:', a[2]))\n"
        "def slot():\n"
        "    raise peewee_error\n"
        "import peewee\n"
        "peewee_error = peewee.OperationalError('database is locked')\n"
        "QTimer.singleShot(0, slot)\n"
        "QTimer.singleShot(200, app.quit)\n"
        "sys.exit(app.exec())\n"
    )
    root = Path(__file__).resolve().parents[1]
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", XDG_DATA_HOME=str(tmp_path), PYTHONPATH=str(root))
    result = subprocess.run([sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr[-500:]
    assert "shown: 数据库正被其他程序占用" in result.stdout
