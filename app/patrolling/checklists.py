"""Checklist definitions: load TOML files, validate them whole, register content changes as versions.

Files live under checklists/: `sources.toml` names the source documents, every other `*.toml` is one
category of a checklist. Items cite a source document and a clause.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.storage.db import db, on_open
from app.domain import ITEM_KINDS, SEVERITIES, WINDOW_TYPES
from app.errors import ChecklistError
from app.storage.models import Category, Checklist, ChecklistVersion, Item

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "checklists"
SOURCES_FILE = "sources.toml"

GENDER_VALUES = {"any": "any", "male": "M", "female": "F"}
ITEM_KEYS = {
    "code", "text", "source", "clause", "deduction", "severity", "kind", "gender",
    "party_only", "window_types", "disqualifies_award",
}
CATEGORY_KEYS = {"code", "name", "order", "weight"}
FILE_KEYS = {"checklist", "checklist_name", "category", "items"}


@dataclass(frozen=True)
class ItemDef:
    code: str
    text: str
    source: str
    clause: str
    deduction: float
    severity: str = "normal"
    kind: str = "check"
    gender: str = "any"  # any / M / F
    party_only: bool = False
    window_types: tuple[str, ...] = ()
    disqualifies_award: bool = False


@dataclass(frozen=True)
class CategoryDef:
    code: str
    name: str
    order: int
    weight: float | None
    source_file: str
    items: tuple[ItemDef, ...]


@dataclass
class ChecklistDef:
    code: str
    name: str
    categories: list[CategoryDef] = field(default_factory=list)
    base: str = ""  # a centre's own checklist: the district checklist it extends (not part of the hash)

    def content_hash(self) -> str:
        """A hash of the content only (not file names), so a moved file is not a new version."""
        cats = sorted(self.categories, key=lambda c: (c.order, c.code))
        payload = {
            "code": self.code,
            "name": self.name,
            # The order of categories counts, not their order numbers (a file may say 9, a sheet 8).
            "categories": [
                {k: v for k, v in asdict(c).items() if k not in ("source_file", "order")} for c in cats
            ],
        }
        raw = json.dumps(payload, ensure_ascii=False, sort_keys=True, default=list)
        return hashlib.sha256(raw.encode("utf-8")).hexdigest()

    @property
    def items(self) -> list[ItemDef]:
        return [i for c in self.categories for i in c.items]


def applies(item, gender: str | None, party_member: bool, window_type: str | None) -> bool:
    """Whether an item (ItemDef or Item row) applies to this person at this window."""
    if item.gender != "any" and gender is not None and item.gender != gender:
        return False
    if item.party_only and not party_member:
        return False
    types = item.window_types
    if isinstance(types, str):
        types = tuple(t for t in types.split(",") if t)
    return not types or window_type is None or window_type in types


def load_sources(path: Path) -> dict[str, dict]:
    """The source documents an item may cite, keyed by id."""
    data = _read_toml(path)
    sources = data.get("sources")
    if not isinstance(sources, dict) or not sources:
        raise ChecklistError(f"{path.name}: 缺少 [sources.<编号>] 来源文件表")
    for sid, entry in sources.items():
        if not isinstance(entry, dict) or not entry.get("title"):
            raise ChecklistError(f"{path.name}: 来源 {sid} 缺少 title")
        if not entry.get("short"):
            raise ChecklistError(f"{path.name}: 来源 {sid} 缺少 short (报表中引用时的简称)")
    return sources


@functools.lru_cache(maxsize=1)
def _shipped_sources() -> dict[str, dict]:
    return load_sources(SHIPPED_DIR / SOURCES_FILE)


# Clauses may point at other documents by id: "10.2; 另见 000 三(二)2(4)、002 三4.1".
_CROSS_REFERENCE = re.compile(r"(?:(?<=另见 )|(?<=、))(\d{3}) ")


def cite(source: str, clause: str) -> str:
    """How a report cites an item's clause: short names for the source and any document the clause
    points to ("DB34/T 3395-2019 A.2; 另见 服务礼仪规范 一(二)1")."""
    known = _shipped_sources()
    clause = _CROSS_REFERENCE.sub(lambda m: f"{known[m[1]]['short']} " if m[1] in known else m[0], clause)
    return f"{known[source]['short'] if source in known else source} {clause}".strip()


def cited_sources(source: str, clause: str) -> tuple[str, ...]:
    """The ids of the item's source and of the documents its clause points to."""
    return tuple(dict.fromkeys([source, *_CROSS_REFERENCE.findall(clause)]))


