"""Database set-up, schema versions and migrations, on SQLite and PostgreSQL."""

import sqlite3

import peewee as pw
import pytest

from app.errors import DatabaseOpenError
from app.storage import db as dbmod
from app.storage import migrations
from app.storage.locations import ENV_VAR, default_database_path
from app.storage.models import ALL_MODELS, Centre, SchemaVersion


def test_new_database_gets_every_table_and_the_current_schema_version(database):
    for model in ALL_MODELS:
        assert database.table_exists(model._meta.table_name)
    assert migrations.stored_version(database) == migrations.CURRENT_VERSION


def test_reopening_a_database_keeps_its_data(db_target):
    dbmod.open_database(db_target)
    Centre.create(code="X", name="某中心")
    dbmod.close_database()
    dbmod.open_database(db_target)
    assert Centre.get(Centre.code == "X").name == "某中心"
    assert SchemaVersion.select().count() == 1
    dbmod.close_database()


def test_sqlite_runs_with_wal_and_foreign_keys(tmp_path):
    database = dbmod.open_database(str(tmp_path / "p.db"))
    assert database.execute_sql("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert database.execute_sql("PRAGMA foreign_keys").fetchone()[0] == 1
    assert database.execute_sql("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    dbmod.close_database()


def test_database_from_a_newer_program_is_refused(db_target):
    dbmod.open_database(db_target)
    SchemaVersion.create(version=migrations.CURRENT_VERSION + 1)
    dbmod.close_database()
    with pytest.raises(DatabaseOpenError, match="高于本程序支持"):
        dbmod.open_database(db_target)


def test_an_older_schema_is_migrated_step_by_step_and_sqlite_is_copied_first(db_target, monkeypatch, tmp_path):
    database = dbmod.open_database(db_target)
    Centre.create(code="X", name="某中心")
    dbmod.close_database()

    def add_column(db):
        from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

        migrator = SqliteMigrator(db) if isinstance(db, pw.SqliteDatabase) else PostgresqlMigrator(db)
        migrate(migrator.add_column("centre", "address", pw.CharField(default="")))

    old_version = migrations.CURRENT_VERSION
    monkeypatch.setattr(migrations, "CURRENT_VERSION", old_version + 1)
    monkeypatch.setitem(migrations.STEPS, migrations.CURRENT_VERSION, add_column)
    database = dbmod.open_database(db_target)
    assert migrations.stored_version(database) == migrations.CURRENT_VERSION
    columns = [c.name for c in database.get_columns("centre")]
    assert "address" in columns
    assert Centre.get(Centre.code == "X").name == "某中心"
    if db_target.endswith(".db"):
        assert list(tmp_path.glob(f"patrol.v{old_version}.*.bak")), "SQLite file must be copied before migrating"
    dbmod.close_database()


def test_a_failing_migration_step_leaves_the_database_at_its_old_version(db_target, monkeypatch):
    dbmod.open_database(db_target)
    dbmod.close_database()

    def broken(db):
        db.execute_sql("CREATE TABLE half_done (id INTEGER)")
        raise pw.OperationalError("boom")

    monkeypatch.setattr(migrations, "CURRENT_VERSION", migrations.CURRENT_VERSION + 1)
    monkeypatch.setitem(migrations.STEPS, migrations.CURRENT_VERSION, broken)
    with pytest.raises(DatabaseOpenError, match="无法读取或升级"):
        dbmod.open_database(db_target)
    monkeypatch.undo()
    database = dbmod.open_database(db_target)
    assert migrations.stored_version(database) == migrations.CURRENT_VERSION
    assert not database.table_exists("half_done")
    dbmod.close_database()


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("这不是数据库" * 100)
    with pytest.raises(DatabaseOpenError, match="无法打开数据库"):
        dbmod.open_database(str(bad))
    assert "这不是数据库" in bad.read_text()


def test_a_missing_file_is_not_created_when_creation_is_not_allowed(tmp_path):
    with pytest.raises(DatabaseOpenError, match="不存在"):
        dbmod.open_database(str(tmp_path / "typo.db"), create=False)
    assert not (tmp_path / "typo.db").exists()


def test_a_missing_folder_is_reported(tmp_path):
    with pytest.raises(DatabaseOpenError, match="文件夹不存在"):
        dbmod.open_database(str(tmp_path / "no" / "such" / "x.db"))


def test_a_foreign_sqlite_database_is_not_taken_over(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE window (id INTEGER)")
    conn.commit()
    conn.close()
    with pytest.raises(DatabaseOpenError, match="不是本程序创建"):
        dbmod.open_database(str(path))


def test_the_environment_variable_names_the_database(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "env.db"))
    dbmod.open_database(None)
    dbmod.close_database()
    assert (tmp_path / "env.db").exists()


def test_the_default_database_lives_in_the_user_data_folder(tmp_path, monkeypatch):
    monkeypatch.delenv(ENV_VAR, raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path))
    dbmod.open_database(None)
    dbmod.close_database()
    assert default_database_path().exists()


def test_sqlite_urls_are_accepted(tmp_path):
    dbmod.open_database(f"sqlite:///{tmp_path}/u.db")
    dbmod.close_database()
    assert (tmp_path / "u.db").exists()


def test_bulk_insert_writes_every_row_on_both_backends(database):
    dbmod.bulk_insert(Centre, ["code", "name", "signing_key", "created_at"],
                      [(f"C{i}", f"中心{i}", "k", "2026-10-01 00:00:00") for i in range(50)])
    assert Centre.select().count() == 50
