"""Group statistics: hand-computed aggregates, anonymity, wave comparison, reliability, drivers."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pingouin
import pytest
from scipy import stats as sps

from assessment.exceptions import UnknownNameError
from assessment.statistics import (AGGREGATE_COLUMNS, COMPARE_COLUMNS, DRIVER_COLUMNS, LEVELS, ORGANISATION,
                                   aggregate, aggregate_hierarchy, benjamini_hochberg, compare_waves, cronbach_alpha,
                                   drivers, item_analysis, item_rest, pairwise_covariance, reliability)
from _builders import build_template

NaN = np.nan
AGREE_ITEMS = ["cl1", "cl2", "su1", "su2", "sa1", "sa2", "en1", "en2"]


def make_template(scales=None, indices=(("security", ("clarity", "support")),), min_group=5, min_change=5):
    """A one-language template from (scale id, role, [item ids; '-x' marks a reverse-keyed item])."""
    scales = scales or [("clarity", "pillar", ["cl1", "cl2"]), ("support", "pillar", ["su1", "-su2"]),
                        ("safety", "outcome", ["sa1", "sa2"]), ("engagement", "outcome", ["en1", "en2"]),
                        ("enps", "enps", ["nps"])]
    return build_template(scales, indices, min_group=min_group, min_change=min_change)


def make_matrix(template, rows):
    """Wide matrix from dicts holding `team` and answers (missing keys are skipped items)."""
    frame = pd.DataFrame([{i: r.get(i, NaN) for i in template.item_ids} for r in rows], dtype="float64")
    frame.index = pd.RangeIndex(1, len(rows) + 1, name="respondent")
    frame.insert(0, "team", [r["team"] for r in rows])
    return frame


def people(team, n, **answers):
    """n respondents of `team` giving the same answers; `all=v` answers every agree item with v."""
    value = answers.pop("all", None)
    base = {i: value for i in AGREE_ITEMS} if value is not None else {}
    return [{"team": team, **base, **answers} for _ in range(n)]


def random_people(rng, team, n, shift=0.0):
    """n respondents with correlated random answers (one latent trait), ~10 % skipped."""
    rows = []
    for _ in range(n):
        latent = rng.normal(shift, 1)
        row = {"team": team}
        for item in AGREE_ITEMS:
            if rng.random() > 0.1:
                value = int(np.clip(np.rint(3 + latent + rng.normal(0, 0.8)), 1, 5))
                row[item] = 6 - value if item == "su2" else value
        row["nps"] = int(np.clip(np.rint(7 + 2 * latent + rng.normal(0, 1)), 0, 10))
        rows.append(row)
    return rows


def hierarchy(pairs):
    return pd.DataFrame(pairs, columns=["team", "parent"])


# ---------------------------------------------------------------- the scoring rules written out (an oracle that
# shares no code with assessment.scoring): 1..5 -> 0, 25, 50, 75, 100; a reverse-keyed item turned round first;
# a two-item scale is the mean of its answered item scores (one of two is enough at min_answered 0.5);
# the index `security` is the mean of the clarity and support scores (one of two is enough)

REVERSED = {"su2"}
SCALE_ITEMS = {"clarity": ["cl1", "cl2"], "support": ["su1", "su2"], "safety": ["sa1", "sa2"],
               "engagement": ["en1", "en2"]}


def hand_item_scores(matrix, items):
    values = matrix[items].to_numpy(dtype=float)
    keyed = np.where([item in REVERSED for item in items], 6 - values, values)
    return pd.DataFrame((keyed - 1) * 25, index=matrix.index, columns=items)


def hand_scale_scores(matrix):
    scores = {scale: hand_item_scores(matrix, items).mean(axis=1) for scale, items in SCALE_ITEMS.items()}
    scores["security"] = pd.concat([scores["clarity"], scores["support"]], axis=1).mean(axis=1)
    return pd.DataFrame(scores)


def team_scores(results, wave, team, scale):
    matrix = results[wave][1]
    return hand_scale_scores(matrix)[matrix["team"] == team][scale].dropna().to_numpy()


def row(table, group, scale, level=None, wave=None):
    part = table[(table["group"] == group) & (table["scale"] == scale)]
    if level is not None:
        part = part[part["level"] == level]
    if wave is not None:
        part = part[part["wave"] == wave]
    assert len(part) == 1, part
    return part.iloc[0]


@pytest.fixture
def template():
    return make_template()


# ---------------------------------------------------------------- n, mean, sd, CI, favourable, eNPS

def test_group_n_mean_sd_and_ci_match_a_hand_computation(template):
    answers = [3, 4, 5, 2, 3]                                   # clarity 50, 75, 100, 25, 50
    matrix = make_matrix(template, [{"team": "A", "cl1": v, "cl2": v} for v in answers])
    got = row(aggregate({"w1": (template, matrix)}), "A", "clarity")
    sd = math.sqrt((10 ** 2 + 15 ** 2 + 40 ** 2 + 35 ** 2 + 10 ** 2) / 4)
    half = sps.t.ppf(0.975, 4) * sd / math.sqrt(5)
    assert (got["n"], got["mean"]) == (5, pytest.approx(60.0))
    assert got["sd"] == pytest.approx(sd, abs=1e-9)
    assert got["ci_low"] == pytest.approx(60 - half, abs=1e-9)
    assert got["ci_high"] == pytest.approx(60 + half, abs=1e-9)


def test_aggregate_has_the_documented_columns(template):
    matrix = make_matrix(template, people("A", 5, all=4))
    assert list(aggregate({"w1": (template, matrix)}).columns) == AGGREGATE_COLUMNS


def test_favourable_is_pooled_over_all_answers_of_the_group(template):
    rows = [{"team": "A", "cl1": 5}] + people("A", 4, cl1=5, cl2=1)
    got = row(aggregate({"w1": (template, make_matrix(template, rows))}), "A", "clarity")
    assert got["favourable"] == pytest.approx(100 * 5 / 9)            # the mean of shares would be 60


def test_favourable_counts_a_reverse_keyed_item_answered_1(template):
    matrix = make_matrix(template, people("A", 5, su1=2, su2=1))
    assert row(aggregate({"w1": (template, matrix)}), "A", "support")["favourable"] == pytest.approx(50.0)


def test_enps_row_has_the_enps_and_other_rows_have_none(template):
    rows = [{"team": "A", "nps": v, "cl1": 3, "cl2": 3} for v in (10, 10, 9, 9, 9, 8, 7, 6, 3, 0)]
    table = aggregate({"w1": (template, make_matrix(template, rows))})
    got = row(table, "A", "enps")
    assert got["kind"] == "enps"
    assert got["enps"] == pytest.approx(20.0)
    assert got["favourable"] == pytest.approx(50.0)                    # % promoters
    assert table.loc[table["kind"] != "enps", "enps"].isna().all()


def test_index_row_is_the_mean_of_respondents_index_scores(template):
    matrix = make_matrix(template, people("A", 3, cl1=5, cl2=5, su1=3, su2=3) + people("A", 2, cl1=1, cl2=1))
    got = row(aggregate({"w1": (template, matrix)}), "A", "security")
    assert got["kind"] == "index"
    assert got["mean"] == pytest.approx((3 * 75 + 2 * 0) / 5)


def test_wave_order_of_the_results_is_kept(template):
    spring = make_matrix(template, people("A", 5, all=4))
    autumn = make_matrix(template, people("A", 5, all=2))
    table = aggregate({"2025 spring": (template, spring), "2024 autumn": (template, autumn)})
    assert list(table["wave"].cat.categories) == ["2025 spring", "2024 autumn"]
    assert table["wave"].cat.ordered
    assert list(dict.fromkeys(table["wave"])) == ["2025 spring", "2024 autumn"]


def test_unknown_level_is_refused(template):
    with pytest.raises(UnknownNameError):
        aggregate({"w1": (template, make_matrix(template, people("A", 5, all=4)))}, by="division")


# ---------------------------------------------------------------- primary suppression

def test_group_of_four_below_threshold_five_is_suppressed_with_every_number_nan(template):
    matrix = make_matrix(template, people("A", 4, all=4, nps=9))
    table = aggregate({"w1": (template, matrix)}, headcounts=pd.DataFrame({"wave": ["w1"], "team": ["A"],
                                                                            "headcount": [4]}))
    assert table["suppressed"].all()
    assert (table["suppressed_reason"] == "small group").all()
    assert table[["n", "mean", "sd", "ci_low", "ci_high", "favourable", "enps", "response_rate"]].isna().all().all()


def test_group_of_five_is_shown(template):
    table = aggregate({"w1": (template, make_matrix(template, people("A", 5, all=4, nps=9)))})
    assert not table["suppressed"].any()
    assert table["suppressed_reason"].isna().all()
    assert (table["n"] == 5).all()


def test_scale_row_with_too_few_answers_is_suppressed_in_a_shown_group(template):
    rows = people("A", 4, all=4, nps=9) + people("A", 2, all=4)        # only 4 answered eNPS
    table = aggregate({"w1": (template, make_matrix(template, rows))})
    assert row(table, "A", "enps")["suppressed"]
    assert math.isnan(row(table, "A", "enps")["enps"])
    assert row(table, "A", "clarity")["n"] == 6


def test_threshold_comes_from_the_wave_template():
    strict = make_template(min_group=7)
    table = aggregate({"w1": (strict, make_matrix(strict, people("A", 6, all=4)))})
    assert table["suppressed"].all()


def test_respondents_without_answers_do_not_count_towards_the_group(template):
    rows = people("A", 4, all=4) + [{"team": "A"}]
    assert aggregate({"w1": (template, make_matrix(template, rows))})["suppressed"].all()


# ---------------------------------------------------------------- roll-up

@pytest.fixture
def two_departments():
    return hierarchy([("T1", "D1"), ("T2", "D1"), ("T3", "D2"), ("D1", None), ("D2", None)])


def test_department_mean_is_the_mean_over_all_its_respondents(template, two_departments):
    rows = people("T1", 6, cl1=4, cl2=4) + people("T2", 7, cl1=2, cl2=2) + people("T3", 5, cl1=5, cl2=5)
    table = aggregate({"w1": (template, make_matrix(template, rows))}, two_departments, by="department")
    got = row(table, "D1", "clarity")
    values = [75.0] * 6 + [25.0] * 7
    assert (got["level"], got["n"]) == ("department", 13)
    assert got["mean"] == pytest.approx((6 * 75 + 7 * 25) / 13)
    assert got["sd"] == pytest.approx(np.std(values, ddof=1), abs=1e-9)
    assert set(table["group"]) == {"D1", "D2"}


def test_department_includes_teams_nested_more_than_one_level_down(template):
    tree = hierarchy([("T1", "D1"), ("T2", "D1"), ("D1", "Div"), ("T3", "Div")])
    rows = people("T1", 5, cl1=5, cl2=5) + people("T2", 5, cl1=3, cl2=3) + people("T3", 10, cl1=1, cl2=1)
    table = aggregate({"w1": (template, make_matrix(template, rows))}, tree, by="department")
    assert row(table, "D1", "clarity")["n"] == 10
    div = row(table, "Div", "clarity")
    assert (div["n"], div["mean"], div["parent"]) == (20, pytest.approx((5 * 100 + 5 * 50) / 20), None)


def test_organisation_is_one_group_of_everybody(template, two_departments):
    rows = people("T1", 6, cl1=4, cl2=4) + people("T2", 7, cl1=2, cl2=2) + people("T3", 5, cl1=5, cl2=5)
    table = aggregate({"w1": (template, make_matrix(template, rows))}, two_departments, by="organisation")
    got = row(table, ORGANISATION, "clarity")
    assert (got["level"], got["n"]) == ("organisation", 18)
    assert got["mean"] == pytest.approx((6 * 75 + 7 * 25 + 5 * 100) / 18)


def test_team_rows_name_their_department_as_parent(template, two_departments):
    rows = people("T1", 6, all=4) + people("T2", 7, all=4) + people("T3", 5, all=4)
    table = aggregate({"w1": (template, make_matrix(template, rows))}, two_departments)
    assert row(table, "T2", "clarity")["parent"] == "D1"


def test_headcount_and_response_rate_roll_up(template, two_departments):
    rows = people("T1", 6, all=4) + people("T2", 7, all=4) + people("T3", 5, all=4)
    counts = pd.DataFrame({"wave": "w1", "team": ["T1", "T2", "T3"], "headcount": [12, 14, 5]})
    table = aggregate_hierarchy({"w1": (template, make_matrix(template, rows))}, two_departments, counts)
    assert row(table, "T1", "clarity")["response_rate"] == pytest.approx(50.0)
    assert row(table, "D1", "clarity")["headcount"] == 26
    assert row(table, "D1", "clarity")["response_rate"] == pytest.approx(50.0)
    assert row(table, ORGANISATION, "clarity")["headcount"] == 31


# ---------------------------------------------------------------- secondary suppression

@pytest.fixture
def twelve_nine_three(template):
    """Department D with teams of 12, 9 and 3 respondents, next to department E (20)."""
    tree = hierarchy([("T12", "D"), ("T9", "D"), ("T3", "D"), ("T20", "E")])
    rows = (people("T12", 12, all=3) + people("T9", 9, all=1) + people("T3", 3, all=5) + people("T20", 20, all=4))
    return {"w1": (template, make_matrix(template, rows))}, tree


def test_small_team_and_its_smallest_sibling_are_hidden(twelve_nine_three):
    results, tree = twelve_nine_three
    table = aggregate_hierarchy(results, tree)
    assert row(table, "T3", "clarity")["suppressed_reason"] == "small group"
    assert row(table, "T9", "clarity")["suppressed_reason"] == "differencing"
    assert math.isnan(row(table, "T9", "clarity")["mean"])
    assert not row(table, "T12", "clarity")["suppressed"]
    assert not row(table, "D", "clarity")["suppressed"]


def test_no_visible_combination_recovers_the_small_team(twelve_nine_three):
    results, tree = twelve_nine_three
    table = aggregate_hierarchy(results, tree).query("scale == 'clarity'")
    visible = table[~table["suppressed"]]
    for _, parent in visible[visible["level"] != "team"].iterrows():
        if parent["level"] == "organisation":
            below = visible[(visible["level"] == "department") & visible["parent"].isna()]
        else:
            below = visible[(visible["parent"] == parent["group"]) & (visible["group"] != parent["group"])]
        hidden_n = parent["n"] - below["n"].sum()
        assert hidden_n == 0 or hidden_n >= 5
    d, t12 = row(table, "D", "clarity"), row(table, "T12", "clarity")
    hidden_mean = (d["n"] * d["mean"] - t12["n"] * t12["mean"]) / (d["n"] - t12["n"])
    assert d["n"] - t12["n"] == 12                                  # the 9 and the 3 together
    assert hidden_mean != pytest.approx(100.0)                      # not the small team's mean


def test_differencing_protection_also_applies_to_a_team_only_table(twelve_nine_three):
    results, tree = twelve_nine_three
    table = aggregate(results, tree, by="team")
    assert row(table, "T9", "clarity")["suppressed_reason"] == "differencing"


def test_hiding_a_department_whose_teams_stay_visible_is_not_enough(template):
    tree = hierarchy([("T12", "D"), ("T8", "D"), ("Solo", None)])
    rows = people("T12", 12, all=3) + people("T8", 8, all=4) + people("Solo", 3, all=5)
    table = aggregate_hierarchy({"w1": (template, make_matrix(template, rows))}, tree).query("scale == 'clarity'")
    org, t12 = row(table, ORGANISATION, "clarity"), row(table, "T12", "clarity")
    # the organisation minus the department would give Solo; D is derivable from its teams, so a team goes too
    assert row(table, "D", "clarity")["suppressed_reason"] == "differencing"
    assert not org["suppressed"] and not t12["suppressed"]
    assert org["n"] - t12["n"] >= 5
    assert row(table, "T8", "clarity")["suppressed_reason"] == "differencing"


# ---------------------------------------------------------------- comparing waves

@pytest.fixture
def two_waves(template):
    rng = np.random.default_rng(11)
    first = make_matrix(template, random_people(rng, "A", 30) + random_people(rng, "B", 25))
    second = make_matrix(template, random_people(rng, "A", 40, shift=0.5) + random_people(rng, "B", 25))
    return {"w1": (template, first), "w2": (template, second)}


def test_comparison_has_the_documented_columns(two_waves):
    assert list(compare_waves(two_waves, "w1", "w2").columns) == COMPARE_COLUMNS


@pytest.mark.parametrize("scale", ["clarity", "support", "security"])
def test_welch_p_value_equals_scipy(two_waves, scale):
    a, b = team_scores(two_waves, "w1", "A", scale), team_scores(two_waves, "w2", "A", scale)
    got = row(compare_waves(two_waves, "w1", "w2"), "A", scale)
    assert (got["n_a"], got["n_b"]) == (len(a), len(b))
    assert got["diff"] == pytest.approx(b.mean() - a.mean(), abs=1e-12)
    assert got["p_value"] == pytest.approx(sps.ttest_ind(b, a, equal_var=False).pvalue, rel=1e-9)


@pytest.mark.parametrize("scale", ["clarity", "security"])
def test_change_confidence_interval_equals_scipys_welch_interval(two_waves, scale):
    a, b = team_scores(two_waves, "w1", "A", scale), team_scores(two_waves, "w2", "A", scale)
    got = row(compare_waves(two_waves, "w1", "w2"), "A", scale)
    low, high = sps.ttest_ind(b, a, equal_var=False).confidence_interval(0.95)
    assert (got["diff_ci_low"], got["diff_ci_high"]) == (pytest.approx(low, rel=1e-9), pytest.approx(high, rel=1e-9))
    assert got["diff_ci_low"] < got["diff"] < got["diff_ci_high"]


def test_effect_size_is_hedges_g_with_pooled_sd(two_waves):
    a, b = team_scores(two_waves, "w1", "A", "clarity"), team_scores(two_waves, "w2", "A", "clarity")
    na, nb = len(a), len(b)
    pooled = math.sqrt(((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / (na + nb - 2))
    expected = (b.mean() - a.mean()) / pooled * (1 - 3 / (4 * (na + nb) - 9))
    assert row(compare_waves(two_waves, "w1", "w2"), "A", "clarity")["effect_size"] == pytest.approx(expected, rel=1e-9)


@pytest.fixture
def change_cases(template):
    """Team Tiny: significant +2; team Big: significant +10; team Noisy: +10 on 5 people."""
    def split(team, n, share_of_fours):
        fours = round(n * share_of_fours)
        return people(team, fours, cl1=4, cl2=4) + people(team, n - fours, cl1=3, cl2=3)
    noisy_a = [{"team": "Noisy", "cl1": v, "cl2": v} for v in (1, 5, 1, 5, 3)]
    noisy_b = [{"team": "Noisy", "cl1": v, "cl2": v} for v in (5, 1, 5, 1, 5)]
    first = split("Tiny", 2000, 0.5) + split("Big", 2000, 0.5) + noisy_a
    second = split("Tiny", 2000, 0.58) + split("Big", 2000, 0.9) + noisy_b
    return {"w1": (template, make_matrix(template, first)), "w2": (template, make_matrix(template, second))}


def test_significant_change_below_min_change_is_not_flagged(change_cases):
    got = row(compare_waves(change_cases, "w1", "w2"), "Tiny", "clarity")
    assert got["diff"] == pytest.approx(2.0) and got["p_value"] < 0.05
    assert not got["flagged"]


def test_significant_change_of_at_least_min_change_is_flagged(change_cases):
    got = row(compare_waves(change_cases, "w1", "w2"), "Big", "clarity")
    assert got["diff"] == pytest.approx(10.0) and got["p_value"] < 0.05
    assert got["flagged"]


def test_large_change_that_is_not_significant_is_not_flagged(change_cases):
    got = row(compare_waves(change_cases, "w1", "w2"), "Noisy", "clarity")
    assert got["diff"] == pytest.approx(10.0) and got["p_value"] >= 0.05
    assert not got["flagged"]


def test_min_change_comes_from_the_later_wave_template(change_cases):
    strict = make_template(min_change=15)
    results = {"w1": change_cases["w1"], "w2": (strict, change_cases["w2"][1])}
    assert not row(compare_waves(results, "w1", "w2"), "Big", "clarity")["flagged"]


def test_scale_whose_items_changed_is_not_compared_and_says_why(two_waves):
    changed = make_template([("clarity", "pillar", ["cl1", "cl3"]), ("support", "pillar", ["su1", "-su2"]),
                             ("safety", "outcome", ["sa1", "sa2"]), ("engagement", "outcome", ["en1", "en2"]),
                             ("enps", "enps", ["nps"])])
    matrix = two_waves["w2"][1].rename(columns={"cl2": "cl3"})
    table = compare_waves({"w1": two_waves["w1"], "w2": (changed, matrix)}, "w1", "w2")
    clarity = row(table, "A", "clarity")
    assert clarity["note"] == "items changed: added cl3; removed cl2"
    assert math.isnan(clarity["diff"]) and math.isnan(clarity["p_value"]) and not clarity["flagged"]
    assert "clarity: items changed" in row(table, "A", "security")["note"]
    assert not math.isnan(row(table, "A", "support")["diff"])


def test_scale_whose_reverse_key_changed_is_not_compared(two_waves):
    changed = make_template([("clarity", "pillar", ["cl1", "cl2"]), ("support", "pillar", ["su1", "su2"]),
                             ("safety", "outcome", ["sa1", "sa2"]), ("engagement", "outcome", ["en1", "en2"]),
                             ("enps", "enps", ["nps"])])
    table = compare_waves({"w1": two_waves["w1"], "w2": (changed, two_waves["w2"][1])}, "w1", "w2")
    assert row(table, "A", "support")["note"] == "reverse keys changed: su2"
    assert math.isnan(row(table, "A", "support")["diff"])


def test_group_suppressed_in_one_wave_gets_no_numbers(template):
    first = make_matrix(template, people("A", 6, all=4) + people("B", 10, all=3))
    second = make_matrix(template, people("A", 4, all=2) + people("B", 10, all=3) + people("C", 6, all=3))
    table = compare_waves({"w1": (template, first), "w2": (template, second)}, "w1", "w2")
    got = row(table, "A", "clarity")
    assert got[["n_a", "n_b", "mean_a", "mean_b", "diff", "p_value", "effect_size"]].isna().all()
    assert "suppressed in wave w2 (small group)" in got["note"]
    assert not got["flagged"]


def test_enps_change_compares_the_enps(template):
    first = make_matrix(template, [{"team": "A", "nps": v} for v in (10, 10, 10, 0, 0)])
    second = make_matrix(template, [{"team": "A", "nps": v} for v in (0, 0, 0, 10, 10)])
    got = row(compare_waves({"w1": (template, first), "w2": (template, second)}, "w1", "w2"), "A", "enps")
    assert (got["mean_a"], got["mean_b"], got["diff"]) == (20.0, -20.0, -40.0)
    net_a, net_b = [100, 100, 100, -100, -100], [-100, -100, -100, 100, 100]
    assert got["p_value"] == pytest.approx(sps.ttest_ind(net_b, net_a, equal_var=False).pvalue, rel=1e-9)


def test_unknown_wave_is_refused(two_waves):
    with pytest.raises(UnknownNameError):
        compare_waves(two_waves, "w1", "w9")


# ---------------------------------------------------------------- false-discovery control of change flags

def test_benjamini_hochberg_equals_scipy_on_random_p_values_with_ties_and_nans():
    rng = np.random.default_rng(15)
    for trial in range(300):
        m = int(rng.integers(1, 80))
        p = rng.random(m) ** rng.uniform(0.2, 3)             # from mostly tiny to mostly large
        if trial % 2:
            p = np.round(p, int(rng.integers(1, 3)))          # many ties
        p[rng.random(m) < 0.2] = NaN
        got = benjamini_hochberg(p)
        tested = ~np.isnan(p)
        assert np.isnan(got[~tested]).all()
        if tested.any():
            expected = sps.false_discovery_control(p[tested], method="bh")
            np.testing.assert_allclose(got[tested], expected, rtol=1e-14, atol=0)
            assert (got[tested] >= p[tested] * (1 - 1e-15)).all() and (got[tested] <= 1).all()


def test_benjamini_hochberg_of_a_hand_worked_case():
    # sorted 0.01, 0.03, 0.04, 0.20 of m = 4: p m / rank = 0.04, 0.06, 0.0533, 0.20; step-up minimum from the top
    got = benjamini_hochberg([0.01, 0.04, 0.03, 0.20, NaN])
    np.testing.assert_allclose(got[:4], [0.04, 0.16 / 3, 0.16 / 3, 0.20], rtol=1e-15)
    assert math.isnan(got[4])


def test_benjamini_hochberg_gives_tied_p_values_the_same_q():
    np.testing.assert_allclose(benjamini_hochberg([0.02, 0.02, 0.5]), [0.03, 0.03, 0.5], rtol=1e-15)


def test_benjamini_hochberg_of_no_tests_is_all_nan():
    assert np.isnan(benjamini_hochberg([NaN, NaN])).all() and len(benjamini_hochberg([])) == 0


def test_q_value_column_follows_p_value(two_waves):
    columns = list(compare_waves(two_waves, "w1", "w2").columns)
    assert columns.index("q_value") == columns.index("p_value") + 1


@pytest.fixture
def two_departments_two_waves(template):
    rng = np.random.default_rng(23)
    tree = hierarchy([("A", "D"), ("B", "D"), ("C", "E"), ("F", "E")])
    def wave(shift):
        return make_matrix(template, random_people(rng, "A", 30, shift) + random_people(rng, "B", 25)
                           + random_people(rng, "C", 20, shift / 2) + random_people(rng, "F", 20))
    return {"w1": (template, wave(0.0)), "w2": (template, wave(0.6))}, tree


def test_q_values_are_bh_over_all_groups_and_scales_of_each_level(two_departments_two_waves):
    results, tree = two_departments_two_waves
    table = compare_waves(results, "w1", "w2", tree, by=list(LEVELS))
    for level in LEVELS:
        part = table[(table["level"] == level) & table["p_value"].notna()]
        assert len(part)
        expected = sps.false_discovery_control(part["p_value"].to_numpy(), method="bh")
        np.testing.assert_allclose(part["q_value"].to_numpy(), expected, rtol=1e-14)


def test_adding_department_comparisons_does_not_change_team_q_values(two_departments_two_waves):
    results, tree = two_departments_two_waves
    teams = compare_waves(results, "w1", "w2", tree, by="team")
    together = compare_waves(results, "w1", "w2", tree, by=["team", "department"])
    same = together[together["level"] == "team"].reset_index(drop=True)
    assert (together["level"] == "department").any()
    pd.testing.assert_series_equal(same["q_value"], teams["q_value"])
    pd.testing.assert_series_equal(same["flagged"], teams["flagged"])


def test_rows_not_compared_get_no_q_value(two_waves):
    changed = make_template([("clarity", "pillar", ["cl1", "cl3"]), ("support", "pillar", ["su1", "-su2"]),
                             ("safety", "outcome", ["sa1", "sa2"]), ("engagement", "outcome", ["en1", "en2"]),
                             ("enps", "enps", ["nps"])])
    matrix = two_waves["w2"][1].rename(columns={"cl2": "cl3"})
    table = compare_waves({"w1": two_waves["w1"], "w2": (changed, matrix)}, "w1", "w2")
    assert math.isnan(row(table, "A", "clarity")["q_value"])
    compared = table[table["p_value"].notna()]
    np.testing.assert_allclose(compared["q_value"], sps.false_discovery_control(compared["p_value"], method="bh"))


def _answers(team, counts):
    """Respondents of `team` answering both clarity items 1, 2, 3, 4, 5 in these counts."""
    return [r for value, count in zip(range(1, 6), counts) for r in people(team, count, cl1=value, cl2=value)]


BEFORE, AFTER = [6, 12, 18, 12, 6], [2, 9, 18, 12, 13]      # Welch p = 0.0397, change +11.6 points


def test_lone_change_with_p_0_04_is_flagged(template):
    first, second = make_matrix(template, _answers("X", BEFORE)), make_matrix(template, _answers("X", AFTER))
    got = row(compare_waves({"w1": (template, first), "w2": (template, second)}, "w1", "w2"), "X", "clarity")
    assert got["p_value"] == pytest.approx(0.0397, abs=1e-4) and got["diff"] >= 5
    assert got["q_value"] == pytest.approx(got["p_value"], rel=1e-12)      # its family: clarity and security, tied
    assert got["flagged"]


def test_change_with_p_0_04_among_many_unchanged_groups_is_not_flagged(template):
    steady = [r for k in range(10) for r in _answers(f"S{k}", BEFORE)]
    first = make_matrix(template, _answers("X", BEFORE) + steady)
    second = make_matrix(template, _answers("X", AFTER) + steady)
    table = compare_waves({"w1": (template, first), "w2": (template, second)}, "w1", "w2")
    got = row(table, "X", "clarity")
    assert got["p_value"] == pytest.approx(0.0397, abs=1e-4) and got["diff"] >= 5
    assert got["q_value"] == pytest.approx(got["p_value"] * 22 / 2, rel=1e-12)   # 11 groups x (clarity, security)
    assert not got["flagged"]
    assert not table["flagged"].any()


@pytest.fixture
def with_a_hidden_team(template):
    """Department D: T12 and T20 shown, T9 hidden by differencing, T3 hidden as a small group."""
    tree = hierarchy([("T12", "D"), ("T9", "D"), ("T3", "D"), ("T20", "D")])

    def results(small_team_answer):
        rng = np.random.default_rng(8)
        waves = {}
        for wave, shift in (("w1", 0.0), ("w2", 0.7)):
            rows = (random_people(rng, "T12", 12, shift) + random_people(rng, "T9", 9, shift)
                    + random_people(rng, "T20", 20, shift) + people("T3", 3, all=small_team_answer, nps=5))
            waves[wave] = (template, make_matrix(template, rows))
        return waves
    return results, tree


def test_hidden_group_rows_have_no_q_value(with_a_hidden_team):
    results, tree = with_a_hidden_team
    table = compare_waves(results(5), "w1", "w2", tree)
    for team in ("T3", "T9"):
        hidden = table[table["group"] == team]
        assert hidden["p_value"].isna().all() and hidden["q_value"].isna().all() and not hidden["flagged"].any()
    assert table.loc[table["group"].isin(["T12", "T20"]), "q_value"].notna().any()


def test_visible_q_values_do_not_depend_on_a_hidden_groups_answers(with_a_hidden_team):
    results, tree = with_a_hidden_team
    one, other = compare_waves(results(5), "w1", "w2", tree), compare_waves(results(1), "w1", "w2", tree)
    departments = [compare_waves(r, "w1", "w2", tree, by="department") for r in (results(5), results(1))]
    assert row(departments[0], "D", "clarity")["mean_b"] != row(departments[1], "D", "clarity")["mean_b"]
    visible = one["group"].isin(["T12", "T20"])
    assert visible.any() and one.loc[visible, "q_value"].notna().any()
    pd.testing.assert_series_equal(one.loc[visible, "q_value"], other.loc[visible, "q_value"])
    pd.testing.assert_series_equal(one["flagged"], other["flagged"])


# ---------------------------------------------------------------- reliability

@pytest.fixture
def items_with_gaps():
    rng = np.random.default_rng(2024)
    latent = rng.normal(size=300)
    data = pd.DataFrame({f"i{k}": np.clip(np.rint(3 + latent + rng.normal(0, 1, 300)), 1, 5) for k in range(6)})
    return data.mask(rng.random(data.shape) < 0.15)


def test_cronbach_alpha_matches_pingouin_with_missing_answers(items_with_gaps):
    alpha, n = cronbach_alpha(items_with_gaps)
    assert alpha == pytest.approx(pingouin.cronbach_alpha(items_with_gaps, nan_policy="pairwise")[0], abs=1e-9)
    assert n == len(items_with_gaps)


def test_cronbach_alpha_of_one_item_is_nan(items_with_gaps):
    assert math.isnan(cronbach_alpha(items_with_gaps[["i0"]])[0])


def test_cronbach_alpha_without_missing_answers_matches_pingouin(items_with_gaps):
    complete = items_with_gaps.fillna(3)
    assert cronbach_alpha(complete)[0] == pytest.approx(pingouin.cronbach_alpha(complete)[0], abs=1e-12)


def test_pairwise_covariance_equals_pandas_on_0_100_scores_with_gaps(items_with_gaps):
    scores = (items_with_gaps - 1) * 25 + 1000   # far from 0, as a one-pass sum would suffer from
    expected = scores.cov().to_numpy()
    np.testing.assert_allclose(pairwise_covariance(scores.to_numpy()), expected, rtol=1e-11, atol=1e-9)


def test_pairwise_covariance_is_nan_for_a_pair_sharing_fewer_than_two_rows():
    data = pd.DataFrame({"a": [1.0, 2.0, np.nan, np.nan], "b": [np.nan, 5.0, 1.0, 2.0], "c": [1.0, 3.0, 2.0, 2.0]})
    got = pairwise_covariance(data.to_numpy())
    expected = data.cov().to_numpy()
    assert np.isnan(got[0, 1]) and np.isnan(expected[0, 1])
    np.testing.assert_allclose(got, expected, rtol=1e-12)


def test_cronbach_alpha_of_items_that_never_share_a_row_matches_pingouin():
    data = pd.DataFrame({"a": [1.0, 2.0, 3.0, np.nan, np.nan], "b": [np.nan, np.nan, np.nan, 4.0, 1.0],
                         "c": [2.0, 2.0, 3.0, 5.0, 1.0]})
    assert cronbach_alpha(data)[0] == pytest.approx(pingouin.cronbach_alpha(data, nan_policy="pairwise")[0], abs=1e-12)


def _r_drop_from_the_formula(data: pd.DataFrame) -> np.ndarray:
    """psych's r.drop written out: C[i][j] = covariance over the rows where items i and j are both answered."""
    values = data.to_numpy(dtype=float)
    k = values.shape[1]
    cov = np.empty((k, k))
    for i in range(k):
        for j in range(k):
            both = ~np.isnan(values[:, i]) & ~np.isnan(values[:, j])
            x, y = values[both, i], values[both, j]
            cov[i, j] = sum((a - x.mean()) * (b - y.mean()) for a, b in zip(x, y)) / (len(x) - 1)
    r = []
    for i in range(k):
        others = [j for j in range(k) if j != i]
        row_without_diagonal = sum(cov[i, j] for j in others)
        rest_variance = sum(cov[a, b] for a in others for b in others)
        r.append(row_without_diagonal / math.sqrt(cov[i, i] * rest_variance))
    return np.array(r)


