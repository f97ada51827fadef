"""The leaders' dashboard: widgets redraw charts in place and never show a hidden group."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib.container import BarContainer

from assessment.analysis import Results
from assessment.dashboard import ALL, TABS, Dashboard
from assessment.demo import DEMO_WAVES, SMALL_TEAM, Plan, build_demo_workspace, enterprise_organisation
from assessment.store import ORGANISATION


@pytest.fixture(scope="module")
def results(demo_workspace):
    return Results(demo_workspace)


@pytest.fixture
def dashboard(demo_workspace, results):
    return Dashboard(demo_workspace, results=results)


def shown_means(table, group, scale, waves, column="mean"):
    """The oracle: the group's figure per wave in `Results.table()`, NaN where its row is hidden."""
    rows = table[(table["group"] == group) & (table["scale"] == scale)]
    values = dict(zip(rows["wave"].astype(str), rows[column].where(~rows["suppressed"].astype(bool))))
    return np.array([values.get(str(w), np.nan) for w in waves], dtype=float)


def ydata(line):
    return np.asarray(line.get_ydata(), dtype=float)


def drawn_names(fig):
    names = {t.get_text() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()}
    names |= {ax.get_title() for ax in fig.axes if ax.get_visible()}
    names |= {line.get_label() for ax in fig.axes for line in ax.lines}
    return names


def test_dashboard_draws_the_trend_on_start(dashboard):
    assert dashboard.redraws == 1 and "trend" in dashboard.figures


def test_trend_on_start_draws_each_shown_teams_means_in_its_own_panel(dashboard, results):
    table = results.table("team")
    fig = dashboard.figures["trend"]
    scales = list(dashboard.scales.value)
    assert scales == ["security", "engagement"]
    panels = [ax for ax in fig.axes if ax.get_visible()]
    shown = list(dict.fromkeys(table.loc[~table["suppressed"].astype(bool), "group"]))
    assert [ax.get_title() for ax in panels] == shown and SMALL_TEAM not in shown
    for ax in panels:
        assert [line.get_label() for line in ax.lines] == [results.title(s) for s in scales]
        for line, scale in zip(ax.lines, scales):
            np.testing.assert_allclose(ydata(line), shown_means(table, ax.get_title(), scale, DEMO_WAVES),
                                       rtol=0, atol=1e-12)


def test_changing_the_team_redraws_the_chart(dashboard):
    before = dashboard.figures["trend"]
    dashboard.group.value = "Mobile"
    after = dashboard.figures["trend"]
    assert after is not before and dashboard.redraws == 2
    assert "Mobile" in drawn_names(after) and "Platform" not in drawn_names(after)


def test_choosing_a_team_draws_its_mean_per_wave_in_each_scales_panel(dashboard, results):
    dashboard.group.value = "Mobile"
    table = results.table("team")
    fig = dashboard.figures["trend"]
    for ax, scale in zip(fig.axes, dashboard.scales.value):
        assert ax.get_title() == results.title(scale)
        assert [line.get_label() for line in ax.lines] == ["Mobile"]
        np.testing.assert_allclose(ydata(ax.lines[0]), shown_means(table, "Mobile", scale, DEMO_WAVES),
                                   rtol=0, atol=1e-12)


def test_trend_x_tick_labels_are_the_chosen_waves_in_order(dashboard):
    dashboard.waves.value = (DEMO_WAVES[0], DEMO_WAVES[2], DEMO_WAVES[3])
    fig = dashboard.figures["trend"]
    for ax in fig.axes:
        if ax.get_visible():
            assert [t.get_text() for t in ax.get_xticklabels()] == [DEMO_WAVES[0], DEMO_WAVES[2], DEMO_WAVES[3]]


def test_department_trend_legend_names_the_departments_and_lines_are_their_means(dashboard, results):
    dashboard.level.value = "department"
    table = results.table("department")
    fig = dashboard.figures["trend"]
    departments = ["Customer Service", "Sales", "Product", "Operations"]
    assert sorted(t.get_text() for t in fig.legends[0].get_texts()) == sorted(departments)
    for ax, scale in zip(fig.axes, dashboard.scales.value):
        assert sorted(line.get_label() for line in ax.lines) == sorted(departments)
        for line in ax.lines:
            np.testing.assert_allclose(ydata(line), shown_means(table, line.get_label(), scale, DEMO_WAVES),
                                       rtol=0, atol=1e-12)


