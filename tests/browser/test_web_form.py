"""The survey form as a web page (`assessment serve`, assessment/app.py) in Chromium: answer, submit, and check
what the store holds; keyboard only, without JavaScript, at phone width and 200 % zoom, with axe-core, many
respondents at once, one-time codes, hostile texts.

Run with `pytest tests/browser` (Debian's chromium; never `playwright install`). Every page is watched
(conftest.Watch: no request to another host, no JavaScript error, no HTTP error status but the 422 of an
incomplete submission where a test expects one). Screenshots of every step are saved in the folder printed
at the start.
"""

from __future__ import annotations

import asyncio
import re
import threading
import uuid
from urllib.parse import urlparse

import pytest

from formhelpers import added_comments, expect, stored, template_of

from assessment.responding import UI_TEXT
from assessment.store import Response
from assessment.workspace import Workspace

pytestmark = pytest.mark.browser


# What a 1280 x 800 window shows at 200 % zoom: browser zoom makes every CSS pixel two device pixels, so the
# page is laid out (and media queries match) at 640 x 400 CSS pixels. device_scale_factor=2 draws it at
# 1280 x 800 device pixels, which is exactly that.
NARROW = {
    "320px": ({"width": 320, "height": 640}, {}),
    "1280px-at-200%": ({"width": 640, "height": 400}, {"device_scale_factor": 2}),
}


# ---------------------------------------------------------------- helpers

def pattern(template, offset: int) -> dict:
    """A varied answer for every item: item -> value."""
    answers = {}
    for n, item in enumerate(template.items):
        values = item.response_scale.values
        answers[item.id] = values[(n * 3 + offset) % len(values)]
    return answers


def choice_id(item, value) -> str:
    """The id of the radio for `value` (radios are numbered from 1 in the scale's order; "skip" for skip)."""
    if value == "skip":
        return f"item-{item.id}-skip"
    return f"item-{item.id}-{list(item.response_scale.values).index(value) + 1}"


def click_answers(page, template, answers: dict):
    """Click each answer's box, as a respondent does with the mouse (the label covers the whole box)."""
    by_id = {item.id: item for item in template.items}
    for item_id, value in answers.items():
        page.locator(f"label[for='{choice_id(by_id[item_id], value)}']").click()
    expect(page.locator("#survey input[type=radio]:checked")).to_have_count(len(answers))


def checked(page) -> dict:
    """item -> the value of its checked radio ("skip" or a number), read from the page."""
    found = page.evaluate("""() => Object.fromEntries(
        [...document.querySelectorAll('#survey input[type=radio]:checked')].map(el => [el.name.slice(5), el.value]))""")
    return {item: value if value == "skip" else int(value) for item, value in found.items()}


def new_respondents(served, before: dict) -> dict:
    after, _ = stored(served)
    return {r: after[r] for r in set(after) - set(before)}


def codes_used(served) -> dict:
    with Workspace(served.workspace) as ws:
        counts = ws.store.code_counts(served.wave)
    return {row.team: int(row.used) for row in counts.itertuples(index=False)}


def submit_refused(page, watch):
    """Click submit on a form that is not complete: the form comes back (422) with the error summary."""
    watch.refusals_expected = True
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.locator("#submit").click()
    assert answer.value.status == 422
    expect(page.locator(".error-summary")).to_be_visible()


def submit_stored(page, lang: str):
    """Click submit on a complete form: 303 to the thank-you page in `lang`."""
    page.locator("#submit").click()
    expect(page.locator("body.thanks")).to_be_visible()
    assert urlparse(page.url).path == "/thanks" and urlparse(page.url).query == f"lang={lang}"
    expect(page.locator("h1")).to_have_text(UI_TEXT[lang]["thanks_title"])


def summary_links(page) -> list[str]:
    return page.locator(".error-summary a").evaluate_all("links => links.map(a => a.getAttribute('href'))")


def no_horizontal_scroll(page, what: str):
    width = page.evaluate("""() => ({scroll: document.documentElement.scrollWidth, inner: window.innerWidth,
        wide: [...document.querySelectorAll('body *')]
              .filter(el => el.getBoundingClientRect().right > window.innerWidth + 0.5)
              .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
                         + (el.className ? '.' + el.className : ''))
              .slice(0, 10)})""")
    assert width["scroll"] <= width["inner"], f"{what} scrolls sideways: {width}"
    assert not width["wide"], f"{what}: wider than the window: {width}"


