"""A checklist version as a workbook (one row per item), for managers to review and edit."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from app.patrolling.checklist_rows import COLUMNS, item_row
from app.patrolling.checklists import version_items
from app.storage.models import ChecklistVersion
from exports.cell_lines import text_width
from exports.excel import fit_rows, guarded_append, print_setup
from exports.files import atomic_output


def checklist_workbook(path: str | Path, version: ChecklistVersion) -> int:
    items = version_items(version)
    with atomic_output(path, (".xlsx",)) as tmp:
        wb = Workbook()
        ws = wb.active
        ws.title = "检查项"
        guarded_append(ws, [c.header for c in COLUMNS])
        for item in items:
            guarded_append(ws, item_row(item))
        for cell in ws[1]:
            cell.font, cell.fill = Font(bold=True), PatternFill("solid", fgColor="DDE6F0")
        for n, c in enumerate(COLUMNS, start=1):
            ws.column_dimensions[ws.cell(1, n).column_letter].width = max(c.width, text_width(c.header) + 2)
        fit_rows(ws)
        print_setup(ws, f"{version.checklist.name} 第 {version.version} 版", len(COLUMNS), len(items))
        info = wb.create_sheet("检查表")
        guarded_append(info, ["检查表编号", version.checklist.code])
        guarded_append(info, ["检查表名称", version.checklist.name])
        guarded_append(info, ["导出自版本", version.version])
        guarded_append(info, ["说明", "修改“检查项”表后导入, 内容有变化时成为新版本; 已有巡查记录仍使用原版本。"])
        info.column_dimensions["A"].width = 14
        info.column_dimensions["B"].width = 80
        fit_rows(info, first=1)
        print_setup(info, f"{version.checklist.name} 第 {version.version} 版 说明", 2, 3)
        wb.save(tmp)
    return len(items)
