"""Whether this database holds a district of centres, and the one rule that follows: what concerns the
whole database (its calendar, its backups and restores) is the district manager's alone."""

from __future__ import annotations

from app.errors import PermissionDenied
from app.storage.models import Centre


def holds_a_district() -> bool:
    """More than one centre in the database."""
    return Centre.select().limit(2).count() > 1


def require_district_account(user, refusal: str) -> None:
    """Refuse a centre's account (`refusal` says why) in a database of many centres; in a database of
    one centre, that centre's manager is the district's too. `user` None: the program itself."""
    if user is not None and not isinstance(user, str) and user.centre_id is not None and holds_a_district():
        raise PermissionDenied(refusal)
