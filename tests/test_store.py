"""The response store: waves keep their template, writes are whole or nothing; on SQLite and on PostgreSQL
(`any_workspace`: each such test runs on both)."""

from __future__ import annotations

import hashlib
import os
import stat

import pandas as pd
import pytest

import _postgres
from _stores import table_columns
from assessment.exceptions import ResponseRejected, StoreError, UnknownNameError
from assessment.store import Response, Store
from assessment.workspace import Workspace


# SQLite only: the store's own file (a PostgreSQL server keeps its files to itself)
def test_store_file_is_readable_only_by_its_owner(workspace):
    mode = stat.S_IMODE(os.stat(workspace.store.path).st_mode)
    assert mode == 0o600


def test_wave_stores_the_resolved_template(any_workspace):
    stored = any_workspace.store.wave_template("w1")
    assert stored.item_ids == any_workspace.template().item_ids
    assert "extends" in stored.data and stored.data["scales"]


def test_editing_the_template_later_does_not_change_an_open_wave(any_workspace):
    (any_workspace.path / "template.yaml").write_text("id: acme\nextends: osa-core\ndrop: {items: [exp_role]}\n")
    assert "exp_role" not in any_workspace.template().item_ids
    assert "exp_role" in any_workspace.store.wave_template("w1").item_ids


def test_response_is_stored_with_answers_and_comments(any_workspace):
    store = any_workspace.store
    store.add_responses("w1", [Response("Platform", {"exp_role": 4, "goal_smart": 2}, {"comment_keep": " Nice team "})])
    answers = store.answers("w1")
    assert sorted(zip(answers["item"], answers["value"])) == [("exp_role", 4), ("goal_smart", 2)]
    assert store.comments("w1")[["team", "question", "text"]].values.tolist() == [["Platform", "comment_keep", "Nice team"]]


def test_comments_are_not_linked_to_respondents(any_workspace):
    assert "respondent_id" not in table_columns(any_workspace.store, "comments")


def test_out_of_range_answer_rejects_the_whole_batch(any_workspace):
    store = any_workspace.store
    good = Response("Platform", {"exp_role": 4})
    bad = Response("Platform", {"exp_role": 6})
    with pytest.raises(ResponseRejected) as exc:
        store.add_responses("w1", [good, bad])
    assert "response 2: exp_role: 6 is out of range; answer from 1 to 5" in str(exc.value)
    assert store.answers("w1").empty


def test_unknown_team_is_rejected_by_name(any_workspace):
    with pytest.raises(ResponseRejected, match="unknown team 'Nowhere'"):
        any_workspace.store.add_responses("w1", [Response("Nowhere", {"exp_role": 3})])


def test_unknown_item_is_rejected(any_workspace):
    with pytest.raises(ResponseRejected, match="'bogus' is not an item"):
        any_workspace.store.add_responses("w1", [Response("Platform", {"bogus": 3})])


def test_same_respondent_cannot_answer_twice_in_a_wave(any_workspace):
    store = any_workspace.store
    store.add_responses("w1", [Response("Platform", {"exp_role": 3}, respondent="emp-17")])
    with pytest.raises(StoreError, match="already has a response"):
        store.add_responses("w1", [Response("Platform", {"exp_role": 5}, respondent="emp-17")])
    assert store.answers("w1")["value"].tolist() == [3]


def test_respondent_ids_are_stored_as_salted_hashes(any_workspace):
    store = any_workspace.store
    store.add_responses("w1", [Response("Platform", {"exp_role": 3}, respondent="anna@example.com")])
    keys = [r[0] for r in store._all("SELECT respondent_key FROM respondents")]
    assert "anna@example.com" not in keys[0]
    assert keys[0] == store.respondent_key("w1", "anna@example.com")


def test_closed_wave_takes_no_answers(any_workspace):
    any_workspace.store.set_wave_status("w1", "closed")
    with pytest.raises(StoreError, match="closed"):
        any_workspace.store.add_responses("w1", [Response("Platform", {"exp_role": 3})])


def test_failed_write_leaves_nothing_half_written(any_workspace, monkeypatch):
    store = any_workspace.store
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


def test_answer_matrix_has_one_row_per_respondent_and_all_items_in_template_order(any_workspace):
    store = any_workspace.store
    store.add_responses("w1", [Response("Platform", {"exp_role": 4}), Response("Data", {"goal_smart": 1})])
    matrix = store.answer_matrix("w1")
    assert list(matrix.columns) == ["team", *any_workspace.template().item_ids]
    assert len(matrix) == 2 and matrix["exp_role"].isna().sum() == 1


