"""Commands that read: rankings, awards, probation, pay, inspections, exports, verify."""

from __future__ import annotations

import datetime as dt

from app import periods
from app.rounding import fixed, percent
from cli import output
from cli.common import acting_user, centre_of, emit, management_view, period_of

RANK_HEADERS = ["名次", "编号", "名称", "平均分", "等级", "巡查次数", "合格率", "扣分合计", "一票否决", "上期名次", "变化"]


def _rank_table_row(r) -> list:
    return [r.rank, r.code, r.name, fixed(r.average_score), r.extra.get("grade", ""), r.inspections, percent(r.pass_rate),
            f"{r.deductions:g}", r.vetoes, r.extra.get("previous_rank") or "", r.extra.get("change", "")]


def cmd_rankings(args) -> int:
    period = period_of(args)
    from app.results.rankings import rank, tie_breaks, unranked
    from app.storage.db import open_database

    open_database(args.db, create=False)
    if args.by == "centre":
        from cli.centres import rank_centres

        return rank_centres(args, period)
    management_view(args)
    from app.results.reports import with_previous_rank

    rows = with_previous_rank(rank(period, args.by, centre_id=centre_of(args)), period, args.by,
                              centre_id=centre_of(args))
    if args.format == "table":
        print(f"{period.label} 排名 (按{ {'window': '窗口', 'staff': '人员', 'department': '部门'}[args.by] })")
    emit(args.format, RANK_HEADERS if args.format == "table" else list(rows[0].as_dict()) if rows else [],
          [_rank_table_row(r) if args.format == "table" else list(r.as_dict().values()) for r in rows],
          [r.as_dict() for r in rows])
    if args.format == "table":
        print(f"排名规则: {tie_breaks(centre_id=centre_of(args))}")
        apart = unranked(period, args.by, centre_id=centre_of(args))
        for why in ("样本不足", "一票否决", "本期未巡查"):
            group = [u for u in apart if u.why == why]
            if group:
                shown = ", ".join(f"{u.code} {u.name}" + (f" ({u.inspections} 次)" if u.inspections else "") for u in group)
                print(f"{why}, 不参加排名 ({len(group)}): {shown}")
    return 0


def cmd_awards(args) -> int:
    period = periods.month(args.month)
    from app.results.rankings import red_flag_windows, smile_stars
    from app.storage.db import open_database

    open_database(args.db, create=False)
    management_view(args)
    stars, flags = smile_stars(period, centre_id=centre_of(args)), red_flag_windows(period, centre_id=centre_of(args))
    objects = [dict(r.as_dict(), award="smile_star") for r in stars] + [dict(r.as_dict(), award="red_flag") for r in flags]
    if args.format == "json":
        print(output.json_text(objects))
        return 0
    if args.format == "csv":
        print(output.csv_text(list(objects[0]) if objects else ["award"], [list(o.values()) for o in objects]))
        return 0
    print(f"{period.label} 微笑之星候选")
    print(output.table(RANK_HEADERS, [_rank_table_row(r) for r in stars]) if stars else "(无)")
    print(f"\n{period.label} 流动红旗窗口")
    print(output.table(RANK_HEADERS, [_rank_table_row(r) for r in flags]) if flags else "(无)")
    return 0


