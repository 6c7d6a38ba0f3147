"""A demo district: the demo centre as the district centre, a branch centre and street centres, each
with its own windows, staff, manager and inspector, the district's 明查暗访 team, and a month of
patrols in every centre (`main.py demo --district`)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from app.centres import district
from app.centres.centre import is_empty
from app.centres.settings import load_settings
from app.demo import centre as demo
from app.errors import PatrolError
from app.patrolling import inspections
from app.patrolling.checklists import latest_version, version_items
from app.people.accounts import create_user
from app.periods import Period
from app.setup.centres import add_centre
from app.storage.models import Area, Centre, Inspection, ProbationCase, Staff, User, Window
from app.storage.proxy import db

# (code, name, kind, windows: (area, code, name, type, department) …)
CENTRES = [
    ("FZX", "示范区政务服务中心东部分中心", "branch",
     [("A", "Z01", "总服务台", "总服务台", "政务服务中心")]
     + [("A", f"A{n:02d}", f"综合窗口{n}号", "综合窗口", "政务服务中心") for n in range(1, 9)]
     + [("A", f"B{n:02d}", f"{d}窗口", "部门窗口", d) for n, d in enumerate(("税务局", "人社局", "医保局"), start=1)]),
] + [
    (code, name, "street",
     [("A", "Z01", "咨询台", "总服务台", "社区事务受理服务中心")]
     + [("A", f"A{n:02d}", f"综合窗口{n}号", "综合窗口", "社区事务受理服务中心") for n in range(1, 5)]
     + [("A", "C01", "帮办窗口", "帮办窗口", "社区事务受理服务中心")])
    for code, name in (("JD1", "城东街道社区事务受理服务中心"), ("JD2", "城西街道社区事务受理服务中心"),
                       ("ZZ1", "临江镇社区事务受理服务中心"))
]
PASSWORDS = {"admin": "admin123 (区级管理员)", "xuncha1": "patrol123", "mingcha": "patrol123 (区明查暗访组)"} | {
    f"{code.lower()}admin": "admin123" for code, *_ in CENTRES} | {f"{code.lower()}xc": "patrol123" for code, *_ in CENTRES}


def make_demo_district(seed: int = 1, period: Period | None = None, with_inspections: bool = True,
                       progress: Callable[[int, int], None] | None = None) -> demo.DemoSummary:
    """Fill an empty database with a district of five centres of the three kinds."""
    if not is_empty():
        raise PatrolError("数据库中已有数据, 演示全区只能建在空数据库上")
    rng = random.Random(f"district-{seed}")
    with db.atomic():
        demo.build_roster(seed)  # the district centre: 40 windows, admin (the district's), xuncha1/2
        home = Centre.get()
        User.update(centre=home).where(User.role == "inspector").execute()  # the district centre's own team
        boss = User.get(User.username == "admin")
        create_user("mingcha", "区明查暗访组", "inspector", "patrol123")  # no centre: inspects any centre
        for code, name, kind, plan in CENTRES:
            centre = add_centre(boss, code, name, kind, "示范区全面推行窗口服务规范巡查")
            areas = {"A": Area.create(centre=centre, code="A", name="受理大厅")}
            used: set[str] = set()
            staff_rows = []
            for number, (area, wcode, wname, wtype, dept) in enumerate(plan, start=1):
                window = Window.create(area=areas[area], code=wcode, name=wname, window_type=wtype, department=dept)
                for post in ("A", "B"):
                    gender = "F" if rng.random() < 0.6 else "M"
                    staff_rows.append({
                        "employee_no": f"{code}{number:02d}{post}", "name": demo.person_name(rng, gender, used),
                        "gender": gender, "party_member": rng.random() < 0.3, "employer": rng.choice(demo.AGENCIES),
                        "window": window.id, "post": post, "status": "active", "centre": centre.id})
            Staff.insert_many(staff_rows).execute()
            create_user(f"{code.lower()}admin", f"{name[:6]}管理员", "manager", "admin123", centre=centre)
            create_user(f"{code.lower()}xc", f"{name[:6]}巡查员", "inspector", "patrol123", centre=centre)
    made = 0
    if with_inspections:
        with db.atomic():
            for n, centre in enumerate(district.centres()):
                windows = list(Window.select().where(Window.centre == centre.id).order_by(Window.code))
                team = list(User.select().where((User.centre == centre.id) & (User.role == "inspector"))
                            .order_by(User.username))
                made += demo.generate_inspections(seed + n, period, progress if n == 0 else None, team, windows,
                                                  per_round=9 if len(windows) > 12 else 3, centre_id=centre.id)
            # The district's team: now and then a visit to any centre, counted for that centre.
            version = latest_version(inspections.DEFAULT_CHECKLIST)
            items = version_items(version)
            mingcha = User.get(User.username == "mingcha")
            for window in rng.sample(list(Window.select().order_by(Window.id)), 12):
                staff = Staff.select().where(Staff.window == window).order_by(Staff.post).first()
                seen = dt.datetime.combine(rng.choice(demo.working_days(period)), dt.time(10, rng.randint(0, 59)))
                demo.one_inspection(rng, mingcha, window, staff, "mystery", seen, seen, version, items, 0.02,
                                     load_settings(seen.date(), window.centre_id))
                made += 1
    return demo.DemoSummary(
        areas=Area.select().count(), windows=Window.select().count(), staff=Staff.select().count(),
        users=User.select().count(), inspections=made,
        failed=Inspection.select().where(Inspection.passed == False).count(),  # noqa: E712
        probation_cases=ProbationCase.select().count(), period=period if with_inspections else None,
    )
