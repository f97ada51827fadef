#!/usr/bin/env python
"""Mutation score of the code that guards people (issue 18): anonymity protection, scoring, the parsing
of imported answers and one-time invitation codes.

    python benchmarks/mutation.py [--groups protection,scoring,parsing,codes] [--max-children 2]
                                  [--out benchmarks/results] [--work DIR] [--keep]

A report, not a CI gate (it takes tens of minutes on 2 cores). For each group it copies the repository
(without .venv and .git) to a temporary folder, writes a `[tool.mutmut]` section into the copy's
pyproject.toml, runs mutmut 3 there on the group's functions with the group's own test selection, and
prints one table: module, mutants, killed, timeout, survived, of which equivalent, score = (killed +
timeout) / mutants, and the score without the equivalent survivors. The repository itself is never changed.

Two passes per group. The first runs a fast selection (no PostgreSQL, no browser, no slow tests); the
mutants that survive it are run again with the group's slower oracles (the random-organisation audit of
tests/test_protection.py, the concurrent code spend of tests/test_invitations.py), so a mutant costs
seconds, not the 40 s of the property test.

What is mutated (mutmut's mutant names are filtered by function; `only_mutate` names the files):

* protection: every function of assessment/protection.py;
* scoring: every function of assessment/scoring.py;
* parsing: every function of assessment/formats.py (the layouts of the form tools' headers, question and
  statement texts), and in assessment/importing.py the answer-value parsing and question-text matching:
  `_norm`, `_targets`, `_answer_sheet`, `_match_columns`, `_scale_labels`, `_parse_answer`, `_parse_column`;
* codes: every function of assessment/invitations.py, and in assessment/store.py `Store._code_hash`,
  `Store.issue_codes`, `Store.code_team` and the code paths of `Store.add_responses` (its two
  `if code is not None:` blocks: every other line of that method gets a trailing `# pragma: no mutate`,
  in the temporary copy only, see `fence`).

The JSON (every mutant's status) and each survivor's diff go to --out (default benchmarks/results,
git-ignored): mutation.json and mutation-survivors.txt. Survivors that are equivalent mutants (the
program behaves identically) are recognised from EQUIVALENT below, which gives each one's reason; README.md's
Tests section summarises them.
"""

from __future__ import annotations

import argparse
import ast
import datetime as _dt
import fnmatch
import io
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import tokenize
import tomllib
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

FAST = ["-m", "not slow and not browser", "-k", "not postgresql"]

GROUPS = {
    "protection": {
        "files": ["assessment/protection.py"],
        "functions": ["assessment.protection.*"],
        "tests": ["tests/test_protection.py", "tests/test_privacy.py"],
        "fast": ["-m", "not slow and not browser", "-k", "not postgresql and not random_organisation"],
        "slow": FAST,
    },
    "scoring": {
        "files": ["assessment/scoring.py"],
        "functions": ["assessment.scoring.*"],
        "tests": ["tests/test_scoring.py", "tests/test_statistics.py"],
        "fast": FAST,
        "slow": None,
    },
    "parsing": {
        "files": ["assessment/formats.py", "assessment/importing.py"],
        "functions": ["assessment.formats.*"] + [f"assessment.importing.x_{name}__mutmut_*" for name in (
            "_norm", "_targets", "_answer_sheet", "_match_columns", "_scale_labels", "_parse_answer",
            "_parse_column")],
        "tests": ["tests/test_importing.py", "tests/test_formats.py"],
        "fast": FAST,
        "slow": None,
    },
    "codes": {
        "files": ["assessment/invitations.py", "assessment/store.py"],
        "functions": ["assessment.invitations.*"] + [f"assessment.store.xǁStoreǁ{name}__mutmut_*" for name in (
            "_code_hash", "issue_codes", "code_team", "add_responses")],
        "tests": ["tests/test_invitations.py", "tests/test_store.py"],
        "fast": ["-m", "not slow and not browser", "-k", "not postgresql and (code or invitations)"],
        "slow": ["-m", "not browser", "-k", "not postgresql and (code or invitations)"],
        "fence": ("assessment/store.py", "Store", "add_responses", "code is not None"),
    },
}

