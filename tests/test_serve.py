"""`assessment serve` and `assessment dashboard`: refusing bad input, and the Voilà command each runs (no browser,
no server; tests/browser runs the real servers)."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import subprocess
import sys
from importlib.resources import files
from pathlib import Path

import nbformat
import pytest

from assessment import access
from assessment import serve as serving
from assessment.cli import main
from assessment.exceptions import AssessmentError


def _run_alone(coroutine):
    """asyncio.run in a thread of its own: earlier tests (Playwright's sync API) may leave a loop running here."""
    import concurrent.futures
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "assessment", *map(str, args)], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def one_line_error(result):
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def recorded_voila(monkeypatch) -> dict:
    """Voilà is not started: the command line and environment it would get are recorded instead."""
    started = {}

    class RecordedProcess:
        def __init__(self, argv, env):
            started.update(argv=argv, env=env)

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(serving.subprocess, "Popen", RecordedProcess)
    return started


def test_unknown_workspace_is_refused(tmp_path):
    result = run_cli("serve", tmp_path / "nowhere", "--port", 1)
    assert result.returncode == 2
    line = one_line_error(result)
    assert "nowhere" in line and "not a workspace" in line
    assert "Survey form" not in result.stdout


def test_unknown_wave_is_refused(workspace):
    result = run_cli("serve", workspace.path, "--wave", "2099-never", "--port", 1)
    assert result.returncode == 2
    line = one_line_error(result)
    assert "2099-never" in line and "w1" in line          # names the wave and the waves there are
    assert "Survey form" not in result.stdout


