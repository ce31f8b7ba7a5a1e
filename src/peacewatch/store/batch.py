"""Ingesting a batch of files into a store: hashing, planning, archiving, proving compressed files
whole, and writing them all in one DuckLake transaction (one snapshot) under the writer lock, or none.

:meth:`peacewatch.store.Store.ingest` is the entry point; this module holds its steps.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import shlex
import shutil
import sys
from collections.abc import Callable
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import duckdb

from peacewatch import schema
from peacewatch.errors import IngestError, SourceError
from peacewatch.sources.compressed import GzipProofs
from peacewatch.store import lake
from peacewatch.store.ddl import begin, ended
from peacewatch.store.declared import declare
from peacewatch.store.failures import ingest_error
from peacewatch.store.files import archive as archive_file
from peacewatch.store.files import working_folder
from peacewatch.store.interrupts import interruptible, polling
from peacewatch.store.postgres import without_password
from peacewatch.store.snapshots import set_commit
from peacewatch.store.taxonomies import TaxonomyFile, reresolve
from peacewatch.store.taxonomies import load as load_taxonomy
from peacewatch.store.taxonomies import merged as merged_taxonomies
from peacewatch.store.taxonomies import record as record_taxonomies

if TYPE_CHECKING:
    from peacewatch.store import Store

    # Imported where an ingest runs: it brings pyarrow (and with it NumPy), which reading the catalog
    # (`peacewatch datasets`) and running SQL (`peacewatch actors`) do not need.
    from peacewatch.store.ingest import IngestReport

ProgressFn = Callable[[str, float | None], None]


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


def command_line(paths=()) -> str:
    """The snapshot's commit message: the command line of a `peacewatch` command, else the call."""
    argv = sys.argv
    if argv and (Path(argv[0]).name in {"peacewatch", "__main__.py"} or argv[0].endswith("peacewatch")):
        # recorded in the catalog and listed by `peacewatch snapshots`: never a team store's password
        return shlex.join(["peacewatch", *map(without_password, argv[1:])])
    names = ", ".join(Path(p).name for p in paths)
    return f"Store.ingest([{names}])" if paths else "Store.adopt_taxonomies"


@contextmanager
def writing(store: Store, memory_limit: str):
    """A connection with the lake attached read-write; the block's changes to the lake, made inside
    the one transaction that ``begin(con)`` opens, commit as one snapshot when it ends, or none of them
    does. The caller holds the writer lock."""
    location = store.location
    location.prepare()
    folder = getattr(location, "folder", None)
    spill = working_folder(folder, "spill") if folder is not None else None
    config = {"memory_limit": memory_limit, "preserve_insertion_order": True}
    if spill is not None:
        spill.parent.mkdir(exist_ok=True)  # DuckDB makes the spill folder, not its parent
        config["temp_directory"] = str(spill)
    try:
        con = store._take_connection()
        if con is not None:  # the Store's read connection, its extensions loaded: attached read-write
            lake.attach_writable(con, location, config)
        else:
            con = lake.connect(location, read_only=False, config=config)
        try:
            yield con  # the block stages outside the transaction, then begin() opens it (store/ddl.py)
            begin(con)
            lake.retrying(lambda: con.execute("COMMIT"))
        finally:
            ended(con)
            con.close()  # without COMMIT: rolled back
    finally:
        if spill is not None:
            shutil.rmtree(spill, ignore_errors=True)


