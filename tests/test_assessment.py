"""The assessment around the patrol: registers, votes, schemes, awards and what-if, computed by hand."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from app import periods
from app.assessment import assess as assessing
from app.assessment import awards, events, schemes, votes, what_if
from app.centres.settings import load_settings, save_settings
from app.errors import PatrolError
from app.results import probation, probation_rules, rule_changes
from app.storage.models import AuditEntry, ProbationCase, ProbationEvent
from tests.conftest import at
from tests.helpers import FAILING, inspect

OCT = periods.month("2026-10")
YEAR = periods.year("2025")


@pytest.fixture
def office(roster):
    """Four people: P1 and P2 at A01, P3 at A02, P4 at B01."""
    for emp, window in (("P1", "A01"), ("P2", "A01"), ("P3", "A02"), ("P4", "B01")):
        roster.person(emp, window)
    return roster


def _load(roster, name: str, reason: str = "采用公开方案", **kw):
    return schemes.load_scheme(roster.manager, schemes.shipped(name), reason, **kw)[0]


def test_the_shipped_schemes_validate_and_a_bad_one_names_every_problem():
    for name in ("default.toml", "yangdong_red_flag.toml", "ruoqiang_annual.toml", "yingde_star.toml"):
        scheme = schemes.shipped(name)
        assert scheme.levels["month"] and scheme.source
    bad = '''
[scheme]
code = "bad code"
name = "坏方案"
subject = "window"
source = "无"

[month]
components = [{ kind = "patrol", weight = 60 }, { kind = "vote", weight = 30 }, { kind = "bonus" }]

[quarter]
components = [{ kind = "months", weight = 100 }]

[year]
components = [{ kind = "months", weight = 100 }]

[awards.star]
top = 3
'''
    with pytest.raises(PatrolError) as err:
        schemes.parse_scheme(bad, "bad.toml")
    text = str(err.value)
    for expected in ("[scheme] code", "第 2 项: 评分项须写明 vote", "第 3 项: kind 须为", "[month]: 各项权重之和须为 100",
                     "[awards.star]: 服务标兵 / 微笑之星评的是人员"):
        assert expected in text, text


def test_a_red_flag_month_of_30_30_20_20_is_computed_to_the_cent(office):
    w, p = office.windows, office.staff
    inspect(w["A01"], office.inspector, p["P1"], at("2026-10-05"))  # 100
    inspect(w["A01"], office.inspector, p["P2"], at("2026-10-06"), fail=("DISC-07",))  # 95
    inspect(w["A02"], office.inspector, p["P1"], at("2026-10-07"), fail=("APPEAR-10",))  # 98, P1 covering A02
    inspect(w["A02"], office.inspector, p["P3"], at("2026-10-08"))  # 100
    inspect(w["B01"], office.inspector, p["P4"], at("2026-10-09"))  # 100, but no votes
    votes.set_votes(office.manager, OCT, "值班领导评分", {"A01": 88, "A02": 90}, "window", "十月值班领导打分")
    votes.set_votes(office.manager, OCT, "群众评议", {"A01": 92, "A02": 90}, "window", "十月群众评议")
    votes.set_votes(office.manager, periods.month("2026-09"), "群众评议", {"A01": 10, "B01": 10}, "window", "九月")
    scheme = _load(office, "yangdong_red_flag.toml")
    result = assessing.assess(OCT, scheme)
    by = {r.code: r for r in result.rows}
    # A01: window 97.5 = (100 + 95) / 2; its people: P1 (100 + 98) / 2 = 99, P2 95, so 97.
    # 0.3 × 97.5 + 0.3 × 97 + 0.2 × 88 + 0.2 × 92 = 29.25 + 29.1 + 17.6 + 18.4 = 94.35
    assert [(p.name, p.value, p.points) for p in by["A01"].parts] == [
        ("窗口评分", 97.5, 29.25), ("工作人员评分", 97.0, 29.1), ("值班领导评分", 88.0, 17.6), ("群众评议", 92.0, 18.4)]
    assert by["A01"].total == 94.35
    assert [p.detail for p in by["A01"].parts] == ["2 次巡查", "2 人的平均", "", ""]
    # A02: window (98 + 100) / 2 = 99; its person P3 100: 29.7 + 30 + 18 + 18 = 95.7
    assert by["A02"].total == 95.7
    assert [(r.rank, r.code) for r in result.rows] == [(1, "A02"), (2, "A01")]
    assert [(r.code, r.missing) for r in result.unassessed] == [("B01", ["值班领导评分", "群众评议"])]
    assert [(p.name, p.value) for p in result.unassessed[0].parts][2:] == [("值班领导评分", None), ("群众评议", None)]
    flags = awards.red_flags(result)
    assert [r.code for r in flags.winners] == ["A02", "A01"] and flags.award.name == "流动红旗"
    assert flags.period == OCT and flags.excluded == [] and flags.method.endswith("的总分取前 3 名 (并列者同获); 有一票否决者不得")
    assert "窗口评分 30%" in result.method


def test_an_80_20_year_with_a_capped_bonus_is_computed_to_the_cent(office):
    w, p = office.windows, office.staff
    inspect(w["A01"], office.inspector, p["P1"], at("2025-01-10"))  # 100
    inspect(w["A01"], office.inspector, p["P1"], at("2025-01-20"), fail=("APPEAR-10",))  # 98
    inspect(w["A01"], office.inspector, p["P1"], at("2025-02-10"), fail=("APPEAR-10", "DISC-07"))  # 93
    inspect(w["A01"], office.inspector, p["P1"], at("2025-03-10"))  # 100
    scheme = _load(office, "ruoqiang_annual.toml")
    events.record_event(office.manager, "conduct", p["P1"], "leisure", dt.date(2025, 2, 11), "上班时间看视频, 视频抽查发现",
                        source="video")  # 3 points off February
    for kind in ("banner", "letter", "public", "overtime", "innovation"):  # 2 + 1 + 1 + 1 + 2 = 7, capped at 5
        events.record_event(office.manager, "praise", p["P1"], kind, dt.date(2025, 6, 1), f"{kind} 记录")
    votes.set_votes(office.manager, YEAR, "年终测评", {"P1": 87.5}, "staff", "年终测评结果")
    february = {r.code: r for r in assessing.assess(periods.month("2025-02"), scheme).rows}
    assert february["P1"].total == 90.0, "93 less 3 points of conduct"
    year = {r.code: r for r in assessing.assess(YEAR, scheme).rows}
    parts = {x.name: x for x in year["P1"].parts}
    # months: (99 + 90 + 100) / 3 = 96.333…; × 0.8 = 77.0667; year-end 87.5 × 0.2 = 17.5; bonus 7 capped at 5
    assert round(parts["月度考核平均"].points, 4) == 77.0667 and parts["年终测评"].points == 17.5
    assert (parts["表扬加分"].value, parts["表扬加分"].points) == (5.0, 5.0), "shown as counted"
    assert parts["表扬加分"].detail == "5 条, 共 7 分, 超出上限 2 分不计"
    assert year["P1"].total == 99.57 and year["P1"].grade == "优秀"


def test_a_valid_complaint_in_march_removes_the_person_from_the_year_award_list_until_withdrawn(office):
    w, p = office.windows, office.staff
    for day in ("2025-01-15", "2025-03-15", "2025-05-15"):
        inspect(w["A01"], office.inspector, p["P1"], at(day))
        inspect(w["A01"], office.inspector, p["P2"], at(day), fail=("APPEAR-10",))
    complaint = events.record_event(office.manager, "conduct", p["P1"], "complaint", dt.date(2025, 3, 5),
                                    "群众投诉办事时态度生硬, 经核实属实", source="complaint")
    year = assessing.assess(YEAR)
    listed = awards.candidates(year, "annual")
    assert [r.code for r in listed.winners] == ["P2"]
    (out,) = listed.excluded
    assert out.code == "P1" and out.reasons == (f"2025年3月5日受到服务对象有效投诉 (违规记录 {complaint.id})",)
    with pytest.raises(PatrolError, match="必须填写理由"):
        events.withdraw_event(office.manager, complaint, "")
    events.withdraw_event(office.manager, complaint, "复核: 投诉人所述与录像不符, 投诉不成立")
    again = awards.candidates(assessing.assess(YEAR), "annual")
    assert [r.code for r in again.winners] == ["P1", "P2"] and again.excluded == []
    trail = [(a.action, a.employee_no) for a in AuditEntry.select().order_by(AuditEntry.id)
             if a.action.startswith("conduct.")]
    assert trail == [("conduct.record", "P1"), ("conduct.withdraw", "P1")]
    assert [e.withdrawn for e in events.events("conduct")] == [True], "withdrawn, never deleted"


def test_conduct_the_scheme_names_opens_probation_and_withdrawing_it_withdraws_the_case(office):
    _load(office, "ruoqiang_annual.toml")
    today = dt.date.today()
    event = events.record_event(office.manager, "conduct", office.staff["P3"], "conflict", today - dt.timedelta(days=2),
                                "与办事群众当面争吵", source="mingcha")
    case = ProbationCase.get_by_id(event.probation_case_id)
    assert case.status == "open" and case.opening_inspection is None
    events.withdraw_event(office.manager, event, "录像显示系群众挑衅, 不属冲突")
    assert ProbationCase.get_by_id(case.id).status == "withdrawn"
    with pytest.raises(PatrolError, match="已于"):
        events.withdraw_event(office.manager, event, "再撤一次")


def test_a_register_refuses_what_it_cannot_take_and_writes_nothing(office, tmp_path):
    p = office.staff["P1"]
    with pytest.raises(PatrolError, match="未知类别"):
        events.record_event(office.manager, "conduct", p, "rude", dt.date(2025, 3, 5), "x")
    with pytest.raises(PatrolError, match="在今天之后"):
        events.record_event(office.manager, "praise", p, "banner", dt.date.today() + dt.timedelta(days=3), "锦旗")
    with pytest.raises(PatrolError, match="无权"):
        events.record_event(office.inspector, "praise", p, "banner", dt.date(2025, 3, 5), "锦旗")
    (tmp_path / "x.exe").write_bytes(b"MZ")
    with pytest.raises(PatrolError, match="证明材料须为"):
        events.record_event(office.manager, "praise", p, "banner", dt.date(2025, 3, 5), "锦旗", document=tmp_path / "x.exe")
    assert events.events() == []


def test_a_new_version_takes_effect_next_month_and_old_periods_keep_theirs(office):
    first = _load(office, "yangdong_red_flag.toml")
    assert first.effective_from == schemes.SINCE_ALWAYS
    heavier = schemes.parse_scheme(first.text.replace('of = "window", weight = 30', 'of = "window", weight = 40')
                                   .replace('of = "staff", weight = 30', 'of = "staff", weight = 20'), "v2.toml")
    with pytest.raises(PatrolError, match="已开始"):
        schemes.load_scheme(office.manager, heavier, "加重窗口评分", effective_from=dt.date.today().replace(day=1))
    second, created = schemes.load_scheme(office.manager, heavier, "加重窗口评分")
    assert created and second.version == 2 and second.effective_from > dt.date.today()
    assert schemes.scheme_for("YANGDONG", OCT.start).version == 1, "October keeps the version it had"
    assert schemes.scheme_for("YANGDONG", second.effective_from).version == 2
    assert schemes.load_scheme(office.manager, heavier, "再载一次")[1] is False


def test_what_if_shows_who_moves_by_how_much_and_why(office):
    w, p = office.windows, office.staff
    inspect(w["A01"], office.inspector, p["P1"], at("2026-10-05"))  # A01: 100
    inspect(w["A02"], office.inspector, p["P3"], at("2026-10-06"), fail=("DISC-07",))  # A02: 95
    votes.set_votes(office.manager, OCT, "值班领导评分", {"A01": 85, "A02": 100}, "window", "打分")
    votes.set_votes(office.manager, OCT, "群众评议", {"A01": 85, "A02": 100}, "window", "评议")
    current = _load(office, "yangdong_red_flag.toml")
    # Now: A01 30 + 30 + 17 + 17 = 94; A02 28.5 + 28.5 + 20 + 20 = 97.
    # Patrol at 40% each, votes at 10%: A01 40 + 40 + 8.5 + 8.5 = 97; A02 38 + 38 + 10 + 10 = 96.
    proposal = (schemes.parse_scheme(current.text.replace('of = "window", weight = 30', 'of = "window", weight = 40')
                                            .replace('of = "staff", weight = 30', 'of = "staff", weight = 40')
                                            .replace("weight = 20", "weight = 10"), "proposal.toml"))
    result = what_if.compare(OCT, proposal)
    moves = {m.code: m for m in result.moves}
    assert (moves["A01"].old_rank, moves["A01"].new_rank, moves["A01"].old_total, moves["A01"].new_total) == (2, 1, 94.0, 97.0)
    assert moves["A01"].change == "↑1" and moves["A01"].delta == 3.0
    assert "窗口评分 30→40 (权重 30%→40%)" in moves["A01"].why and "值班领导评分 17→8.5 (权重 20%→10%)" in moves["A01"].why
    assert moves["A02"].change == "↓1" and moves["A02"].delta == -1.0
    assert {m.code for m in result.moved} == {"A01", "A02"}


def test_votes_are_checked_whole_and_a_change_is_kept_with_why(office):
    with pytest.raises(PatrolError) as err:
        votes.set_votes(office.manager, OCT, "群众评议", {"A01": 101, "ZZZ": 90, "A02": 90}, "window", "评议")
    assert "A01: 分数 101" in str(err.value) and "ZZZ: 本中心没有这个窗口" in str(err.value)
    assert votes.votes(OCT) == []
    assert votes.set_votes(office.manager, OCT, "群众评议", {"A01": 90}, "window", "评议") == 1
    assert votes.set_votes(office.manager, OCT, "群众评议", {"A01": 90}, "window", "评议") == 0
    assert votes.set_votes(office.manager, OCT, "群众评议", {"A01": 85}, "window", "复核后更正") == 1
    changes = [(a.old, a.reason) for a in AuditEntry.select().where(AuditEntry.action == "vote.set").order_by(AuditEntry.id)]
    assert changes[-1] == ('{"score": 90.0}', "复核后更正")
    assert [(v.subject, v.score) for v in votes.votes(OCT)] == [("A01", 85.0)]


def test_the_command_line_registers_votes_loads_and_shows_the_same_movements_as_the_what_if(tmp_path, capsys,
                                                                                             monkeypatch):
    import json

    import cli
    from app.storage import db as dbmod

    path = str(tmp_path / "office.db")
    assert cli.main(["demo", "--db", path, "--seed", "5", "--month", "2026-10"]) == 0
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")
    me = ["--db", path, "--user", "admin"]
    capsys.readouterr()
    assert cli.main(["conduct", "add", "GW0001", "complaint", "--date", "2026-10-05", "--description", "群众投诉态度生硬",
                     "--source", "complaint", *me]) == 0
    assert "已登记违规记录 1" in capsys.readouterr().out
    assert cli.main(["conduct", "withdraw", "1", "--reason", "投诉不成立", *me]) == 0
    capsys.readouterr()
    assert cli.main(["conduct", "list", "--format", "json", *me]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert (listed["kind_label"], listed["withdrawn"], listed["withdraw_reason"]) == ("受到服务对象有效投诉", True, "投诉不成立")
    assert cli.main(["schemes", "load", "resources/schemes/yangdong_red_flag.toml", "--reason", "采用红旗窗口评比", *me]) == 0
    dbmod.open_database(path)
    try:  # four windows in the order of their patrol average, best first
        from app.results import rankings

        windows = [r.code for r in rankings.rank(OCT, "window") if r.code in ("A01", "A02", "A03", "A04")]
    finally:
        dbmod.close_database()
    # Votes in the opposite order, far apart: now the votes decide; under the proposal (patrol only) the patrol does.
    for name in ("值班领导评分", "群众评议"):
        assert cli.main(["votes", "set", "2026-10", name, *[f"{w}={60 + 10 * n}" for n, w in enumerate(windows)],
                         "--reason", "十月评分", *me]) == 0
    capsys.readouterr()
    text = schemes.SHIPPED_DIR.joinpath("yangdong_red_flag.toml").read_text(encoding="utf-8")
    proposal = tmp_path / "proposal.toml"
    proposal.write_text(text.replace("weight = 20", "weight = 0").replace('of = "window", weight = 30',
                        'of = "window", weight = 100').replace('of = "staff", weight = 30', 'of = "staff", weight = 0'),
                        encoding="utf-8")
    assert cli.main(["assess", "--month", "2026-10", "--scheme", str(proposal), "--compare", "--all", "--format", "json",
                     *me]) == 0
    shown = [(m["code"], m["old_rank"], m["new_rank"], m["delta"]) for m in json.loads(capsys.readouterr().out)]
    dbmod.open_database(path)
    try:
        expected = [(m.code, m.old_rank, m.new_rank, m.delta)
                    for m in what_if.compare(OCT, schemes.read_file(proposal)).moves]
        assert [e.withdrawn for e in events.events("conduct")] == [True]
    finally:
        dbmod.close_database()
    assert shown == expected and len(shown) == 4
    assert [code for code, *_ in shown] == windows, "under the proposal the patrol average alone ranks them"
    assert [new for _, _, new, _ in shown] == [1, 2, 3, 4] and [old for _, old, _, _ in shown] == [4, 3, 2, 1]
    assert cli.main(["assess", "--month", "2026-10", "--code", "YANGDONG", *me]) == 0
    out = capsys.readouterr().out
    assert "流动红旗:" in out and "窗口评分 30%" in out and "缺少: 值班领导评分、群众评议" in out


def test_a_full_score_quarter_makes_a_service_model_candidate_as_in_yingde(office):
    w, p = office.windows, office.staff
    for day in ("2026-07-06", "2026-08-06", "2026-09-07"):
        inspect(w["A01"], office.inspector, p["P1"], at(day))  # all 100
        inspect(w["A02"], office.inspector, p["P3"], at(day), fail=(("APPEAR-10",) if day == "2026-08-06" else ()))
    inspect(w["A01"], office.inspector, p["P2"], at("2026-07-07"))  # full, but only once
    scheme = _load(office, "yingde_star.toml")
    q3 = assessing.assess(periods.quarter("2026-Q3"), scheme)
    listed = awards.candidates(q3, "star")
    assert [r.code for r in listed.winners] == ["P1"]
    reasons = {x.code: x.reasons for x in listed.excluded}
    assert reasons["P3"] == ("本期巡查未全部满分",)
    assert reasons["P2"] == ("巡查 1 次, 不足 3 次",)


def test_a_document_is_kept_by_its_content_beside_the_photos(office, tmp_path):
    from app.patrolling.evidence import photo_dir

    letter = tmp_path / "感谢信.pdf"
    letter.write_bytes(b"%PDF-1.4 thanks")
    event = events.record_event(office.manager, "praise", office.staff["P1"], "letter", dt.date(2026, 10, 9),
                                "群众来信感谢", document=letter)
    ref, name = event.document.split(" ", 1)
    assert name == "感谢信.pdf" and (photo_dir() / "documents" / ref).read_bytes() == b"%PDF-1.4 thanks"
    assert events.events("praise")[0].evidence == 1


def test_a_conduct_event_recorded_late_counts_the_patrols_already_made_in_its_probation(office):
    """Recorded a week after it happened, the conflict opens probation on its own day: the two patrols
    since, both 100, are its re-checks, so the sweep at its end clears it instead of proposing a return."""
    _load(office, "ruoqiang_annual.toml")
    today = dt.date.today()
    happened = today - dt.timedelta(days=40)
    for back in (35, 30):
        inspect(office.windows["A02"], office.inspector, office.staff["P3"],
                dt.datetime.combine(today - dt.timedelta(days=back), dt.time(10)))
    event = events.record_event(office.manager, "conduct", office.staff["P3"], "conflict", happened,
                                "与办事群众当面争吵", source="mingcha")
    case = ProbationCase.get_by_id(event.probation_case_id)
    assert case.opened_on == happened and probation_rules.recheck_counts(case) == (2, 0)
    (decided,) = probation.sweep(case.ends_on + dt.timedelta(days=1))
    assert decided.status == "cleared", "two passes were required, and two were made"


def test_the_star_awards_minimum_score_itself_qualifies_and_half_a_point_less_does_not(office):
    """微笑之星 (the default scheme): 总分不低于 95. A quarter of exactly 95 is a candidate; 94.5 is excluded
    with its score in the reason."""
    w, p = office.windows, office.staff
    ninety_five = ("DISC-12", "DISC-11", "DISC-05")  # 1 + 2 + 2
    for day in ("2026-07-06", "2026-07-20"):
        inspect(w["A01"], office.inspector, p["P1"], at(day), fail=ninety_five)
        inspect(w["A02"], office.inspector, p["P3"], at(day), fail=ninety_five + ("DESK-09",))  # and 0.5
    listed = awards.candidates(assessing.assess(periods.quarter("2026-Q3")), "star")
    assert [(r.code, r.total) for r in listed.winners] == [("P1", 95)]
    assert {x.code: x.reasons for x in listed.excluded}["P3"] == ("总分 94.5, 低于 95",)
    assert "总分不低于 95" in listed.method and listed.method.endswith("按总分排序, 取前 5 名")


def test_a_conflict_on_the_day_of_a_failed_patrol_opens_the_case_from_the_start_of_that_day(office):
    """An event counts from the start of its day: the afternoon's failed patrol, entered first, is a failed
    re-check of the conflict's case, not a case of its own (as had the conflict been recorded first)."""
    _load(office, "ruoqiang_annual.toml")
    day = dt.date.today() - dt.timedelta(days=10)
    failed = inspect(office.windows["A02"], office.inspector, office.staff["P3"],
                     dt.datetime.combine(day, dt.time(15)), fail=FAILING)
    by_patrol = ProbationCase.get(ProbationCase.opening_inspection == failed.id)
    event = events.record_event(office.manager, "conduct", office.staff["P3"], "conflict", day, "与办事群众当面争吵",
                                source="mingcha")
    case = ProbationCase.get_by_id(event.probation_case_id)
    assert (case.opened_on, case.opening_inspection_id, probation_rules.recheck_counts(case)) == (day, None, (0, 1))
    assert ProbationCase.get_by_id(by_patrol.id).status == "withdrawn"
    assert probation_rules.event_opened(event)


