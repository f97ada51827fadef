"""The big form tools' exports (Qualtrics, SurveyMonkey, Google Forms, Microsoft Forms), written in
each tool's documented layout with English and Swedish column names, import exactly: every stored
answer is the intended one; a decimal or a number that disagrees with its label rejects the file.

What is stored is checked on SQLite and on PostgreSQL (`any_workspace`); a file rejected for its answers (before
anything is written) is checked on SQLite, the database does not take part."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from _stores import stored_text, table_columns
from assessment import formats
from assessment.cli import main
from assessment.exceptions import ImportRejected
from assessment.analysis import Results
from assessment.importing import Mapping, import_answers
from assessment.templates import load_template

T = load_template("osa-core")
EN = {i.id: i.text["en"] for i in T.items}
SV = {i.id: i.text["sv"] for i in T.items}
KEEP_EN, KEEP_SV = (next(c for c in T.comments if c.id == "comment_keep").text[lang] for lang in ("en", "sv"))
MATRIX = ["exp_role", "goal_smart", "safe_ask"]          # asked as one matrix (grid, Likert) question
ASK_EN = "How much do you agree with the following?"
ASK_SV = "Hur väl stämmer följande?"
NPS_EN, NPS_SV = EN["enps_recommend"], SV["enps_recommend"]


def write_csv(path, rows, delimiter=","):
    with open(path, "w", newline="", encoding="utf-8") as f:
        csv.writer(f, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path, sheets: dict):
    """A workbook whose sheets are lists of rows (header rows included), written cell by cell."""
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        for name, rows in sheets.items():
            pd.DataFrame(rows).to_excel(writer, sheet_name=name, header=False, index=False)
    return path


def stored(ws):
    answers = ws.store.answers("w1")
    return sorted(zip(answers["team"], answers["item"], answers["value"].astype(int)))


def expected(rows):
    """(team, {item: value}) per response -> the sorted (team, item, value) the store should hold."""
    return sorted((team, item, value) for team, answers in rows for item, value in answers.items())


# ------------------------------------------------------------------------------------------ Qualtrics

QUALTRICS_META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished",
                  "RecordedDate", "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                  "ExternalReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage"]
QUALTRICS_META_TEXT_EN = ["Start Date", "End Date", "Response Type", "IP Address", "Progress", "Duration (in seconds)",
                          "Finished", "Recorded Date", "Response ID", "Recipient Last Name", "Recipient First Name",
                          "Recipient Email", "External Data Reference", "Location Latitude", "Location Longitude",
                          "Distribution Channel", "User Language"]


def qualtrics_rows(lang: str, team_text: str, responses):
    """Qualtrics' three header rows and one row per response (team, finished, {item: value}, comment)."""
    text, ask, keep, nps = (EN, ASK_EN, KEEP_EN, NPS_EN) if lang == "en" else (SV, ASK_SV, KEEP_SV, NPS_SV)
    ids = QUALTRICS_META + ["Q1"] + [f"Q2_{k + 1}" for k in range(len(MATRIX))] + ["Q3", "Q4"]
    texts = (QUALTRICS_META_TEXT_EN + [team_text] + [f"{ask} - {text[i]}" for i in MATRIX] + [nps, keep])
    imports = ([json.dumps({"ImportId": m[0].lower() + m[1:]}) for m in QUALTRICS_META] + ['{"ImportId":"QID1"}']
               + [f'{{"ImportId":"QID2_{k + 1}"}}' for k in range(len(MATRIX))]
               + ['{"ImportId":"QID3"}', '{"ImportId":"QID4_TEXT"}'])
    rows = [ids, texts, imports]
    for n, (team, finished, answers, comment) in enumerate(responses):
        meta = ["2026-11-02 09:00:00", "2026-11-02 09:07:00", "IP Address", "203.0.113.9", "100" if finished else "40",
                "420", finished, "2026-11-02 09:07:01", f"R_{n:04d}abc", "Svensson", "Anna", "anna@example.com", "",
                "59.33", "18.06", "anonymous", lang.upper()]
        rows.append(meta + [team] + [answers.get(i, "") for i in MATRIX] + [answers.get("enps_recommend", ""), comment])
    return rows


def qualtrics_english(tmp_path):
    """A Qualtrics CSV in English: two complete responses, a partial one and an empty one."""
    return write_csv(tmp_path / "qualtrics.csv", qualtrics_rows("en", "Team", [
        ("Platform", "True", {"exp_role": "4", "goal_smart": "Strongly agree", "safe_ask": "2",
                              "enps_recommend": "9"}, "Good colleagues"),
        ("Data", "1", {"exp_role": "Agree", "goal_smart": "1", "safe_ask": "3 - Neither agree nor disagree",
                       "enps_recommend": "10 – Extremely likely"}, ""),
        ("Data", "False", {"exp_role": "2"}, ""),                         # partial: skipped
        ("Platform", "True", {}, ""),                                     # empty: skipped
    ]))


