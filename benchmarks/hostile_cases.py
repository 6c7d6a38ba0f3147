"""Each named hostile case of issue 24, run through the command line in a process of its own, as a person
would run it: image bombs and false images in a package and as a file, dimension bombs in .xls and .ods,
CSV of one endless line or an open quote, a signed package of blank lines, TOML nested deep or with a
5,000-digit number, a record with invalid UTF-8, a huge number or a wrong JSON type. For each: the exit
code, how many lines were said, whether the office database is unchanged, the peak traced memory and
the peak resident memory of the process (VmHWM; both bounded at 200 MB), and whether it said 程序内部错误. Then the time a
refused sign-in takes for a real, an unknown and an inactive user.

`python -m benchmarks --suite fuzz` runs these after the seeded fuzz; tests/test_fuzz.py runs the quick
ones."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.hostile import (
    Genuine,
    _members,
    _resign,
    hostile_images,
    hostile_office_files,
    make_genuine,
    package_with_photo,
)

LIMIT_MB = 200
# Run in the child: traced memory from before the command's first import to its end.
CHILD = """
import contextlib, io, json, sys, tracemalloc
tracemalloc.start()
import cli
err = io.StringIO()
with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
    try:
        code = cli.main(json.loads(sys.argv[1]))
    except BaseException as exc:
        code = f"crash: {type(exc).__name__}: {exc}"[:200]
