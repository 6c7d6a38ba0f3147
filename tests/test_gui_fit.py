"""Every page fits a 1366×768 laptop: the window never grows past the screen's working area (under the
task bar and the title bar), and every button on every page is on screen or in a part that scrolls."""

import pytest
from PyQt6.QtCore import QPoint, QRect
from PyQt6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication

from app import periods
from app.centres.scope import signed_in
from app.demo.centre import make_demo
from app.storage import db as dbmod
from forms.main_window import MainWindow
from tests.gui_support import user

# 768 less a task bar (40) and a title bar (28): what a maximised window gets on such a laptop.
WORK_AREA = (1366, 700)


@pytest.fixture
def demo_month(tmp_path):
    dbmod.open_database(str(tmp_path / "fit.db"))
    make_demo(seed=1, period=periods.previous_month())
    yield
    dbmod.close_database()


def unreachable(window) -> list[str]:
    """The visible buttons of the current tab that lie (partly) outside the window and not inside a
    scrolling area."""
    page = window.tabs.currentWidget()
    area = QRect(QPoint(0, 0), window.size())
    out = []
    for button in page.findChildren(QAbstractButton):
        if not button.isVisibleTo(window):
            continue
        parent, scrolled = button.parentWidget(), False
        while parent is not None and parent is not page:
            if isinstance(parent.parentWidget(), QAbstractScrollArea):
                scrolled = True
            parent = parent.parentWidget()
        rect = QRect(button.mapTo(window, QPoint(0, 0)), button.size())
        if not scrolled and not area.contains(rect):
            out.append(f"{window.tabs.tabText(window.tabs.currentIndex())}: {button.text()} at {rect.getRect()}")
    return out


@pytest.mark.parametrize("who", ["xuncha1", "admin"])
def test_every_page_fits_a_1366_by_768_laptop(qtbot, demo_month, app_font, who):
    window = MainWindow(signed_in(user(who)))
    qtbot.addWidget(window)
    window.resize(*WORK_AREA)
    window.show()
    problems = []
    for n in range(window.tabs.count()):
        window.tabs.setCurrentIndex(n)
        QApplication.processEvents()
        title = window.tabs.tabText(n)
        hint = window.minimumSizeHint()
        if hint.width() > WORK_AREA[0] or hint.height() > WORK_AREA[1]:
            problems.append(f"{title}: needs at least {hint.width()}×{hint.height()}")
        if (window.width(), window.height()) != WORK_AREA:
            problems.append(f"{title}: the window grew to {window.width()}×{window.height()}")
            window.resize(*WORK_AREA)
        problems += unreachable(window)
    assert not problems, "\n".join(problems)
