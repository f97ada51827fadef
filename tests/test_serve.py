"""`assessment serve`: refusing bad input, and the Voilà command it runs (no browser, no server)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from assessment import serve as serving
from assessment.cli import main


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "assessment", *map(str, args)], capture_output=True, text=True,
                          timeout=120, cwd=cwd)


def one_line_error(result):
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ")
    return lines[0]


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


def test_port_in_use_is_refused(workspace, capsys):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        assert main(["serve", str(workspace.path), "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(port) in err and "--port" in err


def test_voila_command_serves_the_survey_notebook_only(workspace):
    argv, env = serving.voila_command(workspace.path, "w1", port=8999, host="127.0.0.1")
    assert argv[:3] == [sys.executable, "-m", "voila"]
    notebook = Path(argv[3])
    assert notebook == serving.NOTEBOOK and notebook.is_file()          # a notebook, not a folder: no tree
    assert notebook.parent == Path(serving.__file__).resolve().parent.parent / "notebooks"
    assert "--no-browser" in argv and "--port=8999" in argv and "--Voila.ip=127.0.0.1" in argv
    assert f"--Voila.config_file_paths={serving.VOILA_CONFIG_DIR}" in argv
    assert env["ASSESSMENT_WORKSPACE"] == str(workspace.path.resolve())
    assert Path(env["ASSESSMENT_WORKSPACE"]).is_absolute()
    assert env["ASSESSMENT_WAVE"] == "w1"
    assert env["JUPYTER_PATH"].split(os.pathsep)[0] == str(serving.JUPYTER_DATA_DIR)
    assert "--no-browser" not in serving.voila_command(workspace.path, "w1", open_browser=True)[0]
    if os.name == "posix":
        assert "--KernelManager.transport=ipc" in argv


def test_voila_configuration_is_locked_down():
    config = json.loads((serving.VOILA_CONFIG_DIR / "voila.json").read_text(encoding="utf-8"))
    voila = config["VoilaConfiguration"]
    assert voila["template"] == serving.TEMPLATE
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


def test_serve_prints_the_address_and_runs_voila(workspace, monkeypatch, capsys):
    started = {}

    class FakeProcess:
        def __init__(self, argv, env):
            started.update(argv=argv, env=env)

        def wait(self, timeout=None):
            return 0

        def poll(self):
            return 0

    monkeypatch.setattr(serving.subprocess, "Popen", FakeProcess)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert serving.serve(workspace.path, port=port) == 0
    out = capsys.readouterr().out
    assert f"Survey form for {workspace.path}, wave w1: http://127.0.0.1:{port}/" in out
    assert started["env"]["ASSESSMENT_WAVE"] == "w1"
    assert f"--port={port}" in started["argv"]


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
