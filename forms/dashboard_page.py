"""Dashboard: today's progress, probation cases due, this month's ranking, weekly average chart."""

from __future__ import annotations

import datetime as dt

from PyQt6.QtCore import QPointF, QRectF, Qt, pyqtSignal
from PyQt6.QtGui import QColor, QFont, QPainter, QPen
from PyQt6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from app import periods
from app.assessment import ratings
from app.context import Context
from app.results import dashboard
from app.rounding import fixed, percent
from forms.i18n import tr
from forms.models import RowsModel
from forms.tables import read_only_table


class ProbationModel(RowsModel):
    columns = (
        ("工号", lambda r: r.employee_no), ("姓名", lambda r: r.name), ("窗口", lambda r: r.window),
        ("结束日期", lambda r: r.ends_on.isoformat()), ("剩余天数", lambda r: r.days_left),
        ("待复查", lambda r: max(0, r.rechecks_required - r.rechecks_passed)), ("状态", lambda r: r.status_label),
    )


class RankingModel(RowsModel):
    columns = (
        ("名次", lambda r: r.rank), ("窗口", lambda r: r.code), ("名称", lambda r: r.name),
        ("平均分", lambda r: fixed(r.average_score)), ("巡查次数", lambda r: r.inspections),
        ("合格率", lambda r: percent(r.pass_rate, 0)),
    )


class RechecksModel(RowsModel):
    columns = (
        ("窗口", lambda r: r.window), ("人员", lambda r: r.person), ("待复查项", lambda r: r.items),
        ("最早期限", lambda r: r.due_on.isoformat() if r.due_on else ""),
        ("考察期至", lambda r: r.probation_until.isoformat() if r.probation_until else ""),
    )


class WeeklyChart(QWidget):
    """Average score per week, drawn directly (no chart dependency)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.points: list[tuple[dt.date, float | None, int]] = []
        self.setMinimumHeight(180)

    def set_points(self, points) -> None:
        self.points = points
        self.update()

    def paintEvent(self, event):  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        area = QRectF(self.rect()).adjusted(44, 12, -12, -28)
        values = [v for _, v, _ in self.points if v is not None]
        painter.setPen(QPen(QColor("#999")))
        painter.drawRect(area)
        if not values:
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, tr("近三个月暂无巡查记录"))
            return
        low = min(80.0, min(values))
        high = max(100.0, max(values))
        painter.setFont(QFont(self.font().family(), 8))
        for mark in (low, (low + high) / 2, high):
            y = area.bottom() - (mark - low) / (high - low) * area.height()
            painter.drawText(QRectF(0, y - 8, 40, 16), Qt.AlignmentFlag.AlignRight, f"{mark:.0f}")
        step = area.width() / max(1, len(self.points) - 1)
        pen = QPen(QColor("#1565c0"), 2)
        painter.setPen(pen)
        previous = None
        for n, (monday, value, _) in enumerate(self.points):
            x = area.left() + n * step
            if n % 2 == 0:
                painter.setPen(QPen(QColor("#666")))
                left = min(max(0.0, x - 24), self.width() - 48.0)  # keep the first and last dates inside
                painter.drawText(QRectF(left, area.bottom() + 4, 48, 16), Qt.AlignmentFlag.AlignCenter,
                                 monday.strftime("%m-%d"))
                painter.setPen(pen)
            if value is None:
                previous = None
                continue
            point = QPointF(x, area.bottom() - (value - low) / (high - low) * area.height())
            if previous is not None:
                painter.drawLine(previous, point)
            painter.drawEllipse(point, 3, 3)
            previous = point


class DashboardPage(QWidget):
    KEYS = (("回车 / 双击", "考察期人员或待复查中选中的一行: 开始复查"), ("Tab", "在两个列表之间移动"))
    recheck = pyqtSignal(str)  # window code of a person on probation: start the re-check

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.today = QLabel()
        self.today.setFont(QFont(self.font().family(), 13))
        self.probation = ProbationModel()
        self.ranking = RankingModel()
        self.chart = WeeklyChart()
        probation_view = read_only_table(self.probation)
        probation_view.activated.connect(self._open_case)
        grid = QGridLayout(self)
        today_box = QGroupBox(tr("今日巡查进度"))
        QVBoxLayout(today_box).addWidget(self.today)
        probation_box = QGroupBox(tr("考察期人员 (双击开始复查)"))
        QVBoxLayout(probation_box).addWidget(probation_view)
        self.ranking_box = QGroupBox(tr("本月排名预览"))
        QVBoxLayout(self.ranking_box).addWidget(read_only_table(self.ranking))
        self.chart_box = chart_box = QGroupBox(tr("近三个月每周平均分"))
        QVBoxLayout(chart_box).addWidget(self.chart)
        # An inspector sees no ranking: in its place, who is due a re-check (on a laptop, with the office's).
        self.rechecks = RechecksModel()
        rechecks_view = read_only_table(self.rechecks)
        rechecks_view.activated.connect(self._open_recheck)
        self.rechecks_box = QGroupBox(tr("待复查 (双击开始复查)"))
        QVBoxLayout(self.rechecks_box).addWidget(rechecks_view)
        grid.addWidget(today_box, 0, 0, 1, 2)
        grid.addWidget(probation_box, 1, 0)
        grid.addWidget(self.ranking_box, 1, 1)
        grid.addWidget(self.rechecks_box, 1, 1)
        grid.addWidget(chart_box, 2, 0, 1, 2)
        grid.setRowStretch(1, 1)

    def refresh(self, day: dt.date | None = None) -> None:
        day = day or dt.date.today()
        f = dashboard.figures(day, self.user, centre_id=self.ctx.centre_id)
        p = f.today
        text = tr("今日我已巡查 {0}/{1} 个窗口 · 检查中 {2} 个 · 不合格 {3} 次") if f.own_only else tr(
            "今日已巡查 {0}/{1} 个窗口 · 检查中 {2} 个 · 不合格 {3} 次")
        # 好差评 comes in by the month: last month's list of windows under the line two months running.
        called = [] if f.own_only else ratings.called_in(periods.previous_month(day), centre_id=self.ctx.centre_id)
        self.today.setText(text.format(p.inspected, p.windows, p.drafts, p.failed)
                           + (tr(" · 逾期未整改 {0} 项 (考核 → 整改)").format(f.overdue) if f.overdue else "")
                           + (tr(" · 好差评约谈: {0}").format("、".join(c.code for c in called)) if called else ""))
        self.probation.set_rows(f.probation)
        self.ranking_box.setVisible(f.ranking is not None)
        self.rechecks_box.setVisible(f.ranking is None)
        self.rechecks.set_rows(f.rechecks)
        self.ranking.set_rows(f.ranking or [])
        self.ranking_box.setTitle(tr("{0}年{1}月排名预览").format(day.year, day.month))
        self.chart_box.setTitle(tr("近三个月我巡查的每周平均分") if f.own_only else tr("近三个月每周平均分"))
        self.chart.set_points(f.weekly)

    def _open_recheck(self, index) -> None:
        self.recheck.emit(self.rechecks.rows[index.row()].window)

    def _open_case(self, index) -> None:
        row = self.probation.rows[index.row()]
        if row.window:
            self.recheck.emit(row.window)
