"""Helpers to make inspections with chosen failures in tests."""

from __future__ import annotations

import datetime as dt

from app import inspections
from app.models import Inspection, Staff, User, Window


def inspect(window: Window, inspector: User, staff: Staff | None, when: dt.datetime,
            fail: tuple[str, ...] = (), bonus: tuple[str, ...] = (), finalise: bool = True) -> Inspection:
    """An inspection where the named items fail, named bonus items are awarded, the rest pass."""
    insp = inspections.start_inspection(window, inspector, staff=staff, observed_at=when, started_at=when)
    items = inspections.applicable_items(insp)
    codes = {i.code for i in items}
    unknown = set(fail) | set(bonus)
    assert unknown <= codes, f"not applicable here: {sorted(unknown - codes)}"
    results = {}
    for item in items:
        if item.kind == "bonus":
            if item.code in bonus:
                results[item.id] = "pass"
        else:
            results[item.id] = "fail" if item.code in fail else "pass"
    inspections.set_results(insp, results)
    if finalise:
        inspections.finalise(insp, at=when + dt.timedelta(minutes=5))
    return Inspection.get_by_id(insp.id)


# Failing these four costs 3+3+5+5 = 16 points: a clear fail (84) without a veto.
FAILING = ("DRESS-01", "DRESS-12", "DISC-07", "TABOO-12")
