"""Staging a read plan: scan the file, type and check every row, and resolve names.

The scan of a compressed file runs on one core, so it only copies text into a temp table; typing,
checks and the content hash then run on every core from there. The text stays until the rows that
cannot be ingested are known, whose raw text (JSON of their fields) the quarantine keeps. Python
sees only the distinct actor and country names, which it resolves through the taxonomy and the
gazetteer.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pyarrow as pa

from peacewatch import schema
from peacewatch.sources.base import REJECTS_SCAN, REJECTS_TABLE, ReadPlan, quote_ident, quote_literal
from peacewatch.sources.raw_rows import empty_lines_before
from peacewatch.store.taxonomies import keys_table

Progress = Callable[[str], None]

# Fields that every events row gets even when the source cannot supply them.
_EVENT_DEFAULTS = {
    "date_end": "date_start",
    "date_precision": "'day'",
    "event_type": "'other'",
}


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


def _finite_rules(table: tuple[schema.Column, ...]) -> list[tuple[str, str]]:
    """NaN and infinities (also '1e309', which overflows to one) are no counts or coordinates."""
    return [
        (f"NOT isfinite({c.name})", f"'{c.name}: expected a finite number, found ' || {c.name}")
        for c in table
        if c.type == "DOUBLE"
    ]


def _date_rules(columns: tuple[str, ...], plausible: tuple[date, date]) -> list[tuple[str, str]]:
    lo, hi = plausible
    where = (
        f"expected a date from {lo.isoformat()} to {hi.isoformat()} (the plausible range; another with "
        "ingest --earliest-date/--latest-date), found "
    )
    return [
        (
            f"{c} NOT BETWEEN DATE '{lo.isoformat()}' AND DATE '{hi.isoformat()}'",
            f"'{c}: {where}' || strftime({c}, '%Y-%m-%d')",
        )
        for c in columns
    ]


def _backstop_sql(table: str, plausible: tuple[date, date]) -> str:
    """Schema rules every row must satisfy, whatever the reader checked."""
    if table == "counts":
        rules = [
            ("period_start IS NULL", "'period_start: no readable date'"),
            *_date_rules(("period_start", "period_end"), plausible),
            *_finite_rules(schema.COUNTS),
            ("period_end < period_start", "'period_end is before period_start'"),
            ("events < 0", "'events: expected a count >= 0, found ' || events"),
            ("fatalities < 0", "'fatalities: expected a count >= 0, found ' || fatalities"),
        ]
    else:
        rules = [
            ("date_start IS NULL", "'date: no readable date'"),
            *_date_rules(("date_start", "date_end"), plausible),
            *_finite_rules(schema.EVENTS),
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


def stage(con, plan: ReadPlan, progress: Progress, plausible: tuple[date, date] | None = None) -> int:
    """Scan the file once into the temp tables temp.scan_text (the text) and temp.scan_typed: row
    number, content hash, typed canonical fields and the reason a row cannot be read (NULL for good
    rows). Dates outside
    ``plausible`` (default: ``schema.plausible_dates()``) make a row unreadable."""
    plausible = plausible or schema.plausible_dates()
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
        "source_file",
        "content_hash",
        "actor1_keys",
        "actor2_keys",
        "actor1_names",
        "actor2_names",
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
    cols = ", ".join(f"r.{quote_ident(n)}" for n in names)
    # The row's identity for sources without ids: an MD5 of its fields, stable across DuckDB versions
    # (hash() is not promised to be); only those sources pay for it.
    md5 = (
        "CAST(NULL AS VARCHAR)"
        if plan.source_id or plan.table != "events"
        else "md5(concat_ws(chr(31), "
        + ", ".join(f"coalesce(CAST(r.{quote_ident(n)} AS VARCHAR), chr(0))" for n in names)
        + "))"
    )
    reader_reason = _reason_sql(plan)
    if plan.source_id:
        reader_reason = (
            f"coalesce({reader_reason}, CASE WHEN {source_id} IS NULL THEN "
            "'id: expected a source event id, found an empty value' END)"
        )
    # Two steps: the scan of a compressed file runs on one core, so it only copies the text into a
    # table (in file order); typing, checking and hashing then run on every core from there.
    progress("reading")
    con.execute(f"CREATE OR REPLACE TEMP TABLE scan_text AS SELECT * FROM ({plan.scan}) r")
    progress("typing and checking")
    # Row ids of a table made inside a transaction start at a large offset, in insertion order (the
    # file's order: preserve_insertion_order): the row's position is its row id less the first one's.
    base = _first_rowid(con)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE scan_typed AS
        SELECT *, __ord AS __row, coalesce(__reason, {_backstop_sql(plan.table, plausible)}) AS __bad
        FROM (
            SELECT r.rowid - {base} + 1 AS __ord,
                   hash({cols}) AS __hash,
                   {md5} AS __md5,
                   {source_id} AS __source_id,
                   {", ".join(typed + extra)},
                   {reader_reason} AS __reason
            FROM temp.scan_text r)
    """)
    return con.execute("SELECT count(*) FROM temp.scan_typed").fetchone()[0]


def _first_rowid(con) -> int:
    return con.execute("SELECT coalesce(min(rowid), 0) FROM temp.scan_text").fetchone()[0]


def keep_raw(con, plan: ReadPlan, ords_sql: str) -> None:
    """Keep the raw text (JSON of the fields as read) of the rows whose ``__ord`` ``ords_sql`` selects
    in temp.raw_rows (__ord, __raw), then drop the scanned text: only rows the quarantine holds need it."""
    names = [row[0] for row in con.execute("DESCRIBE temp.scan_text").fetchall()]
    # json_object over named columns is several times faster than to_json of the whole row.
    raw = "json_object(" + ", ".join(f"{quote_literal(n)}, r.{quote_ident(n)}" for n in names) + ")"
    base = _first_rowid(con)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE raw_rows AS
        SELECT r.rowid - {base} + 1 AS __ord, CAST({raw} AS VARCHAR) AS __raw FROM temp.scan_text r
        WHERE r.rowid - {base} + 1 IN ({ords_sql})""")
    con.execute("DROP TABLE temp.scan_text")


def rejects_of(con, plan: ReadPlan) -> list[tuple[int, str, str]]:
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
    # DuckDB's line numbers count the empty lines it skips; source_row does not (docs/schema.md).
    empty = empty_lines_before(plan.path, [r[0] for r in rows], reader=plan.reader, source=plan.source)
    by_line: dict[int, tuple[str, dict[str, str]]] = {}
    for line, csv_line, etype, msg in rows:
        data_row = int(line) - plan.header_rows - empty[int(line)]
        by_line.setdefault(data_row, (csv_line or "", {}))[1].setdefault(str(etype), msg.splitlines()[0])
    return [
        (row, raw, "unreadable line: " + "; ".join(msgs.values()))
        for row, (raw, msgs) in sorted(by_line.items())
    ]


def lookup_tables(con, plan: ReadPlan, taxonomy, resolve_countries) -> None:
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
    con.register("pw_actor_keys", keys_table(resolved))
