"""A centre's month for its district: the same signed results package, with the centre's roster.

A centre that runs its own database sends the district its finalised inspections of a month, signed
by the centre office's own key, which the district registered (`centres trust`): the same format
and the same checks as a laptop's package, except that an office sends amended revisions too. The
package carries the centre's roster (areas, windows, staff, the inspectors named on its records), so
the district's copy of the centre follows it. Usernames are the centre's own: in the district they
are kept as `<centre>.<username>`, since every centre has its own `xuncha1`. A person keeps one record
in the district by employee number; the same number with another name at another centre is refused.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

from app import audit
from app.centres import district, scope
from app.centres.centre import current_centre
from app.domain import ITEM_KINDS, SEVERITIES
from app.errors import PatrolError
from app.exchange import strict_json
from app.exchange.record_checks import MARKUP
from app.exchange.results_package import write_package
from app.exchange.setup_file import _checklist_json, checklist_from_json
from app.keys import signing
from app.patrolling.checklist_versions import register
from app.periods import Period
from app.roles import require_role
from app.storage.models import Area, Centre, Checklist, ChecklistVersion, Device, Inspection, Staff, User, Window
from app.storage.proxy import db

MAX_ROSTER_ROWS = 20_000
NO_PASSWORD = "!"  # matches no password (app.people.accounts.verify_password wants scrypt$…)


def roster_snapshot(centre: Centre, usernames: set[str], versions=()) -> bytes:
    """The centre's roster as the district needs it to take the centre's records, with the centre's
    own checklist versions the records were made on (the district's it has already)."""
    body = {
        "checklists": [_checklist_json(v) for v in versions],
        "centre": {"code": centre.code, "name": centre.name, "kind": centre.kind},
        "areas": [[a.code, a.name] for a in Area.select().where(Area.centre == centre.id).order_by(Area.code)],
        "windows": [[w.area.code, w.code, w.name, w.window_type, w.department, bool(w.active)]
                    for w in Window.select(Window, Area).join(Area).where(Window.centre == centre.id).order_by(Window.code)],
        "staff": [[s.employee_no, s.name, s.gender, bool(s.party_member), s.employer,
                   s.window.code if s.window_id else "", s.post, s.status]
                  for s in Staff.select().where(Staff.centre == centre.id).order_by(Staff.employee_no)],
        "inspectors": [[u.username, u.display_name] for u in User.select().where(User.username.in_(sorted(usernames)))
                       .order_by(User.username)],
    }
    return json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")


def export_month(out, period: Period, user: User, centre_id=scope.SOLE):
    """A centre manager's package of the centre's finalised inspections of a period, for the district."""
    require_role(user, "manager")
    centre = current_centre(centre_id=centre_id)
    if centre is None:
        raise PatrolError("数据库中没有中心")
    query = (Inspection.select().where((Inspection.status == "final") & scope.inspections(centre_id)
                                       & (Inspection.observed_at >= period.start_dt) & (Inspection.observed_at < period.end_dt))
             .order_by(Inspection.observed_at, Inspection.id))
    if not query.exists():
        raise PatrolError(f"{period.label}没有已定稿的巡查记录")
    names = {u for (u,) in User.select(User.username).join(Inspection, on=(Inspection.inspector == User.id))
             .where(Inspection.id.in_(query.select(Inspection.id))).distinct().tuples()}
    own = (ChecklistVersion.select(ChecklistVersion, Checklist).join(Checklist)
           .where((Checklist.centre == centre.id) & ChecklistVersion.id.in_(query.select(Inspection.checklist_version)))
           .order_by(ChecklistVersion.version))
    return write_package(out, query, roster_snapshot(centre, names, list(own)), centre_id=centre_id)[0]


def trust_office(user: User, code: str, key_id: str, public_key: str, reason: str) -> Device:
    """The district registers a centre office's public key (read to it from the centre: compare the
    fingerprint); that centre's month packages are then accepted for that centre only."""
    district.require_district_manager(user)
    reason = audit.require_reason(reason)
    centre = scope.centre_by_code(code)
    key_id, public_key = key_id.strip().upper(), public_key.strip().lower()
    if not re.fullmatch(r"[A-Z0-9]{1,20}", key_id) or not re.fullmatch(r"[0-9a-f]{64}", public_key):
        raise PatrolError("密钥编号应为字母和数字, 公钥应为 64 位十六进制 (在中心管理端运行 centres office-key 查看)")
    if Device.get_or_none(Device.key_id == key_id) is not None:
        raise PatrolError(f"密钥 {key_id} 已登记")
    with db.atomic():
        device = Device.create(key_id=key_id, name=f"{centre.name}管理端", public_key=public_key, inspectors="",
                               enrolled_by=user.username, centre_code=centre.code)
        audit.record(user, "centre.trust", f"centre:{centre.code}", new={"key_id": key_id,
                     "fingerprint": signing.fingerprint(public_key)}, reason=reason)
    return device


@dataclass
class Roster:
    centre: dict
    areas: list
    windows: list
    staff: list
    inspectors: list
    checklists: list = field(default_factory=list)  # (definition, base hash) of the centre's own


def _text(value, where: str, limit: int = 60, required: bool = True) -> str:
    if not isinstance(value, str) or (required and not value.strip()) or len(value) > limit or MARKUP.search(value):
        raise PatrolError(f"roster.json {where}: 应为不含标记的文字 (至多 {limit} 个字符)")
    return value


def parse_roster(raw: bytes, name: str) -> Roster:
    """The roster a centre package carries, every field checked before anything is written."""
    try:
        body = strict_json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise PatrolError(f"{name}: roster.json 不是 UTF-8 文本") from None
    except ValueError as exc:
        raise PatrolError(f"{name}: roster.json 无法解析 ({exc})") from None
    try:
        centre = body["centre"]
        _text(centre["code"], "centre.code", 20)
        for key in ("areas", "windows", "staff", "inspectors"):
            if not isinstance(body[key], list) or len(body[key]) > MAX_ROSTER_ROWS:
                raise PatrolError(f"{name}: roster.json 的 {key} 不是列表或超过 {MAX_ROSTER_ROWS} 行")
        for n, (code, area_name) in enumerate(body["areas"], 1):
            _text(code, f"areas 第 {n} 行", 20), _text(area_name, f"areas 第 {n} 行")
        for n, (area, code, wname, wtype, dept, active) in enumerate(body["windows"], 1):
            for v in (area, code, wname, wtype):
                _text(v, f"windows 第 {n} 行")
            _text(dept, f"windows 第 {n} 行", required=False)
            if not isinstance(active, bool):
                raise PatrolError(f"{name}: roster.json windows 第 {n} 行: active 应为 true/false")
        for n, (emp, sname, gender, party, employer, window, post, status) in enumerate(body["staff"], 1):
            for v in (emp, sname):
                _text(v, f"staff 第 {n} 行", 40)
            for v in (employer, window):
                _text(v, f"staff 第 {n} 行", required=False)
            if gender not in ("M", "F") or post not in ("A", "B") or not isinstance(party, bool) or status not in (
                    "active", "inactive", "returned"):
                raise PatrolError(f"{name}: roster.json staff 第 {n} 行 ({emp}): 性别、岗位、党员或状态无效")
        for n, (username, display) in enumerate(body["inspectors"], 1):
            _text(username, f"inspectors 第 {n} 行", 40), _text(display, f"inspectors 第 {n} 行")
        checklists = _own_checklists(body.get("checklists", []), centre["code"], name)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise PatrolError(f"{name}: roster.json 内容不完整 ({exc.__class__.__name__}: {str(exc)[:60]})") from None
    return Roster(body["centre"], body["areas"], body["windows"], body["staff"], body["inspectors"], checklists)


MAX_OWN_VERSIONS = 50
MAX_OWN_ITEMS = 1_000


def _own_checklists(raw: list, centre_code: str, name: str) -> list:
    """The centre's own checklist versions in the package: named for this centre, each item of a known
    kind, and the content hashing to what the records cite (nothing taken on the file's word)."""
    if not isinstance(raw, list) or len(raw) > MAX_OWN_VERSIONS:
        raise PatrolError(f"{name}: roster.json 的 checklists 不是列表或超过 {MAX_OWN_VERSIONS} 个版本")
    out = []
    for n, entry in enumerate(raw, 1):
        where = f"{name}: roster.json checklists 第 {n} 个"
        base = _text(entry["base"], f"checklists 第 {n} 个 base", 40)
        if entry["code"] != f"{base}.{centre_code}":
            raise PatrolError(f"{where}: 编号 {entry['code']!s:.40} 不是本中心的检查表 (应为 {base}.{centre_code})")
        definition = checklist_from_json(entry)
        items = definition.items
        if not items or len(items) > MAX_OWN_ITEMS:
            raise PatrolError(f"{where}: 检查项数目不在 1–{MAX_OWN_ITEMS} 之间")
        for item in items:
            if (item.severity not in SEVERITIES or item.kind not in ITEM_KINDS or item.gender not in ("any", "M", "F")
                    or not 0 <= float(item.deduction) <= 100 or MARKUP.search(item.text)):
                raise PatrolError(f"{where}: 检查项 {item.code!s:.20} 的内容无效")
        if definition.content_hash() != entry["hash"]:
            raise PatrolError(f"{where}: 内容与其摘要不符")
        out.append((definition, str(entry.get("base_hash", ""))))
    return out


def district_username(centre_code: str, username: str) -> str:
    return f"{centre_code}.{username}"


def apply_roster(roster: Roster, centre: Centre) -> dict[str, tuple[int, str]]:
    """Bring the district's copy of the centre in line with the package's roster (inside the import's
    transaction); return the package's usernames -> (district user id, role) for its records."""
    areas = {a.code: a for a in Area.select().where(Area.centre == centre.id)}
    for code, name in roster.areas:
        if code not in areas:
            areas[code] = Area.create(centre=centre, code=code, name=name)
    windows = {w.code: w for w in Window.select().where(Window.centre == centre.id)}
    for area, code, name, wtype, dept, active in roster.windows:
        window = windows.get(code) or Window(centre=centre.id, code=code)
        window.area = areas.get(area) or next(iter(areas.values()))
        window.name, window.window_type, window.department, window.active = name, wtype, dept, active
        window.save()
        windows[code] = window
    numbers = [s[0] for s in roster.staff]
    known = {}
    for start in range(0, len(numbers), 500):
        known.update({s.employee_no: s for s in Staff.select().where(Staff.employee_no.in_(numbers[start:start + 500]))})
    for emp, name, gender, party, employer, window, post, status in roster.staff:
        person = known.get(emp)
        if person is not None and person.centre_id is not None and person.centre_id != centre.id:
            # A centre's package never moves another centre's person: a transfer is the district's act.
            raise PatrolError(f"工号 {emp} ({person.name}) 属于{person.centre.name}, 不能由{centre.name}的报送包改动; "
                              "人员在中心之间调动须由区级管理员办理")
        person = person or Staff(employee_no=emp)
        person.name, person.gender, person.party_member, person.employer = name, gender, party, employer
        person.window = windows[window] if window in windows else None
        person.post, person.status, person.centre = post, status, centre.id
        person.save()

    for definition, base_hash in roster.checklists:
        base = ChecklistVersion.get_or_none(ChecklistVersion.content_hash == base_hash) if base_hash else None
        register([definition], source=f"{centre.code} 报送包", owner=centre, base_version=base)
    users = {}
    for username, display in roster.inspectors:
        local = district_username(centre.code, username)
        user = User.get_or_none(User.username == local)
        if user is None:  # an account that only names the centre's inspector: inactive, and no password
            user = User.create(username=local, display_name=display, role="inspector", centre=centre,
                               password_hash=NO_PASSWORD, active=False)
        users[username] = (user.id, user.role)
    return users
