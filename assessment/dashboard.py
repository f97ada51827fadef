"""The leaders' dashboard: choose a department or team, waves and scales; the charts redraw in place.

All figures come from `analysis.Results`, whose tables already hide small groups (and groups that
would let someone subtract their way to a small one), so no filter combination can show them.
Only the visible tab is drawn on a change; the others are drawn when opened. The Actions tab records
the actions the chosen group agreed (`actionpanel.ActionsPanel`, which shows no scores), and the trend
marks each action at the wave it was agreed.
"""

from __future__ import annotations

import html
import time

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import display

from . import charts
from .actionpanel import ActionsPanel
from .analysis import Results
from .exceptions import UnknownNameError
from .messages import LANGUAGES, section
from .statistics import ORGANISATION

ALL = "(all)"
TABS = ("trend", "pillars", "heatmap", "items", "change", "drivers", "enps", "actions")
_UI = {language: section(language, "dashboard.") for language in LANGUAGES}
"""The dashboard's texts per language (from `assessment.messages`, keys without "dashboard.")."""


class Dashboard:
    """Widgets over a workspace's results. Display `dashboard.widget`.

    For tests and notebooks: `level`, `group`, `waves`, `scales`, `wave`, `item_scale`, `tabs` are the
    controls; `figures[name]` is the last Figure drawn for a tab (for the Actions tab: its table's
    HTML); `message` shows what is hidden; `actions_panel` is the Actions tab's panel once opened."""

    def __init__(self, workspace, language: str | None = None, results: Results | None = None,
                 scope: str | None = None):
        self.results = results or Results(workspace, language=language)
        self.scope, self.subtree = self._scoped(scope)
        self.language = language or self.results.language
        ui = _UI.get(self.language, _UI["en"])
        self.ui = ui
        self.all = ui["all"]          # the "every group" choice in the language (English: `ALL`)
        r = self.results
        scale_choices = [(r.title(i.id), i.id) for i in r.template.indices]
        scale_choices += [(r.title(s.id), s.id) for s in r.template.scales if s.role != "enps"]
        default_scales = [s for s in ("security", "engagement") if s in dict((v, k) for k, v in scale_choices)]
        self.level = widgets.ToggleButtons(options=[(ui["department"], "department"), (ui["team"], "team")],
                                           value="team", description=ui["level"])
        self.group = widgets.Dropdown(description=ui["group"])
        self.waves = widgets.SelectMultiple(options=r.waves, value=tuple(r.waves), description=ui["waves"], rows=4)
        self.scales = widgets.SelectMultiple(options=scale_choices, value=tuple(default_scales or [scale_choices[0][1]]),
                                             description=ui["scales"], rows=5)
        self.wave = widgets.Dropdown(options=r.waves, value=r.latest_wave(), description=ui["wave"])
        pillar_choices = [(r.title(s.id), s.id) for s in r.template.scales if s.role != "enps"]
        self.item_scale = widgets.Dropdown(options=pillar_choices, value=pillar_choices[0][1],
                                           description=ui["item_scale"])
        for name in ("level", "group", "waves", "scales", "wave", "item_scale"):
            getattr(self, name).add_class(f"dashboard-{name.replace('_', '-')}")
        self.message = widgets.HTML()
        self.message.add_class("dashboard-message")
        self.outputs = {name: widgets.Output() for name in TABS if name != "actions"}
        for name, out in self.outputs.items():
            out.add_class(f"chart-{name}")
        self.outputs["actions"] = widgets.VBox()          # the panel is a live widget, built when first opened
        self.outputs["actions"].add_class("dashboard-actions")
        self.actions_panel: ActionsPanel | None = None
        self._actions = None                               # the store's actions, read when the trend is drawn
        self.tabs = widgets.Tab(children=[self.outputs[n] for n in TABS])
        for k, name in enumerate(TABS):
            self.tabs.set_title(k, ui[name])
        self.figures: dict = {}
        self.redraws = 0
        self.last_redraw_seconds = 0.0
        self._stale = set(TABS)
        self._fill_groups()
        for control in (self.group, self.waves, self.scales, self.wave, self.item_scale):
            control.observe(self._changed, names="value")
        self.level.observe(self._level_changed, names="value")
        self.tabs.observe(self._tab_changed, names="selected_index")
        header = widgets.HTML(f"<h2 style='margin:0.2em 0'>{html.escape(ui['title'])} — {html.escape(str(r.workspace.name))}</h2>")
        self.refresh_button = widgets.Button(description=ui["refresh"], icon="refresh", tooltip=ui["refresh_tip"])
        self.refresh_button.add_class("dashboard-refresh")
        self.refresh_button.on_click(lambda _: self.refresh())
        controls = widgets.HBox([widgets.VBox([self.level, self.group, self.wave, self.item_scale]),
                                 widgets.VBox([self.waves, self.scales]), self.refresh_button])
        self.widget = widgets.VBox([header, controls, self.message, self.tabs])
        self.widget.add_class("assessment-dashboard")
        self.redraw()

    def refresh(self):
        """Read the store again: answers submitted or imported since, a closed wave, new teams. The waves'
        stored aggregate tables make this quick; only a wave that changed is computed again."""
        self.results = Results(self.results.workspace, language=self.language)
        self.scope, self.subtree = self._scoped(self.scope)
        self._actions = None
        waves = self.results.waves
        with self.waves.hold_trait_notifications(), self.wave.hold_trait_notifications():
            chosen = [w for w in self.waves.value if w in waves]
            self.waves.options = waves
            self.waves.value = tuple(chosen or waves)
            current = self.wave.value
            self.wave.options = waves
            self.wave.value = current if current in waves else self.results.latest_wave()
        with self.group.hold_trait_notifications():
            self._fill_groups()
        self._changed()

    # ------------------------------------------------------------ scope
    def _scoped(self, scope: str | None) -> tuple[str | None, set | None]:
        """The department a scoped view shows (with every unit below it), and that subtree's names."""
        if scope is None:
            return None, None
        from ._names import did_you_mean
        from .access import departments_of
        known = departments_of(self.results._hierarchy)
        if scope not in known:
            raise UnknownNameError(f"no department named {scope!r}{did_you_mean(scope, known)}")
        return scope, {scope, *self.results.teams_in(scope)}

    def _in_scope(self, table):
        """Only the rows of the scope's subtree (and the organisation's, the reference): a scoped view filters
        the protected tables, it never computes anything of its own, so it shows a subset of HR's figures."""
        if self.subtree is None:
            return table
        return table[table["group"].isin(self.subtree) | (table["group"] == ORGANISATION)]

    def focus_group(self) -> str:
        """The one group of single-group views (items, drivers, actions): the chosen group; with "(all)"
        the scope's department, or the organisation."""
        return self.selected_group() or self.scope or ORGANISATION

    # ------------------------------------------------------------ state
    def _fill_groups(self):
        groups = self.results.groups(self.level.value)
        if self.subtree is not None:
            groups = [g for g in groups if g in self.subtree]
        current = self.group.value
        self.group.options = [self.all, *groups]
        self.group.value = current if current in self.group.options else self.all

    def _level_changed(self, change):
        with self.group.hold_trait_notifications():
            self._fill_groups()
        self._changed(change)

    def _changed(self, change=None):
        self._stale = set(TABS)
        self.redraw()

    def _tab_changed(self, change):
        if self.current_tab in self._stale:
            self.redraw()

    @property
    def current_tab(self) -> str:
        return TABS[self.tabs.selected_index or 0]

    def selected_group(self) -> str | None:
        return None if self.group.value == self.all else self.group.value

    def teams_shown(self) -> list[str] | None:
        """Teams for per-team charts: those of the chosen department, the chosen team, or all (in a scoped
        view: all of the scope's units)."""
        group = self.selected_group()
        if group is None:
            return None if self.scope is None else [self.scope, *self.results.teams_in(self.scope)]
        if self.level.value == "department":
            return self.results.teams_in(group)
        return [group]

    # ------------------------------------------------------------ drawing
    def redraw(self):
        """Draw the visible tab from the cached tables (the others are drawn when opened)."""
        started = time.perf_counter()
        name = self.current_tab
        self._update_message()
        fig = getattr(self, f"_draw_{name}")()
        self.figures[name] = fig
        if name == "actions":
            self._stale.discard(name)
            self.redraws += 1
            self.last_redraw_seconds = time.perf_counter() - started
            return
        out = self.outputs[name]
        out.clear_output(wait=True)
        with out:
            if isinstance(fig, str):
                display(widgets.HTML(fig))
            else:
                display(fig)
        if not isinstance(fig, str):
            plt.close(fig)
        self._stale.discard(name)
        self.redraws += 1
        self.last_redraw_seconds = time.perf_counter() - started

    def _update_message(self):
        group = self.selected_group() or self.scope
        wave = self.wave.value
        reason = self.results.hidden_reason(wave, group) if group is not None else None
        if reason is not None:
            text = self.ui["differenced" if reason == "differencing" else "hidden"]
            self.message.value = (f"<div class='suppressed-note'><b>{html.escape(text.format(group=group, n=self.results.min_group, wave=wave))}"
                                  "</b></div>")
        else:
            self.message.value = ""

    def _table(self, level):
        table = self._in_scope(self.results.table(level, language=self.language))
        return table[table["wave"].isin(self.waves.value or self.results.waves)]

    def _draw_trend(self):
        level = self.level.value
        table = self._table(level)
        group = self.selected_group()
        groups = [group] if group else None
        # with many groups the trend draws each as a thin line around the organisation's (bold, with its band)
        reference = None if group else self._table("organisation")
        if self._actions is None:
            self._actions = self.results.workspace.store.actions()
        actions = self._actions
        if self.scope is not None:
            # a scoped view draws the organisation as one more line, for reference, and only its own actions
            table = pd.concat([table, reference if reference is not None else self._table("organisation")])
            groups = None if group is None else [group, ORGANISATION]
            reference = None
            actions = actions[actions["group"].isin(self.subtree)]
        return charts.trend(table, scales=tuple(self.scales.value), groups=groups, language=self.language,
                            min_group=self.results.min_group, reference=reference, actions=actions)

    def _per_team(self):
        table = self._in_scope(self.results.table("team", language=self.language))
        teams = self.teams_shown()
        return table if teams is None else table[table["group"].isin(teams)]

    def _draw_pillars(self):
        return charts.pillars(self._per_team(), wave=self.wave.value,
                              scales=[s.id for s in self.results.template.pillars], language=self.language,
                              min_group=self.results.min_group)

    def _draw_heatmap(self):
        table = self._per_team()
        table = table[table["kind"] != "enps"]
        return charts.heatmap(table, wave=self.wave.value, language=self.language, min_group=self.results.min_group)

    def _draw_items(self):
        group = self.focus_group()
        dist = self.results.item_distribution(self.wave.value, group, scale=self.item_scale.value,
                                              language=self.language)
        if dist.empty:
            return f"<p class='suppressed-note'>{html.escape(self.ui['hidden'].format(group=group, n=self.results.min_group, wave=self.wave.value))}</p>"
        rs = self.results.template.scale(self.item_scale.value).response_scale
        return charts.agreement(dist, language=self.language, labels=rs.labels.get(self.language),
                                title=f"{group} — {self.results.title(self.item_scale.value, self.language)}")

    def _draw_change(self):
        wave = self.wave.value
        previous = self.results.previous_wave(wave)
        if previous is None:
            return f"<p>{html.escape(self.ui['no_previous'].format(wave=wave))}</p>"
        table = self._in_scope(self.results.compare(previous, wave, level=self.level.value, language=self.language))
        group = self.selected_group()
        table = table[table["scale"].isin(self.scales.value)]
        if group:
            table = table[table["group"] == group]
        return charts.change(table, language=self.language)

    def _draw_drivers(self):
        group = self.focus_group()
        table = self.results.drivers(self.wave.value, group=group, language=self.language)
        if table["r"].isna().all():
            return f"<p class='suppressed-note'>{html.escape(self.ui['hidden'].format(group=group, n=self.results.min_group, wave=self.wave.value))}</p>"
        return charts.drivers(table, language=self.language)

    def _draw_enps(self):
        table = self._table(self.level.value)
        group = self.selected_group()
        if group and self.level.value == "team":
            table = table[table["group"] == group]
        return charts.enps(table, wave=self.wave.value, language=self.language, min_group=self.results.min_group)


    def _draw_actions(self):
        """The Actions tab: the panel for the chosen group ("(all)": the scope's department, or the
        organisation); its table as HTML."""
        group = self.focus_group()
        if self.actions_panel is None:
            self.actions_panel = ActionsPanel(self.results.workspace, group=group, language=self.language)
            self.actions_panel.on_change(self._actions_changed)
            self.outputs["actions"].children = [self.actions_panel.widget]
        else:
            self.actions_panel.set_group(group)
        return self.actions_panel.table.value

    def _actions_changed(self, panel=None):
        """An action was added, changed or removed: the trend reads them again when next drawn."""
        self._actions = None
        self._stale.add("trend")
        self.figures["actions"] = self.actions_panel.table.value


def dashboard(workspace, language: str | None = None, scope: str | None = None) -> Dashboard:
    """Build the dashboard for a workspace folder (what the notebook calls); `scope`: a department, whose
    subtree is all the dashboard shows (None: everything)."""
    return Dashboard(workspace, language=language, scope=scope)
