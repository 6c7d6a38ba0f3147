"""Faults found on patrol must be put right by a deadline in working days; a later pass of the same item
shows them fixed; what is not re-checked in time is overdue."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.centres import workdays
from app.loop import record_changes, rectification
from app.results import dashboard, rectification_items
from app.storage.models import AuditEntry, ProbationEvent, Rectification
from tests.conftest import at
from tests.helpers import inspect


@pytest.fixture
def april(roster):
    roster.person("P1", "A01")
    roster.person("P2", "A02")
    workdays.set_days(roster.manager, dt.date(2026, 4, 4), dt.date(2026, 4, 6), "holiday", "清明节", "国务院办公厅通知")
    return roster


def test_a_failure_on_the_3rd_is_due_in_5_working_days_over_the_holiday_and_a_pass_on_the_9th_rectifies_it(april):
    w, p = april.windows, april.staff
    inspect(w["A01"], april.inspector, p["P1"], at("2026-04-03"), fail=("APPEAR-11",))
    inspect(w["A02"], april.inspector, p["P2"], at("2026-04-03"), fail=("APPEAR-12",))
    items = {r.employee_no: r for r in rectification_items.items(today=dt.date(2026, 4, 3))}
    # Fri 3 April; 4–6 清明 off; 7, 8, 9, 10, 13: due Monday 13 April.
    assert (items["P1"].opened_on, items["P1"].due_on, items["P1"].state) == (dt.date(2026, 4, 3), dt.date(2026, 4, 13), "open")
    assert items["P1"].what.startswith("APPEAR-11 ")
    inspect(w["A01"], april.inspector, p["P1"], at("2026-04-09"))  # re-checked: all pass
    after = {r.employee_no: r for r in rectification_items.items(today=dt.date(2026, 4, 14))}
    assert after["P1"].state == "rectified" and after["P1"].closed_on == dt.date(2026, 4, 9)
    assert "复查合格" in after["P1"].close_note
    assert after["P2"].state == "overdue", "never re-checked, and the deadline has passed"
    assert dashboard.overdue_rectifications(dt.date(2026, 4, 14)) == 1
    assert dashboard.overdue_rectifications(dt.date(2026, 4, 13)) == 0, "due on the 13th is not late on the 13th"


def test_the_same_fault_again_is_a_repeat_and_an_amendment_to_a_pass_withdraws_its_item(april):
    w, p = april.windows, april.staff
    inspect(w["A02"], april.inspector, p["P2"], at("2026-04-03"), fail=("APPEAR-12",))
    again = inspect(w["A02"], april.inspector, p["P2"], at("2026-04-20"), fail=("APPEAR-12", "APPEAR-11"))
    rows = {(r.opened_on, r.what[:10]): r for r in rectification_items.items(today=dt.date(2026, 4, 20))}
    assert rows[(dt.date(2026, 4, 20), "APPEAR-12 ")].repeats == 1
    assert rows[(dt.date(2026, 4, 20), "APPEAR-11 ")].repeats == 0
    record_changes.amend(again, april.manager, {"APPEAR-12": "pass"}, "复核照片, 该项合格")
    states = {(r.opened_on, r.what[:10]): r.state for r in rectification_items.items(today=dt.date(2026, 4, 20))}
    assert states[(dt.date(2026, 4, 20), "APPEAR-12 ")] == "withdrawn"
    assert states[(dt.date(2026, 4, 20), "APPEAR-11 ")] == "open"


def test_an_afternoon_recheck_rectifies_the_mornings_fault_and_a_same_moment_one_does_not(april):
    """A later inspection, by time and not by day, shows the fault put right."""
    w, p = april.windows, april.staff
    morning = dt.datetime(2026, 4, 7, 9, 30)
    inspect(w["A01"], april.inspector, p["P1"], morning, fail=("APPEAR-11",))
    inspect(w["A02"], april.inspector, p["P2"], morning, fail=("APPEAR-12",))
    inspect(w["A01"], april.inspector, p["P1"], dt.datetime(2026, 4, 7, 15, 0))  # the afternoon's re-check passes
    states = {r.employee_no: r for r in rectification_items.items(today=dt.date(2026, 4, 7))}
    assert states["P1"].state == "rectified" and states["P1"].closed_on == dt.date(2026, 4, 7)
    assert states["P2"].state == "open"


def test_an_appeal_found_right_withdraws_its_item_even_when_already_put_right(april):
    """The fault was never there: 已撤销, not 已整改, whatever happened to the item since."""
    w, p = april.windows, april.staff
    disputed = inspect(w["A01"], april.inspector, p["P1"], at("2026-04-07"), fail=("APPEAR-11",))
    inspect(w["A01"], april.inspector, p["P1"], at("2026-04-08"))  # re-checked: put right
    (item,) = rectification_items.items(today=dt.date(2026, 4, 8))
    assert item.state == "rectified"
    record_changes.amend(disputed, april.manager, {"APPEAR-11": "pass"}, "申诉成立: 照片显示着装合规")
    (item,) = rectification_items.items(today=dt.date(2026, 4, 9))
    assert item.state == "withdrawn" and "申诉成立" in item.close_note and "复查合格" in item.close_note


def test_a_recheck_amended_to_a_pass_puts_the_earlier_fault_right(april):
    """The afternoon's re-check found the same fault, then was found right on review: as the record now
    reads, it shows the morning's fault put right (its own item withdrawn)."""
    w, p = april.windows, april.staff
    inspect(w["A02"], april.inspector, p["P2"], dt.datetime(2026, 4, 7, 9, 0), fail=("APPEAR-12",))
    again = inspect(w["A02"], april.inspector, p["P2"], dt.datetime(2026, 4, 7, 14, 0), fail=("APPEAR-12",))
    record_changes.amend(again, april.manager, {"APPEAR-12": "pass"}, "复核照片, 该项合格")
    states = sorted((r.opened_on, r.state) for r in rectification_items.items(today=dt.date(2026, 4, 8)))
    assert states == [(dt.date(2026, 4, 7), "rectified"), (dt.date(2026, 4, 7), "withdrawn")]


