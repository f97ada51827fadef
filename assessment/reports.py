"""Client and team reports: a papermill-run notebook turned into one self-contained HTML file.

`notebooks/report.ipynb` holds only a parameters cell and a call to `Report.display()`, so the
report is readable and testable as a notebook; `write_reports` runs it per group with papermill and
keeps only the outputs (no code), with charts embedded as data URIs and no link to anything outside
the file. A group that the protected tables hide gets no report.
"""

from __future__ import annotations

import base64
import datetime as _dt
import html
import io
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

from . import charts
from .analysis import Results
from .exceptions import AssessmentError, UnknownNameError
from .statistics import ORGANISATION
from .workspace import Workspace

REPORT_NOTEBOOK = Path(__file__).resolve().parent.parent / "notebooks" / "report.ipynb"
LOW_SCORE = 50.0   # a scale mean below this (0-100) is flagged as a risk

TEXT = {
    "en": {
        "title": "Work environment report", "wave": "Wave", "respondents": "Respondents", "rate": "Response rate",
        "generated": "Generated", "summary": "Scores", "scale": "Scale", "mean": "Score (0–100)", "ci": "95% CI",
        "favourable": "% favourable", "change": "Change", "trend": "Security and engagement over time",
        "pillars": "The four pillars", "risks": "Flagged risks", "no_risks": "No scale is low or falling significantly.",
        "low": "low score ({mean:.0f} < {limit:.0f})", "falling": "significant fall ({diff:+.1f} points since {wave})",
        "items": "Answers per question", "comments": "Open comments",
        "no_comments": "Comments are shown only for groups with at least {n} respondents.",
        "guide": "Conversation guide for your follow-up meeting", "enps": "eNPS",
        "intro": "Scores run from 0 (everyone strongly disagrees) to 100 (everyone strongly agrees). "
                 "% favourable is the share of answers in the top two points. Groups with fewer than {n} "
                 "respondents are never shown.",
        "organisation": "Whole organisation", "not_compared": "not compared",
    },
    "sv": {
        "title": "Arbetsmiljörapport", "wave": "Mätning", "respondents": "Svarande", "rate": "Svarsfrekvens",
        "generated": "Skapad", "summary": "Resultat", "scale": "Skala", "mean": "Poäng (0–100)", "ci": "95 % KI",
        "favourable": "% positiva", "change": "Förändring", "trend": "Trygghet och engagemang över tid",
        "pillars": "De fyra pelarna", "risks": "Flaggade risker", "no_risks": "Ingen skala är låg eller sjunker signifikant.",
        "low": "lågt resultat ({mean:.0f} < {limit:.0f})", "falling": "signifikant nedgång ({diff:+.1f} poäng sedan {wave})",
        "items": "Svar per fråga", "comments": "Öppna kommentarer",
        "no_comments": "Kommentarer visas bara för grupper med minst {n} svarande.",
        "guide": "Samtalsguide för ert uppföljningsmöte", "enps": "eNPS",
        "intro": "Poängen går från 0 (alla instämmer inte alls) till 100 (alla instämmer helt). "
                 "% positiva är andelen svar på de två högsta stegen. Grupper med färre än {n} svarande visas aldrig.",
        "organisation": "Hela organisationen", "not_compared": "jämförs inte",
    },
}

