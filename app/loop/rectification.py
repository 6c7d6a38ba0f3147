"""Rectification items (整改): a fault that must be put right by a deadline, and whether it was.

An item is opened by what found the fault (a 差评 from the 好差评 import; failed inspection items and
conduct events as the loop grows), once per source. It is open until rectified (a manager confirms it
with a note, and a photo when there is one) and overdue when still open after its deadline.
"""

from __future__ import annotations

import datetime as dt

from app import audit
from app.assessment.schemes import schemes_on
from app.centres import scope
from app.centres.settings import rule_book
from app.centres.wall import ensure_own
from app.centres.workdays import add_workdays, calendar
from app.errors import PatrolError
from app.patrolling.checklists import applies, cite, version_items
from app.results.probation_rules import open_for_event
from app.results.rectification_items import REPEAT_DAYS, STATES, new_item, state_of, write_items
from app.roles import require_role
from app.storage.models import Inspection, Item, ItemResult, Rectification, Staff, User, Window
from app.storage.models import Staff as StaffModel
from app.storage.proxy import db

PATROL_FIXED = "复查合格"  # the note of an item a later patrol showed put right


def _days_for(severity: str, settings) -> int:
    return {"veto": settings.rectify_days_veto, "serious": settings.rectify_days_serious}.get(
        severity, settings.rectify_days_normal)


def on_finalised(inspection) -> None:
    """A finalised inspection opens an item for each failed check item (deadline by severity, in working
    days), and rectifies the person's open items it shows fixed: the package rules for one record."""
    on_finalised_many([inspection.id])


def _probation_threshold(day: dt.date, centre_id: int) -> int:
    """The fault count at which a scheme of the centre in force opens probation (0: none does)."""
    counts = [s.repeat_probation_at for s in schemes_on(day, centre_id) if s.repeat_probation_at]
    return min(counts) if counts else 0


def _escalate_at(repeats: int, what: str, staff_id: int, day: dt.date, threshold: int) -> None:
    """A scheme may say the Nth fault of the same item opens probation (seed 000 三.2's 考察期)."""
    if threshold and repeats + 1 >= threshold:
        open_for_event(Staff.get_by_id(staff_id), day, f"同一问题第 {repeats + 1} 次 ({what[:40]}), {REPEAT_DAYS} 天内重复")


