"""The `assessment` command: a thin layer over the package for HR, analysts and CI."""

from __future__ import annotations

import argparse
import logging
import sys

from .exceptions import AssessmentError


def _workspace(path):
    from .workspace import Workspace
    return Workspace(path)


def _language(ws) -> str:
    """The language of a workspace's tables: its template's (English when it has none yet)."""
    try:
        return ws.template().language
    except AssessmentError:
        return "en"


def _headed(table, language: str, columns=None):
    """A table for people: its column names (e.g. "team", "alpha") in the language (`assessment.messages`)."""
    from .messages import CATALOGUE, text
    names = {c: text(language, f"cli.col.{c}") for c in (columns or table.columns) if f"cli.col.{c}" in CATALOGUE["en"]}
    return table.rename(columns=names)


_NOTES = (("eNPS question: no internal consistency", "cli.note.enps"),
          ("single item: no internal consistency", "cli.note.single"))


def _note(note, language: str) -> str:
    """A reliability note in the language ("" when there is nothing to note)."""
    import re

    from .messages import text
    if note is None or note != note:
        return ""
    for english, key in _NOTES:
        if note == english:
            return text(language, key)
    few = re.fullmatch(r"fewer than (\d+) respondents", str(note))
    return text(language, "cli.note.few", n=few.group(1)) if few else str(note)


# ---------------------------------------------------------------- commands

def cmd_init(args):
    from .importing import import_teams
    from .workspace import Workspace, creating
    with creating(args.path):   # a failure (a bad date, a bad teams file) leaves the folder as it was
        ws = Workspace.create(args.path, template=args.template, language=args.language, wave=args.wave,
                              database=args.database, min_group=args.min_group, opens=args.opens, closes=args.closes)
        try:
            wave = ws.wave()
            if args.teams:
                n = import_teams(ws.store, args.teams, wave=wave)
                print(f"added {n} team(s) from {args.teams}")
        except BaseException:
            ws.close()
            raise
    template = ws.template()
    print(f"created workspace {ws.path} for template {template.id} (extends {args.template}), "
          f"language {template.language}, anonymity threshold {template.min_group}; wave {wave} is open")
    print(f"next: add teams (assessment teams {args.path} --file teams.csv) and import answers "
          f"(assessment import {args.path} answers.csv)")


def cmd_validate(args):
    from .templates import load_template
    failed = 0
    for name in args.templates:
        try:
            template = load_template(name)
        except AssessmentError as exc:
            failed += 1
            print(exc, file=sys.stderr)
            continue
        print(f"{name}: valid — {template.id}: {len(template.scales)} scales, {len(template.items)} items, "
              f"{len(template.comments)} open questions, languages {', '.join(template.languages)}, "
              f"anonymity threshold {template.min_group}")
    return 1 if failed else 0


def cmd_teams(args):
    from .importing import import_teams
    ws = _workspace(args.workspace)
    if args.file:
        n = import_teams(ws.store, args.file, wave=ws.wave(args.wave), encoding=args.encoding)
        print(f"added or updated {n} team(s) from {args.file}")
    if args.add:
        ws.store.add_team(args.add, args.parent)
        print(f"team {args.add}" + (f" in {args.parent}" if args.parent else "") + " is in the workspace")
        if args.headcount is not None:
            ws.store.set_headcount(ws.wave(args.wave), args.add, args.headcount)
    elif args.headcount is not None:
        raise AssessmentError("--headcount goes with --add TEAM")
    if not args.file and not args.add:
        from .messages import text
        language = _language(ws)
        table = teams_table(ws.store)
        if not table.empty:
            table = _headed(table, language).rename(columns={
                c: text(language, "cli.col.headcount_in", wave=c.removeprefix("headcount "))
                for c in table.columns if c.startswith("headcount ")})
        print(text(language, "cli.no_teams") if table.empty else table.to_string(index=False))


