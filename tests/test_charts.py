"""Charts: a Figure from tidy tables, and never a number for a hidden group."""

from __future__ import annotations

import matplotlib.pyplot as plt
import pytest

from assessment import charts
from assessment.analysis import Results
from assessment.demo import DEMO_WAVES, SMALL_TEAM


@pytest.fixture(scope="module")
def results(demo_workspace):
    return Results(demo_workspace)


def texts(fig):
    found = [t.get_text() for ax in fig.axes for t in ax.texts + ax.get_xticklabels() + ax.get_yticklabels()]
    found += [t.get_text() for t in fig.texts]
    for legend in [ax.get_legend() for ax in fig.axes] + fig.legends:
        if legend:
            found += [t.get_text() for t in legend.get_texts()]
    return found


def line_labels(fig):
    return [line.get_label() for ax in fig.axes for line in ax.lines]


def test_trend_draws_no_line_for_a_suppressed_team_and_names_it_in_a_note(results):
    fig = charts.trend(results.table("team"), min_group=results.min_group)
    assert isinstance(fig, plt.Figure)
    panel_titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert SMALL_TEAM not in panel_titles
    assert any(SMALL_TEAM in t and "fewer than 5" in t for t in fig.texts[0].get_text().splitlines())
    plt.close(fig)


def test_trend_with_few_groups_draws_a_line_per_group(results):
    fig = charts.trend(results.table("department"))
    assert set(line_labels(fig)) == {"Customer Service", "Sales", "Product", "Operations"}
    plt.close(fig)


def test_heatmap_marks_suppressed_cells_without_a_number(results):
    fig = charts.heatmap(results.table("team"), wave=DEMO_WAVES[-1], min_group=5)
    ax = fig.axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    row = rows.index(SMALL_TEAM)
    cell_texts = [t.get_text() for t in ax.texts if abs(t.get_position()[1] - (row + 0.5)) < 1e-6]
    assert cell_texts and all(t == "n<5" for t in cell_texts)
    plt.close(fig)


def test_pillars_chart_has_one_bar_group_per_visible_team(results):
    table = results.table("team")
    fig = charts.pillars(table, wave=DEMO_WAVES[-1], scales=[s.id for s in results.template.pillars], min_group=5)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert SMALL_TEAM not in ticks and "Platform" in ticks
    plt.close(fig)


def test_agreement_chart_keeps_questionnaire_order(results):
    dist = results.item_distribution(DEMO_WAVES[-1], "Platform", scale="expectations")
    fig = charts.agreement(dist, labels=list(results.template.response_scales["agree5"].labels["en"]))
    labels = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    expected = [i.text["en"] + (" (R)" if i.reverse else "") for i in results.template.scale("expectations").items]
    assert labels == expected
    plt.close(fig)


def test_change_chart_marks_significant_changes(results):
    comparison = results.compare(DEMO_WAVES[0], DEMO_WAVES[-1])
    rows = comparison[comparison["group"] == "Mobile"]
    fig = charts.change(rows)
    assert any(t.endswith("*") for t in texts(fig))
    plt.close(fig)


def test_enps_chart_leaves_out_suppressed_teams(results):
    fig = charts.enps(results.table("team"), wave=DEMO_WAVES[-1], min_group=5)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert SMALL_TEAM not in ticks and len(ticks) >= 8
    plt.close(fig)


def test_drivers_chart_draws_each_pillar(results):
    table = results.drivers(DEMO_WAVES[-1], group="Customer Service")
    fig = charts.drivers(table)
    assert len(fig.axes) == 2
    plt.close(fig)
