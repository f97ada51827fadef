"""The store's schema history: an ordered list of migrations, applied in one transaction on open.

Why a short list of SQL steps and not Alembic: the kit's store is nine tables written in SQL that
runs on SQLite and PostgreSQL alike, and its bulk paths (multi-row inserts, chunked reads) stay
hand-written either way; Alembic on SQLAlchemy Core would add four packages (about 33 MB), about
0.3 s and 34 MB of memory to every start of the CLI, the form and each report kernel, and would
remove only the ten-line dialect shim. README.md ("Store upgrades") has the measurements.

Each migration moves the schema from version N-1 to N. A step is either SQL (with `{pk}`, `{blob}` and
`{without_rowid}` filled in per database) or a function taking the store, for data that has to be
rewritten. Migration 1 is the v0.1.0 schema exactly as that release created it; a new store runs
every migration, an older one the ones it lacks. Never edit a migration that has shipped: add one.
"""

from __future__ import annotations

import random
import secrets
from dataclasses import dataclass


@dataclass(frozen=True)
class Migration:
    version: int
    summary: str
    steps: tuple   # SQL strings and/or callables (store) -> None


_V1 = (
    "CREATE TABLE IF NOT EXISTS meta (key VARCHAR(64) PRIMARY KEY, value TEXT NOT NULL)",
    """CREATE TABLE IF NOT EXISTS waves (
        wave_id {pk}, name VARCHAR(200) NOT NULL UNIQUE, opens DATE, closes DATE,
        status VARCHAR(10) NOT NULL DEFAULT 'open', template_json TEXT NOT NULL, created_at VARCHAR(32) NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS teams (
        team_id {pk}, name VARCHAR(200) NOT NULL UNIQUE, parent_id INTEGER REFERENCES teams(team_id))""",
    """CREATE TABLE IF NOT EXISTS headcounts (
        wave_id INTEGER NOT NULL REFERENCES waves(wave_id), team_id INTEGER NOT NULL REFERENCES teams(team_id),
        headcount INTEGER NOT NULL, PRIMARY KEY (wave_id, team_id))""",
    """CREATE TABLE IF NOT EXISTS respondents (
        respondent_id {pk}, wave_id INTEGER NOT NULL REFERENCES waves(wave_id),
        team_id INTEGER NOT NULL REFERENCES teams(team_id), respondent_key VARCHAR(64) NOT NULL,
        source VARCHAR(20) NOT NULL, language VARCHAR(10), submitted_on DATE, UNIQUE (wave_id, respondent_key))""",
    """CREATE TABLE IF NOT EXISTS answers (
        respondent_id INTEGER NOT NULL REFERENCES respondents(respondent_id), item VARCHAR(64) NOT NULL,
        value INTEGER NOT NULL, PRIMARY KEY (respondent_id, item)){without_rowid}""",
    """CREATE TABLE IF NOT EXISTS comments (
        comment_id {pk}, wave_id INTEGER NOT NULL REFERENCES waves(wave_id),
        team_id INTEGER NOT NULL REFERENCES teams(team_id), question VARCHAR(64) NOT NULL, text TEXT NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS imports (
        wave_id INTEGER NOT NULL REFERENCES waves(wave_id), sha256 VARCHAR(64) NOT NULL, filename TEXT NOT NULL,
        respondents INTEGER NOT NULL, imported_at VARCHAR(32) NOT NULL, PRIMARY KEY (wave_id, sha256))""",
    """CREATE TABLE IF NOT EXISTS codes (
        code_hash VARCHAR(64) PRIMARY KEY, wave_id INTEGER NOT NULL REFERENCES waves(wave_id),
        team_id INTEGER NOT NULL REFERENCES teams(team_id), used INTEGER NOT NULL DEFAULT 0)""",
    "CREATE INDEX IF NOT EXISTS respondents_by_wave ON respondents (wave_id, team_id)",
)


def comment_key() -> str:
    """A comment's key: random, so neither its value nor the table's order follows submission order."""
    return secrets.token_hex(16)


def random_keys(count: int) -> list[str]:
    """`count` random keys like `comment_key`'s, from one call to the system's random source (bulk inserts
    of comments and of respondents without an id)."""
    raw = secrets.token_bytes(16 * count).hex()
    return [raw[k:k + 32] for k in range(0, 32 * count, 32)]


def _unlinkable_comments(store) -> None:
    """v0.1.0 numbered comments in submission order, the same order as respondents: rewrite them
    with random keys, in random order, so the file no longer pairs a comment with its author."""
    rows = store._all("SELECT wave_id, team_id, question, text FROM comments")
    random.SystemRandom().shuffle(rows)
    store._exec("DROP TABLE comments")
    store._exec(store._dialect.format(_COMMENTS_V2))
    store._many("INSERT INTO comments (comment_key, wave_id, team_id, question, text) VALUES (?, ?, ?, ?, ?)",
                [(comment_key(), *row) for row in rows])


_COMMENTS_V2 = """CREATE TABLE comments (
    comment_key VARCHAR(32) PRIMARY KEY, wave_id INTEGER NOT NULL REFERENCES waves(wave_id),
    team_id INTEGER NOT NULL REFERENCES teams(team_id), question VARCHAR(64) NOT NULL, text TEXT NOT NULL){without_rowid}"""

