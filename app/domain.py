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
