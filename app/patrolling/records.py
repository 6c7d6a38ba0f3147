"""An inspection as a plain, canonical record: what travels in a results package and what its
content hash is computed over."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from app.errors import is_record_id, record_id
from app.storage.models import ChecklistVersion, Inspection, Item, ItemResult, Staff, User, Window


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value else None


def record_of(inspection: Inspection) -> dict:
    """The record as JSON-ready data, item results by item code in checklist order."""
    results = (
        ItemResult.select(ItemResult.result, ItemResult.note, ItemResult.photos, Item.code)
        .join(Item).where(ItemResult.inspection == inspection).order_by(Item.sort_order).dicts()
    )
    version: ChecklistVersion = inspection.checklist_version
    staff: Staff | None = inspection.staff if inspection.staff_id else None
    window: Window = inspection.window
    inspector: User = inspection.inspector
    return {
        "uuid": inspection.uuid,
        "revision": inspection.revision,
        "window": window.code,
        "staff": staff.employee_no if staff else None,
        "inspector": inspector.username,
        "method": inspection.method,
        "observed_at": _iso(inspection.observed_at),
        "started_at": _iso(inspection.started_at),
        "finished_at": _iso(inspection.finished_at),
        "checklist": {"code": version.checklist.code, "hash": version.content_hash},
        "note": inspection.note,
        "score": inspection.score,
        "bonus": inspection.bonus,
        "deductions": inspection.deductions,
        "vetoed": bool(inspection.vetoed),
        "passed": inspection.passed,
        "grade": inspection.grade,
        "results": [[r["code"], r["result"], r["note"], [p for p in r["photos"].split("\n") if p]] for r in results],
    }


def canonical(record: dict) -> str:
    return json.dumps(record, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_hash(record: dict) -> str:
    return hashlib.sha256(canonical(record).encode("utf-8")).hexdigest()


def stamp(inspection: Inspection) -> str:
    """Compute and store the content hash of a finalised inspection."""
    digest = content_hash(record_of(inspection))
    Inspection.update(content_hash=digest).where(Inspection.id == inspection.id).execute()
    inspection.content_hash = digest
    return digest


def record_number(uuid: str) -> str:
    """The number printed on paper and in workbooks: the UUID's first eight hex digits, the same on the
    laptop that made the record and at the office (a local row id is not)."""
    return uuid.replace("-", "")[:8].upper()


def find(key: str | int) -> Inspection | None:
    """An inspection by row id, full UUID or record number (unambiguous prefix of the UUID)."""
    text = str(key).strip()
    if is_record_id(text):
        found = Inspection.get_or_none(Inspection.id == record_id(text))
        if found is not None:
            return found
    found = Inspection.get_or_none(Inspection.uuid == text.lower())
    if found is not None or not 6 <= len(text) <= 8 or not all(c in "0123456789abcdefABCDEF" for c in text):
        return found
    matches = list(Inspection.select().where(Inspection.uuid.startswith(text.lower())).limit(2))
    return matches[0] if len(matches) == 1 else None
