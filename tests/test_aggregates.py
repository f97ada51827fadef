"""Aggregates computed once, read instantly (assessment/_aggregates.py): a wave's protected table is stored
with the wave's change counter, read while the counter stands, and always equal to computing it from scratch."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assessment import _aggregates, statistics
from assessment.analysis import Results
from assessment.dashboard import Dashboard
from assessment.demo import build_demo_workspace
from assessment.scoring import score_wave
from assessment.store import Response, Store
from assessment.templates import load_template
from assessment.workspace import Workspace


def from_scratch(store) -> pd.DataFrame:
    """The table as computed before any was stored: every wave loaded and scored, then aggregated together."""
    waves = store.wave_names()
    scored = {w: score_wave(store.wave_template(w), store.answer_matrix(w)) for w in waves}
    return statistics.aggregate_hierarchy(scored, store.teams(), store.headcounts())


def read(workspace) -> pd.DataFrame:
    return Results(workspace)._table[list(statistics.AGGREGATE_COLUMNS)]


def assert_current(workspace):
    pd.testing.assert_frame_equal(read(workspace), from_scratch(workspace.store), check_exact=True)


@pytest.fixture
def demo(tmp_path):
    ws = build_demo_workspace(tmp_path / "demo", seed=7, respondents=150, quiet=True)
    yield ws
    ws.close()


def no_raw_answers(monkeypatch, store):
    def refuse(wave):
        raise AssertionError(f"raw answers of {wave} were loaded")
    monkeypatch.setattr(store, "answer_matrix", refuse)


# ---------------------------------------------------------------- identical to computing from scratch

def test_the_stored_table_equals_the_table_computed_from_scratch(demo):
    assert_current(demo)        # computed and stored
    assert_current(demo)        # read back


def test_a_second_reader_reads_the_stored_tables_without_raw_answers(demo, monkeypatch):
    first = read(demo)
    no_raw_answers(monkeypatch, demo.store)
    pd.testing.assert_frame_equal(read(demo), first, check_exact=True)


def random_store(path, seed) -> Workspace:
    """A random organisation: nested departments, teams of 1-12 around the threshold, skipped answers, headcounts,
    three waves; threshold 3-6."""
    rng = np.random.default_rng(seed)
    ws = Workspace.create(path, wave="w1", min_group=int(rng.integers(3, 7)))
    store = ws.store
    departments = [f"D{k}" for k in range(int(rng.integers(1, 4)))]
    pairs = [(d, None if k == 0 or rng.random() < 0.5 else departments[0]) for k, d in enumerate(departments)]
    teams = [f"T{k}" for k in range(int(rng.integers(2, 9)))]
    pairs += [(t, departments[int(rng.integers(len(departments)))]) for t in teams]
    store.add_teams(pairs)
    template = store.wave_template("w1")
    for k, wave in enumerate(["w1", "w2", "w3"]):
        if k:
            store.open_wave(wave, template)
        sizes = {t: int(rng.integers(0, 13)) for t in teams}
        rows = [t for t, n in sizes.items() for _ in range(n)]
        if not rows:
            continue
        values = rng.integers(1, 6, size=(len(rows), len(template.item_ids))).astype(float)
        for col, item in enumerate(template.items):
            top = item.response_scale.values
            values[:, col] = rng.choice(top, size=len(rows))
        values[rng.random(values.shape) < 0.15] = np.nan
        matrix = pd.DataFrame(values, columns=template.item_ids)
        matrix.insert(0, "team", rows)
        store.add_answer_matrix(wave, matrix)
        store.set_headcounts(wave, {t: n + int(rng.integers(0, 4)) for t, n in sizes.items()})
    return ws


@pytest.mark.parametrize("seed", range(8))
def test_stored_tables_equal_tables_from_scratch_on_random_stores(tmp_path, seed):
    ws = random_store(tmp_path / f"random{seed}", seed)
    assert_current(ws)
    assert_current(ws)
    ws.close()


# ---------------------------------------------------------------- every change makes the stored table stale

def test_a_submission_makes_its_wave_computed_again_and_no_other(demo, monkeypatch):
    read(demo)
    wave = demo.wave()
    template = demo.store.wave_template(wave)
    before = demo.store.data_versions()
    demo.store.add_responses(wave, [Response(team="Mobile", answers={i: 2 for i in template.item_ids})])
    after = demo.store.data_versions()
    assert after[wave] == before[wave] + 1 and {w: v for w, v in after.items() if w != wave} == \
        {w: v for w, v in before.items() if w != wave}
    loaded = []
    real = demo.store.answer_matrix
    monkeypatch.setattr(demo.store, "answer_matrix", lambda w: loaded.append(w) or real(w))
    table = read(demo)
    assert loaded == [wave]
    monkeypatch.setattr(demo.store, "answer_matrix", real)
    pd.testing.assert_frame_equal(table, from_scratch(demo.store), check_exact=True)


def test_an_import_and_its_undo_keep_the_table_current(demo, tmp_path):
    from assessment.importing import import_answers
    wave = demo.wave()
    template = demo.store.wave_template(wave)
    answers = pd.DataFrame({"team": ["Legal"] * 6, **{i: [1] * 6 for i in template.item_ids}})
    answers.to_csv(tmp_path / "more.csv", index=False)
    read(demo)
    import_answers(demo.store, wave, tmp_path / "more.csv", quiet=True)
    assert_current(demo)
    legal = read(demo).query("wave == @wave and group == 'Legal' and scale == 'security'")
    assert not legal["suppressed"].iloc[0]                               # 6 more made Legal large enough
    demo.store.undo_import(int(demo.store.imports()["id"].iloc[-1]))
    assert_current(demo)


def test_a_change_of_teams_makes_every_wave_computed_again(demo):
    read(demo)
    demo.store.add_teams([("Mobile", "Sales")])          # Mobile moves to another department
    assert demo.store.stored_aggregates(demo.store.wave_names(), _aggregates.FORMAT) == {}
    assert_current(demo)
    mobile = read(demo).query("group == 'Mobile'")
    assert set(mobile["parent"]) == {"Sales"}


def test_a_headcount_change_makes_its_wave_computed_again(demo):
    read(demo)
    wave = demo.wave()
    demo.store.set_headcounts(wave, {"Platform": 400})
    assert wave not in demo.store.stored_aggregates([wave], _aggregates.FORMAT)
    assert_current(demo)
    platform = read(demo).query("wave == @wave and level == 'team' and group == 'Platform'")
    assert (platform["headcount"] == 400).all()


def test_a_table_stored_by_another_format_is_computed_again(demo, monkeypatch):
    read(demo)
    monkeypatch.setattr(_aggregates, "FORMAT", _aggregates.FORMAT + 1)
    assert demo.store.stored_aggregates(demo.store.wave_names(), _aggregates.FORMAT) == {}
    assert_current(demo)


def test_a_table_from_older_data_never_replaces_one_from_newer_data(demo):
    read(demo)
    wave = demo.wave()
    version = demo.store.data_versions()[wave]
    kept = demo.store.stored_aggregates([wave], _aggregates.FORMAT)[wave]
    demo.store.store_aggregates(wave, version - 1, _aggregates.FORMAT, "{}", b"")
    assert demo.store.stored_aggregates([wave], _aggregates.FORMAT)[wave] == kept


def test_an_import_from_the_command_line_stores_its_waves_table(demo, tmp_path):
    from assessment.cli import main
    wave = demo.wave()
    template = demo.store.wave_template(wave)
    pd.DataFrame({"team": ["Data"] * 5, **{i: [3] * 5 for i in template.item_ids}}).to_csv(tmp_path / "a.csv",
                                                                                          index=False)
    assert main(["import", str(demo.path), str(tmp_path / "a.csv"), "--quiet"]) == 0
    assert wave in demo.store.stored_aggregates([wave], _aggregates.FORMAT)
    assert_current(demo)


def test_closing_a_wave_from_the_command_line_stores_its_table(demo):
    from assessment.cli import main
    wave = demo.wave()
    demo.store.set_headcounts(wave, {"Data": 30})         # its stored table is now stale
    assert main(["wave", str(demo.path), "close", wave]) == 0
    assert wave in demo.store.stored_aggregates([wave], _aggregates.FORMAT)


# ---------------------------------------------------------------- the dashboard

def test_the_dashboard_shows_new_answers_after_a_refresh(demo):
    wave = demo.wave()
    dashboard = Dashboard(demo)
    template = demo.store.wave_template(wave)
    counted = read(demo).query("wave == @wave and level == 'organisation' and scale == 'security'")["n"].iloc[0]
    demo.store.add_responses(wave, [Response(team="Platform", answers={i: 3 for i in template.item_ids})
                                    for _ in range(3)])
    dashboard.refresh_button.click()
    table = dashboard.results.table("organisation")
    assert table.query("wave == @wave and scale == 'security'")["n"].iloc[0] == counted + 3


# ---------------------------------------------------------------- PostgreSQL, shared by the form, the dashboard and HR

def test_postgresql_stored_tables_equal_tables_from_scratch(pg_database, tmp_path):
    url = pg_database()
    ws = Workspace.create(tmp_path / "pg", wave="w1", database=url)
    store = ws.store
    store.add_teams([("Platform", "Product"), ("Data", "Product"), ("Legal", None)])
    template = store.wave_template("w1")
    rng = np.random.default_rng(3)
    rows = ["Platform"] * 9 + ["Data"] * 6 + ["Legal"] * 3
    values = rng.integers(1, 6, size=(len(rows), len(template.item_ids))).astype(float)
    matrix = pd.DataFrame(values, columns=template.item_ids)
    matrix.insert(0, "team", rows)
    store.add_answer_matrix("w1", matrix)
    assert_current(ws)
    assert_current(ws)
    assert store.stored_aggregates(["w1"], _aggregates.FORMAT)
    ws.close()


def test_store_upgraded_from_the_previous_release_stores_tables(tmp_path):
    import shutil
    from pathlib import Path
    fixture = Path(__file__).parent / "fixtures" / "v0.1.0" / "demo"
    shutil.copytree(fixture, tmp_path / "old")
    ws = Workspace(tmp_path / "old")
    assert ws.store.schema_version() >= 5
    assert_current(ws)
    assert ws.store.stored_aggregates(ws.store.wave_names(), _aggregates.FORMAT)
    ws.close()


def test_a_store_opened_twice_shares_the_stored_tables(demo):
    read(demo)
    other = Store.open(demo.database_url)
    assert set(other.stored_aggregates(other.wave_names(), _aggregates.FORMAT)) == set(other.wave_names())
    other.close()
    assert load_template("osa-core")      # the shipped template still loads beside the upgraded store


@pytest.mark.slow
def test_one_postgresql_store_shared_by_the_form_server_the_dashboard_and_an_hr_import(pg_database, tmp_path):
    """The shared deployment README offers: the served form (two worker processes) takes answers while HR imports
    a file from another process and a leader's dashboard is open. Nothing deadlocks or is lost, and after its
    refresh the dashboard shows every new answer, with stored tables equal to tables from scratch."""
    import subprocess
    import sys
    import threading

    import httpx
    from _servers import served_form
    from bs4 import BeautifulSoup

    ws = Workspace.create(tmp_path / "shared", wave="w1", database=pg_database())
    ws.store.add_teams([("Platform", "Product"), ("Data", "Product"), ("Sales North", "Sales")])
    template = ws.store.wave_template("w1")
    items = template.item_ids
    start = pd.DataFrame({"team": ["Platform"] * 8 + ["Data"] * 6, **{i: [4] * 14 for i in items}})
    ws.store.add_answer_matrix("w1", start)
    dashboard = Dashboard(ws)                                      # the leader's page, open all along
    organisation = dashboard.results.table("organisation").query("scale == 'security'")["n"].iloc[0]
    assert organisation == 14
    hr_file = tmp_path / "hr.csv"
    pd.DataFrame({"team": ["Sales North"] * 30, **{i: [2] * 30 for i in items}}).to_csv(hr_file, index=False)

    with served_form(ws.path, tmp_path) as (url, _):
        senders, statuses = 12, []
        ready = threading.Barrier(senders + 1)

        def respondent():
            with httpx.Client(base_url=url, timeout=60) as client:
                page = client.get("/")
                token = BeautifulSoup(page.text, "html.parser").find("input", {"name": "csrf_token"})["value"]
                fields = {"csrf_token": token, "lang": "en", "team": "Data", **{f"item-{i}": "5" for i in items}}
                ready.wait()
                for _ in range(2):
                    statuses.append(client.post("/", data=fields).status_code)

        threads = [threading.Thread(target=respondent) for _ in range(senders)]
        for thread in threads:
            thread.start()
        ready.wait()                                               # HR imports while the answers come in
        imported = subprocess.run([sys.executable, "-m", "assessment", "import", str(ws.path), str(hr_file),
                                   "--quiet"], capture_output=True, text=True, timeout=300)
        for thread in threads:
            thread.join()
    assert imported.returncode == 0, imported.stderr
    assert statuses == [303] * (2 * senders), statuses
    dashboard.refresh()
    table = dashboard.results.table()
    assert table.query("level == 'organisation' and scale == 'security'")["n"].iloc[0] == 14 + 2 * senders + 30
    assert table.query("group == 'Sales North' and scale == 'security'")["n"].iloc[0] == 30
    pd.testing.assert_frame_equal(read(ws), from_scratch(ws.store), check_exact=True)
    ws.close()