def test_withdrawing_the_conflict_that_opened_a_case_lets_a_later_one_in_it_open_its_own(office, capsys):
    """Two conflicts ten days apart: the first opens the case, the second falls inside it. The first found
    not valid, the case is withdrawn and the second opens one from its own day; its failed patrol counts there."""
    _load(office, "ruoqiang_annual.toml")
    first_day, second_day = dt.date.today() - dt.timedelta(days=20), dt.date.today() - dt.timedelta(days=10)
    first = events.record_event(office.manager, "conduct", office.staff["P3"], "conflict", first_day, "争吵",
                                source="mingcha")
    second = events.record_event(office.manager, "conduct", office.staff["P3"], "conflict", second_day, "再次争吵",
                                 source="mingcha")
    assert second.probation_case_id == first.probation_case_id and not probation_rules.event_opened(second)
    inspect(office.windows["A02"], office.inspector, office.staff["P3"],
            dt.datetime.combine(second_day + dt.timedelta(days=1), dt.time(10)), fail=FAILING)
    events.withdraw_event(office.manager, second, "不属冲突")
    assert ProbationCase.get_by_id(first.probation_case_id).status == "open", "the case the first opened stands"
    second = events.record_event(office.manager, "conduct", office.staff["P3"], "conflict", second_day, "又一次争吵",
                                 source="mingcha")
    events.withdraw_event(office.manager, events.PersonEvent.get_by_id(first.id), "录像显示系群众挑衅")
    (live,) = ProbationCase.select().where(ProbationCase.status == "open")
    assert (live.opened_on, probation_rules.recheck_counts(live)) == (second_day, (0, 1))
    (opened,) = [e for e in probation.history(live) if e.kind == "opened"]
    assert opened.cause.startswith(f"与服务对象发生当面冲突 ({second_day:%Y-%m-%d}): 又一次争吵; 考察期至")
    assert events.PersonEvent.get_by_id(second.id).probation_case_id == live.id


