"""Browser fixtures: demo workspaces served by `assessment serve` / `assessment dashboard` (real
subprocesses on free ports) and Chromium.

Each server runs on its own fresh demo workspace, is started once per session (only when a test
needs it) and is always stopped (process group: SIGTERM, then SIGKILL), also when a test or the start-up
fails:

- `web_server`: the survey form as a web page (`assessment serve`, the default), without invitation codes;
- `web_code_server`: the web form on a workspace whose wave has one-time codes (`web_code_server.codes`);
- `web_hostile_server`: the web form for a wave whose template texts and team names are hostile;
- `server`: the notebook (Voilà) form for kiosks (`assessment serve --notebook`), without invitation codes;
- `code_server`: the notebook form on a workspace whose wave has one-time codes (`code_server.codes`);
- `dashboard_server`: the leaders' dashboard (opens only from the links it prints: `dashboard_server.links`).

Every page is watched: a JavaScript error, a failed request, an HTTP error status, a request to any
host but the local server, or a traceback on the page fails the test. Screenshots of each step go
to a folder printed at the start of the run.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

WAVE = "2026-autumn"
DASHBOARD_HR = "HR (every group)"          # whom HR's dashboard link is printed for
DASHBOARD_DEPARTMENT = "Product"           # the dashboard server also prints a link for this department
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
START_TIMEOUT = 120          # seconds; Voilà's first start can be slow
PAGE_TIMEOUT = 90_000        # ms; a page starts its own kernel and runs the notebook


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _stop(process: subprocess.Popen):
    """Stop the server and everything in its process group (Voilà shuts its kernels down on SIGTERM)."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _say(config, text: str):
    """Print past pytest's output capturing (so the line shows with -q too)."""
    capture = config.pluginmanager.get_plugin("capturemanager")
    if capture is not None:
        with capture.global_and_fixture_disabled():
            print(text, flush=True)
    else:
        print(text, flush=True)


@pytest.fixture(scope="session")
def chromium_browser(browser_available):
    """Chromium driven by Playwright; without either the test fails under CI and is skipped elsewhere
    (`browser_available`, tests/conftest.py)."""
    from playwright import sync_api
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=browser_available, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory, request) -> Path:
    folder = tmp_path_factory.mktemp("screenshots")
    _say(request.config, f"\nbrowser test screenshots: {folder}")
    return folder


class Server:
    def __init__(self, workspace: Path, port: int, process: subprocess.Popen, log: Path, kind: str):
        self.workspace, self.port, self.process, self.log, self.kind = workspace, port, process, log, kind
        self.wave = WAVE
        self.url = f"http://127.0.0.1:{port}/"
        self.host = f"127.0.0.1:{port}"
        self.codes: dict[str, list[str]] = {}
        self.links: dict[str, str] = {}        # the dashboard's printed links: whom -> URL with its token
        self.page_url = self.url               # what pages open (the dashboard: HR's link)

    @property
    def database(self) -> Path:
        return self.workspace / "assessment.db"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(encoding="utf-8", errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


VOILA_PROBE = "voila/static/voila.js"   # a static file: asking for a Voilà page would start a kernel on every poll
WEB_PROBE = "health"


def _wait_until_served(served: Server, what: str, probe: str = VOILA_PROBE):
    """Wait until the server answers `probe` (a path under its address) with 200, or fail the test with its log."""
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if served.process.poll() is not None:
            pytest.fail(f"{what} exited with {served.process.returncode}:\n{served.log_tail()}")
        try:
            with urllib.request.urlopen(served.url + probe, timeout=5) as answer:
                if answer.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            pytest.fail(f"the {served.kind} page did not answer within {START_TIMEOUT} s:\n{served.log_tail()}")
        time.sleep(0.5)


def _start(tmp_path_factory, request, kind: str, command: list[str], banner: str, prepare=None,
           probe: str = VOILA_PROBE) -> Server:
    """Build a fresh demo workspace (then `prepare(workspace)`), run `assessment COMMAND WORKSPACE ... --port P`
    and wait until it answers `probe`; the server is stopped when the session ends."""
    from assessment.demo import build_demo_workspace
    root = tmp_path_factory.mktemp(f"served-{kind}")
    workspace = build_demo_workspace(root / "demo", seed=7)
    try:
        extra = prepare(workspace) if prepare else None
    finally:
        workspace.close()
    port = _free_port()
    log = root / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "assessment", command[0], str(root / "demo"), *command[1:], "--port", str(port)],
            stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=root)
    request.addfinalizer(lambda: _stop(process))
    served = Server(root / "demo", port, process, log, kind)
    if extra:
        served.codes = extra
    _wait_until_served(served, f"`assessment {command[0]}`", probe)
    address = re.search(banner + r": (http://\S+)", log.read_text(encoding="utf-8", errors="replace"))
    assert address and address.group(1) == served.url, served.log_tail()
    served.links = dict(re.findall(r"^Link for (.+?): (http://\S+)$", log.read_text(encoding="utf-8", errors="replace"),
                                   re.M))
    if served.links:
        served.page_url = served.links[DASHBOARD_HR]
    return served


