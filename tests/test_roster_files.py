"""Rosters as offices keep them: .xlsx, .xls, .ods and CSV in GBK or UTF-8 with a BOM give the same
preview; hidden sheets are skipped and said so; numbers shown as 0001 stay 0001; rosters with no
employee numbers are matched by ID card or by name and window, never guessed. SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from app.errors import PatrolError
from app.people.roster_import import apply_roster, plan_roster
from app.storage.models import Staff, User, Window
from exports.table_reader import read_table

DATA = Path(__file__).parent / "data"


@pytest.fixture
def office(demo_office):
    return demo_office


def admin() -> User:
    return User.get(User.username == "admin")


def csv_copy(src: Path, out: Path, encoding: str) -> Path:
    """The visible sheet of a workbook saved as CSV the way Excel on Chinese Windows does."""
    (sheet,) = [s for s in read_table(src) if not s.hidden]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in sheet.rows:
        writer.writerow(["" if c.value is None else c.value for c in row])
    out.write_bytes(buffer.getvalue().encode(encoding))
    return out


def preview(path: Path) -> tuple:
    plan = plan_roster(path.name, read_table(path))
    return plan.summary(), sorted((c.kind, c.key, c.label, c.details) for c in plan.changes), plan.notes


def test_the_same_roster_in_five_formats_gives_the_same_preview(office, tmp_path):
    files = [DATA / "roster.xlsx", DATA / "roster.xls", DATA / "roster.ods",
             csv_copy(DATA / "roster.xlsx", tmp_path / "roster-gbk.csv", "gbk"),
             csv_copy(DATA / "roster.xlsx", tmp_path / "roster-bom.csv", "utf-8-sig")]
    assert "王芳".encode("gbk") in files[3].read_bytes() and files[4].read_bytes().startswith(b"\xef\xbb\xbf")
    previews = [preview(f) for f in files]
    summary, changes, notes = previews[0]
    assert "人员: 新增 2" in summary and ("new", "GW0081", "赵新人", "") in changes
    assert notes == ["已跳过隐藏的工作表“旧名单”"]
    for f, (s, c, _) in zip(files[1:], previews[1:]):
        assert (s, c) == (summary, changes), f.name


def _numbered_roster(stored: str, number_format: str) -> Workbook:
    """The staff renumbered as `stored` ({n} their place), and a roster giving each the bare number n
    in a cell formatted `number_format`."""
    wb = Workbook()
    ws = wb.active
    ws.append(["工号", "姓名", "性别", "窗口编号"])
    for n, person in enumerate(Staff.select().order_by(Staff.id), start=1):
        person.employee_no = stored.format(n=n)
        person.save()
        ws.append([n, person.name, "男" if person.gender == "M" else "女", person.window.code])
        ws.cell(ws.max_row, 1).number_format = number_format
    return wb


def test_numbers_shown_with_leading_zeros_keep_them_and_mark_nobody_unlisted_falsely(office, tmp_path):
    wb = _numbered_roster("{n:04d}", "0000")
    hidden = wb.create_sheet("2025年名单")
    hidden.append(["工号", "姓名", "性别"])
    hidden.sheet_state = "hidden"
    wb.save(tmp_path / "numbers.xlsx")
    plan = plan_roster("numbers.xlsx", read_table(tmp_path / "numbers.xlsx"))
    assert [s.employee_no for s in plan.staff][:3] == ["0001", "0002", "0003"]
    assert plan.count("new") == 0 and plan.count("unlisted") == 0, plan.summary()
    assert "已跳过隐藏的工作表“2025年名单”" in plan.notes


need_soffice = pytest.mark.skipif(not shutil.which("soffice") and not os.environ.get("CI"),
                                  reason="LibreOffice makes the .xls and .ods (CI installs it)")


def _saved_as(book: Path, suffix: str) -> Path:
    """The workbook saved by LibreOffice as .xls or .ods, formats kept, as an office would."""
    if suffix == ".xlsx":
        return book
    subprocess.run(["soffice", "--headless", "--convert-to", suffix[1:], "--outdir", str(book.parent), str(book)],
                   check=True, capture_output=True, timeout=180)
    return book.with_suffix(suffix)


@pytest.mark.parametrize("suffix", [".xlsx", pytest.param(".xls", marks=need_soffice), pytest.param(".ods", marks=need_soffice)])
@pytest.mark.parametrize("number_format", ['"GW"0000', "\\G\\W0000", "0000"])
def test_numbers_formatted_with_literal_text_read_as_the_office_sees_them(office, tmp_path, number_format, suffix):
    """工号 5 shown as GW0005 by the cell's format is GW0005, not 5 (and 0005 by 0000), in .xlsx, .xls
    (its format records) and .ods (the text it shows): nobody new, nobody unlisted."""
    stored = "{n:04d}" if number_format == "0000" else "GW{n:04d}"
    wb = _numbered_roster(stored, number_format)
    wb.save(tmp_path / "gw.xlsx")
    path = _saved_as(tmp_path / "gw.xlsx", suffix)
    plan = plan_roster(path.name, read_table(path))
    assert [s.employee_no for s in plan.staff][:2] == [stored.format(n=1), stored.format(n=2)]
    assert plan.count("new") == 0 and plan.count("unlisted") == 0, plan.summary()


@need_soffice
def test_an_ods_showing_another_number_than_it_holds_is_read_by_its_value(tmp_path):
    """The text an .ods shows is believed only as the number itself with text or zeros around it:
    a cell holding 5 that claims to show GW0006 (or 5.00) is read as 5."""
    wb = Workbook()
    ws = wb.active
    ws.append(["工号", "姓名"])
    for n, name in ((5, "甲"), (6, "乙"), (7, "丙")):
        ws.append([n, name])
        ws.cell(ws.max_row, 1).number_format = '"GW"0000'
    wb.save(tmp_path / "t.xlsx")
    ods = _saved_as(tmp_path / "t.xlsx", ".ods")
    with zipfile.ZipFile(ods) as zf:
        members = {i.filename: zf.read(i.filename) for i in zf.infolist()}
    content = members["content.xml"].decode()
    assert "<text:p>GW0005</text:p>" in content
    members["content.xml"] = content.replace("<text:p>GW0005</text:p>", "<text:p>GW0006</text:p>").replace(
        "<text:p>GW0007</text:p>", "<text:p>7.00</text:p>").encode()
    forged = tmp_path / "forged.ods"
    with zipfile.ZipFile(forged, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data, compress_type=zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED)
    (sheet,) = read_table(forged)
    assert [row[0].value for row in sheet.rows[1:]] == [5, "GW0006", 7]


def _no_numbers(path: Path, rows: list[list]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "性别", "窗口编号", "身份证号", "劳务公司"])
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_a_roster_without_employee_numbers_applies_and_a_second_apply_changes_nothing(office, tmp_path):
    a01, a02 = (Staff.select().join(Window).where(Window.code == code).order_by(Staff.id).first() for code in ("A01", "A02"))
    rows = [[a01.name, "男" if a01.gender == "M" else "女", "A01", "", a01.employer],
            [a02.name, "男" if a02.gender == "M" else "女", "A02", "11010519491231002X", "新劳务公司"],
            ["孙新来", "女", "B01", "110101199003074514", "锦程劳务派遣有限公司"],
            ["周无证", "男", "B02", "", "锦程劳务派遣有限公司"]]
    path = _no_numbers(tmp_path / "no-numbers.xlsx", rows)
    plan = plan_roster(path.name, read_table(path))
    new = sorted((c.key, c.label, c.details) for c in plan.changes if c.kind == "new")
    assert new == [("R0001", "孙新来", "新编工号"), ("R0002", "周无证", "新编工号")]
    updated = {c.key: c.details for c in plan.changes if c.kind == "updated"}
    assert "用工单位" in updated[a02.employee_no] and "身份证号: 登记" in updated[a02.employee_no]
    assert a01.employee_no not in updated, "matched by name and window, nothing changed"
    apply_roster(plan, admin(), "11月名单 (无工号)", confirm_unlisted=True)
    assert Staff.get(Staff.employee_no == "R0001").id_card_key, "the card's key is kept, not the number"
    assert "110101199003074514" not in str(list(Staff.select().tuples()))
    again = plan_roster(path.name, read_table(path))
    assert [c for c in again.changes if c.kind != "unlisted"] == [], again.summary()


def test_two_people_of_one_name_are_listed_for_the_manager_never_guessed(office, tmp_path):
    a01 = Staff.select().join(Window).where(Window.code == "A01").first()
    twin = Staff.select().join(Window).where(Window.code == "B05").first()
    twin.name = a01.name
    twin.save()
    path = _no_numbers(tmp_path / "twins.xlsx", [[a01.name, "女", "", "", ""]])
    with pytest.raises(PatrolError) as err:
        plan_roster(path.name, read_table(path))
    text = str(err.value)
    assert "无法确定是谁" in text and a01.employee_no in text and twin.employee_no in text and "第2行" in text
    path = _no_numbers(tmp_path / "twins-at-a01.xlsx", [[a01.name, "男" if a01.gender == "M" else "女", "A01", "", ""]])
    plan = plan_roster(path.name, read_table(path))
    assert [s.employee_no for s in plan.staff] == [a01.employee_no], "the window tells them apart"


def test_a_wrong_id_card_number_is_refused_with_its_cell(office, tmp_path):
    path = _no_numbers(tmp_path / "card.xlsx", [["孙新来", "女", "B01", "110101199003074515", ""]])
    with pytest.raises(PatrolError, match=r"第2行 D列\(身份证号\).*不是有效的身份证号"):
        plan_roster(path.name, read_table(path))


def test_a_roster_that_would_mark_a_tenth_of_the_staff_unlisted_says_so_and_needs_a_second_yes(office, tmp_path):
    plan = plan_roster("roster.xlsx", read_table(DATA / "roster.xlsx"))  # five people of eighty
    assert plan.count("unlisted") == 77 and "96%" in plan.mass_unlisting
    with pytest.raises(PatrolError, match="标为离岗"):
        apply_roster(plan, admin(), "11月名单")
    assert Staff.select().where(Staff.status == "inactive").count() == 0
    apply_roster(plan, admin(), "只留这几位, 其余已调离", confirm_unlisted=True)
    assert Staff.select().where(Staff.status == "inactive").count() == 77
