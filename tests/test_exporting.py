"""Exports: answers, respondent scale scores and group scores as CSV, with no small group in them."""

from __future__ import annotations

import pandas as pd
import pytest

from assessment.demo import SMALL_TEAM
from assessment.exporting import export_all, neutralise, write_csv


def test_export_writes_answers_scores_and_group_scores(demo_workspace, tmp_path):
    paths = export_all(demo_workspace, out=tmp_path)
    answers, scores, groups, _actions = (pd.read_csv(p) for p in paths)
    total = int(demo_workspace.store.respondent_counts()["respondents"].sum())
    assert len(answers) == len(scores) <= total
    assert {"wave", "respondent", "team", "exp_role"} <= set(answers.columns)
    assert {"expectations", "security", "engagement"} <= set(scores.columns)
    assert (answers[["wave", "respondent", "team"]].values == scores[["wave", "respondent", "team"]].values).all()


def test_exports_never_name_a_team_under_the_threshold(demo_workspace, tmp_path):
    paths = export_all(demo_workspace, out=tmp_path)
    answers, scores, groups, _actions = (pd.read_csv(p) for p in paths)
    assert SMALL_TEAM not in set(answers["team"]) and SMALL_TEAM not in set(scores["team"])
    hidden = groups[groups["group"] == SMALL_TEAM]
    assert hidden["suppressed"].all() and hidden[["n", "mean", "sd", "favourable"]].isna().all().all()


def test_export_writes_the_actions_with_formula_cells_neutralised(workspace, tmp_path):
    workspace.store.add_action("Platform", "goals", '=HYPERLINK("http://evil","click")', owner="+46 70 123", due="2027-01-31")
    workspace.store.add_action("Data", "support", "Pair up new colleagues", owner="@lead")
    paths = export_all(workspace, out=tmp_path)
    actions = pd.read_csv(paths[-1], keep_default_na=False)
    assert paths[-1].name == "actions.csv"
    assert actions["text"].tolist() == ["'=HYPERLINK(\"http://evil\",\"click\")", "Pair up new colleagues"]
    assert actions["owner"].tolist() == ["'+46 70 123", "'@lead"]
    assert actions["id"].tolist() == [1, 2] and actions["due"].tolist() == ["2027-01-31", ""]


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx"])
def test_text_cells_that_start_a_formula_get_a_leading_apostrophe(text):
    assert neutralise(text) == "'" + text


def test_numbers_and_harmless_text_are_written_unchanged(tmp_path):
    table = pd.DataFrame({"group": ["-Ops", "Data"], "diff": [-12.5, 3.0], "n": [7, 8]})
    path = write_csv(table, tmp_path / "t.csv")
    assert path.read_text().splitlines() == ["group,diff,n", "'-Ops,-12.5,7", "Data,3.0,8"]


def test_team_names_in_every_export_are_neutralised(tmp_path):
    from assessment.demo import build_demo_workspace, Plan
    plan = Plan(organisation={"=Ops": {"-Lager": 12, "+Kassa": 9}, "Product": {"@Data": 11}},
                waves=("w1", "w2"))
    ws = build_demo_workspace(tmp_path / "ws", seed=3, plan=plan)
    for path in export_all(ws, out=tmp_path / "out"):
        for line in path.read_text(encoding="utf-8").splitlines()[1:]:
            cells = next(iter(__import__("csv").reader([line])))
            assert not any(c.startswith(("=", "+", "@")) for c in cells), (path.name, line)
            assert not any(c.startswith("-") and not _number(c) for c in cells), (path.name, line)
    ws.close()


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
