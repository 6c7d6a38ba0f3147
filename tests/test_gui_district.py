"""The district's manager sees the centres ranked and steps into one; a centre's manager sees theirs."""

from __future__ import annotations

import pytest

from app import periods
from app.centres.scope import signed_in
from app.demo.district import make_demo_district
from app.people import accounts
from app.storage import db as dbmod
from app.storage.models import Centre


@pytest.fixture
def demo_district(tmp_path):
    dbmod.open_database(str(tmp_path / "district.db"))
    make_demo_district(seed=2, period=periods.previous_month())
    yield tmp_path / "district.db"
    dbmod.close_database()


def test_district_manager_sees_centres_ranked_and_steps_into_one(qtbot, demo_district, app_font, tmp_path):
    from forms.main_window import MainWindow

    user = accounts.authenticate("admin", "admin123")
    window = MainWindow(signed_in(user))
    qtbot.addWidget(window)
    assert window.ctx.centre_id is None and "全区" in window.windowTitle()
    page = window.district
    assert window.tabs.currentWidget() is page
    assert [r.kind for r in page.model.rows].count("街镇中心") == 3 and page.model.rows[0].rank == 1
    window.show()
    window.grab().save(str(tmp_path / "district.png"))
    from forms.export_page import ExportPage

    exports = ExportPage(signed_in(user))
    qtbot.addWidget(exports)
    kinds = [exports.kind.itemData(n) for n in range(exports.kind.count())]
    assert "district-excel" in kinds and "district-pdf" in kinds
    jd1 = page.model.rows.index(next(r for r in page.model.rows if r.code == "JD1"))
    page.view.selectRow(jd1)
    page._enter()
    from forms.main_window import current_window

    inside = current_window()
    qtbot.addWidget(inside)
    assert inside.ctx.centre_id == Centre.get(Centre.code == "JD1").id
    assert "城东街道" in inside.windowTitle() and inside.district is not None
    inside.patrol.refresh()
    assert inside.patrol.model.rowCount() == 6, "the street centre's six windows, not the district's seventy"


def test_a_centre_manager_signs_in_to_their_centre_only(qtbot, demo_district, app_font):
    from forms.main_window import MainWindow

    user = accounts.authenticate("fzxadmin", "admin123")
    window = MainWindow(signed_in(user))
    qtbot.addWidget(window)
    assert window.district is None and "东部分中心" in window.windowTitle()
    window.patrol.refresh()
    assert window.patrol.model.rowCount() == 12
    assert "各中心" not in [window.tabs.tabText(n) for n in range(window.tabs.count())]
    from forms.export_page import ExportPage

    page = ExportPage(signed_in(user))
    qtbot.addWidget(page)
    assert "district-pdf" not in [page.kind.itemData(n) for n in range(page.kind.count())]


def test_a_centre_sends_its_month_and_the_district_trusts_its_office_from_the_app(qtbot, tmp_path, app_font,
                                                                                    monkeypatch):
    from PyQt6.QtWidgets import QFileDialog

    from app.demo.centre import make_demo
    from app.exchange.results_import import import_package
    from app.keys import identity
    from app.people.accounts import create_user
    from app.setup.centres import add_centre, create_centre
    from app.storage.models import Inspection, User
    from forms.exchange_page import ExchangePage
    from tests.gui_support import give_reasons

    month = periods.previous_month()
    dbmod.open_database(str(tmp_path / "centre.db"))
    try:
        make_demo(seed=4, period=month)
        made = Inspection.select().where(Inspection.status == "final").count()
        me = identity.local()
        page = ExchangePage(signed_in(User.get(User.username == "admin")))
        qtbot.addWidget(page)
        out = tmp_path / "month.wpr"
        monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(out), "")))
        give_reasons(monkeypatch, (f"{month.start:%Y-%m}", True))
        page.export_month()
        qtbot.waitUntil(lambda: "已导出报送全区" in page.log.toPlainText(), timeout=20000)
    finally:
        dbmod.close_database()
    dbmod.open_database(str(tmp_path / "district.db"))
    try:
        create_centre("QU", "区政务服务中心")
        boss = create_user("qu", "区政务服务办公室", "manager", "secret9")
        add_centre(boss, "DEMO", "示范区政务服务中心", "street", "全区推行")
        page = ExchangePage(signed_in(boss))
        qtbot.addWidget(page)
        asked = give_reasons(monkeypatch, ("DEMO", True), (me.key_id, True), (me.public_key, True), ("核对指纹一致", True))
        page.trust_centre()
        assert "已登记" in page.log.toPlainText() and "指纹" in asked[-1]
        assert import_package(out, boss, centre_id=None).new == made
    finally:
        dbmod.close_database()


