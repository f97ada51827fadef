"""Import answers exported from other form tools (CSV or XLSX) into a wave.

Columns are matched to items by item id, by the exact question text in any of the template's
languages, or by a mapping file. Every problem is reported by row and column, and a file with any
problem is rejected whole: nothing from it is stored.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from .exceptions import AssessmentError, ImportRejected
from .store import Response, Store

TEAM_COLUMNS = ("team", "Team", "team_name")
RESPONDENT_COLUMNS = ("respondent", "respondent_id", "Respondent", "ResponseId")
LANGUAGE_COLUMNS = ("language", "Language")


@dataclass
class Mapping:
    """How a file's columns map to the template (from a YAML mapping file, all keys optional)."""

    team: str | None = None
    respondent: str | None = None
    language: str | None = None
    columns: dict = field(default_factory=dict)   # file column -> item or open-question id
    ignore: list = field(default_factory=list)    # file columns to leave out (timestamps, e-mail, ...)
    values: dict = field(default_factory=dict)    # answer text -> number
    teams: dict = field(default_factory=dict)     # team name in the file -> team in the store

    @classmethod
    def load(cls, path) -> "Mapping":
        path = Path(path)
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise AssessmentError(f"{path}: cannot read the mapping file ({exc}); it must be UTF-8 YAML") from None
        if not isinstance(data, dict):
            raise AssessmentError(f"{path}: a mapping file is a YAML mapping with keys team, respondent, columns, ignore, values, teams")
        unknown = set(data) - {"team", "respondent", "language", "columns", "ignore", "values", "teams"}
        if unknown:
            raise AssessmentError(f"{path}: unknown key(s) {', '.join(sorted(unknown))}; "
                                  "use team, respondent, language, columns, ignore, values, teams")
        for key, kind in (("columns", dict), ("ignore", list), ("values", dict), ("teams", dict)):
            if key in data and not isinstance(data[key], kind):
                raise AssessmentError(f"{path}: {key} must be a {'mapping' if kind is dict else 'list'}")
        return cls(**{k: v for k, v in data.items() if v is not None})


@dataclass
class ImportResult:
    path: str
    wave: str
    stored: int = 0
    skipped: int = 0
    already_imported: bool = False
    answers: int = 0
    comments: int = 0
    new_teams: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    def summary(self) -> str:
        if self.already_imported:
            return f"{self.path}: already imported into wave {self.wave}; nothing to do"
        text = (f"{self.path}: stored {self.stored} response(s) with {self.answers} answer(s) and "
                f"{self.comments} comment(s) in wave {self.wave}")
        if self.skipped:
            text += f"; {self.skipped} already stored, skipped"
        if self.new_teams:
            text += f"; new teams: {', '.join(self.new_teams)}"
        return text


def _norm(text) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


def read_table(path, encoding: str | None = None, sheet=0) -> tuple[pd.DataFrame, int]:
    """A CSV or XLSX file as a table of strings, and the file row number of its first data row."""
    path = Path(path)
    if not path.exists():
        raise AssessmentError(f"{path}: no such file; check the path")
    raw = path.read_bytes()
    if not raw.strip():
        raise ImportRejected(path, ["the file is empty; export the answers again with a header row"])
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        try:
            table = pd.read_excel(io.BytesIO(raw), sheet_name=sheet, dtype=str, engine="openpyxl")
        except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same user problem
            raise ImportRejected(path, [f"not a readable Excel workbook ({type(exc).__name__}: {exc}); "
                                        "save it again as .xlsx or export CSV"]) from None
        return table, 2
    if path.suffix.lower() in (".xls", ".ods", ".json", ".sav"):
        raise ImportRejected(path, [f"{path.suffix} files are not read; export the answers as CSV (UTF-8) or .xlsx"])
    try:
        text = raw.decode(encoding or "utf-8-sig")
    except (UnicodeDecodeError, LookupError) as exc:
        hint = "" if encoding else " (Excel on Windows often writes cp1252: try --encoding cp1252)"
        where = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
        raise ImportRejected(path, [f"cannot decode the file as {encoding or 'UTF-8'}{where}; save it as UTF-8 "
                                    f"or name its encoding{hint}"]) from None
    if "\x00" in text:
        raise ImportRejected(path, ["the file holds NUL bytes: it is binary, or UTF-16; export it as CSV (UTF-8)"])
    delimiter = _guess_delimiter(text)
    try:
        table = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False,
                            skip_blank_lines=True, engine="python")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error) as exc:
        raise ImportRejected(path, [f"not a readable CSV table ({exc}); check the separator and quotes"]) from None
    return table, 2


