"""好差评: the monthly export of the 政务服务"好差评" system, imported with the roster's tolerant reader.

Two layouts are read: one row per rating (time, window, person, 评价等级, comment), or one row per
window or person with counts of 非常满意 / 满意 / 基本满意 / 不满意 / 非常不满意. Rows are matched to the
centre's windows (by code, else name) and people (by employee number, else a name that is unique);
rows that match nothing are kept and listed, never dropped. A row already imported (the same rating
number, else the same 办件编号, else the same content with the same time) is a duplicate and is ignored,
so importing a file twice changes nothing. Nothing is rated after the import's day. Every 差评 (不满意 / 非常不满意) opens a rectification item due in 15 working days (the 好差评
rule: 差评 rectified within 15 working days). Satisfaction = (非常满意 + 满意 + 基本满意) ÷ all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

import peewee as pw

from app import audit
from app.centres import scope, wall
from app.centres.settings import load_settings
from app.centres.workdays import add_workdays, calendar
from app.context import Context
from app.errors import PatrolError
from app.people.roster_import import Located, clean, find_header, header_key
from app.periods import Period, previous
from app.results.rectification_items import new_item, write_items
from app.roles import require_role
from app.rounding import half_up
from app.storage.db import bulk_insert
from app.storage.models import Rating, RatingImport, Staff, Window
from app.storage.proxy import db

LEVELS = ("非常满意", "满意", "基本满意", "不满意", "非常不满意")
FIELDS = ("very_satisfied", "satisfied", "basic", "dissatisfied", "very_dissatisfied")
BAD = {"不满意", "非常不满意"}
RECTIFY_WORKDAYS = 15
MAX_ROWS = 50_000
HEADERS = {
    "window": ("窗口编号", "窗口", "窗口号", "服务窗口", "办理窗口", "评价窗口"),
    "window_name": ("窗口名称",),
    "employee_no": ("工号", "人员编号", "员工编号"),
    "staff": ("工作人员", "姓名", "办理人", "受理人", "经办人", "被评价人", "评价对象"),
    "level": ("评价等级", "评价结果", "满意度", "评价", "评价级别"),
    "time": ("评价时间", "评价日期", "时间", "日期"),
    "number": ("评价编号", "评价流水号", "流水号", "编号", "评价ID"),
    # The platforms rate each 办件 once: its number identifies the rating where no rating number is given.
    "case_number": ("办件编号", "办件流水号", "受理编号", "申办编号", "业务流水号", "办件号"),
    "comment": ("评价内容", "评价意见", "意见", "差评原因", "诉求内容"),
} | {f: (label, f"{label}数", f"{label}(次)", f"{label}次数") for f, label in zip(FIELDS, LEVELS)}
LEVEL_WORDS = {header_key(w): w for w in LEVELS} | {header_key(k): v for k, v in {
    "很满意": "非常满意", "比较满意": "基本满意", "一般": "基本满意", "很不满意": "非常不满意", "好评": "满意",
    "差评": "不满意", "5": "非常满意", "4": "满意", "3": "基本满意", "2": "不满意", "1": "非常不满意"}.items()}


@dataclass
class RatingRow:
    where: Located
    key: str
    window_text: str
    staff_text: str
    window_id: int | None
    staff_id: int | None
    counts: tuple[int, int, int, int, int]
    rated_on: dt.date | None
    number: str
    comment: str
    status: str = "new"  # new / duplicate (in the file or already imported)
    legacy_key: str = ""  # the key versions before 办件编号 and times were read gave the same row

    @property
    def matched(self) -> bool:
        return self.window_id is not None or self.staff_id is not None

    @property
    def bad(self) -> int:
        return self.counts[3] + self.counts[4]

    @property
    def levels(self) -> str:
        """The rating's level, or the counts of each level."""
        if sum(self.counts) == 1:
            return LEVELS[self.counts.index(1)]
        return " / ".join(f"{w} {n}" for w, n in zip(LEVELS, self.counts) if n) or "无评价"


