"""The running servers expose their one notebook's page and nothing else (plain HTTP against the real server).

No other notebook, no file browser, no JupyterLab, no contents/kernels/sessions/terminals API, no file
from the notebook folder, no way to the workspace's database, and no way to start a kernel or run code
except by opening the page. Each test names the setting that makes it pass; every probe is sent to the
form server (what respondents reach) and to the dashboard server.

Every path but "/" is answered by Voilà's single-notebook mode (`voila_command` passes a notebook, never a
folder) with a redirect to /voila/files/<path>, which `file_allowlist: []` / `file_denylist: [".*"]`
in voila.json refuse (403). Requests are sent as written (http.client: no "../" normalising) and
redirects are followed on the same host only.
"""

from __future__ import annotations

import html
import http.client
import json
import os
import re
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from assessment import serve as serving

pytestmark = pytest.mark.browser

REDIRECTS = (301, 302, 303, 307, 308)


@pytest.fixture(params=["form", "dashboard"])
def any_server(request):
    """The form server (without codes) and the dashboard server, in turn."""
    return request.getfixturevalue("server" if request.param == "form" else "dashboard_server")


def fetch(server, path: str, method: str = "GET", headers: dict | None = None, body: bytes | None = None,
          hops: int = 5):
    """(final status, final body, [(method, path, status), ...]) for `path` sent exactly as written."""
    trail = []
    for _ in range(hops + 1):
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
        try:
            connection.putrequest(method, path, skip_accept_encoding=True)
            for name, value in {**(headers or {}), "Content-Length": str(len(body or b""))}.items():
                connection.putheader(name, value)
            connection.endheaders(body)
            answer = connection.getresponse()
            data = answer.read()
        finally:
            connection.close()
        trail.append((method, path, answer.status))
        location = answer.getheader("Location")
        if answer.status in REDIRECTS and location:
            target = urlsplit(location)
            assert target.netloc in ("", server.host), f"{path} redirects to another host: {location}"
            path = target.path + (f"?{target.query}" if target.query else "")
            method, body = ("GET", None) if answer.status in (301, 302, 303) else (method, body)
            continue
        return answer.status, data, trail
    raise AssertionError(f"too many redirects: {trail}")


def page_path(server, query: str = "") -> str:
    """The page's path with `query`, plus the token of HR's link on the dashboard server (which shows
    nothing without one)."""
    token = parse_qs(urlsplit(server.page_url).query).get("token", [])
    parts = [q for q in (query, f"token={quote(token[0], safe='')}" if token else "") if q]
    return "/?" + "&".join(parts) if parts else "/"


def secrets(server) -> dict[bytes, str]:
    """Byte strings that must never be in an answer, and what their presence would mean."""
    found = {
        b"SQLite format 3": "database bytes",
        b'"nbformat"': "notebook JSON",
        b'"cell_type"': "notebook JSON",
        b"SurveyForm.for_workspace": "the survey notebook's code",
        b"Dashboard(workspace": "the dashboard notebook's code",
        b"ASSESSMENT_WORKSPACE": "a notebook's code",
        b'"type": "directory"': "a file listing",
        b'"type":"directory"': "a file listing",
        b"Traceback": "a traceback",
        str(server.workspace).encode(): "the workspace's path",
        server.database.read_bytes()[:100]: "the database file",
    }
    for name in ("workspace.yaml", "template.yaml"):
        text = (server.workspace / name).read_bytes()
        found[text[:80]] = f"the workspace's {name}"
    return found


def refused(server, probes, method: str = "GET", headers: dict | None = None, body: bytes | None = None) -> list[str]:
    """Problems: a probe that was not refused (4xx/5xx) or whose answer holds something it must not."""
    problems = []
    markers = secrets(server)
    for path in probes:
        status, data, trail = fetch(server, path, method, headers, body)
        if status < 400:
            problems.append(f"{method} {path} -> {status} (not refused): {trail}")
        for marker, meaning in markers.items():
            if marker and marker in data:
                problems.append(f"{method} {path} -> {status} shows {meaning}: {trail}")
    return problems


# ------------------------------------------------------------------ other notebooks, file browser, lab, APIs

