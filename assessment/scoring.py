"""Scoring one wave: items onto 0-100, scale and index scores, eNPS and % favourable.

Everything here is pure and vectorised over the whole answer matrix (NumPy over respondents; the
only Python loops are over scales and items), so a wave of 100 000 respondents scores in
milliseconds. Aggregation over groups, anonymity and tests live in `statistics.py`, which builds
on this module (never the other way round).

Conventions (see /work/shared/domain.md):

* An answer maps linearly onto 0-100: lowest point 0, highest 100. A reverse-keyed item is flipped
  first, (low + high) - x, so 100 is always the favourable end.
* A scale score is the mean of the answered 0-100 item scores when the respondent answered at least
  `template.min_answered` of the scale's k items, i.e. ``answered / k >= min_answered`` (with the
  default 0.5: 2 of 4 is enough, 2 of 5 is not). Otherwise the score is NaN, never 0: a skipped
  question is not an unfavourable answer.
* An index (e.g. `security` from the four pillars) is the mean of the respondent's scale scores
  for the index's scales, under the same share rule applied to scales: at least `min_answered`
  (half by default) of the index's scales must have a score.
* The eNPS scale (``role: enps``) also gets its 0-100 mean like any scale (so a chart can show it
  on the common axis); its headline figure is eNPS itself: % promoters (9-10) minus % detractors
  (0-6).
* % favourable counts answers in the top `response_scale.favourable` points after reverse keying,
  so a reverse-keyed item answered "Strongly disagree" is favourable.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np
import pandas as pd

from .exceptions import AssessmentError
from .templates import Template

PROMOTER_MIN = 9      # eNPS: 9-10 are promoters
DETRACTOR_MAX = 6     # eNPS: 0-6 are detractors
_TOLERANCE = 1e-9     # so that e.g. 0.7 * 10 items still means "7 answers are enough"

__all__ = ["ScoredWave", "item_scores", "scale_scores", "favourable", "enps", "score_wave", "score_kinds"]


# ---------------------------------------------------------------- helpers

def _keyed_answers(template: Template, matrix: pd.DataFrame) -> np.ndarray:
    """Raw answers (respondent x item, template order) with reverse-keyed items flipped.

    Always a new array, never a view of the matrix, so callers may change it in place.

    Checks that every item is a column and every answer is on its response scale, because a value
    off the scale (a 6 on a 1-5 item, a 0-10 eNPS typed as 1-11) would silently give scores
    outside 0-100."""
    ids = template.item_ids
    missing = [i for i in ids if i not in matrix.columns]
    if missing:
        raise AssessmentError(
            f"the answer matrix has no column for {len(missing)} item(s) of template {template.id!r}: "
            f"{', '.join(missing)}; build it with Store.answer_matrix(wave) for the wave's own template")
    try:
        raw = matrix[ids].to_numpy(dtype="float64", na_value=np.nan)
    except (TypeError, ValueError):
        raise AssessmentError("the answer matrix must hold numbers (NaN where skipped) in its item columns") from None
    items = template.items
    low = np.array([it.response_scale.low for it in items], dtype="float64")
    high = np.array([it.response_scale.high for it in items], dtype="float64")
    with np.errstate(invalid="ignore"):
        bad = (raw < low) | (raw > high)
    if bad.any():
        col = int(np.nonzero(bad.any(axis=0))[0][0])
        value = raw[bad[:, col], col][0]
        raise AssessmentError(
            f"item {ids[col]!r} has the answer {value:g}, outside its scale {low[col]:g}-{high[col]:g} "
            f"({int(bad.sum())} such answer(s) in all); fix the data or the template's response scale")
    del bad
    if not raw.flags.writeable:
        # a read-only view of the matrix (pandas' copy-on-write): the one copy of the wave, same layout
        raw = raw.copy(order="K")
    reverse = np.nonzero([it.reverse for it in items])[0]
    if reverse.size:
        # in place, so a wave is held once here rather than three times (answers, flipped, result)
        raw[:, reverse] = (low + high)[reverse] - raw[:, reverse]
    return raw


def _item_positions(template: Template) -> dict[str, np.ndarray]:
    """Column positions of each scale's items in the template-ordered item matrix."""
    position = {item_id: n for n, item_id in enumerate(template.item_ids)}
    return {s.id: np.array([position[i] for i in s.item_ids], dtype=int) for s in template.scales}


def _enough(answered: np.ndarray, total: int, share: float) -> np.ndarray:
    """The share rule: answered / total >= share (and at least one answer)."""
    return (answered > 0) & (answered >= share * total - _TOLERANCE)