def source_titles(sources) -> list[str]:
    """'short: full title' for each cited source id, in id order, for a report's list of documents."""
    known = _shipped_sources()
    return [f"{known[s]['short']}: {known[s]['title']}" for s in sorted(set(sources)) if s in known]


def _read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ChecklistError(f"{path}: 文件不存在") from None
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistError(f"{path.name}: TOML 格式错误: {exc}") from None
    except UnicodeDecodeError:
        raise ChecklistError(f"{path.name}: 不是 UTF-8 编码的文本文件") from None


def _item_from_table(raw: dict, where: str, sources: dict, errors: list[str]) -> ItemDef | None:
    code = raw.get("code")
    label = f"{where}: 检查项 {code!s}" if code else f"{where}: 未编号的检查项"
    problems: list[str] = []
    if not isinstance(code, str) or not code.strip():
        problems.append("缺少编号 code")
    unknown = sorted(set(raw) - ITEM_KEYS)
    if unknown:
        problems.append(f"未知字段 {', '.join(unknown)}")
    text = raw.get("text")
    if not isinstance(text, str) or not text.strip():
        problems.append("缺少条目内容 text")
    source = raw.get("source")
    if not isinstance(source, str) or not source.strip():
        problems.append("缺少来源文件 source")
    elif source not in sources:
        problems.append(f"来源 {source} 不在 {SOURCES_FILE} 中")
    clause = raw.get("clause")
    if not isinstance(clause, str) or not clause.strip():
        problems.append("缺少条款 clause")
    deduction = raw.get("deduction")
    if isinstance(deduction, bool) or not isinstance(deduction, (int, float)):
        problems.append("缺少扣分 deduction 或不是数字")
    elif deduction < 0:
        problems.append(f"扣分不能为负数 ({deduction})")
    severity = raw.get("severity", "normal")
    if severity not in SEVERITIES:
        problems.append(f"未知的严重程度 severity = {severity!r} (可选: {', '.join(SEVERITIES)})")
    kind = raw.get("kind", "check")
    if kind not in ITEM_KINDS:
        problems.append(f"未知的类型 kind = {kind!r} (可选: {', '.join(ITEM_KINDS)})")
    elif kind == "bonus" and severity != "normal":
        problems.append("加分项不能设置严重程度")
    gender = raw.get("gender", "any")
    if gender not in GENDER_VALUES:
        problems.append(f"未知的性别适用 gender = {gender!r} (可选: {', '.join(GENDER_VALUES)})")
    party_only = raw.get("party_only", False)
    if not isinstance(party_only, bool):
        problems.append("party_only 须为 true 或 false")
    award = raw.get("disqualifies_award", False)
    if not isinstance(award, bool):
        problems.append("disqualifies_award 须为 true 或 false")
    window_types = raw.get("window_types", [])
    if not isinstance(window_types, list) or any(t not in WINDOW_TYPES for t in window_types):
        problems.append(f"window_types 须为以下窗口类型的列表: {', '.join(WINDOW_TYPES)}")
    if problems:
        errors.extend(f"{label}: {p}" for p in problems)
        return None
    return ItemDef(
        code=code.strip(),
        text=text.strip(),
        source=source,
        clause=clause.strip(),
        deduction=float(deduction),
        severity=severity,
        kind=kind,
        gender=GENDER_VALUES[gender],
        party_only=party_only,
        window_types=tuple(window_types),
        disqualifies_award=award,
    )


