"""Actions agreed after a wave: recorded, changed, listed and removed through the store, on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as _dt

import pytest

from assessment.exceptions import AssessmentError, UnknownNameError
from assessment.store import ACTION_COLUMNS, ORGANISATION
from assessment.templates import load_template


@pytest.fixture
def store(any_store):
    """A store with wave w1 (then w2), departments Sales and Product, teams under them and one small team, on
    SQLite and on PostgreSQL (conftest's `any_store`: each test runs on both)."""
    template = load_template("osa-core")
    any_store.open_wave("w1", template, opens="2026-03-01")
    any_store.add_teams([("Kundtjänst", "Sales"), ("Sales South", "Sales"), ("Platform", "Product"), ("Data", "Product")])
    any_store.open_wave("w2", template, opens="2026-09-01")
    return any_store


def count(store) -> int:
    return len(store.actions())


def test_an_added_action_is_listed_with_every_field(store):
    action_id = store.add_action("Platform", "expectations", "Weekly priorities meeting", wave="w1", owner="Team lead",
                                 due="2026-05-01")
    row = store.actions().iloc[0]
    assert list(store.actions().columns) == ACTION_COLUMNS
    assert (row["id"], row["wave"], row["group"], row["scale"], row["status"], row["owner"], row["due"], row["text"],
            row["notes"]) == (action_id, "w1", "Platform", "expectations", "planned", "Team lead", "2026-05-01",
                              "Weekly priorities meeting", "")
    assert row["created"] == row["updated"] and row["created"].startswith(_dt.date.today().isoformat())


def test_an_action_defaults_to_the_latest_wave(store):
    store.add_action("Data", "goals", "Goals on the wall")
    assert store.actions()["wave"].tolist() == ["w2"]


def test_group_and_scale_match_regardless_of_case_diacritics_and_language(store):
    store.add_action("kundtjanst", "Förväntningar och rolltydlighet", "x", wave="w1")
    store.add_action("PRODUCT", "Support", "y", wave="w1")
    assert store.actions()[["group", "scale"]].values.tolist() == [["Kundtjänst", "expectations"], ["Product", "support"]]


def test_an_action_for_the_whole_organisation(store):
    store.add_action(ORGANISATION, "engagement", "All-hands on our goals")
    assert store.actions(group="organisation")["group"].tolist() == [ORGANISATION]


@pytest.mark.parametrize("fields, message", [
    ({"group": "Platfrom"}, r"no team or department named 'Platfrom'; did you mean 'Platform'\?"),
    ({"scale": "goal"}, r"no scale 'goal' .*did you mean 'goals'"),
    ({"scale": "enps"}, r"no scale 'enps'"),
    ({"text": "   "}, r"text cannot be empty"),
    ({"text": "x" * 1001}, r"at most 1000 characters, not 1001"),
    ({"owner": "o" * 201}, r"owner may have at most 200"),
    ({"due": "2026-13-01"}, r"due date: '2026-13-01' is not a date; write it as YYYY-MM-DD"),
    ({"status": "finished"}, r"status is one of planned, started, done, dropped"),
    ({"wave": "w9"}, r"no wave named 'w9'"),
])
def test_a_bad_action_is_refused_with_a_clear_message_and_nothing_stored(store, fields, message):
    given = {"group": "Platform", "scale": "goals", "text": "Do it", "wave": "w1"} | fields
    with pytest.raises(AssessmentError, match=message):
        store.add_action(**given)
    assert count(store) == 0


def test_update_changes_fields_and_adds_dated_notes(store):
    action_id = store.add_action("Data", "visibility", "Show results monthly", wave="w1", owner="Lead", due="2026-04-01")
    created = store.actions().iloc[0]["created"]
    store.update_action(action_id, status="started", note="First demo held")
    store.update_action(action_id, status="Done", text="Show results every month", owner="", due="2026-06-30",
                        note="Every month since April")
    row = store.actions().iloc[0]
    today = _dt.date.today().isoformat()
    assert (row["status"], row["text"], row["owner"], row["due"]) == ("done", "Show results every month", None,
                                                                      "2026-06-30")
    assert row["notes"] == f"{today}: First demo held\n{today}: Every month since April"
    assert row["created"] == created and row["updated"] >= created


def test_update_with_nothing_to_change_or_a_bad_status_changes_nothing(store):
    action_id = store.add_action("Data", "visibility", "Show results", wave="w1")
    before = store.actions()
    with pytest.raises(AssessmentError, match="nothing to change"):
        store.update_action(action_id)
    with pytest.raises(AssessmentError, match="status is one of"):
        store.update_action(action_id, status="closed", note="would be lost")
    assert store.actions().equals(before)


def test_unknown_action_ids_are_named(store):
    with pytest.raises(UnknownNameError, match="no action with id 42"):
        store.update_action(42, status="done")
    with pytest.raises(AssessmentError, match="whole number"):
        store.remove_action("first")


def test_remove_deletes_only_that_action(store):
    first = store.add_action("Data", "goals", "a", wave="w1")
    store.add_action("Data", "goals", "b", wave="w1")
    store.remove_action(first)
    assert store.actions()["text"].tolist() == ["b"]


def test_list_filters_by_wave_status_and_group_with_the_groups_below(store):
    store.add_action("Kundtjänst", "goals", "team action", wave="w1")
    store.add_action("Sales", "support", "department action", wave="w1", status="started")
    store.add_action("Platform", "goals", "other department", wave="w2")
    assert store.actions(wave="w1")["text"].tolist() == ["team action", "department action"]
    assert store.actions(status="started")["text"].tolist() == ["department action"]
    assert store.actions(group="Sales")["text"].tolist() == ["department action"]
    assert store.actions(group="Sales", below=True)["text"].tolist() == ["team action", "department action"]
    assert len(store.actions(group=ORGANISATION, below=True)) == 3


def test_a_group_with_no_answers_may_still_have_actions(store):
    """Actions are not survey answers: a team under the anonymity threshold can record them too."""
    assert store.respondent_counts("w1").empty
    store.add_action("Sales South", "support", "Pair up new colleagues", wave="w1")
    assert store.actions(group="Sales South")["text"].tolist() == ["Pair up new colleagues"]


def test_hostile_text_is_stored_exactly_as_typed(store):
    text = "=HYPERLINK(\"http://x\") <script>alert('x')</script> $x^2$ 🙂 עברית"
    store.add_action("Data", "goals", text, wave="w1")
    assert store.actions()["text"].tolist() == [text]