@dataclass
class RatingPlan:
    file: str
    month: Period
    layout: str  # ratings / counts
    rows: list[RatingRow] = field(default_factory=list)
    file_hash: str = ""

    @property
    def new(self) -> list[RatingRow]:
        return [r for r in self.rows if r.status == "new"]

    @property
    def duplicates(self) -> list[RatingRow]:
        return [r for r in self.rows if r.status != "new"]

    @property
    def unmatched(self) -> list[RatingRow]:
        return [r for r in self.new if not r.matched]

    def summary(self) -> str:
        ratings = sum(sum(r.counts) for r in self.new)
        bad = sum(r.bad for r in self.new if r.matched)
        return (f"{self.file}: {len(self.rows)} 行, 新 {len(self.new)} 行 ({ratings} 次评价), 重复 {len(self.duplicates)} 行 "
                f"(不再导入), 未匹配 {len(self.unmatched)} 行 (保留并列出), 差评 {bad} 次 (各开整改项, "
                f"{RECTIFY_WORKDAYS} 个工作日内整改)")


def _date(value, where: Located, errors: list[str]) -> dt.date | None:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = clean(value)
    if not text:
        return None
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d",
                "%Y年%m月%d日 %H:%M", "%Y年%m月%d日"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    errors.append(f"{where}: “{text[:30]}” 不是日期")
    return None


def _count(value, where: Located, errors: list[str]) -> int:
    text = clean(value)
    if not text:
        return 0
    try:
        number = float(text)
    except ValueError:
        errors.append(f"{where}: “{text[:20]}” 不是次数")
        return 0
    if number < 0 or number != int(number) or number > 1_000_000:
        errors.append(f"{where}: 次数 {text} 须为非负整数")
        return 0
    return int(number)


