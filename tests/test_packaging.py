"""The kit as users install it: a wheel that holds the templates and notebooks, and works from any folder;
`assessment notebooks` copies the notebooks out for JupyterLab."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import nbformat
import pytest

from assessment.cli import main

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = "assessment/_shipped"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The kit's wheel, built from this checkout as `pip install .` builds it."""
    out = tmp_path_factory.mktemp("wheel")
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "-w", str(out)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    (built,) = out.glob("osa_assessment-*.whl")
    return built


def _source_files(folder: str, pattern: str = "*") -> set[str]:
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / folder).rglob(pattern)
            if p.is_file() and "__pycache__" not in p.parts}


def test_wheel_holds_the_shipped_templates_and_notebooks_inside_the_package(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    templates = {f"{SHIPPED}/surveys/{p.name}" for p in (ROOT / "surveys").glob("*.yaml")}
    notebooks = {f"{SHIPPED}/notebooks/{p.name}" for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert f"{SHIPPED}/surveys/osa-core.yaml" in templates and len(notebooks) >= 4
    assert templates <= names and notebooks <= names
    assert not {n for n in names if not n.startswith(("assessment/", "osa_assessment-"))}   # nothing at the top


def test_wheel_keeps_the_package_data_for_the_served_pages(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    data = _source_files("assessment/_static") | _source_files("assessment/_web")
    assert data and data <= names


# ---------------------------------------------------------------- assessment notebooks

def _parameters(notebook) -> dict:
    """The values the notebook's parameter cells set, run as JupyterLab would run them (no environment)."""
    cells = [c for c in notebook.cells if {"parameters", "injected-parameters"} & set(c.metadata.get("tags", []))]
    namespace: dict = {}
    env = os.environ.pop("ASSESSMENT_WORKSPACE", None)
    try:
        for cell in cells:
            exec(cell.source, namespace)
    finally:
        if env is not None:
            os.environ["ASSESSMENT_WORKSPACE"] = env
    return namespace


def test_notebooks_command_writes_every_notebook_set_to_the_workspace_as_an_absolute_path(workspace, tmp_path,
                                                                                          monkeypatch, capsys):
    monkeypatch.chdir(workspace.path.parent)                 # a relative workspace path, as a user types it
    assert main(["notebooks", str(tmp_path / "mine"), "--workspace", workspace.path.name]) == 0
    written = sorted((tmp_path / "mine").glob("*.ipynb"))
    assert [p.name for p in written] == sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    out = capsys.readouterr().out
    for path in written:
        assert f"wrote {path}" in out
        notebook = nbformat.read(path, as_version=4)
        nbformat.validate(notebook)
        assert _parameters(notebook)["workspace"] == str(workspace.path.resolve())
        shipped = json.loads((ROOT / "notebooks" / path.name).read_text(encoding="utf-8"))
        copied = json.loads(path.read_text(encoding="utf-8"))
        copied["cells"] = [c for c in copied["cells"] if c["id"] != "injected-parameters"]
        assert copied == shipped                               # otherwise the shipped notebook as it is


def test_notebooks_command_without_a_workspace_copies_the_notebooks_unchanged(tmp_path):
    assert main(["notebooks", str(tmp_path / "mine")]) == 0
    for source in (ROOT / "notebooks").glob("*.ipynb"):
        assert (tmp_path / "mine" / source.name).read_bytes() == source.read_bytes()


def test_notebooks_command_refuses_to_overwrite_a_different_notebook_without_force(workspace, tmp_path, capsys):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "report.ipynb").write_text("my own report\n")
    assert main(["notebooks", str(mine), "--workspace", str(workspace.path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and str(mine / "report.ipynb") in err and "--force" in err
    assert [p.name for p in mine.iterdir()] == ["report.ipynb"]                  # nothing written
    assert (mine / "report.ipynb").read_text() == "my own report\n"


def test_notebooks_command_overwrites_a_different_notebook_with_force(workspace, tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "report.ipynb").write_text("my own report\n")
    assert main(["notebooks", str(mine), "--workspace", str(workspace.path), "--force"]) == 0
    report = nbformat.read(mine / "report.ipynb", as_version=4)
    assert _parameters(report)["workspace"] == str(workspace.path.resolve())


def test_notebooks_command_run_again_leaves_identical_copies_alone(workspace, tmp_path, capsys):
    target = tmp_path / "mine"
    assert main(["notebooks", str(target), "--workspace", str(workspace.path)]) == 0
    capsys.readouterr()
    assert main(["notebooks", str(target), "--workspace", str(workspace.path)]) == 0
    assert "wrote" not in capsys.readouterr().out


# ---------------------------------------------------------------- the wheel in a fresh environment

def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, timeout: float = 120) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as answer:
            return answer.status, answer.read().decode("utf-8", "replace")
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read().decode("utf-8", "replace")


class _Server:
    """A server command in its own process group, stopped (with whatever it started) on leaving."""

    def __init__(self, argv, cwd: Path, env: dict, log: Path):
        self.log = log
        self._out = open(log, "wb")
        self.process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=self._out, stderr=subprocess.STDOUT,
                                        start_new_session=True)

    def wait_until_it_answers(self, url: str, timeout: float = 120) -> int:
        deadline = time.monotonic() + timeout
        while True:
            assert self.process.poll() is None, self.log.read_text()
            try:
                return _get(url, timeout=5)[0]
            except OSError:
                pass
            assert time.monotonic() < deadline, f"no answer from {url} in {timeout} s:\n" + self.log.read_text()
            time.sleep(0.3)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
            try:
                os.killpg(self.process.pid, sig)
            except ProcessLookupError:
                break
            try:
                self.process.wait(timeout=wait)
                break
            except subprocess.TimeoutExpired:
                continue
        self._out.close()


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> tuple[Path, dict]:
    """A fresh virtual environment with the wheel and its dependencies installed by pip from the package index,
    and an environment for its commands that cannot see this checkout (no PYTHONPATH; they run elsewhere)."""
    venv = tmp_path_factory.mktemp("fresh") / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, timeout=300)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV",
                                                             "ASSESSMENT_WORKSPACE", "ASSESSMENT_TEMPLATES")}
    env["PATH"] = os.pathsep.join([str(venv / "bin"), env.get("PATH", "")])
    started = time.monotonic()
    done = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
                          cwd=venv.parent, env=env, capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    print(f"\npip install of the wheel with its dependencies into a fresh venv: {time.monotonic() - started:.0f} s")
    return venv, env


