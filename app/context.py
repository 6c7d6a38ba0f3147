"""Who acts, for which centre (or the district), as of which day: passed into the core, never looked up.

A command, a page of the app, a worker thread and a test each build one and hand it down, so the
centre a piece of work belongs to is visible at the call, not hidden in a module global.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Context:
    """`user` is the signed-in account (None: the database file's owner, reading); `centre_id` the
    centre acted for (None: the whole district); `today` the day the work is done on."""

    user: Any = None
    centre_id: int | None = None
    today: dt.date = field(default_factory=dt.date.today)

    @property
    def username(self) -> str:
        return self.user.username if self.user is not None else ""
