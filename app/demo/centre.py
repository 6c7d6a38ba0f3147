"""A realistic demo centre: areas, 40 windows of every type, 80 staff, accounts and a month of inspections.

The roster and the inspections use separate random streams, so `--no-inspections` with the same seed
makes exactly the same centre, roster, accounts and checklists as a full demo. Laptops are not made
this way: the office enrols each one (app.exchange.devices), which gives it a key of its own.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from app.centres import scope
from app.centres.centre import is_empty
from app.centres.settings import load_settings
from app.errors import PatrolError
from app.loop import record_changes
from app.patrolling import inspections
from app.patrolling.checklists import applies, latest_version, version_items
from app.people.accounts import create_user
from app.periods import Period
from app.setup.centres import create_centre
from app.storage.models import Area, Inspection, ProbationCase, Staff, User, Window
from app.storage.proxy import db

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈任姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
FEMALE_GIVEN = ["秀英", "丽", "敏", "静", "婷", "雪", "倩", "颖", "佳怡", "欣怡", "晓燕", "雨涵", "思琪", "丹", "慧", "玲", "梦瑶", "诗雨", "子涵", "文静", "美玲", "海燕", "晓雯", "琳", "悦"]
MALE_GIVEN = ["伟", "强", "磊", "军", "洋", "勇", "杰", "涛", "明", "超", "浩然", "子轩", "宇航", "建国", "志强", "俊杰", "文博", "晨阳", "国栋", "鹏", "斌", "凯", "旭东", "振华", "立新"]
AGENCIES = ["上海仁达人力资源有限公司", "锦程劳务派遣有限公司", "众合人力资源服务有限公司"]
DEPARTMENTS = ["市场监管局", "人社局", "医保局", "公积金管理中心", "税务局", "不动产登记中心", "公安局出入境", "住建局", "民政局", "卫健委"]

AREAS = [("A", "一楼综合受理区"), ("B", "二楼部门专区"), ("C", "一楼帮办咨询区")]
DEMO_PASSWORDS = {"admin": "admin123", "xuncha1": "patrol123", "xuncha2": "patrol123"}


@dataclass
class DemoSummary:
    areas: int
    windows: int
    staff: int
    users: int
    inspections: int
    failed: int
    probation_cases: int
    period: Period | None


def person_name(rng: random.Random, gender: str, used: set[str]) -> str:
    while True:
        given = rng.choice(FEMALE_GIVEN if gender == "F" else MALE_GIVEN)
        name = rng.choice(SURNAMES) + given
        if name not in used:
            used.add(name)
            return name


def _window_plan() -> list[tuple[str, str, str, str, str]]:
    """(area, code, name, type, department) for 40 windows."""
    plan = [("C", f"Z{n:02d}", f"总服务台{n}号", "总服务台", "政务服务中心") for n in (1, 2)]
    plan += [("A", f"A{n:02d}", f"综合窗口{n}号", "综合窗口", "政务服务中心") for n in range(1, 19)]
    plan += [("C", f"C{n:02d}", f"帮办窗口{n}号", "帮办窗口", "政务服务中心") for n in range(1, 6)]
    for n in range(1, 16):
        dept = DEPARTMENTS[(n - 1) % len(DEPARTMENTS)]
        plan.append(("B", f"B{n:02d}", f"{dept}窗口", "部门窗口", dept))
    return plan


def build_roster(seed: int) -> dict:
    """Create centre, areas, windows, staff and accounts; return lookups for the inspection stream."""
    rng = random.Random(f"roster-{seed}")
    rng.getrandbits(256)  # once the shared signing key; kept so a seed still gives the same roster
    centre = create_centre("DEMO", "示范区政务服务中心")
    areas = {code: Area.create(centre=centre, code=code, name=name) for code, name in AREAS}
    windows = []
    for area, code, name, wtype, dept in _window_plan():
        windows.append(Window.create(area=areas[area], code=code, name=name, window_type=wtype, department=dept))
    used: set[str] = set()
    staff_rows = []
    number = 0
    for window in windows:
        for post in ("A", "B"):
            number += 1
            gender = "F" if rng.random() < 0.6 else "M"
            employer = (
                f"{window.department}(在编)" if window.window_type == "部门窗口" and rng.random() < 0.5
                else rng.choice(AGENCIES)
            )
            staff_rows.append({
                "employee_no": f"GW{number:04d}", "name": person_name(rng, gender, used), "gender": gender,
                "party_member": rng.random() < 0.3, "employer": employer, "window": window.id,
                "post": post, "status": "active", "centre": window.centre_id,
            })
    with db.atomic():
        Staff.insert_many(staff_rows).execute()
    create_user("admin", "窗口管理科 陈主任", "manager", DEMO_PASSWORDS["admin"])
    create_user("xuncha1", "巡查员 李明", "inspector", DEMO_PASSWORDS["xuncha1"])
    create_user("xuncha2", "巡查员 王芳", "inspector", DEMO_PASSWORDS["xuncha2"])
    return {"windows": windows, "areas": areas, "centre": centre.id}


def working_days(period: Period) -> list[dt.date]:
    days, day = [], period.start
    while day < period.end:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def generate_inspections(seed: int, period: Period, progress: Callable[[int, int], None] | None = None,
                         inspectors: list[User] | None = None, windows: list[Window] | None = None,
                         per_round: int = 9, centre_id=scope.SOLE) -> int:
    """A month of patrols: each inspector walks ~`per_round` windows twice a day; returns inspections made."""
    rng = random.Random(f"inspections-{seed}")
    settings = load_settings(centre_id=centre_id)
    version = latest_version(inspections.DEFAULT_CHECKLIST)
    items = version_items(version)
    if inspectors is None:
        inspectors = list(User.select().where(User.role == "inspector").order_by(User.username))
    if windows is None:
        windows = list(Window.select().order_by(Window.code))
    staff_by_window: dict[int, list[Staff]] = {}
    for s in Staff.select().where(Staff.window.in_([w.id for w in windows])).order_by(Staff.employee_no):
        staff_by_window.setdefault(s.window_id, []).append(s)
    per_round = min(per_round, len(windows))
    # A few people are careless; most are good. Failure odds per item per inspection.
    carelessness = {s.id: rng.choice([0.002, 0.004, 0.006, 0.008, 0.01]) for ss in staff_by_window.values() for s in ss}
    for s in rng.sample(sorted(carelessness), min(6, max(1, len(carelessness) // 13))):  # 6 of the demo's 80
        carelessness[s] = rng.choice([0.04, 0.055, 0.07])
    days = working_days(period)
    total = len(days) * len(inspectors) * 2
    done = made = 0
    for day in days:
        for inspector in inspectors:
            for start_hour in (9, 14):
                clock = dt.datetime.combine(day, dt.time(start_hour, rng.randint(0, 20)))
                for window in rng.sample(windows, per_round):
                    on_duty = staff_by_window[window.id]
                    staff = on_duty[0] if rng.random() < 0.8 else on_duty[-1]
                    method = rng.choices(["onsite", "video", "mystery"], [0.8, 0.15, 0.05])[0]
                    observed = clock
                    started = clock + (dt.timedelta(hours=rng.randint(1, 3)) if method == "video" else dt.timedelta())
                    one_inspection(rng, inspector, window, staff, method, observed, started, version,
                                    items, carelessness[staff.id], settings)
                    made += 1
                    clock += dt.timedelta(minutes=rng.randint(4, 9))
                done += 1
                if progress:
                    progress(done, total)
    return made


def one_inspection(rng, inspector, window, staff, method, observed, started, version, items, p_fail, settings):
    insp = Inspection.create(
        uuid=str(uuid.UUID(int=rng.getrandbits(128), version=4)), window=window, staff=staff,
        inspector=inspector, method=method, observed_at=observed, started_at=started,
        checklist_version=version,
    )
    results, notes = {}, {}
    for item in items:
        if not applies(item, staff.gender, staff.party_member, window.window_type):
            continue
        if item.kind == "bonus":
            if rng.random() < 0.01:
                results[item.id] = "pass"
            continue
        odds = p_fail / 40 if item.severity == "veto" else p_fail
        if rng.random() < odds:
            results[item.id] = "fail"
            notes[item.id] = "现场发现, 已当场提醒"
        else:
            results[item.id] = "pass"
    inspections.set_results(insp, results, notes)
    record_changes.finalise(insp, at=started + dt.timedelta(minutes=rng.randint(3, 6)), settings=settings)


def make_demo(seed: int = 1, period: Period | None = None, with_inspections: bool = True,
              progress: Callable[[int, int], None] | None = None) -> DemoSummary:
    """Fill an empty database with the demo centre (and a month of inspections unless told not to)."""
    if not is_empty():
        raise PatrolError("数据库中已有数据, 演示中心只能建在空数据库上")
    with db.atomic():
        centre_id = build_roster(seed)["centre"]
    made = 0
    if with_inspections:
        with db.atomic():  # one commit: a month of patrols in seconds, and all or nothing
            made = generate_inspections(seed, period, progress, centre_id=centre_id)
    return DemoSummary(
        areas=Area.select().count(), windows=Window.select().count(), staff=Staff.select().count(),
        users=User.select().count(), inspections=made,
        failed=Inspection.select().where(Inspection.passed == False).count(),  # noqa: E712
        probation_cases=ProbationCase.select().count(), period=period if with_inspections else None,
    )
