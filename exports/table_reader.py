"""Reading the table files offices really keep into plain cells: .xlsx (Excel, WPS), .xls (old Excel),
.ods (LibreOffice, WPS) and CSV in UTF-8 (with or without BOM), GBK or GB18030.

Every file is bounded before it is read into memory: the file's size, the inflated size of each zip
member (a 10 KB workbook can claim gigabytes), the number of sheets, rows, columns and cells, and
the area of merged ranges, which are checked before they are filled. The rules about what the cells
mean live in app/ (roster_import, checklist_rows); here only cells come out.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from app.errors import PatrolError
from exports.sheet_extent import Extent, ods_extents, xls_extents

MAX_FILE = 50 * 2**20  # a roster of a large centre is well under a megabyte
MAX_MEMBER = 60 * 2**20  # inflated size of one member of an .xlsx / .ods
MAX_RATIO = 200  # inflated / compressed for large members (sheet XML compresses ~10-20x)
MAX_SHEETS = 50
MAX_ROWS = 20000  # a roster is hundreds of rows; far more is a mistake, reported rather than read
MAX_COLUMNS = 200
MAX_CELLS = 400_000  # rows x columns actually read, merged areas included
# The rectangle calamine fills for an .xls or .ods sheet, empty cells included (~60 bytes each): checked
# from the file's structure before the grid is built (exports/sheet_extent.py).
MAX_AREA = 1_000_000
SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".csv")


@dataclass(frozen=True)
class Cell:
    value: object  # str, int, float, datetime, bool or None
    formula: bool = False


@dataclass
class Sheet:
    name: str
    rows: list[list[Cell]]  # row 1 first; merged ranges filled with their top-left value
    hidden: bool = False


class _Budget:
    """Counts cells as they are read; refuses the file at the limit, naming the sheet."""

    def __init__(self, name: str):
        self.name, self.cells = name, 0

    def take(self, sheet: str, count: int) -> None:
        self.cells += count
        if self.cells > MAX_CELLS:
            raise PatrolError(f"{self.name} 表“{sheet}”: 单元格超过 {MAX_CELLS} 个, 请删去多余的行和列后再导入")


def read_table(path: str | Path) -> list[Sheet]:
    """Every sheet's cells (a CSV is one sheet); a file that cannot be read gets one clear PatrolError."""
    path = Path(path)
    name = path.name
    if not path.is_file():
        raise PatrolError(f"{path}: 文件不存在")
    size = path.stat().st_size
    if size > MAX_FILE:
        raise PatrolError(f"{name}: 文件有 {size // 2**20} MB, 超过上限 {MAX_FILE // 2**20} MB")
    with open(path, "rb") as fh:
        head = fh.read(8)
    suffix = path.suffix.lower()
    if head.startswith(b"PK"):
        _check_zip(path)
        if suffix == ".ods" or _is_ods(path):
            return _calamine(path, ods_extents(path), xls=False)
        return _xlsx(path)
    if head.startswith(b"\xd0\xcf\x11\xe0"):  # the old binary Excel format (and WPS's .et saved as .xls)
        return _calamine(path, xls_extents(path), xls=True)
    if suffix in (".xlsx", ".xlsm", ".xls", ".ods"):
        raise PatrolError(f"{name}: 不是有效的 {suffix} 文件 (文件内容与扩展名不符或已损坏)")
    return [_csv(path)]


def _check_zip(path: Path) -> None:
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise PatrolError(f"{path.name}: 文件已损坏, 无法打开 ({exc.__class__.__name__})") from None
    if len(infos) > 2000:
        raise PatrolError(f"{path.name}: 文件结构异常 ({len(infos)} 个成员), 拒绝读取")
    for info in infos:
        if info.file_size > MAX_MEMBER or (info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1)):
            raise PatrolError(f"{path.name}: 成员 {info.filename[:60]} 解压后 {info.file_size} 字节, 超出上限或压缩比异常,"
                              " 拒绝读取")


