"""Inspections on both backends: drafts, applicable items, finalising with a stored score."""

import pytest

from app.centres.settings import load_settings, save_settings
from app.errors import PatrolError, PermissionDenied
from app.loop import record_changes
from app.patrolling import checklist_versions, checklists, inspections
from app.storage.models import Inspection, User
from tests.conftest import at
from tests.helpers import FAILING, inspect


def test_applicable_items_follow_gender_party_and_window_type(roster):
    man = roster.person("M1", "Z01", gender="M", party=True)
    insp = inspections.start_inspection(roster.windows["Z01"], roster.inspector, staff=man, observed_at=at("2026-10-05"))
    codes = {i.code for i in inspections.applicable_items(insp)}
    assert {"APPEAR-06", "DRESS-15", "ETIQ-15"} <= codes
    assert not {"APPEAR-07", "ETIQ-03", "DESK-01"} & codes


def test_finalised_inspection_stores_score_grade_and_veto(roster):
    s = roster.person("F1")
    insp = inspect(roster.windows["A01"], roster.inspector, s, at("2026-10-05"), fail=FAILING)
    assert insp.status == "final" and insp.score == 84 and insp.grade == "不合格" and not insp.passed
    vetoed = inspect(roster.windows["A01"], roster.inspector, s, at("2026-10-06"), fail=("DISC-19",))
    assert vetoed.vetoed and not vetoed.passed and vetoed.score == 80


def test_bonus_points_are_added_to_the_stored_score(roster):
    insp = inspect(roster.windows["A01"], roster.inspector, roster.person("F1"), at("2026-10-05"),
                   bonus=("BONUS-03", "BONUS-01"))
    assert insp.score == 103 and insp.bonus == 3 and insp.grade == "优秀"


def test_an_unfinished_inspection_cannot_be_finalised(roster):
    insp = inspections.start_inspection(roster.windows["A01"], roster.inspector, staff=roster.person("F1"))
    item = inspections.applicable_items(insp)[0]
    inspections.set_result(insp, item, "pass")
    with pytest.raises(PatrolError, match="项未检查"):
        record_changes.finalise(insp)
    assert Inspection.get_by_id(insp.id).status == "draft"


def test_a_finalised_inspection_cannot_be_changed_in_place(roster):
    insp = inspect(roster.windows["A01"], roster.inspector, roster.person("F1"), at("2026-10-05"))
    item = inspections.applicable_items(insp)[0]
    with pytest.raises(PatrolError, match="已定稿"):
        inspections.set_result(insp, item, "fail")
    with pytest.raises(PatrolError, match="已定稿"):
        record_changes.finalise(insp)


def test_each_tick_is_stored_at_once_and_can_be_changed_on_a_draft(roster):
    insp = inspections.start_inspection(roster.windows["A01"], roster.inspector, staff=roster.person("F1"))
    item = inspections.applicable_items(insp)[3]
    inspections.set_result(insp, item, "fail", note="桌面有茶杯")
    inspections.set_result(insp, item, "pass")
    assert inspections.recorded_results(insp) == {item.id: "pass"}


def test_unknown_method_and_result_are_refused(roster):
    with pytest.raises(PatrolError, match="未知巡查方式"):
        inspections.start_inspection(roster.windows["A01"], roster.inspector, method="drone")
    insp = inspections.start_inspection(roster.windows["A01"], roster.inspector)
    with pytest.raises(PatrolError, match="未知结果"):
        inspections.set_result(insp, inspections.applicable_items(insp)[0], "maybe")


def test_an_inactive_account_may_not_inspect(roster):
    nobody = User(username="x", display_name="x", role="guest", password_hash="")
    with pytest.raises(PermissionDenied):
        inspections.start_inspection(roster.windows["A01"], nobody)


def test_video_check_keeps_the_time_seen_on_the_video(roster):
    insp = inspections.start_inspection(roster.windows["A01"], roster.inspector, method="video",
                                        observed_at=at("2026-10-05", 9), started_at=at("2026-10-06", 15))
    insp = Inspection.get_by_id(insp.id)
    assert insp.observed_at == at("2026-10-05", 9) and insp.started_at == at("2026-10-06", 15)


def test_old_inspections_keep_their_checklist_version_and_score(roster, tmp_path):
    s = roster.person("F1")
    old = inspect(roster.windows["A01"], roster.inspector, s, at("2026-10-05"), fail=("DESK-09",))
    copy_dir = tmp_path / "lists"
    copy_dir.mkdir()
    for f in checklists.SHIPPED_DIR.glob("*.toml"):
        text = f.read_text(encoding="utf-8")
        if f.name == "03_desk.toml":
            text = text.replace('clause = "四6"\ndeduction = 0.5', 'clause = "四6"\ndeduction = 4')
        (copy_dir / f.name).write_text(text, encoding="utf-8")
    (new_version, created), = checklist_versions.register(checklists.load_directory(copy_dir))
    assert created
    new = inspect(roster.windows["A01"], roster.inspector, s, at("2026-10-06"), fail=("DESK-09",))
    old = Inspection.get_by_id(old.id)
    assert new.checklist_version_id == new_version.id != old.checklist_version_id
    assert old.score == 99.5 and new.score == 96
    assert inspections.score_inspection(old).score == 99.5


