"""Execute a reader's plan: stage, identify, write and account.

Everything heavy runs inside DuckDB, so ten million rows never pass through Python. Counts reconcile
by construction: every scanned or rejected row ends in exactly one of ingested, quarantined or
duplicate (a repeated source id within the file; kept in the quarantine table too).

A new dataset's rows are inserted as they are staged. A new release of a dataset already in the store
(store/catalog.py says which) is applied as a change set by event id: ids new to the dataset are
inserted, ids whose content hash differs are updated (deleted and inserted), ids the file no longer
has are deleted, and the rest are left untouched, so only the changed rows reach disk. Counts
datasets have no ids: a new release replaces their rows.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import date

import pyarrow as pa

from peacewatch import schema
from peacewatch.sources.base import ReadPlan, quote_literal
from peacewatch.store.catalog import Coverage, coverage_after, record, release_target, supersede
from peacewatch.store.ddl import begin
from peacewatch.store.staging import Progress, fields_missing, keep_raw, lookup_tables, rejects_of, stage


@dataclass(frozen=True)
class IngestReport:
    """What an ingest did; the same numbers are stored in the catalog."""

    dataset_id: str
    source: str
    reader: str
    path: str
    status: str  # "ingested" or "unchanged"
    table: str
    rows_read: int
    rows_ingested: int
    rows_quarantined: int
    rows_duplicate: int
    rows_superseded: int
    fields_missing: tuple[str, ...]
    version: str | None
    news_derived: bool
    seconds: float
    notes: tuple[str, ...] = field(default_factory=tuple)
    # The change this file made to its dataset's current rows (a new dataset: all added).
    rows_added: int = 0
    rows_updated: int = 0
    rows_deleted: int = 0
    rows_unchanged: int = 0
    release_of: str | None = None  # the dataset this file was applied to as a new release
    snapshot_id: int | None = None
    archive: str | None = None  # the archived copy, relative to the store (None: --no-archive)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["fields_missing"] = list(self.fields_missing)
        d["notes"] = list(self.notes)
        return d


_BOOKKEEPING = {
    "event_id",
    "dataset_id",
    "source",
    "source_event_id",
    "source_row",
    "source_file",
    "content_hash",
    "iso3",
    "actor1_keys",
    "actor2_keys",
    "actor1_names",
    "actor2_names",
}


def _identity(plan: ReadPlan, staged: str = "temp.scan_typed") -> tuple[str, str, str, str]:
    """How the staged rows (``s``, over ``t``: the table ``staged``) become events: the event id, the
    rows to read, the rows kept, and the SQL selecting the ``__ord`` of duplicate rows (a source id
    read earlier)."""
    if plan.source_id:
        ident = f"{quote_literal(plan.source + ':')} || s.__source_id"
        return (
            ident,
            f"{staged} t JOIN temp.ids i USING (__ord)",
            "s.__occ = 1",
            ("SELECT __ord FROM temp.ids WHERE __occ > 1"),
        )
    # Identical rows without ids are told apart by their position in the file (issue 11).
    ident = f"{quote_literal(plan.source + ':h')} || left(s.__md5, 16) || '-' || s.__row"
    return ident, f"{staged} t", "s.__bad IS NULL", "SELECT NULL::BIGINT WHERE false"


def _event_select(con, plan: ReadPlan, ds: str, sha256: str, only: str | None = None) -> tuple[str, str]:
    """The SELECT of the file's event rows as stored (under dataset ``ds``), and the SQL that
    selects the ``__ord`` of duplicate rows (a source id already read earlier in the file).
    ``only``: a table of some of the staged rows, to select those alone (default: all of them)."""
    src = quote_literal(plan.source)
    if plan.source_id:
        # Occurrence numbers on a narrow table: a window over the wide rows would need gigabytes.
        con.execute("""CREATE OR REPLACE TEMP TABLE ids AS
            SELECT __ord, row_number() OVER w AS __occ, first_value(__row) OVER w AS __first
            FROM temp.scan_typed WHERE __bad IS NULL
            WINDOW w AS (PARTITION BY __source_id ORDER BY __ord)""")
    ident, rows, keep, dups = _identity(plan, only or "temp.scan_typed")
    cols = [c.name for c in schema.EVENTS if c.name not in _BOOKKEEPING]
    if con.execute("SELECT count(*) FROM pw_actor_keys").fetchone()[0]:
        actor_keys = (
            "coalesce(a1.keys, []::VARCHAR[]) AS actor1_keys, coalesce(a2.keys, []::VARCHAR[]) AS actor2_keys"
        )
        actor_joins = "\n".join(
            f"LEFT JOIN pw_actor_keys a{n} ON a{n}.name = s.__actor{n}_names "
            f"AND coalesce(a{n}.iso3, '') = coalesce(s.__iso3, '')"
            for n in (1, 2)
        )
    else:  # no actor names in the file: skip two joins over every row
        actor_keys, actor_joins = "[]::VARCHAR[] AS actor1_keys, []::VARCHAR[] AS actor2_keys", ""
    names = ", ".join(
        f"CASE WHEN nullif(s.__actor{n}_names, '') IS DISTINCT FROM s.actor{n} "
        f"THEN nullif(s.__actor{n}_names, '') END AS actor{n}_names"
        for n in (1, 2)
    )
    select = f"""
        SELECT {ident} AS event_id, {ds} AS dataset_id, {src} AS source, s.__source_id AS source_event_id,
               s.__row AS source_row, {quote_literal(sha256)} AS source_file, s.__hash AS content_hash,
               s.__iso3 AS iso3, {actor_keys}, {names}, {", ".join("s." + c for c in cols)}
        FROM (SELECT t.*, {"i.__occ" if plan.source_id else "1 AS __occ"}, coalesce(t.iso3, c.iso3) AS __iso3
              FROM {rows} LEFT JOIN pw_countries c ON t.country = c.name) s
        {actor_joins}
        WHERE {keep}"""
    # In the table's own column order, so that the rows can be inserted with SELECT *.
    return f"SELECT {', '.join(c.name for c in schema.EVENTS)} FROM ({select})", dups


def _replace_counts(con, target: str, staged: str) -> dict[str, int]:
    """A new release of a counts dataset (weekly aggregates have no ids): its rows replace the old."""
    begin(con)
    deleted = con.execute("SELECT count(*) FROM counts WHERE dataset_id = ?", [target]).fetchone()[0]
    con.execute("DELETE FROM counts WHERE dataset_id = ?", [target])
    added = con.execute(f"INSERT INTO counts SELECT * FROM temp.{staged}").fetchone()[0]
    return {"added": added, "updated": 0, "deleted": deleted, "unchanged": 0}


def _upserts(con, target: str, staged: str, deleted: str) -> tuple[dict[str, int], Coverage | None]:
    """Apply the staged rows (temp table ``staged``) to dataset ``target`` as an upsert by event id,
    and delete the events whose ids temp table ``deleted`` lists (a sync: docs/sync.md). Ids of the
    dataset in neither are left as they are (counted as unchanged only when staged). Returns the
    counts of each change.

    The dataset is read once: its rows whose ids are staged or deleted (a sync's few thousand of
    millions) are copied with their row ids into temp.touched, and the change set, the country and
    month of every change (temp.change_months, a sync's summary: store/syncs.py) and the delete (by
    row id, as a release's) read that. The writer lock is held, so the rows cannot change before the
    delete."""
    ds = quote_literal(target)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE touched AS
        SELECT event_id, content_hash, iso3, country, date_start, date_end, rowid AS __rowid FROM events
        WHERE dataset_id = {ds} AND event_id IN (
            SELECT event_id FROM temp.{staged} UNION ALL SELECT event_id FROM temp.{deleted})"""
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE change_set AS
        SELECT n.event_id, o.__rowid,
               CASE WHEN o.event_id IS NULL THEN 'added' WHEN n.content_hash <> o.content_hash
                    THEN 'updated' ELSE 'unchanged' END AS change
        FROM (SELECT event_id, content_hash FROM temp.{staged}
              WHERE event_id NOT IN (SELECT event_id FROM temp.{deleted})) n
        LEFT JOIN temp.touched o USING (event_id)
        UNION ALL
        SELECT event_id, __rowid, 'deleted' FROM temp.touched
        WHERE event_id IN (SELECT event_id FROM temp.{deleted})"""
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE change_months AS
        SELECT c.change, coalesce(n.iso3, o.iso3, n.country, o.country, 'unknown') AS country,
               strftime(coalesce(n.date_start, o.date_start), '%Y-%m') AS month
        FROM temp.change_set c
        LEFT JOIN temp.{staged} n ON n.event_id = c.event_id AND c.change <> 'deleted'
        LEFT JOIN temp.touched o ON o.event_id = c.event_id AND c.change = 'deleted'
        WHERE c.change <> 'unchanged'"""
    )
    coverage = coverage_after(con, target, staged)
    begin(con)
    con.execute(
        "DELETE FROM events WHERE rowid IN "
        "(SELECT __rowid FROM temp.change_set WHERE change IN ('deleted', 'updated'))"
    )
    con.execute(
        f"INSERT INTO events SELECT * FROM temp.{staged} WHERE event_id IN "
        "(SELECT event_id FROM temp.change_set WHERE change IN ('added', 'updated'))"
    )
    counts = dict(con.execute("SELECT change, count(*) FROM temp.change_set GROUP BY ALL").fetchall())
    con.execute("DROP TABLE temp.change_set")
    con.execute("DROP TABLE temp.touched")
    return {k: counts.get(k, 0) for k in ("added", "updated", "deleted", "unchanged")}, coverage


