"""Killing the app (SIGKILL) in the middle of an inspection loses no acknowledged tick."""

import json
import os
import random
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.skipif(sys.platform.startswith("win"), reason="SIGKILL is POSIX")


def driver(db_path, mode, window="A07"):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.Popen([sys.executable, "-m", "tests.app_driver", str(db_path), mode, window], cwd=ROOT,
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def report(db_path) -> dict:
    proc = driver(db_path, "report")
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return json.loads(out.strip().splitlines()[-1])


def test_a_killed_app_resumes_the_draft_with_every_acknowledged_tick(demo_file):
    rng = random.Random(11)
    acknowledged: dict[str, str] = {}
    for round_no in range(3):
        proc = driver(demo_file, "tick")
        assert proc.stdout.readline().strip() == "READY", proc.stderr.read()
        for _ in range(rng.randint(5, 15)):
            proc.stdin.write(rng.choice("1123") + "\n")
            proc.stdin.flush()
            _, code, result = proc.stdout.readline().split()
            acknowledged[code] = result
        for _ in range(3):  # keys in flight when the process dies may or may not land
            proc.stdin.write("2\n")
        proc.stdin.flush()
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        assert proc.returncode == -signal.SIGKILL
        shown = report(demo_file)
        assert shown["title"].startswith("A07")
        for code, result in acknowledged.items():
            assert shown["results"].get(code) == result, f"round {round_no}: lost tick {code}"
        acknowledged = dict(shown["results"])  # in-flight ticks that did land are acknowledged now
    assert len(acknowledged) >= 15
