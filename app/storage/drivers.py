"""Which database drivers a process loads, decided before peewee is first imported.

peewee imports every PostgreSQL driver it can find when it is imported (psycopg alone costs ~85 ms,
a quarter of the app's start-up). A process started for a SQLite file never needs one.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence

from app.storage.locations import ENV_VAR

POSTGRES_DRIVERS = ("psycopg", "psycopg2", "psycopg2cffi")


def target_from_argv(argv: Sequence[str]) -> str | None:
    """The --db value of a command line (either spelling), else the environment's, else None (the default file)."""
    for n, arg in enumerate(argv):
        if arg == "--db" and n + 1 < len(argv):
            return argv[n + 1]
        if arg.startswith("--db="):
            return arg.split("=", 1)[1]
    return os.environ.get(ENV_VAR) or None


def is_postgres(target: str | None) -> bool:
    """postgres:// and postgresql:// URLs (with any +pool or ext suffix peewee's db_url knows)."""
    return bool(target) and target.lower().startswith("postgres") and "://" in target


def skip_postgres_drivers(target: str | None) -> bool:
    """Keep peewee from importing PostgreSQL drivers in a process that opens only SQLite. True if skipped."""
    if is_postgres(target) or "peewee" in sys.modules:
        return False
    for name in POSTGRES_DRIVERS:
        sys.modules.setdefault(name, None)  # None in sys.modules makes `import name` raise ImportError
    return True


def postgres_drivers_skipped() -> bool:
    return "psycopg" in sys.modules and sys.modules["psycopg"] is None