def test_a_late_record_is_put_right_by_the_patrols_already_stored_and_puts_right_sooner(april):
    """A laptop's failure of the 7th arrives after the office's pass of the 9th: the 9th puts it right. Its
    pass of the 8th, arriving later still, was the first to show it fixed: closed on the 8th."""
    w, p = april.windows, april.staff
    inspect(w["A01"], april.inspector, p["P1"], at("2026-04-09"))
    inspect(w["A01"], april.inspector, p["P1"], at("2026-04-07"), fail=("APPEAR-11",))
    (item,) = rectification_items.items(today=dt.date(2026, 4, 10))
    assert (item.state, item.closed_on) == ("rectified", dt.date(2026, 4, 9))
    inspect(w["A01"], april.inspector, p["P1"], at("2026-04-08"))
    (item,) = rectification_items.items(today=dt.date(2026, 4, 10))
    assert (item.state, item.closed_on) == ("rectified", dt.date(2026, 4, 8))


def test_a_veto_item_is_due_sooner_than_an_ordinary_one(april):
    from app.storage.models import Item

    veto = Item.select().where(Item.severity == "veto").first()
    inspect(april.windows["A01"], april.inspector, april.staff["P1"], at("2026-04-07"), fail=(veto.code,))
    (item,) = rectification_items.items(today=dt.date(2026, 4, 7))
    assert item.due_on == dt.date(2026, 4, 8), "one working day for a veto (setting rectify_days_veto)"


