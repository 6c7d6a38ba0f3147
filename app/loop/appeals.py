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

from peewee import JOIN

from app import audit
from app.centres import scope
from app.centres.wall import ensure_own
from app.centres.workdays import appeal_deadline as deadline
from app.errors import PatrolError
from app.patrolling.records import record_number
from app.roles import require_role
from app.storage.models import Appeal, Inspection, Item, ItemResult, Staff, User, Window, now
from app.storage.proxy import db

STATES = {"pending": "待复核", "upheld": "申诉成立 (已改判)", "rejected": "申诉不成立"}
MAX_TEXT = 2_000


def record_appeal(user: User, inspection: Inspection, item_codes: list[str], reason: str,
                  photos: tuple[str, ...] = (), today: dt.date | None = None, centre_id=scope.SOLE) -> Appeal:
    """A manager records a person's appeal against deductions of a finalised inspection."""
    require_role(user, "manager")
    ensure_own(user, inspection)
    today = today or dt.date.today()
    if inspection.status != "final":
        raise PatrolError("只能对已定稿的巡查记录申诉")
    if inspection.window.centre_id != scope.require_centre(centre_id, "申诉"):
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
        audit.record(user, "appeal.record", f"appeal:{appeal.id}", centre=appeal.centre_id, new={"items": codes, "inspection": inspection.uuid},
                     reason=reason, window_code=inspection.window.code,
                     employee_no=inspection.staff.employee_no if inspection.staff_id else "")
    return appeal


def mark_decided(appeal_id: int, user: User, upheld: bool, reason: str) -> Appeal:
    """Record the decision (after the amendment, if any, has been made)."""
    appeal = Appeal.get_by_id(appeal_id)
    appeal.state = "upheld" if upheld else "rejected"
    appeal.decided_by, appeal.decided_at, appeal.decision_reason = user.username, now(), reason
    appeal.save()
    inspection = Inspection.get_by_id(appeal.inspection_id)
    audit.record(user, "appeal.decide", f"appeal:{appeal.id}", centre=appeal.centre_id, old={"status": STATES["pending"]},
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


def appeals(start: dt.date | None = None, end: dt.date | None = None, pending_only: bool = False,
            centre_id=scope.SOLE) -> list[AppealRow]:
    """Appeals against inspections observed in [start, end) in the centre in view: one query, each row's
    inspection, window and person joined."""
    query = (Appeal.select(Appeal, Inspection, Window, Staff).join(Inspection).join(Window).switch(Inspection)
             .join(Staff, JOIN.LEFT_OUTER, on=(Inspection.staff == Staff.id)).where(scope.inspections(centre_id)))
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
