"""A district of centres in one database: centres ranked as units, each centre seeing only its own."""

from __future__ import annotations

import pytest

from app import periods
from app.centres import district, scope
from app.errors import PatrolError, PermissionDenied
from app.people.accounts import create_user
from app.results import centre_ranking, probation, rankings
from app.setup.centres import add_centre, create_centre
from app.storage.models import Area, Staff, Window
from exports.print_fit import cut_cells
from tests.conftest import at
from tests.helpers import FAILING, inspect

OCT = periods.month("2026-10")


class District:
    """Four inspected centres of the three kinds and one never inspected, each with windows A01 and A02
    (the same codes in every centre) and a person at each."""

    def __init__(self):
        self.home = create_centre("D01", "区政务服务中心")
        self.boss = create_user("qu", "区政务服务办公室", "manager", "secret9")
        self.centres = {"D01": self.home}
        for code, name, kind in (("B1", "外设分中心", "branch"), ("S1", "甲街道中心", "street"),
                                 ("S2", "乙街道中心", "street"), ("S3", "丙镇中心", "street")):
            self.centres[code] = add_centre(self.boss, code, name, kind, "全区推行")
        self.windows, self.people = {}, {}
        for code, centre in self.centres.items():
            area = Area.create(centre=centre, code="A", name="大厅")
            for w in ("A01", "A02"):
                window = Window.create(area=area, code=w, name=f"{w}窗口", window_type="综合窗口", department="中心")
                self.windows[(code, w)] = window
                self.people[(code, w)] = Staff.create(employee_no=f"{code}-{w}", name=f"{code}{w}人员", gender="F",
                                                      employer="某劳务公司", window=window)
        self.inspector = create_user("mingcha", "明查暗访组", "inspector", "secret8")  # the district's team

    def inspect(self, centre: str, window: str, day: str, fail=()):
        return inspect(self.windows[(centre, window)], self.inspector, self.people[(centre, window)], at(day), fail=fail)


@pytest.fixture
def county(database):
    return District()


def _hand_checked_october(d: District) -> None:
    d.inspect("D01", "A01", "2026-10-05")  # 100
    d.inspect("D01", "A01", "2026-10-12")  # 100
    d.inspect("D01", "A02", "2026-10-06", FAILING)  # 84: a fail, opens a case
    d.inspect("B1", "A01", "2026-10-07", ("DISC-07",))  # 95
    d.inspect("B1", "A02", "2026-10-07", ("DISC-07",))  # 95
    d.inspect("S1", "A01", "2026-10-08")  # 100, one window of two
    d.inspect("S2", "A01", "2026-10-09", ("DISC-07",))  # 95
    d.inspect("S2", "A02", "2026-10-09", ("DISC-07",))  # 95: equal to B1 on every figure


def test_centres_are_ranked_by_average_then_coverage_then_pass_rate_with_shared_ranks(county):
    _hand_checked_october(county)
    rows = centre_ranking.rank_centres(OCT)
    assert [(r.rank, r.code) for r in rows] == [(1, "S1"), (2, "B1"), (2, "S2"), (4, "D01"), (0, "S3")]
    by = {r.code: r for r in rows}
    # D01: (100 + 100 + 84) / 3 = 94.67; both windows inspected; 2 of 3 passed; one case opened.
    d = by["D01"]
    assert (d.average_score, d.inspections, d.covered, d.windows, d.coverage) == (94.67, 3, 2, 2, 1.0)
    assert (d.pass_rate, d.cases_opened, d.on_probation, d.staff, d.probation_share) == (0.6667, 1, 1, 2, 0.5)
    assert (by["S1"].average_score, by["S1"].coverage, by["S1"].pass_rate) == (100.0, 0.5, 1.0)
    assert (by["B1"].average_score, by["B1"].coverage) == (95.0, 1.0) and by["B1"].kind == "分中心"
    assert (by["S3"].inspections, by["S3"].average_score, by["S3"].coverage) == (0, None, 0.0)
    # Two inspections a window to count as covered: only D01's A01.
    again = {r.code: r for r in centre_ranking.rank_centres(OCT, required=2)}
    assert (again["D01"].covered, again["B1"].covered) == (1, 0)
    assert "并列" in centre_ranking.METHOD


