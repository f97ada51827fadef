"""Importing answers from other form tools: mapping, row-by-row errors, all or nothing; into a store on SQLite
and on PostgreSQL (`any_workspace`: each test runs on both, but for the many answer formats, which are
read before the store takes part)."""

from __future__ import annotations

import pandas as pd
import pytest

from assessment.exceptions import ImportRejected
from assessment import importing
from assessment.importing import Mapping, import_answers, import_teams


def stored(ws):
    answers = ws.store.answers("w1")
    return sorted(zip(answers["team"], answers["item"], answers["value"]))


def test_csv_with_item_ids_is_stored_exactly(any_workspace, write):
    path = write("a.csv", """
        team,exp_role,goal_smart,comment_keep
        Platform,4,5,Good colleagues
        Data,2,,
    """)
    result = import_answers(any_workspace.store, "w1", path)
    assert result.stored == 2 and result.answers == 3 and result.comments == 1
    assert stored(any_workspace) == [("Data", "exp_role", 2), ("Platform", "exp_role", 4), ("Platform", "goal_smart", 5)]


def test_columns_match_question_text_in_any_language_and_labels_are_read(any_workspace, write):
    t = any_workspace.template()
    sv_text = t.item("exp_role").text["sv"]
    en_text = t.item("goal_smart").text["en"]
    path = write("b.csv", f"""
        team;{sv_text};{en_text}
        Platform;Instämmer helt;Disagree
    """)
    import_answers(any_workspace.store, "w1", path)
    assert stored(any_workspace) == [("Platform", "exp_role", 5), ("Platform", "goal_smart", 2)]


def test_mapping_file_maps_columns_team_ignore_and_values(any_workspace, write):
    mapping = write("map.yaml", """
        team: Avdelning
        respondent: Svars-ID
        columns: {Q1: exp_role, Fritext: comment_improve}
        ignore: [Tidstämpel]
        values: {Sju: 5}
        teams: {Plattform: Platform}
    """)
    path = write("c.csv", """
        Tidstämpel,Svars-ID,Avdelning,Q1,Fritext
        2026-11-01,r1,Plattform,Sju,Mer fika
    """)
    import_answers(any_workspace.store, "w1", path, mapping=Mapping.load(mapping))
    assert stored(any_workspace) == [("Platform", "exp_role", 5)]
    assert any_workspace.store.comments("w1")["text"].tolist() == ["Mer fika"]


def test_xlsx_is_imported(any_workspace, tmp_path):
    path = tmp_path / "d.xlsx"
    pd.DataFrame({"team": ["Data", "Data"], "exp_role": [1, 5]}).to_excel(path, index=False)
    import_answers(any_workspace.store, "w1", path)
    assert stored(any_workspace) == [("Data", "exp_role", 1), ("Data", "exp_role", 5)]


def test_problems_are_reported_row_by_row_and_nothing_is_stored(any_workspace, write):
    path = write("bad.csv", """
        team,respondent,exp_role,goal_smart
        Platform,r1,4,5
        Nowhere,r2,3,3
        Data,r3,7,2
        Data,r1,3,3
    """)
    with pytest.raises(ImportRejected) as exc:
        import_answers(any_workspace.store, "w1", path)
    message = str(exc.value)
    assert "bad.csv: rejected, nothing was stored" in message
    assert "row 3, column 'team': unknown team 'Nowhere'" in message
    assert "row 4, column 'exp_role': '7' is not an answer on the 1-5 scale" in message
    assert "row 5, column 'respondent': respondent 'r1' also answered in row 2" in message
    assert stored(any_workspace) == []


def test_unmapped_columns_are_reported_with_the_fix(any_workspace, write):
    path = write("e.csv", "team,exp_role,Favourite colour\nData,3,blue\n")
    with pytest.raises(ImportRejected, match="'Favourite colour' match no item: map each to an item id"):
        import_answers(any_workspace.store, "w1", path)


def test_missing_team_column_is_reported(any_workspace, write):
    path = write("f.csv", "exp_role\n3\n")
    with pytest.raises(ImportRejected, match="no team column"):
        import_answers(any_workspace.store, "w1", path)


def test_importing_the_same_file_twice_does_not_duplicate_answers(any_workspace, write):
    path = write("g.csv", "team,exp_role\nData,3\nData,3\nPlatform,4\n")
    import_answers(any_workspace.store, "w1", path)
    again = import_answers(any_workspace.store, "w1", path)
    assert again.already_imported
    assert len(any_workspace.store.answers("w1")) == 3


