"""The command line: subcommands, help, exit codes and one-line errors."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd
import pytest

from assessment.cli import build_parser, main
from assessment.store import SCHEMA_VERSION, Response
from assessment.workspace import Workspace


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "assessment", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def test_every_subcommand_has_help():
    parser = build_parser()
    commands = parser._subparsers._group_actions[0].choices
    assert {"init", "validate", "import", "export", "score", "reliability", "demo"} <= set(commands)
    for name in commands:
        with pytest.raises(SystemExit) as exc:
            main([name, "--help"])
        assert exc.value.code == 0


def test_init_then_import_a_hand_made_csv_stores_exactly_its_answers(tmp_path):
    sv_text = "Min roll och mitt ansvar är tydliga för mig."
    (tmp_path / "teams.csv").write_text("team,parent,headcount\nKundtjänst,Service,12\nIT,,6\n", encoding="utf-8")
    (tmp_path / "svar.csv").write_text(
        f"team;{sv_text};goal_smart;enps_recommend;comment_keep\n"
        "Kundtjänst;Instämmer helt;4;9;Bra stämning\n"
        "Kundtjänst;2;;10;\n"
        "IT;3;1;0;\n", encoding="utf-8")
    done = run("init", "acme", "--template", "osa-core", "--language", "sv", "--teams", "teams.csv", "--wave", "2026-hösten",
               cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    done = run("import", "acme", "svar.csv", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "stored 3 response(s) with 8 answer(s) and 1 comment(s)" in done.stdout
    ws = Workspace(tmp_path / "acme")
    answers = ws.store.answers("2026-hösten")
    got = sorted(zip(answers["team"], answers["item"], answers["value"]))
    assert got == sorted([("Kundtjänst", "exp_role", 5), ("Kundtjänst", "goal_smart", 4), ("Kundtjänst", "enps_recommend", 9),
                          ("Kundtjänst", "exp_role", 2), ("Kundtjänst", "enps_recommend", 10),
                          ("IT", "exp_role", 3), ("IT", "goal_smart", 1), ("IT", "enps_recommend", 0)])
    assert ws.store.comments()["text"].tolist() == ["Bra stämning"]
    assert ws.store.wave_template("2026-hösten").language == "sv"


def test_validate_reports_a_broken_template_in_one_line_per_problem_and_exits_non_zero(tmp_path):
    (tmp_path / "broken.yaml").write_text("id: broken\nextends: osa-core\nindices:\n  - id: x\n    title: {en: X, sv: X}\n"
                                          "    from: [nope]\n")
    done = run("validate", tmp_path / "broken.yaml")
    assert done.returncode == 1
    assert "indices[1].from[0]: unknown scale 'nope'" in done.stderr
    assert "Traceback" not in done.stderr


def test_validate_accepts_the_shipped_templates():
    done = run("validate", "osa-core", "service-culture")
    assert done.returncode == 0 and done.stdout.count("valid") == 2


def test_user_mistake_gives_one_line_error_and_exit_code_2(tmp_path):
    done = run("import", tmp_path / "nowhere", "x.csv")
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and len(done.stderr.strip().splitlines()) == 1
    assert "Traceback" not in done.stderr


def test_teams_and_wave_commands(tmp_path, capsys):
    assert main(["init", str(tmp_path / "ws"), "--wave", "w1"]) == 0
    assert main(["teams", str(tmp_path / "ws"), "--add", "Data", "--parent", "Product", "--headcount", "9"]) == 0
    assert main(["wave", str(tmp_path / "ws"), "close", "w1"]) == 0
    assert main(["wave", str(tmp_path / "ws"), "open", "w2"]) == 0
    capsys.readouterr()
    assert main(["wave", str(tmp_path / "ws"), "list"]) == 0
    out = capsys.readouterr().out
    assert "w1" in out and "closed" in out and "w2" in out
    assert Workspace(tmp_path / "ws").store.headcounts("w1")["headcount"].tolist() == [9]


def test_demo_then_score_reliability_and_export(tmp_path):
    done = run("demo", tmp_path / "demo")
    assert done.returncode == 0, done.stderr
    assert "trend_teams.png" in done.stdout and (tmp_path / "demo" / "output" / "trend_teams.png").exists()
    done = run("score", tmp_path / "demo", "--by", "department")
    assert done.returncode == 0 and "Customer Service" in done.stdout
    done = run("score", tmp_path / "demo", "--wave", "2025-spring")
    assert done.returncode == 0 and "Legal" in done.stdout and "suppressed" in done.stdout
    done = run("reliability", tmp_path / "demo")
    assert done.returncode == 0 and "alpha" in done.stdout and "item_rest" in done.stdout
    done = run("export", tmp_path / "demo", "--out", tmp_path / "out")
    assert done.returncode == 0 and (tmp_path / "out" / "group_scores.csv").exists()


def test_reliability_note_column_is_blank_when_there_is_nothing_to_note(demo_workspace, capsys):
    assert main(["reliability", str(demo_workspace.path)]) == 0
    out = capsys.readouterr().out
    assert "None" not in out
    header, *rows = out.split("\n\n")[0].splitlines()
    assert header.split() == ["scale", "k", "n", "alpha", "note"]
    expectations = next(line.split() for line in rows if line.split()[0] == "expectations")
    assert len(expectations) == 4                          # scale, k, n, alpha and an empty note


def test_reliability_note_column_still_shows_a_note(demo_workspace, capsys):
    assert main(["reliability", str(demo_workspace.path)]) == 0
    assert "eNPS question: no internal consistency" in capsys.readouterr().out


def test_score_with_an_unknown_wave_is_a_one_line_error(tmp_path):
    assert main(["init", str(tmp_path / "ws"), "--wave", "w1"]) == 0
    done = run("score", tmp_path / "ws", "--wave", "nope")
    assert done.returncode == 2 and "no wave named 'nope'" in done.stderr and "Traceback" not in done.stderr


def test_score_of_a_wave_without_responses_says_so(tmp_path):
    assert main(["init", str(tmp_path / "ws"), "--wave", "w1"]) == 0
    done = run("score", tmp_path / "ws")
    assert done.returncode == 2 and "no responses yet" in done.stderr


def test_report_command_writes_one_html_per_group(demo_workspace, tmp_path):
    done = run("report", demo_workspace.path, "--group", "Platform", "--group", "Data", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in tmp_path.glob("*.html")) == sorted(
        [f"report-platform-{demo_workspace.wave()}.html", f"report-data-{demo_workspace.wave()}.html"])


def test_report_for_a_suppressed_team_is_refused(demo_workspace, tmp_path):
    done = run("report", demo_workspace.path, "--group", "Legal", "--out", tmp_path)
    assert done.returncode == 2 and "too few respondents" in done.stderr


@pytest.fixture(scope="module")
def every_team_report(demo_workspace, tmp_path_factory):
    """`assessment report` for every team of the demo, as a user runs it."""
    out = tmp_path_factory.mktemp("reports")
    return run("report", demo_workspace.path, "--out", out), out


def test_report_command_writes_a_report_for_every_shown_team(every_team_report):
    done, out = every_team_report
    assert done.returncode == 0, done.stderr
    written = [line for line in done.stdout.splitlines() if line.startswith("wrote ")]
    assert len(written) == len(list(out.glob("*.html"))) == 11


def test_report_command_lists_each_skipped_group_and_why(every_team_report):
    done, _ = every_team_report
    skipped = [line for line in done.stdout.splitlines() if line.startswith("skipped ")]
    assert len(skipped) == 2
    assert any(line.startswith("skipped Legal: fewer than 5 respondents in ") for line in skipped)
    assert any(line.startswith("skipped People & Culture: hidden in ") and "cannot be worked out" in line
               for line in skipped)


def test_report_command_prints_no_warnings(every_team_report):
    done, _ = every_team_report
    assert done.stderr == ""


def test_report_pdf_writes_a_pdf_beside_each_html(demo_workspace, tmp_path, pdf_available):
    done = run("report", demo_workspace.path, "--group", "Data", "--pdf", "--out", tmp_path)
    assert done.returncode == 0 and done.stderr == "", done.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"report-data-{demo_workspace.wave()}.html",
                                                          f"report-data-{demo_workspace.wave()}.pdf"]
    assert (tmp_path / f"report-data-{demo_workspace.wave()}.pdf").read_bytes().startswith(b"%PDF-")


def test_report_pdf_without_weasyprint_is_a_one_line_error(demo_workspace, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "weasyprint", None)     # `import weasyprint` now fails
    assert main(["report", str(demo_workspace.path), "--group", "Data", "--pdf", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: --pdf needs WeasyPrint: pip install 'osa-assessment[pdf]'")
    assert not list(tmp_path.iterdir())


def test_actions_add_list_update_remove(tmp_path):
    assert main(["init", str(tmp_path / "ws"), "--wave", "w1"]) == 0
    assert main(["teams", str(tmp_path / "ws"), "--add", "Kundtjänst", "--parent", "Service"]) == 0
    done = run("actions", tmp_path / "ws", "add", "--group", "kundtjanst", "--scale", "expectations", "--text",
               "Weekly priorities", "--owner", "Team lead", "--due", "2027-02-01")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
    done = run("actions", tmp_path / "ws", "update", "1", "--status", "started", "--note", "First meeting held")
    assert done.returncode == 0 and "action 1 updated" in done.stdout
    listed = run("actions", tmp_path / "ws", "list", "--group", "Service")
    assert listed.returncode == 0
    header, row = listed.stdout.splitlines()
    assert header.split()[:8] == ["id", "wave", "group", "scale", "status", "owner", "due", "text"]
    for value in ("Kundtjänst", "expectations", "started", "Team lead", "2027-02-01", "Weekly priorities",
                  "First meeting held"):
        assert value in row
    assert run("actions", tmp_path / "ws", "list", "--status", "done").stdout.strip() == "no actions match"
    done = run("actions", tmp_path / "ws", "remove", "1")
    assert done.returncode == 0 and "removed" in done.stdout
    assert "no actions yet" in run("actions", tmp_path / "ws").stdout


@pytest.mark.parametrize("args, message", [
    (["add", "--group", "Kundtjanst", "--scale", "goals", "--text", "x"], "no team or department named 'Kundtjanst'"),
    (["add", "--group", "IT", "--scale", "goal", "--text", "x"], "did you mean 'goals'?"),
    (["add", "--group", "IT", "--scale", "goals", "--text", "x", "--due", "1/2/2027"], "due date"),
    (["update", "7", "--status", "done"], "no action with id 7"),
])
def test_actions_mistakes_are_one_line_errors(tmp_path, args, message):
    assert main(["init", str(tmp_path / "ws"), "--wave", "w1"]) == 0
    assert main(["teams", str(tmp_path / "ws"), "--add", "IT"]) == 0
    done = run("actions", tmp_path / "ws", *args)
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1


def test_a_command_on_a_v010_workspace_notes_the_upgrade_and_its_backup(tmp_path):
    import shutil
    from pathlib import Path
    shutil.copytree(Path(__file__).parent / "fixtures" / "v0.1.0" / "client", tmp_path / "client")
    done = run("teams", tmp_path / "client")
    assert done.returncode == 0, done.stderr
    assert "Kundtjänst" in done.stdout
    note, = done.stderr.strip().splitlines()
    assert note.startswith("note: upgraded the response store") and f"from schema 1 to {SCHEMA_VERSION}" in note
    assert str(next((tmp_path / "client").glob("assessment.db.schema1-*.bak"))) in note
    assert run("teams", tmp_path / "client").stderr == ""


# ---------------------------------------------------------------- a failed init, a closed pipe

def test_a_failed_init_leaves_no_folder_behind(tmp_path):
    done = run("init", tmp_path / "new" / "acme", "--opens", "2025-13-01")
    assert done.returncode == 2 and "is not a date" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "new").exists()
    (tmp_path / "teams.csv").write_text("team,headcount\nIT,many\n", encoding="utf-8")
    done = run("init", tmp_path / "acme", "--teams", tmp_path / "teams.csv")
    assert done.returncode == 2 and "'many' is not a whole number" in done.stderr
    assert not (tmp_path / "acme").exists()


def test_a_failed_init_in_an_existing_folder_leaves_it_as_it_was(tmp_path):
    folder = tmp_path / "kund"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me", encoding="utf-8")
    done = run("init", folder, "--wave", "2025-höst", "--opens", "2025-09-01", "--closes", "2025-08-01")
    assert done.returncode == 2 and "before it opens" in done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert run("init", folder, "--opens", "2025-09-01").returncode == 0   # and it can be made afterwards


def test_output_cut_short_by_a_reader_ends_quietly(tmp_path):
    with Workspace.create(tmp_path / "big", wave="w1") as ws:
        ws.store.add_teams([(f"Team number {n:05d} with a long enough name", "Department") for n in range(4000)])
    reader = subprocess.Popen([sys.executable, "-m", "assessment", "teams", str(tmp_path / "big")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert reader.stdout.readline().split() == [b"team", b"parent"]
    reader.stdout.close()                       # what `| head -1` does: far more than a pipe's buffer is left
    err = reader.stderr.read().decode()
    assert reader.wait(60) in (0, 141)
    assert "Traceback" not in err and "BrokenPipe" not in err and "Exception ignored" not in err
    piped = subprocess.run(f"'{sys.executable}' -m assessment score '{tmp_path / 'big'}' | head -1", shell=True,
                           capture_output=True, text=True, timeout=120)
    assert "Traceback" not in piped.stderr and "BrokenPipe" not in piped.stderr


# ---------------------------------------------------------------- one behaviour per option (real files in tmp_path)

def stored_answers(path, wave="w1"):
    with Workspace(path) as ws:
        answers = ws.store.answers(wave)
    return sorted(zip(answers["team"], answers["item"], answers["value"]))


def test_codes_writes_count_codes_per_team_that_each_admit_one_response_for_that_team(workspace, tmp_path, capsys):
    out = tmp_path / "codes.csv"
    assert main(["codes", str(workspace.path), "--team", "Data", "--team", "Platform", "--count", "2",
                 "--out", str(out)]) == 0
    assert f"wrote 4 one-time code(s) to {out}" in capsys.readouterr().out
    rows = [line.split(",") for line in out.read_text(encoding="utf-8").splitlines()]
    assert rows[0] == ["team", "code"] and sorted(team for team, _ in rows[1:]) == ["Data", "Data", "Platform", "Platform"]
    assert len({code for _, code in rows[1:]}) == 4
    assert oct(out.stat().st_mode & 0o777) == oct(0o600)
    with Workspace(workspace.path) as ws:
        assert [ws.store.code_team("w1", code) for _, code in rows[1:]] == [team for team, _ in rows[1:]]


def test_import_with_a_mapping_file_reads_its_team_column_columns_and_values(workspace, tmp_path):
    (tmp_path / "mapping.yaml").write_text(
        "team: Avdelning\ncolumns: {Q1: exp_role, Q2: goal_smart}\nignore: [Tidstämpel]\nvalues: {Sju: 5}\n"
        "teams: {Plattform: Platform}\n", encoding="utf-8")
    (tmp_path / "svar.csv").write_text("Tidstämpel;Avdelning;Q1;Q2\n2026-03-01 10:00;Plattform;Sju;2\n"
                                       "2026-03-01 10:05;Data;3;\n", encoding="utf-8")
    assert main(["import", str(workspace.path), str(tmp_path / "svar.csv"), "--mapping",
                 str(tmp_path / "mapping.yaml")]) == 0
    assert stored_answers(workspace.path) == [("Data", "exp_role", 3), ("Platform", "exp_role", 5),
                                              ("Platform", "goal_smart", 2)]


def test_import_with_add_teams_creates_the_teams_the_file_names(workspace, tmp_path):
    (tmp_path / "a.csv").write_text("team,exp_role\nSupport,4\nData,2\n", encoding="utf-8")
    done = run("import", workspace.path, tmp_path / "a.csv")
    assert done.returncode == 2 and "Support" in done.stderr          # without the option: refused
    assert stored_answers(workspace.path) == []
    assert main(["import", str(workspace.path), str(tmp_path / "a.csv"), "--add-teams"]) == 0
    assert stored_answers(workspace.path) == [("Data", "exp_role", 2), ("Support", "exp_role", 4)]
    with Workspace(workspace.path) as ws:
        assert "Support" in set(ws.store.teams()["team"])


def test_import_with_encoding_reads_a_cp1252_file(workspace, tmp_path):
    workspace.store.add_team("Försäljning")
    (tmp_path / "excel.csv").write_bytes("team;exp_role;goal_smart\nFörsäljning;Instämmer helt;2\n".encode("cp1252"))
    assert main(["import", str(workspace.path), str(tmp_path / "excel.csv"), "--encoding", "cp1252"]) == 0
    assert stored_answers(workspace.path) == [("Försäljning", "exp_role", 5), ("Försäljning", "goal_smart", 2)]


def test_teams_file_adds_teams_under_their_departments_with_headcounts(tmp_path, capsys):
    assert main(["init", str(tmp_path / "ws"), "--wave", "w1"]) == 0
    (tmp_path / "teams.csv").write_text("team,parent,headcount\nLager,Logistik,14\nKassa,Butik,9\nIT,,6\n",
                                        encoding="utf-8")
    assert main(["teams", str(tmp_path / "ws"), "--file", str(tmp_path / "teams.csv")]) == 0
    assert "added or updated 3 team(s)" in capsys.readouterr().out
    with Workspace(tmp_path / "ws") as ws:
        parents = ws.store.teams().set_index("team")["parent"].to_dict()
        headcounts = ws.store.headcounts("w1").set_index("team")["headcount"].to_dict()
    assert parents["Lager"] == "Logistik" and parents["Kassa"] == "Butik" and pd.isna(parents["IT"])
    assert headcounts == {"Lager": 14, "Kassa": 9, "IT": 6}


def test_score_by_organisation_prints_one_row_over_every_respondent(tmp_path, capsys):
    from _builders import answer_rows, organisation_workspace
    departments = {"Sales": {"North": ["full"] * 8, "South": ["full"] * 7}, "Product": {"Data": ["full"] * 6}}
    ws = organisation_workspace(tmp_path / "ws", departments)
    template = ws.store.wave_template("w1")
    ws.close()
    capsys.readouterr()
    assert main(["score", str(tmp_path / "ws"), "--by", "organisation"]) == 0
    header, *rows = capsys.readouterr().out.strip().splitlines()
    assert len(rows) == 1
    table = dict(zip(header.split(), rows[0].split()))
    assert table["organisation"] == "Organisation" and int(table["n"]) == 8 + 7 + 6
    scale = next(s for s in template.scales if s.id == "expectations")
    people = [row for teams in departments.values() for team, kinds in teams.items()
              for row in answer_rows(template, team, kinds)]
    scores = []
    for person in people:                          # each item onto 0-100, reverse keys flipped, mean per person
        points = []
        for item in scale.items:
            low, high = item.response_scale.low, item.response_scale.high
            x = low + high - person[item.id] if item.reverse else person[item.id]
            points.append((x - low) * 100 / (high - low))
        scores.append(sum(points) / len(points))
    assert float(table["expectations"]) == pytest.approx(sum(scores) / len(scores), abs=0.05)


def test_export_with_a_wave_writes_only_that_waves_rows(workspace, tmp_path):
    workspace.store.add_responses("w1", [Response("Platform", {"exp_role": 3}) for _ in range(6)])
    workspace.open_wave("w2")
    workspace.store.add_responses("w2", [Response("Platform", {"exp_role": 4}) for _ in range(7)])
    assert main(["export", str(workspace.path), "--wave", "w1", "--out", str(tmp_path / "out")]) == 0
    answers = pd.read_csv(tmp_path / "out" / "answers.csv")
    groups = pd.read_csv(tmp_path / "out" / "group_scores.csv")
    assert answers["wave"].tolist() == ["w1"] * 6 and answers["exp_role"].tolist() == [3] * 6
    assert set(groups["wave"]) == {"w1"}
    assert main(["export", str(workspace.path), "--out", str(tmp_path / "all")]) == 0
    assert sorted(set(pd.read_csv(tmp_path / "all" / "answers.csv")["wave"])) == ["w1", "w2"]
