"""Hostile text is inert everywhere: names, comments, template texts, wave names, action texts and owners
are escaped wherever they become HTML, and printed literally (never as mathtext) in charts.

The corpus is in tests/_hostile.py; a workspace whose departments and teams are named after it (and
whose waves, workspace name, comments and actions are hostile too) is built once for the module."""

from __future__ import annotations

import html
import io
from html.parser import HTMLParser

import ipywidgets as widgets
import matplotlib.pyplot as plt
import pytest
from matplotlib.text import Text

from _hostile import (BAD_MATH, COMMENTS, CORPUS, DEPARTMENTS, IMG, LONE_DOLLAR, LONG, MATH, ORGANISATION, PADDED,
                      RAW_MARKERS, SCRIPT, SMALL, TEAMS, escaped, hostile_template, stored)
from assessment import charts
from assessment.admin import AdminPanel
from assessment.analysis import Results
from assessment.dashboard import Dashboard
from assessment.demo import Plan, build_demo_workspace
from assessment.reports import Report
from assessment.store import ORGANISATION as ORG, Response
from assessment.templates import template_from_data
from assessment.widgets import SurveyForm

# long names do not fit a tight layout, and the charts' font has no rocket: both only warn
pytestmark = [pytest.mark.filterwarnings("ignore:Tight layout not applied:UserWarning"),
              pytest.mark.filterwarnings("ignore:Glyph .* missing from font:UserWarning")]

WAVES = ("w1 <script>alert(1)</script>", "$w^2$ & <b>hostile</b>")
DIFFERENCED = "&amp;"      # the small team's sibling, hidden so that the small team cannot be worked out


@pytest.fixture(scope="module")
def ws(tmp_path_factory):
    workspace = build_demo_workspace(tmp_path_factory.mktemp("hostile") / "ws", seed=3,
                                     plan=Plan(organisation=ORGANISATION, waves=WAVES, comment_rate=0.5))
    workspace.config["name"] = IMG                     # the workspace's own name is shown in headings
    store = workspace.store
    # hostile comments, and actions agreed after the first wave with hostile texts and owners
    store.add_responses(WAVES[1], [Response(team=IMG, answers={"exp_role": 4}, comments={"comment_keep": text})
                                   for text in COMMENTS])
    for group in (IMG, SCRIPT, ORG):
        store.add_action(group, "security", f"{SCRIPT} do {IMG} better $x^2$", wave=WAVES[0], owner=IMG)
    yield workspace
    workspace.close()


@pytest.fixture(scope="module")
def results(ws):
    return Results(ws)


# ------------------------------------------------------------------ charts

def _all_texts(fig) -> list[Text]:
    return [t for t in fig.findobj(Text) if t.get_text()]


def _flat(text: str) -> str:
    return " ".join(text.split())