def test_item_rest_with_missing_answers_is_psych_r_drop_from_the_pairwise_covariance(items_with_gaps):
    assert items_with_gaps.isna().mean().mean() == pytest.approx(0.15, abs=0.02)
    got = item_rest(items_with_gaps)
    np.testing.assert_allclose(got["item_rest"], _r_drop_from_the_formula(items_with_gaps), rtol=0, atol=1e-12)


SMALL_WITH_GAPS = pd.DataFrame({"a": [1, 2, 3, 4, 5, 2, np.nan, 4],
                                "b": [2, 2, 4, np.nan, 5, 1, 3, 5],
                                "c": [1, np.nan, 3, 5, 4, 2, 2, np.nan],
                                "d": [np.nan, 3, 2, 4, 5, 1, 4, 3]}, dtype="float64")


def test_item_rest_of_a_small_hand_made_set_with_gaps_is_r_drop_not_the_listwise_correlation():
    """Eight respondents, four items, six answers missing: only three rows are complete, so r.drop from the
    pairwise covariance and the correlation with the rest over complete rows differ clearly."""
    got = item_rest(SMALL_WITH_GAPS)
    expected = _r_drop_from_the_formula(SMALL_WITH_GAPS)
    np.testing.assert_allclose(got["item_rest"], expected, rtol=0, atol=1e-12)
    complete = SMALL_WITH_GAPS.dropna()
    listwise = [np.corrcoef(complete[i], complete.drop(columns=i).sum(axis=1))[0, 1] for i in complete.columns]
    assert np.abs(expected - np.array(listwise)).max() > 0.05
    assert got["n"].tolist() == [7, 7, 6, 7]


