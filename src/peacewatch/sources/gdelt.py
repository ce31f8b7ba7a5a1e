"""GDELT: the Global Database of Events, Language and Tone (gdeltproject.org), event exports.

Reads GDELT 1.0 (57 fields; 58 with SOURCEURL in the daily files since April 2013) and GDELT 2.0
(61 fields) event records, as GDELT publishes them (tab-separated, no header) or as tables with a
header row (GDELT's names, or anybody's: columns are always read by position). The layout is told
from the content, not the names: the first column whose value is an integer id followed by
SQLDATE (YYYYMMDD), MonthYear (YYYYMM) and Year (YYYY) is GLOBALEVENTID; the width after it and the
form of DATEADDED (YYYYMMDD in 1.0, YYYYMMDDHHMMSS in 2.0) give the version. Columns before it (a
pandas index) and after it (a joined Confidence) are kept in ``raw``. The field orders and this
detection are in ``peacewatch.sources.gdelt_layouts``.

GDELT is machine-coded from news: a row is a *report* of an action, coded by CAMEO, and the same
action is often reported, and coded, many times. The catalog marks these datasets news_derived;
NumMentions, NumSources and NumArticles stay in ``raw``. GDELT gives no fatalities.

CAMEO to canonical event types (docs/mapping.md explains each choice): only the violent roots and
protest leave "other".

====  ==========================================  =================================================
root  CAMEO                                       canonical
====  ==========================================  =================================================
14    Protest                                     protest; 145 (protest violently, riot) -> riot
18    Assault (abduct, assault, assassinate)      violence_against_civilians; 183 (suicide, car or
                                                  other non-military bombing) -> explosion_remote_violence
19    Fight (conventional military force)         battle; 194 (artillery and tanks) and 195 (aerial
                                                  weapons) -> explosion_remote_violence
20    Unconventional mass violence                violence_against_civilians; 204 (weapons of mass
                                                  destruction) -> explosion_remote_violence
====  ==========================================  =================================================

QuadClass is not used for the type: GDELT derives it from the root code (4, material conflict, covers
roots 15-20 including exhibiting force posture, reducing relations and coercion, which are not
violence; protest, 14, is QuadClass 3 in GDELT's own files). violence_type stays NULL: UCDP's
state-based / non-state / one-sided needs to know whether a government is a party and whether the
target was armed, and CAMEO codes neither reliably.

>>> from peacewatch.sources.detect import probe                                    # doctest: +SKIP
>>> plan(probe(Path("20200301.export.CSV"))).version                               # doctest: +SKIP
'GDELT 2.0'
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path

from peacewatch.errors import SourceError
from peacewatch.sources.base import (
    REJECTS_SCAN,
    REJECTS_TABLE,
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
from peacewatch.sources.gdelt_layouts import GDELT1_FIELDS, GDELT2_FIELDS, Layout, is_mentions, layout

# The field orders and Layout live in gdelt_layouts, beside the detection that uses them; they are
# exported from here too because callers (tests, plugins) know the reader module, not its parts.
__all__ = [
    "CAMEO_CODES",
    "CAMEO_ROOTS",
    "GDELT1_FIELDS",
    "GDELT2_FIELDS",
    "ROOT",
    "SOURCE",
    "Layout",
    "cameo_root",
    "event_type_sql",
    "export_plan",
    "export_table",
    "fips_to_iso3",
    "layout",
    "plan",
    "score",
]

SOURCE = "gdelt"


# CAMEO root code -> canonical type, and the finer codes (prefixes of EventCode) that differ from it.
CAMEO_ROOTS = {
    "14": "protest",
    "18": "violence_against_civilians",
    "19": "battle",
    "20": "violence_against_civilians",
}
CAMEO_CODES = {
    "145": "riot",
    "183": "explosion_remote_violence",
    "194": "explosion_remote_violence",
    "195": "explosion_remote_violence",
    "204": "explosion_remote_violence",
}

ROOT = "EventRootCode"


def score(probe: Probe) -> float:
    """How sure we are that ``probe`` is a GDELT file (0 = not GDELT).

    A GDELT Mentions table scores too, so that :func:`plan` can refuse it by name rather than another
    reader misreading it.
    """
    if layout(probe) is not None:
        return 0.95
    if probe.format in ("csv", "tsv") and is_mentions(probe):
        return 0.9
    return 0.0


@cache
def fips_to_iso3() -> dict[str, str]:
    """FIPS 10-4 country code -> ISO3, from the gazetteer."""
    from peacewatch.gazetteer import countries

    return {code: c.iso3 for c in countries() for code in c.fips}


def _by_fips(col: str, value: Callable[[str], str] = str) -> str:
    """SQL for ``value(iso3)`` of the country whose FIPS 10-4 code ``col`` holds, else NULL."""
    whens = " ".join(
        f"WHEN {quote_literal(k)} THEN {quote_literal(value(v))}" for k, v in sorted(fips_to_iso3().items())
    )
    return f"CASE upper({text(col)}) {whens} ELSE NULL END"


def _iso3(col: str) -> str:
    return _by_fips(col)


def _country(col: str) -> str:
    """GDELT writes no country name, only a FIPS code: the gazetteer's name for it."""
    from peacewatch.gazetteer import country_name

    return _by_fips(col, country_name)


