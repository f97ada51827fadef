"""Shared fixtures: real workspaces and files in temporary folders."""

from __future__ import annotations

import glob
import hashlib
import os
import shutil
import socket
import subprocess
import tempfile
import textwrap
from pathlib import Path

import pytest

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


# ---------------------------------------------------------------- a throwaway PostgreSQL cluster

def _postgres_binaries():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def as_postgres(*command, **kwargs):
    """Run a PostgreSQL client or server binary as the postgres user (root may not run them)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + list(command), check=True, capture_output=True, timeout=120, **kwargs)


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL cluster in a temporary folder (Debian's postgresql, installed by .ci/setup), on a
    Unix socket only; removed afterwards. Outside CI the tests are skipped when it is missing."""
    bindir = _postgres_binaries()
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
    as_postgres(f"{bindir}/initdb", "-D", f"{root}/data", "-A", "trust", "-U", "postgres")
    as_postgres(f"{bindir}/pg_ctl", "-D", f"{root}/data", "-o", f"-k {root} -p {port} -c listen_addresses=''",
                "-l", f"{root}/log", "-w", "start")
    yield {"bindir": bindir, "root": root, "port": port, "run": as_postgres}
    as_postgres(f"{bindir}/pg_ctl", "-D", f"{root}/data", "-m", "immediate", "stop")
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def pg_database(postgres_server, request):
    """Make an empty database on the throwaway cluster; returns its URL (call with a suffix for more)."""
    server = postgres_server

    def _make(suffix: str = "") -> str:
        digest = hashlib.sha1((request.node.nodeid + suffix).encode()).hexdigest()[:10]
        name = "t_" + "".join(c if c.isalnum() else "_" for c in request.node.name.lower()[:40]) + "_" + digest
        as_postgres(f"{server['bindir']}/createdb", "-h", str(server["root"]), "-p", str(server["port"]), name)
        return f"postgresql://postgres@/{name}?host={server['root']}&port={server['port']}"
    return _make
