"""The conduct register (违规记录) and the praise register (表扬记录): events about a person that a
patrol does not see, recorded by a manager with their source and evidence.

What an event does (points off or on in the month, probation, losing the year's awards) is the
assessment scheme's to say (app.assessment.schemes); the register keeps the facts. An event is never
deleted: a complaint found not valid is withdrawn with a reason, and counts nowhere from then on.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from peewee import JOIN

from app import audit
from app.assessment.schemes import extra_kinds, schemes_on
from app.centres import scope
from app.centres.wall import ensure_own
from app.domain import CONDUCT_KINDS, PRAISE_KINDS
from app.domain import CONDUCT_SOURCES as SOURCES
from app.errors import PatrolError
from app.patrolling.evidence import store_document
from app.results.probation_rules import event_opened, link_event, withdraw_case
from app.roles import require_role
from app.storage.models import PersonEvent, Staff, User, Window, now
from app.storage.proxy import db

REGISTERS = {"conduct": ("违规记录", CONDUCT_KINDS), "praise": ("表扬记录", PRAISE_KINDS)}
MAX_TEXT = 2_000
MAX_PHOTOS = 9


def kinds(register: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """code -> label of a register's kinds, with those a scheme adds (extendable)."""
    out = {code: label for code, (label, _) in REGISTERS[register][1].items()}
    return out | (extra or {})


@dataclass(frozen=True)
class EventRow:
    id: int
    register: str
    kind: str
    kind_label: str
    occurred_on: dt.date
    employee_no: str
    staff_name: str
    window_code: str
    source: str
    description: str
    recorded_by: str
    withdrawn: bool
    withdraw_reason: str
    evidence: int  # photos and documents attached

    def as_dict(self) -> dict:
        return {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items()}


def _label(register: str, kind: str, extra: dict[str, str] | None = None, centre_id=scope.SOLE) -> str:
    return kinds(register, extra if extra is not None else extra_kinds(register, centre_id=centre_id)).get(kind, kind)


def record_event(user: User, register: str, staff: Staff, kind: str, occurred_on: dt.date, description: str,
                 source: str = "other", window: Window | None = None, photos: tuple[str, ...] = (),
                 document: Path | None = None, centre_id=scope.SOLE) -> PersonEvent:
    """A manager records an event about a person of the centre in view (audited). Photos are stored
    references (app.patrolling.evidence); a document file is stored the same way, by its content."""
    require_role(user, "manager")
    centre = scope.require_centre(centre_id, "登记违规或表扬")
    if register not in REGISTERS:
        raise PatrolError(f"未知登记簿 {register!r}")
    name = REGISTERS[register][0]
    allowed = kinds(register, extra_kinds(register, centre_id=centre_id))
    if kind not in allowed:
        raise PatrolError(f"{name}: 未知类别 {kind!r} (可选: {', '.join(f'{k} {v}' for k, v in allowed.items())})")
    if register == "conduct" and source not in SOURCES:
        raise PatrolError(f"{name}: 未知来源 {source!r} (可选: {', '.join(f'{k} {v}' for k, v in SOURCES.items())})")
    if staff.centre_id != centre:
        raise PatrolError(f"{staff.name} ({staff.employee_no}) 不是本中心人员")
    if window is not None and window.centre_id != centre:
        raise PatrolError(f"窗口 {window.code} 不属于本中心")
    if occurred_on > dt.date.today():
        raise PatrolError(f"{name}: 日期 {occurred_on.isoformat()} 在今天之后")
    description = (description or "").strip()
    if not description or len(description) > MAX_TEXT:
        raise PatrolError(f"{name}: 须写明事由 (至多 {MAX_TEXT} 字)")
    if len(photos) > MAX_PHOTOS:
        raise PatrolError(f"{name}: 照片至多 {MAX_PHOTOS} 张")
    document_ref = store_document(document) if document is not None else ""
    window = window or staff.window
    with db.atomic():
        event = PersonEvent.create(register=register, centre=centre, staff=staff, window=window, kind=kind,
                                   occurred_on=occurred_on, source=source if register == "conduct" else "",
                                   description=description, photos="\n".join(photos), document=document_ref,
                                   recorded_by=user.username)
        case = None
        if register == "conduct":
            case = _probation_if_the_scheme_says(event, centre_id=centre_id)
        audit.record(user, f"{register}.record", f"event:{event.id}", centre=event.centre_id,
                     new={"kind": allowed[kind], "date": occurred_on.isoformat(), "description": description,
                          **({"source": SOURCES[source]} if register == "conduct" else {}),
                          **({"probation_case": case.id} if case else {})},
                     reason=description, window_code=window.code if window else "", employee_no=staff.employee_no)
    return event