def test_grade_thresholds_come_from_centre_settings(roster):
    settings = load_settings()
    settings.grades = [settings.grades[0].__class__("合格", 80)]
    save_settings(settings)
    insp = inspect(roster.windows["A01"], roster.inspector, roster.person("F1"), at("2026-10-05"), fail=FAILING)
    assert insp.passed and insp.grade == "合格"


WEIGHTS = {"01_appearance": 10, "02_dress": 15, "03_desk": 15, "04_discipline": 25,
           "05_etiquette": 15, "06_language": 10, "07_taboo": 10}


def test_a_weighted_checklist_caps_each_categorys_loss_at_its_weight(roster, tmp_path):
    for f in checklists.SHIPPED_DIR.glob("*.toml"):
        text = f.read_text(encoding="utf-8")
        if f.stem in WEIGHTS:
            text = text.replace("\norder = ", f"\nweight = {WEIGHTS[f.stem]}\norder = ", 1)
        (tmp_path / f.name).write_text(text, encoding="utf-8")
    (version, created), = checklist_versions.register(checklists.load_directory(tmp_path))
    assert created and checklists.category_weights(version)["DISC"] == 25
    desk = ("DESK-01", "DESK-05", "DESK-23", "DESK-02", "DESK-03", "DESK-04", "DESK-06", "DESK-07",
            "DESK-08", "DESK-10", "DESK-11", "DESK-12")  # 2+2+3+9*1 = 16 > weight 15
    insp = inspect(roster.windows["A01"], roster.inspector, roster.person("F1"), at("2026-10-05"),
                   fail=desk + ("DISC-01",))
    assert insp.checklist_version_id == version.id
    assert insp.score == 100 - 15 - 3 and insp.deductions == 19


def test_an_inspection_cannot_be_dated_in_the_future(roster):
    import datetime as dt

    from app.errors import PatrolError
    from app.patrolling import inspections

    tomorrow = dt.datetime.now() + dt.timedelta(days=1)
    with pytest.raises(PatrolError, match="将来的时间"):
        inspections.start_inspection(roster.windows["A01"], roster.inspector, observed_at=tomorrow)
    draft = inspections.start_inspection(roster.windows["A01"], roster.inspector)
    with pytest.raises(PatrolError, match="将来的时间"):
        inspections.update_draft(draft, observed_at=tomorrow)
    assert draft.observed_at <= dt.datetime.now()


def test_the_rounds_count_never_goes_back_when_a_finished_window_is_checked_again(roster):
    from app.patrolling import patrol

    round_ = patrol.start_round(roster.inspector, centre_id=roster.area.centre_id)
    person = roster.person("F1")
    window = roster.windows["A01"]
    first = patrol.open_inspection(round_, window, roster.inspector)
    inspections.set_results(first, {i.id: "pass" for i in inspections.applicable_items(first) if i.kind == "check"})
    inspections.close(first, at=at("2026-10-05"))
    states = {s.code: s for s in patrol.window_states(round_, centre_id=roster.area.centre_id)}
    assert states["A01"].state == "done" and states["A01"].finished
    assert patrol.finished_in_round(round_, window).id == first.id
    again = patrol.open_inspection(round_, window, roster.inspector)
    assert again.id != first.id and patrol.finished_in_round(round_, window) is None
    states = {s.code: s for s in patrol.window_states(round_, centre_id=roster.area.centre_id)}
    assert states["A01"].state == "redo" and states["A01"].finished
    assert states["A01"].inspection_id == first.id and states["A01"].score == first.score
    assert patrol.next_window(round_, centre_id=roster.area.centre_id).code != "A01"
    assert person.id  # the roster's person stood at A01


def test_an_untouched_draft_is_discarded_and_a_ticked_one_kept(roster):
    from app.patrolling import patrol

    roster.person("F1")
    round_ = patrol.start_round(roster.inspector, centre_id=roster.area.centre_id)
    empty = patrol.open_inspection(round_, roster.windows["A01"], roster.inspector)
    assert patrol.discard_untouched(empty) and Inspection.get_or_none(Inspection.id == empty.id) is None
    ticked = patrol.open_inspection(round_, roster.windows["A01"], roster.inspector)
    inspections.set_result(ticked, inspections.applicable_items(ticked)[0], "pass")
    assert not patrol.discard_untouched(ticked) and Inspection.get_or_none(Inspection.id == ticked.id) is not None
    states = {s.code: s.state for s in patrol.window_states(round_, centre_id=roster.area.centre_id)}
    assert states["A01"] == "draft"
