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


# ---------------------------------------------------------------- every rule at exactly threshold - 1 and threshold

MIN_GROUP, MIN_COMMENTS = 5, 10


def department_of(*teams):
    """A tree of teams (nodes 0, 1, ...) under one department "D" (the last node)."""
    names = list(teams)
    return protection.Tree(["team"] * len(names) + ["department"], names + ["D"], [len(names)] * len(names) + [-1])


def reasons(tree, respondents, scored=None):
    """wave_reasons at min_group 5 / min_comments 10; `scored` per node (one score column), default everyone."""
    respondents = np.asarray(respondents, dtype=float)
    n = np.asarray(respondents if scored is None else scored, dtype=float).reshape(-1, 1)
    group, scores, comments = protection.wave_reasons(tree, respondents, n, MIN_GROUP, MIN_COMMENTS)
    return group.tolist(), scores[:, 0].tolist(), comments.tolist()


@pytest.mark.parametrize("size, reason", [(MIN_GROUP - 1, protection.SMALL_GROUP), (MIN_GROUP, None)])
def test_a_group_of_threshold_minus_one_is_hidden_as_small_and_a_group_of_threshold_is_shown(size, reason):
    tree = protection.Tree(["team", "organisation"], ["T", "Org"], [1, -1])
    group, _scores, _comments = reasons(tree, [size, size])
    assert group == [reason, reason]


@pytest.mark.parametrize("rest, expected", [
    (MIN_GROUP - 1, [None, protection.SMALL_GROUP, protection.DIFFERENCING, None]),
    (MIN_GROUP, [None, None, None, None]),
])
def test_a_hidden_team_of_threshold_minus_one_hides_a_sibling_and_one_of_threshold_does_not(rest, expected):
    """D = Big 30 + Mid 20 + Rest: with Rest at 4, D - Big - Mid would be Rest, so the smaller sibling goes too."""
    tree = department_of("Big", "Rest", "Mid")
    group, _scores, _comments = reasons(tree, [30, rest, 20, 50 + rest])
    assert group == expected


@pytest.mark.parametrize("on_department, hidden", [(MIN_GROUP - 1, True), (MIN_GROUP, False)])
def test_people_registered_on_the_department_itself_are_a_remainder_too(on_department, hidden):
    """D has one team of 20 and `on_department` people registered on D directly: D - Big is those people."""
    tree = department_of("Big")
    group, _scores, _comments = reasons(tree, [20, 20 + on_department])
    assert group == ([protection.DIFFERENCING, None] if hidden else [None, None])


@pytest.mark.parametrize("scored, expected", [
    (MIN_GROUP - 1, [protection.SMALL_GROUP, protection.DIFFERENCING, None, None]),
    (MIN_GROUP, [None, None, None, None]),
])
def test_a_scale_cell_scored_by_threshold_minus_one_is_hidden_as_small_even_in_a_shown_team(scored, expected):
    """Team A has 20 respondents but only `scored` have a score on the scale: the cell is small, not 'differencing'."""
    tree = department_of("A", "B", "C")
    group, scores, _comments = reasons(tree, [20, 20, 20, 60], scored=[scored, 20, 30, 50 + scored])
    assert group == [None, None, None, None]
    assert scores == expected


@pytest.mark.parametrize("size, reason", [(MIN_COMMENTS - 1, protection.SMALL_GROUP), (MIN_COMMENTS, None)])
def test_comments_of_a_group_of_comment_threshold_minus_one_are_hidden_and_of_the_threshold_shown(size, reason):
    tree = protection.Tree(["team", "organisation"], ["T", "Org"], [1, -1])
    group, _scores, comments = reasons(tree, [size, size])
    assert group == [None, None]                     # shown as a group: 9 and 10 are both over min_group
    assert comments == [reason, reason]


