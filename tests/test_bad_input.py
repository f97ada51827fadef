"""Property-based tests: malformed templates, answer files and form values get the kit's own error,
naming where and what, and leave the store byte-for-byte as it was."""

from __future__ import annotations

import hashlib
import string
from pathlib import Path

import pandas as pd
import pytest
import yaml
from openpyxl.utils.exceptions import IllegalCharacterError
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assessment.exceptions import AssessmentError, ImportRejected, ResponseRejected, StoreError, TemplateError
from assessment.importing import import_answers
from assessment.store import Response
from assessment.templates import SHIPPED_DIR, load_template
from assessment.workspace import Workspace

SETTINGS = settings(max_examples=int(__import__("os").environ.get("BAD_INPUT_EXAMPLES", "60")), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
BASE = yaml.safe_load((SHIPPED_DIR / "osa-core.yaml").read_text(encoding="utf-8"))
ITEMS = [i["id"] for s in BASE["scales"] for i in s["items"]]


def store_bytes(ws: Workspace) -> str:
    digest = hashlib.sha256()
    for suffix in ("", "-wal"):
        path = Path(str(ws.store.path) + suffix)
        digest.update(path.read_bytes() if path.exists() else b"")
    return digest.hexdigest()


@pytest.fixture
def filled(workspace):
    workspace.store.add_responses("w1", [Response("Platform", {"exp_role": 4}, {"comment_keep": "kept"})])
    return workspace


# ---------------------------------------------------------------- templates

scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                    st.text(max_size=20))
values = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                        st.dictionaries(st.text(max_size=8), inner, max_size=4)),
                      max_leaves=12)


def paths_of(data, prefix=()):
    yield prefix
    if isinstance(data, dict):
        for key, value in data.items():
            yield from paths_of(value, prefix + (key,))
    elif isinstance(data, list):
        for n, value in enumerate(data):
            yield from paths_of(value, prefix + (n,))


ALL_PATHS = [p for p in paths_of(BASE) if p]


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(ALL_PATHS), st.one_of(st.just("delete"), values)), min_size=1, max_size=4))
def test_mutated_template_is_valid_or_gets_a_template_error_naming_the_file(tmp_path, mutations):
    import copy
    data = copy.deepcopy(BASE)
    for path, change in mutations:
        parent = data
        try:
            for key in path[:-1]:
                parent = parent[key]
            if change == "delete":
                del parent[path[-1]]
            else:
                parent[path[-1]] = change
        except (KeyError, IndexError, TypeError):
            continue
    file = tmp_path / "mutated.yaml"
    file.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    try:
        load_template(file)
    except TemplateError as exc:
        assert "mutated.yaml" in str(exc)
        assert all(":" in p for p in exc.problems)


@SETTINGS
@given(st.binary(max_size=400))
def test_random_bytes_as_a_template_get_a_template_error(tmp_path, raw):
    file = tmp_path / "random.yaml"
    file.write_bytes(raw)
    with pytest.raises(TemplateError) as exc:
        load_template(file)
    assert "random.yaml" in str(exc.value)


# ---------------------------------------------------------------- answer files

cells = st.one_of(st.integers(-3, 12).map(str), st.sampled_from(["", "Agree", "Instämmer helt", "4 - Agree", "x",
                                                                  "1e400", "99999999999999999999", "3.5", "NaN", "-"]),
                  st.text(alphabet=string.printable + "åäöÅÄÖ\u2028", max_size=12))
headers = st.one_of(st.sampled_from(ITEMS + ["team", "comment_keep", "respondent", "Timestamp", ""]),
                    st.text(max_size=10))
teams = st.sampled_from(["Platform", "Data", "Sales North", "Nowhere", "", "platform"])


@st.composite
def answer_tables(draw):
    columns = draw(st.lists(headers, min_size=1, max_size=6))
    if draw(st.booleans()):
        columns = ["team", *columns]
    rows = draw(st.lists(st.lists(st.one_of(cells, teams), min_size=len(columns), max_size=len(columns)), max_size=8))
    return columns, rows


@SETTINGS
@given(answer_tables(), st.sampled_from([",", ";", "\t", "|"]), st.sampled_from(["utf-8", "utf-16", "cp1252", "latin-1"]),
       st.sampled_from([".csv", ".xlsx", ".txt", ".xls"]))
def test_any_answer_file_is_stored_whole_or_rejected_with_the_store_unchanged(filled, tmp_path, table, sep, encoding, suffix):
    columns, rows = table
    path = tmp_path / f"answers{suffix}"
    if suffix == ".xlsx":
        assume(len(set(columns)) == len(columns))
        try:
            pd.DataFrame(rows, columns=columns).to_excel(path, index=False)
        except IllegalCharacterError:
            assume(False)   # Excel itself cannot hold control characters
    else:
        text = "\n".join(sep.join(row) for row in [columns, *rows])
        try:
            path.write_bytes(text.encode(encoding))
        except UnicodeEncodeError:
            path.write_bytes(text.encode("utf-8"))
    before = store_bytes(filled)
    answers_before = len(filled.store.answers("w1"))
    try:
        result = import_answers(filled.store, "w1", path)
    except AssessmentError as exc:
        assert isinstance(exc, (ImportRejected, ResponseRejected))
        assert path.name in str(exc) or isinstance(exc, ResponseRejected)
        assert store_bytes(filled) == before
    else:
        assert len(filled.store.answers("w1")) == answers_before + result.answers


@SETTINGS
@given(st.binary(max_size=300), st.sampled_from([".csv", ".xlsx"]))
def test_random_bytes_as_an_answer_file_are_rejected_with_the_store_unchanged(filled, tmp_path, raw, suffix):
    path = tmp_path / f"junk{suffix}"
    path.write_bytes(raw)
    before = store_bytes(filled)
    with pytest.raises(AssessmentError) as exc:
        import_answers(filled.store, "w1", path)
    assert "junk" in str(exc.value)
    assert store_bytes(filled) == before


# ---------------------------------------------------------------- form values

form_values = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(), st.text(max_size=5),
                        st.lists(st.integers(), max_size=2))


@SETTINGS
@given(st.dictionaries(st.one_of(st.sampled_from(ITEMS), st.text(max_size=6)), form_values, max_size=6),
       st.dictionaries(st.sampled_from(["comment_keep", "comment_improve", "bogus"]),
                       st.one_of(st.none(), st.text(max_size=30), st.integers(), st.text(min_size=5001, max_size=5002)),
                       max_size=2),
       st.sampled_from(["Platform", "Data", "Nowhere", ""]), st.sampled_from([None, "en", "sv", "xx"]))
def test_any_form_submission_is_stored_whole_or_rejected_with_the_store_unchanged(filled, answers, comments, team,
                                                                                   language):
    before = store_bytes(filled)
    count = len(filled.store.answers("w1"))
    try:
        filled.store.add_responses("w1", [Response(team, answers, comments, language=language)])
    except (ResponseRejected, StoreError) as exc:
        assert str(exc)
        assert store_bytes(filled) == before
    else:
        stored = sum(v is not None for v in answers.values())
        assert len(filled.store.answers("w1")) == count + stored
        for item, value in answers.items():
            if value is not None:
                assert isinstance(value, int) or float(value).is_integer()
