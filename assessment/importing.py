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

import numpy as np
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


def read_table(path, encoding: str | None = None, sheet=0, raw: bytes | None = None) -> tuple[pd.DataFrame, int]:
    """A CSV or XLSX file as a table of strings, and the file row number of its first data row."""
    path = Path(path)
    if raw is None:
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


def _stripped(column: pd.Series) -> pd.Series:
    """The column as text without surrounding spaces. An answer column holds a handful of distinct
    texts, so they are checked once each rather than stripped cell by cell."""
    column = column.fillna("").astype(str)
    if all(text == text.strip() for text in column.unique()):
        return column
    return column.str.strip()


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
    if not path.exists():
        raise AssessmentError(f"{path}: no such file; check the path")
    raw = path.read_bytes()
    sha = hashlib.sha256(raw).hexdigest()
    if raw and store.was_imported(wave, sha):
        result.already_imported = True
        return result
    table, first_row = read_table(path, encoding=encoding, raw=raw)
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

    # ---- every cell checked column by column (vectorised), problems collected by row
    found: list[tuple[int, str]] = []
    n_rows = len(table)
    rownums = np.arange(first_row, first_row + n_rows)
    text = {h: _stripped(table[h]) for h in headers}
    empty_row = np.logical_and.reduce([text[h].eq("").to_numpy() for h in headers]) if headers else np.ones(0, bool)

    team = text[team_col].map(lambda t: mapping.teams.get(t, t)) if mapping.teams else text[team_col]
    known_teams = set(store.team_names())
    missing_team = team.eq("").to_numpy() & ~empty_row
    for r in np.flatnonzero(missing_team):
        found.append((rownums[r], f"row {rownums[r]}, column {team_col!r}: no team given"))
    unknown_mask = ~team.isin(known_teams).to_numpy() & ~missing_team & ~empty_row
    new_teams = list(dict.fromkeys(team[unknown_mask])) if add_teams else []
    if not add_teams:
        for r in np.flatnonzero(unknown_mask):
            found.append((rownums[r], f"row {rownums[r]}, column {team_col!r}: unknown team {team.iat[r]!r}; add it with "
                                      f"`assessment teams WORKSPACE --add {team.iat[r]!r}` or import with --add-teams"))

    extra_values = {_norm(k): v for k, v in mapping.values.items()}
    items = list(dict.fromkeys(item_cols.values()))
    values = np.full((n_rows, len(items)), np.nan)
    for header, item_id in item_cols.items():
        rs = template.item(item_id).response_scale
        parsed, bad = _parse_column(text[header], rs, extra_values)
        values[:, items.index(item_id)] = parsed
        bad &= ~empty_row
        for r in np.flatnonzero(bad)[:200]:
            found.append((rownums[r], f"row {rownums[r]}, column {header!r}: {text[header].iat[r]!r} is not an answer "
                                      f"on the {rs.low}-{rs.high} scale; use a number from {rs.low} to {rs.high} or one "
                                      "of its labels"))
    comment_frames = []
    for header, comment_id in comment_cols.items():
        has = text[header].ne("").to_numpy() & ~empty_row
        comment_frames.append(pd.DataFrame({"row": np.flatnonzero(has), "question": comment_id,
                                            "text": text[header].to_numpy()[has]}))
    has_comment = np.zeros(n_rows, bool)
    for frame in comment_frames:
        has_comment[frame["row"].to_numpy(dtype=int)] = True
    no_answers = np.isnan(values).all(axis=1) & ~has_comment & ~empty_row
    for r in np.flatnonzero(no_answers):
        found.append((rownums[r], f"row {rownums[r]}: no answers; remove the row"))

    languages = None
    if lang_col:
        languages = text[lang_col].where(text[lang_col].ne(""), None).to_numpy(dtype=object)
        wrong = np.array([l is not None and l not in template.languages for l in languages]) & ~empty_row
        for r in np.flatnonzero(wrong):
            found.append((rownums[r], f"row {rownums[r]}, column {lang_col!r}: language {languages[r]!r} is not one of "
                                      f"{', '.join(template.languages)}"))

    if resp_col:
        ids = text[resp_col]
        for r in np.flatnonzero(ids.eq("").to_numpy() & ~empty_row):
            found.append((rownums[r], f"row {rownums[r]}, column {resp_col!r}: no respondent id"))
        repeated = ids.duplicated(keep="first").to_numpy() & ids.ne("").to_numpy()
        first_seen = {}
        for r, value in enumerate(ids):
            first_seen.setdefault(value, r)
        for r in np.flatnonzero(repeated):
            found.append((rownums[r], f"row {rownums[r]}, column {resp_col!r}: respondent {ids.iat[r]!r} also answered "
                                      f"in row {rownums[first_seen[ids.iat[r]]]}; keep one of the rows"))
        source_ids = ids.tolist()
    else:
        # no id column: a row's content (and how often the same content came before) identifies it,
        # so a re-export with more rows adds only the new ones
        content = text[headers[0]].copy()
        for h in headers[1:]:
            content = content + "\x1f" + text[h]
        occurrence = content.groupby(content).cumcount() + 1
        source_ids = [f"row:{hashlib.sha256(c.encode()).hexdigest()}:{k}" for c, k in zip(content, occurrence)]
    if found:
        found.sort(key=lambda p: p[0])
        raise ImportRejected(path, [message for _, message in found])

    keys = store.respondent_keys(wave, source_ids)
    existing = store.existing_keys(wave)
    stored_before = np.array([k in existing for k in keys], dtype=bool)
    result.skipped = int((stored_before & ~empty_row).sum())
    keep = ~empty_row & ~stored_before
    if not keep.any():
        result.warnings.append("no new responses in the file")
        return result
    positions = np.flatnonzero(keep)
    matrix = pd.DataFrame(values[positions], columns=items)
    matrix.insert(0, "team", team.to_numpy()[positions])
    renumber = np.full(n_rows, -1)
    renumber[positions] = np.arange(len(positions))
    comments = pd.concat(comment_frames, ignore_index=True) if comment_frames else pd.DataFrame(
        columns=["row", "question", "text"])
    comments = comments[keep[comments["row"].to_numpy(dtype=int)]] if len(comments) else comments
    comments = comments.assign(row=renumber[comments["row"].to_numpy(dtype=int)],
                               team=team.to_numpy()[comments["row"].to_numpy(dtype=int)] if len(comments) else [])
    # new teams, answers, comments and the import record go in one transaction
    store.add_answer_matrix(wave, matrix, comments, source="import", keys=[keys[p] for p in positions],
                            languages=None if languages is None else list(languages[positions]),
                            import_record=(sha, path.name), new_teams=new_teams)
    result.stored = len(positions)
    result.answers = int((~np.isnan(values[positions])).sum())
    result.comments = len(comments)
    result.new_teams = new_teams
    return result


