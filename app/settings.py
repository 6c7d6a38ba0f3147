"""One typed registry of centre settings with their defaults, stored as JSON in the setting table."""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields

from app.db import db
from app.errors import PatrolError
from app.models import Setting


@dataclass(frozen=True)
class Grade:
    label: str
    min_score: float


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
    review_serious: bool = False  # a case opened by a serious item waits for a manager (a veto always does)
    consequence_agency: str = "退回劳务公司重新安排岗位"  # seed 000 三.2, for labour-agency staff
    consequence_staff: str = "按所在单位有关规定处理"  # 在编 staff are not "returned to an agency"
    consequence_other: str = "由用人单位按有关规定处理"

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
        if self.ranking_min_inspections < 1:
            raise PatrolError("参加排名的最少巡查次数须至少为 1")
        if self.probation_days < 1 or self.probation_rechecks < 0:
            raise PatrolError("考察期天数须至少为 1, 复查次数不能为负数")


def _encode(name: str, value):
    if name == "grades":
        return [{"label": g.label, "min_score": g.min_score} for g in value]
    return value


def _decode(name: str, raw):
    if name == "grades":
        return [Grade(str(g["label"]), float(g["min_score"])) for g in raw]
    return raw


LABELS = {
    "grades": "等级分数线",
    "fail_grade": "不合格等级名称",
    "bonus_cap": "加分上限",
    "cap_total_at_100": "总分不超过 100 分 (是/否; 加分只抵扣分)",
    "probation_days": "考察期天数",
    "probation_rechecks": "考察期需复查合格次数",
    "smile_star_min_inspections": "微笑之星最少巡查次数",
    "smile_star_min_score": "微笑之星最低平均分",
    "smile_star_max": "微笑之星名额",
    "red_flag_windows": "流动红旗窗口数",
    "pay_per_failure": "每次巡查不合格扣发绩效 (元; 0 表示按中心另行规定)",
    "pay_per_veto": "每次一票否决另扣绩效 (元)",
    "ranking_min_inspections": "参加排名的最少巡查次数 (不足者列为样本不足)",
    "review_serious": "严重项不合格开启的考察须管理员决定 (是/否; 一票否决总是如此)",
    "consequence_agency": "考察期满未达标的后果 (劳务派遣人员)",
    "consequence_staff": "考察期满未达标的后果 (在编人员)",
    "consequence_other": "考察期满未达标的后果 (其他人员)",
}


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


def load_settings() -> CentreSettings:
    """Settings as stored, with defaults for anything never set."""
    stored = {row.key: json.loads(row.value) for row in Setting.select()}
    values = {}
    for f in fields(CentreSettings):
        if f.name in stored:
            values[f.name] = _decode(f.name, stored[f.name])
    return CentreSettings(**values)


def changed_settings(settings: CentreSettings) -> list[str]:
    """Names of the settings that differ from the stored ones."""
    before = load_settings()
    return [f.name for f in fields(CentreSettings)
            if _encode(f.name, getattr(before, f.name)) != _encode(f.name, getattr(settings, f.name))]


def save_settings(settings: CentreSettings, user=None, reason: str = "") -> None:
    """Validate and store every setting in one transaction. With a user (every change after set-up),
    only a manager may, with a reason, and the change is audited."""
    settings.validate()
    if user is not None:
        from app.accounts import require_role

        require_role(user, "manager")
    before = load_settings()
    with db.atomic():
        if user is not None:
            from app import audit

            old = {f.name: _encode(f.name, getattr(before, f.name)) for f in fields(CentreSettings)}
            new = {f.name: _encode(f.name, getattr(settings, f.name)) for f in fields(CentreSettings)}
            changed = [k for k in new if old[k] != new[k]]
            if changed:
                audit.record(user, "settings.change", "settings", old={k: old[k] for k in changed},
                             new={k: new[k] for k in changed}, reason=audit.require_reason(reason))
        for f in fields(CentreSettings):
            value = json.dumps(_encode(f.name, getattr(settings, f.name)), ensure_ascii=False)
            Setting.insert(key=f.name, value=value).on_conflict(
                conflict_target=[Setting.key], update={Setting.value: value}
            ).execute()
