"""The office's signed update for one enrolled laptop (.wpu), numbered per laptop.

What a laptop needs to patrol as the office would: the centre's roster and windows, checklist versions
(the district's and the centre's own), settings and rules by month, the holiday calendar, the inspectors
allowed on that laptop (added, removed, passwords as hashes), and the patrol's state: the open faults
with their deadlines and last time's note and photo (as thumbnails), and the open probation cases.
Signed by the office key like the set-up file, but never with a private key in it: an update can only
tell a laptop what the office knows, not make it sign as anyone.
"""

from __future__ import annotations

import base64
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from app import audit
from app.centres import scope
from app.errors import PatrolError
from app.exchange import devices, setup_file, signed_file
from app.patrolling.evidence import photo_thumbnail
from app.results.probation_rules import recheck_counts_of
from app.roles import require_role
from app.storage.models import (
    CalendarDay,
    Centre,
    CentreDay,
    Device,
    Inspection,
    Item,
    ItemResult,
    ProbationCase,
    ProbationEvent,
    Rectification,
    SchemeVersion,
    Staff,
    User,
    Window,
    now,
)
from app.storage.proxy import db

FORMAT = "window-patrol-update"
FORMAT_VERSION = 1
SUFFIX = ".wpu"
MEMBER = "update.json"
MAX_FILE = 64 * 2**20
MAX_PHOTOS_PER_ITEM = 3  # thumbnails of last time's photos a re-check shows
# A re-check's thumbnail on the laptop's screen: decoded from the kept JPEG at a quarter of its size, so a
# 300-window centre's update with 150 photos is written in a few seconds.
THUMB_SIDE = 480


@dataclass(frozen=True)
class WrittenUpdate:
    device: str
    key_id: str
    number: int
    path: Path
    rechecks: int
    probation: int


def _photos(names: str, sent: dict[str, str]) -> list[str]:
    """Thumbnails of a fault's photos, each sent once (by the original's name)."""
    out = []
    for name in [n for n in names.split("\n") if n][:MAX_PHOTOS_PER_ITEM]:
        if name not in sent:
            thumb = photo_thumbnail(name, THUMB_SIDE)
            if thumb is None:
                continue
            sent[name] = base64.b64encode(thumb).decode("ascii")
        out.append(name)
    return out


def patrol_state(centre: Centre, today: dt.date) -> dict:
    """The faults open at the centre (with last time's note, photos and deadline) and its open
    probation cases, with the failures of each person's last inspection before the case's re-check."""
    photos: dict[str, str] = {}
    rechecks = []
    items = list(Rectification.select(Rectification, Staff, Window)
                 .join(Staff, pw.JOIN.LEFT_OUTER, on=(Rectification.staff == Staff.id))
                 .switch(Rectification).join(Window, pw.JOIN.LEFT_OUTER, on=(Rectification.window == Window.id))
                 .where((Rectification.centre == centre.id) & (Rectification.state == "open")
                        & (Rectification.source == "inspection"))
                 .order_by(Rectification.opened_on, Rectification.id))
    uuids = sorted({i.source_ref.split(":")[1] for i in items})
    found = {}
    for start in range(0, len(uuids), 500):
        query = (ItemResult.select(ItemResult, Item.code, Inspection.uuid, Inspection.observed_at).join(Item)
                 .switch(ItemResult).join(Inspection)
                 .where(Inspection.uuid.in_(uuids[start:start + 500]) & (ItemResult.result == "fail")))
        for r in query:
            found[(r.inspection.uuid, r.item.code)] = r
    for item in items:
        r = found.get((item.source_ref.split(":")[1], item.item_code))
        if r is None or item.window is None:
            continue
        rechecks.append({"window": item.window.code, "employee_no": item.staff.employee_no if item.staff_id else "",
                         "item": item.item_code, "day": r.inspection.observed_at.date().isoformat(), "note": r.note,
                         "photos": _photos(r.photos, photos), "due_on": item.due_on.isoformat(), "repeats": item.repeats})
    probation = []
    cases = (ProbationCase.select(ProbationCase, Staff).join(Staff)
             .where((Staff.centre == centre.id) & (ProbationCase.status == "open")).order_by(ProbationCase.id))
    cases = list(cases)
    counts = recheck_counts_of([c.id for c in cases])
    known: dict[int, set[str]] = {}
    for case_id, uuid in (ProbationEvent.select(ProbationEvent.case, Inspection.uuid)
                          .join(Inspection, on=(ProbationEvent.inspection == Inspection.id))
                          .where(ProbationEvent.case.in_([c.id for c in cases])).tuples()):
        known.setdefault(case_id, set()).add(uuid)
    for case in cases:
        passed, failed = counts[case.id]
        probation.append({"employee_no": case.staff.employee_no, "case": case.id, "opened_on": case.opened_on.isoformat(),
                          "ends_on": case.ends_on.isoformat(), "required": case.required_rechecks,
                          "passed": passed, "failed": failed,
                          # What the office has counted (the opening and each re-check): a laptop counts its own
                          # inspections of the person beside these, never one of them twice.
                          "known": sorted(known.get(case.id, set())
                                          | ({case.opening_inspection.uuid} if case.opening_inspection_id else set()))})
        # On probation, the re-check looks at every failure of the person's last inspection, as at the office.
        last = (Inspection.select(Inspection, Window).join(Window)
                .where((Inspection.staff == case.staff_id) & (Inspection.status == "final")
                       & (Inspection.observed_at < dt.datetime.combine(today + dt.timedelta(days=1), dt.time())))
                .order_by(Inspection.observed_at.desc()).first())
        if last is not None:
            listed = {(d["employee_no"], d["item"]) for d in rechecks}  # an open fault already says it, with its deadline
            for r in ItemResult.select(ItemResult, Item).join(Item).where((ItemResult.inspection == last)
                                                                         & (ItemResult.result == "fail")):
                if (case.staff.employee_no, r.item.code) in listed:
                    continue
                rechecks.append({"window": last.window.code, "employee_no": case.staff.employee_no, "item": r.item.code,
                                 "day": last.observed_at.date().isoformat(), "note": r.note,
                                 "photos": _photos(r.photos, photos), "due_on": None, "repeats": 0})
    return {"rechecks": rechecks, "probation": probation, "photos": photos}


