"""Client and team reports: one self-contained HTML file per group, and a PDF of it on request.

`Report` renders a group's report as sections of HTML. `notebooks/report.ipynb` holds only a
parameters cell and a call to `Report.display()`, so a consultant can read and adjust a report as a
notebook; `write_reports` (`assessment report`) builds the same sections in one process for every
group of a batch, from one scored workspace, and writes them as one page per group, with charts
embedded as data URIs and no link to anything outside the file; `write_pdf` prints that page to an A4
PDF with WeasyPrint. A group that the protected tables hide gets no report.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
import weakref
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import charts
from ._format import number, number_range, percent
from ._resources import NOTEBOOKS_DIR
from .analysis import Results
from .exceptions import AssessmentError, UnknownNameError
from .migrations import ACTION_STATUSES
from .messages import LANGUAGES, section, text
from .statistics import ORGANISATION
from .workspace import Workspace

REPORT_NOTEBOOK = NOTEBOOKS_DIR / "report.ipynb"
LOW_SCORE = 50.0   # a scale mean below this (0-100) is flagged as a risk


def _report_texts(language: str) -> dict:
    """The report's texts in a language from the message catalogue (keys under "report."), with the
    data-quality flags and action statuses as their own dicts."""
    texts: dict = {"flags": {}, "statuses": {}}
    for key, value in section(language, "report.").items():
        head, _, rest = key.partition(".")
        if head in ("flags", "statuses"):
            texts[head][rest] = value
        elif head != "meeting":
            texts[key] = value
    return texts


def _guide(language: str) -> dict[str, list[str]]:
    """Questions for a team's own follow-up meeting, per pillar (the kit's own wording)."""
    guide: dict[str, list[str]] = {}
    for key, value in section(language, "report.meeting.").items():
        guide.setdefault(key.split(".")[0], []).append(value)
    return guide


TEXT = {language: _report_texts(language) for language in LANGUAGES}
GUIDE = {language: _guide(language) for language in LANGUAGES}


class Report:
    """One group's report for one wave, as a list of (section id, HTML) pairs."""

    def __init__(self, workspace, wave: str | None = None, group: str | None = None, level: str = "team",
                 language: str | None = None, results: Results | None = None):
        self.results = results or Results(workspace, language=language)
        self.language = language or self.results.language
        if self.language not in self.results.template.languages:
            raise AssessmentError(f"the survey has no {self.language!r} text; choose one of "
                                  f"{', '.join(self.results.template.languages)}")
        self.text = TEXT.get(self.language, TEXT["en"])
        self.wave = wave or self.results.latest_wave()
        if self.wave not in self.results.waves:
            self.results.workspace.store.wave_id(self.wave)
        self.level = "organisation" if group in (None, ORGANISATION) else level
        self.group = group or ORGANISATION
        groups = _memo(self.results, "groups", self.level)
        if self.group not in groups:
            raise UnknownNameError(f"no {self.level} named {self.group!r} has responses; choose one of {', '.join(groups)}")
        if not self.results.shown(self.wave, self.group):
            raise AssessmentError(f"{self.group} has too few respondents in {self.wave} to report on (the threshold is "
                                  f"{self.results.min_group}, and groups that would reveal a smaller one are hidden too)")

    # ------------------------------------------------------------ pieces
    def _rows(self, table=None):
        table = _memo(self.results, "table", self.level, language=self.language) if table is None else table
        return table[(table["group"] == self.group)]

    def _figure(self, fig, alt: str) -> str:
        """A chart as an embedded PNG; `alt` (the section's heading, already escaped) names it for screen readers."""
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        data = base64.b64encode(buffer.getvalue()).decode()
        return f'<img alt="{alt}" src="data:image/png;base64,{data}" style="max-width:100%">'

    def _agreement(self, dist: pd.DataFrame, scale) -> str:
        """One scale's answers per question as diverging bars in HTML (what `charts.agreement` draws for the
        dashboard): each item's shares of the answer points side by side, centred on the neutral point, the
        share who skipped it beside. Real text, so it is sharp and selectable in print and a PDF, and a few
        milliseconds where drawing the figure took about a quarter of a second (a report has one per pillar:
        two thirds of a batch's time). The layout is in inline styles, so the section also renders as a
        notebook output without the page's stylesheet."""
        labels = list(scale.response_scale.labels.get(self.language) or [])
        texts = dict(zip(dist["item"], dist["text"]))
        answered = dist[dist["value"] != "skipped"]
        points = sorted({int(v) for v in answered["value"]}) or [1, 2, 3, 4, 5]
        if len(points) == 5:
            colours = charts.AGREEMENT_COLOURS
        else:
            import seaborn as sns
            colours = sns.color_palette("RdBu", len(points)).as_hex()
        share = answered.assign(value=answered["value"].astype(int)).pivot_table(
            index="item", columns="value", values="percent", aggfunc="sum", fill_value=0)
        items = list(dict.fromkeys(dist["item"]))
        share = share.reindex(index=items, columns=points, fill_value=0)
        skipped = dist[dist["value"] == "skipped"].set_index("item")["percent"].reindex(items).fillna(0)
        below = [p for p in points if points.index(p) < (len(points) - 1) / 2]
        neutral = points[len(points) // 2] if len(points) % 2 else None
        name = lambda k: html.escape(labels[k] if k < len(labels) else str(points[k]))   # noqa: E731
        rows = []
        for item in items:
            left = -float(share.loc[item, below].sum()) - (float(share.loc[item, neutral]) / 2 if neutral else 0.0)
            segments = []
            for k, p in enumerate(points):
                width = float(share.loc[item, p])
                if width > 0:
                    ink = "#fff" if k in (0, len(points) - 1) else "#222"
                    segments.append(
                        f"<span class='seg' title='{name(k)}: {percent(width, self.language)}' style='position:absolute;top:0;bottom:0;"
                        f"left:{(left + 100) / 2:.3f}%;width:{width / 2:.3f}%;background:{colours[k]};color:{ink};"
                        f"text-align:center;overflow:hidden;font-size:.72em;line-height:1.75em'>"
                        f"{f'{width:.0f}' if width >= 7 else ''}</span>")
                left += width
            rows.append(f"<tr><td class='item'>{html.escape(str(texts[item]))}</td><td class='bars'>"
                        "<div class='track' style='position:relative;height:1.3em'>"
                        "<span class='zero' style='position:absolute;top:-.15em;bottom:-.15em;left:50%;"
                        f"border-left:1px solid #333'></span>{''.join(segments)}</div></td>"
                        f"<td class='skipped'>{percent(skipped[item], self.language)}</td></tr>")
        legend = " ".join(f"<span class='key'><span class='swatch' style='display:inline-block;width:.8em;"
                          f"height:.8em;background:{colours[k]};margin-right:.25em'></span>{name(k)}</span>"
                          for k in range(len(points)))
        return (f"<div class='agreement' data-scale='{html.escape(scale.id)}'>"
                f"<h3>{html.escape(self.results.title(scale.id, self.language))}</h3>"
                f"<table class='agreement' style='width:100%;border-collapse:collapse'>"
                f"<tr><th style='width:42%'></th><th class='bars'>{charts._t(self.language, 'share')}</th>"
                f"<th class='skipped' style='width:9%'>{charts._t(self.language, 'skipped')}</th></tr>"
                f"{''.join(rows)}</table><p class='legend'>{legend}</p></div>")

    def sections(self):
        """(id, html) pairs in reading order."""
        t, r = self.text, self.results
        rows = self._rows()
        now = rows[rows["wave"] == self.wave].set_index("scale")
        first = now.iloc[0]
        name = t["organisation"] if self.group == ORGANISATION else self.group
        if pd.isna(first["response_rate"]):
            rate = t["no_rate"]
        elif first["response_rate"] > 100:   # more respondents than the recorded headcount: never print it
            rate = t["over_100"]
        else:
            rate = percent(first["response_rate"], self.language)
        # the spans name the group and wave for the PDF's footer on every page (STYLE's string-set)
        yield "header", (f"<h1>{t['title']}: <span class='group'>{html.escape(name)}</span></h1>"
                         f"<p class='meta'>{t['wave']}: <b class='wave'>{html.escape(self.wave)}</b> · {t['respondents']}: "
                         f"<b>{int(first['n'])}</b> · {t['rate']}: <b>{rate}</b> · {t['generated']}: "
                         f"{_dt.date.today().isoformat()}</p><p class='intro'>{t['intro'].format(n=r.min_group)}</p>"
                         + self._quality_note())
        previous = r.previous_wave(self.wave)
        changes = None
        if previous:
            changes = _memo(r, "compare", previous, self.wave, level=self.level, language=self.language)
            changes = changes[changes["group"] == self.group].set_index("scale")
        yield "summary", self._summary(now, changes, previous)
        if self.level in ("department", "organisation"):
            yield "breakdown", self._breakdown()
        references = self._references()
        outcome_scales = [s for s in ("security", "engagement") if s in now.index]
        fig = charts.trend(rows, scales=tuple(outcome_scales) or tuple(now.index[:2]), language=self.language,
                           min_group=r.min_group, references=references)
        yield "trend", f"<h2>{t['trend']}</h2>{self._figure(fig, t['trend'])}{self._reference_note(references, 'trend')}"
        pillars = [s.id for s in r.template.pillars]
        fig = charts.pillars(rows, wave=self.wave, scales=pillars, language=self.language, min_group=r.min_group,
                             references=references)
        yield "pillars", f"<h2>{t['pillars']}</h2>{self._figure(fig, t['pillars'])}{self._reference_note(references, 'pillars')}"
        yield "risks", self._risks(now, changes, previous)
        yield "actions", self._actions(previous)
        parts = [f"<h2>{t['items']}</h2>"]
        answers = r.item_distribution(self.wave, self.group, language=self.language)   # every scale at once
        reversed_shown = False
        for scale in r.template.pillars:
            dist = answers[answers["item"].isin(scale.item_ids)]
            if not dist.empty:
                parts.append(self._agreement(dist, scale))
                reversed_shown = reversed_shown or dist["text"].astype(str).str.endswith(" (R)").any()
        if reversed_shown:
            parts.insert(1, f"<p class='note reversed-note'>{t['reversed_explained']}</p>")
        yield "items", "".join(parts)
        yield "comments", self._comments()
        yield "guide", self._guide()
        yield "our-actions", self._our_actions()

    def _quality_note(self) -> str:
        """The data-quality flags of the report's group (a department's or the organisation's: of its shown
        teams), translated; HR sees the details with `assessment quality`."""
        t, r = self.text, self.results
        flags = _memo(r, "quality", self.wave)
        rates = _memo(r, "response_rates", self.wave)
        shown = set(rates.loc[~rates["suppressed"], "team"])
        if self.level == "team":
            flags = flags[flags["team"] == self.group]
        elif self.group != ORGANISATION:
            flags = flags[flags["team"].isin({self.group, *r.teams_in(self.group)} & shown)]
        else:
            flags = flags[flags["team"].isin(shown)]
        if flags.empty:
            return ""
        names = t["flags"]
        listed = "; ".join(f"{html.escape(names.get(flag, flag))}" + ("" if self.level == "team" else
                                                                      f" ({html.escape(team)})")
                           for team, flag in zip(flags["team"], flags["flag"]))
        return f"<p class='quality-note'>{t['quality_note'].format(flags=listed)}</p>"

    def _summary(self, now, changes, previous) -> str:
        t = self.text
        head = (f"<tr><th>{t['scale']}</th><th>{t['mean']}</th><th>{t['ci']}</th><th>{t['favourable']}</th>"
                + (f"<th>{t['change']} ({html.escape(previous)})</th>" if previous else "") + "</tr>")
        body = []
        compared = not_compared = False
        for scale, row in now.iterrows():
            if row["suppressed"]:
                continue
            lang = self.language
            if row["kind"] == "enps":
                value, ci, fav = f"{number(row['enps'], lang, 0, sign=True)} ({t['enps']})", "", ""
            else:
                value, ci = number(row["mean"], lang), number_range(row["ci_low"], row["ci_high"], lang)
                fav = percent(row["favourable"], lang)
            cell = ""
            if previous:
                cell = "<td></td>"
                if changes is not None and scale in changes.index:
                    c = changes.loc[scale]
                    if pd.notna(c["diff"]):
                        mark = " ▲" if c["flagged"] and c["diff"] > 0 else (" ▼" if c["flagged"] else "")
                        diff = number(c["diff"], lang, sign=True)
                        cell = f"<td class='{'flag' if c['flagged'] else ''}'>{diff}{mark}</td>"
                        compared = True
                    elif c.get("note"):
                        cell = f"<td title='{html.escape(str(c['note']))}'>{t['not_compared']}</td>"
                        not_compared = True
            body.append(f"<tr><td>{html.escape(row['title'])}</td><td class='num'>{value}</td><td class='ci'>{ci}</td><td class='num'>{fav}</td>{cell}</tr>")
        notes = ""
        if compared:
            note = t["change_note"].format(wave=html.escape(self.wave), previous=html.escape(previous),
                                           min=self._points(self.results.template.min_change))
            notes += f"<p class='note change-note'>{note}</p>"
        if not_compared:
            notes += f"<p class='note not-compared-note'>{t['not_compared_explained']}</p>"
        return (f"<h2>{t['summary']}</h2><table class='scores'><thead>{head}</thead><tbody>{''.join(body)}</tbody>"
                f"</table>{notes}")

    def _risks(self, now, changes, previous) -> str:
        t = self.text
        items = []
        for scale, row in now.iterrows():
            if row["suppressed"] or row["kind"] == "enps":
                continue
            reasons = []
            if row["mean"] < LOW_SCORE:
                reasons.append(t["low"].format(mean=number(row["mean"], self.language, 0),
                                               limit=number(LOW_SCORE, self.language, 0)))
            if changes is not None and scale in changes.index:
                c = changes.loc[scale]
                if bool(c["flagged"]) and c["diff"] < 0:
                    reasons.append(t["falling"].format(diff=number(c["diff"], self.language, sign=True),
                                                       wave=html.escape(previous)))
            if reasons:
                items.append(f"<li><b>{html.escape(row['title'])}</b>: {'; '.join(reasons)}</li>")
        inner = f"<ul class='risks'>{''.join(items)}</ul>" if items else f"<p>{t['no_risks']}</p>"
        return f"<h2>{t['risks']}</h2>{inner}"

    def _points(self, value) -> str:
        """A number of points as written in the text: whole numbers without decimals ("5", "2,5")."""
        value = float(value)
        return number(value, self.language, 0 if value == int(value) else 1)

    # ------------------------------------------------------------ references and breakdowns
    def _department_of(self, team: str) -> str | None:
        """The nearest department above a team (walking up the store's hierarchy), or None."""
        departments = set(_memo(self.results, "groups", "department"))
        parents = dict(zip(self.results._hierarchy["team"], self.results._hierarchy["parent"]))
        seen, group = set(), parents.get(team)
        while group is not None and not pd.isna(group) and group not in seen:
            if group in departments:
                return group
            seen.add(group)
            group = parents.get(group)
        return None

    def _references(self) -> pd.DataFrame | None:
        """Rows of the groups a report compares itself with, from the protected table: a team's department
        and the organisation; a department's organisation. Hidden rows stay marked hidden (charts never
        draw them), and a group hidden in the report's wave is left out."""
        if self.group == ORGANISATION:
            return None
        wanted = []
        if self.level == "team":
            department = self._department_of(self.group)
            if department is not None:
                wanted.append(("department", department))
        wanted.append(("organisation", ORGANISATION))
        parts = []
        for level, group in wanted:
            if not self.results.shown(self.wave, group):
                continue
            table = _memo(self.results, "table", level, language=self.language)
            parts.append(table[table["group"] == group])
        return pd.concat(parts, ignore_index=True) if parts else None

    def _reference_note(self, references, chart: str) -> str:
        if references is None or references.empty:
            return ""
        t = self.text
        shown = references[~references["suppressed"].astype(bool)]
        names = [t["organisation_in_text"] if g == ORGANISATION else g for g in dict.fromkeys(shown["group"])]
        if not names:
            return ""
        refs = (f" {t['and']} ".join(html.escape(n) for n in names) if len(names) <= 2
                else ", ".join(html.escape(n) for n in names[:-1]) + f" {t['and']} {html.escape(names[-1])}")
        return f"<p class='note reference-note'>{t['reference_' + chart].format(refs=refs)}</p>"

    def _sub_groups(self) -> tuple[str, list[str]]:
        """(level, groups) directly below the report's group: the organisation's departments, or the teams
        of a department (at any depth), in store order."""
        r = self.results
        if self.group == ORGANISATION:
            return "department", list(_memo(r, "groups", "department"))
        teams = set(_memo(r, "groups", "team"))
        return "team", [g for g in r.teams_in(self.group) if g in teams]

    BREAKDOWN_COLUMNS = 6   # sub-groups per table: more are split over several tables, so each stays readable

    def _breakdown(self) -> str:
        """The report's wave per scale for each sub-group (the organisation's departments, a department's
        teams) beside the group's own scores, as tables and a heatmap, straight from the protected tables:
        a hidden sub-group is listed as hidden with the reason and a hidden cell says so, never a figure."""
        t, r, lang = self.text, self.results, self.language
        level, groups = self._sub_groups()
        if not groups:
            return ""
        org = self.group == ORGANISATION
        name = t["organisation"] if org else self.group
        title = t["breakdown_org"] if org else t["breakdown"].format(group=html.escape(name))
        table = _memo(r, "table", level, language=lang)
        rows = table[(table["wave"] == self.wave) & table["group"].isin(groups)]
        own = self._rows()
        own = own[own["wave"] == self.wave].drop_duplicates("scale").set_index("scale")
        scales = list(own.index)
        shown, hidden = [], []
        for group in groups:
            if not (rows["group"] == group).any():
                hidden.append((group, t["hidden_none"].format(wave=html.escape(self.wave)), False))
            elif not r.shown(self.wave, group):
                why = (t["hidden_differencing"] if r.hidden_reason(self.wave, group) == "differencing"
                       else t["hidden_small"].format(n=r.min_group))
                hidden.append((group, why, True))
            else:
                shown.append(group)
        values = {g: rows[rows["group"] == g].drop_duplicates("scale").set_index("scale") for g in shown}
        any_hidden = any(protected for _, _, protected in hidden)

        def cell(frame, scale) -> str:
            nonlocal any_hidden
            row = frame.loc[scale] if scale in frame.index else None
            if row is None:
                return "<td>–</td>"
            if bool(row["suppressed"]):
                any_hidden = True
                return f"<td class='no-figures'>{t['hidden_cell']}</td>"
            if row["kind"] == "enps":
                return f"<td class='num'>{number(row['enps'], lang, 0, sign=True)}</td>"
            return f"<td class='num'>{number(row['mean'], lang)}</td>"

        def count(frame) -> str:
            n = frame["n"].iloc[0] if len(frame) else None
            return f"<td class='num'>{int(n)}</td>" if n is not None and pd.notna(n) else "<td>–</td>"

        parts = [f"<h2>{title}</h2>",
                 f"<p>{(t['breakdown_lead_org'] if org else t['breakdown_lead']).format(wave=html.escape(self.wave))}</p>"]
        step = self.BREAKDOWN_COLUMNS
        for start in range(0, max(len(shown), 1), step):
            chunk = shown[start:start + step]
            head = (f"<tr><th>{t['scale']}</th><th class='own'>{html.escape(name)}</th>"
                    + "".join(f"<th data-group='{html.escape(g)}'>{html.escape(g)}</th>" for g in chunk) + "</tr>")
            body = [f"<tr class='respondents'><td>{t['respondents']}</td>{count(own)}"
                    + "".join(count(values[g]) for g in chunk) + "</tr>"]
            for scale in scales:
                body.append(f"<tr data-scale='{html.escape(scale)}'><td>{html.escape(self._scale_title(scale))}</td>"
                            f"{cell(own, scale)}" + "".join(cell(values[g], scale) for g in chunk) + "</tr>")
            parts.append(f"<table class='scores breakdown'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>")
        if hidden:
            parts.append("<ul class='hidden-groups'>" + "".join(
                f"<li data-group='{html.escape(g)}'><b>{html.escape(g)}</b>: {why}</li>" for g, why, _ in hidden)
                + "</ul>")
        if any_hidden:
            group_name = t["organisation_in_text"] if org else self.group
            parts.append(f"<p class='note hidden-note'>"
                         f"{t['hidden_explained'].format(n=r.min_group, group=html.escape(group_name))}</p>")
        drawn = rows[rows["scale"].isin(scales) & (rows["kind"] != "enps")]
        drawn = drawn.iloc[np.argsort([groups.index(g) for g in drawn["group"]], kind="stable")]   # the table's order
        if not drawn.empty:
            fig = charts.heatmap(drawn, wave=self.wave, scales=[s for s in scales if s in set(drawn["scale"])],
                                 language=lang, min_group=r.min_group)
            parts.append(self._figure(fig, title))
        return "".join(parts)

    # ------------------------------------------------------------ actions agreed after the previous wave
    def _scale_title(self, scale: str) -> str:
        return self.results.title(scale, self.language)   # the id itself for a scale the template no longer has

    def _actions(self, previous) -> str:
        """Follow-up of the actions agreed after the previous wave: the group's own actions beside the change
        in their scale and, for a department or the organisation, counts of every action below it.

        Only the report's own group gets figures (and only from the protected comparison); actions of
        other groups, possibly under the anonymity threshold, are only counted."""
        t, r = self.text, self.results
        name = t["organisation"] if self.group == ORGANISATION else self.group
        if not previous:
            return (f"<h2>{t['actions_first']}</h2>"
                    f"<p>{t['first_wave'].format(wave=html.escape(self.wave))}</p><p class='how-to'>{t['how_to']}</p>")
        store = r.workspace.store
        parts = [f"<h2>{t['actions'].format(wave=html.escape(previous))}</h2>"]
        own = store.actions(wave=previous, group=self.group)
        if own.empty:
            parts.append(f"<p>{t['no_actions'].format(group=html.escape(name), wave=html.escape(previous))}</p>"
                         f"<p class='how-to'>{t['how_to']}</p>")
        else:
            parts.append(self._action_table(own, previous))
            meaning = t["ci_meaning"].format(wave=html.escape(self.wave), previous=html.escape(previous),
                                             min=self._points(r.template.min_change))
            parts.append(f"<p class='ci-meaning'>{meaning}</p>")
        if self.level in ("department", "organisation"):
            parts.append(self._action_counts(previous, name))
        return "".join(parts)

    def _action_change(self, scale: str, changes, previous) -> tuple[str, str, str, str]:
        """(change, CI, assessment, css class) for the group's change in a scale; a reason and no number
        when the group is hidden in either wave or the scale is not compared."""
        t, r = self.text, self.results
        row = changes.loc[scale] if scale in changes.index else None
        if row is None or pd.isna(row["diff"]):
            table = r._table   # the protected table: a scale can be hidden on its own (differencing)
            rows = table[(table["group"] == self.group) & (table["scale"] == scale)]
            in_wave = [rows.loc[rows["wave"] == w, "suppressed"] for w in (previous, self.wave)]
            hidden = [w for w, flags in zip((previous, self.wave), in_wave)
                      if not r.shown(w, self.group) or (len(flags) and flags.all())]
            if hidden:
                reason = t["hidden_change"].format(wave=html.escape(hidden[0]))
            elif row is not None:
                reason = t["changed_scale"]
            else:
                reason = t["missing_scale"]
            return "", "", reason, "no-figures"
        diff = float(row["diff"])
        low, high = row.get("diff_ci_low"), row.get("diff_ci_high")
        lang = self.language
        ci = (t["ci_range"].format(low=number(low, lang, sign=True), high=number(high, lang, sign=True))
              if pd.notna(low) and pd.notna(high) else "–")
        if bool(row["flagged"]):
            return number(diff, lang, sign=True), ci, t["up"] if diff > 0 else t["down"], "flag"
        return number(diff, lang, sign=True), ci, t["no_clear"], ""

    def _action_table(self, own: pd.DataFrame, previous: str) -> str:
        t, r = self.text, self.results
        changes = _memo(r, "compare", previous, self.wave, level=self.level, language=self.language)
        changes = changes[changes["group"] == self.group].set_index("scale")
        head = (f"<tr><th>{t['action']}</th><th>{t['scale']}</th><th>{t['status']}</th><th>{t['owner']}</th>"
                f"<th>{t['due']}</th><th>{t['change_since'].format(wave=html.escape(previous))}</th><th>{t['ci']}</th>"
                f"<th>{t['assessment']}</th></tr>")
        body = []
        for action in own.itertuples(index=False):
            diff, ci, verdict, css = self._action_change(action.scale, changes, previous)
            status = t["statuses"].get(action.status, action.status)
            body.append(
                f"<tr class='action' data-scale='{html.escape(action.scale)}'><td>{_cell(action.text)}</td>"
                f"<td>{html.escape(self._scale_title(action.scale))}</td><td>{html.escape(status)}</td>"
                f"<td>{_cell(action.owner)}</td><td>{_cell(action.due)}</td>"
                f"<td class='change {css}'>{diff}</td><td class='change-ci'>{ci}</td>"
                f"<td class='verdict {css}'>{verdict}</td></tr>")
        return f"<table class='scores actions'><thead>{head}</thead><tbody>{''.join(body)}</tbody></table>"

    def _action_counts(self, previous: str, name: str) -> str:
        """Scale × status counts of the actions agreed by the group and every group under it: counts only,
        no texts, no group names and no figures (some of those groups may be under the threshold)."""
        t = self.text
        store = self.results.workspace.store
        org = self.group == ORGANISATION
        every = store.actions(wave=previous) if org else store.actions(wave=previous, group=self.group, below=True)
        title = t["across_org"] if org else t["across"].format(group=html.escape(name))
        parts = [f"<h3>{title}</h3>"]
        if every.empty:
            none = t["across_none_org"] if org else t["across_none"]
            return "".join(parts) + f"<p>{none.format(group=html.escape(name), wave=html.escape(previous))}</p>"
        lead = t["across_lead_org"] if org else t["across_lead"]
        parts.append(f"<p>{lead.format(k=every['group'].nunique(), wave=html.escape(previous))}</p>")
        counts = pd.crosstab(every["scale"], every["status"]).reindex(columns=list(ACTION_STATUSES), fill_value=0)
        order = [s.id for s in self.results.template.scales] + [i.id for i in self.results.template.indices]
        counts = counts.loc[sorted(counts.index, key=lambda s: (order.index(s) if s in order else len(order), s))]
        head = (f"<tr><th>{t['scale']}</th>"
                + "".join(f"<th>{html.escape(t['statuses'][s])}</th>" for s in ACTION_STATUSES)
                + f"<th>{t['total']}</th></tr>")
        body = [f"<tr data-scale='{html.escape(scale)}'><td>{html.escape(self._scale_title(scale))}</td>"
                + "".join(f"<td>{int(row[s])}</td>" for s in ACTION_STATUSES) + f"<td>{int(row.sum())}</td></tr>"
                for scale, row in counts.iterrows()]
        body.append(f"<tr class='total'><th>{t['total']}</th>"
                    + "".join(f"<th>{int(counts[s].sum())}</th>" for s in ACTION_STATUSES)
                    + f"<th>{int(counts.to_numpy().sum())}</th></tr>")
        return "".join(parts) + (f"<table class='scores action-counts'><thead>{head}</thead>"
                                 f"<tbody>{''.join(body)}</tbody></table>")

    def _our_actions(self) -> str:
        """A blank table for the follow-up meeting to fill in on paper."""
        t = self.text
        pillars = ", ".join(html.escape(self.results.title(s.id, self.language)) for s in self.results.template.pillars)
        head = (f"<tr><th>{t['pillar']}</th><th>{t['what']}</th><th>{t['owner']}</th><th>{t['due']}</th></tr>")
        rows = "<tr class='blank'><td></td><td></td><td></td><td></td></tr>" * 4
        return (f"<h2>{t['our_actions']}</h2><p>{t['our_lead']}</p>"
                + (f"<p class='pillars'>{t['our_pillars'].format(pillars=pillars)}</p>" if pillars else "")
                + f"<table class='our-actions'><thead>{head}</thead><tbody>{rows}</tbody></table>")

    def _comments(self) -> str:
        t = self.text
        comments = self.results.comments(self.wave, self.group)
        if comments.empty:
            template = self.results._inputs[self.wave][0]
            return f"<h2>{t['comments']}</h2><p>{t['no_comments'].format(n=template.min_comments)}</p>"
        parts = [f"<h2>{t['comments']}</h2>"]
        for question, rows in comments.groupby("question", sort=False):
            parts.append(f"<h3>{html.escape(rows['question_text'].iloc[0])}</h3><ul class='comments'>")
            for text, count in _distinct(rows["text"]):
                times = f" <span class='times'>{t['times'].format(n=count)}</span>" if count > 1 else ""
                parts.append(f"<li>{html.escape(text)}{times}</li>")
            parts.append("</ul>")
        return "".join(parts)

    def _guide(self) -> str:
        t = self.text
        guide = GUIDE.get(self.language, GUIDE["en"])
        parts = [f"<h2>{t['guide']}</h2>"]
        for scale in self.results.template.pillars:
            questions = guide.get(scale.id)
            if questions:
                parts.append(f"<h3>{html.escape(self.results.title(scale.id, self.language))}</h3><ol>")
                parts += [f"<li>{html.escape(q)}</li>" for q in questions]
                parts.append("</ol>")
        return "".join(parts)

    def display(self):
        """Show the report's sections as notebook outputs (what report.ipynb calls)."""
        from IPython.display import HTML, display
        for section, body in self.sections():
            display(HTML(f"<section class='report-{section}'>{body}</section>"))

    def html(self) -> str:
        return page("".join(f"<section class='report-{s}'>{b}</section>" for s, b in self.sections()),
                    title=f"{self.text['title']} — {self.group} — {self.wave}", language=self.language)


STYLE = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,Arial,sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.7rem;margin-bottom:.2rem} h2{border-bottom:2px solid #2166ac;padding-bottom:.2rem;margin-top:2rem}
.meta{color:#555} table.scores{border-collapse:collapse;width:100%} .scores th,.scores td{border-bottom:1px solid #ddd;
padding:.35rem .5rem;text-align:left} .scores td.flag{font-weight:bold} ul.comments li{margin:.3rem 0}
table.actions td.flag{font-weight:bold} td.no-figures{color:#555;font-style:italic}
table.action-counts{width:auto} table.our-actions{border-collapse:collapse;width:100%;margin-top:.5rem}
.our-actions th,.our-actions td{border:1px solid #444;padding:.35rem .5rem;text-align:left;vertical-align:top}
.our-actions th:nth-child(2){width:50%} .our-actions tr.blank td{height:3.5rem}
table.agreement td,table.agreement th{padding:.2rem .4rem;vertical-align:middle;text-align:left}
table.agreement tr+tr td{border-top:1px solid #eee} table.agreement th{font-size:.85rem;color:#444}
table.agreement .skipped{text-align:right} .legend{font-size:.85rem;color:#333;margin:.3rem 0 1rem}
.legend .key{margin-right:1em;white-space:nowrap}
td.ci,.scores td.num{white-space:nowrap} p.note{font-size:.9rem;color:#444}
table.breakdown{margin-bottom:.8rem} table.breakdown th{vertical-align:bottom}
table.breakdown th:first-child{width:34%} table.breakdown th.own,table.breakdown td:nth-child(2){background:#f3f6fa}
table.breakdown tr.respondents td{color:#555} ul.hidden-groups{margin:.3rem 0;padding-left:1.2rem}
@page{size:A4;margin:16mm 15mm 18mm;
@bottom-left{content:string(report-group) " · " string(report-wave);font:8pt system-ui,Arial,sans-serif;color:#555}
@bottom-right{content:counter(page) " / " counter(pages);font:8pt system-ui,Arial,sans-serif;color:#555}}
.report-header h1 .group{string-set:report-group content()} .report-header .meta .wave{string-set:report-wave content()}
@media print{body{margin:0;max-width:none;padding:0;font-size:10pt} h2{margin-top:1.2rem} h2,h3{break-after:avoid}
img,tr,div.agreement,ul.risks li,ul.comments li,section.report-our-actions{break-inside:avoid}}
"""


def page(body: str, title: str, language: str = "en") -> str:
    return (f"<!DOCTYPE html><html lang='{html.escape(str(language))}'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{body}</body></html>")


def report_groups(results: Results, wave: str, by: str) -> list[str]:
    """The groups at a level that are shown (not suppressed) in the wave."""
    if by == "organisation":
        return [ORGANISATION]
    return [g for g in results.groups(by) if results.shown(wave, g)]


def _distinct(texts) -> list[tuple[str, int]]:
    """Comments that say the same thing (ignoring case and spacing) once each, with how many wrote it: the
    most often written first, otherwise in the given (shuffled) order. A reader of a printed report sees
    what many people raise without reading it many times; counting is no more revealing than listing."""
    found: dict[str, list] = {}
    for text in texts:
        key = " ".join(str(text).split()).casefold()
        if key in found:
            found[key][1] += 1
        else:
            found[key] = [text, 1]
    return sorted((tuple(v) for v in found.values()), key=lambda pair: -pair[1])


def skipped_groups(results: Results, wave: str, by: str, language: str | None = None) -> list[tuple[str, str]]:
    """(group, why) for each group at the level that `report_groups` leaves out of the wave; `why` in the
    language (default: the results' language)."""
    language = language or results.language
    groups = [ORGANISATION] if by == "organisation" else results.groups(by)
    skipped = []
    for group in groups:
        if results.shown(wave, group):
            continue
        reason = results.hidden_reason(wave, group)
        key = ("differencing" if reason == "differencing" else "small" if reason is not None else "none")
        skipped.append((group, text(language, "cli.skipped_" + key, wave=wave, n=results.min_group)))
    return skipped


def write_reports(workspace, wave: str | None = None, groups=None, by: str = "team", language: str | None = None,
                  out=None, pdf: bool = False, results: Results | None = None,
                  quiet: bool | None = None) -> list[Path]:
    """Write one self-contained HTML report per group (default: every group shown in the wave), and with
    `pdf` a PDF beside each; returns the HTML paths. A progress bar (reports written, time left) shows on
    a terminal or in a notebook unless `quiet` (see `assessment._progress`).

    Everything happens in this process: the workspace is scored once (or `results` is used) and each
    group's `Report` renders its sections, exactly what report.ipynb displays. Every group is checked
    before anything is written, and a hidden group is refused."""
    if pdf:
        _weasyprint()   # say how to install it before any work
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    results = results or Results(ws, language=language)
    wave = wave or results.latest_wave()
    ws.store.wave_id(wave)
    chosen = list(groups) if groups else report_groups(results, wave, by)
    reports = [Report(ws, wave=wave, group=group, level=by, language=language, results=results)
               for group in chosen]   # every group checked before anything is written
    out = Path(out) if out else ws.output / "reports"
    out.mkdir(parents=True, exist_ok=True)
    from ._progress import progress
    written = []
    for group, report in progress(list(zip(chosen, reports)), desc="reports", unit="reports", quiet=quiet):
        path = out / f"report-{_slug(group)}-{_slug(wave)}.html"
        path.write_text(report.html(), encoding="utf-8")
        if pdf:
            write_pdf(path)
        written.append(path)
    return written


PDF_HELP = ("--pdf needs WeasyPrint: pip install 'osa-assessment[pdf]' (on Debian also: apt-get install "
            "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core)")


def _weasyprint():
    """WeasyPrint's module, or a one-line AssessmentError that says how to install it (the package, or the
    Pango libraries it loads when imported)."""
    try:
        import weasyprint
        from weasyprint.urls import URLFetcher  # noqa: F401  (68 and later)
    except ImportError:
        raise AssessmentError(PDF_HELP) from None
    except OSError as exc:   # the package is there, Pango is not
        raise AssessmentError(f"{PDF_HELP}; {str(exc).splitlines()[0]}") from None
    return weasyprint


def write_pdf(html_path: Path, pdf_path: Path | None = None) -> Path:
    """Print a report's HTML file to PDF with WeasyPrint: A4, the group and wave and "page / pages" in each
    page's footer, charts and table rows kept whole (STYLE's print rules); text stays text. Only the
    file's own data: URLs are read, nothing from the network or the disk."""
    weasyprint = _weasyprint()
    from weasyprint.urls import URLFetcher
    html_path = Path(html_path)
    pdf_path = Path(pdf_path) if pdf_path else html_path.with_suffix(".pdf")
    document = weasyprint.HTML(string=html_path.read_text(encoding="utf-8"),
                               url_fetcher=URLFetcher(allowed_protocols=["data"]))
    document.write_pdf(str(pdf_path))
    return pdf_path


_MEMO: "weakref.WeakKeyDictionary[Results, dict]" = weakref.WeakKeyDictionary()


def _memo(results: Results, method: str, *args, **kwargs):
    """`results.<method>(*args, **kwargs)`, computed once per Results: a batch of reports (or a notebook
    that makes several) needs the same comparison, quality flags and tables for every group, and a
    Results does not change once built. Callers only filter what they get back, never change it."""
    cache = _MEMO.setdefault(results, {})
    key = (method, args, tuple(sorted(kwargs.items())))
    if key not in cache:
        cache[key] = getattr(results, method)(*args, **kwargs)
    return cache[key]


def _cell(value) -> str:
    """A user-supplied value for a table cell, escaped; a dash when empty."""
    if value is None or (isinstance(value, float) and np.isnan(value)) or str(value).strip() == "":
        return "–"
    return html.escape(str(value))


def _slug(text: str) -> str:
    return "".join(c.lower() if c.isalnum() else "-" for c in str(text)).strip("-") or "group"


__all__ = ["Report", "write_reports", "write_pdf", "report_groups", "skipped_groups", "GUIDE", "TEXT", "np"]
