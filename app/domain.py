"""Fixed vocabularies of the domain: stored values (English) and their Chinese labels."""

WINDOW_TYPES = ("综合窗口", "总服务台", "帮办窗口", "部门窗口")

GENDERS = {"M": "男", "F": "女"}

ROLES = {"inspector": "巡查员", "manager": "管理员"}

POSTS = {"A": "A岗", "B": "B岗"}

STAFF_STATUSES = {
    "active": "在岗",
    "inactive": "离岗",
    "returned": "已退回劳务公司",
}

# Seed 000 三.2(1): 现场巡查、双录视频抽查及第三方满意度测评暗访
METHODS = {"onsite": "现场巡查", "video": "视频抽查", "mystery": "暗访"}

INSPECTION_STATUSES = {"draft": "草稿", "final": "已定稿"}

RESULTS = {"pass": "合格", "fail": "不合格", "na": "不适用"}

SEVERITIES = {"normal": "一般", "serious": "严重", "veto": "一票否决"}

ITEM_KINDS = {"check": "检查项", "bonus": "加分项"}

PROBATION_STATUSES = {
    "open": "考察中",
    "cleared": "已解除",
    "recommend_return": "建议退回劳务公司(待确认)",
    "review": "期满待管理员决定",
    "returned": "已退回劳务公司",
    "withdrawn": "已撤销",  # what opened it did not hold (amended to a pass, an event withdrawn): as if never opened
}

PROBATION_EVENTS = {
    "opened": "开始考察",
    "recheck_pass": "复查合格",
    "recheck_fail": "复查不合格",
    "cleared": "考察期满解除",
    "recommend_return": "考察期满建议退回",
    "review": "考察期满, 待管理员决定",
    "confirmed_return": "确认退回劳务公司",
    "cleared_by_manager": "管理员决定解除",
    "withdrawn": "开启考察的记录改为合格, 考察撤销",
    "opening_changed": "开启考察的记录改为合格 (已决定, 请复核)",
    "recheck_changed": "复查结果被修改",
    "opened_by_change": "记录改为不合格, 开始考察",
}

# What each centre setting is called on screen and in the audit trail (app.centres.settings).
SETTING_LABELS = {
    "grades": "等级分数线",
    "fail_grade": "不合格等级名称",
    "bonus_cap": "加分上限",
    "cap_total_at_100": "总分不超过 100 分 (加分只抵扣分)",
    "probation_days": "考察期天数",
    "probation_rechecks": "考察期需复查合格次数",
    "smile_star_min_inspections": "微笑之星最少巡查次数",
    "smile_star_min_score": "微笑之星最低平均分",
    "smile_star_max": "微笑之星名额",
    "red_flag_windows": "流动红旗窗口数",
    "pay_per_failure": "每次巡查不合格扣发绩效 (元; 0 表示按中心另行规定)",
    "pay_per_veto": "每次一票否决另扣绩效 (元)",
    "ranking_min_inspections": "参加排名的最少巡查次数 (不足者列为样本不足)",
    "coverage_min_inspections": "覆盖率: 每个窗口每期至少巡查次数",
    "veto_ranking": "有一票否决者 (排在最后 / 不参加排名)",
    "review_serious": "严重项不合格开启的考察须管理员决定 (一票否决总是如此)",
    "consequence_agency": "考察期满未达标的后果 (劳务派遣人员)",
    "consequence_staff": "考察期满未达标的后果 (在编人员)",
    "consequence_other": "考察期满未达标的后果 (其他人员)",
    "checklist": "巡查使用的检查表 (区级检查表或本中心扩展的检查表的编号)",
    "rectify_days_normal": "整改期限: 一般项 (工作日)",
    "rectify_days_serious": "整改期限: 严重项 (工作日)",
    "rectify_days_veto": "整改期限: 一票否决项 (工作日)",
    "appeal_days": "申诉期: 定稿后几个工作日内可申诉",
    "second_approval": "双人审批 (改变结论的记录修改和发布排名须另一名管理员批准)",
    "interview_below": "好差评满意率低于此线 (%) 连续两个月的窗口列入约谈名单",
    "update_stale_days": "巡查笔记本超过此天数未收到管理端更新时, 巡查页提醒",
}

# The conduct and praise registers (app.assessment.events) and the schemes that name their kinds.
# Seed 004 五: any of these takes a person out of the year's awards (取消年度评先资格).
CONDUCT_KINDS = {
    "illegal_approval": ("违规审批", "004 五1"),
    "complaint": ("受到服务对象有效投诉", "004 五1"),
    "conflict": ("与服务对象发生当面冲突", "004 五1"),
    "corruption": ("吃、拿、卡、要等不廉洁行为", "004 五2"),
    "circular": ("受中心通报批评", "004 五3"),
    "media": ("被新闻媒体曝光", "004 五3"),
    "mingcha": ("被明查暗访查到", "004 五3; 000 三(二)2 第三方满意度测评暗访"),
    "leisure": ("工作时间玩游戏、看股票、看影视、听音乐、上网购物", "004 五4; 四(三)2"),
    "software": ("擅自安装无关软件造成系统故障、无法办理业务", "004 五5"),
    "absent": ("未履行请假手续擅自离岗外出", "004 五6"),
    "idle_circular": ("玩手机、喧哗嬉闹、打瞌睡、串岗闲聊等被通报批评", "004 五7"),
    "overdue": ("违反承诺办结制, 超期办理被投诉", "004 五8; 四(三)3"),
}
# Where the conduct register heard of it.
CONDUCT_SOURCES = {"complaint": "群众投诉", "circular": "通报", "media": "媒体", "mingcha": "明查暗访组", "video": "视频抽查",
           "other": "其他"}
# Praise as published schemes count it (若羌: 锦旗、公开表扬、节假日加班另行加分); seed 001 二(三)4 延时服务.
PRAISE_KINDS = {
    "banner": ("锦旗", "考核方案加分项"),
    "letter": ("感谢信", "考核方案加分项"),
    "public": ("公开表扬", "考核方案加分项"),
    "overtime": ("节假日、延时加班服务", "001 二(三)4、5 延时服务、无休日服务"),
    "innovation": ("创新做法被采纳", "考核方案加分项"),
}