def test_choosing_a_suppressed_team_says_so_and_draws_no_figure_for_it(dashboard):
    dashboard.group.value = SMALL_TEAM
    assert SMALL_TEAM in dashboard.message.value and "fewer than 5" in dashboard.message.value
    assert not any(line.get_xydata().size for ax in dashboard.figures["trend"].axes for line in ax.lines)


def test_department_level_lists_departments(dashboard):
    dashboard.level.value = "department"
    assert set(dashboard.group.options) == {ALL, "Customer Service", "Sales", "Product", "Operations"}


def test_opening_a_tab_draws_it(dashboard):
    for k, name in enumerate(TABS):
        dashboard.tabs.selected_index = k
        assert name in dashboard.figures


def test_pillars_tab_bars_are_the_chosen_teams_means_in_the_chosen_wave(dashboard, results):
    dashboard.level.value = "department"
    dashboard.group.value = "Product"
    dashboard.wave.value = DEMO_WAVES[1]
    dashboard.tabs.selected_index = TABS.index("pillars")
    ax = dashboard.figures["pillars"].axes[0]
    table = results.table("team")
    teams = [t.get_text() for t in ax.get_xticklabels()]
    product = set(results.teams_in("Product"))
    in_table_order = dict.fromkeys(table.loc[table["wave"] == DEMO_WAVES[1], "group"])
    assert teams == [t for t in in_table_order if t in product
                     and not np.isnan(shown_means(table, t, "goals", [DEMO_WAVES[1]])[0])] and len(teams) >= 2
    pillars = [s.id for s in results.template.pillars]
    bar_sets = [c for c in ax.containers if isinstance(c, BarContainer)]
    assert [c.get_label() for c in bar_sets] == [results.title(s) for s in pillars]
    for container, scale in zip(bar_sets, pillars):
        expected = [shown_means(table, team, scale, [DEMO_WAVES[1]])[0] for team in teams]
        np.testing.assert_allclose([p.get_height() for p in container.patches], expected, rtol=0, atol=1e-12)


def test_heatmap_tab_cells_are_the_chosen_waves_rounded_means_and_hidden_cells_have_no_number(dashboard, results):
    dashboard.wave.value = DEMO_WAVES[0]
    dashboard.tabs.selected_index = TABS.index("heatmap")
    fig = dashboard.figures["heatmap"]
    table = results.table("team")
    first = table[(table["wave"] == DEMO_WAVES[0]) & (table["kind"] != "enps")]
    titles = {results.title(s): s for s in first["scale"].unique()}
    columns = [t.get_text() for t in fig.axes[0].get_xticklabels()]
    rows = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert SMALL_TEAM in rows and len(columns) == len(titles)
    for row in rows:
        cells = heatmap_row(fig, row)
        assert len(cells) == len(columns)
        for text, column in zip(sorted_cells(fig, row), columns):
            cell = first[(first["group"] == row) & (first["scale"] == titles[column])].iloc[0]
            assert text == ("n<5" if cell["suppressed_reason"] == "small group" else "hidden" if cell["suppressed"]
                            else f"{cell['mean']:.0f}"), (row, column)


def sorted_cells(fig, group):
    """The texts of a heatmap row, left to right."""
    ax = fig.axes[0]
    y = [t.get_text() for t in ax.get_yticklabels()].index(group) + 0.5
    row = [t for t in ax.texts if abs(t.get_position()[1] - y) < 1e-6]
    return [t.get_text() for t in sorted(row, key=lambda t: t.get_position()[0])]


def test_change_tab_bars_are_the_chosen_teams_changes_from_the_previous_wave(dashboard, results):
    dashboard.group.value = "Mobile"
    dashboard.tabs.selected_index = TABS.index("change")
    ax = dashboard.figures["change"].axes[0]
    table = results.compare(DEMO_WAVES[-2], DEMO_WAVES[-1], level="team")
    rows = table[(table["group"] == "Mobile") & table["scale"].isin(dashboard.scales.value)].dropna(subset=["diff"])
    assert len(rows) == 2
    assert [t.get_text() for t in ax.get_yticklabels()] == rows["title"].tolist()
    np.testing.assert_allclose([p.get_width() for p in ax.patches], rows["diff"], rtol=0, atol=1e-12)


