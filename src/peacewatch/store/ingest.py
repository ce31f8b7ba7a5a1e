"""Execute a reader's plan: scan, type, check, identify, resolve and account, in one transaction.

Everything heavy runs inside DuckDB, so ten million rows never pass through Python; Python only
sees the distinct actor and country names, which it resolves through the taxonomy and gazetteer.
Counts reconcile by construction: every scanned or rejected row ends in exactly one of ingested,
quarantined or duplicate (a repeated source id within the file; kept in the quarantine table too).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import pyarrow as pa

from peacewatch import schema
from peacewatch.sources.base import REJECTS_SCAN, REJECTS_TABLE, ReadPlan, quote_literal

Progress = Callable[[str], None]

# Fields that every events row gets even when the source cannot supply them.
_EVENT_DEFAULTS = {
    "date_end": "date_start",
    "date_precision": "'day'",
    "event_type": "'other'",
}


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


def _typed(name: str, table: tuple[schema.Column, ...], expr: str | None) -> str:
    col = next(c for c in table if c.name == name)
    if expr is None:
        return f'CAST(NULL AS {col.type}) AS "{name}"'
    return f'TRY_CAST(({expr}) AS {col.type}) AS "{name}"'


def _reason_sql(plan: ReadPlan) -> str:
    if not plan.checks:
        return "CAST(NULL AS VARCHAR)"
    parts = ", ".join(f"CASE WHEN ({c.bad}) THEN ({c.reason}) END" for c in plan.checks)
    return f"NULLIF(concat_ws('; ', {parts}), '')"


def _backstop_sql(table: str) -> str:
    """Schema rules every row must satisfy, whatever the reader checked."""
    if table == "counts":
        rules = [
            ("period_start IS NULL", "'period_start: no readable date'"),
            ("period_end < period_start", "'period_end is before period_start'"),
            ("events < 0", "'events: expected a count >= 0, found ' || events"),
            ("fatalities < 0", "'fatalities: expected a count >= 0, found ' || fatalities"),
        ]
    else:
        rules = [
            ("date_start IS NULL", "'date: no readable date'"),
            ("date_end < date_start", "'date_end is before date_start'"),
            ("latitude NOT BETWEEN -90 AND 90", "'latitude: expected -90..90, found ' || latitude"),
            ("longitude NOT BETWEEN -180 AND 180", "'longitude: expected -180..180, found ' || longitude"),
            (
                "fatalities_best < 0 OR fatalities_low < 0 OR fatalities_high < 0",
                "'fatalities: expected counts >= 0'",
            ),
            (
                f"event_type NOT IN ({', '.join(quote_literal(t) for t in schema.EVENT_TYPES)})",
                "'event_type: not one of the canonical types'",
            ),
        ]
    cases = ", ".join(f"CASE WHEN {cond} THEN {reason} END" for cond, reason in rules)
    return f"NULLIF(concat_ws('; ', {cases}), '')"


def fields_missing(plan: ReadPlan) -> tuple[str, ...]:
    """Canonical fields the plan cannot supply (reported in the catalog)."""
    if plan.table == "counts":
        optional = ("country", "iso3", "admin1", "sub_event_type", "events", "fatalities")
        missing = [f for f in optional if f not in plan.fields]
        if "iso3" in missing and "country" in plan.fields:
            missing.remove("iso3")  # resolved from the country name by the gazetteer
        return tuple(missing)
    missing = [f for f in schema.OPTIONAL_EVENT_FIELDS if f not in plan.fields and f != "source_event_id"]
    if plan.source_id is None:
        missing.insert(0, "source_event_id")
    if "iso3" in missing and "country" in plan.fields:
        missing.remove("iso3")  # resolved from the country name by the gazetteer
    return tuple(missing)


def _scan_columns(con, plan: ReadPlan) -> list[str]:
    return [row[0] for row in con.execute(f"DESCRIBE {plan.scan}").fetchall()]


def stage(con, plan: ReadPlan, progress: Progress) -> int:
    """Scan the file once into the temp table temp.scan_typed: row number, raw JSON, content hash,
    typed canonical fields and the reason a row cannot be read (NULL for good rows)."""
    for name, table in plan.tables.items():
        con.register(name, table)
    con.execute(f"DROP TABLE IF EXISTS {REJECTS_TABLE}")
    con.execute(f"DROP TABLE IF EXISTS {REJECTS_SCAN}")
    columns = schema.COUNTS if plan.table == "counts" else schema.EVENTS
    skip = {
        "event_id",
        "dataset_id",
        "source",
        "source_event_id",
        "source_row",
        "raw",
        "superseded_by",
        "actor1_keys",
        "actor2_keys",
    }
    fields = dict(plan.fields)
    if plan.table == "events":
        for name, default in _EVENT_DEFAULTS.items():
            fields.setdefault(name, default)
    typed = [_typed(c.name, columns, fields.get(c.name)) for c in columns if c.name not in skip]
    extra = []
    if plan.table == "events":
        for side in ("1", "2"):
            expr = plan.actor_names.get(f"actor{side}_keys", fields.get(f"actor{side}"))
            extra.append(f"CAST({expr or 'NULL'} AS VARCHAR) AS __actor{side}_names")
    source_id = f"CAST(({plan.source_id}) AS VARCHAR)" if plan.source_id else "CAST(NULL AS VARCHAR)"
    names = _scan_columns(con, plan)
    # json_object over named columns is several times faster than to_json of the whole row.
    raw = "json_object(" + ", ".join(f"{quote_literal(n)}, r.{_ident(n)}" for n in names) + ")"
    reader_reason = _reason_sql(plan)
    if plan.source_id:
        reader_reason = (
            f"coalesce({reader_reason}, CASE WHEN {source_id} IS NULL THEN "
            "'id: expected a source event id, found an empty value' END)"
        )
    # Two steps: the scan of a compressed file runs on one core, so it only copies the text into a
    # table (in file order); typing, checking and the raw JSON then run on every core from there.
    progress("reading")
    con.execute(f"CREATE OR REPLACE TEMP TABLE scan_text AS SELECT * FROM ({plan.scan}) r")
    progress("typing and checking")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE scan_typed AS
        SELECT *, __ord AS __row, coalesce(__reason, {_backstop_sql(plan.table)}) AS __bad
        FROM (
            SELECT r.rowid + 1 AS __ord,
                   CAST({raw} AS VARCHAR) AS __raw,
                   {source_id} AS __source_id,
                   {", ".join(typed + extra)},
                   {reader_reason} AS __reason
            FROM temp.scan_text r)
    """)
    con.execute("DROP TABLE temp.scan_text")
    return con.execute("SELECT count(*) FROM temp.scan_typed").fetchone()[0]


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _rejects(con, plan: ReadPlan) -> list[tuple[int, str, str]]:
    if not plan.csv_rejects:
        return []
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [REJECTS_TABLE]
    ).fetchone()[0]
    if not exists:
        return []
    rows = con.execute(
        f"SELECT line, csv_line, error_type, error_message FROM {REJECTS_TABLE} ORDER BY line"
    ).fetchall()
    # One rejected line can produce several errors; keep one row per line with every message.
    # DuckDB reports a short line once per missing column; the first report has the real count.
    by_line: dict[int, tuple[str, dict[str, str]]] = {}
    for line, csv_line, etype, msg in rows:
        data_row = int(line) - plan.header_rows
        by_line.setdefault(data_row, (csv_line or "", {}))[1].setdefault(str(etype), msg.splitlines()[0])
    return [
        (row, raw, "unreadable line: " + "; ".join(msgs.values()))
        for row, (raw, msgs) in sorted(by_line.items())
    ]


