"""Rankings on both backends: aggregates, competition ranks and tie-breaks, awards."""

import datetime as dt

import pytest

from app import periods
from app.centres.settings import load_settings, save_settings
from app.errors import PatrolError
from app.results.rankings import rank, red_flag_windows, smile_star_candidates, smile_stars
from app.storage.models import Inspection, ProbationCase
from tests.conftest import at
from tests.helpers import FAILING, inspect

OCT = periods.month("2026-10")


def scores(roster, plan):
    """plan: {(window, emp): [fail-codes per inspection, ...]} — all in October."""
    for (window, emp), runs in plan.items():
        person = roster.staff.get(emp) or roster.person(emp, window)
        for n, fails in enumerate(runs):
            inspect(roster.windows[window], roster.inspector, person, at(f"2026-10-{n + 1:02d}"), fail=fails)


def test_window_ranking_aggregates_finalised_inspections_of_the_period(roster):
    scores(roster, {("A01", "F1"): [(), ("DESK-09",)], ("A02", "F2"): [FAILING]})
    inspect(roster.windows["A02"], roster.inspector, roster.staff["F2"], at("2026-11-01"), fail=FAILING)
    inspect(roster.windows["A02"], roster.inspector, roster.staff["F2"], at("2026-10-20"), finalise=False)
    rows = rank(OCT, "window")
    assert [(r.rank, r.code) for r in rows] == [(1, "A01"), (2, "A02")]
    a01, a02 = rows
    assert a01.average_score == 99.75 and a01.inspections == 2 and a01.pass_rate == 1 and a01.deductions == 0.5
    assert a02.inspections == 1 and a02.pass_rate == 0 and a02.average_score == 84


def test_ties_share_a_rank_and_the_next_rank_is_skipped(roster):
    scores(roster, {
        ("A01", "F1"): [()], ("A02", "F2"): [("DESK-09",)], ("B01", "F3"): [("DESK-09",)],
        ("B02", "F4"): [("DESK-01",)],
    })
    rows = rank(OCT, "window")
    assert [(r.rank, r.code) for r in rows] == [(1, "A01"), (2, "A02"), (2, "B01"), (4, "B02")]


def test_equal_averages_are_broken_by_pass_rate_then_vetoes(roster):
    # A01: 100 and 80 (vetoed) -> 90, pass rate 50%; A02: 90 and 90 -> 90, pass rate 100%
    scores(roster, {
        ("A01", "F1"): [(), ("DISC-19",)],
        ("A02", "F2"): [("DISC-07", "TABOO-15"), ("DISC-07", "TABOO-15")],
        ("B01", "F3"): [(), ("DISC-20",)],
        ("B02", "F4"): [(), ("DISC-04", "DISC-23", "TABOO-13", "TABOO-16")],
    })
    rows = {r.code: r for r in rank(OCT, "window")}
    assert rows["A01"].average_score == rows["A02"].average_score == 90
    assert rows["A02"].rank == 1
    # A01 and B01: same average, same pass rate, one veto each -> tie; B02: no veto, same average -> ahead
    assert rows["B02"].rank == 2 and rows["A01"].rank == rows["B01"].rank == 3


def test_staff_and_department_rankings(roster):
    scores(roster, {("B01", "F1"): [()], ("B01", "F2"): [FAILING], ("B02", "F3"): [("DESK-09",)]})
    staff = {r.code: r for r in rank(OCT, "staff")}
    assert staff["F1"].rank == 1 and staff["F2"].rank == 3 and staff["F2"].extra["employer"] == "某劳务公司"
    depts = rank(OCT, "department")
    assert [(r.code, r.inspections, r.average_score) for r in depts] == [("人社局", 1, 99.5), ("税务局", 2, 92)]


def test_quarter_and_year_roll_up_the_months(roster):
    person = roster.person("F1")
    inspect(roster.windows["A01"], roster.inspector, person, at("2026-07-01"))
    inspect(roster.windows["A01"], roster.inspector, person, at("2026-09-30", 23), fail=FAILING)
    inspect(roster.windows["A01"], roster.inspector, person, at("2026-10-01", 0))
    (q3,) = rank(periods.quarter("2026-Q3"))
    (year,) = rank(periods.year("2026"))
    assert q3.inspections == 2 and q3.average_score == 92
    assert year.inspections == 3


def test_rankings_json_keys_are_stable(roster):
    scores(roster, {("A01", "F1"): [()]})
    assert list(rank(OCT)[0].as_dict()) == [
        "rank", "code", "name", "average_score", "inspections", "pass_rate", "deductions", "vetoes"]