def test_a_qualtrics_csv_in_english_imports_exactly_and_skips_partial_responses(any_workspace, tmp_path):
    result = import_answers(any_workspace.store, "w1", qualtrics_english(tmp_path))
    assert result.format == "qualtrics"
    assert result.stored == 2
    assert stored(any_workspace) == expected([
        ("Platform", {"exp_role": 4, "goal_smart": 5, "safe_ask": 2, "enps_recommend": 9}),
        ("Data", {"exp_role": 4, "goal_smart": 1, "safe_ask": 3, "enps_recommend": 10})])
    assert any_workspace.store.comments("w1")["text"].tolist() == ["Good colleagues"]
    assert any("1 partial response(s) skipped" in w for w in result.warnings)
    assert any("1 empty row(s) skipped" in w for w in result.warnings)


def test_the_metadata_of_a_qualtrics_csv_is_in_no_table_of_the_store(any_workspace, tmp_path):
    """E-mail, names, IP address and position are never stored."""
    import_answers(any_workspace.store, "w1", qualtrics_english(tmp_path))
    text = stored_text(any_workspace.store)
    assert "anna@example.com" not in text and "203.0.113.9" not in text and "Svensson" not in text
    assert "59.33" not in text and "R_0000abc" not in text


# SQLite only: the store's files are in the workspace's folder (a PostgreSQL server's are not ours to read)
def test_the_metadata_of_a_qualtrics_csv_is_in_no_file_of_the_workspace(workspace, tmp_path):
    import_answers(workspace.store, "w1", qualtrics_english(tmp_path))
    workspace.close()
    dump = b"".join(p.read_bytes() for p in workspace.path.rglob("*") if p.is_file())
    assert b"anna@example.com" not in dump and b"203.0.113.9" not in dump and b"Svensson" not in dump


def test_a_qualtrics_xlsx_in_swedish_with_numeric_team_codes_imports_exactly(any_workspace, tmp_path):
    rows = qualtrics_rows("sv", "Vilket team tillhör du?", [
        ("1", "True", {"exp_role": "Instämmer", "goal_smart": "5", "safe_ask": "1 - Instämmer inte alls",
                       "enps_recommend": "0"}, "Bra kollegor"),
        ("2", "True", {"exp_role": "3", "goal_smart": "Instämmer inte", "safe_ask": "Instämmer helt",
                       "enps_recommend": "7"}, ""),
        ("2", "False", {"exp_role": "1", "goal_smart": "1"}, ""),
    ])
    path = write_xlsx(tmp_path / "qualtrics.xlsx", {"Sheet0": rows})
    mapping = tmp_path / "map.yaml"
    mapping.write_text("team: Q1\nteams: {1: Platform, 2: Data}\n", encoding="utf-8")
    result = import_answers(any_workspace.store, "w1", path, mapping=Mapping.load(mapping))
    assert result.format == "qualtrics" and result.stored == 2
    assert "read as a Qualtrics export (sheet 'Sheet0')" in result.warnings
    assert stored(any_workspace) == expected([
        ("Platform", {"exp_role": 4, "goal_smart": 5, "safe_ask": 1, "enps_recommend": 0}),
        ("Data", {"exp_role": 3, "goal_smart": 2, "safe_ask": 5, "enps_recommend": 7})])
    assert any_workspace.store.comments("w1")["text"].tolist() == ["Bra kollegor"]
    assert any("1 partial response(s) skipped" in w for w in result.warnings)


def test_the_team_question_text_from_the_mapping_file_names_the_column(any_workspace, tmp_path):
    path = write_csv(tmp_path / "q.csv", qualtrics_rows("en", "Which team are you in?", [
        ("Sales North", "True", {"exp_role": "5"}, "")]))
    mapping = tmp_path / "map.yaml"
    mapping.write_text("team: Which team are you in?\n", encoding="utf-8")
    import_answers(any_workspace.store, "w1", path, mapping=Mapping.load(mapping))
    assert stored(any_workspace) == [("Sales North", "exp_role", 5)]


# --------------------------------------------------------------------------------------- SurveyMonkey

def surveymonkey_rows(lang: str, responses):
    if lang == "en":
        meta = ["Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
                "Last Name", "Custom Data 1"]
        text, ask, team, nps, keep, response, open_ended = EN, ASK_EN, "Team", NPS_EN, KEEP_EN, "Response", \
            "Open-Ended Response"
    else:
        meta = ["Respondent-ID", "Insamlar-ID", "Startdatum", "Slutdatum", "IP-adress", "E-postadress", "Förnamn",
                "Efternamn", "Anpassade data 1"]
        text, ask, team, nps, keep, response, open_ended = SV, ASK_SV, "Avdelning", NPS_SV, KEEP_SV, "Svar", \
            "Öppet svar"
    first = meta + [team] + [ask] + [""] * (len(MATRIX) - 1) + [nps, keep]
    second = [""] * len(meta) + [response] + [text[i] for i in MATRIX] + [response, open_ended]
    rows = [first, second]
    for n, (team_name, answers, comment) in enumerate(responses):
        rows.append([str(11400000000 + n), "234567890", "11/02/2026 09:00:00 AM", "11/02/2026 09:07:00 AM",
                     "198.51.100.7", "", "", "", ""]
                    + [team_name] + [answers.get(i, "") for i in MATRIX] + [answers.get("enps_recommend", ""), comment])
    return rows


