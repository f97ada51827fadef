"""The form load benchmark keeps working: its quick run (20 respondents at once against `assessment serve`
on SQLite) prints the table and writes the JSON, and nothing is lost, doubled or refused.

Speed is measured by `benchmarks/form_load.py`, never asserted here (see benchmarks/README.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "form_load.py"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("form-load")
    done = subprocess.run([sys.executable, str(SCRIPT), "--quick", "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout, json.loads((out / "form_load.json").read_text(encoding="utf-8")), out


def test_the_quick_run_stores_every_submission_once(run):
    _, report, _ = run
    rows = report["rows"]
    assert [(r["form"], r["database"], r["workers"], r["n"]) for r in rows] == [("server", "sqlite", 1, 20)]
    row = rows[0]
    assert row["errors"] == 0, row["error_kinds"]
    assert row["successful_submits"] == row["new_respondents"] == 20
    assert row["lost"] == 0 and row["doubled"] == 0
    assert row["comments_lost"] == 0 and row["comments_extra"] == 0
    assert row["server_tracebacks"] == 0


def test_every_figure_is_there(run):
    _, report, _ = run
    row = report["rows"][0]
    for key in ("page_seconds", "submit_seconds"):
        assert row[key]["count"] == 20 and 0 < row[key]["p50"] <= row[key]["p95"] <= row[key]["max"]
    assert row["submits_per_second"] > 0 and row["wall_seconds"] > 0
    assert 0 < row["memory_idle_bytes"] <= row["memory_peak_bytes"]
    assert row["processes"] >= 1
    assert report["settings"]["quick"] is True and report["settings"]["sizes"] == [20]
    assert "not judged" in report["targets"]["line"]


def test_the_table_and_the_targets_are_printed_and_written(run):
    stdout, _, out = run
    header = next(line for line in stdout.splitlines() if line.startswith("| form "))
    for column in ("database", "workers", "N", "page p50 / p95", "submit p50 / p95", "submits/s", "errors", "lost",
                   "doubled", "memory"):
        assert column in header
    assert any(line.startswith("| server | sqlite | 1 | 20 |") for line in stdout.splitlines())
    assert "targets (SQLite, 1 worker, N=500)" in stdout
    text = (out / "form_load.txt").read_text(encoding="utf-8")
    assert text.startswith("| form ") and "targets (SQLite" in text
