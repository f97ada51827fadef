"""The layouts of the big form tools' answer exports, recognised from a file's first rows.

Each tool writes its header differently; a `Layout` says, for every column of the file, the name it
is reported by, the texts it may be matched to the template by (item id, question text, the
statement of a matrix question), and which columns are the tool's own (time stamps, e-mail, IP
address...): those are ignored and never stored.

- **Qualtrics** (CSV/XLSX): three header rows — internal ids (``StartDate, ..., ResponseId, ...,
  Q1, Q2_1``), question texts (a matrix row as ``Question - Statement``), ``{"ImportId": ...}``;
  ``ResponseId`` is the respondent, ``Finished`` false marks a partial response.
- **SurveyMonkey** (CSV/XLSX, "all responses"): two header rows — ``Respondent ID, Collector ID,
  Start Date, ...`` then each question over a block of columns (its text in the block's first cell),
  and under it the statements of a matrix (or ``Response`` / ``Open-Ended Response``).
- **Google Forms** (CSV): ``Timestamp`` / ``Tidstämpel``, optionally ``Email address`` /
  ``E-postadress``, then a column per question; a grid row as ``Question [Statement]``.
- **Microsoft Forms** (XLSX): ``ID, Start time, Completion time, Email, Name, Last modified time``
  (Swedish ``ID, Starttid, Sluttid, E-post, Namn, Senast ändrad``), then a column per question; a
  Likert statement as its own column (``Statement`` or ``Question.Statement``).
- **plain**: one header row, matched as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

FORMATS = ("qualtrics", "surveymonkey", "google", "microsoft", "plain")
TOOL_NAMES = {"qualtrics": "Qualtrics", "surveymonkey": "SurveyMonkey", "google": "Google Forms",
              "microsoft": "Microsoft Forms", "plain": "plain table"}


def norm(text) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().casefold()


QUALTRICS_META = {norm(n) for n in (
    "StartDate", "EndDate", "Status", "IPAddress", "Progress", "Duration (in seconds)", "Finished", "RecordedDate",
    "ResponseId", "RecipientLastName", "RecipientFirstName", "RecipientEmail", "ExternalReference",
    "ExternalDataReference", "LocationLatitude", "LocationLongitude", "DistributionChannel", "UserLanguage",
    "ResponseSet", "Name", "EmailAddress", "IPStatus")}
QUALTRICS_TEXTS = {norm(n) for n in (
    "Start Date", "End Date", "Response Type", "IP Address", "Recorded Date", "Response ID", "Startdatum",
    "Slutdatum", "Svarstyp", "IP-adress", "Svars-ID")}
SURVEYMONKEY_META = {norm(n) for n in (
    "Respondent ID", "Collector ID", "Start Date", "End Date", "IP Address", "Email Address", "First Name",
    "Last Name", "Custom Data 1", "Custom Data", "Custom Data 2", "Custom Data 3",
    "Respondent-ID", "Respondentens ID", "Insamlar-ID", "Insamlings-ID", "Startdatum", "Slutdatum", "IP-adress",
    "E-postadress", "Förnamn", "Efternamn", "Anpassade data 1", "Anpassade data")}
SURVEYMONKEY_RESPONSE = {norm(n) for n in ("Response", "Open-Ended Response", "Svar", "Öppet svar", "Fritextsvar")}
GOOGLE_META = {norm(n) for n in ("Timestamp", "Tidstämpel", "Tidsstämpel", "Email address", "Email Address",
                                 "E-postadress", "Score", "Poäng")}
MICROSOFT_META = {norm(n) for n in (
    "ID", "Start time", "Completion time", "Email", "Name", "Last modified time", "Total points", "Quiz feedback",
    "Starttid", "Sluttid", "Slutförandetid", "E-post", "E-postadress", "Namn", "Senast ändrad",
    "Senast ändrad tid", "Tid för senaste ändring", "Totalt antal poäng", "Poäng totalt")}


@dataclass
class Layout:
    """How a file's header rows describe its columns."""

    format: str
    header_rows: int                   # rows above the first answer row
    names: list                        # one name per column: used in messages and by a mapping file
    texts: list                        # per column: texts to match to the template, most specific first
    metadata: set = field(default_factory=set)   # names of the tool's own columns (ignored, never stored)
    respondent: str | None = None      # the column that identifies a response
    finished: str | None = None        # a column whose false values mark a partial response
    duration: str | None = None        # a column with the response's duration in seconds (Qualtrics)
    times: tuple | None = None         # (start, end) columns with time stamps (SurveyMonkey, Microsoft Forms)

    @property
    def tool(self) -> str:
        return TOOL_NAMES[self.format]


def _cells(row) -> list:
    return ["" if c is None else str(c).strip() for c in row]


def _is_import_row(row) -> bool:
    return any(c.startswith("{") and "importid" in c.casefold() for c in row)


def detect(rows) -> str:
    """The tool that wrote a file, from its first (up to three) rows."""
    rows = [_cells(r) for r in rows]
    first = [norm(c) for c in rows[0]] if rows else []
    if not first:
        return "plain"
    if "responseid" in first or {"startdate", "finished"} <= set(first) or (len(rows) > 2 and _is_import_row(rows[2])):
        return "qualtrics"
    has_respondent = any(c in ("respondent id", "respondent-id", "respondentens id") for c in first)
    has_collector = any("collector" in c or "insaml" in c for c in first)
    if has_respondent and has_collector:
        return "surveymonkey"
    if first[0] in ("timestamp", "tidstämpel", "tidsstämpel"):
        return "google"
    if first[0] == "id" and any(c in ("start time", "starttid") for c in first) and \
            any(c in ("completion time", "sluttid", "slutförandetid") for c in first):
        return "microsoft"
    return "plain"


