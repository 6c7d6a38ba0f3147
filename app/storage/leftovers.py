"""Half-written files left by a killed export, backup or photo copy (`*.part`, `*.part-journal`),
removed the next time the same folder is written or the database is opened.

Only files older than a few minutes are removed: a younger one may belong to a write still running
in another process.
"""

from __future__ import annotations

import time
from pathlib import Path

PATTERNS = (".*.part", "*.part", "*.part-journal")
MIN_AGE_SECONDS = 600


def sweep(folder: Path, min_age: float = MIN_AGE_SECONDS, recursive: bool = False) -> list[Path]:
    """Remove stale partial files in a folder; return what was removed (never raises)."""
    removed = []
    cutoff = time.time() - min_age
    try:
        candidates = {p for pattern in PATTERNS for p in (folder.rglob(pattern) if recursive else folder.glob(pattern))}
    except OSError:
        return removed
    for path in sorted(candidates):
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed


def sweep_beside(database_file: Path) -> list[Path]:
    """The folders a SQLite database writes beside itself: its backups and its photos."""
    removed = []
    for suffix in ("_backups", "_photos"):
        folder = database_file.with_name(database_file.stem + suffix)
        if folder.is_dir():
            removed += sweep(folder, recursive=suffix == "_photos")
    return removed
