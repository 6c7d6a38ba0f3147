"""A district of centres in one database: the centres as units, and ranking them.

Seed 000 (三.3) rolls the programme out from the district centre to its branch centres (外设分中心)
and to every street and town centre (街镇社区事务受理服务中心), and rewards the units that carry it
out best. The district's office ranks them side by side: by average score, by inspection coverage,
by pass rate, and shows the probation cases opened and closed and the share of staff on probation.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, fields

import peewee as pw

from app.storage.db import db
from app.errors import PatrolError
from app.storage.models import Centre, Inspection, ProbationCase, RuleSet, Staff, User, Window
from app.results.periods import Period

KINDS = {"district": "区中心", "branch": "分中心", "street": "街镇中心"}

METHOD = ("各中心按本期已定稿巡查的平均分排名 (每次巡查同等计入, 保留两位小数); 平均分相同的依次比较巡查覆盖率、"
          "合格率; 仍相同者并列 (如 1、2、2、4), 按中心编码列出。覆盖率 = 本期巡查达到规定次数的在用窗口数 ÷ 在用窗口数; "
          "合格率 = 合格巡查次数 ÷ 巡查次数; 考察期人员占比 = 本期内处于考察期的人数 ÷ 在岗人数。本期没有巡查的中心不参加排名, 另列")


def require_district_manager(user: User) -> None:
    """Work for the whole district: a manager whose account is the district's, not a centre's."""
    from app.people.accounts import require_role

    require_role(user, "manager")
    if user.centre_id is not None:
        from app.errors import PermissionDenied

        raise PermissionDenied("只有区级管理员可以管理各中心或查看全区排名")


def centres() -> list[Centre]:
    """Every centre, the district centre first, then branches, then streets, each by code."""
    order = pw.Case(Centre.kind, [("district", 0), ("branch", 1), ("street", 2)], 3)
    return list(Centre.select().order_by(order, Centre.sort_order, Centre.code))


def centre_by_code(code: str) -> Centre:
    found = Centre.get_or_none(Centre.code == code.strip())
    if found is None:
        known = "、".join(c.code for c in centres())
        raise PatrolError(f"未知中心编码 {code!r} (可选: {known})")
    return found


def add_centre(user: User, code: str, name: str, kind: str, reason: str) -> Centre:
    """A district manager adds a centre; it starts with the district centre's settings."""
    from app import audit
    from app.storage.models import Setting

    require_district_manager(user)
    reason = audit.require_reason(reason)
    code, name = code.strip().upper(), name.strip()
    if kind not in KINDS:
        raise PatrolError(f"中心类型须为: {'、'.join(f'{k} ({v})' for k, v in KINDS.items())}")
    if not code or not name or len(code) > 20 or len(name) > 60:
        raise PatrolError("中心编码 (至多 20 个字符) 和名称 (至多 60 个字符) 不能为空")
    if Centre.get_or_none(Centre.code == code) is not None:
        raise PatrolError(f"中心编码 {code} 已存在")
    first = centres()[0] if centres() else None
    with db.atomic():
        centre = Centre.create(code=code, name=name, kind=kind, sort_order=Centre.select().count())
        if first is not None:  # the settings and the whole schedule of rules, past and to come
            for row in Setting.select().where(Setting.centre == first.id):
                Setting.create(centre=centre, key=row.key, value=row.value)
            for rules in RuleSet.select().where(RuleSet.centre == first.id):
                RuleSet.create(centre=centre, effective_from=rules.effective_from, values=rules.values,
                               created_by=rules.created_by, reason=rules.reason)
        from app.assessment.schemes import ensure_default

        ensure_default(centre.id)
        audit.record(user, "centre.add", f"centre:{code}", new={"code": code, "name": name, "kind": KINDS[kind]},
                     reason=reason)
    return centre


@dataclass(frozen=True)
class SettingSpread:
    name: str
    label: str
    district: str  # the district centre's value (for a rule: as it will stand from the day asked)
    differing: tuple[str, ...]  # codes of the centres whose value is another