def test_a_laptops_late_failure_the_day_before_a_conflict_opens_the_case_the_conflict_then_falls_in(office):
    """The conflict of the 12th opened a case; a laptop's record of the 11th, failed, arrives after: as had
    it come first, its case runs from the 11th and the conflict counts on it (one case, not two)."""
    _load(office, "ruoqiang_annual.toml")
    day = dt.date.today() - dt.timedelta(days=20)
    event = events.record_event(office.manager, "conduct", office.staff["P3"], "conflict", day, "争吵", source="mingcha")
    late = inspect(office.windows["A02"], office.inspector, office.staff["P3"],
                   dt.datetime.combine(day - dt.timedelta(days=1), dt.time(16)), fail=FAILING)
    (live,) = ProbationCase.select().where(ProbationCase.status == "open")
    assert (live.opened_on, live.opening_inspection_id) == (day - dt.timedelta(days=1), late.id)
    assert events.PersonEvent.get_by_id(event.id).probation_case_id == live.id


def test_a_probation_case_keeps_someone_off_the_star_list_only_if_it_ran_in_the_quarter_and_stands(office):
    """微笑之星 of Q3: a case that ended on 1 July (the quarter's first day) excludes, with its dates; one
    that opened on 1 October (the day after the quarter) does not, nor does a withdrawn one; nobody without
    a patrol in the quarter is listed among the excluded (merely absent)."""
    w, p = office.windows, office.staff
    for day in ("2026-07-06", "2026-07-20"):
        for emp, window in (("P1", "A01"), ("P2", "A01"), ("P3", "A02")):
            inspect(w[window], office.inspector, p[emp], at(day))
    ProbationCase.create(staff=p["P1"], opened_on=dt.date(2026, 6, 1), ends_on=dt.date(2026, 7, 1), required_rechecks=2)
    ProbationCase.create(staff=p["P2"], opened_on=dt.date(2026, 10, 1), ends_on=dt.date(2026, 10, 31),
                         required_rechecks=2)
    gone = ProbationCase.create(staff=p["P3"], opened_on=dt.date(2026, 7, 2), ends_on=dt.date(2026, 8, 1),
                                required_rechecks=2, status="withdrawn")
    ProbationEvent.create(case=gone, kind="withdrawn", cause="开启本案的巡查记录改为合格; 考察撤销")
    listed = awards.candidates(assessing.assess(periods.quarter("2026-Q3")), "star")
    assert [r.code for r in listed.winners] == ["P2", "P3"]
    assert [(x.code, x.reasons) for x in listed.excluded] == [("P1", ("考察期 2026年6月1日至2026年7月1日",))]


