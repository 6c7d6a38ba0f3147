"""Results packages from laptops into the office database, on SQLite and PostgreSQL: idempotent,
revisions replace, conflicts kept, and any corruption refused with the database unchanged."""

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import periods
from app.demo.centre import make_demo
from app.errors import PatrolError, PermissionDenied
from app.exchange.results_import import import_package
from app.loop import record_changes
from app.patrolling import inspections
from app.results import rankings
from app.storage import db as dbmod
from app.storage.models import ImportLog, Inspection, InspectionHistory, ItemResult, ProbationCase, User, Window
from tests.helpers import FAILING, enrol_laptop, export_from, inspect, on_laptop

OCT = periods.month("2026-10")


def admin() -> User:
    return User.get(User.username == "admin")


def snapshot() -> tuple:
    """Everything an import could change, to prove a refused import changed nothing."""
    return (
        sorted(Inspection.select(Inspection.uuid, Inspection.revision, Inspection.content_hash).tuples()),
        ItemResult.select().count(), InspectionHistory.select().count(), ImportLog.select().count(),
        ProbationCase.select().count(),
    )


@pytest.fixture
def office(demo_office):
    """The manager's database (demo roster, seed 9), open."""
    return demo_office


@pytest.fixture
def package(office, tmp_path):
    """A laptop enrolled by the office, four inspections on it, exported; the office open again."""
    lap = tmp_path / "laptop1.db"
    enrol_laptop(office, lap, tmp_path)
    dbmod.close_database()
    on_laptop(lap, [("A01", "2026-10-05", ()), ("A02", "2026-10-05", FAILING), ("B03", "2026-10-06", ("DESK-09",)),
                    ("A02", "2026-10-12", ())])
    made = export_from(lap, tmp_path / "p1.wpr")
    dbmod.open_database(office)
    return lap, made


def test_a_package_imports_once_and_a_second_import_changes_nothing(office, package):
    lap, made = package
    assert made.inspections == 4
    first = import_package(made.path, admin())
    assert (first.new, first.updated, first.unchanged, first.conflicts) == (4, 0, 0, 0)
    before = snapshot()
    again = import_package(made.path, admin())
    assert (again.new, again.unchanged) == (0, 4)
    assert snapshot()[:3] == before[:3]
    assert [r.as_dict() for r in rankings.rank(OCT, "window")][0]["inspections"] >= 1
    case = ProbationCase.get()
    assert case.staff.window.code == "A02" and len(case.events) == 2, "the failure opened a case; the re-check counted"


def test_the_package_carries_a_signed_manifest_with_counts_and_versions(package):
    _, made = package
    with zipfile.ZipFile(made.path) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert set(zf.namelist()) >= {"manifest.json", "inspections.jsonl", "signature"}
    assert manifest["centre"] == "DEMO" and manifest["counts"]["inspections"] == 4
    assert manifest["period"] == {"from": "2026-10-05", "to": "2026-10-12"}
    assert manifest["inspectors"] == ["xuncha1"] and manifest["device"]
    assert manifest["checklist_versions"][0]["code"] == "WINDOW"


def test_nothing_new_to_export_is_said_and_since_exports_again(package, tmp_path):
    lap, _ = package
    with pytest.raises(PatrolError, match="没有新的"):
        export_from(lap, tmp_path / "empty.wpr")
    again = export_from(lap, tmp_path / "again.wpr", since=dt.date(2026, 10, 6))
    assert again.inspections == 2


def test_a_laptop_cannot_send_an_amendment_and_a_managers_amendment_stays(office, package, tmp_path):
    lap, made = package
    import_package(made.path, admin())
    insp = Inspection.get(Inspection.window == Window.get(Window.code == "A01"))
    record_changes.amend(insp, admin(), {"DISC-07": "fail"}, "复看录像发现玩手机")
    assert import_package(made.path, admin()).unchanged == 4, "the laptop's first revision does not replace it"
    stored = Inspection.get(Inspection.uuid == insp.uuid)
    assert stored.revision == 2 and stored.score == 95
    dbmod.close_database()
    # On the laptop someone makes themself a manager and "amends": the office refuses the revision.
    dbmod.open_database(str(lap))
    User.update(role="manager").where(User.username == "xuncha1").execute()
    mine = Inspection.get(Inspection.uuid == insp.uuid)
    record_changes.amend(mine, User.get(User.username == "xuncha1"), {"DISC-07": "pass", "DISC-06": "pass"}, "改回")
    dbmod.close_database()
    newer = export_from(lap, tmp_path / "p2.wpr")
    dbmod.open_database(office)
    before = snapshot()
    with pytest.raises(PatrolError, match="笔记本只能提交首版记录"):
        import_package(newer.path, admin())
    assert snapshot() == before