ACTION_STATUSES = ("planned", "started", "done", "dropped")

_ACTIONS = f"""CREATE TABLE actions (
    action_id {{pk}}, team_id INTEGER REFERENCES teams(team_id), wave_id INTEGER NOT NULL REFERENCES waves(wave_id),
    scale VARCHAR(64) NOT NULL, text TEXT NOT NULL, owner VARCHAR(200), due DATE,
    status VARCHAR(10) NOT NULL DEFAULT 'planned' CHECK (status IN ({', '.join(repr(s) for s in ACTION_STATUSES)})),
    notes TEXT NOT NULL DEFAULT '', created_at VARCHAR(32) NOT NULL, updated_at VARCHAR(32) NOT NULL)"""

_IMPORTS_V3 = """CREATE TABLE imports_v3 (
    import_id {pk}, wave_id INTEGER NOT NULL REFERENCES waves(wave_id), sha256 VARCHAR(64) NOT NULL,
    filename TEXT NOT NULL, respondents INTEGER NOT NULL, imported_at VARCHAR(32) NOT NULL,
    linked INTEGER NOT NULL DEFAULT 1, UNIQUE (wave_id, sha256))"""


def _numbered_imports(store) -> None:
    """Give every import an id, and record which respondents and comments came from it.

    Imports made before this version did not record their rows. One is linked to its rows here only
    when nothing else can be mixed in: it is the only import of its wave, and every respondent of the
    wave came from an import and their number is the one the import recorded (then every comment of
    the wave is its own too). Any other earlier import keeps `linked = 0`: it is listed, but undoing it
    is refused, since its rows cannot be told apart from others'."""
    rows = store._all("SELECT wave_id, sha256, filename, respondents, imported_at FROM imports")
    rows.sort(key=lambda r: (str(r[4]), r[0], r[1]))
    store._exec(store._dialect.format(_IMPORTS_V3))
    for row in rows:
        store._exec("INSERT INTO imports_v3 (wave_id, sha256, filename, respondents, imported_at, linked) "
                    "VALUES (?, ?, ?, ?, ?, 0)", row)
    store._exec("DROP TABLE imports")
    store._exec("ALTER TABLE imports_v3 RENAME TO imports")
    store._exec("ALTER TABLE respondents ADD COLUMN import_id INTEGER")
    store._exec("ALTER TABLE comments ADD COLUMN import_id INTEGER")
    # no index on import_id: every insert would pay for it, and only a rare undo reads by it (a scan)
    for import_id, wave_id, count in store._all(
            "SELECT i.import_id, i.wave_id, i.respondents FROM imports i WHERE (SELECT COUNT(*) FROM imports o "
            "WHERE o.wave_id = i.wave_id) = 1"):
        total, from_imports = store._all("SELECT COUNT(*), SUM(CASE WHEN source = 'import' THEN 1 ELSE 0 END) "
                                         "FROM respondents WHERE wave_id = ?", (wave_id,))[0]
        if total and total == from_imports == count:
            store._exec("UPDATE respondents SET import_id = ? WHERE wave_id = ?", (import_id, wave_id))
            store._exec("UPDATE comments SET import_id = ? WHERE wave_id = ?", (import_id, wave_id))
            store._exec("UPDATE imports SET linked = 1 WHERE import_id = ?", (import_id,))


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "v0.1.0: waves, teams, headcounts, respondents, answers, comments, imports, codes", _V1),
    Migration(2, "actions agreed per group and scale; comments keyed at random (unlinkable to respondents)", (
        _unlinkable_comments,
        _ACTIONS,
        "CREATE INDEX actions_by_wave ON actions (wave_id, team_id)",
    )),
    Migration(3, "imports numbered; respondents and comments record the import they came from (to undo it)", (
        _numbered_imports,
    )),
    Migration(4, "a flag for responses much faster than their file's median time (the times are not kept)", (
        "ALTER TABLE respondents ADD COLUMN fast INTEGER",
    )),
    Migration(5, "a change counter per wave, and each wave's protected aggregate table stored for that counter", (
        "ALTER TABLE waves ADD COLUMN data_version INTEGER NOT NULL DEFAULT 0",
        """CREATE TABLE aggregates (
            wave_id INTEGER PRIMARY KEY REFERENCES waves(wave_id), data_version INTEGER NOT NULL,
            format INTEGER NOT NULL, computed_at VARCHAR(32) NOT NULL, texts TEXT NOT NULL, numbers {blob} NOT NULL)""",
    )),
)
LATEST = MIGRATIONS[-1].version


def pending(version: int) -> list[Migration]:
    """The migrations a store at `version` still needs, in order (0: a new, empty store)."""
    return [m for m in MIGRATIONS if m.version > version]


def apply(store, migration: Migration) -> None:
    """Run one migration's steps on the store's open transaction."""
    for step in migration.steps:
        if isinstance(step, str):
            store._exec(store._dialect.format(step))
        else:
            step(store)


__all__ = ["Migration", "MIGRATIONS", "LATEST", "ACTION_STATUSES", "pending", "apply", "comment_key", "random_keys"]