def test_a_veto_in_the_first_minute_of_the_quarter_excludes_and_spoils_a_full_score(office):
    """A patrol at 00:00 on 1 July belongs to Q3: its veto is a reason, with its day, and under 英德's
    服务标兵 (all patrols full marks) it spoils the full score."""
    w, p = office.windows, office.staff
    for day in ("2026-07-06", "2026-08-06", "2026-09-07"):
        inspect(w["A01"], office.inspector, p["P1"], at(day))
        inspect(w["A02"], office.inspector, p["P3"], at(day))
    inspect(w["A02"], office.inspector, p["P3"], at("2026-07-01", 0), fail=("DISC-19",))
    inspect(w["A01"], office.inspector, p["P1"], at("2026-07-01", 0), fail=("DESK-09",))
    q3 = assessing.assess(periods.quarter("2026-Q3"))
    reasons = {x.code: x.reasons for x in awards.candidates(q3, "star").excluded}
    assert reasons["P3"] == ("2026年7月1日巡查一票否决", "考察期 2026年7月1日至2026年7月31日")
    yingde = assessing.assess(periods.quarter("2026-Q3"), _load(office, "yingde_star.toml"))
    reasons = {x.code: x.reasons for x in awards.candidates(yingde, "star").excluded}
    assert reasons["P1"] == ("本期巡查未全部满分",)


