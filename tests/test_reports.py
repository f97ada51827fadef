"""Reports: one self-contained HTML file per group, with no hidden group's figures."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from html.parser import HTMLParser

import nbformat
import pytest

from assessment.exceptions import AssessmentError
from assessment.reports import REPORT_NOTEBOOK, Report, skipped_groups, write_reports
from assessment.demo import DEMO_WAVES, SMALL_TEAM

SECTIONS = ["report-header", "report-summary", "report-trend", "report-pillars", "report-risks", "report-actions",
            "report-items", "report-comments", "report-guide", "report-our-actions"]


@pytest.fixture(scope="module")
def reports(demo_workspace, tmp_path_factory):
    out = tmp_path_factory.mktemp("reports")
    return write_reports(demo_workspace, groups=["Mobile", "Customer Service"], by="department"
                         if False else "team", out=out) if False else \
        write_reports(demo_workspace, groups=["Mobile"], language="sv", out=out) + \
        write_reports(demo_workspace, groups=["Customer Service"], by="department", out=out)


def test_report_has_every_section(reports):
    for path in reports:
        text = path.read_text()
        for section in SECTIONS:
            assert f"class='{section}'" in text, (path.name, section)


def test_report_is_self_contained_and_shows_no_code(reports):
    text = reports[0].read_text()
    assert not re.search(r"(src|href)=['\"]https?://", text)
    assert "data:image/png;base64," in text
    assert "from assessment" not in text and "Report(" not in text


def test_report_is_in_the_chosen_language(reports):
    swedish = reports[0].read_text()
    assert "Samtalsguide" in swedish and "Flaggade risker" in swedish


def test_declining_team_report_flags_a_falling_scale(demo_workspace):
    # the demo's declining team falls clearly (beyond false-discovery control) from the first wave to the second
    page = Report(demo_workspace, wave=DEMO_WAVES[1], group="Mobile", language="sv").html()
    assert "signifikant nedgång" in page


def test_department_report_shows_comments_but_never_a_hidden_team(reports):
    text = reports[1].read_text()
    assert "class='report-comments'" in text and "<ul class='comments'>" in text
    assert SMALL_TEAM not in text


def test_no_report_for_a_suppressed_team(demo_workspace, tmp_path):
    with pytest.raises(AssessmentError, match="too few respondents"):
        write_reports(demo_workspace, groups=[SMALL_TEAM], out=tmp_path)
    assert not list(tmp_path.iterdir())


def test_default_reports_cover_only_shown_teams(demo_workspace):
    from assessment.analysis import Results
    from assessment.reports import report_groups
    results = Results(demo_workspace)
    groups = report_groups(results, results.latest_wave(), "team")
    assert SMALL_TEAM not in groups and "Mobile" in groups


def test_report_html_in_process_matches_the_sections(demo_workspace):
    html = Report(demo_workspace, group="Platform").html()
    assert all(f"class='{s}'" in html for s in SECTIONS)


# ---------------------------------------------------------------- the batch is the notebook's report

class _VisibleText(HTMLParser):
    """The text a reader sees: no <title>, <style> or <script>, whitespace collapsed."""

    def __init__(self):
        super().__init__()
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        self._skip += tag in ("title", "style", "script")

    def handle_endtag(self, tag):
        self._skip -= tag in ("title", "style", "script")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(page: str) -> str:
    parser = _VisibleText()
    parser.feed(page)
    return " ".join(" ".join(parser.parts).split())


def notebook_report(workspace, tmp_path, group, level, language) -> str:
    """The report as report.ipynb shows it: run with papermill (in its own process, as test_notebooks does),
    its HTML outputs in order."""
    executed = tmp_path / "report.ipynb"
    done = subprocess.run([sys.executable, "-m", "papermill", str(REPORT_NOTEBOOK), str(executed), "--no-progress-bar",
                           "-p", "workspace", str(workspace.path), "-p", "group", group, "-p", "level", level,
                           "-p", "language", language, "--execution-timeout", "300", "--cwd", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    outputs = [o for cell in nbformat.read(executed, as_version=4).cells for o in cell.get("outputs", [])]
    return "".join(o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {}))


@pytest.mark.slow
@pytest.mark.parametrize("group, level, language", [("Mobile", "team", "sv"), ("Customer Service", "department", "en")])
def test_batch_report_shows_the_same_text_as_the_report_notebook(demo_workspace, tmp_path, group, level, language):
    [path] = write_reports(demo_workspace, groups=[group], by=level, language=language, out=tmp_path / "batch")
    batch = path.read_text(encoding="utf-8")
    notebook = notebook_report(demo_workspace, tmp_path, group, level, language)
    assert sections_text(notebook) and sections_text(batch) == sections_text(notebook)
    assert batch.count("<img") == notebook.count("<img")


def sections_text(page: str) -> dict:
    """{section: visible text}; comments are shown in a fresh random order each time, so as a sorted list."""
    found = dict(re.findall(r"<section class='report-([\w-]+)'>(.*?)</section>", page, re.S))
    texts = {name: visible_text(body) for name, body in found.items()}
    if "comments" in found:
        texts["comments"] = sorted(visible_text(li) for li in re.findall(r"<li>(.*?)</li>", found["comments"], re.S))
    return texts


def test_default_batch_names_each_skipped_group_with_its_reason(demo_workspace):
    from assessment.analysis import Results
    results = Results(demo_workspace)
    skipped = dict(skipped_groups(results, results.latest_wave(), "team"))
    assert "fewer than 5 respondents" in skipped.pop(SMALL_TEAM)
    assert "so that a smaller group cannot be worked out" in skipped.pop("People & Culture")
    assert not skipped


def test_items_section_is_text_not_an_image(demo_workspace):
    page = Report(demo_workspace, group="Platform").html()
    items = re.search(r"<section class='report-items'>(.*?)</section>", page, re.S).group(1)
    assert "<img" not in items and items.count("<div class='agreement'") == 4
    assert "My role and my responsibilities are clear to me." in visible_text(items)


# ---------------------------------------------------------------- PDF

PDFS = [("Mobile", "team", "en", "Mobile"), ("Customer Service", "department", "sv", "Customer Service")]


@pytest.fixture(scope="module")
def pdfs(demo_workspace, tmp_path_factory, pdf_available):
    """{group: (pypdf reader, the HTML page)} for a demo team report in English and a department's in Swedish."""
    import pypdf
    out = tmp_path_factory.mktemp("pdf")
    found = {}
    for group, level, language, _ in PDFS:
        [path] = write_reports(demo_workspace, groups=[group], by=level, language=language, out=out, pdf=True)
        found[group] = (pypdf.PdfReader(path.with_suffix(".pdf")), path.read_text(encoding="utf-8"))
    return found


