"""Progress on long work (issue 17): a bar with counts on a terminal, a widget in a notebook kernel,
nothing in a pipe, a file or with --quiet; never on stdout.

Terminals are real pseudo-terminals (os.openpty) for the command line, and a stream that says it is a
terminal for the library calls; workspaces and files are real, in tmp_path."""

from __future__ import annotations

import contextlib
import importlib
import io
import os
import select
import subprocess
import sys
import types
from pathlib import Path

import pytest

from assessment import _progress
from assessment._progress import bar_class, in_notebook, progress, shown
from assessment.demo import build_demo_workspace
from assessment.exporting import export_all
from assessment.importing import import_answers
from assessment.reports import write_reports

ROOT = Path(__file__).resolve().parent.parent


class Terminal(io.StringIO):
    """A text stream that says it is a terminal (as sys.stderr in an interactive shell)."""

    def isatty(self):
        return True


@pytest.fixture(autouse=True)
def no_quiet_environment(monkeypatch):
    """No ASSESSMENT_QUIET from the environment running the tests."""
    monkeypatch.delenv(_progress.QUIET_VARIABLE, raising=False)


@contextlib.contextmanager
def stderr_on_terminal():
    """sys.stderr replaced by a terminal while the block runs (inside the test: pytest's own capture sets
    sys.stderr again when a test's call starts)."""
    stream, saved = Terminal(), sys.stderr
    sys.stderr = stream
    try:
        yield stream
    finally:
        sys.stderr = saved


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    ws = build_demo_workspace(tmp_path_factory.mktemp("progress") / "demo", seed=7, respondents=200, quiet=True)
    yield ws
    ws.close()


def fake_ipython(monkeypatch, kernel: bool):
    """An IPython module whose shell is a notebook kernel's (it has a `kernel`) or a terminal IPython's."""
    importlib.import_module("tqdm.notebook")   # imported with the real IPython, before it is replaced
    shell = types.SimpleNamespace(kernel=object()) if kernel else types.SimpleNamespace()
    monkeypatch.setitem(sys.modules, "IPython", types.SimpleNamespace(get_ipython=lambda: shell))


def run_on_terminal(*args, cwd=None) -> tuple[int, str, str]:
    """Run `assessment ARGS` with stderr on a pseudo-terminal (80 x 24) and stdout on a pipe: returns the
    exit code, stdout and what the terminal received."""
    import fcntl
    import struct
    import termios
    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {k: v for k, v in os.environ.items() if k != _progress.QUIET_VARIABLE}
    process = subprocess.Popen([sys.executable, "-m", "assessment", *map(str, args)], stdin=subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=slave, cwd=cwd, env=env)
    os.close(slave)
    received = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:   # the terminal's other end closed: the process is done with it
            break
        if not data:
            break
        received.append(data)
    stdout = process.stdout.read().decode()
    process.wait(timeout=120)
    process.stdout.close()
    os.close(master)
    return process.returncode, stdout, b"".join(received).decode(errors="replace")


def run_in_pipe(*args) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != _progress.QUIET_VARIABLE}
    return subprocess.run([sys.executable, "-m", "assessment", *map(str, args)], capture_output=True, text=True,
                          timeout=120, env=env)


def answers_file(path: Path, template, rows: int) -> Path:
    items = template.item_ids[:3]
    lines = [",".join(["team", *items])] + [",".join(["Data", "3", "4", "2"])] * rows
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


# ---------------------------------------------------------------- the machinery

def test_a_bar_with_counts_is_written_to_a_terminal():
    stream = Terminal()
    for _ in progress(range(3), desc="work", unit="steps", quiet=None, file=stream):
        pass
    assert "work" in stream.getvalue() and "3/3" in stream.getvalue()


def test_nothing_is_written_to_a_stream_that_is_not_a_terminal():
    stream = io.StringIO()
    for _ in progress(range(3), desc="work", file=stream):
        pass
    assert stream.getvalue() == ""


def test_quiet_silences_the_bar_on_a_terminal():
    stream = Terminal()
    for _ in progress(range(3), desc="work", quiet=True, file=stream):
        pass
    assert stream.getvalue() == ""


def test_the_bar_goes_to_stderr_by_default(capsys):
    with stderr_on_terminal() as terminal:
        for _ in progress(range(2), desc="work"):
            pass
    assert "2/2" in terminal.getvalue()
    assert capsys.readouterr().out == ""


def test_the_environment_variable_silences_bars_when_quiet_is_not_given(monkeypatch):
    with stderr_on_terminal():
        monkeypatch.setenv(_progress.QUIET_VARIABLE, "1")
        assert not shown()
        assert shown(quiet=False)   # an explicit argument wins over the environment
        monkeypatch.setenv(_progress.QUIET_VARIABLE, "0")
        assert shown()


def test_a_pseudo_terminal_without_a_size_still_gets_a_bar():
    master, slave = os.openpty()   # a fresh pseudo-terminal reports 0 columns and 0 rows
    try:
        with os.fdopen(slave, "w", closefd=False) as stream:
            for _ in progress(range(3), desc="work", file=stream):
                pass
        received = b""
        while b"\n" not in received and select.select([master], [], [], 5)[0]:   # the bar ends its line on close
            received += os.read(master, 65536)
        assert b"3/3" in received
    finally:
        os.close(slave)
        os.close(master)


def test_outside_ipython_there_is_no_notebook(monkeypatch):
    monkeypatch.delitem(sys.modules, "IPython", raising=False)
    assert not in_notebook()
    from tqdm import tqdm
    assert bar_class() is tqdm


def test_a_terminal_ipython_is_not_a_notebook(monkeypatch):
    fake_ipython(monkeypatch, kernel=False)
    assert not in_notebook()


