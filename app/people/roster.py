"""Windows and staff as a manager keeps them: add, edit, deactivate. Only managers may."""

from __future__ import annotations

from dataclasses import dataclass

from app import audit
from app.centres import scope
from app.domain import GENDERS, POSTS, STAFF_STATUSES, WINDOW_TYPES
from app.errors import PatrolError
from app.roles import require_role
from app.storage.models import Area, Staff, User, Window
from app.storage.proxy import db


@dataclass
class WindowData:
    code: str
    name: str
    window_type: str
    department: str
    area_code: str
    active: bool = True


@dataclass
class StaffData:
    employee_no: str
    name: str
    gender: str  # M / F
    party_member: bool
    employer: str
    window_code: str  # "" for none
    post: str = "A"
    status: str = "active"


def _text(value: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise PatrolError(f"{label}不能为空")
    return value


def save_window(user: User, data: WindowData, window: Window | None = None, *, reason: str,
                centre_id=scope.SOLE) -> Window:
    """Add a window, or change one, with a reason; codes are unique."""
    require_role(user, "manager")
    reason = audit.require_reason(reason)
    code = _text(data.code, "窗口编号").upper()
    name = _text(data.name, "窗口名称")
    if data.window_type not in WINDOW_TYPES:
        raise PatrolError(f"窗口类型须为: {'、'.join(WINDOW_TYPES)}")
    centre = window.centre_id if window is not None else scope.require_centre(centre_id, "窗口")
    area = Area.get_or_none((Area.code == data.area_code) & (Area.centre == centre))
    if area is None:
        raise PatrolError(f"未知区域: {data.area_code}")
    clash = Window.get_or_none((Window.code == code) & (Window.centre == centre))
    if clash is not None and (window is None or clash.id != window.id):
        raise PatrolError(f"窗口编号 {code} 已存在")
    old = {"code": window.code, "name": window.name, "type": window.window_type, "department": window.department,
           "active": window.active} if window else None
    window = window or Window()
    window.code, window.name, window.window_type = code, name, data.window_type
    window.department, window.area, window.active = data.department.strip(), area, data.active
    with db.atomic():
        window.save()
        audit.record(user, "window.save", f"window:{code}", old=old, new={
            "code": code, "name": name, "type": data.window_type, "department": window.department,
            "active": window.active}, reason=reason, window_code=code)
    return window


def set_window_active(user: User, window: Window, active: bool, *, reason: str) -> None:
    require_role(user, "manager")
    reason = audit.require_reason(reason)
    with db.atomic():
        audit.record(user, "window.save", f"window:{window.code}", old={"active": window.active},
                     new={"active": active}, reason=reason, window_code=window.code)
        window.active = active
        window.save()


def save_staff(user: User, data: StaffData, staff: Staff | None = None, *, reason: str,
               centre_id=scope.SOLE) -> Staff:
    """Add a person, or change one, with a reason; employee numbers are unique."""
    require_role(user, "manager")
    reason = audit.require_reason(reason)
    employee_no = _text(data.employee_no, "工号")
    name = _text(data.name, "姓名")
    if data.gender not in GENDERS:
        raise PatrolError("性别须为 男 或 女")
    if data.post not in POSTS:
        raise PatrolError("岗位须为 A 或 B")
    if data.status not in STAFF_STATUSES:
        raise PatrolError(f"状态须为: {'、'.join(STAFF_STATUSES.values())}")
    window = None
    if data.window_code:
        window = Window.get_or_none((Window.code == data.window_code.strip().upper()) & scope.windows(centre_id))
        if window is None:
            raise PatrolError(f"未知窗口编号: {data.window_code}")
    clash = Staff.get_or_none(Staff.employee_no == employee_no)
    if clash is not None and (staff is None or clash.id != staff.id):
        where = "" if clash.centre_id == scope.resolve(centre_id) else f" (在{clash.centre.name})"
        raise PatrolError(f"工号 {employee_no} 已存在{where}")
    old = {"name": staff.name, "window": staff.window.code if staff.window_id else "", "employer": staff.employer,
           "status": staff.status, "post": staff.post} if staff else None
    staff = staff or Staff()
    staff.employee_no, staff.name, staff.gender = employee_no, name, data.gender
    staff.party_member, staff.employer, staff.window = bool(data.party_member), data.employer.strip(), window
    staff.post, staff.status = data.post, data.status
    # A person works at their window's centre: assigning a window of another centre moves them there,
    # with their record and history.
    staff.centre_id = window.centre_id if window is not None else (staff.centre_id or scope.require_centre(centre_id, "人员"))
    with db.atomic():
        audit.record(user, "staff.save", f"staff:{employee_no}", old=old,
                     new={"name": name, "window": window.code if window else "", "employer": data.employer.strip(),
                          "status": data.status, "post": data.post}, reason=reason, employee_no=employee_no)
        staff.save()
    return staff


def set_staff_status(user: User, staff: Staff, status: str, *, reason: str) -> None:
    require_role(user, "manager")
    reason = audit.require_reason(reason)
    if status not in STAFF_STATUSES:
        raise PatrolError(f"未知状态 {status}")
    with db.atomic():
        audit.record(user, "staff.save", f"staff:{staff.employee_no}", old={"status": staff.status},
                     new={"status": status}, reason=reason, employee_no=staff.employee_no)
        staff.status = status
        staff.save()


# What the pages list: a centre's own (None: the whole district's), in code order.

def areas(centre_id=scope.SOLE) -> list[Area]:
    """A centre's areas."""
    return list(Area.select().where(Area.centre == scope.resolve(centre_id)).order_by(Area.code))


def windows(active_only: bool = False, centre_id=scope.SOLE) -> list[Window]:
    """A centre's windows (every centre's in the district's view), with their areas."""
    where = scope.windows(centre_id)
    if active_only:
        where &= Window.active == True  # noqa: E712
    return list(Window.select(Window, Area).join(Area).where(where).order_by(Window.code))


def people(active_only: bool = False, centre_id=scope.SOLE) -> list[Staff]:
    """A centre's staff, by employee number."""
    where = scope.staff(centre_id)
    if active_only:
        where &= Staff.status == "active"
    return list(Staff.select().where(where).order_by(Staff.employee_no))


def accounts(viewer: User, centre_id=scope.SOLE) -> list[User]:
    """The accounts a manager may see and manage: a centre's manager, their centre's."""
    return list(User.select().where(scope.accounts(centre_id, viewer)).order_by(User.username))
