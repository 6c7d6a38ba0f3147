"""The probation rules (seed 000 三.2's 考察期) that build cases from the facts: a finalised failing inspection
opens a case, later inspections of the person up to its end are its re-checks, a conduct event a scheme names
opens one from the start of its day; and the same rules run again when a fact changes after the event (an
amendment, a re-grade, a late record, an event recorded late or withdrawn), so that what is stored is what
running them over the facts in the order they happened gives. The register, the sweep and a manager's
decisions are `app.results.probation`'s."""

from __future__ import annotations

import datetime as dt

import peewee as pw

from app.centres.settings import CentreSettings, RuleBook, load_settings, rule_book
from app.domain import CONDUCT_KINDS
from app.periods import cn_date
from app.storage.db import bulk_insert
from app.storage.models import (
    Inspection,
    Item,
    ItemResult,
    PersonEvent,
    ProbationCase,
    ProbationDue,
    ProbationEvent,
    Staff,
    User,
    Window,
    now,
)
from app.storage.proxy import db


def on_finalised(inspection: Inspection, user: User | None = None) -> ProbationCase | None:
    """Record a finalised inspection on the person's case, or open one if it failed (the rules of
    `on_finalised_many` for one record); returns the case it counted on or opened."""
    case_id = on_finalised_many([inspection.id], user).get(inspection.id)
    return ProbationCase.get_by_id(case_id) if case_id is not None else None


