"""The main window: one tab per page; the patrol tab flips between the window list and an inspection."""

from __future__ import annotations

import importlib

from PyQt6.QtCore import QTimer
from PyQt6.QtGui import QAction, QKeySequence
from PyQt6.QtWidgets import QMainWindow, QMessageBox, QStackedWidget, QTabWidget

from app.centres import scope, wall
from app.centres.centre import current_centre
from app.context import Context
from app.domain import ROLES
from app.patrolling import patrol
from app.patrolling.notices import with_role
from forms.dashboard_page import DashboardPage
from forms.i18n import tr
from forms.inspection_page import InspectionPage
from forms.keys_help import KeysDialog, tab_shortcuts
from forms.lazy_page import LazyPage
from forms.patrol_page import PatrolPage

# (tab title, module, page class): every page takes the signed-in user.
MANAGER_TABS = (
    ("考察案例", "forms.manager_pages", "ProbationPage"), ("考核", "forms.assessment_page", "AssessmentPage"),
    ("窗口", "forms.roster_pages", "WindowsPage"),
    ("人员", "forms.roster_pages", "StaffPage"), ("检查表", "forms.checklists_page", "ChecklistsPage"),
    ("中心设置", "forms.settings_page", "SettingsPage"), ("账号", "forms.roster_pages", "AccountsPage"),
    ("审计记录", "forms.audit_page", "AuditPage"),
)


_current: MainWindow | None = None  # the window switch_centre opened last


def current_window() -> MainWindow | None:
    """The main window a centre switch put on screen (the first one is held by forms.app.run)."""
    return _current


def _page(module: str, name: str, ctx: Context):
    return getattr(importlib.import_module(module), name)(ctx)


