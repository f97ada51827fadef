"""Charts: a Figure from tidy tables, and never a number for a hidden group."""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from matplotlib.container import BarContainer

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


def shown_means(table, group, scale, waves, column="mean"):
    """The oracle for what a chart may draw: the group's figure per wave from the protected table, NaN where the
    row is hidden (whatever number the row may carry) or missing."""
    rows = table[(table["group"] == group) & (table["scale"] == scale)]
    values = dict(zip(rows["wave"].astype(str), rows[column].where(~rows["suppressed"].astype(bool))))
    return np.array([values.get(str(w), np.nan) for w in waves], dtype=float)


def bars(ax, horizontal=False):
    """{label: heights (widths of horizontal bars)} of each bar call."""
    return {c.get_label(): np.array([p.get_width() if horizontal else p.get_height() for p in c.patches])
            for c in ax.containers if isinstance(c, BarContainer)}


def test_trend_draws_no_line_for_a_suppressed_team_and_names_it_in_a_note(results):
    fig = charts.trend(results.table("team"), min_group=results.min_group)
    assert isinstance(fig, plt.Figure)
    panel_titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert SMALL_TEAM not in panel_titles
    assert any(SMALL_TEAM in t and "fewer than 5" in t for t in fig.texts[0].get_text().splitlines())
    plt.close(fig)


def test_trend_with_few_groups_draws_a_line_per_group(results):
    fig = charts.trend(results.table("department"))
    for ax in fig.axes:
        assert sorted(line_labels_of(ax)) == sorted(["Customer Service", "Sales", "Product", "Operations"])
    plt.close(fig)


def line_labels_of(ax):
    return [line.get_label() for line in ax.lines]


def test_trend_with_few_groups_draws_each_groups_mean_per_wave(results):
    table = results.table("department")
    fig = charts.trend(table, scales=("security", "engagement"))
    titles = {results.title(s): s for s in ("security", "engagement")}
    assert sorted(ax.get_title() for ax in fig.axes) == sorted(titles)
    for ax in fig.axes:
        for line in ax.lines:
            expected = shown_means(table, line.get_label(), titles[ax.get_title()], results.waves)
            assert not np.isnan(expected).all()
            np.testing.assert_allclose(np.asarray(line.get_ydata(), dtype=float), expected, rtol=0, atol=1e-12)
            assert list(line.get_xdata()) == list(range(len(results.waves)))
    plt.close(fig)


def test_trend_x_tick_labels_are_the_waves_in_order(results):
    fig = charts.trend(results.table("department"))
    for ax in fig.axes:
        assert [t.get_text() for t in ax.get_xticklabels()] == list(DEMO_WAVES)
        assert list(ax.get_xticks()) == list(range(len(DEMO_WAVES)))
    plt.close(fig)


def test_trend_legend_names_each_group_once(results):
    fig = charts.trend(results.table("department"))
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert sorted(legend) == sorted(["Customer Service", "Sales", "Product", "Operations"])
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


def heatmap_cells(fig):
    """{(row label, column label): cell text} read from the texts at the cell centres."""
    ax = fig.axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    columns = [t.get_text() for t in ax.get_xticklabels()]
    cells = {}
    for text in ax.texts:
        x, y = text.get_position()
        i, j = int(np.floor(y)), int(np.floor(x))
        assert (x - j, y - i) == (pytest.approx(0.5), pytest.approx(0.5))
        assert (rows[i], columns[j]) not in cells, (rows[i], columns[j])          # one text per cell
        cells[(rows[i], columns[j])] = text.get_text()
    return rows, columns, cells


def test_heatmap_cells_are_the_rounded_means_of_shown_cells_and_a_mark_for_hidden_ones(results):
    table = results.table("team")
    table = table[table["kind"] != "enps"]
    fig = charts.heatmap(table, wave=DEMO_WAVES[-1], min_group=5)
    rows, columns, cells = heatmap_cells(fig)
    titles = {results.title(s): s for s in table["scale"].unique()}
    assert len(cells) == len(rows) * len(columns) and SMALL_TEAM in rows
    last = table[table["wave"] == DEMO_WAVES[-1]]
    assert rows == list(dict.fromkeys(last["group"]))
    for (group, title), text in cells.items():
        cell = last[(last["group"] == group) & (last["scale"] == titles[title])].iloc[0]
        if cell["suppressed"]:
            assert text == ("hidden" if cell["suppressed_reason"] == "differencing" else "n<5"), (group, title)
        else:
            assert text == f"{cell['mean']:.0f}", (group, title)
    assert sum(t == "n<5" for t in cells.values()) >= len(columns)
    plt.close(fig)


