"""Shared fixtures: real workspaces and files in temporary folders."""

from __future__ import annotations

import hashlib
import importlib
import os
import shutil
import textwrap
from pathlib import Path

import pytest

import _postgres
from assessment.demo import build_demo_workspace
from assessment.store import Store
from assessment.workspace import Workspace


TEAMS = [("Sales North", "Sales"), ("Sales South", "Sales"), ("Platform", "Product"), ("Data", "Product")]


def new_workspace(path, database: str | None = None) -> Workspace:
    """An osa-core workspace (English) with two departments and four teams (TEAMS), wave 'w1' open; its store
    is the workspace's own SQLite file, or the PostgreSQL database at the URL `database`."""
    ws = Workspace.create(path, template="osa-core", wave="w1", database=database)
    ws.store.add_teams(TEAMS)
    return ws


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    """A fresh osa-core workspace (English) with two departments and four teams, wave 'w1' open, on SQLite
    (`any_workspace` below is the same on both databases)."""
    ws = new_workspace(tmp_path / "acme")
    yield ws
    ws.close()


@pytest.fixture
def write(tmp_path):
    """Write a text file (dedented) into the temporary folder and return its path."""
    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding=encoding)
        return path
    return _write


@pytest.fixture(scope="session")
def demo_workspace(tmp_path_factory) -> Workspace:
    """The seeded demo organisation (four waves, a dozen teams), built once per test session."""
    ws = build_demo_workspace(tmp_path_factory.mktemp("demo") / "demo", seed=7)
    yield ws
    ws.close()


# ---------------------------------------------------------------- what some tests need: under CI a failure, never a skip
#
# The suite's rule, in this one place: a test whose dependency is missing FAILS under CI (the environment
# variable CI is set, as every CI service sets it; .ci/setup installs everything) and is skipped with the
# reason elsewhere. Tests ask for what they need through fixtures (`browser_available`, `postgres_available`,
# which chromium_browser and postgres_server depend on), never with a module-level importorskip; and under CI a
# module that skips itself at collection anyway is reported as a failure (pytest_make_collect_report below).

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def _missing_module(module: str, install: str) -> str | None:
    try:
        importlib.import_module(module)
    except (ImportError, OSError) as exc:   # OSError: a system library it loads is missing (WeasyPrint's Pango)
        return f"{module} cannot be imported ({exc}; {install})"
    return None


def _missing_postgresql() -> str | None:
    bindir = _postgres.postgres_binaries()
    if bindir and all(Path(bindir, tool).exists() for tool in ("initdb", "pg_ctl", "createdb")):
        return None
    return "PostgreSQL is not installed (no initdb, pg_ctl, createdb in /usr/lib/postgresql/*/bin: Debian's " \
           "postgresql, see .ci/setup)"


REQUIREMENTS = {
    "playwright": lambda: _missing_module("playwright.sync_api", "pip install -e '.[test]'"),
    "chromium": lambda: None if Path(CHROMIUM).exists() else
    f"no Chromium at {CHROMIUM} (Debian's chromium, see .ci/setup; never `playwright install`)",
    "postgresql": lambda: _missing_postgresql(),
    "psycopg": lambda: _missing_module("psycopg", "pip install -e '.[test]'"),
    "weasyprint": lambda: _missing_module("weasyprint", "pip install -e '.[test]'; .ci/setup installs the Pango and "
                                          "HarfBuzz libraries it loads") or _missing_module("pypdf", "pip install -e '.[test]'"),
}


def under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require(*names: str):
    """Fail (under CI) or skip (elsewhere) the calling test when any of the named REQUIREMENTS is missing."""
    missing = [why for why in (REQUIREMENTS[name]() for name in names) if why]
    if not missing:
        return
    if under_ci():
        pytest.fail("CI must run this test, but " + "; ".join(missing), pytrace=False)
    pytest.skip("; ".join(missing))


@pytest.fixture(scope="session")
def browser_available() -> str:
    """Playwright and Chromium are here (else fail under CI, skip elsewhere); the Chromium to launch."""
    require("playwright", "chromium")
    return CHROMIUM