def test_a_street_centre_adds_its_own_items_and_adopts_them_from_the_app(qtbot, demo_district, app_font, monkeypatch,
                                                                          tmp_path):
    from PyQt6.QtCore import Qt

    from app.centres.settings import load_settings
    from app.patrolling import checklists
    from forms.checklists_page import ChecklistsPage
    from tests.gui_support import Answers, give_reasons
    from tests.test_centre_checklists import EXTENSION

    Answers(monkeypatch)
    user = accounts.authenticate("jd1admin", "admin123")
    (tmp_path / "self.toml").write_text(EXTENSION, encoding="utf-8")
    monkeypatch.setattr("forms.file_dialogs.QFileDialog.getOpenFileNames",
                        lambda *a, **k: ([str(tmp_path / "self.toml")], ""))
    page = ChecklistsPage(signed_in(user))
    qtbot.addWidget(page)
    assert not page.extend_button.isHidden() and "WINDOW (区级)" in page.in_use.text()
    give_reasons(monkeypatch, ("本中心设有24小时自助服务区", True))
    page.extend()
    jd1 = Centre.get(Centre.code == "JD1").id
    assert load_settings(None, jd1).checklist == "WINDOW.JD1" and "WINDOW.JD1 (本中心)" in page.in_use.text()
    assert [r.code for r in page.model.rows if r.change == "added"] == ["SELF-01"], "the new version beside the district's"
    page.resize(1100, 500)
    page.show()
    page.grab().save(str(tmp_path / "centre-checklists.png"))
    page.new_box.setCurrentIndex(page.new_box.findText("WINDOW 第1版", flags=Qt.MatchFlag.MatchStartsWith))
    give_reasons(monkeypatch, ("暂停自助区检查", True))
    page.adopt()
    assert load_settings(None, jd1).checklist == "WINDOW" and checklists.latest_version("WINDOW.JD1").version == 1


def test_the_district_manager_pushes_a_setting_to_every_centre_from_the_settings_page(qtbot, demo_district, app_font,
                                                                                       monkeypatch, tmp_path):
    import datetime as dt

    from app.centres.settings import load_settings, next_month_start
    from forms import settings_page as manager_pages
    from tests.gui_support import Answers, give_reasons

    answers = Answers(monkeypatch)
    user = accounts.authenticate("admin", "admin123")
    page = manager_pages.SettingsPage(signed_in(user))
    qtbot.addWidget(page)
    assert not page.whose.isHidden()
    page.editors["smile_star_max"].setValue(8)
    give_reasons(monkeypatch, ("区中心增加名额", True))
    page.save()

    def tick_and_accept(dialog):
        for n in range(dialog.list.count()):
            if dialog.list.item(n).data(manager_pages.Qt.ItemDataRole.UserRole) == "smile_star_max":
                dialog.list.item(n).setCheckState(manager_pages.Qt.CheckState.Checked)
        return True

    monkeypatch.setattr(manager_pages.PushDialog, "exec", tick_and_accept)
    give_reasons(monkeypatch, ("全区统一名额", True))
    page.push()
    qtbot.waitUntil(lambda: any("已推行到 4 个中心" in a for a in answers.asked), timeout=10000)
    assert load_settings(next_month_start(dt.date.today()), Centre.get(Centre.code == "ZZ1").id).smile_star_max == 8
    inside = manager_pages.SettingsPage(signed_in(accounts.authenticate("jd1admin", "admin123")))
    qtbot.addWidget(inside)
    assert inside.whose.isHidden(), "a centre's manager has no district to push to"


def test_the_district_office_exports_a_quarter_and_a_year_from_the_reports_tab(qtbot, demo_district, app_font,
                                                                                monkeypatch, tmp_path):
    import subprocess

    from python_calamine import CalamineWorkbook

    from forms.export_page import ExportPage
    from tests.gui_support import Answers

    answers = Answers(monkeypatch)
    month = periods.previous_month()
    quarter, year = f"{month.start.year}-Q{(month.start.month - 1) // 3 + 1}", f"{month.start.year}"
    page = ExportPage(signed_in(accounts.authenticate("admin", "admin123")))
    qtbot.addWidget(page)
    for kind, text, out in (("district-excel", quarter, tmp_path / "q.xlsx"), ("district-pdf", year, tmp_path / "y.pdf")):
        page.kind.setCurrentIndex(page.kind.findData(kind))
        assert not page.month.isHidden()
        page.month.setText(text)
        monkeypatch.setattr("forms.file_dialogs.QFileDialog.getSaveFileName", lambda *a, _o=out, **k: (str(_o), ""))
        before = len(answers.asked)
        page.export()
        qtbot.waitUntil(lambda: len(answers.asked) > before, timeout=20000)
        assert "已导出" in answers.asked[-1] and out.exists(), answers.asked[-1]
    book = CalamineWorkbook.from_path(str(tmp_path / "q.xlsx"))
    first = book.get_sheet_by_index(0).to_python()
    from openpyxl import load_workbook

    header = load_workbook(tmp_path / "q.xlsx")["各中心排名"].oddHeader.center.text
    assert "季度" in header and "各中心排名" in header, "the quarter is printed at the head of every page"
    centres = [row[1] for row in first if row and str(row[1]) in {"DEMO", "FZX", "JD1", "JD2", "ZZ1"}]
    assert sorted(centres) == ["DEMO", "FZX", "JD1", "JD2", "ZZ1"]
    text = subprocess.run(["pdftotext", str(tmp_path / "y.pdf"), "-"], capture_output=True, text=True).stdout
    assert f"{month.start.year}年" in text and "城东街道" in text


def test_the_districts_own_view_asks_for_a_centre_on_the_assessment_tab(qtbot, demo_district, app_font):
    """考核, 整改, 申诉 are one centre's: in the district's view the tab says to choose a centre, not fail."""
    from forms.assessment_page import AssessmentPage

    user = accounts.authenticate("admin", "admin123")
    assert signed_in(user).centre_id is None
    page = AssessmentPage(signed_in(user))
    qtbot.addWidget(page)
    assert page.count() == 1 and "请先选择中心" in page.tabText(0)
    centred = AssessmentPage(signed_in(user, "JD1"))
    qtbot.addWidget(centred)
    assert centred.count() == 8 and centred.appeals is not None
