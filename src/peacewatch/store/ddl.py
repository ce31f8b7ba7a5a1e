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


STORE_META = "CREATE TABLE IF NOT EXISTS store_meta (key VARCHAR NOT NULL, value VARCHAR NOT NULL)"


def _meta_rows() -> tuple[tuple[str, str], ...]:
    return (("schema_version", str(SCHEMA_VERSION)), ("hash_duckdb", duckdb.__version__))


def create_statements(present: set[str] | None = None, meta_keys: set[str] | None = None) -> list[str]:
    """CREATE TABLE statements for every canonical table, plus the store's own metadata; given the
    tables ``present`` and the ``meta_keys`` store_meta holds, only those missing (a store already
    made needs none, and each statement on the lake costs a catalog round trip)."""
    present = present or set()
    out = [
        f"CREATE TABLE IF NOT EXISTS {name} ({', '.join(_column_sql(c) for c in cols)})"
        for name, cols in TABLES.items()
        if name not in present
    ]
    if "taxonomies" not in present:
        out.append(TAXONOMIES)
    if "store_meta" not in present:
        out.append(STORE_META)
    for key, value in _meta_rows():
        if meta_keys is None or key not in meta_keys:
            out.append(
                f"INSERT INTO store_meta SELECT '{key}', '{value}' "
                f"WHERE NOT EXISTS (SELECT 1 FROM store_meta WHERE key = '{key}')"
            )
    return out


def _present(con: duckdb.DuckDBPyConnection) -> tuple[set[str], set[str] | None]:
    """The lake's tables, and the keys of its store_meta (None when it has no store_meta yet)."""
    tables = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main'"
        ).fetchall()
    }
    if "store_meta" not in tables:
        return tables, None
    return tables, {r[0] for r in con.execute("SELECT key FROM store_meta").fetchall()}


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
    for stmt in create_statements(*_present(con)):
        con.execute(stmt)


def ended(con: duckdb.DuckDBPyConnection) -> None:
    """Forget ``con``'s transaction (committed, or rolled back by closing the connection)."""
    _OPEN.discard(id(con))


# Connections whose write transaction begin() opened (by id: a DuckDB connection takes no attributes).
_OPEN: set[int] = set()
