"""Centres that run their own databases send their month to the district as signed packages; the
district's rankings are the same as if every inspection had been written to one shared database."""

from __future__ import annotations

import pytest

from app import periods
from app.errors import PatrolError, PermissionDenied
from app.exchange.centre_package import export_month, trust_office
from app.exchange.results_import import import_package
from app.keys import identity
from app.loop import record_changes
from app.people.accounts import create_user
from app.results import centre_ranking, rankings
from app.setup.centres import add_centre, create_centre
from app.storage import db as dbmod
from app.storage.models import Area, Inspection, Staff, User, Window
from tests.conftest import _reset_pg, at
from tests.helpers import FAILING, inspect

OCT = periods.month("2026-10")
CENTRES = {"JD1": "城东街道中心", "JD2": "城西街道中心", "ZZ1": "临江镇中心"}
PLAN = {  # each centre's October: (window, day, failed items)
    "JD1": [("A01", "2026-10-05", ()), ("A01", "2026-10-12", ("DISC-07",)), ("A02", "2026-10-06", FAILING)],
    "JD2": [("A01", "2026-10-07", ("DISC-07",)), ("A02", "2026-10-07", ("DISC-07",))],
    "ZZ1": [("A01", "2026-10-08", ()), ("A02", "2026-10-09", ("DESK-09",)), ("A02", "2026-10-20", FAILING)],
}
AMEND = ("JD1", 2, {"DRESS-01": "pass", "DRESS-12": "pass", "TABOO-12": "pass"})  # a manager's revision 2


def _roster(code: str, centre) -> None:
    area = Area.create(centre=centre, code="A", name="大厅")
    for w in ("A01", "A02"):
        window = Window.create(area=area, code=w, name=f"{w}窗口", window_type="综合窗口", department="中心")
        Staff.create(employee_no=f"{code}-{w}", name=f"{code}{w}人员", gender="F", employer="某劳务公司", window=window)


def _patrol(code: str, inspector, centre_id) -> None:
    made = []
    for window, day, fails in PLAN[code]:
        w = Window.get((Window.code == window) & (Window.centre == centre_id))
        made.append(inspect(w, inspector, Staff.get(Staff.window == w), at(day), fail=fails))
    if AMEND[0] == code:
        boss = User.get(User.role == "manager")
        record_changes.amend(made[AMEND[1]], boss, AMEND[2], "复核后改判")


def _district(boss_name: str = "qu"):
    create_centre("QU", "区政务服务中心")
    boss = create_user(boss_name, "区政务服务办公室", "manager", "secret9")
    centres = {code: add_centre(boss, code, name, "street", "全区推行") for code, name in CENTRES.items()}
    return boss, centres


def _rankings() -> tuple:
    centres = [r.as_dict() for r in centre_ranking.rank_centres(OCT)]
    windows = [(r.extra["centre_code"], r.as_dict()) for r in rankings.rank(OCT, "window", centre_id=None)]
    staff = [r.as_dict() for r in rankings.rank(OCT, "staff", centre_id=None)]
    return centres, windows, staff


def _fresh(target: str, tmp_path, name: str) -> str:
    if target.startswith("postgresql"):
        _reset_pg(target)
        return target
    return str(tmp_path / f"{name}.db")


@pytest.fixture
def centre_packages(tmp_path):
    """Each centre's own SQLite database and its October package: (path, key id, public key)."""
    out = {}
    for code, name in CENTRES.items():
        dbmod.open_database(str(tmp_path / f"{code}.db"))
        try:
            centre = create_centre(code, name)
            _roster(code, centre)
            create_user("admin", "管理员", "manager", "admin123")
            _patrol(code, create_user("xuncha1", "巡查员", "inspector", "patrol123"), centre.id)  # the same name in every centre
            me = identity.local()
            package = export_month(tmp_path / f"{code}-2026-10.wpr", OCT, User.get(User.username == "admin")).path
            out[code] = (package, me.key_id, me.public_key)
        finally:
            dbmod.close_database()
    return out


def test_packages_in_any_order_twice_rank_as_one_shared_database(db_target, tmp_path, centre_packages):
    direct = _fresh(db_target, tmp_path, "direct")
    dbmod.open_database(direct)
    try:
        _, centres = _district()
        for code, centre in centres.items():
            _roster(code, centre)
            create_user(f"{code.lower()}boss", "中心管理员", "manager", "secret8", centre=centre)
            _patrol(code, create_user(f"{code.lower()}xc", "巡查员", "inspector", "patrol123", centre=centre), centre.id)
        expected = _rankings()
    finally:
        dbmod.close_database()
    assert [c["rank"] for c in expected[0]] == [1, 2, 3, 0] and expected[1]

    for n, order in enumerate((("JD1", "JD2", "ZZ1"), ("ZZ1", "JD1", "JD2"))):
        target = _fresh(db_target, tmp_path, f"via-packages-{n}")
        dbmod.open_database(target)
        try:
            boss, centres = _district()
            for code, (_, key_id, public_key) in centre_packages.items():
                trust_office(boss, code, key_id, public_key, "核对指纹后登记")
            summaries = [import_package(centre_packages[code][0], boss, centre_id=None) for code in order + order]
            assert [s.new for s in summaries] == [len(PLAN[c]) for c in order] + [0, 0, 0]
            assert all(s.unchanged == len(PLAN[c]) for s, c in zip(summaries[3:], order)), "twice changes nothing"
            assert _rankings() == expected
            amended = Inspection.get(Inspection.revision == 2)
            assert amended.passed and amended.inspector.username == "JD1.xuncha1" and not amended.inspector.active
            assert Staff.get(Staff.employee_no == "ZZ1-A02").centre.code == "ZZ1"
        finally:
            dbmod.close_database()


