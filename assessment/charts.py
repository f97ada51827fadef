"""Charts for leaders and reports: one public function per chart, tidy data in, a Figure out.

Every function takes the tables that `statistics`/`analysis` return, where a group under the
anonymity threshold is already a row marked `suppressed` with no numbers. The charts never draw
such a group as a value: they leave a gap and say which groups are hidden and why.
"""

from __future__ import annotations

import functools

import matplotlib

if matplotlib.get_backend().lower() not in ("module://matplotlib_inline.backend_inline", "nbagg", "widget", "ipympl"):
    matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.text import Text  # noqa: E402
from .messages import LANGUAGES, section  # noqa: E402

PALETTE = "colorblind"
SUPPRESSED_COLOUR = "#d9d9d9"
# diverging agreement colours that read in print and for colour-blind readers (ColorBrewer RdBu)
AGREEMENT_COLOURS = ["#b2182b", "#ef8a62", "#e0e0e0", "#67a9cf", "#2166ac"]
SKIPPED_COLOUR = "#9e9e9e"

_TEXT = {language: section(language, "chart.") for language in LANGUAGES}   # assessment.messages


# Names come from people and imports: a team called "$x^2$", "Team $" or "$\\foo$" must be printed as written.
# matplotlib reads text between two `$` as mathtext (and fails on an unknown command), and with `text.usetex`
# hands every text to LaTeX: every chart is drawn with both off, for every text it makes.
_LITERAL_TEXT = {"text.parse_math": False, "text.usetex": False}


def _literal(draw):
    """Draw with every text literal: no mathtext, no LaTeX (texts created while drawing, and all texts of the
    figure returned, so later redraws and `savefig` keep them literal too)."""
    @functools.wraps(draw)
    def literal(*args, **kwargs):
        with plt.rc_context(_LITERAL_TEXT):
            fig = draw(*args, **kwargs)
            for text in fig.findobj(Text):
                text.set_parse_math(False)
                text.set_usetex(False)
        return fig
    return literal


def _t(language: str | None, key: str, **kw) -> str:
    return _TEXT.get(language or "en", _TEXT["en"])[key].format(**kw)


def _visible(table: pd.DataFrame) -> pd.DataFrame:
    return table[~table["suppressed"].astype(bool)]


def _hidden_note(table: pd.DataFrame, language, min_group: int | None) -> str | None:
    """Which groups are hidden, and why: too few respondents, or hidden so a small group cannot be
    worked out by subtracting visible groups from their department."""
    shown = set(_visible(table)["group"])
    hidden = table[table["suppressed"].astype(bool) & ~table["group"].isin(shown)]
    if hidden.empty:
        return None
    reasons = hidden.get("suppressed_reason", pd.Series("small group", index=hidden.index)).fillna("small group")
    small = sorted(set(hidden.loc[reasons == "small group", "group"]))
    other = sorted(set(hidden["group"]) - set(small))
    parts = []
    if small:
        label = _t(language, "suppressed", n=min_group) if min_group else _t(language, "suppressed_short")
        parts.append(f"{label}: {', '.join(map(str, small))}")
    if other:
        parts.append(f"{_t(language, 'differencing')}: {', '.join(map(str, other))}")
    return "\n".join(parts)


def _cell_label(reason, min_group, language=None) -> str:
    if reason == "differencing":
        return _t(language, "suppressed_short")
    return f"n<{min_group}" if min_group else "–"


def _titles(table: pd.DataFrame, column: str = "scale") -> dict:
    if "title" in table.columns:
        pairs = table[[column, "title"]].drop_duplicates(column, keep="last")   # not one pair per row
        return dict(zip(pairs[column], pairs["title"]))
    return {}


def _wave_order(table: pd.DataFrame) -> list:
    waves = table["wave"]
    if isinstance(waves.dtype, pd.CategoricalDtype):
        return [w for w in waves.cat.categories if w in set(waves)]
    return list(dict.fromkeys(waves))


def _action_marks(actions: pd.DataFrame | None, waves: list) -> dict:
    """{group: [(scale, wave position), ...]} of the actions agreed in a drawn wave (no duplicates)."""
    if actions is None or len(actions) == 0:
        return {}
    position = {str(w): k for k, w in enumerate(waves)}
    marks: dict = {}
    for group, scale, wave in actions[["group", "scale", "wave"]].itertuples(index=False, name=None):
        if str(wave) in position:
            entry = marks.setdefault(group, [])
            if (scale, position[str(wave)]) not in entry:
                entry.append((scale, position[str(wave)]))
    return marks