@pytest.fixture(scope="session")
def server(tmp_path_factory, request) -> Server:
    """`assessment serve DEMO --wave 2026-autumn --notebook --port P` (the Voilà form for kiosks) on a fresh demo
    workspace without invitation codes."""
    return _start(tmp_path_factory, request, "form", ["serve", "--wave", WAVE, "--notebook"], r"Survey form for .*")


def _issue_codes(workspace) -> dict[str, list[str]]:
    return {team: workspace.store.issue_codes(WAVE, team, 3) for team in ("Platform", "Mobile")}


@pytest.fixture(scope="session")
def code_server(tmp_path_factory, request) -> Server:
    """The notebook (Voilà) form on a demo workspace whose wave has one-time codes (3 for Platform, 3 for Mobile),
    issued before the server starts; `code_server.codes[team]` are the codes."""
    return _start(tmp_path_factory, request, "codes", ["serve", "--wave", WAVE, "--notebook"], r"Survey form for .*",
                  prepare=_issue_codes)


@pytest.fixture(scope="session")
def web_server(tmp_path_factory, request) -> Server:
    """`assessment serve DEMO --wave 2026-autumn --port P` (the web form) on a fresh demo workspace without
    invitation codes."""
    return _start(tmp_path_factory, request, "web-form", ["serve", "--wave", WAVE], r"Survey form for .*",
                  probe=WEB_PROBE)


@pytest.fixture(scope="session")
def web_code_server(tmp_path_factory, request) -> Server:
    """The web form on a demo workspace whose wave has one-time codes (3 for Platform, 3 for Mobile), issued
    before the server starts; `web_code_server.codes[team]` are the codes."""
    return _start(tmp_path_factory, request, "web-codes", ["serve", "--wave", WAVE], r"Survey form for .*",
                  prepare=_issue_codes, probe=WEB_PROBE)


@pytest.fixture(scope="session")
def dashboard_server(tmp_path_factory, request) -> Server:
    """`assessment dashboard DEMO --for Product --port P` on a fresh demo workspace. The page opens only from a
    link: `dashboard_server.links` maps whom ("HR (every group)", "Product") to the printed link, and
    `page_url` is HR's."""
    return _start(tmp_path_factory, request, "dashboard", ["dashboard", "--for", DASHBOARD_DEPARTMENT],
                  r"Leaders' dashboard for .*")


