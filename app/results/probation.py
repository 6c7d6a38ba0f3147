"""Probation (考察期), as seed 000 三.2 sets it out: the register of cases, the end-of-period sweep and a
manager's decisions. How cases open and count their re-checks is `app.results.probation_rules`.

When a case's end date has passed, the sweep clears it if at least the required number of re-checks passed
and none failed; otherwise (too few re-checks, or any failure during probation) it recommends return to the
labour agency, which a manager confirms or overrules by clearing with a reason. Every transition is an
event with its time and cause.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from app import audit
from app.centres import scope
from app.centres.wall import ensure_own
from app.domain import PROBATION_STATUSES
from app.errors import PatrolError
from app.results.probation_rules import recheck_counts_of, verdict
from app.roles import require_role
from app.storage.models import ProbationCase, ProbationEvent, Staff, User, Window, now
from app.storage.proxy import db


def sweep(as_of: dt.date, user: User | None = None, centre_id=scope.SOLE) -> list[ProbationCase]:
    """Decide every open case whose end date is before `as_of`; return the cases changed. The app runs
    it as the scheduled sweep (no user); from the command line a named manager runs it. Audited."""
    if user is not None:
        require_role(user, "manager")
    # The centre in view's cases, decided by its rules (a district's view decides every centre's).
    due = list(
        ProbationCase.select().join(Staff).where((ProbationCase.status == "open") & (ProbationCase.ends_on < as_of)
                                                 & scope.staff(centre_id))
    )
    changed = []
    counts = recheck_counts_of([c.id for c in due])
    with db.atomic():
        for case in due:
            case.status, cause = verdict(case, counts[case.id])
            if case.status == "cleared":
                case.closed_at = now()
            case.save()
            ProbationEvent.create(case=case, kind=case.status, cause=cause)
            changed.append(case)
        if changed:
            audit.record(user, "probation.sweep", f"as_of:{as_of.isoformat()}",
                         new={str(c.id): c.status for c in changed}, reason="考察期满, 按规则处理")
    return changed


def _decide(case: ProbationCase, user: User, reason: str, allowed: tuple[str, ...]) -> None:
    require_role(user, "manager")
    ensure_own(user, case)
    if not reason or not reason.strip():
        raise PatrolError("处理考察案例必须填写理由")
    if case.status not in allowed:
        raise PatrolError(
            f"考察案例 {case.id} 当前状态为“{PROBATION_STATUSES[case.status]}”, 不能执行此操作"
        )


def confirm_return(case: ProbationCase, user: User, reason: str) -> ProbationCase:
    """A manager confirms return to the labour agency; the person leaves the roster."""
    _decide(case, user, reason, ("recommend_return", "review"))
    before = case.status
    with db.atomic():
        case.status, case.closed_at, case.decided_by, case.decision_reason = "returned", now(), user, reason
        case.save()
        Staff.update(status="returned", window=None).where(Staff.id == case.staff_id).execute()
        ProbationEvent.create(case=case, kind="confirmed_return", user=user, cause=reason)
        _audit(user, "probation.confirm_return", case, before, reason)
    return case


def clear_case(case: ProbationCase, user: User, reason: str) -> ProbationCase:
    """A manager clears a case (open or recommended for return), with a reason."""
    _decide(case, user, reason, ("open", "recommend_return", "review"))
    before = case.status
    with db.atomic():
        case.status, case.closed_at, case.decided_by, case.decision_reason = "cleared", now(), user, reason
        case.save()
        ProbationEvent.create(case=case, kind="cleared_by_manager", user=user, cause=reason)
        _audit(user, "probation.clear", case, before, reason)
    return case


def _audit(user: User, action: str, case: ProbationCase, before: str, reason: str) -> None:
    staff = Staff.get_by_id(case.staff_id)
    audit.record(user, action, f"case:{case.id}", old={"status": before}, new={"status": case.status},
                 reason=reason, employee_no=staff.employee_no, centre=staff.centre_id)


@dataclass(frozen=True)
class CaseRow:
    id: int
    employee_no: str
    name: str
    window: str
    employer: str
    opened_on: dt.date
    ends_on: dt.date
    days_left: int
    rechecks_passed: int
    rechecks_failed: int
    rechecks_required: int
    status: str
    status_label: str


def case_rows(as_of: dt.date, statuses: tuple[str, ...] = ("open", "recommend_return", "review"),
              centre_id=scope.SOLE) -> list[CaseRow]:
    """Cases in the given statuses, soonest end first, with their re-check counts."""
    query = (
        ProbationCase.select(ProbationCase, Staff, Window)
        .join(Staff)
        .join(Window, pw.JOIN.LEFT_OUTER, on=(Staff.window == Window.id))
        .where(ProbationCase.status.in_(list(statuses)) & scope.staff(centre_id))
        .order_by(ProbationCase.ends_on, Staff.employee_no)
    )
    cases = list(query)
    counts = recheck_counts_of([c.id for c in cases])
    rows = []
    for case in cases:
        passed, failed = counts[case.id]
        staff = case.staff
        window = staff.window.code if staff.window_id else ""
        rows.append(CaseRow(
            id=case.id, employee_no=staff.employee_no, name=staff.name, window=window,
            employer=staff.employer, opened_on=case.opened_on, ends_on=case.ends_on,
            days_left=max(0, (case.ends_on - as_of).days), rechecks_passed=passed,
            rechecks_failed=failed, rechecks_required=case.required_rechecks,
            status=case.status,
            status_label=status_label(case, as_of),
        ))
    return rows


def status_label(case: ProbationCase, as_of: dt.date) -> str:
    """The case's state as of a day, in words: an open case past its end is 期满待处理 until the sweep
    decides it (paper, `verify` and the register say the same)."""
    return "期满待处理" if case.status == "open" and case.ends_on < as_of else PROBATION_STATUSES[case.status]


def history(case: ProbationCase) -> list[ProbationEvent]:
    return list(case.events.order_by(ProbationEvent.at, ProbationEvent.id))
