"""Manager pages for the roster: windows and staff (add, edit, deactivate), and accounts."""

from __future__ import annotations

from PyQt6.QtCore import QSortFilterProxyModel, Qt
from PyQt6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.context import Context
from app.domain import GENDERS, POSTS, ROLES, STAFF_STATUSES, WINDOW_TYPES
from app.errors import PatrolError
from app.loop import approvals
from app.people import roster
from app.people.roster import StaffData, WindowData, save_staff, save_window, set_staff_status, set_window_active
from app.storage.models import Staff, User, Window
from forms.dialogs import ask_reason
from forms.i18n import tr
from forms.models import RowsModel
from forms.record_dialog import Field, RecordDialog


class ListPage(QWidget):
    """A searchable table of rows with add / edit / toggle buttons; subclasses say what rows and forms."""

    model_class: type[RowsModel]
    toggle_label = "停用 / 启用"
    KEYS = (("回车 / 双击", "编辑选中的一行"), ("输入", "在搜索框中筛选 (Tab 到搜索框)"),
            ("↑ ↓", "在列表中移动; 点击列标题排序"))
    needs_reason = True  # roster changes carry a reason into the audit trail (accounts do not)

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.model = self.model_class()
        self.proxy = QSortFilterProxyModel()
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.view = QTableView()
        self.view.setTabKeyNavigation(False)  # Tab goes on to the buttons; arrows move in the list
        self.view.setModel(self.proxy)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)  # Qt's default indicator is descending
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().setVisible(False)
        self.view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.activated.connect(lambda _: self.edit())
        search = QLineEdit()
        search.setPlaceholderText(tr("搜索"))
        search.textChanged.connect(self.proxy.setFilterFixedString)
        buttons = QHBoxLayout()
        for label, slot in ((tr("新增"), self.add), (tr("编辑"), self.edit), (tr(self.toggle_label), self.toggle)):
            button = QPushButton(label)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(search)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        self.refresh()

    def selected(self):
        index = self.view.currentIndex()
        return self.proxy.data(index, Qt.ItemDataRole.UserRole) if index.isValid() else None

    def open_form(self, title: str, values: dict, save) -> bool:
        fields = self.fields() + ([Field("reason", "修改理由 (必填)")] if self.needs_reason else [])
        dialog = RecordDialog(title, fields, values, save, self)
        ok = dialog.exec() == RecordDialog.DialogCode.Accepted
        if ok:
            self.refresh()
        return ok

    def add(self) -> None:
        self.open_form(tr("新增"), self.blank(), lambda v: self.save(v, None))

    def edit(self) -> None:
        row = self.selected()
        if row is not None:
            self.open_form(tr("编辑"), self.values_of(row), lambda v: self.save(v, row))

    def toggle(self) -> None:
        row = self.selected()
        if row is None:
            return
        reason = ""
        if self.needs_reason:
            reason = ask_reason(self, tr(self.toggle_label), self.describe(row))
            if reason is None:
                return
        try:
            self.toggle_row(row, reason)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("无法修改"), str(exc))
        self.refresh()


def _area_choices(centre_id: int | None):
    return [(a.name, a.code) for a in roster.areas(centre_id=centre_id)]


class WindowModel(RowsModel):
    columns = (("编号", lambda w: w.code), ("名称", lambda w: w.name), ("类型", lambda w: w.window_type),
               ("部门", lambda w: w.department), ("区域", lambda w: w.area.name),
               ("状态", lambda w: "在用" if w.active else "已停用"))


class WindowsPage(ListPage):
    model_class = WindowModel

    def refresh(self) -> None:
        self.model.set_rows(roster.windows(centre_id=self.ctx.centre_id))

    def fields(self):
        return [Field("code", "窗口编号"), Field("name", "窗口名称"),
                Field("window_type", "窗口类型", "choice", [(t, t) for t in WINDOW_TYPES]),
                Field("department", "进驻部门"), Field("area_code", "区域", "choice", _area_choices(self.ctx.centre_id))]

    def blank(self) -> dict:
        return {"window_type": WINDOW_TYPES[0]}

    def values_of(self, w: Window) -> dict:
        return {"code": w.code, "name": w.name, "window_type": w.window_type, "department": w.department,
                "area_code": w.area.code}

    def save(self, v: dict, w: Window | None):
        reason = v.pop("reason")
        return save_window(self.user, WindowData(active=w.active if w else True, **v), w, reason=reason,
                           centre_id=self.ctx.centre_id)

    def describe(self, w: Window) -> str:
        return tr("{0} {1}: {2}").format(w.code, w.name, tr("停用") if w.active else tr("启用"))

    def toggle_row(self, w: Window, reason: str) -> None:
        set_window_active(self.user, w, not w.active, reason=reason)