class Watch:
    """Records everything on a page that should make a browser test fail.

    `refusals_expected`: a test that submits an incomplete web form sets it; then a 422 answer to `POST /` (the
    form shown again with what to fix) is no problem."""

    IGNORED_SCHEMES = ("data", "blob", "about", "chrome-extension")

    def __init__(self, page, server: Server):
        self.page, self.server = page, server
        self.refusals_expected = False
        self.problems: list[str] = []
        self.requested: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught JavaScript error: {error}"))
        page.on("request", self._request)
        page.on("requestfailed", self._failed)
        page.on("response", self._response)
        page.on("websocket", lambda ws: self._check_host(ws.url, "websocket"))
        self.closing = False

    def _expected(self, status: int, method: str | None, url: str) -> bool:
        parsed = urlparse(url)
        if parsed.netloc != self.server.host:
            return False
        return status == 422 and self.refusals_expected and method in ("POST", None) and parsed.path == "/"

    def _console(self, message):
        if message.type != "error":
            return
        # Chromium reports every HTTP error status on the console too: "... with a status of 422 (...)"
        status = re.search(r"Failed to load resource: the server responded with a status of (\d+)", message.text)
        if status and self._expected(int(status.group(1)), None, (message.location or {}).get("url", "")):
            return
        self.problems.append(f"console error: {message.text}")

    def _request(self, req):
        self.requested.append(req.url)
        self._check_host(req.url, "request")

    def _check_host(self, url: str, what: str):
        parsed = urlparse(url)
        if parsed.scheme in self.IGNORED_SCHEMES:
            return
        if parsed.netloc != self.server.host:
            self.problems.append(f"{what} to another host: {url}")

    def _failed(self, req):
        if self.closing:
            return
        if req.failure == "net::ERR_ABORTED" and urlparse(req.url).path.endswith("/favicon.svg"):
            return   # Chromium fetches the icon after the page has loaded and drops it when a reload or submit navigates
        self.problems.append(f"request failed: {req.method} {req.url} ({req.failure})")

    def _response(self, response):
        if response.status >= 400 and not self._expected(response.status, response.request.method, response.url):
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")

    def check(self):
        """Fail on anything recorded so far, and on a traceback or a Voilà error shown on the page."""
        text = self.page.inner_text("body")
        for marker in ("Traceback", "There was an error when executing cell", "Error in callback"):
            if marker in text:
                self.problems.append(f"the page shows {marker!r}")
        if self.page.locator(".jp-OutputArea-output[data-mime-type*='stderr'], .jp-RenderedText[data-mime-type*='stderr']").count():
            self.problems.append("the page shows output on stderr")
        problems, self.problems = self.problems, []
        assert not problems, f"problems on the {self.server.kind} page:\n  " + "\n  ".join(problems) + \
            f"\nserver log:\n{self.server.log_tail()}"


def _page_opener(chromium_browser, screenshots, request, server: Server, ready: str, shot_style: str = ""):
    """A generator fixture body: yields open() -> (page, watch, shoot) for `server`, checks and closes every page.

    open(viewport=..., url=..., ready_selector=..., **context_options): context_options go to new_context
    (e.g. java_script_enabled=False, device_scale_factor=2)."""
    opened = []
    test_name = re.sub(r"[^A-Za-z0-9_-]+", "_", request.node.name)

    def _open(viewport=None, url=None, ready_selector=None, **context_options):
        context = chromium_browser.new_context(viewport=viewport or {"width": 1100, "height": 900}, **context_options)
        page = context.new_page()
        page.set_default_timeout(30_000)
        watch = Watch(page, server)
        opened.append((context, watch))
        page.goto(url or server.page_url, timeout=PAGE_TIMEOUT)
        page.locator(ready_selector or ready).first.wait_for(state="visible", timeout=PAGE_TIMEOUT)
        n = len(opened)

        def shoot(step: str) -> Path:
            path = screenshots / f"{test_name}-{n}-{step}.png"
            page.screenshot(path=str(path), full_page=True, style=shot_style or None)
            return path

        return page, watch, shoot

    yield _open
    try:
        for _context, watch in opened:
            watch.check()
    finally:
        for context, watch in opened:
            watch.closing = True
            context.close()


# the form's footer sticks to the bottom of the window; in a full-page picture show it where it belongs
FORM_SHOT_STYLE = ".survey-footer { position: static !important; }"