@pytest.mark.parametrize("bad", ["2026-13", "2026/10", "10-2026", ""])
def test_a_bad_month_is_refused(bad):
    with pytest.raises(Exception, match="月份格式错误"):
        periods.month(bad)


def test_smile_star_shortlist_excludes_probation_vetoes_disqualifying_conduct_and_few_inspections(roster):
    scores(roster, {
        ("A01", "GOOD"): [(), (), ()],
        ("A02", "PROB"): [FAILING, (), ()],          # opened a case in the month
        ("B01", "PHONE"): [("DISC-06",), (), ()],    # award-disqualifying, but 99 average
        ("B02", "ONCE"): [()],
        ("C01", "LOW"): [("DESK-01", "DESK-05", "DISC-03"), ("DESK-01", "DESK-05", "DISC-03")],  # 94
    })
    reasons = {c.row.code: c.reasons for c in smile_star_candidates(OCT)}
    assert reasons["GOOD"] == []
    assert "处于考察期" in reasons["PROB"]
    assert reasons["PHONE"] == ["有取消评先资格的行为"]
    assert reasons["LOW"] == ["平均分 94 低于 95"]
    assert any("巡查次数" in r for r in reasons["ONCE"])
    assert [r.code for r in smile_stars(OCT)] == ["GOOD"]


def test_award_disqualifying_failure_keeps_a_high_scorer_off_the_shortlist(roster):
    settings = load_settings()
    settings.smile_star_min_score = 90
    save_settings(settings)
    scores(roster, {("B01", "PHONE"): [("DISC-06",), (), ()], ("A01", "GOOD"): [(), ()]})
    reasons = {c.row.code: c.reasons for c in smile_star_candidates(OCT)}
    assert reasons["PHONE"] == ["有取消评先资格的行为"]
    assert [r.code for r in smile_stars(OCT)] == ["GOOD"]


def test_red_flag_windows_are_the_top_n_without_a_veto(roster):
    settings = load_settings()
    settings.red_flag_windows = 2
    save_settings(settings)
    scores(roster, {
        ("A01", "F1"): [(), ("DISC-22",)],  # high average but a veto
        ("A02", "F2"): [("DESK-09",)], ("B01", "F3"): [("DESK-01",)], ("B02", "F4"): [("DISC-01",)],
    })
    assert [r.code for r in red_flag_windows(OCT)] == ["A02", "B01"]
    assert Inspection.select().count() == 5


def test_a_vetoed_window_ranks_after_every_window_without_a_veto_and_is_marked(roster):
    from app.results import rankings

    windows = roster.windows
    inspect(windows["A01"], roster.inspector, roster.person("P1", "A01"), at("2026-10-05"), fail=("DISC-19",))  # 100 but vetoed
    inspect(windows["A02"], roster.inspector, roster.person("P2", "A02"), at("2026-10-05"), fail=FAILING)  # 84
    rows = rankings.rank(periods.month("2026-10"), "window")
    assert [(r.code, r.vetoes) for r in rows][-1] == ("A01", 1), "a veto ranks last whatever its average"
    assert (rows[-1].extra["grade"], rows[-1].extra["note"]) == ("不合格", "一票否决 1 次"), "one veto grades as a fail"
    assert rows[0].code != "A01" and "有一票否决者排在其他之后" in rankings.TIE_BREAKS


def test_a_vetoed_window_with_a_higher_average_than_the_others_is_still_placed_last(roster):
    """Not because its average is low: nine clean patrols lift it above the others, and it is last."""
    from app.results import rankings

    windows = roster.windows
    a01 = roster.person("P1", "A01")
    inspect(windows["A01"], roster.inspector, a01, at("2026-10-01"), fail=("DISC-19",))  # vetoed
    for day in range(2, 11):
        inspect(windows["A01"], roster.inspector, a01, at(f"2026-10-{day:02d}"))
    inspect(windows["A02"], roster.inspector, roster.person("P2", "A02"), at("2026-10-05"), fail=FAILING)  # 84
    inspect(windows["B01"], roster.inspector, roster.person("P3", "B01"), at("2026-10-05"), fail=FAILING)  # 84
    rows = rankings.rank(periods.month("2026-10"), "window")
    by = {r.code: r for r in rows}
    assert by["A01"].average_score > by["A02"].average_score, "the vetoed window has the higher average"
    assert [r.code for r in rows] == ["A02", "B01", "A01"] and [r.rank for r in rows] == [1, 1, 3]


