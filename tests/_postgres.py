"""A throwaway PostgreSQL cluster in a temporary folder (Debian's postgresql, installed by .ci/setup), on a
Unix socket only: used by tests/conftest.py's `postgres_server` / `pg_database` fixtures and by
benchmarks/form_load.py.

    server = start_cluster()            # {"bindir", "root", "port", "run"}
    url = create_database(server, "name")
    ...
    drop_database(server, "name")
    stop_cluster(server)

Binaries run as the postgres user (via runuser) when we are root, since root may not run them."""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile


def postgres_binaries() -> str | None:
    """The folder holding initdb, pg_ctl, createdb (the newest installed version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    return os.path.dirname(found[-1]) if found else None


def missing() -> str | None:
    """Why a cluster cannot be started here (no binaries or no psycopg), or None when it can."""
    try:
        import psycopg  # noqa: F401
    except ImportError:
        return "psycopg is not installed"
    if postgres_binaries() is None:
        return "PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)"
    return None


def as_postgres(*command, **kwargs):
    """Run a PostgreSQL client or server binary as the postgres user (root may not run them)."""
    prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    return subprocess.run(prefix + list(command), check=True, capture_output=True, timeout=120, **kwargs)


def start_cluster(bindir: str | None = None, settings: tuple[str, ...] = ()) -> dict:
    """initdb and start a cluster in a new temporary folder, listening on a Unix socket only (in that folder);
    `settings` are extra `-c name=value` server options. Returns {"bindir", "root", "port", "run"}."""
    bindir = bindir or postgres_binaries()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (no /usr/lib/postgresql/*/bin/initdb)")
    root = tempfile.mkdtemp(prefix="assessment-pg-")  # pytest's own folders are closed to the postgres user
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    options = " ".join([f"-k {root} -p {port} -c listen_addresses=''", *(f"-c {s}" for s in settings)])
    try:
        as_postgres(f"{bindir}/initdb", "-D", f"{root}/data", "-A", "trust", "-U", "postgres")
        as_postgres(f"{bindir}/pg_ctl", "-D", f"{root}/data", "-o", options, "-l", f"{root}/log", "-w", "start")
    except BaseException:
        shutil.rmtree(root, ignore_errors=True)
        raise
    return {"bindir": bindir, "root": root, "port": port, "run": as_postgres}


def stop_cluster(server: dict):
    """Stop the cluster at once and remove its folder."""
    try:
        as_postgres(f"{server['bindir']}/pg_ctl", "-D", f"{server['root']}/data", "-m", "immediate", "stop")
    finally:
        shutil.rmtree(server["root"], ignore_errors=True)


def create_database(server: dict, name: str) -> str:
    """Make an empty database `name` on the cluster; returns its URL."""
    as_postgres(f"{server['bindir']}/createdb", "-h", str(server["root"]), "-p", str(server["port"]), name)
    return database_url(server, name)


def drop_database(server: dict, name: str):
    """Drop the database `name`, ending any connection to it that is still open."""
    import psycopg
    with psycopg.connect(database_url(server, "postgres"), autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_url(server: dict, name: str) -> str:
    return f"postgresql://postgres@/{name}?host={server['root']}&port={server['port']}"
