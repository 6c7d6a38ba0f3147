"""Roster and checklist workbooks as offices really make them, on SQLite and PostgreSQL: found by
header names, cleaned, validated cell by cell, previewed before applying, refused whole when wrong."""

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import MergedCell

from app.errors import ChecklistError, PatrolError
from app.patrolling import checklist_versions, checklists
from app.patrolling.checklist_rows import rows_to_checklist
from app.people.roster_import import apply_roster, plan_roster
from app.storage.models import ChecklistVersion, Staff, User
from exports.checklist_xlsx import checklist_workbook
from exports.roster_template import roster_template
from exports.table_reader import read_table


@pytest.fixture
def office(demo_office):
    return demo_office


def messy_roster(path, extra_rows=()):
    """Title row, merged group headers, columns in their own order, full-width text, padded names,
    numbers stored as numbers, a date as an Excel serial, a blank row, a footer note."""
    wb = Workbook()
    ws = wb.active
    ws.title = "11月花名册"
    ws.append(["示范区政务服务中心窗口人员花名册"])
    ws.merge_cells("A1:H1")
    ws.append(["基本信息", None, None, None, "派遣信息", None, "岗位", None])
    ws.merge_cells("A2:D2")
    ws.merge_cells("E2:F2")
    ws.merge_cells("G2:H2")
    ws.append(["姓 名", "工号", "性别", "政治面貌", "用工单位", "入职日期", "窗口", "ＡＢ岗"])
    ws.append(["熊 敏", "GW0001", "女", "群众", "锦程劳务派遣有限公司 ", 45231, "Ａ０１", "Ａ岗"])
    ws.append([])
    ws.append(["新 来", 9001, "男", "中共党员", "众合人力资源服务有限公司", 45600, "a02", "B"])
    for row in extra_rows:
        ws.append(row)
    ws.append([])
    ws.append(["制表: 窗口管理科"])
    wb.save(path)
    return path


def test_a_messy_roster_is_read_previewed_and_applied(office, tmp_path):
    plan = plan_roster("messy.xlsx", read_table(messy_roster(tmp_path / "messy.xlsx")))
    by_key = {(c.kind, c.key): c for c in plan.changes}
    assert ("updated", "GW0001") in by_key and "熊敏" in by_key[("updated", "GW0001")].details
    assert ("new", "9001") in by_key and by_key[("new", "9001")].label == "新来"
    assert plan.count("unlisted") == Staff.select().count() - 1
    assert Staff.get(Staff.employee_no == "GW0001").name != "熊敏", "a preview writes nothing"
    apply_roster(plan, User.get(User.username == "admin"), "11月花名册", confirm_unlisted=True)
    first = Staff.get(Staff.employee_no == "GW0001")
    assert (first.name, first.window.code, first.employer, first.post) == ("熊敏", "A01", "锦程劳务派遣有限公司", "A")
    new = Staff.get(Staff.employee_no == "9001")
    assert (new.gender, new.party_member, new.window.code, new.post) == ("M", True, "A02", "B")
    assert Staff.get(Staff.employee_no == "GW0002").status == "inactive", "no longer listed: 离岗, not deleted"


@pytest.mark.parametrize("rows, message", [
    ([["王五", "GW0900", "男", "群众", "某公司", None, "Q99", "A岗"]], "第7行 G列(窗口): 窗口编号“Q99”不存在"),
    ([["赵六", "GW0901", "未知", "群众", "某公司", None, "A01", "A岗"]], "第7行 C列(性别): “未知”应为 男 或 女"),
    ([["=A1&B1", "GW0902", "男", "群众", "某公司", None, "A01", "A岗"]], "第7行 A列(姓 名): 是公式"),
    ([["孙七", "GW0001", "男", "群众", "某公司", None, "A01", "A岗"]], "工号 GW0001 与"),
])
def test_a_bad_cell_is_named_by_file_sheet_row_and_column_and_nothing_is_written(office, tmp_path, rows, message):
    before = sorted(Staff.select(Staff.employee_no, Staff.name, Staff.status).tuples())
    with pytest.raises(PatrolError) as err:
        plan_roster("bad.xlsx", read_table(messy_roster(tmp_path / "bad.xlsx", rows)))
    assert "bad.xlsx 表“11月花名册”" in str(err.value) and message in str(err.value)
    assert "未做任何修改" in str(err.value)
    assert sorted(Staff.select(Staff.employee_no, Staff.name, Staff.status).tuples()) == before


