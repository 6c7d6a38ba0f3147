"""Roster import from the workbooks offices really keep: find the header row, match the usual Chinese
header names and their variants, clean the values, validate every cell, then preview or apply.

Works on plain cells (exports.table_reader). Nothing is written unless every row is valid, and then
in one transaction. People no longer listed are marked 离岗 (never deleted: their inspections stay).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

from app import audit
from app.centres import scope
from app.domain import WINDOW_TYPES
from app.errors import PatrolError, PermissionDenied
from app.people.roster_matching import resolve
from app.people.roster_matching import valid_id_card as _valid_id_card
from app.roles import require_role
from app.rounding import percent
from app.storage.models import Area, Staff, Window
from app.storage.proxy import db

MAX_ERRORS = 20
UNLISTED_SHARE = 0.1

STAFF_HEADERS = {
    "employee_no": ("工号", "员工编号", "人员编号", "员工号", "职工号"),
    "name": ("姓名", "员工姓名", "人员姓名", "名字"),
    "gender": ("性别",),
    "party": ("政治面貌", "是否党员", "党员"),
    "employer": ("劳务公司", "用工单位", "派遣单位", "劳务派遣公司", "所属公司", "用人单位"),
    "window": ("窗口编号", "窗口", "窗口号", "所在窗口"),
    "post": ("岗位", "AB岗", "A/B岗", "岗别"),
    "id_card": ("身份证号", "身份证号码", "身份证", "公民身份号码", "证件号码"),
}
WINDOW_HEADERS = {
    "code": ("窗口编号", "窗口号", "编号"),
    "name": ("窗口名称", "名称"),
    "window_type": ("窗口类型", "类型"),
    "department": ("进驻部门", "部门", "所属部门", "单位"),
    "area": ("区域", "所在区域", "楼层", "区域编号"),
}
FOOTER = re.compile(r"^(制表|审核|审批|备注|注|说明|合计|填表|日期|负责人|单位)[:: ]")
PARTY_YES = {"中共党员", "党员", "中共预备党员", "预备党员", "是", "Y", "YES", "TRUE", "√"}
PARTY_NO = {"群众", "共青团员", "团员", "否", "无", "N", "NO", "FALSE", "民主党派", ""}


def clean(value) -> str:
    """Full-width to half-width, stray spaces gone, numbers stored as numbers back to plain text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", " ", text).strip()


def header_key(value) -> str:
    return re.sub(r"\s+", "", clean(value)).upper()


