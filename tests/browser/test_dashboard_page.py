"""The leaders' dashboard served by `assessment dashboard` (a separate server from the form), in Chromium.

Choosing a team redraws the chart on the page; a team under the anonymity threshold ("Legal", three
respondents) and a team hidden so that it cannot be worked out from the others ("People & Culture")
show as hidden, with no figures for them.
"""

from __future__ import annotations

import base64
import html
import io
import re
import time
import urllib.request

import pytest

from assessment.demo import SMALL_TEAM
from formhelpers import expect

pytestmark = pytest.mark.browser

DIFFERENCED_TEAM = "People & Culture"     # hidden in the demo so that Legal cannot be worked out from Operations
CHART = ".assessment-dashboard .chart-trend img"


def choose(page, label: str, option: str):
    """Choose `option` in the dashboard's dropdown labelled `label` ("Group", "Wave", ...)."""
    dropdown = page.locator(".assessment-dashboard .widget-dropdown",
                            has=page.locator("label", has_text=re.compile(rf"^{re.escape(label)}$")))
    dropdown.locator("select").select_option(label=option)


def chart_src(page) -> str:
    src = page.locator(CHART).get_attribute("src")
    assert src and src.startswith("data:image/png;base64,"), src
    return src


def coloured_pixels(src: str) -> int:
    """Pixels drawn in a colour (data lines, markers, bands' edges): axes, grid and text are black or grey."""
    import numpy as np
    from PIL import Image
    pixels = np.asarray(Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1]))).convert("RGB"), dtype=int)
    return int(((pixels.max(axis=2) - pixels.min(axis=2)) > 60).sum())


def changed_chart(page, before: str) -> str:
    """Wait until the kernel has drawn a new chart image, and return it."""
    expect(page.locator(CHART)).not_to_have_attribute("src", before)
    return chart_src(page)


def test_changing_the_team_redraws_the_chart_and_hidden_teams_show_as_hidden(open_dashboard):
    page, watch, shoot = open_dashboard(viewport={"width": 1280, "height": 900})
    shoot("01-opened")
    assert "Dashboard(workspace" not in page.content()             # sources are stripped
    expect(page.locator(".assessment-dashboard .dashboard-message")).to_have_text("")
    everyone = chart_src(page)
    assert coloured_pixels(everyone) > 1000                          # every team's lines

    # a team with enough respondents: its own chart
    choose(page, "Group", "Mobile")
    mobile = changed_chart(page, everyone)
    assert coloured_pixels(mobile) > 500
    expect(page.locator(".assessment-dashboard .dashboard-message")).to_have_text("")
    shoot("02-mobile")
    watch.check()

    # a team under the anonymity threshold: said so above the charts, and nothing drawn for it
    choose(page, "Group", SMALL_TEAM)
    small = changed_chart(page, mobile)
    message = page.locator(".assessment-dashboard .dashboard-message .suppressed-note")
    expect(message).to_be_visible()
    expect(message).to_contain_text(f"{SMALL_TEAM} has fewer than 5 respondents")
    expect(message).to_contain_text("its figures are not shown")
    assert coloured_pixels(small) < 50, "the chart for a suppressed team has data lines"
    shoot("03-legal-suppressed")

    # the item answers are not drawn at all for it: a note instead of a chart
    page.locator(".assessment-dashboard .lm-TabBar-tab", has_text="Item answers").click()
    items = page.locator(".assessment-dashboard .chart-items")
    expect(items.locator(".suppressed-note")).to_contain_text(SMALL_TEAM)
    expect(items.locator("img")).to_have_count(0)
    assert not re.search(r"\d+ ?%", items.inner_text())
    shoot("04-legal-items")

    # a team hidden so that a small one cannot be worked out from it
    page.locator(".assessment-dashboard .lm-TabBar-tab", has_text="Over time").click()
    choose(page, "Group", DIFFERENCED_TEAM)
    expect(message).to_contain_text(DIFFERENCED_TEAM)
    differenced = changed_chart(page, small)
    assert coloured_pixels(differenced) < 50, "the chart for a hidden team has data lines"
    shoot("05-differenced-hidden")

    # and back to a team that is shown
    choose(page, "Group", "Mobile")
    expect(page.locator(".assessment-dashboard .dashboard-message")).to_have_text("")
    assert coloured_pixels(changed_chart(page, differenced)) > 500
    watch.check()


def test_dashboard_page_loads_completely_every_time(dashboard_server):
    """Each load runs the notebook in a new kernel. Voilà used to hang on "Running ..." about one load in
    three when a cell draws into Output widgets (serve.patch_kernel_channels works around it)."""
    for _ in range(3):
        started = time.monotonic()
        with urllib.request.urlopen(dashboard_server.page_url, timeout=60) as answer:     # HR's link
            page = answer.read().decode("utf-8")
        assert answer.status == 200
        assert "application/vnd.jupyter.widget-view+json" in page          # the dashboard widget was rendered
        assert "Dashboard(workspace" not in page                            # and its code was not
        assert time.monotonic() - started < 60


def panel_field(panel, label: str, tag: str):
    """The `tag` (input, textarea, select) of the actions panel's control labelled `label`."""
    return panel.locator(".widget-inline-hbox", has=panel.page.locator(
        "label", has_text=re.compile(rf"^{re.escape(label)}$"))).locator(tag)


