"""Runs the real app in its own process for crash tests (python -m tests.app_driver DB MODE WINDOW).

tick:   opens WINDOW's inspection as the demo inspector, then for each line on stdin ('1', '2', '3')
        presses that key on the checklist and prints `ACK <item code> <result>` once the tick's
        handler has returned (it has been written to the database by then).
report: opens WINDOW's inspection the way an inspector would after a restart and prints the
        draft as shown: JSON {item code: result}.
loop:   patrols without stopping, from WINDOW on: ticks every item (mostly pass, some fail or not
        applicable), finalises, goes on to the next window; prints `ACK tick <uuid> <code> <result>`
        after each tick and `ACK final <uuid>` after each finalisation, once the app has handled it.
"""

from __future__ import annotations

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PyQt6.QtCore import Qt  # noqa: E402
from PyQt6.QtTest import QTest  # noqa: E402

from app.centres.scope import signed_in
from app.people import accounts  # noqa: E402
from app.storage.db import open_database  # noqa: E402
from forms.app import make_app  # noqa: E402
from forms.main_window import MainWindow  # noqa: E402

KEYS = {"1": Qt.Key.Key_1, "2": Qt.Key.Key_2, "3": Qt.Key.Key_3}


def main(db_path: str, mode: str, window_code: str) -> int:
    app = make_app()
    open_database(db_path)
    window = MainWindow(signed_in(accounts.authenticate("xuncha1", "patrol123")))
    window.show()
    window.activateWindow()
    if mode == "loop":
        return loop(app, window)
    QTest.keyClicks(window.patrol.view, window_code)
    QTest.keyClick(window.patrol.search, Qt.Key.Key_Return)
    page = window.inspection
    if mode == "report":
        shown = {i.code: page.model.results[i.id] for i in page.model.items if i.id in page.model.results}
        print(json.dumps({"title": page.title.text(), "results": shown}, ensure_ascii=False), flush=True)
        return 0
    print("READY", flush=True)
    for line in sys.stdin:
        key = line.strip()
        if key not in KEYS:
            continue
        row = page.view.currentIndex().row()
        QTest.keyClick(page.view, KEYS[key])
        item = page.model.items[row]
        print(f"ACK {item.code} {page.model.results.get(item.id)}", flush=True)
        app.processEvents()
    return 0



def loop(app, window) -> int:
    import random

    from PyQt6.QtWidgets import QMessageBox

    from app.storage.models import Window

    # Confirm finalising; decline "next window?" so the loop chooses the next window itself.
    answers = iter(())

    def question(*args, **kwargs):
        return next(answers, QMessageBox.StandardButton.Yes)

    QMessageBox.question = question
    QMessageBox.information = lambda *a, **k: QMessageBox.StandardButton.Ok
    rng = random.Random()
    codes = [w.code for w in Window.select().order_by(Window.code)]
    page = window.inspection
    print("READY", flush=True)
    while True:
        for code in codes:
            if window.patrol_stack.currentWidget() is not window.patrol:
                window.show_patrol()
            QTest.keyClicks(window.patrol.view, code)
            QTest.keyClick(window.patrol.search, Qt.Key.Key_Return)
            uuid = page.inspection.uuid
            while True:
                row = page.view.currentIndex().row()
                item = page.model.items[row]
                if item.kind == "check" and item.id not in page.model.results:
                    key = rng.choices(["1", "2", "3"], [0.9, 0.07, 0.03])[0]
                    QTest.keyClick(page.view, KEYS[key])
                    print(f"ACK tick {uuid} {item.code} {page.model.results[item.id]}", flush=True)
                elif row < page.model.rowCount() - 1:
                    page.view.move(1)
                else:
                    break
            answers = iter([QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No])
            QTest.keyClick(page.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
            if page.inspection.status == "final":
                print(f"ACK final {uuid}", flush=True)
            app.processEvents()


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
