"""考核 from the app: the registers, votes, a scheme's results and the what-if, each looked at."""

from __future__ import annotations

import datetime as dt

import pytest

from app import periods
from app.assessment import events, schemes
from app.centres.scope import signed_in
from app.storage.models import Staff, Window
from tests.conftest import at
from tests.gui_support import Answers, give_reasons, user
from tests.helpers import inspect

OCT = periods.month("2026-10")


@pytest.fixture
def assessed(demo_roster, monkeypatch):
    """The demo centre with a few October patrols and the 阳东 red-flag scheme loaded."""
    answers = Answers(monkeypatch)
    xc = user("xuncha1")
    for n, code in enumerate(("A01", "A02", "A03")):
        window = Window.get(Window.code == code)
        person = Staff.get(Staff.window == window)
        inspect(window, xc, person, at(f"2026-10-0{n + 5}"), fail=(("DISC-07",) if code == "A02" else ()))
    schemes.load_scheme(user("admin"), schemes.shipped("yangdong_red_flag.toml"), "采用红旗窗口评比")
    return answers


def test_votes_results_registers_and_the_what_if_from_the_assessment_tab(qtbot, assessed, app_font, monkeypatch,
                                                                          tmp_path):
    from PyQt6.QtCore import Qt

    from forms.assessment_page import AssessmentPage
    from forms.registers_page import EventDialog

    page = AssessmentPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    page.resize(1200, 560)
    page.show()

    votes = page.votes
    votes.period.setText("2026-10")
    votes.name.setCurrentText("值班领导评分")
    votes.refresh()
    model = votes.model

    def type_score(code: str, text: str) -> None:  # what the view's editor writes back
        assert model.setData(model.index(codes.index(code), 2), text)

    codes = [model.index(n, 0).data() for n in range(model.rowCount())]
    assert not model.setData(model.index(0, 0), "X99"), "only the score column is editable"
    for code, score in (("A01", "90"), ("A02", "85"), ("A03", "80")):
        type_score(code, score)
    give_reasons(monkeypatch, ("十月值班领导打分", True))
    votes.save()
    votes.name.setCurrentText("群众评议")
    votes.refresh()
    for code, score in (("A01", "88"), ("A02", "92"), ("A03", "abc")):
        type_score(code, score)
    give_reasons(monkeypatch, ("十月群众评议", True))
    votes.save()
    assert "不是数字" in assessed.asked[-1], "a typo is named by its row, nothing saved"
    type_score("A03", "86")
    votes.save()
    votes.grab().save(str(tmp_path / "votes.png"))

    results = page.results
    page.setCurrentWidget(results)
    results.refresh()
    results.scheme.setCurrentIndex(results.scheme.findData("YANGDONG"))
    results.period.setText("2026-10")
    results.compute()
    qtbot.waitUntil(lambda: results.model.rowCount() > 0, timeout=10000)
    ranked = [r.code for r in results.model.rows if r.total is not None]
    assert ranked[:1] == ["A01"] and set(ranked) == {"A01", "A02", "A03"}
    assert "流动红旗" in results.awards.text() and "窗口评分 30%" in results.method.text()
    results.grab().save(str(tmp_path / "results.png"))
    for slot, out in ((results.export_pdf, tmp_path / "results.pdf"), (results.export_certificates, tmp_path / "flags.pdf")):
        monkeypatch.setattr("forms.file_dialogs.QFileDialog.getSaveFileName", lambda *a, _o=out, **k: (str(_o), ""))
        before = len(assessed.asked)
        slot()
        qtbot.waitUntil(lambda: len(assessed.asked) > before, timeout=20000)
        assert "已导出" in assessed.asked[-1] and out.exists(), assessed.asked[-1]

    conduct = page.conduct
    page.setCurrentWidget(conduct)

    def fill(dialog):
        dialog.staff.setCurrentIndex(dialog.staff.findText("GW0001", flags=Qt.MatchFlag.MatchStartsWith))
        dialog.kind.setCurrentIndex(dialog.kind.findData("complaint"))
        dialog.day.setDate(dt.date(2026, 10, 9))
        dialog.source.setCurrentIndex(dialog.source.findData("complaint"))
        dialog.description.setPlainText("群众来电投诉: 办理时态度生硬, 经调阅录像属实")
        return True

    monkeypatch.setattr(EventDialog, "exec", fill)
    conduct.add()
    assert [e.kind_label for e in conduct.model.rows] == ["受到服务对象有效投诉"]
    conduct.view.selectRow(0)
    give_reasons(monkeypatch, ("复核后投诉不成立", True))
    conduct.withdraw()
    assert conduct.model.rows[0].withdrawn and events.events("conduct")[0].withdraw_reason == "复核后投诉不成立"
    conduct.grab().save(str(tmp_path / "conduct.png"))

    proposal = tmp_path / "proposal.toml"
    text = schemes.SHIPPED_DIR.joinpath("yangdong_red_flag.toml").read_text(encoding="utf-8")
    proposal.write_text(text.replace("weight = 20", "weight = 0").replace('of = "window", weight = 30',
                        'of = "window", weight = 100').replace('of = "staff", weight = 30', 'of = "staff", weight = 0'),
                        encoding="utf-8")
    plans = page.schemes
    page.setCurrentWidget(plans)
    monkeypatch.setattr("forms.file_dialogs.QFileDialog.getOpenFileName", lambda *a, **k: (str(proposal), ""))
    plans.choose()
    plans.period.setText("2026-10")
    plans.compare()
    qtbot.waitUntil(lambda: plans.model.rowCount() > 0, timeout=10000)
    by = {m.code: m for m in plans.model.rows}
    assert by["A02"].new_rank == 3 and by["A02"].why, "DISC-07 costs A02 its place when the patrol alone counts"
    assert "有变化" in plans.summary.text()
    plans.grab().save(str(tmp_path / "what-if.png"))


