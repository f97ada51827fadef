"""Workspace-level results: load and score each wave once, then answer every question from that.

Notebooks, the dashboard, reports, exports and the CLI all go through `Results`, so they share
one set of protected tables (anonymity and differencing applied once, the same everywhere) and a
dashboard redraw only filters tables that are already computed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

from . import _aggregates, statistics
from .exceptions import AssessmentError, UnknownNameError
from .protection import NOT_SHOWN_SEPARATELY

from .scoring import score_wave
from .workspace import Workspace

QUALITY_COLUMNS = ["team", "flag", "detail"]

# The tidy frames of `Results`, each column described once. README "Use it from Python" shows this table
# and a test checks that every frame has exactly these columns, in this order.
_SCORE = "score on 0-100 (eNPS rows: see enps)"
COLUMNS: dict[str, dict[str, str]] = {
    "scores": {   # Results.table(level=None, language=None)
        "wave": "survey wave", "level": "'team', 'department' or 'organisation'", "group": "the group's name",
        "parent": "the group's department (None at the top)", "scale": "scale or index id (e.g. 'security')",
        "kind": "'scale', 'index' or 'enps'", "n": "respondents with a score on the scale",
        "mean": "mean " + _SCORE, "sd": "standard deviation (ddof=1)",
        "ci_low": "95 % confidence interval of the mean, low end (t distribution)", "ci_high": "... high end",
        "favourable": "% of answers in the top two points (eNPS: % promoters)",
        "enps": "eNPS, −100 to 100 (eNPS rows only)", "headcount": "recorded headcount (from HR, not from answers)",
        "response_rate": "100 × respondents / headcount", "suppressed": "True when the cell's figures are hidden",
        "suppressed_reason": "'small group' (under the threshold) or 'differencing' (would reveal a smaller group)",
        "group_suppressed_reason": "why the group as a whole is hidden in the wave (None: shown)",
        "comments_suppressed_reason": "why the group's comments are hidden (None: shown)",
        "role": "the scale's role: 'pillar', 'outcome', 'enps', 'index', ...", "title": "the scale's title",
    },
    "changes": {  # Results.compare(wave_a, wave_b, level="team")
        "wave_a": "the earlier wave", "wave_b": "the later wave", "level": "the groups' level",
        "group": "the group's name", "parent": "its department", "scale": "scale or index id",
        "kind": "'scale', 'index' or 'enps'", "n_a": "respondents in wave_a", "n_b": "respondents in wave_b",
        "mean_a": "mean in wave_a", "mean_b": "mean in wave_b", "diff": "mean_b − mean_a (points)",
        "diff_ci_low": "95 % CI of the difference, low end (Welch)", "diff_ci_high": "... high end",
        "p_value": "Welch's t-test", "q_value": "Benjamini–Hochberg over every group × scale of the level",
        "effect_size": "Hedges' g", "flagged": "q < 0.05 and |diff| ≥ the template's min_change",
        "note": "why the row is not compared: the group hidden in a wave, or the scale changed (None: compared)",
        "title": "the scale's title",
    },
    "items": {    # Results.item_distribution(wave=None, group=None, scale=None)
        "item": "item id", "text": "the question, '(R)' when reverse-keyed",
        "value": "an answer point, or 'skipped'", "count": "answers with that value",
        "percent": "count as % of the group's respondents",
    },
    "comments": {  # Results.comments(wave=None, group=None)
        "question": "open question id", "question_text": "the question", "text": "the comment (shuffled order)",
    },
    "reliability": {  # Results.reliability(wave=None)[0]
        "scale": "scale id", "k": "items", "n": "respondents", "alpha": "Cronbach's alpha (pairwise covariances)",
        "note": "why alpha is not computed (empty: computed)",
    },
    "item_analysis": {  # Results.reliability(wave=None)[1]
        "scale": "scale id", "item": "item id", "n": "respondents who answered it",
        "item_rest": "item–rest correlation (R psych's r.drop)", "alpha_if_dropped": "alpha without the item",
    },
    "drivers": {  # Results.drivers(wave=None, group=None)
        "group": "the group", "pillar": "pillar scale id", "outcome": "outcome scale id",
        "r": "Pearson correlation over respondents", "ci_low": "95 % CI, low end (Fisher's z)",
        "ci_high": "... high end", "p_value": "two-sided test of r = 0", "n": "respondents with both scores",
        "source": "'own', 'parent unit: X' or 'organisation' (where the group is too small)",
        "pillar_title": "the pillar's title", "outcome_title": "the outcome's title",
    },
    "response_rates": {  # Results.response_rates(wave=None)
        "team": "team", "department": "its department", "headcount": "recorded headcount",
        "respondents": "respondents (NaN when the team is hidden)", "response_rate": "100 × respondents / headcount",
        "suppressed": "True when the team is hidden", "reason": "why it is hidden",
    },
    "data_quality": {  # Results.data_quality(wave=None)
        "team": "shown team, or one pooled row of the others", "respondents": "respondents",
        "incomplete": "respondents who answered under half the items",
        "straight_lining": "respondents who gave every agreement item the same answer",
    },
    "quality": {  # Results.quality(wave=None)
        "team": "team", "flag": "what to check", "detail": "the figures behind it",
    },
}


class _PerWave(Mapping):
    """{wave: value} made on first use by `load(wave)` and kept: a workspace's waves without loading them all."""

    def __init__(self, load, waves):
        self._load, self._waves, self._values = load, list(waves), {}

    def __getitem__(self, wave):
        if wave not in self._values:
            if wave not in self._waves:
                raise KeyError(wave)
            self._values[wave] = self._load(wave)
        return self._values[wave]

    def __iter__(self):
        return iter(self._waves)

    def __len__(self):
        return len(self._waves)