_NUMBER = re.compile(r"^(-?\d{1,9})(?:[.,]0+)?(?:\s*[-–:.)]\s*.*)?$")


def _parse_column(column: pd.Series, rs, extra: dict) -> tuple[np.ndarray, np.ndarray]:
    """Answers of one column as numbers (NaN where blank) and a mask of cells that are not answers.

    A cell may be a number ("4", "4.0"), a number with its label ("4 - Agree"), a label of the
    response scale in any language, or a text from the mapping file's `values`. Each distinct text
    is parsed once, so a column of a million cells costs a dictionary look-up per cell."""
    labels = {}
    for lang_labels in rs.labels.values():
        for value, label in zip(rs.values, lang_labels):
            labels.setdefault(_norm(label), value)
    lookup = {}
    for text in column.unique():
        key = _norm(text)
        if key == "":
            lookup[text] = np.nan
            continue
        if key in extra:
            value = extra[key]
        elif key in labels:
            value = labels[key]
        else:
            match = _NUMBER.match(text)
            value = int(match.group(1)) if match else None
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = None
        lookup[text] = float(value) if value is not None and rs.low <= value <= rs.high else -np.inf
    numbers = column.map(lookup).to_numpy(dtype="float64", copy=True)
    bad = np.isneginf(numbers)
    numbers[bad] = np.nan
    return numbers, bad


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