def test_a_tie_at_the_last_place_takes_everyone_tied_and_no_one_below():
    rows = [SimpleNamespace(rank=r, code=c) for r, c in ((1, "A"), (2, "B"), (2, "C"), (4, "D"))]
    assert [r.code for r in awards._top(rows, 2)] == ["A", "B", "C"]
    assert [r.code for r in awards._top(rows, 4)] == ["A", "B", "C", "D"]
    assert [r.code for r in awards._top(rows, None)] == ["A", "B", "C", "D"]
    assert [r.code for r in awards._top(rows, 1)] == ["A"]


def test_a_months_conduct_counts_from_its_first_day_capped_and_said_so(office):
    """若羌 (person by person): a month's patrol average less the conduct points, at most 20. Five
    complaints (25 points) of 1–5 October, the first on the month's first day, cost 20 and say so; one on
    30 September counts in September only; a withdrawn one nowhere."""
    scheme = _load(office, "ruoqiang_annual.toml")
    p1 = office.staff["P1"]
    inspect(office.windows["A01"], office.inspector, p1, at("2026-10-12"))
    inspect(office.windows["A01"], office.inspector, p1, at("2026-10-13"), fail=("DESK-09",))
    for day in range(1, 6):
        events.record_event(office.manager, "conduct", p1, "complaint", dt.date(2026, 10, day), f"投诉 {day}",
                            source="mingcha")
    events.record_event(office.manager, "conduct", p1, "complaint", dt.date(2026, 9, 30), "投诉 9 月", source="mingcha")
    gone = events.record_event(office.manager, "conduct", office.staff["P3"], "complaint", dt.date(2026, 10, 1),
                               "投诉", source="mingcha")
    events.withdraw_event(office.manager, gone, "投诉不成立")
    inspect(office.windows["A02"], office.inspector, office.staff["P3"], dt.datetime(2026, 11, 1, 0, 0))  # November's
    rows = {r.code: r for r in assessing.assess(OCT, scheme).rows}
    assert [(p.name, p.kind) for p in rows["P1"].parts] == [("巡查平均分", "patrol"), ("违规扣分", "conduct")]
    patrol, conduct = rows["P1"].parts
    assert (patrol.value, patrol.detail) == (99.75, "2 次巡查")
    assert (conduct.value, conduct.points, conduct.detail) == (20, -20, "5 条, 共 25 分, 超出上限 5 分不计")
    assert rows["P1"].total == 79.75 and rows["P1"].grade == "基本称职"
    assert "P3" not in rows, "no patrol in October: not assessed, and the withdrawn complaint counts nowhere"
    september = {r.code: r for r in assessing.assess(periods.month("2026-09"), scheme).unassessed}
    assert september["P1"].parts[1].points == -5
    assert [p.detail for p in september["P1"].parts] == ["", "1 条"], "no patrol said as nothing; no cap reached"