def test_item_rest_on_0_100_scores_with_missing_answers_is_psych_r_drop(items_with_gaps):
    scores = (items_with_gaps - 1) * 25
    np.testing.assert_allclose(item_rest(scores)["item_rest"], _r_drop_from_the_formula(scores), rtol=0, atol=1e-12)


def test_item_rest_n_counts_respondents_with_the_item_and_another_answer(items_with_gaps):
    got = item_rest(items_with_gaps).set_index("item")
    for item in items_with_gaps.columns:
        others = items_with_gaps.drop(columns=item).notna().any(axis=1)
        assert got.loc[item, "n"] == (items_with_gaps[item].notna() & others).sum()


def test_item_rest_without_missing_answers_is_the_correlation_with_the_sum_of_the_other_items(items_with_gaps):
    complete = items_with_gaps.dropna()
    got = item_rest(complete).set_index("item")["item_rest"]
    for item in complete.columns:
        rest = complete.drop(columns=item).sum(axis=1)
        assert got[item] == pytest.approx(sps.pearsonr(complete[item], rest).statistic, abs=1e-12)


def test_item_rest_without_missing_answers_equals_psych_r_drop(items_with_gaps):
    complete = items_with_gaps.dropna()
    cov = complete.cov().to_numpy()
    got = item_rest(complete)["item_rest"].to_numpy()
    for j in range(cov.shape[0]):
        others = [k for k in range(cov.shape[0]) if k != j]
        r_drop = cov[j, others].sum() / math.sqrt(cov[j, j] * cov[np.ix_(others, others)].sum())
        assert got[j] == pytest.approx(r_drop, abs=1e-12)