def on_finalised_many(inspection_ids: list[int]) -> None:
    """The rectification rules over new finalised inspections (one from the app, or a results package),
    in the order they were observed, with a handful of queries for the whole package rather than a dozen an
    inspection: failed items open items (repeats counted), passes rectify the open items they show
    fixed, and the new items are written in one bulk insert."""
    if not inspection_ids:
        return
    chunks = [inspection_ids[n:n + 500] for n in range(0, len(inspection_ids), 500)]
    new = []
    for chunk in chunks:
        new += list(Inspection.select(Inspection.id, Inspection.uuid, Inspection.staff, Inspection.window,
                                      Inspection.observed_at, Inspection.inspector, Window.centre)
                    .join(Window).where(Inspection.id.in_(chunk)).tuples())
    new.sort(key=lambda r: (r[4], r[0]))
    failed: dict[int, list] = {}
    for chunk in chunks:
        for insp_id, code, text, severity, source, clause in (
                ItemResult.select(ItemResult.inspection, Item.code, Item.text, Item.severity, Item.source, Item.clause)
                .join(Item).where(ItemResult.inspection.in_(chunk) & (ItemResult.result == "fail") & (Item.kind == "check"))
                .tuples()):
            failed.setdefault(insp_id, []).append((code, text, severity, source, clause))
    staff_ids = sorted({r[2] for r in new if r[2]})
    window_ids = sorted({r[3] for r in new if not r[2]})
    who = lambda staff_id, window_id: ("s", staff_id) if staff_id else ("w", window_id)  # noqa: E731
    first_day = min(r[4] for r in new).date()
    # Open items of these people (or windows without a person), and their recent faults for repeats.
    open_by: dict[tuple, list] = {}
    history: dict[tuple, list[dt.date]] = {}
    existing = Rectification.select().where(
        (Rectification.source == "inspection")
        & ((Rectification.staff.in_(staff_ids or [0])) | (Rectification.window.in_(window_ids or [0]) & Rectification.staff.is_null()))
        & ((Rectification.state == "open") | (Rectification.opened_on >= first_day - dt.timedelta(days=REPEAT_DAYS))
           | ((Rectification.state == "rectified") & (Rectification.closed_on > first_day))))
    refs = set()
    seen_at: dict[str, dt.datetime] = {}  # an item's source_ref -> when the fault was seen (a later patrol fixes it)
    for item in existing:
        key = who(item.staff_id, item.window_id)
        refs.add(item.source_ref)
        # Open, or put right by a patrol on a later day than one of these (a record arriving late was the
        # first to show it fixed).
        if item.state == "open" or (item.state == "rectified" and item.closed_on > first_day
                                    and PATROL_FIXED in item.close_note):
            open_by.setdefault(key, []).append({"id": item.id, "state": item.state, "opened_on": item.opened_on,
                                                "item_code": item.item_code, "source_ref": item.source_ref,
                                                "closed_on": item.closed_on})
        if item.state != "withdrawn":
            history.setdefault((key, item.item_code), []).append(item.opened_on)
    open_refs: dict[str, list[str]] = {}  # the inspection that found an open item -> its items' refs
    for items in open_by.values():
        for i in items:
            open_refs.setdefault(i["source_ref"].split(":")[1], []).append(i["source_ref"])
    uuids = sorted(open_refs)
    for n in range(0, len(uuids), 500):
        for uuid_, observed in (Inspection.select(Inspection.uuid, Inspection.observed_at)
                                .where(Inspection.uuid.in_(uuids[n:n + 500])).tuples()):
            seen_at.update(dict.fromkeys(open_refs[uuid_], observed))
    # A later inspection shows an item fixed when the item applied to it and it neither failed nor was
    # marked 不适用 (a finalised record has every applicable item ticked): worked out here from the
    # version's items, the person and the window, instead of reading every passed result.
    versions = {}
    for chunk in chunks:
        versions.update(Inspection.select(Inspection.id, Inspection.checklist_version).where(Inspection.id.in_(chunk)).tuples())
    items_of = {v: {i.code: i for i in version_items(v)} for v in set(versions.values())}
    people = {s: (g, bool(pm)) for s, g, pm in StaffModel.select(StaffModel.id, StaffModel.gender, StaffModel.party_member)
              .where(StaffModel.id.in_(staff_ids or [0])).tuples()}
    types = dict(Window.select(Window.id, Window.window_type).where(Window.id.in_(sorted({r[3] for r in new}))).tuples())
    not_applicable = set()
    for chunk in chunks:
        not_applicable |= set(ItemResult.select(ItemResult.inspection, Item.code).join(Item)
                              .where(ItemResult.inspection.in_(chunk) & (ItemResult.result == "na")).tuples())

    def fixed_in(insp_id: int, staff_id, window_id, code: str) -> bool:
        item = items_of[versions[insp_id]].get(code)
        gender, party = people.get(staff_id, (None, False))
        return (item is not None and item.kind == "check" and applies(item, gender, party, types.get(window_id))
                and (insp_id, code) not in not_applicable and all(f[0] != code for f in failed.get(insp_id, ())))

    last_day = max(r[4] for r in new).date() + dt.timedelta(days=90)
    calendars: dict[int, dict] = {}  # each centre's working days (the district's and its own), read once
    books: dict[int, object] = {}  # each centre's settings of each day, read once (deadlines are settings)
    thresholds: dict[tuple[dt.date, int], int] = {}
    inspectors = {}
    rows, fixed = [], []
    for insp_id, uuid, staff_id, window_id, observed, inspector_id, centre_id in new:
        day, key = observed.date(), who(staff_id, window_id)
        if centre_id not in books:
            books[centre_id] = rule_book(centre_id)
            calendars[centre_id] = calendar(first_day, last_day, centre_id)
        rules, known = books[centre_id], calendars[centre_id]
        for item in open_by.get(key, []):
            # Seen before this patrol, by the time of day too: the afternoon's re-check fixes the morning's fault.
            seen = seen_at.get(item["source_ref"])
            seen_before = seen < observed if seen is not None else item["opened_on"] < day
            still = item["state"] == "open" or (item["state"] == "rectified" and day < item["closed_on"])
            if still and seen_before and fixed_in(insp_id, staff_id, window_id, item["item_code"]):
                if inspector_id not in inspectors:
                    inspectors[inspector_id] = User.get_by_id(inspector_id).username
                item.update(state="rectified", closed_on=day, closed_by=inspectors[inspector_id],
                            close_note=f"{day.isoformat()}{PATROL_FIXED} (巡查记录 {uuid[:8]})")
                if "id" in item:  # stored before: updated below; new rows go in with the bulk insert
                    fixed.append(item)
        for code, text, severity, source, clause in failed.get(insp_id, []):
            ref = f"inspection:{uuid}:{code}"
            if ref in refs:
                continue
            refs.add(ref)
            earlier = [d for d in history.get((key, code), []) if day - dt.timedelta(days=REPEAT_DAYS) <= d <= day]
            row = new_item(centre_id, "inspection", ref, f"{code} {text}", cite(source, clause), day,
                           add_workdays(day, _days_for(severity, rules.on(day)), known,
                                        centre_id=centre_id), staff_id, window_id, code,
                           len(earlier) if staff_id else 0)
            rows.append(row)
            seen_at[ref] = observed
            history.setdefault((key, code), []).append(day)
            open_by.setdefault(key, []).append(row)
            if row["repeats"] and staff_id:
                if (day, centre_id) not in thresholds:
                    thresholds[day, centre_id] = _probation_threshold(day, centre_id)
                _escalate_at(row["repeats"], row["what"], staff_id, day, thresholds[day, centre_id])
    for item in fixed:
        Rectification.update(state="rectified", closed_on=item["closed_on"], closed_by=item["closed_by"],
                             close_note=item["close_note"]).where(Rectification.id == item["id"]).execute()
    write_items(rows)
    _later_patrols_put_right(rows, seen_at, set(inspection_ids))


