"""Patrol rounds: the windows an inspector walks, each window's state in the round, opening inspections."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import peewee as pw

from app.centres import scope
from app.errors import PatrolError
from app.patrolling import inspections
from app.patrolling.centre_checklists import in_use
from app.patrolling.scan import parse_scan
from app.roles import require_role
from app.storage.models import Area, Inspection, PatrolRound, Staff, User, Window, now
from app.storage.proxy import db

# "redo": finished in this round, and being checked again (a re-check's draft): still counted as done,
# so the round's count never goes back when an inspector opens a finished window.
STATE_LABELS = {"todo": "未检查", "draft": "检查中", "done": "已完成", "redo": "已完成 · 复查中"}


@dataclass(frozen=True)
class WindowState:
    window_id: int
    code: str
    name: str
    window_type: str
    department: str
    area: str
    state: str  # todo / draft / done / redo
    inspection_id: int | None  # the finished inspection's, if there is one, else the draft's
    score: float | None
    grade: str
    staff_name: str

    @property
    def finished(self) -> bool:
        """Finalised in this round (a re-check's draft after it does not undo that)."""
        return self.state in ("done", "redo")


def start_round(inspector: User, area: Area | None = None, checklist_code: str | None = None,
                centre_id=scope.SOLE) -> PatrolRound:
    """Begin a round over one area (or every area) of a centre, on the centre's checklist unless told another."""
    require_role(inspector, "inspector")
    if area is not None:
        centre_id = area.centre_id
    if checklist_code is None:
        checklist_code = in_use(scope.require_centre(centre_id, "巡查"))
    return PatrolRound.create(inspector=inspector, area=area, checklist_code=checklist_code)


def open_round(inspector: User) -> PatrolRound | None:
    """The inspector's unfinished round started today, if any (to resume after a restart)."""
    today = dt.datetime.combine(dt.date.today(), dt.time())
    return (
        PatrolRound.select()
        .where((PatrolRound.inspector == inspector) & PatrolRound.finished_at.is_null() & (PatrolRound.started_at >= today))
        .order_by(PatrolRound.started_at.desc())
        .first()
    )


def finish_round(patrol: PatrolRound) -> None:
    patrol.finished_at = now()
    patrol.save()


def round_windows(patrol: PatrolRound, centre_id=scope.SOLE) -> list[Window]:
    """The windows a round walks past: its area's, or every window of the centre."""
    query = Window.select(Window, Area).join(Area).where(Window.active == True)  # noqa: E712
    if patrol.area_id:
        query = query.where(Window.area == patrol.area_id)
    else:
        query = query.where(scope.windows(scope.require_centre(centre_id, "巡查")))
    return list(query.order_by(Window.code))


def window_states(patrol: PatrolRound, centre_id=scope.SOLE) -> list[WindowState]:
    """Every window of the round with its state: not yet, in progress, done with score and grade (the
    last finalised inspection's), or done and being checked again."""
    final: dict[int, Inspection] = {}
    draft: dict[int, Inspection] = {}
    query = (
        Inspection.select(Inspection, Staff)
        .join(Staff, pw.JOIN.LEFT_OUTER)
        .where(Inspection.round == patrol)
        .order_by(Inspection.id)
    )
    for insp in query:
        (final if insp.status == "final" else draft)[insp.window_id] = insp
    states = []
    for w in round_windows(patrol, centre_id):
        done, open_ = final.get(w.id), draft.get(w.id)
        if done is not None and open_ is not None and open_.id > done.id:
            state = "redo"
        else:
            state = "done" if done is not None else ("draft" if open_ is not None else "todo")
        shown = done or open_
        states.append(WindowState(
            window_id=w.id, code=w.code, name=w.name, window_type=w.window_type, department=w.department,
            area=w.area.name, state=state, inspection_id=shown.id if shown else None,
            score=done.score if done else None, grade=done.grade if done else "",
            staff_name=shown.staff.name if shown and shown.staff_id else "",
        ))
    return states


def finished_in_round(patrol: PatrolRound, window: Window) -> Inspection | None:
    """The window's last finalised inspection in this round, when no draft follows it: opening the
    window again is then a question (check it again, or look at what was found)."""
    last = (Inspection.select().where((Inspection.round == patrol) & (Inspection.window == window))
            .order_by(Inspection.id.desc()).first())
    return last if last is not None and last.status == "final" else None


def find_window(text: str, centre_code: str | None = None, centre_id=scope.SOLE) -> Window:
    """The active window of a centre a scanned label or typed code names."""
    code = parse_scan(text, centre_code)
    window = Window.get_or_none((Window.code == code) & (Window.active == True) & scope.windows(centre_id))  # noqa: E712
    if window is None:
        raise PatrolError(f"未找到窗口: {code}")
    return window


def window_in_view(code: str, centre_id=scope.SOLE) -> Window | None:
    """A centre's window with this code, if there is one."""
    return Window.get_or_none((Window.code == code.strip().upper()) & scope.windows(centre_id))


def staff_on_duty(window: Window) -> Staff | None:
    """The roster's person at the window: the A post first, else the B post."""
    return (
        Staff.select()
        .where((Staff.window == window) & (Staff.status == "active"))
        .order_by(Staff.post, Staff.employee_no)
        .first()
    )


def people_to_choose(inspection: Inspection) -> list[Staff]:
    """Who may be on duty at an inspection's window: the active staff of its centre, the window's own
    first (A post, then B), then the rest by employee number."""
    return list(Staff.select().where((Staff.status == "active") & (Staff.centre == inspection.window.centre_id))
                .order_by(Staff.window != inspection.window_id, Staff.post, Staff.employee_no))


def open_inspection(patrol: PatrolRound, window: Window, inspector: User) -> Inspection:
    """The window's draft in this round if there is one, else a new draft with the person on duty."""
    draft = (
        Inspection.select()
        .where((Inspection.round == patrol) & (Inspection.window == window) & (Inspection.status == "draft"))
        .order_by(Inspection.id.desc())
        .first()
    )
    if draft is not None:
        return draft
    insp = inspections.start_inspection(window, inspector, staff=staff_on_duty(window),
                                        checklist_code=patrol.checklist_code)
    insp.round = patrol
    insp.save()
    return insp


def next_window(patrol: PatrolRound, after_code: str | None = None, centre_id=scope.SOLE) -> WindowState | None:
    """The next window of the round not yet done, after the given code (wrapping round)."""
    pending = [s for s in window_states(patrol, centre_id=centre_id) if not s.finished]
    if not pending:
        return None
    later = [s for s in pending if after_code is None or s.code > after_code]
    return (later or pending)[0]


def discard_untouched(inspection: Inspection) -> bool:
    """Remove a draft on which nothing was ticked (opened, then left with Esc): it would only stand in
    the round as 检查中 and wait on the laptop. A draft with any tick, note or photo is kept."""
    with db.atomic():
        fresh = Inspection.get_or_none(Inspection.id == inspection.id)
        if fresh is None or fresh.status != "draft" or fresh.results.exists():
            return False
        fresh.delete_instance()
    return True