def page_texts(reader) -> list[str]:
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.mark.parametrize("group", [p[0] for p in PDFS])
def test_pdf_is_written_beside_the_html_on_a4(pdfs, group):
    reader, _ = pdfs[group]
    for page in reader.pages:
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)


@pytest.mark.parametrize("group", [p[0] for p in PDFS])
def test_pdf_names_the_group_and_wave_on_every_page(pdfs, group, demo_workspace):
    reader, _ = pdfs[group]
    for number, text in enumerate(page_texts(reader), 1):
        assert f"{group} · {demo_workspace.wave()}" in text, number


@pytest.mark.parametrize("group", [p[0] for p in PDFS])
def test_pdf_numbers_every_page_as_page_of_pages(pdfs, group):
    reader, _ = pdfs[group]
    texts = page_texts(reader)
    for number, text in enumerate(texts, 1):
        assert re.search(rf"(?<!\d){number} / {len(texts)}(?!\d)", text), number


@pytest.mark.parametrize("group", [p[0] for p in PDFS])
def test_pdf_has_a_plausible_number_of_pages(pdfs, group):
    reader, _ = pdfs[group]
    assert 3 <= len(reader.pages) <= 10


@pytest.mark.parametrize("group", [p[0] for p in PDFS])
def test_pdf_has_the_reports_headings_as_selectable_text(pdfs, group):
    reader, page = pdfs[group]
    headings = [" ".join(visible_text(h).split()) for h in re.findall(r"<h[123]>(.*?)</h[123]>", page)]
    assert len(headings) > 10
    text = " ".join(page_texts(reader))
    for heading in headings:
        assert heading in text, heading