def plan_ratings(file: str, sheets, month: Period, centre_id=scope.SOLE, today: dt.date | None = None) -> RatingPlan:
    """Read a 好差评 workbook for a month, every row checked; PatrolError lists every problem (file,
    sheet, row, column). Nothing is written. Nothing is rated after `today` (the import's day)."""
    centre = scope.require_centre(centre_id, "导入好差评")
    today = today or dt.date.today()
    if month.start > today:
        raise PatrolError(f"{file}: {month.label}尚未到来, 不能导入该月的好差评")
    found = None
    for sheet in sheets:
        if sheet.hidden:
            continue
        located = find_header(sheet.rows, HEADERS)
        if located and ("level" in located[1] or sum(f in located[1] for f in FIELDS) >= 3):
            if {"window", "window_name", "staff", "employee_no"} & set(located[1]):
                found = (sheet, *located)
                break
    if found is None:
        raise PatrolError(f"{file}: 找不到好差评表头 (须有 窗口 或 工作人员, 以及 评价等级, 或 非常满意…非常不满意 各列)")
    sheet, header_row, columns = found
    layout = "ratings" if "level" in columns else "counts"
    windows = {clean(w.code).upper(): w.id for w in Window.select().where(Window.centre == centre)}
    window_names = {clean(w.name): w.id for w in Window.select().where(Window.centre == centre)}
    people = list(Staff.select(Staff.id, Staff.employee_no, Staff.name).where(Staff.centre == centre).tuples())
    by_number = {clean(e).upper(): i for i, e, _ in people}
    names: dict[str, list[int]] = {}
    for i, _, n in people:
        names.setdefault(clean(n), []).append(i)
    errors: list[str] = []
    plan = RatingPlan(file, month, layout)
    body = sheet.rows[header_row + 1:]
    if len(body) > MAX_ROWS:
        raise PatrolError(f"{file} 表“{sheet.name}”: 超过 {MAX_ROWS} 行")
    headers = {name: clean(sheet.rows[header_row][c].value) for name, c in columns.items()}

    def cell(row, name):
        c = columns.get(name)
        return row[c].value if c is not None and c < len(row) else None

    def at(r, name):
        return Located(file, sheet.name, header_row + 2 + r, columns.get(name, 0) + 1, headers.get(name, name))

    for r, row in enumerate(body):
        if not any(clean(c.value) for c in row):
            continue
        window_text = clean(cell(row, "window")) or clean(cell(row, "window_name"))
        staff_text = clean(cell(row, "employee_no")) or clean(cell(row, "staff"))
        if not window_text and not staff_text:
            if clean(row[0].value).startswith(("合计", "总计", "制表", "说明", "注")):
                continue
            errors.append(f"{at(r, 'window')}: 没有窗口, 也没有工作人员")
            continue
        if layout == "ratings":
            word = LEVEL_WORDS.get(header_key(cell(row, "level")))
            if word is None:
                errors.append(f"{at(r, 'level')}: “{clean(cell(row, 'level'))[:20]}” 不是评价等级 ({'/'.join(LEVELS)})")
                continue
            counts = tuple(1 if w == word else 0 for w in LEVELS)
            rated_on = _date(cell(row, "time"), at(r, "time"), errors)
            if rated_on is not None and not month.start <= rated_on < month.end:
                errors.append(f"{at(r, 'time')}: {rated_on.isoformat()} 不在{month.label}")
            elif rated_on is not None and rated_on > today:
                errors.append(f"{at(r, 'time')}: {rated_on.isoformat()} 晚于今天 ({today.isoformat()}), 评价不会来自将来")
        else:
            counts = tuple(_count(cell(row, f), at(r, f), errors) for f in FIELDS)
            rated_on = None
        number, comment = clean(cell(row, "number"))[:60], clean(cell(row, "comment"))[:500]
        case_number = clean(cell(row, "case_number"))[:60]
        window_id = windows.get(window_text.upper()) or window_names.get(window_text)
        # An employee number, in its own column or where the export puts the person.
        staff_id = by_number.get(clean(cell(row, "employee_no")).upper()) or by_number.get(clean(cell(row, "staff")).upper())
        if staff_id is None and clean(cell(row, "staff")):
            same = names.get(clean(cell(row, "staff")), [])
            staff_id = same[0] if len(same) == 1 else None
        if number:
            key = f"{month.start:%Y-%m}|no|{number}"
        elif case_number:
            key = f"{month.start:%Y-%m}|case|{case_number}"
        else:  # the rating's whole content, its time to the second as the file gives it
            key = "|".join([f"{month.start:%Y-%m}", layout, window_text, staff_text, ",".join(map(str, counts)),
                            clean(cell(row, "time")), comment])
        legacy = "" if number else "|".join([f"{month.start:%Y-%m}", layout, window_text, staff_text,
                                             ",".join(map(str, counts)), rated_on.isoformat() if rated_on else "", comment])
        plan.rows.append(RatingRow(at(r, "window"), hashlib.sha256(key.encode("utf-8")).hexdigest(), window_text,
                                   staff_text, window_id, staff_id, counts, rated_on, number, comment,
                                   legacy_key=hashlib.sha256(legacy.encode("utf-8")).hexdigest() if legacy else ""))
    if errors:
        more = f"\n… 另有 {len(errors) - 20} 处" if len(errors) > 20 else ""
        raise PatrolError("\n".join(errors[:20]) + more)
    if not plan.rows:
        raise PatrolError(f"{file} 表“{sheet.name}”: 表头下没有评价")
    seen, legacy_taken = set(), set()
    stored = set()
    # A row imported by an earlier version is found by the key that version gave it.
    keys = [r.key for r in plan.rows] + [r.legacy_key for r in plan.rows if r.legacy_key]
    for start in range(0, len(keys), 500):
        stored |= {k for (k,) in Rating.select(Rating.row_key).where((Rating.centre == centre)
                                                                      & Rating.row_key.in_(keys[start:start + 500])).tuples()}
    for row in plan.rows:
        if row.key in seen:
            row.status = "repeated"
        elif row.key in stored:
            row.status = "imported"
        elif row.legacy_key in stored and row.legacy_key not in legacy_taken:
            # Stored by an earlier version under a key rows differing only in 办件编号 or time shared:
            # that version kept the first such row of the file, and so this one is it; the rest are new.
            row.status = "imported"
            legacy_taken.add(row.legacy_key)
        seen.add(row.key)
    return plan


