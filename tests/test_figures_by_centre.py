"""Each centre's figures are its own, to the day: in a district of two street centres whose windows share
codes, a centre's ranking, its left-out, too-few and never-inspected windows, its 微笑之星, its publication
status and the paper's draft mark count its own records only; publishing and re-opening are audited as
that centre's. Every boundary is tried on the day itself (the last day of an appeal window, the first day
of a month)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app import periods
from app.assessment import assess as assessing
from app.centres import workdays
from app.centres.settings import load_settings, parse_value, save_settings
from app.errors import NeedsApproval, PatrolError, PermissionDenied
from app.loop import appeals, publishing, rectification
from app.patrolling import records
from app.people.accounts import create_user
from app.results import probation, rankings
from app.setup.centres import add_centre, create_centre
from app.storage.models import Area, AuditEntry, ProbationCase, Rectification, Staff, Window
from tests.helpers import FAILING, inspect

OCT = periods.month("2026-10")
VETO = ("DISC-19",)  # a veto (一票否决): 80


def _when(day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, 10, day, hour)


class District:
    """JD1: A01 patrolled twice (100), A02 twice with a veto, A03 once, A04 never; JD2: A01 once with a
    veto on the 30th, A02 once. The same window codes in both."""

    def __init__(self):
        self.home = create_centre("D01", "区政务服务中心")
        self.boss = create_user("qu", "区政务服务办公室", "manager", "secret9")
        self.centres, self.windows, self.people, self.managers, self.inspectors = {}, {}, {}, {}, {}
        for code in ("JD1", "JD2"):
            centre = add_centre(self.boss, code, f"{code}街道中心", "street", "全区推行")
            self.centres[code] = centre
            self.managers[code] = create_user(f"{code.lower()}admin", f"{code}管理员", "manager", "secret9", centre=centre)
            self.inspectors[code] = create_user(f"{code.lower()}xc", f"{code}巡查员", "inspector", "secret9", centre=centre)
            area = Area.create(centre=centre, code="A", name="大厅")
            for n in range(1, 5):
                window = Window.create(area=area, code=f"A0{n}", name=f"{code}综合窗口{n}", window_type="综合窗口",
                                       department="中心")
                self.windows[code, n] = window
                self.people[code, n] = Staff.create(employee_no=f"{code}-0{n}", name=f"{code}人员{n}", gender="F",
                                                    employer="某劳务公司", window=window)
        rules = load_settings(None, centre_id=self.centres["JD1"].id)
        rules.ranking_min_inspections, rules.veto_ranking = 2, "不参加排名"
        rules.smile_star_min_inspections = 2
        save_settings(rules, centre_id=self.centres["JD1"].id)
        for n, days, fail in ((1, (5, 6), ()), (2, (7, 8), VETO), (3, (9,), ())):
            for day in days:
                self.patrol("JD1", n, _when(day), fail if day == days[-1] else ())
        self.patrol("JD2", 1, _when(30), VETO)
        self.patrol("JD2", 2, _when(29), FAILING)

    def patrol(self, code: str, n: int, when: dt.datetime, fail=()):
        return inspect(self.windows[code, n], self.inspectors[code], self.people[code, n], when, fail=fail)


@pytest.fixture
def district(database):
    return District()


def test_a_centres_ranking_and_its_lists_of_the_unranked_count_its_own_windows_only(district):
    jd1, jd2 = district.centres["JD1"].id, district.centres["JD2"].id
    assert [(r.rank, r.code, r.average_score) for r in rankings.rank(OCT, "window", centre_id=jd1)] == [(1, "A01", 100)]
    assert [r.code for r in rankings.left_out(OCT, "window", centre_id=jd1)] == ["A02"]
    assert [r.code for r in rankings.too_few(OCT, "window", centre_id=jd1)] == ["A03"]
    assert rankings.never_inspected(OCT, "window", centre_id=jd1) == [("A04", "JD1综合窗口4")]
    district.patrol("JD1", 4, dt.datetime(2026, 9, 30, 10))  # September's patrol does not count in October
    assert rankings.never_inspected(OCT, "staff", centre_id=jd1) == [("JD1-04", "JD1人员4")]
    assert [(u.why, u.code, u.name, u.inspections, u.detail) for u in rankings.unranked(OCT, "window", centre_id=jd1)] == [
        ("样本不足", "A03", "JD1综合窗口3", 1, "巡查 1 次, 少于 2 次"),
        ("一票否决", "A02", "JD1综合窗口2", 2, "一票否决 1 次, 按规定不参加排名"),
        ("本期未巡查", "A04", "JD1综合窗口4", 0, "本期没有已定稿的巡查记录")]
    # JD2 ranks every inspected window (one patrol is enough there) and its veto last.
    assert [(r.code, r.vetoes) for r in rankings.rank(OCT, "window", centre_id=jd2)] == [("A02", 0), ("A01", 1)]
    assert rankings.never_inspected(OCT, "window", centre_id=jd2) == [("A03", "JD2综合窗口3"), ("A04", "JD2综合窗口4")]
    assert [r.code for r in rankings.smile_stars(OCT, centre_id=jd1)] == ["JD1-01"]


def test_the_printed_ranking_rule_names_the_minimum_of_patrols_only_where_there_is_one(district):
    jd1, jd2 = district.centres["JD1"].id, district.centres["JD2"].id
    jd1_rule = rankings.tie_breaks(centre_id=jd1)
    assert jd1_rule.startswith("有一票否决者不参加排名, 另列; ") and jd1_rule.endswith("; 巡查少于 2 次者样本不足, 不参加排名, 另列")
    assert "样本不足" not in rankings.tie_breaks(centre_id=jd2) and "有一票否决者排在其他之后" in rankings.tie_breaks(centre_id=jd2)


def test_a_centres_publication_waits_for_its_own_appeal_window_only(district):
    jd1, jd2 = district.centres["JD1"].id, district.centres["JD2"].id
    first_of_november = OCT.end
    assert publishing.status(OCT, today=OCT.last_day, centre_id=jd1).why_not == ("2026年10月尚未结束",)
    ready = publishing.status(OCT, today=first_of_november, centre_id=jd1)
    assert ready.ready is True and ready.why_not == (), "JD1's last patrol was on the 9th"
    last = district.patrol("JD2", 2, _when(30, 15))
    closes = appeals.deadline(last)
    waiting = publishing.status(OCT, today=closes, centre_id=jd2)
    assert waiting.ready is False and waiting.why_not == (f"申诉期到{periods.cn_date(closes)}结束",)
    assert publishing.draft_mark(OCT, centre_id=jd2, today=closes) == f"未定稿: 申诉期到{periods.cn_date(closes)}结束"
    assert publishing.status(OCT, today=closes + dt.timedelta(days=1), centre_id=jd2).ready is True
    assert publishing.draft_mark(OCT, centre_id=jd1, today=first_of_november) == "未定稿: 尚未发布"


def test_publishing_and_re_opening_are_the_centres_own_acts_in_the_audit(district):
    jd1 = district.centres["JD1"].id
    manager = district.managers["JD1"]
    done = publishing.publish(manager, OCT, today=OCT.end, centre_id=jd1)
    assert (done.centre_id, done.period, done.published_by) == (jd1, "2026-10", manager.username)
    assert publishing.draft_mark(OCT, centre_id=jd1, today=OCT.end) == ""
    assert publishing.status(OCT, centre_id=district.centres["JD2"].id, today=OCT.end).published is False
    entry = AuditEntry.get(AuditEntry.action == "ranking.publish")
    assert (entry.centre_code, entry.username, entry.target) == ("JD1", manager.username, "ranking:2026-10")
    assert json.loads(entry.new) == {"windows": 1, "fingerprint": done.fingerprint, "approved_by": "",
                                     "first": "A01 100.00"}
    assert entry.reason == "2026年10月申诉期结束, 申诉均已复核"
    publishing.reopen(manager, OCT, "更正一条记录", today=OCT.end, centre_id=jd1)
    entry = AuditEntry.get(AuditEntry.action == "ranking.reopen")
    assert (entry.centre_code, entry.username, entry.reason) == ("JD1", manager.username, "更正一条记录")
    assert json.loads(entry.old) == {"published_by": manager.username, "fingerprint": done.fingerprint, "approved_by": "",
                                     "published_at": f"{done.published_at:%Y-%m-%d %H:%M}"}
    assert publishing.status(OCT, today=OCT.end, centre_id=jd1).published is False


def test_re_opening_needs_the_second_manager_where_that_centre_requires_one(district):
    jd1 = district.centres["JD1"].id
    rules = load_settings(None, centre_id=jd1)
    rules.second_approval = True
    save_settings(rules, centre_id=jd1)
    manager = district.managers["JD1"]
    create_user("jd1admin2", "JD1另一管理员", "manager", "secret9", centre=district.centres["JD1"])
    publishing.publish(manager, OCT, today=OCT.end, centre_id=jd1, approved_by="jd1admin2")
    with pytest.raises(NeedsApproval, match="须另一名管理员批准"):
        publishing.reopen(manager, OCT, "更正", today=OCT.end, centre_id=jd1)
    asked = publishing.status(OCT, today=OCT.end, centre_id=jd1)
    assert asked.published is True


def test_a_centres_appeals_are_its_own_and_the_pending_ones_are_those_not_decided(district):
    """JD1's list holds JD1's appeals only (the same window code in JD2 too), each with its record number;
    pending means not yet decided; the decision is audited as the deciding manager's, in their centre."""
    jd1, jd2 = district.centres["JD1"].id, district.centres["JD2"].id
    mine = district.patrol("JD1", 4, _when(20), FAILING)
    theirs = district.patrol("JD2", 4, _when(20), FAILING)
    first = appeals.record_appeal(district.managers["JD1"], mine, ["DISC-07"], "本人不服", today=_when(21).date(),
                                  centre_id=jd1)
    appeals.record_appeal(district.managers["JD2"], theirs, ["DISC-07"], "本人不服", today=_when(21).date(),
                          centre_id=jd2)
    listed = appeals.appeals(OCT.start, OCT.end, centre_id=jd1)
    assert [(a.id, a.window, a.person, a.record) for a in listed] == [
        (first.id, "A04", "JD1人员4", records.record_number(mine.uuid))]
    with pytest.raises(PermissionDenied):
        appeals.record_appeal(district.managers["JD2"], mine, ["DISC-07"], "替别人申诉", today=_when(21).date(),
                              centre_id=jd2)
    with pytest.raises(PatrolError, match="^该巡查记录不属于本中心$"):  # the district's manager, in JD2's view
        appeals.record_appeal(district.boss, mine, ["DISC-07"], "在别的中心登记", today=_when(21).date(), centre_id=jd2)
    with pytest.raises(PatrolError, match="^申诉属于某一个中心: 请先选择中心"):
        appeals.record_appeal(district.boss, mine, ["DISC-07"], "不选中心", today=_when(21).date(), centre_id=None)
    recorded = AuditEntry.get(AuditEntry.action == "appeal.record")
    assert (recorded.centre_code, recorded.window_code) == ("JD1", "A04")
    appeals.mark_decided(first.id, district.boss, False, "录像清楚")  # the district's manager decides it
    assert appeals.appeals(OCT.start, OCT.end, pending_only=True, centre_id=jd1) == []
    assert [a.state for a in appeals.appeals(OCT.start, OCT.end, centre_id=jd1)] == ["申诉不成立"]
    assert len(appeals.appeals(OCT.start, OCT.end, pending_only=True, centre_id=jd2)) == 1
    entry = AuditEntry.get(AuditEntry.action == "appeal.decide")
    assert (entry.username, entry.centre_code, entry.window_code, entry.employee_no) == (
        "qu", "JD1", "A04", "JD1-04"), "the appeal's centre, not the district's"
    assert json.loads(entry.new) == {"status": "申诉不成立", "score": 84.0}


