"""Roles, the audit trail and account lockout, on SQLite and PostgreSQL."""

import dataclasses
import datetime as dt
import json

import peewee as pw
import pytest

import cli
from app import audit
from app.centres.scope import signed_in
from app.centres.settings import load_settings, next_month_start, save_settings
from app.errors import PatrolError, PermissionDenied
from app.loop import record_changes
from app.patrolling import checklist_versions
from app.people import accounts
from app.results import probation
from app.storage.models import AuditEntry, ProbationCase, User
from tests.conftest import at
from tests.helpers import FAILING, inspect


def test_amending_a_finalised_inspection_needs_a_manager_and_a_reason_and_is_audited(roster):
    person = roster.person("F1")
    insp = inspect(roster.windows["A01"], roster.inspector, person, at("2026-10-05"))
    with pytest.raises(PermissionDenied):
        record_changes.amend(insp, roster.inspector, {"DISC-07": "fail"}, "我想改")
    with pytest.raises(PatrolError, match="理由"):
        record_changes.amend(insp, roster.manager, {"DISC-07": "fail"}, " ")
    record_changes.amend(insp, roster.manager, {"DISC-07": "fail"}, "复看录像")
    (entry,) = audit.entries(window_code="A01")
    assert entry.username == "boss" and entry.action == "inspection.amend" and entry.reason == "复看录像"
    assert json.loads(entry.old)["score"] == 100 and json.loads(entry.new)["score"] == 95
    assert entry.employee_no == "F1"


def test_probation_decisions_settings_and_accounts_are_audited(roster):
    person = roster.person("F1")
    inspect(roster.windows["A01"], roster.inspector, person, at("2026-10-05"), fail=FAILING)
    probation.sweep(dt.date(2026, 12, 1))
    probation.confirm_return(ProbationCase.get(), roster.manager, "两次复查未达标")
    settings = load_settings()
    settings.probation_days = 40
    save_settings(settings, roster.manager, "局里要求延长")
    with pytest.raises(PermissionDenied):
        save_settings(settings, roster.inspector, "试")
    accounts.add_account(roster.manager, "newbie", "新人", "inspector", "abcdef")
    actions = [e.action for e in audit.entries(username="boss")]
    assert actions == ["account.change", "settings.rules", "probation.confirm_return"]
    settings_entry = audit.entries(username="boss")[1]
    starts = next_month_start(dt.date.today()).isoformat()  # a rule change takes effect next month by default
    assert json.loads(settings_entry.old) == {"probation_days": 30}
    assert json.loads(settings_entry.new) == {"probation_days": 40, "effective_from": starts}
    assert audit.entries(employee_no="F1")[0].reason == "两次复查未达标"
    assert settings_entry.reason == "局里要求延长"


def test_every_managers_change_needs_a_reason_and_without_one_changes_nothing(roster, tmp_path):
    from app.patrolling import checklists
    from app.people.roster import StaffData, WindowData, save_staff, save_window, set_staff_status, set_window_active
    from app.storage.models import ChecklistVersion, Staff, Window

    boss, window, person = roster.manager, roster.windows["A01"], roster.person("F1")
    settings = load_settings()
    settings.probation_days = 45
    edited = checklists.load_directory(checklists.SHIPPED_DIR)
    first = edited[0].categories[0]
    edited[0].categories[0] = dataclasses.replace(
        first, items=(dataclasses.replace(first.items[0], text=first.items[0].text + " (修订)"),) + first.items[1:])
    attempts = [
        lambda r: save_window(boss, WindowData("C09", "帮办窗口9号", "帮办窗口", "政务服务中心", "A"), reason=r),
        lambda r: set_window_active(boss, window, False, reason=r),
        lambda r: save_staff(boss, StaffData("E9", "王五", "M", False, "", "A01"), reason=r),
        lambda r: set_staff_status(boss, person, "inactive", reason=r),
        lambda r: save_settings(settings, boss, r),
        lambda r: checklist_versions.register(edited, source="edited", user=boss, reason=r),
    ]
    before = (Window.select().count(), Staff.select().count(), ChecklistVersion.select().count(), AuditEntry.select().count())
    for attempt in attempts:
        for reason in ("", "   "):
            with pytest.raises(PatrolError, match="必须填写理由"):
                attempt(reason)
    assert (Window.select().count(), Staff.select().count(), ChecklistVersion.select().count(),
            AuditEntry.select().count()) == before
    assert Window.get_by_id(window.id).active and Staff.get_by_id(person.id).status == "active"
    assert load_settings().probation_days == 30
    for attempt in attempts:
        attempt("按中心通知")
    reasons = {e.reason for e in AuditEntry.select().where(AuditEntry.id > 0)}
    assert "按中心通知" in reasons and AuditEntry.select().count() == before[3] + len(attempts)


