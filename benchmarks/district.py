"""A district at scale: 25 centres (one of 300 windows, four of 60, twenty of 20: 940 windows, 1,880
staff) and a year of two patrols a day, into PostgreSQL (--db) or a temporary SQLite. Measures the
generation, the district's monthly rankings (centres, windows, staff), a centre's month package
imported into the district against a raw executemany of the same rows, and the district workbook
against a plain openpyxl write-only loop; peak memory of each step."""

from __future__ import annotations

import datetime as dt
import json
import random
import time
import zipfile
from pathlib import Path

from app import periods
from app.centres import scope
from app.people.accounts import create_user
from app.results import centre_ranking, rankings
from app.setup.centres import add_centre, create_centre
from app.storage.db import bulk_insert, close_database, open_database
from app.storage.models import Area, Centre, Inspection, ProbationCase, Staff, User, Window
from app.storage.proxy import db, is_sqlite, sqlite_path
from benchmarks.generate import DEPARTMENTS, TYPES, add_inspections, working_days
from benchmarks.year import measure, open_empty, replay_probation, timed_then_traced

SCALES = {  # (windows, centres of that size, kind) …, working days, patrols a day
    "district": ([(300, 1, "district"), (60, 4, "branch"), (20, 20, "street")], 250, 2),
    "district-small": ([(60, 1, "district"), (20, 4, "branch"), (10, 8, "street")], 60, 2),
    "district-tiny": ([(10, 1, "district"), (5, 2, "branch"), (3, 2, "street")], 10, 1),
}


def build_district(plan: list[tuple[int, int, str]], seed: int = 7) -> int:
    """Every centre of the plan with its windows, two staff a window and two inspectors; returns windows."""
    rng = random.Random(seed)
    total = 0
    with db.atomic():
        home = create_centre("QU", "基准测试区政务服务中心")
        boss = create_user("quboss", "区政务服务办公室", "manager", "bench123")
        number = 0
        for windows, count, kind in plan:
            for _ in range(count):
                number += 1
                centre = home if number == 1 else add_centre(boss, f"C{number:02d}", f"第{number}中心", kind, "基准测试")
                area = Area.create(centre=centre, code="A", name="大厅")
                rows = []
                for n in range(windows):
                    wtype = TYPES[n % len(TYPES)]
                    dept = "政务服务中心" if wtype != "部门窗口" else DEPARTMENTS[n % len(DEPARTMENTS)]
                    rows.append((centre.id, area.id, f"W{n + 1:03d}", f"{wtype}{n + 1}号", wtype, dept, True))
                bulk_insert(Window, ["centre", "area", "code", "name", "window_type", "department", "active"], rows)
                staff = []
                for w in Window.select(Window.id).where(Window.centre == centre.id).order_by(Window.id):
                    for post in "AB":
                        staff.append((f"{centre.code}-{w.id}{post}", f"员工{w.id}{post}", rng.choice("MF"), rng.random() < 0.3,
                                      "甲劳务公司", w.id, post, "active", centre.id))
                bulk_insert(Staff, ["employee_no", "name", "gender", "party_member", "employer", "window", "post", "status",
                                    "centre"], staff)
                for k in (1, 2):
                    create_user(f"{centre.code.lower()}xc{k}", f"巡查员{k}", "inspector", "bench123", centre=centre)
                total += windows
    return total


def _db_size_mb() -> float | None:
    path = sqlite_path()
    if path:
        return round(path.stat().st_size / 2**20, 1)
    return round(db.obj.execute_sql("SELECT pg_database_size(current_database())").fetchone()[0] / 2**20, 1)


def _centre_package(folder: Path, month: periods.Period, windows: int) -> tuple[Path, str, str]:
    """A centre that runs its own database: its month as a package, and its office key."""
    from app.exchange.centre_package import export_month
    from app.keys import identity
    from benchmarks.generate import build_centre

    close_database()
    open_database(str(folder / "centre.db"))
    try:
        build_centre(windows, 2, seed=11)
        days = [d for d in working_days(month.start, 23) if d < month.end]
        add_inspections(days, windows * 2, seed=11)
        me = identity.local()
        package = export_month(folder / "centre-month.wpr", month, User.get(User.username == "benchboss"),
                               centre_id=scope.SOLE).path
        return package, me.key_id, me.public_key
    finally:
        close_database()


def _raw_rows(package: Path) -> tuple[list[tuple], list[tuple]]:
    """The package's inspection and item-result rows, parsed, as a raw loader would insert them."""
    with zipfile.ZipFile(package) as zf:
        records = [json.loads(line) for line in zf.read("inspections.jsonl").decode("utf-8").splitlines() if line]
    windows = dict(Window.select(Window.code, Window.id).join(Centre).where(Centre.code == "BENCH").tuples())
    staff = dict(Staff.select(Staff.employee_no, Staff.id).tuples())
    user = User.select(User.id).where(User.username == "BENCH.bench1").scalar()
    from app.storage.models import Item

    version = Inspection.select(Inspection.checklist_version).scalar()
    items = dict(Item.select(Item.code, Item.id).where(Item.version == version).tuples())
    first = (Inspection.select(Inspection.id).order_by(Inspection.id.desc()).scalar() or 0) + 1_000_000
    t = dt.datetime.fromisoformat
    insp, results = [], []
    for n, r in enumerate(records):
        insp.append((first + n, r["uuid"] + "x", r["revision"], windows[r["window"]], staff.get(r["staff"]), user,
                     r["method"], t(r["observed_at"]), t(r["started_at"]), t(r["finished_at"]), version, "final",
                     r["note"], r["score"], r["bonus"], r["deductions"], r["vetoed"], r["passed"], r["grade"],
                     t(r["finished_at"]), ""))
        results += [(first + n, items[c], res, note, "") for c, res, note, _ in r["results"]]
    return insp, results