class StaffModel(RowsModel):
    columns = (("工号", lambda s: s.employee_no), ("姓名", lambda s: s.name), ("性别", lambda s: GENDERS[s.gender]),
               ("党员", lambda s: "是" if s.party_member else ""), ("用工单位", lambda s: s.employer),
               ("窗口", lambda s: s.window.code if s.window_id else ""), ("岗位", lambda s: POSTS.get(s.post, s.post)),
               ("状态", lambda s: STAFF_STATUSES.get(s.status, s.status)))


class StaffPage(ListPage):
    model_class = StaffModel
    toggle_label = "在岗 / 离岗"

    def refresh(self) -> None:
        self.model.set_rows(roster.people(centre_id=self.ctx.centre_id))

    def fields(self):
        windows = [(tr("(无)"), "")] + [(f"{w.code} {w.name}", w.code) for w in roster.windows(centre_id=self.ctx.centre_id)]
        return [Field("employee_no", "工号"), Field("name", "姓名"),
                Field("gender", "性别", "choice", [(v, k) for k, v in GENDERS.items()]),
                Field("party_member", "党员", "check"), Field("employer", "用工单位 / 劳务公司"),
                Field("window_code", "窗口", "choice", windows),
                Field("post", "岗位", "choice", [(v, k) for k, v in POSTS.items()]),
                Field("status", "状态", "choice", [(v, k) for k, v in STAFF_STATUSES.items()])]

    def blank(self) -> dict:
        return {"gender": "F", "post": "A", "status": "active", "window_code": ""}

    def values_of(self, s: Staff) -> dict:
        return {"employee_no": s.employee_no, "name": s.name, "gender": s.gender, "party_member": s.party_member,
                "employer": s.employer, "window_code": s.window.code if s.window_id else "", "post": s.post,
                "status": s.status}

    def save(self, v: dict, s: Staff | None):
        reason = v.pop("reason")
        return save_staff(self.user, StaffData(**v), s, reason=reason, centre_id=self.ctx.centre_id)

    def describe(self, s: Staff) -> str:
        return tr("{0} {1}: {2}").format(s.employee_no, s.name, tr("离岗") if s.status == "active" else tr("在岗"))

    def toggle_row(self, s: Staff, reason: str) -> None:
        set_staff_status(self.user, s, "inactive" if s.status == "active" else "active", reason=reason)


class AccountModel(RowsModel):
    columns = (("用户名", lambda u: u.username), ("姓名", lambda u: u.display_name), ("角色", lambda u: ROLES[u.role]),
               ("状态", lambda u: "可用" if u.active else "已停用"))


class AccountsPage(ListPage):
    model_class = AccountModel
    needs_reason = False

    def refresh(self) -> None:
        self.model.set_rows(roster.accounts(self.user, centre_id=self.ctx.centre_id))

    def fields(self):
        return [Field("username", "用户名"), Field("display_name", "姓名"),
                Field("role", "角色", "choice", [(v, k) for k, v in ROLES.items()]),
                Field("password", "密码 (编辑时留空则不修改)", "password")]

    def blank(self) -> dict:
        return {"role": "inspector"}

    def values_of(self, u: User) -> dict:
        return {"username": u.username, "display_name": u.display_name, "role": u.role}

    def save(self, v: dict, u: User | None):
        if u is None:
            outcome, done = approvals.add_account_or_request(self.user, v["username"], v["display_name"], v["role"],
                                                             v["password"], centre_id=self.ctx.centre_id)
        else:
            if v["username"] != u.username:
                raise PatrolError("用户名创建后不能修改")
            u.display_name = v["display_name"].strip() or u.display_name
            outcome, done = approvals.manage_account_or_request(self.user, u, role=v["role"],
                                                                password=v["password"] or None)
        self._said_pending(outcome, done)
        return done

    def toggle_row(self, u: User, reason: str = "") -> None:
        self._said_pending(*approvals.manage_account_or_request(self.user, u, active=not u.active))

    def _said_pending(self, outcome: str, done) -> None:
        if outcome == "pending":
            QMessageBox.information(self, tr("已提交审批"), tr(
                "本中心实行双人审批: 管理员账号 {0} 须另一名管理员批准 (审批编号 {1}) 后生效。").format(done.target, done.id))
