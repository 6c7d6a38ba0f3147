"""Damaged and hostile files, made from genuine ones by a seeded generator: results packages (some
re-signed with a stolen laptop's key, so that they reach the parsers) and rosters (.xlsx and CSV).

Used by `python -m benchmarks --suite fuzz` (1,000 of each) and by tests/test_fuzz.py (100 of each).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import random
import sqlite3
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from app.centres import scope
from app.keys import signing


@dataclass
class Genuine:
    office: Path
    laptop: Path
    package: Path
    roster_xlsx: Path
    roster_csv: Path


ROSTER = [["工号", "姓名", "性别", "政治面貌", "劳务公司", "窗口编号", "岗位"],
          ["GW0001", "李明", "男", "中共党员", "锦程劳务派遣有限公司", "A01", "A岗"],
          ["GW0002", "王芳", "女", "群众", "上海仁达人力资源有限公司", "A01", "B岗"],
          ["GW0081", "赵新人", "男", "群众", "锦程劳务派遣有限公司", "A02", "B岗"]]


def make_genuine(folder: Path) -> Genuine:
    """An office, an enrolled laptop with three inspections, its package; a roster in two forms."""
    from app.demo.centre import make_demo
    from app.exchange.devices import enrol_device
    from app.exchange.enrolment import enrol
    from app.exchange.results_package import export_results
    from app.loop import record_changes
    from app.patrolling import inspections
    from app.patrolling.patrol import staff_on_duty
    from app.storage.db import close_database, open_database
    from app.storage.models import Device, User, Window

    office, laptop = folder / "office.db", folder / "laptop.db"
    open_database(str(office))
    make_demo(seed=9, with_inspections=False)
    enrol_device(User.get(User.username == "admin"), "笔记本", ["xuncha1"], folder / "lap.wpe", centre_id=scope.SOLE)
    Device.update(enrolled_at=dt.datetime(2026, 9, 1)).execute()  # enrolled before its October patrols
    close_database()
    open_database(str(laptop))
    enrol(folder / "lap.wpe")
    inspector = User.get(User.username == "xuncha1")
    for n, code in enumerate(("A01", "A02", "B03")):
        window = Window.get(Window.code == code)
        when = dt.datetime(2026, 10, 5 + n, 10)
        insp = inspections.start_inspection(window, inspector, staff=staff_on_duty(window), observed_at=when,
                                            started_at=when)
        results = {i.id: ("fail" if n == 1 and i.code == "DISC-07" else "pass")
                   for i in inspections.applicable_items(insp) if i.kind == "check"}
        inspections.set_results(insp, results)
        record_changes.finalise(insp, at=when + dt.timedelta(minutes=5))
    package = export_results(folder / "genuine.wpr", centre_id=scope.SOLE).path
    close_database()
    from openpyxl import Workbook

    wb = Workbook()
    for row in ROSTER:
        wb.active.append(row)
    roster_xlsx = folder / "roster.xlsx"
    wb.save(roster_xlsx)
    csv_path = folder / "roster.csv"
    csv_path.write_bytes("\n".join(",".join(row) for row in ROSTER).encode("gbk"))
    return Genuine(office, laptop, package, roster_xlsx, csv_path)


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def _zip(members: dict[str, bytes], compression=zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=compression) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def _resign(g: Genuine, records_text: bytes, manifest_change=None, extra: dict[str, bytes] | None = None) -> bytes:
    """A package with these records, a manifest that matches them, signed with the laptop's own key:
    what an attacker holding the laptop can make."""
    members = _members(g.package)
    manifest = json.loads(members["manifest.json"])
    manifest["files"]["inspections.jsonl"] = hashlib.sha256(records_text).hexdigest()
    manifest["counts"]["inspections"] = records_text.count(b"\n")
    if manifest_change:
        manifest_change(manifest)
    body = manifest if isinstance(manifest, bytes) else json.dumps(manifest, ensure_ascii=False).encode()
    with sqlite3.connect(g.laptop) as con:
        key_id, private = con.execute("SELECT key_id, private_key FROM identity").fetchone()
    members.update({"inspections.jsonl": records_text, "manifest.json": body,
                    "signature": f"ed25519 {key_id} {signing.sign(private, body)}".encode()})
    members.update(extra or {})
    return _zip(members)


HOSTILE_VALUES = [None, True, -1, 10**30, 1e308, "NaN", "", "x" * 5000, "<b>x</b>", "../../etc/passwd", [], {},
                  [[[]]], "2026-10-05T10:00:00+08:00", "2099-01-01T00:00:00", "=1+1", "\u202e\u0000", 3.5]


def package_variant(g: Genuine, rng: random.Random) -> tuple[str, bytes]:
    """(kind, bytes) of one damaged or hostile package."""
    raw = g.package.read_bytes()
    members = _members(g.package)
    records = [json.loads(line) for line in members["inspections.jsonl"].decode().splitlines() if line]
    kind = rng.choice(["truncate", "flip", "field", "field", "field", "nested", "bomb", "long_line", "members",
                       "manifest", "photo", "not_zip"])
    if kind == "truncate":
        return kind, raw[:rng.randrange(len(raw))]
    if kind == "flip":
        data = bytearray(raw)
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(data))
            data[at] ^= 1 << rng.randrange(8)
        return kind, bytes(data)
    if kind == "field":
        record = rng.choice(records)
        key = rng.choice(sorted(record))
        if key == "results" and rng.random() < 0.5:
            entry = rng.choice(record["results"])
            entry[rng.randrange(4)] = rng.choice(HOSTILE_VALUES)
        else:
            record[key] = rng.choice(HOSTILE_VALUES)
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
        return kind, _resign(g, text)
    if kind == "nested":
        depth = rng.choice([1000, 100000])
        return kind, _resign(g, b"[" * depth + b"\n") if rng.random() < 0.5 else _resign(
            g, members["inspections.jsonl"], extra={"manifest.json": b"[" * depth})
    if kind == "bomb":
        name = rng.choice(["manifest.json", "inspections.jsonl", "signature"])
        return kind, _zip(dict(members, **{name: b"\0" * (rng.choice([9, 70]) * 2**20)}))
    if kind == "long_line":
        return kind, _resign(g, b'{"uuid": "' + b"a" * (2 * 2**20) + b'"}\n')
    if kind == "members":
        extra = rng.choice([{"../../evil.txt": b"x"}, {"photos/" + "0" * 64 + ".png": b"x"}, {}])
        if not extra:
            members.pop(rng.choice(sorted(members)))
            return kind, _zip(members)
        return kind, _resign(g, members["inspections.jsonl"],
                             lambda m: m["files"].update({n: hashlib.sha256(d).hexdigest() for n, d in extra.items()}),
                             extra)
    if kind == "manifest":
        change = rng.choice([lambda m: m.update(centre="OTHER"), lambda m: m.update(format_version=9),
                             lambda m: m.update(files=[]), lambda m: m.update(counts={"inspections": "x"}),
                             lambda m: m.update(device="D0"), lambda m: m.update(created_at="1999-01-01T00:00:00")])
        return kind, _resign(g, members["inspections.jsonl"], change)
    if kind == "photo":
        record = rng.choice(records)
        record["results"][0][3] = [hashlib.sha256(b"no such photo").hexdigest() + ".png"]
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
        return kind, _resign(g, text)
    return kind, bytes(rng.randrange(256) for _ in range(rng.randint(0, 4000)))


def _sheet_xml(rows_xml: str, merged: str = "", dimension: str = "A1:G10") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
            f'2006/main"><dimension ref="{dimension}"/><sheetData>{rows_xml}</sheetData>{merged}</worksheet>').encode()


def roster_variant(g: Genuine, rng: random.Random) -> tuple[str, str, bytes]:
    """(kind, suffix, bytes) of one damaged or hostile roster."""
    raw = g.roster_xlsx.read_bytes()
    kind = rng.choice(["truncate", "flip", "merged", "dimension", "sheet_bomb", "xml", "cells", "csv_bytes",
                       "csv_lines", "csv_wide", "csv_encoding"])
    if kind == "truncate":
        return kind, ".xlsx", raw[:rng.randrange(len(raw))]
    if kind == "flip":
        data = bytearray(raw)
        for _ in range(rng.randint(1, 8)):
            at = rng.randrange(len(data))
            data[at] ^= 1 << rng.randrange(8)
        return kind, ".xlsx", bytes(data)
    members = _members(g.roster_xlsx)
    sheet = "xl/worksheets/sheet1.xml"
    if kind == "merged":
        ref = rng.choice(["A1000:ZZ40000", "A1:XFD1048576", "B2:C3"])
        members[sheet] = _sheet_xml('<row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row>',
                                    f'<mergeCells count="1"><mergeCell ref="{ref}"/></mergeCells>')
    elif kind == "dimension":
        members[sheet] = _sheet_xml("".join(f'<row r="{r}"><c r="A{r}"><v>{r}</v></c></row>'
                                            for r in range(1, rng.choice([10, 30000]))), dimension="A1:ZZ1048576")
    elif kind == "sheet_bomb":
        members[sheet] = _sheet_xml('<row r="1"><c r="A1"><v>1</v></c></row>' + " " * (80 * 2**20))
    elif kind == "xml":
        members[sheet] = rng.choice([b"<worksheet", b"\xff\xfe<<<", b"<!DOCTYPE x [<!ENTITY a 'aaaa'>]><worksheet>&a;</worksheet>"])
    else:
        return _csv_variant(g, rng, kind)
    return kind, ".xlsx", _zip(members)


def _csv_variant(g: Genuine, rng: random.Random, kind: str) -> tuple[str, str, bytes]:
    text = g.roster_csv.read_bytes()
    if kind == "cells":
        lines = text.decode("gbk").splitlines()
        n = rng.randrange(1, len(lines))
        cells = lines[n].split(",")
        cells[rng.randrange(len(cells))] = str(rng.choice(HOSTILE_VALUES))
        lines[n] = ",".join(cells)
        return kind, ".csv", "\n".join(lines).encode("gb18030")
    if kind == "csv_bytes":
        return kind, ".csv", bytes(rng.randrange(256) for _ in range(rng.randint(0, 5000)))
    if kind == "csv_lines":
        return kind, ".csv", text + b"\n" + b"x,y\n" * rng.choice([10, 30000])
    if kind == "csv_wide":
        return kind, ".csv", text + b"\n" + b"," * rng.choice([50, 5000])
    return kind, ".csv", text.replace(b",", b"\xff\xfe", 3)


def _png_chunk(kind: bytes, body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def png_bomb(side: int = 13000) -> bytes:
    """A real RGBA PNG of side x side transparent pixels (676 MB decoded at 13000), compressed to ~700 KB:
    under Pillow's own bomb limit, so only a bound of our own stops it."""
    row = b"\0" * (side * 4 + 1)
    packer = zlib.compressobj(9)
    idat = b"".join(packer.compress(row) for _ in range(side)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + _png_chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 6, 0, 0, 0))
            + _png_chunk(b"IDAT", idat) + _png_chunk(b"IEND", b""))


