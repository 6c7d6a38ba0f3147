"""Record payloads printed as QR codes on every report, and checking a paper copy against the database.

Payload: `WPR1:<kind>:<id>:<check>`; kind I = inspection, C = probation case, R = ranking
(`<YYYY-MM>.<by>`), S = staff record (`<employee no>.<from>.<to>`). `check` is the first 16 hex digits
of HMAC-SHA256 over the record's content with the centre's key: if the record changes after printing,
or the paper was forged, the check no longer matches.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass

from app.centre import current_centre
from app.errors import PatrolError

PREFIX = "WPR1"
KINDS = {"I": "巡查记录", "C": "考察案例", "R": "月度排名", "S": "个人巡查记录"}


def _fingerprint(kind: str, ident: str) -> str:
    """A digest of what the printed report shows, computed afresh from the database."""
    from app import periods, reports

    if kind == "I":
        rec = reports.inspection_record(ident)
        content = [rec.uuid, rec.revision, rec.status, rec.score, rec.grade, rec.vetoed,
                   [(i.code, i.result, i.note) for i in rec.items]]
    elif kind == "C":
        notice = reports.probation_notice(int(ident))
        content = [notice.status, notice.ends_on.isoformat(), [(e[1], e[2]) for e in notice.events]]
    elif kind == "R":
        month, by = ident.split(".")
        content = [r.as_dict() for r in reports.ranking(periods.month(month), by)]
    elif kind == "S":
        emp, start, end = ident.split(".")
        period = periods.Period(periods.day(start), periods.day(end), "")
        rec = reports.staff_record(emp, period)
        content = [(r.uuid, r.score, r.grade) for r in rec.inspections]
    else:
        raise PatrolError(f"未知记录类型 {kind}")
    return json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)


def _check(kind: str, ident: str) -> str:
    centre = current_centre()
    if centre is None:
        raise PatrolError("数据库中没有中心")
    message = f"{kind}:{ident}:{_fingerprint(kind, ident)}".encode("utf-8")
    return hmac.new(centre.signing_key.encode("utf-8"), message, hashlib.sha256).hexdigest()[:16]


def payload(kind: str, ident: str | int) -> str:
    """The payload to print on a report of this record as it stands now."""
    ident = str(ident)
    return f"{PREFIX}:{kind}:{ident}:{_check(kind, ident)}"


@dataclass(frozen=True)
class Verdict:
    matches: bool
    message: str


def verify(text: str) -> Verdict:
    """Whether a printed payload matches what the database holds now."""
    match = re.fullmatch(r"WPR(\d+):([A-Z]):([^:]+):([0-9a-f]{16})", text.strip())
    if not match:
        raise PatrolError(f"不是本系统的报表二维码内容: {text.strip()[:60]!r}")
    version, kind, ident, check = match.groups()
    if f"WPR{version}" != PREFIX:
        raise PatrolError(f"不支持的二维码版本 WPR{version}")
    if kind not in KINDS:
        raise PatrolError(f"未知记录类型 {kind}")
    try:
        expected = _check(kind, ident)
    except PatrolError as exc:
        return Verdict(False, f"{KINDS[kind]} {ident}: 数据库中找不到 ({exc})")
    if hmac.compare_digest(expected, check):
        return Verdict(True, f"{KINDS[kind]} {ident}: 与数据库一致")
    return Verdict(False, f"{KINDS[kind]} {ident}: 与数据库不一致 (打印后记录已更改, 或不是本中心打印的)")