def test_closed_wave_is_refused(workspace, capsys):
    workspace.store.set_wave_status("w1", "closed")
    assert main(["serve", str(workspace.path), "--wave", "w1", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "closed" in err and "reopen" in err


def test_workspace_without_teams_is_refused(tmp_path, capsys):
    from assessment.workspace import Workspace
    Workspace.create(tmp_path / "empty", template="osa-core", wave="w1").close()
    assert main(["serve", str(tmp_path / "empty"), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no teams" in err


@pytest.mark.parametrize("command, workspace_fixture", [("serve", "workspace"), ("dashboard", "demo_workspace")])
def test_port_in_use_is_refused(command, workspace_fixture, request, capsys):
    path = request.getfixturevalue(workspace_fixture).path     # the dashboard needs answers to get as far
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main([command, str(path), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(port) in err and "--port" in err


def test_voila_command_serves_the_survey_notebook_only(workspace):
    argv, env = serving.voila_command(workspace.path, "w1", port=8999, host="127.0.0.1")
    assert argv[:3] == [sys.executable, "-c", serving.VOILA_LAUNCHER]       # Voilà's main, patched
    notebook = Path(argv[3])
    assert notebook == serving.NOTEBOOK and notebook.is_file()          # a notebook, not a folder: no tree
    assert notebook.name == "survey.ipynb"
    assert not [a for a in argv if "template" in a.lower()]             # voila.json's osa-survey template
    assert notebook.parent == Path(str(files("assessment") / "_shipped" / "notebooks")).resolve()   # the package's
    assert "--no-browser" in argv and "--port=8999" in argv and "--Voila.ip=127.0.0.1" in argv
    assert f"--Voila.config_file_paths={serving.VOILA_CONFIG_DIR}" in argv
    assert env["ASSESSMENT_WORKSPACE"] == str(workspace.path.resolve())
    assert Path(env["ASSESSMENT_WORKSPACE"]).is_absolute()
    assert env["ASSESSMENT_WAVE"] == "w1"
    assert env["JUPYTER_PATH"].split(os.pathsep)[0] == str(serving.JUPYTER_DATA_DIR)
    assert "--no-browser" not in serving.voila_command(workspace.path, "w1", open_browser=True)[0]
    if os.name == "posix":
        assert "--KernelManager.transport=ipc" in argv


def test_voila_command_serves_the_dashboard_notebook_only(workspace, monkeypatch):
    monkeypatch.setenv("ASSESSMENT_WAVE", "w1")                  # not passed on to the dashboard's kernels
    argv, env = serving.voila_command(workspace.path, port=8998, host="127.0.0.1", notebook="dashboard")
    assert argv[:3] == [sys.executable, "-c", serving.VOILA_LAUNCHER]
    notebook = Path(argv[3])
    assert notebook == serving.NOTEBOOKS["dashboard"] and notebook.is_file() and notebook.name == "dashboard.ipynb"
    assert notebook != serving.NOTEBOOK
    assert "--no-browser" in argv and "--port=8998" in argv and "--Voila.ip=127.0.0.1" in argv
    # the same locked-down configuration as the form; only the page template differs
    assert f"--Voila.config_file_paths={serving.VOILA_CONFIG_DIR}" in argv
    assert "--VoilaConfiguration.template=osa-dashboard" in argv
    assert env["ASSESSMENT_WORKSPACE"] == str(workspace.path.resolve()) and "ASSESSMENT_WAVE" not in env
    assert env[access.SERVED_ENV] == "token"             # its kernels show nothing without a valid link
    assert serving._serves_dashboard(argv[3:]) and not serving._serves_dashboard(
        serving.voila_command(workspace.path, "w1")[0][3:])       # run_voila puts the door in front of it
    assert env["JUPYTER_PATH"].split(os.pathsep)[0] == str(serving.JUPYTER_DATA_DIR)
    if os.name == "posix":
        assert "--KernelManager.transport=ipc" in argv
    with pytest.raises(AssessmentError, match="no notebook 'admin'"):
        serving.voila_command(workspace.path, "w1", notebook="admin")
    with pytest.raises(AssessmentError, match="needs a wave"):
        serving.voila_command(workspace.path, None)


def test_voila_launcher_runs_voilas_main_with_the_channel_patch(monkeypatch):
    import voila.app
    from jupyter_client.channels import AsyncZMQSocketChannel
    monkeypatch.setattr(AsyncZMQSocketChannel, "get_msg", AsyncZMQSocketChannel.get_msg)   # restored afterwards
    ran = []
    monkeypatch.setattr(voila.app, "main", lambda: ran.append(
        getattr(AsyncZMQSocketChannel.get_msg, "_assessment_patched", False)) or 3)
    with pytest.raises(SystemExit) as stopped:
        exec(compile(serving.VOILA_LAUNCHER, "<launcher>", "exec"), {})     # noqa: S102 - our own constant
    assert ran == [True] and stopped.value.code == 3       # Voilà's exit status is the server's


def test_kernel_channel_waits_in_rounds_and_finds_a_missed_message(monkeypatch):
    """A wait without timeout polls in rounds of POLL_SECONDS, so a message whose wake-up was missed is found."""
    from queue import Empty

    from jupyter_client.channels import AsyncZMQSocketChannel
    monkeypatch.setattr(AsyncZMQSocketChannel, "get_msg", AsyncZMQSocketChannel.get_msg)   # restored afterwards
    serving.patch_kernel_channels()
    serving.patch_kernel_channels()                       # once only
    assert AsyncZMQSocketChannel.get_msg._assessment_patched

    class Socket:
        def __init__(self, ready_after):
            self.polls, self.ready_after = [], ready_after

        async def poll(self, timeout_ms):
            self.polls.append(timeout_ms)
            return int(len(self.polls) > self.ready_after)

    class Channel:
        def __init__(self, ready_after):
            self.socket = Socket(ready_after)

        async def _recv(self):
            return {"msg_type": "execute_reply"}

    channel = Channel(ready_after=3)
    assert _run_alone(AsyncZMQSocketChannel.get_msg(channel)) == {"msg_type": "execute_reply"}
    assert channel.socket.polls == [int(serving.POLL_SECONDS * 1000)] * 4
    # a wait with a timeout is unchanged: one poll, then Empty
    channel = Channel(ready_after=5)
    with pytest.raises(Empty):
        _run_alone(AsyncZMQSocketChannel.get_msg(channel, timeout=0.25))
    assert channel.socket.polls == [250]


def test_voila_configuration_is_locked_down():
    config = json.loads((serving.VOILA_CONFIG_DIR / "voila.json").read_text(encoding="utf-8"))
    voila = config["VoilaConfiguration"]
    assert voila["template"] == serving.TEMPLATE
    # a visitor cannot choose another page template (e.g. ?template=lab, which links a CDN) or theme
    assert voila["allow_template_override"] == "NO" and voila["allow_theme_override"] == "NO"
    assert voila["strip_sources"] is True and voila["show_tracebacks"] is False
    assert voila["progressive_rendering"] is False and voila["preheat_kernel"] is False
    assert voila["file_allowlist"] == [] and voila["file_denylist"] == [".*"]
    assert config["Voila"]["port_retries"] == 0
    csp = config["Voila"]["tornado_settings"]["headers"]["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp and "http" not in csp
    template = serving.JUPYTER_DATA_DIR / "voila" / "templates" / serving.TEMPLATE
    assert json.loads((template / "conf.json").read_text())["base_template"] == "lab"
    page = (template / "index.html.j2").read_text(encoding="utf-8")
    assert "<link" not in page and "https://" not in page.split("-#}", 1)[1]
    # error pages (403, 404, ...) extend this page.html instead of Voilà's, which links Font Awesome from a CDN
    errors = (template / "page.html").read_text(encoding="utf-8").split("-#}", 1)[1]
    assert "<link" not in errors and "http" not in errors.replace('data-base-url="{{ base_url }}voila/"', "")
    dashboard = serving.JUPYTER_DATA_DIR / "voila" / "templates" / serving.TEMPLATES["dashboard"]
    assert json.loads((dashboard / "conf.json").read_text())["base_template"] == serving.TEMPLATE
    page = (dashboard / "index.html.j2").read_text(encoding="utf-8")
    assert "extends 'osa-survey/index.html.j2'" in page
    assert "<link" not in page and "http" not in page.split("-#}", 1)[1] and "<script" not in page


def test_survey_notebook_is_thin_and_has_no_outputs():
    nb = nbformat.read(serving.NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert [c for c in nb.cells if c.cell_type != "code"] == []   # Voilà would show markdown to respondents
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    assert 'os.environ.get("ASSESSMENT_WORKSPACE", "demo-workspace")' in params[0].source
    assert 'os.environ.get("ASSESSMENT_WAVE") or None' in params[0].source
    assert "SurveyForm.for_workspace(workspace, wave)" in code[-1].source
    assert code[-1].source.rstrip().endswith("form.widget")


def test_dashboard_notebook_is_thin_and_reads_the_workspace():
    nb = nbformat.read(serving.NOTEBOOKS["dashboard"], as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.outputs == [] and c.execution_count is None for c in code)
    assert nb.metadata["title"] == "Leaders' dashboard"                  # the browser tab's title
    params = [c for c in code if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1
    assert 'os.environ.get("ASSESSMENT_WORKSPACE", "demo-workspace")' in params[0].source
    assert "ASSESSMENT_WAVE" not in params[0].source
    assert "scope = None" in params[0].source                              # JupyterLab: everything
    assert "scope=scope_for_kernel(workspace, default=scope)" in code[-1].source   # served: the link's scope
    assert code[-1].source.rstrip().endswith("dashboard.widget")


def test_dashboard_unknown_workspace_is_refused(tmp_path):
    result = run_cli("dashboard", tmp_path / "nowhere", "--port", 1)
    assert result.returncode == 2
    line = one_line_error(result)
    assert "nowhere" in line and "not a workspace" in line
    assert "dashboard for" not in result.stdout


def test_dashboard_without_answers_is_refused(workspace, capsys):
    assert main(["dashboard", str(workspace.path), "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no answers yet" in err and "assessment serve" in err


def test_dashboard_command_prints_the_address_and_runs_voila_on_the_dashboard(demo_workspace, recorded_voila, capsys):
    started, port = recorded_voila, free_port()
    assert main(["dashboard", str(demo_workspace.path), "--port", str(port)]) == 0
    out = capsys.readouterr().out
    assert f"Leaders' dashboard for {demo_workspace.path}: http://127.0.0.1:{port}/" in out
    assert "leaders only" in out and "Survey form" not in out
    links = re.findall(r"^Link for (.+?): (\S+)$", out, re.M)
    assert [whom for whom, _ in links] == ["HR (every group)"]           # no --for: HR's link only
    assert links[0][1].startswith(f"http://127.0.0.1:{port}/?token=")
    assert access.check_token(demo_workspace.path, links[0][1].split("?token=")[1]) is None
    assert started["env"][access.SERVED_ENV] == "token"
    assert Path(started["argv"][3]).name == "dashboard.ipynb"
    assert "--VoilaConfiguration.template=osa-dashboard" in started["argv"]
    assert "ASSESSMENT_WAVE" not in started["env"]
    with pytest.raises(AssessmentError, match="no notebook"):
        serving.serve(demo_workspace.path, port=port, notebook="admin")


def test_dashboard_help_names_the_separate_server():
    result = run_cli("dashboard", "--help")
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "--port" in text and "--host" in text and "8867" in text
    assert "separate server" in text and "leaders only" in text


def test_serve_prints_the_address_and_runs_voila(workspace, recorded_voila, capsys):
    started, port = recorded_voila, free_port()
    assert serving.serve(workspace.path, port=port) == 0
    out = capsys.readouterr().out
    assert f"Survey form for {workspace.path}, wave w1: http://127.0.0.1:{port}/" in out
    assert started["env"]["ASSESSMENT_WAVE"] == "w1"
    assert f"--port={port}" in started["argv"]
    assert Path(started["argv"][3]).name == "survey.ipynb"


def test_executing_the_notebook_shows_the_form(workspace, monkeypatch):
    """The notebook runs top to bottom (as JupyterLab and Voilà run it) and displays the form widget."""
    from nbclient import NotebookClient
    nb = nbformat.read(serving.NOTEBOOK, as_version=4)
    monkeypatch.setenv("ASSESSMENT_WORKSPACE", str(workspace.path.resolve()))
    monkeypatch.setenv("ASSESSMENT_WAVE", "w1")
    NotebookClient(nb, timeout=120, kernel_name="python3",
                   resources={"metadata": {"path": str(serving.NOTEBOOK.parent)}}).execute()
    outputs = nb.cells[-1].outputs
    assert not [o for o in outputs if o.output_type == "error"]
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {}) for o in outputs)


def test_dashboard_prints_a_link_per_department_and_keeps_them_across_restarts(demo_workspace, recorded_voila, capsys):
    port = free_port()
    assert main(["dashboard", str(demo_workspace.path), "--port", str(port), "--for", "product", "--for", "Sales"]) == 0
    first = dict(re.findall(r"^Link for (.+?): (\S+)$", capsys.readouterr().out, re.M))
    assert list(first) == ["HR (every group)", "Product", "Sales"]
    assert access.check_token(demo_workspace.path, first["Product"].split("?token=")[1]) == "Product"
    assert main(["dashboard", str(demo_workspace.path), "--port", str(port), "--for", "Product"]) == 0
    again = dict(re.findall(r"^Link for (.+?): (\S+)$", capsys.readouterr().out, re.M))
    assert again["Product"] == first["Product"] and again["HR (every group)"] == first["HR (every group)"]
    assert main(["dashboard", str(demo_workspace.path), "--port", str(port), "--rotate"]) == 0
    rotated = dict(re.findall(r"^Link for (.+?): (\S+)$", capsys.readouterr().out, re.M))
    assert rotated["HR (every group)"] != first["HR (every group)"]
    with pytest.raises(access.AccessRefused):
        access.check_token(demo_workspace.path, first["Product"].split("?token=")[1])


def test_dashboard_unknown_department_is_refused(demo_workspace):
    result = run_cli("dashboard", demo_workspace.path, "--port", 1, "--for", "Prodcut")
    assert result.returncode == 2
    line = one_line_error(result)
    assert "Prodcut" in line and "did you mean 'Product'" in line
    assert "Link for" not in result.stdout


def test_dashboard_help_names_the_links():
    text = " ".join(run_cli("dashboard", "--help").stdout.split())
    assert "--for DEPARTMENT" in text and "--rotate" in text and "--links" in text


def _run_dashboard_notebook(workspace, monkeypatch, query):
    from nbclient import NotebookClient
    nb = nbformat.read(serving.NOTEBOOKS["dashboard"], as_version=4)
    monkeypatch.setenv("ASSESSMENT_WORKSPACE", str(workspace.path.resolve()))
    monkeypatch.setenv("QUERY_STRING", query)             # as Voilà passes the page's query to its kernel
    NotebookClient(nb, timeout=180, kernel_name="python3",
                   resources={"metadata": {"path": str(serving.NOTEBOOKS["dashboard"].parent)}}).execute()
    outputs = nb.cells[-1].outputs
    assert not [o for o in outputs if o.output_type == "error"]
    return json.dumps([o.get("data", {}) for o in outputs])


def test_served_dashboard_kernel_shows_the_links_scope_or_nothing(demo_workspace, monkeypatch):
    secret = access.load_secret(demo_workspace.path)
    shown = _run_dashboard_notebook(demo_workspace, monkeypatch, "token=" + access.make_token(secret, "Product"))
    assert "VBox" in shown and "HTML" not in shown.split("VBox")[0]          # the dashboard widget
    refused = _run_dashboard_notebook(demo_workspace, monkeypatch, "token=" + access.make_token(b"\x05" * 32))
    assert "HTML" in refused and "VBox" not in refused                        # the Ask HR note instead


@pytest.fixture
def recorded_form(monkeypatch) -> dict:
    """The web form's server is not started: what `assessment.app.run` would get is recorded instead."""
    from assessment import app
    started = {}
    monkeypatch.setattr(app, "run", lambda folder, wave, **kwargs: started.update(folder=folder, wave=wave, **kwargs))
    return started


def test_serve_runs_the_web_form_with_its_workers_and_prints_the_address(workspace, recorded_form, recorded_voila,
                                                                         capsys):
    port = free_port()
    assert main(["serve", str(workspace.path), "--port", str(port), "--workers", "3"]) == 0
    out = capsys.readouterr().out
    assert f"Survey form for {workspace.path}, wave w1: http://127.0.0.1:{port}/" in out
    assert recorded_form == {"folder": workspace.path.resolve(), "wave": "w1", "host": "127.0.0.1", "port": port,
                             "workers": 3}
    assert not recorded_voila                      # no Voilà, no kernel


def test_serve_notebook_runs_the_voila_form_instead(workspace, recorded_form, recorded_voila):
    assert main(["serve", str(workspace.path), "--port", str(free_port()), "--notebook"]) == 0
    assert Path(recorded_voila["argv"][3]).name == "survey.ipynb" and not recorded_form


@pytest.mark.parametrize("workers", ["0", "-1", "two"])
def test_serve_refuses_a_number_of_workers_that_is_not_a_positive_whole_number(workspace, workers):
    result = run_cli("serve", workspace.path, "--workers", workers, "--port", 1)
    assert result.returncode == 2 and "--workers" in result.stderr and workers in result.stderr
    assert "Survey form" not in result.stdout


def test_voila_waits_long_enough_for_a_kernels_output_when_many_pages_start_at_once():
    """nbclient drops a cell's output that comes later than `iopub_timeout` after the cell ran (4 s by default):
    with ten kernels starting on two cores the form's display message came later, and those pages stayed blank
    (benchmarks/README.md)."""
    config = json.loads((serving.VOILA_CONFIG_DIR / "voila.json").read_text(encoding="utf-8"))
    assert config["VoilaExecutor"]["iopub_timeout"] >= 30
