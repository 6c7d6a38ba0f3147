"""Loading checklists: each changed checklist becomes a new version, and a new district version rebuilds
every centre's extension of it in the same transaction (a clash refuses the whole load, naming the centre)."""

from __future__ import annotations

from collections.abc import Iterable

from app.patrolling.centre_checklists import rebuild_extensions
from app.patrolling.checklists import SHIPPED_DIR, ChecklistDef, load_directory, store
from app.storage.models import ChecklistVersion
from app.storage.proxy import db


def register(definitions: Iterable[ChecklistDef], source: str = "", user=None, reason: str = "", *,
             owner=None, base_version: ChecklistVersion | None = None) -> list[tuple[ChecklistVersion, bool]]:
    """Store each checklist whose content changed as a new version (app.patrolling.checklists.store);
    return (version, created), each new district version followed by the centres' rebuilt extensions."""
    out = []
    with db.atomic():
        for definition in definitions:
            stored = store([definition], source, user, reason, owner=owner, base_version=base_version)
            out += stored
            for version, created in stored:
                if created and owner is None:
                    out += rebuild_extensions(version, user, reason)
    return out


def ensure_shipped() -> list[tuple[ChecklistVersion, bool]]:
    """Register the shipped checklists (a new version only if their content changed)."""
    return register(load_directory(SHIPPED_DIR), source="checklists/")
