"""A month walked through the loop: faults with deadlines over a holiday, a re-check that rectifies,
one left overdue, an appeal found right that withdraws a probation case, and the ranking published,
every step in the audit trail; the ranking on paper says 未定稿 until it is published."""

from __future__ import annotations

import datetime as dt

import pytest
from python_calamine import CalamineWorkbook

from app import periods
from app.centres import workdays
from app.centres.scope import signed_in
from app.errors import PatrolError
from app.loop import appeals, approvals, publishing, verify
from app.results import dashboard, rectification_items
from app.storage.models import AuditEntry, Inspection, ProbationCase, Publication
from exports import jobs
from tests.conftest import at
from tests.helpers import FAILING, inspect
from tests.test_exports import need_tools, pdf_pages, pdf_text

APRIL = periods.month("2026-04")


@pytest.fixture
def april(roster):
    for emp, window in (("P1", "A01"), ("P2", "A02"), ("P3", "B01")):
        roster.person(emp, window)
    workdays.set_days(roster.manager, dt.date(2026, 4, 4), dt.date(2026, 4, 6), "holiday", "清明节", "国务院办公厅通知")
    return roster


def _walk(r):
    w, p = r.windows, r.staff
    inspect(w["A01"], r.inspector, p["P1"], at("2026-04-03"), fail=("APPEAR-11",))  # due 13 April
    disputed = inspect(w["A02"], r.inspector, p["P2"], at("2026-04-03"), fail=FAILING)  # 84: fails, opens a case
    inspect(w["B01"], r.inspector, p["P3"], at("2026-04-03"), fail=("APPEAR-12",))  # never re-checked
    case = ProbationCase.get(ProbationCase.staff == p["P2"].id)
    assert case.status == "open"
    appeal = appeals.record_appeal(r.manager, disputed, ["DRESS-01", "DRESS-12"], "当日系孕妇, 按规定可不着工作服",
                                   today=dt.date(2026, 4, 7))
    assert appeals.deadline(disputed) == dt.date(2026, 4, 9), "three working days after the 3rd, over 清明"
    assert not publishing.status(APRIL, today=dt.date(2026, 5, 6)).ready, "an appeal is still pending"
    approvals.decide_appeal(r.manager, appeal, True, "核实属实, 该两项不扣分")
    assert Inspection.get_by_id(disputed.id).passed, "84 + 3 + 3 = 90: passes"
    inspect(w["A01"], r.inspector, p["P1"], at("2026-04-09"))  # re-checked: fixed
    return case, disputed


def test_a_month_through_the_loop_in_the_audit_trail(april, tmp_path):
    case, disputed = _walk(april)
    assert ProbationCase.get_by_id(case.id).status == "withdrawn", "the case the disputed failure opened is withdrawn"
    items = {r.employee_no: r for r in rectification_items.items(today=dt.date(2026, 4, 14))}
    assert items["P1"].state == "rectified" and items["P1"].closed_on == dt.date(2026, 4, 9)
    assert items["P3"].state == "overdue" and items["P3"].due_on == dt.date(2026, 4, 13)
    assert dashboard.overdue_rectifications(dt.date(2026, 4, 14)) >= 1
    book = tmp_path / "april.xlsx"
    jobs.monthly_excel(book, "2026-04")
    sheet = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("整改情况").to_python()
    states = {row[4]: row[8] for row in sheet[1:] if len(row) > 8 and row[4]}
    assert states["人员P3"] == "逾期未整改" and states["人员P1"] == "已整改"
    assert publishing.status(APRIL, today=dt.date(2026, 5, 6)).ready
    done = publishing.publish(april.manager, APRIL, today=dt.date(2026, 5, 6))
    assert done.published_by == "boss"
    with pytest.raises(Exception, match="已于"):
        publishing.publish(april.manager, APRIL)
    actions = [a for (a,) in AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id).tuples()]
    for step in ("calendar.change", "appeal.record", "inspection.amend", "appeal.decide", "ranking.publish"):
        assert step in actions, step
    assert actions.index("appeal.record") < actions.index("inspection.amend") < actions.index("appeal.decide") \
        < actions.index("ranking.publish")