OTHER_PAGES = [
    # Voilà serves a tree (/voila/tree, /voila/render/<any notebook>, /voila/api/contents) only when given a
    # folder; `voila_command` gives it one notebook, so each of these is redirected to /voila/files/ (refused)
    "/tree", "/tree/", "/voila/tree", "/voila/tree/", "/voila/tree/notebooks", "/voila/render/dashboard.ipynb",
    "/voila/render/admin.ipynb", "/voila/render/report.ipynb", "/voila/render/survey.ipynb",
    "/voila/api/contents", "/voila/api/contents/admin.ipynb",
    "/notebooks/survey.ipynb", "/notebooks/dashboard.ipynb", "/notebooks/admin.ipynb",
    "/survey.ipynb", "/dashboard.ipynb", "/admin.ipynb", "/report.ipynb",
    # JupyterLab, the classic views and the Jupyter server's REST API are not in Voilà's standalone server
    "/lab", "/lab/", "/lab/tree/admin.ipynb", "/lab/api/settings", "/edit/admin.ipynb", "/view/admin.ipynb",
    "/nbconvert/html/admin.ipynb", "/api", "/api/status", "/api/me", "/api/config/notebook",
    "/api/contents", "/api/contents/", "/api/contents/notebooks", "/api/contents/admin.ipynb",
    "/api/contents/survey.ipynb?content=1", "/api/kernels", "/api/kernelspecs", "/api/sessions",
    "/api/terminals", "/terminals", "/terminals/1", "/terminals/websocket/1", "/api/nbconvert",
    "/api/kernels/00000000-0000-0000-0000-000000000000", "/api/kernels/00000000-0000-0000-0000-000000000000/channels",
    # progressive rendering's execution endpoint and preheating's query endpoint (both off in voila.json)
    "/voila/execution/00000000-0000-0000-0000-000000000000", "/voila/query/00000000-0000-0000-0000-000000000000",
]


def test_no_other_notebook_file_browser_lab_or_api(any_server):
    assert refused(any_server, OTHER_PAGES) == []


def test_each_server_shows_its_own_notebook_only(any_server):
    # one notebook per server (`voila_command(..., notebook=...)`): the respondents' form server has no way to
    # the leaders' dashboard, and the dashboard server none to the form
    other = "dashboard" if any_server.kind == "form" else "survey"
    probes = [f"/voila/render/{other}.ipynb", f"/{other}.ipynb", f"/voila/files/{other}.ipynb",
              f"/notebooks/{other}.ipynb", f"/voila/tree/{other}.ipynb", f"/voila/render/{other}",
              f"/voila/render/../{other}.ipynb", f"/voila/render/%2e%2e/notebooks/{other}.ipynb"]
    assert refused(any_server, probes) == []
    # the page itself is the server's own notebook, whatever the address asks for
    status, page, _ = fetch(any_server, page_path(any_server, f"notebook={other}.ipynb&path={other}.ipynb&file={other}.ipynb"))
    assert status == 200
    title = html.unescape(re.search(r"<title>(.*?)</title>", page.decode("utf-8"), re.S).group(1).strip())
    if any_server.kind == "form":
        assert title == "Survey" and b"Work environment dashboard" not in page
    else:
        assert title == "Leaders' dashboard" and b"Work environment dashboard" in page


# ------------------------------------------------------------------ files

NOTEBOOK_FILES = [
    # `file_allowlist: []` and `file_denylist: [".*"]` in voila.json: /voila/files/ serves nothing from the
    # notebook folder (Voilà's default allowlist would serve images from it)
    "/voila/files/survey.ipynb", "/voila/files/dashboard.ipynb", "/voila/files/admin.ipynb",
    "/voila/files/report.ipynb", "/voila/files/", "/voila/files/.", "/voila/files/./survey.ipynb",
    "/voila/files/SURVEY.IPYNB", "/voila/files/survey.ipynb%00.png", "/voila/files/survey.ipynb?.png",
    "/voila/files/../pyproject.toml", "/voila/files/../assessment/serve.py", "/voila/files/%2e%2e/pyproject.toml",
    "/voila/files/../assessment/_static/voila/voila.json",
    # and there is no /files/ handler at all (redirected to /voila/files/files/..., refused)
    "/files/survey.ipynb", "/files/admin.ipynb", "/files/notebooks/survey.ipynb", "/files/",
]


def test_no_files_from_the_notebook_folder(any_server):
    assert refused(any_server, NOTEBOOK_FILES) == []


