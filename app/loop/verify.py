"""Record payloads printed as QR codes on every report, and checking a paper copy against the database.

Payload: `WPR2:<kind>:<ident>:<fingerprint>:<key id>:<signature>`. Kind I = inspection (ident: its
UUID, the same on the laptop and at the office), C = probation case, R = ranking (`<YYYY-MM>.<by>`),
S = staff record (`<employee no>.<from>.<to>`). The fingerprint is 16 hex digits of a digest of what
the report shows; the signature (Ed25519, app.keys.signing) is by the key of the database that printed it:
the office's, or an enrolled laptop's for its own inspections. So a paper copy proves who printed it,
and whether the record has changed since; nothing can be forged without a key.

Before schema v5 the payload was `WPR1:<kind>:<id>:<HMAC>` with the centre's shared key; it verifies
while that key is kept (app.exchange.devices.end_legacy_key ends it).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from dataclasses import dataclass, field

from app import periods
from app.assessment import assess as assessing
from app.assessment.person_year import person_year
from app.centres import scope
from app.centres.centre import current_centre
from app.domain import PROBATION_STATUSES
from app.errors import PatrolError, is_record_id, record_id
from app.keys import identity, signing
from app.patrolling import records
from app.patrolling.notices import without_role
from app.results import centre_ranking, reports
from app.rounding import fixed
from app.storage.models import AuditEntry, Centre, Inspection, ProbationCase, Publication, Staff, Window

PREFIX = "WPR2"
LEGACY_PREFIX = "WPR1"
KINDS = {"I": "巡查记录", "C": "考察案例", "R": "排名", "S": "个人巡查记录", "A": "考核成绩", "Y": "个人年度考核表"}
def _named(kind: str, ident: str) -> str:
    """What a code proves, in words: a ranking by its period's kind (月度排名, 季度排名, 年度排名)."""
    if kind == "R":
        period = ident.split(".", 1)[0]
        return ("季度" if "Q" in period else "年度" if len(period) == 4 else "月度") + "排名"
    return KINDS[kind]


IDENTS = {
    "I": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "C": r"[0-9]{1,12}",
    # A ranking of a centre of a district names it (@code); `centre` ranks the district's centres.
    "R": r"[0-9]{4}(-[0-9]{2}|-Q[1-4])?\.(window|staff|department|centre)(@[A-Z0-9_-]{1,20})?",
    "S": r"[^:.\s]{1,40}\.[0-9]{4}-[0-9]{2}-[0-9]{2}\.[0-9]{4}-[0-9]{2}-[0-9]{2}",
    # An assessment: `<period>.<scheme code>@<centre>`; a person's year: `<employee no>.<year>@<centre>`.
    "A": r"[0-9]{4}(-[0-9]{2}|-Q[1-4])?\.[A-Z][A-Z0-9_]{0,19}@[A-Z0-9_-]{1,20}",
    "Y": r"[^:.@\s]{1,40}\.[0-9]{4}@[A-Z0-9_-]{1,20}",
}
PAYLOAD = re.compile(r"WPR2:([A-Z]):([^:]{1,80}):([0-9a-f]{16}):([A-Z0-9]{1,20}):([A-Za-z0-9_-]{86})")


def _ranking_of(ident: str, centre_id=scope.SOLE):
    """(period, by, centre id or None) of a ranking payload's ident `<YYYY-MM | YYYY-Qn | YYYY>.<by>[@centre]`."""
    text, rest = ident.split(".")
    by, _, code = rest.partition("@")
    if not code:
        return periods.parse(text), by, None if by == "centre" else scope.resolve(centre_id)
    centre = Centre.get_or_none(Centre.code == code)
    if centre is None:
        raise PatrolError(f"数据库中没有中心 {code}")
    return periods.parse(text), by, centre.id


def ranking_ident(period_text: str, by: str, centre_id=scope.SOLE) -> str:
    """The ident a ranking sheet prints: it names the centre when the database holds several."""
    code = None if by == "centre" else scope.code_of(scope.resolve(centre_id))
    return f"{period_text}.{by}" + (f"@{code}" if code else "")


