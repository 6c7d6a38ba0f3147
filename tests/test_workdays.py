"""The working-day calendar every deadline counts: its days, what changing them records, and the limits."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app.centres import workdays
from app.errors import PatrolError
from app.storage.models import AuditEntry, CalendarDay

SAT, SUN, MON = dt.date(2026, 10, 10), dt.date(2026, 10, 11), dt.date(2026, 10, 12)


def test_a_worked_saturday_counts_and_a_holiday_monday_does_not(roster):
    assert workdays.workdays_between(dt.date(2026, 10, 9), MON) == 1  # Fri → Mon: only Monday
    assert workdays.workdays_between(MON, dt.date(2026, 10, 16)) == 4, "Tuesday to Friday"
    assert workdays.workdays_between(dt.date(2026, 10, 9), dt.date(2026, 10, 16)) == 5
    workdays.set_days(roster.manager, SAT, SAT, "workday", "调休", "国务院通知")
    workdays.set_days(roster.manager, MON, MON, "holiday", "补休", "国务院通知")
    assert workdays.workdays_between(dt.date(2026, 10, 9), MON) == 1, "Saturday in, Monday out"
    assert workdays.add_workdays(dt.date(2026, 10, 9), 1) == SAT
    assert workdays.add_workdays(dt.date(2026, 10, 9), 2) == dt.date(2026, 10, 13)
    assert workdays.add_workdays(dt.date(2026, 10, 9), 0) == dt.date(2026, 10, 9)
    with pytest.raises(PatrolError, match="工作日数不能为负"):
        workdays.add_workdays(dt.date(2026, 10, 9), -1)


def test_setting_days_counts_what_changed_and_normal_removes_them(roster):
    assert workdays.set_days(roster.manager, SAT, SUN, "holiday", "  国庆节  ", "通知") == 2
    assert workdays.set_days(roster.manager, SAT, SUN, "holiday", "国庆节", "通知") == 0, "already so"
    assert workdays.set_days(roster.manager, SAT, MON, "holiday", "国庆节", "通知") == 1, "Monday only"
    assert workdays.set_days(roster.manager, SUN, SUN, "workday", "国庆节", "通知") == 1, "a kind changed"
    assert {d: (k, n) for d, k, n in CalendarDay.select(CalendarDay.day, CalendarDay.kind, CalendarDay.name).tuples()} == {
        SAT: ("holiday", "国庆节"), SUN: ("workday", "国庆节"), MON: ("holiday", "国庆节")}
    assert workdays.set_days(roster.manager, SAT, MON, "normal", "", "取消") == 3
    assert workdays.set_days(roster.manager, SAT, MON, "normal", "", "取消") == 0
    assert CalendarDay.select().count() == 0


def test_a_name_is_kept_to_30_characters_and_a_blank_one_stays_blank(roster):
    workdays.set_days(roster.manager, SAT, SAT, "holiday", "节" * 40, "通知")
    workdays.set_days(roster.manager, SUN, SUN, "holiday", None, "通知")
    names = dict(CalendarDay.select(CalendarDay.day, CalendarDay.name).tuples())
    assert names == {SAT: "节" * 30, SUN: ""}


def test_each_change_is_audited_with_its_span_kind_name_whose_and_reason(roster):
    workdays.set_days(roster.manager, SAT, SUN, "holiday", "国庆节", "国务院办公厅通知")
    workdays.set_days(roster.manager, SAT, SAT, "holiday", "国庆节", "重复")  # nothing changed: nothing audited
    workdays.set_days(roster.manager, SAT, SUN, "normal", "", "取消")
    first, second = AuditEntry.select().where(AuditEntry.action == "calendar.change").order_by(AuditEntry.id)
    assert (first.username, first.target, first.reason) == ("boss", "calendar:2026-10-10", "国务院办公厅通知")
    assert json.loads(first.new) == {"from": "2026-10-10", "to": "2026-10-11", "whose": "全区", "kind": "放假",
                                     "name": "国庆节"}
    assert json.loads(second.new)["kind"] == "恢复平常" and second.reason == "取消"


def test_bad_kinds_spans_and_reasons_are_refused_and_change_nothing(roster):
    with pytest.raises(PatrolError, match=r"holiday \(放假\)、workday \(调休上班\) 或 normal"):
        workdays.set_days(roster.manager, SAT, SAT, "party", "", "通知")
    with pytest.raises(PatrolError, match="日期范围有误: 2026-10-11 至 2026-10-10"):
        workdays.set_days(roster.manager, SUN, SAT, "holiday", "", "通知")
    with pytest.raises(PatrolError, match="日期范围有误"):
        workdays.set_days(roster.manager, SAT, SAT + dt.timedelta(days=400), "holiday", "", "通知")
    assert workdays.set_days(roster.manager, SAT, SAT + dt.timedelta(days=399), "holiday", "", "通知") == 400
    with pytest.raises(PatrolError, match="理由"):
        workdays.set_days(roster.manager, MON + dt.timedelta(days=500), MON + dt.timedelta(days=500), "holiday", "", " ")
    assert CalendarDay.select().count() == 400


def test_a_years_list_holds_that_year_only(roster):
    workdays.set_days(roster.manager, dt.date(2026, 12, 31), dt.date(2027, 1, 1), "holiday", "元旦", "通知")
    workdays.set_days(roster.manager, dt.date(2027, 1, 31), dt.date(2027, 1, 31), "workday", "调休", "通知")
    assert workdays.listed(2026) == [(dt.date(2026, 12, 31), "holiday", "元旦", "全区")]
    assert [d for d, *_ in workdays.listed(2027)] == [dt.date(2027, 1, 1), dt.date(2027, 1, 31)]


def test_the_appeal_deadline_counts_working_days_from_the_hand_over(roster):
    from tests.helpers import inspect

    person = roster.person("P1")
    record = inspect(roster.windows["A01"], roster.inspector, person, dt.datetime(2026, 10, 9, 10))  # a Friday
    workdays.set_days(roster.manager, MON, MON, "holiday", "补休", "通知")
    # 3 working days (the default) after Friday 9th, Monday off: 13th, 14th, 15th.
    assert workdays.appeal_deadline(record) == dt.date(2026, 10, 15)