def _check_literal(fig, names, lines: bool = False):
    """Every name is drawn as written (in a text, or a line's label), no text is read as mathtext, and the
    figure saves to PNG (which lays out every text again)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=40)
    assert buffer.getvalue()[:4] == b"\x89PNG"
    texts = _all_texts(fig)
    for text in texts:
        assert not text.get_parse_math() and not text.get_usetex(), text.get_text()
        assert text._preprocess_math(text.get_text()) == (text.get_text(), False)
    drawn = _flat(" \x00 ".join(t.get_text() for t in texts))
    if lines:
        drawn += " \x00 " + " \x00 ".join(line.get_label() for ax in fig.axes for line in ax.lines)
    for name in names:
        assert _flat(stored(name)) in drawn, f"{name!r} is not drawn as written"
    plt.close(fig)


def _shown(table, wave=None):
    rows = table if wave is None else table[table["wave"] == wave]
    return sorted(set(rows.loc[~rows["suppressed"].astype(bool), "group"]))


def test_the_corpus_names_every_group(results):
    assert set(results.groups("team")) >= {stored(t) for t in TEAMS} | {SMALL}
    assert set(results.groups("department")) == {stored(d) for d in DEPARTMENTS}
    assert stored(PADDED) == "Padded team" and len(stored(LONG)) == 200
    shown = _shown(results.table("team"), WAVES[1])
    assert SMALL not in shown and DIFFERENCED not in shown
    assert set(shown) == {stored(t) for t in TEAMS} - {DIFFERENCED}


@pytest.mark.parametrize("layout", ["lines", "panels", "many"])
def test_trend_prints_names_literally(results, layout):
    table = results.table("team")
    shown = _shown(table)
    if layout == "lines":
        groups = [stored(MATH), stored(LONE_DOLLAR), stored(BAD_MATH), IMG, SMALL]
        fig = charts.trend(table, groups=groups, min_group=5)
        _check_literal(fig, [MATH, LONE_DOLLAR, BAD_MATH, IMG], lines=True)
    elif layout == "panels":
        fig = charts.trend(table, min_group=5)           # a small panel per group
        _check_literal(fig, shown + [SMALL, DIFFERENCED])
    else:
        fig = charts.trend(table, min_group=5, max_lines=2, max_panels=3, reference=results.table("organisation"))
        _check_literal(fig, [SMALL, DIFFERENCED], lines=True)
        labels = {line.get_label() for ax in fig.axes for line in ax.lines}
        assert set(shown) <= labels


def test_pillars_heatmap_and_enps_print_names_literally(results):
    table = results.table("team")
    shown = _shown(table, WAVES[1])
    pillars = [s.id for s in results.template.pillars]
    _check_literal(charts.pillars(table, scales=pillars, min_group=5), shown + [SMALL, DIFFERENCED, WAVES[1]])
    _check_literal(charts.heatmap(table[table["kind"] != "enps"], min_group=5), shown + [SMALL, DIFFERENCED])
    _check_literal(charts.enps(table, min_group=5), shown + [SMALL, DIFFERENCED])
    departments = results.table("department")
    _check_literal(charts.pillars(departments, scales=pillars), DEPARTMENTS)


def test_agreement_prints_item_texts_labels_and_title_literally(results):
    dist = results.item_distribution(WAVES[1], stored(MATH), scale="expectations")
    items = list(dict.fromkeys(dist["item"]))
    texts = dict(zip(items, [BAD_MATH, f"{LONE_DOLLAR} {SCRIPT}", f"{LONG} {MATH}"]))
    dist = dist.assign(text=dist["item"].map(texts))
    fig = charts.agreement(dist, labels=[MATH, LONE_DOLLAR, BAD_MATH, "'", '"'], title=f"{MATH} — {BAD_MATH}")
    _check_literal(fig, [*texts.values(), MATH, LONE_DOLLAR, BAD_MATH, f"{MATH} — {BAD_MATH}"])


def test_change_and_drivers_print_names_literally(results):
    table = results.compare(*WAVES, level="team")
    table = table.assign(title=table["title"].where(table["scale"] != "security", MATH))
    shown = sorted(set(table.dropna(subset=["diff"])["group"]))
    assert stored(BAD_MATH) in shown
    _check_literal(charts.change(table), shown + [MATH, WAVES[0]])
    one = table[table["group"] == stored(BAD_MATH)]
    _check_literal(charts.change(one, title=BAD_MATH), [BAD_MATH, MATH])

    drivers = results.drivers(WAVES[1], group=stored("Team 🚀"))
    assert drivers["r"].notna().any()
    drivers = drivers.assign(pillar_title=drivers["pillar"].map(dict(zip(sorted(set(drivers["pillar"])), CORPUS))),
                             outcome_title=LONE_DOLLAR + " " + BAD_MATH)
    names = list(drivers["pillar_title"].unique())
    _check_literal(charts.drivers(drivers), names + ["Team 🚀", LONE_DOLLAR + " " + BAD_MATH])
    _check_literal(charts.drivers(drivers, title=MATH), [MATH])


def test_literal_texts_stay_literal_after_the_chart_is_returned(results):
    """Texts drawn later (a notebook's inline backend saves the figure outside the chart function) stay literal."""
    fig = charts.enps(results.table("team"))
    assert plt.rcParams["text.parse_math"]                     # the chart functions leave rcParams as they were
    fig.axes[0].set_title(BAD_MATH)                            # an existing text changed afterwards
    _check_literal(fig, [BAD_MATH])


# ------------------------------------------------------------------ dashboard

@pytest.fixture(scope="module")
def dashboard(ws, results):
    return Dashboard(ws, results=results)


def _no_raw(value: str):
    for marker in RAW_MARKERS:
        assert marker not in value, f"{marker!r} is in {value[:300]!r}"


def test_dashboard_header_escapes_the_workspace_name(dashboard):
    header = dashboard.widget.children[0].value
    assert html.escape(IMG) in header
    _no_raw(header)


@pytest.mark.parametrize("group, reason", [(SMALL, "fewer than"), (DIFFERENCED, "cannot be worked out")])
def test_dashboard_messages_escape_hidden_group_and_wave_names(dashboard, group, reason):
    dashboard.wave.value = WAVES[1]
    dashboard.group.value = group
    try:
        message = dashboard.message.value
        assert reason in message and html.escape(group) in message and html.escape(WAVES[1]) in message
        _no_raw(message)
        notes = [dashboard._draw_items(), dashboard._draw_drivers()]     # drivers may come from a larger unit
        assert isinstance(notes[0], str)
        for note in notes:
            if isinstance(note, str):
                assert html.escape(group) in note
                _no_raw(note)
            else:
                _check_literal(note, [])
    finally:
        dashboard.group.value = "(all)"


def test_dashboard_no_previous_wave_note_escapes_the_wave_name(dashboard):
    dashboard.wave.value = WAVES[0]
    try:
        note = dashboard._draw_change()
        assert html.escape(WAVES[0]) in note
        _no_raw(note)
    finally:
        dashboard.wave.value = WAVES[1]


def test_dashboard_dropdowns_hold_names_as_text_and_every_tab_draws(dashboard):
    """Dropdown options are text (ipywidgets sets them with textContent): they hold the names as stored."""
    assert {stored(t) for t in TEAMS} | {SMALL} <= set(dashboard.group.options)
    assert set(WAVES) == set(dashboard.wave.options)
    for group in (IMG, stored(BAD_MATH), stored(LONG)):
        dashboard.group.value = group
        for k, _name in enumerate(dashboard.outputs):
            dashboard.tabs.selected_index = k
        for fig in dashboard.figures.values():
            if isinstance(fig, str):
                _no_raw(fig)
    dashboard.level.value = "department"
    dashboard.group.value = SCRIPT
    dashboard.tabs.selected_index = 0
    dashboard.level.value = "team"
    dashboard.group.value = "(all)"


def test_actions_tab_escapes_action_texts_and_owners(dashboard):
    dashboard.group.value = IMG
    dashboard.tabs.selected_index = list(dashboard.outputs).index("actions")
    table = dashboard.figures["actions"]
    assert html.escape(SCRIPT) in table and html.escape(IMG) in table
    _no_raw(table)
    _no_raw(dashboard.actions_panel.heading.value)
    dashboard.tabs.selected_index = 0
    dashboard.group.value = "(all)"


# ------------------------------------------------------------------ admin panel

def _html_values(widget) -> list[str]:
    found = []
    if isinstance(widget, (widgets.HTML, widgets.HTMLMath)):
        found.append(widget.value)
    for child in getattr(widget, "children", ()):
        found += _html_values(child)
    return found


def test_admin_panel_escapes_names_in_tables_headings_and_messages(ws):
    panel = AdminPanel(ws)
    values = _html_values(panel.widget)
    _no_raw("".join(values))
    joined = "".join(values)
    assert html.escape(IMG) in joined                                     # heading, rates table
    assert html.escape(WAVES[0]) in panel.waves_table.value
    assert html.escape(html.escape(IMG)) not in joined                      # escaped once, not twice
    assert escaped(LONG) in panel.rates.value, panel.rates.value
    assert html.escape(SMALL, quote=False) in panel.rates.value
    panel.team.value = IMG
    panel.headcount.value = 25
    panel.headcount_button.click()
    assert html.escape(IMG) in panel.message.value and "ok" in panel.message.value
    _no_raw(panel.message.value)
    panel.new_wave.value = WAVES[0]                                       # exists: an error naming it
    panel.open_button.click()
    assert "error" in panel.message.value and html.escape(WAVES[0]) in panel.message.value
    _no_raw(panel.message.value)
    assert not [w for w in panel.widget.children if isinstance(w, widgets.HTMLMath)]


# ------------------------------------------------------------------ reports

class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def _parsed(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    parser.close()
    return parser


def _check_report(page: str, names):
    assert "<script" not in page and "<img src=x" not in page and "<b>hostile" not in page
    parsed = _parsed(page)
    assert not [t for t, _ in parsed.tags if t in ("script", "iframe", "object", "embed", "svg")]
    for tag, attrs in parsed.tags:
        assert not any(k.startswith("on") for k in attrs), (tag, attrs)
        if tag == "img":       # only the kit's own charts, named by their section's heading (escaped)
            assert attrs.get("alt") and attrs["src"].startswith("data:image/png;base64,")
            assert set(attrs) == {"alt", "src", "style"}, attrs
    text = _flat("".join(parsed.text))
    for name in names:
        assert _flat(stored(name)) in text, f"{name!r} is not in the report's text"


def test_team_report_escapes_names_waves_comments_and_actions(ws, results):
    page = Report(ws, wave=WAVES[1], group=IMG, results=results).html()
    assert page.count("<title>") == 1 and html.escape(IMG) in page.split("</title>")[0]
    _check_report(page, [IMG, WAVES[0], WAVES[1], *[c for c in COMMENTS if c.strip()],
                         f"{SCRIPT} do {IMG} better $x^2$"])


@pytest.mark.parametrize("group, level", [(SCRIPT, "department"), (ORG, "team"), (stored(BAD_MATH), "team"),
                                          (stored(LONG), "team")])
def test_other_reports_escape_names(ws, results, group, level):
    page = Report(ws, wave=WAVES[1], group=group, level=level, results=results).html()
    _check_report(page, [group if group != ORG else "Organisation", WAVES[1]])


# ------------------------------------------------------------------ survey form

@pytest.fixture(scope="module")
def hostile_form(ws):
    ws.store.open_wave("hostile-template", template_from_data(hostile_template()))
    return SurveyForm(ws.store, "hostile-template")


def test_survey_form_escapes_template_texts_and_team_names(hostile_form):
    form = hostile_form
    values = _html_values(form.widget)
    _no_raw("".join(values))
    template = form.template
    for item in template.items:
        assert html.escape(item.text["en"]) in form._item_labels[item.id].value
    for scale in template.scales:
        assert html.escape(scale.title["en"]) in form._scale_titles[scale.id].value
    for comment in template.comments:
        assert form._comment_labels[comment.id].value == html.escape(comment.text["en"])
    # options are text (Dropdown and ToggleButtons escape them in the browser): names as stored
    teams = [value for _label, value in form.team.options]
    assert {stored(t) for t in TEAMS} | {SMALL} <= set(teams)
    labels = [label for label, _ in form.item_widgets[template.items[0].id].options]
    assert labels[:5] == list(template.items[0].response_scale.labels["en"])


def test_no_widget_of_the_form_interprets_latex(hostile_form):
    def walk(widget):
        yield widget
        for child in getattr(widget, "children", ()):
            yield from walk(child)
    assert not [w for w in walk(hostile_form.widget) if isinstance(w, widgets.HTMLMath)]


def test_survey_form_messages_escape_item_texts_and_problems(hostile_form):
    form = hostile_form
    form.clear()
    form.fill(team=IMG)
    assert form.submit() is None                          # items missing: listed by their (hostile) texts
    message = form.message.value
    assert html.escape(form.template.items[0].text["en"][:20]) in message
    _no_raw(message)
    answers = {item.id: item.response_scale.values[0] for item in form.template.items}
    comment = form.template.comments[0].id
    form.fill(team=IMG, answers=answers, comments={comment: SCRIPT + "x" * 6000})
    assert form.submit() is None
    assert "at most 5000 characters" in form.message.value and "6,025" in form.message.value
    _no_raw(form.message.value)
    form.fill(comments={comment: f"{SCRIPT} {IMG}"})
    assert form.submit() is not None
    assert "success" in form.message._dom_classes
