"""One message catalogue per language: every text a person reads in the survey forms, the dashboard, the
admin and action panels, the CLI's tables and the labels of exports.

`text(language, key, **values)` gives a text in a language (English when the catalogue has no such
language or key) with `{placeholders}` filled in; `LANGUAGES` are the languages with a catalogue. Keys are
grouped by surface: ``form.`` (both survey forms, `responding.UI_TEXT`), ``dashboard.``, ``actions.``,
``admin.``, ``cli.``, ``report.`` (reports; ``report.meeting.`` the follow-up meeting's questions),
``chart.`` (titles, axes and legends of charts), ``export.`` (labels in exported cells), ``reason.`` (why a
group or cell is hidden) and ``quality.`` (HR's data-quality flags).
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
        "dashboard.refresh": "Refresh", "dashboard.refresh_tip": "Show answers received since the page was opened",
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
        "cli.skipped": "skipped {group}: {why}",
        "cli.skipped_differencing": "hidden in {wave} so that a smaller group cannot be worked out from it and the "
                                    "groups shown",
        "cli.skipped_small": "fewer than {n} respondents in {wave} (the anonymity threshold)",
        "cli.skipped_none": "no responses in {wave}",
        "export.reason.small group": "small group",
        "export.reason.differencing": "differencing",
        # ---------------------------------------------------------------- charts (charts.py)
        "chart.score": "Score (0–100)",
        "chart.wave": "Wave",
        "chart.suppressed": "Not shown (fewer than {n} respondents)",
        "chart.suppressed_short": "hidden",
        "chart.change": "Change since {a} (points)",
        "chart.significant": "significant change",
        "chart.drivers": "Correlation with {o}",
        "chart.enps": "eNPS (−100…100)",
        "chart.share": "Share of answers (%)",
        "chart.skipped": "Skipped",
        "chart.no_data": "No group has enough respondents to show",
        "chart.differencing": "Hidden so that a small group cannot be worked out from the others",
        "chart.each_team": "Each team ({n})",
        "chart.each_department": "Each department ({n})",
        "chart.each_group": "Each group ({n})",
        "chart.lowest": "Lowest {k} in {wave}",
        "chart.highest": "Highest {k} in {wave}",
        "chart.band": "{group} (95% CI)",
        "chart.action": "action agreed",
        "chart.action_other": "action agreed (another scale)",
        "chart.organisation": "Whole organisation",
        # ---------------------------------------------------------------- reports (reports.py)
        "report.title": "Work environment report",
        "report.wave": "Wave",
        "report.respondents": "Respondents",
        "report.rate": "Response rate",
        "report.quality_note": "Data quality to keep in mind: {flags}. HR can see the details with <code>assessment "
                               "quality</code>.",
        "report.flags.response rate above 100 %": "response rate above 100 %",
        "report.flags.no headcount": "no headcount",
        "report.flags.headcount under the threshold": "headcount under the anonymity threshold",
        "report.flags.very fast responses": "very fast responses",
        "report.flags.straight-lining": "the same answer to everything",
        "report.flags.incomplete responses": "incomplete responses",
        "report.no_rate": "– (no headcount recorded)",
        "report.over_100": "– (more respondents than the recorded headcount: HR needs to correct the headcount)",
        "report.generated": "Generated",
        "report.summary": "Scores",
        "report.scale": "Scale",
        "report.mean": "Score (0–100)",
        "report.ci": "95% CI",
        "report.favourable": "% favourable",
        "report.change": "Change",
        "report.trend": "Security and engagement over time",
        "report.pillars": "The four pillars",
        "report.risks": "Flagged risks",
        "report.no_risks": "No scale is low or falling significantly.",
        "report.low": "low score ({mean} < {limit})",
        "report.falling": "significant fall ({diff} points since {wave})",
        "report.items": "Answers per question",
        "report.comments": "Open comments",
        "report.times": "({n} people wrote this)",
        "report.no_comments": "Comments are shown only for groups with at least {n} respondents.",
        "report.guide": "Conversation guide for your follow-up meeting",
        "report.enps": "eNPS",
        "report.intro": "Scores run from 0 (everyone strongly disagrees) to 100 (everyone strongly agrees). % "
                        "favourable is the share of answers in the top two points. Groups with fewer than {n} "
                        "respondents are never shown.",
        "report.organisation": "Whole organisation",
        "report.not_compared": "not compared",
        "report.actions": "Actions agreed after {wave}",
        "report.actions_first": "Actions agreed after the previous wave",
        "report.action": "Action",
        "report.status": "Status",
        "report.owner": "Owner",
        "report.due": "Due date",
        "report.change_since": "Change since {wave}",
        "report.assessment": "Assessment",
        "report.statuses.planned": "planned",
        "report.statuses.started": "started",
        "report.statuses.done": "done",
        "report.statuses.dropped": "dropped",
        "report.up": "▲ significant improvement",
        "report.down": "▼ significant decline",
        "report.no_clear": "no clear change",
        "report.hidden_change": "no figures: the results were hidden in {wave} to protect anonymity",
        "report.changed_scale": "no figures: the scale's questions changed between the waves",
        "report.missing_scale": "no figures: the scale is not in both surveys",
        "report.ci_meaning": "The change is the score in {wave} minus the score in {previous} (points on the 0–100 "
                             "scale). The 95% CI is the range the true change most likely lies in; a change is "
                             "marked significant only when it is at least {min} points and holds up after "
                             "controlling for false discoveries among all the groups and scales compared at once "
                             "(Benjamini–Hochberg, q &lt; 0.05). A score can change for many reasons, so read it as "
                             "a signal to discuss, not as proof that an action worked.",
        "report.first_wave": "{wave} is the first wave, so there are no earlier actions to follow up.",
        "report.no_actions": "No actions were recorded for {group} after {wave}, so there is nothing to follow up "
                             "here.",
        "report.how_to": "Record the actions you agree after this wave with <code>assessment actions WORKSPACE add "
                         "--group … --scale … --text …</code> or in the dashboard's Actions tab; the next report "
                         "shows each one beside the change in its scale.",
        "report.across": "Actions across {group}",
        "report.across_org": "Actions across the organisation",
        "report.across_lead": "Actions agreed after {wave} by the department and its teams, per scale and status. "
                              "Groups with actions: {k}. Only counts are shown here.",
        "report.across_lead_org": "Actions agreed after {wave} by every group in the organisation, per scale and "
                                  "status. Groups with actions: {k}. Only counts are shown here.",
        "report.ci_range": "{low} to {high}",
        "report.across_none": "No group in {group} recorded any actions after {wave}.",
        "report.across_none_org": "No group recorded any actions after {wave}.",
        "report.total": "Total",
        "report.our_actions": "Our actions",
        "report.our_lead": "Agree 1–3 actions at the meeting, each aimed at one pillar, with an owner and a date.",
        "report.our_pillars": "Pillars: {pillars}.",
        "report.pillar": "Pillar",
        "report.what": "What we will do",
        "report.breakdown": "Teams in {group}",
        "report.breakdown_org": "Departments",
        "report.breakdown_lead": "Each team's score (0–100) per scale in {wave}, under the same anonymity rules as "
                                 "every other figure in this report.",
        "report.breakdown_lead_org": "Each department's score (0–100) per scale in {wave}, under the same anonymity "
                                     "rules as every other figure in this report.",
        "report.team": "Team",
        "report.department": "Department",
        "report.hidden_cell": "hidden",
        "report.hidden_small": "hidden: fewer than {n} respondents",
        "report.hidden_differencing": "hidden: it would let a smaller group's answers be worked out",
        "report.hidden_none": "no responses in {wave}",
        "report.hidden_explained": "A hidden group shows no figures, to protect anonymity (it has fewer than {n} "
                                   "respondents, or a smaller group's answers could be worked out from its figures "
                                   "and those of the groups shown), but its answers still count in the scores of "
                                   "{group}.",
        "report.reversed_explained": "(R) marks a reversed question, worded negatively: agreeing with it is "
                                     "unfavourable, so its answers are turned around before they count in the "
                                     "scale's score.",
        "report.not_compared_explained": "“Not compared” means the scale's questions or answer options changed "
                                         "between the waves (or the scale is not in both), so a change would not be "
                                         "a fair comparison.",
        "report.change_note": "Change is the score in {wave} minus the score in {previous}; ▲/▼ marks a change of "
                              "at least {min} points that holds up after controlling for false discoveries among "
                              "all the groups and scales compared at once (Benjamini–Hochberg, q &lt; 0.05).",
        "report.reference_trend": "For comparison, the dashed grey lines show {refs}.",
        "report.reference_pillars": "For comparison, the grey marks across the bars show {refs}.",
        "report.and": "and",
        "report.organisation_in_text": "the whole organisation",
        "report.meeting.expectations.1": "What does a good day's work look like in our team? Do we describe it the "
                                       "same way?",
        "report.meeting.expectations.2": "Where do we get mixed messages about priorities, and who can settle them?",
        "report.meeting.expectations.3": "How would each of us like to hear how we are doing, and how often?",
        "report.meeting.goals.1": "Which of our goals could a new colleague explain, and why they matter to our "
                                "customers?",
        "report.meeting.goals.2": "Which goal is unclear, unrealistic or lacks a date? What would make it SMART?",
        "report.meeting.goals.3": "How do we follow up on goals together, and what should we change about it?",
        "report.meeting.visibility.1": "When did we last see the result of our work? How can we see it more often?",
        "report.meeting.visibility.2": "Whose good work went unnoticed recently? How do we make a habit of noticing?",
        "report.meeting.visibility.3": "What would we like to celebrate this quarter?",
        "report.meeting.support.1": "Where do you get stuck, and who could help you sooner?",
        "report.meeting.support.2": "Do we have the tools and the skills the work needs? What is missing first?",
        "report.meeting.support.3": "How do we look after each other when the workload peaks?",
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
        "dashboard.refresh": "Uppdatera", "dashboard.refresh_tip": "Visa svar som har kommit sedan sidan öppnades",
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
        "cli.skipped": "hoppade över {group}: {why}",
        "cli.skipped_differencing": "dold i {wave} så att en mindre grupp inte kan räknas fram ur den och de grupper "
                                    "som visas",
        "cli.skipped_small": "färre än {n} svarande i {wave} (anonymitetsgränsen)",
        "cli.skipped_none": "inga svar i {wave}",
        "export.reason.small group": "för få svarande",
        "export.reason.differencing": "skulle avslöja en mindre grupp",
        # ---------------------------------------------------------------- charts (charts.py)
        "chart.score": "Poäng (0–100)",
        "chart.wave": "Mätning",
        "chart.suppressed": "Visas inte (färre än {n} svarande)",
        "chart.suppressed_short": "dold",
        "chart.change": "Förändring sedan {a} (poäng)",
        "chart.significant": "signifikant förändring",
        "chart.drivers": "Samband med {o}",
        "chart.enps": "eNPS (−100…100)",
        "chart.share": "Andel svar (%)",
        "chart.skipped": "Hoppade över",
        "chart.no_data": "Ingen grupp har tillräckligt många svarande för att visas",
        "chart.differencing": "Dold så att en liten grupp inte kan räknas fram ur de andra",
        "chart.each_team": "Varje team ({n})",
        "chart.each_department": "Varje avdelning ({n})",
        "chart.each_group": "Varje grupp ({n})",
        "chart.lowest": "Lägst {k} i {wave}",
        "chart.highest": "Högst {k} i {wave}",
        "chart.band": "{group} (95 % KI)",
        "chart.action": "åtgärd beslutad",
        "chart.action_other": "åtgärd beslutad (annan skala)",
        "chart.organisation": "Hela organisationen",
        # ---------------------------------------------------------------- reports (reports.py)
        "report.title": "Arbetsmiljörapport",
        "report.wave": "Mätning",
        "report.respondents": "Svarande",
        "report.rate": "Svarsfrekvens",
        "report.quality_note": "Datakvalitet att ha i åtanke: {flags}. HR ser detaljerna med <code>assessment "
                               "quality</code>.",
        "report.flags.response rate above 100 %": "svarsfrekvens över 100 %",
        "report.flags.no headcount": "inget antal anställda",
        "report.flags.headcount under the threshold": "färre anställda än anonymitetsgränsen",
        "report.flags.very fast responses": "mycket snabba svar",
        "report.flags.straight-lining": "samma svar på allt",
        "report.flags.incomplete responses": "ofullständiga svar",
        "report.no_rate": "– (inget antal anställda registrerat)",
        "report.over_100": "– (fler svarande än registrerat antal anställda: HR behöver rätta antalet)",
        "report.generated": "Skapad",
        "report.summary": "Resultat",
        "report.scale": "Skala",
        "report.mean": "Poäng (0–100)",
        "report.ci": "95 % KI",
        "report.favourable": "% positiva",
        "report.change": "Förändring",
        "report.trend": "Trygghet och engagemang över tid",
        "report.pillars": "De fyra pelarna",
        "report.risks": "Flaggade risker",
        "report.no_risks": "Ingen skala är låg eller sjunker signifikant.",
        "report.low": "lågt resultat ({mean} < {limit})",
        "report.falling": "signifikant nedgång ({diff} poäng sedan {wave})",
        "report.items": "Svar per fråga",
        "report.comments": "Öppna kommentarer",
        "report.times": "({n} personer skrev detta)",
        "report.no_comments": "Kommentarer visas bara för grupper med minst {n} svarande.",
        "report.guide": "Samtalsguide för ert uppföljningsmöte",
        "report.enps": "eNPS",
        "report.intro": "Poängen går från 0 (alla instämmer inte alls) till 100 (alla instämmer helt). % positiva "
                        "är andelen svar på de två högsta stegen. Grupper med färre än {n} svarande visas aldrig.",
        "report.organisation": "Hela organisationen",
        "report.not_compared": "jämförs inte",
        "report.actions": "Åtgärder som beslutades efter {wave}",
        "report.actions_first": "Åtgärder som beslutades efter förra mätningen",
        "report.action": "Åtgärd",
        "report.status": "Status",
        "report.owner": "Ansvarig",
        "report.due": "Klart senast",
        "report.change_since": "Förändring sedan {wave}",
        "report.assessment": "Bedömning",
        "report.statuses.planned": "planerad",
        "report.statuses.started": "påbörjad",
        "report.statuses.done": "klar",
        "report.statuses.dropped": "avbruten",
        "report.up": "▲ signifikant förbättring",
        "report.down": "▼ signifikant försämring",
        "report.no_clear": "ingen tydlig förändring",
        "report.hidden_change": "inga siffror: resultaten doldes i {wave} för att skydda anonymiteten",
        "report.changed_scale": "inga siffror: skalans frågor ändrades mellan mätningarna",
        "report.missing_scale": "inga siffror: skalan finns inte i båda enkäterna",
        "report.ci_meaning": "Förändringen är poängen i {wave} minus poängen i {previous} (poäng på skalan 0–100). "
                             "95 % KI är det intervall där den verkliga förändringen troligen ligger; en förändring "
                             "markeras som signifikant bara när den är minst {min} poäng och håller även med "
                             "kontroll för falska upptäckter bland alla grupper och skalor som jämförs samtidigt "
                             "(Benjamini–Hochberg, q &lt; 0,05). Poängen kan ändras av många skäl, så se den som "
                             "underlag för samtal, inte som bevis för att en åtgärd har fungerat.",
        "report.first_wave": "{wave} är den första mätningen, så det finns inga tidigare åtgärder att följa upp.",
        "report.no_actions": "Inga åtgärder registrerades för {group} efter {wave}, så det finns inget att följa "
                             "upp här.",
        "report.how_to": "Registrera de åtgärder ni beslutar efter den här mätningen med <code>assessment actions "
                         "WORKSPACE add --group … --scale … --text …</code> eller under fliken Åtgärder i "
                         "arbetsmiljöpanelen; nästa rapport visar varje åtgärd bredvid förändringen i dess skala.",
        "report.across": "Åtgärder i hela {group}",
        "report.across_org": "Åtgärder i hela organisationen",
        "report.across_lead": "Åtgärder som avdelningen och dess team beslutade efter {wave}, per skala och status. "
                              "Grupper med åtgärder: {k}. Här visas bara antal.",
        "report.across_lead_org": "Åtgärder som alla grupper i organisationen beslutade efter {wave}, per skala och "
                                  "status. Grupper med åtgärder: {k}. Här visas bara antal.",
        "report.ci_range": "{low} till {high}",
        "report.across_none": "Ingen grupp i {group} registrerade några åtgärder efter {wave}.",
        "report.across_none_org": "Ingen grupp registrerade några åtgärder efter {wave}.",
        "report.total": "Totalt",
        "report.our_actions": "Våra åtgärder",
        "report.our_lead": "Besluta om 1–3 åtgärder på mötet, var och en inriktad på en pelare, med en ansvarig och "
                           "ett datum.",
        "report.our_pillars": "Pelare: {pillars}.",
        "report.pillar": "Pelare",
        "report.what": "Vad vi ska göra",
        "report.breakdown": "Team i {group}",
        "report.breakdown_org": "Avdelningar",
        "report.breakdown_lead": "Varje teams poäng (0–100) per skala i {wave}, med samma anonymitetsregler som "
                                 "alla andra siffror i rapporten.",
        "report.breakdown_lead_org": "Varje avdelnings poäng (0–100) per skala i {wave}, med samma "
                                     "anonymitetsregler som alla andra siffror i rapporten.",
        "report.team": "Team",
        "report.department": "Avdelning",
        "report.hidden_cell": "dold",
        "report.hidden_small": "dold: färre än {n} svarande",
        "report.hidden_differencing": "dold: annars skulle en mindre grupps svar kunna räknas fram",
        "report.hidden_none": "inga svar i {wave}",
        "report.hidden_explained": "En dold grupp visar inga siffror, för att skydda anonymiteten (den har färre än "
                                   "{n} svarande, eller så skulle en mindre grupps svar kunna räknas fram ur dess "
                                   "siffror och de grupper som visas), men dess svar räknas ändå in i resultaten "
                                   "för {group}.",
        "report.reversed_explained": "(R) markerar en omvänd fråga, negativt formulerad: att instämma är ogynnsamt, "
                                     "så svaren vänds innan de räknas in i skalans poäng.",
        "report.not_compared_explained": "”Jämförs inte” betyder att skalans frågor eller svarsalternativ ändrades "
                                         "mellan mätningarna (eller att skalan inte finns i båda), så en förändring "
                                         "vore ingen rättvis jämförelse.",
        "report.change_note": "Förändringen är poängen i {wave} minus poängen i {previous}; ▲/▼ markerar en "
                              "förändring på minst {min} poäng som håller även med kontroll för falska upptäckter "
                              "bland alla grupper och skalor som jämförs samtidigt (Benjamini–Hochberg, q &lt; "
                              "0,05).",
        "report.reference_trend": "Som jämförelse visar de streckade grå linjerna {refs}.",
        "report.reference_pillars": "Som jämförelse visar de grå markeringarna över staplarna {refs}.",
        "report.and": "och",
        "report.organisation_in_text": "hela organisationen",
        "report.meeting.expectations.1": "Hur ser en bra arbetsdag ut i vårt team? Beskriver vi den på samma sätt?",
        "report.meeting.expectations.2": "Var får vi motstridiga besked om prioriteringar, och vem kan reda ut dem?",
        "report.meeting.expectations.3": "Hur vill var och en få veta hur det går, och hur ofta?",
        "report.meeting.goals.1": "Vilka av våra mål kan en ny kollega förklara, och varför de spelar roll för kunderna?",
        "report.meeting.goals.2": "Vilket mål är otydligt, orealistiskt eller saknar datum? Vad skulle göra det SMART?",
        "report.meeting.goals.3": "Hur följer vi upp målen tillsammans, och vad vill vi ändra?",
        "report.meeting.visibility.1": "När såg vi senast resultatet av vårt arbete? Hur kan vi se det oftare?",
        "report.meeting.visibility.2": "Vems goda arbete gick obemärkt förbi nyligen? Hur gör vi det till en vana att "
                                     "se det?",
        "report.meeting.visibility.3": "Vad vill vi fira det här kvartalet?",
        "report.meeting.support.1": "Var kör du fast, och vem kunde hjälpa dig tidigare?",
        "report.meeting.support.2": "Har vi de verktyg och den kompetens arbetet kräver? Vad saknas först?",
        "report.meeting.support.3": "Hur tar vi hand om varandra när arbetsbelastningen är som störst?",
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
