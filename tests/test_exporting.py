"""Exports: answers, respondent scale scores and group scores as CSV, with no small group in them."""

from __future__ import annotations

import pandas as pd

from assessment.demo import SMALL_TEAM
from assessment.exporting import export_all


def test_export_writes_answers_scores_and_group_scores(demo_workspace, tmp_path):
    paths = export_all(demo_workspace, out=tmp_path)
    answers, scores, groups = (pd.read_csv(p) for p in paths)
    total = int(demo_workspace.store.respondent_counts()["respondents"].sum())
    assert len(answers) == len(scores) <= total
    assert {"wave", "respondent", "team", "exp_role"} <= set(answers.columns)
    assert {"expectations", "security", "engagement"} <= set(scores.columns)
    assert (answers[["wave", "respondent", "team"]].values == scores[["wave", "respondent", "team"]].values).all()


def test_exports_never_name_a_team_under_the_threshold(demo_workspace, tmp_path):
    paths = export_all(demo_workspace, out=tmp_path)
    answers, scores, groups = (pd.read_csv(p) for p in paths)
    assert SMALL_TEAM not in set(answers["team"]) and SMALL_TEAM not in set(scores["team"])
    hidden = groups[groups["group"] == SMALL_TEAM]
    assert hidden["suppressed"].all() and hidden[["n", "mean", "sd", "favourable"]].isna().all().all()