def test_a_surveymonkey_csv_in_swedish_imports_exactly(any_workspace, tmp_path):
    path = write_csv(tmp_path / "sm.csv", surveymonkey_rows("sv", [
        ("Sales South", {"exp_role": "Instämmer helt", "goal_smart": "2", "safe_ask": "4 - Instämmer",
                         "enps_recommend": "8"}, "Fikat"),
        ("Data", {"exp_role": "1", "goal_smart": "Varken eller", "safe_ask": "5", "enps_recommend": "3"}, ""),
        ("Data", {}, ""),   # started, answered nothing: empty
    ]))
    result = import_answers(any_workspace.store, "w1", path)
    assert result.format == "surveymonkey" and result.stored == 2
    assert stored(any_workspace) == expected([
        ("Sales South", {"exp_role": 5, "goal_smart": 2, "safe_ask": 4, "enps_recommend": 8}),
        ("Data", {"exp_role": 1, "goal_smart": 3, "safe_ask": 5, "enps_recommend": 3})])
    assert any_workspace.store.comments("w1")["text"].tolist() == ["Fikat"]
    assert any("1 empty row(s) skipped" in w for w in result.warnings)


def test_a_surveymonkey_xlsx_in_english_imports_exactly(any_workspace, tmp_path):
    path = write_xlsx(tmp_path / "sm.xlsx", {"Sheet": surveymonkey_rows("en", [
        ("Platform", {"exp_role": "Disagree", "goal_smart": "4", "safe_ask": "5. Strongly agree"}, ""),
        ("Sales North", {"exp_role": "3", "enps_recommend": "6"}, "Flexible hours")])})
    result = import_answers(any_workspace.store, "w1", path)
    assert result.format == "surveymonkey"
    assert stored(any_workspace) == expected([
        ("Platform", {"exp_role": 2, "goal_smart": 4, "safe_ask": 5}),
        ("Sales North", {"exp_role": 3, "enps_recommend": 6})])


def test_a_repeated_surveymonkey_respondent_id_is_reported(workspace, tmp_path):
    rows = surveymonkey_rows("en", [("Data", {"exp_role": "3"}, ""), ("Data", {"exp_role": "4"}, "")])
    rows[3][0] = rows[2][0]
    with pytest.raises(ImportRejected, match=r"row 4, column 'Respondent ID': respondent '11400000000' also answered "
                                             r"in row 3"):
        import_answers(workspace.store, "w1", write_csv(tmp_path / "dup.csv", rows))
    assert stored(workspace) == []


# --------------------------------------------------------------------------------------- Google Forms

@pytest.mark.parametrize("lang", ["en", "sv"])
def test_a_google_forms_csv_imports_exactly(any_workspace, tmp_path, lang):
    if lang == "en":
        head = ["Timestamp", "Email address", "Team"] + [f"{ASK_EN} [{EN[i]}]" for i in MATRIX] + [NPS_EN, KEEP_EN]
        answers = [["Strongly agree", "Disagree", "Agree"], ["1", "2", "3"]]
    else:
        head = ["Tidstämpel", "E-postadress", "Avdelning"] + [f"{ASK_SV} [{SV[i]}]" for i in MATRIX] + [NPS_SV, KEEP_SV]
        answers = [["Instämmer helt", "Instämmer inte", "Instämmer"], ["1", "2", "3"]]
    path = write_csv(tmp_path / "google.csv", [
        head,
        ["2026/11/02 9:00:00 AM CET", "a@example.com", "Platform", *answers[0], "10", "Kind people"],
        ["2026/11/02 9:05:00 AM CET", "b@example.com", "Data", *answers[1], "", ""],
        ["2026/11/02 9:06:00 AM CET", "c@example.com", "Data", "", "", "", "", ""],
    ])
    result = import_answers(any_workspace.store, "w1", path)
    assert result.format == "google" and result.stored == 2
    assert stored(any_workspace) == expected([
        ("Platform", {"exp_role": 5, "goal_smart": 2, "safe_ask": 4, "enps_recommend": 10}),
        ("Data", {"exp_role": 1, "goal_smart": 2, "safe_ask": 3})])
    assert any("1 empty row(s) skipped" in w for w in result.warnings)


# ------------------------------------------------------------------------------------ Microsoft Forms