# Survivors shown to be equivalent mutants (the program behaves the same), recognised by function and by the
# text of the mutated line, so they are still found when mutmut numbers the mutants differently. Each reason is
# the argument; README.md's Tests section lists them too.
EQUIVALENT = [
    # protection.py
    ("Tree.__init__", "np.asarray(up, )", "`up` is a list of Python ints (statistics._Nodes): an int array anyway"),
    ("Tree.__init__", "np.asarray(up, dtype=None)", "the same"),
    ("Tree.__init__", "np.zeros(len(self.level), dtype=None)", "float depths sort like int ones; depth is only sorted"),
    ("Tree.__init__", "np.zeros(len(self.level), )", "the same"),
    ("protect", "np.asarray(n, dtype=None)", "whole counts give the same sums and differences as floats"),
    ("protect", "np.asarray(n, )", "the same"),
    ("protect", "np.argsort(-tree.depth, kind=None)", "nodes of one depth are independent (each hides only below "
     "itself), so their order does not matter"),
    ("protect", "np.argsort(-tree.depth, )", "the same"),
    ("protect", 'kind="STABLE"', "NumPy reads the sort kind case-insensitively"),
    ("protect", "rest <= 0.5", "rest is a whole number"),
    ("protect", "below[f] >= 0.5", "residuals are whole numbers"),
    ("protect", "below[f] > 1.5", "a shown group's own pass leaves its residual 0 or >= threshold (and with "
     "threshold 1 nothing is ever hidden)"),
    ("protect", "below[v] -= below[pick] - n[pick]", "a useful pick's residual is >= threshold, so rest ends >= "
     "threshold (original) or < 0.5 (mutant): both stop; a useless pick's residual is 0 either way"),
    ("wave_reasons", "np.full(len(tree), None, dtype=None)", "np.full infers dtype object from None"),
    ("wave_reasons", "np.full(len(tree), None, )", "the same"),
    ("wave_reasons", "np.full(n.shape, None, dtype=None)", "the same"),
    ("wave_reasons", "np.full(n.shape, None, )", "the same"),
    ("regions", "np.full(len(tree), -1, dtype=None)", "-1 gives an int array anyway"),
    ("regions", "np.full(len(tree), -1, )", "the same"),
    ("regions", "np.full(len(tree), +1, dtype=int)", "only leaves of rows are read back, each assigned first"),
    ("regions", "np.full(len(tree), -2, dtype=int)", "the same"),
    # scoring.py
    ("_keyed_answers", "na_value=None)", "pandas 3 turns missing values into NaN for a float64 array anyway"),
    ("_keyed_answers", 'to_numpy(dtype="float64", )', "the same"),
    ("_keyed_answers", "for it in items], dtype=None)", "integer scale ends: the same arithmetic on float answers"),
    ("_keyed_answers", "for it in items], )", "the same"),
    ("_keyed_answers", "np.errstate(invalid=None)", "comparisons with NaN raise no floating-point warning"),
    ("_keyed_answers", "raw.copy(order=", "the copy's memory order does not change any value"),
    ("_item_positions", "dtype=None)", "a list of positions is an int array anyway (a scale has at least one item)"),
    ("_item_positions", "s.item_ids], )", "the same"),
    ("_enough", "answered > share * total - _TOLERANCE", "a whole count never equals share * total - 1e-9"),
    ("_to_01", "template.items], dtype=None)", "integer scale ends: the same arithmetic on float answers"),
    ("_to_01", "template.items], )", "the same"),
    ("favourable", 'divide=None', "fav <= answered, so x / 0 with x > 0 never happens (0 / 0 is 'invalid')"),
    ("favourable", 'invalid="ignore", )', "the same"),
    ("favourable", "answered[k] >= 0", "where nothing is answered, fav / answered is 0 / 0 = NaN, the other branch"),
    ("_favourable_counts", "dtype=None)", "integer thresholds compare the same"),
    ("_favourable_counts", '=> dtype="float64") => )', "the same"),
    ("_favourable_counts", "np.errstate(invalid=None)", "comparisons with NaN raise no floating-point warning"),
    ("_favourable_counts", ".astype(None)", "astype(None) is float64"),
    ("enps", 'float("NAN")', "float() reads NaN case-insensitively"),
    ("score_wave", "np.errstate(invalid=None)", "comparisons with NaN raise no floating-point warning"),
    ("score_wave", 'pd.Series(responded, index=index, name=', "the Series' name is read nowhere (only its values)"),
    ("score_wave", "pd.Series(responded, index=index, )", "the same"),
    # formats.py and the parsing in importing.py
    ("_after_separators", "start = None", "str.find(sep, None) starts at 0 like str.find(sep, 0)"),
    ("layout", "elif len(rows) >= 1 and _texts_row(", "with one row the padded second row is blank, and a blank "
     "cell is never a texts row"),
    ("layout", "question = None", "None and '' are both false wherever question is read"),
    ("layout", "if (all(header)) and False else plain_names", "plain_names is the header itself when no cell is blank"),
    ("_parse_answer", 'return np.nan, "XXXX"', "a reason is read only for a refused cell, never for a blank one"),
    ("_parse_answer", 'return float(value), "XXXX"', "a reason is read only for a refused cell, never for an answer"),
    ("_parse_answer", "reason = None", "the reason is only tested for truth: None and '' are both false"),
    ("_parse_answer", 'strip("XX0XX")', "the decimals matched by _WHOLE are digits: stripping X changes nothing"),
    ("_parse_column", "lookup = {} if (lookup is None) and False else lookup", "the one caller always passes a dict"),
    ("_parse_column", "lookup = {} if (lookup is None) or True else lookup", "lookup is a cache: a fresh one parses the "
     "same"),
    ("_parse_column", "lookup = {} if lookup is not None else lookup", "the same (and the one caller never passes None)"),
    ("_parse_column", "if why or reasons is not None:", "an empty reason is read as no reason (reasons.get(cell, ''))"),
    ("_parse_column", "numbers[bad] = None", "None assigned into a float array is NaN"),
    ("_match_columns", "-= layout = formats.layout([list(layout)], \"plain\")", "unreachable: import_answers, "
     "the one caller, always passes a formats.Layout (so the bare-header branch never runs)"),
    ("_match_columns", "layout.finished, None,", "_Columns.format is read nowhere"),
    # invitations.py and the code paths of store.py
    ("write_codes", 'newline=None, encoding="utf-8"', "on POSIX text mode translates no newline (csv writes \\r\\n "
     "itself)"),
    ("write_codes", 'os.fdopen(fd, "w", encoding="utf-8")', "the same"),
    ("write_codes", 'newline="", encoding=None', "the locale's encoding is UTF-8 here and in CI"),
    ("write_codes", 'os.fdopen(fd, "w", newline="", )', "the same"),
    ("write_codes", 'encoding="UTF-8"', "the same codec"),
    ("Store.add_responses", '"update codes set used = 1', "SQL keywords and unquoted names are case-insensitive in "
     "SQLite and PostgreSQL"),
    ("Store.add_responses", '"UPDATE CODES SET USED = 1', "the same"),
    ("Store.code_team", '"select t.name, c.used from codes c', "the same"),
    ("Store.code_team", '"SELECT T.NAME, C.USED FROM CODES C', "the same"),
    ("Store.code_team", '"where c.code_hash = ? and c.wave_id = ?"', "the same"),
    ("Store.code_team", '"WHERE C.CODE_HASH = ? AND C.WAVE_ID = ?"', "the same"),
    ("Store.issue_codes", '"insert into codes (code_hash', "the same"),
    ("Store.issue_codes", '"INSERT INTO CODES (CODE_HASH', "the same"),
]

