"""What follows when a record is finalised or amended, in the same transaction: the score stored and
stamped, probation opened or followed, rectification items opened, rectified or withdrawn. The app, the
command line, the demo and the tests finalise and amend through here, so no path skips a consequence."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from app import audit
from app.centres.settings import CentreSettings, load_settings
from app.centres.wall import ensure_own
from app.domain import RESULTS
from app.errors import PatrolError
from app.loop import rectification
from app.patrolling import records
from app.patrolling.inspections import applicable_items, close, score_inspection
from app.patrolling.scoring import ScoreResult
from app.results import probation_rules
from app.results.frozen import ensure_open
from app.results.revisions import store_revision
from app.roles import require_role
from app.storage.models import Inspection, InspectionHistory, ItemResult, User
from app.storage.proxy import db


def finalise(inspection: Inspection, *, at: dt.datetime | None = None,
             settings: CentreSettings | None = None) -> ScoreResult:
    """Score a complete draft, store the score and close it; opens or updates probation and opens the
    rectification items of its failures. A draft of a period already published waits for it to be
    re-opened (app.results.frozen)."""
    ensure_open(inspection.window.centre_id, inspection.observed_at.date(), "该巡查记录 (草稿)")
    settings = settings or load_settings(inspection.observed_at.date(), inspection.window.centre_id)
    with db.atomic():
        result = close(inspection, at=at, settings=settings)
        probation_rules.on_finalised(inspection)  # by the rules of the day observed
        rectification.on_finalised(inspection)
    return result


def amend(inspection: Inspection, user: User, results: Mapping[str, str], reason: str,
          settings: CentreSettings | None = None) -> ScoreResult:
    """A manager changes a finalised inspection (item code -> result), with a reason. The version it
    replaces goes to the history; the revision goes up, so the change travels in results packages."""
    require_role(user, "manager")
    ensure_own(user, inspection)
    if inspection.status != "final":
        raise PatrolError("只能修改已定稿的巡查记录; 草稿请直接编辑")
    if not reason or not reason.strip():
        raise PatrolError("修改已定稿的巡查记录必须填写理由")
    ensure_open(inspection.window.centre_id, inspection.observed_at.date())
    settings = settings or load_settings(inspection.observed_at.date(), inspection.window.centre_id)
    items = {i.code: i for i in applicable_items(inspection)}
    unknown = sorted(set(results) - set(items))
    if unknown:
        raise PatrolError(f"检查项不适用于该记录: {', '.join(unknown)}")
    bad = {r for r in results.values() if r not in RESULTS}
    if bad:
        raise PatrolError(f"未知结果 {', '.join(sorted(bad))}")
    old = records.record_of(inspection)
    with db.atomic():
        InspectionHistory.create(uuid=inspection.uuid, revision=inspection.revision, kind="replaced",
                                 content=records.canonical(old), content_hash=records.content_hash(old),
                                 source=f"{user.username}: {reason.strip()}")
        for code, result in results.items():
            ItemResult.insert(inspection=inspection, item=items[code], result=result, note="", photos="").on_conflict(
                conflict_target=[ItemResult.inspection, ItemResult.item], update={ItemResult.result: result}).execute()
        score = score_inspection(inspection, settings)
        audit.record(user, "inspection.amend", f"inspection:{inspection.uuid}", centre=inspection.window.centre_id,
                     old={"revision": inspection.revision, "score": inspection.score, "grade": inspection.grade,
                          "results": {c: r for c, r, *_ in old["results"] if c in results}},
                     new={"revision": inspection.revision + 1, "score": score.score, "grade": score.grade,
                          "results": dict(results)},
                     reason=reason.strip(), window_code=inspection.window.code,
                     employee_no=inspection.staff.employee_no if inspection.staff_id else "")
        store_revision(inspection, score, old["passed"], f"{user.display_name}修改记录: {reason.strip()}", user)
        rectification.on_amended(inspection, dict(results), reason.strip())
    return score
