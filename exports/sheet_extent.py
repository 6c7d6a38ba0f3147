"""How far each sheet of an .xls or .ods file reaches, read from the file's own structure before a reader
builds its grid. calamine allocates every cell of the rectangle from the first value to the last (about
60 bytes each), so a 6 KB .xls with one value at IV65536, or a 1 KB .ods with one row repeated a million
times, would take gigabytes before any bound on rows or cells could be checked. Here the .xls records
and the .ods XML are walked as a stream, nothing kept but counters."""

from __future__ import annotations

import mmap
import struct
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.parsers import expat

from app.errors import PatrolError


@dataclass
class Extent:
    """One sheet, in the file's order: the rectangle its values span, and how many values it holds."""

    name: str = ""
    rows: int = 0  # the last row holding a value (1-based): the grid's height from row 1
    columns: int = 0  # likewise the last column
    values: int = 0  # cells holding a value, repeats counted

    def take(self, row: int, column: int, count: int = 1) -> None:
        self.rows, self.columns = max(self.rows, row + 1), max(self.columns, column + 1)
        self.values += count


class _Damaged(Exception):
    """The file's structure is not what it claims; reported as one line by the caller."""


class _Encrypted(Exception):
    """A workbook saved with a password to open: its cells cannot be read."""


# ---- .xls: a compound file (OLE2) holding a BIFF5/BIFF8 record stream ---------------------------------

_SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")
_END, _FREE = 0xFFFFFFFE, 0xFFFFFFFF
# Records that put a value in a cell; each begins with (row, column). BLANK and MULBLANK only format a
# cell and calamine leaves them out of the grid.
_CELL = {0x0006, 0x00FD, 0x0203, 0x027E, 0x0204, 0x0205, 0x00D6}
_MULRK = 0x00BD  # (row, first column, 6 bytes per value, last column)
_BOF, _EOF, _BOUNDSHEET, _FILEPASS = 0x0809, 0x000A, 0x0085, 0x002F


def xls_extents(path: Path) -> list[Extent]:
    """The extent of each sheet of an .xls file, in the order its sheets are listed (a chart sheet's is
    empty)."""
    with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as data:
        try:
            stream = _workbook_stream(data)
            return _biff_extents(stream)
        except _Encrypted:
            raise PatrolError(f"{path.name}: 文件设有打开密码, 请在 Excel 或 WPS 中去掉密码另存后再导入") from None
        except (_Damaged, struct.error, IndexError) as exc:
            raise PatrolError(f"{path.name}: 不是有效的 .xls 文件, 其内部结构已损坏 ({exc or '结构不完整'})") from None


