"""评分录入: scores entered by hand for a period, one vote, every window or person."""


from __future__ import annotations

import datetime as dt

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QLineEdit, QMessageBox, QPushButton, QVBoxLayout, QWidget

from app import periods
from app.assessment import votes
from app.assessment.schemes import schemes_on
from app.context import Context
from app.errors import PatrolError
from forms.assessment_common import fmt as _fmt
from forms.assessment_common import last_month as _last_month
from forms.dialogs import ask_reason
from forms.i18n import tr
from forms.models import RowsModel
from forms.tables import editable_table

EDIT = Qt.ItemDataRole.EditRole


class VotesModel(RowsModel):
    """A period's scores of one vote: a row per window (or person), the score the only editable column.
    What is typed is kept as text and read by `scores`, which says which row is not a number."""

    columns = (("编号", lambda r: r[0]), ("名称", lambda r: r[1]), ("分数 (0–100)", lambda r: r[2]))

    def set_scores(self, subjects: list[tuple[str, str]], entered: dict[str, float]) -> None:
        self.set_rows([[code, name, _fmt(entered.get(code))] for code, name in subjects])

    def extra_data(self, row, column: int, role):
        return row[column] if role == EDIT else None

    def flags(self, index):
        base = super().flags(index)
        return base | Qt.ItemFlag.ItemIsEditable if index.column() == 2 else base

    def setData(self, index, value, role=EDIT) -> bool:  # noqa: N802 — Qt's name
        if not index.isValid() or index.column() != 2 or role != EDIT:
            return False
        self.rows[index.row()][2] = str(value).strip()
        self.dataChanged.emit(index, index)
        return True

    def scores(self) -> dict[str, float]:
        """code -> score for every row with one typed; PatrolError naming the first that is not a number."""
        out = {}
        for n, (code, _name, text) in enumerate(self.rows, start=1):
            if text:
                try:
                    out[code] = float(text)
                except ValueError:
                    raise PatrolError(f"第 {n} 行 ({code}): “{text}” 不是数字") from None
        return out


class VotesPage(QWidget):
    """Scores entered by hand for a period: one vote, every window (or person), one column to type in."""

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.period = QLineEdit(_last_month())
        self.name = QComboBox()
        self.name.setEditable(True)
        self.subject = QComboBox()
        self.subject.addItem(tr("窗口"), "window")
        self.subject.addItem(tr("人员"), "staff")
        show = QPushButton(tr("显示"))
        show.clicked.connect(self.refresh)
        save = QPushButton(tr("保存评分…"))
        save.clicked.connect(self.save)
        top = QHBoxLayout()
        for label, widget in ((tr("期间"), self.period), (tr("评分"), self.name), (tr("对象"), self.subject)):
            top.addWidget(QLabel(label))
            top.addWidget(widget)
        top.addWidget(show)
        top.addWidget(save)
        top.addStretch(1)
        self.model = VotesModel()
        self.table = editable_table(self.model)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self._names()
        self.name.currentIndexChanged.connect(self.refresh)
        self.subject.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def _names(self) -> None:
        self.name.clear()
        for scheme in schemes_on(dt.date.today(), centre_id=self.ctx.centre_id):
            for level in scheme.levels.values():
                for c in level:
                    if c.kind == "vote" and self.name.findText(c.vote) < 0:
                        self.name.addItem(c.vote)

    def refresh(self) -> None:
        try:
            period = periods.parse(self.period.text())
        except PatrolError:
            return
        entered = {v.subject: v.score for v in votes.votes(period, self.name.currentText() or None,
                                                           centre_id=self.ctx.centre_id)} \
            if self.name.currentText() else {}
        self.model.set_scores(votes.subjects(self.subject.currentData(), centre_id=self.ctx.centre_id), entered)

    def scores(self) -> dict[str, float]:
        return self.model.scores()

    def save(self) -> None:
        try:
            period = periods.parse(self.period.text())
            scores = self.scores()
            if not self.name.currentText().strip():
                raise PatrolError("请填写评分名称 (与考核方案中的一致)")
            reason = ask_reason(self, tr("保存评分"), tr("{0}{1}: {2} 项").format(period.label, self.name.currentText(),
                                                                                  len(scores)))
            if reason is None:
                return
            changed = votes.set_votes(self.user, period, self.name.currentText(), scores, self.subject.currentData(),
                                      reason, centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("评分有误"), str(exc))
            return
        QMessageBox.information(self, tr("保存评分"), tr("已保存 {0} 项").format(changed))
        self.refresh()
