"""The same store on a real PostgreSQL server: the SQL must run on both.

The throwaway cluster comes from conftest's `postgres_server`; outside CI the tests are skipped when
PostgreSQL is missing."""

from __future__ import annotations

import pandas as pd
import pytest

from assessment.exceptions import ResponseRejected, StoreError
from assessment.store import Response, Store
from assessment.templates import load_template


@pytest.fixture
def pg_store(pg_database):
    store = Store.open(pg_database())
    store.open_wave("w1", load_template("osa-core"))
    store.add_teams([("Platform", "Product"), ("Data", "Product")])
    yield store
    store.close()


def test_postgresql_store_keeps_responses_teams_and_comments(pg_store):
    pg_store.add_responses("w1", [Response("Platform", {"exp_role": 4, "goal_smart": 2}, {"comment_keep": "hi"},
                                           respondent="r1")])
    pg_store.add_answer_matrix("w1", pd.DataFrame({"team": ["Data"], "exp_role": [3.0]}))
    pg_store.add_responses("w1", [Response("Data", {"exp_role": 1})])
    answers = pg_store.answers("w1")
    assert sorted(zip(answers["team"], answers["item"], answers["value"])) == [
        ("Data", "exp_role", 1), ("Data", "exp_role", 3), ("Platform", "exp_role", 4), ("Platform", "goal_smart", 2)]
    assert pg_store.comments("w1")["text"].tolist() == ["hi"]
    assert pg_store.answer_matrix("w1").shape[0] == 3


def test_postgresql_store_rejects_a_bad_batch_whole(pg_store):
    with pytest.raises(ResponseRejected):
        pg_store.add_responses("w1", [Response("Data", {"exp_role": 3}), Response("Data", {"exp_role": 8})])
    assert pg_store.answers("w1").empty


def test_postgresql_store_refuses_a_second_answer_from_the_same_respondent(pg_store):
    pg_store.add_responses("w1", [Response("Data", {"exp_role": 3}, respondent="r9")])
    with pytest.raises(StoreError):
        pg_store.add_responses("w1", [Response("Data", {"exp_role": 4}, respondent="r9")])
    assert pg_store.answers("w1")["value"].tolist() == [3]


def test_postgresql_headcounts_upsert(pg_store):
    pg_store.set_headcounts("w1", {"Data": 3})
    pg_store.set_headcounts("w1", {"Data": 5, "Platform": 9})
    assert pg_store.headcounts("w1").set_index("team")["headcount"].to_dict() == {"Platform": 9, "Data": 5}
