"""Rectification items (整改) as stored and reported: opening one for a fault, due in working days, and the
centre's list with each item's state (open, overdue, rectified, withdrawn). The rules that open and close
items as records change are the loop's (app.loop.rectification).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from peewee import JOIN

from app.centres import scope
from app.storage.db import bulk_insert
from app.storage.models import Rectification, Staff, Window

SOURCES = {"rating": "好差评差评", "inspection": "巡查不合格项", "conduct": "违规记录"}
STATES = {"open": "待整改", "overdue": "逾期未整改", "rectified": "已整改", "withdrawn": "已撤销"}
REPEAT_DAYS = 90  # the same item failed again by the same person within this many days is a repeat


def new_item(centre_id: int, source: str, source_ref: str, what: str, clause: str, opened_on: dt.date,
             due_on: dt.date, staff_id: int | None, window_id: int | None, item_code: str = "",
             repeats: int = 0) -> dict:
    """An open item as a row for `write_items`: what many faults found at once become."""
    return {"centre": centre_id, "staff": staff_id, "window": window_id, "source": source, "source_ref": source_ref,
            "what": what[:500], "clause": clause, "opened_on": opened_on, "due_on": due_on, "state": "open",
            "closed_on": None, "closed_by": "", "close_note": "", "close_photo": "", "item_code": item_code,
            "repeats": repeats}


def write_items(rows: list[dict]) -> None:
    """Write new items in one bulk insert (inside the caller's transaction)."""
    if rows:
        columns = list(rows[0])
        bulk_insert(Rectification, columns, [tuple(r[c] for c in columns) for r in rows])


def state_of(item: Rectification, today: dt.date | None = None) -> str:
    if item.state in ("rectified", "withdrawn"):
        return item.state
    return "overdue" if (today or dt.date.today()) > item.due_on else "open"


@dataclass(frozen=True)
class ItemRow:
    id: int
    source: str
    what: str
    employee_no: str
    staff_name: str
    window_code: str
    opened_on: dt.date
    due_on: dt.date
    state: str  # open / overdue / rectified / withdrawn
    closed_on: dt.date | None
    close_note: str
    repeats: int = 0  # earlier faults of the same item by the same person within REPEAT_DAYS

    @property
    def state_label(self) -> str:
        return STATES[self.state]

    def as_dict(self) -> dict:
        out = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in self.__dict__.items()}
        return out | {"state_label": self.state_label, "source_label": SOURCES.get(self.source, self.source)}


def items(state: str | None = None, today: dt.date | None = None, centre_id=scope.SOLE) -> list[ItemRow]:
    """The centre's items (or the district's), the earliest deadline first; `state` filters."""
    today = today or dt.date.today()
    query = (Rectification.select(Rectification, Staff, Window)
             .join(Staff, JOIN.LEFT_OUTER, on=(Rectification.staff == Staff.id)).switch(Rectification)
             .join(Window, JOIN.LEFT_OUTER, on=(Rectification.window == Window.id)))
    cid = scope.resolve(centre_id)
    if cid is not None:
        query = query.where(Rectification.centre == cid)
    if state in ("rectified", "withdrawn"):
        query = query.where(Rectification.state == state)
    elif state in ("open", "overdue"):
        query = query.where(Rectification.state == "open")
        query = query.where(Rectification.due_on < today) if state == "overdue" else query.where(Rectification.due_on >= today)
    rows = []
    for r in query.order_by(Rectification.due_on, Rectification.id):
        rows.append(ItemRow(r.id, r.source, r.what, r.staff.employee_no if r.staff_id else "",
                            r.staff.name if r.staff_id else "", r.window.code if r.window_id else "", r.opened_on,
                            r.due_on, state_of(r, today), r.closed_on, r.close_note, r.repeats))
    return rows
