"""Working days: Monday to Friday, less the holidays, plus the weekend days worked in their place (调休),
from the district's calendar (its manager keeps it) and, above it, a centre's own days (its manager's).
Deadlines such as the 好差评 rule's 15 working days count a centre's working days."""

from __future__ import annotations

import datetime as dt

from app import audit
from app.centres import scope
from app.centres.settings import load_settings
from app.centres.wall import require_district
from app.errors import PatrolError, PermissionDenied
from app.roles import require_role
from app.storage.models import CalendarDay, Centre, CentreDay
from app.storage.proxy import db

KINDS = {"holiday": "放假", "workday": "调休上班"}
MAX_SPAN = 400  # days in one entry: a year's calendar at most


def _own_days(centre_id) -> int | None:
    """The centre whose own days count: a centre of a district (a one-centre database keeps one
    calendar, the district's)."""
    cid = scope.resolve(centre_id)
    return cid if cid is not None and scope.is_district() else None


def calendar(start: dt.date, end: dt.date, centre_id=scope.SOLE) -> dict[dt.date, str]:
    """day -> kind for the days a centre's calendar names in [start, end): the district's, and the
    centre's own above them (None: the district's alone)."""
    query = CalendarDay.select(CalendarDay.day, CalendarDay.kind).where((CalendarDay.day >= start) & (CalendarDay.day < end))
    known = dict(query.tuples())
    own = _own_days(centre_id)
    if own is not None:
        known.update(CentreDay.select(CentreDay.day, CentreDay.kind)
                     .where((CentreDay.centre == own) & (CentreDay.day >= start) & (CentreDay.day < end)).tuples())
    return known


def is_workday(day: dt.date, known: dict[dt.date, str]) -> bool:
    kind = known.get(day)
    if kind == "holiday":
        return False
    return kind == "workday" or day.weekday() < 5


def add_workdays(start: dt.date, count: int, known: dict[dt.date, str] | None = None,
                 centre_id=scope.SOLE) -> dt.date:
    """The day `count` of a centre's working days after `start` (the start itself not counted); `known`:
    the calendar already read, for many deadlines at once."""
    if count < 0:
        raise PatrolError("工作日数不能为负")
    if known is None:
        known = calendar(start, start + dt.timedelta(days=count * 3 + 60), centre_id)
    day, left = start, count
    while left:
        day += dt.timedelta(days=1)
        if is_workday(day, known):
            left -= 1
    return day


def workdays_between(start: dt.date, end: dt.date, centre_id=scope.SOLE) -> int:
    """A centre's working days after `start` up to and including `end`."""
    known = calendar(start, end + dt.timedelta(days=1), centre_id)
    return sum(1 for n in range(1, (end - start).days + 1) if is_workday(start + dt.timedelta(days=n), known))


def set_days(user, first: dt.date, last: dt.date, kind: str, name: str, reason: str, centre_id=scope.SOLE) -> int:
    """Mark every day from `first` to `last` as a holiday or a worked weekend day (or, kind "normal",
    back to the ordinary week); audited. Returns how many days changed. For the district (None, or a
    one-centre database) the shared calendar: its manager's alone. For a centre of a district, that
    centre's own days (kind "normal" removes them, so the district's stand again): its manager's or the
    district's."""
    require_role(user, "manager")
    own = _own_days(centre_id)
    if own is None:
        require_district(user, "全区节假日安排")
    elif user.centre_id is not None and user.centre_id != own:
        raise PermissionDenied(f"{Centre.get_by_id(own).name}的节假日安排只能由该中心或区级管理员修改")
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
            changed += _set_day(day, kind, name, own)
            day += dt.timedelta(days=1)
        if changed:
            audit.record(user, "calendar.change", f"calendar:{first.isoformat()}", centre=own,
                         new={"from": first.isoformat(), "to": last.isoformat(), "whose": "全区" if own is None else
                              Centre.get_by_id(own).name, "kind": KINDS.get(kind, "恢复平常"), "name": name},
                         reason=reason)
    return changed


def _set_day(day: dt.date, kind: str, name: str, own: int | None) -> int:
    """One day of the district's calendar (own None) or of a centre's own; 1 if it changed."""
    model = CalendarDay if own is None else CentreDay
    where = (model.day == day) if own is None else ((CentreDay.centre == own) & (CentreDay.day == day))
    row = model.get_or_none(where)
    if kind == "normal":
        if row is None:
            return 0
        row.delete_instance()
        return 1
    if row is not None and (row.kind, row.name) == (kind, name):
        return 0
    if row is None:
        model.create(day=day, kind=kind, name=name, **({} if own is None else {"centre": own}))
    else:
        row.kind, row.name = kind, name
        row.save()
    return 1


def listed(year: int, centre_id=scope.SOLE) -> list[tuple[dt.date, str, str, str]]:
    """(day, kind, name, whose) of a year's named days: the district's ("全区"), and a centre's own
    above them (its name)."""
    start, end = dt.date(year, 1, 1), dt.date(year + 1, 1, 1)
    days = {d: (k, n, "全区") for d, k, n in CalendarDay.select(CalendarDay.day, CalendarDay.kind, CalendarDay.name)
            .where((CalendarDay.day >= start) & (CalendarDay.day < end)).tuples()}
    own = _own_days(centre_id)
    if own is not None:
        whose = Centre.get_by_id(own).name
        days.update({d: (k, n, whose) for d, k, n in CentreDay.select(CentreDay.day, CentreDay.kind, CentreDay.name)
                     .where((CentreDay.centre == own) & (CentreDay.day >= start) & (CentreDay.day < end)).tuples()})
    return [(d, *days[d]) for d in sorted(days)]


def appeal_deadline(inspection) -> dt.date:
    """The last day an appeal against this inspection can be recorded: `appeal_days` working days after
    it was handed over (finished)."""
    handed = (inspection.finished_at or inspection.observed_at).date()
    centre = inspection.window.centre_id
    return add_workdays(handed, load_settings(inspection.observed_at.date(), centre).appeal_days, centre_id=centre)