def test_a_haochaping_export_is_previewed_imported_and_its_bad_rating_rectified_from_the_app(qtbot, demo_roster, app_font,
                                                                                             monkeypatch, tmp_path):
    from forms.assessment_page import AssessmentPage
    from tests.test_ratings import write_ratings

    answers = Answers(monkeypatch)
    book = write_ratings(tmp_path / "haochaping.xlsx", [
        ["A01", "GW0001", "非常满意", "2026-10-08 09:30", ""],
        ["A01", "GW0001", "不满意", "2026-10-09 10:00", "等候时间太长"],
        ["Q99", "无名氏", "满意", "2026-10-09 11:00", ""],
    ])
    page = AssessmentPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    page.resize(1200, 520)
    page.show()
    tab = page.ratings
    page.setCurrentWidget(tab)
    tab.month.setText("2026-10")
    monkeypatch.setattr("forms.file_dialogs.QFileDialog.getOpenFileName", lambda *a, **k: (str(book), ""))
    tab.choose()
    qtbot.waitUntil(lambda: tab.model.rowCount() == 3, timeout=10000)
    from forms.ratings_page import _rating_status

    assert [_rating_status(r) for r in tab.model.rows] == ["新", "差评: 将开整改项", "未匹配: 保留, 不计入满意率"]
    assert "未匹配 1 行" in tab.summary.text()
    tab.grab().save(str(tmp_path / "ratings.png"))
    tab.apply()  # in the worker, with a progress dialog
    qtbot.waitUntil(lambda: bool(answers.asked) and "开出整改项" in answers.asked[-1], timeout=10000)
    assert "开出整改项 1 个" in answers.asked[-1]
    tab.choose()
    qtbot.waitUntil(lambda: tab.plan is not None, timeout=10000)
    assert not tab.apply_button.isEnabled(), "everything in the file is imported already"

    items = page.rectifications
    page.setCurrentWidget(items)
    items.refresh()
    assert [(r.what, r.employee_no) for r in items.model.rows] == [("好差评差评 (不满意 1 次): 等候时间太长", "GW0001")]
    items.view.selectRow(0)
    give_reasons(monkeypatch, ("约谈本人, 回访群众", True))
    items.confirm()
    assert items.model.rows == [], "a rectified item leaves the list of those still to do"
    items.state.setCurrentIndex(items.state.findData("rectified"))
    assert items.model.rows[0].close_note == "约谈本人, 回访群众"
    items.grab().save(str(tmp_path / "rectifications.png"))


def test_the_manager_marks_the_national_holiday_in_the_calendar_from_the_app(qtbot, demo_roster, app_font, monkeypatch):
    from PyQt6.QtCore import QDate

    from app.centres import workdays
    from forms.rectification_page import CalendarDialog

    Answers(monkeypatch)
    dialog = CalendarDialog(signed_in(user("admin")))
    qtbot.addWidget(dialog)
    dialog.first.setDate(QDate(2026, 10, 1))
    dialog.last.setDate(QDate(2026, 10, 7))
    dialog.kind.setCurrentIndex(dialog.kind.findData("holiday"))
    dialog.name.setText("国庆节")
    give_reasons(monkeypatch, ("国务院办公厅通知", True))
    dialog.save()
    assert len(workdays.listed(2026)) == 7 and "10-01 放假 国庆节" in dialog.listing.text()
    assert workdays.add_workdays(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8)


def test_an_events_photos_are_checked_in_the_worker_and_a_bad_one_is_named(qtbot, demo_roster, monkeypatch, tmp_path):
    from PIL import Image
    from PyQt6.QtWidgets import QFileDialog

    from benchmarks.hostile import hostile_images
    from forms.registers_page import EventDialog

    answers = Answers(monkeypatch)
    good, bad, doc = tmp_path / "现场.png", tmp_path / "假图.png", tmp_path / "情况说明.pdf"
    Image.new("RGB", (200, 100), "orange").save(good)
    bad.write_bytes(hostile_images()["png-magic-then-garbage"])
    doc.write_bytes(b"%PDF-1.4\n")
    dialog = EventDialog(signed_in(user("admin")), "conduct")
    qtbot.addWidget(dialog)
    monkeypatch.setattr(QFileDialog, "getOpenFileNames", lambda *a, **k: ([str(good), str(bad), str(doc)], ""))
    dialog.attach()
    qtbot.waitUntil(lambda: bool(answers.asked), timeout=10_000)
    assert answers.asked == ["假图.png: 图片已损坏或不是真正的 PNG 文件"]
    assert len(dialog.photos) == 1 and dialog.photos[0].endswith(".jpg") and dialog.document == doc
    assert dialog.evidence.text() == "照片 1 张; 情况说明.pdf"
