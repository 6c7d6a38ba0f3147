"""Backups with SQLite's online backup API, rotation, and restore with its checks."""

import sqlite3

import pytest

from app import audit, periods
from app.demo.centre import make_demo
from app.errors import PatrolError, PermissionDenied
from app.exchange import restore
from app.storage import backup
from app.storage import db as dbmod
from app.storage.models import Inspection, Setting, User


@pytest.fixture
def live(tmp_path):
    dbmod.open_database(str(tmp_path / "live.db"))
    make_demo(seed=2, period=periods.month("2026-10"))
    yield tmp_path / "live.db"
    dbmod.close_database()


def test_a_backup_is_a_consistent_self_contained_copy(live):
    path = backup.backup_now()
    assert path.parent == live.with_name("live_backups")
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("SELECT COUNT(*) FROM inspection").fetchone()[0] == Inspection.select().count()
    conn.close()
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name], "no -wal or -shm beside it"


def test_rotation_keeps_the_newest_of_each_day_week_and_month_and_never_the_last_good_one(live, tmp_path):
    import datetime as dt

    folder = tmp_path / "rot"
    folder.mkdir()
    today = dt.date(2026, 11, 30)
    stamps = [dt.datetime(2026, 11, 30, h) for h in (8, 12, 17)]  # three starts today
    stamps += [dt.datetime.combine(today - dt.timedelta(days=n), dt.time(9)) for n in range(1, 60)]
    stamps += [dt.datetime(2025, m, 15, 9) for m in range(1, 13)]  # last year, one a month
    for s in stamps:
        (folder / f"window_patrol-{s:%Y%m%d-%H%M%S}-000000.db").write_bytes(b"x")
    backup.rotate(folder, today)
    kept = sorted(backup.taken_at(p) for p in folder.iterdir())
    days = {k.date() for k in kept if k.date() > today - dt.timedelta(days=7)}
    assert len(days) == 7 and dt.datetime(2026, 11, 30, 17) in kept and dt.datetime(2026, 11, 30, 8) not in kept
    assert {(k.year, k.month) for k in kept} >= {(2026, 10), (2026, 11), (2025, 12)}, "a backup of each recent month"
    assert (2025, 12) in {(k.year, k.month) for k in kept} and (2025, 11) not in {(k.year, k.month) for k in kept}
    assert len(kept) <= 7 + 4 + 12
    single = tmp_path / "single"
    single.mkdir()
    (single / "window_patrol-20240101-090000-000000.db").write_bytes(b"x")  # years old, the only one
    assert backup.rotate(single, today) == [] and len(list(single.iterdir())) == 1
    made = [backup.backup_now() for _ in range(3)]
    assert backup.backups() == [made[-1]], "several the same day: the newest of the day stays"
    assert not backup.due(1)


def test_restore_brings_back_the_data_after_backing_up_the_current_one(live):
    admin = User.get(User.username == "admin")
    saved = backup.backup_now()
    count = Inspection.select().count()
    Inspection.update(note="改动").execute()
    done = restore.restore(saved, admin)
    assert done.checked.inspections == count
    assert not Inspection.select().where(Inspection.note == "改动").exists()
    changed = sqlite3.connect(done.safety).execute("SELECT COUNT(*) FROM inspection WHERE note = '改动'").fetchone()[0]
    assert changed == count, "what the restore replaced was kept"
    assert audit.entries(username="admin")[0].action == "backup.restore"


def test_restore_refuses_bad_files_and_non_managers_and_changes_nothing(live, tmp_path):
    admin, inspector = User.get(User.username == "admin"), User.get(User.username == "xuncha1")
    saved = backup.backup_now()
    with pytest.raises(PermissionDenied):
        restore.restore(saved, inspector)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    foreign = tmp_path / "foreign.db"
    sqlite3.connect(foreign).execute("CREATE TABLE t (x)").connection.commit()
    truncated = tmp_path / "truncated.db"
    truncated.write_bytes(saved.read_bytes()[: 3 * 4096])
    newer = tmp_path / "newer.db"
    newer.write_bytes(saved.read_bytes())
    conn = sqlite3.connect(newer)
    conn.execute("INSERT INTO schema_version (version, applied_at) VALUES (999, '2030-01-01')")
    conn.commit()
    conn.close()
    before = Inspection.select().count(), Setting.select().count()
    for bad, message in ((junk, "不是 SQLite"), (foreign, "不是本程序"), (truncated, "(完整性|无法读取|不是本程序)"),
                         (newer, "不支持")):
        with pytest.raises(PatrolError, match=message):
            restore.restore(bad, admin)
    assert (Inspection.select().count(), Setting.select().count()) == before