@pytest.mark.parametrize("lang", ["en", "sv"])
def test_a_microsoft_forms_xlsx_imports_exactly(any_workspace, tmp_path, lang):
    if lang == "en":
        meta = ["ID", "Start time", "Completion time", "Email", "Name", "Last modified time"]
        text, team, ask, nps, keep = EN, "Team", ASK_EN, NPS_EN, KEEP_EN
        values = [["Agree", "5", "Strongly disagree", 9], [2, "Neither agree nor disagree", 4, 0]]
    else:
        meta = ["ID", "Starttid", "Sluttid", "E-post", "Namn", "Senast ändrad"]
        text, team, ask, nps, keep = SV, "Enhet", ASK_SV, NPS_SV, KEEP_SV
        values = [["Instämmer", "5", "Instämmer inte alls", 9], [2, "Varken eller", 4, 0]]
    # a Likert statement as its own column: the statement alone, or "Question.Statement"
    head = meta + [team, text["exp_role"], f"{ask}.{text['goal_smart']}", text["safe_ask"], nps, keep]
    path = write_xlsx(tmp_path / "msforms.xlsx", {"Sheet1": [
        head,
        [1, "11/2/26 9:00:00", "11/2/26 9:04:00", "anonymous", "", "", "Sales North", *values[0], "Bra"],
        [2, "11/2/26 9:01:00", "11/2/26 9:05:00", "anonymous", "", "", "Sales South", *values[1], None],
    ]})
    result = import_answers(any_workspace.store, "w1", path)
    assert result.format == "microsoft" and result.stored == 2
    assert stored(any_workspace) == expected([
        ("Sales North", {"exp_role": 4, "goal_smart": 5, "safe_ask": 1, "enps_recommend": 9}),
        ("Sales South", {"exp_role": 2, "goal_smart": 3, "safe_ask": 4, "enps_recommend": 0})])
    assert any_workspace.store.comments("w1")["text"].tolist() == ["Bra"]


# ------------------------------------------------------------------------------- recognising formats

def test_each_layout_is_recognised_from_its_first_rows(tmp_path):
    assert formats.detect(qualtrics_rows("en", "Team", [])) == "qualtrics"
    assert formats.detect(surveymonkey_rows("en", [])) == "surveymonkey"
    assert formats.detect(surveymonkey_rows("sv", [])) == "surveymonkey"
    assert formats.detect([["Timestamp", "Team", "exp_role"]]) == "google"
    assert formats.detect([["Tidstämpel", "E-postadress", "Avdelning"]]) == "google"
    assert formats.detect([["ID", "Starttid", "Sluttid", "E-post", "Namn", "Senast ändrad", "Team"]]) == "microsoft"
    assert formats.detect([["team", "exp_role"], ["Data", "3"]]) == "plain"


def test_a_format_can_be_forced(any_workspace, tmp_path):
    # a Google export without its time stamp column is not recognised, but reads as Google when told
    path = write_csv(tmp_path / "g.csv", [["E-postadress", "Team", f"{ASK_EN} [{EN['exp_role']}]"],
                                          ["x@example.com", "Data", "4"]])
    with pytest.raises(ImportRejected, match="match no item"):
        import_answers(any_workspace.store, "w1", path)
    assert import_answers(any_workspace.store, "w1", path, format="google").stored == 1
    assert stored(any_workspace) == [("Data", "exp_role", 4)]


# ------------------------------------------------------------------------ exactly a point or nothing

@pytest.mark.parametrize("cell, why", [
    ("4.5", "not a whole number"), ("3.7", "not a whole number"), ("2-3", ""), ("9.99", "not a whole number"),
    ("5 - Instämmer inte alls", "the number 5 and the label 'Instämmer inte alls', point 1, disagree"),
    ("1 - Strongly agree", "disagree"), ("6", ""), ("0", ""), ("4 - Maybe", ""), ("4.5 Agree", ""),
])
def test_an_answer_that_is_not_exactly_a_point_rejects_the_file(workspace, tmp_path, cell, why):
    path = write_csv(tmp_path / "bad.csv", [["team", "exp_role", "goal_smart"], ["Data", "3", "3"],
                                            ["Data", cell, "4"]])
    with pytest.raises(ImportRejected) as caught:
        import_answers(workspace.store, "w1", path)
    message = str(caught.value)
    assert f"row 3, column 'exp_role': {cell!r} is not an answer on the 1-5 scale" in message
    assert why in message
    assert stored(workspace) == []


@pytest.mark.parametrize("cell", ["7.9", "11", "-1", "2-3", "10 - Not at all likely"])
def test_an_enps_answer_that_is_not_exactly_a_point_rejects_the_file(workspace, tmp_path, cell):
    path = write_csv(tmp_path / "bad.csv", [["team", "enps_recommend"], ["Data", cell]])
    with pytest.raises(ImportRejected, match=r"is not an answer on the 0-10 scale"):
        import_answers(workspace.store, "w1", path)
    assert stored(workspace) == []


def test_whole_numbers_written_with_decimals_and_numbered_labels_are_their_points(any_workspace, tmp_path):
    path = write_csv(tmp_path / "ok.csv", [
        ["team", "exp_role", "goal_smart", "safe_ask", "enps_recommend"],
        ["Data", "4.0", "2,0", "4. Agree", "10 - Extremely likely"],
        ["Data", " strongly AGREE ", "1 – Instämmer inte alls", "3) Varken eller", "Inte alls troligt"],
    ], delimiter=";")
    import_answers(any_workspace.store, "w1", path)
    assert stored(any_workspace) == expected([
        ("Data", {"exp_role": 4, "goal_smart": 2, "safe_ask": 4, "enps_recommend": 10}),
        ("Data", {"exp_role": 5, "goal_smart": 1, "safe_ask": 3, "enps_recommend": 0})])