def database_probes(server) -> list[str]:
    """Every way to name the workspace's database file I could think of, from every handler that serves files."""
    db = server.database.resolve()
    absolute = str(db).lstrip("/")
    from_notebooks = os.path.relpath(db, serving.NOTEBOOKS_DIR)
    up = "../" * 14 + absolute                      # enough "../" to reach / from any static root
    spellings = [up, up.replace("../", "..%2f"), up.replace("../", "%2e%2e/"), up.replace("../", "%2e%2e%2f"),
                 up.replace("../", "..%5c"), up.replace("../", "....//"), quote(up, safe=""),
                 "/" + absolute, "%2f" + quote(absolute, safe=""), absolute, from_notebooks,
                 from_notebooks.replace("../", "%2e%2e/")]
    prefixes = ["/voila/files/", "/files/", "/voila/static/", "/voila/templates/osa-survey/static/",
                "/voila/templates/lab/static/", "/voila/labextensions/", "/voila/api/themes/", "/api/contents/",
                "/voila/render/", "/voila/tree/", "/"]
    probes = [prefix + spelling for prefix in prefixes for spelling in spellings]
    probes += ["/assessment.db", "/demo/assessment.db", "/voila/files/assessment.db", "/voila/files/demo/assessment.db",
               "/voila/static/assessment.db", "/workspace.yaml", "/voila/files/workspace.yaml",
               f"/voila/files/{from_notebooks}?download=1", f"/voila/files/{from_notebooks}-journal",
               f"/voila/files/{from_notebooks}-wal"]
    return probes


def test_no_way_to_the_workspace_database(any_server):
    # the database lives in the workspace, outside the notebook folder Voilà serves from (tornado refuses a
    # path that leaves its root), and /voila/files/ refuses everything anyway (file_denylist ".*")
    probes = database_probes(any_server)
    assert len(probes) > 100
    assert refused(any_server, probes) == []


# ------------------------------------------------------------------ kernels, sessions, terminals, contents

WRITES = [("POST", "/api/kernels"), ("POST", "/api/kernels/00000000-0000-0000-0000-000000000000/restart"),
          ("POST", "/api/sessions"), ("POST", "/api/terminals"), ("POST", "/api/contents/notebooks"),
          ("PUT", "/api/contents/notebooks/new.ipynb"), ("PATCH", "/api/contents/survey.ipynb"),
          ("DELETE", "/api/contents/survey.ipynb"), ("POST", "/voila/render/admin.ipynb"), ("POST", "/"),
          ("PUT", "/voila/files/new.ipynb"), ("POST", "/api/nbconvert")]


def kernel_files(server) -> set[str]:
    """Connection files of the kernels the server runs now (one per kernel, in Voilà's private folder)."""
    log = server.log.read_text(encoding="utf-8", errors="replace")
    folder = Path(re.search(r"Storing connection files in (\S+?)\.?$", log, re.M).group(1))
    return {p.name for p in folder.glob("kernel-*.json")}


def test_no_kernel_session_terminal_or_file_can_be_created(any_server):
    # The form is served by Voilà's standalone server (`python -m voila`), never as an extension of a Jupyter
    # server or JupyterLab, where these APIs exist: Voilà routes no POST/PUT/PATCH/DELETE to them (its kernels
    # API is per kernel id, for its own pages). Sent the way a page would, with the XSRF cookie and header,
    # so the refusal is not only the missing token.
    status, _, _ = fetch(any_server, "/api/kernels", "POST")
    assert status in (403, 404, 405)
    xsrf = "2|00000000|00000000000000000000000000000000|1700000000"
    headers = {"Cookie": f"_xsrf={xsrf}", "X-XSRFToken": xsrf, "Content-Type": "application/json"}
    body = json.dumps({"name": "python3", "path": "admin.ipynb", "type": "notebook", "kernel": {"name": "python3"},
                       "content": {"cells": []}}).encode()
    before = kernel_files(any_server)
    problems = []
    for method, path in WRITES:
        status, data, trail = fetch(any_server, path, method, headers, body)
        if status in (200, 201, 204) or status < 400:
            problems.append(f"{method} {path} -> {status}: {trail}")
        if b'"id"' in data or b'"kernel"' in data:
            problems.append(f"{method} {path} answered with a model: {data[:200]!r}")
    assert problems == []
    assert kernel_files(any_server) <= before, "a request started a kernel"


def test_page_template_and_theme_cannot_be_chosen_from_the_address(any_server):
    # `allow_template_override` and `allow_theme_override` "NO" in voila.json: "?template=lab" would otherwise
    # render the stock template, which links Font Awesome from cdn.jsdelivr.net
    status, page, _ = fetch(any_server, page_path(any_server, "template=lab&theme=dark"))
    assert status == 200
    template = serving.TEMPLATES["dashboard" if any_server.kind == "dashboard" else "survey"]
    assert f"/voila/templates/{template}/static/".encode() in page
    assert b"/voila/templates/lab/static/" not in page and b"theme-dark" not in page
    assert not re.search(rb"""(href|src)=["']?(https?:)?//""", page), "the page links another host"
    assert b"cdn.jsdelivr.net" not in page and b"cdnjs.cloudflare.com" not in page


