"""Results packages and roster imports from the app, the way an inspector and a manager use them."""

from openpyxl import Workbook
from PyQt6.QtWidgets import QPushButton

from app.centres.scope import signed_in
from app.demo.centre import make_demo
from app.storage import db as dbmod
from app.storage.models import Inspection, Staff
from forms.exchange_page import ExchangePage
from tests.gui_support import Answers, give_reasons, user


def test_a_manager_enrols_a_laptop_whose_package_imports_then_revokes_it(qtbot, app_font, monkeypatch, tmp_path):
    from PyQt6.QtCore import Qt
    from PyQt6.QtWidgets import QDialog

    from app.exchange.enrolment import enrol
    from forms.laptops_panel import EnrolDialog
    from tests.helpers import enrolled_long_ago, on_laptop

    answers = Answers(monkeypatch)
    give_reasons(monkeypatch, ("笔记本遗失", True))
    office, laptop, setup, out = (str(tmp_path / "office.db"), tmp_path / "laptop.db", tmp_path / "lap1.wpe",
                                  tmp_path / "oct.wpr")
    dbmod.open_database(office)
    make_demo(seed=3, with_inspections=False)
    manager = ExchangePage(signed_in(user("admin")))
    qtbot.addWidget(manager)

    def tick_first_inspector(dialog):
        dialog.inspectors.item(0).setCheckState(Qt.CheckState.Checked)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(EnrolDialog, "exec", tick_first_inspector)
    monkeypatch.setattr("forms.file_dialogs.QFileDialog.getSaveFileName", lambda *a, **k: (str(setup), ""))
    manager.laptops.enrol_device()
    assert setup.exists() and [d.name for d in manager.laptops.devices.rows] == ["巡查笔记本1"]
    assert any("main.py enrol" in a for a in answers.asked)
    dbmod.close_database()

    dbmod.open_database(str(laptop))
    enrol(setup)
    dbmod.close_database()
    on_laptop(laptop, [("A01", "2026-10-05", ()), ("A02", "2026-10-05", ("DISC-07",)), ("B03", "2026-10-06", ())])
    dbmod.open_database(str(laptop))
    page = ExchangePage(signed_in(user("xuncha1")))
    qtbot.addWidget(page)
    assert not hasattr(page, "devices"), "an inspector sees no device register"
    monkeypatch.setattr("forms.file_dialogs.QFileDialog.getSaveFileName", lambda *a, **k: (str(out), ""))
    page.export_package()
    qtbot.waitUntil(lambda: "已导出" in page.log.toPlainText(), timeout=30000)
    dbmod.close_database()

    dbmod.open_database(office)
    enrolled_long_ago()  # the laptop's records are of October
    try:
        manager = ExchangePage(signed_in(user("admin")))
        qtbot.addWidget(manager)
        monkeypatch.setattr("forms.file_dialogs.QFileDialog.getOpenFileNames", lambda *a, **k: ([str(out)], ""))
        manager.import_packages()
        qtbot.waitUntil(lambda: any("新增" in a for a in answers.asked), timeout=30000)
        assert "新增 3" in manager.log.toPlainText() and Inspection.select().count() == 3
        manager.laptops.device_view.setCurrentIndex(manager.laptops.devices.index(0, 0))
        manager.laptops.revoke_device()
        assert manager.laptops.devices.rows[0].status.startswith("已注销") and manager.laptops.devices.rows[0].inspections == 3
        answers.asked.clear()
        manager.import_packages()
        qtbot.waitUntil(lambda: any("已于" in a and "注销" in a for a in answers.asked), timeout=30000)
        assert Inspection.select().count() == 3, "what it sent before stays"
    finally:
        dbmod.close_database()


