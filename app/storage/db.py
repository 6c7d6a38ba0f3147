"""The one database handle, opened from a SQLite path or a URL (postgresql://...)."""

from __future__ import annotations

import os
from pathlib import Path

import peewee
from playhouse.db_url import connect as connect_url

from app.errors import DatabaseOpenError
from app.storage import drivers, migrations
from app.storage.faults import classify
from app.storage.leftovers import sweep_beside
from app.storage.locations import resolve_target
from app.storage.proxy import db, is_sqlite

# FULL rather than NORMAL: with WAL, NORMAL may drop the last commits on power loss, and these
# records decide people's pay. The cost is one fsync per commit, invisible at a tick's pace.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "foreign_keys": 1,
    "cache_size": -64000,
    "synchronous": "full",
    "busy_timeout": 5000,
}


def is_url(target: str) -> bool:
    return "://" in target


def make_database(target: str, *, create: bool = True) -> peewee.Database:
    """Build (not yet initialise the proxy with) a database for a path or URL."""
    if is_url(target):
        scheme = target.split("://", 1)[0].lower()
        if scheme.startswith("sqlite"):
            # sqlite:///relative.db and sqlite:////absolute/path.db, as SQLAlchemy spells them
            rest = target.split("://", 1)[1]
            return make_database(rest[1:] if rest.startswith("/") else rest, create=create)
        if drivers.postgres_drivers_skipped():
            raise DatabaseOpenError(f"本进程按 SQLite 数据库启动, 不能再打开 {target}; 请用 --db {target} 重新启动")
        try:
            return connect_url(target)
        except Exception as exc:  # unknown scheme, missing driver
            raise DatabaseOpenError(f"无法识别数据库地址 {target}: {exc}") from exc
    path = Path(target).expanduser()
    if path.is_dir():
        raise DatabaseOpenError(f"数据库路径是一个文件夹, 不是文件: {path}")
    if not path.exists():
        if not create:
            raise DatabaseOpenError(f"数据库文件不存在: {path}")
        if not path.parent.exists():
            raise DatabaseOpenError(f"数据库所在文件夹不存在: {path.parent}")
    elif not os.access(path, os.R_OK):
        raise DatabaseOpenError(f"无权读取数据库文件: {path}")
    return peewee.SqliteDatabase(str(path), pragmas=SQLITE_PRAGMAS)


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


def open_database(target: str | None = None, *, create: bool = True) -> peewee.Database:
    """Open the database, create or migrate its schema, and bind the proxy to it.

    `create=False` refuses a SQLite file that does not exist yet (read-only commands use it, so a
    typo in --db does not silently make an empty database).
    """
    close_database()  # one handle: a second open (the sign-in, then the command) must not leave the first open
    resolved, is_default = resolve_target(target)
    if is_default:
        Path(resolved).parent.mkdir(parents=True, exist_ok=True)
        create = True
    database = make_database(resolved, create=create)
    try:
        database.connect(reuse_if_open=True)
        if is_sqlite(database):
            # A file that is not SQLite only fails on first read; make that happen here.
            database.execute_sql("SELECT count(*) FROM sqlite_master").fetchone()
    except peewee.DatabaseError as exc:
        if is_sqlite(database) and not os.access(Path(resolved).expanduser().parent, os.W_OK):
            # WAL needs its -shm and -wal files beside the database, even to read
            raise DatabaseOpenError(f"数据库 {resolved} 所在的文件夹只读 (只读的 U 盘、光盘或网络盘?): "
                                    "请把数据库复制到可写的文件夹再打开") from exc

        fault = classify(exc)
        detail = fault.message if fault.kind != "internal" else _one_line(exc)
        raise DatabaseOpenError(f"无法打开数据库 {resolved}: {detail}") from exc
    except peewee.OperationalError as exc:
        raise DatabaseOpenError(f"无法连接数据库 {resolved}: {_one_line(exc)}") from exc
    db.initialize(database)
    if is_sqlite(database):
        sweep_beside(Path(database.database))  # a killed backup or photo copy leaves *.part files
    for hook in _open_hooks:
        hook()
    try:
        migrations.upgrade(database)
    except DatabaseOpenError:
        database.close()
        raise
    except peewee.PeeweeException as exc:
        database.close()

        fault = classify(exc)
        raise DatabaseOpenError(f"数据库 {resolved} 无法读取或升级: "
                                + (fault.message if fault.kind != "internal" else _one_line(exc))) from exc
    return database


def bulk_insert(model: type[peewee.Model], columns: list[str], rows: list[tuple]) -> None:
    """Insert many rows through the driver: executemany on SQLite, COPY on PostgreSQL (peewee's
    insert_many builds SQL in Python, ~15x slower). Call inside db.atomic()."""
    if not rows:
        return
    database = db.obj
    q = database.quote[0]  # peewee keeps the identifier quote pair as a string, e.g. '""'

    def ident(name: str) -> str:
        return f"{q}{name}{q}"

    table = ident(model._meta.table_name)
    cols = ", ".join(ident(model._meta.fields[c].column_name) for c in columns)
    cursor = database.cursor()
    if not is_sqlite(database):
        # PostgreSQL: COPY, several times faster than even pipelined INSERTs for thousands of rows.
        with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join([database.param] * len(columns))
    cursor.executemany(f"INSERT INTO {table} ({cols}) VALUES ({marks})", rows)


_open_hooks: list = []


def on_open(hook) -> None:
    """Call `hook()` whenever a database is opened (caches keyed on database content use it)."""
    _open_hooks.append(hook)


def on_open_hooks() -> None:
    """Run the hooks again: the database's content was replaced underneath (a restore)."""
    for hook in _open_hooks:
        hook()


def close_database() -> None:
    if db.obj is not None and not db.obj.is_closed():
        db.obj.close()
