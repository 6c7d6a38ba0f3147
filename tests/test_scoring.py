"""Scoring rules as pure functions, with the invariants held by property-based tests."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.centres.settings import CentreSettings, Grade
from app.patrolling.scoring import ScoredItem, grade_for, score_items

CATS = ("APPEAR", "DRESS", "DESK", "DISC")


def item(code, deduction, result, category="DISC", severity="normal", kind="check"):
    return ScoredItem(code, category, deduction, severity, kind, result)


def test_score_is_100_minus_failed_deductions():
    result = score_items([item("A", 2, "fail"), item("B", 3, "fail"), item("C", 5, "pass")])
    assert result.score == 95 and result.deductions == 5 and result.failed_codes == ("A", "B")


def test_not_applicable_and_unticked_items_never_count():
    result = score_items([item("A", 2, "na"), item("B", 3, None), item("C", 4, "fail")])
    assert result.score == 96


def test_score_never_goes_below_zero():
    assert score_items([item(str(n), 30, "fail") for n in range(5)]).score == 0


def test_veto_item_fails_the_inspection_whatever_the_score():
    result = score_items([item("V", 0, "fail", severity="veto")])
    assert result.score == 100
    assert result.vetoed and not result.passed and result.grade == "不合格"
    assert result.veto_codes == ("V",)


def test_bonus_adds_points_up_to_the_cap():
    items = [item("B1", 2, "pass", kind="bonus"), item("B2", 2, "pass", kind="bonus"),
             item("B3", 2, "pass", kind="bonus"), item("X", 1, "fail")]
    assert score_items(items, bonus_cap=5).score == 99 + 5
    assert score_items(items, bonus_cap=3).bonus == 3
    assert score_items([item("B1", 2, "fail", kind="bonus")]).bonus == 0


def test_grades_follow_the_centre_thresholds():
    default = CentreSettings().grades
    assert [grade_for(s, False, default, "不合格") for s in (100, 95, 94.5, 90, 85, 84.99)] == [
        "优秀", "优秀", "良好", "良好", "合格", "不合格"]
    strict = [Grade("优", 98), Grade("可", 90)]
    assert grade_for(95, False, strict, "差") == "可"
    result = score_items([item("A", 12, "fail")], grades=strict, fail_grade="差")
    assert result.grade == "差" and not result.passed


def test_category_subtotals_in_the_plain_model():
    result = score_items([item("A", 2, "fail", "DESK"), item("B", 3, "fail", "DISC"), item("C", 1, "fail", "DISC")])
    by_code = {c.code: c for c in result.categories}
    assert by_code["DESK"].deductions == 2 and by_code["DISC"].deductions == 4 and by_code["DISC"].failed == 2


def test_weighted_categories_cap_their_loss_at_their_weight():
    weights = {"DISC": 30, "APPEAR": 25, "DRESS": 25, "DESK": 20}
    items = [item(f"D{n}", 10, "fail", "DESK") for n in range(3)] + [item("S", 5, "fail", "DISC")]
    result = score_items(items, weights=weights)
    by_code = {c.code: c for c in result.categories}
    assert by_code["DESK"].subtotal == 0 and by_code["DISC"].subtotal == 25
    assert result.score == 0 + 25 + 25 + 25


results = st.sampled_from(["pass", "fail", "na", None])
items_strategy = st.lists(
    st.builds(
        ScoredItem,
        code=st.text(min_size=1, max_size=4),
        category=st.sampled_from(CATS),
        deduction=st.floats(min_value=0, max_value=40, allow_nan=False).map(lambda x: round(x, 1)),
        severity=st.sampled_from(["normal", "serious", "veto"]),
        kind=st.sampled_from(["check", "check", "check", "bonus"]),
        result=results,
    ),
    max_size=60,
)
weights_strategy = st.sampled_from([None, {"DISC": 30, "APPEAR": 25, "DRESS": 25, "DESK": 20}])
cap_strategy = st.sampled_from([0, 3, 5, 10])


@settings(max_examples=300)
@given(items_strategy, cap_strategy, weights_strategy)
def test_score_stays_between_zero_and_100_plus_the_bonus_cap(items, cap, weights):
    result = score_items(items, bonus_cap=cap, weights=weights)
    assert 0 <= result.score <= 100 + cap


@settings(max_examples=300)
@given(items_strategy, st.data(), weights_strategy)
def test_failing_one_more_item_never_raises_the_score(items, data, weights):
    checks = [n for n, i in enumerate(items) if i.kind == "check" and i.result != "fail"]
    if not checks:
        return
    n = data.draw(st.sampled_from(checks))
    worse = list(items)
    worse[n] = worse[n].__class__(**{**worse[n].__dict__, "result": "fail"})
    before, after = score_items(items, weights=weights), score_items(worse, weights=weights)
    assert after.score <= before.score
    assert after.passed <= before.passed


@settings(max_examples=300)
@given(items_strategy, st.data(), weights_strategy)
def test_marking_an_item_not_applicable_never_lowers_the_score(items, data, weights):
    checks = [n for n, i in enumerate(items) if i.kind == "check"]
    if not checks:
        return
    n = data.draw(st.sampled_from(checks))
    relaxed = list(items)
    relaxed[n] = relaxed[n].__class__(**{**relaxed[n].__dict__, "result": "na"})
    assert score_items(relaxed, weights=weights).score >= score_items(items, weights=weights).score


@settings(max_examples=200)
@given(items_strategy)
def test_a_failed_veto_item_always_fails_the_inspection(items):
    vetoed = items + [ScoredItem("VETO", "DISC", 0, "veto", "check", "fail")]
    result = score_items(vetoed)
    assert result.vetoed and not result.passed and result.grade == "不合格"


@settings(max_examples=300)
@given(items_strategy, cap_strategy, weights_strategy)
def test_only_failed_checks_and_awarded_bonuses_move_the_score(items, cap, weights):
    """The office recomputes an imported record from these alone (app.exchange.record_checks); same figures."""
    moving = [i for i in items if (i.result == "fail" if i.kind == "check" else i.result == "pass")]
    whole, part = score_items(items, bonus_cap=cap, weights=weights), score_items(moving, bonus_cap=cap, weights=weights)
    assert (whole.score, whole.bonus, whole.deductions, whole.vetoed, whole.passed, whole.grade) == \
        (part.score, part.bonus, part.deductions, part.vetoed, part.passed, part.grade)


def test_a_centre_may_cap_the_total_at_100_so_bonus_only_makes_up_for_deductions():
    items = [item("B1", 3, "pass", kind="bonus"), item("X", 1, "fail")]
    assert score_items(items).score == 102
    capped = score_items(items, cap_at_full=True)
    assert capped.score == 100 and capped.bonus == 3
    assert score_items([item("B1", 3, "pass", kind="bonus"), item("X", 5, "fail")], cap_at_full=True).score == 98


def test_a_score_exactly_at_the_pass_mark_passes():
    at_mark = score_items([item("A", 15, "fail")])  # 85: the default 合格 threshold
    assert at_mark.score == 85 and at_mark.passed and at_mark.grade == "合格"
    assert not score_items([item("A", 15.5, "fail")]).passed


def test_the_centres_bonus_cap_fail_grade_and_cap_at_100_are_what_scores_with_its_settings():
    from app.patrolling.scoring import score_with_settings

    bonuses = [item(f"B{n}", 3, "pass", kind="bonus") for n in range(4)]
    settings = CentreSettings()
    settings.bonus_cap, settings.fail_grade, settings.cap_total_at_100 = 7.0, "差", False
    assert score_with_settings(bonuses, settings).score == 107 and score_with_settings(bonuses, settings).bonus == 7
    settings.cap_total_at_100 = True
    assert score_with_settings(bonuses, settings).score == 100
    assert score_with_settings([item("A", 30, "fail")], settings).grade == "差"


def test_the_plain_models_category_rows_keep_what_each_category_lost_and_kept():
    result = score_items([item("A", 2.5, "fail", "DESK"), item("B", 1, "pass", "DISC")])
    rows = {c.code: (c.deductions, c.failed, c.weight, c.subtotal) for c in result.categories}
    assert rows == {"DESK": (2.5, 1, None, 97.5), "DISC": (0, 0, None, 100)}
    assert (result.base, result.bonus, result.deductions) == (97.5, 0, 2.5)


def test_weighted_category_rows_keep_their_deductions_and_a_category_without_a_weight_is_named():
    import pytest

    weights = {"DISC": 30, "DESK": 70}
    result = score_items([item("A", 2.5, "fail", "DESK")], weights=weights)
    assert [(c.code, c.deductions, c.weight, c.subtotal) for c in result.categories] == [("DESK", 2.5, 70, 67.5)]
    with pytest.raises(ValueError, match="categories without a weight: APPEAR, DRESS"):
        score_items([item("A", 1, "fail", "DRESS"), item("B", 1, "pass", "APPEAR")], weights=weights)


def test_figures_are_kept_to_two_decimals():
    thirds = [item(f"A{n}", 1 / 3, "fail") for n in range(2)]
    result = score_items(thirds)
    assert (result.score, result.deductions) == (99.33, 0.67)
