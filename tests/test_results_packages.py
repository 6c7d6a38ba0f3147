"""Results packages from laptops into the office database, on SQLite and PostgreSQL: idempotent,
revisions replace, conflicts kept, and any corruption refused with the database unchanged."""

import datetime as dt
import json
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import db as dbmod
from app import inspections, periods, rankings
from app.demo import make_demo
from app.errors import PatrolError, PermissionDenied
from app.models import Inspection, InspectionHistory, ImportLog, ItemResult, ProbationCase, User, Window
from app.results_import import import_package
from app.results_package import export_results
from tests.helpers import FAILING, inspect

OCT = periods.month("2026-10")


def admin() -> User:
    return User.get(User.username == "admin")


def laptop(path: Path, patrols: list[tuple[str, str, tuple]]) -> None:
    """A laptop database (demo roster, seed 9) with the given inspections: (window, day, failed items)."""
    dbmod.open_database(str(path))
    if not Window.select().exists():
        make_demo(seed=9, with_inspections=False)
    inspector = User.get(User.username == "xuncha1")
    for code, day, fails in patrols:
        w = Window.get(Window.code == code)
        from app.patrol import staff_on_duty

        inspect(w, inspector, staff_on_duty(w), dt.datetime.fromisoformat(f"{day}T10:00"), fail=fails)
    dbmod.close_database()


def export(db_path: Path, out: Path, since: dt.date | None = None):
    dbmod.open_database(str(db_path))
    try:
        return export_results(out, since)
    finally:
        dbmod.close_database()


def snapshot() -> tuple:
    """Everything an import could change, to prove a refused import changed nothing."""
    return (
        sorted(Inspection.select(Inspection.uuid, Inspection.revision, Inspection.content_hash).tuples()),
        ItemResult.select().count(), InspectionHistory.select().count(), ImportLog.select().count(),
        ProbationCase.select().count(),
    )


@pytest.fixture
def package(tmp_path):
    lap = tmp_path / "laptop1.db"
    laptop(lap, [("A01", "2026-10-05", ()), ("A02", "2026-10-05", FAILING), ("B03", "2026-10-06", ("DESK-09",)),
                 ("A02", "2026-10-12", ())])
    return lap, export(lap, tmp_path / "p1.wpr")


@pytest.fixture
def office(db_target, package):
    """The manager's database: same centre, roster, accounts and key as the laptops (seed 9).
    Made after the laptop's package, since opening a database rebinds the one handle."""
    dbmod.open_database(db_target)
    make_demo(seed=9, with_inspections=False)
    yield db_target
    dbmod.close_database()


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
        export(lap, tmp_path / "empty.wpr")
    again = export(lap, tmp_path / "again.wpr", since=dt.date(2026, 10, 6))
    assert again.inspections == 2


def test_a_newer_revision_replaces_the_older_which_is_kept(office, package, tmp_path):
    lap, made = package
    import_package(made.path, admin())
    dbmod.close_database()
    dbmod.open_database(str(lap))
    insp = Inspection.get(Inspection.window == Window.get(Window.code == "A01"))
    inspections.amend(insp, User.get(User.username == "admin"), {"DISC-07": "fail"}, "复看录像发现玩手机")
    dbmod.close_database()
    newer = export(lap, tmp_path / "p2.wpr")
    dbmod.open_database(office)
    result = import_package(newer.path, admin())
    assert (result.new, result.updated) == (0, 1)
    stored = Inspection.get(Inspection.uuid == insp.uuid)
    assert stored.revision == 2 and stored.score == 95
    (old,) = InspectionHistory.select().where(InspectionHistory.uuid == insp.uuid)
    assert old.kind == "replaced" and json.loads(old.content)["score"] == 100
    assert import_package(made.path, admin()).unchanged == 4, "the older package no longer changes anything"


