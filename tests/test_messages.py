"""One message catalogue per language: every key in every language, and the Swedish surfaces (dashboard,
admin panel, action panel, served form, CLI tables) show no English word of the English catalogue."""

from __future__ import annotations

import re
import string
import warnings

import ipywidgets as widgets
import pytest
from bs4 import BeautifulSoup

from assessment.actionpanel import ActionsPanel
from assessment.admin import AdminPanel
from assessment.cli import main
from assessment.dashboard import TABS, Dashboard
from assessment.demo import build_demo_workspace
from assessment.messages import CATALOGUE, LANGUAGES, text
from assessment.responding import UI_TEXT, ui_text

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
NOT_WORDS = {"eNPS", "YAML", "CSV", "XLSX"}          # names, the same in every language
# what a person types, the same in every language: options, commands, column names of files, file names
CODE = re.compile(r"--[\w-]+(?: [A-ZÅÄÖ]+)?|`[^`]*`|\bassessment [a-z]+ [A-Z]+|\((?:columns|kolumnerna) [^)]*\)"
                  r"|\b[\w./-]+\.(?:csv|xlsx|yaml)\b")


def placeholders(message: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}


def words(text_: str) -> set[str]:
    return {w.casefold() for w in WORD.findall(text_)}


def english_words() -> set[str]:
    """Words of the English catalogue that Swedish does not also use (names, "Status", "Team", ...)."""
    def plain(message):
        return CODE.sub(" ", re.sub(r"\{[^}]*\}", " ", message))
    english = set().union(*(words(plain(m)) for m in CATALOGUE["en"].values()))
    swedish = set().union(*(words(plain(m)) for language in LANGUAGES if language != "en"
                            for m in CATALOGUE[language].values()))
    return {w for w in english - swedish - {n.casefold() for n in NOT_WORDS} if len(w) > 2}


# ---------------------------------------------------------------- the catalogue itself

def test_every_key_exists_in_every_language_with_the_same_placeholders():
    assert LANGUAGES[0] == "en" and "sv" in LANGUAGES
    for language in LANGUAGES:
        assert set(CATALOGUE[language]) == set(CATALOGUE["en"]), language
        for key, message in CATALOGUE[language].items():
            assert message.strip(), (language, key)
            assert placeholders(message) == placeholders(CATALOGUE["en"][key]), (language, key)


def test_text_falls_back_to_english_and_fills_values():
    assert text("sv", "dashboard.no_previous", wave="w1") == "w1 är den första mätningen: det finns inget att jämföra med."
    assert text("fi", "actions.removed", id=3) == "Action 3 removed."          # no Finnish catalogue: English
    assert text(None, "admin.tab.survey") == "Survey"
    with pytest.raises(KeyError):
        text("sv", "no.such.key")


def test_the_forms_texts_come_from_the_catalogue():
    assert UI_TEXT["sv"]["submit"] == CATALOGUE["sv"]["form.submit"] == ui_text("sv", "submit")
    assert set(UI_TEXT) == set(LANGUAGES)
    assert ui_text("sv", "progress", done=1, total=2) == "1 av 2 frågor besvarade eller överhoppade"


# ---------------------------------------------------------------- the Swedish surfaces

@pytest.fixture(scope="module")
def swedish(tmp_path_factory):
    ws = build_demo_workspace(tmp_path_factory.mktemp("sv") / "demo", seed=7, language="sv", respondents=200)
    ws.store.add_action("Mobile", "engagement", "Månatliga samtal med chefen", wave=ws.store.wave_names()[-1],
                        owner="Kim")
    yield ws
    ws.close()