@pytest.fixture
def consistent_wave(template):
    rng = np.random.default_rng(5)
    return make_matrix(template, random_people(rng, "A", 200))


def test_reliability_uses_reverse_keyed_item_scores(template, consistent_wave):
    table = reliability(template, consistent_wave).set_index("scale")
    keyed = hand_item_scores(consistent_wave, ["su1", "su2"]).dropna(how="all")
    raw = consistent_wave[["su1", "su2"]]
    assert table.loc["support", "alpha"] == pytest.approx(pingouin.cronbach_alpha(keyed)[0], abs=1e-9)
    assert table.loc["support", "alpha"] > 0.5 > pingouin.cronbach_alpha(raw)[0]
    assert (table.loc["support", "k"], table.loc["support", "n"]) == (2, len(keyed))


def test_reliability_skips_the_enps_question_with_a_note(template, consistent_wave):
    got = reliability(template, consistent_wave).set_index("scale").loc["enps"]
    assert math.isnan(got["alpha"]) and "eNPS" in got["note"]


def test_item_analysis_gives_item_rest_per_item_of_multi_item_scales(template, consistent_wave):
    table = item_analysis(template, consistent_wave)
    assert list(table.columns) == ["scale", "item", "n", "item_rest", "alpha_if_dropped"]
    assert set(table["scale"]) == {"clarity", "support", "safety", "engagement"}


