"""Mapped tables: an analyst's own spreadsheet (CSV, TSV or xlsx), read through a small YAML mapping.

``peacewatch.sources.mapping_file`` describes the mapping format (docs/mapping.md has complete examples)
and checks a mapping against the file's header, raising one MappingError that lists every problem as
``file:line``. This module turns a checked mapping into a read plan: the scan (with the mapping's
column names, and a wide table unpivoted into one row per matched column), the SQL of each canonical
field, and the checks that quarantine values that cannot be read.

>>> plan(probe(Path("incidents.xlsx")), Path("incidents.yaml")).source  # doctest: +SKIP
'mapped:district_incidents'
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from peacewatch.sources.base import (
    Check,
    ReadPlan,
    csv_scan,
    date_check,
    date_from,
    id_text,
    integer,
    number,
    number_check,
    quote_ident,
    quote_literal,
    shown,
    text,
)
from peacewatch.sources.detect import Probe
from peacewatch.sources.mapping_file import (
    CHOICES,
    LENGTH,
    NUMBER_FIELDS,
    OPTIONS,
    Entry,
    Mapping,
    load,
    own_names,
)
from peacewatch.sources.scan import scan_for

__all__ = ["Entry", "Mapping", "load", "plan"]


def _scan(probe: Probe, m: Mapping) -> tuple[str, dict, str, bool]:
    """The scan: the file with the mapping's column names (renamed by position), unpivoted if asked."""
    if probe.format in ("csv", "tsv"):
        scan = csv_scan(probe.path, delim=probe.delimiter or ",", header=False, skip=1, names=m.names)
        tables, reader, rejects = {}, f"mapped.{probe.format}", True
    else:
        scan, tables, reader = scan_for(probe, "mapped")
        renamed = ", ".join(
            f"{quote_ident(a)} AS {quote_ident(b)}" for a, b in zip(own_names(probe), m.names, strict=True)
        )
        scan, rejects = f"SELECT {renamed} FROM ({scan})", False
    u = m.unpivot
    if u is None:
        return scan, tables, reader, rejects

    def per_column(values) -> str:
        whens = " ".join(
            f"WHEN {quote_literal(c)} THEN {'NULL' if v is None else quote_literal(str(v))}"
            for c, v in zip(u.columns, values, strict=True)
        )
        return f"CASE source_column {whens} END"

    values = ", ".join(quote_ident(c) for c in (u.value, *u.partners))
    cells = [(col, *(p[i] for p in u.partners.values())) for i, col in enumerate(u.columns)]
    items = ", ".join(f"({', '.join(map(quote_ident, c))}) AS {quote_literal(c[0])}" for c in cells)
    groups = "".join(f", {per_column(v)} AS {quote_ident(g)}" for g, v in u.groups.items())
    order = f"CAST({per_column(range(len(u.columns)))} AS INTEGER)"
    # INCLUDE NULLS: an empty cell becomes a row that the checks quarantine, never a silent gap.
    numbered = f"SELECT *, row_number() OVER () AS file_row FROM ({scan})"
    long = (
        f"SELECT *{groups}, {order} AS __order FROM ({numbered}) "
        f"UNPIVOT INCLUDE NULLS (({values}) FOR source_column IN ({items}))"
    )
    return f"SELECT * EXCLUDE (__order) FROM ({long}) ORDER BY file_row, __order", tables, reader, rejects


def _value(m: Mapping, e: Entry, checks: list[Check]) -> str:
    """SQL for a text, number or type field, adding the checks that quarantine unreadable values."""
    if e.column is None:
        numeric = e.field in NUMBER_FIELDS
        return repr(float(e.value)) if numeric else quote_literal(str(e.value))
    if e.field in NUMBER_FIELDS:
        low, high = NUMBER_FIELDS[e.field]
        checks.append(number_check(e.column, minimum=low, maximum=high))
        return integer(e.column) if e.field == "geo_precision" else number(e.column)
    if e.field not in CHOICES:
        return text(e.column)
    listed = e.options["map"].value.items() if "map" in e.options else ()
    pairs = {k.strip().lower(): v.value for k, v in listed}
    pairs.update({t: t for t in CHOICES[e.field] if t not in pairs})
    whens = " ".join(f"WHEN {quote_literal(k)} THEN {quote_literal(v)}" for k, v in pairs.items())
    default = quote_literal(e.options["default"].value) if "default" in e.options else "NULL"
    expr = f"CASE lower({text(e.column)}) {whens} ELSE {default} END"
    if default == "NULL":
        where = f"{m.path.name}:{e.options['map'].line if 'map' in e.options else e.line}"
        expected = (
            f"{e.column}: expected a value listed in {e.field}.map ({where}) or a canonical type, found "
        )
        checks.append(
            Check(bad=f"({expr}) IS NULL", reason=f"{quote_literal(expected)} || {shown(text(e.column))}")
        )
    return expr


