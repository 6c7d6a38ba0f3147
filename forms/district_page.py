"""The district's page: every centre ranked as a unit for a month, and a way into any centre."""

from __future__ import annotations

import datetime as dt

from PyQt6.QtCore import pyqtSignal
from PyQt6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app import periods
from app.centres import scope
from app.context import Context
from app.results import centre_ranking
from app.rounding import fixed, percent
from forms.i18n import tr
from forms.models import RowsModel
from forms.tables import read_only_table


class CentreModel(RowsModel):
    columns = (
        ("名次", lambda r: r.rank or "—"), ("编码", lambda r: r.code), ("中心", lambda r: r.name), ("类型", lambda r: r.kind),
        ("平均分", lambda r: "" if r.average_score is None else fixed(r.average_score)),
        ("巡查次数", lambda r: r.inspections), ("覆盖率", lambda r: percent(r.coverage)),
        ("合格率", lambda r: percent(r.pass_rate)), ("新开考察", lambda r: r.cases_opened),
        ("解除考察", lambda r: r.cases_closed), ("考察期人员占比", lambda r: percent(r.probation_share)),
    )


def _months(count: int = 12) -> list[str]:
    day, out = dt.date.today().replace(day=1), []
    for _ in range(count):
        out.append(f"{day.year}-{day.month:02d}")
        day = (day - dt.timedelta(days=1)).replace(day=1)
    return out


class DistrictPage(QWidget):
    KEYS = (("回车 / 双击", "进入选中的中心"), ("Alt+`", "回到“各中心”"))
    """各中心: the centres ranked for a month, with the method under the table; 进入该中心 opens one."""

    enter_centre = pyqtSignal(int)  # centre id

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.month = QComboBox()
        for m in _months():
            self.month.addItem(m, m)
        self.month.setCurrentIndex(1)  # last month: the one being ranked at month end
        self.month.currentIndexChanged.connect(self.refresh)
        enter = QPushButton(tr("进入该中心"))
        enter.clicked.connect(self._enter)
        top = QHBoxLayout()
        top.addWidget(QLabel(tr("月份")))
        top.addWidget(self.month)
        top.addStretch(1)
        top.addWidget(enter)
        self.model = CentreModel()
        self.view = read_only_table(self.model)
        self.view.activated.connect(lambda _index: self._enter())  # a double click, or Enter
        self.method = QLabel(tr("排名方法: ") + centre_ranking.METHOD + "。")
        self.method.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view)
        layout.addWidget(self.method)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(centre_ranking.rank_centres(periods.month(self.month.currentData())))

    def _enter(self) -> None:
        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if rows:
            code = self.model.rows[rows[0].row()].code
            self.enter_centre.emit(scope.centre_by_code(code).id)