def hostile_images() -> dict[str, bytes]:
    """Photo bytes that must be refused as images, by what they are."""
    bmp_header = (b"BM" + struct.pack("<IHHI", 54, 0, 0, 54)
                  + struct.pack("<IiiHHIIiiII", 40, 60000, 60000, 1, 24, 0, 0, 2835, 2835, 0, 0))
    return {
        "png-13000x13000-rgba": png_bomb(),
        "bmp-header-60000x60000": bmp_header + b"\0" * 64,
        "png-magic-then-garbage": b"\x89PNG\r\n\x1a\n" + bytes(random.Random(5).randrange(256) for _ in range(4000)),
        "gif-magic-then-html": b"GIF89a<html><body><script>alert(1)</script></body></html>",
        "jpeg-cut-short": _cut_jpeg(),
    }


def _cut_jpeg() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (640, 480), "red").save(out, "JPEG")
    return out.getvalue()[:600]


def package_with_photo(g: Genuine, photo: bytes, suffix: str = ".png") -> tuple[bytes, str]:
    """The genuine package with a photo on the failed item of its second record, re-signed with the
    laptop's key (so its hash matches its name): (package bytes, the photo's reference)."""
    members = _members(g.package)
    records = [json.loads(line) for line in members["inspections.jsonl"].decode().splitlines() if line]
    ref = hashlib.sha256(photo).hexdigest() + suffix
    failed = next(e for e in records[1]["results"] if e[1] == "fail")
    failed[3] = [ref]
    text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()
    member = f"photos/{ref}"

    def add_photo(manifest: dict) -> None:
        manifest["files"][member] = hashlib.sha256(photo).hexdigest()
        manifest["counts"]["photos"] = 1

    return _resign(g, text, add_photo, {member: photo}), ref


