"""Applying a sync with a live service as ONE snapshot, and the ``syncs`` catalog table that resumes it.

:meth:`peacewatch.store.Store.sync` is the entry point; the command that syncs (cli/sync_cmds.py)
reads the last cursor with :meth:`peacewatch.store.Store.last_sync` and hands the service module's
pull (sync/pages.py: ``source``, ``dataset_id``, ``filters``, ``service``, ``pages``, ``complete``,
``version``, ``notes``, ``cursor``, ``accessed_at``; this module reads those attributes and imports
nothing of sync/) to :func:`apply`, which:

1. consumes the pages outside the writer lock, writing each raw answer into one tar.gz (a member per
   page, with ``requests.jsonl`` naming the requests, secrets redacted) and gathering the pages'
   reader output into one Arrow table;
2. under the lock, in one DuckLake transaction: archives the tar.gz as ``archive/<sha256>.tar.gz``
   (as source files are archived, store/files.py), stages the rows exactly as a file's
   (store/ingest.py ``write``), applies them to the dataset (a new dataset: inserted; ``complete``: a
   release change set; otherwise an upsert by event id plus the deletions the pages list), records
   the catalog and release rows (the release row keeps the archive) and a ``syncs`` row: source,
   dataset, service, filters, cursor, access time, snapshot, counts; then commits.

Anything that fails or is interrupted before the commit (a malformed page, kill -9, a cut network)
leaves the store at its last snapshot and the ``syncs`` table at the last cursor, so the next sync
pulls the same changes again: upserts by event id make that idempotent (nothing lost, nothing
duplicated). An archive copied before a failed commit is listed by no release and removed by
``peacewatch compact``.

The summary of a sync (new, changed and deleted events per country and month) is read from the
lake's change feed of the sync's snapshot.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
import tarfile
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from peacewatch.errors import SyncError
from peacewatch.sources.base import ReadPlan

if TYPE_CHECKING:
    from peacewatch.store import Store

SYNCS_DDL = """CREATE TABLE IF NOT EXISTS syncs (
    source VARCHAR NOT NULL, dataset_id VARCHAR NOT NULL, service VARCHAR NOT NULL,
    filters VARCHAR NOT NULL, cursor VARCHAR NOT NULL, accessed_at TIMESTAMP NOT NULL,
    snapshot_id BIGINT NOT NULL, archive VARCHAR, sha256 VARCHAR, pages BIGINT NOT NULL,
    rows_read BIGINT NOT NULL, added BIGINT NOT NULL, updated BIGINT NOT NULL, deleted BIGINT NOT NULL,
    unchanged BIGINT NOT NULL, quarantined BIGINT NOT NULL, complete BOOLEAN NOT NULL)"""


@dataclass(frozen=True)
class SyncReport:
    """What a sync did; the counts are also in the ``syncs`` table and the snapshot's extra info."""

    source: str
    dataset_id: str
    service: str
    filters: dict[str, Any]
    cursor: dict[str, Any]
    accessed_at: str
    snapshot_id: int | None
    archive: str | None
    pages: int
    requests: int | None
    rows_read: int
    added: int
    updated: int
    deleted: int
    unchanged: int
    quarantined: int
    duplicate: int
    seconds: float
    # One row per country and month: {"country", "month", "added", "updated", "deleted"}.
    by_country_month: list[dict[str, Any]] = field(default_factory=list)
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["notes"] = list(self.notes)
        return d


def last_sync(store: Store, source: str, dataset_id: str) -> dict[str, Any] | None:
    """The ``syncs`` row of the last sync of ``dataset_id`` (filters and cursor as dicts), or None."""
    if not store.exists() or not store._has_table("syncs"):
        return None
    rows = store.query(
        "SELECT * FROM syncs WHERE source = ? AND dataset_id = ? ORDER BY snapshot_id DESC LIMIT 1",
        [source, dataset_id],
    ).to_pylist()
    if not rows:
        return None
    row = rows[0]
    row["filters"], row["cursor"] = json.loads(row["filters"]), json.loads(row["cursor"])
    return row