def test_the_audit_trail_cannot_be_changed_or_deleted(roster):
    audit.record(roster.manager, "settings.change", "settings", old={"a": 1}, new={"a": 2})
    database = AuditEntry._meta.database
    with pytest.raises(pw.DatabaseError):
        with database.atomic():
            AuditEntry.update(reason="hidden").execute()
    with pytest.raises(pw.DatabaseError):
        with database.atomic():
            AuditEntry.delete().execute()
    assert AuditEntry.select().count() == 1


def test_five_wrong_passwords_lock_the_account_for_a_while(roster):
    """Every failure reads the same (it says the rule, not which failure); while locked, the right
    password is refused in those words too; the lock ends."""
    for _ in range(5):
        with pytest.raises(PermissionDenied) as refused:
            accounts.authenticate("insp", "wrong")
        assert str(refused.value) == accounts.refusal() == "用户名或密码错误 (密码连续错误 5 次, 账号锁定 15 分钟)"
    assert User.get(User.username == "insp").locked_until > dt.datetime.now()
    with pytest.raises(PermissionDenied) as refused:
        accounts.authenticate("insp", "secret1")  # even the right password waits, and is not told apart
    assert str(refused.value) == accounts.refusal()
    User.update(locked_until=dt.datetime.now() - dt.timedelta(seconds=1)).where(User.username == "insp").execute()
    assert accounts.authenticate("insp", "secret1").username == "insp"
    assert User.get(User.username == "insp").failed_logins == 0


def test_an_unknown_or_inactive_name_is_refused_in_the_same_words_after_the_same_scrypt(roster, monkeypatch):
    """Timing cannot list the names: every attempt runs scrypt once, whoever it names."""
    calls = []
    real = accounts.hashlib.scrypt
    monkeypatch.setattr(accounts.hashlib, "scrypt", lambda *a, **k: calls.append(k["n"]) or real(*a, **k))
    accounts._decoy_hash()  # made once, at the first unknown name
    calls.clear()
    User.update(active=False).where(User.username == "insp").execute()
    for name, password in (("nobody", "secret1"), ("insp", "secret1"), ("insp", "wrong"), ("boss", "wrong")):
        with pytest.raises(PermissionDenied) as refused:
            accounts.authenticate(name, password)
        assert str(refused.value) == accounts.refusal()
    assert calls == [2**14] * 4, "one scrypt of the same cost for each"
    assert accounts.authenticate("boss", "secret2").username == "boss"


def test_write_commands_act_as_a_named_user_with_the_right_role(capsys, roster, db_target, monkeypatch):
    person = roster.person("F1")
    insp = inspect(roster.windows["A01"], roster.inspector, person, at("2026-10-05"))
    db_target_args = ["--db", db_target]
    monkeypatch.delenv("WINDOW_PATROL_PASSWORD", raising=False)
    code = cli.main(["amend", *db_target_args, "--inspection", str(insp.id), "--set", "DISC-07=fail", "--reason", "x"])
    assert code == 2 and "需要 --user" in capsys.readouterr().err
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "secret1")
    code = cli.main(["amend", *db_target_args, "--user", "insp", "--inspection", str(insp.id), "--set", "DISC-07=fail",
                     "--reason", "x"])
    assert code == 2 and "无权" in capsys.readouterr().err
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "secret2")
    code = cli.main(["amend", *db_target_args, "--user", "boss", "--inspection", insp.uuid, "--set", "DISC-07=fail",
                     "--reason", "复看录像"])
    out = capsys.readouterr().out
    assert code == 0 and "第 2 版" in out and "95" in out
    from app.storage.db import open_database

    open_database(db_target)
    assert [e.action for e in audit.entries(username="boss")] == ["inspection.amend"]


