"""Manager screens driven as a manager would, and long work off the UI thread."""

import datetime as dt
import threading

from app.centres.scope import signed_in
from app.centres.settings import load_settings, next_month_start
from app.patrolling import checklists
from app.results import probation
from app.storage.models import AuditEntry, ChecklistVersion, ProbationCase, Staff, User, Window
from forms import tasks
from forms.checklists_page import ChecklistsPage
from forms.main_window import MainWindow
from forms.manager_pages import ProbationPage
from forms.record_dialog import RecordDialog
from forms.roster_pages import AccountsPage, StaffPage, WindowsPage
from forms.settings_page import SettingsPage
from tests.gui_support import Answers, give_reasons, show_active, user


def fill_and_save(monkeypatch, values: dict):
    """Make RecordDialog.exec fill the form with `values` and press Save."""
    def fake_exec(dialog):
        for name, value in values.items():
            widget = dialog.widgets[name]
            if hasattr(widget, "findData"):
                widget.setCurrentIndex(widget.findData(value))
            elif hasattr(widget, "setChecked"):
                widget.setChecked(value)
            else:
                widget.setText(value)
        dialog.try_save()
        return dialog.result()
    monkeypatch.setattr(RecordDialog, "exec", fake_exec)


def test_a_manager_sees_the_manager_tabs_and_an_inspector_does_not(qtbot, demo_roster, app_font):
    manager, inspector = MainWindow(signed_in(user("admin"))), MainWindow(signed_in(user("xuncha1")))
    qtbot.addWidget(manager)
    qtbot.addWidget(inspector)
    titles = [manager.tabs.tabText(n) for n in range(manager.tabs.count())]
    assert {"考察案例", "窗口", "人员", "检查表", "中心设置", "账号", "审计记录"} <= set(titles)
    assert [inspector.tabs.tabText(n) for n in range(inspector.tabs.count())] == ["仪表盘", "巡查", "报表", "数据交换"]


def test_adding_a_window_through_the_form(qtbot, demo_roster, app_font, monkeypatch):
    page = WindowsPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    fill_and_save(monkeypatch, {"code": "C06", "name": "帮办窗口6号", "window_type": "帮办窗口",
                                "department": "政务服务中心", "area_code": "C", "reason": "新设帮办窗口"})
    page.add()
    assert Window.get(Window.code == "C06").window_type == "帮办窗口"
    assert any(w.code == "C06" for w in page.model.rows)
    assert AuditEntry.get(AuditEntry.window_code == "C06").reason == "新设帮办窗口"


def test_a_roster_change_without_a_reason_is_refused_and_a_cancelled_one_does_nothing(qtbot, demo_roster, app_font,
                                                                                       monkeypatch):
    answers = Answers(monkeypatch)
    page = WindowsPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    fill_and_save(monkeypatch, {"code": "C06", "name": "帮办窗口6号", "window_type": "帮办窗口",
                                "department": "政务服务中心", "area_code": "C", "reason": ""})
    page.add()
    assert "必须填写理由" in answers.asked[-1] and not Window.select().where(Window.code == "C06").exists()
    page.view.selectRow(0)
    first = page.selected()
    prompts = give_reasons(monkeypatch, ("", False), ("", True))
    page.toggle()  # cancelled
    page.toggle()  # empty
    assert len(prompts) == 2 and first.code in prompts[0] and "必须填写理由" in answers.asked[-1]
    assert Window.get_by_id(first.id).active


def test_a_bad_form_shows_the_problem_and_saves_nothing(qtbot, demo_roster, app_font, monkeypatch):
    answers = Answers(monkeypatch)
    page = WindowsPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    fill_and_save(monkeypatch, {"code": "A01", "name": "重复", "window_type": "综合窗口", "department": "", "area_code": "A",
                                "reason": "新设"})
    page.add()
    assert "已存在" in answers.asked[-1] and Window.select().count() == 40


def test_marking_a_person_away_and_editing_them(qtbot, demo_roster, app_font, monkeypatch):
    page = StaffPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    page.view.selectRow(0)
    person = page.selected()
    give_reasons(monkeypatch, ("长期病假", True))
    page.toggle()
    assert Staff.get_by_id(person.id).status == "inactive"
    assert AuditEntry.get(AuditEntry.employee_no == person.employee_no).reason == "长期病假"
    page.view.selectRow(0)
    fill_and_save(monkeypatch, {"employer": "新劳务公司", "window_code": "A02", "reason": "劳务合同变更"})
    page.edit()
    changed = Staff.get_by_id(person.id)
    assert changed.employer == "新劳务公司" and changed.window.code == "A02"


