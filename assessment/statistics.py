"""Group statistics: aggregation with anonymity, change between waves, reliability and drivers.

Every result is a tidy DataFrame (one row per group x wave x scale, or per item / driver pair),
ready for seaborn. Inputs are scored once with `scoring.score_wave`; group figures are computed
per team with one pandas groupby and rolled up to departments and the organisation from the
teams' sufficient statistics (count, mean, centred sum of squares), so no Python loop runs over
respondents and the expensive step does not grow with the number of levels.

Conventions
-----------
* Groups and levels. ``level='team'``: respondents registered on that unit (the matrix's `team`).
  ``level='department'``: every unit that has sub-units or no parent, with the respondents of the
  unit and all its descendants (so nested departments each get a row).
  ``level='organisation'``: everybody, as the group ``ORGANISATION``. Teams absent from the
  hierarchy are treated as top units.
* A respondent is someone who answered at least one item. Groups without respondents get no row.
* ``mean``/``sd``: 0-100 scores, sd with ddof=1; 95 % CI = mean +/- t(0.975, n-1) sd/sqrt(n).
* ``favourable``: percent (0-100) of all answers behind the group's scores that are favourable,
  pooled over items and respondents (Culture Amp's convention), not the mean of respondents'
  shares; only answers of respondents with a score on the scale count, so n, mean and
  favourable describe the same people. An index pools the answers of its scales. For the eNPS
  scale it is % promoters.
* ``enps`` (eNPS rows only): mean of respondents' net scores (+100 promoter, 0 passive,
  -100 detractor), which is % promoters - % detractors.
* ``headcount``: a team's recorded headcount (NaN on the team row of a unit that also has
  sub-units, since its recorded figure covers them); a department's own recorded headcount if
  there is one, otherwise the sum of its sub-units' (NaN when none is known). ``response_rate`` =
  100 x respondents / headcount.
* Anonymity: `assessment.protection` decides, for the team, department and organisation figures
  of a wave together (whatever level is asked for, so tables made in separate calls can be put
  side by side safely), which groups are hidden as a whole (``group_suppressed_reason``), which
  score cells (``suppressed_reason``: 'small group' when the group or the cell's n is under
  ``min_group``, 'differencing' when showing it would let a smaller group be worked out by
  subtraction) and which groups' comments (``comments_suppressed_reason``, with ``min_comments``).
* Every numeric column of a suppressed row (n, mean, sd, CI, favourable, enps, response_rate)
  is NaN, never 0. Headcount stays: it comes from HR, not from answers.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy import stats as sps

from .exceptions import AssessmentError, UnknownNameError
from .protection import SMALL_GROUP, Tree, wave_reasons
from .scoring import ScoredWave, item_scores, score_kinds, score_wave
from .store import ORGANISATION
from .templates import Template

LEVELS = ("team", "department", "organisation")

AGGREGATE_COLUMNS = ["wave", "level", "group", "parent", "scale", "kind", "n", "mean", "sd", "ci_low", "ci_high",
                     "favourable", "enps", "headcount", "response_rate", "suppressed", "suppressed_reason",
                     "group_suppressed_reason", "comments_suppressed_reason"]
_HIDDEN_NUMBERS = ["n", "mean", "sd", "ci_low", "ci_high", "favourable", "enps", "response_rate"]
COMPARE_COLUMNS = ["wave_a", "wave_b", "level", "group", "parent", "scale", "kind", "n_a", "n_b", "mean_a", "mean_b",
                   "diff", "diff_ci_low", "diff_ci_high", "p_value", "q_value", "effect_size", "flagged", "note"]
DRIVER_COLUMNS = ["group", "pillar", "outcome", "r", "ci_low", "ci_high", "p_value", "n", "source"]

__all__ = ["ORGANISATION", "LEVELS", "aggregate", "aggregate_hierarchy", "compare_waves", "benjamini_hochberg",
           "cronbach_alpha", "item_rest", "reliability", "item_analysis", "drivers", "wave_inputs"]


# ---------------------------------------------------------------- hierarchy

def _blank(value) -> bool:
    return value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA or value == ""


class _Units:
    """The unit tree from (team, parent) rows; answering teams missing from it become top units."""

    def __init__(self, hierarchy: pd.DataFrame | None, teams=()):
        parent: dict[str, str | None] = {}
        if hierarchy is not None:
            missing = {"team", "parent"} - set(hierarchy.columns)
            if missing:
                raise AssessmentError(f"the hierarchy needs columns team and parent (as Store.teams() gives); "
                                      f"missing {', '.join(sorted(missing))}")
            for team, par in zip(hierarchy["team"], hierarchy["parent"]):
                parent[str(team)] = None if _blank(par) else str(par)
        for par in list(parent.values()):
            if par is not None:
                parent.setdefault(par, None)
        for team in teams:
            parent.setdefault(str(team), None)
        self.parent = parent
        self.children: dict[str, list[str]] = {u: [] for u in parent}
        for unit, par in parent.items():
            if par is not None:
                self.children[par].append(unit)
        for unit in parent:
            self.chain(unit)                       # raises on a cycle

    def chain(self, unit: str) -> list[str]:
        """The unit, its parent, ... up to its top unit."""
        out, seen = [], set()
        while unit is not None:
            if unit in seen:
                raise AssessmentError(f"the team hierarchy has a cycle through {unit!r}; fix the parents")
            seen.add(unit)
            out.append(unit)
            unit = self.parent.get(unit)
        return out

    def is_department(self, unit: str) -> bool:
        return bool(self.children.get(unit)) or self.parent.get(unit) is None


class _Nodes(Tree):
    """The rows of one wave's full table (team, department and organisation groups).

    `pair_node`/`pair_atom` list which answering team (atom) belongs to which node; `up` is the
    node directly above in the protection tree (-1 for the organisation)."""

    def __init__(self, units: _Units, atoms: list[str]):
        self.level: list[str] = []
        self.group: list[str] = []
        self.parent: list[str | None] = []
        members: list[list[int]] = []
        key = {}

        def add(level, group, parent, atom_ids):
            key[(level, group)] = len(self.level)
            self.level.append(level)
            self.group.append(group)
            self.parent.append(parent)
            members.append(atom_ids)

        for a, team in enumerate(atoms):
            add("team", team, units.parent.get(team), [a])
        under: dict[str, list[int]] = {}
        for a, team in enumerate(atoms):
            for unit in units.chain(team):
                under.setdefault(unit, []).append(a)
        for unit in sorted(under):
            if units.is_department(unit):
                add("department", unit, units.parent.get(unit), under[unit])
        if atoms:
            add("organisation", ORGANISATION, None, list(range(len(atoms))))
        up = []
        for level, group in zip(self.level, self.group):
            if level == "team":
                target = ("department", group) if units.is_department(group) else ("department", units.parent[group])
            elif level == "department":
                par = units.parent.get(group)
                target = ("department", par) if par is not None else ("organisation", ORGANISATION)
            else:
                target = None
            up.append(-1 if target is None else key[target])
        Tree.__init__(self, self.level, self.group, up)
        self.pair_node = np.array([n for n, m in enumerate(members) for _ in m], dtype=int)
        self.pair_atom = np.array([a for m in members for a in m], dtype=int)

def _levels(by) -> list[str]:
    levels = [by] if isinstance(by, str) else list(by)
    unknown = [lv for lv in levels if lv not in LEVELS]
    if unknown or not levels:
        raise UnknownNameError(f"by={by!r}: use 'team', 'department', 'organisation' or a list of them")
    return levels


# ---------------------------------------------------------------- sufficient statistics

def _atom_moments(values: np.ndarray, codes: np.ndarray, atoms: int):
    """Per answering team and column: count, mean, centred sum of squares (stable, via pandas)."""
    grouped = pd.DataFrame(values).groupby(codes, sort=True)
    full = pd.RangeIndex(atoms)
    n = grouped.count().reindex(full, fill_value=0).to_numpy(dtype="float64")
    mean = grouped.mean().reindex(full).to_numpy(dtype="float64")
    var = grouped.var(ddof=1).reindex(full).to_numpy(dtype="float64")
    m2 = np.where(n > 1, var * (n - 1), 0.0)
    return n, mean, m2


def _sum_up(nodes: _Nodes, per_atom: np.ndarray) -> np.ndarray:
    out = np.zeros((len(nodes),) + per_atom.shape[1:])
    np.add.at(out, nodes.pair_node, per_atom[nodes.pair_atom])
    return out


def _roll_up(nodes: _Nodes, n, mx, my, cxy):
    """Combine per-team (n, means, centred co-moment) into per-node ones (Chan et al.'s formula)."""
    mx0, my0 = np.nan_to_num(mx), np.nan_to_num(my)
    total = _sum_up(nodes, n)
    with np.errstate(invalid="ignore", divide="ignore"):
        gx = np.where(total > 0, _sum_up(nodes, n * mx0) / total, np.nan)
        gy = np.where(total > 0, _sum_up(nodes, n * my0) / total, np.nan)
    gx0, gy0 = np.nan_to_num(gx), np.nan_to_num(gy)
    a, g = nodes.pair_atom, nodes.pair_node
    spread = n[a] * (mx0[a] - gx0[g]) * (my0[a] - gy0[g])
    co = np.zeros_like(total)
    np.add.at(co, g, cxy[a] + spread)
    return total, gx, gy, co


def _sd(n, m2):
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(n >= 2, np.sqrt(np.maximum(m2, 0.0) / (n - 1)), np.nan)


# ---------------------------------------------------------------- one wave's full table

def _recorded_headcounts(headcounts: pd.DataFrame | None, wave: str) -> dict:
    if headcounts is None or len(headcounts) == 0:
        return {}
    frame = headcounts
    if "wave" in frame.columns:
        frame = frame[frame["wave"].astype(str) == str(wave)]
    return {str(t): float(h) for t, h in zip(frame["team"], frame["headcount"]) if not pd.isna(h)}


def _node_headcounts(units: _Units, nodes: _Nodes, recorded: dict) -> np.ndarray:
    memo: dict[str, float] = {}

    def total(unit):
        if unit not in memo:
            if unit in recorded:
                memo[unit] = recorded[unit]
            else:
                parts = [total(c) for c in units.children.get(unit, [])]
                parts = [p for p in parts if not np.isnan(p)]
                memo[unit] = float(sum(parts)) if parts else np.nan
        return memo[unit]

    out = []
    for level, group in zip(nodes.level, nodes.group):
        if level == "team":
            out.append(np.nan if units.children.get(group) else recorded.get(group, np.nan))
        elif level == "department":
            out.append(total(group))
        else:
            parts = [total(u) for u, p in units.parent.items() if p is None]
            parts = [p for p in parts if not np.isnan(p)]
            out.append(float(sum(parts)) if parts else np.nan)
    return np.array(out, dtype="float64")


def _wave_table(scored: ScoredWave, units: _Units, recorded: dict, protect: bool) -> pd.DataFrame:
    """True (unblanked) figures for every node x score column of one wave, with the reason to hide."""
    template = scored.template
    kinds = score_kinds(template)
    columns = list(kinds)
    responded = scored.responded.to_numpy(dtype=bool)
    team = scored.team.to_numpy()[responded]
    atoms = sorted(set(team))
    nodes = _Nodes(units, atoms)
    codes = pd.Categorical(team, categories=atoms).codes
    count_a = len(atoms)

    n_t, mean_t, m2_t = _atom_moments(scored.scales.to_numpy()[responded], codes, count_a)
    n, mean, _, m2 = _roll_up(nodes, n_t, mean_t, mean_t, m2_t)
    sd = _sd(n, m2)
    fav_t = pd.DataFrame(scored.favourable_n.to_numpy()[responded]).groupby(codes).sum().reindex(
        pd.RangeIndex(count_a), fill_value=0).to_numpy(dtype="float64")
    ans_t = pd.DataFrame(scored.answered_n.to_numpy()[responded]).groupby(codes).sum().reindex(
        pd.RangeIndex(count_a), fill_value=0).to_numpy(dtype="float64")
    fav, ans = _sum_up(nodes, fav_t), _sum_up(nodes, ans_t)
    respondents = _sum_up(nodes, np.bincount(codes, minlength=count_a).astype("float64"))

    shape = (len(nodes), len(columns))
    enps_n, enps_mean, enps_sd = np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
    enps_cols = list(scored.enps.columns)
    if enps_cols:
        en_t, em_t, e2_t = _atom_moments(scored.enps.to_numpy()[responded], codes, count_a)
        en, em, _, e2 = _roll_up(nodes, en_t, em_t, em_t, e2_t)
        for j, col in enumerate(enps_cols):
            c = columns.index(col)
            enps_n[:, c], enps_mean[:, c], enps_sd[:, c] = en[:, j], em[:, j], _sd(en[:, j], e2[:, j])

    if protect:
        group_reason, reason, comment_reason = wave_reasons(nodes, respondents, n, template.min_group,
                                                            template.min_comments)
    else:
        group_reason = np.where(respondents < template.min_group, SMALL_GROUP, None)
        comment_reason = np.where(respondents < template.min_comments, SMALL_GROUP, None)
        reason = np.full(shape, None, dtype=object)
        reason[(respondents[:, None] < template.min_group) | (n < template.min_group)] = SMALL_GROUP

    with np.errstate(invalid="ignore", divide="ignore"):
        favourable = np.where(ans > 0, 100.0 * fav / ans, np.nan)
        half = np.where(n >= 2, sps.t.ppf(0.975, np.maximum(n - 1, 1)) * sd / np.sqrt(n), np.nan)
    headcount = _node_headcounts(units, nodes, recorded)
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(headcount > 0, 100.0 * respondents / headcount, np.nan)

    g, c = len(nodes), len(columns)

    def rep(values):
        return np.repeat(np.asarray(values, dtype=object), c)

    return pd.DataFrame({
        "level": rep(nodes.level), "group": rep(nodes.group), "parent": rep(nodes.parent),
        "scale": np.tile(np.array(columns, dtype=object), g),
        "kind": np.tile(np.array([kinds[k] for k in columns], dtype=object), g),
        "n": n.ravel(), "mean": mean.ravel(), "sd": sd.ravel(),
        "ci_low": (mean - half).ravel(), "ci_high": (mean + half).ravel(),
        "favourable": favourable.ravel(), "enps": enps_mean.ravel(),
        "enps_n": enps_n.ravel(), "enps_sd": enps_sd.ravel(),
        "headcount": np.repeat(headcount, c), "response_rate": np.repeat(rate, c),
        "suppressed_reason": reason.ravel(), "respondents": np.repeat(respondents, c),
        "group_suppressed_reason": rep(group_reason), "comments_suppressed_reason": rep(comment_reason),
    })


def _score_all(results: dict) -> dict[str, ScoredWave]:
    if not isinstance(results, dict):
        raise AssessmentError("results must be a dict {wave name: (template, answer matrix) or ScoredWave}")
    out = {}
    for wave, value in results.items():
        if isinstance(value, ScoredWave):
            out[str(wave)] = value
        elif isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], Template):
            out[str(wave)] = score_wave(*value)
        else:
            raise AssessmentError(f"results[{wave!r}] must be (template, answer matrix) or a ScoredWave")
    return out