def test_a_recheck_shows_last_times_failure_and_note_beside_the_item_first(qtbot, demo_roster, app_font, tmp_path):
    from app.patrolling import inspections as insp
    from app.storage.models import Staff, Window
    from forms.inspection_page import InspectionPage
    from tests.gui_support import user

    window = Window.get(Window.code == "A03")
    person = Staff.get(Staff.window == window)
    xc = user("xuncha1")
    day = dt.date.today() - dt.timedelta(days=2)
    first = insp.start_inspection(window, xc, staff=person, observed_at=at(day.isoformat()), started_at=at(day.isoformat()))
    items = insp.applicable_items(first)
    insp.set_results(first, {i.id: "pass" for i in items if i.kind == "check"})
    hair = next(i for i in items if i.code == "APPEAR-03" or i.code == "APPEAR-02")
    insp.set_result(first, hair, "fail", note="头发披肩, 未束起")
    record_changes.finalise(first, at=at(day.isoformat(), 11))
    again = insp.start_inspection(window, xc, staff=person)
    page = InspectionPage()
    qtbot.addWidget(page)
    page.resize(1200, 600)
    page.load(again)
    model = page.model
    assert model.items[0].code == hair.code, "the item to re-check comes first"
    shown = model.data(model.index(0, 6))
    assert "不合格" in shown and "头发披肩, 未束起" in shown and "期限" in shown
    assert model.data(model.index(1, 6)) == ""
    page.show()
    page.grab().save(str(tmp_path / "recheck.png"))


def test_a_scheme_makes_repeated_faults_cost_points_and_the_third_open_probation(april):
    from app import periods
    from app.assessment import assess as assessing
    from app.assessment import schemes
    from app.storage.models import ProbationCase

    text = schemes.shipped("default.toml").text.replace(
        'components = [{ kind = "patrol", weight = 100, name = "巡查平均分" }]',
        'components = [{ kind = "patrol", weight = 100, name = "巡查平均分" }, { kind = "repeats", cap = 5, name = "重复问题扣分" }]',
        1).replace('code = "DEFAULT"', 'code = "REPEATS"') + "\n[repeats]\npoints = 2\nprobation_at = 3\n"
    schemes.load_scheme(april.manager, schemes.parse_scheme(text, "repeats.toml"), "重复问题加重处理")
    w, p = april.windows, april.staff
    for day in ("2026-04-07", "2026-04-14"):
        inspect(w["A01"], april.inspector, p["P1"], at(day), fail=("APPEAR-11",))  # 99 each; the second is a repeat
    assert not ProbationCase.select().where(ProbationCase.staff == p["P1"].id).exists()
    row = assessing.assess(periods.month("2026-04"), code="REPEATS").rows[0]
    assert [(x.name, x.points) for x in row.parts] == [("巡查平均分", 99.0), ("重复问题扣分", -2.0)] and row.total == 97.0
    inspect(w["A01"], april.inspector, p["P1"], at("2026-04-21"), fail=("APPEAR-11",))  # the third time
    case = ProbationCase.get(ProbationCase.staff == p["P1"].id)
    assert case.opened_on == dt.date(2026, 4, 21) and case.opening_inspection is None
    opened = ProbationEvent.get((ProbationEvent.case == case) & (ProbationEvent.kind == "opened"))
    assert opened.cause.startswith("同一问题第 3 次 (")


def test_a_laptops_package_opens_and_rectifies_items_as_the_office_would(demo_office, tmp_path):
    from app.exchange.results_import import import_package
    from app.storage import db as dbmod
    from app.storage.models import Rectification, User
    from tests.helpers import enrol_laptop, export_from, on_laptop

    laptop = tmp_path / "laptop.db"
    enrol_laptop(demo_office, laptop, tmp_path)
    dbmod.close_database()
    on_laptop(laptop, [("A01", "2026-11-02", ("APPEAR-11",)), ("A02", "2026-11-02", ("APPEAR-11", "APPEAR-12")),
                       ("A01", "2026-11-05", ()), ("A02", "2026-11-09", ("APPEAR-11",))])
    package = export_from(laptop, tmp_path / "week.wpr")
    dbmod.open_database(demo_office)
    admin = User.get(User.username == "admin")
    import_package(package.path, admin)
    got = sorted((r.window_code, r.what[:9], r.opened_on.day, r.state, r.repeats)
                 for r in rectification_items.items(today=dt.date(2026, 11, 20)))
    assert got == [("A01", "APPEAR-11", 2, "rectified", 0),
                   ("A02", "APPEAR-11", 2, "overdue", 0),   # failed again on the 9th: not fixed
                   ("A02", "APPEAR-11", 9, "overdue", 1),   # a repeat within 90 days
                   ("A02", "APPEAR-12", 2, "rectified", 0)]
    import_package(package.path, admin)
    assert Rectification.select().count() == 4, "a package imported twice opens nothing twice"