def column_letter(n: int) -> str:
    letters = ""
    while n:
        n, rem = divmod(n - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


@dataclass
class Located:
    """Where a value came from, for messages: file, sheet, row, column, header."""

    file: str
    sheet: str
    row: int
    column: int
    header: str

    def __str__(self) -> str:
        return f"{self.file} 表“{self.sheet}” 第{self.row}行 {column_letter(self.column)}列({self.header})"


def find_header(rows, wanted: dict[str, tuple[str, ...]]) -> tuple[int, dict[str, int]] | None:
    """(header row index, field -> column index) for the row among the first 15 that names most fields.
    A merged group title above the header (e.g. 基本信息 over 姓名 / 性别) is looked through."""
    best = None
    for r, row in enumerate(rows[:15]):
        found = {}
        for c, cell in enumerate(row):
            key = header_key(cell.value)
            for name, variants in wanted.items():
                if name not in found and key in {header_key(v) for v in variants}:
                    found[name] = c
        if len(found) >= 2 and (best is None or len(found) > len(best[1])):
            best = (r, found)
    return best


@dataclass
class WindowRow:
    code: str
    name: str
    window_type: str
    department: str
    area: str
    where: Located


@dataclass
class StaffRow:
    employee_no: str
    name: str
    gender: str
    party_member: bool
    employer: str
    window: str
    post: str
    where: Located
    window_where: Located | None = None
    id_card: str = ""
    id_card_key: str = ""
    generated: bool = False  # a new person whose number the import made (the roster has none)


@dataclass
class Change:
    kind: str  # new / updated / unlisted
    what: str  # 窗口 / 人员
    key: str
    label: str
    details: str = ""


@dataclass
class RosterPlan:
    source: str = ""  # the workbook's file name
    windows: list[WindowRow] = field(default_factory=list)
    staff: list[StaffRow] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # sheets skipped, numbers generated …
    active_before: int = 0  # staff on duty before the import
    centre_id: int | None = None  # the centre whose roster this is

    @property
    def mass_unlisting(self) -> str:
        """A warning when the roster would mark more than a tenth of the staff 离岗 (a partial list, a
        wrong sheet, numbers read wrongly): applying it then needs a second, explicit yes."""
        n = self.count("unlisted")
        if self.active_before and n > UNLISTED_SHARE * self.active_before:
            return f"将有 {n} 人 (占在岗人员 {percent(n / self.active_before, 0)}) 标为离岗: 请确认名单是完整的"
        return ""

    def count(self, kind: str, what: str | None = None) -> int:
        return sum(1 for c in self.changes if c.kind == kind and (what is None or c.what == what))

    def summary(self) -> str:
        return (f"窗口: 新增 {self.count('new', '窗口')}, 修改 {self.count('updated', '窗口')}; "
                f"人员: 新增 {self.count('new', '人员')}, 修改 {self.count('updated', '人员')}, "
                f"不再列出 {self.count('unlisted', '人员')} (将标为离岗)")


def _cells(file: str, sheet, header_row: int, columns: dict[str, int], headers: dict[str, tuple[str, ...]]):
    """Yield (row number, {field: (text, Located)}) for every non-blank row below the header."""
    titles = sheet.rows[header_row]
    for r, row in enumerate(sheet.rows[header_row + 1:], start=header_row + 2):
        values = {}
        for name, c in columns.items():
            cell = row[c] if c < len(row) else None
            title = clean(titles[c].value) if c < len(titles) else headers[name][0]
            where = Located(file, sheet.name, r, c + 1, title)  # the manager's own header text
            if cell is not None and cell.formula:
                values[name] = (None, where)
            elif cell is not None and isinstance(cell.value, dt.datetime):
                values[name] = (cell.value.date().isoformat(), where)
            else:
                values[name] = (clean(cell.value if cell else None), where)
        if all(v == "" for v, _ in values.values()):
            continue
        filled = [v for v, _ in values.values() if v]
        if len(filled) == 1 and FOOTER.match(filled[0] or ""):
            continue  # a note under the table: 制表 / 审核 / 备注 …
        yield r, values


def _rows(file: str, sheet, header_row: int, columns: dict[str, int], headers: dict[str, tuple[str, ...]],
          required: tuple[str, ...], errors: list[str]):
    """Rows with every required column present and no formula where text belongs; the rest become errors."""
    missing = [headers[k][0] for k in required if k not in columns]
    if missing:
        errors.append(f"{file} 表“{sheet.name}” 第{header_row + 1}行: 缺少列 {', '.join(missing)}")
        return
    for _, v in _cells(file, sheet, header_row, columns, headers):
        formulas = [f"{where}: 是公式, 应填写文字" for text, where in v.values() if text is None]
        if formulas:
            errors.extend(formulas)
            continue
        yield v


def _read_windows(file: str, sheet, header_row: int, columns: dict[str, int], errors: list[str]) -> list[WindowRow]:
    out = []
    for v in _rows(file, sheet, header_row, columns, WINDOW_HEADERS, ("code", "name", "window_type"), errors):
        code, where = v["code"]
        if not code:
            errors.append(f"{where}: 窗口编号为空")
            continue
        wtype, twhere = v["window_type"]
        if wtype not in WINDOW_TYPES:
            errors.append(f"{twhere}: “{wtype}”不是窗口类型 ({'、'.join(WINDOW_TYPES)})")
            continue
        name, nwhere = v["name"]
        if not name:
            errors.append(f"{nwhere}: 窗口名称为空")
            continue
        out.append(WindowRow(code.upper().replace(" ", ""), name, wtype, v.get("department", ("", None))[0],
                             v.get("area", ("", None))[0], where))
    return out


def _read_staff(file: str, sheet, header_row: int, columns: dict[str, int], errors: list[str]) -> list[StaffRow]:
    out = []
    numbered = "employee_no" in columns  # many rosters have none: people are matched (app.people.roster_matching)
    for v in _rows(file, sheet, header_row, columns, STAFF_HEADERS, ("name", "gender"), errors):
        row_errors: list[str] = []
        emp, ewhere = v["employee_no"] if numbered else ("", Located(file, sheet.name, v["name"][1].row, 0, "工号"))
        id_card, iwhere = v.get("id_card", ("", None))
        id_card = id_card.upper().replace(" ", "")
        name, nwhere = v["name"]
        name = re.sub(r"(?<=[\u4e00-\u9fff]) (?=[\u4e00-\u9fff])", "", name)  # "张 三" padded to align
        gender_text, gwhere = v["gender"]
        gender = {"男": "M", "女": "F", "M": "M", "F": "F", "MALE": "M", "FEMALE": "F"}.get(gender_text.upper())
        party_text, pwhere = v.get("party", ("", None))
        post_text, swhere = v.get("post", ("A", None))
        post = {"A": "A", "A岗": "A", "B": "B", "B岗": "B", "": "A"}.get(post_text.upper().replace(" ", ""))
        if numbered and not emp and not id_card:
            row_errors.append(f"{ewhere}: 工号为空")
        elif emp and not re.fullmatch(r"[0-9A-Za-z\-_]{1,20}", emp):
            row_errors.append(f"{ewhere}: “{emp[:20]}”不是有效的工号")
        if not name or len(name) > 20 or re.search(r"[0-9=+@#$%^&*<>{}\[\]|\\]", name):
            row_errors.append(f"{nwhere}: “{name[:20]}”不是有效的姓名")
        if gender is None:
            row_errors.append(f"{gwhere}: “{gender_text}”应为 男 或 女")
        if party_text.upper() not in PARTY_YES | PARTY_NO:
            row_errors.append(f"{pwhere}: “{party_text}”不是可识别的政治面貌")
        if post is None:
            row_errors.append(f"{swhere}: “{post_text}”应为 A岗 或 B岗")
        if id_card and not _valid_id_card(id_card):
            row_errors.append(f"{iwhere}: “{id_card[:18]}”不是有效的身份证号 (18 位, 校验位须正确)")
        if row_errors:
            errors.extend(row_errors)
            continue
        window_text, wwhere = v.get("window", ("", None))
        out.append(StaffRow(emp.upper(), name, gender, party_text.upper() in PARTY_YES, v.get("employer", ("", None))[0],
                            window_text.upper().replace(" ", ""), post, v["name"][1] if not emp else ewhere, wwhere,
                            id_card))
    return out


def plan_roster(file: str, sheets, centre_id=scope.SOLE) -> RosterPlan:
    """Read a centre's windows and staff from the sheets, validate everything, and list what would change."""
    errors: list[str] = []
    plan = RosterPlan(source=file, centre_id=scope.require_centre(centre_id, "名单"))
    for sheet in sheets:
        if getattr(sheet, "hidden", False):  # an old list the office keeps out of sight
            plan.notes.append(f"已跳过隐藏的工作表“{sheet.name}”")
            continue
        staff_header = find_header(sheet.rows, STAFF_HEADERS)
        window_header = find_header(sheet.rows, WINDOW_HEADERS)
        if staff_header and "name" in staff_header[1]:
            plan.staff += _read_staff(file, sheet, *staff_header, errors)
        elif window_header and ("name" in window_header[1] or "window_type" in window_header[1]):
            plan.windows += _read_windows(file, sheet, *window_header, errors)
    if not plan.staff and not plan.windows and not errors:
        raise PatrolError(f"{file}: 没有找到人员表 (需有 姓名、工号、性别 等列) 或窗口表 (需有 窗口编号、窗口名称、窗口类型)")
    _check_duplicates(plan, errors)
    resolve(plan.staff, errors, plan.centre_id)
    generated = [s.employee_no for s in plan.staff if s.generated]
    if generated:
        plan.notes.append(f"名单中没有工号: {len(generated)} 名新人员编为 {generated[0]}" +
                          (f" 至 {generated[-1]}" if len(generated) > 1 else ""))
    known_windows = ({w.code for w in Window.select(Window.code).where(Window.centre == plan.centre_id)}
                     | {w.code for w in plan.windows})
    areas = _areas(plan.centre_id)
    for w in plan.windows:
        if w.area and w.area not in areas:
            errors.append(f"{w.where}: 区域“{w.area}”不存在 (可选: {'、'.join(sorted({a.name for a in areas.values()}))})")
    for s in plan.staff:
        if s.window and s.window not in known_windows:
            errors.append(f"{s.window_where or s.where}: 窗口编号“{s.window}”不存在")
    if errors:
        shown = errors[:MAX_ERRORS]
        more = f"\n另有 {len(errors) - MAX_ERRORS} 处问题" if len(errors) > MAX_ERRORS else ""
        raise PatrolError(f"{file}: 名单有误, 未做任何修改\n" + "\n".join(shown) + more)
    _diff(plan)
    return plan


def _check_duplicates(plan: RosterPlan, errors: list[str]) -> None:
    seen: dict[str, Located] = {}
    cards: dict[str, Located] = {}
    for s in plan.staff:
        if s.id_card and s.id_card in cards:
            errors.append(f"{s.where}: 身份证号与{cards[s.id_card]}重复")
        if s.id_card:
            cards[s.id_card] = s.where
        if not s.employee_no:
            continue
        if s.employee_no in seen:
            errors.append(f"{s.where}: 工号 {s.employee_no} 与{seen[s.employee_no]}重复")
        seen[s.employee_no] = s.where
    codes: dict[str, Located] = {}
    for w in plan.windows:
        if w.code in codes:
            errors.append(f"{w.where}: 窗口编号 {w.code} 与{codes[w.code]}重复")
        codes[w.code] = w.where


def _areas(centre_id: int) -> dict:
    """The centre's areas by code and by name."""
    own = list(Area.select().where(Area.centre == centre_id))
    return {a.code: a for a in own} | {a.name: a for a in own}


def _diff(plan: RosterPlan) -> None:
    """What the roster changes at its centre. A listed person on another centre's roster moves here
    (one record per person in a district); only this centre's people can be unlisted."""
    here = plan.centre_id
    windows = {w.code: w for w in Window.select().where(Window.centre == here)}
    for w in plan.windows:
        old = windows.get(w.code)
        if old is None:
            plan.changes.append(Change("new", "窗口", w.code, w.name))
            continue
        diffs = [f"{label}: {a} → {b}" for label, a, b in (("名称", old.name, w.name), ("类型", old.window_type, w.window_type),
                 ("部门", old.department, w.department)) if b and a != b]
        if diffs:
            plan.changes.append(Change("updated", "窗口", w.code, w.name, "; ".join(diffs)))
    people = {s.employee_no: s for s in Staff.select().where(Staff.centre == here)}
    plan.active_before = sum(1 for p in people.values() if p.status == "active")
    numbers = [s.employee_no for s in plan.staff if s.employee_no not in people]
    elsewhere = {}
    for start in range(0, len(numbers), 500):
        elsewhere.update({s.employee_no: s for s in Staff.select().where(Staff.employee_no.in_(numbers[start:start + 500]))})
    window_codes = {w.id: w.code for w in Window.select().where(Window.centre == here)}
    listed = set()
    for s in plan.staff:
        listed.add(s.employee_no)
        old = people.get(s.employee_no)
        if old is None and s.employee_no in elsewhere:
            moved = elsewhere[s.employee_no]
            plan.changes.append(Change("updated", "人员", s.employee_no, s.name, f"调入: 原在{moved.centre.name}"))
            continue
        if old is None:
            plan.changes.append(Change("new", "人员", s.employee_no, s.name, "新编工号" if s.generated else ""))
            continue
        pairs = (("姓名", old.name, s.name), ("性别", old.gender, s.gender), ("党员", old.party_member, s.party_member),
                 ("用工单位", old.employer, s.employer), ("窗口", window_codes.get(old.window_id, ""), s.window),
                 ("岗位", old.post, s.post), ("状态", old.status, "active"))
        diffs = [f"{label}: {a} → {b}" for label, a, b in pairs if a != b]
        if s.id_card_key and s.id_card_key != old.id_card_key:
            diffs.append("身份证号: " + ("登记" if not old.id_card_key else "变更"))
        if diffs:
            plan.changes.append(Change("updated", "人员", s.employee_no, s.name, "; ".join(diffs)))
    if plan.staff:
        for emp, old in people.items():  # this centre's only
            if emp not in listed and old.status == "active":
                plan.changes.append(Change("unlisted", "人员", emp, old.name, "名单中没有此人, 将标为离岗"))


def apply_roster(plan: RosterPlan, user, reason: str, confirm_unlisted: bool = False) -> None:
    """Write the plan in one transaction (managers only, with a reason; audited). A plan that would mark
    more than a tenth of the staff 离岗 needs `confirm_unlisted`."""
    require_role(user, "manager")
    reason = audit.require_reason(reason)
    here = plan.centre_id
    if user.centre_id is not None and user.centre_id != here:
        raise PermissionDenied("名单属于其他中心, 该中心的账号不能导入")
    if plan.mass_unlisting and not confirm_unlisted:
        raise PatrolError(f"{plan.mass_unlisting}; 确认无误后再次确认导入 (命令行加 --confirm-unlisted)")
    transfers = [c for c in plan.changes if c.details.startswith("调入")]
    if transfers and user.centre_id is not None:
        shown = "、".join(f"{c.key} {c.label} ({c.details.removeprefix('调入: ')})" for c in transfers[:5])
        raise PermissionDenied(f"名单中有 {len(transfers)} 人属于其他中心: {shown}; 人员在中心之间调动须由区级管理员办理")
    with db.atomic():
        audit.record(user, "import.roster", "roster", new={"file": plan.source, "summary": plan.summary(),
                     "changes": [f"{c.kind} {c.what} {c.key} {c.details}".strip() for c in plan.changes][:500]},
                     reason=reason)
        areas = _areas(here)
        default_area = Area.select().where(Area.centre == here).order_by(Area.code).first()
        if default_area is None and plan.windows:
            default_area = Area.create(centre=here, code="A", name="服务大厅")
        for w in plan.windows:
            area = areas.get(w.area) or default_area
            Window.insert(centre=here, code=w.code, name=w.name, window_type=w.window_type, department=w.department,
                          area=area, active=True).on_conflict(
                conflict_target=[Window.centre, Window.code],
                update={Window.name: w.name, Window.window_type: w.window_type, Window.department: w.department,
                        Window.active: True}).execute()
        window_ids = dict(Window.select(Window.code, Window.id).where(Window.centre == here).tuples())
        for s in plan.staff:
            values = {"name": s.name, "gender": s.gender, "party_member": s.party_member, "employer": s.employer,
                      "window": window_ids.get(s.window), "post": s.post, "status": "active", "centre": here}
            if s.id_card_key:
                values["id_card_key"] = s.id_card_key
            Staff.insert(employee_no=s.employee_no, **values).on_conflict(
                conflict_target=[Staff.employee_no], update={Staff._meta.fields[k]: v for k, v in values.items()}).execute()
        unlisted = [c.key for c in plan.changes if c.kind == "unlisted"]
        if unlisted:
            Staff.update(status="inactive").where(Staff.employee_no.in_(unlisted) & (Staff.centre == here)).execute()
