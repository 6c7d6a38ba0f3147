"""Publishing a month's ranking: final only when its appeal window has closed and every appeal is
decided; publishing is a manager's act, audited. Until then the ranking is 未定稿 (draft), and a ranking
PDF printed before says so on every page."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app import audit
from app.centres import scope
from app.centres.settings import binds_alone, load_settings
from app.centres.workdays import appeal_deadline as deadline
from app.errors import NeedsApproval, PatrolError
from app.loop import verify
from app.periods import Period, cn_date, period_key
from app.results import reports
from app.roles import require_role
from app.rounding import fixed
from app.storage.models import Appeal, Approval, Centre, Inspection, Publication, User
from app.storage.proxy import db


@dataclass(frozen=True)
class Status:
    published: bool
    ready: bool  # may be published now
    why_not: tuple[str, ...]  # what still holds it back
    published_by: str = ""
    published_at: dt.datetime | None = None

    @property
    def label(self) -> str:
        return "已定稿发布" if self.published else "未定稿"


def _key(period: Period) -> str:
    return period_key(period)


def pending_publication(centre_id: int, key: str) -> Approval | None:
    """The publication of this period waiting for a second manager, if one is."""
    return Approval.get_or_none((Approval.centre == centre_id) & (Approval.kind == "publish") & (Approval.target == key)
                                & (Approval.state == "pending"))


def status(period: Period, today: dt.date | None = None, approving: bool = False, centre_id=scope.SOLE) -> Status:
    """Whether the period's ranking of the centre in view is published, and if not, what holds it back
    (`approving`: the second manager's approval being given is not itself a reason to wait)."""
    today = today or dt.date.today()
    centre = scope.require_centre(centre_id, "排名发布")
    done = Publication.get_or_none((Publication.centre == centre) & (Publication.period == _key(period)))
    if done is not None:
        return Status(True, False, (), done.published_by, done.published_at)
    why = []
    if today < period.end:
        why.append(f"{period.label}尚未结束")
    in_period = ((Inspection.status == "final") & (Inspection.observed_at >= period.start_dt)
                 & (Inspection.observed_at < period.end_dt) & scope.inspections(centre_id))
    last = Inspection.select().where(in_period).order_by(Inspection.finished_at.desc()).first()
    if last is None:
        why.append(f"{period.label}没有已定稿的巡查记录")
    else:
        closes = deadline(last)
        if today <= closes:
            why.append(f"申诉期到{cn_date(closes)}结束")
    pending = Appeal.select().join(Inspection).where(in_period & (Appeal.state == "pending")).count()
    if pending:
        why.append(f"还有 {pending} 件申诉待复核")

    asked = None if approving else pending_publication(centre, _key(period))
    if asked is not None:
        return Status(False, False, tuple(why) + (f"{asked.requested_by}已申请发布, 等待另一名管理员批准 (审批 {asked.id})",))
    return Status(False, not why, tuple(why))


def ensure_ready(period: Period, now_status: Status) -> None:
    """Refuse, saying why, a period that is published already or not ready to be."""
    if now_status.published:
        raise PatrolError(f"{period.label}排名已于{now_status.published_at:%Y-%m-%d %H:%M}由{now_status.published_by}发布")
    if not now_status.ready:
        raise PatrolError(f"{period.label}排名还不能定稿: " + "; ".join(now_status.why_not))


def publish(user: User, period: Period, reason: str = "", today: dt.date | None = None,
            approved_by: str = "", centre_id=scope.SOLE) -> Publication:
    """A manager publishes the final ranking of the period (audited); refused while anything holds it
    back. Where the centre requires a second manager this is called on their approval
    (app.loop.approvals.publish_or_request)."""
    require_role(user, "manager")
    ensure_ready(period, status(period, today, approving=bool(approved_by), centre_id=centre_id))
    ident = verify.ranking_ident(_key(period), "window", centre_id=centre_id)
    rows = reports.ranking(period, "window", centre_id=centre_id)
    with db.atomic():
        done = Publication.create(centre=scope.require_centre(centre_id, "排名发布"), period=_key(period),
                                  published_by=user.username, fingerprint="", approved_by=approved_by)
        # The published sheet's fingerprint includes its publication (a draft's of the same figures differs).
        done.fingerprint = fingerprint = verify.payload("R", ident, centre_id=centre_id).split(":")[3]
        done.save()
        audit.record(user, "ranking.publish", f"ranking:{_key(period)}", centre=done.centre_id,
                     new={"windows": len(rows), "fingerprint": fingerprint, "approved_by": approved_by,
                          "first": f"{rows[0].code} {fixed(rows[0].average_score)}" if rows else ""},
                     reason=reason or f"{period.label}申诉期结束, 申诉均已复核")
    return done


def reopen(user: User, period: Period, reason: str, today: dt.date | None = None, approved_by: str = "",
           centre_id=scope.SOLE) -> None:
    """Re-open a published period (back to 未定稿) so that a change held by its publication may be made,
    then published again; audited with the publication it undoes, whose paper then verifies as
    superseded. Where the centre requires a second manager, this is called on their approval
    (app.loop.approvals.reopen_or_request; NeedsApproval otherwise)."""
    require_role(user, "manager")
    centre = scope.require_centre(centre_id, "重新开放排名")
    done = Publication.get_or_none((Publication.centre == centre) & (Publication.period == _key(period)))
    if done is None:
        raise PatrolError(f"{period.label}排名尚未发布, 无需重新开放")
    reason = audit.require_reason(reason)
    if load_settings(today or dt.date.today(), centre).second_approval and not approved_by and not binds_alone(user):
        raise NeedsApproval(f"重新开放{period.label}排名须另一名管理员批准")
    with db.atomic():
        audit.record(user, "ranking.reopen", f"ranking:{_key(period)}", centre=centre,
                     old={"published_by": done.published_by, "published_at": f"{done.published_at:%Y-%m-%d %H:%M}",
                          "fingerprint": done.fingerprint, "approved_by": done.approved_by},
                     new={"approved_by": approved_by}, reason=reason)
        done.delete_instance()


def draft_mark(period: Period, centre_id=scope.SOLE, today: dt.date | None = None) -> str:
    """What every page printing the period's results says until they are final: "" once published; else
    "未定稿: " and why. For the district's view (None), final once every centre has published it."""
    cid = scope.resolve(centre_id)
    if cid is not None:
        state = status(period, today, centre_id=cid)
        return "" if state.published else "未定稿: " + "; ".join(state.why_not or ("尚未发布",))
    published = {c for (c,) in Publication.select(Publication.centre).where(Publication.period == _key(period)).tuples()}
    waiting = [code for cid_, code in Centre.select(Centre.id, Centre.code).order_by(Centre.code).tuples()
               if cid_ not in published]
    return "未定稿: 尚未发布的中心 " + "、".join(waiting) if waiting else ""


def is_district_view(centre_id=scope.SOLE) -> bool:
    """The district's view ranks across centres; each centre publishes its own ranking."""
    return scope.resolve(centre_id) is None