def cmd_probation(args) -> int:
    as_of = periods.day(args.as_of) if args.as_of else dt.date.today()
    from app.results.probation import case_rows, sweep
    from app.storage.db import open_database

    open_database(args.db, create=False)
    management_view(args)
    changed = sweep(as_of, args.acting, centre_id=centre_of(args)) if args.sweep else None  # listing never writes
    statuses = ("open", "recommend_return", "review", "cleared", "returned", "withdrawn") if args.all else ("open", "recommend_return", "review")
    rows = case_rows(as_of, statuses, centre_id=centre_of(args))
    objects = [{
        "id": r.id, "employee_no": r.employee_no, "name": r.name, "window": r.window,
        "employer": r.employer, "opened_on": r.opened_on.isoformat(), "ends_on": r.ends_on.isoformat(),
        "days_left": r.days_left, "rechecks_passed": r.rechecks_passed, "rechecks_failed": r.rechecks_failed,
        "rechecks_required": r.rechecks_required, "status": r.status,
    } for r in rows]
    if args.format == "table":
        due = sum(1 for r in rows if r.status == "open" and r.ends_on < as_of)
        print(f"截至{periods.cn_date(as_of)}: " + (f"本次处理到期案例 {len(changed)} 个" if changed is not None else
              f"到期待处理 {due} 个 (管理员用 --sweep --user 处理)" if due else "没有到期待处理的案例"))
        headers = ["案例", "工号", "姓名", "窗口", "用工单位", "开始", "结束", "剩余天数", "复查合格/不合格/需", "状态"]
        table_rows = [[r.id, r.employee_no, r.name, r.window, r.employer, r.opened_on, r.ends_on, r.days_left,
                       f"{r.rechecks_passed}/{r.rechecks_failed}/{r.rechecks_required}", r.status_label] for r in rows]
        emit("table", headers, table_rows, objects)
    else:
        emit(args.format, list(objects[0]) if objects else ["id"], [list(o.values()) for o in objects], objects)
    return 0


def cmd_inspections(args) -> int:
    period = period_of(args)
    from app.domain import METHODS
    from app.results.listing import finalised_inspections
    from app.storage.db import open_database

    open_database(args.db, create=False)
    viewer = acting_user(args, "inspector") if args.user else None  # an inspector sees their own
    rows = finalised_inspections(period, window_code=args.window, employee_no=args.staff, inspector=viewer,
                                 centre_id=centre_of(args))
    objects = [{
        "uuid": r.uuid, "observed_at": r.observed_at.isoformat(sep=" "), "window": r.window_code,
        "employee_no": r.employee_no, "staff": r.staff_name, "inspector": r.inspector,
        "method": r.method, "score": r.score, "grade": r.grade, "vetoed": r.vetoed,
        "checklist_version": r.checklist_version,
    } for r in rows]
    headers = ["时间", "窗口", "工号", "姓名", "巡查员", "方式", "得分", "等级", "否决", "检查表版本"]
    table_rows = [[r.observed_at.strftime("%Y-%m-%d %H:%M"), r.window_code, r.employee_no, r.staff_name,
                   r.inspector, METHODS[r.method], f"{r.score:g}", r.grade, "是" if r.vetoed else "",
                   r.checklist_version] for r in rows]
    if args.format == "table":
        print(f"{period.label} 巡查记录 {len(rows)} 条")
    emit(args.format, headers, table_rows, objects)
    return 0


def _top_items(items: list[tuple[str, str, int]], shown: int = 3) -> str:
    text = ", ".join(f"{code}×{n}" for code, _, n in items[:shown])
    return text + (f" 等 {len(items)} 项" if len(items) > shown else "")


def cmd_pay(args) -> int:
    period = periods.month(args.month)
    from app.results.pay import failures
    from app.storage.db import open_database

    open_database(args.db, create=False)
    management_view(args)
    rows = failures(period, centre_id=centre_of(args))
    objects = [r.as_dict() for r in rows]
    headers = ["工号", "姓名", "用工单位", "窗口", "不合格次数", "一票否决", "日期", "问题 (次数)"]
    table_rows = [[r.employee_no, r.name, r.employer, r.window, r.failed_inspections, r.vetoes,
                   " ".join(d.strftime("%m-%d") for d in r.dates),
                   _top_items(r.items)] for r in rows]
    if args.format == "table":
        print(f"{period.label} 绩效扣发名单")
    emit(args.format, headers, table_rows, objects)
    return 0


