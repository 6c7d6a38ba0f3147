"""The centre a process acts for, in a database that holds a district of centres.

A centre's manager and inspectors, a laptop and a single-centre database act for one centre: every
list, ranking, report and import is that centre's. A district manager may view the whole district
(no centre: centres are ranked as units, windows and staff across all of them) or step into any one
centre. The scope is set when a person signs in (their centre) or by the command line's --centre;
with one centre in the database it is that one, so a centre-only user sees the product as before.
"""

from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

import peewee as pw

from app.context import Context
from app.errors import PatrolError, PermissionDenied
from app.storage.db import on_open
from app.storage.models import Centre, Checklist, Inspection, Staff, User, Window

_UNSET = object()
_centre: object = _UNSET
_wanted: str | None = None  # a centre code asked for (the command line's --centre), resolved when first needed


def _reset() -> None:
    global _centre
    _centre = _UNSET


on_open(_reset)


def want_centre(code: str | None) -> None:
    """Act for the centre with this code (resolved once the database is open and upgraded); None
    forgets the wish."""
    global _wanted, _centre
    _wanted = code.strip().upper() if code else None
    _centre = _UNSET


def _resolve_wanted() -> int:
    return centre_by_code(_wanted).id


def centre_by_code(code: str):
    """The centre with this code, or a PatrolError naming the codes there are."""
    found = Centre.get_or_none(Centre.code == code.strip())
    if found is None:
        known = "、".join(c for (c,) in Centre.select(Centre.code).order_by(Centre.code).tuples())
        raise PatrolError(f"未知中心编码 {code!r} (可选: {known})")
    return found


def set_centre(centre_id: int | None) -> None:
    """Act for one centre (its id), or for the whole district (None)."""
    global _centre
    _centre = centre_id


@contextmanager
def viewing(centre_id_: int | None):
    """Within the block, act for this centre (None: the district); the scope before is restored."""
    global _centre
    before = _centre
    _centre = centre_id_
    try:
        yield
    finally:
        _centre = before


def code_in_view() -> str | None:
    """The code of the centre in view when the database holds a district (paper names it); else None."""
    cid = centre_id()
    if cid is None or not is_district():
        return None
    return Centre.get_by_id(cid).code


def centre_id() -> int | None:
    """The centre in view; None when the whole district is (a district manager's view)."""
    global _centre
    if _centre is _UNSET and _wanted is not None:
        _centre = _resolve_wanted()
    if _centre is _UNSET:
        ids = [c for (c,) in Centre.select(Centre.id).order_by(Centre.id).limit(2).tuples()]
        if not ids:
            return None  # before set-up: decided when the first centre exists
        _centre = ids[0] if len(ids) == 1 else None
    return _centre  # type: ignore[return-value]


def context(user=None, today: dt.date | None = None) -> Context:
    """The explicit context of work about to be done: this user, the centre in view, today. Commands
    and pages build it once and pass it down."""
    return Context(user, centre_id(), today or dt.date.today())


def require_centre(what: str = "此操作") -> int:
    """The centre in view, for work that belongs to one centre (a roster, settings, a patrol)."""
    cid = centre_id()
    if cid is None:
        raise PatrolError(f"{what}属于某一个中心: 请先选择中心 (命令行加 --centre 中心编码)")
    return cid


def is_district() -> bool:
    """More than one centre in the database: the district's words and views appear."""
    return Centre.select().limit(2).count() > 1


def windows():
    """A condition on Window for the centre in view (always true for the district)."""
    cid = centre_id()
    return (Window.centre == cid) if cid is not None else pw.SQL("1 = 1")


def inspections():
    """A condition on Inspection: done at a window of the centre in view."""
    cid = centre_id()
    if cid is None:
        return pw.SQL("1 = 1")
    return Inspection.window.in_(Window.select(Window.id).where(Window.centre == cid))


def accounts(viewer=None):
    """A condition on User: the centre in view's accounts and the district's (who may work there too);
    a centre's own manager (`viewer`) sees their centre's accounts only."""
    cid = centre_id()
    if viewer is not None and viewer.centre_id is not None:
        return User.centre == viewer.centre_id
    return ((User.centre == cid) | User.centre.is_null()) if cid is not None else pw.SQL("1 = 1")


def checklists():
    """A condition on Checklist: the district's and the centre in view's own (in the district's view, all)."""
    cid = centre_id()
    if cid is None:
        return Checklist.id.is_null(False)
    return Checklist.centre.is_null() | (Checklist.centre == cid)


def staff():
    """A condition on Staff for the centre in view."""
    cid = centre_id()
    return (Staff.centre == cid) if cid is not None else pw.SQL("1 = 1")


def for_user(user) -> None:
    """Scope a signed-in person: their own centre, or the district for a district account (or the
    centre it asked for). A centre's account never acts for another centre."""
    if user.centre_id is not None:
        if _wanted is not None and _resolve_wanted() != user.centre_id:
            raise PermissionDenied(f"用户 {user.username} 属于{user.centre.name}, 不能查看或修改其他中心")
        set_centre(user.centre_id)
    elif _wanted is not None:
        set_centre(_resolve_wanted())
    else:
        set_centre(None) if is_district() else _reset()

