"""Derived state is a replay of the facts: probation cases and rectification items built step by step
(patrols, amendments, appeals found right, re-grades, late records, conduct events recorded after the fact
and withdrawn) equal what building them again from the same facts gives. A property test (hypothesis) draws
the sequences; the replay deletes the derived rows and runs the rules over every final record and every
standing conduct event in the order they happened (an event counts from the start of its day). Months are
published and re-opened in between: a published month's ranking stays as published until re-opened."""

from __future__ import annotations

import contextlib
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import periods
from app.assessment import events, schemes
from app.centres.settings import load_settings, parse_value
from app.errors import PatrolError
from app.loop import appeals, approvals, publishing, rectification
from app.results import probation_rules, rankings, rule_changes
from app.results.frozen import why_frozen
from app.storage.models import Inspection, PersonEvent, ProbationCase, ProbationEvent, Rectification
from app.storage.proxy import db
from tests.helpers import FAILING, inspect
from tests.test_rule_changes import EIGHTY_EIGHT, SEVENTY_SEVEN

START = dt.datetime(2026, 9, 1, 9, 0)
NEXT_MONTH = (dt.date.today().replace(day=1) + dt.timedelta(days=32)).replace(day=1)  # rules from it: not re-grading
PEOPLE = ("P1", "P2")
# One step: ("patrol", person, failed items, gap) moves the clock on by `gap` hours (77, 88, a veto, one
# item, all pass); ("amend", nth record, pass, 0) turns the FAILING items of an earlier record to pass (or
# back to fail); ("regrade", grades, month, 0) changes the grades from a month and re-grades the records;
# ("late", person, failed items, gap) is a laptop's record observed `gap` hours before the latest, arriving now;
# ("conduct", person, -, gap) a conduct event that opens probation, recorded now for `gap` days before the
# latest patrol; ("unconduct", nth event, -, 0) withdraws an event (a complaint found not valid);
# ("publish", n, -, 0) publishes the nth month with records if nothing holds it back, ("reopen", n, -, 0)
# re-opens the nth published month; ("appeal", nth record, found right, 0) appeals its failed items on the
# record's day and decides it (found right: the items pass, or the change is held while the month is published);
# while published, amendments are held, re-grades and late records of it refused; re-opening applies the held.
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
    st.tuples(st.just("conduct"), st.sampled_from(PEOPLE), st.just(()), st.integers(0, 20)),
    st.tuples(st.just("appeal"), st.integers(0, 20), st.booleans(), st.just(0)),
    st.tuples(st.just("rules"), st.sampled_from(GRADES), st.just(0), st.just(0)),
    st.tuples(st.just("publish"), st.integers(0, 2), st.just(()), st.just(0)),
    st.tuples(st.just("reopen"), st.integers(0, 2), st.just(()), st.just(0)),
    st.tuples(st.just("unconduct"), st.integers(0, 5), st.just(()), st.just(0)),
)


def _cases() -> list[tuple]:
    rows = []
    for case in ProbationCase.select().where(ProbationCase.status != "withdrawn"):
        rows.append((case.staff_id, case.opened_on, case.ends_on, case.opening_inspection_id,
                     probation_rules.recheck_counts(case)))
    return sorted(rows, key=str)


def _items() -> list[tuple]:
    return sorted(((r.staff_id, r.item_code, r.opened_on, r.due_on, r.state, r.closed_on, r.source_ref)
                   for r in Rectification.select().where(Rectification.state != "withdrawn")), key=str)


def _replay() -> tuple[list, list]:
    """The derived rows deleted, the rules run over the facts in the order they happened: the final records
    by time, and each standing conduct event at the start of its day (records in between go as one batch)."""
    ProbationEvent.delete().execute()
    ProbationCase.delete().execute()
    Rectification.delete().execute()
    final = list(Inspection.select(Inspection.id, Inspection.observed_at).where(Inspection.status == "final")
                 .order_by(Inspection.observed_at, Inspection.id).tuples())
    standing = PersonEvent.select().where(PersonEvent.withdrawn_at.is_null())
    facts = sorted([(observed, 1, insp_id, None) for insp_id, observed in final]
                   + [(dt.datetime.combine(e.occurred_on, dt.time()), 0, e.id, e) for e in standing],
                   key=lambda f: f[:3])
    batch: list[int] = []
    for _, is_record, ident, event in facts:
        if is_record:
            batch.append(ident)
            continue
        probation_rules.on_finalised_many(batch)
        batch = []
        probation_rules.link_event(event, "投诉")
    probation_rules.on_finalised_many(batch)
    rectification.on_finalised_many([insp_id for insp_id, _ in final])
    return _cases(), _items()