def test_windows_and_staff_rank_across_the_district_and_within_a_centre(county):
    _hand_checked_october(county)
    across = rankings.rank(OCT, "window", centre_id=None)
    assert len(across) == 7, "seven inspected windows, five of them called A01 or A02 in other centres"
    assert [(r.rank, r.extra["centre_code"], r.code) for r in across][:2] == [(1, "D01", "A01"), (2, "S1", "A01")], \
        "both at 100; more inspections first"
    b1, s1 = county.centres["B1"].id, county.centres["S1"].id
    own = rankings.rank(OCT, "window", centre_id=b1)
    assert [(r.code, r.average_score) for r in own] == [("A01", 95.0), ("A02", 95.0)]
    assert [c for c, _ in rankings.never_inspected(OCT, "window", centre_id=b1)] == []
    assert [c for c, _ in rankings.never_inspected(OCT, "window", centre_id=s1)] == ["A02"]
    assert [r.code for r in rankings.rank(OCT, "staff", centre_id=s1)] == ["S1-A01"]
    with pytest.raises(PatrolError, match="请先选择中心"):
        rankings.rank(OCT, "window")  # in a district, a call that names no centre is refused


def test_a_centre_manager_sees_only_their_centre(county):
    from app.people import accounts

    _hand_checked_october(county)
    create_user("s2boss", "乙街道中心管理员", "manager", "secret7", centre=county.centres["S2"])
    s2 = scope.signed_in(accounts.authenticate("s2boss", "secret7"))
    assert s2.centre_id == county.centres["S2"].id
    with pytest.raises(PermissionDenied, match="不能查看或修改其他中心"):
        scope.signed_in(s2.user, "S1")
    assert [(r.code, r.inspections) for r in rankings.rank(OCT, "window",
                                                           centre_id=s2.centre_id)] == [("A01", 1), ("A02", 1)]
    assert probation.case_rows(OCT.last_day, centre_id=s2.centre_id) == [], "D01's case is not S2's"
    with pytest.raises(PermissionDenied):
        add_centre(s2.user, "S9", "新中心", "street", "试")
    district_view = scope.signed_in(accounts.authenticate("qu", "secret9"))
    assert district_view.centre_id is None
    assert [r.employee_no for r in probation.case_rows(OCT.last_day, centre_id=None)] == ["D01-A02"]


def test_adding_a_centre_is_checked_and_audited(county):
    from app import audit

    with pytest.raises(PatrolError, match="已存在"):
        add_centre(county.boss, "B1", "重复", "branch", "试")
    with pytest.raises(PatrolError, match="中心类型"):
        add_centre(county.boss, "X1", "某中心", "city", "试")
    with pytest.raises(PatrolError, match="理由"):
        add_centre(county.boss, "X1", "某中心", "street", " ")
    assert sorted(e.target for e in audit.entries() if e.action == "centre.add") == [
        "centre:B1", "centre:S1", "centre:S2", "centre:S3"]


def test_command_line_ranks_the_centres_and_steps_into_one(county, db_target, capsys, monkeypatch):
    import json

    from app.storage import db as dbmod
    from cli import main

    _hand_checked_october(county)
    create_user("s2boss", "乙街道中心管理员", "manager", "secret7", centre=county.centres["S2"])
    dbmod.close_database()
    try:
        base = ["--db", db_target]
        assert main(["centres", "list", *base]) == 0
        listed = capsys.readouterr().out
        assert "分中心" in listed and "丙镇中心" in listed
        assert main(["rankings", "--month", "2026-10", "--by", "centre", "--format", "json", *base]) == 0
        got = [(r["rank"], r["code"], r["average_score"]) for r in json.loads(capsys.readouterr().out)]
        assert got == [(1, "S1", 100.0), (2, "B1", 95.0), (2, "S2", 95.0), (4, "D01", 94.67), (0, "S3", None)]
        assert main(["rankings", "--month", "2026-10", "--by", "centre", *base]) == 0
        assert "排名方法" in capsys.readouterr().out
        assert main(["rankings", "--month", "2026-10", "--centre", "S1", "--format", "json", *base]) == 0
        assert [r["code"] for r in json.loads(capsys.readouterr().out)] == ["A01"]
        monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "secret7")
        assert main(["rankings", "--month", "2026-10", "--by", "centre", "--user", "s2boss", *base]) == 2
        assert "区级管理员" in capsys.readouterr().err
        assert main(["rankings", "--month", "2026-10", "--centre", "S1", "--user", "s2boss", *base]) == 2
        assert "不能查看或修改其他中心" in capsys.readouterr().err
        assert main(["rankings", "--month", "2026-10", "--user", "s2boss", "--format", "json", *base]) == 0
        assert [r["average_score"] for r in json.loads(capsys.readouterr().out)] == [95.0, 95.0]
        assert main(["rankings", "--month", "2026-10", "--centre", "NOPE", *base]) == 2
        assert "未知中心编码" in capsys.readouterr().err
    finally:
        dbmod.open_database(db_target)