for _k, (_name, _text, _reason) in enumerate(EQUIVALENT):    # "the same": the reason of the entry above
    if _reason == "the same":
        EQUIVALENT[_k] = (_name, _text, EQUIVALENT[_k - 1][2])

KILLED = {1, 3}
TIMEOUT = {36, 24, -24, 152, 255}
SURVIVED = {0}


def status(code) -> str:
    if code in KILLED:
        return "killed"
    if code in TIMEOUT:
        return "timeout"
    if code in SURVIVED:
        return "survived"
    return {None: "not checked", 5: "no tests", 33: "no tests"}.get(code, f"other ({code})")


def copy_tree(target: Path) -> None:
    def ignore(folder, names):
        skip = {".venv", ".git", "__pycache__", "mutants", ".hypothesis", ".pytest_cache", "build"}
        out = [n for n in names if n in skip]
        if Path(folder).resolve() == HERE:
            out.append("results")
        return out
    shutil.copytree(ROOT, target, symlinks=True, ignore=ignore)


def fence(path: Path, cls: str, method: str, keep_test: str) -> list[tuple[int, int]]:
    """Fence off every line of `cls.method` except its `if <keep_test>:` blocks, in the copy: a trailing
    `# pragma: no mutate` on each line that can take a comment (not inside a string). Returns the kept
    blocks' line ranges (the file's line numbers do not change)."""
    source = path.read_text("utf-8")
    tree = ast.parse(source)
    node = next(f for c in tree.body if isinstance(c, ast.ClassDef) and c.name == cls
                for f in c.body if isinstance(f, ast.FunctionDef) and f.name == method)
    kept = [(n.lineno, n.end_lineno) for n in ast.walk(node) if isinstance(n, ast.If) and ast.unparse(n.test) == keep_test]
    if not kept:
        raise SystemExit(f"{cls}.{method} has no `if {keep_test}:` block any more; update GROUPS in {__file__}")
    ends = {}          # line -> column where the line's code ends (a NEWLINE/NL token, or a comment)
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        if token.type in (tokenize.NEWLINE, tokenize.NL) and node.lineno < token.start[0] <= node.end_lineno:
            ends.setdefault(token.start[0], token.start[1])
        if token.type == tokenize.COMMENT:
            ends[token.start[0]] = token.end[1]
    lines = source.splitlines(keepends=True)
    for number in range(node.body[0].lineno, node.end_lineno + 1):
        if number not in ends or any(a <= number <= b for a, b in kept):
            continue
        line = lines[number - 1]
        code = line[:ends[number]].rstrip()          # up to the end of any comment already there
        if not code.strip() or code.lstrip().startswith("#"):
            continue
        lines[number - 1] = code + "  # pragma: no mutate" + line[ends[number]:]
    path.write_text("".join(lines), "utf-8")
    ast.parse("".join(lines))
    return kept


