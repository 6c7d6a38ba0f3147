"""The manager's 考核 tab: results, registers, votes, 好差评, rectification, appeals and publishing, schemes."""

from __future__ import annotations

from PyQt6.QtCore import Qt
from PyQt6.QtWidgets import QLabel, QTabWidget

from app.context import Context
from forms.assessment_results_page import ResultsPage
from forms.i18n import tr
from forms.loop_page import AppealsPage
from forms.ratings_page import RatingsPage
from forms.rectification_page import RectificationsPage
from forms.registers_page import RegisterPage
from forms.schemes_page import SchemesPage
from forms.votes_page import VotesPage


class AssessmentPage(QTabWidget):
    """The manager's 考核 tab."""

    def __init__(self, ctx: Context, parent=None):
        super().__init__(parent)
        self.ctx, user = ctx, ctx.user  # who acts, for which centre
        self.user = user
        if self.ctx.centre_id is None:
            # The district's own view: every page here is one centre's (its schemes, registers, items).
            note = QLabel(tr("考核、整改、申诉与发布属于某一个中心: 请先在“各中心”页选择中心"))
            note.setAlignment(Qt.AlignmentFlag.AlignCenter)
            self.addTab(note, tr("请先选择中心"))
            return
        self.results = ResultsPage(ctx)
        self.conduct = RegisterPage(ctx, "conduct")
        self.praise = RegisterPage(ctx, "praise")
        self.votes = VotesPage(ctx)
        self.schemes = SchemesPage(ctx)
        self.ratings = RatingsPage(ctx)
        self.rectifications = RectificationsPage(ctx)
        self.appeals = AppealsPage(ctx)
        for page, title in ((self.results, "考核结果"), (self.conduct, "违规记录"), (self.praise, "表扬记录"),
                            (self.votes, "评分录入"), (self.ratings, "好差评导入"), (self.rectifications, "整改"),
                            (self.appeals, "申诉与发布"), (self.schemes, "考核方案与对比")):
            self.addTab(page, tr(title))

    def refresh(self) -> None:
        for n in range(self.count()):
            page = self.widget(n)
            if hasattr(page, "refresh"):
                page.refresh()