@pytest.mark.parametrize("small, expected", [
    (MIN_COMMENTS - 1, [protection.DIFFERENCING, protection.SMALL_GROUP, None]),
    (MIN_COMMENTS, [None, None, None]),
])
def test_a_comment_remainder_of_comment_threshold_minus_one_hides_the_sibling_comments(small, expected):
    """v0.1.0's hole 2 at its boundary: D = Big 20 + Small; D's comments minus Big's would be Small's."""
    tree = department_of("Big", "Small")
    group, _scores, comments = reasons(tree, [20, small, 20 + small])
    assert group == [None, None, None]
    assert comments == expected


def _builders_template():
    from _builders import build_template
    return build_template([("clarity", "pillar", ["cl1", "cl2"]), ("support", "pillar", ["su1", "su2"])],
                          min_group=MIN_GROUP)


@pytest.mark.parametrize("answered", [MIN_GROUP - 1, MIN_GROUP])
def test_a_scale_cell_of_a_shown_team_is_hidden_by_figure_and_reason_below_its_own_n(answered):
    """Team A (12 respondents; `answered` of them answer clarity) and team B (12, all answer) in department D."""
    from assessment.statistics import aggregate
    template = _builders_template()
    clarity_a = [(1 + k % 5, 5 - k % 5) for k in range(answered)]       # (cl1, cl2) of A's answerers
    rows = [{"team": "A", "cl1": c1, "cl2": c2, "su1": 4, "su2": 4} for c1, c2 in clarity_a]
    rows += [{"team": "A", "su1": 3, "su2": 3} for _ in range(12 - answered)]
    rows += [{"team": "B", "cl1": 4, "cl2": 5, "su1": 2, "su2": 2} for _ in range(12)]
    matrix = pd.DataFrame(rows, columns=["team", "cl1", "cl2", "su1", "su2"]).astype(
        {c: "float64" for c in ["cl1", "cl2", "su1", "su2"]})
    table = aggregate({"w1": (template, matrix)}, hierarchy=pd.DataFrame({"team": ["A", "B"], "parent": ["D", "D"]}),
                      by=["team", "department"])

    def cell(group, scale):
        part = table[(table["group"] == group) & (table["scale"] == scale)]
        assert len(part) == 1
        return part.iloc[0]
    a = cell("A", "clarity")
    assert a["group_suppressed_reason"] is None or pd.isna(a["group_suppressed_reason"])   # A itself is shown
    assert cell("A", "support")["n"] == 12
    a_mean = np.mean([((c1 - 1) * 25 + (c2 - 1) * 25) / 2 for c1, c2 in clarity_a])
    if answered < MIN_GROUP:
        assert a["suppressed"] and a["suppressed_reason"] == protection.SMALL_GROUP
        assert np.isnan(a["n"]) and np.isnan(a["mean"])
        # D minus B would be A's four: B's clarity cell goes too, and D (16 scores) is shown
        assert cell("B", "clarity")["suppressed_reason"] == protection.DIFFERENCING
    else:
        assert not a["suppressed"] and a["n"] == answered and a["mean"] == pytest.approx(a_mean)
        assert not cell("B", "clarity")["suppressed"]
    d = cell("D", "clarity")
    assert not d["suppressed"] and d["n"] == answered + 12
    assert d["mean"] == pytest.approx((a_mean * answered + 87.5 * 12) / (answered + 12))


# ---------------------------------------------------------------- the tree and each step of protect, by hand (issue 18's mutation run)

def test_a_tree_whose_root_is_node_0_knows_every_child_and_depth():
    tree = protection.Tree(["organisation", "department", "team", "team"], ["O", "D", "A", "B"], [-1, 0, 1, 1])
    assert tree.children == [[1], [2, 3], [], []]
    assert tree.depth.tolist() == [0, 1, 2, 2]
    assert tree.chain(3) == [3, 1, 0]


