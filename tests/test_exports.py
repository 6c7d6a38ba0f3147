"""Reports checked against the database: workbooks read twice (openpyxl and calamine), PDFs as text,
fonts embedded, QR codes decoded with zbar and verified; bad input leaves no file behind."""

import datetime as dt
import os
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook
from python_calamine import CalamineWorkbook

import cli
from app import periods
from app.demo.centre import make_demo
from app.loop import verify
from app.patrolling import checklists
from app.patrolling.evidence import store_photo
from app.patrolling.records import record_number
from app.patrolling.scan import parse_scan
from app.results.rankings import rank
from app.storage import db as dbmod
from app.storage.models import Inspection, Item, ItemResult, ProbationCase

OCT = periods.month("2026-10")
TOOLS = ("pdftotext", "pdffonts", "pdfinfo", "pdftoppm", "zbarimg")
need_tools = pytest.mark.skipif(
    not all(shutil.which(t) for t in TOOLS) and not os.environ.get("CI"),
    reason="poppler-utils and zbar-tools not installed (CI installs them)",
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A demo month with one inspection carrying a formula-like note and a photo."""
    folder = tmp_path_factory.mktemp("exports")
    path = folder / "demo.db"
    dbmod.open_database(str(path))
    make_demo(seed=5, period=OCT)
    failed = ItemResult.select().where(ItemResult.result == "fail").order_by(ItemResult.id).first()
    png = Path(__file__).parent / "data" / "photo.png"
    failed.note = '=HYPERLINK("http://example.invalid","点我")'
    failed.photos = store_photo(png.read_bytes())
    failed.save()
    dbmod.close_database()
    return path


@pytest.fixture
def db(demo):
    dbmod.open_database(str(demo), create=False)
    yield demo
    dbmod.close_database()


def run(capsys, *argv):
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def pdf_pages(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(re.search(r"Pages:\s+(\d+)", info).group(1))


def fonts_embedded(path: Path) -> list[tuple[str, str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    return [(line.split()[0], line.split()[-5]) for line in out.splitlines()[2:] if line.strip()]


def qr_codes(path: Path, tmp_path: Path, page: int = 1) -> list[str]:
    prefix = tmp_path / f"{path.stem}-qr"
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), str(path), str(prefix)], check=True)
    image = next(tmp_path.glob(f"{path.stem}-qr*.png"))
    out = subprocess.run(["zbarimg", "--quiet", "--raw", str(image)], capture_output=True, text=True).stdout
    image.unlink()
    return [line for line in out.splitlines() if line.strip()]


def label_codes(path: Path, tmp_path: Path, page: int) -> list[str]:
    """Decode each label of a sheet on its own, as a scanner held over one sticker does."""
    from PIL import Image

    from exports.pdf_labels import COLUMNS, ROWS

    prefix = tmp_path / f"{path.stem}-p{page}"
    subprocess.run(["pdftoppm", "-png", "-r", "150", "-f", str(page), "-l", str(page), str(path), str(prefix)], check=True)
    sheet = Image.open(next(tmp_path.glob(f"{path.stem}-p{page}*.png")))
    w, h = sheet.size
    codes = []
    for n in range(COLUMNS * ROWS):
        col, row = n % COLUMNS, n // COLUMNS
        cell = tmp_path / "cell.png"
        sheet.crop((col * w // COLUMNS, row * h // ROWS, (col + 1) * w // COLUMNS, (row + 1) * h // ROWS)).save(cell)
        out = subprocess.run(["zbarimg", "--quiet", "--raw", str(cell)], capture_output=True, text=True).stdout.strip()
        if out:
            codes.append(out)
    return codes


def test_monthly_workbook_matches_the_rankings_and_reads_back_with_a_second_reader(capsys, demo, tmp_path):
    out = tmp_path / "month.xlsx"
    code, text, _ = run(capsys, "export", "excel", "--db", str(demo), "--month", "2026-10", "--out", str(out))
    assert code == 0 and "40 个窗口" in text
    wb = load_workbook(out)
    assert wb.sheetnames == ["窗口排名", "人员排名", "部门排名", "未参加排名", "考察期登记", "微笑之星", "流动红旗",
                             "绩效扣发名单", "扣发依据", "整改情况", "好差评约谈", "得分图"]
    ws = wb["窗口排名"]
    assert [c.value for c in ws[1]] == ["名次", "窗口编号", "窗口名称", "进驻部门", "平均分", "等级", "巡查次数", "合格率",
                                        "扣分合计", "一票否决", "上期名次", "变化", "备注"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:M41"
    assert ws["A43"].value.startswith("排名规则: 有一票否决者排在其他之后"), "the rule printed under the ranking"
    assert ws.page_setup.orientation == "landscape" and str(ws.page_setup.paperSize) == ws.PAPERSIZE_A4
    assert ws.print_title_rows == "$1:$1" and "窗口排名" in ws.oddHeader.center.text
    assert ws["H2"].number_format == "0.0%" and ws["E2"].number_format == "0.00"
    assert ws.column_dimensions["C"].width >= 12, "wide enough for Chinese names"
    assert wb["得分图"]._charts, "the score chart"
    dbmod.open_database(str(demo), create=False)
    try:
        expected = [(r.rank, r.code, r.average_score, r.inspections, r.vetoes) for r in rank(OCT, "window")]
        staff = len(rank(OCT, "staff"))
    finally:
        dbmod.close_database()
    got = [(int(r[0]), r[1], r[4], int(r[6]), int(r[9])) for r in CalamineWorkbook.from_path(str(out)).get_sheet_by_name("窗口排名").to_python()[1:]
           if isinstance(r[0], (int, float)) and r[0] != ""]
    assert got == expected
    assert len(CalamineWorkbook.from_path(str(out)).get_sheet_by_name("人员排名").to_python()) == staff + 1 + 3  # + rule lines
    flagged = [row for row in ws.iter_rows(min_row=2, max_row=41) if row[9].value]
    assert all(cell.fill.fgColor.rgb.endswith("FDE2E1") for row in flagged for cell in row), "veto rows highlighted"


def test_details_workbook_has_every_inspection_and_failed_item_and_keeps_formulas_as_text(capsys, demo, tmp_path):
    out = tmp_path / "details.xlsx"
    code, text, _ = run(capsys, "export", "details", "--db", str(demo), "--from", "2026-10-01", "--to", "2026-10-31",
                        "--out", str(out))
    assert code == 0
    dbmod.open_database(str(demo), create=False)
    try:
        inspections = Inspection.select().where(Inspection.status == "final").count()
        failed = ItemResult.select().join(Inspection).switch(ItemResult).where(ItemResult.result == "fail").count()
    finally:
        dbmod.close_database()
    book = CalamineWorkbook.from_path(str(out))
    first = book.get_sheet_by_name("巡查明细").to_python()
    second = book.get_sheet_by_name("不合格项明细").to_python()
    assert len(first) == inspections + 1 and len(second) <= failed + 1 and len(second) > 1
    assert f"{inspections} 条巡查" in text
    assert isinstance(first[1][0], dt.datetime)
    notes = [row[9] for row in second[1:]]
    assert '=HYPERLINK("http://example.invalid","点我")' in notes, "stored and read back as text"
    ws = load_workbook(out)["不合格项明细"]
    cell = next(c for c in ws["J"] if isinstance(c.value, str) and c.value.startswith("="))
    assert cell.data_type == "s" and cell.quotePrefix
    fails = [row for row in load_workbook(out)["巡查明细"].iter_rows(min_row=2) if row[9].value == "不合格"]
    assert fails and all(c.fill.fgColor.rgb.endswith("FDE2E1") for c in fails[0])


@need_tools
def test_ranking_pdf_text_figures_pages_and_embedded_font(capsys, db, tmp_path):
    out = tmp_path / "ranking.pdf"
    top = rank(OCT, "window")
    dbmod.close_database()
    assert run(capsys, "export", "ranking-pdf", "--db", str(db), "--month", "2026-10", "--out", str(out))[0] == 0
    text = pdf_text(out)
    pages = pdf_pages(out)
    assert "示范区政务服务中心" in text and "2026年10月窗口服务规范巡查排名" in text and "微笑之星" in text
    assert f"{top[0].code}" in text and f"{top[0].average_score:.2f}" in text and f"{top[-1].average_score:.2f}" in text
    assert f"第1页共{pages}页" in text.replace(" ", "") and "制表人" in text
    assert fonts_embedded(out) and all(emb == "yes" for _, emb in fonts_embedded(out))
    (payload,) = qr_codes(out, tmp_path)
    assert payload.startswith("WPR2:R:2026-10.window:")
    dbmod.open_database(str(db), create=False)
    assert verify.verify(payload).matches


@need_tools
def test_record_and_notice_pdfs_show_the_failures_and_verify_until_the_record_changes(capsys, db, tmp_path):
    insp = Inspection.select().where(Inspection.passed == False).order_by(Inspection.id).first()  # noqa: E712
    failed_codes = [r.item.code for r in ItemResult.select().where((ItemResult.inspection == insp) & (ItemResult.result == "fail"))]
    cited = {s for r in ItemResult.select().where((ItemResult.inspection == insp) & (ItemResult.result == "fail"))
             for s in checklists.cited_sources(r.item.source, r.item.clause)}
    dbmod.close_database()
    record, notice = tmp_path / "record.pdf", tmp_path / "notice.pdf"
    assert run(capsys, "export", "record-pdf", "--db", str(db), "--inspection", str(insp.id), "--out", str(record))[0] == 0
    assert run(capsys, "export", "notice-pdf", "--db", str(db), "--inspection", insp.uuid, "--out", str(notice))[0] == 0
    record_text, notice_text = pdf_text(record), pdf_text(notice)
    assert "窗口服务巡查记录表" in record_text and "整改通知单" in notice_text
    for code in failed_codes:
        assert code in notice_text and code in record_text
    assert f"{insp.score:g}" in notice_text and insp.window.code in notice_text
    assert "考察期" in notice_text, "a failing inspection puts the person on probation; the notice says until when"
    for document in checklists.source_titles(cited):  # clauses cite the short name; the titles are listed once
        short, title = document.split(": ", 1)
        flat = "".join(notice_text.split())  # a narrow column wraps "DB34/T 3395-2019"
        assert "".join(short.split()) in flat and "".join(title.split())[:8] in flat
    assert pdf_pages(record) >= 2
    (payload,) = qr_codes(notice, tmp_path)
    code, out, _ = run(capsys, "verify", "--db", str(db), payload)
    assert code == 0 and "一致" in out
    dbmod.open_database(str(db), create=False)
    try:
        Inspection.update(grade="合格").where(Inspection.id == insp.id).execute()  # tampering behind the app's back
        assert not verify.verify(payload).matches
        Inspection.update(grade=insp.grade).where(Inspection.id == insp.id).execute()
    finally:
        dbmod.close_database()
    code, out, _ = run(capsys, "verify", "--db", str(db), payload)
    assert code == 0


@need_tools
def test_probation_and_staff_pdfs(capsys, db, tmp_path):
    case = ProbationCase.select().order_by(ProbationCase.id).first()
    name, emp = case.staff.name, case.staff.employee_no
    dbmod.close_database()
    out = tmp_path / "p.pdf"
    assert run(capsys, "export", "probation-pdf", "--db", str(db), "--case", str(case.id), "--out", str(out))[0] == 0
    text = pdf_text(out)
    assert "考察期通知书" in text and name in text and "开始考察" in text
    out = tmp_path / "s.pdf"
    assert run(capsys, "export", "staff-pdf", "--db", str(db), "--staff", emp, "--from", "2026-10-01", "--to",
               "2026-10-31", "--out", str(out))[0] == 0
    text = pdf_text(out)
    assert "个人巡查记录" in text and name in text
    (payload,) = qr_codes(out, tmp_path)
    dbmod.open_database(str(db), create=False)
    assert verify.verify(payload).matches


@need_tools
def test_label_sheet_qr_codes_open_their_windows_through_the_scanner_input(capsys, db, tmp_path):
    out = tmp_path / "labels.pdf"
    dbmod.close_database()
    assert run(capsys, "export", "labels-pdf", "--db", str(db), "--out", str(out))[0] == 0
    assert pdf_pages(out) == 2  # 40 windows, 24 to a sheet
    codes = label_codes(out, tmp_path, 1) + label_codes(out, tmp_path, 2)
    assert len(codes) == 40, "every label decodes"
    assert sorted(parse_scan(c, "DEMO") for c in codes) == sorted(
        [f"A{n:02d}" for n in range(1, 19)] + [f"B{n:02d}" for n in range(1, 16)]
        + [f"C{n:02d}" for n in range(1, 6)] + ["Z01", "Z02"])
    # Nothing printed in the outer 5 mm of the sheet (most printers lose 4-5 mm there).
    from PIL import Image

    subprocess.run(["pdftoppm", "-png", "-gray", "-r", "100", "-f", "1", "-l", "1", str(out), str(tmp_path / "edge")],
                   check=True)
    page = Image.open(next(tmp_path.glob("edge*.png"))).convert("L")
    w, h = page.size
    band = round(5 / 25.4 * 100)
    for box in ((0, 0, w, band), (0, h - band, w, h), (0, 0, band, h), (w - band, 0, w, h)):
        assert page.crop(box).getextrema()[0] > 200, f"ink within 5 mm of the sheet's edge at {box}"
    inner = page.crop((band, band, w - band, h - band)).getextrema()[0]
    assert inner < 60, "the labels themselves print"
    out_b = tmp_path / "labels-b.pdf"
    assert run(capsys, "export", "labels-pdf", "--db", str(db), "--area", "B", "--out", str(out_b))[0] == 0
    assert "B15" in pdf_text(out_b) and "A01" not in pdf_text(out_b)


def test_photos_are_exported_foldered_by_window_and_date(capsys, demo, tmp_path):
    out = tmp_path / "photos.zip"
    code, text, _ = run(capsys, "export", "photos", "--db", str(demo), "--from", "2026-10-01", "--to", "2026-10-31",
                        "--out", str(out))
    assert code == 0 and "1 张照片" in text
    (name,) = zipfile.ZipFile(out).namelist()
    assert re.fullmatch(r"[A-Z]\d\d/2026-10-\d\d/[A-Z]+-\d\d_[0-9a-f]{16}\.jpg", name), "kept as the checked JPEG"


@pytest.mark.parametrize("argv, message", [
    (["excel", "--month", "2026-09"], "没有已定稿的巡查记录"),
    (["excel", "--month", "2026-13"], "月份格式错误"),
    (["details", "--from", "2026-10-31", "--to", "2026-10-01"], "早于开始日期"),
    (["record-pdf", "--inspection", "999999"], "未找到巡查记录"),
    (["probation-pdf", "--case", "999"], "未找到考察案例"),
    (["labels-pdf", "--area", "Q"], "未知区域"),
    (["photos", "--from", "2026-09-01", "--to", "2026-09-30"], "没有照片"),
])
def test_bad_export_input_exits_2_with_one_line_and_writes_no_file(capsys, demo, tmp_path, argv, message):
    suffix = {"excel": ".xlsx", "details": ".xlsx", "photos": ".zip"}.get(argv[0], ".pdf")
    out = tmp_path / f"out{suffix}"
    code, _, err = run(capsys, "export", argv[0], "--db", str(demo), *argv[1:], "--out", str(out))
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1
    assert list(tmp_path.iterdir()) == []


def test_an_unwritable_path_exits_2_and_a_failed_write_leaves_nothing_behind(capsys, demo, tmp_path, monkeypatch):
    code, _, err = run(capsys, "export", "excel", "--db", str(demo), "--month", "2026-10", "--out",
                       str(tmp_path / "missing" / "m.xlsx"))
    assert code == 2 and "输出文件夹不存在" in err
    code, _, err = run(capsys, "export", "excel", "--db", str(demo), "--month", "2026-10", "--out", str(tmp_path / "m.txt"))
    assert code == 2 and ".xlsx" in err
    from exports import excel

    def crash(*args, **kwargs):
        raise OSError("磁盘已满")

    monkeypatch.setattr(excel.Workbook, "save", crash)
    code, _, err = run(capsys, "export", "excel", "--db", str(demo), "--month", "2026-10", "--out", str(tmp_path / "m.xlsx"))
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err
    assert list(tmp_path.iterdir()) == [], "no half-written file and no temporary file left"


def test_verify_rejects_what_is_not_a_report_payload(capsys, demo):
    code, _, err = run(capsys, "verify", "--db", str(demo), "WP1:DEMO:A01")
    assert code == 2 and "不是本系统的报表二维码" in err
    code, out, _ = run(capsys, "verify", "--db", str(demo), "WPR1:I:999999:0123456789abcdef")
    assert code == 1 and "旧核验码已停用" in out, "a centre set up after v5 has no shared key"
    code, _, err = run(capsys, "verify", "--db", str(demo), "WPR2:R:2026-13:0123456789abcdef:OABC:" + "A" * 86)
    assert code == 2 and "编号格式不对" in err


def test_formula_text_from_a_roster_stays_text_in_every_sheet_and_csv_line(capsys, tmp_path):
    from openpyxl import load_workbook

    from app.demo.centre import make_demo
    from app.storage.models import Staff, Window

    path = tmp_path / "f.db"
    dbmod.open_database(str(path))
    make_demo(seed=5, period=periods.month("2026-10"))
    Window.update(code="=1+1").where(Window.code == "A01").execute()
    Staff.update(name="@SUM(A1)").where(Staff.employee_no == "GW0001").execute()
    dbmod.close_database()
    out = tmp_path / "m.xlsx"
    assert run(capsys, "export", "excel", "--db", str(path), "--month", "2026-10", "--out", str(out))[0] == 0
    book = load_workbook(out)
    formulas = [(ws.title, c.coordinate) for ws in book.worksheets for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    chart = [c for row in book["得分图"].iter_rows() for c in row if c.value == "=1+1"]
    assert chart and all(c.quotePrefix for c in chart), "the chart's data sheet too"
    code, out_csv, _ = run(capsys, "rankings", "--db", str(path), "--month", "2026-10", "--format", "csv")
    assert code == 0 and "'=1+1" in out_csv and "\n=1+1" not in out_csv and ",=1+1" not in out_csv
    code, out_csv, _ = run(capsys, "rankings", "--db", str(path), "--month", "2026-10", "--by", "staff", "--format", "csv")
    assert "'@SUM(A1)" in out_csv


@need_tools
def test_the_record_number_is_the_same_on_paper_and_in_the_workbook_and_passed_items_show_no_deduction(capsys, db, tmp_path):
    from python_calamine import CalamineWorkbook

    from app.patrolling.records import record_number

    insp = Inspection.select().where(Inspection.passed == False).order_by(Inspection.id).first()  # noqa: E712
    number = record_number(insp.uuid)
    day = insp.observed_at.date().isoformat()
    failed_checks = ItemResult.select().join(Item).where((ItemResult.inspection == insp) & (ItemResult.result == "fail")
                                                         & (Item.kind == "check")).count()
    dbmod.close_database()
    pdf, book = tmp_path / "r.pdf", tmp_path / "d.xlsx"
    assert run(capsys, "export", "record-pdf", "--db", str(db), "--inspection", number, "--out", str(pdf))[0] == 0
    assert run(capsys, "export", "details", "--db", str(db), "--from", day, "--to", day, "--out", str(book))[0] == 0
    text = pdf_text(pdf)
    assert f"{number} (修订 {insp.revision})" in text
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("巡查明细").to_python()
    assert number in [row[rows[0].index("记录编号")] for row in rows[1:]]
    import re

    deductions = re.findall(r"(?<![0-9A-Za-z/.:])-\d+(?:\.\d+)?(?![0-9-])", text)
    assert len(deductions) == failed_checks, "a deduction is printed beside failed items only"
    dbmod.open_database(str(db), create=False)


@pytest.mark.skipif(not shutil.which("soffice") and not os.environ.get("CI"), reason="LibreOffice not installed")
def test_every_workbook_sheet_prints_at_the_page_width_with_its_header(capsys, db, tmp_path):
    """LibreOffice prints the workbooks as a manager would: every column of a sheet on one page width,
    so the page count follows the rows (before, half the columns spilled onto pages of their own)."""
    import math
    import subprocess

    from openpyxl import load_workbook

    dbmod.close_database()
    details, monthly = tmp_path / "details.xlsx", tmp_path / "monthly.xlsx"
    assert run(capsys, "export", "details", "--db", str(db), "--from", "2026-10-01", "--to", "2026-10-05",
               "--out", str(details))[0] == 0
    assert run(capsys, "export", "excel", "--db", str(db), "--month", "2026-10", "--out", str(monthly))[0] == 0
    for book in (details, monthly):
        wb = load_workbook(book)
        for ws in wb.worksheets:
            if ws.title != "得分图":
                assert ws.freeze_panes == "A2" and ws.print_title_rows in ("1:1", "$1:$1"), (book.name, ws.title)
                assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth == 1, (book.name, ws.title)
        subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(book)],
                       check=True, capture_output=True, timeout=180)
        pages = pdf_pages(book.with_suffix(".pdf"))
        # 25 ordinary rows a page; a row made tall for wrapped text counts as the lines it holds.
        bound = sum(math.ceil((sum((ws.row_dimensions[r].height or 15) for r in range(1, ws.max_row + 1)) + 15) / (25 * 15))
                    + (2 if ws.title == "得分图" else 0) for ws in wb.worksheets)
        assert pages <= bound, f"{book.name}: {pages} pages for {bound} pages of rows: columns spill over"
    dbmod.open_database(str(db), create=False)


def test_the_pay_list_has_the_amount_and_its_rule_and_rows_tall_enough_to_print(capsys, db, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from app.centres.settings import load_settings, save_settings
    from app.storage.models import User

    settings = load_settings()
    settings.pay_per_failure, settings.pay_per_veto = 100.0, 200.0
    save_settings(settings, User.get(User.username == "admin"), "2026年绩效考核办法")
    dbmod.close_database()
    out = tmp_path / "m.xlsx"
    assert run(capsys, "export", "excel", "--db", str(db), "--month", "2026-10", "--out", str(out))[0] == 0
    wb = load_workbook(out)
    ws, items = wb["绩效扣发名单"], wb["扣发依据"]
    header = [c.value for c in ws[1]]
    amount, rule, listed = header.index("扣发金额 (元)") + 1, header.index("计算") + 1, header.index("不合格项") + 1
    per_person = {}
    for r in range(2, items.max_row + 1):
        per_person.setdefault(items.cell(r, 1).value, []).append(items.cell(r, 4).value)
    assert ws.max_row > 1 and per_person
    for r in range(2, ws.max_row + 1):
        failures = ws.cell(r, header.index("不合格次数") + 1).value
        vetoes = ws.cell(r, header.index("一票否决") + 1).value
        assert ws.cell(r, amount).value == failures * 100 + vetoes * 200
        assert f"不合格 {failures} 次 × 100 元" in ws.cell(r, rule).value
        # One row a person; the items failed are one row each on the sheet beside it.
        codes = per_person[ws.cell(r, 1).value]
        assert ws.cell(r, listed).value == f"{len(codes)} 项, 见“扣发依据”表" and len(set(codes)) == len(codes)
    dbmod.open_database(str(db), create=False)
    settings.pay_per_failure, settings.pay_per_veto = 0.0, 0.0
    save_settings(settings, User.get(User.username == "admin"), "恢复")


@need_tools
def test_quarter_and_year_rankings_are_a_workbook_and_a_pdf_that_verifies(capsys, db, tmp_path):
    from python_calamine import CalamineWorkbook

    dbmod.close_database()
    book, sheet = tmp_path / "q4.xlsx", tmp_path / "y.pdf"
    code, out, _ = run(capsys, "export", "excel", "--db", str(db), "--quarter", "2026-Q4", "--out", str(book))
    assert code == 0 and "2026年第4季度" in out
    rows = CalamineWorkbook.from_path(str(book)).get_sheet_by_name("窗口排名").to_python()
    assert rows[0][-3:-1] == ["上期名次", "变化"] and rows[1][-2] == "新", "nothing ranked in the third quarter"
    assert run(capsys, "export", "ranking-pdf", "--db", str(db), "--year", "2026", "--out", str(sheet))[0] == 0
    assert "2026年窗口服务规范巡查排名" in pdf_text(sheet)
    (payload,) = qr_codes(sheet, tmp_path)
    assert payload.startswith("WPR2:R:2026.window:")
    code, out, _ = run(capsys, "verify", "--db", str(db), payload)
    assert code == 0 and "2026年 排名" in out
    dbmod.open_database(str(db), create=False)


def test_a_cell_a_printout_would_cut_is_found_with_why(tmp_path):
    """The print check itself: what it must flag and what it must let pass."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment

    from exports.print_fit import cut_cells

    wb = Workbook()
    ws = wb.active
    ws.title = "表"
    ws.column_dimensions["A"].width = 10
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 10
    ws.append(["窗口排名表的标题很长", None, "x"])  # runs on into the empty B: seen
    ws.append(["窗口排名表的标题很长", "填", "x"])  # runs into a filled B: cut
    ws.append([1234567890.5, "x", "x"])  # a number wider than its column prints ###
    ws["A3"].number_format = "0.00"
    ws.append(["依据条款依据条款依据条款依据条款", "x", "x"])  # wraps into 4 lines at 10 wide
    ws["A4"].alignment = Alignment(wrap_text=True)
    ws.row_dimensions[4].height = 45  # three lines' height: the fourth is cut
    ws.append(["依据条款依据条款依据条款依据条款", "x", "x"])
    ws["A5"].alignment = Alignment(wrap_text=True)
    ws.row_dimensions[5].height = 63
    ws.append(["x", "x", "检查内容超出表格右边"])  # the print range ends at column C
    wb.save(tmp_path / "t.xlsx")
    cuts = cut_cells(tmp_path / "t.xlsx")
    assert [c.cell for c in cuts] == ["A2", "A3", "A4", "C6"], [str(c) for c in cuts]
    assert "右侧单元格非空" in cuts[0].why and "###" in cuts[1].why and "4 行" in cuts[2].why and "右边" in cuts[3].why


def test_no_workbook_cuts_a_cells_text_when_printed(capsys, db, tmp_path, monkeypatch):
    """Every workbook a person prints or edits (month, quarter, year, details, assessment, audit, checklist,
    roster template): every wrapped cell's row tall enough for its lines, no text into a filled cell, no ###."""
    from app.centres.settings import load_settings, save_settings
    from app.storage.models import User
    from exports.print_fit import cut_cells

    settings = load_settings()  # a settings change: an audit row whose old and new values are long
    settings.pay_per_failure = 50.0
    save_settings(settings, User.get(User.username == "admin"), "2026年绩效考核办法第三条: 每次不合格扣发五十元")
    dbmod.close_database()
    books = {
        "month": ("excel", "--month", "2026-10"), "quarter": ("excel", "--quarter", "2026-Q4"),
        "year": ("excel", "--year", "2026"), "details": ("details", "--from", "2026-10-01", "--to", "2026-10-31"),
        "assessment": ("assessment-excel", "--month", "2026-10"),
    }
    for name, (kind, *period) in books.items():
        assert run(capsys, "export", kind, "--db", str(db), *period, "--out", str(tmp_path / f"{name}.xlsx"))[0] == 0
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "admin123")
    assert run(capsys, "audit", "--db", str(db), "--user", "admin", "--out", str(tmp_path / "audit.xlsx"))[0] == 0
    assert run(capsys, "checklists", "export", "--db", str(db), "--out", str(tmp_path / "checklist.xlsx"))[0] == 0
    assert run(capsys, "roster", "template", "--db", str(db), "--out", str(tmp_path / "roster.xlsx"))[0] == 0
    for book in sorted(tmp_path.glob("*.xlsx")):
        cuts = cut_cells(book)
        assert cuts == [], f"{book.name}: " + "; ".join(str(c) for c in cuts[:5])
        for ws in load_workbook(book).worksheets:  # and every sheet prints on A4 at the page's width
            setup = (int(ws.page_setup.paperSize or 0), ws.sheet_properties.pageSetUpPr.fitToPage, ws.page_setup.fitToWidth)
            assert setup == (int(ws.PAPERSIZE_A4), True, 1) and ws.oddHeader.center.text, (book.name, ws.title, setup)
    book = load_workbook(tmp_path / "month.xlsx")
    items = book["扣发依据"]
    assert any(items.cell(r, 5).alignment.wrap_text for r in range(2, items.max_row + 1)), "long items wrap"
    people = [c.value for c in book["绩效扣发名单"]["A"][1:] if c.value]
    assert people and len(people) == len(set(people)), "the pay list is one row a person"
    audit = load_workbook(tmp_path / "audit.xlsx")["审计记录"]
    assert audit.max_row > 1 and audit.row_dimensions[2].height > 18, "the settings change wraps onto lines of its own"
    dbmod.open_database(str(db), create=False)
    settings.pay_per_failure = 0.0
    save_settings(settings, User.get(User.username == "admin"), "恢复")


