"""Each export as one plain function (gather from app/, write with a writer), for the command line and
the app's worker alike. Each returns a one-line summary in Chinese."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app import periods
from app.assessment import assess as assessing
from app.assessment.awards import award_lists
from app.assessment.person_year import person_year
from app.assessment.ratings import called_in
from app.assessment.schemes import DEFAULT_CODE, schemes_on
from app.centres import scope
from app.centres.centre import current_centre
from app.centres.settings import load_settings
from app.errors import PatrolError
from app.loop import publishing, verify
from app.periods import Period, cn_date, period_key
from app.results import centre_ranking, reports
from app.results.listing import require_export
from app.storage.models import Inspection
from exports import assessment_reports, excel, pdf_labels, pdf_reports, photo_zip
from exports.assessment_reports import assessment_sheets, assessment_workbook
from exports.files import check_target


def _range(start: dt.date, end: dt.date) -> Period:
    if end < start:
        raise PatrolError(f"结束日期 {end} 早于开始日期 {start}")
    return Period(start, end + dt.timedelta(days=1), f"{cn_date(start)}至{cn_date(end)}")


def monthly_excel(out: Path, month: str, centre_id=scope.SOLE) -> str:
    """The workbook of a month, a quarter (YYYY-Qn) or a year (YYYY)."""
    period = periods.parse(month)
    check_target(out, (".xlsx",))
    report = reports.monthly_report(period, centre_id=centre_id)
    excel.monthly_workbook(out, report, lambda wb: _extra_sheets(wb, period, centre_id=centre_id))
    return f"已导出 {period.label}{periods.kind_word(period)}工作簿: {len(report.windows)} 个窗口、{len(report.staff)} 名人员 → {out}"


def details_excel(out: Path, start: dt.date, end: dt.date, user=None, centre_id=scope.SOLE) -> str:
    """The details workbook; for an inspector, their own inspections only."""
    period = _range(start, end)
    check_target(out, (".xlsx",))
    rows, failed = reports.details(period, user, centre_id=centre_id)
    a, b = excel.details_workbook(out, f"{reports.centre_name(centre_id=centre_id)} {period.label}", rows, failed)
    return f"已导出巡查明细: {a} 条巡查、{b} 个不合格项 → {out}"


def ranking_pdf(out: Path, month: str, by: str = "window", centre_id=scope.SOLE) -> str:
    """The ranking sheet of a month, a quarter (YYYY-Qn) or a year (YYYY)."""
    period = periods.parse(month)
    check_target(out, (".pdf",))

    report = reports.monthly_report(period, centre_id=centre_id)
    draft = publishing.draft_mark(period, centre_id=centre_id)
    pdf_reports.ranking_pdf(out, report, by, verify.payload("R", verify.ranking_ident(month, by, centre_id=centre_id),
                                                            centre_id=centre_id), draft,
                            _combined(period, by, centre_id=centre_id))
    return f"已导出 {period.label}排名表{' (未定稿)' if draft else ''} → {out}"


def district_excel(out: Path, period_text: str) -> str:
    """The district office's workbook for a month, a quarter or a year."""
    period = periods.parse(period_text)
    check_target(out, excel.SUFFIXES)
    report = centre_ranking.district_report(period)
    excel.district_workbook(out, report)
    return f"已导出 {period.label}全区工作簿: {len(report.centres)} 个中心、{len(report.windows)} 个窗口 → {out}"


def district_pdf(out: Path, period_text: str) -> str:
    """The district office's A4 ranking of the centres."""
    period = periods.parse(period_text)
    check_target(out, (".pdf",))

    report = centre_ranking.district_report(period)
    pdf_reports.district_pdf(out, report, verify.payload("R", f"{period_text}.centre", centre_id=None),
                             publishing.draft_mark(period, centre_id=None))
    return f"已导出 {period.label}各中心排名表 → {out}"


