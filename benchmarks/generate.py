"""Generated centres at benchmark scale, written with executemany in one transaction.

Scores come from the real scoring module, so the stored figures are what the app would store.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid

from app.centres.settings import load_settings
from app.patrolling import inspections
from app.patrolling.checklists import applies, latest_version, version_items
from app.patrolling.scoring import ScoredItem, score_with_settings
from app.people.accounts import create_user
from app.setup.centres import create_centre
from app.storage.db import bulk_insert
from app.storage.models import Area, Inspection, ItemResult, Staff, User, Window
from app.storage.proxy import db

TYPES = ("综合窗口", "部门窗口", "帮办窗口", "总服务台")
DEPARTMENTS = ["市场监管局", "人社局", "医保局", "公积金管理中心", "税务局", "不动产登记中心", "公安局出入境", "住建局", "民政局", "卫健委",
               "交通局", "教育局", "文旅局", "商务局", "农业农村局", "生态环境局", "自然资源局", "退役军人事务局", "残联", "司法局"]


def working_days(start: dt.date, count: int) -> list[dt.date]:
    days, day = [], start
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def generate(windows: int, staff_per_window: int, days: list[dt.date], inspections_per_day: int,
             seed: int = 1) -> dict:
    """A centre of `windows` windows and its inspections on `days`; returns counts."""
    build_centre(windows, staff_per_window, seed)
    return add_inspections(days, inspections_per_day, seed)


def build_centre(windows: int, staff_per_window: int, seed: int = 1) -> None:
    """Centre, areas, windows, staff and four inspectors."""
    rng = random.Random(seed)
    with db.atomic():
        centre = create_centre("BENCH", "基准测试政务服务中心")
        areas = [Area.create(centre=centre, code=f"F{n}", name=f"{n}楼大厅") for n in range(1, 7)]
        rows = []
        for n in range(windows):
            wtype = TYPES[0] if n % 10 < 5 else TYPES[1] if n % 10 < 8 else TYPES[2] if n % 10 < 9 else TYPES[3]
            dept = "政务服务中心" if wtype != "部门窗口" else DEPARTMENTS[n % len(DEPARTMENTS)]
            rows.append((centre.id, areas[n % len(areas)].id, f"W{n + 1:03d}", f"{wtype}{n + 1}号", wtype, dept, True))
        bulk_insert(Window, ["centre", "area", "code", "name", "window_type", "department", "active"], rows)
        window_rows = list(Window.select().order_by(Window.id))
        staff = []
        for w in window_rows:
            for p in range(staff_per_window):
                staff.append((f"E{len(staff) + 1:05d}", f"员工{len(staff) + 1}", rng.choice("MF"), rng.random() < 0.3,
                              rng.choice(["甲劳务公司", "乙劳务公司", "丙劳务公司"]), w.id, "AB"[p % 2], "active", centre.id))
        bulk_insert(Staff, ["employee_no", "name", "gender", "party_member", "employer", "window", "post", "status",
                            "centre"], staff)
        for n in range(1, 5):
            create_user(f"bench{n}", f"巡查员{n}", "inspector", "bench123")
        create_user("benchboss", "窗口管理科", "manager", "bench123")  # a manager's first screen is the dashboard


def add_inspections(days: list[dt.date], inspections_per_day: int, seed: int = 1) -> dict:
    """Finalised inspections with all their item results, scored by the scoring module."""
    rng = random.Random(f"inspections-{seed}")
    inspectors = list(User.select().where(User.role == "inspector").order_by(User.username))
    window_rows = list(Window.select().order_by(Window.id))
    version = latest_version(inspections.DEFAULT_CHECKLIST)
    items = version_items(version)
    settings = load_settings(None, None)  # a generated district's centres all keep the district centre's rules
    staff_by_window: dict[int, list[Staff]] = {}
    for s in Staff.select():
        staff_by_window.setdefault(s.window_id, []).append(s)
    careless = {s.id: (0.03 if rng.random() < 0.05 else 0.004) for ss in staff_by_window.values() for s in ss}
    applicable: dict[tuple, list] = {}
    made = results = 0
    with db.atomic():
        for day in days:
            insp_rows, result_rows = [], []
            first_id = (Inspection.select(Inspection.id).order_by(Inspection.id.desc()).scalar() or 0) + 1
            for k in range(inspections_per_day):
                w = window_rows[rng.randrange(len(window_rows))]
                person = rng.choice(staff_by_window[w.id])
                key = (person.gender, person.party_member, w.window_type)
                if key not in applicable:
                    applicable[key] = [i for i in items if applies(i, *key)]
                chosen = applicable[key]
                when = dt.datetime.combine(day, dt.time(9 + (k * 8) // inspections_per_day, rng.randrange(60)))
                outcome = {}
                for item in chosen:
                    if item.kind == "bonus":
                        if rng.random() < 0.01:
                            outcome[item.id] = "pass"
                    else:
                        odds = careless[person.id] / (40 if item.severity == "veto" else 1)
                        outcome[item.id] = "fail" if rng.random() < odds else "pass"
                score = score_with_settings([ScoredItem(i.code, i.category.code, i.deduction, i.severity, i.kind,
                                                        outcome.get(i.id)) for i in chosen], settings)
                insp_id = first_id + len(insp_rows)
                insp_rows.append((insp_id, str(uuid.UUID(int=rng.getrandbits(128), version=4)), 1, w.id, person.id,
                                  inspectors[k % len(inspectors)].id, "onsite", when, when, when + dt.timedelta(minutes=5),
                                  version.id, "final", "", score.score, score.bonus, score.deductions, score.vetoed,
                                  score.passed, score.grade, when, ""))
                result_rows += [(insp_id, item_id, r, "", "") for item_id, r in outcome.items()]
            bulk_insert(Inspection, ["id", "uuid", "revision", "window", "staff", "inspector", "method", "observed_at",
                                     "started_at", "finished_at", "checklist_version", "status", "note", "score", "bonus",
                                     "deductions", "vetoed", "passed", "grade", "updated_at", "content_hash"], insp_rows)
            bulk_insert(ItemResult, ["inspection", "item", "result", "note", "photos"], result_rows)
            made += len(insp_rows)
            results += len(result_rows)
    if not db.obj.__class__.__name__.startswith("Sqlite"):
        db.obj.execute_sql("SELECT setval(pg_get_serial_sequence('inspection', 'id'), (SELECT MAX(id) FROM inspection))")
    return {"windows": len(window_rows), "staff": Staff.select().count(), "inspections": made, "item_results": results,
            "inspectors": len(inspectors)}