def test_form_responses_before_and_after_a_bulk_matrix_are_all_stored(any_workspace):
    """A bulk matrix stores its respondents under ids it picks; responses after it still get new ids (on
    PostgreSQL the id sequence is moved past the matrix's ids)."""
    store = any_workspace.store
    store.add_responses("w1", [Response("Platform", {"exp_role": 4, "goal_smart": 2}, {"comment_keep": "hi"},
                                        respondent="r1")])
    store.add_answer_matrix("w1", pd.DataFrame({"team": ["Data", "Data"], "exp_role": [3.0, 5.0]}))
    store.add_responses("w1", [Response("Data", {"exp_role": 1})])
    answers = store.answers("w1")
    assert sorted(zip(answers["team"], answers["item"], answers["value"])) == [
        ("Data", "exp_role", 1), ("Data", "exp_role", 3), ("Data", "exp_role", 5), ("Platform", "exp_role", 4),
        ("Platform", "goal_smart", 2)]
    assert answers["respondent"].is_monotonic_increasing and answers["respondent"].nunique() == 4
    assert store.comments("w1")["text"].tolist() == ["hi"]
    assert store.answer_matrix("w1")["team"].tolist() == ["Platform", "Data", "Data", "Data"]


def test_teams_have_parents(any_workspace):
    teams = any_workspace.store.teams().set_index("team")["parent"]
    assert teams["Platform"] == "Product" and teams["Sales North"] == "Sales"
    assert pd.isna(teams["Sales"])


def test_team_hierarchy_cannot_have_a_cycle(any_workspace):
    with pytest.raises(StoreError, match="cycle"):
        any_workspace.store.add_team("Sales", "Sales North")


def test_headcount_is_set_per_wave_and_team(any_workspace):
    any_workspace.store.set_headcounts("w1", {"Platform": 12, "Data": 7})
    any_workspace.store.set_headcount("w1", "Data", 8)
    assert any_workspace.store.headcounts("w1")[["team", "headcount"]].values.tolist() == [["Platform", 12], ["Data", 8]]


def test_unknown_wave_lists_the_known_ones(any_workspace):
    with pytest.raises(UnknownNameError, match="no wave named 'w9'; waves: w1"):
        any_workspace.store.wave_id("w9")


# SQLite only: a store file that is not there (a PostgreSQL database that is not there: the next test)
def test_opening_a_missing_store_says_how_to_create_one(tmp_path):
    with pytest.raises(StoreError, match="assessment init"):
        Store.open(f"sqlite:///{tmp_path}/none.db")


def test_opening_a_postgresql_database_that_does_not_exist_is_a_store_error_naming_it(postgres_server):
    url = _postgres.database_url(postgres_server, "no_such_store")
    with pytest.raises(StoreError, match=r"cannot connect to .*no_such_store"):
        Store.open(url)


def test_unsupported_database_url_is_an_error():
    with pytest.raises(StoreError, match="unsupported database URL"):
        Store.open("mysql://localhost/x")


def test_bulk_matrix_rejects_out_of_range_values_whole(any_workspace):
    import numpy as np
    import pandas as pd
    matrix = pd.DataFrame({"team": ["Platform", "Data"], "exp_role": [3.0, 9.0], "goal_smart": [np.nan, 2.0]})
    with pytest.raises(ResponseRejected, match="exp_role: 1 value"):
        any_workspace.store.add_answer_matrix("w1", matrix)
    assert any_workspace.store.answers("w1").empty


# SQLite only: its write-ahead log files
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


def test_two_workspaces_store_the_same_respondent_id_under_different_keys_from_their_own_salts(tmp_path, new_database):
    keys, salts = [], []
    for name in ("acme", "globex"):
        with Workspace.create(tmp_path / name, template="osa-core", wave="w1", database=new_database(name)) as ws:
            ws.store.add_teams([("Platform", "Product")])
            ws.store.add_responses("w1", [Response("Platform", {"exp_role": 3}, respondent="anna@example.com")])
            salts.append(stored_salt(ws.store))
            keys.append(stored_keys(ws.store)[0])
    assert salts[0] != salts[1] and len(salts[0]) == 32
    assert keys[0] != keys[1]
    assert keys == [expected_key(salt, "w1", "anna@example.com") for salt in salts]


def test_the_same_respondent_id_gets_another_key_when_the_salt_changes(tmp_path, new_database):
    path = tmp_path / "acme"
    with Workspace.create(path, template="osa-core", wave="w1", database=new_database()) as ws:
        ws.store.add_teams([("Platform", "Product")])
    for salt in ("a" * 32, "b" * 32):
        set_salt(path, salt)
        with Workspace(path) as ws:          # under a new salt the same id is a new key, so it may answer again
            ws.store.add_responses("w1", [Response("Platform", {"exp_role": 3}, respondent="emp-17")])
    with Workspace(path) as ws:
        assert stored_keys(ws.store) == [expected_key("a" * 32, "w1", "emp-17"), expected_key("b" * 32, "w1", "emp-17")]