def cameo_root() -> str:
    """SQL for the two-digit CAMEO root code of a row: EventRootCode, re-padded when a spreadsheet or
    pandas round trip dropped its leading zero ('4' -> '04'), else the first two digits of EventCode."""
    code = text("EventCode")
    return (
        f"COALESCE(lpad({id_text('EventRootCode')}, 2, '0'), "
        f"CASE WHEN length({code}) >= 3 THEN left({code}, 2) END)"
    )


def event_type_sql() -> str:
    """SQL mapping a row's CAMEO codes to a canonical event type (see the module docstring)."""
    root, code = cameo_root(), text("EventCode")
    whens = []
    for prefix, kind in sorted(CAMEO_CODES.items(), key=lambda kv: -len(kv[0])):
        whens.append(
            f"WHEN {root} = {quote_literal(prefix[:2])} AND starts_with({code}, {quote_literal(prefix)}) "
            f"THEN {quote_literal(kind)}"
        )
    whens += [
        f"WHEN {root} = {quote_literal(r)} THEN {quote_literal(kind)}" for r, kind in CAMEO_ROOTS.items()
    ]
    return f"CASE {' '.join(whens)} ELSE 'other' END"


def _raw_scan(probe: Probe, lay: Layout) -> str:
    """Scan a headerless tab-separated export line by line and split it here, so that a row of the
    wrong width is quarantined with its field count (GDELT 1.0 files mix 57- and 58-field rows)."""
    lines = (
        f"SELECT string_split(line, chr(9)) AS p FROM read_csv({quote_literal(str(probe.path))}, "
        "columns={'line': 'VARCHAR'}, header=false, delim=chr(31), quote='', escape='', "
        "auto_detect=false, strict_mode=true, store_rejects=true, "
        f"rejects_table={quote_literal(REJECTS_TABLE)}, rejects_scan={quote_literal(REJECTS_SCAN)}, "
        "parallel=false)"
    )
    n = len(lay.fields)
    cols = [f"p[{i}] AS {quote_ident(name)}" for i, name in enumerate(lay.fields, start=1)]
    cols.append("len(p) AS field_count")
    cols.append(f"CASE WHEN len(p) > {n} THEN array_to_string(p[{n + 1}:], chr(9)) END AS surplus_fields")
    return f"SELECT {', '.join(cols)} FROM ({lines})"


def _table_names(probe: Probe, lay: Layout) -> list[str]:
    """Column names for a table with a header: GDELT's names by position, the file's own for extras."""
    taken = {f.lower() for f in lay.fields}
    names = []
    for i, h in enumerate(probe.header):
        if lay.lead <= i < lay.lead + len(lay.fields):
            names.append(lay.fields[i - lay.lead])
            continue
        name = h.strip() or f"column_{i + 1}"
        while name.lower() in taken:
            name = f"extra_{name}"
        taken.add(name.lower())
        names.append(name)
    return names


def _refuse(probe: Probe) -> SourceError:
    expected = (
        "The gdelt reader expected a GDELT event export: 57 or 58 fields per row (GDELT 1.0) or 61 "
        "(GDELT 2.0), starting GLOBALEVENTID, SQLDATE (YYYYMMDD), MonthYear, Year"
    )
    if is_mentions(probe):
        return SourceError(
            f"{probe.original}: this is a GDELT 2.0 Mentions table (one row per news article mentioning an "
            "event: GLOBALEVENTID, EventTimeDate, MentionTimeDate, MentionType, MentionSourceName, "
            f"MentionIdentifier, ...), not an event export. {expected}.",
            hint="Ingest the matching events file (YYYYMMDDHHMMSS.export.CSV) instead; mentions only "
            "list the articles that reported each event.",
        )
    first = probe.rows[0] if probe.rows else ()
    return SourceError(
        f"{probe.original}: {expected}; found {probe.describe()}"
        + (f" and a first row of {len(first)} fields." if first else ".")
    )


def _width_check(lay: Layout) -> Check:
    widths = " or ".join(str(w) for w in lay.widths)
    return Check(
        bad=f"field_count NOT IN ({', '.join(str(w) for w in lay.widths)})",
        reason=(
            f"{quote_literal(f'expected {widths} tab-separated fields ({lay.version}), found ')} "
            "|| coalesce(CAST(field_count AS VARCHAR), 'an empty line')"
        ),
    )


# The in-memory table of a synced export's rows (sync/gdelt.py) that :func:`export_plan` scans.
EXPORT_TABLE = "pw_gdelt_export"


