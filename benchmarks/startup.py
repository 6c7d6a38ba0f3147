"""Start-up of the real desktop app against a bare PyQt6 window, each in a fresh process.

`python -m benchmarks.startup app DB USER PASSWORD` starts the app the way main.py does, signs in by
itself as soon as the sign-in window accepts input, and prints JSON: wall-clock stamps of the sign-in
window and of the main window shown and filled, and what was loaded when the sign-in window showed.
`python -m benchmarks.startup bare` shows a bare window and prints its stamp. The parent subtracts
the time it started the process, so the interpreter's own start counts for both.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _peak_rss_mb() -> float:
    """This process's peak resident memory so far (the whole process: Qt, Python, the database cache).
    On Linux from VmHWM: ru_maxrss carries the parent's high-water mark across fork and exec."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return round(peak / (2**20 if sys.platform == "darwin" else 2**10), 1)


def bare() -> dict:
    from PyQt6.QtWidgets import QApplication, QMainWindow

    app = QApplication(sys.argv)
    window = QMainWindow()
    window.resize(1366, 768)
    window.show()
    app.processEvents()
    return {"main": time.time(), "peak_rss_mb": _peak_rss_mb()}


def app_start(db: str, username: str, password: str) -> dict:
    from app.storage.drivers import skip_postgres_drivers

    skip_postgres_drivers(db)  # as main.py does
    from PyQt6.QtCore import QTimer
    from PyQt6.QtWidgets import QApplication

    from forms import app as start
    from forms.dialogs import LoginDialog

    stamps: dict = {}

    def watch_main_window():
        from forms.main_window import MainWindow

        main_show = MainWindow.showEvent

        def main_shown(window, event):
            main_show(window, event)

            def filled():  # queued after the dashboard's own fill and the first paint
                stamps.update(main=time.time(), title=window.windowTitle(), tabs=window.tabs.count(),
                              postgres_driver_loaded=bool(sys.modules.get("psycopg")), peak_rss_mb=_peak_rss_mb())
                QApplication.instance().quit()

            QTimer.singleShot(0, filled)

        MainWindow.showEvent = main_shown
    login_show = LoginDialog.showEvent

    def login_shown(dialog, event):
        login_show(dialog, event)
        if "login" in stamps:
            return
        stamps.update(login=time.time(), data_layer_loaded_at_login="peewee" in sys.modules)

        def sign_in():
            if dialog.centre_name is None:  # the database is still opening
                QTimer.singleShot(1, sign_in)
                return
            stamps["sign_in"] = time.time()
            watch_main_window()  # run() has imported it by now, behind the sign-in window
            dialog.username.setText(username)
            dialog.password.setText(password)
            dialog.try_login()

        QTimer.singleShot(0, sign_in)

    LoginDialog.showEvent = login_shown
    stamps["exit"] = start.run(db)
    return stamps


def measure(db: str, username: str, password: str, runs: int = 5) -> dict:
    """Median over `runs` fresh processes of each: seconds to the first window and to the main window."""
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    samples: dict[str, list[float]] = {"bare": [], "login": [], "main": [], "sign_in_to_main": [],
                                       "bare_peak_rss_mb": [], "peak_rss_mb": []}
    last = {}
    for _ in range(runs):
        for kind, args in (("bare", ["bare"]), ("app", ["app", db, username, password])):
            started = time.time()
            done = subprocess.run([sys.executable, "-m", "benchmarks.startup", *args], cwd=ROOT, env=env,
                                  capture_output=True, text=True, check=True)
            stamps = json.loads(done.stdout.strip().splitlines()[-1])
            if kind == "bare":
                samples["bare"].append(stamps["main"] - started)
                samples["bare_peak_rss_mb"].append(stamps["peak_rss_mb"])
            else:
                samples["peak_rss_mb"].append(stamps["peak_rss_mb"])
                samples["login"].append(stamps["login"] - started)
                samples["main"].append(stamps["main"] - started)
                samples["sign_in_to_main"].append(stamps["main"] - stamps["sign_in"])
                last = stamps
    median = {k: round(sorted(v)[len(v) // 2], 3) for k, v in samples.items()}
    return {**median, "data_layer_loaded_at_login": last.get("data_layer_loaded_at_login"),
            "postgres_driver_loaded": last.get("postgres_driver_loaded")}


if __name__ == "__main__":
    result = bare() if sys.argv[1] == "bare" else app_start(*sys.argv[2:5])
    print(json.dumps(result, ensure_ascii=False), flush=True)
