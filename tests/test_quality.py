"""Data quality shown where people look, and teams files read as HR writes them (English or Swedish)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from assessment.admin import AdminPanel
from assessment.analysis import QUALITY_COLUMNS, Results
from assessment.exceptions import ImportRejected
from assessment.importing import import_teams
from assessment.reports import Report
from assessment.store import Response


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "assessment", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def answer(store, team, n, same=False):
    """n responses for a team; `same`: every one of 12 agreement items answered 3 (straight-lining)."""
    items = ["exp_role", "exp_standard", "exp_feedback", "exp_instructions", "exp_mixed", "goal_smart",
             "goal_realistic", "goal_why", "goal_purpose", "goal_followup", "vis_results", "vis_team"]
    store.add_responses("w1", [Response(team, {i: 3 if same else 1 + (k + j) % 5 for j, i in enumerate(items)})
                               for k in range(n)])


# ---------------------------------------------------------------- teams files

def test_a_swedish_teams_file_keeps_departments_and_headcounts(workspace, write):
    path = write("team.csv", "Team;Avdelning;Antal anställda\nKundtjänst;Service;12\nLager;Service;7\n")
    assert import_teams(workspace.store, path, wave="w1") == 2
    teams = workspace.store.teams().set_index("team")["parent"].to_dict()
    assert teams["Kundtjänst"] == "Service" and teams["Lager"] == "Service"
    assert workspace.store.headcounts("w1").set_index("team")["headcount"].to_dict() == {"Kundtjänst": 12, "Lager": 7}


def test_an_unknown_teams_file_column_is_refused_and_nothing_stored(workspace, write):
    before = workspace.store.teams()
    path = write("team.csv", "Team;Avdelning;Kostnadsställe\nLager;Service;4711\n")
    with pytest.raises(ImportRejected, match="column 'Kostnadsställe' is not a teams-file column"):
        import_teams(workspace.store, path, wave="w1")
    assert workspace.store.teams().equals(before)


def test_teams_takes_an_encoding_and_lists_the_hierarchy_with_headcounts_per_wave(tmp_path):
    assert run("init", tmp_path / "ws", "--wave", "w1", cwd=tmp_path).returncode == 0
    (tmp_path / "t.csv").write_bytes("Team;Avdelning;Antal anställda\nKundtjänst;Service;12\n".encode("cp1252"))
    refused = run("teams", tmp_path / "ws", "--file", tmp_path / "t.csv")
    assert refused.returncode == 2 and "--encoding cp1252" in refused.stderr
    done = run("teams", tmp_path / "ws", "--file", tmp_path / "t.csv", "--encoding", "cp1252")
    assert done.returncode == 0, done.stderr
    assert run("wave", tmp_path / "ws", "open", "w2").returncode == 0
    assert run("teams", tmp_path / "ws", "--add", "Kundtjänst", "--headcount", "14", "--wave", "w2").returncode == 0
    lines = run("teams", tmp_path / "ws").stdout.splitlines()
    assert lines[0].split() == ["team", "parent", "headcount", "w1", "headcount", "w2"]
    assert lines[1].split() == ["Service"]
    assert lines[2].split() == ["Kundtjänst", "Service", "12", "14"]      # indented under its department


# ---------------------------------------------------------------- data-quality flags

@pytest.fixture
def flagged(workspace):
    store = workspace.store
    store.set_headcounts("w1", {"Sales North": 6, "Sales South": 20, "Platform": 3})
    answer(store, "Sales North", 9)                 # 9 respondents, headcount 6: over 100 %
    answer(store, "Sales South", 12, same=True)     # every answer the same
    answer(store, "Data", 8)                        # no headcount
    return Results(workspace)


def flags_of(results) -> dict:
    table = results.quality("w1")
    assert list(table.columns) == QUALITY_COLUMNS
    return {(team, flag): detail for team, flag, detail in table.itertuples(index=False)}


def test_impossible_response_rates_missing_and_small_headcounts_and_straight_lining_are_flagged(flagged):
    flags = flags_of(flagged)
    assert flags[("Sales North", "response rate above 100 %")].startswith("9 respondents, headcount 6")
    assert ("Data", "no headcount") in flags
    assert ("Platform", "headcount under the threshold") in flags
    assert flags[("Sales South", "straight-lining")] == "12 of 12 respondents"
    assert ("Sales South", "response rate above 100 %") not in flags


def test_a_flag_on_a_team_that_is_not_shown_never_gives_its_count(workspace):
    store = workspace.store
    store.set_headcounts("w1", {"Platform": 2})
    answer(store, "Platform", 4)
    answer(store, "Sales North", 20)
    flags = flags_of(Results(workspace))
    detail = flags[("Platform", "response rate above 100 %")]
    assert "4" not in detail and "more respondents than the headcount 2" in detail


def test_a_report_never_prints_a_response_rate_over_100(flagged):
    page = Report(flagged.workspace, wave="w1", group="Sales North", results=flagged).html()
    rates = [int(r) for r in re.findall(r"(\d+) %", page)]
    assert "more respondents than the recorded headcount" in page
    assert "150 %" not in page and all(r <= 100 for r in rates)


def test_the_admin_panel_and_the_quality_command_show_the_flags(flagged, tmp_path):
    panel = AdminPanel(flagged.workspace)
    assert "response rate above 100 %" in panel.quality.value and "straight-lining" in panel.quality.value
    done = run("quality", flagged.workspace.path, "--wave", "w1")
    assert done.returncode == 0, done.stderr
    assert "response rate above 100 %" in done.stdout and "no headcount" in done.stdout


def test_a_wave_without_flags_says_so(workspace, tmp_path):
    store = workspace.store
    store.set_headcounts("w1", {"Sales North": 30})
    template = store.wave_template("w1")
    store.add_responses("w1", [Response("Sales North", {item.id: item.response_scale.low + (k + j) % 3
                                                        for j, item in enumerate(template.items)}) for k in range(10)])
    done = run("quality", workspace.path)
    assert done.returncode == 0 and done.stdout.strip() == "no data-quality flags in w1"


def test_a_report_notes_its_groups_quality_flags_in_its_language(flagged):
    english = Report(flagged.workspace, wave="w1", group="Sales South", results=flagged).html()
    assert "Data quality to keep in mind: the same answer to everything" in english
    swedish = Report(flagged.workspace, wave="w1", group="Sales South", language="sv", results=flagged).html()
    assert "Datakvalitet att ha i åtanke: samma svar på allt" in swedish and "straight-lining" not in swedish
    department = Report(flagged.workspace, wave="w1", group="Sales", level="department", results=flagged).html()
    assert "svarsfrekvens" not in department and "response rate above 100 % (Sales North)" in department


# ---------------------------------------------------------------- small teams pooled in the data-quality table

QUALITY_ORGANISATION = {
    "Sales": {"North": ["full"] * 6 + ["incomplete", "straight"], "South": ["full"] * 7,
              "Tiny": ["straight", "incomplete", "full"], "Wee": ["incomplete", "straight"]},
    "Product": {"Platform": ["full"] * 8 + ["straight"], "Data": ["full"] * 6}}
POOLED = "Organisation (teams not shown separately)"


@pytest.fixture
def quality_workspace(tmp_path):
    """Tiny (3) and Wee (2) are under the threshold of 5 and hold two straight-liners and two incomplete responses."""
    from _builders import organisation_workspace
    ws = organisation_workspace(tmp_path / "ws", QUALITY_ORGANISATION)
    yield ws
    ws.close()


def test_the_pooled_row_counts_every_respondent_and_flag_of_the_hidden_teams(quality_workspace):
    table = Results(quality_workspace).data_quality("w1").set_index("team")
    hidden = [kinds for teams in QUALITY_ORGANISATION.values() for kinds in teams.values() if len(kinds) < 5]
    expected = {"respondents": sum(len(kinds) for kinds in hidden),
                "incomplete": sum(kinds.count("incomplete") for kinds in hidden),
                "straight_lining": sum(kinds.count("straight") for kinds in hidden)}
    assert expected == {"respondents": 5, "incomplete": 2, "straight_lining": 2}
    assert table.loc[POOLED, list(expected)].astype(int).to_dict() == expected


def test_shown_teams_keep_their_own_flags_beside_the_pooled_row(quality_workspace):
    table = Results(quality_workspace).data_quality("w1").set_index("team")
    assert set(table.index) == {"North", "South", "Platform", "Data", POOLED}
    for team in ("North", "South", "Platform", "Data"):
        kinds = next(teams[team] for teams in QUALITY_ORGANISATION.values() if team in teams)
        assert table.loc[team, ["respondents", "incomplete", "straight_lining"]].astype(int).tolist() == \
            [len(kinds), kinds.count("incomplete"), kinds.count("straight")], team
    assert int(table["respondents"].sum()) == sum(len(k) for teams in QUALITY_ORGANISATION.values()
                                                  for k in teams.values())