def _clash(office, package, tmp_path):
    """A01 edited differently on two laptops at the same revision; a.wpr imported first, b.wpr conflicts."""
    lap, made = package
    import_package(made.path, admin())
    dbmod.close_database()
    other = tmp_path / "laptop2.db"
    other.write_bytes(lap.read_bytes())
    for db_path, item, name in ((lap, "DISC-07", "a.wpr"), (other, "DISC-06", "b.wpr")):
        dbmod.open_database(str(db_path))
        insp = Inspection.get(Inspection.window == Window.get(Window.code == "A01"))
        inspections.amend(insp, User.get(User.username == "admin"), {item: "fail"}, "复核")
        dbmod.close_database()
        export(db_path, tmp_path / name)
    dbmod.open_database(office)
    assert import_package(tmp_path / "a.wpr", admin()).updated == 1
    clash = import_package(tmp_path / "b.wpr", admin())
    assert clash.conflicts == 1 and "A01" in clash.conflict_details[0]
    return Inspection.get(Inspection.window == Window.get(Window.code == "A01"))


def test_two_different_edits_of_one_inspection_are_a_conflict_and_neither_is_lost(office, package, tmp_path):
    current = _clash(office, package, tmp_path)
    (conflict,) = [h for h in InspectionHistory.select().where(InspectionHistory.kind == "conflict")]
    assert conflict.source == "b.wpr" and current.window.code == "A01"
    kept = {h.kind: json.loads(h.content) for h in InspectionHistory.select().where(InspectionHistory.uuid == current.uuid)}
    assert "DISC-06" in [c for c, r, *_ in kept["conflict"]["results"] if r == "fail"]
    fails = ItemResult.select().join(Inspection).where((Inspection.uuid == current.uuid) & (ItemResult.result == "fail"))
    assert [r.item.code for r in fails] == ["DISC-07"]


def test_a_package_signed_with_another_key_or_from_another_centre_is_refused(db_target, package, tmp_path):
    _, made = package
    dbmod.open_database(db_target)
    try:
        make_demo(seed=10, with_inspections=False)  # same centre code, different key
        before = snapshot()
        with pytest.raises(PatrolError, match="签名不符"):
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


def test_an_imported_revision_that_turns_a_pass_into_a_failure_opens_a_case(office, package, tmp_path):
    lap, made = package
    import_package(made.path, admin())
    assert ProbationCase.select().count() == 1  # A02's failure
    dbmod.close_database()
    dbmod.open_database(str(lap))
    insp = Inspection.get(Inspection.window == Window.get(Window.code == "A01"))
    inspections.amend(insp, User.get(User.username == "admin"), {c: "fail" for c in FAILING}, "复看录像")
    dbmod.close_database()
    newer = export(lap, tmp_path / "p2.wpr")
    dbmod.open_database(office)
    assert import_package(newer.path, admin()).updated == 1
    stored = Inspection.get(Inspection.uuid == insp.uuid)
    case = ProbationCase.get(ProbationCase.opening_inspection == stored)
    assert case.status == "open" and "p2.wpr" in case.events[-1].cause


def test_a_manager_takes_the_incoming_side_of_a_conflict_as_the_next_revision(office, package, tmp_path):
    from app import conflicts
    from app.models import AuditEntry

    current = _clash(office, package, tmp_path)
    (conflict,) = conflicts.open_conflicts()
    assert conflict.window == "A01" and conflict.source == "b.wpr" and conflict.revision == 2
    assert {(d.code, d.current, d.incoming) for d in conflict.differences} == {
        ("DISC-06", "合格", "不合格"), ("DISC-07", "不合格", "合格")}
    with pytest.raises(PatrolError, match="必须填写理由"):
        conflicts.resolve(conflict.id, admin(), True, " ")
    with pytest.raises(PermissionDenied):
        conflicts.resolve(conflict.id, User.get(User.username == "xuncha1"), True, "试")
    now = conflicts.resolve(conflict.id, admin(), True, "b 机的复核有录像为证")
    assert now.revision == 3 and conflicts.open_conflicts() == []
    fails = [r.item.code for r in ItemResult.select().where((ItemResult.inspection == now) & (ItemResult.result == "fail"))]
    assert fails == ["DISC-06"]
    kinds = sorted(h.kind for h in InspectionHistory.select().where(InspectionHistory.uuid == current.uuid))
    assert kinds.count("replaced") >= 2 and "conflict_taken" in kinds, "the version it replaced is kept"
    entry = AuditEntry.get(AuditEntry.action == "inspection.conflict")
    assert entry.reason == "b 机的复核有录像为证" and entry.window_code == "A01"
    with pytest.raises(PatrolError, match="没有待处理的冲突"):
        conflicts.resolve(conflict.id, admin(), False, "再来一次")


