"""The assessment on paper and in a workbook: every component's contribution, the method, the awards
with everyone left out and why; 流动红旗 / 微笑之星 certificates; a person's year sheet."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.units import mm
from reportlab.platypus import PageBreak, Paragraph

from app.periods import cn_date
from app.rounding import fixed
from exports.excel import SUFFIXES, Column, _fill_sheet, _note_below
from exports.files import atomic_output
from exports.pdf_base import (
    build,
    content_width,
    esc,
    fields_table,
    gap,
    para,
    signature_lines,
    style,
    table,
    title,
    unwrapped_width,
)


def _points(part) -> str:
    if part.value is None:
        return "缺"
    if part.kind in ("conduct", "praise"):
        return f"{part.points:+g}"
    return f"{part.value:g} ({part.points:g})"


def _columns(assessment) -> list[Column]:
    names = [p.name for p in (assessment.rows + assessment.unassessed)[0].parts] if assessment.rows + assessment.unassessed else []
    cols = [Column("名次", lambda r: r.rank or "—", 6), Column("编号", lambda r: r.code, 10),
            Column("名称", lambda r: r.name, 16)]
    cols += [Column(f"{name}", lambda r, n=n: _points(r.parts[n]), 14) for n, name in enumerate(names)]
    cols += [Column("总分", lambda r: r.total, 8, "0.00"),
             Column("等级", lambda r: r.grade or "缺少: " + "、".join(r.missing), 12)]
    return cols


def assessment_sheets(wb: Workbook, assessment, award_lists: list, first: bool = False) -> None:
    """The assessment's sheets in a workbook: 考核成绩 (each component's value and its points) and one
    sheet per award with those left out and why."""
    scheme = assessment.scheme
    label = f"{assessment.period.label} {scheme.name}"
    ws = wb.active if first else wb.create_sheet()
    ws.title = f"考核成绩-{scheme.code}"[:31]
    _fill_sheet(ws, f"{label} 考核成绩", _columns(assessment), assessment.rows + assessment.unassessed,
                lambda r: r.total is None)
    _note_below(ws, [f"考核方法: {assessment.method}", "各项写作 得分 (计入总分的分数); 违规扣分和表扬加分为直接加减的分数。",
                     f"依据: {scheme.source}"])
    for listed in award_lists:
        sheet = wb.create_sheet(f"{listed.award.name}-{scheme.code}"[:31])
        rows = [("获得", r.code, r.name, r.total, f"第 {r.rank} 名") for r in listed.winners]
        rows += [("未列入", x.code, x.name, None, "; ".join(x.reasons)) for x in listed.excluded]
        cols = [Column("结果", lambda r: r[0], 8), Column("编号", lambda r: r[1], 10), Column("姓名/名称", lambda r: r[2], 16),
                Column("总分", lambda r: r[3], 8, "0.00"), Column("名次或原因", lambda r: r[4], 60, wrap=True)]
        _fill_sheet(sheet, f"{label} {listed.award.name}", cols, rows, lambda r: r[0] == "未列入")
        _note_below(sheet, [f"{listed.award.name}: {listed.method}。"])


def assessment_workbook(path: str | Path, assessment, award_lists: list) -> None:
    with atomic_output(path, SUFFIXES) as tmp:
        wb = Workbook()
        assessment_sheets(wb, assessment, award_lists, first=True)
        wb.save(tmp)


def assessment_pdf(path: str | Path, assessment, award_lists: list, centre_name: str, payload: str,
                   draft: str = "") -> None:
    """A4 landscape: the table with every component, the method, then each award list; `draft` marks
    every page while the period is not published."""
    width = content_width(landscape=True)
    cols = _columns(assessment)
    code_w = unwrapped_width(["编号"] + [r.code for r in assessment.rows + assessment.unassessed], 8.5, minimum=20 * mm)
    set_widths = {"名次": 11 * mm, "编号": code_w, "总分": 16 * mm, "等级": 30 * mm}
    parts = [c for c in cols if c.header not in set_widths and c.header != "名称"]
    part_width = 26 * mm
    name_width = width - sum(set_widths.values()) - part_width * len(parts)
    widths = [set_widths.get(c.header, part_width if c in parts else name_width) for c in cols]
    rows = [[c.header for c in cols]]
    for r in assessment.rows + assessment.unassessed:
        rows.append([("" if v is None else (fixed(v) if c.header == "总分" else v)) for c, v in
                     ((c, c.value(r)) for c in cols)])
    story = [title(centre_name), Paragraph(f"{esc(assessment.period.label)}{esc(assessment.scheme.name)}考核成绩",
                                           style(14, align=TA_CENTER)), gap(2),
             table(rows, widths, size=8.5), gap(2), para(f"考核方法: {assessment.method}", 8.5),
             para("各项写作 得分 (计入总分的分数); 违规扣分和表扬加分为直接加减的分数。", 8.5)]
    for listed in award_lists:
        story += [gap(4), Paragraph(esc(f"{listed.award.name}"), style(12)), gap(1),
                  para("获得: " + ("、".join(f"{r.code} {r.name} ({r.total:g})" for r in listed.winners) or "无"), 9.5)]
        if listed.excluded:
            story.append(table([["未列入", "原因"]] + [[f"{x.code} {x.name}", "; ".join(x.reasons)] for x in listed.excluded],
                               [45 * mm, width - 45 * mm], size=8.5))
        story.append(para(f"评选条件: {listed.method}。", 8.5))
    story += [gap(6), signature_lines(["制表人", "审核人"], width)]
    build(path, story, doc_title=f"{assessment.period.label}考核成绩", landscape=True,
          header=f"{centre_name} · {assessment.period.label}{assessment.scheme.name}", qr_payload=payload, draft=draft)


def certificates_pdf(path: str | Path, listed, centre_name: str, payload: str, day, draft: str = "") -> int:
    """One A4 landscape certificate per winner (流动红旗 to a window, 微笑之星 / 服务标兵 to a person);
    `draft` marks each while the period is not published (an award may still move)."""
    red = colors.HexColor("#b71c1c")
    story = []
    for n, row in enumerate(listed.winners):
        if n:
            story.append(PageBreak())
        story += [gap(18), Paragraph(esc(listed.award.name), style(54, leading=66, align=TA_CENTER, color=red)), gap(14),
                  Paragraph(esc(f"{row.name}"), style(30, leading=40, align=TA_CENTER)), gap(10),
                  Paragraph(esc(f"在{listed.period.label}窗口服务考核中 ({row.total:g} 分, 第 {row.rank} 名), "
                                f"荣获“{listed.award.name}”。"), style(17, leading=28, align=TA_CENTER)),
                  Paragraph("特发此证, 以资鼓励。", style(17, leading=28, align=TA_CENTER)), gap(22),
                  Paragraph(esc(centre_name), style(16, align=TA_CENTER)),
                  Paragraph(cn_date(day), style(15, align=TA_CENTER))]
    if not story:
        return 0
    build(path, story, doc_title=f"{listed.period.label}{listed.award.name}", landscape=True,
          header=f"{centre_name} · {listed.period.label}{listed.award.name}", qr_payload=payload, draft=draft)
    return len(listed.winners)


def person_year_pdf(path: str | Path, year, centre_name: str, payload: str) -> None:
    """A person's year: patrols and 好差评 by month, events, probation, and the year's assessment."""
    width = content_width()
    months = [["月份", "巡查次数", "平均分", "不合格", "一票否决", "好差评次数", "满意率"]]
    for m in year.months:
        months.append([m.label, m.inspections, "" if m.average is None else fixed(m.average), m.failed, m.vetoes,
                       m.ratings, "" if m.satisfaction is None else f"{m.satisfaction:g}%"])
    story = [title(centre_name), Paragraph(f"{year.year}年度个人考核表", style(14, align=TA_CENTER)), gap(2),
             fields_table([("姓名", year.name), ("工号", year.employee_no), ("窗口", year.window),
                           ("用工单位", year.employer)], width), gap(3),
             Paragraph("巡查与好差评", style(12)), gap(1), table(months, [width / 7] * 7, size=8.5)]
    story += [gap(3), Paragraph("违规与表扬记录", style(12)), gap(1)]
    if year.events:
        story.append(table([["日期", "类别", "事由", "状态"]] + [
            [e.occurred_on.isoformat(), e.kind_label, e.description[:60],
             f"已撤销: {e.withdraw_reason}" if e.withdrawn else "有效"] for e in year.events],
            [22 * mm, 45 * mm, width - 107 * mm, 40 * mm], size=8.5))
    else:
        story.append(para("无", 9.5))
    story += [gap(3), Paragraph("考察期", style(12)), gap(1)]
    story.append(table([["开始", "结束", "状态"]] + [list(c) for c in year.cases], [width / 3] * 3, size=8.5)
                 if year.cases else para("无", 9.5))
    story += [gap(3), Paragraph("年度考核", style(12)), gap(1)]
    if year.schemes:
        story.append(table([["方案", "总分", "等级", "名次", "各项", "评先评优"]] + [
            [s.scheme, "" if s.total is None else f"{s.total:g}", s.grade, f"{s.rank}/{s.of}" if s.rank else "—", s.parts,
             s.award] for s in year.schemes], [34 * mm, 14 * mm, 16 * mm, 14 * mm, 50 * mm, width - 128 * mm], size=8))
    else:
        story.append(para("无", 9.5))
    story += [gap(6), signature_lines(["本人签字", "考核人"], width)]
    build(path, story, doc_title=f"{year.year}年度个人考核表 {year.name}",
          header=f"{centre_name} · {year.year}年度个人考核表 · {year.name}", qr_payload=payload)
