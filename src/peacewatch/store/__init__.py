"""The event store: a DuckDB file reached through Ibis; the only place that executes queries.

>>> store = Store(Path(".peacewatch/demo.duckdb"))      # doctest: +SKIP
>>> report = store.ingest([Path("ged.csv.gz")])[0]      # doctest: +SKIP
>>> store.datasets()[0]["rows_ingested"]                # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import select
import shutil
import signal
import threading
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from peacewatch import schema
from peacewatch.errors import IngestError, SourceError, StoreError
from peacewatch.sources.compressed import GzipProofs
from peacewatch.store.ddl import create_statements
from peacewatch.store.failures import check_store_file, ingest_error, unreadable
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

ProgressFn = Callable[[str, float | None], None]


def resolve_store_path(path: str | os.PathLike | None = None) -> Path:
    """--store, else PEACEWATCH_STORE, else ./peacewatch.duckdb."""
    chosen = path or os.environ.get("PEACEWATCH_STORE") or DEFAULT_STORE
    return Path(chosen).expanduser().resolve()


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 22):
            h.update(chunk)
    return h.hexdigest()


def _prove(proofs: GzipProofs, path: Path | None = None) -> None:
    """Refuse the ingest if a compressed file it read (``path``, else any) ends early or is corrupt."""
    try:
        proofs.check(path)
    except SourceError as exc:
        raise IngestError(exc.message, hint=exc.hint) from exc


_SUFFIXES = re.compile(r"(\.(csv|tsv|txt|json|geojson|xlsx|zip|gz))+$", re.IGNORECASE)


def default_dataset_id(path: Path) -> str:
    """A short name from the file name: lower case, words joined by '-'.

    >>> default_dataset_id(Path("/x/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz"))
    'ucdp-ged-syria-2016-01-01-2019-11-30'
    """
    stem = _SUFFIXES.sub("", path.name)
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:64] or "dataset"


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
        plausible = _plausible(*plausible_dates)
        work = unzip_folder(self.path)
        try:
            return self._ingest(
                paths,
                source=source,
                mapping=mapping,
                dataset_id=dataset_id,
                taxonomy_files=taxonomy_files,
                progress=progress,
                workdir=work,
                plausible=plausible,
            )
        finally:
            shutil.rmtree(work, ignore_errors=True)

    def _ingest(
        self, paths, *, source, mapping, dataset_id, taxonomy_files, progress, workdir: Path, plausible
    ):
        from peacewatch.gazetteer import resolve_countries
        from peacewatch.sources.registry import plan_file
        from peacewatch.store.ingest import write

        report = progress or (lambda stage, fraction: None)
        files = [Path(p).expanduser().resolve() for p in paths]
        if dataset_id and len(files) > 1:
            raise IngestError("--name can only be given when ingesting a single file.")
        known = {d["sha256"]: d for d in self.datasets()}
        taken = {d["dataset_id"]: d["sha256"] for d in known.values()}
        plans = []
        given: dict[str, Path] = {}  # sha256 -> the first file of this ingest with those bytes
        for f in files:
            if not f.is_file():
                raise IngestError(f"{f}: no such file.", hint="Check the path given to ingest.")
            report(f"hashing {f.name}", None)
            sha = _sha256(f)
            if sha in known:
                plans.append((f, sha, None, known[sha]["dataset_id"]))
                continue
            if sha in given:  # the same bytes twice in one ingest: read and count them once
                plans.append((f, sha, None, None))
                continue
            given[sha] = f
            plan = plan_file(f, source=source, mapping=Path(mapping) if mapping else None, workdir=workdir)
            name = dataset_id or default_dataset_id(f)
            if name in taken and taken[name] != sha:
                name = f"{name}-{sha[:8]}"
            taken[name] = sha
            plans.append((f, sha, plan, name))
        # New rows are resolved with the store's own taxonomy files too, so its keys stay meaningful;
        # a new or changed file re-resolves the rows already stored (the same as adopt_taxonomies).
        tax_files, tax_changed = merged_taxonomies(
            self.taxonomy_files(), [TaxonomyFile.read(p) for p in taxonomy_files]
        )
        taxonomy = load_taxonomy(tax_files)
        results: list[IngestReport] = []
        todo = [p for p in plans if p[2] is not None]
        if not todo:
            sides = self.adopt_taxonomies(taxonomy_files) if tax_changed else None
            note = () if sides is None else (_reresolved_note(sides),)
            return [self._unchanged(name, f, note) for f, _, _, name in plans]
        first_of: dict[str, IngestReport] = {}
        # Compressed files are proven whole beside the ingest, and before it commits (a truncated
        # .csv.gz reads without error in DuckDB).
        with GzipProofs(p[0] for p in todo) as proofs, copy_on_write(self.path) as tmp:
            con = duckdb.connect(str(tmp))
            try:
                _configure(con, spill=tmp.with_name(tmp.name + ".spill"))
                for stmt in create_statements():
                    con.execute(stmt)
                sides = None
                if tax_changed:
                    record_taxonomies(con, tax_files)
                    sides = reresolve(con, taxonomy)
                for f, sha, plan, name in plans:
                    if plan is None:
                        if name is None:  # given twice in this ingest
                            results.append(_given_twice(first_of[sha], f))
                            continue
                        note = () if sides is None else (_reresolved_note(sides),)
                        results.append(self._unchanged(name, f, note))
                        continue
                    # No DuckDB transaction: the private copy is the transaction (docs/adr/0003).
                    with _polling(con, report) as stage:
                        try:
                            results.append(
                                write(
                                    con,
                                    plan,
                                    dataset_id=name,
                                    original=str(f),
                                    sha256=sha,
                                    nbytes=f.stat().st_size,
                                    taxonomy=taxonomy,
                                    resolve_countries=resolve_countries,
                                    progress=lambda s, f=f: stage(f"{f.name}: {s}"),
                                    plausible=plausible,
                                )
                            )
                        except duckdb.Error as exc:
                            _prove(proofs, f)  # a stream that ends early is the better explanation
                            raise ingest_error(f, exc, MEMORY_LIMIT) from exc
                    first_of[sha] = results[-1]
                _prove(proofs)
                con.execute("CHECKPOINT")
            except duckdb.OutOfMemoryException as exc:  # outside any one file: setting up or checkpointing
                raise ingest_error(self.path, exc, MEMORY_LIMIT) from exc
            finally:
                con.close()
        self._cache.clear()
        return results

    def _unchanged(self, name: str, f: Path, notes: tuple[str, ...] = ()) -> IngestReport:
        from peacewatch.store.ingest import IngestReport

        d = next(x for x in self.datasets() if x["dataset_id"] == name)
        return IngestReport(
            dataset_id=name,
            source=d["source"],
            reader=d["reader"],
            path=str(f),
            status="unchanged",
            table=d["table_name"],
            rows_read=d["rows_read"],
            rows_ingested=d["rows_ingested"],
            rows_quarantined=d["rows_quarantined"],
            rows_duplicate=d["rows_duplicate"],
            rows_superseded=d["rows_superseded"],
            fields_missing=tuple(d["fields_missing"]),
            version=d["version"],
            news_derived=d["news_derived"],
            seconds=0.0,
            notes=("already in the store (same sha256); nothing was read", *notes),
        )


def _reresolved_note(sides: int) -> str:
    return f"actor names re-resolved with the store's taxonomy files: {sides:,} event side(s) got other keys"


def _plausible(earliest: date | None, latest: date | None) -> tuple[date, date]:
    default_lo, default_hi = schema.plausible_dates()
    lo, hi = earliest or default_lo, latest or default_hi
    if lo > hi:
        raise IngestError(
            f"expected --earliest-date ({lo.isoformat()}) on or before --latest-date ({hi.isoformat()}), "
            "found it after.",
            hint="Swap them, or leave one out to use its default.",
        )
    return lo, hi


def _given_twice(first: IngestReport, f: Path) -> IngestReport:
    """The report of a file whose bytes an earlier file of the same ingest already brought in."""
    return dataclasses.replace(
        first,
        path=str(f),
        status="unchanged",
        rows_superseded=0,
        seconds=0.0,
        notes=(
            f"the same file (sha256) as {first.path}, given earlier in this ingest: read and counted "
            f"once, as dataset {first.dataset_id}",
        ),
    )


@contextmanager
def _polling(con, report: ProgressFn):
    """Report DuckDB's progress on the running statement twice a second, and turn Ctrl-C into an
    interrupt of that statement.

    While DuckDB runs a statement the main thread is inside C code and Python's SIGINT handler cannot
    run; the signal's wake-up byte reaches this thread instead, which interrupts the query. Python
    then raises KeyboardInterrupt in the main thread and the private copy of the store is discarded.
    """
    state = {"stage": ""}
    done = threading.Event()
    interrupted = threading.Event()
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    try:
        previous = signal.set_wakeup_fd(wake_w)
    except ValueError:  # not the main thread: no signal handling here
        previous = None

    def poll():
        while not done.is_set():
            ready, _, _ = select.select([wake_r], [], [], 0.5)
            if ready:
                os.read(wake_r, 64)
                interrupted.set()
                con.interrupt()
                continue
            try:
                pct = con.query_progress()
            except Exception:
                pct = -1
            report(state["stage"], pct / 100 if pct and pct >= 0 else None)

    def stage(name: str) -> None:
        state["stage"] = name
        report(name, None)

    thread = threading.Thread(target=poll, daemon=True)
    thread.start()
    try:
        yield stage
    except Exception as exc:
        # DuckDB reports an interrupted query as an InterruptException, or as a RuntimeError caused by
        # the KeyboardInterrupt that Python's own handler raised before our thread saw the signal.
        if (
            interrupted.is_set()
            or isinstance(exc, duckdb.InterruptException)
            or isinstance(exc.__cause__, KeyboardInterrupt)
        ):
            raise KeyboardInterrupt from None
        raise
    finally:
        done.set()
        thread.join()
        if previous is not None:
            signal.set_wakeup_fd(previous)
        os.close(wake_r)
        os.close(wake_w)
