"""The Spark engine: a reading backend with the Store's read interface, over an export.

:class:`SparkStore` answers what analysis asks of a :class:`~peacewatch.store.Store` (``ibis()``,
``execute()``, ``datasets()``, ``cut_offs()``, ``taxonomy_files()``, ``taxonomy()``) from an export
folder (``peacewatch.store.export``): the event and count tables are Spark DataFrames over its Parquet
files, queried through ``ibis.pyspark`` with the same indicator expressions as on DuckDB; the small
tables (the catalog, the taxonomy files) are read from their Parquet files as they were written. The
statistics then run on the same counts, so every result is the one the DuckDB engine gives.

The session is local (``local[*]``, or PEACEWATCH_SPARK_MASTER) unless SPARK_REMOTE names a Spark
Connect server; an active session (a notebook's, a test's) is used as it is.

>>> reader = open_reader(".peacewatch/demo", "spark")                          # doctest: +SKIP
>>> analysis.series(Filters(country="Afghanistan"), store=reader)         # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from peacewatch.errors import StoreError
from peacewatch.store import Store
from peacewatch.store.export import cached_export, read_manifest
from peacewatch.store.postgres import is_postgres
from peacewatch.store.taxonomies import TaxonomyFile
from peacewatch.store.taxonomies import load as load_taxonomy
from peacewatch.store.taxonomies import merged as merged_taxonomies

ENGINES = ("duckdb", "spark")
# Analysis reads these as tables; the others of an export (quarantine, store_meta) stay on disk.
SPARK_TABLES = ("events", "counts")
_SESSION: list[Any] = []


def spark_session():
    """The Spark session the engine runs on: the active one, else Spark Connect when SPARK_REMOTE is
    set, else a local one (``local[*]``; PEACEWATCH_SPARK_MASTER overrides). Dates are read in UTC."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise StoreError(
            "--engine spark needs PySpark, which is not installed.",
            hint="pip install 'peacewatch[spark]' (PySpark and Ibis's pyspark backend); Spark also "
            "needs Java 17 or later (apt-get install default-jre-headless).",
        ) from None
    session = SparkSession.getActiveSession()
    if session is None and _SESSION:
        session = _SESSION[0]
    if session is None:
        remote = os.environ.get("SPARK_REMOTE")
        try:
            session = _builder(SparkSession, remote).getOrCreate()
        except Exception as exc:  # PySpark raises its own types, which depend on the version
            first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise StoreError(
                f"Spark did not start{f' (Spark Connect at {remote})' if remote else ''}: {first}",
                hint="Spark Connect needs pip install 'pyspark[connect]' and a server at SPARK_REMOTE "
                "(sc://host:15002)."
                if remote
                else "A local session needs Java 17 or later (apt-get install default-jre-headless).",
            ) from None
        if not remote:
            session.sparkContext.setLogLevel("ERROR")
        _SESSION[:] = [session]
    session.conf.set("spark.sql.session.timeZone", "UTC")
    # dataset_id from the folder names stays text (an id of digits must not become a number).
    session.conf.set("spark.sql.sources.partitionColumnTypeInference.enabled", "false")
    return session


def _builder(SparkSession, remote: str | None):
    builder = SparkSession.builder.appName("peacewatch")
    if remote:
        return builder.remote(remote)
    return (
        builder.master(os.environ.get("PEACEWATCH_SPARK_MASTER", "local[*]"))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        # A store's tables are small for Spark: a few shuffle partitions, not the default 200.
        .config("spark.sql.shuffle.partitions", "8")
    )


class _Tables:
    """What ``Store.ibis()`` gives analysis: a ``table(name)`` per table of the store."""

    def __init__(self, backend, views: dict[str, str]):
        self.backend, self.views = backend, views

    def table(self, name: str):
        if name not in self.views:
            raise StoreError(f"the export has no table {name!r}; it has {', '.join(sorted(self.views))}.")
        return self.backend.table(self.views[name])


