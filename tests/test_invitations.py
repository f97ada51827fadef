"""One-time codes: only invited people answer, once, and codes never link to answers."""

from __future__ import annotations

import csv
import os
import stat

import pytest

from assessment.exceptions import AssessmentError, ResponseRejected
from assessment.invitations import write_codes
from assessment.store import Response


def read_codes(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_codes_file_has_one_code_per_person_by_headcount(workspace):
    workspace.store.set_headcounts("w1", {"Platform": 3, "Data": 2, "Sales North": 0, "Sales South": 1})
    path, n = write_codes(workspace, "w1")
    rows = read_codes(path)
    assert n == 6 and len({r["code"] for r in rows}) == 6
    assert sorted(r["team"] for r in rows) == ["Data", "Data", "Platform", "Platform", "Platform", "Sales South"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_codes_need_a_headcount_or_a_count(workspace):
    with pytest.raises(AssessmentError, match="no headcount for"):
        write_codes(workspace, "w1", teams=["Platform"])
    path, n = write_codes(workspace, "w1", teams=["Platform"], count=2)
    assert n == 2


def test_a_code_sets_the_team_and_can_be_used_once(workspace):
    code = workspace.store.issue_codes("w1", "Data", 1)[0]
    workspace.store.add_responses("w1", [Response("Platform", {"exp_role": 4})], code=code)
    assert workspace.store.answers("w1")["team"].tolist() == ["Data"]
    with pytest.raises(ResponseRejected, match="already been used"):
        workspace.store.add_responses("w1", [Response("Data", {"exp_role": 2})], code=code)
    assert len(workspace.store.answers("w1")) == 1


def test_a_wrong_code_stores_nothing(workspace):
    workspace.store.issue_codes("w1", "Data", 1)
    with pytest.raises(ResponseRejected, match="not valid"):
        workspace.store.add_responses("w1", [Response("Data", {"exp_role": 2})], code="AAAAA-BBBBB")
    assert workspace.store.answers("w1").empty


def test_codes_are_typed_forgivingly(workspace):
    code = workspace.store.issue_codes("w1", "Data", 1)[0]
    assert workspace.store.code_team("w1", f"  {code.lower().replace('-', ' ')} ") == "Data"


def test_codes_are_stored_only_as_hashes_without_a_link_to_answers(workspace):
    code = workspace.store.issue_codes("w1", "Data", 1)[0]
    workspace.store.add_responses("w1", [Response("Data", {"exp_role": 4})], code=code)
    columns = [row[1] for row in workspace.store._all("PRAGMA table_info(codes)")]
    assert columns == ["code_hash", "wave_id", "team_id", "used"]
    dump = "\n".join(workspace.store._conn.iterdump())
    assert code not in dump and code.replace("-", "") not in dump


def test_a_code_from_another_wave_is_not_valid(workspace):
    code = workspace.store.issue_codes("w1", "Data", 1)[0]
    workspace.open_wave("w2")
    with pytest.raises(ResponseRejected, match="not valid"):
        workspace.store.add_responses("w2", [Response("Data", {"exp_role": 2})], code=code)
