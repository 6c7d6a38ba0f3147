"""Every page fits a 1366×768 laptop: the window never grows past the screen's working area (under the
task bar and the title bar), and every button on every page is on screen or in a part that scrolls."""

import pytest
from PyQt6.QtCore import QPoint, QRect, Qt
from PyQt6.QtWidgets import QAbstractButton, QAbstractScrollArea, QApplication

from app import periods
from app.centres.scope import signed_in
from app.demo.centre import make_demo
from app.demo.district import make_demo_district
from app.storage import db as dbmod
from forms.main_window import MainWindow
from tests.gui_support import user

# 768 less a task bar (40) and a title bar (28): what a maximised window gets on such a laptop.
WORK_AREA = (1366, 700)


@pytest.fixture
def demo_month(tmp_path, request):
    dbmod.open_database(str(tmp_path / "fit.db"))
    if getattr(request, "param", "centre") == "district":
        make_demo_district(seed=2, period=periods.previous_month())
    else:
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


@pytest.mark.parametrize("demo_month, who", [("centre", "xuncha1"), ("centre", "admin"), ("district", "admin")],
                         indirect=["demo_month"])
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
    if who == "xuncha1":  # the inspection, in the patrol tab, as an inspector meets it
        window.tabs.setCurrentWidget(window.patrol_stack)
        window.patrol.open_checked(window.patrol.model.rows[0].window_id)
        QApplication.processEvents()
        hint = window.minimumSizeHint()
        if hint.width() > WORK_AREA[0] or hint.height() > WORK_AREA[1] or window.size().height() > WORK_AREA[1]:
            problems.append(f"检查: needs at least {hint.width()}×{hint.height()}")
        problems += unreachable(window)
    assert not problems, "\n".join(problems)


def test_a_long_cell_ends_in_an_ellipsis_and_its_tooltip_holds_the_whole(qtbot, app_font):
    import datetime as dt

    from PyQt6.QtCore import Qt

    from app.audit import AuditRow
    from forms.audit_page import AuditModel
    from forms.tables import read_only_table

    reason = "冲突详情: 同一记录在两台笔记本上改得不同, 保留现有版本, 导入的版本另存 (见数据交换 → 导入冲突)"
    row = AuditRow(dt.datetime(2026, 12, 6, 9, 30), "admin", "conflict.resolve", "处理导入冲突", "package:8307abc",
                   "A01", "", "", "", reason)
    model = AuditModel([row])
    view = read_only_table(model)
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    QApplication.processEvents()
    reason_cell = model.index(0, 8)
    assert model.data(reason_cell, Qt.ItemDataRole.ToolTipRole) == reason
    assert model.data(model.index(0, 4), Qt.ItemDataRole.ToolTipRole) is None, "a short cell needs no tooltip"
    assert not view.wordWrap() and view.textElideMode() == Qt.TextElideMode.ElideRight
    header = view.horizontalHeader()
    assert header.sectionResizeMode(0) == header.ResizeMode.Interactive, "a person may drag a column"
    time_width = view.fontMetrics().horizontalAdvance("2026-12-06 09:30:00")
    assert header.sectionSize(0) >= time_width, "the time is whole, not 2026-12-06 ⋯"
    assert header.sectionSize(3) >= view.fontMetrics().horizontalAdvance("package:8307abc")


def test_the_probation_header_is_whole(qtbot, demo_roster, app_font):
    from forms.manager_pages import ProbationPage

    page = ProbationPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    page.resize(1366, 600)
    page.show()
    QApplication.processEvents()
    header = page.view.horizontalHeader()
    column = next(n for n in range(page.model.columnCount()) if page.model.headerData(n, Qt.Orientation.Horizontal)
                  .startswith("复查"))
    needed = header.fontMetrics().horizontalAdvance(page.model.headerData(column, Qt.Orientation.Horizontal))
    assert header.sectionSize(column) >= needed


def test_the_audit_pane_shows_the_selected_entry_whole(qtbot, demo_roster, app_font, monkeypatch):
    from app.centres.settings import load_settings, save_settings
    from forms.audit_page import AuditPage

    settings = load_settings()
    settings.smile_star_max, settings.second_approval = 8, True
    save_settings(settings, user("admin"), "局里通知增加名额")
    page = AuditPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    page.resize(1366, 600)
    page.show()
    row = next(n for n, r in enumerate(page.model.rows) if r.reason == "局里通知增加名额")
    page.view.selectRow(row)
    text = page.detail.toPlainText()
    assert "局里通知增加名额" in text and "admin" in text
    assert "微笑之星名额" in text and "5" in text and "8" in text and "→" in text
    assert "双人审批" in text and "否" in text and "是" in text