def test_error_pages_load_nothing_from_other_hosts(any_server):
    # osa-survey/page.html replaces Voilà's error page base, which links Font Awesome from cdn.jsdelivr.net
    status, page, _ = fetch(any_server, "/api/kernels", "POST")
    assert status == 403 and b"<html" in page
    assert b"cdn.jsdelivr.net" not in page and b"<link" not in page


# ------------------------------------------------------------------ the dashboard's door

def _tampered(token: str) -> str:
    """The same token with its scope swapped for everything ("*"), the signature kept."""
    import base64
    scope, signature = token.split(".")
    return base64.urlsafe_b64encode(b"*").rstrip(b"=").decode() + "." + signature


def ask_hr_problems(server, page: bytes) -> list[str]:
    """What a page without a valid link must not show: a team or department, a figure, the workspace."""
    from assessment.demo import DEMO_ORGANISATION
    text = page.decode("utf-8")
    problems = []
    if "Ask HR for your link to the dashboard" not in text:
        problems.append("no 'Ask HR' message")
    names = set(DEMO_ORGANISATION) | {team for teams in DEMO_ORGANISATION.values() for team in teams}
    problems += [f"names {name!r}" for name in names if name in text or html.escape(name) in text]
    if re.search(r"\d", text):
        problems.append(f"shows a number: {re.findall(r'.{0,20}[0-9].{0,20}', text)[:3]}")
    for marker in (server.workspace.name, str(server.workspace), "Work environment dashboard", "widget-view",
                   "kernel", "voila.js"):
        if marker.lower() in text.lower():
            problems.append(f"shows {marker!r}")
    return problems


def test_the_dashboard_shows_nothing_without_a_valid_link(dashboard_server):
    # access.prelaunch_hook (Voilà's prelaunch hook, installed by serve.run_voila) answers before a kernel starts
    hr = parse_qs(urlsplit(dashboard_server.links["HR (every group)"]).query)["token"][0]
    product = parse_qs(urlsplit(dashboard_server.links["Product"]).query)["token"][0]
    from assessment import access
    old = access.make_token(b"\x01" * 32, None)                 # signed with another (e.g. a rotated) secret
    before = kernel_files(dashboard_server)
    probes = ["/", "/?", "/?token=", "/?token=garbage", f"/?token={hr[:-2]}", f"/?token={quote(_tampered(product))}",
              f"/?token={old}", f"/?token={hr}&token={hr}", f"/?TOKEN={hr}", f"/voila/render/dashboard.ipynb?token={hr}",
              "/?token=" + quote(access.make_token(b"\x01" * 32, "Product"))]
    problems = []
    for path in probes:
        status, page, trail = fetch(dashboard_server, path)
        if status != 403 and not path.startswith("/voila/"):
            problems.append(f"{path} -> {status}: {trail}")
        if not path.startswith("/voila/"):
            problems += [f"{path}: {p}" for p in ask_hr_problems(dashboard_server, page)]
        elif status < 400:
            problems.append(f"{path} -> {status}")
    assert problems == []
    assert kernel_files(dashboard_server) <= before, "a page without a valid link started a kernel"


def test_the_dashboard_opens_from_its_links_and_keeps_tokens_out_of_the_log(dashboard_server):
    for whom, url in dashboard_server.links.items():
        target = urlsplit(url)
        assert target.netloc == dashboard_server.host and target.path == "/"
        status, page, _ = fetch(dashboard_server, f"{target.path}?{target.query}")
        assert status == 200, whom
        assert b"application/vnd.jupyter.widget-view+json" in page and b"Ask HR" not in page
        token = parse_qs(target.query)["token"][0]
        assert token.encode() not in page                     # the page does not repeat its token
    fetch(dashboard_server, "/?token=garbage.token")
    log = dashboard_server.log.read_text(encoding="utf-8", errors="replace")
    printed = "\n".join(line for line in log.splitlines() if line.startswith("Link for "))
    rest = "\n".join(line for line in log.splitlines() if not line.startswith("Link for "))
    for url in dashboard_server.links.values():
        token = parse_qs(urlsplit(url).query)["token"][0]
        assert token in printed and token not in rest        # printed once for HR, never logged per request
    assert "garbage.token" not in rest


def test_the_dashboard_and_its_refusal_send_no_referrer(dashboard_server):
    for path in ("/", page_path(dashboard_server)):
        connection = http.client.HTTPConnection("127.0.0.1", dashboard_server.port, timeout=60)
        try:
            connection.request("GET", path)
            answer = connection.getresponse()
            answer.read()
        finally:
            connection.close()
        assert answer.getheader("Referrer-Policy") == "no-referrer", path
        assert "connect-src 'self'" in answer.getheader("Content-Security-Policy")
