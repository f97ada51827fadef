"""Charts: a Figure from tidy tables, and never a number for a hidden group."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
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


def many_teams_table(teams=30, waves=("w1", "w2", "w3"), scales=("security", "engagement")):
    """A protected-looking team table: team k scores 40 + k; the hidden rows carry numbers (1 and 99)
    that must never be drawn, whatever the table's protection left in them."""
    rows = []
    for t in range(teams):
        for w, wave in enumerate(waves):
            for scale in scales:
                hidden = t == 0 or (t == 1 and w == 1)
                mean = (1.0 if t == 0 else 99.0) if hidden else 40.0 + t
                rows.append({"wave": wave, "level": "team", "group": f"Team {t:02d}", "scale": scale,
                             "title": scale.title(), "n": 3 if hidden else 20, "mean": mean,
                             "ci_low": mean - 2, "ci_high": mean + 2, "suppressed": hidden,
                             "suppressed_reason": "small group" if hidden else None})
    return pd.DataFrame(rows)


def organisation_rows(waves=("w1", "w2", "w3"), scales=("security", "engagement")):
    return pd.DataFrame([{"wave": w, "level": "organisation", "group": "Organisation", "scale": s, "n": 600,
                          "mean": 55.0, "ci_low": 54.0, "ci_high": 56.0, "suppressed": False, "suppressed_reason": None}
                         for w in waves for s in scales])


def group_lines(ax):
    return [line for line in ax.lines if line.get_gid() == "group"]


def test_trend_with_many_groups_draws_a_panel_per_scale_and_a_thin_line_per_shown_group():
    table = many_teams_table()
    fig = charts.trend(table, min_group=5, reference=organisation_rows())
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert [ax.get_title() for ax in axes] == ["Security", "Engagement"]
    shown = {f"Team {t:02d}" for t in range(1, 30)}
    for ax in axes:
        labels = [line.get_label() for line in group_lines(ax)]
        assert sorted(labels) == sorted(shown)                   # one line each; the hidden team has none
        reference = [line for line in ax.lines if line.get_gid() == "reference"]
        assert len(reference) == 1 and list(reference[0].get_ydata()) == [55.0] * 3
    plt.close(fig)


def test_trend_with_many_groups_never_draws_a_hidden_value():
    fig = charts.trend(many_teams_table(), min_group=5, reference=organisation_rows())
    for ax in fig.axes:
        for line in group_lines(ax):
            y = np.asarray(line.get_ydata(), dtype=float)
            assert not np.isin(y, [1.0, 99.0]).any(), line.get_label()
        partly_hidden = next(line for line in group_lines(ax) if line.get_label() == "Team 01")
        assert np.isnan(partly_hidden.get_ydata()[1])            # a gap in the wave it was hidden
        assert "Team 00" not in [t.get_text() for t in ax.texts]
    assert any("Team 00" in t and "fewer than 5" in t for t in fig.texts[0].get_text().splitlines())
    plt.close(fig)


def test_trend_with_many_groups_names_the_lowest_and_highest_in_the_last_wave():
    fig = charts.trend(many_teams_table(), reference=organisation_rows())
    for ax in fig.axes:
        named = {t.get_text() for t in ax.texts}
        assert named == {"Team 01", "Team 02", "Team 03", "Team 27", "Team 28", "Team 29"}
    plt.close(fig)


def test_trend_with_many_real_teams_hides_the_small_team(results):
    teams = results.table("team")
    shown = set(teams.loc[~teams["suppressed"] & teams["scale"].isin(["security", "engagement"]), "group"])
    fig = charts.trend(teams, min_group=results.min_group, max_panels=4, reference=results.table("organisation"))
    assert len([ax for ax in fig.axes if ax.get_visible()]) == 2
    for ax in fig.axes:
        labels = [line.get_label() for line in group_lines(ax)]
        assert len(labels) == len(set(labels)) and set(labels) <= shown and SMALL_TEAM not in labels
    assert set().union(*[{line.get_label() for line in group_lines(ax)} for ax in fig.axes]) == shown
    assert any(SMALL_TEAM in t for t in fig.texts[0].get_text().splitlines())
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


# ---------------------------------------------------------------- actions agreed after a wave

def action_frame(*rows):
    """A tidy actions table like `store.actions()` (only the columns the chart reads, plus text)."""
    return pd.DataFrame([{"group": g, "scale": s, "wave": w, "text": "agreed"} for g, s, w in rows],
                        columns=["group", "scale", "wave", "text"])


def stars(ax):
    return [line for line in ax.lines if line.get_gid() == "action"]


