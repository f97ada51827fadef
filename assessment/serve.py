"""Serve the survey form or the leaders' dashboard (notebooks/dashboard.ipynb) to browsers.

`assessment serve WORKSPACE [--wave W] [--port P] [--workers N]` checks the workspace and wave, then serves
the form as a plain web page (`assessment.app` under uvicorn, `serve_form`): no kernel per respondent.

`assessment serve WORKSPACE --notebook` serves the ipywidgets form (notebooks/survey.ipynb) with Voilà
instead, one kernel per open page (a kiosk, or HR trying the survey); it runs

    python -c "from assessment.serve import run_voila; run_voila()" notebooks/survey.ipynb
        --no-browser --port=P --Voila.ip=HOST --Voila.config_file_paths=assessment/_static/voila

(`run_voila` is Voilà's own command line, with a work-around for a hang: see `patch_kernel_channels`),
with ASSESSMENT_WORKSPACE and ASSESSMENT_WAVE (absolute) in the server's environment, so every
kernel it starts (one per open page) shows the form for that workspace and wave.

`assessment dashboard WORKSPACE [--port P]` runs the same command on notebooks/dashboard.ipynb
(template `osa-dashboard`, ASSESSMENT_WORKSPACE only). It is a separate server, for leaders, on
its own port: the respondents' form server never serves the dashboard, and the other way round.
Serve the dashboard on 127.0.0.1 (the default) or a network only leaders can reach. It opens only from
the links it prints (HR's, and with `--for DEPARTMENT` one per department): `run_voila` serves the
dashboard notebook through `guarded_voila_class`, whose prelaunch hook (`access.prelaunch_hook`) answers
a page without a valid token with "Ask HR for your link" (403) before a kernel starts, and whose request
log hides tokens; the notebook's kernel checks the token again and shows only the link's scope.

Voilà serves that one notebook only (no file browser), with its code stripped and without
tracebacks. In single-notebook mode every other path is redirected to /voila/files/..., which
refuses every file (see below); there is no tree, contents, notebook, lab, terminal or session
handler at all, and POST /api/kernels is not routed (405). `_static/voila/voila.json` configures it:

- template `osa-survey` (in `_static/jupyter/voila/templates`, found through JUPYTER_PATH): Voilà's
  `lab` template without the Font Awesome stylesheets it links from cdn.jsdelivr.net (and without
  nbconvert's Mermaid loader from cdnjs.cloudflare.com), so the page loads nothing from other hosts;
  `osa-dashboard` extends it with the dashboard's styles; `osa-survey/page.html` keeps Voilà's error pages
  (403, 404, ...) free of links to other hosts too;
- `allow_template_override` and `allow_theme_override` "NO": `?template=lab` in the address cannot
  swap in Voilà's stock template (which links a CDN);
- a Content-Security-Policy that lets the page load and connect to its own server only;
- only the ipywidgets lab extension is loaded; no files are served from the notebook folder
  (`file_allowlist` empty, `file_denylist` everything);
- `port_retries = 0`: a port in use is an error, never a silent move to another address;
- on POSIX, kernels use IPC (Unix sockets in Voilà's private connection folder) instead of TCP.

Running code from the page: Voilà's kernel websocket passes only comm messages, kernel-info and
shutdown requests to the kernel (`allowed_message_types`); `execute_request` from a browser is
dropped. Progressive rendering (which adds an execution endpoint) and kernel preheating stay off.
"""

from __future__ import annotations

import importlib.util
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import assessment

from . import access
from ._resources import NOTEBOOKS_DIR
from .exceptions import AssessmentError

