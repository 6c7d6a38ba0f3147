"""Applying the office's update (app.exchange.update_file) on the laptop it was written for.

In one transaction, or not at all: the roster and windows (matched by code, never deleted: a draft's
person stays), checklist versions, settings and rules by month, the calendar, the inspectors (added,
password changed, or no longer allowed: they cannot sign in, their unsent records stay and are still
exported), and the office's re-checks due and probation cases (replaced whole). Drafts and finalised
records are never touched. The same file twice changes nothing; an older one than the last applied, or
one for another laptop, is refused.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from app.centres.settings import load_settings
from app.errors import PatrolError
from app.exchange import setup_file, update_file
from app.keys import identity
from app.patrolling.checklist_versions import register
from app.patrolling.evidence import store_photo
from app.storage.models import (
    AppliedUpdate,
    Area,
    CalendarDay,
    Centre,
    CentreDay,
    ChecklistVersion,
    ProbationDue,
    RecheckDue,
    RuleSet,
    SchemeVersion,
    Setting,
    Staff,
    User,
    Window,
    now,
)
from app.storage.proxy import db


@dataclass(frozen=True)
class AppliedResult:
    number: int
    changed: bool  # False: this very update was applied before, nothing done
    staff_added: int = 0
    staff_changed: int = 0
    windows_added: int = 0
    checklist_versions: int = 0
    inspectors_added: tuple[str, ...] = ()
    inspectors_removed: tuple[str, ...] = ()
    rechecks: int = 0
    probation: int = 0

    def summary(self) -> str:
        if not self.changed:
            return f"第 {self.number} 号更新已经应用过, 本次没有改动"
        parts = [f"人员新增 {self.staff_added}、变更 {self.staff_changed}", f"新窗口 {self.windows_added}",
                 f"新检查表版本 {self.checklist_versions}", f"待复查 {self.rechecks} 项", f"考察期 {self.probation} 人"]
        if self.inspectors_added:
            parts.append("新增巡查员 " + "、".join(self.inspectors_added))
        if self.inspectors_removed:
            parts.append("停用巡查员 " + "、".join(self.inspectors_removed) + " (其未导出的记录保留, 仍可导出)")
        return f"已应用第 {self.number} 号更新: " + "; ".join(parts)


@dataclass(frozen=True)
class UpdateState:
    number: int
    applied_at: dt.datetime | None
    written_at: dt.datetime | None

    def stale(self, today: dt.date, days: int, enrolled: dt.datetime | None = None) -> bool:
        """Older than `days`: the last update's writing, or the enrolment when none came yet."""
        last = self.written_at or enrolled
        return last is None or (today - last.date()).days > days

    def describe(self) -> str:
        if self.written_at is None:
            return "尚未收到管理端的更新 (登记以来)"
        return f"最近更新: 第 {self.number} 号, 管理端 {self.written_at:%Y-%m-%d %H:%M} 写出, 本机 {self.applied_at:%Y-%m-%d %H:%M} 应用"


def update_state() -> UpdateState:
    """When this laptop last heard from the office."""
    last = AppliedUpdate.select().order_by(AppliedUpdate.number.desc()).first()
    if last is None:
        return UpdateState(0, None, None)
    return UpdateState(last.number, last.applied_at, last.written_at)


def is_laptop() -> bool:
    me = identity.local()
    return me is not None and me.role == "device"


def stale_warning(today: dt.date, centre_id) -> str:
    """On a laptop whose last update from the office is older than the centre's setting, what the
    patrol view says; "" otherwise (and always at the office)."""
    if not is_laptop():
        return ""
    days = load_settings(today, centre_id).update_stale_days
    state = update_state()
    me = identity.local()
    if not state.stale(today, days, me.created_at):
        return ""
    since = state.written_at or me.created_at
    ago = (today - since.date()).days
    what = f"最近一次是第 {state.number} 号 ({since:%Y-%m-%d})" if state.number else f"登记于 {since:%Y-%m-%d}"
    return (f"本机已 {ago} 天未收到管理端更新 ({what}, 超过 {days} 天): 名单、检查表和待复查项可能已过时,"
            " 请到“数据交换”页应用管理端最新的更新文件")


