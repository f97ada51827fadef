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
from assessment.workspace import Workspace


@pytest.fixture
def workspace(tmp_path) -> Workspace:
    """A fresh osa-core workspace (English) with two departments and four teams, wave 'w1' open."""
    ws = Workspace.create(tmp_path / "acme", template="osa-core", wave="w1")
    ws.store.add_teams([("Sales North", "Sales"), ("Sales South", "Sales"), ("Platform", "Product"), ("Data", "Product")])
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
    except ImportError as exc:
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
    server = _postgres.start_cluster()
    yield server
    _postgres.stop_cluster(server)


@pytest.fixture
def pg_database(postgres_server, request):
    """Make an empty database on the throwaway cluster; returns its URL (call with a suffix for more)."""
    server = postgres_server

    def _make(suffix: str = "") -> str:
        digest = hashlib.sha1((request.node.nodeid + suffix).encode()).hexdigest()[:10]
        name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower()[:40]) + "_" + digest
        return _postgres.create_database(server, name)
    return _make
