"""Inspections: start a draft, record item results, finalise with a stored score."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from app.centres.settings import CentreSettings, load_settings
from app.domain import METHODS, RESULTS
from app.errors import PatrolError
from app.patrolling import records
from app.patrolling.centre_checklists import in_use
from app.patrolling.checklists import applies, category_weights, latest_version, version_items
from app.patrolling.scoring import ScoredItem, ScoreResult, score_with_settings
from app.roles import require_role
from app.storage.db import bulk_insert
from app.storage.models import Inspection, Item, ItemResult, Staff, User, Window, change_time, now
from app.storage.proxy import db

DEFAULT_CHECKLIST = "WINDOW"


FUTURE_GRACE = dt.timedelta(minutes=5)  # a laptop clock a little ahead is not a future inspection


def _not_future(observed_at: dt.datetime | None) -> None:
    """Nothing is observed later than now: a date typed wrong would count in next month's ranking."""
    if observed_at is not None and observed_at > dt.datetime.now() + FUTURE_GRACE:
        raise PatrolError(f"行为发生时间 {observed_at:%Y-%m-%d %H:%M} 是将来的时间; 请检查日期和本机时钟")


def start_inspection(
    window: Window,
    inspector: User,
    *,
    staff: Staff | None = None,
    method: str = "onsite",
    observed_at: dt.datetime | None = None,
    checklist_code: str | None = None,
    started_at: dt.datetime | None = None,
) -> Inspection:
    """Open a draft inspection of a window on the newest version of a checklist (by default the one
    the window's centre patrols with)."""
    require_role(inspector, "inspector")
    if method not in METHODS:
        raise PatrolError(f"未知巡查方式 {method!r} (可选: {', '.join(METHODS)})")
    _not_future(observed_at)
    if checklist_code is None:
        checklist_code = in_use(window.centre_id)
    version = latest_version(checklist_code)
    if version is None:
        raise PatrolError(f"检查表 {checklist_code} 尚未载入")
    started = started_at or now()
    return Inspection.create(
        window=window,
        staff=staff,
        inspector=inspector,
        method=method,
        observed_at=observed_at or started,
        started_at=started,
        checklist_version=version,
    )


def applicable_items(inspection: Inspection) -> list[Item]:
    """The items of the inspection's checklist version that apply to this window and person."""
    staff = inspection.staff
    gender = staff.gender if staff else None
    party = bool(staff.party_member) if staff else False
    window_type = inspection.window.window_type
    return [i for i in version_items(inspection.checklist_version_id) if applies(i, gender, party, window_type)]


def _require_draft(inspection: Inspection) -> None:
    if inspection.status != "draft":
        raise PatrolError(f"巡查记录 {inspection.uuid} 已定稿, 不能直接修改")


def set_result(
    inspection: Inspection, item: Item, result: str, note: str = "", photos: tuple[str, ...] = ()
) -> ItemResult:
    """Record (or change) one item's result on a draft; written at once."""
    _require_draft(inspection)
    if result not in RESULTS:
        raise PatrolError(f"未知结果 {result!r} (可选: {', '.join(RESULTS)})")
    if item.version_id != inspection.checklist_version_id:
        raise PatrolError(f"检查项 {item.code} 不属于该巡查记录使用的检查表版本")
    with db.atomic():
        ItemResult.insert(
            inspection=inspection, item=item, result=result, note=note, photos="\n".join(photos)
        ).on_conflict(
            conflict_target=[ItemResult.inspection, ItemResult.item],
            update={ItemResult.result: result, ItemResult.note: note, ItemResult.photos: "\n".join(photos)},
        ).execute()
        Inspection.update(updated_at=change_time()).where(Inspection.id == inspection.id).execute()
    return ItemResult.get(inspection=inspection, item=item)


def clear_result(inspection: Inspection, item: Item) -> None:
    """Undo a tick on a draft."""
    _require_draft(inspection)
    ItemResult.delete().where((ItemResult.inspection == inspection) & (ItemResult.item == item)).execute()


def set_results(inspection: Inspection, results: Mapping[int, str], notes: Mapping[int, str] | None = None) -> None:
    """Record many results at once (item id -> result), in one transaction."""
    _require_draft(inspection)
    notes = notes or {}
    bad = {r for r in results.values() if r not in RESULTS}
    if bad:
        raise PatrolError(f"未知结果 {', '.join(sorted(bad))}")
    rows = [(inspection.id, item_id, r, notes.get(item_id, ""), "") for item_id, r in results.items()]
    with db.atomic():
        ItemResult.delete().where(
            (ItemResult.inspection == inspection) & (ItemResult.item.in_(list(results)))
        ).execute()
        bulk_insert(ItemResult, ["inspection", "item", "result", "note", "photos"], rows)


