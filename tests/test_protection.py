"""The published-set invariant: everything the kit publishes for a wave, taken together, never lets a
reader single out 1..threshold-1 respondents (tests/_audit.py works it out by set algebra).

The auditor is checked first on the two holes v0.1.0 had, written as the sets v0.1.0 published; then
the kit's own outputs are audited on the demo and on random organisations (hypothesis)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from _audit import ALL, COMMENTS, Published, audit, holes, smallest_isolatable
from assessment import protection
from assessment.analysis import Results
from assessment.exporting import export_all
from assessment.workspace import Workspace


def people(start, count):
    return frozenset(range(start, start + count))


# ---------------------------------------------------------------- the auditor itself

def test_auditor_finds_hole_1_an_export_that_drops_a_small_teams_rows():
    """v0.1.0: answers.csv dropped the rows of a lone team of 3 while the organisation's figure kept them."""
    big, other, small = people(0, 20), people(20, 12), people(32, 3)
    published = [Published("w", ALL, "group_scores.csv organisation", big | other | small),
                 Published("w", ALL, "answers.csv label Big", big),
                 Published("w", ALL, "answers.csv label Other", other)]
    found = holes(published, min_group=5, min_comments=10)
    assert [(h.size, h.members) for h in found] == [(3, small)]


def test_auditor_finds_hole_2_department_comments_minus_a_teams_comments():
    """v0.1.0: Service = {Big: 20, Small: 7}, comment threshold 10: Service's comments minus Big's are Small's."""
    big, small = people(0, 20), people(20, 7)
    published = [Published("w", COMMENTS, "report Service", big | small), Published("w", COMMENTS, "report Big", big)]
    assert [(h.size, h.members) for h in holes(published, min_group=5, min_comments=10)] == [(7, small)]


def test_auditor_finds_a_group_computed_from_overlapping_sets():
    """No rule of thumb lists this one: (A∪B) + (B∪C) − (A∪B∪C) = B, three people."""
    a, b, c = people(0, 10), people(10, 3), people(13, 10)
    published = [Published("w", "goals", "x", a | b), Published("w", "goals", "y", b | c),
                 Published("w", "goals", "z", a | b | c)]
    assert smallest_isolatable(published) == (3, b)


def test_auditor_accepts_a_safe_hierarchy():
    t1, t2, t3 = people(0, 6), people(6, 7), people(13, 5)
    published = [Published("w", ALL, "dept", t1 | t2 | t3), Published("w", ALL, "t1", t1),
                 Published("w", ALL, "t2", t2)]
    assert holes(published, min_group=5, min_comments=10) == []


def test_auditor_checks_each_statistic_with_its_own_threshold():
    t1, t2 = people(0, 12), people(12, 6)
    sets = [Published("w", COMMENTS, "dept", t1 | t2), Published("w", COMMENTS, "t1", t1)]
    assert [h.size for h in holes(sets, min_group=5, min_comments=10)] == [6]
    assert holes(sets, min_group=5, min_comments=6) == []


# ---------------------------------------------------------------- the protection rules

def test_protection_hides_the_smallest_sibling_until_the_remainder_reaches_the_threshold():
    tree = protection.Tree(["team", "team", "team", "department"], ["A", "B", "C", "D"], [3, 3, 3, -1])
    n = np.array([20.0, 8.0, 3.0, 31.0])
    reason = np.array(["small group" if v < 5 else None for v in n], dtype=object)
    protection.protect(tree, n, reason, 5)
    assert reason.tolist() == [None, "differencing", "small group", None]


@pytest.mark.parametrize("remainder, hidden", [(4, True), (5, False)])
def test_a_remainder_of_exactly_threshold_minus_one_is_protected_and_threshold_is_not(remainder, hidden):
    tree = protection.Tree(["team", "team", "department"], ["Big", "Rest", "D"], [2, 2, -1])
    n = np.array([20.0, remainder, 20.0 + remainder])
    reason = np.array([None, "small group" if remainder < 5 else None, None], dtype=object)
    protection.protect(tree, n, reason, 5)
    assert (reason[0] is not None or reason[2] is not None) is hidden