def test_a_manager_previews_a_roster_then_applies_it(qtbot, app_font, monkeypatch, tmp_path):
    from PyQt6.QtWidgets import QMessageBox

    answers = Answers(monkeypatch)
    dbmod.open_database(str(tmp_path / "office.db"))
    try:
        make_demo(seed=3, with_inspections=False)
        wb = Workbook()
        ws = wb.active
        ws.append(["工号", "姓名", "性别", "政治面貌", "劳务公司", "窗口编号", "岗位"])
        ws.append(["GW0001", "新名字", "女", "群众", "某公司", "A01", "A岗"])
        wb.save(tmp_path / "roster.xlsx")
        page = ExchangePage(signed_in(user("admin")))
        qtbot.addWidget(page)
        monkeypatch.setattr("forms.file_dialogs.QFileDialog.getOpenFileName", lambda *a, **k: (str(tmp_path / "roster.xlsx"), ""))
        page.preview_roster()
        qtbot.waitUntil(lambda: page.apply_button.isEnabled(), timeout=30000)
        assert Staff.get(Staff.employee_no == "GW0001").name != "新名字", "a preview changes nothing"
        assert "不再列出 79" in page.plan_label.text() and "标为离岗: 请确认" in page.plan_label.text()
        give_reasons(monkeypatch, ("11月花名册", True))
        answers.replies = [QMessageBox.StandardButton.No]
        page.apply_roster()
        assert Staff.get(Staff.employee_no == "GW0001").name != "新名字", "asked again, and not confirmed"
        answers.replies = [QMessageBox.StandardButton.Yes]
        page.apply_roster()  # in the worker, with a progress dialog
        qtbot.waitUntil(lambda: page.plan is None, timeout=30000)
        assert Staff.get(Staff.employee_no == "GW0001").name == "新名字"
        assert Staff.select().where(Staff.status == "inactive").count() == 79
    finally:
        dbmod.close_database()


def test_an_inspector_has_no_import_buttons(qtbot, app_font, tmp_path):
    dbmod.open_database(str(tmp_path / "x.db"))
    try:
        make_demo(seed=3, with_inspections=False)
        page = ExchangePage(signed_in(user("xuncha1")))
        qtbot.addWidget(page)
        labels = [b.text() for b in page.findChildren(QPushButton)]
        assert labels == ["导出结果包 (上次导出以来的记录)…"]
    finally:
        dbmod.close_database()


def test_a_manager_settles_an_import_conflict_from_the_exchange_page(qtbot, app_font, monkeypatch, tmp_path):
    from app.patrolling import records
    from app.storage.models import Inspection, InspectionHistory, Window
    from tests.conftest import at
    from tests.helpers import inspect

    answers = Answers(monkeypatch)
    dbmod.open_database(str(tmp_path / "office.db"))
    try:
        make_demo(seed=3, with_inspections=False)
        window = Window.get(Window.code == "A01")
        insp = inspect(window, user("xuncha1"), None, at("2026-10-05"))
        theirs = records.record_of(insp)
        theirs["results"] = [[c, "fail" if c == "DISC-07" else r, n, p] for c, r, n, p in theirs["results"]]
        InspectionHistory.create(uuid=insp.uuid, revision=insp.revision, kind="conflict", content=records.canonical(theirs),
                                 content_hash=records.content_hash(theirs), source="b.wpr")
        page = ExchangePage(signed_in(user("admin")))
        qtbot.addWidget(page)
        assert len(page.conflicts.rows) == 1 and "DISC-07 合格→不合格" in page.conflicts.data(
            page.conflicts.index(0, 8))
        page.settle_conflict(True)
        assert "请先选择" in answers.asked[-1]
        page.conflict_view.selectRow(0)
        prompts = give_reasons(monkeypatch, ("有录像为证", True))
        page.settle_conflict(True)
        assert "b.wpr" in prompts[0] and page.conflicts.rows == []
        now = Inspection.get_by_id(insp.id)
        assert now.revision == insp.revision + 1 and "第 2 版" in page.log.toPlainText()
    finally:
        dbmod.close_database()


