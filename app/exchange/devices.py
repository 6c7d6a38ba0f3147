"""The office's register of laptops: enrol (a key pair and a signed set-up file), list, revoke.

Only the public key stays here; the private key leaves in the set-up file and nowhere else. A
revoked device's later packages and paper are refused; what it sent before stays, marked.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from app import audit
from app.centres import scope
from app.centres.centre import current_centre
from app.errors import PatrolError, PermissionDenied
from app.exchange import setup_file
from app.keys import identity, signing
from app.roles import require_role
from app.storage.models import Centre, Device, ImportLog, Inspection, User
from app.storage.proxy import db

MAX_NAME = 40


@dataclass(frozen=True)
class EnrolledDevice:
    key_id: str
    name: str
    inspectors: tuple[str, ...]
    path: Path
    fingerprint: str  # of the office key, for the laptop's user to compare


@dataclass(frozen=True)
class DeviceRow:
    key_id: str
    name: str
    inspectors: tuple[str, ...]
    enrolled_at: dt.datetime
    enrolled_by: str
    revoked_at: dt.datetime | None
    revoke_reason: str
    inspections: int
    packages: int

    @property
    def status(self) -> str:
        return f"已注销 ({self.revoked_at:%Y-%m-%d})" if self.revoked_at else "在用"


def office_identity(action: str):
    office = identity.local()
    if office is None:
        raise PatrolError("数据库中没有中心, 请先建立中心")
    if office.role != "office":
        raise PatrolError(f"这是巡查员的笔记本, 不能{action}; 请在管理端操作")
    return office


def _home(user: User, centre_id=scope.SOLE) -> Centre:
    """The centre a manager's device work is for: a centre's manager's own; a district manager's, the
    centre in view."""
    centre = Centre.get_by_id(user.centre_id) if user.centre_id is not None else current_centre(centre_id=centre_id)
    if centre is None:
        raise PatrolError("数据库中没有中心, 请先建立中心")
    return centre


def _of_centre(device: Device, centre: Centre) -> bool:
    return (device.laptop_centre or device.centre_code) == centre.code


def enrollable_inspectors(user: User, centre_id=scope.SOLE) -> list[User]:
    """The inspectors a manager may put on a laptop: their centre's own active inspectors (a district
    manager may add the district's team)."""
    home = _home(user, centre_id=centre_id)
    where = User.centre == home.id
    if user.centre_id is None:
        where |= User.centre.is_null()
    return list(User.select().where((User.role == "inspector") & (User.active == True) & where)  # noqa: E712
                .order_by(User.username))


def enrol_device(user: User, name: str, inspectors: list[str], out: str | Path, reason: str = "",
                 centre_id=scope.SOLE) -> EnrolledDevice:
    """Register a laptop of the centre and write its signed set-up file (managers only). It carries the
    centre's own inspectors only (a district manager may add the district's team)."""
    require_role(user, "manager")
    home = _home(user, centre_id=centre_id)
    name = " ".join((name or "").split())
    if not name or len(name) > MAX_NAME:
        raise PatrolError(f"设备名称不能为空, 最多 {MAX_NAME} 个字")
    wanted = sorted({n.strip() for n in inspectors if n.strip()})
    if not wanted:
        raise PatrolError("至少指定一名可在该设备上使用的巡查员 (--inspectors xuncha1,xuncha2)")
    accounts = {u.username: u for u in User.select().where(User.username.in_(wanted))}
    problems = [f"没有账号 {n}" for n in wanted if n not in accounts]
    problems += [f"{n} 不是巡查员账号 (管理员账号不能放到笔记本上)" for n, u in accounts.items() if u.role != "inspector"]
    problems += [f"账号 {n} 已停用" for n, u in accounts.items() if not u.active]
    problems += [f"{n} 不是{home.name}的巡查员" for n, u in accounts.items()
                 if u.centre_id != home.id and not (u.centre_id is None and user.centre_id is None)]
    if problems:
        raise PatrolError("; ".join(problems))
    out = Path(out)
    if out.suffix != setup_file.SUFFIX:
        raise PatrolError(f"设置文件的扩展名应为 {setup_file.SUFFIX}")
    if not out.parent.is_dir():
        raise PatrolError(f"输出文件夹不存在: {out.parent}")
    office = office_identity("登记设备")
    centre = home
    pair = signing.new_key_pair()
    key_id = signing.new_key_id("D")
    body = setup_file.content(centre, office, {"key_id": key_id, "name": name, "private_key": pair.private_hex},
                              [accounts[n] for n in wanted], user.username)
    with db.atomic():
        Device.create(key_id=key_id, name=name, public_key=pair.public_hex, inspectors=",".join(wanted),
                      enrolled_by=user.username, laptop_centre=centre.code)
        audit.record(user, "device.enrol", f"device:{key_id}", centre=centre.id, new={"name": name, "inspectors": wanted},
                     reason=reason.strip() or f"登记设备 {name}")
        setup_file.write(out, body, office.private_key)  # last: a failed write rolls the registration back
    return EnrolledDevice(key_id, name, tuple(wanted), out, signing.fingerprint(office.public_key))