def _all_teams(scored: dict[str, ScoredWave]) -> list[str]:
    return sorted({t for s in scored.values() for t in s.team.unique()})


def _with_none(frame: pd.DataFrame, columns) -> pd.DataFrame:
    """Text columns as objects with None for "nothing" (pandas 3 would otherwise make it NaN)."""
    for col in columns:
        values = frame[col].astype(object)
        frame[col] = values.where(values.notna(), None)
    return frame


def _public(table: pd.DataFrame, waves: list[str]) -> pd.DataFrame:
    table = table.copy()
    table["suppressed"] = table["suppressed_reason"].notna()
    table.loc[table["suppressed"], _HIDDEN_NUMBERS] = np.nan
    table["wave"] = pd.Categorical(table["wave"], categories=waves, ordered=True)
    return _with_none(table[AGGREGATE_COLUMNS].reset_index(drop=True),
                      ["parent", "suppressed_reason", "group_suppressed_reason", "comments_suppressed_reason"])


# ---------------------------------------------------------------- public: aggregation

def aggregate(results: dict, hierarchy: pd.DataFrame | None = None, headcounts: pd.DataFrame | None = None,
              by="team", protect: bool = True) -> pd.DataFrame:
    """Tidy group figures: one row per wave x group x score (scales, indices, eNPS).

    `results` is {wave: (template, matrix) or ScoredWave} in wave order (kept as an ordered
    categorical). `by` is 'team', 'department', 'organisation' or a list of them. Suppression
    follows the module docstring; `protect=False` turns off only the secondary (differencing)
    suppression, for internal checks. Columns: AGGREGATE_COLUMNS."""
    levels = _levels(by)
    scored = _score_all(results)
    units = _Units(hierarchy, _all_teams(scored))
    frames = []
    for wave, wave_scores in scored.items():
        table = _wave_table(wave_scores, units, _recorded_headcounts(headcounts, wave), protect)
        table = table[table["level"].isin(levels)]
        table.insert(0, "wave", wave)
        frames.append(table)
    if not frames:
        return pd.DataFrame({c: [] for c in AGGREGATE_COLUMNS})
    table = pd.concat(frames, ignore_index=True)   # per wave: teams, departments, organisation
    return _public(table, list(scored))