def test_a_manager_decides_a_case_from_the_command_line(capsys, roster, db_target, monkeypatch):
    inspect(roster.windows["A01"], roster.inspector, roster.person("F1"), at("2026-10-05"), fail=FAILING)
    case_id = ProbationCase.get().id
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "secret2")
    code = cli.main(["decide", "--db", db_target, "--user", "boss", "--case", str(case_id), "--clear", "--reason", "投诉不实"])
    assert code == 0 and "已解除" in capsys.readouterr().out
    from app.storage.db import open_database

    open_database(db_target)
    assert ProbationCase.get_by_id(case_id).status == "cleared"


def test_the_audit_trail_is_shown_filtered_and_exported(capsys, roster, db_target, qtbot, tmp_path, monkeypatch):
    from python_calamine import CalamineWorkbook

    from forms.audit_page import AuditPage

    insp = inspect(roster.windows["A01"], roster.inspector, roster.person("F1"), at("2026-10-05"))
    record_changes.amend(insp, roster.manager, {"DISC-07": "fail"}, "复看录像")
    audit.record(roster.manager, "settings.change", "settings", old={"a": "=1+1"}, new={"a": 2})
    page = AuditPage(signed_in(roster.manager))
    qtbot.addWidget(page)
    assert len(page.model.rows) == 2
    page.window_edit.setText("a01")
    page.refresh()
    assert [r.action for r in page.model.rows] == ["inspection.amend"]
    out = tmp_path / "audit.xlsx"
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "secret2")
    assert cli.main(["audit", "--db", db_target, "--out", str(out), "--user", "boss"]) == 0
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("审计记录").to_python()
    assert rows[0][:3] == ["时间", "用户", "操作"] and len(rows) == 3
    amended = next(r for r in rows if r[2] == "修改已定稿巡查记录")
    assert "得分: 100" in amended[6] and "得分: 95" in amended[7] and "{" not in amended[6], "words, not JSON"
    assert cli.main(["audit", "--db", db_target, "--staff", "F1", "--format", "json", "--user", "boss"]) == 0
    assert '"reason": "复看录像"' in capsys.readouterr().out


def test_parallel_wrong_passwords_are_each_counted_and_lock_the_account(roster):
    """12 guesses at once, six rounds: the fifth locks the account; the right password then fails too, in the
    same words as the wrong ones beside it."""
    import threading

    from app.storage.proxy import db as proxy

    results: list[str] = []
    lock = threading.Lock()

    def guess(password: str) -> None:
        try:
            accounts.authenticate("boss", password)
            outcome = "accepted"
        except PermissionDenied as exc:
            outcome = str(exc)
        finally:
            proxy.close()  # each thread's own connection
        with lock:
            results.append(outcome)

    for round_no in range(6):
        threads = [threading.Thread(target=guess, args=(f"wrong{round_no}-{n}",)) for n in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert "accepted" not in results
    assert set(results) == {accounts.refusal()}, "every guess reads the same"
    # The right password hidden among wrong ones while locked: its answer does not stand out.
    results.clear()
    threads = [threading.Thread(target=guess, args=("secret2" if n == 5 else f"again-{n}",)) for n in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [accounts.refusal()] * 12
    assert User.get(User.username == "boss").locked_until > dt.datetime.now()
    with pytest.raises(PermissionDenied, match="账号锁定"):
        accounts.authenticate("boss", "secret2")
    User.update(locked_until=dt.datetime.now() - dt.timedelta(seconds=1)).where(User.username == "boss").execute()
    assert accounts.authenticate("boss", "secret2").username == "boss", "the lock ends"
