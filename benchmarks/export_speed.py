"""Report speed for a 300-window centre's month: the details workbook against a plain openpyxl
write-only loop of the same cells (same run), its peak memory at two lengths, the ranking PDF and
the label sheet for 300 windows."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
import tracemalloc
from pathlib import Path

from openpyxl import Workbook

from app import periods
from app.centres import scope
from app.results import reports
from app.storage.db import close_database, open_database
from benchmarks.generate import generate, working_days
from exports import excel, jobs


def _timed(fn):
    tracemalloc.start()
    start = time.perf_counter()
    result = fn()
    elapsed = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return result, elapsed, peak


def _plain_loop(path: Path, period) -> None:
    """The baseline: the same cells, as plain values, written by a bare write-only loop."""
    rows, failed = reports.details(period, centre_id=scope.SOLE)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("巡查明细")
    ws.append([c.header for c in excel.INSPECTION_COLUMNS])
    for r in rows:
        ws.append([c.value(r) for c in excel.INSPECTION_COLUMNS])
    ws = wb.create_sheet("不合格项明细")
    ws.append([c.header for c in excel.FAILED_COLUMNS])
    for r in failed:
        ws.append([c.value(r) for c in excel.FAILED_COLUMNS])
    wb.save(path)


def run(windows: int = 300, per_day: int = 550, days: int = 22) -> list[dict]:
    folder = Path(tempfile.mkdtemp(prefix="wp-bench-exports-"))
    open_database(str(folder / "exports.db"))
    month_days = working_days(dt.date(2026, 10, 1), days)
    counts, gen_s, _ = _timed(lambda: generate(windows, 2, month_days, per_day))
    period = periods.month("2026-10")
    half = periods.Period(period.start, month_days[len(month_days) // 2], "half")
    out = []
    _, base_s, base_peak = _timed(lambda: _plain_loop(folder / "plain.xlsx", period))
    _, ours_s, ours_peak = _timed(lambda: jobs.details_excel(folder / "details.xlsx", period.start, period.last_day,
                                                             centre_id=scope.SOLE))
    _, half_s, half_peak = _timed(lambda: jobs.details_excel(folder / "half.xlsx", half.start, half.last_day,
                                                             centre_id=scope.SOLE))
    detail = f"{counts['inspections']} inspections, {counts['item_results']} item results"
    out.append({"step": "generate month", "detail": detail, "seconds": round(gen_s, 2)})
    out.append({"step": "details workbook", "detail": "write-only, streamed", "seconds": round(ours_s, 2),
                "baseline": "plain openpyxl write-only loop", "baseline_seconds": round(base_s, 2),
                "ratio": round(ours_s / base_s, 2), "target_ratio": 1.5, "peak_mb": round(ours_peak / 2**20, 1),
                "baseline_peak_mb": round(base_peak / 2**20, 1)})
    out.append({"step": "details, half month", "detail": "memory must not grow with rows", "seconds": round(half_s, 2),
                "peak_mb": round(half_peak / 2**20, 1)})
    _, s, peak = _timed(lambda: jobs.monthly_excel(folder / "monthly.xlsx", "2026-10", centre_id=scope.SOLE))
    out.append({"step": "monthly workbook", "detail": f"{windows} windows", "seconds": round(s, 2), "peak_mb": round(peak / 2**20, 1)})
    _, s, _ = _timed(lambda: jobs.ranking_pdf(folder / "ranking.pdf", "2026-10", "window", centre_id=scope.SOLE))
    out.append({"step": "ranking PDF", "detail": f"{windows} windows", "seconds": round(s, 2)})
    _, s, _ = _timed(lambda: jobs.labels_pdf(folder / "labels.pdf", centre_id=scope.SOLE))
    out.append({"step": "label sheet PDF", "detail": f"{windows} labels", "seconds": round(s, 2)})
    close_database()
    return out