# questions for a team's own follow-up meeting, per pillar (the kit's own wording)
GUIDE = {
    "en": {
        "expectations": ["What does a good day's work look like in our team? Do we describe it the same way?",
                         "Where do we get mixed messages about priorities, and who can settle them?",
                         "How would each of us like to hear how we are doing, and how often?"],
        "goals": ["Which of our goals could a new colleague explain, and why they matter to our customers?",
                  "Which goal is unclear, unrealistic or lacks a date? What would make it SMART?",
                  "How do we follow up on goals together, and what should we change about it?"],
        "visibility": ["When did we last see the result of our work? How can we see it more often?",
                       "Whose good work went unnoticed recently? How do we make a habit of noticing?",
                       "What would we like to celebrate this quarter?"],
        "support": ["Where do you get stuck, and who could help you sooner?",
                    "Do we have the tools and the skills the work needs? What is missing first?",
                    "How do we look after each other when the workload peaks?"],
    },
    "sv": {
        "expectations": ["Hur ser en bra arbetsdag ut i vårt team? Beskriver vi den på samma sätt?",
                         "Var får vi motstridiga besked om prioriteringar, och vem kan reda ut dem?",
                         "Hur vill var och en få veta hur det går, och hur ofta?"],
        "goals": ["Vilka av våra mål kan en ny kollega förklara, och varför de spelar roll för kunderna?",
                  "Vilket mål är otydligt, orealistiskt eller saknar datum? Vad skulle göra det SMART?",
                  "Hur följer vi upp målen tillsammans, och vad vill vi ändra?"],
        "visibility": ["När såg vi senast resultatet av vårt arbete? Hur kan vi se det oftare?",
                       "Vems goda arbete gick obemärkt förbi nyligen? Hur gör vi det till en vana att se det?",
                       "Vad vill vi fira det här kvartalet?"],
        "support": ["Var kör du fast, och vem kunde hjälpa dig tidigare?",
                    "Har vi de verktyg och den kompetens arbetet kräver? Vad saknas först?",
                    "Hur tar vi hand om varandra när arbetsbelastningen är som störst?"],
    },
}


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
        groups = self.results.groups(self.level)
        if self.group not in groups:
            raise UnknownNameError(f"no {self.level} named {self.group!r} has responses; choose one of {', '.join(groups)}")
        if not self.results.shown(self.wave, self.group):
            raise AssessmentError(f"{self.group} has too few respondents in {self.wave} to report on (the threshold is "
                                  f"{self.results.min_group}, and groups that would reveal a smaller one are hidden too)")

    # ------------------------------------------------------------ pieces
    def _rows(self, table=None):
        table = self.results.table(self.level, language=self.language) if table is None else table
        return table[(table["group"] == self.group)]

    def _figure(self, fig) -> str:
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
        plt.close(fig)
        data = base64.b64encode(buffer.getvalue()).decode()
        return f'<img alt="chart" src="data:image/png;base64,{data}" style="max-width:100%">'

    def sections(self):
        """(id, html) pairs in reading order."""
        t, r = self.text, self.results
        rows = self._rows()
        now = rows[rows["wave"] == self.wave].set_index("scale")
        first = now.iloc[0]
        name = t["organisation"] if self.group == ORGANISATION else self.group
        rate = f"{first['response_rate']:.0f} %" if pd.notna(first["response_rate"]) else "–"
        yield "header", (f"<h1>{t['title']}: {html.escape(name)}</h1>"
                         f"<p class='meta'>{t['wave']}: <b>{html.escape(self.wave)}</b> · {t['respondents']}: "
                         f"<b>{int(first['n'])}</b> · {t['rate']}: <b>{rate}</b> · {t['generated']}: "
                         f"{_dt.date.today().isoformat()}</p><p class='intro'>{t['intro'].format(n=r.min_group)}</p>")
        previous = r.previous_wave(self.wave)
        changes = None
        if previous:
            changes = r.compare(previous, self.wave, level=self.level, language=self.language)
            changes = changes[changes["group"] == self.group].set_index("scale")
        yield "summary", self._summary(now, changes, previous)
        outcome_scales = [s for s in ("security", "engagement") if s in now.index]
        fig = charts.trend(rows, scales=tuple(outcome_scales) or tuple(now.index[:2]), language=self.language,
                           min_group=r.min_group)
        yield "trend", f"<h2>{t['trend']}</h2>{self._figure(fig)}"
        pillars = [s.id for s in r.template.pillars]
        fig = charts.pillars(rows, wave=self.wave, scales=pillars, language=self.language, min_group=r.min_group)
        yield "pillars", f"<h2>{t['pillars']}</h2>{self._figure(fig)}"
        yield "risks", self._risks(now, changes, previous)
        parts = [f"<h2>{t['items']}</h2>"]
        for scale in r.template.pillars:
            dist = r.item_distribution(self.wave, self.group, scale=scale.id, language=self.language)
            if not dist.empty:
                fig = charts.agreement(dist, language=self.language, labels=scale.response_scale.labels[self.language],
                                       title=r.title(scale.id, self.language))
                parts.append(self._figure(fig))
        yield "items", "".join(parts)
        yield "comments", self._comments()
        yield "guide", self._guide()

    def _summary(self, now, changes, previous) -> str:
        t = self.text
        head = (f"<tr><th>{t['scale']}</th><th>{t['mean']}</th><th>{t['ci']}</th><th>{t['favourable']}</th>"
                + (f"<th>{t['change']} ({html.escape(previous)})</th>" if previous else "") + "</tr>")
        body = []
        for scale, row in now.iterrows():
            if row["suppressed"]:
                continue
            if row["kind"] == "enps":
                value, ci, fav = f"{row['enps']:+.0f} ({t['enps']})", "", ""
            else:
                value, ci, fav = f"{row['mean']:.1f}", f"{row['ci_low']:.1f}–{row['ci_high']:.1f}", f"{row['favourable']:.0f} %"
            cell = ""
            if previous:
                cell = "<td></td>"
                if changes is not None and scale in changes.index:
                    c = changes.loc[scale]
                    if pd.notna(c["diff"]):
                        mark = " ▲" if c["flagged"] and c["diff"] > 0 else (" ▼" if c["flagged"] else "")
                        cell = f"<td class='{'flag' if c['flagged'] else ''}'>{c['diff']:+.1f}{mark}</td>"
                    elif c.get("note"):
                        cell = f"<td title='{html.escape(str(c['note']))}'>{t['not_compared']}</td>"
            body.append(f"<tr><td>{html.escape(row['title'])}</td><td>{value}</td><td>{ci}</td><td>{fav}</td>{cell}</tr>")
        return f"<h2>{t['summary']}</h2><table class='scores'>{head}{''.join(body)}</table>"

    def _risks(self, now, changes, previous) -> str:
        t = self.text
        items = []
        for scale, row in now.iterrows():
            if row["suppressed"] or row["kind"] == "enps":
                continue
            reasons = []
            if row["mean"] < LOW_SCORE:
                reasons.append(t["low"].format(mean=row["mean"], limit=LOW_SCORE))
            if changes is not None and scale in changes.index:
                c = changes.loc[scale]
                if bool(c["flagged"]) and c["diff"] < 0:
                    reasons.append(t["falling"].format(diff=c["diff"], wave=previous))
            if reasons:
                items.append(f"<li><b>{html.escape(row['title'])}</b>: {'; '.join(reasons)}</li>")
        inner = f"<ul class='risks'>{''.join(items)}</ul>" if items else f"<p>{t['no_risks']}</p>"
        return f"<h2>{t['risks']}</h2>{inner}"

    def _comments(self) -> str:
        t = self.text
        comments = self.results.comments(self.wave, self.group)
        if comments.empty:
            template = self.results.inputs[self.wave][0]
            return f"<h2>{t['comments']}</h2><p>{t['no_comments'].format(n=template.min_comments)}</p>"
        parts = [f"<h2>{t['comments']}</h2>"]
        for question, rows in comments.groupby("question", sort=False):
            parts.append(f"<h3>{html.escape(rows['question_text'].iloc[0])}</h3><ul class='comments'>")
            parts += [f"<li>{html.escape(text)}</li>" for text in rows["text"]]
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
@media print{body{margin:0;max-width:none} section{page-break-inside:avoid} h2{page-break-after:avoid}}
"""


def page(body: str, title: str, language: str = "en") -> str:
    return (f"<!DOCTYPE html><html lang='{language}'><head><meta charset='utf-8'><title>{html.escape(title)}</title>"
            f"<style>{STYLE}</style></head><body>{body}</body></html>")


def _html_from_notebook(notebook) -> str:
    """The outputs of an executed report notebook, in order; no code."""
    parts = []
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        for output in cell.get("outputs", []):
            if output.get("output_type") == "error":
                raise AssessmentError(f"the report notebook failed: {output.get('ename')}: {output.get('evalue')}")
            data = output.get("data", {})
            if "text/html" in data:
                parts.append("".join(data["text/html"]) if isinstance(data["text/html"], list) else data["text/html"])
            elif "image/png" in data:
                parts.append(f'<img alt="chart" src="data:image/png;base64,{data["image/png"]}" style="max-width:100%">')
    return "".join(parts)


def report_groups(results: Results, wave: str, by: str) -> list[str]:
    """The groups at a level that are shown (not suppressed) in the wave."""
    if by == "organisation":
        return [ORGANISATION]
    return [g for g in results.groups(by) if results.shown(wave, g)]


def write_reports(workspace, wave: str | None = None, groups=None, by: str = "team", language: str | None = None,
                  out=None, notebook: Path = REPORT_NOTEBOOK) -> list[Path]:
    """Run the report notebook with papermill for each group and write one HTML file per group."""
    import papermill
    ws = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    results = Results(ws, language=language)
    wave = wave or results.latest_wave()
    ws.store.wave_id(wave)
    chosen = list(groups) if groups else report_groups(results, wave, by)
    for group in chosen:   # check every group before running anything
        Report(ws, wave=wave, group=group, level=by, language=language, results=results)
    out = Path(out) if out else ws.output / "reports"
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for group in chosen:
        executed = out / f".{_slug(group)}.ipynb"
        try:
            nb = papermill.execute_notebook(
                str(notebook), str(executed), progress_bar=False, log_output=False, cwd=str(ws.path),
                execution_timeout=600,
                parameters={"workspace": str(ws.path.resolve()), "wave": wave, "group": group, "level": by,
                            "language": language or results.language})
        except papermill.PapermillExecutionError as exc:
            raise AssessmentError(f"the report for {group} failed: {exc.ename}: {exc.evalue}") from None
        finally:
            executed.unlink(missing_ok=True)
        title = f"{TEXT.get(language or results.language, TEXT['en'])['title']} — {group} — {wave}"
        path = out / f"report-{_slug(group)}-{_slug(wave)}.html"
        path.write_text(page(_html_from_notebook(nb), title=title, language=language or results.language),
                        encoding="utf-8")
        written.append(path)
    return written


def _slug(text: str) -> str:
    return "".join(c.lower() if c.isalnum() else "-" for c in str(text)).strip("-") or "group"


__all__ = ["Report", "write_reports", "report_groups", "GUIDE", "TEXT", "np"]
