"""The actions panel: record and follow up a group's actions, with the kit's messages instead of tracebacks."""

from __future__ import annotations

import datetime

import pytest

from assessment.actionpanel import ActionsPanel
from assessment.store import ORGANISATION


def fill(panel, text="Weekly check-in on priorities", scale="goals", owner="Anna", due="2026-12-01"):
    panel.text.value = text
    panel.scale.value = scale
    panel.owner.value = owner
    panel.due.value = due


@pytest.fixture
def panel(workspace):
    return ActionsPanel(workspace, group="Platform")


def test_adding_through_the_panel_stores_the_action(workspace, panel):
    fill(panel)
    panel.add_button.click()
    stored = workspace.store.actions().to_dict("records")
    assert [(a["group"], a["wave"], a["scale"], a["text"], a["owner"], a["due"], a["status"]) for a in stored] == \
        [("Platform", "w1", "goals", "Weekly check-in on priorities", "Anna", "2026-12-01", "planned")]
    assert "added" in panel.message.value and "Weekly check-in on priorities" in panel.table.value
    assert panel.text.value == ""                                   # the form is ready for the next one


def test_the_scale_choices_are_titles_and_the_wave_defaults_to_the_latest(workspace, panel):
    assert ("Goals and purpose", "goals") in panel.scale.options
    assert panel.wave.value == "w1"
    workspace.open_wave("w2")
    panel.refresh()
    assert panel.wave.value == "w2"


def test_empty_text_shows_the_kits_error_and_stores_nothing(workspace, panel):
    fill(panel, text="   ")
    panel.add_button.click()
    assert "text cannot be empty" in panel.message.value and "Traceback" not in panel.message.value
    assert workspace.store.actions().empty


def test_unknown_scale_shows_the_kits_error_and_stores_nothing(workspace, panel):
    panel.scale.options = [*panel.scale.options, ("Nonsense", "nonsense")]   # e.g. a choice gone stale
    fill(panel, scale="nonsense")
    panel.add_button.click()
    assert "no scale &#x27;nonsense&#x27; in wave w1" in panel.message.value
    assert workspace.store.actions().empty


def test_a_bad_due_date_shows_the_kits_error_and_stores_nothing(workspace, panel):
    fill(panel, due="next friday")
    panel.add_button.click()
    assert "is not a date; write it as YYYY-MM-DD" in panel.message.value
    assert workspace.store.actions().empty


def test_saving_a_status_and_a_note_updates_the_action(workspace, panel):
    fill(panel)
    panel.add_button.click()
    action_id = int(workspace.store.actions()["id"].iloc[0])
    assert panel.action.value == action_id
    panel.status.value = "started"
    panel.note.value = "first meeting held"
    panel.save_button.click()
    stored = workspace.store.actions().iloc[0]
    assert stored["status"] == "started"
    assert stored["notes"] == f"{datetime.date.today().isoformat()}: first meeting held"
    assert "saved" in panel.message.value and "first meeting held" in panel.table.value


def test_saving_without_a_change_says_there_is_nothing_to_change(workspace, panel):
    fill(panel)
    panel.add_button.click()
    panel.save_button.click()
    assert "nothing to change" in panel.message.value


def test_remove_deletes_the_chosen_action(workspace, panel):
    fill(panel, text="first")
    panel.add_button.click()
    fill(panel, text="second")
    panel.add_button.click()
    first = int(workspace.store.actions().set_index("text").loc["first", "id"])
    panel.action.value = first
    panel.remove_button.click()
    assert list(workspace.store.actions()["text"]) == ["second"]
    assert [label for label, _ in panel.action.options] == [f"{first + 1}: second"]


def test_the_table_escapes_what_people_write(workspace, panel):
    fill(panel, text="<img src=x onerror=alert(1)>", owner="<b>boss</b>")
    panel.add_button.click()
    assert "<img" not in panel.table.value and "<b>boss" not in panel.table.value
    assert "&lt;img src=x onerror=alert(1)&gt;" in panel.table.value


def test_the_error_message_is_escaped(workspace, panel):
    panel.group.options = [("x", "<script>x</script>")]              # a group the store does not know
    fill(panel)
    panel.add_button.click()
    assert "no team or department named" in panel.message.value and "<script>" not in panel.message.value


def test_swedish_panel_has_swedish_labels_and_titles(workspace):
    panel = ActionsPanel(workspace, group="Platform", language="sv")
    assert (panel.add_button.description, panel.text.description, panel.owner.description) == \
        ("Lägg till åtgärd", "Åtgärd", "Ansvarig")
    assert ("Mål och syfte", "goals") in panel.scale.options
    assert [label for label, _ in panel.status.options] == ["planerad", "påbörjad", "klar", "avbruten"]
    assert "Inga åtgärder ännu" in panel.table.value


def test_a_department_panel_lists_its_teams_actions(workspace):
    workspace.store.add_action("Sales North", "goals", "north's action")
    workspace.store.add_action("Platform", "goals", "platform's action")
    panel = ActionsPanel(workspace, group="Sales")
    assert "north&#x27;s action" in panel.table.value and "platform" not in panel.table.value
    fill(panel, text="the department's own")
    panel.add_button.click()
    assert set(workspace.store.actions(group="Sales")["text"]) == {"the department's own"}


def test_without_a_group_the_panel_is_the_organisations(workspace):
    panel = ActionsPanel(workspace)
    fill(panel)
    panel.add_button.click()
    assert list(workspace.store.actions()["group"]) == [ORGANISATION]


def test_a_group_dropdown_chooses_whose_actions_are_shown_and_added(workspace):
    workspace.store.add_action("Data", "safety", "data's action")
    panel = ActionsPanel(workspace, groups=[ORGANISATION, "Platform", "Data"])
    assert panel.group.value == ORGANISATION and "data&#x27;s action" in panel.table.value
    panel.group.value = "Platform"
    assert "data&#x27;s action" not in panel.table.value
    fill(panel)
    panel.add_button.click()
    assert list(workspace.store.actions(group="Platform")["text"]) == ["Weekly check-in on priorities"]


def test_the_panel_calls_back_after_a_change(workspace, panel):
    seen = []
    panel.on_change(seen.append)
    fill(panel)
    panel.add_button.click()
    panel.text.value = ""
    panel.add_button.click()                                        # refused: no call
    assert seen == [panel]