def configure(copy: Path, group: dict, pytest_args: list[str]) -> None:
    text = (copy / "pyproject.toml").read_text("utf-8")
    text = text.split("\n[tool.mutmut]\n")[0].rstrip("\n") + "\n"
    # mutmut hands pytest the node ids it collected; ids such as "[1 – Instämmer inte alls]" are only found
    # again when pytest does not escape them (the copy only)
    ini = "[tool.pytest.ini_options]\n"
    option = "disable_test_id_escaping_and_forfeit_all_rights_to_community_support = true\n"
    if option not in text:
        text = text.replace(ini, ini + option, 1)
    text += "\n[tool.mutmut]\n" + "\n".join(f"{k} = {json.dumps(v)}" for k, v in {
        "source_paths": ["assessment/"],
        "only_mutate": group["files"],
        "also_copy": ["surveys/", "notebooks/", "benchmarks/"],
        "pytest_add_cli_args": ["-q", "-p", "no:cacheprovider", *pytest_args],
        "pytest_add_cli_args_test_selection": group["tests"],
        "use_git_change_detection": False,
        # mutmut reads a trailing pragma only where a statement starts; `fence` marks every line, so name them too
        "do_not_mutate_patterns": ["# pragma: no mutate$"],
    }.items()) + "\n"
    (copy / "pyproject.toml").write_text(text, "utf-8")
    tomllib.loads(text)


