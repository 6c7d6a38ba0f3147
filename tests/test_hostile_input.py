"""Hostile input ends in one clear line naming the file, never "程序内部错误" and a traceback: files
nested thousands deep or with numbers of thousands of digits, where the reader itself gives up; a CSV of
one endless line or an open quote, refused for a line's memory; an .xls or .ods whose values reach far,
refused from its structure before a grid is built."""

from __future__ import annotations

import tracemalloc
import zipfile
from pathlib import Path

import pytest

import cli
from app.errors import PatrolError
from app.exchange import strict_json
from benchmarks.hostile import compound_file, hostile_office_files, ods_file, xls_stream
from exports.sheet_extent import Extent, ods_extents, xls_extents
from exports.table_reader import read_table

DEEP_ARRAY = "a = " + "[" * 30_000 + "]" * 30_000 + "\n"  # 60 KB: under the size bound
DEEP_TABLE = "[scheme]\nx = " + "{ y = " * 5_000 + "1" + " }" * 5_000 + "\n"
LONG_NUMBER = '[scheme]\ncode = "X"\n[month]\ncomponents = [{ kind = "patrol", weight = ' + "9" * 5_000 + " }]\n"


@pytest.mark.parametrize("text", [DEEP_ARRAY, DEEP_TABLE, LONG_NUMBER], ids=["deep-array", "deep-table", "5000-digits"])
@pytest.mark.parametrize("command", ["schemes", "checklists"])
def test_a_toml_file_nested_too_deep_or_with_a_huge_number_is_refused_in_one_line(tmp_path, capsys, text, command):
    hostile = tmp_path / "hostile.toml"
    hostile.write_text(text, encoding="utf-8")
    code = cli.main([command, "validate", str(hostile), "--db", str(tmp_path / "x.db")])
    out, err = capsys.readouterr()
    assert code == 2, (out, err)
    assert "hostile.toml" in err and "TOML 无法读取: 嵌套过深或数字过长" in err
    assert "程序内部错误" not in err and "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_a_checklist_file_over_a_megabyte_is_refused_before_it_is_parsed(tmp_path, capsys):
    huge = tmp_path / "huge.toml"
    huge.write_bytes(b"# " + b"x" * (1024 * 1024) + b"\n")
    code = cli.main(["checklists", "validate", str(huge), "--db", str(tmp_path / "x.db")])
    _, err = capsys.readouterr()
    assert code == 2 and "huge.toml: 文件过大 (至多 1024 KB)" in err


def _refused_with_peak(path) -> tuple[PatrolError, int]:
    """Reading the file is refused: the refusal and the peak memory traced while reading it."""
    tracemalloc.start()
    try:
        with pytest.raises(PatrolError) as refused:
            read_table(path)
        return refused.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize("body, expected", [
    (b"a," * 2_500_000 + b"\n", "第1行: 超过 65536 个字符"),  # 5 MB on one line
    (b'name,no\n"' + (b"x" * 1000 + b"\n") * 5_000, "CSV 格式有误"),  # a quote left open for 5 MB
], ids=["one-line", "unterminated-quote"])
def test_a_csv_of_one_endless_line_or_an_open_quote_is_refused_for_a_lines_memory(tmp_path, body, expected):
    """Streamed and bounded by the line: a 5 MB file costs well under its own size to refuse."""
    path = tmp_path / "roster.csv"
    path.write_bytes(body)
    refused, peak = _refused_with_peak(path)
    assert expected in str(refused) and "roster.csv" in str(refused)
    assert peak < 2 * 2**20, f"peak {peak / 2**20:.1f} MB for a {len(body) / 2**20:.1f} MB file"


