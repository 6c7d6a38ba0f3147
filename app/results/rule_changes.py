"""Changing the grading and probation rules: what a change would do to a month, and re-grading.

A change to the rules takes effect from the first of a month (the next one by default), so the
inspections of one month are never graded by two rules. A manager may instead re-grade the current
month (or an earlier one): every finalised inspection from that day is graded again by the rules in
force on its day, each changed record keeps its previous version in the history, probation follows
through the changed-verdict path, and the whole is one audited act.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import peewee as pw

from app import audit
from app.centres import scope
from app.centres.settings import (
    CentreSettings,
    load_settings,
    month_start,
    next_rule_change,
    save_settings,
)
from app.patrolling import records
from app.patrolling.checklists import category_weights
from app.patrolling.inspections import score_inspection
from app.patrolling.scoring import ScoredItem, score_with_settings
from app.periods import cn_date
from app.results import probation_rules
from app.results.frozen import ensure_open
from app.results.revisions import store_revision
from app.roles import require_role
from app.storage.models import (
    Category,
    Inspection,
    InspectionHistory,
    Item,
    ItemResult,
    ProbationCase,
    Staff,
    User,
    Window,
)
from app.storage.proxy import db


@dataclass(frozen=True)
class GradeChange:
    inspection_id: int
    record_no: str
    window: str
    staff: str
    observed_at: dt.datetime
    old_score: float
    new_score: float
    old_grade: str
    new_grade: str
    old_passed: bool
    new_passed: bool


@dataclass
class RegradeEffect:
    """What grading [start, until) by other rules changes: the inspections whose figures change, and
    the probation cases that would be opened or withdrawn."""

    start: dt.date
    until: dt.date | None
    inspections: int = 0
    changes: list[GradeChange] = field(default_factory=list)
    cases_opened: int = 0
    cases_withdrawn: int = 0

    @property
    def now_failing(self) -> int:
        return sum(1 for c in self.changes if c.old_passed and not c.new_passed)

    @property
    def now_passing(self) -> int:
        return sum(1 for c in self.changes if c.new_passed and not c.old_passed)

    def summary(self) -> str:
        span = f"{cn_date(self.start)}起" + (f"至{cn_date(self.until - dt.timedelta(days=1))}" if self.until else "")
        if not self.changes:
            return f"{span}已定稿巡查 {self.inspections} 条, 按新规则评定无一改变"
        return (f"{span}已定稿巡查 {self.inspections} 条中 {len(self.changes)} 条的分数或等级改变 "
                f"(不合格改为合格 {self.now_passing} 条, 合格改为不合格 {self.now_failing} 条); "
                f"考察: 撤销 {self.cases_withdrawn} 个, 新开 {self.cases_opened} 个")


def _range(start: dt.date, until: dt.date | None, centre_id=scope.SOLE):
    where = ((Inspection.status == "final") & (Inspection.observed_at >= dt.datetime.combine(start, dt.time()))
             & scope.inspections(centre_id))
    if until is not None:
        where &= Inspection.observed_at < dt.datetime.combine(until, dt.time())
    return where


def _effect(start: dt.date, until: dt.date | None, rules_for: Callable[[dt.date], CentreSettings],
            centre_id=scope.SOLE) -> RegradeEffect:
    """Grade every finalised inspection of the range again. Only failed checks and awarded bonuses move
    a score (a category without failures keeps its full weight), so only they are read: one query."""
    where = _range(start, until, centre_id=centre_id)
    effect = RegradeEffect(start, until)
    moving: dict[int, list[ScoredItem]] = {}
    query = (ItemResult.select(ItemResult.inspection, Item.code, Item.category, Item.deduction, Item.severity,
                               Item.kind, ItemResult.result)
             .join(Item).switch(ItemResult).join(Inspection)
             .where(where & (((Item.kind == "check") & (ItemResult.result == "fail"))
                             | ((Item.kind == "bonus") & (ItemResult.result == "pass")))).tuples())
    categories = dict(Category.select(Category.id, Category.code).tuples())
    for insp_id, code, category_id, deduction, severity, kind, result in query:
        moving.setdefault(insp_id, []).append(ScoredItem(code, categories[category_id], deduction, severity, kind, result))
    weights: dict[int, dict] = {}
    rules: dict[dt.date, CentreSettings] = {}
    rows = (Inspection.select(Inspection.id, Inspection.uuid, Window.code, Staff.employee_no, Inspection.observed_at,
                              Inspection.checklist_version, Inspection.score, Inspection.grade, Inspection.passed,
                              Inspection.staff)
            .join(Window).switch(Inspection).join(Staff, pw.JOIN.LEFT_OUTER).where(where)
            .order_by(Inspection.observed_at, Inspection.id).tuples())
    newly_failing: list[tuple[int, dt.date]] = []
    newly_passing: list[int] = []
    for insp_id, uuid, window, emp, observed, version, score, grade, passed, staff_id in rows:
        effect.inspections += 1
        month = month_start(observed.date())
        if month not in rules:
            rules[month] = rules_for(month)
        if version not in weights:
            weights[version] = category_weights(version)
        result = score_with_settings(moving.get(insp_id, []), rules[month], weights[version])
        if abs(result.score - (score or 0)) < 0.005 and result.grade == grade and result.passed == bool(passed):
            continue
        effect.changes.append(GradeChange(insp_id, records.record_number(uuid), window, emp or "", observed,
                                          score or 0.0, result.score, grade, result.grade, bool(passed), result.passed))
        if staff_id is not None and bool(passed) != result.passed:
            if result.passed:
                newly_passing.append(insp_id)
            else:
                newly_failing.append((staff_id, observed.date()))
    for start_chunk in range(0, len(newly_passing), 900):
        chunk = newly_passing[start_chunk:start_chunk + 900]
        effect.cases_withdrawn += (ProbationCase.select().where(
            ProbationCase.opening_inspection.in_(chunk)
            & ProbationCase.status.in_(["open", "recommend_return", "review"])).count())
    opened_for: set[int] = set()
    for staff_id, day in newly_failing:
        if staff_id not in opened_for and probation_rules.active_case(staff_id, day) is None:
            opened_for.add(staff_id)
            effect.cases_opened += 1
    return effect


def preview(settings: CentreSettings, start: dt.date | None = None, centre_id=scope.SOLE) -> RegradeEffect:
    """What grading the month of `start` (this month by default) and the following ones, up to the
    next scheduled change, by `settings` would change. Writes nothing."""
    start = month_start(start or dt.date.today())
    return _effect(start, next_rule_change(start, centre_id=centre_id), lambda _month: settings, centre_id=centre_id)


def out_of_step(start: dt.date, centre_id=scope.SOLE) -> RegradeEffect:
    """What grading every finalised record from `start` on by the rules of its own day would change: nothing,
    when each was graded as it should have been (a check; writes nothing)."""
    return _effect(start, None, lambda month: load_settings(month, centre_id=centre_id), centre_id=centre_id)


@dataclass(frozen=True)
class SettingsOutcome:
    effective_from: dt.date | None  # None: the rules did not change
    regraded: RegradeEffect | None


def change_settings(settings: CentreSettings, user: User, reason: str, effective_from: dt.date | None = None,
                    regrade: bool = False, centre_id=scope.SOLE) -> SettingsOutcome:
    """A manager's change of settings. Rules take effect from `effective_from` (the first of next month
    unless given); with `regrade`, from the first of this month or an earlier one, re-grading it."""
    with db.atomic():
        day = save_settings(settings, user, reason, effective_from, regrade=regrade, centre_id=centre_id)
        effect = regrade_from(day, user, reason,
                              centre_id=centre_id) if day is not None and regrade and day <= dt.date.today() else None
    return SettingsOutcome(day, effect)


def regrade_from(start: dt.date, user: User, reason: str, centre_id=scope.SOLE) -> RegradeEffect:
    """Grade every finalised inspection from `start` up to the next scheduled change again, by the rules
    now in force on its day; store the changes (previous versions kept), let probation follow, audit."""
    require_role(user, "manager")
    reason = audit.require_reason(reason)
    effect = _effect(start, next_rule_change(start, centre_id=centre_id),
                     lambda month: load_settings(month, centre_id=centre_id), centre_id=centre_id)
    for change in effect.changes:
        ensure_open(scope.resolve(centre_id), change.observed_at.date(), f"重新评定会改动的记录 {change.record_no} ")
    cause = f"{user.display_name}按{cn_date(start)}起执行的评分规则重新评定: {reason}"
    with db.atomic():
        for change in effect.changes:
            inspection = Inspection.get_by_id(change.inspection_id)
            old = records.record_of(inspection)
            InspectionHistory.create(uuid=inspection.uuid, revision=inspection.revision, kind="replaced",
                                     content=records.canonical(old), content_hash=records.content_hash(old),
                                     source=f"{user.username}: 重新评定: {reason}")
            store_revision(inspection, score_inspection(inspection),
                           old["passed"], cause, user)
        audit.record(user, "inspection.regrade", f"from:{start.isoformat()}",
                     old={c.record_no: f"{c.old_score:g} {c.old_grade}" for c in effect.changes},
                     new={c.record_no: f"{c.new_score:g} {c.new_grade}" for c in effect.changes},
                     reason=f"{reason} ({effect.summary()})")
    return effect
