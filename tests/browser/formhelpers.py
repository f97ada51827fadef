"""Helpers for the browser tests of the survey form: read the served workspace, answer as a respondent would."""

from __future__ import annotations

import re

from assessment.workspace import Workspace


def expect(*args, **kwargs):
    """Playwright's `expect`, imported when a test uses it, not when the module is collected: a test that drives a
    page has asked for chromium_browser, whose `browser_available` (tests/conftest.py) fails it under CI when
    Playwright or Chromium is missing and skips it elsewhere."""
    from playwright.sync_api import expect as playwright_expect
    return playwright_expect(*args, **kwargs)


def template_of(server):
    with Workspace(server.workspace) as ws:
        return ws.store.wave_template(server.wave)


def stored(server) -> dict:
    """{respondent: {"team", "language", "answers": {item: value}}} and the comments, read with a fresh Workspace."""
    with Workspace(server.workspace) as ws:
        store = ws.store
        people = store.frame("SELECT r.respondent_id, t.name, r.language FROM respondents r "
                             "JOIN teams t ON r.team_id = t.team_id WHERE r.wave_id = ?", (store.wave_id(server.wave),))
        result = {int(r.respondent_id): {"team": r.name, "language": r.language, "answers": {}}
                  for r in people.itertuples(index=False)}
        for row in store.answers(server.wave).itertuples(index=False):
            result[int(row.respondent)]["answers"][row.item] = int(row.value)
        comments = store.comments(server.wave)
    return result, comments


def answer_every_item(page, template, offset: int) -> dict:
    """Click one answer per item (a varied pattern), as a respondent would; returns item -> value."""
    answers = {}
    for n, item in enumerate(template.items):
        values = item.response_scale.values
        index = (n * 3 + offset) % len(values)
        page.locator(f".item-{item.id} .survey-options button").nth(index).click()
        answers[item.id] = values[index]
    total = len(template.items)
    expect(page.locator(".survey-options .mod-active")).to_have_count(total)
    # the kernel has applied every click when it reports the count back ("31 of 31 ...", "31 av 31 ...")
    expect(page.locator(".survey-progress .widget-html-content")).to_have_text(re.compile(rf"^{total} \w+ {total} "))
    return answers


def choose_team(page, label: str):
    page.locator(".survey-team select").select_option(label=label)


def added_comments(before, after) -> list:
    """The (team, question, text) rows in `after` and not in `before`: comments are stored in random
    order (nothing follows submission order), so the new ones are found by difference, not by position."""
    from collections import Counter
    rows = lambda frame: Counter(map(tuple, frame[["team", "question", "text"]].values.tolist()))  # noqa: E731
    return [list(row) for row in (rows(after) - rows(before)).elements()]
