"""Waves follow their opening dates: history loaded out of order still reads in time order, and a
wave's name is matched like other names (case, diacritics), but never stored twice."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from assessment.analysis import Results
from assessment.cli import main
from assessment.exceptions import StoreError, UnknownNameError
from assessment.workspace import Workspace


def _answers(ws, wave, value, n=6):
    """n respondents in each of two teams, every item answered `value`."""
    items = ws.store.wave_template(wave).item_ids
    teams = ["Data"] * n + ["Platform"] * n
    values = np.full((len(teams), len(items)), float(value))
    ws.store.add_answer_array(wave, teams, items, values)


@pytest.fixture
def history(tmp_path):
    """Autumn 2025 created first, then the spring before it, then spring 2026 (no date: today)."""
    ws = Workspace.create(tmp_path / "hist", wave="2025-höst", opens="2025-09-01")
    ws.store.add_teams([("Data", "Product"), ("Platform", "Product")])
    ws.open_wave("2025-vår", opens="2025-03-01")
    yield ws
    ws.close()


def test_waves_are_ordered_by_opening_date_not_creation(history):
    store = history.store
    assert store.wave_names() == ["2025-vår", "2025-höst"]
    assert store.waves()["wave"].tolist() == ["2025-vår", "2025-höst"]
    assert store.latest_wave() == "2025-höst"
    assert history.wave() == "2025-höst"
    history.open_wave("2024-höst", opens="2024-09-01")
    assert store.wave_names() == ["2024-höst", "2025-vår", "2025-höst"]


def test_a_wave_without_an_opening_date_counts_from_the_day_it_was_created(history):
    store = history.store
    store.open_wave("undated", history.template())
    assert store.wave_names()[-1] == "undated"   # created today, after 2025


def test_waves_on_the_same_date_keep_creation_order(history):
    history.open_wave("b-second", opens="2025-03-01")
    assert history.store.wave_names() == ["2025-vår", "b-second", "2025-höst"]


def test_results_latest_previous_and_change_follow_dates(history):
    _answers(history, "2025-höst", 4)
    _answers(history, "2025-vår", 2)
    results = Results(history)
    assert results.waves == ["2025-vår", "2025-höst"]
    assert results.latest_wave() == "2025-höst"
    assert results.previous_wave("2025-höst") == "2025-vår"
    assert results.previous_wave("2025-vår") is None
    change = results.compare(results.previous_wave(results.latest_wave()), results.latest_wave())
    diffs = change.loc[change["diff"].notna(), "diff"]
    assert (diffs >= 0).all() and (diffs > 0).any()    # spring (2) to autumn (4): up, not down


def test_results_given_waves_in_any_order_or_case_read_them_by_date(history):
    results = Results(history, waves=["2025-HÖST", "2025-var"])
    assert results.waves == ["2025-vår", "2025-höst"]


def test_wave_names_are_unique_regardless_of_case_and_diacritics(history):
    with pytest.raises(StoreError, match="already exists"):
        history.open_wave("2025-HÖST")
    with pytest.raises(StoreError, match="already exists"):
        history.open_wave("2025-host")
    with pytest.raises(StoreError, match="already exists"):
        history.open_wave(" 2025-höst ")
    assert len(history.store.wave_names()) == 2


def test_a_wave_in_another_case_resolves_to_the_stored_one(history):
    store = history.store
    assert store.wave_id("2025-HÖST") == store.wave_id("2025-höst")
    assert history.wave("2025-host") == "2025-höst"
    assert store.wave_template("2025-HOST").id == store.wave_template("2025-höst").id
    assert store.wave_status("2025-Höst") == "open"
    # respondent keys (duplicate detection) do not depend on how the wave was typed
    assert store.respondent_keys("2025-HÖST", ["r1"]) == store.respondent_keys("2025-höst", ["r1"])


def test_an_unknown_wave_suggests_the_closest(history):
    with pytest.raises(UnknownNameError, match=r"no wave named '2025-hast'; did you mean '2025-höst'"):
        history.store.wave_id("2025-hast")


def test_a_wave_cannot_close_before_it_opens(history):
    with pytest.raises(StoreError, match="before it opens"):
        history.open_wave("bad", opens="2025-05-01", closes="2025-04-01")


def test_cli_init_and_wave_open_load_history_in_date_order(tmp_path, capsys):
    path = tmp_path / "kund"
    assert main(["init", str(path), "--wave", "2025-höst", "--opens", "2025-09-01", "--closes", "2025-09-30"]) == 0
    assert main(["wave", str(path), "open", "2025-vår", "--opens", "2025-03-01"]) == 0
    capsys.readouterr()
    assert main(["wave", str(path), "list"]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in listed[1:]] == ["2025-vår", "2025-höst"]
    with Workspace(path) as ws:
        assert ws.store.latest_wave() == "2025-höst"
        assert ws.store.waves().set_index("wave").loc["2025-höst", "closes"] in ("2025-09-30", pd.Timestamp("2025-09-30").date())
    assert main(["wave", str(path), "open", "2025-HÖST"]) == 2
    assert "already exists" in capsys.readouterr().err


def test_date_order_and_folded_names_on_both_databases(store_url):
    from assessment.store import Store
    from assessment.templates import load_template
    with Store.open(store_url, create=True) as store:
        template = load_template("osa-core")
        store.open_wave("Höst 2025", template, opens="2025-09-01")
        store.open_wave("Vår 2025", template, opens="2025-03-01")
        store.open_wave("undated", template)
        assert store.wave_names() == ["Vår 2025", "Höst 2025", "undated"]
        assert store.waves()["opens"].astype(str).tolist()[:2] == ["2025-03-01", "2025-09-01"]
        with pytest.raises(StoreError, match="already exists"):
            store.open_wave("höst 2025", template)
        assert store.wave_id("HOST 2025") == store.wave_id("Höst 2025")