# VmHWM: this program's own peak resident memory (ru_maxrss would also count the parent it was forked from)
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(json.dumps({"code": code, "err": err.getvalue(), "traced": tracemalloc.get_traced_memory()[1], "rss_kb": hwm}))
"""


def _records_of(g: Genuine) -> bytes:
    return _members(g.package)["inspections.jsonl"]


def _with_records(g: Genuine, change) -> bytes:
    records = [json.loads(line) for line in _records_of(g).decode().splitlines() if line]
    change(records)
    return _resign(g, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode())


def _set(records, key, value):
    records[0][key] = value


def cases(g: Genuine, folder: Path, quick: bool = False) -> list[tuple[str, list[str]]]:
    """(name, argv) for each case; the files are written into `folder`."""
    def file(name: str, data: bytes) -> str:
        path = folder / name
        path.write_bytes(data)
        return str(path)

    office = ["--db", str(g.office)]
    results = lambda path: ["import", "results", path, *office, "--user", "admin"]  # noqa: E731
    roster = lambda path: ["import", "roster", path, *office]  # noqa: E731
    out: list[tuple[str, list[str]]] = []
    for name, data in hostile_images().items():
        out.append((f"photo in a package: {name}", results(file(f"photo-{name}.wpr", package_with_photo(g, data)[0]))))
    out.append(("photo as a file (conduct add --photo): png-13000x13000-rgba",
                ["conduct", "add", "GW0001", "complaint", "--date", "2026-10-09", "--description", "投诉属实",
                 "--photo", file("bomb.png", hostile_images()["png-13000x13000-rgba"]), *office, "--user", "admin"]))
    for name, (suffix, data) in hostile_office_files().items():
        out.append((f"roster: {name}", roster(file(f"{name}{suffix}", data))))
    size = 5 * 2**20 if quick else 45 * 2**20
    out.append((f"roster: CSV of one {size >> 20} MB line", roster(file("one-line.csv", b"a," * (size // 2) + b"\n"))))
    out.append((f"roster: CSV with a quote left open for {size >> 20} MB",
                roster(file("open-quote.csv", b'name,no\n"' + (b"x" * 1000 + b"\n") * (size // 1001)))))
    blank = (5 if quick else 25) * 2**20
    out.append((f"package: {blank >> 20} MB of blank lines, signed",
                results(file("blank.wpr", _resign(g, _records_of(g) + b"\n" * blank)))))
    out.append(("package: a record with invalid UTF-8",
                results(file("utf8.wpr", _resign(g, _records_of(g).replace(b'"note":"', b'"note":"\xc3\x28', 1))))))
    out.append(("package: a score of 5,000 digits", results(file("digits.wpr", _resign(
        g, re.sub(rb'"score":[0-9.]+', b'"score":' + b"9" * 5000, _records_of(g), count=1))))))
    out.append(("package: results given as an object",
                results(file("types.wpr", _with_records(g, lambda rs: _set(rs, "results", {"a": 1}))))))
    out.append(("package: manifest counts given as a list",
                results(file("counts.wpr", _resign(g, _records_of(g), lambda m: m.update(counts=[3]))))))
    deep = "a = " + "[" * 30_000 + "]" * 30_000 + "\n"
    out.append(("scheme TOML nested 30,000 deep", ["schemes", "validate", file("deep.toml", deep.encode()), *office]))
    table = "[scheme]\nx = " + "{ y = " * 5_000 + "1" + " }" * 5_000 + "\n"
    out.append(("checklist TOML of tables nested 5,000 deep",
                ["checklists", "validate", file("deep-table.toml", table.encode()), *office]))
    number = '[scheme]\ncode = "X"\n[month]\ncomponents = [{ kind = "patrol", weight = ' + "9" * 5_000 + " }]\n"
    out.append(("scheme TOML with a 5,000-digit weight",
                ["schemes", "validate", file("digits.toml", number.encode()), *office]))
    return out


def run_case(argv: list[str], env: dict) -> dict:
    """The command in a fresh process: its answer, traced peak and peak RSS (MB)."""
    proc = subprocess.run([sys.executable, "-c", CHILD, json.dumps(argv, ensure_ascii=False)], capture_output=True,
                          env=env, cwd=Path(__file__).parent.parent)
    text = proc.stdout.decode("utf-8", "replace").strip().splitlines()
    answer = json.loads(text[-1]) if text else {"code": f"died {proc.returncode}", "err": "", "traced": 0, "rss_kb": 0}
    answer["rss"] = answer["rss_kb"] / 1024
    return answer


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def hostile_rows(folder: Path | None = None, quick: bool = False, g: Genuine | None = None) -> list[dict]:
    folder = folder or Path(tempfile.mkdtemp(prefix="wp-hostile-"))
    g = g or make_genuine(folder)
    pristine = folder / "office-pristine.db"
    shutil.copy(g.office, pristine)
    env = dict(os.environ, WINDOW_PATROL_PASSWORD="admin123", QT_QPA_PLATFORM="offscreen")
    rows = []
    for name, argv in cases(g, folder, quick):
        before = _digest(g.office)
        answer = run_case(argv, env)
        lines = [line for line in answer["err"].strip().splitlines() if line]
        row = {"step": f"hostile {name}", "exit": answer["code"], "lines": len(lines),
               "unchanged": _digest(g.office) == before, "traced_mb": round(answer["traced"] / 2**20, 1),
               "rss_mb": round(answer["rss"], 1), "internal": "程序内部错误" in answer["err"],
               "said": (lines[0] if lines else "")[:90]}
        row["ok"] = (row["exit"] == 2 and row["lines"] >= 1 and row["unchanged"] and not row["internal"]
                     and row["traced_mb"] < LIMIT_MB and row["rss_mb"] < LIMIT_MB)
        rows.append(row)
        shutil.copy(pristine, g.office)
    return rows


def sign_in_rows(g: Genuine, repeats: int = 15) -> list[dict]:
    """Median time to refuse a sign-in: a real user's wrong password, an unknown name, an inactive user."""
    from app.errors import PermissionDenied
    from app.people import accounts
    from app.storage.db import close_database, open_database
    from app.storage.models import User

    scratch = g.office.with_name("sign-in.db")
    shutil.copy(g.office, scratch)
    open_database(str(scratch))
    try:
        User.update(active=False).where(User.username == "xuncha2").execute()
        tries = {"real user, wrong password": ("xuncha1", "wrong"), "unknown user": ("nobody", "wrong"),
                 "inactive user, right password": ("xuncha2", "xuncha123")}
        accounts._decoy_hash()  # made once per process, at the first unknown name: not a sign-in's cost
        times: dict[str, list[float]] = {k: [] for k in tries}
        for n in range(repeats):
            for label, (name, password) in tries.items():
                User.update(failed_logins=0, locked_until=None).execute()
                start = time.perf_counter()
                try:
                    accounts.authenticate(name, password)
                except PermissionDenied:
                    pass
                times[label].append(time.perf_counter() - start)
    finally:
        close_database()
    medians = {k: statistics.median(v) * 1000 for k, v in times.items()}
    fastest = min(medians.values())
    return [{"step": f"sign-in refused: {k}", "ms": round(ms, 1), "vs_fastest": round(ms / fastest, 2)}
            for k, ms in medians.items()]


def run(quick: bool = False) -> list[dict]:
    folder = Path(tempfile.mkdtemp(prefix="wp-hostile-"))
    g = make_genuine(folder)
    return hostile_rows(folder, quick, g) + sign_in_rows(g)