def test_heatmap_colours_only_shown_cells_with_their_means_whatever_a_hidden_row_carries(results):
    table = results.table("team")
    table = table[(table["kind"] != "enps") & (table["wave"] == DEMO_WAVES[-1])].copy()
    table.loc[table["suppressed"].astype(bool), "mean"] = 99.0                # must never be drawn
    fig = charts.heatmap(table, min_group=5)
    assert "99" not in [t.get_text() for t in fig.axes[0].texts]
    mesh = fig.axes[0].collections[0]
    values = np.ma.masked_invalid(np.ma.asarray(mesh.get_array())).reshape(len(table["group"].unique()), -1)
    expected = table.pivot_table(index="group", columns="scale", values="mean", aggfunc="first", dropna=False)
    expected = expected.reindex(index=list(dict.fromkeys(table["group"])), columns=list(dict.fromkeys(table["scale"])))
    hidden = table.pivot_table(index="group", columns="scale", values="suppressed", aggfunc="first")
    hidden = hidden.reindex(index=expected.index, columns=expected.columns).astype(bool).to_numpy()
    assert hidden.any() and (np.ma.getmaskarray(values) == hidden).all()
    np.testing.assert_allclose(values.compressed(), expected.to_numpy()[~hidden], rtol=0, atol=1e-12)
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


def test_pillars_bar_heights_are_each_teams_means_in_the_wave(results):
    table = results.table("team")
    pillars = [s.id for s in results.template.pillars]
    fig = charts.pillars(table, wave=DEMO_WAVES[-1], scales=pillars, min_group=5)
    ax = fig.axes[0]
    teams = [t.get_text() for t in ax.get_xticklabels()]
    drawn = bars(ax)
    assert list(drawn) == [results.title(s) for s in pillars]
    last = table[table["wave"] == DEMO_WAVES[-1]]
    for scale in pillars:
        expected = [shown_means(last, team, scale, [DEMO_WAVES[-1]])[0] for team in teams]
        np.testing.assert_allclose(drawn[results.title(scale)], expected, rtol=0, atol=1e-12)
    shown = last.loc[~last["suppressed"].astype(bool), "group"]
    assert teams == list(dict.fromkeys(shown))
    plt.close(fig)


def test_agreement_chart_keeps_questionnaire_order(results):
    dist = results.item_distribution(DEMO_WAVES[-1], "Platform", scale="expectations")
    fig = charts.agreement(dist, labels=list(results.template.response_scales["agree5"].labels["en"]))
    labels = [t.get_text().replace("\n", " ") for t in fig.axes[0].get_yticklabels()]
    expected = [i.text["en"] + (" (R)" if i.reverse else "") for i in results.template.scale("expectations").items]
    assert labels == expected
    plt.close(fig)


def test_agreement_bars_are_the_answer_shares_per_item(results):
    dist = results.item_distribution(DEMO_WAVES[-1], "Platform", scale="expectations")
    labels = list(results.template.response_scales["agree5"].labels["en"])
    fig = charts.agreement(dist, labels=labels)
    drawn = bars(fig.axes[0], horizontal=True)
    assert list(drawn) == labels
    items = list(dict.fromkeys(dist["item"]))
    for value, label in zip(range(1, 6), labels):
        share = dist[dist["value"].astype(str) == str(value)].set_index("item")["percent"].reindex(items).fillna(0)
        np.testing.assert_allclose(drawn[label], share, rtol=0, atol=1e-12)
    plt.close(fig)


def test_change_chart_marks_exactly_the_flagged_changes(results):
    comparison = results.compare(DEMO_WAVES[0], DEMO_WAVES[1])
    rows = comparison.dropna(subset=["diff"])
    assert ((rows["p_value"] < 0.05) & ~rows["flagged"]).any()          # significant alone, not flagged: no star
    fig = charts.change(rows)
    ax = fig.axes[0]
    marked = [t.get_text().endswith("*") for t in ax.texts]
    assert marked == rows["flagged"].tolist()
    assert any(marked) and not all(marked)
    plt.close(fig)


