"""Imports are listed and can be undone exactly; re-saved or re-exported copies of a file are never
stored twice."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from assessment.cli import main
from assessment.exceptions import ImportRejected, StoreError, UnknownNameError
from assessment.importing import Mapping, import_answers
from assessment.store import Response
from assessment.templates import load_template
from assessment.workspace import Workspace

FIXTURES = Path(__file__).parent / "fixtures" / "v0.1.0"


@pytest.fixture
def store(any_store):
    """A store with wave w1, teams Data and Platform, and one answer given in the form, on SQLite and on
    PostgreSQL (conftest's `any_store`: each test runs on both)."""
    any_store.open_wave("w1", load_template("osa-core"), opens="2026-03-01")
    any_store.add_teams([("Data", "Product"), ("Platform", "Product")])
    any_store.add_responses("w1", [Response("Data", {"exp_role": 4}, {"comment_keep": "From the form"})])
    return any_store


def snapshot(store) -> dict:
    """Every row that answers, comments, respondents and imports hold."""
    return {
        "respondents": sorted(store._all("SELECT respondent_id, wave_id, team_id, respondent_key, source, language, "
                                         "submitted_on, import_id FROM respondents")),
        "answers": sorted(store._all("SELECT respondent_id, item, value FROM answers")),
        "comments": sorted(store._all("SELECT comment_key, wave_id, team_id, question, text, import_id FROM comments")),
        "imports": sorted(store._all("SELECT import_id, wave_id, sha256, filename, respondents FROM imports")),
    }


def test_undo_leaves_the_store_exactly_as_before_the_import(store, tmp_path):
    first = tmp_path / "first.csv"
    first.write_text("team,exp_role,goal_smart,comment_keep\nData,3,4,Fine\nPlatform,2,,\n", encoding="utf-8")
    import_answers(store, "w1", first)
    before = snapshot(store)
    second = tmp_path / "second.csv"
    second.write_text("respondent,team,exp_role,goal_smart,comment_keep\nr1,Data,5,5,Great\nr2,Platform,1,2,Bad\n"
                      "r3,Data,3,,\n", encoding="utf-8")
    result = import_answers(store, "w1", second)
    assert result.stored == 3 and snapshot(store) != before
    listed = store.imports()
    assert listed["file"].tolist() == ["first.csv", "second.csv"]
    assert listed["rows"].tolist() == [2, 3] and listed["wave"].tolist() == ["w1", "w1"]
    assert listed["undoable"].tolist() == [True, True]
    removed = store.undo_import(int(listed["id"].iat[1]))
    assert removed == {"id": int(listed["id"].iat[1]), "wave": "w1", "file": "second.csv", "respondents": 3,
                       "answers": 5, "comments": 2}
    assert snapshot(store) == before
    # the record is gone too: the same file can be imported again (e.g. after fixing the wave)
    assert import_answers(store, "w1", second).stored == 3


def test_undo_of_the_only_import_leaves_only_the_form_answers(store, tmp_path):
    before = snapshot(store)
    path = tmp_path / "a.csv"
    path.write_text("team,exp_role,comment_keep\nData,3,x\nData,3,x\nPlatform,4,\n", encoding="utf-8")
    import_answers(store, "w1", path)
    store.undo_import(str(store.imports()["id"].iat[0]))
    assert snapshot(store) == before
    assert store.comments("w1")["text"].tolist() == ["From the form"]


def test_undo_of_an_unknown_or_malformed_id_is_a_clear_error_and_changes_nothing(store):
    before = snapshot(store)
    with pytest.raises(UnknownNameError, match=r"no import with id 42 \(imports: none yet\)"):
        store.undo_import(42)
    with pytest.raises(StoreError, match="an import id is a whole number, not 'abc'"):
        store.undo_import("abc")
    assert snapshot(store) == before


def test_comments_record_only_the_import_never_the_respondent(store, tmp_path):
    path = tmp_path / "c.csv"
    path.write_text("team,exp_role,comment_keep\nData,3,one\nData,4,two\n", encoding="utf-8")
    import_answers(store, "w1", path)
    columns = [d[0] for d in store._exec("SELECT * FROM comments").description]
    assert "respondent_id" not in columns and "import_id" in columns
    import_id = int(store.imports()["id"].iat[0])
    assert sorted(store._all("SELECT text FROM comments WHERE import_id = ?", (import_id,))) == [("one",), ("two",)]


# ---------------------------------------------------------------- imports made before the upgrade
# SQLite only: the v0.1.0 fixture is a SQLite file (a v0.1.0 PostgreSQL store's upgrade: test_migrations.py)

def _old_client(tmp_path, respondents: int, form_too: bool = False) -> Path:
    """The v0.1.0 client fixture with an import recorded the v0.1.0 way (no link to its rows)."""
    path = tmp_path / "client"
    shutil.copytree(FIXTURES / "client", path)
    with sqlite3.connect(path / "assessment.db") as con:
        con.execute("INSERT INTO imports VALUES (1, 'abc', 'old.csv', ?, '2026-09-02T10:00:00+00:00')", (respondents,))
        for n in range(respondents):
            con.execute("INSERT INTO respondents (wave_id, team_id, respondent_key, source, submitted_on) "
                        "VALUES (1, 1, ?, 'import', '2026-09-02')", (f"k{n}",))
            con.execute("INSERT INTO answers VALUES (last_insert_rowid(), 'exp_role', 3)")
        con.execute("INSERT INTO comments (wave_id, team_id, question, text) VALUES (1, 1, 'comment_keep', 'old')")
        if form_too:
            con.execute("INSERT INTO respondents (wave_id, team_id, respondent_key, source, submitted_on) "
                        "VALUES (1, 1, 'form1', 'form', '2026-09-03')")
    return path


def test_an_old_import_that_is_alone_in_its_wave_is_linked_and_can_be_undone(tmp_path):
    with Workspace(_old_client(tmp_path, 3)) as ws:
        listed = ws.store.imports()
        assert listed[["file", "rows", "undoable"]].values.tolist() == [["old.csv", 3, True]]
        removed = ws.store.undo_import(int(listed["id"].iat[0]))
        assert (removed["respondents"], removed["answers"], removed["comments"]) == (3, 3, 1)
        assert ws.store._one("SELECT COUNT(*) FROM respondents") == 0


def test_an_old_import_mixed_with_other_answers_is_listed_but_undo_is_refused(tmp_path):
    with Workspace(_old_client(tmp_path, 3, form_too=True)) as ws:
        listed = ws.store.imports()
        assert listed["undoable"].tolist() == [False]
        with pytest.raises(StoreError, match="was made before this version of the kit recorded"):
            ws.store.undo_import(int(listed["id"].iat[0]))
        assert ws.store._one("SELECT COUNT(*) FROM respondents") == 4


# ---------------------------------------------------------------- the command line

def test_cli_lists_and_undoes_imports(tmp_path, capsys, new_database):
    ws_path = tmp_path / "acme"
    with Workspace.create(ws_path, wave="w1", database=new_database()) as ws:
        ws.store.add_teams([("Data", None)])
    (tmp_path / "a.csv").write_text("team,exp_role\nData,3\nData,4\n", encoding="utf-8")
    assert main(["imports", str(ws_path)]) == 0
    assert "no imports yet" in capsys.readouterr().out
    assert main(["import", str(ws_path), str(tmp_path / "a.csv")]) == 0
    capsys.readouterr()
    assert main(["imports", str(ws_path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].split() == ["id", "file", "imported", "wave", "rows", "undoable"]
    assert out[1].split()[:2] == ["1", "a.csv"] and out[1].split()[3:] == ["w1", "2", "yes"]
    assert main(["imports", str(ws_path), "undo", "1"]) == 0
    assert ("undid import 1 (a.csv) from wave w1: removed 2 response(s) with 2 answer(s) and 0 comment(s)"
            in capsys.readouterr().out)
    assert main(["imports", str(ws_path), "undo", "1"]) == 2
    assert "error: no import with id 1" in capsys.readouterr().err
    assert main(["imports", str(ws_path), "undo"]) == 2
    assert "needs the import's id" in capsys.readouterr().err
    with Workspace(ws_path) as ws:
        assert ws.store.answers().empty


# ---------------------------------------------------------------- re-saved and re-exported copies

GOOGLE = [
    ("2026-03-02 09:14:01", "Data", "4", "3", "Good team"),
    ("2026-03-02 10:20:45", "Platform", "2", "", ""),
    ("2026-03-03 08:01:10", "Data", "5", "4", "  Too many   meetings "),
    ("2026-03-03 08:05:00", "Data", "5", "4", "Too many meetings"),     # the same answers as the row above
]
MAPPING = Mapping(ignore=["Timestamp"])


def _google(path: Path, rows, sep=",", bom=False, stamp=lambda s: s, order=(0, 1, 2, 3, 4)) -> Path:
    header = ["Timestamp", "team", "exp_role", "goal_smart", "comment_keep"]
    lines = [sep.join(header[k] for k in order)]
    lines += [sep.join(([stamp(r[0]), *r[1:]])[k] for k in order) for r in rows]
    path.write_bytes(("\ufeff" if bom else "").encode() + ("\r\n".join(lines) + "\r\n").encode("utf-8"))
    return path


def _us_stamp(text: str) -> str:
    day, time = text.split()
    y, m, d = day.split("-")
    return f"{int(m)}/{int(d)}/{y} {time}"


def test_a_re_saved_copy_adds_nothing_and_is_refused_with_counts(store, tmp_path):
    import_answers(store, "w1", _google(tmp_path / "export.csv", GOOGLE), mapping=MAPPING)
    before = snapshot(store)
    assert len(before["respondents"]) == 1 + 4   # identical rows within one file are all kept
    copy = _google(tmp_path / "export (1).csv", GOOGLE, sep=";", bom=True, stamp=_us_stamp, order=(3, 0, 4, 2, 1))
    with pytest.raises(ImportRejected, match=r"all 4 response\(s\) in the file are already stored in wave w1"):
        import_answers(store, "w1", copy, mapping=MAPPING)
    assert snapshot(store) == before


def test_a_later_export_with_two_more_rows_adds_exactly_two(store, tmp_path):
    import_answers(store, "w1", _google(tmp_path / "export.csv", GOOGLE), mapping=MAPPING)
    more = GOOGLE + [("2026-03-04 12:00:00", "Platform", "3", "3", ""), ("2026-03-04 12:30:00", "Data", "4", "3", "Good team")]
    copy = _google(tmp_path / "later.csv", more, sep=";", bom=True, stamp=_us_stamp, order=(1, 2, 3, 4, 0))
    result = import_answers(store, "w1", copy, mapping=MAPPING)
    assert (result.stored, result.skipped) == (2, 4)
    assert len(store.answers("w1")) == 1 + 7 + 4   # the form's 1, the first file's 7, the new rows' 4
    assert sorted(store.comments("w1")["text"]) == sorted(["From the form", "Good team", "Too many   meetings",
                                                           "Too many meetings", "Good team"])


def test_an_export_with_ids_is_judged_by_the_ids(store, tmp_path):
    first = tmp_path / "ids.csv"
    first.write_text("respondent,team,exp_role\nR_1,Data,3\nR_2,Data,3\n", encoding="utf-8")
    import_answers(store, "w1", first)
    again = tmp_path / "ids2.csv"
    again.write_text("team;exp_role;respondent\nData;3;R_2\nData;3;R_1\n", encoding="utf-8")
    with pytest.raises(ImportRejected, match=r"all 2 response\(s\)"):
        import_answers(store, "w1", again)
    third = tmp_path / "ids3.csv"
    third.write_text("respondent,team,exp_role\nR_1,Data,3\nR_3,Data,3\n", encoding="utf-8")
    assert (import_answers(store, "w1", third).stored, len(store.answers("w1"))) == (1, 4)