class _Spool:
    """The raw answers of a pull, written as they arrive into one deterministic tar.gz."""

    def __init__(self):
        fd, name = tempfile.mkstemp(prefix="peacewatch-sync-", suffix=".tar.gz")
        os.close(fd)
        self.path = Path(name)
        # gzip level 3: a tenth of level 9's CPU on JSON pages, for an archive about 1.5x as large
        self._tar = tarfile.open(self.path, "w:gz", format=tarfile.PAX_FORMAT, compresslevel=3)  # noqa: SIM115
        self._index: list[str] = []

    def add(self, n: int, request: str, body: bytes, rows: int) -> None:
        name = f"page-{n:05d}"
        self._put(name, body)
        # ``rows``: the events the page gave, numbered on through the pages (an event's source_row;
        # sources/raw_rows.py reads them back for `peacewatch events --raw`).
        entry = {"member": name, "request": request, "bytes": len(body), "rows": rows}
        self._index.append(json.dumps(entry))

    def _put(self, name: str, data: bytes) -> None:
        info = tarfile.TarInfo(name)
        info.size, info.mtime, info.mode = len(data), 0, 0o644
        self._tar.addfile(info, io.BytesIO(data))

    def close(self) -> tuple[str, int]:
        self._put("requests.jsonl", ("\n".join(self._index) + "\n").encode())
        self._tar.close()
        h = hashlib.sha256()
        with open(self.path, "rb") as fh:
            while chunk := fh.read(1 << 20):
                h.update(chunk)
        return h.hexdigest(), self.path.stat().st_size

    def discard(self) -> None:
        with contextlib.suppress(Exception):  # already closed, or the disk is full: the file goes anyway
            self._tar.close()
        self.path.unlink(missing_ok=True)


def _gather(pull, spool: _Spool, report) -> tuple[ReadPlan | None, list[str], int, set[str]]:
    """Consume the pull's pages: spool the answers, concatenate the plans' rows, list the deletions.
    Each answer is checked as it arrives against the secrets the pull knows by then (a page that
    holds one stops the sync there); the last item returned is the secrets every answer was checked
    against (see :func:`_check_secrets`)."""
    import pyarrow as pa

    plan, tables, deleted, n, rows = None, [], [], 0, 0
    checked: set[str] | None = None
    for page in pull.pages:
        n += 1
        known = _secrets(pull)
        _refuse_secrets(pull, f"page-{n:05d}", (page.request.encode(), page.body), known)
        checked = set(known) if checked is None else checked & set(known)
        given = sum(t.num_rows for t in page.plan.tables.values()) if page.plan is not None else 0
        spool.add(n, page.request, page.body, given)
        if page.plan is not None:
            if plan is None:
                plan = page.plan
            elif dataclasses.replace(page.plan, tables={}) != dataclasses.replace(plan, tables={}):
                raise AssertionError(f"{page.request}: its plan differs from the first page's")
            tables.extend(page.plan.tables.values())
            rows += sum(t.num_rows for t in page.plan.tables.values())
        deleted.extend(page.deleted)
        report(f"{pull.source}: {n:,} page(s), {rows:,} event(s), {len(deleted):,} deletion(s)", None)
    if plan is not None:
        (name,) = plan.tables
        combined = pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]
        plan = dataclasses.replace(plan, tables={name: combined}, notes=(*plan.notes, *pull.notes))
    return plan, deleted, n, checked or set()


