"""Connections to the lake: DuckDB with the packaged extensions, the store attached as ``lake``.

Every connection attaches the lake when it opens and detaches it when it closes. A reader attaches
read-only at one snapshot (``SNAPSHOT_VERSION``), so all its queries read that snapshot while a writer
commits; a writer attaches read-write. Readers take no lock; a SQLite catalog can still answer
"database is locked" for a moment while a commit holds it, so reads retry that a bounded number of
times (docs/adr/0012).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
import urllib.parse
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

import duckdb

from peacewatch.errors import StoreError
from peacewatch.store import extensions
from peacewatch.store.location import ALIAS, sql_literal

T = TypeVar("T")

# A catalog commit holds the SQLite file for milliseconds; a loaded machine stretches that to seconds.
RETRIES = 30
META = f"__ducklake_metadata_{ALIAS}"
SNAPSHOT_TABLE = "ducklake_snapshot"  # in the catalog: one row per committed snapshot


def _locked(exc: Exception) -> bool:
    return "database is locked" in str(exc) or "database table is locked" in str(exc)


def retrying(fn: Callable[[], T], retries: int = RETRIES) -> T:
    """``fn()``, again after a short sleep while the catalog answers "database is locked"."""
    delay = 0.02
    for attempt in range(retries + 1):
        try:
            return fn()
        except duckdb.Error as exc:
            if attempt == retries or not _locked(exc):
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
    raise AssertionError("unreachable")  # pragma: no cover


def connect(location, *, read_only: bool, snapshot: int | None = None, config: dict | None = None):
    """A new DuckDB connection with ``location`` attached as ``lake`` and in use (``USE lake``), so
    that plain table names (``events``) are the lake's."""
    con = duckdb.connect(
        config={"autoinstall_known_extensions": False, "autoload_known_extensions": False, **(config or {})}
    )
    try:
        with contextlib.suppress(duckdb.Error):  # in Jupyter DuckDB refuses it without ipywidgets
            con.execute("SET enable_progress_bar = false")
        extensions.load(con, location.extension_packages)
        retrying(lambda: con.execute(location.attach_sql(read_only=read_only, snapshot=snapshot)))
        con.execute(f"USE {ALIAS}")
    except duckdb.InvalidInputException as exc:
        con.close()
        if snapshot is not None and "No snapshot found" in str(exc):
            raise unknown_snapshot(location, snapshot) from None
        raise _attach_failed(location, exc) from None
    except duckdb.Error as exc:
        con.close()
        raise _attach_failed(location, exc) from None
    except BaseException:
        con.close()
        raise
    return con


def _attach_failed(location, exc: duckdb.Error) -> Exception:
    """The error of a failed ATTACH as the location words it (a team store's without its password:
    DuckDB's message quotes the connection string), else DuckDB's own."""
    worded = getattr(location, "attach_error", None)
    return exc if worded is None else worded(exc)


def reattach(con, location, snapshot: int) -> None:
    """Attach ``location`` again on ``con``, read-only at ``snapshot`` (the extensions stay loaded)."""
    con.execute("USE memory")
    con.execute(f"DETACH {ALIAS}")
    retrying(lambda: con.execute(location.attach_sql(read_only=True, snapshot=snapshot)))
    con.execute(f"USE {ALIAS}")


def attach_writable(con, location, config: dict) -> None:
    """Attach ``location`` again on ``con`` (a read connection), read-write and with ``config`` set,
    as :func:`connect` makes a writer; the extensions stay loaded. ``con`` is closed on failure."""
    try:
        for name, value in config.items():
            shown = str(value).lower() if isinstance(value, bool) else sql_literal(str(value))
            con.execute(f"SET {name} = {shown}")
        con.execute("USE memory")
        con.execute(f"DETACH {ALIAS}")
        retrying(lambda: con.execute(location.attach_sql(read_only=False)))
        con.execute(f"USE {ALIAS}")
    except duckdb.Error as exc:
        con.close()
        raise _attach_failed(location, exc) from None
    except BaseException:
        con.close()
        raise