def test_an_appeal_out_of_time_or_against_no_deduction_is_refused(april):
    bad = inspect(april.windows["A01"], april.inspector, april.staff["P1"], at("2026-04-03"), fail=("APPEAR-11",))
    with pytest.raises(Exception, match="申诉期已过"):
        appeals.record_appeal(april.manager, bad, ["APPEAR-11"], "太晚了", today=dt.date(2026, 4, 10))
    with pytest.raises(Exception, match="没有扣分: APPEAR-12"):
        appeals.record_appeal(april.manager, bad, ["APPEAR-12"], "不是这项", today=dt.date(2026, 4, 7))
    appeal = appeals.record_appeal(april.manager, bad, ["APPEAR-11"], "发型符合要求", today=dt.date(2026, 4, 7))
    approvals.decide_appeal(april.manager, appeal, False, "照片显示确未束发")
    assert Inspection.get_by_id(bad.id).score == 99.0, "an appeal found wrong changes nothing"


@need_tools
def test_the_ranking_pdf_says_draft_on_every_page_until_published_and_then_its_qr_verifies(april, tmp_path):
    _walk(april)
    draft = tmp_path / "draft.pdf"
    assert "未定稿" in jobs.ranking_pdf(draft, "2026-04", "window")
    pages = pdf_pages(draft)
    text = pdf_text(draft)
    assert text.count("未定稿") >= pages
    publishing.publish(april.manager, APRIL)
    final = tmp_path / "final.pdf"
    assert "未定稿" not in jobs.ranking_pdf(final, "2026-04", "window")
    assert "未定稿" not in pdf_text(final)
    payload = verify.payload("R", verify.ranking_ident("2026-04", "window"))
    assert payload.split(":")[3] == Publication.get().fingerprint, "the paper matches the ranking as published"
    assert verify.verify(payload).matches


def test_an_appeal_is_recorded_and_found_right_from_the_app(qtbot, demo_roster, app_font, monkeypatch, tmp_path):
    from app.patrolling.records import record_number
    from app.storage.models import Staff, Window
    from forms.loop_page import AppealsPage
    from tests.gui_support import Answers, give_reasons, user

    Answers(monkeypatch)
    window = Window.get(Window.code == "A05")
    person = Staff.get(Staff.window == window)
    day = dt.date.today() - dt.timedelta(days=1)
    failed = inspect(window, user("xuncha1"), person, at(day.isoformat()), fail=FAILING)
    page = AppealsPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    page.resize(1200, 420)
    page.month.setText(f"{day:%Y-%m}")
    give_reasons(monkeypatch, (record_number(failed.uuid), True), ("DRESS-01，DRESS-12", True), ("当日系孕妇", True))
    page.add()
    assert [r.state for r in page.model.rows] == ["待复核"]
    assert "未定稿" in page.status.text() and "申诉" in page.status.text() and not page.publish_button.isEnabled()
    page.view.selectRow(0)
    give_reasons(monkeypatch, ("核实属实", True))
    page.decide(True)
    assert page.model.rows[0].state.startswith("申诉成立") and Inspection.get_by_id(failed.id).passed
    page.show()
    page.grab().save(str(tmp_path / "appeals.png"))