def _shown_value(visible: pd.DataFrame, group, scale, wave) -> float | None:
    """The group's shown mean of a scale in a wave (from rows without hidden ones), or None."""
    rows = visible[(visible["group"] == group) & (visible["scale"] == scale) & (visible["wave"] == wave)]
    if rows.empty or pd.isna(rows["mean"].iloc[0]):
        return None
    return float(rows["mean"].iloc[0])


_ACTION_MARKER = {"marker": "*", "markersize": 13, "markeredgecolor": "#222222", "markeredgewidth": 0.8,
                  "linestyle": "none", "zorder": 6}
_ACTION_WAVE = {"linestyle": (0, (4, 3)), "linewidth": 1.0, "alpha": 0.45, "zorder": 0.5}


def _mark_action(ax, pos: int, value: float | None, colour, line_colour):
    """A star at a shown value; a light vertical line at the wave when there is no value to mark."""
    if value is not None and np.isfinite(value):
        ax.plot([pos], [value], color=colour, markerfacecolor=colour, label="_action", gid="action", **_ACTION_MARKER)
    elif not any(line.get_gid() == "action-wave" and line.get_xdata()[0] == pos and line.get_color() == line_colour
                 for line in ax.lines):
        ax.axvline(pos, color=line_colour, label="_action_wave", gid="action-wave", **_ACTION_WAVE)


def _action_handles(axes, language) -> list:
    """Legend entries for the action marks that were drawn."""
    gids = {line.get_gid() for ax in axes for line in ax.lines}
    handles = []
    if "action" in gids:
        handles.append(plt.Line2D([], [], color="#bbbbbb", markerfacecolor="#bbbbbb",
                                  label=_t(language, "action"), **_without_zorder(_ACTION_MARKER)))
    if "action-wave" in gids:
        handles.append(plt.Line2D([], [], color="#666666", label=_t(language, "action_other"),
                                  **_without_zorder(_ACTION_WAVE)))
    return handles


def _without_zorder(style: dict) -> dict:
    return {k: v for k, v in style.items() if k != "zorder"}


def _empty(ax, language):
    ax.text(0.5, 0.5, _t(language, "no_data"), ha="center", va="center", transform=ax.transAxes, color="#555555")
    ax.set_xticks([])
    ax.set_yticks([])


