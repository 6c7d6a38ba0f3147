"""The command line: demo, checklists, rankings, probation, pay; bad input exits 2 and writes nothing."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import cli
from app.storage import db as dbmod
from app.storage.models import Area, Centre, Inspection, ProbationCase, Staff, User, Window

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def demo_admin_password(monkeypatch):
    """Write commands act as a named user; scripts give the password in the environment."""
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    assert cli.main(["demo", "--db", str(path), "--seed", "7", "--month", "2026-10"]) == 0
    return path


@pytest.fixture
def demo_copy(demo_db, tmp_path) -> str:
    """A private copy for tests that write (the probation sweep does)."""
    target = tmp_path / "copy.db"
    dbmod.open_database(str(demo_db)).execute_sql("PRAGMA wal_checkpoint(FULL)")
    dbmod.close_database()
    shutil.copy(demo_db, target)
    return str(target)


def test_demo_makes_a_realistic_centre(demo_db):
    dbmod.open_database(str(demo_db), create=False)
    try:
        assert Area.select().count() == 3 and Window.select().count() == 40
        assert {w.window_type for w in Window.select()} == {"综合窗口", "总服务台", "帮办窗口", "部门窗口"}
        assert Staff.select().count() == 80
        assert {s.gender for s in Staff.select()} == {"M", "F"}
        assert {s.party_member for s in Staff.select()} == {True, False}
        assert len({s.employer for s in Staff.select()}) >= 3
        assert User.select().where(User.role == "inspector").count() == 2
        total = Inspection.select().count()
        failed = Inspection.select().where(Inspection.passed == False).count()  # noqa: E712
        assert total > 500 and 0 < failed < total * 0.2
        assert ProbationCase.select().count() >= 2
        months = {i.observed_at.month for i in Inspection.select()}
        assert months == {10}
        methods = {i.method for i in Inspection.select()}
        assert methods == {"onsite", "video", "mystery"}
    finally:
        dbmod.close_database()


def _rankings_json(capsys, target, by="staff"):
    code, out, _ = run(capsys, "rankings", "--db", target, "--month", "2026-10", "--by", by, "--format", "json")
    assert code == 0
    return json.loads(out)


def test_demo_is_repeatable_with_the_same_seed(capsys, demo_db, tmp_path):
    again = tmp_path / "again.db"
    assert run(capsys, "demo", "--db", str(again), "--seed", "7", "--month", "2026-10")[0] == 0
    assert _rankings_json(capsys, str(again)) == _rankings_json(capsys, str(demo_db))
    other = tmp_path / "other.db"
    assert run(capsys, "demo", "--db", str(other), "--seed", "8", "--month", "2026-10")[0] == 0
    assert _rankings_json(capsys, str(other)) != _rankings_json(capsys, str(demo_db))


def test_demo_on_postgresql_ranks_exactly_as_on_sqlite(capsys, demo_db, pg_server_url):
    from tests.conftest import _reset_pg

    _reset_pg(pg_server_url)
    assert run(capsys, "demo", "--db", pg_server_url, "--seed", "7", "--month", "2026-10")[0] == 0
    for by in ("window", "staff", "department"):
        assert _rankings_json(capsys, pg_server_url, by) == _rankings_json(capsys, str(demo_db), by)


def _roster_snapshot(target):
    dbmod.open_database(target, create=False)
    try:
        return (
            [(c.code, c.name, c.signing_key) for c in Centre.select()],
            [(w.code, w.name, w.window_type, w.department, w.area.code) for w in Window.select().order_by(Window.code)],
            [(s.employee_no, s.name, s.gender, s.party_member, s.employer, s.window.code, s.post)
             for s in Staff.select().order_by(Staff.employee_no)],
            [(u.username, u.role) for u in User.select().order_by(User.username)],
            Inspection.select().count(),
        )
    finally:
        dbmod.close_database()


def test_no_inspections_makes_the_same_centre_roster_accounts_and_key(capsys, demo_db, tmp_path):
    bare = tmp_path / "manager.db"
    code, out, _ = run(capsys, "demo", "--db", str(bare), "--seed", "7", "--no-inspections")
    assert code == 0 and "巡查记录" not in out
    full, empty = _roster_snapshot(str(demo_db)), _roster_snapshot(str(bare))
    assert full[:4] == empty[:4]
    assert empty[4] == 0 and full[4] > 0


def test_demo_refuses_a_database_that_has_data_unless_asked_to_skip_it(capsys, demo_copy):
    before = Path(demo_copy).read_bytes()
    code, _, err = run(capsys, "demo", "--db", demo_copy)
    assert code == 2 and "已有数据" in err
    code, out, _ = run(capsys, "demo", "--db", demo_copy, "--if-empty")
    assert code == 0 and "未生成演示中心" in out
    assert Path(demo_copy).read_bytes() == before


def test_rankings_print_a_table_csv_and_json_with_stable_keys(capsys, demo_db):
    code, out, _ = run(capsys, "rankings", "--db", str(demo_db), "--month", "2026-10")
    assert code == 0 and "2026年10月 排名" in out and "平均分" in out
    rows = _rankings_json(capsys, str(demo_db), "window")
    assert len(rows) == 40 and rows[0]["rank"] == 1
    assert set(rows[0]) == {"rank", "code", "name", "average_score", "inspections", "pass_rate", "deductions", "vetoes"}
    code, out, _ = run(capsys, "rankings", "--db", str(demo_db), "--quarter", "2026-Q4", "--by", "department", "--format", "csv")
    assert code == 0 and out.splitlines()[0].startswith("rank,code,name")


@pytest.mark.parametrize("argv, message", [
    (["rankings", "--month", "2026-13"], "月份格式错误"),
    (["rankings", "--quarter", "2026-Q5"], "季度格式错误"),
    (["probation", "--as-of", "2026-02-30"], "日期格式错误"),
    (["inspections", "--month", "2026-10", "--window", "X99"], "未知窗口编号: X99"),
    (["inspections", "--month", "2026-10", "--staff", "NOBODY"], "未知工号: NOBODY"),
])
def test_bad_input_gets_one_clear_line_exit_2_and_nothing_written(capsys, demo_copy, argv, message):
    before = Path(demo_copy).read_bytes()
    code, out, err = run(capsys, *argv, "--db", demo_copy)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert Path(demo_copy).read_bytes() == before


def test_an_unreadable_or_missing_database_exits_2(capsys, tmp_path):
    missing = tmp_path / "nope.db"
    code, _, err = run(capsys, "rankings", "--db", str(missing), "--month", "2026-10")
    assert code == 2 and "不存在" in err and not missing.exists()
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00\x01garbage" * 200)
    code, _, err = run(capsys, "probation", "--db", str(junk))
    assert code == 2 and "无法打开数据库" in err
    code, _, err = run(capsys, "rankings", "--db", "postgresql://nobody@127.0.0.1:1/none", "--month", "2026-10")
    assert code == 2 and "无法" in err and len(err.strip().splitlines()) == 1


def test_checklists_validate_accepts_the_shipped_files_and_names_problems_in_a_broken_one(capsys, tmp_path):
    code, out, _ = run(capsys, "checklists", "validate")
    assert code == 0 and "校验通过" in out
    broken = tmp_path / "broken.toml"
    shutil.copy(ROOT / "checklists" / "sources.toml", tmp_path / "sources.toml")
    broken.write_text((ROOT / "checklists" / "03_desk.toml").read_text(encoding="utf-8")
                      .replace('code = "DESK-05"', 'code = "DESK-04"')
                      .replace('severity = "serious"', 'severity = "grave"'), encoding="utf-8")
    code, _, err = run(capsys, "checklists", "validate", str(broken))
    assert code == 2
    assert "broken.toml: 检查项 DESK-04: 编号重复" in err
    assert "broken.toml: 检查项 DESK-23: 未知的严重程度" in err


def test_checklists_load_makes_a_new_version_only_when_content_changes(capsys, demo_copy, tmp_path):
    code, out, _ = run(capsys, "checklists", "load", "--db", demo_copy, "--user", "admin")
    assert code == 0 and "沿用" in out
    for f in (ROOT / "checklists").glob("*.toml"):
        shutil.copy(f, tmp_path / f.name)
    edited = tmp_path / "01_appearance.toml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("头发保持整洁清爽", "头发整洁清爽"), encoding="utf-8")
    files = [str(f) for f in sorted(tmp_path.glob("*.toml"))]
    code, _, err = run(capsys, "checklists", "load", "--db", demo_copy, "--user", "admin", *files)
    assert code == 2 and "必须填写理由" in err, "a new version needs a reason"
    code, out, _ = run(capsys, "checklists", "load", "--db", demo_copy, "--user", "admin", *files, "--reason", "按新规范修订")
    assert code == 0 and "第 2 版: 已载入为新版本" in out
    code, out, _ = run(capsys, "checklists", "list", "--db", demo_copy)
    assert "WINDOW" in out and " 2 " in out


def test_probation_lists_without_writing_and_a_named_manager_sweeps(capsys, demo_copy):
    code, out, _ = run(capsys, "probation", "--db", demo_copy, "--as-of", "2026-10-15", "--format", "json")
    assert code == 0
    open_cases = json.loads(out)
    assert open_cases and all(c["status"] == "open" for c in open_cases)
    code, out, _ = run(capsys, "probation", "--db", demo_copy, "--as-of", "2026-12-31")
    assert code == 0 and "期满待处理" in out and "--sweep" in out
    code, out, _ = run(capsys, "probation", "--db", demo_copy, "--as-of", "2026-12-31", "--all", "--format", "json")
    assert {c["status"] for c in json.loads(out)} == {"open"}, "listing never decides a case"
    code, _, err = run(capsys, "probation", "--db", demo_copy, "--as-of", "2026-12-31", "--sweep")
    assert code == 2 and "--user" in err
    code, out, _ = run(capsys, "probation", "--db", demo_copy, "--as-of", "2026-12-31", "--all", "--sweep", "--user",
                       "admin", "--format", "json")
    decided = json.loads(out)
    assert decided and {c["status"] for c in decided} <= {"cleared", "recommend_return"}
    assert {"id", "employee_no", "name", "ends_on", "days_left", "rechecks_passed", "status"} <= set(decided[0])
    dbmod.open_database(demo_copy, create=False)
    try:
        from app.storage.models import AuditEntry

        entry = AuditEntry.get(AuditEntry.action == "probation.sweep")
        assert entry.username == "admin" and len(json.loads(entry.new)) == len(decided)
    finally:
        dbmod.close_database()


def test_pay_and_awards_commands_answer_for_the_month(capsys, demo_db):
    code, out, _ = run(capsys, "pay", "--db", str(demo_db), "--month", "2026-10", "--format", "json")
    rows = json.loads(out)
    assert code == 0 and rows and rows[0]["failed_inspections"] >= 1 and rows[0]["items"]
    code, out, _ = run(capsys, "awards", "--db", str(demo_db), "--month", "2026-10")
    assert code == 0 and "微笑之星" in out and "流动红旗" in out


def test_the_entry_point_exits_2_with_one_line_on_bad_input(tmp_path):
    result = subprocess.run([sys.executable, "main.py", "rankings", "--db", str(tmp_path / "x.db"), "--month", "2026-13"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 2
    assert result.stderr.strip() == "错误: 月份格式错误: '2026-13', 应为 YYYY-MM, 例如 2026-10"
    assert not (tmp_path / "x.db").exists()


def test_settings_can_be_shown_and_changed_and_bad_values_change_nothing(capsys, demo_copy):
    code, out, _ = run(capsys, "settings", "show", "--db", demo_copy)
    assert code == 0 and "probation_days" in out and "优秀=95,良好=90,合格=85" in out
    assert run(capsys, "settings", "set", "probation_days", "45", "--db", demo_copy, "--user", "admin",
               "--reason", "局里要求延长")[0] == 0
    assert run(capsys, "settings", "set", "grades", "优=96，良=88", "--db", demo_copy, "--user", "admin",
               "--reason", "新考核办法")[0] == 0
    before = Path(demo_copy).read_bytes()
    for key, value, message in [("probation_days", "一个月", "无效"), ("grades", "优秀", "无效"),
                                ("probation_days", "0", "至少为 1"), ("colour", "red", "未知设置项")]:
        code, _, err = run(capsys, "settings", "set", key, value, "--db", demo_copy, "--user", "admin", "--reason", "试")
        assert code == 2 and message in err
    code, _, err = run(capsys, "settings", "set", "probation_days", "60", "--db", demo_copy, "--user", "admin", "--reason", " ")
    assert code == 2 and "必须填写理由" in err
    assert Path(demo_copy).read_bytes() == before
    code, out, _ = run(capsys, "settings", "show", "--db", demo_copy)
    assert "45" in out and "优=96,良=88" in out


def test_a_laptop_is_enrolled_and_its_results_travel_by_command_line(capsys, tmp_path, monkeypatch):
    from tests.helpers import enrolled_long_ago, on_laptop, with_database

    office, laptop, setup = tmp_path / "office.db", tmp_path / "laptop.db", tmp_path / "lap1.wpe"
    assert run(capsys, "demo", "--db", str(office), "--seed", "7", "--no-inspections")[0] == 0
    code, out, _ = run(capsys, "devices", "enrol", "--db", str(office), "--user", "admin", "--name", "巡查笔记本1",
                       "--inspectors", "xuncha1", "--out", str(setup))
    assert code == 0 and "main.py enrol" in out and setup.exists()
    code, out, _ = run(capsys, "enrol", str(setup), "--db", str(laptop))
    assert code == 0 and "巡查笔记本1" in out and "xuncha1" in out
    code, _, err = run(capsys, "enrol", str(setup), "--db", str(laptop))
    assert code == 2 and "不能再次使用" in err, "a set-up file enrols once"
    on_laptop(laptop, [("A01", "2026-10-05", ()), ("A02", "2026-10-06", ("DISC-07",))])
    with_database(str(office), enrolled_long_ago)
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "patrol123")
    code, out, _ = run(capsys, "export", "results", "--db", str(laptop), "--user", "xuncha1", "--out", str(tmp_path / "oct.wpr"))
    assert code == 0 and "已导出结果包: 2 条" in out
    code, _, err = run(capsys, "export", "results", "--db", str(laptop), "--user", "xuncha1", "--out", str(tmp_path / "again.wpr"))
    assert code == 2 and "没有新的" in err
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")
    code, out, _ = run(capsys, "import", "results", "--db", str(office), "--user", "admin", str(tmp_path / "oct.wpr"))
    assert code == 0 and re.search(r"新增 2, 更新 0, 未变 0, 冲突 0", out)
    code, out, _ = run(capsys, "import", "results", "--db", str(office), "--user", "admin", str(tmp_path / "oct.wpr"))
    assert code == 0 and re.search(r"新增 0, 更新 0, 未变 2, 冲突 0", out)
    assert _rankings_json(capsys, str(office)) == _rankings_json(capsys, str(laptop))
    code, out, _ = run(capsys, "devices", "list", "--db", str(office), "--user", "admin", "--format", "json")
    (device,) = json.loads(out)
    assert device["name"] == "巡查笔记本1" and device["inspections"] == 2 and device["packages"] == 2
    broken = tmp_path / "broken.wpr"
    broken.write_bytes((tmp_path / "oct.wpr").read_bytes()[:500])
    code, _, err = run(capsys, "import", "results", "--db", str(office), "--user", "admin", str(broken))
    assert code == 2 and "broken.wpr" in err and "损坏" in err


def test_roster_import_previews_unless_applied(capsys, demo_copy, tmp_path):
    code, out, _ = run(capsys, "roster", "template", "--db", demo_copy, "--out", str(tmp_path / "t.xlsx"))
    assert code == 0
    code, out, _ = run(capsys, "import", "roster", "--db", demo_copy, str(tmp_path / "t.xlsx"))
    assert code == 0 and "以上为预览" in out and "新增 人员 GW0001" not in out
    code, _, err = run(capsys, "import", "roster", "--db", demo_copy, "--user", "admin", str(tmp_path / "t.xlsx"), "--apply")
    assert code == 2 and "必须填写理由" in err
    code, out, err = run(capsys, "import", "roster", "--db", demo_copy, "--user", "admin", str(tmp_path / "t.xlsx"), "--apply",
                         "--reason", "11月花名册")
    assert code == 2 and "标为离岗" in err and "--confirm-unlisted" in err, "one person of eighty: asked again"
    code, out, _ = run(capsys, "import", "roster", "--db", demo_copy, "--user", "admin", str(tmp_path / "t.xlsx"), "--apply",
                       "--reason", "11月花名册", "--confirm-unlisted")
    assert code == 0 and "已写入数据库" in out and "警告: 将有 79 人" in out
    dbmod.open_database(demo_copy, create=False)
    try:
        assert Staff.get(Staff.employee_no == "GW0001").name == "张三"
    finally:
        dbmod.close_database()


def test_checklists_go_to_excel_and_back_as_a_new_version_only_when_edited(capsys, demo_copy, tmp_path):
    from openpyxl import load_workbook

    book = tmp_path / "cl.xlsx"
    assert run(capsys, "checklists", "export", "--db", demo_copy, "--out", str(book))[0] == 0
    code, out, _ = run(capsys, "checklists", "import", "--db", demo_copy, "--user", "admin", str(book))
    assert code == 0 and "内容未变化" in out
    wb = load_workbook(book)
    wb["检查项"]["H2"] = -3
    wb.save(book)
    code, _, err = run(capsys, "checklists", "import", "--db", demo_copy, "--user", "admin", str(book))
    assert code == 2 and "cl.xlsx 表“检查项” 第2行 H列(扣分): 不能为负数" in err


def test_an_inspector_named_on_the_command_line_sees_only_their_own_inspections(capsys, demo_db, monkeypatch):
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "patrol123")
    code, out, _ = run(capsys, "inspections", "--db", str(demo_db), "--month", "2026-10", "--user", "xuncha1",
                       "--format", "json")
    mine = json.loads(out)
    code, out, _ = run(capsys, "inspections", "--db", str(demo_db), "--month", "2026-10", "--format", "json")
    everyone = json.loads(out)
    assert code == 0 and 0 < len(mine) < len(everyone)
    assert {r["inspector"] for r in mine} == {"巡查员 李明"}


def test_an_inspector_named_on_the_command_line_exports_and_prints_only_their_own(capsys, demo_db, monkeypatch, tmp_path):
    from app.storage.models import Inspection, User

    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "patrol123")
    dbmod.open_database(str(demo_db), create=False)
    try:
        me = User.get(User.username == "xuncha1")
        mine = Inspection.select().where((Inspection.inspector == me) & (Inspection.status == "final")
                                         & (Inspection.passed == False)).first()  # noqa: E712 — a notice has something to say
        theirs = Inspection.select().where((Inspection.inspector != me) & (Inspection.status == "final")).first()
    finally:
        dbmod.close_database()
    db, out = str(demo_db), tmp_path / "x.pdf"
    for argv in (["excel", "--month", "2026-10"], ["ranking-pdf", "--month", "2026-10"],
                 ["photos", "--from", "2026-10-01", "--to", "2026-10-31"]):
        suffix = ".zip" if argv[0] == "photos" else ".xlsx" if argv[0] == "excel" else ".pdf"
        code, _, err = run(capsys, "export", argv[0], "--db", db, "--user", "xuncha1", *argv[1:], "--out",
                           str(tmp_path / f"a{suffix}"))
        assert code == 2 and "由管理员导出" in err, argv[0]
    code, _, err = run(capsys, "export", "notice-pdf", "--db", db, "--user", "xuncha1", "--inspection", str(theirs.id),
                       "--out", str(out))
    assert code == 2 and "只能打印本人" in err and not out.exists()
    code, _, _ = run(capsys, "export", "notice-pdf", "--db", db, "--user", "xuncha1", "--inspection", str(mine.id),
                     "--out", str(out))
    assert code == 0 and out.exists()
    for command in (["rankings", "--month", "2026-10"], ["pay", "--month", "2026-10"], ["probation"],
                    ["awards", "--month", "2026-10"]):
        code, _, err = run(capsys, *command, "--db", db, "--user", "xuncha1")
        assert code == 2 and "无权" in err, command[0]
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")
    assert run(capsys, "rankings", "--month", "2026-10", "--db", db, "--user", "admin")[0] == 0
