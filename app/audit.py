"""The audit trail: every change to finalised data, probation decision, import, checklist, settings,
roster or account change, with who, when, what (old and new) and why."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from app.errors import PatrolError
from app.models import AuditEntry, User

ACTIONS = {
    "inspection.amend": "修改已定稿巡查记录",
    "inspection.conflict": "处理导入冲突",
    "probation.confirm_return": "确认退回劳务公司",
    "probation.clear": "解除考察",
    "import.results": "导入结果包",
    "import.roster": "导入人员名单",
    "checklist.version": "载入检查表新版本",
    "settings.change": "修改中心设置",
    "window.save": "修改窗口",
    "staff.save": "修改人员",
    "account.change": "修改账号",
    "backup.restore": "从备份恢复",
    "probation.sweep": "考察期满处理",
    "device.enrol": "登记设备",
    "device.revoke": "注销设备",
    "legacy_key.end": "停用旧共享密钥",
}
SYSTEM = "system"


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def require_reason(reason: str | None) -> str:
    """Every change a manager makes carries a reason: the audit trail's "why"."""
    if not reason or not reason.strip():
        raise PatrolError("此修改必须填写理由 (记入审计记录)")
    return reason.strip()


def record(user: User | str | None, action: str, target: str = "", *, old=None, new=None, reason: str = "",
           window_code: str = "", employee_no: str = "") -> AuditEntry:
    """Append one entry (call inside the transaction of the change, so both land or neither)."""
    username = user.username if isinstance(user, User) else (user or SYSTEM)
    return AuditEntry.create(username=username, action=action, target=target, window_code=window_code or "",
                             employee_no=employee_no or "", old=_json(old), new=_json(new), reason=reason or "")


@dataclass(frozen=True)
class AuditRow:
    at: dt.datetime
    username: str
    action: str
    action_label: str
    target: str
    window_code: str
    employee_no: str
    old: str
    new: str
    reason: str


def entries(*, window_code: str | None = None, employee_no: str | None = None, username: str | None = None,
            limit: int | None = None) -> list[AuditRow]:
    """Newest first, filtered by window, staff member or user."""
    query = AuditEntry.select().order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if window_code:
        query = query.where(AuditEntry.window_code == window_code)
    if employee_no:
        query = query.where(AuditEntry.employee_no == employee_no)
    if username:
        query = query.where(AuditEntry.username == username)
    if limit:
        query = query.limit(limit)
    return [AuditRow(e.at, e.username, e.action, ACTIONS.get(e.action, e.action), e.target, e.window_code,
                     e.employee_no, e.old, e.new, e.reason) for e in query]