def set_device_inspectors(user: User, key: str, inspectors: list[str], reason: str, centre_id=scope.SOLE) -> Device:
    """Change who may use a laptop (managers only, with a reason): its next update adds or removes them
    there (a removed inspector cannot sign in on it; their unsent records are still exported)."""
    require_role(user, "manager")
    why = audit.require_reason(reason)
    device = find_device(key, user, centre_id=centre_id)
    if device.revoked_at is not None or not device.laptop_centre:
        raise PatrolError(f"设备 {device.name} ({device.key_id}) 不是在用的巡查笔记本")
    wanted = sorted({n.strip() for n in inspectors if n.strip()})
    if not wanted:
        raise PatrolError("至少保留一名可在该设备上使用的巡查员")
    home = Centre.get(Centre.code == device.laptop_centre)
    accounts = {u.username: u for u in User.select().where(User.username.in_(wanted))}
    problems = [f"没有账号 {n}" for n in wanted if n not in accounts]
    problems += [f"{n} 不是巡查员账号 (管理员账号不能放到笔记本上)" for n, u in accounts.items() if u.role != "inspector"]
    problems += [f"{n} 不是{home.name}的巡查员" for n, u in accounts.items()
                 if u.centre_id not in (home.id, None)]
    if problems:
        raise PatrolError("; ".join(problems))
    old = list(device.inspector_names)
    with db.atomic():
        Device.update(inspectors=",".join(wanted)).where(Device.id == device.id).execute()
        audit.record(user, "device.inspectors", f"device:{device.key_id}", centre=home.id, old={"inspectors": old},
                     new={"inspectors": wanted}, reason=why)
    return Device.get_by_id(device.id)


def find_device(key: str, user: User, centre_id=scope.SOLE) -> Device:
    """A device by its key id (names are not unique), refused when it is another centre's."""
    device = Device.get_or_none(Device.key_id == key.strip().upper())
    if device is None:
        raise PatrolError(f"没有登记过密钥编号为 {key.strip()[:20]} 的设备 (devices list 列出密钥编号)")
    if user.centre_id is not None and not _of_centre(device, _home(user, centre_id=centre_id)):
        raise PermissionDenied(f"设备 {device.key_id} 不属于{_home(user, centre_id=centre_id).name}, 不能修改")
    return device


def revoke_device(user: User, key: str, reason: str, centre_id=scope.SOLE) -> Device:
    """A lost or retired laptop of the centre: its later packages and paper are refused (managers only,
    with a reason)."""
    require_role(user, "manager")
    why = audit.require_reason(reason)
    device = find_device(key, user, centre_id=centre_id)
    if device.revoked_at is not None:
        raise PatrolError(f"设备 {device.name} ({device.key_id}) 已于 {device.revoked_at:%Y-%m-%d %H:%M} 注销")
    with db.atomic():
        device.revoked_at, device.revoked_by, device.revoke_reason = dt.datetime.now(), user.username, why
        device.save()
        audit.record(user, "device.revoke", f"device:{device.key_id}", centre=_home(user, centre_id=centre_id).id, old={"name": device.name}, reason=why)
    return device


def device_rows(user: User | None = None, centre_id=scope.SOLE) -> list[DeviceRow]:
    """The register: a centre's manager sees their centre's devices only."""
    query = Device.select().order_by(Device.enrolled_at, Device.id)
    if user is not None and user.centre_id is not None:
        code = _home(user, centre_id=centre_id).code
        query = query.where((Device.laptop_centre == code) | (Device.centre_code == code))
    counts = dict(Inspection.select(Inspection.source_device, pw.fn.COUNT(Inspection.id))
                  .where(Inspection.source_device != "").group_by(Inspection.source_device).tuples())
    packages = dict(ImportLog.select(ImportLog.device_id, pw.fn.COUNT(ImportLog.id)).group_by(ImportLog.device_id).tuples())
    return [DeviceRow(d.key_id, d.name, d.inspector_names, d.enrolled_at, d.enrolled_by, d.revoked_at, d.revoke_reason,
                      counts.get(d.key_id, 0), packages.get(d.key_id, 0))
            for d in query]


def legacy_key_active(centre_id=scope.SOLE) -> bool:
    """Whether the shared key of before the upgrade still verifies old packages and paper."""
    centre = current_centre(centre_id)
    return centre is not None and bool(centre.signing_key)


def end_legacy_key(user: User, reason: str, centre_id=scope.SOLE) -> None:
    """Stop accepting anything signed with the centre's old shared key (managers only, audited): each
    centre ends its own."""
    require_role(user, "manager")
    why = audit.require_reason(reason)
    home = _home(user, centre_id=centre_id)
    if not home.signing_key:
        raise PatrolError("旧的共享密钥已经停用")
    with db.atomic():
        Centre.update(signing_key="").where(Centre.id == home.id).execute()
        audit.record(user, "legacy_key.end", "centre", reason=why, centre=home.id)