def _date(m: Mapping, e: Entry, checks: list[Check]) -> str:
    formats = (e.options["format"].text,) if "format" in e.options else m.formats
    checks.append(date_check(e.column, formats))
    return date_from(e.column, formats)


def _dates(m: Mapping, checks: list[Check], notes: list[str]) -> dict[str, str]:
    """SQL for date_start/date_end/date_precision (events) or period_start/period_end (counts)."""
    ent = m.entries
    if "date_start" in ent:
        start = _date(m, ent["date_start"], checks)
        end = _date(m, ent["date_end"], checks) if "date_end" in ent else start
        kind = f"CASE WHEN {end} = {start} THEN 'day' ELSE 'range' END"
        return {"date_start": start, "date_end": end, "date_precision": kind}
    if "date" in ent:
        day = _date(m, ent["date"], checks)
        unit = ent["date"].options["precision"].value if "precision" in ent["date"].options else "day"
        if unit == "day":
            return {"date_start": day, "date_end": day, "date_precision": "'day'"}
        first = f"CAST(date_trunc('{unit}', {day}) AS DATE)"
        last = f"CAST({first} + INTERVAL 1 {unit} - INTERVAL 1 DAY AS DATE)"
        return {"date_start": first, "date_end": last, "date_precision": quote_literal(unit)}
    if "period_start" in ent:
        return {
            "period_start": _date(m, ent["period_start"], checks),
            "period_end": _date(m, ent["period_end"], checks),
        }
    e = ent["period"]
    n, unit = LENGTH.fullmatch(e.options["length"].text).groups()
    n, unit = (int(n) * 7, "day") if unit.lower() == "week" else (int(n), unit.lower())
    day = _date(m, e, checks)
    if "label" in e.options and e.options["label"].value == "end":
        notes.append(f"each period is the {n} {unit}(s) ending on the date in column {e.column!r}")
        return {
            "period_start": f"CAST({day} + INTERVAL 1 DAY - INTERVAL {n} {unit} AS DATE)",
            "period_end": day,
        }
    notes.append(f"each period is the {n} {unit}(s) starting on the date in column {e.column!r}")
    return {"period_start": day, "period_end": f"CAST({day} + INTERVAL {n} {unit} - INTERVAL 1 DAY AS DATE)"}


def plan(probe: Probe, mapping_path: Path) -> ReadPlan:
    """The read plan for the file ``probe`` describes, read as ``mapping_path`` maps it."""
    m = load(mapping_path, probe)
    scan, tables, reader, rejects = _scan(probe, m)
    checks: list[Check] = []
    digest = hashlib.sha256(m.path.read_bytes()).hexdigest()
    notes = [f"mapped by {m.path.resolve()} (sha256 {digest})"]
    fields = _dates(m, checks, notes)
    for name, e in m.entries.items():
        if name in OPTIONS and name not in CHOICES:
            continue  # the id and the dates
        expr = _value(m, e, checks)
        if name == "fatalities" and m.table == "events":
            fields.update(fatalities_best=expr, fatalities_low=expr, fatalities_high=expr)
        else:
            fields[name] = expr
    if m.table == "counts":
        counted = [f for f in ("events", "fatalities") if f in fields]
        what = " or ".join(m.entries[f].column or "a constant" for f in counted)
        reason = quote_literal(f"no count: expected a number in {what}")
        if m.unpivot:
            reason += " || ' (unpivoted from column ''' || source_column || ''')'"
        bad = " AND ".join(f"({fields[f]}) IS NULL" for f in counted)
        checks.append(Check(bad=bad, reason=f"{reason} || ', found an empty value'"))
    source_id = m.entries["id"].column if "id" in m.entries else None
    return ReadPlan(
        source=f"mapped:{m.name}",
        reader=reader,
        path=probe.path,
        scan=scan,
        fields=fields,
        checks=tuple(checks),
        table=m.table,
        source_id=id_text(source_id) if source_id else None,
        version=m.version,
        news_derived=m.news_derived,
        csv_rejects=rejects,
        tables=tables,
        notes=tuple(notes),
    )
