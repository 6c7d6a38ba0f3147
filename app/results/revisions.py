"""A finalised inspection's next revision (an amendment, a re-grade, an appeal found right): stored,
stamped, and probation follows a changed verdict."""

from __future__ import annotations

from app.patrolling import records
from app.patrolling.scoring import ScoreResult
from app.results import probation_rules
from app.storage.models import Inspection, User, change_time


def store_revision(inspection: Inspection, score: ScoreResult, was_passed: bool, cause: str, user: User) -> None:
    """The inspection's next revision with these figures: stored, stamped (packages and paper see the
    change), and probation follows a changed verdict. The caller has kept the version it replaces."""
    inspection.revision += 1
    inspection.score, inspection.bonus, inspection.deductions = score.score, score.bonus, score.deductions
    inspection.vetoed, inspection.passed, inspection.grade = score.vetoed, score.passed, score.grade
    inspection.updated_at = change_time()
    inspection.save()
    records.stamp(inspection)
    probation_rules.on_result_changed(inspection, was_passed, cause, user)
