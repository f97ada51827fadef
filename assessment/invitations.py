"""One-time invitation codes: only invited people answer, once each.

HR creates codes per team and wave and mail-merges or prints the file. The form asks for a code,
takes the team from it and spends it in the same transaction as the answers. The store keeps only
salted hashes of codes with their team, and no link from a code to the answers given with it."""

from __future__ import annotations

import csv
from pathlib import Path

from ._files import open_private
from .exceptions import AssessmentError
from .exporting import neutralise
from .workspace import Workspace


def leaf_teams(store) -> list[str]:
    """Teams that people belong to (units without sub-units)."""
    teams = store.teams()
    parents = set(teams["parent"].dropna())
    return [t for t in teams["team"] if t not in parents]


def write_codes(workspace: Workspace, wave: str | None = None, teams=None, count: int | None = None,
                out=None) -> tuple[Path, int]:
    """Create codes (per team: `count`, or the team's headcount in the wave) and write team,code rows
    to a CSV readable only by its owner. Returns the file and the number of codes."""
    store = workspace.store
    wave = workspace.wave(wave)
    teams = list(teams) if teams else leaf_teams(store)
    if not teams:
        raise AssessmentError("the workspace has no teams yet; add them with `assessment teams WORKSPACE --file teams.csv`")
    headcounts = store.headcounts(wave).set_index("team")["headcount"].to_dict()
    plan = {}
    for team in teams:
        store.team_id(team)
        n = count if count is not None else headcounts.get(team)
        if n is None:
            raise AssessmentError(f"no headcount for {team!r} in wave {wave}; set it (assessment teams WORKSPACE --add "
                                  f"{team!r} --headcount N) or give --count")
        if n:
            plan[team] = int(n)
    out = Path(out) if out else workspace.output / f"codes-{wave}.csv"
    out.parent.mkdir(parents=True, exist_ok=True)
    rows = [(team, code) for team, n in plan.items() for code in store.issue_codes(wave, team, n)]
    with open_private(out) as handle:   # codes are keys to the survey
        writer = csv.writer(handle)
        writer.writerow(["team", "code"])
        writer.writerows((neutralise(team), code) for team, code in rows)
    return out, len(rows)