def recorded_results(inspection: Inspection) -> dict[int, str]:
    """item id -> result of what has been ticked so far."""
    query = ItemResult.select(ItemResult.item, ItemResult.result).where(ItemResult.inspection == inspection)
    return dict(query.tuples())


def update_draft(inspection: Inspection, *, staff: Staff | None | bool = False, method: str | None = None,
                 observed_at: dt.datetime | None = None, note: str | None = None) -> Inspection:
    """Change who is on duty, the method, the time observed or the note of a draft (written at once)."""
    _require_draft(inspection)
    if method is not None and method not in METHODS:
        raise PatrolError(f"未知巡查方式 {method!r} (可选: {', '.join(METHODS)})")
    if staff is not False:
        inspection.staff = staff
    if method is not None:
        inspection.method = method
    if observed_at is not None:
        _not_future(observed_at)
        inspection.observed_at = observed_at
    if note is not None:
        inspection.note = note
    inspection.updated_at = change_time()
    inspection.save()
    return inspection


def pass_remaining(inspection: Inspection, category_code: str) -> int:
    """Mark every unticked applicable check item of a category as passed; return how many."""
    _require_draft(inspection)
    recorded = recorded_results(inspection)
    todo = {i.id: "pass" for i in applicable_items(inspection)
            if i.category.code == category_code and i.kind == "check" and i.id not in recorded}
    if todo:
        set_results(inspection, todo)
    return len(todo)


def item_results(inspection: Inspection) -> dict[int, ItemResult]:
    """item id -> stored result row (note and photos included)."""
    return {r.item_id: r for r in ItemResult.select().where(ItemResult.inspection == inspection)}


def score_inspection(inspection: Inspection, settings: CentreSettings | None = None,
                     items: list[Item] | None = None, recorded: dict[int, str] | None = None) -> ScoreResult:
    """Score from the stored item results (unticked items count as not failed), by the rules in force
    of its centre on the day observed unless settings are given."""
    settings = settings or load_settings(inspection.observed_at.date(), inspection.window.centre_id)
    recorded = recorded_results(inspection) if recorded is None else recorded
    items = applicable_items(inspection) if items is None else items
    scored = [ScoredItem(i.code, i.category.code, i.deduction, i.severity, i.kind, recorded.get(i.id)) for i in items]
    return score_with_settings(scored, settings, category_weights(inspection.checklist_version_id))


def unchecked(inspection: Inspection, items=None, recorded=None) -> list[str]:
    """The codes of the checks a draft has no result for yet, in checklist order (finalising waits for them)."""
    recorded = recorded_results(inspection) if recorded is None else recorded
    return [i.code for i in (applicable_items(inspection) if items is None else items)
            if i.kind == "check" and i.id not in recorded]


def close(inspection: Inspection, *, at: dt.datetime | None = None,
          settings: CentreSettings | None = None) -> ScoreResult:
    """Score a complete draft, store the score and close it, in the caller's transaction. Probation and
    rectification, which follow a finalised record, are app.loop.record_changes.finalise's: call that."""
    _require_draft(inspection)
    _not_future(inspection.observed_at)
    settings = settings or load_settings(inspection.observed_at.date(), inspection.window.centre_id)
    recorded = recorded_results(inspection)
    items = applicable_items(inspection)
    missing = unchecked(inspection, items, recorded)
    if missing:
        shown = ", ".join(missing[:5]) + (" 等" if len(missing) > 5 else "")
        raise PatrolError(f"还有 {len(missing)} 项未检查: {shown}")
    result = score_inspection(inspection, settings, items, recorded)
    inspection.score = result.score
    inspection.bonus = result.bonus
    inspection.deductions = result.deductions
    inspection.vetoed = result.vetoed
    inspection.passed = result.passed
    inspection.grade = result.grade
    inspection.status = "final"
    inspection.finished_at = at or now()
    inspection.updated_at = change_time()
    inspection.save()
    records.stamp(inspection)
    return result


def failed_results(inspection: Inspection) -> list[ItemResult]:
    """Failed check items of an inspection, in checklist order, with their items loaded."""
    return list(
        ItemResult.select(ItemResult, Item)
        .join(Item)
        .where((ItemResult.inspection == inspection) & (ItemResult.result == "fail") & (Item.kind == "check"))
        .order_by(Item.sort_order)
    )