# ---------------------------------------------------------------- answer_matrix's packed read (issue 16)
import itertools  # noqa: E402

import numpy as np  # noqa: E402


def reference_matrix(store, wave: str) -> pd.DataFrame:
    """answer_matrix written independently: a pandas pivot of the long answers (`Store.answers`), every
    respondent of the wave in id order (those without answers as all-NaN rows), template items only, in order."""
    people = store.frame("SELECT r.respondent_id AS respondent, t.name AS team FROM respondents r JOIN teams t "
                         "ON r.team_id = t.team_id JOIN waves w ON r.wave_id = w.wave_id WHERE w.name = ?", (wave,))
    people = people.sort_values("respondent").set_index("respondent")
    items = store.wave_template(wave).item_ids
    answers = store.answers(wave)
    wide = answers.pivot(index="respondent", columns="item", values="value").astype("float64")
    wide = wide.reindex(index=people.index, columns=items)
    wide.insert(0, "team", people["team"].astype(str))
    wide.columns.name = None
    return wide


def assert_waves_read_as_the_pivot(store, waves=("w1", "w2")):
    for wave in waves:
        pd.testing.assert_frame_equal(store.answer_matrix(wave), reference_matrix(store, wave), check_exact=True)


def fill_mixed_waves(store, seed: int = 3) -> dict:
    """Two waves whose respondent ids interleave: bulk matrices with skipped answers (and a few whole rows
    skipped but kept for their comment: respondents without answers), form responses, and answers to items
    the wave's template does not have (written straight into the table, as an older template would have)."""
    rng = np.random.default_rng(seed)
    template = store.wave_template("w1")
    store.open_wave("w2", template)
    teams = store.team_names()
    scales = {i: template.item(i).response_scale for i in template.item_ids}

    def matrix(n):
        frame = pd.DataFrame({i: rng.integers(s.low, s.high + 1, n).astype(float) for i, s in scales.items()})
        frame = frame.mask(rng.random(frame.shape) < 0.2)          # skipped answers
        frame.iloc[[1, n - 2]] = np.nan                             # two respondents who answered nothing
        frame.insert(0, "team", rng.choice(teams, n))
        comments = pd.DataFrame({"row": [1, n - 2], "team": frame["team"].iloc[[1, n - 2]].to_list(),
                                 "question": "comment_keep", "text": ["only a comment", "me too"]})
        return frame, comments

    for wave, n in (("w1", 60), ("w2", 45), ("w1", 30), ("w2", 20)):
        frame, comments = matrix(n)
        store.add_answer_matrix(wave, frame, comments)
        store.add_responses(wave, [Response(teams[0], {"exp_role": 5, "goal_smart": 1}),
                                   Response(teams[-1], {template.item_ids[-1]: 2})])
    rows = store._all("SELECT r.respondent_id FROM respondents r JOIN waves w ON r.wave_id = w.wave_id "
                      "ORDER BY r.respondent_id")
    extra = [(rid, item, 3) for (rid,), item in zip(rows[::7], itertools.cycle(["retired_item", "zz", "exp_role_old"]))]
    with store.transaction():
        store._many("INSERT INTO answers (respondent_id, item, value) VALUES (?, ?, ?)", extra)
    return {"w1": 60 + 30 + 4, "w2": 45 + 20 + 4}


@pytest.mark.parametrize("cells_per_read", [None, 100])
def test_answer_matrix_equals_a_pivot_of_the_long_answers(any_workspace, monkeypatch, cells_per_read):
    """The packed read (whole waves, or a few respondents per statement) gives exactly what a pandas pivot
    of `Store.answers` gives, and what the row-by-row fallback gives, for waves with interleaved ids."""
    store = any_workspace.store
    respondents = fill_mixed_waves(store)
    used = []
    packed_answers = Store._packed_answers

    def spy(self, *args):
        used.append(packed_answers(self, *args))
        return used[-1]
    monkeypatch.setattr(Store, "_packed_answers", spy)
    if cells_per_read:
        monkeypatch.setattr(Store, "_CELLS_PER_READ", cells_per_read)   # 3 respondents per statement
    for wave in ("w1", "w2"):
        matrix = store.answer_matrix(wave)
        assert len(matrix) == respondents[wave]
        assert matrix.iloc[:, 1:].isna().all(axis=1).sum() == 4       # two matrices x two respondents without answers
        pd.testing.assert_frame_equal(matrix, reference_matrix(store, wave), check_exact=True)
    assert used == [True, True]                                       # it was the packed read, not the fallback
    monkeypatch.setattr(Store, "_packed_answers", lambda self, *args: False)
    assert_waves_read_as_the_pivot(store)