def parse_category_file(path: Path, sources: dict, errors: list[str]) -> tuple[str, str, CategoryDef] | None:
    """Parse one category file; problems are appended to `errors` (all of them, not just the first)."""
    try:
        data = _read_toml(path)
    except ChecklistError as exc:
        errors.append(str(exc))
        return None
    where = path.name
    start = len(errors)
    unknown = sorted(set(data) - FILE_KEYS)
    if unknown:
        errors.append(f"{where}: 未知字段 {', '.join(unknown)}")
    checklist = data.get("checklist")
    checklist_name = data.get("checklist_name")
    if not isinstance(checklist, str) or not checklist:
        errors.append(f"{where}: 缺少检查表编号 checklist")
    if not isinstance(checklist_name, str) or not checklist_name:
        errors.append(f"{where}: 缺少检查表名称 checklist_name")
    cat = data.get("category")
    if not isinstance(cat, dict):
        errors.append(f"{where}: 缺少 [category] 分类定义")
        cat = {}
    for key in sorted(set(cat) - CATEGORY_KEYS):
        errors.append(f"{where}: [category] 未知字段 {key}")
    if not isinstance(cat.get("code"), str) or not cat.get("name"):
        errors.append(f"{where}: [category] 须有 code 和 name")
    weight = cat.get("weight")
    if weight is not None and (not isinstance(weight, (int, float)) or weight < 0):
        errors.append(f"{where}: [category] weight 须为非负数")
    raw_items = data.get("items")
    if not isinstance(raw_items, list) or not raw_items:
        errors.append(f"{where}: 没有任何检查项 [[items]]")
        raw_items = []
    items: list[ItemDef] = []
    seen: set[str] = set()
    for raw in raw_items:
        item = _item_from_table(raw, where, sources, errors)
        if item is None:
            continue
        if item.code in seen:
            errors.append(f"{where}: 检查项 {item.code}: 编号重复")
        seen.add(item.code)
        items.append(item)
    if len(errors) > start:
        return None
    category = CategoryDef(
        code=cat["code"],
        name=cat["name"],
        order=int(cat.get("order", 0)),
        weight=float(weight) if weight is not None else None,
        source_file=path.name,
        items=tuple(items),
    )
    return checklist, checklist_name, category


def load_files(paths: Sequence[Path], sources_path: Path | None = None) -> list[ChecklistDef]:
    """Load and validate category files; raise ChecklistError listing every problem found."""
    paths = [Path(p) for p in paths]
    errors: list[str] = []
    if sources_path is None:
        local = [p.parent / SOURCES_FILE for p in paths if (p.parent / SOURCES_FILE).exists()]
        sources_path = local[0] if local else SHIPPED_DIR / SOURCES_FILE
    sources = load_sources(sources_path)
    checklists: dict[str, ChecklistDef] = {}
    item_origin: dict[tuple[str, str], str] = {}
    for path in paths:
        if path.name == SOURCES_FILE:
            continue
        parsed = parse_category_file(path, sources, errors)
        if parsed is None:
            continue
        code, name, category = parsed
        cl = checklists.setdefault(code, ChecklistDef(code, name))
        if cl.name != name:
            errors.append(f"{path.name}: 检查表 {code} 的名称“{name}”与其他文件中的“{cl.name}”不一致")
        if any(c.code == category.code for c in cl.categories):
            errors.append(f"{path.name}: 分类 {category.code} 在检查表 {code} 中重复")
        for item in category.items:
            key = (code, item.code)
            if key in item_origin:
                errors.append(f"{path.name}: 检查项 {item.code}: 编号与 {item_origin[key]} 中的重复")
            else:
                item_origin[key] = path.name
        cl.categories.append(category)
    for cl in checklists.values():
        weights = [c.weight for c in cl.categories if not all(i.kind == "bonus" for i in c.items)]
        if any(w is not None for w in weights) and (
            None in weights or abs(sum(weights) - 100) > 1e-6
        ):
            errors.append(f"检查表 {cl.code}: 设置分类权重时, 每个扣分分类都须有权重且总和为 100")
    if errors:
        raise ChecklistError("\n".join(errors))
    return list(checklists.values())


