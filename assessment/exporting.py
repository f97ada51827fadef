"""Exports to CSV: answers (pseudonymous, labelled by protection region) and scores.

An export is publication like any table: its respondent-level rows carry the label of a group that
`assessment.protection` shows (or of a shown group's "teams not shown separately" remainder), so
the files and every other output together never single out a group under the threshold."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from ._files import open_private
from ._progress import progress
from .scoring import scale_scores


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
    apostrophe, as OWASP's CSV-injection guidance advises; anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(table: pd.DataFrame, path, private: bool = False) -> Path:
    """Write a table as CSV with every text cell neutralised; numeric columns are left as numbers.
    `private`: a file of respondent-level rows, readable by its owner only (0600, like the store itself),
    also when it replaces an older file that others could read."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or isinstance(safe[column].dtype, pd.StringDtype):
            safe[column] = safe[column].map(neutralise)
    if not private:
        safe.to_csv(path, index=False)
        return path
    with open_private(path) as handle:
        safe.to_csv(handle, index=False)
    return path


def answers_for_export(results, wave: str, with_scores: bool = False) -> pd.DataFrame:
    """One row per respondent: wave, a fresh number, the label of the respondent's protection region
    (the team's name when the team is shown, else "<department> (teams not shown separately)", in the
    results' language), one
    column per item and, with_scores, one per scale and index score on 0-100.

    Nothing is dropped while the organisation itself may be shown (see `assessment.protection`):
    a scale whose values would single out a smaller group in some region is blanked there, with its
    items and the indices built on it, as is an item fewer than the threshold of a region answered.
    A wave whose whole organisation is under the threshold exports no rows."""
    from . import protection, statistics
    from .messages import text
    template, matrix = results._inputs[wave]
    scored = results._scored[wave]
    responded = scored.responded.to_numpy(dtype=bool)
    rows = matrix[responded]
    tree = statistics.wave_tree(scored, results._hierarchy)
    node = {(level, group): k for k, (level, group) in enumerate(zip(tree.level, tree.group))}
    table = results._table
    table = table[table["wave"] == wave]
    first = table.drop_duplicates(["level", "group"])
    shown = np.zeros(len(tree), dtype=bool)
    for level, group, reason in zip(first["level"], first["group"], first["group_suppressed_reason"]):
        shown[node[(level, group)]] = reason is None or (isinstance(reason, float) and np.isnan(reason))
    leaf = np.array([node[("team", t)] for t in rows["team"]], dtype=int)
    region = protection.regions(tree, leaf, shown)
    keep = region >= 0
    rows, leaf, region = rows[keep], leaf[keep], region[keep]
    scores = scored.scales[responded][keep]
    out = rows[template.item_ids].astype("float64").copy()
    blank = {}
    for column in scores.columns:
        cells = table[table["scale"] == column]
        cell_shown = np.zeros(len(tree), dtype=bool)
        for level, group, suppressed in zip(cells["level"], cells["group"], cells["suppressed"]):
            cell_shown[node[(level, group)]] = not suppressed
        ok = protection.publishable(region, protection.regions(tree, leaf, cell_shown),
                                    scores[column].notna().to_numpy())
        blank[column] = np.array([not ok.get(r, False) for r in region], dtype=bool)
    for index in template.indices:          # an index is blanked wherever one of its scales is
        for scale_id in index.scales:
            blank[index.id] = blank[index.id] | blank.get(scale_id, False)
    for sc in template.scales:
        for item in sc.items:
            out.loc[blank[sc.id], item.id] = np.nan
    answered = pd.DataFrame(out.notna().to_numpy(), columns=out.columns).groupby(region).transform("sum")
    out = out.mask(answered.to_numpy() < template.min_group)
    label = text(results.language, "reason.not_shown_separately")
    out.insert(0, "team", [protection.region_label(tree, r, label) for r in region])
    if with_scores:
        values = scale_scores(template, rows).round(2)
        for column in values.columns:
            values.loc[blank.get(column, np.zeros(len(values), bool)), column] = np.nan
        out = out.join(values.add_prefix("score_"))
    out.insert(0, "wave", wave)
    # the shuffled order and a fresh running number keep the export from lining up with submission order
    out = out.sample(frac=1.0, random_state=None).reset_index(drop=True)
    out.insert(1, "respondent", range(1, len(out) + 1))
    for item in template.item_ids:
        out[item] = out[item].astype("Int64")
    return out


def export_answers(workspace, path, waves: list[str] | None = None, quiet: bool | None = None) -> Path:
    """Write answers of the waves (default: all) to one CSV file and return its path. A progress bar
    (waves) shows on a terminal or in a notebook unless `quiet` (see `assessment._progress`)."""
    from .analysis import Results
    results = Results(workspace)
    frames = [answers_for_export(results, w)
              for w in progress(waves or results.waves, desc="export answers", unit="waves", quiet=quiet)]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return write_csv(table, path, private=True)


def export_all(workspace, waves: list[str] | None = None, out=None, quiet: bool | None = None) -> list[Path]:
    """answers.csv, scale_scores.csv (same respondent numbers), group_scores.csv (protected) and
    actions.csv (what groups agreed after each wave; no scores). Column names are ids; the labels in
    the cells (a region "not shown separately", why a cell is suppressed) are in the workspace's language.
    A progress bar (waves) shows on a terminal or in a notebook unless `quiet` (see `assessment._progress`)."""
    from .analysis import Results, _export_table
    store = workspace.store
    results = Results(workspace)
    waves = waves or results.waves
    out = Path(out) if out else workspace.output / "export"
    out.mkdir(parents=True, exist_ok=True)
    rows = pd.concat([answers_for_export(results, w, with_scores=True)
                      for w in progress(waves, desc="export", unit="waves", quiet=quiet)], ignore_index=True)
    score_columns = [c for c in rows.columns if c.startswith("score_")]
    answer_columns = [c for c in rows.columns if c not in score_columns]
    paths = [out / "answers.csv", out / "scale_scores.csv", out / "group_scores.csv", out / "actions.csv"]
    write_csv(rows[answer_columns], paths[0], private=True)   # respondent-level rows: owner only
    scores = rows[["wave", "respondent", "team", *score_columns]]
    scores.columns = [c.removeprefix("score_") for c in scores.columns]
    write_csv(scores, paths[1], private=True)
    write_csv(_export_table(results.table().query("wave in @waves"), results.language), paths[2])
    actions = store.actions()
    write_csv(actions[actions["wave"].isin(waves)], paths[3])
    return paths
