"""Common ground of every PDF: the embedded CJK font, styles, A4 pages numbered 第x页 共y页, a QR per page."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

import qrcode
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen import canvas as pdfcanvas
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.periods import cn_date
from exports.files import atomic_output

FONT = "CJK"
_ROOT = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
FONT_FILE = _ROOT / "resources" / "fonts" / "wqy-microhei.ttc"


def register_font() -> None:
    """Embed WenQuanYi Micro Hei (TrueType outlines, so reportlab can subset and embed it)."""
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONT_FILE), subfontIndex=0))


def style(size: float = 10, leading: float | None = None, align=None, color=colors.black) -> ParagraphStyle:
    register_font()
    s = ParagraphStyle(f"cjk{size}", fontName=FONT, fontSize=size, leading=leading or size * 1.4,
                       textColor=color, wordWrap="CJK")
    if align is not None:
        s.alignment = align
    return s



def esc(text) -> str:
    """Text made safe for a Paragraph: reportlab reads its markup (<img src=...> would embed a file),
    so every text from the database goes through here."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def title(text: str) -> Paragraph:
    return Paragraph(esc(text), style(17, align=TA_CENTER))


def para(text: str, size: float = 9.5, **kw) -> Paragraph:
    return Paragraph(esc(text), style(size, **kw))


def table(rows: Sequence[Sequence], widths: Sequence[float], header_rows: int = 1, size: float = 9,
          highlight: Sequence[int] = (), align_right: Sequence[int] = ()) -> Table:
    """A bordered table in the CJK font; header repeated on each page; `highlight` rows in light red."""
    cells = [[c if isinstance(c, Flowable) else para("" if c is None else c, size) for c in row] for row in rows]
    t = Table(cells, colWidths=widths, repeatRows=header_rows)
    commands = [
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#777777")),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 2),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 2),
        ("LEFTPADDING", (0, 0), (-1, -1), 3),  # 4 pt less per column: a 12-character company name fits
        ("RIGHTPADDING", (0, 0), (-1, -1), 3),
    ]
    if header_rows:
        commands.append(("BACKGROUND", (0, 0), (-1, header_rows - 1), colors.HexColor("#dde6f0")))
    for n in highlight:
        commands.append(("BACKGROUND", (0, n), (-1, n), colors.HexColor("#fde2e1")))
    t.setStyle(TableStyle(commands))
    return t


TABLE_PADDING = 6  # points of a table() cell's left and right padding together


def unwrapped_width(texts: Sequence, size: float = 9, minimum: float = 0, padding: float = TABLE_PADDING) -> float:
    """A column's width in points that prints its widest text on one line (a code, a label, a date):
    such text broken over two lines reads as two values."""
    register_font()
    widest = max((pdfmetrics.stringWidth(str(t), FONT, size) for t in texts if t is not None), default=0)
    return max(minimum, widest + padding + 1)


def fields_table(pairs: Sequence[tuple[str, str]], width: float, columns: int = 2) -> Table:
    """Label / value pairs laid out `columns` pairs to a row."""
    rows = []
    for start in range(0, len(pairs), columns):
        row = []
        for label, value in pairs[start:start + columns]:
            row += [para(label, 9.5, color=colors.HexColor("#444444")), para(value, 10)]
        row += [""] * (2 * columns - len(row))
        rows.append(row)
    # Labels on one line (行为发生时间 wrapped at 24 mm); reportlab's default cell padding is 6 pt a side.
    label_w = unwrapped_width([label for label, _v in pairs], 9.5, minimum=24 * mm, padding=12)
    value_w = width / columns - label_w
    t = Table(rows, colWidths=[label_w, value_w] * columns)
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("GRID", (0, 0), (-1, -1), 0.5, colors.HexColor("#999999")),
                           ("BACKGROUND", (0, 0), (0, -1), colors.HexColor("#f2f2f2"))]
                          + [("BACKGROUND", (2 * c, 0), (2 * c, -1), colors.HexColor("#f2f2f2")) for c in range(columns)]))
    return t


