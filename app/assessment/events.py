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
from app.centres import scope
from app.errors import PatrolError
from app.people.accounts import require_role
from app.storage.db import db
from app.storage.models import PersonEvent, Staff, User, Window, now

# Seed 004 五: any of these takes a person out of the year's awards (取消年度评先资格).
CONDUCT_KINDS = {
    "illegal_approval": ("违规审批", "004 五1"),
    "complaint": ("受到服务对象有效投诉", "004 五1"),
    "conflict": ("与服务对象发生当面冲突", "004 五1"),
    "corruption": ("吃、拿、卡、要等不廉洁行为", "004 五2"),
    "circular": ("受中心通报批评", "004 五3"),
    "media": ("被新闻媒体曝光", "004 五3"),
    "mingcha": ("被明查暗访查到", "004 五3; 000 三(二)2 第三方满意度测评暗访"),
    "leisure": ("工作时间玩游戏、看股票、看影视、听音乐、上网购物", "004 五4; 四(三)2"),
    "software": ("擅自安装无关软件造成系统故障、无法办理业务", "004 五5"),
    "absent": ("未履行请假手续擅自离岗外出", "004 五6"),
    "idle_circular": ("玩手机、喧哗嬉闹、打瞌睡、串岗闲聊等被通报批评", "004 五7"),
    "overdue": ("违反承诺办结制, 超期办理被投诉", "004 五8; 四(三)3"),
}
# Where the register heard of it.
SOURCES = {"complaint": "群众投诉", "circular": "通报", "media": "媒体", "mingcha": "明查暗访组", "video": "视频抽查",
           "other": "其他"}
# Praise as published schemes count it (若羌: 锦旗、公开表扬、节假日加班另行加分); seed 001 二(三)4 延时服务.
PRAISE_KINDS = {
    "banner": ("锦旗", "考核方案加分项"),
    "letter": ("感谢信", "考核方案加分项"),
    "public": ("公开表扬", "考核方案加分项"),
    "overtime": ("节假日、延时加班服务", "001 二(三)4、5 延时服务、无休日服务"),
    "innovation": ("创新做法被采纳", "考核方案加分项"),
}
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


def _label(register: str, kind: str, extra: dict[str, str] | None = None) -> str:
    from app.assessment.schemes import extra_kinds

    return kinds(register, extra if extra is not None else extra_kinds(register)).get(kind, kind)


def record_event(user: User, register: str, staff: Staff, kind: str, occurred_on: dt.date, description: str,
                 source: str = "other", window: Window | None = None, photos: tuple[str, ...] = (),
                 document: Path | None = None) -> PersonEvent:
    """A manager records an event about a person of the centre in view (audited). Photos are stored
    references (app.patrolling.photos); a document file is stored the same way, by its content."""
    from app.assessment.schemes import extra_kinds

    require_role(user, "manager")
    centre = scope.require_centre("登记违规或表扬")
    if register not in REGISTERS:
        raise PatrolError(f"未知登记簿 {register!r}")
    name = REGISTERS[register][0]
    allowed = kinds(register, extra_kinds(register))
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
    document_ref = _store_document(document) if document is not None else ""
    window = window or staff.window
    with db.atomic():
        event = PersonEvent.create(register=register, centre=centre, staff=staff, window=window, kind=kind,
                                   occurred_on=occurred_on, source=source if register == "conduct" else "",
                                   description=description, photos="\n".join(photos), document=document_ref,
                                   recorded_by=user.username)
        case = None
        if register == "conduct":
            case = _probation_if_the_scheme_says(event)
        audit.record(user, f"{register}.record", f"event:{event.id}",
                     new={"kind": allowed[kind], "date": occurred_on.isoformat(), "description": description,
                          **({"source": SOURCES[source]} if register == "conduct" else {}),
                          **({"probation_case": case.id} if case else {})},
                     reason=description, window_code=window.code if window else "", employee_no=staff.employee_no)
    return event