def apply_ratings(ctx: Context, plan: RatingPlan, reason: str = "") -> tuple[int, int]:
    """Write the plan's new rows in one transaction and open a rectification item for each 差评 of a
    matched row, due in RECTIFY_WORKDAYS working days; audited. Rows and items are written in bulk (a
    month's export may hold 50,000 rows). Returns (rows written, items opened)."""
    require_role(ctx.user, "manager")
    centre = wall.require_centre(ctx, "导入好差评")
    reason = reason or f"导入{plan.month.label}好差评"
    columns = ["centre", "month", "batch", "row_key", "window", "staff", "window_text", "staff_text", "rated_on",
               "number", "comment", *FIELDS]
    with db.atomic():
        log = RatingImport.create(centre=centre, month=f"{plan.month.start:%Y-%m}", file_name=plan.file[:120],
                                  rows=len(plan.rows), new=len(plan.new), duplicates=len(plan.duplicates),
                                  unmatched=len(plan.unmatched), imported_by=ctx.username)
        bulk_insert(Rating, columns, [(centre, log.month, log.id, row.key, row.window_id, row.staff_id,
                                       row.window_text[:60], row.staff_text[:60], row.rated_on, row.number, row.comment,
                                       *row.counts) for row in plan.new])
        bad = [row for row in plan.new if row.bad and row.matched]
        items = []
        if bad:
            ids = dict(Rating.select(Rating.row_key, Rating.id).where(Rating.batch == log.id).tuples())
            days = [row.rated_on or plan.month.last_day for row in bad]
            known = calendar(min(days), max(days) + dt.timedelta(days=RECTIFY_WORKDAYS * 3 + 60), centre)
            for row, day in zip(bad, days):
                words = "、".join(f"{w} {n} 次" for w, n in zip(LEVELS[3:], row.counts[3:]) if n)
                items.append(new_item(centre, "rating", f"rating:{ids[row.key]}",
                                      f"好差评差评 ({words})" + (f": {row.comment}" if row.comment else ""),
                                      "好差评: 差评 15 个工作日内整改", day, add_workdays(day, RECTIFY_WORKDAYS, known,
                                                                              centre_id=centre),
                                      row.staff_id, row.window_id))
            write_items(items)
        audit.record(ctx.user, "import.ratings", f"ratings:{log.month}", centre=centre,
                     new={"file": plan.file, "new": len(plan.new), "duplicates": len(plan.duplicates),
                          "unmatched": len(plan.unmatched), "rectifications": len(items)}, reason=reason)
    return len(plan.new), len(items)


def satisfaction(period: Period, subject: str, centre_id=scope.SOLE) -> dict[int, float]:
    """Subject id -> satisfaction (%) of the period's imported ratings, for the schemes' `rating`."""
    column = Rating.window if subject == "window" else Rating.staff
    months = []
    day = period.start
    while day < period.end:
        months.append(f"{day:%Y-%m}")
        day = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    good = pw.fn.SUM(Rating.very_satisfied + Rating.satisfied + Rating.basic)
    total = pw.fn.SUM(Rating.very_satisfied + Rating.satisfied + Rating.basic + Rating.dissatisfied
                      + Rating.very_dissatisfied)
    query = Rating.select(column, good, total).where(Rating.month.in_(months) & column.is_null(False)).group_by(column)
    cid = scope.resolve(centre_id)
    if cid is not None:
        query = query.where(Rating.centre == cid)
    return {k: half_up(100.0 * g / n) for k, g, n in query.tuples() if n}


@dataclass(frozen=True)
class CalledIn:
    """A window whose 好差评 satisfaction was under the centre's line in a month and the month before."""

    code: str
    name: str
    satisfaction: float  # this month, %
    before: float  # the month before, %


def called_in(month: Period, centre_id=scope.SOLE) -> list[CalledIn]:
    """约谈: the windows under the satisfaction line (the setting of the month's last day) in `month` and
    in the month before it, each with ratings in both; by code."""
    line = load_settings(month.last_day, centre_id=centre_id).interview_below
    now, then = satisfaction(month, "window", centre_id=centre_id), satisfaction(previous(month), "window",
                                                                                   centre_id=centre_id)
    low = [wid for wid, value in now.items() if value < line and then.get(wid, 100.0) < line]
    windows = {w.id: w for w in Window.select().where(Window.id.in_(low))} if low else {}
    return sorted((CalledIn(windows[w].code, windows[w].name, now[w], then[w]) for w in low), key=lambda c: c.code)
