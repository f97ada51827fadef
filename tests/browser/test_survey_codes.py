"""The served survey form in code mode (the wave has one-time invitation codes), in Chromium.

A respondent types the code from their invitation instead of choosing a team: the form names the
code's team at once, stores the answers with that team and spends the code; the same code again is
refused on the page and stores nothing. The other browser tests use a workspace without codes.
"""

from __future__ import annotations

import pytest

from formhelpers import added_comments, answer_every_item, expect, stored, template_of

from assessment.widgets import UI_TEXT
from assessment.workspace import Workspace

pytestmark = pytest.mark.browser



def codes_used(server) -> dict:
    with Workspace(server.workspace) as ws:
        counts = ws.store.code_counts(server.wave)
    return {row.team: int(row.used) for row in counts.itertuples(index=False)}


def enter_code(page, code: str):
    """Type the code and leave the field, as a respondent would (the form checks it then)."""
    field = page.locator(".survey-code input")
    field.fill(code)
    field.press("Tab")


def test_a_code_submits_once_with_its_team(open_code_form, code_server):
    template = template_of(code_server)
    code = code_server.codes["Platform"][0]
    before, comments_before = stored(code_server)
    used_before = codes_used(code_server)
    page, watch, shoot = open_code_form()

    # the code field instead of the team dropdown
    expect(page.locator(".survey-code input")).to_be_visible()
    expect(page.locator(".survey-team")).to_have_count(0)
    expect(page.locator(".survey-code-field")).to_contain_text(UI_TEXT["en"]["code_intro"])
    shoot("01-opened")

    # a wrong code is named at once, before any answer is given
    enter_code(page, "ABCDE-FGHJK")
    expect(page.locator(".survey-code-status.error")).to_contain_text(UI_TEXT["en"]["code_unknown"])
    shoot("02-wrong-code")

    # the right one (typed in lower case, without the dash) shows its team
    enter_code(page, code.lower().replace("-", ""))
    expect(page.locator(".survey-code-status.ok")).to_have_text(
        UI_TEXT["en"]["code_team"].format(team="Platform (Product)"))
    expect(page.locator(".survey-code-status.error")).to_have_count(0)
    answers = answer_every_item(page, template, offset=2)
    page.locator(".comment-comment_keep textarea").fill("Code mode works")
    shoot("03-answered")
    watch.check()

    page.locator(".survey-submit").click()
    expect(page.locator(".survey-message.success")).to_contain_text(UI_TEXT["en"]["thank_you"])
    # cleared for the next person: no code, no team, no answers
    expect(page.locator(".survey-code input")).to_have_value("")
    expect(page.locator(".survey-code-status")).to_have_text("")
    expect(page.locator(".survey-options .mod-active")).to_have_count(0)
    shoot("04-submitted")

    after, comments_after = stored(code_server)
    new = set(after) - set(before)
    assert len(new) == 1
    respondent = after[new.pop()]
    assert respondent["team"] == "Platform" and respondent["answers"] == answers
    assert added_comments(comments_before, comments_after) == [["Platform", "comment_keep", "Code mode works"]]
    used = codes_used(code_server)
    assert used["Platform"] == used_before["Platform"] + 1 and used["Mobile"] == used_before["Mobile"]

    # the same code again: refused as soon as it is entered, and again on Submit; nothing stored
    enter_code(page, code)
    expect(page.locator(".survey-code-status.error")).to_contain_text(UI_TEXT["en"]["code_used"])
    answer_every_item(page, template, offset=0)
    page.locator(".comment-comment_improve textarea").fill("second try")
    page.locator(".survey-submit").click()
    message = page.locator(".survey-message.error")
    expect(message).to_contain_text(UI_TEXT["en"]["not_saved"])
    expect(message).to_contain_text(UI_TEXT["en"]["code_used"])
    expect(page.locator(".survey-code.survey-missing")).to_have_count(1)
    shoot("05-used-code-refused")

    # ... in Swedish too
    page.locator(".survey-language button", has_text="Svenska").click()
    expect(message).to_contain_text(UI_TEXT["sv"]["code_used"])
    expect(page.locator(".survey-code-status.error")).to_contain_text(UI_TEXT["sv"]["code_used"])
    shoot("06-used-code-swedish")

    assert stored(code_server)[0] == after
    assert len(stored(code_server)[1]) == len(comments_after)
    assert codes_used(code_server) == used
    # what the respondent entered is still there
    expect(page.locator(".comment-comment_improve textarea")).to_have_value("second try")
    watch.check()