def _workbook_stream(data) -> bytes:
    """The bytes of the 'Workbook' (BIFF8) or 'Book' (BIFF5) stream, following the file's sector chains
    with every step bounded by the number of sectors the file has."""
    if data[:8] != _SIGNATURE:
        raise _Damaged("文件头不符")
    shift, mini_shift = struct.unpack_from("<HH", data, 30)
    if shift not in (9, 12) or mini_shift != 6:
        raise _Damaged("扇区大小异常")
    size = 1 << shift
    sectors = -(-(len(data) - size) // size)  # after the header; the last may be cut short
    (fat_count, first_dir, cutoff, first_minifat, minifat_count, first_difat,
     difat_count) = struct.unpack_from("<I I 4x I I I I I", data, 44)
    most = sectors // (size // 4) + 1  # the table sectors a file of this many sectors can need
    if fat_count > most or minifat_count > most or difat_count > most:
        raise _Damaged("扇区表长度异常")

    def sector(n: int) -> int:
        if n >= sectors:
            raise _Damaged(f"扇区 {n} 超出文件")
        return (n + 1) * size

    fat_sectors = list(struct.unpack_from("<109I", data, 76))
    n = first_difat
    for _ in range(difat_count):
        at = sector(n)
        entries = struct.unpack_from(f"<{size // 4}I", data, at)
        fat_sectors += entries[:-1]
        n = entries[-1]
    fat: list[int] = []
    for n in fat_sectors[:fat_count]:
        fat += struct.unpack_from(f"<{size // 4}I", data, sector(n))

    def chain(start: int, table: list[int], limit: int) -> list[int]:
        out = []
        while start not in (_END, _FREE):
            if start >= len(table) or len(out) > limit:
                raise _Damaged("扇区链异常")
            out.append(start)
            start = table[start]
        return out

    directory = b"".join(data[sector(n):sector(n) + size] for n in chain(first_dir, fat, sectors))
    entries = {}
    for at in range(0, len(directory) - 127, 128):
        name_len, kind = struct.unpack_from("<HB", directory, at + 64)
        start, length = struct.unpack_from("<IQ", directory, at + 116)
        name = directory[at:at + min(name_len, 64)].decode("utf-16-le", "replace").rstrip("\0")
        entries.setdefault(name, (kind, start, length))
    root = next(iter(entries.values()), None)
    found = entries.get("Workbook") or entries.get("Book")
    if root is None or found is None or found[0] != 2:
        raise _Damaged("没有 Workbook 数据流")
    _, start, length = found
    if length > len(data):
        raise _Damaged("数据流长度超出文件")
    if length >= cutoff:
        return b"".join(data[sector(n):sector(n) + size] for n in chain(start, fat, sectors))[:length]
    # A small stream lives in the mini stream: 64-byte sectors inside the root entry's own chain.
    minifat: list[int] = []
    for n in chain(first_minifat, fat, sectors)[:minifat_count]:
        minifat += struct.unpack_from(f"<{size // 4}I", data, sector(n))
    holder = chain(root[1], fat, sectors)

    def mini(n: int) -> bytes:
        if n * 64 // size >= len(holder):
            raise _Damaged(f"小扇区 {n} 超出文件")
        at = sector(holder[n * 64 // size]) + n * 64 % size
        return data[at:at + 64]

    return b"".join(mini(n) for n in chain(start, minifat, len(holder) * size // 64))[:length]


def _biff_extents(stream: bytes) -> list[Extent]:
    """Walk the records: the sheet list in the workbook globals, then each sheet's cell records."""
    offsets = []
    at = 0
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        if kind == _FILEPASS:
            raise _Encrypted
        if kind == _BOUNDSHEET and length >= 8:  # every kind of sheet, as calamine lists them
            offsets.append((struct.unpack_from("<I", stream, at + 4)[0], _sheet_name(stream[at + 10:at + 4 + length])))
        if kind == _EOF:
            break
        at += 4 + length
    return [_sheet_extent(stream, position, name) for position, name in offsets]


def _sheet_name(body: bytes) -> str:
    """A BOUNDSHEET's name: a length, then (BIFF8) a flag for two-byte characters; only for messages."""
    count = body[0] if body else 0
    if len(body) >= 2 + 2 * count and body[1] == 1:
        return body[2:2 + 2 * count].decode("utf-16-le", "replace")
    return body[2:2 + count].decode("latin-1") if len(body) >= 2 and body[1] == 0 else f"{count}"


def _sheet_extent(stream: bytes, at: int, name: str) -> Extent:
    extent, depth = Extent(name), 0
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        body = at + 4
        if kind == _BOF:
            depth += 1  # a chart embedded in the sheet has its own BOF ... EOF
        elif kind == _EOF:
            depth -= 1
            if depth <= 0:
                break
        elif depth == 1 and kind in _CELL and length >= 4:
            extent.take(*struct.unpack_from("<HH", stream, body))
        elif depth == 1 and kind == _MULRK and length >= 6:
            row, first = struct.unpack_from("<HH", stream, body)
            (last,) = struct.unpack_from("<H", stream, body + length - 2)
            if last >= first:
                extent.take(row, last, last - first + 1)
        at = body + length
    return extent


# ---- .ods: the sheets' XML in content.xml, rows and cells that say how often they repeat -------------

_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_T, _ROW = f"{_TABLE} table", f"{_TABLE} table-row"
_CELLS = (f"{_TABLE} table-cell", f"{_TABLE} covered-table-cell")
_ROWS_REPEATED, _COLUMNS_REPEATED = f"{_TABLE} number-rows-repeated", f"{_TABLE} number-columns-repeated"
_VALUE_TYPE = f"{_OFFICE} value-type"
_CHUNK = 64 * 1024


class _OdsWalk:
    """An expat walk over content.xml: nothing is built, only where the values are is counted."""

    def __init__(self):
        self.sheets: list[Extent] = []
        self.depth = 0  # of tables: a table inside a cell is not a sheet
        self.row = self.column = 0
        self.row_repeat = 1
        self.row_values = self.row_last = 0  # in the current row: values, the column after the last
        self.cell_repeat, self.cell_has_value = 1, False

    @staticmethod
    def _repeat(attrs: dict, key: str) -> int:
        text = attrs.get(key, "1")
        if not text.isdigit() or len(text) > 9:
            raise _Damaged(f"重复次数 {text[:12]!r} 无效")
        return max(1, int(text))

    def start(self, name: str, attrs: dict) -> None:
        if name == _T:
            self.depth += 1
            if self.depth == 1:
                self.sheets.append(Extent(attrs.get(f"{_TABLE} name", "")[:100]))
                self.row = 0
            else:
                self.cell_has_value = True  # a table inside a cell shows something in that cell
        elif self.depth != 1:
            return
        elif name == _ROW:
            self.row_repeat = self._repeat(attrs, _ROWS_REPEATED)
            self.column = self.row_values = self.row_last = 0
        elif name in _CELLS:
            self.cell_repeat = self._repeat(attrs, _COLUMNS_REPEATED)
            self.cell_has_value = _VALUE_TYPE in attrs
        else:
            self.cell_has_value = True  # a paragraph or span inside a cell: it shows something

    def end(self, name: str) -> None:
        if name == _T:
            self.depth -= 1
        elif self.depth != 1:
            return
        elif name in _CELLS:
            if self.cell_has_value:
                self.row_values += self.cell_repeat
                self.row_last = self.column + self.cell_repeat
            self.column += self.cell_repeat
            self.cell_has_value = False
        elif name == _ROW:
            if self.row_values:
                sheet = self.sheets[-1]
                sheet.rows = self.row + self.row_repeat
                sheet.columns = max(sheet.columns, self.row_last)
                sheet.values += self.row_values * self.row_repeat
            self.row += self.row_repeat


def _no_entities(*_args) -> None:
    raise _Damaged("文件声明了 XML 实体")  # never in a spreadsheet; the way to an entity bomb


def ods_extents(path: Path) -> list[Extent]:
    """The extent of each sheet of an .ods file, in document order."""
    walk = _OdsWalk()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = walk.start, walk.end
    parser.EntityDeclHandler = _no_entities
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        with zipfile.ZipFile(path) as zf, zf.open("content.xml") as fh:
            while chunk := fh.read(_CHUNK):
                parser.Parse(chunk, False)
            parser.Parse(b"", True)
    except KeyError:
        raise PatrolError(f"{path.name}: 不是有效的 .ods 文件 (缺少 content.xml)") from None
    except (_Damaged, expat.ExpatError, zipfile.BadZipFile, EOFError, OSError) as exc:
        raise PatrolError(f"{path.name}: 不是有效的 .ods 文件, 其内容已损坏 ({exc})") from None
    return walk.sheets