def on_finalised_many(inspection_ids: list[int], user: User | None = None) -> dict[int, int]:
    """The probation rules over newly finalised inspections, in the order they were observed, by the rules
    of each day: an inspection of a person with an open case covering its day is a re-check on that case;
    a failure without one opens a case. A handful of queries for a whole package (a query for each case
    opened), the events written in one bulk insert. Returns inspection id -> the case it counted on or opened."""
    rows = []
    for n in range(0, len(inspection_ids), 500):
        rows += list(Inspection.select(Inspection.id, Inspection.staff, Inspection.observed_at, Inspection.finished_at,
                                       Inspection.passed, Inspection.score, Inspection.vetoed, Window.centre)
                     .join(Window)
                     .where(Inspection.id.in_(inspection_ids[n:n + 500]) & Inspection.staff.is_null(False)).tuples())
    # A record counts once: one that already counts on a standing case (counted when a case opened after the
    # fact took in the patrols of its period) is not counted again.
    already = set()
    for n in range(0, len(inspection_ids), 500):
        already.update(i for (i,) in ProbationEvent.select(ProbationEvent.inspection).join(ProbationCase).where(
            ProbationEvent.inspection.in_(inspection_ids[n:n + 500]) & (ProbationCase.status != "withdrawn")
            & ProbationEvent.kind.in_(["opened", "recheck_pass", "recheck_fail"])).tuples())
    rows = sorted((r for r in rows if r[0] not in already), key=lambda r: (r[2], r[0]))
    people = sorted({r[1] for r in rows})
    # The latest patrol of each person made before this batch arrived (a laptop's records come late): a case
    # a late failure opens counts those patrols, as it would have had the failure arrived on its day.
    batch, latest_before = set(inspection_ids), {}
    for n in range(0, len(people), 500):
        if not rows:
            break
        for insp_id, staff_id, observed in (Inspection.select(Inspection.id, Inspection.staff, Inspection.observed_at)
                                            .where(Inspection.staff.in_(people[n:n + 500]) & (Inspection.status == "final")
                                                   & (Inspection.observed_at > rows[0][2])).tuples()):
            if insp_id not in batch and observed > latest_before.get(staff_id, observed - dt.timedelta(seconds=1)):
                latest_before[staff_id] = observed
    # staff id -> [case id, opened on, ends on, opening inspection id, when that inspection was made]
    open_cases: dict[int, list[list]] = {}
    for n in range(0, len(people), 500):
        for case_id, staff_id, opened_on, ends_on, opening, opening_at in (
                ProbationCase.select(ProbationCase.id, ProbationCase.staff, ProbationCase.opened_on, ProbationCase.ends_on,
                                     ProbationCase.opening_inspection, Inspection.observed_at)
                .join(Inspection, pw.JOIN.LEFT_OUTER, on=(ProbationCase.opening_inspection == Inspection.id))
                .where(ProbationCase.staff.in_(people[n:n + 500]) & (ProbationCase.status == "open")).tuples()):
            open_cases.setdefault(staff_id, []).append([case_id, opened_on, ends_on, opening, opening_at])
    # On a laptop, the office's open cases (its last update): a failure on a day one covers is a re-check
    # on that case when the office imports it, never a second case opened here.
    office_cases: dict[int, list[tuple[dt.date, dt.date]]] = {}
    if rows and ProbationDue.select().exists():
        numbers = dict(Staff.select(Staff.employee_no, Staff.id).where(Staff.id.in_(people)).tuples())
        for employee_no, opened_on, ends_on in (ProbationDue.select(ProbationDue.employee_no, ProbationDue.opened_on,
                                                                    ProbationDue.ends_on)
                                                .where(ProbationDue.employee_no.in_(list(numbers))).tuples()):
            office_cases.setdefault(numbers[employee_no], []).append((opened_on, ends_on))
    books: dict[int, RuleBook] = {}  # each centre's rules of each day: a case opens by its centre's
    events, counted, late = [], {}, []
    for insp_id, staff_id, observed, finished, passed, score, vetoed, centre_id in rows:
        day, when = observed.date(), finished or now()
        # A case covers a patrol of its days made after the one that opened it (by the hour: a patrol of
        # the same morning, entered late, is not a re-check of the afternoon's failure).
        covering = [c for c in open_cases.get(staff_id, ()) if c[1] <= day <= c[2]
                    and (c[4] is None or (c[4], c[3]) < (observed, insp_id))]
        case = max(covering, key=lambda c: (c[1], c[0])) if covering else None
        if case is not None and case[3] != insp_id:
            grade = "合格" if passed else "不合格"
            events.append((case[0], when, "recheck_pass" if passed else "recheck_fail", insp_id,
                           f"{cn_date(day)}复查{grade}, 得分 {score:g}" + (" (一票否决)" if vetoed else "")))
            counted[insp_id] = case[0]
            continue
        if passed or any(opened <= day <= ends for opened, ends in office_cases.get(staff_id, ())):
            continue
        if centre_id not in books:
            books[centre_id] = rule_book(centre_id)
        settings = books[centre_id].on(day)
        ends_on = day + dt.timedelta(days=settings.probation_days)
        opened = ProbationCase.create(staff=staff_id, opening_inspection=insp_id, opened_on=day, ends_on=ends_on,
                                      required_rechecks=settings.probation_rechecks)
        events.append((opened.id, when, "opened", insp_id,
                       f"{cn_date(day)}巡查不合格 (得分 {score:g}" + (", 一票否决" if vetoed else "")
                       + f"), 考察期至{cn_date(ends_on)}, 需复查合格 {settings.probation_rechecks} 次"))
        # Late if a patrol after it is stored, or a case (a conduct event's, say) opened on a day it covers.
        later_case = any(day <= c[1] <= ends_on for c in open_cases.get(staff_id, ()))
        open_cases.setdefault(staff_id, []).append([opened.id, day, ends_on, insp_id, observed])
        counted[insp_id] = opened.id
        if later_case or (staff_id in latest_before and latest_before[staff_id] > observed):
            late.append(opened.id)
    bulk_insert(ProbationEvent, ["case", "at", "kind", "inspection", "cause"], events)
    for case in ProbationCase.select().where(ProbationCase.id.in_(late)) if late else ():
        _fold_later_cases(case, user)  # `user`: who changed a record, when a change made it late
        _count_patrols_already_done(case)
    return counted


def _open_on(staff_id: int, day: dt.date):
    """A person's open cases whose period covers a day, latest opened first."""
    return (ProbationCase.select().where(
        (ProbationCase.staff == staff_id) & (ProbationCase.status == "open") & (ProbationCase.opened_on <= day)
        & (ProbationCase.ends_on >= day)).order_by(ProbationCase.opened_on.desc(), ProbationCase.id.desc()))


def active_case(staff_id: int, on: dt.date) -> ProbationCase | None:
    """The open case of a person whose period covers the given day."""
    return _open_on(staff_id, on).first()


def covering_case(staff_id: int, day: dt.date) -> ProbationCase | None:
    """The open case an event of a day counts on: one running since an earlier day, or opened by an event
    of that day (an event counts from the start of its day, before any patrol of it)."""
    return _open_on(staff_id, day).where(
        (ProbationCase.opened_on < day) | ProbationCase.opening_inspection.is_null()).first()


