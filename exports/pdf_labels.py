"""An A4 sheet of window labels for 24-up sticker sheets (3 × 8 labels of 70 × 37 mm, no margins).

Everything printed stays PADDING inside its label, so also at least that far from the sheet's edges:
most office printers cannot print the outer 4–5 mm, and a QR cut there does not scan."""

from __future__ import annotations

from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfgen import canvas as pdfcanvas

from app.results.reports import Label
from exports.files import atomic_output
from exports.pdf_base import FONT, draw_qr, register_font

COLUMNS, ROWS = 3, 8
LABEL_W, LABEL_H = A4[0] / COLUMNS, A4[1] / ROWS  # 70 × 37.1 mm
PADDING = 6 * mm  # inside each label: ≥ 5 mm from the sheet's edge however the printer rounds


def _fit(c, text: str, size: float, width: float) -> float:
    while size > 6 and c.stringWidth(text, FONT, size) > width:
        size -= 0.5
    return size


def labels_pdf(path: str | Path, labels: list[Label], centre: str) -> None:
    """Each label: the window's QR (its scanner payload) beside its code, name and department."""
    register_font()
    per_page = COLUMNS * ROWS
    with atomic_output(path, (".pdf",)) as tmp:
        c = pdfcanvas.Canvas(str(tmp), pagesize=A4, initialFontName=FONT)
        c.setTitle(f"{centre} 窗口标签")
        for start in range(0, len(labels), per_page):
            for n, label in enumerate(labels[start:start + per_page]):
                col, row = n % COLUMNS, n // COLUMNS
                x = col * LABEL_W
                y = A4[1] - (row + 1) * LABEL_H
                # No cutting guides: sticker sheets come pre-cut, and lines near a code confuse scanners.
                # The QR's own white quiet zone lies inside the padding's square, not outside it.
                qr = LABEL_H - 2 * PADDING
                draw_qr(c, label.payload, x + PADDING, y + PADDING, qr)
                text_x = x + PADDING + qr + 2 * mm
                text_w = x + LABEL_W - PADDING - text_x
                top = y + LABEL_H - PADDING
                c.setFillColor(colors.black)
                c.setFont(FONT, _fit(c, label.code, 18, text_w))
                c.drawString(text_x, top - 6.5 * mm, label.code)
                c.setFont(FONT, _fit(c, label.name, 10, text_w))
                c.drawString(text_x, top - 12.5 * mm, label.name)
                c.setFont(FONT, _fit(c, label.department, 8.5, text_w))
                c.setFillColor(colors.HexColor("#444444"))
                c.drawString(text_x, top - 17.5 * mm, label.department)
                c.setFont(FONT, _fit(c, centre, 7, text_w))
                c.drawString(text_x, y + PADDING + 1 * mm, centre)
            c.showPage()
        c.save()
