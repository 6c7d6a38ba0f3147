"""Faults a person causes by accident: a killed export or backup, a damaged database, ids out of
range, a locked database. Each ends in one line (exit 2) with nothing changed, never a traceback."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

import cli
from app import periods
from app.demo.centre import make_demo
from app.storage import db as dbmod


@pytest.fixture(autouse=True)
def manager_password(monkeypatch):
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")


@pytest.fixture
def office(tmp_path) -> Path:
    path = tmp_path / "office.db"
    dbmod.open_database(str(path))
    make_demo(seed=4, period=periods.month("2026-10"))
    dbmod.close_database()
    return path


def _old(path: Path, content: bytes = b"") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)
    stamp = time.time() - 3600
    os.utime(path, (stamp, stamp))
    return path


def test_leftover_part_files_of_a_killed_export_or_backup_are_removed_at_the_next_run(office, tmp_path, capsys):
    stale = [_old(tmp_path / "office_backups" / "window_patrol-20261001-1.part"),
             _old(tmp_path / "office_backups" / "window_patrol-20261001-1.part-journal"),
             _old(tmp_path / "office_photos" / "ab" / "tmpx.part"),
             _old(tmp_path / "out" / ".m.k2j3.xlsx.part"), _old(tmp_path / "out" / ".p1.x8.part")]
    fresh = tmp_path / "out" / ".other.running.xlsx.part"
    fresh.write_bytes(b"")  # a write still running in another process
    assert cli.main(["settings", "show", "--db", str(office)]) == 0
    assert not any(p.exists() for p in stale[:3]), "opening the database sweeps its backup and photo folders"
    assert cli.main(["export", "excel", "--db", str(office), "--month", "2026-10", "--out", str(tmp_path / "out" / "m.xlsx")]) == 0
    assert not any(p.exists() for p in stale) and fresh.exists()
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [".other.running.xlsx.part", "m.xlsx"]


def test_a_locked_or_damaged_database_is_one_line_on_the_command_line(office, capsys, tmp_path):
    import sqlite3

    other = sqlite3.connect(office, timeout=0)
    other.execute("BEGIN EXCLUSIVE")  # another program writing
    code = cli.main(["settings", "set", "probation_days", "40", "--reason", "试", "--db", str(office), "--user", "admin"])
    err = capsys.readouterr().err
    other.rollback()
    other.close()
    assert code == 2 and len(err.strip().splitlines()) == 1 and ("占用" in err or "locked" in err), err
    assert "正在重试" not in err and ("请稍后再试" in err or "locked" in err), "the command has ended: it retries nothing"
    damaged = tmp_path / "damaged.db"
    damaged.write_bytes(office.read_bytes())
    conn = sqlite3.connect(damaged)
    root = conn.execute("SELECT rootpage FROM sqlite_master WHERE name = 'inspection'").fetchone()[0]
    conn.close()
    with open(damaged, "r+b") as fh:
        fh.seek((root - 1) * 4096)
        fh.write(b"\xde\xad" * 2048)
    code = cli.main(["rankings", "--month", "2026-10", "--db", str(damaged)])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err


def test_an_unexpected_error_is_one_line_and_its_traceback_goes_to_the_log(office, capsys, monkeypatch, tmp_path):
    import app.results.rankings

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))

    def broken(*args, **kwargs):
        raise KeyError("a bug")

    monkeypatch.setattr(app.results.rankings, "rank", broken)
    monkeypatch.setattr("cli.reports.rank", broken, raising=False)
    code = cli.main(["rankings", "--month", "2026-10", "--db", str(office)])
    err = capsys.readouterr().err
    assert code == 2 and "程序内部错误 (KeyError)" in err and len(err.strip().splitlines()) == 1
    logs = list((tmp_path / "xdg").rglob("window-patrol-errors.log"))
    assert logs and "a bug" in logs[0].read_text(encoding="utf-8")


@pytest.fixture
def tiny_disk(tmp_path):
    """A 1 MB filesystem, nearly full (a USB stick, a full laptop disk); skipped where mounting is not allowed."""
    import subprocess

    mount = tmp_path / "tiny"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        (mount / "filler").write_bytes(b"\0" * (1024 * 1024 - 24 * 1024))
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], capture_output=True)


def test_a_full_disk_during_an_export_or_a_backup_is_one_line_and_leaves_nothing_behind(office, tiny_disk, capsys):
    for argv in (["export", "ranking-pdf", "--month", "2026-10", "--out", str(tiny_disk / "r.pdf")],
                 ["export", "excel", "--month", "2026-10", "--out", str(tiny_disk / "m.xlsx")],
                 ["backup", "--out", str(tiny_disk / "backups"), "--user", "admin"]):
        code = cli.main(argv + ["--db", str(office)])
        err = capsys.readouterr().err
        assert code == 2 and len(err.strip().splitlines()) == 1 and "磁盘已满" in err, (argv, err)
        leftovers = [p.name for p in tiny_disk.rglob("*") if p.is_file() and p.name != "filler"]
        assert leftovers == [], leftovers


def test_a_read_only_database_file_is_one_line_for_a_write_and_for_a_failed_sign_in(office, tmp_path, capsys):
    import shutil
    import subprocess

    mount = tmp_path / "ro"
    mount.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here")
    try:
        shutil.copy(office, mount / "office.db")
        subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)
        target = str(mount / "office.db")
        code = cli.main(["settings", "set", "probation_days", "40", "--reason", "试", "--db", target, "--user", "admin"])
        err = capsys.readouterr().err
        assert code == 2 and len(err.strip().splitlines()) == 1 and "只读" in err, err
        os.environ["WINDOW_PATROL_PASSWORD"] = "wrong-password"
        code = cli.main(["audit", "--db", target, "--user", "admin"])
        err = capsys.readouterr().err
        assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err, err
    finally:
        os.environ["WINDOW_PATROL_PASSWORD"] = "admin123"
        subprocess.run(["umount", str(mount)], capture_output=True)