FOCUS_RING = """() => {
    const el = document.activeElement;
    const ring = (node) => { if (!node) return false; const s = getComputedStyle(node);
        return (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow !== 'none'; };
    const box = el.type === 'radio' ? el.closest('.choice') : null;
    return {tag: el.tagName.toLowerCase(), id: el.id, name: el.name || '', element: ring(el), box: ring(box),
            boxOutline: box ? getComputedStyle(box).outlineStyle : null};
}"""


# ---------------------------------------------------------------- answering and storing

def test_respondent_answers_in_swedish_and_their_answers_are_stored(open_web_form, web_server):
    template = template_of(web_server)
    before, comments_before = stored(web_server)
    page, watch, shoot = open_web_form()
    expect(page.locator("h1")).to_have_text(template.title["en"])
    shoot("01-opened")

    page.locator("nav.languages a", has_text="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(page.locator("h1")).to_have_text(template.title["sv"])
    first = template.items[0]
    expect(page.locator(f"#q-{first.id} legend")).to_contain_text(first.text["sv"])
    expect(page.locator("#submit")).to_have_text(UI_TEXT["sv"]["submit"])
    expect(page.locator("nav.languages [aria-current]")).to_have_text("Svenska")
    shoot("02-swedish")

    page.locator("#team").select_option("Platform")
    answers = pattern(template, offset=1)
    click_answers(page, template, answers)
    expect(page.locator("#progress")).to_have_text(
        UI_TEXT["sv"]["progress"].format(done=len(answers), total=len(answers)))
    comment = f"Bra kollegor och tydliga mål – {uuid.uuid4().hex[:8]}"
    page.locator("#comment-comment_keep").click()
    page.keyboard.type(comment)
    shoot("03-answered")

    submit_stored(page, "sv")
    expect(page.locator("main")).to_contain_text(UI_TEXT["sv"]["thanks_body"])
    shoot("04-thanks")

    new = new_respondents(web_server, before)
    assert list(new.values()) == [{"team": "Platform", "language": "sv", "answers": answers}]
    assert added_comments(comments_before, stored(web_server)[1]) == [["Platform", "comment_keep", comment]]


def test_one_time_code_submits_once_with_its_team(open_web_code_form, web_code_server):
    template = template_of(web_code_server)
    code = web_code_server.codes["Platform"][0]
    before, _ = stored(web_code_server)
    used_before = codes_used(web_code_server)
    page, watch, shoot = open_web_code_form()
    expect(page.locator("#code")).to_be_visible()
    expect(page.locator("#team")).to_have_count(0)
    expect(page.locator("#code-hint")).to_have_text(UI_TEXT["en"]["code_intro"])
    shoot("01-opened")

    page.locator("#code").fill(code)
    answers = pattern(template, offset=2)
    click_answers(page, template, answers)
    submit_stored(page, "en")
    shoot("02-thanks")
    # a code's page offers no "empty form for another person": each person has their own code
    expect(page.locator("main a")).to_have_count(0)

    new = new_respondents(web_code_server, before)
    assert list(new.values()) == [{"team": "Platform", "language": "en", "answers": answers}]
    used = codes_used(web_code_server)
    assert used["Platform"] == used_before["Platform"] + 1 and used["Mobile"] == used_before["Mobile"]


def test_used_code_is_refused_in_the_page_language_and_nothing_is_stored(open_web_code_form, web_code_server):
    template = template_of(web_code_server)
    code = web_code_server.codes["Mobile"][0]
    with Workspace(web_code_server.workspace) as ws:             # someone has answered with it already
        ws.store.add_responses(web_code_server.wave, [Response(team=None, answers={"exp_role": 4})], code=code)
    before, comments_before = stored(web_code_server)
    used_before = codes_used(web_code_server)
    page, watch, shoot = open_web_code_form(url=web_code_server.url + "?lang=sv")

    page.locator("#code").fill(code)
    answers = pattern(template, offset=0)
    click_answers(page, template, answers)
    page.locator("#comment-comment_improve").fill("andra försöket")
    submit_refused(page, watch)
    shoot("01-refused")
    expect(page.locator(".error-summary")).to_contain_text(UI_TEXT["sv"]["error_title"])
    expect(page.locator(".error-summary a[href='#code']")).to_have_text(UI_TEXT["sv"]["code_used"])
    expect(page.locator("#code-error")).to_contain_text(UI_TEXT["sv"]["code_used"])
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
    assert summary_links(page) == ["#code"]

    after, comments_after = stored(web_code_server)
    assert after == before and len(comments_after) == len(comments_before)
    assert codes_used(web_code_server) == used_before
    # what the respondent entered is still there
    expect(page.locator("#code")).to_have_value(code)
    assert checked(page) == answers
    expect(page.locator("#comment-comment_improve")).to_have_value("andra försöket")


def test_wrong_code_shows_the_unknown_code_message(open_web_code_form, web_code_server):
    template = template_of(web_code_server)
    before, _ = stored(web_code_server)
    used_before = codes_used(web_code_server)
    page, watch, shoot = open_web_code_form()
    page.locator("#code").fill("ABCDE-FGHJK")
    click_answers(page, template, pattern(template, offset=3))
    submit_refused(page, watch)
    shoot("01-unknown-code")
    expect(page.locator(".error-summary a[href='#code']")).to_have_text(UI_TEXT["en"]["code_unknown"])
    expect(page.locator("#code-error")).to_contain_text(UI_TEXT["en"]["code_unknown"])
    assert stored(web_code_server)[0] == before
    assert codes_used(web_code_server) == used_before


def test_twelve_respondents_submitting_at_the_same_moment_are_all_stored_once(chromium_launch_options, web_server,
                                                                               web_watch):
    """12 browser contexts fill the form, then all click submit at once (Playwright's async API in a thread of
    its own: the sync API already runs an event loop in this one)."""
    from assessment.responding import leaf_teams
    template = template_of(web_server)
    with Workspace(web_server.workspace) as ws:
        teams = [team for team, _ in leaf_teams(ws.store)][:12]
    assert len(teams) == 12
    plans = [(team, pattern(template, offset=n), f"at once {n} {uuid.uuid4().hex[:8]}") for n, team in enumerate(teams)]
    before, comments_before = stored(web_server)

    async def fill(page, team, answers, comment):
        await page.goto(web_server.url)
        await page.locator("#team").select_option(team)
        for item in template.items:
            await page.locator(f"label[for='{choice_id(item, answers[item.id])}']").click()
        await page.locator("#comment-comment_keep").fill(comment)

    async def everyone():
        from playwright.async_api import async_playwright
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(**chromium_launch_options)
            watches = []
            try:
                pages = []
                for _ in plans:
                    context = await browser.new_context(viewport={"width": 1000, "height": 800})
                    page = await context.new_page()
                    page.set_default_timeout(120_000)
                    watches.append(web_watch(page, web_server))
                    pages.append(page)
                await asyncio.gather(*(fill(page, *plan) for page, plan in zip(pages, plans)))
                await asyncio.gather(*(page.locator("#submit").click() for page in pages))
                await asyncio.gather(*(page.locator("body.thanks").wait_for() for page in pages))
                return [page.url for page in pages], [w.problems for w in watches]
            finally:
                for watch in watches:
                    watch.closing = True
                await browser.close()

    outcome = {}

    def run():
        try:
            outcome["result"] = asyncio.run(everyone())
        except BaseException as exc:       # raised again in the test's thread
            outcome["error"] = exc

    thread = threading.Thread(target=run, name="twelve-respondents")
    thread.start()
    thread.join(timeout=600)
    assert not thread.is_alive(), "the twelve respondents did not finish within 10 minutes"
    if "error" in outcome:
        raise outcome["error"]
    urls, problems = outcome["result"]
    assert all(urlparse(url).path == "/thanks" for url in urls), urls
    assert not any(problems), problems

    new = new_respondents(web_server, before)
    assert sorted((r["team"], tuple(sorted(r["answers"].items()))) for r in new.values()) == \
        sorted((team, tuple(sorted(answers.items()))) for team, answers, _ in plans)
    assert sorted(added_comments(comments_before, stored(web_server)[1])) == \
        sorted([team, "comment_keep", comment] for team, _, comment in plans)


# ---------------------------------------------------------------- keyboard, errors, narrow screens

def test_whole_survey_can_be_completed_with_the_keyboard_only_and_focus_is_visible(open_web_form, web_server):
    template = template_of(web_server)
    before, comments_before = stored(web_server)
    page, watch, shoot = open_web_form()
    keys = page.keyboard
    focus = lambda: page.evaluate(FOCUS_RING)  # noqa: E731

    keys.press("Tab")
    assert focus()["tag"] == "a"                                  # the language link comes first ...
    background = page.evaluate("getComputedStyle(document.activeElement).backgroundColor")
    assert background == "rgb(255, 221, 0)", background           # ... and shows it has focus
    keys.press("Tab")
    state = focus()
    assert state["id"] == "team" and state["element"], state
    keys.type("Pl")                                               # type-ahead in the team list
    expect(page.locator("#team")).to_have_value("Platform")

    answers = pattern(template, offset=4)
    for n, item in enumerate(template.items):
        keys.press("Tab")
        state = focus()
        assert state["name"] == f"item-{item.id}", (item.id, state)
        assert state["box"] and state["boxOutline"] != "none", (item.id, state)   # the focused choice's box
        if n == 0:
            shoot("01-first-radio-focused")
        keys.press("Space")
        for _ in range(list(item.response_scale.values).index(answers[item.id])):
            keys.press("ArrowRight")
        expect(page.locator(f"#{choice_id(item, answers[item.id])}")).to_be_checked()
    assert checked(page) == answers

    keys.press("Tab")
    state = focus()
    assert state["id"] == "comment-comment_keep" and state["element"], state
    comment = f"Typed with the keyboard {uuid.uuid4().hex[:8]}"
    keys.type(comment)
    keys.press("Tab")
    assert focus()["id"] == "comment-comment_improve"
    keys.press("Tab")
    state = focus()
    assert state["id"] == "submit" and state["element"], state
    shoot("02-submit-focused")
    keys.press("Enter")
    expect(page.locator("body.thanks")).to_be_visible()
    shoot("03-thanks")

    new = new_respondents(web_server, before)
    assert list(new.values()) == [{"team": "Platform", "language": "en", "answers": answers}]
    assert added_comments(comments_before, stored(web_server)[1]) == [["Platform", "comment_keep", comment]]


def test_missing_answers_are_listed_in_a_focused_error_summary_linking_to_each_item(open_web_form, web_server):
    template = template_of(web_server)
    items = template.items
    before, _ = stored(web_server)
    page, watch, shoot = open_web_form()
    given = {items[0].id: 2, items[1].id: 5, items[2].id: 1, items[3].id: "skip"}
    click_answers(page, template, given)
    page.locator("#comment-comment_keep").fill("not complete yet")
    submit_refused(page, watch)
    shoot("01-errors")

    summary = page.locator(".error-summary")
    # at the top of the page, before the heading, and focused
    assert page.evaluate("document.querySelector('main').firstElementChild.classList.contains('error-summary')")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")
    assert page.title().startswith(UI_TEXT["en"]["error_prefix"])
    expect(summary.locator("h2")).to_have_text(UI_TEXT["en"]["error_title"])
    missing = items[4:]
    assert summary_links(page) == ["#team"] + [f"#item-{item.id}-1" for item in missing]
    expect(summary.locator("a").nth(1)).to_have_text(UI_TEXT["en"]["missing_question"].format(number=5))

    # each unanswered item (and the team) shows its message; answered and skipped ones do not
    expect(page.locator(".field-error")).to_have_count(len(missing) + 1)
    for item in missing:
        expect(page.locator(f"#q-{item.id}.field-error .error-message")).to_contain_text(UI_TEXT["en"]["item_error"])
    for item in items[:4]:
        expect(page.locator(f"#q-{item.id}")).not_to_have_class(re.compile(r"field-error"))
    expect(page.locator("#team-error")).to_contain_text(UI_TEXT["en"]["missing_team"])
    # what was given is still there
    assert checked(page) == given
    expect(page.locator("#comment-comment_keep")).to_have_value("not complete yet")

    # a link moves focus to its item's first choice, with the question in view
    summary.locator(f"a[href='#item-{missing[5].id}-1']").click()
    assert page.evaluate("document.activeElement.id") == f"item-{missing[5].id}-1"
    expect(page.locator(f"#q-{missing[5].id} legend")).to_be_in_viewport()
    shoot("02-link-followed")
    summary.locator("a[href='#team']").click()
    assert page.evaluate("document.activeElement.id") == "team"

    # the summary stays where it is: it never covers the page when scrolling
    assert summary.evaluate("el => getComputedStyle(el).position") not in ("fixed", "sticky")
    pinned = page.evaluate("""() => [...document.querySelectorAll('*')]
        .filter(el => ['fixed', 'sticky'].includes(getComputedStyle(el).position))
        .map(el => el.outerHTML.slice(0, 80))""")
    assert pinned == []
    page.evaluate("window.scrollTo(0, document.documentElement.scrollHeight)")
    assert summary.evaluate("el => el.getBoundingClientRect().bottom") <= 0
    assert stored(web_server)[0] == before


@pytest.mark.parametrize("size", list(NARROW))
def test_form_errors_and_thanks_fit_a_narrow_screen_without_sideways_scrolling(open_web_form, web_server, size):
    viewport, options = NARROW[size]
    template = template_of(web_server)
    page, watch, shoot = open_web_form(viewport=viewport, **options)
    no_horizontal_scroll(page, "the empty form")
    shoot("01-empty")

    submit_refused(page, watch)
    no_horizontal_scroll(page, "the form with errors")
    shoot("02-errors")

    page.locator("#team").select_option("Mobile")
    click_answers(page, template, pattern(template, offset=5))
    submit_stored(page, "en")
    no_horizontal_scroll(page, "the thank-you page")
    shoot("03-thanks")


# ---------------------------------------------------------------- axe-core

@pytest.mark.parametrize("lang", ["en", "sv"])
@pytest.mark.parametrize("state", ["empty", "errors", "thanks"])
def test_axe_finds_no_accessibility_violations(open_web_form, web_server, lang, state):
    from axe_playwright_python.sync_playwright import Axe
    if state == "thanks":
        page, watch, shoot = open_web_form(url=web_server.url + f"thanks?lang={lang}", ready_selector="body.thanks h1")
    else:
        page, watch, shoot = open_web_form(url=web_server.url + f"?lang={lang}")
        if state == "errors":
            template = template_of(web_server)
            click_answers(page, template, {template.items[0].id: 3, template.items[2].id: "skip"})
            submit_refused(page, watch)
    expect(page.locator("html")).to_have_attribute("lang", lang)
    shoot(state)
    results = Axe().run(page)
    assert results.violations_count == 0, results.generate_report()


# ---------------------------------------------------------------- with and without JavaScript

def test_form_works_without_javascript(open_web_form, web_server):
    template = template_of(web_server)
    before, _ = stored(web_server)
    page, watch, shoot = open_web_form(java_script_enabled=False)
    expect(page.locator("#progress")).to_be_hidden()
    answers = pattern(template, offset=6)
    page.locator("#team").select_option("Legal")
    click_answers(page, template, answers)
    shoot("01-answered")
    submit_stored(page, "en")
    shoot("02-thanks")
    new = new_respondents(web_server, before)
    assert list(new.values()) == [{"team": "Legal", "language": "en", "answers": answers}]


def test_error_summary_works_without_javascript(open_web_form, web_server):
    template = template_of(web_server)
    page, watch, shoot = open_web_form(java_script_enabled=False)
    click_answers(page, template, {template.items[0].id: 4})
    submit_refused(page, watch)
    shoot("01-errors")
    assert page.evaluate("document.activeElement.classList.contains('error-summary')")     # autofocus
    assert summary_links(page) == ["#team"] + [f"#item-{item.id}-1" for item in template.items[1:]]
    target = template.items[7]
    page.locator(f".error-summary a[href='#item-{target.id}-1']").click()
    assert urlparse(page.url).fragment == f"item-{target.id}-1"
    assert page.evaluate("document.activeElement.id") == f"item-{target.id}-1"
    assert checked(page) == {template.items[0].id: 4}


def test_unsent_answers_survive_a_reload_and_a_language_switch_and_progress_counts_them(open_web_form, web_server):
    template = template_of(web_server)
    total = len(template.items)
    page, watch, shoot = open_web_form()
    progress = page.locator("#progress")
    expect(progress).to_be_visible()
    expect(progress).to_have_text(f"0 of {total} questions answered or skipped")
    given = {template.items[0].id: 1, template.items[1].id: 4, template.items[5].id: "skip",
             template.items[-1].id: 10}
    click_answers(page, template, given)
    expect(progress).to_have_text(f"4 of {total} questions answered or skipped")
    page.locator("label[for='item-exp_role-3']").click()            # a changed answer is still one answer
    given[template.items[0].id] = 3
    expect(progress).to_have_text(f"4 of {total} questions answered or skipped")
    page.locator("#team").select_option("Data")
    page.locator("#comment-comment_improve").fill("kept in this tab")
    shoot("01-answered")

    page.reload()
    expect(progress).to_have_text(f"4 of {total} questions answered or skipped")
    assert checked(page) == given
    expect(page.locator("#team")).to_have_value("Data")
    expect(page.locator("#comment-comment_improve")).to_have_value("kept in this tab")

    page.locator("nav.languages a", has_text="Svenska").click()
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    expect(progress).to_have_text(f"4 av {total} frågor besvarade eller överhoppade")
    assert checked(page) == given
    expect(page.locator("#team")).to_have_value("Data")
    expect(page.locator("#comment-comment_improve")).to_have_value("kept in this tab")
    shoot("02-swedish")


def test_answers_kept_in_the_tab_are_forgotten_once_stored(open_web_form, web_server):
    template = template_of(web_server)
    page, watch, shoot = open_web_form()
    page.locator("#team").select_option("Finance")
    click_answers(page, template, pattern(template, offset=7))
    submit_stored(page, "en")
    page.locator("main a", has_text=UI_TEXT["en"]["new_form"]).click()
    expect(page.locator("#submit")).to_be_visible()
    expect(page.locator("#progress")).to_have_text(f"0 of {len(template.items)} questions answered or skipped")
    assert checked(page) == {}
    expect(page.locator("#team")).to_have_value("")


# ---------------------------------------------------------------- locked down

def test_page_talks_to_its_own_server_only_and_sends_security_headers(open_web_form, web_server):
    template = template_of(web_server)
    page, watch, shoot = open_web_form()
    answer = page.reload()
    headers = answer.headers
    policy = [part.strip() for part in headers["content-security-policy"].split(";")]
    assert "frame-ancestors 'none'" in policy
    assert "default-src 'none'" in policy and "script-src 'self'" in policy and "style-src 'self'" in policy
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["referrer-policy"] == "no-referrer"

    page.locator("#team").select_option("Key Accounts")
    click_answers(page, template, pattern(template, offset=8))
    submit_stored(page, "en")
    hosts = {urlparse(url).netloc for url in watch.requested if urlparse(url).scheme in ("http", "https", "ws", "wss")}
    assert hosts == {web_server.host}, watch.requested
    assert any(urlparse(url).path == "/static/form.js" for url in watch.requested)


# ---------------------------------------------------------------- hostile texts

INJECTED = """() => ({
    title: document.title,
    images: document.querySelectorAll("img").length,
    scripts: [...document.scripts].filter(s => !s.src || s.textContent.includes("alert(1)")).length,
    handlers: [...document.querySelectorAll("[onerror]")].length,
})"""


def assert_inert(page):
    found = page.evaluate(INJECTED)
    assert "XSS" not in found["title"], found
    assert found["images"] == 0 and found["scripts"] == 0 and found["handlers"] == 0, found


def text_of(locator) -> str:
    return " ".join(locator.inner_text().replace("\xa0", " ").split())


def test_web_form_shows_hostile_template_texts_and_teams_as_text(open_web_hostile_form, web_hostile_server):
    from _hostile import IMG, SCRIPT, SMALL
    template = template_of(web_hostile_server)
    page, watch, shoot = open_web_hostile_form()
    shoot("01-opened")
    assert_inert(page)
    squash = lambda text: " ".join(text.split())  # noqa: E731
    assert squash(page.title()) == squash(template.title["en"])
    assert text_of(page.locator("h1")) == squash(template.title["en"])
    first = template.items[0]
    assert squash(first.text["en"]) in text_of(page.locator(f"#q-{first.id} legend"))
    assert text_of(page.locator(f"#scale-{template.scales[0].id}")) == squash(template.scales[0].title["en"])
    labels = page.locator(f"#q-{first.id} .choice:not(.skip) label").all_inner_texts()
    assert [squash(label) for label in labels] == [squash(label) for label in first.response_scale.labels["en"]]
    comment = template.comments[0]
    assert squash(comment.text["en"]) in text_of(page.locator(f"label[for='comment-{comment.id}']"))

    teams = page.locator("#team option").evaluate_all("options => options.map(o => o.text)")
    assert IMG in teams and SMALL in teams and SCRIPT not in teams     # SCRIPT is a department: a group label
    assert page.locator("#team optgroup").evaluate_all("gs => gs.map(g => g.label)").count(SCRIPT) == 1
    page.locator("#team").select_option(IMG)
    page.locator(f"#comment-{comment.id}").fill(f"{SCRIPT} {IMG}")
    assert_inert(page)
    submit_refused(page, watch)                                     # items missing: the form comes back
    shoot("02-missing")
    assert_inert(page)
    expect(page.locator("#team")).to_have_value(IMG)
    expect(page.locator(f"#comment-{comment.id}")).to_have_value(f"{SCRIPT} {IMG}")
    assert squash(page.title()) == squash(f"{UI_TEXT['en']['error_prefix']} {template.title['en']}")
