"""Workspace-level results: shared protected tables for the CLI, dashboard, reports and exports."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats as sps

from assessment.analysis import Results, reliability_table, score_table
from assessment.demo import DEMO_WAVES, SMALL_TEAM
from assessment.store import Response


@pytest.fixture(scope="module")
def results(demo_workspace):
    return Results(demo_workspace)


def test_score_table_shows_suppressed_groups_as_suppressed_not_numbers(demo_workspace):
    table = score_table(demo_workspace, by="team").set_index("team")
    assert (table.loc[SMALL_TEAM] == "suppressed").all()
    assert table.loc["Platform", "security"] not in ("suppressed", "", "0", "0.0")


def test_score_table_by_department_lists_departments(demo_workspace):
    table = score_table(demo_workspace, by="department")
    assert set(table["department"]) == {"Customer Service", "Sales", "Product", "Operations"}


def test_reliability_table_has_alpha_per_scale(demo_workspace):
    scales, items = reliability_table(demo_workspace)
    assert scales.set_index("scale").loc["expectations", "alpha"] > 0.7
    assert {"item", "item_rest"} <= set(items.columns)


def test_item_distribution_is_empty_for_a_suppressed_group(results):
    assert results.item_distribution(DEMO_WAVES[-1], SMALL_TEAM).empty


def test_item_distribution_percentages_add_up_per_item(results):
    dist = results.item_distribution(DEMO_WAVES[-1], "Platform", scale="goals")
    assert list(dict.fromkeys(dist["item"])) == results.template.scale("goals").item_ids
    assert dist.groupby("item")["percent"].sum().round(6).eq(100).all()


def _comment_teams(workspace, platform: int, data: int) -> Results:
    answers = {"exp_role": 3, "exp_standard": 4, "exp_feedback": 2}
    workspace.store.add_responses("w1", [Response("Platform", answers, {"comment_keep": f"p{n}"}) for n in range(platform)])
    workspace.store.add_responses("w1", [Response("Data", answers, {"comment_keep": f"d{n}"}) for n in range(data)])
    return Results(workspace)


def test_comments_appear_only_for_groups_at_the_comment_threshold(workspace):
    results = _comment_teams(workspace, platform=10, data=10)
    assert results.template.min_comments == 10
    assert sorted(results.comments("w1", "Data")["text"]) == sorted(f"d{n}" for n in range(10))
    assert len(results.comments("w1", "Product")) == 20


def test_comments_of_a_team_are_hidden_when_its_department_minus_it_leaves_fewer_than_the_threshold(workspace):
    """Product = {Platform: 9, Data: 10}: Product's comments minus Data's would be Platform's nine."""
    results = _comment_teams(workspace, platform=9, data=10)
    assert results.shown("w1", "Platform") and results.comments("w1", "Platform").empty
    assert results.comments("w1", "Data").empty
    assert sorted(results.comments("w1", "Product")["text"]) == sorted(
        [f"p{n}" for n in range(9)] + [f"d{n}" for n in range(10)])


def test_comments_are_shuffled(results):
    first = results.comments(DEMO_WAVES[-1], "Customer Service", seed=1)["text"].tolist()
    second = results.comments(DEMO_WAVES[-1], "Customer Service", seed=2)["text"].tolist()
    stored = results.workspace.store.comments(DEMO_WAVES[-1])
    in_order = stored[stored["team"].isin(results.teams_in("Customer Service"))]["text"].tolist()
    assert sorted(first) == sorted(in_order) and (first != in_order or second != in_order)


def test_response_rates_hide_small_teams(results):
    rates = results.response_rates(DEMO_WAVES[-1]).set_index("team")
    assert pd.isna(rates.loc[SMALL_TEAM, "respondents"]) and pd.isna(rates.loc[SMALL_TEAM, "response_rate"])
    assert rates.loc["Platform", "response_rate"] > 50


def test_data_quality_flags_straight_lining(workspace):
    store = workspace.store
    items = [i.id for i in workspace.template().items if i.response_scale.points == 5]
    same = [Response("Platform", {i: 3 for i in items}) for _ in range(5)]
    varied = [Response("Platform", {i: 1 + (k + n) % 5 for k, i in enumerate(items)}) for n in range(3)]
    store.add_responses("w1", same + varied)
    quality = Results(workspace).data_quality("w1").set_index("team")
    assert quality.loc["Platform", "straight_lining"] == 5
    assert quality.loc["Platform", "respondents"] == 8


@pytest.mark.parametrize("level", ["team", "department", "organisation"])
def test_compare_q_values_are_bh_over_every_group_and_scale_of_the_level(results, level):
    table = results.compare(DEMO_WAVES[-2], DEMO_WAVES[-1], level=level)
    assert set(table["level"]) == {level}
    tested = table["p_value"].notna()
    assert table.loc[~tested, "q_value"].isna().all()
    expected = sps.false_discovery_control(table.loc[tested, "p_value"].to_numpy(), method="bh")
    np.testing.assert_allclose(table.loc[tested, "q_value"].to_numpy(), expected, rtol=1e-14)


def test_compare_flags_only_changes_with_q_under_0_05_and_at_least_min_change(results):
    table = results.compare(DEMO_WAVES[0], DEMO_WAVES[1], level="team")
    large = table["diff"].abs() >= results.template.min_change
    assert table["flagged"].tolist() == ((table["q_value"] < 0.05) & large).tolist()
    assert table["flagged"].any()
    assert (large & (table["p_value"] < 0.05) & ~table["flagged"]).any()   # significant alone, not among all teams


def test_compare_gives_a_hidden_team_no_q_value(results):
    table = results.compare(DEMO_WAVES[-2], DEMO_WAVES[-1], level="team")
    small = table[table["group"] == SMALL_TEAM]
    assert len(small) and small["q_value"].isna().all() and not small["flagged"].any()


def test_reliability_alpha_per_scale_equals_pingouin_on_the_keyed_demo_answers(results):
    """Oracle: the item scores written out from the template's response scales and reverse keys (no scoring code),
    then pingouin's alpha with pairwise deletion over the respondents who answered any of the scale's items."""
    import pingouin
    wave = DEMO_WAVES[-1]
    template = results.workspace.store.wave_template(wave)
    matrix = results.workspace.store.answer_matrix(wave)
    scales, _ = results.reliability(wave)
    scales = scales.set_index("scale")
    checked = 0
    for scale in template.scales:
        if scale.role == "enps" or len(scale.items) < 2:
            continue
        keyed = pd.DataFrame({
            item.id: ((item.response_scale.low + item.response_scale.high - matrix[item.id]) if item.reverse
                      else matrix[item.id]) - item.response_scale.low for item in scale.items}) * 100
        keyed = keyed / np.array([i.response_scale.high - i.response_scale.low for i in scale.items], dtype=float)
        keyed = keyed[keyed.notna().any(axis=1)]
        assert scales.loc[scale.id, "n"] == len(keyed)
        expected = pingouin.cronbach_alpha(keyed, nan_policy="pairwise")[0]
        assert scales.loc[scale.id, "alpha"] == pytest.approx(expected, abs=1e-9), scale.id
        checked += 1
    assert checked >= 4 and any(i.reverse for s in template.scales for i in s.items)
