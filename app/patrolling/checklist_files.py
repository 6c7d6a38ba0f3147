"""A checklist as defined in files (ItemDef, CategoryDef, ChecklistDef), and reading one category file (TOML): every key, value and citation checked, each problem
collected with its file and item, so a person sees all of them at once."""

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import asdict, dataclass, field
from pathlib import Path

from app.domain import ITEM_KINDS, SEVERITIES, WINDOW_TYPES
from app.errors import ChecklistError

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


MAX_TOML = 1024 * 1024  # a checklist of 200 items is about 60 KB


def read_toml(path: Path) -> dict:
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_TOML + 1)
        if len(data) > MAX_TOML:
            raise ChecklistError(f"{path.name}: 文件过大 (至多 {MAX_TOML // 1024} KB)")
        return tomllib.loads(data.decode("utf-8"))
    except FileNotFoundError:
        raise ChecklistError(f"{path}: 文件不存在") from None
    except tomllib.TOMLDecodeError as exc:
        raise ChecklistError(f"{path.name}: TOML 格式错误: {exc}") from None
    except UnicodeDecodeError:
        raise ChecklistError(f"{path.name}: 不是 UTF-8 编码的文本文件") from None
    except (RecursionError, ValueError):  # tables nested thousands deep; a number of thousands of digits
        raise ChecklistError(f"{path.name}: TOML 无法读取: 嵌套过深或数字过长") from None


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
        data = read_toml(path)
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
