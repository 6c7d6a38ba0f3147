"""好差评 imports, the rectification items a 差评 opens, and working-day deadlines over holidays."""

from __future__ import annotations

import datetime as dt

import pytest
from openpyxl import Workbook

from app import periods
from app.assessment import assess as assessing
from app.assessment import ratings, schemes
from app.centres import scope, workdays
from app.errors import PatrolError
from app.loop import rectification
from app.results import rectification_items
from app.storage.models import AuditEntry, Rating, Rectification
from exports.table_reader import read_table
from tests.conftest import at
from tests.helpers import inspect

OCT = periods.month("2026-10")
HEADER = ["序号", "窗口", "工作人员", "评价等级", "评价时间", "评价内容"]


def write_ratings(path, rows, header=HEADER, title="2026年10月政务服务好差评明细"):
    """A workbook as the 好差评 system exports it: a title line, the header, numbered rows, a footer."""
    wb = Workbook()
    ws = wb.active
    ws.title = "评价明细"
    ws.append([title])
    ws.append(header)
    for n, row in enumerate(rows, 1):
        ws.append([n, *row])
    ws.append(["制表: 好差评系统"])
    wb.save(path)
    return path


@pytest.fixture
def office(roster):
    roster.person("P1", "A01")
    roster.person("P2", "A02")
    return roster


def _plan(path):
    return ratings.plan_ratings(path.name, read_table(path), OCT)


def test_ratings_import_with_a_preview_of_unmatched_and_duplicate_rows_and_a_second_import_changes_nothing(office, tmp_path):
    path = write_ratings(tmp_path / "haochaping.xlsx", [
        ["A01", "人员P1", "非常满意", "2026-10-08 09:30", ""],
        ["A01", "人员P1", "满意", "2026-10-09 10:00", ""],
        ["A01", "人员P1", "不满意", "2026-10-12 15:00", "等候时间太长"],
        ["A02", "P2", "基本满意", "2026-10-13 11:00", ""],
        ["Z09", "张三", "满意", "2026-10-14 11:00", ""],  # no such window, no such person: kept, listed
        ["A01", "人员P1", "满意", "2026-10-09 10:00", ""],  # the same rating twice in the file
    ])
    plan = _plan(path)
    assert [r.where.row for r in plan.unmatched] == [7]
    assert [(r.where.row, r.status) for r in plan.duplicates] == [(8, "repeated")]
    assert "未匹配 1 行" in plan.summary() and "重复 1 行" in plan.summary() and "差评 1 次" in plan.summary()
    assert Rating.select().count() == 0, "a preview writes nothing"
    written, opened = ratings.apply_ratings(scope.context(office.manager), plan)
    assert (written, opened) == (5, 1)
    again = _plan(path)
    assert [r.status for r in again.rows] == ["imported"] * 5 + ["repeated"]
    assert ratings.apply_ratings(scope.context(office.manager), again) == (0, 0), "the second import changes nothing"
    assert Rating.select().count() == 5 and Rectification.select().count() == 1
    # A01: 3 ratings by P1, 2 of them satisfied: 66.67 %; A02 100 %.
    assert ratings.satisfaction(OCT, "window") == {office.windows["A01"].id: 66.67, office.windows["A02"].id: 100.0}
    assert ratings.satisfaction(OCT, "staff")[office.staff["P1"].id] == 66.67
    assert AuditEntry.select().where(AuditEntry.action == "import.ratings").count() == 2


def test_a_bad_rating_is_due_in_15_working_days_counted_over_the_holidays(office, tmp_path):
    workdays.set_days(office.manager, dt.date(2026, 10, 1), dt.date(2026, 10, 7), "holiday", "国庆节", "国务院办公厅通知")
    workdays.set_days(office.manager, dt.date(2026, 10, 10), dt.date(2026, 10, 10), "workday", "国庆调休", "国务院办公厅通知")
    # From Tue 29 Sep: 30 Sep (1), holiday to 7 Oct, 8 (2), 9 (3), Sat 10 worked (4), 12–16 (9), 19–23 (14), 26 (15).
    assert workdays.add_workdays(dt.date(2026, 9, 29), 15) == dt.date(2026, 10, 26)
    path = write_ratings(tmp_path / "r.xlsx", [["A02", "人员P2", "非常不满意", "2026-10-09 16:00", "态度差"]])
    ratings.apply_ratings(scope.context(office.manager), _plan(path))
    (item,) = rectification_items.items()
    assert (item.opened_on, item.due_on) == (dt.date(2026, 10, 9), dt.date(2026, 10, 29))
    assert item.what == "好差评差评 (非常不满意 1 次): 态度差" and item.employee_no == "P2"
    assert rectification_items.items(today=dt.date(2026, 11, 2))[0].state == "overdue"
    with pytest.raises(PatrolError, match="必须填写理由"):
        rectification.rectify(office.manager, Rectification.get_by_id(item.id), "")
    rectification.rectify(office.manager, Rectification.get_by_id(item.id), "约谈本人并回访群众, 群众表示认可")
    assert rectification_items.items("rectified")[0].state_label == "已整改"


