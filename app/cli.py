"""Command line of Window Patrol: scripted work for managers and for tests.

Every sub-command takes --db PATH-or-URL (or WINDOW_PATROL_DB). Bad input prints one line on stderr
and exits with 2, having written nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from app import output, periods
from app.errors import PatrolError

EXIT_BAD_INPUT = 2


def _db_parent() -> argparse.ArgumentParser:
    parent = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a sub-command's own --db default must not hide one given before the sub-command.
    parent.add_argument("--db", metavar="PATH-or-URL", default=argparse.SUPPRESS,
                        help="SQLite 文件路径或 postgresql:// 地址 (默认: 环境变量 WINDOW_PATROL_DB 或用户数据目录)")
    parent.add_argument("--user", metavar="NAME", default=argparse.SUPPRESS,
                        help="以该用户身份执行写操作; 密码取自环境变量 WINDOW_PATROL_PASSWORD, 否则在终端询问")
    return parent


PASSWORD_ENV = "WINDOW_PATROL_PASSWORD"


def acting_user(args, role: str):
    """The signed-in user a write command acts as, with the role it needs (enforced in the core too)."""
    import getpass
    import os

    from app.accounts import authenticate, require_role

    if not args.user:
        raise PatrolError(f"此命令会修改数据, 需要 --user 用户名 ({'管理员' if role == 'manager' else '巡查员或管理员'})")
    password = os.environ.get(PASSWORD_ENV)
    if password is None:
        if not sys.stdin.isatty():
            raise PatrolError(f"需要 {args.user} 的密码: 请在终端运行, 或设置环境变量 {PASSWORD_ENV}")
        password = getpass.getpass(f"{args.user} 的密码: ")
    user = authenticate(args.user, password)
    require_role(user, role)
    return user


def management_view(args) -> None:
    """Rankings, awards, pay lists and probation cases are management's: with --user, a manager only.
    (Without --user a script reads as the database file's owner.)"""
    if args.user:
        acting_user(args, "manager")


def _format_arg(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=output.FORMATS, default="table", help="输出格式 (默认 table)")


def build_parser() -> argparse.ArgumentParser:
    db = _db_parent()
    parser = argparse.ArgumentParser(
        prog="main.py", parents=[db],
        description="窗口巡查 Window Patrol — 政务服务中心窗口巡查工具。不带参数运行时打开桌面程序。",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = sub.add_parser("demo", parents=[db], help="在空数据库中生成演示中心")
    demo.add_argument("--seed", type=int, default=1, help="随机种子, 相同种子生成相同数据 (默认 1)")
    demo.add_argument("--month", help="巡查记录所在月份 YYYY-MM (默认上个月)")
    demo.add_argument("--no-inspections", action="store_true", help="只生成中心、人员、账号和检查表, 不生成巡查记录")
    demo.add_argument("--if-empty", action="store_true", help="数据库已有数据时不做任何事 (正常退出)")

    cl = sub.add_parser("checklists", parents=[db], help="检查表: 校验、载入、列出")
    cl_sub = cl.add_subparsers(dest="action", metavar="ACTION", required=True)
    validate = cl_sub.add_parser("validate", parents=[db], help="校验检查表文件 (默认: 随程序发布的检查表)")
    validate.add_argument("files", nargs="*", type=Path, metavar="FILE")
    load = cl_sub.add_parser("load", parents=[db], help="载入检查表文件; 内容有变化时成为新版本")
    load.add_argument("files", nargs="*", type=Path, metavar="FILE")
    load.add_argument("--reason", default="", help="内容有变化时必须填写: 为什么改 (记入审计记录)")
    cl_sub.add_parser("list", parents=[db], help="列出数据库中的检查表及其版本")
    cl_export = cl_sub.add_parser("export", parents=[db], help="把检查表的一个版本导出为 Excel (每个检查项一行)")
    cl_export.add_argument("--checklist", default="WINDOW", metavar="CODE")
    cl_export.add_argument("--version", type=int, metavar="N", help="版本号 (默认最新)")
    cl_export.add_argument("--out", required=True, type=Path, metavar="FILE.xlsx")
    cl_import = cl_sub.add_parser("import", parents=[db], help="导入修改后的检查表工作簿; 内容有变化时成为新版本")
    cl_import.add_argument("file", type=Path, metavar="FILE.xlsx")
    cl_import.add_argument("--reason", default="", help="内容有变化时必须填写: 为什么改 (记入审计记录)")

    st = sub.add_parser("settings", parents=[db], help="查看或修改中心设置 (等级、考察期、微笑之星等)")
    st_sub = st.add_subparsers(dest="action", metavar="ACTION", required=True)
    st_sub.add_parser("show", parents=[db], help="列出全部设置")
    st_set = st_sub.add_parser("set", parents=[db], help="修改一项设置")
    st_set.add_argument("key")
    st_set.add_argument("value")
    st_set.add_argument("--reason", required=True, help="为什么改 (记入审计记录)")

    rk = sub.add_parser("rankings", parents=[db], help="月度 / 季度 / 年度排名")
    period = rk.add_mutually_exclusive_group(required=True)
    period.add_argument("--month", help="YYYY-MM")
    period.add_argument("--quarter", help="YYYY-Qn")
    period.add_argument("--year", help="YYYY")
    rk.add_argument("--by", choices=("window", "staff", "department"), default="window", help="排名对象 (默认 window)")
    _format_arg(rk)

    aw = sub.add_parser("awards", parents=[db], help="微笑之星候选名单和流动红旗窗口")
    aw.add_argument("--month", required=True, help="YYYY-MM")
    _format_arg(aw)

    pr = sub.add_parser("probation", parents=[db], help="处理到期的考察期并列出考察案例")
    pr.add_argument("--as-of", help="以该日期为准 YYYY-MM-DD (默认今天)")
    pr.add_argument("--all", action="store_true", help="也列出已解除和已退回的案例")
    _format_arg(pr)

    ins = sub.add_parser("inspections", parents=[db], help="列出某段时间的已定稿巡查记录")
    ins_period = ins.add_mutually_exclusive_group(required=True)
    ins_period.add_argument("--month", help="YYYY-MM")
    ins_period.add_argument("--quarter", help="YYYY-Qn")
    ins_period.add_argument("--year", help="YYYY")
    ins.add_argument("--window", metavar="CODE", help="只列出该窗口")
    ins.add_argument("--staff", metavar="EMPLOYEE_NO", help="只列出该工号的人员")
    _format_arg(ins)

    ex = sub.add_parser("export", parents=[db], help="导出 Excel 工作簿、PDF 报表、窗口标签和照片")
    ex_sub = ex.add_subparsers(dest="kind", metavar="KIND", required=True)

    def export_parser(name: str, help_text: str) -> argparse.ArgumentParser:
        p = ex_sub.add_parser(name, parents=[db], help=help_text)
        p.add_argument("--out", required=True, type=Path, metavar="FILE", help="输出文件")
        return p

    export_parser("excel", "月度工作簿 (排名、考察期、微笑之星、流动红旗、绩效扣发名单、图表)").add_argument(
        "--month", required=True, help="YYYY-MM")
    for name, text in (("details", "巡查明细工作簿 (每次巡查一行, 不合格项另表)"), ("photos", "现场照片 zip, 按窗口和日期分文件夹")):
        p = export_parser(name, text)
        p.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        p.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
    p = export_parser("ranking-pdf", "月度排名表 PDF")
    p.add_argument("--month", required=True, help="YYYY-MM")
    p.add_argument("--by", choices=("window", "staff", "department"), default="window")
    for name, text in (("record-pdf", "巡查记录表 PDF"), ("notice-pdf", "整改通知单 PDF")):
        export_parser(name, text).add_argument("--inspection", required=True, metavar="ID", help="巡查记录编号或 UUID")
    export_parser("probation-pdf", "考察期通知书 PDF").add_argument("--case", required=True, type=int, metavar="ID")
    p = export_parser("staff-pdf", "个人巡查记录 PDF")
    p.add_argument("--staff", required=True, metavar="EMPLOYEE_NO")
    p.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
    p.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
    export_parser("labels-pdf", "窗口二维码标签 (A4, 每页 3×8)").add_argument("--area", metavar="CODE", help="只打印该区域")
    export_parser("results", "结果包 (.wpr): 上次导出以来的已定稿巡查记录, 交给管理员导入").add_argument(
        "--since", metavar="YYYY-MM-DD", help="改为导出该日期以来的全部已定稿记录")

    im = sub.add_parser("import", parents=[db], help="导入结果包或人员名单")
    im_sub = im.add_subparsers(dest="kind", metavar="KIND", required=True)
    im_results = im_sub.add_parser("results", parents=[db], help="导入一个或多个结果包; 重复导入不会产生重复记录")
    im_results.add_argument("files", nargs="+", type=Path, metavar="FILE")
    im_roster = im_sub.add_parser("roster", parents=[db], help="从 Excel 人员/窗口名单导入: 默认只预览, 加 --apply 才写入")
    im_roster.add_argument("file", type=Path, metavar="FILE.xlsx")
    im_roster.add_argument("--apply", action="store_true", help="确认写入 (否则只列出将要发生的变化)")
    im_roster.add_argument("--reason", default="", help="写入时必须填写: 为什么更新名单 (记入审计记录)")

    rs = sub.add_parser("roster", parents=[db], help="人员名单模板")
    rs_sub = rs.add_subparsers(dest="action", metavar="ACTION", required=True)
    rs_sub.add_parser("template", parents=[db], help="生成名单模板工作簿").add_argument(
        "--out", required=True, type=Path, metavar="FILE.xlsx")

    am = sub.add_parser("amend", parents=[db], help="管理员修改已定稿的巡查记录 (必须填写理由, 留有记录)")
    am.add_argument("--inspection", required=True, metavar="ID-or-UUID")
    am.add_argument("--set", required=True, nargs="+", metavar="CODE=RESULT", help="例如 DISC-07=fail (pass/fail/na)")
    am.add_argument("--reason", required=True)

    dc = sub.add_parser("decide", parents=[db], help="管理员处理考察案例: 确认退回或解除 (必须填写理由)")
    dc.add_argument("--case", required=True, type=int, metavar="ID")
    choice = dc.add_mutually_exclusive_group(required=True)
    choice.add_argument("--return", dest="confirm", action="store_true", help="确认退回劳务公司")
    choice.add_argument("--clear", action="store_true", help="解除考察")
    dc.add_argument("--reason", required=True)

    bk = sub.add_parser("backup", parents=[db], help="立即备份数据库 (SQLite 在线备份), 并列出已有备份")
    bk.add_argument("--out", type=Path, metavar="DIR", help="备份到该文件夹 (默认: 数据库旁的 *_backups 文件夹)")
    rt = sub.add_parser("restore", parents=[db], help="从备份恢复: 先检查备份文件, 并先备份当前数据库")
    rt.add_argument("file", type=Path, metavar="FILE")

    cf = sub.add_parser("conflicts", parents=[db], help="导入冲突: 列出待处理的, 或由管理员处理 (必须填写理由)")
    cf_sub = cf.add_subparsers(dest="action", metavar="ACTION", required=True)
    _format_arg(cf_sub.add_parser("list", parents=[db], help="列出待处理的冲突及其不同之处"))
    cf_res = cf_sub.add_parser("resolve", parents=[db], help="处理一个冲突: 采用导入的版本, 或保留现有版本")
    cf_res.add_argument("id", type=int, metavar="ID", help="冲突编号 (conflicts list 列出)")
    side = cf_res.add_mutually_exclusive_group(required=True)
    side.add_argument("--take-incoming", action="store_true", help="采用导入的版本 (成为新的版本号)")
    side.add_argument("--keep-current", action="store_true", help="保留现有版本")
    cf_res.add_argument("--reason", required=True)

    au = sub.add_parser("audit", parents=[db], help="审计记录: 谁在何时改了什么、为什么 (可按窗口、人员、用户筛选, 可导出 Excel)")
    au.add_argument("--window", metavar="CODE")
    au.add_argument("--staff", metavar="EMPLOYEE_NO")
    au.add_argument("--by", metavar="USERNAME", help="只看该用户的操作")
    au.add_argument("--out", type=Path, metavar="FILE.xlsx", help="导出为 Excel")
    _format_arg(au)

    vf = sub.add_parser("verify", parents=[db], help="核验纸质报表上的二维码内容是否与数据库一致")
    vf.add_argument("payload", metavar="PAYLOAD")

    selftest = sub.add_parser("selftest", help="在临时演示数据库上离屏启动程序并渲染每个界面, 检查安装是否完好")
    selftest.add_argument("--keep", metavar="DIR", help="把临时数据库和截图留在该文件夹")

    pay = sub.add_parser("pay", parents=[db], help="绩效扣发名单: 某月巡查不合格的人员、次数和问题")
    pay.add_argument("--month", required=True, help="YYYY-MM")
    _format_arg(pay)
    return parser


def _period(args) -> periods.Period:
    if getattr(args, "quarter", None):
        return periods.quarter(args.quarter)
    if getattr(args, "year", None):
        return periods.year(args.year)
    return periods.month(args.month)


def _emit(fmt: str, headers: Sequence[str], rows: list[list], objects: list[dict]) -> None:
    if fmt == "json":
        print(output.json_text(objects))
    elif fmt == "csv":
        print(output.csv_text(headers, rows))
    else:
        print(output.table(headers, rows) if rows else "(无记录)")


def cmd_conflicts(args) -> int:
    from app import conflicts
    from app.db import open_database

    open_database(args.db, create=False)
    if args.action == "resolve":
        insp = conflicts.resolve(args.id, acting_user(args, "manager"), args.take_incoming, args.reason)
        print(f"冲突 {args.id} 已处理: " + ("采用导入的版本" if args.take_incoming else "保留现有版本")
              + f"; {insp.window.code} 现为第 {insp.revision} 版, {insp.score:g} 分 {insp.grade}")
        return 0
    management_view(args)
    found = conflicts.open_conflicts()
    rows = [[c.id, c.window, c.staff, c.observed_at.strftime("%Y-%m-%d %H:%M"), c.revision, c.source,
             f"{c.current_score:g} {c.current_grade}", f"{c.incoming_score:g} {c.incoming_grade}",
             "; ".join(f"{d.code} {d.current or '—'}→{d.incoming or '—'}" for d in c.differences)] for c in found]
    _emit(args.format, ["编号", "窗口", "工号", "巡查时间", "版本", "来自", "现有", "导入", "不同之处 (现有→导入)"], rows,
          [{"id": c.id, "uuid": c.uuid, "window": c.window, "staff": c.staff, "observed_at": c.observed_at.isoformat(),
            "revision": c.revision, "source": c.source, "current": [c.current_score, c.current_grade],
            "incoming": [c.incoming_score, c.incoming_grade],
            "differences": [[d.code, d.current, d.incoming] for d in c.differences]} for c in found])
    return 0


def cmd_demo(args) -> int:
    from app.db import open_database
    from app.demo import DEMO_PASSWORDS, make_demo

    period = periods.month(args.month) if args.month else periods.previous_month()
    open_database(args.db)
    if args.if_empty:
        from app.centre import is_empty

        if not is_empty():
            print("数据库已有数据, 未生成演示中心")
            return 0

    def progress(done: int, total: int) -> None:
        if sys.stderr.isatty():
            print(f"\r生成巡查记录 {done}/{total}", end="", file=sys.stderr, flush=True)

    summary = make_demo(args.seed, period, with_inspections=not args.no_inspections, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    print(f"演示中心已生成: {summary.areas} 个区域, {summary.windows} 个窗口, {summary.staff} 名工作人员, {summary.users} 个账号")
    if summary.period:
        print(f"{summary.period.label}巡查记录 {summary.inspections} 条, 其中不合格 {summary.failed} 条, 考察案例 {summary.probation_cases} 个")
    print("账号: " + ", ".join(f"{u} / {p}" for u, p in DEMO_PASSWORDS.items()))
    return 0


def cmd_checklists(args) -> int:
    from app import checklists

    if args.action == "validate":
        defs = checklists.load_files(args.files) if args.files else checklists.load_directory()
        for d in defs:
            print(f"{d.code} {d.name}: {len(d.categories)} 个分类, {len(d.items)} 个检查项, 校验通过")
        return 0
    from app.db import open_database

    if args.action == "export":
        from app.models import Checklist, ChecklistVersion
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
        from app.checklist_rows import rows_to_checklist
        from exports.xlsx_reader import read_workbook

        definition = rows_to_checklist(args.file.name, read_workbook(args.file))
        open_database(args.db, create=False)
        (version, created), = checklists.register([definition], source=args.file.name, user=acting_user(args, "manager"),
                                                  reason=args.reason)
        state = "已载入为新版本" if created else "内容未变化, 沿用"
        print(f"{version.checklist.code} 第 {version.version} 版 ({len(definition.items)} 个检查项): {state}")
        return 0
    if args.action == "load":
        defs = checklists.load_files(args.files) if args.files else checklists.load_directory()
        open_database(args.db)
        user = acting_user(args, "manager")
        for version, created in checklists.register(defs, source=", ".join(map(str, args.files)) or "checklists/", user=user,
                                                    reason=args.reason):
            state = "已载入为新版本" if created else "内容未变化, 沿用"
            print(f"{version.checklist.code} 第 {version.version} 版: {state}")
        return 0
    open_database(args.db, create=False)
    from app.models import ChecklistVersion, Item

    rows = []
    for v in ChecklistVersion.select().order_by(ChecklistVersion.checklist, ChecklistVersion.version):
        rows.append([v.checklist.code, v.checklist.name, v.version, Item.select().where(Item.version == v).count(),
                     v.loaded_at.strftime("%Y-%m-%d %H:%M"), v.content_hash[:12]])
    print(output.table(["检查表", "名称", "版本", "检查项", "载入时间", "内容摘要"], rows) if rows else "(无检查表)")
    return 0


def cmd_settings(args) -> int:
    from dataclasses import fields

    from app.db import open_database
    from app.settings import LABELS, CentreSettings, format_value, load_settings, parse_value, save_settings

    value = parse_value(args.key, args.value) if args.action == "set" else None
    open_database(args.db, create=args.action == "set")
    settings = load_settings()
    if args.action == "set":
        user = acting_user(args, "manager")
        setattr(settings, args.key, value)
        save_settings(settings, user, args.reason)
        print(f"已修改 {LABELS[args.key]} ({args.key}) = {format_value(args.key, value)}")
        return 0
    rows = [[f.name, LABELS[f.name], format_value(f.name, getattr(settings, f.name))] for f in fields(CentreSettings)]
    print(output.table(["设置项", "说明", "当前值"], rows))
    return 0


RANK_HEADERS = ["名次", "编号", "名称", "平均分", "巡查次数", "合格率", "扣分合计", "一票否决"]


def _rank_table_row(r) -> list:
    return [r.rank, r.code, r.name, f"{r.average_score:.2f}", r.inspections, f"{r.pass_rate:.1%}",
            f"{r.deductions:g}", r.vetoes]


def cmd_rankings(args) -> int:
    period = _period(args)
    from app.db import open_database
    from app.rankings import rank

    open_database(args.db, create=False)
    management_view(args)
    rows = rank(period, args.by)
    if args.format == "table":
        print(f"{period.label} 排名 (按{ {'window': '窗口', 'staff': '人员', 'department': '部门'}[args.by] })")
    _emit(args.format, RANK_HEADERS if args.format == "table" else list(rows[0].as_dict()) if rows else [],
          [_rank_table_row(r) if args.format == "table" else list(r.as_dict().values()) for r in rows],
          [r.as_dict() for r in rows])
    return 0


def cmd_awards(args) -> int:
    period = periods.month(args.month)
    from app.db import open_database
    from app.rankings import red_flag_windows, smile_stars

    open_database(args.db, create=False)
    management_view(args)
    stars, flags = smile_stars(period), red_flag_windows(period)
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
    from app.db import open_database
    from app.probation import case_rows, sweep

    open_database(args.db, create=False)
    management_view(args)
    changed = sweep(as_of)
    statuses = ("open", "recommend_return", "cleared", "returned") if args.all else ("open", "recommend_return")
    rows = case_rows(as_of, statuses)
    objects = [{
        "id": r.id, "employee_no": r.employee_no, "name": r.name, "window": r.window,
        "employer": r.employer, "opened_on": r.opened_on.isoformat(), "ends_on": r.ends_on.isoformat(),
        "days_left": r.days_left, "rechecks_passed": r.rechecks_passed, "rechecks_failed": r.rechecks_failed,
        "rechecks_required": r.rechecks_required, "status": r.status,
    } for r in rows]
    if args.format == "table":
        print(f"截至{periods.cn_date(as_of)}: 本次处理到期案例 {len(changed)} 个")
        headers = ["案例", "工号", "姓名", "窗口", "用工单位", "开始", "结束", "剩余天数", "复查合格/不合格/需", "状态"]
        table_rows = [[r.id, r.employee_no, r.name, r.window, r.employer, r.opened_on, r.ends_on, r.days_left,
                       f"{r.rechecks_passed}/{r.rechecks_failed}/{r.rechecks_required}", r.status_label] for r in rows]
        _emit("table", headers, table_rows, objects)
    else:
        _emit(args.format, list(objects[0]) if objects else ["id"], [list(o.values()) for o in objects], objects)
    return 0


def cmd_inspections(args) -> int:
    period = _period(args)
    from app.db import open_database
    from app.domain import METHODS
    from app.listing import finalised_inspections

    open_database(args.db, create=False)
    viewer = acting_user(args, "inspector") if args.user else None  # an inspector sees their own
    rows = finalised_inspections(period, window_code=args.window, employee_no=args.staff, inspector=viewer)
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
    _emit(args.format, headers, table_rows, objects)
    return 0


def _top_items(items: list[tuple[str, str, int]], shown: int = 3) -> str:
    text = ", ".join(f"{code}×{n}" for code, _, n in items[:shown])
    return text + (f" 等 {len(items)} 项" if len(items) > shown else "")


def cmd_pay(args) -> int:
    period = periods.month(args.month)
    from app.db import open_database
    from app.pay import failures

    open_database(args.db, create=False)
    management_view(args)
    rows = failures(period)
    objects = [r.as_dict() for r in rows]
    headers = ["工号", "姓名", "用工单位", "窗口", "不合格次数", "一票否决", "日期", "问题 (次数)"]
    table_rows = [[r.employee_no, r.name, r.employer, r.window, r.failed_inspections, r.vetoes,
                   " ".join(d.strftime("%m-%d") for d in r.dates),
                   _top_items(r.items)] for r in rows]
    if args.format == "table":
        print(f"{period.label} 绩效扣发名单")
    _emit(args.format, headers, table_rows, objects)
    return 0


def cmd_export(args) -> int:
    from app.listing import require_export
    from exports import jobs

    dates = {}
    if getattr(args, "start", None):
        dates = {"start": periods.day(args.start), "end": periods.day(args.end)}
    if getattr(args, "month", None):
        periods.month(args.month)  # bad input fails before the database is touched
    since = periods.day(args.since) if getattr(args, "since", None) else None
    from app.db import open_database

    open_database(args.db, create=False)
    if args.kind == "results":
        from app.results_package import export_results

        acting_user(args, "inspector")
        done = export_results(args.out, since)
        print(f"已导出结果包: {done.inspections} 条巡查记录 ({done.period[0]} 至 {done.period[1]}), "
              f"{done.item_results} 个检查结果, {done.photos} 张照片 → {done.path}")
        return 0
    # Without --user a script acts as the file's owner; with it, the user's role decides (listing.require_export).
    viewer = acting_user(args, "inspector") if args.user else None
    require_export(args.kind.removesuffix("-pdf"), viewer)  # "ranking-pdf" is the kind "ranking"
    run = {
        "excel": lambda: jobs.monthly_excel(args.out, args.month),
        "details": lambda: jobs.details_excel(args.out, **dates, user=viewer),
        "ranking-pdf": lambda: jobs.ranking_pdf(args.out, args.month, args.by),
        "record-pdf": lambda: jobs.record_pdf(args.out, args.inspection, viewer),
        "notice-pdf": lambda: jobs.notice_pdf(args.out, args.inspection, viewer),
        "probation-pdf": lambda: jobs.probation_pdf(args.out, args.case),
        "staff-pdf": lambda: jobs.staff_pdf(args.out, args.staff, **dates),
        "labels-pdf": lambda: jobs.labels_pdf(args.out, args.area),
        "photos": lambda: jobs.photos(args.out, **dates),
    }[args.kind]
    print(run())
    return 0


def cmd_import(args) -> int:
    from app.db import open_database

    open_database(args.db, create=False)
    user = acting_user(args, "manager") if args.kind == "results" or getattr(args, "apply", False) else None
    if args.kind == "results":
        from app.results_import import import_package

        for path in args.files:
            summary = import_package(path, user)
            print(summary.line())
            for line in summary.conflict_details:
                print(f"  冲突: {line} (两个版本都已保留)")
        return 0
    return cmd_import_roster(args, user)


def cmd_import_roster(args, user) -> int:
    from app.roster_import import apply_roster, plan_roster
    from exports.xlsx_reader import read_workbook

    plan = plan_roster(args.file.name, read_workbook(args.file))
    labels = {"new": "新增", "updated": "修改", "unlisted": "不再列出"}
    for c in plan.changes:
        print(f"{labels[c.kind]} {c.what} {c.key} {c.label}" + (f"  ({c.details})" if c.details else ""))
    print(plan.summary())
    if args.apply:
        apply_roster(plan, user, args.reason)
        print("已写入数据库")
    else:
        print("以上为预览, 未做修改; 确认无误后加 --apply 写入")
    return 0


def cmd_roster(args) -> int:
    from exports.roster_template import roster_template

    roster_template(args.out)
    print(f"已生成名单模板 → {args.out}")
    return 0


def cmd_amend(args) -> int:
    from app import inspections
    from app.db import open_database
    from app.models import Inspection

    changes = {}
    for pair in args.set:
        code, _, result = pair.partition("=")
        if not code or result not in ("pass", "fail", "na"):
            raise PatrolError(f"--set 的格式应为 编号=pass|fail|na, 不是 {pair!r}")
        changes[code.strip().upper()] = result
    open_database(args.db, create=False)
    user = acting_user(args, "manager")
    key = args.inspection
    insp = (Inspection.get_or_none(Inspection.id == int(key)) if key.isdigit() else None) or \
        Inspection.get_or_none(Inspection.uuid == key)
    if insp is None:
        raise PatrolError(f"未找到巡查记录: {key}")
    score = inspections.amend(insp, user, changes, args.reason)
    print(f"已修改巡查记录 {insp.uuid} (第 {insp.revision} 版): 得分 {score.score:g}, {score.grade}")
    return 0


def cmd_decide(args) -> int:
    from app import probation
    from app.db import open_database
    from app.models import ProbationCase

    open_database(args.db, create=False)
    user = acting_user(args, "manager")
    case = ProbationCase.get_or_none(ProbationCase.id == args.case)
    if case is None:
        raise PatrolError(f"未找到考察案例: {args.case}")
    (probation.confirm_return if args.confirm else probation.clear_case)(case, user, args.reason)
    print(f"考察案例 {case.id}: {'已确认退回劳务公司' if args.confirm else '已解除'}")
    return 0


def cmd_backup(args) -> int:
    from app import backup
    from app.db import open_database

    open_database(args.db, create=False)
    path = backup.backup_now(args.out)
    print(f"已备份 → {path}")
    for n, p in enumerate(backup.backups(args.out)[:5]):
        print(f"  {p.name}  {p.stat().st_size / 2**20:.1f} MB")
    return 0


def cmd_restore(args) -> int:
    from app import backup
    from app.db import open_database

    backup.check_backup(args.file)  # before touching the database at all
    open_database(args.db, create=False)
    user = acting_user(args, "manager")
    checked, safety = backup.restore(args.file, user)
    print(f"已从 {checked.path.name} 恢复 ({checked.inspections} 条巡查记录); 恢复前的数据库已备份为 {safety}")
    return 0


def cmd_audit(args) -> int:
    from app import audit
    from app.db import open_database

    open_database(args.db, create=False)
    rows = audit.entries(window_code=args.window, employee_no=args.staff, username=args.by)
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
    _emit(args.format, ["时间", "用户", "操作", "对象", "窗口", "工号", "理由"] if args.format == "table" else
          list(objects[0]) if objects else ["at"], table_rows if args.format == "table" else
          [list(o.values()) for o in objects], objects)
    return 0


def cmd_verify(args) -> int:
    from app.db import open_database
    from app.verify import verify

    open_database(args.db, create=False)
    verdict = verify(args.payload)
    print(("✓ " if verdict.matches else "✗ ") + verdict.message)
    return 0 if verdict.matches else 1


def cmd_selftest(args) -> int:
    from forms.selftest import run

    return run(args.keep)


COMMANDS = {
    "demo": cmd_demo, "checklists": cmd_checklists, "rankings": cmd_rankings, "awards": cmd_awards,
    "probation": cmd_probation, "pay": cmd_pay, "inspections": cmd_inspections, "settings": cmd_settings,
    "selftest": cmd_selftest, "export": cmd_export, "verify": cmd_verify,
    "import": cmd_import, "roster": cmd_roster, "amend": cmd_amend, "decide": cmd_decide,
    "backup": cmd_backup, "restore": cmd_restore, "audit": cmd_audit, "conflicts": cmd_conflicts,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    args.db = getattr(args, "db", None)
    args.user = getattr(args, "user", None)
    if args.command is None:
        from forms.app import run  # Qt only for the desktop app, so scripts start fast

        return run(args.db)
    try:
        return COMMANDS[args.command](args)
    except PatrolError as exc:
        lines = str(exc).splitlines() or ["未知错误"]
        print(f"错误: {lines[0]}" + (f" (另有 {len(lines) - 1} 处问题)" if len(lines) > 1 else ""), file=sys.stderr)
        for line in lines[1:]:
            print(f"  {line}", file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        from app.db import close_database

        close_database()