def test_item_analysis_item_rest_is_psych_r_drop_of_the_reverse_keyed_item_scores():
    """A three-item scale with a reverse-keyed item and missing answers: r.drop from the pairwise covariance of the
    keyed 0-100 item scores, written out in `_r_drop_from_the_formula`."""
    three = make_template([("clarity", "pillar", ["cl1", "-su2", "sa1"]), ("enps", "enps", ["nps"])], indices=())
    rng = np.random.default_rng(5)
    matrix = make_matrix(three, random_people(rng, "A", 200))
    keyed = hand_item_scores(matrix, ["cl1", "su2", "sa1"]).dropna(how="all")
    assert keyed.isna().any().any() and len(keyed.dropna()) < len(keyed)
    got = item_analysis(three, matrix).set_index("item").loc[["cl1", "su2", "sa1"]]
    np.testing.assert_allclose(got["item_rest"], _r_drop_from_the_formula(keyed), rtol=0, atol=1e-12)
    assert (got["item_rest"] > 0.3).all()                          # su2 keyed: it goes with the others
    others = {item: keyed.drop(columns=item).notna().any(axis=1) for item in keyed.columns}
    assert got["n"].tolist() == [int((keyed[i].notna() & others[i]).sum()) for i in keyed.columns]


def test_item_analysis_alpha_if_dropped_matches_pingouin_without_the_item(template, consistent_wave):
    three = make_template([("clarity", "pillar", ["cl1", "cl2", "su1"]), ("enps", "enps", ["nps"])], indices=())
    table = item_analysis(three, consistent_wave).set_index("item")
    keyed = hand_item_scores(consistent_wave, ["cl1", "cl2", "su1"]).dropna(how="all")
    assert keyed.isna().any().any()
    for item in keyed.columns:
        expected = pingouin.cronbach_alpha(keyed.drop(columns=item), nan_policy="pairwise")[0]
        assert table.loc[item, "alpha_if_dropped"] == pytest.approx(expected, abs=1e-12)


