"""One typed registry of centre settings with their defaults, stored as JSON in the setting table."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field, fields

from app import audit
from app.centres import scope
from app.centres.centre import current_centre
from app.errors import NeedsApproval, PatrolError
from app.roles import require_role
from app.storage.district import holds_a_district
from app.storage.models import Checklist, RuleSet, Setting
from app.storage.proxy import db


@dataclass(frozen=True)
class Grade:
    label: str
    min_score: float


VETO_RANKING = ("排在最后", "不参加排名")


def _default_grades() -> list[Grade]:
    return [Grade("优秀", 95), Grade("良好", 90), Grade("合格", 85)]


@dataclass
class CentreSettings:
    """Everything a centre may tune. Defaults follow seed 000 and common published schemes."""

    grades: list[Grade] = field(default_factory=_default_grades)
    fail_grade: str = "不合格"
    bonus_cap: float = 5.0
    cap_total_at_100: bool = False  # some schemes: bonus points only make up for deductions
    probation_days: int = 30  # seed 000: 一个月考察期
    probation_rechecks: int = 2
    smile_star_min_inspections: int = 2
    smile_star_min_score: float = 95.0
    smile_star_max: int = 5
    red_flag_windows: int = 3
    pay_per_failure: float = 0.0  # 元 of performance pay withheld per failed inspection (0: by the centre's own rule)
    pay_per_veto: float = 0.0  # 元 withheld in addition for each veto
    ranking_min_inspections: int = 1  # fewer than this in a period: listed apart as 样本不足, not ranked
    coverage_min_inspections: int = 1  # a window counts as covered after this many inspections in a period
    veto_ranking: str = "排在最后"  # or 不参加排名: a vetoed window or person is listed apart, not ranked
    review_serious: bool = False  # a case opened by a serious item waits for a manager (a veto always does)
    consequence_agency: str = "退回劳务公司重新安排岗位"  # seed 000 三.2, for labour-agency staff
    consequence_staff: str = "按所在单位有关规定处理"  # 在编 staff are not "returned to an agency"
    consequence_other: str = "由用人单位按有关规定处理"
    # The checklist the centre's patrols use: a district checklist it adopts, or its own extension of
    # one (app.patrolling.centre_checklists).
    checklist: str = "WINDOW"
    # Working days to put a fault found on patrol right (整改期限), by the item's severity.
    rectify_days_normal: int = 5
    rectify_days_serious: int = 3
    rectify_days_veto: int = 1
    appeal_days: int = 3  # working days after the notice in which a person may appeal a deduction
    second_approval: bool = False  # a changed verdict and a published ranking need a second manager
    # 好差评: a window whose satisfaction is under this (%) two months running is called in (约谈).
    interview_below: float = 90.0
    # A laptop warns in the patrol view when the office's last update is older than this many days.
    update_stale_days: int = 7

    @property
    def pass_score(self) -> float:
        """The lowest score that is not a failure (the bottom grade's threshold)."""
        return min(g.min_score for g in self.grades)

    def validate(self) -> None:
        if not self.grades:
            raise PatrolError("等级设置不能为空")
        for g in self.grades:
            if not 0 <= g.min_score <= 100:
                raise PatrolError(f"等级“{g.label}”的分数线 {g.min_score} 不在 0–100 之间")
        if self.pay_per_failure < 0 or self.pay_per_veto < 0:
            raise PatrolError("扣发金额不能为负数")
        if self.bonus_cap < 0:
            raise PatrolError("加分上限不能为负数")
        if self.ranking_min_inspections < 1 or self.coverage_min_inspections < 1:
            raise PatrolError("参加排名和计算覆盖率的最少巡查次数须至少为 1")
        if self.veto_ranking not in VETO_RANKING:
            raise PatrolError(f"一票否决者的排名方式只能是 {' 或 '.join(VETO_RANKING)}")
        if self.probation_days < 1 or self.probation_rechecks < 0:
            raise PatrolError("考察期天数须至少为 1, 复查次数不能为负数")
        if min(self.rectify_days_normal, self.rectify_days_serious, self.rectify_days_veto) < 1:
            raise PatrolError("整改期限须至少为 1 个工作日")
        if self.appeal_days < 0:
            raise PatrolError("申诉期不能为负")
        if not 0 <= self.interview_below <= 100:
            raise PatrolError("约谈的满意率线须在 0–100 之间")
        if self.update_stale_days < 1:
            raise PatrolError("笔记本更新提醒的天数须至少为 1")
        if not self.checklist.strip():
            raise PatrolError("须选定巡查使用的检查表")


# The settings that decide a grade, a pass or a probation case. A change to them takes effect from the
# first day of a month (the next one unless the manager re-grades), so no month is graded by two rules.
RULE_FIELDS = ("grades", "fail_grade", "bonus_cap", "cap_total_at_100", "probation_days", "probation_rechecks",
               "review_serious")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def next_month_start(day: dt.date) -> dt.date:
    return (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _encode(name: str, value):
    if name == "grades":
        return [{"label": g.label, "min_score": g.min_score} for g in value]
    return value


def _decode(name: str, raw):
    if name == "grades":
        return [Grade(str(g["label"]), float(g["min_score"])) for g in raw]
    return raw




def format_value(name: str, value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if name == "grades":
        return ",".join(f"{g.label}={g.min_score:g}" for g in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def parse_value(name: str, text: str):
    """Parse a setting typed by a person (grades as 优秀=95,良好=90,合格=85)."""
    kinds = {f.name: f.type for f in fields(CentreSettings)}
    if name not in kinds:
        raise PatrolError(f"未知设置项 {name!r} (可选: {', '.join(kinds)})")
    default = getattr(CentreSettings(), name)
    try:
        if name == "grades":
            grades = []
            for part in text.replace("，", ",").split(","):
                label, _, score = part.partition("=")
                if not label.strip() or not score.strip():
                    raise ValueError(part)
                grades.append(Grade(label.strip(), float(score)))
            return grades
        if isinstance(default, bool):
            answer = {"是": True, "否": False, "TRUE": True, "FALSE": False, "YES": True, "NO": False, "1": True,
                      "0": False}.get(text.strip().upper())
            if answer is None:
                raise ValueError(text)
            return answer
        if isinstance(default, int):
            return int(text)
        if isinstance(default, float):
            return float(text)
        if not text.strip():
            raise ValueError(text)
        return text.strip()
    except ValueError:
        example = "优秀=95,良好=90,合格=85" if name == "grades" else format_value(name, default)
        raise PatrolError(f"设置项 {name} 的值 {text!r} 无效, 例如: {example}") from None


def settings_centre(centre_id=scope.SOLE) -> int | None:
    """Whose settings apply: this centre's; for the district's own view (None), the district centre's
    (the first centre), which ranks the district's windows and staff."""
    centre = current_centre(centre_id)
    return centre.id if centre is not None else None


def _stored(centre_id) -> dict:
    return {row.key: json.loads(row.value)
            for row in Setting.select().where(Setting.centre == settings_centre(centre_id))}


def _from_values(values: dict) -> CentreSettings:
    """Settings from stored (encoded) values, defaults for the rest."""
    return CentreSettings(**{f.name: _decode(f.name, values[f.name]) for f in fields(CentreSettings) if f.name in values})


def _rule_sets(centre_id):
    return RuleSet.select().where(RuleSet.centre == settings_centre(centre_id))


def _rules_on(day: dt.date, centre_id) -> dict:
    row = _rule_sets(centre_id).where(RuleSet.effective_from <= day).order_by(RuleSet.effective_from.desc()).first()
    return json.loads(row.values) if row is not None else {}


def local_value(key: str, default=None):
    """A value kept for this database as a whole, not for a centre (export watermarks, secrets)."""
    row = Setting.get_or_none((Setting.key == key) & Setting.centre.is_null())
    return json.loads(row.value) if row is not None else default


def set_local_value(key: str, value) -> None:
    raw = json.dumps(value, ensure_ascii=False)
    with db.atomic():
        if not Setting.update(value=raw).where((Setting.key == key) & Setting.centre.is_null()).execute():
            Setting.insert(centre=None, key=key, value=raw).execute()


def load_settings(on: dt.date | None = None, centre_id=scope.SOLE) -> CentreSettings:
    """A centre's settings as stored, with defaults for anything never set, and the grading and
    probation rules in force on the given day (today unless given)."""
    stored = _stored(centre_id)
    stored.update(_rules_on(on or dt.date.today(), centre_id))
    return _from_values(stored)


@dataclass(frozen=True)
class ScheduledRules:
    effective_from: dt.date
    settings: CentreSettings
    created_by: str
    reason: str


def rule_schedule(centre_id=scope.SOLE) -> list[ScheduledRules]:
    """Every set of a centre's rules with the day it took (or takes) effect, oldest first."""
    base = _stored(centre_id)
    out = []
    for row in _rule_sets(centre_id).order_by(RuleSet.effective_from):
        out.append(ScheduledRules(row.effective_from, _from_values(base | json.loads(row.values)), row.created_by,
                                  row.reason))
    return out


@dataclass
class RuleBook:
    """Every set of rules a record may have been graded by, looked up by day without a query each."""

    base: CentreSettings  # in force before the first scheduled set
    changes: list[tuple[dt.date, CentreSettings]]

    def on(self, day: dt.date) -> CentreSettings:
        for start, settings in reversed(self.changes):
            if start <= day:
                return settings
        return self.base

    def others(self, day: dt.date) -> list[CentreSettings]:
        current = self.on(day)
        return [s for s in [self.base, *(s for _, s in self.changes)] if s is not current]


def rule_book(centre_id=scope.SOLE) -> RuleBook:
    return RuleBook(_from_values(_stored(centre_id)),
                    [(r.effective_from, r.settings) for r in rule_schedule(centre_id)])


def next_rule_change(after: dt.date, centre_id=scope.SOLE) -> dt.date | None:
    """The first day after `after` on which other rules of a centre take effect, if any is scheduled."""
    row = _rule_sets(centre_id).select(RuleSet.effective_from).where(RuleSet.effective_from > after).order_by(
        RuleSet.effective_from).first()
    return row.effective_from if row is not None else None


def changed_settings(settings: CentreSettings, effective_from: dt.date | None = None,
                     centre_id=scope.SOLE) -> list[str]:
    """Names of the settings that differ from the centre's stored ones (rules: from those in force on
    the day the change would take effect)."""
    now_in_force = load_settings(None, centre_id)
    rules_then = load_settings(effective_from or next_month_start(dt.date.today()), centre_id)
    return [f.name for f in fields(CentreSettings)
            if _encode(f.name, getattr(rules_then if f.name in RULE_FIELDS else now_in_force, f.name))
            != _encode(f.name, getattr(settings, f.name))]


def check_effective_from(day: dt.date, today: dt.date | None = None, regrade: bool = False) -> None:
    """A rule change starts on the first of a month; the current month or an earlier one only when
    the manager re-grades it (then every inspection from that day is graded by the new rules)."""
    today = today or dt.date.today()
    if day.day != 1:
        raise PatrolError(f"评分规则只能从某月 1 日起执行 (不能从 {day.isoformat()} 起), 以免同一个月按两种规则评定")
    if day <= today and not regrade:
        raise PatrolError(f"{day.year}年{day.month}月已按现行规则评定; 要让新规则从该月起执行, 须选择重新评定该月")


def require_usable_checklist(code: str, centre_id=scope.SOLE) -> Checklist:
    """A checklist a centre may adopt and patrol with: a district one, or its own, with a version."""
    found = Checklist.get_or_none((Checklist.code == code) & scope.checklists(centre_id))
    if found is None or not found.versions.exists():
        choices = "、".join(c for (c,) in Checklist.select(Checklist.code).where(scope.checklists(centre_id))
                           .order_by(Checklist.code).tuples())
        raise PatrolError(f"没有可用的检查表 {code} (可选: {choices or '无'})")
    return found


def binds_alone(user) -> bool:
    """Whether a manager may loosen the second approval alone: only the district's manager over a
    district's centre (in a database of one centre every manager is bound, or the rule binds no one)."""
    return user is not None and getattr(user, "centre_id", 1) is None and holds_a_district()


def save_settings(settings: CentreSettings, user=None, reason: str = "", effective_from: dt.date | None = None,
                  regrade: bool = False, centre_id=scope.SOLE, approved_by: str = "") -> dt.date | None:
    """Validate and store the settings in one transaction. Without a user (set-up) everything is
    stored as it is. With a user (every change after set-up), only a manager may, with a reason, and
    the change is audited; a change to the rules (RULE_FIELDS) takes effect from `effective_from`
    (the first of next month unless given) and returns that day, or None when the rules are unchanged.
    Re-grading the inspections from a past day is app.results.rule_changes' job, which calls this.
    Turning the second approval off is itself a change that needs another manager (`approved_by`), or
    the district's manager: NeedsApproval otherwise."""
    settings.validate()
    if user is None:
        with db.atomic():
            _store_plain(settings, [f.name for f in fields(CentreSettings)], centre_id)
        return None
    require_role(user, "manager")
    effective_from = effective_from or next_month_start(dt.date.today())
    changed = changed_settings(settings, effective_from, centre_id)
    plain = [name for name in changed if name not in RULE_FIELDS]
    rules = [name for name in changed if name in RULE_FIELDS]
    if not changed:
        return None
    reason = audit.require_reason(reason)
    if rules:
        check_effective_from(effective_from, regrade=regrade)
    if "checklist" in plain:
        require_usable_checklist(settings.checklist, centre_id)
    before, rules_then = load_settings(None, centre_id), load_settings(effective_from, centre_id)
    if before.second_approval and not settings.second_approval and not approved_by and not binds_alone(user):
        raise NeedsApproval("关闭双人审批本身须另一名管理员批准")
    if approved_by:
        reason = f"{reason} (经{approved_by}批准)"
    with db.atomic():
        if plain:
            audit.record(user, "settings.change", "settings",
                         old={k: _encode(k, getattr(before, k)) for k in plain},
                         new={k: _encode(k, getattr(settings, k)) for k in plain}, reason=reason,
                         centre=settings_centre(centre_id))
            _store_plain(settings, plain, centre_id)
        if rules:
            values = {name: _encode(name, getattr(settings, name)) for name in RULE_FIELDS}
            audit.record(user, "settings.rules", f"rules:{effective_from.isoformat()}",
                         old={k: _encode(k, getattr(rules_then, k)) for k in rules},
                         new={k: values[k] for k in rules} | {"effective_from": effective_from.isoformat()},
                         reason=reason, centre=settings_centre(centre_id))
            text = json.dumps(values, ensure_ascii=False)
            RuleSet.insert(centre=settings_centre(centre_id), effective_from=effective_from, values=text, created_by=user.username,
                           reason=reason).on_conflict(conflict_target=[RuleSet.centre, RuleSet.effective_from],
                                         update={RuleSet.values: text, RuleSet.created_by: user.username,
                                                 RuleSet.reason: reason}).execute()
    return effective_from if rules else None


def _store_plain(settings: CentreSettings, names: list[str], centre_id) -> None:
    centre = settings_centre(centre_id)
    for name in names:
        value = json.dumps(_encode(name, getattr(settings, name)), ensure_ascii=False)
        Setting.insert(centre=centre, key=name, value=value).on_conflict(
            conflict_target=[Setting.centre, Setting.key], update={Setting.value: value}
        ).execute()
