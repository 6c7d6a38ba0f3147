"""Hostile input ends in one clear line naming the file, never "程序内部错误" and a traceback: files
nested thousands deep or with numbers of thousands of digits, where the reader itself gives up."""

from __future__ import annotations

import pytest

import cli

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
