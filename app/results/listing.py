"""Plain rows of finalised inspections for lists, exports and the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass

import peewee as pw

from app.centres import scope
from app.errors import PatrolError, PermissionDenied
from app.periods import Period
from app.results.rankings import finalised_in
from app.roles import require_role
from app.storage.models import Checklist, ChecklistVersion, Inspection, Staff, User, Window


@dataclass(frozen=True)
class InspectionRow:
    id: int
    uuid: str
    observed_at: dt.datetime
    window_code: str
    window_name: str
    department: str
    employee_no: str
    staff_name: str
    inspector: str
    method: str
    score: float
    grade: str
    passed: bool
    vetoed: bool
    deductions: float
    checklist_version: str


def finalised_inspections(period: Period, window_code: str | None = None,
                          employee_no: str | None = None, inspector: User | None = None, centre_id=scope.SOLE) -> list[InspectionRow]:
    """Finalised inspections observed in the period, oldest first; unknown codes are an error."""
    return list(iter_finalised_inspections(period, window_code, employee_no, inspector, centre_id=centre_id))


def visible_to(user: User | None):
    """What a user may see: managers (and scripts) everything, an inspector their own inspections."""
    if user is not None and user.role != "manager":
        return Inspection.inspector == user.id
    return None


# What an inspector may export or print: their own inspections (the details workbook; the record and
# the rectification notice of an inspection they made) and the window labels. Rankings, pay lists,
# probation notices, staff records and photo archives are management's.
INSPECTOR_EXPORTS = ("details", "labels", "record", "notice")
EXPORT_LABELS = {"excel": "月度工作簿", "details": "巡查明细", "ranking": "月度排名表", "record": "巡查记录表",
                 "notice": "整改通知单", "probation": "考察期通知书", "staff": "个人巡查记录", "labels": "窗口二维码标签",
                 "photos": "现场照片", "assessment-excel": "考核成绩工作簿", "assessment": "考核成绩表",
                 "certificates": "证书", "person-year": "个人年度考核表"}


def may_export(kind: str, user: User | None) -> bool:
    """Whether the user may make this kind of export at all (None: a script, as the file's owner)."""
    return user is None or user.role == "manager" or kind in INSPECTOR_EXPORTS


def require_export(kind: str, user: User | None, inspection: Inspection | None = None) -> None:
    """Refuse an export the user's role does not allow; an inspector prints only their own inspections."""
    if user is None:
        return
    require_role(user, "inspector")
    if not may_export(kind, user):
        raise PermissionDenied(f"{EXPORT_LABELS.get(kind, kind)}由管理员导出; 巡查员可导出本人的巡查明细、巡查记录表、整改通知单和窗口标签")
    if inspection is not None and user.role != "manager" and inspection.inspector_id != user.id:
        raise PermissionDenied("只能打印本人的巡查记录")


def iter_finalised_inspections(period: Period, window_code: str | None = None, employee_no: str | None = None,
                               inspector: User | None = None, centre_id=scope.SOLE) -> Iterator[InspectionRow]:
    """The same, streamed: one row in memory at a time, for exports of any length."""
    where = finalised_in(period, centre_id=centre_id)
    own = visible_to(inspector)
    if own is not None:
        where &= own
    if window_code is not None:
        window = Window.get_or_none((Window.code == window_code) & scope.windows(centre_id))
        if window is None:
            raise PatrolError(f"未知窗口编号: {window_code}")
        where &= Inspection.window == window
    if employee_no is not None:
        staff = Staff.get_or_none(Staff.employee_no == employee_no)
        if staff is None:
            raise PatrolError(f"未知工号: {employee_no}")
        where &= Inspection.staff == staff
    query = (
        Inspection.select(Inspection, Window, Staff, User, ChecklistVersion, Checklist)
        .join(Window).switch(Inspection)
        .join(Staff, pw.JOIN.LEFT_OUTER).switch(Inspection)
        .join(User).switch(Inspection)
        .join(ChecklistVersion).join(Checklist)
        .where(where)
        .order_by(Inspection.observed_at, Inspection.id)
    )
    return (
        InspectionRow(
            id=i.id, uuid=i.uuid, observed_at=i.observed_at, window_code=i.window.code,
            window_name=i.window.name, department=i.window.department,
            employee_no=i.staff.employee_no if i.staff_id else "", staff_name=i.staff.name if i.staff_id else "",
            inspector=i.inspector.display_name, method=i.method, score=i.score, grade=i.grade,
            passed=bool(i.passed), vetoed=bool(i.vetoed), deductions=i.deductions,
            checklist_version=f"{i.checklist_version.checklist.code} v{i.checklist_version.version}",
        )
        for i in query.iterator()
    )
