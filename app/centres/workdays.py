"""Working days: Monday to Friday, less the holidays, plus the weekend days worked in their place (调休),
from a calendar the manager keeps. Deadlines such as the 好差评 rule's 15 working days count these."""

from __future__ import annotations

import datetime as dt

from app import audit
from app.centres.settings import load_settings
from app.centres.wall import require_district
from app.errors import PatrolError
from app.roles import require_role
from app.storage.models import CalendarDay
from app.storage.proxy import db

KINDS = {"holiday": "放假", "workday": "调休上班"}
MAX_SPAN = 400  # days in one entry: a year's calendar at most


def calendar(start: dt.date, end: dt.date) -> dict[dt.date, str]:
    """day -> kind for the days the calendar names in [start, end)."""
    query = CalendarDay.select(CalendarDay.day, CalendarDay.kind).where((CalendarDay.day >= start) & (CalendarDay.day < end))
    return dict(query.tuples())


def is_workday(day: dt.date, known: dict[dt.date, str]) -> bool:
    kind = known.get(day)
    if kind == "holiday":
        return False
    return kind == "workday" or day.weekday() < 5


def add_workdays(start: dt.date, count: int, known: dict[dt.date, str] | None = None) -> dt.date:
    """The day `count` working days after `start` (the start itself not counted); `known`: the calendar
    already read, for many deadlines at once."""
    if count < 0:
        raise PatrolError("工作日数不能为负")
    if known is None:
        known = calendar(start, start + dt.timedelta(days=count * 3 + 60))
    day, left = start, count
    while left:
        day += dt.timedelta(days=1)
        if is_workday(day, known):
            left -= 1
    return day


def workdays_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end`."""
    known = calendar(start, end + dt.timedelta(days=1))
    return sum(1 for n in range(1, (end - start).days + 1) if is_workday(start + dt.timedelta(days=n), known))


def set_days(user, first: dt.date, last: dt.date, kind: str, name: str, reason: str) -> int:
    """Mark every day from `first` to `last` as a holiday or a worked weekend day (or, kind "normal",
    back to the ordinary week); audited. Returns how many days changed. The calendar is the district's:
    its manager's alone."""
    require_role(user, "manager")
    require_district(user, "节假日安排")
    if kind not in (*KINDS, "normal"):
        raise PatrolError("日子的类别须为 holiday (放假)、workday (调休上班) 或 normal (恢复平常)")
    if last < first or (last - first).days >= MAX_SPAN:
        raise PatrolError(f"日期范围有误: {first.isoformat()} 至 {last.isoformat()}")
    name = (name or "").strip()[:30]
    reason = audit.require_reason(reason)
    changed = 0
    with db.atomic():
        day = first
        while day <= last:
            row = CalendarDay.get_or_none(CalendarDay.day == day)
            if kind == "normal":
                if row is not None:
                    row.delete_instance()
                    changed += 1
            elif row is None or (row.kind, row.name) != (kind, name):
                CalendarDay.insert(day=day, kind=kind, name=name).on_conflict(
                    conflict_target=[CalendarDay.day], update={CalendarDay.kind: kind, CalendarDay.name: name}).execute()
                changed += 1
            day += dt.timedelta(days=1)
        if changed:
            audit.record(user, "calendar.change", f"calendar:{first.isoformat()}",
                         new={"from": first.isoformat(), "to": last.isoformat(),
                              "kind": KINDS.get(kind, "恢复平常"), "name": name}, reason=reason)
    return changed


def listed(year: int) -> list[tuple[dt.date, str, str]]:
    query = (CalendarDay.select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)
             .where((CalendarDay.day >= dt.date(year, 1, 1)) & (CalendarDay.day < dt.date(year + 1, 1, 1)))
             .order_by(CalendarDay.day))
    return list(query.tuples())


def appeal_deadline(inspection) -> dt.date:
    """The last day an appeal against this inspection can be recorded: `appeal_days` working days after
    it was handed over (finished)."""
    handed = (inspection.finished_at or inspection.observed_at).date()
    return add_workdays(handed, load_settings(inspection.observed_at.date()).appeal_days)