class SparkStore:
    """A store read through Spark from an export folder (see the module's docstring).

    ``source`` is the store the export was made from, when there is one: results then name it
    (``--store`` in their commands), so they are the same whichever engine computed them; taxonomy
    files are adopted into it, and the export made again at its new snapshot."""

    engine = "spark"

    def __init__(self, folder: str | os.PathLike, *, source: Store | None = None):
        self.source = source
        self._read(folder)

    def _read(self, folder: str | os.PathLike) -> None:
        self.folder = Path(folder).expanduser().resolve()
        manifest = read_manifest(self.folder)
        if manifest is None:
            raise StoreError(
                f"{self.folder}: not a peacewatch export (no manifest.json, or an export that did not "
                "finish).",
                hint="Make one with `peacewatch export --store STORE DIR`, or give --engine spark a store.",
            )
        self.manifest = manifest
        self._tables: _Tables | None = None
        self._catalog: list[dict[str, Any]] | None = None
        self._cut_offs: dict[str, str] | None = None

    @property
    def path(self) -> Path:
        return self.source.path if self.source is not None else self.folder

    @property
    def snapshot(self) -> int:
        """The id of the store's snapshot the export holds."""
        return self.manifest["snapshot"]

    def pinned(self) -> SparkStore:
        """Itself: an export holds one snapshot (as :meth:`Store.pinned`)."""
        return self

    def __repr__(self) -> str:
        return f"<SparkStore {self.folder} (snapshot {self.snapshot})>"

    def exists(self) -> bool:
        return True

    def _require(self) -> None:
        return None

    # -- small tables, read as written -------------------------------------------------------------

    def _arrow(self, table: str):
        import pyarrow.parquet as pq

        entry = self.manifest["tables"].get(table)
        if entry is None:
            return None
        return pq.read_table(self.folder / entry["path"])

    def datasets(self) -> list[dict[str, Any]]:
        """The catalog as the store gives it (dates as ISO strings), in the store's order."""
        if self._catalog is None:
            table = self._arrow("datasets")
            rows = table.to_pylist() if table is not None else []
            rows.sort(key=lambda r: (r["ingested_at"], r["dataset_id"]))
            for r in rows:
                for k in ("date_min", "date_max", "ingested_at"):
                    if r.get(k) is not None:
                        r[k] = r[k].isoformat()
            self._catalog = rows
        return [dict(r) for r in self._catalog]

    def taxonomy_files(self) -> list[TaxonomyFile]:
        table = self._arrow("taxonomies")
        if table is None:
            return []
        rows = sorted(table.to_pylist(), key=lambda r: (r["added_at"], r["path"]))
        return [TaxonomyFile(r["path"], r["sha256"], r["text"]) for r in rows]

    def taxonomy(self, extra: Sequence[str | os.PathLike] = ()):
        files, _ = merged_taxonomies(self.taxonomy_files(), [TaxonomyFile.read(p) for p in extra])
        return load_taxonomy(files)

    def adopt_taxonomies(self, paths: Sequence[str | os.PathLike]) -> int | None:
        """As :meth:`Store.adopt_taxonomies`: on the source store, then exported again. An export
        without its store cannot change: files it does not hold yet are refused."""
        _, changed = merged_taxonomies(self.taxonomy_files(), [TaxonomyFile.read(p) for p in paths])
        if not changed:
            return None
        if self.source is None:
            raise StoreError(
                f"{self.folder}: an export is a copy at one snapshot and cannot adopt the taxonomy "
                f"file(s) {', '.join(str(p) for p in paths)}, which its events were not resolved with.",
                hint="Run the command with --engine spark on the store itself (it exports again), or "
                "adopt the files into the store and export it again.",
            )
        n = self.source.adopt_taxonomies(paths)
        self._read(cached_export(self.source)[0])
        return n

    # -- the queries, on Spark ---------------------------------------------------------------------

    def ibis(self) -> _Tables:
        """Ibis tables over the export's events and counts, on Spark."""
        if self._tables is None:
            import ibis

            session = spark_session()
            tag = hashlib.sha1(f"{self.folder}:{self.manifest['created_at']}".encode()).hexdigest()[:10]
            views = {}
            for name in SPARK_TABLES:
                entry = self.manifest["tables"].get(name)
                if entry is None:
                    continue
                path = str(self.folder / entry["path"])
                reader = session.read.option("basePath", path) if entry["partition_by"] else session.read
                frame = reader.parquet(path)
                columns = [c for c, _ in entry["columns"]]
                # Partition columns come back last and as text: the store's order and types again.
                frame = frame.select(
                    *(frame[c].cast("string") if c in entry["partition_by"] else c for c in columns)
                )
                views[name] = f"pw_{tag}_{name}"
                frame.createOrReplaceTempView(views[name])
            self._tables = _Tables(ibis.pyspark.connect(session), views)
        return self._tables

    def cut_offs(self) -> dict[str, str]:
        """The latest day an event of each dataset starts (as :meth:`Store.cut_offs`)."""
        if self._cut_offs is None:
            t = self.ibis().table("events")
            expr = t.group_by("dataset_id").aggregate(last=t.date_start.max())
            rows = self.execute(expr).to_pylist()
            self._cut_offs = {r["dataset_id"]: r["last"].isoformat() for r in rows if r["last"] is not None}
            self._cut_offs.update(
                {d: day for d, day in self.declared_coverage().items() if d in self._cut_offs}
            )
        return dict(self._cut_offs)

    def declared_coverage(self) -> dict[str, str]:
        """The days declared with ``ingest --covers-to`` (as :meth:`Store.declared_coverage`), from the
        export's coverage_declared table, for each dataset's current file."""
        table = self._arrow("coverage_declared")
        if table is None:
            return {}
        current = {d["dataset_id"]: d["sha256"] for d in self.datasets()}
        return {
            r["dataset_id"]: r["covers_to"].isoformat()
            for r in table.to_pylist()
            if current.get(r["dataset_id"]) == r["sha256"]
        }

    def execute(self, expr, *, limit: int | None = None) -> Any:
        """Run an Ibis expression built on :meth:`ibis` tables on Spark; a pyarrow table in the
        expression's schema."""
        table = expr.to_pyarrow(limit=limit) if limit is not None else expr.to_pyarrow()
        return table.cast(expr.schema().to_pyarrow())

    def query(self, sql: str, params: Sequence[Any] = ()) -> Any:
        raise StoreError(
            "this command runs SQL that only the DuckDB engine reads.",
            hint="Run it without --engine spark.",
        )


