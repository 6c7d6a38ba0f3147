"""A person's year on one sheet, to hand to them: patrols month by month, 好差评, conduct and praise,
probation, and the year's assessment under each scheme in force with its award status and why."""

from __future__ import annotations

from dataclasses import dataclass, field

import peewee as pw

from app import periods
from app.assessment import assess as assessing
from app.assessment import awards, events
from app.assessment.schemes import schemes_on
from app.centres import scope
from app.domain import PROBATION_STATUSES
from app.errors import PatrolError
from app.periods import months_in
from app.rounding import half_up
from app.storage.models import Inspection, ProbationCase, ProbationEvent, Rating, Staff


@dataclass(frozen=True)
class MonthLine:
    label: str
    inspections: int
    average: float | None
    failed: int
    vetoes: int
    ratings: int
    satisfaction: float | None


@dataclass(frozen=True)
class SchemeLine:
    scheme: str
    total: float | None
    grade: str
    rank: int
    of: int
    parts: str  # each component's points, in words
    award: str  # e.g. "列入年度评先评优", or the reasons left out


@dataclass
class PersonYear:
    year: int
    employee_no: str
    name: str
    window: str
    employer: str
    months: list[MonthLine] = field(default_factory=list)
    events: list[events.EventRow] = field(default_factory=list)
    cases: list[tuple[str, str, str]] = field(default_factory=list)  # (from, to, status)
    schemes: list[SchemeLine] = field(default_factory=list)


def person_year(employee_no: str, year: int, centre_id=scope.SOLE) -> PersonYear:
    person = Staff.get_or_none((Staff.employee_no == employee_no) & scope.staff(centre_id))
    if person is None:
        raise PatrolError(f"本中心没有工号 {employee_no}")
    period = periods.year(str(year))
    out = PersonYear(year, person.employee_no, person.name,
                     f"{person.window.code} {person.window.name}" if person.window_id else "", person.employer)
    failed = pw.fn.SUM(pw.Case(None, [(Inspection.passed == False, 1)], 0))  # noqa: E712
    vetoed = pw.fn.SUM(pw.Case(None, [(Inspection.vetoed == True, 1)], 0))  # noqa: E712
    for m in months_in(period):
        n, avg, fails, vetoes = (Inspection.select(pw.fn.COUNT(Inspection.id), pw.fn.AVG(Inspection.score), failed, vetoed)
                                 .where((Inspection.staff == person.id) & (Inspection.status == "final")
                                        & (Inspection.observed_at >= m.start_dt) & (Inspection.observed_at < m.end_dt))
                                 .tuples().first())
        good = pw.fn.SUM(Rating.very_satisfied + Rating.satisfied + Rating.basic)
        total = pw.fn.SUM(Rating.very_satisfied + Rating.satisfied + Rating.basic + Rating.dissatisfied
                          + Rating.very_dissatisfied)
        g, t = Rating.select(good, total).where((Rating.staff == person.id) & (Rating.month == f"{m.start:%Y-%m}")).tuples().first()
        out.months.append(MonthLine(f"{m.start.month}月", int(n or 0), half_up(avg) if avg is not None else None,
                                    int(fails or 0), int(vetoes or 0), int(t or 0),
                                    half_up(100 * g / t) if t else None))
    out.events = events.events(start=period.start, end=period.last_day, staff_id=person.id, centre_id=centre_id)
    withdrawn = {c for (c,) in ProbationEvent.select(ProbationEvent.case).where(ProbationEvent.kind == "withdrawn").tuples()}

    for case in (ProbationCase.select().where((ProbationCase.staff == person.id) & (ProbationCase.opened_on < period.end)
                                              & (ProbationCase.ends_on >= period.start)).order_by(ProbationCase.opened_on)):
        status = "已撤销" if case.id in withdrawn else PROBATION_STATUSES.get(case.status, case.status)
        out.cases.append((case.opened_on.isoformat(), case.ends_on.isoformat(), status))
    for scheme in schemes_on(period.start, centre_id=centre_id):
        if scheme.subject != "staff":
            continue
        result = assessing.assess(period, scheme, centre_id=centre_id)
        row = result.by_id().get(person.id)
        if row is None:
            continue
        parts = "; ".join(f"{p.name} {p.points:+g}" if p.kind in ("conduct", "praise") else
                          f"{p.name} {'缺' if p.value is None else f'{p.value:g}'}" for p in row.parts)
        award = ""
        if "annual" in scheme.awards:
            listed = awards.candidates(result, "annual")
            if any(r.subject_id == person.id for r in listed.winners):
                award = f"列入{listed.award.name}"
            else:
                reasons = next((x.reasons for x in listed.excluded if x.code == person.employee_no), ())
                award = f"未列入{listed.award.name}" + (": " + "; ".join(reasons) if reasons else "")
        out.schemes.append(SchemeLine(scheme.name, row.total, row.grade, row.rank, len(result.rows), parts, award))
    return out