def _clash(office, tmp_path):
    """One inspection finalised twice from one draft (a laptop restored from a backup): a.wpr with
    DISC-07 failed is imported first, b.wpr with DISC-06 failed conflicts with it."""
    lap, copy = tmp_path / "laptop1.db", tmp_path / "restored.db"
    enrol_laptop(office, lap, tmp_path)
    dbmod.close_database()
    dbmod.open_database(str(lap))
    window = Window.get(Window.code == "A01")
    from app.patrolling.patrol import staff_on_duty

    inspect(window, User.get(User.username == "xuncha1"), staff_on_duty(window), dt.datetime(2026, 10, 5, 10), finalise=False)
    dbmod.close_database()
    copy.write_bytes(lap.read_bytes())
    for db_path, item, name in ((lap, "DISC-07", "a.wpr"), (copy, "DISC-06", "b.wpr")):
        dbmod.open_database(str(db_path))
        insp = Inspection.get(Inspection.window == Window.get(Window.code == "A01"))
        item_row = next(i for i in inspections.applicable_items(insp) if i.code == item)
        inspections.set_result(insp, item_row, "fail")
        record_changes.finalise(insp, at=dt.datetime(2026, 10, 5, 10, 20))
        dbmod.close_database()
        export_from(db_path, tmp_path / name)
    dbmod.open_database(office)
    assert import_package(tmp_path / "a.wpr", admin()).new == 1
    clash = import_package(tmp_path / "b.wpr", admin())
    assert clash.conflicts == 1 and "A01" in clash.conflict_details[0]
    return Inspection.get(Inspection.window == Window.get(Window.code == "A01"))


def test_two_different_edits_of_one_inspection_are_a_conflict_and_neither_is_lost(office, tmp_path):
    current = _clash(office, tmp_path)
    (conflict,) = [h for h in InspectionHistory.select().where(InspectionHistory.kind == "conflict")]
    assert conflict.source == "b.wpr" and current.window.code == "A01"
    kept = {h.kind: json.loads(h.content) for h in InspectionHistory.select().where(InspectionHistory.uuid == current.uuid)}
    assert "DISC-06" in [c for c, r, *_ in kept["conflict"]["results"] if r == "fail"]
    fails = ItemResult.select().join(Inspection).where((Inspection.uuid == current.uuid) & (ItemResult.result == "fail"))
    assert [r.item.code for r in fails] == ["DISC-07"]


def test_a_package_from_a_device_another_office_enrolled_is_refused(package, tmp_path):
    _, made = package
    other = tmp_path / "other-office.db"
    dbmod.close_database()
    dbmod.open_database(str(other))
    try:
        make_demo(seed=9, with_inspections=False)  # the same centre code and roster, another office key
        before = snapshot()
        with pytest.raises(PatrolError, match="未在本中心登记的设备"):
            import_package(made.path, admin())
        assert snapshot() == before
    finally:
        dbmod.close_database()


def test_a_package_naming_a_window_the_office_does_not_know_is_refused_whole(office, package):
    _, made = package
    Window.update(code="X99").where(Window.code == "B03").execute()
    before = snapshot()
    with pytest.raises(PatrolError) as err:
        import_package(made.path, admin())
    assert "本库没有窗口 B03" in str(err.value) and "未导入任何记录" in str(err.value)
    assert snapshot() == before


