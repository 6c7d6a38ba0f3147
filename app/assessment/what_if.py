"""What a changed scheme would do to a period, before it is published: the period assessed under the
version in force and under the proposal, side by side: who moves, by how much, and why (the
components whose points differ), and who gains or loses an award."""

from __future__ import annotations

from dataclasses import dataclass

from app.assessment.assess import Assessment, assess
from app.assessment.awards import award_lists
from app.assessment.schemes import DEFAULT_CODE, Scheme, scheme_for
from app.centres import scope
from app.errors import PatrolError
from app.periods import Period
from app.rounding import half_up


@dataclass(frozen=True)
class Move:
    code: str
    name: str
    old_rank: int  # 0: not assessed
    new_rank: int
    old_total: float | None
    new_total: float | None
    why: tuple[str, ...]
    award: str = ""  # e.g. "获得流动红旗" / "不再获得微笑之星"

    @property
    def change(self) -> str:
        if not self.old_rank and not self.new_rank:
            return ""
        if not self.old_rank:
            return "新参加"
        if not self.new_rank:
            return "不再参加"
        step = self.old_rank - self.new_rank
        return f"↑{step}" if step > 0 else (f"↓{-step}" if step < 0 else "—")

    @property
    def delta(self) -> float | None:
        if self.old_total is None or self.new_total is None:
            return None
        return half_up(self.new_total - self.old_total)


@dataclass
class Comparison:
    current: Assessment
    proposed: Assessment
    moves: list[Move]  # in the proposal's order, then those it no longer assesses

    @property
    def moved(self) -> list[Move]:
        return [m for m in self.moves if m.change not in ("—", "") or m.delta or m.award]


def _why(old, new) -> tuple[str, ...]:
    if old is None or new is None:
        return ()
    before = {p.name: p for p in old.parts}
    after = {p.name: p for p in new.parts}
    out = []
    for name, part in after.items():
        was = before.get(name)
        if was is None:
            out.append(f"新增 {name} {part.points:+g}")
        elif half_up(was.points - part.points, 4):
            weights = f" (权重 {was.weight:g}%→{part.weight:g}%)" if was.weight != part.weight else ""
            out.append(f"{name} {was.points:g}→{part.points:g}{weights}")
    out += [f"去掉 {name} ({p.points:+g})" for name, p in before.items() if name not in after]
    if new.missing and not old.missing:
        out.append("缺少: " + "、".join(new.missing))
    return tuple(out)


def _award_names(assessment: Assessment, centre_id=scope.SOLE) -> tuple[str, set[int]]:
    """The subjects the scheme would award for this period (流动红旗, or the person's award)."""
    lists = award_lists(assessment)
    if not lists:
        return "", set()
    return lists[0].award.name, {r.subject_id for r in lists[0].winners}


def compare(period: Period, proposed: Scheme, current: Scheme | None = None, centre_id=scope.SOLE) -> Comparison:
    """The period under the version in force of the proposal's code (or DEFAULT for a new code) and
    under the proposal."""
    if current is None:
        try:
            current = scheme_for(proposed.code, period.start, centre_id=centre_id)
        except PatrolError:
            current = scheme_for(DEFAULT_CODE, period.start, centre_id=centre_id)
    if current.subject != proposed.subject:
        raise PatrolError(f"{current.name}考核{'窗口' if current.subject == 'window' else '人员'}, "
                          f"{proposed.name}考核{'窗口' if proposed.subject == 'window' else '人员'}, 不能对比")
    old, new = assess(period, current, centre_id=centre_id), assess(period, proposed, centre_id=centre_id)
    old_by, new_by = old.by_id(), new.by_id()
    old_award, old_won = _award_names(old, centre_id=centre_id)
    new_award, new_won = _award_names(new, centre_id=centre_id)
    moves = []
    order = [r.subject_id for r in new.rows] + [r.subject_id for r in old.rows if r.subject_id not in {
        x.subject_id for x in new.rows}]
    for sid in order:
        a, b = old_by.get(sid), new_by.get(sid)
        ref = b or a
        award = ""
        if sid in new_won and sid not in old_won:
            award = f"获得{new_award}"
        elif sid in old_won and sid not in new_won:
            award = f"不再获得{old_award}"
        moves.append(Move(ref.code, ref.name, a.rank if a else 0, b.rank if b else 0,
                          a.total if a else None, b.total if b else None, _why(a, b), award))
    return Comparison(old, new, moves)
