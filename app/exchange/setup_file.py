"""The signed set-up file (.wpe) with which the office enrols a laptop.

A zip of `setup.json` and `signature` (`ed25519 <office key id> <office public key> <signature of
setup.json>`), checked before `setup.json` is parsed. It carries
the centre, its settings, the roster, every checklist version, the accounts of the inspectors allowed
on that laptop (never a manager's), the office's public key and the laptop's own private key. It is
a secret like a password: whoever holds it can sign as that laptop until the office revokes it.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import asdict, fields
from pathlib import Path

import peewee as pw

from app.centres.settings import CentreSettings
from app.errors import PatrolError
from app.exchange import signed_file, strict_json
from app.patrolling.checklists import CategoryDef, ChecklistDef, ItemDef, definition_of
from app.storage.models import (
    Area,
    Centre,
    Checklist,
    ChecklistVersion,
    RuleSet,
    Setting,
    Staff,
    User,
    Window,
    now,
)

FORMAT = "window-patrol-setup"
FORMAT_VERSION = 1
SUFFIX = ".wpe"
MAX_FILE = 64 * 2**20  # a city's roster and every checklist version are a few megabytes


def _checklist_json(version: ChecklistVersion) -> dict:
    definition = definition_of(version)
    raw = {"code": definition.code, "name": definition.name, "version": version.version,
           "hash": version.content_hash, "categories": [asdict(c) for c in definition.categories]}
    if version.checklist.centre_id is not None:  # the centre's own: what it extends, and on which version
        raw["base"] = definition.base
        raw["base_hash"] = version.base_version.content_hash if version.base_version_id else ""
    return raw


def checklist_from_json(raw: dict) -> ChecklistDef:
    categories = []
    for c in raw["categories"]:
        items = tuple(ItemDef(**dict(i, window_types=tuple(i["window_types"]))) for i in c["items"])
        categories.append(CategoryDef(c["code"], c["name"], c["order"], c["weight"], c["source_file"], items))
    return ChecklistDef(raw["code"], raw["name"], categories, base=raw.get("base", ""))


def content(centre: Centre, office, device: dict, inspectors: list[User], created_by: str) -> dict:
    """Everything a laptop of this centre needs, read from the office database."""
    setting_names = {f.name for f in fields(CentreSettings)}
    own = Setting.centre == centre.id
    return {
        "format": FORMAT, "format_version": FORMAT_VERSION, "created_at": now().isoformat(), "created_by": created_by,
        "centre": {"code": centre.code, "name": centre.name},
        "office": {"key_id": office.key_id, "public_key": office.public_key},
        "device": device,
        "settings": {s.key: s.value for s in Setting.select().where(own) if s.key in setting_names},
        # The rules by month, so a laptop grades each inspection by the rules of its day, as the office does.
        "rules": [{"effective_from": r.effective_from.isoformat(), "values": r.values}
                  for r in RuleSet.select().where(RuleSet.centre == centre.id).order_by(RuleSet.effective_from)],
        "areas": [{"code": a.code, "name": a.name} for a in Area.select().where(Area.centre == centre.id).order_by(Area.id)],
        "windows": [{"area": w.area.code, "code": w.code, "name": w.name, "window_type": w.window_type,
                     "department": w.department, "active": bool(w.active)}
                    for w in Window.select(Window, Area).join(Area).where(Window.centre == centre.id).order_by(Window.id)],
        "staff": [{"employee_no": s.employee_no, "name": s.name, "gender": s.gender, "party_member": bool(s.party_member),
                   "employer": s.employer, "window": s.window.code if s.window_id else None, "post": s.post,
                   "status": s.status}
                  for s in Staff.select(Staff, Window).join(Window, on=(Staff.window == Window.id), join_type=pw.JOIN.LEFT_OUTER)
                  .where(Staff.centre == centre.id).order_by(Staff.id)],
        # The district's checklists and the centre's own, never another centre's; the district's first,
        # so a laptop knows each base before the extension built on it.
        "checklists": [_checklist_json(v) for v in ChecklistVersion.select(ChecklistVersion, Checklist).join(Checklist)
                       .where(Checklist.centre.is_null() | (Checklist.centre == centre.id))
                       .order_by(Checklist.centre.is_null(False), Checklist.code, ChecklistVersion.version)],
        "accounts": [{"username": u.username, "display_name": u.display_name, "password_hash": u.password_hash}
                     for u in inspectors],
    }


def write(out: Path, body: dict, office_private_key: str) -> None:
    """Sign and write the file (readable by its owner only: it holds a private key)."""
    office = body["office"]
    signed_file.write(out, "setup.json", body, office["key_id"], office["public_key"], office_private_key)


USED = "used.json"  # added to the file when a laptop was enrolled from it


def mark_used(path: str | Path, installation: str) -> bool:
    """Mark the file as used for an enrolment, so it is not used for a second; False when the medium
    is read-only (the user is then reminded to delete it)."""
    stamp = json.dumps({"used_at": now().isoformat(timespec="seconds"), "installation": installation})
    try:
        with zipfile.ZipFile(path, "a") as zf:
            zf.writestr(USED, stamp)
        return True
    except (OSError, zipfile.BadZipFile):
        return False


def _used(path: Path) -> dict | None:
    try:
        with zipfile.ZipFile(path) as zf:
            if USED not in zf.namelist() or zf.getinfo(USED).file_size > 1024:
                return None
            return strict_json.loads(zf.read(USED).decode("utf-8"))
    except (OSError, zipfile.BadZipFile, ValueError, UnicodeDecodeError):
        return None


def read(path: str | Path) -> dict:
    """Open a set-up file and check its signature before parsing it; the parsed content. A file already
    used for an enrolment is refused (its key would then sign from two installations)."""
    name = Path(path).name
    used = _used(Path(path))
    if used is not None:
        raise PatrolError(f"{name}: 这个设置文件已于 {str(used.get('used_at', '?'))[:19]} 用于登记一台笔记本 "
                          f"(安装编号 {str(used.get('installation', '?'))[:20]}), 不能再次使用; 请管理员为本机重新登记, 并删除此文件")
    body, _data, key_id, public_key = signed_file.read(path, "setup.json", "设置文件", MAX_FILE)
    try:
        office = body["office"]
        if office["key_id"] != key_id or office["public_key"] != public_key:
            raise ValueError("office key")
    except (ValueError, KeyError, TypeError):
        raise PatrolError(f"{name}: 设置文件内容无法解析") from None
    if body.get("format") != FORMAT or body.get("format_version") != FORMAT_VERSION:
        raise PatrolError(f"{name}: 不支持的设置文件版本")
    return body
