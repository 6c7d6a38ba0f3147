"""A year of a large centre: generation, monthly rankings, the probation sweep, the monthly details
workbook against a plain openpyxl loop, a 10,000-inspection package import against raw executemany,
start-up to the main window against a bare PyQt6 window; peak memory of each step."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
import tracemalloc
from pathlib import Path

from app import periods
from app.centres import scope
from app.results import probation, probation_rules, rankings
from app.storage.db import close_database, open_database
from app.storage.models import Inspection, ProbationCase
from app.storage.proxy import sqlite_path
from benchmarks import export_speed, import_speed, startup
from benchmarks.generate import add_inspections, build_centre, working_days

SCALES = {  # windows, working days, patrols a day (each patrol visits every window)
    "full": (300, 250, 2),
    "small": (30, 250, 2),
    "tiny": (10, 10, 1),
}
ROOT = Path(__file__).resolve().parents[1]


def measure(fn):
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, round(seconds, 3), round(peak, 1)


def timed_then_traced(fn, undo=None):
    """Seconds of an untraced run (tracemalloc slows Python code two- to threefold), then the peak
    memory of a traced run; `undo` runs the traced pass inside a transaction that is rolled back."""
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    from app.storage.proxy import db

    with db.atomic() as txn:
        if undo:
            undo()
        tracemalloc.start()
        fn()
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        txn.rollback()
    return result, round(seconds, 3), round(peak, 1)


def _reopen_swept() -> None:
    ProbationCase.update(status="open", closed_at=None).where(
        ProbationCase.status.in_(["cleared", "recommend_return"]) & ProbationCase.decided_by.is_null()).execute()


def open_empty(name: str, db_url: str | None) -> tuple[Path, str]:
    """A scratch folder, and the database to fill (the URL given, else a SQLite file there), open and empty."""
    folder = Path(tempfile.mkdtemp(prefix=f"wp-bench-{name}-"))
    target = db_url or str(folder / f"{name}.db")
    open_database(target)
    if Inspection.select().exists():
        raise SystemExit(f"{target} already has inspections; the benchmark needs an empty database")
    return folder, target


def replay_probation() -> int:
    """Open and follow probation cases over the generated year, as finalising would have."""
    watched: set[int] = set()
    done = 0
    query = (Inspection.select(Inspection.id, Inspection.staff, Inspection.passed)
             .order_by(Inspection.observed_at, Inspection.id).tuples().iterator())
    for insp_id, staff_id, passed in query:
        if staff_id is None or (passed and staff_id not in watched):
            continue
        probation_rules.on_finalised(Inspection.get_by_id(insp_id))
        done += 1
        if not passed:
            watched.add(staff_id)
    return done


def run(scale: str = "small", db_url: str | None = None) -> list[dict]:
    windows, day_count, patrols = SCALES[scale]
    folder, target = open_empty(f"year-{scale}", db_url)
    days = working_days(dt.date(2025, 11, 3), day_count)
    rows = []
    (_, counts), seconds, peak = measure(lambda: (build_centre(windows, 2, seed=5),
                                                  add_inspections(days, windows * patrols, seed=5)))
    _, replay_s, _ = measure(replay_probation)
    path = sqlite_path()
    size = (path.stat().st_size / 2**20) if path else None
    rows.append({"step": "generate year", "detail": f"{counts['inspections']} inspections, {counts['item_results']} item "
                 f"results, {ProbationCase.select().count()} probation cases", "seconds": round(seconds + replay_s, 1),
                 "peak_mb": peak, "db_mb": round(size, 1) if size else ""})
    middle = days[len(days) // 2]
    month = periods.month(f"{middle:%Y-%m}")
    for by in ("window", "staff", "department"):
        result, seconds, peak = timed_then_traced(lambda by=by: rankings.rank(month, by, centre_id=scope.SOLE))
        rows.append({"step": f"monthly ranking by {by}", "detail": f"{len(result)} rows", "seconds": seconds,
                     "target_seconds": 0.5, "peak_mb": peak})
    changed, seconds, peak = timed_then_traced(lambda: probation.sweep(days[-1] + dt.timedelta(days=1),
                                                                       centre_id=scope.SOLE), _reopen_swept)
    rows.append({"step": "probation sweep", "detail": f"{len(changed)} cases decided", "seconds": seconds,
                 "target_seconds": 0.5, "peak_mb": peak})
    _, again, _ = measure(lambda: probation.sweep(days[-1] + dt.timedelta(days=1), centre_id=scope.SOLE))
    rows.append({"step": "probation sweep again", "detail": "nothing due", "seconds": again, "target_seconds": 0.5})
    _, base_s, base_peak = measure(lambda: export_speed._plain_loop(folder / "plain.xlsx", month))
    from exports import jobs

    _, ours_s, ours_peak = measure(lambda: jobs.details_excel(folder / "details.xlsx", month.start, month.last_day,
                                                              centre_id=scope.SOLE))
    rows.append({"step": "monthly details workbook", "detail": "write-only", "seconds": ours_s,
                 "baseline_seconds": base_s, "ratio": round(ours_s / base_s, 2), "target_ratio": 1.5,
                 "peak_mb": ours_peak, "baseline_peak_mb": base_peak})
    quarter = periods.quarter(f"{middle.year}-Q{(middle.month - 1) // 3 + 1}")
    _, q_s, q_peak = measure(lambda: jobs.details_excel(folder / "quarter.xlsx", quarter.start, quarter.last_day,
                                                        centre_id=scope.SOLE))
    rows.append({"step": "quarter details workbook", "detail": "3× the rows: memory must stay flat", "seconds": q_s,
                 "peak_mb": q_peak})
    close_database()
    if is_sqlite_target(target):
        runs = 3 if scale == "tiny" else 5
        s = startup.measure(target, "bench1", "bench123", runs=runs)
        boss = startup.measure(target, "benchboss", "bench123", runs=runs)
        rows.append({"step": "start-up to first window", "detail": "sign-in window, fresh process, this database",
                     "seconds": s["login"], "baseline_seconds": s["bare"], "ratio": round(s["login"] / s["bare"], 2),
                     "target_ratio": 1.5})
        for who, m in (("inspector", s), ("manager", boss)):
            rows.append({"step": f"start-up to main window ({who})",
                         "detail": "signed in at once by a script (no typing), first page filled",
                         "seconds": m["main"], "baseline_seconds": m["bare"], "ratio": round(m["main"] / m["bare"], 2),
                         "target_ratio": 1.5, "peak_rss_mb": m["peak_rss_mb"], "baseline_peak_rss_mb": m["bare_peak_rss_mb"]})
            rows.append({"step": f"sign-in to main window ({who})",
                         "detail": "password check (scrypt ~45 ms) + pages + first fill", "seconds": m["sign_in_to_main"]})
    packaged = import_speed.run(inspections=10000 if scale == "full" else 1000 if scale == "small" else 100, windows=windows)
    rows += [{**r, "step": "package: " + r["step"]} for r in packaged]
    return rows


def is_sqlite_target(target: str) -> bool:
    return "://" not in target or target.startswith("sqlite")
