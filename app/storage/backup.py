"""Backups of the SQLite database with SQLite's online backup API, kept as a rotating set beside it,
and restoring one after checking it.

A backup is taken only from a database that passes `PRAGMA quick_check`: a damaged database is
reported and never copied over good backups. Rotation keeps the newest backup of each of the last 7
days, 4 weeks and 12 months, and never deletes the newest one. A restore refuses another centre's
database; before it replaces anything it keeps a copy of the current file and writes what the backup
lacks (inspections into a results package, decisions and audit entries into the restore's own audit
entry), so nothing is lost that cannot be brought back.
"""

from __future__ import annotations

import datetime as dt
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from app.errors import PatrolError
from app.storage.district import require_district_account
from app.storage.faults import classify
from app.storage.leftovers import sweep
from app.storage.migrations import CURRENT_VERSION
from app.storage.models import AuditEntry, Inspection, ProbationEvent
from app.storage.proxy import db, sqlite_path

PREFIX = "window_patrol-"
SAFETY_PREFIX = "before-restore-"
KEEP_DAYS, KEEP_WEEKS, KEEP_MONTHS = 7, 4, 12
_STAMP = re.compile(r"window_patrol-(\d{8})-(\d{6})-(\d{6})\.db")


def backup_dir() -> Path:
    path = sqlite_path()
    if path is None:
        raise PatrolError("PostgreSQL 数据库请用服务器的备份工具 (pg_dump) 备份; 本功能用于内置的 SQLite 数据库")
    return path.with_name(path.stem + "_backups")


def check_live() -> None:
    """PatrolError unless the open database passes quick_check (a damaged one is never backed up)."""
    try:
        rows = [" ".join(str(r[0]).split()) for r in db.obj.execute_sql("PRAGMA quick_check(3)").fetchall()]
    except Exception as exc:  # a page too damaged to read raises rather than reports
        rows = [" ".join(str(exc).split())]
    if rows != ["ok"]:
        raise PatrolError(f"数据库检查未通过 ({'; '.join(rows)[:200]}): 没有备份, 以免覆盖完好的备份; "
                          "请从最近的完好备份恢复 (中心设置 → 恢复), 现有备份都保留着")


def _discard(part: Path) -> None:
    for leftover in (part, part.with_name(part.name + "-journal")):
        leftover.unlink(missing_ok=True)


def copy_database(target: Path) -> None:
    """The live database into `target` through a `.part` file, self-contained (no -wal beside it)."""
    part = target.with_name(target.name + ".part")
    dest = sqlite3.connect(part)
    try:
        db.obj.connection().backup(dest)
        dest.execute("PRAGMA journal_mode=DELETE")
    except (sqlite3.Error, OSError) as exc:
        dest.close()
        _discard(part)
        raise PatrolError(f"备份失败: {classify(exc).message}; 现有备份都保留着") from None
    except BaseException:
        dest.close()
        _discard(part)
        raise
    dest.close()
    part.replace(target)


def district_only(user, what: str) -> None:
    """A backup or a restore is of the whole database: in a district, the district manager's alone (a
    centre's manager would otherwise carry off, or overwrite, every other centre's records)."""
    require_district_account(user, f"{what}包含全区所有中心的数据, 只有区级管理员可以操作")


def backup_now(folder: Path | None = None, user=None) -> Path:
    """Check the live database, copy it (consistent even while in use) and rotate the set. `user`: the
    person who asked (None: the app's own scheduled backup)."""
    district_only(user, "数据库备份")
    default = backup_dir()  # PostgreSQL: said before anything else
    check_live()
    folder = Path(folder) if folder else default
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise PatrolError(f"无法建立备份文件夹 {folder}: {exc.strerror}") from None
    sweep(folder)  # a killed backup leaves *.part and *.part-journal
    target = folder / f"{PREFIX}{dt.datetime.now():%Y%m%d-%H%M%S-%f}.db"
    copy_database(target)
    rotate(folder)
    return target