def test_inside_a_notebook_kernel_the_widget_is_chosen(monkeypatch):
    fake_ipython(monkeypatch, kernel=True)
    import tqdm.notebook
    assert in_notebook()
    assert bar_class() is tqdm.notebook.tqdm


def test_inside_a_notebook_kernel_the_bar_is_shown_though_stderr_is_not_a_terminal(monkeypatch):
    fake_ipython(monkeypatch, kernel=True)
    assert not sys.stderr.isatty()   # pytest's capture, as a kernel's stream
    assert shown()
    assert not shown(quiet=True)


# ---------------------------------------------------------------- the long work, in process

def test_an_import_shows_rows_checked_and_responses_stored(workspace, tmp_path):
    path = answers_file(tmp_path / "answers.csv", workspace.template(), rows=12)
    with stderr_on_terminal() as terminal:
        result = import_answers(workspace.store, "w1", path)
    assert result.stored == 12
    assert "answers.csv: checked" in terminal.getvalue() and "12/12 [" in terminal.getvalue()
    assert "answers.csv: stored" in terminal.getvalue()


def test_an_import_counts_rows_not_lines_when_a_cell_holds_a_line_break(workspace, tmp_path):
    template = workspace.template()
    item, comment = template.item_ids[0], template.comments[0].id
    path = tmp_path / "answers.csv"
    path.write_text(f'team,{item},{comment}\nData,3,"two\nlines"\nData,4,\nData,2,\n', encoding="utf-8")
    with stderr_on_terminal() as terminal:
        assert import_answers(workspace.store, "w1", path).stored == 3
    checked = [part for part in terminal.getvalue().split("\r") if "checked" in part]
    assert "3/3 [" in checked[-1]


def test_an_import_asked_to_be_quiet_writes_nothing(workspace, tmp_path):
    path = answers_file(tmp_path / "answers.csv", workspace.template(), rows=5)
    with stderr_on_terminal() as terminal:
        import_answers(workspace.store, "w1", path, quiet=True)
    assert terminal.getvalue() == ""


def test_a_report_batch_counts_the_reports_it_writes(small_demo, tmp_path):
    with stderr_on_terminal() as terminal:
        written = write_reports(small_demo, by="department", out=tmp_path / "reports")
    assert "reports" in terminal.getvalue() and f"{len(written)}/{len(written)} [" in terminal.getvalue()


def test_an_export_counts_the_waves(small_demo, tmp_path):
    with stderr_on_terminal() as terminal:
        export_all(small_demo, out=tmp_path / "export")
    waves = len(small_demo.store.wave_names())
    assert f"{waves}/{waves} [" in terminal.getvalue()


def test_building_the_demo_counts_the_waves(tmp_path):
    with stderr_on_terminal() as terminal:
        build_demo_workspace(tmp_path / "demo", seed=7, respondents=100).close()
    assert "demo waves" in terminal.getvalue() and "4/4 [" in terminal.getvalue()


def test_library_calls_in_a_captured_run_write_nothing(small_demo, tmp_path, capfd):
    write_reports(small_demo, by="department", out=tmp_path / "reports")
    export_all(small_demo, out=tmp_path / "export")
    captured = capfd.readouterr()
    assert captured.out == "" and captured.err == ""


# ---------------------------------------------------------------- the command line

def test_a_report_run_on_a_terminal_shows_the_bar_on_stderr_only(small_demo, tmp_path):
    code, stdout, terminal = run_on_terminal("report", small_demo.path, "--by", "department", "--out", tmp_path / "r")
    assert code == 0
    written = [line for line in stdout.splitlines() if line.startswith("wrote ")]
    assert written and f"{len(written)}/{len(written)} [" in terminal
    assert "%|" not in stdout


def test_a_report_run_in_a_pipe_writes_no_progress(small_demo, tmp_path):
    done = run_in_pipe("report", small_demo.path, "--by", "department", "--out", tmp_path / "r")
    assert done.returncode == 0
    assert done.stderr == ""
    assert "%|" not in done.stdout


@pytest.mark.parametrize("command", ["report", "export", "import", "demo"])
def test_quiet_silences_the_bar_of_a_long_command_on_a_terminal(command, small_demo, tmp_path):
    path = answers_file(tmp_path / "answers.csv", small_demo.template(), rows=5)
    args = {"report": ("report", small_demo.path, "--by", "department", "--out", tmp_path / "r", "--quiet"),
            "export": ("export", small_demo.path, "--out", tmp_path / "e", "--quiet"),
            "import": ("import", small_demo.path, path, "--wave", small_demo.store.wave_names()[-1], "-q"),
            "demo": ("demo", tmp_path / "demo", "--respondents", "100", "--quiet")}[command]
    code, stdout, terminal = run_on_terminal(*args, cwd=tmp_path)
    assert code == 0, stdout + terminal
    assert terminal == ""


def test_an_import_run_on_a_terminal_shows_counts(workspace, tmp_path):
    path = answers_file(tmp_path / "answers.csv", workspace.template(), rows=7)
    workspace.close()
    code, stdout, terminal = run_on_terminal("import", workspace.path, path)
    assert code == 0
    assert "stored 7 response(s)" in stdout
    assert "checked" in terminal and "7/7 [" in terminal


def test_an_export_run_in_a_pipe_writes_no_progress(small_demo, tmp_path):
    done = run_in_pipe("export", small_demo.path, "--out", tmp_path / "e")
    assert done.returncode == 0
    assert done.stderr == ""
    assert all(line.startswith("wrote ") for line in done.stdout.splitlines())


def test_the_benchmark_offers_quiet():
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--help"], capture_output=True,
                          text=True, timeout=60)
    assert done.returncode == 0 and "--quiet" in done.stdout
