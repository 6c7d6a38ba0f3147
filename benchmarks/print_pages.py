"""Print workbooks as LibreOffice would and count the A4 pages of each sheet.

    python -m benchmarks.print_pages FILE.xlsx [FILE.xlsx ...]

Each workbook is converted to PDF by LibreOffice headless (the print path of an office without
Excel); a page belongs to the sheet whose title stands in its page header (every sheet we write
puts its title there). Needs `soffice` and `pdftotext` (poppler-utils).
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

from openpyxl import load_workbook


def sheet_titles(path: Path) -> dict[str, str]:
    """Sheet name → the title printed in its page header."""
    wb = load_workbook(path, read_only=False)
    return {ws.title: ws.oddHeader.center.text or ws.title for ws in wb.worksheets}


def page_headers(pdf: Path) -> list[str]:
    """The first text line of every page of a PDF."""
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    return [next((line.strip() for line in page.splitlines() if line.strip()), "")
            for page in text.split("\f")[:-1]]


def pages_per_sheet(path: Path) -> tuple[Counter, int]:
    """Pages of each sheet of one workbook, and the total."""
    titles = sheet_titles(path)
    with tempfile.TemporaryDirectory() as out:
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", out, str(path)],
                       capture_output=True, check=True, timeout=600)
        headers = page_headers(Path(out) / (path.stem + ".pdf"))
    counts: Counter = Counter()
    # Longest title first: "… 窗口排名" must not claim the pages of "… 全区窗口排名".
    ordered = sorted(titles.items(), key=lambda kv: -len(kv[1]))
    for header in headers:
        sheet = next((name for name, title in ordered if title and title in header), "?")
        counts[sheet] += 1
    return counts, len(headers)


def main(argv: list[str]) -> int:
    for name in argv:
        path = Path(name)
        counts, total = pages_per_sheet(path)
        print(f"{path.name}: {total} 页")
        for sheet in sheet_titles(path):
            print(f"  {sheet}: {counts.get(sheet, 0)}")
        if counts.get("?"):
            print(f"  (未识别页眉: {counts['?']})")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
