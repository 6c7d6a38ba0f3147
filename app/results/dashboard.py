"""Figures for the dashboard: today's progress, probation due, this month's ranking, weekly averages.

Managers see the centre; an inspector sees their own inspections (progress, weekly averages) and no
ranking, but does see the open probation cases, because the re-checks are theirs to do (not the
cases awaiting a manager's decision).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

import peewee as pw

from app import periods
from app.centres import scope
from app.results.listing import visible_to
from app.results.probation import CaseRow, case_rows, sweep
from app.results.rankings import RankRow, rank
from app.rounding import half_up
from app.storage.models import Inspection, ProbationCase, ProbationDue, RecheckDue, Rectification, Staff, User, Window


@dataclass(frozen=True)
class TodayProgress:
    windows: int
    inspected: int  # windows with a finalised inspection today
    drafts: int
    failed: int


@dataclass(frozen=True)
class Figures:
    own_only: bool  # an inspector's view: progress and averages of their own inspections
    today: TodayProgress
    probation: list[CaseRow]
    ranking: list[RankRow] | None  # None: not shown to this user
    weekly: list[tuple[dt.date, float | None, int]]
    overdue: int = 0  # rectification items past their deadline (managers)
    rechecks: list[RecheckRow] = field(default_factory=list)  # who is due a re-check (an inspector's view)


def figures(day: dt.date | None = None, user: User | None = None, centre_id=scope.SOLE) -> Figures:
    """Everything the dashboard shows, as this user may see it. Cases past their end are decided
    first (the rule-based sweep, as `main.py probation` does), so the list is never stale."""
    day = day or dt.date.today()
    sweep(day, centre_id=centre_id)
    own = visible_to(user) is not None
    return Figures(own, today_progress(day, user, centre_id=centre_id), probation_due(day, ("open",) if own else None,
                                                                                      centre_id=centre_id),
                   None if own else ranking_preview(day, centre_id=centre_id), weekly_averages(day, user=user,
                                                                                               centre_id=centre_id),
                   0 if own else overdue_rectifications(day, centre_id=centre_id),
                   rechecks_due(day, centre_id=centre_id) if own else [])


@dataclass(frozen=True)
class RecheckRow:
    window: str
    person: str  # "name (employee no)", or "" for a window without a person
    items: int  # faults to look at again
    due_on: dt.date | None  # the earliest deadline among them
    probation_until: dt.date | None  # the person is on probation until then


def rechecks_due(day: dt.date, centre_id=scope.SOLE) -> list[RecheckRow]:
    """Who is due a re-check: the open faults found on patrol and the people on probation, here and (on
    a laptop) at the office as its last update said; soonest deadline first."""
    cid = scope.resolve(centre_id)
    groups: dict[tuple[str, str], dict] = {}

    def group(window: str, employee_no: str) -> dict:
        return groups.setdefault((window, employee_no), {"items": set(), "due": None, "until": None})

    local = (Rectification.select(Rectification, Window.code, Staff.employee_no)
             .join(Window, on=(Rectification.window == Window.id))
             .switch(Rectification).join(Staff, pw.JOIN.LEFT_OUTER, on=(Rectification.staff == Staff.id))
             .where((Rectification.state == "open") & (Rectification.source == "inspection")))
    office = RecheckDue.select().where(RecheckDue.day <= day)
    if cid is not None:
        local, office = local.where(Rectification.centre == cid), office.where(RecheckDue.centre == cid)
    for r in local:
        g = group(r.window.code, r.staff.employee_no if r.staff_id else "")
        g["items"].add(r.item_code)
        g["due"] = min(filter(None, (g["due"], r.due_on)), default=None)
    for r in office:
        g = group(r.window_code, r.employee_no)
        g["items"].add(r.item_code)
        g["due"] = min(filter(None, (g["due"], r.due_on)), default=None)
    cases = (ProbationCase.select(ProbationCase.ends_on, Staff.employee_no, Window.code).join(Staff)
             .join(Window, pw.JOIN.LEFT_OUTER, on=(Staff.window == Window.id))
             .where((ProbationCase.status == "open") & (ProbationCase.opened_on <= day) & (ProbationCase.ends_on >= day)))
    if cid is not None:
        cases = cases.where(Staff.centre == cid)
    on_probation = {c.staff.employee_no: c.ends_on for c in cases}
    dues = ProbationDue.select().where((ProbationDue.opened_on <= day) & (ProbationDue.ends_on >= day))
    for d in dues.where(ProbationDue.centre == cid) if cid is not None else dues:
        on_probation.setdefault(d.employee_no, d.ends_on)
    people = {s.employee_no: s for s in Staff.select(Staff, Window).join(Window, pw.JOIN.LEFT_OUTER,
                                                                        on=(Staff.window == Window.id))
              .where(Staff.employee_no.in_(list(on_probation) + [k[1] for k in groups if k[1]]))}
    for employee_no, until in on_probation.items():
        person = people.get(employee_no)
        if person is not None and person.window_id and not any(k[1] == employee_no for k in groups):
            group(person.window.code, employee_no)
    rows = []
    for (window, employee_no), g in groups.items():
        person = people.get(employee_no)
        rows.append(RecheckRow(window, f"{person.name} ({employee_no})" if person else employee_no, len(g["items"]),
                               g["due"], on_probation.get(employee_no)))
    return sorted(rows, key=lambda r: (r.due_on or r.probation_until or dt.date.max, r.window))


def overdue_rectifications(day: dt.date, centre_id=scope.SOLE) -> int:
    """Rectification items still open after their deadline, in the centre in view."""
    query = Rectification.select().where((Rectification.state == "open") & (Rectification.due_on < day))
    cid = scope.resolve(centre_id)
    return (query.where(Rectification.centre == cid) if cid is not None else query).count()


def _scoped(where, user: User | None):
    own = visible_to(user)
    return where if own is None else where & own


def today_progress(day: dt.date | None = None, user: User | None = None, centre_id=scope.SOLE) -> TodayProgress:
    day = day or dt.date.today()
    start = dt.datetime.combine(day, dt.time())
    end = start + dt.timedelta(days=1)
    todays = Inspection.select(Inspection.window, Inspection.status, Inspection.passed).where(
        _scoped((Inspection.observed_at >= start) & (Inspection.observed_at < end) & scope.inspections(centre_id), user)
    )
    done = {i.window_id for i in todays if i.status == "final"}
    drafts = {i.window_id for i in todays if i.status == "draft"} - done
    failed = sum(1 for i in todays if i.status == "final" and not i.passed)
    windows = Window.select().where((Window.active == True) & scope.windows(centre_id)).count()  # noqa: E712
    return TodayProgress(windows, len(done), len(drafts), failed)


def probation_due(as_of: dt.date | None = None, statuses: tuple[str, ...] | None = None,
                  centre_id=scope.SOLE) -> list[CaseRow]:
    """Undecided cases (open or awaiting a decision), soonest end first (re-checks still due = required − passed)."""
    return case_rows(as_of or dt.date.today(), statuses or ("open", "recommend_return", "review"), centre_id=centre_id)


def ranking_preview(day: dt.date | None = None, top: int = 10, centre_id=scope.SOLE) -> list[RankRow]:
    day = day or dt.date.today()
    return rank(periods.month(f"{day.year}-{day.month:02d}"), "window", centre_id=centre_id)[:top]


def weekly_averages(day: dt.date | None = None, weeks: int = 13,
                    user: User | None = None, centre_id=scope.SOLE) -> list[tuple[dt.date, float | None, int]]:
    """(Monday, average score, inspections) for each of the last `weeks` weeks up to `day`."""
    day = day or dt.date.today()
    first = day - dt.timedelta(days=day.weekday()) - dt.timedelta(weeks=weeks - 1)
    # Per day in SQL (a few dozen rows), then per week here: three months of a large centre is
    # tens of thousands of inspections, which need not cross into Python one by one.
    day_expr = pw.fn.DATE(Inspection.observed_at)
    query = (Inspection.select(day_expr, pw.fn.SUM(Inspection.score), pw.fn.COUNT(Inspection.id))
             .where(_scoped((Inspection.status == "final") & scope.inspections(centre_id)
                            & (Inspection.observed_at >= dt.datetime.combine(first, dt.time()))
                            & (Inspection.observed_at < dt.datetime.combine(day + dt.timedelta(days=1), dt.time())), user))
             .group_by(day_expr).tuples())
    totals: dict[dt.date, list[float]] = defaultdict(lambda: [0.0, 0])
    for observed, total, count in query:
        # peewee hands DATE() back through the column's converter: a datetime on SQLite, a date or a
        # string elsewhere. A datetime is also a date, so test for it first.
        if isinstance(observed, dt.datetime):
            observed = observed.date()
        elif not isinstance(observed, dt.date):
            observed = dt.date.fromisoformat(str(observed)[:10])
        monday = observed - dt.timedelta(days=observed.weekday())
        totals[monday][0] += float(total)
        totals[monday][1] += int(count)
    out = []
    for n in range(weeks):
        monday = first + dt.timedelta(weeks=n)
        total, count = totals.get(monday, (0.0, 0))
        out.append((monday, half_up(total / count) if count else None, count))
    return out