def test_a_later_export_with_more_rows_adds_only_the_new_rows(any_workspace, write):
    import_answers(any_workspace.store, "w1", write("h1.csv", "team,exp_role\nData,3\nData,3\n"))
    result = import_answers(any_workspace.store, "w1", write("h2.csv", "team,exp_role\nData,3\nData,3\nData,5\n"))
    assert (result.stored, result.skipped) == (1, 2)
    assert sorted(any_workspace.store.answers("w1")["value"]) == [3, 3, 5]


def test_unknown_teams_can_be_added_on_import(any_workspace, write):
    result = import_answers(any_workspace.store, "w1", write("i.csv", "team,exp_role\nLegal,3\n"), add_teams=True)
    assert result.new_teams == ["Legal"] and "Legal" in any_workspace.store.team_names()


def test_rejected_import_adds_no_new_team(any_workspace, write):
    with pytest.raises(ImportRejected):
        import_answers(any_workspace.store, "w1", write("j.csv", "team,exp_role\nLegal,3\nLegal,9\n"), add_teams=True)
    assert "Legal" not in any_workspace.store.team_names()


def test_file_that_is_not_utf8_gets_an_encoding_hint(any_workspace, tmp_path):
    path = tmp_path / "k.csv"
    path.write_bytes("team,exp_role\nFörsäljning,3\n".encode("cp1252"))
    with pytest.raises(ImportRejected, match="cp1252"):
        import_answers(any_workspace.store, "w1", path)


def test_named_encoding_is_used(any_workspace, tmp_path):
    any_workspace.store.add_team("Försäljning")
    path = tmp_path / "l.csv"
    path.write_bytes("team,exp_role\nFörsäljning,3\n".encode("cp1252"))
    import_answers(any_workspace.store, "w1", path, encoding="cp1252")
    assert stored(any_workspace) == [("Försäljning", "exp_role", 3)]


def test_empty_file_is_rejected(any_workspace, write):
    with pytest.raises(ImportRejected, match="empty"):
        import_answers(any_workspace.store, "w1", write("m.csv", ""))


def test_teams_file_adds_teams_parents_and_headcounts(any_workspace, write):
    path = write("teams.csv", "team,parent,headcount\nLegal,Operations,4\nFinance,Operations,11\n")
    assert import_teams(any_workspace.store, path, wave="w1") == 2
    teams = any_workspace.store.teams().set_index("team")["parent"]
    assert teams["Legal"] == "Operations"
    assert any_workspace.store.headcounts("w1").set_index("team")["headcount"].to_dict() == {"Legal": 4, "Finance": 11}


@pytest.fixture
def small_blocks(monkeypatch):
    """Read files two rows at a time, so every block boundary of a large file is exercised."""
    monkeypatch.setattr(importing, "_CHUNK_ROWS", 2)


def test_a_file_read_in_blocks_stores_the_same_as_one_read_whole(any_workspace, write, small_blocks):
    path = write("blocks.csv", "team,respondent,exp_role,goal_smart,comment_keep\n"
                 + "".join(f"{'Data' if k % 3 else 'Platform'},r{k},{k % 5 + 1},{(k + 2) % 5 + 1},{'ok' if k == 6 else ''}\n"
                           for k in range(11)))
    result = import_answers(any_workspace.store, "w1", path)
    assert (result.stored, result.answers, result.comments) == (11, 22, 1)
    expected = sorted([("Data" if k % 3 else "Platform", "exp_role", k % 5 + 1) for k in range(11)]
                      + [("Data" if k % 3 else "Platform", "goal_smart", (k + 2) % 5 + 1) for k in range(11)])
    assert stored(any_workspace) == expected
    assert any_workspace.store.comments("w1")["team"].tolist() == ["Platform"]


def test_a_repeated_respondent_in_another_block_is_reported_with_both_rows(any_workspace, write, small_blocks):
    path = write("dup.csv", "team,respondent,exp_role\nData,r1,3\nData,r2,3\nData,r3,4\nData,r1,5\n")
    with pytest.raises(ImportRejected, match=r"row 5, column 'respondent': respondent 'r1' also answered in row 2"):
        import_answers(any_workspace.store, "w1", path)
    assert stored(any_workspace) == []


def test_bad_cells_in_later_blocks_are_reported_with_their_file_row(any_workspace, write, small_blocks):
    path = write("late.csv", "team,exp_role\nData,3\nData,3\nData,3\nData,3\nData,8\n")
    with pytest.raises(ImportRejected, match=r"row 6, column 'exp_role': '8' is not an answer"):
        import_answers(any_workspace.store, "w1", path)


