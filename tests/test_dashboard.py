"""Dashboard figures: the centre for managers; an inspector's own progress and averages, no ranking."""

import datetime as dt

from app.people.accounts import create_user
from app.results import dashboard
from tests.conftest import at
from tests.helpers import FAILING, inspect

DAY = dt.date(2026, 10, 14)  # a Wednesday


def test_a_manager_sees_the_whole_centres_progress_ranking_and_weekly_averages(roster):
    other = create_user("insp2", "巡查员丙", "inspector", "secret3")
    inspect(roster.windows["A01"], roster.inspector, roster.person("F1"), at("2026-10-14", 9))
    inspect(roster.windows["A02"], other, roster.person("F2", "A02"), at("2026-10-14", 10), fail=FAILING)
    inspect(roster.windows["B01"], other, roster.person("F3", "B01"), at("2026-10-14", 11), finalise=False)
    inspect(roster.windows["Z01"], roster.inspector, roster.person("F4", "Z01"), at("2026-10-06", 10))
    f = dashboard.figures(DAY, roster.manager)
    assert not f.own_only
    assert (f.today.windows, f.today.inspected, f.today.drafts, f.today.failed) == (6, 2, 1, 1)
    assert {r.code for r in f.ranking[:2]} == {"A01", "Z01"} and f.ranking[2].code == "A02" and len(f.ranking) == 3
    this_week, last_week = f.weekly[-1], f.weekly[-2]
    assert this_week[0] == dt.date(2026, 10, 12) and this_week[2] == 2 and this_week[1] == (100 + 84) / 2
    assert last_week[0] == dt.date(2026, 10, 5) and last_week[1:] == (100.0, 1)
    assert len(f.weekly) == 13 and f.weekly[0][1] is None


def test_an_inspector_sees_only_their_own_inspections_and_no_ranking(roster):
    other = create_user("insp2", "巡查员丙", "inspector", "secret3")
    inspect(roster.windows["A01"], roster.inspector, roster.person("F1"), at("2026-10-14", 9))
    inspect(roster.windows["A02"], other, roster.person("F2", "A02"), at("2026-10-14", 10), fail=FAILING)
    f = dashboard.figures(DAY, roster.inspector)
    assert f.own_only and f.ranking is None
    assert (f.today.windows, f.today.inspected, f.today.failed) == (6, 1, 0)
    assert f.weekly[-1][1:] == (100.0, 1)
    theirs = dashboard.figures(DAY, other)
    assert (theirs.today.inspected, theirs.today.failed) == (1, 1) and theirs.weekly[-1][1:] == (84.0, 1)


def test_an_inspector_still_sees_the_probation_rechecks_due_because_they_do_them(roster):
    other = create_user("insp2", "巡查员丙", "inspector", "secret3")
    inspect(roster.windows["A02"], other, roster.person("F2", "A02"), at("2026-10-14", 10), fail=FAILING)
    due = dashboard.figures(DAY, roster.inspector).probation
    assert [(r.employee_no, r.window) for r in due] == [("F2", "A02")]


def test_cases_awaiting_a_managers_decision_are_not_on_an_inspectors_dashboard(roster):
    from app.storage.models import ProbationCase

    inspect(roster.windows["A02"], roster.inspector, roster.person("F2", "A02"), at("2026-09-01", 10), fail=FAILING)
    assert ProbationCase.get().status == "open"
    # No re-checks in 30 days: the dashboard's own sweep recommends return, with no one opening the cases page.
    assert dashboard.figures(DAY, roster.inspector).probation == []
    assert ProbationCase.get().status == "recommend_return"
    assert [r.employee_no for r in dashboard.figures(DAY, roster.manager).probation] == ["F2"]
