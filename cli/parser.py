"""The argument parser: every command, its options and its help, in one place."""

from __future__ import annotations

import argparse
from pathlib import Path

from app.errors import PatrolError, record_id
from cli.common import db_parent, format_arg


def _id(text: str) -> int:
    """argparse type for a record id: the message says what is wrong, in one line."""
    try:
        return record_id(text)
    except PatrolError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def build_parser() -> argparse.ArgumentParser:
    db = db_parent()
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
    demo.add_argument("--district", action="store_true",
                      help="生成演示全区: 区中心、分中心和三个街镇中心, 各有窗口、人员、管理员和巡查员")

    cl = sub.add_parser("checklists", parents=[db], help="检查表: 校验、载入、列出")
    cl_sub = cl.add_subparsers(dest="action", metavar="ACTION", required=True)
    validate = cl_sub.add_parser("validate", parents=[db], help="校验检查表文件 (默认: 随程序发布的检查表)")
    validate.add_argument("files", nargs="*", type=Path, metavar="FILE")
    load = cl_sub.add_parser("load", parents=[db], help="载入检查表文件; 内容有变化时成为新版本")
    load.add_argument("files", nargs="*", type=Path, metavar="FILE")
    load.add_argument("--reason", default="", help="内容有变化时必须填写: 为什么改 (记入审计记录)")
    cl_sub.add_parser("list", parents=[db], help="列出本中心可用的检查表 (区级和本中心扩展的) 及其版本")
    extend = cl_sub.add_parser("extend", parents=[db],
                               help="在区级检查表上增加本中心的检查项 (分类文件或工作簿), 本中心此后按扩展后的检查表巡查")
    extend.add_argument("files", nargs="+", type=Path, metavar="FILE", help="*.toml 分类文件 (checklist 填区级检查表编号) 或 .xlsx")
    extend.add_argument("--reason", default="", help="为什么增加 (记入审计记录)")
    adopt = cl_sub.add_parser("adopt", parents=[db], help="选定本中心巡查使用的检查表 (区级的或本中心扩展的)")
    adopt.add_argument("code", metavar="CODE")
    adopt.add_argument("--reason", default="", help="为什么改用 (记入审计记录)")
    cl_export = cl_sub.add_parser("export", parents=[db], help="把检查表的一个版本导出为 Excel (每个检查项一行)")
    cl_export.add_argument("--checklist", default="WINDOW", metavar="CODE")
    cl_export.add_argument("--version", type=_id, metavar="N", help="版本号 (默认最新)")
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
    st_set.add_argument("--reason", default="", help="为什么改 (记入审计记录; 只预览时不需要)")
    st_set.add_argument("--from", dest="effective_from", metavar="YYYY-MM",
                        help="评分规则 (等级、加分、考察期) 从哪个月起执行; 默认下月")
    st_set.add_argument("--regrade", action="store_true",
                        help="新规则从本月 (或 --from 所指的已过月份) 起执行, 并重新评定该月起的全部已定稿巡查")
    st_push = st_sub.add_parser("push", parents=[db], help="全区统一: 把区中心的设置推行到各中心 (区级管理员)")
    st_push.add_argument("keys", nargs="+", metavar="KEY", help="设置项 (settings show 第一列)")
    st_push.add_argument("--centres", metavar="CODE,CODE", help="只推行到这些中心 (默认: 除区中心外的全部中心)")
    st_push.add_argument("--from", dest="effective_from", metavar="YYYY-MM", help="评分规则从哪个月起执行; 默认下月")
    st_push.add_argument("--reason", default="", help="为什么统一 (记入各中心的审计记录)")
    st_set.add_argument("--preview", action="store_true",
                        help="只显示本月 (或 --from 所指月份) 按新规则会改变多少记录和考察案例, 不保存")
    st_set.add_argument("--all", action="store_true", help="预览列出每一条会改变的记录 (默认只列前 20 条)")

    from app.assessment.events import SOURCES

    for register, help_text, add_help in (
            ("conduct", "违规记录: 投诉、通报、曝光、明查暗访等 (004 五); 扣分、考察、取消评先按考核方案",
             "登记一条违规记录 (管理员)"),
            ("praise", "表扬记录: 锦旗、感谢信、公开表扬、加班、创新; 加分按考核方案", "登记一条表扬记录 (管理员)")):
        rg = sub.add_parser(register, parents=[db], help=help_text)
        rg_sub = rg.add_subparsers(dest="action", metavar="ACTION", required=True)
        add = rg_sub.add_parser("add", parents=[db], help=add_help)
        add.add_argument("employee_no", metavar="工号")
        add.add_argument("kind", metavar="KIND", help=f"类别 ({register} kinds 列出)")
        add.add_argument("--date", required=True, metavar="YYYY-MM-DD", help="发生日期")
        add.add_argument("--description", required=True, help="事由")
        if register == "conduct":
            add.add_argument("--source", default="other", choices=list(SOURCES),
                             help="来源: " + ", ".join(f"{k} {v}" for k, v in SOURCES.items()))
        add.add_argument("--window", metavar="CODE", help="窗口 (默认: 其所在窗口)")
        add.add_argument("--photo", action="append", type=Path, metavar="FILE", help="照片 (可多次)")
        add.add_argument("--document", type=Path, metavar="FILE", help="证明材料 (PDF、图片、Word 等)")
        listing = rg_sub.add_parser("list", parents=[db], help="列出记录 (含已撤销的)")
        listing.add_argument("--since", metavar="YYYY-MM-DD")
        listing.add_argument("--active", action="store_true", help="不列已撤销的")
        format_arg(listing)
        withdraw = rg_sub.add_parser("withdraw", parents=[db], help="撤销一条记录 (如投诉不成立); 记录保留")
        withdraw.add_argument("id", type=_id)
        withdraw.add_argument("--reason", default="", help="为什么撤销 (记入审计记录)")
        kinds = rg_sub.add_parser("kinds", parents=[db], help="列出类别及其依据")
        format_arg(kinds)

    vt = sub.add_parser("votes", parents=[db], help="手工录入的评分: 值班领导评分、群众评议、年终测评等")
    vt_sub = vt.add_subparsers(dest="action", metavar="ACTION", required=True)
    vset = vt_sub.add_parser("set", parents=[db], help="录入某期间的一项评分")
    vset.add_argument("period", metavar="PERIOD", help="YYYY-MM, YYYY-Qn 或 YYYY")
    vset.add_argument("name", metavar="NAME", help="评分名称, 与考核方案的 vote 一致")
    vset.add_argument("scores", nargs="+", metavar="编号=分数", help="窗口编号或工号=0–100 的分数")
    vset.add_argument("--subject", choices=["window", "staff"], default="window")
    vset.add_argument("--reason", default="", help="依据 (记入审计记录)")
    vlist = vt_sub.add_parser("list", parents=[db], help="列出某期间录入的评分")
    vlist.add_argument("period", metavar="PERIOD")
    vlist.add_argument("--name")
    format_arg(vlist)

    sc = sub.add_parser("schemes", parents=[db], help="考核方案: 校验、载入新版本、列出")
    sc_sub = sc.add_subparsers(dest="action", metavar="ACTION", required=True)
    sval = sc_sub.add_parser("validate", parents=[db], help="校验方案文件 (默认: 随程序的方案)")
    sval.add_argument("files", nargs="*", type=Path, metavar="FILE.toml")
    sload = sc_sub.add_parser("load", parents=[db], help="载入方案; 有变化时成为新版本, 下月起执行")
    sload.add_argument("file", type=Path, metavar="FILE.toml")
    sload.add_argument("--from", dest="effective_from", metavar="YYYY-MM", help="从哪个月起执行 (默认下月)")
    sload.add_argument("--reason", default="", help="为什么改 (记入审计记录)")
    slist = sc_sub.add_parser("list", parents=[db], help="列出本中心的方案及其版本")
    format_arg(slist)
    sshow = sc_sub.add_parser("show", parents=[db], help="显示现行方案的全文")
    sshow.add_argument("code", nargs="?")

    asx = sub.add_parser("assess", parents=[db], help="按考核方案计算某期间的成绩; --compare 对比拟用方案")
    aperiod = asx.add_mutually_exclusive_group(required=True)
    aperiod.add_argument("--month", help="YYYY-MM")
    aperiod.add_argument("--quarter", help="YYYY-Qn")
    aperiod.add_argument("--year", help="YYYY")
    asx.add_argument("--code", default="DEFAULT", help="现行方案的编码 (默认 DEFAULT)")
    asx.add_argument("--scheme", type=Path, metavar="FILE.toml", help="按这个方案文件计算 (不保存)")
    asx.add_argument("--compare", action="store_true", help="与现行版本对比: 谁的名次变了、变多少、为什么")
    asx.add_argument("--all", action="store_true", help="对比时列出全部, 不只是变化的")
    format_arg(asx)

    rk = sub.add_parser("rankings", parents=[db], help="月度 / 季度 / 年度排名")
    period = rk.add_mutually_exclusive_group(required=True)
    period.add_argument("--month", help="YYYY-MM")
    period.add_argument("--quarter", help="YYYY-Qn")
    period.add_argument("--year", help="YYYY")
    rk.add_argument("--by", choices=("window", "staff", "department", "centre"), default="window",
                    help="排名对象 (默认 window; centre: 全区各中心, 区级管理员)")
    format_arg(rk)

    ce = sub.add_parser("centres", parents=[db], help="全区的各中心: 列出、增加 (区级管理员)")
    ce_sub = ce.add_subparsers(dest="action", metavar="ACTION", required=True)
    ce_sub.add_parser("list", parents=[db], help="列出各中心及其窗口、人员数")
    ce_add = ce_sub.add_parser("add", parents=[db], help="增加一个中心 (分中心或街镇中心)")
    ce_add.add_argument("code", help="中心编码, 如 S01")
    ce_add.add_argument("name", help="中心名称")
    ce_add.add_argument("--kind", choices=("district", "branch", "street"), required=True,
                        help="district 区中心 / branch 分中心 / street 街镇中心")
    ce_add.add_argument("--reason", default="", help="为什么增加 (记入审计记录)")
    ce_sub.add_parser("office-key", parents=[db], help="显示本管理端的公钥, 供区级登记 (核对指纹)")
    ce_trust = ce_sub.add_parser("trust", parents=[db], help="登记某中心管理端的公钥, 此后接受该中心的月度结果包")
    ce_trust.add_argument("code", help="中心编码")
    ce_trust.add_argument("key_id", help="中心管理端的密钥编号")
    ce_trust.add_argument("public_key", help="中心管理端的公钥 (64 位十六进制)")
    ce_trust.add_argument("--reason", default="", help="为什么登记 (记入审计记录)")

    aw = sub.add_parser("awards", parents=[db], help="微笑之星候选名单和流动红旗窗口")
    aw.add_argument("--month", required=True, help="YYYY-MM")
    format_arg(aw)

    pr = sub.add_parser("probation", parents=[db], help="处理到期的考察期并列出考察案例")
    pr.add_argument("--as-of", help="以该日期为准 YYYY-MM-DD (默认今天)")
    pr.add_argument("--all", action="store_true", help="也列出已解除、已退回和已撤销的案例")
    pr.add_argument("--sweep", action="store_true", help="处理到期的案例 (写入数据库, 需要管理员 --user); 不加时只列出")
    format_arg(pr)

    ins = sub.add_parser("inspections", parents=[db], help="列出某段时间的已定稿巡查记录")
    ins_period = ins.add_mutually_exclusive_group(required=True)
    ins_period.add_argument("--month", help="YYYY-MM")
    ins_period.add_argument("--quarter", help="YYYY-Qn")
    ins_period.add_argument("--year", help="YYYY")
    ins.add_argument("--window", metavar="CODE", help="只列出该窗口")
    ins.add_argument("--staff", metavar="EMPLOYEE_NO", help="只列出该工号的人员")
    format_arg(ins)

    ex = sub.add_parser("export", parents=[db], help="导出 Excel 工作簿、PDF 报表、窗口标签和照片")
    ex_sub = ex.add_subparsers(dest="kind", metavar="KIND", required=True)

    def export_parser(name: str, help_text: str) -> argparse.ArgumentParser:
        p = ex_sub.add_parser(name, parents=[db], help=help_text)
        p.add_argument("--out", required=True, type=Path, metavar="FILE", help="输出文件")
        return p

    def period_args(p: argparse.ArgumentParser) -> None:
        group = p.add_mutually_exclusive_group(required=True)
        group.add_argument("--month", help="YYYY-MM")
        group.add_argument("--quarter", help="YYYY-Qn (季度)")
        group.add_argument("--year", help="YYYY (年度)")

    period_args(export_parser("excel", "月度 / 季度 / 年度工作簿 (排名、考察期、微笑之星、流动红旗、绩效扣发名单、图表)"))
    for name, text in (("details", "巡查明细工作簿 (每次巡查一行, 不合格项另表)"), ("photos", "现场照片 zip, 按窗口和日期分文件夹")):
        p = export_parser(name, text)
        p.add_argument("--from", dest="start", required=True, help="YYYY-MM-DD")
        p.add_argument("--to", dest="end", required=True, help="YYYY-MM-DD")
    p = export_parser("ranking-pdf", "月度 / 季度 / 年度排名表 PDF")
    period_args(p)
    p.add_argument("--by", choices=("window", "staff", "department"), default="window")
    period_args(export_parser("district-excel", "全区工作簿: 各中心排名、全区窗口和人员排名 (区级管理员)"))
    period_args(export_parser("district-pdf", "各中心排名表 PDF (区级管理员)"))
    for name, text in (("assessment-excel", "考核成绩工作簿: 各项得分、评先评优和未列入的原因 (管理员)"),
                       ("assessment-pdf", "考核成绩表 PDF (A4 横向, 管理员)")):
        p = export_parser(name, text)
        period_args(p)
        p.add_argument("--code", default="DEFAULT", help="考核方案编码")
    p = export_parser("certificates-pdf", "流动红旗、微笑之星等证书 PDF, 每位获得者一页 (管理员)")
    period_args(p)
    p.add_argument("--code", default="DEFAULT", help="考核方案编码")
    p.add_argument("--award", required=True, choices=("red_flag", "star", "annual"))
    p = export_parser("person-year-pdf", "个人年度考核表 PDF: 巡查、好差评、违规与表扬、考察期、年度考核 (管理员)")
    p.add_argument("--staff", required=True, metavar="EMPLOYEE_NO")
    p.add_argument("--year", required=True, type=int)
    export_parser("centre-month", "本中心某月的结果包 (含名单), 报送全区 (管理员)").add_argument(
        "--month", required=True, help="YYYY-MM")
    for name, text in (("record-pdf", "巡查记录表 PDF"), ("notice-pdf", "整改通知单 PDF")):
        export_parser(name, text).add_argument("--inspection", required=True, metavar="ID", help="巡查记录编号或 UUID")
    export_parser("probation-pdf", "考察期通知书 PDF").add_argument("--case", required=True, type=_id, metavar="ID")
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
    im_results.add_argument("--update", action="store_true",
                            help="导入后为送来结果包的笔记本写更新文件 (<密钥编号>.wpu), 放在结果包旁边, 一次往返带回")
    im_results.add_argument("--update-out", type=Path, metavar="FOLDER", help="更新文件改放到此文件夹 (随 --update)")
    im_roster = im_sub.add_parser("roster", parents=[db], help="从 Excel 人员/窗口名单导入: 默认只预览, 加 --apply 才写入")
    im_roster.add_argument("file", type=Path, metavar="FILE.xlsx")
    im_roster.add_argument("--apply", action="store_true", help="确认写入 (否则只列出将要发生的变化)")
    im_roster.add_argument("--reason", default="", help="写入时必须填写: 为什么更新名单 (记入审计记录)")
    im_roster.add_argument("--confirm-unlisted", action="store_true",
                           help="名单将使一成以上的在岗人员标为离岗时, 确认名单确实完整")

    im_update = im_sub.add_parser("update", parents=[db],
                                  help="巡查笔记本: 应用管理端为本机写的更新文件 (.wpu): 名单、检查表、规则、巡查员、待复查项")
    im_update.add_argument("file", type=Path, metavar="FILE.wpu")

    im_ratings = im_sub.add_parser("ratings", parents=[db],
                                   help="导入好差评月度导出表: 默认只预览 (列出未匹配和重复的行), 加 --apply 才写入")
    im_ratings.add_argument("file", type=Path, metavar="FILE.xlsx")
    im_ratings.add_argument("--month", required=True, metavar="YYYY-MM", help="评价所属月份")
    im_ratings.add_argument("--apply", action="store_true", help="确认写入; 每个差评开一个整改项")
    im_ratings.add_argument("--reason", default="", help="写入时的说明 (记入审计记录)")

    rc = sub.add_parser("rectifications", parents=[db], help="整改项: 待整改、逾期、已整改")
    rc_state = rc.add_mutually_exclusive_group()
    rc_state.add_argument("--overdue", action="store_true", help="只列逾期未整改的")
    rc_state.add_argument("--state", choices=["open", "overdue", "rectified"], help="按状态列出")
    format_arg(rc)
    rf = sub.add_parser("rectify", parents=[db], help="确认一个整改项已整改 (管理员)")
    rf.add_argument("id", type=_id)
    rf.add_argument("--note", default="", help="如何整改的 (记入审计记录)")
    rf.add_argument("--photo", type=Path, metavar="FILE", help="整改后的照片")

    ap = sub.add_parser("appeal", parents=[db], help="申诉复核: 登记、复核、列出")
    ap_sub = ap.add_subparsers(dest="action", metavar="ACTION", required=True)
    ap_add = ap_sub.add_parser("add", parents=[db], help="登记对某条巡查记录扣分的申诉 (申诉期内)")
    ap_add.add_argument("inspection", metavar="RECORD", help="巡查记录编号或 UUID")
    ap_add.add_argument("--items", required=True, metavar="CODE,CODE", help="申诉的扣分项编号")
    ap_add.add_argument("--reason", required=True, help="申诉理由")
    ap_add.add_argument("--photo", action="append", type=Path, metavar="FILE", help="证明照片 (可多次)")
    ap_decide = ap_sub.add_parser("decide", parents=[db], help="复核申诉: --uphold 申诉成立 (改判), --reject 不成立")
    ap_decide.add_argument("id", type=_id)
    verdict = ap_decide.add_mutually_exclusive_group(required=True)
    verdict.add_argument("--uphold", action="store_true")
    verdict.add_argument("--reject", action="store_true")
    ap_decide.add_argument("--reason", default="", help="复核意见 (记入审计记录)")
    ap_list = ap_sub.add_parser("list", parents=[db], help="列出申诉")
    ap_list.add_argument("--month", metavar="YYYY-MM")
    ap_list.add_argument("--pending", action="store_true", help="只列待复核的")
    format_arg(ap_list)

    av = sub.add_parser("approvals", parents=[db], help="双人审批: 待另一名管理员批准的改判和排名发布")
    av_sub = av.add_subparsers(dest="action", metavar="ACTION", required=True)
    av_list = av_sub.add_parser("list", parents=[db], help="列出审批")
    av_list.add_argument("--pending", action="store_true", help="只列待批准的")
    format_arg(av_list)
    for name, text in (("approve", "批准 (修改或发布随即生效)"), ("reject", "驳回 (不做修改)")):
        a = av_sub.add_parser(name, parents=[db], help=text)
        a.add_argument("id", type=_id)
        a.add_argument("--reason", default="", help="审批意见 (记入审计记录)")

    pb = sub.add_parser("publish", parents=[db], help="发布某月的最终排名 (申诉期结束且申诉均已复核后)")
    pb.add_argument("--month", required=True, metavar="YYYY-MM")
    pb.add_argument("--show", action="store_true", help="只显示是否可以发布, 不发布")
    pb.add_argument("--reopen", action="store_true",
                    help="重新开放已发布的一期 (回到未定稿, 须填理由; 实行双人审批的中心须另一名管理员批准), 以便改正后再发布")
    pb.add_argument("--reason", default="", help="说明 (记入审计记录)")

    cal = sub.add_parser("calendar", parents=[db], help="节假日和调休上班日 (计算整改期限的工作日)")
    cal_sub = cal.add_subparsers(dest="action", metavar="ACTION", required=True)
    cal_set = cal_sub.add_parser("set", parents=[db], help="把一段日子标为放假、调休上班或恢复平常 (全区数据库中: 区级管理员不加 --centre 改全区的, "
                                 "中心管理员或加 --centre 改该中心自己的)")
    cal_set.add_argument("first", metavar="YYYY-MM-DD")
    cal_set.add_argument("last", nargs="?", metavar="YYYY-MM-DD", help="到哪天 (默认同一天)")
    cal_set.add_argument("--kind", required=True, choices=["holiday", "workday", "normal"])
    cal_set.add_argument("--name", default="", help="如 国庆节、国庆调休")
    cal_set.add_argument("--reason", default="", help="依据 (如 国务院办公厅通知; 记入审计记录)")
    cal_list = cal_sub.add_parser("list", parents=[db], help="列出某年的节假日和调休上班日")
    cal_list.add_argument("--year", type=int, help="默认今年")
    format_arg(cal_list)

    rs = sub.add_parser("roster", parents=[db], help="人员名单模板")
    rs_sub = rs.add_subparsers(dest="action", metavar="ACTION", required=True)
    rs_sub.add_parser("template", parents=[db], help="生成名单模板工作簿").add_argument(
        "--out", required=True, type=Path, metavar="FILE.xlsx")

    am = sub.add_parser("amend", parents=[db], help="管理员修改已定稿的巡查记录 (必须填写理由, 留有记录)")
    am.add_argument("--inspection", required=True, metavar="ID-or-UUID")
    am.add_argument("--set", required=True, nargs="+", metavar="CODE=RESULT", help="例如 DISC-07=fail (pass/fail/na)")
    am.add_argument("--reason", required=True)

    dc = sub.add_parser("decide", parents=[db], help="管理员处理考察案例: 确认退回或解除 (必须填写理由)")
    dc.add_argument("--case", required=True, type=_id, metavar="ID")
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
    format_arg(cf_sub.add_parser("list", parents=[db], help="列出待处理的冲突及其不同之处"))
    cf_res = cf_sub.add_parser("resolve", parents=[db], help="处理一个冲突: 采用导入的版本, 或保留现有版本")
    cf_res.add_argument("id", type=_id, metavar="ID", help="冲突编号 (conflicts list 列出)")
    side = cf_res.add_mutually_exclusive_group(required=True)
    side.add_argument("--take-incoming", action="store_true", help="采用导入的版本 (成为新的版本号)")
    side.add_argument("--keep-current", action="store_true", help="保留现有版本")
    cf_res.add_argument("--reason", required=True)

    au = sub.add_parser("audit", parents=[db], help="审计记录: 谁在何时改了什么、为什么 (可按窗口、人员、用户筛选, 可导出 Excel)")
    au.add_argument("--window", metavar="CODE")
    au.add_argument("--staff", metavar="EMPLOYEE_NO")
    au.add_argument("--by", metavar="USERNAME", help="只看该用户的操作")
    au.add_argument("--out", type=Path, metavar="FILE.xlsx", help="导出为 Excel")
    format_arg(au)

    vf = sub.add_parser("verify", parents=[db], help="核验纸质报表上的二维码内容是否与数据库一致")
    vf.add_argument("payload", metavar="PAYLOAD")

    selftest = sub.add_parser("selftest", help="在临时演示数据库上离屏启动程序并渲染每个界面, 检查安装是否完好")
    selftest.add_argument("--keep", metavar="DIR", help="把临时数据库和截图留在该文件夹")

    en = sub.add_parser("enrol", parents=[db], help="用管理端生成的设置文件 (.wpe) 登记本笔记本 (只能登记到空数据库)")
    en.add_argument("file", type=Path, metavar="FILE.wpe")

    dv = sub.add_parser("devices", parents=[db], help="管理员: 登记巡查员的笔记本 (生成密钥和设置文件)、列出、注销")
    dv_sub = dv.add_subparsers(dest="action", metavar="ACTION", required=True)
    _format = dv_sub.add_parser("list", parents=[db], help="列出已登记的设备")
    format_arg(_format)
    dv_enrol = dv_sub.add_parser("enrol", parents=[db], help="登记一台笔记本: 生成其密钥和签名的设置文件")
    dv_enrol.add_argument("--name", required=True, help="设备名称, 例如 巡查笔记本1")
    dv_enrol.add_argument("--inspectors", required=True, metavar="NAME,NAME", help="可在该设备上使用的巡查员账号")
    dv_enrol.add_argument("--out", required=True, type=Path, metavar="FILE.wpe")
    dv_enrol.add_argument("--reason", default="", help="为什么登记 (记入审计记录)")
    dv_revoke = dv_sub.add_parser("revoke", parents=[db], help="注销设备: 此后它的结果包和打印件不再被接受")
    dv_revoke.add_argument("device", metavar="KEY-ID", help="设备的密钥编号 (devices list 第一列; 名称可能重复, 不用名称)")
    dv_revoke.add_argument("--reason", required=True)
    dv_inspectors = dv_sub.add_parser("inspectors", parents=[db],
                                      help="修改可在某台笔记本上使用的巡查员 (下一次更新文件带到笔记本上)")
    dv_inspectors.add_argument("device", metavar="KEY-ID")
    dv_inspectors.add_argument("--set", required=True, metavar="NAME,NAME", help="该设备的全部巡查员账号")
    dv_inspectors.add_argument("--reason", required=True)
    dv_update = dv_sub.add_parser("update", parents=[db],
                                  help="为笔记本写更新文件 (.wpu): 名单、检查表、规则、巡查员和待复查项, 带到笔记本上应用")
    dv_update.add_argument("device", nargs="?", metavar="KEY-ID", help="设备的密钥编号; 与 --all 二选一")
    dv_update.add_argument("--all", action="store_true", help="为每台在用的笔记本各写一个, 放进 --out 指定的文件夹")
    dv_update.add_argument("--out", required=True, type=Path, metavar="FILE.wpu-or-FOLDER")
    dv_end = dv_sub.add_parser("end-legacy", parents=[db], help="停用升级前的共享密钥 (旧结果包和旧二维码不再被接受)")
    dv_end.add_argument("--reason", required=True)

    pay = sub.add_parser("pay", parents=[db], help="绩效扣发名单: 某月巡查不合格的人员、次数和问题")
    pay.add_argument("--month", required=True, help="YYYY-MM")
    format_arg(pay)
    return parser
