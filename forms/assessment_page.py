"""考核: the assessment of a period under a scheme, the conduct and praise registers, hand-entered
votes, and the schemes with their what-if. Thin views over app.assessment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PyQt6.QtCore import QDate, Qt
from PyQt6.QtGui import QBrush, QColor
from PyQt6.QtWidgets import (
    QComboBox, QDateEdit, QDialog, QDialogButtonBox, QFileDialog, QFormLayout, QHBoxLayout, QLabel, QLineEdit,
    QMessageBox, QPlainTextEdit, QPushButton, QTabWidget, QTableWidget, QTableWidgetItem, QVBoxLayout, QWidget,
)

from app.assessment import events
from app.centres import scope
from app.errors import PatrolError
from app.results import periods
from app.storage.models import Staff, Window
from forms.dialogs import ask_reason
from forms.i18n import tr
from forms.models import RowsModel
from forms.tables import read_only_table
from forms.tasks import run_task


def _fmt(value) -> str:
    return "" if value is None else f"{value:g}"


def _last_month() -> str:
    return f"{periods.previous_month(dt.date.today()).start:%Y-%m}"


class AssessmentPage(QTabWidget):
    """The manager's 考核 tab."""

    def __init__(self, user, parent=None):
        super().__init__(parent)
        self.user = user
        self.results = ResultsPage(user)
        self.conduct = RegisterPage(user, "conduct")
        self.praise = RegisterPage(user, "praise")
        self.votes = VotesPage(user)
        self.schemes = SchemesPage(user)
        self.ratings = RatingsPage(user)
        self.rectifications = RectificationsPage(user)
        from forms.loop_page import AppealsPage

        self.appeals = AppealsPage(user)
        for page, title in ((self.results, "考核结果"), (self.conduct, "违规记录"), (self.praise, "表扬记录"),
                            (self.votes, "评分录入"), (self.ratings, "好差评导入"), (self.rectifications, "整改"),
                            (self.appeals, "申诉与发布"), (self.schemes, "考核方案与对比")):
            self.addTab(page, tr(title))

    def refresh(self) -> None:
        for n in range(self.count()):
            page = self.widget(n)
            if hasattr(page, "refresh"):
                page.refresh()


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

    def __init__(self, user, parent=None):
        super().__init__(parent)
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
        for s in schemes_on(dt.date.today()):
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
        run_task(self, tr("正在计算…"), lambda progress: _with_awards(assessing.assess(period, code=code)), self.show_result)

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
        self._export(f"考核成绩-{code}-{text}", ".xlsx", lambda out: jobs.assessment_excel(out, text, code))

    def export_pdf(self) -> None:
        from exports import jobs

        text, code = self.period.text().strip(), self.scheme.currentData() or "DEFAULT"
        self._export(f"考核成绩表-{code}-{text}", ".pdf", lambda out: jobs.assessment_pdf(out, text, code))

    def export_certificates(self) -> None:
        from app.assessment.schemes import schemes_on
        from exports import jobs

        text, code = self.period.text().strip(), self.scheme.currentData() or "DEFAULT"
        scheme = next((s for s in schemes_on(dt.date.today()) if s.code == code), None)
        keys = list(scheme.awards) if scheme else []
        if not keys:
            QMessageBox.information(self, tr("证书"), tr("该方案没有设奖项"))
            return
        award = keys[0] if len(keys) == 1 else ("red_flag" if "red_flag" in keys else "star" if "star" in keys else keys[0])
        self._export(f"证书-{code}-{text}", ".pdf", lambda out: jobs.certificates_pdf(out, text, code, award))

    def export_person(self) -> None:
        from exports import jobs

        selected = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        result = getattr(self, "result", None)
        if not selected or result is None or result.scheme.subject != "staff":
            QMessageBox.information(self, tr("年度考核表"), tr("请先按人员考核方案计算, 并选中一人"))
            return
        row = self.model.rows[selected[0].row()]
        year = result.period.start.year
        self._export(f"年度考核表-{row.code}-{year}", ".pdf", lambda out: jobs.person_year_pdf(out, row.code, year))