class MainWindow(QMainWindow):
    def __init__(self, ctx: Context):
        super().__init__()
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        centre = current_centre(centre_id=self.ctx.centre_id)
        # A district's account (no centre of its own) in a database of many centres sees the district
        # first, and steps into any centre; a centre's account sees its centre only, as before.
        self.district_view = user.centre_id is None and scope.is_district()
        where = tr("全区") if self.district_view and self.ctx.centre_id is None else (centre.name if centre else "")
        self.setWindowTitle(tr("窗口巡查 · {0} · {1}").format(where, with_role(ROLES[user.role], user.display_name)))
        self.dashboard = DashboardPage(ctx)
        self.patrol = PatrolPage(ctx)
        self.inspection = InspectionPage()
        self.patrol_stack = QStackedWidget()
        self.patrol_stack.addWidget(self.patrol)
        self.patrol_stack.addWidget(self.inspection)
        self.tabs = QTabWidget()
        self.district = None
        if self.district_view:
            from forms.district_page import DistrictPage

            self.district = DistrictPage(ctx)
            self.district.enter_centre.connect(self.switch_centre)
            self.tabs.addTab(self.district, tr("各中心"))
            self._centre_menu()
        self.tabs.addTab(self.dashboard, tr("仪表盘"))
        self.tabs.addTab(self.patrol_stack, tr("巡查"))
        # The other tabs are built (and their modules imported) when first opened: start-up is the
        # time to the first screen, and most sessions never open the manager pages.
        self.tabs.addTab(LazyPage(lambda: _page("forms.export_page", "ExportPage", ctx)), tr("报表"))
        self.tabs.addTab(LazyPage(lambda: _page("forms.exchange_page", "ExchangePage", ctx)), tr("数据交换"))
        if user.role == "manager":
            for title, module, name in MANAGER_TABS:
                self.tabs.addTab(LazyPage(lambda module=module, name=name: _page(module, name, ctx)), tr(title))
        self.setCentralWidget(self.tabs)
        # Before tab_changed is connected: the pages have just filled themselves.
        self.tabs.setCurrentWidget(self.district if self.district is not None and self.ctx.centre_id is None
                                   else self.patrol_stack if user.role == "inspector" else self.dashboard)
        self.tabs.currentChanged.connect(self.tab_changed)
        self.patrol.open_window.connect(self.open_window)
        self.inspection.back.connect(self.show_patrol)
        self.inspection.finished.connect(self.after_finalise)
        self.dashboard.recheck.connect(self.recheck)
        self._keyboard()
        # Fill the dashboard just after the window is shown: a large centre's figures take a moment,
        # and the window should be there at once. An inspector starts on the patrol page; their
        # dashboard fills when first opened.
        if self.tabs.currentWidget() is self.dashboard:
            QTimer.singleShot(0, self.dashboard.refresh)
        self.resize(1366, 768)
        if user.role == "inspector":
            self.patrol.search.setFocus()  # a scan right after signing in lands in the search box

    def _keyboard(self) -> None:
        """Every tab by a shortcut (named in its tooltip), the next and previous tab, and ? for the keys."""
        titles = [self.tabs.tabText(n) for n in range(self.tabs.count())]
        self.tab_keys = tab_shortcuts(titles, self.district is not None)
        for n, key in enumerate(self.tab_keys):
            if key:
                self._shortcut(key, lambda n=n: self.tabs.setCurrentIndex(n))
                self.tabs.setTabToolTip(n, key)
        count = self.tabs.count()
        for key in ("Ctrl+Tab", "Ctrl+PgDown"):
            self._shortcut(key, lambda: self.tabs.setCurrentIndex((self.tabs.currentIndex() + 1) % count))
        for key in ("Ctrl+Shift+Tab", "Ctrl+Backtab", "Ctrl+PgUp"):
            self._shortcut(key, lambda: self.tabs.setCurrentIndex((self.tabs.currentIndex() - 1) % count))
        for key in ("?", "Shift+?", "F1"):
            self._shortcut(key, self.show_keys)

    def _shortcut(self, key: str, slot) -> None:
        action = QAction(self)
        action.setShortcut(QKeySequence(key))
        action.triggered.connect(lambda _=False: slot())
        self.addAction(action)

    def page_in_front(self):
        page = self.tabs.currentWidget()
        if isinstance(page, QStackedWidget):
            page = page.currentWidget()
        if isinstance(page, LazyPage):
            page = page.page
        return page

    def show_keys(self) -> None:
        """? or F1: the keys of the page in front, then the window's."""
        title = self.tabs.tabText(self.tabs.currentIndex())
        page = self.page_in_front()
        tabs = [(key, self.tabs.tabText(n)) for n, key in enumerate(self.tab_keys)]
        KeysDialog(title, getattr(page, "KEYS", ()), tabs, self).exec()

    def tab_changed(self, index: int) -> None:
        page = self.tabs.widget(index)
        if page is self.dashboard:
            self.dashboard.refresh()
        elif page is self.patrol_stack and self.patrol_stack.currentWidget() is self.patrol:
            self.patrol.refresh()
            self.patrol.search.setFocus()
        elif hasattr(page, "refresh"):
            page.refresh()

    def _centre_menu(self) -> None:
        from app.centres import district

        menu = self.menuBar().addMenu(tr("中心"))
        whole = menu.addAction(tr("全区"))
        whole.triggered.connect(lambda: self.switch_centre(None))
        menu.addSeparator()
        for centre in district.centres():
            action = menu.addAction(f"{centre.code} {centre.name}")
            action.triggered.connect(lambda _=False, cid=centre.id: self.switch_centre(cid))

    def switch_centre(self, centre_id: int | None) -> None:
        """Step into a centre (or back to the district): every page is built again for it."""
        successor = MainWindow(scope.context(self.user, centre_id))
        successor.resize(self.size())
        successor.show()
        # Kept alive in one place, not by the window it replaces: stepping in and out many times
        # leaves one main window, not a chain of closed ones (a replaced one is freed with its wrapper).
        global _current
        _current = successor
        self.close()

    def open_window(self, window_id: int) -> None:
        round_ = self.patrol.ensure_round()
        insp = patrol.open_inspection(round_, wall.fetch(self.ctx, "window", window_id), self.user)
        self.inspection.load(insp)
        self.tabs.setCurrentWidget(self.patrol_stack)
        self.patrol_stack.setCurrentWidget(self.inspection)
        self.inspection.view.setFocus()

    def recheck(self, window_code: str) -> None:
        window = patrol.window_in_view(window_code, centre_id=self.ctx.centre_id)
        if window is not None:
            self.open_window(window.id)

    def show_patrol(self) -> None:
        self.patrol.refresh()
        self.patrol_stack.setCurrentWidget(self.patrol)
        self.patrol.search.setFocus()

    def after_finalise(self, inspection_id: int) -> None:
        insp = wall.fetch(self.ctx, "inspection", inspection_id)
        self.patrol.refresh()
        following = patrol.next_window(self.patrol.round, insp.window.code,
                                       centre_id=self.ctx.centre_id) if self.patrol.round else None
        text = tr("{0} 已定稿: {1} 分, {2}。").format(insp.window.code, f"{insp.score:g}", insp.grade)
        if insp.staff_id and not insp.passed:
            text += tr("\n{0} 进入考察期 (或已记入考察记录)。").format(insp.staff.name)
        if following is None:
            QMessageBox.information(self, tr("已定稿"), text + tr("\n本轮全部窗口已完成。"))
            self.show_patrol()
            return
        answer = QMessageBox.question(self, tr("已定稿"), text + tr("\n检查下一个窗口 {0} {1} 吗?").format(
            following.code, following.name))
        if answer == QMessageBox.StandardButton.Yes:
            self.open_window(following.window_id)
        else:
            self.show_patrol()