# The staged rows a release inserts (those new to the dataset or changed), copied out of the
# wide staging table so that only they are built in their stored form (_apply_release).
_RELEASE_ROWS = "temp.release_rows"


def _release_keys(plan: ReadPlan) -> str:
    """The staged rows kept as events, narrow: event id, content hash, ``__ord``."""
    ident, rows, keep, _ = _identity(plan)
    occ = "i.__occ" if plan.source_id else "1 AS __occ"
    return (
        f"SELECT {ident} AS event_id, s.__hash AS content_hash, s.__ord "
        f"FROM (SELECT t.*, {occ} FROM {rows}) s WHERE {keep}"
    )


def _apply_release(con, plan: ReadPlan, target: str, select: str, progress: Progress) -> tuple[int, dict]:
    """Apply the staged file to events dataset ``target`` as a change set; ``select`` gives the
    stored form of the rows in ``_RELEASE_ROWS``. Returns the rows the file holds and the changes.

    Only what differs is touched: the comparison is of narrow keys (event id, content hash) with
    the dataset's, keeping only the rows that differ; those are deleted by row id (DuckLake's
    ``rowid``, so no second scan of the event ids) and the added and updated rows alone are built
    in their stored form and inserted. The comparison runs before the transaction opens (the
    writer lock is held, so the dataset cannot change before the delete)."""
    progress("comparing with the store")
    con.execute(f"CREATE OR REPLACE TEMP TABLE release_new AS {_release_keys(plan)}")
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE release_diff AS
        SELECT n.__ord, o.__rowid,
               CASE WHEN o.event_id IS NULL THEN 'added' WHEN n.event_id IS NULL THEN 'deleted'
                    ELSE 'updated' END AS change
        FROM temp.release_new n
        FULL JOIN (SELECT event_id, content_hash, rowid AS __rowid FROM events WHERE dataset_id = ?) o
            USING (event_id)
        WHERE n.event_id IS NULL OR o.event_id IS NULL OR n.content_hash <> o.content_hash""",
        [target],
    )
    rows = con.execute("SELECT count(*) FROM temp.release_new").fetchone()[0]
    counts = dict(con.execute("SELECT change, count(*) FROM temp.release_diff GROUP BY ALL").fetchall())
    changed = {k: counts.get(k, 0) for k in ("added", "updated", "deleted")}
    changed["unchanged"] = rows - changed["added"] - changed["updated"]
    # Semi-join first: built over the whole staging table, the stored form costs seconds per million.
    con.execute(
        "CREATE OR REPLACE TEMP TABLE release_rows AS SELECT * FROM temp.scan_typed WHERE __ord IN "
        "(SELECT __ord FROM temp.release_diff WHERE change IN ('added', 'updated'))"
    )
    progress("writing the changes")
    begin(con)
    # The country and month of every change, for a sync's summary (store/syncs.py), as _months keeps
    # them for the other paths: the deleted rows' before they go, the added and updated rows' after.
    con.execute(
        """CREATE OR REPLACE TEMP TABLE change_months AS
        SELECT 'deleted' AS change, coalesce(iso3, country, 'unknown') AS country,
               strftime(date_start, '%Y-%m') AS month
        FROM events WHERE rowid IN (SELECT __rowid FROM temp.release_diff WHERE change = 'deleted')"""
    )
    con.execute(
        "DELETE FROM events WHERE rowid IN "
        "(SELECT __rowid FROM temp.release_diff WHERE change IN ('deleted', 'updated'))"
    )
    inserted = con.execute(f"INSERT INTO events {select}").fetchone()[0]
    if inserted != changed["added"] + changed["updated"]:  # pragma: no cover - an invariant
        raise AssertionError(f"release of {target}: inserted {inserted} rows, expected {changed}")
    con.execute(
        """INSERT INTO temp.change_months
        SELECT d.change, coalesce(e.iso3, e.country, 'unknown'), strftime(e.date_start, '%Y-%m')
        FROM temp.release_diff d JOIN temp.release_new n USING (__ord)
        JOIN events e ON e.event_id = n.event_id AND e.dataset_id = ?
        WHERE d.change IN ('added', 'updated')""",
        [target],
    )
    for table in ("temp.release_new", "temp.release_diff", _RELEASE_ROWS):
        con.execute(f"DROP TABLE {table}")
    return rows, changed


def write(
    con,
    plan: ReadPlan,
    *,
    dataset_id: str,
    original: str,
    sha256: str,
    nbytes: int,
    taxonomy,
    resolve_countries,
    progress: Progress,
    plausible: tuple[date, date] | None = None,
    release_of: str | None = None,
    archived: str | None = None,
    snapshot_id: int | None = None,
    deletions: str | None = None,
) -> IngestReport:
    """Stage ``plan`` and write its rows, quarantine and catalog entry, as a new dataset
    ``dataset_id`` or as a new release of an existing one (``release_of``, or found by its event
    ids). The caller owns the transaction.

    Rows dated outside ``plausible`` (default ``schema.plausible_dates()``) are quarantined.

    ``deletions`` (a sync that carries only what changed: store/syncs.py) names a temp table of the
    event ids to delete; the rows are then applied to an existing dataset as an upsert by event id
    (``_upserts``) instead of a complete release, and its earlier quarantined rows are kept."""
    started = time.perf_counter()
    scanned = stage(con, plan, progress, plausible)
    rejects = rejects_of(con, plan)
    if rejects:
        # The scan numbered only the rows DuckDB could split; shift them past the rejected lines.
        con.register(
            "pw_rejects", pa.table({"t": [row - i for i, (row, _, _) in enumerate(rejects, start=1)]})
        )
        con.execute(
            "UPDATE temp.scan_typed SET __row = __ord + (SELECT count(*) FROM pw_rejects WHERE t < __ord)"
        )
    progress("resolving actors and places")
    lookup_tables(con, plan, taxonomy, resolve_countries)
    target, why = release_target(con, plan, release_of)
    name = target or dataset_id
    ds = quote_literal(name)

    progress("identifying rows")
    if plan.table == "events":
        # A release inserts only the rows it adds or changes (_apply_release); a sync's upsert
        # (``deletions``) compares every staged row (_upserts).
        only = _RELEASE_ROWS if target is not None and deletions is None else None
        select, dups = _event_select(con, plan, ds, sha256, only=only)
    else:
        cols = [c.name for c in schema.COUNTS if c.name not in {"dataset_id", "source_row", "iso3"}]
        select = f"""
            SELECT {ds} AS dataset_id, t.__row AS source_row, coalesce(t.iso3, c.iso3) AS iso3,
                   {", ".join("t." + c for c in cols)}
            FROM temp.scan_typed t LEFT JOIN pw_countries c ON t.country = c.name
            WHERE t.__bad IS NULL"""
        select = f"SELECT {', '.join(c.name for c in schema.COUNTS)} FROM ({select})"
        dups = "SELECT NULL::BIGINT WHERE false"
    keep_raw(con, plan, f"SELECT __ord FROM temp.scan_typed WHERE __bad IS NOT NULL UNION ALL {dups}")
    # A release says its own steps (_apply_release); a sync's upsert is one step.
    if target is None or plan.table != "events" or deletions is not None:
        progress(f"writing {plan.table}")
    coverage = None  # found by a scan of the dataset (catalog.record) unless an upsert tells it
    if target is None:
        begin(con)
        if (
            deletions is not None
            and plan.table == "events"
            and con.execute(f"SELECT count(*) FROM temp.{deletions}").fetchone()[0]
        ):
            # A first sync's page may list ids it also carries (UCDP: Candidate events a GED release
            # covers): they are read and counted, but not inserted.
            con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS {select}")
            ingested = con.execute("SELECT count(*) FROM temp.staged").fetchone()[0]
            added = con.execute(
                "INSERT INTO events SELECT * FROM temp.staged "
                f"WHERE event_id NOT IN (SELECT event_id FROM temp.{deletions})"
            ).fetchone()[0]
            con.execute("DROP TABLE temp.staged")
        else:
            ingested = added = con.execute(f"INSERT INTO {plan.table} {select}").fetchone()[0]
        changed = {"added": added, "updated": 0, "deleted": 0, "unchanged": 0}
    elif plan.table == "events" and deletions is None:  # a whole new release of the dataset
        ingested, changed = _apply_release(con, plan, target, select, progress)
        con.execute("DELETE FROM quarantine WHERE dataset_id = ?", [target])
    else:
        con.execute(f"CREATE OR REPLACE TEMP TABLE staged AS {select}")
        ingested = con.execute("SELECT count(*) FROM temp.staged").fetchone()[0]
        if deletions is not None and plan.table == "events":
            changed, coverage = _upserts(con, target, "staged", deletions)
        else:
            changed = _replace_counts(con, target, "staged")
            con.execute("DELETE FROM quarantine WHERE dataset_id = ?", [target])
        con.execute("DROP TABLE temp.staged")
    duplicate = con.execute(f"SELECT count(*) FROM ({dups})").fetchone()[0]
    if plan.table == "events" and duplicate:
        con.execute(f"""
            INSERT INTO quarantine
            SELECT {ds}, s.__row, r.__raw, 'duplicate: source id ' || s.__source_id || ' already read at row '
                   || i.__first
            FROM temp.scan_typed s JOIN temp.ids i USING (__ord) JOIN temp.raw_rows r USING (__ord)
            WHERE i.__occ > 1
        """)
    con.execute(
        f"INSERT INTO quarantine SELECT {ds}, s.__row, r.__raw, s.__bad FROM temp.scan_typed s "
        "JOIN temp.raw_rows r USING (__ord) WHERE s.__bad IS NOT NULL"
    )
    if rejects:
        con.executemany(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?)",
            [(name, row, raw, reason) for row, raw, reason in rejects],
        )
    quarantined = con.execute("SELECT count(*) FROM temp.scan_typed WHERE __bad IS NOT NULL").fetchone()[0]
    quarantined += len(rejects)
    superseded, own, superseding = supersede(con, name, plan) if plan.table == "events" else (0, 0, ())
    if own:  # rows of this dataset left for another's: the change set no longer tells its coverage
        coverage = None
    missing = fields_missing(plan)
    rows_read = scanned + len(rejects)
    record(
        con,
        plan,
        dataset_id=name,
        original=original,
        sha256=sha256,
        archived=archived,
        snapshot_id=snapshot_id,
        nbytes=nbytes,
        rows_read=rows_read,
        counts=(ingested, quarantined, duplicate),
        missing=missing,
        superseded=own,
        changes=changed,
        coverage=coverage,
    )
    for table in ("temp.scan_typed", "temp.ids", "temp.raw_rows"):
        con.execute(f"DROP TABLE IF EXISTS {table}")
    if rows_read != ingested + quarantined + duplicate:  # pragma: no cover - an invariant, not a user error
        raise AssertionError(
            f"{original}: counts do not reconcile: {rows_read} read, {ingested} ingested, "
            f"{quarantined} quarantined, {duplicate} duplicate"
        )
    return IngestReport(
        dataset_id=name,
        source=plan.source,
        reader=plan.reader,
        path=original,
        status="ingested",
        table=plan.table,
        rows_read=rows_read,
        rows_ingested=ingested,
        rows_quarantined=quarantined,
        rows_duplicate=duplicate,
        rows_superseded=superseded,
        fields_missing=missing,
        version=plan.version,
        news_derived=plan.news_derived,
        seconds=round(time.perf_counter() - started, 3),
        notes=(*plan.notes, *((why,) if why else ()), *superseding),
        rows_added=changed["added"],
        rows_updated=changed["updated"],
        rows_deleted=changed["deleted"],
        rows_unchanged=changed["unchanged"],
        release_of=target,
        snapshot_id=snapshot_id,
        archive=archived,
    )