def teams_table(store):
    """The hierarchy, each unit under its parent (indented), with its headcount in every wave."""
    import pandas as pd
    teams = store.teams()
    if teams.empty:
        return teams
    children = teams.groupby("parent", sort=False)["team"].apply(list).to_dict()
    counts = store.headcounts().pivot_table(index="team", columns="wave", values="headcount", aggfunc="first")
    waves = [w for w in store.wave_names() if w in counts.columns]
    rows = []

    def walk(unit, depth):
        parent = parents.get(unit)
        row = {"team": "  " * depth + unit, "parent": "" if parent is None or pd.isna(parent) else parent}
        for wave in waves:
            value = counts.at[unit, wave] if unit in counts.index else None
            row[f"headcount {wave}"] = "" if value is None or pd.isna(value) else str(int(value))
        rows.append(row)
        for child in children.get(unit, []):
            walk(child, depth + 1)
    parents = dict(zip(teams["team"], teams["parent"]))
    for top in teams.loc[teams["parent"].isna(), "team"]:
        walk(top, 0)
    return pd.DataFrame(rows)


def cmd_wave(args):
    ws = _workspace(args.workspace)
    if args.action == "list":
        print(ws.store.waves().fillna("").to_string(index=False))
        return
    if not args.name:
        raise AssessmentError(f"`wave {args.action}` needs the wave's name")
    if args.action == "open":
        name = ws.open_wave(args.name, opens=args.opens, closes=args.closes)
        print(f"wave {name} is open, with the workspace's current template")
    elif args.action == "close":
        from . import _aggregates
        ws.store.set_wave_status(args.name, "closed")
        _aggregates.refresh(ws.store, [ws.wave(args.name)])   # its final tables, kept for every later reader
        print(f"wave {args.name} is closed; it takes no more answers")
    elif args.action == "reopen":
        ws.store.set_wave_status(args.name, "open")
        print(f"wave {args.name} is open again")


def cmd_imports(args):
    ws = _workspace(args.workspace)
    if args.imports_action == "undo":
        if args.id is None:
            raise AssessmentError("`imports WORKSPACE undo` needs the import's id; list them with "
                                  f"`assessment imports {args.workspace}`")
        from . import _aggregates
        removed = ws.store.undo_import(args.id)
        _aggregates.refresh(ws.store, [removed["wave"]])
        print(f"undid import {removed['id']} ({removed['file']}) from wave {removed['wave']}: removed "
              f"{removed['respondents']} response(s) with {removed['answers']} answer(s) and "
              f"{removed['comments']} comment(s)")
        return
    if args.id is not None:
        raise AssessmentError(f"unknown action {args.id!r}; use `assessment imports {args.workspace}` to list "
                              f"imports or `assessment imports {args.workspace} undo ID` to undo one")
    table = ws.store.imports(wave=ws.wave(args.wave) if args.wave else None)
    if table.empty:
        print("no imports yet" + (f" in wave {args.wave}" if args.wave else ""))
        return
    table["undoable"] = table["undoable"].map({True: "yes", False: "no (older than the store upgrade)"})
    print(table.to_string(index=False))


def cmd_import(args):
    from .importing import Mapping, import_answers
    ws = _workspace(args.workspace)
    mapping = Mapping.load(args.mapping) if args.mapping else None
    result = import_answers(ws.store, ws.wave(args.wave), args.file, mapping=mapping, add_teams=args.add_teams,
                            encoding=args.encoding, format=args.format, sheet=args.sheet, quiet=_quiet(args))
    if result.stored:   # the wave's aggregate table now, so the next dashboard or report opens at once
        from . import _aggregates
        _aggregates.refresh(ws.store, [ws.wave(args.wave)])
    for warning in result.warnings:
        print(f"note: {warning}")
    print(result.summary())