def _with_awards(result):
    from app.assessment.awards import award_lists

    lines = []
    for listed in award_lists(result):
        lines.append(f"{listed.award.name} ({listed.method}): " + ("、".join(f"{r.code} {r.name}" for r in listed.winners) or "无"))
        lines += [f"  未列入 {x.code} {x.name}: {'; '.join(x.reasons)}" for x in listed.excluded]
    return result, lines


class EventModel(RowsModel):
    columns = (("编号", lambda e: e.id), ("日期", lambda e: e.occurred_on.isoformat()), ("工号", lambda e: e.employee_no),
               ("姓名", lambda e: e.staff_name), ("窗口", lambda e: e.window_code), ("类别", lambda e: e.kind_label),
               ("来源", lambda e: e.source), ("事由", lambda e: e.description), ("材料", lambda e: e.evidence or ""),
               ("登记人", lambda e: e.recorded_by),
               ("状态", lambda e: f"已撤销: {e.withdraw_reason}" if e.withdrawn else "有效"))

    def extra_data(self, row, column, role):
        if role == Qt.ItemDataRole.ForegroundRole and row.withdrawn:
            return QBrush(QColor("#888888"))
        return None


class RegisterPage(QWidget):
    """违规记录 or 表扬记录: the list (withdrawn ones greyed, never gone), 登记… and 撤销…."""

    def __init__(self, user, register: str, parent=None):
        super().__init__(parent)
        self.user, self.register = user, register
        self.model = EventModel()
        self.view = read_only_table(self.model, fit_columns=False)
        add = QPushButton(tr("登记…"))
        add.clicked.connect(self.add)
        withdraw = QPushButton(tr("撤销所选…"))
        withdraw.clicked.connect(self.withdraw)
        note = QLabel(tr("依据: 004 五 (取消年度评先资格的八种情形); 扣分、考察期、取消评先按考核方案")
                      if register == "conduct" else tr("加分按考核方案, 不超过其上限"))
        buttons = QHBoxLayout()
        buttons.addWidget(add)
        buttons.addWidget(withdraw)
        buttons.addWidget(note, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(buttons)
        layout.addWidget(self.view, 1)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(events.events(self.register))

    def add(self) -> None:
        dialog = EventDialog(self.register, self)
        if not dialog.exec():
            return
        try:
            events.record_event(self.user, self.register, **dialog.values())
        except PatrolError as exc:
            QMessageBox.warning(self, tr("登记"), str(exc))
            return
        self.refresh()

    def withdraw(self) -> None:
        from app.storage.models import PersonEvent

        rows = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if not rows:
            QMessageBox.information(self, tr("撤销"), tr("请先选中一条记录"))
            return
        row = self.model.rows[rows[0].row()]
        reason = ask_reason(self, tr("撤销"), tr("撤销 {0} {1} {2} 的{3} (记录保留, 不再计入考核)").format(
            row.occurred_on.isoformat(), row.staff_name, row.kind_label, events.REGISTERS[self.register][0]))
        if reason is None:
            return
        try:
            events.withdraw_event(self.user, PersonEvent.get_by_id(row.id), reason)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("撤销"), str(exc))
            return
        self.refresh()