def taken_at(path: Path) -> dt.datetime | None:
    match = _STAMP.fullmatch(path.name)
    if not match:
        return None
    return dt.datetime.strptime("".join(match.groups()), "%Y%m%d%H%M%S%f")


def to_keep(stamps: list[dt.datetime], today: dt.date | None = None) -> set[dt.datetime]:
    """Of backups taken at these times: the newest of each of the last 7 days, 4 ISO weeks and 12
    months (counting back from today), and always the newest of all."""
    today = today or dt.date.today()
    keep: set[dt.datetime] = set()
    if not stamps:
        return keep
    ordered = sorted(stamps, reverse=True)
    keep.add(ordered[0])
    day_limit = today - dt.timedelta(days=KEEP_DAYS - 1)
    week_limit = today - dt.timedelta(weeks=KEEP_WEEKS - 1, days=today.weekday())
    month_limit = (today.year * 12 + today.month - 1) - (KEEP_MONTHS - 1)
    seen_days, seen_weeks, seen_months = set(), set(), set()
    for stamp in ordered:
        day = stamp.date()
        week = day - dt.timedelta(days=day.weekday())
        month = day.year * 12 + day.month - 1
        if day >= day_limit and day not in seen_days:
            keep.add(stamp)
        if week >= week_limit and week not in seen_weeks:
            keep.add(stamp)
        if month >= month_limit and month not in seen_months:
            keep.add(stamp)
        seen_days.add(day)
        seen_weeks.add(week)
        seen_months.add(month)
    return keep


def rotate(folder: Path, today: dt.date | None = None) -> list[Path]:
    """Delete the backups the policy does not keep; return them."""
    dated = {p: taken_at(p) for p in folder.glob(f"{PREFIX}*.db")}
    dated = {p: t for p, t in dated.items() if t is not None}
    keep = to_keep(list(dated.values()), today)
    removed = []
    for path, stamp in dated.items():
        if stamp not in keep:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


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
    centre: str


def check_backup(path: str | Path) -> Checked:
    """A backup file's integrity, schema and centre, read without changing it (any page size)."""
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
            centre = conn.execute("SELECT code FROM centre ORDER BY id LIMIT 1").fetchone()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise PatrolError(f"{path.name}: 无法读取 ({exc})") from None
    if version is None or version > CURRENT_VERSION:
        raise PatrolError(f"{path.name}: 数据库结构版本 {version} 本程序不支持 (最高 {CURRENT_VERSION})")
    return Checked(path, version, count, centre[0] if centre else "")


def what_the_backup_lacks(backup: Path) -> tuple[list[str], list[dict], list[dict]]:
    """Finalised inspections (new or changed since), probation events and audit entries that are in
    the live database and not in the backup."""
    conn = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    try:
        stored = dict(conn.execute("SELECT uuid, content_hash FROM inspection WHERE status = 'final'"))
        max_event = conn.execute("SELECT COALESCE(MAX(id), 0) FROM probation_event").fetchone()[0]
        has_audit = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'audit_entry'").fetchone()
        max_audit = conn.execute("SELECT COALESCE(MAX(id), 0) FROM audit_entry").fetchone()[0] if has_audit else 0
    finally:
        conn.close()
    uuids = [u for u, h in Inspection.select(Inspection.uuid, Inspection.content_hash)
             .where(Inspection.status == "final").tuples() if stored.get(u) != h]
    events = [{"case": e.case_id, "at": e.at.isoformat(), "kind": e.kind, "cause": e.cause,
               "user": e.user.username if e.user_id else ""}
              for e in ProbationEvent.select().where(ProbationEvent.id > max_event).order_by(ProbationEvent.id)]
    entries = [{"at": a.at.isoformat(), "user": a.username, "action": a.action, "target": a.target, "old": a.old,
                "new": a.new, "reason": a.reason}
               for a in AuditEntry.select().where(AuditEntry.id > max_audit).order_by(AuditEntry.id)]
    return uuids, events, entries