PACKAGE_DIR = Path(assessment.__file__).resolve().parent
NOTEBOOKS = {"survey": NOTEBOOKS_DIR / "survey.ipynb", "dashboard": NOTEBOOKS_DIR / "dashboard.ipynb"}
"""What each server shows: `serve(..., notebook=KEY)` serves that one notebook and nothing else."""
NOTEBOOK = NOTEBOOKS["survey"]
STATIC_DIR = PACKAGE_DIR / "_static"
JUPYTER_DATA_DIR = STATIC_DIR / "jupyter"        # holds voila/templates/osa-survey and osa-dashboard
VOILA_CONFIG_DIR = STATIC_DIR / "voila"          # holds voila.json
TEMPLATE = "osa-survey"
TEMPLATES = {"survey": TEMPLATE, "dashboard": "osa-dashboard"}


VOILA_LAUNCHER = "from assessment.serve import run_voila; run_voila()"
"""What `python -c` runs in the server process: Voilà, with `patch_kernel_channels` applied."""

POLL_SECONDS = 1.0


def patch_kernel_channels():
    """Make the kernel client's "wait for the next message" wake up once a second to look again.

    Voilà runs the notebook with nbclient, which mimics an ipywidgets Output widget by sending comm
    messages on the shell socket while it awaits the execute reply on the same asyncio socket; the
    poll then sometimes misses the reply's wake-up (zmq's edge-triggered socket events) and waits
    forever, so a page that draws into Output widgets while it loads (the dashboard) hangs on
    "Running ..." about one load in three. See voila-dashboards/voila#1428 and jupyter/jupyter_client#1010.
    Waiting in rounds of POLL_SECONDS, each starting with a real look at the socket, finds the reply;
    waits that have a timeout are unchanged."""
    from queue import Empty

    from jupyter_client.channels import AsyncZMQSocketChannel

    if getattr(AsyncZMQSocketChannel.get_msg, "_assessment_patched", False):
        return
    wait_once = AsyncZMQSocketChannel.get_msg

    async def get_msg(self, timeout: float | None = None):
        if timeout is not None:
            return await wait_once(self, timeout)
        while True:
            try:
                return await wait_once(self, POLL_SECONDS)
            except Empty:
                continue

    get_msg._assessment_patched = True
    AsyncZMQSocketChannel.get_msg = get_msg


def _serves_dashboard(argv) -> bool:
    """Whether a Voilà command line serves the dashboard notebook."""
    dashboard = NOTEBOOKS["dashboard"].resolve()
    for arg in argv:
        if not arg.startswith("-") and arg.endswith(".ipynb"):
            try:
                if Path(arg).resolve() == dashboard:
                    return True
            except OSError:
                continue
    return False


def guarded_voila_class():
    """Voilà's application with the dashboard's door: `access.prelaunch_hook` refuses a page without a
    valid link before a kernel starts, and the request log keeps tokens out (`access.log_request`)."""
    from voila.app import Voila

    from . import access

    class GuardedVoila(Voila):
        def initialize(self, argv=None):
            super().initialize(argv)
            self.voila_configuration.prelaunch_hook = access.prelaunch_hook

        def init_settings(self):
            settings = super().init_settings()
            settings["log_function"] = access.log_request
            return settings

    return GuardedVoila


def run_voila():  # pragma: no cover - runs in the server process (tests/browser start it)
    """Run Voilà's command line (sys.argv[1:]) with `patch_kernel_channels` applied; the dashboard
    (whenever the notebook served is the dashboard's) only behind its door (`guarded_voila_class`)."""
    patch_kernel_channels()
    from voila.app import main
    if _serves_dashboard(sys.argv[1:]):
        sys.exit(guarded_voila_class().launch_instance())
    sys.exit(main())


def check_target(workspace, wave: str | None = None) -> tuple[Path, str]:
    """The workspace folder (absolute) and the wave to serve; raises AssessmentError (one line) when either
    does not exist, the wave is closed, or nobody could answer (no teams)."""
    from .responding import leaf_teams
    from .workspace import Workspace

    with Workspace(workspace) as ws:
        name = ws.wave(wave)
        if ws.store.wave_status(name) != "open":
            raise AssessmentError(f"wave {name!r} is closed, so the form would take no answers; reopen it with "
                                  f"`assessment wave {workspace} reopen {name}` or choose another with --wave")
        if not leaf_teams(ws.store):
            raise AssessmentError(f"{workspace}: the workspace has no teams to answer for; add them with "
                                  f"`assessment teams {workspace} --file teams.csv`")
        return ws.path.resolve(), name