# ---------------------------------------------------------------- drivers

@pytest.fixture
def driver_data(template):
    rng = np.random.default_rng(8)
    rows = random_people(rng, "Big", 25) + random_people(rng, "Small", 6) + random_people(rng, "Tiny", 3) + \
        random_people(rng, "Loner", 10)
    tree = hierarchy([("Big", "D"), ("Small", "D"), ("Tiny", "D"), ("Loner", "Other")])
    return make_matrix(template, rows), tree


def test_driver_r_p_and_ci_match_references(template, driver_data):
    matrix, tree = driver_data
    table = drivers(template, matrix, tree, group=ORGANISATION)
    assert list(table.columns) == DRIVER_COLUMNS
    scores = hand_scale_scores(matrix)[["clarity", "engagement"]].dropna()
    ref = sps.pearsonr(scores["clarity"], scores["engagement"])
    got = table[(table["pillar"] == "clarity") & (table["outcome"] == "engagement")].iloc[0]
    assert got["r"] == pytest.approx(ref.statistic, abs=1e-9)
    assert got["p_value"] == pytest.approx(ref.pvalue, rel=1e-6)
    assert got["n"] == len(scores)
    half = sps.norm.ppf(0.975) / math.sqrt(len(scores) - 3)
    assert got["ci_low"] == pytest.approx(math.tanh(math.atanh(ref.statistic) - half), abs=1e-9)
    assert got["ci_high"] == pytest.approx(math.tanh(math.atanh(ref.statistic) + half), abs=1e-9)
    assert got["source"] == "own"


