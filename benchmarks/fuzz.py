"""Damaged and hostile files thrown at the importers through the command line, as a person would run
it: every one must end in exit 0 (a file that is still valid) or in one line and exit 2, with the
office database unchanged and the import's peak memory (traced) under 100 MB. Prints the counts by
outcome and by kind of damage."""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import random
import shutil
import tempfile
import tracemalloc
from collections import Counter
from pathlib import Path

from benchmarks.hostile import make_genuine, package_variant, roster_variant

LIMIT_MB = 100


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(argv: list[str]) -> tuple[int | str, str, float]:
    import cli

    err = io.StringIO()
    tracemalloc.start()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = cli.main(argv)
    except BaseException as exc:  # noqa: BLE001 — anything escaping main is the failure being counted
        code = f"crash: {type(exc).__name__}: {exc}"[:200]
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return code, err.getvalue(), peak


def fuzz(count: int, seed: int = 1, folder: Path | None = None) -> dict:
    """Run `count` packages and `count` rosters; the outcomes and the worst cases."""
    folder = folder or Path(tempfile.mkdtemp(prefix="wp-fuzz-"))
    os.environ.setdefault("WINDOW_PATROL_PASSWORD", "admin123")
    g = make_genuine(folder)
    pristine = folder / "office-pristine.db"
    shutil.copy(g.office, pristine)
    rng = random.Random(seed)
    outcomes: Counter = Counter()
    problems: list[str] = []
    peak = 0.0
    for n in range(count):
        kind, data = package_variant(g, rng)
        path = folder / f"p{n}.wpr"
        path.write_bytes(data)
        before = _digest(g.office)
        code, err, used = _run(["import", "results", str(path), "--db", str(g.office), "--user", "admin"])
        peak = max(peak, used)
        if code == 0:
            outcomes[f"package accepted (still valid): {kind}"] += 1
            shutil.copy(pristine, g.office)
        elif code == 2 and len(err.strip().splitlines()) >= 1 and _digest(g.office) == before:
            outcomes[f"package refused: {kind}"] += 1
        else:
            outcomes[f"package FAILED: {kind}"] += 1
            problems.append(f"p{n} {kind}: {code} {err[:200]}")
        path.unlink()
    for n in range(count):
        kind, suffix, data = roster_variant(g, rng)
        path = folder / f"r{n}{suffix}"
        path.write_bytes(data)
        before = _digest(g.office)
        code, err, used = _run(["import", "roster", str(path), "--db", str(g.office)])
        peak = max(peak, used)
        if code in (0, 2) and "Traceback" not in err and _digest(g.office) == before:
            outcomes[f"roster {'read (valid)' if code == 0 else 'refused'}: {kind}"] += 1
        else:
            outcomes[f"roster FAILED: {kind}"] += 1
            problems.append(f"r{n} {kind}: {code} {err[:200]}")
        path.unlink()
    return {"outcomes": dict(sorted(outcomes.items())), "problems": problems, "peak_mb": round(peak, 1)}


def run(count: int = 1000) -> list[dict]:
    result = fuzz(count)
    rows = [{"step": "fuzz " + outcome, "count": n} for outcome, n in result["outcomes"].items()]
    rows.append({"step": "fuzz peak traced memory of one import", "peak_mb": result["peak_mb"], "limit_mb": LIMIT_MB,
                 "failures": len(result["problems"])})
    for p in result["problems"][:20]:
        rows.append({"step": "fuzz failure", "detail": p})
    return rows
