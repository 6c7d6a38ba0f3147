"""How many lines a cell's text takes when a spreadsheet wraps it, and how wide and tall that prints: the
line model the writers size columns and rows by, and exports.print_fit checks printouts with."""

from __future__ import annotations

import datetime as dt
import unicodedata

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

LINE_HEIGHT = 15  # points a line of 11 pt text takes in a row, CJK fallback fonts included
CELL_PADDING = 1.0  # character units a cell keeps free at its edges
# A CJK character of 11 pt beside Calibri's 7-pixel digit: 14.7 pixels, so a little over two units.
WIDE = 2.1
DEFAULT_WIDTH = 8.43  # Excel's and LibreOffice's width of a column nobody sized


def text_width(value: object) -> float:
    """Display width in Excel character units (the width of a digit): a CJK character is a little over two."""
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    return sum(WIDE if _is_wide(ch) else 1 for ch in str(value))


def _is_wide(ch: str) -> bool:
    return unicodedata.east_asian_width(ch) in "WF"


def wrapped_lines(value: object, width: float) -> int:
    """Lines a wrapped cell's text takes in a column `width` characters wide, as Excel and LibreOffice
    break it: a CJK character may end a line anywhere, a Latin word or number moves whole to the next
    line (split only when longer than a line), a newline always breaks."""
    if value is None or value == "":
        return 1
    room = max(1.0, width - CELL_PADDING)
    lines = 0
    for paragraph in str(value).split("\n"):
        lines += 1
        used = 0.0
        for token in _tokens(paragraph):
            size = text_width(token)
            if token == " ":
                used += 0 if used == 0 else size
                continue
            if used + size > room and used > 0:
                lines += 1
                used = 0.0
            while size > room:  # a word longer than a line is broken inside
                lines += 1
                size -= room
            used += size
    return lines


def _tokens(text: str) -> list[str]:
    """Units a line is broken between: each CJK character, each space, each run of other characters."""
    out: list[str] = []
    word = ""
    for ch in text:
        if _is_wide(ch) or ch == " ":
            if word:
                out.append(word)
                word = ""
            out.append(ch)
        else:
            word += ch
    if word:
        out.append(word)
    return out


def column_width(ws: Worksheet, column: int) -> float:
    """A column's width as printed: its own if set, else the sheet's default (Excel's 8.43)."""
    dim = ws.column_dimensions.get(get_column_letter(column))
    if dim is not None and dim.customWidth and dim.width:
        return dim.width
    return ws.sheet_format.defaultColWidth or DEFAULT_WIDTH


def row_height(lines: int) -> float:
    """Stored height of a row that prints `lines` lines of a wrapped cell."""
    return LINE_HEIGHT * lines + 3