def load_directory(directory: Path = SHIPPED_DIR) -> list[ChecklistDef]:
    """Load every category file of a folder (the shipped checklists by default)."""
    directory = Path(directory)
    files = sorted(p for p in directory.glob("*.toml") if p.name != SOURCES_FILE)
    if not files:
        raise ChecklistError(f"{directory}: 没有检查表文件 (*.toml)")
    return load_files(files, directory / SOURCES_FILE)


def new_content(definitions: Iterable[ChecklistDef]) -> list[str]:
    """Codes of the checklists whose content is not stored yet (loading them makes new versions)."""
    known = {h for (h,) in ChecklistVersion.select(ChecklistVersion.content_hash).tuples()}
    return [d.code for d in definitions if d.content_hash() not in known]


def register(definitions: Iterable[ChecklistDef], source: str = "", user=None, reason: str = "", *,
             owner=None, base_version: ChecklistVersion | None = None) -> list[tuple[ChecklistVersion, bool]]:
    """Store each checklist whose content changed as a new version; return (version, created).
    With a user (every load after set-up) only a manager may, a new version needs a reason, and it is
    audited (the whole load is rolled back if the reason is missing). Without an owner the checklists
    are the district's, which only a district account may change; a new version of one rebuilds every
    centre's extension of it in the same transaction. With an owner (a Centre) they are that centre's
    own, built on `base_version` (app.patrolling.centre_checklists)."""
    if user is not None:
        from app.people.accounts import require_role

        require_role(user, "manager")
        if owner is None and user.centre_id is not None:
            raise ChecklistError("区级检查表只能由全区管理员载入; 本中心可在区级检查表上增加检查项 (扩展)")
    owner_id = owner.id if owner is not None else None
    out = []
    with db.atomic():
        for definition in definitions:
            checklist, _ = Checklist.get_or_create(code=definition.code, defaults={
                "name": definition.name, "centre": owner_id, "base": definition.base})
            if checklist.centre_id != owner_id:
                whose = "区级检查表" if checklist.centre_id is None else "另一中心的检查表"
                raise ChecklistError(f"检查表编号 {definition.code} 已是{whose}的编号")
            if checklist.name != definition.name:
                checklist.name = definition.name
                checklist.save()
            digest = definition.content_hash()
            existing = ChecklistVersion.get_or_none(
                (ChecklistVersion.checklist == checklist) & (ChecklistVersion.content_hash == digest)
            )
            if existing is not None:
                out.append((existing, False))
                continue
            last = latest_version(definition.code)
            version = ChecklistVersion.create(
                checklist=checklist,
                version=(last.version + 1) if last else 1,
                content_hash=digest,
                source=source,
                base_version=base_version,
            )
            _store_content(version, definition)
            if user is not None:
                from app import audit

                new = {"version": version.version, "items": len(definition.items), "hash": digest[:12], "file": source}
                if base_version is not None:
                    new["base"] = f"{base_version.checklist.code} 第{base_version.version}版"
                audit.record(user, "checklist.version", f"checklist:{definition.code}",
                             old={"version": last.version} if last else None, new=new,
                             reason=audit.require_reason(reason))
            out.append((version, True))
            if owner is None:
                from app.patrolling.centre_checklists import rebuild_extensions

                out += rebuild_extensions(version, user, reason)
    return out


