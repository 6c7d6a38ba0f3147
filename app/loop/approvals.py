"""A second manager's sign-off (双人审批): when a centre requires it (setting `second_approval`), an
amendment that changes a verdict (pass ↔ fail) and the publication of a month's ranking wait for
another manager to approve them; until then nothing changes. The rule guards itself: turning it off,
and adding or re-activating a manager (who could then approve), wait the same way (the district's
manager alone may). Who asked, who approved or refused, and why, are in the audit trail."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from dataclasses import dataclass

from app import audit, periods
from app.centres import scope
from app.centres.settings import (
    RULE_FIELDS,
    CentreSettings,
    changed_settings,
    format_value,
    load_settings,
    parse_value,
    save_settings,
    settings_centre,
)
from app.centres.wall import ensure_own
from app.errors import NeedsApproval, PatrolError
from app.loop import appeals, publishing
from app.loop.record_changes import amend
from app.patrolling import inspections
from app.people.accounts import add_account, hash_password, manage_account
from app.periods import period_key
from app.results.frozen import publication_over, why_frozen
from app.roles import require_role
from app.storage.models import Appeal, Approval, Inspection, User, now
from app.storage.proxy import db

KINDS = {"amend": "改变结论的记录修改", "publish": "发布最终排名", "settings": "关闭双人审批",
         "account": "新增或启用管理员账号", "reopen": "重新开放已发布的排名"}
STATES = {"pending": "待批准", "approved": "已批准", "rejected": "已驳回", "held": "待重新开放后生效"}


def _required(day: dt.date, centre_id: int | None) -> bool:
    return load_settings(day, centre_id).second_approval


def verdict_changes(inspection: Inspection, results: Mapping[str, str]) -> bool:
    """Whether these item results would turn the inspection from pass to fail or back."""
    items = {i.code: i for i in inspections.applicable_items(inspection)}
    recorded = {k: r.result for k, r in inspections.item_results(inspection).items()}
    for code, result in results.items():
        if code in items:
            recorded[items[code].id] = result
    score = inspections.score_inspection(inspection, None, list(items.values()), recorded)
    return bool(score.passed) != bool(inspection.passed)


def amend_or_request(user: User, inspection: Inspection, results: Mapping[str, str], reason: str,
                     appeal_id: int | None = None):
    """Amend now, or, when the centre requires a second manager and the verdict would change, ask for
    approval; a record of a published period is held until the period is re-opened (listed among the
    approvals). Returns ("done", ScoreResult), ("pending", Approval) or ("held", Approval)."""
    ensure_own(user, inspection)
    require_role(user, "manager")
    centre, payload = inspection.window.centre_id, {"results": dict(results), "appeal": appeal_id}
    for waiting in Approval.select().where((Approval.kind == "amend") & (Approval.target == inspection.uuid)
                                           & Approval.state.in_(["pending", "held"])):
        if json.loads(waiting.payload).get("results") == dict(results):  # asked twice: once is enough
            raise PatrolError(f"同样的修改已在审批 {waiting.id} 中{STATES[waiting.state]}, 不必再提")
    who = {"window_code": inspection.window.code, "employee_no": inspection.staff.employee_no if inspection.staff_id else ""}
    shown = {"inspection": inspection.uuid, "results": dict(results)}
    frozen = why_frozen(centre, inspection.observed_at.date())
    if frozen:
        return "held", _request(user, centre, "amend", inspection.uuid, payload, reason, shown | {"held": frozen},
                                state="held", **who)
    if _required(inspection.observed_at.date(), centre) and verdict_changes(inspection, results):
        return "pending", _request(user, centre, "amend", inspection.uuid, payload, reason, shown, **who)
    return "done", amend(inspection, user, results, reason)


def _request(user: User, centre_id: int | None, kind: str, target: str, payload: dict, reason: str,
             shown: dict, state: str = "pending", **audit_context) -> Approval:
    """An approval asked for (pending another manager), or a change held by a publication (audited)."""
    reason = audit.require_reason(reason)
    with db.atomic():
        approval = Approval.create(centre=settings_centre(centre_id), kind=kind, target=target,
                                   payload=json.dumps(payload, ensure_ascii=False), requested_by=user.username,
                                   reason=reason, state=state)
        audit.record(user, "approval.hold" if state == "held" else "approval.request", f"approval:{approval.id}",
                     centre=approval.centre_id, new={"kind": KINDS[kind]} | shown, reason=reason, **audit_context)
    return approval


def _apply_amend(approval: Approval, requester: User, why: str) -> None:
    """An approved or released amendment takes effect as its requester's; an appeal it decides is upheld."""
    payload = json.loads(approval.payload)
    amend(Inspection.get(Inspection.uuid == approval.target), requester, payload["results"], why)
    if payload.get("appeal"):
        appeals.mark_decided(payload["appeal"], requester, True, approval.reason)


