"""The one-folder PyInstaller bundle builds and starts (offscreen selftest), as CI checks on Linux."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def test_the_bundle_builds_and_its_selftest_passes(tmp_path):
    pytest.importorskip("PyInstaller")
    dist, work = tmp_path / "dist", tmp_path / "build"
    build = subprocess.run(
        [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "ERROR", "--distpath", str(dist),
         "--workpath", str(work), str(ROOT / "window_patrol.spec")],
        cwd=ROOT, capture_output=True, text=True, timeout=900,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    exe = dist / "window-patrol" / ("window-patrol.exe" if sys.platform.startswith("win") else "window-patrol")
    assert exe.exists()
    assert list((dist / "window-patrol").rglob("wqy-microhei.ttc")), "the CJK font travels with the bundle"
    assert len(list((dist / "window-patrol").rglob("0*_*.toml"))) >= 8, "the checklists travel with the bundle"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path))
    run = subprocess.run([str(exe), "selftest", "--keep", str(tmp_path / "selftest")], capture_output=True, text=True,
                         timeout=300, env=env, cwd=tmp_path)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "selftest OK" in run.stdout and "font file found" in run.stdout
    assert len(list((tmp_path / "selftest").glob("screen-*.png"))) >= 8
