"""A store's tables at one snapshot as a folder of Parquet files, for other engines (Spark) to read.

    DIR/
      manifest.json                 written last: snapshot, time, versions, tables, row counts
      events/dataset_id=…/year=…/   the events, partitioned by dataset and year of date_start
      counts.parquet, datasets.parquet, quarantine.parquet, taxonomies.parquet, store_meta.parquet

The export is written into a working folder beside DIR (``.DIR.tmp-PID``) and renamed into place when
whole, its manifest last: a folder without a readable manifest is not an export (a killed export leaves
only the working folder). All tables are copied from one pinned snapshot, so they agree with each other
even while a writer commits. Readers of an export (``peacewatch.store.spark``) go through the manifest,
never through the store's own files, whose deleted rows and orphans only the store knows how to skip
(docs/adr/0011).

>>> manifest = export(Store(".peacewatch/demo", snapshot=3), Path("demo-export"))   # doctest: +SKIP
>>> manifest["tables"]["events"]["rows"]                            # doctest: +SKIP
69172
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import shutil
from pathlib import Path
from typing import Any

import duckdb

from peacewatch.errors import StoreError

MANIFEST = "manifest.json"
FORMAT = "peacewatch-export"
FORMAT_VERSION = 1
# The events are partitioned so that an engine reading one dataset and a few years opens only their
# files; ``year`` exists only in the folder names (it is year(date_start)) and readers drop it.
PARTITION_BY = ("dataset_id", "year")
# How many cached exports of a store's snapshots are kept (STORE/exports/<snapshot>/): the newest.
KEEP_CACHED = 3


def _sql_path(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def snapshot_of(store) -> int:
    """The id of the snapshot a store reads (a pinned Store keeps it for all its reads)."""
    return int(store.snapshot)


def _tables(con) -> list[str]:
    """The store's tables, in the order they are written (the events first: the longest copy)."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "AND schema_name = 'main' ORDER BY table_name"
        ).fetchall()
    ]
    return sorted(names, key=lambda n: n != "events")


def _columns(con, table: str) -> list[list[str]]:
    return [[r[0], r[1]] for r in con.execute(f'DESCRIBE "{table}"').fetchall()]


def _copy(con, table: str, work: Path) -> dict[str, Any]:
    """COPY one table into ``work``; returns its manifest entry (rows counted back from the files)."""
    rows = con.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0]
    columns = _columns(con, table)
    if table == "events" and rows:
        target = work / "events"
        con.execute(
            f"COPY (SELECT *, year(date_start) AS year FROM events) TO {_sql_path(target)} "
            f"(FORMAT parquet, PARTITION_BY ({', '.join(PARTITION_BY)}))"
        )
        entry = {"path": "events", "partition_by": list(PARTITION_BY)}
        written = con.execute(
            f"SELECT count(*) FROM read_parquet({_sql_path(target / '**' / '*.parquet')}, "
            "hive_partitioning = true)"
        ).fetchone()[0]
    else:
        # An empty table is one file with its schema (a partitioned COPY of no rows writes nothing,
        # and an engine cannot infer a schema from no files).
        name = "events" if table == "events" else f"{table}.parquet"
        target = work / name
        if table == "events":
            target.mkdir()
            target = target / "empty.parquet"
        con.execute(f'COPY (SELECT * FROM "{table}") TO {_sql_path(target)} (FORMAT parquet)')
        entry = {"path": name, "partition_by": []}
        written = con.execute(f"SELECT count(*) FROM read_parquet({_sql_path(target)})").fetchone()[0]
    if written != rows:  # the counts reconcile, or the export is not made
        raise StoreError(f"export of {table}: {rows:,} rows in the store but {written:,} written.")
    return {**entry, "rows": rows, "columns": columns}