def test_only_the_visible_tab_is_redrawn_on_a_change(dashboard):
    dashboard.tabs.selected_index = TABS.index("heatmap")
    heatmap = dashboard.figures["heatmap"]
    dashboard.tabs.selected_index = TABS.index("trend")
    dashboard.group.value = "Mobile"
    assert dashboard.figures["heatmap"] is heatmap
    dashboard.tabs.selected_index = TABS.index("heatmap")
    assert dashboard.figures["heatmap"] is not heatmap


def heatmap_row(fig, group):
    ax = fig.axes[0]
    rows = [t.get_text() for t in ax.get_yticklabels()]
    if group not in rows:
        return None
    y = rows.index(group) + 0.5
    return [t.get_text() for t in ax.texts if abs(t.get_position()[1] - y) < 1e-6]


def test_no_filter_combination_shows_a_suppressed_team(dashboard):
    for level, wave, k in itertools.product(["team", "department"], DEMO_WAVES, range(len(TABS))):
        dashboard.level.value = level
        dashboard.wave.value = wave
        dashboard.tabs.selected_index = k
        for group in dashboard.group.options:
            dashboard.group.value = group
            fig = dashboard.figures[TABS[k]]
            if isinstance(fig, str):
                continue
            if TABS[k] == "heatmap":
                cells = heatmap_row(fig, SMALL_TEAM)
                assert cells is None or all(c == "n<5" for c in cells), (level, wave, group)
            else:
                assert SMALL_TEAM not in drawn_names(fig), (level, wave, TABS[k], group)


def test_a_team_hidden_against_differencing_says_why(dashboard):
    dashboard.group.value = "People & Culture"
    assert "smaller group cannot be worked out" in dashboard.message.value
    assert "fewer than" not in dashboard.message.value


@pytest.fixture(scope="module")
def many_teams(tmp_path_factory):
    """30 teams of about 9 people in 3 departments, 2 waves: some teams hidden in one wave or both."""
    plan = Plan(organisation=enterprise_organisation(30, 3, size=9, seed=2), waves=("w1", "w2"),
                improving="Team 001", declining="Team 002")
    ws = build_demo_workspace(tmp_path_factory.mktemp("many") / "ws", seed=5, plan=plan)
    yield ws
    ws.close()


def test_all_of_many_teams_is_one_panel_per_scale_with_a_line_per_shown_team(many_teams):
    dashboard = Dashboard(many_teams)
    table = dashboard.results.table("team")
    fig = dashboard.figures["trend"]
    scales = list(dashboard.scales.value)
    axes = [ax for ax in fig.axes if ax.get_visible()]
    assert len(axes) == len(scales) == 2
    for ax, scale in zip(axes, scales):
        rows = table[table["scale"] == scale]
        shown = set(rows.loc[~rows["suppressed"], "group"])
        lines = {line.get_label(): line for line in ax.lines if line.get_gid() == "group"}
        assert set(lines) == shown and len(lines) == len([line for line in ax.lines if line.get_gid() == "group"])
        for group, line in lines.items():                       # no value where the team is hidden
            hidden = rows[(rows["group"] == group)].set_index("wave")["suppressed"].reindex(list(dashboard.waves.value))
            assert np.isnan(np.asarray(line.get_ydata(), dtype=float)[hidden.to_numpy(dtype=bool)]).all()
        assert [line.get_label() for line in ax.lines if line.get_gid() == "reference"] == ["Organisation"]
        assert not {t.get_text() for t in ax.texts} - shown           # only shown teams are named
    rows = table[table["scale"].isin(scales)]
    hidden_always = set(rows["group"]) - set(rows.loc[~rows["suppressed"], "group"])
    assert hidden_always                                        # the fixture has teams that are never shown
    assert all(name in fig.texts[0].get_text() for name in hidden_always)
    dashboard.widget.close()


def test_choosing_one_of_many_teams_draws_it_alone(many_teams):
    dashboard = Dashboard(many_teams)
    dashboard.group.value = "Team 001"
    fig = dashboard.figures["trend"]
    assert {line.get_label() for ax in fig.axes for line in ax.lines} == {"Team 001"}
    table = dashboard.results.table("team")
    for ax, scale in zip(fig.axes, dashboard.scales.value):
        np.testing.assert_allclose(ydata(ax.lines[0]), shown_means(table, "Team 001", scale, ("w1", "w2")),
                                   rtol=0, atol=1e-12)
    dashboard.widget.close()