def save_settings_or_request(user: User, settings: CentreSettings, reason: str, centre_id=scope.SOLE):
    """Save a centre's plain settings now, or, when they turn the second approval off, ask another
    manager to. Returns ("done", None) or ("pending", Approval)."""
    try:
        save_settings(settings, user, reason, centre_id=centre_id)
        return "done", None
    except NeedsApproval:
        values = {name: format_value(name, getattr(settings, name))
                  for name in changed_settings(settings, None, centre_id) if name not in RULE_FIELDS}
        return "pending", _request(user, centre_id, "settings", "second_approval", {"values": values}, reason,
                                   {"settings": values})


def add_account_or_request(user: User, username: str, display_name: str, role: str, password: str,
                           centre_id=scope.SOLE):
    """Add an account now, or, for a new manager where the second approval is on, ask another manager
    to (the password is kept as its hash only). Returns ("done", User) or ("pending", Approval)."""
    try:
        return "done", add_account(user, username, display_name, role, password, centre_id=centre_id)
    except NeedsApproval:
        if len(password) < 6:
            raise PatrolError("密码至少 6 位") from None
        payload = {"action": "add", "username": username.strip(), "display_name": display_name.strip(),
                   "role": role, "password_hash": hash_password(password)}
        return "pending", _request(user, user.centre_id if user.centre_id is not None else scope.resolve(centre_id),
                                   "account", username.strip(), payload,
                                   f"新增管理员账号 {username.strip()}", {"account": username.strip()})


def manage_account_or_request(user: User, target: User, *, active: bool | None = None, role: str | None = None,
                              password: str | None = None):
    """Change an account now, or, when it makes a working manager where the second approval is on, ask
    another manager to. Returns ("done", User) or ("pending", Approval)."""
    try:
        return "done", manage_account(user, target, active=active, role=role, password=password)
    except NeedsApproval:
        payload = {"action": "manage", "username": target.username, "active": active, "role": role}
        return "pending", _request(user, target.centre_id, "account", target.username, payload,
                                   f"启用或授予管理员账号 {target.username}", {"account": target.username})


def reopen_or_request(user: User, period, reason: str, today: dt.date | None = None, centre_id=scope.SOLE):
    """Re-open a published period now, or ask another manager to where the centre requires one.
    Returns ("done", None) or ("pending", Approval)."""
    try:
        with db.atomic():
            publishing.reopen(user, period, reason, today, centre_id=centre_id)
            _release_held(user, period, scope.require_centre(centre_id, "重新开放排名"), today)
        return "done", None
    except NeedsApproval:
        key = period_key(period)
        return "pending", _request(user, scope.require_centre(centre_id, "重新开放排名"), "reopen", key,
                                   {"today": (today or dt.date.today()).isoformat()}, reason, {"period": key})


