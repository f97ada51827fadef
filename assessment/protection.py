"""Anonymity protection: the one place that decides which groups, cells, comments and exported rows
may be published for a wave, so that nothing published singles out fewer than the threshold.

The invariant. For a wave, a reader who holds every output of the kit (score tables at every
level, changes, reports, the dashboard, response rates, data quality, comments, every export file)
can compute the sum of any statistic over a set of respondents whose indicator is a linear
combination of the published groups' indicators: a labelled group, the difference of two nested
groups, a group minus the union of its published subgroups. No such set may have between 1 and
threshold - 1 members. `tests/_audit.py` checks this by set algebra over respondent ids.

How it is kept, per statistic (the respondents as a whole; each scale or index score; comments):

* The groups form a tree: teams (the units respondents register on) under departments under the
  organisation. A group with fewer than the threshold is hidden ('small group'). Then, bottom-up,
  for each shown group the *residual* (its members minus those of the shown groups directly below
  it, looking through hidden ones) must be 0 or at least the threshold; if not, the smallest shown
  group below that adds to it is hidden too ('differencing'), until it is, or the group itself is.
  For a laminar family (a tree) every set a reader can compute is a union of residuals, so this is
  the whole rule.
* The families are nested: a group hidden as a whole is hidden on every scale and for comments;
  a scale cell may additionally be hidden where fewer than the threshold have a score on it.
* Respondent-level rows (exports) carry the label of their *region*: the lowest shown group above
  them; a region of a department or the organisation is labelled "<group> (teams not shown
  separately)". Regions are exactly the residuals above, so a label never adds a set a reader could
  not already compute. A scale's values are kept in a region's rows only if the region's members
  with that score form whole regions of that scale's family; otherwise that scale (its items and
  the indices built from it) is blanked for the region, never the rows dropped.
"""

from __future__ import annotations

import numpy as np

SMALL_GROUP = "small group"
DIFFERENCING = "differencing"
NOT_SHOWN_SEPARATELY = "{group} (teams not shown separately)"


class Tree:
    """The protection tree of one wave: nodes (teams, departments, the organisation), `up` (the node
    directly above, -1 at the root), `children`, `depth`, `group` names and `level`s."""

    def __init__(self, level, group, up):
        self.level = list(level)
        self.group = list(group)
        self.up = np.asarray(up, dtype=int)
        self.children: list[list[int]] = [[] for _ in self.level]
        for node, above in enumerate(self.up):
            if above >= 0:
                self.children[above].append(node)
        depth = np.zeros(len(self.level), dtype=int)
        for node in range(len(self.level)):
            above = self.up[node]
            while above >= 0:
                depth[node] += 1
                above = self.up[above]
        self.depth = depth

    def __len__(self):
        return len(self.level)

    def chain(self, node: int) -> list[int]:
        out = []
        while node >= 0:
            out.append(node)
            node = int(self.up[node])
        return out


def protect(tree: Tree, n: np.ndarray, reason: np.ndarray, threshold: int) -> None:
    """Secondary suppression for one statistic, in place: `n` per node, `reason` per node (None =
    shown; groups already hidden stay hidden). See the module docstring.

    Bottom-up, `below[v]` is the n of the shown groups directly below v (looking through hidden
    ones), so a remainder costs one sum per node; the shown frontier is searched only when
    something has to be hidden."""
    hidden = np.array([r is not None for r in reason])
    n = np.asarray(n, dtype=float)
    below = np.zeros(len(tree))

    def frontier(v):
        out, stack = [], list(tree.children[v])
        while stack:
            c = stack.pop()
            if hidden[c]:
                stack.extend(tree.children[c])
            else:
                out.append(c)
        return out

    for v in np.argsort(-tree.depth, kind="stable"):
        below[v] = sum(below[c] if hidden[c] else n[c] for c in tree.children[v])
        if hidden[v]:
            continue
        while True:
            rest = n[v] - below[v]
            if rest < 0.5 or rest >= threshold:
                break
            visible_below = frontier(v)
            if not visible_below:                 # nothing left to hide below: hide the group itself
                hidden[v], reason[v] = True, DIFFERENCING
                break
            useful = [f for f in visible_below if n[f] - below[f] > 0.5]
            pick = min(useful or visible_below, key=lambda f: (n[f], tree.group[f]))
            hidden[pick], reason[pick] = True, DIFFERENCING
            below[v] += below[pick] - n[pick]     # the hidden group's own shown groups count instead


def wave_reasons(tree: Tree, respondents: np.ndarray, n: np.ndarray, min_group: int, min_comments: int):
    """Why each node is hidden, for the group as a whole, for each score column and for comments.

    `respondents` per node; `n` nodes x score columns (respondents with that score). Returns
    (group_reason [nodes], score_reason [nodes x columns], comment_reason [nodes]): None where shown."""
    group = np.full(len(tree), None, dtype=object)
    group[np.asarray(respondents) < min_group] = SMALL_GROUP
    protect(tree, respondents, group, min_group)
    scores = np.full(n.shape, None, dtype=object)
    for c in range(n.shape[1]):
        column = group.copy()
        column[(n[:, c] < min_group) & (column == None)] = SMALL_GROUP  # noqa: E711 - elementwise
        protect(tree, n[:, c], column, min_group)
        scores[:, c] = column
    comments = group.copy()
    comments[(np.asarray(respondents) < min_comments) & (comments == None)] = SMALL_GROUP  # noqa: E711
    protect(tree, respondents, comments, min_comments)
    return group, scores, comments


def regions(tree: Tree, leaf_of_row: np.ndarray, shown: np.ndarray) -> np.ndarray:
    """The region of each respondent row: the lowest shown node on its leaf's chain (-1: none)."""
    lowest = np.full(len(tree), -1, dtype=int)
    for leaf in set(leaf_of_row.tolist()):
        lowest[leaf] = next((node for node in tree.chain(leaf) if shown[node]), -1)
    return lowest[leaf_of_row]


def region_label(tree: Tree, node: int, label: str = NOT_SHOWN_SEPARATELY) -> str:
    """How exported rows of a region are labelled: a team's name, or its group's 'not shown separately'
    (`label`, with a {group} placeholder, in the export's language)."""
    if tree.level[node] == "team":
        return tree.group[node]
    return label.format(group=tree.group[node])


def publishable(row_region: np.ndarray, column_region: np.ndarray, has_value: np.ndarray) -> dict[int, bool]:
    """For one score column: may each row region keep its values? Only if its members with a value
    form whole regions of that column's own family (so the column adds no set a reader can't compute)."""
    out: dict[int, bool] = {}
    rows = has_value & (row_region >= 0)
    pairs = set(zip(column_region[rows].tolist(), row_region[rows].tolist()))
    labels_of: dict[int, set] = {}
    for column_node, row_node in pairs:
        labels_of.setdefault(column_node, set()).add(row_node)
    for row_node in set(row_region[row_region >= 0].tolist()):
        out[row_node] = True
    for column_node, row_nodes in labels_of.items():
        if column_node < 0 or len(row_nodes) > 1:
            for row_node in row_nodes:
                out[row_node] = False
    return out


__all__ = ["SMALL_GROUP", "DIFFERENCING", "NOT_SHOWN_SEPARATELY", "Tree", "protect", "wave_reasons", "regions",
           "region_label", "publishable"]