def results(copy: Path, patterns: list[str]) -> dict[str, object]:
    out = {}
    for meta in sorted((copy / "mutants").rglob("*.py.meta")):
        for name, code in json.loads(meta.read_text("utf-8"))["exit_code_by_key"].items():
            if any(fnmatch.fnmatchcase(name, p) for p in patterns):
                out[name] = code
    return out


def mutmut(copy: Path, args: list[str], log) -> int:
    log.write(f"\n$ mutmut {' '.join(args[:3])}{' ...' if len(args) > 3 else ''}\n")
    log.flush()
    return subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=copy, stdout=log, stderr=subprocess.STDOUT,
                          env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}).returncode


def run_group(name: str, group: dict, work: Path, max_children: int, log) -> dict:
    copy = work / name
    copy_tree(copy)
    kept = None
    if group.get("fence"):
        file, cls, method, keep = group["fence"]
        kept = fence(copy / file, cls, method, keep)
    # mutmut copies only files, not the symlinked folders of assessment/_shipped: make them in the copy
    (copy / "mutants" / "assessment").mkdir(parents=True)
    shutil.copytree(copy / "assessment" / "_shipped", copy / "mutants" / "assessment" / "_shipped", symlinks=True)
    configure(copy, group, group["fast"])
    started = time.monotonic()
    code = mutmut(copy, ["run", "--max-children", str(max_children), *group["functions"]], log)
    first = results(copy, group["functions"])
    if code != 0 or not first:
        raise SystemExit(f"mutmut failed for {name} (exit {code}); see the log")
    final = dict(first)
    survivors = [m for m, c in first.items() if status(c) in ("survived", "no tests")]
    if group["slow"] and survivors:
        configure(copy, group, group["slow"])
        mutmut(copy, ["run", "--max-children", str(max_children), *survivors], log)
        second = results(copy, survivors)
        final.update({m: second.get(m) for m in survivors})
    diffs = {}
    for mutant, code in final.items():
        if status(code) != "killed" and status(code) != "timeout":
            shown = subprocess.run([sys.executable, "-m", "mutmut", "show", mutant], cwd=copy,
                                   capture_output=True, text=True)
            diffs[mutant] = shown.stdout.strip()
    known = {m: reason for m, d in diffs.items() if (reason := equivalent(m, d))}
    return {"status": {m: status(c) for m, c in final.items()}, "first_pass": {m: status(c) for m, c in first.items()},
            "diffs": diffs, "equivalent": known, "seconds": round(time.monotonic() - started), "kept_lines": kept}


def function_of(mutant: str) -> str:
    """'assessment.store.xǁStoreǁissue_codes__mutmut_3' -> 'Store.issue_codes'."""
    name = mutant.split(".", 2)[2].rsplit("__mutmut_", 1)[0][1:]
    return name.strip("ǁ").replace("ǁ", ".") if "ǁ" in name else name[1:]


def equivalent(mutant: str, diff: str) -> str | None:
    """The reason a survivor is an equivalent mutant, when it is a known one."""
    lines = diff.splitlines()
    added = "\n".join(line[1:].strip() for line in lines if line.startswith("+") and not line.startswith("+++"))
    removed = "\n".join(line[1:].strip() for line in lines if line.startswith("-") and not line.startswith("---"))
    function = function_of(mutant)
    def matches(text):   # "-= X": the mutated line was X; "=> X": the diff ends with X; else X is in the new line
        if text.startswith("-= "):
            return removed == text[3:]
        return f"{removed} => {added}".endswith(text[3:]) if text.startswith("=> ") else text in added
    return next((reason for name, text, reason in EQUIVALENT if name == function and matches(text)), None)


def module_of(mutant: str) -> str:
    return "assessment/" + mutant.split(".")[1] + ".py"