def test_an_exported_region_keeps_a_scale_only_when_it_is_whole_regions_of_that_scale():
    tree = protection.Tree(["team", "team", "team", "department"], ["A", "B", "C", "D"], [3, 3, 3, -1])
    leaf = np.array([0] * 6 + [1] * 6 + [2] * 6)
    region = protection.regions(tree, leaf, np.array([True, True, True, True]))
    # on this scale B and C are hidden: only B and C together (D minus A) may be worked out
    column = protection.regions(tree, leaf, np.array([True, False, False, True]))
    assert protection.publishable(region, column, np.ones(18, bool)) == {0: True, 1: False, 2: False}
    # B alone hidden: D - A - C is B anyway, so B's rows add nothing a reader could not compute
    column = protection.regions(tree, leaf, np.array([True, False, True, True]))
    assert protection.publishable(region, column, np.ones(18, bool)) == {0: True, 1: True, 2: True}


# ---------------------------------------------------------------- the kit's outputs, audited

def test_the_demo_publishes_no_hole_in_any_output_or_export(demo_workspace, tmp_path):
    export_all(demo_workspace, out=tmp_path)
    assert audit(demo_workspace, tmp_path) == []


def test_exports_label_hidden_teams_by_their_region_and_drop_no_row(demo_workspace, tmp_path):
    export_all(demo_workspace, out=tmp_path)
    answers = pd.read_csv(tmp_path / "answers.csv")
    counts = demo_workspace.store.respondent_counts()
    assert len(answers) == int(counts["respondents"].sum())
    results = Results(demo_workspace)
    for wave in results.waves:
        labels = set(answers.loc[answers["wave"] == wave, "team"])
        hidden = {t for t in results.groups("team") if not results.shown(wave, t)}
        assert not labels & hidden, wave
        assert all(label in results.groups("team") or label.endswith("(teams not shown separately)")
                   for label in labels)


TEMPLATE = """extends: osa-core
anonymity: {{min_group: {min_group}, min_comments: {min_comments}}}
"""


@st.composite
def organisations(draw):
    """Depth 1-3 hierarchies with teams of 0-30 respondents per wave, 1-3 waves, two thresholds."""
    depth = draw(st.integers(1, 3))
    teams = []   # (team, parent)

    def grow(parent, level):
        for k in range(draw(st.integers(1, 3))):
            name = f"{parent or 'U'}.{k}"
            if level < depth and draw(st.booleans()):
                teams.append((name, parent))
                grow(name, level + 1)
                if draw(st.integers(0, 4)) == 0:          # a department with people registered on it
                    teams.append((name, parent))
            else:
                teams.append((name, parent))
    grow(None, 1)
    names = list(dict.fromkeys(t for t, _ in teams))
    waves = draw(st.integers(1, 3))
    sizes = [[draw(st.integers(0, 30)) for _ in names] for _ in range(waves)]
    thresholds = draw(st.sampled_from([(5, 10), (3, 5), (4, 8)]))
    seed = draw(st.integers(0, 2**31 - 1))
    return list(dict.fromkeys(teams)), names, sizes, thresholds, seed


def build(path, organisation) -> Workspace:
    teams, names, sizes, (min_group, min_comments), seed = organisation
    rng = np.random.default_rng(seed)
    ws = Workspace.create(path, wave="w1")
    (path / "template.yaml").write_text(TEMPLATE.format(min_group=min_group, min_comments=min_comments))
    ws.store._exec("UPDATE waves SET template_json = ?", (ws.template().to_json(),))
    ws.store._template_cache.clear()
    ws.store.add_teams([(t, p) for t, p in teams if t != p])
    template = ws.store.wave_template("w1")
    for w, wave_sizes in enumerate(sizes):
        wave = f"w{w + 1}"
        if w:
            ws.store.open_wave(wave, template)
        team_of = np.repeat(names, wave_sizes)
        matrix = pd.DataFrame({"team": team_of})
        for item in template.items:
            rs = item.response_scale
            values = rng.integers(rs.low, rs.high + 1, len(team_of)).astype(float)
            values[rng.random(len(team_of)) < 0.08] = np.nan
            matrix[item.id] = values
        writes = rng.random(len(team_of)) < 0.5
        comments = pd.DataFrame({"row": np.flatnonzero(writes), "team": team_of[writes], "question": "comment_keep",
                                 "text": [f"c{k}" for k in range(int(writes.sum()))]})
        if len(team_of):
            ws.store.add_answer_matrix(wave, matrix, comments)
    return ws


@settings(max_examples=60, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(organisation=organisations())
def test_no_output_or_export_of_a_random_organisation_singles_anyone_out(tmp_path_factory, organisation):
    folder = tmp_path_factory.mktemp("audit")
    ws = build(folder / "ws", organisation)
    try:
        if ws.store.respondent_counts().empty:
            return
        export_all(ws, out=folder / "export")
        found = audit(ws, folder / "export")
        assert found == [], "\n".join(map(str, found))
    finally:
        ws.close()
