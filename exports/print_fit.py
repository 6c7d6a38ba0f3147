"""Which cells of a written workbook a printed page cannot show whole.

Read from the file, as a printer would meet it: the column's stored width, the row's stored height,
the cell's wrap flag, its number format and its neighbour. A text that does not wrap may run on into
an empty cell to its right, never into a filled one; a number wider than its column prints ###; a
wrapped text needs as many lines as `cell_lines.wrapped_lines` breaks it into, each `LINE_HEIGHT` high.
Used by the tests (no sheet we write may cut a cell) and by `benchmarks.print_pages`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from exports.cell_lines import CELL_PADDING, DEFAULT_WIDTH, LINE_HEIGHT, column_width, text_width, wrapped_lines


@dataclass(frozen=True)
class CutCell:
    sheet: str
    cell: str
    text: str
    why: str

    def __str__(self) -> str:
        return f"{self.sheet}!{self.cell}: {self.why}: {self.text[:40]}"


def shown_text(value: object, number_format: str) -> str:
    """The text a cell prints, near enough to measure: numbers and dates in their format."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (dt.date, dt.datetime)):  # a reader gives every date cell as a datetime
        if "ss" in number_format:
            return "0000-00-00 00:00:00"
        return "0000-00-00 00:00" if "h" in number_format else "0000-00-00"
    if isinstance(value, (int, float)):
        decimals = number_format.split(".")[1].count("0") if "." in number_format else 0
        if "%" in number_format:
            return f"{value * 100:.{decimals}f}%"
        if number_format in ("General", "@"):
            return f"{value:g}" if isinstance(value, float) else str(value)
        return f"{value:,.{decimals}f}" if "," in number_format else f"{value:.{decimals}f}"
    return "" if value is None else str(value)


def cut_cells(path: str | Path) -> list[CutCell]:
    """Every cell of every sheet whose text a printout would cut, with why."""
    out: list[CutCell] = []
    wb = load_workbook(path)
    for ws in wb.worksheets:
        spans = {}
        for merged in ws.merged_cells.ranges:
            spans[(merged.min_row, merged.min_col)] = (merged.max_row, merged.max_col)
        widths = {c: column_width(ws, c) for c in range(1, ws.max_column + 1)}
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None or cell.value == "" or not hasattr(cell, "column"):
                    continue
                r, c = cell.row, cell.column
                last_row, last_col = spans.get((r, c), (r, c))
                width = sum(widths.get(n, DEFAULT_WIDTH) for n in range(c, last_col + 1))
                text = shown_text(cell.value, cell.number_format or "General")
                where = f"{get_column_letter(c)}{r}"
                if cell.alignment is not None and cell.alignment.wrap_text:
                    lines = wrapped_lines(text, width)
                    height = sum((ws.row_dimensions[n].height or LINE_HEIGHT) for n in range(r, last_row + 1))
                    if height < lines * LINE_HEIGHT:
                        out.append(CutCell(ws.title, where, text, f"换行 {lines} 行, 行高 {height:g} 磅"))
                    continue
                if "\n" in text:
                    out.append(CutCell(ws.title, where, text, "有换行符但未设自动换行"))
                    continue
                if text_width(text) <= width - CELL_PADDING:
                    continue
                if isinstance(cell.value, (int, float, dt.date)):
                    out.append(CutCell(ws.title, where, text, f"数字宽 {text_width(text):g}, 列宽 {width:g} (打印为 ###)"))
                    continue
                if last_col >= ws.max_column:  # the printed range ends with the last column
                    out.append(CutCell(ws.title, where, text, f"文字宽 {text_width(text):g}, 列宽 {width:g}, 超出表格右边"))
                elif ws.cell(r, last_col + 1).value not in (None, ""):
                    out.append(CutCell(ws.title, where, text, f"文字宽 {text_width(text):g}, 列宽 {width:g}, 右侧单元格非空"))
    return out
