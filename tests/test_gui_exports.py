"""Exports from the app: chosen on the 报表 tab or from a finished window, written by the worker."""

import datetime as dt

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QMessageBox
from python_calamine import CalamineWorkbook

from app import periods
from app.centres.scope import signed_in
from app.demo.centre import make_demo
from app.storage import db as dbmod
from forms.export_page import ExportPage
from forms.main_window import MainWindow
from tests.gui_support import Answers, show_active, user


@pytest.fixture
def demo_month(tmp_path):
    dbmod.open_database(str(tmp_path / "gui-export.db"))
    make_demo(seed=2, period=periods.month("2026-10"))
    yield
    dbmod.close_database()


def save_as(monkeypatch, path):
    monkeypatch.setattr("forms.file_dialogs.QFileDialog.getSaveFileName", lambda *a, **k: (str(path), ""))


def test_the_monthly_workbook_is_exported_from_the_reports_tab(qtbot, demo_month, app_font, monkeypatch, tmp_path):
    answers = Answers(monkeypatch)
    page = ExportPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    page.kind.setCurrentIndex(page.kind.findData("excel"))
    page.month.setText("2026-10")
    assert page.form.isRowVisible(page.month) and not page.form.isRowVisible(page.start)
    out = tmp_path / "month.xlsx"
    save_as(monkeypatch, out)
    page.export()
    qtbot.waitUntil(lambda: any("月度工作簿" in a for a in answers.asked), timeout=20000)
    assert "窗口排名" in CalamineWorkbook.from_path(str(out)).sheet_names


def test_an_export_error_is_shown_not_swallowed(qtbot, demo_month, app_font, monkeypatch, tmp_path):
    shown = []
    for box in ("critical", "warning"):  # a problem the person can fix is a warning
        monkeypatch.setattr(QMessageBox, box, lambda parent, title, text, *a: shown.append(text))
    page = ExportPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    page.kind.setCurrentIndex(page.kind.findData("excel"))
    page.month.setText("2026-09")
    save_as(monkeypatch, tmp_path / "empty.xlsx")
    page.export()
    qtbot.waitUntil(lambda: bool(shown), timeout=20000)
    assert "没有已定稿的巡查记录" in shown[0] and not (tmp_path / "empty.xlsx").exists()


def test_a_finished_windows_notice_is_printed_from_the_patrol_list(qtbot, demo_month, app_font, monkeypatch, tmp_path):
    answers = Answers(monkeypatch)
    main = MainWindow(signed_in(user("xuncha1")))
    qtbot.addWidget(main)
    show_active(qtbot, main)
    qtbot.keyClicks(main.patrol.view, "A09")
    qtbot.keyClick(main.patrol.search, Qt.Key.Key_Return)
    page = main.inspection
    qtbot.keyClick(page.view, Qt.Key.Key_2)
    qtbot.keyClick(page.view, Qt.Key.Key_J)  # a failure keeps the cursor on its item
    for _ in range(len(page.model.items) - 1):
        qtbot.keyClick(page.view, Qt.Key.Key_1)
    answers.replies = [QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No]
    qtbot.keyClick(page.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert page.inspection.status == "final", (answers.asked, page.model.ticked(), page.model.checks())
    row = next(n for n in range(main.patrol.proxy.rowCount())
               if main.patrol.proxy.index(n, 0).data() == "A09")
    main.patrol.view.selectRow(row)
    out = tmp_path / "notice.pdf"
    save_as(monkeypatch, out)
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text, *a: answers.asked.append("ERROR " + text))
    main.patrol.print_selected("notice")
    qtbot.waitUntil(lambda: any("整改通知单" in a or "ERROR" in a or "请先" in a for a in answers.asked), timeout=20000)
    assert not any("ERROR" in a or "请先" in a for a in answers.asked), answers.asked
    assert out.read_bytes().startswith(b"%PDF")


def test_an_inspector_exports_only_their_own_inspections(qtbot, demo_month, app_font, monkeypatch, tmp_path):
    from app.storage.models import Inspection, User

    answers = Answers(monkeypatch)
    page = ExportPage(signed_in(user("xuncha1")))
    qtbot.addWidget(page)
    assert [page.kind.itemData(n) for n in range(page.kind.count())] == ["details", "labels"]
    page.kind.setCurrentIndex(page.kind.findData("details"))
    page.start.setDate(page.start.date().fromString("2026-10-01", "yyyy-MM-dd"))
    page.end.setDate(page.end.date().fromString("2026-10-31", "yyyy-MM-dd"))
    out = tmp_path / "mine.xlsx"
    save_as(monkeypatch, out)
    page.export()
    qtbot.waitUntil(lambda: any("巡查明细" in a for a in answers.asked), timeout=20000)
    mine = Inspection.select().where(Inspection.inspector == User.get(User.username == "xuncha1")).count()
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("巡查明细").to_python()
    assert len(rows) - 1 == mine < Inspection.select().count()
    assert {r[6] for r in rows[1:]} == {"巡查员 李明"}


def test_paper_is_checked_on_the_reports_tab_and_the_record_shown(qtbot, app_font, demo_roster):
    from app.loop import verify
    from app.storage.models import User, Window
    from forms.export_page import ExportPage
    from tests.helpers import FAILING, inspect

    window = Window.get(Window.code == "A01")
    insp = inspect(window, User.get(User.username == "xuncha1"), window.staff.first(), dt.datetime(2026, 10, 5, 10),
                   fail=FAILING)
    page = ExportPage(signed_in(User.get(User.username == "admin")))
    qtbot.addWidget(page)
    page.payload.setText(verify.payload("I", insp.uuid))
    page.check_paper()
    assert page.verdict.text().startswith("✓") and "A01" in page.verdict.text() and "DISC-07" in page.verdict.text()
    page.payload.setText("不是二维码")
    page.check_paper()
    assert page.verdict.text().startswith("✗") and "不是本系统" in page.verdict.text()