def _is_ods(path: Path) -> bool:
    with zipfile.ZipFile(path) as zf:
        try:
            return zf.read("mimetype").startswith(b"application/vnd.oasis.opendocument.spreadsheet")
        except KeyError:
            return False


# A whole-number format an office uses for codes: literal text ("GW" or \G\W) around zeros or #s.
_CODE_FORMAT = re.compile(r'^((?:"[^"]*"|\\.)*)([0#]+)((?:"[^"]*"|\\.)*)$')


def _literal(text: str) -> str:
    return re.sub(r'"([^"]*)"|\\(.)', lambda m: m.group(1) if m.group(1) is not None else m.group(2), text)


def _shown(value, number_format: str | None):
    """A number as the office sees it: 1 formatted `0000` is the employee number 0001, 5 formatted
    `"GW"0000` is GW0005."""
    if number_format and isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        code = _CODE_FORMAT.match(number_format.split(";")[0])
        if code and (code.group(1) or code.group(3) or "0" in code.group(2)):
            digits = str(int(value)).zfill(code.group(2).count("0"))
            return _literal(code.group(1)) + digits + _literal(code.group(3))
    return value


def _shown_as(value, shown: str, xls: bool):
    """A whole number of an .xls or .ods as the office sees it. An .xls gives the cell's format
    (read as an .xlsx's); an .ods the text it showed, believed only when it is the number itself with
    zeros or text around it (GW0005 for 5), never another number."""
    value = _plain(value)
    if xls:
        return _shown(value, shown)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        code = re.fullmatch(r"(\D*?)(\d+)(\D*)", shown.strip())
        if code and int(code.group(2)) == int(value) and (code.group(1) or code.group(3) or code.group(2)[0] == "0"):
            return shown.strip()
    return value


def _fill_merged(name: str, sheet: str, rows: list[list[Cell]], ranges: list[tuple[int, int, int, int]],
                 budget: _Budget) -> None:
    """Fill merged ranges (0-based, inclusive) with their top-left value, after checking their area."""
    area = sum((r2 - r1 + 1) * (c2 - c1 + 1) for r1, c1, r2, c2 in ranges)
    if any(r2 >= MAX_ROWS or c2 >= MAX_COLUMNS for _, _, r2, c2 in ranges):
        raise PatrolError(f"{name} 表“{sheet}”: 合并单元格超出 {MAX_ROWS} 行 × {MAX_COLUMNS} 列, 拒绝读取")
    budget.take(sheet, area)
    for r1, c1, r2, c2 in ranges:
        top = rows[r1][c1].value if r1 < len(rows) and c1 < len(rows[r1]) else None
        for r in range(r1, r2 + 1):
            while len(rows) <= r:
                rows.append([])
            row = rows[r]
            while len(row) <= c2:
                row.append(Cell(None))
            for c in range(c1, c2 + 1):
                row[c] = Cell(top)


def _row(sheet: str, cells: list[Cell], budget: _Budget) -> list[Cell]:
    """A row without its empty tail, counted against the file's cell budget."""
    while cells and cells[-1].value is None:
        cells.pop()
    budget.take(sheet, len(cells))
    return cells


def _finish(name: str, sheet: str, rows: list[list[Cell]], merged: list, budget: _Budget) -> list[list[Cell]]:
    """A sheet's rows without empty rows at the end, merged ranges filled (after their area is checked)."""
    while rows and not rows[-1]:
        rows.pop()
    _fill_merged(name, sheet, rows, merged, budget)
    return rows


