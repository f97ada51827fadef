"""The same store on a real PostgreSQL server: the SQL must run on both.

A throwaway cluster is started in a temporary folder (Debian's postgresql package, installed by
.ci/setup) and removed afterwards. Outside CI the tests are skipped when PostgreSQL is missing."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile

import pandas as pd
import pytest

from assessment.exceptions import ResponseRejected, StoreError
from assessment.store import Response, Store
from assessment.templates import load_template


def _binaries():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def _as_postgres(*command):
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    subprocess.run(prefix + list(command), check=True, capture_output=True, timeout=120)


@pytest.fixture(scope="module")
def server():
    bindir = _binaries()
    try:
        import psycopg  # noqa: F401
    except ImportError:
        bindir = None
    if bindir is None:
        if os.environ.get("CI"):
            pytest.fail("CI must test the PostgreSQL store: .ci/setup installs postgresql and psycopg")
        pytest.skip("PostgreSQL or psycopg is not installed here")
    root = tempfile.mkdtemp(prefix="assessment-pg-")  # pytest's own folders are closed to the postgres user
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    _as_postgres(f"{bindir}/initdb", "-D", f"{root}/data", "-A", "trust", "-U", "postgres")
    _as_postgres(f"{bindir}/pg_ctl", "-D", f"{root}/data", "-o", f"-k {root} -p {port} -c listen_addresses=''",
                 "-l", f"{root}/log", "-w", "start")
    yield {"bindir": bindir, "root": root, "port": port}
    _as_postgres(f"{bindir}/pg_ctl", "-D", f"{root}/data", "-m", "immediate", "stop")
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_store(server, request):
    name = "t_" + request.node.name.lower()[:50].replace("[", "_").replace("]", "_")
    _as_postgres(f"{server['bindir']}/createdb", "-h", str(server["root"]), "-p", str(server["port"]), name)
    store = Store.open(f"postgresql://postgres@/{name}?host={server['root']}&port={server['port']}")
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