@pytest.mark.slow
def test_installed_wheel_runs_demo_report_notebooks_form_and_dashboard_from_another_folder(installed, tmp_path):
    venv, env = installed
    bin_ = venv / "bin"

    def run(*argv, timeout=600):
        done = subprocess.run([str(bin_ / "assessment"), *argv], cwd=tmp_path, env=env, capture_output=True,
                              text=True, timeout=timeout)
        assert done.returncode == 0, f"assessment {' '.join(argv)}:\n{done.stdout[-3000:]}{done.stderr[-3000:]}"
        return done.stdout

    where = subprocess.run([str(bin_ / "python"), "-c", "import assessment; print(assessment.__file__)"],
                           cwd=tmp_path, env=env, capture_output=True, text=True, check=True).stdout.strip()
    assert Path(where).is_relative_to(venv) and not Path(where).resolve().is_relative_to(ROOT)

    assert "built demo workspace" in run("demo", "demo")
    run("report", "demo", "--out", "reports")
    assert list((tmp_path / "reports").glob("*.html"))
    run("notebooks", "notebooks", "--workspace", "demo")
    assert len(list((tmp_path / "notebooks").glob("*.ipynb"))) >= 4

    port = _free_port()
    with _Server([str(bin_ / "assessment"), "serve", "demo", "--port", str(port)], tmp_path, env,
                 tmp_path / "serve.log") as form:
        assert form.wait_until_it_answers(f"http://127.0.0.1:{port}/health") == 200
        status, page = _get(f"http://127.0.0.1:{port}/")
        assert status == 200 and "<form" in page

    port = _free_port()
    (hr_link,) = [line.split(": ", 1)[1] for line in run("dashboard", "demo", "--port", str(port), "--links")
                  .splitlines() if line.startswith("Link for HR")]
    with _Server([str(bin_ / "assessment"), "dashboard", "demo", "--port", str(port)], tmp_path, env,
                 tmp_path / "dashboard.log") as dashboard:
        assert dashboard.wait_until_it_answers(f"http://127.0.0.1:{port}/") == 403      # no link, no dashboard
        status, page = _get(hr_link)                  # runs the shipped dashboard notebook in a kernel
        assert status == 200, dashboard.log.read_text()
        assert "application/vnd.jupyter.widget-view+json" in page and "There was an error" not in page
