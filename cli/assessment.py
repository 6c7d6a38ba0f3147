"""Commands of the assessment: the conduct and praise registers, votes, schemes, and `assess` (a
period under a scheme, or a proposed scheme against the one in force: the what-if)."""

from __future__ import annotations

import datetime as dt

from app.errors import PatrolError
from app.results.probation_rules import event_opened
from cli.common import acting_user, centre_of, context, emit, management_view


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PatrolError(f"日期格式错误: {text!r}, 应为 YYYY-MM-DD") from None


def _staff(employee_no: str, centre_id: int | None):
    from app.centres import scope
    from app.storage.models import Staff

    person = Staff.get_or_none((Staff.employee_no == employee_no) & scope.staff(centre_id))
    if person is None:
        raise PatrolError(f"本中心没有工号 {employee_no}")
    return person


def cmd_register(args) -> int:
    """`conduct` and `praise`: add, list, withdraw."""
    from app.assessment import events
    from app.storage.db import open_database
    from app.storage.models import PersonEvent

    register = args.command
    open_database(args.db, create=False)
    if args.action == "add":
        from app.centres import scope
        from app.patrolling.evidence import store_photo_file
        from app.storage.models import Window

        user = acting_user(args, "manager")
        window = None
        if args.window:
            window = Window.get_or_none((Window.code == args.window) & scope.windows(centre_of(args)))
            if window is None:
                raise PatrolError(f"本中心没有窗口 {args.window}")
        photos = tuple(store_photo_file(p) for p in args.photo or ())
        event = events.record_event(user, register, _staff(args.employee_no, centre_of(args)), args.kind, _day(args.date),
                                    args.description, getattr(args, "source", "other") or "other", window, photos,
                                    args.document, centre_id=centre_of(args))
        print(f"已登记{events.REGISTERS[register][0]} {event.id}: {event.staff.name} {event.occurred_on} "
              f"{events.events(register, staff_id=event.staff_id, centre_id=centre_of(args))[0].kind_label}"
              + (f"; 已开启考察案例 {event.probation_case_id}" if event_opened(event) else
                 f"; 该日已在考察案例 {event.probation_case_id} 中, 计入该案" if event.probation_case_id else ""))
        return 0
    if args.action == "withdraw":
        user = acting_user(args, "manager")
        from app.centres import wall

        event = wall.fetch(context(args), PersonEvent, args.id, events.REGISTERS[register][0])
        if event.register != register:
            raise PatrolError(f"没有{events.REGISTERS[register][0]} {args.id}")
        events.withdraw_event(user, event, args.reason, centre_id=centre_of(args))
        print(f"已撤销{events.REGISTERS[register][0]} {event.id} (记录保留, 不再计入考核)")
        return 0
    if args.action == "kinds":
        from app.assessment.schemes import extra_kinds

        rows = [[code, label, events.REGISTERS[register][1].get(code, ("", "考核方案增加"))[1]]
                for code, label in events.kinds(register, extra_kinds(register, centre_id=centre_of(args))).items()]
        emit(args.format, ["类别", "名称", "依据"], rows, [dict(zip(("kind", "label", "clause"), r)) for r in rows])
        return 0
    management_view(args)
    start = _day(args.since) if args.since else None
    rows = events.events(register, start=start, include_withdrawn=not args.active, centre_id=centre_of(args))
    headers = ["编号", "日期", "工号", "姓名", "窗口", "类别", "来源", "事由", "登记人", "状态"]
    table = [[e.id, e.occurred_on.isoformat(), e.employee_no, e.staff_name, e.window_code, e.kind_label, e.source,
              e.description[:40], e.recorded_by, f"已撤销: {e.withdraw_reason}" if e.withdrawn else "有效"] for e in rows]
    emit(args.format, headers, table, [e.as_dict() for e in rows])
    return 0


def cmd_votes(args) -> int:
    from app import periods
    from app.assessment import votes
    from app.storage.db import open_database

    open_database(args.db, create=False)
    period = periods.parse(args.period)
    if args.action == "set":
        scores = {}
        for pair in args.scores:
            code, sep, value = pair.partition("=")
            try:
                scores[code.strip()] = float(value)
            except ValueError:
                raise PatrolError(f"{pair}: 应写成 编号=分数, 如 A01=92") from None
            if not sep:
                raise PatrolError(f"{pair}: 应写成 编号=分数, 如 A01=92")
        changed = votes.set_votes(acting_user(args, "manager"), period, args.name, scores, args.subject, args.reason,
                                  centre_id=centre_of(args))
        print(f"{period.label}{args.name}: 已录入 {changed} 项" + ("" if changed else " (与已录入的相同)"))
        return 0
    management_view(args)
    rows = votes.votes(period, args.name, centre_id=centre_of(args))
    table = [[v.period, v.name, v.subject, v.subject_name, f"{v.score:g}", v.entered_by] for v in rows]
    emit(args.format, ["期间", "评分", "编号", "名称", "分数", "录入人"], table, [v.__dict__ for v in rows])
    return 0


