"""HR administration widgets: the same actions as the CLI, with messages instead of tracebacks."""

from __future__ import annotations

import datetime
import tempfile

import pytest

from assessment.admin import AdminPanel


def test_open_and_close_a_wave(workspace):
    panel = AdminPanel(workspace)
    panel.new_wave.value = "w2"
    panel.open_button.click()
    assert "w2 is open" in panel.message.value and panel.wave.value == "w2"
    panel.close_button.click()
    assert workspace.store.wave_status("w2") == "closed"


def test_set_headcount(workspace):
    panel = AdminPanel(workspace)
    panel.team.value = "Platform"
    panel.headcount.value = 14
    panel.headcount_button.click()
    assert workspace.store.headcounts("w1").set_index("team")["headcount"].to_dict() == {"Platform": 14}


def test_import_from_a_path_stores_answers_and_shows_rates(workspace, write):
    path = write("answers.csv", "team,exp_role,exp_standard,exp_feedback\n" + "Platform,4,4,3\n" * 6)
    panel = AdminPanel(workspace)
    panel.path.value = str(path)
    panel.import_button.click()
    assert "stored 6 response(s)" in panel.message.value
    assert "Platform" in panel.rates.value and ">6<" in panel.rates.value.replace(" ", "")


def test_import_from_an_upload(workspace):
    panel = AdminPanel(workspace)
    content = b"team,exp_role\nData,5\n"
    panel.upload.value = ({"name": "upload.csv", "type": "text/csv", "size": len(content), "content": memoryview(content),
                           "last_modified": datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)},)
    panel.import_button.click()
    assert "stored 1 response(s)" in panel.message.value
    assert workspace.store.answers("w1")["value"].tolist() == [5]


def _upload(content: bytes, name: str = "upload.csv") -> tuple:
    return ({"name": name, "type": "text/csv", "size": len(content), "content": memoryview(content),
             "last_modified": datetime.datetime(2026, 11, 1, tzinfo=datetime.timezone.utc)},)


@pytest.mark.parametrize("content, stored", [(b"team,exp_role\nData,5\n", 1), (b"team,exp_role\nData,9\n", 0)])
def test_an_uploaded_answer_file_leaves_no_copy_on_the_servers_disk(workspace, tmp_path, monkeypatch, content, stored):
    """The upload is written to a temporary file for the importer and removed afterwards, whether the import
    succeeded or was rejected: an export of answers is personal data."""
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    panel = AdminPanel(workspace)
    panel.upload.value = _upload(content)
    panel.import_button.click()
    assert len(workspace.store.answers("w1")) == stored
    assert "upload.csv" in panel.message.value
    assert list((tmp_path / "tmp").iterdir()) == []


def test_an_uploaded_teams_file_leaves_no_copy_on_the_servers_disk(workspace, tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "tmp"))
    (tmp_path / "tmp").mkdir()
    panel = AdminPanel(workspace)
    panel.teams_upload.value = _upload(b"team,parent\nSupport,\n", "teams.csv")
    panel.teams_button.click()
    assert "Support" in workspace.store.team_names()
    assert list((tmp_path / "tmp").iterdir()) == []


def test_rejected_import_shows_the_rows_and_stores_nothing(workspace, write):
    panel = AdminPanel(workspace)
    panel.path.value = str(write("bad.csv", "team,exp_role\nData,9\n"))
    panel.import_button.click()
    assert "row 2" in panel.message.value and "error" in panel.message.value
    assert workspace.store.answers("w1").empty


def test_small_teams_show_no_respondent_count(workspace, write):
    path = write("answers.csv", "team,exp_role,exp_standard,exp_feedback\n" + "Platform,4,4,3\n" * 6 + "Data,2,2,2\n" * 2)
    panel = AdminPanel(workspace)
    panel.path.value = str(path)
    panel.import_button.click()
    row = panel.rates.value.split("<td>Data</td>")[1].split("</tr>")[0]
    assert "&lt; 5" in row and ">2<" not in row.replace(" ", "")


def test_create_codes_file_from_headcounts(workspace):
    import csv
    workspace.store.set_headcounts("w1", {"Platform": 2, "Data": 1, "Sales North": 0, "Sales South": 0})
    panel = AdminPanel(workspace)
    panel.codes_button.click()
    assert "Wrote 3 one-time codes" in panel.message.value
    path = workspace.output / "codes-w1.csv"
    with open(path, newline="") as handle:
        assert sorted(r["team"] for r in csv.DictReader(handle)) == ["Data", "Platform", "Platform"]


def test_admin_panel_has_a_survey_tab_and_an_actions_tab(workspace):
    panel = AdminPanel(workspace)
    assert [panel.tabs.get_title(k) for k in range(len(panel.tabs.children))] == ["Survey", "Actions"]
    assert panel.tabs.children[1] is panel.actions_panel.widget
    groups = {v for _, v in panel.actions_panel.group.options}
    assert {"Organisation", "Sales", "Sales North", "Product", "Data"} <= groups


def test_actions_tab_records_an_action_for_the_chosen_group(workspace):
    actions = AdminPanel(workspace).actions_panel
    actions.group.value = "Sales South"
    actions.scale.value = "safety"
    actions.text.value = "Retro every second Friday"
    actions.due.value = "2027-01-15"
    actions.add_button.click()
    stored = workspace.store.actions()
    assert list(zip(stored["group"], stored["scale"], stored["text"], stored["due"])) == [
        ("Sales South", "safety", "Retro every second Friday", "2027-01-15")]
    assert "Retro every second Friday" in actions.table.value


def test_a_wave_opened_in_the_survey_tab_is_offered_in_the_actions_tab(workspace):
    panel = AdminPanel(workspace)
    panel.new_wave.value = "w2"
    panel.open_button.click()
    assert list(panel.actions_panel.wave.options) == ["w1", "w2"] and panel.actions_panel.wave.value == "w2"
