"""The served survey form in Chromium: answer, submit, and check what the store holds.

Run with `pytest tests/browser` (Debian's chromium; never `playwright install`). Screenshots of every
step are saved in the folder printed at the start.
"""

from __future__ import annotations

import json
import uuid

import pytest

from formhelpers import added_comments, answer_every_item, choose_team, expect, stored, template_of

pytestmark = pytest.mark.browser



def test_answer_in_swedish_and_submit(open_form, server):
    template = template_of(server)
    before, comments_before = stored(server)
    page, watch, shoot = open_form()
    shoot("01-opened")
    expect(page.locator(".survey-header h1")).to_have_text(template.title["en"])
    assert "SurveyForm.for_workspace" not in page.content()          # sources are stripped

    page.locator(".survey-language button", has_text="Svenska").click()
    first = template.items[0]
    expect(page.locator(f".item-{first.id} .survey-item-text")).to_contain_text(first.text["sv"])
    expect(page.locator(".survey-header h1")).to_have_text(template.title["sv"])
    expect(page.locator(".survey-submit")).to_have_text("Skicka")
    shoot("02-swedish")

    choose_team(page, "Platform (Product)")
    answers = answer_every_item(page, template, offset=1)
    expect(page.locator(".survey-progress")).to_contain_text(f"{len(answers)} av {len(answers)}")
    comment = f"Bra kollegor och tydliga mål – {uuid.uuid4().hex[:8]}"
    page.locator(".comment-comment_keep textarea").fill(comment)
    shoot("03-answered")
    watch.check()

    page.locator(".survey-submit").click()
    expect(page.locator(".survey-message.success")).to_contain_text("Tack")
    shoot("04-submitted")

    after, comments_after = stored(server)
    new = set(after) - set(before)
    assert len(new) == 1
    respondent = after[new.pop()]
    assert respondent["team"] == "Platform"
    assert respondent["language"] == "sv"
    assert respondent["answers"] == answers
    assert added_comments(comments_before, comments_after) == [["Platform", "comment_keep", comment]]

    # cleared for the next respondent, still in Swedish
    expect(page.locator(".survey-options .mod-active")).to_have_count(0)
    expect(page.locator(".comment-comment_keep textarea")).to_have_value("")
    expect(page.locator(".survey-team select")).to_have_value("— välj ditt team —")
    expect(page.locator(".survey-progress")).to_contain_text(f"0 av {len(answers)}")
    watch.check()


def test_two_respondents_submit_at_once(open_form, server):
    template = template_of(server)
    before, _ = stored(server)
    first, first_watch, first_shot = open_form()
    second, second_watch, second_shot = open_form()
    choose_team(first, "Mobile (Product)")
    first_answers = answer_every_item(first, template, offset=0)
    first.locator(".comment-comment_improve textarea").fill("Fewer meetings on Fridays")
    choose_team(second, "Legal (Operations)")
    second_answers = answer_every_item(second, template, offset=2)
    first_shot("filled")
    second_shot("filled")

    # both submit buttons, without waiting in between
    first.locator(".survey-submit").click(no_wait_after=True)
    second.locator(".survey-submit").click(no_wait_after=True)
    expect(first.locator(".survey-message.success")).to_be_visible()
    expect(second.locator(".survey-message.success")).to_be_visible()
    first_shot("submitted")
    second_shot("submitted")

    after, _ = stored(server)
    new = {after[r]["team"]: after[r]["answers"] for r in set(after) - set(before)}
    assert new == {"Mobile": first_answers, "Legal": second_answers}
    first_watch.check()
    second_watch.check()


def test_incomplete_form_shows_what_is_missing_and_stores_nothing(open_form, server):
    template = template_of(server)
    before, comments_before = stored(server)
    page, watch, shoot = open_form()
    for item in template.items[:3]:
        page.locator(f".item-{item.id} .survey-options button").first.click()
    page.locator(f".item-{template.items[3].id} .survey-options button").last.click()     # skip one
    page.locator(".comment-comment_keep textarea").fill("not complete yet")
    expect(page.locator(".survey-progress")).to_contain_text(f"4 of {len(template.items)}")

    page.locator(".survey-submit").click()
    message = page.locator(".survey-message.error")
    expect(message).to_be_visible()
    expect(message).to_contain_text("Your answers have not been saved yet.")
    expect(message).to_contain_text("Choose your team.")
    missing = len(template.items) - 4
    expect(message).to_contain_text(f"Answer or skip {missing} more question")
    expect(message).to_contain_text(template.items[4].text["en"])
    expect(page.locator(".survey-item.survey-missing")).to_have_count(missing)
    expect(page.locator(f".item-{template.items[0].id}.survey-missing")).to_have_count(0)
    shoot("refused")

    after, comments_after = stored(server)
    assert after == before
    assert len(comments_after) == len(comments_before)
    # what the respondent entered is still there
    expect(page.locator(".comment-comment_keep textarea")).to_have_value("not complete yet")
    expect(page.locator(".survey-options .mod-active")).to_have_count(4)
    watch.check()


def test_page_cannot_run_code_in_the_kernel(open_form, server, tmp_path):
    """The kernel websocket passes widget (comm) messages only: an execute_request from the page is dropped."""
    page, watch, shoot = open_form()
    marker = tmp_path / "executed-from-the-page"
    kernel_id = json.loads(page.locator("#jupyter-config-data").text_content())["kernelId"]
    replies = page.evaluate("""async ([kernelId, code]) => {
        const session = crypto.randomUUID();
        const url = `ws://${location.host}/api/kernels/${kernelId}/channels?session_id=${session}`;
        const ws = new WebSocket(url);
        const seen = [];
        ws.onmessage = (event) => { try { seen.push(JSON.parse(event.data).header.msg_type); } catch (e) {} };
        await new Promise((resolve, reject) => { ws.onopen = resolve; ws.onerror = reject; });
        const send = (msg_type, content) => ws.send(JSON.stringify({
            header: {msg_id: crypto.randomUUID(), msg_type, username: "", session, date: new Date().toISOString(),
                     version: "5.3"},
            parent_header: {}, metadata: {}, content, channel: "shell", buffers: []}));
        send("execute_request", {code, silent: false, store_history: false, user_expressions: {},
                                 allow_stdin: false, stop_on_error: true});
        send("kernel_info_request", {});
        await new Promise((resolve) => setTimeout(resolve, 3000));
        ws.close();
        return seen;
    }""", [kernel_id, f"open({str(marker)!r}, 'w').write('x')"])
    assert "kernel_info_reply" in replies          # the channel works ...
    assert "execute_reply" not in replies          # ... but code is never run
    assert not marker.exists()
    watch.check()
