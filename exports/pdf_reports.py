"""The A4 PDF reports: monthly ranking sheet, inspection record, rectification notice, probation notice,
individual record. Each takes plain data from app.results.reports and a QR payload from app.loop.verify."""

from __future__ import annotations

import io
from pathlib import Path

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, Image, KeepTogether, Paragraph, Table

from app import periods
from app.errors import PatrolError
from app.patrolling.evidence import photo_path, photo_thumbnail
from app.patrolling.notices import with_role, without_role, wording
from app.patrolling.records import record_number
from app.periods import cn_date
from app.results.rankings import TIE_BREAKS, RankRow
from app.results.reports import InspectionRecord, MonthlyReport, ProbationNotice, StaffRecord
from app.rounding import fixed, percent
from exports.pdf_base import (
    FONT,
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

BY_LABELS = {"window": ("窗口", "部门"), "staff": ("人员", "用工单位"), "department": ("部门", "")}


def _fmt_time(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else ""


def ranking_pdf(path: str | Path, report: MonthlyReport, by: str, payload: str, draft: str = "",
                assessments: list | None = None) -> None:
    """The monthly ranking sheet to print and pin up; `draft` marks every page while it is not final; each
    combined assessment (a scheme besides the patrol ranking) follows with its components' points."""
    rows: list[RankRow] = {"window": report.windows, "staff": report.staff, "department": report.departments}[by]
    what, extra = BY_LABELS[by]
    width = content_width()
    coded = by != "department"  # a department is known by its name: no code column repeating it
    header = (["名次", "编号", "名称"] if coded else ["名次", "部门"]) + ([extra] if extra else []) + [
        "平均分", "等级", "次数", "合格率", "扣分", "否决", "上期"]
    body = []
    highlight = []
    for n, r in enumerate(rows, start=1):
        extra_value = [r.extra.get("department") or r.extra.get("employer") or ""] if extra else []
        last = r.extra.get("previous_rank")
        body.append([r.rank] + ([r.code, r.name] if coded else [r.name]) + extra_value + [
            fixed(r.average_score), r.extra.get("grade", ""), r.inspections, percent(r.pass_rate), f"{r.deductions:g}",
            r.vetoes or "", f"{last} {r.extra.get('change', '')}" if last else "新"])
        if r.vetoes or r.pass_rate < 0.5:
            highlight.append(n)
    # Every header and code (GW0072) on one line, and employers' names (12 characters) too: the figure
    # columns are headed in two characters (次数 = 巡查次数, 扣分 = 扣分合计, as the note under the title says).
    extra_w = (41 if by == "staff" else 30) * mm if extra else 0
    code_w = unwrapped_width(["编号"] + [r.code for r in rows], minimum=16 * mm) if coded else 0
    figures = [15 * mm, 12 * mm, 11 * mm, 15 * mm, 11 * mm, 11 * mm, 15 * mm]
    name_w = width - 11 * mm - code_w - extra_w - sum(figures)  # the name takes what the others leave
    widths = [11 * mm] + ([code_w] if coded else []) + [name_w] + ([extra_w] if extra else []) + figures
    story = [
        title(f"{report.centre}"),
        Paragraph(f"{report.period.label}窗口服务规范巡查排名 (按{what})", style(14, align=TA_CENTER)),
        gap(2),
        para(f"统计范围: {cn_date(report.period.start)}至{cn_date(report.period.last_day)}已定稿的巡查记录, 共 "
             f"{sum(r.inspections for r in rows)} 次。{report.rule or TIE_BREAKS}。次数为巡查次数, 扣分为扣分合计, 等级按平均分评定。红色为有一票否决或合格率低于 50% 者。", 9),
        gap(3),
        table([header] + body, widths, highlight=highlight),
        gap(3),
    ]
    for why in ("样本不足", "一票否决", "本期未巡查"):
        group = [u for u in report.unranked.get(by, []) if u.why == why]
        if group:
            shown = "、".join(f"{u.code} {u.name}" + (f" ({u.inspections} 次)" if u.inspections else "") for u in group)
            story.append(para(f"{why}, 不参加排名 ({len(group)}): {shown}", 9))
    story.append(gap(4))
    this = periods.this(report.period)  # 本月, 本季度, 本年度
    stars = "、".join(f"{r.name} ({r.extra.get('employer', '')})" for r in report.stars) or f"{this}无人符合条件"
    flags = "、".join(f"{r.code} {r.name}" for r in report.red_flags) or "无"
    story.append(KeepTogether([
        Paragraph(f"{this}“微笑之星”", style(13)), para(stars, 10.5), gap(3),
        Paragraph(f"{this}流动红旗窗口", style(13)), para(flags, 10.5), gap(6),
    ]))
    for result in assessments or []:
        story += _assessment_section(result, width)
    story.append(signature_lines(["制表人", "审核人 (窗口管理科)"], width))
    build(path, story, doc_title=f"{report.period.label}排名", header=f"{report.centre} · {report.period.label}排名",
          qr_payload=payload, draft=draft)


def _assessment_section(result, width: float) -> list:
    """A scheme's combined assessment under the ranking: each component's points in words."""
    def parts(row) -> str:
        return "; ".join(f"{p.name} {p.points:+g}" if p.kind in ("conduct", "praise") else
                         f"{p.name} {'缺' if p.value is None else f'{p.value:g}→{p.points:g}'}" for p in row.parts)

    rows = [["名次", "编号", "名称", "各项 (得分→计入)", "总分", "等级"]]
    rows += [[r.rank or "—", r.code, r.name, parts(r), fixed(r.total), r.grade] for r in result.rows]
    widths = [11 * mm, unwrapped_width(["编号"] + [r.code for r in result.rows], 8.5, minimum=18 * mm), 28 * mm, 0,
              16 * mm, 14 * mm]
    widths[3] = width - sum(widths)
    return [CondPageBreak(40 * mm), Paragraph(esc(f"综合考核: {result.scheme.name}"), style(13)), gap(1),
            table(rows, widths, size=8.5), gap(1), para(f"考核方法: {result.method}", 8.5), gap(4)]


def district_pdf(path: str | Path, report, payload: str, draft: str = "") -> None:
    """The district office's A4 sheet: the centres ranked as units, the method, the best windows."""
    width = content_width()
    header = ["名次", "中心", "类型", "平均分", "次数", "覆盖率", "合格率", "新开考察", "考察占比"]
    body = [[r.rank or "—", r.name, r.kind, "" if r.average_score is None else fixed(r.average_score), r.inspections,
             percent(r.coverage), percent(r.pass_rate), r.cases_opened, percent(r.probation_share)] for r in report.centres]
    widths = [11 * mm, 0, 17 * mm, 15 * mm, 12 * mm, 15 * mm, 15 * mm, 16 * mm, 16 * mm]
    widths[1] = width - sum(widths)
    best = [[r.rank, r.extra.get("centre_name", ""), f"{r.code} {r.name}", fixed(r.average_score), r.inspections]
            for r in report.windows[:10]]
    best_widths = [11 * mm, 0, 50 * mm, 18 * mm, 14 * mm]
    best_widths[1] = width - sum(best_widths)
    story = [
        title(report.name),
        Paragraph(f"{report.period.label}各中心窗口服务规范巡查排名", style(14, align=TA_CENTER)),
        gap(2),
        para(f"统计范围: {cn_date(report.period.start)}至{cn_date(report.period.last_day)}全区各中心已定稿的巡查记录, 共 "
             f"{sum(r.inspections for r in report.centres)} 次。次数为巡查次数, 考察占比为考察期人员占在岗人数的比例。", 9),
        gap(3),
        table([header] + body, widths),
        gap(2),
        para(f"排名方法: {report.method}。", 8.5),
        gap(5),
        Paragraph("全区窗口前十名", style(13)),
        gap(2),
        table([["名次", "中心", "窗口", "平均分", "次数"]] + best, best_widths),
        gap(2),
        para(f"窗口排名规则: {report.window_rule}。", 8.5),
        gap(6),
        signature_lines(["制表人", "审核人 (区政务办)"], width),
    ]
    build(path, story, doc_title=f"{report.period.label}各中心排名", header=f"{report.name} · {report.period.label}各中心排名",
          qr_payload=payload, draft=draft)


def _record_header(rec: InspectionRecord, width: float) -> Table:
    return fields_table([
        ("窗口", f"{rec.window_code} {rec.window_name}"), ("窗口类型", rec.window_type),
        ("进驻部门", rec.department), ("工作人员", f"{rec.staff_name} ({rec.employee_no})" if rec.staff_name else "未指定"),
        ("用工单位", rec.employer), ("巡查员", without_role("巡查员", rec.inspector)),
        ("巡查方式", rec.method), ("行为发生时间", _fmt_time(rec.observed_at)),
        ("录入时间", _fmt_time(rec.started_at)), ("定稿时间", _fmt_time(rec.finished_at)),
        ("检查表", rec.checklist), ("记录编号", f"{record_number(rec.uuid)} (修订 {rec.revision})"),
    ], width)


def _score_line(rec: InspectionRecord) -> Paragraph:
    if rec.score is None:
        return para("草稿, 尚未定稿", 12)
    veto = "  一票否决" if rec.vetoed else ""
    colour = "#c62828" if not rec.passed else "#1b5e20"
    return Paragraph(f'得分 <font color="{colour}" size="16">{rec.score:g}</font>　等级 <font color="{colour}">'
                     f"{esc(rec.grade)}</font>　扣分 {rec.deductions:g}　加分 {rec.bonus:g}{veto}", style(12, leading=20))


def _thumbnails(rec: InspectionRecord, width: float) -> list:
    out = []
    for item in rec.items:
        images = []
        for ref in item.photos:
            # A bounded thumbnail of the kept photo; a photo kept before photos were checked, or damaged
            # since, prints as a placeholder rather than failing the record.
            thumb = photo_thumbnail(ref)
            if thumb is not None:
                img = Image(io.BytesIO(thumb))
                scale = min(55 * mm / img.imageWidth, 40 * mm / img.imageHeight)
                img.drawWidth, img.drawHeight = img.imageWidth * scale, img.imageHeight * scale
                images.append(img)
            else:
                missing = "照片缺失" if not _exists(ref) else "照片无法显示"
                images.append(para(f"({missing} {ref[:12]}…)", 8))
        if images:
            cells = [images[i:i + 3] + [""] * (3 - len(images[i:i + 3])) for i in range(0, len(images), 3)]
            out.append(KeepTogether([para(f"{item.code} {item.text}" + (f" — {item.note}" if item.note else ""), 9),
                                     Table(cells, colWidths=[width / 3] * 3, style=[("FONTNAME", (0, 0), (-1, -1), FONT)]),
                                     gap(2)]))
    return out


def _exists(ref: str) -> bool:
    try:
        return photo_path(ref).exists()
    except PatrolError:
        return False


def _documents(titles: list[str]) -> list:
    """The documents the clauses above come from, by the short name used in the table."""
    return [gap(1.5), para("依据文件: " + "; ".join(titles), 8.5)] if titles else []


def record_pdf(path: str | Path, rec: InspectionRecord, payload: str) -> None:
    """巡查记录表: the filled checklist, every item with its result, notes and photo thumbnails."""
    width = content_width()
    header = ["分类", "编号", "检查内容", "依据", "扣分", "结果", "备注"]
    body, highlight = [], []
    for n, item in enumerate(rec.items, start=1):
        # Points only where they were lost or won: "-1" beside a passed item reads as a deduction.
        if item.kind == "bonus":
            points = f"+{item.deduction:g}" if item.result == "加分" else ""
        else:
            points = f"-{item.deduction:g}" if item.failed else ""
        text = item.text if item.severity == "一般" else f"【{item.severity}】{item.text}"
        body.append([item.category, item.code, text, item.clause, points, item.result, item.note])
        if item.failed:
            highlight.append(n)
    widths = [18 * mm, 19 * mm, 62 * mm, 30 * mm, 11 * mm, 13 * mm]
    widths.append(width - sum(widths))
    story = [title(f"{rec.centre}"), Paragraph("窗口服务巡查记录表", style(14, align=TA_CENTER)), gap(3),
             _record_header(rec, width), gap(3), _score_line(rec), gap(2)]
    # The signature block never stands alone on the last page: the table's last rows (or the last photo)
    # and what follows them are kept together with it.
    tail_rows = 4 if len(body) > 8 else 0
    head_body, tail_body = (body[:-tail_rows], body[-tail_rows:]) if tail_rows else (body, [])
    head_marks = [n for n in highlight if n <= len(head_body)]
    tail_marks = [n - len(head_body) - 1 for n in highlight if n > len(head_body)]  # no header row: 0-based
    story.append(table([header] + head_body, widths, size=8, highlight=head_marks))
    ending = [table(tail_body, widths, header_rows=0, size=8, highlight=tail_marks)] if tail_body else []
    ending += _documents(rec.documents())
    if rec.note:
        ending += [gap(3), para(f"巡查备注: {rec.note}", 10)]
    thumbs = _thumbnails(rec, width)
    if thumbs:
        # The heading never ends a page alone: it goes with the first photos, and the last photos go with
        # the signatures.
        heading = [gap(4), Paragraph("现场照片", style(13))]
        story += ending + [CondPageBreak(60 * mm)]
        if len(thumbs) > 1:
            story += [KeepTogether(heading + thumbs[:1])] + thumbs[1:-1]
            ending = [thumbs[-1]]
        else:
            ending = heading + thumbs
    story.append(KeepTogether(ending + [gap(8), signature_lines(["巡查员", "工作人员确认"], width)]))
    build(path, story, doc_title=f"巡查记录 {rec.window_code}", header=f"{rec.centre} · 巡查记录表 · {rec.window_code}",
          qr_payload=payload)


def notice_pdf(path: str | Path, rec: InspectionRecord, payload: str) -> None:
    """整改通知单 for the window: what failed, by which clause, and when the re-check is."""
    width = content_width()
    failed = rec.failed_items
    story = [title(f"{rec.centre}"), Paragraph("窗口服务整改通知单", style(15, align=TA_CENTER)), gap(4),
             para(f"{rec.window_code} {rec.window_name} ({rec.department})"
                  + (f" {rec.staff_name} 同志" if rec.staff_name else "") + ":", 11), gap(2),
             para(f"{cn_date(rec.observed_at.date())} {rec.observed_at:%H:%M}, {with_role('巡查员', rec.inspector)} 通过{rec.method}"
                  f"发现你窗口存在以下不符合服务规范的问题, 请立即整改:", 11), gap(3)]
    if failed:
        rows = [["序号", "编号", "问题 (检查内容)", "依据条款", "扣分", "整改期限"]]
        rows += [[n, i.code, (f"【{i.severity}】" if i.severity != "一般" else "") + i.text
                  + (f"\n说明: {i.note}" if i.note else ""), i.clause, f"{i.deduction:g}",
                  f"{rec.deadlines[i.code]:%m月%d日}" if i.code in rec.deadlines else ""]
                 for n, i in enumerate(failed, start=1)]
        widths = [10 * mm, 22 * mm, 72 * mm, 40 * mm, 11 * mm]
        widths.append(width - sum(widths))
        story.append(table(rows, widths, size=9.5))
        story += _documents(rec.documents(failed_only=True))
    else:
        story.append(para("本次巡查未发现不符合项。", 11))
    story += [gap(4), _score_line(rec), gap(3)]
    for line in wording(rec).lines:
        story.append(para(line, 11))
    if rec.appeal_by:
        story.append(para(f"对扣分有异议的, 可于{cn_date(rec.appeal_by)}前 (含当日) 向窗口管理科提出申诉复核。", 11))
    story += [gap(6), signature_lines(["巡查员", "窗口负责人", "工作人员签收"], width)]
    build(path, story, doc_title=f"整改通知单 {rec.window_code}", header=f"{rec.centre} · 整改通知单 · {rec.window_code}",
          qr_payload=payload)


def probation_pdf(path: str | Path, notice: ProbationNotice, payload: str) -> None:
    """考察期通知书 with the case's history."""
    width = content_width()
    story = [title(notice.centre), Paragraph("窗口工作人员考察期通知书", style(15, align=TA_CENTER)), gap(4),
             fields_table([("姓名", notice.staff_name), ("工号", notice.employee_no), ("用工单位", notice.employer),
                           ("窗口", notice.window), ("考察期", f"{cn_date(notice.opened_on)}至{cn_date(notice.ends_on)}"),
                           ("需复查合格", f"{notice.required} 次"), ("当前状态", notice.status), ("案例编号", str(notice.id))],
                          width), gap(4)]
    if notice.opening:
        rec = notice.opening
        reasons = "; ".join(f"{i.code} {i.text} (扣{i.deduction:g})" for i in rec.failed_items) or "—"
        story.append(para(f"{cn_date(rec.observed_at.date())}巡查得分 {rec.score:g} ({rec.grade})"
                          + (", 一票否决" if rec.vetoed else "") + f"。不符合项: {reasons}", 10.5))
        story.append(gap(3))
    story.append(para("依据《“微笑相迎、温暖相伴”活动实施方案》三.2: 未过关人员扣发相应绩效工资并给予考察期; "
                      f"考察期满仍达不到服务标准的, {notice.consequence or '按有关规定处理'}。", 10.5))
    story += [gap(4), Paragraph("考察记录", style(13)),
              table([["时间", "事项", "说明"]] + [[f"{at:%Y-%m-%d %H:%M}", kind, cause] for at, kind, cause in notice.events],
                    [32 * mm, 34 * mm, width - 66 * mm], size=9)]
    if notice.decision:
        story += [gap(3), para(f"管理员决定理由: {notice.decision}", 10.5)]
    story += [gap(10), signature_lines(["窗口管理科", "工作人员签收"], width)]
    build(path, story, doc_title=f"考察期通知书 {notice.staff_name}", header=f"{notice.centre} · 考察期通知书",
          qr_payload=payload)


def staff_record_pdf(path: str | Path, rec: StaffRecord, payload: str) -> None:
    """个人巡查记录 of one person over a period."""
    width = content_width()
    average = fixed(rec.average) if rec.average is not None else "—"
    failed = sum(1 for r in rec.inspections if not r.passed)
    story = [title(rec.centre), Paragraph(f"个人巡查记录 ({rec.period.label})", style(14, align=TA_CENTER)), gap(4),
             fields_table([("姓名", rec.staff_name), ("工号", rec.employee_no), ("性别", rec.gender),
                           ("党员", "是" if rec.party_member else "否"), ("用工单位", rec.employer), ("窗口", rec.window),
                           ("巡查次数", str(len(rec.inspections))), ("平均分", average),
                           ("不合格次数", str(failed)), ("考察期", str(len(rec.cases)) + " 次")], width), gap(4)]
    if rec.inspections:
        rows = [["时间", "窗口", "巡查员", "方式", "得分", "等级", "否决"]]
        highlight = []
        from app.domain import METHODS
        for n, r in enumerate(rec.inspections, start=1):
            rows.append([f"{r.observed_at:%Y-%m-%d %H:%M}", r.window_code, r.inspector, METHODS[r.method],
                         f"{r.score:g}", r.grade, "是" if r.vetoed else ""])
            if not r.passed:
                highlight.append(n)
        story.append(table(rows, [32 * mm, 16 * mm, 34 * mm, 22 * mm, 16 * mm, 18 * mm, width - 138 * mm], highlight=highlight))
    else:
        story.append(para("该期间没有巡查记录。", 10.5))
    if rec.failed_items:
        story += [gap(4), Paragraph("不符合项统计", style(13)),
                  table([["编号", "内容", "次数"]] + [[c, t, n] for c, t, n in rec.failed_items],
                        [22 * mm, width - 40 * mm, 18 * mm])]
    if rec.cases:
        story += [gap(4), Paragraph("考察期", style(13)),
                  table([["开始", "结束", "复查合格/不合格/需", "状态"]] +
                        [[c.opened_on, c.ends_on, f"{c.rechecks_passed}/{c.rechecks_failed}/{c.rechecks_required}",
                          c.status_label] for c in rec.cases], [30 * mm, 30 * mm, 40 * mm, width - 100 * mm])]
    story += [gap(10), signature_lines(["窗口管理科"], width)]
    build(path, story, doc_title=f"个人巡查记录 {rec.staff_name}", header=f"{rec.centre} · 个人巡查记录 · {rec.staff_name}",
          qr_payload=payload)


__all__ = ["ranking_pdf", "record_pdf", "notice_pdf", "probation_pdf", "staff_record_pdf", "colors"]
