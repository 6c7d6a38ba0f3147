"""Checklist items as spreadsheet rows, both ways, with errors naming sheet, row and column.

Works on plain cells (exports.table_reader); the shipped sources.toml names the documents items cite.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.domain import SEVERITIES, WINDOW_TYPES
from app.errors import ChecklistError
from app.patrolling.checklists import SHIPPED_DIR, SOURCES_FILE, CategoryDef, ChecklistDef, ItemDef, load_sources
from app.people.roster_import import clean, column_letter, header_key

MAX_ERRORS = 20


@dataclass(frozen=True)
class Col:
    header: str
    width: float


COLUMNS = (
    Col("分类编号", 10), Col("分类名称", 14), Col("分类权重", 9), Col("编号", 11), Col("检查内容", 60), Col("来源", 7),
    Col("条款", 28), Col("扣分", 7), Col("严重程度", 10), Col("类型", 8), Col("适用性别", 9), Col("仅党员", 7),
    Col("适用窗口类型", 22), Col("取消评先", 9),
)
SEVERITY_LABELS = {v: k for k, v in SEVERITIES.items()} | {k: k for k in SEVERITIES}
KIND_LABELS = {"检查项": "check", "加分项": "bonus", "check": "check", "bonus": "bonus"}
GENDER_LABELS = {"不限": "any", "": "any", "男": "M", "女": "F"}
YES_NO = {"是": True, "否": False, "": False}


def item_row(item) -> list:
    """An Item (or ItemDef with category) as a row in COLUMNS order."""
    cat = item.category
    types = item.window_types.split(",") if isinstance(item.window_types, str) else list(item.window_types)
    return [cat.code, cat.name, cat.weight, item.code, item.text, item.source, item.clause, item.deduction,
            SEVERITIES[item.severity], "加分项" if item.kind == "bonus" else "检查项",
            {"any": "不限", "M": "男", "F": "女"}[item.gender], "是" if item.party_only else "否",
            "、".join(t for t in types if t), "是" if item.disqualifies_award else "否"]


def rows_to_checklist(file: str, sheets) -> ChecklistDef:
    """Read the 检查项 and 检查表 sheets into a validated checklist definition."""
    by_name = {s.name: s for s in sheets}
    items_sheet = by_name.get("检查项")
    info = by_name.get("检查表")
    if items_sheet is None or info is None:
        raise ChecklistError(f"{file}: 须有“检查项”和“检查表”两个工作表 (请从导出的工作簿修改)")
    meta = {clean(r[0].value): clean(r[1].value) for r in info.rows if len(r) >= 2}
    code, name = meta.get("检查表编号", ""), meta.get("检查表名称", "")
    errors: list[str] = []
    if not code or not name:
        errors.append(f"{file} 表“检查表”: 须填写 检查表编号 和 检查表名称")
    header = [header_key(c.value) for c in (items_sheet.rows[0] if items_sheet.rows else [])]
    columns = {}
    for col in COLUMNS:
        if header_key(col.header) in header:
            columns[col.header] = header.index(header_key(col.header))
        else:
            errors.append(f"{file} 表“检查项” 第1行: 缺少列“{col.header}”")
    if errors:
        raise ChecklistError("\n".join(errors))
    sources = load_sources(SHIPPED_DIR / SOURCES_FILE)
    categories: dict[str, dict] = {}
    seen: dict[str, int] = {}
    for r, row in enumerate(items_sheet.rows[1:], start=2):
        def cell(header: str):
            c = columns[header]
            value = row[c] if c < len(row) else None
            where = f"{file} 表“检查项” 第{r}行 {column_letter(c + 1)}列({header})"
            if value is not None and value.formula:
                errors.append(f"{where}: 是公式, 应填写内容")
                return None, where
            return (value.value if value is not None else None), where

        before = len(errors)
        raw = {h: cell(h) for h in columns}
        formula_cells = before != len(errors)
        if all(v in (None, "") for v, _ in raw.values()):
            continue
        text = {h: clean(v) for h, (v, _) in raw.items()}
        where = {h: w for h, (_, w) in raw.items()}
        start = len(errors)
        if formula_cells:
            continue
        for h in ("分类编号", "分类名称", "编号", "检查内容", "条款"):
            if not text[h]:
                errors.append(f"{where[h]}: 不能为空")
        if text["来源"] not in sources:
            errors.append(f"{where['来源']}: 来源“{text['来源']}”不在 {SOURCES_FILE} 中 (可选: {', '.join(sources)})")
        deduction = raw["扣分"][0]
        if isinstance(deduction, str):
            try:
                deduction = float(clean(deduction))
            except ValueError:
                deduction = None
        if not isinstance(deduction, (int, float)) or isinstance(deduction, bool):
            errors.append(f"{where['扣分']}: 须为数字")
        elif deduction < 0:
            errors.append(f"{where['扣分']}: 不能为负数 ({deduction:g})")
        weight_raw = raw["分类权重"][0]
        weight = None if weight_raw in (None, "") else weight_raw
        if weight is not None and (not isinstance(weight, (int, float)) or weight < 0):
            errors.append(f"{where['分类权重']}: 须为非负数或留空")
        severity = SEVERITY_LABELS.get(text["严重程度"])
        if severity is None:
            errors.append(f"{where['严重程度']}: “{text['严重程度']}”应为 {'、'.join(SEVERITIES.values())}")
        kind = KIND_LABELS.get(text["类型"])
        if kind is None:
            errors.append(f"{where['类型']}: 应为 检查项 或 加分项")
        gender = GENDER_LABELS.get(text["适用性别"])
        if gender is None:
            errors.append(f"{where['适用性别']}: 应为 不限、男 或 女")
        flags = {}
        for h in ("仅党员", "取消评先"):
            flags[h] = YES_NO.get(text[h])
            if flags[h] is None:
                errors.append(f"{where[h]}: 应为 是 或 否")
        types = tuple(t for t in text["适用窗口类型"].replace(",", "、").replace(",", "、").split("、") if t)
        bad = [t for t in types if t not in WINDOW_TYPES]
        if bad:
            errors.append(f"{where['适用窗口类型']}: “{'、'.join(bad)}”不是窗口类型")
        if text["编号"] in seen:
            errors.append(f"{where['编号']}: 编号 {text['编号']} 与第{seen[text['编号']]}行重复")
        seen.setdefault(text["编号"], r)
        if len(errors) > start:
            continue
        cat = categories.setdefault(text["分类编号"], {"name": text["分类名称"], "weight": weight, "order": len(categories) + 1,
                                                     "items": []})
        cat["items"].append(ItemDef(text["编号"], text["检查内容"], text["来源"], text["条款"], float(deduction), severity,
                                    kind, gender, flags["仅党员"], types, flags["取消评先"]))
    if not errors and not categories:
        errors.append(f"{file} 表“检查项”: 没有任何检查项")
    if errors:
        more = f"\n另有 {len(errors) - MAX_ERRORS} 处问题" if len(errors) > MAX_ERRORS else ""
        raise ChecklistError("\n".join(errors[:MAX_ERRORS]) + more)
    definition = ChecklistDef(code, name, [
        CategoryDef(c, v["name"], v["order"], float(v["weight"]) if v["weight"] is not None else None, file, tuple(v["items"]))
        for c, v in categories.items()])
    weights = [c.weight for c in definition.categories if not all(i.kind == "bonus" for i in c.items)]
    if any(w is not None for w in weights) and (None in weights or abs(sum(weights) - 100) > 1e-6):
        raise ChecklistError(f"{file} 表“检查项”: 设置分类权重时, 每个扣分分类都须有权重且总和为 100")
    return definition
