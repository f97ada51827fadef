"""The benchmark keeps working: one run at its smallest size prints the table and writes the JSON.

Speed is measured by `benchmarks/run.py`, not asserted here: this test checks only that every step
and both baselines are produced (and that alpha still agrees with pingouin)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "benchmarks" / "run.py"
STEPS = ["build workspace", "import CSV", "load answer matrices", "scoring", "Cronbach's alpha", "dashboard start",
         "dashboard first draw", "dashboard redraw", "team report", "reports for every team"]


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("bench")
    done = subprocess.run([sys.executable, str(SCRIPT), "--sizes", "2k", "--quick", "--out", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout, json.loads((out / "results.json").read_text()), out


def test_the_table_is_printed_with_every_step_and_both_baselines(run):
    stdout, _, _ = run
    header = next(line for line in stdout.splitlines() if line.startswith("step "))
    for column in ("kit", "baseline (a)", "baseline (b)", "kit/(a)", "kit/(b)", "peak memory", "memory ratio",
                   "target", "pass"):
        assert column in header
    for step in STEPS:
        assert any(line.startswith(step) and "| 2k " in line for line in stdout.splitlines()), step


def test_the_json_has_every_step_with_times_memory_and_targets(run):
    _, report, out = run
    rows = {r["step"].split(":")[0].split(" (")[0]: r for r in report["rows"]}
    for step in STEPS:
        assert any(name.startswith(step) for name in rows), step
    for r in report["rows"]:
        assert r["size"] == "2k" and r["kit_seconds"] > 0
    measured = [r for r in report["rows"] if not r["step"].startswith(("build", "dashboard first"))]
    assert all(r["peak_bytes"] > 0 and r["memory_ratio"] > 0 and r["target"] for r in measured)
    assert report["settings"] == {**report["settings"], "items": 40, "teams": 200, "waves": 8}
    assert (out / "results.txt").read_text().startswith("step ")
    assert (out / "results.md").read_text().startswith("| step ")


def test_scoring_and_alpha_have_both_baselines(run):
    _, report, _ = run
    scoring = next(r for r in report["rows"] if r["step"].startswith("scoring"))
    alpha = next(r for r in report["rows"] if r["step"].startswith("Cronbach"))
    for r in (scoring, alpha):
        assert r["baseline_a_seconds"] > 0 and r["baseline_b_seconds"] > 0
        assert r["kit_over_a"] > 0 and r["kit_over_b"] > 0
    assert "per-respondent pandas" in scoring["baseline_a"] and "NumPy" in scoring["baseline_b"]
    assert "extrapolated from" in scoring["baseline_a"] and scoring["baseline_a_sample"] < scoring["respondents"]
    assert "pingouin" in alpha["baseline_a"]
    difference = float(alpha["note"].split("max |kit - pingouin| = ")[1].split(" ")[0])
    assert difference < 1e-9
    agreement = float(scoring["note"].split("agree with the floor to ")[1])
    assert agreement < 1e-9
