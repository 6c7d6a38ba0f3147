"""Assessment schemes as data: what a month, a quarter and a year score is made of, the effects of
conduct and praise, grades and awards. A scheme is a TOML file a manager can edit; it is validated
whole (every problem named, with its section and key) before it is stored as a version.

A version takes effect from the first of a month, so old periods keep the version they were assessed
with: the first version of a scheme holds from the beginning, a later one from next month (or a
later month), never from a month already begun.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

from app import audit
from app.centres import scope
from app.centres.centre import current_centre
from app.centres.settings import Grade, next_month_start
from app.domain import CONDUCT_KINDS, PRAISE_KINDS
from app.errors import PatrolError
from app.roles import require_role
from app.storage.models import SchemeVersion
from app.storage.proxy import db

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "resources" / "schemes"
DEFAULT_CODE = "DEFAULT"
SINCE_ALWAYS = dt.date(2000, 1, 1)
MAX_FILE = 64 * 1024
SUBJECTS = {"staff": "人员", "window": "窗口"}
LEVELS = {"month": "月度", "quarter": "季度", "year": "年度"}
WEIGHTED = {"patrol": "巡查平均分", "rating": "好差评满意率", "vote": "评分 (手工录入)", "months": "各月成绩平均"}
ADJUSTMENTS = {"conduct": "违规扣分", "praise": "表扬加分", "repeats": "重复问题扣分"}
AWARDS = {"red_flag": ("流动红旗", "window"), "star": ("服务标兵 / 微笑之星", "staff"), "annual": ("年度评先评优", "staff")}
COMPONENT_KEYS = {"kind", "name", "weight", "of", "vote", "cap", "floor", "default"}
AWARD_KEYS = {"name", "top", "periods", "period", "min_inspections", "min_score", "full_score"}


@dataclass(frozen=True)
class Component:
    kind: str  # WEIGHTED or ADJUSTMENTS
    name: str
    weight: float = 0.0  # percent of the level's score (weighted kinds)
    of: str = "self"  # patrol of a window subject: "window" (its inspections) or "staff" (its people's)
    vote: str = ""  # the vote's name (kind "vote")
    cap: float | None = None  # at most this value (weighted) or these points (adjustments)
    floor: float | None = None
    default: float | None = None  # a missing value counts as this; None: the subject is not assessed


@dataclass(frozen=True)
class Award:
    key: str
    name: str
    top: int | None = None
    periods: tuple[str, ...] = ("month",)
    min_inspections: int = 0
    min_score: float | None = None
    full_score: bool = False  # every inspection of the period at 100 (服务标兵 in 英德)


@dataclass(frozen=True)
class Scheme:
    code: str
    name: str
    subject: str  # staff / window
    source: str
    levels: dict[str, tuple[Component, ...]]
    grades: tuple[Grade, ...] | None  # None: the centre's grades (settings)
    conduct_points: dict[str, float] = field(default_factory=dict)
    disqualify: frozenset[str] = frozenset()
    probation: frozenset[str] = frozenset()
    praise_points: dict[str, float] = field(default_factory=dict)
    extra_kinds: dict[str, dict[str, str]] = field(default_factory=dict)  # register -> code -> label
    awards: dict[str, Award] = field(default_factory=dict)
    repeat_points: float = 0.0  # each repeated fault (the same item, the same person, within 90 days)
    repeat_probation_at: int = 0  # the Nth fault of the same item opens probation (0: never)
    text: str = ""
    version: int = 0
    effective_from: dt.date = SINCE_ALWAYS

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    def describe(self, level: str) -> str:
        """The method in one line, for the note under a table."""
        parts = []
        for c in self.levels[level]:
            if c.kind in WEIGHTED:
                parts.append(f"{c.name} {c.weight:g}%")
            else:
                sign = "−" if c.kind == "conduct" else "+"
                parts.append(f"{sign}{c.name}" + (f" (至多 {c.cap:g} 分)" if c.cap is not None else ""))
        return f"{self.name} 第{self.version or 1}版: {LEVELS[level]}成绩 = " + " ".join(parts)


def _number(value, where: str, errors: list[str], low: float = 0, high: float = 100) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        errors.append(f"{where}: 须为 {low:g}–{high:g} 之间的数")
        return None
    return float(value)


def parse_scheme(text: str, file: str = "方案") -> Scheme:
    """Read and validate a scheme; raise PatrolError listing every problem."""
    if len(text.encode("utf-8")) > MAX_FILE:
        raise PatrolError(f"{file}: 文件过大 (至多 {MAX_FILE // 1024} KB)")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PatrolError(f"{file}: TOML 格式错误: {exc}") from None
    except (RecursionError, ValueError):  # tables nested thousands deep; a number of thousands of digits
        raise PatrolError(f"{file}: TOML 无法读取: 嵌套过深或数字过长, 不是考核方案") from None
    errors: list[str] = []
    for key in sorted(set(data) - {"scheme", *LEVELS, "grades", "conduct", "praise", "awards", "repeats"}):
        errors.append(f"{file}: 未知部分 [{key}]")
    repeats = data.get("repeats", {}) if isinstance(data.get("repeats", {}), dict) else {}
    for key in sorted(set(repeats) - {"points", "probation_at"}):
        errors.append(f"{file} [repeats]: 未知字段 {key}")
    repeat_points = _number(repeats.get("points", 0), f"{file} [repeats] points", errors) or 0.0
    at = repeats.get("probation_at", 0)
    if isinstance(at, bool) or not isinstance(at, int) or (at and at < 2):
        errors.append(f"{file} [repeats] probation_at: 须为 2 或以上的整数 (同一问题第几次时开启考察期), 或 0")
        at = 0
    head = data.get("scheme") if isinstance(data.get("scheme"), dict) else {}
    if not head:
        errors.append(f"{file}: 缺少 [scheme] (code、name、subject、source)")
    for key in sorted(set(head) - {"code", "name", "subject", "source"}):
        errors.append(f"{file} [scheme]: 未知字段 {key}")
    code = head.get("code", "")
    if not isinstance(code, str) or not re.fullmatch(r"[A-Z][A-Z0-9_]{0,19}", code):
        errors.append(f"{file} [scheme] code: 须为大写字母开头的字母、数字或下划线 (至多 20 个)")
    name = head.get("name", "")
    if not isinstance(name, str) or not name.strip() or len(name) > 60:
        errors.append(f"{file} [scheme] name: 须填写 (至多 60 字)")
    subject = head.get("subject", "")
    if subject not in SUBJECTS:
        errors.append(f"{file} [scheme] subject: 须为 staff (人员) 或 window (窗口)")
    source = head.get("source", "")
    if not isinstance(source, str) or not source.strip():
        errors.append(f"{file} [scheme] source: 须写明依据 (方案文件或标准条款)")

    conduct = data.get("conduct", {}) if isinstance(data.get("conduct", {}), dict) else {}
    praise = data.get("praise", {}) if isinstance(data.get("praise", {}), dict) else {}
    extra: dict[str, dict[str, str]] = {}
    known = {"conduct": dict(CONDUCT_KINDS), "praise": dict(PRAISE_KINDS)}
    for register, section in (("conduct", conduct), ("praise", praise)):
        allowed = {"kinds", "points"} | ({"disqualify", "probation"} if register == "conduct" else set())
        for key in sorted(set(section) - allowed):
            errors.append(f"{file} [{register}]: 未知字段 {key}")
        added = section.get("kinds", {})
        if not isinstance(added, dict):
            errors.append(f"{file} [{register}.kinds]: 须为 类别编码 = \"名称\"")
            added = {}
        for kind, label in added.items():
            if not re.fullmatch(r"[a-z][a-z0-9_]{0,29}", kind) or not isinstance(label, str) or not label.strip():
                errors.append(f"{file} [{register}.kinds] {kind}: 编码须为小写字母、数字或下划线, 名称须填写")
            elif kind in known[register]:
                errors.append(f"{file} [{register}.kinds] {kind}: 已是内置类别")
            else:
                extra.setdefault(register, {})[kind] = label.strip()
        every = set(known[register]) | set(extra.get(register, {}))
        points = section.get("points", {})
        if not isinstance(points, dict):
            errors.append(f"{file} [{register}] points: 须为 类别 = 分值")
            points = {}
        for kind, value in points.items():
            if kind not in every:
                errors.append(f"{file} [{register}] points: 未知类别 {kind}")
            _number(value, f"{file} [{register}] points.{kind}", errors)
        for key in ("disqualify", "probation"):
            listed = section.get(key, []) if register == "conduct" else []
            if not isinstance(listed, list) or any(k not in every for k in listed):
                errors.append(f"{file} [conduct] {key}: 须为已知违规类别的列表 ({', '.join(sorted(every))})")
    conduct_points = {k: float(v) for k, v in conduct.get("points", {}).items()} if not errors else {}
    praise_points = {k: float(v) for k, v in praise.get("points", {}).items()} if not errors else {}

    levels: dict[str, tuple[Component, ...]] = {}
    for level, label in LEVELS.items():
        section = data.get(level)
        if not isinstance(section, dict) or not isinstance(section.get("components"), list) or not section["components"]:
            errors.append(f"{file} [{level}]: 缺少{label}成绩的组成 components = [ … ]")
            continue
        for key in sorted(set(section) - {"components"}):
            errors.append(f"{file} [{level}]: 未知字段 {key}")
        levels[level] = tuple(c for c in (_component(raw, level, n, subject, file, errors)
                                          for n, raw in enumerate(section["components"], 1)) if c is not None)
        # The weights as written, also of a component refused for another reason; a weight that is itself
        # refused is reported once, and the sum (which would leave it out) is not checked at all.
        weights = [raw.get("weight") for raw in section["components"]
                   if isinstance(raw, dict) and "weight" in raw and raw.get("kind") not in ADJUSTMENTS]
        readable = all(isinstance(w, (int, float)) and not isinstance(w, bool) and 0 <= w <= 100 for w in weights)
        if weights and readable and abs(sum(weights) - 100) > 1e-6:
            errors.append(f"{file} [{level}]: 各项权重之和须为 100 (现为 {sum(weights):g})")

    grades = None
    if "grades" in data:
        raw_grades = data["grades"]
        if not isinstance(raw_grades, list) or not raw_grades:
            errors.append(f"{file} [[grades]]: 须为 label、min_score 的列表")
        else:
            grades = []
            for n, g in enumerate(raw_grades, 1):
                if not isinstance(g, dict) or not isinstance(g.get("label"), str) or not g.get("label"):
                    errors.append(f"{file} 第 {n} 个 [[grades]]: 须有 label")
                    continue
                score = _number(g.get("min_score"), f"{file} [[grades]] {g['label']} min_score", errors)
                if score is not None:
                    grades.append(Grade(g["label"], score))
            grades = tuple(sorted(grades, key=lambda g: -g.min_score))

    awards: dict[str, Award] = {}
    raw_awards = data.get("awards", {})
    if not isinstance(raw_awards, dict):
        errors.append(f"{file} [awards]: 须为 [awards.red_flag] / [awards.star] / [awards.annual]")
        raw_awards = {}
    for key, raw in raw_awards.items():
        award = _award(key, raw, subject, file, errors)
        if award is not None:
            awards[key] = award
    if errors:
        raise PatrolError("\n".join(errors))
    return Scheme(code, name.strip(), subject, source.strip(), levels, grades, conduct_points,
                  frozenset(conduct.get("disqualify", [])), frozenset(conduct.get("probation", [])), praise_points,
                  extra, awards, repeat_points, at, text)


def _component(raw, level: str, n: int, subject: str, file: str, errors: list[str]) -> Component | None:
    where = f"{file} [{level}] 第 {n} 项"
    if not isinstance(raw, dict):
        errors.append(f"{where}: 须为 {{ kind = …, weight = … }}")
        return None
    start = len(errors)
    for key in sorted(set(raw) - COMPONENT_KEYS):
        errors.append(f"{where}: 未知字段 {key}")
    kind = raw.get("kind")
    if kind not in WEIGHTED and kind not in ADJUSTMENTS:
        errors.append(f"{where}: kind 须为 {', '.join(list(WEIGHTED) + list(ADJUSTMENTS))}")
        return None
    if kind == "months" and level == "month":
        errors.append(f"{where}: 月度成绩不能由各月成绩组成")
    weight = 0.0
    if kind in WEIGHTED:
        weight = _number(raw.get("weight"), f"{where} ({kind}) weight", errors) or 0.0
    elif "weight" in raw:
        errors.append(f"{where}: {ADJUSTMENTS[kind]}直接加减分数, 不设权重 (可设 cap 上限)")
    of = raw.get("of", "window" if subject == "window" else "self")
    if kind != "patrol" and "of" in raw:
        errors.append(f"{where}: 只有巡查平均分 (patrol) 可设 of")
    elif kind == "patrol" and of not in (("window", "staff") if subject == "window" else ("self",)):
        errors.append(f"{where}: of 须为 " + ("window (窗口的巡查) 或 staff (窗口人员的巡查)" if subject == "window"
                                             else "self (本人的巡查), 或不写"))
    vote = raw.get("vote", "")
    if kind == "vote" and (not isinstance(vote, str) or not vote.strip() or len(vote) > 30):
        errors.append(f"{where}: 评分项须写明 vote = \"评分名称\" (如 值班领导评分)")
    cap = _number(raw["cap"], f"{where} cap", errors) if "cap" in raw else None
    floor = _number(raw["floor"], f"{where} floor", errors) if "floor" in raw else None
    default = _number(raw["default"], f"{where} default", errors) if "default" in raw else None
    name = raw.get("name") or (ADJUSTMENTS.get(kind) or WEIGHTED[kind])
    if not isinstance(name, str) or len(name) > 20:
        errors.append(f"{where}: name 至多 20 字")
    if len(errors) > start:
        return None
    return Component(kind, name, weight, of if kind == "patrol" else "self", vote.strip() if kind == "vote" else "",
                     cap, floor, default)


def _award(key: str, raw, subject: str, file: str, errors: list[str]) -> Award | None:
    where = f"{file} [awards.{key}]"
    if key not in AWARDS:
        errors.append(f"{where}: 未知奖项 (可选: {', '.join(AWARDS)})")
        return None
    if not isinstance(raw, dict):
        errors.append(f"{where}: 须为一个表")
        return None
    if AWARDS[key][1] != subject:
        errors.append(f"{where}: {AWARDS[key][0]}评的是{SUBJECTS[AWARDS[key][1]]}, 本方案考核的是{SUBJECTS.get(subject, '?')}")
        return None
    start = len(errors)
    for extra in sorted(set(raw) - AWARD_KEYS):
        errors.append(f"{where}: 未知字段 {extra}")
    top = raw.get("top")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        errors.append(f"{where} top: 须为正整数")
    if key == "red_flag":
        periods = raw.get("periods", ["month"])
        if not isinstance(periods, list) or not periods or any(p not in LEVELS for p in periods):
            errors.append(f"{where} periods: 须为 month / quarter / year 的列表")
            periods = ["month"]
    else:
        period = raw.get("period", "year" if key == "annual" else "quarter")
        if period not in LEVELS or (key == "annual" and period != "year"):
            errors.append(f"{where} period: 须为 " + ("year" if key == "annual" else "month / quarter / year"))
        periods = [period]
    minimum = raw.get("min_inspections", 0)
    if isinstance(minimum, bool) or not isinstance(minimum, int) or minimum < 0:
        errors.append(f"{where} min_inspections: 须为非负整数")
    score = _number(raw["min_score"], f"{where} min_score", errors) if "min_score" in raw else None
    full = raw.get("full_score", False)
    if not isinstance(full, bool):
        errors.append(f"{where} full_score: 须为 true 或 false")
    if len(errors) > start:
        return None
    return Award(key, str(raw.get("name") or AWARDS[key][0])[:20], top, tuple(periods), minimum, score, full)


def read_file(path: str | Path) -> Scheme:
    path = Path(path)
    try:
        if path.stat().st_size > MAX_FILE:
            raise PatrolError(f"{path.name}: 文件过大 (至多 {MAX_FILE // 1024} KB)")
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise PatrolError(f"{path}: 文件不存在") from None
    except UnicodeDecodeError:
        raise PatrolError(f"{path.name}: 不是 UTF-8 编码的文本文件") from None
    except OSError as exc:
        raise PatrolError(f"无法读取 {path}: {exc.strerror}") from None
    return parse_scheme(text, path.name)


def shipped(name: str = "default.toml") -> Scheme:
    return read_file(SHIPPED_DIR / name)


def _from_row(row: SchemeVersion) -> Scheme:
    scheme = parse_scheme(row.content, f"{row.code} 第{row.version}版")

    return replace(scheme, version=row.version, effective_from=row.effective_from)


def ensure_default(centre_id: int) -> None:
    """Every centre has the seeds' scheme from the beginning (a new centre, and every centre at the
    upgrade that brought schemes), stored, so a later program cannot change an old period."""
    if not SchemeVersion.select().where((SchemeVersion.centre == centre_id) & (SchemeVersion.code == DEFAULT_CODE)).exists():
        text = (SHIPPED_DIR / "default.toml").read_text(encoding="utf-8")
        SchemeVersion.create(centre=centre_id, code=DEFAULT_CODE, name=parse_scheme(text).name, version=1, content=text,
                             content_hash=hashlib.sha256(text.encode("utf-8")).hexdigest(), effective_from=SINCE_ALWAYS,
                             loaded_by="随程序", reason="标准原文的考核规则")


def schemes_on(day: dt.date, centre_id=scope.SOLE) -> list[Scheme]:
    """The schemes of the centre in view in force on a day, one version per code, DEFAULT first."""
    cid = scope.resolve(centre_id)
    if cid is None:
        centre = current_centre(centre_id=centre_id)
        if centre is None:
            return []
        cid = centre.id
    rows = (SchemeVersion.select().where((SchemeVersion.centre == cid) & (SchemeVersion.effective_from <= day))
            .order_by(SchemeVersion.code, SchemeVersion.version.desc()))
    latest: dict[str, SchemeVersion] = {}
    for row in rows:
        latest.setdefault(row.code, row)
    ordered = sorted(latest.values(), key=lambda r: (r.code != DEFAULT_CODE, r.code))
    return [_from_row(r) for r in ordered]


def scheme_for(code: str, day: dt.date, centre_id=scope.SOLE) -> Scheme:
    for scheme in schemes_on(day, centre_id=centre_id):
        if scheme.code == code:
            return scheme
    raise PatrolError(f"{day.isoformat()} 没有生效的考核方案 {code} (可用: "
                      + "、".join(s.code for s in schemes_on(day, centre_id=centre_id)) + ")")


def extra_kinds(register: str, centre_id=scope.SOLE) -> dict[str, str]:
    """Kinds of conduct or praise the schemes in force today add to the built-in ones."""
    out: dict[str, str] = {}
    for scheme in schemes_on(dt.date.today(), centre_id=centre_id):
        out.update(scheme.extra_kinds.get(register, {}))
    return out


def load_scheme(user, scheme: Scheme, reason: str, effective_from: dt.date | None = None,
                centre_id=scope.SOLE) -> tuple[Scheme, bool]:
    """Store a scheme as a new version of its code for the centre in view (audited); (scheme, created).
    The first version holds from the beginning unless told a month; a later one from next month or a
    later month's first day."""
    require_role(user, "manager")
    centre = scope.require_centre(centre_id, "考核方案")
    ensure_default(centre)
    last = (SchemeVersion.select().where((SchemeVersion.centre == centre) & (SchemeVersion.code == scheme.code))
            .order_by(SchemeVersion.version.desc()).first())
    if last is not None and last.content_hash == scheme.content_hash:
        return _from_row(last), False
    reason = audit.require_reason(reason)
    today = dt.date.today()
    if effective_from is None:
        effective_from = next_month_start(today) if last is not None else SINCE_ALWAYS
    elif effective_from.day != 1:
        raise PatrolError("考核方案只能从某月 1 日起执行")
    elif last is not None and effective_from <= today:
        raise PatrolError(f"{effective_from.year}年{effective_from.month}月已开始, 已按现行方案考核; "
                          "新版本最早从下月起执行 (先用“对比”看看它会改变什么)")
    if last is not None and effective_from < last.effective_from:
        raise PatrolError(f"第{last.version}版从{last.effective_from.isoformat()}起执行, 新版本不能早于它")
    with db.atomic():
        row = SchemeVersion.create(centre=centre, code=scheme.code, name=scheme.name,
                                   version=(last.version + 1) if last else 1, content=scheme.text,
                                   content_hash=scheme.content_hash, effective_from=effective_from,
                                   loaded_by=user.username, reason=reason)
        audit.record(user, "scheme.version", f"scheme:{scheme.code}",
                     old={"version": last.version} if last else None,
                     new={"version": row.version, "name": scheme.name, "effective_from": effective_from.isoformat(),
                          "hash": scheme.content_hash[:12]}, reason=reason)
    return _from_row(row), True


def versions(centre_id=scope.SOLE) -> list[SchemeVersion]:
    """Every stored version of a centre's schemes, by code and version."""
    cid = scope.require_centre(centre_id, "考核方案")
    return list(SchemeVersion.select().where(SchemeVersion.centre == cid)
                .order_by(SchemeVersion.code, SchemeVersion.version))
