"""Awards from an assessment: 流动红旗 (the top windows), 服务标兵 / 微笑之星 candidates and the year's
评先评优 list, with every person left out and why (the event or inspection, and its date).

Seed 004 五 takes a person out of the year's awards for any of its eight kinds of conduct; the scheme
names which kinds (`[conduct] disqualify`). A withdrawn event counts nowhere.
"""

from __future__ import annotations

from dataclasses import dataclass

import peewee as pw

from app.assessment.assess import Assessment, Row
from app.assessment.events import _label
from app.assessment.schemes import LEVELS, Award, extra_kinds
from app.centres import scope
from app.errors import PatrolError
from app.periods import Period, cn_date
from app.storage.models import Inspection, PersonEvent, ProbationCase, ProbationEvent


@dataclass(frozen=True)
class Exclusion:
    code: str
    name: str
    reasons: tuple[str, ...]


@dataclass
class AwardList:
    award: Award
    period: Period
    winners: list[Row]
    excluded: list[Exclusion]
    method: str


def _top(rows: list[Row], top: int | None) -> list[Row]:
    """The first `top` places; a tie at the last place takes everyone tied."""
    if top is None or len(rows) <= top:
        return rows
    cut = rows[top - 1].rank
    return [r for r in rows if r.rank <= cut]


def red_flags(assessment: Assessment) -> AwardList:
    award = assessment.scheme.awards.get("red_flag")
    if award is None or assessment.level not in award.periods:
        raise PatrolError(f"考核方案 {assessment.scheme.code} 没有{assessment.period.label}的流动红旗")
    # A veto in the period bars the flag, as it bars the patrol ranking's and every award's.
    winners = _top([r for r in assessment.rows if not r.vetoes], award.top)
    excluded = [Exclusion(r.code, r.name, (f"{assessment.period.label}一票否决 {r.vetoes} 次",))
                for r in assessment.rows if r.vetoes]
    places = f"取前 {award.top} 名 (并列者同获)" if award.top else "评定, 不限名额"
    return AwardList(award, assessment.period, winners, excluded,
                     f"按{assessment.scheme.name}的总分{places}; 有一票否决者不得")


def _vetoes(staff_ids: list[int], period: Period, centre_id=scope.SOLE) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    query = (Inspection.select(Inspection.staff, Inspection.observed_at)
             .where((Inspection.status == "final") & (Inspection.vetoed == True)  # noqa: E712
                    & (Inspection.observed_at >= period.start_dt) & (Inspection.observed_at < period.end_dt)
                    & Inspection.staff.in_(staff_ids) & scope.inspections(centre_id)))
    for sid, at in query.tuples():
        out.setdefault(sid, []).append(f"{cn_date(at.date())}巡查一票否决")
    return out


def _full_scores(staff_ids: list[int], period: Period, centre_id=scope.SOLE) -> set[int]:
    """People every one of whose finalised inspections in the period lost no point (英德: 满分)."""
    query = (Inspection.select(Inspection.staff, pw.fn.COUNT(Inspection.id), pw.fn.SUM(Inspection.deductions))
             .where((Inspection.status == "final") & (Inspection.observed_at >= period.start_dt)
                    & (Inspection.observed_at < period.end_dt) & Inspection.staff.in_(staff_ids) & scope.inspections(centre_id))
             .group_by(Inspection.staff))
    return {sid for sid, n, lost in query.tuples() if n and not lost}


def _probation(staff_ids: list[int], period: Period) -> dict[int, list[str]]:
    """Cases that ran during the period and were not withdrawn (a withdrawn case never happened)."""
    withdrawn = ProbationEvent.select(ProbationEvent.case).where(ProbationEvent.kind == "withdrawn")
    query = (ProbationCase.select(ProbationCase.staff, ProbationCase.opened_on, ProbationCase.ends_on)
             .where(ProbationCase.staff.in_(staff_ids) & (ProbationCase.opened_on < period.end)
                    & (ProbationCase.ends_on >= period.start) & ProbationCase.id.not_in(withdrawn)))
    out: dict[int, list[str]] = {}
    for sid, start, end in query.tuples():
        out.setdefault(sid, []).append(f"考察期 {cn_date(start)}至{cn_date(end)}")
    return out


