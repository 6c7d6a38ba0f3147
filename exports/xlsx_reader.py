"""Reading managers' workbooks into plain cells (openpyxl stays in exports/; the rules are in app/)."""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

from app.errors import PatrolError

MAX_ROWS = 20000  # a roster is hundreds of rows; far more is a mistake, reported rather than read


@dataclass(frozen=True)
class Cell:
    value: object  # str, int, float, datetime, bool or None
    formula: bool = False


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell]]  # row 1 first; merged ranges filled with their top-left value


def read_workbook(path: str | Path) -> list[Sheet]:
    """Every sheet's cells; a file that is not a readable .xlsx gets a clear PatrolError."""
    path = Path(path)
    if not path.exists():
        raise PatrolError(f"{path}: 文件不存在")
    try:
        wb = load_workbook(path, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise PatrolError(f"{path.name}: 不是有效的 Excel (.xlsx) 文件 ({exc.__class__.__name__})") from None
    sheets = []
    for ws in wb.worksheets:
        if ws.max_row > MAX_ROWS:
            raise PatrolError(f"{path.name} 表“{ws.title}”: 有 {ws.max_row} 行, 超过上限 {MAX_ROWS} 行, 请删去多余的行")
        fill = {}
        for merged in ws.merged_cells.ranges:
            top_left = ws.cell(merged.min_row, merged.min_col).value
            for r in range(merged.min_row, merged.max_row + 1):
                for c in range(merged.min_col, merged.max_col + 1):
                    fill[(r, c)] = top_left
        rows = []
        for r, row in enumerate(ws.iter_rows(), start=1):
            cells = []
            for c, cell in enumerate(row, start=1):
                value = fill.get((r, c), cell.value)
                cells.append(Cell(value, cell.data_type == "f"))
            rows.append(cells)
        sheets.append(Sheet(ws.title, rows))
    return sheets
