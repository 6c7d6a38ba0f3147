"""python -m benchmarks [--quick] [--json FILE]: run the benchmarks and print one table."""

from __future__ import annotations

import argparse
import json
import platform
import sys

from benchmarks import ui_speed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks")
    parser.add_argument("--quick", action="store_true", help="few repetitions (a smoke test, not a measurement)")
    parser.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = parser.parse_args(argv)
    rows = ui_speed.run(repeats=3, ticks=10) if args.quick else ui_speed.run()
    for row in rows:
        row["ratio"] = round(row["ms"] / row["baseline_ms"], 2) if row["baseline_ms"] else None
    header = f"{'step':<18}{'detail':<28}{'median ms':>10}{'baseline ms':>13}{'ratio':>8}{'target ms':>11}  baseline"
    print(f"Window Patrol benchmarks — {platform.node()}, Python {platform.python_version()}, {platform.machine()}")
    print(header)
    print("-" * len(header))
    for r in rows:
        print(f"{r['step']:<18}{r['detail']:<28}{r['ms']:>10}{r['baseline_ms']:>13}{r['ratio']:>8}{r['target_ms']:>11}  {r['baseline']}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump({"machine": platform.platform(), "rows": rows}, fh, ensure_ascii=False, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