def ingest_files(
    store: Store,
    paths,
    *,
    source,
    mapping,
    dataset_id,
    taxonomy_files,
    progress,
    workdir: Path,
    plausible,
    memory_limit: str,
    release_of: str | None = None,
    archive: bool = True,
    wait: float = 60,
    message: str | None = None,
    covers_to: date | None = None,
):
    """The body of :meth:`Store.ingest` (which see), given the store, its working folder for zip
    members, the plausible dates, and DuckDB's memory limit."""
    report = progress or (lambda stage, fraction: None)
    files = [Path(p).expanduser().resolve() for p in paths]
    if dataset_id and len(files) > 1:
        raise IngestError("--name can only be given when ingesting a single file.")
    if release_of and len(files) > 1:
        raise IngestError("--release-of can only be given when ingesting a single file.")
    hashed = []
    for f in files:
        if not f.is_file():
            raise IngestError(f"{f}: no such file.", hint="Check the path given to ingest.")
        report(f"hashing {f.name}", None)
        hashed.append((f, _sha256(f)))
    message = message or command_line(files)
    # Files are planned (recognised, their layout read) before the store is touched: a file no reader
    # recognises leaves no store behind. The catalog is read again under the writer lock, where no
    # other writer can change it before this ingest commits.
    from peacewatch.sources.registry import plan_file
    from peacewatch.store import Store

    known = set(_known(Store(store.path, location=store.location)))
    planned = {}
    for f, sha in hashed:
        if sha not in known and sha not in planned:
            planned[sha] = plan_file(
                f, source=source, mapping=Path(mapping) if mapping else None, workdir=workdir
            )
    folder = getattr(store.location, "folder", None)
    created = folder is not None and not folder.exists()
    try:
        with store.location.lock(wait, message), interruptible():
            return _ingest_locked(
                store,
                hashed,
                planned,
                source=source,
                mapping=mapping,
                dataset_id=dataset_id,
                taxonomy_files=taxonomy_files,
                report=report,
                workdir=workdir,
                plausible=plausible,
                memory_limit=memory_limit,
                release_of=release_of,
                archive=archive,
                message=message,
                covers_to=covers_to,
            )
    except BaseException:
        if created:  # a store this ingest made, with nothing committed: leave nothing behind
            shutil.rmtree(folder, ignore_errors=True)
        raise


def _ingest_locked(
    store,
    hashed,
    planned,
    *,
    source,
    mapping,
    dataset_id,
    taxonomy_files,
    report,
    workdir,
    plausible,
    memory_limit,
    release_of,
    archive,
    message,
    covers_to=None,
):
    from peacewatch.gazetteer import resolve_countries
    from peacewatch.sources.registry import plan_file
    from peacewatch.store import Store
    from peacewatch.store.ingest import write

    current = Store(store.path, location=store.location)
    known = _known(current)
    taken = {d["dataset_id"]: d["sha256"] for d in current.datasets()}
    plans = []
    given: dict[str, Path] = {}  # sha256 -> the first file of this ingest with those bytes
    for f, sha in hashed:
        if sha in known:
            plans.append((f, sha, None, known[sha]))
            continue
        if sha in given:  # the same bytes twice in one ingest: read and count them once
            plans.append((f, sha, None, None))
            continue
        given[sha] = f
        plan = planned.get(sha) or plan_file(
            f, source=source, mapping=Path(mapping) if mapping else None, workdir=workdir
        )
        name = dataset_id or default_dataset_id(f)
        if name in taken and taken[name] != sha:
            name = f"{name}-{sha[:8]}"
        taken[name] = sha
        plans.append((f, sha, plan, name))
    # New rows are resolved with the store's own taxonomy files too, so its keys stay meaningful;
    # a new or changed file re-resolves the rows already stored (the same as adopt_taxonomies).
    tax_files, tax_changed = merged_taxonomies(
        current.taxonomy_files(), [TaxonomyFile.read(p) for p in taxonomy_files]
    )
    taxonomy = load_taxonomy(tax_files)
    current.close()
    todo = [p for p in plans if p[2] is not None]
    if not todo:
        sides = _adopt_locked(store, tax_files, taxonomy, memory_limit, message) if tax_changed else None
        note = () if sides is None else (_reresolved_note(sides),)
        if covers_to is not None:  # a declaration about files already in the store: its own snapshot
            with writing(store, memory_limit) as con:
                begin(con)
                declare(con, [name for _, _, _, name in plans if name], covers_to)
                set_commit(con, message, {})
        return [_unchanged(store, name, f, note) for f, _, _, name in plans]
    results: list[IngestReport] = []
    first_of: dict[str, IngestReport] = {}
    # Compressed files are proven whole beside the ingest, and before it commits (a truncated
    # .csv.gz reads without error in DuckDB).
    try:
        with GzipProofs(p[0] for p in todo) as proofs, writing(store, memory_limit) as con:
            snapshot_id = lake.latest_snapshot(con) + 1  # under the writer lock: the next one is ours
            sides = None
            if tax_changed:
                begin(con)
                record_taxonomies(con, tax_files)
                sides = reresolve(con, taxonomy)
            for f, sha, plan, name in plans:
                if plan is None:
                    if name is None:  # given twice in this ingest
                        results.append(_given_twice(first_of[sha], f))
                        continue
                    note = () if sides is None else (_reresolved_note(sides),)
                    results.append(_unchanged(store, name, f, note, con))
                    continue
                archived = None
                if archive and getattr(store.location, "folder", None) is not None:
                    report(f"archiving {f.name}", None)
                    archived = archive_file(store.location.folder, sha, f)
                with polling(con, report) as stage:
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
                                release_of=release_of,
                                archived=archived,
                                snapshot_id=snapshot_id,
                            )
                        )
                    except duckdb.Error as exc:
                        _prove(proofs, f)  # a stream that ends early is the better explanation
                        raise ingest_error(f, exc, memory_limit) from exc
                first_of[sha] = results[-1]
            _prove(proofs)
            begin(con)
            if covers_to is not None:
                declare(con, [r.dataset_id for r in results], covers_to)
            set_commit(
                con,
                message,
                {
                    r.dataset_id: {
                        "added": r.rows_added,
                        "updated": r.rows_updated,
                        "deleted": r.rows_deleted,
                        "unchanged": r.rows_unchanged,
                    }
                    for r in results
                    if r.status == "ingested"
                },
            )
    except duckdb.OutOfMemoryException as exc:  # outside any one file: setting up or committing
        raise ingest_error(store.path, exc, memory_limit) from exc
    return results


