"""The district's manager sees the centres ranked and steps into one; a centre's manager sees theirs."""

from __future__ import annotations

import pytest

from app import accounts, periods, scope
from app import db as dbmod
from app.demo_district import make_demo_district
from app.models import Centre


@pytest.fixture
def demo_district(tmp_path):
    dbmod.open_database(str(tmp_path / "district.db"))
    make_demo_district(seed=2, period=periods.previous_month())
    yield tmp_path / "district.db"
    dbmod.close_database()


def test_district_manager_sees_centres_ranked_and_steps_into_one(qtbot, demo_district, app_font, tmp_path):
    from forms.main_window import MainWindow

    user = accounts.authenticate("admin", "admin123")
    window = MainWindow(user)
    qtbot.addWidget(window)
    assert scope.centre_id() is None and "全区" in window.windowTitle()
    page = window.district
    assert window.tabs.currentWidget() is page
    assert [r.kind for r in page.model.rows].count("街镇中心") == 3 and page.model.rows[0].rank == 1
    window.show()
    window.grab().save(str(tmp_path / "district.png"))
    from forms.export_page import ExportPage

    exports = ExportPage(user)
    qtbot.addWidget(exports)
    kinds = [exports.kind.itemData(n) for n in range(exports.kind.count())]
    assert "district-excel" in kinds and "district-pdf" in kinds
    jd1 = page.model.rows.index(next(r for r in page.model.rows if r.code == "JD1"))
    page.view.selectRow(jd1)
    page._enter()
    from forms.main_window import current_window

    inside = current_window()
    qtbot.addWidget(inside)
    assert scope.centre_id() == Centre.get(Centre.code == "JD1").id
    assert "城东街道" in inside.windowTitle() and inside.district is not None
    inside.patrol.refresh()
    assert inside.patrol.model.rowCount() == 6, "the street centre's six windows, not the district's seventy"


def test_a_centre_manager_signs_in_to_their_centre_only(qtbot, demo_district, app_font):
    from forms.main_window import MainWindow

    user = accounts.authenticate("fzxadmin", "admin123")
    window = MainWindow(user)
    qtbot.addWidget(window)
    assert window.district is None and "东部分中心" in window.windowTitle()
    window.patrol.refresh()
    assert window.patrol.model.rowCount() == 12
    assert "各中心" not in [window.tabs.tabText(n) for n in range(window.tabs.count())]
    from forms.export_page import ExportPage

    page = ExportPage(user)
    qtbot.addWidget(page)
    assert "district-pdf" not in [page.kind.itemData(n) for n in range(page.kind.count())]


def test_a_centre_sends_its_month_and_the_district_trusts_its_office_from_the_app(qtbot, tmp_path, app_font,
                                                                                    monkeypatch):
    from PyQt6.QtWidgets import QFileDialog

    from app import district, identity
    from app.accounts import create_user
    from app.centre import create_centre
    from app.demo import make_demo
    from app.models import Inspection, User
    from app.results_import import import_package
    from forms.exchange_page import ExchangePage
    from tests.gui_support import give_reasons

    month = periods.previous_month()
    dbmod.open_database(str(tmp_path / "centre.db"))
    try:
        make_demo(seed=4, period=month)
        made = Inspection.select().where(Inspection.status == "final").count()
        me = identity.local()
        page = ExchangePage(User.get(User.username == "admin"))
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
        district.add_centre(boss, "DEMO", "示范区政务服务中心", "street", "全区推行")
        page = ExchangePage(boss)
        qtbot.addWidget(page)
        asked = give_reasons(monkeypatch, ("DEMO", True), (me.key_id, True), (me.public_key, True), ("核对指纹一致", True))
        page.trust_centre()
        assert "已登记" in page.log.toPlainText() and "指纹" in asked[-1]
        assert import_package(out, boss).new == made
    finally:
        dbmod.close_database()
