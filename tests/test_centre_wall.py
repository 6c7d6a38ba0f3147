"""A centre is a wall: one centre's manager, laptop, package or key never reaches another centre's records.

The command-line part is generated from the command line's own table (cli.policy.RULES and the parser):
every command that takes a record's number or code is tried as JD1's manager with a record of JD2, and
must be refused with the database unchanged. The rest tries each door of the issue through the core
functions the app's pages call. Every test runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json

import pytest

import cli
from app import audit
from app.centres import wall, workdays
from app.context import Context
from app.errors import PatrolError, PermissionDenied
from app.exchange import devices
from app.loop import appeals, approvals, rectification
from app.loop.record_changes import amend
from app.people.accounts import create_user
from app.results import probation
from app.setup.centres import add_centre, create_centre
from app.storage import backup
from app.storage import db as dbmod
from app.storage.models import (
    ALL_MODELS,
    Appeal,
    Approval,
    Area,
    Device,
    Inspection,
    InspectionHistory,
    ProbationCase,
    Rectification,
    Staff,
    User,
    Window,
)
from cli.parser import build_parser
from cli.policy import RULES
from tests.conftest import at
from tests.helpers import FAILING, inspect

PASSWORD = "secret9"


class TwoCentres:
    """The district centre D01 and two street centres JD1 and JD2, each with its manager and inspector,
    a window A01 (the same code in each) and a person; in JD2 a pass, a fail that opened a probation case
    and rectification items, an appeal, an approval, a conduct event, an import conflict and a laptop."""

    def __init__(self, tmp_path):
        self.home = create_centre("D01", "区政务服务中心")
        self.boss = create_user("qu", "区政务服务办公室", "manager", PASSWORD)
        self.jd1 = add_centre(self.boss, "JD1", "城东街道中心", "street", "全区推行")
        self.jd2 = add_centre(self.boss, "JD2", "城西街道中心", "street", "全区推行")
        self.admin1 = create_user("jd1admin", "城东管理员", "manager", PASSWORD, centre=self.jd1)
        self.admin2 = create_user("jd2admin", "城西管理员", "manager", PASSWORD, centre=self.jd2)
        self.xc1 = create_user("jd1xc", "城东巡查员", "inspector", PASSWORD, centre=self.jd1)
        self.xc2 = create_user("jd2xc", "城西巡查员", "inspector", PASSWORD, centre=self.jd2)
        self.windows, self.people = {}, {}
        for centre in (self.jd1, self.jd2):
            area = Area.create(centre=centre, code="A", name="大厅")
            window = Window.create(area=area, code="A01", name="综合窗口", window_type="综合窗口", department="中心")
            self.windows[centre.code] = window
            self.people[centre.code] = Staff.create(employee_no=f"{centre.code}-01", name=f"{centre.code}人员",
                                                    gender="F", employer="某劳务公司", window=window)
        w2, p2 = self.windows["JD2"], self.people["JD2"]
        today = dt.date.today()
        self.passed = inspect(w2, self.xc2, p2, at((today - dt.timedelta(days=3)).isoformat()))
        self.failed = inspect(w2, self.xc2, p2, at((today - dt.timedelta(days=2)).isoformat()), fail=FAILING)
        self.case = ProbationCase.get(ProbationCase.staff == p2)
        self.item = Rectification.select().where(Rectification.centre == self.jd2).first()
        self.appeal = appeals.record_appeal(self.admin2, self.failed, ["DISC-07"], "本人不服", centre_id=self.jd2.id)
        self.approval = Approval.create(centre=self.jd2, kind="amend", target=self.passed.uuid,
                                        payload=json.dumps({"results": {"DISC-07": "fail"}}), requested_by="jd2admin",
                                        reason="复核")
        from app.assessment.events import record_event

        self.event = record_event(self.admin2, "conduct", p2, "complaint", today, "群众投诉", centre_id=self.jd2.id)
        self.conflict = InspectionHistory.create(uuid=self.passed.uuid, revision=1, kind="conflict",
                                                 content="{}", content_hash="0" * 64, source="x.wpr")
        self.device = devices.enrol_device(self.admin2, "城西笔记本", ["jd2xc"], tmp_path / "jd2.wpe")


@pytest.fixture
def towns(database, tmp_path):
    return TwoCentres(tmp_path)


def fingerprint() -> str:
    """Every row of every table: the database before and after a refused command must be the same."""
    digest = hashlib.sha256()
    for model in ALL_MODELS:
        for row in model.select().order_by(*model._meta.sorted_fields[:1]).dicts():
            if model is User:
                row.pop("failed_logins"), row.pop("locked_until")
            digest.update(json.dumps(row, sort_keys=True, default=str).encode())
    return digest.hexdigest()


# Arguments that name a record (a number, a UUID, a code): a command with one of these reaches records.
RECORD_ARGUMENTS = {"id", "inspection", "case", "device", "staff", "employee_no", "inspectors"}

# command words -> the arguments with JD2's records, tried as JD1's manager (every one must be refused).
TRIES = {
    "amend": lambda t: ["--inspection", str(t.passed.id), "--set", "DISC-07=fail", "--reason", "改判"],
    "decide": lambda t: ["--case", str(t.case.id), "--clear", "--reason", "解除"],
    "appeal add": lambda t: [t.failed.uuid, "--items", "DISC-07", "--reason", "申诉"],
    "appeal decide": lambda t: [str(t.appeal.id), "--uphold", "--reason", "成立"],
    "rectify": lambda t: [str(t.item.id), "--note", "已整改"],
    "approvals approve": lambda t: [str(t.approval.id), "--reason", "同意"],
    "approvals reject": lambda t: [str(t.approval.id), "--reason", "不同意"],
    "conduct withdraw": lambda t: [str(t.event.id), "--reason", "撤销"],
    "praise withdraw": lambda t: [str(t.event.id), "--reason", "撤销"],
    "conflicts resolve": lambda t: [str(t.conflict.id), "--keep-current", "--reason", "处理"],
    "devices revoke": lambda t: [t.device.key_id, "--reason", "丢失"],
    "devices enrol": lambda t: ["--name", "偷来的", "--inspectors", "jd2xc", "--out", "{tmp}/x.wpe"],
    "devices update": lambda t: [t.device.key_id, "--out", "{tmp}/x.wpu"],
    "devices inspectors": lambda t: [t.device.key_id, "--set", "jd2xc", "--reason", "调整"],
    "export record-pdf": lambda t: ["--inspection", t.failed.uuid, "--out", "{tmp}/r.pdf"],
    "export notice-pdf": lambda t: ["--inspection", t.failed.uuid, "--out", "{tmp}/n.pdf"],
    "export probation-pdf": lambda t: ["--case", str(t.case.id), "--out", "{tmp}/p.pdf"],
    "export staff-pdf": lambda t: ["--staff", t.people["JD2"].employee_no, "--from", "2026-01-01",
                                   "--to", "2026-12-31", "--out", "{tmp}/s.pdf"],
    "export person-year-pdf": lambda t: ["--staff", t.people["JD2"].employee_no, "--year", "2026",
                                         "--out", "{tmp}/y.pdf"],
    "calendar set": lambda t: ["2026-12-28", "--kind", "holiday", "--name", "自定", "--reason", "调休", "--centre", "JD2"],
    "backup": lambda t: ["--out", "{tmp}/bk"],
    "conduct add": lambda t: [t.people["JD2"].employee_no, "complaint", "--date",
                              dt.date.today().isoformat(), "--description", "投诉"],
    "praise add": lambda t: [t.people["JD2"].employee_no, "letter", "--date",
                             dt.date.today().isoformat(), "--description", "表扬"],
    "inspections": lambda t: ["--staff", t.people["JD2"].employee_no, "--month", "2026-12"],
    "audit": lambda t: ["--staff", t.people["JD2"].employee_no],
}
# Commands whose record argument is checked elsewhere: a read that lists, or no record of a centre.
LISTS_ONLY = {"inspections", "audit"}


def _takes_a_record(parser: argparse.ArgumentParser) -> set[str]:
    """Command words (as cli.policy names them) whose arguments include a record's number or code."""
    found = set()

    def walk(p: argparse.ArgumentParser, words: list[str]) -> None:
        subs = [a for a in p._actions if isinstance(a, argparse._SubParsersAction)]
        if subs:
            for name, sub in subs[0].choices.items():
                walk(sub, words + [name])
            return
        if {a.dest for a in p._actions} & RECORD_ARGUMENTS:
            found.add(" ".join(words))

    walk(parser, [])
    return found