# ---------------------------------------------------------------- the Actions tab

@pytest.fixture(scope="module")
def acting(tmp_path_factory):
    """A small demo organisation of its own (the shared demo workspace must keep having no actions)."""
    ws = build_demo_workspace(tmp_path_factory.mktemp("actions") / "demo", seed=7, respondents=120)
    yield ws
    ws.close()


@pytest.fixture
def fresh(acting):
    """`acting` without actions, for one test."""
    for action_id in acting.store.actions()["id"]:
        acting.store.remove_action(int(action_id))
    return acting


def open_actions(dashboard):
    dashboard.tabs.selected_index = TABS.index("actions")
    return dashboard.actions_panel


def stars(fig):
    return [(ax.get_title(), line.get_xydata().tolist()) for ax in fig.axes for line in ax.lines
            if line.get_gid() == "action"]


def test_dashboard_has_an_actions_tab(dashboard):
    assert TABS[-1] == "actions" and dashboard.tabs.get_title(TABS.index("actions")) == "Actions"


def test_swedish_dashboard_calls_the_tab_atgarder(demo_workspace, results):
    dashboard = Dashboard(demo_workspace, language="sv", results=results)
    assert dashboard.tabs.get_title(TABS.index("actions")) == "Åtgärder"
    assert open_actions(dashboard).add_button.description == "Lägg till åtgärd"


def test_adding_an_action_in_the_tab_stores_it_and_the_next_trend_marks_it(fresh):
    dashboard = Dashboard(fresh)
    dashboard.group.value = "Mobile"
    panel = open_actions(dashboard)
    assert panel.group_name == "Mobile"
    panel.text.value, panel.scale.value, panel.owner.value = "Monthly 1:1s", "engagement", "Kim"
    panel.add_button.click()
    stored = fresh.store.actions()
    assert list(zip(stored["group"], stored["scale"], stored["wave"])) == [("Mobile", "engagement", DEMO_WAVES[-1])]
    assert "Monthly 1:1s" in dashboard.figures["actions"]
    dashboard.tabs.selected_index = TABS.index("trend")
    table = dashboard.results.table("team")
    mean = table.set_index(["group", "scale", "wave"]).loc[("Mobile", "engagement", DEMO_WAVES[-1]), "mean"]
    assert stars(dashboard.figures["trend"]) == [
        (dashboard.results.title("engagement"), [[len(DEMO_WAVES) - 1, pytest.approx(mean)]])]


def test_the_actions_tab_follows_the_chosen_group(fresh):
    fresh.store.add_action("Mobile", "goals", "mobile's action")
    fresh.store.add_action("Platform", "goals", "platform's action")
    dashboard = Dashboard(fresh)
    panel = open_actions(dashboard)
    assert panel.group_name == ORGANISATION                       # "(all)": the whole organisation's
    assert "mobile" in dashboard.figures["actions"] and "platform" in dashboard.figures["actions"]
    dashboard.group.value = "Platform"
    assert panel.group_name == "Platform" and "mobile" not in dashboard.figures["actions"]
    dashboard.level.value = "department"
    dashboard.group.value = "Product"                              # a department lists its teams' actions
    assert panel.group_name == "Product"
    assert "mobile" in dashboard.figures["actions"] and "platform" in dashboard.figures["actions"]


def test_a_hidden_teams_actions_are_listed_but_never_marked_on_the_trend(fresh):
    fresh.store.add_action(SMALL_TEAM, "security", "meet more often", wave=DEMO_WAVES[-1])
    fresh.store.add_action("Inside Sales", "security", "onboarding buddy", wave=DEMO_WAVES[0])  # hidden that wave
    dashboard = Dashboard(fresh)
    assert stars(dashboard.figures["trend"]) == []                 # every team: neither is marked
    dashboard.group.value = "Inside Sales"
    assert stars(dashboard.figures["trend"]) == []
    dashboard.group.value = SMALL_TEAM
    assert stars(dashboard.figures["trend"]) == []
    open_actions(dashboard)
    assert "meet more often" in dashboard.figures["actions"]       # the panel lists actions, never scores