@need_tools
def test_codes_and_labels_print_on_one_line_and_a_department_is_named_once(capsys, db, tmp_path):
    """A code broken over two lines reads as two values: 工号 and window codes stay whole in the ranking
    tables, the record's field labels (行为发生时间) too; a department ranking has no code repeating its name."""
    dbmod.close_database()
    texts = {}
    for by in ("window", "staff", "department"):
        out = tmp_path / f"{by}.pdf"
        assert run(capsys, "export", "ranking-pdf", "--db", str(db), "--month", "2026-10", "--by", by, "--out", str(out))[0] == 0
        texts[by] = pdf_text(out)
    dbmod.open_database(str(db), create=False)
    report_rows = {by: rank(OCT, by=by) for by in ("window", "staff")}
    for by, rows in report_rows.items():
        lines = texts[by].splitlines()
        for r in rows:
            assert any(re.search(rf"(^|\s){re.escape(r.code)}\s+{re.escape(r.name)}", line) for line in lines), (by, r.code)
    header = next(line for line in texts["department"].splitlines() if "名次" in line)
    assert header.split()[:2] == ["名次", "部门"] and "编号" not in header
    number = record_number(Inspection.select().order_by(Inspection.id).first().uuid)
    dbmod.close_database()
    record = tmp_path / "record.pdf"
    assert run(capsys, "export", "record-pdf", "--db", str(db), "--inspection", number, "--out", str(record))[0] == 0
    dbmod.open_database(str(db), create=False)
    assert re.search(r"行为发生时间\s+2026-10-\d\d \d\d:\d\d", pdf_text(record))
