"""What respondents see and the one path their answers take into the store, shared by both forms.

The served web form (`assessment.app`, for a whole company) and the ipywidgets form (`assessment.widgets`,
for JupyterLab and kiosks) show the same texts (`UI_TEXT`, per language) and hand a response to
`submit_response`, which validates it exactly as imports are validated (`Store.check_response`) and
stores it in one transaction (`Store.add_responses`, which also spends a one-time code in that
transaction). Neither form keeps anything about a respondent between requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .exceptions import ResponseRejected, StoreError
from .store import CODE_UNKNOWN, CODE_USED, Response, Store
from .templates import LANGUAGE_NAMES

SKIP = "skip"
"""The value of an item whose respondent chose "Skip / prefer not to answer" (stored as missing)."""

NUMBERED_POINTS = 7
"""Response scales with more points than this (e.g. the 0-10 eNPS scale) show numbers as the choices and
their end labels as a hint."""

NATIVE_LANGUAGE_NAMES = {"en": "English", "sv": "Svenska", "no": "Norsk", "nb": "Norsk bokmål", "da": "Dansk",
                         "fi": "Suomi", "de": "Deutsch", "fr": "Français", "es": "Español", "nl": "Nederlands"}

UI_TEXT = {
    "en": {
        "intro": "Your answers are anonymous: results are only shown for groups of at least {min_group} people, "
                 "and open comments are never linked to your answers. Choose the answer that fits best for each "
                 "statement, or “Skip / prefer not to answer”.",
        "language": "Language",
        "team": "Your team",
        "choose_team": "— choose your team —",
        "skip": "Skip / prefer not to answer",
        "open_questions": "Open questions",
        "optional": "optional",
        "comment_placeholder": "Write here if you like (optional)",
        "progress": "{done} of {total} questions answered or skipped",
        "submit": "Submit",
        "submitting": "Saving…",
        "thank_you": "Thank you! Your answers have been saved. The form is now empty for the next person.",
        "not_saved": "Your answers have not been saved yet.",
        "missing_team": "Choose your team.",
        "missing_items": "Answer or skip {n} more questions:",
        "missing_item": "Answer or skip 1 more question:",
        "and_more": "… and {n} more",
        "nothing_answered": "Answer at least one question or write a comment before you submit.",
        "rejected": "The answers could not be saved:",
        "closed": "This survey is closed and takes no more answers.",
        "failed": "Something went wrong and your answers were not saved. Please try again, or tell the person "
                  "who runs the survey.",
        "no_teams": "No teams have been set up for this survey yet, so it cannot be answered.",
        "code": "Your code",
        "code_placeholder": "e.g. ABCDE-23456",
        "code_intro": "Enter the one-time code from your invitation. It tells us which team you answer for and can "
                      "be used once; it is never stored with your answers.",
        "code_team": "Team: {team}",
        "missing_code": "Enter the code from your invitation.",
        "code_unknown": "This code is not valid for this survey. Check that you typed it exactly as in your "
                        "invitation.",
        "code_used": "This code has already been used. Each code can be used once; ask the person who runs the "
                     "survey for a new one if you have not answered yet.",
        "codes_now": "This survey now asks for the code from your invitation. Enter it, then submit again.",
        # the served web form
        "error_title": "There is a problem",
        "error_prefix": "Error:",
        "missing_question": "Answer question {number}, or choose “Skip / prefer not to answer”",
        "item_error": "Choose an answer, or “Skip / prefer not to answer”",
        "comment_too_long": "Shorten your answer to question “{question}” to at most {limit} characters "
                            "(it has {length})",
        "comment_error": "Shorten this answer to at most {limit} characters (it has {length})",
        "team_hint": "Your answers are shown only together with those of your team and department.",
        "scale_hint": "{low} = {low_label}, {high} = {high_label}",
        "thanks_title": "Thank you",
        "thanks_body": "Your answers have been saved. You can close this page.",
        "new_form": "Open an empty form for another person",
        "closed_title": "The survey is closed",
        "expired_title": "Send your answers again",
        "expired": "Your answers were not saved: the page was open for a long time, or your browser does not "
                   "keep cookies for this site. Go back to the form, check your answers and send them again.",
        "back_to_form": "Back to the form",
        "too_many_codes": "Too many codes that are not valid were tried from your connection. Wait {minutes} "
                          "minutes, then try again.",
        "too_large_title": "Your answers were too long",
        "too_large": "Your answers were not saved because they were too long to receive. Shorten your comments "
                     "and send them again.",
        "not_found_title": "Page not found",
        "not_found": "There is no page at this address.",
        "error_page_title": "Something went wrong",
        "progress_label": "Progress",
    },
    "sv": {
        "intro": "Dina svar är anonyma: resultat visas bara för grupper med minst {min_group} personer, och "
                 "fritextsvar kopplas aldrig till dina svar. Välj det svar som passar bäst för varje påstående, "
                 "eller ”Hoppa över / vill inte svara”.",
        "language": "Språk",
        "team": "Ditt team",
        "choose_team": "— välj ditt team —",
        "skip": "Hoppa över / vill inte svara",
        "open_questions": "Öppna frågor",
        "optional": "frivillig",
        "comment_placeholder": "Skriv här om du vill (frivilligt)",
        "progress": "{done} av {total} frågor besvarade eller överhoppade",
        "submit": "Skicka",
        "submitting": "Sparar…",
        "thank_you": "Tack! Dina svar har sparats. Formuläret är nu tomt för nästa person.",
        "not_saved": "Dina svar har inte sparats ännu.",
        "missing_team": "Välj ditt team.",
        "missing_items": "Svara på eller hoppa över {n} frågor till:",
        "missing_item": "Svara på eller hoppa över 1 fråga till:",
        "and_more": "… och {n} till",
        "nothing_answered": "Svara på minst en fråga eller skriv en kommentar innan du skickar.",
        "rejected": "Svaren kunde inte sparas:",
        "closed": "Enkäten är stängd och tar inte emot fler svar.",
        "failed": "Något gick fel och dina svar sparades inte. Försök igen, eller kontakta den som håller i "
                  "enkäten.",
        "no_teams": "Inga team är upplagda för den här enkäten ännu, så den kan inte besvaras.",
        "code": "Din kod",
        "code_placeholder": "t.ex. ABCDE-23456",
        "code_intro": "Skriv in engångskoden från din inbjudan. Den visar vilket team du svarar för och kan bara "
                      "användas en gång; den sparas aldrig tillsammans med dina svar.",
        "code_team": "Team: {team}",
        "missing_code": "Skriv in koden från din inbjudan.",
        "code_unknown": "Koden gäller inte för den här enkäten. Kontrollera att du har skrivit den precis som i "
                        "inbjudan.",
        "code_used": "Koden har redan använts. Varje kod kan användas en gång; be den som håller i enkäten om en ny "
                     "om du inte har svarat ännu.",
        "codes_now": "Enkäten kräver nu koden från din inbjudan. Skriv in den och skicka igen.",
        "error_title": "Det finns ett problem",
        "error_prefix": "Fel:",
        "missing_question": "Svara på fråga {number}, eller välj ”Hoppa över / vill inte svara”",
        "item_error": "Välj ett svar, eller ”Hoppa över / vill inte svara”",
        "comment_too_long": "Korta ditt svar på frågan ”{question}” till högst {limit} tecken (det har {length})",
        "comment_error": "Korta svaret till högst {limit} tecken (det har {length})",
        "team_hint": "Dina svar visas bara tillsammans med ditt teams och din avdelnings svar.",
        "scale_hint": "{low} = {low_label}, {high} = {high_label}",
        "thanks_title": "Tack",
        "thanks_body": "Dina svar har sparats. Du kan stänga sidan.",
        "new_form": "Öppna ett tomt formulär för en annan person",
        "closed_title": "Enkäten är stängd",
        "expired_title": "Skicka dina svar igen",
        "expired": "Dina svar sparades inte: sidan var öppen länge, eller så sparar din webbläsare inte kakor för "
                   "den här webbplatsen. Gå tillbaka till formuläret, kontrollera dina svar och skicka dem igen.",
        "back_to_form": "Tillbaka till formuläret",
        "too_many_codes": "För många ogiltiga koder har provats från din anslutning. Vänta {minutes} minuter och "
                          "försök sedan igen.",
        "too_large_title": "Dina svar var för långa",
        "too_large": "Dina svar sparades inte eftersom de var för långa att ta emot. Korta dina kommentarer och "
                     "skicka igen.",
        "not_found_title": "Sidan finns inte",
        "not_found": "Det finns ingen sida på den här adressen.",
        "error_page_title": "Något gick fel",
        "progress_label": "Förlopp",
    },
}

CODE_PROBLEMS = {CODE_UNKNOWN: "code_unknown", CODE_USED: "code_used"}
"""The store's reasons a code cannot be used, and the UI strings that say so to a respondent."""


def ui_text(language: str, key: str, **values) -> str:
    """A UI string in the language (English when the kit has no translation for it)."""
    text = UI_TEXT.get(language, {}).get(key) or UI_TEXT["en"][key]
    return text.format(**values) if values else text


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
    problems = store.check_response(store.wave_template(wave), response)
    if problems:
        if not any(v is not None for v in response.answers.values()) and not response.comments:
            outcome.nothing_answered = True
        else:
            outcome.problems = problems
        return outcome
    try:
        # with a code, the store takes the team from it and spends it in the same transaction
        outcome.respondent_id = store.add_responses(wave, [response], code=code)[0]
    except ResponseRejected as exc:
        key = next((CODE_PROBLEMS[p] for p in exc.problems if p in CODE_PROBLEMS), None)
        if key is not None:        # e.g. the same code was submitted from another page a moment ago
            outcome.field_problem, outcome.team = key, None
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
