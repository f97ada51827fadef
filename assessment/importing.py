"""Import answers exported from other form tools (CSV or XLSX) into a wave.

Columns are matched to items by item id, by the exact question text in any of the template's
languages (a matrix question's statement), or by a mapping file; the layouts of Qualtrics,
SurveyMonkey, Google Forms and Microsoft Forms exports are recognised (formats.py). An answer is
exactly a point of its scale or a problem: decimals, ranges and a number that disagrees with its
label are never rounded. Every problem is reported by row and column, and a file with any
problem is rejected whole: nothing from it is stored.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from . import formats
from ._progress import progress
from .exceptions import AssessmentError, ImportRejected
from ._names import did_you_mean, QUOTE_WIDTH, quote, short
from .store import COMMENT_LIMIT, Store, comment_too_long

TEAM_COLUMNS = ("team", "team_name", "avdelning", "enhet")   # team column headers (any case) found without a mapping
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
    format: str = "plain"    # the layout the file was read by (formats.FORMATS)

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

    def __init__(self, path, encoding: str | None = None, sheet=0, raw: bytes | None = None,
                 format: str | None = None, answer_sheet=None):
        """`sheet`: a workbook's sheet by name or position, or None to take the one sheet with answers
        (`answer_sheet(layout)` tells whether a sheet's columns hold answers). `format`: a tool's
        layout (see formats.py) to read the header rows by, or None to recognise it."""
        self.path = Path(path)
        self.encoding = encoding
        self.raw = raw
        self.first_row = 2          # file row number of the first data row (row 1 is the header)
        self.sheet = None           # the workbook sheet read
        self.lines = 0              # line breaks in a CSV (for the progress bar's estimate of its rows)
        self._drop = 0              # header rows below the first, still to be taken off the data rows
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
                sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, dtype=str, header=None, engine="openpyxl")
            except Exception as exc:  # noqa: BLE001 - any unreadable workbook is the same user problem
                raise ImportRejected(self.path, [f"not a readable Excel workbook ({type(exc).__name__}: {exc}); "
                                                 "save it again as .xlsx or export CSV"]) from None
            self.sheet, table = self._choose_sheet(sheets, sheet, format, answer_sheet)
            rows = table.iloc[:3].fillna("").astype(str).values.tolist()
            self.layout = formats.layout(rows, format) if rows else formats.layout([[]], "plain")
            self._excel = table.iloc[self.layout.header_rows:].reset_index(drop=True)
            self._excel.columns = self.layout.names
            self.columns = self.layout.names
            self.first_row = self.layout.header_rows + 1
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
        try:
            rows = list(itertools.islice(csv.reader(io.StringIO(head, newline=""), delimiter=self.delimiter), 3))
        except csv.Error:
            rows = [header]
        self.layout = formats.layout(rows, format)
        if len(self.layout.names) != len(parsed):
            self.layout = formats.layout([[str(c) for c in parsed]], "plain")
        # pandas renames a repeated header ("a", "a.1"); the file's own names let a repeat be reported
        self.columns = self.layout.names
        self._drop = self.layout.header_rows - 1
        self.first_row += self._drop

    def _choose_sheet(self, sheets: dict, sheet, format, answer_sheet):
        """The sheet to read: the named one, or the only one with answers (a summary sheet without
        item columns does not count); several with answers are refused, listing them."""
        names = list(sheets)
        listed = ", ".join(quote(str(n)) for n in names)
        if isinstance(sheet, int):
            if not 0 <= sheet < len(names):
                raise ImportRejected(self.path, [f"the workbook has no sheet {sheet + 1}; its sheets: {listed}"])
            return names[sheet], sheets[names[sheet]]
        if sheet is not None:
            if str(sheet) not in sheets:
                raise ImportRejected(self.path, [f"the workbook has no sheet {quote(str(sheet))}; its sheets: {listed}"])
            return str(sheet), sheets[str(sheet)]
        filled = [n for n in names if not sheets[n].dropna(how="all").empty]
        if len(filled) <= 1:
            name = filled[0] if filled else names[0]
            return name, sheets[name]
        with_answers = filled
        if answer_sheet is not None:
            with_answers = [n for n in filled
                            if answer_sheet(formats.layout(sheets[n].iloc[:3].fillna("").astype(str).values.tolist(),
                                                           format))]
        if len(with_answers) == 1:
            return with_answers[0], sheets[with_answers[0]]
        among = with_answers or filled
        raise ImportRejected(self.path, [f"the workbook has {len(among)} sheets with answers: "
                                         f"{', '.join(quote(str(n)) for n in among)}; name the one to import with "
                                         "--sheet NAME"])

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
        head, blank, offset, last = [], True, 0, b""
        with self._open() as stream:
            while True:
                piece = stream.read(_HEAD_BYTES)
                self.lines += piece.count(b"\n")
                last = piece[-1:] or last
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
        self.lines += last != b"\n"   # the last line has no line break
        return "".join(head)

    def rows_estimate(self) -> int:
        """About how many data rows `chunks` yields (exact for a workbook; for a CSV its lines below the
        header rows, more than the rows when a quoted cell holds a line break): a progress bar's total."""
        if self._excel is not None:
            return len(self._excel)
        return max(self.lines - (self.first_row - 1), 0)

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
        drop = self._drop
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
                if drop:   # the header rows of a tool's export below the first
                    taken = min(drop, len(chunk))
                    chunk = chunk.iloc[taken:].reset_index(drop=True)
                    drop -= taken
                    if chunk.empty:
                        continue
                yield chunk


def read_table(path, encoding: str | None = None, sheet=0, raw: bytes | None = None) -> tuple[pd.DataFrame, int]:
    """A (small) CSV or XLSX file as one table of strings, and the file row number of its first data row."""
    source = TableFile(path, encoding=encoding, sheet=sheet, raw=raw, format="plain")
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
                   encoding: str | None = None, format: str | None = None, sheet=None,
                   quiet: bool | None = None) -> ImportResult:
    """Validate a whole file against the wave's template, then store it in one transaction.

    `format` names the tool whose layout the file has (qualtrics, surveymonkey, google, microsoft,
    plain; recognised from the header rows when None); `sheet` names a workbook's sheet (by default
    the one sheet with answers). Empty rows (no answer to any item, no comment) and partial responses
    (Qualtrics Finished = False) are skipped and counted in the result's warnings.

    The file is read and checked a block of rows at a time; only the answers (as a float32 matrix),
    team codes, respondent keys and comments are kept, so memory stays near the size of the answers.
    Progress bars (rows checked, then responses stored) go to a terminal's stderr or a notebook;
    `quiet=True` hides them, None decides by where the output goes (`assessment._progress`)."""
    path = Path(path)
    mapping = mapping or Mapping()
    template = store.wave_template(wave)
    result = ImportResult(str(path), wave)
    if not path.exists():
        raise AssessmentError(f"{path}: no such file; check the path")
    with open(path, "rb") as stream:
        digest = hashlib.file_digest(stream, "sha256")
    if sheet is not None:   # each sheet of a workbook is an import of its own
        digest.update(f"\x1fsheet\x1f{sheet}".encode())
    sha = digest.hexdigest()
    if path.stat().st_size and store.was_imported(wave, sha):
        result.already_imported = True
        return result
    if format is not None and format not in formats.FORMATS:
        raise AssessmentError(f"unknown format {quote(format)}; use one of {', '.join(formats.FORMATS)}")
    if sheet is not None and path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise AssessmentError(f"{path}: --sheet names a sheet of an .xlsx workbook; this file is not one")
    source = TableFile(path, encoding=encoding, sheet=sheet, format=format,
                       answer_sheet=_answer_sheet(template, mapping))
    columns = _match_columns(path, source.layout, template, mapping)
    result.format = source.layout.format
    if result.format != "plain":
        result.warnings.append(f"read as a {source.layout.tool} export"
                               + (f" (sheet {quote(str(source.sheet))})" if source.sheet is not None else ""))
    missing_items = [i for i in template.item_ids if i not in columns.items.values()]
    if missing_items:
        result.warnings.append(f"{len(missing_items)} item(s) of the template are not in the file: {', '.join(missing_items)}")

    checked = _CheckedRows(store, wave, template, mapping, columns, add_teams)
    with progress(total=source.rows_estimate(), desc=f"{path.name}: checked", unit="rows", quiet=quiet) as bar:
        for chunk in source.chunks():
            checked.add(chunk, source.first_row)
            bar.update(len(chunk))
        bar.total = bar.n    # the estimate counted lines; a quoted cell may hold a line break
    if checked.found:
        checked.found.sort(key=lambda p: p[0])
        raise ImportRejected(path, [message for _, message in checked.found])

    if checked.partial_rows:
        result.warnings.append(f"{checked.partial_rows} partial response(s) skipped (the tool marks them unfinished: "
                               f"{quote(columns.finished)} is false)")
    if checked.empty_rows:
        result.warnings.append(f"{checked.empty_rows} empty row(s) skipped (no answer to any item and no comment)")
    values, team, empty_row, keys, languages = checked.arrays()
    seconds = checked.seconds()
    existing = store.existing_keys(wave)
    stored_before = (np.fromiter((k in existing for k in keys), dtype=bool, count=len(keys)) if existing
                     else np.zeros(len(keys), bool))
    if existing and checked.legacy_keys:   # rows stored by an import made before fingerprints
        stored_before |= np.fromiter((k in existing for k in checked.legacy_keys), dtype=bool, count=len(keys))
    result.skipped = int((stored_before & ~empty_row).sum())
    keep = ~empty_row & ~stored_before
    if not keep.any():
        if result.skipped:   # a re-saved or re-exported copy of what is stored: refused, never doubled
            raise ImportRejected(path, [
                f"all {result.skipped} response(s) in the file are already stored in wave {wave} (from an earlier "
                "import of this file or another copy or export of it); nothing was imported. "
                "See `assessment imports WORKSPACE`"])
        result.warnings.append("no new responses in the file")
        return result
    fast = fast_responses(seconds, keep) if len(seconds) == len(keep) else None
    positions = np.flatnonzero(keep)
    if fast is not None:
        fast = fast[positions]
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
    with progress(total=len(positions), desc=f"{path.name}: stored", unit="responses", quiet=quiet) as bar:
        store.add_answer_array(wave, team, checked.items, values, comments, source="import", keys=keys,
                               languages=None if languages is None else list(languages),
                               import_record=(sha, path.name), new_teams=checked.new_teams, fast=fast,
                               progress=bar.update)
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
    finished: str | None = None   # a column whose false values mark a partial response (Qualtrics)
    format: str = "plain"
    duration: str | None = None   # the tool's duration in seconds (Qualtrics)
    times: tuple | None = None    # the tool's (start, end) time stamps


