"""报表: choose a report, its period or record, a file; the export runs in the worker with progress."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PyQt6.QtCore import QDate, Qt
from PyQt6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import periods
from app.centres import scope
from app.context import Context
from app.people import roster
from app.results.listing import may_export
from forms.file_dialogs import save_file
from forms.i18n import DATE_FORMAT, tr
from forms.tasks import run_task

# kind: (label, file suffix, the parameters it needs)
KINDS = {
    "excel": ("月度工作簿 (Excel)", ".xlsx", ("month",)),
    "details": ("巡查明细 (Excel)", ".xlsx", ("range",)),
    "ranking": ("月度排名表 (PDF)", ".pdf", ("month", "by")),
    "staff": ("个人巡查记录 (PDF)", ".pdf", ("staff", "range")),
    "labels": ("窗口二维码标签 (PDF)", ".pdf", ("area",)),
    "photos": ("现场照片 (zip)", ".zip", ("range",)),
    "district-excel": ("全区工作簿 (Excel)", ".xlsx", ("month",)),
    "district-pdf": ("各中心排名表 (PDF)", ".pdf", ("month",)),
}
BY = {"window": "按窗口", "staff": "按人员", "department": "按部门"}


def export_to_file(parent: QWidget, suggested: str, suffix: str, job) -> None:
    """Ask where to save, then run `job(path)` in the worker and report the result."""
    path = save_file(parent, tr("导出到"), "export", suggested, f"*{suffix}")
    if not path:
        return
    if not path.endswith(suffix):
        path += suffix
    run_task(parent, tr("正在导出…"), lambda progress: job(Path(path)),
             on_done=lambda summary: QMessageBox.information(parent, tr("导出完成"), summary))


class ExportPage(QWidget):
    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        today = dt.date.today()
        last = periods.previous_month(today)
        self.kind = QComboBox()
        district_manager = user.role == "manager" and user.centre_id is None and scope.is_district()
        for key, (label, _, _) in KINDS.items():
            if key.startswith("district-"):
                if district_manager:  # app.centres.district.require_district_manager is the rule; the CLI obeys it too
                    self.kind.addItem(tr(label), key)
            elif may_export(key, user):  # the rule lives in app.results.listing; the CLI obeys it too
                self.kind.addItem(tr(label) + (tr(" (本人)") if key == "details" and user.role != "manager" else ""), key)
        self.month = QLineEdit(f"{last.start:%Y-%m}")
        self.month.setPlaceholderText(tr("YYYY-MM, 季度 YYYY-Qn, 年度 YYYY"))
        self.start = QDateEdit(QDate(last.start))
        self.end = QDateEdit(QDate(last.last_day))
        for edit in (self.start, self.end):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat(DATE_FORMAT)
        self.by = QComboBox()
        for key, label in BY.items():
            self.by.addItem(tr(label), key)
        self.area = QComboBox()
        self.staff = QComboBox()
        form = QFormLayout()
        self.rows = {
            "kind": (tr("报表"), self.kind), "month": (tr("月份 / 季度 / 年度"), self.month), "start": (tr("开始日期"), self.start),
            "end": (tr("结束日期"), self.end), "by": (tr("排名对象"), self.by), "area": (tr("区域"), self.area),
            "staff": (tr("人员"), self.staff),
        }
        for label, widget in self.rows.values():
            form.addRow(label, widget)
        self.form = form
        button = QPushButton(tr("导出…"))
        button.clicked.connect(self.export)
        panel = QWidget()
        panel.setMaximumWidth(640)  # a form, not a banner across a wide screen
        inner = QVBoxLayout(panel)
        inner.addLayout(form)
        inner.addWidget(button)
        hint = QLabel(tr("整改通知单和巡查记录表在巡查列表中选中已完成的窗口后打印; 考察期通知书在“考察案例”中打印。"))
        hint.setWordWrap(True)
        inner.addWidget(hint)
        layout = QVBoxLayout(self)
        layout.addWidget(panel)
        layout.addWidget(self._paper_check())
        layout.addStretch(1)
        self.kind.currentIndexChanged.connect(self.show_fields)
        self.refresh()

    def _paper_check(self) -> QGroupBox:
        """核验纸件: a scanner reads the QR of a printed report into the box; the verdict and what the
        record says now are shown, to hold against the paper."""
        box = QGroupBox(tr("核验纸件 (扫描报表右下角的二维码, 或粘贴其内容后回车)"))
        box.setMaximumWidth(900)
        self.payload = QLineEdit()
        self.payload.setPlaceholderText("WPR2:…")
        self.payload.returnPressed.connect(self.check_paper)
        self.verdict = QLabel()
        self.verdict.setWordWrap(True)
        self.verdict.setTextFormat(Qt.TextFormat.PlainText)  # record text is data, never markup
        inner = QVBoxLayout(box)
        inner.addWidget(self.payload)
        inner.addWidget(self.verdict)
        return box

    def check_paper(self) -> None:
        from app.errors import PatrolError
        from app.loop.verify import verify

        try:
            verdict = verify(self.payload.text(), centre_id=self.ctx.centre_id)
        except PatrolError as exc:
            self.verdict.setText(f"✗ {exc}")
            return
        self.verdict.setText("\n".join([("✓ " if verdict.matches else "✗ ") + verdict.message] + verdict.details))
        self.verdict.setStyleSheet("color: #1b5e20;" if verdict.matches else "color: #c62828;")
        self.payload.selectAll()

    def refresh(self) -> None:
        self.area.clear()
        self.area.addItem(tr("全部区域"), None)
        for a in roster.areas(centre_id=self.ctx.centre_id):
            self.area.addItem(a.name, a.code)
        self.staff.clear()
        for s in roster.people(centre_id=self.ctx.centre_id):
            self.staff.addItem(f"{s.employee_no} {s.name}", s.employee_no)
        self.show_fields()

    def show_fields(self) -> None:
        needs = KINDS[self.kind.currentData()][2]
        wanted = {"kind"} | ({"start", "end"} if "range" in needs else set()) | {n for n in needs if n != "range"}
        for name, (_, widget) in self.rows.items():
            self.form.setRowVisible(widget, name in wanted)

    def export(self) -> None:
        from exports import (
            jobs,  # openpyxl and reportlab load when a report is made, not at start
        )

        kind = self.kind.currentData()
        label, suffix, _ = KINDS[kind]
        month = self.month.text().strip()
        start, end = self.start.date().toPyDate(), self.end.date().toPyDate()
        job = {
            "excel": lambda out: jobs.monthly_excel(out, month, centre_id=self.ctx.centre_id),
            "details": lambda out: jobs.details_excel(out, start, end, self.user, centre_id=self.ctx.centre_id),
            "ranking": lambda out: jobs.ranking_pdf(out, month, self.by.currentData(), centre_id=self.ctx.centre_id),
            "staff": lambda out: jobs.staff_pdf(out, self.staff.currentData(), start, end,
                                                centre_id=self.ctx.centre_id),
            "labels": lambda out: jobs.labels_pdf(out, self.area.currentData(), centre_id=self.ctx.centre_id),
            "photos": lambda out: jobs.photos(out, start, end, centre_id=self.ctx.centre_id),
            "district-excel": lambda out: jobs.district_excel(out, month),
            "district-pdf": lambda out: jobs.district_pdf(out, month),
        }[kind]
        names = {"excel": f"月度工作簿-{month}", "details": f"巡查明细-{start}-{end}", "ranking": f"排名-{month}",
                 "staff": f"个人记录-{self.staff.currentData()}", "labels": "窗口标签", "photos": f"照片-{start}-{end}",
                 "district-excel": f"全区工作簿-{month}", "district-pdf": f"各中心排名-{month}"}
        export_to_file(self, names[kind] + suffix, suffix, job)
