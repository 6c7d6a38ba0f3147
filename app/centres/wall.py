"""A centre is a wall: every record fetched by number or code, and every change to one, is checked
against the centre of whoever acts.

A centre's account (its manager, its inspectors, its laptop) reaches only its own centre's records; a
district account reaches any centre's, and acts for the centre in view. The check is one function per
record kind (`centre_of`), so a record that cannot say its centre is refused rather than let through.
"""

from __future__ import annotations

from app.centres import scope
from app.context import Context
from app.errors import PatrolError, PermissionDenied, is_record_id, record_id
from app.storage.district import require_district_account
from app.storage.models import (
    Appeal,
    Approval,
    Area,
    Centre,
    Checklist,
    ChecklistVersion,
    Device,
    Inspection,
    InspectionHistory,
    PersonEvent,
    ProbationCase,
    Publication,
    Rating,
    Rectification,
    RuleSet,
    SchemeVersion,
    Staff,
    User,
    Vote,
    Window,
)

# How each kind of record names its centre (None: the district's own, e.g. a district checklist).
_CENTRE_OF = {
    Inspection: lambda r: Window.get_by_id(r.window_id).centre_id,
    InspectionHistory: lambda r: _inspection_centre(r.uuid),
    ProbationCase: lambda r: Staff.get_by_id(r.staff_id).centre_id,
    Appeal: lambda r: r.centre_id,
    Approval: lambda r: r.centre_id,
    Rectification: lambda r: r.centre_id,
    PersonEvent: lambda r: r.centre_id,
    Vote: lambda r: r.centre_id,
    Rating: lambda r: r.centre_id,
    Publication: lambda r: r.centre_id,
    RuleSet: lambda r: r.centre_id,
    SchemeVersion: lambda r: r.centre_id,
    Staff: lambda r: r.centre_id,
    Window: lambda r: r.centre_id,
    Area: lambda r: r.centre_id,
    User: lambda r: r.centre_id,
    Checklist: lambda r: r.centre_id,
    ChecklistVersion: lambda r: Checklist.get_by_id(r.checklist_id).centre_id,
    Device: lambda r: _centre_by_code(r.centre_code),
}

# Kinds a centre may read though they are the district's (a district checklist every centre adopts).
_SHARED_WHEN_NONE = (Checklist, ChecklistVersion, User)

WHAT = {
    Inspection: "巡查记录", InspectionHistory: "导入冲突", ProbationCase: "考察案例", Appeal: "申诉",
    Approval: "审批", Rectification: "整改项", PersonEvent: "登记记录", Vote: "评分", Rating: "好差评",
    Publication: "发布记录", RuleSet: "规则", SchemeVersion: "考核方案", Staff: "人员", Window: "窗口", Area: "区域",
    User: "账号", Checklist: "检查表", ChecklistVersion: "检查表版本", Device: "设备",
}


def _inspection_centre(uuid: str) -> int | None:
    """The centre of the inspection a stored version belongs to (an import conflict, a replaced revision)."""
    return Window.select(Window.centre).join(Inspection).where(Inspection.uuid == uuid).scalar()


def _centre_by_code(code: str) -> int | None:
    if not code:
        return None
    return Centre.select(Centre.id).where(Centre.code == code).scalar()


def centre_of(record) -> int | None:
    """The id of the centre a record belongs to (None: the district's)."""
    return _CENTRE_OF[type(record)](record)


def _centre_name(centre_id: int | None) -> str:
    if centre_id is None:
        return "全区"
    centre = Centre.get_or_none(Centre.id == centre_id)
    return centre.name if centre else f"中心 {centre_id}"


def _reaches(centre_id: int | None, record) -> bool:
    owner = centre_of(record)
    if owner == centre_id:
        return True
    return owner is None and isinstance(record, _SHARED_WHEN_NONE)


def ensure_own(user, record, what: str | None = None) -> None:
    """Refuse a centre's account acting on another centre's record (a district account acts on any)."""
    if user is None or isinstance(user, str) or user.centre_id is None:
        return
    if not _reaches(user.centre_id, record):
        label = what or WHAT.get(type(record), "记录")
        raise PermissionDenied(f"{label}不属于{_centre_name(user.centre_id)}, 该中心的账号不能查看或修改")


def ensure_in_view(ctx: Context, record, what: str | None = None) -> None:
    """Refuse a record of another centre than the one in view; the district's view reaches every centre."""
    ensure_own(ctx.user, record, what)
    if ctx.centre_id is not None and not _reaches(ctx.centre_id, record):
        label = what or WHAT.get(type(record), "记录")
        raise PermissionDenied(f"{label}不属于{_centre_name(ctx.centre_id)} (当前中心), 不能查看或修改")


# Kinds by name, for callers that hold no model (the app's pages).
KINDS = {"inspection": Inspection, "conflict": InspectionHistory, "case": ProbationCase, "appeal": Appeal,
         "approval": Approval, "rectification": Rectification, "event": PersonEvent, "vote": Vote, "rating": Rating,
         "publication": Publication, "rule_set": RuleSet, "scheme": SchemeVersion, "staff": Staff, "window": Window, "area": Area,
         "account": User, "checklist": Checklist, "checklist_version": ChecklistVersion, "device": Device}


def fetch(ctx: Context, model, key, what: str | None = None):
    """A record by its number (`model`: a model class or a name of KINDS), refused in one line when it is
    missing or another centre's."""
    model = KINDS[model] if isinstance(model, str) else model
    label = what or WHAT.get(model, "记录")
    text = str(key).strip()
    record = model.get_or_none(model.id == record_id(text)) if is_record_id(text) else None
    if record is None:
        raise PatrolError(f"未找到{label}: {text[:40]}")
    ensure_in_view(ctx, record, label)
    return record


def inspection(ctx: Context, key) -> Inspection:
    """An inspection by row id, full UUID or printed record number (an unambiguous prefix of the UUID
    among the centre's own records), refused in one line when missing or another centre's."""
    text = str(key).strip()
    found = None
    if is_record_id(text):
        found = Inspection.get_or_none(Inspection.id == record_id(text))
    if found is None:
        found = Inspection.get_or_none(Inspection.uuid == text.lower())
    if found is None and 6 <= len(text) <= 8 and all(c in "0123456789abcdefABCDEF" for c in text):
        query = Inspection.select().where(Inspection.uuid.startswith(text.lower()))
        if ctx.centre_id is not None:
            query = query.join(Window).where(Window.centre == ctx.centre_id)
        matches = list(query.limit(2))
        found = matches[0] if len(matches) == 1 else None
    if found is None:
        raise PatrolError(f"未找到巡查记录: {text[:40]}")
    ensure_in_view(ctx, found, "巡查记录")
    return found


def require_district(user, what: str) -> None:
    """What is the whole district's (its calendar, its database's backups) is the district manager's;
    in a database of one centre, that centre's manager is the district's too."""
    require_district_account(user, f"{what}属于全区, 只有区级管理员可以操作")


def require_centre(ctx: Context, what: str = "此操作") -> int:
    """The centre acted for, for work that belongs to one centre (the district's view is told to choose)."""
    return scope.require_centre(ctx.centre_id, what)
