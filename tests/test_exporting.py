"""Exports: answers, respondent scale scores and group scores as CSV, with no small group in them."""

from __future__ import annotations

import os
import stat

import pandas as pd
import pytest

from assessment.demo import SMALL_TEAM
from assessment.exporting import export_all, export_answers, neutralise, write_csv


def test_export_writes_answers_scores_and_group_scores(demo_workspace, tmp_path):
    paths = export_all(demo_workspace, out=tmp_path)
    answers, scores, groups, _actions = (pd.read_csv(p) for p in paths)
    total = int(demo_workspace.store.respondent_counts()["respondents"].sum())
    assert len(answers) == len(scores) <= total
    assert {"wave", "respondent", "team", "exp_role"} <= set(answers.columns)
    assert {"expectations", "security", "engagement"} <= set(scores.columns)
    assert (answers[["wave", "respondent", "team"]].values == scores[["wave", "respondent", "team"]].values).all()


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


@pytest.fixture
def permissive_umask():
    """The umask of a shared server where new files are readable by everyone (0644)."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def test_respondent_level_exports_are_readable_by_their_owner_only(demo_workspace, tmp_path, permissive_umask):
    """answers.csv and scale_scores.csv hold one row per respondent: owner only, like the store (0600), also
    when they replace an older export others could read. The protected group tables are ordinary files."""
    (tmp_path / "answers.csv").write_text("old\n")
    os.chmod(tmp_path / "answers.csv", 0o644)
    answers, scores, groups, actions = export_all(demo_workspace, out=tmp_path)
    assert _mode(answers) == 0o600 and _mode(scores) == 0o600
    assert _mode(groups) == 0o644 and _mode(actions) == 0o644
    assert pd.read_csv(answers).shape[0] > 0


def test_export_answers_writes_a_file_readable_by_its_owner_only(demo_workspace, tmp_path, permissive_umask):
    path = export_answers(demo_workspace, tmp_path / "answers.csv", quiet=True)
    assert _mode(path) == 0o600
    assert pd.read_csv(path).shape[0] > 0


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


# ---------------------------------------------------------------- small teams are merged, never dropped

ORGANISATION = {"Sales": {"North": ["full"] * 8, "South": ["full"] * 7, "Tiny": ["full"] * 3, "Wee": ["full"] * 2},
                "Product": {"Platform": ["full"] * 9, "Data": ["full"] * 6}}
MIN_GROUP = 5


@pytest.fixture
def small_teams(tmp_path):
    """Sales: North 8, South 7 and two small teams (Tiny 3, Wee 2: 5 together); Product: Platform 9, Data 6."""
    from _builders import organisation_workspace
    ws = organisation_workspace(tmp_path / "ws", ORGANISATION)
    yield ws
    ws.close()


def expected_regions(organisation) -> dict[str, list[tuple[str, int]]]:
    """Each export label with the (team, respondent number) of its members: a team of at least MIN_GROUP under its
    own name, the smaller ones under "<department> (teams not shown separately)"."""
    regions: dict[str, list] = {}
    for department, teams in organisation.items():
        hidden = [team for team, kinds in teams.items() if len(kinds) < MIN_GROUP]
        pooled = sum(len(teams[t]) for t in hidden)
        assert pooled == 0 or pooled >= MIN_GROUP          # the fixture needs no differencing
        for team, kinds in teams.items():
            label = f"{department} (teams not shown separately)" if team in hidden else team
            regions.setdefault(label, []).extend((team, k) for k in range(len(kinds)))
    return regions


def test_every_respondent_of_a_small_team_is_in_the_answers_export_under_the_department(small_teams, tmp_path):
    export_all(small_teams, out=tmp_path / "out")
    answers = pd.read_csv(tmp_path / "out" / "answers.csv")
    counts = answers["team"].value_counts().to_dict()
    regions = expected_regions(ORGANISATION)
    assert counts == {label: len(members) for label, members in regions.items()}
    assert counts["Sales (teams not shown separately)"] == 3 + 2
    assert len(answers) == sum(len(kinds) for teams in ORGANISATION.values() for kinds in teams.values())


def test_the_merged_region_keeps_the_small_teams_answers_themselves(small_teams, tmp_path):
    from _builders import answer_rows
    export_all(small_teams, out=tmp_path / "out")
    answers = pd.read_csv(tmp_path / "out" / "answers.csv")
    merged = answers[answers["team"] == "Sales (teams not shown separately)"]
    template = small_teams.store.wave_template("w1")
    given = [row for team in ("Tiny", "Wee") for row in answer_rows(template, team, ORGANISATION["Sales"][team])]
    for item in ("exp_role", "safe_ask", "enps_recommend"):
        assert sorted(merged[item].tolist()) == sorted(row[item] for row in given), item
    scores = pd.read_csv(tmp_path / "out" / "scale_scores.csv")
    assert (scores["team"] == "Sales (teams not shown separately)").sum() == 5