def _targets(template) -> tuple[dict, dict]:
    """Normalised item ids and question texts (every language) -> item id; the same for open questions."""
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
    return by_text, comment_by_text


def _answer_sheet(template, mapping: Mapping):
    """Whether a workbook sheet's columns (its layout) hold answers: some column matches an item."""
    by_text, _ = _targets(template)
    mapped = {str(k) for k in mapping.columns}

    def holds_answers(layout) -> bool:
        return any(t in mapped or _norm(t) in by_text for name, texts in zip(layout.names, layout.texts)
                   for t in [name, *texts])
    return holds_answers


def _match_columns(path: Path, layout, template, mapping: Mapping) -> _Columns:
    """Match the header row(s) to the template (ids, question or statement text in any language,
    mapping file), or reject the file with every problem found. A tool's own columns (time stamps,
    e-mail, ...) are left out."""
    if not isinstance(layout, formats.Layout):   # a bare header row
        layout = formats.layout([list(layout)], "plain")
    headers = [str(c).strip() for c in layout.names]
    texts = {h: [h, *(str(t).strip() for t in ts)] for h, ts in zip(headers, layout.texts)}
    dupes = [h for h, n in Counter(headers).items() if n > 1]
    if dupes:
        raise ImportRejected(path, [f"column {quote(d)} appears more than once; give every column its own header" for d in dupes])
    problems: list[str] = []
    by_text, comment_by_text = _targets(template)

    def named(name):
        """The column a mapping file names: by its header, or by any of its texts (a question text)."""
        if name is None:
            return None
        name = str(name).strip()
        return next((h for h in headers if h == name), None) or \
            next((h for h in headers if any(_norm(t) == _norm(name) for t in texts[h])), None)

    team_col = named(mapping.team) if mapping.team else \
        next((h for h in headers if h not in layout.metadata and any(_norm(t) in TEAM_COLUMNS for t in texts[h])), None)
    resp_col = named(mapping.respondent) if mapping.respondent else \
        (layout.respondent or next((c for c in headers if c in RESPONDENT_COLUMNS), None))
    lang_col = named(mapping.language) if mapping.language else next((c for c in headers if c in LANGUAGE_COLUMNS), None)
    if team_col is None:
        if mapping.team:
            problems.append(f"team column {quote(str(mapping.team))} (from the mapping file) is not in the file "
                            f"(columns found: {_listed(headers)})")
        else:
            problems.append(f"no team column: name a column 'team' (or 'Avdelning', 'Enhet'), or give its header as "
                            f"`team:` in a mapping file (columns found: {_listed(headers)})")
    if mapping.respondent and resp_col is None:
        problems.append(f"respondent column {quote(mapping.respondent)} (from the mapping file) is not in the file")
    if mapping.language and lang_col is None:
        problems.append(f"language column {quote(mapping.language)} (from the mapping file) is not in the file")
    mapped = {str(k).strip(): v for k, v in mapping.columns.items()}
    ignore = {str(c).strip() for c in mapping.ignore}
    item_ids = {i.id for i in template.items}
    comment_ids = {c.id for c in template.comments}
    item_cols: dict[str, str] = {}
    comment_cols: dict[str, str] = {}
    unmapped = []
    for header in headers:
        if header in (team_col, resp_col, lang_col) or header in layout.metadata:
            continue
        candidates = texts[header]
        if any(t in ignore for t in candidates):
            continue
        target = next((mapped[t] for t in candidates if t in mapped), None)
        if target is not None:
            if target in item_ids:
                item_cols[header] = target
            elif target in comment_ids:
                comment_cols[header] = target
            else:
                problems.append(f"column {quote(header)}: the mapping file maps it to {quote(target)}, which is not an item or "
                                "open question of the template")
            continue
        item = next((by_text[_norm(t)] for t in candidates if _norm(t) in by_text), None)
        comment = next((comment_by_text[_norm(t)] for t in candidates if _norm(t) in comment_by_text), None)
        if item is not None:
            item_cols[header] = item
        elif comment is not None:
            comment_cols[header] = comment
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
    return _Columns(headers, team_col, resp_col, lang_col, item_cols, comment_cols, layout.finished, layout.format,
                    layout.duration, layout.times)


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
        # team names (or a team question's codes) in the file -> teams in the store; YAML may give numbers
        self.team_map = {str(k).strip(): str(v).strip() for k, v in mapping.teams.items()}
        self.lookups = {header: {} for header in columns.items}   # cell text -> number, per column
        self.reasons = {header: {} for header in columns.items}   # cell text -> why it is not an answer
        self.empty_rows = 0      # responses with no answer to any item and no comment: skipped
        self.partial_rows = 0    # responses the tool marks unfinished (Qualtrics Finished = False): skipped
        self.bad_reported = Counter()
        self.first_seen: dict[str, int] = {}    # respondent key -> file row
        self.occurrences = Counter()             # row fingerprint -> times seen (files without ids)
        self.legacy_occurrences = Counter()      # row content -> times seen (keys of imports before fingerprints)
        self.legacy_keys: list[str] = []         # those keys, one per row (files without ids)
        self.rows = 0
        self._values, self._teams, self._empty, self._keys, self._languages, self._comments = [], [], [], [], [], []
        self._seconds = []       # each row's duration, where the tool writes it (NaN elsewhere)

    def add(self, chunk: pd.DataFrame, first_row: int):
        cols, found = self.columns, self.found
        n_rows = len(chunk)
        offset = self.rows
        rownums = np.arange(first_row + offset, first_row + offset + n_rows)
        text = {h: _stripped(chunk[h]) for h in cols.headers}
        self._seconds.append(_durations(chunk, cols))
        filled = {h: text[h].ne("").to_numpy() for h in cols.headers}
        blank_line = ~np.logical_or.reduce(list(filled.values()))
        # the skip rule: a row with no answer to any item and no comment is empty; a response the tool
        # marks unfinished is partial; both are left out (and counted), and their cells are not checked
        answered = np.logical_or.reduce([filled[h] for h in [*cols.items, *cols.comments]])
        partial = np.zeros(n_rows, bool)
        if cols.finished:
            finished = text[cols.finished]
            partial = finished.map({t: formats.is_false(t) for t in finished.unique()}).to_numpy(dtype=bool)
        self.partial_rows += int((partial & ~blank_line).sum())
        self.empty_rows += int((~answered & ~partial & ~blank_line).sum())
        empty_row = ~answered | partial

        team = text[cols.team].map(lambda t: self.team_map.get(t, t)) if self.team_map else text[cols.team]
        missing_team = team.eq("").to_numpy() & ~empty_row
        for r in np.flatnonzero(missing_team):
            found.append((rownums[r], f"row {rownums[r]}, column {quote(cols.team)}: no team given"))
        unknown_mask = ~team.isin(self.known_teams).to_numpy() & ~missing_team & ~empty_row
        if self.add_teams:
            self.new_teams.extend(t for t in dict.fromkeys(team[unknown_mask]) if t not in self.new_teams)
        else:
            for r in np.flatnonzero(unknown_mask):
                name = team.iat[r]
                close = did_you_mean(name, self.known_teams)
                if close:    # a spelling of a known team (case, diacritics, a typo): map it, don't add it
                    hint = f"{close} Map it in a mapping file (teams: {{{quote(name)}: ...}}) or fix the file"
                else:
                    hint = (f"; add it with `assessment teams WORKSPACE --add {_add_argument(name)}` or import with "
                            "--add-teams")
                found.append((rownums[r], f"row {rownums[r]}, column {quote(cols.team)}: unknown team {quote(name)}{hint}"))
        for name in team.unique():
            self.team_codes.setdefault(name, len(self.team_codes))
        self._teams.append(team.map(self.team_codes).to_numpy(dtype=np.int32))

        values = np.full((n_rows, len(self.items)), np.nan, dtype=np.float32)
        for header, item_id in cols.items.items():
            rs = self.template.item(item_id).response_scale
            reasons = self.reasons[header]
            parsed, bad = _parse_column(text[header], rs, self.extra_values, self.lookups[header], reasons)
            values[:, self.items.index(item_id)] = parsed
            bad &= ~empty_row
            room = self._MAX_PER_COLUMN - self.bad_reported[header]
            for r in np.flatnonzero(bad)[:max(room, 0)]:
                cell = text[header].iat[r]
                found.append((rownums[r], f"row {rownums[r]}, column {quote(header)}: {quote(cell)} is not an "
                                          f"answer on the {rs.low}-{rs.high} scale{reasons.get(cell, '')}; use a whole "
                                          f"number from {rs.low} to {rs.high} or one of its labels"))
            self.bad_reported[header] += int(bad.sum())
        for header, comment_id in cols.comments.items():
            has = text[header].ne("").to_numpy() & ~empty_row
            lengths = text[header].str.len().to_numpy()
            for r in np.flatnonzero((lengths > COMMENT_LIMIT) & has):   # the same limit as the form and the store
                found.append((rownums[r], comment_too_long(f"row {rownums[r]}, column {quote(header)}", int(lengths[r]))))
            if has.any():
                self._comments.append(pd.DataFrame({"row": offset + np.flatnonzero(has), "question": comment_id,
                                                    "text": text[header].to_numpy()[has]}))
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
            for r in np.flatnonzero(given & ~empty_row).tolist():
                first = self.first_seen.setdefault(keys[r], int(rownums[r]))
                if first != rownums[r]:
                    found.append((rownums[r], f"row {rownums[r]}, column {quote(cols.respondent)}: respondent "
                                              f"{quote(ids.iat[r])} also answered in row {first}; keep one of the rows"))
        else:
            # no id column: a row is known by its fingerprint (see _fingerprints) and by how often the same
            # fingerprint came before in the file, so identical rows in one file are all kept, and a re-saved
            # or re-exported copy (other separator, encoding, timestamps, column order) adds only new rows
            source_ids = []
            for digest, empty in zip(_fingerprints(team, self.items, values, text, cols.comments), empty_row.tolist()):
                if empty:       # left out: must not shift the numbering of the rows that are stored
                    source_ids.append(f"fp:{digest}:empty")
                    continue
                self.occurrences[digest] += 1
                source_ids.append(f"fp:{digest}:{self.occurrences[digest]}")
            keys = self.store.respondent_keys(self.wave, source_ids)
            # the key an import made before fingerprints (every cell as text, in file order) gave the row
            content = text[cols.headers[0]].copy()
            for h in cols.headers[1:]:
                content = content + "\x1f" + text[h]
            legacy = []
            for c in content.tolist():
                digest = hashlib.sha256(c.encode()).hexdigest()
                self.legacy_occurrences[digest] += 1
                legacy.append(f"row:{digest}:{self.legacy_occurrences[digest]}")
            self.legacy_keys.extend(self.store.respondent_keys(self.wave, legacy))
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

    def seconds(self) -> np.ndarray:
        """Each row's duration in seconds (NaN where the tool gives none)."""
        return np.concatenate(self._seconds) if self._seconds else np.zeros(0)

    def comments(self) -> pd.DataFrame:
        if not self._comments:
            return pd.DataFrame({"row": np.zeros(0, int), "question": [], "text": []})
        return pd.concat(self._comments, ignore_index=True)