def open_for_event(staff: Staff, day: dt.date, cause: str) -> ProbationCase | None:
    """A case opened by a recorded event (a scheme may say a kind of conduct opens probation); none
    if the person already has a case running on that day. A case a patrol of that day (or a later one)
    opened is folded into it, as if the event had come first; the patrols already made in it count."""
    if covering_case(staff.id, day) is not None:
        return None
    settings = load_settings(day, staff.centre_id)
    with db.atomic():
        case = ProbationCase.create(staff=staff, opening_inspection=None, opened_on=day,
                                    ends_on=day + dt.timedelta(days=settings.probation_days),
                                    required_rechecks=settings.probation_rechecks)
        ProbationEvent.create(case=case, kind="opened", cause=f"{cause}; 考察期至{cn_date(case.ends_on)}, "
                              f"需复查合格 {case.required_rechecks} 次")
        _fold_later_cases(case, None)
        _count_patrols_already_done(case)
    return case


def link_event(event: PersonEvent, cause: str) -> ProbationCase | None:
    """A conduct event that opens probation: it opens a case, or counts on the one running that day (kept
    on the event, so that if that case is withdrawn the event opens its own, as a replay would). Returns
    the case it opened, if any."""
    opened = open_for_event(event.staff, event.occurred_on, cause)
    event.probation_case = opened or covering_case(event.staff_id, event.occurred_on)
    event.save()
    return opened


def event_opened(event: PersonEvent) -> bool:
    """Whether the case kept on an event is the one it opened (not one it fell inside): opened by no
    patrol, on the event's day, and by no standing event of that day recorded before it."""
    case = event.probation_case
    if case is None or case.opening_inspection_id is not None or case.opened_on != event.occurred_on:
        return False
    return not PersonEvent.select().where(
        (PersonEvent.probation_case == case) & (PersonEvent.occurred_on == event.occurred_on)
        & (PersonEvent.id < event.id) & PersonEvent.withdrawn_at.is_null()).exists()


def _rerun_events(case: ProbationCase) -> None:
    """The standing events that counted on a case now withdrawn open or join cases again, in order."""
    for event in (PersonEvent.select().where((PersonEvent.probation_case == case) & PersonEvent.withdrawn_at.is_null())
                  .order_by(PersonEvent.occurred_on, PersonEvent.id)):
        label = CONDUCT_KINDS.get(event.kind, (event.kind,))[0]
        link_event(event, f"{label} ({event.occurred_on:%Y-%m-%d}): {event.description[:60]}")


def _count_patrols_already_done(case: ProbationCase) -> None:
    """A case opened after the fact (a conduct event recorded late, a patrol amended to a fail) counts
    the patrols of the person already made in its period, as it would have had it been opened on its
    day: each is a re-check, unless it already counts on another case or opened one."""
    # After the patrol that opened it (by the hour); a case opened by an event (a day) from that day.
    opening = Inspection.get_or_none(Inspection.id == case.opening_inspection_id) if case.opening_inspection_id else None
    # In the order the rules run them: by time, then by record (two records of one moment).
    after = ((Inspection.observed_at > opening.observed_at) | ((Inspection.observed_at == opening.observed_at)
                                                              & (Inspection.id > opening.id))) if opening is not None else (
        Inspection.observed_at >= dt.datetime.combine(case.opened_on, dt.time()))
    end = dt.datetime.combine(case.ends_on + dt.timedelta(days=1), dt.time())
    # What counts on a case that stands (a withdrawn case's patrols are free to count again).
    counted = ProbationEvent.select(ProbationEvent.inspection).join(ProbationCase).where(
        ProbationEvent.inspection.is_null(False) & ProbationEvent.kind.in_(["opened", "recheck_pass", "recheck_fail"])
        & (ProbationCase.status != "withdrawn"))
    openers = ProbationCase.select(ProbationCase.opening_inspection).where(
        ProbationCase.opening_inspection.is_null(False) & (ProbationCase.status != "withdrawn"))
    done = (Inspection.select(Inspection.id, Inspection.observed_at, Inspection.finished_at, Inspection.passed,
                              Inspection.score, Inspection.vetoed)
            .where((Inspection.staff == case.staff_id) & (Inspection.status == "final")
                   & after & (Inspection.observed_at < end)
                   & Inspection.id.not_in(counted) & Inspection.id.not_in(openers))
            .order_by(Inspection.observed_at, Inspection.id).tuples())
    bulk_insert(ProbationEvent, ["case", "at", "kind", "inspection", "cause"], [
        (case.id, finished or observed, "recheck_pass" if passed else "recheck_fail", insp_id,
         f"{cn_date(observed.date())}复查{'合格' if passed else '不合格'}, 得分 {score:g}" + (" (一票否决)" if vetoed else "")
         + " (考察开启前已完成的巡查)")
        for insp_id, observed, finished, passed, score, vetoed in done])