def _lookup_tables(con, plan: ReadPlan, taxonomy, resolve_countries) -> None:
    """Resolve distinct country and actor names in Python and register them as lookup tables."""
    has_country = "country" in plan.fields
    names = (
        [
            r[0]
            for r in con.execute(
                "SELECT DISTINCT country FROM temp.scan_typed WHERE country IS NOT NULL"
            ).fetchall()
        ]
        if has_country
        else []
    )
    iso = resolve_countries(names)
    con.register(
        "pw_countries",
        pa.table(
            {
                "name": pa.array(list(iso), pa.string()),
                "iso3": pa.array([iso[k] for k in iso], pa.string()),
            }
        ),
    )
    if plan.table != "events":
        return
    pairs = con.execute("""
        SELECT DISTINCT n, coalesce(s.iso3, c.iso3) FROM (
            SELECT __actor1_names AS n, iso3, country FROM temp.scan_typed
            UNION SELECT __actor2_names, iso3, country FROM temp.scan_typed) s
        LEFT JOIN pw_countries c ON s.country = c.name
        WHERE n IS NOT NULL AND n <> ''
    """).fetchall()
    resolved = taxonomy.resolve_many(pairs) if pairs else {}
    con.register(
        "pw_actor_keys",
        pa.table(
            {
                "name": pa.array([p[0] for p in resolved], pa.string()),
                "iso3": pa.array([p[1] for p in resolved], pa.string()),
                "keys": pa.array([list(v) for v in resolved.values()], pa.list_(pa.string())),
            }
        ),
    )


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
) -> IngestReport:
    """Stage ``plan`` and write its rows, quarantine and catalog entry. The caller owns the transaction."""
    started = time.perf_counter()
    scanned = stage(con, plan, progress)
    rejects = _rejects(con, plan)
    if rejects:
        # The scan numbered only the rows DuckDB could split; shift them past the rejected lines.
        con.register(
            "pw_rejects", pa.table({"t": [row - i for i, (row, _, _) in enumerate(rejects, start=1)]})
        )
        con.execute(
            "UPDATE temp.scan_typed SET __row = __ord + (SELECT count(*) FROM pw_rejects WHERE t < __ord)"
        )
    progress("resolving actors and places")
    _lookup_tables(con, plan, taxonomy, resolve_countries)

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
    superseded = _supersede(con, dataset_id, plan) if plan.table == "events" else 0
    missing = fields_missing(plan)
    rows_read = scanned + len(rejects)
    _catalog(
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
        notes=tuple(plan.notes),
    )