def cmd_schemes(args) -> int:
    from app.assessment import schemes
    from app.storage.db import open_database

    if args.action == "validate":
        for path in args.files or sorted(schemes.SHIPPED_DIR.glob("*.toml")):
            scheme = schemes.read_file(path)
            print(f"{scheme.code} {scheme.name}: 校验通过 ({scheme.describe('month')})")
        return 0
    open_database(args.db, create=False)
    if args.action == "load":
        from app.periods import month

        scheme = schemes.read_file(args.file)
        start = month(args.effective_from).start if args.effective_from else None
        stored, created = schemes.load_scheme(acting_user(args, "manager"), scheme, args.reason, start,
                                              centre_id=centre_of(args))
        print(f"{stored.code} 第 {stored.version} 版: " + (f"已载入, 自{stored.effective_from.isoformat()}起执行"
                                                          if created else "内容未变化"))
        return 0
    if args.action == "show":
        for scheme in schemes.schemes_on(dt.date.today(), centre_id=centre_of(args)):
            if args.code in (None, scheme.code):
                print(f"# {scheme.code} 第 {scheme.version} 版, 自{scheme.effective_from.isoformat()}起执行")
                print(scheme.text)
        return 0
    rows = [[v.code, v.name, v.version, v.effective_from.isoformat(), v.loaded_by, v.reason] for v in schemes.versions(centre_id=centre_of(args))]
    emit(args.format, ["方案", "名称", "版本", "起执行", "载入人", "理由"], rows,
         [dict(zip(("code", "name", "version", "effective_from", "loaded_by", "reason"), r)) for r in rows])
    return 0


def cmd_assess(args) -> int:
    from app import periods
    from app.assessment import assess as assessing
    from app.assessment import schemes, what_if
    from app.storage.db import open_database

    period = periods.parse(args.month or args.quarter or args.year)
    proposal = schemes.read_file(args.scheme) if args.scheme else None
    open_database(args.db, create=False)
    management_view(args)
    if args.compare:
        if proposal is None:
            raise PatrolError("--compare 需要 --scheme 方案文件 (与现行版本对比)")
        result = what_if.compare(period, proposal, centre_id=centre_of(args))
        if args.format == "table":
            print(f"{period.label}: 现行 {result.current.scheme.name} 第{result.current.scheme.version}版 → 拟用 {proposal.name}")
        rows = [[m.code, m.name, m.old_rank or "—", m.new_rank or "—", _fmt(m.old_total), _fmt(m.new_total),
                 m.change, "" if m.delta is None else f"{m.delta:+g}", m.award, "; ".join(m.why)]
                for m in (result.moves if args.all else result.moved)]
        emit(args.format, ["编号", "名称", "现名次", "新名次", "现总分", "新总分", "变化", "分差", "奖项", "原因"], rows,
             [m.__dict__ | {"change": m.change, "delta": m.delta} for m in result.moves])
        return 0
    result = assessing.assess(period, proposal, args.code, centre_id=centre_of(args))
    everyone = result.rows + result.unassessed
    names = [p.name for p in everyone[0].parts] if everyone else []
    rows = [[r.rank or "—", r.code, r.name, *[_fmt(p.value) for p in r.parts], _fmt(r.total), r.grade] for r in result.rows]
    rows += [["—", r.code, r.name, *[_fmt(p.value) for p in r.parts], "", "缺少: " + "、".join(r.missing)]
             for r in result.unassessed]
    emit(args.format, ["名次", "编号", "名称", *names, "总分", "等级"], rows,
         [{"rank": r.rank, "code": r.code, "name": r.name, "total": r.total, "grade": r.grade,
           "parts": [p.__dict__ for p in r.parts], "missing": r.missing} for r in result.rows + result.unassessed])
    if args.format == "table":
        print(result.method)
        _awards(result)
    return 0


def _awards(result) -> None:
    from app.assessment.awards import award_lists

    for listed in award_lists(result):
        print(f"{listed.award.name}: " + ("、".join(f"{r.code} {r.name}" for r in listed.winners) or "无"))
        for out in listed.excluded:
            print(f"  未列入 {out.code} {out.name}: {'; '.join(out.reasons)}")


def _fmt(value) -> str:
    return "" if value is None else f"{value:g}"


def cmd_import_ratings(args, user) -> int:
    from app.assessment.ratings import apply_ratings, plan_ratings
    from app.periods import month
    from exports.table_reader import read_table

    plan = plan_ratings(args.file.name, read_table(args.file), month(args.month), centre_id=centre_of(args))
    for row in plan.unmatched:
        print(f"未匹配 {row.where}: 窗口“{row.window_text}” 人员“{row.staff_text}” (保留, 不计入满意率)")
    for row in plan.duplicates:
        why = "已导入过" if row.status == "imported" else "本文件中重复"
        print(f"重复 {row.where}: {row.window_text} {row.staff_text} ({why}, 不再导入)")
    print(plan.summary())
    if args.apply:
        written, opened = apply_ratings(context(args), plan, args.reason)
        print(f"已写入 {written} 行, 开出整改项 {opened} 个")
    else:
        print("以上为预览, 未做修改; 确认无误后加 --apply 写入")
    return 0
