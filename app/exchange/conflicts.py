"""Conflicts from results packages: two different edits of one inspection at the same revision.

The import keeps the incoming version aside (inspection_history, kind "conflict") and the stored one
stays current. A manager settles each one here, with a reason: take the incoming version (it becomes
the next revision, so it also wins in later packages; the replaced one is kept in the history) or
keep the current one. Either way the decision is in the audit trail and nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from app import audit
from app.centres import scope
from app.centres.wall import ensure_own
from app.domain import RESULTS
from app.errors import PatrolError
from app.exchange.results_import import apply_revision
from app.patrolling import records
from app.roles import require_role
from app.storage.models import Inspection, InspectionHistory, User
from app.storage.proxy import db

OPEN = "conflict"
TAKEN, KEPT = "conflict_taken", "conflict_kept"


@dataclass(frozen=True)
class Difference:
    code: str
    current: str  # Chinese result label, "" when not ticked
    incoming: str


@dataclass(frozen=True)
class Conflict:
    id: int  # the inspection_history row holding the incoming version
    uuid: str
    window: str
    staff: str
    observed_at: dt.datetime
    revision: int
    source: str  # the package it came in
    recorded_at: dt.datetime
    current_score: float | None
    current_grade: str
    incoming_score: float | None
    incoming_grade: str
    differences: tuple[Difference, ...]


def _label(result: str | None) -> str:
    return RESULTS.get(result, "") if result else ""


def _conflict(row: InspectionHistory) -> Conflict:
    incoming = json.loads(row.content)
    current = records.record_of(Inspection.get(Inspection.uuid == row.uuid))
    mine = {c: r for c, r, *_ in current["results"]}
    theirs = {c: r for c, r, *_ in incoming["results"]}
    differences = tuple(Difference(c, _label(mine.get(c)), _label(theirs.get(c)))
                        for c in sorted(set(mine) | set(theirs)) if mine.get(c) != theirs.get(c))
    return Conflict(row.id, row.uuid, incoming["window"], incoming["staff"] or "",
                    dt.datetime.fromisoformat(incoming["observed_at"]), row.revision, row.source, row.recorded_at,
                    current["score"], current["grade"] or "", incoming["score"], incoming["grade"] or "", differences)


def open_conflicts() -> list[Conflict]:
    """Conflicts not yet settled, oldest first."""
    rows = InspectionHistory.select().where(InspectionHistory.kind == OPEN).order_by(InspectionHistory.id)
    return [_conflict(r) for r in rows]


def resolve(conflict_id: int, user: User, take_incoming: bool, reason: str, centre_id=scope.SOLE) -> Inspection:
    """Settle one conflict (a manager, with a reason); returns the inspection as it now stands."""
    require_role(user, "manager")
    reason = audit.require_reason(reason)
    row = InspectionHistory.get_or_none(InspectionHistory.id == conflict_id)
    if row is not None:
        ensure_own(user, row)
    if row is None or row.kind != OPEN:
        raise PatrolError(f"没有待处理的冲突 {conflict_id}")
    conflict = _conflict(row)
    inspection = Inspection.get(Inspection.uuid == row.uuid)
    with db.atomic():
        if take_incoming:
            incoming = json.loads(row.content)
            incoming["revision"] = inspection.revision + 1  # the decision travels as the newest revision
            apply_revision(inspection.id, incoming, f"{user.username}: {reason}", user, centre_id=centre_id)
            inspection = Inspection.get_by_id(inspection.id)
        InspectionHistory.update(kind=TAKEN if take_incoming else KEPT).where(InspectionHistory.id == row.id).execute()
        audit.record(user, "inspection.conflict", f"inspection:{row.uuid}",
                     old={"revision": conflict.revision, "score": conflict.current_score, "grade": conflict.current_grade},
                     new={"decision": "采用导入的版本" if take_incoming else "保留现有版本", "from": row.source,
                          "revision": inspection.revision, "score": inspection.score, "grade": inspection.grade,
                          "differences": {d.code: [d.current, d.incoming] for d in conflict.differences}},
                     reason=reason, window_code=conflict.window, employee_no=conflict.staff)
    return inspection
