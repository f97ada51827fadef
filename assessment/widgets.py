"""The survey form: an ipywidgets form generated from a wave's stored template.

Respondents use it in JupyterLab or, more usually, on the page `assessment serve` shares (Voilà).
The form shows the template's items grouped by scale, in any of the template's languages, lets a
respondent answer or explicitly skip every item, and stores the response in one transaction. It
never shows stored answers.

    from assessment.widgets import SurveyForm
    form = SurveyForm.for_workspace("acme", wave="2026-autumn")
    form.widget                      # display this

Attributes for code and tests (set `.value`, then `form.submit_button.click()`):

    form.widget                 the top-level VBox to display
    form.language               ToggleButtons; value is a language code of the template ("en", "sv")
    form.team                   Dropdown; value is a team name (leaf teams only), or NO_TEAM ("") for the
                                "choose your team" prompt; form.chosen_team gives the team or None
    form.code_mode              True when the wave has one-time invitation codes: the form then shows
                                form.code instead of form.team, and takes the team from the code
    form.code                   Text for the one-time code (code mode); it is checked when it changes
                                (Enter, or leaving the field) and again on Submit
    form.code_status            HTML next to the code: the code's team ("Team: Platform"), or why the
                                code cannot be used; classes `survey-code-status` + `ok` | `error`
    form.item_widgets[item_id]  ToggleButtons; value is an answer (int), SKIP, or None (not answered yet)
    form.comment_widgets[qid]   Textarea for each open question
    form.submit_button          Button; clicking it validates and stores the response
    form.message                HTML; the latest message, with CSS classes
                                `survey-message` + `error` | `success` | `info`
    form.progress               IntProgress; answered-or-skipped items out of all items
    form.progress_label         HTML; the same as text ("12 of 31 answered")

CSS classes for browser tests and styling: survey-form, survey-header, survey-language, survey-team,
survey-code, survey-code-status, survey-scale + scale-<id>, survey-item + item-<id>, survey-comment +
comment-<id>, survey-progress, survey-submit, survey-message; an item, the team or the code that still
needs an answer (or a code that cannot be used) after a failed submission also has survey-missing.

One-time codes (`assessment codes`, `Store.issue_codes`): when the wave has any, the form is in code
mode. The code gives the team; Submit stores the answers and spends the code in one transaction
(`Store.add_responses(..., code=...)`), and nothing links the code to the answers. A wrong or used
code stores nothing and says so. A form opened before the codes were issued switches to code mode
when it is submitted (keeping the answers), so nobody answers without a code once codes exist.
"""

from __future__ import annotations

import functools
import html
import logging
import os

import ipywidgets as widgets

from .exceptions import AssessmentError, ResponseRejected
from .responding import (CODE_PROBLEMS, NUMBERED_POINTS, SKIP, UI_TEXT, language_name, leaf_teams,  # noqa: F401
                         submit_response, ui_text)
from .store import Response, Store
from .templates import Item, Template

log = logging.getLogger(__name__)

NO_TEAM = ""
"""The value of the team dropdown's "choose your team" prompt (None, nothing selected, means the same)."""

MAX_LISTED = 8   # missing questions listed by number and text in a message; the rest are counted