def check_dashboard_target(workspace) -> Path:
    """The workspace folder (absolute) for the dashboard; raises AssessmentError (one line) when it does not
    exist or has no answers yet (the dashboard would have nothing to show)."""
    from .workspace import Workspace

    with Workspace(workspace) as ws:
        if not ws.store.wave_names():
            raise AssessmentError(f"{workspace}: the workspace has no waves yet, so the dashboard has nothing to show")
        if ws.store.respondent_counts().empty:
            raise AssessmentError(f"{workspace}: no answers yet, so the dashboard has nothing to show; collect them "
                                  f"with `assessment serve {workspace}` or `assessment import {workspace} FILE`")
        return ws.path.resolve()


def _notebook_key(notebook: str) -> str:
    if notebook not in NOTEBOOKS:
        raise AssessmentError(f"no notebook {notebook!r} to serve; choose one of {', '.join(NOTEBOOKS)}")
    return notebook


def voila_command(workspace, wave: str | None = None, port: int = 8866, host: str = "127.0.0.1",
                  open_browser: bool = False, notebook: str = "survey") -> tuple[list[str], dict]:
    """The command and environment that run Voilà on one notebook (`survey` for `workspace` and `wave`,
    or `dashboard` for `workspace`).

    Does not check the workspace (see `check_target`, `check_dashboard_target`); `workspace` is made absolute."""
    key = _notebook_key(notebook)
    if key == "survey" and not wave:
        raise AssessmentError("the survey form needs a wave")
    argv = [sys.executable, "-c", VOILA_LAUNCHER, str(NOTEBOOKS[key]),
            f"--port={int(port)}", f"--Voila.ip={host}",
            f"--Voila.config_file_paths={VOILA_CONFIG_DIR}"]
    if TEMPLATES[key] != TEMPLATE:
        # the command line overrides voila.json's template; every other setting stays the same
        argv.append(f"--VoilaConfiguration.template={TEMPLATES[key]}")
    if not open_browser:
        argv.insert(4, "--no-browser")
    if os.name == "posix":
        # kernels talk to the server over Unix sockets in Voilà's private connection folder, not over
        # TCP ports on localhost that any local user could reach
        argv.append("--KernelManager.transport=ipc")
    env = dict(os.environ)
    env["ASSESSMENT_WORKSPACE"] = str(Path(workspace).resolve())
    if key == "survey":
        env["ASSESSMENT_WAVE"] = str(wave)
        env.pop(access.SERVED_ENV, None)
    else:
        env.pop("ASSESSMENT_WAVE", None)
        env[access.SERVED_ENV] = "token"       # the server and its kernels show nothing without a link
    env["JUPYTER_PATH"] = os.pathsep.join(p for p in (str(JUPYTER_DATA_DIR), env.get("JUPYTER_PATH")) if p)
    env.setdefault("PYTHONUNBUFFERED", "1")
    return argv, env


def form_url(host: str, port: int) -> str:
    shown = socket.gethostname() if host in ("", "0.0.0.0", "::") else host
    if ":" in shown:
        shown = f"[{shown}]"
    return f"http://{shown}:{int(port)}/"


def _check_port(host: str, port: int):
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host or "0.0.0.0", int(port)))
        except OSError as exc:
            raise AssessmentError(f"cannot serve on {host}:{port} ({exc.strerror}); choose another port with "
                                  "--port") from None


