"""The laptop stays in step with the office (issue 26): the office writes a signed, numbered update for
one enrolled laptop; the laptop applies it in one transaction, never touching its drafts or records,
refusing an older file or another laptop's; re-checks on the laptop show last time's faults as the
office's do. SQLite and PostgreSQL (the office), the laptops on SQLite."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from app.demo.centre import make_demo
from app.errors import PatrolError, PermissionDenied
from app.exchange import update_file
from app.exchange.laptop_update import apply_update, update_state
from app.loop import record_changes
from app.loop.rechecks import last_results
from app.patrolling import checklists, inspections
from app.patrolling.checklist_versions import register
from app.patrolling.evidence import photo_path, store_photo
from app.patrolling.notices import wording
from app.patrolling.patrol import staff_on_duty
from app.people.accounts import authenticate, manage_account
from app.results.reports import inspection_record
from app.storage import db as dbmod
from app.storage.models import (
    ChecklistVersion,
    Inspection,
    ItemResult,
    ProbationCase,
    ProbationDue,
    RecheckDue,
    Rectification,
    RuleSet,
    SchemeVersion,
    Staff,
    User,
    Window,
)
from tests.helpers import FAILING, enrol_laptop, export_from, inspect, on_laptop

PHOTO = Path(__file__).parent / "data" / "photo.png"
TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def manager_password(monkeypatch):
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")


def admin() -> User:
    return User.get(User.username == "admin")


def on(target, work):
    """Run `work()` with `target` open (the office is closed before and reopened after)."""
    dbmod.close_database()
    dbmod.open_database(str(target))
    try:
        return work()
    finally:
        dbmod.close_database()


@pytest.fixture
def office(db_target, tmp_path):
    """The office (open) with two laptops enrolled: xuncha1 and xuncha2 on the first, xuncha2 on the second."""
    dbmod.open_database(db_target)
    make_demo(seed=9, with_inspections=False)
    first, second = tmp_path / "laptop1.db", tmp_path / "laptop2.db"
    key1 = enrol_laptop(db_target, first, tmp_path, inspectors=("xuncha1", "xuncha2"), name="笔记本1")
    key2 = enrol_laptop(db_target, second, tmp_path, inspectors=("xuncha2",), name="笔记本2")
    yield db_target, first, second, key1, key2
    dbmod.close_database()


def _fail_at_b08_with_a_photo() -> tuple[str, str]:
    """A failed patrol at B08 with a photo on its first failed item: (employee number, item code)."""
    window = Window.get(Window.code == "B08")
    person = staff_on_duty(window)
    insp = inspect(window, User.get(User.username == "xuncha1"), person, dt.datetime(2026, 11, 16, 10, 0),
                   fail=FAILING, finalise=False)
    first = (ItemResult.select().where((ItemResult.inspection == insp.id) & (ItemResult.result == "fail"))
             .order_by(ItemResult.id).first())
    first.note, first.photos = "工牌未佩戴", store_photo(PHOTO.read_bytes())
    first.save()
    record_changes.finalise(Inspection.get_by_id(insp.id), at=dt.datetime(2026, 11, 16, 10, 5))
    return person.employee_no, first.item.code


def test_an_update_brings_the_office_to_the_laptop_and_leaves_its_draft_alone(office, tmp_path):
    target, laptop, _second, key1, _key2 = office
    # On the laptop: a draft left open at A01.
    def open_draft():
        window = Window.get(Window.code == "A01")
        draft = inspections.start_inspection(window, User.get(User.username == "xuncha1"), staff=staff_on_duty(window),
                                             observed_at=dt.datetime(2026, 11, 19, 9, 0))
        return draft.uuid, Inspection.select().count()
    draft_uuid, _ = on(laptop, open_draft)
    on_laptop(laptop, [("A05", "2026-11-18", ())], inspector="xuncha2")  # not yet sent when xuncha2 leaves
    laptop_records = on(laptop, lambda: Inspection.select().count())
    dbmod.open_database(target)
    # At the office: a roster change, a new checklist version, a rule from next month, an inspector
    # who left, and a failure with a photo at B08.
    moved = Staff.get(Staff.employee_no == "GW0001")
    moved.employer = "新劳务公司"
    moved.save()
    latest = ChecklistVersion.select().order_by(ChecklistVersion.id.desc()).first()
    definition = checklists.definition_of(latest)
    first_cat = definition.categories[0]
    changed_item = dataclasses.replace(first_cat.items[0], text=first_cat.items[0].text + " (修订)")
    definition = dataclasses.replace(definition, categories=[dataclasses.replace(first_cat, items=(changed_item,) + first_cat.items[1:])]
                                     + list(definition.categories[1:]))
    register([definition], source="测试", user=admin(), reason="修订检查内容")
    from app.centres.settings import load_settings, save_settings

    settings = load_settings()
    settings.probation_days = settings.probation_days + 10
    ruled_from = save_settings(settings, admin(), "考察期延长")  # from next month
    from app.assessment import schemes

    text = schemes.shipped("default.toml").text.replace('code = "DEFAULT"', 'code = "LAPTOP"', 1)
    schemes.load_scheme(admin(), schemes.parse_scheme(text, "laptop.toml"), "新考核方案")
    manage_account(admin(), User.get(User.username == "xuncha2"), active=False)
    employee_no, failed_item = _fail_at_b08_with_a_photo()
    out = tmp_path / "u1.wpu"
    written = update_file.write_update(admin(), key1, out, TODAY)
    assert written.number == 1 and written.rechecks >= len(FAILING)
    dbmod.close_database()

    result = on(laptop, lambda: apply_update(out))
    assert result.changed and result.staff_changed >= 1 and result.checklist_versions >= 1
    assert result.inspectors_removed == ("xuncha2",)

    def check_laptop():
        assert Inspection.get(Inspection.uuid == draft_uuid).status == "draft", "the draft is untouched"
        assert Inspection.select().count() == laptop_records, "no record added or removed"
        assert Staff.get(Staff.employee_no == "GW0001").employer == "新劳务公司"
        assert RuleSet.select().where(RuleSet.effective_from == ruled_from).exists()
        assert ChecklistVersion.select().where(ChecklistVersion.content_hash == definition.content_hash()).exists()
        assert SchemeVersion.select().where(SchemeVersion.code == "LAPTOP").exists(), "the new scheme"
        with pytest.raises(PermissionDenied):
            authenticate("xuncha2", "patrol123")
        assert authenticate("xuncha1", "patrol123").username == "xuncha1"
        # B08's re-check on the laptop: last time's items, the note and the photo (a thumbnail kept here).
        window = Window.get(Window.code == "B08")
        recheck = inspections.start_inspection(window, User.get(User.username == "xuncha1"), staff=staff_on_duty(window),
                                               observed_at=dt.datetime(2026, 11, 20, 10, 0))
        due = last_results(recheck)
        assert set(FAILING) <= set(due), sorted(due)
        first = due[failed_item]
        assert first.day == dt.date(2026, 11, 16) and first.note == "工牌未佩戴" and first.due_on is not None
        assert len(first.photos) == 1 and photo_path(first.photos[0]).is_file()
        state = update_state()
        assert state.number == 1 and not state.stale(TODAY, 7)
        return RecheckDue.select().count(), ProbationDue.select().count()
    dues = on(laptop, check_laptop)
    assert dues[0] == written.rechecks and dues[1] == written.probation

    # xuncha2 can no longer sign in here, but their unsent record still goes to the office with xuncha1's export.
    sent = export_from(laptop, tmp_path / "after.wpr", inspector="xuncha1")
    assert sent.inspections == 1
    # The same file again changes nothing; a newer one applies; then the older is refused.
    assert not on(laptop, lambda: apply_update(out)).changed
    dbmod.open_database(target)
    newer = tmp_path / "u2.wpu"
    assert update_file.write_update(admin(), key1, newer, TODAY).number == 2
    dbmod.close_database()
    assert on(laptop, lambda: apply_update(newer)).number == 2
    with pytest.raises(PatrolError, match="比本机已应用的第 2 号旧"):
        on(laptop, lambda: apply_update(out))
    dbmod.open_database(target)


def test_an_update_for_another_laptop_or_altered_is_refused_and_changes_nothing(office, tmp_path):
    target, laptop, second, key1, key2 = office
    other = tmp_path / "other.wpu"
    update_file.write_update(admin(), key2, other, TODAY)
    dbmod.close_database()
    with pytest.raises(PatrolError, match="这是给设备 笔记本2"):
        on(laptop, lambda: apply_update(other))
    assert on(laptop, lambda: update_state().number) == 0
    import zipfile

    forged = tmp_path / "forged.wpu"
    with zipfile.ZipFile(other) as src, zipfile.ZipFile(forged, "w") as dst:
        dst.writestr("update.json", src.read("update.json").replace("笔记本2".encode(), "笔记本X".encode()))
        dst.writestr("signature", src.read("signature"))
    with pytest.raises(PatrolError, match="签名不符"):
        on(second, lambda: apply_update(forged))
    assert on(second, lambda: apply_update(other)).number == 1
    dbmod.open_database(target)


def test_a_re_check_passed_on_the_laptop_is_not_due_again(office, tmp_path):
    target, laptop, _second, key1, _key2 = office
    employee_no, failed_item = _fail_at_b08_with_a_photo()
    out = tmp_path / "u.wpu"
    update_file.write_update(admin(), key1, out, TODAY)
    dbmod.close_database()

    def recheck_twice():
        apply_update(out)
        window = Window.get(Window.code == "B08")
        inspect(window, User.get(User.username == "xuncha1"), staff_on_duty(window), dt.datetime(2026, 11, 18, 10, 0))
        later = inspections.start_inspection(window, User.get(User.username == "xuncha1"), staff=staff_on_duty(window),
                                             observed_at=dt.datetime(2026, 11, 20, 10, 0))
        due = last_results(later)
        # A failed re-check printed on the laptop: the notice words it as the office's would.
        failed = inspect(window, User.get(User.username == "xuncha1"), staff_on_duty(window),
                         dt.datetime(2026, 11, 19, 10, 0), fail=FAILING)
        record = inspection_record(failed.id)
        return due, record, wording(record)
    due, record, words = on(laptop, recheck_twice)
    assert failed_item not in due, "passed on the laptop since the office's failure"
    dbmod.open_database(target)
    case = ProbationCase.get(ProbationCase.staff == Staff.get(Staff.employee_no == employee_no))
    assert record.case_role == "recheck" and record.probation_until == case.ends_on
    assert (record.rechecks_passed, record.rechecks_failed) == (1, 1), "the laptop's pass on 11-18 and this failure"
    assert words.moment == "recheck_fail" and "至今复查合格 1 次、不合格 1 次" in words.lines[0]
    assert Rectification.select().where(Rectification.item_code == failed_item).exists()


def test_the_command_line_writes_an_update_for_every_laptop_and_the_laptop_applies_it(office, tmp_path, capsys,
                                                                                      monkeypatch):
    import cli

    target, laptop, _second, key1, key2 = office
    folder = tmp_path / "updates"
    folder.mkdir()
    dbmod.close_database()
    assert cli.main(["devices", "update", "--all", "--out", str(folder), "--db", target, "--user", "admin"]) == 0
    out = capsys.readouterr().out
    assert "笔记本1" in out and "笔记本2" in out and "第 1 号更新" in out
    assert sorted(p.name for p in folder.iterdir()) == sorted([f"{key1}.wpu", f"{key2}.wpu"])
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "patrol123")  # an inspector of the laptop applies it
    assert cli.main(["import", "update", str(folder / f"{key1}.wpu"), "--db", str(laptop), "--user", "xuncha1"]) == 0
    out = capsys.readouterr().out
    assert "已应用第 1 号更新" in out and "最近更新: 第 1 号" in out
    assert cli.main(["import", "update", str(folder / f"{key2}.wpu"), "--db", str(laptop), "--user", "xuncha1"]) != 0
    assert "这是给设备 笔记本2" in capsys.readouterr().err
    dbmod.open_database(target)


def test_one_visit_imports_the_package_and_writes_the_laptops_update_beside_it(office, tmp_path, capsys, monkeypatch):
    """The laptop's package in, its update out in the same command: the update already carries the
    faults the package brought (their rectification deadlines), so the laptop goes home in step."""
    import cli
    from tests.helpers import enrolled_long_ago, export_from, on_laptop

    target, laptop, _second, key1, _key2 = office
    enrolled_long_ago()
    dbmod.close_database()
    on_laptop(laptop, [("B08", "2026-11-16", FAILING)])
    stick = tmp_path / "stick"
    stick.mkdir()
    package = export_from(laptop, stick / "laptop1.wpr").path
    assert cli.main(["import", "results", str(package), "--update", "--db", target, "--user", "admin"]) == 0
    out = capsys.readouterr().out
    assert "新增 1" in out and f"第 1 号更新 → {stick / (key1 + '.wpu')}" in out
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "patrol123")
    assert cli.main(["import", "update", str(stick / f"{key1}.wpu"), "--db", str(laptop), "--user", "xuncha1"]) == 0
    assert "已应用第 1 号更新" in capsys.readouterr().out
    dues = on(laptop, lambda: sorted(r.item_code for r in RecheckDue.select().where(RecheckDue.window_code == "B08")))
    assert dues == sorted(FAILING), "the office's faults from the laptop's own package, with their deadlines"
    dbmod.open_database(target)


def test_a_set_up_file_enrols_once_and_a_second_installation_of_its_key_is_refused_naming_both(db_target, tmp_path,
                                                                                             capsys):
    """A set-up file is marked used by its first enrolment; a copy made before still enrols a second
    computer (offline, nothing can stop that), but the office refuses that installation's packages,
    naming both installations and how to revoke."""
    import shutil

    import cli
    from app.exchange.devices import enrol_device
    from app.exchange.enrolment import enrol
    from app.exchange.results_import import import_package
    from app.storage.models import Device, Identity
    from tests.helpers import enrolled_long_ago, export_from, on_laptop

    dbmod.open_database(db_target)
    make_demo(seed=9, with_inspections=False)
    setup, copy = tmp_path / "lap.wpe", tmp_path / "copy-of-lap.wpe"
    key = enrol_device(admin(), "笔记本1", ["xuncha1"], setup).key_id
    shutil.copy(setup, copy)  # before its first use: the copy carries no mark
    enrolled_long_ago()
    dbmod.close_database()
    first, second = tmp_path / "first.db", tmp_path / "second.db"
    assert cli.main(["enrol", str(setup), "--db", str(first)]) == 0
    out = capsys.readouterr().out
    assert "已标记为已使用" in out and "请删除" in out
    with pytest.raises(PatrolError, match="已于 .* 用于登记一台笔记本"):
        on(second, lambda: enrol(setup))
    assert on(second, lambda: Identity.select().count()) == 0, "the refused enrolment wrote nothing"
    on(second, lambda: enrol(copy))
    one, two = on(first, lambda: Identity.get().installation), on(second, lambda: Identity.get().installation)
    assert one and two and one != two
    on_laptop(first, [("A01", "2026-11-02", ())])
    on_laptop(second, [("A02", "2026-11-03", ())])
    good, bad = export_from(first, tmp_path / "first.wpr").path, export_from(second, tmp_path / "second.wpr").path
    dbmod.open_database(db_target)
    assert import_package(good, admin()).new == 1
    assert Device.get(Device.key_id == key).installation == one
    with pytest.raises(PatrolError) as refused:
        import_package(bad, admin())
    message = str(refused.value)
    assert "两处安装" in message and one in message and two in message and f"devices revoke {key}" in message
    assert Inspection.select().count() == 1, "nothing of the second installation was written"


def test_a_manager_adds_and_removes_a_laptops_inspectors_and_the_update_carries_it(office, tmp_path, capsys):
    import cli
    from app.exchange.devices import set_device_inspectors

    target, _laptop, second, _key1, key2 = office
    with pytest.raises(PatrolError, match="不是巡查员账号"):
        set_device_inspectors(admin(), key2, ["admin"], "试")
    set_device_inspectors(admin(), key2, ["xuncha1", "xuncha2"], "李明也用这台")
    update_file.write_update(admin(), key2, tmp_path / "a.wpu", TODAY)
    dbmod.close_database()
    assert on(second, lambda: apply_update(tmp_path / "a.wpu")).inspectors_added == ("xuncha1",)
    assert on(second, lambda: authenticate("xuncha1", "patrol123").username) == "xuncha1"
    assert cli.main(["devices", "inspectors", key2, "--set", "xuncha1", "--reason", "王芳调离",
                     "--db", target, "--user", "admin"]) == 0
    assert "xuncha1" in capsys.readouterr().out
    assert cli.main(["devices", "update", key2, "--out", str(tmp_path / "b.wpu"), "--db", target, "--user", "admin"]) == 0
    assert on(second, lambda: apply_update(tmp_path / "b.wpu")).inspectors_removed == ("xuncha2",)
    with pytest.raises(PermissionDenied):
        on(second, lambda: authenticate("xuncha2", "patrol123"))
    dbmod.open_database(target)
