"""A district of centres in one database: the centres as units, and ranking them.

Seed 000 (三.3) rolls the programme out from the district centre to its branch centres (外设分中心)
and to every street and town centre (街镇社区事务受理服务中心), and rewards the units that carry it
out best. The district's office ranks them side by side: by average score, by inspection coverage,
by pass rate, and shows the probation cases opened and closed and the share of staff on probation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields

import peewee as pw

from app import audit
from app.centres.scope import centre_by_code
from app.centres.settings import (
    CentreSettings,
    check_effective_from,
    format_value,
    load_settings,
    next_month_start,
    save_settings,
)
from app.domain import SETTING_LABELS as LABELS
from app.errors import PatrolError, PermissionDenied
from app.roles import require_role
from app.storage.models import Centre, User
from app.storage.proxy import db

KINDS = {"district": "区中心", "branch": "分中心", "street": "街镇中心"}

def require_district_manager(user: User) -> None:
    """Work for the whole district: a manager whose account is the district's, not a centre's."""
    require_role(user, "manager")
    if user.centre_id is not None:
        raise PermissionDenied("只有区级管理员可以管理各中心或查看全区排名")


def centres() -> list[Centre]:
    """Every centre, the district centre first, then branches, then streets, each by code."""
    order = pw.Case(Centre.kind, [("district", 0), ("branch", 1), ("street", 2)], 3)
    return list(Centre.select().order_by(order, Centre.sort_order, Centre.code))


@dataclass(frozen=True)
class SettingSpread:
    name: str
    label: str
    district: str  # the district centre's value (for a rule: as it will stand from the day asked)
    differing: tuple[str, ...]  # codes of the centres whose value is another


def settings_spread(on: dt.date | None = None) -> list[SettingSpread]:
    """Each setting as the district centre has it, and which centres differ: what a push would change."""
    on = on or next_month_start(dt.date.today())
    every = centres()
    values = {}
    for centre in every:
        values[centre.code] = load_settings(on, centre.id)
    home = every[0].code
    out = []
    for f in fields(CentreSettings):
        mine = format_value(f.name, getattr(values[home], f.name))
        differ = tuple(c.code for c in every[1:] if format_value(f.name, getattr(values[c.code], f.name)) != mine)
        out.append(SettingSpread(f.name, LABELS[f.name], mine, differ))
    return out


def push_settings(user: User, names: list[str], codes: list[str] | None, reason: str,
                  effective_from: dt.date | None = None) -> dict[str, list[str]]:
    """The district's manager gives centres the district centre's values of some settings (统一标准),
    in one transaction, audited in each centre. Rules take effect from the first of next month (or of a
    later month given), never re-grading a centre's month from here. Returns code -> names changed."""
    require_district_manager(user)
    reason = audit.require_reason(reason)
    known = {f.name for f in fields(CentreSettings)}
    unknown = [n for n in names if n not in known]
    if not names or unknown:
        raise PatrolError(f"未知设置项 {', '.join(unknown)}" if unknown else "请选择要推行的设置项")
    effective_from = effective_from or next_month_start(dt.date.today())
    check_effective_from(effective_from, regrade=False)
    every = centres()
    targets = every[1:] if codes is None else [centre_by_code(c) for c in codes]
    if any(c.id == every[0].id for c in targets):
        raise PatrolError(f"{every[0].name}是推行的来源, 不能推行给自己")
    model = load_settings(effective_from, every[0].id)
    changed: dict[str, list[str]] = {}
    with db.atomic():
        for centre in targets:
            mine = load_settings(effective_from, centre.id)
            names_here = [n for n in names if getattr(mine, n) != getattr(model, n)]
            if not names_here:
                continue
            for name in names_here:
                setattr(mine, name, getattr(model, name))
            save_settings(mine, user, f"全区统一: {reason}", effective_from, centre_id=centre.id)
            changed[centre.code] = names_here
    return changed
