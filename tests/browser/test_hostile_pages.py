"""Hostile names and texts in Chromium: the served dashboard and survey form, and a written report, show
them as text; nothing in them runs (no script, no `<img onerror>`, document.title unchanged).

The page watcher (conftest.Watch) also fails a test on any JavaScript error."""

from __future__ import annotations

import re

import pytest

from _hostile import BAD_MATH, COMMENTS, DEPARTMENTS, IMG, LONG, MATH, SCRIPT, SMALL, TEAMS, stored
from formhelpers import expect

pytestmark = pytest.mark.browser

INJECTED = """() => ({
    title: document.title,
    images: document.querySelectorAll("img[src='x'], img[src=x]").length,
    scripts: [...document.scripts].filter(s => s.textContent.includes("alert(1)")).length,
    handlers: [...document.querySelectorAll("[onerror]")].length,
})"""


def assert_inert(page):
    found = page.evaluate(INJECTED)
    assert found["title"] != "XSS", found
    assert found["images"] == 0 and found["scripts"] == 0 and found["handlers"] == 0, found


def text_of(locator) -> str:
    return " ".join(locator.inner_text().replace("\xa0", " ").split())


def choose(page, label: str, option: str):
    dropdown = page.locator(".assessment-dashboard .widget-dropdown",
                            has=page.locator("label", has_text=re.compile(rf"^{re.escape(label)}$")))
    select = dropdown.locator("select")
    value = select.evaluate("(s, wanted) => [...s.options].find(o => o.text.replace(/\\u00a0/g, ' ') === wanted).value",
                            option)
    select.select_option(value=value)


def option_texts(page, selector: str) -> list[str]:
    return page.locator(selector).evaluate("s => [...s.options].map(o => o.text.replace(/\\u00a0/g, ' '))")


def test_dashboard_shows_hostile_names_as_text(open_hostile_dashboard):
    page, watch, shoot = open_hostile_dashboard(viewport={"width": 1280, "height": 900})
    shoot("01-opened")
    assert_inert(page)
    header = page.locator(".assessment-dashboard h2").first
    assert IMG in text_of(header)                                   # the workspace name, as text
    groups = option_texts(page, ".assessment-dashboard .dashboard-group select")
    assert {stored(t) for t in TEAMS} | {SMALL} <= set(groups)

    message = page.locator(".assessment-dashboard .dashboard-message")
    choose(page, "Group", SMALL)                                    # hidden: the message names it
    expect(message).to_contain_text("fewer than")
    shoot("02-hidden-team")
    assert SMALL in text_of(message)
    assert_inert(page)

    page.locator(".lm-TabBar-tab", has_text="Item answers").click()
    note = page.locator(".assessment-dashboard .chart-items .suppressed-note")
    expect(note).to_contain_text("fewer than")
    assert SMALL in text_of(note)
    assert_inert(page)
    page.locator(".lm-TabBar-tab", has_text="Over time").click()

    chart = page.locator(".assessment-dashboard .chart-trend img")
    for team in (IMG, stored(BAD_MATH), MATH, stored(LONG)):
        before = chart.get_attribute("src")
        choose(page, "Group", team)
        expect(message).to_have_text("")
        expect(chart).not_to_have_attribute("src", before)
        assert_inert(page)
    shoot("03-shown-team")

    page.locator(".assessment-dashboard .dashboard-level button", has_text="Departments").click()
    expect(page.locator(".assessment-dashboard .dashboard-group select option", has_text="فريق")).to_have_count(1)
    departments = option_texts(page, ".assessment-dashboard .dashboard-group select")
    assert set(DEPARTMENTS) <= set(departments)
    choose(page, "Group", SCRIPT)
    shoot("04-department")
    assert_inert(page)
    watch.check()