def open_reader(store: str | os.PathLike | Store | None, engine: str | None = None):
    """The reading backend of ``engine`` for ``store`` (a store or an export folder): the Store itself
    for DuckDB; for Spark a :class:`SparkStore` over the export folder, or over the store's export at
    its snapshot (made once, then reused: STORE/exports/<snapshot>/)."""
    engine = engine or "duckdb"
    if engine not in ENGINES:
        raise StoreError(f"--engine {engine!r}: expected one of {', '.join(ENGINES)}.")
    if isinstance(store, Store):  # a team store's path is its location, never an export folder
        path: Path | None = store.path if isinstance(store.path, Path) else None
    elif isinstance(store, str | os.PathLike) and not is_postgres(str(store)):
        path = Path(store)
    else:  # the default store, or a team store's location (--store postgres:...): never an export
        path = None
    if path is not None and path.is_dir() and read_manifest(path) is not None:
        if engine == "duckdb":
            raise StoreError(
                f"{path}: an export folder; the DuckDB engine reads the store it was made from "
                f"({read_manifest(path)['store']}).",
                hint="Add --engine spark (engine='spark') to read the export, or point --store at the store.",
            )
        return SparkStore(path)
    # One snapshot for the whole command, on either engine (a pinned Store keeps its own).
    s = (store if isinstance(store, Store) else Store(store)).pinned()
    if engine == "duckdb":
        return s
    return SparkStore(cached_export(s)[0], source=s)