def _known(store: Store) -> dict[str, str]:
    """sha256 -> dataset id of every file in the store: each dataset's latest release and the earlier
    ones (an older release given again is no change; it is not applied back over a newer one)."""
    found = {d["sha256"]: d["dataset_id"] for d in store.datasets()}
    if store.exists() and store._has_table("releases"):
        rows = store.query("SELECT sha256, dataset_id FROM releases").to_pylist()
        for r in rows:
            found.setdefault(r["sha256"], r["dataset_id"])
    return found


def adopt(store: Store, paths, *, wait: float, message: str | None, memory_limit: str) -> int | None:
    """The body of :meth:`Store.adopt_taxonomies` (which see): one snapshot, under the writer lock."""
    from peacewatch.store import Store

    message = message or command_line()
    new = [TaxonomyFile.read(p) for p in paths]
    with store.location.lock(wait, message):
        current = Store(store.path, location=store.location)
        files, changed = merged_taxonomies(current.taxonomy_files(), new)
        current.close()
        if not changed:
            return None
        taxonomy = load_taxonomy(files)  # every problem of every file, before anything is written
        return _adopt_locked(store, files, taxonomy, memory_limit, message)


def _adopt_locked(store: Store, files, taxonomy, memory_limit: str, message: str) -> int:
    with writing(store, memory_limit) as con:
        begin(con)
        record_taxonomies(con, files)
        n = reresolve(con, taxonomy)
        set_commit(con, message, {})
    return n


def _unchanged(store: Store, name: str, f: Path, notes: tuple[str, ...] = (), con=None) -> IngestReport:
    from peacewatch.store import Store
    from peacewatch.store.ingest import IngestReport

    if con is not None:  # inside the writing transaction
        cur = con.execute("SELECT * FROM datasets WHERE dataset_id = ?", [name])
        d = dict(zip([c[0] for c in cur.description], cur.fetchone(), strict=True))
    else:
        d = next(x for x in Store(store.path, location=store.location).datasets() if x["dataset_id"] == name)
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
        snapshot_id=d.get("snapshot_id"),
        archive=d.get("archive"),
    )


def _reresolved_note(sides: int) -> str:
    return f"actor names re-resolved with the store's taxonomy files: {sides:,} event side(s) got other keys"


def plausible_window(earliest: date | None, latest: date | None) -> tuple[date, date]:
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
        rows_added=0,
        rows_updated=0,
        rows_deleted=0,
        rows_unchanged=0,
        seconds=0.0,
        notes=(
            f"the same file (sha256) as {first.path}, given earlier in this ingest: read and counted "
            f"once, as dataset {first.dataset_id}",
        ),
    )
