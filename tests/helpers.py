"""Helpers to make inspections with chosen failures in tests."""

from __future__ import annotations

import datetime as dt

from app.loop import record_changes
from app.patrolling import inspections
from app.storage.models import Inspection, Staff, User, Window


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
        record_changes.finalise(insp, at=when + dt.timedelta(minutes=5))
    return Inspection.get_by_id(insp.id)


# Failing these four costs 3+3+5+5 = 16 points: a clear fail (84) without a veto.
FAILING = ("DRESS-01", "DRESS-12", "DISC-07", "TABOO-12")


def enrol_laptop(office: str, laptop, folder, inspectors=("xuncha1",), name: str = "笔记本1") -> str:
    """Enrol a laptop database from the office's (which is open, and is open again afterwards): the
    office makes the set-up file, the laptop is set up from it. Returns the device's key id."""
    from pathlib import Path

    from app.exchange.devices import enrol_device
    from app.exchange.enrolment import enrol
    from app.storage import db as dbmod

    setup = Path(folder) / f"{Path(laptop).stem}.wpe"
    done = enrol_device(User.get(User.username == "admin"), name, list(inspectors), setup)
    dbmod.close_database()
    dbmod.open_database(str(laptop))
    enrol(setup)
    dbmod.close_database()
    dbmod.open_database(office)
    enrolled_long_ago()
    return done.key_id


def with_database(target: str, work) -> None:
    """Run `work()` on a database opened for it, closed afterwards."""
    from app.storage import db as dbmod

    dbmod.open_database(target)
    try:
        work()
    finally:
        dbmod.close_database()


def enrolled_long_ago(since: dt.datetime = dt.datetime(2025, 1, 1)) -> None:
    """The tests' laptops carry records of fixed dates of 2026 but are enrolled today: as if the office had
    enrolled them before those dates (a laptop's records before its enrolment are refused)."""
    from app.storage.models import Device

    Device.update(enrolled_at=since).where(Device.centre_code == "").execute()


def on_laptop(laptop, patrols, inspector: str = "xuncha1") -> None:
    """Inspections on a (closed) laptop database: (window, day, failed items), each at 10:00."""
    from app.patrolling.patrol import staff_on_duty
    from app.storage import db as dbmod

    dbmod.open_database(str(laptop))
    try:
        user = User.get(User.username == inspector)
        for code, day, fails in patrols:
            window = Window.get(Window.code == code)
            inspect(window, user, staff_on_duty(window), dt.datetime.fromisoformat(f"{day}T10:00"), fail=fails)
    finally:
        dbmod.close_database()


def export_from(laptop, out, since: dt.date | None = None, inspector: str = "xuncha1"):
    """Export a results package from a (closed) laptop database, as one of its inspectors."""
    from app.exchange.results_package import export_results
    from app.storage import db as dbmod

    dbmod.open_database(str(laptop))
    try:
        return export_results(out, since, User.get(User.username == inspector))
    finally:
        dbmod.close_database()