class EventDialog(QDialog):
    """One event: who, what kind, when, from where, why, with photos and a document."""

    def __init__(self, register: str, parent=None):
        from app.assessment.schemes import extra_kinds

        super().__init__(parent)
        self.register = register
        self.setWindowTitle(tr("登记") + events.REGISTERS[register][0])
        self.staff = QComboBox()
        for s in Staff.select().where(scope.staff() & (Staff.status == "active")).order_by(Staff.employee_no):
            self.staff.addItem(f"{s.employee_no} {s.name}", s.id)
        self.kind = QComboBox()
        for code, label in events.kinds(register, extra_kinds(register)).items():
            self.kind.addItem(label, code)
        self.day = QDateEdit(QDate.currentDate())
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("yyyy-MM-dd")
        self.source = QComboBox()
        for code, label in events.SOURCES.items():
            self.source.addItem(label, code)
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText(tr("事由 (必填): 经过、核实情况"))
        self.photos: list[str] = []
        self.document: Path | None = None
        self.evidence = QLabel(tr("无"))
        attach = QPushButton(tr("添加照片或材料…"))
        attach.clicked.connect(self.attach)
        form = QFormLayout()
        form.addRow(tr("人员"), self.staff)
        form.addRow(tr("类别"), self.kind)
        form.addRow(tr("日期"), self.day)
        if register == "conduct":
            form.addRow(tr("来源"), self.source)
        form.addRow(tr("事由"), self.description)
        row = QHBoxLayout()
        row.addWidget(self.evidence, 1)
        row.addWidget(attach)
        form.addRow(tr("证明材料"), row)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.resize(520, 420)

    def attach(self) -> None:
        from app.patrolling.photos import store_photo_file

        paths, _ = QFileDialog.getOpenFileNames(self, tr("选择照片或证明材料"), "",
                                                tr("照片或材料 (*.jpg *.jpeg *.png *.pdf *.doc *.docx *.xlsx *.txt)"))
        for path in paths:
            try:
                if Path(path).suffix.lower() in (".jpg", ".jpeg", ".png"):
                    self.photos.append(store_photo_file(path))
                else:
                    self.document = Path(path)
            except PatrolError as exc:
                QMessageBox.warning(self, tr("证明材料"), str(exc))
        self.evidence.setText(tr("照片 {0} 张").format(len(self.photos))
                              + (f"; {self.document.name}" if self.document else ""))

    def values(self) -> dict:
        return {"staff": Staff.get_by_id(self.staff.currentData()), "kind": self.kind.currentData(),
                "occurred_on": self.day.date().toPyDate(), "description": self.description.toPlainText(),
                "source": self.source.currentData() if self.register == "conduct" else "other",
                "photos": tuple(self.photos), "document": self.document}