def test_large_group_gets_its_own_drivers(template, driver_data):
    matrix, tree = driver_data
    table = drivers(template, matrix, tree, group="Big")
    scores = hand_scale_scores(matrix)[matrix["team"] == "Big"][["support", "safety"]].dropna()
    got = table[(table["pillar"] == "support") & (table["outcome"] == "safety")].iloc[0]
    assert got["source"] == "own"
    assert got["r"] == pytest.approx(sps.pearsonr(scores["support"], scores["safety"]).statistic, abs=1e-9)
    assert got["n"] == len(scores)


def test_small_group_falls_back_to_its_parent_unit_labelled(template, driver_data):
    matrix, tree = driver_data
    small = drivers(template, matrix, tree, group="Small")
    parent = drivers(template, matrix, tree, group="D")
    assert (small["source"] == "parent unit: D").all()
    assert (parent["source"] == "own").all()
    assert np.allclose(small["r"], parent["r"], atol=0)
    scores = hand_scale_scores(matrix)[matrix["team"].isin(["Big", "Small", "Tiny"])][["clarity", "safety"]].dropna()
    got = parent[(parent["pillar"] == "clarity") & (parent["outcome"] == "safety")].iloc[0]
    assert got["r"] == pytest.approx(sps.pearsonr(scores["clarity"], scores["safety"]).statistic, abs=1e-9)