def settings_spread(on: dt.date | None = None) -> list[SettingSpread]:
    """Each setting as the district centre has it, and which centres differ: what a push would change."""
    from app.centres import scope
    from app.centres.settings import CentreSettings, LABELS, format_value, load_settings, next_month_start

    on = on or next_month_start(dt.date.today())
    every = centres()
    values = {}
    for centre in every:
        with scope.viewing(centre.id):
            values[centre.code] = load_settings(on)
    home = every[0].code
    out = []
    for f in fields(CentreSettings):
        mine = format_value(f.name, getattr(values[home], f.name))
        differ = tuple(c.code for c in every[1:] if format_value(f.name, getattr(values[c.code], f.name)) != mine)
        out.append(SettingSpread(f.name, LABELS[f.name], mine, differ))
    return out


def push_settings(user: User, names: list[str], codes: list[str] | None, reason: str,
                  effective_from: dt.date | None = None) -> dict[str, list[str]]:
    """The district's manager gives centres the district centre's values of some settings (统一标准),
    in one transaction, audited in each centre. Rules take effect from the first of next month (or of a
    later month given), never re-grading a centre's month from here. Returns code -> names changed."""
    from app import audit
    from app.centres import scope
    from app.centres.settings import (
        CentreSettings, check_effective_from, load_settings, next_month_start, save_settings,
    )

    require_district_manager(user)
    reason = audit.require_reason(reason)
    known = {f.name for f in fields(CentreSettings)}
    unknown = [n for n in names if n not in known]
    if not names or unknown:
        raise PatrolError(f"未知设置项 {', '.join(unknown)}" if unknown else "请选择要推行的设置项")
    effective_from = effective_from or next_month_start(dt.date.today())
    check_effective_from(effective_from, regrade=False)
    every = centres()
    targets = every[1:] if codes is None else [centre_by_code(c) for c in codes]
    if any(c.id == every[0].id for c in targets):
        raise PatrolError(f"{every[0].name}是推行的来源, 不能推行给自己")
    with scope.viewing(every[0].id):
        model = load_settings(effective_from)
    changed: dict[str, list[str]] = {}
    with db.atomic():
        for centre in targets:
            with scope.viewing(centre.id):
                mine = load_settings(effective_from)
                names_here = [n for n in names if getattr(mine, n) != getattr(model, n)]
                if not names_here:
                    continue
                for name in names_here:
                    setattr(mine, name, getattr(model, name))
                save_settings(mine, user, f"全区统一: {reason}", effective_from)
                changed[centre.code] = names_here
    return changed


@dataclass
class CentreRow:
    rank: int  # 0: not ranked (no inspections in the period)
    code: str
    name: str
    kind: str  # 区中心 / 分中心 / 街镇中心
    windows: int  # active windows
    covered: int  # of them, inspected at least the required number of times
    inspections: int
    average_score: float | None
    passed: int
    cases_opened: int
    cases_closed: int
    staff: int  # active staff
    on_probation: int  # people with a case running at some time in the period

    @property
    def coverage(self) -> float:
        return round(self.covered / self.windows, 4) if self.windows else 0.0

    @property
    def pass_rate(self) -> float:
        return round(self.passed / self.inspections, 4) if self.inspections else 0.0

    @property
    def probation_share(self) -> float:
        return round(self.on_probation / self.staff, 4) if self.staff else 0.0

    def as_dict(self) -> dict:
        return {"rank": self.rank, "code": self.code, "name": self.name, "kind": self.kind, "windows": self.windows,
                "covered": self.covered, "coverage": self.coverage, "inspections": self.inspections,
                "average_score": self.average_score, "pass_rate": self.pass_rate, "cases_opened": self.cases_opened,
                "cases_closed": self.cases_closed, "staff": self.staff, "on_probation": self.on_probation,
                "probation_share": self.probation_share}


def _in(period: Period):
    return ((Inspection.status == "final") & (Inspection.observed_at >= period.start_dt)
            & (Inspection.observed_at < period.end_dt))