def client_texts(ws) -> list[str]:
    """The client's own texts (names of teams, departments, waves and the workspace; the template's titles,
    questions and answer labels), which the test does not judge."""
    store = ws.store
    own = [str(ws.name), *store.team_names(), *[p for p in store.teams()["parent"].dropna()], *store.wave_names()]
    for wave in store.wave_names():
        template = store.wave_template(wave)
        own += _strings(template.title) + _strings(getattr(template, "description", None))
        for ident in [i.id for i in template.indices] + [s.id for s in template.scales]:
            own += [template.title_of(ident, lang) for lang in template.languages] + [ident]
        for item in template.items:
            own += _strings(item.text) + [item.id]
            own += [label for labels in item.response_scale.labels.values() for label in labels]
        for comment in template.comments:
            own += _strings(comment.text) + [comment.id]
    return sorted({o for o in own if o}, key=len, reverse=True)


def _strings(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, dict):
        return [str(v) for v in value.values()]
    return [str(value)]


def english_in(texts, ws) -> set[str]:
    """The English catalogue's words left in `texts` once the client's own texts are taken out."""
    shown = CODE.sub(" ", "\n".join(texts))
    for own in client_texts(ws):
        shown = shown.replace(own, " ")
    return words(shown) & english_words()


def visible(widget) -> list[str]:
    """Every text a widget tree shows: descriptions, placeholders, tooltips, labels of choices, tab titles,
    and the text of its HTML."""
    found = []
    for name in ("description", "placeholder", "tooltip"):
        value = getattr(widget, name, None)
        if isinstance(value, str):
            found.append(value)
    if isinstance(widget, (widgets.HTML, widgets.Label)):
        found.append(BeautifulSoup(widget.value or "", "html.parser").get_text(" "))
    if hasattr(widget, "_options_labels"):
        found += list(widget._options_labels)
    if isinstance(widget, widgets.Tab):
        found += [t for t in widget.titles if t]
    for child in getattr(widget, "children", ()) or ():
        found += visible(child)
    return found


def test_the_english_word_list_is_a_real_one():
    english = english_words()
    assert {"wave", "respondents", "hidden", "actions", "headcount"} <= english
    assert not {"team", "status", "enps"} & english


def test_swedish_dashboard_shows_no_english_word(swedish):
    dashboard = Dashboard(swedish)
    assert dashboard.language == "sv"
    shown = visible(dashboard.widget)
    for k, name in enumerate(TABS):                      # every tab, with a hidden team chosen too
        dashboard.tabs.selected_index = k
        figure = dashboard.figures.get(name)
        if isinstance(figure, str):
            shown.append(BeautifulSoup(figure, "html.parser").get_text(" "))
        shown += visible(dashboard.widget)
    for hidden in ("Legal", "People & Culture"):         # too few respondents; hidden against differencing
        dashboard.group.value = hidden
        shown += visible(dashboard.widget)
    assert "färre än" in " ".join(shown)
    assert "(alla)" in shown and "Arbetsmiljöpanel" in " ".join(shown)
    assert english_in(shown, swedish) == set()


def test_swedish_admin_and_action_panels_show_no_english_word(swedish):
    panel = AdminPanel(swedish)
    panel.new_wave.value = ""
    panel.open_button.click()                            # a mistake: the message is Swedish too
    shown = visible(panel.widget)
    assert "skriv först namnet" in " ".join(shown) and "Svarsfrekvens" in " ".join(shown)
    actions = ActionsPanel(swedish, group="Mobile", language="sv")
    shown += visible(actions.widget)
    assert "Åtgärder för Mobile" in " ".join(shown) and "planerad" in " ".join(shown)
    assert english_in(shown, swedish) == set()


def test_swedish_served_form_shows_no_english_word(swedish):
    from assessment import app as web
    wave = swedish.store.wave_names()[-1]
    shown = []
    with TestClient(web.create_app(swedish.path, wave), base_url="http://127.0.0.1:8866") as client:
        for path in ("/", "/?lang=sv", "/no-such-page"):
            page = client.get(path)
            soup = BeautifulSoup(page.text, "html.parser")
            for tag in soup(["script", "style"]):
                tag.decompose()
            shown.append(soup.get_text(" "))
            shown += [tag.get(a) for tag in soup.find_all(True) for a in ("placeholder", "aria-label", "title")
                      if tag.get(a)]
    shown = [s for s in shown if s]
    assert "Skicka" in " ".join(shown) or "stängd" in " ".join(shown)
    # the language switch names each language in that language ("English"): a name, not an English word
    assert english_in([s.replace("English", " ") for s in shown], swedish) == set()