def test_adding_an_account_and_an_inspector_cannot_do_it(qtbot, demo_roster, app_font, monkeypatch):
    answers = Answers(monkeypatch)
    page = AccountsPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    fill_and_save(monkeypatch, {"username": "xuncha3", "display_name": "巡查员 赵", "role": "inspector", "password": "abc123"})
    page.add()
    assert User.get(User.username == "xuncha3").role == "inspector"
    sneaky = AccountsPage(signed_in(user("xuncha1")))
    qtbot.addWidget(sneaky)
    fill_and_save(monkeypatch, {"username": "boss2", "display_name": "x", "role": "manager", "password": "abc123"})
    sneaky.add()
    assert "无权" in answers.asked[-1] and not User.select().where(User.username == "boss2").exists()


def test_loading_a_changed_checklist_shows_a_new_version_side_by_side(qtbot, demo_roster, app_font, monkeypatch, tmp_path):
    Answers(monkeypatch)
    for f in checklists.SHIPPED_DIR.glob("*.toml"):
        text = f.read_text(encoding="utf-8")
        (tmp_path / f.name).write_text(text.replace("头发保持整洁清爽", "头发整洁"), encoding="utf-8")
    monkeypatch.setattr("forms.file_dialogs.QFileDialog.getOpenFileNames",
                        lambda *a, **k: ([str(p) for p in sorted(tmp_path.glob("*.toml"))], ""))
    page = ChecklistsPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    prompts = give_reasons(monkeypatch, ("", False))
    page.load_files()
    assert ChecklistVersion.select().count() == 1 and "WINDOW" in prompts[0], "cancelling the reason loads nothing"
    give_reasons(monkeypatch, ("按新规范修订", True))
    page.load_files()  # in the worker: a district version rebuilds the centres' extensions
    qtbot.waitUntil(lambda: any(r.change != "same" for r in page.model.rows), timeout=20000)
    assert ChecklistVersion.select().count() == 2
    changed = [r for r in page.model.rows if r.change != "same"]
    assert [(r.code, r.change) for r in changed] == [("APPEAR-01", "changed")]
    assert "修改 1" in page.summary.text()


def test_a_probation_decision_needs_a_reason_and_is_recorded(qtbot, demo_roster, app_font, monkeypatch):
    from tests.helpers import FAILING, inspect

    person = Staff.get(Staff.employee_no == "GW0001")
    inspect(person.window, user("xuncha1"), person, dt.datetime(2026, 9, 1, 10), fail=FAILING)
    page = ProbationPage(signed_in(user("admin")))  # sweeps as of today: the case has ended, no re-checks
    qtbot.addWidget(page)
    assert page.model.rows[0].status == "recommend_return"
    page.view.selectRow(0)
    monkeypatch.setattr("forms.manager_pages.QInputDialog.getText", lambda *a, **k: ("复查未达标", True))
    page.decide(probation.confirm_return, "退回理由")
    case = ProbationCase.get()
    assert case.status == "returned" and case.decision_reason == "复查未达标"
    assert Staff.get_by_id(person.id).status == "returned"


def test_settings_page_saves_valid_values_and_refuses_bad_ones(qtbot, demo_roster, app_font, monkeypatch):
    answers = Answers(monkeypatch)
    page = SettingsPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    page.editors["probation_days"].setValue(45)
    prompts = give_reasons(monkeypatch, ("局里要求延长", True))
    page.save()  # a rule: asked from when (the default answer, next month), in the worker
    qtbot.waitUntil(lambda: any(a.startswith("已保存") for a in answers.asked), timeout=10000)
    starts = next_month_start(dt.date.today())
    assert "评定" in answers.asked[0] and "考察期" in prompts[0]
    assert load_settings(starts).probation_days == 45 and load_settings().probation_days == 30
    assert AuditEntry.get(AuditEntry.action == "settings.rules").reason == "局里要求延长"
    assert "45" in page.schedule.text() and page.editors["probation_days"].value() == 45
    page.editors["smile_star_max"].setValue(2)  # not a rule: at once
    page.save()
    assert load_settings().smile_star_max == 2 and len(prompts) == 2
    page.save()
    assert answers.asked[-1] == "没有修改" and len(prompts) == 2
    page.editors["grades"].setText("优秀 95")
    page.save()
    assert "无效" in answers.asked[-1] and load_settings(starts).probation_days == 45


def test_long_work_runs_off_the_ui_thread_and_reports_back(qtbot, qapp):
    seen = {}

    def work(progress):
        seen["thread"] = threading.current_thread() is not threading.main_thread()
        for n in range(3):
            progress(n + 1, 3)
        return 42

    tasks.run_task(None, "测试", work, on_done=lambda r: seen.setdefault("result", r))
    qtbot.waitUntil(lambda: "result" in seen)
    assert seen == {"thread": True, "result": 42}