def test_a_laptop_applies_the_offices_update_and_its_re_check_shows_last_times_fault(qtbot, app_font, monkeypatch,
                                                                                    tmp_path):
    """The office writes an update for the selected laptop; on the laptop the exchange page applies it
    (worker, progress), says when it was last updated, and B08's re-check shows the 上次 column with last
    time's note, photo and deadline. An old update makes the patrol view warn."""
    import datetime as dt

    from app.context import Context
    from app.exchange.enrolment import enrol
    from app.storage.models import AppliedUpdate, Identity, User, Window
    from forms.inspection_page import InspectionPage
    from forms.patrol_page import PatrolPage
    from tests.helpers import FAILING, inspect

    answers = Answers(monkeypatch)
    office, laptop, setup, update = (str(tmp_path / "office.db"), tmp_path / "laptop.db", tmp_path / "lap1.wpe",
                                     tmp_path / "lap1.wpu")
    dbmod.open_database(office)
    make_demo(seed=3, with_inspections=False)
    from app.exchange.devices import enrol_device

    enrol_device(User.get(User.username == "admin"), "巡查笔记本1", ["xuncha1"], setup)
    dbmod.close_database()
    dbmod.open_database(str(laptop))
    enrol(setup)
    dbmod.close_database()
    dbmod.open_database(office)
    window = Window.get(Window.code == "B08")
    person = Staff.get(Staff.window == window)
    when = dt.datetime.combine(dt.date.today() - dt.timedelta(days=1), dt.time(10))
    failed = inspect(window, User.get(User.username == "xuncha1"), person, when, fail=FAILING)
    from pathlib import Path

    from PyQt6.QtCore import Qt

    from app.patrolling.evidence import store_photo
    from app.storage.models import ItemResult

    first = ItemResult.select().where((ItemResult.inspection == failed.id) & (ItemResult.result == "fail")).first()
    first.photos = store_photo((Path(__file__).parent / "data" / "photo.png").read_bytes())
    first.save()
    manager = ExchangePage(signed_in(user("admin")))
    qtbot.addWidget(manager)
    manager.laptops.device_view.setCurrentIndex(manager.laptops.devices.index(0, 0))
    monkeypatch.setattr("forms.file_dialogs.QFileDialog.getSaveFileName", lambda *a, **k: (str(update), ""))
    manager.laptops.write_update()
    qtbot.waitUntil(lambda: "第 1 号更新" in manager.log.toPlainText(), timeout=30000)
    dbmod.close_database()

    dbmod.open_database(str(laptop))
    try:
        page = ExchangePage(signed_in(user("xuncha1")))
        qtbot.addWidget(page)
        assert "尚未收到管理端的更新" in page.update_state_label.text()
        monkeypatch.setattr("forms.file_dialogs.QFileDialog.getOpenFileName", lambda *a, **k: (str(update), ""))
        page.apply_update_file()
        qtbot.waitUntil(lambda: "已应用第 1 号更新" in page.log.toPlainText(), timeout=30000)
        assert "最近更新: 第 1 号" in page.update_state_label.text()
        assert any("待复查" in a for a in answers.asked)
        page.resize(1366, 700)
        page.show()
        page.grab().save(str(tmp_path / "laptop-exchange.png"))

        inspector = user("xuncha1")
        recheck = inspections_start(window.code, inspector)
        form = InspectionPage()
        qtbot.addWidget(form)
        form.resize(1366, 700)
        form.load(recheck)
        assert not form.view.isColumnHidden(6), "the 上次 (待复查) column shows on the laptop"
        shown = form.model.data(form.model.index(0, 6))
        assert form.model.items[0].code in FAILING and "不合格" in shown and "期限" in shown
        # Last time's photo shows as a thumbnail (no emoji), and double-click opens it whole.
        photographed = next(n for n, i in enumerate(form.model.items) if form.model.last.get(i.code)
                            and form.model.last[i.code].photos)
        thumb = form.model.data(form.model.index(photographed, 6), Qt.ItemDataRole.DecorationRole)
        assert thumb is not None and not thumb.isNull() and "📷" not in form.model.data(form.model.index(photographed, 6))
        opened = []
        monkeypatch.setattr("forms.inspection_page.PhotoDialog.exec", lambda dialog: opened.append(dialog.label.pixmap()))
        form.open_last_photo(form.model.index(photographed, 6))
        assert opened and not opened[0].isNull() and opened[0].width() > thumb.width()
        form.show()
        form.grab().save(str(tmp_path / "laptop-recheck.png"))

        # The inspector's dashboard lists B08 as due a re-check, with the office's deadline.
        from forms.dashboard_page import DashboardPage

        board = DashboardPage(signed_in(inspector))
        qtbot.addWidget(board)
        board.refresh()
        assert [r.window for r in board.rechecks.rows] == ["B08"] and board.rechecks.rows[0].items == len(FAILING)
        assert board.rechecks.rows[0].due_on is not None and board.ranking_box.isHidden()
        board.resize(1366, 700)
        board.show()
        board.grab().save(str(tmp_path / "laptop-dashboard.png"))
        # Eight days later with no newer update, the patrol view warns.
        patrol_page = PatrolPage(Context(inspector, None, dt.date.today() + dt.timedelta(days=8)))
        qtbot.addWidget(patrol_page)
        assert "未收到管理端更新" in patrol_page.update_label.text() and not patrol_page.update_label.isHidden()
        fresh = PatrolPage(Context(inspector, None, dt.date.today()))
        qtbot.addWidget(fresh)
        assert fresh.update_label.isHidden()
        assert AppliedUpdate.select().count() == 1 and Identity.get().role == "device"
    finally:
        dbmod.close_database()


