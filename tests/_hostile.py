"""Hostile text: names and texts a user, a respondent or an import may supply, which every output must
show as written (escaped in HTML, literal in charts), never run or interpret.

`CORPUS` is the shared list; `stored(name)` is the form the store keeps (surrounding spaces stripped);
`ORGANISATION` is a `demo.Plan` organisation whose department and team names are the corpus (teams of
12-30 people, so they are shown), plus `SMALL`, a hostile team of three that is always hidden;
`hostile_template()` is osa-core with every text (titles, item texts, labels, open questions) hostile.
"""

from __future__ import annotations

import copy
import html
import itertools

import yaml

from assessment.templates import find_template

SCRIPT = "<script>alert(1)</script>"
IMG = "<img src=x onerror=\"document.title='XSS'\">"
LONG = ("A very long team name " * 10)[:199] + "Z"          # 200 characters
PADDED = "  Padded team  "
MATH = "$x^2$"
LONE_DOLLAR = "Team $"
BAD_MATH = "$\\notacommand$"                                  # mathtext would raise ValueError on it

CORPUS = [
    SCRIPT,
    IMG,
    '"',
    "'",
    "&amp;",
    "<",
    MATH,
    LONE_DOLLAR,
    BAD_MATH,
    "Team 🚀",
    "فريق المبيعات",
    "צוות",
    LONG,
    PADDED,
]
assert len(LONG) == 200

# a team of three (under the threshold of five): hidden everywhere, named in notes and messages
SMALL = "<img src=x onerror=\"document.title='XSS'\"> small"

# what must never appear in HTML made from these names (only their escaped forms may)
RAW_MARKERS = ("<script", "<img", "<b>hostile")   # in text content, escaped < and > are enough


def stored(name: str) -> str:
    """The name as the store keeps it."""
    return name.strip()


def escaped(name: str) -> str:
    return html.escape(stored(name))


# departments and teams: every corpus name is one of them
DEPARTMENTS = [SCRIPT, "فريق المبيعات", "צוות"]
TEAMS = [name for name in CORPUS if name not in DEPARTMENTS]
ORGANISATION = {
    SCRIPT: {IMG: 24, '"': 20, "'": 18, "&amp;": 16, SMALL: 3},
    "فريق المبيعات": {"<": 22, MATH: 20, LONE_DOLLAR: 26, BAD_MATH: 14},
    "צוות": {"Team 🚀": 30, LONG: 16, PADDED: 12},
}
assert sorted(t for teams in ORGANISATION.values() for t in teams if t != SMALL) == sorted(TEAMS)

COMMENTS = [*CORPUS, SMALL, "<b>hostile</b> comment & more"]


def hostile_template(template: str = "osa-core") -> dict:
    """The data of `template` with every text replaced by hostile text (each one unique, since texts
    are matched on import): scale and index titles, item texts, response labels, open questions."""
    from assessment.templates import load_template
    data = copy.deepcopy(load_template(find_template(template)).data)
    counter = itertools.count(1)
    pool = itertools.cycle([*CORPUS, SMALL])

    def text(_old: str) -> str:
        return f"{next(pool)} {next(counter)}"

    def texts(value):
        return {lang: text(old) for lang, old in value.items()} if isinstance(value, dict) else text(value)

    data["title"] = texts(data.get("title") or {lang: "t" for lang in data["languages"]})
    for scale in data.get("scales", []):
        scale["title"] = texts(scale["title"])
        for item in scale.get("items", []):
            item["text"] = texts(item["text"])
    for index in data.get("indices", []):
        index["title"] = texts(index["title"])
    for comment in data.get("comments", []):
        comment["text"] = texts(comment["text"])
    for rs in data.get("response_scales", {}).values():
        rs["labels"] = {lang: [text(label) for label in labels] for lang, labels in rs["labels"].items()}
    return data


def dump(data: dict) -> str:
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
