"""Execute a reader's plan: stage, identify, write and account.

Everything heavy runs inside DuckDB, so ten million rows never pass through Python. Counts reconcile
by construction: every scanned or rejected row ends in exactly one of ingested, quarantined or
duplicate (a repeated source id within the file; kept in the quarantine table too).
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field
from datetime import date

import pyarrow as pa

from peacewatch import schema
from peacewatch.sources.base import ReadPlan, quote_literal
from peacewatch.store.catalog import record, supersede
from peacewatch.store.staging import Progress, fields_missing, lookup_tables, rejects_of, stage


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

    def to_dict(self) -> dict:
        d = asdict(self)
        d["fields_missing"] = list(self.fields_missing)
        d["notes"] = list(self.notes)
        return d


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
) -> IngestReport:
    """Stage ``plan`` and write its rows, quarantine and catalog entry. The caller owns the transaction.

    Rows dated outside ``plausible`` (default ``schema.plausible_dates()``) are quarantined."""
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

    ds = quote_literal(dataset_id)
    progress("identifying rows")
    if plan.table == "events":
        # Occurrence numbers on a narrow table: a window over the wide rows would need gigabytes.
        key = "__source_id" if plan.source_id else "hash(__raw)"
        # hash() only groups identical rows for numbering (a 64-bit collision would merely skip a
        # number); the id itself is the MD5 of the content, stable across DuckDB versions.
        first = "first_value(__row) OVER w" if plan.source_id else "CAST(NULL AS BIGINT)"
        con.execute(f"""CREATE OR REPLACE TEMP TABLE ids AS
            SELECT __ord, CASE WHEN __bad IS NULL THEN row_number() OVER w END AS __occ, {first} AS __first
            FROM temp.scan_typed
            WINDOW w AS (PARTITION BY __bad IS NULL, {key} ORDER BY __ord)""")
        if plan.source_id:
            ident = f"{quote_literal(plan.source + ':')} || s.__source_id"
        else:
            ident = f"{quote_literal(plan.source + ':h')} || left(md5(s.__raw), 16) || '-' || s.__occ"
        keep = "__occ = 1" if plan.source_id else "__occ IS NOT NULL"
        cols = [
            c.name
            for c in schema.EVENTS
            if c.name
            not in {
                "event_id",
                "dataset_id",
                "source",
                "source_event_id",
                "source_row",
                "iso3",
                "actor1_keys",
                "actor2_keys",
                "raw",
                "superseded_by",
            }
        ]
        if con.execute("SELECT count(*) FROM pw_actor_keys").fetchone()[0]:
            actor_keys = "coalesce(a1.keys, []::VARCHAR[]), coalesce(a2.keys, []::VARCHAR[])"
            actor_joins = "\n".join(
                f"LEFT JOIN pw_actor_keys a{n} ON a{n}.name = s.__actor{n}_names "
                f"AND coalesce(a{n}.iso3, '') = coalesce(s.__iso3, '')"
                for n in (1, 2)
            )
        else:  # no actor names in the file: skip two joins over every row
            actor_keys, actor_joins = "[]::VARCHAR[], []::VARCHAR[]", ""
        progress("writing events")
        con.execute(f"""
            INSERT INTO events (event_id, dataset_id, source, source_event_id, source_row, iso3,
                                actor1_keys, actor2_keys, raw, superseded_by, {", ".join(cols)})
            SELECT {ident}, {ds}, {quote_literal(plan.source)}, s.__source_id, s.__row, s.__iso3,
                   {actor_keys}, s.__raw, NULL,
                   {", ".join("s." + c for c in cols)}
            FROM (SELECT t.*, i.__occ, coalesce(t.iso3, c.iso3) AS __iso3
                  FROM temp.scan_typed t JOIN temp.ids i USING (__ord)
                  LEFT JOIN pw_countries c ON t.country = c.name) s
            {actor_joins}
            WHERE s.{keep}
        """)
        con.execute(f"""
            INSERT INTO quarantine
            SELECT {ds}, s.__row, s.__raw, 'duplicate: source id ' || s.__source_id || ' already read at row '
                   || i.__first
            FROM temp.scan_typed s JOIN temp.ids i USING (__ord)
            WHERE i.__occ > 1 AND s.__source_id IS NOT NULL
        """)
        ingested, duplicate = con.execute(f"""
            SELECT count(*) FILTER (WHERE {keep}),
                   count(*) FILTER (WHERE __occ > 1 AND __first IS NOT NULL) FROM temp.ids i""").fetchone()
    else:
        cols = [c.name for c in schema.COUNTS if c.name not in {"dataset_id", "source_row", "iso3"}]
        progress("writing counts")
        con.execute(f"""
            INSERT INTO counts (dataset_id, source_row, iso3, {", ".join(cols)})
            SELECT {ds}, t.__row, coalesce(t.iso3, c.iso3), {", ".join("t." + c for c in cols)}
            FROM temp.scan_typed t LEFT JOIN pw_countries c ON t.country = c.name
            WHERE t.__bad IS NULL
        """)
        ingested = con.execute("SELECT count(*) FROM temp.scan_typed WHERE __bad IS NULL").fetchone()[0]
        duplicate = 0
    con.execute(
        f"INSERT INTO quarantine SELECT {ds}, __row, __raw, __bad FROM temp.scan_typed "
        "WHERE __bad IS NOT NULL"
    )
    if rejects:
        con.executemany(
            "INSERT INTO quarantine VALUES (?, ?, ?, ?)",
            [(dataset_id, row, raw, reason) for row, raw, reason in rejects],
        )
    quarantined = con.execute("SELECT count(*) FROM temp.scan_typed WHERE __bad IS NOT NULL").fetchone()[0]
    quarantined += len(rejects)
    superseded, superseding = supersede(con, dataset_id, plan) if plan.table == "events" else (0, ())
    missing = fields_missing(plan)
    rows_read = scanned + len(rejects)
    record(
        con,
        plan,
        dataset_id=dataset_id,
        original=original,
        sha256=sha256,
        nbytes=nbytes,
        rows_read=rows_read,
        counts=(ingested, quarantined, duplicate),
        missing=missing,
    )
    for name in ("temp.scan_typed", "temp.ids"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    if rows_read != ingested + quarantined + duplicate:  # pragma: no cover - an invariant, not a user error
        raise AssertionError(
            f"{original}: counts do not reconcile: {rows_read} read, {ingested} ingested, "
            f"{quarantined} quarantined, {duplicate} duplicate"
        )
    return IngestReport(
        dataset_id=dataset_id,
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
        notes=(*plan.notes, *superseding),
    )
