"""Schema versions and upgrades: stores written by v0.1.0 open, upgrade once, and lose nothing.

The fixtures in tests/fixtures/v0.1.0 were written by the v0.1.0 release itself; `manifest.json`
is what v0.1.0's own API read back from them. Every test works on a copy in tmp_path."""

from __future__ import annotations

import gzip
import hashlib
import json
import multiprocessing
import shutil
import sqlite3
import stat
from pathlib import Path

import pytest

from assessment import migrations
from assessment.exceptions import StoreError
from assessment.store import SCHEMA_VERSION, Response, Store
from assessment.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "v0.1.0"
MANIFEST = json.loads((FIXTURES / "manifest.json").read_text(encoding="utf-8"))


def _digest(frame) -> dict:
    rows = sorted(map(tuple, frame.astype(str).itertuples(index=False, name=None)))
    return {"rows": len(rows), "sha256": hashlib.sha256(json.dumps(rows).encode()).hexdigest()}


def manifest(store: Store) -> dict:
    """The same reading of a store as tests/fixtures/v0.1.0/make_fixtures.py made with v0.1.0."""
    found = {
        "waves": store.waves().fillna("").astype(str).to_dict("records"),
        "teams": store.teams()[["team", "parent"]].fillna("").to_dict("records"),
        "headcounts": _digest(store.headcounts()),
        "answers": _digest(store.answers()[["wave", "team", "item", "value"]]),
        "comments": _digest(store.comments()),
        "respondents": _digest(store.frame("SELECT respondent_key, source, language, submitted_on FROM respondents")),
        "wave_templates": {w: hashlib.sha256(store._one("SELECT template_json FROM waves WHERE name = ?", (w,)).encode())
                           .hexdigest() for w in store.wave_names()},
    }
    return json.loads(json.dumps(found, default=str))


def expected(name: str) -> dict:
    return {k: v for k, v in MANIFEST[name].items() if k != "schema_version"}


@pytest.fixture
def old_workspace(tmp_path):
    """A copy of a workspace folder written by v0.1.0."""
    def _copy(name: str) -> Path:
        target = tmp_path / name
        shutil.copytree(FIXTURES / name, target)
        return target
    return _copy


def _raw_version(db: Path) -> str:
    with sqlite3.connect(db) as con:
        return con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()[0]


@pytest.mark.parametrize("name", ["demo", "client"])
def test_a_v010_workspace_opens_upgraded_with_every_row_unchanged(old_workspace, name):
    path = old_workspace(name)
    assert _raw_version(path / "assessment.db") == "1"
    with Workspace(path) as ws:
        assert ws.store.upgraded_from == 1
        assert ws.store.schema_version() == SCHEMA_VERSION
        assert manifest(ws.store) == expected(name)


def test_the_v010_demo_fixture_holds_real_data(old_workspace):
    """Guards the test above against comparing empty stores."""
    demo = MANIFEST["demo"]
    assert demo["answers"]["rows"] > 10_000 and demo["comments"]["rows"] > 100 and len(demo["waves"]) == 4
    assert len(MANIFEST["client"]["teams"]) == 3 and MANIFEST["client"]["headcounts"]["rows"] == 2


def test_an_upgrade_first_writes_an_owner_only_backup_of_the_old_file(old_workspace):
    path = old_workspace("demo")
    before = (path / "assessment.db").read_bytes()
    with Workspace(path) as ws:
        backup = ws.store.backup_path
    assert backup is not None and backup.parent == path and backup.name.startswith("assessment.db.schema1-")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert _raw_version(backup) == "1"
    with sqlite3.connect(backup) as old, sqlite3.connect(FIXTURES / "demo" / "assessment.db") as original:
        for table in ("answers", "respondents", "comments", "teams", "waves", "headcounts", "codes"):
            query = f"SELECT * FROM {table} ORDER BY 1, 2"
            assert old.execute(query).fetchall() == original.execute(query).fetchall(), table
    assert len(before) > 0


def test_a_store_is_upgraded_once(old_workspace):
    path = old_workspace("client")
    Workspace(path).store.close()
    with Workspace(path) as ws:
        assert ws.store.upgraded_from is None and ws.store.backup_path is None
    assert len(list(path.glob("assessment.db.schema*"))) == 1


def test_an_upgraded_store_takes_new_answers_and_actions(old_workspace):
    with Workspace(old_workspace("client")) as ws:
        ws.store.add_responses("2026-höst", [Response("IT", {"exp_role": 4}, {"comment_keep": "Bra"})])
        assert ws.store.comments()["text"].tolist() == ["Bra"]
        assert ws.store._one("SELECT COUNT(*) FROM actions") == 0


def _open_in_process(path: str, queue):
    with Workspace(path) as ws:
        queue.put((ws.store.upgraded_from, ws.store.schema_version()))


def test_two_processes_opening_an_old_store_at_once_upgrade_it_once(old_workspace):
    path = old_workspace("demo")
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_open_in_process, args=(str(path), queue)) for _ in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
    results = [queue.get(timeout=5) for _ in workers]
    assert sorted(r[1] for r in results) == [SCHEMA_VERSION] * 3
    assert sorted(r[0] is not None for r in results) == [False, False, True]
    assert len(list(path.glob("assessment.db.schema*"))) == 1
    with Workspace(path) as ws:
        assert manifest(ws.store) == expected("demo")


