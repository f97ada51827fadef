"""One validation path: an import, the survey form and the store's API apply the same checks and limits
(a comment has at most COMMENT_LIMIT characters), and no error echoes a whole cell."""

from __future__ import annotations

import pytest

from assessment._names import quote
from assessment.exceptions import ImportRejected, ResponseRejected
from assessment.importing import Mapping, import_answers
from assessment.store import COMMENT_LIMIT, Response
from assessment.widgets import SurveyForm

FRITEXT = Mapping(columns={"Fritext": "comment_keep"})


def _nothing_stored(workspace, wave="w1"):
    assert workspace.store.answers(wave).empty and workspace.store.comments(wave).empty
    assert set(workspace.store.team_names()) == {"Sales North", "Sales", "Sales South", "Platform", "Product", "Data"}


def _write_csv(tmp_path, rows, name="answers.csv"):
    path = tmp_path / name
    path.write_text("team,exp_role,exp_standard,Fritext\n" + "".join(f"{r}\n" for r in rows), encoding="utf-8")
    return path


def test_the_limit_is_one_constant():
    assert COMMENT_LIMIT == 5000


def test_an_import_with_an_over_long_comment_is_rejected_whole(workspace, tmp_path):
    rows = ["Platform,4,4,fine"] * 4 + ["Data,3,3," + "x" * 6000, "Data,5,4,also fine"]
    path = _write_csv(tmp_path, rows)
    with pytest.raises(ImportRejected) as caught:
        import_answers(workspace.store, "w1", path, mapping=FRITEXT)
    problems = caught.value.problems
    assert problems == ["row 6, column 'Fritext': a comment may have at most 5000 characters (this one has 6,000); "
                        "shorten it"]
    assert all(len(line) < 300 for line in str(caught.value).splitlines())
    _nothing_stored(workspace)
    # at the limit it is stored
    path = _write_csv(tmp_path, ["Data,3,3," + "y" * COMMENT_LIMIT], name="ok.csv")
    assert import_answers(workspace.store, "w1", path, mapping=FRITEXT).comments == 1


def test_a_five_megabyte_cell_is_never_echoed(workspace, tmp_path):
    huge = "<script>" + "z" * (5 * 1024 * 1024)
    path = _write_csv(tmp_path, ["Platform,4,4,ok", f"Platform,{huge},4,ok", f"Platform,4,4,{huge}",
                                 f"{huge},4,4,ok"])
    with pytest.raises(ImportRejected) as caught:
        import_answers(workspace.store, "w1", path, mapping=FRITEXT)
    text = str(caught.value)
    assert len(text) < 2000 and "z" * 100 not in text
    problems = caught.value.problems
    assert len(problems) == 3 and all(len(p) < 300 for p in problems)
    assert problems[0].startswith("row 3, column 'exp_role': '<script>zzzz") and "…'" in problems[0]
    assert problems[1] == ("row 4, column 'Fritext': a comment may have at most 5000 characters "
                           f"(this one has {len(huge):,}); shorten it")
    assert problems[2].startswith("row 5, column 'team': unknown team '<script>zzz") and "--add 'TEAM NAME'" in problems[2]
    _nothing_stored(workspace)


def test_an_over_long_header_is_cut_in_the_error(workspace, tmp_path):
    path = tmp_path / "header.csv"
    path.write_text("team,exp_role," + "Q" * 100_000 + "\nPlatform,4,4\n", encoding="utf-8")
    with pytest.raises(ImportRejected) as caught:
        import_answers(workspace.store, "w1", path)
    assert len(str(caught.value)) < 500 and "Q" * 100 not in str(caught.value)


def test_the_store_applies_the_same_limit(workspace):
    store = workspace.store
    long = Response(team="Platform", answers={"exp_role": 4}, comments={"comment_keep": "x" * (COMMENT_LIMIT + 1)})
    with pytest.raises(ResponseRejected) as caught:
        store.add_responses("w1", [long])
    assert caught.value.problems == ["comment_keep: a comment may have at most 5000 characters (this one has 5,001); "
                                     "shorten it"]
    # the bulk path (add_answer_matrix, which imports and generated data use) checks it too
    import pandas as pd
    matrix = pd.DataFrame({"team": ["Platform"], "exp_role": [4.0]})
    comments = pd.DataFrame({"row": [0], "team": ["Platform"], "question": ["comment_keep"],
                             "text": ["x" * (COMMENT_LIMIT + 1)]})
    with pytest.raises(ResponseRejected, match=r"at most 5000 characters \(this one has 5,001\)"):
        store.add_answer_matrix("w1", matrix, comments)
    _nothing_stored(workspace)
    ok = Response(team="Platform", answers={"exp_role": 4}, comments={"comment_keep": "x" * COMMENT_LIMIT})
    assert len(store.add_responses("w1", [ok])) == 1


def test_the_form_applies_the_same_limit(workspace):
    form = SurveyForm(workspace.store, "w1")
    answers = {item.id: item.response_scale.values[0] for item in form.template.items}
    form.fill(team="Platform", answers=answers, comments={"comment_keep": "x" * (COMMENT_LIMIT + 1)})
    assert form.submit() is None
    assert "at most 5000 characters (this one has 5,001)" in form.message.value
    _nothing_stored(workspace)


def test_quote_cuts_long_values():
    assert quote("short") == "'short'" and quote(4.5) == "4.5"
    assert quote("x" * 1000) == repr("x" * 40 + "…")
    assert quote(b"y" * 100).endswith("…") and len(quote(b"y" * 100)) == 41


def test_the_store_cuts_quoted_values(workspace):
    huge = "v" * 100_000
    with pytest.raises(ResponseRejected) as caught:
        workspace.store.add_responses("w1", [Response(team=huge, answers={"exp_role": huge, huge: 1},
                                                      comments={huge: "x"}, language=huge)])
    assert len(str(caught.value)) < 1000 and "v" * 100 not in str(caught.value)
