"""The district's centres ranked as units: by average score, then inspection coverage, then pass rate, with
the probation cases opened and closed and the share of staff on probation (seed 000 三.3 rewards the
units that carry the programme out best); and the district office's report of a period."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import peewee as pw

from app.centres.district import KINDS, centres
from app.centres.settings import load_settings
from app.errors import PatrolError
from app.periods import Period
from app.results.rankings import rank, tie_breaks
from app.rounding import half_up
from app.storage.models import Inspection, ProbationCase, Staff, Window

METHOD = ("各中心按本期已定稿巡查的平均分排名 (每次巡查同等计入, 保留两位小数); 平均分相同的依次比较巡查覆盖率、"
          "合格率; 仍相同者并列 (如 1、2、2、4), 按中心编码列出。覆盖率 = 本期巡查达到规定次数的在用窗口数 ÷ 在用窗口数; "
          "合格率 = 合格巡查次数 ÷ 巡查次数; 考察期人员占比 = 本期内处于考察期的人数 ÷ 在岗人数。本期没有巡查的中心不参加排名, 另列")


@dataclass
class CentreRow:
    rank: int  # 0: not ranked (no inspections in the period)
    code: str
    name: str
    kind: str  # 区中心 / 分中心 / 街镇中心
    windows: int  # active windows
    covered: int  # of them, inspected at least the required number of times
    inspections: int
    average_score: float | None
    passed: int
    cases_opened: int
    cases_closed: int
    staff: int  # active staff
    on_probation: int  # people with a case running at some time in the period

    @property
    def coverage(self) -> float:
        return half_up(self.covered / self.windows, 4) if self.windows else 0.0

    @property
    def pass_rate(self) -> float:
        return half_up(self.passed / self.inspections, 4) if self.inspections else 0.0

    @property
    def probation_share(self) -> float:
        return half_up(self.on_probation / self.staff, 4) if self.staff else 0.0

    def as_dict(self) -> dict:
        return {"rank": self.rank, "code": self.code, "name": self.name, "kind": self.kind, "windows": self.windows,
                "covered": self.covered, "coverage": self.coverage, "inspections": self.inspections,
                "average_score": self.average_score, "pass_rate": self.pass_rate, "cases_opened": self.cases_opened,
                "cases_closed": self.cases_closed, "staff": self.staff, "on_probation": self.on_probation,
                "probation_share": self.probation_share}


def _in(period: Period):
    return ((Inspection.status == "final") & (Inspection.observed_at >= period.start_dt)
            & (Inspection.observed_at < period.end_dt))


def centre_rows(period: Period, required: int | None = None) -> list[CentreRow]:
    """Every centre's figures for the period (a handful of grouped queries, whatever the district's size),
    coverage counted by the district centre's setting unless `required` is given."""
    required = required or load_settings(None, None).coverage_min_inspections
    windows = Counter(dict(Window.select(Window.centre, pw.fn.COUNT(Window.id)).where(Window.active == True)  # noqa: E712
                           .group_by(Window.centre).tuples()))
    passed_expr = pw.fn.SUM(pw.Case(None, [(Inspection.passed == True, 1)], 0))  # noqa: E712
    figures = {c: (n, avg, p) for c, n, avg, p in
               Inspection.select(Window.centre, pw.fn.COUNT(Inspection.id), pw.fn.AVG(Inspection.score), passed_expr)
               .join(Window).where(_in(period)).group_by(Window.centre).tuples()}
    per_window = (Inspection.select(Window.centre, Inspection.window).join(Window)
                  .where(_in(period) & (Window.active == True))  # noqa: E712
                  .group_by(Window.centre, Inspection.window).having(pw.fn.COUNT(Inspection.id) >= required).tuples())
    covered = Counter(c for c, _ in per_window)
    # A case belongs to the centre whose window's inspection opened it; one without (an old import) to
    # the person's centre.
    opening_centre = pw.fn.COALESCE(Window.centre, Staff.centre)
    cases = (ProbationCase.select(ProbationCase.opened_on, ProbationCase.closed_at, ProbationCase.status, opening_centre,
                                  ProbationCase.staff, ProbationCase.ends_on)
             .join(Staff).switch(ProbationCase)
             .join(Inspection, pw.JOIN.LEFT_OUTER, on=(ProbationCase.opening_inspection == Inspection.id))
             .join(Window, pw.JOIN.LEFT_OUTER, on=(Inspection.window == Window.id))
             .where(((ProbationCase.opened_on < period.end) & (ProbationCase.ends_on >= period.start)
                     | ((ProbationCase.closed_at >= period.start_dt) & (ProbationCase.closed_at < period.end_dt)))
                    # withdrawn (its opening inspection amended to a pass): it counts nowhere, as if never opened
                    & ((Inspection.passed == False) | Inspection.id.is_null()))  # noqa: E712
             .tuples())
    opened, closed, people = Counter(), Counter(), {}
    for opened_on, closed_at, status, centre, staff, ends_on in cases:
        if period.start <= opened_on < period.end:
            opened[centre] += 1
        if closed_at is not None and period.start_dt <= closed_at < period.end_dt and status in ("cleared", "returned"):
            closed[centre] += 1
        if opened_on < period.end and ends_on >= period.start:
            people.setdefault(centre, set()).add(staff)
    staff = Counter(dict(Staff.select(Staff.centre, pw.fn.COUNT(Staff.id)).where(Staff.status == "active")
                         .group_by(Staff.centre).tuples()))
    rows = []
    for c in centres():
        n, avg, p = figures.get(c.id, (0, None, 0))
        rows.append(CentreRow(0, c.code, c.name, KINDS.get(c.kind, c.kind), windows[c.id], covered[c.id], int(n or 0),
                              half_up(float(avg)) if avg is not None else None, int(p or 0), opened[c.id], closed[c.id],
                              staff[c.id], len(people.get(c.id, ()))))
    return rows


def _key(row: CentreRow) -> tuple:
    return (-(row.average_score or 0), -row.coverage, -row.pass_rate)


def rank_centres(period: Period, required: int | None = None) -> list[CentreRow]:
    """The centres inspected in the period, ranked (competition ranking: 1, 2, 2, 4); then, unranked,
    those not inspected."""
    rows = centre_rows(period, required)
    ranked = sorted((r for r in rows if r.inspections), key=lambda r: (_key(r), r.code))
    for position, row in enumerate(ranked, start=1):
        row.rank = position if position == 1 or _key(row) != _key(ranked[position - 2]) else ranked[position - 2].rank
    return ranked + sorted((r for r in rows if not r.inspections), key=lambda r: r.code)


@dataclass
class DistrictReport:
    """What the district office files for a period: the centres ranked, and windows and staff ranked
    across the district."""

    period: Period
    name: str  # the district centre's name
    centres: list[CentreRow]
    windows: list  # rankings.RankRow, across every centre
    staff: list
    method: str
    window_rule: str


def district_report(period: Period) -> DistrictReport:
    """The district's report: its centres ranked, and windows and staff across every centre (by the
    district centre's rules)."""
    rows = rank_centres(period)
    if not any(r.inspections for r in rows):
        raise PatrolError(f"{period.label}全区没有已定稿的巡查记录")
    windows, staff = rank(period, "window", centre_id=None), rank(period, "staff", centre_id=None)
    rule = tie_breaks(centre_id=None)
    return DistrictReport(period, centres()[0].name, rows, windows, staff, METHOD, rule)
