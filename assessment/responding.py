"""What respondents see and the one path their answers take into the store, shared by both forms.

The served web form (`assessment.app`, for a whole company) and the ipywidgets form (`assessment.widgets`,
for JupyterLab and kiosks) show the same texts (`UI_TEXT`, per language, from `assessment.messages`) and hand a response to
`submit_response`, which validates it exactly as imports are validated (`Store.check_response`) and
stores it in one transaction (`Store.add_responses`, which also spends a one-time code in that
transaction). Neither form keeps anything about a respondent between requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .exceptions import ResponseRejected, StoreError
from .messages import LANGUAGES, section, text
from .store import CODE_UNKNOWN, CODE_USED, Response, Store
from .templates import LANGUAGE_NAMES

SKIP = "skip"
"""The value of an item whose respondent chose "Skip / prefer not to answer" (stored as missing)."""

NUMBERED_POINTS = 7
"""Response scales with more points than this (e.g. the 0-10 eNPS scale) show numbers as the choices and
their end labels as a hint."""

NATIVE_LANGUAGE_NAMES = {"en": "English", "sv": "Svenska", "no": "Norsk", "nb": "Norsk bokmål", "da": "Dansk",
                         "fi": "Suomi", "de": "Deutsch", "fr": "Français", "es": "Español", "nl": "Nederlands"}

UI_TEXT = {language: section(language, "form.") for language in LANGUAGES}
"""Both forms' texts per language (from `assessment.messages`, keys without "form."), kept for compatibility."""

CODE_PROBLEMS = {CODE_UNKNOWN: "code_unknown", CODE_USED: "code_used"}
"""The store's reasons a code cannot be used, and the UI strings that say so to a respondent."""


def ui_text(language: str, key: str, **values) -> str:
    """A UI string in the language (English when the kit has no translation for it)."""
    return text(language, "form." + key, **values)


def language_name(code: str) -> str:
    """A language's name in that language ("Svenska"), for a language switch."""
    return NATIVE_LANGUAGE_NAMES.get(code, LANGUAGE_NAMES.get(code, code))


def leaf_teams(store: Store) -> list[tuple[str, str | None]]:
    """(team, department) for every team that has no teams under it: the teams a respondent can belong to."""
    teams = store.teams()
    parents = {p for p in teams["parent"] if isinstance(p, str)}
    leaves = [(row.team, row.parent if isinstance(row.parent, str) else None)
              for row in teams.itertuples(index=False) if row.team not in parents]
    return sorted(leaves, key=lambda pair: pair[0].casefold())


@dataclass
class Outcome:
    """What became of a submission: stored (`respondent_id`), or why not, in terms a form can show.

    `field_problem` is the UI text key about the team or the code ("missing_team", "missing_code",
    "code_unknown", "code_used", "codes_now"); `missing_items` are items neither answered nor skipped;
    `problems` are the store's own reasons (comment too long, ...); `closed`: the wave takes no answers."""

    respondent_id: int | None = None
    field_problem: str | None = None
    missing_items: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    nothing_answered: bool = False
    closed: bool = False
    team: str | None = None            # the code's team, once a code was checked and can be used

    @property
    def stored(self) -> bool:
        return self.respondent_id is not None


def submit_response(store: Store, wave: str, response: Response, *, unanswered=(), code_mode: bool = False,
                    code: str | None = None, teams=None) -> Outcome:
    """Validate a respondent's answers and store them in one transaction: the one path from either form.

    `response.answers` holds every item (None for skipped ones); `unanswered` names the items the respondent
    has neither answered nor skipped. `code_mode`: the form showed the code field (else the team list); a
    wave that has codes takes answers only with a code, so a team-mode submission to it is refused with
    "codes_now". `teams`: the leaf team names the form offered (default: the store's)."""
    outcome = Outcome()
    if not code_mode and store.wave_has_codes(wave):
        outcome.field_problem = "codes_now"       # codes were issued after the page was opened
        outcome.missing_items = list(unanswered)
        return outcome
    code = (code or "").strip() if code_mode else None
    if code_mode:
        if not code:
            outcome.field_problem = "missing_code"
        else:
            try:
                outcome.team = store.code_team(wave, code)
            except ResponseRejected as exc:
                key = next((CODE_PROBLEMS[p] for p in exc.problems if p in CODE_PROBLEMS), None)
                if key is None:
                    raise
                outcome.field_problem = key
    else:
        known = {team for team, _ in leaf_teams(store)} if teams is None else set(teams)
        if response.team is None:
            outcome.field_problem = "missing_team"
        elif response.team not in known:
            outcome.problems.append(f"unknown team {response.team!r}")
    outcome.missing_items = list(unanswered)
    if outcome.field_problem or outcome.missing_items or outcome.problems:
        return outcome
    try:
        # validated by the store (as imports are), and with a code the store takes the team from it and
        # spends it in the same transaction
        outcome.respondent_id = store.add_responses(wave, [response], code=code)[0]
    except ResponseRejected as exc:
        key = next((CODE_PROBLEMS[p] for p in exc.problems if p in CODE_PROBLEMS), None)
        if key is not None:        # e.g. the same code was submitted from another page a moment ago
            outcome.field_problem, outcome.team = key, None
        elif not any(v is not None for v in response.answers.values()) and not response.comments:
            outcome.nothing_answered = True
        else:
            outcome.problems = list(exc.problems)
    except StoreError as exc:
        if store.wave_status(wave) != "open":
            outcome.closed = True
        else:
            outcome.problems = [str(exc)]
    return outcome


__all__ = ["SKIP", "NUMBERED_POINTS", "NATIVE_LANGUAGE_NAMES", "UI_TEXT", "CODE_PROBLEMS", "Outcome", "ui_text",
           "language_name", "leaf_teams", "submit_response"]
