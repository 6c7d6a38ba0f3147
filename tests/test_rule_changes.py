"""Grading rules change from a month, never inside one; re-grading a month is one audited act."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from app import audit
from app.centres.settings import load_settings, month_start, next_month_start, parse_value, save_settings
from app.errors import PatrolError
from app.results import probation, probation_rules, rule_changes
from app.storage.models import Inspection, InspectionHistory, ProbationCase
from tests.helpers import FAILING, inspect

# 100 − 23 = 77 and 100 − 12 = 88: under 优秀=95,良好=90,合格=85 a fail and a 合格.
SEVENTY_SEVEN = FAILING + ("DISC-04", "DISC-05")
EIGHTY_EIGHT = ("DISC-07", "DISC-04", "DISC-05")
NEW_GRADES = "优秀=95,良好=85,合格=70"


def _last_month() -> dt.date:
    return month_start(month_start(dt.date.today()) - dt.timedelta(days=1))


def _at(month: dt.date, day: int) -> dt.datetime:
    return dt.datetime.combine(month.replace(day=day), dt.time(10))


def _new_rules():
    settings = load_settings()
    settings.grades = parse_value("grades", NEW_GRADES)
    return settings


def test_a_grade_change_previews_its_effect_then_waits_for_next_month(roster):
    month = _last_month()
    person, other = roster.person("S1"), roster.person("S2", "A02")
    low = inspect(roster.windows["A01"], roster.inspector, person, _at(month, 5), fail=SEVENTY_SEVEN)
    mid = inspect(roster.windows["A02"], roster.inspector, other, _at(month, 6), fail=EIGHTY_EIGHT)
    assert (low.score, low.grade, mid.score, mid.grade) == (77, "不合格", 88, "合格")
    assert ProbationCase.get(ProbationCase.opening_inspection == low).status == "open"

    effect = rule_changes.preview(_new_rules(), month)
    assert (effect.inspections, len(effect.changes), effect.now_passing, effect.cases_withdrawn) == (2, 2, 1, 1)
    assert {(c.old_grade, c.new_grade) for c in effect.changes} == {("不合格", "合格"), ("合格", "良好")}
    assert Inspection.get_by_id(low.id).grade == "不合格"  # a preview writes nothing

    outcome = rule_changes.change_settings(_new_rules(), roster.manager, "2027年考核办法")
    assert outcome.effective_from == next_month_start(dt.date.today()) and outcome.regraded is None
    # Nothing mixed: an inspection of last month finalised after the change is graded as its month was.
    later = inspect(roster.windows["A01"], roster.inspector, other, _at(month, 20), fail=SEVENTY_SEVEN)
    assert (later.score, later.grade) == (77, "不合格")
    assert Inspection.get_by_id(low.id).grade == "不合格" and Inspection.get_by_id(mid.id).grade == "合格"
    assert [g.label for g in load_settings().grades] == ["优秀", "良好", "合格"]
    assert load_settings(next_month_start(dt.date.today())).grades[1].min_score == 85


def test_re_grading_a_month_moves_the_77_to_pass_and_withdraws_its_case_audited(roster):
    month = _last_month()
    person = roster.person("S1")
    low = inspect(roster.windows["A01"], roster.inspector, person, _at(month, 5), fail=SEVENTY_SEVEN)
    case = ProbationCase.get(ProbationCase.opening_inspection == low)
    with pytest.raises(PatrolError, match="重新评定"):
        rule_changes.change_settings(_new_rules(), roster.manager, "试", month)
    with pytest.raises(PatrolError, match="1 日"):
        rule_changes.change_settings(_new_rules(), roster.manager, "试", month.replace(day=2), regrade=True)

    outcome = rule_changes.change_settings(_new_rules(), roster.manager, "局里通知本月起执行新标准", month, regrade=True)
    assert outcome.effective_from == month and len(outcome.regraded.changes) == 1
    regraded = Inspection.get_by_id(low.id)
    assert (regraded.score, regraded.grade, regraded.passed, regraded.revision) == (77, "合格", True, 2)
    assert InspectionHistory.get(InspectionHistory.uuid == low.uuid).revision == 1  # the old grade is kept
    case = ProbationCase.get_by_id(case.id)
    assert case.status == "withdrawn" and "重新评定" in probation.history(case)[-1].cause
    entry = next(e for e in audit.entries() if e.action == "inspection.regrade")
    assert entry.reason.startswith("局里通知本月起执行新标准") and "77 合格" in json.loads(entry.new).values()
    assert any(e.action == "settings.rules" for e in audit.entries())
    # A new inspection of that month is graded by the same (new) rules: still one rule per month.
    again = inspect(roster.windows["A01"], roster.inspector, person, _at(month, 25), fail=SEVENTY_SEVEN)
    assert again.grade == "合格"


def test_settings_that_grade_nothing_take_effect_at_once(roster):
    settings = load_settings()
    settings.smile_star_max = 3
    assert save_settings(settings, roster.manager, "名额调整") is None
    assert load_settings().smile_star_max == 3


def test_command_line_previews_schedules_and_regrades(roster, capsys, db_target, monkeypatch):
    from app.storage import db as dbmod
    from cli import main

    month = _last_month()
    person = roster.person("S1")
    low = inspect(roster.windows["A01"], roster.inspector, person, _at(month, 5), fail=SEVENTY_SEVEN)
    dbmod.close_database()
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "secret2")
    try:
        base = ["--db", db_target, "--user", "boss"]
        code = main(["settings", "set", "grades", NEW_GRADES, "--from", f"{month:%Y-%m}", "--regrade", "--preview", *base])
        out = capsys.readouterr().out
        assert code == 0 and "2 条" not in out and "1 条的分数或等级改变" in out and "77 不合格 → 77 合格" in out
        # Without --regrade too, a preview is of the month --from names, not of this one.
        code = main(["settings", "set", "grades", NEW_GRADES, "--from", f"{month:%Y-%m}", "--preview", *base])
        out = capsys.readouterr().out
        assert code == 0 and f"若新规则从{month.year}年{month.month}月1日起执行" in out and "77 不合格 → 77 合格" in out
        code = main(["settings", "set", "grades", NEW_GRADES, "--from", f"{month:%Y-%m}", "--reason", "试", *base])
        assert code != 0 and "重新评定" in capsys.readouterr().err
        code = main(["settings", "set", "grades", NEW_GRADES, "--from", f"{month:%Y-%m}", "--regrade",
                     "--reason", "局里通知", *base])
        out = capsys.readouterr().out
        assert code == 0 and "已重新评定" in out and "撤销 1 个" in out
    finally:
        dbmod.open_database(db_target)
    assert Inspection.get_by_id(low.id).grade == "合格"


def test_a_laptop_that_graded_by_the_old_rules_is_accepted_and_stored_as_the_office_grades(db_target, tmp_path):
    """The office re-graded last month after the laptop was set up; the laptop's package still carries
    the old grades. They are figures the office computes: stored by its rules, said in the summary."""
    from app.demo.centre import make_demo
    from app.exchange.results_import import import_package
    from app.storage import db as dbmod
    from app.storage.models import User
    from tests.helpers import enrol_laptop, export_from, on_laptop

    month = _last_month()
    dbmod.open_database(db_target)
    try:
        make_demo(seed=9, with_inspections=False)
        laptop = tmp_path / "laptop1.db"
        enrol_laptop(db_target, laptop, tmp_path)
        boss = User.get(User.username == "admin")
        rule_changes.change_settings(_new_rules(), boss, "局里通知", month, regrade=True)
        enrol_laptop(db_target, tmp_path / "laptop2.db", tmp_path, name="笔记本2")  # set up after the change
        dbmod.close_database()
        dbmod.open_database(str(tmp_path / "laptop2.db"))
        assert load_settings(month).grades[-1].min_score == 70  # it grades by the month, as the office does
        assert load_settings(month - dt.timedelta(days=1)).grades[-1].min_score == 85
        dbmod.close_database()
        on_laptop(laptop, [("A01", month.replace(day=5).isoformat(), SEVENTY_SEVEN)])
        package = export_from(laptop, tmp_path / "old-rules.wpr").path
        dbmod.open_database(db_target)
        summary = import_package(package, boss)
        assert summary.new == 1 and summary.regraded == 1 and "重新评定" in summary.line()
        stored = Inspection.get()
        assert (stored.score, stored.grade, stored.passed) == (77, "合格", True)
        assert not ProbationCase.select().exists()  # passed by the office's rules: no case
        assert import_package(package, boss).unchanged == 1  # the same package again changes nothing
    finally:
        dbmod.close_database()


def test_a_draft_seen_last_month_and_finished_after_this_months_new_rules_is_graded_by_its_own_day(roster):
    """New grades from this month (re-graded), a draft of the 30th of last month finished today: graded
    by last month's rules (77 fails), while this month's 77 passes."""
    from app.loop import record_changes

    this_month = month_start(dt.date.today())
    last_month = _last_month()
    draft = inspect(roster.windows["A01"], roster.inspector, roster.person("S1"),
                    _at(last_month, 28), fail=SEVENTY_SEVEN, finalise=False)
    rule_changes.change_settings(_new_rules(), roster.manager, "本月起执行新标准", this_month, regrade=True)
    record_changes.finalise(draft)
    assert (Inspection.get_by_id(draft.id).score, Inspection.get_by_id(draft.id).grade) == (77, "不合格")
    now = inspect(roster.windows["A02"], roster.inspector, roster.person("S2", "A02"),
                  dt.datetime.combine(this_month, dt.time(9)), fail=SEVENTY_SEVEN)
    assert now.grade == "合格"


def test_stricter_grades_re_graded_leave_one_case_from_the_earliest_failure_as_a_replay_would(roster):
    """88 on the 5th passed, 77 on the 12th opened a case. Graded 合格=90 again, the 5th fails: its case
    opens on the 5th and the 12th is a failed re-check of it, not a second overlapping case."""
    month = _last_month()
    person = roster.person("S1")
    inspect(roster.windows["A01"], roster.inspector, person, _at(month, 5), fail=EIGHTY_EIGHT)
    inspect(roster.windows["A01"], roster.inspector, person, _at(month, 12), fail=SEVENTY_SEVEN)
    stricter = load_settings()
    stricter.grades = parse_value("grades", "优秀=98,良好=95,合格=90")
    rule_changes.change_settings(stricter, roster.manager, "从严", month, regrade=True)
    live = [c for c in ProbationCase.select().where(ProbationCase.staff == person) if c.status == "open"]
    assert [(c.opened_on, probation_rules.recheck_counts(c)) for c in live] == [(month.replace(day=5), (0, 1))]
    assert {c.status for c in ProbationCase.select().where(ProbationCase.staff == person)} == {"open", "withdrawn"}


def test_a_lower_pass_mark_withdraws_a_case_but_a_later_failure_still_opens_one(roster):
    """77 on the 5th opened a case, a veto on the 12th failed its re-check. With 合格=70 the 5th passes and
    its case is withdrawn; the 12th (a veto fails whatever the grades) now opens a case of its own."""
    month = _last_month()
    person = roster.person("S1")
    inspect(roster.windows["A01"], roster.inspector, person, _at(month, 5), fail=SEVENTY_SEVEN)
    vetoed = inspect(roster.windows["A01"], roster.inspector, person, _at(month, 12), fail=("DISC-19",))
    rule_changes.change_settings(_new_rules(), roster.manager, "放宽", month, regrade=True)
    live = [c for c in ProbationCase.select().where(ProbationCase.staff == person) if c.status == "open"]
    assert [(c.opened_on, c.opening_inspection_id) for c in live] == [(month.replace(day=12), vetoed.id)]


def test_a_preview_lists_twenty_changes_unless_asked_for_all(roster, capsys, db_target, monkeypatch):
    from app.storage import db as dbmod
    from cli import main

    month = _last_month()
    for n in range(22):
        inspect(roster.windows["A01"], roster.inspector, roster.person(f"S{n}"), _at(month, 1 + n % 20) + dt.timedelta(
            minutes=n), fail=SEVENTY_SEVEN)
    dbmod.close_database()
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "secret2")
    try:
        base = ["settings", "set", "grades", NEW_GRADES, "--from", f"{month:%Y-%m}", "--preview", "--db", db_target,
                "--user", "boss"]
        assert main(base) == 0
        out = capsys.readouterr().out
        assert out.count("77 不合格 → 77 合格") == 20 and "… 另有 2 条 (加 --all 列出全部)" in out
        assert main(base + ["--all"]) == 0
        out = capsys.readouterr().out
        assert out.count("77 不合格 → 77 合格") == 22 and "另有" not in out
    finally:
        dbmod.open_database(db_target)
