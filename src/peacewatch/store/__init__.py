"""The event store: a DuckDB file reached through Ibis; the only place that executes queries.

>>> store = Store(Path(".peacewatch/demo.duckdb"))      # doctest: +SKIP
>>> report = store.ingest([Path("ged.csv.gz")])[0]      # doctest: +SKIP
>>> store.datasets()[0]["rows_ingested"]                # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
import re
import select
import signal
import threading
from collections.abc import Callable, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb

from peacewatch.errors import IngestError, PeacewatchError, StoreError
from peacewatch.store.ddl import create_statements
from peacewatch.store.files import copy_on_write

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

    @contextmanager
    def raw(self):
        """A read-only DuckDB connection (for catalog reads and executing compiled expressions)."""
        self._require()
        con = duckdb.connect(str(self.path), read_only=True)
        try:
            yield con
        finally:
            con.close()

    def ibis(self):
        """A read-only Ibis connection to the store; indicators build expressions on its tables."""
        import ibis

        self._require()
        return self._cached("ibis", lambda: ibis.duckdb.connect(str(self.path), read_only=True))

    def datasets(self) -> list[dict[str, Any]]:
        """The catalog as a list of dicts (dates as ISO strings)."""
        if not self.path.exists():
            return []
        return [dict(r) for r in self._cached("catalog", self._read_catalog)]

    def _read_catalog(self) -> list[dict[str, Any]]:
        with self.raw() as con:
            cur = con.execute("SELECT * FROM datasets ORDER BY ingested_at, dataset_id")
            names = [d[0] for d in cur.description]
            rows = [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
        for r in rows:
            for k in ("date_min", "date_max", "ingested_at"):
                if r[k] is not None:
                    r[k] = r[k].isoformat()
        return rows

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
            table = backend.con.sql(backend.compile(expr)).to_arrow_table()
            # DuckDB may answer in a wider type than Ibis promised (a truncated DATE comes back as a
            # TIMESTAMP); give callers the schema of the expression, as Ibis itself does.
            return table.cast(expr.schema().to_pyarrow())
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
    ) -> list[IngestReport]:
        """Ingest files atomically: all of them, or (on any error or interruption) none.

        A file whose sha256 is already in the catalog is reported as ``unchanged`` and not read again.
        """
        from peacewatch.actors import Taxonomy
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
        for f in files:
            if not f.is_file():
                raise IngestError(f"{f}: no such file.", hint="Check the path given to ingest.")
            report(f"hashing {f.name}", None)
            sha = _sha256(f)
            if sha in known:
                plans.append((f, sha, None, known[sha]["dataset_id"]))
                continue
            plan = plan_file(f, source=source, mapping=Path(mapping) if mapping else None)
            name = dataset_id or default_dataset_id(f)
            if name in taken and taken[name] != sha:
                name = f"{name}-{sha[:8]}"
            taken[name] = sha
            plans.append((f, sha, plan, name))
        taxonomy = Taxonomy.load(extra=taxonomy_files)
        results: list[IngestReport] = []
        todo = [p for p in plans if p[2] is not None]
        if not todo:
            return [self._unchanged(name, f) for f, _, _, name in plans]
        with copy_on_write(self.path) as tmp:
            con = duckdb.connect(str(tmp))
            try:
                _configure(con, spill=tmp.with_name(tmp.name + ".spill"))
                for stmt in create_statements():
                    con.execute(stmt)
                for f, sha, plan, name in plans:
                    if plan is None:
                        results.append(self._unchanged(name, f))
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
                                )
                            )
                        except duckdb.Error as exc:
                            raise _ingest_error(f, exc) from exc
                con.execute("CHECKPOINT")
            except duckdb.OutOfMemoryException as exc:  # outside any one file: setting up or checkpointing
                raise _ingest_error(self.path, exc) from exc
            finally:
                con.close()
        return results

    def _unchanged(self, name: str, f: Path) -> IngestReport:
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
            notes=("already in the store (same sha256); nothing was read",),
        )


def _ingest_error(path: Path, exc: duckdb.Error) -> PeacewatchError:
    first = str(exc).strip().splitlines()[0]
    if isinstance(exc, duckdb.OutOfMemoryException):
        return IngestError(
            f"{path}: the ingest ran out of memory (DuckDB's limit here is {MEMORY_LIMIT}): {first}",
            hint="Nothing was written. Free memory or disk space for spilling (the store's folder), or "
            "split the file and ingest the parts.",
        )
    return IngestError(
        f"{path}: the file could not be read as planned: {first}",
        hint="Check the file's format, or force a reader with --source / --mapping.",
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
