"""How far each sheet of an .xls or .ods file reaches, read from the file's own structure before a reader
builds its grid. calamine allocates every cell of the rectangle from the first value to the last (about
60 bytes each), so a 6 KB .xls with one value at IV65536, or a 1 KB .ods with one row repeated a million
times, would take gigabytes before any bound on rows or cells could be checked. Here the .xls records
and the .ods XML are walked as a stream, nothing kept but counters.

The same walk notes what calamine cannot give: how a whole number is shown where its cell's format adds
text or zeros (5 shown as GW0005): the .xls cell's format string, the .ods cell's displayed text. The
reader decides whether to believe it (`table_reader`)."""

from __future__ import annotations

import mmap
import struct
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

from app.errors import PatrolError

MAX_SHOWN = 50_000  # numbers noted with their shown form, per sheet
MAX_SHOWN_TEXT = 64


@dataclass
class Extent:
    """One sheet, in the file's order: the rectangle its values span, and how many values it holds."""

    name: str = ""
    rows: int = 0  # the last row holding a value (1-based): the grid's height from row 1
    columns: int = 0  # likewise the last column
    values: int = 0  # cells holding a value, repeats counted
    # (row, column) 0-based → how a number there is shown: .xls its number format, .ods its text
    shown: dict = field(default_factory=dict)

    def note(self, row: int, column: int, text: str) -> None:
        if len(self.shown) < MAX_SHOWN:  # a sheet with more is refused for its size anyway
            self.shown[(row, column)] = text[:MAX_SHOWN_TEXT]

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
_FORMAT, _XF, _NUMBER, _RK = 0x041E, 0x00E0, 0x0203, 0x027E
_BUILT_IN_FORMATS = 164  # format numbers below are Excel's own (General, 0.00, dates...), never literal text


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
    """Walk the records: the sheet list, number formats and cell styles in the workbook globals, then
    each sheet's cell records."""
    offsets = []
    formats: dict[int, str] = {}
    xf_formats: list[int] = []  # a cell style's number format, by the style's index
    biff8 = len(stream) >= 6 and struct.unpack_from("<HHH", stream, 0)[2] == 0x0600
    at = 0
    while at + 4 <= len(stream):
        kind, length = struct.unpack_from("<HH", stream, at)
        body = stream[at + 4:at + 4 + length]
        if kind == _FILEPASS:
            raise _Encrypted
        if kind == _BOUNDSHEET and length >= 8:  # every kind of sheet, as calamine lists them
            offsets.append((struct.unpack_from("<I", body)[0], _sheet_name(body[6:])))
        elif kind == _FORMAT and biff8 and length >= 5:
            formats[struct.unpack_from("<H", body)[0]] = _biff8_string(body[2:])
        elif kind == _XF and length >= 4:
            xf_formats.append(struct.unpack_from("<H", body, 2)[0])
        if kind == _EOF:
            break
        at += 4 + length
    # The styles whose format could show a number as text: only those are worth noting per cell.
    styles = {n: formats[f] for n, f in enumerate(xf_formats) if f >= _BUILT_IN_FORMATS and f in formats}
    return [_sheet_extent(stream, position, name, styles) for position, name in offsets]


def _biff8_string(body: bytes) -> str:
    """A BIFF8 string: its length, a flag for two-byte characters, the characters."""
    count, flags = struct.unpack_from("<HB", body)
    if flags & 0x01:
        return body[3:3 + 2 * count].decode("utf-16-le", "replace")
    return body[3:3 + count].decode("latin-1")


def _sheet_name(body: bytes) -> str:
    """A BOUNDSHEET's name: a length, then (BIFF8) a flag for two-byte characters; only for messages."""
    count = body[0] if body else 0
    if len(body) >= 2 + 2 * count and body[1] == 1:
        return body[2:2 + 2 * count].decode("utf-16-le", "replace")
    return body[2:2 + count].decode("latin-1") if len(body) >= 2 and body[1] == 0 else f"{count}"


def _sheet_extent(stream: bytes, at: int, name: str, styles: dict[int, str]) -> Extent:
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
            row, column = struct.unpack_from("<HH", stream, body)
            extent.take(row, column)
            if styles and kind in (_NUMBER, _RK) and length >= 10:
                (style,) = struct.unpack_from("<H", stream, body + 4)
                if style in styles:
                    extent.note(row, column, styles[style])
        elif depth == 1 and kind == _MULRK and length >= 6:
            row, first = struct.unpack_from("<HH", stream, body)
            (last,) = struct.unpack_from("<H", stream, body + length - 2)
            if last >= first:
                extent.take(row, last, last - first + 1)
                for n in range(min(last - first + 1, (length - 6) // 6)) if styles else ():
                    (style,) = struct.unpack_from("<H", stream, body + 4 + 6 * n)
                    if style in styles:
                        extent.note(row, first + n, styles[style])
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
        self.number_text: list[str] | None = None  # the shown text of a number cell, while inside it

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
            single = self.cell_repeat == 1 and self.row_repeat == 1
            self.number_text = [] if single and attrs.get(_VALUE_TYPE) == "float" else None
        else:
            self.cell_has_value = True  # a paragraph or span inside a cell: it shows something

    def end(self, name: str) -> None:
        if name == _T:
            self.depth -= 1
        elif self.depth != 1:
            return
        elif name in _CELLS:
            if self.number_text:
                self.sheets[-1].note(self.row, self.column, "".join(self.number_text))
            self.number_text = None
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


    def text(self, data: str) -> None:
        if self.depth == 1 and self.number_text is not None and sum(map(len, self.number_text)) < MAX_SHOWN_TEXT:
            self.number_text.append(data)


def _no_entities(*_args) -> None:
    raise _Damaged("文件声明了 XML 实体")  # never in a spreadsheet; the way to an entity bomb


def ods_extents(path: Path) -> list[Extent]:
    """The extent of each sheet of an .ods file, in document order."""
    walk = _OdsWalk()
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = walk.start, walk.end
    parser.CharacterDataHandler = walk.text
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