FAST_SHARE = 1 / 3          # a response faster than this share of the file's median time is flagged as very fast
_FAST_MIN_TIMED = 10        # ... when at least this many responses in the file have a time


def _durations(chunk: pd.DataFrame, cols: "_Columns") -> np.ndarray:
    """Seconds each response took, from the tool's own columns (read here, never stored)."""
    if cols.duration and cols.duration in chunk.columns:
        return pd.to_numeric(chunk[cols.duration], errors="coerce").to_numpy(dtype=float)
    if cols.times and all(c in chunk.columns for c in cols.times):
        start, end = (pd.to_datetime(chunk[c], errors="coerce", format="mixed") for c in cols.times)
        return (end - start).dt.total_seconds().to_numpy(dtype=float)
    return np.full(len(chunk), np.nan)


def fast_responses(seconds: np.ndarray, keep: np.ndarray) -> np.ndarray | None:
    """1 for a kept response faster than FAST_SHARE of the file's median time, 0 for others with a time,
    NaN without one; None when too few responses have a time to say."""
    timed = keep & ~np.isnan(seconds) & (seconds >= 0)
    if timed.sum() < _FAST_MIN_TIMED:
        return None
    limit = FAST_SHARE * float(np.median(seconds[timed]))
    return np.where(timed, (seconds < limit).astype(float), np.nan)


