"""Widgets to record and follow up the actions a group agreed after a wave's results.

The panel only calls the store (`add_action`, `update_action`, `remove_action`, `actions`), so
every check is the kit's own: a mistake shows the store's message in the panel, never a traceback.
The panel shows no scores at all, so it can sit next to any group, hidden or not.
"""

from __future__ import annotations

import html
import os
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from .exceptions import AssessmentError
from .messages import LANGUAGES, section
from .migrations import ACTION_STATUSES
from .store import ACTION_COLUMNS, ORGANISATION, Store

_COLUMNS = ("id", "wave", "group", "scale", "status", "owner", "due", "text", "notes")


def _ui(language: str) -> dict:
    """The panel's texts in a language (from `assessment.messages`): "columns" the table's headings,
    "statuses" each status's name."""
    ui = section(language, "actions.")
    ui["columns"] = tuple(ui[f"col.{c}"] for c in _COLUMNS)
    ui["statuses"] = {s: ui[f"status.{s}"] for s in ACTION_STATUSES}
    return ui


_UI = {language: _ui(language) for language in LANGUAGES}
_LABEL_STYLE = {"description_width": "8em"}
_CELL = " style='padding:2px 8px;border-bottom:1px solid #ddd;text-align:left;vertical-align:top'"


def _store_of(owner) -> Store:
    """The store of a Workspace, of `analysis.Results`, a Store itself, or a workspace folder."""
    if isinstance(owner, Store):
        return owner
    if hasattr(owner, "store"):
        return owner.store
    if hasattr(owner, "workspace"):
        return owner.workspace.store
    if isinstance(owner, (str, os.PathLike, Path)):
        from .workspace import Workspace
        return Workspace(owner).store
    raise TypeError(f"ActionsPanel needs a workspace, its folder or a store, not {type(owner).__name__}")


def _esc(value) -> str:
    return "" if value is None or value != value else html.escape(str(value))   # value != value: NaN