def _record(kind: int, body: bytes = b"") -> bytes:
    return struct.pack("<HH", kind, len(body)) + body


def xls_stream(cells: list[tuple[int, int, float]], sheet: str = "人员", encrypted: bool = False,
               pad: int = 0) -> bytes:
    """A BIFF8 workbook stream of one sheet holding numbers at (row, column), 0-based: the records
    calamine needs and no more (`pad` bytes of a user-name record make it long enough for regular
    sectors)."""
    bof = struct.pack("<HHHHII", 0x0600, 0x0005, 0x0DBB, 0x07CC, 0, 0x0006)
    name = sheet.encode("utf-16-le")
    head = (_record(0x0809, bof) + (_record(0x002F, b"\0" * 6) if encrypted else b"") + _record(0x0042, b"\xb0\x04")
            + (_record(0x005C, b" " * pad) if pad else b""))
    start = len(head) + 4 + 8 + len(name) + 4  # after the BOUNDSHEET and the globals' EOF
    globals_ = head + _record(0x0085, struct.pack("<IBBBB", start, 0, 0, len(sheet), 1) + name) + _record(0x000A)
    rows, cols = [r for r, _, _ in cells], [c for _, c, _ in cells]
    body = _record(0x0809, bof[:2] + b"\x10\x00" + bof[4:])
    body += _record(0x0200, struct.pack("<IIHHH", min(rows), max(rows) + 1, min(cols), max(cols) + 1, 0))
    body += b"".join(_record(0x0203, struct.pack("<HHHd", r, c, 0, v)) for r, c, v in cells)
    return globals_ + body + _record(0x000A)


