"""考核结果: a period's assessment by a scheme, each part's points, the awards and who was left out."""


from __future__ import annotations

import datetime as dt

from PyQt6.QtCore import Qt
from PyQt6.QtGui import QBrush, QColor
from PyQt6.QtWidgets import (
    QComboBox,
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
from forms.i18n import tr
from forms.models import RowsModel
from forms.tables import read_only_table
from forms.tasks import run_task


class AssessedModel(RowsModel):
    """Rows of an assessment; the columns follow the scheme's components."""

    def set_assessment(self, result) -> None:
        names = [p.name for p in (result.rows + result.unassessed)[0].parts] if result.rows + result.unassessed else []
        cols = [("名次", lambda r: r.rank or "—"), ("编号", lambda r: r.code), ("名称", lambda r: r.name)]
        for n, name in enumerate(names):
            cols.append((name, lambda r, n=n: _part(r, n)))
        cols += [("总分", lambda r: _fmt(r.total)), ("等级", lambda r: r.grade or ("缺少: " + "、".join(r.missing)))]
        self.beginResetModel()
        self.columns = tuple(cols)
        self.rows = list(result.rows) + list(result.unassessed)
        self.endResetModel()

    def extra_data(self, row, column, role):
        if role == Qt.ItemDataRole.BackgroundRole and row.total is None:
            return QBrush(QColor("#eeeeee"))
        if role == Qt.ItemDataRole.ToolTipRole and 3 <= column < 3 + len(row.parts):
            part = row.parts[column - 3]
            return f"{part.name}: {_fmt(part.value)} → {part.points:+g} 分 {part.detail}"
        return None


def _part(row, n: int) -> str:
    part = row.parts[n]
    if part.value is None:
        return "缺"
    if part.kind in ("conduct", "praise"):
        return f"{part.points:+g}" if part.points else "0"
    return f"{part.value:g} ({part.points:g})"


class ResultsPage(QWidget):
    """A period under a scheme: every component's contribution, the ranking, the awards."""

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        self.period = QLineEdit(_last_month())
        self.period.setPlaceholderText(tr("YYYY-MM, 季度 YYYY-Qn, 年度 YYYY"))
        self.scheme = QComboBox()
        run = QPushButton(tr("计算"))
        run.clicked.connect(self.compute)
        top = QHBoxLayout()
        for label, widget in ((tr("期间"), self.period), (tr("方案"), self.scheme)):
            top.addWidget(QLabel(label))
            top.addWidget(widget)
        top.addWidget(run)
        top.addStretch(1)
        for text, slot in ((tr("导出工作簿…"), self.export_excel), (tr("导出 PDF…"), self.export_pdf),
                           (tr("打印证书…"), self.export_certificates), (tr("所选人员的年度考核表…"), self.export_person)):
            button = QPushButton(text)
            button.clicked.connect(slot)
            top.addWidget(button)
        self.model = AssessedModel()
        self.view = read_only_table(self.model)
        self.method = QLabel()
        self.method.setWordWrap(True)
        self.awards = QLabel()
        self.awards.setWordWrap(True)
        self.awards.setTextFormat(Qt.TextFormat.PlainText)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.method)
        layout.addWidget(self.awards)
        self.refresh()

    def refresh(self) -> None:
        from app.assessment.schemes import schemes_on

        current = self.scheme.currentData()
        self.scheme.clear()
        for s in schemes_on(dt.date.today(), centre_id=self.ctx.centre_id):
            self.scheme.addItem(f"{s.name} ({s.code} 第{s.version}版)", s.code)
        if current is not None and self.scheme.findData(current) >= 0:
            self.scheme.setCurrentIndex(self.scheme.findData(current))

    def compute(self) -> None:
        from app.assessment import assess as assessing

        try:
            period = periods.parse(self.period.text())
        except PatrolError as exc:
            QMessageBox.warning(self, tr("考核"), str(exc))
            return
        code = self.scheme.currentData() or "DEFAULT"
        run_task(self, tr("正在计算…"), lambda progress: _with_awards(assessing.assess(period, code=code,
                                                                                   centre_id=self.ctx.centre_id)), self.show_result)

    def show_result(self, done) -> None:
        result, lines = done
        self.result = result
        self.model.set_assessment(result)
        self.method.setText(result.method)
        self.awards.setText("\n".join(lines))

    def _export(self, name: str, suffix: str, job) -> None:
        from forms.export_page import export_to_file

        export_to_file(self, name + suffix, suffix, job)

    def export_excel(self) -> None:
        from exports import jobs

        text, code = self.period.text().strip(), self.scheme.currentData() or "DEFAULT"
        self._export(f"考核成绩-{code}-{text}", ".xlsx", lambda out: jobs.assessment_excel(out, text, code,
                                                                                       centre_id=self.ctx.centre_id))

    def export_pdf(self) -> None:
        from exports import jobs

        text, code = self.period.text().strip(), self.scheme.currentData() or "DEFAULT"
        self._export(f"考核成绩表-{code}-{text}", ".pdf", lambda out: jobs.assessment_pdf(out, text, code,
                                                                                     centre_id=self.ctx.centre_id))

    def export_certificates(self) -> None:
        from app.assessment.schemes import schemes_on
        from exports import jobs

        text, code = self.period.text().strip(), self.scheme.currentData() or "DEFAULT"
        scheme = next((s for s in schemes_on(dt.date.today(), centre_id=self.ctx.centre_id) if s.code == code), None)
        keys = list(scheme.awards) if scheme else []
        if not keys:
            QMessageBox.information(self, tr("证书"), tr("该方案没有设奖项"))
            return
        award = keys[0] if len(keys) == 1 else ("red_flag" if "red_flag" in keys else "star" if "star" in keys else keys[0])
        self._export(f"证书-{code}-{text}", ".pdf", lambda out: jobs.certificates_pdf(out, text, code, award,
                                                                                    centre_id=self.ctx.centre_id))

    def export_person(self) -> None:
        from exports import jobs

        selected = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        result = getattr(self, "result", None)
        if not selected or result is None or result.scheme.subject != "staff":
            QMessageBox.information(self, tr("年度考核表"), tr("请先按人员考核方案计算, 并选中一人"))
            return
        row = self.model.rows[selected[0].row()]
        year = result.period.start.year
        self._export(f"年度考核表-{row.code}-{year}", ".pdf", lambda out: jobs.person_year_pdf(out, row.code, year,
                                                                                          centre_id=self.ctx.centre_id))


def _with_awards(result):
    from app.assessment.awards import award_lists

    lines = []
    for listed in award_lists(result):
        lines.append(f"{listed.award.name} ({listed.method}): " + ("、".join(f"{r.code} {r.name}" for r in listed.winners) or "无"))
        lines += [f"  未列入 {x.code} {x.name}: {'; '.join(x.reasons)}" for x in listed.excluded]
    return result, lines