def test_postgresql_backups_are_left_to_the_server(db_target):
    dbmod.open_database(db_target)
    try:
        if db_target.startswith("postgresql"):
            with pytest.raises(PatrolError, match="pg_dump"):
                backup.backup_now()
        else:
            assert backup.backup_now().exists()
    finally:
        dbmod.close_database()


def _damage(path, page: int, page_size: int = 4096) -> None:
    """Overwrite one b-tree page of the file with garbage (a failing disk sector, say)."""
    with open(path, "r+b") as fh:
        fh.seek(page * page_size)
        fh.write(b"\xde\xad\xbe\xef" * (page_size // 4))


def test_a_damaged_database_is_never_backed_up_and_the_good_backup_survives_and_restores(live):
    admin = User.get(User.username == "admin")
    good = backup.backup_now()
    count = Inspection.select().count()
    dbmod.close_database()
    conn = sqlite3.connect(live)
    pages = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'item_result'").fetchone()[0]
    conn.close()
    _damage(live, pages + 3)
    dbmod.open_database(str(live))
    for _ in range(30):
        with pytest.raises(PatrolError, match="数据库检查未通过"):
            backup.backup_now()
    assert backup.backups() == [good], "the good backup is still there, alone"
    done = restore.restore(good, admin)
    assert Inspection.select().count() == count
    assert dbmod.db.obj.execute_sql("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert done.safety.exists(), "the damaged file is kept aside, not rotated away"


def test_a_backup_of_another_page_size_restores(live, tmp_path):
    admin = User.get(User.username == "admin")
    other = tmp_path / "8k.db"
    conn = sqlite3.connect(other)
    dbmod.db.obj.connection().backup(conn)
    conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA page_size=8192")
    conn.execute("VACUUM")
    assert conn.execute("PRAGMA page_size").fetchone()[0] == 8192
    conn.close()
    count = Inspection.select().count()
    Inspection.update(note="改动").execute()
    restore.restore(other, admin)
    assert Inspection.select().count() == count and not Inspection.select().where(Inspection.note == "改动").exists()


def test_a_restore_refuses_another_centres_database(live, tmp_path):
    from app.storage.models import Centre

    admin = User.get(User.username == "admin")
    saved = backup.backup_now()
    conn = sqlite3.connect(saved)
    conn.execute("UPDATE centre SET code = 'OTHER'")
    conn.commit()
    conn.close()
    with pytest.raises(PatrolError, match="中心 OTHER"):
        restore.restore(saved, admin)
    assert Centre.get().code == "DEMO"


def test_what_a_restore_discards_is_written_out_and_can_be_brought_back(live, tmp_path):
    import datetime as dt
    import json

    from app.exchange.results_import import import_package
    from app.loop import record_changes
    from app.results import probation
    from app.storage.models import AuditEntry, ProbationCase, Window
    from tests.helpers import FAILING, inspect

    admin = User.get(User.username == "admin")
    saved = backup.backup_now()
    window = Window.get(Window.code == "A03")
    late = inspect(window, User.get(User.username == "xuncha1"), window.staff.first(), dt.datetime(2026, 11, 2, 10),
                   fail=FAILING)
    amended = Inspection.select().where(Inspection.passed == True).first()  # noqa: E712
    record_changes.amend(amended, admin, {"DISC-07": "fail"}, "复看录像")
    probation.clear_case(ProbationCase.select().where(ProbationCase.status == "open").first(), admin, "当场整改")
    done = restore.restore(saved, admin)
    assert done.inspections == 2 and done.package is not None and done.decisions >= 1 and done.audit_entries >= 2
    assert not Inspection.select().where(Inspection.uuid == late.uuid).exists()
    entry = AuditEntry.select().order_by(AuditEntry.id.desc()).first()
    kept = json.loads(entry.old)
    assert entry.action == "backup.restore" and {a["action"] for a in kept["audit_entries"]} >= {"inspection.amend",
                                                                                                  "probation.clear"}
    summary = import_package(done.package, admin)  # signed by this office: the discarded records come back
    assert summary.new == 1 and summary.updated == 1
    assert Inspection.get(Inspection.uuid == amended.uuid).revision == 2