def apply(store: Store, pull, *, progress=None, memory_limit: str, wait: float, message: str) -> SyncReport:
    """Consume ``pull`` and apply it to ``store`` as one snapshot (see the module docstring)."""
    report = progress or (lambda stage, fraction: None)
    started = time.perf_counter()
    spool = _Spool()
    try:
        plan, deleted, pages, checked = _gather(pull, spool, report)
        sha, nbytes = spool.close()
        _check_secrets(spool.path, pull, checked)
        done = _apply_locked(
            store, pull, plan, deleted, spool.path, sha, nbytes, pages, report, memory_limit, wait, message
        )
    finally:
        spool.discard()
    counts, snapshot_id, archived, notes, by_month = done
    return SyncReport(
        source=pull.source,
        dataset_id=pull.dataset_id,
        service=pull.service,
        filters=dict(pull.filters),
        cursor=dict(pull.cursor),
        accessed_at=pull.accessed_at.isoformat(),
        snapshot_id=snapshot_id,
        archive=archived,
        pages=pages,
        requests=pull.requests() if pull.requests else None,
        rows_read=counts["rows_read"],
        added=counts["added"],
        updated=counts["updated"],
        deleted=counts["deleted"],
        unchanged=counts["unchanged"],
        quarantined=counts["quarantined"],
        duplicate=counts["duplicate"],
        seconds=round(time.perf_counter() - started, 3),
        by_country_month=by_month,
        notes=notes,
    )


def _secrets(pull) -> tuple[str, ...]:
    return tuple(s for s in getattr(pull, "secrets", ()) if s)


def _refuse_secrets(pull, member: str, texts, secrets) -> None:
    if any(s.encode() in t for t in texts for s in secrets):
        raise SyncError(
            f"{pull.service}: an answer of the service ({member}) holds one of the sync's "
            "credentials, and credentials are never stored.",
            hint="Please report this; the store is unchanged.",
        )


def _check_secrets(path: Path, pull, checked: set[str] = frozenset()) -> None:
    """Refuse to archive answers that carry a secret (a service echoing a token back). The answers
    were checked as they arrived against the secrets known then (``checked``: those known for every
    answer); only a secret the pull learnt later (a token issued during the sync, or a pull that
    names its secrets only at the end) makes this read the whole archive again."""
    secrets = _secrets(pull)
    if not secrets or set(secrets) <= checked:
        return
    with tarfile.open(path, "r:gz") as tar:
        for member in tar.getmembers():
            _refuse_secrets(pull, member.name, (tar.extractfile(member).read(),), secrets)


