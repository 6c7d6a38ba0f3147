"""A manager's commands on finalised data and the database: amend, decide, conflicts, backup, restore, audit."""

from __future__ import annotations

from app.errors import PatrolError
from app.exchange import restore
from cli.common import acting_user, centre_of, context, emit, management_view


def cmd_conflicts(args) -> int:
    from app.exchange import conflicts
    from app.storage.db import open_database

    open_database(args.db, create=False)
    if args.action == "resolve":
        from app.centres import wall
        from app.storage.models import InspectionHistory

        user = acting_user(args, "manager")
        wall.fetch(context(args), InspectionHistory, args.id, "导入冲突")
        insp = conflicts.resolve(args.id, user, args.take_incoming, args.reason,
                                 centre_id=centre_of(args))
        print(f"冲突 {args.id} 已处理: " + ("采用导入的版本" if args.take_incoming else "保留现有版本")
              + f"; {insp.window.code} 现为第 {insp.revision} 版, {insp.score:g} 分 {insp.grade}")
        return 0
    management_view(args)
    found = conflicts.open_conflicts()
    rows = [[c.id, c.window, c.staff, c.observed_at.strftime("%Y-%m-%d %H:%M"), c.revision, c.source,
             f"{c.current_score:g} {c.current_grade}", f"{c.incoming_score:g} {c.incoming_grade}",
             "; ".join(f"{d.code} {d.current or '—'}→{d.incoming or '—'}" for d in c.differences)] for c in found]
    emit(args.format, ["编号", "窗口", "工号", "巡查时间", "版本", "来自", "现有", "导入", "不同之处 (现有→导入)"], rows,
          [{"id": c.id, "uuid": c.uuid, "window": c.window, "staff": c.staff, "observed_at": c.observed_at.isoformat(),
            "revision": c.revision, "source": c.source, "current": [c.current_score, c.current_grade],
            "incoming": [c.incoming_score, c.incoming_grade],
            "differences": [[d.code, d.current, d.incoming] for d in c.differences]} for c in found])
    return 0


def cmd_amend(args) -> int:
    from app.storage.db import open_database

    changes = {}
    for pair in args.set:
        code, _, result = pair.partition("=")
        if not code or result not in ("pass", "fail", "na"):
            raise PatrolError(f"--set 的格式应为 编号=pass|fail|na, 不是 {pair!r}")
        changes[code.strip().upper()] = result
    open_database(args.db, create=False)
    user = acting_user(args, "manager")
    from app.centres import wall
    from app.loop.approvals import amend_or_request

    insp = wall.inspection(context(args), args.inspection)

    outcome, what = amend_or_request(user, insp, changes, args.reason)
    if outcome == "pending":
        print(f"该修改会改变结论, 本中心须另一名管理员批准: 已提交审批 {what.id} (approvals approve {what.id})")
        return 0
    if outcome == "held":
        print(f"该记录所在的一期已定稿发布: 修改已登记为审批 {what.id} (待重新开放后生效), 记录暂不改动; "
              f"重新开放该期 (publish --month … --reopen) 后自动生效")
        return 0
    print(f"已修改巡查记录 {insp.uuid} (第 {insp.revision} 版): 得分 {what.score:g}, {what.grade}")
    return 0


def cmd_decide(args) -> int:
    from app.centres import wall
    from app.results import probation
    from app.storage.db import open_database
    from app.storage.models import ProbationCase

    open_database(args.db, create=False)
    user = acting_user(args, "manager")
    case = wall.fetch(context(args), ProbationCase, args.case)
    (probation.confirm_return if args.confirm else probation.clear_case)(case, user, args.reason)
    print(f"考察案例 {case.id}: {'已确认退回劳务公司' if args.confirm else '已解除'}")
    return 0


def cmd_backup(args) -> int:
    from app.storage import backup
    from app.storage.db import open_database

    open_database(args.db, create=False)
    path = backup.backup_now(args.out, acting_user(args, "manager"))
    print(f"已备份 → {path}")
    for n, p in enumerate(backup.backups(args.out)[:5]):
        print(f"  {p.name}  {p.stat().st_size / 2**20:.1f} MB")
    return 0


def cmd_restore(args) -> int:
    from app.storage import backup
    from app.storage.db import open_database

    backup.check_backup(args.file)  # before touching the database at all
    open_database(args.db, create=False)
    done = restore.restore(args.file, acting_user(args, "manager"), centre_id=centre_of(args))
    print(f"已从 {done.checked.path.name} 恢复 ({done.checked.inspections} 条巡查记录); 恢复前的数据库已保存为 {done.safety}")
    if done.package:
        print(f"备份中没有的 {done.inspections} 条巡查记录已写入 {done.package} (可用 import results 重新导入)")
    if done.decisions or done.audit_entries:
        print(f"备份之后的 {done.decisions} 条考察记录和 {done.audit_entries} 条审计记录已保存在本次恢复的审计记录中")
    return 0


def cmd_audit(args) -> int:
    from app import audit
    from app.storage.db import open_database

    open_database(args.db, create=False)
    user = acting_user(args, "manager")
    rows = audit.entries(window_code=args.window, employee_no=args.staff, username=args.by, viewer=user)
    if args.out:
        from exports.excel import audit_workbook

        count = audit_workbook(args.out, "审计记录", rows)
        print(f"已导出 {count} 条审计记录 → {args.out}")
        return 0
    objects = [{"at": r.at.isoformat(sep=" ", timespec="seconds"), "user": r.username, "action": r.action,
                "target": r.target, "window": r.window_code, "employee_no": r.employee_no, "old": r.old, "new": r.new,
                "reason": r.reason} for r in rows]
    table_rows = [[r.at.strftime("%Y-%m-%d %H:%M"), r.username, r.action_label, r.target, r.window_code, r.employee_no,
                   r.reason] for r in rows]
    emit(args.format, ["时间", "用户", "操作", "对象", "窗口", "工号", "理由"] if args.format == "table" else
          list(objects[0]) if objects else ["at"], table_rows if args.format == "table" else
          [list(o.values()) for o in objects], objects)
    return 0
