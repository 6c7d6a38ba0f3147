"""The centre in view as a row, and whether the database is still empty (set-up: app.setup.centres)."""

from __future__ import annotations

from app.centres import scope
from app.storage.models import Centre, Inspection, Staff, Window


def current_centre(centre_id=scope.SOLE) -> Centre | None:
    """A centre's row; for the district's own view (None), the district centre (the first); None
    before set-up."""
    cid = scope.resolve(centre_id)
    if cid is not None:
        found = Centre.get_or_none(Centre.id == cid)
        if found is not None:
            return found
    return Centre.select().order_by(Centre.sort_order, Centre.id).first()


def is_empty() -> bool:
    """True when no centre, window, staff or inspection exists yet."""
    return not any(m.select().exists() for m in (Centre, Window, Staff, Inspection))