def signature_lines(labels: Sequence[str], width: float, day: dt.date | None = None) -> KeepTogether:
    """Signature and date lines to be filled by hand, never split across pages."""
    date_text = cn_date(day) if day else "　　　　年　　月　　日"
    cells = [[para(f"{label}:", 10.5), para("", 10.5)] for label in labels]
    cells.append([para("日期:", 10.5), para(date_text, 10.5)])
    t = Table(cells, colWidths=[40 * mm, width / 2 - 30 * mm], rowHeights=11 * mm, hAlign="RIGHT")
    t.setStyle(TableStyle([("FONTNAME", (0, 0), (-1, -1), FONT), ("LINEBELOW", (1, 0), (1, -1), 0.6, colors.black),
                           ("VALIGN", (0, 0), (-1, -1), "BOTTOM")]))
    return KeepTogether([t])


def draw_qr(c: pdfcanvas.Canvas, payload: str, x: float, y: float, size: float) -> None:
    """A QR code drawn as filled squares (vector, sharp in print, fast)."""
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)  # the standard quiet zone
    code.add_data(payload)
    code.make(fit=True)
    matrix = code.get_matrix()
    cell = size / len(matrix)
    c.saveState()
    c.setFillColor(colors.white)
    c.rect(x, y, size, size, stroke=0, fill=1)
    c.setFillColor(colors.black)
    for r, row in enumerate(matrix):
        for col, dark in enumerate(row):
            if dark:
                c.rect(x + col * cell, y + size - (r + 1) * cell, cell, cell, stroke=0, fill=1)
    c.restoreState()


class NumberedCanvas(pdfcanvas.Canvas):
    """Defers page furniture until the page count is known, for 第x页 共y页."""

    furniture = None  # callable(canvas, page, total)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages = []

    def showPage(self):  # noqa: N802 — reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for n, state in enumerate(self._pages, start=1):
            self.__dict__.update(state)
            if self.furniture:
                self.furniture(self, n, total)
            super().showPage()
        super().save()


MARGIN = 15 * mm
QR_SIZE = 18 * mm


def build(path, story: list, *, doc_title: str, header: str, qr_payload: str, landscape: bool = False,
          draft: str = "") -> None:
    """Write an A4 PDF: header line, footer with page x of y and the record's QR on every page; a
    `draft` mark (未定稿) across every page when what it shows is not final."""
    register_font()
    pagesize = (A4[1], A4[0]) if landscape else A4
    width, height = pagesize

    def furniture(c: pdfcanvas.Canvas, page: int, total: int) -> None:
        c.saveState()
        c.setFont(FONT, 8.5)
        c.setFillColor(colors.HexColor("#555555"))
        c.drawString(MARGIN, height - 10 * mm, header)
        c.drawRightString(width - MARGIN, height - 10 * mm, f"打印时间 {dt.datetime.now():%Y-%m-%d %H:%M}")
        c.drawCentredString(width / 2, 9 * mm, f"第{page}页 共{total}页")
        c.setFont(FONT, 6.5)
        c.drawString(MARGIN, 9 * mm, f"核验码 {':'.join(qr_payload.split(':')[1:4])}")
        c.drawString(MARGIN, 5.5 * mm, "扫描右下角二维码或在管理端核验, 可确认本页由谁打印、与记录是否一致")
        if draft:
            c.setFillColor(colors.HexColor("#c62828"))
            c.setFont(FONT, 11)
            c.drawCentredString(width / 2, height - 15 * mm, draft)  # under the header line, never over it
            c.setFillColor(colors.Color(0.85, 0.1, 0.1, alpha=0.12))
            c.setFont(FONT, 96)
            c.translate(width / 2, height / 2)
            c.rotate(35)
            c.drawCentredString(0, -30, "未定稿")
        c.restoreState()
        draw_qr(c, qr_payload, width - MARGIN - QR_SIZE, 3 * mm, QR_SIZE)

    canvas_class = type("PageCanvas", (NumberedCanvas,), {"furniture": staticmethod(furniture)})
    with atomic_output(path, (".pdf",)) as tmp:
        doc = SimpleDocTemplate(str(tmp), pagesize=pagesize, leftMargin=MARGIN, rightMargin=MARGIN,
                                topMargin=18 * mm, bottomMargin=QR_SIZE + 5 * mm, title=doc_title, author="窗口巡查",
                                creator="Window Patrol", initialFontName=FONT)  # no stray unembedded Helvetica
        doc.build(story, canvasmaker=canvas_class)


def content_width(landscape: bool = False) -> float:
    return (A4[1] if landscape else A4[0]) - 2 * MARGIN


def gap(height_mm: float = 4) -> Spacer:
    return Spacer(1, height_mm * mm)
