"""Backups with SQLite's online backup API, rotation, and restore with its checks."""

import sqlite3

import pytest

from app import audit, backup, periods
from app import db as dbmod
from app.demo import make_demo
from app.errors import PatrolError, PermissionDenied
from app.models import Inspection, Setting, User


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


def test_backups_rotate_keeping_the_newest(live):
    made = [backup.backup_now(keep=3) for _ in range(5)]
    assert backup.backups() == list(reversed(made[-3:]))
    assert not backup.due(1)


def test_restore_brings_back_the_data_after_backing_up_the_current_one(live):
    admin = User.get(User.username == "admin")
    saved = backup.backup_now()
    count = Inspection.select().count()
    Inspection.update(note="改动").execute()
    checked, safety = backup.restore(saved, admin)
    assert checked.inspections == count
    assert not Inspection.select().where(Inspection.note == "改动").exists()
    changed = sqlite3.connect(safety).execute("SELECT COUNT(*) FROM inspection WHERE note = '改动'").fetchone()[0]
    assert changed == count, "what the restore replaced was kept"
    assert audit.entries(username="admin")[0].action == "backup.restore"


def test_restore_refuses_bad_files_and_non_managers_and_changes_nothing(live, tmp_path):
    admin, inspector = User.get(User.username == "admin"), User.get(User.username == "xuncha1")
    saved = backup.backup_now()
    with pytest.raises(PermissionDenied):
        backup.restore(saved, inspector)
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
            backup.restore(bad, admin)
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