def test_survey_form_shows_hostile_template_texts_and_teams_as_text(open_hostile_form, hostile_form_server):
    from assessment.workspace import Workspace
    ws = Workspace(hostile_form_server.workspace)
    try:
        template = ws.store.wave_template(hostile_form_server.wave)
    finally:
        ws.close()
    page, watch, shoot = open_hostile_form()
    shoot("01-opened")
    assert_inert(page)
    expect(page.locator(".survey-header h1")).to_have_text(template.title["en"])
    first = template.items[0]
    expect(page.locator(f".item-{first.id} .survey-item-text")).to_contain_text(first.text["en"])
    expect(page.locator(f".scale-{template.scales[0].id} .survey-scale-title").first).to_have_text(
        template.scales[0].title["en"])
    buttons = page.locator(f".item-{first.id} .survey-options button")
    labels = [" ".join(t.replace("\xa0", " ").split()) for t in buttons.all_inner_texts()]
    assert labels[:5] == [" ".join(label.split()) for label in first.response_scale.labels["en"]]
    comment = template.comments[0]
    expect(page.locator(f".comment-{comment.id} .survey-item-text")).to_have_text(comment.text["en"])

    teams = option_texts(page, ".survey-team select")
    assert any(t.startswith(IMG + " (") for t in teams) and any(t.startswith(SMALL) for t in teams)
    page.locator(".survey-team select").select_option(
        label=next(t for t in teams if t.startswith(IMG + " (")))
    page.locator(".survey-submit").click()                          # items missing: listed by their texts
    message = page.locator(".survey-message")
    expect(message).to_contain_text(first.text["en"][:15])
    shoot("02-missing")
    assert_inert(page)
    page.locator(f".comment-{comment.id} textarea").fill(f"{SCRIPT} {IMG}")
    assert_inert(page)
    watch.check()


def test_written_report_shows_hostile_text_as_text(chromium_browser, tmp_path):
    from assessment.demo import Plan, build_demo_workspace
    from assessment.reports import Report
    from assessment.store import Response
    from _hostile import ORGANISATION
    waves = ("w1 <script>alert(1)</script>", "$w^2$ <img src=x onerror=\"document.title='XSS'\">")
    ws = build_demo_workspace(tmp_path / "ws", seed=3, plan=Plan(organisation=ORGANISATION, waves=waves))
    try:
        ws.store.add_responses(waves[1], [Response(team=IMG, answers={"exp_role": 4}, comments={"comment_keep": c})
                                          for c in COMMENTS])
        ws.store.add_action(IMG, "security", f"{SCRIPT} {IMG}", wave=waves[0], owner=IMG)
        path = tmp_path / "report.html"
        path.write_text(Report(ws, wave=waves[1], group=IMG).html(), encoding="utf-8")
    finally:
        ws.close()
    context = chromium_browser.new_context()
    try:
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("dialog", lambda dialog: (errors.append(f"dialog: {dialog.message}"), dialog.dismiss()))
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        assert_inert(page)
        assert IMG in page.title()
        body = " ".join(page.inner_text("body").replace("\xa0", " ").split())
        for text in (IMG, waves[0], waves[1], f"{SCRIPT} {IMG}", *[" ".join(c.split()) for c in COMMENTS]):
            assert " ".join(text.split()) in body, text
        charts = page.locator("img")
        assert charts.count() >= 2 and all(src.startswith("data:image/png")
                                           for src in charts.evaluate_all("els => els.map(e => e.src)"))
        assert not errors, errors
    finally:
        context.close()


def test_admin_panel_shows_hostile_names_and_action_texts_as_text(open_hostile_admin):
    page, watch, shoot = open_hostile_admin(viewport={"width": 1280, "height": 900})
    shoot("01-opened")
    assert_inert(page)
    admin = page.locator(".assessment-admin")
    assert IMG in text_of(admin.locator("h2").first)                 # the workspace name, as text
    rates = text_of(admin.locator(".admin-rates").first)
    assert stored(TEAMS[0]) in rates and stored(TEAMS[1]) in rates
    admin.locator(".p-TabBar-tab, .lm-TabBar-tab", has_text="Actions").first.click()
    table = admin.locator(".actions-panel")
    expect(table).to_be_visible()
    choose_group = table.locator(".actions-group select")
    value = choose_group.evaluate("(s, wanted) => [...s.options].find(o => o.text.replace(/\\u00a0/g, ' ') === wanted)"
                                  ".value", stored(TEAMS[0]))
    choose_group.select_option(value=value)
    expect(table.locator(".actions-table")).to_contain_text(IMG)   # the action text and owner, as text
    shoot("02-actions")
    assert_inert(page)