def _ranking(month: int) -> list[tuple]:
    rows = rankings.rank(periods.month(f"2026-{month:02d}"), "window")
    return [(r.rank, r.code, r.average_score, r.pass_rate, r.vetoes) for r in rows]


@pytest.fixture
def people(roster):
    # A scheme under which a conflict with a member of the public opens probation (若羌's annual scheme).
    schemes.load_scheme(roster.manager, schemes.shipped("ruoqiang_annual.toml"), "采用公开方案")
    return {emp: roster.person(emp, window) for emp, window in zip(PEOPLE, ("A01", "A02"))}


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(STEP, min_size=1, max_size=12))
def test_patrols_amendments_regrades_late_records_and_conduct_leave_what_a_replay_of_the_facts_gives(roster, people,
                                                                                                   steps):
    """Patrols as they happen, amendments (appeals found right, second thoughts) and re-grades in between:
    the cases and items kept step by step are the replay's (withdrawn ones aside: they stand for history)."""
    with db.atomic() as txn:
        made, clock, conduct, published = [], START, [], {}
        for kind, who, what, gap in steps:
            if kind in ("patrol", "late"):
                clock += dt.timedelta(hours=gap if kind == "patrol" else 0)
                when = clock if kind == "patrol" else max(START, clock - dt.timedelta(hours=gap, minutes=30))
                window = roster.windows["A01" if who == "P1" else "A02"]
                # A published month takes no new record, and no patrol is made in the future.
                if not why_frozen(window.centre_id, when.date()) and when < dt.datetime.now():
                    made.append(inspect(window, roster.inspector, people[who], when, fail=what))
            elif kind == "regrade":
                rules = load_settings(dt.date(2026, what, 1))
                rules.grades = parse_value("grades", who)
                with contextlib.suppress(PatrolError):  # refused while a month it re-grades is published
                    rule_changes.change_settings(rules, roster.manager, "调整等级", dt.date(2026, what, 1),
                                                 regrade=True)
            elif kind == "rules":
                rules = load_settings(NEXT_MONTH)
                rules.grades = parse_value("grades", who)
                rule_changes.change_settings(rules, roster.manager, "调整等级", NEXT_MONTH)
            elif kind == "publish" and made:
                month = sorted({r.observed_at.month for r in made})[who % 3 % len({r.observed_at.month for r in made})]
                with contextlib.suppress(PatrolError):  # refused while anything holds the month back
                    publishing.publish(roster.manager, periods.month(f"2026-{month:02d}"))
                    published[month] = _ranking(month)
            elif kind == "appeal" and made:
                record = Inspection.get_by_id(made[who % len(made)].id)
                failed = [r.item.code for r in record.results if r.result == "fail"]
                with contextlib.suppress(PatrolError):  # nothing failed, or an appeal already pending
                    appeal = appeals.record_appeal(roster.manager, record, failed[:2], "本人不服",
                                                   today=record.observed_at.date())
                    approvals.decide_appeal(roster.manager, appeal, what, "复核录像")
            elif kind == "reopen" and published:
                month = sorted(published)[who % len(published)]
                approvals.reopen_or_request(roster.manager, periods.month(f"2026-{month:02d}"), "改正记录")
                del published[month]
            elif kind == "conduct":
                day = min(dt.date.today(), max(START.date(), clock.date() - dt.timedelta(days=gap)))
                conduct.append(events.record_event(roster.manager, "conduct", people[who], "conflict", day,
                                                   "与办事群众当面争吵", source="mingcha"))
            elif kind == "unconduct":
                if conduct:
                    events.withdraw_event(roster.manager, PersonEvent.get_by_id(conduct.pop(who % len(conduct)).id),
                                          "录像显示不属冲突")
            elif made:
                record = Inspection.get_by_id(made[who % len(made)].id)
                with contextlib.suppress(PatrolError):  # the same change already held: asked once is enough
                    approvals.amend_or_request(roster.manager, record, {c: "pass" if what else "fail" for c in FAILING},
                                               "复核")
        # Every record is graded by the rules of the day it was observed (re-grading from the start moves none).
        assert rule_changes.out_of_step(START.date()).changes == []
        built = (_cases(), _items())
        still = {month: _ranking(month) for month in published}
        replayed = _replay()
        txn.rollback()
    assert built == replayed
    assert still == published, "a published month's ranking stays as published until it is re-opened"