def test_keeping_the_current_side_changes_nothing_but_settles_the_conflict(office, package, tmp_path):
    from app import conflicts

    current = _clash(office, package, tmp_path)
    (conflict,) = conflicts.open_conflicts()
    kept = conflicts.resolve(conflict.id, admin(), False, "以 a 机为准")
    assert (kept.revision, kept.content_hash) == (current.revision, current.content_hash)
    assert conflicts.open_conflicts() == []
    assert InspectionHistory.get_by_id(conflict.id).kind == "conflict_kept"


def test_conflicts_are_listed_and_settled_from_the_command_line(office, package, tmp_path, capsys, monkeypatch):
    from app import cli

    _clash(office, package, tmp_path)
    dbmod.close_database()
    assert cli.main(["conflicts", "list", "--db", office, "--format", "json"]) == 0
    (listed,) = json.loads(capsys.readouterr().out)
    assert listed["window"] == "A01" and ["DISC-06", "合格", "不合格"] in listed["differences"]
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")
    code = cli.main(["conflicts", "resolve", str(listed["id"]), "--take-incoming", "--reason", "有录像", "--db", office,
                     "--user", "admin"])
    assert code == 0 and "第 3 版" in capsys.readouterr().out
    assert cli.main(["conflicts", "list", "--db", office]) == 0 and "(无记录)" in capsys.readouterr().out
    dbmod.open_database(office)  # the fixture closes it


def test_a_package_larger_than_one_write_batch_imports_whole(office, package, monkeypatch):
    import app.results_import as ri

    monkeypatch.setattr(ri, "BATCH", 1)  # every record its own executemany: the batching is exercised
    _, made = package
    first = import_package(made.path, admin())
    assert (first.new, first.unchanged) == (4, 0)
    assert Inspection.select().where(Inspection.uuid.in_([r["uuid"] for _, r in ri.read_package(made.path).records()])).count() == 4
    assert ItemResult.select().join(Inspection).where(Inspection.status == "final").count() > 4 * 100
    assert ProbationCase.select().count() == 1


def test_photos_travel_inside_the_package_and_are_stored_once(db_target, tmp_path, monkeypatch):
    import zipfile as zf_mod

    from app.photos import photo_path, store_photo_file

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))  # the office's photo folder on PostgreSQL
    lap = tmp_path / "laptop.db"
    dbmod.open_database(str(lap))
    make_demo(seed=9, with_inspections=False)
    window = Window.get(Window.code == "A01")
    insp = inspect(window, User.get(User.username == "xuncha1"), None, dt.datetime(2026, 10, 5, 10), finalise=False)
    ref = store_photo_file(Path(__file__).parent / "data" / "photo.png")
    item = next(i for i in inspections.applicable_items(insp) if i.code == "DISC-07")
    inspections.set_result(insp, item, "fail", "在玩手机", (ref,))
    inspections.finalise(insp)
    dbmod.close_database()
    made = export(lap, tmp_path / "with-photo.wpr")
    assert made.photos == 1
    with zf_mod.ZipFile(made.path) as zf:
        assert f"photos/{ref}" in zf.namelist()
        assert json.loads(zf.read("manifest.json"))["counts"]["photos"] == 1
    dbmod.open_database(db_target)
    try:
        make_demo(seed=9, with_inspections=False)
        assert not photo_path(ref).exists()
        first = import_package(made.path, admin())
        assert first.photos == 1 and photo_path(ref).read_bytes() == (Path(__file__).parent / "data" / "photo.png").read_bytes()
        assert import_package(made.path, admin()).photos == 0
    finally:
        dbmod.close_database()