def test_a_components_floor_and_cap_bound_its_value_and_a_failing_total_takes_the_fail_grade_of_its_month(office):
    """A scheme may bound a part (floor 90, cap 99): 84 counts as 90, 100 as 99. A total under every grade
    takes the centre's fail grade of the period's last day, not today's (renamed from November)."""
    text = schemes.shipped("default.toml").text.replace(
        '{ kind = "patrol", weight = 100, name = "巡查平均分" }',
        '{ kind = "patrol", weight = 100, name = "巡查平均分", floor = 90, cap = 99 }', 1).replace(
        'code = "DEFAULT"', 'code = "BOUNDED"')
    bounded = schemes.load_scheme(office.manager, schemes.parse_scheme(text, "bounded.toml"), "试行上下限")[0]
    inspect(office.windows["A01"], office.inspector, office.staff["P1"], at("2026-10-05"), fail=FAILING)  # 84
    inspect(office.windows["A02"], office.inspector, office.staff["P3"], at("2026-10-06"))  # 100
    rows = {r.code: r for r in assessing.assess(OCT, bounded).rows}
    assert (rows["P1"].parts[0].value, rows["P1"].total, rows["P3"].parts[0].value, rows["P3"].total) == (90, 90, 99, 99)
    rules = load_settings(dt.date(2026, 11, 1))
    rules.fail_grade = "待改进"
    rule_changes.change_settings(rules, office.manager, "更名", dt.date(2026, 11, 1), regrade=True)
    graded = {r.code: r.grade for r in assessing.assess(OCT).rows}
    assert graded["P1"] == "不合格", "October's name for a fail, though renamed since"
    inspect(office.windows["A01"], office.inspector, office.staff["P1"], at("2026-11-05"), fail=FAILING)
    assert {r.code: r.grade for r in assessing.assess(periods.month("2026-11")).rows}["P1"] == "待改进"


