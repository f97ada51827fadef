"""Reports follow up the actions agreed after the previous wave, and leave room for new ones.

Uses its own demo workspace (the shared `demo_workspace` has no actions and must keep none)."""

from __future__ import annotations

import html as _html
import re

import numpy as np
import pytest
from scipy import stats as sps

from assessment.analysis import Results
from assessment.demo import DECLINING_TEAM, SMALL_TEAM, build_demo_workspace
from assessment.reports import TEXT, Report

LATEST, PREVIOUS, FIRST = "2026-autumn", "2026-spring", "2025-spring"
HOSTILE = "<img src=x onerror=alert(1)>"
# keys of TEXT added for the actions sections (the words of their English texts must not reach a Swedish report)
ACTION_KEYS = ["actions", "actions_first", "action", "status", "owner", "due", "change_since", "assessment", "statuses",
               "up", "down", "no_clear", "hidden_change", "changed_scale", "missing_scale", "ci_meaning", "first_wave",
               "no_actions", "how_to", "across", "across_org", "across_lead", "across_lead_org", "ci_range",
               "across_none", "across_none_org", "total", "our_actions", "our_lead", "our_pillars", "pillar", "what"]


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    ws = build_demo_workspace(tmp_path_factory.mktemp("actions") / "demo", seed=7, respondents=120)
    store = ws.store
    # Mobile declines: 'support' falls significantly, 'goals' falls without a clear result
    store.add_action(DECLINING_TEAM, "support", "Weekly help hour with the lead", wave=PREVIOUS, owner="Team lead",
                     due="2026-06-30", status="started")
    store.add_action(DECLINING_TEAM, "goals", "Monthly goal review", wave=PREVIOUS, status="planned")
    # Legal is always under the anonymity threshold: its actions are only counted
    store.add_action(SMALL_TEAM, "goals", "Legal clarifies its goals", wave=PREVIOUS, status="done")
    store.add_action(SMALL_TEAM, "visibility", "Legal shows its results", wave=PREVIOUS, status="dropped")
    store.add_action("Finance", "goals", "Finance sets goals together", wave=PREVIOUS, status="done")
    # user text that must be escaped
    store.add_action("Platform", "expectations", HOSTILE, wave=PREVIOUS, owner=HOSTILE)
    # Swedish text for the Swedish report
    store.add_action("Service Desk South", "visibility", "Vi firar framgångar varje månad", wave=PREVIOUS,
                     owner="Teamledare", due="2026-09-01", status="done")
    store.add_action("Customer Service", "support", "Avdelningen ordnar handledning", wave=PREVIOUS)
    # Partner Sales is hidden in the first wave and shown in the second; Onboarding is shown in the latest
    # wave but its 'support' cell alone is hidden there (to prevent differencing) while 'goals' is shown
    store.add_action("Partner Sales", "goals", "Quarterly goal day", wave=FIRST)
    store.add_action("Onboarding", "support", "Buddy system", wave=PREVIOUS)
    store.add_action("Onboarding", "goals", "Goal day", wave=PREVIOUS)
    yield ws
    ws.close()


@pytest.fixture(scope="module")
def results(workspace):
    return Results(workspace)


_PAGES: dict = {}


def report(workspace, results, group, wave=LATEST, level="team", language="en") -> str:
    """A report's HTML, rendered once per module (the actions are all added by the fixture)."""
    key = (id(workspace), group, wave, level, language)
    if key not in _PAGES:
        _PAGES[key] = Report(workspace, wave=wave, group=group, level=level, language=language, results=results).html()
    return _PAGES[key]


def section(page: str, name: str) -> str:
    found = re.findall(rf"<section class='report-{name}'>(.*?)</section>", page, re.S)
    assert len(found) == 1, name
    return found[0]


