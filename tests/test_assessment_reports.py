"""The assessment on paper: the workbook and PDF with each component, the award list with who is out and
why, certificates, and a person's year sheet; each read back and its QR checked against the database."""

from __future__ import annotations

import datetime as dt

import pytest
from python_calamine import CalamineWorkbook

from app import periods
from app.assessment import events, schemes, votes
from app.loop import verify
from exports import jobs
from tests.conftest import at
from tests.helpers import inspect
from tests.test_exports import need_tools, pdf_pages, pdf_text


@pytest.fixture
def year_2025(roster):
    for emp, window in (("P1", "A01"), ("P2", "A02"), ("P3", "B01")):
        roster.person(emp, window)
    w, p = roster.windows, roster.staff
    for day in ("2025-01-15", "2025-03-15", "2025-05-15"):
        inspect(w["A01"], roster.inspector, p["P1"], at(day))
        inspect(w["A02"], roster.inspector, p["P2"], at(day), fail=("APPEAR-10",))
    inspect(w["B01"], roster.inspector, p["P3"], at("2025-02-01"))  # one inspection: too few for the award
    complaint = events.record_event(roster.manager, "conduct", p["P1"], "complaint", dt.date(2025, 3, 5),
                                    "群众投诉办事时态度生硬, 经核实属实", source="complaint")
    events.record_event(roster.manager, "praise", p["P2"], "banner", dt.date(2025, 6, 1), "群众赠送锦旗")
    return roster, complaint


def test_the_year_workbook_lists_the_award_and_everyone_left_out_with_why(year_2025, tmp_path):
    out = tmp_path / "year.xlsx"
    assert "考核成绩" in jobs.assessment_excel(out, "2025")
    book = CalamineWorkbook.from_path(str(out))
    assert book.sheet_names == ["考核成绩-DEFAULT", "年度评先评优-DEFAULT"]
    scores = book.get_sheet_by_name("考核成绩-DEFAULT").to_python()
    assert scores[0][:4] == ["名次", "编号", "名称", "各月平均"]
    assert [(r[1], r[3]) for r in scores[1:4]] == [("P1", "100 (100)"), ("P3", "100 (100)"), ("P2", "98 (98)")]
    awards = {r[1]: r for r in book.get_sheet_by_name("年度评先评优-DEFAULT").to_python()[1:] if r[1]}
    assert awards["P2"][0] == "获得"
    assert awards["P1"][0] == "未列入" and "2025年3月5日受到服务对象有效投诉" in awards["P1"][4]
    assert awards["P3"][0] == "未列入" and "巡查 1 次, 不足 2 次" in awards["P3"][4]


@need_tools
def test_the_assessment_pdf_shows_the_reasons_and_its_qr_stops_matching_when_the_complaint_is_withdrawn(year_2025, tmp_path):
    roster, complaint = year_2025
    out = tmp_path / "year.pdf"
    jobs.assessment_pdf(out, "2025")
    text = pdf_text(out)
    assert "2025年窗口服务考核 (按标准原文)考核成绩" in text and "受到服务对象有效投诉" in text and "未列入" in text
    ident = verify.assessment_ident("A", "2025.DEFAULT")
    printed = verify.payload("A", ident)
    assert verify.verify(printed).matches
    events.withdraw_event(roster.manager, complaint, "投诉不成立")
    assert verify.verify(printed).matches, "the scores did not change, only the award list"
    inspect(roster.windows["A01"], roster.inspector, roster.staff["P1"], at("2025-07-01"), fail=("APPEAR-10",))
    assert not verify.verify(printed).matches, "a score printed before has changed"


@need_tools
def test_certificates_one_page_per_red_flag_window(roster, tmp_path):
    for emp, window in (("P1", "A01"), ("P2", "A02")):
        roster.person(emp, window)
    month = periods.month("2026-10")
    for code, emp in (("A01", "P1"), ("A02", "P2")):
        inspect(roster.windows[code], roster.inspector, roster.staff[emp], at("2026-10-06"))
    for name in ("值班领导评分", "群众评议"):
        votes.set_votes(roster.manager, month, name, {"A01": 90, "A02": 80}, "window", "十月")
    schemes.load_scheme(roster.manager, schemes.shipped("yangdong_red_flag.toml"), "红旗窗口")
    out = tmp_path / "flags.pdf"
    assert "2 张流动红旗证书 (未定稿)" in jobs.certificates_pdf(out, "2026-10", "YANGDONG", "red_flag")
    assert pdf_pages(out) == 2
    text = pdf_text(out)
    assert text.count("流动红旗") >= 2 and "A01窗口" in text and "特发此证" in text
    assert text.count("未定稿") >= 2, "a certificate printed before the month is published says so on each page"
    from app.loop import publishing
    from app.storage.models import Publication

    Publication.create(centre=roster.windows["A01"].centre_id, period="2026-10", published_by="boss", fingerprint="x")
    assert "未定稿" not in jobs.certificates_pdf(out, "2026-10", "YANGDONG", "red_flag")
    assert "未定稿" not in pdf_text(out) and publishing.draft_mark(month) == ""


@need_tools
def test_a_persons_year_sheet_has_patrols_events_and_the_award_status(year_2025, tmp_path):
    out = tmp_path / "p1.pdf"
    jobs.person_year_pdf(out, "P1", 2025)
    text = pdf_text(out)
    for expected in ("2025年度个人考核表", "人员P1", "受到服务对象有效投诉", "未列入年度评先评优", "本人签字"):
        assert expected in text, expected
    printed = verify.payload("Y", verify.assessment_ident("Y", "P1.2025"))
    assert verify.verify(printed).matches
