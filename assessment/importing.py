"""Import answers exported from other form tools (CSV or XLSX) into a wave.

Columns are matched to items by item id, by the exact question text in any of the template's
languages, or by a mapping file. Every problem is reported by row and column, and a file with any
problem is rejected whole: nothing from it is stored.
"""

from __future__ import annotations

import codecs
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
from ._names import QUOTE_WIDTH, quote, short
from .store import COMMENT_LIMIT, Response, Store, comment_too_long

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


def _listed(names, most: int = 30) -> str:
    """Header names for an error: each cut to a readable length, at most `most` of them."""
    names = [short(n) for n in names]
    return ", ".join(names[:most]) + (f", … ({len(names) - most} more)" if len(names) > most else "")


def _add_argument(team: str) -> str:
    """The team name as the CLI's --add argument in a hint; a placeholder for a name too long to quote whole."""
    return repr(team) if len(team) <= QUOTE_WIDTH else "'TEAM NAME'"


def _norm(text) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


_CHUNK_ROWS = 5_000   # rows validated at a time: a large file is never held as one table of strings
_HEAD_BYTES = 1 << 20  # bytes decoded at a time when checking the encoding


class TableFile:
    """A CSV or XLSX export, checked up front (exists, not empty, decodable, no NUL bytes, separator)
    and then read a block of rows at a time, so that a file of a million rows costs a block of
    strings in memory rather than the whole table."""

    def __init__(self, path, encoding: str | None = None, sheet=0, raw: bytes | None = None):
        self.path = Path(path)
        self.encoding = encoding
        self.raw = raw
        self.first_row = 2          # file row number of the first data row (row 1 is the header)
        if raw is None and not self.path.exists():
            raise AssessmentError(f"{self.path}: no such file; check the path")
        suffix = self.path.suffix.lower()
        if suffix in (".xls", ".ods", ".json", ".sav"):
            raise ImportRejected(self.path, [f"{suffix} files are not read; export the answers as CSV (UTF-8) or .xlsx"])
        self._excel = None
        if suffix in (".xlsx", ".xlsm"):
            data = raw if raw is not None else self.path.read_bytes()
            if not data.strip():
                raise ImportRejected(self.path, ["the file is empty; export the answers again with a header row"])
            try:
                self._excel = pd.read_excel(io.BytesIO(data), sheet_name=sheet, dtype=str, engine="openpyxl")
            except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same user problem
                raise ImportRejected(self.path, [f"not a readable Excel workbook ({type(exc).__name__}: {exc}); "
                                                 "save it again as .xlsx or export CSV"]) from None
            self.columns = [str(c) for c in self._excel.columns]
            return
        head = self._check_text()
        lines = head.splitlines(keepends=True)
        self.skip = next((k for k, line in enumerate(lines) if line.strip()), 0)   # blank lines above the header
        self.first_row += self.skip
        head = "".join(lines[self.skip:])
        self.delimiter = _guess_delimiter(head)
        try:
            header = next(csv.reader(io.StringIO(head, newline=""), delimiter=self.delimiter), [])
        except csv.Error as exc:
            raise ImportRejected(self.path, [f"row {self.first_row - 1}: the header row cannot be read as CSV ({exc}); "
                                             "export the answers again, or open and save the file as CSV"]) from None
        parsed = self._read(nrows=0).columns  # the header as the parser sees it, or a clear error
        # pandas renames a repeated header ("a", "a.1"); the file's own names let a repeat be reported
        self.columns = header if len(header) == len(parsed) else [str(c) for c in parsed]

    def _open(self):
        return io.BytesIO(self.raw) if self.raw is not None else open(self.path, "rb")

    def _check_text(self) -> str:
        """Decode the whole file piece by piece (nothing kept but its first lines): a wrong encoding
        or a binary file is reported before any row is read. Returns the first lines."""
        name = self.encoding or "utf-8-sig"
        try:
            decoder = codecs.getincrementaldecoder(name)()
        except LookupError:
            raise ImportRejected(self.path, [f"unknown encoding {quote(name)}; name one such as utf-8 or cp1252"]) from None
        head, blank, offset = [], True, 0
        with self._open() as stream:
            while True:
                piece = stream.read(_HEAD_BYTES)
                try:
                    text = decoder.decode(piece, final=not piece)
                except UnicodeDecodeError as exc:
                    pending = len(decoder.getstate()[0])   # bytes of the previous piece not yet decoded
                    if offset == 0 and piece[:2] in (b"\xff\xfe", b"\xfe\xff"):
                        hint = " (it starts like UTF-16: export it as UTF-8, or try --encoding utf-16)"
                    else:
                        hint = "" if self.encoding else " (Excel on Windows often writes cp1252: try --encoding cp1252)"
                    raise ImportRejected(self.path, [
                        f"cannot decode the file as {self.encoding or 'UTF-8'} at byte {offset - pending + exc.start}; "
                        f"save it as UTF-8 or name its encoding{hint}"]) from None
                if "\x00" in text:
                    raise ImportRejected(self.path, ["the file holds NUL bytes: it is binary, or UTF-16; "
                                                     "export it as CSV (UTF-8)"])
                blank = blank and not text.strip()
                if sum(t.count("\n") for t in head) <= 40:
                    head.append(text)
                offset += len(piece)
                if not piece:
                    break
        if blank:
            raise ImportRejected(self.path, ["the file is empty; export the answers again with a header row"])
        return "".join(head)

    def _read(self, **options):
        try:
            # a path, not an open file: pandas closes what it opens itself
            source = io.BytesIO(self.raw) if self.raw is not None else self.path
            return pd.read_csv(source, sep=self.delimiter, dtype=str, keep_default_na=False,
                               skip_blank_lines=False, engine="c", encoding=self.encoding or "utf-8-sig",
                               encoding_errors="strict", skiprows=self.skip, **options)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, csv.Error, ValueError) as exc:
            raise ImportRejected(self.path, [f"not a readable CSV table ({exc}); check the separator and quotes"]) from None

    def chunks(self, rows: int | None = None):
        """The data rows as tables of strings, `rows` at a time (blank lines are rows of empty cells,
        so positions match file rows)."""
        if self._excel is not None:
            yield self._excel
            return
        reader = self._read(chunksize=rows or _CHUNK_ROWS)
        with reader:
            while True:
                try:
                    chunk = next(reader)
                except StopIteration:
                    return
                except (pd.errors.ParserError, csv.Error, ValueError) as exc:
                    raise ImportRejected(self.path, [f"not a readable CSV table ({exc}); check the separator and "
                                                     "quotes"]) from None
                if not isinstance(chunk.index, pd.RangeIndex):
                    raise ImportRejected(self.path, [f"the rows have more fields than the header row "
                                                     f"({len(self.columns)}); check the separator and quotes, or "
                                                     "give every column a header"])
                chunk.columns = self.columns
                yield chunk