def export(store, dest: str | os.PathLike, *, overwrite: bool = False) -> dict[str, Any]:
    """Write the tables of ``store`` at the snapshot it reads into ``dest``; returns the manifest.

    An existing ``dest`` that is not empty is refused unless ``overwrite`` (then it is replaced only
    once the new export is whole). ``store`` is read at one snapshot: its own when pinned
    (``Store(path, snapshot=N)``), else the latest when the export starts."""
    dest = Path(dest).expanduser().resolve()
    if dest.exists() and not dest.is_dir():
        raise StoreError(f"{dest}: a file is there; an export is a folder.", hint="Choose another DIR.")
    if dest.is_dir() and any(dest.iterdir()) and not overwrite:
        raise StoreError(
            f"{dest}: the folder is not empty; an export writes a folder of its own.",
            hint="Choose a new or empty DIR, or pass --overwrite to replace what is there.",
        )
    if dest == store.path or (store.path in dest.parents and not _is_cache(store, dest)):
        raise StoreError(f"{dest}: inside the store {store.path}.", hint="Export to a folder outside it.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = dest.with_name(f".{dest.name}.tmp-{os.getpid()}")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir()
    try:
        store = store.pinned()  # one snapshot for every table, whatever a writer commits meanwhile
        with store.raw() as con:
            tables = {t: _copy(con, t, work) for t in _tables(con)}
        manifest = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "snapshot": snapshot_of(store),
            "store": str(store.path),
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "peacewatch": _version(),
            "duckdb": duckdb.__version__,
            "tables": tables,
        }
        (work / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        _put_in_place(work, dest, replace=overwrite)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return manifest


def _version() -> str:
    # From the installed distribution: the store sits below the package root in the import order.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("peacewatch")
    except PackageNotFoundError:
        return "unknown"


class ExportRaceError(StoreError):
    """Another process put an export at DIR while this one was writing its own."""


def _put_in_place(work: Path, dest: Path, *, replace: bool) -> None:
    """Rename the whole export ``work`` to ``dest``: over an absent or empty folder, or with
    ``replace`` over what is there (moved aside first, removed once the new one is in place)."""
    old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
    if replace and dest.exists():
        dest.rename(old)
    try:
        work.rename(dest)
    except OSError as exc:
        if old.exists() and not dest.exists():
            old.rename(dest)
        if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
            raise ExportRaceError(
                f"{dest}: another export was put there while this one was written.",
                hint="Run the command again, or pass --overwrite.",
            ) from None
        raise
    shutil.rmtree(old, ignore_errors=True)


def read_manifest(folder: str | os.PathLike) -> dict[str, Any] | None:
    """The manifest of a whole export in ``folder``, or None when the folder holds none (not an export,
    or one whose writing did not finish)."""
    path = Path(folder) / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        return None
    if manifest.get("format_version") != FORMAT_VERSION:
        raise StoreError(
            f"{path}: an export of format version {manifest.get('format_version')}; this peacewatch "
            f"reads version {FORMAT_VERSION}.",
            hint="Export the store again with this peacewatch (peacewatch export --overwrite DIR).",
        )
    missing = [t for t, e in manifest["tables"].items() if not (Path(folder) / e["path"]).exists()]
    if missing:
        raise StoreError(
            f"{folder}: the export's manifest lists {', '.join(missing)}, whose files are gone.",
            hint="Export the store again (peacewatch export --overwrite DIR).",
        )
    return manifest


def cache_root(store) -> Path:
    """Where a store keeps the exports the Spark engine reads: STORE/exports/."""
    return store.path / "exports"


def _is_cache(store, dest: Path) -> bool:
    return dest.parent == cache_root(store)


def cached_export(store) -> tuple[Path, dict[str, Any]]:
    """The export of ``store`` at the snapshot it reads, from its cache (STORE/exports/<snapshot>/),
    made first when absent or not whole. Older cached snapshots beyond the newest KEEP_CACHED go."""
    store = store.pinned()
    root = cache_root(store)
    folder = root / str(snapshot_of(store))
    manifest = read_manifest(folder)
    if manifest is None:
        # A folder without a manifest is no export (exports are renamed into place whole): replace it.
        # Two processes exporting the same snapshot at once: the first one's export stays, and the
        # second reads it, so that nothing is moved from under a reader of the first.
        try:
            manifest = export(store, folder, overwrite=folder.exists())
        except ExportRaceError:
            manifest = read_manifest(folder)
            if manifest is None:
                raise
        done = sorted(
            (p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")),
            key=lambda p: p.stat().st_mtime_ns,
            reverse=True,
        )
        for stale in done[KEEP_CACHED:]:
            shutil.rmtree(stale, ignore_errors=True)
    return folder, manifest