_WHOLE = re.compile(r"^[+-]?(\d{1,9})(?:[.,](\d+))?$")                         # 4, 4.0, 4,0 (and 4.5, to refuse)
_NUMBERED = re.compile(r"^(\d{1,9})\s*(?:[-–—:)]|\.(?!\d))\s*(\S.*)$")        # 4 - Agree, 4. Agree, 4) Agree


def _scale_labels(rs, extra: dict) -> dict:
    """Every label of the response scale in every language (and the mapping file's texts), normalised -> point."""
    labels = {}
    for lang_labels in rs.labels.values():
        for value, label in zip(rs.values, lang_labels):
            labels.setdefault(_norm(label), value)
    for key, value in list(labels.items()):
        numbered = _NUMBERED.match(key)   # "10 – Extremely likely": "Extremely likely" is point 10 too
        if numbered and int(numbered.group(1)) == value:
            labels.setdefault(_norm(numbered.group(2)), value)
    for key, value in extra.items():
        try:
            labels[key] = int(value)
        except (TypeError, ValueError):
            pass
    return labels


def _parse_answer(text: str, rs, labels: dict) -> tuple[float, str]:
    """One answer text as a point of the scale (NaN when blank), or -inf and why it is not one.

    An answer is exactly a point of its scale: a whole number in range ("4", also "4.0" and "4,0"),
    a label in any of the template's languages, or "N - label" / "N. label" / "N – label" where the
    label is point N's label. Decimals, ranges ("2-3") and a number that disagrees with its label are
    refused, never rounded or cut."""
    key = _norm(text)
    if key == "":
        return np.nan, ""
    value = labels.get(key)
    reason = ""
    if value is None:
        whole = _WHOLE.match(key)
        numbered = _NUMBERED.match(" ".join(text.split()))
        if whole:
            if whole.group(2) and whole.group(2).strip("0"):
                return -np.inf, " (not a whole number)"
            value = int(key.split(".")[0].split(",")[0])
        elif numbered:
            number, label = int(numbered.group(1)), _norm(numbered.group(2))
            point = labels.get(label)
            if point is None:
                return -np.inf, ""
            if point != number:
                return -np.inf, f" (the number {number} and the label {quote(numbered.group(2))}, point {point}, disagree)"
            value = number
        else:
            return -np.inf, ""
    if not rs.low <= value <= rs.high:
        return -np.inf, reason
    return float(value), ""