def _ranking_rows(ident: str, centre_id=scope.SOLE) -> list:
    period, by, centre = _ranking_of(ident, centre_id=centre_id)
    if by == "centre":
        return centre_ranking.rank_centres(period)
    return reports.ranking(period, by, centre_id=centre)


def _staff_record_of(ident: str):
    """(employee no, period) of a staff-record payload's ident `<employee no>.<from>.<to>`."""
    emp, start, end = ident.split(".")
    return emp, periods.Period(periods.day(start), periods.day(end), "")


def _publication_state(period, centre_id: int | None):
    """Part of what a results sheet shows: whether it is final. A centre's sheet: when its period was
    published ("draft" before); the district's: which centres have published it. So the published
    paper's QR differs from a draft's of the same figures."""
    key = periods.period_key(period)
    if centre_id is None:
        return sorted(code for (code,) in Publication.select(Centre.code).join(Centre)
                      .where(Publication.period == key).tuples()) or "draft"
    done = Publication.get_or_none((Publication.centre == centre_id) & (Publication.period == key))
    return f"{done.published_at:%Y-%m-%d %H:%M:%S}" if done is not None else "draft"


def _content(kind: str, ident: str, centre_id=scope.SOLE, draft: bool = False):
    """What the printed report shows, computed afresh from the database (PatrolError if not found);
    `draft`: as a results sheet of the same figures printed before publication shows it."""
    if kind == "I":
        insp = Inspection.get_or_none(Inspection.uuid == ident)
        if insp is None:
            raise PatrolError("数据库中找不到该记录 (笔记本上打印的, 请先导入其结果包)")
        return records.content_hash(records.record_of(insp))
    if kind == "C":
        notice = reports.probation_notice(record_id(ident), centre_id=centre_id)
        # The stored state, in the words paper has always carried: a case passing its end date without
        # any new fact leaves the paper's fingerprint as it was (what it is called today is `describe`'s).
        return [PROBATION_STATUSES[notice.state], notice.ends_on.isoformat(), [(e[1], e[2]) for e in notice.events]]
    if kind == "R":
        period, _, centre = _ranking_of(ident, centre_id=centre_id)
        return [[r.as_dict() for r in _ranking_rows(ident, centre_id=centre_id)],
                "draft" if draft else _publication_state(period, centre)]
    if kind == "A":
        head, _, _ = ident.partition("@")
        return [_assessment_content(kind, ident),
                "draft" if draft else _publication_state(periods.parse(head.split(".")[0]), _centre_of(ident))]
    if kind == "Y":
        return _assessment_content(kind, ident)
    rec = reports.staff_record(*_staff_record_of(ident), centre_id=centre_id)
    return [(r.uuid, r.score, r.grade) for r in rec.inspections]


def _centre_of(ident: str) -> int:
    centre = Centre.get_or_none(Centre.code == ident.rpartition("@")[2])
    if centre is None:
        raise PatrolError(f"数据库中没有中心 {ident.rpartition('@')[2]}")
    return centre.id


def _assessment_content(kind: str, ident: str):
    """An assessment's rows (code, rank, total, each part's points), or a person's year, as printed."""
    head, _, _ = ident.partition("@")
    centre = _centre_of(ident)  # an assessment's payload always names its centre
    if kind == "A":
        text, code = head.split(".")
        result = assessing.assess(periods.parse(text), code=code, centre_id=centre)
        return [(r.code, r.rank, r.total, [p.points for p in r.parts]) for r in result.rows + result.unassessed]
    emp, year = head.split(".")
    sheet = person_year(emp, int(year), centre_id=centre)
    return [sheet.months, [(e.id, e.withdrawn) for e in sheet.events], sheet.cases, sheet.schemes]


def assessment_ident(kind: str, head: str, centre_id=scope.SOLE) -> str:
    """The ident an assessment sheet or a person's year prints: it always names its centre."""
    return f"{head}@{current_centre(centre_id=centre_id).code}"


