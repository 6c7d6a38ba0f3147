"""Excel workbooks managers file: inspection details (streamed, any length) and the monthly workbook.

As managers expect: Chinese headers in bold on a tinted row that is frozen and filtered, columns wide
enough for Chinese text, number and date formats, failing rows tinted, A4 landscape printing with the
header row repeated and the title in the page header. A text that begins with = + - @ is stored as
text (and marked so) so that Excel and WPS never evaluate it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from app.audit import in_words
from app.cells import looks_like_formula
from app.domain import METHODS
from app.patrolling.records import record_number
from app.results.listing import InspectionRow
from app.results.reports import FailedItemRow, MonthlyReport
from exports.cell_lines import CELL_PADDING, column_width, row_height, text_width, wrapped_lines
from exports.files import atomic_output

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
FAIL_FILL = PatternFill("solid", fgColor="FDE2E1")
WRAP = Alignment(wrap_text=True, vertical="top")
TOP = Alignment(vertical="top")
DATETIME = "yyyy-mm-dd hh:mm"
SUFFIXES = (".xlsx",)
@dataclass(frozen=True)
class Column:
    header: str
    value: Callable[[object], object]
    width: float | None = None  # None: fitted to the content (normal mode) or the header
    number_format: str | None = None
    wrap: bool = False  # long text wrapped in the cell; the row is made tall enough to print it


def guard(cell) -> None:
    """Store a formula-looking text as text, marked with a quote prefix (app.cells decides)."""
    if looks_like_formula(cell.value):
        cell.data_type = "s"
        cell.quotePrefix = True


def guarded_append(ws: Worksheet, values: Sequence) -> None:
    """Append a row to a normal-mode sheet with every cell guarded."""
    ws.append(list(values))
    for cell in ws[ws.max_row]:
        guard(cell)


def print_setup(ws: Worksheet, title: str, columns: int, rows: int) -> None:
    """Frozen header, filter, A4 landscape fitted to the width, header repeated, title in the page header."""
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(columns)}{max(rows, 1) + 1}"
    ws.print_title_rows = "1:1"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.oddHeader.center.text = title
    ws.oddFooter.center.text = "第 &P 页 共 &N 页"


def _stream_sheet(wb: Workbook, name: str, title: str, columns: Sequence[Column], rows: Iterable,
                  failing: Callable[[object], bool] = lambda r: False) -> int:
    """Write one sheet row by row (write-only mode: memory does not grow with the rows)."""
    ws = wb.create_sheet(name)
    widths = [max(col.width or 8, text_width(col.header) + 2) for col in columns]
    for n, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(n)].width = width
    # A write-only sheet writes its properties with the first row: page setup and frozen header now,
    # or they are silently lost (the filter's range, written at the end, follows below).
    print_setup(ws, title, len(columns), 0)
    header = []
    for col in columns:
        cell = WriteOnlyCell(ws, value=col.header)
        guard(cell)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        header.append(cell)
    ws.append(header)
    wrapped = [(n, col, widths[n - 1]) for n, col in enumerate(columns, start=1) if col.wrap]
    count = 0
    for row in rows:
        fail = failing(row)
        out = []
        for col in columns:
            cell = WriteOnlyCell(ws, value=col.value(row))
            guard(cell)
            if col.number_format:
                cell.number_format = col.number_format
            if fail:
                cell.fill = FAIL_FILL
            if wrapped:
                cell.alignment = WRAP if col.wrap else TOP
            out.append(cell)
        if wrapped:  # a streamed row's height must be known before the row is written
            ws.row_dimensions[count + 2].height = row_height(
                max(wrapped_lines(col.value(row), width) for _n, col, width in wrapped))
        ws.append(out)
        count += 1
    ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{max(count, 1) + 1}"
    return count


INSPECTION_COLUMNS = (
    Column("巡查时间", lambda r: r.observed_at, 17, DATETIME),
    Column("窗口编号", lambda r: r.window_code, 9),
    Column("窗口名称", lambda r: r.window_name, 20),
    Column("进驻部门", lambda r: r.department, 16),
    Column("工号", lambda r: r.employee_no, 9),
    Column("工作人员", lambda r: r.staff_name, 10),
    Column("巡查员", lambda r: r.inspector, 14),
    Column("巡查方式", lambda r: METHODS[r.method], 10),
    Column("得分", lambda r: r.score, 8, "0.00"),
    Column("等级", lambda r: r.grade, 8),
    Column("扣分", lambda r: r.deductions, 8, "0.0"),
    Column("一票否决", lambda r: "是" if r.vetoed else "", 9),
    Column("检查表版本", lambda r: r.checklist_version, 14),
    Column("记录编号", lambda r: record_number(r.uuid), 11),
)

FAILED_COLUMNS = (
    Column("巡查时间", lambda r: r.observed_at, 17, DATETIME),
    Column("窗口编号", lambda r: r.window_code, 9),
    Column("工号", lambda r: r.employee_no, 9),
    Column("工作人员", lambda r: r.staff_name, 10),
    Column("检查项编号", lambda r: r.code, 12),
    Column("检查内容", lambda r: r.text, 50, wrap=True),
    Column("依据条款", lambda r: r.clause, 30, wrap=True),
    Column("扣分", lambda r: r.deduction, 7, "0.0"),
    Column("严重程度", lambda r: r.severity, 9),
    Column("备注", lambda r: r.note, 30, wrap=True),
    Column("记录编号", lambda r: record_number(r.inspection_uuid), 11),
)


def details_workbook(path: str | Path, title: str, inspections: Iterable[InspectionRow],
                     failed: Iterable[FailedItemRow]) -> tuple[int, int]:
    """Inspection details: one row per inspection, and one per failed item. Returns the two counts."""
    with atomic_output(path, SUFFIXES) as tmp:
        wb = Workbook(write_only=True)
        a = _stream_sheet(wb, "巡查明细", f"{title} 巡查明细", INSPECTION_COLUMNS, inspections,
                          failing=lambda r: not r.passed)
        b = _stream_sheet(wb, "不合格项明细", f"{title} 不合格项明细", FAILED_COLUMNS, failed)
        wb.save(tmp)
    return a, b


def _fill_sheet(ws: Worksheet, title: str, columns: Sequence[Column], rows: Sequence,
                failing: Callable[[object], bool] = lambda r: False) -> None:
    """A normal-mode sheet with widths fitted to the content (small sheets of the monthly workbook)."""
    guarded_append(ws, [c.header for c in columns])
    for cell in ws[1]:
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    for r, row in enumerate(rows, start=2):
        ws.append([c.value(row) for c in columns])
        fail = failing(row)
        for n, col in enumerate(columns, start=1):
            cell = ws.cell(r, n)
            guard(cell)
            if col.number_format:
                cell.number_format = col.number_format
            if fail:
                cell.fill = FAIL_FILL
    for n, col in enumerate(columns, start=1):
        fitted = max([text_width(col.header)] + [text_width(col.value(row)) for row in rows]) + 2
        ws.column_dimensions[get_column_letter(n)].width = max(col.width or min(max(8, fitted), 60),
                                                               text_width(col.header) + 2)
    fit_rows(ws, first=2)
    print_setup(ws, title, len(columns), len(rows))


def fit_rows(ws: Worksheet, first: int = 2, last: int | None = None) -> None:
    """Make every text of a normal-mode sheet printable: a text wider than its column wraps, and its row
    is made tall enough for its lines (Excel and LibreOffice print a wrapped cell at the row's stored
    height); the other cells of a tall row read from its top."""
    widths = {n: column_width(ws, n) for n in range(1, ws.max_column + 1)}
    for row in ws.iter_rows(min_row=first, max_row=last or ws.max_row):
        lines = {cell.column: wrapped_lines(cell.value, widths[cell.column]) for cell in row
                 if isinstance(cell.value, str) and text_width(cell.value) > widths[cell.column] - CELL_PADDING}
        if not lines:
            continue
        ws.row_dimensions[row[0].row].height = row_height(max(lines.values()))
        for cell in row:
            cell.alignment = WRAP if cell.column in lines else TOP


def _rank_columns(code: str | None, name: str, extra: tuple[str, str] | None) -> list[Column]:
    """A ranking's columns; `code` None where the name is the identity (a department), not printed twice."""
    cols = [Column("名次", lambda r: r.rank)] + ([Column(code, lambda r: r.code)] if code else []) + [
        Column(name, lambda r: r.name)]
    if extra:
        cols.append(Column(extra[0], lambda r, k=extra[1]: r.extra.get(k, "")))
    cols += [Column("平均分", lambda r: r.average_score, 9, "0.00"), Column("等级", lambda r: r.extra.get("grade", ""), 8),
             Column("巡查次数", lambda r: r.inspections, 9),
             Column("合格率", lambda r: r.pass_rate, 9, "0.0%"), Column("扣分合计", lambda r: r.deductions, 9, "0.0"),
             Column("一票否决", lambda r: r.vetoes, 9),
             Column("上期名次", lambda r: r.extra.get("previous_rank") or "", 9),
             Column("变化", lambda r: r.extra.get("change", ""), 7),
             Column("备注", lambda r: r.extra.get("note", ""), 16)]
    return cols