def _later_patrols_put_right(rows: list[dict], seen_at: dict[str, dt.datetime], batch: set[int]) -> None:
    """Faults found by records that arrived late (a laptop's, observed before patrols already stored): the
    patrols made since show them put right as they would have had the record arrived on its day."""
    first: dict[tuple, dt.datetime] = {}
    for row in rows:
        key = ("s", row["staff"]) if row["staff"] else ("w", row["window"])
        first[key] = min(first.get(key, seen_at[row["source_ref"]]), seen_at[row["source_ref"]])
    if not first:
        return
    staff = sorted(k[1] for k in first if k[0] == "s")
    windows = sorted(k[1] for k in first if k[0] == "w")
    later = []
    for n in range(0, max(len(staff), len(windows)), 500):
        whose = Inspection.staff.in_(staff[n:n + 500] or [0]) | (
            Inspection.window.in_(windows[n:n + 500] or [0]) & Inspection.staff.is_null())
        for insp_id, staff_id, window_id, observed in (
                Inspection.select(Inspection.id, Inspection.staff, Inspection.window, Inspection.observed_at)
                .where(whose & (Inspection.status == "final") & (Inspection.observed_at > min(first.values()))).tuples()):
            key = ("s", staff_id) if staff_id else ("w", window_id)
            if insp_id not in batch and key in first and observed > first[key]:
                later.append((observed, insp_id))
    if later:
        on_finalised_many([i for _, i in sorted(later)])


def on_amended(inspection, changes: dict[str, str], reason: str) -> None:
    """An amendment that turns a failed item into a pass (an appeal found right, a re-grade) withdraws its
    item, open or already put right: the fault was never there. A new failure opens one."""
    refs = [f"inspection:{inspection.uuid}:{code}" for code, result in changes.items() if result != "fail"]
    if refs:
        for item in Rectification.select().where(Rectification.source_ref.in_(refs)
                                                 & Rectification.state.in_(["open", "rectified"])):
            before = f" (此前: {item.close_note})" if item.close_note else ""
            item.state, item.closed_on, item.close_note = "withdrawn", dt.date.today(), f"巡查记录修改: {reason}{before}"
            item.save()
    failed = [f"inspection:{inspection.uuid}:{code}" for code, result in changes.items() if result == "fail"]
    unfixed = [code for code, result in changes.items() if result != "pass"]
    if failed:
        # An item withdrawn by an earlier amendment stands again, as the record now says (one row per fault).
        Rectification.update(state="open", closed_on=None, closed_by="", close_note="").where(
            Rectification.source_ref.in_(failed) & (Rectification.state == "withdrawn")).execute()
    if unfixed:
        # Items this record had shown put right, for items it no longer passes, are open again.
        Rectification.update(state="open", closed_on=None, closed_by="", close_note="").where(
            (Rectification.state == "rectified") & Rectification.item_code.in_(unfixed)
            & Rectification.close_note.contains(f"巡查记录 {inspection.uuid[:8]})")).execute()
    if changes:
        # The record, as it now reads, may open faults or put earlier ones right; a fault it now opens is
        # older than the patrols made since: as a replay would, a later pass puts it right.
        whose = (Inspection.staff == inspection.staff_id) if inspection.staff_id else (
            (Inspection.window == inspection.window_id) & Inspection.staff.is_null())
        later = [i for (i,) in Inspection.select(Inspection.id).where(
            whose & (Inspection.status == "final") & (Inspection.observed_at > inspection.observed_at))
            .order_by(Inspection.observed_at, Inspection.id).tuples()]
        on_finalised_many([inspection.id] + later)


def rectify(user: User, item: Rectification, note: str, photo: str = "", centre_id=scope.SOLE) -> Rectification:
    """A manager confirms the fault was put right (audited)."""
    require_role(user, "manager")
    ensure_own(user, item)
    if item.centre_id != scope.require_centre(centre_id, "整改"):
        raise PatrolError(f"整改项 {item.id} 不属于本中心")
    if item.state != "open":
        raise PatrolError(f"整改项 {item.id} 已于 {item.closed_on.isoformat()} {STATES[item.state]}")
    note = audit.require_reason(note)
    before = STATES[state_of(item)]
    with db.atomic():
        item.state, item.closed_on, item.closed_by, item.close_note, item.close_photo = (
            "rectified", dt.date.today(), user.username, note, photo)
        item.save()
        audit.record(user, "rectification.confirm", f"rectification:{item.id}", centre=item.centre_id,
                     old={"status": before, "due": item.due_on.isoformat()},
                     new={"status": "已整改"}, reason=note, window_code=item.window.code if item.window_id else "",
                     employee_no=item.staff.employee_no if item.staff_id else "")
    return item
