"""HR administration widgets: waves, headcounts, answer imports, response rates and data quality,
and (in a second tab) the actions each group agreed after a wave.

Every action calls the same package functions as the CLI, and reports success or the kit's own
error message in the panel (never a traceback), so HR can work without writing code."""

from __future__ import annotations

import tempfile
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from .actionpanel import ActionsPanel
from .analysis import Results
from .exceptions import AssessmentError
from .importing import Mapping, import_answers, import_teams
from .store import ORGANISATION
from .workspace import Workspace


class AdminPanel:
    """Display `panel.widget`. Controls are attributes so tests can set values and click buttons.

    `tabs` holds the survey administration ("Survey") and `actions_panel`, an `ActionsPanel` with a
    group dropdown (the organisation, every department and team) in the template's language ("Actions")."""

    def __init__(self, workspace):
        self.workspace = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
        store = self.workspace.store
        self.message = widgets.HTML()
        self.message.add_class("admin-message")
        # waves
        self.waves_table = widgets.HTML()
        self.new_wave = widgets.Text(placeholder="e.g. 2027-spring", description="New wave")
        self.open_button = widgets.Button(description="Open wave", button_style="primary")
        self.wave = widgets.Dropdown(description="Wave")
        self.close_button = widgets.Button(description="Close wave")
        self.reopen_button = widgets.Button(description="Reopen wave")
        # headcounts and teams
        self.team = widgets.Dropdown(description="Team")
        self.headcount = widgets.BoundedIntText(min=0, max=100000, description="Headcount")
        self.headcount_button = widgets.Button(description="Set headcount")
        self.teams_upload = widgets.FileUpload(accept=".csv,.xlsx", multiple=False, description="Teams file")
        self.teams_button = widgets.Button(description="Add teams from file")
        # imports
        self.upload = widgets.FileUpload(accept=".csv,.xlsx", multiple=False, description="Answer file")
        self.path = widgets.Text(placeholder="or a path on the server, e.g. exports/answers.csv", description="Path")
        self.mapping = widgets.Text(placeholder="optional mapping file (YAML)", description="Mapping")
        self.add_teams = widgets.Checkbox(value=False, description="Create unknown teams")
        self.import_button = widgets.Button(description="Import answers", button_style="primary")
        # one-time invitation codes
        self.code_count = widgets.BoundedIntText(value=0, min=0, max=100000, description="Codes per team",
                                                 tooltip="0: one per person in the team's headcount")
        self.codes_button = widgets.Button(description="Create codes file")
        self.codes_table = widgets.HTML()
        # monitoring
        self.rates = widgets.HTML()
        self.quality = widgets.HTML()

        self.open_button.on_click(lambda _: self._act(self._open_wave))
        self.close_button.on_click(lambda _: self._act(lambda: self._set_status("closed")))
        self.reopen_button.on_click(lambda _: self._act(lambda: self._set_status("open")))
        self.headcount_button.on_click(lambda _: self._act(self._set_headcount))
        self.teams_button.on_click(lambda _: self._act(self._import_teams))
        self.import_button.on_click(lambda _: self._act(self._import))
        self.codes_button.on_click(lambda _: self._act(self._codes))
        self._refreshing = False
        self.wave.observe(lambda _: None if self._refreshing else self.refresh(), names="value")

        self.actions_panel = ActionsPanel(self.workspace, groups=self._action_groups(),
                                          language=self._language())
        self.survey = widgets.VBox([
            self.message,
            widgets.HTML("<h3>Waves</h3>"), self.waves_table,
            widgets.HBox([self.new_wave, self.open_button]),
            widgets.HBox([self.wave, self.close_button, self.reopen_button]),
            widgets.HTML("<h3>Teams and headcount</h3>"),
            widgets.HBox([self.team, self.headcount, self.headcount_button]),
            widgets.HBox([self.teams_upload, self.teams_button]),
            widgets.HTML("<h3>Import answers</h3>"),
            widgets.HBox([self.upload, self.path]), widgets.HBox([self.mapping, self.add_teams]), self.import_button,
            widgets.HTML("<h3>Invitation codes</h3><p>One code per invited person; the form accepts each code "
                         "once and takes the team from it. 0 codes per team: one per person in the headcount.</p>"),
            widgets.HBox([self.code_count, self.codes_button]), self.codes_table,
            widgets.HTML("<h3>Response rates</h3>"), self.rates,
            widgets.HTML("<h3>Data quality</h3>"), self.quality,
        ])
        self.survey.add_class("admin-survey")
        self.tabs = widgets.Tab(children=[self.survey, self.actions_panel.widget])
        for k, title in enumerate(("Survey", "Actions")):
            self.tabs.set_title(k, title)
        self.widget = widgets.VBox([widgets.HTML(f"<h2>Survey administration — {_escape(self.workspace.name)}</h2>"),
                                    self.tabs])
        self.widget.add_class("assessment-admin")
        self.refresh()
        del store

    # ------------------------------------------------------------ actions
    def _act(self, action):
        try:
            text = action()
        except AssessmentError as exc:
            self.message.value = f"<div class='error' style='color:#b2182b'><pre>{_escape(str(exc))}</pre></div>"
        else:
            self.message.value = f"<div class='ok' style='color:#1a7a1a'>{_escape(text)}</div>"
            self.refresh()

    def _open_wave(self):
        name = self.new_wave.value.strip()
        if not name:
            raise AssessmentError("write the new wave's name first, e.g. 2027-spring")
        self.workspace.open_wave(name)
        self.new_wave.value = ""
        self.wave.options = self.workspace.store.wave_names()
        self.wave.value = name
        return f"Wave {name} is open, with the workspace's current template."

    def _set_status(self, status):
        self.workspace.store.set_wave_status(self.wave.value, status)
        return f"Wave {self.wave.value} is {status}."

    def _set_headcount(self):
        if not self.team.value:
            raise AssessmentError("choose a team first")
        self.workspace.store.set_headcount(self.wave.value, self.team.value, self.headcount.value)
        return f"Headcount of {self.team.value} in {self.wave.value}: {self.headcount.value}."

    def _uploaded(self, upload) -> Path | None:
        value = upload.value
        if not value:
            return None
        entry = value[0] if isinstance(value, (list, tuple)) else next(iter(value.values()))
        name = entry["name"] if "name" in entry else entry["metadata"]["name"]
        folder = Path(tempfile.mkdtemp(prefix="assessment-upload-"))
        path = folder / Path(name).name
        path.write_bytes(bytes(entry["content"]))
        return path

    def _import_teams(self):
        path = self._uploaded(self.teams_upload)
        if path is None:
            raise AssessmentError("choose a teams file (columns team, parent, headcount) first")
        n = import_teams(self.workspace.store, path, wave=self.wave.value)
        return f"Added or updated {n} team(s) from {path.name}."

    def _import(self):
        path = self._uploaded(self.upload) or (Path(self.path.value.strip()) if self.path.value.strip() else None)
        if path is None:
            raise AssessmentError("choose an answer file to upload, or write its path")
        mapping = Mapping.load(self.mapping.value.strip()) if self.mapping.value.strip() else None
        result = import_answers(self.workspace.store, self.wave.value, path, mapping=mapping,
                                add_teams=self.add_teams.value)
        notes = "".join(f" Note: {w}." for w in result.warnings)
        return result.summary().replace(str(path.parent) + "/", "") + "." + notes

    def _codes(self):
        from .invitations import write_codes
        path, n = write_codes(self.workspace, self.wave.value, count=self.code_count.value or None)
        return f"Wrote {n} one-time codes to {path} (readable only by you): mail-merge or print them."

    def _action_groups(self) -> list[str]:
        return [ORGANISATION, *self.workspace.store.team_names()]

    def _language(self) -> str:
        try:
            return self.workspace.template().language
        except AssessmentError:
            return "en"

    # ------------------------------------------------------------ views
    def refresh(self):
        store = self.workspace.store
        if not self.actions_panel.set_groups(self._action_groups()):   # new teams and waves show there too
            self.actions_panel.refresh()
        waves = store.waves()
        self.waves_table.value = waves.fillna("").to_html(index=False, classes="admin-waves")
        names = list(waves["wave"])
        if list(self.wave.options) != names:
            current = self.wave.value
            self._refreshing = True
            try:
                self.wave.options = names
                self.wave.value = current if current in names else (names[-1] if names else None)
            finally:
                self._refreshing = False
        self.team.options = [t for t in store.team_names() if t not in set(store.teams()["parent"].dropna())]
        if not names:
            return
        codes = store.code_counts(self.wave.value)
        self.codes_table.value = codes.to_html(index=False, classes="admin-codes") if len(codes) else ""
        results = Results(self.workspace, waves=[self.wave.value])
        rates = results.response_rates(self.wave.value)
        if rates.empty:
            self.rates.value = "<p>No responses yet.</p>"
            self.quality.value = ""
            return
        shown = rates.assign(
            respondents=[_hidden_label(reason, results.min_group) if hidden else f"{int(n)}"
                         for n, hidden, reason in zip(rates["respondents"], rates["suppressed"], rates["reason"])],
            response_rate=["" if pd.isna(r) else f"{r:.0f} %" for r in rates["response_rate"]],
            headcount=["" if pd.isna(h) else f"{int(h)}" for h in rates["headcount"]],
        ).drop(columns=["suppressed", "reason"])
        self.rates.value = shown.fillna("").to_html(index=False, classes="admin-rates")
        flags = results.quality(self.wave.value)
        flagged = (flags.to_html(index=False, classes="admin-flags") if len(flags)
                   else "<p class='admin-flags'>No data-quality flags.</p>")
        quality = results.data_quality(self.wave.value)
        self.quality.value = flagged + quality.astype(object).where(quality.notna(), f"< {results.min_group}").to_html(
            index=False, classes="admin-quality")


def _hidden_label(reason, min_group: int) -> str:
    return "hidden (would reveal a smaller team)" if reason == "differencing" else f"< {min_group}"


def _escape(text: str) -> str:
    import html
    return html.escape(text)
