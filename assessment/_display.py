"""Rich display in Jupyter: what a `Workspace` or `Results` shows when it is the last line of a cell.

An analyst who types `ws` should see the client, its waves and what to call next, not an object's
address. Everything shown is either HR's own set-up (template, thresholds, teams) or a count that is
already public in the kit's outputs: a wave's responses are shown only for the organisation as a whole,
and as "< N" when the whole organisation is under the anonymity threshold. Names are escaped.
"""

from __future__ import annotations

import html

import pandas as pd

_STYLE = ("<style>.osa-repr table{border-collapse:collapse;margin:.3em 0}.osa-repr th,.osa-repr td{padding:2px 8px;"
          "text-align:left;border-bottom:1px solid #ddd}.osa-repr code{font-size:90%}</style>")


def _e(value) -> str:
    return html.escape("" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value))


def _table(head: list[str], rows: list[list]) -> str:
    return ("<table><thead><tr>" + "".join(f"<th>{_e(h)}</th>" for h in head) + "</tr></thead><tbody>"
            + "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
            + "</tbody></table>")


def _next(calls: list[tuple[str, str]]) -> str:
    return ("<p><b>Next</b></p><ul>" + "".join(f"<li><code>{_e(call)}</code>: {_e(why)}</li>" for call, why in calls)
            + "</ul>")


def wave_rows(workspace, min_group: int) -> list[list]:
    """[wave, opens, closes, status, responses, response rate] per wave, for the organisation as a whole."""
    store = workspace.store
    counts = store.respondent_counts()
    per_wave = counts.groupby("wave")["respondents"].sum() if len(counts) else pd.Series(dtype=int)
    headcounts = store.headcounts()
    staff = headcounts.groupby("wave")["headcount"].sum() if len(headcounts) else pd.Series(dtype=float)
    rows = []
    for wave, opens, closes, status in store.waves().itertuples(index=False):
        n = int(per_wave.get(wave, 0))
        if 0 < n < min_group:
            responses, rate = f"< {min_group}", ""
        else:
            responses = n
            total = staff.get(wave)
            rate = f"{100 * n / total:.0f} %" if total and not pd.isna(total) and n else ""
        rows.append([wave, str(opens or "")[:10], str(closes or "")[:10], status, responses, rate])
    return rows


def workspace_html(workspace) -> str:
    """The workspace's card: client, template, language, thresholds, store kind, waves and teams."""
    template = workspace.template()
    store = workspace.store
    teams = store.teams()
    parents = set(teams["parent"].dropna())
    kind = "PostgreSQL" if workspace.database_url.startswith("postgres") else "SQLite"
    others = ", ".join(lang for lang in template.languages if lang != template.language) or "none"
    facts = [["Client", workspace.name], ["Folder", workspace.path],
             ["Template", f"{template.id} — {template.title.get(template.language, template.id)}"],
             ["Language", f"{template.language} (also: {others})"],
             ["Anonymity", f"groups under {template.min_group} respondents hidden; comments under "
                           f"{template.min_comments}"],
             ["Store", f"{kind}, schema {store.schema_version()}"],
             ["Teams", f"{len(teams) - len(parents & set(teams['team']))} teams in {len(parents)} departments"]]
    body = "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in facts)
    waves = _table(["Wave", "Opens", "Closes", "Status", "Responses", "Response rate"],
                   wave_rows(workspace, template.min_group))
    return (f"{_STYLE}<div class='osa-repr'><p><b>Workspace {_e(workspace.name)}</b></p><table>{body}</table>"
            f"<p><b>Waves</b></p>{waves}"
            + _next([("results = ws.results()", "score every wave once; then results.table(), results.compare(...)"),
                     ("ws.results().table('team')", "every team's scores, tidy, with small groups hidden"),
                     ("assessment.Workspace.create(path)", "a new client's workspace")]) + "</div>")


def results_html(results) -> str:
    """The results' card: waves, groups shown and hidden in the latest wave, and the tidy frames to call."""
    from .analysis import COLUMNS
    rows = []
    table = results._table
    for wave in results.waves:
        first = table[table["wave"] == wave].drop_duplicates(["level", "group"])
        cells = []
        for level in ("team", "department"):
            at = first[first["level"] == level]
            cells.append(f"{int(at['group_suppressed_reason'].isna().sum())} of {len(at)}")
        rows.append([wave, *cells])
    waves = _table(["Wave", "Teams shown", "Departments shown"], rows)
    frames = _table(["Call", "Columns"], [[call, ", ".join(COLUMNS[name])] for name, call in _CALLS])
    return (f"{_STYLE}<div class='osa-repr'><p><b>Results of {_e(results.workspace.name)}</b>: "
            f"{len(results.waves)} waves, language {_e(results.language)}, groups under {results.min_group} "
            f"respondents hidden (and groups that would reveal one)</p>{waves}<p><b>Tidy frames</b> "
            f"(protection applied; the columns are described in <code>assessment.COLUMNS</code>)</p>{frames}</div>")


_CALLS = [("scores", "results.table(level=None)"),
          ("changes", "results.compare(wave_a, wave_b, level='team')"),
          ("items", "results.item_distribution(wave=None, group=None)"),
          ("comments", "results.comments(wave=None, group=None)"),
          ("reliability", "results.reliability(wave=None)[0]"),
          ("item_analysis", "results.reliability(wave=None)[1]"),
          ("drivers", "results.drivers(wave=None, group=None)"),
          ("response_rates", "results.response_rates(wave=None)"),
          ("data_quality", "results.data_quality(wave=None)"),
          ("quality", "results.quality(wave=None)")]
