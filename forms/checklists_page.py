"""Checklist versions side by side, and loading changed checklist files as a new version."""

from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QBrush, QColor
from PyQt6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.centres import wall
from app.context import Context
from app.domain import SEVERITIES
from app.errors import PatrolError
from app.patrolling import centre_checklists, checklist_versions, checklists
from forms.dialogs import ask_reason
from forms.file_dialogs import open_file, open_files, save_file
from forms.i18n import tr
from forms.models import RowsModel
from forms.tasks import run_task

CHANGE_LABELS = {"added": "新增", "removed": "删除", "changed": "修改", "same": ""}
CHANGE_COLOURS = {"added": "#dff3e4", "removed": "#fde2e1", "changed": "#fff4ce"}


def _describe(item) -> str:
    if item is None:
        return ""
    sev = "" if item.severity == "normal" else f"【{SEVERITIES[item.severity]}】"
    return f"{sev}{item.text} (扣 {item.deduction:g}; {item.clause})"


class CompareModel(RowsModel):
    columns = (("编号", lambda c: c.code), ("变化", lambda c: CHANGE_LABELS[c.change]),
               ("旧版本", lambda c: _describe(c.old)), ("新版本", lambda c: _describe(c.new)))

    def extra_data(self, row, column, role):
        if role == Qt.ItemDataRole.BackgroundRole and row.change in CHANGE_COLOURS:
            return QBrush(QColor(CHANGE_COLOURS[row.change]))
        return None