def _note_below(ws: Worksheet, lines: Sequence[str]) -> None:
    """Lines under a table (the ranking rule): across the table's width, wrapped, printed with it,
    outside the filter."""
    columns = ws.max_column
    width = sum(ws.column_dimensions[get_column_letter(n)].width or 8 for n in range(1, columns + 1))
    ws.append([])
    for line in lines:
        ws.append([line])
        row = ws.max_row
        guard(ws.cell(row, 1))
        ws.cell(row, 1).alignment = WRAP
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=columns)
        ws.row_dimensions[row].height = row_height(wrapped_lines(line, width))


UNRANKED_COLUMNS = (
    Column("对象", lambda u: u[0], 6), Column("编号", lambda u: u[1].code, 12), Column("名称", lambda u: u[1].name, 24),
    Column("情况", lambda u: u[1].why, 12), Column("巡查次数", lambda u: u[1].inspections, 9),
    Column("说明", lambda u: u[1].detail, 40),
)


def monthly_workbook(path: str | Path, report: MonthlyReport, extra: Callable[[Workbook], None] | None = None) -> None:
    """Rankings by window, staff and department; probation register; awards; pay list; a chart."""
    label = f"{report.centre} {report.period.label}"
    failing = lambda r: r.vetoes > 0 or r.pass_rate < 0.5  # noqa: E731
    with atomic_output(path, SUFFIXES) as tmp:
        wb = Workbook()
        ws = wb.active
        ws.title = "窗口排名"
        _fill_sheet(ws, f"{label} 窗口排名", _rank_columns("窗口编号", "窗口名称", ("进驻部门", "department")),
                    report.windows, failing)
        _fill_sheet(wb.create_sheet("人员排名"), f"{label} 人员排名",
                    _rank_columns("工号", "姓名", ("用工单位", "employer")), report.staff, failing)
        _fill_sheet(wb.create_sheet("部门排名"), f"{label} 部门排名", _rank_columns(None, "部门", None),
                    report.departments, failing)
        for name in ("窗口排名", "人员排名", "部门排名"):
            _note_below(wb[name], [f"排名规则: {report.rule}。", "未参加排名的窗口和人员及原因见“未参加排名”表。"])
        apart = [("窗口", u) for u in report.unranked.get("window", [])] + [("人员", u) for u in report.unranked.get("staff", [])]
        _fill_sheet(wb.create_sheet("未参加排名"), f"{label} 未参加排名 (样本不足、一票否决、本期未巡查)",
                    UNRANKED_COLUMNS, apart)
        _fill_sheet(wb.create_sheet("考察期登记"), f"{label} 考察期登记", [
            Column("案例", lambda c: c.id), Column("工号", lambda c: c.employee_no), Column("姓名", lambda c: c.name),
            Column("窗口", lambda c: c.window), Column("用工单位", lambda c: c.employer),
            Column("开始日期", lambda c: c.opened_on, 12, "yyyy-mm-dd"), Column("结束日期", lambda c: c.ends_on, 12, "yyyy-mm-dd"),
            Column("复查合格", lambda c: c.rechecks_passed), Column("复查不合格", lambda c: c.rechecks_failed),
            Column("需复查合格", lambda c: c.rechecks_required), Column("状态", lambda c: c.status_label),
        ], report.probation, lambda c: c.status in ("recommend_return", "review", "returned"))
        _fill_sheet(wb.create_sheet("微笑之星"), f"{label} 微笑之星候选", [
            Column("入选", lambda c: "是" if not c.reasons and c.row in report.stars else ""),
            Column("工号", lambda c: c.row.code), Column("姓名", lambda c: c.row.name),
            Column("用工单位", lambda c: c.row.extra.get("employer", "")),
            Column("平均分", lambda c: c.row.average_score, 9, "0.00"), Column("巡查次数", lambda c: c.row.inspections, 9),
            Column("未入选原因", lambda c: "; ".join(c.reasons)),
        ], report.candidates)
        _fill_sheet(wb.create_sheet("流动红旗"), f"{label} 流动红旗窗口",
                    _rank_columns("窗口编号", "窗口名称", ("进驻部门", "department")), report.red_flags)
        _pay_sheets(wb, label, report.pay)
        _fill_sheet(wb.create_sheet("整改情况"), f"{label} 整改情况 (含逾期未整改)", [
            Column("编号", lambda r: r.id, 7), Column("来源", lambda r: r.as_dict()["source_label"], 15),
            Column("问题", lambda r: r.what, 50, wrap=True), Column("工号", lambda r: r.employee_no),
            Column("姓名", lambda r: r.staff_name), Column("窗口", lambda r: r.window_code),
            Column("开出", lambda r: r.opened_on, 12, "yyyy-mm-dd"), Column("期限", lambda r: r.due_on, 12, "yyyy-mm-dd"),
            Column("状态", lambda r: r.state_label, 10), Column("重复", lambda r: r.repeats or "", 6),
            Column("整改情况", lambda r: r.close_note, 40, wrap=True),
        ], report.rectifications, lambda r: r.state == "overdue")
        if extra is not None:
            extra(wb)
        chart_sheet = wb.create_sheet("得分图")
        guarded_append(chart_sheet, ["窗口", "平均分"])
        for r in report.windows:
            guarded_append(chart_sheet, [r.code, r.average_score])
        chart = BarChart()
        chart.type = "col"
        chart.title = f"{report.period.label}各窗口平均分"
        chart.y_axis.title = "平均分"
        chart.y_axis.scaling.min = 80
        chart.y_axis.scaling.max = 105
        chart.legend = None
        chart.width, chart.height = 32, 12
        n = len(report.windows) + 1
        chart.add_data(Reference(chart_sheet, min_col=2, min_row=1, max_row=n), titles_from_data=True)
        chart.set_categories(Reference(chart_sheet, min_col=1, min_row=2, max_row=n))
        chart_sheet.add_chart(chart, "D2")
        print_setup(chart_sheet, f"{label} 得分图", 2, n - 1)
        wb.save(tmp)