def _fingerprint(kind: str, ident: str, centre_id=scope.SOLE, draft: bool = False) -> str:
    raw = json.dumps(_content(kind, ident, centre_id=centre_id, draft=draft), ensure_ascii=False, sort_keys=True,
                     default=str)
    return hashlib.sha256(f"{kind}:{ident}:{raw}".encode("utf-8")).hexdigest()[:16]


def _check_ident(kind: str, ident: str) -> None:
    if kind not in KINDS:
        raise PatrolError(f"未知记录类型 {kind}")
    if not re.fullmatch(IDENTS[kind], ident):
        raise PatrolError(f"{KINDS[kind]}的编号格式不对: {ident[:40]!r}")


def payload(kind: str, ident: str | int, centre_id=scope.SOLE) -> str:
    """The payload to print on a report of this record as it stands now, signed with this database's key."""
    ident = str(ident)
    _check_ident(kind, ident)
    body = f"{PREFIX}:{kind}:{ident}:{_fingerprint(kind, ident, centre_id=centre_id)}"
    me = identity.local()
    if me is None:
        raise PatrolError("数据库中没有中心")
    message = f"{body}:{me.key_id}"  # the key id is part of what is signed
    return f"{message}:{signing.sign(me.private_key, message.encode('utf-8'))}"


@dataclass(frozen=True)
class Verdict:
    matches: bool
    message: str
    details: list[str] = field(default_factory=list)  # what the record says, to compare with the paper


def describe(kind: str, ident: str, centre_id=scope.SOLE) -> list[str]:
    """What the record says now, in the words of the paper."""
    try:
        if kind == "I":
            rec = reports.inspection_record(ident, centre_id=centre_id)
            failed = "; ".join(f"{i.code} {i.text}" for i in rec.failed_items) or "无"
            person = f"{rec.staff_name} ({rec.employee_no})" if rec.staff_name else "未指定"
            score = f"{rec.score:g} 分 {rec.grade}" + (" 一票否决" if rec.vetoed else "") if rec.score is not None else "草稿"
            return [f"窗口: {rec.window_code} {rec.window_name}", f"工作人员: {person}",
                    f"时间: {rec.observed_at:%Y-%m-%d %H:%M}", f"巡查员: {without_role('巡查员', rec.inspector)}", f"得分: {score}",
                    f"不合格项: {failed}", f"修订: 第 {rec.revision} 版"]
        if kind == "C":
            n = reports.probation_notice(record_id(ident), centre_id=centre_id)
            return [f"工作人员: {n.staff_name} ({n.employee_no})", f"考察期: {n.opened_on} 至 {n.ends_on}",
                    f"状态: {n.status}"]
        if kind == "R":
            period = _ranking_of(ident, centre_id=centre_id)[0]
            rows = _ranking_rows(ident, centre_id=centre_id)
            top = ", ".join(f"{r.rank}. {r.code} {r.name} {fixed(r.average_score or 0)}" for r in rows[:3])
            return [f"{period.label} 排名: {len(rows)} 个", f"前三: {top}"]
        if kind == "A":
            rows = _assessment_content(kind, ident)
            return [f"{ident.partition('@')[0]}: {len(rows)} 个", "前三: " + ", ".join(f"{r[1]}. {r[0]} {r[2]}" for r in rows[:3])]
        if kind == "Y":
            return [f"个人年度考核表 {ident.partition('@')[0]}"]
        emp, period = _staff_record_of(ident)
        rec = reports.staff_record(emp, period, centre_id=centre_id)
        return [f"工作人员: {rec.staff_name} ({rec.employee_no})", f"期间: {period.start} 至 {period.last_day}",
                f"巡查次数: {len(rec.inspections)}"]
    except PatrolError:
        return []


