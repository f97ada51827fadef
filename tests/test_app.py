"""The served survey form (`assessment.app`), through the in-process ASGI client: what the page offers, what a
submission stores, and how it refuses bad, forged, oversized, repeated or late submissions."""

from __future__ import annotations

import os
import re
import time
import warnings

import pytest
from bs4 import BeautifulSoup

from assessment import app as web
from assessment.responding import ui_text
from assessment.store import COMMENT_LIMIT

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

BASE = "http://127.0.0.1:8866"


@pytest.fixture
def client(workspace):
    """The form for the `workspace` fixture's wave w1 (osa-core: English and Swedish, 4 teams)."""
    with TestClient(web.create_app(workspace.path, "w1"), base_url=BASE) as c:
        yield c


def soup(response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def token_of(response) -> str:
    return soup(response).find("input", {"name": "csrf_token"})["value"]


def full_answers(template, value_of=lambda item: item.response_scale.low) -> dict:
    return {f"item-{item.id}": str(value_of(item)) for item in template.items}


def post(client, fields: dict, lang: str = "en", page=None):
    """Open the form (or use `page`), then send `fields` with its token, as the browser would."""
    page = page or client.get("/", params={"lang": lang})
    return client.post("/", data={"csrf_token": token_of(page), "lang": lang, **fields}, follow_redirects=False)


def stored(workspace) -> int:
    return int(workspace.store._one("SELECT COUNT(*) FROM respondents"))


def summary_links(response) -> list[tuple[str, str]]:
    box = soup(response).find(class_="error-summary")
    return [(a.get_text(" ", strip=True), a["href"]) for a in box.find_all("a")] if box else []


# ---------------------------------------------------------------- the page

def test_each_item_is_a_fieldset_with_a_legend_and_native_radios_with_labels_and_a_skip_choice(client, workspace):
    page = soup(client.get("/"))
    template = workspace.store.wave_template("w1")
    fieldsets = page.find_all("fieldset")
    assert len(fieldsets) == len(template.items)
    for fieldset, item in zip(fieldsets, template.items):
        assert item.text["en"] in fieldset.legend.get_text()
        radios = fieldset.find_all("input", {"type": "radio"})
        assert [r["value"] for r in radios] == [str(v) for v in item.response_scale.values] + ["skip"]
        assert {r["name"] for r in radios} == {f"item-{item.id}"}
        for radio in radios:
            assert page.find("label", {"for": radio["id"]}).get_text(strip=True)
    assert fieldsets[0].find("label", {"for": fieldsets[0].input["id"]}).get_text() == \
        template.items[0].response_scale.labels["en"][0]


def test_the_team_is_a_select_of_leaf_teams_grouped_by_department(client):
    select = soup(client.get("/")).find("select", {"name": "team"})
    assert select["id"] == "team"
    groups = {g["label"]: [o["value"] for o in g.find_all("option")] for g in select.find_all("optgroup")}
    assert groups == {"Product": ["Data", "Platform"], "Sales": ["Sales North", "Sales South"]}
    assert select.option["value"] == ""          # the "choose your team" prompt comes first


def test_open_questions_language_switch_and_one_submit_button(client, workspace):
    page = soup(client.get("/"))
    template = workspace.store.wave_template("w1")
    assert [t["name"] for t in page.find_all("textarea")] == [f"comment-{c.id}" for c in template.comments]
    links = {a["hreflang"]: a["href"] for a in page.select("nav.languages a")}
    assert links == {"sv": "?lang=sv"}
    assert page.select_one("nav.languages [aria-current]").get_text() == "English"
    assert len(page.find_all("button")) == 1 and page.button["type"] == "submit"
    assert page.html["lang"] == "en"


def test_the_page_in_swedish(client, workspace):
    page = soup(client.get("/", params={"lang": "sv"}))
    template = workspace.store.wave_template("w1")
    assert page.html["lang"] == "sv"
    assert template.items[0].text["sv"] in page.legend.get_text()
    assert page.button.get_text(strip=True) == ui_text("sv", "submit")
    assert page.find("input", {"value": "skip"}).find_next("label").get_text() == ui_text("sv", "skip")


def test_an_unknown_language_falls_back_to_the_templates_own(client):
    assert soup(client.get("/", params={"lang": "xx"})).html["lang"] == "en"


def test_scales_with_many_points_show_numbers_and_their_end_labels_as_a_hint(client, workspace):
    item = next(i for i in workspace.store.wave_template("w1").items if i.response_scale.points > 7)
    fieldset = soup(client.get("/")).find("input", {"name": f"item-{item.id}"}).find_parent("fieldset")
    assert [label.get_text() for label in fieldset.find_all("label")][:3] == ["0", "1", "2"]
    hint = fieldset.find(class_="hint")
    assert item.response_scale.labels["en"][0] in hint.get_text() and hint["id"] in fieldset["aria-describedby"]


def test_the_page_loads_nothing_from_other_hosts_and_has_no_inline_script_or_style(client):
    page = soup(client.get("/"))
    for tag in page.find_all(["script", "link", "img", "iframe"]):
        address = tag.get("src") or tag.get("href") or ""
        assert address.startswith("/static/"), tag
    assert not [s for s in page.find_all("script") if s.string and s.string.strip()]
    assert not page.find_all("style") and not page.find_all(style=True)
    assert page.form["action"] == "/" and page.form["method"] == "post"


# ---------------------------------------------------------------- submitting

def test_a_full_submission_stores_exactly_the_answers_in_one_response(client, workspace):
    template = workspace.store.wave_template("w1")
    answers = {item.id: item.response_scale.high - n % 3 for n, item in enumerate(template.items)}
    skipped = template.items[4].id
    fields = {f"item-{i}": str(v) for i, v in answers.items()} | {f"item-{skipped}": "skip"}
    fields |= {"team": "Platform", "comment-comment_keep": "  Kaffe på fredagar.  "}
    answered = post(client, fields, lang="sv")
    assert answered.status_code == 303 and answered.headers["location"] == "/thanks?lang=sv"
    assert stored(workspace) == 1
    rows = workspace.store.answers("w1")
    assert set(rows["team"]) == {"Platform"}
    assert dict(zip(rows["item"], rows["value"])) == {i: v for i, v in answers.items() if i != skipped}
    respondent = workspace.store._all("SELECT language, source FROM respondents")
    assert respondent == [("sv", "form")]
    assert workspace.store.comments("w1")["text"].tolist() == ["Kaffe på fredagar."]


def test_the_thank_you_page_is_in_the_respondents_language(client):
    page = client.get("/thanks", params={"lang": "sv"})
    assert page.status_code == 200
    assert soup(page).h1.get_text() == ui_text("sv", "thanks_title")
    assert "thanks" in soup(page).body["class"]


def test_unanswered_items_give_a_summary_linking_to_each_and_a_message_at_each_and_keep_the_answers(client, workspace):
    template = workspace.store.wave_template("w1")
    fields = full_answers(template, lambda item: item.response_scale.low + 1)
    missing = [template.items[2].id, template.items[7].id]
    for item_id in missing:
        del fields[f"item-{item_id}"]
    refused = post(client, fields | {"team": "Data"})
    assert refused.status_code == 422 and stored(workspace) == 0
    assert summary_links(refused) == [(ui_text("en", "missing_question", number=3), f"#item-{missing[0]}-1"),
                                      (ui_text("en", "missing_question", number=8), f"#item-{missing[1]}-1")]
    page = soup(refused)
    assert page.title.get_text().startswith(ui_text("en", "error_prefix"))
    for item_id in missing:
        fieldset = page.find(id=f"item-{item_id}-1").find_parent("fieldset")
        assert fieldset.find(class_="error-message") and f"item-{item_id}-error" in fieldset["aria-describedby"]
    kept = page.find(id=f"item-{template.items[0].id}-2")
    assert kept.has_attr("checked") and page.find("option", {"value": "Data"}).has_attr("selected")


def test_no_team_is_refused_with_a_link_to_the_team_list(client, workspace):
    refused = post(client, full_answers(workspace.store.wave_template("w1")))
    assert refused.status_code == 422 and stored(workspace) == 0
    assert summary_links(refused) == [(ui_text("en", "missing_team"), "#team")]


@pytest.mark.parametrize("value", ["0", "6", "2.5", "", "abc"])
def test_a_value_that_is_not_one_of_the_choices_counts_as_unanswered(client, workspace, value):
    template = workspace.store.wave_template("w1")
    first = template.items[0]
    refused = post(client, full_answers(template) | {f"item-{first.id}": value, "team": "Data"})
    assert refused.status_code == 422 and stored(workspace) == 0
    assert summary_links(refused)[0][1] == f"#item-{first.id}-1"


def test_an_item_sent_twice_counts_as_unanswered(client, workspace):
    template = workspace.store.wave_template("w1")
    first = template.items[0]
    page = client.get("/")
    fields = [("csrf_token", token_of(page)), ("lang", "en"), ("team", "Data")]
    fields += [(name, value) for name, value in full_answers(template).items()] + [(f"item-{first.id}", "5")]
    body = "&".join(f"{k}={v}" for k, v in fields)
    refused = client.post("/", content=body, headers={"content-type": "application/x-www-form-urlencoded"},
                          follow_redirects=False)
    assert refused.status_code == 422 and stored(workspace) == 0


def test_an_unknown_team_is_refused(client, workspace):
    refused = post(client, full_answers(workspace.store.wave_template("w1")) | {"team": "Nobody's team"})
    assert refused.status_code == 422 and stored(workspace) == 0


def test_everything_skipped_and_no_comment_is_refused(client, workspace):
    template = workspace.store.wave_template("w1")
    refused = post(client, {f"item-{i.id}": "skip" for i in template.items} | {"team": "Data"})
    assert refused.status_code == 422 and stored(workspace) == 0
    assert summary_links(refused)[0][0] == ui_text("en", "nothing_answered")


def test_a_comment_over_the_limit_is_refused_with_a_link_to_it(client, workspace):
    template = workspace.store.wave_template("w1")
    refused = post(client, full_answers(template) | {"team": "Data", "comment-comment_improve": "x" * (COMMENT_LIMIT + 1)})
    assert refused.status_code == 422 and stored(workspace) == 0
    assert summary_links(refused)[-1][1] == "#comment-comment_improve"
    assert str(COMMENT_LIMIT) in summary_links(refused)[-1][0]


def test_two_submissions_from_one_page_are_two_respondents(client, workspace):
    """No server-side session: the form does not know who sent it (a kiosk's next person uses the same page)."""
    template = workspace.store.wave_template("w1")
    page = client.get("/")
    for _ in range(2):
        assert post(client, full_answers(template) | {"team": "Data"}, page=page).status_code == 303
    assert stored(workspace) == 2


# ---------------------------------------------------------------- forged and late submissions

def test_a_submission_without_the_cookie_is_refused(client, workspace):
    template = workspace.store.wave_template("w1")
    token = token_of(client.get("/"))
    client.cookies.clear()
    refused = client.post("/", data={"csrf_token": token, "lang": "sv", "team": "Data", **full_answers(template)},
                          follow_redirects=False)
    assert refused.status_code == 403 and stored(workspace) == 0
    assert soup(refused).h1.get_text() == ui_text("sv", "expired_title")


@pytest.mark.parametrize("forge", [
    lambda token: "",
    lambda token: token[:-1] + ("0" if token[-1] != "0" else "1"),            # signature changed
    lambda token: f"{int(token.split('.')[0]) + 3600}.{token.split('.')[1]}.{token.split('.')[2]}",   # time changed
])
def test_a_forged_token_is_refused(client, workspace, forge):
    template = workspace.store.wave_template("w1")
    token = forge(token_of(client.get("/")))
    client.cookies.set(web.CSRF_COOKIE, token)
    refused = client.post("/", data={"csrf_token": token, "team": "Data", **full_answers(template)},
                          follow_redirects=False)
    assert refused.status_code == 403 and stored(workspace) == 0


def test_a_token_from_another_workspace_is_refused(client, workspace, tmp_path):
    from assessment.workspace import Workspace
    other = Workspace.create(tmp_path / "other", template="osa-core", wave="w1")
    other.store.add_team("Data", "Product")
    other.close()
    with TestClient(web.create_app(tmp_path / "other", "w1"), base_url=BASE) as elsewhere:
        token = token_of(elsewhere.get("/"))
    client.cookies.set(web.CSRF_COOKIE, token)
    refused = client.post("/", data={"csrf_token": token, "team": "Data",
                                     **full_answers(workspace.store.wave_template("w1"))}, follow_redirects=False)
    assert refused.status_code == 403 and stored(workspace) == 0


def test_an_old_token_is_refused(client, workspace, monkeypatch):
    template = workspace.store.wave_template("w1")
    page = client.get("/")
    monkeypatch.setattr(web.time, "time", lambda: time.time_ns() // 10**9 + web.CSRF_MAX_AGE + 60)
    refused = post(client, full_answers(template) | {"team": "Data"}, page=page)
    assert refused.status_code == 403 and stored(workspace) == 0


def test_the_cookie_is_http_only_and_same_site_strict(client):
    cookie = client.get("/").headers["set-cookie"]
    assert cookie.startswith(f"{web.CSRF_COOKIE}=") and "HttpOnly" in cookie and "SameSite=strict" in cookie


def test_a_closed_wave_shows_a_closed_page_and_stores_nothing(client, workspace, monkeypatch):
    page = client.get("/", params={"lang": "sv"})
    workspace.store.set_wave_status("w1", "closed")
    monkeypatch.setattr(web, "FACTS_SECONDS", 0)
    refused = post(client, full_answers(workspace.store.wave_template("w1")) | {"team": "Data"}, lang="sv", page=page)
    assert refused.status_code == 409 and stored(workspace) == 0
    assert ui_text("sv", "closed") in refused.text
    closed = client.get("/", params={"lang": "sv"})
    assert closed.status_code == 200 and not soup(closed).form
    assert soup(closed).h1.get_text() == ui_text("sv", "closed_title")


def test_a_body_over_the_limit_is_refused_before_it_is_read_whole(client, workspace):
    template = workspace.store.wave_template("w1")
    page = client.get("/")
    big = {"comment-comment_keep": "å" * 400_000}
    refused = client.post("/", data={"csrf_token": token_of(page), "team": "Data", **full_answers(template), **big},
                          follow_redirects=False)
    assert refused.status_code == 413 and stored(workspace) == 0
    assert soup(refused).h1.get_text() == ui_text("en", "too_large_title")


def test_a_body_that_is_not_a_form_is_refused(client, workspace):
    refused = client.post("/", json={"team": "Data"}, follow_redirects=False)
    assert refused.status_code == 400 and stored(workspace) == 0


# ---------------------------------------------------------------- one-time codes

@pytest.fixture
def codes(workspace) -> list[str]:
    return workspace.store.issue_codes("w1", "Sales North", 2)


def test_with_codes_the_page_asks_for_a_code_instead_of_the_team(codes, client):
    page = soup(client.get("/"))
    assert page.find("input", {"name": "code"}) and not page.find("select")


def test_a_code_stores_the_answers_with_its_team_and_is_spent(codes, client, workspace):
    answered = post(client, full_answers(workspace.store.wave_template("w1")) | {"code": codes[0].lower()})
    assert answered.status_code == 303
    assert set(workspace.store.answers("w1")["team"]) == {"Sales North"}
    assert workspace.store.code_counts("w1")["used"].tolist() == [1]


def test_a_used_code_is_refused_in_the_respondents_language(codes, client, workspace):
    template = workspace.store.wave_template("w1")
    assert post(client, full_answers(template) | {"code": codes[0]}).status_code == 303
    refused = post(client, full_answers(template) | {"code": codes[0]}, lang="sv")
    assert refused.status_code == 422 and stored(workspace) == 1
    assert summary_links(refused) == [(ui_text("sv", "code_used"), "#code")]
    assert soup(refused).find("input", {"name": "code"})["value"] == codes[0]


def test_an_unknown_code_is_refused(codes, client, workspace):
    refused = post(client, full_answers(workspace.store.wave_template("w1")) | {"code": "AAAAA-BBBBB"})
    assert refused.status_code == 422 and stored(workspace) == 0
    assert summary_links(refused) == [(ui_text("en", "code_unknown"), "#code")]


def test_a_missing_code_is_refused(codes, client, workspace):
    refused = post(client, full_answers(workspace.store.wave_template("w1")))
    assert refused.status_code == 422 and summary_links(refused) == [(ui_text("en", "missing_code"), "#code")]


def test_after_too_many_wrong_codes_a_client_must_wait_even_with_a_good_code(codes, client, workspace):
    template = workspace.store.wave_template("w1")
    for n in range(web.CODE_FAILURES):
        assert post(client, full_answers(template) | {"code": f"WRONG-{n:05d}"}).status_code == 422
    refused = post(client, full_answers(template) | {"code": codes[0]}, lang="sv")
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert stored(workspace) == 0 and workspace.store.code_counts("w1")["used"].tolist() == [0]
    assert "minuter" in summary_links(refused)[0][0]


def test_codes_issued_after_the_page_was_opened_turn_the_form_into_code_mode(client, workspace, monkeypatch):
    page = client.get("/")
    workspace.store.issue_codes("w1", "Data", 1)
    refused = post(client, full_answers(workspace.store.wave_template("w1")) | {"team": "Data"}, page=page)
    assert refused.status_code == 422 and stored(workspace) == 0
    assert summary_links(refused) == [(ui_text("en", "codes_now"), "#code")]
    assert soup(refused).find("input", {"name": "code"})


# ---------------------------------------------------------------- nothing but the form

@pytest.mark.parametrize("path", ["/docs", "/api/kernels", "/voila/render/survey.ipynb", "/static/../../assessment.db",
                                  "/static/form.css/..%2f..%2fapp.py", "/assessment.db", "/tree"])
def test_only_the_forms_own_routes_and_files_are_served(client, path):
    answer = client.get(path)
    assert answer.status_code == 404
    assert soup(answer).h1.get_text() == ui_text("en", "not_found_title")


@pytest.mark.parametrize("path", ["/", "/thanks", "/static/form.css", "/static/form.js", "/missing", "/health"])
def test_every_response_carries_the_security_headers(client, path):
    headers = client.get(path).headers
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy and "script-src 'self'" in policy
    assert headers["x-content-type-options"] == "nosniff" and headers["referrer-policy"] == "no-referrer"


def test_form_pages_are_not_cached(client):
    assert client.get("/").headers["cache-control"] == "no-store"


def test_a_method_the_route_does_not_take_is_refused(client):
    assert client.put("/").status_code == 405 and client.post("/thanks").status_code == 405


def test_an_unexpected_failure_shows_a_plain_page_never_a_traceback(workspace, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("secret internal detail")
    monkeypatch.setattr(web, "submit_response", broken)
    with TestClient(web.create_app(workspace.path, "w1"), base_url=BASE, raise_server_exceptions=False) as c:
        failed = post(c, full_answers(workspace.store.wave_template("w1")) | {"team": "Data"}, lang="sv")
    assert failed.status_code == 500
    assert "secret internal detail" not in failed.text and "Traceback" not in failed.text
    assert soup(failed).h1.get_text() == ui_text("en", "error_page_title")


def test_the_static_files_are_the_forms_own(client):
    assert client.get("/static/form.js").headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert re.search(r"/static/form\.css\?v=\w+", client.get("/").text)


# ---------------------------------------------------------------- served by uvicorn, several worker processes

@pytest.fixture
def served_with_codes(workspace, tmp_path):
    """`assessment serve WS --workers 2` (real processes) on the workspace, with 2 codes for Sales North."""
    from _servers import served_form
    codes = workspace.store.issue_codes("w1", "Sales North", 2)
    with served_form(workspace.path, tmp_path) as (url, process):
        yield url, codes, process


def test_two_worker_processes_take_one_code_once_when_it_is_sent_many_times_at_once(served_with_codes, workspace):
    import threading

    import httpx
    url, codes, process = served_with_codes
    children = [p for p in os.listdir("/proc") if p.isdigit() and _parent_of(p) == process.pid]
    assert len(children) >= 2          # uvicorn's worker processes (and its process manager's helpers)
    template = workspace.store.wave_template("w1")
    senders, statuses = 16, []
    ready = threading.Barrier(senders)

    def send():
        with httpx.Client(base_url=url, timeout=60) as c:
            page = c.get("/")
            fields = {"csrf_token": token_of(page), "lang": "en", "code": codes[0], **full_answers(template)}
            ready.wait()
            statuses.append(c.post("/", data=fields).status_code)

    threads = [threading.Thread(target=send) for _ in range(senders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [303] + [422] * (senders - 1)
    assert stored(workspace) == 1
    assert workspace.store.code_counts("w1")["used"].tolist() == [1]


def _parent_of(pid: str) -> int | None:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return int(stat.read().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


def test_the_cached_form_is_the_same_page_with_the_same_headers_and_a_fresh_token(client):
    first, second = client.get("/", params={"lang": "sv"}), client.get("/", params={"lang": "sv"})
    assert token_of(first) == token_of(second)          # the browser's cookie carries the token it was given
    assert first.text == second.text
    client.cookies.clear()
    third = client.get("/", params={"lang": "sv"})
    assert token_of(third) != token_of(first)
    assert third.text.replace(token_of(third), "T") == first.text.replace(token_of(first), "T")
    for name in ("content-security-policy", "x-content-type-options", "referrer-policy", "cache-control",
                 "content-type", "set-cookie"):
        assert first.headers[name].replace(token_of(first), "T") == third.headers[name].replace(token_of(third), "T")


@pytest.mark.parametrize("body", [b"", b"a=1&b=&c", b"a=1&a=2", b"x%20y=%C3%A5+%26+b", b"item-e1=3&comment-c=1%2B1%3D2",
                                  "å=ä".encode(), b"%ZZ=1"])
def test_the_form_parser_reads_what_the_standard_one_reads(body):
    from urllib.parse import parse_qs
    assert web._form_fields(body) == parse_qs(body.decode(), keep_blank_values=True)