def _release_held(user: User, period, centre_id: int, today: dt.date | None) -> None:
    """The changes held by the period's publication, now re-opened, take effect in the order asked (each
    as its requester's, noting who re-opened); one that changes a verdict where the centre requires a
    second manager waits for that approval instead. One whose record lies in another period still
    published stays held."""
    held = (Approval.select().join(Inspection, on=(Approval.target == Inspection.uuid))
            .where((Approval.centre == centre_id) & (Approval.kind == "amend") & (Approval.state == "held")
                   & (Inspection.observed_at >= period.start_dt) & (Inspection.observed_at < period.end_dt))
            .order_by(Approval.id))
    for approval in held:
        inspection = Inspection.get(Inspection.uuid == approval.target)
        if publication_over(centre_id, inspection.observed_at.date()) is not None:
            continue
        payload = json.loads(approval.payload)
        requester = User.get(User.username == approval.requested_by)
        if _required(today or dt.date.today(), centre_id) and verdict_changes(inspection, payload["results"]):
            approval.state = "pending"
            approval.save()
            audit.record(user, "approval.release", f"approval:{approval.id}", centre=centre_id,
                         old={"status": STATES["held"]}, new={"status": STATES["pending"]},
                         reason=f"{period.label}已重新开放, 改变结论的修改待另一名管理员批准")
            continue
        _apply_amend(approval, requester, f"{approval.reason} ({period.label}重新开放后生效)")
        approval.state, approval.decided_by, approval.decided_at = "approved", user.username, now()
        approval.decision_reason = f"{period.label}已重新开放"
        approval.save()
        audit.record(user, "approval.release", f"approval:{approval.id}", centre=centre_id,
                     old={"status": STATES["held"]}, new={"status": "已生效"}, reason=approval.decision_reason)


def publish_or_request(user: User, period, reason: str = "", today: dt.date | None = None, centre_id=scope.SOLE):
    """Publish the period's ranking now, or ask a second manager to (when the centre requires it).
    Returns ("done", Publication) or ("pending", Approval)."""
    require_role(user, "manager")
    if not _required(period.start, centre_id=centre_id):
        return "done", publishing.publish(user, period, reason, today, centre_id=centre_id)
    publishing.ensure_ready(period, publishing.status(period, today, centre_id=centre_id))
    key = period_key(period)
    return "pending", _request(user, scope.require_centre(centre_id, "排名发布"), "publish", key,
                               {"today": (today or dt.date.today()).isoformat()}, reason or f"{period.label}排名定稿",
                               {"period": key})


def decide_appeal(user: User, appeal: Appeal, upheld: bool, reason: str) -> Appeal:
    """申诉成立 amends the inspection (contested items pass); 申诉不成立 leaves it. Audited. When the centre
    requires a second manager for a changed verdict, 申诉成立 waits for that approval."""
    ensure_own(user, appeal)
    require_role(user, "manager")
    reason = audit.require_reason(reason)
    if appeal.state != "pending":
        raise PatrolError(f"申诉 {appeal.id} 已复核: {appeals.STATES[appeal.state]}")
    if appeal.decision_reason.startswith("改判待批准"):
        raise PatrolError(f"申诉 {appeal.id} 的改判正等待另一名管理员批准")
    if appeal.decision_reason.startswith("改判待该期重新开放"):
        raise PatrolError(f"申诉 {appeal.id} 已判成立, 改判待该期排名重新开放后生效")
    with db.atomic():
        if upheld:
            outcome, what = amend_or_request(user, appeal.inspection, {c: "pass" for c in appeal.item_codes.split(",")},
                                             f"申诉成立: {reason}", appeal.id)
            if outcome in ("pending", "held"):
                waits = "改判待批准" if outcome == "pending" else "改判待该期重新开放"
                appeal.decision_reason = f"{waits} (审批 {what.id}): {reason}"
                appeal.save()
                return appeal
        return appeals.mark_decided(appeal.id, user, upheld, reason)


