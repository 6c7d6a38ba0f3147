"""Checklists: the shipped files trace to the seeds; loading validates; content changes make versions."""

import re
import tomllib
from pathlib import Path

import pytest

from app.errors import ChecklistError
from app.patrolling import checklist_versions, checklists
from app.patrolling.checklist_versions import register
from app.patrolling.checklists import applies, load_directory, load_files
from app.storage.models import ChecklistVersion, Item

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"


def shipped():
    (definition,) = load_directory()
    return definition


def test_shipped_checklist_covers_the_required_categories_with_80_items_or_more():
    definition = shipped()
    names = {c.name for c in definition.categories}
    assert {"仪容仪表", "着装", "桌面物品摆放", "服务纪律", "服务礼仪"} <= names
    assert len(definition.items) >= 80
    assert len({i.code for i in definition.items}) == len(definition.items)


def test_every_item_cites_a_known_source_and_a_clause():
    sources = checklists.load_sources(checklists.SHIPPED_DIR / "sources.toml")
    for item in shipped().items:
        assert item.source in sources, item.code
        assert re.search(r"[一二三四五六七八九十\d]", item.clause), f"{item.code}: clause {item.clause!r}"


@pytest.mark.skipif(not SEEDS.exists(), reason="shared/seeds not beside the checkout")
def test_every_source_names_a_seed_file_whose_text_matches_its_title():
    sources = checklists.load_sources(checklists.SHIPPED_DIR / "sources.toml")
    for sid, entry in sources.items():
        text = (SEEDS / entry["file"]).read_text(encoding="utf-8")
        core = re.sub(r"[“”\s]", "", entry["title"]).replace("DB34/T3395-2019", "")
        assert core[:8] in re.sub(r"[“”\s]", "", text), sid


@pytest.mark.skipif(not SEEDS.exists(), reason="shared/seeds not beside the checkout")
def test_each_forbidden_phrase_item_quotes_the_standard():
    seed = (SEEDS / "003_e87553705ef85d77.txt").read_text(encoding="utf-8")
    taboo = [i for i in shipped().items if i.code.startswith("TABOO-")]
    assert len(taboo) == 16
    for item in taboo:
        quoted = re.search(r"“([^”]+)”", item.text).group(1)
        fragment = re.split(r"[,, !!。]", quoted)[0]
        assert fragment in seed, item.code


def test_party_badge_applies_only_to_party_members_and_gendered_items_to_their_gender():
    items = {i.code: i for i in shipped().items}
    assert items["DRESS-15"].party_only
    assert applies(items["DRESS-15"], "F", True, "综合窗口")
    assert not applies(items["DRESS-15"], "F", False, "综合窗口")
    assert applies(items["APPEAR-06"], "M", False, "综合窗口")
    assert not applies(items["APPEAR-06"], "F", False, "综合窗口")
    assert applies(items["ETIQ-15"], "M", False, "总服务台")
    assert not applies(items["ETIQ-15"], "M", False, "综合窗口")


def test_award_disqualifying_conduct_of_seed_004_is_flagged():
    flagged = {i.code for i in shipped().items if i.disqualifies_award}
    assert {"DISC-06", "DISC-07", "DISC-19", "DISC-21"} <= flagged


def _write(tmp_path: Path, body: str, name: str = "cat.toml") -> Path:
    (tmp_path / "sources.toml").write_text('[sources."000"]\ntitle = "某标准"\nshort = "某标准"\n', encoding="utf-8")
    path = tmp_path / name
    path.write_text('checklist = "T"\nchecklist_name = "测试表"\n[category]\ncode = "C"\nname = "分类"\n' + body,
                    encoding="utf-8")
    return path


GOOD = '[[items]]\ncode = "C-01"\ntext = "某要求"\nsource = "000"\nclause = "一1"\ndeduction = 1\n'