def test_small_unit_whose_parent_is_also_small_falls_back_to_the_organisation(template, driver_data):
    matrix, tree = driver_data
    assert (drivers(template, matrix, tree, group="Loner")["source"] == "organisation").all()


def test_group_below_min_group_never_gets_its_own_drivers(template, driver_data):
    matrix, tree = driver_data
    table = drivers(template, matrix, tree, group="Tiny", min_size=2)
    assert (table["source"] == "parent unit: D").all()


def test_drivers_for_every_unit_by_default(template, driver_data):
    matrix, tree = driver_data
    table = drivers(template, matrix, tree)
    assert set(table["group"]) == {"Big", "Small", "Tiny", "Loner", "D", "Other", ORGANISATION}
    assert len(table) == 7 * 2 * 2                                  # pillars x outcomes per group


# ---------------------------------------------------------------- scale (speed is measured in benchmarks/run.py)

@pytest.mark.slow
def test_aggregate_of_100k_respondents_has_a_row_per_group_and_score():
    scales = [(f"s{k}", "pillar", [f"s{k}i{j}" for j in range(5)]) for k in range(8)]
    big = make_template(scales, indices=[("all", [s[0] for s in scales])])
    rng = np.random.default_rng(1)
    n = 100_000
    answers = rng.integers(1, 6, size=(n, 40)).astype("float64")
    answers[rng.random(answers.shape) < 0.1] = np.nan
    matrix = pd.DataFrame(answers, columns=big.item_ids)
    teams = np.array([f"team{k}" for k in range(200)])
    matrix.insert(0, "team", teams[rng.integers(0, 200, n)])
    tree = hierarchy([(t, f"dept{k % 20}") for k, t in enumerate(teams)])
    table = aggregate({"w1": (big, matrix)}, tree, by=["team", "department", "organisation"])
    assert len(table) == (200 + 20 + 1) * 9


# ---------------------------------------------------------------- min_change at exactly the boundary

@pytest.fixture
def boundary_change(template):
    """Team Edge: 2000 people scoring clarity 50 or 75; the share of 75s goes from 50 % to 70 %, so the mean goes
    from 62.5 to 67.5: a change of exactly min_change (5) points, on 2000 people clearly significant. Team Under:
    from 50 % to 69.75 %, a change of 4.9375 points."""
    def split(team, n, fours):
        return people(team, fours, cl1=4, cl2=4) + people(team, n - fours, cl1=3, cl2=3)
    first = split("Edge", 2000, 1000) + split("Under", 2000, 1000)
    second = split("Edge", 2000, 1400) + split("Under", 2000, 1395)
    return {"w1": (template, make_matrix(template, first)), "w2": (template, make_matrix(template, second))}


def test_a_significant_change_of_exactly_min_change_is_flagged(boundary_change, template):
    got = row(compare_waves(boundary_change, "w1", "w2"), "Edge", "clarity")
    expected = (1400 * 75 + 600 * 50) / 2000 - (1000 * 75 + 1000 * 50) / 2000
    assert expected == template.min_change == 5
    assert got["diff"] == expected and got["q_value"] < 0.05
    assert got["flagged"]


def test_a_significant_change_just_under_min_change_is_not_flagged(boundary_change):
    got = row(compare_waves(boundary_change, "w1", "w2"), "Under", "clarity")
    assert got["diff"] == pytest.approx((1395 * 75 + 605 * 50) / 2000 - 62.5) and got["q_value"] < 0.05
    assert not got["flagged"]