def aggregate_hierarchy(results: dict, hierarchy: pd.DataFrame | None = None,
                        headcounts: pd.DataFrame | None = None) -> pd.DataFrame:
    """Teams, departments and the organisation in one table, protected against differencing."""
    return aggregate(results, hierarchy, headcounts, by=list(LEVELS))


def wave_tree(scored: ScoredWave, hierarchy: pd.DataFrame | None) -> _Nodes:
    """The protection tree of one wave, with the same nodes (and order) as its aggregate table."""
    responded = scored.responded.to_numpy(dtype=bool)
    atoms = sorted(set(scored.team.to_numpy()[responded]))
    return _Nodes(_Units(hierarchy, atoms), atoms)


def wave_inputs(store, waves=None) -> dict:
    """{wave: (template, answer matrix)} from a Store, in the store's wave order."""
    names = list(waves) if waves is not None else store.wave_names()
    return {w: (store.wave_template(w), store.answer_matrix(w)) for w in names}


# ---------------------------------------------------------------- public: change between waves

def _added_removed(before, after) -> str:
    added = [x for x in after if x not in before]
    removed = [x for x in before if x not in after]
    return "; ".join(([f"added {', '.join(added)}"] if added else []) +
                     ([f"removed {', '.join(removed)}"] if removed else []))


