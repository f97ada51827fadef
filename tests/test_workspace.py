"""Workspaces: one folder per client with its template, store and outputs."""

from __future__ import annotations

import pytest
import yaml

from assessment.exceptions import TemplateError, WorkspaceError
from assessment.workspace import Workspace


def test_create_writes_a_small_client_template_and_opens_a_wave(tmp_path):
    ws = Workspace.create(tmp_path / "acme", template="osa-core", language="sv", wave="2026-autumn")
    client = yaml.safe_load((ws.path / "template.yaml").read_text())
    assert client == {"id": "acme", "extends": "osa-core", "language": "sv"}
    assert ws.store.wave_names() == ["2026-autumn"]
    assert ws.store.wave_template("2026-autumn").language == "sv"


def test_create_refuses_an_existing_workspace(workspace):
    with pytest.raises(WorkspaceError, match="already exists"):
        Workspace.create(workspace.path)


def test_create_with_an_unknown_template_leaves_no_folder(tmp_path):
    with pytest.raises(TemplateError):
        Workspace.create(tmp_path / "x", template="nope")
    assert not (tmp_path / "x").exists()


def test_create_from_a_client_file_refers_to_it_relatively(tmp_path):
    client = tmp_path / "clients" / "acme.yaml"
    client.parent.mkdir()
    client.write_text("id: acme\nextends: osa-core\nanonymity: {min_group: 8}\n")
    ws = Workspace.create(tmp_path / "ws", template=str(client))
    assert ws.template().min_group == 8
    assert yaml.safe_load((ws.path / "template.yaml").read_text())["extends"] == "../clients/acme.yaml"


def test_opening_a_folder_that_is_not_a_workspace_says_how_to_create_one(tmp_path):
    with pytest.raises(WorkspaceError, match="assessment init"):
        Workspace(tmp_path)


def test_new_wave_takes_the_current_template(workspace):
    (workspace.path / "template.yaml").write_text("id: acme\nextends: osa-core\ndrop: {items: [exp_role]}\n")
    workspace.open_wave("w2")
    assert "exp_role" not in workspace.store.wave_template("w2").item_ids
    assert workspace.wave() == "w2"
