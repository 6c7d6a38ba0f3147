"""Crash-proof saving: the real app patrols in a loop and is killed with SIGKILL at random moments,
200 times (WP_CRASH_CYCLES). After every kill, every tick and every finalisation the app had
acknowledged is in the database, and SQLite's integrity check passes."""

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.demo.centre import make_demo
from app.storage import db as dbmod

ROOT = Path(__file__).resolve().parents[1]
CYCLES = int(os.environ.get("WP_CRASH_CYCLES", "200"))
pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="SIGKILL is POSIX")


def test_acknowledged_work_survives_repeated_sigkill(tmp_path):
    path = tmp_path / "crash.db"
    dbmod.open_database(str(path))
    make_demo(seed=4, with_inspections=False)
    dbmod.close_database()
    rng = random.Random(2026)
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    ticks: dict[tuple[str, str], str] = {}
    finals: set[str] = set()
    for cycle in range(CYCLES):
        proc = subprocess.Popen([sys.executable, "-m", "tests.app_driver", str(path), "loop", "A01"], cwd=ROOT, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        assert proc.stdout.readline().strip() == "READY", f"cycle {cycle}: the app did not start"
        time.sleep(rng.uniform(0.0, 0.6))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        for line in proc.stdout.read().splitlines():  # everything it acknowledged before dying
            parts = line.split()
            if parts[:2] == ["ACK", "tick"]:
                ticks[(parts[2], parts[3])] = parts[4]
            elif parts[:2] == ["ACK", "final"]:
                finals.add(parts[2])
        conn = sqlite3.connect(path)
        try:
            stored = {(u, c): r for u, c, r in conn.execute(
                "SELECT i.uuid, it.code, r.result FROM item_result r JOIN inspection i ON i.id = r.inspection_id "
                "JOIN item it ON it.id = r.item_id")}
            final = {u for (u,) in conn.execute("SELECT uuid FROM inspection WHERE status = 'final'")}
            lost = {k: v for k, v in ticks.items() if stored.get(k) != v}
            assert not lost, f"cycle {cycle}: acknowledged ticks lost: {list(lost.items())[:5]}"
            assert finals <= final, f"cycle {cycle}: acknowledged finalisations lost: {finals - final}"
            if cycle % 25 == 0 or cycle == CYCLES - 1:
                assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        finally:
            conn.close()
    assert len(ticks) > CYCLES and finals, "the loop did real work between kills"