def test_errors_in_long_work_reach_the_user(qtbot, qapp):
    errors = []

    def work(progress):
        raise ValueError("磁盘已满")

    task = tasks.run_task(None, "测试", work, on_error=errors.append)
    qtbot.waitUntil(lambda: bool(errors))
    assert str(errors[0]) == "磁盘已满"
    assert task not in tasks._running


def test_the_windows_list_opens_sorted_by_code(qtbot, demo_roster, app_font):
    page = WindowsPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    codes = [page.proxy.index(r, 0).data() for r in range(page.proxy.rowCount())]
    assert len(codes) == 40 and codes == sorted(codes)


def test_settings_page_can_apply_a_rule_from_this_month_re_grading_it(qtbot, demo_roster, app_font, monkeypatch):
    from PyQt6.QtWidgets import QMessageBox

    answers = Answers(monkeypatch)
    answers.replies = [QMessageBox.StandardButton.No]  # 否: from this month, re-grading it
    page = SettingsPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    page.editors["grades"].setText("优秀=95,良好=85,合格=70")
    give_reasons(monkeypatch, ("局里通知本月起执行", True))
    page.save()
    qtbot.waitUntil(lambda: any(a.startswith("已保存") for a in answers.asked), timeout=10000)
    assert "已重新评定" in answers.asked[-1]
    assert load_settings().grades[-1].min_score == 70
    assert AuditEntry.get(AuditEntry.action == "inspection.regrade").reason.startswith("局里通知本月起执行")


def test_settings_are_grouped_each_with_a_typed_editor_and_its_help(qtbot, demo_roster, app_font, monkeypatch):
    from dataclasses import fields

    from PyQt6.QtWidgets import QCheckBox, QGroupBox, QScrollArea, QSpinBox

    from app.centres.setting_groups import GROUPS, HELP
    from app.centres.settings import CentreSettings

    grouped = [name for _, names in GROUPS for name in names]
    assert sorted(grouped) == sorted(f.name for f in fields(CentreSettings)), "every setting in exactly one group"
    answers = Answers(monkeypatch)
    page = SettingsPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    titles = [box.title() for box in page.findChildren(QGroupBox)]
    assert titles == ["评分与等级", "考察期", "评优", "绩效", "整改与申诉", "审批", "本中心"]
    assert isinstance(page.editors["second_approval"], QCheckBox)
    assert isinstance(page.editors["cap_total_at_100"], QCheckBox)
    days = page.editors["probation_days"]
    assert isinstance(days, QSpinBox) and days.minimum() == 1 and days.suffix() == " 天"
    assert all(page.editors[name].toolTip() == HELP[name] for name in grouped)
    assert page.scroll.widget().isAncestorOf(days) and isinstance(page.scroll, QScrollArea)
    page.editors["second_approval"].setChecked(True)  # turning it on needs no second manager
    give_reasons(monkeypatch, ("中心要求双人审批", True))
    page.save()
    assert answers.asked[-1] == "已保存" and load_settings().second_approval is True
    assert page.editors["second_approval"].isChecked()


def test_the_wheel_scrolls_the_settings_page_and_leaves_a_number_it_passes_over(qtbot, demo_roster, app_font):
    from PyQt6.QtCore import QPoint, QPointF, Qt
    from PyQt6.QtGui import QWheelEvent
    from PyQt6.QtWidgets import QApplication

    page = SettingsPage(signed_in(user("admin")))
    qtbot.addWidget(page)
    page.resize(1366, 600)
    show_active(qtbot, page)
    days = page.editors["probation_days"]
    bar = page.scroll.verticalScrollBar()
    assert bar.maximum() > 0, "the settings are longer than the page: it scrolls"
    centre = QPointF(days.rect().center())
    wheel = QWheelEvent(centre, QPointF(days.mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, -120),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(days, wheel)
    # Ignored, a real (spontaneous) wheel event goes on to the parents, up to the part that scrolls.
    assert days.value() == 30 and not wheel.isAccepted()
    viewport = page.scroll.viewport()
    QApplication.sendEvent(viewport, QWheelEvent(QPointF(10, 10), QPointF(viewport.mapToGlobal(QPoint(10, 10))),
                                                 QPoint(0, 0), QPoint(0, -120), Qt.MouseButton.NoButton,
                                                 Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False))
    assert bar.value() > 0
    days.setFocus()
    qtbot.waitUntil(days.hasFocus)
    QApplication.sendEvent(days, QWheelEvent(centre, QPointF(days.mapToGlobal(centre.toPoint())), QPoint(0, 0),
                                             QPoint(0, -120), Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier,
                                             Qt.ScrollPhase.NoScrollPhase, False))
    assert days.value() != 30, "a focused spin box takes the wheel, as Qt's do"
