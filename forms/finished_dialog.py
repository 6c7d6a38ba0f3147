"""A window finished in this round, as it was finalised: who, when, the score, and what failed (read only,
with the record and the rectification notice to print)."""

from __future__ import annotations

from html import escape

from PyQt6.QtWidgets import QDialog, QDialogButtonBox, QPushButton, QTextBrowser, QVBoxLayout

from app.domain import METHODS, SEVERITIES
from app.patrolling.inspections import failed_results
from app.periods import cn_date
from app.storage.models import Inspection, User
from forms.i18n import tr


def describe(inspection: Inspection) -> str:
    """The finalised inspection as a short page of HTML."""
    when = f"{cn_date(inspection.observed_at.date())} {inspection.observed_at:%H:%M}"
    staff = f"{inspection.staff.name} ({inspection.staff.employee_no})" if inspection.staff_id else tr("(未指定)")
    lines = [f"<h3>{escape(inspection.window.code)} {escape(inspection.window.name)}</h3>",
             f"<p>{tr('当班人员')}: {escape(staff)}<br>{tr('巡查人')}: {escape(inspection.inspector.display_name)} · "
             f"{METHODS.get(inspection.method, inspection.method)} · {when}<br>"
             f"<b>{tr('得分')} {inspection.score:g} · {escape(inspection.grade)}</b>"
             + (f" · <span style='color:#c62828'>{tr('一票否决')}</span>" if inspection.vetoed else "") + "</p>"]
    failed = failed_results(inspection)
    if not failed:
        lines.append(f"<p>{tr('没有不合格项。')}</p>")
    else:
        lines.append(f"<p>{tr('不合格项')} ({len(failed)}):</p><ul>")
        for r in failed:
            photos = len([p for p in r.photos.split("\n") if p])
            extra = "".join([f"<br>{tr('备注')}: {escape(r.note)}" if r.note else "",
                             tr(" (照片 {0} 张)").format(photos) if photos else ""])
            lines.append(f"<li>{escape(r.item.code)} [{SEVERITIES.get(r.item.severity, '')}] "
                         f"{escape(r.item.text)}{extra}</li>")
        lines.append("</ul>")
    return "".join(lines)


class FinishedDialog(QDialog):
    def __init__(self, inspection: Inspection, user: User, parent=None):
        super().__init__(parent)
        self.inspection, self.user = inspection, user
        self.setWindowTitle(tr("已定稿的记录 · {0}").format(inspection.window.code))
        self.text = QTextBrowser()
        self.text.setHtml(describe(inspection))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        record = QPushButton(tr("打印巡查记录表"))
        notice = QPushButton(tr("打印整改通知单"))
        buttons.addButton(record, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(notice, QDialogButtonBox.ButtonRole.ActionRole)
        record.clicked.connect(lambda: self.print_("record"))
        notice.clicked.connect(lambda: self.print_("notice"))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
        self.resize(640, 480)

    def print_(self, what: str) -> None:
        print_inspection(self, what, self.inspection.id, self.inspection.window.code, self.user)


def print_inspection(parent, what: str, inspection_id: int, window_code: str, user: User) -> None:
    """A finalised inspection's 整改通知单 ("notice") or 巡查记录表 ("record"), to a PDF the person names."""
    from exports import jobs
    from forms.export_page import export_to_file

    name = {"notice": "整改通知单", "record": "巡查记录表"}[what]
    job = jobs.notice_pdf if what == "notice" else jobs.record_pdf
    export_to_file(parent, f"{name}-{window_code}.pdf", ".pdf", lambda out: job(out, str(inspection_id), user))