def test_with_second_approval_a_changed_verdict_and_the_publication_wait_for_another_manager(april):
    from app.centres.settings import load_settings, save_settings
    from app.errors import PatrolError
    from app.people.accounts import create_user
    from app.storage.models import Appeal, Approval

    settings = load_settings()
    settings.second_approval = True
    save_settings(settings, april.manager, "中心实行双人审批")
    other = create_user("boss2", "管理员丙", "manager", "secret3")
    w, p = april.windows, april.staff
    disputed = inspect(w["A02"], april.inspector, p["P2"], at("2026-04-03"), fail=FAILING)
    appeal = appeals.record_appeal(april.manager, disputed, ["DRESS-01", "DRESS-12"], "孕妇", today=dt.date(2026, 4, 7))
    approvals.decide_appeal(april.manager, appeal, True, "核实属实")
    assert not Inspection.get_by_id(disputed.id).passed, "nothing changes before the second manager approves"
    assert Appeal.get_by_id(appeal.id).decision_reason.startswith("改判待批准")
    asked = Approval.get()
    with pytest.raises(PatrolError, match="另一名管理员"):
        approvals.decide(april.manager, asked, True, "我自己批")
    approvals.decide(other, asked, True, "同意改判")
    assert Inspection.get_by_id(disputed.id).passed and Appeal.get_by_id(appeal.id).state == "upheld"
    assert ProbationCase.get(ProbationCase.staff == p["P2"].id).status == "withdrawn"
    small = inspect(w["A01"], april.inspector, p["P1"], at("2026-04-08"), fail=("APPEAR-11",))
    assert approvals.amend_or_request(april.manager, small, {"APPEAR-11": "pass"}, "复核照片")[0] == "done", \
        "a change that keeps the verdict needs no second manager"
    outcome, publication = approvals.publish_or_request(april.manager, APRIL, today=dt.date(2026, 5, 6))
    assert outcome == "pending" and not publishing.status(APRIL, dt.date(2026, 5, 6)).ready
    approvals.decide(other, publication, True, "核对无误, 同意发布")
    done = Publication.get()
    assert (done.published_by, done.approved_by) == ("boss", "boss2")
    trail = [a for (a,) in AuditEntry.select(AuditEntry.action).order_by(AuditEntry.id).tuples()]
    assert trail.count("approval.request") == 2 and trail.count("approval.approve") == 2


def test_the_second_approval_guards_itself_a_manager_cannot_turn_it_off_or_add_a_manager_alone(april):
    """Turning the rule off, and adding or re-activating a manager who could then approve, wait for
    another manager; the audit shows both names."""
    from app.centres.settings import load_settings, save_settings
    from app.errors import NeedsApproval, PatrolError
    from app.people import accounts
    from app.people.accounts import create_user
    from app.storage.models import Approval, User

    settings = load_settings()
    settings.second_approval = True
    save_settings(settings, april.manager, "中心实行双人审批")
    other = create_user("boss2", "管理员丙", "manager", "secret3")
    off = load_settings()
    off.second_approval = False
    with pytest.raises(NeedsApproval):
        save_settings(off, april.manager, "我一个人说了算")
    outcome, asked = approvals.save_settings_or_request(april.manager, off, "我一个人说了算")
    assert outcome == "pending" and load_settings().second_approval, "still on until another manager approves"
    with pytest.raises(PatrolError, match="另一名管理员"):
        approvals.decide(april.manager, asked, True, "自己批")

    outcome, pending_manager = approvals.add_account_or_request(april.manager, "boss3", "我的副手", "manager", "secret4")
    assert outcome == "pending" and not User.select().where(User.username == "boss3").exists()
    assert "secret4" not in pending_manager.payload, "the password is kept as its hash only"
    inspector = create_user("xc9", "巡查员", "inspector", "secret5")
    assert approvals.manage_account_or_request(april.manager, inspector, role="manager")[0] == "pending"
    with pytest.raises(NeedsApproval):
        accounts.manage_account(april.manager, inspector, role="manager")
    assert User.get_by_id(inspector.id).role == "inspector"
    accounts.manage_account(april.manager, other, active=False)  # stepping a manager down needs no one
    with pytest.raises(NeedsApproval):
        accounts.manage_account(april.manager, User.get_by_id(other.id), active=True)

    third = create_user("boss4", "管理员丁", "manager", "secret6")  # made at set-up, outside the app's rules
    approvals.decide(third, pending_manager, True, "核实任命文件")
    assert User.get(User.username == "boss3").role == "manager"
    assert accounts.authenticate("boss3", "secret4").username == "boss3", "the hash kept is the password given"
    approvals.decide(third, asked, True, "局里同意取消")
    assert not load_settings().second_approval
    change = [e for e in AuditEntry.select() if e.action == "settings.change"][-1]
    assert change.username == "boss" and "经boss4批准" in change.reason
    assert Approval.select().where(Approval.state == "pending").count() == 1, "xc9's promotion still waits"


