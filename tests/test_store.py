"""The response store: waves keep their template, writes are whole or nothing."""

from __future__ import annotations

import hashlib
import os
import stat

import pandas as pd
import pytest

from assessment.exceptions import ResponseRejected, StoreError, UnknownNameError
from assessment.store import Response, Store
from assessment.workspace import Workspace


def test_store_file_is_readable_only_by_its_owner(workspace):
    mode = stat.S_IMODE(os.stat(workspace.store.path).st_mode)
    assert mode == 0o600


def test_wave_stores_the_resolved_template(workspace):
    stored = workspace.store.wave_template("w1")
    assert stored.item_ids == workspace.template().item_ids
    assert "extends" in stored.data and stored.data["scales"]


def test_editing_the_template_later_does_not_change_an_open_wave(workspace):
    (workspace.path / "template.yaml").write_text("id: acme\nextends: osa-core\ndrop: {items: [exp_role]}\n")
    assert "exp_role" not in workspace.template().item_ids
    assert "exp_role" in workspace.store.wave_template("w1").item_ids


def test_response_is_stored_with_answers_and_comments(workspace):
    store = workspace.store
    store.add_responses("w1", [Response("Platform", {"exp_role": 4, "goal_smart": 2}, {"comment_keep": " Nice team "})])
    answers = store.answers("w1")
    assert sorted(zip(answers["item"], answers["value"])) == [("exp_role", 4), ("goal_smart", 2)]
    assert store.comments("w1")[["team", "question", "text"]].values.tolist() == [["Platform", "comment_keep", "Nice team"]]


def test_comments_are_not_linked_to_respondents(workspace):
    columns = [row[1] for row in workspace.store._all("PRAGMA table_info(comments)")]
    assert "respondent_id" not in columns


def test_out_of_range_answer_rejects_the_whole_batch(workspace):
    store = workspace.store
    good = Response("Platform", {"exp_role": 4})
    bad = Response("Platform", {"exp_role": 6})
    with pytest.raises(ResponseRejected) as exc:
        store.add_responses("w1", [good, bad])
    assert "response 2: exp_role: 6 is out of range; answer from 1 to 5" in str(exc.value)
    assert store.answers("w1").empty


def test_unknown_team_is_rejected_by_name(workspace):
    with pytest.raises(ResponseRejected, match="unknown team 'Nowhere'"):
        workspace.store.add_responses("w1", [Response("Nowhere", {"exp_role": 3})])


def test_unknown_item_is_rejected(workspace):
    with pytest.raises(ResponseRejected, match="'bogus' is not an item"):
        workspace.store.add_responses("w1", [Response("Platform", {"bogus": 3})])


def test_same_respondent_cannot_answer_twice_in_a_wave(workspace):
    store = workspace.store
    store.add_responses("w1", [Response("Platform", {"exp_role": 3}, respondent="emp-17")])
    with pytest.raises(StoreError, match="already has a response"):
        store.add_responses("w1", [Response("Platform", {"exp_role": 5}, respondent="emp-17")])
    assert store.answers("w1")["value"].tolist() == [3]


def test_respondent_ids_are_stored_as_salted_hashes(workspace):
    store = workspace.store
    store.add_responses("w1", [Response("Platform", {"exp_role": 3}, respondent="anna@example.com")])
    keys = [r[0] for r in store._all("SELECT respondent_key FROM respondents")]
    assert "anna@example.com" not in keys[0]
    assert keys[0] == store.respondent_key("w1", "anna@example.com")


def test_closed_wave_takes_no_answers(workspace):
    workspace.store.set_wave_status("w1", "closed")
    with pytest.raises(StoreError, match="closed"):
        workspace.store.add_responses("w1", [Response("Platform", {"exp_role": 3})])


def test_failed_write_leaves_nothing_half_written(workspace, monkeypatch):
    store = workspace.store
    original = store._many

    def fail_on_comments(sql, rows):
        if "comments" in sql:
            raise RuntimeError("disk full")
        return original(sql, rows)

    monkeypatch.setattr(store, "_many", fail_on_comments)
    with pytest.raises(RuntimeError):
        store.add_responses("w1", [Response("Platform", {"exp_role": 3}, {"comment_keep": "hi"})])
    monkeypatch.undo()
    assert store.answers("w1").empty
    assert store.respondent_counts("w1").empty


def test_answer_matrix_has_one_row_per_respondent_and_all_items_in_template_order(workspace):
    store = workspace.store
    store.add_responses("w1", [Response("Platform", {"exp_role": 4}), Response("Data", {"goal_smart": 1})])
    matrix = store.answer_matrix("w1")
    assert list(matrix.columns) == ["team", *workspace.template().item_ids]
    assert len(matrix) == 2 and matrix["exp_role"].isna().sum() == 1