def test_a_quarter_of_months_says_how_many_months_it_averages(office):
    scheme = _load(office, "ruoqiang_annual.toml")
    for day in ("2026-07-06", "2026-09-07"):
        inspect(office.windows["A01"], office.inspector, office.staff["P1"], at(day), fail=("DESK-09",) if day < "2026-08" else ())
    (row,) = [r for r in assessing.assess(periods.quarter("2026-Q3"), scheme).rows if r.code == "P1"]
    assert [(p.name, p.value, p.detail) for p in row.parts] == [("各月平均", 99.75, "2 个月")]


def test_a_years_award_list_is_the_schemes_says_its_conditions_and_names_who_is_left_out(office):
    w, p = office.windows, office.staff
    for day in ("2025-03-03", "2025-09-01"):
        inspect(w["A01"], office.inspector, p["P1"], at(day))
    inspect(w["A02"], office.inspector, p["P3"], at("2025-05-06"))
    year = assessing.assess(YEAR)
    (annual,) = awards.award_lists(year)
    assert annual.award.name == "年度评先评优" and [r.code for r in annual.winners] == ["P1"]
    assert annual.method == "条件: 巡查不少于 2 次、无一票否决、未处于考察期、无取消评先资格的违规记录; 按总分排序"
    assert [(x.code, x.name, x.reasons) for x in annual.excluded] == [("P3", "人员P3", ("巡查 1 次, 不足 2 次",))]
    with pytest.raises(PatrolError) as refused:
        awards.red_flags(year)
    assert str(refused.value) == "考核方案 DEFAULT 没有2025年的流动红旗"
    with pytest.raises(PatrolError) as refused:
        awards.candidates(year, "star")
    assert str(refused.value) == "微笑之星按季度评选, 不是2025年"
    month = assessing.assess(OCT, _load(office, "yangdong_red_flag.toml"))
    with pytest.raises(PatrolError) as refused:
        awards.candidates(month, "annual")
    assert str(refused.value) == "考核方案 YANGDONG 没有设评先评优"


def test_a_year_missing_a_vote_lists_nobody_as_excluded_for_it_and_a_missing_award_is_named(office):
    """若羌's year needs the 年终测评 vote: without it no one has a total, and no one is listed as excluded
    merely for the missing figure; a month's votes count in that month only."""
    scheme = _load(office, "ruoqiang_annual.toml")
    for month in range(3, 9):  # six patrols, as the award asks
        inspect(office.windows["A01"], office.inspector, office.staff["P1"], at(f"2025-{month:02d}-03"))
    annual = awards.candidates(assessing.assess(YEAR, scheme), "annual")
    assert annual.winners == [] and annual.excluded == []
    month = assessing.assess(OCT, _load(office, "yangdong_red_flag.toml"))
    with pytest.raises(PatrolError) as refused:
        awards.candidates(month, "star")
    assert str(refused.value) == "考核方案 YANGDONG 没有设服务标兵/微笑之星"