def test_publishing_is_refused_on_the_last_day_of_the_appeal_window_and_allowed_the_day_after(april):
    from app.centres.workdays import appeal_deadline
    from app.errors import PatrolError

    last = inspect(april.windows["A01"], april.inspector, april.staff["P1"], at("2026-04-29"))
    closes = appeal_deadline(last)
    assert closes > dt.date(2026, 4, 30)
    with pytest.raises(PatrolError, match=f"申诉期到{closes.year}年{closes.month}月{closes.day}日结束"):
        publishing.publish(april.manager, APRIL, today=closes)
    assert publishing.publish(april.manager, APRIL, today=closes + dt.timedelta(days=1)).period == "2026-04"


def test_a_published_month_is_frozen_until_reopened_and_its_old_paper_then_reads_as_superseded(april):
    """An amendment (and so an appeal found right), a late draft and a re-grade of a published month are
    refused, named, and changes nothing; re-opened (audited) the amendment goes through, and the month is
    published again; the first publication's QR verifies as 已被更正版本取代."""
    from app.errors import PatrolError
    from app.loop import record_changes
    from app.results import rankings, rule_changes
    from app.storage.models import AuditEntry as Entry

    _, disputed = _walk(april)
    w, p = april.windows, april.staff
    late = inspect(w["B01"], april.inspector, p["P3"], at("2026-04-28"), finalise=False)
    publishing.publish(april.manager, APRIL)
    first_paper = verify.payload("R", verify.ranking_ident("2026-04", "window"))
    before = [(r.code, r.average_score) for r in rankings.rank(APRIL, "window")]
    with pytest.raises(PatrolError, match="2026年4月排名已于.*定稿发布.*publish --month 2026-04 --reopen"):
        record_changes.amend(disputed, april.manager, {"DISC-07": "fail"}, "复核录像")
    with pytest.raises(PatrolError, match="草稿"):
        record_changes.finalise(late)
    from app.centres.settings import load_settings, parse_value

    new_rules = load_settings()
    new_rules.grades = parse_value("grades", "优秀=99,良好=98,合格=97")
    with pytest.raises(PatrolError, match="重新评定会改动的记录"):
        rule_changes.change_settings(new_rules, april.manager, "追溯", dt.date(2026, 4, 1), regrade=True)
    assert [(r.code, r.average_score) for r in rankings.rank(APRIL, "window")] == before, "nothing moved"

    with pytest.raises(PatrolError, match="理由"):
        publishing.reopen(april.manager, APRIL, " ")
    publishing.reopen(april.manager, APRIL, "申诉复核发现录像证据")
    assert publishing.status(APRIL).label == "未定稿"
    record_changes.amend(disputed, april.manager, {"DISC-07": "fail"}, "复核录像")
    record_changes.finalise(late)
    publishing.publish(april.manager, APRIL, today=dt.date.today() + dt.timedelta(days=30))  # the late draft's appeal time
    verdict = verify.verify(first_paper)
    assert not verdict.matches and "已被更正版本取代" in verdict.message and "申诉复核发现录像证据" in verdict.message
    assert verify.verify(verify.payload("R", verify.ranking_ident("2026-04", "window"))).matches
    reopened = Entry.get(Entry.action == "ranking.reopen")
    assert reopened.username == "boss" and first_paper.split(":")[3] in reopened.old
    import json

    old = json.loads(reopened.old)
    assert (old["published_by"], old["fingerprint"], old["approved_by"]) == ("boss", first_paper.split(":")[3], "")
    assert json.loads(reopened.new) == {"approved_by": ""} and reopened.reason == "申诉复核发现录像证据"
    published = Entry.select().where(Entry.action == "ranking.publish").order_by(Entry.id).first()
    assert published.reason == "2026年4月申诉期结束, 申诉均已复核", "the default reason says why it may be published"