def record_pdf(out: Path, inspection: str, user=None, centre_id=scope.SOLE) -> str:
    """巡查记录表; an inspector prints only their own."""
    check_target(out, (".pdf",))
    rec = reports.inspection_record(inspection, centre_id=centre_id)
    require_export("record", user, Inspection.get_by_id(rec.id))
    pdf_reports.record_pdf(out, rec, verify.payload("I", rec.uuid, centre_id=centre_id))
    return f"已导出巡查记录表 ({rec.window_code}, {rec.observed_at:%Y-%m-%d %H:%M}) → {out}"


def notice_pdf(out: Path, inspection: str, user=None, centre_id=scope.SOLE) -> str:
    """整改通知单; an inspector prints only their own."""
    check_target(out, (".pdf",))
    rec = reports.inspection_record(inspection, centre_id=centre_id)
    require_export("notice", user, Inspection.get_by_id(rec.id))
    if rec.status != "final":
        raise PatrolError("巡查记录尚未定稿, 不能出具整改通知单")
    if not rec.failed_items:
        raise PatrolError("该次巡查没有需整改的问题, 不出具整改通知单")
    pdf_reports.notice_pdf(out, rec, verify.payload("I", rec.uuid, centre_id=centre_id))
    return f"已导出整改通知单 ({rec.window_code}, {len(rec.failed_items)} 个问题) → {out}"


def probation_pdf(out: Path, case: int, centre_id=scope.SOLE) -> str:
    check_target(out, (".pdf",))
    notice = reports.probation_notice(case, centre_id=centre_id)
    pdf_reports.probation_pdf(out, notice, verify.payload("C", case, centre_id=centre_id))
    return f"已导出考察期通知书 ({notice.staff_name}) → {out}"


def staff_pdf(out: Path, employee_no: str, start: dt.date, end: dt.date, centre_id=scope.SOLE) -> str:
    period = _range(start, end)
    check_target(out, (".pdf",))
    rec = reports.staff_record(employee_no, period, centre_id=centre_id)
    ident = f"{employee_no}.{period.start.isoformat()}.{period.end.isoformat()}"
    pdf_reports.staff_record_pdf(out, rec, verify.payload("S", ident, centre_id=centre_id))
    return f"已导出个人巡查记录 ({rec.staff_name}, {len(rec.inspections)} 次巡查) → {out}"


def labels_pdf(out: Path, area: str | None = None, centre_id=scope.SOLE) -> str:
    check_target(out, (".pdf",))
    labels = reports.window_labels(area, centre_id=centre_id)
    pdf_labels.labels_pdf(out, labels, reports.centre_name(centre_id=centre_id))
    return f"已导出 {len(labels)} 个窗口标签 → {out}"


def photos(out: Path, start: dt.date, end: dt.date, centre_id=scope.SOLE) -> str:
    _range(start, end)
    check_target(out, (".zip",))
    written, missing = photo_zip.photos_zip(out, reports.photo_entries(start, end, centre_id=centre_id))
    return f"已导出 {written} 张照片" + (f", {missing} 张缺失 (见 缺失照片.txt)" if missing else "") + f" → {out}"


def _combined(period: Period, by: str, centre_id=scope.SOLE) -> list:
    """The assessments of the schemes in force (besides the default) about the same subject as a ranking."""
    if by not in ("window", "staff"):
        return []
    return [assessing.assess(period, s, centre_id=centre_id) for s in schemes_on(period.start, centre_id=centre_id) if s.code != DEFAULT_CODE and s.subject == by]


def _extra_sheets(wb, period: Period, centre_id=scope.SOLE) -> None:
    """A month's workbook also lists the windows called in for 好差评; every workbook, the schemes."""
    if periods.level_of(period) == "month":
        excel.called_in_sheet(wb, f"{reports.centre_name(centre_id=centre_id)} {period.label}",
                              called_in(period, centre_id=centre_id),
                              load_settings(period.last_day, centre_id=centre_id).interview_below)
    _scheme_sheets(wb, period, centre_id=centre_id)