def read_table(path, encoding: str | None = None, sheet=0, raw: bytes | None = None) -> tuple[pd.DataFrame, int]:
    """A (small) CSV or XLSX file as one table of strings, and the file row number of its first data row."""
    source = TableFile(path, encoding=encoding, sheet=sheet, raw=raw)
    chunks = list(source.chunks())
    table = pd.concat(chunks, ignore_index=True) if chunks else pd.DataFrame(columns=source.columns, dtype=str)
    return table, source.first_row


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
    """Validate a whole file against the wave's template, then store it in one transaction.

    The file is read and checked a block of rows at a time; only the answers (as a float32 matrix),
    team codes, respondent keys and comments are kept, so memory stays near the size of the answers."""
    path = Path(path)
    mapping = mapping or Mapping()
    template = store.wave_template(wave)
    result = ImportResult(str(path), wave)
    if not path.exists():
        raise AssessmentError(f"{path}: no such file; check the path")
    with open(path, "rb") as stream:
        sha = hashlib.file_digest(stream, "sha256").hexdigest()
    if path.stat().st_size and store.was_imported(wave, sha):
        result.already_imported = True
        return result
    source = TableFile(path, encoding=encoding)
    columns = _match_columns(path, source.columns, template, mapping)
    missing_items = [i for i in template.item_ids if i not in columns.items.values()]
    if missing_items:
        result.warnings.append(f"{len(missing_items)} item(s) of the template are not in the file: {', '.join(missing_items)}")

    checked = _CheckedRows(store, wave, template, mapping, columns, add_teams)
    for chunk in source.chunks():
        checked.add(chunk, source.first_row)
    if checked.found:
        checked.found.sort(key=lambda p: p[0])
        raise ImportRejected(path, [message for _, message in checked.found])

    values, team, empty_row, keys, languages = checked.arrays()
    existing = store.existing_keys(wave)
    stored_before = (np.fromiter((k in existing for k in keys), dtype=bool, count=len(keys)) if existing
                     else np.zeros(len(keys), bool))
    result.skipped = int((stored_before & ~empty_row).sum())
    keep = ~empty_row & ~stored_before
    if not keep.any():
        result.warnings.append("no new responses in the file")
        return result
    positions = np.flatnonzero(keep)
    if len(positions) < len(keep):
        values, team = values[positions], team[positions]
        keys = [keys[p] for p in positions.tolist()]
        languages = None if languages is None else languages[positions]
    renumber = np.full(len(keep), -1)
    renumber[positions] = np.arange(len(positions))
    comments = checked.comments()
    if len(comments):
        rows = comments["row"].to_numpy(dtype=int)
        comments = comments[keep[rows]]
        rows = comments["row"].to_numpy(dtype=int)
        comments = comments.assign(row=renumber[rows], team=team[renumber[rows]])
    # new teams, answers, comments and the import record go in one transaction
    store.add_answer_array(wave, team, checked.items, values, comments, source="import", keys=keys,
                           languages=None if languages is None else list(languages),
                           import_record=(sha, path.name), new_teams=checked.new_teams)
    result.stored = len(positions)
    result.answers = int((~np.isnan(values)).sum())
    result.comments = len(comments)
    result.new_teams = checked.new_teams
    return result


