"""The inspector's speed: opening an inspection and handling one tick, against raw baselines.

- open: from choosing a window to its checklist shown and ready (items loaded, score shown,
  painted); baseline: a bare QTableView over a QStandardItemModel of the same cells, painted.
- tick: one key press handled (written to the database, rescored, repainted); baseline: the same
  row written with the sqlite3 module and committed under the same pragmas (the disk's own cost).
"""

from __future__ import annotations

import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _median_ms(samples: list[float]) -> float:
    return round(statistics.median(samples) * 1000, 2)


def run(repeats: int = 20, ticks: int = 200) -> list[dict]:
    from PyQt6.QtCore import Qt
    from PyQt6.QtGui import QStandardItem, QStandardItemModel
    from PyQt6.QtTest import QTest
    from PyQt6.QtWidgets import QTableView

    from app.centres.scope import signed_in
    from app.demo.centre import make_demo
    from app.people import accounts
    from app.storage.db import SQLITE_PRAGMAS, close_database, open_database
    from app.storage.models import Window
    from forms.app import make_app
    from forms.main_window import MainWindow

    app = make_app()
    folder = Path(tempfile.mkdtemp(prefix="wp-bench-"))
    open_database(str(folder / "bench.db"))
    make_demo(seed=1, with_inspections=False)
    main = MainWindow(signed_in(accounts.authenticate("xuncha1", "patrol123")))
    main.show()
    page = main.inspection
    windows = list(Window.select().order_by(Window.code))

    open_times = []
    for n in range(repeats):
        window = windows[n % len(windows)]
        start = time.perf_counter()
        main.open_window(window.id)
        page.repaint()
        app.processEvents()
        open_times.append(time.perf_counter() - start)
    rows = [[page.model.data(page.model.index(r, c)) for c in range(page.model.columnCount())]
            for r in range(page.model.rowCount())]

    base_open = []
    for _ in range(repeats):
        start = time.perf_counter()
        model = QStandardItemModel(len(rows), len(rows[0]))
        for r, cells in enumerate(rows):
            for c, value in enumerate(cells):
                model.setItem(r, c, QStandardItem(str(value)))
        view = QTableView()
        view.setModel(model)
        view.resize(1366, 700)
        view.show()
        view.repaint()
        app.processEvents()
        base_open.append(time.perf_counter() - start)
        view.close()

    tick_times = []
    keys = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3]
    for n in range(ticks):
        if page.view.currentIndex().row() >= page.model.rowCount() - 1:
            page.view.selectRow(0)
        start = time.perf_counter()
        QTest.keyClick(page.view, keys[n % 3])
        page.view.viewport().repaint()
        page.repaint()
        tick_times.append(time.perf_counter() - start)
    items = len(page.model.items)
    main.close()
    close_database()

    raw = sqlite3.connect(folder / "raw.db", isolation_level=None)
    for key, value in SQLITE_PRAGMAS.items():
        raw.execute(f"PRAGMA {key}={value}")
    raw.execute("CREATE TABLE r (inspection INTEGER, item INTEGER, result TEXT, note TEXT, photos TEXT, PRIMARY KEY (inspection, item))")
    base_tick = []
    for n in range(ticks):
        start = time.perf_counter()
        raw.execute("BEGIN")
        raw.execute("INSERT OR REPLACE INTO r VALUES (1, ?, ?, '', '')", (n % items, "pass"))
        raw.execute("COMMIT")
        base_tick.append(time.perf_counter() - start)
    raw.close()

    return [
        {"step": "open inspection", "detail": f"{items} items", "ms": _median_ms(open_times),
         "baseline": "bare QTableView, same cells", "baseline_ms": _median_ms(base_open), "target_ms": 150},
        {"step": "one tick", "detail": "write + rescore + repaint", "ms": _median_ms(tick_times),
         "baseline": "sqlite3 insert + commit", "baseline_ms": _median_ms(base_tick), "target_ms": 16},
    ]