def _version_key(version: str | None) -> tuple:
    digits = [int(p) for p in "".join(ch if ch.isdigit() else " " for ch in (version or "")).split()]
    return tuple(digits)


def _supersede(con, dataset_id: str, plan: ReadPlan) -> int:
    """Mark rows that share event ids with another dataset: the newer release wins.

    The new dataset is the newer release unless both carry versions and its version is lower (an
    older release ingested late). Returns how many rows of other datasets this ingest superseded.
    """
    overlaps = con.execute(
        """
        SELECT o.dataset_id, d.version, count(*) FROM events n
        JOIN events o ON o.event_id = n.event_id AND o.dataset_id <> n.dataset_id AND o.superseded_by IS NULL
        JOIN datasets d ON d.dataset_id = o.dataset_id
        WHERE n.dataset_id = ? GROUP BY ALL""",
        [dataset_id],
    ).fetchall()
    superseded = 0
    for other, other_version, n in overlaps:
        older_release = (
            plan.version and other_version and _version_key(plan.version) < _version_key(other_version)
        )
        loser, winner = (dataset_id, other) if older_release else (other, dataset_id)
        con.execute(
            """
            UPDATE events SET superseded_by = ? WHERE dataset_id = ? AND superseded_by IS NULL
            AND event_id IN (SELECT event_id FROM events WHERE dataset_id = ?)""",
            [winner, loser, winner],
        )
        if loser == other:
            superseded += n
        con.execute(
            "UPDATE datasets SET rows_superseded = (SELECT count(*) FROM events WHERE dataset_id = ? "
            "AND superseded_by IS NOT NULL) WHERE dataset_id = ?",
            [loser, loser],
        )
    return superseded


def _catalog(
    con, plan: ReadPlan, *, dataset_id, original, sha256, nbytes, rows_read, counts, missing
) -> None:
    table = plan.table
    lo, hi = ("date_start", "date_end") if table == "events" else ("period_start", "period_end")
    dmin, dmax, countries = con.execute(
        f"SELECT min({lo}), max({hi}), list_sort(list(DISTINCT coalesce(iso3, country)) "
        f"FILTER (WHERE coalesce(iso3, country) IS NOT NULL)) FROM {table} WHERE dataset_id = ?",
        [dataset_id],
    ).fetchone()
    own_superseded = 0
    if table == "events":
        own_superseded = con.execute(
            "SELECT count(*) FROM events WHERE dataset_id = ? AND superseded_by IS NOT NULL", [dataset_id]
        ).fetchone()[0]
    con.execute(
        f"INSERT INTO datasets VALUES ({', '.join('?' * 19)}, now()::TIMESTAMP)",
        [
            dataset_id,
            plan.source,
            plan.reader,
            original,
            sha256,
            nbytes,
            plan.version,
            table,
            rows_read,
            counts[0],
            counts[1],
            counts[2],
            own_superseded,
            dmin,
            dmax,
            countries or [],
            list(missing),
            plan.news_derived,
            list(plan.notes),
        ],
    )
