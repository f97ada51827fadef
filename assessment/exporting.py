"""Exports to CSV: answers (pseudonymous, small groups merged) and, once scored, scores.

An export leaves the kit's protection behind, so it applies the anonymity threshold itself: a
respondent whose team is below the threshold is labelled with a merged group, never the team."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from .store import Store


def small_group_label(min_group: int) -> str:
    return f"(teams under {min_group} respondents)"


def answers_for_export(store: Store, wave: str) -> pd.DataFrame:
    """One row per respondent: wave, team (or a merged label for small teams), then one column per item."""
    template = store.wave_template(wave)
    matrix = store.answer_matrix(wave)
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
    path.parent.mkdir(parents=True, exist_ok=True)
    table.to_csv(path, index=False)
    return path