def action_waves(ax):
    return [line for line in ax.lines if line.get_gid() == "action-wave"]


def panel(fig, title):
    return next(ax for ax in fig.axes if ax.get_visible() and ax.get_title() == title)


def test_trend_marks_an_action_with_a_star_at_the_groups_mean_in_that_wave(results):
    table = results.table("team")
    actions = action_frame(("Mobile", "engagement", DEMO_WAVES[1]))
    fig = charts.trend(table, scales=("security", "engagement"), groups=["Mobile"], actions=actions)
    mean = table.set_index(["group", "scale", "wave"]).loc[("Mobile", "engagement", DEMO_WAVES[1]), "mean"]
    marked = stars(panel(fig, results.title("engagement")))
    assert len(marked) == 1 and marked[0].get_xydata().tolist() == [[1.0, pytest.approx(mean)]]
    assert not stars(panel(fig, results.title("security")))
    assert "action agreed" in texts(fig)
    plt.close(fig)


def test_trend_marks_an_action_on_a_scale_not_drawn_with_a_line_at_its_wave(results):
    actions = action_frame(("Mobile", "goals", DEMO_WAVES[2]))
    fig = charts.trend(results.table("team"), groups=["Mobile"], actions=actions)
    for ax in fig.axes:
        assert not stars(ax)
        assert [line.get_xdata()[0] for line in action_waves(ax)] == [2]
    assert "action agreed (another scale)" in texts(fig)
    plt.close(fig)


def test_trend_with_a_panel_per_group_marks_the_action_in_that_groups_panel(results):
    table = results.table("team")
    actions = action_frame(("Platform", "security", DEMO_WAVES[3]))
    fig = charts.trend(table, actions=actions)
    assert panel(fig, "Platform")                                  # one panel per team
    mean = table.set_index(["group", "scale", "wave"]).loc[("Platform", "security", DEMO_WAVES[3]), "mean"]
    assert [s.get_xydata().tolist() for s in stars(panel(fig, "Platform"))] == [[[3.0, pytest.approx(mean)]]]
    assert sum(len(stars(ax)) for ax in fig.axes) == 1
    plt.close(fig)


def test_trend_never_marks_a_hidden_groups_value(results):
    table = results.table("team")
    actions = action_frame((SMALL_TEAM, "security", DEMO_WAVES[3]), (SMALL_TEAM, "goals", DEMO_WAVES[3]))
    for groups in ([SMALL_TEAM], None):
        fig = charts.trend(table, groups=groups, min_group=5, actions=actions)
        assert not any(stars(ax) or action_waves(ax) for ax in fig.axes)
        plt.close(fig)


def test_trend_with_many_groups_marks_no_hidden_value():
    actions = action_frame(("Team 00", "security", "w1"),                     # hidden in every wave
                           ("Team 01", "security", "w2"),                     # hidden in w2 only
                           ("Team 05", "security", "w3"))
    fig = charts.trend(many_teams_table(), min_group=5, reference=organisation_rows(), actions=actions)
    security = panel(fig, "Security")
    assert [s.get_xydata().tolist() for s in stars(security)] == [[[2.0, 45.0]]]
    assert [line.get_xdata()[0] for line in action_waves(security)] == [1]     # a wave line, not Team 01's value
    for ax in fig.axes:
        for star in stars(ax):
            assert not np.isin(star.get_ydata(), [1.0, 99.0]).any()
    plt.close(fig)


def test_trend_marks_the_organisations_action_on_its_reference_line():
    fig = charts.trend(many_teams_table(), reference=organisation_rows(),
                       actions=action_frame(("Organisation", "engagement", "w2")))
    assert [s.get_xydata().tolist() for s in stars(panel(fig, "Engagement"))] == [[[1.0, 55.0]]]
    plt.close(fig)


def drawing(fig):
    """What a figure shows: every line's data and label, texts and legend entries."""
    lines = [(ax.get_title(), line.get_label(), np.nan_to_num(np.asarray(line.get_xydata(), dtype=float), nan=-1.0)
              .round(6).tolist()) for ax in fig.axes for line in ax.lines]     # a gap (NaN) compares as -1
    return lines, sorted(texts(fig)), [len(ax.collections) for ax in fig.axes]