def verify(text: str, centre_id=scope.SOLE) -> Verdict:
    """Whether a printed payload was signed by a key this database trusts, and matches what it holds now."""
    text = text.strip()
    if text.startswith(f"{LEGACY_PREFIX}:"):
        return _verify_legacy(text, centre_id=centre_id)
    match = PAYLOAD.fullmatch(text)
    if not match:
        raise PatrolError(f"不是本系统的报表二维码内容: {text[:60]!r}")
    kind, ident, printed, key_id, signature = match.groups()
    _check_ident(kind, ident)
    what = f"{_named(kind, ident)} {ident}"
    signer = identity.signer(key_id)
    if signer is None:
        return Verdict(False, f"{what}: 签名来自本中心不认识的密钥 {key_id}: 不是本中心或其登记设备打印的")
    if not signing.verify(signer.public_key, text.rsplit(":", 1)[0].encode("utf-8"), signature):
        return Verdict(False, f"{what}: 签名无效: 二维码内容被改动过, 或不是 {signer.label} 打印的")
    if signer.revoked_at is not None:
        return Verdict(False, f"{what}: 由 {signer.label} 打印, 该设备已于 {signer.revoked_at:%Y-%m-%d} 注销"
                              f" ({signer.revoke_reason}); 请在管理端重新打印")
    own = key_id == identity.local().key_id
    if signer.kind == "centre":
        problem = _centre_may_not_sign(kind, ident, signer.centre_code)
        if problem:
            return Verdict(False, f"{what}: {problem}")
    if signer.kind == "device" and not own:
        problem = _device_may_not_sign(kind, ident, signer.key_id)
        if problem:
            return Verdict(False, f"{what}: {problem}")
    try:
        current = _fingerprint(kind, ident, centre_id=centre_id)
    except PatrolError as exc:
        return Verdict(False, f"{what}: {exc}")
    details = [f"打印者: {signer.label}"] + describe(kind, ident, centre_id=centre_id)
    if hmac.compare_digest(current, printed):
        return Verdict(True, f"{what}: 与数据库一致", details)
    if kind == "R":
        period_key_, _, _ = ident.partition(".")
        replaced = _superseded(period_key_, printed)
        if replaced:
            return Verdict(False, f"{what}: 签名真实, 但{replaced}; 以下为数据库中的现状", details)
    if kind in ("R", "A") and hmac.compare_digest(_fingerprint(kind, ident, centre_id=centre_id, draft=True), printed):
        return Verdict(False, f"{what}: 签名真实, 数字与数据库一致, 但打印时尚未定稿, 该期已定稿发布; "
                              f"请以定稿后打印的版本为准", details)
    return Verdict(False, f"{what}: 签名真实, 但打印后记录已更改; 以下为数据库中的现状", details)


def _superseded(period_key_: str, fingerprint: str) -> str:
    """Why the paper of a publication since re-opened no longer stands ("" when it was no such paper)."""
    # The re-opening names the publication it undid by its fingerprint (compared whole, not as a substring).
    for entry in (AuditEntry.select().where((AuditEntry.action == "ranking.reopen")
                                            & (AuditEntry.target == f"ranking:{period_key_}")).order_by(AuditEntry.id)):
        undone = json.loads(entry.old or "{}").get("fingerprint") or ""
        if undone and hmac.compare_digest(undone, fingerprint):
            return f"已被更正版本取代: 该期排名于{entry.at:%Y-%m-%d}由{entry.username}重新开放 ({entry.reason})"
    return ""


def _subject_centre(kind: str, ident: str) -> str | None:
    """The code of the centre a payload's subject belongs to ("" for the district's own, None when the
    database does not hold it)."""
    def code_of(centre_id):
        return Centre.get_by_id(centre_id).code if centre_id is not None else ""

    if kind == "I":
        found = Window.select(Window.centre).join(Inspection).where(Inspection.uuid == ident).tuples().first()
        return code_of(found[0]) if found else None
    if kind == "C":
        case = ProbationCase.get_or_none(ProbationCase.id == int(ident))
        return code_of(Staff.get_by_id(case.staff_id).centre_id) if case else None
    if kind == "S":
        person = Staff.get_or_none(Staff.employee_no == ident.split(".")[0])
        return code_of(person.centre_id) if person else None
    if kind == "R" and ident.split(".")[1] == "centre":
        return ""  # the district's ranking of its centres
    _, _, code = ident.partition("@")
    return code or None