def test_swedish_cli_tables_show_no_english_word(swedish, capsys):
    shown = []
    for command, *rest in (["score"], ["score", "--by", "department"], ["quality"], ["reliability"], ["teams"],
                           ["actions", "list"]):
        assert main([command, str(swedish.path), *rest]) == 0
        shown.append(capsys.readouterr().out)
    joined = "\n".join(shown)
    assert "Avdelning" in joined and "Anmärkning" in joined and "Alfa" in joined and "planerad" in joined
    assert re.search(r"\d,\d", joined)                   # Swedish decimal comma
    assert english_in(shown, swedish) == set()


def page_texts(html_text: str) -> list[str]:
    """What a reader of an HTML page sees: its text and the alternative texts and titles of its elements."""
    soup = BeautifulSoup(html_text, "html.parser")
    for tag in soup(["script", "style"]):
        tag.decompose()
    return [soup.get_text(" ")] + [tag.get(a) for tag in soup.find_all(True) for a in ("alt", "title", "aria-label")
                                   if tag.get(a)]


def test_swedish_department_report_in_html_and_pdf_shows_no_english_word(swedish, tmp_path, pdf_available):
    from pypdf import PdfReader

    from assessment.reports import write_reports
    [page] = write_reports(swedish, groups=["Customer Service"], by="department", language="sv", out=tmp_path,
                           pdf=True)
    shown = page_texts(page.read_text(encoding="utf-8"))
    joined = " ".join(shown)
    assert "Team i Customer Service" in joined                       # a department's breakdown
    assert re.search(r"\d,\d", joined) and "Benjamini–Hochberg" in joined
    assert english_in(shown, swedish) == set()
    pdf = " ".join(p.extract_text() for p in PdfReader(page.with_suffix(".pdf")).pages)
    pdf = pdf.replace("--\n", "--")                     # a command broken over two lines is still a command
    assert "Arbetsmiljörapport" in pdf
    assert english_in([pdf], swedish) == set()


def test_swedish_report_command_says_what_it_skipped_in_swedish(swedish, tmp_path, capsys):
    assert main(["report", str(swedish.path), "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "hoppade över Legal: färre än 5 svarande" in out
    assert english_in([line for line in out.splitlines() if not line.startswith("wrote ")], swedish) == set()


def test_swedish_exports_label_their_cells_in_swedish(swedish, tmp_path):
    """Column names, levels, kinds, action statuses and true/false are for programs; every other cell a person reads."""
    import pandas as pd

    from assessment.exporting import export_all
    shown = []
    for path in export_all(swedish, out=tmp_path):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        for column in table.columns.difference(["level", "kind", "status", "suppressed"]):
            shown += [v for v in table[column] if v]
    joined = "\n".join(shown)
    assert "(team som inte visas separat)" in joined and "för få svarande" in joined
    assert english_in(shown, swedish) == set()


def test_swedish_report_charts_show_no_english_word(swedish, monkeypatch):
    """Every text drawn in the charts of a team's and a department's report: titles, axes, ticks, legends."""
    from matplotlib.text import Text

    from assessment.reports import Report
    drawn = []
    keep = Report._figure

    def collect(self, fig, alt):
        drawn.extend(t.get_text() for t in fig.findobj(Text) if t.get_text())
        return keep(self, fig, alt)
    monkeypatch.setattr(Report, "_figure", collect)
    Report(swedish, group="Mobile", language="sv").html()
    Report(swedish, group="Customer Service", level="department", language="sv").html()
    joined = " ".join(drawn)
    assert "Poäng (0–100)" in joined and "Hela organisationen" in joined
    assert english_in(drawn, swedish) == set()