def _to_01(template: Template, keyed: np.ndarray) -> np.ndarray:
    """Keyed answers onto 0-100, in place (`keyed` is changed and returned)."""
    low = np.array([it.response_scale.low for it in template.items], dtype="float64")
    high = np.array([it.response_scale.high for it in template.items], dtype="float64")
    # (x - low) * 100 / span keeps whole-number answers exact (0.9 * 100 would not be); the same
    # three operations in the same order as that expression, without two wave-sized temporaries
    np.subtract(keyed, low, out=keyed)
    np.multiply(keyed, 100.0, out=keyed)
    np.divide(keyed, high - low, out=keyed)
    return keyed


def _scale_and_index_scores(template: Template, item_arr: np.ndarray) -> tuple[dict, dict]:
    """Scale scores and index scores as {id: array}, from the 0-100 item matrix."""
    answered = ~np.isnan(item_arr)
    scales = {}
    for scale_id, cols in _item_positions(template).items():
        count = answered[:, cols].sum(axis=1)
        total = np.where(answered[:, cols], item_arr[:, cols], 0.0).sum(axis=1)
        ok = _enough(count, len(cols), template.min_answered)
        scales[scale_id] = np.where(ok, total / np.maximum(count, 1), np.nan)
    indices = {}
    for index in template.indices:
        parts = np.column_stack([scales[s] for s in index.scales])
        present = ~np.isnan(parts)
        count = present.sum(axis=1)
        total = np.where(present, parts, 0.0).sum(axis=1)
        ok = _enough(count, parts.shape[1], template.min_answered)
        indices[index.id] = np.where(ok, total / np.maximum(count, 1), np.nan)
    return scales, indices


def score_kinds(template: Template) -> dict[str, str]:
    """Every score column of a template in report order with its kind: 'scale', 'enps' or 'index'."""
    kinds = {s.id: ("enps" if s.role == "enps" else "scale") for s in template.scales}
    kinds.update({i.id: "index" for i in template.indices})
    return kinds


# ---------------------------------------------------------------- public scoring

def item_scores(template: Template, matrix: pd.DataFrame) -> pd.DataFrame:
    """Each answer on 0-100 (respondent x item, template order); reverse keys flipped; NaN kept."""
    scores = _to_01(template, _keyed_answers(template, matrix))
    return pd.DataFrame(scores, index=matrix.index, columns=template.item_ids)


def scale_scores(template: Template, matrix: pd.DataFrame) -> pd.DataFrame:
    """Respondent x (scales, then indices): means of answered 0-100 items under the share rule.

    NaN (never 0) where a respondent answered too few of a scale's items, or has too few of an
    index's scale scores. The eNPS scale is included as its 0-100 mean."""
    item_arr = _to_01(template, _keyed_answers(template, matrix))
    scales, indices = _scale_and_index_scores(template, item_arr)
    return pd.DataFrame({**scales, **indices}, index=matrix.index)


def favourable(template: Template, matrix: pd.DataFrame) -> pd.DataFrame:
    """Respondent x scale: share (0-1) of the respondent's answered items that are favourable.

    Favourable = in the top `response_scale.favourable` points after reverse keying; NaN where the
    respondent answered none of the scale's items. Group "% favourable" is pooled over answers in
    `statistics.aggregate`, not the mean of these shares."""
    fav, answered = _favourable_counts(template, _keyed_answers(template, matrix))
    with np.errstate(invalid="ignore", divide="ignore"):
        share = {k: np.where(answered[k] > 0, fav[k] / answered[k], np.nan) for k in fav}
    return pd.DataFrame(share, index=matrix.index)


def _favourable_counts(template: Template, keyed: np.ndarray) -> tuple[dict, dict]:
    threshold = np.array([it.response_scale.high - it.response_scale.favourable + 1 for it in template.items],
                         dtype="float64")
    answered = ~np.isnan(keyed)
    with np.errstate(invalid="ignore"):
        is_fav = keyed >= threshold          # NaN compares False
    fav, count = {}, {}
    for scale_id, cols in _item_positions(template).items():
        fav[scale_id] = is_fav[:, cols].sum(axis=1).astype("float64")
        count[scale_id] = answered[:, cols].sum(axis=1).astype("float64")
    return fav, count