def test_counts_per_window_are_read_and_feed_a_schemes_satisfaction(office, tmp_path):
    header = ["序号", "窗口编号", "窗口名称", "非常满意", "满意", "基本满意", "不满意", "非常不满意"]
    path = write_ratings(tmp_path / "counts.xlsx", [["A01", "A01窗口", 30, 8, 1, 1, 0], ["A02", "A02窗口", 20, 0, 0, 0, 0]],
                         header=header)
    plan = _plan(path)
    assert plan.layout == "counts" and [r.counts for r in plan.rows] == [(30, 8, 1, 1, 0), (20, 0, 0, 0, 0)]
    ratings.apply_ratings(scope.context(office.manager), plan)
    assert Rectification.select().count() == 1, "A01's one 不满意"
    text = schemes.shipped("yangdong_red_flag.toml").text.replace(
        '{ kind = "vote", vote = "群众评议", weight = 20, name = "群众评议" }',
        '{ kind = "rating", weight = 20, name = "好差评满意率" }')
    result = assessing.assess(OCT, schemes.parse_scheme(text, "with-ratings.toml"))
    part = {p.name: p for p in result.unassessed[0].parts} if result.unassessed else {}
    assert part["好差评满意率"].value == 97.5, "(30 + 8 + 1) / 40"


def test_a_workbook_with_bad_rows_is_refused_whole_naming_each_cell(office, tmp_path):
    path = write_ratings(tmp_path / "bad.xlsx", [
        ["A01", "人员P1", "还行吧", "2026-10-08", ""],
        ["A01", "人员P1", "满意", "2026-09-30", ""],
        ["", "", "满意", "2026-10-08", ""],
    ])
    with pytest.raises(PatrolError) as err:
        _plan(path)
    text = str(err.value)
    assert "表“评价明细” 第3行 D列(评价等级): “还行吧” 不是评价等级" in text
    assert "第4行 E列(评价时间): 2026-09-30 不在2026年10月" in text and "第5行" in text
    with pytest.raises(PatrolError, match="找不到好差评表头"):
        _plan(write_ratings(tmp_path / "other.xlsx", [["x", "y", "z", "w", "v"]], header=["甲", "乙", "丙", "丁", "戊", "己"]))


def test_the_command_line_previews_then_imports_ratings_and_lists_rectifications(tmp_path, capsys, monkeypatch):
    import cli

    path = str(tmp_path / "office.db")
    assert cli.main(["demo", "--db", path, "--seed", "3", "--no-inspections"]) == 0
    book = write_ratings(tmp_path / "r.xlsx", [["A01", "GW0001", "不满意", "2026-10-08 10:00", "办事慢"],
                                               ["Q99", "无名氏", "满意", "2026-10-08 11:00", ""]])
    capsys.readouterr()
    assert cli.main(["import", "ratings", str(book), "--month", "2026-10", "--db", path]) == 0
    out = capsys.readouterr().out
    assert "未匹配" in out and "Q99" in out and "以上为预览" in out
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")
    assert cli.main(["import", "ratings", str(book), "--month", "2026-10", "--apply", "--db", path, "--user", "admin"]) == 0
    assert "开出整改项 1 个" in capsys.readouterr().out
    assert cli.main(["rectifications", "--db", path, "--user", "admin", "--format", "json"]) == 0
    import json

    (item,) = json.loads(capsys.readouterr().out)
    assert item["source_label"] == "好差评差评" and item["state_label"] in ("待整改", "逾期未整改")
    assert cli.main(["rectify", str(item["id"]), "--note", "已约谈", "--db", path, "--user", "admin"]) == 0
    assert cli.main(["calendar", "set", "2026-10-01", "2026-10-07", "--kind", "holiday", "--name", "国庆节",
                     "--reason", "国务院办公厅通知", "--db", path, "--user", "admin"]) == 0
    assert cli.main(["calendar", "list", "--year", "2026", "--db", path]) == 0
    assert capsys.readouterr().out.count("国庆节") == 7


