"""Nobody exposed: on an organisation full of small teams, no table, chart, report or export shows a
group under the threshold, and no subtraction of visible figures recovers one."""

from __future__ import annotations

import itertools

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from assessment import charts
from assessment.analysis import Results, score_table
from assessment.demo import Plan, build_demo_workspace
from assessment.exceptions import AssessmentError
from assessment.exporting import export_all
from assessment.reports import Report, report_groups
from assessment.statistics import ORGANISATION

ORGANISATION_WITH_SMALL_TEAMS = {
    "Ops": {"Tiny": 3, "Six": 6, "Twelve": 12},
    "Dev": {"Four A": 4, "Four B": 4},
    "Sales": {"Big": 30, "Two": 2},
}
SMALL = {"Tiny", "Four A", "Four B", "Two"}


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    plan = Plan(organisation=ORGANISATION_WITH_SMALL_TEAMS, response_rate=1.0, partial=0.0, waves=("w1", "w2"),
                improving="Big", declining="Twelve")
    ws = build_demo_workspace(tmp_path_factory.mktemp("privacy") / "ws", seed=11, plan=plan)
    yield Results(ws)
    ws.close()


def test_every_group_under_the_threshold_is_suppressed_in_every_table(results):
    table = results.table()
    for (wave, group), rows in table.groupby(["wave", "group"], observed=True):
        if results._group_size(wave, group) < results.min_group:
            assert rows["suppressed"].all(), (wave, group)
            numbers = rows[["n", "mean", "sd", "ci_low", "ci_high", "favourable", "enps", "response_rate"]]
            assert numbers.isna().all().all(), (wave, group)
    assert SMALL <= set(table.loc[table["suppressed"], "group"])


def test_no_subtraction_of_visible_figures_reveals_a_small_group(results):
    table = results.table()
    children = results._hierarchy.groupby("parent")["team"].apply(list).to_dict()
    children[ORGANISATION] = list(results._hierarchy.loc[results._hierarchy["parent"].isna(), "team"])
    for (wave, scale), rows in table.groupby(["wave", "scale"], observed=True):
        n = rows.set_index("group")["n"]
        for parent, kids in children.items():
            if parent not in n.index or pd.isna(n[parent]):
                continue
            visible = sum(n[k] for k in kids if k in n.index and pd.notna(n[k]))
            residual = n[parent] - visible
            assert residual == 0 or residual >= results.min_group, (wave, scale, parent, residual)


def test_the_cli_table_says_suppressed_for_every_small_team(results):
    for by, wave in itertools.product(["team", "department"], results.waves):
        table = score_table(results.workspace, wave=wave, by=by).set_index(by)
        for group in table.index:
            if results._group_size(wave, group) < results.min_group:
                assert (table.loc[group] == "suppressed").all(), (by, wave, group)


def test_charts_never_draw_a_small_team(results):
    team_table = results.table("team")
    figures = [charts.trend(team_table), charts.enps(team_table), charts.pillars(team_table, scales=["goals"])]
    for fig in figures:
        names = {t.get_text() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels()}
        names |= {ax.get_title() for ax in fig.axes if ax.get_visible()}
        names |= {line.get_label() for ax in fig.axes for line in ax.lines}
        assert not names & SMALL
        plt.close(fig)


def test_no_report_and_no_item_answers_for_a_small_team(results):
    wave = results.latest_wave()
    assert not set(report_groups(results, wave, "team")) & SMALL
    for team in SMALL:
        with pytest.raises(AssessmentError):
            Report(results.workspace, wave=wave, group=team, results=results)
        assert results.item_distribution(wave, team).empty
        assert results.comments(wave, team).empty


def test_exports_of_aggregates_hide_small_teams_and_answers_name_none(results, tmp_path):
    answers, scores, groups, _ = (pd.read_csv(p) for p in export_all(results.workspace, out=tmp_path))
    assert not set(answers["team"]) & SMALL and not set(scores["team"]) & SMALL
    hidden = groups[groups["group"].isin(SMALL)]
    assert len(hidden) and hidden["suppressed"].all() and hidden["mean"].isna().all() and hidden["n"].isna().all()