def inspections_start(code: str, inspector):
    from app.patrolling import inspections
    from app.patrolling.patrol import staff_on_duty
    from app.storage.models import Window

    window = Window.get(Window.code == code)
    return inspections.start_inspection(window, inspector, staff=staff_on_duty(window))


def test_a_manager_imports_a_package_and_writes_the_laptops_update_in_one_action(qtbot, app_font, monkeypatch, tmp_path):
    from app.exchange.devices import enrol_device
    from app.exchange.enrolment import enrol
    from app.storage.models import User
    from tests.helpers import FAILING, enrolled_long_ago, export_from, on_laptop

    Answers(monkeypatch)
    office, laptop, setup = str(tmp_path / "office.db"), tmp_path / "laptop.db", tmp_path / "lap1.wpe"
    dbmod.open_database(office)
    make_demo(seed=3, with_inspections=False)
    key = enrol_device(User.get(User.username == "admin"), "巡查笔记本1", ["xuncha1"], setup).key_id
    enrolled_long_ago()
    dbmod.close_database()
    dbmod.open_database(str(laptop))
    enrol(setup)
    dbmod.close_database()
    on_laptop(laptop, [("B08", "2026-10-05", FAILING)])
    package = export_from(laptop, tmp_path / "b08.wpr").path
    dbmod.open_database(office)
    try:
        manager = ExchangePage(signed_in(user("admin")))
        qtbot.addWidget(manager)
        labels = [b.text() for b in manager.findChildren(QPushButton)]
        assert "导入结果包并写回更新…" in labels
        monkeypatch.setattr("forms.file_dialogs.QFileDialog.getOpenFileNames", lambda *a, **k: ([str(package)], ""))
        manager.import_packages(write_back=True)
        qtbot.waitUntil(lambda: "第 1 号更新" in manager.log.toPlainText(), timeout=30000)
        assert (tmp_path / f"{key}.wpu").is_file() and Inspection.select().count() == 1
    finally:
        dbmod.close_database()


def test_a_second_installations_package_is_refused_and_the_app_offers_to_revoke_the_device(qtbot, app_font, monkeypatch,
                                                                                         tmp_path):
    import shutil

    from app.exchange.devices import enrol_device
    from app.exchange.enrolment import enrol
    from app.exchange.results_import import import_package
    from app.storage.models import User
    from tests.helpers import enrolled_long_ago, export_from, on_laptop

    answers = Answers(monkeypatch)
    give_reasons(monkeypatch, ("同一设置文件登记了两台电脑", True))
    office, setup, copy = str(tmp_path / "office.db"), tmp_path / "lap.wpe", tmp_path / "copy.wpe"
    dbmod.open_database(office)
    make_demo(seed=3, with_inspections=False)
    key = enrol_device(User.get(User.username == "admin"), "巡查笔记本1", ["xuncha1"], setup).key_id
    shutil.copy(setup, copy)
    enrolled_long_ago()
    dbmod.close_database()
    packages = []
    for n, source in enumerate((setup, copy)):
        laptop = tmp_path / f"laptop{n}.db"
        dbmod.open_database(str(laptop))
        enrol(source)
        dbmod.close_database()
        on_laptop(laptop, [("A0" + str(n + 1), "2026-10-05", ())])
        packages.append(export_from(laptop, tmp_path / f"p{n}.wpr").path)
    dbmod.open_database(office)
    try:
        import_package(packages[0], User.get(User.username == "admin"))
        manager = ExchangePage(signed_in(user("admin")))
        qtbot.addWidget(manager)
        monkeypatch.setattr("forms.file_dialogs.QFileDialog.getOpenFileNames", lambda *a, **k: ([str(packages[1])], ""))
        manager.import_packages()
        qtbot.waitUntil(lambda: "已注销" in manager.log.toPlainText(), timeout=30000)
        assert any("两处安装" in a and "现在注销设备" in a for a in answers.asked)
        assert manager.laptops.devices.rows[0].key_id == key and manager.laptops.devices.rows[0].status.startswith("已注销")
        assert Inspection.select().count() == 1
    finally:
        dbmod.close_database()
