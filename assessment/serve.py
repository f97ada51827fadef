"""Serve the survey form (notebooks/survey.ipynb) with Voilà, for respondents' browsers.

`assessment serve WORKSPACE [--wave W] [--port P]` checks the workspace and wave, then runs

    python -m voila notebooks/survey.ipynb --no-browser --port=P --Voila.ip=HOST
        --Voila.config_file_paths=assessment/_static/voila

with ASSESSMENT_WORKSPACE and ASSESSMENT_WAVE (absolute) in the server's environment, so every
kernel it starts (one per open page) shows the form for that workspace and wave.

Voilà serves that one notebook only (no file browser), with its code stripped and without
tracebacks. `_static/voila/voila.json` configures it:

- template `osa-survey` (in `_static/jupyter/voila/templates`, found through JUPYTER_PATH): Voilà's
  `lab` template without the Font Awesome stylesheets it links from cdn.jsdelivr.net (and without
  nbconvert's Mermaid loader from cdnjs.cloudflare.com), so the page loads nothing from other hosts;
- a Content-Security-Policy that lets the page load and connect to its own server only;
- only the ipywidgets lab extension is loaded; no files are served from the notebook folder;
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

from .exceptions import AssessmentError

PACKAGE_DIR = Path(assessment.__file__).resolve().parent
REPO_ROOT = PACKAGE_DIR.parent
NOTEBOOK = REPO_ROOT / "notebooks" / "survey.ipynb"
STATIC_DIR = PACKAGE_DIR / "_static"
JUPYTER_DATA_DIR = STATIC_DIR / "jupyter"        # holds voila/templates/osa-survey
VOILA_CONFIG_DIR = STATIC_DIR / "voila"          # holds voila.json
TEMPLATE = "osa-survey"


def check_target(workspace, wave: str | None = None) -> tuple[Path, str]:
    """The workspace folder (absolute) and the wave to serve; raises AssessmentError (one line) when either
    does not exist, the wave is closed, or nobody could answer (no teams)."""
    from .widgets import leaf_teams
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


def voila_command(workspace, wave: str, port: int = 8866, host: str = "127.0.0.1",
                  open_browser: bool = False) -> tuple[list[str], dict]:
    """The command and environment that run Voilà on the survey notebook for `workspace` and `wave`.

    Does not check the workspace (see `check_target`); `workspace` is made absolute."""
    argv = [sys.executable, "-m", "voila", str(NOTEBOOK),
            f"--port={int(port)}", f"--Voila.ip={host}",
            f"--Voila.config_file_paths={VOILA_CONFIG_DIR}"]
    if not open_browser:
        argv.insert(4, "--no-browser")
    if os.name == "posix":
        # kernels talk to the server over Unix sockets in Voilà's private connection folder, not over
        # TCP ports on localhost that any local user could reach
        argv.append("--KernelManager.transport=ipc")
    env = dict(os.environ)
    env["ASSESSMENT_WORKSPACE"] = str(Path(workspace).resolve())
    env["ASSESSMENT_WAVE"] = str(wave)
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


def serve(workspace, wave: str | None = None, port: int = 8866, open_browser: bool = False,
          host: str = "127.0.0.1") -> int:
    """Serve the survey form for `workspace` and `wave` (default: the latest) until interrupted."""
    folder, name = check_target(workspace, wave)
    if not NOTEBOOK.exists():
        raise AssessmentError(f"{NOTEBOOK}: the survey notebook is missing; reinstall the kit from its repository")
    if importlib.util.find_spec("voila") is None:     # (importing voila itself takes seconds)
        raise AssessmentError("serving the form needs Voilà: pip install voila")
    _check_port(host, port)
    argv, env = voila_command(folder, name, port=port, host=host, open_browser=open_browser)
    print(f"Survey form for {workspace}, wave {name}: {form_url(host, port)}", flush=True)
    print("Share this address with respondents; press Ctrl+C to stop.", flush=True)
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