@pytest.fixture
def empty_district(db_target, tmp_path, centre_packages):
    """A district database with the three centres and nothing else, open: (manager, centres)."""
    dbmod.open_database(_fresh(db_target, tmp_path, "district"))
    try:
        yield _district()
    finally:
        dbmod.close_database()


def test_a_centre_package_is_refused_unless_the_district_trusts_that_centres_office(empty_district, centre_packages):
    boss, centres = empty_district
    package, key_id, public_key = centre_packages["JD1"]
    with pytest.raises(PatrolError, match="未在本中心登记"):
        import_package(package, boss, centre_id=None)
    trust_office(boss, "JD2", key_id, public_key, "登记错了中心")  # the key of JD1 registered as JD2's
    with pytest.raises(PatrolError, match="与签名的中心管理端"):
        import_package(package, boss, centre_id=None)
    assert not Inspection.select().exists() and not Window.select().where(Window.centre == centres["JD1"].id).exists()
    centre_boss = create_user("jd1boss", "中心管理员", "manager", "secret8", centre=centres["JD1"])
    with pytest.raises(Exception, match="区级管理员"):
        trust_office(centre_boss, "JD1", "CX1", "a" * 64, "试")


def test_the_same_employee_number_for_two_people_in_two_centres_is_refused_whole(empty_district, centre_packages):
    boss, centres = empty_district
    area = Area.create(centre=centres["JD2"], code="A", name="大厅")
    window = Window.create(area=area, code="A09", name="A09窗口", window_type="综合窗口", department="中心")
    Staff.create(employee_no="JD1-A01", name="另一个人", gender="M", employer="某公司", window=window)
    package, key_id, public_key = centre_packages["JD1"]
    trust_office(boss, "JD1", key_id, public_key, "核对指纹后登记")
    with pytest.raises(PatrolError, match="属于乙街道中心|属于城西街道中心"):
        import_package(package, boss, centre_id=None)
    assert not Inspection.select().exists() and Staff.get(Staff.employee_no == "JD1-A01").name == "另一个人"



def _resign(package, centre_db, out, change_records=None):
    """Rewrite a centre's month package and sign it again with that centre office's own key (what a
    centre's manager, who holds their office database, can do)."""
    import hashlib
    import json
    import sqlite3
    import zipfile

    from app.keys import signing

    with zipfile.ZipFile(package) as zf:
        members = {n: zf.read(n) for n in zf.namelist() if n not in ("manifest.json", "signature")}
        manifest = json.loads(zf.read("manifest.json"))
    records = [json.loads(line) for line in members["inspections.jsonl"].decode().splitlines() if line]
    if change_records:
        change_records(records)
    text = "".join(json.dumps(r, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n" for r in records)
    members["inspections.jsonl"] = text.encode()
    manifest["files"]["inspections.jsonl"] = hashlib.sha256(members["inspections.jsonl"]).hexdigest()
    body = json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True).encode()
    with sqlite3.connect(centre_db) as con:
        key_id, private = con.execute("SELECT key_id, private_key FROM identity").fetchone()
    with zipfile.ZipFile(out, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
        zf.writestr("manifest.json", body)
        zf.writestr("signature", f"ed25519 {key_id} {signing.sign(private, body)}")
    return out


def test_a_centres_package_cannot_overwrite_another_centres_record_by_its_uuid(empty_district, centre_packages, tmp_path):
    boss, centres = empty_district
    for code in ("JD1", "JD2"):
        _, key_id, public_key = centre_packages[code]
        trust_office(boss, code, key_id, public_key, "核对指纹后登记")
    import_package(centre_packages["JD2"][0], boss, centre_id=None)
    victim = Inspection.select().first()
    before = (victim.revision, victim.window_id, victim.score)

    def steal(records):
        records[0]["uuid"], records[0]["revision"] = victim.uuid, 9

    forged = _resign(centre_packages["JD1"][0], tmp_path / "JD1.db", tmp_path / "forged.wpr", steal)
    with pytest.raises(PatrolError, match="属于其他中心"):
        import_package(forged, boss, centre_id=None)
    victim = Inspection.get_by_id(victim.id)
    assert (victim.revision, victim.window_id, victim.score) == before
    assert victim.window.centre.code == "JD2"
    assert not Inspection.select().join(Window).where(Window.centre == centres["JD1"].id).exists()


def test_a_roster_never_moves_another_centres_person_and_only_the_district_imports_a_centres_month(
        empty_district, centre_packages):
    boss, centres = empty_district
    _, key_id, public_key = centre_packages["JD1"]
    trust_office(boss, "JD1", key_id, public_key, "核对指纹后登记")
    # JD2's person, with the same number and name as JD1's roster says
    area = Area.create(centre=centres["JD2"], code="A", name="大厅")
    window = Window.create(area=area, code="A09", name="A09窗口", window_type="综合窗口", department="中心")
    Staff.create(employee_no="JD1-A02", name="JD1A02人员", gender="F", employer="某劳务公司", window=window)
    with pytest.raises(PatrolError, match="调动须由区级管理员办理"):
        import_package(centre_packages["JD1"][0], boss, centre_id=None)
    moved = Staff.get(Staff.employee_no == "JD1-A02")
    assert moved.centre.code == "JD2" and not moved.probation_cases.exists()

    jd2admin = create_user("jd2admin", "城西管理员", "manager", "secret8", centre=centres["JD2"])
    with pytest.raises(PermissionDenied, match="只能由区级管理员导入"):
        import_package(centre_packages["JD1"][0], jd2admin, centre_id=centres["JD2"].id)
    assert not Inspection.select().exists()