def test_every_command_that_takes_a_record_number_is_tried():
    """The table of tries covers the command line's own table: a new command that takes a record number
    fails here until it is tried against another centre."""
    takes = _takes_a_record(build_parser())
    assert takes, "the parser walk found nothing"
    missing = sorted(w for w in takes if w not in TRIES and w.split()[0] not in ("export",) and w in RULES)
    missing += sorted(w for w in takes if w.startswith("export ") and w not in TRIES)
    assert not missing, f"commands that take a record number, not tried across centres: {missing}"


@pytest.mark.parametrize("words", sorted(set(TRIES) - LISTS_ONLY))
def test_a_centres_manager_cannot_reach_another_centres_record_from_the_command_line(
        words, towns, db_target, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", PASSWORD)
    argv = words.split() + [a.replace("{tmp}", str(tmp_path)) for a in TRIES[words](towns)]
    before = fingerprint()
    dbmod.close_database()
    code = cli.main(argv + ["--db", db_target, "--user", "jd1admin"])
    err = capsys.readouterr().err
    dbmod.open_database(db_target)
    assert code == 2, f"{words}: not refused ({err})"
    assert "错误" in err and "Traceback" not in err
    assert fingerprint() == before, f"{words}: refused, but the database changed"
    assert not list(tmp_path.glob("*.pdf")) and not (tmp_path / "bk").exists() and not list(tmp_path.glob("x.wp?"))


def test_the_same_commands_work_for_the_record_s_own_centre(towns, db_target, tmp_path, monkeypatch, capsys):
    """The wall refuses the other centre, not the command: JD2's manager prints JD2's record and decides
    its appeal."""
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", PASSWORD)
    dbmod.close_database()
    assert cli.main(["export", "record-pdf", "--inspection", towns.failed.uuid, "--out", str(tmp_path / "r.pdf"),
                     "--db", db_target, "--user", "jd2admin"]) == 0
    assert cli.main(["appeal", "decide", str(towns.appeal.id), "--reject", "--reason", "不成立",
                     "--db", db_target, "--user", "jd2admin"]) == 0
    dbmod.open_database(db_target)


def test_audit_and_device_lists_show_a_centre_its_own_only(towns, db_target, monkeypatch, capsys):
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", PASSWORD)
    assert {r.target for r in audit.entries(viewer=towns.admin2)} >= {f"appeal:{towns.appeal.id}"}
    assert all(not r.target.startswith("appeal:") for r in audit.entries(viewer=towns.admin1))
    assert [r.key_id for r in devices.device_rows(towns.admin1)] == []
    assert [r.key_id for r in devices.device_rows(towns.admin2)] == [towns.device.key_id]
    assert towns.device.key_id in [r.key_id for r in devices.device_rows(towns.boss)]
    dbmod.close_database()
    assert cli.main(["audit", "--format", "json", "--db", db_target, "--user", "jd1admin"]) == 0
    assert "appeal" not in capsys.readouterr().out
    assert cli.main(["devices", "list", "--format", "json", "--db", db_target, "--user", "jd1admin"]) == 0
    assert towns.device.key_id not in capsys.readouterr().out
    dbmod.open_database(db_target)


def test_core_actions_refuse_another_centres_record_whatever_the_centre_in_view(towns):
    """The app's pages call these; a centre's account is refused even if the centre it acts for were
    named wrongly (another centre's)."""
    jd1, elsewhere = towns.admin1, towns.jd2.id
    tries = [
        lambda: amend(towns.passed, jd1, {"DISC-07": "fail"}, "改判"),
        lambda: probation.clear_case(towns.case, jd1, "解除"),
        lambda: approvals.decide_appeal(jd1, towns.appeal, True, "成立"),
        lambda: rectification.rectify(jd1, towns.item, "已整改", centre_id=elsewhere),
        lambda: devices.revoke_device(jd1, towns.device.key_id, "丢失", centre_id=elsewhere),
    ]
    before = fingerprint()
    for attempt in tries:
        with pytest.raises(PermissionDenied):
            attempt()
    assert fingerprint() == before


def test_a_fetch_by_number_says_in_one_line_that_the_record_is_another_centres(towns):
    ctx = Context(towns.admin1, towns.jd1.id)
    with pytest.raises(PermissionDenied, match="不属于城东街道中心") as refused:
        wall.fetch(ctx, ProbationCase, towns.case.id)
    assert "\n" not in str(refused.value)
    with pytest.raises(PatrolError, match="未找到"):  # a printed number is looked up among the centre's own
        wall.inspection(ctx, towns.failed.uuid[:8])
    with pytest.raises(PermissionDenied):
        wall.inspection(ctx, towns.failed.uuid)
    with pytest.raises(PatrolError, match="未找到考察案例"):
        wall.fetch(ctx, ProbationCase, 999999)
    district_view = Context(towns.boss, None)
    assert wall.fetch(district_view, Appeal, towns.appeal.id) == towns.appeal  # the district reaches every centre
    assert wall.inspection(Context(towns.admin2, towns.jd2.id), towns.failed.uuid[:8]) == towns.failed


def test_devices_are_named_by_key_id_and_enrolment_offers_the_centres_own_inspectors(towns, tmp_path):
    Device.update(name="城东笔记本").execute()  # two devices may share a name
    with pytest.raises(PatrolError, match="密钥编号"):
        devices.revoke_device(towns.admin2, "城东笔记本", "丢失")
    with pytest.raises(PatrolError, match="不是城东街道中心的巡查员"):
        devices.enrol_device(towns.admin1, "笔记本", ["jd1xc", "jd2xc"], tmp_path / "a.wpe")
    assert not (tmp_path / "a.wpe").exists()
    done = devices.enrol_device(towns.admin1, "笔记本", ["jd1xc"], tmp_path / "b.wpe")
    assert Device.get(Device.key_id == done.key_id).laptop_centre == "JD1"


def test_the_district_calendar_and_backups_are_the_district_managers_alone(towns, tmp_path):
    day = dt.date(2026, 12, 28)
    with pytest.raises(PermissionDenied, match="全区"):
        workdays.set_days(towns.admin1, day, day, "holiday", "自定", "调休", centre_id=None)
    with pytest.raises(PermissionDenied, match="城西街道中心的节假日安排"):
        workdays.set_days(towns.admin1, day, day, "holiday", "自定", "调休", centre_id=towns.jd2.id)
    with pytest.raises(PermissionDenied, match="全区"):
        backup.backup_now(tmp_path / "bk", towns.admin1)
    assert workdays.set_days(towns.boss, day, day, "holiday", "自定", "调休", centre_id=None) == 1


def test_a_centre_keeps_its_own_days_above_the_districts_calendar(towns):
    """JD1 works the Saturday after the district's holiday and closes the Monday before: its deadlines
    count its own days; JD2's and the district's do not change."""
    holiday, saturday, monday = dt.date(2027, 1, 1), dt.date(2027, 1, 2), dt.date(2026, 12, 28)
    assert workdays.set_days(towns.boss, holiday, holiday, "holiday", "元旦", "国务院通知", centre_id=None) == 1
    assert workdays.set_days(towns.admin1, saturday, saturday, "workday", "本中心调休", "街道安排",
                             centre_id=towns.jd1.id) == 1
    assert workdays.set_days(towns.admin1, monday, monday, "holiday", "本中心调休", "街道安排", centre_id=towns.jd1.id) == 1
    friday = dt.date(2026, 12, 25)
    # Working days after 12-25: JD2 (and the district) 12-28, 29, 30, 31, 01-04; JD1 12-29, 30, 31, 01-02, 01-04.
    assert workdays.add_workdays(friday, 4, centre_id=towns.jd2.id) == dt.date(2026, 12, 31)
    assert workdays.add_workdays(friday, 4, centre_id=None) == dt.date(2026, 12, 31)
    assert workdays.add_workdays(friday, 4, centre_id=towns.jd1.id) == dt.date(2027, 1, 2)
    assert workdays.add_workdays(friday, 5, centre_id=towns.jd1.id) == dt.date(2027, 1, 4)
    listed = {d: (k, w) for d, k, _, w in workdays.listed(2026, centre_id=towns.jd1.id)}
    assert listed == {monday: ("holiday", "城东街道中心")}
    assert workdays.listed(2026, centre_id=towns.jd2.id) == []
    assert workdays.set_days(towns.admin1, monday, monday, "normal", "", "取消", centre_id=towns.jd1.id) == 1
    assert workdays.add_workdays(friday, 5, centre_id=towns.jd1.id) == dt.date(2027, 1, 2)
    entries = [e for e in audit.entries(viewer=towns.admin1) if e.action == "calendar.change"]
    assert len(entries) == 3 and not [e for e in audit.entries(viewer=towns.admin2) if e.action == "calendar.change"]


@pytest.fixture
def jd1_laptop(towns, db_target, tmp_path):
    """A laptop enrolled for JD1 by JD1's manager, with one passing patrol of JD1's A01: (laptop, package)."""
    from app.exchange.enrolment import enrol
    from app.exchange.results_package import export_results
    from tests.helpers import enrolled_long_ago

    done = devices.enrol_device(towns.admin1, "城东笔记本", ["jd1xc"], tmp_path / "jd1.wpe", centre_id=towns.jd1.id)
    laptop = tmp_path / "laptop.db"
    dbmod.close_database()
    dbmod.open_database(str(laptop))
    try:
        enrol(done.path)
        window = Window.get(Window.code == "A01")
        inspect(window, User.get(User.username == "jd1xc"), Staff.get(Staff.window == window),
                at((dt.date.today() - dt.timedelta(days=1)).isoformat()))
        package = export_results(tmp_path / "jd1.wpr", None, User.get(User.username == "jd1xc")).path
    finally:
        dbmod.close_database()
        dbmod.open_database(db_target)
    enrolled_long_ago()  # yesterday's patrol on a laptop enrolled today: as if enrolled before
    return laptop, package


def test_a_laptops_record_must_name_a_person_of_its_own_centre(towns, jd1_laptop, tmp_path):
    from app.exchange.results_import import import_package
    from tests.test_forgery import forge

    laptop, package = jd1_laptop

    def other_centres_person(records):
        records[0]["staff"] = towns.people["JD2"].employee_no
        for row in records[0]["results"]:
            row[1] = "fail" if row[0] in FAILING else row[1]

    forged = forge(package, tmp_path / "forged.wpr", laptop, other_centres_person)
    cases_before = ProbationCase.select().count()
    with pytest.raises(PatrolError, match="工号|staff"):
        import_package(forged, towns.admin1, centre_id=towns.jd1.id)
    assert ProbationCase.select().count() == cases_before
    assert import_package(package, towns.admin1, centre_id=towns.jd1.id).new == 1  # the genuine package is JD1's


def test_a_laptop_of_one_centre_cannot_deliver_to_another(towns, jd1_laptop, tmp_path):
    from app.exchange.results_import import import_package
    from tests.test_forgery import forge

    laptop, package = jd1_laptop
    forged = forge(package, tmp_path / "to-jd2.wpr", laptop, None, lambda m: m.update(centre="JD2"))
    with pytest.raises(PatrolError, match="是中心 JD1 的笔记本"):
        import_package(forged, towns.admin2, centre_id=towns.jd2.id)
    assert not Inspection.select().where(Inspection.source_device != "").exists()


def test_a_centre_offices_key_proves_its_own_centres_paper_only(towns, tmp_path):
    """A centre's office key (registered by the district) signing a QR code for another centre's record,
    ranking or case, or for the district's ranking of centres, is not proof."""
    from app.exchange.centre_package import trust_office
    from app.keys import signing
    from app.loop import verify

    pair = signing.new_key_pair()
    trust_office(towns.boss, "JD1", "OJD1TEST", pair.public_hex, "核对指纹后登记")

    def signed(kind: str, ident: str) -> str:
        body = f"WPR2:{kind}:{ident}:{'0' * 16}:OJD1TEST"
        return f"{body}:{signing.sign(pair.private_hex, body.encode())}"

    for kind, ident, why in (("I", towns.failed.uuid, "属于中心 JD2"), ("C", str(towns.case.id), "属于中心 JD2"),
                             ("R", "2026-12.window@JD2", "属于中心 JD2"), ("R", "2026-12.centre", "全区")):
        verdict = verify.verify(signed(kind, ident), centre_id=None)
        assert not verdict.matches and why in verdict.message, (kind, verdict.message)
    own = verify.verify(signed("R", "2026-12.window@JD1"), centre_id=None)
    assert "不能证明" not in own.message  # its own centre's paper is judged on its content


def test_the_districts_sheet_is_a_draft_until_every_centre_has_published_that_month(towns):
    from app import periods
    from app.loop import publishing
    from app.storage.models import Publication

    month = periods.month("2026-10")
    assert publishing.draft_mark(month, centre_id=None) == "未定稿: 尚未发布的中心 D01、JD1、JD2"
    Publication.create(centre=towns.jd1, period="2026-10", published_by="jd1admin", fingerprint="0" * 16)
    Publication.create(centre=towns.jd2, period="2026-09", published_by="jd2admin", fingerprint="0" * 16)
    assert publishing.draft_mark(month, centre_id=None) == "未定稿: 尚未发布的中心 D01、JD2"
    assert publishing.draft_mark(month, centre_id=towns.jd1.id) == ""
    for centre in (towns.home, towns.jd2):
        Publication.create(centre=centre, period="2026-10", published_by="qu", fingerprint="0" * 16)
    assert publishing.draft_mark(month, centre_id=None) == ""
    done = publishing.status(month, centre_id=towns.jd2.id)
    assert (done.published, done.ready, done.why_not, done.published_by, done.label) == (True, False, (), "qu", "已定稿发布")
