"""Tables of the store, created from ``peacewatch.schema``: the one place the schema becomes SQL."""

from __future__ import annotations

from peacewatch.schema import TABLES, Column

SCHEMA_VERSION = 1


def _column_sql(c: Column) -> str:
    return f'"{c.name}" {c.type}' + ("" if c.nullable else " NOT NULL")


def create_statements() -> list[str]:
    """CREATE TABLE statements for every canonical table, plus the store's own metadata."""
    out = [
        f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(_column_sql(c) for c in cols)})"
        for name, cols in TABLES.items()
    ]
    out.append("CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    out.append(
        f"INSERT INTO store_meta VALUES ('schema_version', '{SCHEMA_VERSION}') ON CONFLICT (key) DO NOTHING"
    )
    return out
