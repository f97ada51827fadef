"""A process killed in the middle of a write leaves the store as it was; re-running stores it once.

The writer is a real process. It pauses inside its transaction (after inserting respondents, before
answers), tells the test where it is, and is killed there with SIGKILL. On SQLite and on PostgreSQL (each test
runs on both: a PostgreSQL server rolls back the transaction of a client that is gone)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from assessment.importing import import_answers
from assessment.workspace import Workspace

WRITER = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from assessment.store import Store, Response
    from assessment.workspace import Workspace
    from assessment.importing import import_answers

    workspace, mode, marker, answers = sys.argv[1:5]
    original = Store._many

    def pausing(self, sql, rows):
        if "INSERT INTO answers" in sql:
            rows = list(rows)
            original(self, sql, rows[: len(rows) // 2])   # half the answers are written ...
            Path(marker).write_text("inside")
            time.sleep(600)                               # ... and then the process is killed
        return original(self, sql, rows)

    Store._many = pausing
    ws = Workspace(workspace)
    if mode == "import":
        import_answers(ws.store, "w1", answers)
    else:
        ws.store.add_responses("w1", [Response("Platform", {"exp_role": 4, "goal_smart": 2}, {"comment_keep": "x"})])
""")


def snapshot(path):
    ws = Workspace(path)
    store = ws.store
    state = {table: store._all(f"SELECT * FROM {table} ORDER BY 1") for table in
             ("respondents", "answers", "comments", "imports", "teams", "waves")}
    if store._dialect.name == "sqlite":   # PostgreSQL has no such check (it checks its pages itself)
        assert store._one("PRAGMA integrity_check") == "ok"
    ws.close()
    return state


def kill_inside(tmp_path, workspace_path, mode, answers=""):
    marker = tmp_path / f"marker-{mode}"
    process = subprocess.Popen([sys.executable, "-c", WRITER, str(workspace_path), mode, str(marker), str(answers)],
                               start_new_session=True)
    deadline = time.time() + 120
    while not marker.exists():
        assert process.poll() is None, "the writer ended before reaching its transaction"
        assert time.time() < deadline, "the writer never reached its transaction"
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL


def big_csv(tmp_path, rows=2000):
    path = tmp_path / "answers.csv"
    lines = ["team,respondent,exp_role,goal_smart,vis_results,comment_keep"]
    lines += [f"{['Platform', 'Data'][k % 2]},r{k},{1 + k % 5},{1 + (k * 3) % 5},{1 + (k * 7) % 5},note {k}"
              for k in range(rows)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_killed_import_leaves_the_store_as_it_was_and_rerunning_stores_everything_once(any_workspace, tmp_path):
    from assessment.store import Response
    any_workspace.store.add_responses("w1", [Response("Data", {"exp_role": 3})])
    path = big_csv(tmp_path)
    before = snapshot(any_workspace.path)
    any_workspace.close()
    kill_inside(tmp_path, any_workspace.path, "import", path)
    assert snapshot(any_workspace.path) == before
    ws = Workspace(any_workspace.path)
    result = import_answers(ws.store, "w1", path)
    assert result.stored == 2000
    assert len(ws.store.answers("w1")) == 1 + 3 * 2000
    assert import_answers(ws.store, "w1", path).already_imported


def test_killed_submission_leaves_the_store_as_it_was(any_workspace, tmp_path):
    before = snapshot(any_workspace.path)
    any_workspace.close()
    kill_inside(tmp_path, any_workspace.path, "submit")
    assert snapshot(any_workspace.path) == before