def test_an_appeal_on_a_window_without_a_person_is_listed_without_one(district):
    jd1 = district.centres["JD1"].id
    empty = inspect(district.windows["JD1", 4], district.inspectors["JD1"], None, _when(22), fail=("DESK-09",))
    appeals.record_appeal(district.managers["JD1"], empty, ["DESK-09"], "桌面无问题", today=_when(22).date(),
                          centre_id=jd1)
    (row,) = appeals.appeals(OCT.start, OCT.end, centre_id=jd1)
    assert (row.window, row.person) == ("A04", "")


def test_a_centres_item_is_confirmed_only_in_that_centre(district):
    jd1, jd2 = district.centres["JD1"].id, district.centres["JD2"].id
    item = Rectification.get(Rectification.centre == jd2)
    with pytest.raises(PatrolError) as refused:
        rectification.rectify(district.boss, item, "已整改", centre_id=jd1)
    assert str(refused.value) == f"整改项 {item.id} 不属于本中心"


def test_each_centres_stars_and_red_flags_follow_its_own_settings(district):
    """JD1 gives one 微笑之星 and one 流动红旗, JD2 the district's defaults: each list is cut by its own."""
    jd1, jd2 = district.centres["JD1"].id, district.centres["JD2"].id
    rules = load_settings(None, centre_id=jd1)
    rules.smile_star_max, rules.red_flag_windows, rules.ranking_min_inspections = 1, 1, 1
    save_settings(rules, centre_id=jd1)
    district.patrol("JD1", 4, _when(12))
    district.patrol("JD1", 4, _when(13), ("DESK-09",))  # 99.75 on average: below JD1-01, not tied with them
    assert [r.code for r in rankings.smile_stars(OCT, centre_id=jd1)] == ["JD1-01"]
    assert [r.code for r in rankings.red_flag_windows(OCT, centre_id=jd1)] == ["A01"]
    assert [r.code for r in rankings.red_flag_windows(OCT, centre_id=jd2)] == ["A02"], "JD2's A01 was vetoed"


