"""Shared fixtures: real workspaces and files in temporary folders."""

from __future__ import annotations

import hashlib
import os
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


# ---------------------------------------------------------------- a throwaway PostgreSQL cluster (tests/_postgres.py)

@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL cluster in a temporary folder (Debian's postgresql, installed by .ci/setup), on a
    Unix socket only; removed afterwards. Outside CI the tests are skipped when it is missing."""
    if _postgres.missing():
        if os.environ.get("CI"):
            pytest.fail("CI must test the PostgreSQL store: .ci/setup installs postgresql and psycopg")
        pytest.skip("PostgreSQL or psycopg is not installed here")
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