@pytest.fixture(scope="session")
def pdf_available():
    """WeasyPrint (with its system libraries) and pypdf are here (else fail under CI, skip elsewhere)."""
    require("weasyprint")


@pytest.fixture(scope="session")
def postgres_available():
    """PostgreSQL's server binaries and psycopg are here (else fail under CI, skip elsewhere)."""
    require("postgresql", "psycopg")


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """Under CI a module that skips itself while it is collected (a module-level importorskip) is a failure."""
    outcome = yield
    report = outcome.get_result()
    if under_ci() and report.skipped:
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else report.longrepr
        report.outcome = "failed"
        report.longrepr = f"CI must not skip {collector.nodeid} at collection: {reason}"


# ---------------------------------------------------------------- a throwaway PostgreSQL cluster (tests/_postgres.py)

@pytest.fixture(scope="session")
def postgres_server(postgres_available):
    """A PostgreSQL cluster in a temporary folder (Debian's postgresql, installed by .ci/setup), on a
    Unix socket only; removed afterwards. Needs PostgreSQL and psycopg (`require`: a failure under CI)."""
    # no fsync: a throwaway cluster need not survive a crash of its server (tests kill clients, never the
    # server), and each of the many [postgresql] tests makes a database of its own
    server = _postgres.start_cluster(settings=("fsync=off", "synchronous_commit=off", "full_page_writes=off"))
    yield server
    _postgres.stop_cluster(server)


@pytest.fixture
def pg_database(postgres_server, request):
    """Make an empty database on the throwaway cluster; returns its URL (call with a suffix for more). The
    databases are dropped after the test (about 9 MB each: the cluster stays small however many tests run)."""
    server = postgres_server
    made = []

    def _make(suffix: str = "") -> str:
        digest = hashlib.sha1((request.node.nodeid + suffix).encode()).hexdigest()[:10]
        name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower()[:40]) + "_" + digest
        url = _postgres.create_database(server, name)
        made.append(name)
        return url
    yield _make
    for name in made:
        _postgres.drop_database(server, name)


# ---------------------------------------------------------------- the store's contract on both databases
#
# A test that asks for `database`, `store_url`, `any_store`, `any_workspace` or `new_database` runs twice, on
# SQLite and on PostgreSQL (test ids [sqlite] and [postgresql]). The cluster above starts only when a
# [postgresql] test runs (so does `require`'s rule: under CI a missing PostgreSQL or psycopg fails it), and each
# such test gets an empty database of its own. What only SQLite has (file permissions, the write-ahead log,
# backup files, PRAGMAs) is tested on the SQLite-only `workspace`.

DATABASES = ["sqlite", "postgresql"]


@pytest.fixture(params=DATABASES)
def database(request) -> str:
    """The database the test runs on: "sqlite" or "postgresql" (each such test runs on both)."""
    return request.param


@pytest.fixture
def new_database(database, request):
    """`new_database(suffix="")`: what Workspace.create's `database=` is for a new workspace on the test's
    database: None (the workspace's own SQLite file) or the URL of a new empty PostgreSQL database (another one
    for each suffix)."""
    pg_database = request.getfixturevalue("pg_database") if database == "postgresql" else None

    def _make(suffix: str = "") -> str | None:
        return None if pg_database is None else pg_database(suffix)
    return _make


@pytest.fixture
def store_url(database, tmp_path, request) -> str:
    """The URL of a new, empty store on the test's database (a SQLite file in tmp_path, or a PostgreSQL database)."""
    if database == "sqlite":
        return f"sqlite:///{tmp_path / 'store.db'}"
    return request.getfixturevalue("pg_database")()


@pytest.fixture
def any_store(store_url) -> Store:
    """A new store (no waves, no teams) on the test's database."""
    store = Store.open(store_url, create=True)
    yield store
    store.close()


@pytest.fixture
def any_workspace(tmp_path, new_database) -> Workspace:
    """The `workspace` above (four teams, wave 'w1' open) on the test's database; other processes open it by
    its folder, `Workspace(any_workspace.path)`, whichever database holds its store."""
    ws = new_workspace(tmp_path / "acme", new_database())
    yield ws
    ws.close()