def _item_changes(scale_a, scale_b) -> list[str]:
    notes = []
    if set(scale_a.item_ids) != set(scale_b.item_ids):
        notes.append("items changed: " + _added_removed(scale_a.item_ids, scale_b.item_ids))
    rev_a = {i.id: i.reverse for i in scale_a.items}
    flipped = [i.id for i in scale_b.items if i.id in rev_a and rev_a[i.id] != i.reverse]
    if flipped:
        notes.append(f"reverse keys changed: {', '.join(flipped)}")
    ra, rb = scale_a.response_scale, scale_b.response_scale
    if (ra.low, ra.high) != (rb.low, rb.high):
        notes.append(f"response scale changed: {ra.low}-{ra.high} to {rb.low}-{rb.high}")
    if scale_a.role != scale_b.role:
        notes.append(f"role changed: {scale_a.role} to {scale_b.role}")
    return notes


def _comparability(ta: Template, tb: Template, wave_a: str, wave_b: str) -> dict[str, str | None]:
    """A note per score column saying why it cannot be compared (None when it can)."""
    scales_a = {s.id: s for s in ta.scales}
    scales_b = {s.id: s for s in tb.scales}
    notes: dict[str, str | None] = {}
    for sid in dict.fromkeys([*scales_a, *scales_b]):
        if sid not in scales_a:
            notes[sid] = f"not in wave {wave_a}"
        elif sid not in scales_b:
            notes[sid] = f"not in wave {wave_b}"
        else:
            notes[sid] = "; ".join(_item_changes(scales_a[sid], scales_b[sid])) or None
    index_a = {i.id: i for i in ta.indices}
    index_b = {i.id: i for i in tb.indices}
    for iid in dict.fromkeys([*index_a, *index_b]):
        if iid not in index_a:
            notes[iid] = f"not in wave {wave_a}"
        elif iid not in index_b:
            notes[iid] = f"not in wave {wave_b}"
        else:
            from_a, from_b = index_a[iid].scales, index_b[iid].scales
            parts = []
            if set(from_a) != set(from_b):
                parts.append("scales changed: " + _added_removed(from_a, from_b))
            parts += [f"{s}: {notes[s]}" for s in from_b if s in from_a and notes.get(s)]
            notes[iid] = "; ".join(parts) or None
    return notes


