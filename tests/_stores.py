"""Looking inside a store the same way on SQLite and on PostgreSQL (tests that run on both databases)."""

from __future__ import annotations


def table_columns(store, table: str) -> list[str]:
    """The columns of one of the store's tables, in order."""
    return [d[0] for d in store._exec(f"SELECT * FROM {table} LIMIT 0").description]


def table_names(store) -> list[str]:
    """Every table the store has."""
    if store._dialect.name == "sqlite":
        sql = "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
    else:
        sql = "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() ORDER BY 1"
    return [row[0] for row in store._all(sql)]


def stored_text(store) -> str:
    """Every value in every table of the store, as text: what a copy of the database would give away."""
    return "\n".join(str(value) for table in table_names(store)
                     for row in store._all(f'SELECT * FROM "{table}"') for value in row)