def apply_update(path: str | Path) -> AppliedResult:
    """Check the file is the office's, for this laptop, and not older than the last applied; apply it."""
    name = Path(path).name
    me = identity.local()
    if me is None or me.role != "device":
        raise PatrolError("只有登记过的巡查笔记本才能应用更新文件; 管理端的数据不从更新文件来")
    body, data = update_file.read(path)
    office, device = body["office"], body.get("device") or {}
    if office.get("public_key") != me.office_public_key:
        raise PatrolError(f"{name}: 不是本机所属管理端签发的更新 (签名密钥 {office.get('key_id', '?')}, 本机认可 {me.office_key_id})")
    if device.get("key_id") != me.key_id:
        raise PatrolError(f"{name}: 这是给设备 {device.get('name', '?')} ({device.get('key_id', '?')}) 的更新, "
                          f"本机是 {me.key_id}")
    number = body.get("number")
    if not isinstance(number, int) or number < 1:
        raise PatrolError(f"{name}: 更新编号无效")
    digest = hashlib.sha256(data).hexdigest()
    last = AppliedUpdate.select().order_by(AppliedUpdate.number.desc()).first()
    if last is not None and number < last.number:
        raise PatrolError(f"{name}: 这是第 {number} 号更新, 比本机已应用的第 {last.number} 号旧; 请使用最新的更新文件")
    same = AppliedUpdate.get_or_none(AppliedUpdate.number == number)
    if same is not None:
        if same.digest == digest:
            return AppliedResult(number, changed=False)
        raise PatrolError(f"{name}: 第 {number} 号更新已应用过, 但内容不同; 请向管理员要最新的更新文件")
    try:
        with db.atomic():
            result = _apply(body, number)
            AppliedUpdate.create(number=number, written_at=update_file.written_at(body), applied_at=now(), digest=digest)
        return result
    except (KeyError, TypeError, ValueError, AttributeError, binascii.Error, pw.IntegrityError) as exc:
        raise PatrolError(f"{name}: 更新文件内容不完整或有误, 未做任何改动 ({exc.__class__.__name__}: {exc})") from None