def test_a_missing_column_and_thousands_of_junk_rows_are_reported_briefly(office, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(["姓名", "工号", "窗口"])
    ws.append(["张三", "GW0001", "A01"])
    wb.save(tmp_path / "nogender.xlsx")
    with pytest.raises(PatrolError, match="第1行: 缺少列 性别"):
        plan_roster("nogender.xlsx", read_table(tmp_path / "nogender.xlsx"))
    junk = [[f"垃圾{n}", f"#{n}#", "?", "??", None, None, "ZZ", "C"] for n in range(3000)]
    with pytest.raises(PatrolError) as err:
        plan_roster("junk.xlsx", read_table(messy_roster(tmp_path / "junk.xlsx", junk)))
    text = str(err.value)
    assert "另有" in text and len(text.splitlines()) <= 23


def test_a_file_that_is_not_a_workbook_is_refused(office, tmp_path):
    bogus = tmp_path / "bogus.xlsx"
    bogus.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(PatrolError, match="(不是有效的 Excel|已损坏)"):
        read_table(bogus)


def test_the_template_reads_back_as_a_valid_roster(office, tmp_path):
    roster_template(tmp_path / "template.xlsx")
    plan = plan_roster("template.xlsx", read_table(tmp_path / "template.xlsx"))
    assert len(plan.windows) == 1 and len(plan.staff) == 1 and plan.staff[0].party_member


# Text a person could type into a cell (openpyxl itself refuses control characters).
printable = st.text(alphabet=st.characters(blacklist_categories=("Cc", "Cs")), max_size=12)
cell_values = st.one_of(st.none(), printable, st.integers(-5, 99999), st.floats(allow_nan=False, width=32),
                        st.sampled_from(["=SUM(A1:A3)", "男", "女", "Ａ０１", "   ", "中共党员"]),
                        st.datetimes(min_value=dt.datetime(1990, 1, 1), max_value=dt.datetime(2030, 1, 1)))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(1, 9), st.integers(1, 9), cell_values), min_size=1, max_size=6))
def test_randomly_damaged_rosters_are_either_valid_or_refused_with_a_located_message(office, tmp_path, edits):
    path = messy_roster(tmp_path / "random.xlsx")
    wb = load_workbook(path)
    ws = wb.active
    for row, col, value in edits:
        if not isinstance(ws.cell(row, col), MergedCell):
            ws.cell(row, col).value = value
    wb.save(path)
    before = sorted(Staff.select(Staff.employee_no, Staff.name, Staff.status).tuples())
    try:
        plan = plan_roster("random.xlsx", read_table(path))
    except PatrolError as exc:
        assert "random.xlsx" in str(exc)
    else:
        assert all(s.employee_no and s.name and s.gender in "MF" for s in plan.staff)
    assert sorted(Staff.select(Staff.employee_no, Staff.name, Staff.status).tuples()) == before


def test_a_checklist_round_trips_through_excel_and_an_edit_becomes_a_new_version(office, tmp_path):
    v1 = ChecklistVersion.get()
    checklist_workbook(tmp_path / "cl.xlsx", v1)
    same = rows_to_checklist("cl.xlsx", read_table(tmp_path / "cl.xlsx"))
    ((version, created),) = checklist_versions.register([same])
    assert not created and version.id == v1.id
    wb = load_workbook(tmp_path / "cl.xlsx")
    wb["检查项"]["H2"] = 3
    wb.save(tmp_path / "cl2.xlsx")
    ((v2, created),) = checklist_versions.register([rows_to_checklist("cl2.xlsx", read_table(tmp_path / "cl2.xlsx"))])
    assert created and v2.version == 2
    changed = [c for c in checklists.compare_versions(v1, v2) if c.change != "same"]
    assert [(c.code, c.old.deduction, c.new.deduction) for c in changed] == [("APPEAR-01", 1, 3)]


@pytest.mark.parametrize("cell, value, message", [
    ("H3", -1, "第3行 H列(扣分): 不能为负数"),
    ("I4", "致命", "第4行 I列(严重程度): “致命”应为"),
    ("E5", "=A1", "第5行 E列(检查内容): 是公式"),
    ("F6", "999", "第6行 F列(来源): 来源“999”不在"),
    ("M7", "食堂", "第7行 M列(适用窗口类型): “食堂”不是窗口类型"),
    ("D8", "APPEAR-01", "第8行 D列(编号): 编号 APPEAR-01 与第2行重复"),
])
def test_checklist_workbook_errors_name_the_cell(office, tmp_path, cell, value, message):
    checklist_workbook(tmp_path / "cl.xlsx", ChecklistVersion.get())
    wb = load_workbook(tmp_path / "cl.xlsx")
    wb["检查项"][cell] = value
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(ChecklistError) as err:
        rows_to_checklist("bad.xlsx", read_table(tmp_path / "bad.xlsx"))
    assert f"bad.xlsx 表“检查项” {message}" in str(err.value)
    assert ChecklistVersion.select().count() == 1


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.integers(1, 30), st.integers(1, 14), cell_values), min_size=1, max_size=5))
def test_randomly_damaged_checklist_workbooks_are_either_valid_or_refused_by_cell(office, tmp_path, edits):
    checklist_workbook(tmp_path / "cl.xlsx", ChecklistVersion.get())
    wb = load_workbook(tmp_path / "cl.xlsx")
    for row, col, value in edits:
        wb["检查项"].cell(row, col).value = value
    wb.save(tmp_path / "r.xlsx")
    try:
        definition = rows_to_checklist("r.xlsx", read_table(tmp_path / "r.xlsx"))
    except ChecklistError as exc:
        assert "r.xlsx" in str(exc)
    else:
        assert definition.items and all(i.deduction >= 0 for i in definition.items)
    assert ChecklistVersion.select().count() == 1
