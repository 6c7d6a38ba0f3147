"""Commands that set a centre up and bring data in: demo, checklists, settings, imports, roster."""

from __future__ import annotations

import datetime as dt
import sys

from app import periods
from app.errors import PatrolError
from app.patrolling import checklist_versions
from cli import output
from cli.common import acting_user, centre_of


def cmd_demo(args) -> int:
    from app.demo.centre import DEMO_PASSWORDS, make_demo
    from app.storage.db import open_database

    period = periods.month(args.month) if args.month else periods.previous_month()
    open_database(args.db)
    if args.if_empty:
        from app.centres.centre import is_empty

        if not is_empty():
            print("数据库已有数据, 未生成演示中心")
            return 0

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r生成巡查记录 {done}/{total}", end="", file=sys.stderr, flush=True)

    if args.district:
        from app.demo.district import PASSWORDS, make_demo_district

        summary = make_demo_district(args.seed, period, with_inspections=not args.no_inspections, progress=progress)
    else:
        summary = make_demo(args.seed, period, with_inspections=not args.no_inspections, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(("演示全区已生成: 5 个中心, " if args.district else "演示中心已生成: ") + f"{summary.areas} 个区域, {summary.windows} 个窗口, {summary.staff} 名工作人员, {summary.users} 个账号")
    if summary.period:
        print(f"{summary.period.label}巡查记录 {summary.inspections} 条, 其中不合格 {summary.failed} 条, 考察案例 {summary.probation_cases} 个")
    print("账号: " + ", ".join(f"{u} / {p}" for u, p in (PASSWORDS if args.district else DEMO_PASSWORDS).items()))
    return 0


def cmd_checklists(args) -> int:
    from app.patrolling import checklists

    if args.action == "validate":
        defs = checklists.load_files(args.files) if args.files else checklists.load_directory()
        for d in defs:
            print(f"{d.code} {d.name}: {len(d.categories)} 个分类, {len(d.items)} 个检查项, 校验通过")
        return 0
    from app.storage.db import open_database

    if args.action == "export":
        from app.storage.models import Checklist, ChecklistVersion
        from exports.checklist_xlsx import checklist_workbook

        open_database(args.db, create=False)
        query = ChecklistVersion.select().join(Checklist).where(Checklist.code == args.checklist)
        if args.version:
            query = query.where(ChecklistVersion.version == args.version)
        version = query.order_by(ChecklistVersion.version.desc()).first()
        if version is None:
            raise PatrolError(f"没有检查表 {args.checklist}" + (f" 第 {args.version} 版" if args.version else ""))
        count = checklist_workbook(args.out, version)
        print(f"已导出 {args.checklist} 第 {version.version} 版: {count} 个检查项 → {args.out}")
        return 0
    if args.action == "import":
        from app.patrolling.checklist_rows import rows_to_checklist
        from exports.table_reader import read_table

        definition = rows_to_checklist(args.file.name, read_table(args.file))
        open_database(args.db, create=False)
        (version, created), = checklist_versions.register([definition], source=args.file.name, user=acting_user(args, "manager"),
                                                  reason=args.reason)
        state = "已载入为新版本" if created else "内容未变化, 沿用"
        print(f"{version.checklist.code} 第 {version.version} 版 ({len(definition.items)} 个检查项): {state}")
        return 0
    if args.action == "load":
        defs = checklists.load_files(args.files) if args.files else checklists.load_directory()
        open_database(args.db)
        user = acting_user(args, "manager")
        for version, created in checklist_versions.register(defs, source=", ".join(map(str, args.files)) or "checklists/", user=user,
                                                    reason=args.reason):
            state = "已载入为新版本" if created else "内容未变化, 沿用"
            print(f"{version.checklist.code} 第 {version.version} 版: {state}")
        return 0
    if args.action in ("extend", "adopt"):
        from app.patrolling import centre_checklists

        open_database(args.db, create=False)
        user = acting_user(args, "manager")
        if args.action == "adopt":
            changed = centre_checklists.adopt(args.code, user, args.reason, centre_id=centre_of(args))
            print(f"本中心巡查使用 {args.code}" + ("" if changed else " (未变化)"))
            return 0
        if len(args.files) == 1 and args.files[0].suffix.lower() != ".toml":
            from app.patrolling.checklist_rows import rows_to_checklist
            from exports.table_reader import read_table

            defs = [rows_to_checklist(args.files[0].name, read_table(args.files[0]))]
        else:
            defs = checklists.load_files(args.files)
        version, created = centre_checklists.extend(defs, user, args.reason, source=", ".join(f.name for f in args.files), centre_id=centre_of(args))
        state = "已载入为新版本" if created else "内容未变化, 沿用"
        print(f"{version.checklist.code} 第 {version.version} 版 ({version.checklist.name}; 在区级 "
              f"{version.base_version.checklist.code} 第 {version.base_version.version} 版上扩展): {state}; 本中心按此巡查")
        return 0
    open_database(args.db, create=False)
    from app.patrolling.centre_checklists import checklist_rows, in_use

    using = in_use(centre_id=centre_of(args))
    rows = [[code, name, whose, version, "是" if code == using else ""] for code, name, whose, version in checklist_rows(centre_id=centre_of(args))]
    print(output.table(["检查表", "名称", "归属", "最新版本", "本中心使用"], rows) if rows else "(无检查表)")
    return 0


def cmd_settings(args) -> int:
    from dataclasses import fields

    from app.centres.settings import (
        RULE_FIELDS,
        CentreSettings,
        format_value,
        load_settings,
        next_month_start,
        parse_value,
        rule_schedule,
    )
    from app.domain import SETTING_LABELS as LABELS
    from app.periods import cn_date
    from app.periods import month as parse_month
    from app.storage.db import open_database

    value = parse_value(args.key, args.value) if args.action == "set" else None
    effective_from = parse_month(args.effective_from).start if getattr(args, "effective_from", None) else None
    open_database(args.db, create=args.action == "set")
    if args.action == "set":
        from app.results import rule_changes

        user = acting_user(args, "manager")
        today = dt.date.today()
        # Edit the rules as they will stand from the change's day, so a change already scheduled is kept.
        settings = load_settings(effective_from or next_month_start(today), centre_id=centre_of(args))
        setattr(settings, args.key, value)
        if args.key in RULE_FIELDS:
            # A preview is of the month asked for (--from), else of this month.
            effect = rule_changes.preview(settings, effective_from if (args.regrade or args.preview) and effective_from
                                          else today, centre_id=centre_of(args))
            if args.preview or not args.regrade:
                print(f"若新规则从{cn_date(effect.start)}起执行并重新评定: {effect.summary()}")
                shown = effect.changes if args.all else effect.changes[:20]
                for c in shown:
                    print(f"  {c.record_no} {c.window} {c.staff} {c.observed_at:%m-%d %H:%M} "
                          f"{c.old_score:g} {c.old_grade} → {c.new_score:g} {c.new_grade}")
                if len(effect.changes) > len(shown):
                    print(f"  … 另有 {len(effect.changes) - len(shown)} 条 (加 --all 列出全部)")
        if args.preview:
            return 0
        if args.key not in RULE_FIELDS:
            from app.loop import approvals

            state, asked = approvals.save_settings_or_request(user, settings, args.reason, centre_id=centre_of(args))
            if state == "pending":
                print(f"关闭双人审批须另一名管理员批准: 已提交审批 {asked.id} (approvals approve {asked.id} "
                      "--user 另一名管理员)")
                return 0
            print(f"已修改 {LABELS[args.key]} ({args.key}) = {format_value(args.key, value)}")
            return 0
        start = effective_from or (effect.start if args.regrade and args.key in RULE_FIELDS else None)
        outcome = rule_changes.change_settings(settings, user, args.reason, start, regrade=args.regrade,
                                               centre_id=centre_of(args))
        print(f"已修改 {LABELS[args.key]} ({args.key}) = {format_value(args.key, value)}")
        if outcome.effective_from is not None:
            print(f"自{cn_date(outcome.effective_from)}起执行"
                  + ("" if outcome.regraded else "; 之前的巡查仍按原规则评定 (要本月起执行, 加 --regrade)"))
        if outcome.regraded is not None:
            print("已重新评定: " + outcome.regraded.summary())
        return 0
    if args.action == "push":
        from app.centres import district

        codes = [c.strip().upper() for c in args.centres.split(",") if c.strip()] if args.centres else None
        changed = district.push_settings(acting_user(args, "manager"), args.keys, codes, args.reason, effective_from)
        for code, names in changed.items():
            print(f"{code}: " + "、".join(LABELS[n] for n in names))
        print(f"已推行到 {len(changed)} 个中心" if changed else "各中心已与区中心一致, 未作修改")
        return 0
    settings = load_settings(centre_id=centre_of(args))
    rows = [[f.name, LABELS[f.name], format_value(f.name, getattr(settings, f.name))] for f in fields(CentreSettings)]

    if centre_of(args) is None:  # the district's view: the district centre's values, and who differs
        from app.centres import district

        spread = {s.name: s for s in district.settings_spread()}
        rows = [r + ["、".join(spread[r[0]].differing)] for r in rows]
        print("全区视图: 区中心的设置 (新建的中心沿用; settings push 推行到各中心)")
        print(output.table(["设置项", "说明", "当前值", "下月起与之不同的中心"], rows))
    else:
        print(output.table(["设置项", "说明", "当前值"], rows))
    later = [r for r in rule_schedule(centre_id=centre_of(args)) if r.effective_from > dt.date.today()]
    for r in later:
        changed = [f"{LABELS[k]} = {format_value(k, getattr(r.settings, k))}" for k in RULE_FIELDS
                   if format_value(k, getattr(r.settings, k)) != format_value(k, getattr(settings, k))]
        print(f"自{cn_date(r.effective_from)}起执行: " + ("; ".join(changed) or "(与现行相同)")
              + f" ({r.created_by}: {r.reason})")
    return 0


def cmd_import(args) -> int:
    from app.storage.db import open_database

    open_database(args.db, create=False)
    if args.kind == "update":  # signed by the office for this laptop: no sign-in needed to apply it
        from app.exchange.laptop_update import apply_update, update_state

        print(apply_update(args.file).summary())
        print(update_state().describe())
        return 0
    user = acting_user(args, "manager") if args.kind == "results" or getattr(args, "apply", False) else None
    if args.kind == "ratings":
        from cli.assessment import cmd_import_ratings

        return cmd_import_ratings(args, user)
    if args.kind == "results":
        from app.exchange.results_import import import_package
        from app.exchange.round_trip import import_and_update

        for path in args.files:
            if args.update:
                trip = import_and_update(user, path, dt.date.today(), args.update_out, centre_id=centre_of(args))
                summary = trip.imported
            else:
                trip, summary = None, import_package(path, user, centre_id=centre_of(args))
            print(summary.line())
            for line in summary.conflict_details:
                print(f"  冲突: {line} (两个版本都已保留)")
            if trip is not None and trip.update is not None:
                w = trip.update
                print(f"  已写出 {w.device} ({w.key_id}) 的第 {w.number} 号更新 → {w.path}; 带回笔记本: main.py import update")
        return 0
    return cmd_import_roster(args, user)


def cmd_import_roster(args, user) -> int:
    from app.people.roster_import import apply_roster, plan_roster
    from exports.table_reader import read_table

    plan = plan_roster(args.file.name, read_table(args.file), centre_id=centre_of(args))
    labels = {"new": "新增", "updated": "修改", "unlisted": "不再列出"}
    for note in plan.notes:
        print(f"说明: {note}")
    for c in plan.changes:
        print(f"{labels[c.kind]} {c.what} {c.key} {c.label}" + (f"  ({c.details})" if c.details else ""))
    print(plan.summary())
    if plan.mass_unlisting:
        print(f"警告: {plan.mass_unlisting}")
    if args.apply:
        apply_roster(plan, user, args.reason, confirm_unlisted=args.confirm_unlisted)
        print("已写入数据库")
    else:
        print("以上为预览, 未做修改; 确认无误后加 --apply 写入")
    return 0


def cmd_roster(args) -> int:
    from exports.roster_template import roster_template

    roster_template(args.out)
    print(f"已生成名单模板 → {args.out}")
    return 0
