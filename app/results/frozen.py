"""Published means frozen: once a centre has published a month's (quarter's, year's) ranking, nothing
may change a record of that period in place — an amendment, an appeal found right, a re-grade, a late
record finalised or imported. An amendment (an appeal found right included) is held, listed among the
approvals, and takes effect when the period is re-opened (app.loop.approvals.reopen_or_request: audited,
back to 未定稿, through the second approval where it is on); the rest is refused, named, and waits for
the re-opening. The period is then published again; the paper of the earlier publication verifies as
superseded."""

from __future__ import annotations

import datetime as dt

from app.errors import PatrolError
from app.periods import cn_date, parse
from app.storage.models import Publication


def period_keys(day: dt.date) -> list[str]:
    """The publishable periods a day falls in: its month, its quarter, its year."""
    return [f"{day:%Y-%m}", f"{day.year}-Q{(day.month - 1) // 3 + 1}", f"{day.year}"]


def publication_over(centre_id: int | None, day: dt.date) -> Publication | None:
    """The centre's publication of a period the day falls in, if there is one."""
    if centre_id is None:
        return None
    return (Publication.select().where((Publication.centre == centre_id) & Publication.period.in_(period_keys(day)))
            .order_by(Publication.published_at).first())


def why_frozen(centre_id: int | None, day: dt.date) -> str:
    """"" when a record of this day may change; else why not, and what to do."""
    done = publication_over(centre_id, day)
    if done is None:
        return ""
    return (f"{parse(done.period).label}排名已于{cn_date(done.published_at.date())}由{done.published_by}定稿发布, "
            f"不能再改动该期的记录; 须先重新开放该期 (publish --month {done.period} --reopen), 改正后再发布")


def ensure_open(centre_id: int | None, day: dt.date, what: str = "该巡查记录") -> None:
    """Refuse a change to a record of a published period, saying which and how to re-open it."""
    why = why_frozen(centre_id, day)
    if why:
        raise PatrolError(f"{what}属于{why}")
