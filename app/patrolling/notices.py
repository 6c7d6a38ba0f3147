"""What a rectification notice (整改通知单) says, for the person and the moment.

Seed 000 三.2 sends labour-agency staff back to their agency after a failed probation; 在编 staff
and others are handled by their own unit, so the consequence is a setting per kind of employment.
The wording also follows the moment: a first failure that opens probation, a re-check during
probation that passed or failed, or a passing inspection that still found something to put right.
An inspection with nothing to rectify gets no notice.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.centres.settings import CentreSettings, load_settings
from app.errors import PatrolError
from app.periods import cn_date

AGENCY_WORDS = ("劳务", "人力资源", "派遣", "外包")


def employment(employer: str) -> str:
    """agency / staff (在编) / other, from how the roster names the employer."""
    if "在编" in employer or "编制" in employer:
        return "staff"
    if any(word in employer for word in AGENCY_WORDS):
        return "agency"
    return "other"


def consequence(employer: str, settings: CentreSettings) -> str:
    return {"agency": settings.consequence_agency, "staff": settings.consequence_staff,
            "other": settings.consequence_other}[employment(employer)]


def with_role(role: str, display_name: str) -> str:
    """'巡查员 李明', never '巡查员 巡查员 李明' (display names often carry the role already)."""
    name = display_name.strip()
    return name if name.startswith(role) else f"{role} {name}"


def without_role(role: str, display_name: str) -> str:
    """The name under a label that already says the role."""
    name = display_name.strip()
    if not name.startswith(role):
        return name
    return name[len(role):].strip() or name


@dataclass(frozen=True)
class NoticeWording:
    moment: str  # first_failure / recheck_fail / recheck_pass / rectify
    lines: tuple[str, ...]


def wording(rec, settings: CentreSettings | None = None) -> NoticeWording:
    """The closing paragraphs of the notice for an inspection record (app.results.reports.InspectionRecord)."""
    if not rec.failed_items:
        raise PatrolError("该次巡查没有需整改的问题, 不出具整改通知单")
    then = consequence(rec.employer, settings or load_settings(rec.observed_at.date(), rec.centre_id))
    if rec.case_role == "opened":
        return NoticeWording("first_failure", (
            f"根据《“微笑相迎、温暖相伴”活动实施方案》, 本次巡查不合格, 你已进入考察期, 考察期至{cn_date(rec.probation_until)}, "
            f"期间需复查合格 {rec.rechecks_required} 次。首次复查将于{cn_date(rec.recheck_by)}前进行; "
            f"考察期满仍达不到服务标准的, {then}。",))
    if rec.case_role == "recheck" and not rec.passed:
        return NoticeWording("recheck_fail", (
            f"本次为考察期内的复查, 复查不合格。考察期至{cn_date(rec.probation_until)}, 至今复查合格 {rec.rechecks_passed} 次、"
            f"不合格 {rec.rechecks_failed} 次 (需合格 {rec.rechecks_required} 次且不再不合格); "
            f"考察期满仍达不到服务标准的, {then}。",))
    if rec.case_role == "recheck":
        return NoticeWording("recheck_pass", (
            f"本次为考察期内的复查, 复查合格 (至今合格 {rec.rechecks_passed} 次, 需 {rec.rechecks_required} 次), "
            f"考察期至{cn_date(rec.probation_until)}。以上问题仍须整改, 下次复查时将核查。",))
    return NoticeWording("rectify", (f"本次巡查发现以上问题, {_by_when(rec)}, 巡查员将进行复查。",))


def _by_when(rec) -> str:
    """The deadline in words, from the same dates as the notice's table (the centre's working days by
    severity), never a fixed number of days."""
    days = sorted({rec.deadlines[i.code] for i in rec.failed_items if i.code in rec.deadlines})
    if not days:
        return "请及时完成整改"
    if len(days) == 1:
        return f"请于{cn_date(days[0])}前完成整改"
    return f"请按表中所列期限完成整改 (最迟{cn_date(days[-1])})"