def latest_snapshot(con) -> int:
    """The newest committed snapshot id, read from the catalog itself (also from a pinned attachment)."""
    return retrying(
        lambda: con.execute(f"SELECT max(snapshot_id) FROM {META}.{SNAPSHOT_TABLE}").fetchone()[0]
    )


class CatalogPeek:
    """The newest snapshot id of a local store, read from its SQLite catalog with Python's sqlite3, a
    fresh connection each time: about a fifth of the time the same query takes through DuckDB's SQLite
    scanner (measured in docs/adr/0015's addendum). The server asks it on every request, to know
    whether its cache is current. A connection kept open would not do: it can miss a commit made by
    another process (its copy of the WAL index goes stale once the writer's last connection closes), so
    the catalog is opened again, as DuckDB's scanner does. Any SQLite error returns None, and the
    caller asks DuckDB instead."""

    def __init__(self, catalog: Path):
        self.uri = f"file:{urllib.parse.quote(str(catalog))}?mode=ro"

    def latest(self) -> int | None:
        try:
            db = sqlite3.connect(self.uri, uri=True)
        except sqlite3.Error:
            return None
        try:
            rows = db.execute(f"SELECT max(snapshot_id) FROM {SNAPSHOT_TABLE}").fetchall()
        except sqlite3.Error:
            return None
        finally:
            db.close()
        return rows[0][0] if rows and isinstance(rows[0][0], int) else None


def snapshot_range(con) -> tuple[int, int]:
    return retrying(
        lambda: con.execute(
            f"SELECT min(snapshot_id), max(snapshot_id) FROM {META}.ducklake_snapshot"
        ).fetchone()
    )


def snapshot_at(con, when: datetime | str) -> int | None:
    """The id of the last snapshot committed at or before ``when`` (an ISO timestamp; UTC unless it
    says otherwise), or None when the store has none that old."""
    stamp = when.isoformat() if isinstance(when, datetime) else str(when).strip()
    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is not None and moment.tzinfo is None:
        stamp = moment.replace(tzinfo=UTC).isoformat()  # UTC, whatever the machine's zone
    try:
        return retrying(
            lambda: con.execute(
                f"SELECT max(snapshot_id) FROM {ALIAS}.snapshots() "
                f"WHERE snapshot_time <= CAST({sql_literal(stamp)} AS TIMESTAMPTZ)"
            ).fetchone()[0]
        )
    except duckdb.ConversionException:
        raise StoreError(
            f"expected a snapshot time as an ISO timestamp (2026-12-07T03:00:00Z), found {stamp!r}.",
            hint="Give a snapshot id, or a date and time in ISO form.",
        ) from None


def unknown_snapshot(location, snapshot: Any) -> StoreError:
    """The StoreError for a snapshot id the store does not hold, listing the range it does."""
    con = connect(location, read_only=True)
    try:
        lo, hi = snapshot_range(con)
    finally:
        con.close()
    return StoreError(
        f"{location.describe()}: no snapshot {snapshot}; this store holds snapshots {lo} to {hi}.",
        hint="Give one of those (`peacewatch snapshots` lists them with their commands).",
    )


class IbisTables:
    """An Ibis backend on a read connection whose ``table(name)`` is made once: Ibis asks DuckDB for
    the schema on every ``table()`` call, which through the lake's catalog is a query of its own
    (17 ms of a 60 ms series on two million events). The connection reads one snapshot, so the
    schema cannot change under it. Everything else is the backend's."""

    def __init__(self, backend) -> None:
        self.backend = backend
        self._tables: dict[str, Any] = {}

    def table(self, name: str, *args, **kwargs):
        if args or kwargs:
            return self.backend.table(name, *args, **kwargs)
        if name not in self._tables:
            self._tables[name] = self.backend.table(name)
        return self._tables[name]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.backend, name)
