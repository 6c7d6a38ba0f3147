"""District checklists that a centre adopts, or extends with items of its own."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from app.centres.settings import load_settings
from app.errors import ChecklistError, PatrolError
from app.patrolling import centre_checklists, checklist_versions, checklists, inspections
from app.people.accounts import create_user
from app.storage.models import AuditEntry, Checklist, ChecklistVersion, Inspection
from tests.conftest import at
from tests.test_district import District

ROOT = Path(__file__).resolve().parent.parent

# A street centre's 24-hour self-service area (seed 001 二(三)8), in a category of its own, and one more
# discipline item in the district's DISC category.
EXTENSION = '''
checklist = "WINDOW"
checklist_name = "窗口服务规范巡查表"

[category]
code = "SELF"
name = "自助服务区"

[[items]]
code = "SELF-01"
text = "自助服务终端运行正常, 有人指导群众使用"
source = "001"
clause = "二(三)8 24小时自助服务区; 二(一)2(5) 介绍服务"
deduction = 2
'''
MORE_DISCIPLINE = '''
checklist = "WINDOW"
checklist_name = "窗口服务规范巡查表"

[category]
code = "DISC"
name = "工作纪律"

[[items]]
code = "DISC-S1"
text = "接听电话在三声之内, 先报单位名称"
source = "001"
clause = "二(二)2(2)a 电话礼仪要求"
deduction = 1
'''


@pytest.fixture
def street(database, tmp_path):
    """A district whose street centre S1 has its own manager, in S1's view; and the extension files."""
    county = District()
    s1 = county.centres["S1"]
    boss = create_user("s1boss", "甲街道中心管理员", "manager", "secret7", centre=s1)
    (tmp_path / "self.toml").write_text(EXTENSION, encoding="utf-8")
    (tmp_path / "disc.toml").write_text(MORE_DISCIPLINE, encoding="utf-8")
    files = checklists.load_files([tmp_path / "self.toml", tmp_path / "disc.toml"])
    return county, boss, files


def test_a_centre_extends_the_district_checklist_and_patrols_with_it(street):
    county, boss, files = street
    version, created = centre_checklists.extend(files, boss, "本中心设有24小时自助服务区", centre_id=county.centres["S1"].id)
    assert created and version.checklist.code == "WINDOW.S1" and version.checklist.centre.code == "S1"
    base = checklists.latest_version("WINDOW")
    assert version.base_version_id == base.id
    codes = [i.code for i in checklists.version_items(version)]
    base_codes = [i.code for i in checklists.version_items(base)]
    assert codes[-1] == "SELF-01", "the centre's own category comes after the district's"
    assert set(codes) == set(base_codes) | {"SELF-01", "DISC-S1"}, "the district's items, every one, plus the centre's"
    disc = [i.code for i in checklists.version_items(version) if i.category.code == "DISC"]
    assert disc[-1] == "DISC-S1", "added to the district's own category, after its items"
    assert load_settings(None, county.centres["S1"].id).checklist == "WINDOW.S1"
    done = county.inspect("S1", "A01", "2026-10-08", fail=("SELF-01",))
    assert done.checklist_version_id == version.id and done.score == 98.0
    actions = [a for (a,) in AuditEntry.select(AuditEntry.action).where(AuditEntry.username == "s1boss").tuples()]
    assert actions == ["checklist.version", "settings.change"]
    again, created = centre_checklists.extend(files, boss, "再载入一次", centre_id=county.centres["S1"].id)
    assert (again.id, created) == (version.id, False), "the same extension twice is one version"


def test_other_centres_neither_see_nor_use_a_centres_extension(street):
    county, boss, files = street
    centre_checklists.extend(files, boss, "自助服务区", centre_id=county.centres["S1"].id)
    s2 = county.centres["S2"].id
    assert load_settings(None, s2).checklist == "WINDOW"
    assert [r[0] for r in centre_checklists.checklist_rows(centre_id=s2)] == ["WINDOW"]
    with pytest.raises(PatrolError, match="没有可用的检查表 WINDOW.S1"):
        centre_checklists.adopt("WINDOW.S1", county.boss, "试用甲街道的", centre_id=s2)
    done = county.inspect("S2", "A01", "2026-10-09")
    assert done.checklist_version.checklist.code == "WINDOW"
    assert [r[:3] for r in centre_checklists.checklist_rows(centre_id=None)] == [
        ("WINDOW", "窗口服务规范巡查表", "区级"), ("WINDOW.S1", "窗口服务规范巡查表（甲街道中心）", "甲街道中心")]


def test_a_centre_cannot_change_a_district_item_and_nothing_is_written(street, tmp_path):
    county, boss, _ = street
    changed = MORE_DISCIPLINE.replace('code = "DISC-S1"', 'code = "DISC-07"')
    (tmp_path / "bad.toml").write_text(changed, encoding="utf-8")
    with pytest.raises(ChecklistError, match="DISC-07 是区级检查项, 本中心不能修改"):
        centre_checklists.extend(checklists.load_files([tmp_path / "bad.toml"]), boss, "想改区级的",
                                 centre_id=county.centres["S1"].id)
    assert not Checklist.select().where(Checklist.centre.is_null(False)).exists()
    assert load_settings(None, county.centres["S1"].id).checklist == "WINDOW"


def test_only_the_district_loads_district_checklists(street):
    _, boss, _ = street
    with pytest.raises(ChecklistError, match="区级检查表只能由全区管理员载入"):
        checklist_versions.register(checklists.load_directory(), user=boss, reason="中心想改")