def _conduct(staff_ids: list[int], period: Period, kinds: frozenset[str], centre_id=scope.SOLE) -> dict[int, list[str]]:
    extra = extra_kinds("conduct", centre_id=centre_id)
    query = (PersonEvent.select(PersonEvent.staff, PersonEvent.kind, PersonEvent.occurred_on, PersonEvent.id)
             .where((PersonEvent.register == "conduct") & PersonEvent.withdrawn_at.is_null()
                    & PersonEvent.kind.in_(sorted(kinds)) & PersonEvent.staff.in_(staff_ids)
                    & (PersonEvent.occurred_on >= period.start) & (PersonEvent.occurred_on < period.end))
             .order_by(PersonEvent.occurred_on))
    out: dict[int, list[str]] = {}
    for sid, kind, day, eid in query.tuples():
        out.setdefault(sid, []).append(f"{cn_date(day)}{_label('conduct', kind, extra, centre_id=centre_id)} (违规记录 {eid})")
    return out


def candidates(assessment: Assessment, key: str) -> AwardList:
    """服务标兵 / 微笑之星 (key "star") or the year's 评先评优 (key "annual"): the assessed people who meet
    every condition, best first, and everyone else with the reasons."""
    scheme = assessment.scheme
    award = scheme.awards.get(key)
    if award is None:
        raise PatrolError(f"考核方案 {scheme.code} 没有设{'评先评优' if key == 'annual' else '服务标兵/微笑之星'}")
    if assessment.level not in award.periods:
        raise PatrolError(f"{award.name}按{'、'.join(LEVELS.get(p, p) for p in award.periods)}评选, "
                          f"不是{assessment.period.label}")
    everyone = assessment.rows + assessment.unassessed
    ids, centre_id = [r.subject_id for r in everyone], assessment.centre_id
    vetoes, cases = _vetoes(ids, assessment.period, centre_id=centre_id), _probation(ids, assessment.period)
    conduct = _conduct(ids, assessment.period, scheme.disqualify, centre_id=centre_id)
    full = _full_scores(ids, assessment.period, centre_id=centre_id) if award.full_score else set()
    eligible, excluded = [], []
    for row in everyone:
        reasons = list(conduct.get(row.subject_id, []))
        if row.total is None:
            reasons.append("缺少: " + "、".join(row.missing))
        if row.inspections < award.min_inspections:
            reasons.append(f"巡查 {row.inspections} 次, 不足 {award.min_inspections} 次")
        reasons += vetoes.get(row.subject_id, [])
        reasons += cases.get(row.subject_id, [])
        if award.min_score is not None and row.total is not None and row.total < award.min_score:
            reasons.append(f"总分 {row.total:g}, 低于 {award.min_score:g}")
        if award.full_score and row.subject_id not in full:
            reasons.append("本期巡查未全部满分")
        if reasons:
            excluded.append(Exclusion(row.code, row.name, tuple(reasons)))
        else:
            eligible.append(row)
    winners = _top(eligible, award.top)
    rules = [f"巡查不少于 {award.min_inspections} 次", "无一票否决", "未处于考察期", "无取消评先资格的违规记录"]
    if award.min_score is not None:
        rules.append(f"总分不低于 {award.min_score:g}")
    if award.full_score:
        rules.append("本期巡查全部满分")
    top = f", 取前 {award.top} 名" if award.top else ""
    return AwardList(award, assessment.period, winners, [e for e in excluded if _worth_listing(e)],
                     f"条件: {'、'.join(rules)}; 按总分排序{top}")


def award_lists(assessment: Assessment) -> list[AwardList]:
    """Every award the scheme gives for this kind of period, decided on this assessment."""
    scheme, out = assessment.scheme, []
    if "red_flag" in scheme.awards and assessment.level in scheme.awards["red_flag"].periods:
        out.append(red_flags(assessment))
    for key in ("star", "annual"):
        if key in scheme.awards and assessment.level in scheme.awards[key].periods:
            out.append(candidates(assessment, key))
    return out


def _worth_listing(exclusion: Exclusion) -> bool:
    """Everyone left out for a reason of their own; not people merely absent from the period's data."""
    return any(not r.startswith("缺少") and not r.startswith("巡查 0 次") for r in exclusion.reasons)
