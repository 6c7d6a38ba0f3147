"""Printing rows for the command line: aligned tables (CJK counts double), CSV (formula-safe) and JSON."""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Sequence

from app.cells import csv_field

FORMATS = ("table", "csv", "json")


def display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [[str(h) for h in headers]] + [["" if v is None else str(v) for v in row] for row in rows]
    widths = [max(display_width(r[i]) for r in cells) for i in range(len(headers))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(v + " " * (widths[i] - display_width(v)) for i, v in enumerate(row)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def csv_text(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([csv_field(h) for h in headers])
    writer.writerows([csv_field(v) for v in row] for row in rows)
    return buffer.getvalue().rstrip("\n")


def json_text(objects: list[dict]) -> str:
    return json.dumps(objects, ensure_ascii=False, indent=2, default=str)
