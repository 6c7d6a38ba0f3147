"""Schema versions and the steps between them.

A new database gets the current schema at once. An older one is copied aside (SQLite) and then
brought forward one step at a time, each step inside one transaction, as Vorta does.
"""

from __future__ import annotations

import datetime as dt
import shutil
from contextlib import contextmanager

import peewee as pw

from app.errors import DatabaseOpenError
from app.storage import later_migration_steps, migration_steps
from app.storage.migration_steps import protect_audit
from app.storage.models import (
    ALL_MODELS,
    SchemaVersion,
)
from app.storage.proxy import sqlite_path

CURRENT_VERSION = 16
# version reached -> the step that reaches it from version - 1.
STEPS = {**migration_steps.STEPS, **later_migration_steps.STEPS}


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
            protect_audit(database)
            SchemaVersion.create(version=CURRENT_VERSION)
        return CURRENT_VERSION
    if version > CURRENT_VERSION:
        raise DatabaseOpenError(
            f"数据库结构版本为 {version}, 高于本程序支持的 {CURRENT_VERSION}; 请升级程序后再打开"
        )
    if version < CURRENT_VERSION:
        backup_before_migration(database, version)
        for target in range(version + 1, CURRENT_VERSION + 1):
            with _foreign_keys_deferred(database), database.atomic():
                STEPS[target](database)
                _check_references(database, target)
                SchemaVersion.create(version=target)
    return CURRENT_VERSION


@contextmanager
def _foreign_keys_deferred(database: pw.Database):
    """SQLite rebuilds a table to change a column; references are checked at the end of the step
    instead (the pragma can only change outside a transaction)."""
    sqlite = isinstance(database, pw.SqliteDatabase)
    if sqlite:
        database.pragma("foreign_keys", 0)
    try:
        yield
    finally:
        if sqlite:
            database.pragma("foreign_keys", 1)


def _check_references(database: pw.Database, target: int) -> None:
    if isinstance(database, pw.SqliteDatabase):
        broken = database.execute_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise DatabaseOpenError(f"升级到第 {target} 版后有 {len(broken)} 条记录引用失效, 已撤销升级")


def backup_before_migration(database: pw.Database, version: int) -> None:
    path = sqlite_path(database)
    if path is None:
        return  # PostgreSQL: the server's own backups apply; each step is still atomic
    database.execute_sql("PRAGMA wal_checkpoint(FULL)")
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    shutil.copy2(path, path.with_name(f"{path.stem}.v{version}.{stamp}.bak"))