def test_an_action_recorded_in_the_actions_tab_is_listed(open_dashboard):
    page, watch, shoot = open_dashboard(viewport={"width": 1280, "height": 1000})
    text = "Team retro on priorities <every> second Friday"
    everyone = chart_src(page)
    choose(page, "Group", "Platform")
    platform = changed_chart(page, everyone)
    page.locator(".assessment-dashboard .lm-TabBar-tab", has_text="Actions").click()
    panel = page.locator(".assessment-dashboard .actions-panel")
    expect(panel.locator(".actions-heading")).to_have_text("Actions of Platform")
    expect(panel.locator(".actions-table")).to_contain_text("No actions yet.")
    shoot("01-actions-tab")

    panel_field(panel, "Scale", "select").select_option(label="Engagement")
    panel_field(panel, "Action", "textarea").fill(text)
    panel_field(panel, "Owner", "input").fill("Kim Berg")
    panel_field(panel, "Due date", "input").fill("2027-02-15")
    shoot("02-filled")
    panel.get_by_role("button", name="Add action").click()

    expect(panel.locator(".actions-message")).to_contain_text("added for Platform")
    row = panel.locator(".actions-table tbody tr", has_text=text)          # written text, shown as text
    expect(row).to_have_count(1)
    for cell in ("Platform", "Engagement", "planned", "Kim Berg", "2027-02-15"):
        expect(row).to_contain_text(cell)
    expect(panel_field(panel, "Action", "textarea")).to_have_value("")
    shoot("03-listed")

    # the trend is drawn again, with the action marked on it
    page.locator(".assessment-dashboard .lm-TabBar-tab", has_text="Over time").click()
    changed_chart(page, platform)
    shoot("04-trend-marked")
    watch.check()


def dropdown_options(page, label: str) -> list[str]:
    dropdown = page.locator(".assessment-dashboard .widget-dropdown",
                            has=page.locator("label", has_text=re.compile(rf"^{re.escape(label)}$")))
    return [o.strip() for o in dropdown.locator("select option").all_inner_texts()]


def test_a_department_link_shows_only_that_department(open_dashboard, dashboard_server):
    from assessment.demo import DEMO_ORGANISATION
    department = "Product"
    page, watch, shoot = open_dashboard(viewport={"width": 1280, "height": 900},
                                        url=dashboard_server.links[department])
    shoot("01-product-opened")
    outside = [name for dept, teams in DEMO_ORGANISATION.items() if dept != department for name in (dept, *teams)]
    assert dropdown_options(page, "Group") == ["(all)", *sorted(DEMO_ORGANISATION[department])]
    everyone = chart_src(page)
    assert coloured_pixels(everyone) > 500                    # the department's teams and the organisation
    choose(page, "Group", "Mobile")
    mobile = changed_chart(page, everyone)
    page.locator(".assessment-dashboard .lm-TabBar-tab", has_text="Heatmap").click()
    expect(page.locator(".assessment-dashboard .chart-heatmap img")).to_have_count(1)
    page.locator(".assessment-dashboard .lm-TabBar-tab", has_text="Over time").click()
    page.locator(".assessment-dashboard .widget-toggle-button", has_text="Departments").click()
    group = page.locator(".assessment-dashboard .widget-dropdown",
                         has=page.locator("label", has_text=re.compile(r"^Group$"))).locator("select option")
    expect(group).to_have_count(2, timeout=60_000)             # "(all)" and the department: no other
    changed_chart(page, mobile)
    assert dropdown_options(page, "Group") == ["(all)", department]
    shoot("02-product-departments")
    text = page.inner_text("body")
    assert [name for name in outside if name in text] == []
    # nor in the page's markup (the page's stylesheets aside: "jp-ArrayOperations" is a class name)
    markup = re.sub(r"<style\b.*?</style>", "", page.content(), flags=re.S)
    assert [name for name in outside if re.search(rf"(?<![\w-]){re.escape(html.escape(name))}(?![\w-])", markup)
            or re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", markup)] == []
    watch.check()


def test_without_a_valid_link_the_page_asks_for_one(chromium_browser, dashboard_server, screenshots):
    from assessment.demo import DEMO_ORGANISATION
    context = chromium_browser.new_context()
    try:
        page = context.new_page()
        requested = []
        page.on("request", lambda req: requested.append(req.url))
        token = dashboard_server.links["Product"].split("?token=")[1]
        for url in (dashboard_server.url, dashboard_server.url + "?token=" + token[:-3] + "AAA"):
            answer = page.goto(url, timeout=60_000)
            assert answer.status == 403
            expect(page.locator("body")).to_contain_text("Ask HR for your link to the dashboard")
            text = page.content()
            assert not re.search(r"\d", page.inner_text("body"))
            assert [n for d, teams in DEMO_ORGANISATION.items() for n in (d, *teams) if n in text] == []
            assert dashboard_server.workspace.name not in text
        page.screenshot(path=str(screenshots / "ask-hr.png"))
        assert all(u.split("?")[0] == dashboard_server.url for u in requested)     # nothing else loaded
    finally:
        context.close()