def test_a_decimal_in_a_tool_export_rejects_it_whole(workspace, tmp_path):
    path = write_csv(tmp_path / "q.csv", qualtrics_rows("en", "Team", [
        ("Platform", "True", {"exp_role": "4"}, ""), ("Data", "True", {"exp_role": "4.5"}, "")]))
    with pytest.raises(ImportRejected, match=r"row 5, column 'Q2_1': '4.5' is not an answer on the 1-5 scale "
                                             r"\(not a whole number\)"):
        import_answers(workspace.store, "w1", path)
    assert stored(workspace) == []


# ----------------------------------------------------------------------------------------- workbooks

def test_a_summary_sheet_does_not_count_and_two_answer_sheets_need_a_choice(any_workspace, tmp_path):
    answers = [["team", "exp_role"], ["Data", 3], ["Platform", 5]]
    summary = [["Report", "Value"], ["Responses", 2]]
    one = write_xlsx(tmp_path / "one.xlsx", {"Summary": summary, "Answers": answers})
    assert import_answers(any_workspace.store, "w1", one).stored == 2

    two = write_xlsx(tmp_path / "two.xlsx", {"Summary": summary, "Wave 1": answers,
                                             "Wave 2": [["team", "exp_role"], ["Data", 1]]})
    with pytest.raises(ImportRejected, match=r"2 sheets with answers: 'Wave 1', 'Wave 2'; name the one to import "
                                             r"with --sheet"):
        import_answers(any_workspace.store, "w1", two)
    with pytest.raises(ImportRejected, match=r"no sheet 'Wave 3'; its sheets: 'Summary', 'Wave 1', 'Wave 2'"):
        import_answers(any_workspace.store, "w1", two, sheet="Wave 3")
    assert import_answers(any_workspace.store, "w1", two, sheet="Wave 2").stored == 1
    assert stored(any_workspace) == [("Data", "exp_role", 1), ("Data", "exp_role", 3), ("Platform", "exp_role", 5)]


def test_each_sheet_of_a_workbook_is_an_import_of_its_own(any_workspace, tmp_path):
    book = write_xlsx(tmp_path / "book.xlsx", {"Spring": [["team", "exp_role"], ["Data", 3]],
                                               "Autumn": [["team", "exp_role"], ["Data", 2], ["Platform", 4]]})
    assert import_answers(any_workspace.store, "w1", book, sheet="Spring").stored == 1
    assert import_answers(any_workspace.store, "w1", book, sheet="Autumn").stored == 2
    assert import_answers(any_workspace.store, "w1", book, sheet="Autumn").already_imported
    assert stored(any_workspace) == [("Data", "exp_role", 2), ("Data", "exp_role", 3), ("Platform", "exp_role", 4)]


def test_the_command_line_takes_format_and_sheet(any_workspace, tmp_path, capsys):
    two = write_xlsx(tmp_path / "two.xlsx", {"A": [["team", "exp_role"], ["Data", 3]],
                                             "B": [["team", "exp_role"], ["Data", 2]]})
    any_workspace.close()
    root = str(any_workspace.path)
    assert main(["import", root, str(two)]) == 2
    assert "--sheet" in capsys.readouterr().err
    assert main(["import", root, str(two), "--sheet", "B", "--format", "plain"]) == 0
    out = capsys.readouterr().out
    assert "stored 1 response(s)" in out


def test_header_rows_with_line_breaks_read_in_small_blocks_keep_file_row_numbers(any_workspace, tmp_path, monkeypatch):
    from assessment import importing
    monkeypatch.setattr(importing, "_CHUNK_ROWS", 2)
    rows = qualtrics_rows("en", "Team", [("Data", "True", {"exp_role": str(k % 5 + 1)}, "") for k in range(5)]
                          + [("Data", "True", {"exp_role": "3.5"}, "")])
    rows[1][rows[0].index("Q3")] = "How likely are you\nto recommend us?"   # a question text over two lines
    rows[0][rows[0].index("Q3")] = "enps_recommend"                        # an export tag set to the item id
    with pytest.raises(ImportRejected, match=r"row 9, column 'Q2_1': '3.5'"):
        import_answers(any_workspace.store, "w1", write_csv(tmp_path / "q.csv", rows))
    result = import_answers(any_workspace.store, "w1", write_csv(tmp_path / "q2.csv", rows[:-1]))
    assert result.stored == 5 and sorted(v for _, _, v in stored(any_workspace)) == [1, 2, 3, 4, 5]