@pytest.fixture
def open_form(chromium_browser, server, screenshots, request):
    """open_form() -> (page, watch, shoot): a new browser context showing the survey form, loaded.

    shoot(step) saves a full-page screenshot named after the test and the step. Every page is checked
    (Watch.check) when the test ends, before its context closes."""
    yield from _page_opener(chromium_browser, screenshots, request, server, ".survey-submit", FORM_SHOT_STYLE)


@pytest.fixture
def open_code_form(chromium_browser, code_server, screenshots, request):
    """Like open_form, on `code_server` (the form asks for a one-time code)."""
    yield from _page_opener(chromium_browser, screenshots, request, code_server, ".survey-submit", FORM_SHOT_STYLE)


@pytest.fixture
def open_web_form(chromium_browser, web_server, screenshots, request):
    """open_web_form() -> (page, watch, shoot): a new browser context showing the web survey form, loaded; like
    open_form. Set `watch.refusals_expected = True` before submitting an incomplete form (422)."""
    yield from _page_opener(chromium_browser, screenshots, request, web_server, "#submit")


@pytest.fixture
def open_web_code_form(chromium_browser, web_code_server, screenshots, request):
    """Like open_web_form, on `web_code_server` (the form asks for a one-time code)."""
    yield from _page_opener(chromium_browser, screenshots, request, web_code_server, "#submit")


@pytest.fixture
def open_dashboard(chromium_browser, dashboard_server, screenshots, request):
    """Like open_form, on `dashboard_server` with HR's link (open_dashboard(url=...) for another, and
    ready_selector=... when the page shows no chart): loaded when the first chart image is on the page."""
    yield from _page_opener(chromium_browser, screenshots, request, dashboard_server,
                            ".assessment-dashboard .chart-trend img")


# ---------------------------------------------------------------- hostile names (tests/_hostile.py)

HOSTILE_FORM_WAVE = "hostile-template"


def _add_hostile_teams(workspace, answers: bool = True):
    """Departments and teams named after the hostile corpus (with headcounts and, when `answers`, a wave of
    generated answers in WAVE), and a hostile workspace name."""
    import numpy as np
    import yaml

    from _hostile import IMG, ORGANISATION
    from assessment.demo import Plan, generate_wave, teams_frame
    store = workspace.store
    teams = teams_frame(ORGANISATION)
    store.add_teams(list(teams[["team", "parent"]].itertuples(index=False, name=None)))
    store.set_headcounts(WAVE, dict(zip(teams["team"], teams["headcount"])))
    if answers:
        matrix, comments = generate_wave(store.wave_template(WAVE), Plan(organisation=ORGANISATION), 0,
                                         np.random.default_rng(5))
        store.add_answer_matrix(WAVE, matrix, comments, source="demo")
    config_file = workspace.path / "workspace.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["name"] = IMG
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")


def _hostile_form_wave(workspace):
    """Hostile teams, and an open wave whose template's every text (titles, items, labels, questions) is hostile."""
    from _hostile import hostile_template
    from assessment.templates import template_from_data
    _add_hostile_teams(workspace, answers=False)
    workspace.store.open_wave(HOSTILE_FORM_WAVE, template_from_data(hostile_template()))


@pytest.fixture(scope="session")
def hostile_dashboard_server(tmp_path_factory, request) -> Server:
    """The leaders' dashboard on a demo workspace with hostile department, team and workspace names."""
    return _start(tmp_path_factory, request, "hostile-dashboard", ["dashboard"], r"Leaders' dashboard for .*",
                  prepare=_add_hostile_teams)


@pytest.fixture(scope="session")
def hostile_form_server(tmp_path_factory, request) -> Server:
    """The notebook (Voilà) form for a wave whose template texts and team names are hostile."""
    served = _start(tmp_path_factory, request, "hostile-form", ["serve", "--wave", HOSTILE_FORM_WAVE, "--notebook"],
                    r"Survey form for .*", prepare=_hostile_form_wave)
    served.wave = HOSTILE_FORM_WAVE
    return served


