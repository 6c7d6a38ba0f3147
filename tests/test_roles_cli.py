"""Every command in `main.py --help`, tried without --user and as an inspector: which are allowed, and why.
The table below is the specification; cli.policy.RULES is what enforces it."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

import cli
from app.storage import db as dbmod
from app.storage.models import Inspection, ProbationCase
from cli.parser import build_parser
from cli.policy import GROUPS, RULES

OK, REFUSED = 0, 2

# command words -> (arguments after the command words, without --user, as inspector xuncha1, why)
EXPECTED = {
    "demo": ([], REFUSED, REFUSED, "只能建在空数据库上"),
    "enrol": (["{setup}"], REFUSED, REFUSED, "只能登记到空数据库"),
    "verify": (["{payload}"], OK, OK, "核验纸件, 只读"),
    "checklists validate": ([], OK, OK, "只读文件"),
    "checklists list": ([], OK, OK, "只读"),
    "checklists export": (["--out", "{tmp}/cl.xlsx"], OK, OK, "只读"),
    "checklists load": (["--reason", "试"], REFUSED, REFUSED, "管理员修改检查表"),
    "checklists import": (["{tmp}/cl0.xlsx", "--reason", "试"], REFUSED, REFUSED, "管理员修改检查表"),
    "checklists extend": (["{tmp}/cl0.xlsx", "--reason", "试"], REFUSED, REFUSED, "管理员修改本中心检查表"),
    "checklists adopt": (["WINDOW", "--reason", "试"], REFUSED, REFUSED, "管理员修改本中心设置"),
    "settings show": ([], OK, OK, "只读"),
    "settings set": (["probation_days", "40", "--reason", "试"], REFUSED, REFUSED, "管理员修改设置"),
    "settings push": (["bonus_cap", "--reason", "试"], REFUSED, REFUSED, "区级管理员统一各中心设置"),
    "rankings": (["--month", "2026-10"], OK, REFUSED, "巡查员不看排名"),
    "awards": (["--month", "2026-10"], OK, REFUSED, "巡查员不看评优"),
    "pay": (["--month", "2026-10"], OK, REFUSED, "巡查员不看扣发名单"),
    "probation": (["--as-of", "2026-12-31"], OK, REFUSED, "列出不写入; 巡查员不看"),
    "probation --sweep": (["--as-of", "2026-12-31"], REFUSED, REFUSED, "写入: 管理员"),
    "inspections": (["--month", "2026-10"], OK, OK, "巡查员只看自己的"),
    "export": (["--month", "2026-10", "--out", "{tmp}/m.xlsx"], OK, REFUSED, "月度工作簿属管理"),
    "export results": (["--out", "{tmp}/r.wpr"], REFUSED, OK, "巡查员导出自己的记录"),
    "import results": (["{tmp}/none.wpr"], REFUSED, REFUSED, "管理员导入"),
    "import roster": (["{tmp}/roster.xlsx"], OK, OK, "只预览"),
    "import roster --apply": (["{tmp}/roster.xlsx", "--reason", "试"], REFUSED, REFUSED, "管理员修改名单"),
    "import ratings": (["{tmp}/ratings.xlsx", "--month", "2026-10"], OK, OK, "只预览"),
    "import ratings --apply": (["{tmp}/ratings.xlsx", "--month", "2026-10"], REFUSED, REFUSED, "管理员写入好差评"),
    "import update": (["{tmp}/none.wpu"], REFUSED, REFUSED, "巡查员在笔记本上应用 (这里不是笔记本)"),
    "rectifications": ([], OK, REFUSED, "巡查员不看整改项"),
    "rectify": (["1", "--note", "试"], REFUSED, REFUSED, "管理员确认整改"),
    "calendar set": (["2026-10-01", "--kind", "holiday", "--reason", "试"], REFUSED, REFUSED, "管理员改节假日"),
    "calendar list": ([], OK, OK, "节假日人人可读"),
    "appeal add": (["{inspection}", "--items", "DISC-07", "--reason", "试"], REFUSED, REFUSED, "管理员登记申诉"),
    "appeal decide": (["1", "--reject", "--reason", "试"], REFUSED, REFUSED, "管理员复核申诉"),
    "appeal list": ([], OK, REFUSED, "巡查员不看申诉"),
    "publish": (["--month", "2026-10"], REFUSED, REFUSED, "管理员发布排名"),
    "publish --show": (["--month", "2026-10"], OK, OK, "只显示能否发布"),
    "approvals list": ([], OK, REFUSED, "巡查员不看审批"),
    "approvals approve": (["1", "--reason", "试"], REFUSED, REFUSED, "管理员批准"),
    "approvals reject": (["1", "--reason", "试"], REFUSED, REFUSED, "管理员驳回"),
    "roster template": (["--out", "{tmp}/roster.xlsx"], OK, OK, "空白模板"),
    "amend": (["--inspection", "{inspection}", "--set", "DISC-07=fail", "--reason", "试"], REFUSED, REFUSED, "管理员"),
    "decide": (["--case", "{case}", "--clear", "--reason", "试"], REFUSED, REFUSED, "管理员"),
    "conflicts list": ([], REFUSED, REFUSED, "管理员"),
    "conflicts resolve": (["1", "--keep-current", "--reason", "试"], REFUSED, REFUSED, "管理员"),
    "backup": (["--out", "{tmp}"], REFUSED, REFUSED, "备份属管理员"),
    "restore": (["{tmp}/none.db"], REFUSED, REFUSED, "恢复属管理员"),
    "audit": ([], REFUSED, REFUSED, "审计属管理员"),
    "devices list": ([], REFUSED, REFUSED, "设备登记属管理员"),
    "centres list": ([], OK, OK, "中心名单人人可读"),
    "conduct add": (["GW0001", "complaint", "--date", "2026-10-05", "--description", "投诉"], REFUSED, REFUSED,
                    "管理员登记违规"),
    "conduct withdraw": (["1", "--reason", "试"], REFUSED, REFUSED, "管理员撤销违规"),
    "conduct list": ([], OK, REFUSED, "巡查员不看违规记录"),
    "conduct kinds": ([], OK, OK, "类别人人可读"),
    "praise add": (["GW0001", "banner", "--date", "2026-10-05", "--description", "锦旗"], REFUSED, REFUSED,
                   "管理员登记表扬"),
    "praise withdraw": (["1", "--reason", "试"], REFUSED, REFUSED, "管理员撤销表扬"),
    "praise list": ([], OK, REFUSED, "巡查员不看表扬记录"),
    "praise kinds": ([], OK, OK, "类别人人可读"),
    "votes set": (["2026-10", "群众评议", "A01=90", "--reason", "试"], REFUSED, REFUSED, "管理员录入评分"),
    "votes list": (["2026-10"], OK, REFUSED, "巡查员不看评分"),
    "schemes validate": ([], OK, OK, "只读文件"),
    "schemes load": (["resources/schemes/ruoqiang_annual.toml", "--reason", "试"], REFUSED, REFUSED, "管理员改方案"),
    "schemes list": ([], OK, OK, "方案人人可读"),
    "schemes show": ([], OK, OK, "方案人人可读"),
    "assess": (["--month", "2026-10"], OK, REFUSED, "巡查员不看考核成绩"),
    "centres add": (["S9", "某街道中心", "--kind", "street", "--reason", "试"], REFUSED, REFUSED, "区级管理员"),
    "centres office-key": ([], OK, OK, "只显示公钥"),
    "centres trust": (["DEMO", "CXXXX", "0" * 64, "--reason", "试"], REFUSED, REFUSED, "区级管理员"),
    "export centre-month": (["--month", "2026-10", "--out", "{tmp}/m.wpr"], REFUSED, REFUSED, "管理员报送"),
    "devices enrol": (["--name", "x", "--inspectors", "xuncha1", "--out", "{tmp}/x.wpe"], REFUSED, REFUSED, "管理员"),
    "devices revoke": (["DXXXX", "--reason", "试"], REFUSED, REFUSED, "管理员"),
    "devices end-legacy": (["--reason", "试"], REFUSED, REFUSED, "管理员"),
    "devices update": (["--all", "--out", "{tmp}"], REFUSED, REFUSED, "管理员"),
    "devices inspectors": (["DXXXX", "--set", "xuncha1", "--reason", "试"], REFUSED, REFUSED, "管理员"),
    "selftest": (None, None, None, "临时数据库, 不碰用户数据 (另有测试运行它)"),
}
# The export kind tried as "export" (the others follow listing.require_export, tested with the reports).
WORDS_TO_ARGV = {"export": ["export", "excel"], "probation --sweep": ["probation", "--sweep"],
                 "import roster --apply": ["import", "roster", "--apply"],
                 "import ratings --apply": ["import", "ratings", "--apply"],
                 "publish --show": ["publish", "--show"]}


def commands_in_help() -> set[str]:
    """Every command and action the parser offers, as command words."""
    parser = build_parser()
    (top,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    words = set()
    for name, sub in top.choices.items():
        inner = [a for a in sub._actions if isinstance(a, argparse._SubParsersAction)]
        if name in GROUPS:
            words |= {f"{name} {action}" for action in inner[0].choices}
        else:
            words.add(name)
    return words | {"export results", "export centre-month", "probation --sweep", "import roster --apply",
                    "import ratings --apply", "publish --show"}


def test_every_command_in_help_has_a_rule_and_an_expectation():
    assert commands_in_help() == set(RULES) == set(EXPECTED)


@pytest.fixture(scope="module")
def office(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("roles")
    path = tmp / "office.db"
    assert cli.main(["demo", "--db", str(path), "--seed", "7", "--month", "2026-10"]) == 0
    dbmod.open_database(str(path))
    from app.exchange.devices import enrol_device
    from app.loop import verify
    from app.storage.models import User

    insp = Inspection.select().order_by(Inspection.id).first()
    values = {"tmp": str(tmp), "inspection": insp.uuid, "case": str(ProbationCase.select().first().id),
              "payload": verify.payload("I", insp.uuid), "setup": str(tmp / "lap.wpe")}
    enrol_device(User.get(User.username == "admin"), "巡查笔记本1", ["xuncha1"], tmp / "lap.wpe")
    dbmod.close_database()
    assert cli.main(["roster", "template", "--out", str(tmp / "roster.xlsx")]) == 0
    from tests.test_ratings import write_ratings

    write_ratings(tmp / "ratings.xlsx", [["A01", "GW0001", "满意", "2026-10-08 10:00"]])
    assert cli.main(["checklists", "export", "--db", str(path), "--out", str(tmp / "cl0.xlsx")]) == 0
    return path, values


@pytest.mark.parametrize("words", sorted(w for w in EXPECTED if w != "selftest"))
def test_each_command_without_user_and_as_an_inspector(words, office, monkeypatch, capsys):
    path, values = office
    rest, without, as_inspector, _why = EXPECTED[words]
    argv = WORDS_TO_ARGV.get(words, words.split()) + [a.format(**values) for a in rest] + ["--db", str(path)]
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "patrol123")
    got_without = cli.main(argv)
    err_without = capsys.readouterr().err
    got_inspector = cli.main(argv + ["--user", "xuncha1"])
    err_inspector = capsys.readouterr().err
    assert (got_without, got_inspector) == (without, as_inspector), (err_without, err_inspector)
    level = RULES[words].level
    if level in ("manager", "inspector"):
        assert "--user" in err_without, "a write names its user"
    if level == "manager":
        assert "无权" in err_inspector and "管理员" in err_inspector
    if level == "setup":
        assert "空" in err_without or "已有数据" in err_without


def test_a_wrong_password_is_refused_before_any_command_reads(office, monkeypatch, capsys):
    path, _ = office
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "not-it")
    assert cli.main(["audit", "--db", str(path), "--user", "admin"]) == REFUSED
    assert "密码错误" in capsys.readouterr().err
    assert cli.main(["rankings", "--month", "2026-10", "--db", str(path), "--user", "admin"]) == REFUSED


def test_an_inspector_exports_only_their_own_inspections_on_the_office_database(office, monkeypatch, tmp_path):
    import json
    import zipfile

    path, _ = office
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "patrol123")
    out = tmp_path / "mine.wpr"
    assert cli.main(["export", "results", "--since", "2026-10-01", "--out", str(out), "--db", str(path), "--user", "xuncha2"]) == 0
    with zipfile.ZipFile(out) as zf:
        inspectors = {json.loads(line)["inspector"] for line in zf.read("inspections.jsonl").decode().splitlines()}
        assert json.loads(zf.read("manifest.json"))["inspectors"] == ["xuncha2"]
    assert inspectors == {"xuncha2"}
    assert Path(out).exists()