def test_the_districts_view_names_the_centre_it_needs_and_its_sheet_waits_for_every_centre_in_order(district):
    for act in (lambda: publishing.status(OCT, today=OCT.end, centre_id=None),
                lambda: rectification.rectify(district.boss, Rectification.select().first(), "已整改", centre_id=None)):
        with pytest.raises(PatrolError, match="属于某一个中心: 请先选择中心"):
            act()
    assert publishing.draft_mark(OCT, centre_id=None, today=OCT.end) == "未定稿: 尚未发布的中心 D01、JD1、JD2"


def test_a_centres_own_day_off_moves_its_appeal_deadline_only(district):
    jd1 = district.centres["JD1"].id
    mine, theirs = district.patrol("JD1", 4, _when(20), FAILING), district.patrol("JD2", 4, _when(20), FAILING)
    assert appeals.deadline(mine) == appeals.deadline(theirs)
    workdays.set_days(district.managers["JD1"], _when(21).date(), _when(21).date(), "holiday", "街道活动日", "街道通知",
                      centre_id=jd1)
    assert (appeals.deadline(theirs), appeals.deadline(mine)) == (dt.date(2026, 10, 23), dt.date(2026, 10, 26)), \
        "JD1's Wednesday off: its three working days end after the weekend"


def test_a_centres_assessment_holds_its_own_people_graded_by_its_own_grades(district):
    jd1 = district.centres["JD1"].id
    rules = load_settings(None, centre_id=jd1)
    rules.grades = parse_value("grades", "优秀=100,良好=95,合格=80")  # the district's: 95, 90, 85
    save_settings(rules, centre_id=jd1)
    rows = assessing.assess(OCT, centre_id=jd1).rows
    assert {r.code: r.grade for r in rows} == {"JD1-01": "优秀", "JD1-02": "合格", "JD1-03": "优秀"}
    assert {r.code: r.vetoes for r in rows} == {"JD1-01": 0, "JD1-02": 1, "JD1-03": 0}