@pytest.fixture(scope="session")
def web_hostile_server(tmp_path_factory, request) -> Server:
    """The web form for a wave whose template texts and team names are hostile."""
    served = _start(tmp_path_factory, request, "web-hostile-form", ["serve", "--wave", HOSTILE_FORM_WAVE],
                    r"Survey form for .*", prepare=_hostile_form_wave, probe=WEB_PROBE)
    served.wave = HOSTILE_FORM_WAVE
    return served


@pytest.fixture
def open_web_hostile_form(chromium_browser, web_hostile_server, screenshots, request):
    """Like open_web_form, on `web_hostile_server`."""
    yield from _page_opener(chromium_browser, screenshots, request, web_hostile_server, "#submit")


@pytest.fixture
def open_hostile_dashboard(chromium_browser, hostile_dashboard_server, screenshots, request):
    """Like open_dashboard, on `hostile_dashboard_server`."""
    yield from _page_opener(chromium_browser, screenshots, request, hostile_dashboard_server,
                            ".assessment-dashboard .chart-trend img")


@pytest.fixture
def open_hostile_form(chromium_browser, hostile_form_server, screenshots, request):
    """Like open_form, on `hostile_form_server`."""
    yield from _page_opener(chromium_browser, screenshots, request, hostile_form_server, ".survey-submit",
                            FORM_SHOT_STYLE)


@pytest.fixture(scope="session")
def hostile_admin_server(tmp_path_factory, request) -> Server:
    """The HR admin panel (notebooks/admin.ipynb) on a workspace with hostile names. No command serves the
    admin panel (HR opens it in JupyterLab); the test serves it with the form's locked-down Voilà command."""
    from assessment.demo import build_demo_workspace
    from assessment.access import SERVED_ENV
    from assessment.serve import NOTEBOOKS, NOTEBOOKS_DIR, voila_command
    root = tmp_path_factory.mktemp("served-hostile-admin")
    workspace = build_demo_workspace(root / "demo", seed=7)
    try:
        _add_hostile_teams(workspace)
        from _hostile import IMG, TEAMS, stored
        workspace.store.add_action(stored(TEAMS[0]), "goals", IMG, owner=IMG)
    finally:
        workspace.close()
    port = _free_port()
    argv, env = voila_command(root / "demo", port=port, notebook="dashboard")
    argv = [str(NOTEBOOKS_DIR / "admin.ipynb") if a == str(NOTEBOOKS["dashboard"]) else a for a in argv]
    env.pop(SERVED_ENV, None)      # the door is the dashboard's; the admin panel is HR's own
    log = root / "server.log"
    with open(log, "wb") as out:
        process = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, start_new_session=True, cwd=root,
                                   env=env)
    request.addfinalizer(lambda: _stop(process))
    served = Server(root / "demo", port, process, log, "hostile-admin")
    _wait_until_served(served, "the admin panel's server")
    return served


@pytest.fixture
def open_hostile_admin(chromium_browser, hostile_admin_server, screenshots, request):
    """Like open_form, on `hostile_admin_server`: loaded when the admin panel's tabs are on the page."""
    yield from _page_opener(chromium_browser, screenshots, request, hostile_admin_server, ".assessment-admin")


@pytest.fixture
def web_watch():
    """web_watch(page, server) -> Watch: the checks of open_web_form for a page a test opens itself (e.g. with
    Playwright's async API); the test asserts on `watch.problems`."""
    return lambda page, served: Watch(page, served)


@pytest.fixture(scope="session")
def chromium_launch_options(chromium_browser, browser_available) -> dict:
    """How chromium_browser was launched, for a test that launches a browser of its own (e.g. with Playwright's
    async API, which cannot share the sync API's browser); skipped (or failed under CI) like chromium_browser."""
    return {"executable_path": browser_available, "headless": True, "args": CHROMIUM_ARGS}
