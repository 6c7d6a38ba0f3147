"""`main.py selftest`: start the app offscreen on a temporary demo database and render every screen.

For the bundle's smoke test in CI, and for support on an installed machine ("does it start?").
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from forms import system_check


def run(keep: str | None = None) -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from app import periods
    from app.centres import scope
    from app.demo.centre import DEMO_PASSWORDS, make_demo
    from app.patrolling.checklists import SHIPPED_DIR
    from app.people import accounts
    from app.storage.db import close_database, open_database
    from forms.app import FONT_FILE, make_app
    from forms.main_window import MainWindow

    started = time.perf_counter()
    app = make_app()
    folder = Path(keep or tempfile.mkdtemp(prefix="wp-selftest-"))
    folder.mkdir(parents=True, exist_ok=True)
    open_database(str(folder / "selftest.db"))
    make_demo(seed=1, period=periods.previous_month())
    admin = accounts.authenticate("admin", DEMO_PASSWORDS["admin"])
    window = MainWindow(scope.signed_in(admin))
    window.show()
    shots = []
    for n in range(window.tabs.count()):
        window.tabs.setCurrentIndex(n)
        app.processEvents()
        path = folder / f"screen-{n + 1}.png"
        window.grab().save(str(path))
        shots.append(path)
    window.close()
    close_database()
    family = app.font().family()
    print(f"selftest OK: {len(shots)} screens in {time.perf_counter() - started:.1f} s; font {family}; "
          f"checklists {SHIPPED_DIR}; font file {'found' if os.path.exists(FONT_FILE) else 'MISSING'}; output {folder}")
    # Offscreen here; a real screen needs the xcb plugin's system libraries: said, with the install line.
    missing = system_check.missing_libraries() if sys.platform.startswith("linux") else []
    if missing:
        print(system_check.message(missing))
    return 0 if os.path.exists(FONT_FILE) and all(p.stat().st_size > 0 for p in shots) and not missing else 1