def benjamini_hochberg(p_values) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) of one family of tests.

    NaN p-values (tests not made) are not part of the family and get NaN. With the m finite
    p-values sorted, p_(1) <= ... <= p_(m): q_(i) = min over j >= i of p_(j) m / j (the step-up
    minimum, so q never decreases with p and tied p-values get the same q), capped at 1. The same
    numbers as scipy.stats.false_discovery_control(p, method='bh') on the finite ones."""
    p = np.asarray(p_values, dtype="float64")
    q = np.full(p.shape, np.nan)
    tested = ~np.isnan(p)
    m = int(tested.sum())
    if m == 0:
        return q
    values = p[tested]
    order = np.argsort(values, kind="stable")
    scaled = values[order] * m / np.arange(1, m + 1)
    stepped = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    adjusted = np.empty(m)
    adjusted[order] = stepped
    q[tested] = adjusted
    return q


def compare_waves(results: dict, wave_a: str, wave_b: str, hierarchy: pd.DataFrame | None = None,
                  by="team") -> pd.DataFrame:
    """Change from wave_a to wave_b per group and score: diff, Welch p-value, BH q-value, Hedges' g, flag.

    Figures come from the same protected tables as `aggregate`, so a group suppressed in either
    wave gets no numbers. diff = mean_b - mean_a; for eNPS rows the compared quantity is eNPS
    itself (mean of +100/0/-100 net scores). p_value: Welch's t-test (unequal variances) on the
    respondents' scores, computed from group n, mean and sd (identical to
    scipy.stats.ttest_ind(equal_var=False)); diff_ci_low/diff_ci_high: its 95 % confidence
    interval for the difference, diff +/- t(0.975, Welch df) x se. effect_size: Hedges' g = Cohen's d with the pooled
    sd times 1 - 3/(4(n_a + n_b) - 9). q_value: the p-value adjusted for false discoveries with
    Benjamini-Hochberg (`benjamini_hochberg`) over the family of comparisons shown together, i.e.
    every group x score of one level for this pair of waves (levels asked for together are still
    separate families); rows not compared (NaN p: hidden in either wave, score changed, too few
    respondents) are outside the family and get NaN, so no hidden figure enters anyone's q.
    flagged: q < 0.05 and |diff| >= min_change of the later wave's template. A score whose items,
    reverse keys or response scale differ between the waves is not compared; `note` says why.
    Columns: COMPARE_COLUMNS."""
    for wave in (wave_a, wave_b):
        if wave not in results:
            raise UnknownNameError(f"wave {wave!r} is not in the results; waves given: {', '.join(map(str, results))}")
    levels = _levels(by)
    scored = _score_all({wave_a: results[wave_a], wave_b: results[wave_b]})
    order = list(results)
    later = wave_b if order.index(wave_b) >= order.index(wave_a) else wave_a
    min_change = scored[later].template.min_change
    units = _Units(hierarchy, _all_teams(scored))
    key = ["level", "group", "scale"]
    tables = []
    for wave in (wave_a, wave_b):
        table = _wave_table(scored[wave], units, {}, protect=True)
        table = table[table["level"].isin(levels)].copy()
        is_enps = table["kind"] == "enps"
        table["n_"] = np.where(is_enps, table["enps_n"], table["n"])
        table["mean_"] = np.where(is_enps, table["enps"], table["mean"])
        table["sd_"] = np.where(is_enps, table["enps_sd"], table["sd"])
        tables.append(table[key + ["parent", "kind", "n_", "mean_", "sd_", "suppressed_reason"]])
    both = tables[0].merge(tables[1], on=key, how="outer", suffixes=("_a", "_b"), indicator=True)
    notes_by_scale = _comparability(scored[wave_a].template, scored[wave_b].template, wave_a, wave_b)

    hidden_a = both["suppressed_reason_a"].notna() | (both["_merge"] == "right_only")
    hidden_b = both["suppressed_reason_b"].notna() | (both["_merge"] == "left_only")
    hidden_any = hidden_a | hidden_b                  # a group hidden in either wave shows no numbers
    for col in ("n__a", "mean__a", "sd__a", "n__b", "mean__b", "sd__b"):
        both.loc[hidden_any, col] = np.nan
    notes = []
    for merged, reason_a, reason_b, scale in zip(both["_merge"], both["suppressed_reason_a"],
                                                 both["suppressed_reason_b"], both["scale"]):
        parts = []
        if merged == "right_only":
            parts.append(f"no respondents in wave {wave_a}")
        elif merged == "left_only":
            parts.append(f"no respondents in wave {wave_b}")
        if isinstance(reason_a, str):
            parts.append(f"suppressed in wave {wave_a} ({reason_a})")
        if isinstance(reason_b, str):
            parts.append(f"suppressed in wave {wave_b} ({reason_b})")
        if notes_by_scale.get(scale):
            parts.append(notes_by_scale[scale])
        notes.append("; ".join(parts) or None)
    comparable = ~hidden_a & ~hidden_b & both["scale"].map(lambda s: notes_by_scale.get(s) is None).to_numpy(bool)

    na, nb = both["n__a"].to_numpy(float), both["n__b"].to_numpy(float)
    ma, mb = both["mean__a"].to_numpy(float), both["mean__b"].to_numpy(float)
    va, vb = both["sd__a"].to_numpy(float) ** 2, both["sd__b"].to_numpy(float) ** 2
    ok = comparable & (na >= 2) & (nb >= 2)
    with np.errstate(invalid="ignore", divide="ignore"):
        diff = np.where(comparable, mb - ma, np.nan)
        sea, seb = va / na, vb / nb
        se = np.sqrt(sea + seb)
        dof = (sea + seb) ** 2 / (sea ** 2 / (na - 1) + seb ** 2 / (nb - 1))
        tstat = diff / se
        p_value = np.where(ok & (se > 0), 2 * sps.t.sf(np.abs(tstat), dof), np.nan)
        half = np.where(ok & (se > 0), sps.t.ppf(0.975, dof) * se, np.nan)
        pooled = np.sqrt(((na - 1) * va + (nb - 1) * vb) / (na + nb - 2))
        g = np.where(ok & (pooled > 0), diff / pooled * (1 - 3 / (4 * (na + nb) - 9)), np.nan)
    # one family per level for this pair of waves; rows not compared (hidden in either wave, changed
    # scale, too few respondents) have NaN p and are not part of it, so nothing hidden enters q
    level = both["level"].to_numpy(object)
    q_value = np.full(len(both), np.nan)
    for lv in LEVELS:
        family = level == lv
        q_value[family] = benjamini_hochberg(p_value[family])
    flagged = (q_value < 0.05) & (np.abs(diff) >= min_change)
    kind = both["kind_b"].where(both["kind_b"].notna(), both["kind_a"])
    parent = both["parent_b"].where(both["_merge"] != "left_only", both["parent_a"])
    out = pd.DataFrame({
        "wave_a": wave_a, "wave_b": wave_b, "level": both["level"], "group": both["group"], "parent": parent,
        "scale": both["scale"], "kind": kind, "n_a": na, "n_b": nb, "mean_a": ma, "mean_b": mb,
        "diff": diff, "diff_ci_low": diff - half, "diff_ci_high": diff + half, "p_value": p_value,
        "q_value": q_value, "effect_size": g, "flagged": np.asarray(flagged, dtype=bool),
        "note": notes,
    })
    score_order = list(dict.fromkeys([*score_kinds(scored[wave_a].template), *score_kinds(scored[wave_b].template)]))
    out["_level"] = out["level"].map({lv: n for n, lv in enumerate(LEVELS)})
    out["_scale"] = out["scale"].map({sc: n for n, sc in enumerate(score_order)})
    out = out.sort_values(["_level", "group", "_scale"], kind="stable")
    return _with_none(out[COMPARE_COLUMNS].reset_index(drop=True), ["parent", "note"])


# ---------------------------------------------------------------- public: reliability

def cronbach_alpha(item_frame: pd.DataFrame) -> tuple[float, int]:
    """Cronbach's alpha with pairwise deletion, exactly as pingouin's (nan_policy='pairwise').

    alpha = k/(k-1) (1 - tr(C)/sum(C)) with C the pairwise-complete covariance matrix (what
    `DataFrame.cov()` gives, and pingouin uses); n is the number of rows given, as pingouin counts it
    (drop all-empty rows first if they should not count). NaN with fewer than 2 items or rows, or no
    total variance."""
    data = pd.DataFrame(item_frame)
    n, k = data.shape
    if k < 2 or n < 2:
        return float("nan"), int(n)
    cov = pairwise_covariance(data.select_dtypes("number").to_numpy(dtype="float64"))
    total = np.nansum(cov)   # as DataFrame.sum(): a pair with no shared rows adds nothing
    if not np.isfinite(total) or total == 0:
        return float("nan"), int(n)
    return float((k / (k - 1)) * (1 - np.trace(cov) / total)), int(n)


def pairwise_covariance(values: np.ndarray) -> np.ndarray:
    """Covariance of the columns over pairwise-complete rows (as `DataFrame.cov()`), in one matrix product.

    pandas loops over every pair of columns and every row; here [answers, answered] (rows x 2k,
    column-major like pandas' own blocks) times itself gives the sums of products, the per-pair sums
    and the per-pair counts at once. Columns are shifted by a value near their mean first so the
    one-pass sums lose no precision that matters (agreement with pandas ~1e-13). NaN where a pair
    shares fewer than 2 rows."""
    n, k = values.shape
    missing = np.isnan(values)
    if not missing.any():
        return np.atleast_2d(np.cov(values, rowvar=False, ddof=1))
    with np.errstate(invalid="ignore", divide="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # an empty column in the first rows
        shift = np.nan_to_num(np.nanmean(values[:1000], axis=0))
        both = np.empty((n, 2 * k), order="F")
        np.subtract(values, shift, out=both[:, :k])
        np.copyto(both[:, :k], 0.0, where=missing)
        np.logical_not(missing, out=both[:, k:], casting="unsafe")
        gram = both.T @ both
        products, sums, pairs = gram[:k, :k], gram[:k, k:], gram[k:, k:]
        cov = (products - sums * sums.T / pairs) / (pairs - 1)
    cov[pairs < 2] = np.nan
    return cov


def item_rest(item_frame: pd.DataFrame) -> pd.DataFrame:
    """Item-rest correlation exactly as R psych's r.drop (`psych::alpha`): each item against the rest.

    From C, the pairwise-complete covariance matrix of the items (ddof=1, as `DataFrame.cov()` and
    psych's use="pairwise"; the same C as `cronbach_alpha`), for item i:
    r.drop_i = (sum of row i of C without C[i,i]) / sqrt(C[i,i] x sum of C without row and column i),
    i.e. the covariance of the item with the sum of the other items over the product of their
    standard deviations, each covariance taken over the respondents who answered both items of its
    pair. Without missing answers this is the Pearson correlation of the item with the sum of the
    other items. A pair of items sharing fewer than 2 respondents has no covariance and adds nothing (as in
    `cronbach_alpha`); NaN with fewer than 2 items or rows, or no variance. n: respondents who
    answered the item and at least one other item. Columns: item, n, item_rest."""
    data = pd.DataFrame(item_frame).astype("float64")
    values = data.to_numpy()
    rows, k = values.shape
    answered = ~np.isnan(values)
    others = answered.sum(axis=1, keepdims=True) - answered
    n = (answered & (others > 0)).sum(axis=0)
    r = np.full(k, np.nan)
    if k >= 2 and rows >= 2:
        cov = pairwise_covariance(values)
        for i in range(k):
            rest = np.arange(k) != i
            c_drop = np.nansum(cov[i, rest])
            v_drop = np.nansum(cov[np.ix_(rest, rest)])
            if np.isfinite(cov[i, i]) and cov[i, i] > 0 and v_drop > 0:
                r[i] = c_drop / np.sqrt(cov[i, i] * v_drop)
    return pd.DataFrame({"item": list(data.columns), "n": n.astype(int), "item_rest": r},
                        columns=["item", "n", "item_rest"])


def _reliability_frames(template: Template, matrix: pd.DataFrame):
    scores = item_scores(template, matrix)
    for scale in template.scales:
        frame = scores[scale.item_ids]
        frame = frame[frame.notna().any(axis=1)]
        note = None
        if scale.role == "enps":
            note = "eNPS question: no internal consistency"
        elif len(scale.items) < 2:
            note = "single item: no internal consistency"
        elif len(frame) < max(template.min_group, 2):
            note = f"fewer than {max(template.min_group, 2)} respondents"
        yield scale, frame, note


def reliability(template: Template, matrix: pd.DataFrame) -> pd.DataFrame:
    """Cronbach's alpha per scale on reverse-keyed 0-100 item scores (pairwise deletion).

    n = respondents who answered at least one of the scale's items. eNPS and single-item scales,
    and scales with fewer respondents than min_group, get alpha NaN and a note.
    Columns: scale, k, n, alpha, note."""
    rows = []
    for scale, frame, note in _reliability_frames(template, matrix):
        alpha = np.nan if note else cronbach_alpha(frame)[0]
        rows.append({"scale": scale.id, "k": len(scale.items), "n": len(frame), "alpha": alpha, "note": note})
    return _with_none(pd.DataFrame(rows, columns=["scale", "k", "n", "alpha", "note"]), ["note"])


def item_analysis(template: Template, matrix: pd.DataFrame) -> pd.DataFrame:
    """Per item of each multi-item scale: item-rest correlation and alpha if the item is dropped.

    Same scales and notes as `reliability` (skipped scales have no rows).
    Columns: scale, item, n, item_rest, alpha_if_dropped."""
    rows = []
    for scale, frame, note in _reliability_frames(template, matrix):
        if note:
            continue
        rest = item_rest(frame)
        for item, n, r in zip(rest["item"], rest["n"], rest["item_rest"]):
            dropped = cronbach_alpha(frame.drop(columns=item))[0] if len(scale.items) > 2 else np.nan
            rows.append({"scale": scale.id, "item": item, "n": int(n), "item_rest": r, "alpha_if_dropped": dropped})
    return pd.DataFrame(rows, columns=["scale", "item", "n", "item_rest", "alpha_if_dropped"])


# ---------------------------------------------------------------- public: drivers

def drivers(template: Template, matrix: pd.DataFrame, hierarchy: pd.DataFrame | None = None, group=None,
            outcomes=("safety", "engagement"), min_size: int | None = None, shown=None) -> pd.DataFrame:
    """Pearson r of each pillar scale with each outcome scale across respondents, per unit.

    A unit's group is its respondents and those of all its sub-units; `group=None` gives every
    unit with respondents plus ORGANISATION. A unit with fewer than max(min_size, min_group)
    respondents (min_size defaults to template.min_drivers) shows the drivers of the nearest unit
    above it that is large enough, with source 'parent unit: X' or 'organisation'; if none is,
    the numbers are NaN and source None. n is the pairwise-complete count; 95 % CI by Fisher's z;
    p from the t-test of r (as scipy.stats.pearsonr). `shown`: the groups protection shows (a set
    of names; None: every group); a unit not in it never lends its drivers. Columns: DRIVER_COLUMNS."""
    scored = score_wave(template, matrix)
    pillars = [s.id for s in template.pillars]
    for name in outcomes:
        template.scale(name)                               # raises UnknownNameError with the choices
    threshold = max(min_size if min_size is not None else template.min_drivers, template.min_group)
    responded = scored.responded.to_numpy(dtype=bool)
    team = scored.team.to_numpy()[responded]
    atoms = sorted(set(team))
    units = _Units(hierarchy, atoms)
    nodes = _Nodes(units, atoms)
    codes = pd.Categorical(team, categories=atoms).codes
    scores = scored.scales[responded]
    count_a = len(atoms)
    respondents = _sum_up(nodes, np.bincount(codes, minlength=count_a).astype("float64"))

    # one node per unit (department semantics) plus the organisation
    unit_node = {}
    for node, (level, name) in enumerate(zip(nodes.level, nodes.group)):
        if level == "department" or (level == "team" and name not in unit_node):
            unit_node[name] = node
    org_node = len(nodes) - 1 if len(nodes) else None

    pairs = [(p, o) for p in pillars for o in outcomes]
    stats = {}
    for p, o in pairs:
        x, y = scores[p].to_numpy(float), scores[o].to_numpy(float)
        both = ~np.isnan(x) & ~np.isnan(y)
        x, y = np.where(both, x, np.nan), np.where(both, y, np.nan)
        frame = pd.DataFrame({"x": x, "y": y, "xx": x, "yy": y})
        grouped = frame.groupby(codes)
        idx = pd.RangeIndex(count_a)
        n_t = grouped["x"].count().reindex(idx, fill_value=0).to_numpy(float)
        mx_t = grouped["x"].mean().reindex(idx).to_numpy(float)
        my_t = grouped["y"].mean().reindex(idx).to_numpy(float)
        dx = x - np.nan_to_num(mx_t)[codes]
        dy = y - np.nan_to_num(my_t)[codes]
        sums = pd.DataFrame({"xy": dx * dy, "xx": dx * dx, "yy": dy * dy}).groupby(codes).sum().reindex(
            idx, fill_value=0.0)
        n, _, _, cxy = _roll_up(nodes, n_t, mx_t, my_t, sums["xy"].to_numpy(float))
        _, _, _, cxx = _roll_up(nodes, n_t, mx_t, mx_t, sums["xx"].to_numpy(float))
        _, _, _, cyy = _roll_up(nodes, n_t, my_t, my_t, sums["yy"].to_numpy(float))
        with np.errstate(invalid="ignore", divide="ignore"):
            r = np.clip(cxy / np.sqrt(cxx * cyy), -1.0, 1.0)
        r = np.where(n >= template.min_group, r, np.nan)
        stats[(p, o)] = (n, r)

    if group is None:
        wanted = sorted(unit_node) + ([ORGANISATION] if org_node is not None else [])
    else:
        if group != ORGANISATION and group not in unit_node:
            raise UnknownNameError(f"no respondents in a unit named {group!r}; units with respondents: "
                                   f"{', '.join(sorted(unit_node)) or 'none'}")
        wanted = [group]

    z_crit = sps.norm.ppf(0.975)
    rows = []
    for name in wanted:
        chain = [] if name == ORGANISATION else [(u, unit_node[u]) for u in units.chain(name) if u in unit_node]
        chain.append((ORGANISATION, org_node))
        source_node, source = None, None
        for position, (unit, node) in enumerate(chain):
            if respondents[node] >= threshold and (shown is None or unit in shown):
                source_node = node
                source = ("own" if position == 0 else "organisation" if unit == ORGANISATION
                          else f"parent unit: {unit}")
                break
        for p, o in pairs:
            n_all, r_all = stats[(p, o)]
            if source_node is None:
                rows.append({"group": name, "pillar": p, "outcome": o, "r": np.nan, "ci_low": np.nan,
                             "ci_high": np.nan, "p_value": np.nan, "n": np.nan, "source": None})
                continue
            n, r = float(n_all[source_node]), float(r_all[source_node])
            with np.errstate(invalid="ignore", divide="ignore"):
                z = np.arctanh(np.float64(r))
                half = z_crit / np.sqrt(n - 3) if n > 3 else np.nan
                t = r * np.sqrt(np.float64(n - 2) / np.float64(max(1.0 - r * r, 0.0))) if n > 2 else np.nan
                p_value = float(2 * sps.t.sf(abs(t), n - 2)) if n > 2 and not np.isnan(r) else np.nan
            rows.append({"group": name, "pillar": p, "outcome": o, "r": r,
                         "ci_low": float(np.tanh(z - half)), "ci_high": float(np.tanh(z + half)),
                         "p_value": p_value, "n": n if not np.isnan(r) else np.nan, "source": source})
    return _with_none(pd.DataFrame(rows, columns=DRIVER_COLUMNS), ["source"])
