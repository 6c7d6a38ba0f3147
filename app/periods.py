"""Reporting periods: a month, a quarter or a year, parsed from the command line's spelling; how a period
is named in stored keys (votes, publications)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from app.errors import PatrolError


@dataclass(frozen=True)
class Period:
    start: dt.date  # first day
    end: dt.date  # first day after the period
    label: str  # Chinese, for reports

    @property
    def start_dt(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time())

    @property
    def end_dt(self) -> dt.datetime:
        return dt.datetime.combine(self.end, dt.time())

    @property
    def last_day(self) -> dt.date:
        return self.end - dt.timedelta(days=1)


def cn_date(day: dt.date) -> str:
    """A date as reports write it: 2026年10月31日."""
    return f"{day.year}年{day.month}月{day.day}日"


def month(text: str) -> Period:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})", text.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise PatrolError(f"月份格式错误: {text!r}, 应为 YYYY-MM, 例如 2026-10")
    year, mon = int(m.group(1)), int(m.group(2))
    end = dt.date(year + (mon == 12), mon % 12 + 1, 1)
    return Period(dt.date(year, mon, 1), end, f"{year}年{mon}月")


def quarter(text: str) -> Period:
    m = re.fullmatch(r"(\d{4})-?Q([1-4])", text.strip(), flags=re.IGNORECASE)
    if not m:
        raise PatrolError(f"季度格式错误: {text!r}, 应为 YYYY-Qn, 例如 2026-Q3")
    year, q = int(m.group(1)), int(m.group(2))
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), (3 * q) % 12 + 1, 1)
    return Period(start, end, f"{year}年第{q}季度")


def year(text: str) -> Period:
    if not re.fullmatch(r"\d{4}", text.strip()):
        raise PatrolError(f"年份格式错误: {text!r}, 应为 YYYY, 例如 2026")
    y = int(text)
    return Period(dt.date(y, 1, 1), dt.date(y + 1, 1, 1), f"{y}年")


def day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise PatrolError(f"日期格式错误: {text!r}, 应为 YYYY-MM-DD, 例如 2026-10-31") from None


def previous_month(today: dt.date | None = None) -> Period:
    today = today or dt.date.today()
    first = today.replace(day=1) - dt.timedelta(days=1)
    return month(f"{first.year}-{first.month:02d}")


def parse(text: str) -> Period:
    """A month (YYYY-MM), a quarter (YYYY-Qn) or a year (YYYY), as written on the command line."""
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return year(text)
    if re.search(r"[Qq]", text):
        return quarter(text)
    return month(text)


def previous(period: Period) -> Period:
    """The period of the same kind just before (last month, last quarter, last year)."""
    before = period.start - dt.timedelta(days=1)
    days = (period.end - period.start).days
    if days >= 365:
        return year(str(before.year))
    if days >= 90:
        return quarter(f"{before.year}-Q{(before.month - 1) // 3 + 1}")
    return month(f"{before.year}-{before.month:02d}")


def level_of(period: Period) -> str:
    days = (period.end - period.start).days
    return "month" if days <= 31 else ("quarter" if days <= 92 else "year")


THIS = {"month": "本月", "quarter": "本季度", "year": "本年度"}
KIND = {"month": "月度", "quarter": "季度", "year": "年度"}


def this(period: Period) -> str:
    """How a report of the period says "this period": 本月, 本季度, 本年度."""
    return THIS[level_of(period)]


def kind_word(period: Period) -> str:
    """The period's kind as a report names itself: 月度, 季度, 年度."""
    return KIND[level_of(period)]


def period_key(period: Period) -> str:
    """How votes name a period: 2026-10, 2026-Q4, 2026."""
    level = level_of(period)
    if level == "month":
        return f"{period.start:%Y-%m}"
    if level == "quarter":
        return f"{period.start.year}-Q{(period.start.month - 1) // 3 + 1}"
    return f"{period.start.year}"


def months_in(period: Period) -> list[Period]:
    out, day = [], period.start
    while day < period.end:
        out.append(month(f"{day:%Y-%m}"))
        day = out[-1].end
    return out
