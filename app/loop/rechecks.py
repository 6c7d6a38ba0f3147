"""What a re-check must remember: for a person (or a window without one) who has open rectification
items or is on probation, last time's result, note and photos of each item that failed, and the
deadline, so the inspector sees beside each item what was wrong and checks those first."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from app.storage.models import (
    Inspection,
    Item,
    ItemResult,
    ProbationCase,
    ProbationDue,
    RecheckDue,
    Rectification,
    Staff,
    Window,
)


@dataclass(frozen=True)
class LastResult:
    day: dt.date
    result: str  # fail (the fault to look at again)
    note: str
    photos: tuple[str, ...]
    due_on: dt.date | None  # the rectification deadline, when an item is open
    repeats: int = 0

    def describe(self) -> str:
        due = f", 期限 {self.due_on:%m-%d}" if self.due_on else ""
        again = f", 第 {self.repeats + 1} 次" if self.repeats else ""
        photos = f" (照片 {len(self.photos)} 张)" if self.photos else ""
        return f"{self.day:%m-%d} 不合格{due}{again}" + (f": {self.note}" if self.note else "") + photos


def last_results(inspection: Inspection) -> dict[str, LastResult]:
    """Item code -> last time's failure, for the items due for re-check in this inspection."""
    day = inspection.observed_at.date()
    if inspection.staff_id is not None:
        who = Rectification.staff == inspection.staff_id
    else:
        who = (Rectification.window == inspection.window_id) & Rectification.staff.is_null()
    open_items = list(Rectification.select().where(who & (Rectification.state == "open")
                                                   & (Rectification.source == "inspection")
                                                   & (Rectification.opened_on <= day)).order_by(Rectification.opened_on))
    out: dict[str, LastResult] = {}
    uuids = {item.source_ref.split(":")[1] for item in open_items}
    found = {}
    if uuids:
        query = (ItemResult.select(ItemResult, Item.code, Inspection.uuid, Inspection.observed_at).join(Item)
                 .switch(ItemResult).join(Inspection)
                 .where(Inspection.uuid.in_(sorted(uuids)) & (ItemResult.result == "fail")))
        for r in query:
            found[(r.inspection.uuid, r.item.code)] = r
    for item in open_items:
        uuid = item.source_ref.split(":")[1]
        r = found.get((uuid, item.item_code))
        if r is not None:
            out[item.item_code] = LastResult(r.inspection.observed_at.date(), "fail", r.note,
                                             tuple(p for p in r.photos.split("\n") if p), item.due_on, item.repeats)
    _office_dues(inspection, day, out)
    if inspection.staff_id is not None and _on_probation(inspection.staff_id, day):
        # On probation: the person's last finalised inspection before this one, its failures too.
        last = (Inspection.select().where((Inspection.staff == inspection.staff_id) & (Inspection.status == "final")
                                          & (Inspection.id != inspection.id) & (Inspection.observed_at < inspection.observed_at))
                .order_by(Inspection.observed_at.desc()).first())
        if last is not None:
            for r in (ItemResult.select(ItemResult, Item).join(Item)
                      .where((ItemResult.inspection == last) & (ItemResult.result == "fail"))):
                out.setdefault(r.item.code, LastResult(last.observed_at.date(), "fail", r.note,
                                                       tuple(p for p in r.photos.split("\n") if p), None))
    return out


def _office_dues(inspection: Inspection, day: dt.date, out: dict[str, LastResult]) -> None:
    """On a laptop: the faults the office had open at its last update (app.exchange.laptop_update), for
    the items this laptop has no fault of its own for, unless a later inspection here passed the item."""
    window = Window.get_by_id(inspection.window_id)
    if inspection.staff_id is not None:
        who = RecheckDue.employee_no == Staff.get_by_id(inspection.staff_id).employee_no
        mine = Inspection.staff == inspection.staff_id
    else:
        who = (RecheckDue.window_code == window.code) & (RecheckDue.employee_no == "")
        mine = (Inspection.window == window.id) & Inspection.staff.is_null()
    dues = list(RecheckDue.select().where(who & (RecheckDue.centre == window.centre_id) & (RecheckDue.day <= day))
                .order_by(RecheckDue.day))
    if not dues:
        return
    passed = dict(ItemResult.select(Item.code, pw.fn.MAX(Inspection.observed_at)).join(Item).switch(ItemResult)
                  .join(Inspection).where(mine & (Inspection.status == "final") & (Inspection.id != inspection.id)
                                          & (ItemResult.result == "pass")
                                          & (Inspection.observed_at < inspection.observed_at))
                  .group_by(Item.code).tuples())
    for due in dues:
        since = passed.get(due.item_code)
        if due.item_code in out or (since is not None and _day_of(since) > due.day):
            continue
        out[due.item_code] = LastResult(due.day, "fail", due.note, tuple(p for p in due.photos.split("\n") if p),
                                        due.due_on, due.repeats)


def _day_of(value) -> dt.date:
    return (value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))).date()


def _on_probation(staff_id: int, day: dt.date) -> bool:
    if ProbationCase.select().where((ProbationCase.staff == staff_id) & (ProbationCase.status == "open")
                                    & (ProbationCase.opened_on <= day) & (ProbationCase.ends_on >= day)).exists():
        return True
    # On a laptop, the office's open cases (its last update) count too.
    return ProbationDue.select().where((ProbationDue.employee_no == Staff.get_by_id(staff_id).employee_no)
                                       & (ProbationDue.opened_on <= day) & (ProbationDue.ends_on >= day)).exists()
