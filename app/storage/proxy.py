"""The one database proxy that every model is bound to, and what kind of database it stands for. Kept
apart from opening the database (app.storage.db), which migrates and so imports the models: the models
import this, and nothing here imports them."""

from __future__ import annotations

from pathlib import Path

import peewee

db = peewee.DatabaseProxy()


def is_sqlite(database: peewee.Database | None = None) -> bool:
    database = database or db.obj
    return isinstance(database, peewee.SqliteDatabase)


def sqlite_path(database: peewee.Database | None = None) -> Path | None:
    database = database or db.obj
    if is_sqlite(database):
        return Path(database.database)
    return None
