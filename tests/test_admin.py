"""HR administration widgets: the same actions as the CLI, with messages instead of tracebacks."""

from __future__ import annotations

import datetime

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