def withdraw_event(user: User, event: PersonEvent, reason: str, centre_id=scope.SOLE) -> PersonEvent:
    """Withdraw an event (a complaint found not valid): it stays in the register, marked, with why; a
    probation case it opened is withdrawn too."""
    require_role(user, "manager")
    ensure_own(user, event)
    reason = audit.require_reason(reason)
    if event.centre_id != scope.require_centre(centre_id, "撤销登记"):
        raise PatrolError(f"记录 {event.id} 不属于本中心")
    if event.withdrawn_at is not None:
        raise PatrolError(f"记录 {event.id} 已于 {event.withdrawn_at:%Y-%m-%d} 撤销")
    with db.atomic():
        event.withdrawn_at, event.withdrawn_by, event.withdraw_reason = now(), user.username, reason
        event.save()
        if event.probation_case_id is not None and event_opened(event):
            withdraw_case(event.probation_case, f"开启本案的{REGISTERS[event.register][0]}已撤销: {reason}", user)
        elif event.probation_case_id is not None:  # it fell inside a case opened otherwise: that case stands
            event.probation_case = None
            event.save()
        audit.record(user, f"{event.register}.withdraw", f"event:{event.id}", centre=event.centre_id,
                     old={"kind": _label(event.register, event.kind,
                                         centre_id=centre_id), "date": event.occurred_on.isoformat()},
                     new={"status": "withdrawn"}, reason=reason,
                     window_code=event.window.code if event.window_id else "", employee_no=event.staff.employee_no)
    return event


def _probation_if_the_scheme_says(event: PersonEvent, centre_id=scope.SOLE):
    if not any(event.kind in s.probation for s in schemes_on(event.occurred_on, centre_id=centre_id)):
        return None
    return link_event(event, f"{_label('conduct', event.kind, centre_id=centre_id)} ({event.occurred_on:%Y-%m-%d}): "
                             f"{event.description[:60]}")


def events(register: str | None = None, start: dt.date | None = None, end: dt.date | None = None,
           staff_id: int | None = None, include_withdrawn: bool = True, centre_id=scope.SOLE) -> list[EventRow]:
    """Events of the centre in view (or the district), newest first."""
    query = (PersonEvent.select(PersonEvent, Staff, Window).join(Staff, on=(PersonEvent.staff == Staff.id))
             .switch(PersonEvent).join(Window, on=(PersonEvent.window == Window.id), join_type=JOIN.LEFT_OUTER))
    cid = scope.resolve(centre_id)
    if cid is not None:
        query = query.where(PersonEvent.centre == cid)
    if register:
        query = query.where(PersonEvent.register == register)
    if start:
        query = query.where(PersonEvent.occurred_on >= start)
    if end:
        query = query.where(PersonEvent.occurred_on <= end)
    if staff_id:
        query = query.where(PersonEvent.staff == staff_id)
    if not include_withdrawn:
        query = query.where(PersonEvent.withdrawn_at.is_null())

    extra = {r: extra_kinds(r, centre_id=centre_id) for r in REGISTERS}  # the schemes are read once, not once a row
    rows = []
    for e in query.order_by(PersonEvent.occurred_on.desc(), PersonEvent.id.desc()):
        rows.append(EventRow(e.id, e.register, e.kind, _label(e.register, e.kind, extra[e.register],
                                                              centre_id=centre_id), e.occurred_on, e.staff.employee_no,
                             e.staff.name, e.window.code if e.window_id else "",
                             SOURCES.get(e.source, "") if e.register == "conduct" else "", e.description, e.recorded_by,
                             e.withdrawn_at is not None, e.withdraw_reason,
                             len([p for p in e.photos.split("\n") if p]) + (1 if e.document else 0)))
    return rows