def serve_form(workspace, wave: str | None = None, port: int = 8866, host: str = "127.0.0.1",
               workers: int = 1) -> int:
    """Serve the survey form as a web page (`assessment.app`, under uvicorn) until interrupted: the latest wave,
    or `wave`; refused (AssessmentError) when the wave is closed, nobody can answer, or the port is taken."""
    folder, name = check_target(workspace, wave)
    for module in ("starlette", "uvicorn", "jinja2"):
        if importlib.util.find_spec(module) is None:
            raise AssessmentError(f"serving the form needs {module}: pip install osa-assessment (it is a dependency)")
    _check_port(host, port)
    print(f"Survey form for {workspace}, wave {name}: {form_url(host, port)}", flush=True)
    print(f"Share this address with respondents ({workers} worker process{'es' if workers > 1 else ''}); press "
          "Ctrl+C to stop.", flush=True)
    from . import app
    app.run(folder, name, host=host, port=port, workers=workers)
    return 0


def dashboard_links(workspace, host: str = "127.0.0.1", port: int = 8867, scopes=(), rotate: bool = False,
                    ) -> list[tuple[str, str]]:
    """[(whom, url)] for the dashboard served on host:port: HR's link, then one per department in `scopes`
    (AssessmentError, with "did you mean", for an unknown one). `rotate`: a new secret first, which
    revokes every earlier link."""
    return access.links(workspace, form_url(host, port), scopes, rotate=rotate)


def print_links(found):
    for whom, url in found:
        print(f"Link for {whom}: {url}", flush=True)


def serve(workspace, wave: str | None = None, port: int = 8866, open_browser: bool = False,
          host: str = "127.0.0.1", notebook: str = "survey", scopes=(), rotate: bool = False) -> int:
    """Serve one notebook until interrupted: the survey form for `workspace` and `wave` (default: the
    latest), or with notebook="dashboard" the leaders' dashboard for `workspace` (`wave` is not used),
    which opens only from a link: HR's and one per department in `scopes` (printed; `rotate` revokes
    every earlier link)."""
    key = _notebook_key(notebook)
    if key == "survey":
        folder, name = check_target(workspace, wave)
    else:
        folder, name = check_dashboard_target(workspace), None
        for department in scopes:
            access.resolve_department(folder, department)           # before anything is printed or made
    path = NOTEBOOKS[key]
    if not path.exists():
        raise AssessmentError(f"{path}: the {key} notebook is missing; reinstall the kit (pip install osa-assessment)")
    if importlib.util.find_spec("voila") is None:     # (importing voila itself takes seconds)
        raise AssessmentError(f"serving the {key} needs Voilà: pip install voila")
    _check_port(host, port)
    argv, env = voila_command(folder, name, port=port, host=host, open_browser=open_browser, notebook=key)
    if key == "survey":
        print(f"Survey form for {workspace}, wave {name}: {form_url(host, port)}", flush=True)
        print("Share this address with respondents; press Ctrl+C to stop.", flush=True)
    else:
        found = dashboard_links(folder, host, port, scopes, rotate=rotate)
        print(f"Leaders' dashboard for {workspace}: {form_url(host, port)} (opens only from a link)", flush=True)
        print_links(found)
        print("HR's link shows every team's results (small groups hidden), a department's link that department "
              "and the units below it: share each with its leaders only, never with the survey's address; "
              "`--rotate` revokes every link. Press Ctrl+C to stop.", flush=True)
    process = subprocess.Popen(argv, env=env)

    def stop(signum, frame):      # forward a termination to Voilà, which shuts its kernels down
        process.send_signal(signal.SIGTERM)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        try:
            return process.wait()
        except KeyboardInterrupt:
            # Ctrl+C in a terminal reaches Voilà too (same process group): give it time to shut its
            # kernels down; if it is still running (only we were interrupted), ask it to stop
            try:
                return process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.send_signal(signal.SIGTERM)
                return process.wait(timeout=15)
    finally:
        signal.signal(signal.SIGTERM, previous)
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