def decide(user: User, approval: Approval, approve: bool, reason: str, centre_id=scope.SOLE) -> Approval:
    """Another manager approves (the change takes effect now) or refuses (nothing changes)."""
    ensure_own(user, approval)
    require_role(user, "manager")
    reason = audit.require_reason(reason)
    if approval.state == "held":
        raise PatrolError(f"审批 {approval.id} 所改的记录属于已定稿发布的一期: 该期重新开放后自动生效, 无需批准")
    if approval.state != "pending":
        raise PatrolError(f"审批 {approval.id} 已{STATES[approval.state]}")
    if approval.requested_by == user.username:
        raise PatrolError("须由另一名管理员批准或驳回 (提出人不能批准自己的申请)")
    if approval.centre_id != scope.require_centre(centre_id, "审批"):
        raise PatrolError(f"审批 {approval.id} 不属于本中心")
    requester = User.get(User.username == approval.requested_by)
    payload = json.loads(approval.payload)
    with db.atomic():
        if approve and approval.kind == "amend":
            _apply_amend(approval, requester, f"{approval.reason} (经{user.display_name}批准: {reason})")
        elif approve and approval.kind == "reopen":
            publishing.reopen(requester, periods.parse(approval.target), approval.reason,
                              dt.date.fromisoformat(payload["today"]), approved_by=user.username,
                              centre_id=approval.centre_id)
            _release_held(user, periods.parse(approval.target), approval.centre_id,
                          dt.date.fromisoformat(payload["today"]))
        elif approve and approval.kind == "settings":
            settings = load_settings(None, approval.centre_id)
            for name, text in payload["values"].items():
                setattr(settings, name, parse_value(name, text))
            save_settings(settings, requester, approval.reason, centre_id=approval.centre_id,
                          approved_by=user.username)
        elif approve and approval.kind == "account":
            if payload["action"] == "add":
                add_account(requester, payload["username"], payload["display_name"], payload["role"], "",
                            centre_id=approval.centre_id, approved_by=user.username,
                            password_hash=payload["password_hash"])
            else:
                manage_account(requester, User.get(User.username == payload["username"]), active=payload["active"],
                               role=payload["role"], approved_by=user.username)
        elif approve:
            publishing.publish(requester, periods.parse(approval.target), approval.reason,
                               dt.date.fromisoformat(payload["today"]), approved_by=user.username, centre_id=centre_id)
        elif approval.kind == "amend" and payload.get("appeal"):
            appeals.reopen(payload["appeal"], f"改判未获批准: {reason}")
        approval.state = "approved" if approve else "rejected"
        approval.decided_by, approval.decided_at, approval.decision_reason = user.username, now(), reason
        approval.save()
        audit.record(user, "approval.approve" if approve else "approval.reject", f"approval:{approval.id}",
                     centre=approval.centre_id,
                     old={"kind": KINDS[approval.kind], "target": approval.target, "requested_by": approval.requested_by},
                     new={"status": STATES[approval.state]}, reason=reason)
    return approval


@dataclass(frozen=True)
class ApprovalRow:
    id: int
    kind: str
    target: str
    what: str
    requested_by: str
    reason: str
    state: str
    decided_by: str

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def approvals(pending_only: bool = False, centre_id=scope.SOLE) -> list[ApprovalRow]:
    query = Approval.select()
    cid = scope.resolve(centre_id)
    if cid is not None:
        query = query.where(Approval.centre == cid)
    if pending_only:  # what still waits: for a second manager, or for its period to be re-opened
        query = query.where(Approval.state.in_(["pending", "held"]))
    out = []
    for a in query.order_by(Approval.id):
        payload = json.loads(a.payload)
        if a.kind == "amend":
            what = "、".join(f"{c}→{'合格' if r == 'pass' else '不合格' if r == 'fail' else '不适用'}"
                            for c, r in payload.get("results", {}).items())
        elif a.kind == "settings":
            what = "、".join(f"{name} = {text}" for name, text in payload["values"].items())
        elif a.kind == "reopen":
            what = f"{a.target} 排名重新开放"
        elif a.kind == "account":
            what = f"管理员账号 {a.target}" + (" (新增)" if payload["action"] == "add" else " (启用或授予)")
        else:
            what = f"{a.target} 排名"
        # A held amendment need not change a verdict: it waits because its period is published.
        kind = "已发布一期的记录修改" if a.kind == "amend" and a.state == "held" else KINDS[a.kind]
        out.append(ApprovalRow(a.id, kind, a.target[:8] if a.kind == "amend" else a.target, what,
                               a.requested_by, a.reason, STATES[a.state], a.decided_by))
    return out