@_literal
def trend(table: pd.DataFrame, scales=("security", "engagement"), groups=None, language=None,
          min_group: int | None = None, max_lines: int = 6, max_panels: int = 24,
          reference: pd.DataFrame | None = None, actions: pd.DataFrame | None = None,
          references: pd.DataFrame | None = None) -> plt.Figure:
    """Scores over waves with 95% confidence bands.

    Up to `max_lines` groups: one panel per scale, a line per group. Up to `max_panels` groups: one
    small panel per group, a line per scale, so every team stays readable. More groups (a large
    organisation's teams): one panel per scale in which every shown group is a thin line, the
    `reference` group (rows of one group in the same columns, e.g. the organisation's; optional) a
    bold line with its 95% band, and the groups lowest and highest in the last wave are named.

    A hidden group is never drawn in any layout: it is named in a note below the figure.

    `actions` (optional; columns group, scale, wave, e.g. `store.actions()`): each action of a drawn
    group is marked at the wave it was agreed, with a star on the group's line in its scale's panel
    where that value is shown, and otherwise (its scale not drawn, or the value hidden that wave) with
    a light vertical line in the group's panel(s). Only shown values are ever marked.

    `references` (optional; rows of other groups in the same columns, e.g. a team's department and the
    organisation): with a panel per scale, each is a dashed grey line of its shown values, named in the
    legend; a hidden value is a gap, and a reference group never shown is not drawn."""
    data = table[table["scale"].isin(scales)]
    if groups is not None:
        data = data[data["group"].isin(groups)]
    waves = _wave_order(table)
    titles = _titles(table)
    visible = _visible(data)
    group_order = list(dict.fromkeys(visible["group"]))
    marks = _action_marks(actions, waves)
    if len(group_order) > max(max_panels, max_lines):
        return _trend_many(data, visible, list(scales), waves, titles, group_order, reference, language, min_group,
                           marks=marks)
    if len(group_order) <= max_lines:
        panels, lines, panel_key, line_key = list(scales), group_order, "scale", "group"
        ncols = len(panels)
    else:
        panels, lines, panel_key, line_key = group_order, list(scales), "group", "scale"
        ncols = 4
    nrows = int(np.ceil(len(panels) / ncols)) or 1
    width = 5.0 if panel_key == "scale" else 3.6   # narrow enough that the text stays readable on a page
    fig, axes = plt.subplots(nrows, ncols, figsize=(width * ncols, (4.2 if nrows == 1 else 3.0) * nrows),
                             sharey=True, squeeze=False)
    # the panels share y: one set_ylim sets them all (once per panel costs O(panels²): 20 s at 200 teams)
    axes.flat[0].set_ylim(0, 100)
    colours = dict(zip(lines, sns.color_palette(PALETTE, max(len(lines), 1))))
    x = np.arange(len(waves))
    for ax, panel in zip(axes.flat, panels):
        part = visible[visible[panel_key] == panel]
        if part.empty:
            _empty(ax, language)
        for line in lines:
            rows = part[part[line_key] == line].set_index("wave").reindex(waves)
            if rows["mean"].isna().all():
                continue
            label = titles.get(line, line) if line_key == "scale" else line
            ax.plot(x, rows["mean"], marker="o", color=colours[line], label=label)
            ax.fill_between(x, rows["ci_low"], rows["ci_high"], color=colours[line], alpha=0.15, linewidth=0)
        if panel_key == "scale" and references is not None and len(references):
            _reference_lines(ax, references, panel, waves, x, language)
        if marks:
            # a line per group: stars on this scale's lines; a line per scale: this group's panel
            marked = [(g, colours[g]) for g in lines] if panel_key == "scale" else [(panel, "#666666")]
            for group, colour in marked:
                for scale, pos in marks.get(group, ()):
                    if scale not in scales or scale == panel or panel_key == "group":
                        value = _shown_value(part, group, scale, waves[pos]) if scale in scales else None
                        star = colours[scale] if panel_key == "group" and scale in colours else colour
                        _mark_action(ax, pos, value, star, colour)
        ax.set_xticks(x, waves, rotation=25, fontsize=11)
        ax.tick_params(axis="y", labelsize=11)
        ax.set_title(titles.get(panel, panel) if panel_key == "scale" else panel, fontsize=13)
        ax.grid(axis="y", alpha=0.3)
    for ax in axes.flat[len(panels):]:
        ax.set_visible(False)
    for row in axes:
        row[0].set_ylabel(_t(language, "score"), fontsize=12)
    handles = {}
    for ax in axes.flat:
        for handle, label in zip(*ax.get_legend_handles_labels()):
            handles.setdefault(label, handle)
    for handle in _action_handles(axes.flat, language):
        handles[handle.get_label()] = handle
    if handles:
        # above the panels, so the figure stays as narrow as its panels
        fig.legend(handles.values(), handles.keys(), loc="lower center", bbox_to_anchor=(0.5, 1.0),
                   ncol=min(len(handles), 3 if panel_key == "scale" else len(handles)), frameon=False, fontsize=11)
    fig.tight_layout()
    note = _hidden_note(data, language, min_group)
    if note:
        fig.text(0.01, -0.01, note, fontsize=10, color="#555555", ha="left", va="top")
    return fig


# reference groups (a team's department, the organisation): dark to light grey, each its own dash
_REFERENCE_STYLES = [{"color": "#333333", "linestyle": (0, (5, 2.5))}, {"color": "#8a8a8a", "linestyle": (0, (2, 2))},
                     {"color": "#b0b0b0", "linestyle": (0, (6, 2, 1, 2))}]


def _reference_name(group, language) -> str:
    from .statistics import ORGANISATION
    return _t(language, "organisation") if group == ORGANISATION else str(group)


def _reference_groups(references: pd.DataFrame) -> list:
    """The reference groups that have a shown value anywhere, in the order given."""
    return list(dict.fromkeys(_visible(references)["group"]))


def _reference_lines(ax, references: pd.DataFrame, scale, waves: list, x, language):
    visible = _visible(references)
    for k, group in enumerate(_reference_groups(references)):
        rows = visible[(visible["group"] == group) & (visible["scale"] == scale)]
        values = rows.drop_duplicates("wave").set_index("wave")["mean"].reindex(waves).to_numpy(dtype="float64")
        if np.isnan(values).all():
            continue
        style = _REFERENCE_STYLES[k % len(_REFERENCE_STYLES)]
        ax.plot(x, values, linewidth=1.8, marker="o", markersize=3.5, label=_reference_name(group, language),
                gid="reference", zorder=1.5, **style)