def withdraw_case(case: ProbationCase, cause: str, user: User | None = None) -> ProbationCase:
    """What opened the case did not hold (an event withdrawn): the case is withdrawn as never having
    been, unless a manager has decided it (then it is flagged for review, never undone)."""
    if case.status in ("open", "recommend_return", "review") or _decided_by_sweep(case):
        case.status, case.closed_at = "withdrawn", now()
        case.save()
        ProbationEvent.create(case=case, kind="withdrawn", user=user, cause=f"{cause}; 考察撤销")
        _count_again(case)
        _rerun_events(case)
    else:
        ProbationEvent.create(case=case, kind="opening_changed", user=user, cause=f"{cause}; 本案已由管理员决定, 请复核")
    return case


def recheck_counts_of(case_ids: list[int], until: dt.datetime | None = None) -> dict[int, tuple[int, int]]:
    """(passed, failed) re-checks per case, by their inspections' current results (an amended or
    re-imported re-check counts as it now stands); only those observed up to `until` when given (a
    notice tells the count as of its own re-check); one query for all the cases."""
    counts = {cid: (0, 0) for cid in case_ids}
    for start in range(0, len(case_ids), 900):
        chunk = case_ids[start:start + 900]
        where = ProbationEvent.case.in_(chunk) & ProbationEvent.kind.in_(["recheck_pass", "recheck_fail"])
        if until is not None:
            where &= Inspection.observed_at <= until
        query = (ProbationEvent.select(ProbationEvent.case, Inspection.passed, pw.fn.COUNT(ProbationEvent.id))
                 .join(Inspection, on=(ProbationEvent.inspection == Inspection.id))
                 .where(where).group_by(ProbationEvent.case, Inspection.passed).tuples())
        for cid, passed, n in query:
            p, f = counts[cid]
            counts[cid] = (p + n, f) if passed else (p, f + n)
    return counts


def recheck_counts(case: ProbationCase, until: dt.datetime | None = None) -> tuple[int, int]:
    """(passed, failed) re-checks of one case, as they now stand (up to `until` when given)."""
    return recheck_counts_of([case.id], until)[case.id]


def needs_review(case: ProbationCase, settings: CentreSettings | None = None) -> str:
    """Why the rule alone may not close this case: it was opened by a veto (bribery, say), or by a
    serious item when the centre's scheme says so. Empty when the rule may."""
    opening = Inspection.get_or_none(Inspection.id == case.opening_inspection_id) if case.opening_inspection_id else None
    if opening is None:
        return ""
    if opening.vetoed:
        return "本案由一票否决项开启"
    settings = settings or load_settings(case.opened_on, case.staff.centre_id)
    if settings.review_serious:
        serious = (ItemResult.select().join(Item).where((ItemResult.inspection == opening) & (ItemResult.result == "fail")
                                                        & (Item.severity == "serious")).exists())
        if serious:
            return "本案由严重项开启"
    return ""


def verdict(case: ProbationCase, counts: tuple[int, int] | None = None) -> tuple[str, str]:
    """The sweep's rule for a case past its end: (status, summary). A case the rule may not close
    waits for a manager instead of being cleared."""
    passed, failed = counts or recheck_counts(case)
    summary = f"考察期于{cn_date(case.ends_on)}届满, 复查合格 {passed} 次、不合格 {failed} 次 (需合格 {case.required_rechecks} 次)"
    if passed >= case.required_rechecks and failed == 0:
        why = needs_review(case)
        if why:
            return "review", summary + f"; {why}, 不由规则自动解除, 待管理员决定"
        return "cleared", summary + ", 解除考察"
    return "recommend_return", summary + ", 建议退回劳务公司, 待管理员确认"