def test_blank_lines_are_ignored_and_later_rows_keep_their_file_row_numbers(any_workspace, write):
    path = write("blank.csv", "team,exp_role\nData,3\n\nData,9\n")
    with pytest.raises(ImportRejected, match=r"row 4, column 'exp_role': '9'"):
        import_answers(any_workspace.store, "w1", path)
    path = write("blank2.csv", "team,exp_role\nData,3\n\n,\nData,4\n")
    assert import_answers(any_workspace.store, "w1", path).stored == 2


def test_identical_rows_without_ids_across_blocks_are_all_stored_and_not_again(any_workspace, write, small_blocks):
    path = write("same.csv", "team,exp_role\n" + "Data,3\n" * 5)
    assert import_answers(any_workspace.store, "w1", path).stored == 5
    longer = write("same2.csv", "team,exp_role\n" + "Data,3\n" * 7)
    result = import_answers(any_workspace.store, "w1", longer)
    assert (result.stored, result.skipped) == (2, 5)


def test_rows_with_more_fields_than_the_header_are_rejected(any_workspace, write):
    path = write("wide.csv", "team,exp_role\nData,3,4\nData,2,5\n")
    with pytest.raises(ImportRejected, match="more fields than the header"):
        import_answers(any_workspace.store, "w1", path)
    path = write("ragged.csv", "team,exp_role\nData,3\nData,2,5\n")
    with pytest.raises(ImportRejected, match="line 3"):
        import_answers(any_workspace.store, "w1", path)
    assert stored(any_workspace) == []


def test_a_header_only_file_stores_nothing_and_says_so(any_workspace, write):
    result = import_answers(any_workspace.store, "w1", write("header.csv", "team,exp_role\n"))
    assert result.stored == 0 and "no new responses in the file" in result.warnings


def test_quoted_cells_with_separators_and_line_breaks_are_read(any_workspace, write):
    path = write("quoted.csv", 'team,exp_role,comment_keep\nData,4,"Kind, helpful\nand fair"\n"Platform",2,\n')
    result = import_answers(any_workspace.store, "w1", path)
    assert (result.stored, result.comments) == (2, 1)
    assert any_workspace.store.comments("w1")["text"].tolist() == ["Kind, helpful\nand fair"]


def test_numeric_team_codes_in_the_mapping_file_are_read(any_workspace, write):
    mapping = write("codes.yaml", "team: Avdelning\nteams: {1: Platform, 2: Data}\n")
    path = write("codes.csv", "Avdelning,exp_role\n1,4\n2,2\n")
    import_answers(any_workspace.store, "w1", path, mapping=Mapping.load(mapping))
    assert stored(any_workspace) == [("Data", "exp_role", 2), ("Platform", "exp_role", 4)]


def test_swedish_team_headers_are_found_without_a_mapping(any_workspace, write):
    import_answers(any_workspace.store, "w1", write("enhet.csv", "Enhet,exp_role\nData,3\n"))
    import_answers(any_workspace.store, "w1", write("avd.csv", "Avdelning,exp_role\nPlatform,4\n"))
    assert stored(any_workspace) == [("Data", "exp_role", 3), ("Platform", "exp_role", 4)]


def test_a_row_without_any_answer_or_comment_is_skipped_and_counted(any_workspace, write):
    path = write("gaps.csv", "team,respondent,exp_role,comment_keep\nData,r1,3,\nData,r2,,\nPlatform,r3,,Nice\n")
    result = import_answers(any_workspace.store, "w1", path)
    assert result.stored == 2 and stored(any_workspace) == [("Data", "exp_role", 3)]
    assert "1 empty row(s) skipped (no answer to any item and no comment)" in result.warnings


def test_decimals_and_ranges_are_never_rounded(any_workspace, write):
    path = write("dec.csv", "team,exp_role,enps_recommend\nData,4.5,7\nData,3,7.9\nData,2-3,9.99\nData,4.0,\"8,0\"\n")
    with pytest.raises(ImportRejected) as caught:
        import_answers(any_workspace.store, "w1", path)
    assert caught.value.problems == [
        "row 2, column 'exp_role': '4.5' is not an answer on the 1-5 scale (not a whole number); use a whole number "
        "from 1 to 5 or one of its labels",
        "row 3, column 'enps_recommend': '7.9' is not an answer on the 0-10 scale (not a whole number); use a whole "
        "number from 0 to 10 or one of its labels",
        "row 4, column 'exp_role': '2-3' is not an answer on the 1-5 scale; use a whole number from 1 to 5 or one of "
        "its labels",
        "row 4, column 'enps_recommend': '9.99' is not an answer on the 0-10 scale (not a whole number); use a whole "
        "number from 0 to 10 or one of its labels"]
    assert stored(any_workspace) == []