def _unique(names) -> list:
    seen, out = {}, []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _after_separators(text: str, separators) -> list:
    """Each tail of `text` after one of the separators: "Question - Statement" -> "Statement" (and
    every other split, as a question text may itself hold the separator)."""
    tails = []
    for separator in separators:
        start = 0
        while (at := text.find(separator, start)) >= 0:
            tails.append(text[at + len(separator):].strip())
            tails.append(text[:at].strip())
            start = at + 1
    return [t for t in tails if t]


def _texts_row(ids, second) -> bool:
    """Whether a Qualtrics file's second row holds the question texts rather than a response: under
    ResponseId a response has its id (R_...), under StartDate a date."""
    if "responseid" in ids:
        cell = second[ids.index("responseid")]
        return bool(cell) and not cell.startswith("R_")
    if "startdate" in ids:
        return norm(second[ids.index("startdate")]) in QUALTRICS_TEXTS
    return False


def layout(rows, format: str | None = None) -> Layout:
    """The layout of a file from its first rows (header row first), in the named format or the one
    detected. Columns without a header are named like pandas does ("Unnamed: 3")."""
    rows = [_cells(r) for r in rows]
    format = format or detect(rows)
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    header = rows[0] if rows else []
    width = len(header)
    plain_names = [h if h else f"Unnamed: {k}" for k, h in enumerate(header)]

    def row(k):
        r = rows[k] if len(rows) > k else []
        return (r + [""] * width)[:width]

    if format == "qualtrics":
        texts_row = row(1)
        ids = [norm(n) for n in plain_names]
        if len(rows) > 2 and _is_import_row(rows[2]):
            header_rows = 3
        elif len(rows) > 1 and _texts_row(ids, texts_row):
            header_rows = 2     # an older export: ids and question texts, no ImportId row
        else:
            header_rows, texts_row = 1, [""] * width
        texts = [[n] + ([t] + _after_separators(t, (" - ", " – ")) if t else [])
                 for n, t in zip(plain_names, texts_row)]
        meta = {n for n in plain_names if norm(n) in QUALTRICS_META or n.startswith("Q_")}
        respondent = next((n for n in plain_names if norm(n) == "responseid"), None)
        finished = next((n for n in plain_names if norm(n) == "finished"), None)
        duration = next((n for n in plain_names if norm(n) in DURATION_NAMES), None)
        return Layout(format, header_rows, plain_names, texts, meta, respondent, finished, duration)

    if format == "surveymonkey":
        statements = row(1)
        # the second header row is blank under the tool's own columns; a data row is not
        two_rows = len(rows) > 1 and not (header and norm(header[0]) in SURVEYMONKEY_META and statements[0])
        if not two_rows:
            statements = [""] * width
        names, texts, meta, question = [], [], set(), ""
        for k, (top, statement) in enumerate(zip(header, statements)):
            if top or not two_rows:   # a question's text stands over its block of columns
                question = top
            if top and norm(top) in SURVEYMONKEY_META:
                names.append(top)
                texts.append([top])
                meta.add(top)
                question = ""
                continue
            if not statement or norm(statement) in SURVEYMONKEY_RESPONSE:
                names.append(question or f"Unnamed: {k}")
                texts.append([question] if question else [])
            else:
                names.append(f"{question} - {statement}" if question else statement)
                texts.append([statement] + ([question, f"{question} - {statement}"] if question else []))
        names = _unique(names)
        respondent = next((n for n in names if n in meta and norm(n) in ("respondent id", "respondent-id",
                                                                        "respondentens id")), None)
        return Layout(format, 2 if two_rows else 1, names, texts, meta, respondent, times=_times(names))

    if format == "google":
        texts = []
        for name in plain_names:
            grid = re.fullmatch(r"(.*?)\s*\[(.+)\]\s*", name, flags=re.S)
            texts.append([name] + ([grid.group(2).strip(), grid.group(1).strip()] if grid else []))
        meta = {n for n in plain_names if norm(n) in GOOGLE_META}
        return Layout(format, 1, plain_names, texts, meta)

    if format == "microsoft":
        texts = [[n] + _after_separators(n, (".",)) for n in plain_names]
        meta = {n for n in plain_names if norm(n) in MICROSOFT_META}
        respondent = next((n for n in plain_names if norm(n) == "id"), None)
        return Layout(format, 1, plain_names, texts, meta, respondent, times=_times(plain_names))

    return Layout("plain", 1, list(header) if all(header) else plain_names, [[n] for n in plain_names])


DURATION_NAMES = {norm(n) for n in ("Duration (in seconds)", "Varaktighet (i sekunder)", "Längd (i sekunder)")}
START_NAMES = {norm(n) for n in ("Start Date", "Startdatum", "Start time", "Starttid")}
END_NAMES = {norm(n) for n in ("End Date", "Slutdatum", "Completion time", "Sluttid", "Slutförandetid")}


def _times(names) -> tuple | None:
    """The (start, end) time-stamp columns of a response, when the tool writes both."""
    start = next((n for n in names if norm(n) in START_NAMES), None)
    end = next((n for n in names if norm(n) in END_NAMES), None)
    return (start, end) if start and end else None


FALSE_TEXTS = {"false", "0", "falskt", "nej", "no"}


def is_false(text: str) -> bool:
    """A `Finished` cell that marks a partial response (Qualtrics writes True/False, or 1/0)."""
    return norm(text) in FALSE_TEXTS
