"""Figures for the dashboard: today's progress, probation due, this month's ranking, weekly averages."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import peewee as pw

from app import periods
from app.models import Inspection, Window
from app.probation import CaseRow, case_rows
from app.rankings import RankRow, rank


@dataclass(frozen=True)
class TodayProgress:
    windows: int
    inspected: int  # windows with a finalised inspection today
    drafts: int
    failed: int


def today_progress(day: dt.date | None = None) -> TodayProgress:
    day = day or dt.date.today()
    start = dt.datetime.combine(day, dt.time())
    end = start + dt.timedelta(days=1)
    todays = Inspection.select(Inspection.window, Inspection.status, Inspection.passed).where(
        (Inspection.observed_at >= start) & (Inspection.observed_at < end)
    )
    done = {i.window_id for i in todays if i.status == "final"}
    drafts = {i.window_id for i in todays if i.status == "draft"} - done
    failed = sum(1 for i in todays if i.status == "final" and not i.passed)
    windows = Window.select().where(Window.active == True).count()  # noqa: E712
    return TodayProgress(windows, len(done), len(drafts), failed)


def probation_due(as_of: dt.date | None = None) -> list[CaseRow]:
    """Open cases, soonest end first (re-checks still due = required − passed)."""
    return case_rows(as_of or dt.date.today(), ("open", "recommend_return"))


def ranking_preview(day: dt.date | None = None, top: int = 10) -> list[RankRow]:
    day = day or dt.date.today()
    return rank(periods.month(f"{day.year}-{day.month:02d}"), "window")[:top]


def weekly_averages(day: dt.date | None = None, weeks: int = 13) -> list[tuple[dt.date, float | None, int]]:
    """(Monday, average score, inspections) for each of the last `weeks` weeks up to `day`."""
    day = day or dt.date.today()
    first = day - dt.timedelta(days=day.weekday()) - dt.timedelta(weeks=weeks - 1)
    # Per day in SQL (a few dozen rows), then per week here: three months of a large centre is
    # tens of thousands of inspections, which need not cross into Python one by one.
    day_expr = pw.fn.DATE(Inspection.observed_at)
    query = (Inspection.select(day_expr, pw.fn.SUM(Inspection.score), pw.fn.COUNT(Inspection.id))
             .where((Inspection.status == "final") & (Inspection.observed_at >= dt.datetime.combine(first, dt.time()))
                    & (Inspection.observed_at < dt.datetime.combine(day + dt.timedelta(days=1), dt.time())))
             .group_by(day_expr).tuples())
    totals: dict[dt.date, list[float]] = defaultdict(lambda: [0.0, 0])
    for observed, total, count in query:
        observed = observed if isinstance(observed, dt.date) else dt.date.fromisoformat(str(observed)[:10])
        monday = observed - dt.timedelta(days=observed.weekday())
        totals[monday][0] += float(total)
        totals[monday][1] += int(count)
    out = []
    for n in range(weeks):
        monday = first + dt.timedelta(weeks=n)
        total, count = totals.get(monday, (0.0, 0))
        out.append((monday, round(total / count, 2) if count else None, count))
    return out