def _xlsx(path: Path) -> list[Sheet]:
    from xml.etree.ElementTree import ParseError

    from openpyxl import load_workbook
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.utils.exceptions import InvalidFileException

    name = path.name
    budget = _Budget(name)
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError, ParseError, TypeError) as exc:
        raise PatrolError(f"{name}: 不是有效的 Excel (.xlsx) 文件 ({exc.__class__.__name__})") from None
    try:
        if len(wb.worksheets) > MAX_SHEETS:
            raise PatrolError(f"{name}: 有 {len(wb.worksheets)} 个工作表, 超过上限 {MAX_SHEETS}")
        sheets = []
        for ws in wb.worksheets:
            rows: list[list[Cell]] = []
            ws.reset_dimensions()  # the file's own <dimension> may claim a million rows: read what is there
            for r, row in enumerate(ws.iter_rows(), start=1):
                if len(row) > MAX_COLUMNS:
                    raise PatrolError(f"{name} 表“{ws.title}” 第{r}行: 超过 {MAX_COLUMNS} 列, 请删去多余的列")
                if r > MAX_ROWS:
                    raise PatrolError(f"{name} 表“{ws.title}”: 超过 {MAX_ROWS} 行, 请删去多余的行")
                rows.append(_row(ws.title, [Cell(_shown(c.value, getattr(c, "number_format", None)),
                                                  getattr(c, "data_type", "") == "f") for c in row], budget))
            merged = [tuple(v - 1 for v in (b[1], b[0], b[3], b[2]))
                      for b in (range_boundaries(ref) for ref in _merged_refs(path, ws))]
            sheets.append(Sheet(ws.title, _finish(name, ws.title, rows, merged, budget), ws.sheet_state != "visible"))
        return sheets
    except (ParseError, ValueError, KeyError, TypeError, zipfile.BadZipFile, EOFError) as exc:
        raise PatrolError(f"{name}: 文件内容已损坏, 无法读取 ({exc.__class__.__name__})") from None
    finally:
        wb.close()


def _merged_refs(path: Path, ws) -> list[str]:
    """The merged ranges of a sheet, read from its XML (openpyxl's read-only mode does not give them)."""
    from xml.etree.ElementTree import iterparse

    part = getattr(ws, "_worksheet_path", None)
    if not part:
        return []
    refs = []
    with zipfile.ZipFile(path) as zf:
        with zf.open(part.lstrip("/")) as fh:
            for _, element in iterparse(fh):
                if element.tag.endswith("}mergeCell"):
                    refs.append(element.get("ref", ""))
                    if len(refs) > 10000:
                        raise PatrolError(f"{path.name} 表“{ws.title}”: 合并单元格过多, 拒绝读取")
                element.clear()
    return [r for r in refs if r]


def _check_extent(name: str, sheet: str, extent: Extent) -> None:
    """A sheet's reach, from the file's structure, within the bounds before its grid is built."""
    if extent.rows > MAX_ROWS or extent.columns > MAX_COLUMNS or extent.rows * extent.columns > MAX_AREA:
        raise PatrolError(f"{name} 表“{sheet}”: 数据延伸到第 {extent.rows} 行、第 {extent.columns} 列"
                          f" (上限 {MAX_ROWS} 行、{MAX_COLUMNS} 列、共 {MAX_AREA} 格), 请删去远处多余的内容后再导入")
    if extent.values > MAX_CELLS:
        raise PatrolError(f"{name} 表“{sheet}”: 有 {extent.values} 个非空单元格, 超过上限 {MAX_CELLS}")


