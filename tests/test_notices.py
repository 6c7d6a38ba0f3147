"""Notices fit the person and the moment (agency / 在编 × first failure / re-check passed / re-check
failed), none for an inspection with nothing to rectify, role words never doubled. SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt

import pytest

from app.centres import workdays
from app.centres.settings import load_settings, save_settings
from app.errors import PatrolError
from app.patrolling import notices
from app.periods import cn_date
from app.results import reports
from tests.conftest import at
from tests.helpers import FAILING, inspect


@pytest.mark.parametrize("employer, then", [("锦程劳务派遣有限公司", "退回劳务公司重新安排岗位"),
                                            ("市场监管局(在编)", "按所在单位有关规定处理")])
def test_each_moment_says_the_right_thing_for_each_kind_of_employment(roster, employer, then):
    person = roster.person("F1")
    person.employer = employer
    person.save()
    window = roster.windows["A01"]
    first = inspect(window, roster.inspector, person, at("2026-10-05"), fail=FAILING)
    failed_again = inspect(window, roster.inspector, person, at("2026-10-12"), fail=FAILING)
    passed_with_a_fault = inspect(window, roster.inspector, person, at("2026-10-19"), fail=("DESK-09",))
    said = {}
    for insp in (first, failed_again, passed_with_a_fault):
        w = notices.wording(reports.inspection_record(insp.id))
        said[w.moment] = " ".join(w.lines)
    assert set(said) == {"first_failure", "recheck_fail", "recheck_pass"}
    assert "你已进入考察期" in said["first_failure"] and then in said["first_failure"]
    assert "复查不合格" in said["recheck_fail"] and then in said["recheck_fail"] and "你已进入考察期" not in said["recheck_fail"]
    assert "复查合格" in said["recheck_pass"] and "进入考察期" not in said["recheck_pass"] and then not in said["recheck_pass"]
    if "在编" in employer:
        assert all("劳务公司" not in text for text in said.values()), "在编 staff are not sent to an agency"


def test_the_consequence_is_a_setting(roster):
    settings = load_settings()
    settings.consequence_staff = "调整岗位"
    save_settings(settings, roster.manager, "局里通知")
    person = roster.person("F1")
    person.employer = "人社局(在编)"
    person.save()
    insp = inspect(roster.windows["A01"], roster.inspector, person, at("2026-10-05"), fail=FAILING)
    assert "调整岗位" in " ".join(notices.wording(reports.inspection_record(insp.id)).lines)


def test_a_passing_inspection_with_a_fault_asks_for_rectification_and_a_clean_one_gets_no_notice(roster, tmp_path):
    from exports import jobs

    person = roster.person("F1")
    faulty = inspect(roster.windows["A01"], roster.inspector, person, at("2026-10-05"), fail=("DESK-09",))
    record = reports.inspection_record(faulty.id)
    w = notices.wording(record)
    due = workdays.add_workdays(dt.date(2026, 10, 5), load_settings().rectify_days_normal)  # five working days
    assert record.deadlines == {"DESK-09": due}, "the table's deadline"
    assert w.moment == "rectify" and w.lines[0] == f"本次巡查发现以上问题, 请于{cn_date(due)}前完成整改, 巡查员将进行复查。"
    clean = inspect(roster.windows["A01"], roster.inspector, person, at("2026-10-06"))
    with pytest.raises(PatrolError, match="没有需整改的问题"):
        jobs.notice_pdf(tmp_path / "n.pdf", clean.uuid)
    assert not (tmp_path / "n.pdf").exists()


def test_role_words_are_not_doubled():
    assert notices.with_role("巡查员", "巡查员 王芳") == "巡查员 王芳"
    assert notices.with_role("巡查员", "王芳") == "巡查员 王芳"
    assert notices.without_role("巡查员", "巡查员 王芳") == "王芳"
    assert notices.employment("上海仁达人力资源有限公司") == "agency" and notices.employment("税务局") == "other"


def test_a_notice_reprinted_a_month_later_tells_the_count_of_its_own_day(roster):
    """The re-check of 10-12 failed: reprinted after four more re-checks, it still says 0 passed, 1 failed."""
    person, window = roster.person("F1"), roster.windows["A01"]
    inspect(window, roster.inspector, person, at("2026-10-05"), fail=FAILING)
    second = inspect(window, roster.inspector, person, at("2026-10-12"), fail=FAILING)
    for day in ("2026-10-19", "2026-10-26", "2026-11-02"):
        inspect(window, roster.inspector, person, at(day))
    inspect(window, roster.inspector, person, at("2026-10-12", hour=15), fail=FAILING)  # the same afternoon, later
    rec = reports.inspection_record(second.id)
    assert (rec.rechecks_passed, rec.rechecks_failed) == (0, 1)
    assert "至今复查合格 0 次、不合格 1 次" in " ".join(notices.wording(rec).lines)


def test_the_probation_notice_follows_the_persons_employment_and_tells_its_state_as_of_the_print_day(roster, tmp_path):
    import datetime as dt
    import subprocess

    from app.storage.models import ProbationCase
    from exports import pdf_reports

    person = roster.person("F1")
    person.employer = "市场监管局(在编)"
    person.save()
    inspect(roster.windows["A01"], roster.inspector, person, at("2026-10-05"), fail=FAILING)
    case = ProbationCase.get()
    during = reports.probation_notice(case.id, as_of=case.ends_on)
    after = reports.probation_notice(case.id, as_of=case.ends_on + dt.timedelta(days=1))
    assert (during.status, after.status) == ("考察中", "期满待处理"), "as the register says on that day"
    assert after.consequence == "按所在单位有关规定处理"
    out = tmp_path / "probation.pdf"
    pdf_reports.probation_pdf(out, after, "WPR2:C:1:0:X:" + "A" * 86)
    text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True).stdout
    assert "按所在单位有关规定处理" in text and "劳务公司" not in text.replace("用工单位", "")
