"""Setting up a centre: the centre row, its default settings and the shipped checklists."""

from __future__ import annotations

from app.patrolling.checklists import ensure_shipped
from app.storage.db import db
from app.storage.models import Centre, Inspection, Staff, Window
from app.centres.settings import CentreSettings, load_settings, save_settings


def current_centre() -> Centre | None:
    """The centre in view; in the district's own view, the district centre (the first); None before
    set-up."""
    from app.centres import scope

    cid = scope.centre_id()
    if cid is not None:
        found = Centre.get_or_none(Centre.id == cid)
        if found is not None:
            return found
    return Centre.select().order_by(Centre.sort_order, Centre.id).first()


def is_empty() -> bool:
    """True when no centre, window, staff or inspection exists yet."""
    return not any(m.select().exists() for m in (Centre, Window, Staff, Inspection))


def create_centre(code: str, name: str, settings: CentreSettings | None = None) -> Centre:
    """Create the centre (an office: with its own signing key) with its settings and the shipped
    checklists, in one transaction."""
    from app.exchange.identity import ensure_office_identity

    from app.centres import scope

    with db.atomic():
        centre = Centre.create(code=code, name=name)
        scope.set_centre(centre.id)
        save_settings(settings or load_settings())
        ensure_shipped()
        ensure_office_identity()
        from app.assessment.schemes import ensure_default

        ensure_default(centre.id)
    return centre