@pytest.mark.parametrize("layout", ["a line per group", "a panel per group", "many groups"])
def test_trend_without_actions_draws_the_same_figure(results, layout):
    table, kwargs = results.table("team"), {}
    if layout == "a line per group":
        kwargs = {"groups": ["Mobile", "Platform", SMALL_TEAM]}
    elif layout == "many groups":
        table, kwargs = many_teams_table(), {"reference": organisation_rows()}
    default = charts.trend(table, min_group=5, **kwargs)
    for actions in (None, action_frame()):
        fig = charts.trend(table, min_group=5, actions=actions, **kwargs)
        assert drawing(fig) == drawing(default)
        assert fig.get_size_inches().tolist() == default.get_size_inches().tolist()
        plt.close(fig)
    plt.close(default)


def test_trend_labels_the_action_mark_in_swedish(results):
    fig = charts.trend(results.table("team"), groups=["Mobile"], language="sv",
                       actions=action_frame(("Mobile", "security", DEMO_WAVES[0])))
    assert "åtgärd beslutad" in texts(fig)
    plt.close(fig)


# ---------------------------------------------------------------- reference groups (a team's department, the organisation)

def reference_rows(results, hide=None):
    """Product's and the organisation's rows; `hide`: (group, wave) whose rows are marked hidden, with numbers
    left in them that must never be drawn."""
    table = results.table()
    rows = table[((table["level"] == "department") & (table["group"] == "Product"))
                 | (table["level"] == "organisation")].copy()
    if hide:
        mask = (rows["group"] == hide[0]) & (rows["wave"] == hide[1])
        rows.loc[mask, "suppressed"] = True
        rows.loc[mask, "mean"] = 1.0
    return rows


def reference_lines(fig):
    return [line for ax in fig.axes for line in ax.lines if line.get_gid() == "reference"]


def test_pillars_marks_the_department_and_organisation_with_a_legend(results):
    team = results.table("team")
    team = team[team["group"] == "Mobile"]
    pillars = [s.id for s in results.template.pillars]
    fig = charts.pillars(team, wave=DEMO_WAVES[-1], scales=pillars, references=reference_rows(results))
    marks = reference_lines(fig)
    assert [m.get_label() for m in marks] == ["Product", "Whole organisation"]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "Product" in legend and "Whole organisation" in legend
    table = results.table()
    for mark, (level, group) in zip(marks, [("department", "Product"), ("organisation", "Organisation")]):
        shown = table[(table["level"] == level) & (table["group"] == group) & (table["wave"] == DEMO_WAVES[-1])]
        expected = shown.set_index("scale").loc[pillars, "mean"].to_numpy()
        ys = np.asarray(mark.get_ydata(), dtype=float)
        assert np.allclose(np.unique(ys[~np.isnan(ys)]), np.unique(expected))   # a mark per pillar at its score
        assert len(ys[~np.isnan(ys)]) == 3 * len(pillars)
    plt.close(fig)


def test_pillars_draws_no_mark_for_a_hidden_reference(results):
    team = results.table("team")
    fig = charts.pillars(team[team["group"] == "Mobile"], wave=DEMO_WAVES[-1], language="sv",
                         references=reference_rows(results, hide=("Product", DEMO_WAVES[-1])))
    assert [m.get_label() for m in reference_lines(fig)] == ["Hela organisationen"]
    assert all(1.0 not in m.get_ydata() for m in reference_lines(fig))
    plt.close(fig)


def test_trend_draws_dashed_reference_lines_with_gaps_where_hidden(results):
    team = results.table("team")
    fig = charts.trend(team[team["group"] == "Mobile"], references=reference_rows(results, hide=("Product", DEMO_WAVES[1])))
    lines = reference_lines(fig)
    assert {line.get_label() for line in lines} == {"Product", "Whole organisation"}
    assert all(line.get_linestyle() in ("--", ":", "-.") for line in lines)
    for line in lines:
        ys = np.asarray(line.get_ydata(), dtype=float)
        assert 1.0 not in ys
        if line.get_label() == "Product":
            assert np.isnan(ys[1]) and not np.isnan(ys[0])
    labels = [t.get_text() for t in fig.legends[0].get_texts()]
    assert "Product" in labels and "Whole organisation" in labels
    plt.close(fig)


def test_trend_text_is_readable(results):
    team = results.table("team")
    fig = charts.trend(team[team["group"] == "Mobile"])
    for ax in fig.axes:
        if ax.get_visible():
            assert min(t.get_fontsize() for t in ax.get_xticklabels() + ax.get_yticklabels()) >= 10
            assert ax.title.get_fontsize() >= 12
    plt.close(fig)


def test_heatmap_labels_a_differencing_cell_in_swedish(results):
    fig = charts.heatmap(results.table("team"), language="sv", min_group=5)
    assert "dold" in texts(fig) and "hidden" not in texts(fig)
    plt.close(fig)