_GROUP_LINE_COLOUR = "#8c8c8c"
_REFERENCE_COLOUR = "#222222"
_LOW_COLOUR, _HIGH_COLOUR = "#b2182b", "#2166ac"


def _spread_labels(y: np.ndarray, gap: float, top: float = 100.0) -> np.ndarray:
    """Label heights at least `gap` apart, each as close to its line's end as that allows."""
    order = np.argsort(y, kind="stable")
    placed = y[order].astype("float64")
    for k in range(1, len(placed)):
        placed[k] = max(placed[k], placed[k - 1] + gap)
    for k in range(len(placed) - 1, -1, -1):
        placed[k] = min(placed[k], top if k == len(placed) - 1 else placed[k + 1] - gap)
    out = np.empty_like(placed)
    out[order] = placed
    return out


def _dots(alone: np.ndarray, size: float) -> dict:
    return {"marker": "o", "markersize": size, "markevery": list(alone)} if alone.any() else {}


def _short(name, width: int = 22) -> str:
    name = str(name)
    return name if len(name) <= width else name[:width - 1] + "…"


def _trend_many(data: pd.DataFrame, visible: pd.DataFrame, scales: list, waves: list, titles: dict, groups: list,
                reference: pd.DataFrame | None, language, min_group: int | None, named: int = 3,
                marks: dict | None = None) -> plt.Figure:
    """`trend` for many groups: one panel per scale, every shown group a thin line (one Line2D per
    group, labelled with its name), the reference group bold with its band, the extremes named.
    `visible` is `data` without hidden rows (as `trend` already has it)."""
    x = np.arange(len(waves))
    wave_pos = {w: k for k, w in enumerate(waves)}
    group_pos = {g: k for k, g in enumerate(groups)}
    fig, axes = plt.subplots(1, len(scales), figsize=(6.2 * len(scales), 4.6), sharey=True, squeeze=False)
    axes.flat[0].set_ylim(0, 100)          # shared: once sets every panel
    ref = None
    if reference is not None and len(reference):
        ref_group = reference["group"].iloc[0]
        ref = _visible(reference[(reference["group"] == ref_group) & reference["scale"].isin(scales)])
    levels = set(data["level"]) if "level" in data.columns else set()
    each = f"each_{levels.pop()}" if len(levels) == 1 and levels <= {"team", "department"} else "each_group"
    last = str(waves[-1]) if waves else ""
    named_any = False
    for ax, scale in zip(axes[0], scales):
        part = visible[visible["scale"] == scale]
        means = np.full((len(groups), len(waves)), np.nan)
        rows = [group_pos[g] for g in part["group"]]
        cols = [wave_pos[w] for w in part["wave"]]
        means[rows, cols] = part["mean"].to_numpy(dtype="float64")
        drawn = ~np.isnan(means).all(axis=1)
        ends = means[:, -1] if waves else np.full(len(groups), np.nan)
        ranked = [k for k in np.argsort(ends, kind="stable") if not np.isnan(ends[k])]
        low, high = [], []
        if len(ranked) > 2 * named:
            low, high = ranked[:named], ranked[-named:][::-1]
        # a wave with no neighbour to join gets a dot, so a value between hidden waves still shows
        shown = ~np.isnan(means)
        before = np.pad(shown[:, :-1], ((0, 0), (1, 0)))
        after = np.pad(shown[:, 1:], ((0, 0), (0, 1)))
        alone = shown & ~before & ~after
        for k, group in enumerate(groups):
            if not drawn[k] or k in low or k in high:
                continue
            ax.plot(x, means[k], color=_GROUP_LINE_COLOUR, linewidth=0.7, alpha=0.45, label=group, gid="group",
                    zorder=1, **_dots(alone[k], 2.0))
        for ks, colour in ((low, _LOW_COLOUR), (high, _HIGH_COLOUR)):
            for k in ks:
                ax.plot(x, means[k], color=colour, linewidth=1.3, alpha=0.9, label=groups[k], gid="group", zorder=2,
                        **_dots(alone[k], 3.0))
        if ref is not None:
            rrows = ref[ref["scale"] == scale].set_index("wave").reindex(waves)
            if not rrows["mean"].isna().all():
                ax.fill_between(x, rrows["ci_low"], rrows["ci_high"], color=_REFERENCE_COLOUR, alpha=0.18, linewidth=0,
                                zorder=3)
                ax.plot(x, rrows["mean"], color=_REFERENCE_COLOUR, linewidth=2.6, marker="o", markersize=4.5,
                        label=ref_group, gid="reference", zorder=4)
        if marks:
            colour_of = {k: _LOW_COLOUR for k in low} | {k: _HIGH_COLOUR for k in high}
            for group, entries in marks.items():
                if group in group_pos and drawn[group_pos[group]]:
                    k = group_pos[group]
                    values, colour = means[k], colour_of.get(k, _GROUP_LINE_COLOUR)
                elif ref is not None and group == ref_group:
                    values, colour = rrows["mean"].to_numpy(dtype="float64"), _REFERENCE_COLOUR
                else:
                    continue              # not drawn (hidden, or not among the groups): never marked
                for action_scale, pos in entries:
                    if action_scale == scale:
                        _mark_action(ax, pos, values[pos], colour, _GROUP_LINE_COLOUR)
                    elif action_scale not in scales:
                        _mark_action(ax, pos, None, colour, _GROUP_LINE_COLOUR)
        if low or high:
            named_any = True
            picked = low + high
            heights = _spread_labels(ends[picked], gap=3.8)
            for k, h in zip(picked, heights):
                ax.text(x[-1] + 0.15, h, _short(groups[k]), fontsize=9, va="center", ha="left",
                        color=_LOW_COLOUR if k in low else _HIGH_COLOUR)
        if not drawn.any():
            _empty(ax, language)
        ax.set_xticks(x, waves, rotation=25, fontsize=10)
        ax.tick_params(axis="y", labelsize=10)
        ax.set_xlim(-0.3, len(waves) - 1 + 1.6)
        ax.set_title(titles.get(scale, scale), fontsize=12)
        ax.grid(axis="y", alpha=0.3)
    axes[0][0].set_ylabel(_t(language, "score"), fontsize=11)
    handles = [plt.Line2D([], [], color=_GROUP_LINE_COLOUR, linewidth=0.9, alpha=0.6,
                          label=_t(language, each, n=len(groups)))]
    if ref is not None and len(ref):
        handles.insert(0, plt.Line2D([], [], color=_REFERENCE_COLOUR, linewidth=2.6,
                                     label=_t(language, "band", group=ref_group)))
    if named_any:
        handles.append(plt.Line2D([], [], color=_LOW_COLOUR, linewidth=1.3,
                                  label=_t(language, "lowest", k=named, wave=last)))
        handles.append(plt.Line2D([], [], color=_HIGH_COLOUR, linewidth=1.3,
                                  label=_t(language, "highest", k=named, wave=last)))
    handles += _action_handles(axes[0], language)
    fig.legend(handles=handles, loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=len(handles), frameon=False,
               fontsize=10)
    fig.tight_layout()
    note = _hidden_note(data, language, min_group)
    if note:                               # many names: wrapped to the figure's width, never inside a name
        note = "\n".join(_wrap_names(part, int(14 * 6.2 * len(scales))) for part in note.splitlines())
        fig.text(0.01, -0.01, note, fontsize=9, color="#555555", ha="left", va="top")
    return fig


