"""Figures for the dashboard: today's progress, probation due, this month's ranking, weekly averages.

Managers see the centre; an inspector sees their own inspections (progress, weekly averages) and no
ranking, but does see the open probation cases, because the re-checks are theirs to do (not the
cases awaiting a manager's decision).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import peewee as pw

from app import periods
from app.centres import scope
from app.results.listing import visible_to
from app.results.probation import CaseRow, case_rows, sweep
from app.results.rankings import RankRow, rank
from app.rounding import half_up
from app.storage.models import Inspection, Rectification, User, Window


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
                   0 if own else overdue_rectifications(day, centre_id=centre_id))


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