def compound_file(stream: bytes, name: str = "Workbook") -> bytes:
    """An OLE2 compound file (512-byte sectors) holding one stream: in the regular sectors when it is
    4096 bytes or more, else in the mini stream, as Office writes a small one."""
    free, end, fat_sector, none = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF
    small = len(stream) < 4096
    data = stream + b"\0" * (-len(stream) % (64 if small else 512))
    body_sectors = -(-len(data) // 512)
    first_body = 3 if small else 2  # FAT, directory, (mini FAT,) the data
    fat = [fat_sector, end] + ([end] if small else [])
    fat += [first_body + i + 1 for i in range(body_sectors - 1)] + [end]
    assert len(fat) <= 128, "one FAT sector is enough for what the tests make"
    fat += [free] * (128 - len(fat))

    def entry(title: str, kind: int, start: int, size: int, child: int = none) -> bytes:
        raw = (title + "\0").encode("utf-16-le") if title else b""
        return (raw.ljust(64, b"\0") + struct.pack("<HBBIII", len(raw), kind, 1, none, none, child) + b"\0" * 20
                + b"\0" * 16 + struct.pack("<IQ", start, size))

    if small:
        minis = len(data) // 64
        root = entry("Root Entry", 5, first_body, len(data), child=1)
        stream_entry = entry(name, 2, 0, len(stream))
        minifat = struct.pack("<128I", *([i + 1 for i in range(minis - 1)] + [end] + [free] * (128 - minis)))
    else:
        root, stream_entry, minifat = entry("Root Entry", 5, end, 0, child=1), entry(name, 2, first_body, len(stream)), b""
    directory = root + stream_entry + entry("", 0, free, 0) * 2
    header = (bytes.fromhex("D0CF11E0A1B11AE1") + b"\0" * 16 + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + b"\0" * 6
              + struct.pack("<9I", 0, 1, 1, 0, 4096, 2 if small else end, 1 if small else 0, end, 0)
              + struct.pack("<I", 0) + struct.pack("<I", free) * 108)
    return header + struct.pack("<128I", *fat) + directory + minifat + data.ljust(body_sectors * 512, b"\0")


def ods_file(rows_xml: str, sheet: str = "人员") -> bytes:
    """An .ods of one sheet whose rows are given as XML."""
    ns = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"')
    content = (f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns} office:version="1.2"><office:body>'
               f'<office:spreadsheet><table:table table:name="{sheet}">{rows_xml}</table:table></office:spreadsheet>'
               "</office:body></office:document-content>")
    manifest = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry '
                'manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>')
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", content)
        zf.writestr("META-INF/manifest.xml", manifest)
    return buffer.getvalue()


ODS_REPEATED_ROW = ('<table:table-row table:number-rows-repeated="1048000"><table:table-cell office:value-type="string">'
                    '<text:p>x</text:p></table:table-cell><table:table-cell table:number-columns-repeated="29" '
                    'office:value-type="float" office:value="1"><text:p>1</text:p></table:table-cell></table:table-row>')


def hostile_office_files() -> dict[str, tuple[str, bytes]]:
    """name -> (suffix, bytes) of office files that swell when read: each must be refused from its
    structure, before a grid is built."""
    return {
        "xls-one-cell-at-IV65536": (".xls", compound_file(xls_stream([(0, 0, 1.0), (65535, 255, 2.0)], pad=4096))),
        "xls-small-one-cell-at-IV65536": (".xls", compound_file(xls_stream([(0, 0, 1.0), (65535, 255, 2.0)]))),
        "ods-row-repeated-1048000-times": (".ods", ods_file(ODS_REPEATED_ROW)),
        "ods-16000-columns": (".ods", ods_file('<table:table-row><table:table-cell office:value-type="float" '
                                               'office:value="1"/><table:table-cell table:number-columns-repeated='
                                               '"16000"/><table:table-cell office:value-type="float" office:value="2"/>'
                                               "</table:table-row>")),
    }