def test_change_chart_bar_lengths_are_the_changes_in_row_order(results):
    comparison = results.compare(DEMO_WAVES[0], DEMO_WAVES[-1])
    rows = comparison[comparison["group"].isin(["Mobile", "Platform"])].dropna(subset=["diff"])
    fig = charts.change(rows)
    ax = fig.axes[0]
    np.testing.assert_allclose([p.get_width() for p in ax.patches], rows["diff"], rtol=0, atol=1e-12)
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == [f"{g} · {t}" for g, t in zip(rows["group"], rows["title"])]
    assert [t.get_text().replace(" *", "") for t in ax.texts] == [f"{d:+.1f}" for d in rows["diff"]]
    plt.close(fig)


def test_enps_chart_leaves_out_suppressed_teams(results):
    fig = charts.enps(results.table("team"), wave=DEMO_WAVES[-1], min_group=5)
    ticks = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    assert SMALL_TEAM not in ticks and len(ticks) >= 8
    plt.close(fig)


def test_enps_bar_heights_are_each_shown_teams_enps(results):
    table = results.table("team")
    fig = charts.enps(table, wave=DEMO_WAVES[-1], min_group=5)
    ax = fig.axes[0]
    teams = [t.get_text() for t in ax.get_xticklabels()]
    last = table[(table["wave"] == DEMO_WAVES[-1]) & (table["kind"] == "enps")]
    expected = [shown_means(last, team, "enps", [DEMO_WAVES[-1]], column="enps")[0] for team in teams]
    assert not np.isnan(expected).any()
    np.testing.assert_allclose([p.get_height() for p in ax.patches], expected, rtol=0, atol=1e-12)
    assert teams == list(last.loc[~last["suppressed"].astype(bool), "group"])
    plt.close(fig)


def driver_points(ax):
    """[(x, y)] of the panel's points, in drawing order."""
    points = ax.containers[0].lines[0]
    return list(zip(np.asarray(points.get_xdata(), dtype=float), np.asarray(points.get_ydata(), dtype=float)))


def test_drivers_chart_draws_each_pillars_r_in_its_outcomes_panel(results):
    table = results.drivers(DEMO_WAVES[-1], group="Customer Service")
    fig = charts.drivers(table)
    outcomes = list(dict.fromkeys(table["outcome"]))
    assert len(fig.axes) == len(outcomes) == 2
    for ax, outcome in zip(fig.axes, outcomes):
        rows = table[table["outcome"] == outcome]
        assert rows["outcome_title"].iloc[0] in ax.get_xlabel()
        np.testing.assert_allclose(sorted(x for x, _ in driver_points(ax)), sorted(rows["r"].astype(float)),
                                   rtol=0, atol=1e-12)
    plt.close(fig)


def test_drivers_chart_labels_each_point_with_its_pillar_in_every_panel(results):
    table = results.drivers(DEMO_WAVES[-1], group="Customer Service")
    fig = charts.drivers(table)
    for ax, outcome in zip(fig.axes, dict.fromkeys(table["outcome"])):
        # the label a reader sees beside a point: the tick label at its height on the panel's row (shared y)
        shown = {round(float(y), 6): t.get_text() for y, t in zip(fig.axes[0].get_yticks(),
                                                                   fig.axes[0].get_yticklabels())}
        r = table[table["outcome"] == outcome].set_index("pillar_title")["r"].astype(float)
        for x, y in driver_points(ax):
            assert x == pytest.approx(r[shown[round(y, 6)]], abs=1e-12), (outcome, shown[round(y, 6)])
    plt.close(fig)


def test_drivers_chart_error_bars_are_the_confidence_intervals(results):
    table = results.drivers(DEMO_WAVES[-1], group="Customer Service")
    fig = charts.drivers(table)
    for ax, outcome in zip(fig.axes, dict.fromkeys(table["outcome"])):
        rows = table[table["outcome"] == outcome]
        interval = {round(float(r), 12): (lo, hi) for r, lo, hi in zip(rows["r"], rows["ci_low"], rows["ci_high"])}
        segments = ax.containers[0].lines[2][0].get_segments()
        assert len(segments) == len(rows)
        for (x, y), segment in zip(driver_points(ax), segments):
            lo, hi = interval[round(x, 12)]
            assert (segment[0][0], segment[1][0]) == (pytest.approx(lo, abs=1e-12), pytest.approx(hi, abs=1e-12))
            assert segment[0][1] == segment[1][1] == y
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