def _guess_delimiter(text: str) -> str:
    """The separator (, ; or tab) that splits the first lines into the same number of fields, most fields first.

    Excel in many European locales writes ';', and question texts often contain commas, so the
    standard sniffer (which looks at one line) guesses wrong."""
    lines = text.splitlines()[:20]
    best, best_fields = ",", 1
    for candidate in (",", ";", "\t"):
        try:
            counts = {len(row) for row in csv.reader(lines, delimiter=candidate) if row}
        except csv.Error:
            continue
        if len(counts) == 1 and (fields := counts.pop()) > best_fields:
            best, best_fields = candidate, fields
    return best


def _clean(value) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    return str(value).strip()


def import_answers(store: Store, wave: str, path, mapping: Mapping | None = None, add_teams: bool = False,
                   encoding: str | None = None) -> ImportResult:
    """Validate a whole file against the wave's template, then store it in one transaction."""
    path = Path(path)
    mapping = mapping or Mapping()
    template = store.wave_template(wave)
    result = ImportResult(str(path), wave)
    raw = path.read_bytes() if path.exists() else b""
    sha = hashlib.sha256(raw).hexdigest()
    if raw and store.was_imported(wave, sha):
        result.already_imported = True
        return result
    table, first_row = read_table(path, encoding=encoding)
    problems: list[str] = []
    headers = [str(c).strip() for c in table.columns]
    table.columns = headers
    dupes = [h for h, n in Counter(headers).items() if n > 1]
    if dupes:
        raise ImportRejected(path, [f"column {d!r} appears more than once; give every column its own header" for d in dupes])

    by_text: dict[str, str] = {}
    for item in template.items:
        by_text[_norm(item.id)] = item.id
        for text in item.text.values():
            by_text.setdefault(_norm(text), item.id)
    comment_by_text: dict[str, str] = {}
    for comment in template.comments:
        comment_by_text[_norm(comment.id)] = comment.id
        for text in comment.text.values():
            comment_by_text.setdefault(_norm(text), comment.id)

    team_col = mapping.team or next((c for c in headers if c in TEAM_COLUMNS), None)
    resp_col = mapping.respondent or next((c for c in headers if c in RESPONDENT_COLUMNS), None)
    lang_col = mapping.language or next((c for c in headers if c in LANGUAGE_COLUMNS), None)
    if team_col is None or team_col not in headers:
        problems.append(f"no team column: name a column 'team', or give its header as `team:` in a mapping file "
                        f"(columns found: {', '.join(headers)})")
    if mapping.respondent and mapping.respondent not in headers:
        problems.append(f"respondent column {mapping.respondent!r} (from the mapping file) is not in the file")
    item_cols: dict[str, str] = {}
    comment_cols: dict[str, str] = {}
    unmapped = []
    for header in headers:
        if header in (team_col, resp_col, lang_col) or header in mapping.ignore:
            continue
        target = mapping.columns.get(header)
        if target is not None:
            if target in {i.id for i in template.items}:
                item_cols[header] = target
            elif target in {c.id for c in template.comments}:
                comment_cols[header] = target
            else:
                problems.append(f"column {header!r}: the mapping file maps it to {target!r}, which is not an item or "
                                "open question of the template")
        elif _norm(header) in by_text:
            item_cols[header] = by_text[_norm(header)]
        elif _norm(header) in comment_by_text:
            comment_cols[header] = comment_by_text[_norm(header)]
        else:
            unmapped.append(header)
    if unmapped:
        problems.append(f"column(s) {', '.join(repr(u) for u in unmapped)} match no item: map each to an item id under "
                        "`columns:` or list it under `ignore:` in a mapping file (--mapping)")
    for target, n in Counter(item_cols.values()).items():
        if n > 1:
            problems.append(f"item {target!r} is given by {n} columns: "
                            f"{', '.join(h for h, t in item_cols.items() if t == target)}; keep one")
    if not item_cols and not problems:
        problems.append("no column matches an item of the template; use item ids or question texts as headers, "
                        "or a mapping file")
    if problems:
        raise ImportRejected(path, problems)
    missing_items = [i for i in template.item_ids if i not in item_cols.values()]
    if missing_items:
        result.warnings.append(f"{len(missing_items)} item(s) of the template are not in the file: {', '.join(missing_items)}")

    labels: dict[str, dict[str, int]] = {}
    for item in template.items:
        rs = item.response_scale
        table_for_rs = labels.setdefault(rs.id, {})
        for lang_labels in rs.labels.values():
            for value, label in zip(rs.values, lang_labels):
                table_for_rs.setdefault(_norm(label), value)
    extra_values = {_norm(k): v for k, v in mapping.values.items()}

    known_teams = set(store.team_names())
    existing = store.existing_keys(wave)
    responses: list[Response] = []
    seen_ids: dict[str, int] = {}
    seen_rows: Counter = Counter()
    new_teams: list[str] = []
    for position, row in enumerate(table.itertuples(index=False, name=None)):
        record = dict(zip(headers, row))
        rownum = first_row + position
        if all(_clean(v) == "" for v in record.values()):
            continue
        team = _clean(record.get(team_col))
        team = mapping.teams.get(team, team)
        row_problems = []
        if not team:
            row_problems.append(f"row {rownum}, column {team_col!r}: no team given")
        elif team not in known_teams:
            if add_teams:
                if team not in new_teams:
                    new_teams.append(team)
            else:
                row_problems.append(f"row {rownum}, column {team_col!r}: unknown team {team!r}; add it with "
                                    f"`assessment teams WORKSPACE --add {team!r}` or import with --add-teams")
        answers = {}
        for header, item_id in item_cols.items():
            text = _clean(record.get(header))
            if text == "":
                answers[item_id] = None
                continue
            rs = template.item(item_id).response_scale
            value = _parse_value(text, rs, labels[rs.id], extra_values)
            if value is None:
                row_problems.append(f"row {rownum}, column {header!r}: {text!r} is not an answer on the "
                                    f"{rs.low}-{rs.high} scale; use a number from {rs.low} to {rs.high} or one of its labels")
            else:
                answers[item_id] = value
        comments = {cid: _clean(record.get(header)) for header, cid in comment_cols.items()
                    if _clean(record.get(header))}
        language = _clean(record.get(lang_col)) or None if lang_col else None
        if language is not None and language not in template.languages:
            row_problems.append(f"row {rownum}, column {lang_col!r}: language {language!r} is not one of "
                                f"{', '.join(template.languages)}")
        if not any(v is not None for v in answers.values()) and not comments:
            row_problems.append(f"row {rownum}: no answers; remove the row")
        if resp_col:
            source_id = _clean(record.get(resp_col))
            if not source_id:
                row_problems.append(f"row {rownum}, column {resp_col!r}: no respondent id")
            elif source_id in seen_ids:
                row_problems.append(f"row {rownum}, column {resp_col!r}: respondent {source_id!r} also answered in "
                                    f"row {seen_ids[source_id]}; keep one of the rows")
            else:
                seen_ids[source_id] = rownum
        else:
            # no id column: a row's content (and how often the same content came before) identifies it,
            # so a re-export with more rows adds only the new ones
            content = "\x1f".join(_clean(v) for v in row)
            seen_rows[content] += 1
            source_id = f"row:{hashlib.sha256(content.encode()).hexdigest()}:{seen_rows[content]}"
        if row_problems:
            problems += row_problems
            continue
        key = store.respondent_key(wave, source_id)
        if key in existing:
            result.skipped += 1
            continue
        responses.append(Response(team=team, answers=answers, comments=comments, respondent=source_id,
                                  language=language, source="import"))
    if problems:
        raise ImportRejected(path, problems)
    if not responses:
        result.warnings.append("no new responses in the file")
        return result
    # new teams and the answers go in one transaction: a failed import leaves no new team behind
    store.add_responses(wave, responses, import_record=(sha, path.name), new_teams=new_teams)
    result.stored = len(responses)
    result.answers = sum(sum(v is not None for v in r.answers.values()) for r in responses)
    result.comments = sum(len(r.comments) for r in responses)
    result.new_teams = new_teams
    return result


