"""The event store: a DuckDB file reached through Ibis; the only place that executes queries.

>>> store = Store(Path(".peacewatch/demo.duckdb"))      # doctest: +SKIP
>>> report = store.ingest([Path("ged.csv.gz")])[0]      # doctest: +SKIP
>>> store.datasets()[0]["rows_ingested"]                # doctest: +SKIP
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from peacewatch.errors import StoreError
from peacewatch.store.batch import ProgressFn, ingest_files, plausible_window
from peacewatch.store.failures import check_store_file, unreadable
from peacewatch.store.files import copy_on_write, unzip_folder
from peacewatch.store.taxonomies import TaxonomyFile, reresolve
from peacewatch.store.taxonomies import load as load_taxonomy
from peacewatch.store.taxonomies import merged as merged_taxonomies
from peacewatch.store.taxonomies import record as record_taxonomies
from peacewatch.store.taxonomies import recorded as recorded_taxonomies

if TYPE_CHECKING:
    # Imported where an ingest runs: it brings pyarrow (and with it NumPy), which reading the catalog
    # (`peacewatch datasets`) and running SQL (`peacewatch actors`) do not need.
    from peacewatch.store.ingest import IngestReport

DEFAULT_STORE = Path("peacewatch.duckdb")
# DuckDB's own limit; with Python and Arrow on top the process stays under 2 GB on ten million rows
# (1.6 GB measured at 1000 MB; 1200 MB let the peak reach 1.9-2.1 GB at the same speed).
MEMORY_LIMIT = "1000MB"


def resolve_store_path(path: str | os.PathLike | None = None) -> Path:
    """--store, else PEACEWATCH_STORE, else ./peacewatch.duckdb."""
    chosen = path or os.environ.get("PEACEWATCH_STORE") or DEFAULT_STORE
    return Path(chosen).expanduser().resolve()


def _configure(con: duckdb.DuckDBPyConnection, spill: Path | None = None) -> None:
    con.execute(f"SET memory_limit = '{MEMORY_LIMIT}'")
    if spill is not None:
        con.execute(f"SET temp_directory = '{spill}'")
    con.execute("SET preserve_insertion_order = true")


class Store:
    """A peacewatch store file."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = resolve_store_path(path)
        self._cache: dict[str, tuple[tuple[int, int], Any]] = {}

    def _cached(self, name: str, make):
        """``make()`` once per version of the store file: an ingest replaces the file (new inode), so a
        long-lived Store sees new data while repeated calls reuse connections and the catalog."""
        st = self.path.stat()
        stamp = (st.st_ino, st.st_mtime_ns)
        hit = self._cache.get(name)
        if hit is None or hit[0] != stamp:
            self._cache[name] = (stamp, make())
        return self._cache[name][1]

    # -- reading -----------------------------------------------------------------------------------

    def exists(self) -> bool:
        return self.path.exists()

    def _require(self) -> None:
        if not self.path.exists():
            raise StoreError(
                f"{self.path}: no store here yet.",
                hint="Ingest a file first (peacewatch ingest FILE), or point --store or PEACEWATCH_STORE "
                "at one.",
            )
        check_store_file(self.path)

    @contextmanager
    def raw(self):
        """A read-only DuckDB connection (for catalog reads and executing compiled expressions)."""
        self._require()
        with unreadable(self.path):
            con = duckdb.connect(str(self.path), read_only=True)
        try:
            with unreadable(self.path):
                yield con
        finally:
            con.close()

    def ibis(self):
        """A read-only Ibis connection to the store; indicators build expressions on its tables."""
        import ibis

        self._require()
        with unreadable(self.path):
            return self._cached("ibis", lambda: ibis.duckdb.connect(str(self.path), read_only=True))

    def datasets(self) -> list[dict[str, Any]]:
        """The catalog as a list of dicts (dates as ISO strings)."""
        if not self.path.exists():
            return []
        return [dict(r) for r in self._cached("catalog", self._read_catalog)]

    def cut_offs(self) -> dict[str, str]:
        """The last day each event dataset covers, as an ISO date: the latest day one of its events
        starts. (The catalog's date_max is the latest date_end, which an event that begins on the
        cut-off and runs past it pushes beyond the days the source collected.)"""
        if not self.path.exists():
            return {}
        return dict(self._cached("cut_offs", self._read_cut_offs))

    def _read_cut_offs(self) -> dict[str, str]:
        with self.raw() as con:
            rows = con.execute(
                "SELECT dataset_id, max(date_start) FROM events GROUP BY dataset_id"
            ).fetchall()
        return {d: last.isoformat() for d, last in rows if last is not None}

    def _read_catalog(self) -> list[dict[str, Any]]:
        with self.raw() as con:
            try:
                cur = con.execute("SELECT * FROM datasets ORDER BY ingested_at, dataset_id")
            except duckdb.CatalogException:
                raise StoreError(
                    f"{self.path}: a DuckDB database, but not a peacewatch store (it has no datasets table).",
                    hint="Point --store or PEACEWATCH_STORE at a store made by `peacewatch ingest`.",
                ) from None
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        for r in rows:
            for k in ("date_min", "date_max", "ingested_at"):
                if r[k] is not None:
                    r[k] = r[k].isoformat()
        return rows

    def taxonomy_files(self) -> list[TaxonomyFile]:
        """The user taxonomy files this store's events were resolved with (see store/taxonomies.py)."""
        if not self.path.exists():
            return []

        def read():
            with self.raw() as con:
                return recorded_taxonomies(con)

        return self._cached("taxonomies", read)

    def taxonomy(self, extra: Sequence[str | os.PathLike] = ()):
        """The actor taxonomy of this store: the shipped one, the store's files, then ``extra``
        (files not adopted: their keys are known, but stored events were not resolved with them)."""
        files, _ = merged_taxonomies(self.taxonomy_files(), [TaxonomyFile.read(p) for p in extra])
        return load_taxonomy(files)

    def adopt_taxonomies(self, paths: Sequence[str | os.PathLike]) -> int | None:
        """Add taxonomy files to the store (a changed file replaces its earlier version) and
        re-resolve the actor keys of every stored event with them. Returns how many event sides got
        other keys, or None when the store had these files already (nothing is written then).

        >>> Store("car.duckdb").adopt_taxonomies(["cases/car-2019/actors.yaml"])   # doctest: +SKIP
        412
        """
        files, changed = merged_taxonomies(self.taxonomy_files(), [TaxonomyFile.read(p) for p in paths])
        if not changed:
            return None
        taxonomy = load_taxonomy(files)  # every problem of every file, before anything is written
        self._require()
        with copy_on_write(self.path) as tmp:
            con = duckdb.connect(str(tmp))
            try:
                _configure(con)
                record_taxonomies(con, files)
                n = reresolve(con, taxonomy)
                con.execute("CHECKPOINT")
            finally:
                con.close()
        # A file replaced within the same clock tick may reuse the inode: forget what was read.
        self._cache.clear()
        return n

    def query(self, sql: str, params: Sequence[Any] = ()) -> Any:
        """Run read-only SQL and return a pyarrow table (used by the CLI's listings)."""
        with self.raw() as con:
            return con.execute(sql, list(params)).to_arrow_table()

    def execute(self, expr, *, limit: int | None = None) -> Any:
        """Execute an Ibis expression built on :meth:`ibis` tables; returns a pyarrow table.

        Expressions over the store's own tables are compiled by Ibis and run on the DuckDB
        connection directly, which saves Ibis's per-query bookkeeping (a third of a small query's
        time); expressions with in-memory tables go through Ibis, which registers them first.
        """
        import ibis.expr.operations as ops

        if limit is None and not expr.op().find(ops.InMemoryTable):
            backend = self.ibis()
            with unreadable(self.path):
                table = backend.con.sql(backend.compile(expr)).to_arrow_table()
            # DuckDB may answer in a wider type than Ibis promised (a truncated DATE comes back as a
            # TIMESTAMP); give callers the schema of the expression, as Ibis itself does.
            return table.cast(expr.schema().to_pyarrow())
        with unreadable(self.path):
            return expr.to_pyarrow(limit=limit) if limit is not None else expr.to_pyarrow()

    # -- writing -----------------------------------------------------------------------------------

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
    ) -> list[IngestReport]:
        """Ingest files atomically: all of them, or (on any error or interruption) none.

        A file whose sha256 is already in the catalog is reported as ``unchanged`` and not read again;
        a file given twice is read once. Rows dated outside ``plausible_dates`` (earliest, latest;
        None takes the default of ``schema.plausible_dates()``, 1946-01-01 to a year from today) are
        quarantined. The data member of a zip archive is unpacked into a working folder beside the
        store (``STORE.tmp-PID.unzip``), removed when the ingest ends however it ends.
        """
        plausible = plausible_window(*plausible_dates)
        work = unzip_folder(self.path)
        try:
            return ingest_files(
                self,
                paths,
                source=source,
                mapping=mapping,
                dataset_id=dataset_id,
                taxonomy_files=taxonomy_files,
                progress=progress,
                workdir=work,
                plausible=plausible,
                configure=_configure,
                memory_limit=MEMORY_LIMIT,
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)