def test_a_remainder_of_one_person_is_protected():
    """D = Big 20 + Mid 10 + 1 person registered on D: D - Big - Mid would be that person."""
    group, _scores, _comments = reasons(department_of("Big", "Mid"), [20, 10, 31])
    assert group == [None, protection.DIFFERENCING, None]


def test_the_organisations_remainder_looks_through_a_hidden_department_to_its_shown_teams():
    """O = D (hidden for this statistic) + 3 people on O; D's teams A and B (5 each) are shown, so O - A - B
    would be the 3: the smaller-named of A and B is hidden too."""
    tree = protection.Tree(["organisation", "department", "team", "team"], ["O", "D", "A", "B"], [-1, 0, 1, 1])
    reason = np.array([None, protection.SMALL_GROUP, None, None], dtype=object)
    protection.protect(tree, np.array([13.0, 10.0, 5.0, 5.0]), reason, 5)
    assert reason.tolist() == [None, protection.SMALL_GROUP, protection.DIFFERENCING, None]


def test_protect_hides_a_group_itself_when_nothing_below_it_is_left_to_hide():
    """Nothing hidden beforehand: team A of 3 has nothing below, so it goes itself; then D (the same 3) too."""
    tree = protection.Tree(["team", "department"], ["A", "D"], [1, -1])
    reason = np.array([None, None], dtype=object)
    protection.protect(tree, np.array([3.0, 3.0]), reason, 5)
    assert reason.tolist() == [protection.DIFFERENCING, protection.DIFFERENCING]


@pytest.mark.parametrize("n, expected", [
    # O = B (5, all of them in B1) + C (6) + 3 on O: hiding B would change nothing (O - B1 - C is still the 3),
    # so C, the smallest group that adds to the remainder, is hidden
    ([5, 5, 6, 14], [None, None, protection.DIFFERENCING, None]),
    # O = B (5, all in B1) + 3 on O, C empty (hidden beforehand): B adds nothing, so B goes and then B1 below it
    ([5, 5, 0, 8], [protection.DIFFERENCING, protection.DIFFERENCING, protection.SMALL_GROUP, None]),
])
def test_protect_hides_the_smallest_group_that_adds_to_the_remainder_looking_through_those_that_add_nothing(n, expected):
    tree = protection.Tree(["team", "department", "team", "organisation"], ["B1", "B", "C", "O"], [1, 3, 3, -1])
    reason = np.array([None, None, None if n[2] else protection.SMALL_GROUP, None], dtype=object)
    protection.protect(tree, np.array(n, dtype=float), reason, 5)
    assert reason.tolist() == expected


def test_an_exported_region_numbered_0_is_checked_like_any_other():
    # one region of the column (5) covers row regions 0 and 1: neither may keep the column's values
    assert protection.publishable(np.array([0, 0, 1, 1]), np.array([5, 5, 5, 5]), np.ones(4, bool)) == {0: False, 1: False}


def test_rows_without_a_value_do_not_tie_their_region_to_another():
    # row region 1 has no value on the column, so only region 0's rows fall in column region 2
    assert protection.publishable(np.array([0, 1]), np.array([2, 2]), np.array([True, False])) == {0: True, 1: True}


def test_a_team_region_is_labelled_by_its_name_and_a_higher_one_as_not_shown_separately():
    tree = protection.Tree(["team", "department"], ["A", "D"], [1, -1])
    assert protection.region_label(tree, 0) == "A"
    assert protection.region_label(tree, 1) == "D (teams not shown separately)"
    assert protection.region_label(tree, 1, "{group} (lag ej visade)") == "D (lag ej visade)"


def test_a_row_with_no_shown_group_above_it_has_no_region():
    tree = protection.Tree(["team", "department"], ["A", "D"], [1, -1])
    leaf = np.array([0, 0])
    assert protection.regions(tree, leaf, np.array([False, False])).tolist() == [-1, -1]
    assert protection.regions(tree, leaf, np.array([False, True])).tolist() == [1, 1]