def export_table(data: bytes):
    """The rows of a GDELT 2.0 export (tab-separated, no header) as the columns the file scan gives:
    the 61 fields as text, ``field_count`` and ``surplus_fields``; so a synced row hashes as the same row
    read from the downloaded file does."""
    import pyarrow as pa

    n = len(GDELT2_FIELDS)
    columns: list[list[str | None]] = [[] for _ in range(n)]
    counts: list[int] = []
    surplus: list[str | None] = []
    for line in data.decode("utf-8", "replace").splitlines():
        parts = line.split("\t")
        for i in range(n):
            columns[i].append(parts[i] if i < len(parts) else None)
        counts.append(len(parts))
        surplus.append("\t".join(parts[n:]) if len(parts) > n else None)
    arrays = {name: pa.array(col, type=pa.string()) for name, col in zip(GDELT2_FIELDS, columns, strict=True)}
    arrays["field_count"] = pa.array(counts, type=pa.int64())
    arrays["surplus_fields"] = pa.array(surplus, type=pa.string())
    return pa.table(arrays)


def export_plan(table) -> ReadPlan:
    """The reader output of a GDELT 2.0 export's rows held in memory (:func:`export_table`): the plan
    the downloaded ``*.export.CSV`` gives, over ``table``."""
    lay = Layout("GDELT 2.0", GDELT2_FIELDS, header=False)
    return _plan(
        lay, f"SELECT * FROM {EXPORT_TABLE}", "gdelt.api", [_width_check(lay)], [], Path("gdelt-export"),
        {EXPORT_TABLE: table},
    )  # fmt: skip


def plan(probe: Probe) -> ReadPlan:
    """The read plan for a GDELT 1.0 or 2.0 event export."""
    lay = layout(probe)
    if lay is None:
        raise _refuse(probe)
    checks: list[Check] = []
    notes: list[str] = []
    if lay.header:
        names = _table_names(probe, lay)
        scan = csv_scan(probe.path, delim=probe.delimiter or ",", header=False, skip=1, names=names)
        reader = f"gdelt.{probe.format}"
        extras = [n for i, n in enumerate(names) if not lay.lead <= i < lay.lead + len(lay.fields)]
        notes.append(
            f"columns {lay.lead + 1}-{lay.lead + len(lay.fields)} read by position as the "
            f"{lay.version} fields; the header's own names were not used"
            + (f"; extra columns kept in raw: {', '.join(extras)}" if extras else "")
        )
    else:
        scan = _raw_scan(probe, lay)
        reader = "gdelt.tsv"
        checks.append(_width_check(lay))
    return _plan(lay, scan, reader, checks, notes, probe.path, {})


def _plan(lay, scan, reader, checks, notes, path, tables) -> ReadPlan:
    root = cameo_root()
    checks += [
        date_check("SQLDATE", ("%Y%m%d",)),
        Check(
            bad=f"coalesce(TRY_CAST({root} AS INTEGER) NOT BETWEEN 1 AND 20, true)",
            reason=f"'EventRootCode: expected a CAMEO root code 01-20, found ' || {shown(text(ROOT))}",
        ),
        number_check("ActionGeo_Lat", minimum=-90, maximum=90),
        number_check("ActionGeo_Long", minimum=-180, maximum=180),
    ]
    day = date_from("SQLDATE", ("%Y%m%d",))
    adm1 = text("ActionGeo_ADM1Code")
    placed = f"({text('ActionGeo_FullName')} IS NOT NULL OR {text('ActionGeo_CountryCode')} IS NOT NULL)"
    fields = {
        "date_start": day,
        "date_end": day,
        "date_precision": "'day'",
        "country": _country("ActionGeo_CountryCode"),
        "iso3": _iso3("ActionGeo_CountryCode"),
        # A two-letter ADM1Code is the country itself (location known to country level only).
        "admin1": f"CASE WHEN length({adm1}) > 2 THEN {adm1} END",
        "location": text("ActionGeo_FullName"),
        # Rows without a location carry 0, 0 as a placeholder; older rows may have a place with Type 0.
        "latitude": f"CASE WHEN {placed} THEN {number('ActionGeo_Lat')} END",
        "longitude": f"CASE WHEN {placed} THEN {number('ActionGeo_Long')} END",
        "geo_precision": integer("ActionGeo_Type"),
        "event_type": event_type_sql(),
        "sub_event_type": text("EventCode"),
        "actor1": text("Actor1Name"),
        "actor2": text("Actor2Name"),
    }
    if "SOURCEURL" in lay.fields:
        fields["source_ref"] = text("SOURCEURL")
    return ReadPlan(
        source=SOURCE,
        reader=reader,
        path=path,
        scan=scan,
        fields=fields,
        checks=tuple(checks),
        source_id=id_text("GLOBALEVENTID"),
        version=lay.version,
        news_derived=True,
        csv_rejects=not tables,
        tables=tables,
        header_rows=1 if lay.header else 0,
        notes=(
            *notes,
            "news-derived: each row is a machine-coded news report, not a verified event",
            "country and iso3 resolved from the FIPS 10-4 ActionGeo_CountryCode through the gazetteer; "
            "admin1 holds GDELT's FIPS ADM1 codes (e.g. AM11) as written, since no table of their "
            "names is shipped: --admin1 matches the code",
        ),
    )