def test_a_team_spelled_another_way_gets_did_you_mean_and_nothing_is_stored(any_workspace, write):
    path = write("svar.csv", "team,exp_role\nsales north,4\nPLATFORM,3\nNobody,2\n")
    with pytest.raises(ImportRejected) as error:
        import_answers(any_workspace.store, "w1", path)
    problems = error.value.problems
    assert "unknown team 'sales north'; did you mean 'Sales North'?" in problems[0]
    assert "unknown team 'PLATFORM'; did you mean 'Platform'?" in problems[1]
    assert "add it with `assessment teams WORKSPACE --add 'Nobody'`" in problems[2]
    assert any_workspace.store.answers("w1").empty


# ---------------------------------------------------------------- every answer format README promises

# README, "Importing from other form tools": a whole number in range (also 4.0 / 4,0), a response label in any of
# the template's languages (case and spacing aside), or a number with its own label ("4 - Agree", "4. Agree",
# "1 – Instämmer inte alls"), as Microsoft Forms and Qualtrics export them.
PROMISED_ANSWERS = [("4", 4), ("4.0", 4), ("4,0", 4), ("Agree", 4), ("  strongly AGREE ", 5), ("Instämmer helt", 5),
                    ("4 - Agree", 4), ("5 - Strongly agree", 5), ("4. Agree", 4), ("1 – Instämmer inte alls", 1),
                    ("2 - Instämmer inte", 2)]


# SQLite only: reading the cells is the same whatever the database (storing them: the tests around, on both)
@pytest.mark.parametrize("cell, point", PROMISED_ANSWERS, ids=[c.strip() for c, _ in PROMISED_ANSWERS])
def test_each_answer_format_the_readme_promises_is_stored_as_its_point(workspace, write, cell, point):
    path = write("answers.csv", f"team;exp_role;goal_smart\nPlatform;{cell};3\n")
    result = import_answers(workspace.store, "w1", path)
    assert result.stored == 1
    assert stored(workspace) == [("Platform", "exp_role", point), ("Platform", "goal_smart", 3)]


def test_numbered_labels_in_a_whole_column_are_read_as_a_form_tool_exports_them(any_workspace, write):
    path = write("forms.csv", """
        team,exp_role,goal_smart
        Platform,1 - Strongly disagree,5 - Strongly agree
        Data,4 - Agree,3 - Neither agree nor disagree
        Data,2 - Disagree,
    """)
    import_answers(any_workspace.store, "w1", path)
    assert stored(any_workspace) == [("Data", "exp_role", 2), ("Data", "exp_role", 4), ("Data", "goal_smart", 3),
                                 ("Platform", "exp_role", 1), ("Platform", "goal_smart", 5)]


# ---------------------------------------------------------------- why a cell is refused, exactly (issue 18's mutation run)

def test_an_answer_off_the_scale_or_with_an_unknown_label_is_refused_without_an_added_reason(workspace, write):
    path = write("off.csv", "team,exp_role\nData,6\nData,4 - Maybe\nData,0\n")
    with pytest.raises(ImportRejected) as caught:
        import_answers(workspace.store, "w1", path)
    fix = "use a whole number from 1 to 5 or one of its labels"
    assert caught.value.problems == [f"row 2, column 'exp_role': '6' is not an answer on the 1-5 scale; {fix}",
                                     f"row 3, column 'exp_role': '4 - Maybe' is not an answer on the 1-5 scale; {fix}",
                                     f"row 4, column 'exp_role': '0' is not an answer on the 1-5 scale; {fix}"]


def test_a_block_that_starts_with_a_text_read_before_still_reads_its_new_texts(workspace, write, small_blocks):
    # blocks of two rows: ("4", "3"), then ("3", "5"): "3" is known from the first block, "5" is new
    path = write("known.csv", "team,exp_role\nData,4\nData,3\nData,3\nData,5\n")
    assert import_answers(workspace.store, "w1", path).stored == 4
    assert stored(workspace) == [("Data", "exp_role", 3), ("Data", "exp_role", 3), ("Data", "exp_role", 4),
                                 ("Data", "exp_role", 5)]


