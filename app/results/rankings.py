"""Rankings for a period by window, staff member or department, plus 微笑之星 and 流动红旗.

Aggregates read the score stored on each finalised inspection, never the item results, so a month
of a large centre ranks in milliseconds.

Order and ties (competition ranking, 1, 2, 2, 4): anyone with a veto in the period comes after all
without one (marked; the vetoes column says how many); then higher average score (to 0.01); then
higher pass rate; then fewer vetoes; then more inspections (more evidence). Entries equal on all of
these share a rank and are listed by code. Those with fewer inspections than the centre's minimum are
not ranked but listed apart (样本不足), and the windows and staff never inspected are listed too.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import peewee as pw

from app.centres import scope
from app.centres.settings import CentreSettings, load_settings
from app.errors import PatrolError
from app.patrolling.scoring import grade_for
from app.periods import Period
from app.rounding import half_up, short
from app.storage.models import Centre, Inspection, Item, ItemResult, ProbationCase, Staff, Window

GROUPINGS = ("window", "staff", "department")
TIE_BREAKS = ("有一票否决者排在其他之后; 依平均分排名, 同分时依次比较合格率、一票否决次数、巡查次数 (多者在前); "
              "仍相同者并列, 按编号列出")


@dataclass
class RankRow:
    rank: int
    code: str
    name: str
    average_score: float
    inspections: int
    pass_rate: float  # 0..1
    deductions: float
    vetoes: int
    extra: dict = field(default_factory=dict)  # department, window, employer… for reports

    def as_dict(self) -> dict:
        return {
            "rank": self.rank, "code": self.code, "name": self.name,
            "average_score": self.average_score, "inspections": self.inspections,
            "pass_rate": self.pass_rate, "deductions": self.deductions, "vetoes": self.vetoes,
        }


def finalised_in(period: Period, centre_id=scope.SOLE):
    """Finalised inspections observed in the period, at the windows of the centre in view."""
    return (
        (Inspection.status == "final")
        & (Inspection.observed_at >= period.start_dt)
        & (Inspection.observed_at < period.end_dt)
        & scope.inspections(centre_id)
    )


def _aggregates():
    passed = pw.fn.SUM(pw.Case(None, [(Inspection.passed == True, 1)], 0))  # noqa: E712
    vetoed = pw.fn.SUM(pw.Case(None, [(Inspection.vetoed == True, 1)], 0))  # noqa: E712
    return (
        pw.fn.AVG(Inspection.score).alias("avg"),
        pw.fn.COUNT(Inspection.id).alias("n"),
        passed.alias("passed"),
        pw.fn.SUM(Inspection.deductions).alias("ded"),
        vetoed.alias("vetoes"),
    )


def _query(by: str, period: Period, centre_id=scope.SOLE):
    aggs = _aggregates()
    if by == "window":
        # By window id: two centres of a district may both have an A01.
        return (
            Inspection.select(Window.code.alias("code"), Window.name.alias("name"),
                              Window.department.alias("department"), Centre.code.alias("centre_code"),
                              Centre.name.alias("centre_name"), *aggs)
            .join(Window).join(Centre, pw.JOIN.LEFT_OUTER, on=(Window.centre == Centre.id)).where(finalised_in(period,
                                                                                                               centre_id=centre_id))
            .group_by(Window.id, Window.code, Window.name, Window.department, Centre.code, Centre.name)
        )
    if by == "staff":
        return (
            Inspection.select(Staff.employee_no.alias("code"), Staff.name.alias("name"),
                              Staff.employer.alias("employer"), Centre.code.alias("centre_code"),
                              Centre.name.alias("centre_name"), *aggs)
            .join(Staff).join(Centre, pw.JOIN.LEFT_OUTER, on=(Staff.centre == Centre.id)).where(finalised_in(period,
                                                                                                             centre_id=centre_id))
            .group_by(Staff.employee_no, Staff.name, Staff.employer, Centre.code, Centre.name)
        )
    if by == "department":
        return (
            Inspection.select(Window.department.alias("code"), Window.department.alias("name"), *aggs)
            .join(Window).where(finalised_in(period, centre_id=centre_id))
            .group_by(Window.department)
        )
    raise PatrolError(f"未知排名方式 {by!r} (可选: {', '.join(GROUPINGS)})")


def _sort_key(row: RankRow) -> tuple:
    return (row.vetoes > 0, -row.average_score, -half_up(row.pass_rate, 4), row.vetoes, -row.inspections)


def rank(period: Period, by: str = "window", settings: CentreSettings | None = None,
         centre_id=scope.SOLE) -> list[RankRow]:
    """Rank every window / staff member / department with at least the minimum number of finalised
    inspections in the period (those with fewer: `too_few`); the vetoed come last, or are left out
    (`left_out`) when the scheme says so. Each row carries the grade of its average and a note."""
    rows = _placed(period, by, settings, centre_id=centre_id)[0]
    rows.sort(key=lambda row: (_sort_key(row), row.code))
    previous = None
    for position, row in enumerate(rows, start=1):
        key = _sort_key(row)
        row.rank = position if key != previous else rows[position - 2].rank
        previous = key
    return rows


def tie_breaks(settings: CentreSettings | None = None, centre_id=scope.SOLE) -> str:
    """The ranking rule as printed under every ranking."""
    settings = settings or load_settings(centre_id=centre_id)
    text = TIE_BREAKS if settings.veto_ranking == "排在最后" else TIE_BREAKS.replace(
        "有一票否决者排在其他之后", "有一票否决者不参加排名, 另列")
    if settings.ranking_min_inspections > 1:
        text += f"; 巡查少于 {settings.ranking_min_inspections} 次者样本不足, 不参加排名, 另列"
    return text


def _mark(rows: list[RankRow], period: Period, centre_id=scope.SOLE) -> None:
    """The grade of each average (by the rules in force at the period's end; a veto grades as a fail)
    and a note saying why a row stands where it does."""
    rules = load_settings(period.last_day, centre_id=centre_id)
    for row in rows:
        row.extra["grade"] = grade_for(row.average_score, row.vetoes > 0, rules.grades, rules.fail_grade)
        if row.vetoes:
            row.extra["note"] = f"一票否决 {row.vetoes} 次"


def _placed(period: Period, by: str, settings: CentreSettings | None, centre_id=scope.SOLE) -> tuple[list, list, list]:
    """One pass over the period's aggregates: (to rank, 样本不足, vetoed and left out), the first and
    last marked with their grades; the last two by code."""
    settings = settings or load_settings(centre_id=centre_id)
    ranked, few, out = [], [], []
    for r in _rows(period, by, centre_id=centre_id):
        if r.inspections < settings.ranking_min_inspections:
            few.append(r)
        elif r.vetoes and settings.veto_ranking == "不参加排名":
            out.append(r)
        else:
            ranked.append(r)
    _mark(ranked + out, period, centre_id=centre_id)
    return ranked, sorted(few, key=lambda r: r.code), sorted(out, key=lambda r: r.code)


def left_out(period: Period, by: str, settings: CentreSettings | None = None,
             centre_id=scope.SOLE) -> list[RankRow]:
    """The vetoed, when the scheme leaves them out of the ranking (else none), by code."""
    return _placed(period, by, settings, centre_id=centre_id)[2]


@dataclass(frozen=True)
class Unranked:
    """A window or person of the period that has no rank, and why."""

    why: str  # 样本不足 / 一票否决 / 本期未巡查
    code: str
    name: str
    inspections: int
    detail: str


def unranked(period: Period, by: str, settings: CentreSettings | None = None, centre_id=scope.SOLE) -> list[Unranked]:
    """Everyone active the ranking does not place: too few inspections, vetoed and left out, never
    inspected (coverage), each with its reason."""
    settings = settings or load_settings(centre_id=centre_id)
    _, few, vetoed = _placed(period, by, settings, centre_id=centre_id)
    out = [Unranked("样本不足", r.code, r.name, r.inspections,
                    f"巡查 {r.inspections} 次, 少于 {settings.ranking_min_inspections} 次") for r in few]
    out += [Unranked("一票否决", r.code, r.name, r.inspections, f"一票否决 {r.vetoes} 次, 按规定不参加排名")
            for r in vetoed]
    out += [Unranked("本期未巡查", code, name, 0, "本期没有已定稿的巡查记录") for code, name in never_inspected(period, by,
                                                                                               centre_id=centre_id)]
    return out


def too_few(period: Period, by: str, settings: CentreSettings | None = None,
            centre_id=scope.SOLE) -> list[RankRow]:
    """样本不足: inspected, but fewer times than the centre ranks (rank 0), by code."""
    return _placed(period, by, settings, centre_id=centre_id)[1]


def never_inspected(period: Period, by: str, centre_id=scope.SOLE) -> list[tuple[str, str]]:
    """(code, name) of the active windows or staff with no finalised inspection in the period."""
    if by == "window":
        seen = {i for (i,) in Inspection.select(Inspection.window).where(finalised_in(period,
                                                                                      centre_id=centre_id)).distinct().tuples()}
        return [(c, n) for i, c, n in Window.select(Window.id, Window.code, Window.name)
                .where((Window.active == True) & scope.windows(centre_id))  # noqa: E712
                .order_by(Window.centre, Window.code).tuples() if i not in seen]
    if by == "staff":
        seen = {c for (c,) in Inspection.select(Staff.employee_no).join(Staff).where(finalised_in(period,
                                                                                                  centre_id=centre_id)).distinct().tuples()}
        return [(c, n) for c, n in Staff.select(Staff.employee_no, Staff.name)
                .where((Staff.status == "active") & scope.staff(centre_id)).order_by(Staff.employee_no).tuples() if c not in seen]
    return []


def _rows(period: Period, by: str, centre_id=scope.SOLE) -> list[RankRow]:
    rows = []
    for r in _query(by, period, centre_id=centre_id).dicts():
        n = int(r["n"])
        extra = {k: r[k] for k in ("department", "employer", "centre_code", "centre_name") if k in r}
        rows.append(RankRow(
            rank=0, code=str(r["code"] or "(未填部门)"), name=str(r["name"] or "(未填部门)"),
            average_score=half_up(float(r["avg"])), inspections=n,
            pass_rate=half_up(int(r["passed"]) / n, 4), deductions=half_up(float(r["ded"] or 0)),
            vetoes=int(r["vetoes"]), extra=extra,
        ))
    return rows


@dataclass
class StarCandidate:
    row: RankRow
    reasons: list[str]  # why not eligible; empty when on the shortlist


def smile_star_candidates(period: Period, settings: CentreSettings | None = None,
                          centre_id=scope.SOLE) -> list[StarCandidate]:
    """Every ranked staff member with the reasons (if any) that keep them off the 微笑之星 shortlist."""
    settings = settings or load_settings(centre_id=centre_id)
    staff_rows = rank(period, "staff", settings, centre_id=centre_id)
    on_probation = {
        emp for (emp,) in ProbationCase.select(Staff.employee_no).join(Staff)
        .where((ProbationCase.opened_on < period.end) & (ProbationCase.ends_on >= period.start))
        .tuples()
    }
    disqualified = {
        emp for (emp,) in ItemResult.select(Staff.employee_no)
        .join(Item).switch(ItemResult).join(Inspection).join(Staff)
        .where(finalised_in(period,
                            centre_id=centre_id) & (ItemResult.result == "fail") & (Item.disqualifies_award == True))  # noqa: E712
        .distinct().tuples()
    }
    checked = []
    for row in staff_rows:
        reasons = []
        if row.inspections < settings.smile_star_min_inspections:
            reasons.append(f"巡查次数 {row.inspections} 少于 {settings.smile_star_min_inspections}")
        if row.average_score < settings.smile_star_min_score:
            reasons.append(f"平均分 {short(row.average_score)} 低于 {settings.smile_star_min_score:g}")
        if row.vetoes:
            reasons.append("有一票否决")
        if row.code in on_probation:
            reasons.append("处于考察期")
        if row.code in disqualified:
            reasons.append("有取消评先资格的行为")
        checked.append((row, reasons))
    # The places go down the ranking; people tied at the last place share it (equal on every measure the
    # ranking compares: the ranking order alone would decide by something no one stated).
    cut = last_place([row for row, reasons in checked if not reasons], settings.smile_star_max)
    out = []
    for row, reasons in checked:
        if not reasons and cut is not None and row.rank > cut:
            reasons.append(f"名额已满 (名额 {settings.smile_star_max}, 评至第 {cut} 名; 本人排名第 {row.rank} 名)")
        out.append(StarCandidate(row, reasons))
    return out


def last_place(rows: list[RankRow], places: int) -> int | None:
    """The rank of the last place an award of `places` places reaches in rows that qualify (best first);
    None when every row gets one. Everyone tied at that rank shares it."""
    return rows[places - 1].rank if len(rows) > places else None


def smile_stars(period: Period, settings: CentreSettings | None = None, centre_id=scope.SOLE) -> list[RankRow]:
    """The 微笑之星 shortlist: eligible staff in ranking order, the configured number of places (people
    tied at the last place share it)."""
    settings = settings or load_settings(centre_id=centre_id)
    return [c.row for c in smile_star_candidates(period, settings, centre_id=centre_id) if not c.reasons]


def red_flag_windows(period: Period, settings: CentreSettings | None = None, centre_id=scope.SOLE) -> list[RankRow]:
    """流动红旗: the top windows of the period without a veto, the configured number of places (windows
    tied at the last place share it)."""
    settings = settings or load_settings(centre_id=centre_id)
    rows = [r for r in rank(period, "window", settings, centre_id=centre_id) if r.vetoes == 0]
    cut = last_place(rows, settings.red_flag_windows)
    return [r for r in rows if cut is None or r.rank <= cut]