STYLE = """
<style>
.survey-form { max-width: 880px; margin: 0 auto; overflow: visible !important; color: #1f2328; font-size: 15px;
  font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
.survey-form .widget-html-content { white-space: normal; line-height: 1.45; height: auto; overflow: visible;
  font-size: 15px; }
.survey-form .survey-header h1 { font-size: 1.9em; line-height: 1.25; margin: 0.3em 0 0.4em; font-weight: 600; }
.survey-form .survey-header p { margin: 0 0 0.8em; color: #424a53; }
.survey-form .survey-field { align-items: center; margin: 6px 0; flex-wrap: wrap; }
.survey-form .survey-field-label { min-width: 8em; font-weight: 600; }
.survey-form .survey-team select { font-size: 15px; height: 34px; }
.survey-form .survey-team { height: 34px; }
.survey-form .survey-code { width: 14em; }
.survey-form .survey-code input { font-size: 16px; height: 34px; letter-spacing: 0.06em;
  font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; text-transform: uppercase; }
.survey-form .survey-code.survey-missing input { border: 2px solid #cf222e; }
.survey-form .survey-code-status .widget-html-content { margin-left: 10px; font-weight: 600; }
.survey-form .survey-code-status.ok .widget-html-content { color: #1a7f37; }
.survey-form .survey-code-status.error .widget-html-content { color: #82071e; font-weight: 500; }
.survey-form .survey-code-intro .widget-html-content { color: #424a53; margin: 0 0 4px; }
.survey-form .survey-scale-title h2 { font-size: 1.3em; font-weight: 600; margin: 1.6em 0 0.4em;
  padding-bottom: 4px; border-bottom: 2px solid #d0d7de; }
.survey-form .survey-item, .survey-form .survey-comment { border: 1px solid #d8dee4; border-radius: 8px;
  padding: 10px 14px 12px; margin: 6px 0; background: #ffffff; overflow: visible; }
.survey-form .survey-missing { border-color: #cf222e !important; background: #fff5f5 !important; }
.survey-form .survey-team.survey-missing select { border: 2px solid #cf222e; }
.survey-form .survey-item-text { font-weight: 500; margin-bottom: 6px; }
.survey-form .survey-item-number { color: #57606a; margin-right: 0.3em; }
.survey-form .survey-choice { flex-wrap: wrap; height: auto; line-height: normal; }
.survey-form .survey-choice > div { display: flex; flex-wrap: wrap; gap: 6px; }
.survey-form .survey-choice .widget-toggle-button { width: auto; min-width: 3.2em; height: auto; min-height: 34px;
  white-space: normal; padding: 5px 12px; margin: 0; border-radius: 4px; font-size: 14px; line-height: 1.3;
  background: #f6f8fa; border: 1px solid #d0d7de; color: #1f2328; }
.survey-form .survey-choice .widget-toggle-button:hover { background: #eaeef2; }
.survey-form .survey-choice .widget-toggle-button.mod-active { background: #0969da; border-color: #0969da;
  color: #ffffff; box-shadow: none; }
.survey-form .survey-options .widget-toggle-button:last-child { margin-left: 14px; font-style: italic;
  background: #ffffff; color: #57606a; border-style: dashed; }
.survey-form .survey-options .widget-toggle-button.mod-active:last-child { background: #57606a;
  color: #ffffff; border-style: solid; }
.survey-form .survey-anchors { display: flex; justify-content: space-between; max-width: 560px; color: #57606a;
  font-size: 13px; margin-top: 4px; }
.survey-form .survey-comment textarea { width: 100%; min-height: 5em; font-size: 15px; font-family: inherit; }
.survey-form .survey-comment .widget-textarea { width: 100%; }
.survey-form .survey-footer { position: sticky; bottom: 0; z-index: 10; background: #ffffff;
  border-top: 1px solid #d0d7de; padding: 10px 0 12px; margin-top: 1.5em; }
.survey-form .survey-progress { align-items: center; gap: 10px; }
.survey-form .survey-progress .widget-progress { width: 240px; }
.survey-form .survey-progress .widget-html-content { color: #424a53; }
.survey-form .survey-submit { width: auto; min-width: 10em; align-self: flex-start; height: 40px; padding: 0 28px;
  font-size: 16px; font-weight: 600; margin: 8px 0 6px; }
.survey-form .survey-message .widget-html-content { font-size: 15px; }
.survey-form .survey-message.error .widget-html-content { color: #82071e; background: #ffebe9;
  border: 1px solid #ff8182; border-radius: 6px; padding: 8px 12px; }
.survey-form .survey-message.success .widget-html-content { color: #0a3622; background: #dafbe1;
  border: 1px solid #4ac26b; border-radius: 6px; padding: 8px 12px; }
.survey-form .survey-message.info .widget-html-content { color: #0a3069; background: #ddf4ff;
  border: 1px solid #54aeff; border-radius: 6px; padding: 8px 12px; }
.survey-form .survey-message ul { margin: 4px 0 0 0; padding-left: 1.3em; }
.survey-form .survey-message.error .widget-html-content { max-height: 35vh; overflow-y: auto; }
</style>
"""


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class SurveyForm:
    """A survey form for one wave of a store. See the module docstring for the attributes."""

    def __init__(self, store: Store, wave: str | None = None, language: str | None = None):
        self.store = store
        self.wave = wave if wave is not None else store.latest_wave()
        self.template: Template = store.wave_template(self.wave)
        if language is not None and language not in self.template.languages:
            raise AssessmentError(f"language {language!r} is not one of the survey's languages "
                                  f"({', '.join(self.template.languages)})")
        self.teams = leaf_teams(store)
        self.code_mode = self._wave_has_codes()
        self._code_team: str | None = None
        self._code_status_builder = None
        self._message_builder = None
        self._busy = False
        self._relabelling = False
        self._build(language or self.template.language)

    @classmethod
    def for_workspace(cls, workspace, wave: str | None = None, language: str | None = None) -> "SurveyForm":
        """The form for a workspace (a path or a Workspace) and wave (default: the latest)."""
        from .workspace import Workspace
        ws = workspace if isinstance(workspace, Workspace) else Workspace(os.fspath(workspace))
        form = cls(ws.store, ws.wave(wave or None), language)
        form.workspace = ws
        return form

    # ------------------------------------------------------------ building
    def _build(self, language: str):
        t = self.template
        self.header = widgets.HTML()
        self.header.add_class("survey-header")

        self.language = widgets.ToggleButtons(
            options=[(language_name(code), code) for code in t.languages],
            value=language)
        self.language.add_class("survey-language")
        self.language.add_class("survey-choice")
        self._language_label = widgets.HTML()
        self._language_label.add_class("survey-field-label")
        language_row = widgets.HBox([self._language_label, self.language])
        language_row.add_class("survey-field")
        if len(t.languages) < 2:
            language_row.layout.display = "none"

        self.team = widgets.Dropdown(options=self._team_options(language), value=NO_TEAM)
        self.team.add_class("survey-team")
        self._team_label = widgets.HTML()
        self._team_label.add_class("survey-field-label")
        team_row = widgets.HBox([self._team_label, self.team])
        team_row.add_class("survey-field")
        self._team_row = team_row

        # code mode: a one-time code instead of the team (checked on Enter or when the field is left)
        self.code = widgets.Text(value="", continuous_update=False)
        self.code.add_class("survey-code")
        self._code_label = widgets.HTML()
        self._code_label.add_class("survey-field-label")
        self.code_status = widgets.HTML()
        self.code_status.add_class("survey-code-status")
        code_row = widgets.HBox([self._code_label, self.code, self.code_status])
        code_row.add_class("survey-field")
        self._code_intro = widgets.HTML()
        self._code_intro.add_class("survey-code-intro")
        self._code_box = widgets.VBox([code_row, self._code_intro])
        self._code_box.add_class("survey-code-field")

        sections = []
        self.item_widgets: dict[str, widgets.ToggleButtons] = {}
        self._item_boxes: dict[str, widgets.VBox] = {}
        self._item_labels: dict[str, widgets.HTML] = {}
        self._anchor_labels: dict[str, widgets.HTML] = {}
        self._scale_titles: dict[str, widgets.HTML] = {}
        self._numbers: dict[str, int] = {}
        number = 0
        for scale in t.scales:
            title = widgets.HTML()
            title.add_class("survey-scale-title")
            self._scale_titles[scale.id] = title
            boxes = [title]
            for item in scale.items:
                number += 1
                self._numbers[item.id] = number
                label = widgets.HTML()
                label.add_class("survey-item-text")
                buttons = widgets.ToggleButtons(options=self._item_options(item, language), value=None)
                buttons.add_class("survey-choice")
                buttons.add_class("survey-options")
                buttons.observe(functools.partial(self._on_answer, item.id), names="value")
                children = [label, buttons]
                if item.response_scale.points > NUMBERED_POINTS:
                    anchors = widgets.HTML()
                    self._anchor_labels[item.id] = anchors
                    children.append(anchors)
                box = widgets.VBox(children)
                box.add_class("survey-item")
                box.add_class(f"item-{item.id}")
                self.item_widgets[item.id] = buttons
                self._item_labels[item.id] = label
                self._item_boxes[item.id] = box
                boxes.append(box)
            section = widgets.VBox(boxes)
            section.add_class("survey-scale")
            section.add_class(f"scale-{scale.id}")
            sections.append(section)

        self.comment_widgets: dict[str, widgets.Textarea] = {}
        self._comment_labels: dict[str, widgets.HTML] = {}
        if t.comments:
            self._comments_title = widgets.HTML()
            self._comments_title.add_class("survey-scale-title")
            boxes = [self._comments_title]
            for comment in t.comments:
                label = widgets.HTML()
                label.add_class("survey-item-text")
                area = widgets.Textarea(value="", rows=4)
                box = widgets.VBox([label, area])
                box.add_class("survey-comment")
                box.add_class(f"comment-{comment.id}")
                self.comment_widgets[comment.id] = area
                self._comment_labels[comment.id] = label
                boxes.append(box)
            section = widgets.VBox(boxes)
            section.add_class("survey-scale")
            section.add_class("survey-open-questions")
            sections.append(section)
        else:
            self._comments_title = None

        self.progress = widgets.IntProgress(value=0, min=0, max=len(self.item_widgets))
        self.progress_label = widgets.HTML()
        progress_row = widgets.HBox([self.progress, self.progress_label])
        progress_row.add_class("survey-progress")
        self.submit_button = widgets.Button(button_style="primary")
        self.submit_button.add_class("survey-submit")
        self.submit_button.on_click(lambda _button: self.submit())
        self.message = widgets.HTML(value="")
        self.message.add_class("survey-message")
        footer = widgets.VBox([progress_row, self.submit_button, self.message])
        footer.add_class("survey-footer")

        self._top = [widgets.HTML(STYLE), self.header, language_row]
        self._rest = [*sections, footer]
        self.widget = widgets.VBox()
        self.widget.add_class("survey-form")
        self._set_code_mode(self.code_mode)
        self.language.observe(self._on_language, names="value")
        self.team.observe(self._on_team, names="value")
        self.code.observe(self._on_code, names="value")
        self._relabel()
        self._update_progress()
        self._check_open()

    def _team_options(self, language):
        options = [(ui_text(language, "choose_team"), NO_TEAM)]
        options += [(f"{team} ({department})" if department else team, team) for team, department in self.teams]
        return options

    def _item_options(self, item: Item, language: str):
        rs = item.response_scale
        if rs.points > NUMBERED_POINTS:
            labels = [str(v) for v in rs.values]
        else:
            labels = list(rs.labels[language])
        return [*zip(labels, rs.values), (ui_text(language, "skip"), SKIP)]

    # ------------------------------------------------------------ language
    @property
    def current_language(self) -> str:
        return self.language.value

    def _relabel(self):
        """Set every text in the current language; answers are kept."""
        lang = self.current_language
        t = self.template
        self._relabelling = True
        try:
            self.header.value = (f"<h1>{html.escape(t.title.get(lang) or t.id)}</h1>"
                                 f"<p>{html.escape(ui_text(lang, 'intro', min_group=t.min_group))}</p>")
            self._language_label.value = html.escape(ui_text(lang, "language"))
            self._team_label.value = html.escape(ui_text(lang, "team"))
            self._code_label.value = html.escape(ui_text(lang, "code"))
            self.code.placeholder = ui_text(lang, "code_placeholder")
            self._code_intro.value = html.escape(ui_text(lang, "code_intro"))
            self.code_status.value = self._code_status_builder(lang) if self._code_status_builder else ""
            team = self.team.value
            self.team.options = self._team_options(lang)
            self._set_team(team)
            for scale in t.scales:
                self._scale_titles[scale.id].value = f"<h2>{html.escape(scale.title[lang])}</h2>"
            for item in t.items:
                self._item_labels[item.id].value = (
                    f'<span class="survey-item-number">{self._numbers[item.id]}.</span> {html.escape(item.text[lang])}')
                buttons = self.item_widgets[item.id]
                value = buttons.value
                buttons.options = self._item_options(item, lang)
                buttons.value = value
                if item.id in self._anchor_labels:
                    labels = item.response_scale.labels[lang]
                    self._anchor_labels[item.id].value = (
                        f'<div class="survey-anchors"><span>{html.escape(labels[0])}</span>'
                        f'<span>{html.escape(labels[-1])}</span></div>')
            if self._comments_title is not None:
                self._comments_title.value = f"<h2>{html.escape(ui_text(lang, 'open_questions'))}</h2>"
            for comment in t.comments:
                self._comment_labels[comment.id].value = html.escape(comment.text[lang])
                self.comment_widgets[comment.id].placeholder = ui_text(lang, "comment_placeholder")
            self.submit_button.description = ui_text(lang, "submitting" if self._busy else "submit")
        finally:
            self._relabelling = False
        self._update_progress()
        if self._message_builder is not None:
            self.message.value = self._message_builder(lang)

    def _on_language(self, change):
        self._relabel()

    # ------------------------------------------------------------ state
    def _on_answer(self, item_id, change):
        if self._relabelling:
            return
        self._update_progress()
        if change["new"] is not None:
            self._item_boxes[item_id].remove_class("survey-missing")
            self._next_respondent_started()

    def _set_team(self, team):
        self.team.value = NO_TEAM if team is None else team

    @property
    def chosen_team(self) -> str | None:
        """The team chosen, or None (the prompt, or nothing selected). In code mode: the team of the code
        entered, once it has been checked and can be used."""
        if self.code_mode:
            return self._code_team
        return self.team.value or None

    # ------------------------------------------------------------ one-time codes
    def _wave_has_codes(self) -> bool:
        return self.store.wave_has_codes(self.wave)

    def _set_code_mode(self, on: bool):
        """Show the code field (code mode) or the team dropdown."""
        self.code_mode = bool(on)
        field = self._code_box if self.code_mode else self._team_row
        self.widget.children = [*self._top, field, *self._rest]

    def _team_label_of(self, team: str) -> str:
        department = dict(self.teams).get(team)
        return f"{team} ({department})" if department else team

    def _set_code_status(self, kind: str | None, builder=None):
        self._code_status_builder = builder
        for other in ("ok", "error"):
            if other != kind:
                self.code_status.remove_class(other)
        if kind:
            self.code_status.add_class(kind)
        self.code_status.value = builder(self.current_language) if builder else ""

    def check_code(self, code: str | None = None) -> tuple[str | None, str | None]:
        """Check the code in the field (or `code`): (its team, None) when it can be used, else (None, the key of
        the UI text that says why: "missing_code", "code_unknown" or "code_used"). Shows the result next to
        the field. Nothing is stored and the code is not spent."""
        code = (self.code.value if code is None else code).strip()
        self._code_team = None
        if not code:
            self._set_code_status(None)
            return None, "missing_code"
        try:
            team = self.store.code_team(self.wave, code)
        except ResponseRejected as exc:
            key = next((CODE_PROBLEMS[p] for p in exc.problems if p in CODE_PROBLEMS), None)
            if key is None:
                raise
            self._set_code_status("error", lambda lang: html.escape(ui_text(lang, key)))
            self.code.add_class("survey-missing")
            return None, key
        self._code_team = team
        shown = self._team_label_of(team)
        self._set_code_status("ok", lambda lang: html.escape(ui_text(lang, "code_team", team=shown)))
        self.code.remove_class("survey-missing")
        return team, None

    def _on_code(self, change):
        if self._relabelling or self._busy:
            return
        if not change["new"].strip():
            self._code_team = None
            self._set_code_status(None)
            return
        self._next_respondent_started()
        try:
            self.check_code(change["new"])
        except Exception:  # noqa: BLE001 - a respondent must see a message, never a traceback
            log.exception("checking a one-time code failed")
            self._set_code_status("error", lambda lang: html.escape(ui_text(lang, "failed")))

    def _on_team(self, change):
        if change["new"] and not self._relabelling:
            self.team.remove_class("survey-missing")
            self._next_respondent_started()

    def _next_respondent_started(self):
        """The thank-you message is for the previous respondent: hide it once the next one starts."""
        if "success" in self.message._dom_classes:
            self._clear_message()

    @property
    def answered_count(self) -> int:
        """Items answered or explicitly skipped."""
        return sum(1 for b in self.item_widgets.values() if b.value is not None)

    def _update_progress(self):
        done, total = self.answered_count, len(self.item_widgets)
        self.progress.value = done
        self.progress_label.value = html.escape(ui_text(self.current_language, "progress", done=done, total=total))

    def _show(self, kind: str, builder):
        """Show a message; `builder(language)` makes its HTML, so it follows a change of language."""
        self._message_builder = builder
        for other in ("error", "success", "info"):
            if other != kind:
                self.message.remove_class(other)
        if kind:
            self.message.add_class(kind)
        self.message.value = builder(self.current_language) if builder else ""

    def _clear_message(self):
        self._message_builder = None
        for kind in ("error", "success", "info"):
            self.message.remove_class(kind)
        self.message.value = ""

    def _check_open(self, show: bool = True):
        """Disable Submit (and say why, when `show`) when nobody can answer: no teams, or a closed wave."""
        reason = "no_teams" if not self.teams else "closed" if self.store.wave_status(self.wave) != "open" else None
        if reason:
            self.submit_button.disabled = True
            if show:
                self._show("info", lambda lang: html.escape(ui_text(lang, reason)))

    def fill(self, team: str | None = None, answers: dict | None = None, comments: dict | None = None,
             skip=(), code: str | None = None):
        """Set values as a respondent would: the team (or in code mode the code), answers by item id, comments
        by question id, items to skip."""
        if team is not None:
            self.team.value = team
        if code is not None:
            self.code.value = code
        for item_id, value in (answers or {}).items():
            self.item_widgets[item_id].value = value
        for item_id in skip:
            self.item_widgets[item_id].value = SKIP
        for qid, text in (comments or {}).items():
            self.comment_widgets[qid].value = text

    def clear(self):
        """Empty the form for the next respondent (the language stays)."""
        self._relabelling = True
        try:
            self._set_team(None)
            self.code.value = ""
            for buttons in self.item_widgets.values():
                buttons.value = None
            for area in self.comment_widgets.values():
                area.value = ""
        finally:
            self._relabelling = False
        for box in self._item_boxes.values():
            box.remove_class("survey-missing")
        self.team.remove_class("survey-missing")
        self.code.remove_class("survey-missing")
        self._code_team = None
        self._set_code_status(None)
        self._update_progress()

    def missing(self) -> list[str]:
        """Item ids not yet answered or skipped (and first "team" when no team is chosen, or in code mode
        "code" when no code is entered)."""
        if self.code_mode:
            gaps = ["code"] if not self.code.value.strip() else []
        else:
            gaps = ["team"] if self.chosen_team is None else []
        return gaps + [item_id for item_id, b in self.item_widgets.items() if b.value is None]

    def response(self) -> Response:
        """The response the form holds now (skipped items as None)."""
        answers = {item_id: (None if b.value in (None, SKIP) else b.value) for item_id, b in self.item_widgets.items()}
        comments = {qid: area.value.strip() for qid, area in self.comment_widgets.items() if area.value.strip()}
        return Response(team=self.chosen_team, answers=answers, comments=comments,
                        language=self.current_language, source="form")

    # ------------------------------------------------------------ submitting
    def submit(self) -> int | None:
        """Validate and store the response; returns the new respondent id, or None (and shows why)."""
        if self._busy:
            return None
        self._busy = True
        self.submit_button.disabled = True
        self.submit_button.description = ui_text(self.current_language, "submitting")
        try:
            return self._submit()
        except Exception:  # noqa: BLE001 - a respondent must see a message, never a traceback
            log.exception("storing a survey response failed")
            self._show("error", lambda lang: html.escape(ui_text(lang, "failed")))
            return None
        finally:
            self._busy = False
            self.submit_button.disabled = False
            self.submit_button.description = ui_text(self.current_language, "submit")
            self._check_open(show=False)

    def _submit(self) -> int | None:
        missing = self.missing()
        missing_items = [m for m in missing if m not in ("team", "code")]
        was_code_mode = self.code_mode
        outcome = submit_response(self.store, self.wave, self.response(), unanswered=missing_items,
                                  code_mode=self.code_mode, code=self.code.value,
                                  teams=[team for team, _ in self.teams])
        if outcome.stored:
            self.clear()
            self._show("success", lambda lang: html.escape(ui_text(lang, "thank_you")))
            return outcome.respondent_id
        field_problem = outcome.field_problem
        if field_problem == "codes_now":
            # codes were issued after this page was opened: from now on the team comes from a code
            self._set_code_mode(True)
            self.code.add_class("survey-missing")
            self._show("error", lambda lang: self._missing_html(lang, "codes_now", []))
            return None
        if was_code_mode:
            self._code_team = outcome.team
            if field_problem in CODE_PROBLEMS.values():
                key = field_problem
                self._set_code_status("error", lambda lang: html.escape(ui_text(lang, key)))
            elif outcome.team is not None:
                shown = self._team_label_of(outcome.team)
                self._set_code_status("ok", lambda lang: html.escape(ui_text(lang, "code_team", team=shown)))
            else:
                self._set_code_status(None)
            (self.code.add_class if field_problem else self.code.remove_class)("survey-missing")
        else:
            (self.team.add_class if field_problem else self.team.remove_class)("survey-missing")
        for item_id, box in self._item_boxes.items():
            (box.add_class if item_id in outcome.missing_items else box.remove_class)("survey-missing")
        if field_problem or outcome.missing_items:
            missing_now = outcome.missing_items
            self._show("error", lambda lang: self._missing_html(lang, field_problem, missing_now))
        elif outcome.closed:
            self._show("error", lambda lang: html.escape(ui_text(lang, "closed")))
        elif outcome.nothing_answered:
            self._show("error", lambda lang: html.escape(ui_text(lang, "nothing_answered")))
        else:
            refused = outcome.problems
            self._show("error", lambda lang: self._problems_html(lang, refused))
        return None

    def _missing_html(self, lang, field_problem: str | None, missing_items: list[str]) -> str:
        """What stops the submission: `field_problem` is the UI text key about the team or the code (or None)."""
        parts = [f"<b>{html.escape(ui_text(lang, 'not_saved'))}</b>"]
        if field_problem:
            parts.append(f"<p>{html.escape(ui_text(lang, field_problem))}</p>")
        if missing_items:
            listed = "".join(
                f"<li>{self._numbers[i]}. {html.escape(_short(self.template.item(i).text[lang]))}</li>"
                for i in missing_items[:MAX_LISTED])
            if len(missing_items) > MAX_LISTED:
                listed += f"<li>{html.escape(ui_text(lang, 'and_more', n=len(missing_items) - MAX_LISTED))}</li>"
            intro = ui_text(lang, "missing_item") if len(missing_items) == 1 else \
                ui_text(lang, "missing_items", n=len(missing_items))
            parts.append(f"<p>{html.escape(intro)}</p><ul>{listed}</ul>")
        return "".join(parts)

    def _problems_html(self, lang, problems) -> str:
        listed = "".join(f"<li>{html.escape(str(p))}</li>" for p in problems)
        return (f"<b>{html.escape(ui_text(lang, 'not_saved'))}</b>"
                f"<p>{html.escape(ui_text(lang, 'rejected'))}</p><ul>{listed}</ul>")


__all__ = ["SurveyForm", "SKIP", "NO_TEAM", "UI_TEXT", "CODE_PROBLEMS", "ui_text", "leaf_teams"]  # the texts live in responding
