"""Backups of the SQLite database with SQLite's online backup API, kept as a rotating set beside it,
and restoring one after checking it (the current database is backed up first)."""

from __future__ import annotations

import datetime as dt
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.db import db, sqlite_path
from app.errors import PatrolError
from app.leftovers import sweep

KEEP = 20
PREFIX = "window_patrol-"


def backup_dir() -> Path:
    path = sqlite_path()
    if path is None:
        raise PatrolError("PostgreSQL 数据库请用服务器的备份工具 (pg_dump) 备份; 本功能用于内置的 SQLite 数据库")
    return path.with_name(path.stem + "_backups")


def backup_now(folder: Path | None = None, keep: int = KEEP) -> Path:
    """Copy the live database (consistent even while in use) and drop the oldest beyond `keep`."""
    folder = Path(folder) if folder else backup_dir()
    folder.mkdir(parents=True, exist_ok=True)
    sweep(folder)  # a killed backup leaves *.part and *.part-journal
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S-%f")
    target = folder / f"{PREFIX}{stamp}.db"
    part = target.with_suffix(".part")
    dest = sqlite3.connect(part)
    try:
        db.obj.connection().backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal/-shm beside it
    finally:
        dest.close()
    part.replace(target)
    for old in sorted(folder.glob(f"{PREFIX}*.db"))[:-keep] if keep else []:
        old.unlink(missing_ok=True)
    return target


def backups(folder: Path | None = None) -> list[Path]:
    """Newest first."""
    folder = Path(folder) if folder else backup_dir()
    return sorted(folder.glob(f"{PREFIX}*.db"), reverse=True)


def due(hours: float = 24) -> bool:
    """Whether the newest automatic backup is older than `hours` (or there is none)."""
    existing = backups()
    if not existing:
        return True
    newest = dt.datetime.fromtimestamp(existing[0].stat().st_mtime)
    return dt.datetime.now() - newest > dt.timedelta(hours=hours)


@dataclass(frozen=True)
class Checked:
    path: Path
    schema_version: int
    inspections: int


def check_backup(path: str | Path) -> Checked:
    """A backup file's integrity and schema, read without changing it."""
    from app.migrations import CURRENT_VERSION

    path = Path(path)
    if not path.is_file():
        raise PatrolError(f"{path}: 文件不存在")
    with open(path, "rb") as fh:
        if fh.read(16) != b"SQLite format 3\x00":
            raise PatrolError(f"{path.name}: 不是 SQLite 数据库文件")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            if result != "ok":
                raise PatrolError(f"{path.name}: 完整性检查未通过 ({result})")
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
            if not {"schema_version", "inspection", "centre"} <= tables:
                raise PatrolError(f"{path.name}: 不是本程序的数据库")
            version = conn.execute("SELECT MAX(version) FROM schema_version").fetchone()[0]
            count = conn.execute("SELECT COUNT(*) FROM inspection").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise PatrolError(f"{path.name}: 无法读取 ({exc})") from None
    if version is None or version > CURRENT_VERSION:
        raise PatrolError(f"{path.name}: 数据库结构版本 {version} 本程序不支持 (最高 {CURRENT_VERSION})")
    return Checked(path, version, count)


def restore(path: str | Path, user) -> tuple[Checked, Path]:
    """Replace the database's content with a checked backup; returns (what was restored, the safety
    backup of what it replaced). Managers only; the restore itself is audited in the result."""
    from app import audit, migrations
    from app.accounts import require_role

    require_role(user, "manager")
    checked = check_backup(path)
    safety = backup_now()
    source = sqlite3.connect(f"file:{checked.path}?mode=ro", uri=True)
    try:
        source.backup(db.obj.connection())
    finally:
        source.close()
    migrations.upgrade(db.obj)
    from app.db import on_open_hooks

    on_open_hooks()  # cached checklist items belong to the replaced content
    audit.record(user.username, "backup.restore", f"file:{checked.path.name}",
                 new={"inspections": checked.inspections, "schema": checked.schema_version, "safety_copy": safety.name})
    return checked, safety