def drawn_images(reader) -> list[str]:
    """The names of the images each page draws (its content stream's `Do` operators on image XObjects)."""
    from pypdf.generic import ContentStream
    drawn = []
    for page in reader.pages:
        xobjects = page["/Resources"].get("/XObject")
        xobjects = xobjects.get_object() if xobjects else {}
        drawn += [str(args[0]) for args, op in ContentStream(page.get_contents(), reader).operations
                  if op == b"Do" and xobjects[args[0]].get_object().get("/Subtype") == "/Image"]
    return drawn


@pytest.mark.parametrize("group", [p[0] for p in PDFS])
def test_pdf_draws_every_chart_whole_on_one_page(pdfs, group):
    # a chart split across pages would be drawn on both (clipped): each is drawn exactly once
    reader, page = pdfs[group]
    drawn = drawn_images(reader)
    assert len(drawn) == len(set(drawn)) == page.count("<img") > 0


@pytest.mark.parametrize("group", [p[0] for p in PDFS])
def test_pdf_keeps_each_scales_answer_bars_on_one_page(pdfs, group):
    reader, page = pdfs[group]
    texts = page_texts(reader)
    blocks = re.findall(r"<div class='agreement'.*?</table>", page, re.S)
    assert len(blocks) == 4
    for block in blocks:
        heading = visible_text(re.search(r"<h3>.*?</th>.*?</th>", block, re.S).group(0))   # title, column head
        items = [visible_text(i) for i in re.findall(r"<td class='item'>(.*?)</td>", block)]
        assert [n for n, t in enumerate(texts) if heading in t and items[0] in t and items[-1] in t], heading


@pytest.mark.parametrize("group", [p[0] for p in PDFS])
def test_score_tables_keep_their_header_in_thead_so_a_pdf_repeats_it_on_each_page(pdfs, group):
    _, page = pdfs[group]
    tables = re.findall(r"<table class='(?:scores|our-actions)[^']*'>(.*?)</table>", page, re.S)
    assert len(tables) >= 2
    for table in tables:
        assert re.fullmatch(r"<thead><tr>(?:<th[^>]*>.*?</th>)+</tr></thead><tbody>.*</tbody>", table, re.S), table[:200]


def test_pdf_without_weasyprint_is_a_one_line_error_saying_how_to_install_it(demo_workspace, tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "weasyprint", None)     # `import weasyprint` now fails
    with pytest.raises(AssessmentError) as error:
        write_reports(demo_workspace, groups=["Mobile"], out=tmp_path, pdf=True)
    message = str(error.value)
    assert "\n" not in message and "pip install 'osa-assessment[pdf]'" in message and "libpango" in message
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------- breakdowns, references, explanations, numbers

@pytest.fixture(scope="module")
def results(demo_workspace):
    from assessment.analysis import Results
    return Results(demo_workspace)


def section_of(page: str, name: str) -> str:
    found = re.findall(rf"<section class='report-{name}'>(.*?)</section>", page, re.S)
    assert len(found) == 1, name
    return found[0]


def breakdown_columns(breakdown: str) -> dict:
    """{group: {scale: cell text}} of the breakdown tables (the report's own group's column included)."""
    columns: dict = {}
    for table in re.findall(r"<table class='scores breakdown'>(.*?)</table>", breakdown, re.S):
        head = re.search(r"<tr>(.*?)</tr>", table, re.S).group(1)
        names = [visible_text(h) for h in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)][1:]
        for scale, row in re.findall(r"<tr data-scale='(\w+)'>(.*?)</tr>", table, re.S):
            cells = [visible_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)][1:]
            for name, value in zip(names, cells):
                columns.setdefault(name, {})[scale] = value
    return columns


def scratch_means(results, wave: str, team: str) -> dict:
    """A team's scale means computed here from the scored answers, with no protection at all."""
    scored = results._scored[wave]
    answered = scored.scales[(scored.team == team) & scored.responded]
    return {scale: float(answered[scale].mean()) for scale in answered.columns if answered[scale].notna().any()}


