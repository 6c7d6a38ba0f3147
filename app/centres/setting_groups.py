"""How the centre settings are shown to a manager: in which group, with which help, in which unit and range.

Data only: the settings page and the command line read it; the rules themselves live in
app.centres.settings (CentreSettings.validate is the check, the bounds here only guide the editors).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Bounds:
    low: float
    high: float
    suffix: str = ""
    decimals: int = 0


# The groups a manager thinks in, in the order of a month's work; every setting is in exactly one.
GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("评分与等级", ("grades", "fail_grade", "bonus_cap", "cap_total_at_100", "veto_ranking",
                "ranking_min_inspections", "coverage_min_inspections")),
    ("考察期", ("probation_days", "probation_rechecks", "review_serious", "consequence_agency",
             "consequence_staff", "consequence_other")),
    ("评优", ("smile_star_min_inspections", "smile_star_min_score", "smile_star_max", "red_flag_windows")),
    ("绩效", ("pay_per_failure", "pay_per_veto", "interview_below")),
    ("整改与申诉", ("rectify_days_normal", "rectify_days_serious", "rectify_days_veto", "appeal_days")),
    ("审批", ("second_approval",)),
    ("本中心", ("checklist", "update_stale_days")),
)

BOUNDS: dict[str, Bounds] = {
    "bonus_cap": Bounds(0, 100, " 分", 1),
    "probation_days": Bounds(1, 366, " 天"),
    "probation_rechecks": Bounds(0, 20, " 次"),
    "smile_star_min_inspections": Bounds(0, 100, " 次"),
    "smile_star_min_score": Bounds(0, 100, " 分", 1),
    "smile_star_max": Bounds(0, 100, " 名"),
    "red_flag_windows": Bounds(0, 100, " 个"),
    "pay_per_failure": Bounds(0, 100000, " 元", 2),
    "pay_per_veto": Bounds(0, 100000, " 元", 2),
    "ranking_min_inspections": Bounds(1, 100, " 次"),
    "coverage_min_inspections": Bounds(1, 100, " 次"),
    "rectify_days_normal": Bounds(1, 60, " 个工作日"),
    "rectify_days_serious": Bounds(1, 60, " 个工作日"),
    "rectify_days_veto": Bounds(1, 60, " 个工作日"),
    "appeal_days": Bounds(0, 60, " 个工作日"),
    "interview_below": Bounds(0, 100, " %", 1),
    "update_stale_days": Bounds(1, 365, " 天"),
}

HELP: dict[str, str] = {
    "grades": "等级名称=最低分, 用逗号分开, 如 优秀=95,良好=90,合格=85; 最低一档的分数线即合格线。从下月 1 日起执行 (也可选本月起并重新评定)。",
    "fail_grade": "低于最低一档分数线时的等级名称, 出现在报表和通知书上。",
    "bonus_cap": "一次巡查加分的上限; 加分项合计超过时按上限计。",
    "cap_total_at_100": "勾选: 总分不超过 100 分, 加分只能抵扣扣分; 不勾选: 加分可使总分超过 100。",
    "veto_ranking": "有一票否决的窗口或人员在排名中排在最后, 或单列、不参加排名。",
    "ranking_min_inspections": "本期巡查次数少于此数的窗口或人员单列为“样本不足”, 不参加排名。",
    "coverage_min_inspections": "一个窗口本期至少巡查几次才算覆盖 (仪表盘与月报的覆盖率)。",
    "probation_days": "巡查不合格后进入考察期的天数 (示范标准: 一个月)。",
    "probation_rechecks": "考察期内须复查合格的次数; 达到后考察期满即解除。",
    "review_serious": "勾选: 严重项不合格开启的考察由管理员决定是否成立; 一票否决总是须管理员决定。",
    "consequence_agency": "考察期满仍不合格时, 通知书上写明的处理 (劳务派遣人员)。",
    "consequence_staff": "同上, 在编人员。",
    "consequence_other": "同上, 其他人员。",
    "smile_star_min_inspections": "评“微笑之星”须本月至少被巡查的次数。",
    "smile_star_min_score": "评“微笑之星”须达到的本月平均分。",
    "smile_star_max": "每月“微笑之星”的名额。",
    "red_flag_windows": "每月授予“流动红旗”的窗口个数 (按窗口排名)。",
    "pay_per_failure": "每次巡查不合格扣发的绩效; 0 表示按中心另行规定, 扣发名单只列次数。",
    "pay_per_veto": "每次一票否决在上项之外另扣的绩效。",
    "interview_below": "好差评满意率连续两个月低于此线的窗口列入约谈名单。",
    "rectify_days_normal": "一般项不合格的整改期限, 从定稿次日起按工作日计 (节假日按中心日历)。",
    "rectify_days_serious": "严重项不合格的整改期限。",
    "rectify_days_veto": "一票否决项的整改期限。",
    "appeal_days": "定稿并通知后, 当事人可在几个工作日内申诉; 0 表示不受理申诉。",
    "second_approval": "勾选: 改变结论的记录修改和发布排名须另一名管理员批准 (双人审批)。",
    "checklist": "本中心巡查使用的检查表: 区级检查表或本中心扩展的检查表 (见“检查表”页)。",
    "update_stale_days": "巡查笔记本超过此天数未收到管理端的更新文件时, 巡查页提醒。",
}


# Labels whose parenthesised hint the editor now says (a check box, a unit, a list); the rest stand whole.
SHORT: dict[str, str] = {
    "cap_total_at_100": "总分不超过 100 分",
    "veto_ranking": "有一票否决者的排名",
    "pay_per_failure": "每次巡查不合格扣发绩效",
    "ranking_min_inspections": "参加排名的最少巡查次数",
    "review_serious": "严重项不合格开启的考察须管理员决定",
    "checklist": "巡查使用的检查表",
    "second_approval": "双人审批",
    "interview_below": "好差评约谈线 (满意率)",
}


def short_label(name: str, label: str) -> str:
    """The label a setting's editor stands beside."""
    return SHORT.get(name, label)
