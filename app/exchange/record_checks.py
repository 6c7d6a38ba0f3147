"""Every field of an incoming inspection record, checked before anything is written.

A results package is signed by a laptop, and a laptop is a database anyone holding it can edit, so
the office trusts nothing it can compute or check itself: types and lengths, finite numbers, naive
local times in range, codes it knows, photos that are inside the package and are images (each checked
and re-encoded before it is kept: app.patrolling.photos), the inspectors enrolled
on the signing device, first revisions only from a device, and the score, deductions, bonus, veto,
pass and grade recomputed from the item results and the stored checklist version. Each problem
names the field.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import uuid as uuidlib
from dataclasses import dataclass, field
from typing import Callable

from app.centres import scope
from app.centres.centre import current_centre
from app.centres.settings import RuleBook
from app.domain import METHODS, RESULTS
from app.errors import PatrolError
from app.patrolling.checklists import applies, category_weights, version_items
from app.patrolling.evidence import REF as PHOTO_REF
from app.patrolling.evidence import receive_photo
from app.patrolling.scoring import ScoredItem, score_with_settings
from app.storage.models import Checklist, ChecklistVersion, Item, Staff, User, Window

RECORD_KEYS = {"uuid", "revision", "window", "staff", "inspector", "method", "observed_at", "started_at",
               "finished_at", "checklist", "note", "score", "bonus", "deductions", "vetoed", "passed", "grade", "results"}
MAX_TEXT = 2000  # a note; nobody writes more on a patrol (README: limits)
MAX_CODE = 40
MAX_RESULTS = 1000
MAX_PHOTOS = 20  # per item
EARLIEST = dt.datetime(2000, 1, 1)
MAX_SPAN = dt.timedelta(days=31)  # from the sighting to the finished record
HEX64 = re.compile(r"[0-9a-f]{64}")
# Text that a PDF writer would read as markup (<img src=...> embeds a local file): never a note's words.
MARKUP = re.compile(r"<\s*/?\s*[A-Za-z!?]")


@dataclass
class Lookups:
    """What this database knows, read once per import."""

    centre_id: int | None  # the centre the package is for: its records, windows and people only
    windows: dict[str, tuple[int, str]]  # code -> (id, window type)
    staff: dict[str, tuple[int, str, bool]]  # employee no -> (id, gender, party member)
    users: dict[str, tuple[int, str]]  # username -> (id, role)
    versions: dict[str, int]  # content hash -> version id
    items: dict[tuple[int, str], int]  # (version id, item code) -> item id


def lookups(centre_id=scope.SOLE) -> Lookups:
    """The windows are those of the centre the package is for: two centres of a district may both
    have an A01."""
    centre = current_centre(centre_id)
    centre_id = centre.id if centre else None
    return Lookups(
        centre_id=centre_id,
        windows={c: (i, t) for c, i, t in Window.select(Window.code, Window.id, Window.window_type)
                 .where(Window.centre == (centre.id if centre else None)).tuples()},
        staff={e: (i, g, bool(p)) for e, i, g, p in Staff.select(Staff.employee_no, Staff.id, Staff.gender,
                                                                  Staff.party_member)
                                                                  .where(Staff.centre == centre_id).tuples()},
        users={u: (i, r) for u, i, r in User.select(User.username, User.id, User.role).tuples()},
        # The district's checklists and the centre's own: never another centre's extension.
        versions=dict(ChecklistVersion.select(ChecklistVersion.content_hash, ChecklistVersion.id).join(Checklist)
                      .where(Checklist.centre.is_null() | (Checklist.centre == (centre.id if centre else None)))
                      .tuples()),
        items={(v, c): i for i, v, c in Item.select(Item.id, Item.version, Item.code).tuples()},
    )


@dataclass
class Context:
    lookups: Lookups
    rules: RuleBook
    photos: set[str]  # refs of the photos inside the package
    inspectors: tuple[str, ...] | None  # who may appear on this signer's records; None: anyone
    max_revision: int | None  # 1 for a device: amendments exist only at the office
    latest: dt.datetime  # nothing observed after this (the import day's end, the laptop's clock)
    earliest: dt.datetime = EARLIEST  # nothing observed before this (the day the signing laptop was enrolled)
    # (version, gender, party member, window type) -> code -> (category, deduction, severity, kind)
    applicable: dict[tuple, dict[str, tuple]] = field(default_factory=dict)
    weights: dict[int, dict[str, float]] = field(default_factory=dict)
    # uuid -> the office's figures, for records graded by rules the office had before (a laptop not yet
    # told of a change): stored with the office's figures, never with the laptop's.
    regraded: dict[str, dict] = field(default_factory=dict)
    photo_bytes: Callable[[str], bytes] | None = None  # a photo's bytes from the package
    kept: dict[str, str] = field(default_factory=dict)  # a package's photo ref -> the ref it is kept under
    photo_problems: dict[str, str] = field(default_factory=dict)  # ref -> why it is not an image we keep
    new_photos: int = 0  # kept for the first time

    def keep_photo(self, ref: str) -> str | None:
        """The reference a photo of the package is kept under, checked and stored on first sight; None
        (the reason in photo_problems) when it is not an image we keep. A refused package leaves the
        photos it checked in the store, named by content and referenced by nothing (no row is written)."""
        if ref not in self.kept and ref not in self.photo_problems and ref in self.photos:
            try:
                self.kept[ref], new = receive_photo(ref, self.photo_bytes(ref))
                self.new_photos += new
            except PatrolError as exc:
                self.photo_problems[ref] = str(exc)
        return self.kept.get(ref)

    def items_for(self, version: int, gender: str | None, party: bool, window_type: str) -> dict[str, tuple]:
        key = (version, gender, party, window_type)
        if key not in self.applicable:
            self.applicable[key] = {i.code: (i.category.code, i.deduction, i.severity, i.kind)
                                    for i in version_items(version) if applies(i, gender, party, window_type)}
        return self.applicable[key]


def _text(r: dict, key: str, limit: int, *, required: bool = True) -> str | None:
    value = r[key]
    if value is None and not required:
        return None
    if not isinstance(value, str):
        return f"{key}: 应为文字"
    if required and not value.strip():
        return f"{key}: 不能为空"
    if len(value) > limit:
        return f"{key}: 超过 {limit} 个字符"
    if MARKUP.search(value):
        return f"{key}: 含有标记 ({value[:20]!r}…), 不予接受"
    return None


def _time(r: dict, key: str, latest: dt.datetime, *, required: bool = True) -> tuple[dt.datetime | None, str | None]:
    value = r[key]
    if value is None and not required:
        return None, None
    if not isinstance(value, str) or len(value) > 32:
        return None, f"{key}: 不是有效时间"
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        return None, f"{key}: 不是有效时间 ({value[:32]!r})"
    if moment.tzinfo is not None:
        return None, f"{key}: 带有时区 ({value}); 只接受本地时间"
    if moment < EARLIEST:
        return None, f"{key}: {value} 早于 {EARLIEST:%Y-%m-%d}"
    if moment > latest:
        return None, f"{key}: {value} 是将来的时间 (晚于 {latest:%Y-%m-%d %H:%M}), 不予接受"
    return moment, None


def _number(r: dict, key: str) -> str | None:
    value = r[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{key}: 应为数字"
    if not math.isfinite(value):
        return f"{key}: 不是有限的数 ({value})"
    if value < 0 or value > 1000:
        return f"{key}: {value} 超出范围"
    return None


def shape_problems(r) -> list[str]:
    """Types, formats and lengths of one record, each problem with its field."""
    if not isinstance(r, dict):
        return ["记录不是对象"]
    missing, extra = RECORD_KEYS - set(r), set(r) - RECORD_KEYS
    if missing:
        return [f"缺少字段 {', '.join(sorted(missing))}"]
    if extra:
        return [f"未知字段 {', '.join(sorted(str(k)[:20] for k in extra))}"]
    out = []
    try:
        if not isinstance(r["uuid"], str) or str(uuidlib.UUID(r["uuid"])) != r["uuid"]:
            raise ValueError
    except ValueError:
        out.append("uuid: 不是标准格式的 UUID")
    if not isinstance(r["revision"], int) or isinstance(r["revision"], bool) or not 1 <= r["revision"] <= 10000:
        out.append("revision: 须为正整数")
    for key in ("window", "inspector"):
        out.append(_text(r, key, MAX_CODE))
    out.append(_text(r, "staff", MAX_CODE, required=False))
    out.append(_text(r, "grade", MAX_CODE, required=False) if r["grade"] != "" else None)
    if not isinstance(r["note"], str) or len(r["note"]) > MAX_TEXT:
        out.append(f"note: 应为不超过 {MAX_TEXT} 个字符的文字")
    elif MARKUP.search(r["note"]):
        out.append(f"note: 含有标记 ({r['note'][:20]!r}…), 不予接受")
    if r["method"] not in METHODS:
        out.append(f"method: 未知巡查方式 {str(r['method'])[:20]!r}")
    for key in ("score", "bonus", "deductions"):
        out.append(_number(r, key))
    for key in ("vetoed", "passed"):
        if not isinstance(r[key], bool):
            out.append(f"{key}: 应为 true 或 false")
    checklist = r["checklist"]
    if (not isinstance(checklist, dict) or set(checklist) != {"code", "hash"} or not isinstance(checklist["hash"], str)
            or not HEX64.fullmatch(checklist["hash"]) or not isinstance(checklist["code"], str)
            or len(checklist["code"]) > MAX_CODE):
        out.append("checklist: 应为 {code, hash} 且 hash 为 64 位十六进制")
    out += _results_problems(r["results"])
    return [p for p in out if p]


def _results_problems(results) -> list[str]:
    if not isinstance(results, list) or not results or len(results) > MAX_RESULTS:
        return [f"results: 应为 1 到 {MAX_RESULTS} 项的列表"]
    seen = set()
    # A tight loop: a package holds a hundred results per record, ten thousand records or more.
    for n, entry in enumerate(results, start=1):
        if type(entry) is not list or len(entry) != 4:
            return [f"results 第 {n} 项: 应为 [编号, 结果, 说明, 照片]"]
        code, result, note, refs = entry
        if type(code) is not str or not code or len(code) > MAX_CODE or code in seen:
            return [f"results 第 {n} 项: 检查项编号无效或重复"]
        seen.add(code)
        if result not in RESULTS or type(result) is not str:
            return [f"results 第 {n} 项 ({code}): 未知结果 {str(result)[:10]!r}"]
        if type(note) is not str or len(note) > MAX_TEXT or (note and MARKUP.search(note)):
            return [f"results 第 {n} 项 ({code}): 说明应为不超过 {MAX_TEXT} 个字符、不含标记的文字"]
        if type(refs) is not list or (refs and (len(refs) > MAX_PHOTOS or not all(
                type(p) is str and PHOTO_REF.fullmatch(p) for p in refs))):
            return [f"results 第 {n} 项 ({code}): 照片应为照片内容的 SHA-256 加图片类型 (如 ….png), 最多 {MAX_PHOTOS} 张"]
    return []


def record_problems(r: dict, ctx: Context) -> list[str]:
    """What a well-formed record names that this database does not know or the signer may not claim,
    and the figures it claims that differ from the office's own computation."""
    lk, out = ctx.lookups, []
    times = {}
    for key, required in (("observed_at", True), ("started_at", True), ("finished_at", True)):
        times[key], problem = _time(r, key, ctx.latest, required=required)
        if times[key] is not None and times[key] < ctx.earliest:
            times[key], problem = None, (f"{key}: {times[key]:%Y-%m-%d %H:%M} 早于签名设备登记的日期 "
                                         f"({ctx.earliest:%Y-%m-%d}); 设备登记前不可能有它的记录, 不予接受")
        out.append(problem)
    out.append(_span_problem(times))
    if ctx.max_revision is not None and r["revision"] > ctx.max_revision:
        out.append(f"revision: 第 {r['revision']} 版; 笔记本只能提交首版记录, 修改只能在管理端进行")
    window = lk.windows.get(r["window"])
    if window is None:
        out.append(f"window: 本库没有窗口 {r['window']}")
    staff = lk.staff.get(r["staff"]) if r["staff"] is not None else None
    if r["staff"] is not None and staff is None:
        out.append(f"staff: 本库没有工号 {r['staff']}")
    user = lk.users.get(r["inspector"])
    if user is None:
        out.append(f"inspector: 本库没有巡查员账号 {r['inspector']}")
    elif ctx.inspectors is not None and r["inspector"] not in ctx.inspectors:
        out.append(f"inspector: {r['inspector']} 未登记在签名设备上 (该设备的巡查员: {', '.join(ctx.inspectors) or '无'})")
    version = lk.versions.get(r["checklist"]["hash"])
    if version is None:
        out.append(f"checklist: 本库没有该检查表版本 ({r['checklist']['code']} {r['checklist']['hash'][:12]})")
    else:
        unknown = [c for c, *_ in r["results"] if (version, c) not in lk.items]
        if unknown:
            out.append(f"results: 检查项不属于该检查表版本: {', '.join(unknown[:3])}")
    out.append(_photo_problem(r, ctx))
    out = [p for p in out if p]
    if out or window is None or version is None:
        return out
    return _recomputed_problems(r, version, window[1], staff, ctx)


