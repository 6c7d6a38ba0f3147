"""A scheme applied to a period: each window or person's score from its components, each component's
contribution shown, ranked. Pure arithmetic over figures gathered once per period.

Month: Σ weight × value / 100 of the weighted components (patrol average, 好差评 satisfaction, votes),
plus praise points, minus conduct points (each within its cap). Quarter and year: the same over their
own components, where `months` is the mean of the subject's month scores (each month assessed by the
version of the scheme in force in that month). A subject missing a weighted value that has no
default is not assessed, and is listed apart with what is missing. Scores are rounded to the cent.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import peewee as pw

from app.assessment.ratings import satisfaction
from app.assessment.schemes import Component, Scheme, scheme_for
from app.centres import scope
from app.centres.settings import load_settings
from app.errors import PatrolError
from app.periods import Period, level_of, months_in, period_key
from app.rounding import half_up, short
from app.storage.models import Inspection, PersonEvent, Rectification, Staff, Vote, Window


@dataclass(frozen=True)
class Part:
    name: str
    kind: str
    value: float | None  # the component's own figure (a score, a rate, points)
    weight: float  # percent; 0 for conduct and praise
    points: float  # what it adds to the total (negative for conduct)
    detail: str = ""


ADJUSTMENT_KINDS = ("conduct", "praise", "repeats")  # points added or taken off, not weighted


@dataclass
class Row:
    subject_id: int
    code: str  # window code / employee number
    name: str
    parts: list[Part]
    total: float | None
    missing: list[str]
    inspections: int
    vetoes: int
    grade: str = ""
    rank: int = 0
    extra: dict = field(default_factory=dict)


@dataclass
class Assessment:
    scheme: Scheme
    period: Period
    level: str
    rows: list[Row]  # assessed, ranked
    unassessed: list[Row]
    centre_id: int | None = None  # the centre assessed (its awards are decided on its records)

    @property
    def method(self) -> str:
        return (self.scheme.describe(self.level) + "。总分相同者名次并列, 按巡查次数多者在前列出; "
                "缺少某项成绩 (且方案未设缺省值) 的不参加本期考核, 另列。")

    def by_id(self) -> dict[int, Row]:
        return {r.subject_id: r for r in self.rows + self.unassessed}


def _subjects(scheme: Scheme, centre_id=scope.SOLE) -> list[tuple[int, str, str]]:
    if scheme.subject == "window":
        query = Window.select(Window.id, Window.code, Window.name).where(scope.windows(centre_id) & (Window.active == True))  # noqa: E712
        return list(query.order_by(Window.code).tuples())
    query = Staff.select(Staff.id, Staff.employee_no, Staff.name).where(scope.staff(centre_id))
    return list(query.order_by(Staff.employee_no).tuples())


def _patrol(period: Period, by, centre_id=scope.SOLE) -> dict[int, tuple[float, int, int]]:
    """subject id -> (average score, inspections, vetoes) of the period's finalised inspections."""
    vetoed = pw.fn.SUM(pw.Case(None, [(Inspection.vetoed == True, 1)], 0))  # noqa: E712
    query = (Inspection.select(by, pw.fn.AVG(Inspection.score), pw.fn.COUNT(Inspection.id), vetoed)
             .where((Inspection.status == "final") & (Inspection.observed_at >= period.start_dt)
                    & (Inspection.observed_at < period.end_dt) & scope.inspections(centre_id) & by.is_null(False))
             .group_by(by))
    return {k: (float(a), int(n), int(v or 0)) for k, a, n, v in query.tuples()}


def _staff_of_windows(centre_id=scope.SOLE) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for sid, wid in Staff.select(Staff.id, Staff.window).where(scope.staff(centre_id) & Staff.window.is_null(False)).tuples():
        out.setdefault(wid, []).append(sid)
    return out


def _votes(period: Period, subject: str, centre_id=scope.SOLE) -> dict[tuple[str, int], float]:
    column = Vote.window if subject == "window" else Vote.staff
    query = Vote.select(Vote.name, column, Vote.score).where((Vote.period == period_key(period)) & column.is_null(False))
    cid = scope.resolve(centre_id)
    if cid is not None:
        query = query.where(Vote.centre == cid)
    return {(n, k): float(s) for n, k, s in query.tuples()}


