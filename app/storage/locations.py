"""Where the database lives by default, without importing the data layer: the app decides its first
window from this before peewee is loaded (os.path, not pathlib, for the same reason)."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV_VAR = "WINDOW_PATROL_DB"


def _data_dir() -> str:
    if sys.platform.startswith("win"):
        base = os.environ.get("APPDATA") or os.path.join(os.path.expanduser("~"), "AppData", "Roaming")
    elif sys.platform == "darwin":
        base = os.path.join(os.path.expanduser("~"), "Library", "Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return os.path.join(base, "window-patrol")


def default_data_dir():
    """The per-user data folder (Windows %APPDATA%, macOS Application Support, XDG elsewhere)."""
    return Path(_data_dir())


def default_database_path():
    return Path(_data_dir()) / "window_patrol.db"


def resolve_target(target: str | None) -> tuple[str, bool]:
    """Return (target, is_default) from the argument, the environment, or the default path."""
    if target:
        return target, False
    if os.environ.get(ENV_VAR):
        return os.environ[ENV_VAR], False
    return os.path.join(_data_dir(), "window_patrol.db"), True


def is_new_sqlite_file(target: str | None) -> bool:
    """True when the target resolves to a SQLite file that does not exist yet (a first start)."""
    resolved, _ = resolve_target(target)
    if "://" in resolved:
        return False
    return not os.path.exists(os.path.expanduser(resolved))