def cmd_codes(args):
    from .invitations import write_codes
    ws = _workspace(args.workspace)
    path, n = write_codes(ws, wave=args.wave, teams=args.team, count=args.count, out=args.out)
    print(f"wrote {n} one-time code(s) to {path} (columns team, code; readable only by you): "
          "mail-merge or print them, one per invited person")


def cmd_export(args):
    from .exporting import export_all
    ws = _workspace(args.workspace)
    for path in export_all(ws, waves=[ws.wave(args.wave)] if args.wave else None, out=args.out, quiet=_quiet(args)):
        print(f"wrote {path}")


def cmd_score(args):
    from .analysis import score_table
    ws = _workspace(args.workspace)
    table = score_table(ws, wave=args.wave, by=args.by, language=args.language)
    print(table.to_string(index=False))


def cmd_quality(args):
    from .analysis import Results
    results = Results(_workspace(args.workspace))
    wave = results.workspace.wave(args.wave)
    from .messages import text
    language = _language(results.workspace)
    flags = results.quality(wave, language=language)
    if flags.empty:
        print(text(language, "cli.no_flags", wave=wave))
    else:
        print(_headed(flags, language).to_string(index=False))


def cmd_reliability(args):
    from .analysis import reliability_table
    ws = _workspace(args.workspace)
    scales, items = reliability_table(ws, wave=args.wave)
    language = _language(ws)
    scales["note"] = [_note(note, language) for note in scales["note"]]   # nothing to note: blank
    if language != "en":                  # figures with the language's decimal mark ("0,881")
        from ._format import number
        for table, columns in ((scales, ("alpha",)), (items, ("item_rest", "alpha_if_dropped"))):
            for column in columns:
                table[column] = [number(v, language, 3) if v == v else "" for v in table[column]]
    print(_headed(scales, language).to_string(index=False))
    print()
    print(_headed(items, language).to_string(index=False))


def cmd_demo(args):
    from .demo import run_demo
    run_demo(args.path, seed=args.seed, respondents=args.respondents, quiet=_quiet(args))


def cmd_serve(args):
    from .serve import serve, serve_form
    if args.notebook:
        return serve(args.workspace, wave=args.wave, port=args.port, host=args.host, open_browser=False)
    return serve_form(args.workspace, wave=args.wave, port=args.port, host=args.host, workers=args.workers)


def _workers(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of worker processes; give a whole number "
                                         "from 1 (e.g. --workers 2 on a 2-core machine)")
    return value


def cmd_dashboard(args):
    from .serve import dashboard_links, print_links, serve
    if args.links:
        # only the links (HR hands them out); the workspace must exist, the server need not run
        _workspace(args.workspace)
        print_links(dashboard_links(args.workspace, args.host, args.port, args.scopes or (), rotate=args.rotate))
        return 0
    serve(args.workspace, port=args.port, host=args.host, open_browser=False, notebook="dashboard",
          scopes=args.scopes or (), rotate=args.rotate)



def cmd_notebooks(args):
    from .notebooks import copy_notebooks
    for path, written in copy_notebooks(args.folder, workspace=args.workspace, force=args.force):
        print(f"wrote {path}" if written else f"{path} is already up to date")
    print(f"open them with: jupyter lab {args.folder}")


def cmd_actions(args):
    ws = _workspace(args.workspace)
    store = ws.store
    if args.action_command == "add":
        action_id = store.add_action(args.group, args.scale, args.text, wave=args.wave, owner=args.owner, due=args.due)
        print(action_id)
    elif args.action_command == "update":
        store.update_action(args.id, status=args.status, text=args.text, owner=args.owner, due=args.due, note=args.note)
        print(f"action {args.id} updated")
    elif args.action_command == "remove":
        store.remove_action(args.id)
        print(f"action {args.id} removed")
    else:
        table = store.actions(wave=args.wave and ws.wave(args.wave), group=args.group, status=args.status, below=True)
        from .messages import text
        from .store import ORGANISATION
        language = _language(ws)
        if table.empty:
            print(text(language, "cli.no_actions_match") if args.wave or args.group or args.status else
                  text(language, "cli.no_actions_yet",
                       command=f"`assessment actions {args.workspace} add --group TEAM --scale SCALE --text ...`"))
            return
        table = table.drop(columns=["created"]).assign(notes=table["notes"].str.replace("\n", " | "))
        if language != "en":
            table = table.assign(
                status=[text(language, f"actions.status.{s}") if isinstance(s, str) else s for s in table["status"]],
                group=[text(language, "actions.organisation") if g == ORGANISATION else g for g in table["group"]])
        print(_headed(table.fillna(""), language).to_string(index=False))