def _rewrite(path: Path, out: Path, change) -> Path:
    """Copy a package, passing each member through change(name, data) -> data."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for name in src.namelist():
            dst.writestr(name, change(name, src.read(name)))
    return out


def test_an_edited_record_fails_its_checksum_and_an_edited_manifest_its_signature(office, package, tmp_path):
    _, made = package
    before = snapshot()
    edited = _rewrite(made.path, tmp_path / "e1.wpr",
                      lambda n, d: d.replace(b'"score":84', b'"score":99') if n == "inspections.jsonl" else d)
    with pytest.raises(PatrolError, match="inspections.jsonl 的校验和不符"):
        import_package(edited, admin())
    forged = _rewrite(made.path, tmp_path / "e2.wpr",
                      lambda n, d: d.replace(b'"inspections": 4', b'"inspections": 5') if n == "manifest.json" else d)
    with pytest.raises(PatrolError, match="签名不符"):
        import_package(forged, admin())
    assert snapshot() == before


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_corruption_is_refused_with_a_message_and_the_database_unchanged(office, package, tmp_path, data):
    _, made = package
    raw = bytearray(made.path.read_bytes())
    how = data.draw(st.sampled_from(["truncate", "flip", "zero"]))
    if how == "truncate":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:
        for _ in range(data.draw(st.integers(1, 8))):
            at = data.draw(st.integers(0, len(raw) - 1))
            raw[at] = 0 if how == "zero" else raw[at] ^ (1 << data.draw(st.integers(0, 7)))
    broken = tmp_path / "broken.wpr"
    broken.write_bytes(bytes(raw))
    before = snapshot()
    try:
        result = import_package(broken, admin())
    except PatrolError as exc:
        assert "broken.wpr" in str(exc) and len(str(exc)) < 3000
        assert snapshot() == before
    else:
        # A flip in a byte that nothing reads (zip padding, say) leaves the content intact and signed.
        assert result.new + result.unchanged == 4


def test_a_manager_takes_the_incoming_side_of_a_conflict_as_the_next_revision(office, tmp_path):
    from app.exchange import conflicts
    from app.storage.models import AuditEntry

    current = _clash(office, tmp_path)
    (conflict,) = conflicts.open_conflicts()
    assert conflict.window == "A01" and conflict.source == "b.wpr" and conflict.revision == 1
    assert {(d.code, d.current, d.incoming) for d in conflict.differences} == {
        ("DISC-06", "合格", "不合格"), ("DISC-07", "不合格", "合格")}
    with pytest.raises(PatrolError, match="必须填写理由"):
        conflicts.resolve(conflict.id, admin(), True, " ")
    with pytest.raises(PermissionDenied):
        conflicts.resolve(conflict.id, User.get(User.username == "xuncha1"), True, "试")
    now = conflicts.resolve(conflict.id, admin(), True, "b 机的复核有录像为证")
    assert now.revision == 2 and conflicts.open_conflicts() == []
    fails = [r.item.code for r in ItemResult.select().where((ItemResult.inspection == now) & (ItemResult.result == "fail"))]
    assert fails == ["DISC-06"]
    kinds = sorted(h.kind for h in InspectionHistory.select().where(InspectionHistory.uuid == current.uuid))
    assert kinds.count("replaced") >= 1 and "conflict_taken" in kinds, "the version it replaced is kept"
    entry = AuditEntry.get(AuditEntry.action == "inspection.conflict")
    assert entry.reason == "b 机的复核有录像为证" and entry.window_code == "A01"
    with pytest.raises(PatrolError, match="没有待处理的冲突"):
        conflicts.resolve(conflict.id, admin(), False, "再来一次")


def test_keeping_the_current_side_changes_nothing_but_settles_the_conflict(office, tmp_path):
    from app.exchange import conflicts

    current = _clash(office, tmp_path)
    (conflict,) = conflicts.open_conflicts()
    kept = conflicts.resolve(conflict.id, admin(), False, "以 a 机为准")
    assert (kept.revision, kept.content_hash) == (current.revision, current.content_hash)
    assert conflicts.open_conflicts() == []
    assert InspectionHistory.get_by_id(conflict.id).kind == "conflict_kept"


def test_conflicts_are_listed_and_settled_from_the_command_line(office, tmp_path, capsys, monkeypatch):
    import cli

    _clash(office, tmp_path)
    dbmod.close_database()
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")
    assert cli.main(["conflicts", "list", "--db", office, "--format", "json", "--user", "admin"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["window"] == "A01" and ["DISC-06", "合格", "不合格"] in listed["differences"]
    code = cli.main(["conflicts", "resolve", str(listed["id"]), "--take-incoming", "--reason", "有录像", "--db", office,
                     "--user", "admin"])
    assert code == 0 and "第 2 版" in capsys.readouterr().out
    assert cli.main(["conflicts", "list", "--db", office, "--user", "admin"]) == 0 and "(无记录)" in capsys.readouterr().out
    dbmod.open_database(office)  # the fixture closes it


def test_a_package_larger_than_one_write_batch_imports_whole(office, package, monkeypatch):
    import app.exchange.results_import as ri

    monkeypatch.setattr(ri, "BATCH", 1)  # every record its own executemany: the batching is exercised
    _, made = package
    first = import_package(made.path, admin())
    assert (first.new, first.unchanged) == (4, 0)
    assert Inspection.select().where(Inspection.uuid.in_([r["uuid"] for _, r in ri.read_package(made.path).records()])).count() == 4
    assert ItemResult.select().join(Inspection).where(Inspection.status == "final").count() > 4 * 100
    assert ProbationCase.select().count() == 1


def test_photos_travel_inside_the_package_and_are_stored_once(office, tmp_path, monkeypatch):
    import zipfile as zf_mod

    from app.patrolling.evidence import photo_path, store_photo_file

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # the office's photo folder on PostgreSQL
    lap = tmp_path / "laptop.db"
    enrol_laptop(office, lap, tmp_path)
    dbmod.close_database()
    dbmod.open_database(str(lap))
    window = Window.get(Window.code == "A01")
    insp = inspect(window, User.get(User.username == "xuncha1"), None, dt.datetime(2026, 10, 5, 10), finalise=False)
    ref = store_photo_file(Path(__file__).parent / "data" / "photo.png")
    item = next(i for i in inspections.applicable_items(insp) if i.code == "DISC-07")
    inspections.set_result(insp, item, "fail", "在玩手机", (ref,))
    record_changes.finalise(insp, at=dt.datetime(2026, 10, 5, 10, 20))
    dbmod.close_database()
    made = export_from(lap, tmp_path / "with-photo.wpr")
    assert made.photos == 1
    with zf_mod.ZipFile(made.path) as zf:
        assert f"photos/{ref}" in zf.namelist()
        assert json.loads(zf.read("manifest.json"))["counts"]["photos"] == 1
    dbmod.open_database(office)
    if photo_path(ref).exists():  # SQLite: the laptop's photo folder is its own, beside its file
        photo_path(ref).unlink()
    first = import_package(made.path, admin())
    with zf_mod.ZipFile(made.path) as zf:  # the laptop's own JPEG, kept byte for byte under its name
        assert ref.endswith(".jpg") and first.photos == 1 and photo_path(ref).read_bytes() == zf.read(f"photos/{ref}")
    assert import_package(made.path, admin()).photos == 0


def test_on_postgresql_a_second_import_at_once_is_told_and_ids_come_from_the_sequence(office, package, db_target):
    if not db_target.startswith("postgresql"):
        pytest.skip("SQLite has one writer; the second import waits for the lock instead")
    import psycopg

    from app.exchange.results_import import IMPORT_LOCK

    _, made = package
    other = psycopg.connect(db_target, autocommit=True)
    try:
        other.execute("SELECT pg_advisory_lock(%s)", (IMPORT_LOCK,))  # another manager's import under way
        before = snapshot()
        with pytest.raises(PatrolError, match="另一个结果包正在导入"):
            import_package(made.path, admin())
        assert snapshot() == before
        other.execute("SELECT pg_advisory_unlock(%s)", (IMPORT_LOCK,))
        taken = other.execute("SELECT nextval(pg_get_serial_sequence('inspection', 'id'))").fetchone()[0]
    finally:
        other.close()
    assert import_package(made.path, admin()).new == 4
    ids = [i for (i,) in Inspection.select(Inspection.id).tuples()]
    assert min(ids) > taken, "ids come from the sequence, past what others have taken"
    window = Window.get(Window.code == "C01")
    created = inspections.start_inspection(window, User.get(User.username == "xuncha2"))
    assert created.id not in ids


def test_a_package_another_import_wrote_while_it_was_checked_is_refused_whole_and_can_be_imported_again(
        office, package, monkeypatch):
    """Two managers import the same package seconds apart: the second, checked while the first was writing,
    is told so when its turn to write comes, instead of failing on the records already there."""
    import threading

    from app.exchange import results_import
    from app.storage import proxy

    _, made = package
    original = results_import._one_import_at_a_time
    calls = []

    def meanwhile_another_import() -> None:
        calls.append(1)
        if len(calls) == 1:  # the first import, between its checks and its writing
            other = threading.Thread(target=lambda: (import_package(made.path, admin()), proxy.db.close()))
            other.start()
            other.join()
        original()

    monkeypatch.setattr(results_import, "_one_import_at_a_time", meanwhile_another_import)
    with pytest.raises(PatrolError, match="检查期间另一次导入已写入本包中的记录, 未导入任何记录; 请再导入一次"):
        import_package(made.path, admin())
    assert Inspection.select().where(Inspection.status == "final").count() == 4, "the other import's, once"
    assert ImportLog.select().count() == 1
    again = import_package(made.path, admin())
    assert again.new == 0 and again.unchanged == 4