def _wrap_names(text: str, width: int) -> str:
    lines, line = [], ""
    for name in text.split(", "):
        if line and len(line) + 2 + len(name) > width:
            lines.append(line + ",")
            line = name
        else:
            line = f"{line}, {name}" if line else name
    return "\n".join(lines + [line])


@_literal
def pillars(table: pd.DataFrame, wave=None, scales=None, language=None, min_group: int | None = None,
            references: pd.DataFrame | None = None) -> plt.Figure:
    """The four pillars per group for one wave: grouped bars with 95% confidence intervals.

    `references` (optional; rows of other groups in the same columns, e.g. a team's department and the
    organisation): each reference group's shown score is a short horizontal mark across each bar (one
    style per group, named in the legend); a hidden value gets no mark."""
    wave = wave if wave is not None else _wave_order(table)[-1]
    data = table[table["wave"] == wave]
    if scales is None:
        scales = list(dict.fromkeys(data.loc[data.get("role", pd.Series(index=data.index)).eq("pillar"), "scale"])) \
            if "role" in data.columns else list(dict.fromkeys(data["scale"]))
    data = data[data["scale"].isin(scales)]
    visible = _visible(data)
    groups = list(dict.fromkeys(visible["group"]))
    titles = _titles(table)
    fig, ax = plt.subplots(figsize=(max(6.5, 0.9 * len(groups) + 3), 4.6))
    if visible.empty:
        _empty(ax, language)
    else:
        width = 0.8 / len(scales)
        colours = sns.color_palette(PALETTE, len(scales))
        x = np.arange(len(groups))
        for k, scale in enumerate(scales):
            rows = visible[visible["scale"] == scale].set_index("group").reindex(groups)
            err = np.vstack([rows["mean"] - rows["ci_low"], rows["ci_high"] - rows["mean"]])
            ax.bar(x + (k - (len(scales) - 1) / 2) * width, rows["mean"], width, yerr=err, capsize=2,
                   color=colours[k], label=titles.get(scale, scale))
        if references is not None and len(references):
            _reference_marks(ax, references, wave, scales, x, width, language)
        ax.set_xticks(x, groups, rotation=30 if len(groups) > 1 else 0, ha="right" if len(groups) > 1 else "center")
        ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), frameon=False)
    ax.set_ylim(0, 100)
    ax.set_ylabel(_t(language, "score"))
    ax.set_title(str(wave))
    ax.grid(axis="y", alpha=0.3)
    note = _hidden_note(data, language, min_group)
    if note:
        fig.text(0.01, -0.02, note, fontsize=9, color="#555555", ha="left", va="top")
    fig.tight_layout()
    return fig