def _scheme_sheets(wb, period: Period, centre_id=scope.SOLE) -> None:
    """The combined assessment of every scheme in force beside the seeds' default (which is the ranking)."""
    for scheme in schemes_on(period.start, centre_id=centre_id):
        if scheme.code != DEFAULT_CODE:
            result, lists = _assessed(_period_text(period), scheme.code, centre_id=centre_id)
            assessment_sheets(wb, result, lists)


def _draft(period: Period, centre_id) -> str:
    return publishing.draft_mark(period, centre_id=centre_id)


def _period_text(period: Period) -> str:
    return period_key(period)


def _assessed(period_text: str, code: str, centre_id=scope.SOLE):
    """The period under a scheme in force, and its award lists for that period."""
    result = assessing.assess(periods.parse(period_text), code=code, centre_id=centre_id)
    return result, award_lists(result)


def assessment_excel(out: Path, period_text: str, code: str = "DEFAULT", centre_id=scope.SOLE) -> str:
    """A period under a scheme: every component's contribution, and the award lists with who is out and why."""
    check_target(out, excel.SUFFIXES)
    result, lists = _assessed(period_text, code, centre_id=centre_id)
    assessment_workbook(out, result, lists)
    return f"已导出 {result.period.label}{result.scheme.name}考核成绩: {len(result.rows)} 个 → {out}"


def assessment_pdf(out: Path, period_text: str, code: str = "DEFAULT", centre_id=scope.SOLE) -> str:
    check_target(out, (".pdf",))
    result, lists = _assessed(period_text, code, centre_id=centre_id)
    payload = verify.payload("A", verify.assessment_ident("A", f"{period_text}.{result.scheme.code}",
                                                          centre_id=centre_id), centre_id=centre_id)
    assessment_reports.assessment_pdf(out, result, lists, current_centre(centre_id=centre_id).name, payload,
                                      _draft(result.period, centre_id))
    return f"已导出 {result.period.label}{result.scheme.name}考核成绩表 → {out}"


def certificates_pdf(out: Path, period_text: str, code: str, award: str, centre_id=scope.SOLE) -> str:
    """One certificate per winner of an award (流动红旗, 微笑之星 / 服务标兵, 评先评优)."""
    check_target(out, (".pdf",))
    result, lists = _assessed(period_text, code, centre_id=centre_id)
    listed = next((x for x in lists if x.award.key == award), None)
    if listed is None:
        raise PatrolError(f"{result.scheme.name}在{result.period.label}没有奖项 {award} "
                          f"(有: {', '.join(x.award.key for x in lists) or '无'})")
    payload = verify.payload("A", verify.assessment_ident("A", f"{period_text}.{result.scheme.code}",
                                                          centre_id=centre_id), centre_id=centre_id)
    count = assessment_reports.certificates_pdf(out, listed, current_centre(centre_id=centre_id).name, payload,
                                                dt.date.today(), _draft(result.period, centre_id))
    if not count:
        raise PatrolError(f"{result.period.label}{listed.award.name}没有获得者")
    return f"已导出 {count} 张{listed.award.name}证书{' (未定稿)' if _draft(result.period, centre_id) else ''} → {out}"


def person_year_pdf(out: Path, employee_no: str, year: int, centre_id=scope.SOLE) -> str:
    check_target(out, (".pdf",))
    sheet = person_year(employee_no, year, centre_id=centre_id)
    payload = verify.payload("Y", verify.assessment_ident("Y", f"{employee_no}.{year}", centre_id=centre_id),
                             centre_id=centre_id)
    assessment_reports.person_year_pdf(out, sheet, current_centre(centre_id=centre_id).name, payload)
    return f"已导出 {sheet.name} {year}年度个人考核表 → {out}"
