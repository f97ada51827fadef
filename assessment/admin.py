"""HR administration widgets: waves, headcounts, answer imports, response rates and data quality,
and (in a second tab) the actions each group agreed after a wave.

Every action calls the same package functions as the CLI, and reports success or the kit's own
error message in the panel (never a traceback), so HR can work without writing code."""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

import ipywidgets as widgets
import pandas as pd

from ._files import open_private
from .actionpanel import ActionsPanel
from .analysis import Results
from .exceptions import AssessmentError
from .importing import Mapping, import_answers, import_teams
from ._format import percent
from .messages import CATALOGUE, text
from .protection import NOT_SHOWN_SEPARATELY
from .store import ORGANISATION
from .workspace import Workspace


class AdminPanel:
    """Display `panel.widget`. Controls are attributes so tests can set values and click buttons.

    `tabs` holds the survey administration ("Survey") and `actions_panel`, an `ActionsPanel` with a
    group dropdown (the organisation, every department and team). Every text is in the template's language
    (`assessment.messages`); figures are formatted in it ("56,1 %" in Swedish)."""

    def __init__(self, workspace):
        self.workspace = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
        store = self.workspace.store
        self.language = self._language()
        t = self._t
        self.message = widgets.HTML()
        self.message.add_class("admin-message")
        # waves
        self.waves_table = widgets.HTML()
        self.new_wave = widgets.Text(placeholder=t("new_wave_placeholder"), description=t("new_wave"))
        self.open_button = widgets.Button(description=t("open_wave"), button_style="primary")
        self.wave = widgets.Dropdown(description=t("wave"))
        self.close_button = widgets.Button(description=t("close_wave"))
        self.reopen_button = widgets.Button(description=t("reopen_wave"))
        # headcounts and teams
        self.team = widgets.Dropdown(description=t("team"))
        self.headcount = widgets.BoundedIntText(min=0, max=100000, description=t("headcount"))
        self.headcount_button = widgets.Button(description=t("set_headcount"))
        self.teams_upload = widgets.FileUpload(accept=".csv,.xlsx", multiple=False, description=t("teams_file"))
        self.teams_button = widgets.Button(description=t("add_teams_file"))
        # imports
        self.upload = widgets.FileUpload(accept=".csv,.xlsx", multiple=False, description=t("answer_file"))
        self.path = widgets.Text(placeholder=t("path_placeholder"), description=t("path"))
        self.mapping = widgets.Text(placeholder=t("mapping_placeholder"), description=t("mapping"))
        self.add_teams = widgets.Checkbox(value=False, description=t("create_teams"))
        self.import_button = widgets.Button(description=t("import"), button_style="primary")
        # one-time invitation codes
        self.code_count = widgets.BoundedIntText(value=0, min=0, max=100000, description=t("codes_per_team"),
                                                 tooltip=t("codes_tooltip"))
        self.codes_button = widgets.Button(description=t("create_codes"))
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
                                          language=self.language)
        self.survey = widgets.VBox([
            self.message,
            _heading(t("h.waves")), self.waves_table,
            widgets.HBox([self.new_wave, self.open_button]),
            widgets.HBox([self.wave, self.close_button, self.reopen_button]),
            _heading(t("h.teams")),
            widgets.HBox([self.team, self.headcount, self.headcount_button]),
            widgets.HBox([self.teams_upload, self.teams_button]),
            _heading(t("h.import")),
            widgets.HBox([self.upload, self.path]), widgets.HBox([self.mapping, self.add_teams]), self.import_button,
            widgets.HTML(f"<h3>{_escape(t('h.codes'))}</h3><p>{_escape(t('codes_intro'))}</p>"),
            widgets.HBox([self.code_count, self.codes_button]), self.codes_table,
            _heading(t("h.rates")), self.rates,
            _heading(t("h.quality")), self.quality,
        ])
        self.survey.add_class("admin-survey")
        self.tabs = widgets.Tab(children=[self.survey, self.actions_panel.widget])
        for k, title in enumerate((t("tab.survey"), t("tab.actions"))):
            self.tabs.set_title(k, title)
        self.widget = widgets.VBox([widgets.HTML(f"<h2>{_escape(t('title', name=self.workspace.name))}</h2>"),
                                    self.tabs])
        self.widget.add_class("assessment-admin")
        self.refresh()
        del store

    def _t(self, key: str, **values) -> str:
        """An admin-panel text in the panel's language."""
        return text(self.language, "admin." + key, **values)

    def _table_html(self, table: pd.DataFrame, classes: str) -> str:
        """A table as HTML with its column names in the panel's language."""
        names = {c: self._t(f"col.{c}") for c in table.columns if f"admin.col.{c}" in _KEYS}
        return table.rename(columns=names).to_html(index=False, classes=classes)

    def _group_label(self, name: str) -> str:
        """A group's name as shown: the pooled "teams not shown separately" row in the panel's language."""
        if name == NOT_SHOWN_SEPARATELY.format(group=ORGANISATION):
            return text(self.language, "reason.not_shown_separately",
                        group=text(self.language, "actions.organisation"))
        return name

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
            raise AssessmentError(self._t("need_wave_name"))
        self.workspace.open_wave(name)
        self.new_wave.value = ""
        self.wave.options = self.workspace.store.wave_names()
        self.wave.value = name
        return self._t("wave_opened", name=name)

    def _set_status(self, status):
        from . import _aggregates
        self.workspace.store.set_wave_status(self.wave.value, status)
        if status == "closed":   # its final tables, kept for every later reader
            _aggregates.refresh(self.workspace.store, [self.wave.value])
        return self._t("wave_closed" if status == "closed" else "wave_open", name=self.wave.value)

    def _set_headcount(self):
        if not self.team.value:
            raise AssessmentError(self._t("choose_team"))
        self.workspace.store.set_headcount(self.wave.value, self.team.value, self.headcount.value)
        return self._t("headcount_set", team=self.team.value, wave=self.wave.value, n=self.headcount.value)

    @contextmanager
    def _uploaded(self, upload):
        """The uploaded file, under its own name (the importer's messages name it), in a private temporary
        folder that is removed afterwards, whatever happens: an export of answers is personal data and must
        not outlive its import on the server's disk."""
        value = upload.value
        if not value:
            yield None
            return
        entry = value[0] if isinstance(value, (list, tuple)) else next(iter(value.values()))
        name = entry["name"] if "name" in entry else entry["metadata"]["name"]
        folder = Path(tempfile.mkdtemp(prefix="assessment-upload-"))
        try:
            path = folder / Path(name).name
            with open_private(path, "wb") as handle:
                handle.write(bytes(entry["content"]))
            yield path
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _import_teams(self):
        with self._uploaded(self.teams_upload) as path:
            if path is None:
                raise AssessmentError(self._t("need_teams_file"))
            n = import_teams(self.workspace.store, path, wave=self.wave.value)
            return self._t("teams_added", n=n, file=path.name)

    def _import(self):
        with self._uploaded(self.upload) as uploaded:
            return self._import_file(uploaded or (Path(self.path.value.strip()) if self.path.value.strip() else None))

    def _import_file(self, path: Path | None) -> str:
        if path is None:
            raise AssessmentError(self._t("need_answer_file"))
        mapping = Mapping.load(self.mapping.value.strip()) if self.mapping.value.strip() else None
        # quiet: a bar drawn from a button's callback has no cell to show in; the panel reports the result
        result = import_answers(self.workspace.store, self.wave.value, path, mapping=mapping,
                                add_teams=self.add_teams.value, quiet=True)
        if result.stored:   # the wave's aggregate table now, so leaders' dashboards open at once
            from . import _aggregates
            _aggregates.refresh(self.workspace.store, [self.wave.value])
        notes = "".join(" " + self._t("note", text=w) for w in result.warnings)
        return self._import_summary(result, path.name) + "." + notes

    def _import_summary(self, result, name: str) -> str:
        """`ImportResult.summary()` in the panel's language, naming the file without its folder."""
        if result.already_imported:
            return self._t("already_imported", file=name, wave=result.wave)
        summary = self._t("imported", file=name, stored=result.stored, answers=result.answers,
                          comments=result.comments, wave=result.wave)
        if result.skipped:
            summary += self._t("imported_skipped", n=result.skipped)
        if result.new_teams:
            summary += self._t("imported_new_teams", teams=", ".join(result.new_teams))
        return summary

    def _codes(self):
        from .invitations import write_codes
        path, n = write_codes(self.workspace, self.wave.value, count=self.code_count.value or None)
        return self._t("codes_written", n=n, path=path)

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
        shown_waves = waves.assign(status=[self._t(f"status.{s}") if f"admin.status.{s}" in _KEYS else s
                                           for s in waves["status"]])
        self.waves_table.value = self._table_html(shown_waves.fillna(""), "admin-waves")
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
        self.codes_table.value = self._table_html(codes, "admin-codes") if len(codes) else ""
        results = Results(self.workspace, waves=[self.wave.value])
        language = self.language
        rates = results.response_rates(self.wave.value)
        if rates.empty:
            self.rates.value = f"<p>{_escape(self._t('no_responses'))}</p>"
            self.quality.value = ""
            return
        shown = rates.assign(
            team=[self._group_label(t) for t in rates["team"]],
            respondents=[_hidden_label(reason, results.min_group, language) if hidden else f"{int(n)}"
                         for n, hidden, reason in zip(rates["respondents"], rates["suppressed"], rates["reason"])],
            response_rate=["" if pd.isna(r) else percent(r, language) for r in rates["response_rate"]],
            headcount=["" if pd.isna(h) else f"{int(h)}" for h in rates["headcount"]],
        ).drop(columns=["suppressed", "reason"])
        self.rates.value = self._table_html(shown.fillna(""), "admin-rates")
        flags = results.quality(self.wave.value, language=language)
        flagged = (self._table_html(flags, "admin-flags") if len(flags)
                   else f"<p class='admin-flags'>{_escape(self._t('no_flags'))}</p>")
        quality = results.data_quality(self.wave.value)
        quality = quality.assign(team=[self._group_label(t) for t in quality["team"]])
        self.quality.value = flagged + self._table_html(
            quality.astype(object).where(quality.notna(), f"< {results.min_group}"), "admin-quality")


_KEYS = set(CATALOGUE["en"])


def _hidden_label(reason, min_group: int, language: str | None = "en") -> str:
    return text(language, "reason.differencing") if reason == "differencing" else f"< {min_group}"


def _heading(title: str):
    return widgets.HTML(f"<h3>{_escape(title)}</h3>")


def _escape(text: str) -> str:
    import html
    return html.escape(text)
