"""Everything by keyboard (issue 27, part 3): tabs by shortcut, ? for the keys, Tab that leaves a list,
the cursor after a failure, a finished window asked about, Esc that leaves no empty draft, a focus that
shows; and the inspector's whole walk by key events alone."""

import pytest
from PyQt6.QtCore import QSettings, Qt, QTimer
from PyQt6.QtGui import QGuiApplication, QImage, QInputMethodEvent
from PyQt6.QtTest import QTest
from PyQt6.QtWidgets import QApplication, QMessageBox

from app.centres.scope import signed_in
from app.storage.models import Inspection, ItemResult
from forms.dialogs import LoginDialog
from forms.inspection_page import STAY_ON_FAIL
from forms.main_window import MainWindow
from tests.gui_support import Answers, show_active, user

Yes, No, Cancel = QMessageBox.StandardButton.Yes, QMessageBox.StandardButton.No, QMessageBox.StandardButton.Cancel


def signed_in_window(qtbot, name: str) -> MainWindow:
    main = MainWindow(signed_in(user(name)))
    qtbot.addWidget(main)
    main.resize(1366, 700)
    show_active(qtbot, main)
    return main


def type_text(target, text: str) -> None:
    """Letters and digits as key presses; Chinese as an input method commits it (拼音 → 汉字)."""
    if text.isascii():
        QTest.keyClicks(target, text)
    else:
        event = QInputMethodEvent()
        event.setCommitString(text)
        QApplication.sendEvent(target, event)


def focus(qtbot):
    """The widget keys go to; after a dialog closed, a window manager gives the main window back its
    activation (the offscreen platform has none, so do its part)."""
    if QApplication.focusWidget() is None:
        main = next(w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible())
        main.activateWindow()
        qtbot.waitUntil(lambda: QApplication.focusWidget() is not None, timeout=3000)
    return QApplication.focusWidget()


def press(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier, text: str = "") -> None:
    """A key (or text) typed where the focus is, as a person types it."""
    target = focus(qtbot)
    if text:
        type_text(target, text)
    if key is not None:
        QTest.keyClick(target, key, modifier)


def in_next_modal(text: str = "", key=Qt.Key.Key_Return) -> list[str]:
    """Type into the next modal dialog (message box, prompt) when it opens, then press `key`; returns the
    dialog's text once it was answered."""
    seen: list[str] = []

    def act() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, act)
            return
        seen.append(dialog.text() if isinstance(dialog, QMessageBox) else dialog.windowTitle())
        target = dialog.focusWidget() or dialog
        if text:
            type_text(target, text)
        QTest.keyClick(target, key)

    QTimer.singleShot(0, act)
    return seen


@pytest.fixture
def stay_on_fail_default():
    QSettings().remove(STAY_ON_FAIL)
    yield
    QSettings().remove(STAY_ON_FAIL)