def withdraw_event(user: User, event: PersonEvent, reason: str) -> PersonEvent:
    """Withdraw an event (a complaint found not valid): it stays in the register, marked, with why; a
    probation case it opened is withdrawn too."""
    require_role(user, "manager")
    reason = audit.require_reason(reason)
    if event.centre_id != scope.require_centre("撤销登记"):
        raise PatrolError(f"记录 {event.id} 不属于本中心")
    if event.withdrawn_at is not None:
        raise PatrolError(f"记录 {event.id} 已于 {event.withdrawn_at:%Y-%m-%d} 撤销")
    with db.atomic():
        event.withdrawn_at, event.withdrawn_by, event.withdraw_reason = now(), user.username, reason
        event.save()
        if event.probation_case_id is not None:
            from app.results.probation import withdraw_case

            withdraw_case(event.probation_case, f"开启本案的{REGISTERS[event.register][0]}已撤销: {reason}", user)
        audit.record(user, f"{event.register}.withdraw", f"event:{event.id}",
                     old={"kind": _label(event.register, event.kind), "date": event.occurred_on.isoformat()},
                     new={"status": "withdrawn"}, reason=reason,
                     window_code=event.window.code if event.window_id else "", employee_no=event.staff.employee_no)
    return event


def _probation_if_the_scheme_says(event: PersonEvent):
    from app.assessment.schemes import schemes_on
    from app.results.probation import open_for_event

    if not any(event.kind in s.probation for s in schemes_on(event.occurred_on)):
        return None
    case = open_for_event(event.staff, event.occurred_on,
                          f"{_label('conduct', event.kind)} ({event.occurred_on:%Y-%m-%d}): {event.description[:60]}")
    if case is not None:
        event.probation_case = case
        event.save()
    return case


def _store_document(path: Path) -> str:
    """A document file kept by content in the evidence folder: '<sha256>.<ext> <original name>'."""
    import hashlib

    from app.patrolling.photos import photo_dir, write_once

    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".xlsx", ".txt"):
        raise PatrolError(f"{path.name}: 证明材料须为 PDF、图片、Word、Excel 或文本文件")
    try:
        if path.stat().st_size > 20 * 2**20:
            raise PatrolError(f"{path.name}: 证明材料超过 20 MB")
        data = path.read_bytes()
    except OSError as exc:
        raise PatrolError(f"无法读取 {path}: {exc.strerror}") from None
    ref = hashlib.sha256(data).hexdigest() + suffix
    write_once(photo_dir() / "documents" / ref, data)
    return f"{ref} {path.name[:80]}"


def events(register: str | None = None, start: dt.date | None = None, end: dt.date | None = None,
           staff_id: int | None = None, include_withdrawn: bool = True) -> list[EventRow]:
    """Events of the centre in view (or the district), newest first."""
    query = (PersonEvent.select(PersonEvent, Staff, Window).join(Staff, on=(PersonEvent.staff == Staff.id))
             .switch(PersonEvent).join(Window, on=(PersonEvent.window == Window.id), join_type=JOIN.LEFT_OUTER))
    cid = scope.centre_id()
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
    from app.assessment.schemes import extra_kinds

    extra = {r: extra_kinds(r) for r in REGISTERS}  # the schemes are read once, not once a row
    rows = []
    for e in query.order_by(PersonEvent.occurred_on.desc(), PersonEvent.id.desc()):
        rows.append(EventRow(e.id, e.register, e.kind, _label(e.register, e.kind, extra[e.register]), e.occurred_on, e.staff.employee_no,
                             e.staff.name, e.window.code if e.window_id else "",
                             SOURCES.get(e.source, "") if e.register == "conduct" else "", e.description, e.recorded_by,
                             e.withdrawn_at is not None, e.withdraw_reason,
                             len([p for p in e.photos.split("\n") if p]) + (1 if e.document else 0)))
    return rows
