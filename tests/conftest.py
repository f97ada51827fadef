"""Shared fixtures: real workspaces and files in temporary folders."""

from __future__ import annotations

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