def table(report: dict) -> str:
    rows = ["| group | module | mutants | killed | timeout | survived | of which equivalent | score | score without "
            "equivalents |", "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for group, data in report.items():
        by_module: dict[str, Counter] = {}
        for mutant, state in data["status"].items():
            counts = by_module.setdefault(module_of(mutant), Counter())
            counts[state] += 1
            if mutant in data.get("equivalent", {}):
                counts["equivalent"] += 1
        for module, counts in sorted(by_module.items()):
            total = sum(v for k, v in counts.items() if k != "equivalent")
            caught = counts["killed"] + counts["timeout"]
            survived = total - caught
            score = caught / total if total else float("nan")
            real = total - counts["equivalent"]
            rows.append(f"| {group} | {module} | {total} | {counts['killed']} | {counts['timeout']} | {survived} | "
                        f"{counts['equivalent']} | {score:.1%} | {caught / real if real else float('nan'):.1%} |")
    return "\n".join(rows)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--groups", default=",".join(GROUPS), help=f"comma-separated, of {', '.join(GROUPS)}")
    parser.add_argument("--max-children", type=int, default=2, help="mutants run at once (default 2)")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a new temporary one)")
    parser.add_argument("--keep", action="store_true", help="keep the scratch copies (to inspect with mutmut show)")
    args = parser.parse_args(argv)
    groups = [g.strip() for g in args.groups.split(",") if g.strip()]
    unknown = [g for g in groups if g not in GROUPS]
    if unknown:
        parser.error(f"unknown group(s) {', '.join(unknown)}; use {', '.join(GROUPS)}")
    from importlib.metadata import PackageNotFoundError, version
    try:
        tool = f"mutmut {version('mutmut')}"
    except PackageNotFoundError:
        parser.error("mutmut is not installed: pip install -e '.[test]'")
    work = args.work or Path(tempfile.mkdtemp(prefix="osa-mutation-"))
    work.mkdir(parents=True, exist_ok=True)
    args.out.mkdir(parents=True, exist_ok=True)
    report = {}
    with open(args.out / "mutation.log", "w", encoding="utf-8") as log:
        try:
            for name in groups:
                print(f"{name}: running mutmut ...", flush=True)
                report[name] = run_group(name, GROUPS[name], work, args.max_children, log)
                print(f"{name}: done in {report[name]['seconds']} s", flush=True)
        finally:
            if not args.keep and args.work is None:
                shutil.rmtree(work, ignore_errors=True)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "assessment"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip())
    when = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    print(f"\nMutation score, {when}, {tool}, Python {platform.python_version()}, commit {commit}"
          f"{' + uncommitted changes to assessment/' if dirty else ''}\n")
    text = table(report)
    print(text)
    survivors = [(g, m, d) for g, data in report.items() for m, d in data["diffs"].items()]
    print(f"\n{len(survivors)} mutant(s) not killed" + (":" if survivors else "."))
    for group, mutant, _ in survivors:
        reason = report[group]["equivalent"].get(mutant)
        print(f"  {group}: {mutant} ({report[group]['status'][mutant]}"
              f"{'; equivalent: ' + reason if reason else ''})")
    with open(args.out / "mutation-survivors.txt", "w", encoding="utf-8") as handle:
        for group, mutant, diff in survivors:
            reason = report[group]["equivalent"].get(mutant)
            handle.write(f"## {group}: {mutant} ({report[group]['status'][mutant]}"
                         f"{'; equivalent: ' + reason if reason else ''})\n{diff}\n\n")
    (args.out / "mutation.json").write_text(json.dumps({"when": when, "tool": tool, "commit": commit, "dirty": dirty,
                                                        "groups": report}, indent=1, ensure_ascii=False), "utf-8")
    (args.out / "mutation.txt").write_text(text + "\n", "utf-8")
    print(f"\nwritten: {args.out / 'mutation.json'}, {args.out / 'mutation-survivors.txt'} (diffs)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
