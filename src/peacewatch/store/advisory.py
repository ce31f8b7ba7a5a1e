"""The writer lock of a team store: a PostgreSQL session-level advisory lock, since a flock on one
machine does not stop a writer on another.

The lock is taken on a session of its own (a DuckDB connection with the postgres extension, attached
to the catalog's database, held in one transaction so that the lock and its release run on the same
PostgreSQL connection), by polling ``pg_try_advisory_lock`` with a bounded wait like the flock's. The
key is derived from the lake's name, so every peacewatch writing the same lake asks for the same lock;
advisory locks belong to one database, so two lakes in two databases never wait on each other. A
writer that dies (kill -9, a lost network) loses its session and the server releases the lock.

>>> lock_key("lake")
-7345181059579813857
"""

from __future__ import annotations

import hashlib
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import duckdb

from peacewatch.errors import StoreError
from peacewatch.store import extensions
from peacewatch.store.location import sql_literal
from peacewatch.store.postgres import PostgresCatalog

ALIAS = "peacewatch_writer_lock"


def lock_key(name: str) -> int:
    """The advisory lock key (a signed 64-bit integer) of the lake called ``name``."""
    digest = hashlib.sha256(b"peacewatch writer\x00" + name.encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _query(con: duckdb.DuckDBPyConnection, sql: str) -> list[tuple]:
    return con.execute(f"SELECT * FROM postgres_query('{ALIAS}', {sql_literal(sql)})").fetchall()


def _holder(con: duckdb.DuckDBPyConnection, key: int) -> str:
    """Who holds the lock, as far as the server lets us see: its application name, address and start."""
    unsigned = key & 0xFFFFFFFFFFFFFFFF
    sql = (
        "SELECT coalesce(a.application_name, '') AS name, "
        "coalesce(host(a.client_addr), 'a local socket') AS address, "
        "to_char(a.backend_start AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || ' UTC' AS since "
        "FROM pg_locks l LEFT JOIN pg_stat_activity a ON a.pid = l.pid "
        "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
        f"AND l.classid = {unsigned >> 32} AND l.objid = {unsigned & 0xFFFFFFFF} "
        "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    )
    try:
        rows = _query(con, sql)
    except duckdb.Error:
        return ""
    if not rows:
        return ""
    name, where, since = rows[0]
    who = f"the session {name!r}" if name else "a session"
    return f"{who}, from {where}" + (f", since {since}" if since else "")


@contextmanager
def advisory_lock(catalog: PostgresCatalog, wait: float, command: str | None = None) -> Iterator[None]:
    """Hold the lake's writer lock for the block; wait up to ``wait`` seconds for another writer, then
    fail with a StoreError that names the lake and, when the server shows it, the holder. ``command`` is
    not sent: a command line may carry the password; the session is named by pid and host instead."""
    label = f"peacewatch pid {os.getpid()} on {socket.gethostname()}"[:63]  # PostgreSQL keeps 63 bytes
    params = dict(catalog.params)
    params["application_name"] = label
    session = PostgresCatalog(tuple(params.items()))
    con = duckdb.connect(config={"autoinstall_known_extensions": False, "autoload_known_extensions": False})
    key = lock_key(catalog.name)
    try:
        try:
            extensions.load(con, ("postgres",))
            con.execute(f"ATTACH {sql_literal(session.conninfo(secrets=True))} AS {ALIAS} (TYPE postgres)")
            con.execute("BEGIN")
            deadline = time.monotonic() + max(wait, 0)
            delay = 0.05
            while not _query(con, f"SELECT pg_try_advisory_lock({key})")[0][0]:
                if time.monotonic() >= deadline:
                    holder = _holder(con, key)
                    raise StoreError(
                        f"{catalog}: another peacewatch process is writing this store (it holds the "
                        f"lake's writer lock in PostgreSQL{': ' + holder if holder else ''}); waited "
                        f"{wait:g} s.",
                        hint="Wait for it to finish and run the command again, or give a longer --wait.",
                    )
                time.sleep(delay)
                delay = min(delay * 2, 0.5)
        except duckdb.Error as exc:
            raise StoreError(
                f"{catalog}: cannot take the writer lock in PostgreSQL ({catalog.scrub(_first_line(exc))}).",
                hint="Check that the server is reachable and the role may connect (--store); the password "
                "comes from PGPASSWORD or ~/.pgpass.",
            ) from None
        yield
    finally:
        with suppress(duckdb.Error):
            _query(con, f"SELECT pg_advisory_unlock({key})")
        with suppress(duckdb.Error):
            con.execute("ROLLBACK")
        con.close()


def _first_line(exc: Exception) -> str:
    message = str(exc).strip()
    return message.splitlines()[0] if message else type(exc).__name__