def _reference_marks(ax, references: pd.DataFrame, wave, scales: list, x, width: float, language):
    """A short horizontal line (with a dot in the middle) across each bar at a reference group's shown score:
    one Line2D per reference group, labelled with its name, so the legend names it."""
    visible = _visible(references[references["wave"] == wave])
    for k, group in enumerate(_reference_groups(visible)):
        rows = visible[visible["group"] == group].drop_duplicates("scale").set_index("scale")["mean"]
        xs, ys = [], []
        for j, scale in enumerate(scales):
            value = rows.get(scale)
            if value is None or pd.isna(value):
                continue
            for centre in x + (j - (len(scales) - 1) / 2) * width:
                xs += [centre - 0.45 * width, centre, centre + 0.45 * width, np.nan]
                ys += [float(value)] * 3 + [np.nan]
        if not xs:
            continue
        style = _REFERENCE_STYLES[k % len(_REFERENCE_STYLES)]
        ax.plot(xs, ys, color=style["color"], linewidth=2.4, solid_capstyle="butt", zorder=5, gid="reference",
                marker=["D", "o", "s"][k % 3], markevery=list(range(1, len(xs), 4)), markersize=5.5,
                markeredgecolor="white", markeredgewidth=0.8, label=_reference_name(group, language))


@_literal
def heatmap(table: pd.DataFrame, wave=None, scales=None, language=None, min_group: int | None = None) -> plt.Figure:
    """Groups × scales for one wave; suppressed cells are grey and marked, never given a number."""
    wave = wave if wave is not None else _wave_order(table)[-1]
    data = table[table["wave"] == wave]
    if scales is not None:
        data = data[data["scale"].isin(scales)]
    scale_order = list(dict.fromkeys(data["scale"]))
    group_order = list(dict.fromkeys(data["group"]))
    titles = _titles(table)
    means = data.pivot_table(index="group", columns="scale", values="mean", aggfunc="first", dropna=False)
    means = means.reindex(index=group_order, columns=scale_order)
    hidden = data.pivot_table(index="group", columns="scale", values="suppressed", aggfunc="first")
    hidden = hidden.reindex(index=group_order, columns=scale_order).fillna(True).astype(bool)
    means = means.where(~hidden)
    if "suppressed_reason" in data.columns:
        reasons = data.pivot_table(index="group", columns="scale", values="suppressed_reason", aggfunc="first")
        reasons = reasons.reindex(index=group_order, columns=scale_order)
    else:
        reasons = pd.DataFrame(index=group_order, columns=scale_order)
    fig, ax = plt.subplots(figsize=(1.0 * len(scale_order) + 3.5, 0.45 * len(group_order) + 2))
    sns.heatmap(means, ax=ax, vmin=0, vmax=100, cmap="RdYlBu", annot=True, fmt=".0f", linewidths=0.5,
                cbar_kws={"label": _t(language, "score")}, mask=hidden.to_numpy())
    for (i, j), is_hidden in np.ndenumerate(hidden.to_numpy()):
        if is_hidden:
            ax.add_patch(plt.Rectangle((j, i), 1, 1, facecolor=SUPPRESSED_COLOUR, hatch="//", edgecolor="white", lw=0.5))
            ax.text(j + 0.5, i + 0.5, _cell_label(reasons.iat[i, j], min_group, language), ha="center", va="center",
                    fontsize=8, color="#444444")
    ax.set_xticks(np.arange(len(scale_order)) + 0.5, [titles.get(s, s) for s in scale_order], rotation=35, ha="right")
    ax.set_yticks(np.arange(len(group_order)) + 0.5, [str(g) for g in group_order], rotation=0)
    ax.set_xlabel("")
    ax.set_ylabel("")
    ax.set_title(str(wave))
    fig.tight_layout()
    return fig


