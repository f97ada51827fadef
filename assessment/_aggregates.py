"""Each wave's protected aggregate table, computed once per change of its data and kept in the store.

Why: every dashboard page, report and CLI table starts from the table of every group × scale × wave
(`statistics.aggregate_hierarchy`), and computing it means loading and scoring every wave's raw answers,
which takes a minute for a million responses. A wave's table depends only on that wave's answers, its
headcounts and the teams, so it is computed per wave and stored with the wave's change counter
(`waves.data_version`, counted up by the store in the same transaction as every write of answers,
headcounts or teams). A reader uses a stored table only while the counter is unchanged and the table was
made by this `FORMAT`; otherwise it computes the table from the raw answers, as before, and stores it.

Tables are stored exactly: the numbers as float64 bytes, the texts (group names, reasons, None) as JSON, so
a stored table equals one computed from scratch bit for bit (a test compares both). The counter is read
before anything the table is computed from, so a table is never stored under a later counter than its data.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from .statistics import AGGREGATE_COLUMNS

FORMAT = 1
"""Counted up when a release changes what a table holds (scoring, protection, columns): stored tables made
by another format are computed again."""

_TEXTS = ["level", "group", "parent", "scale", "kind", "suppressed_reason", "group_suppressed_reason",
          "comments_suppressed_reason"]
_OBJECTS = {"parent", "suppressed_reason", "group_suppressed_reason", "comments_suppressed_reason"}  # may be None
_NUMBERS = ["n", "mean", "sd", "ci_low", "ci_high", "favourable", "enps", "headcount", "response_rate"]


def encode(table: pd.DataFrame) -> tuple[str, bytes]:
    """(texts, numbers) of one wave's table: JSON of the text and flag columns, float64 bytes of the numbers."""
    texts = {column: [None if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
                      for value in table[column].tolist()] for column in _TEXTS}
    texts["suppressed"] = [bool(v) for v in table["suppressed"].tolist()]
    numbers = np.ascontiguousarray(table[_NUMBERS].to_numpy(dtype="float64"))
    return json.dumps(texts, ensure_ascii=False, separators=(",", ":")), numbers.tobytes()


def decode(wave: str, texts: str, numbers: bytes) -> pd.DataFrame:
    """One wave's table back from `encode`, with the dtypes `statistics.aggregate` gives (wave set by the caller)."""
    columns = json.loads(texts)
    rows = len(columns["level"])
    values = np.frombuffer(numbers, dtype="float64").reshape(rows, len(_NUMBERS))
    data = {"wave": [wave] * rows}
    for name in _TEXTS:
        data[name] = pd.Series(columns[name], dtype=object if name in _OBJECTS else "str")
    for k, name in enumerate(_NUMBERS):
        data[name] = values[:, k].copy()
    data["suppressed"] = np.array(columns["suppressed"], dtype=bool)
    return pd.DataFrame(data)[AGGREGATE_COLUMNS]


def assemble(frames: list[pd.DataFrame], waves: list[str]) -> pd.DataFrame:
    """The tables of `waves`, in order, as one table whose wave column is ordered like `aggregate`'s."""
    table = (pd.concat(frames, ignore_index=True) if frames
             else pd.DataFrame({c: pd.Series(dtype=object) for c in AGGREGATE_COLUMNS}))
    table["wave"] = pd.Categorical(table["wave"].astype(str), categories=list(waves), ordered=True)
    return table


def table(store, waves: list[str], versions: dict[str, int], compute) -> pd.DataFrame:
    """The aggregate table of `waves`: stored tables where current, the others computed by
    `compute(wave) -> DataFrame` and stored under the counter read before their data (`versions`)."""
    stored = store.stored_aggregates(waves, FORMAT)
    frames = []
    for wave in waves:
        if wave in stored:
            frames.append(decode(wave, *stored[wave]))
            continue
        frame = compute(wave)
        frames.append(frame)
        if wave in versions:
            try:
                store.store_aggregates(wave, versions[wave], FORMAT, *encode(frame))
            except Exception:  # noqa: BLE001 - a read-only store or a busy one: the table is right, just not kept
                pass
    return assemble(frames, waves)


def refresh(store, waves) -> None:
    """Compute and keep the tables of `waves` now, where they are not current: after an import, an undo or
    closing a wave, so the next dashboard, report or CLI table opens at once (a form submission leaves it
    to the next reader)."""
    from . import statistics
    from .scoring import score_wave
    versions = store.data_versions()            # before the data, as Results does
    hierarchy, headcounts = store.teams(), store.headcounts()
    waves = [w for w in store.wave_names() if w in set(waves)]

    def compute(wave):
        scored = score_wave(store.wave_template(wave), store.answer_matrix(wave))
        return statistics.aggregate_hierarchy({wave: scored}, hierarchy, headcounts)
    table(store, waves, versions, compute)


__all__ = ["FORMAT", "encode", "decode", "assemble", "table", "refresh"]
