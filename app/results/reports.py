"""Plain data for the reports (Excel, PDF): everything a writer needs, gathered once, no Qt, no files."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

import peewee as pw

from app.centres import scope, wall
from app.centres.centre import current_centre
from app.centres.settings import load_settings
from app.centres.workdays import appeal_deadline as deadline
from app.context import Context
from app.domain import GENDERS, METHODS, PROBATION_EVENTS, RESULTS, SEVERITIES
from app.errors import PatrolError
from app.patrolling import inspections as insp_mod
from app.patrolling.checklists import cite, cited_sources, source_titles
from app.patrolling.notices import consequence
from app.patrolling.scan import window_payload
from app.periods import Period, cn_date, previous
from app.results import rectification_items
from app.results.listing import InspectionRow, finalised_inspections, iter_finalised_inspections, visible_to
from app.results.pay import PayRow, failures
from app.results.probation import CaseRow, case_rows, history, status_label
from app.results.probation_rules import recheck_counts
from app.results.rankings import (
    RankRow,
    StarCandidate,
    Unranked,
    finalised_in,
    rank,
    red_flag_windows,
    smile_star_candidates,
    tie_breaks,
    unranked,
)
from app.rounding import half_up
from app.storage.models import (
    Area,
    Inspection,
    Item,
    ItemResult,
    ProbationCase,
    ProbationDue,
    Rectification,
    Staff,
    Window,
)


def centre_name(centre_id=scope.SOLE) -> str:
    centre = current_centre(centre_id)
    return centre.name if centre else "政务服务中心"


@dataclass
class MonthlyReport:
    period: Period
    centre: str
    windows: list[RankRow]
    staff: list[RankRow]
    departments: list[RankRow]
    probation: list[CaseRow]
    stars: list[RankRow]
    candidates: list[StarCandidate]
    red_flags: list[RankRow]
    pay: list[PayRow]
    unranked: dict[str, list[Unranked]] = field(default_factory=dict)  # by -> not placed, with why
    rule: str = ""  # the ranking rule, printed under every ranking
    rectifications: list = field(default_factory=list)  # items opened in the period, or overdue at its end


def _require_inspections(period: Period, centre_id=scope.SOLE) -> None:
    if not Inspection.select().where(finalised_in(period, centre_id=centre_id)).exists():
        raise PatrolError(f"{period.label}没有已定稿的巡查记录")


def monthly_report(period: Period, centre_id=scope.SOLE) -> MonthlyReport:
    """Rankings three ways, probation register, awards and the pay list for a month."""
    _require_inspections(period, centre_id=centre_id)
    settings = load_settings(centre_id=centre_id)
    candidates = smile_star_candidates(period, settings, centre_id=centre_id)
    cases = [r for r in case_rows(period.last_day, ("open", "recommend_return", "review", "cleared", "returned"),
                                  centre_id=centre_id)
             if r.opened_on < period.end and r.ends_on >= period.start]
    windows, staff, departments = (with_previous_rank(rank(period, by, settings, centre_id=centre_id), period, by,
                                                      centre_id=centre_id) for by in ("window", "staff", "department"))
    return MonthlyReport(
        period=period, centre=centre_name(centre_id=centre_id), windows=windows, staff=staff,
        departments=departments, probation=cases,
        stars=[c.row for c in candidates if not c.reasons][: settings.smile_star_max], candidates=candidates,
        red_flags=red_flag_windows(period, settings, centre_id=centre_id), pay=failures(period, centre_id=centre_id),
        unranked={by: unranked(period, by, settings,
                               centre_id=centre_id) for by in ("window", "staff")}, rule=tie_breaks(settings, centre_id=centre_id),
        rectifications=_rectifications(period, centre_id=centre_id),
    )


def _rectifications(period: Period, centre_id=scope.SOLE) -> list:
    """The period's rectification items and any still open after their deadline, as of the period's end
    (or today, for the month in progress)."""
    as_of = min(period.last_day, dt.date.today())
    return [r for r in rectification_items.items(today=as_of, centre_id=centre_id)
            if period.start <= r.opened_on < period.end or (r.state == "overdue" and r.opened_on < period.end)]


def ranking(period: Period, by: str, centre_id=scope.SOLE) -> list[RankRow]:
    _require_inspections(period, centre_id=centre_id)
    return with_previous_rank(rank(period, by, centre_id=centre_id), period, by, centre_id=centre_id)


def with_previous_rank(rows: list[RankRow], period: Period, by: str, centre_id=scope.SOLE) -> list[RankRow]:
    """Each row with its rank in the period before and the change ("↑2", "↓1", "—", "新")."""
    before = {r.code: r.rank for r in rank(previous(period), by, centre_id=centre_id)}
    for row in rows:
        last = before.get(row.code)
        row.extra["previous_rank"] = last
        row.extra["change"] = ("新" if last is None else "—" if last == row.rank
                               else f"↑{last - row.rank}" if last > row.rank else f"↓{row.rank - last}")
    return rows


@dataclass(frozen=True)
class FailedItemRow:
    inspection_uuid: str
    observed_at: dt.datetime
    window_code: str
    employee_no: str
    staff_name: str
    code: str
    text: str
    clause: str
    deduction: float
    severity: str
    note: str


def details(period: Period, user=None, centre_id=scope.SOLE) -> tuple[Iterator[InspectionRow], Iterator[FailedItemRow]]:
    """Every finalised inspection of the period and every failed item of them, both streamed; an
    inspector gets only their own."""
    own = visible_to(user)
    where = finalised_in(period, centre_id=centre_id) if own is None else finalised_in(period,
                                                                                       centre_id=centre_id) & own
    if not Inspection.select().where(where).exists():
        raise PatrolError(f"{period.label}没有已定稿的巡查记录" + ("" if own is None else " (本人)"))
    rows = iter_finalised_inspections(period, inspector=user, centre_id=centre_id)

    def failed() -> Iterator[FailedItemRow]:
        query = (
            ItemResult.select(ItemResult.note, Item.code, Item.text, Item.source, Item.clause, Item.deduction,
                              Item.severity, Inspection.uuid, Inspection.observed_at, Window.code.alias("window_code"),
                              Staff.employee_no, Staff.name.alias("staff_name"))
            .join(Item).switch(ItemResult).join(Inspection).join(Window).switch(Inspection)
            .join(Staff, pw.JOIN.LEFT_OUTER)
            .where(where & (ItemResult.result == "fail") & (Item.kind == "check"))
            .order_by(Inspection.observed_at, Inspection.id, Item.sort_order)
            .dicts()
            .iterator()
        )
        for r in query:
            yield FailedItemRow(r["uuid"], r["observed_at"], r["window_code"], r["employee_no"] or "",
                                r["staff_name"] or "", r["code"], r["text"], cite(r["source"], r["clause"]),
                                r["deduction"], SEVERITIES[r["severity"]], r["note"])

    return rows, failed()


@dataclass(frozen=True)
class RecordItem:
    category: str
    code: str
    text: str
    clause: str  # as cited: the source's short name and the clause
    deduction: float
    severity: str
    kind: str
    result: str  # Chinese label, "" when unticked
    failed: bool
    note: str
    photos: tuple[str, ...]
    sources: tuple[str, ...] = ()  # ids of the documents cited, for the list under the table


@dataclass
class InspectionRecord:
    id: int
    uuid: str
    revision: int
    centre: str
    window_code: str
    window_name: str
    window_type: str
    department: str
    staff_name: str
    employee_no: str
    employer: str
    inspector: str
    method: str
    observed_at: dt.datetime
    started_at: dt.datetime
    finished_at: dt.datetime | None
    checklist: str
    status: str
    score: float | None
    grade: str
    bonus: float
    deductions: float
    vetoed: bool
    passed: bool | None
    note: str
    items: list[RecordItem]
    probation_until: dt.date | None = None
    rechecks_required: int = 0
    recheck_by: dt.date | None = None
    case_role: str = ""  # opened: this inspection opened the case; recheck: a re-check during it
    rechecks_passed: int = 0
    rechecks_failed: int = 0
    deadlines: dict = field(default_factory=dict)  # item code -> the rectification deadline
    appeal_by: dt.date | None = None  # the last day to appeal a deduction
    centre_id: int | None = None  # the centre of the window inspected (its settings word the notice)

    @property
    def failed_items(self) -> list[RecordItem]:
        return [i for i in self.items if i.failed]

    def documents(self, failed_only: bool = False) -> list[str]:
        """'short: full title' of the source documents the (failed) items cite."""
        return source_titles(s for i in (self.failed_items if failed_only else self.items) for s in i.sources)


def inspection_record(inspection_id: int | str, centre_id=scope.SOLE) -> InspectionRecord:
    """The filled checklist as the inspector saw it, with the probation case it opened or counts on."""
    insp = wall.inspection(Context(None, scope.resolve(centre_id)), inspection_id)
    stored = insp_mod.item_results(insp)
    items = []
    for item in insp_mod.applicable_items(insp):
        r = stored.get(item.id)
        result = r.result if r else None
        label = ("加分" if result == "pass" else "") if item.kind == "bonus" else RESULTS.get(result, "")
        items.append(RecordItem(
            item.category.name, item.code, item.text, cite(item.source, item.clause), item.deduction,
            SEVERITIES[item.severity], item.kind, label, item.kind == "check" and result == "fail",
            r.note if r else "", tuple(p for p in (r.photos.split("\n") if r else []) if p),
            cited_sources(item.source, item.clause),
        ))
    staff = insp.staff if insp.staff_id else None
    version = insp.checklist_version
    record = InspectionRecord(
        id=insp.id, uuid=insp.uuid, revision=insp.revision, centre=insp.window.centre.name,
        centre_id=insp.window.centre_id, window_code=insp.window.code,
        window_name=insp.window.name, window_type=insp.window.window_type, department=insp.window.department,
        staff_name=staff.name if staff else "", employee_no=staff.employee_no if staff else "",
        employer=staff.employer if staff else "", inspector=insp.inspector.display_name,
        method=METHODS[insp.method], observed_at=insp.observed_at, started_at=insp.started_at,
        finished_at=insp.finished_at, checklist=f"{version.checklist.name} 第{version.version}版",
        status=insp.status, score=insp.score, grade=insp.grade, bonus=insp.bonus, deductions=insp.deductions,
        vetoed=bool(insp.vetoed), passed=insp.passed, note=insp.note, items=items,
    )
    if insp.status == "final":
        refs = {f"inspection:{insp.uuid}:{i.code}": i.code for i in items if i.failed}
        record.deadlines = {refs[ref]: due for ref, due in Rectification.select(Rectification.source_ref, Rectification.due_on)
                            .where(Rectification.source_ref.in_(list(refs))).tuples()} if refs else {}
        record.appeal_by = deadline(insp) if refs else None
    if staff is not None:
        case = (ProbationCase.select().where((ProbationCase.staff == staff) & (ProbationCase.opened_on <= insp.observed_at.date())
                                             & (ProbationCase.ends_on >= insp.observed_at.date()))
                .order_by(ProbationCase.opened_on.desc()).first())
        if case is not None:
            record.probation_until = case.ends_on
            record.rechecks_required = case.required_rechecks
            # The first re-check a week on (not past the end): time to put things right, seed 000 三.2.
            record.recheck_by = min(insp.observed_at.date() + dt.timedelta(days=7), case.ends_on)
            record.case_role = "opened" if case.opening_inspection_id == insp.id else "recheck"
            # As of this record: a notice reprinted a month later tells the count on its own day.
            record.rechecks_passed, record.rechecks_failed = recheck_counts(case, until=insp.observed_at)
        else:
            _office_case(record, insp, staff)
    return record


def _office_case(record: InspectionRecord, insp: Inspection, staff: Staff) -> None:
    """On a laptop, the office's case (from its last update) words the notice as the office's would: a
    re-check during probation, counted as the office counted to the update and this laptop since."""
    day = insp.observed_at.date()
    due = (ProbationDue.select().where((ProbationDue.employee_no == staff.employee_no) & (ProbationDue.opened_on <= day)
                                       & (ProbationDue.ends_on >= day)).order_by(ProbationDue.opened_on.desc()).first())
    if due is None:
        return
    known = set(due.known.split("\n"))
    mine = [r for r in Inspection.select(Inspection.uuid, Inspection.passed).where(
        (Inspection.staff == staff.id) & (Inspection.status == "final") & (Inspection.observed_at <= insp.observed_at)
        & (Inspection.observed_at >= dt.datetime.combine(due.opened_on, dt.time()))) if r.uuid not in known]
    passed = sum(1 for r in mine if r.passed)
    record.probation_until, record.rechecks_required = due.ends_on, due.rechecks_required
    record.recheck_by = min(day + dt.timedelta(days=7), due.ends_on)
    record.case_role = "recheck"
    record.rechecks_passed = due.rechecks_passed + passed
    record.rechecks_failed = due.rechecks_failed + len(mine) - passed


@dataclass
class ProbationNotice:
    id: int
    centre: str
    staff_name: str
    employee_no: str
    employer: str
    window: str
    opened_on: dt.date
    ends_on: dt.date
    required: int
    status: str
    opening: InspectionRecord | None
    events: list[tuple[dt.datetime, str, str]]  # (time, kind label, cause)
    decision: str = ""
    consequence: str = ""  # what follows a failed probation for this person's kind of employment
    state: str = ""  # the stored status (the facts; `status` is its words as of the day asked)


def probation_notice(case_id: int, centre_id=scope.SOLE, as_of: dt.date | None = None) -> ProbationNotice:
    """The case as of a day (today unless given): its state in words as the register shows it then."""
    case = wall.fetch(Context(None, scope.resolve(centre_id)), ProbationCase, case_id)
    staff = case.staff
    return ProbationNotice(
        id=case.id, centre=staff.centre.name if staff.centre_id else centre_name(centre_id=centre_id), staff_name=staff.name, employee_no=staff.employee_no,
        employer=staff.employer, window=staff.window.code if staff.window_id else "",
        opened_on=case.opened_on, ends_on=case.ends_on, required=case.required_rechecks,
        status=status_label(case, as_of or dt.date.today()), state=case.status,
        opening=inspection_record(case.opening_inspection_id,
                                  centre_id=centre_id) if case.opening_inspection_id else None,
        events=[(e.at, PROBATION_EVENTS[e.kind], e.cause) for e in history(case)],
        decision=case.decision_reason,
        consequence=consequence(staff.employer, load_settings(case.opened_on, staff.centre_id)),
    )


@dataclass
class StaffRecord:
    centre: str
    period: Period
    staff_name: str
    employee_no: str
    gender: str
    party_member: bool
    employer: str
    window: str
    inspections: list[InspectionRow]
    failed_items: list[tuple[str, str, int]]
    cases: list[CaseRow]

    @property
    def average(self) -> float | None:
        scores = [r.score for r in self.inspections]
        return half_up(sum(scores) / len(scores)) if scores else None


def staff_record(employee_no: str, period: Period, centre_id=scope.SOLE) -> StaffRecord:
    staff = Staff.get_or_none((Staff.employee_no == employee_no) & scope.staff(centre_id))
    if staff is None:
        raise PatrolError(f"本中心没有工号 {employee_no}")
    rows = finalised_inspections(period, employee_no=employee_no, centre_id=centre_id)
    pay = next((p for p in failures(period, centre_id=centre_id) if p.employee_no == employee_no), None)
    cases = [c for c in case_rows(period.last_day, ("open", "recommend_return", "review", "cleared", "returned"),
                                  centre_id=centre_id)
             if c.employee_no == employee_no and c.opened_on < period.end and c.ends_on >= period.start]
    return StaffRecord(centre_name(centre_id=centre_id), period, staff.name, staff.employee_no, GENDERS[staff.gender],
                       bool(staff.party_member), staff.employer, staff.window.code if staff.window_id else "",
                       rows, pay.items if pay else [], cases)


@dataclass(frozen=True)
class Label:
    code: str
    name: str
    department: str
    area: str
    payload: str


def window_labels(area_code: str | None = None, centre_id=scope.SOLE) -> list[Label]:
    scope.require_centre(centre_id, "窗口标签")  # a label names its centre
    centre = current_centre(centre_id=centre_id)
    query = Window.select(Window, Area).join(Area).where((Window.active == True) & scope.windows(centre_id))  # noqa: E712
    if area_code:
        if not Area.select().where((Area.code == area_code) & (Area.centre == centre.id)).exists():
            raise PatrolError(f"未知区域: {area_code}")
        query = query.where(Area.code == area_code)
    labels = [Label(w.code, w.name, w.department, w.area.name, window_payload(centre.code, w.code))
              for w in query.order_by(Window.code)]
    if not labels:
        raise PatrolError("没有可打印标签的窗口")
    return labels


@dataclass
class PhotoEntry:
    window: str
    day: dt.date
    item_code: str
    ref: str


def photo_entries(start: dt.date, end: dt.date, centre_id=scope.SOLE) -> list[PhotoEntry]:
    """Photos of finalised inspections observed from start to end (inclusive)."""
    period = Period(start, end + dt.timedelta(days=1), f"{cn_date(start)}至{cn_date(end)}")
    query = (
        ItemResult.select(ItemResult.photos, Item.code, Window.code.alias("window"), Inspection.observed_at)
        .join(Item).switch(ItemResult).join(Inspection).join(Window)
        .where(finalised_in(period, centre_id=centre_id) & (ItemResult.photos != ""))
        .order_by(Window.code, Inspection.observed_at)
        .dicts()
    )
    return [PhotoEntry(r["window"], r["observed_at"].date(), r["code"], ref)
            for r in query for ref in r["photos"].split("\n") if ref]