def _apply(body: dict, number: int) -> AppliedResult:
    me = identity.local()
    centre = Centre.get(Centre.code == me.centre_code)
    if body["centre"]["code"] != centre.code:
        raise ValueError(f"更新属于中心 {body['centre']['code']}, 本机属于 {centre.code}")
    centre.name = body["centre"]["name"]
    centre.save()
    # Settings and rules: the office's, whole.
    Setting.delete().where(Setting.centre == centre.id).execute()
    for key, value in body["settings"].items():
        Setting.insert(centre=centre, key=key, value=value).execute()
    RuleSet.delete().where(RuleSet.centre == centre.id).execute()
    for rule in body.get("rules", []):
        day = dt.date.fromisoformat(rule["effective_from"])
        RuleSet.create(centre=centre, effective_from=day, values=str(rule["values"]), created_by=body["created_by"],
                       reason=f"管理端第 {number} 号更新")
        load_settings(day, centre.id).validate()
    load_settings(None, centre.id).validate()
    # Areas, windows and staff by code: added or changed, never deleted (a draft's window and person stay).
    areas = {a.code: a for a in Area.select().where(Area.centre == centre.id)}
    for a in body["areas"]:
        if a["code"] in areas:
            Area.update(name=a["name"]).where(Area.id == areas[a["code"]].id).execute()
        else:
            areas[a["code"]] = Area.create(centre=centre, code=a["code"], name=a["name"])
    windows = {w.code: w for w in Window.select().where(Window.centre == centre.id)}
    windows_added = 0
    for w in body["windows"]:
        values = {"area": areas[w["area"]], "name": w["name"], "window_type": w["window_type"],
                  "department": w["department"], "active": w["active"]}
        if w["code"] in windows:
            Window.update(**values).where(Window.id == windows[w["code"]].id).execute()
        else:
            windows[w["code"]] = Window.create(code=w["code"], **values)
            windows_added += 1
    staff = {s.employee_no: s for s in Staff.select().where(Staff.centre == centre.id)}
    added = changed = 0
    for s in body["staff"]:
        values = {"name": s["name"], "gender": s["gender"], "party_member": s["party_member"], "employer": s["employer"],
                  "window": windows[s["window"]].id if s["window"] else None, "post": s["post"], "status": s["status"]}
        known = staff.get(s["employee_no"])
        if known is None:
            Staff.create(employee_no=s["employee_no"], centre=centre, **values)
            added += 1
        elif any(getattr(known, k if k != "window" else "window_id") != v for k, v in values.items()):
            Staff.update(**values).where(Staff.id == known.id).execute()
            changed += 1
    # Checklist versions: new ones registered (a version already here is found by its hash).
    versions_before = ChecklistVersion.select().count()
    for raw in body["checklists"]:
        definition = setup_file.checklist_from_json(raw)
        if definition.content_hash() != raw["hash"]:
            raise ValueError(f"检查表 {raw['code']} 第 {raw['version']} 版内容与其摘要不符")
        if ChecklistVersion.select().where(ChecklistVersion.content_hash == raw["hash"]).exists():
            continue
        if "base" in raw:
            base = ChecklistVersion.get_or_none(ChecklistVersion.content_hash == raw["base_hash"])
            register([definition], source=f"管理端第 {number} 号更新", owner=centre, base_version=base)
        else:
            register([definition], source=f"管理端第 {number} 号更新")
    # Inspectors: the office's list is the laptop's; one no longer on it cannot sign in here.
    allowed = {a["username"]: a for a in body["accounts"]}
    users = {u.username: u for u in User.select().where(User.role == "inspector")}
    inspectors_added = []
    for username, a in allowed.items():
        user = users.get(username)
        if user is None:
            User.create(username=username, display_name=a["display_name"], role="inspector",
                        password_hash=a["password_hash"])
            inspectors_added.append(username)
        else:
            User.update(display_name=a["display_name"], password_hash=a["password_hash"], active=True).where(
                User.id == user.id).execute()
    removed = sorted(n for n, u in users.items() if n not in allowed and u.active)
    if removed:
        User.update(active=False).where(User.username.in_(removed)).execute()
    # The assessment schemes by version (a version is never changed, only added).
    have = set(SchemeVersion.select(SchemeVersion.code, SchemeVersion.version).where(SchemeVersion.centre == centre.id)
               .tuples())
    for v in body.get("schemes", []):
        if (v["code"], v["version"]) not in have:
            SchemeVersion.create(centre=centre, code=v["code"], name=v["name"], version=v["version"], content=v["content"],
                                 content_hash=v["content_hash"], effective_from=dt.date.fromisoformat(v["effective_from"]),
                                 loaded_by=v["loaded_by"], reason=v["reason"])
    # The calendar: the district's days and the centre's own, whole.
    calendar = body.get("calendar") or {"days": [], "centre_days": []}
    CalendarDay.delete().execute()
    for d in calendar["days"]:
        CalendarDay.create(day=dt.date.fromisoformat(d["day"]), kind=d["kind"], name=d["name"])
    CentreDay.delete().where(CentreDay.centre == centre.id).execute()
    for d in calendar["centre_days"]:
        CentreDay.create(centre=centre, day=dt.date.fromisoformat(d["day"]), kind=d["kind"], name=d["name"])
    # The patrol's state: replaced whole; photos kept as the thumbnails the office sent.
    state = body["state"]
    kept = {name: store_photo(base64.b64decode(data, validate=True)) for name, data in state["photos"].items()}
    RecheckDue.delete().where(RecheckDue.centre == centre.id).execute()
    for r in state["rechecks"]:
        RecheckDue.create(centre=centre, window_code=r["window"], employee_no=r["employee_no"], item_code=r["item"],
                          day=dt.date.fromisoformat(r["day"]), note=r["note"],
                          photos="\n".join(kept[p] for p in r["photos"] if p in kept),
                          due_on=dt.date.fromisoformat(r["due_on"]) if r["due_on"] else None, repeats=r["repeats"])
    ProbationDue.delete().where(ProbationDue.centre == centre.id).execute()
    for p in state["probation"]:
        ProbationDue.create(centre=centre, employee_no=p["employee_no"], case_number=p["case"],
                            opened_on=dt.date.fromisoformat(p["opened_on"]), ends_on=dt.date.fromisoformat(p["ends_on"]),
                            rechecks_required=p["required"], rechecks_passed=p["passed"], rechecks_failed=p["failed"],
                            known="\n".join(p["known"]))
    return AppliedResult(number, True, added, changed, windows_added, ChecklistVersion.select().count() - versions_before,
                         tuple(inspectors_added), tuple(removed), len(state["rechecks"]), len(state["probation"]))