def test_equal_totals_rank_the_one_patrolled_more_first_and_a_total_on_a_grade_line_takes_that_grade(office):
    w, p = office.windows, office.staff
    for day in ("2026-10-05", "2026-10-12"):
        inspect(w["A02"], office.inspector, p["P3"], at(day), fail=("DISC-12", "DISC-11", "DISC-05"))  # 95
    inspect(w["A01"], office.inspector, p["P1"], at("2026-10-06"), fail=("DISC-12", "DISC-11", "DISC-05"))  # 95
    rows = assessing.assess(OCT).rows
    assert [(r.code, r.rank, r.total, r.grade) for r in rows] == [("P3", 1, 95, "优秀"), ("P1", 1, 95, "优秀")]


def test_a_complaint_on_the_first_day_of_the_year_counts_against_its_award_and_one_the_day_before_does_not(office):
    w, p = office.windows, office.staff
    for person in ("P1", "P2"):
        for day in ("2025-02-10", "2025-04-10"):
            inspect(w["A01"], office.inspector, p[person], at(day))
    events.record_event(office.manager, "conduct", p["P1"], "complaint", dt.date(2025, 1, 1), "元旦投诉属实",
                        source="complaint")
    events.record_event(office.manager, "conduct", p["P2"], "complaint", dt.date(2024, 12, 31), "去年投诉属实",
                        source="complaint")
    listed = awards.candidates(assessing.assess(YEAR), "annual")
    assert [r.code for r in listed.winners] == ["P2"] and [r.code for r in listed.excluded] == ["P1"], listed
    assert listed.excluded[0].reasons[0].startswith("2025年1月1日受到服务对象有效投诉")


def test_a_vetoed_window_gets_no_red_flag_even_with_the_highest_total_and_is_listed_with_why(office):
    w, p = office.windows, office.staff
    inspect(w["A01"], office.inspector, p["P1"], at("2026-10-05"), fail=("DISC-07",))  # 95
    inspect(w["A02"], office.inspector, p["P3"], at("2026-10-06"))  # 100
    inspect(w["A02"], office.inspector, p["P3"], at("2026-10-07"), fail=("DISC-19",))  # a veto
    votes.set_votes(office.manager, OCT, "值班领导评分", {"A01": 60, "A02": 100}, "window", "十月值班领导打分")
    votes.set_votes(office.manager, OCT, "群众评议", {"A01": 60, "A02": 100}, "window", "十月群众评议")
    result = assessing.assess(OCT, _load(office, "yangdong_red_flag.toml"))
    by = {r.code: r for r in result.rows}
    assert by["A02"].total > by["A01"].total and by["A02"].vetoes == 1
    flags = awards.red_flags(result)
    assert [r.code for r in flags.winners] == ["A01"]
    assert [(e.code, e.reasons) for e in flags.excluded] == [("A02", ("2026年10月一票否决 1 次",))]
    assert [(r.rank, r.code) for r in result.rows] == [(1, "A01"), (2, "A02")], "the veto ranks last, whatever the total"
    rules = load_settings()
    rules.veto_ranking = "不参加排名"
    save_settings(rules, office.manager, "一票否决者不参加排名")
    again = {r.code: r for r in assessing.assess(OCT, _load(office, "yangdong_red_flag.toml")).rows}
    assert (again["A01"].rank, again["A02"].rank) == (1, 0)
    assert again["A02"].extra["left_out"] == "一票否决 1 次, 按规定不参加排名"


def test_conduct_in_a_month_without_patrols_still_counts_in_the_year(office):
    """若羌: the year averages the months' totals; June had no patrol (no total) but a complaint: its 5
    points still come off the year, said as such, instead of vanishing with the month."""
    w, p = office.windows, office.staff
    for day in ("2025-01-10", "2025-03-10"):
        inspect(w["A01"], office.inspector, p["P1"], at(day))  # 100 and 100
    scheme = _load(office, "ruoqiang_annual.toml")
    votes.set_votes(office.manager, YEAR, "年终测评", {"P1": 90}, "staff", "年终测评结果")
    before = {r.code: r for r in assessing.assess(YEAR, scheme).rows}["P1"].total
    events.record_event(office.manager, "conduct", p["P1"], "complaint", dt.date(2025, 6, 3), "六月投诉属实",
                        source="complaint")
    june = {r.code: r for r in assessing.assess(periods.month("2025-06"), scheme).unassessed}["P1"]
    assert june.total is None and june.parts[1].points == -5
    row = {r.code: r for r in assessing.assess(YEAR, scheme).rows}["P1"]
    months = row.parts[0]
    # (100 + 100) / 2 - 5 = 95; × 0.8 = 76; + 90 × 0.2 = 18: 94 (was 98)
    assert (months.value, months.points, row.total, before) == (95.0, 76.0, 94.0, 98.0)
    assert months.detail == "2 个月, 另计无巡查月份的加减分 -5"