def test_department_report_lists_each_visible_teams_scores_and_hidden_ones_without_figures(demo_workspace, results):
    from assessment._format import number
    wave = results.latest_wave()
    page = Report(demo_workspace, group="Operations", level="department", results=results).html()
    breakdown = section_of(page, "breakdown")
    columns = breakdown_columns(breakdown)
    assert list(columns) == ["Operations", "Finance"]            # the department itself, then its one shown team
    table = results.table("team")
    finance = table[(table["group"] == "Finance") & (table["wave"] == wave)].set_index("scale")
    for scale, row in finance.iterrows():
        expected = number(row["enps"], "en", 0, sign=True) if row["kind"] == "enps" else number(row["mean"], "en")
        assert columns["Finance"][scale] == expected, scale
    hidden = {html.unescape(g): why for g, why in
              re.findall(r"<li data-group='([^']+)'><b>[^<]+</b>: (.*?)</li>", breakdown)}
    assert hidden == {"People & Culture": "hidden: it would let a smaller group's answers be worked out",
                      SMALL_TEAM: "hidden: fewer than 5 respondents"}
    assert "A hidden group shows no figures" in visible_text(breakdown)
    # their true scores appear nowhere: not in their scale's row, and anywhere else only as a figure that
    # some shown group really has (two groups can share a score to one decimal)
    text = visible_text(page)
    everything = results.table()
    shown = {number(m, "en") for m in everything.loc[~everything["suppressed"] & (everything["wave"] == wave), "mean"]}
    rows = dict(re.findall(r"<tr data-scale='(\w+)'>(.*?)</tr>", breakdown, re.S))
    assert not re.search(r"\d", visible_text(breakdown.split("<ul class='hidden-groups'>")[1].split("</ul>")[0])
                         .replace(" 5 respondents", ""))
    for team in (SMALL_TEAM, "People & Culture"):
        for scale, mean in scratch_means(results, wave, team).items():
            figure = number(mean, "en")
            assert figure not in [visible_text(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", rows.get(scale, ""))]
            if re.search(rf"(?<![\d.]){re.escape(figure)}(?!\d)", text):
                assert figure in shown, (team, scale)


def test_department_report_with_every_team_shown_has_no_hidden_list(demo_workspace, results):
    page = Report(demo_workspace, group="Customer Service", level="department", results=results).html()
    breakdown = section_of(page, "breakdown")
    assert list(breakdown_columns(breakdown)) == ["Customer Service", "Service Desk North", "Service Desk South",
                                                  "Field Support", "Onboarding"]
    assert "hidden-groups" not in breakdown and "A hidden group" not in page
    assert breakdown.count("<img") == 1                           # the heatmap


def test_organisation_report_breaks_down_by_department(demo_workspace, results):
    page = Report(demo_workspace, results=results).html()
    columns = breakdown_columns(section_of(page, "breakdown"))
    assert list(columns)[0] == "Whole organisation"
    assert sorted(list(columns)[1:]) == ["Customer Service", "Operations", "Product", "Sales"]


def test_team_report_has_no_breakdown(demo_workspace, results):
    assert "report-breakdown" not in Report(demo_workspace, group="Mobile", results=results).html()


def test_department_report_shows_its_own_change_since_the_previous_wave(demo_workspace, results):
    from assessment._format import number
    wave = results.latest_wave()
    previous = results.previous_wave(wave)
    page = Report(demo_workspace, group="Product", level="department", results=results).html()
    changes = results.compare(previous, wave, level="department")
    row = changes[(changes["group"] == "Product") & (changes["scale"] == "security")].iloc[0]
    summary = section_of(page, "summary")
    assert number(row["diff"], "en", sign=True) in visible_text(summary)
    assert "Benjamini–Hochberg" in visible_text(summary)


def captured_figures(monkeypatch, name):
    from assessment import charts
    figures, draw = [], getattr(charts, name)

    def recording(*args, **kwargs):
        figures.append(draw(*args, **kwargs))
        return figures[-1]
    monkeypatch.setattr(charts, name, recording)
    return figures


def test_team_report_marks_its_department_and_the_organisation_in_the_pillar_and_trend_charts(
        demo_workspace, results, monkeypatch):
    pillars, trends = captured_figures(monkeypatch, "pillars"), captured_figures(monkeypatch, "trend")
    page = Report(demo_workspace, group="Mobile", results=results).html()
    [pillar_chart], [trend_chart] = pillars, trends
    marks = [line for line in pillar_chart.axes[0].lines if line.get_gid() == "reference"]
    assert [m.get_label() for m in marks] == ["Product", "Whole organisation"]
    legend = [t.get_text() for t in pillar_chart.axes[0].get_legend().get_texts()]
    assert {"Product", "Whole organisation"} <= set(legend)
    dashed = {line.get_label() for ax in trend_chart.axes for line in ax.lines if line.get_gid() == "reference"}
    assert dashed == {"Product", "Whole organisation"}
    assert "the grey marks across the bars show Product and the whole organisation" in visible_text(page)


def test_department_report_marks_the_organisation(demo_workspace, results, monkeypatch):
    pillars = captured_figures(monkeypatch, "pillars")
    Report(demo_workspace, group="Operations", level="department", results=results).html()
    assert [line.get_label() for line in pillars[0].axes[0].lines if line.get_gid() == "reference"] == \
        ["Whole organisation"]


def test_swedish_report_writes_numbers_the_swedish_way(demo_workspace, results):
    from assessment._format import number
    page = Report(demo_workspace, group="Customer Service", level="department", language="sv",
                  results=results).html()
    text = visible_text(page)
    assert re.search(r"\b\d{1,3},\d\b", text) and " %" in text
    assert not re.search(r"\d\.\d", text), re.search(r".{40}\d\.\d.{40}", text)
    table = results.table("department")
    row = table[(table["group"] == "Customer Service") & (table["wave"] == results.latest_wave())
                & (table["scale"] == "security")].iloc[0]
    assert f"{number(row['ci_low'], 'sv')}–{number(row['ci_high'], 'sv')}" in text
    assert number(row["mean"], "sv") in text and "," in number(row["mean"], "sv")
    english = visible_text(Report(demo_workspace, group="Customer Service", level="department", language="en",
                                  results=results).html())
    assert f"{row['mean']:.1f}" in english


def test_explanations_appear_where_their_subject_appears(demo_workspace, results):
    team = Report(demo_workspace, group="Mobile", results=results).html()
    items = section_of(team, "items")
    assert "(R)" in items and "(R) marks a reversed question" in visible_text(items)
    assert "A hidden group" not in team                  # no hidden group in a team report
    assert "not compared" not in team.lower()            # every scale is compared in the demo
    first = Report(demo_workspace, group="Mobile", wave=DEMO_WAVES[0], results=results).html()
    assert "Benjamini" not in section_of(first, "summary")   # no change, no sentence about changes
    swedish = Report(demo_workspace, group="Operations", level="department", language="sv", results=results).html()
    assert "En dold grupp visar inga siffror" in section_of(swedish, "breakdown")
    assert "(R) markerar en omvänd fråga" in section_of(swedish, "items")


def test_not_compared_is_explained_only_when_shown(demo_workspace, monkeypatch):
    from assessment.analysis import Results
    results = Results(demo_workspace)
    compare = results.compare

    def with_a_changed_scale(*args, **kwargs):
        table = compare(*args, **kwargs).copy()
        changed = table["scale"] == "goals"
        table.loc[changed, ["diff", "diff_ci_low", "diff_ci_high"]] = float("nan")
        table.loc[changed, "flagged"] = False
        table.loc[changed, "note"] = "items changed: added goals_6"
        return table
    monkeypatch.setattr(results, "compare", with_a_changed_scale)
    page = Report(demo_workspace, group="Mobile", language="sv", results=results).html()
    summary = section_of(page, "summary")
    assert "jämförs inte" in summary and "”Jämförs inte” betyder" in summary
    plain = Report(demo_workspace, group="Mobile", language="sv").html()
    assert "jämförs inte" not in plain.lower()


def test_a_comment_many_wrote_is_shown_once_with_how_many_wrote_it(demo_workspace):
    page = Report(demo_workspace, group="Customer Service", level="department").html()
    body = re.search(r"<section class='report-comments'>(.*?)</section>", page, re.S).group(1)
    for block in re.findall(r"<ul class='comments'>(.*?)</ul>", body, re.S):
        items = [visible_text(li) for li in re.findall(r"<li>(.*?)</li>", block, re.S)]
        texts = [re.sub(r" \(\d+ people wrote this\)$", "", item) for item in items]
        assert len(texts) == len(set(texts))
        counts = [int(m) for m in re.findall(r"\((\d+) people wrote this\)", block)]
        assert counts == sorted(counts, reverse=True) and counts[0] > 1


def test_comments_that_differ_only_in_case_or_spacing_count_as_one():
    from assessment.reports import _distinct
    assert _distinct(["More  time.", "Less noise", "more time."]) == [("More  time.", 2), ("Less noise", 1)]
