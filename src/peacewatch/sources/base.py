"""What a reader hands to the store: a declarative plan for turning one file into canonical rows.

A reader never executes a query. It inspects a file's header (cheap Python I/O), decides how to scan
the file and how each canonical field is computed from the scanned columns, and returns a
:class:`ReadPlan`. The store executes plans in one transaction (see ``peacewatch.store.ingest``),
which keeps the ingest of ten million rows inside DuckDB's vectorised engine.

SQL in plans is DuckDB SQL over the columns the scan yields. Expressions must not fail on bad input:
use TRY_CAST and the helpers below, and describe unreadable values with a :class:`Check`, so that such
rows are quarantined with a reason rather than dropped or silently nulled.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

# Names of DuckDB's CSV reject tables; the store clears them before each scan and reads them after.
REJECTS_TABLE = "pw_reject_errors"
REJECTS_SCAN = "pw_reject_scans"


@dataclass(frozen=True)
class Check:
    """A rule a row must pass: ``bad`` is a SQL condition true for an unreadable row, ``reason`` a SQL
    string expression explaining why (it may quote the offending value)."""

    bad: str
    reason: str


@dataclass(frozen=True)
class ReadPlan:
    """How to read one file into the canonical ``events`` or ``counts`` table.

    ``scan`` is a SELECT yielding one row per data row of the file, in file order. ``fields`` maps
    canonical column names (see ``peacewatch.schema``) to SQL expressions over the scanned columns;
    a canonical column without an expression is NULL and, unless it is bookkeeping, is reported in
    ``fields_missing``. ``source_id`` is the expression of the source's own event id, or None when the
    source has none (the store then derives ids from the row's content and its occurrence number).
    ``actor_names`` maps actor1_keys/actor2_keys to the SQL text resolved to canonical actor keys
    (by default the actor1/actor2 fields; ACLED adds its associated actors).
    ``tables`` are in-memory tables (pyarrow) the scan refers to by name, for formats DuckDB cannot
    scan itself (xlsx). ``encoding`` is how the scan decodes the file's text (``csv_scan``'s
    ``encoding``), so that ``peacewatch.sources.raw_rows`` shows its original rows decoded alike.
    """

    source: str
    reader: str
    path: Path
    scan: str
    fields: Mapping[str, str]
    checks: Sequence[Check] = ()
    table: Literal["events", "counts"] = "events"
    source_id: str | None = None
    version: str | None = None
    news_derived: bool = False
    csv_rejects: bool = False
    header_rows: int = 1
    tables: Mapping[str, Any] = field(default_factory=dict)
    actor_names: Mapping[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    encoding: str = "utf-8"


def quote_literal(value: str) -> str:
    """Quote a Python string as a SQL string literal.

    >>> quote_literal("it's")
    "'it''s'"
    """
    return "'" + value.replace("'", "''") + "'"


def quote_ident(name: str) -> str:
    """Quote a column name as a SQL identifier.

    >>> quote_ident('Battles_Armed clash')
    '"Battles_Armed clash"'
    """
    return '"' + name.replace('"', '""') + '"'


def csv_scan(
    path: Path,
    *,
    delim: str = ",",
    header: bool = True,
    skip: int = 0,
    names: Sequence[str] | None = None,
    quote: str = '"',
    columns: int | None = None,
    encoding: str | None = None,
) -> str:
    """A DuckDB scan of a CSV/TSV file (plain, .gz) as text columns, with malformed rows collected
    in the reject tables instead of failing the whole file.

    >>> 'read_csv' in csv_scan(Path('x.csv'))
    True
    """
    opts = [
        f"delim={quote_literal(delim)}",
        f"header={'true' if header else 'false'}",
        f"quote={quote_literal(quote)}",
        "escape='\"'",
        "all_varchar=true",
        "auto_detect=false" if names or columns else "auto_detect=true",
        "strict_mode=true",
        "store_rejects=true",
        f"rejects_table={quote_literal(REJECTS_TABLE)}",
        f"rejects_scan={quote_literal(REJECTS_SCAN)}",
        "null_padding=false",
        "parallel=true",
    ]
    if skip:
        opts.append(f"skip={skip}")
    if encoding:
        opts.append(f"encoding={quote_literal(encoding)}")
    if names:
        cols = ", ".join(f"{quote_literal(n)}: 'VARCHAR'" for n in names)
        opts.append(f"columns={{{cols}}}")
    return f"SELECT * FROM read_csv({quote_literal(str(path))}, {', '.join(opts)})"


def text(col: str) -> str:
    """A trimmed text value, NULL when empty.

    >>> text('admin1')
    'NULLIF(TRIM(CAST("admin1" AS VARCHAR)), \\'\\')'
    """
    return f"NULLIF(TRIM(CAST({quote_ident(col)} AS VARCHAR)), '')"


def number(col: str) -> str:
    """A DOUBLE from a text column; NULL when empty or unreadable (pair with :func:`number_check`)."""
    return f"TRY_CAST({text(col)} AS DOUBLE)"


def number_check(
    col: str, *, minimum: float | None = None, maximum: float | None = None, label: str | None = None
) -> Check:
    """Quarantine rows whose ``col`` is present but not a number, or outside [minimum, maximum]."""
    label = label or col
    raw, value = text(col), number(col)
    # NaN, Infinity and 1e309 (which overflows to infinity) cast to DOUBLE but are no numbers to count.
    conds = [f"({raw} IS NOT NULL AND NOT coalesce(isfinite({value}), false))"]
    if minimum is not None:
        conds.append(f"{value} < {minimum}")
    if maximum is not None:
        conds.append(f"{value} > {maximum}")
    rng = []
    if minimum is not None:
        rng.append(f">= {minimum:g}")
    if maximum is not None:
        rng.append(f"<= {maximum:g}")
    expected = "a number" + (f" {' and '.join(rng)}" if rng else "")
    return Check(
        bad=" OR ".join(conds),
        reason=(
            f"CASE WHEN {value} IS NOT NULL AND NOT isfinite({value}) "
            f"THEN {quote_literal(f'{label}: expected a finite number, found ')} "
            f"ELSE {quote_literal(f'{label}: expected {expected}, found ')} END || {shown(raw)}"
        ),
    )


def date_from(col: str, formats: Sequence[str] = ("%Y-%m-%d",)) -> str:
    """A DATE parsed from ``col`` with the first matching strptime format; ISO datetimes are cut to
    their date part, but only when what follows the date is a valid time ("2020-02-03 junk" and
    "2020-02-29T25:61:00" are no dates)."""
    raw = text(col)
    tries = [
        f"CASE WHEN length({raw}) <= 10 OR TRY_CAST({raw} AS TIMESTAMPTZ) IS NOT NULL "
        f"THEN TRY_STRPTIME(LEFT({raw}, 10), {quote_literal(f)}) END"
        for f in formats
        if f == "%Y-%m-%d"
    ]
    tries += [f"TRY_STRPTIME({raw}, {quote_literal(f)})" for f in formats if f != "%Y-%m-%d"]
    return f"CAST(COALESCE({', '.join(tries)}) AS DATE)"


def date_check(col: str, formats: Sequence[str] = ("%Y-%m-%d",)) -> Check:
    """Quarantine rows whose date column is empty or not a date in one of ``formats``."""
    accepted = " or ".join(formats)
    return Check(
        bad=f"{date_from(col, formats)} IS NULL",
        reason=f"{quote_literal(f'{col}: expected a date ({accepted}), found ')} || {shown(text(col))}",
    )


def shown(expr: str) -> str:
    """SQL text that shows a value in a quarantine reason: quoted, or 'an empty value'."""
    return "coalesce('''' || " + expr + " || '''', 'an empty value')"


def case_map(expr: str, mapping: Mapping[str, str], default: str | None = "other") -> str:
    """A CASE expression mapping lower-cased values of ``expr`` through ``mapping``.

    >>> case_map("x", {"a": "b"}, default=None)
    "CASE lower(x) WHEN 'a' THEN 'b' ELSE NULL END"
    """
    whens = " ".join(f"WHEN {quote_literal(k.lower())} THEN {quote_literal(v)}" for k, v in mapping.items())
    tail = quote_literal(default) if default is not None else "NULL"
    return f"CASE lower({expr}) {whens} ELSE {tail} END"


def id_text(col: str) -> str:
    """An identifier as text, with the '.0' that R and spreadsheet round-trips add to integers removed.

    >>> 'regexp_replace' in id_text('id')
    True
    """
    return f"regexp_replace({text(col)}, '^(-?[0-9]+)\\.0+$', '\\1')"


def integer(col: str) -> str:
    """An INTEGER from a text column such as '2.0'; NULL when empty or unreadable."""
    return f"CAST(TRY_CAST({text(col)} AS DOUBLE) AS INTEGER)"


def first_present(header: Sequence[str], *candidates: str) -> str | None:
    """The first of ``candidates`` found in ``header`` (case-insensitive), in the header's spelling.

    >>> first_present(["ADMIN1", "country"], "admin1", "adm1_name")
    'ADMIN1'
    """
    index = {h.strip().lower(): h for h in header}
    for c in candidates:
        if c.lower() in index:
            return index[c.lower()]
    return None


def resolve_columns(header: Sequence[str], synonyms: Mapping[str, Sequence[str]]) -> dict[str, str]:
    """Map each field of ``synonyms`` to the first of its names found in ``header`` (case-insensitive),
    in the header's own spelling; fields with none of their names are left out.

    >>> resolve_columns(["ADM1_NAME", "event_date"], {"admin1": ("admin1", "adm1_name"), "notes": ("notes",)})
    {'admin1': 'ADM1_NAME'}
    """
    found = {}
    for field_name, names in synonyms.items():
        col = first_present(header, *names)
        if col is not None:
            found[field_name] = col
    return found