def _parse_value(text: str, rs, labels: dict, extra: dict):
    key = _norm(text)
    if key in extra:
        value = extra[key]
    elif key in labels:
        return labels[key]
    else:
        # "4", "4.0", "4 - Agree" (a number followed by its label)
        match = re.match(r"^(-?\d+)(?:[.,]0+)?(?:\s*[-–:.)]\s*.*)?$", text.strip())
        if not match:
            return None
        value = int(match.group(1))
    try:
        value = int(value)
    except (TypeError, ValueError):
        return None
    return value if rs.low <= value <= rs.high else None


def import_teams(store: Store, path, wave: str | None = None) -> int:
    """Read a teams file (CSV/XLSX with columns team, parent and optionally headcount) into the store.

    Teams and their parents are added in one transaction; headcounts are set for `wave` when given."""
    path = Path(path)
    table, first_row = read_table(path)
    table.columns = [str(c).strip().lower() for c in table.columns]
    if "team" not in table.columns:
        raise ImportRejected(path, [f"no 'team' column (columns found: {', '.join(table.columns)}); "
                                    "a teams file has columns team, parent, headcount"])
    problems, pairs, counts = [], [], {}
    for position, record in enumerate(table.to_dict("records")):
        rownum = first_row + position
        team = _clean(record.get("team"))
        if not team:
            problems.append(f"row {rownum}, column 'team': no team name")
            continue
        pairs.append((team, _clean(record.get("parent")) or None))
        count = _clean(record.get("headcount"))
        if count:
            if not re.fullmatch(r"\d+", count):
                problems.append(f"row {rownum}, column 'headcount': {count!r} is not a whole number of people")
            else:
                counts[team] = int(count)
    if counts and wave is None:
        problems.append("the file has headcounts; name the wave they are for (--wave)")
    if problems:
        raise ImportRejected(path, problems)
    store.add_teams(pairs)
    if counts:
        store.set_headcounts(wave, counts)
    return len(pairs)
