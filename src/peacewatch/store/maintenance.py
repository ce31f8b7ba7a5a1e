"""What compacting a store drops, said before (``dry_run``) and after: the report behind
``peacewatch store compact``.

The compaction itself is :meth:`peacewatch.store.Store.compact` (store/snapshots.py): expire all but
the newest snapshots, then delete the data files only they needed, files in the data folder the catalog
does not know (a killed writer's), and archived copies no release lists, under the writer lock. The
current state is never changed. What is lost is the past: a result, brief or command that names an
expired snapshot (``--snapshot N``) can no longer be reproduced, so the report lists each dropped
snapshot with its time and command, and every file removed with the bytes freed.

A dry run takes the writer lock, expires the snapshots inside a transaction, asks DuckLake which files
its clean-ups would delete (their own dry runs), and rolls back: nothing is written.

>>> from peacewatch.store import Store
>>> compact_report(Store(".peacewatch/demo"), keep=3, dry_run=True).expired   # doctest: +SKIP
[{'snapshot_id': 0, 'time': '2026-12-07T02:40:17+00:00', 'command': None}]
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    data_files: list[str] = field(default_factory=list)  # data and delete files, a killed writer's too
    archive_files: list[str] = field(default_factory=list)
    bytes_freed: int = 0
    dry_run: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "dry_run": self.dry_run,
            "kept": self.kept,
            "expired": self.expired,
            "data_files": self.data_files,
            "archive_files": self.archive_files,
            "bytes_freed": self.bytes_freed,
        }


def compact_report(
    store: Store, keep: int, *, dry_run: bool = False, wait: float = DEFAULT_WAIT
) -> CompactReport:
    """Compact ``store`` to its last ``keep`` snapshots (:meth:`Store.compact`), or with ``dry_run``
    only say what that would drop; either way, report the snapshots and files dropped."""
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
    details = {s["snapshot_id"]: s for s in store.snapshots()}
    if dry_run:
        with store.location.lock(wait, "peacewatch store compact --dry-run"):
            con = lake.connect(store.location, read_only=False)
            try:
                kept, expired, removed = _would_remove(con, keep, store)
            finally:
                con.close()
        sizes = _sizes(removed)
    else:
        sizes = _sizes(_files(store))  # before: the removed files are gone after
        done = store.compact(keep, wait=wait)
        kept, expired, removed = done["kept"], done["expired"], done["removed"]
    archive = str(getattr(store.location, "archive_path", "")) + os.sep
    return CompactReport(
        kept=kept,
        expired=[_brief(details.get(n, {"snapshot_id": n})) for n in expired],
        data_files=sorted(p for p in removed if not p.startswith(archive)),
        archive_files=sorted(p for p in removed if p.startswith(archive)),
        bytes_freed=sum(sizes.get(p, 0) for p in removed),
        dry_run=dry_run,
    )


def _brief(snap: dict[str, Any]) -> dict[str, Any]:
    return {k: snap.get(k) for k in ("snapshot_id", "time", "command")}


def _would_remove(con, keep: int, store: Store) -> tuple[list[int], list[int], list[str]]:
    ids = [s["snapshot_id"] for s in snapshot_list(con)]
    kept, expired = ids[-keep:], ids[:-keep]
    con.execute("BEGIN TRANSACTION")
    try:
        if expired:
            con.execute(
                f"SELECT snapshot_id FROM ducklake_expire_snapshots('{ALIAS}', versions => ?)", [expired]
            ).fetchall()
        removed = [
            str(r[0])
            for function in ("ducklake_cleanup_old_files", "ducklake_delete_orphaned_files")
            for r in con.execute(
                f"SELECT path FROM {function}('{ALIAS}', cleanup_all => true, dry_run => true)"
            ).fetchall()
        ]
        folder = getattr(store.location, "archive_path", None)
        if folder is not None and Path(folder).is_dir():
            listed = {r[0] for r in con.execute("SELECT sha256 FROM releases").fetchall()}
            removed += [
                str(f) for f in sorted(Path(folder).iterdir()) if f.name.split(".", 1)[0] not in listed
            ]
    finally:
        con.execute("ROLLBACK")
    return kept, expired, removed


def _files(store: Store) -> list[str]:
    folder = getattr(store.location, "folder", None)
    if folder is None:
        return []
    return [str(p) for p in Path(folder).rglob("*") if p.is_file()]


def _sizes(paths: list[str]) -> dict[str, int]:
    out = {}
    for p in paths:
        try:
            out[p] = os.stat(p).st_size
        except OSError:
            continue
    return out


__all__ = ["CompactReport", "compact_report"]
