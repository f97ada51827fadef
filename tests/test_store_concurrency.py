"""Several processes submitting to one workspace at once store every response exactly once."""

from __future__ import annotations

import multiprocessing

import pytest

from assessment.workspace import Workspace

PROCESSES = 8
SUBMISSIONS = 250


def _submit_many(path: str, worker: int, count: int):
    from assessment.store import Response
    ws = Workspace(path)
    teams = ["Platform", "Data", "Sales North", "Sales South"]
    for k in range(count):
        ws.store.add_responses("w1", [Response(teams[(worker + k) % 4], {"exp_role": 1 + (worker + k) % 5,
                                                                         "goal_smart": 1 + k % 5},
                                               respondent=f"worker{worker}-{k}")])
    ws.close()


@pytest.mark.slow
def test_eight_processes_of_250_submissions_store_each_response_once(workspace):
    path = str(workspace.path)
    workspace.close()
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_submit_many, args=(path, w, SUBMISSIONS)) for w in range(PROCESSES)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=600)
    assert [p.exitcode for p in workers] == [0] * PROCESSES
    ws = Workspace(path)
    store = ws.store
    keys = [r[0] for r in store._all("SELECT respondent_key FROM respondents")]
    expected = {store.respondent_key("w1", f"worker{w}-{k}") for w in range(PROCESSES) for k in range(SUBMISSIONS)}
    assert len(keys) == len(set(keys)) == PROCESSES * SUBMISSIONS
    assert set(keys) == expected
    assert len(store.answers("w1")) == 2 * PROCESSES * SUBMISSIONS
    assert store._one("PRAGMA integrity_check") == "ok"
    ws.close()