def on_result_changed(inspection: Inspection, was_passed: bool, cause: str,
                      user: User | None = None) -> ProbationCase | None:
    """A finalised inspection changed between pass and fail (an amendment, or a newer revision imported):
    bring probation in line, with an event saying why. Only rule-made states move; a manager's
    decision (confirmed return, or cleared by a manager) is never undone, only flagged for review."""
    if inspection.staff_id is None or bool(inspection.passed) == bool(was_passed):
        return None
    day = inspection.observed_at.date()
    now_text = "合格" if inspection.passed else "不合格"
    # A case this record opened and that still stands (one withdrawn before is history: changed back to
    # a fail, the record opens a case again).
    opened = ProbationCase.get_or_none((ProbationCase.opening_inspection == inspection)
                                       & (ProbationCase.status != "withdrawn"))
    if opened is not None and inspection.passed:
        if opened.status in ("open", "recommend_return", "review") or _decided_by_sweep(opened):
            opened.status, opened.closed_at = "withdrawn", now()
            opened.save()
            ProbationEvent.create(case=opened, kind="withdrawn", inspection=inspection, user=user,
                                  cause=f"开启本案的{cn_date(day)}巡查记录改为合格: {cause}; 考察撤销")
            _count_again(opened)
            _rerun_events(opened)
        else:
            ProbationEvent.create(case=opened, kind="opening_changed", inspection=inspection, user=user,
                                  cause=f"开启本案的{cn_date(day)}巡查记录改为合格: {cause}; 本案已由管理员决定, 请复核")
        return opened
    recheck = (ProbationEvent.select().join(ProbationCase)
               .where((ProbationEvent.inspection == inspection) & ProbationEvent.kind.in_(["recheck_pass", "recheck_fail"])
                      & (ProbationCase.status != "withdrawn")).first())
    if recheck is not None:
        case = recheck.case
        ProbationEvent.create(case=case, kind="recheck_changed", inspection=inspection, user=user,
                              cause=f"{cn_date(day)}复查改为{now_text}: {cause}")
        if case.status in ("recommend_return", "review") or _decided_by_sweep(case):
            status, summary = verdict(case)
            if status != case.status:
                case.status = status
                case.closed_at = now() if status == "cleared" else None
                case.save()
                ProbationEvent.create(case=case, kind=status, cause="复查结果修改后重新判定: " + summary)
        return case
    if not inspection.passed:
        case = on_finalised(inspection, user)
        if case is not None and case.opening_inspection_id == inspection.id:
            ProbationEvent.create(case=case, kind="opened_by_change", inspection=inspection, user=user,
                                  cause=f"{cn_date(day)}巡查记录改为不合格: {cause}")
            _fold_later_cases(case, user)
            _count_patrols_already_done(case)
        return case
    return None


def _rechecks_of(case: ProbationCase) -> list[int]:
    return [i for (i,) in ProbationEvent.select(ProbationEvent.inspection)
            .join(Inspection, on=(ProbationEvent.inspection == Inspection.id))
            .where((ProbationEvent.case == case) & ProbationEvent.kind.in_(["recheck_pass", "recheck_fail"]))
            .order_by(Inspection.observed_at, Inspection.id).tuples()]


def _count_again(case: ProbationCase) -> None:
    """The patrols that counted on a case now withdrawn count as a replay would have them: on another
    case covering their day, or, a failure without one, opening a case (a later failure still fails)."""
    _recount(_rechecks_of(case))


def _recount(inspection_ids: list[int]) -> None:
    """Run the rules again over patrols set free (in the order observed); a case one of them opens counts
    the later patrols of its period that count nowhere else, as it would have had it opened on its day."""
    if not inspection_ids:
        return
    counted = on_finalised_many(inspection_ids)
    for case in ProbationCase.select().where(ProbationCase.id.in_(sorted(set(counted.values())))
                                             & ProbationCase.opening_inspection.in_(inspection_ids)):
        _count_patrols_already_done(case)


def _fold_later_cases(case: ProbationCase, user: User | None) -> None:
    """A case opened after the fact (an earlier patrol now fails) covers days on which later cases of the
    person were opened by the rule: as a replay would, they never opened; what opened and what counted
    on them count on this one (a case a manager decided is left, flagged by its own events)."""
    later = list(ProbationCase.select().where(
        (ProbationCase.staff == case.staff_id) & (ProbationCase.id != case.id) & (ProbationCase.status == "open")
        & (ProbationCase.opened_on >= case.opened_on) & (ProbationCase.opened_on <= case.ends_on)))
    for other in later:
        counted = ([other.opening_inspection_id] if other.opening_inspection_id else []) + _rechecks_of(other)
        other.status, other.closed_at = "withdrawn", now()
        other.save()
        ProbationEvent.create(case=other, kind="withdrawn", user=user,
                              cause=f"{cn_date(case.opened_on)}已开启考察 (案例 {case.id}), 本案并入该案; 考察撤销")
        PersonEvent.update(probation_case=case).where(PersonEvent.probation_case == other).execute()
        if counted:
            order = dict(Inspection.select(Inspection.id, Inspection.observed_at).where(Inspection.id.in_(counted)).tuples())
            _recount(sorted(counted, key=lambda i: (order[i], i)))


def _decided_by_sweep(case: ProbationCase) -> bool:
    """Cleared by the end-of-period rule (not by a manager), so a changed result may re-decide it."""
    return case.status == "cleared" and case.decided_by_id is None and not (
        ProbationEvent.select().where((ProbationEvent.case == case) & (ProbationEvent.kind.in_(
            ["cleared_by_manager", "withdrawn"]))).exists())