def enps(values) -> float:
    """eNPS of 0-10 answers: % promoters (9-10) minus % detractors (0-6), -100..100; NaN if none."""
    arr = np.asarray(values, dtype="float64").ravel()
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return float("nan")
    return float(100.0 * ((arr >= PROMOTER_MIN).mean() - (arr <= DETRACTOR_MAX).mean()))


# ---------------------------------------------------------------- one wave, scored once

@dataclass(frozen=True)
class ScoredWave:
    """One wave scored once, holding what aggregation needs at respondent level.

    All frames share the matrix's index (respondent id).

    * `team`: each respondent's team.
    * `responded`: answered at least one item (comments alone do not make a respondent).
    * `scales`: scale scores then index scores (columns in `score_kinds(template)` order).
    * `favourable_n` / `answered_n`: per score column, the number of favourable answers and of
      answers that enter the respondent's score (0 where the respondent has no score), so a group's
      % favourable is pooled over exactly the answers behind its mean; an index pools its scales.
    * `enps`: per eNPS scale, the respondent's net score: 100 x (promoter answers - detractor
      answers) / answers, i.e. +100, 0 or -100 for the usual single item; the mean over a group
      is the group's eNPS. NaN where the respondent has no score on that scale.
    * `matrix`: the answer matrix the wave was scored from (the caller's frame, not a copy).
    * `items`: 0-100 item scores (as `item_scores` gives), computed from `matrix` when first read
      and then kept: nothing in aggregation needs them, and they are as large as the matrix.
    """

    template: Template
    team: pd.Series
    responded: pd.Series
    scales: pd.DataFrame
    favourable_n: pd.DataFrame
    answered_n: pd.DataFrame
    enps: pd.DataFrame
    matrix: pd.DataFrame | None = field(default=None, repr=False, compare=False)

    @property
    def kinds(self) -> dict[str, str]:
        return score_kinds(self.template)

    @cached_property
    def items(self) -> pd.DataFrame:
        if self.matrix is None:
            raise AssessmentError("this ScoredWave was built without its answer matrix; use "
                                  "scoring.item_scores(template, matrix) for the 0-100 item scores")
        return item_scores(self.template, self.matrix)


def score_wave(template: Template, matrix: pd.DataFrame) -> ScoredWave:
    """Score a wide answer matrix (team column + item columns) once for all later aggregation.

    The returned ScoredWave refers to `matrix` (for its `items`); change neither afterwards."""
    if "team" not in matrix.columns:
        raise AssessmentError("the answer matrix needs a 'team' column (as Store.answer_matrix gives)")
    # one wave-sized array: keyed answers, read for what needs them, then turned into 0-100 in place
    keyed = _keyed_answers(template, matrix)
    responded = (~np.isnan(keyed)).any(axis=1)
    fav, count = _favourable_counts(template, keyed)
    positions = _item_positions(template)
    votes = {}
    for scale in template.scales_with_role("enps"):
        answers = keyed[:, positions[scale.id]]
        with np.errstate(invalid="ignore"):
            promoters = (answers >= PROMOTER_MIN).sum(axis=1)
            detractors = (answers <= DETRACTOR_MAX).sum(axis=1)
        votes[scale.id] = (promoters, detractors, (~np.isnan(answers)).sum(axis=1))
    item_arr = _to_01(template, keyed)
    del keyed
    scales, indices = _scale_and_index_scores(template, item_arr)
    del item_arr
    for scale_id in scales:                       # count only answers behind a score
        scored = ~np.isnan(scales[scale_id])
        fav[scale_id] = np.where(scored, fav[scale_id], 0.0)
        count[scale_id] = np.where(scored, count[scale_id], 0.0)
    for index in template.indices:
        scored = ~np.isnan(indices[index.id])
        fav[index.id] = np.where(scored, sum(fav[s] for s in index.scales), 0.0)
        count[index.id] = np.where(scored, sum(count[s] for s in index.scales), 0.0)
    net = {}
    for scale_id, (promoters, detractors, n) in votes.items():
        has = ~np.isnan(scales[scale_id])
        net[scale_id] = np.where(has, 100.0 * (promoters - detractors) / np.maximum(n, 1), np.nan)
    index = matrix.index
    columns = list(score_kinds(template))
    return ScoredWave(
        template=template,
        team=matrix["team"].astype(str),
        responded=pd.Series(responded, index=index, name="responded"),
        scales=pd.DataFrame({**scales, **indices}, index=index)[columns],
        favourable_n=pd.DataFrame(fav, index=index)[columns],
        answered_n=pd.DataFrame(count, index=index)[columns],
        enps=pd.DataFrame(net, index=index),
        matrix=matrix,
    )