def _pay_sheets(wb: Workbook, label: str, pay: Sequence) -> None:
    """The pay list, one row per person (short enough to print many to a page), and beside it the
    items each person failed, one row per item (a person's whole list in one cell outgrew a page)."""
    ws = wb.create_sheet("绩效扣发名单")
    _fill_sheet(ws, f"{label} 绩效扣发名单", [
        Column("工号", lambda p: p.employee_no), Column("姓名", lambda p: p.name), Column("用工单位", lambda p: p.employer),
        Column("窗口", lambda p: p.window), Column("不合格次数", lambda p: p.failed_inspections, 11),
        Column("一票否决", lambda p: p.vetoes, 9),
        Column("扣发金额 (元)", lambda p: p.amount if p.amount is not None else "按办法", 15, "0.00"),
        Column("计算", lambda p: p.rule, 24, wrap=True),
        Column("不合格日期", lambda p: "、".join(f"{d.month}月{d.day}日" for d in p.dates), 30, wrap=True),
        Column("不合格项", lambda p: f"{len(p.items)} 项, 见“扣发依据”表", 20),
    ], pay)
    if not pay:
        _note_below(ws, ["本期没有应扣发绩效的人员。"])
    items = [(p, code, text, times) for p in pay for code, text, times in p.items]
    _fill_sheet(wb.create_sheet("扣发依据"), f"{label} 绩效扣发依据 (每人每项一行)", [
        Column("工号", lambda i: i[0].employee_no), Column("姓名", lambda i: i[0].name), Column("窗口", lambda i: i[0].window),
        Column("检查项编号", lambda i: i[1], 12), Column("检查内容", lambda i: i[2], 60, wrap=True),
        Column("不合格次数", lambda i: i[3], 11),
    ], items)
    if not items:
        _note_below(wb["扣发依据"], ["本期没有应扣发绩效的人员。"])


