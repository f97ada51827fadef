"""Several processes writing to one workspace at once store every response exactly once, on SQLite and on
PostgreSQL (each test runs on both): form submissions side by side, and an import amid them."""

from __future__ import annotations

import multiprocessing
import time

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
def test_eight_processes_of_250_submissions_store_each_response_once(any_workspace, database):
    path = str(any_workspace.path)
    any_workspace.close()
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
    if database == "sqlite":   # PostgreSQL has no such check (it checks its pages itself)
        assert store._one("PRAGMA integrity_check") == "ok"
    ws.close()


# ---------------------------------------------------------------- an import amid form submissions

IMPORTED = 2000        # rows in the imported file
SUBMITTERS = 4
BEFORE_IMPORT = 20     # form responses stored before the import starts
AFTER_IMPORT = 5       # ... and by each submitter after it has finished


def _submit_until_the_import_is_done(path: str, worker: int, start, imported, results):
    """One process: submit form responses from the start until the import is done, then a few more."""
    from assessment.store import Response
    ws = Workspace(path)
    count, after = 0, None
    try:
        start.wait(timeout=120)
        while after is None or count < after + AFTER_IMPORT:
            ws.store.add_responses("w1", [Response(["Platform", "Data"][count % 2],
                                                   {"exp_role": 1 + count % 5, "goal_smart": 1 + worker},
                                                   respondent=f"form{worker}-{count}")])
            count += 1
            if after is None and imported.is_set():
                after = count
        results.put(("form", worker, count, ""))
    except Exception as exc:  # noqa: BLE001 - a deadlock or any other error is reported to the test
        results.put(("form", worker, count, repr(exc)))
    finally:
        ws.close()


def _import_amid_submissions(path: str, csv_path: str, start, imported, results):
    """One process: once some form responses are stored, import a large file into the same wave."""
    from assessment.importing import import_answers
    ws = Workspace(path)
    try:
        start.wait(timeout=120)
        deadline = time.time() + 120
        while ws.store._one("SELECT COUNT(*) FROM respondents") < BEFORE_IMPORT and time.time() < deadline:
            time.sleep(0.01)
        result = import_answers(ws.store, "w1", csv_path)
        results.put(("import", 0, result.stored, ""))
    except Exception as exc:  # noqa: BLE001
        results.put(("import", 0, 0, repr(exc)))
    finally:
        imported.set()
        ws.close()


@pytest.mark.slow
def test_an_import_amid_form_submissions_from_several_processes_stores_everything_once(any_workspace, tmp_path):
    """Four processes submit form responses into wave w1 while a fifth imports 3000 rows into it. On PostgreSQL
    the import locks the respondents table and every writer counts the wave's change last: no deadlock, no
    error, every response stored once, and the wave's change counter counted up once per transaction."""
    csv_path = tmp_path / "hr-export.csv"
    csv_path.write_text("team,respondent,exp_role,goal_smart\n" + "".join(
        f"{['Platform', 'Data', 'Sales North'][k % 3]},imp-{k},{1 + k % 5},{1 + k * 7 % 5}\n" for k in range(IMPORTED)),
        encoding="utf-8")
    version_before = any_workspace.store.data_versions()["w1"]
    path = str(any_workspace.path)
    any_workspace.close()
    context = multiprocessing.get_context("spawn")
    start, imported, results = context.Barrier(SUBMITTERS + 1), context.Event(), context.Queue()
    workers = [context.Process(target=_submit_until_the_import_is_done, args=(path, w, start, imported, results))
               for w in range(SUBMITTERS)]
    workers.append(context.Process(target=_import_amid_submissions, args=(path, str(csv_path), start, imported,
                                                                           results)))
    for process in workers:
        process.start()
    outcomes = [results.get(timeout=600) for _ in workers]
    for process in workers:
        process.join(timeout=60)
    assert [error for *_, error in outcomes if error] == []
    assert [p.exitcode for p in workers] == [0] * len(workers)
    assert [stored for what, _, stored, _ in outcomes if what == "import"] == [IMPORTED]
    submitted = {worker: count for what, worker, count, _ in outcomes if what == "form"}
    forms = sum(submitted.values())
    with Workspace(path) as ws:
        store = ws.store
        rows = store._all("SELECT respondent_id, respondent_key, import_id FROM respondents")
        keys = [key for _, key, _ in rows]
        expected = ({store.respondent_key("w1", f"form{w}-{k}") for w, count in submitted.items() for k in range(count)}
                    | set(store.respondent_keys("w1", [f"imp-{k}" for k in range(IMPORTED)])))
        assert len(keys) == len(set(keys)) == IMPORTED + forms
        assert set(keys) == expected
        assert len(store.answers("w1")) == 2 * (IMPORTED + forms)
        assert store.data_versions()["w1"] == version_before + forms + 1
        # the import really came amid the submissions: form responses were stored before it and after it
        form_ids = [rid for rid, _, import_id in rows if import_id is None]
        import_ids = [rid for rid, _, import_id in rows if import_id is not None]
        assert min(form_ids) < min(import_ids) and max(form_ids) > max(import_ids)