class ChecklistsPage(QWidget):
    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.old_box = QComboBox()
        self.new_box = QComboBox()
        self.summary = QLabel()
        self.model = CompareModel()
        self.view = QTableView()
        self.view.setTabKeyNavigation(False)  # Tab goes on to the buttons; arrows move in the list
        self.view.setModel(self.model)
        self.view.setWordWrap(True)
        self.view.verticalHeader().setVisible(False)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        load = QPushButton(tr("载入检查表文件为新版本…"))
        load.clicked.connect(self.load_files)
        to_excel = QPushButton(tr("新版本导出为 Excel…"))
        to_excel.clicked.connect(self.export_excel)
        from_excel = QPushButton(tr("从 Excel 导入…"))
        from_excel.clicked.connect(self.import_excel)
        # The district's checklists are the district's to change; a centre's account only adds its own items.
        load.setVisible(user.centre_id is None)
        from_excel.setVisible(user.centre_id is None)
        self.in_use = QLabel()
        self.extend_button = QPushButton(tr("增加本中心检查项…"))
        self.extend_button.setToolTip(tr("在区级检查表上增加本中心的检查项 (分类文件 *.toml 或工作簿); 区级检查项不能改动"))
        self.extend_button.clicked.connect(self.extend)
        self.adopt_button = QPushButton(tr("本中心改用所选检查表…"))
        self.adopt_button.clicked.connect(self.adopt)
        self.old_box.currentIndexChanged.connect(self.compare)
        self.new_box.currentIndexChanged.connect(self.compare)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("旧版本")))
        top.addWidget(self.old_box)
        top.addWidget(QLabel(tr("新版本")))
        top.addWidget(self.new_box)
        top.addWidget(self.summary, 1)
        top.addWidget(load)
        top.addWidget(to_excel)
        top.addWidget(from_excel)
        own = QHBoxLayout()
        own.addWidget(self.in_use, 1)
        own.addWidget(self.extend_button)
        own.addWidget(self.adopt_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(own)
        layout.addWidget(self.view, 1)
        self.refresh()

    def refresh(self) -> None:
        versions = centre_checklists.versions(centre_id=self.ctx.centre_id)
        # Only a centre has a checklist in use; the district's own view loads the district's checklists.
        centred = self.ctx.centre_id is not None
        self.extend_button.setVisible(centred)
        self.adopt_button.setVisible(centred)
        if centred:
            code = centre_checklists.in_use(centre_id=self.ctx.centre_id)
            whose = next((w for c, _n, w, _v in centre_checklists.checklist_rows(centre_id=self.ctx.centre_id) if c == code), "")
            self.in_use.setText(tr("本中心巡查使用: {0} ({1})").format(code, whose))
        else:
            self.in_use.setText(tr("区级检查表对全区各中心适用; 各中心可在其上增加本中心的检查项"))
        for box in (self.old_box, self.new_box):
            box.blockSignals(True)
            box.clear()
            for v in versions:
                box.addItem(f"{v.checklist.code} 第{v.version}版 ({v.loaded_at:%Y-%m-%d})", v.id)
            box.blockSignals(False)
        if versions:
            self.new_box.setCurrentIndex(len(versions) - 1)
            self.old_box.setCurrentIndex(max(0, len(versions) - 2))
        self.compare()

    def compare(self) -> None:
        old, new = self.old_box.currentData(), self.new_box.currentData()
        if old is None or new is None:
            self.model.set_rows([])
            return
        rows = checklists.compare_versions(old, new)
        counts = {k: sum(1 for r in rows if r.change == k) for k in CHANGE_LABELS}
        self.summary.setText(tr("共 {0} 项 · 新增 {1} · 修改 {2} · 删除 {3}").format(
            len(rows), counts["added"], counts["changed"], counts["removed"]))
        self.model.set_rows(rows)

    def export_excel(self) -> None:
        from exports.checklist_xlsx import checklist_workbook

        version_id = self.new_box.currentData()
        if version_id is None:
            return
        version = wall.fetch(self.ctx, "checklist_version", version_id)
        path = save_file(self, tr("导出检查表"), "checklist", f"{version.checklist.code}-第{version.version}版.xlsx", "*.xlsx")
        if path:
            count = checklist_workbook(path if path.endswith(".xlsx") else path + ".xlsx", version)
            QMessageBox.information(self, tr("导出检查表"), tr("已导出 {0} 个检查项").format(count))

    def _reason_if_new(self, definitions) -> str | None:
        """A reason when the files make a new version ("" when nothing would change); None if cancelled."""
        codes = checklists.new_content(definitions)
        if not codes:
            return ""
        return ask_reason(self, tr("载入新版本"), tr("{0} 的内容有变化, 将成为新版本").format("、".join(codes)))

    def import_excel(self) -> None:
        from app.patrolling.checklist_rows import rows_to_checklist
        from exports.table_reader import read_table

        path = open_file(self, tr("选择检查表工作簿"), "checklist", tr("表格 (*.xlsx *.xls *.ods *.csv)"))
        if not path:
            return
        try:
            definition = rows_to_checklist(Path(path).name, read_table(path))
            reason = self._reason_if_new([definition])
            if reason is None:
                return
        except PatrolError as exc:
            QMessageBox.warning(self, tr("检查表有误"), str(exc))
            return

        def done(results) -> None:
            version, created = results[0]
            QMessageBox.information(self, tr("导入检查表"), f"{version.checklist.code} 第 {version.version} 版: "
                                    + (tr("已载入为新版本") if created else tr("内容未变化")))
            self.refresh()

        # A district version rebuilds every centre's extension: in the worker.
        run_task(self, tr("正在载入检查表…"), lambda progress: checklist_versions.register(
            [definition], source=Path(path).name, user=self.user, reason=reason), done, self._failed)

    def load_files(self) -> None:
        paths = open_files(self, tr("选择检查表文件 (含全部分类)"), "checklist", tr("检查表 (*.toml)"))
        if not paths:
            return
        try:
            definitions = checklists.load_files(paths)
            reason = self._reason_if_new(definitions)
            if reason is None:
                return
        except PatrolError as exc:
            QMessageBox.warning(self, tr("检查表有误"), str(exc))
            return

        def done(results) -> None:
            lines = [f"{v.checklist.code} 第 {v.version} 版: " + (tr("已载入为新版本") if created else tr("内容未变化"))
                     for v, created in results]
            QMessageBox.information(self, tr("载入检查表"), "\n".join(lines))
            self.refresh()

        run_task(self, tr("正在载入检查表…"), lambda progress: checklist_versions.register(
            definitions, source=", ".join(paths), user=self.user, reason=reason), done, self._failed)

    def extend(self) -> None:
        paths = open_files(self, tr("选择本中心增加的检查项 (分类文件或工作簿)"), "checklist",
                           tr("检查表 (*.toml *.xlsx *.xls *.ods)"))
        if not paths:
            return
        try:
            if len(paths) == 1 and not paths[0].lower().endswith(".toml"):
                from app.patrolling.checklist_rows import rows_to_checklist
                from exports.table_reader import read_table

                definitions = [rows_to_checklist(Path(paths[0]).name, read_table(paths[0]))]
            else:
                definitions = checklists.load_files(paths)
            reason = ask_reason(self, tr("增加本中心检查项"), tr("在区级检查表 {0} 上增加本中心的检查项; 本中心此后按扩展后的检查表巡查")
                                .format("、".join(d.code for d in definitions)))
            if reason is None:
                return
            version, created = centre_checklists.extend(definitions, self.user, reason,
                                                        source=", ".join(Path(p).name for p in paths), centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("检查表有误"), str(exc))
            return
        QMessageBox.information(self, tr("增加本中心检查项"), tr("{0} 第 {1} 版 ({2}): 本中心此后按此巡查").format(
            version.checklist.code, version.version, tr("已载入为新版本") if created else tr("内容未变化")))
        self.refresh()

    def adopt(self) -> None:
        version_id = self.new_box.currentData()
        if version_id is None:
            return
        code = wall.fetch(self.ctx, "checklist_version", version_id).checklist.code
        if code == centre_checklists.in_use(centre_id=self.ctx.centre_id):
            QMessageBox.information(self, tr("选定检查表"), tr("本中心已在使用 {0}").format(code))
            return
        reason = ask_reason(self, tr("选定检查表"), tr("本中心此后的巡查改用 {0}").format(code))
        if reason is None:
            return
        try:
            centre_checklists.adopt(code, self.user, reason, centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("选定检查表"), str(exc))
            return
        self.refresh()

    def _failed(self, exc: Exception) -> None:
        QMessageBox.warning(self, tr("检查表有误"), str(exc))