class Results:
    """Every wave of a workspace, scored once; tidy pandas frames with protection applied.

    Each method returns a long-form frame whose columns are described in `COLUMNS` (README, "Use it
    from Python"); hidden groups and cells carry no figures. Get one from a workspace:

    >>> results = assessment.Workspace("acme").results()
    >>> results.table("team").query("scale == 'security' and not suppressed")
    """

    def __init__(self, workspace: Workspace | str | Path, waves=None, language: str | None = None):
        self.workspace = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
        store = self.workspace.store
        order = store.wave_names()   # date order: the last is the latest, trends and changes follow it
        if waves is not None:
            chosen = {store.wave_name(w) for w in waves}   # checked, and as stored ('HÖST' is 'Höst')
            order = [w for w in order if w in chosen]
        self.waves = order
        # the change counters first, then what the tables are computed from (see assessment._aggregates)
        self._versions = store.data_versions()
        self._hierarchy = store.teams()
        self._headcounts = store.headcounts()
        # raw answers are loaded and scored per wave only when something needs them (item answers,
        # drivers, changes, a table not stored yet): the stored tables answer the rest
        self._inputs = _PerWave(lambda w: (store.wave_template(w), store.answer_matrix(w)), self.waves)
        self._scored = _PerWave(lambda w: score_wave(*self._inputs[w]), self.waves)
        self.template = store.wave_template(self.waves[-1]) if self.waves else self.workspace.template()
        self.language = language or self.template.language

    def _repr_html_(self) -> str:
        from ._display import results_html
        return results_html(self)

    # ------------------------------------------------------------ names
    @property
    def min_group(self) -> int:
        return self.template.min_group

    def latest_wave(self) -> str:
        if not self.waves:
            raise UnknownNameError("the workspace has no waves yet")
        return self.waves[-1]

    def previous_wave(self, wave: str) -> str | None:
        position = self.waves.index(wave)
        return self.waves[position - 1] if position else None

    def title(self, ident: str, language: str | None = None) -> str:
        return self.template.title_of(ident, language or self.language)

    def groups(self, level: str = "team") -> list[str]:
        table = self.table()
        return list(dict.fromkeys(table.loc[table["level"] == level, "group"]))

    def departments(self) -> list[str]:
        return self.groups("department")

    def teams_in(self, department: str) -> list[str]:
        """Teams (at any depth) below a department, in store order."""
        children = self._hierarchy.groupby("parent")["team"].apply(list).to_dict()
        found, stack = [], [department]
        while stack:
            for child in children.get(stack.pop(), []):
                found.append(child)
                stack.append(child)
        order = list(self._hierarchy["team"])
        return sorted(found, key=order.index)

    # ------------------------------------------------------------ tables
    @cached_property
    def _table(self) -> pd.DataFrame:
        def compute(wave):
            return statistics.aggregate_hierarchy({wave: self._scored[wave]}, self._hierarchy, self._headcounts)
        table = _aggregates.table(self.workspace.store, self.waves, self._versions, compute)
        roles = {s.id: s.role for s in self.template.scales} | {i.id: "index" for i in self.template.indices}
        table["role"] = table["scale"].map(roles).fillna("")
        return table

    def table(self, level: str | None = None, language: str | None = None) -> pd.DataFrame:
        """Group scores: every wave × group × scale with n, mean, sd, CI, % favourable, eNPS and why a
        cell is hidden (`COLUMNS["scores"]`); `level` keeps one level ('team', 'department', 'organisation').

        >>> results.table("department").pivot_table(index="group", columns="wave", values="mean")
        """
        table = self._table if level is None else self._table[self._table["level"] == level]
        table = table.copy()
        table["title"] = table["scale"].map({s: self.title(s, language) for s in table["scale"].unique()})
        return table

    def compare(self, wave_a: str, wave_b: str, level: str = "team", language: str | None = None) -> pd.DataFrame:
        """Change from wave_a to wave_b for every group and score of one level, with titles
        (`statistics.compare_waves`, `COLUMNS["changes"]`). Flags are controlled for false discoveries:
        q_value is the Benjamini-Hochberg adjustment over all the level's compared groups x scores, and a
        change is flagged when q < 0.05 and |diff| >= the template's min_change; hidden groups are not
        compared.

        >>> results.compare(*results.waves[-2:]).query("flagged")
        """
        table = statistics.compare_waves(self._scored, wave_a, wave_b, self._hierarchy, by=level)
        table["title"] = table["scale"].map({s: self.title(s, language) for s in table["scale"].unique()})
        return table

    def reliability(self, wave: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(per scale: Cronbach's alpha, `COLUMNS["reliability"]`; per item: item–rest correlation and
        alpha if dropped, `COLUMNS["item_analysis"]`) over the whole organisation's answers in a wave.

        >>> scales, items = results.reliability()
        """
        wave = wave or self.latest_wave()
        template, matrix = self._inputs[wave]
        return statistics.reliability(template, matrix), statistics.item_analysis(template, matrix)

    def drivers(self, wave: str | None = None, group: str | None = None, language: str | None = None) -> pd.DataFrame:
        """How strongly each pillar goes with each outcome among a group's respondents (`COLUMNS["drivers"]`);
        a group too small to show borrows its department's or the organisation's figures (see `source`).

        >>> results.drivers(group="Sales").sort_values("r", ascending=False)
        """
        wave = wave or self.latest_wave()
        template, matrix = self._inputs[wave]
        outcomes = tuple(s.id for s in template.scales_with_role("outcome"))
        # drivers take a unit with everything below it: a name that is both a department and a team
        # with its own respondents counts as shown only if its department row is
        rows = self._table[self._table["wave"] == wave].drop_duplicates(["level", "group"])
        departments = set(rows.loc[rows["level"] != "team", "group"])
        shown = {g for level, g, reason in zip(rows["level"], rows["group"], rows["group_suppressed_reason"])
                 if reason is None and (level != "team" or g not in departments)}
        table = statistics.drivers(template, matrix, self._hierarchy, group=group, outcomes=outcomes, shown=shown)
        table["pillar_title"] = [self.title(p, language) for p in table["pillar"]]
        table["outcome_title"] = [self.title(o, language) for o in table["outcome"]]
        return table

    def _group_size(self, wave: str, group: str) -> int:
        """Respondents in a group (a team, department or the organisation) — for internal checks only."""
        scored = self._scored[wave]
        teams = scored.team[scored.responded]
        if group == statistics.ORGANISATION:
            return int(len(teams))
        members = {group, *self.teams_in(group)}
        return int(teams.isin(members).sum())

    def _group_rows(self, wave: str, group: str) -> pd.DataFrame:
        table = self._table
        return table[(table["wave"] == wave) & (table["group"] == group)]

    def shown(self, wave: str, group: str) -> bool:
        """Whether the group is shown as a whole in this wave (protection's group family): only then
        do its respondent count, item answers, reports and exported label appear."""
        rows = self._group_rows(wave, group)
        return bool(len(rows)) and rows["group_suppressed_reason"].isna().all()

    def hidden_reason(self, wave: str, group: str) -> str | None:
        """Why a group is hidden in a wave: 'small group', 'differencing', or None when shown."""
        rows = self._group_rows(wave, group)
        if not len(rows) or rows["group_suppressed_reason"].isna().all():
            return None
        return str(rows["group_suppressed_reason"].dropna().iloc[0])

    def comments_shown(self, wave: str, group: str) -> bool:
        """Whether the group's comments may be shown (the comment threshold, differencing included)."""
        rows = self._group_rows(wave, group)
        return bool(len(rows)) and rows["comments_suppressed_reason"].isna().all()

    def item_distribution(self, wave: str | None = None, group: str | None = None, scale: str | None = None,
                          language: str | None = None) -> pd.DataFrame:
        """Answer counts and percentages per item for a group (questionnaire order), with 'skipped'
        (`COLUMNS["items"]`; default: the latest wave, the whole organisation).

        Empty when the group is not shown (too small, or hidden to prevent differencing); a scale
        whose cell is hidden for the group, and an item fewer than `min_group` of it answered, are left
        out.

        >>> results.item_distribution(group="Sales", scale="goals")
        """
        wave = wave or self.latest_wave()
        group = group or statistics.ORGANISATION
        template, matrix = self._inputs[wave]
        columns = ["item", "text", "value", "count", "percent"]
        if not self.shown(wave, group):
            return pd.DataFrame(columns=columns)
        cells = self._group_rows(wave, group)
        hidden_scales = set(cells.loc[cells["suppressed"], "scale"])
        scored = self._scored[wave]
        rows = matrix[scored.responded]
        if group != statistics.ORGANISATION:
            rows = rows[rows["team"].isin({group, *self.teams_in(group)})]
        scales = [template.scale(scale)] if scale else [s for s in template.scales if s.role != "enps"]
        out = []
        for sc in scales:
            if sc.id in hidden_scales:
                continue
            for item in sc.items:
                values = rows[item.id]
                total = len(values)
                if values.notna().sum() < template.min_group:
                    continue
                counts = values.value_counts()
                # answers are shown as given; a reverse-keyed (negatively worded) item is marked (R)
                text = item.text.get(language or self.language, item.id) + (" (R)" if item.reverse else "")
                for value in item.response_scale.values:
                    c = int(counts.get(float(value), 0))
                    out.append((item.id, text, value, c, 100 * c / total))
                skipped = int(values.isna().sum())
                out.append((item.id, text, "skipped", skipped, 100 * skipped / total))
        return pd.DataFrame(out, columns=columns)

    def comments(self, wave: str | None = None, group: str | None = None, seed: int | None = None) -> pd.DataFrame:
        """Open comments of a group, shuffled, only when the group has at least `min_comments` respondents
        (`COLUMNS["comments"]`; default: the latest wave, the whole organisation).

        Comments are stored without any link to answers, so they can never be shown beside them.

        >>> results.comments(group="Sales")["text"].tolist()
        """
        wave = wave or self.latest_wave()
        group = group or statistics.ORGANISATION
        template = self.workspace.store.wave_template(wave)
        columns = ["question", "question_text", "text"]
        if not self.comments_shown(wave, group):
            return pd.DataFrame(columns=columns)
        comments = self.workspace.store.comments(wave)
        if group != statistics.ORGANISATION:
            comments = comments[comments["team"].isin({group, *self.teams_in(group)})]
        order = list(range(len(comments)))
        random.Random(seed).shuffle(order)
        comments = comments.iloc[order]
        texts = {c.id: c.text.get(self.language, c.id) for c in template.comments}
        return pd.DataFrame({"question": comments["question"].to_numpy(),
                             "question_text": comments["question"].map(texts).to_numpy(),
                             "text": comments["text"].to_numpy()}, columns=columns)

    def response_rates(self, wave: str | None = None) -> pd.DataFrame:
        """Respondents and response rate per team, for HR (`COLUMNS["response_rates"]`); a hidden team's
        respondents are NaN.

        >>> results.response_rates().sort_values("response_rate")
        """
        wave = wave or self.latest_wave()
        table = self.table("team")
        if table.empty:
            return pd.DataFrame(columns=["team", "department", "headcount", "respondents", "response_rate", "suppressed",
                                         "reason"])
        rows = table[(table["wave"] == wave) & (table["scale"] == table["scale"].iloc[0])]
        scored = self._scored[wave]
        counts = scored.team[scored.responded].value_counts()
        respondents = [float(counts.get(g, 0)) if shown else np.nan
                       for g, shown in zip(rows["group"], rows["group_suppressed_reason"].isna())]
        out = pd.DataFrame({"team": rows["group"].to_numpy(), "department": rows["parent"].to_numpy(),
                            "headcount": rows["headcount"].to_numpy(), "respondents": respondents,
                            "suppressed": rows["group_suppressed_reason"].notna().to_numpy(),
                            "reason": rows["group_suppressed_reason"].to_numpy()})
        with np.errstate(invalid="ignore", divide="ignore"):
            out.insert(4, "response_rate", np.where(out["headcount"] > 0, 100 * out["respondents"] / out["headcount"],
                                                    np.nan))
        return out

    def data_quality(self, wave: str | None = None) -> pd.DataFrame:
        """Per team: incomplete responses (fewer than half the items) and straight-lining
        (every answered agreement item the same, over at least 10 items). Teams that are not shown
        are pooled into one row (figures only when the pool itself may be shown); `COLUMNS["data_quality"]`.

        >>> results.data_quality().query("incomplete > 0")
        """
        wave = wave or self.latest_wave()
        template, matrix = self._inputs[wave]
        agree = [i.id for i in template.items if i.response_scale.points <= 7]
        values = matrix[agree].to_numpy(dtype="float64")
        answered = (~np.isnan(values)).sum(axis=1)
        with np.errstate(invalid="ignore"):
            spread = np.nanmax(values, axis=1) - np.nanmin(values, axis=1)
        flags = pd.DataFrame({
            "team": matrix["team"].to_numpy(),
            "respondents": answered > 0,
            "incomplete": (answered > 0) & (answered < len(template.items) / 2),
            "straight_lining": (answered >= 10) & (spread == 0),
        })
        per_team = flags.groupby("team", sort=False)[["respondents", "incomplete", "straight_lining"]].sum()
        per_team = per_team[per_team["respondents"] > 0]
        teams = self._table[(self._table["wave"] == wave) & (self._table["level"] == "team")]
        shown = set(teams.loc[teams["group_suppressed_reason"].isna(), "group"])
        hidden = ~per_team.index.isin(shown)
        if hidden.any():
            # everyone outside the shown teams: a union of protection's regions, so safe when large enough
            pooled = per_team[hidden].sum().to_frame(NOT_SHOWN_SEPARATELY.format(group=statistics.ORGANISATION)).T
            if pooled["respondents"].iloc[0] < template.min_group or not self.shown(wave, statistics.ORGANISATION):
                pooled = pooled.assign(respondents=np.nan, incomplete=np.nan, straight_lining=np.nan)
            per_team = pd.concat([per_team[~hidden], pooled])
        return per_team.astype("Int64").reset_index(names="team")


    def quality(self, wave: str | None = None, language: str | None = None) -> pd.DataFrame:
        """Data-quality flags for HR, one row per team and flag (QUALITY_COLUMNS): a response rate above
        100 % (the headcount is too low), no headcount, a headcount under the anonymity threshold (the
        team can never be shown on its own), very fast responses (where the form tool's export gave each
        response's time), and straight-lining or incomplete responses (counted for
        shown teams; for teams that are not shown only in the pooled row of `data_quality`). Nothing
        is removed: the flags say what to check. A hidden team's flags never include its count.
        `language`: the flags and details in that language (`assessment.messages`; default English, whose
        flag names reports and tests match). `COLUMNS["quality"]`.

        >>> results.quality()
        """
        from .messages import text

        def say(key, **values):
            return text(language or "en", "quality." + key, **values)
        pooled_label = (NOT_SHOWN_SEPARATELY.format(group=statistics.ORGANISATION) if language in (None, "en") else
                        text(language, "reason.not_shown_separately", group=text(language, "actions.organisation")))
        wave = wave or self.latest_wave()
        template = self._inputs[wave][0]
        rates = self.response_rates(wave)
        scored = self._scored[wave]
        counts = scored.team[scored.responded].value_counts()
        recorded = self._headcounts[self._headcounts["wave"] == wave].set_index("team")["headcount"] \
            if len(self._headcounts) else pd.Series(dtype=float)
        parents = set(self._hierarchy["parent"].dropna())
        rows = []
        for team in [t for t in self._hierarchy["team"] if t not in parents or t in counts.index]:
            n = int(counts.get(team, 0))
            shown = bool(((rates["team"] == team) & ~rates["suppressed"]).any())
            headcount = recorded.get(team)
            if headcount is not None and not pd.isna(headcount):
                headcount = int(headcount)
                if n > headcount:
                    rows.append((team, say("flag.rate_above"),
                                 say("rate_above", n=n, headcount=headcount) if shown else
                                 say("rate_above_hidden", headcount=headcount)))
                if headcount < template.min_group:
                    rows.append((team, say("flag.under_threshold"),
                                 say("under_threshold", headcount=headcount, min_group=template.min_group)))
            elif n:
                rows.append((team, say("flag.no_headcount"), say("no_headcount", wave=wave)))
        timing = self.workspace.store.fast_counts(wave)
        if len(timing):
            shown_teams = set(rates.loc[~rates["suppressed"], "team"])
            own = timing[timing["team"].isin(shown_teams)]
            for team, timed, fast in own.itertuples(index=False):
                if fast:
                    rows.append((team, say("flag.fast"), say("fast", fast=int(fast), timed=int(timed))))
            pooled = timing[~timing["team"].isin(shown_teams)]
            if pooled["fast"].sum() and pooled["timed"].sum() >= template.min_group:
                rows.append((pooled_label, say("flag.fast"),
                             say("fast", fast=int(pooled["fast"].sum()), timed=int(pooled["timed"].sum()))))
        quality = self.data_quality(wave).set_index("team")
        for team, row in quality.iterrows():
            if pd.isna(row["respondents"]):
                continue
            for column, flag in (("straight_lining", "flag.straight_lining"), ("incomplete", "flag.incomplete")):
                if row[column]:
                    rows.append((team if team != NOT_SHOWN_SEPARATELY.format(group=statistics.ORGANISATION)
                                 else pooled_label, say(flag),
                                 say("of_respondents", count=int(row[column]), n=int(row["respondents"]))))
        return pd.DataFrame(rows, columns=QUALITY_COLUMNS)


# ---------------------------------------------------------------- CLI tables and the demo summary

SUPPRESSED = "suppressed"


def score_table(workspace, wave: str | None = None, by: str = "team", language: str | None = None) -> pd.DataFrame:
    """Group × scale means for one wave as printable text; hidden cells say 'suppressed' (in the language:
    `assessment.messages`). In English the columns are the scale ids; in another language the scale titles,
    the group column's name and figures are in that language ("56,1")."""
    from ._format import number
    from .messages import text
    results = Results(workspace, language=language)
    language = results.language
    wave = wave or results.latest_wave()
    if wave not in results.waves:
        results.workspace.store.wave_id(wave)
    table = results.table(by)
    table = table[table["wave"] == wave]
    if table.empty:
        raise AssessmentError(f"wave {wave!r} has no responses yet; import answers (assessment import) or serve the form")
    suppressed = text(language, "reason.small group")
    cells = np.where(table["suppressed"], suppressed,
                     np.where(table["kind"] == "enps",
                              table["enps"].map(lambda v: number(v, language, 0, sign=True) if pd.notna(v) else ""),
                              table["mean"].map(lambda v: number(v, language, 1) if pd.notna(v) else "")))
    wide = table.assign(cell=cells).pivot_table(index="group", columns="scale", values="cell", aggfunc="first", sort=False)
    groups = list(dict.fromkeys(table["group"]))
    wide = wide.reindex(index=groups, columns=list(dict.fromkeys(table["scale"])))
    first = table[table["scale"] == table["scale"].iloc[0]].set_index("group")
    n = first["n"].reindex(groups)
    wide.insert(0, "n", [suppressed if pd.isna(v) else str(int(v)) for v in n])
    wide = wide.reset_index().rename(columns={"group": by})
    if language != "en":
        wide = wide.rename(columns={by: text(language, f"cli.col.{by}"), "n": text(language, "cli.col.n"),
                                    **{scale: results.title(scale, language) for scale in wide.columns[2:]}})
    return wide


def reliability_table(workspace, wave: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    results = Results(workspace)
    scales, items = results.reliability(wave)
    return scales.round(3), items.round(3)


def write_summary(workspace, out: Path | None = None, language: str | None = None) -> dict:
    """The demo's outputs: a summary CSV of every group figure, and the leaders' main charts as PNG."""
    from . import charts
    from .exporting import write_csv
    results = Results(workspace, language=language)
    out = Path(out or results.workspace.output)
    out.mkdir(parents=True, exist_ok=True)
    wave = results.latest_wave()
    table = results.table()
    files = {}
    summary = out / "summary.csv"
    write_csv(_export_table(table, results.language), summary)
    files["summary table (every group, wave and scale)"] = summary
    teams = results.table("team")
    figures = {
        "security and engagement over time per team": ("trend_teams.png", charts.trend(
            teams, scales=_outcome_scales(results), language=results.language, min_group=results.min_group,
            reference=results.table("organisation"))),
        "security and engagement over time per department": ("trend_departments.png", charts.trend(
            results.table("department"), scales=_outcome_scales(results), language=results.language,
            min_group=results.min_group)),
        "the four pillars per team": ("pillars_teams.png", charts.pillars(
            teams, wave=wave, scales=[s.id for s in results.template.pillars], language=results.language,
            min_group=results.min_group)),
        "teams × scales heatmap": ("heatmap_teams.png", charts.heatmap(
            teams, wave=wave, scales=[s for s in teams["scale"].unique() if s != "enps"], language=results.language,
            min_group=results.min_group)),
    }
    import matplotlib.pyplot as plt
    for label, (name, fig) in figures.items():
        fig.savefig(out / name, dpi=110, bbox_inches="tight")
        plt.close(fig)
        files[label] = out / name
    print(score_table(results.workspace, wave=wave, by="team").to_string(index=False))
    return files


def _outcome_scales(results: Results) -> tuple:
    ids = [i.id for i in results.template.indices if i.id == "security"]
    ids += [s.id for s in results.template.scales_with_role("outcome") if s.id == "engagement"]
    return tuple(ids) or tuple(s.id for s in results.template.scales_with_role("outcome"))


def _export_table(table: pd.DataFrame, language: str | None = None) -> pd.DataFrame:
    """group_scores.csv: the protected table, rounded, with `suppressed_reason` in the language."""
    from .messages import text
    columns = ["wave", "level", "group", "parent", "scale", "title", "kind", "n", "mean", "sd", "ci_low", "ci_high",
               "favourable", "enps", "headcount", "response_rate", "suppressed", "suppressed_reason"]
    out = table[[c for c in columns if c in table.columns]].copy()
    for col in ("mean", "sd", "ci_low", "ci_high", "favourable", "enps", "response_rate"):
        out[col] = out[col].round(2)
    if "suppressed_reason" in out.columns:
        out["suppressed_reason"] = out["suppressed_reason"].map(
            lambda reason: text(language, "export.reason." + reason) if isinstance(reason, str) else reason)
    return out
