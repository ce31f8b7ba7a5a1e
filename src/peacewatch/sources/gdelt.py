"""GDELT: the Global Database of Events, Language and Tone (gdeltproject.org), event exports.

Reads GDELT 1.0 (57 fields; 58 with SOURCEURL in the daily files since April 2013) and GDELT 2.0
(61 fields) event records, as GDELT publishes them (tab-separated, no header) or as tables with a
header row (GDELT's names, or anybody's: columns are always read by position). The layout is told
from the content, not the names: the first column whose value is an integer id followed by
SQLDATE (YYYYMMDD), MonthYear (YYYYMM) and Year (YYYY) is GLOBALEVENTID; the width after it and the
form of DATEADDED (YYYYMMDD in 1.0, YYYYMMDDHHMMSS in 2.0) give the version. Columns before it (a
pandas index) and after it (a joined Confidence) are kept in ``raw``.

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

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache

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

SOURCE = "gdelt"


def _actor(n: int) -> tuple[str, ...]:
    return tuple(
        f"Actor{n}{f}"
        for f in (
            "Code",
            "Name",
            "CountryCode",
            "KnownGroupCode",
            "EthnicCode",
            "Religion1Code",
            "Religion2Code",
            "Type1Code",
            "Type2Code",
            "Type3Code",
        )
    )


def _geo(prefix: str, adm2: bool) -> tuple[str, ...]:
    parts = (
        "Type",
        "FullName",
        "CountryCode",
        "ADM1Code",
        *(("ADM2Code",) if adm2 else ()),
        "Lat",
        "Long",
        "FeatureID",
    )
    return tuple(f"{prefix}_{p}" for p in parts)


_HEAD = ("GLOBALEVENTID", "SQLDATE", "MonthYear", "Year", "FractionDate", *_actor(1), *_actor(2))
_EVENT = (
    "IsRootEvent",
    "EventCode",
    "EventBaseCode",
    "EventRootCode",
    "QuadClass",
    "GoldsteinScale",
    "NumMentions",
    "NumSources",
    "NumArticles",
    "AvgTone",
)

# The field orders of GDELT's codebooks (checked against them in tests/sources/test_gdelt.py).
GDELT1_FIELDS = (
    *_HEAD,
    *_EVENT,
    *(f for p in ("Actor1Geo", "Actor2Geo", "ActionGeo") for f in _geo(p, False)),
    "DATEADDED",
    "SOURCEURL",
)
GDELT2_FIELDS = (
    *_HEAD,
    *_EVENT,
    *(f for p in ("Actor1Geo", "Actor2Geo", "ActionGeo") for f in _geo(p, True)),
    "DATEADDED",
    "SOURCEURL",
)
assert len(GDELT1_FIELDS) == 58 and len(GDELT2_FIELDS) == 61

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
_MENTION_MARKERS = ("mentiontimedate", "mentionidentifier", "mentionsourcename", "mentiontype")


@dataclass(frozen=True)
class Layout:
    """Where the GDELT fields sit in a file."""

    version: str  # "GDELT 1.0" or "GDELT 2.0"
    fields: tuple[str, ...]  # GDELT's names, in order
    header: bool  # the first line is a header
    lead: int = 0  # columns before GLOBALEVENTID (a pandas index, say)

    @property
    def widths(self) -> tuple[int, ...]:
        """Field counts a headerless GDELT row may have."""
        return (57, 58) if self.version == "GDELT 1.0" else (61,)


def _is_day(value: str) -> bool:
    if not re.fullmatch(r"\d{8}", value):
        return False
    try:
        datetime.strptime(value, "%Y%m%d")
    except ValueError:
        return False
    return True


def _start(row: Sequence[str]) -> int | None:
    """The position of GLOBALEVENTID in a data row, told by the id and date columns that follow it."""
    cells = [c.strip() for c in row]
    for i in range(min(4, len(cells) - 3)):
        event_id, day, month, year = cells[i : i + 4]
        if re.fullmatch(r"\d+(\.0+)?", event_id) and _is_day(day) and month == day[:6] and year == day[:4]:
            return i
    return None


def _version(row: Sequence[str], start: int) -> str | None:
    rest = len(row) - start
    if rest >= 61 and re.fullmatch(r"\d{14}", row[start + 59].strip()):
        return "GDELT 2.0"
    if rest >= 57 and _is_day(row[start + 56].strip()):
        return "GDELT 1.0"
    return None


def layout(probe: Probe) -> Layout | None:
    """The GDELT event layout of ``probe``, or None when it is not a GDELT event file."""
    if probe.format not in ("csv", "tsv") or not probe.header:
        return None
    header = _start(probe.header) is None
    rows = list(probe.rows) if header else [probe.header, *probe.rows]
    if not rows or (start := _start(rows[0])) is None or (version := _version(rows[0], start)) is None:
        return None
    if not header:
        if start or probe.delimiter != "\t":
            return None  # GDELT publishes tab-separated files without extra columns
        return Layout(version, GDELT1_FIELDS if version == "GDELT 1.0" else GDELT2_FIELDS, header=False)
    fields = (
        GDELT2_FIELDS if version == "GDELT 2.0" else GDELT1_FIELDS[: 58 if len(rows[0]) - start >= 58 else 57]
    )
    if len(probe.header) < start + len(fields):
        return None
    return Layout(version, fields, header=True, lead=start)


def _is_mentions(probe: Probe) -> bool:
    if "globaleventid" in probe.lower_header and any(m in probe.lower_header for m in _MENTION_MARKERS):
        return True
    row = [c.strip() for c in probe.header]
    # GDELT 2.0 mentions as published: 16 tab-separated fields, two YYYYMMDDHHMMSS stamps after the id.
    return (
        len(row) in (15, 16)
        and row[0].isdigit()
        and bool(re.fullmatch(r"\d{14}", row[1]))
        and bool(re.fullmatch(r"\d{14}", row[2]))
    )


def score(probe: Probe) -> float:
    """How sure we are that ``probe`` is a GDELT file (0 = not GDELT).

    A GDELT Mentions table scores too, so that :func:`plan` can refuse it by name rather than another
    reader misreading it.
    """
    if layout(probe) is not None:
        return 0.95
    if probe.format in ("csv", "tsv") and _is_mentions(probe):
        return 0.9
    return 0.0


@cache
def fips_to_iso3() -> dict[str, str]:
    """FIPS 10-4 country code -> ISO3, from the gazetteer."""
    from peacewatch.gazetteer import countries

    return {code: c.iso3 for c in countries() for code in c.fips}


def _iso3(col: str) -> str:
    whens = " ".join(
        f"WHEN {quote_literal(k)} THEN {quote_literal(v)}" for k, v in sorted(fips_to_iso3().items())
    )
    return f"CASE upper({text(col)}) {whens} ELSE NULL END"


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
    if _is_mentions(probe):
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
        widths = " or ".join(str(w) for w in lay.widths)
        checks.append(
            Check(
                bad=f"field_count NOT IN ({', '.join(str(w) for w in lay.widths)})",
                reason=(
                    f"{quote_literal(f'expected {widths} tab-separated fields ({lay.version}), found ')} "
                    "|| coalesce(CAST(field_count AS VARCHAR), 'an empty line')"
                ),
            )
        )
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
        path=probe.path,
        scan=scan,
        fields=fields,
        checks=tuple(checks),
        source_id=id_text("GLOBALEVENTID"),
        version=lay.version,
        news_derived=True,
        csv_rejects=True,
        header_rows=1 if lay.header else 0,
        notes=(*notes, "news-derived: each row is a machine-coded news report, not a verified event"),
    )