def _photo_problem(r: dict, ctx: Context) -> str | None:
    """The first photo of a record that is not in the package or is not an image we keep, named."""
    for n, (code, _, _, refs) in enumerate(r["results"], start=1):
        for ref in refs:
            if ref not in ctx.photos:
                return f"results 第 {n} 项 ({code}): 照片 {ref[:16]}… 不在结果包中"
            if ctx.keep_photo(ref) is None:
                return f"results 第 {n} 项 ({code}): 照片 {ref[:16]}…: {ctx.photo_problems[ref]}"
    return None


def with_kept_photos(r: dict, kept: dict[str, str]) -> dict:
    """The record naming its photos as they are kept (a photo re-encoded on arrival has a new name); the
    record itself when none was renamed."""
    if any(kept.get(ref, ref) != ref for *_, refs in r["results"] for ref in refs):
        return dict(r, results=[[code, result, note, [kept.get(ref, ref) for ref in refs]]
                                for code, result, note, refs in r["results"]])
    return r


def _span_problem(times: dict) -> str | None:
    """A record is finished after the window was seen and after the form was opened, and within
    MAX_SPAN of the sighting (a review of video may take days, not months): a `finished_at` set back
    would close the appeal window before it opened."""
    observed, started, finished = times.get("observed_at"), times.get("started_at"), times.get("finished_at")
    if observed is None or finished is None:
        return None
    if finished < observed or (started is not None and finished < started):
        return f"finished_at: {finished:%Y-%m-%d %H:%M} 早于巡查时间或开始记录的时间, 不予接受"
    if finished - observed > MAX_SPAN:
        return (f"finished_at: {finished:%Y-%m-%d %H:%M} 距巡查时间 {observed:%Y-%m-%d %H:%M} 超过 "
                f"{MAX_SPAN.days} 天, 不予接受")
    return None