def test_every_tab_has_its_shortcut_and_ctrl_tab_walks_them(qtbot, demo_roster, app_font):
    main = signed_in_window(qtbot, "admin")
    count = main.tabs.count()
    assert count == 12
    keys = "1234567890-="
    for n in range(count):
        assert main.tabs.tabToolTip(n) == f"Alt+{keys[n]}"
    for n in reversed(range(count)):  # 审计记录 (Alt+=) and 账号 (Alt+-) too, not only the first nine
        QTest.keyClick(main, keys[n], Qt.KeyboardModifier.AltModifier)
        assert main.tabs.currentIndex() == n, main.tabs.tabText(n)
    QTest.keyClick(main, Qt.Key.Key_Tab, Qt.KeyboardModifier.ControlModifier)
    assert main.tabs.currentIndex() == 1
    QTest.keyClick(main, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    QTest.keyClick(main, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert main.tabs.currentIndex() == count - 1, "Ctrl+Shift+Tab wraps round to the last tab"


def test_question_mark_lists_the_keys_of_the_page_in_front(qtbot, demo_roster, app_font, monkeypatch):
    from forms.keys_help import KeysDialog

    shown = []
    monkeypatch.setattr(KeysDialog, "exec", lambda dialog: shown.append(
        [dialog.table.item(r, 0).text() + " " + dialog.table.item(r, 1).text() for r in range(dialog.table.rowCount())]))
    main = signed_in_window(qtbot, "xuncha1")
    qtbot.waitUntil(main.patrol.search.hasFocus)
    main.patrol.view.setFocus()
    press(qtbot, Qt.Key.Key_Question, Qt.KeyboardModifier.ShiftModifier)
    assert shown and any("已完成的窗口" in row for row in shown[-1]), "the patrol page's keys first"
    assert main.patrol.search.text() == "", "? is not typed into the search box"
    main.patrol.search.setFocus()
    press(qtbot, None, text="A0?")
    assert main.patrol.search.text() == "A0?" and len(shown) == 1, "in a text box ? is a character"
    main.patrol.search.clear()
    press(qtbot, Qt.Key.Key_Return, text="A01")
    press(qtbot, Qt.Key.Key_F1)
    assert any(row.startswith("2 / x") for row in shown[-1]), "the inspection's keys"
    assert any(row.startswith("Alt+1") and "仪表盘" in row for row in shown[-1]), "and every tab's"


def test_tab_leaves_the_window_list_and_reaches_the_round_button(qtbot, demo_roster, app_font):
    main = signed_in_window(qtbot, "xuncha1")
    page = main.patrol
    page.view.setFocus()
    page.view.selectRow(0)
    press(qtbot, Qt.Key.Key_Tab)
    assert not page.view.hasFocus() and page.view.currentIndex().row() == 0, "Tab leaves the list, not the row"
    page.search.setFocus()
    order = []
    for _ in range(3):
        press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
        order.append(QApplication.focusWidget())
    assert order == [page.record_button, page.notice_button, page.start_button]


def test_a_failure_keeps_the_cursor_and_the_setting_moves_it_on(qtbot, demo_roster, app_font, stay_on_fail_default):
    main = signed_in_window(qtbot, "xuncha1")
    press(qtbot, Qt.Key.Key_Return, text="A01")
    page = main.inspection
    assert page.view.hasFocus() and page.stay_on_fail.isChecked()
    press(qtbot, Qt.Key.Key_X)
    assert page.view.currentIndex().row() == 0
    press(qtbot, Qt.Key.Key_1)
    assert page.view.currentIndex().row() == 1, "a pass moves on"
    page.stay_on_fail.setChecked(False)
    assert QSettings().value(STAY_ON_FAIL, type=bool) is False, "the choice is kept on this laptop"
    page.view.setFocus()
    press(qtbot, Qt.Key.Key_2)
    assert page.view.currentIndex().row() == 2


def test_a_finished_windows_code_asks_check_again_or_view_and_the_count_stays(qtbot, demo_roster, app_font,
                                                                            monkeypatch):
    from forms.finished_dialog import FinishedDialog

    answers = Answers(monkeypatch)
    viewed = []
    monkeypatch.setattr(FinishedDialog, "exec", lambda dialog: viewed.append(dialog.text.toPlainText()))
    main = signed_in_window(qtbot, "xuncha1")
    press(qtbot, Qt.Key.Key_Return, text="A02")
    page = main.inspection
    for _ in range(20):
        press(qtbot, Qt.Key.Key_A)
    answers.replies = [Yes, No]  # finalise; do not go on
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert main.patrol_stack.currentWidget() is main.patrol
    assert "已完成 1/40" in main.patrol.round_label.text()
    answers.replies = [No]  # view the finished one
    main.patrol.search.setFocus()
    press(qtbot, Qt.Key.Key_Return, text="A02")
    assert "本轮已定稿" in answers.asked[-1] and viewed and viewed[-1].startswith("A02")
    assert "得分 100" in viewed[-1] and main.patrol_stack.currentWidget() is main.patrol
    answers.replies = [Cancel]
    press(qtbot, Qt.Key.Key_Return, text="A02")
    assert main.patrol_stack.currentWidget() is main.patrol and len(viewed) == 1
    answers.replies = [Yes]  # check it again
    press(qtbot, Qt.Key.Key_Return, text="A02")
    assert main.patrol_stack.currentWidget() is page and page.inspection.status == "draft"
    press(qtbot, Qt.Key.Key_1)
    press(qtbot, Qt.Key.Key_Escape)
    assert "已完成 1/40" in main.patrol.round_label.text(), "the round's count never goes back"
    row = next(s for s in main.patrol.model.rows if s.code == "A02")
    assert row.state == "redo" and row.score == 100


def test_esc_on_an_untouched_draft_leaves_nothing_behind(qtbot, demo_roster, app_font):
    main = signed_in_window(qtbot, "xuncha1")
    before = Inspection.select().count()
    press(qtbot, Qt.Key.Key_Return, text="A03")
    assert Inspection.select().count() == before + 1
    press(qtbot, Qt.Key.Key_Escape)
    assert Inspection.select().count() == before and main.patrol_stack.currentWidget() is main.patrol
    row = next(s for s in main.patrol.model.rows if s.code == "A03")
    assert row.state == "todo"
    press(qtbot, Qt.Key.Key_Return, text="A03")
    press(qtbot, Qt.Key.Key_1)
    press(qtbot, Qt.Key.Key_Escape)
    assert Inspection.select().count() == before + 1, "a draft with a tick is kept"


def test_the_focused_button_can_be_seen(qtbot, demo_roster, app_font):
    main = signed_in_window(qtbot, "xuncha1")
    button = main.patrol.start_button
    main.patrol.search.setFocus()
    plain = button.grab().toImage()
    button.setFocus()
    qtbot.waitUntil(button.hasFocus)
    focused = button.grab().toImage()
    differing = sum(1 for x in range(0, plain.width(), 2) for y in range(0, plain.height(), 2)
                    if plain.pixel(x, y) != focused.pixel(x, y))
    assert differing > plain.width() // 2, "the focus changes the button's look, not a faint line"


def test_an_inspectors_walk_by_keys_alone(qtbot, demo_roster, app_font, stay_on_fail_default):
    """Sign in, start a round, type a window's code, tick, fail one item with a note and a photo on it,
    finalise, go on to the next window, then check a failed one again: key events only."""
    login = LoginDialog("示范区政务服务中心")
    qtbot.addWidget(login)
    show_active(qtbot, login)
    press(qtbot, Qt.Key.Key_Tab, text="xuncha1")
    press(qtbot, Qt.Key.Key_Return, text="patrol123")
    assert login.result() == LoginDialog.DialogCode.Accepted and login.user.username == "xuncha1"
    main = MainWindow(signed_in(login.user))
    qtbot.addWidget(main)
    main.resize(1366, 700)
    show_active(qtbot, main)
    qtbot.waitUntil(main.patrol.search.hasFocus)
    for _ in range(3):  # back from the search box: 打印巡查记录表, 打印整改通知单, 开始新一轮巡查
        press(qtbot, Qt.Key.Key_Backtab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is main.patrol.start_button
    press(qtbot, Qt.Key.Key_Space)
    round_ = main.patrol.round
    assert round_ is not None and "已完成 0/40" in main.patrol.round_label.text()
    assert main.patrol.search.hasFocus()

    press(qtbot, Qt.Key.Key_Return, text="A07")
    page = main.inspection
    assert page.title.text().startswith("A07") and page.view.hasFocus()
    press(qtbot, Qt.Key.Key_1)
    press(qtbot, Qt.Key.Key_1)
    failed_row = page.view.currentIndex().row()
    failed = page.model.items[failed_row]
    press(qtbot, Qt.Key.Key_X)
    seen = in_next_modal(text="工牌未佩戴")
    press(qtbot, Qt.Key.Key_N)
    assert seen == ["备注"]
    frame = QImage(320, 180, QImage.Format.Format_RGB32)  # a frame the inspector copied from the video
    frame.fill(Qt.GlobalColor.darkCyan)
    QGuiApplication.clipboard().setImage(frame)
    press(qtbot, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(page.model.photos.get(failed.id)), timeout=10_000)
    stored = ItemResult.get((ItemResult.item == failed.id) & (ItemResult.inspection == page.inspection))
    assert (stored.result, stored.note) == ("fail", "工牌未佩戴") and stored.photos.endswith(".jpg")
    seen = in_next_modal(key=Qt.Key.Key_Return)  # 还有 N 项未检查: OK
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert seen and "项未检查" in seen[0]
    assert focus(qtbot) is page.view and page.model.items[page.view.currentIndex().row()].id not in page.model.results
    while page.model.ticked() < page.model.checks():
        press(qtbot, Qt.Key.Key_A)
    confirm = in_next_modal()  # 确认定稿: Enter is 是
    following = in_next_modal()  # 检查下一个窗口 A08 吗: Enter is 是
    press(qtbot, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(following))
    assert "确认定稿" in confirm[0] and "A08" in following[0]
    assert page.title.text().startswith("A08") and main.patrol_stack.currentWidget() is page

    press(qtbot, Qt.Key.Key_Escape)  # not now: nothing ticked at A08, so no draft is left
    assert Inspection.select().where(Inspection.round == round_).count() == 1
    assert "已完成 1/40" in main.patrol.round_label.text()
    a07 = Inspection.get((Inspection.round == round_) & (Inspection.status == "final"))
    assert a07.window.code == "A07" and a07.score < 100
    again = in_next_modal(key=Qt.Key.Key_Y)  # 是: check it again
    press(qtbot, Qt.Key.Key_Return, text="A07")
    assert again and "本轮已定稿" in again[0]
    assert main.patrol_stack.currentWidget() is page and page.inspection.id != a07.id
    assert page.model.last, "a re-check shows last time's results"
    target = next(n for n, i in enumerate(page.model.items) if i.code == failed.code)
    step = Qt.Key.Key_J if target > page.view.currentIndex().row() else Qt.Key.Key_K
    for _ in range(abs(target - page.view.currentIndex().row())):
        press(qtbot, step)
    assert page.model.items[page.view.currentIndex().row()].code == failed.code
    photo = in_next_modal(key=Qt.Key.Key_Escape)  # o: last time's photo, whole; Esc closes it
    press(qtbot, Qt.Key.Key_O)
    assert photo and f"{failed.code} 上次的照片" in photo[0]


def test_tab_reaches_every_button_on_every_page_of_a_manager(qtbot, demo_roster, app_font):
    from PyQt6.QtWidgets import QAbstractButton, QAbstractItemView, QTabBar

    main = signed_in_window(qtbot, "admin")
    missed = []
    for n in range(main.tabs.count()):
        QTest.keyClick(main, main.tab_keys[n][-1], Qt.KeyboardModifier.AltModifier)
        page = main.page_in_front()
        assert all(not v.tabKeyNavigation() for v in page.findChildren(QAbstractItemView)), main.tabs.tabText(n)
        buttons = {b for b in page.findChildren(QAbstractButton) if b.isVisibleTo(main) and b.isEnabled()
                   and b.focusPolicy() & Qt.FocusPolicy.TabFocus and not isinstance(b.parentWidget(), QTabBar)}
        main.tabs.tabBar().setFocus()
        reached = set()
        for _ in range(200):
            press(qtbot, Qt.Key.Key_Tab)
            reached.add(QApplication.focusWidget())
            if buttons <= reached:
                break
        missed += [f"{main.tabs.tabText(n)}: {b.text() or b.objectName() or type(b).__name__}" for b in buttons - reached]
    assert not missed, "\n".join(missed)


def test_tab_through_the_settings_scrolls_each_one_into_view(qtbot, demo_roster, app_font):
    main = signed_in_window(qtbot, "admin")
    QTest.keyClick(main, "0", Qt.KeyboardModifier.AltModifier)  # 中心设置
    page = main.page_in_front()
    last = page.editors["update_stale_days"]
    page.editors["grades"].setFocus()
    for _ in range(60):
        if QApplication.focusWidget() is last:
            break
        press(qtbot, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is last, "every setting is reached by Tab"
    assert page.scroll.verticalScrollBar().value() > 0
    visible = page.scroll.viewport().rect()
    top_left = last.mapTo(page.scroll.viewport(), last.rect().topLeft())
    assert visible.contains(top_left), "the focused setting is scrolled into view"