def test_a_forced_tool_format_never_takes_a_data_row_for_a_header_row(any_workspace, tmp_path):
    rows = qualtrics_rows("en", "Team", [("Data", "True", {"exp_role": "2"}, ""),
                                         ("Data", "True", {"exp_role": "3"}, "")])
    two = write_csv(tmp_path / "older.csv", [rows[0], rows[1], *rows[3:]])      # an older export: no ImportId row
    assert import_answers(any_workspace.store, "w1", two).stored == 2
    later = qualtrics_rows("en", "Team", [("Data", "True", {"exp_role": "4"}, "")] * 3)[3:]
    for n, row in enumerate(later):
        row[QUALTRICS_META.index("ResponseId")] = f"R_later{n}"
    bare = write_csv(tmp_path / "bare.csv", [rows[0], *later])                  # the ids row only
    result = import_answers(any_workspace.store, "w1", bare, format="qualtrics",
                            mapping=Mapping(team="Q1", columns={"Q2_1": "exp_role"},
                                            ignore=["Q2_2", "Q2_3", "Q3", "Q4"]))
    assert result.format == "qualtrics" and result.stored == 3
    sm = surveymonkey_rows("en", [("Data", {"exp_role": "5"}, "")])
    head = sm[0][:10] + [EN[i] for i in MATRIX] + sm[0][13:]                       # no statements row
    sm_bare = write_csv(tmp_path / "sm.csv", [head, sm[2]])
    assert import_answers(any_workspace.store, "w1", sm_bare, format="surveymonkey",
                          mapping=Mapping(ignore=[NPS_EN, KEEP_EN])).stored == 1
    assert sorted(v for _, _, v in stored(any_workspace)) == [2, 3, 4, 4, 4, 5]


# ---------------------------------------------------------------------------- very fast responses

def test_qualtrics_durations_flag_very_fast_responses_without_storing_the_times(any_workspace, tmp_path):
    rows = qualtrics_rows("en", "Team", [("Platform", "True", {"exp_role": str(1 + k % 5), "goal_smart": "3"}, "")
                                         for k in range(12)])
    duration = rows[0].index("Duration (in seconds)")
    for k, seconds in enumerate([400, 410, 420, 430, 440, 450, 460, 470, 480, 490, 30, 130]):
        rows[3 + k][duration] = str(seconds)      # median 445: under a third of it (148 s) is very fast
    import_answers(any_workspace.store, "w1", write_csv(tmp_path / "q.csv", rows))
    assert any_workspace.store.fast_counts("w1").values.tolist() == [["Platform", 12, 2]]
    flags = Results(any_workspace).quality("w1")
    assert flags[flags["flag"] == "very fast responses"].values.tolist() == [
        ["Platform", "very fast responses", "2 of 12 timed responses took under a third of their file's median time"]]
    columns = table_columns(any_workspace.store, "respondents")
    assert not any("time" in c or "duration" in c or "second" in c for c in columns)


def test_microsoft_forms_start_and_completion_times_give_the_durations(any_workspace, tmp_path):
    head = ["ID", "Starttid", "Sluttid", "E-post", "Namn", "Senast ändrad", "Enhet", SV["exp_role"]]
    minutes = [6, 7, 5, 6, 8, 7, 6, 5, 7, 1]     # the last one took a minute: very fast
    body = [[k + 1, "11/2/26 9:00:00", f"11/2/26 9:{m:02d}:00", "anonymous", "", "", "Data", 1 + k % 5]
            for k, m in enumerate(minutes)]
    import_answers(any_workspace.store, "w1", write_xlsx(tmp_path / "ms.xlsx", {"Sheet1": [head, *body]}))
    assert any_workspace.store.fast_counts("w1").values.tolist() == [["Data", 10, 1]]


def test_too_few_timed_responses_flag_nothing(any_workspace, tmp_path):
    rows = qualtrics_rows("en", "Team", [("Platform", "True", {"exp_role": "3"}, "") for _ in range(5)])
    duration = rows[0].index("Duration (in seconds)")
    rows[3][duration] = "5"
    import_answers(any_workspace.store, "w1", write_csv(tmp_path / "q.csv", rows))
    assert any_workspace.store.fast_counts("w1").empty


# ---------------------------------------------------------------- header rows, read without a file (issue 18's mutation run)

def test_a_plain_file_with_a_brace_in_its_third_row_is_not_taken_for_qualtrics():
    assert formats.detect([["team", "exp_role", "comment_keep"], ["Data", "3", "x"], ["Data", "4", "{see attached}"]]) == "plain"


def test_surveymonkey_columns_of_the_same_name_are_numbered_from_the_second():
    rows = [["Respondent ID", "Collector ID", "Team", "Comment", "Comment"],
            ["", "", "Response", "Open-Ended Response", "Open-Ended Response"]]
    assert formats.layout(rows).names == ["Respondent ID", "Collector ID", "Team", "Comment", "Comment (2)"]


def test_a_qualtrics_text_before_its_separator_is_matched_too():
    """Qualtrics writes some questions as "Question - Selected Choice": the question is the part before " - "."""
    rows = [["ResponseId", "Team", "Q1"], ["Response ID", "Team", f"{EN['exp_role']} - Selected Choice"],
            ['{"ImportId":"_recordId"}', '{"ImportId":"QID9"}', '{"ImportId":"QID1"}']]
    assert EN["exp_role"] in formats.layout(rows).texts[2]


@pytest.mark.parametrize("rows, header_rows", [
    ([["ResponseId", "Team", "Q1"], ["Response ID", "Team", "text"], ["R_1", "Data", "4"]], 2),
    ([["ResponseId", "Team", "Q1"], ["R_1", "Data", "4"]], 1),
    ([["StartDate", "Finished", "Team"], ["Start Date", "Finished", "Team"], ["2026-01-01", "True", "Data"]], 2),
    ([["StartDate", "Finished", "Team"], ["2026-01-01", "True", "Data"]], 1),
], ids=["ResponseId and texts", "ResponseId and a response", "StartDate and texts", "StartDate and a response"])
def test_an_older_qualtrics_export_has_a_texts_row_only_when_its_second_row_is_not_a_response(rows, header_rows):
    layout = formats.layout(rows)
    assert layout.format == "qualtrics" and layout.header_rows == header_rows