def test_a_gbk_csv_whose_first_rows_are_plain_ascii_is_still_read_as_gbk(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(("no,name\n" + "".join(f"{n},name{n}\n" for n in range(3000)) + "9999,王芳\n").encode("gbk"))
    (sheet,) = read_table(path)
    assert len(sheet.rows) == 3002 and sheet.rows[-1][1].value == "王芳", "read again from the top as GBK"


@pytest.mark.parametrize("name", sorted(hostile_office_files()))
def test_an_xls_or_ods_that_would_swell_is_refused_from_its_structure_before_a_grid_is_built(tmp_path, name):
    """calamine fills the whole rectangle from the first value to the last when it opens a file; a 6 KB
    .xls or a 1 KB .ods reaching a million rows is measured first, for well under a megabyte."""
    suffix, data = hostile_office_files()[name]
    path = tmp_path / f"roster{suffix}"
    path.write_bytes(data)
    refused, peak = _refused_with_peak(path)
    assert f"roster{suffix} 表“人员”: 数据延伸到第" in str(refused), refused
    assert peak < 2**20, f"peak {peak / 2**20:.1f} MB"


@pytest.mark.parametrize("pad", [0, 5000], ids=["mini-stream", "regular-sectors"])
def test_an_xls_is_read_as_calamine_reads_it_wherever_its_stream_lies(tmp_path, pad):
    path = tmp_path / "roster.xls"
    path.write_bytes(compound_file(xls_stream([(0, 0, 1.0), (2, 3, 7.0), (4999, 199, 9.0)], pad=pad)))
    (sheet,) = read_table(path)
    assert sheet.name == "人员" and len(sheet.rows) == 5000 and sheet.rows[2][3].value == 7.0
    assert xls_extents(path) == [Extent("人员", 5000, 200, 3)], "a million cells: at the bound, read"


def test_the_measured_extent_of_real_office_files_is_what_they_hold():
    data = Path(__file__).parent / "data"
    for reader, name in ((xls_extents, "roster.xls"), (ods_extents, "roster.ods")):
        assert reader(data / name) == [Extent("人员", 9, 7, 44), Extent("旧名单", 2, 3, 6)], name


@pytest.mark.parametrize("data, expected", [
    (compound_file(xls_stream([(0, 0, 1.0)], encrypted=True)), "文件设有打开密码"),
    (compound_file(xls_stream([(0, 0, 1.0)]))[:700], "不是有效的 .xls 文件"),
    (bytes.fromhex("D0CF11E0A1B11AE1") + b"\xff" * 600, "不是有效的 .xls 文件"),
], ids=["password", "cut-short", "garbage-after-signature"])
def test_an_xls_with_a_password_or_broken_structure_is_refused_in_one_line(tmp_path, data, expected):
    path = tmp_path / "roster.xls"
    path.write_bytes(data)
    with pytest.raises(PatrolError, match=expected):
        read_table(path)


def test_an_ods_declaring_entities_is_refused_before_one_is_expanded(tmp_path):
    laughs = ('<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
              '<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0">&b;'
              "</office:document-content>")
    path = tmp_path / "roster.ods"
    path.write_bytes(ods_file(""))
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
        zf.writestr("content.xml", laughs)
    with pytest.raises(PatrolError, match="声明了 XML 实体"):
        read_table(path)


@pytest.mark.parametrize("text, expected", [
    ('{"score": ' + "9" * 5000 + "}", "数字过长 (5000 位)"),
    ('{"score": 0.' + "1" * 40 + "}", "数字过长 (42 位)"),
    ('{"score": NaN}', "NaN 不是有效数字"),
    ("[" * 100_000, "嵌套过深"),
    ('{"a": 1,,}', "第 9 个字符处格式有误"),
])
def test_json_from_a_file_fails_in_chinese_naming_what_is_wrong(text, expected):
    with pytest.raises(ValueError, match=expected.replace("(", r"\(").replace(")", r"\)")):
        strict_json.loads(text)


def test_a_package_stopped_at_its_blank_lines_says_that_alone(tmp_path, capsys, monkeypatch):
    """Reading stops at the bound; the records it did not reach are not also miscounted."""
    from benchmarks.hostile import _members, _resign, make_genuine

    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")
    g = make_genuine(tmp_path)
    path = tmp_path / "blank.wpr"
    path.write_bytes(_resign(g, _members(g.package)["inspections.jsonl"] + b"\n" * 20_000))
    assert cli.main(["import", "results", str(path), "--db", str(g.office), "--user", "admin"]) == 2
    err = capsys.readouterr().err
    assert err.strip() == "错误: blank.wpr: 结果包有误, 未导入任何记录: inspections.jsonl: 空行超过 10000 行, 不是窗口巡查导出的文件"