def test_district_workbook_and_pdf_for_the_office_and_paper_that_verifies_from_any_view(county, tmp_path):
    from python_calamine import CalamineWorkbook

    from app.loop import verify
    from exports import jobs

    _hand_checked_october(county)
    book, sheet = tmp_path / "district.xlsx", tmp_path / "district.pdf"
    assert "5 个中心" in jobs.district_excel(book, "2026-10")
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("各中心排名").to_python()
    assert [(r[0], r[1]) for r in rows[1:6]] == [(1, "S1"), (2, "B1"), (2, "S2"), (4, "D01"), ("—", "S3")]
    assert any(str(r[0]).startswith("排名方法") for r in rows[6:])
    across = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("全区窗口排名").to_python()
    assert across[0][:3] == ["名次", "中心", "窗口编号"] and len([r for r in across[1:] if r[2] in ("A01", "A02")]) == 7
    assert cut_cells(book) == [], [str(c) for c in cut_cells(book)][:5]
    jobs.district_pdf(sheet, "2026-10")
    s1 = county.centres["S1"].id
    paper = verify.payload("R", "2026-10.centre", centre_id=None)
    assert verify.verify(paper, centre_id=s1).matches  # verified by someone looking at one centre
    centre_sheet = verify.payload("R", verify.ranking_ident("2026-10", "window", centre_id=s1), centre_id=s1)
    assert ".window@S1" in centre_sheet
    assert verify.verify(centre_sheet, centre_id=None).matches, "a centre's ranking verifies from the district's view"
    county.inspect("S1", "A02", "2026-10-20", FAILING)
    assert not verify.verify(centre_sheet, centre_id=None).matches and not verify.verify(paper, centre_id=s1).matches


def test_a_centre_manager_manages_only_their_centres_accounts(county):
    from app.people import accounts

    s2boss = create_user("s2boss", "乙街道中心管理员", "manager", "secret7", centre=county.centres["S2"])
    s2xc = accounts.add_account(s2boss, "s2xc", "乙街道巡查员", "inspector", "secret6")
    assert s2xc.centre_id == county.centres["S2"].id
    accounts.manage_account(s2boss, s2xc, active=False)
    for other in (county.boss, county.inspector):  # the district's manager and its 明查暗访 team
        with pytest.raises(PermissionDenied, match="不属于本中心"):
            accounts.manage_account(s2boss, other, active=False)
    accounts.manage_account(county.boss, s2xc, active=True)  # the district's manager may
    from app.storage.models import User

    s2 = county.centres["S2"].id
    assert {u.username for u in User.select().where(scope.accounts(s2, s2boss))} == {"s2boss", "s2xc"}
    assert "qu" in {u.username for u in User.select().where(scope.accounts(s2, county.boss))}


def test_the_district_gives_its_settings_to_the_centres_from_next_month(county):
    import datetime as dt

    from app.centres.settings import load_settings, next_month_start, save_settings
    from app.storage.models import AuditEntry

    today = dt.date.today()
    ahead = next_month_start(today)
    mine = load_settings(ahead, county.home.id)
    mine.bonus_cap, mine.red_flag_windows = 3.0, 5
    save_settings(mine, county.boss, "区中心先行", centre_id=county.home.id)
    spread = {s.name: s for s in district.settings_spread()}
    assert spread["bonus_cap"].differing == ("B1", "S1", "S2", "S3") and spread["probation_days"].differing == ()
    changed = district.push_settings(county.boss, ["bonus_cap", "red_flag_windows"], None, "全区统一加分上限")
    assert changed == {c: ["bonus_cap", "red_flag_windows"] for c in ("B1", "S1", "S2", "S3")}
    s1 = county.centres["S1"].id
    assert load_settings(ahead, s1).bonus_cap == 3.0 and load_settings(today, s1).bonus_cap == 5.0, "this month keeps its rules"
    assert load_settings(None, s1).red_flag_windows == 5
    rules = AuditEntry.select().where((AuditEntry.action == "settings.rules") & AuditEntry.reason.contains("全区统一"))
    assert rules.count() == 4
    assert district.push_settings(county.boss, ["bonus_cap"], None, "再来一次") == {}, "nothing left to change"
    with pytest.raises(PatrolError, match="推行的来源"):
        district.push_settings(county.boss, ["bonus_cap"], ["D01"], "给自己")
    s1boss = create_user("s1boss", "甲街道管理员", "manager", "secret7", centre=county.centres["S1"])
    with pytest.raises(PermissionDenied):
        district.push_settings(s1boss, ["bonus_cap"], None, "街道想统一全区")
    late = add_centre(county.boss, "S4", "丁镇中心", "street", "新设")
    assert load_settings(ahead, late.id).bonus_cap == 3.0, "a new centre starts on the district centre's schedule of rules"