class VotesPage(QWidget):
    """Scores entered by hand for a period: one vote, every window (or person), one column to type in."""

    def __init__(self, user, parent=None):
        super().__init__(parent)
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
        # A short, fixed list (a centre's windows or people) with one editable column.
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels([tr("编号"), tr("名称"), tr("分数 (0–100)")])
        self.table.horizontalHeader().setStretchLastSection(True)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        self._names()
        self.name.currentIndexChanged.connect(self.refresh)
        self.subject.currentIndexChanged.connect(self.refresh)
        self.refresh()

    def _names(self) -> None:
        from app.assessment.schemes import schemes_on

        self.name.clear()
        for scheme in schemes_on(dt.date.today()):
            for level in scheme.levels.values():
                for c in level:
                    if c.kind == "vote" and self.name.findText(c.vote) < 0:
                        self.name.addItem(c.vote)

    def refresh(self) -> None:
        from app.assessment import votes

        try:
            period = periods.parse(self.period.text())
        except PatrolError:
            return
        entered = {v.subject: v.score for v in votes.votes(period, self.name.currentText() or None)} \
            if self.name.currentText() else {}
        if self.subject.currentData() == "window":
            rows = [(w.code, w.name) for w in Window.select().where(scope.windows() & (Window.active == True))  # noqa: E712
                    .order_by(Window.code)]
        else:
            rows = [(s.employee_no, s.name) for s in Staff.select().where(scope.staff() & (Staff.status == "active"))
                    .order_by(Staff.employee_no)]
        self.table.setRowCount(len(rows))
        for n, (code, name) in enumerate(rows):
            for c, text in enumerate((code, name)):
                item = QTableWidgetItem(text)
                item.setFlags(item.flags() & ~Qt.ItemFlag.ItemIsEditable)
                self.table.setItem(n, c, item)
            self.table.setItem(n, 2, QTableWidgetItem(_fmt(entered.get(code))))

    def scores(self) -> dict[str, float]:
        out = {}
        for n in range(self.table.rowCount()):
            text = (self.table.item(n, 2).text() if self.table.item(n, 2) else "").strip()
            if text:
                try:
                    out[self.table.item(n, 0).text()] = float(text)
                except ValueError:
                    raise PatrolError(f"第 {n + 1} 行 ({self.table.item(n, 0).text()}): “{text}” 不是数字") from None
        return out

    def save(self) -> None:
        from app.assessment import votes

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
                                      reason)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("评分有误"), str(exc))
            return
        QMessageBox.information(self, tr("保存评分"), tr("已保存 {0} 项").format(changed))
        self.refresh()


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

    def __init__(self, user, parent=None):
        super().__init__(parent)
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
                 for v in schemes.versions()]
        self.versions.setText(tr("本中心的考核方案:\n") + "\n".join(lines))

    def choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("选择考核方案"), "", tr("考核方案 (*.toml)"))
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
        run_task(self, tr("正在按两个方案计算…"), lambda progress: what_if.compare(period, proposal), self.show_comparison)

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
            stored, created = schemes.load_scheme(self.user, proposal, reason)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("载入方案"), str(exc))
            return
        QMessageBox.information(self, tr("载入方案"), tr("{0} 第{1}版: 自{2}起执行").format(
            stored.code, stored.version, stored.effective_from.isoformat()) if created else tr("内容未变化"))
        self.refresh()


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

    def __init__(self, user, parent=None):
        super().__init__(parent)
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
        self.view = read_only_table(self.model, fit_columns=False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.summary)
        layout.addWidget(self.view, 1)

    def choose(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("选择好差评导出表"), "", tr("表格 (*.xlsx *.xls *.ods *.csv)"))
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
            return plan_ratings(path.name, read_table(path), month)

        def done(plan):
            self.plan = plan
            self.model.set_rows(plan.rows)
            self.summary.setText(plan.summary())
            self.apply_button.setEnabled(bool(plan.new))

        run_task(self, tr("正在读取…"), work, done)

    def apply(self) -> None:
        from app.assessment.ratings import apply_ratings

        if self.plan is None:
            return
        try:
            written, opened = apply_ratings(self.plan, self.user)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("好差评"), str(exc))
            return
        QMessageBox.information(self, tr("好差评"), tr("已导入 {0} 行, 开出整改项 {1} 个").format(written, opened))
        self.plan = None
        self.apply_button.setEnabled(False)


class RectificationModel(RowsModel):
    columns = (("编号", lambda r: r.id), ("来源", lambda r: r.as_dict()["source_label"]), ("问题", lambda r: r.what),
               ("工号", lambda r: r.employee_no), ("姓名", lambda r: r.staff_name), ("窗口", lambda r: r.window_code),
               ("开出", lambda r: r.opened_on.isoformat()), ("期限", lambda r: r.due_on.isoformat()),
               ("状态", lambda r: r.state_label), ("整改情况", lambda r: r.close_note))

    def extra_data(self, row, column, role):
        if role == Qt.ItemDataRole.BackgroundRole and row.state == "overdue":
            return QBrush(QColor("#fde2e1"))
        if role == Qt.ItemDataRole.ForegroundRole and row.state == "rectified":
            return QBrush(QColor("#888888"))
        return None


