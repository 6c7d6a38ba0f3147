"""Commands of the loop: rectification items and the holiday calendar their deadlines count."""

from __future__ import annotations

import datetime as dt

from app.errors import PatrolError
from app.loop import approvals
from cli.common import acting_user, centre_of, context, emit, management_view


def cmd_rectifications(args) -> int:
    from app.results import rectification_items
    from app.storage.db import open_database

    open_database(args.db, create=False)
    management_view(args)
    rows = rectification_items.items("overdue" if args.overdue else args.state, centre_id=centre_of(args))
    headers = ["编号", "来源", "问题", "工号", "姓名", "窗口", "开出", "期限", "状态"]
    table = [[r.id, rectification_items.SOURCES.get(r.source, r.source), r.what[:40], r.employee_no, r.staff_name,
              r.window_code, r.opened_on.isoformat(), r.due_on.isoformat(), r.state_label] for r in rows]
    emit(args.format, headers, table, [r.as_dict() for r in rows])
    return 0


def cmd_rectify(args) -> int:
    from app.loop import rectification
    from app.storage.db import open_database
    from app.storage.models import Rectification

    open_database(args.db, create=False)
    from app.centres import wall

    user = acting_user(args, "manager")
    item = wall.fetch(context(args), Rectification, args.id)
    photo = ""
    if args.photo:
        from app.patrolling.evidence import store_photo_file

        photo = store_photo_file(args.photo)
    rectification.rectify(user, item, args.note, photo, centre_id=centre_of(args))
    print(f"整改项 {item.id} 已确认整改")
    return 0


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise PatrolError(f"日期格式错误: {text!r}, 应为 YYYY-MM-DD") from None


def cmd_calendar(args) -> int:
    from app.centres import workdays
    from app.storage.db import open_database

    open_database(args.db, create=False)
    if args.action == "set":
        first = _day(args.first)
        last = _day(args.last) if args.last else first
        changed = workdays.set_days(acting_user(args, "manager"), first, last, args.kind, args.name, args.reason,
                                    centre_id=centre_of(args))
        print(f"已修改 {changed} 天")
        return 0
    year = args.year or dt.date.today().year
    rows = [[d.isoformat(), "一二三四五六日"[d.weekday()], workdays.KINDS[k], n, w]
            for d, k, n, w in workdays.listed(year, centre_id=centre_of(args))]
    emit(args.format, ["日期", "星期", "类别", "名称", "属于"], rows,
         [dict(zip(("day", "weekday", "kind", "name", "whose"), r)) for r in rows])
    return 0


def cmd_appeal(args) -> int:
    from app.centres import wall
    from app.loop import appeals
    from app.storage.db import open_database
    from app.storage.models import Appeal

    open_database(args.db, create=False)
    if args.action == "add":
        from app.patrolling.evidence import store_photo_file

        user = acting_user(args, "manager")
        inspection = wall.inspection(context(args), args.inspection)
        photos = tuple(store_photo_file(p) for p in args.photo or ())
        appeal = appeals.record_appeal(user, inspection, args.items.split(","), args.reason, photos,
                                       centre_id=centre_of(args))
        print(f"已登记申诉 {appeal.id} (申诉期至 {appeals.deadline(inspection).isoformat()}); 复核: appeal decide {appeal.id}")
        return 0
    if args.action == "decide":
        user = acting_user(args, "manager")
        appeal = wall.fetch(context(args), Appeal, args.id)
        appeal = approvals.decide_appeal(user, appeal, bool(args.uphold), args.reason)  # as it now stands
        waiting = appeal.state == "pending" and appeal.decision_reason.startswith("改判待")
        print(f"申诉 {appeal.id}: " + (appeal.decision_reason if waiting else appeals.STATES[appeal.state]))
        return 0
    management_view(args)
    from app import periods

    period = periods.month(args.month) if args.month else None
    rows = appeals.appeals(period.start if period else None, period.end if period else None, args.pending,
                           centre_id=centre_of(args))
    table = [[r.id, r.record, r.window, r.person, r.observed.isoformat(), r.items, r.reason[:30], r.state, r.decision[:30]]
             for r in rows]
    emit(args.format, ["编号", "记录", "窗口", "人员", "日期", "申诉项", "理由", "状态", "复核意见"], table,
         [r.as_dict() for r in rows])
    return 0


def cmd_publish(args) -> int:
    from app import periods
    from app.loop import publishing
    from app.storage.db import open_database

    period = periods.month(args.month)
    open_database(args.db, create=False)
    if args.show:
        status = publishing.status(period, centre_id=centre_of(args))
        print(f"{period.label}排名: {status.label}" + (f" ({status.published_by} {status.published_at:%Y-%m-%d %H:%M})"
                                                      if status.published else ""))
        for why in status.why_not:
            print(f"  {why}")
        if not status.published and status.ready:
            print("  可以发布: publish --month " + args.month)
        return 0
    from app.loop.approvals import publish_or_request, reopen_or_request

    if args.reopen:
        outcome, asked = reopen_or_request(acting_user(args, "manager"), period, args.reason, centre_id=centre_of(args))
        if outcome == "pending":
            print(f"{period.label}排名: 重新开放须另一名管理员批准, 已提交审批 {asked.id} (approvals approve {asked.id})")
        else:
            print(f"{period.label}排名已重新开放 (未定稿): 改正后请再次发布")
        return 0
    outcome, done = publish_or_request(acting_user(args, "manager"), period, args.reason, centre_id=centre_of(args))
    if outcome == "pending":
        print(f"{period.label}排名: 本中心须另一名管理员批准, 已提交审批 {done.id} (approvals approve {done.id})")
        return 0
    print(f"{period.label}排名已定稿发布 ({done.published_by} {done.published_at:%Y-%m-%d %H:%M})")
    return 0


def cmd_approvals(args) -> int:
    from app.storage.db import open_database
    from app.storage.models import Approval

    open_database(args.db, create=False)
    if args.action in ("approve", "reject"):
        from app.centres import wall

        user = acting_user(args, "manager")
        approval = wall.fetch(context(args), Approval, args.id)
        approvals.decide(user, approval, args.action == "approve", args.reason, centre_id=centre_of(args))
        print(f"审批 {approval.id}: {approvals.STATES[approval.state]}")
        return 0
    management_view(args)
    rows = approvals.approvals(args.pending, centre_id=centre_of(args))
    table = [[r.id, r.kind, r.target, r.what, r.requested_by, r.reason[:30], r.state, r.decided_by] for r in rows]
    emit(args.format, ["编号", "类别", "对象", "内容", "申请人", "理由", "状态", "审批人"], table, [r.as_dict() for r in rows])
    return 0