def cmd_report(args):
    from .analysis import Results
    from .messages import text
    from .reports import skipped_groups, write_reports
    ws = _workspace(args.workspace)
    results = Results(ws, language=args.language)   # scored once for the whole batch
    for path in write_reports(ws, wave=args.wave, groups=args.group, by=args.by, language=args.language,
                              out=args.out, pdf=args.pdf, results=results, quiet=_quiet(args)):
        print(f"wrote {path}")
        if args.pdf:
            print(f"wrote {path.with_suffix('.pdf')}")
    if not args.group:   # chosen groups are all written or refused; say which of the level's groups got none
        for group, why in skipped_groups(results, args.wave or results.latest_wave(), args.by):
            print(text(results.language, "cli.skipped", group=group, why=why))


# ---------------------------------------------------------------- parser

def _quiet(args) -> bool | None:
    """--quiet: no progress bar; without it None, so that the bar shows only on a terminal (assessment._progress)."""
    return True if getattr(args, "quiet", False) else None


def _quiet_option(p):
    p.add_argument("-q", "--quiet", action="store_true",
                   help="no progress bar (one shows on stderr when it is a terminal, never in a pipe or a file)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="assessment",
        description="Measure and improve the organisational and social work environment: templates, "
                    "answers, scores, charts and reports in a workspace folder.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("demo", help="build a synthetic organisation, score it and draw its charts",
                       description="Build a realistic synthetic organisation in a new workspace (four waves, a dozen "
                                   "teams), score it, and write a summary table and charts into its output folder.")
    p.add_argument("path", nargs="?", default="demo-workspace", help="folder for the demo workspace (default: %(default)s)")
    p.add_argument("--seed", type=int, default=7, help="random seed (default: %(default)s)")
    p.add_argument("--respondents", type=int, default=None, help="respondents per wave (default: about 300)")
    _quiet_option(p)
    p.set_defaults(func=cmd_demo)

    p = sub.add_parser("init", help="create a workspace for a client from a template",
                       description="Create a workspace folder: a client template extending TEMPLATE, a response store, "
                                   "and a first open wave.")
    p.add_argument("path", help="the new workspace folder (e.g. the client's name)")
    p.add_argument("--template", default="osa-core", help="shipped template name or path to a .yaml (default: %(default)s)")
    p.add_argument("--language", help="default language of the survey, e.g. sv")
    p.add_argument("--wave", help="name of the first wave (default: this year and month, e.g. 2026-11)")
    p.add_argument("--teams", help="CSV/XLSX with columns team, parent, headcount")
    p.add_argument("--min-group", type=int, help="anonymity threshold (default: the template's, usually 5)")
    p.add_argument("--database", help="database URL (default: sqlite:///assessment.db in the workspace)")
    p.add_argument("--opens", help="date the first wave opened, YYYY-MM-DD (default: today); waves are ordered by it")
    p.add_argument("--closes", help="date the first wave closed, YYYY-MM-DD")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("validate", help="check survey templates", description="Check templates; print every problem "
                       "with the file, the field and what to do.")
    p.add_argument("templates", nargs="+", metavar="TEMPLATE", help="template names or paths")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("teams", help="list or add teams, departments and headcounts",
                       description="Without options, list the teams. With --file, add teams from a CSV/XLSX "
                                   "(columns team, parent, headcount); with --add, one team.")
    p.add_argument("workspace")
    p.add_argument("--file", help="CSV/XLSX with columns team, parent and optionally headcount")
    p.add_argument("--add", metavar="TEAM", help="add one team")
    p.add_argument("--parent", help="its department (created if new)")
    p.add_argument("--headcount", type=int, help="people in the team this wave (with --add)")
    p.add_argument("--wave", help="wave the headcounts are for (default: the latest)")
    p.add_argument("--encoding", help="text encoding of a CSV teams file (default: UTF-8; e.g. cp1252 from Excel)")
    p.set_defaults(func=cmd_teams)

    p = sub.add_parser("wave", help="list, open, close or reopen survey waves",
                       description="A wave stores the template as it was when opened, so answers keep their meaning.")
    p.add_argument("workspace")
    p.add_argument("action", choices=["list", "open", "close", "reopen"])
    p.add_argument("name", nargs="?")
    p.add_argument("--opens", help="date it opens, YYYY-MM-DD (default: today)")
    p.add_argument("--closes", help="date it closes, YYYY-MM-DD")
    p.set_defaults(func=cmd_wave)

    p = sub.add_parser("import", help="import answers from a CSV/XLSX exported by another form tool",
                       description="Columns are matched to items by id or by the exact question text in any of the "
                                   "template's languages; use a YAML mapping file for anything else. A file with any "
                                   "problem is rejected whole, with every problem listed by row and column.")
    p.add_argument("workspace")
    p.add_argument("file", help="CSV (any of , ; tab separators) or .xlsx")
    p.add_argument("--wave", help="wave to import into (default: the latest)")
    p.add_argument("--mapping", help="YAML mapping file: team, respondent, columns, ignore, values, teams")
    p.add_argument("--add-teams", action="store_true", help="create teams the store does not know yet")
    p.add_argument("--encoding", help="text encoding of a CSV (default: UTF-8)")
    p.add_argument("--format", choices=["qualtrics", "surveymonkey", "google", "microsoft", "plain"],
                   help="the form tool whose export layout the file has (default: recognised from the header rows)")
    p.add_argument("--sheet", help="the sheet of an .xlsx workbook to import (default: the one sheet with answers)")
    _quiet_option(p)
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("imports", help="list the imports of answer files, or undo one",
                       description="Without an action, list every import: id, file, time (UTC), wave and the number "
                                   "of responses it stored. `undo ID` removes exactly that import's responses, answers "
                                   "and comments (and its record) in one transaction, so the file can be imported "
                                   "again, e.g. into the right wave.")
    p.add_argument("workspace")
    p.add_argument("imports_action", nargs="?", choices=["list", "undo"], default="list", metavar="ACTION",
                   help="list (the default) or undo")
    p.add_argument("id", nargs="?", help="the import's id (with undo)")
    p.add_argument("--wave", help="list only this wave's imports")
    p.set_defaults(func=cmd_imports)

    p = sub.add_parser("codes", help="create one-time invitation codes per team for the served form",
                       description="Create one-time codes (per team: --count, or the team's headcount in the wave) and "
                                   "write them to a CSV for mail merge. The form then accepts each code once and takes "
                                   "the team from it; nothing links a code to the answers.")
    p.add_argument("workspace")
    p.add_argument("--wave", help="wave (default: the latest)")
    p.add_argument("--team", action="append", help="only this team (repeat; default: every team)")
    p.add_argument("--count", type=int, help="codes per team (default: the team's headcount)")
    p.add_argument("--out", help="CSV file to write (default: output/codes-WAVE.csv in the workspace)")
    p.set_defaults(func=cmd_codes)

    p = sub.add_parser("export", help="export answers, scale scores and group scores to CSV",
                       description="Write answers (pseudonymous), respondent-level scale scores and group aggregates "
                                   "as CSV files. Groups under the anonymity threshold are merged or suppressed.")
    p.add_argument("workspace")
    p.add_argument("--wave", help="one wave (default: all)")
    p.add_argument("--out", help="folder for the files (default: the workspace's output/export)")
    _quiet_option(p)
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("score", help="print scores per group and scale",
                       description="Print the group × scale table for a wave; groups under the anonymity threshold "
                                   "show as suppressed.")
    p.add_argument("workspace")
    p.add_argument("--wave", help="wave (default: the latest)")
    p.add_argument("--by", choices=["team", "department", "organisation"], default="team")
    p.add_argument("--language", help="language of the scale titles")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("quality", help="list data-quality flags: impossible response rates, missing headcounts, "
                                       "straight-lining, incomplete responses",
                       description="Flags for HR to check before reports go out; nothing is removed automatically.")
    p.add_argument("workspace")
    p.add_argument("--wave", help="wave (default: the latest)")
    p.set_defaults(func=cmd_quality)

    p = sub.add_parser("reliability", help="print Cronbach's alpha and item-rest correlations per scale")
    p.add_argument("workspace")
    p.add_argument("--wave", help="wave (default: the latest)")
    p.set_defaults(func=cmd_reliability)

    p = sub.add_parser("serve", help="serve the survey form as a web page and print the address to share",
                       description="Serve the survey form to respondents: a plain HTML page (no kernel per "
                                   "respondent) that any number of people can open at once. Put it behind a "
                                   "reverse proxy with TLS to reach it from outside (see README).")
    p.add_argument("workspace")
    p.add_argument("--wave", help="wave to collect answers for (default: the latest)")
    p.add_argument("--port", type=int, default=8866)
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (0.0.0.0: every network interface)")
    p.add_argument("--workers", type=_workers, default=1,
                   help="worker processes (default 1; one per core for a PostgreSQL store, 1-2 for SQLite)")
    p.add_argument("--notebook", action="store_true",
                   help="serve the notebook form with Voilà instead (one kernel per open page: a kiosk or a "
                        "trial run, not a whole company)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("dashboard", help="serve the leaders' dashboard with Voilà (a separate server from the form)",
                       description="Serve the leaders' dashboard (notebooks/dashboard.ipynb) with Voilà: choose a "
                                   "department or team, waves and scales; groups under the anonymity threshold are "
                                   "never shown. It is a separate server from `assessment serve`; share its address "
                                   "with leaders only. It opens only from a link it prints: HR's (every group) and, "
                                   "with --for, one per department (that department and the units below it). Links "
                                   "are signed with a secret kept in the workspace (dashboard-secret), so they keep "
                                   "working after a restart until --rotate.")
    p.add_argument("workspace")
    p.add_argument("--port", type=int, default=8867, help="port (default: %(default)s)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: %(default)s, this computer "
                   "only; 0.0.0.0: every network interface)")
    p.add_argument("--for", dest="scopes", action="append", metavar="DEPARTMENT",
                   help="also print a link for this department's leaders, showing only the department and the "
                        "units below it (repeat for more)")
    p.add_argument("--rotate", action="store_true",
                   help="make a new secret first: every link printed before stops working")
    p.add_argument("--links", action="store_true", help="only print the links (for --host/--port), do not serve")
    p.set_defaults(func=cmd_dashboard)

    p = sub.add_parser("notebooks", help="copy the kit's notebooks into a folder, to open them in JupyterLab",
                       description="Copy the kit's notebooks (survey form, HR administration, leaders' dashboard, "
                                   "report) into a folder, as your own copies to open with JupyterLab. With "
                                   "--workspace each one opens on that workspace (its absolute path is set as the "
                                   "notebooks' `workspace` parameter).")
    p.add_argument("folder", help="folder for the copies (created if missing)")
    p.add_argument("--workspace", help="the workspace the notebooks open on")
    p.add_argument("--force", action="store_true", help="overwrite notebooks of the same name that differ")
    p.set_defaults(func=cmd_notebooks)

    p = sub.add_parser("actions", help="record and follow up the actions groups agree after a wave",
                       description="Actions close the loop: after a wave's results, a team (or department) agrees "
                                   "actions aimed at one scale (a pillar or outcome); the next wave's report shows each "
                                   "one beside the change in that scale.")
    p.add_argument("workspace")
    actions = p.add_subparsers(dest="action_command", metavar="ACTION")
    a = actions.add_parser("add", help="record an action; prints its id")
    a.add_argument("--group", required=True, help="team or department (or Organisation)")
    a.add_argument("--scale", required=True, help="the scale it aims at: id or title, e.g. expectations")
    a.add_argument("--wave", help="the wave whose results prompted it (default: the latest)")
    a.add_argument("--text", required=True, help="what the group agreed to do")
    a.add_argument("--owner", help="who sees it through (a role is enough)")
    a.add_argument("--due", help="due date, YYYY-MM-DD")
    a = actions.add_parser("list", help="list actions (the default)")
    a.add_argument("--wave", help="only those agreed after this wave")
    a.add_argument("--group", help="only this group's and those of the groups under it")
    a.add_argument("--status", help="only planned, started, done or dropped")
    a = actions.add_parser("update", help="change an action's status, text, owner or due date, or add a note")
    a.add_argument("id", help="the action's id (see list)")
    a.add_argument("--status", help="planned, started, done or dropped")
    a.add_argument("--text")
    a.add_argument("--owner", help="new owner ('' clears it)")
    a.add_argument("--due", help="new due date, YYYY-MM-DD ('' clears it)")
    a.add_argument("--note", help="a note, added with today's date")
    a = actions.add_parser("remove", help="delete an action recorded by mistake")
    a.add_argument("id")
    p.set_defaults(func=cmd_actions, action_command="list", wave=None, group=None, status=None)

    p = sub.add_parser("report", help="write a self-contained HTML report (and with --pdf a PDF) per team or "
                                          "department")
    p.add_argument("workspace")
    p.add_argument("--wave", help="wave (default: the latest)")
    p.add_argument("--group", action="append", help="team or department (repeat; default: every group shown)")
    p.add_argument("--by", choices=["team", "department", "organisation"], default="team")
    p.add_argument("--language", help="language of the report (default: the template's)")
    p.add_argument("--out", help="folder for the reports (default: the workspace's output/reports)")
    p.add_argument("--pdf", action="store_true", help="also write an A4 PDF beside each HTML file (needs WeasyPrint: "
                                                      "pip install 'osa-assessment[pdf]')")
    _quiet_option(p)
    p.set_defaults(func=cmd_report)
    return parser


class _Notes(logging.Handler):
    """The package's log warnings (a store upgraded, ...) as 'note: ...' lines on stderr."""

    def emit(self, record):
        print(f"note: {record.getMessage()}", file=sys.stderr)


def _silence_stdout():
    """Point stdout at /dev/null, so the interpreter's final flush does not fail on the closed pipe too."""
    try:
        import os
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):   # stdout is not a real file (e.g. captured in tests)
        pass


def main(argv=None) -> int:
    logger = logging.getLogger("assessment")
    if not any(isinstance(h, _Notes) for h in logger.handlers):
        logger.addHandler(_Notes(logging.WARNING))
        logger.propagate = False
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        code = args.func(args)
        sys.stdout.flush()   # a reader that stopped early (`| head`) shows here, not as a traceback at exit
    except BrokenPipeError:
        _silence_stdout()
        return 141           # 128 + SIGPIPE, as a shell reports a command whose reader went away
    except AssessmentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except (FileNotFoundError, PermissionError, IsADirectoryError) as exc:
        print(f"error: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return int(code or 0)


if __name__ == "__main__":
    sys.exit(main())
