"""考核方案与对比: the schemes by month, and what a new version would change."""


from __future__ import annotations

from pathlib import Path

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QBrush, QColor
from PyQt6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import periods
from app.context import Context
from app.errors import PatrolError
from forms.assessment_common import fmt as _fmt
from forms.assessment_common import last_month as _last_month
from forms.dialogs import ask_reason
from forms.file_dialogs import open_file
from forms.i18n import tr
from forms.models import RowsModel
from forms.tables import read_only_table
from forms.tasks import run_task


class MoveModel(RowsModel):
    columns = (("编号", lambda m: m.code), ("名称", lambda m: m.name), ("现名次", lambda m: m.old_rank or "—"),
               ("新名次", lambda m: m.new_rank or "—"), ("现总分", lambda m: _fmt(m.old_total)),
               ("新总分", lambda m: _fmt(m.new_total)), ("变化", lambda m: m.change),
               ("分差", lambda m: "" if m.delta is None else f"{m.delta:+g}"), ("奖项", lambda m: m.award),
               ("原因", lambda m: "; ".join(m.why)))

    def extra_data(self, row, column, role):
        if role == Qt.ItemDataRole.BackgroundRole and row.change.startswith("↑"):
            return QBrush(QColor("#dff3e4"))
        if role == Qt.ItemDataRole.BackgroundRole and (row.change.startswith("↓") or row.change == "不再参加"):
            return QBrush(QColor("#fde2e1"))
        return None


class SchemesPage(QWidget):
    """The centre's schemes and versions; a proposed file compared with the version in force (what-if),
    then loaded to take effect next month."""

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.versions = QLabel()
        self.versions.setWordWrap(True)
        self.versions.setTextFormat(Qt.TextFormat.PlainText)
        self.period = QLineEdit(_last_month())
        self.file: Path | None = None
        self.file_label = QLabel(tr("未选择方案文件"))
        choose = QPushButton(tr("选择方案文件…"))
        choose.clicked.connect(self.choose)
        compare = QPushButton(tr("对比 (不保存)"))
        compare.clicked.connect(self.compare)
        load = QPushButton(tr("载入为新版本…"))
        load.clicked.connect(self.load)
        top = QHBoxLayout()
        top.addWidget(choose)
        top.addWidget(self.file_label, 1)
        top.addWidget(QLabel(tr("对比期间")))
        top.addWidget(self.period)
        top.addWidget(compare)
        top.addWidget(load)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.model = MoveModel()
        self.view = read_only_table(self.model)
        layout = QVBoxLayout(self)
        layout.addWidget(self.versions)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)
        self.refresh()

    def refresh(self) -> None:
        from app.assessment import schemes

        lines = [f"{v.code} 第{v.version}版 {v.name}: 自{v.effective_from.isoformat()}起 ({v.loaded_by}: {v.reason})"
                 for v in schemes.versions(centre_id=self.ctx.centre_id)]
        self.versions.setText(tr("本中心的考核方案:\n") + "\n".join(lines))

    def choose(self) -> None:
        path = open_file(self, tr("选择考核方案"), "scheme", tr("考核方案 (*.toml)"))
        if path:
            self.file = Path(path)
            self.file_label.setText(self.file.name)

    def _proposal(self):
        from app.assessment import schemes

        if self.file is None:
            raise PatrolError("请先选择方案文件")
        return schemes.read_file(self.file)

    def compare(self) -> None:
        from app.assessment import what_if

        try:
            proposal = self._proposal()
            period = periods.parse(self.period.text())
        except PatrolError as exc:
            QMessageBox.warning(self, tr("对比"), str(exc))
            return
        run_task(self, tr("正在按两个方案计算…"), lambda progress: what_if.compare(period, proposal,
                                                                          centre_id=self.ctx.centre_id), self.show_comparison)

    def show_comparison(self, result) -> None:
        moved = result.moved
        self.summary.setText(tr("{0}: 现行 {1} 第{2}版 → 拟用 {3}; {4} 个有变化 (绿: 上升, 红: 下降)").format(
            result.current.period.label, result.current.scheme.name, result.current.scheme.version,
            result.proposed.scheme.name, len(moved)))
        self.model.set_rows(result.moves)

    def load(self) -> None:
        from app.assessment import schemes

        try:
            proposal = self._proposal()
        except PatrolError as exc:
            QMessageBox.warning(self, tr("载入方案"), str(exc))
            return
        reason = ask_reason(self, tr("载入方案"), tr("{0} ({1}) 作为新版本, 下月起执行 (已开始的月份不变)").format(
            proposal.name, proposal.code))
        if reason is None:
            return
        try:
            stored, created = schemes.load_scheme(self.user, proposal, reason, centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("载入方案"), str(exc))
            return
        QMessageBox.information(self, tr("载入方案"), tr("{0} 第{1}版: 自{2}起执行").format(
            stored.code, stored.version, stored.effective_from.isoformat()) if created else tr("内容未变化"))
        self.refresh()
