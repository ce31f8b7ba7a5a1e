"""Tables of the store, created from ``peacewatch.schema``: the one place the schema becomes SQL.

DuckLake tables have no primary keys; the store keeps keys unique itself (one writer at a time).
``store_meta`` records the schema version and the DuckDB version whose ``hash()`` computed the
events' ``content_hash`` (not promised stable across DuckDB versions: docs/adr/0012).
"""

from __future__ import annotations

import duckdb

from peacewatch.schema import TABLES, Column

SCHEMA_VERSION = 2
TAXONOMIES = (
    "CREATE TABLE IF NOT EXISTS taxonomies (path VARCHAR NOT NULL, sha256 VARCHAR NOT NULL, "
    "text VARCHAR NOT NULL, added_at TIMESTAMP NOT NULL)"
)


def _column_sql(c: Column) -> str:
    return f'"{c.name}" {c.type}' + ("" if c.nullable else " NOT NULL")


def create_statements() -> list[str]:
    """CREATE TABLE statements for every canonical table, plus the store's own metadata."""
    out = [
        f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(_column_sql(c) for c in cols)})"
        for name, cols in TABLES.items()
    ]
    out.append(TAXONOMIES)
    out.append("CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR NOT NULL, value VARCHAR NOT NULL)")
    for key, value in (("schema_version", str(SCHEMA_VERSION)), ("hash_duckdb", duckdb.__version__)):
        out.append(
            f"INSERT INTO store_meta SELECT '{key}', '{value}' "
            f"WHERE NOT EXISTS (SELECT 1 FROM store_meta WHERE key = '{key}')"
        )
    return out


def begin(con: duckdb.DuckDBPyConnection) -> None:
    """Open a write's one transaction (so one snapshot), unless it is open already, and make the
    store's tables in it when they are missing.

    A write stages its files first, outside the transaction, and opens it just before its first
    change to the lake: DuckDB cannot evict the blocks of a temp table made inside an explicit
    transaction, so staging ten million rows there needed 9 GB, and two million ran out of a 300 MB
    limit, which they stay within (629 MB peak) when staged outside it (docs/adr/0012). Only the
    first file of an ingest stages outside; the files after it stage inside the open transaction."""
    if id(con) in _OPEN:
        return  # already open: this write's earlier step began it
    con.execute("BEGIN TRANSACTION")  # a BEGIN inside a transaction would abort it: hence _OPEN
    _OPEN.add(id(con))
    for stmt in create_statements():
        con.execute(stmt)


def ended(con: duckdb.DuckDBPyConnection) -> None:
    """Forget ``con``'s transaction (committed, or rolled back by closing the connection)."""
    _OPEN.discard(id(con))


# Connections whose write transaction begin() opened (by id: a DuckDB connection takes no attributes).
_OPEN: set[int] = set()
