"""Every notebook runs headless against a demo workspace, without error output, and is committed clean."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks_for_respondents_hr_leaders_and_consultants():
    assert {p.stem for p in NOTEBOOKS} >= {"survey", "admin", "dashboard", "report"}


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert all(not c["outputs"] and c["execution_count"] is None for c in code)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_thin(notebook):
    cells = json.loads(notebook.read_text())["cells"]
    code = [c for c in cells if c["cell_type"] == "code"]
    assert len(code) <= 6 and all(len(c["source"]) <= 10 for c in code)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_headless_without_error_output(notebook, demo_workspace, tmp_path):
    # papermill runs in its own process: a kernel started under pytest's file-descriptor capture can
    # lose the end of a cell's output stream and wait forever, and a hang must fail, not block CI
    executed = tmp_path / notebook.name
    done = subprocess.run([sys.executable, "-m", "papermill", str(notebook), str(executed), "--no-progress-bar",
                           "-p", "workspace", str(demo_workspace.path), "--execution-timeout", "300", "--cwd",
                           str(tmp_path)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    for cell in nbformat.read(executed, as_version=4).cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error"
            assert not (output["output_type"] == "stream" and output["name"] == "stderr"), output["text"]
    last = nbformat.read(executed, as_version=4).cells[-1]["outputs"]
    assert last, "the notebook's last cell shows the app or report"


def test_report_notebook_takes_its_wave_group_level_and_language_parameters(demo_workspace, tmp_path):
    """Every parameter away from its default: an earlier wave, a department (level), Swedish."""
    from assessment.demo import DEMO_ORGANISATION
    notebook = next(p for p in NOTEBOOKS if p.stem == "report")
    executed = tmp_path / "report.ipynb"
    done = subprocess.run([sys.executable, "-m", "papermill", str(notebook), str(executed), "--no-progress-bar",
                           "-p", "workspace", str(demo_workspace.path), "-p", "wave", "2025-autumn",
                           "-p", "group", "Product", "-p", "level", "department", "-p", "language", "sv",
                           "--execution-timeout", "300", "--cwd", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    html = "".join(output.get("data", {}).get("text/html", "") for cell in nbformat.read(executed, as_version=4).cells
                   for output in cell.get("outputs", []))
    counts = demo_workspace.store.respondent_counts()
    product = counts[(counts["wave"] == "2025-autumn") & counts["team"].isin(DEMO_ORGANISATION["Product"])]
    assert "<h1>Arbetsmiljörapport: <span class='group'>Product</span></h1>" in html          # sv, the group
    assert "<b class='wave'>2025-autumn</b>" in html                                          # the wave
    assert f"Svarande: <b>{int(product['respondents'].sum())}</b>" in html                   # the department's n
    assert "<h2>Team i Product</h2>" in html                                                  # a department's teams
    assert "Work environment report" not in html