def test_a_manager_confirming_an_item_put_right_is_audited_with_the_window_person_and_both_states(april):
    inspect(april.windows["A01"], april.inspector, april.staff["P1"], at("2026-04-03"), fail=("APPEAR-11",))
    item = Rectification.get(Rectification.item_code == "APPEAR-11")
    rectification.rectify(april.manager, item, "当场整改, 已拍照")
    stored = Rectification.get_by_id(item.id)
    assert (stored.state, stored.closed_by, stored.close_note) == ("rectified", april.manager.username, "当场整改, 已拍照")
    entry = AuditEntry.get(AuditEntry.action == "rectification.confirm")
    assert (entry.username, entry.target, entry.window_code, entry.employee_no, entry.reason) == (
        april.manager.username, f"rectification:{item.id}", "A01", "P1", "当场整改, 已拍照")
    assert (json.loads(entry.old), json.loads(entry.new)) == (
        {"status": "逾期未整改", "due": "2026-04-13"}, {"status": "已整改"})


def test_an_amendment_back_to_a_failure_reopens_its_own_withdrawn_items_only_and_clears_their_notes(april):
    first = inspect(april.windows["A01"], april.inspector, april.staff["P1"], at("2026-04-07"), fail=("APPEAR-11",))
    other = inspect(april.windows["A02"], april.inspector, april.staff["P2"], at("2026-04-07"), fail=("APPEAR-11",))
    record_changes.amend(first, april.manager, {"APPEAR-11": "pass"}, "误判")
    record_changes.amend(other, april.manager, {"APPEAR-11": "pass"}, "误判")
    record_changes.amend(first, april.manager, {"APPEAR-11": "fail"}, "复核录像")
    states = {r.staff_id: (r.state, r.close_note) for r in Rectification.select()}
    assert states[april.staff["P1"].id] == ("open", "")
    assert states[april.staff["P2"].id][0] == "withdrawn"


def test_a_recheck_amended_to_a_failure_reopens_the_fault_it_had_put_right_as_it_was(april):
    """The 9th's pass had put the 3rd's fault right; amended to a failure, the 3rd's item is open again with
    no closing date, closer or note left over, and the 9th opens its own."""
    p1 = april.staff["P1"]
    inspect(april.windows["A01"], april.inspector, p1, at("2026-04-03"), fail=("APPEAR-11",))
    recheck = inspect(april.windows["A01"], april.inspector, p1, at("2026-04-09"))
    fixed = Rectification.get(Rectification.item_code == "APPEAR-11")
    assert fixed.state == "rectified" and "复查合格" in fixed.close_note
    record_changes.amend(recheck, april.manager, {"APPEAR-11": "fail"}, "复看录像: 仍未整改")
    again = Rectification.get_by_id(fixed.id)
    assert (again.state, again.closed_on, again.closed_by, again.close_note) == ("open", None, "", "")
    assert Rectification.select().where((Rectification.item_code == "APPEAR-11")
                                        & (Rectification.state == "open")).count() == 2


def test_a_recheck_amended_to_fail_one_of_the_two_faults_it_put_right_reopens_that_one_only(april):
    p1 = april.staff["P1"]
    inspect(april.windows["A01"], april.inspector, p1, at("2026-04-03"), fail=("APPEAR-11", "DESK-09"))
    recheck = inspect(april.windows["A01"], april.inspector, p1, at("2026-04-09"))
    assert {r.item_code: r.state for r in Rectification.select()} == {"APPEAR-11": "rectified", "DESK-09": "rectified"}
    record_changes.amend(recheck, april.manager, {"APPEAR-11": "fail"}, "复看录像: 仍未整改")
    first = {r.item_code: r.state for r in Rectification.select().where(Rectification.opened_on == dt.date(2026, 4, 3))}
    assert first == {"APPEAR-11": "open", "DESK-09": "rectified"}, "the desk stays put right"
