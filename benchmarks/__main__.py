"""python -m benchmarks [--suite year|ui|exports|import|update|fuzz|all] [--quick] [--json FILE]: run benchmarks, print tables.
The fuzz suite runs the seeded fuzz, then each named hostile case in a process of its own (hostile_cases)."""

from __future__ import annotations

import argparse
import json
import platform
import sys

from benchmarks import district, export_speed, fuzz, hostile_cases, import_speed, laptop_update, ui_speed, year


def _print(title: str, rows: list[dict]) -> None:
    print(f"\n{title}")
    keys = list(dict.fromkeys(k for r in rows for k in r))
    widths = {k: max(len(k), *(len(str(r.get(k, ""))) for r in rows)) for k in keys}
    print("  ".join(k.ljust(widths[k]) for k in keys))
    print("  ".join("-" * widths[k] for k in keys))
    for r in rows:
        print("  ".join(str(r.get(k, "")).ljust(widths[k]) for k in keys))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--suite", choices=("year", "ui", "exports", "import", "update", "fuzz", "district", "all"), default="year",
                        help="year: the year of a large centre (default); district: 25 centres; the others: per-issue suites")
    parser.add_argument("--scale", choices=("small", "full", "tiny", "district", "district-small", "district-tiny"),
                        default="small", help="year suite: full = 300 windows, 150,000 inspections; small = a tenth; "
                        "district (the district suite): 25 centres, 940 windows, ≈470,000 inspections")
    parser.add_argument("--db", metavar="URL", help="year suite: an empty PostgreSQL database instead of a temporary SQLite")
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke test, not a measurement)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    results = {}
    if args.scale.startswith("district") and args.suite == "year":
        args.suite = "district"  # python -m benchmarks --scale district
    if args.suite in ("district", "all"):
        results["district"] = district.run("district-tiny" if args.quick else (
            args.scale if args.scale.startswith("district") else "district-small"), args.db)
    if args.suite in ("year", "all"):
        results["year"] = year.run("tiny" if args.quick else args.scale if not args.scale.startswith("district") else "small",
                                   None if args.suite == "all" else args.db)
    if args.suite in ("ui", "all"):
        rows = ui_speed.run(repeats=3, ticks=10) if args.quick else ui_speed.run()
        for row in rows:
            row["ratio"] = round(row["ms"] / row["baseline_ms"], 2) if row["baseline_ms"] else None
        results["ui"] = rows
    if args.suite in ("exports", "all"):
        results["exports"] = export_speed.run(windows=30, per_day=20, days=3) if args.quick else export_speed.run()
    if args.suite in ("import", "all"):
        results["import"] = import_speed.run(inspections=200, windows=20) if args.quick else import_speed.run()
    if args.suite in ("update", "all"):
        results["update"] = laptop_update.run(windows=30, days=3, max_photos=5) if args.quick else laptop_update.run()
    if args.suite in ("fuzz", "all"):
        results["fuzz"] = fuzz.run(20 if args.quick else 1000)
        results["hostile"] = hostile_cases.run(quick=args.quick)
    print(f"Window Patrol benchmarks — {platform.node()}, {platform.platform()}, Python {platform.python_version()}")
    for name, rows in results.items():
        _print(name, rows)
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"machine": platform.platform(), **results}, fh, ensure_ascii=False, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