def _calendar(centre: Centre) -> dict:
    return {"days": [{"day": d.day.isoformat(), "kind": d.kind, "name": d.name}
                     for d in CalendarDay.select().order_by(CalendarDay.day)],
            "centre_days": [{"day": d.day.isoformat(), "kind": d.kind, "name": d.name}
                            for d in CentreDay.select().where(CentreDay.centre == centre.id).order_by(CentreDay.day)]}


def content(device: Device, office, number: int, written_by: str, today: dt.date) -> dict:
    """Everything the laptop should know now, read from the office database."""
    centre = Centre.get_or_none(Centre.code == (device.laptop_centre or device.centre_code))
    if centre is None:
        raise PatrolError(f"设备 {device.name} ({device.key_id}) 所属的中心已不在本数据库中")
    # The inspectors still allowed on the laptop: named at enrolment (or since), active, of the centre.
    allowed = list(User.select().where(User.username.in_(list(device.inspector_names)) & (User.role == "inspector")
                                       & (User.active == True)).order_by(User.username))  # noqa: E712
    body = setup_file.content(centre, office, {"key_id": device.key_id, "name": device.name}, allowed, written_by)
    body.update(format=FORMAT, format_version=FORMAT_VERSION, number=number, calendar=_calendar(centre),
                state=patrol_state(centre, today), today=today.isoformat(),
                schemes=[{"code": v.code, "name": v.name, "version": v.version, "content": v.content,
                          "content_hash": v.content_hash, "effective_from": v.effective_from.isoformat(),
                          "loaded_by": v.loaded_by, "reason": v.reason}
                         for v in SchemeVersion.select().where(SchemeVersion.centre == centre.id)
                         .order_by(SchemeVersion.code, SchemeVersion.version)])
    return body


def write_update(user: User, key: str, out: str | Path, today: dt.date, centre_id=scope.SOLE) -> WrittenUpdate:
    """The next numbered update for one laptop of the centre (managers only), written and audited."""
    require_role(user, "manager")
    device = devices.find_device(key, user, centre_id=centre_id)
    if device.revoked_at is not None:
        raise PatrolError(f"设备 {device.name} ({device.key_id}) 已注销, 不再给它写更新")
    if device.centre_code and not device.laptop_centre:
        raise PatrolError(f"{device.key_id} 是中心办公室的密钥, 不是巡查笔记本")
    out = Path(out)
    if out.suffix != SUFFIX:
        raise PatrolError(f"更新文件的扩展名应为 {SUFFIX}")
    if not out.parent.is_dir():
        raise PatrolError(f"输出文件夹不存在: {out.parent}")
    office = devices.office_identity("写更新文件")
    with db.atomic():
        # Counted up first: two managers writing at once get two numbers (the write takes the row's lock).
        Device.update(updates_written=Device.updates_written + 1).where(Device.id == device.id).execute()
        number = Device.get_by_id(device.id).updates_written
        body = content(device, office, number, user.username, today)
        audit.record(user, "device.update", f"device:{device.key_id}", centre=Centre.get(Centre.code == body["centre"]["code"]).id,
                     new={"number": number, "rechecks": len(body["state"]["rechecks"]),
                          "inspectors": [a["username"] for a in body["accounts"]]},
                     reason=f"第 {number} 号更新")
        signed_file.write(out, MEMBER, body, office.key_id, office.public_key, office.private_key)  # last
    return WrittenUpdate(device.name, device.key_id, number, out, len(body["state"]["rechecks"]),
                         len(body["state"]["probation"]))


def write_updates(user: User, folder: str | Path, today: dt.date, centre_id=scope.SOLE) -> list[WrittenUpdate]:
    """An update for every laptop of the centre in use, into one folder (`<key id>.wpu` each)."""
    folder = Path(folder)
    if not folder.is_dir():
        raise PatrolError(f"输出文件夹不存在: {folder}")
    rows = [r for r in devices.device_rows(user, centre_id=centre_id) if r.revoked_at is None]
    laptops = [r for r in rows if Device.get(Device.key_id == r.key_id).laptop_centre]
    if not laptops:
        raise PatrolError("没有在用的巡查笔记本")
    return [write_update(user, r.key_id, folder / f"{r.key_id}{SUFFIX}", today, centre_id=centre_id) for r in laptops]


def read(path: str | Path) -> tuple[dict, bytes]:
    """An update file, its office signature checked before parsing; (content, signed bytes)."""
    name = Path(path).name
    body, data, key_id, public_key = signed_file.read(path, MEMBER, "更新文件", MAX_FILE)
    if body.get("format") != FORMAT:
        raise PatrolError(f"{name}: 不是更新文件")
    if body.get("format_version") != FORMAT_VERSION:
        raise PatrolError(f"{name}: 不支持的更新文件版本")
    office = body.get("office") or {}
    if office.get("key_id") != key_id or office.get("public_key") != public_key:
        raise PatrolError(f"{name}: 更新文件内容与签名不符")
    return body, data


def written_at(body: dict) -> dt.datetime:
    return dt.datetime.fromisoformat(body["created_at"]) if body.get("created_at") else now()
