"""Schema versions and the steps between them.

A new database gets the current schema at once. An older one is copied aside (SQLite) and then
brought forward one step at a time, each step inside one transaction, as Vorta does.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Callable

import peewee as pw
from playhouse.migrate import PostgresqlMigrator, SqliteMigrator, migrate

from app.db import sqlite_path
from app.errors import DatabaseOpenError
from app.models import ALL_MODELS, PatrolRound, SchemaVersion

CURRENT_VERSION = 2


def _migrator(database: pw.Database):
    return SqliteMigrator(database) if isinstance(database, pw.SqliteDatabase) else PostgresqlMigrator(database)


def _v2_patrol_rounds(database: pw.Database) -> None:
    """Patrol rounds, and each inspection's round."""
    database.create_tables([PatrolRound])
    round_field = pw.ForeignKeyField(PatrolRound, null=True, field=PatrolRound.id, on_delete="SET NULL")
    migrate(_migrator(database).add_column("inspection", "round_id", round_field))


# version reached -> the step that reaches it from version - 1. Add entries; never edit old ones.
STEPS: dict[int, Callable[[pw.Database], None]] = {2: _v2_patrol_rounds}


def stored_version(database: pw.Database) -> int | None:
    """The schema version the database records, or None for an empty database."""
    if not database.table_exists(SchemaVersion._meta.table_name):
        if any(database.table_exists(m._meta.table_name) for m in ALL_MODELS):
            raise DatabaseOpenError("数据库中有表但没有版本记录, 不是本程序创建的数据库")
        return None
    row = SchemaVersion.select(pw.fn.MAX(SchemaVersion.version)).scalar()
    return int(row) if row is not None else None


def upgrade(database: pw.Database) -> int:
    """Create or migrate the schema; return the version now in force."""
    version = stored_version(database)
    if version is None:
        with database.atomic():
            database.create_tables(ALL_MODELS)
            SchemaVersion.create(version=CURRENT_VERSION)
        return CURRENT_VERSION
    if version > CURRENT_VERSION:
        raise DatabaseOpenError(
            f"数据库结构版本为 {version}, 高于本程序支持的 {CURRENT_VERSION}; 请升级程序后再打开"
        )
    if version < CURRENT_VERSION:
        backup_before_migration(database, version)
        for target in range(version + 1, CURRENT_VERSION + 1):
            with database.atomic():
                STEPS[target](database)
                SchemaVersion.create(version=target)
    return CURRENT_VERSION


def backup_before_migration(database: pw.Database, version: int) -> None:
    path = sqlite_path(database)
    if path is None:
        return  # PostgreSQL: the server's own backups apply; each step is still atomic
    database.execute_sql("PRAGMA wal_checkpoint(FULL)")
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    shutil.copy2(path, path.with_name(f"{path.stem}.v{version}.{stamp}.bak"))
