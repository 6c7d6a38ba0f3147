"""What the 考核 pages share: how a figure is shown, and the month a page opens on."""

from __future__ import annotations

import datetime as dt

from app import periods


def fmt(value) -> str:
    return "" if value is None else f"{value:g}"


def last_month() -> str:
    return f"{periods.previous_month(dt.date.today()).start:%Y-%m}"