def _calamine(path: Path, extents: list[Extent], xls: bool) -> list[Sheet]:
    from python_calamine import CalamineWorkbook

    name = path.name
    budget = _Budget(name)
    # calamine reads every sheet's cells when it opens the file: each sheet is measured before that.
    if len(extents) > MAX_SHEETS:
        raise PatrolError(f"{name}: 有 {len(extents)} 个工作表, 超过上限 {MAX_SHEETS}")
    for extent in extents:
        _check_extent(name, extent.name, extent)
    shown_by_sheet = {extent.name: extent.shown for extent in extents}
    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # noqa: BLE001 — calamine's own errors: the file is damaged or not a workbook
        raise PatrolError(f"{name}: 不是有效的表格文件, 无法打开 ({exc.__class__.__name__})") from None
    try:
        every = list(wb.sheets_metadata)
        sheets = []
        for meta in every:
            if "worksheet" not in str(meta.typ).lower():
                continue
            sheet = wb.get_sheet_by_name(meta.name)
            if sheet.total_height > MAX_ROWS or sheet.total_width > MAX_COLUMNS:
                raise PatrolError(f"{name} 表“{meta.name}”: {sheet.total_height} 行 × {sheet.total_width} 列,"
                                  f" 超过上限 {MAX_ROWS} 行 × {MAX_COLUMNS} 列")
            start_row, start_col = sheet.start or (0, 0)
            rows: list[list[Cell]] = [[] for _ in range(start_row)]
            shown = shown_by_sheet.get(meta.name, {})
            for r, values in enumerate(sheet.iter_rows(), start=start_row):
                cells = [Cell(_plain(v) if (r, c) not in shown else _shown_as(v, shown[(r, c)], xls))
                         for c, v in enumerate(values, start=start_col)]
                rows.append(_row(meta.name, [Cell(None)] * start_col + cells, budget))
            merged = [(a[0], a[1], b[0], b[1]) for a, b in sheet.merged_cell_ranges or []]
            sheets.append(Sheet(meta.name, _finish(name, meta.name, rows, merged, budget),
                                not str(meta.visible).endswith(".Visible")))
        return sheets
    except PatrolError:
        raise
    except Exception as exc:  # noqa: BLE001 — damage found while reading
        raise PatrolError(f"{name}: 文件内容已损坏, 无法读取 ({exc.__class__.__name__})") from None
    finally:
        wb.close()


def _plain(value):
    """calamine's values as openpyxl would give them: empty text is an empty cell, dates are datetimes."""
    if value == "":
        return None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return dt.datetime.combine(value, dt.time())
    return value


ENCODINGS = ("utf-8-sig", "gb18030")  # UTF-8 with or without BOM; GB18030 reads GBK and GB2312 too


MAX_CSV_LINE = 64 * 1024  # characters in one physical line; a roster row is a few hundred


def _csv(path: Path) -> Sheet:
    """Read as UTF-8 (with or without BOM), else as GB18030, streamed: a line is bounded before it is
    parsed, and a quoted field left open stops at the csv module's field limit (128 KB), so a one-line or
    unterminated file costs a line's memory, not the file's."""
    for encoding in ENCODINGS:
        try:
            return _csv_read(path, encoding)
        except UnicodeDecodeError:
            continue
    raise PatrolError(f"{path.name}: 无法识别的文字编码 (应为 UTF-8、GBK 或 GB18030)")


def _lines(fh, name: str):
    n = 0
    while line := fh.readline(MAX_CSV_LINE + 1):
        n += 1
        if len(line) > MAX_CSV_LINE:
            raise PatrolError(f"{name} 第{n}行: 超过 {MAX_CSV_LINE} 个字符, 不是花名册的一行")
        yield line


def _csv_read(path: Path, encoding: str) -> Sheet:
    with open(path, encoding=encoding, newline="") as fh:
        first = next(_lines(fh, path.name), "")
        delimiter = "\t" if first.count("\t") > first.count(",") else ","
        fh.seek(0)
        budget = _Budget(path.name)
        rows = []
        try:
            for n, values in enumerate(csv.reader(_lines(fh, path.name), delimiter=delimiter), start=1):
                if n > MAX_ROWS:
                    raise PatrolError(f"{path.name}: 超过 {MAX_ROWS} 行, 请删去多余的行")
                if len(values) > MAX_COLUMNS:
                    raise PatrolError(f"{path.name} 第{n}行: 超过 {MAX_COLUMNS} 列")
                budget.take("CSV", len(values))
                rows.append([Cell(_csv_value(v)) for v in values])
        except csv.Error as exc:
            raise PatrolError(f"{path.name}: CSV 格式有误 ({exc})") from None
    return Sheet(path.stem, rows)


def _csv_value(text: str):
    """A CSV field as text, except a formula guard's leading quote, which is dropped; nothing is a
    formula, and numbers stay as written (0001 stays 0001)."""
    if text.startswith("'") and len(text) > 1 and text[1] in "=+-@":
        return text[1:]
    return text or None