def _store_content(version: ChecklistVersion, definition: ChecklistDef) -> None:
    order = 0
    for cat in sorted(definition.categories, key=lambda c: (c.order, c.code)):
        category = Category.create(
            version=version, code=cat.code, name=cat.name, weight=cat.weight,
            sort_order=cat.order, source_file=cat.source_file,
        )
        rows = []
        for item in cat.items:
            order += 1
            rows.append({
                "version": version.id, "category": category.id, "code": item.code,
                "text": item.text, "source": item.source, "clause": item.clause,
                "deduction": item.deduction, "severity": item.severity, "kind": item.kind,
                "gender": item.gender, "party_only": item.party_only,
                "window_types": ",".join(item.window_types),
                "disqualifies_award": item.disqualifies_award, "sort_order": order,
            })
        Item.insert_many(rows).execute()


def definition_of(version: ChecklistVersion) -> ChecklistDef:
    """A stored checklist version as the definition it was loaded from (same content hash)."""
    categories = []
    for cat in Category.select().where(Category.version == version).order_by(Category.sort_order, Category.code):
        items = tuple(
            ItemDef(i.code, i.text, i.source, i.clause, i.deduction, i.severity, i.kind, i.gender, bool(i.party_only),
                    tuple(t for t in i.window_types.split(",") if t), bool(i.disqualifies_award))
            for i in Item.select().where(Item.category == cat).order_by(Item.sort_order))
        categories.append(CategoryDef(cat.code, cat.name, cat.sort_order, cat.weight, cat.source_file, items))
    return ChecklistDef(version.checklist.code, version.checklist.name, categories, base=version.checklist.base)


def latest_version(checklist_code: str) -> ChecklistVersion | None:
    return (
        ChecklistVersion.select()
        .join(Checklist)
        .where(Checklist.code == checklist_code)
        .order_by(ChecklistVersion.version.desc())
        .first()
    )


def ensure_shipped() -> list[tuple[ChecklistVersion, bool]]:
    """Register the shipped checklists (a new version only if their content changed)."""
    return register(load_directory(SHIPPED_DIR), source="checklists/")


# A stored version never changes, so its items are read once per open database.
_version_items: dict[int, list[Item]] = {}
on_open(_version_items.clear)


def version_items(version: ChecklistVersion | int) -> list[Item]:
    """Items of a version in checklist order, with their categories loaded (do not modify them)."""
    version_id = version if isinstance(version, int) else version.id
    if version_id not in _version_items:
        _version_items[version_id] = list(
            Item.select(Item, Category)
            .join(Category)
            .where(Item.version == version_id)
            .order_by(Category.sort_order, Item.sort_order)
        )
    return _version_items[version_id]


def category_weights(version: ChecklistVersion | int) -> dict[str, float]:
    """Category code -> weight for a weighted checklist version; empty for the plain model."""
    version_id = version if isinstance(version, int) else version.id
    weights = {}
    for item in version_items(version_id):
        if item.category.weight is not None:
            weights[item.category.code] = item.category.weight
    return weights


@dataclass(frozen=True)
class ItemChange:
    code: str
    change: str  # added / removed / changed / same
    old: Item | None
    new: Item | None


def compare_versions(old: ChecklistVersion | int, new: ChecklistVersion | int) -> list[ItemChange]:
    """Items of two versions side by side, by code, in the newer version's order."""
    before = {i.code: i for i in version_items(old if isinstance(old, int) else old.id)}
    after = {i.code: i for i in version_items(new if isinstance(new, int) else new.id)}

    def same(a: Item, b: Item) -> bool:
        keys = ("text", "source", "clause", "deduction", "severity", "kind", "gender", "party_only",
                "window_types", "disqualifies_award")
        return all(getattr(a, k) == getattr(b, k) for k in keys) and a.category.code == b.category.code

    rows = []
    for code, item in after.items():
        old_item = before.get(code)
        change = "added" if old_item is None else ("same" if same(old_item, item) else "changed")
        rows.append(ItemChange(code, change, old_item, item))
    rows += [ItemChange(code, "removed", item, None) for code, item in before.items() if code not in after]
    return rows