def test_a_failing_upgrade_leaves_the_old_store_exactly_as_it_was(old_workspace, monkeypatch):
    path = old_workspace("demo")
    before = sqlite3.connect(path / "assessment.db").execute("SELECT COUNT(*) FROM comments").fetchone()

    def broken(store):
        store._exec("DELETE FROM answers")
        raise RuntimeError("disk full")
    failing = migrations.Migration(SCHEMA_VERSION + 1, "fails half way", (migrations.MIGRATIONS[1].steps[0], broken))
    monkeypatch.setattr(migrations, "MIGRATIONS", (*migrations.MIGRATIONS, failing))
    with pytest.raises(RuntimeError, match="disk full"):
        Store.open(f"sqlite:///{path / 'assessment.db'}")
    monkeypatch.undo()
    assert _raw_version(path / "assessment.db") == "1"
    with sqlite3.connect(path / "assessment.db") as con:
        assert con.execute("SELECT COUNT(*) FROM comments").fetchone() == before
        assert con.execute("SELECT COUNT(*) FROM answers").fetchone()[0] == MANIFEST["demo"]["answers"]["rows"]
        assert "comment_id" in [c[1] for c in con.execute("PRAGMA table_info(comments)")]
    with Workspace(path) as ws:   # and the real upgrade still works afterwards
        assert manifest(ws.store) == expected("demo")


def test_a_store_from_a_newer_kit_is_refused_and_left_alone(old_workspace):
    path = old_workspace("client")
    db = path / "assessment.db"
    with sqlite3.connect(db) as con:
        con.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    before = list(sqlite3.connect(db).iterdump())
    with pytest.raises(StoreError, match=rf"newer version of the kit \(schema {SCHEMA_VERSION + 1}.*upgrade the kit"):
        Workspace(path).store
    assert list(sqlite3.connect(db).iterdump()) == before
    assert not list(path.glob("assessment.db.schema*"))


def test_a_new_store_records_the_latest_schema_version(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'new.db'}", create=True) as store:
        assert store.schema_version() == SCHEMA_VERSION == migrations.LATEST
        assert store.upgraded_from is None and store.backup_path is None


def test_migrations_are_numbered_one_after_another():
    assert [m.version for m in migrations.MIGRATIONS] == list(range(1, len(migrations.MIGRATIONS) + 1))


# ---------------------------------------------------------------- comments unlinkable in the file

def test_upgraded_comments_carry_no_number_or_order_that_follows_submission(old_workspace):
    path = old_workspace("demo")
    Workspace(path).store.close()
    with sqlite3.connect(path / "assessment.db") as con:
        columns = {c[1]: c[2] for c in con.execute("PRAGMA table_info(comments)")}
        assert set(columns) == {"comment_key", "wave_id", "team_id", "question", "text", "import_id"}
        with pytest.raises(sqlite3.OperationalError):
            con.execute("SELECT rowid FROM comments")   # no hidden insertion counter either
        keys = [k for (k,) in con.execute("SELECT comment_key FROM comments")]
    assert len(set(keys)) == len(keys) == MANIFEST["demo"]["comments"]["rows"]
    assert all(len(k) == 32 and int(k, 16) >= 0 for k in keys)


def test_old_comment_numbers_are_not_left_readable_in_the_file(old_workspace):
    """The upgrade zeroes freed pages: the v0.1.0 layout (integer id, wave, team, question, text)
    must not survive in the file, in the write-ahead log or in free pages."""
    path = old_workspace("demo")
    with sqlite3.connect(path / "assessment.db") as con:
        first = con.execute("SELECT comment_id, question, text FROM comments ORDER BY comment_id LIMIT 1").fetchone()
    Workspace(path).store.close()
    raw = b"".join(p.read_bytes() for p in path.glob("assessment.db*") if ".schema" not in p.name)
    assert first[2].encode() in raw          # the text is still there (it is the data)...
    old_header = sqlite3.connect(FIXTURES / "demo" / "assessment.db").execute(
        "SELECT sql FROM sqlite_master WHERE name = 'comments'").fetchone()[0]
    assert old_header.encode() not in raw    # ...but the old table, with its numbering, is gone


def test_new_comments_get_random_keys_not_submission_order(workspace):
    store = workspace.store
    for n in range(30):
        store.add_responses("w1", [Response("Platform", {"exp_role": 3}, {"comment_keep": f"c{n:02d}"})])
    by_key = store.comments("w1")["text"].tolist()
    assert sorted(by_key) == [f"c{n:02d}" for n in range(30)]
    assert by_key != sorted(by_key)   # 1 in 30! to fail by chance


# ---------------------------------------------------------------- PostgreSQL

def test_a_v010_postgresql_store_upgrades_with_every_row_unchanged(pg_database, postgres_server):
    url = pg_database()
    dump = gzip.decompress((FIXTURES / "demo-postgresql.sql.gz").read_bytes())
    database = url.split("/")[3].split("?")[0]
    postgres_server["run"](f"{postgres_server['bindir']}/psql", "-q", "-v", "ON_ERROR_STOP=1", "-h",
                str(postgres_server["root"]), "-p", str(postgres_server["port"]), "-d", database, input=dump)
    with Store.open(url) as store:
        assert store.upgraded_from == 1 and store.backup_path is None
        assert store.schema_version() == SCHEMA_VERSION
        assert manifest(store) == expected("demo")
        assert store._one("SELECT COUNT(*) FROM actions") == 0
    with Store.open(url) as again:
        assert again.upgraded_from is None
        assert manifest(again) == expected("demo")
