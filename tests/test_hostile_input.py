"""Hostile input ends in one clear line naming the file, never "程序内部错误" and a traceback: files
nested thousands deep or with numbers of thousands of digits, where the reader itself gives up; a CSV of
one endless line or an open quote, refused for a line's memory."""

from __future__ import annotations

import tracemalloc

import pytest

import cli
from app.errors import PatrolError
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


@pytest.mark.parametrize("body, expected", [
    (b"a," * 2_500_000 + b"\n", "第1行: 超过 65536 个字符"),  # 5 MB on one line
    (b'name,no\n"' + (b"x" * 1000 + b"\n") * 5_000, "CSV 格式有误"),  # a quote left open for 5 MB
], ids=["one-line", "unterminated-quote"])
def test_a_csv_of_one_endless_line_or_an_open_quote_is_refused_for_a_lines_memory(tmp_path, body, expected):
    """Streamed and bounded by the line: a 5 MB file costs well under its own size to refuse."""
    path = tmp_path / "roster.csv"
    path.write_bytes(body)
    tracemalloc.start()
    try:
        with pytest.raises(PatrolError) as refused:
            read_table(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert expected in str(refused.value) and "roster.csv" in str(refused.value)
    assert peak < 2 * 2**20, f"peak {peak / 2**20:.1f} MB for a {len(body) / 2**20:.1f} MB file"


def test_a_gbk_csv_whose_first_rows_are_plain_ascii_is_still_read_as_gbk(tmp_path):
    path = tmp_path / "roster.csv"
    path.write_bytes(("no,name\n" + "".join(f"{n},name{n}\n" for n in range(3000)) + "9999,王芳\n").encode("gbk"))
    (sheet,) = read_table(path)
    assert len(sheet.rows) == 3002 and sheet.rows[-1][1].value == "王芳", "read again from the top as GBK"