def test_a_new_district_version_rebuilds_each_extension_and_a_clash_refuses_it(street, tmp_path):
    county, boss, files = street
    centre_checklists.extend(files, boss, "自助服务区", centre_id=county.centres["S1"].id)
    shipped = tmp_path / "district"
    shutil.copytree(ROOT / "checklists", shipped)
    edited = shipped / "01_appearance.toml"
    edited.write_text(edited.read_text(encoding="utf-8").replace("头发保持整洁清爽", "头发整洁清爽"), encoding="utf-8")
    made = checklist_versions.register(checklists.load_directory(shipped), user=county.boss, reason="区里修订规范")
    assert [(v.checklist.code, v.version, created) for v, created in made] == [("WINDOW", 2, True), ("WINDOW.S1", 2, True)]
    rebuilt = checklists.latest_version("WINDOW.S1")
    assert rebuilt.base_version.version == 2
    texts = {i.code: i.text for i in checklists.version_items(rebuilt)}
    assert "SELF-01" in texts and "DISC-S1" in texts
    assert any("头发整洁清爽" in t for t in texts.values()), "the district's change reaches the centre's checklist"
    assert load_settings(None, county.centres["S1"].id).checklist == "WINDOW.S1"

    clash = shipped / "09_clash.toml"
    clash.write_text(EXTENSION.replace('code = "SELF"', 'code = "HALL"').replace('name = "自助服务区"', 'name = "大厅"')
                     .replace("有人指导群众使用", "有专人值守"), encoding="utf-8")
    with pytest.raises(ChecklistError, match="甲街道中心在 WINDOW 上扩展的检查项与新版本冲突"):
        checklist_versions.register(checklists.load_directory(shipped), user=county.boss, reason="区里也加自助区")
    assert checklists.latest_version("WINDOW").version == 2, "the district's load is refused whole"


def test_a_centre_adopts_another_district_checklist(street, tmp_path):
    county, boss, _ = street
    lite = tmp_path / "lite"
    lite.mkdir()
    shutil.copy(ROOT / "checklists" / "sources.toml", lite)
    for f in ("02_dress.toml", "04_discipline.toml"):
        text = (ROOT / "checklists" / f).read_text(encoding="utf-8")
        text = text.replace('checklist = "WINDOW"', 'checklist = "LITE"').replace('checklist_name = "窗口服务规范巡查表"',
                                                                                   'checklist_name = "街镇简版检查表"')
        (lite / f).write_text(text, encoding="utf-8")
    checklist_versions.register(checklists.load_directory(lite), user=county.boss, reason="街镇中心可用的简版")
    assert centre_checklists.adopt("LITE", boss, "街镇中心窗口少, 用简版", centre_id=county.centres["S1"].id)
    round_ = inspections.start_inspection(county.windows[("S1", "A02")], county.inspector, observed_at=at("2026-10-10"))
    assert round_.checklist_version.checklist.code == "LITE"
    assert load_settings(None, county.centres["S2"].id).checklist == "WINDOW"
    assert not centre_checklists.adopt("LITE", boss, "again", centre_id=county.centres["S1"].id), "already in use"


def test_the_command_line_extends_adopts_and_lists(street, tmp_path, capsys, monkeypatch, db_target):
    import cli
    from app.storage import db as dbmod

    county, _, _ = street
    path = db_target
    monkeypatch.setenv("WINDOW_PATROL_PASSWORD", "secret7")
    dbmod.close_database()
    try:
        argv = ["--db", path, "--user", "s1boss"]
        assert cli.main(["checklists", "extend", str(tmp_path / "self.toml"), *argv, "--reason", "自助服务区"]) == 0, \
            capsys.readouterr().err
        out = capsys.readouterr().out
        assert "WINDOW.S1 第 1 版" in out and "区级 WINDOW 第 1 版上扩展" in out
        assert cli.main(["checklists", "list", *argv]) == 0
        out = capsys.readouterr().out
        assert "WINDOW.S1" in out and "本中心" in out and "区级" in out
        assert cli.main(["checklists", "adopt", "WINDOW", *argv, "--reason", "暂停使用自助区检查项"]) == 0
        assert cli.main(["checklists", "adopt", "NOPE", *argv, "--reason", "x"]) == 2
        assert "没有可用的检查表 NOPE" in capsys.readouterr().err
    finally:
        dbmod.open_database(path)


def test_an_extension_travels_to_a_laptop_and_back(street, tmp_path, db_target):
    """The set-up file carries the centre's checklist; the laptop patrols with it; the office takes it."""
    from app.exchange.results_import import import_package
    from app.storage import db as dbmod
    from tests.helpers import enrol_laptop, export_from, on_laptop

    county, boss, files = street
    centre_checklists.extend(files, boss, "自助服务区", centre_id=county.centres["S1"].id)
    create_user("admin", "管理员", "manager", "admin123", centre=county.centres["S1"])
    create_user("xuncha1", "巡查员", "inspector", "patrol123", centre=county.centres["S1"])
    office = db_target
    laptop = tmp_path / "laptop.db"
    enrol_laptop(office, laptop, tmp_path)
    on_laptop(laptop, [("A01", "2026-10-14", ("SELF-01",))])
    package = export_from(laptop, tmp_path / "lap.wpr")
    dbmod.open_database(office)
    summary = import_package(package.path, boss, centre_id=county.centres["S1"].id)
    assert summary.new == 1
    got = Inspection.get(Inspection.observed_at == at("2026-10-14").replace(hour=10))
    assert got.checklist_version.checklist.code == "WINDOW.S1" and got.score == 98.0
    assert ChecklistVersion.select().join(Checklist).where(Checklist.code == "WINDOW.S1").count() == 1