def test_teams_have_parents(workspace):
    teams = workspace.store.teams().set_index("team")["parent"]
    assert teams["Platform"] == "Product" and teams["Sales North"] == "Sales"
    assert pd.isna(teams["Sales"])


def test_team_hierarchy_cannot_have_a_cycle(workspace):
    with pytest.raises(StoreError, match="cycle"):
        workspace.store.add_team("Sales", "Sales North")


def test_headcount_is_set_per_wave_and_team(workspace):
    workspace.store.set_headcounts("w1", {"Platform": 12, "Data": 7})
    workspace.store.set_headcount("w1", "Data", 8)
    assert workspace.store.headcounts("w1")[["team", "headcount"]].values.tolist() == [["Platform", 12], ["Data", 8]]


def test_unknown_wave_lists_the_known_ones(workspace):
    with pytest.raises(UnknownNameError, match="no wave named 'w9'; waves: w1"):
        workspace.store.wave_id("w9")


def test_opening_a_missing_store_says_how_to_create_one(tmp_path):
    with pytest.raises(StoreError, match="assessment init"):
        Store.open(f"sqlite:///{tmp_path}/none.db")


def test_unsupported_database_url_is_an_error():
    with pytest.raises(StoreError, match="unsupported database URL"):
        Store.open("mysql://localhost/x")


def test_bulk_matrix_rejects_out_of_range_values_whole(workspace):
    import numpy as np
    import pandas as pd
    matrix = pd.DataFrame({"team": ["Platform", "Data"], "exp_role": [3.0, 9.0], "goal_smart": [np.nan, 2.0]})
    with pytest.raises(ResponseRejected, match="exp_role: 1 value"):
        workspace.store.add_answer_matrix("w1", matrix)
    assert workspace.store.answers("w1").empty


def test_write_ahead_log_files_are_readable_only_by_the_owner_too(workspace):
    workspace.store.add_responses("w1", [Response("Platform", {"exp_role": 4})])
    other = Store.open(workspace.database_url)   # a second connection keeps the log files in place
    try:
        for suffix in ("-wal", "-shm"):
            path = f"{workspace.store.path}{suffix}"
            assert os.path.exists(path)
            assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0, suffix
    finally:
        other.close()


# ---------------------------------------------------------------- respondent keys: salted per workspace

def stored_salt(store) -> str:
    return store._one("SELECT value FROM meta WHERE key = 'salt'")


def expected_key(salt: str, wave: str, source_id: str) -> str:
    """How a respondent key is derived, written out here: SHA-256 of salt, wave and id (US-separated), 32 hex digits."""
    return hashlib.sha256(f"{salt}\x1f{wave}\x1f{source_id}".encode()).hexdigest()[:32]


def stored_keys(store) -> list[str]:
    return [r[0] for r in store._all("SELECT respondent_key FROM respondents ORDER BY respondent_id")]


def set_salt(workspace_path, salt: str):
    """Give a workspace a salt of our choosing (a fresh Store reads it)."""
    with Workspace(workspace_path) as ws:
        ws.store._exec("UPDATE meta SET value = ? WHERE key = 'salt'", (salt,))


def test_two_workspaces_store_the_same_respondent_id_under_different_keys_from_their_own_salts(tmp_path):
    keys, salts = [], []
    for name in ("acme", "globex"):
        with Workspace.create(tmp_path / name, template="osa-core", wave="w1") as ws:
            ws.store.add_teams([("Platform", "Product")])
            ws.store.add_responses("w1", [Response("Platform", {"exp_role": 3}, respondent="anna@example.com")])
            salts.append(stored_salt(ws.store))
            keys.append(stored_keys(ws.store)[0])
    assert salts[0] != salts[1] and len(salts[0]) == 32
    assert keys[0] != keys[1]
    assert keys == [expected_key(salt, "w1", "anna@example.com") for salt in salts]


def test_the_same_respondent_id_gets_another_key_when_the_salt_changes(tmp_path):
    path = tmp_path / "acme"
    with Workspace.create(path, template="osa-core", wave="w1") as ws:
        ws.store.add_teams([("Platform", "Product")])
    for salt in ("a" * 32, "b" * 32):
        set_salt(path, salt)
        with Workspace(path) as ws:          # under a new salt the same id is a new key, so it may answer again
            ws.store.add_responses("w1", [Response("Platform", {"exp_role": 3}, respondent="emp-17")])
    with Workspace(path) as ws:
        assert stored_keys(ws.store) == [expected_key("a" * 32, "w1", "emp-17"), expected_key("b" * 32, "w1", "emp-17")]