@_literal
def agreement(distribution: pd.DataFrame, language=None, labels=None, title: str | None = None) -> plt.Figure:
    """Stacked, diverging agreement bars per item, in questionnaire order, centred on the neutral point.

    `distribution` has columns item, text, value (1..5, or 'skipped'), percent, count."""
    items = list(dict.fromkeys(distribution["item"]))
    texts = dict(zip(distribution["item"], distribution.get("text", distribution["item"])))
    answered = distribution[distribution["value"] != "skipped"].copy()
    answered["value"] = answered["value"].astype(int)
    points = sorted(answered["value"].unique()) or [1, 2, 3, 4, 5]
    colours = AGREEMENT_COLOURS if len(points) == 5 else sns.color_palette("RdBu", len(points))
    share = answered.pivot_table(index="item", columns="value", values="percent", aggfunc="sum", fill_value=0)
    share = share.reindex(index=items, columns=points, fill_value=0)
    skipped = distribution[distribution["value"] == "skipped"].set_index("item")["percent"].reindex(items).fillna(0)
    mid = (len(points) - 1) / 2
    fig, (ax, ax_skip) = plt.subplots(1, 2, figsize=(11, 0.45 * len(items) + 1.8), sharey=True,
                                      gridspec_kw={"width_ratios": [6, 1]})
    y = np.arange(len(items))
    left = -share[[p for p in points if points.index(p) < mid]].sum(axis=1).to_numpy()
    if len(points) % 2:
        left = left - share[points[int(mid)]].to_numpy() / 2
    for k, p in enumerate(points):
        width = share[p].to_numpy()
        label = labels[k] if labels and k < len(labels) else str(p)
        ax.barh(y, width, left=left, color=colours[k], label=label, edgecolor="white", linewidth=0.5)
        for yi, (l, w) in enumerate(zip(left, width)):
            if w >= 7:
                ax.text(l + w / 2, yi, f"{w:.0f}", ha="center", va="center", fontsize=7,
                        color="white" if k in (0, len(points) - 1) else "black")
        left = left + width
    ax.axvline(0, color="#333333", linewidth=0.8)
    ax.set_yticks(y, [_wrap(texts[i]) for i in items], fontsize=8)
    ax.invert_yaxis()
    ax.set_xlim(-100, 100)
    ax.set_xlabel(_t(language, "share"))
    ax.legend(ncol=len(points), loc="upper center", bbox_to_anchor=(0.5, -0.12 if len(items) > 3 else -0.3),
              frameon=False, fontsize=8)
    ax_skip.barh(y, skipped.to_numpy(), color=SKIPPED_COLOUR)
    for yi, v in enumerate(skipped.to_numpy()):
        ax_skip.text(v + 1, yi, f"{v:.0f}", va="center", fontsize=7)
    ax_skip.set_xlim(0, max(25, skipped.max() * 1.3 if len(skipped) else 25))
    ax_skip.set_title(_t(language, "skipped"), fontsize=9)
    if title:
        ax.set_title(title)
    fig.tight_layout()
    return fig


