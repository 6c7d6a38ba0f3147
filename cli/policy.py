"""Who may run which command: one table, enforced before any command runs (and again in the core).

Levels:
- anyone: touches no database, or reads files only.
- reader: reads. Without --user a script reads as the owner of the database file, who can open the
  file anyway; with --user the role decides what it sees (an inspector their own inspections; rankings,
  pay, probation and conflicts a manager's).
- setup: writes only into an empty database (a demo, or a laptop's enrolment from its set-up file).
- inspector: writes, as a named inspector or manager (--user and the password).
- manager: writes, or reads what only management may (the audit trail, the device register), as a
  named manager.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rule:
    level: str
    why: str


READS = "只读; 不带 --user 时视为数据库文件的所有者, 带 --user 时按角色限制可见范围"

RULES: dict[str, Rule] = {
    "demo": Rule("setup", "只在空数据库中建立演示中心"),
    "enrol": Rule("setup", "只能登记到空数据库; 设置文件本身由管理端签名, 带有该笔记本的账号"),
    "selftest": Rule("anyone", "在临时数据库上运行, 不碰用户数据"),
    "verify": Rule("reader", "核验纸件: 只读, 显示记录内容供比对"),
    "checklists validate": Rule("anyone", "只读取检查表文件"),
    "checklists list": Rule("reader", READS),
    "checklists export": Rule("reader", READS),
    "checklists load": Rule("manager", "修改检查表"),
    "checklists import": Rule("manager", "修改检查表"),
    "checklists extend": Rule("manager", "修改本中心的检查表"),
    "checklists adopt": Rule("manager", "修改本中心的设置"),
    "settings show": Rule("reader", READS),
    "settings set": Rule("manager", "修改中心设置"),
    "settings push": Rule("manager", "修改各中心的设置"),
    "rankings": Rule("reader", READS + "; 巡查员不能看排名"),
    "awards": Rule("reader", READS + "; 巡查员不能看评优"),
    "pay": Rule("reader", READS + "; 巡查员不能看扣发名单"),
    "probation": Rule("reader", "列出考察案例, 不写入 (到期的显示为待处理); 巡查员不能看"),
    "probation --sweep": Rule("manager", "处理到期的考察案例会写入数据库"),
    "inspections": Rule("reader", READS + "; 巡查员只看自己的记录"),
    "export": Rule("reader", READS + "; 巡查员只能导出自己的记录、通知单和窗口标签"),
    "export results": Rule("inspector", "导出结果包会记下导出进度; 巡查员只导出自己的记录"),
    "import results": Rule("manager", "导入结果包"),
    "import roster": Rule("reader", "只预览, 不写入"),
    "import roster --apply": Rule("manager", "修改人员名单"),
    "import ratings": Rule("reader", "只预览, 不写入"),
    "import update": Rule("inspector", "在巡查笔记本上应用管理端为本机签发的更新"),
    "import ratings --apply": Rule("manager", "写入好差评并开整改项"),
    "rectifications": Rule("reader", READS + "; 巡查员不能看"),
    "rectify": Rule("manager", "确认整改"),
    "calendar set": Rule("manager", "修改节假日"),
    "calendar list": Rule("anyone", "只列出节假日"),
    "appeal add": Rule("manager", "登记申诉"),
    "appeal decide": Rule("manager", "复核申诉 (可能改判)"),
    "appeal list": Rule("reader", READS + "; 巡查员不能看"),
    "publish": Rule("manager", "发布最终排名"),
    "publish --show": Rule("reader", "只显示能否发布"),
    "approvals list": Rule("reader", READS + "; 巡查员不能看"),
    "approvals approve": Rule("manager", "批准改判或发布"),
    "approvals reject": Rule("manager", "驳回改判或发布"),
    "roster template": Rule("anyone", "只生成空白模板"),
    "amend": Rule("manager", "修改已定稿的巡查记录"),
    "decide": Rule("manager", "处理考察案例"),
    "conflicts list": Rule("manager", "导入冲突含巡查结果, 属管理员"),
    "conflicts resolve": Rule("manager", "处理导入冲突"),
    "backup": Rule("manager", "备份含全部数据, 属管理员"),
    "restore": Rule("manager", "恢复会替换整个数据库"),
    "audit": Rule("manager", "审计记录属管理员"),
    "devices list": Rule("manager", "设备登记属管理员"),
    "devices enrol": Rule("manager", "为笔记本生成密钥和设置文件"),
    "devices revoke": Rule("manager", "注销丢失或停用的笔记本"),
    "devices end-legacy": Rule("manager", "停用升级前的共享密钥"),
    "devices update": Rule("manager", "为笔记本写更新文件 (名单、巡查员、待复查项)"),
    "devices inspectors": Rule("manager", "修改可在笔记本上使用的巡查员"),
    "centres list": Rule("reader", READS),
    "centres add": Rule("manager", "增加中心 (区级管理员)"),
    "centres office-key": Rule("reader", "只显示公钥, 供核对"),
    "centres trust": Rule("manager", "登记中心管理端的公钥 (区级管理员)"),
    "export centre-month": Rule("manager", "报送全区的月度结果包由管理员导出"),
    "conduct add": Rule("manager", "登记违规记录"),
    "conduct withdraw": Rule("manager", "撤销违规记录"),
    "conduct list": Rule("reader", READS + "; 巡查员不能看"),
    "conduct kinds": Rule("anyone", "只列出类别"),
    "praise add": Rule("manager", "登记表扬记录"),
    "praise withdraw": Rule("manager", "撤销表扬记录"),
    "praise list": Rule("reader", READS + "; 巡查员不能看"),
    "praise kinds": Rule("anyone", "只列出类别"),
    "votes set": Rule("manager", "录入评分"),
    "votes list": Rule("reader", READS + "; 巡查员不能看"),
    "schemes validate": Rule("anyone", "只读取方案文件"),
    "schemes load": Rule("manager", "修改考核方案"),
    "schemes list": Rule("reader", READS),
    "schemes show": Rule("reader", READS),
    "assess": Rule("reader", READS + "; 巡查员不能看考核成绩"),
}

# Sub-commands whose second word is an action (the others' second word, if any, is an export kind).
GROUPS = {"checklists": "action", "conduct": "action", "praise": "action", "votes": "action", "schemes": "action", "calendar": "action", "appeal": "action", "approvals": "action", "settings": "action", "import": "kind", "roster": "action", "conflicts": "action",
          "devices": "action", "centres": "action"}


def command_words(args) -> str:
    """'export results', 'probation --sweep', 'checklists load' … for parsed arguments."""
    words = args.command
    if args.command in GROUPS:
        words += " " + getattr(args, GROUPS[args.command])
    elif args.command == "export" and args.kind in ("results", "centre-month"):
        words += " " + args.kind
    if getattr(args, "sweep", False):
        words += " --sweep"
    if getattr(args, "apply", False):
        words += " --apply"
    if args.command == "publish" and getattr(args, "show", False):
        words += " --show"
    return words


def rule_for(args) -> Rule:
    return RULES[command_words(args)]