def test_a_file_read_as_qualtrics_without_responseid_or_startdate_has_one_header_row():
    assert formats.layout([["Team", "exp_role"], ["Data", "4"]], "qualtrics").header_rows == 1


@pytest.mark.parametrize("header, times", [
    (["Respondent ID", "Collector ID", "Start Date", "End Date", "Team"], ("Start Date", "End Date")),
    (["Respondent ID", "Collector ID", "Start Date", "Team"], None),
    (["Respondent ID", "Collector ID", "End Date", "Team"], None),
    (["Respondent ID", "Collector ID", "Team"], None),
], ids=["both", "start only", "end only", "neither"])
def test_response_times_are_read_only_when_a_file_has_both_a_start_and_an_end(header, times):
    assert formats.layout([header], "surveymonkey").times == times


@pytest.mark.parametrize("rows, tool", [
    ([["ResponseId", "Team"]], "qualtrics"),
    ([["StartDate", "Finished", "Team"]], "qualtrics"),
    ([["StartDate", "Finished"]], "qualtrics"),
    ([["Q1", "Q2"], ["text", "text"], ['{"ImportId":"QID1"}', '{"ImportId":"QID2"}']], "qualtrics"),
    ([["Respondentens ID", "Insamlar-ID", "Team"]], "surveymonkey"),
    ([["Tidsstämpel", "Team"]], "google"),
    ([["ID", "Starttid", "Slutförandetid", "Team"]], "microsoft"),
    ([["ID", "Start  time", "Completion time"]], "microsoft"),
    ([["StartDate", "EndDate", "Team"]], "plain"),
    ([["Respondent ID", "Team"]], "plain"),
    ([["Collector ID", "Team"]], "plain"),
    ([["ID", "Start time", "Team"]], "plain"),
    ([["ID", "Completion time", "Team"]], "plain"),
    ([["Name", "Completion time", "Team"]], "plain"),
    ([["ID", "Team"]], "plain"),
    ([], "plain"),
    ([[]], "plain"),
], ids=["ResponseId alone", "StartDate and Finished", "only StartDate and Finished", "ImportId row",
        "SurveyMonkey in Swedish", "Tidsstämpel", "Microsoft Forms in Swedish", "a doubled space",
        "StartDate without Finished", "respondent without collector", "collector without respondent",
        "ID and start only", "ID and end only", "end without ID", "ID alone", "no rows", "an empty row"])
def test_each_tool_is_recognised_by_the_columns_it_always_writes_and_by_nothing_less(rows, tool):
    assert formats.detect(rows) == tool


def test_an_unknown_format_is_refused_naming_the_known_ones():
    with pytest.raises(ValueError) as refused:
        formats.layout([["a"]], "typeform")
    assert str(refused.value) == "unknown format 'typeform'; use one of qualtrics, surveymonkey, google, microsoft, plain"


def test_a_file_without_rows_has_no_columns_and_a_blank_header_is_named_like_pandas_does():
    assert formats.layout([]).names == []
    assert formats.layout([["team", "", "exp_role"]]).names == ["team", "Unnamed: 1", "exp_role"]


def test_a_qualtrics_header_row_alone_is_one_header_row():
    assert formats.layout([["ResponseId", "Team", "Q1"]]).header_rows == 1


def test_a_two_row_qualtrics_file_of_ids_and_texts_has_two_header_rows_and_a_short_row_adds_no_text():
    layout = formats.layout([["ResponseId", "Team", "Q1"], ["Response ID", "Team"]])
    assert layout.header_rows == 2
    assert layout.texts == [["ResponseId", "Response ID"], ["Team", "Team"], ["Q1"]]


def test_a_qualtrics_file_whose_second_row_is_a_response_matches_by_ids_only():
    assert formats.layout([["ResponseId", "Q1"], ["R_1", "4"]]).texts == [["ResponseId"], ["Q1"]]


def test_a_qualtrics_statement_after_an_en_dash_is_matched():
    layout = formats.layout([["ResponseId", "Q1"], ["Response ID", "Question – Statement"]])
    assert layout.texts[1] == ["Q1", "Question – Statement", "Statement", "Question"]


def test_qualtrics_own_q_columns_are_left_out():
    assert formats.layout([["ResponseId", "Q_TotalDuration", "Q1"]]).metadata == {"ResponseId", "Q_TotalDuration"}


@pytest.mark.parametrize("rows, tool, respondent", [
    ([["ResponseId", "Q1"]], "qualtrics", "ResponseId"),
    ([["Collector ID", "Respondent-ID", "Team"], ["", "", "Response"]], "surveymonkey", "Respondent-ID"),
    ([["Insamlar-ID", "Respondentens ID", "Team"]], "surveymonkey", "Respondentens ID"),
    ([["ID", "Start time", "Completion time", "Team"]], "microsoft", "ID"),
], ids=["Qualtrics", "SurveyMonkey", "SurveyMonkey in Swedish", "Microsoft Forms"])
def test_each_tool_names_the_column_that_identifies_a_response(rows, tool, respondent):
    layout = formats.layout(rows, tool)
    assert layout.respondent == respondent