def centre_rows(period: Period, required: int | None = None) -> list[CentreRow]:
    """Every centre's figures for the period (a handful of grouped queries, whatever the district's size)."""
    from app.centres.settings import load_settings

    required = required or load_settings().coverage_min_inspections
    windows = Counter(dict(Window.select(Window.centre, pw.fn.COUNT(Window.id)).where(Window.active == True)  # noqa: E712
                           .group_by(Window.centre).tuples()))
    passed_expr = pw.fn.SUM(pw.Case(None, [(Inspection.passed == True, 1)], 0))  # noqa: E712
    figures = {c: (n, avg, p) for c, n, avg, p in
               Inspection.select(Window.centre, pw.fn.COUNT(Inspection.id), pw.fn.AVG(Inspection.score), passed_expr)
               .join(Window).where(_in(period)).group_by(Window.centre).tuples()}
    per_window = (Inspection.select(Window.centre, Inspection.window).join(Window)
                  .where(_in(period) & (Window.active == True))  # noqa: E712
                  .group_by(Window.centre, Inspection.window).having(pw.fn.COUNT(Inspection.id) >= required).tuples())
    covered = Counter(c for c, _ in per_window)
    # A case belongs to the centre whose window's inspection opened it; one without (an old import) to
    # the person's centre.
    opening_centre = pw.fn.COALESCE(Window.centre, Staff.centre)
    cases = (ProbationCase.select(ProbationCase.opened_on, ProbationCase.closed_at, ProbationCase.status, opening_centre,
                                  ProbationCase.staff, ProbationCase.ends_on)
             .join(Staff).switch(ProbationCase)
             .join(Inspection, pw.JOIN.LEFT_OUTER, on=(ProbationCase.opening_inspection == Inspection.id))
             .join(Window, pw.JOIN.LEFT_OUTER, on=(Inspection.window == Window.id))
             .where(((ProbationCase.opened_on < period.end) & (ProbationCase.ends_on >= period.start)
                     | ((ProbationCase.closed_at >= period.start_dt) & (ProbationCase.closed_at < period.end_dt)))
                    # withdrawn (its opening inspection amended to a pass): it counts nowhere, as if never opened
                    & ((Inspection.passed == False) | Inspection.id.is_null()))  # noqa: E712
             .tuples())
    opened, closed, people = Counter(), Counter(), {}
    for opened_on, closed_at, status, centre, staff, ends_on in cases:
        if period.start <= opened_on < period.end:
            opened[centre] += 1
        if closed_at is not None and period.start_dt <= closed_at < period.end_dt and status in ("cleared", "returned"):
            closed[centre] += 1
        if opened_on < period.end and ends_on >= period.start:
            people.setdefault(centre, set()).add(staff)
    staff = Counter(dict(Staff.select(Staff.centre, pw.fn.COUNT(Staff.id)).where(Staff.status == "active")
                         .group_by(Staff.centre).tuples()))
    rows = []
    for c in centres():
        n, avg, p = figures.get(c.id, (0, None, 0))
        rows.append(CentreRow(0, c.code, c.name, KINDS.get(c.kind, c.kind), windows[c.id], covered[c.id], int(n or 0),
                              round(float(avg), 2) if avg is not None else None, int(p or 0), opened[c.id], closed[c.id],
                              staff[c.id], len(people.get(c.id, ()))))
    return rows


def _key(row: CentreRow) -> tuple:
    return (-(row.average_score or 0), -row.coverage, -row.pass_rate)


def rank_centres(period: Period, required: int | None = None) -> list[CentreRow]:
    """The centres inspected in the period, ranked (competition ranking: 1, 2, 2, 4); then, unranked,
    those not inspected."""
    rows = centre_rows(period, required)
    ranked = sorted((r for r in rows if r.inspections), key=lambda r: (_key(r), r.code))
    for position, row in enumerate(ranked, start=1):
        row.rank = position if position == 1 or _key(row) != _key(ranked[position - 2]) else ranked[position - 2].rank
    return ranked + sorted((r for r in rows if not r.inspections), key=lambda r: r.code)


@dataclass
class DistrictReport:
    """What the district office files for a period: the centres ranked, and windows and staff ranked
    across the district."""

    period: Period
    name: str  # the district centre's name
    centres: list[CentreRow]
    windows: list  # rankings.RankRow, across every centre
    staff: list
    method: str
    window_rule: str


def district_report(period: Period) -> DistrictReport:
    from app.centres import scope
    from app.results.rankings import rank, tie_breaks

    rows = rank_centres(period)
    if not any(r.inspections for r in rows):
        raise PatrolError(f"{period.label}全区没有已定稿的巡查记录")
    with scope.viewing(None):
        windows, staff = rank(period, "window"), rank(period, "staff")
        rule = tie_breaks()
    return DistrictReport(period, centres()[0].name, rows, windows, staff, METHOD, rule)