class ActionsPanel:
    """Record and follow up a group's actions. Display `panel.widget`.

    `groups` (a list of names): the panel shows a group dropdown (`panel.group`); otherwise it is
    fixed to `group` (None: the whole organisation), which `set_group` changes. Controls are
    attributes so tests can set values and click buttons; `on_change(callback)` is called (with the
    panel) after an action is added, saved or removed."""

    def __init__(self, workspace, group: str | None = None, language: str | None = "en", groups=None):
        self.store = _store_of(workspace)
        self.language = language if language in _UI else "en"
        ui = self.ui = _UI[self.language]
        self._callbacks = []
        self._refreshing = False
        self.fixed = groups is None
        names = [group or ORGANISATION] if groups is None else list(dict.fromkeys(groups))
        self.group = widgets.Dropdown(options=self._group_options(names), description=ui["group"],
                                      style=_LABEL_STYLE)
        if group is not None and group in names:
            self.group.value = group
        self.heading = widgets.HTML()
        self.table = widgets.HTML()
        self.message = widgets.HTML()
        # add an action
        self.wave = widgets.Dropdown(description=ui["wave"], style=_LABEL_STYLE)
        self.scale = widgets.Dropdown(description=ui["scale"], style=_LABEL_STYLE)
        self.text = widgets.Textarea(description=ui["text"], placeholder=ui["text_placeholder"], rows=3,
                                     style=_LABEL_STYLE, layout=widgets.Layout(width="36em"))
        self.owner = widgets.Text(description=ui["owner"], style=_LABEL_STYLE)
        self.due = widgets.Text(description=ui["due"], placeholder=ui["due_placeholder"], style=_LABEL_STYLE)
        self.add_button = widgets.Button(description=ui["add"], button_style="primary")
        # follow up an action
        self.action = widgets.Dropdown(description=ui["action"], style=_LABEL_STYLE,
                                       layout=widgets.Layout(width="36em"))
        self.status = widgets.Dropdown(options=[(ui["statuses"][s], s) for s in ACTION_STATUSES],
                                       description=ui["status"], style=_LABEL_STYLE)
        self.note = widgets.Text(description=ui["note"], placeholder=ui["note_placeholder"], style=_LABEL_STYLE,
                                 layout=widgets.Layout(width="36em"))
        self.save_button = widgets.Button(description=ui["save"])
        self.remove_button = widgets.Button(description=ui["remove"], button_style="danger")
        for name in ("group", "heading", "table", "message", "wave", "scale", "text", "owner", "due", "add_button",
                     "action", "status", "note", "save_button", "remove_button"):
            getattr(self, name).add_class(f"actions-{name.replace('_', '-')}")     # e.g. actions-add-button

        self.add_button.on_click(lambda _: self._act(self._add))
        self.save_button.on_click(lambda _: self._act(self._save))
        self.remove_button.on_click(lambda _: self._act(self._remove))
        self.group.observe(self._group_changed, names="value")
        self.wave.observe(lambda _: None if self._refreshing else self._fill_scales(), names="value")
        self.action.observe(lambda _: None if self._refreshing else self._action_chosen(), names="value")

        add_form = widgets.VBox([widgets.HTML(f"<h4>{_esc(ui['add_heading'])}</h4>"), self.wave, self.scale,
                                 self.text, self.owner, self.due, self.add_button])
        add_form.add_class("actions-add")
        update_form = widgets.VBox([widgets.HTML(f"<h4>{_esc(ui['update_heading'])}</h4>"), self.action,
                                    self.status, self.note, widgets.HBox([self.save_button, self.remove_button])])
        update_form.add_class("actions-update")
        self.widget = widgets.VBox(([] if self.fixed else [self.group])
                                   + [self.heading, self.message, self.table, add_form, update_form])
        self.widget.add_class("actions-panel")
        self.refresh()

    # ------------------------------------------------------------ groups
    def _group_options(self, names) -> list:
        return [(self.ui["organisation"] if n == ORGANISATION else n, n) for n in names]

    @property
    def group_name(self) -> str:
        """The group whose actions the panel shows and adds."""
        return self.group.value or ORGANISATION

    def set_group(self, group: str | None):
        """Show another group (None: the organisation); a fixed panel takes any name the store knows."""
        name = group or ORGANISATION
        if name == self.group.value:
            return
        if name not in [v for _, v in self.group.options]:
            self.group.options = self._group_options([*([] if self.fixed else [v for _, v in self.group.options]),
                                                      name])
        self.group.value = name      # observed: refreshes

    def set_groups(self, groups) -> bool:
        """Replace the dropdown's groups (the current one stays chosen when it is still there); True
        when they changed (the panel is then refreshed)."""
        names = list(dict.fromkeys(groups))
        if names == [v for _, v in self.group.options]:
            return False
        current = self.group.value
        with self.group.hold_trait_notifications():
            self.group.options = self._group_options(names)
            self.group.value = current if current in names else (names[0] if names else None)
        if self.group.value == current:          # otherwise the change of group refreshed it
            self.refresh()
        return True

    def _group_changed(self, change):
        self.message.value = ""
        self.refresh()

    # ------------------------------------------------------------ callbacks
    def on_change(self, callback):
        """Call `callback(panel)` after an action is added, saved or removed."""
        self._callbacks.append(callback)

    def _act(self, action):
        try:
            text = action()
        except AssessmentError as exc:
            self._show_error(exc)
            return
        self.message.value = f"<div class='actions-ok ok' role='status' style='color:#1a7a1a'>{_esc(text)}</div>"
        self.refresh()
        for callback in self._callbacks:
            callback(self)

    def _show_error(self, exc):
        self.message.value = f"<div class='actions-error error' role='alert' style='color:#b2182b'>{_esc(exc)}</div>"

    def _add(self) -> str:
        if not self.scale.value:
            raise AssessmentError(self.ui["choose_scale"])
        group = self.group_name
        action_id = self.store.add_action(group, self.scale.value, self.text.value, wave=self.wave.value or None,
                                          owner=self.owner.value or None, due=self.due.value.strip() or None)
        self.text.value = self.owner.value = self.due.value = ""
        self._select = action_id
        return self.ui["added"].format(id=action_id, group=self.group.label or group)

    def _chosen_action(self) -> int:
        if self.action.value is None:
            raise AssessmentError(self.ui["choose_action"])
        return self.action.value

    def _save(self) -> str:
        action_id = self._chosen_action()
        current = self._statuses.get(action_id)
        status = self.status.value if self.status.value != current else None
        self.store.update_action(action_id, status=status, note=self.note.value if self.note.value.strip() else None)
        self.note.value = ""
        self._select = action_id
        return self.ui["saved"].format(id=action_id)

    def _remove(self) -> str:
        action_id = self._chosen_action()
        self.store.remove_action(action_id)
        return self.ui["removed"].format(id=action_id)

    # ------------------------------------------------------------ views
    def actions(self):
        """The listed actions: the group's and, for a department or the organisation, those under it."""
        return self.store.actions(group=self.group_name, below=True)

    def _fill_scales(self):
        wave = self.wave.value
        if not wave:
            self.scale.options = []
            return
        template = self.store.wave_template(wave)
        ids = [i.id for i in template.indices] + [s.id for s in template.scales if s.role != "enps"]
        current = self.scale.value
        language = self.language if self.language in template.languages else template.language
        self.scale.options = [(template.title_of(i, language), i) for i in ids]
        self.scale.value = current if current in ids else None

    def _title(self, wave, scale) -> str:
        key = (wave, scale)
        if key not in self._titles:
            try:
                template = self.store.wave_template(wave)
                language = self.language if self.language in template.languages else template.language
                self._titles[key] = template.title_of(scale, language)
            except (AssessmentError, KeyError, ValueError):
                self._titles[key] = scale
        return self._titles[key]

    def _action_chosen(self):
        status = self._statuses.get(self.action.value)
        if status in ACTION_STATUSES:
            self.status.value = status

    def refresh(self):
        """Read the store again: the table, the waves, the scales and the actions to follow up."""
        ui = self.ui
        self._titles = getattr(self, "_titles", {})
        selected = getattr(self, "_select", None) or self.action.value
        self._select = None
        self._refreshing = True
        try:
            waves = self.store.wave_names()
            if list(self.wave.options) != waves:
                current, before = self.wave.value, list(self.wave.options)
                following = not before or current == before[-1]       # on the latest wave: stay on the latest
                self.wave.options = waves
                self.wave.value = current if current in waves and not following else (waves[-1] if waves else None)
            try:
                table = self.actions()
            except AssessmentError as exc:        # e.g. a group renamed or removed since the list was made
                self._show_error(exc)
                table = pd.DataFrame(columns=ACTION_COLUMNS)
            self._statuses = dict(zip(table["id"], table["status"]))
            options = [(f"{i}: {_short(text)}", int(i)) for i, text in zip(table["id"], table["text"])]
            self.action.options = options
            ids = [v for _, v in options]
            self.action.value = selected if selected in ids else (ids[-1] if ids else None)
        finally:
            self._refreshing = False
        self._fill_scales()
        self._action_chosen()
        heading = ui["heading"].format(group=self.group.label or self.group_name)
        self.heading.value = f"<h3 style='margin:0.3em 0'>{_esc(heading)}</h3>"
        self.table.value = self._html(table)

    def _html(self, table) -> str:
        ui = self.ui
        if table.empty:
            return f"<p class='actions-none'>{_esc(ui['none'])}</p>"
        head = "".join(f"<th{_CELL}>{_esc(c)}</th>" for c in ui["columns"])
        rows = []
        for row in table.itertuples(index=False):
            notes = "<br>".join(_esc(line) for line in str(row.notes or "").splitlines())
            group = ui["organisation"] if row.group == ORGANISATION else row.group
            cells = [_esc(row.id), _esc(row.wave), _esc(group), _esc(self._title(row.wave, row.scale)),
                     _esc(ui["statuses"].get(row.status, row.status)), _esc(row.owner), _esc(row.due),
                     _esc(row.text), notes]
            rows.append(f"<tr data-action='{int(row.id)}'>" + "".join(f"<td{_CELL}>{c}</td>" for c in cells) + "</tr>")
        return (f"<table class='actions-list' style='border-collapse:collapse'><thead><tr>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")


def _short(text, width: int = 60) -> str:
    text = " ".join(str(text or "").split())
    return text if len(text) <= width else text[:width - 1] + "…"