def test_a_surveymonkey_file_with_one_header_row_names_its_columns_as_they_are():
    layout = formats.layout([["Respondent ID", "Collector ID", "Team", "exp_role"]], "surveymonkey")
    assert layout.header_rows == 1
    assert layout.names == ["Respondent ID", "Collector ID", "Team", "exp_role"]


def test_a_surveymonkey_matrix_question_names_each_statement_under_its_question():
    layout = formats.layout([["Respondent ID", "Collector ID", "How much do you agree?", ""],
                             ["", "", "Statement A", "Statement B"]], "surveymonkey")
    assert layout.header_rows == 2
    assert layout.names[2:] == ["How much do you agree? - Statement A", "How much do you agree? - Statement B"]
    assert layout.texts[3] == ["Statement B", "How much do you agree?", "How much do you agree? - Statement B"]


def test_a_surveymonkey_data_row_with_a_blank_cell_is_not_taken_for_a_second_header_row():
    rows = [["Respondent ID", "Comment", "Collector ID", "exp_role"], ["1001", "", "2002", "4"]]
    assert formats.layout(rows, "surveymonkey").header_rows == 1


def test_a_surveymonkey_column_without_a_question_over_it_is_unnamed_and_matches_nothing():
    layout = formats.layout([["Respondent ID", "", "Team"], ["", "Response", "Response"]], "surveymonkey")
    assert layout.names == ["Respondent ID", "Unnamed: 1", "Team"]
    assert layout.texts == [["Respondent ID"], [], ["Team"]]


def test_a_google_grid_question_over_two_lines_gives_its_statement_and_its_question():
    name = "How much\ndo you agree? [My role is clear]"
    assert formats.layout([["Timestamp", name]], "google").texts[1] == [name, "My role is clear", "How much\ndo you agree?"]


def test_an_empty_cell_of_a_workbook_header_is_named_like_pandas_does():
    assert formats.layout([["team", None, "exp_role"]]).names == ["team", "Unnamed: 1", "exp_role"]


def test_a_microsoft_forms_statement_without_a_question_before_its_dot_is_matched():
    layout = formats.layout([["ID", "Start time", "Completion time", ".My role is clear"]], "microsoft")
    assert layout.texts[3] == [".My role is clear", "My role is clear"]


def test_a_surveymonkey_statement_with_no_question_over_it_is_named_by_the_statement_alone():
    """After the tool's own columns the question is cleared: a statement under a blank cell is its own name
    and text (not " - Statement", nor under a question from anywhere else)."""
    layout = formats.layout([["Respondent ID", "", "How much do you agree?"],
                             ["", "My role is clear", "Goals are clear"]], "surveymonkey")
    assert layout.header_rows == 2
    assert layout.names == ["Respondent ID", "My role is clear", "How much do you agree? - Goals are clear"]
    assert layout.texts[1] == ["My role is clear"]


def test_a_surveymonkey_first_column_with_a_statement_and_no_question_is_named_by_the_statement():
    layout = formats.layout([["", "Respondent ID"], ["My role is clear", ""]], "surveymonkey")
    assert layout.names == ["My role is clear", "Respondent ID"]
    assert layout.texts[0] == ["My role is clear"]


def test_a_microsoft_forms_question_ending_in_two_dots_gives_the_statement_after_them():
    """Every dot is a possible separator, the second of two in a row too: "Your team.. My role is clear"."""
    layout = formats.layout([["ID", "In your team.. My role is clear"]], "microsoft")
    assert "My role is clear" in layout.texts[1]
    assert "In your team." in layout.texts[1]


def test_a_workbook_sheet_whose_columns_only_the_mapping_file_names_is_the_answer_sheet(any_workspace, tmp_path):
    """Choosing the sheet to read, the mapping file's column names count as item columns: a summary sheet
    beside it does not make the workbook ambiguous."""
    book = write_xlsx(tmp_path / "book.xlsx", {"Summary": [["Report", "Value"], ["Responses", 2]],
                                               "Svar": [["team", "Fråga 1"], ["Data", 3], ["Platform", 5]]})
    mapping = tmp_path / "map.yaml"
    mapping.write_text("columns: {Fråga 1: exp_role}\n", encoding="utf-8")
    result = import_answers(any_workspace.store, "w1", book, mapping=Mapping.load(mapping))
    assert result.stored == 2
    assert stored(any_workspace) == [("Data", "exp_role", 3), ("Platform", "exp_role", 5)]


@pytest.mark.parametrize("rows, tool", [([["Collector ID", "Team"]], "surveymonkey"),
                                        ([["Start time", "Completion time", "Team"]], "microsoft")])
def test_a_file_read_as_a_tool_without_its_respondent_column_has_no_respondent(rows, tool):
    assert formats.layout(rows, tool).respondent is None
