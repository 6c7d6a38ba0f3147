"""好差评导入: preview a month's ratings (unmatched and duplicate rows shown), then apply them in the worker."""


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
from app.assessment.ratings import apply_ratings
from app.context import Context
from app.errors import PatrolError
from forms.assessment_common import last_month as _last_month
from forms.file_dialogs import open_file
from forms.i18n import tr
from forms.models import RowsModel
from forms.tables import read_only_table
from forms.tasks import run_task


class RatingRowModel(RowsModel):
    columns = (("行", lambda r: r.where.row), ("窗口", lambda r: r.window_text), ("人员", lambda r: r.staff_text),
               ("评价", lambda r: r.levels),
               ("日期", lambda r: r.rated_on.isoformat() if r.rated_on else ""), ("意见", lambda r: r.comment),
               ("情况", lambda r: _rating_status(r)))

    def extra_data(self, row, column, role):
        if role == Qt.ItemDataRole.BackgroundRole:
            if row.status != "new":
                return QBrush(QColor("#eeeeee"))
            if not row.matched:
                return QBrush(QColor("#fff4ce"))
            if row.bad:
                return QBrush(QColor("#fde2e1"))
        return None


def _rating_status(row) -> str:
    if row.status == "imported":
        return "已导入过, 不再导入"
    if row.status == "repeated":
        return "本文件中重复, 不再导入"
    if not row.matched:
        return "未匹配: 保留, 不计入满意率"
    return "差评: 将开整改项" if row.bad else "新"


class RatingsPage(QWidget):
    """好差评 import: choose the month's export, see every row (unmatched and duplicates marked), import."""

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.plan = None
        self.month = QLineEdit(_last_month())
        choose = QPushButton(tr("选择好差评导出表并预览…"))
        choose.clicked.connect(self.choose)
        self.apply_button = QPushButton(tr("导入"))
        self.apply_button.setEnabled(False)
        self.apply_button.clicked.connect(self.apply)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("月份")))
        top.addWidget(self.month)
        top.addWidget(choose)
        top.addWidget(self.apply_button)
        top.addStretch(1)
        self.summary = QLabel(tr("每个差评 (不满意、非常不满意) 开一个整改项, 15 个工作日内整改 (工作日按节假日表计算)"))
        self.summary.setWordWrap(True)
        self.model = RatingRowModel()
        self.view = read_only_table(self.model)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)

    def choose(self) -> None:
        path = open_file(self, tr("选择好差评导出表"), "ratings", tr("表格 (*.xlsx *.xls *.ods *.csv)"))
        if path:
            self.preview(Path(path))

    def preview(self, path: Path) -> None:
        from app.assessment.ratings import plan_ratings
        from exports.table_reader import read_table

        try:
            month = periods.month(self.month.text())
        except PatrolError as exc:
            QMessageBox.warning(self, tr("好差评"), str(exc))
            return

        def work(progress):
            return plan_ratings(path.name, read_table(path), month, centre_id=self.ctx.centre_id)

        def done(plan):
            self.plan = plan
            self.model.set_rows(plan.rows)
            self.summary.setText(plan.summary())
            self.apply_button.setEnabled(bool(plan.new))

        run_task(self, tr("正在读取…"), work, done)

    def apply(self) -> None:
        if self.plan is None:
            return
        plan, ctx = self.plan, self.ctx  # said here, in the screen thread, and handed to the worker

        def done(counts) -> None:
            written, opened = counts
            QMessageBox.information(self, tr("好差评"), tr("已导入 {0} 行, 开出整改项 {1} 个").format(written, opened))
            self.plan = None
            self.apply_button.setEnabled(False)

        run_task(self, tr("正在导入好差评…"), lambda progress: apply_ratings(ctx, plan), done)
