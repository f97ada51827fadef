"""Small one-language templates for statistics tests, built from compact descriptions."""

from __future__ import annotations

from assessment.templates import template_from_data


def build_template(scales, indices=(), min_answered=0.5, min_group=5, min_change=5):
    """A template from (scale id, role, [item ids; '-x' marks a reverse-keyed item]) and (index id, scale ids)."""
    return template_from_data({
        "id": "test",
        "languages": ["en"],
        "anonymity": {"min_group": min_group},
        "scoring": {"min_answered": min_answered, "min_change": min_change},
        "response_scales": {
            "agree5": {"points": 5, "labels": {"en": ["1", "2", "3", "4", "5"]}},
            "nps11": {"points": 11, "start": 0, "labels": {"en": [str(v) for v in range(11)]}},
        },
        "scales": [{"id": sid, "title": sid, "role": role, "response_scale": "nps11" if role == "enps" else "agree5",
                    "items": [{"id": i.lstrip("-"), "text": i, "reverse": i.startswith("-")} for i in items]}
                   for sid, role, items in scales],
        "indices": [{"id": iid, "title": iid, "from": list(source)} for iid, source in indices],
    })


def answer_rows(template, team: str, kinds) -> list[dict]:
    """One response per kind for `team` on a template's items: "full" (every item, varied answers), "straight"
    (every agreement item answered 4, i.e. straight-lining) or "incomplete" (only the first 3 agreement items)."""
    agree = [i for i in template.items if i.response_scale.points <= 7]
    rows = []
    for k, kind in enumerate(kinds):
        row = {"team": team}
        if kind == "full":
            row.update({i.id: i.response_scale.values[(k + j) % len(i.response_scale.values)]
                        for j, i in enumerate(template.items)})
        elif kind == "straight":
            row.update({i.id: 4 for i in agree})
        elif kind == "incomplete":
            row.update({i.id: 1 + j % 5 for j, i in enumerate(agree[:3])})
        else:
            raise ValueError(kind)
        rows.append(row)
    return rows


def organisation_workspace(path, departments: dict, wave: str = "w1"):
    """A workspace (osa-core, English, min_group 5) whose departments hold teams of given responses:
    {department: {team: [kind, ...]}} with kinds as in `answer_rows`. Returns the open Workspace."""
    import pandas as pd

    from assessment.workspace import Workspace
    ws = Workspace.create(path, template="osa-core", wave=wave)
    ws.store.add_teams([(team, department) for department, teams in departments.items() for team in teams])
    template = ws.store.wave_template(wave)
    rows = [row for teams in departments.values() for team, kinds in teams.items()
            for row in answer_rows(template, team, kinds)]
    matrix = pd.DataFrame(rows, columns=["team", *template.item_ids])
    matrix[template.item_ids] = matrix[template.item_ids].astype("float64")
    ws.store.add_answer_matrix(wave, matrix)
    return ws
