"""One message catalogue per language: every text a person reads in the survey forms, the dashboard, the
admin and action panels, the CLI's tables and the labels of exports.

`text(language, key, **values)` gives a text in a language (English when the catalogue has no such
language or key) with `{placeholders}` filled in; `LANGUAGES` are the languages with a catalogue. Keys are
grouped by surface: ``form.`` (both survey forms, `responding.UI_TEXT`), ``dashboard.``, ``actions.``,
``admin.``, ``cli.``, ``reason.`` (why a group or cell is hidden) and ``quality.`` (HR's data-quality flags).
Machine-readable column names in CSV files and ids are not texts: they stay as they are. A test checks that
every key exists in every language and that the Swedish surfaces show no English word of this catalogue.
"""

from __future__ import annotations

CATALOGUE: dict[str, dict[str, str]] = {
    "en": {
        "form.intro": "Your answers are anonymous: results are only shown for groups of at least {min_group} people, "
                 "and open comments are never linked to your answers. Choose the answer that fits best for each "
                 "statement, or “Skip / prefer not to answer”.",
        "form.language": "Language",
        "form.team": "Your team",
        "form.choose_team": "— choose your team —",
        "form.skip": "Skip / prefer not to answer",
        "form.open_questions": "Open questions",
        "form.optional": "optional",
        "form.comment_placeholder": "Write here if you like (optional)",
        "form.progress": "{done} of {total} questions answered or skipped",
        "form.submit": "Submit",
        "form.submitting": "Saving…",
        "form.thank_you": "Thank you! Your answers have been saved. The form is now empty for the next person.",
        "form.not_saved": "Your answers have not been saved yet.",
        "form.missing_team": "Choose your team.",
        "form.missing_items": "Answer or skip {n} more questions:",
        "form.missing_item": "Answer or skip 1 more question:",
        "form.and_more": "… and {n} more",
        "form.nothing_answered": "Answer at least one question or write a comment before you submit.",
        "form.rejected": "The answers could not be saved:",
        "form.closed": "This survey is closed and takes no more answers.",
        "form.failed": "Something went wrong and your answers were not saved. Please try again, or tell the person "
                  "who runs the survey.",
        "form.no_teams": "No teams have been set up for this survey yet, so it cannot be answered.",
        "form.code": "Your code",
        "form.code_placeholder": "e.g. ABCDE-23456",
        "form.code_intro": "Enter the one-time code from your invitation. It tells us which team you answer for and can "
                      "be used once; it is never stored with your answers.",
        "form.code_team": "Team: {team}",
        "form.missing_code": "Enter the code from your invitation.",
        "form.code_unknown": "This code is not valid for this survey. Check that you typed it exactly as in your "
                        "invitation.",
        "form.code_used": "This code has already been used. Each code can be used once; ask the person who runs the "
                     "survey for a new one if you have not answered yet.",
        "form.codes_now": "This survey now asks for the code from your invitation. Enter it, then submit again.",
        # the served web form
        "form.error_title": "There is a problem",
        "form.error_prefix": "Error:",
        "form.missing_question": "Answer question {number}, or choose “Skip / prefer not to answer”",
        "form.item_error": "Choose an answer, or “Skip / prefer not to answer”",
        "form.comment_too_long": "Shorten your answer to question “{question}” to at most {limit} characters "
                            "(it has {length})",
        "form.comment_error": "Shorten this answer to at most {limit} characters (it has {length})",
        "form.team_hint": "Your answers are shown only together with those of your team and department.",
        "form.scale_hint": "{low} = {low_label}, {high} = {high_label}",
        "form.thanks_title": "Thank you",
        "form.thanks_body": "Your answers have been saved. You can close this page.",
        "form.new_form": "Open an empty form for another person",
        "form.closed_title": "The survey is closed",
        "form.expired_title": "Send your answers again",
        "form.expired": "Your answers were not saved: the page was open for a long time, or your browser does not "
                   "keep cookies for this site. Go back to the form, check your answers and send them again.",
        "form.back_to_form": "Back to the form",
        "form.too_many_codes": "Too many codes that are not valid were tried from your connection. Wait {minutes} "
                          "minutes, then try again.",
        "form.too_large_title": "Your answers were too long",
        "form.too_large": "Your answers were not saved because they were too long to receive. Shorten your comments "
                     "and send them again.",
        "form.not_found_title": "Page not found",
        "form.not_found": "There is no page at this address.",
        "form.error_page_title": "Something went wrong",
        "form.progress_label": "Progress",
        # ---------------------------------------------------------------- the leaders' dashboard
        "dashboard.title": "Work environment dashboard",
        "dashboard.level": "Show", "dashboard.department": "Departments", "dashboard.team": "Teams",
        "dashboard.group": "Group", "dashboard.waves": "Waves", "dashboard.scales": "Scales",
        "dashboard.wave": "Wave", "dashboard.item_scale": "Items of", "dashboard.all": "(all)",
        "dashboard.trend": "Over time", "dashboard.pillars": "Pillars", "dashboard.heatmap": "Heatmap",
        "dashboard.items": "Item answers", "dashboard.change": "Change", "dashboard.drivers": "Drivers",
        "dashboard.enps": "eNPS", "dashboard.actions": "Actions",
        "dashboard.hidden": "{group} has fewer than {n} respondents in {wave}: its figures are not shown.",
        "dashboard.differenced": "{group} is hidden in {wave} so that a smaller group cannot be worked out from "
                                 "it: its figures are not shown.",
        "dashboard.no_previous": "{wave} is the first wave: there is nothing to compare with.",
        # ---------------------------------------------------------------- the action panel
        "actions.group": "Group", "actions.wave": "After wave", "actions.scale": "Scale", "actions.text": "Action",
        "actions.owner": "Owner", "actions.due": "Due date", "actions.due_placeholder": "YYYY-MM-DD",
        "actions.text_placeholder": "What the group agreed to do", "actions.add": "Add action",
        "actions.action": "Action no.", "actions.status": "Status", "actions.note": "Note",
        "actions.note_placeholder": "optional: what happened", "actions.save": "Save", "actions.remove": "Remove",
        "actions.organisation": "Organisation", "actions.heading": "Actions of {group}",
        "actions.add_heading": "Add an action", "actions.update_heading": "Follow up an action",
        "actions.none": "No actions yet.",
        "actions.col.id": "No.", "actions.col.wave": "Wave", "actions.col.group": "Group",
        "actions.col.scale": "Scale", "actions.col.status": "Status", "actions.col.owner": "Owner",
        "actions.col.due": "Due", "actions.col.text": "Action", "actions.col.notes": "Notes",
        "actions.col.updated": "Updated",
        "actions.added": "Action {id} added for {group}.", "actions.saved": "Action {id} saved.",
        "actions.removed": "Action {id} removed.", "actions.choose_scale": "choose a scale first",
        "actions.choose_action": "choose an action first",
        "actions.status.planned": "planned", "actions.status.started": "started", "actions.status.done": "done",
        "actions.status.dropped": "dropped",
        # ---------------------------------------------------------------- HR's admin panel
        "admin.title": "Survey administration — {name}",
        "admin.tab.survey": "Survey", "admin.tab.actions": "Actions",
        "admin.new_wave": "New wave", "admin.new_wave_placeholder": "e.g. 2027-spring",
        "admin.open_wave": "Open wave", "admin.wave": "Wave", "admin.close_wave": "Close wave",
        "admin.reopen_wave": "Reopen wave", "admin.team": "Team", "admin.headcount": "Headcount",
        "admin.set_headcount": "Set headcount", "admin.teams_file": "Teams file",
        "admin.add_teams_file": "Add teams from file", "admin.answer_file": "Answer file",
        "admin.path": "Path", "admin.path_placeholder": "or a path on the server, e.g. exports/answers.csv",
        "admin.mapping": "Mapping", "admin.mapping_placeholder": "optional mapping file (YAML)",
        "admin.create_teams": "Create unknown teams", "admin.import": "Import answers",
        "admin.codes_per_team": "Codes per team", "admin.codes_tooltip": "0: one per person in the team's headcount",
        "admin.create_codes": "Create codes file",
        "admin.h.waves": "Waves", "admin.h.teams": "Teams and headcount", "admin.h.import": "Import answers",
        "admin.h.codes": "Invitation codes",
        "admin.codes_intro": "One code per invited person; the form accepts each code once and takes the team "
                             "from it. 0 codes per team: one per person in the headcount.",
        "admin.h.rates": "Response rates", "admin.h.quality": "Data quality",
        "admin.need_wave_name": "write the new wave's name first, e.g. 2027-spring",
        "admin.wave_opened": "Wave {name} is open, with the workspace's current template.",
        "admin.wave_closed": "Wave {name} is closed.", "admin.wave_open": "Wave {name} is open.",
        "admin.choose_team": "choose a team first",
        "admin.headcount_set": "Headcount of {team} in {wave}: {n}.",
        "admin.need_teams_file": "choose a teams file (columns team, parent, headcount) first",
        "admin.teams_added": "Added or updated {n} team(s) from {file}.",
        "admin.need_answer_file": "choose an answer file to upload, or write its path",
        "admin.note": "Note: {text}.",
        "admin.codes_written": "Wrote {n} one-time codes to {path} (readable only by you): mail-merge or print them.",
        "admin.imported": "{file}: stored {stored} response(s) with {answers} answer(s) and {comments} comment(s) "
                          "in wave {wave}",
        "admin.already_imported": "{file}: already imported into wave {wave}; nothing to do",
        "admin.imported_skipped": "; {n} already stored, skipped", "admin.imported_new_teams": "; new teams: {teams}",
        "admin.no_responses": "No responses yet.", "admin.no_flags": "No data-quality flags.",
        "admin.col.wave": "wave", "admin.col.opens": "opens", "admin.col.closes": "closes",
        "admin.col.status": "status", "admin.col.team": "team", "admin.col.issued": "issued",
        "admin.col.used": "used", "admin.col.department": "department", "admin.col.headcount": "headcount",
        "admin.col.respondents": "respondents", "admin.col.response_rate": "response_rate",
        "admin.col.flag": "flag", "admin.col.detail": "detail", "admin.col.incomplete": "incomplete",
        "admin.col.straight_lining": "straight_lining",
        "admin.status.open": "open", "admin.status.closed": "closed",
        # ---------------------------------------------------------------- why something is hidden
        "reason.small group": "suppressed", "reason.differencing": "hidden (would reveal a smaller team)",
        "reason.not_shown_separately": "{group} (teams not shown separately)",
        # ---------------------------------------------------------------- HR's data-quality flags
        "quality.flag.rate_above": "response rate above 100 %",
        "quality.flag.under_threshold": "headcount under the threshold",
        "quality.flag.no_headcount": "no headcount", "quality.flag.fast": "very fast responses",
        "quality.flag.straight_lining": "straight-lining", "quality.flag.incomplete": "incomplete responses",
        "quality.rate_above": "{n} respondents, headcount {headcount}: correct the headcount",
        "quality.rate_above_hidden": "more respondents than the headcount {headcount}: correct the headcount",
        "quality.under_threshold": "headcount {headcount} < {min_group}: its results are never shown on their "
                                   "own, only within its department",
        "quality.no_headcount": "no headcount for {wave}: the response rate is unknown; set it (assessment teams "
                                "WORKSPACE --add TEAM --headcount N)",
        "quality.fast": "{fast} of {timed} timed responses took under a third of their file's median time",
        "quality.of_respondents": "{count} of {n} respondents",
        # ---------------------------------------------------------------- CLI tables
        "cli.col.n": "n", "cli.col.team": "team", "cli.col.department": "department",
        "cli.col.organisation": "organisation", "cli.col.parent": "parent",
        "cli.col.headcount_in": "headcount {wave}", "cli.col.scale": "scale", "cli.col.item": "item",
        "cli.col.k": "k", "cli.col.alpha": "alpha", "cli.col.note": "note", "cli.col.item_rest": "item_rest",
        "cli.col.alpha_if_dropped": "alpha_if_dropped", "cli.col.flag": "flag", "cli.col.detail": "detail",
        "cli.col.id": "id", "cli.col.wave": "wave", "cli.col.group": "group", "cli.col.status": "status",
        "cli.col.owner": "owner", "cli.col.due": "due", "cli.col.text": "text", "cli.col.notes": "notes",
        "cli.col.updated": "updated",
        "cli.note.enps": "eNPS question: no internal consistency",
        "cli.note.single": "single item: no internal consistency", "cli.note.few": "fewer than {n} respondents",
        "cli.no_flags": "no data-quality flags in {wave}",
        "cli.no_teams": "no teams yet; add them with --add NAME or --file teams.csv",
        "cli.no_actions_match": "no actions match",
        "cli.no_actions_yet": "no actions yet; add one with {command}",
    },
    "sv": {
        "form.intro": "Dina svar är anonyma: resultat visas bara för grupper med minst {min_group} personer, och "
                 "fritextsvar kopplas aldrig till dina svar. Välj det svar som passar bäst för varje påstående, "
                 "eller ”Hoppa över / vill inte svara”.",
        "form.language": "Språk",
        "form.team": "Ditt team",
        "form.choose_team": "— välj ditt team —",
        "form.skip": "Hoppa över / vill inte svara",
        "form.open_questions": "Öppna frågor",
        "form.optional": "frivillig",
        "form.comment_placeholder": "Skriv här om du vill (frivilligt)",
        "form.progress": "{done} av {total} frågor besvarade eller överhoppade",
        "form.submit": "Skicka",
        "form.submitting": "Sparar…",
        "form.thank_you": "Tack! Dina svar har sparats. Formuläret är nu tomt för nästa person.",
        "form.not_saved": "Dina svar har inte sparats ännu.",
        "form.missing_team": "Välj ditt team.",
        "form.missing_items": "Svara på eller hoppa över {n} frågor till:",
        "form.missing_item": "Svara på eller hoppa över 1 fråga till:",
        "form.and_more": "… och {n} till",
        "form.nothing_answered": "Svara på minst en fråga eller skriv en kommentar innan du skickar.",
        "form.rejected": "Svaren kunde inte sparas:",
        "form.closed": "Enkäten är stängd och tar inte emot fler svar.",
        "form.failed": "Något gick fel och dina svar sparades inte. Försök igen, eller kontakta den som håller i "
                  "enkäten.",
        "form.no_teams": "Inga team är upplagda för den här enkäten ännu, så den kan inte besvaras.",
        "form.code": "Din kod",
        "form.code_placeholder": "t.ex. ABCDE-23456",
        "form.code_intro": "Skriv in engångskoden från din inbjudan. Den visar vilket team du svarar för och kan bara "
                      "användas en gång; den sparas aldrig tillsammans med dina svar.",
        "form.code_team": "Team: {team}",
        "form.missing_code": "Skriv in koden från din inbjudan.",
        "form.code_unknown": "Koden gäller inte för den här enkäten. Kontrollera att du har skrivit den precis som i "
                        "inbjudan.",
        "form.code_used": "Koden har redan använts. Varje kod kan användas en gång; be den som håller i enkäten om en ny "
                     "om du inte har svarat ännu.",
        "form.codes_now": "Enkäten kräver nu koden från din inbjudan. Skriv in den och skicka igen.",
        "form.error_title": "Det finns ett problem",
        "form.error_prefix": "Fel:",
        "form.missing_question": "Svara på fråga {number}, eller välj ”Hoppa över / vill inte svara”",
        "form.item_error": "Välj ett svar, eller ”Hoppa över / vill inte svara”",
        "form.comment_too_long": "Korta ditt svar på frågan ”{question}” till högst {limit} tecken (det har {length})",
        "form.comment_error": "Korta svaret till högst {limit} tecken (det har {length})",
        "form.team_hint": "Dina svar visas bara tillsammans med ditt teams och din avdelnings svar.",
        "form.scale_hint": "{low} = {low_label}, {high} = {high_label}",
        "form.thanks_title": "Tack",
        "form.thanks_body": "Dina svar har sparats. Du kan stänga sidan.",
        "form.new_form": "Öppna ett tomt formulär för en annan person",
        "form.closed_title": "Enkäten är stängd",
        "form.expired_title": "Skicka dina svar igen",
        "form.expired": "Dina svar sparades inte: sidan var öppen länge, eller så sparar din webbläsare inte kakor för "
                   "den här webbplatsen. Gå tillbaka till formuläret, kontrollera dina svar och skicka dem igen.",
        "form.back_to_form": "Tillbaka till formuläret",
        "form.too_many_codes": "För många ogiltiga koder har provats från din anslutning. Vänta {minutes} minuter och "
                          "försök sedan igen.",
        "form.too_large_title": "Dina svar var för långa",
        "form.too_large": "Dina svar sparades inte eftersom de var för långa att ta emot. Korta dina kommentarer och "
                     "skicka igen.",
        "form.not_found_title": "Sidan finns inte",
        "form.not_found": "Det finns ingen sida på den här adressen.",
        "form.error_page_title": "Något gick fel",
        "form.progress_label": "Förlopp",
        # ---------------------------------------------------------------- the leaders' dashboard
        "dashboard.title": "Arbetsmiljöpanel",
        "dashboard.level": "Visa", "dashboard.department": "Avdelningar", "dashboard.team": "Team",
        "dashboard.group": "Grupp", "dashboard.waves": "Mätningar", "dashboard.scales": "Skalor",
        "dashboard.wave": "Mätning", "dashboard.item_scale": "Frågor i", "dashboard.all": "(alla)",
        "dashboard.trend": "Över tid", "dashboard.pillars": "Pelare", "dashboard.heatmap": "Värmekarta",
        "dashboard.items": "Svar per fråga", "dashboard.change": "Förändring", "dashboard.drivers": "Drivkrafter",
        "dashboard.enps": "eNPS", "dashboard.actions": "Åtgärder",
        "dashboard.hidden": "{group} har färre än {n} svarande i {wave}: resultaten visas inte.",
        "dashboard.differenced": "{group} döljs i {wave} så att en mindre grupp inte kan räknas fram ur den: "
                                 "resultaten visas inte.",
        "dashboard.no_previous": "{wave} är den första mätningen: det finns inget att jämföra med.",
        # ---------------------------------------------------------------- the action panel
        "actions.group": "Grupp", "actions.wave": "Efter mätning", "actions.scale": "Skala", "actions.text": "Åtgärd",
        "actions.owner": "Ansvarig", "actions.due": "Klart senast", "actions.due_placeholder": "ÅÅÅÅ-MM-DD",
        "actions.text_placeholder": "Vad gruppen kom överens om", "actions.add": "Lägg till åtgärd",
        "actions.action": "Åtgärd nr", "actions.status": "Status", "actions.note": "Anteckning",
        "actions.note_placeholder": "valfritt: vad som hänt", "actions.save": "Spara", "actions.remove": "Ta bort",
        "actions.organisation": "Hela organisationen", "actions.heading": "Åtgärder för {group}",
        "actions.add_heading": "Lägg till en åtgärd", "actions.update_heading": "Följ upp en åtgärd",
        "actions.none": "Inga åtgärder ännu.",
        "actions.col.id": "Nr", "actions.col.wave": "Mätning", "actions.col.group": "Grupp",
        "actions.col.scale": "Skala", "actions.col.status": "Status", "actions.col.owner": "Ansvarig",
        "actions.col.due": "Klart senast", "actions.col.text": "Åtgärd", "actions.col.notes": "Anteckningar",
        "actions.col.updated": "Uppdaterad",
        "actions.added": "Åtgärd {id} tillagd för {group}.", "actions.saved": "Åtgärd {id} sparad.",
        "actions.removed": "Åtgärd {id} borttagen.", "actions.choose_scale": "välj en skala först",
        "actions.choose_action": "välj en åtgärd först",
        "actions.status.planned": "planerad", "actions.status.started": "påbörjad", "actions.status.done": "klar",
        "actions.status.dropped": "avbruten",
        # ---------------------------------------------------------------- HR's admin panel
        "admin.title": "Administration av enkäten — {name}",
        "admin.tab.survey": "Enkät", "admin.tab.actions": "Åtgärder",
        "admin.new_wave": "Ny mätning", "admin.new_wave_placeholder": "t.ex. 2027-våren",
        "admin.open_wave": "Öppna mätning", "admin.wave": "Mätning", "admin.close_wave": "Stäng mätning",
        "admin.reopen_wave": "Öppna igen", "admin.team": "Team", "admin.headcount": "Antal anställda",
        "admin.set_headcount": "Spara antal", "admin.teams_file": "Teamfil",
        "admin.add_teams_file": "Lägg till team från fil", "admin.answer_file": "Svarsfil",
        "admin.path": "Sökväg", "admin.path_placeholder": "eller en sökväg på servern, t.ex. exports/answers.csv",
        "admin.mapping": "Mappning", "admin.mapping_placeholder": "valfri mappningsfil (YAML)",
        "admin.create_teams": "Skapa okända team", "admin.import": "Läs in svar",
        "admin.codes_per_team": "Koder per team", "admin.codes_tooltip": "0: en per person enligt teamets antal anställda",
        "admin.create_codes": "Skapa kodfil",
        "admin.h.waves": "Mätningar", "admin.h.teams": "Team och antal anställda", "admin.h.import": "Läs in svar",
        "admin.h.codes": "Inbjudningskoder",
        "admin.codes_intro": "En kod per inbjuden person; formuläret tar emot varje kod en gång och hämtar teamet "
                             "från den. 0 koder per team: en per person enligt antalet anställda.",
        "admin.h.rates": "Svarsfrekvens", "admin.h.quality": "Datakvalitet",
        "admin.need_wave_name": "skriv först namnet på den nya mätningen, t.ex. 2027-våren",
        "admin.wave_opened": "Mätningen {name} är öppen, med arbetsytans nuvarande enkätmall.",
        "admin.wave_closed": "Mätningen {name} är stängd.", "admin.wave_open": "Mätningen {name} är öppen.",
        "admin.choose_team": "välj ett team först",
        "admin.headcount_set": "Antal anställda i {team} för {wave}: {n}.",
        "admin.need_teams_file": "välj först en teamfil (kolumnerna team, parent, headcount)",
        "admin.teams_added": "{n} team har lagts till eller uppdaterats från {file}.",
        "admin.need_answer_file": "välj en svarsfil att ladda upp, eller skriv dess sökväg",
        "admin.note": "Obs: {text}.",
        "admin.codes_written": "{n} engångskoder har sparats i {path} (bara du kan läsa filen): skicka ut dem med "
                               "dokumentkoppling eller skriv ut dem.",
        "admin.imported": "{file}: {stored} svar med {answers} besvarade frågor och {comments} kommentarer har "
                          "sparats i mätningen {wave}",
        "admin.already_imported": "{file}: redan inläst i mätningen {wave}; inget att göra",
        "admin.imported_skipped": "; {n} fanns redan och hoppades över", "admin.imported_new_teams": "; nya team: {teams}",
        "admin.no_responses": "Inga svar ännu.", "admin.no_flags": "Inga anmärkningar på datakvaliteten.",
        "admin.col.wave": "Mätning", "admin.col.opens": "Öppnar", "admin.col.closes": "Stänger",
        "admin.col.status": "Status", "admin.col.team": "Team", "admin.col.issued": "Utdelade",
        "admin.col.used": "Använda", "admin.col.department": "Avdelning", "admin.col.headcount": "Antal anställda",
        "admin.col.respondents": "Svarande", "admin.col.response_rate": "Svarsfrekvens",
        "admin.col.flag": "Anmärkning", "admin.col.detail": "Förklaring", "admin.col.incomplete": "Ofullständiga",
        "admin.col.straight_lining": "Samma svar på allt",
        "admin.status.open": "öppen", "admin.status.closed": "stängd",
        # ---------------------------------------------------------------- why something is hidden
        "reason.small group": "dold", "reason.differencing": "dold (skulle avslöja ett mindre team)",
        "reason.not_shown_separately": "{group} (team som inte visas separat)",
        # ---------------------------------------------------------------- HR's data-quality flags
        "quality.flag.rate_above": "svarsfrekvens över 100 %",
        "quality.flag.under_threshold": "färre anställda än gränsen",
        "quality.flag.no_headcount": "antal anställda saknas", "quality.flag.fast": "mycket snabba svar",
        "quality.flag.straight_lining": "samma svar på alla frågor", "quality.flag.incomplete": "ofullständiga svar",
        "quality.rate_above": "{n} svarande, {headcount} anställda: rätta antalet anställda",
        "quality.rate_above_hidden": "fler svarande än antalet anställda ({headcount}): rätta antalet anställda",
        "quality.under_threshold": "{headcount} anställda < {min_group}: resultaten visas aldrig för sig, bara "
                                   "inom avdelningen",
        "quality.no_headcount": "antal anställda saknas för {wave}: svarsfrekvensen är okänd; ange det "
                                "(assessment teams WORKSPACE --add TEAM --headcount N)",
        "quality.fast": "{fast} av {timed} tidtagna svar tog under en tredjedel av filens mediantid",
        "quality.of_respondents": "{count} av {n} svarande",
        # ---------------------------------------------------------------- CLI tables
        "cli.col.n": "n", "cli.col.team": "Team", "cli.col.department": "Avdelning",
        "cli.col.organisation": "Organisation", "cli.col.parent": "Överordnad",
        "cli.col.headcount_in": "Anställda {wave}", "cli.col.scale": "Skala", "cli.col.item": "Fråga",
        "cli.col.k": "Frågor", "cli.col.alpha": "Alfa", "cli.col.note": "Kommentar", "cli.col.item_rest": "Fråga–rest",
        "cli.col.alpha_if_dropped": "Alfa utan frågan", "cli.col.flag": "Anmärkning", "cli.col.detail": "Förklaring",
        "cli.col.id": "Nr", "cli.col.wave": "Mätning", "cli.col.group": "Grupp", "cli.col.status": "Status",
        "cli.col.owner": "Ansvarig", "cli.col.due": "Klart senast", "cli.col.text": "Åtgärd",
        "cli.col.notes": "Anteckningar", "cli.col.updated": "Uppdaterad",
        "cli.note.enps": "eNPS-fråga: ingen intern konsistens",
        "cli.note.single": "en enda fråga: ingen intern konsistens", "cli.note.few": "färre än {n} svarande",
        "cli.no_flags": "inga anmärkningar på datakvaliteten i {wave}",
        "cli.no_teams": "inga team ännu; lägg till dem med --add NAMN eller --file teams.csv",
        "cli.no_actions_match": "inga åtgärder matchar",
        "cli.no_actions_yet": "inga åtgärder ännu; lägg till en med {command}",
    },
}

LANGUAGES: tuple[str, ...] = tuple(CATALOGUE)
"""The languages with a catalogue (English first: the fallback)."""


def language_of(language: str | None) -> str:
    """The catalogue language for a language code: itself when it has a catalogue, else English."""
    return language if language in CATALOGUE else "en"


def text(language: str | None, key: str, **values) -> str:
    """The text `key` in `language` (English when that language has no catalogue or lacks the key),
    with `values` filled in. An unknown key raises KeyError."""
    message = CATALOGUE.get(language or "en", {}).get(key)
    if message is None:
        message = CATALOGUE["en"][key]
    return message.format(**values) if values else message


def section(language: str | None, prefix: str) -> dict[str, str]:
    """Every text under `prefix` (e.g. "form.") in a language, keyed without the prefix, English filling gaps."""
    return {key[len(prefix):]: text(language, key) for key in CATALOGUE["en"] if key.startswith(prefix)}


__all__ = ["CATALOGUE", "LANGUAGES", "language_of", "text", "section"]