@dataclass
class _Columns:
    """Which file column holds what."""

    headers: list
    team: str
    respondent: str | None
    language: str | None
    items: dict          # file column -> item id
    comments: dict       # file column -> open-question id


def _match_columns(path: Path, headers, template, mapping: Mapping) -> _Columns:
    """Match the header row to the template (ids, question text in any language, mapping file), or
    reject the file with every problem found."""
    headers = [str(c).strip() for c in headers]
    dupes = [h for h, n in Counter(headers).items() if n > 1]
    if dupes:
        raise ImportRejected(path, [f"column {quote(d)} appears more than once; give every column its own header" for d in dupes])
    problems: list[str] = []
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
                        f"(columns found: {_listed(headers)})")
    if mapping.respondent and mapping.respondent not in headers:
        problems.append(f"respondent column {quote(mapping.respondent)} (from the mapping file) is not in the file")
    if mapping.language and mapping.language not in headers:
        problems.append(f"language column {quote(mapping.language)} (from the mapping file) is not in the file")
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
                problems.append(f"column {quote(header)}: the mapping file maps it to {quote(target)}, which is not an item or "
                                "open question of the template")
        elif _norm(header) in by_text:
            item_cols[header] = by_text[_norm(header)]
        elif _norm(header) in comment_by_text:
            comment_cols[header] = comment_by_text[_norm(header)]
        else:
            unmapped.append(header)
    if unmapped:
        problems.append(f"column(s) {', '.join(quote(u) for u in unmapped)} match no item: map each to an item id under "
                        "`columns:` or list it under `ignore:` in a mapping file (--mapping)")
    for target, n in Counter(item_cols.values()).items():
        if n > 1:
            problems.append(f"item {quote(target)} is given by {n} columns: "
                            f"{_listed(h for h, t in item_cols.items() if t == target)}; keep one")
    if not item_cols and not problems:
        problems.append("no column matches an item of the template; use item ids or question texts as headers, "
                        "or a mapping file")
    if problems:
        raise ImportRejected(path, problems)
    return _Columns(headers, team_col, resp_col, lang_col, item_cols, comment_cols)