@pytest.mark.parametrize("cells_per_read", [None, 100])
def test_answer_matrix_of_waves_stored_in_one_go_reads_only_their_own_answers(any_workspace, monkeypatch,
                                                                            cells_per_read):
    """A wave whose respondent ids are contiguous (stored in one go, the usual case) is read without joining
    the respondents: the neighbouring waves' answers, just below and above its range, stay out of it."""
    store = any_workspace.store
    template = store.wave_template("w1")
    store.open_wave("w2", template)
    store.open_wave("w3", template)
    rng = np.random.default_rng(5)
    teams = store.team_names()
    for wave, n in (("w1", 40), ("w2", 33), ("w3", 21)):
        frame = pd.DataFrame({i: rng.integers(1, 6, n).astype(float) for i in template.item_ids})
        frame = frame.mask(rng.random(frame.shape) < 0.1)
        frame.insert(0, "team", rng.choice(teams, n))
        store.add_answer_matrix(wave, frame)
    if cells_per_read:
        monkeypatch.setattr(Store, "_CELLS_PER_READ", cells_per_read)
    for wave, n in (("w1", 40), ("w2", 33), ("w3", 21)):
        matrix = store.answer_matrix(wave)
        assert len(matrix) == n and matrix.index.is_monotonic_increasing
        assert matrix.index[-1] - matrix.index[0] == n - 1                 # contiguous: the join-free read
        pd.testing.assert_frame_equal(matrix, reference_matrix(store, wave), check_exact=True)


def test_answer_matrix_inside_a_transaction_sees_its_uncommitted_answers(any_workspace, monkeypatch):
    """Inside a transaction the packed read uses only the store's own connection (not a second one, which would
    not see the transaction's writes), even for a wave read in several parts."""
    store = any_workspace.store
    fill_mixed_waves(store)
    monkeypatch.setattr(Store, "_CELLS_PER_READ", 100)
    with store.transaction():
        rid = store._one("SELECT MIN(r.respondent_id) FROM respondents r JOIN waves w ON r.wave_id = w.wave_id "
                         "WHERE w.name = 'w1'")
        store._exec("DELETE FROM answers WHERE respondent_id = ?", (rid,))
        matrix = store.answer_matrix("w1")
        assert matrix.loc[rid].iloc[1:].isna().all()
        pd.testing.assert_frame_equal(matrix, reference_matrix(store, "w1"), check_exact=True)


def test_answer_matrix_of_a_wave_without_respondents_or_answers(any_workspace):
    store = any_workspace.store
    empty = store.answer_matrix("w1")
    assert empty.empty and list(empty.columns) == ["team", *store.wave_template("w1").item_ids]
    store.add_answer_matrix("w1", pd.DataFrame({"team": ["Data"], "exp_role": [np.nan]}),
                            pd.DataFrame({"row": [0], "team": ["Data"], "question": ["comment_keep"], "text": ["hi"]}))
    pd.testing.assert_frame_equal(store.answer_matrix("w1"), reference_matrix(store, "w1"), check_exact=True)


# SQLite only: a column's type is not enforced there, so a hand-edited store may hold a non-integer value
def test_answer_matrix_keeps_a_non_integer_value_in_a_sqlite_store(workspace):
    store = workspace.store
    fill_mixed_waves(store)
    rid = store._one("SELECT MAX(respondent_id) FROM respondents")
    with store.transaction():
        store._exec("INSERT OR REPLACE INTO answers (respondent_id, item, value) VALUES (?, 'exp_role', 2.5)", (rid,))
    assert_waves_read_as_the_pivot(store)
    assert 2.5 in store.answer_matrix("w2")["exp_role"].to_list()       # read by the fallback, row by row


def test_answer_matrix_matches_item_names_exactly():
    """The byte-wise item matching: prefixes, longer names, case, names over 8 bytes (two words), non-ASCII."""
    items = ["a1", "q10", "q1", "averyveryverylongitem_x", "averyveryverylongitem_y", "b-2"]
    stored = ["q1", "q10", "zz", "a1", "", "averyveryverylongitem_y", "averyveryverylongitem_", "averyveryverylongitem_yy",
              "b-2", "q1\x00", "Q1", "a1", "é", "q", "averyveryverylongitem_x"]
    columns = Store._item_columns(",".join(stored).encode(), items)
    assert columns.tolist() == [items.index(s) if s in items else -1 for s in stored]


def test_answer_matrix_with_a_comma_in_a_stored_item_name(any_workspace):
    """Item names are packed comma-separated: a stored name with a comma (not from any template) makes the
    packed read give up, and the row-by-row read gives the same matrix as ever."""
    store = any_workspace.store
    fill_mixed_waves(store)
    rid = store._one("SELECT MIN(respondent_id) FROM respondents")
    with store.transaction():
        store._exec("INSERT INTO answers (respondent_id, item, value) VALUES (?, 'exp_role,goal_smart', 1)", (rid,))
    assert_waves_read_as_the_pivot(store)
