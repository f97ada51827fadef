"""One-time codes: only invited people answer, once, and codes never link to answers; on SQLite and on
PostgreSQL (each test runs on both)."""

from __future__ import annotations

import csv
import hashlib
import multiprocessing
import os
import stat

import pytest

from _stores import stored_text, table_columns
from assessment.exceptions import AssessmentError, ResponseRejected
from assessment.invitations import write_codes
from assessment.store import Response
from assessment.workspace import Workspace


def read_codes(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_codes_file_has_one_code_per_person_by_headcount(any_workspace):
    any_workspace.store.set_headcounts("w1", {"Platform": 3, "Data": 2, "Sales North": 0, "Sales South": 1})
    path, n = write_codes(any_workspace, "w1")
    rows = read_codes(path)
    assert n == 6 and len({r["code"] for r in rows}) == 6
    assert sorted(r["team"] for r in rows) == ["Data", "Data", "Platform", "Platform", "Platform", "Sales South"]
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_codes_need_a_headcount_or_a_count(any_workspace):
    with pytest.raises(AssessmentError, match="no headcount for"):
        write_codes(any_workspace, "w1", teams=["Platform"])
    path, n = write_codes(any_workspace, "w1", teams=["Platform"], count=2)
    assert n == 2


def test_a_code_sets_the_team_and_can_be_used_once(any_workspace):
    code = any_workspace.store.issue_codes("w1", "Data", 1)[0]
    any_workspace.store.add_responses("w1", [Response("Platform", {"exp_role": 4})], code=code)
    assert any_workspace.store.answers("w1")["team"].tolist() == ["Data"]
    with pytest.raises(ResponseRejected, match="already been used"):
        any_workspace.store.add_responses("w1", [Response("Data", {"exp_role": 2})], code=code)
    assert len(any_workspace.store.answers("w1")) == 1


def test_a_wrong_code_stores_nothing(any_workspace):
    any_workspace.store.issue_codes("w1", "Data", 1)
    with pytest.raises(ResponseRejected, match="not valid"):
        any_workspace.store.add_responses("w1", [Response("Data", {"exp_role": 2})], code="AAAAA-BBBBB")
    assert any_workspace.store.answers("w1").empty


def test_codes_are_typed_forgivingly(any_workspace):
    code = any_workspace.store.issue_codes("w1", "Data", 1)[0]
    assert any_workspace.store.code_team("w1", f"  {code.lower().replace('-', ' ')} ") == "Data"


def test_codes_are_stored_only_as_hashes_without_a_link_to_answers(any_workspace):
    code = any_workspace.store.issue_codes("w1", "Data", 1)[0]
    any_workspace.store.add_responses("w1", [Response("Data", {"exp_role": 4})], code=code)
    assert table_columns(any_workspace.store, "codes") == ["code_hash", "wave_id", "team_id", "used"]
    dump = stored_text(any_workspace.store)
    assert code not in dump and code.replace("-", "") not in dump


def test_a_code_from_another_wave_is_not_valid(any_workspace):
    code = any_workspace.store.issue_codes("w1", "Data", 1)[0]
    any_workspace.open_wave("w2")
    with pytest.raises(ResponseRejected, match="not valid"):
        any_workspace.store.add_responses("w2", [Response("Data", {"exp_role": 2})], code=code)


# ---------------------------------------------------------------- code hashes: salted per workspace

def expected_code_hash(salt: str, code: str) -> str:
    """How a code is stored, written out here: SHA-256 of the salt and the code's letters and digits, upper case."""
    letters = "".join(ch for ch in code.upper() if ch.isalnum())
    return hashlib.sha256(f"{salt}\x1fcode\x1f{letters}".encode()).hexdigest()


def salt_of(store) -> str:
    return store._one("SELECT value FROM meta WHERE key = 'salt'")


def test_each_workspace_stores_its_codes_hashed_with_its_own_salt(tmp_path, new_database):
    salts, stored_hashes, issued = [], [], []
    for name in ("acme", "globex"):
        with Workspace.create(tmp_path / name, template="osa-core", wave="w1", database=new_database(name)) as ws:
            ws.store.add_teams([("Data", "Product")])
            issued.append(ws.store.issue_codes("w1", "Data", 3))
            salts.append(salt_of(ws.store))
            stored_hashes.append({r[0] for r in ws.store._all("SELECT code_hash FROM codes")})
    assert salts[0] != salts[1]
    for salt, codes, hashes in zip(salts, issued, stored_hashes):
        assert hashes == {expected_code_hash(salt, code) for code in codes}
    # the same code would be stored under another hash in the other workspace
    assert expected_code_hash(salts[0], issued[0][0]) != expected_code_hash(salts[1], issued[0][0])


def test_a_code_no_longer_matches_once_the_salt_changes(tmp_path, new_database):
    path = tmp_path / "acme"
    with Workspace.create(path, template="osa-core", wave="w1", database=new_database()) as ws:
        ws.store.add_teams([("Data", "Product")])
        code = ws.store.issue_codes("w1", "Data", 1)[0]
        assert ws.store.code_team("w1", code) == "Data"
        ws.store._exec("UPDATE meta SET value = ? WHERE key = 'salt'", ("c" * 32,))
    with Workspace(path) as ws:
        with pytest.raises(ResponseRejected, match="not valid"):
            ws.store.code_team("w1", code)


# ---------------------------------------------------------------- one code spent by several processes at once

SPENDERS = 4
ROUNDS = 5
STORED, REFUSED = "stored", "refused"


def _spend_each_code(path: str, codes: list[str], barrier, results, worker: int):
    """One process: for each code, wait until every process is ready, then submit one response with it."""
    from assessment.exceptions import ResponseRejected
    from assessment.store import Response
    from assessment.workspace import Workspace
    ws = Workspace(path)
    try:
        for round_, code in enumerate(codes):
            barrier.wait(timeout=120)
            try:
                ws.store.add_responses("w1", [Response("Platform", {"exp_role": 1 + worker})], code=code)
                results.put((round_, worker, STORED, ""))
            except ResponseRejected as refused:
                results.put((round_, worker, REFUSED, str(refused)))
    finally:
        ws.close()


@pytest.mark.slow
def test_one_code_submitted_by_several_processes_at_the_same_moment_is_spent_once(any_workspace):
    """Four processes (not threads: each has its own connection) submit with the same code at one barrier, five
    codes in turn; each time exactly one response is stored and the other three are told the code is used."""
    codes = any_workspace.store.issue_codes("w1", "Data", ROUNDS)
    path = str(any_workspace.path)
    any_workspace.close()
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(SPENDERS), context.Queue()
    workers = [context.Process(target=_spend_each_code, args=(path, codes, barrier, results, w))
               for w in range(SPENDERS)]
    for process in workers:
        process.start()
    outcomes = [results.get(timeout=300) for _ in range(SPENDERS * ROUNDS)]
    for process in workers:
        process.join(timeout=60)
    assert [p.exitcode for p in workers] == [0] * SPENDERS
    for round_ in range(ROUNDS):
        this_round = [(what, why) for r, _w, what, why in outcomes if r == round_]
        assert sorted(what for what, _ in this_round) == [REFUSED] * (SPENDERS - 1) + [STORED], round_
        assert all("already been used" in why for what, why in this_round if what == REFUSED)
    with Workspace(path) as ws:
        answers = ws.store.answers("w1")
        assert len(answers) == ROUNDS and set(answers["team"]) == {"Data"}
        assert ws.store._one("SELECT COUNT(*) FROM respondents") == ROUNDS
        assert ws.store.code_counts("w1")["used"].tolist() == [ROUNDS]


# ---------------------------------------------------------------- what a code looks like and when codes are refused (issue 18's mutation run)

def test_a_code_is_two_groups_of_five_characters_that_cannot_be_misread(workspace):
    import re

    codes = workspace.store.issue_codes("w1", "Data", 20)
    assert len(set(codes)) == 20
    assert all(re.fullmatch(r"[A-HJ-NP-Z2-9]{5}-[A-HJ-NP-Z2-9]{5}", code) for code in codes)   # no 0, O, 1 or I


@pytest.mark.parametrize("count", [0, -1, 2.0, "3", None])
def test_codes_are_issued_only_for_a_whole_number_of_at_least_one(workspace, count):
    import re

    from assessment.exceptions import StoreError

    with pytest.raises(StoreError, match=f"at least 1, not {re.escape(repr(count))}"):
        workspace.store.issue_codes("w1", "Data", count)
    assert not workspace.store.wave_has_codes("w1")


def test_one_code_goes_with_exactly_one_response(workspace):
    from assessment.exceptions import StoreError

    code = workspace.store.issue_codes("w1", "Data", 1)[0]
    with pytest.raises(StoreError) as refused:
        workspace.store.add_responses("w1", [Response("Data", {"exp_role": 4}), Response("Data", {"exp_role": 2})],
                                      code=code)
    assert str(refused.value) == "a one-time code goes with exactly one response"
    assert workspace.store.answers("w1").empty
    assert workspace.store.code_team("w1", code) == "Data"          # still unused


def test_codes_for_a_workspace_without_teams_say_how_to_add_them(tmp_path):
    with Workspace.create(tmp_path / "empty", template="osa-core", wave="w1") as ws:
        with pytest.raises(AssessmentError) as refused:
            write_codes(ws, "w1", count=1)
    assert str(refused.value) == ("the workspace has no teams yet; add them with "
                                  "`assessment teams WORKSPACE --file teams.csv`")


def test_the_codes_file_goes_where_asked_creating_its_folders(workspace, tmp_path):
    out = tmp_path / "hr" / "2026" / "codes.csv"
    path, n = write_codes(workspace, "w1", teams=["Data"], count=2, out=out)
    assert path == out and n == 2
    assert [r["team"] for r in read_codes(out)] == ["Data", "Data"]


def test_codes_written_over_a_file_others_could_read_become_owner_only(workspace, tmp_path):
    """Creating a file with 0600 does not change an existing file's mode: the codes file is made 0600 anyway."""
    out = tmp_path / "codes.csv"
    out.write_text("old\n")
    os.chmod(out, 0o644)
    write_codes(workspace, "w1", teams=["Data"], count=2, out=out)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    assert [r["team"] for r in read_codes(out)] == ["Data", "Data"]


def test_a_team_name_a_spreadsheet_would_run_is_written_as_text(workspace):
    workspace.store.add_team("=Ops", parent="Product")
    path, _n = write_codes(workspace, "w1", teams=["=Ops"], count=1)
    assert [r["team"] for r in read_codes(path)] == ["'=Ops"]


def test_codes_of_an_earlier_wave_follow_that_waves_headcounts(workspace):
    workspace.store.set_headcounts("w1", {"Data": 2})
    workspace.open_wave("w2")
    workspace.store.set_headcounts("w2", {"Data": 5})
    path, n = write_codes(workspace, "w1", teams=["Data"])
    codes = [r["code"] for r in read_codes(path)]
    assert n == 2 and len(codes) == 2
    assert all(workspace.store.code_team("w1", code) == "Data" for code in codes)
    assert not workspace.store.wave_has_codes("w2")


def test_a_code_spent_between_its_check_and_the_answers_transaction_is_refused(workspace, monkeypatch):
    """The race the guard in add_responses is for, made deterministic: another submission spends the code right
    after this one looked it up, before this one's transaction starts."""
    from assessment.store import Store

    code = workspace.store.issue_codes("w1", "Data", 1)[0]
    checked = Store.code_team

    def checked_then_spent_elsewhere(store, wave, given):
        team = checked(store, wave, given)
        if store is workspace.store:         # this submission: the other one goes through meanwhile
            with Workspace(workspace.path) as other:
                other.store.add_responses("w1", [Response("Data", {"exp_role": 5})], code=given)
        return team

    monkeypatch.setattr(Store, "code_team", checked_then_spent_elsewhere)
    with pytest.raises(ResponseRejected) as refused:
        workspace.store.add_responses("w1", [Response("Data", {"exp_role": 1})], code=code)
    assert refused.value.problems == ["this code has already been used; each invitation code can be used once"]
    assert workspace.store.answers("w1")["value"].tolist() == [5]          # the other submission's answer only
