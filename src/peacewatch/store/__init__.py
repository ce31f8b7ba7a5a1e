"""The event store: a DuckLake (catalog + Parquet files + archive) in one folder, reached through Ibis;
the only place that executes queries.

Every read goes through one snapshot: a Store resolves the snapshot it reads when it first reads (the
one asked for, the one at a time, or the latest), and :meth:`Store.pinned` / :meth:`Store.at` give a
Store fixed at one, so that a command's queries all read the same state while writers commit.

>>> store = Store(Path(".peacewatch/demo"))              # doctest: +SKIP
>>> report = store.ingest([Path("ged.csv.gz")])[0]      # doctest: +SKIP
>>> store.datasets()[0]["rows_ingested"]                # doctest: +SKIP
>>> Store(Path(".peacewatch/demo"), snapshot=3).snapshot  # doctest: +SKIP
3
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peacewatch.errors import StoreError
from peacewatch.store import lake
from peacewatch.store.batch import ProgressFn, ingest_files, plausible_window
from peacewatch.store.declared import declared as declared_coverage
from peacewatch.store.failures import check_store_folder, unreadable
from peacewatch.store.files import unzip_folder
from peacewatch.store.location import DEFAULT_WAIT, LocalStore
from peacewatch.store.postgres import is_postgres
from peacewatch.store.snapshots import changes, snapshot_list
from peacewatch.store.taxonomies import TaxonomyFile, recorded
from peacewatch.store.taxonomies import load as load_taxonomy
from peacewatch.store.taxonomies import merged as merged_taxonomies
from peacewatch.store.team import locate_postgres

if TYPE_CHECKING:
    # Imported where an ingest runs: it brings pyarrow (and with it NumPy), which reading the catalog
    # (`peacewatch datasets`) and running SQL (`peacewatch actors`) do not need.
    from peacewatch.store.ingest import IngestReport

DEFAULT_STORE = Path("peacewatch-store")
# DuckDB's own limit; with Python and Arrow on top the process stays under 2 GB on ten million rows
# (1.6 GB measured at 1000 MB; 1200 MB let the peak reach 1.9-2.1 GB at the same speed).
MEMORY_LIMIT = "1000MB"

SnapshotLike = int | datetime | str | None


def locate(store=None):
    """A store's location from --store (or PEACEWATCH_STORE): a team store's for ``postgres:...``
    (its data folder from PEACEWATCH_STORE_DATA, else its catalog: store/team.py), else a folder's.
    A location passes through unchanged."""
    if hasattr(store, "attach_sql"):
        return store
    chosen = store or os.environ.get("PEACEWATCH_STORE")
    if chosen is not None and is_postgres(str(chosen)):
        return locate_postgres(str(chosen), os.environ.get("PEACEWATCH_STORE_DATA"))
    return LocalStore(resolve_store_path(store))


def resolve_store_path(path: str | os.PathLike | None = None) -> Path:
    """--store, else PEACEWATCH_STORE, else ./peacewatch-store."""
    chosen = path or os.environ.get("PEACEWATCH_STORE") or DEFAULT_STORE
    return Path(chosen).expanduser().resolve()


class Store:
    """A peacewatch store (a folder), read at one snapshot.

    ``snapshot``: None reads the latest (an unpinned Store moves to a newer snapshot between calls of
    its read methods; :meth:`pinned` stops that), an int reads that snapshot, a datetime or ISO text
    reads the last snapshot committed at or before it.
    """

    def __init__(
        self, path: str | os.PathLike | None = None, snapshot: SnapshotLike = None, *, location=None
    ):
        self.location = location or locate(path)
        # A team store has no path: it stands in for one (str() names it without its password).
        self.path = self.location.folder if isinstance(self.location, LocalStore) else self.location
        self._asked = snapshot
        self._snap: int | None = None
        self._con = None
        self._peek: lake.CatalogPeek | None = None  # the latest snapshot id, read cheaply (unpinned)
        self._lent = False  # a pinned Store reads through self._con too (see _take_connection)
        # What reading computed once per snapshot (the catalog, cut-offs, the Ibis backend and its
        # table schemas): shared with the Stores pinned from this one, each entry tagged with its
        # snapshot, so that the API's one pinned Store per call reuses them (docs/adr/0019).
        self._cache: dict[str, tuple[int, Any]] = {}

    def __repr__(self) -> str:
        return (
            f"<Store {self.location.describe()} snapshot={self._asked if self._snap is None else self._snap}>"
        )

    @property
    def is_pinned(self) -> bool:
        return self._asked is not None

    # -- snapshots ---------------------------------------------------------------------------------

    @property
    def snapshot(self) -> int:
        """The id of the snapshot this Store reads."""
        self._connection()
        return self._snap

    def at(self, snapshot: SnapshotLike) -> Store:
        """A Store over the same lake, fixed at ``snapshot`` (an id, a datetime or ISO time)."""
        return Store(self.path, snapshot, location=self.location)

    def pinned(self) -> Store:
        """This Store fixed at the snapshot it reads now (itself when it is already fixed). It shares
        this Store's connection, and moves to the snapshot of its own writes (an analysis that adopts
        a case's taxonomy reads the result), never to another writer's."""
        if self.is_pinned or not self.exists():
            return self  # nothing to pin yet: the first read of a store that does not exist fails
        child = self.at(self.snapshot)
        child._con, child._snap = self._con, self._snap
        self._lent = child._lent = True
        child._cache = self._cache
        child._follows_own_writes = True
        return child

    def _written(self) -> None:
        """After this Store wrote: read the new state (unpinned, or pinned by :meth:`pinned`)."""
        self._cache.clear()
        self._con = None  # a shared connection is left to its other users
        if getattr(self, "_follows_own_writes", False):
            self._asked = None
            self._asked = self.snapshot

    def refresh(self) -> int:
        """Move an unpinned Store to the newest snapshot; returns the id it reads."""
        return self.snapshot

    def follow(self) -> int:
        """Move this unpinned Store to the newest snapshot on its own connection, attached there again
        (the extensions, the costly part of opening one, stay loaded: docs/adr/0014); returns the id.

        :meth:`refresh` opens a new connection instead, because Stores pinned from this one
        (:meth:`pinned`) read through the same connection and must keep their snapshot. So only a
        holder that knows none of them is in use any more calls this: the server's pool of
        connections (serve/reading.py), between requests."""
        if self.is_pinned or self._con is None:
            return self.snapshot
        newest = self._latest()
        if newest != self._snap:
            con, self._con = self._con, None  # a failed attach leaves no broken connection behind
            try:
                with unreadable(self.path):
                    lake.reattach(con, self.location, newest)
            except BaseException:
                con.close()
                raise
            self._con, self._snap, self._lent = con, newest, False
        return self._snap

    def snapshots(self) -> list[dict[str, Any]]:
        """Every snapshot of the store, oldest first: id, time (ISO), command and per-dataset changes."""
        if not self.exists():
            return []
        with self.raw() as con:
            return snapshot_list(con)

    def changes(self, from_snapshot: int, to_snapshot: int | None = None) -> dict[str, Any]:
        """What changed in events and counts after ``from_snapshot`` up to ``to_snapshot`` (default:
        this Store's): rows inserted, updated and deleted per table and dataset, and the event rows
        themselves as an Arrow table (``rows``: change_type, snapshot_id and the event's fields)."""
        with self.raw() as con:
            return changes(con, from_snapshot, self.snapshot if to_snapshot is None else to_snapshot)

    # -- connections -------------------------------------------------------------------------------

    def _check_path(self) -> None:
        """A local store's path must be a folder (or nothing yet); other locations have no path."""
        if isinstance(self.location, LocalStore):
            check_store_folder(self.path)

    def exists(self) -> bool:
        """Whether a store is here (a path that cannot be a store folder is a StoreError)."""
        self._check_path()
        if self.location.exists():
            return True
        # A team store's folder holds data, not a catalog: only a store folder is judged by its files.
        folder = self.path if isinstance(self.location, LocalStore) else None
        if folder is not None and folder.is_dir():
            other = sorted(p.name for p in folder.iterdir() if p.name not in {"writer.lock", "tmp"})
            if other:
                raise StoreError(
                    f"{folder}: a folder, but not a peacewatch store (no catalog.sqlite in it; found "
                    f"{', '.join(other[:5])}{', ...' if len(other) > 5 else ''}).",
                    hint="Point --store or PEACEWATCH_STORE at a store folder made by `peacewatch ingest`.",
                )
        return False

    def _require(self) -> None:
        self._check_path()
        if not self.location.exists():
            raise StoreError(
                f"{self.location.describe()}: no store here yet.",
                hint="Ingest a file first (peacewatch ingest FILE), or point --store or PEACEWATCH_STORE "
                "at one.",
            )

    def _connection(self):
        """The read connection, attached at this Store's snapshot (resolved on first use; an unpinned
        Store re-attaches when a newer snapshot has been committed since)."""
        if self._con is not None and (self.is_pinned or self._latest() == self._snap):
            return self._con
        self._require()
        with unreadable(self.path):
            asked = self._asked
            if isinstance(asked, bool):
                raise StoreError(f"snapshot={asked!r}: expected a snapshot id or a time.")
            if isinstance(asked, str) and asked.strip().isdigit():
                asked = int(asked)
            if asked is None and isinstance(self.location, LocalStore):
                # The latest snapshot's id from the SQLite catalog (a millisecond), then one attach
                # pinned at it: attaching the lake as it is, to ask, costs a second load of its
                # catalog (0.1 s). A commit in between is not missed: the Store reads the snapshot
                # that was the latest when it looked, as below, and moves on at its next read.
                asked = self._latest_peeked()
            if isinstance(asked, int):
                con, snap = lake.connect(self.location, read_only=True, snapshot=asked), asked
            else:
                # One connection: attached as it is now to find the snapshot, then again pinned at it
                # (the extensions, the costly part of opening, stay loaded).
                con = lake.connect(self.location, read_only=True)
                try:
                    snap = self._resolve(con, asked)
                    lake.reattach(con, self.location, snap)
                except BaseException:
                    con.close()
                    raise
        # The old connection is not closed here: a pinned Store made from this one may still read it.
        self._con, self._snap, self._lent = con, snap, False
        return con

    def _take_connection(self):
        """This Store's read connection, handed to a write of this Store (store/batch.py ``writing``
        attaches it again read-write), or None when it has none, when another Store reads through it
        (:meth:`pinned`) or when Ibis tables were made on it (an expression may still refer to them).

        Loading the lake's extensions is most of the cost of opening a connection (docs/adr/0014);
        a sync reads its cursor (:meth:`last_sync`) and then writes, and this saves it the second
        load. The Store opens a new read connection when it reads again."""
        con = self._con
        if con is None or self._lent or self.is_pinned or "ibis" in self._cache:
            return None
        self._con, self._snap = None, None
        self._cache.clear()
        return con

    def _latest(self) -> int:
        """The newest committed snapshot id, for an unpinned Store that has a connection: read from a
        local store's SQLite catalog directly (lake.CatalogPeek), else through DuckDB."""
        found = self._latest_peeked()
        return found if found is not None else lake.latest_snapshot(self._con)

    def _latest_peeked(self) -> int | None:
        """The newest committed snapshot id read from a local store's SQLite catalog without DuckDB;
        None for a team store, or when the catalog cannot be read so (DuckDB then asks)."""
        if self._peek is None and isinstance(self.location, LocalStore):
            self._peek = lake.CatalogPeek(self.location.catalog_path)
        return self._peek.latest() if self._peek is not None else None

    def _resolve(self, con, asked) -> int:
        if asked is None:
            return lake.latest_snapshot(con)
        found = lake.snapshot_at(con, asked)
        if found is None:
            lo, _ = lake.snapshot_range(con)
            raise StoreError(
                f"{self.location.describe()}: no snapshot at or before {asked}; the first was "
                f"committed later (snapshot {lo}).",
                hint="Give a later time, or a snapshot id (`peacewatch snapshots` lists them).",
            )
        return found

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
        self._con = None

    def _cached(self, name: str, make):
        """``make()`` once per snapshot read."""
        snap = self.snapshot
        hit = self._cache.get(name)
        if hit is None or hit[0] != snap:
            with unreadable(self.path):
                self._cache[name] = (snap, make())
        return self._cache[name][1]

    def _has_table(self, name: str) -> bool:
        return name in self._cached("tables", self._tables)

    def _tables(self) -> set[str]:
        # No bound parameters: binding one makes DuckDB's Python client import pandas (a second on
        # `peacewatch datasets`, tests/cli/test_startup.py).
        rows = self._con.execute(
            "SELECT table_name FROM duckdb_tables() "
            f"WHERE database_name = '{lake.ALIAS}' AND schema_name = 'main'"
        ).fetchall()
        return {r[0] for r in rows}

    # -- reading -----------------------------------------------------------------------------------

    @contextmanager
    def raw(self):
        """The read connection (DuckDB, the lake attached read-only at this Store's snapshot and in
        use: ``SELECT ... FROM events`` reads it). Do not close it; the Store does."""
        con = self._connection()
        with unreadable(self.path):
            yield con

    def ibis(self):
        """An Ibis connection to the store at its snapshot; indicators build expressions on its tables."""
        con = self._connection()
        hit = self._cache.get("ibis")
        if hit is None or hit[0] != self._snap or hit[1].con is not con:
            import ibis

            self._cache["ibis"] = (self._snap, lake.IbisTables(ibis.duckdb.from_connection(con)))
        return self._cache["ibis"][1]

    def datasets(self) -> list[dict[str, Any]]:
        """The catalog as a list of dicts (dates as ISO strings)."""
        if not self.exists():
            return []
        return [dict(r) for r in self._cached("catalog", self._read_catalog)]

    def cut_offs(self) -> dict[str, str]:
        """The last day each event dataset covers, as an ISO date: the day declared with ``ingest
        --covers-to`` for its current file, else the latest day one of its events starts. (The
        catalog's date_max is the latest date_end, which an event that begins on the cut-off and runs
        past it pushes beyond the days the source collected.)"""
        if not self.exists():
            return {}
        return dict(self._cached("cut_offs", self._read_cut_offs))

    def _read_cut_offs(self) -> dict[str, str]:
        if not self._has_table("events"):
            return {}
        rows = lake.retrying(
            lambda: self._con.execute(
                "SELECT dataset_id, max(date_start) FROM events GROUP BY dataset_id"
            ).fetchall()
        )
        found = {d: last.isoformat() for d, last in rows if last is not None}
        return found | {d: day.isoformat() for d, day in self._declared().items() if d in found}

    def _declared(self) -> dict[str, date]:
        if not self.exists():
            return {}
        return self._cached("declared", lambda: lake.retrying(lambda: declared_coverage(self._con)))

    def declared_coverage(self) -> dict[str, str]:
        """The last day declared with ``ingest --covers-to`` for each dataset whose current file has
        one (store/declared.py), as ISO dates."""
        return {d: day.isoformat() for d, day in self._declared().items()}

    def catalog(self) -> list[dict[str, Any]]:
        """The datasets as `peacewatch datasets --json` and the API's /api/datasets give them: each
        catalog row with ``covers_to``, its declared last day (None when undeclared)."""
        declared = self.declared_coverage()
        return [{**r, "covers_to": declared.get(r["dataset_id"])} for r in self.datasets()]

    def _read_catalog(self) -> list[dict[str, Any]]:
        if not self._has_table("datasets"):
            return []
        cur = lake.retrying(
            lambda: self._con.execute("SELECT * FROM datasets ORDER BY ingested_at, dataset_id")
        )
        names = [d[0] for d in cur.description]
        rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        for r in rows:
            for k in ("date_min", "date_max", "ingested_at"):
                if r[k] is not None:
                    r[k] = r[k].isoformat()
        return rows

    def taxonomy_files(self) -> list[TaxonomyFile]:
        """The user taxonomy files this store's events were resolved with (see store/taxonomies.py)."""
        if not self.exists():
            return []
        return self._cached("taxonomies", lambda: recorded(self._con))

    def taxonomy(self, extra: Sequence[str | os.PathLike] = ()):
        """The actor taxonomy of this store: the shipped one, the store's files, then ``extra``
        (files not adopted: their keys are known, but stored events were not resolved with them)."""
        files, _ = merged_taxonomies(self.taxonomy_files(), [TaxonomyFile.read(p) for p in extra])
        return load_taxonomy(files)

    def query(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run read-only SQL and return a pyarrow table (used by the CLI's listings)."""
        with self.raw() as con:
            return lake.retrying(lambda: con.execute(sql, list(params)).to_arrow_table())

    def execute(self, expr, *, limit: int | None = None) -> Any:
        """Execute an Ibis expression built on :meth:`ibis` tables; returns a pyarrow table.

        Expressions over the store's own tables are compiled by Ibis and run on the DuckDB
        connection directly, which saves Ibis's per-query bookkeeping (a third of a small query's
        time), their SQL compiled once per shape (store/compiled.py: the same question with other
        dates is not compiled again); expressions with in-memory tables go through Ibis, which
        registers them first.
        """
        from peacewatch.store.compiled import TEMPLATES

        backend = self.ibis()
        sql = TEMPLATES.sql(backend, expr) if limit is None else None
        if sql is not None:
            with unreadable(self.path):
                table = lake.retrying(lambda: backend.con.sql(sql).to_arrow_table())
            # DuckDB may answer in a wider type than Ibis promised (a truncated DATE comes back as a
            # TIMESTAMP); give callers the schema of the expression, as Ibis itself does.
            return table.cast(expr.schema().to_pyarrow())
        with unreadable(self.path):
            return backend.to_pyarrow(expr, limit=limit) if limit is not None else backend.to_pyarrow(expr)

    # -- writing -----------------------------------------------------------------------------------

    def compact(self, keep: int, *, wait: float = DEFAULT_WAIT) -> dict[str, Any]:
        """Expire all but the newest ``keep`` snapshots and delete the files nothing refers to any more
        (see store/snapshots.py); the current state is unchanged. Returns the expired snapshot ids,
        the kept ones and the files removed.

        >>> Store(".peacewatch/demo").compact(keep=5)["expired"]   # doctest: +SKIP
        [0, 1]
        """
        from peacewatch.store.snapshots import compact

        self._require()
        with self.location.lock(wait, f"Store.compact(keep={keep})"):
            con = lake.connect(self.location, read_only=False)
            try:
                done = compact(con, keep, getattr(self.location, "archive_path", None))
            finally:
                con.close()
        self._written()
        return done

    def adopt_taxonomies(
        self, paths: Sequence[str | os.PathLike], *, wait: float = DEFAULT_WAIT, message: str | None = None
    ) -> int | None:
        """Add taxonomy files to the store (a changed file replaces its earlier version) and
        re-resolve the actor keys of every stored event with them, in one snapshot. Returns how many
        event sides got other keys, or None when the store had these files already (nothing is
        written then).

        >>> Store("car").adopt_taxonomies(["cases/car-2019/actors.yaml"])   # doctest: +SKIP
        412
        """
        from peacewatch.store.batch import adopt

        self._require()
        if self.is_pinned and not getattr(self, "_follows_own_writes", False):
            self._check_held(paths)  # a Store fixed at a snapshot reads it as it was: nothing to write
            return None
        n = adopt(self, paths, wait=wait, message=message, memory_limit=MEMORY_LIMIT)
        if n is not None:
            self._written()
        return n

    def _check_held(self, paths: Sequence[str | os.PathLike]) -> None:
        """Refuse taxonomy files the snapshot this Store is fixed at was not resolved with (compared by
        content: the same file read from another checkout is the same taxonomy)."""
        held = {t.sha256 for t in self.taxonomy_files()}
        missing = [p for p in paths if TaxonomyFile.read(p).sha256 not in held]
        if missing:
            names = ", ".join(str(p) for p in missing)
            raise StoreError(
                f"{self.location.describe()}: snapshot {self.snapshot} was not resolved with {names} (or "
                "with this version of it), and a read at a fixed snapshot writes nothing.",
                hint="Drop --snapshot to adopt it and read the latest state, or give a snapshot taken after "
                "it was adopted (`peacewatch snapshots`).",
            )

    def ingest(
        self,
        paths: Sequence[str | os.PathLike],
        *,
        source: str | None = None,
        mapping: str | os.PathLike | None = None,
        dataset_id: str | None = None,
        taxonomy_files: Sequence[Path] = (),
        progress: ProgressFn | None = None,
        plausible_dates: tuple[date | None, date | None] = (None, None),
        release_of: str | None = None,
        archive: bool = True,
        wait: float = DEFAULT_WAIT,
        message: str | None = None,
        covers_to: date | None = None,
    ) -> list[IngestReport]:
        """Ingest files atomically, as one snapshot: all of them, or (on any error or interruption) none.

        A file whose sha256 is already in the catalog is reported as ``unchanged`` and not read again;
        a file given twice is read once. A file that is a new release of a dataset in the store
        (``release_of``, or found by its event ids: docs/adr/0012) is applied to it as a change set.
        Rows dated outside ``plausible_dates`` (earliest, latest; None takes the default of
        ``schema.plausible_dates()``, 1946-01-01 to a year from today) are quarantined. Each new file
        is copied into the store's archive (``archive=False``: only its path is kept). One writer at a
        time: another waits up to ``wait`` seconds. ``message`` is the snapshot's commit message
        (default: the command line). ``covers_to`` declares the last day the files cover, when it is
        later than their last event (store/declared.py): coverage then ends there.
        """
        self._check_path()
        plausible = plausible_window(*plausible_dates)
        work = unzip_folder()
        try:
            reports = ingest_files(
                self,
                paths,
                source=source,
                mapping=mapping,
                dataset_id=dataset_id,
                taxonomy_files=taxonomy_files,
                progress=progress,
                workdir=work,
                plausible=plausible,
                memory_limit=MEMORY_LIMIT,
                release_of=release_of,
                archive=archive,
                wait=wait,
                message=message,
                covers_to=covers_to,
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
        self._written()
        return reports

    def last_sync(self, source: str, dataset_id: str) -> dict[str, Any] | None:
        """The last sync of ``dataset_id`` from ``source`` (its ``syncs`` row: filters, cursor, access
        time, snapshot, counts), or None: where the next sync resumes (store/syncs.py)."""
        from peacewatch.store.syncs import last_sync

        return last_sync(self, source, dataset_id)

    def sync(
        self,
        pull,
        *,
        progress: ProgressFn | None = None,
        wait: float = DEFAULT_WAIT,
        message: str | None = None,
    ):
        """Apply a sync's pull (sync/pages.py) as one snapshot: the raw answers archived, the events
        upserted (or, for a complete pull, applied as a release), the deletions applied, the cursor
        recorded; all of it or, on any error or interruption, none. Returns a ``SyncReport``.

        >>> report = store.sync(acled.pull(...))   # doctest: +SKIP
        >>> report.added, report.snapshot_id       # doctest: +SKIP
        (1204, 3)
        """
        from peacewatch.store.batch import command_line
        from peacewatch.store.syncs import apply

        self._check_path()
        called = command_line()
        if not called.startswith("peacewatch"):  # called from Python: name the call
            called = f"Store.sync({pull.source}: {pull.dataset_id})"
        return apply(
            self, pull, progress=progress, memory_limit=MEMORY_LIMIT, wait=wait, message=message or called
        )