class _CheckedRows:
    """Every cell of the file checked column by column (vectorised), one block of rows at a time.

    Problems are collected by file row; what is kept of each block is what gets stored: answers as
    float32 (small whole numbers are exact), team and language codes, respondent keys, comments."""

    _MAX_PER_COLUMN = 200   # bad cells reported per column: enough to see the pattern

    def __init__(self, store: Store, wave: str, template, mapping: Mapping, columns: _Columns, add_teams: bool):
        self.store, self.wave, self.template, self.mapping = store, wave, template, mapping
        self.columns, self.add_teams = columns, add_teams
        self.items = list(dict.fromkeys(columns.items.values()))
        self.found: list[tuple[int, str]] = []
        self.known_teams = set(store.team_names())
        self.team_codes: dict[str, int] = {}
        self.new_teams: list[str] = []
        self.extra_values = {_norm(k): v for k, v in mapping.values.items()}
        self.lookups = {header: {} for header in columns.items}   # cell text -> number, per column
        self.bad_reported = Counter()
        self.first_seen: dict[str, int] = {}    # respondent key -> file row
        self.occurrences = Counter()             # row content -> times seen (files without ids)
        self.rows = 0
        self._values, self._teams, self._empty, self._keys, self._languages, self._comments = [], [], [], [], [], []

    def add(self, chunk: pd.DataFrame, first_row: int):
        cols, found = self.columns, self.found
        n_rows = len(chunk)
        offset = self.rows
        rownums = np.arange(first_row + offset, first_row + offset + n_rows)
        text = {h: _stripped(chunk[h]) for h in cols.headers}
        empty_row = np.logical_and.reduce([text[h].eq("").to_numpy() for h in cols.headers])

        team = text[cols.team].map(lambda t: self.mapping.teams.get(t, t)) if self.mapping.teams else text[cols.team]
        missing_team = team.eq("").to_numpy() & ~empty_row
        for r in np.flatnonzero(missing_team):
            found.append((rownums[r], f"row {rownums[r]}, column {quote(cols.team)}: no team given"))
        unknown_mask = ~team.isin(self.known_teams).to_numpy() & ~missing_team & ~empty_row
        if self.add_teams:
            self.new_teams.extend(t for t in dict.fromkeys(team[unknown_mask]) if t not in self.new_teams)
        else:
            for r in np.flatnonzero(unknown_mask):
                found.append((rownums[r], f"row {rownums[r]}, column {quote(cols.team)}: unknown team {quote(team.iat[r])}; add "
                                          f"it with `assessment teams WORKSPACE --add {_add_argument(team.iat[r])}` or "
                                          "import with --add-teams"))
        for name in team.unique():
            self.team_codes.setdefault(name, len(self.team_codes))
        self._teams.append(team.map(self.team_codes).to_numpy(dtype=np.int32))

        values = np.full((n_rows, len(self.items)), np.nan, dtype=np.float32)
        for header, item_id in cols.items.items():
            rs = self.template.item(item_id).response_scale
            parsed, bad = _parse_column(text[header], rs, self.extra_values, self.lookups[header])
            values[:, self.items.index(item_id)] = parsed
            bad &= ~empty_row
            room = self._MAX_PER_COLUMN - self.bad_reported[header]
            for r in np.flatnonzero(bad)[:max(room, 0)]:
                found.append((rownums[r], f"row {rownums[r]}, column {quote(header)}: {quote(text[header].iat[r])} is not an "
                                          f"answer on the {rs.low}-{rs.high} scale; use a number from {rs.low} to "
                                          f"{rs.high} or one of its labels"))
            self.bad_reported[header] += int(bad.sum())
        has_comment = np.zeros(n_rows, bool)
        for header, comment_id in cols.comments.items():
            has = text[header].ne("").to_numpy() & ~empty_row
            has_comment |= has
            lengths = text[header].str.len().to_numpy()
            for r in np.flatnonzero((lengths > COMMENT_LIMIT) & has):   # the same limit as the form and the store
                found.append((rownums[r], comment_too_long(f"row {rownums[r]}, column {quote(header)}", int(lengths[r]))))
            if has.any():
                self._comments.append(pd.DataFrame({"row": offset + np.flatnonzero(has), "question": comment_id,
                                                    "text": text[header].to_numpy()[has]}))
        no_answers = np.isnan(values).all(axis=1) & ~has_comment & ~empty_row
        for r in np.flatnonzero(no_answers):
            found.append((rownums[r], f"row {rownums[r]}: no answers; remove the row"))
        self._values.append(values)
        self._empty.append(empty_row)

        if cols.language:
            # the template's own strings, so a million rows share a handful of objects
            canonical = {lang: lang for lang in self.template.languages}
            given = text[cols.language]
            wrong = (given.ne("") & ~given.isin(canonical)).to_numpy() & ~empty_row
            for r in np.flatnonzero(wrong):
                found.append((rownums[r], f"row {rownums[r]}, column {quote(cols.language)}: language {quote(given.iat[r])} is "
                                          f"not one of {', '.join(self.template.languages)}"))
            self._languages.append(given.map(canonical).astype(object).where(given.isin(canonical), None)
                                   .to_numpy(dtype=object))

        if cols.respondent:
            ids = text[cols.respondent]
            given = ids.ne("").to_numpy()
            for r in np.flatnonzero(~given & ~empty_row):
                found.append((rownums[r], f"row {rownums[r]}, column {quote(cols.respondent)}: no respondent id"))
            keys = self.store.respondent_keys(self.wave, ids.tolist())
            for r in np.flatnonzero(given).tolist():
                first = self.first_seen.setdefault(keys[r], int(rownums[r]))
                if first != rownums[r]:
                    found.append((rownums[r], f"row {rownums[r]}, column {quote(cols.respondent)}: respondent "
                                              f"{quote(ids.iat[r])} also answered in row {first}; keep one of the rows"))
        else:
            # no id column: a row's content (and how often the same content came before) identifies it,
            # so a re-export with more rows adds only the new ones
            content = text[cols.headers[0]].copy()
            for h in cols.headers[1:]:
                content = content + "\x1f" + text[h]
            source_ids = []
            for c in content.tolist():
                digest = hashlib.sha256(c.encode()).hexdigest()
                self.occurrences[digest] += 1
                source_ids.append(f"row:{digest}:{self.occurrences[digest]}")
            keys = self.store.respondent_keys(self.wave, source_ids)
        self._keys.extend(keys)
        self.rows += n_rows

    def arrays(self):
        """values (float32), team names (shared objects), empty-row mask, keys, languages (or None)."""
        names = np.empty(len(self.team_codes), dtype=object)
        for name, code in self.team_codes.items():
            names[code] = name
        def joined(parts, dtype):
            return np.concatenate(parts) if parts else np.zeros(0, dtype)
        values = (np.concatenate(self._values) if self._values
                  else np.zeros((0, len(self.items)), np.float32))
        self._values = []
        languages = joined(self._languages, object) if self.columns.language else None
        return (values, names[joined(self._teams, np.int32)], joined(self._empty, bool), self._keys, languages)

    def comments(self) -> pd.DataFrame:
        if not self._comments:
            return pd.DataFrame({"row": np.zeros(0, int), "question": [], "text": []})
        return pd.concat(self._comments, ignore_index=True)


_NUMBER = re.compile(r"^(-?\d{1,9})(?:[.,]0+)?(?:\s*[-–:.)]\s*.*)?$")


def _parse_column(column: pd.Series, rs, extra: dict, lookup: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Answers of one column as numbers (NaN where blank) and a mask of cells that are not answers.

    A cell may be a number ("4", "4.0"), a number with its label ("4 - Agree"), a label of the
    response scale in any language, or a text from the mapping file's `values`. Each distinct text
    is parsed once (`lookup` carries what was parsed from one block of rows to the next), so a column
    of a million cells costs a dictionary look-up per cell."""
    labels = {}
    for lang_labels in rs.labels.values():
        for value, label in zip(rs.values, lang_labels):
            labels.setdefault(_norm(label), value)
    lookup = {} if lookup is None else lookup
    for text in column.unique():
        if text in lookup:
            continue
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
        raise ImportRejected(path, [f"no 'team' column (columns found: {_listed(table.columns)}); "
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
                problems.append(f"row {rownum}, column 'headcount': {quote(count)} is not a whole number of people")
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
