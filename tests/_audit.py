"""An anonymity auditor that reads what the kit publishes as an attacker would, by set algebra.

Everything the kit publishes for a wave is turned into sets of respondent ids (the auditor knows
the truth: it reads the store directly and matches exported rows to respondents by their answers).
A reader who holds every published figure knows, for each published set S and each statistic,
sum_{i in S} x_i (from n and the mean; sums of squares from the sd). So the reader can compute the
sum over any set T whose 0/1 indicator is a linear combination of the published indicators: a
labelled group, the difference of two nested groups, a group minus the union of its published
subgroups, and combinations of overlapping sets that no rule-of-thumb lists. The auditor finds the
smallest such T exactly, as a 0/1 program (scipy's milp) over the 'atoms' (respondents with the same
membership in every published set), and reports every T with 1 <= |T| < threshold.

Statistics are audited separately (each scale's score set, the set of all respondents behind
counts, item distributions and respondent-level rows, and comments with their own threshold),
because a published figure about one statistic says nothing about the sums of another.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy.linalg import null_space
from scipy.optimize import Bounds, LinearConstraint, milp

from assessment import statistics
from assessment.analysis import Results
from assessment.scoring import scale_scores
from assessment.statistics import ORGANISATION

ALL = "respondents"   # the statistic behind counts, item distributions and respondent-level answer rows
COMMENTS = "comments"


@dataclass(frozen=True)
class Published:
    wave: str
    statistic: str        # a scale id, ALL or COMMENTS
    where: str            # which output published it, for the report
    members: frozenset    # respondent ids


@dataclass
class Hole:
    wave: str
    statistic: str
    size: int
    members: frozenset
    from_sets: list

    def __str__(self):
        return (f"wave {self.wave}, {self.statistic}: {self.size} respondent(s) can be singled out "
                f"{sorted(self.members)} from {'; '.join(self.from_sets[:6])}")


class Truth:
    """Who is who in one wave: respondents, their teams, the groups over them, their scale scores."""

    def __init__(self, workspace, wave: str):
        store = workspace.store
        self.wave = wave
        self.template = store.wave_template(wave)
        self.matrix = store.answer_matrix(wave)
        items = self.template.item_ids
        answered = self.matrix[items].notna().any(axis=1)
        self.ids = list(self.matrix.index[answered])
        self.team = self.matrix.loc[self.ids, "team"].to_dict()
        self.scores = scale_scores(self.template, self.matrix.loc[self.ids])
        hierarchy = store.teams()
        self.parent = dict(zip(hierarchy["team"], hierarchy["parent"].where(hierarchy["parent"].notna(), None)))
        self._answers = self.matrix.loc[self.ids, items].to_numpy(dtype=float)

    def members(self, group: str, level: str = "department") -> frozenset:
        """Respondents of a team row (registered on it), of a department (with every unit below it) or
        of the organisation. A unit that has sub-units and people of its own has both rows."""
        if group == ORGANISATION and level != "team":
            return frozenset(self.ids)
        if level == "team":
            return frozenset(rid for rid, team in self.team.items() if team == group)
        return frozenset(rid for rid, team in self.team.items() if group in self._chain(team))

    def _chain(self, team):
        out = []
        while team is not None and team not in out:
            out.append(team)
            team = self.parent.get(team)
        return out

    def scored(self, scale: str) -> frozenset:
        column = self.scores[scale]
        return frozenset(column.index[column.notna()])

    def respondents_of(self, rows: np.ndarray, labels) -> list:
        """The respondent behind each exported row of answers: each row is matched to the respondents
        whose answers agree with every cell it shows (a blank may hide an answer) and who belong to
        the row's label (a team, or "<group> (teams not shown separately)"), and rows are assigned one
        to one, the least ambiguous first. Candidates left in the same team are interchangeable."""
        suffix = " (teams not shown separately)"
        team = np.array([self.team[i] for i in self.ids], dtype=object)
        candidates = []
        for values, label in zip(rows, labels):
            known = ~np.isnan(values)
            match = (self._answers[:, known] == values[known]).all(axis=1)
            if label.endswith(suffix):
                allowed = {self.team[i] for i in self.members(label[: -len(suffix)], "department")}
            elif label in self.team.values():
                allowed = {label}
            else:   # a label that names no team (another release's merged label): any team
                allowed = set(self.team.values())
            match &= np.isin(team, list(allowed))
            candidates.append([self.ids[k] for k in np.flatnonzero(match)])
        taken, out = set(), [None] * len(rows)
        for position in sorted(range(len(rows)), key=lambda p: len(candidates[p])):
            free = [c for c in candidates[position] if c not in taken]
            if not free or len({self.team[c] for c in free}) != 1:
                raise AssertionError(f"an exported row ({labels[position]}) matches {len(free)} respondents "
                                     f"in {len({self.team[c] for c in free})} teams; make the test data unique")
            out[position] = free[0]
            taken.add(free[0])
        return out


# ---------------------------------------------------------------- collecting what is published

def published_by_results(workspace, wave: str, truth: Truth, results: Results | None = None) -> list[Published]:
    """Score tables (every level), changes, item distributions, comments, response rates, data quality
    and drivers, as the CLI, dashboard and reports show them (they all read these tables)."""
    results = results or Results(workspace)
    out = []
    table = results.table()
    table = table[(table["wave"] == wave) & ~table["suppressed"]]
    for level, group, scale in zip(table["level"], table["group"], table["scale"]):
        members = truth.members(group, level)
        out.append(Published(wave, scale, f"score table {level} {group}", members & truth.scored(scale)))
        out.append(Published(wave, ALL, f"respondent count {level} {group}", members))
    for other in results.waves:
        if other == wave:
            continue
        # a change shows both waves' figures of a group, whichever way it is asked for
        change = statistics.compare_waves(results._scored, other, wave, results._hierarchy, by=list(statistics.LEVELS))
        change = change[change["diff"].notna()]
        for level, group, scale in zip(change["level"], change["group"], change["scale"]):
            out.append(Published(wave, scale, f"change {other}<->{wave} {level} {group}",
                                 truth.members(group, level) & truth.scored(scale)))
    everything = results.table()
    everything = everything[everything["wave"] == wave]
    for level, group in sorted(set(zip(everything["level"], everything["group"]))):
        if not results.item_distribution(wave, group).empty:
            out.append(Published(wave, ALL, f"item answers {group}", truth.members(group)))
        if not results.comments(wave, group).empty:
            out.append(Published(wave, COMMENTS, f"comments {group}", truth.members(group)))
    drivers = results.drivers(wave)     # every unit with respondents, and the organisation
    for group in set(drivers.loc[drivers["r"].notna() & (drivers["source"] == "own"), "group"]):
        out.append(Published(wave, ALL, f"drivers {group}", truth.members(group)))
    rates = results.response_rates(wave)
    for team, hidden in zip(rates["team"], rates["suppressed"]):
        if not hidden:
            out.append(Published(wave, ALL, f"response rate {team}", truth.members(team, "team")))
    quality = results.data_quality(wave)
    named = set(quality["team"])
    for team, n in zip(quality["team"], quality["respondents"]):
        if pd.isna(n):
            continue
        if team in truth.team.values():
            out.append(Published(wave, ALL, f"data quality {team}", truth.members(team, "team")))
        else:   # a pooled row: everyone whose team is not listed by name
            pooled = frozenset(r for r, t in truth.team.items() if t not in named)
            out.append(Published(wave, ALL, f"data quality {team}", pooled))
    return out


def published_by_exports(folder: Path, wave: str, truth: Truth) -> list[Published]:
    """answers.csv and scale_scores.csv (rows matched to respondents by their answers) and group_scores.csv."""
    out = []
    answers = pd.read_csv(folder / "answers.csv", keep_default_na=True, dtype={"team": str})
    answers = answers[answers["wave"].astype(str) == wave]
    items = truth.template.item_ids
    who = dict(zip(answers["respondent"], truth.respondents_of(answers[items].to_numpy(float), list(answers["team"]))))
    for label, rows in answers.groupby("team"):
        out.append(Published(wave, ALL, f"answers.csv label {label}", frozenset(who[n] for n in rows["respondent"])))
    scores = pd.read_csv(folder / "scale_scores.csv", dtype={"team": str})
    scores = scores[scores["wave"].astype(str) == wave]
    for label, rows in scores.groupby("team"):
        for scale in [c for c in rows.columns if c not in ("wave", "respondent", "team")]:
            kept = rows[rows[scale].notna()]
            out.append(Published(wave, scale, f"scale_scores.csv label {label}",
                                 frozenset(who[n] for n in kept["respondent"])))
    groups = pd.read_csv(folder / "group_scores.csv", dtype={"group": str})
    groups = groups[(groups["wave"].astype(str) == wave) & ~groups["suppressed"].astype(bool)]
    for level, group, scale in zip(groups["level"], groups["group"], groups["scale"]):
        out.append(Published(wave, scale, f"group_scores.csv {level} {group}",
                             truth.members(group, level) & truth.scored(scale)))
    return out


# ---------------------------------------------------------------- the set algebra

def holes(published: list[Published], min_group: int, min_comments: int) -> list[Hole]:
    """Every (wave, statistic) whose published sets let a reader single out 1..threshold-1 respondents."""
    found = []
    by_key = defaultdict(list)
    for p in published:
        if p.members:
            by_key[(p.wave, p.statistic)].append(p)
    for (wave, statistic), sets in sorted(by_key.items()):
        threshold = min_comments if statistic == COMMENTS else min_group
        hole = smallest_isolatable(sets)
        if hole is not None and hole[0] < threshold:
            size, members = hole
            origin = [p.where for p in sets if p.members & members]
            found.append(Hole(wave, statistic, size, members, origin))
    return found


def smallest_isolatable(sets: list[Published]) -> tuple[int, frozenset] | None:
    """The smallest non-empty set of respondents whose indicator is a linear combination of the
    published sets' indicators (exactly: a 0/1 program over atoms), as (size, members)."""
    people = sorted(set().union(*(p.members for p in sets)))
    if not people:
        return None
    distinct = list(dict.fromkeys(p.members for p in sets))
    signature = defaultdict(list)
    for person in people:
        signature[tuple(person in s for s in distinct)].append(person)
    atoms = list(signature.values())
    incidence = np.array([[1.0 if a[0] in s else 0.0 for a in atoms] for s in distinct])
    weights = np.array([len(a) for a in atoms], dtype=float)
    kernel = null_space(incidence)          # v is in the row space  <=>  v is orthogonal to the kernel
    constraints = [LinearConstraint(np.ones((1, len(atoms))), lb=1, ub=np.inf)]
    if kernel.size:
        constraints.append(LinearConstraint(kernel.T, lb=-1e-7, ub=1e-7))
    result = milp(c=weights, constraints=constraints, integrality=np.ones(len(atoms)), bounds=Bounds(0, 1))
    if not result.success:
        return None
    chosen = [a for a, x in zip(atoms, np.round(result.x)) if x > 0.5]
    members = frozenset(p for atom in chosen for p in atom)
    return len(members), members


def audit(workspace, export_folder: Path | None = None, results: Results | None = None) -> list[Hole]:
    """Every hole in every wave of the workspace, from the Results-based outputs and (if given) an export."""
    results = results or Results(workspace)
    found = []
    for wave in results.waves:
        truth = Truth(workspace, wave)
        if not truth.ids:
            continue
        published = published_by_results(workspace, wave, truth, results)
        if export_folder is not None:
            published += published_by_exports(Path(export_folder), wave, truth)
        found += holes(published, truth.template.min_group, truth.template.min_comments)
    return found