def action_row(page: str, scale: str) -> dict:
    rows = re.findall(rf"<tr class='action' data-scale='{scale}'>(.*?)</tr>", section(page, "actions"), re.S)
    assert len(rows) == 1, scale
    cells = [re.sub(r"<[^>]+>", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", rows[0], re.S)]
    keys = ["text", "scale", "status", "owner", "due", "change", "ci", "verdict"]
    assert len(cells) == len(keys)
    return dict(zip(keys, cells))


def change_by_hand(results, group, scale, wave_a=PREVIOUS, wave_b=LATEST):
    """diff, Welch 95 % CI and p-value from the protected table's n, mean and sd, without compare()."""
    table = results.table("team")
    rows = table[(table["group"] == group) & (table["scale"] == scale)].set_index("wave")
    a, b = rows.loc[wave_a], rows.loc[wave_b]
    diff = b["mean"] - a["mean"]
    va, vb = a["sd"] ** 2 / a["n"], b["sd"] ** 2 / b["n"]
    dof = (va + vb) ** 2 / (va ** 2 / (a["n"] - 1) + vb ** 2 / (b["n"] - 1))
    half = sps.t.ppf(0.975, dof) * np.sqrt(va + vb)
    p = sps.ttest_ind_from_stats(b["mean"], b["sd"], b["n"], a["mean"], a["sd"], a["n"], equal_var=False).pvalue
    return diff, diff - half, diff + half, p


def test_team_report_shows_an_action_beside_its_scale_change_with_the_right_diff_and_ci(workspace, results):
    page = report(workspace, results, DECLINING_TEAM)
    assert section(page, "actions").startswith(f"<h2>Actions agreed after {PREVIOUS}</h2>")
    row = action_row(page, "goals")
    assert row["text"] == "Monthly goal review" and row["scale"] == results.title("goals", "en")
    assert row["status"] == "planned" and row["owner"] == "–" and row["due"] == "–"
    diff, low, high, _ = change_by_hand(results, DECLINING_TEAM, "goals")
    assert row["change"] == f"{diff:+.1f}"
    assert row["ci"] == f"{low:+.1f} to {high:+.1f}"
    compared = results.compare(PREVIOUS, LATEST, level="team").set_index(["group", "scale"])
    compared = compared.loc[(DECLINING_TEAM, "goals")]
    assert row["ci"] == f"{compared['diff_ci_low']:+.1f} to {compared['diff_ci_high']:+.1f}"
    started = action_row(page, "support")
    assert (started["status"], started["owner"], started["due"]) == ("started", "Team lead", "2026-06-30")
    assert "95% CI is the range" in section(page, "actions")


def test_a_flagged_change_says_significant(workspace, monkeypatch):
    results = Results(workspace)                      # its own, so no other test sees the flag set here
    compare = results.compare

    def support_flagged(*args, **kwargs):
        table = compare(*args, **kwargs)
        table.loc[(table["group"] == DECLINING_TEAM) & (table["scale"] == "support"), "flagged"] = True
        return table
    monkeypatch.setattr(results, "compare", support_flagged)
    page = Report(workspace, wave=LATEST, group=DECLINING_TEAM, results=results).html()
    assert action_row(page, "support")["verdict"] == "▼ significant decline"


def test_a_change_significant_alone_but_not_among_all_teams_says_no_clear_change(workspace, results):
    page = report(workspace, results, DECLINING_TEAM)
    minimum = results.template.min_change
    diff, _, _, p = change_by_hand(results, DECLINING_TEAM, "support")
    assert p < 0.05 and abs(diff) >= minimum          # support falls with p < 0.05 in the demo ...
    compared = results.compare(PREVIOUS, LATEST, level="team").set_index(["group", "scale"])
    assert compared.loc[(DECLINING_TEAM, "support"), "q_value"] >= 0.05   # ... but not beyond false discoveries
    assert action_row(page, "support")["verdict"] == "no clear change"


def test_an_unflagged_change_does_not_say_significant(workspace, results):
    page = report(workspace, results, DECLINING_TEAM)
    diff, _, _, p = change_by_hand(results, DECLINING_TEAM, "goals")
    assert not (p < 0.05 and abs(diff) >= results.template.min_change)
    verdict = action_row(page, "goals")["verdict"]
    assert verdict == "no clear change" and "significant" not in verdict


def hidden_in(results, wave, group, scale) -> bool:
    table = results.table("team")
    return bool(table.loc[(table["wave"] == wave) & (table["group"] == group) & (table["scale"] == scale),
                          "suppressed"].all())


def test_a_change_with_a_group_hidden_in_the_previous_wave_gives_a_reason_and_no_number(workspace, results):
    assert not results.shown(FIRST, "Partner Sales") and results.shown("2025-autumn", "Partner Sales")
    row = action_row(report(workspace, results, "Partner Sales", wave="2025-autumn"), "goals")
    assert row["change"] == "" and row["ci"] == ""
    assert FIRST in row["verdict"] and "hidden" in row["verdict"]
    assert not re.search(r"\d", row["verdict"].replace(FIRST, ""))   # a reason, no number


def test_a_scale_hidden_on_its_own_gives_a_reason_and_no_number(workspace, results):
    assert results.shown(LATEST, "Onboarding") and hidden_in(results, LATEST, "Onboarding", "support")
    assert not hidden_in(results, LATEST, "Onboarding", "goals") and not hidden_in(results, PREVIOUS, "Onboarding", "goals")
    page = report(workspace, results, "Onboarding", wave=LATEST)
    support = action_row(page, "support")
    assert support["change"] == "" and support["ci"] == "" and f"hidden in {LATEST}" in support["verdict"]
    diff, _, _, _ = change_by_hand(results, "Onboarding", "goals", PREVIOUS, LATEST)
    assert action_row(page, "goals")["change"] == f"{diff:+.1f}"


def test_department_report_counts_a_hidden_teams_actions_without_any_of_its_figures(workspace, results):
    page = report(workspace, results, "Operations", level="department")
    actions = section(page, "actions")
    counts = dict(re.findall(r"<tr data-scale='(\w+)'>(.*?)</tr>", actions, re.S))
    cells = {scale: re.findall(r"<td>(.*?)</td>", row) for scale, row in counts.items()}
    # scale title, planned, started, done, dropped, total: Legal's and Finance's goals are done
    assert cells["goals"] == [results.title("goals", "en"), "0", "0", "2", "0", "2"]
    assert cells["visibility"] == [results.title("visibility", "en"), "0", "0", "0", "1", "1"]
    assert "Groups with actions: 2" in actions
    assert SMALL_TEAM not in actions and "Legal clarifies" not in page     # neither its name nor its texts
    # the name appears only in the breakdown of the department's teams, as hidden
    assert SMALL_TEAM not in page.replace(section(page, "breakdown"), "")
    assert f"<li data-group='{SMALL_TEAM}'><b>{SMALL_TEAM}</b>: hidden: fewer than 5" in section(page, "breakdown")
    assert not re.search(r"\d\.\d", actions)                                # counts only: no mean, no change
    scored = results._scored
    for scale in ("goals", "visibility"):                                   # Legal's true figures appear nowhere
        means = [scored[w].scales.loc[(scored[w].team == SMALL_TEAM) & scored[w].responded, scale].mean()
                 for w in (PREVIOUS, LATEST)]
        assert f"{means[1]:.1f}" not in actions and f"{means[1] - means[0]:+.1f}" not in actions


def test_organisation_report_counts_every_action_of_the_wave(workspace, results):
    actions = section(report(workspace, results, None), "actions")
    assert "No actions were recorded for Whole organisation" in actions
    total = re.search(r"<tr class='total'>(.*?)</tr>", actions).group(1)
    assert re.findall(r"<th>(.*?)</th>", total)[-1] == str(len(workspace.store.actions(wave=PREVIOUS)))
    assert SMALL_TEAM not in actions


def test_hostile_action_text_and_owner_are_escaped(workspace, results):
    page = report(workspace, results, "Platform")
    assert HOSTILE not in page
    assert section(page, "actions").count(_html.escape(HOSTILE)) == 2
    row = action_row(page, "expectations")
    assert _html.unescape(row["text"]) == HOSTILE and _html.unescape(row["owner"]) == HOSTILE


@pytest.mark.parametrize("language, heading, columns", [
    ("en", "Our actions", ["Pillar", "What we will do", "Owner", "Due date"]),
    ("sv", "Våra åtgärder", ["Pelare", "Vad vi ska göra", "Ansvarig", "Klart senast"]),
])
def test_blank_our_actions_section_has_four_empty_rows_after_the_guide(workspace, results, language, heading, columns):
    page = report(workspace, results, DECLINING_TEAM, language=language)
    ids = re.findall(r"<section class='report-([\w-]+)'>", page)
    assert ids.index("our-actions") == ids.index("guide") + 1 and ids.index("actions") == ids.index("risks") + 1
    ours = section(page, "our-actions")
    assert ours.startswith(f"<h2>{heading}</h2>") and "1–3" in ours
    assert re.findall(r"<th>(.*?)</th>", ours) == columns
    rows = re.findall(r"<tr class='blank'>(.*?)</tr>", ours)
    assert rows == ["<td></td>" * 4] * 4
    assert "tr.blank td{height:" in page and ".our-actions th,.our-actions td{border:1px solid" in page   # printable


def english_only_words() -> set[str]:
    def words(key, language):
        value = TEXT[language][key]
        text = " ".join(value.values()) if isinstance(value, dict) else value
        text = re.sub(r"<code>.*?</code>|\{\w+(:[^}]*)?\}|&\w+;", " ", text)
        return {w.lower() for w in re.findall(r"[A-Za-zÅÄÖåäöÉé']+", text)}
    english = set().union(*(words(k, "en") for k in ACTION_KEYS))
    swedish = set().union(*(words(k, "sv") for k in ACTION_KEYS))
    return english - swedish


def test_swedish_actions_sections_have_no_english_words(workspace, results):
    english = english_only_words()
    assert {"owner", "significant", "planned", "counts", "what"} <= english
    for group, level in (("Service Desk South", "team"), ("Customer Service", "department"), (None, "team")):
        page = report(workspace, results, group, level=level, language="sv")
        for name in ("actions", "our-actions"):
            text = re.sub(r"<code>.*?</code>", " ", section(page, name))
            text = _html.unescape(re.sub(r"<[^>]+>", " ", text))
            found = {w.lower() for w in re.findall(r"[A-Za-zÅÄÖåäöÉé']+", text)} & english
            assert not found, (group, name, found)
    page = report(workspace, results, "Service Desk South", language="sv")
    row = action_row(page, "visibility")
    assert row["status"] == "klar" and row["scale"] == results.title("visibility", "sv")
    assert section(page, "actions").startswith(f"<h2>Åtgärder som beslutades efter {PREVIOUS}</h2>")


def test_first_wave_report_says_there_is_nothing_to_follow_up(workspace, results):
    for language, expected in (("en", "is the first wave, so there are no earlier actions to follow up"),
                               ("sv", "är den första mätningen, så det finns inga tidigare åtgärder")):
        actions = section(report(workspace, results, DECLINING_TEAM, wave=FIRST, language=language), "actions")
        assert expected in actions and "assessment actions WORKSPACE add" in actions
        assert "<table" not in actions


def test_a_team_without_actions_is_told_how_to_record_them(workspace, results):
    actions = section(report(workspace, results, "Data"), "actions")
    assert f"No actions were recorded for Data after {PREVIOUS}" in actions
    assert "assessment actions WORKSPACE add" in actions and "Actions tab" in actions