CENTRE_COLUMNS = (
    Column("名次", lambda r: r.rank or "—", 6), Column("编码", lambda r: r.code, 8), Column("中心", lambda r: r.name),
    Column("类型", lambda r: r.kind, 11), Column("平均分", lambda r: r.average_score, 9, "0.00"),
    Column("巡查次数", lambda r: r.inspections, 9), Column("在用窗口", lambda r: r.windows, 9),
    Column("覆盖窗口", lambda r: r.covered, 9), Column("覆盖率", lambda r: r.coverage, 9, "0.0%"),
    Column("合格率", lambda r: r.pass_rate, 9, "0.0%"), Column("新开考察", lambda r: r.cases_opened, 9),
    Column("解除考察", lambda r: r.cases_closed, 9), Column("在岗人员", lambda r: r.staff, 9),
    Column("考察期人员", lambda r: r.on_probation, 10), Column("考察期人员占比", lambda r: r.probation_share, 12, "0.0%"),
)


def called_in_sheet(wb: Workbook, title: str, rows: Sequence, line: float) -> None:
    """好差评约谈: the windows under the satisfaction line two months running (an empty list says so)."""
    ws = wb.create_sheet("好差评约谈")
    _fill_sheet(ws, f"{title} 好差评约谈名单 (满意率连续两个月低于 {line:g}%)", [
        Column("窗口编号", lambda c: c.code), Column("窗口名称", lambda c: c.name),
        Column("本月满意率", lambda c: c.satisfaction / 100, 12, "0.0%"), Column("上月满意率", lambda c: c.before / 100, 12, "0.0%"),
    ], rows)
    if not rows:
        _note_below(ws, ["本月没有窗口连续两个月低于约谈线"])