@_literal
def change(comparison: pd.DataFrame, language=None, title: str | None = None) -> plt.Figure:
    """Change per scale between two waves; significant changes (beyond the template's minimum) marked."""
    data = comparison.dropna(subset=["diff"])
    titles = _titles(comparison)
    fig, ax = plt.subplots(figsize=(7.5, 0.5 * max(len(data), 1) + 1.6))
    if data.empty:
        _empty(ax, language)
        return fig
    labels = [f"{g} · {titles.get(s, s)}" if data["group"].nunique() > 1 else titles.get(s, s)
              for g, s in zip(data["group"], data["scale"])]
    colours = ["#2166ac" if d > 0 else "#b2182b" for d in data["diff"]]
    alphas = [1.0 if f else 0.35 for f in data["flagged"].fillna(False)]
    y = np.arange(len(data))
    for yi, d, c, a in zip(y, data["diff"], colours, alphas):
        ax.barh(yi, d, color=c, alpha=a)
    for yi, (d, f) in enumerate(zip(data["diff"], data["flagged"].fillna(False))):
        ax.text(d + (0.5 if d >= 0 else -0.5), yi, f"{d:+.1f}" + (" *" if f else ""), va="center",
                ha="left" if d >= 0 else "right", fontsize=8, fontweight="bold" if f else "normal")
    ax.set_yticks(y, labels, fontsize=8)
    ax.invert_yaxis()
    ax.axvline(0, color="#333333", linewidth=0.8)
    lim = max(10, float(np.nanmax(np.abs(data["diff"]))) * 1.35)
    ax.set_xlim(-lim, lim)
    wave_a = data["wave_a"].iloc[0] if "wave_a" in data.columns else ""
    ax.set_xlabel(_t(language, "change", a=wave_a))
    ax.set_title(title or f"* = {_t(language, 'significant')}")
    fig.tight_layout()
    return fig


@_literal
def drivers(table: pd.DataFrame, language=None, title: str | None = None) -> plt.Figure:
    """How strongly each pillar goes with each outcome (correlation with its 95% CI)."""
    outcomes = list(dict.fromkeys(table["outcome"]))
    titles = dict(zip(table["pillar"], table.get("pillar_title", table["pillar"])))
    outcome_titles = dict(zip(table["outcome"], table.get("outcome_title", table["outcome"])))
    fig, axes = plt.subplots(1, len(outcomes), figsize=(5 * max(len(outcomes), 1), 3.6), sharey=True, squeeze=False)
    # one pillar order for every panel, since the panels share their y labels: the strongest (mean r) first
    order = list(table.groupby("pillar", sort=False)["r"].mean().sort_values(ascending=False, kind="stable").index)
    for ax, outcome in zip(axes[0], outcomes):
        rows = table[table["outcome"] == outcome].set_index("pillar").reindex(order).reset_index()
        y = np.arange(len(rows))
        ax.errorbar(rows["r"], y, xerr=[rows["r"] - rows["ci_low"], rows["ci_high"] - rows["r"]], fmt="o",
                    color="#2166ac", capsize=3)
        ax.set_yticks(y, [titles.get(p, p) for p in rows["pillar"]])
        ax.invert_yaxis()
        ax.set_xlim(-0.2, 1.0)
        ax.axvline(0, color="#999999", linewidth=0.8)
        ax.set_xlabel(_t(language, "drivers", o=outcome_titles.get(outcome, outcome)))
        ax.grid(axis="x", alpha=0.3)
    source = table["source"].iloc[0] if "source" in table.columns and len(table) else None
    fig.suptitle(title or (f"{table['group'].iloc[0]} ({source})" if source else ""), fontsize=10)
    fig.tight_layout()
    return fig


@_literal
def enps(table: pd.DataFrame, wave=None, language=None, min_group: int | None = None) -> plt.Figure:
    """eNPS per group for one wave (promoters minus detractors), hidden groups named, not drawn."""
    data = table[table["kind"] == "enps"]
    wave = wave if wave is not None else _wave_order(table)[-1]
    data = data[data["wave"] == wave]
    visible = _visible(data)
    fig, ax = plt.subplots(figsize=(max(6, 0.7 * len(visible) + 2.5), 4))
    if visible.empty:
        _empty(ax, language)
    else:
        colours = ["#2166ac" if v >= 0 else "#b2182b" for v in visible["enps"]]
        ax.bar(visible["group"], visible["enps"], color=colours)
        for x, v in enumerate(visible["enps"]):
            ax.text(x, v + (3 if v >= 0 else -3), f"{v:+.0f}", ha="center", va="bottom" if v >= 0 else "top", fontsize=8)
        ax.set_xticks(np.arange(len(visible)), visible["group"], rotation=30, ha="right")
    ax.axhline(0, color="#333333", linewidth=0.8)
    ax.set_ylim(-100, 100)
    ax.set_ylabel(_t(language, "enps"))
    ax.set_title(str(wave))
    note = _hidden_note(data, language, min_group)
    if note:
        fig.text(0.01, -0.02, note, fontsize=9, color="#555555", ha="left", va="top")
    fig.tight_layout()
    return fig


def _wrap(text: str, width: int = 55) -> str:
    import textwrap
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)
