"""Exports to CSV: answers (pseudonymous, small groups merged) and, once scored, scores.

An export leaves the kit's protection behind, so it applies the anonymity threshold itself: a
respondent whose team is below the threshold is labelled with a merged group, never the team."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .store import Store


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """A text cell a spreadsheet would run as a formula (=, +, -, @, tab, CR first) gets a leading
    apostrophe, as OWASP's CSV-injection guidance advises; anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def write_csv(table: pd.DataFrame, path) -> Path:
    """Write a table as CSV with every text cell neutralised; numeric columns are left as numbers."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    safe = table.copy()
    for column in safe.columns:
        if safe[column].dtype == object or isinstance(safe[column].dtype, pd.StringDtype):
            safe[column] = safe[column].map(neutralise)
    safe.to_csv(path, index=False)
    return path


def small_group_label(min_group: int) -> str:
    return f"(teams under {min_group} respondents)"


def answers_for_export(store: Store, wave: str, with_scores: bool = False) -> pd.DataFrame:
    """One row per respondent: wave, team (or a merged label for small teams), then one column per item
    (and, with_scores, one per scale and index score on 0-100)."""
    template = store.wave_template(wave)
    matrix = store.answer_matrix(wave)
    if with_scores:
        from .scoring import scale_scores
        matrix = matrix.join(scale_scores(template, matrix).round(2).add_prefix("score_"))
    sizes = matrix["team"].value_counts()
    small = set(sizes[sizes < template.min_group].index)
    out = matrix.copy()
    out["team"] = out["team"].where(~out["team"].isin(small), small_group_label(template.min_group))
    if 0 < len(small) and (out["team"] == small_group_label(template.min_group)).sum() < template.min_group:
        out = out[out["team"] != small_group_label(template.min_group)]  # even merged they are too few
    out.insert(0, "wave", wave)
    # the shuffled order and a fresh running number keep the export from lining up with submission order
    out = out.sample(frac=1.0, random_state=None).reset_index(drop=True)
    out.insert(1, "respondent", range(1, len(out) + 1))
    for item in template.item_ids:
        out[item] = out[item].astype("Int64")
    return out


def export_answers(store: Store, path, waves: list[str] | None = None) -> Path:
    """Write answers of the waves (default: all) to one CSV file and return its path."""
    path = Path(path)
    frames = [answers_for_export(store, w) for w in (waves or store.wave_names())]
    table = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return write_csv(table, path)


def export_all(workspace, waves: list[str] | None = None, out=None) -> list[Path]:
    """answers.csv, scale_scores.csv (same respondent numbers), group_scores.csv (protected) and
    actions.csv (what groups agreed after each wave; no scores)."""
    from .analysis import Results, _export_table
    store = workspace.store
    waves = waves or store.wave_names()
    out = Path(out) if out else workspace.output / "export"
    out.mkdir(parents=True, exist_ok=True)
    rows = pd.concat([answers_for_export(store, w, with_scores=True) for w in waves], ignore_index=True)
    score_columns = [c for c in rows.columns if c.startswith("score_")]
    answer_columns = [c for c in rows.columns if c not in score_columns]
    paths = [out / "answers.csv", out / "scale_scores.csv", out / "group_scores.csv", out / "actions.csv"]
    write_csv(rows[answer_columns], paths[0])
    scores = rows[["wave", "respondent", "team", *score_columns]]
    scores.columns = [c.removeprefix("score_") for c in scores.columns]
    write_csv(scores, paths[1])
    write_csv(_export_table(Results(workspace).table().query("wave in @waves")), paths[2])
    actions = store.actions()
    write_csv(actions[actions["wave"].isin(waves)], paths[3])
    return paths
