"""The demo organisation: seeded, realistic, and showing what it was built to show."""

from __future__ import annotations

import numpy as np
import pandas as pd
from PIL import Image

from assessment.analysis import Results
from assessment.demo import DECLINING_TEAM, DEMO_WAVES, IMPROVING_TEAM, SMALL_TEAM, build_demo_workspace, run_demo


def test_generator_is_seeded(tmp_path):
    a = build_demo_workspace(tmp_path / "a", seed=3).store.answer_matrix(DEMO_WAVES[0])
    b = build_demo_workspace(tmp_path / "b", seed=3).store.answer_matrix(DEMO_WAVES[0])
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_demo_has_departments_a_dozen_teams_four_waves_and_a_few_hundred_respondents(demo_workspace):
    store = demo_workspace.store
    teams = store.teams()
    assert teams["parent"].isna().sum() >= 3
    assert 10 <= teams["parent"].notna().sum() <= 15
    assert store.wave_names() == list(DEMO_WAVES)
    per_wave = store.respondent_counts().groupby("wave")["respondents"].sum()
    assert per_wave.between(200, 400).all()


def test_demo_has_missing_answers_and_a_team_under_the_threshold(demo_workspace):
    store = demo_workspace.store
    matrix = store.answer_matrix(DEMO_WAVES[-1])
    assert 0.01 < matrix.drop(columns="team").isna().to_numpy().mean() < 0.15
    counts = store.respondent_counts(DEMO_WAVES[-1]).set_index("team")["respondents"]
    assert counts[SMALL_TEAM] < store.wave_template(DEMO_WAVES[-1]).min_group


def test_improving_team_rises_and_declining_team_falls_wave_on_wave(demo_workspace):
    table = Results(demo_workspace).table("team")
    security = table[table["scale"] == "security"].pivot(index="group", columns="wave", values="mean")
    assert np.all(np.diff(security.loc[IMPROVING_TEAM].to_numpy()) > 0)
    assert np.all(np.diff(security.loc[DECLINING_TEAM].to_numpy()) < 0)
    assert security.loc[IMPROVING_TEAM].iloc[-1] - security.loc[IMPROVING_TEAM].iloc[0] > 10


def test_small_team_is_suppressed_in_every_wave(demo_workspace):
    table = Results(demo_workspace).table("team")
    small = table[table["group"] == SMALL_TEAM]
    assert small["suppressed"].all() and small["mean"].isna().all() and small["n"].isna().all()


def test_run_demo_writes_a_summary_and_charts(tmp_path, capsys):
    files = run_demo(tmp_path / "demo")
    printed = capsys.readouterr().out
    assert "suppressed" in printed
    pngs = [f for f in files.values() if f.suffix == ".png"]
    assert len(pngs) >= 3
    for png in pngs:
        with Image.open(png) as image:
            assert image.size[0] > 600 and image.size[1] > 300
        assert str(png) in printed
    summary = pd.read_csv(files["summary table (every group, wave and scale)"])
    assert set(summary["wave"]) == set(DEMO_WAVES)
    assert summary.loc[summary["group"] == SMALL_TEAM, "mean"].isna().all()