def _event_points(period: Period, register: str, points: dict[str, float], subject: str,
                  centre_id=scope.SOLE) -> dict[int, tuple[float, list]]:
    """subject id -> (points, events) of the period's events that are not withdrawn."""
    column = PersonEvent.window if subject == "window" else PersonEvent.staff
    query = (PersonEvent.select(column, PersonEvent.kind, PersonEvent.occurred_on)
             .where((PersonEvent.register == register) & PersonEvent.withdrawn_at.is_null()
                    & (PersonEvent.occurred_on >= period.start) & (PersonEvent.occurred_on < period.end)
                    & column.is_null(False)))
    cid = scope.resolve(centre_id)
    if cid is not None:
        query = query.where(PersonEvent.centre == cid)
    out: dict[int, tuple[float, list]] = {}
    for key, kind, day in query.tuples():
        total, listed = out.get(key, (0.0, []))
        out[key] = (total + points.get(kind, 0.0), listed + [(day, kind)])
    return out


def _repeats(period: Period, scheme: Scheme, centre_id=scope.SOLE) -> dict[int, tuple[float, list]]:
    """subject id -> (points, faults) for the period's repeated faults (rectification items marked as a
    repeat of the same item by the same person), at the scheme's points each."""
    column = Rectification.window if scheme.subject == "window" else Rectification.staff
    query = (Rectification.select(column, Rectification.item_code, Rectification.opened_on)
             .where((Rectification.repeats > 0) & (Rectification.state != "withdrawn")
                    & (Rectification.opened_on >= period.start) & (Rectification.opened_on < period.end)
                    & column.is_null(False)))
    cid = scope.resolve(centre_id)
    if cid is not None:
        query = query.where(Rectification.centre == cid)
    out: dict[int, tuple[float, list]] = {}
    for key, code, day in query.tuples():
        total, listed = out.get(key, (0.0, []))
        out[key] = (total + scheme.repeat_points, listed + [(day, code)])
    return out


def _rating(period: Period, subject: str, centre_id=scope.SOLE) -> dict[int, float]:
    """Satisfaction (%) from the imported 好差评 ratings of the period, when there are any."""
    return satisfaction(period, subject, centre_id=centre_id)


def _clip(value: float, c: Component) -> float:
    if c.cap is not None:
        value = min(value, c.cap)
    if c.floor is not None:
        value = max(value, c.floor)
    return value