def _apply_locked(
    store, pull, plan, deleted, spooled, sha, nbytes, pages, report, memory_limit, wait, message
):
    import pyarrow as pa

    from peacewatch.gazetteer import resolve_countries
    from peacewatch.store import lake
    from peacewatch.store.batch import writing
    from peacewatch.store.catalog import _has as release_has
    from peacewatch.store.catalog import recount, scanned_coverage
    from peacewatch.store.ddl import begin
    from peacewatch.store.files import archive as archive_file
    from peacewatch.store.ingest import _upserts, write
    from peacewatch.store.interrupts import interruptible, polling
    from peacewatch.store.snapshots import set_commit
    from peacewatch.store.taxonomies import load as load_taxonomy
    from peacewatch.store.taxonomies import recorded

    zero = {"added": 0, "updated": 0, "deleted": 0, "unchanged": 0}
    with store.location.lock(wait, message), interruptible(), writing(store, memory_limit) as con:
        # The catalog and taxonomy are read on the writing connection, under the lock: one
        # connection per sync (opening the lake is most of a small sync's time).
        snapshot_id = lake.latest_snapshot(con) + 1
        exists = release_has(con, "datasets") and bool(
            con.execute("SELECT count(*) FROM datasets WHERE dataset_id = ?", [pull.dataset_id]).fetchone()[0]
        )
        taxonomy = load_taxonomy(recorded(con))
        # Empty until the write fills it (an upsert's or a release's change set, store/ingest.py):
        # the summary reads it whatever the write was, with no look at the catalog.
        con.execute(
            "CREATE OR REPLACE TEMP TABLE change_months (change VARCHAR, country VARCHAR, month VARCHAR)"
        )
        archived = None
        folder = getattr(store.location, "folder", None)
        if folder is not None:
            report(f"{pull.source}: archiving {pages:,} answer(s)", None)
            archived = archive_file(folder, sha, spooled)
        prefix = pull.source + ":"
        con.register(
            "pw_sync_deleted",
            pa.table({"event_id": pa.array([prefix + d for d in deleted], pa.string())}),
        )
        con.execute(
            "CREATE OR REPLACE TEMP TABLE sync_deleted AS SELECT DISTINCT event_id FROM pw_sync_deleted"
        )
        counts = {"rows_read": 0, "quarantined": 0, "duplicate": 0, **zero}
        notes: tuple[str, ...] = ()
        if plan is not None:
            with polling(con, report) as stage:
                r = write(
                    con,
                    plan,
                    dataset_id=pull.dataset_id,
                    original=pull.service,
                    sha256=sha,
                    nbytes=nbytes,
                    taxonomy=taxonomy,
                    resolve_countries=resolve_countries,
                    progress=lambda s: stage(f"{pull.source}: {s}"),
                    release_of=pull.dataset_id if exists else None,
                    archived=archived,
                    snapshot_id=snapshot_id,
                    deletions=None if pull.complete else "sync_deleted",
                )
            counts.update(
                rows_read=r.rows_read,
                quarantined=r.rows_quarantined,
                duplicate=r.rows_duplicate,
                added=r.rows_added,
                updated=r.rows_updated,
                deleted=r.rows_deleted,
                unchanged=r.rows_unchanged,
            )
            notes = r.notes
            if not pull.complete:
                # An upsert carries only what changed: the catalog row counts the dataset's rows
                # now (what briefs show), not the last sync's; the syncs row keeps the sync's own.
                recount(con, pull.dataset_id)
        elif exists and deleted:  # a pull of deletions only
            begin(con)
            con.execute("CREATE OR REPLACE TEMP TABLE sync_none AS SELECT * FROM events WHERE false")
            changed, coverage = _upserts(con, pull.dataset_id, "sync_none", "sync_deleted")
            counts.update(changed)
            # No release row, but the catalog row still tells the dataset as it is now: its count
            # and coverage (the next sync's coverage_after starts from it).
            recount(con, pull.dataset_id, coverage or scanned_coverage(con, "events", pull.dataset_id))
        begin(con)
        con.execute(SYNCS_DDL)
        con.execute(
            f"INSERT INTO syncs VALUES ({', '.join('?' * 17)})",
            [
                pull.source,
                pull.dataset_id,
                pull.service,
                json.dumps(pull.filters, sort_keys=True, default=str),
                json.dumps(pull.cursor, sort_keys=True, default=str),
                pull.accessed_at.replace(tzinfo=None),
                snapshot_id,
                archived,
                sha,
                pages,
                counts["rows_read"],
                counts["added"],
                counts["updated"],
                counts["deleted"],
                counts["unchanged"],
                counts["quarantined"],
                bool(pull.complete),
            ],
        )
        by_month = _summary(con, pull.dataset_id, fresh=plan is not None and not exists)
        set_commit(con, message, {pull.dataset_id: {k: counts[k] for k in zero}})
    store._written()
    return counts, snapshot_id, archived, notes, by_month


def _summary(con, dataset_id: str, *, fresh: bool) -> list[dict[str, Any]]:
    """New, changed and deleted events per country and month: from the change set's
    temp.change_months (store/ingest.py), or, for a new dataset, its events (all new)."""
    if fresh:
        sql = """SELECT coalesce(iso3, country, 'unknown') AS country, strftime(date_start, '%Y-%m') AS month,
                        count(*), 0, 0 FROM events WHERE dataset_id = ? GROUP BY ALL ORDER BY 1, 2"""
        rows = con.execute(sql, [dataset_id]).fetchall()
    else:
        rows = con.execute("""
            SELECT country, month, count(*) FILTER (WHERE change = 'added'),
                   count(*) FILTER (WHERE change = 'updated'), count(*) FILTER (WHERE change = 'deleted')
            FROM temp.change_months GROUP BY ALL ORDER BY 1, 2""").fetchall()
    return [{"country": c, "month": m, "added": a, "updated": u, "deleted": d} for c, m, a, u, d in rows]