def test_a_scheme_may_leave_the_vetoed_out_listed_apart_with_the_reason(roster):
    from app.results import rankings

    settings = load_settings()
    settings.veto_ranking = "不参加排名"
    save_settings(settings, roster.manager, "考核办法: 一票否决者不参加排名")
    windows = roster.windows
    inspect(windows["A01"], roster.inspector, roster.person("P1", "A01"), at("2026-10-05"), fail=("DISC-19",))
    inspect(windows["A02"], roster.inspector, roster.person("P2", "A02"), at("2026-10-05"), fail=FAILING)
    assert [r.code for r in rankings.rank(OCT, "window")] == ["A02"]
    apart = {u.code: (u.why, u.detail) for u in rankings.unranked(OCT, "window")}
    assert apart["A01"] == ("一票否决", "一票否决 1 次, 按规定不参加排名")
    assert apart["Z01"][0] == "本期未巡查"
    assert "不参加排名, 另列" in rankings.tie_breaks()
    settings.veto_ranking = "随便"
    with pytest.raises(Exception, match="排在最后 或 不参加排名"):
        save_settings(settings, roster.manager, "试")


def test_each_ranked_window_has_the_grade_of_its_average(roster):
    scores(roster, {("A01", "F1"): [(), ("DESK-09",)], ("A02", "F2"): [FAILING], ("B01", "F3"): [("DISC-19",)]})
    grades = {r.code: (r.extra["grade"], r.extra.get("note", "")) for r in rank(OCT, "window")}
    assert grades == {"A01": ("优秀", ""), "A02": ("不合格", ""), "B01": ("不合格", "一票否决 1 次")}


def test_too_few_inspections_are_listed_apart_and_the_never_inspected_are_listed(roster):
    from app.centres.settings import load_settings, save_settings
    from app.results import rankings

    settings = load_settings()
    settings.ranking_min_inspections = 2
    save_settings(settings, roster.manager, "每月至少巡查两次才排名")
    a01, a02 = roster.windows["A01"], roster.windows["A02"]
    p1 = roster.person("P1", "A01")
    for day in ("2026-10-05", "2026-10-06"):
        inspect(a01, roster.inspector, p1, at(day))
    inspect(a02, roster.inspector, roster.person("P2", "A02"), at("2026-10-07"), fail=FAILING)
    inspect(roster.windows["B01"], roster.inspector, roster.person("P3", "B01"), at("2026-10-07"))
    oct_ = periods.month("2026-10")
    assert [r.code for r in rankings.rank(oct_, "window")] == ["A01"]
    assert [(r.code, r.inspections) for r in rankings.too_few(oct_, "window")] == [("A02", 1), ("B01", 1)], \
        "by code, not by score (B01 scored higher)"
    unseen = [c for c, _ in rankings.never_inspected(oct_, "window")]
    assert "A01" not in unseen and "A02" not in unseen and unseen, "the rest of the hall is listed as not inspected"


def test_smile_stars_beyond_the_places_say_why_and_more_inspections_win_a_tie(roster):
    from app.centres.settings import load_settings, save_settings
    from app.results import rankings

    settings = load_settings()
    settings.smile_star_max = 1
    save_settings(settings, roster.manager, "本月一个名额")
    often, twice = roster.person("AA9", "A01"), roster.person("AA1", "A02")
    for day in range(5, 10):
        inspect(roster.windows["A01"], roster.inspector, often, at(f"2026-10-{day:02d}"))
    for day in (12, 13):
        inspect(roster.windows["A02"], roster.inspector, twice, at(f"2026-10-{day}"))
    candidates = {c.row.code: c.reasons for c in rankings.smile_star_candidates(periods.month("2026-10"))}
    assert candidates["AA9"] == [], "five inspections at 100 beat two at 100, whatever the numbers"
    assert candidates["AA1"] == ["名额已满 (名额 1, 评至第 1 名; 本人排名第 2 名)"]