# ---------------------------------------------------------------- each header problem, named exactly (issue 18's mutation run)

def rejected(workspace, path, mapping=None):
    with pytest.raises(ImportRejected) as caught:
        import_answers(workspace.store, "w1", path, mapping=mapping)
    assert caught.value.source == path
    assert workspace.store.answers("w1").empty
    return caught.value.problems


def test_a_header_given_twice_rejects_the_file(workspace, write):
    path = write("twice.csv", "team,exp_role,exp_role\nData,3,4\n")
    assert rejected(workspace, path) == ["column 'exp_role' appears more than once; give every column its own header"]


def test_a_language_column_is_found_without_a_mapping_and_its_values_checked(workspace, write):
    path = write("lang.csv", "team,language,exp_role\nData,fi,3\n")
    assert rejected(workspace, path) == ["row 2, column 'language': language 'fi' is not one of en, sv"]


def test_a_language_column_named_by_the_mapping_file_is_read(workspace, write):
    mapping = Mapping.load(write("map.yaml", "language: Språk\n"))
    path = write("lang.csv", "team,Språk,exp_role\nData,fi,3\n")
    assert rejected(workspace, path, mapping) == ["row 2, column 'Språk': language 'fi' is not one of en, sv"]


def test_columns_the_mapping_file_names_but_the_file_lacks_are_each_reported(workspace, write):
    mapping = Mapping.load(write("map.yaml", "team: Enhet\nrespondent: Svars-ID\nlanguage: Språk\n"))
    path = write("short.csv", "team,exp_role\nData,3\n")
    assert rejected(workspace, path, mapping)[:3] == [
        "team column 'Enhet' (from the mapping file) is not in the file (columns found: team, exp_role)",
        "respondent column 'Svars-ID' (from the mapping file) is not in the file",
        "language column 'Språk' (from the mapping file) is not in the file"]


def test_an_item_given_by_two_columns_rejects_the_file_naming_both(workspace, write):
    mapping = Mapping.load(write("map.yaml", "columns: {Q: exp_role}\n"))
    path = write("both.csv", "team,exp_role,Q\nData,3,4\n")
    assert rejected(workspace, path, mapping) == ["item 'exp_role' is given by 2 columns: exp_role, Q; keep one"]


def test_a_column_mapped_to_no_item_or_question_is_reported(workspace, write):
    mapping = Mapping.load(write("map.yaml", "columns: {Q: nothing_here}\n"))
    path = write("map.csv", "team,exp_role,Q\nData,3,4\n")
    assert rejected(workspace, path, mapping) == [
        "column 'Q': the mapping file maps it to 'nothing_here', which is not an item or open question of the template"]


def test_a_file_without_any_item_column_says_how_to_name_them(workspace, write):
    path = write("none.csv", "team,respondent\nData,r1\n")
    assert rejected(workspace, path) == [
        "no column matches an item of the template; use item ids or question texts as headers, or a mapping file"]


def test_every_unmatched_column_is_listed_in_one_problem(workspace, write):
    path = write("extra.csv", "team,Colour,Pet,exp_role\nData,blue,cat,3\n")
    assert rejected(workspace, path) == [
        "column(s) 'Colour', 'Pet' match no item: map each to an item id under `columns:` or list it under `ignore:` "
        "in a mapping file (--mapping)"]


def test_columns_after_an_ignored_one_are_still_read(workspace, write):
    mapping = Mapping.load(write("map.yaml", "ignore: [Note]\n"))
    path = write("note.csv", "team,Note,exp_role\nData,x,4\n")
    assert import_answers(workspace.store, "w1", path, mapping=mapping).stored == 1
    assert stored(workspace) == [("Data", "exp_role", 4)]


def test_a_question_text_with_a_doubled_space_in_the_header_is_matched(workspace, write):
    text = workspace.template().item("exp_role").text["en"]
    path = write("spaces.csv", f"team;{text.replace(' ', '  ', 1)}\nData;4\n")
    import_answers(workspace.store, "w1", path)
    assert stored(workspace) == [("Data", "exp_role", 4)]


def test_a_word_that_is_no_label_is_refused_without_an_added_reason(workspace, write):
    path = write("word.csv", "team,exp_role\nData,Maybe\n")
    assert rejected(workspace, path) == [
        "row 2, column 'exp_role': 'Maybe' is not an answer on the 1-5 scale; use a whole number from 1 to 5 or one of "
        "its labels"]