def _raw_baseline(package: Path) -> float:
    """The same rows with the driver's executemany in one transaction, rolled back afterwards."""
    insp, results = _raw_rows(package)
    start = time.perf_counter()
    with db.atomic() as txn:
        bulk_insert(Inspection, ["id", "uuid", "revision", "window", "staff", "inspector", "method", "observed_at",
                                 "started_at", "finished_at", "checklist_version", "status", "note", "score", "bonus",
                                 "deductions", "vetoed", "passed", "grade", "updated_at", "content_hash"], insp)
        from app.storage.models import ItemResult

        bulk_insert(ItemResult, ["inspection", "item", "result", "note", "photos"], results)
        elapsed = time.perf_counter() - start
        txn.rollback()
    return elapsed


def _plain_workbook(path: Path, report):
    """The same cells (every column of the three sheets), appended to a write-only workbook, no styling."""
    from openpyxl import Workbook

    from exports.excel import CENTRE_COLUMNS, _rank_columns

    wb = Workbook(write_only=True)
    window_cols = _rank_columns("窗口编号", "窗口名称", ("进驻部门", "department"))
    staff_cols = _rank_columns("工号", "姓名", ("用工单位", "employer"))
    for title, cols, rows in (("centres", CENTRE_COLUMNS, report.centres), ("windows", window_cols, report.windows),
                              ("staff", staff_cols, report.staff)):
        ws = wb.create_sheet(title)
        ws.append([c.header for c in cols])
        for r in rows:
            ws.append([c.value(r) for c in cols])
    wb.save(path)
    return report


def run(scale: str = "district", db_url: str | None = None) -> list[dict]:
    plan, day_count, patrols = SCALES[scale]
    folder, target = open_empty(scale, db_url)
    engine = "SQLite" if is_sqlite() else "PostgreSQL"
    days = working_days(dt.date(2025, 11, 3), day_count)
    rows = []
    windows, build_s, build_peak = measure(lambda: build_district(plan))
    counts, gen_s, gen_peak = measure(lambda: add_inspections(days, windows * patrols, seed=7))
    _, replay_s, _ = measure(replay_probation)
    seconds, peak = build_s + gen_s + replay_s, max(build_peak, gen_peak)
    rows.append({"step": f"generate ({engine})", "detail": f"{Centre.select().count()} centres, {windows} windows, "
                 f"{counts['staff']} staff, {counts['inspections']} inspections, {counts['item_results']} item results, "
                 f"{ProbationCase.select().count()} probation cases",
                 "seconds": round(seconds, 1), "peak_mb": peak, "db_mb": _db_size_mb()})
    middle = days[len(days) // 2]
    month = periods.month(f"{middle:%Y-%m}")
    steps = (("district ranking of centres", lambda: centre_ranking.rank_centres(month)),
             ("district ranking of windows", lambda: rankings.rank(month, "window", centre_id=None)),
             ("district ranking of staff", lambda: rankings.rank(month, "staff", centre_id=None)))
    for name, fn in steps:
        result, seconds, peak = timed_then_traced(fn)
        rows.append({"step": name, "detail": f"{len(result)} rows, {month.label}", "seconds": seconds,
                     "target_seconds": 0.5, "peak_mb": peak})
    from exports import jobs

    _, ours_s, ours_peak = measure(lambda: jobs.district_excel(folder / "district.xlsx", f"{month.start:%Y-%m}"))
    # The baseline gathers the same figures, then appends the same cells with no styling.
    report, base_s, base_peak = measure(lambda: _plain_workbook(folder / "plain.xlsx", centre_ranking.district_report(month)))
    rows.append({"step": "district workbook", "detail": f"{len(report.windows)} windows, {len(report.staff)} staff",
                 "seconds": ours_s, "baseline_seconds": base_s, "ratio": round(ours_s / base_s, 2), "target_ratio": 1.5,
                 "peak_mb": ours_peak, "baseline_peak_mb": base_peak})
    close_database()
    centre_windows = plan[1][0] if len(plan) > 1 else plan[0][0]
    package, key_id, public_key = _centre_package(folder, month, centre_windows)
    open_database(target)
    from app.exchange.centre_package import trust_office
    from app.exchange.results_import import import_package

    boss = User.get(User.username == "quboss")
    add_centre(boss, "BENCH", "报送中心", "branch", "基准测试")
    trust_office(boss, "BENCH", key_id, public_key, "基准测试")
    # Timed untraced (tracemalloc slows Python two- to threefold); the peak is traced on the second import.
    start = time.perf_counter()
    summary = import_package(package, boss, centre_id=None)
    ours_s = time.perf_counter() - start
    base_s = _raw_baseline(package)
    rows.append({"step": f"centre month package into the district ({engine})",
                 "detail": f"{summary.new} inspections, roster of {centre_windows} windows: signature, checks, recomputed",
                 "seconds": round(ours_s, 3), "baseline_seconds": round(base_s, 3), "ratio": round(ours_s / base_s, 2),
                 "target_ratio": 3.0})
    start = time.perf_counter()
    again = import_package(package, boss, centre_id=None)
    again_s = time.perf_counter() - start
    _, _, again_peak = measure(lambda: import_package(package, boss, centre_id=None))
    rows.append({"step": "the same package again", "detail": f"{again.unchanged} unchanged (peak traced on a third run)",
                 "seconds": round(again_s, 3), "peak_mb": again_peak})
    close_database()
    return rows