def district_workbook(path: str | Path, report) -> None:
    """The district office's workbook: centres ranked as units (the method under the table), and
    windows and staff ranked across the district with their centre."""
    label = f"{report.name} {report.period.label}"
    failing = lambda r: r.vetoes > 0 or r.pass_rate < 0.5  # noqa: E731
    centre = Column("中心", lambda r: r.extra.get("centre_name", ""))
    with atomic_output(path, SUFFIXES) as tmp:
        wb = Workbook()
        ws = wb.active
        ws.title = "各中心排名"
        _fill_sheet(ws, f"{label} 各中心排名", CENTRE_COLUMNS, report.centres)
        _note_below(ws, [f"排名方法: {report.method}。"])
        window_cols = _rank_columns("窗口编号", "窗口名称", ("进驻部门", "department"))
        _fill_sheet(wb.create_sheet("全区窗口排名"), f"{label} 全区窗口排名", window_cols[:1] + [centre] + window_cols[1:],
                    report.windows, failing)
        staff_cols = _rank_columns("工号", "姓名", ("用工单位", "employer"))
        _fill_sheet(wb.create_sheet("全区人员排名"), f"{label} 全区人员排名", staff_cols[:1] + [centre] + staff_cols[1:],
                    report.staff, failing)
        for name in ("全区窗口排名", "全区人员排名"):
            _note_below(wb[name], [f"排名规则: {report.window_rule}。"])
        wb.save(tmp)


AUDIT_COLUMNS = (
    Column("时间", lambda a: a.at, 20, "yyyy-mm-dd hh:mm:ss"),
    Column("用户", lambda a: a.username, 12),
    Column("操作", lambda a: a.action_label, 18),
    Column("对象", lambda a: a.target, 30, wrap=True),
    Column("窗口", lambda a: a.window_code, 8),
    Column("工号", lambda a: a.employee_no, 10),
    Column("原值", lambda a: in_words(a.old), 50, wrap=True),
    Column("新值", lambda a: in_words(a.new), 50, wrap=True),
    Column("理由", lambda a: a.reason, 30, wrap=True),
)


def audit_workbook(path: str | Path, title: str, rows: Iterable) -> int:
    """The audit trail as a filed record (streamed)."""
    with atomic_output(path, SUFFIXES) as tmp:
        wb = Workbook(write_only=True)
        count = _stream_sheet(wb, "审计记录", title, AUDIT_COLUMNS, rows)
        wb.save(tmp)
    return count