def test_the_published_sheets_qr_differs_from_a_drafts_and_the_draft_reads_as_not_final(april):
    """The same figures printed before and after publication: two QR codes; the draft's, checked once the
    month is published, says it was printed before it was final."""
    _walk(april)
    ident = verify.ranking_ident("2026-04", "window")
    draft_paper = verify.payload("R", ident)
    assert verify.verify(draft_paper).matches, "while the month is a draft, its draft paper stands"
    publishing.publish(april.manager, APRIL)
    final_paper = verify.payload("R", ident)
    assert final_paper.split(":")[3] != draft_paper.split(":")[3]
    assert Publication.get().fingerprint == final_paper.split(":")[3]
    assert verify.verify(final_paper).matches
    verdict = verify.verify(draft_paper)
    assert not verdict.matches and "打印时尚未定稿" in verdict.message


def test_a_change_to_a_published_month_is_held_listed_and_takes_effect_when_the_month_is_reopened(april):
    """An amendment and an appeal found right after publication change nothing yet: each is listed as
    待重新开放后生效; re-opening the month applies them (audited), the appeal is decided, and the month is
    a draft until published again."""
    from app.loop import appeals as appeal_rules
    from app.results import rankings

    _, disputed = _walk(april)
    w, p = april.windows, april.staff
    other = inspect(w["A01"], april.inspector, p["P1"], at("2026-04-20"), fail=("DISC-07", "APPEAR-11"))
    appeal = appeal_rules.record_appeal(april.manager, other, ["DISC-07"], "本人不服", today=dt.date(2026, 4, 21))
    appeal_rules.mark_decided(appeal.id, april.manager, False, "录像清楚")
    publishing.publish(april.manager, APRIL)
    before = [(r.code, r.average_score) for r in rankings.rank(APRIL, "window")]
    outcome, held = approvals.amend_or_request(april.manager, disputed, {"DISC-07": "fail"}, "复核录像")
    assert outcome == "held" and held.state == "held"
    with pytest.raises(PatrolError, match=f"同样的修改已在审批 {held.id} 中待重新开放后生效"):
        approvals.amend_or_request(april.manager, disputed, {"DISC-07": "fail"}, "再提一次")
    late_appeal = appeal_rules.record_appeal(april.manager, other, ["APPEAR-11"], "再次申诉", today=dt.date(2026, 4, 21))
    decided = approvals.decide_appeal(april.manager, late_appeal, True, "照片显示合规")
    assert decided.state == "pending" and decided.decision_reason.startswith("改判待该期重新开放")
    assert [(r.code, r.average_score) for r in rankings.rank(APRIL, "window")] == before, "nothing moved yet"
    listed = approvals.approvals(pending_only=True)
    assert [(a.id, a.kind, a.state) for a in listed] == [(held.id, "已发布一期的记录修改", "待重新开放后生效"),
                                                        (held.id + 1, "已发布一期的记录修改", "待重新开放后生效")]
    assert "已于" in " ".join(AuditEntry.get(AuditEntry.action == "approval.hold").new.split())

    assert approvals.reopen_or_request(april.manager, APRIL, "改正两条记录")[0] == "done"
    assert Inspection.get_by_id(disputed.id).revision > disputed.revision
    assert _appeal_state(late_appeal.id) == "upheld"
    assert approvals.approvals(pending_only=True) == []
    assert publishing.status(APRIL).label == "未定稿"
    assert AuditEntry.select().where(AuditEntry.action == "approval.release").count() == 2


def _appeal_state(appeal_id: int) -> str:
    from app.storage.models import Appeal

    return Appeal.get_by_id(appeal_id).state


def test_reopening_a_published_month_needs_the_second_manager_where_the_centre_requires_one(april):
    from app.centres.settings import load_settings, save_settings
    from app.people.accounts import create_user

    _walk(april)
    publishing.publish(april.manager, APRIL)
    settings = load_settings()
    settings.second_approval = True
    save_settings(settings, april.manager, "中心实行双人审批")
    other = create_user("boss2", "管理员丙", "manager", "secret3")
    outcome, asked = approvals.reopen_or_request(april.manager, APRIL, "补录遗漏的记录")
    assert outcome == "pending" and publishing.status(APRIL).published
    approvals.decide(other, asked, True, "同意重新开放")
    assert not publishing.status(APRIL).published