def test_publishing_says_every_reason_it_waits_and_asks_the_district_to_choose_a_centre(district):
    jd1 = district.centres["JD1"].id
    december = periods.month("2026-12")
    with pytest.raises(PatrolError, match="^2026年12月排名还不能定稿: 2026年12月尚未结束; 2026年12月没有已定稿的巡查记录$"):
        publishing.publish(district.managers["JD1"], december, today=dt.date(2026, 12, 6), centre_id=jd1)
    with pytest.raises(PatrolError, match="^排名发布属于某一个中心: 请先选择中心"):
        publishing.status(december, today=dt.date(2026, 12, 6), centre_id=None)
    with pytest.raises(PatrolError, match="^重新开放排名属于某一个中心: 请先选择中心"):
        publishing.reopen(district.boss, OCT, "重新开放", today=dt.date(2026, 12, 6), centre_id=None)


def test_the_districts_ranking_names_each_rows_centre(district):
    windows = rankings.rank(OCT, "window", centre_id=None)
    assert {(r.extra["centre_code"], r.extra["centre_name"]) for r in windows} >= {
        ("JD1", district.centres["JD1"].name), ("JD2", district.centres["JD2"].name)}
    staff = rankings.rank(OCT, "staff", centre_id=None)
    assert {r.extra["centre_name"] for r in staff} >= {district.centres["JD1"].name, district.centres["JD2"].name}


def test_the_districts_decision_on_a_centres_case_is_audited_as_that_centres(district):
    failed = district.patrol("JD2", 3, _when(2), FAILING)
    case = ProbationCase.get(ProbationCase.opening_inspection == failed.id)
    probation.clear_case(case, district.boss, "经复核可以解除")
    entry = AuditEntry.get(AuditEntry.action == "probation.clear")
    assert (entry.username, entry.centre_code, entry.employee_no) == ("qu", "JD2", "JD2-03")
