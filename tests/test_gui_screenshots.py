"""PNG screenshots of the main screens at 1366×768 and 1920×1080 (looked at by people, not compared).

Written to $WP_SCREENSHOTS if set, else to the test's temporary folder.
"""

import os
from pathlib import Path

import pytest
from PyQt6.QtCore import Qt

from app import periods
from app.centres.scope import signed_in
from app.demo.centre import make_demo
from app.storage import db as dbmod
from forms.dialogs import FirstRunDialog, LoginDialog
from forms.main_window import MainWindow
from tests.gui_support import user


@pytest.fixture
def demo_month(tmp_path):
    dbmod.open_database(str(tmp_path / "shots.db"))
    make_demo(seed=1, period=periods.previous_month())
    yield
    dbmod.close_database()


@pytest.fixture
def out_dir(tmp_path) -> Path:
    folder = Path(os.environ.get("WP_SCREENSHOTS") or tmp_path / "screens")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def shoot(widget, path: Path) -> None:
    from PyQt6.QtWidgets import QApplication

    for _ in range(3):  # a page built on being shown lays itself out, and sizes its columns, in the loop
        QApplication.processEvents()
    widget.repaint()
    assert widget.grab().save(str(path)), path
    assert path.stat().st_size > 5000


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_screenshots_of_the_main_screens(qtbot, demo_month, app_font, out_dir, size):
    tag = f"{size[0]}x{size[1]}"
    manager = MainWindow(signed_in(user("admin")))
    qtbot.addWidget(manager)
    manager.resize(*size)
    manager.show()
    shoot(manager, out_dir / f"{tag}-1-dashboard.png")
    manager.tabs.setCurrentWidget(manager.patrol_stack)
    shoot(manager, out_dir / f"{tag}-2-patrol.png")
    qtbot.keyClicks(manager.patrol.view, "A05")
    qtbot.keyClick(manager.patrol.search, Qt.Key.Key_Return)
    for key in (Qt.Key.Key_1, Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_1, Qt.Key.Key_3, Qt.Key.Key_2):
        qtbot.keyClick(manager.inspection.view, key)
    shoot(manager, out_dir / f"{tag}-3-inspection.png")
    for n in range(2, manager.tabs.count()):
        manager.tabs.setCurrentIndex(n)
        shoot(manager, out_dir / f"{tag}-{n + 2:02d}-{manager.tabs.tabText(n)}.png")
    if size == (1366, 768):
        for name, dialog in (("login", LoginDialog("示范区政务服务中心")), ("first-run", FirstRunDialog())):
            qtbot.addWidget(dialog)
            dialog.show()
            shoot(dialog, out_dir / f"dialog-{name}.png")


def test_screenshots_of_every_page_for_an_inspector_and_a_manager(qtbot, demo_month, app_font, out_dir):
    """Every tab each role sees, at the working area of a 1366×768 laptop, with the keys dialog."""
    from forms.keys_help import KeysDialog

    for who in ("xuncha1", "admin"):
        main = MainWindow(signed_in(user(who)))
        qtbot.addWidget(main)
        main.resize(1366, 700)
        main.show()
        for n in range(main.tabs.count()):
            main.tabs.setCurrentIndex(n)
            shoot(main, out_dir / f"{who}-{n + 1:02d}-{main.tabs.tabText(n)}.png")
        tr_patrol = main.tabs.tabText(main.tabs.indexOf(main.patrol_stack))
        keys = KeysDialog(tr_patrol, main.patrol.KEYS, [(k, main.tabs.tabText(n))
                                                                   for n, k in enumerate(main.tab_keys)], main)
        keys.show()
        shoot(keys, out_dir / f"{who}-keys.png")