def _parse_column(column: pd.Series, rs, extra: dict, lookup: dict | None = None,
                  reasons: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Answers of one column as numbers (NaN where blank) and a mask of cells that are not answers.

    Each distinct text is parsed once (`lookup` carries what was parsed from one block of rows to the
    next; `reasons` gets why a text was refused), so a column of a million cells costs a dictionary
    look-up per cell."""
    lookup = {} if lookup is None else lookup
    labels = None
    for text in column.unique():
        if text in lookup:
            continue
        if labels is None:
            labels = _scale_labels(rs, extra)
        lookup[text], why = _parse_answer(text, rs, labels)
        if why and reasons is not None:
            reasons[text] = why
    numbers = column.map(lookup).to_numpy(dtype="float64", copy=True)
    bad = np.isneginf(numbers)
    numbers[bad] = np.nan
    return numbers, bad


_BLANK = -(2 ** 62)   # an unanswered item in a fingerprint (no scale reaches it)


def _fingerprints(team: pd.Series, items: list, values: np.ndarray, text: dict, comments: dict) -> list[str]:
    """One fingerprint per row of a file without a response id: a hash of the team, every item's answer
    as parsed (a number, by item id: column order, labels and number formats do not matter) and the
    comments with whitespace normalised (by question). Timestamps, e-mail and other ignored columns
    take no part. The store keeps only a salted hash of it (a respondent key), never the answers."""
    parts = [team.astype(str).to_numpy(dtype=object)]
    for item_id in sorted(items):
        column = values[:, items.index(item_id)]
        whole = np.where(np.isnan(column), _BLANK, column).astype(np.int64)   # answers are whole numbers
        spelled = {int(v): ("" if v == _BLANK else str(int(v))) for v in np.unique(whole)}
        cells = pd.Series(whole).map(spelled).astype(object)
        parts.append((item_id + "=" + cells).to_numpy(dtype=object))
    for header, question in sorted(comments.items(), key=lambda hq: (hq[1], hq[0])):
        cells = text[header].str.replace(r"\s+", " ", regex=True).reset_index(drop=True)
        parts.append((question + ":" + cells).to_numpy(dtype=object))
    rows = ["\x1f".join(row) for row in zip(*parts)]
    return [hashlib.sha256(row.encode()).hexdigest() for row in rows]


# a teams file's columns and the headers (English or Swedish, case and diacritics aside) that name them
TEAM_FILE_COLUMNS = {
    "team": ("team", "team name", "lag", "enhet", "grupp", "teamnamn"),
    "parent": ("parent", "department", "avdelning", "förvaltning", "överordnad", "parent team"),
    "headcount": ("headcount", "head count", "employees", "number of employees", "antal anställda", "anställda",
                  "antal", "personal", "antal medarbetare"),
}


def import_teams(store: Store, path, wave: str | None = None, encoding: str | None = None) -> int:
    """Read a teams file (CSV/XLSX with columns team, parent and optionally headcount, headers in English
    or Swedish, e.g. Team;Avdelning;Antal anställda) into the store.

    Teams and their parents are added in one transaction; headcounts are set for `wave`. A column the
    kit does not know is an error (nothing is silently dropped)."""
    from ._names import fold
    path = Path(path)
    table, first_row = read_table(path, encoding=encoding)
    known = {fold(header): column for column, headers in TEAM_FILE_COLUMNS.items() for header in headers}
    renamed, problems = {}, []
    for header in table.columns:
        column = known.get(fold(header))
        if column is None:
            problems.append(f"column {quote(header)} is not a teams-file column; use "
                            + "; ".join(f"{c} ({', '.join(h[:3])}, ...)" for c, h in TEAM_FILE_COLUMNS.items())
                            + " or remove the column")
        elif column in renamed.values():
            problems.append(f"column {quote(header)} repeats the {column} column; keep one")
        else:
            renamed[header] = column
    if "team" not in renamed.values():
        problems.append(f"no team column (columns found: {_listed(table.columns)}); a teams file has columns "
                        "team, parent, headcount (or Team, Avdelning, Antal anställda)")
    if problems:
        raise ImportRejected(path, problems)
    table = table.rename(columns=renamed)
    pairs, counts = [], {}
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