def test_two_people_equal_on_every_measure_at_the_last_place_share_it_and_the_next_is_told_why(roster):
    """Places 2: AA1 first; AA2 and AA3 equal on average, pass rate, vetoes and patrols, both 2nd: both
    get the star (nothing stated tells them apart); AA4, 4th, is told where the places ended."""
    from app.centres.settings import load_settings, save_settings
    from app.results import rankings

    settings = load_settings()
    settings.smile_star_max, settings.red_flag_windows = 2, 2
    save_settings(settings, roster.manager, "本月两个名额")
    plan = {"AA1": ("A01", ()), "AA2": ("A02", ("DESK-09",)), "AA3": ("B01", ("DESK-09",)), "AA4": ("B02", ("DESK-01",))}
    for emp, (window, fails) in plan.items():
        person = roster.person(emp, window)
        for day in (5, 6, 7):
            inspect(roster.windows[window], roster.inspector, person, at(f"2026-10-0{day}"), fail=fails)
    candidates = {c.row.code: (c.row.rank, c.reasons) for c in rankings.smile_star_candidates(OCT)}
    assert candidates["AA1"] == (1, []) and candidates["AA2"] == (2, []) and candidates["AA3"] == (2, [])
    assert candidates["AA4"] == (4, ["名额已满 (名额 2, 评至第 2 名; 本人排名第 4 名)"])
    assert [r.code for r in rankings.smile_stars(OCT)] == ["AA1", "AA2", "AA3"]
    assert [r.code for r in rankings.red_flag_windows(OCT)] == ["A01", "A02", "B01"], "the flags share a tie too"


def test_last_periods_rank_and_the_change_are_beside_this_ones(roster):
    from app.results.reports import with_previous_rank

    a01, a02 = roster.windows["A01"], roster.windows["A02"]
    p1, p2 = roster.person("P1", "A01"), roster.person("P2", "A02")
    inspect(a01, roster.inspector, p1, at("2026-09-10"))
    inspect(a02, roster.inspector, p2, at("2026-09-10"), fail=("DESK-09",))
    inspect(a01, roster.inspector, p1, at("2026-10-10"), fail=("DESK-09",))
    inspect(a02, roster.inspector, p2, at("2026-10-10"))
    rows = {r.code: r for r in with_previous_rank(rank(OCT, "window"), OCT, "window")}
    assert (rows["A02"].rank, rows["A02"].extra["previous_rank"], rows["A02"].extra["change"]) == (1, 2, "↑1")
    assert (rows["A01"].rank, rows["A01"].extra["previous_rank"], rows["A01"].extra["change"]) == (2, 1, "↓1")
    q4 = periods.parse("2026-Q4")
    assert periods.previous(q4).label == "2026年第3季度" and periods.previous(periods.parse("2026")).label == "2025年"
    q4_rows = {r.code: r for r in with_previous_rank(rank(q4, "window"), q4, "window")}
    assert q4_rows["A01"].extra["previous_rank"] == 1, "September is in the third quarter"


def test_a_case_that_ended_on_the_months_first_day_counts_against_a_star_and_one_opened_the_day_after_does_not(roster):
    scores(roster, {("A01", "F1"): [(), ()], ("A02", "F2"): [(), ()], ("B01", "F3"): [(), ()]})
    ProbationCase.create(staff=roster.staff["F1"], opened_on=dt.date(2026, 9, 1), ends_on=dt.date(2026, 10, 1),
                         required_rechecks=2)
    ProbationCase.create(staff=roster.staff["F2"], opened_on=dt.date(2026, 11, 1), ends_on=dt.date(2026, 12, 1),
                         required_rechecks=2)
    reasons = {c.row.code: c.reasons for c in smile_star_candidates(OCT)}
    assert (reasons["F1"], reasons["F2"], reasons["F3"]) == (["处于考察期"], [], [])


def test_a_ranking_row_carries_its_department_or_employer_and_an_unknown_grouping_is_named(roster):
    scores(roster, {("A01", "F1"): [()], ("B01", "F3"): [()]})
    windows = {r.code: r for r in rank(OCT, "window")}
    assert windows["A01"].name == roster.windows["A01"].name
    assert windows["A01"].extra["department"] == roster.windows["A01"].department
    people = {r.code: r for r in rank(OCT, "staff")}
    assert (people["F1"].name, people["F1"].extra["employer"]) == ("人员F1", "某劳务公司")
    with pytest.raises(PatrolError) as refused:
        rank(OCT, "floor")
    assert str(refused.value).startswith("未知排名方式 'floor' (可选: window, ")


def test_an_average_of_thirds_is_kept_to_the_cent(roster):
    scores(roster, {("A01", "F1"): [(), ("DESK-09",), ("DESK-09",)]})  # 100, 99.5, 99.5
    (row,) = rank(OCT, "window")
    assert row.average_score == 99.67 and row.deductions == 1.0
