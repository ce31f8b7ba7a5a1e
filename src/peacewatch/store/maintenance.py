"""Compacting a store's history: expire all but the last snapshots, then delete the files only they
needed, under the writer lock.

The current state is never changed: DuckLake refuses to expire the latest snapshot, and expiring a
snapshot removes only the catalog's record of it and the files no kept snapshot reads. What is lost is
the past: a result, brief or command that names an expired snapshot (``--snapshot N``) can no longer be
reproduced, so :func:`compact` returns the snapshots it dropped for the caller to say so.

Three kinds of files go: data and delete files of the expired snapshots only
(``ducklake_cleanup_old_files``), files in the data folder the catalog does not know, such as those of
a writer killed mid-ingest (``ducklake_delete_orphaned_files``), and archived source files no kept
snapshot refers to (neither a catalog row nor an event's ``source_file``).

>>> from peacewatch.store import Store
>>> compact(Store(".peacewatch/demo"), keep=3, dry_run=True).expired   # doctest: +SKIP
[{'snapshot_id': 1, 'time': '2026-12-07T02:40:17+00:00', 'command': 'peacewatch ingest ged.csv'}]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from peacewatch.errors import StoreError
from peacewatch.store import lake
from peacewatch.store.lake import ALIAS
from peacewatch.store.location import DEFAULT_WAIT
from peacewatch.store.snapshots import snapshot_list

if TYPE_CHECKING:
    from peacewatch.store import Store


@dataclass(frozen=True)
class CompactReport:
    """What a compaction dropped (or, with ``dry_run``, would drop)."""

    kept: list[int]
    expired: list[dict[str, Any]]
    data_files: list[str] = field(default_factory=list)
    orphaned_files: list[str] = field(default_factory=list)
    archive_files: list[str] = field(default_factory=list)
    bytes_freed: int = 0
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "kept": self.kept,
            "expired": self.expired,
            "data_files": self.data_files,
            "orphaned_files": self.orphaned_files,
            "archive_files": self.archive_files,
            "bytes_freed": self.bytes_freed,
        }


def compact(
    store: Store, keep: int, *, dry_run: bool = False, wait: float = DEFAULT_WAIT, message: str | None = None
) -> CompactReport:
    """Expire every snapshot of ``store`` but the last ``keep`` (at least 1: the current state), then
    delete the files no kept snapshot needs. With ``dry_run``, only say what would go."""
    if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
        raise StoreError(
            f"--keep {keep!r}: expected a whole number of snapshots to keep, 1 or more (1 keeps only the "
            "current state)."
        )
    if not store.exists():
        raise StoreError(
            f"{store.location.describe()}: no store here yet.",
            hint="Point --store or PEACEWATCH_STORE at a store folder made by `peacewatch ingest`.",
        )
    with store.location.lock(wait, message or "peacewatch store compact"):
        con = lake.connect(store.location, read_only=False)
        try:
            return _compact_locked(store, con, keep, dry_run)
        finally:
            con.close()


def _compact_locked(store: Store, con, keep: int, dry_run: bool) -> CompactReport:
    snaps = snapshot_list(con)
    ids = [s["snapshot_id"] for s in snaps]
    kept, dropped = ids[-keep:], ids[:-keep]
    expired = [
        {k: s[k] for k in ("snapshot_id", "time", "command")} for s in snaps if s["snapshot_id"] in dropped
    ]
    folder = getattr(store.location, "folder", None)
    if dry_run:
        # What the expiry would free is known only once it is done: do it in a transaction, list the
        # files the clean-ups would delete (dry runs of their own), and roll it all back.
        con.execute("BEGIN TRANSACTION")
        try:
            _expire(con, dropped)
            old = _paths(con, "ducklake_cleanup_old_files", dry_run=True)
            orphans = _paths(con, "ducklake_delete_orphaned_files", dry_run=True)
            archive = _unreferenced_archive(con, folder, kept)
        finally:
            con.execute("ROLLBACK")
        return CompactReport(kept, expired, old, orphans, archive, _size(old + orphans + archive), True)
    _expire(con, dropped)
    old_size = _size(_paths(con, "ducklake_cleanup_old_files", dry_run=True))
    old = _paths(con, "ducklake_cleanup_old_files", dry_run=False)
    orphan_list = _paths(con, "ducklake_delete_orphaned_files", dry_run=True)
    orphan_size = _size(orphan_list)
    orphans = _paths(con, "ducklake_delete_orphaned_files", dry_run=False)
    archive = _unreferenced_archive(con, folder, kept)
    archive_size = _size(archive)
    for path in archive:
        Path(path).unlink(missing_ok=True)
    return CompactReport(kept, expired, old, orphans, archive, old_size + orphan_size + archive_size, False)


def _expire(con, dropped: list[int]) -> None:
    if dropped:
        lake.retrying(
            lambda: con.execute(
                f"SELECT snapshot_id FROM ducklake_expire_snapshots('{ALIAS}', versions => ?)", [dropped]
            ).fetchall()
        )


def _paths(con, function: str, *, dry_run: bool) -> list[str]:
    rows = lake.retrying(
        lambda: con.execute(
            f"SELECT path FROM {function}('{ALIAS}', cleanup_all => true, dry_run => {str(dry_run).lower()})"
        ).fetchall()
    )
    return sorted(str(r[0]) for r in rows)


def _size(paths: list[str]) -> int:
    total = 0
    for p in paths:
        try:
            total += os.stat(p).st_size
        except OSError:
            continue
    return total


def _unreferenced_archive(con, folder: Path | None, kept: list[int]) -> list[str]:
    """Archived source files (archive/<sha256><suffixes>) that no kept snapshot refers to: no catalog
    row names them and no event keeps them as its ``source_file``."""
    if folder is None or not (folder / "archive").is_dir():
        return []
    tables = {
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = ? AND schema_name = 'main'", [ALIAS]
        ).fetchall()
    }
    queries = [(t, "sha256") for t in ("datasets",) if t in tables]
    queries += [
        (t, "source_file") for t in ("events", "counts") if t in tables and "source_file" in _columns(con, t)
    ]
    used: set[str] = set()
    for n in kept:
        for table, column in queries:
            sql = f"SELECT DISTINCT {column} FROM {ALIAS}.{table} AT (VERSION => {int(n)})"
            try:
                rows = lake.retrying(lambda sql=sql: con.execute(sql).fetchall())
            except (duckdb.CatalogException, duckdb.InvalidInputException):
                continue  # the table was made after snapshot n: it refers to nothing then
            used |= {r[0] for r in rows if r[0]}
    out = []
    for path in sorted((folder / "archive").iterdir()):
        digest = path.name.split(".", 1)[0]
        if path.is_file() and len(digest) == 64 and digest not in used:
            out.append(str(path))
    return out


def _columns(con, table: str) -> set[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = ? AND schema_name = 'main' "
        "AND table_name = ?",
        [ALIAS, table],
    ).fetchall()
    return {r[0] for r in rows}


__all__ = ["CompactReport", "compact"]
