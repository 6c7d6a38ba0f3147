"""Scores entered by hand for a period: a duty leader's marks, citizens' votes, a year-end evaluation
(the `vote` components of a scheme), for a window or a person, 0–100. A changed score keeps the old
one in the audit trail with who and why."""

from __future__ import annotations

from dataclasses import dataclass

from peewee import JOIN

from app import audit
from app.centres import scope
from app.errors import PatrolError
from app.people import roster
from app.periods import Period, period_key
from app.roles import require_role
from app.storage.models import Staff, User, Vote, Window
from app.storage.proxy import db


@dataclass(frozen=True)
class VoteRow:
    period: str
    name: str
    subject: str  # window code / employee number
    subject_name: str
    score: float
    entered_by: str


def set_votes(user: User, period: Period, name: str, scores: dict[str, float], subject: str, reason: str,
              centre_id=scope.SOLE) -> int:
    """Enter (or change) the scores of one vote for a period: subject code (window code or employee
    number) -> score. Validated whole before anything is written; returns how many changed."""
    require_role(user, "manager")
    centre = scope.require_centre(centre_id, "录入评分")
    name = (name or "").strip()
    if not name or len(name) > 30:
        raise PatrolError("评分名称须填写 (至多 30 字), 与考核方案中的 vote 一致, 如 值班领导评分")
    if subject not in ("window", "staff"):
        raise PatrolError("评分对象须为 window (窗口) 或 staff (人员)")
    if subject == "window":
        known = {w.code: w for w in Window.select().where(Window.centre == centre)}
    else:
        known = {s.employee_no: s for s in Staff.select().where(Staff.centre == centre)}
    problems = []
    for code, score in scores.items():
        if code not in known:
            problems.append(f"{code}: 本中心没有这个{'窗口' if subject == 'window' else '工号'}")
        elif isinstance(score, bool) or not isinstance(score, (int, float)) or not 0 <= score <= 100:
            problems.append(f"{code}: 分数 {score!r} 须在 0–100 之间")
    if problems:
        raise PatrolError("\n".join(problems))
    key = period_key(period)
    changed = 0
    with db.atomic():
        for code, score in scores.items():
            target = known[code]
            link = {"window": target} if subject == "window" else {"staff": target}
            slot = f"{subject}:{target.id}"
            row = Vote.get_or_none((Vote.centre == centre) & (Vote.period == key) & (Vote.name == name)
                                   & (Vote.subject_key == slot))
            if row is not None and row.score == float(score):
                continue
            old = row.score if row is not None else None
            if row is None:
                row = Vote(centre=centre, period=key, name=name, subject_key=slot, **link)
            row.score, row.entered_by = float(score), user.username
            row.save()
            changed += 1
            audit.record(user, "vote.set", f"vote:{key}:{name}", old={"score": old} if old is not None else None,
                         new={"score": float(score), "period": key}, reason=audit.require_reason(reason),
                         window_code=code if subject == "window" else (target.window.code if target.window_id else ""),
                         employee_no=code if subject == "staff" else "")
    return changed


def votes(period: Period, name: str | None = None, centre_id=scope.SOLE) -> list[VoteRow]:
    """The scores entered for a period in the centre in view."""
    query = (Vote.select(Vote, Window, Staff).join(Window, on=(Vote.window == Window.id), join_type=JOIN.LEFT_OUTER)
             .switch(Vote).join(Staff, on=(Vote.staff == Staff.id), join_type=JOIN.LEFT_OUTER)
             .where(Vote.period == period_key(period)))
    cid = scope.resolve(centre_id)
    if cid is not None:
        query = query.where(Vote.centre == cid)
    if name:
        query = query.where(Vote.name == name)
    out = []
    for v in query.order_by(Vote.name, Vote.subject_key):
        if v.window_id:
            out.append(VoteRow(v.period, v.name, v.window.code, v.window.name, v.score, v.entered_by))
        else:
            out.append(VoteRow(v.period, v.name, v.staff.employee_no, v.staff.name, v.score, v.entered_by))
    return out


def subjects(kind: str, centre_id=scope.SOLE) -> list[tuple[str, str]]:
    """(code, name) of what a vote scores in the centre in view: its active windows, or its active people."""
    if kind == "window":
        return [(w.code, w.name) for w in roster.windows(active_only=True, centre_id=centre_id)]
    return [(s.employee_no, s.name) for s in roster.people(active_only=True, centre_id=centre_id)]
