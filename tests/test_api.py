"""The public Python API (README, "Use it from Python"): `assessment.Workspace(path).results()`, tidy frames
whose columns are those documented in `assessment.COLUMNS`, hidden groups without figures in every frame, and
rich display in Jupyter."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import assessment
from assessment.demo import build_demo_workspace

README = Path(__file__).resolve().parent.parent / "README.md"
FIGURES = ["n", "mean", "sd", "ci_low", "ci_high", "favourable", "enps", "response_rate"]


@pytest.fixture(scope="module")
def results(demo_workspace):
    return assessment.Workspace(demo_workspace.path).results()


def frames(results) -> dict[str, pd.DataFrame]:
    """Each documented frame, as README's calls make it."""
    first, last = results.waves[-2], results.latest_wave()
    scales, items = results.reliability()
    return {"scores": results.table(), "changes": results.compare(first, last), "items": results.item_distribution(),
            "comments": results.comments(), "reliability": scales, "item_analysis": items,
            "drivers": results.drivers(), "response_rates": results.response_rates(),
            "data_quality": results.data_quality(), "quality": results.quality()}


def hidden_teams(results, wave) -> list[str]:
    teams = results.response_rates(wave)
    return list(teams.loc[teams["suppressed"], "team"])


# ---------------------------------------------------------------- the entry points

def test_a_workspace_gives_its_results_from_the_top_level(demo_workspace):
    results = assessment.Workspace(demo_workspace.path).results(language="sv")
    assert isinstance(results, assessment.Results)
    assert results.language == "sv" and results.waves == demo_workspace.store.wave_names()
    assert set(assessment.__all__) >= {"Workspace", "Results", "COLUMNS", "AssessmentError"}


def test_importing_the_package_does_not_load_the_statistics(tmp_path):
    done = subprocess.run([sys.executable, "-c", "import sys, assessment; print('scipy' in sys.modules)"],
                          capture_output=True, text=True, cwd=tmp_path, check=True)
    assert done.stdout.strip() == "False"


def test_readme_python_lines_work_when_pasted(tmp_path):
    block = re.search(r"<!-- python-api -->\s*```python\n(.*?)```", README.read_text(encoding="utf-8"), re.S).group(1)
    assert len(block.strip().splitlines()) == 5
    build_demo_workspace(tmp_path / "demo-workspace", seed=7, respondents=200).close()
    done = subprocess.run([sys.executable, "-c", block + "\nprint(len(scores) > 0, len(results.waves))"],
                          capture_output=True, text=True, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["True", "4"]


# ---------------------------------------------------------------- documented columns

@pytest.mark.parametrize("name", list(assessment.COLUMNS))
def test_each_frame_has_exactly_the_documented_columns(results, name):
    assert list(frames(results)[name].columns) == list(assessment.COLUMNS[name])


@pytest.mark.parametrize("name", list(assessment.COLUMNS))
def test_every_documented_column_is_in_the_readme(name):
    readme = README.read_text(encoding="utf-8")
    section = readme[readme.index(f'`COLUMNS["{name}"]`'):]
    section = section[:section.index("\n\n", section.index("| --- |"))]
    assert re.findall(r"^\| `(\w+)` \|", section, re.M) == list(assessment.COLUMNS[name])


def test_frames_are_not_empty_on_the_demo(results):
    assert all(len(frame) for frame in frames(results).values())


# ---------------------------------------------------------------- hidden groups carry no figures

def test_hidden_cells_of_the_scores_have_no_figures(results):
    scores = results.table()
    hidden = scores[scores["suppressed"]]
    assert len(hidden) and hidden["suppressed_reason"].notna().all()
    assert hidden[FIGURES].isna().all().all()


def test_a_hidden_team_has_no_item_answers_comments_or_respondent_count(results):
    wave = results.latest_wave()
    hidden = hidden_teams(results, wave)
    assert {"Legal", "People & Culture"} <= set(hidden)
    rates = results.response_rates(wave).set_index("team")
    for team in hidden:
        assert results.item_distribution(wave, group=team).empty
        assert results.comments(wave, group=team).empty
        assert np.isnan(rates.loc[team, "respondents"]) and np.isnan(rates.loc[team, "response_rate"])


def test_a_group_hidden_in_either_wave_has_no_change_figures_and_a_note_why(results):
    first, last = results.waves[-2], results.latest_wave()
    changes = results.compare(first, last)
    hidden = set(hidden_teams(results, first)) | set(hidden_teams(results, last))
    rows = changes[changes["group"].isin(hidden)]
    assert len(rows) and rows["note"].str.contains("suppressed").all() and not rows["flagged"].any()
    figures = ["n_a", "n_b", "mean_a", "mean_b", "diff", "diff_ci_low", "diff_ci_high", "p_value", "q_value",
               "effect_size"]
    assert rows[figures].isna().all().all()


def test_drivers_of_a_hidden_team_are_not_its_own(results):
    drivers = results.drivers()
    for team in hidden_teams(results, results.latest_wave()):
        own = drivers[(drivers["group"] == team) & (drivers["source"] == "own")]
        assert own.empty, team


def test_data_quality_names_no_hidden_team(results):
    wave = results.latest_wave()
    hidden = set(hidden_teams(results, wave))
    assert not set(results.data_quality(wave)["team"]) & hidden


# ---------------------------------------------------------------- rich display

def test_a_workspace_shows_its_client_template_waves_and_next_step(demo_workspace):
    card = demo_workspace._repr_html_()
    for fact in ("demo", demo_workspace.template().id, "Anonymity", "groups under 5",
                 "2026-autumn", "open", "closed", "Response rate", "13 teams in 4 departments", "ws.results()"):
        assert fact in card, fact
    counts = demo_workspace.store.respondent_counts(demo_workspace.wave())["respondents"].sum()
    assert f"<td>{counts}</td>" in card


def test_a_workspace_under_the_threshold_shows_less_than_n_responses(tmp_path):
    ws = assessment.Workspace.create(tmp_path / "tiny", wave="w1")
    ws.store.add_teams([("Ops", None)])
    template = ws.store.wave_template("w1")
    rows = pd.DataFrame({"team": ["Ops"] * 3, **{i: [3.0] * 3 for i in template.item_ids}})
    ws.store.add_answer_matrix("w1", rows)
    card = ws._repr_html_()
    assert "<td>&lt; 5</td>" in card and "<td>3</td>" not in card
    ws.close()


def test_a_workspace_card_escapes_names(tmp_path):
    ws = assessment.Workspace.create(tmp_path / "acme", wave="<script>alert(1)</script>")
    card = ws._repr_html_()
    assert "<script>alert" not in card and "&lt;script&gt;alert(1)&lt;/script&gt;" in card
    ws.close()


def test_results_show_waves_groups_shown_and_the_frames_to_call(results):
    card = results._repr_html_()
    assert "11 of 13" in card and "results.compare(wave_a, wave_b, level=&#x27;team&#x27;)" in card
    for name in assessment.COLUMNS:
        assert ", ".join(assessment.COLUMNS[name]) in card
