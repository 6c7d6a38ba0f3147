"""Setting up a laptop from the office's signed set-up file (app.exchange.setup_file), into an empty database.

The laptop gets the centre, settings, roster, checklists, its inspectors' accounts, its own key and
the office's public key: nothing with which it could sign as the office or as another laptop.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from dataclasses import dataclass
from pathlib import Path

import peewee as pw

from app.centres.centre import is_empty
from app.centres.settings import load_settings
from app.errors import PatrolError
from app.exchange import setup_file
from app.keys import signing
from app.patrolling.checklist_versions import register
from app.storage.models import Area, Centre, ChecklistVersion, Identity, RuleSet, Setting, Staff, User, Window
from app.storage.proxy import db


def delete_reminder(path: str | Path, done: "Enrolment") -> str:
    """What the person is told about the set-up file after enrolling (the app and the command line alike)."""
    if done.marked_used:
        return (f"设置文件 {Path(path).name} 已标记为已使用, 不能再登记第二台电脑; 它仍含本机的私钥, 请删除它"
                " (U 盘上的也一并删除)")
    return (f"设置文件 {Path(path).name} 所在位置不可写, 未能标记为已使用: 它含本机的私钥, 可再登记一台电脑,"
            " 请立即删除它")


@dataclass(frozen=True)
class Enrolment:
    centre: str
    device: str
    key_id: str
    inspectors: tuple[str, ...]
    windows: int
    staff: int
    office_fingerprint: str
    installation: str = ""  # this enrolment's id, carried in the laptop's packages
    marked_used: bool = False  # the set-up file was marked used (False: it sits where it cannot be written)


def enrol(path: str | Path) -> Enrolment:
    """Set this (empty) database up as the laptop the file was made for, in one transaction."""
    body = setup_file.read(path)
    if not is_empty() or Identity.select().exists():
        raise PatrolError("本数据库已有数据; 请在新的数据库上登记本机 (--db 新文件), 旧数据库的结果请先导出交给管理员")
    name = Path(path).name
    installation = secrets.token_hex(8).upper()
    try:
        done = _apply(body, installation)
    except (KeyError, TypeError, ValueError, AttributeError, pw.IntegrityError) as exc:
        raise PatrolError(f"{name}: 设置文件内容不完整或有误 ({exc.__class__.__name__}: {exc})") from None
    return dataclasses.replace(done, installation=installation, marked_used=setup_file.mark_used(path, installation))


def _apply(body: dict, installation: str) -> Enrolment:
    device, office, centre_raw = body["device"], body["office"], body["centre"]
    with db.atomic():
        centre = Centre.create(code=centre_raw["code"], name=centre_raw["name"], signing_key="")
        for key, value in body["settings"].items():
            Setting.insert(centre=centre, key=key, value=value).execute()
        for rule in body.get("rules", []):
            day = dt.date.fromisoformat(rule["effective_from"])
            RuleSet.create(centre=centre, effective_from=day, values=str(rule["values"]), created_by=body["created_by"],
                           reason="随设置文件登记")
            load_settings(day, centre.id).validate()
        load_settings(None, centre.id).validate()
        areas = {a["code"]: Area.create(centre=centre, code=a["code"], name=a["name"]) for a in body["areas"]}
        windows = {w["code"]: Window.create(area=areas[w["area"]], code=w["code"], name=w["name"],
                                            window_type=w["window_type"], department=w["department"], active=w["active"])
                   for w in body["windows"]}
        for s in body["staff"]:
            Staff.create(employee_no=s["employee_no"], name=s["name"], gender=s["gender"], party_member=s["party_member"],
                         employer=s["employer"], window=windows[s["window"]] if s["window"] else None, post=s["post"],
                         status=s["status"], centre=centre)
        for raw in body["checklists"]:
            definition = setup_file.checklist_from_json(raw)
            if definition.content_hash() != raw["hash"]:
                raise ValueError(f"检查表 {raw['code']} 第 {raw['version']} 版内容与其摘要不符")
            if "base" in raw:  # the centre's own checklist, built on a district version sent before it
                base = ChecklistVersion.get_or_none(ChecklistVersion.content_hash == raw["base_hash"])
                register([definition], source=f"设置文件 ({body['created_by']})", owner=centre, base_version=base)
            else:
                register([definition], source=f"设置文件 ({body['created_by']})")
        for a in body["accounts"]:
            User.create(username=a["username"], display_name=a["display_name"], role="inspector",
                        password_hash=a["password_hash"])
        Identity.create(role="device", key_id=device["key_id"], private_key=device["private_key"],
                        public_key=signing.public_of(device["private_key"]), office_key_id=office["key_id"],
                        office_public_key=office["public_key"], centre_code=centre.code,
                        installation=installation)
    return Enrolment(centre.name, device["name"], device["key_id"], tuple(a["username"] for a in body["accounts"]),
                     len(windows), len(body["staff"]), signing.fingerprint(office["public_key"]))
