"""Derived state is a replay of the facts: probation cases and rectification items built step by step
(patrols, amendments, appeals found right, re-grades) equal what building them again from the same
finalised records gives. A property test (hypothesis) draws the sequences; the replay deletes the
derived rows and runs the rules over every final record in the order observed."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.centres.settings import load_settings, parse_value
from app.loop import record_changes, rectification
from app.results import probation, rule_changes
from app.storage.models import Inspection, ProbationCase, ProbationEvent, Rectification
from app.storage.proxy import db
from tests.helpers import FAILING, inspect
from tests.test_rule_changes import EIGHTY_EIGHT, SEVENTY_SEVEN

START = dt.datetime(2026, 9, 1, 9, 0)
PEOPLE = ("P1", "P2")
# One step: ("patrol", person, failed items, gap) moves the clock on by `gap` hours (77, 88, a veto, one
# item, all pass); ("amend", nth record, pass, 0) turns the FAILING items of an earlier record to pass (or
# back to fail); ("regrade", grades, month, 0) changes the grades from a month and re-grades the records;
# ("late", person, failed items, gap) is a laptop's record observed `gap` hours before the latest, arriving now.
GRADES = ("优秀=95,良好=90,合格=85", "优秀=95,良好=85,合格=70", "优秀=98,良好=95,合格=90")
STEP = st.one_of(
    st.tuples(st.just("patrol"), st.sampled_from(PEOPLE),
              st.sampled_from([(), FAILING, SEVENTY_SEVEN, EIGHTY_EIGHT, ("APPEAR-11",), ("DISC-19",)]),
              st.integers(1, 24 * 12)),
    st.tuples(st.just("amend"), st.integers(0, 20), st.booleans(), st.just(0)),
    st.tuples(st.just("regrade"), st.sampled_from(GRADES), st.sampled_from([9, 10, 11]), st.just(0)),
    # A laptop's record arriving late: observed `gap` hours before the latest patrol, finalised now.
    st.tuples(st.just("late"), st.sampled_from(PEOPLE), st.sampled_from([(), FAILING, ("DISC-19",)]),
              st.integers(1, 24 * 20)),
)


def _cases() -> list[tuple]:
    rows = []
    for case in ProbationCase.select().where(ProbationCase.status != "withdrawn"):
        rows.append((case.staff_id, case.opened_on, case.ends_on, case.opening_inspection_id,
                     probation.recheck_counts(case)))
    return sorted(rows, key=str)


def _items() -> list[tuple]:
    return sorted(((r.staff_id, r.item_code, r.opened_on, r.due_on, r.state, r.closed_on, r.source_ref)
                   for r in Rectification.select().where(Rectification.state != "withdrawn")), key=str)


def _replay() -> tuple[list, list]:
    ProbationEvent.delete().execute()
    ProbationCase.delete().execute()
    Rectification.delete().execute()
    final = [i for (i,) in Inspection.select(Inspection.id).where(Inspection.status == "final")
             .order_by(Inspection.observed_at, Inspection.id).tuples()]
    probation.on_finalised_many(final)
    rectification.on_finalised_many(final)
    return _cases(), _items()


@pytest.fixture
def people(roster):
    return {emp: roster.person(emp, window) for emp, window in zip(PEOPLE, ("A01", "A02"))}


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=10))
def test_patrols_amendments_and_regrades_leave_what_a_replay_of_the_records_gives(roster, people, steps):
    """Patrols as they happen, amendments (appeals found right, second thoughts) and re-grades in between:
    the cases and items kept step by step are the replay's (withdrawn ones aside: they stand for history)."""
    with db.atomic() as txn:
        made, clock = [], START
        for kind, who, what, gap in steps:
            if kind in ("patrol", "late"):
                clock += dt.timedelta(hours=gap if kind == "patrol" else 0)
                when = clock if kind == "patrol" else max(START, clock - dt.timedelta(hours=gap, minutes=30))
                window = roster.windows["A01" if who == "P1" else "A02"]
                made.append(inspect(window, roster.inspector, people[who], when, fail=what))
            elif kind == "regrade":
                rules = load_settings(dt.date(2026, what, 1))
                rules.grades = parse_value("grades", who)
                rule_changes.change_settings(rules, roster.manager, "调整等级", dt.date(2026, what, 1), regrade=True)
            elif made:
                record = Inspection.get_by_id(made[who % len(made)].id)
                record_changes.amend(record, roster.manager, {c: "pass" if what else "fail" for c in FAILING}, "复核")
        built = (_cases(), _items())
        replayed = _replay()
        txn.rollback()
    assert built == replayed
