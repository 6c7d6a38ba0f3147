"""Appeals (申诉复核): a person disputes a deduction before the month's ranking is final.

Within the appeal window (settings: working days after the inspection was finalised, when the notice
is handed over) a manager records the appeal: which items are contested, why, with evidence. The
manager then decides it. An appeal found right (申诉成立) amends the inspection through the ordinary
amendment path (the contested items become passes, with the reason), so the score, the grade,
probation, rectification items and rankings follow; one found wrong (申诉不成立) leaves it as it was.
Every step is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app import audit
from app.centres import scope
from app.errors import PatrolError
from app.loop.workdays import add_workdays
from app.people.accounts import require_role
from app.storage.db import db
from app.storage.models import Appeal, Inspection, Item, ItemResult, User, now

STATES = {"pending": "待复核", "upheld": "申诉成立 (已改判)", "rejected": "申诉不成立"}
MAX_TEXT = 2_000


def deadline(inspection: Inspection) -> dt.date:
    """The last day an appeal against this inspection can be recorded."""
    from app.centres.settings import load_settings

    handed = (inspection.finished_at or inspection.observed_at).date()
    return add_workdays(handed, load_settings(inspection.observed_at.date()).appeal_days)


def record_appeal(user: User, inspection: Inspection, item_codes: list[str], reason: str,
                  photos: tuple[str, ...] = (), today: dt.date | None = None) -> Appeal:
    """A manager records a person's appeal against deductions of a finalised inspection."""
    require_role(user, "manager")
    today = today or dt.date.today()
    if inspection.status != "final":
        raise PatrolError("只能对已定稿的巡查记录申诉")
    if inspection.window.centre_id != scope.require_centre("申诉"):
        raise PatrolError("该巡查记录不属于本中心")
    last = deadline(inspection)
    if today > last:
        raise PatrolError(f"申诉期已过: 须在{last.isoformat()}当日或之前提出")
    failed = {code for (code,) in ItemResult.select(Item.code).join(Item)
              .where((ItemResult.inspection == inspection) & (ItemResult.result == "fail")).tuples()}
    codes = [c.strip() for c in item_codes if c.strip()]
    if not codes:
        raise PatrolError("请写明申诉的是哪几项扣分 (检查项编号)")
    wrong = [c for c in codes if c not in failed]
    if wrong:
        raise PatrolError(f"这些检查项在该记录中没有扣分: {', '.join(wrong)} (扣分项: {', '.join(sorted(failed)) or '无'})")
    reason = (reason or "").strip()
    if not reason or len(reason) > MAX_TEXT:
        raise PatrolError(f"须写明申诉理由 (至多 {MAX_TEXT} 字)")
    if Appeal.select().where((Appeal.inspection == inspection) & (Appeal.state == "pending")).exists():
        raise PatrolError("该记录已有待复核的申诉")
    with db.atomic():
        appeal = Appeal.create(centre=inspection.window.centre_id, inspection=inspection, item_codes=",".join(codes),
                               reason=reason, photos="\n".join(photos), recorded_by=user.username)
        audit.record(user, "appeal.record", f"appeal:{appeal.id}", new={"items": codes, "inspection": inspection.uuid},
                     reason=reason, window_code=inspection.window.code,
                     employee_no=inspection.staff.employee_no if inspection.staff_id else "")
    return appeal


def decide(user: User, appeal: Appeal, upheld: bool, reason: str) -> Appeal:
    """申诉成立 amends the inspection (contested items pass); 申诉不成立 leaves it. Audited. When the centre
    requires a second manager for a changed verdict, 申诉成立 waits for that approval (app.loop.approvals)."""
    from app.loop.approvals import amend_or_request

    require_role(user, "manager")
    reason = audit.require_reason(reason)
    if appeal.state != "pending":
        raise PatrolError(f"申诉 {appeal.id} 已复核: {STATES[appeal.state]}")
    if appeal.decision_reason.startswith("改判待批准"):
        raise PatrolError(f"申诉 {appeal.id} 的改判正等待另一名管理员批准")
    with db.atomic():
        if upheld:
            outcome, what = amend_or_request(user, appeal.inspection, {c: "pass" for c in appeal.item_codes.split(",")},
                                             f"申诉成立: {reason}", appeal.id)
            if outcome == "pending":
                appeal.decision_reason = f"改判待批准 (审批 {what.id}): {reason}"
                appeal.save()
                return appeal
        return mark_decided(appeal.id, user, upheld, reason)


def mark_decided(appeal_id: int, user: User, upheld: bool, reason: str) -> Appeal:
    """Record the decision (after the amendment, if any, has been made)."""
    appeal = Appeal.get_by_id(appeal_id)
    appeal.state = "upheld" if upheld else "rejected"
    appeal.decided_by, appeal.decided_at, appeal.decision_reason = user.username, now(), reason
    appeal.save()
    inspection = Inspection.get_by_id(appeal.inspection_id)
    audit.record(user, "appeal.decide", f"appeal:{appeal.id}", old={"status": STATES["pending"]},
                 new={"status": STATES[appeal.state], "score": inspection.score}, reason=reason,
                 window_code=inspection.window.code, employee_no=inspection.staff.employee_no if inspection.staff_id else "")
    return appeal


def reopen(appeal_id: int, why: str) -> None:
    """A 申诉成立 whose amendment was refused by the second manager goes back to be decided again."""
    appeal = Appeal.get_by_id(appeal_id)
    appeal.decision_reason = why
    appeal.save()


@dataclass(frozen=True)
class AppealRow:
    id: int
    record: str
    window: str
    person: str
    observed: dt.date
    items: str
    reason: str
    state: str
    decision: str

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items()}


def appeals(start: dt.date | None = None, end: dt.date | None = None, pending_only: bool = False) -> list[AppealRow]:
    """Appeals against inspections observed in [start, end) in the centre in view."""
    from app.exchange.records import record_number

    query = Appeal.select(Appeal, Inspection).join(Inspection).where(scope.inspections())
    if start:
        query = query.where(Inspection.observed_at >= dt.datetime.combine(start, dt.time()))
    if end:
        query = query.where(Inspection.observed_at < dt.datetime.combine(end, dt.time()))
    if pending_only:
        query = query.where(Appeal.state == "pending")
    rows = []
    for a in query.order_by(Appeal.id):
        i = a.inspection
        rows.append(AppealRow(a.id, record_number(i.uuid), i.window.code, i.staff.name if i.staff_id else "",
                              i.observed_at.date(), a.item_codes, a.reason, STATES[a.state], a.decision_reason))
    return rows
