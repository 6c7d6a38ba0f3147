"""The audit trail: every change to finalised data, probation decision, import, checklist, settings,
roster or account change, with who, when, what (old and new) and why."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from app.domain import SETTING_LABELS as LABELS
from app.errors import PatrolError
from app.storage.models import AuditEntry, Centre, User

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
    "device.update": "为设备写更新文件",
    "device.inspectors": "修改设备的巡查员",
    "device.revoke": "注销设备",
    "legacy_key.end": "停用旧共享密钥",
    "settings.rules": "修改评分规则",
    "inspection.regrade": "按新规则重新评定",
    "centre.add": "增加中心",
    "centre.trust": "登记中心管理端",
    "conduct.record": "登记违规记录",
    "conduct.withdraw": "撤销违规记录",
    "praise.record": "登记表扬记录",
    "praise.withdraw": "撤销表扬记录",
    "vote.set": "录入评分",
    "scheme.version": "载入考核方案新版本",
}
SYSTEM = "system"

WORDS = {
    "score": "得分", "grade": "等级", "revision": "版本", "results": "检查结果", "status": "状态", "role": "角色",
    "active": "启用", "created": "新建", "password_changed": "改密码", "file": "文件", "summary": "摘要",
    "changes": "变化", "new": "新增", "updated": "更新", "unchanged": "未变", "conflicts": "冲突", "device": "设备",
    "signer": "签名者", "name": "名称", "inspectors": "巡查员", "version": "版本", "items": "检查项数",
    "hash": "内容摘要", "inspections": "巡查记录数", "schema": "结构版本", "safety_copy": "恢复前副本",
    "package": "结果包", "inspections_not_in_backup": "备份中没有的巡查记录", "probation_events": "考察记录",
    "audit_entries": "审计记录", "conflict_details": "冲突详情", "window": "窗口", "department": "部门",
    "employer": "用工单位", "post": "岗位", "gender": "性别", "party_member": "党员",
}
VALUE_WORDS = {"pass": "合格", "fail": "不合格", "na": "不适用", "open": "考察中", "cleared": "已解除", "withdrawn": "已撤销",
               "recommend_return": "建议退回", "returned": "已退回", "review": "待管理员决定",
               "inspector": "巡查员", "manager": "管理员"}


def in_words(raw: str) -> str:
    """An old or new value as a person reads it ("得分: 100; 等级: 优秀"), not as stored JSON."""
    if not raw:
        return ""
    try:
        value = json.loads(raw)
    except ValueError:
        return raw
    return _words(value)


def changes(old_raw: str, new_raw: str) -> list[tuple[str, str, str]]:
    """What an entry changed, field by field in words: (field, old, new) for each field whose value
    differs (a record's fields when both sides are records, else the whole value as one line)."""
    def load(raw: str):
        if not raw:
            return None
        try:
            return json.loads(raw)
        except ValueError:
            return raw

    old, new = load(old_raw), load(new_raw)
    if isinstance(old, dict) or isinstance(new, dict):
        old, new = old if isinstance(old, dict) else {}, new if isinstance(new, dict) else {}
        keys = list(old) + [k for k in new if k not in old]
        return [(WORDS.get(k, LABELS.get(k, k)), _words(old[k], 1) if k in old else "—",
                 _words(new[k], 1) if k in new else "—") for k in keys if old.get(k) != new.get(k)]
    if old == new:
        return []
    return [("值", "—" if old is None else _words(old), "—" if new is None else _words(new))]


def _words(value, depth: int = 0) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if value is None:
        return "—"
    if value == [] or value == {} or value == "":
        return "无"  # an empty list said, not an empty space after its label ("冲突详情: ; …")
    if isinstance(value, dict):
        if depth > 1:
            return f"{len(value)} 项"
        return "; ".join(f"{WORDS.get(k, LABELS.get(k, k))}: {_words(v, depth + 1)}" for k, v in value.items())
    if isinstance(value, list):
        if depth > 1 or len(value) > 20:
            return f"{len(value)} 项"
        return ", ".join(_words(v, depth + 1) for v in value)
    if isinstance(value, float):
        return f"{value:g}"
    return VALUE_WORDS.get(str(value), str(value))


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def require_reason(reason: str | None) -> str:
    """Every change a manager makes carries a reason: the audit trail's "why"."""
    if not reason or not reason.strip():
        raise PatrolError("此修改必须填写理由 (记入审计记录)")
    return reason.strip()


def record(user: User | str | None, action: str, target: str = "", *, old=None, new=None, reason: str = "",
           window_code: str = "", employee_no: str = "", centre: int | None = None) -> AuditEntry:
    """Append one entry (call inside the transaction of the change, so both land or neither). The entry
    belongs to `centre` (a centre id: the centre whose record changed), else to the acting account's
    centre; a district account's own acts belong to the district ("")."""
    username = user.username if isinstance(user, User) else (user or SYSTEM)
    if centre is None and isinstance(user, User):
        centre = user.centre_id
    code = Centre.get_by_id(centre).code if centre is not None else ""
    return AuditEntry.create(username=username, action=action, target=target, window_code=window_code or "",
                             employee_no=employee_no or "", old=_json(old), new=_json(new), reason=reason or "",
                             centre_code=code)


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
            limit: int | None = None, viewer: User | None = None) -> list[AuditRow]:
    """Newest first, filtered by window, staff member or user. A centre's manager (`viewer`) reads their
    centre's entries only, never another centre's or the district's."""
    query = AuditEntry.select().order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if viewer is not None and viewer.centre_id is not None:
        query = query.where(AuditEntry.centre_code == Centre.get_by_id(viewer.centre_id).code)
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