def _recomputed_problems(r: dict, version: int, window_type: str, staff: tuple | None, ctx: Context) -> list[str]:
    gender, party = (staff[1], staff[2]) if staff else (None, False)
    items = ctx.items_for(version, gender, party, window_type)
    # As a person made it: every check that applies to this person at this window has a result, and no
    # item that does not apply has one (a party-member item for a non-member).
    given = {code for code, *_ in r["results"]}
    missing = [code for code, item in items.items() if item[3] == "check" and code not in given]
    if missing:
        return [f"results: 缺少 {len(missing)} 个适用检查项的结果 ({', '.join(missing[:3])}"
                + (" 等" if len(missing) > 3 else "") + "), 不是完整的巡查记录"]
    foreign = [code for code in given if code not in items]
    if foreign:
        return [f"results: 检查项不适用于该人员或窗口: {', '.join(sorted(foreign)[:3])}"]
    # Only failed checks and awarded bonuses move a score (a category without failures keeps its full
    # weight either way), so only they are scored: the office's computation, at a fraction of the cost.
    scored = []
    for code, result, *_ in r["results"]:
        item = items.get(code)
        if item is not None and (result == "fail" if item[3] == "check" else result == "pass"):
            scored.append(ScoredItem(code, item[0], item[1], item[2], item[3], result))
    if version not in ctx.weights:
        ctx.weights[version] = category_weights(version)
    day = dt.datetime.fromisoformat(r["observed_at"]).date()
    computed = _figures(scored, ctx.rules.on(day), ctx.weights[version])
    wrong = _differences(r, computed)
    if wrong and any(not _differences(r, _figures(scored, rules, ctx.weights[version]))
                     for rules in ctx.rules.others(day)):
        ctx.regraded[r["uuid"]] = computed
        return []
    return [f"与按检查结果和本中心检查表、设置重算的不符: {', '.join(wrong)}"] if wrong else []


def _figures(scored: list[ScoredItem], rules, weights: dict) -> dict:
    result = score_with_settings(scored, rules, weights)
    return {"score": result.score, "bonus": result.bonus, "deductions": result.deductions,
            "vetoed": result.vetoed, "passed": result.passed, "grade": result.grade}


def _differences(r: dict, computed: dict) -> list[str]:
    wrong = []
    for key, value in computed.items():
        claimed = r[key]
        # Exactly, to the stored precision (two decimals): a claim off by 0.004 is not the office's figure.
        same = abs(claimed - value) < 1e-9 if isinstance(value, float) and not isinstance(value, bool) else claimed == value
        if not same:
            wrong.append(f"{key} 声称 {claimed!r} 应为 {value!r}")
    return wrong