@pytest.mark.parametrize("item, problem", [
    ('code = "C-01"\ntext = "某要求"\nsource = "000"\nclause = "一1"\ndeduction = 1\nseverity = "fatal"\n', "未知的严重程度"),
    ('code = "C-01"\ntext = "某要求"\nsource = "000"\ndeduction = 1\n', "缺少条款 clause"),
    ('code = "C-01"\ntext = "某要求"\nsource = "000"\nclause = "一1"\ndeduction = -2\n', "扣分不能为负数"),
    ('code = "C-01"\ntext = "某要求"\nsource = "999"\nclause = "一1"\ndeduction = 1\n', "来源 999 不在"),
    ('code = "C-01"\ntext = "某要求"\nsource = "000"\nclause = "一1"\ndedution = 1\n', "未知字段 dedution"),
    ('code = "C-01"\ntext = "某要求"\nsource = "000"\nclause = "一1"\ndeduction = 1\nwindow_types = ["食堂"]\n', "window_types"),
])
def test_a_broken_item_is_reported_with_file_item_and_problem(tmp_path, item, problem):
    path = _write(tmp_path, "[[items]]\n" + item)
    with pytest.raises(ChecklistError) as err:
        load_files([path])
    message = str(err.value)
    assert "cat.toml" in message and "C-01" in message and problem in message


def test_a_duplicate_code_is_reported_even_across_files(tmp_path):
    first = _write(tmp_path, GOOD, "a.toml")
    second = tmp_path / "b.toml"
    second.write_text(first.read_text(encoding="utf-8").replace('code = "C"', 'code = "D"'), encoding="utf-8")
    with pytest.raises(ChecklistError, match=r"b\.toml: 检查项 C-01: 编号与 a\.toml 中的重复"):
        load_files([first, second])


def test_every_problem_is_listed_not_only_the_first(tmp_path):
    body = GOOD.replace("deduction = 1", "deduction = -1") + GOOD.replace("C-01", "C-02").replace('clause = "一1"\n', "")
    with pytest.raises(ChecklistError) as err:
        load_files([_write(tmp_path, body)])
    assert "C-01" in str(err.value) and "C-02" in str(err.value)


def test_a_toml_syntax_error_names_the_file_and_line(tmp_path):
    path = _write(tmp_path, GOOD + "[[items]\n")
    with pytest.raises(ChecklistError, match=r"cat\.toml: TOML 格式错误.*line"):
        load_files([path])


def test_weights_must_cover_every_category_and_sum_to_100(tmp_path):
    path = _write(tmp_path, GOOD)
    path.write_text(path.read_text(encoding="utf-8").replace('name = "分类"', 'name = "分类"\nweight = 60'), encoding="utf-8")
    with pytest.raises(ChecklistError, match="总和为 100"):
        load_files([path])


def test_same_content_is_one_version_and_changed_content_a_new_one(centre, tmp_path):
    (version, created), = checklist_versions.ensure_shipped()
    assert not created and version.version == 1
    copy_dir = tmp_path / "lists"
    copy_dir.mkdir()
    for f in checklists.SHIPPED_DIR.glob("*.toml"):
        (copy_dir / f.name).write_text(f.read_text(encoding="utf-8"), encoding="utf-8")
    desk = copy_dir / "03_desk.toml"
    desk.write_text(desk.read_text(encoding="utf-8").replace("deduction = 0.5", "deduction = 1", 1), encoding="utf-8")
    (new, created), = register(load_directory(copy_dir))
    assert created and new.version == 2
    assert ChecklistVersion.select().count() == 2
    assert Item.select().where(Item.version == version).count() == Item.select().where(Item.version == new).count()
    (again, created), = register(load_directory(copy_dir))
    assert not created and again.id == new.id


def test_shipped_files_are_valid_toml_with_one_category_each():
    for path in checklists.SHIPPED_DIR.glob("*.toml"):
        data = tomllib.loads(path.read_text(encoding="utf-8"))
        assert ("sources" in data) or ("category" in data and data["items"]), path.name


def test_reports_cite_documents_by_short_name_including_the_ones_a_clause_points_to():
    assert checklists.cite("003", "A.2") == "DB34/T 3395-2019 A.2"
    assert checklists.cite("001", "10.2; 另见 000 三(二)2(4)、002 三4.1") == \
        "服务礼仪规范 10.2; 另见 微笑服务实施方案 三(二)2(4)、标准化服务规范 三4.1"
    assert checklists.cited_sources("001", "10.2; 另见 000 三(二)2(4)、002 三4.1") == ("001", "000", "002")
    assert checklists.cite("999", "一1") == "999 一1", "an unknown id is printed as it is"
    assert checklists.source_titles(["003", "001", "003"]) == [
        "服务礼仪规范: 市行政服务中心服务礼仪规范", "DB34/T 3395-2019: DB34/T 3395-2019 政务服务 亲切服务规范"]