class RectificationsPage(QWidget):
    """整改: open, overdue and rectified items; a manager confirms one as put right."""

    def __init__(self, user, parent=None):
        super().__init__(parent)
        self.user = user
        self.state = QComboBox()
        for label, key in ((tr("未整改 (含逾期)"), "unfinished"), (tr("逾期"), "overdue"), (tr("已整改"), "rectified"),
                           (tr("全部"), None)):
            self.state.addItem(label, key)
        self.state.currentIndexChanged.connect(self.refresh)
        confirm = QPushButton(tr("确认已整改…"))
        confirm.clicked.connect(self.confirm)
        holidays = QPushButton(tr("节假日与调休…"))
        holidays.setToolTip(tr("整改期限按工作日计算: 在此标出放假的工作日和调休上班的周末"))
        holidays.clicked.connect(self.edit_calendar)
        top = QHBoxLayout()
        top.addWidget(self.state)
        top.addWidget(confirm)
        top.addStretch(1)
        top.addWidget(holidays)
        self.model = RectificationModel()
        self.view = read_only_table(self.model, fit_columns=False)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.view, 1)
        self.refresh()

    def refresh(self) -> None:
        from app.loop import rectification

        key = self.state.currentData()
        rows = rectification.items(None if key == "unfinished" else key)
        if key == "unfinished":
            rows = [r for r in rows if r.state != "rectified"]
        self.model.set_rows(rows)

    def confirm(self) -> None:
        from app.loop import rectification
        from app.storage.models import Rectification

        selected = self.view.selectionModel().selectedRows() if self.view.selectionModel() else []
        if not selected:
            QMessageBox.information(self, tr("整改"), tr("请先选中一个整改项"))
            return
        row = self.model.rows[selected[0].row()]
        note = ask_reason(self, tr("确认已整改"), tr("{0} {1}: {2}").format(row.staff_name or row.window_code, row.due_on,
                                                                            row.what[:40]))
        if note is None:
            return
        try:
            rectification.rectify(self.user, Rectification.get_by_id(row.id), note)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("整改"), str(exc))
            return
        self.refresh()

    def edit_calendar(self) -> None:
        CalendarDialog(self.user, self).exec()
        self.refresh()


class CalendarDialog(QDialog):
    """The holiday calendar of a year: the days named, and one range at a time set as 放假, 调休上班 or
    back to an ordinary day (with a reason, audited)."""

    def __init__(self, user, parent=None):
        super().__init__(parent)
        self.user = user
        self.setWindowTitle(tr("节假日与调休上班日"))
        self.listing = QLabel()
        self.listing.setWordWrap(True)
        self.first = QDateEdit(QDate.currentDate())
        self.last = QDateEdit(QDate.currentDate())
        for edit in (self.first, self.last):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
        self.kind = QComboBox()
        for key, label in (("holiday", "放假"), ("workday", "调休上班"), ("normal", "恢复平常")):
            self.kind.addItem(tr(label), key)
        self.name = QLineEdit()
        self.name.setPlaceholderText(tr("如 国庆节、国庆调休"))
        save = QPushButton(tr("设置…"))
        save.clicked.connect(self.save)
        form = QFormLayout()
        form.addRow(tr("从"), self.first)
        form.addRow(tr("到"), self.last)
        form.addRow(tr("类别"), self.kind)
        form.addRow(tr("名称"), self.name)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.listing)
        layout.addLayout(form)
        layout.addWidget(save)
        layout.addWidget(close)
        self.resize(520, 420)
        self.show_year()

    def show_year(self) -> None:
        from app.loop import workdays

        year = self.first.date().year()
        days = workdays.listed(year)
        self.listing.setText(tr("{0}年: ").format(year) + ("、".join(
            f"{d:%m-%d} {workdays.KINDS[k]}{(' ' + n) if n else ''}" for d, k, n in days) or tr("尚未标出任何节假日")))

    def save(self) -> None:
        from app.loop import workdays

        first, last = self.first.date().toPyDate(), self.last.date().toPyDate()
        reason = ask_reason(self, tr("节假日"), tr("{0} 至 {1}: {2}").format(first, last, self.kind.currentText()))
        if reason is None:
            return
        try:
            workdays.set_days(self.user, first, last, self.kind.currentData(), self.name.text(), reason)
        except PatrolError as exc:
            QMessageBox.warning(self, tr("节假日"), str(exc))
            return
        self.show_year()