def assess(period: Period, scheme: Scheme | None = None, code: str = "DEFAULT", centre_id=scope.SOLE) -> Assessment:
    """Every window or person of the centre in view under a scheme (by default the version of `code` in
    force on the period's first day)."""
    scheme = scheme or scheme_for(code, period.start, centre_id=centre_id)
    level = level_of(period)
    components = scheme.levels[level]
    subjects = _subjects(scheme, centre_id=centre_id)
    own_by = Inspection.window if scheme.subject == "window" else Inspection.staff
    own = _patrol(period, own_by, centre_id=centre_id)
    people = _patrol(period, Inspection.staff, centre_id=centre_id) if any(c.of == "staff" for c in components) else {}
    staff_at = _staff_of_windows(centre_id=centre_id) if people else {}
    votes = _votes(period, scheme.subject, centre_id=centre_id) if any(c.kind == "vote" for c in components) else {}
    conduct = (_event_points(period, "conduct", scheme.conduct_points, scheme.subject, centre_id=centre_id)
               if any(c.kind == "conduct" for c in components) else {})
    praise = (_event_points(period, "praise", scheme.praise_points, scheme.subject, centre_id=centre_id)
              if any(c.kind == "praise" for c in components) else {})
    ratings = _rating(period, scheme.subject,
                      centre_id=centre_id) if any(c.kind == "rating" for c in components) else {}
    repeats = _repeats(period, scheme, centre_id=centre_id) if any(c.kind == "repeats" for c in components) else {}
    month_totals: dict[int, list[float]] = {}
    # A month without a total (no patrol) still had its conduct and praise: they count in the longer period.
    month_adjustments: dict[int, float] = {}
    carried = set(ADJUSTMENT_KINDS) - {c.kind for c in components}  # a kind counted here is not counted twice
    if any(c.kind == "months" for c in components):
        for m in months_in(period):
            result = assess(m, _version_for(scheme, m, centre_id=centre_id), centre_id=centre_id)
            for row in result.rows:
                month_totals.setdefault(row.subject_id, []).append(row.total)
            for row in result.unassessed:
                points = sum(p.points for p in row.parts if p.kind in carried)
                if points:
                    month_adjustments[row.subject_id] = month_adjustments.get(row.subject_id, 0.0) + points
    rows: list[Row] = []
    for sid, code_, name in subjects:
        parts, missing = [], []
        avg, count, vetoes = own.get(sid, (None, 0, 0))
        for c in components:
            value, detail = None, ""
            if c.kind == "patrol":
                if c.of == "staff":
                    figures = [people[p][0] for p in staff_at.get(sid, []) if p in people]
                    value = sum(figures) / len(figures) if figures else None
                    detail = f"{len(figures)} 人的平均" if figures else ""
                else:
                    value = avg
                    detail = f"{count} 次巡查" if count else ""
            elif c.kind == "vote":
                value = votes.get((c.vote, sid))
            elif c.kind == "rating":
                value = ratings.get(sid)
            elif c.kind == "months":
                listed = month_totals.get(sid, [])
                value = sum(listed) / len(listed) if listed else None
                detail = f"{len(listed)} 个月" if listed else ""
                extra = month_adjustments.get(sid, 0.0)
                if value is not None and extra:
                    value += extra
                    detail += f", 另计无巡查月份的加减分 {'+' if extra > 0 else ''}{short(extra)}"
            elif c.kind in ("conduct", "praise", "repeats"):
                raw, events = {"conduct": conduct, "praise": praise, "repeats": repeats}[c.kind].get(sid, (0.0, []))
                value = _clip(raw, c)
                sign = 1 if c.kind == "praise" else -1
                # The value shown is the value counted; what the cap left out is said beside it.
                detail = (f"{len(events)} 条" + (f", 共 {short(raw)} 分, 超出上限 {short(raw - value)} 分不计"
                                                 if raw > value else "")) if events else ""
                parts.append(Part(c.name, c.kind, half_up(value), 0.0, half_up(sign * value), detail))
                continue
            if value is None and c.default is not None:
                value, detail = c.default, "缺省值"
            if value is None:
                missing.append(c.name)
                parts.append(Part(c.name, c.kind, None, c.weight, 0.0))
                continue
            value = _clip(value, c)
            parts.append(Part(c.name, c.kind, half_up(value), c.weight, half_up(value * c.weight / 100, 4), detail))
        total = None if missing else half_up(max(0.0, sum(p.points for p in parts)))
        rows.append(Row(sid, code_, name, parts, total, missing, count, vetoes))
    assessed = [r for r in rows if r.total is not None]
    # A veto means here what it means in the patrol ranking (the centre's setting): last, or not ranked.
    veto_rule = load_settings(period.last_day, centre_id=centre_id).veto_ranking
    assessed.sort(key=lambda r: (r.vetoes > 0, -r.total, -r.inspections, r.code))
    previous = None
    for n, row in enumerate(assessed, 1):
        if row.vetoes and veto_rule == "不参加排名":
            row.rank, row.extra["left_out"] = 0, f"一票否决 {row.vetoes} 次, 按规定不参加排名"
            continue
        same = previous is not None and previous.total == row.total and bool(previous.vetoes) == bool(row.vetoes)
        row.rank = previous.rank if same else n
        previous = row
    grades = scheme.grades or _centre_grades(period, centre_id=centre_id)
    for row in assessed:
        row.grade = next((g.label for g in grades if row.total >= g.min_score), _fail_grade(period,
                                                                                            centre_id=centre_id))
    return Assessment(scheme, period, level, assessed, [r for r in rows if r.total is None and _relevant(r)],
                      scope.resolve(centre_id))


def _version_for(scheme: Scheme, month: Period, centre_id=scope.SOLE) -> Scheme:
    """A stored scheme's month is assessed by the version in force then; a proposed one (a what-if)
    by itself throughout."""
    if not scheme.version:
        return scheme
    try:
        return scheme_for(scheme.code, month.start, centre_id=centre_id)
    except PatrolError:  # a month before the scheme's first version
        return scheme


def _relevant(row: Row) -> bool:
    """Listed apart only if something of the period is known about them (not every idle roster line)."""
    return row.inspections > 0 or any(p.value not in (None, 0.0) for p in row.parts)


def _centre_grades(period: Period, centre_id=scope.SOLE):
    return sorted(load_settings(period.last_day, centre_id=centre_id).grades, key=lambda g: -g.min_score)


def _fail_grade(period: Period, centre_id=scope.SOLE) -> str:
    return load_settings(period.last_day, centre_id=centre_id).fail_grade
