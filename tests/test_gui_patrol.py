"""A whole patrol driven by the keyboard, on the offscreen platform."""

import pytest
from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QMessageBox

from app.centres.scope import signed_in
from app.storage.models import Inspection, ItemResult, Window
from forms.main_window import MainWindow
from tests.gui_support import Answers, show_active, user

Yes, No = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No


@pytest.fixture
def window(qtbot, demo_roster, app_font):
    main = MainWindow(signed_in(user("xuncha1")))
    qtbot.addWidget(main)
    show_active(qtbot, main)
    return main


def scan(qtbot, main, text):
    """A scanner types the label into whatever has focus on the patrol page, then Enter."""
    qtbot.keyClicks(main.patrol.view, text)
    qtbot.keyClick(main.patrol.search, Qt.Key.Key_Return)


def test_a_whole_patrol_by_keyboard_scores_finalises_and_shows_done(qtbot, window, monkeypatch):
    answers = Answers(monkeypatch)
    main = window
    assert main.tabs.currentWidget() is main.patrol_stack, "an inspector starts on the patrol page"
    scan(qtbot, main, "WP1:DEMO:A03")
    page = main.inspection
    assert main.patrol_stack.currentWidget() is page
    assert page.title.text().startswith("A03")
    view = page.view
    checks = page.model.checks()
    assert checks > 80
    assert page.score_label.text() == "100"

    qtbot.keyClick(view, Qt.Key.Key_2)  # the first item fails
    first = page.model.items[0]
    assert page.model.results[first.id] == "fail"
    assert float(page.score_label.text()) == 100 - first.deduction
    assert view.currentIndex().row() == 0, "a failure keeps the cursor on the item (n and p attach to it)"
    qtbot.keyClick(view, Qt.Key.Key_J)
    assert view.currentIndex().row() == 1
    for _ in range(len(page.model.items) - 1):
        qtbot.keyClick(view, Qt.Key.Key_1)
    assert page.model.ticked() == checks
    assert page.progress_label.text() == f"已检查 {checks}/{checks} 项"

    answers.replies = [Yes, No]  # confirm finalising; do not go on to the next window
    qtbot.keyClick(view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    insp = Inspection.get(Inspection.window == main.patrol.round.inspections[0].window)
    assert insp.status == "final" and insp.score == 100 - first.deduction + insp.bonus
    assert "下一个窗口 A04" in answers.asked[-1]
    assert main.patrol_stack.currentWidget() is main.patrol
    row = next(s for s in main.patrol.model.rows if s.code == "A03")
    assert row.state == "done" and row.score == insp.score and row.grade == insp.grade
    main.tabs.setCurrentWidget(main.dashboard)
    assert main.dashboard.today.text().startswith("今日我已巡查 1/40"), "an inspector sees their own progress"


def test_after_signing_in_a_scan_goes_straight_to_the_search_box(qtbot, window):
    qtbot.waitUntil(lambda: window.patrol.search.hasFocus())
    qtbot.keyClicks(window.focusWidget(), "A02")
    qtbot.keyClick(window.focusWidget(), Qt.Key.Key_Return)
    assert window.patrol_stack.currentWidget() is window.inspection
    assert window.inspection.title.text().startswith("A02")


def test_typing_anywhere_on_the_patrol_page_goes_to_the_search_box(qtbot, window):
    qtbot.keyClicks(window.patrol.view, "b0")
    assert window.patrol.search.text() == "b0"
    assert window.patrol.proxy.rowCount() == 9  # B01 … B09


def test_an_unknown_label_is_reported_and_opens_nothing(qtbot, window, monkeypatch):
    answers = Answers(monkeypatch)
    scan(qtbot, window, "WP1:OTHER:A01")
    assert "其他中心" in answers.asked[-1]
    assert window.patrol_stack.currentWidget() is window.patrol


def test_veto_banner_and_category_pass_and_note(qtbot, window, monkeypatch):
    scan(qtbot, window, "A01")
    page = window.inspection
    veto_row = next(n for n, i in enumerate(page.model.items) if i.severity == "veto")
    page.view.selectRow(veto_row)
    qtbot.keyClick(page.view, Qt.Key.Key_X)
    assert page.veto_banner.isVisibleTo(page) and page.grade_label.text() == "不合格"
    qtbot.keyClick(page.view, Qt.Key.Key_A)  # the rest of that category passes
    category = page.model.items[veto_row].category.code
    assert all(page.model.results.get(i.id) for i in page.model.items if i.category.code == category and i.kind == "check")
    monkeypatch.setattr("forms.inspection_page.QInputDialog.getText", lambda *a, **k: ("当场收受购物卡", True))
    page.view.selectRow(veto_row)
    qtbot.keyClick(page.view, Qt.Key.Key_N)
    stored = ItemResult.get(ItemResult.item == page.model.items[veto_row].id)
    assert stored.result == "fail" and stored.note == "当场收受购物卡"


def test_changing_the_person_on_duty_changes_the_items_that_apply(qtbot, window):
    scan(qtbot, window, "A01")
    page = window.inspection
    box = page.staff_box
    genders = {}
    for n in range(1, box.count()):
        from app.storage.models import Staff

        genders.setdefault(Staff.get_by_id(box.itemData(n)).gender, n)
    box.setCurrentIndex(genders["M"])
    page.staff_changed()
    male_codes = {i.code for i in page.model.items}
    box.setCurrentIndex(genders["F"])
    page.staff_changed()
    female_codes = {i.code for i in page.model.items}
    assert "APPEAR-06" in male_codes - female_codes and "APPEAR-07" in female_codes - male_codes


def test_a_photo_is_checked_in_the_worker_and_a_hostile_one_is_refused_with_why(qtbot, window, monkeypatch, tmp_path):
    from PyQt6.QtGui import QGuiApplication, QImage
    from PyQt6.QtWidgets import QFileDialog

    from benchmarks.hostile import hostile_images

    answers = Answers(monkeypatch)
    scan(qtbot, window, "A05")
    page = window.inspection
    page.view.setCurrentIndex(page.model.index(2, 0))
    item = page.model.items[2]
    frame = QImage(640, 360, QImage.Format.Format_RGB32)
    frame.fill(Qt.GlobalColor.darkCyan)
    QGuiApplication.clipboard().setImage(frame)
    page.paste_photo()
    qtbot.waitUntil(lambda: bool(page.model.photos.get(item.id)), timeout=10_000)
    (ref,) = page.model.photos[item.id]
    stored = ItemResult.get(ItemResult.item == item.id)
    assert ref.endswith(".jpg") and stored.photos == ref and stored.result == "fail", "a photo is evidence of a fault"

    bomb = tmp_path / "bomb.png"
    bomb.write_bytes(hostile_images()["png-13000x13000-rgba"])
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a, **k: (str(bomb), ""))
    page.add_photo_file()
    qtbot.waitUntil(lambda: bool(answers.asked), timeout=10_000)
    assert answers.asked == ["bomb.png: 图片尺寸过大 (13000×13000), PNG 上限 1200 万像素"]
    assert page.model.photos[item.id] == [ref], "nothing attached"


def test_finalising_with_items_unticked_says_so_first_and_selects_the_first_of_them(qtbot, window, monkeypatch):
    """Ctrl+Enter on a half-ticked list: no score to confirm, but what is left, with the cursor on it."""
    answers = Answers(monkeypatch)
    scan(qtbot, window, "WP1:DEMO:A05")
    page = window.inspection
    qtbot.keyClick(page.view, Qt.Key.Key_2)  # the first item fails; the rest are not ticked
    left = page.model.checks() - 1
    page.view.selectRow(40)
    qtbot.keyClick(page.view, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(answers.asked) == 1 and answers.asked[0].startswith(f"还有 {left} 项未检查")
    assert "确认定稿" not in answers.asked[0] and "得分" not in answers.asked[0]
    assert page.view.currentIndex().row() == 1, "the cursor goes to the first item not checked"
    assert Inspection.get(Inspection.window == Window.get(Window.code == "A05")).status == "draft"