def _centre_may_not_sign(kind: str, ident: str, centre_code: str) -> str:
    """A centre office's key signs its own centre's paper only, never another centre's nor the district's."""
    subject = _subject_centre(kind, ident)
    if subject == centre_code:
        return ""
    if subject == "":
        return f"中心管理端 ({centre_code}) 的签名不能证明全区的{KINDS[kind]}"
    if subject is None:
        return f"中心管理端 ({centre_code}) 的签名只能证明注明本中心的{KINDS[kind]}"
    return f"该{KINDS[kind]}属于中心 {subject}, 中心 {centre_code} 的签名不能证明它"


def _device_may_not_sign(kind: str, ident: str, key_id: str) -> str:
    """A laptop may sign paper of its own inspections only."""
    if kind != "I":
        return f"设备只能为自己的巡查记录签名, 不能签{KINDS[kind]}"
    insp = Inspection.get_or_none(Inspection.uuid == ident)
    if insp is not None and insp.source_device != key_id:
        return f"该记录不是设备 {key_id} 送来的, 设备的签名不能证明它"
    return ""


def _verify_legacy(text: str, centre_id=scope.SOLE) -> Verdict:
    """A payload printed before the upgrade, checked with the old shared key while it is kept."""
    match = re.fullmatch(r"WPR1:([A-Z]):([^:]{1,80}):([0-9a-f]{16})", text)
    if not match:
        raise PatrolError(f"不是本系统的报表二维码内容: {text[:60]!r}")
    kind, ident, check = match.groups()
    if kind not in KINDS:
        raise PatrolError(f"未知记录类型 {kind}")
    centre = current_centre(centre_id=centre_id)
    if centre is None or not centre.signing_key:
        return Verdict(False, f"{_named(kind, ident)} {ident}: 升级前的旧核验码已停用; 请在管理端重新打印")

    try:
        if kind == "I":
            insp = Inspection.get_or_none(Inspection.id == record_id(ident)) if is_record_id(ident) else None
            if insp is None:
                raise PatrolError("数据库中找不到")
            ident_now = insp.uuid
        else:
            _check_ident(kind, ident)
            ident_now = ident
        content = _legacy_content(kind, ident, centre_id=centre_id)
    except (PatrolError, ValueError) as exc:
        return Verdict(False, f"{_named(kind, ident)} {ident}: 数据库中找不到 ({exc})")
    message = f"{kind}:{ident}:{content}".encode("utf-8")
    expected = hmac.new(centre.signing_key.encode("utf-8"), message, hashlib.sha256).hexdigest()[:16]
    if hmac.compare_digest(expected, check):
        return Verdict(True, f"{_named(kind, ident)} {ident}: 与数据库一致 (升级前的核验码)", describe(kind, ident_now, centre_id=centre_id))
    return Verdict(False, f"{_named(kind, ident)} {ident}: 与数据库不一致 (打印后记录已更改, 或不是本中心打印的)")


def _legacy_content(kind: str, ident: str, centre_id=scope.SOLE) -> str:
    """The digest input of schema v4's payloads, unchanged, so paper printed then still verifies."""
    if kind == "I":
        rec = reports.inspection_record(ident, centre_id=centre_id)
        content = [rec.uuid, rec.revision, rec.status, rec.score, rec.grade, rec.vetoed,
                   [(i.code, i.result, i.note) for i in rec.items]]
    elif kind == "C":
        notice = reports.probation_notice(record_id(ident), centre_id=centre_id)
        content = [notice.status, notice.ends_on.isoformat(), [(e[1], e[2]) for e in notice.events]]
    elif kind == "R":
        month, by = ident.split(".")
        content = [r.as_dict() for r in reports.ranking(periods.month(month), by, centre_id=centre_id)]
    else:
        emp, start, end = ident.split(".")
        rec = reports.staff_record(emp, periods.Period(periods.day(start), periods.day(end), ""), centre_id=centre_id)
        content = [(r.uuid, r.score, r.grade) for r in rec.inspections]
    return json.dumps(content, ensure_ascii=False, sort_keys=True, default=str)
