"""Importing a results package of 10,000 inspections from an enrolled laptop (signature checked, every
field checked, every figure recomputed) against a raw sqlite3 executemany of the same rows into the
same schema (same run); then importing it again (all unchanged)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import tempfile
import time
import tracemalloc
import zipfile
from pathlib import Path

from app.centres import scope
from app.exchange.devices import enrol_device
from app.exchange.enrolment import enrol
from app.exchange.results_import import import_package
from app.exchange.results_package import export_results
from app.people.accounts import create_user
from app.storage.db import SQLITE_PRAGMAS, close_database, open_database
from app.storage.models import Device, User
from benchmarks.generate import add_inspections, build_centre, working_days


def _raw_baseline(office: Path, package: Path) -> float:
    """The same inspection and item-result rows, already parsed, inserted with sqlite3 executemany."""
    with zipfile.ZipFile(package) as zf:
        records = [json.loads(line) for line in zf.read("inspections.jsonl").decode("utf-8").splitlines() if line]
    conn = sqlite3.connect(office, isolation_level=None)
    for key, value in SQLITE_PRAGMAS.items():
        conn.execute(f"PRAGMA {key}={value}")
    windows = dict(conn.execute("SELECT code, id FROM window"))
    staff = dict(conn.execute("SELECT employee_no, id FROM staff"))
    users = dict(conn.execute("SELECT username, id FROM user"))
    version = conn.execute("SELECT id FROM checklist_version").fetchone()[0]
    items = dict(conn.execute("SELECT code, id FROM item WHERE version_id = ?", (version,)))
    start = time.perf_counter()
    first = (conn.execute("SELECT COALESCE(MAX(id), 0) FROM inspection").fetchone()[0]) + 1
    insp_rows, result_rows = [], []
    for n, r in enumerate(records):
        insp_rows.append((first + n, r["uuid"], r["revision"], windows[r["window"]], staff.get(r["staff"]),
                          users[r["inspector"]], r["method"], r["observed_at"], r["started_at"], r["finished_at"], version,
                          "final", r["note"], r["score"], r["bonus"], r["deductions"], r["vetoed"], r["passed"], r["grade"],
                          r["finished_at"], ""))
        result_rows += [(first + n, items[c], res, note, "") for c, res, note, _ in r["results"]]
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO inspection (id, uuid, revision, window_id, staff_id, inspector_id, method, observed_at, "
                     "started_at, finished_at, checklist_version_id, status, note, score, bonus, deductions, vetoed, passed, "
                     "grade, updated_at, content_hash) VALUES (" + ",".join("?" * 21) + ")", insp_rows)
    conn.executemany("INSERT INTO item_result (inspection_id, item_id, result, note, photos) VALUES (?,?,?,?,?)", result_rows)
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


def run(inspections: int = 10000, windows: int = 300) -> list[dict]:
    folder = Path(tempfile.mkdtemp(prefix="wp-bench-import-"))
    laptop, office, raw = folder / "laptop.db", folder / "office.db", folder / "raw.db"
    memory_office = folder / "office-memory.db"
    # As in a centre: the office enrols the laptop (its own key), the laptop inspects and exports.
    open_database(str(office))
    build_centre(windows, 2, seed=3)
    create_user("bench-manager", "基准管理员", "manager", "bench123")
    enrol_device(User.get(User.username == "bench-manager"), "基准笔记本",
                 [u.username for u in User.select().where(User.role == "inspector")], folder / "laptop.wpe", centre_id=scope.SOLE)
    # The generated patrols start on 1 September 2026: the laptop was enrolled before them.
    Device.update(enrolled_at=dt.datetime(2026, 8, 1)).execute()
    close_database()
    shutil.copy(office, raw)
    shutil.copy(office, memory_office)
    open_database(str(laptop))
    enrol(folder / "laptop.wpe")
    per_day = 500
    days = working_days(dt.date(2026, 9, 1), max(1, inspections // per_day))
    counts = add_inspections(days, min(per_day, inspections), seed=3)
    start = time.perf_counter()
    made = export_results(folder / "results.wpr", centre_id=scope.SOLE)
    export_s = time.perf_counter() - start
    close_database()
    baseline = _raw_baseline(raw, made.path)
    open_database(str(office))
    manager = User.get(User.username == "bench-manager")
    start = time.perf_counter()
    first = import_package(made.path, manager, centre_id=scope.SOLE)
    first_s = time.perf_counter() - start
    start = time.perf_counter()
    second = import_package(made.path, manager, centre_id=scope.SOLE)
    second_s = time.perf_counter() - start
    close_database()
    # Peak memory in a pass of its own: tracemalloc slows Python code, which would skew the timed ratio.
    open_database(str(memory_office))
    manager = User.get(User.username == "bench-manager")
    tracemalloc.start()
    import_package(made.path, manager, centre_id=scope.SOLE)
    peak_mb = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
    tracemalloc.stop()
    close_database()
    size = made.path.stat().st_size / 2**20
    detail = f"{counts['inspections']} inspections, {counts['item_results']} item results, {size:.1f} MB"
    return [
        {"step": "export package", "detail": detail, "seconds": round(export_s, 2)},
        {"step": "import package", "detail": f"new {first.new}", "seconds": round(first_s, 2),
         "baseline": "sqlite3 executemany, same rows", "baseline_seconds": round(baseline, 2),
         "ratio": round(first_s / baseline, 2), "target_ratio": 3, "peak_mb": peak_mb},
        {"step": "import again", "detail": f"unchanged {second.unchanged}", "seconds": round(second_s, 2),
         "ratio_to_first": round(second_s / first_s, 2)},
    ]
