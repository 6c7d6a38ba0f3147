"""Scoring of one inspection: pure functions over plain data, no database.

Deduction model: score = max(0, 100 − Σ deductions of failed applicable items) + min(cap, Σ bonus).
With category weights (points of 100 per category) each category instead keeps
max(0, weight − its deductions) and the score is the sum of those. Not-applicable and unticked items
never count. A failed veto item fails the inspection whatever the score.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from app.centres.settings import CentreSettings, Grade
from app.rounding import half_up

FULL_MARKS = 100.0


@dataclass(frozen=True)
class ScoredItem:
    """One checklist item as scoring sees it; `result` is pass / fail / na, or None if unticked."""

    code: str
    category: str
    deduction: float
    severity: str = "normal"
    kind: str = "check"  # check / bonus; for a bonus item `deduction` holds the points awarded
    result: str | None = None


@dataclass(frozen=True)
class CategoryScore:
    code: str
    deductions: float
    failed: int
    weight: float | None  # None in the plain model
    subtotal: float  # points kept: weight − deductions (floored at 0), or 100 − deductions


@dataclass(frozen=True)
class ScoreResult:
    score: float
    base: float
    bonus: float
    deductions: float
    vetoed: bool
    passed: bool
    grade: str
    categories: tuple[CategoryScore, ...]
    failed_codes: tuple[str, ...]
    veto_codes: tuple[str, ...]


def _round(x: float) -> float:
    return half_up(x)


def grade_for(score: float, vetoed: bool, grades: Sequence[Grade], fail_grade: str) -> str:
    """The label of the highest grade whose threshold the score reaches; a veto is always a fail."""
    if vetoed:
        return fail_grade
    for grade in sorted(grades, key=lambda g: g.min_score, reverse=True):
        if score >= grade.min_score:
            return grade.label
    return fail_grade


def score_items(
    items: Iterable[ScoredItem],
    *,
    bonus_cap: float = 5.0,
    weights: Mapping[str, float] | None = None,
    grades: Sequence[Grade] | None = None,
    fail_grade: str = "不合格",
    cap_at_full: bool = False,
) -> ScoreResult:
    """Score a set of item results (only items that apply to this window and person). With
    `cap_at_full` the total never passes 100: bonus points only make up for deductions."""
    grades = list(grades) if grades is not None else CentreSettings().grades
    weights = dict(weights or {})
    per_category: dict[str, list[float]] = {}
    failed_codes: list[str] = []
    veto_codes: list[str] = []
    bonus = 0.0
    for item in items:
        if item.kind == "bonus":
            if item.result == "pass":
                bonus += max(0.0, item.deduction)
            continue
        bucket = per_category.setdefault(item.category, [0.0, 0])
        if item.result != "fail":
            continue
        bucket[0] += max(0.0, item.deduction)
        bucket[1] += 1
        failed_codes.append(item.code)
        if item.severity == "veto":
            veto_codes.append(item.code)

    if weights:
        missing = sorted(set(per_category) - set(weights))
        if missing:
            raise ValueError(f"categories without a weight: {', '.join(missing)}")
        categories = tuple(
            CategoryScore(code, _round(d), int(n), weights[code], _round(max(0.0, weights[code] - d)))
            for code, (d, n) in per_category.items()
        )
        # Weighted categories this inspection had no items of keep their full weight.
        untouched = sum(w for code, w in weights.items() if code not in per_category)
        base = sum(c.subtotal for c in categories) + untouched
    else:
        categories = tuple(
            CategoryScore(code, _round(d), int(n), None, _round(max(0.0, FULL_MARKS - d)))
            for code, (d, n) in per_category.items()
        )
        base = max(0.0, FULL_MARKS - sum(d for d, _ in per_category.values()))

    total_deductions = _round(sum(d for d, _ in per_category.values()))
    bonus = _round(min(max(0.0, bonus_cap), bonus))
    score = _round(min(FULL_MARKS, base) + bonus)
    if cap_at_full:
        score = min(score, FULL_MARKS)
    vetoed = bool(veto_codes)
    pass_score = min(g.min_score for g in grades) if grades else 0.0
    return ScoreResult(
        score=score,
        base=_round(base),
        bonus=bonus,
        deductions=total_deductions,
        vetoed=vetoed,
        passed=(not vetoed) and score >= pass_score,
        grade=grade_for(score, vetoed, grades, fail_grade),
        categories=categories,
        failed_codes=tuple(failed_codes),
        veto_codes=tuple(veto_codes),
    )


def score_with_settings(items: Iterable[ScoredItem], settings: CentreSettings,
                        weights: Mapping[str, float] | None = None) -> ScoreResult:
    """Score with a centre's grades and bonus cap, and the checklist version's category weights."""
    return score_items(
        items,
        bonus_cap=settings.bonus_cap,
        weights=weights or None,
        grades=settings.grades,
        fail_grade=settings.fail_grade,
        cap_at_full=settings.cap_total_at_100,
    )
