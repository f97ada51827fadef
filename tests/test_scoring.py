"""Scoring rules, each checked against a hand-computed case."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assessment.exceptions import AssessmentError
from assessment.scoring import enps, favourable, item_scores, scale_scores, score_kinds, score_wave
from _builders import build_template
from assessment.templates import load_template

NaN = np.nan


def make_template(scales, indices=(), min_answered=0.5, min_group=5):
    """A one-language template from (scale id, role, [item ids; '-x' marks a reverse-keyed item])."""
    return build_template(scales, indices, min_answered=min_answered, min_group=min_group)


def make_matrix(template, rows, teams=None):
    """Wide matrix: one dict of answers per respondent (missing keys are skipped items)."""
    frame = pd.DataFrame([{i: r.get(i, NaN) for i in template.item_ids} for r in rows], dtype="float64")
    frame.index = pd.RangeIndex(101, 101 + len(rows), name="respondent")
    frame.insert(0, "team", teams if teams is not None else ["A"] * len(rows))
    return frame


@pytest.fixture
def template():
    return make_template(
        [("four", "pillar", ["f1", "f2", "f3", "-f4"]),
         ("five", "pillar", ["v1", "v2", "v3", "v4", "v5"]),
         ("three", "pillar", ["t1", "t2", "t3"]),
         ("enps", "enps", ["nps"])],
        indices=[("pair", ["four", "five"]), ("trio", ["four", "five", "three"])])


# ---------------------------------------------------------------- item scores

def test_five_point_answers_map_linearly_onto_0_to_100(template):
    matrix = make_matrix(template, [{"f1": v} for v in (1, 2, 3, 4, 5)])
    assert item_scores(template, matrix)["f1"].tolist() == [0, 25, 50, 75, 100]


def test_zero_to_ten_answers_map_linearly_onto_0_to_100(template):
    matrix = make_matrix(template, [{"nps": v} for v in (0, 3, 7, 9, 10)])
    assert item_scores(template, matrix)["nps"].tolist() == [0, 30, 70, 90, 100]


def test_reverse_keyed_item_is_flipped_before_mapping(template):
    matrix = make_matrix(template, [{"f4": v} for v in (1, 2, 3, 4, 5)])
    assert item_scores(template, matrix)["f4"].tolist() == [100, 75, 50, 25, 0]


def test_item_scores_keep_the_index_and_drop_the_team_column(template):
    matrix = make_matrix(template, [{"f1": 1}, {"f1": 2}])
    scores = item_scores(template, matrix)
    assert list(scores.index) == [101, 102]
    assert list(scores.columns) == template.item_ids


def test_skipped_answer_stays_missing_in_item_scores(template):
    matrix = make_matrix(template, [{"f1": 5}])
    assert math.isnan(item_scores(template, matrix).loc[101, "f2"])


def test_answer_outside_the_response_scale_is_rejected(template):
    matrix = make_matrix(template, [{"f1": 6}])
    with pytest.raises(AssessmentError, match="f1"):
        item_scores(template, matrix)


def test_matrix_without_an_item_column_is_rejected(template):
    matrix = make_matrix(template, [{"f1": 3}]).drop(columns="v5")
    with pytest.raises(AssessmentError, match="v5"):
        scale_scores(template, matrix)


# ---------------------------------------------------------------- scale scores

def test_scale_score_is_the_mean_of_answered_item_scores(template):
    matrix = make_matrix(template, [{"f1": 5, "f2": 4, "f3": 2, "f4": 1}])   # 100, 75, 25, reversed 100
    assert scale_scores(template, matrix).loc[101, "four"] == pytest.approx(75.0)


def test_two_of_four_items_answered_is_enough(template):
    matrix = make_matrix(template, [{"f1": 5, "f2": 3}])
    assert scale_scores(template, matrix).loc[101, "four"] == pytest.approx(75.0)


def test_one_of_four_items_answered_is_not_enough(template):
    matrix = make_matrix(template, [{"f1": 5}])
    assert math.isnan(scale_scores(template, matrix).loc[101, "four"])


def test_three_of_five_items_answered_is_enough(template):
    matrix = make_matrix(template, [{"v1": 5, "v2": 3, "v3": 1}])
    assert scale_scores(template, matrix).loc[101, "five"] == pytest.approx(50.0)


def test_two_of_five_items_answered_is_not_enough(template):
    matrix = make_matrix(template, [{"v1": 5, "v2": 5}])
    assert math.isnan(scale_scores(template, matrix).loc[101, "five"])


def test_unanswered_scale_is_nan_never_zero(template):
    matrix = make_matrix(template, [{"nps": 4}])
    scores = scale_scores(template, matrix)
    assert scores.loc[101, ["four", "five", "three", "pair", "trio"]].isna().all()


def test_min_answered_share_comes_from_the_template():
    strict = make_template([("four", "pillar", ["a", "b", "c", "d"])], min_answered=0.75)
    matrix = make_matrix(strict, [{"a": 5, "b": 5, "c": 5}, {"a": 5, "b": 5}])
    assert scale_scores(strict, matrix)["four"].tolist()[0] == 100
    assert math.isnan(scale_scores(strict, matrix)["four"].tolist()[1])


def test_index_is_the_mean_of_its_scale_scores(template):
    matrix = make_matrix(template, [{"f1": 5, "f2": 5, "v1": 3, "v2": 3, "v3": 3, "t1": 1, "t2": 1}])
    scores = scale_scores(template, matrix).loc[101]
    assert scores["pair"] == pytest.approx((100 + 50) / 2)
    assert scores["trio"] == pytest.approx((100 + 50 + 0) / 3)


def test_index_with_half_of_its_scales_scored_is_shown(template):
    matrix = make_matrix(template, [{"f1": 5, "f2": 4}])                      # only `four` scored
    assert scale_scores(template, matrix).loc[101, "pair"] == pytest.approx(87.5)


def test_index_with_less_than_half_of_its_scales_scored_is_nan(template):
    matrix = make_matrix(template, [{"f1": 5, "f2": 4}])                      # 1 of 3 for `trio`
    assert math.isnan(scale_scores(template, matrix).loc[101, "trio"])


def test_scale_scores_list_scales_then_indices_in_template_order(template):
    matrix = make_matrix(template, [{"f1": 5}])
    assert list(scale_scores(template, matrix).columns) == ["four", "five", "three", "enps", "pair", "trio"]
    assert score_kinds(template) == {"four": "scale", "five": "scale", "three": "scale", "enps": "enps",
                                     "pair": "index", "trio": "index"}


@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(st.one_of(st.none(), st.integers(1, 5)), min_size=5, max_size=5), min_size=1, max_size=30))
def test_scale_score_equals_a_row_by_row_reference(rows):
    tpl = make_template([("five", "pillar", ["a", "b", "-c", "d", "e"])])
    matrix = make_matrix(tpl, [{k: v for k, v in zip("abcde", row) if v is not None} for row in rows])
    got = scale_scores(tpl, matrix)["five"].tolist()
    for row, score in zip(rows, got):
        keyed = [(6 - v if k == "c" else v) for k, v in zip("abcde", row) if v is not None]
        if len(keyed) >= 3:
            assert score == pytest.approx(sum((v - 1) * 25 for v in keyed) / len(keyed))
            assert 0 <= score <= 100
        else:
            assert math.isnan(score)


# ---------------------------------------------------------------- eNPS

def test_enps_of_ten_answers():
    # promoters 10, 10, 9, 9, 9 (50 %); passives 8, 7; detractors 6, 3, 0 (30 %)
    assert enps([10, 10, 9, 9, 9, 8, 7, 6, 3, 0]) == pytest.approx(20.0)


def test_enps_ignores_missing_answers():
    assert enps([10, NaN, 0, NaN, 9, 8]) == pytest.approx(100 * (2 / 4 - 1 / 4))


def test_enps_without_answers_is_nan():
    assert math.isnan(enps([NaN, NaN]))
    assert math.isnan(enps([]))


def test_enps_of_only_detractors_is_minus_100():
    assert enps(pd.Series([0, 6, 6])) == -100.0


def test_scored_wave_enps_net_score_averages_to_enps(template):
    answers = [10, 10, 9, 9, 9, 8, 7, 6, 3, 0]
    scored = score_wave(template, make_matrix(template, [{"nps": v} for v in answers]))
    assert scored.enps["enps"].tolist() == [100, 100, 100, 100, 100, 0, 0, -100, -100, -100]
    assert scored.enps["enps"].mean() == pytest.approx(100 * (5 / 10 - 3 / 10), abs=1e-12)   # 5 promoters, 3 detractors


# ---------------------------------------------------------------- % favourable

def test_favourable_counts_the_top_two_points(template):
    matrix = make_matrix(template, [{"v1": 5, "v2": 4, "v3": 3, "v4": 2}])
    assert favourable(template, matrix).loc[101, "five"] == pytest.approx(2 / 4)


def test_reverse_keyed_item_answered_1_is_favourable(template):
    matrix = make_matrix(template, [{"f1": 4, "f2": 3, "f4": 1}])            # f1 yes, f2 no, f4 reversed yes
    assert favourable(template, matrix).loc[101, "four"] == pytest.approx(2 / 3)


def test_reverse_keyed_item_answered_5_is_not_favourable(template):
    matrix = make_matrix(template, [{"f4": 5}])
    assert favourable(template, matrix).loc[101, "four"] == 0


def test_favourable_share_is_nan_when_nothing_was_answered(template):
    matrix = make_matrix(template, [{"f1": 5}])
    assert math.isnan(favourable(template, matrix).loc[101, "five"])


def test_favourable_on_enps_scale_means_promoter(template):
    matrix = make_matrix(template, [{"nps": 9}, {"nps": 8}])
    assert favourable(template, matrix)["enps"].tolist() == [1.0, 0.0]


# ---------------------------------------------------------------- score_wave

def test_scored_wave_counts_only_answers_behind_a_score(template):
    matrix = make_matrix(template, [{"f1": 5}, {"f1": 5, "f2": 1}])          # first has no `four` score
    scored = score_wave(template, matrix)
    assert scored.answered_n["four"].tolist() == [0, 2]
    assert scored.favourable_n["four"].tolist() == [0, 1]


def test_scored_wave_pools_index_counts_over_its_scales(template):
    matrix = make_matrix(template, [{"f1": 5, "f2": 5, "v1": 1, "v2": 1, "v3": 4}])
    scored = score_wave(template, matrix)
    assert scored.answered_n.loc[101, "pair"] == 5
    assert scored.favourable_n.loc[101, "pair"] == 3


def test_respondent_without_any_answer_has_not_responded(template):
    scored = score_wave(template, make_matrix(template, [{}, {"t1": 2}]))
    assert scored.responded.tolist() == [False, True]


def test_scored_wave_computes_item_scores_only_when_read(template):
    matrix = make_matrix(template, [{"f1": 5, "f4": 2}, {"nps": 9}])
    scored = score_wave(template, matrix)
    assert "items" not in vars(scored)                 # not kept beside the matrix until asked for
    pd.testing.assert_frame_equal(scored.items, item_scores(template, matrix))
    assert scored.items is scored.items


def test_scoring_leaves_the_answer_matrix_unchanged(template):
    matrix = make_matrix(template, [{"f1": 5, "f4": 2, "v1": 1, "nps": 9}, {"f4": 5, "t1": 3}])
    before = matrix.copy()
    score_wave(template, matrix)
    item_scores(template, matrix)
    scale_scores(template, matrix)
    favourable(template, matrix)
    pd.testing.assert_frame_equal(matrix, before)


def test_score_wave_needs_a_team_column(template):
    matrix = make_matrix(template, [{"f1": 5}]).drop(columns="team")
    with pytest.raises(AssessmentError, match="team"):
        score_wave(template, matrix)


def test_shipped_template_scores_every_scale_and_the_security_index():
    osa = load_template("osa-core")
    rng = np.random.default_rng(3)
    rows = [{i: float(rng.integers(osa.item(i).response_scale.low, osa.item(i).response_scale.high + 1))
             for i in osa.item_ids} for _ in range(20)]
    scores = scale_scores(osa, make_matrix(osa, rows))
    assert list(scores.columns) == [s.id for s in osa.scales] + ["security"]
    assert scores.notna().all().all()
    assert ((scores >= 0) & (scores <= 100)).all().all()


# ---------------------------------------------------------------- the share rule at exactly its boundary

@pytest.fixture
def twenty_five_items():
    """One scale of 25 items with min_answered 0.28: 7 of 25 is exactly the share, yet 0.28 * 25 in floating
    point is 7.000000000000001."""
    return make_template([("long", "pillar", [f"i{k}" for k in range(25)])], min_answered=0.28)


def test_exactly_the_min_answered_share_of_items_gives_a_score(twenty_five_items):
    assert 0.28 * 25 > 7                                # why the rule needs its tolerance
    matrix = make_matrix(twenty_five_items, [{f"i{k}": 5 if k % 2 else 1 for k in range(7)}])   # 7 of 25 answered
    expected = sum(100 if k % 2 else 0 for k in range(7)) / 7
    assert scale_scores(twenty_five_items, matrix).loc[101, "long"] == pytest.approx(expected)


def test_one_item_fewer_than_the_min_answered_share_gives_no_score(twenty_five_items):
    matrix = make_matrix(twenty_five_items, [{f"i{k}": 5 for k in range(6)}])                  # 6 of 25 answered
    assert math.isnan(scale_scores(twenty_five_items, matrix).loc[101, "long"])


@pytest.mark.parametrize("share, items, enough", [(0.56, 25, 14), (0.14, 50, 7), (0.55, 100, 55), (0.5, 4, 2)])
def test_the_share_rule_holds_at_its_boundary_also_where_floating_point_rounds_the_share_up(share, items, enough):
    template = make_template([("s", "pillar", [f"i{k}" for k in range(items)])], min_answered=share)
    at, under = ({f"i{k}": 4 for k in range(count)} for count in (enough, enough - 1))
    scores = scale_scores(template, make_matrix(template, [at, under]))["s"].tolist()
    assert scores[0] == 75.0 and math.isnan(scores[1])


# ---------------------------------------------------------------- what each message and frame says (issue 18's mutation run)

def test_every_missing_item_column_is_named_in_the_message(template):
    matrix = make_matrix(template, [{"f1": 3}]).drop(columns=["v4", "v5"])
    with pytest.raises(AssessmentError) as refused:
        scale_scores(template, matrix)
    assert "2 item(s)" in str(refused.value) and "v4, v5;" in str(refused.value)


def test_a_matrix_of_text_is_refused_saying_it_must_hold_numbers(template):
    matrix = make_matrix(template, [{"f1": 3}])
    matrix["f1"] = matrix["f1"].astype(object)
    matrix.loc[101, "f1"] = "agree"
    with pytest.raises(AssessmentError) as refused:
        item_scores(template, matrix)
    assert str(refused.value) == "the answer matrix must hold numbers (NaN where skipped) in its item columns"


def test_an_answer_off_the_scale_is_reported_with_its_own_item_and_value(template):
    # the bad answer is in the third row and the sixth column (v2), so a row index taken for a column shows
    matrix = make_matrix(template, [{"f1": 3}, {"f1": 4}, {"v2": 7}])
    with pytest.raises(AssessmentError) as refused:
        item_scores(template, matrix)
    assert str(refused.value).startswith("item 'v2' has the answer 7, outside its scale 1-5 (1 such answer(s) in all)")


def test_a_matrix_of_whole_number_columns_scores_like_the_same_answers_as_floats(template):
    row = {"f1": 5, "f2": 4, "f3": 2, "f4": 1, "v1": 1, "v2": 2, "v3": 3, "v4": 4, "v5": 5, "t1": 3, "t2": 3,
           "t3": 5, "nps": 9}
    floats = make_matrix(template, [row, {i: 3 for i in row}])
    integers = floats.astype({i: "int64" for i in template.item_ids})
    assert (integers[template.item_ids].dtypes == "int64").all()
    scores = scale_scores(template, integers)
    assert scores.loc[101, "four"] == pytest.approx((100 + 75 + 25 + 100) / 4)   # f4 reverse-keyed: 1 -> 100
    pd.testing.assert_frame_equal(scores, scale_scores(template, floats))


def test_score_wave_says_which_column_it_needs(template):
    matrix = make_matrix(template, [{"f1": 5}]).drop(columns="team")
    with pytest.raises(AssessmentError) as refused:
        score_wave(template, matrix)
    assert str(refused.value) == "the answer matrix needs a 'team' column (as Store.answer_matrix gives)"


def test_enps_of_a_single_answer_is_that_answers_net_score():
    assert enps([10]) == 100.0
    assert enps([7]) == 0.0
    assert enps([6]) == -100.0


def test_enps_skips_answers_given_as_none():
    assert enps([10, None, 0, 9]) == pytest.approx(100 * (2 / 3 - 1 / 3))


def test_an_enps_scale_of_two_items_nets_over_each_respondents_own_answers():
    template = make_template([("e", "enps", ["n1", "n2"])])
    rows = [{"n1": 10, "n2": 10}, {"n1": 10, "n2": 0}, {"n1": 9}, {"n1": 3, "n2": 8}]
    expected = [100 * (2 - 0) / 2, 100 * (1 - 1) / 2, 100 * (1 - 0) / 1, 100 * (0 - 1) / 2]
    assert score_wave(template, make_matrix(template, rows)).enps["e"].tolist() == expected


def test_an_index_without_a_score_counts_no_answers_and_no_favourable_ones(template):
    # f1, f2 give `four` a score (2 of 4 items); `five` and `three` have none, so `trio` (1 of 3 scales) has none
    scored = score_wave(template, make_matrix(template, [{"f1": 5, "f2": 5}]))
    assert scored.answered_n.loc[101, "four"] == 2 and math.isnan(scored.scales.loc[101, "trio"])
    assert scored.answered_n.loc[101, "trio"] == 0
    assert scored.favourable_n.loc[101, "trio"] == 0


def test_a_respondent_without_an_enps_answer_has_no_net_score(template):
    scored = score_wave(template, make_matrix(template, [{"f1": 5}, {"nps": 9}]))
    assert math.isnan(scored.enps.loc[101, "enps"])
    assert scored.enps.loc[102, "enps"] == 100.0


def test_every_frame_of_a_scored_wave_is_indexed_by_respondent_id(template):
    matrix = make_matrix(template, [{"f1": 5, "nps": 9}, {"t1": 2}])
    scored = score_wave(template, matrix)
    for frame in (scored.responded, scored.scales, scored.favourable_n, scored.answered_n, scored.enps):
        assert frame.index.tolist() == [101, 102]


def test_favourable_of_an_unanswered_scale_gives_nan_without_a_warning(template):
    import warnings

    matrix = make_matrix(template, [{"f1": 5}])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        shares = favourable(template, matrix)
    assert math.isnan(shares.loc[101, "five"]) and shares.loc[101, "four"] == 1.0


def test_a_scale_with_nothing_answered_has_no_score_even_with_the_smallest_min_answered():
    template = make_template([("s", "pillar", ["a", "b"])], indices=[("i", ["s"])], min_answered=1e-12)
    scores = scale_scores(template, make_matrix(template, [{}, {"a": 4}]))
    assert math.isnan(scores.loc[101, "s"]) and math.isnan(scores.loc[101, "i"])
    assert scores.loc[102, "s"] == 75.0 and scores.loc[102, "i"] == 75.0