def cmd_export(args) -> int:
    from app.results.listing import require_export
    from exports import jobs

    dates = {}
    if getattr(args, "start", None):
        dates = {"start": periods.day(args.start), "end": periods.day(args.end)}
    if args.kind in ("excel", "ranking-pdf", "district-excel", "district-pdf", "assessment-excel", "assessment-pdf",
                     "certificates-pdf"):
        args.month = args.month or args.quarter or args.year
    if getattr(args, "month", None):
        periods.parse(args.month)  # bad input fails before the database is touched
    since = periods.day(args.since) if getattr(args, "since", None) else None
    from app.storage.db import open_database

    open_database(args.db, create=False)
    if args.kind == "centre-month":
        from app.exchange.centre_package import export_month

        done = export_month(args.out, periods.parse(args.month), acting_user(args, "manager"),
                            centre_id=centre_of(args))
        print(f"已导出报送全区的结果包: {done.inspections} 条巡查记录 ({done.period[0]} 至 {done.period[1]}) → {done.path}")
        return 0
    if args.kind == "results":
        from app.exchange.results_package import export_results

        done = export_results(args.out, since, acting_user(args, "inspector"), centre_id=centre_of(args))
        print(f"已导出结果包: {done.inspections} 条巡查记录 ({done.period[0]} 至 {done.period[1]}), "
              f"{done.item_results} 个检查结果, {done.photos} 张照片 → {done.path}")
        return 0
    # Without --user a script acts as the file's owner; with it, the user's role decides (listing.require_export).
    viewer = acting_user(args, "inspector") if args.user else None
    if args.kind.startswith("district-"):
        from app.centres import district

        if viewer is not None:
            district.require_district_manager(viewer)
    else:
        require_export(args.kind.removesuffix("-pdf"), viewer)  # "ranking-pdf" is the kind "ranking"
    run = {
        "excel": lambda: jobs.monthly_excel(args.out, args.month, centre_id=centre_of(args)),
        "details": lambda: jobs.details_excel(args.out, **dates, user=viewer),
        "ranking-pdf": lambda: jobs.ranking_pdf(args.out, args.month, args.by, centre_id=centre_of(args)),
        "district-excel": lambda: jobs.district_excel(args.out, args.month),
        "district-pdf": lambda: jobs.district_pdf(args.out, args.month),
        "record-pdf": lambda: jobs.record_pdf(args.out, args.inspection, viewer, centre_id=centre_of(args)),
        "notice-pdf": lambda: jobs.notice_pdf(args.out, args.inspection, viewer, centre_id=centre_of(args)),
        "probation-pdf": lambda: jobs.probation_pdf(args.out, args.case, centre_id=centre_of(args)),
        "staff-pdf": lambda: jobs.staff_pdf(args.out, args.staff, **dates),
        "labels-pdf": lambda: jobs.labels_pdf(args.out, args.area, centre_id=centre_of(args)),
        "photos": lambda: jobs.photos(args.out, **dates),
        "assessment-excel": lambda: jobs.assessment_excel(args.out, args.month, args.code, centre_id=centre_of(args)),
        "assessment-pdf": lambda: jobs.assessment_pdf(args.out, args.month, args.code, centre_id=centre_of(args)),
        "certificates-pdf": lambda: jobs.certificates_pdf(args.out, args.month, args.code, args.award,
                                                          centre_id=centre_of(args)),
        "person-year-pdf": lambda: jobs.person_year_pdf(args.out, args.staff, args.year, centre_id=centre_of(args)),
    }[args.kind]
    print(run())
    return 0


def cmd_verify(args) -> int:
    from app.loop.verify import verify
    from app.storage.db import open_database

    open_database(args.db, create=False)
    verdict = verify(args.payload, centre_id=centre_of(args))
    print(("✓ " if verdict.matches else "✗ ") + verdict.message)
    for line in verdict.details:  # what the record says, to hold against the paper
        print(f"  {line}")
    return 0 if verdict.matches else 1