def test_two_ratings_that_differ_only_in_their_case_number_are_two_ratings(office, tmp_path):
    """The platform rates each 办件 once: ten cases at the same minute are ten ratings, 9 of 10 satisfied
    is 90 %, not the 88.89 % of a count that dropped one as a duplicate."""
    rows = [["A01", "人员P1", "非常满意", "2026-10-08 09:30", "", f"BJ2026100800{n}"] for n in range(8)]
    rows += [["A01", "人员P1", "满意", "2026-10-08 09:30", "", "BJ20261008009"],
             ["A01", "人员P1", "不满意", "2026-10-09 10:00", "等候太久", "BJ20261009001"]]
    path = write_ratings(tmp_path / "cases.xlsx", rows, header=HEADER + ["办件编号"])
    plan = _plan(path)
    assert len(plan.new) == 10 and plan.duplicates == []
    ratings.apply_ratings(scope.context(office.manager), plan)
    assert ratings.satisfaction(OCT, "window") == {office.windows["A01"].id: 90.0}
    assert [r.status for r in _plan(path).rows] == ["imported"] * 10, "imported again: nothing new"


def test_a_rating_from_after_the_import_day_or_a_month_to_come_is_refused_naming_the_cell(office, tmp_path):
    path = write_ratings(tmp_path / "future.xlsx", [["A01", "人员P1", "满意", "2026-10-08 09:30", ""],
                                                    ["A01", "人员P1", "不满意", "2026-10-25 10:00", "排队"]])
    with pytest.raises(PatrolError) as refused:
        ratings.plan_ratings(path.name, read_table(path), OCT, today=dt.date(2026, 10, 20))
    assert str(refused.value) == "future.xlsx 表“评价明细” 第4行 E列(评价时间): 2026-10-25 晚于今天 (2026-10-20), 评价不会来自将来"
    with pytest.raises(PatrolError, match="^future.xlsx: 2027年1月尚未到来, 不能导入该月的好差评$"):
        ratings.plan_ratings(path.name, read_table(path), periods.month("2027-01"), today=dt.date(2026, 12, 6))
    assert Rating.select().count() == 0 and Rectification.select().count() == 0


def test_a_file_imported_by_an_earlier_version_adds_only_the_case_that_version_took_for_a_duplicate(office, tmp_path):
    """Before 办件编号 was read, two cases rated the same minute shared one key and the first was kept;
    imported again now, that first is found and the second, lost then, comes in."""
    rows = [["A01", "人员P1", "满意", "2026-10-08 09:30", "", "BJ1"], ["A01", "人员P1", "满意", "2026-10-08 09:30", "", "BJ2"]]
    path = write_ratings(tmp_path / "cases.xlsx", rows, header=HEADER + ["办件编号"])
    plan = _plan(path)
    first = plan.rows[0]
    assert first.legacy_key == plan.rows[1].legacy_key, "the key the earlier version gave both"
    plan.rows = plan.rows[:1]
    ratings.apply_ratings(scope.context(office.manager), plan)
    Rating.update(row_key=first.legacy_key).execute()  # as the earlier version stored it
    assert [r.status for r in _plan(path).rows] == ["imported", "new"]


def test_a_window_under_the_line_two_months_running_is_called_in_on_the_workbook_and_the_dashboard(
        office, tmp_path, qtbot):
    """A01: 1 of 2 satisfied in September and in October (50 %): called in; A02 low in October only: not;
    the line is the centre's setting (90 %)."""
    from openpyxl import load_workbook

    from app.centres.scope import signed_in
    from exports import jobs
    from forms.dashboard_page import DashboardPage

    for month, a02 in (("2026-09", "满意"), ("2026-10", "不满意")):
        path = write_ratings(tmp_path / f"{month}.xlsx", [
            ["A01", "人员P1", "满意", f"{month}-08 09:30", ""], ["A01", "人员P1", "不满意", f"{month}-09 10:00", "慢"],
            ["A02", "P2", a02, f"{month}-10 11:00", ""]])
        ratings.apply_ratings(scope.context(office.manager),
                              ratings.plan_ratings(path.name, read_table(path), periods.month(month)))
    (called,) = ratings.called_in(OCT)
    assert (called.code, called.satisfaction, called.before) == ("A01", 50.0, 50.0)
    inspect(office.windows["A01"], office.inspector, office.staff["P1"], at("2026-10-12"))  # a workbook needs one
    book = tmp_path / "oct.xlsx"
    jobs.monthly_excel(book, "2026-10")
    sheet = load_workbook(book)["好差评约谈"]
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert ["A01", office.windows["A01"].name, 0.5, 0.5] in values
    page = DashboardPage(signed_in(office.manager))
    qtbot.addWidget(page)
    page.resize(1366, 700)
    page.refresh(dt.date(2026, 11, 3))
    assert page.today.text().endswith(" · 好差评约谈: A01")
