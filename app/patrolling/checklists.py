"""Checklist definitions: load TOML files, validate them whole, register content changes as versions.

Files live under checklists/: `sources.toml` names the source documents, every other `*.toml` is one
category of a checklist. Items cite a source document and a clause.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from app import audit
from app.errors import ChecklistError
from app.patrolling.checklist_files import (
    SOURCES_FILE,
    CategoryDef,
    ChecklistDef,
    ItemDef,
    parse_category_file,
    read_toml,
)
from app.roles import require_role
from app.storage.db import on_open
from app.storage.models import Category, Checklist, ChecklistVersion, Item
from app.storage.proxy import db

SHIPPED_DIR = Path(__file__).resolve().parents[2] / "checklists"

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
    data = read_toml(path)
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


def store(definitions: Iterable[ChecklistDef], source: str = "", user=None, reason: str = "", *,
          owner=None, base_version: ChecklistVersion | None = None) -> list[tuple[ChecklistVersion, bool]]:
    """Store each checklist whose content changed as a new version; return (version, created).
    With a user (every load after set-up) only a manager may, a new version needs a reason, and it is
    audited (the whole load is rolled back if the reason is missing). Without an owner the checklists
    are the district's, which only a district account may change; with an owner (a Centre) they are that
    centre's own, built on `base_version`. Loading a district version goes through
    app.patrolling.checklist_versions.register, which rebuilds the centres' extensions of it."""
    if user is not None:
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
                new = {"version": version.version, "items": len(definition.items), "hash": digest[:12], "file": source}
                if base_version is not None:
                    new["base"] = f"{base_version.checklist.code} 第{base_version.version}版"
                audit.record(user, "checklist.version", f"checklist:{definition.code}",
                             old={"version": last.version} if last else None, new=new,
                             reason=audit.require_reason(reason))
            out.append((version, True))
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
