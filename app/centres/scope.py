"""Which centre a piece of work is for, in a database that may hold a district of centres.

A centre's manager and inspectors, a laptop and a single-centre database act for one centre: every
list, ranking, report and import is that centre's. A district manager may view the whole district
(`None`: centres are ranked as units, windows and staff across all of them) or step into any one
centre. Nothing here remembers a centre: the command line and the app decide it once (from the
signed-in account and --centre, or the centre menu) and pass its id down with every call.

`SOLE` is the default of a core function's `centre_id`: "the database's one centre". It answers only
in a database of one centre (the tests' and a laptop's); in a district it refuses, so a call that
forgot to name its centre fails loudly instead of reading some other centre's records. The app and
the command line always name it (a test reads their code and checks).
"""

from __future__ import annotations

import datetime as dt

import peewee as pw

from app.context import Context
from app.errors import PatrolError, PermissionDenied
from app.storage.district import holds_a_district
from app.storage.models import Centre, Checklist, Inspection, Staff, User, Window


class _Sole:
    def __repr__(self) -> str:
        return "SOLE"


SOLE = _Sole()


def resolve(centre_id) -> int | None:
    """A centre id as given (None: the district), or for SOLE the database's one centre (None before
    set-up); SOLE in a district is refused."""
    if centre_id is not SOLE:
        return centre_id
    ids = [c for (c,) in Centre.select(Centre.id).order_by(Centre.id).limit(2).tuples()]
    if len(ids) > 1:
        raise PatrolError("此操作属于某一个中心: 请先选择中心 (命令行加 --centre 中心编码)")
    return ids[0] if ids else None


def centre_by_code(code: str):
    """The centre with this code, or a PatrolError naming the codes there are."""
    found = Centre.get_or_none(Centre.code == code.strip().upper())
    if found is None:
        known = "、".join(c for (c,) in Centre.select(Centre.code).order_by(Centre.code).tuples())
        raise PatrolError(f"未知中心编码 {code!r} (可选: {known})")
    return found


def is_district() -> bool:
    """More than one centre in the database: the district's words and views appear."""
    return holds_a_district()


def first_view(user, code: str | None = None) -> int | None:
    """The centre a signed-in person starts in: their own centre; for a district account the centre
    asked for (`code`), else the whole district (None) — or, in a database of one centre, that centre.
    A centre's account asking for another centre is refused."""
    wanted = centre_by_code(code).id if code else None
    own = getattr(user, "centre_id", None)
    if own is not None:
        if wanted is not None and wanted != own:
            raise PermissionDenied(f"用户 {user.username} 属于{user.centre.name}, 不能查看或修改其他中心")
        return own
    if wanted is not None:
        return wanted
    return None if is_district() else resolve(SOLE)


def context(user=None, centre_id=SOLE, today: dt.date | None = None) -> Context:
    """The explicit context of work about to be done: this user, this centre, today."""
    return Context(user, resolve(centre_id), today or dt.date.today())


def signed_in(user, code: str | None = None) -> Context:
    """The context a person starts in once signed in: who they are, their first view, today."""
    return context(user, first_view(user, code))


def code_of(centre_id: int | None) -> str | None:
    """The code of a centre when the database holds a district (paper names it); else None."""
    if centre_id is None or not is_district():
        return None
    return Centre.get_by_id(centre_id).code


def require_centre(centre_id, what: str = "此操作") -> int:
    """The centre, for work that belongs to one centre (a roster, settings, a patrol); the district's
    view is told to choose one."""
    cid = resolve(centre_id)
    if cid is None:
        raise PatrolError(f"{what}属于某一个中心: 请先选择中心 (命令行加 --centre 中心编码)")
    return cid


def windows(centre_id):
    """A condition on Window for this centre (always true for the district)."""
    cid = resolve(centre_id)
    return (Window.centre == cid) if cid is not None else pw.SQL("1 = 1")


def inspections(centre_id):
    """A condition on Inspection: done at a window of this centre."""
    cid = resolve(centre_id)
    if cid is None:
        return pw.SQL("1 = 1")
    return Inspection.window.in_(Window.select(Window.id).where(Window.centre == cid))


def accounts(centre_id, viewer=None):
    """A condition on User: this centre's accounts and the district's (who may work there too); a
    centre's own manager (`viewer`) sees their centre's accounts only."""
    if viewer is not None and viewer.centre_id is not None:
        return User.centre == viewer.centre_id
    cid = resolve(centre_id)
    return ((User.centre == cid) | User.centre.is_null()) if cid is not None else pw.SQL("1 = 1")


def checklists(centre_id):
    """A condition on Checklist: the district's and this centre's own (in the district's view, all)."""
    cid = resolve(centre_id)
    if cid is None:
        return Checklist.id.is_null(False)
    return Checklist.centre.is_null() | (Checklist.centre == cid)


def staff(centre_id):
    """A condition on Staff for this centre."""
    cid = resolve(centre_id)
    return (Staff.centre == cid) if cid is not None else pw.SQL("1 = 1")
