"""UCDP GED: the Uppsala Conflict Data Program's Georeferenced Event Dataset (ucdp.uu.se).

Reads the GED event files in the layouts of releases 19.1 to 25.1 as CSV (plain, .gz or inside a .zip),
including R round-trips that print integers as "214797.0"; HDX's ``conflict_data_<iso3>.csv``, whose
second line is a row of HXL hashtags (skipped: it is not data and is not counted); GeoJSON feature
collections (coordinates from the Point geometry); pages of the UCDP API (``{"TotalCount": ..,
"Result": [...]}``); and plain JSON lists of records, such as reduced samples with only id, date,
type_of_violence and best. What a file lacks is reported in the catalog's fields_missing.
``peacewatch.sources.ucdp_formats`` turns each of these formats into a table of text columns; this
module gives the columns their meaning.

Decisions (see also docs/schema.md):

* ``date_prec`` (codebook: 1 exact day; 2 within 2-6 days; 3 only the week known; 4 within 8-30 days
  or only the month known; 5 more than a month, at most a calendar year) maps to date_precision
  day, week, week, month, year. UCDP always gives the window itself in date_start..date_end, and
  those bounds are kept as they are (a precision-4 window need not be a calendar month): the
  precision names how wide the window is, the bounds say where it lies. Without a date_prec column
  the same classes are told from the width of the window (0 days apart: day, 1-6: week, 7-30: month,
  31-365: year, longer: range), which is how the codebook defines them.
* ``type_of_violence`` 1 state-based and 2 non-state are fighting between two organised armed sides
  and map to event_type ``battle``; 3 one-sided violence is violence by an organised actor against
  unarmed civilians and maps to ``violence_against_civilians``. GED does not tell air strikes or
  shelling apart from ground fighting, so no GED event is ``explosion_remote_violence``. Without a
  type_of_violence column (reduced extracts), one-sided events are still told by side_b, which GED
  always writes as "Civilians" for them; violence_type then stays unknown.
* Rows are quarantined for unreadable dates, coordinates out of range, negative or non-numeric
  deaths, and a type_of_violence or date_prec outside the codebook. A low estimate above the high
  one (58 events of UCDP's Syria file, off by one) is kept as published: the event is real.
* The version is read from the UCDP API's page links, else from the file name (ged191, ged231-csv.zip,
  GEDEvent_v23_1, ged251_...), else told "GED 19.1" from the 19.1 column layout (which lacks relid,
  code_status, the *_dset_id columns and where_description); the layout of 20.1 onwards is shared by
  every later release, so without a name the version is None. A name that contradicts the layout
  gives None. Every such inference is stated in the plan's notes.

UCDP data are free to use with citation (Sundberg & Melander 2013, plus the release's paper).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from peacewatch.errors import SourceError
from peacewatch.sources.base import (
    Check,
    ReadPlan,
    case_map,
    date_check,
    date_from,
    id_text,
    integer,
    number,
    number_check,
    quote_literal,
    resolve_columns,
    shown,
    text,
)
from peacewatch.sources.detect import Probe
from peacewatch.sources.scan import scan_for
from peacewatch.sources.ucdp_formats import has_hxl_row, json_error_check, json_table, skip_hxl_row

SOURCE = "ucdp_ged"

JSON_TABLE = "pw_ucdp_json"

# Canonical GED variable -> the names files have used for it. "date", "civilian_deaths" are the reduced
# 25.1 sample's; "source_art" is a shapefile round-trip's 10-character cut; *_est are GED 5.0's.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "id": ("id",),
    "date_start": ("date_start", "date"),
    "date_end": ("date_end",),
    "date_prec": ("date_prec",),
    "type_of_violence": ("type_of_violence",),
    "side_a": ("side_a",),
    "side_b": ("side_b",),
    "best": ("best", "best_est"),
    "low": ("low", "low_est"),
    "high": ("high", "high_est"),
    "deaths_civilians": ("deaths_civilians", "civilian_deaths"),
    "deaths_a": ("deaths_a",),
    "deaths_b": ("deaths_b",),
    "deaths_unknown": ("deaths_unknown",),
    "where_prec": ("where_prec",),
    "where_coordinates": ("where_coordinates",),
    "where_description": ("where_description",),
    "adm_1": ("adm_1",),
    "adm_2": ("adm_2",),
    "latitude": ("latitude",),
    "longitude": ("longitude",),
    "country": ("country",),
    "iso3": ("iso3",),
    "source_article": ("source_article", "source_art"),
    "source_original": ("source_original",),
    "source_headline": ("source_headline",),
}

# fmt: off
# Columns that only UCDP uses; with a date, three of them make a file UCDP's.
_MARKERS = frozenset((
    "type_of_violence", "side_a", "side_b", "date_prec", "where_prec", "where_coordinates",
    "where_description", "dyad_name", "dyad_new_id", "conflict_new_id", "conflict_name",
    "side_a_new_id", "side_b_new_id", "deaths_a", "deaths_b", "deaths_civilians", "deaths_unknown",
    "priogrid_gid", "event_clarity", "adm_1", "adm_2", "source_article", "source_art", "geom_wkt",
    "number_of_sources", "code_status", "relid", "gwnoa", "gwnob",
))

# The variables every full GED release has; with none of _NEW_IN_20 they are the 19.1 layout.
_FULL_LAYOUT = frozenset((
    "conflict_new_id", "dyad_new_id", "side_a_new_id", "side_b_new_id", "number_of_sources",
    "where_prec", "event_clarity", "date_prec", "deaths_a", "deaths_b", "deaths_civilians",
    "deaths_unknown", "low", "best", "high",
))
_NEW_IN_20 = frozenset((
    "relid", "code_status", "conflict_dset_id", "dyad_dset_id", "side_a_dset_id", "side_b_dset_id",
    "where_description",
))
# fmt: on

VIOLENCE_TYPES = {"1": "state_based", "2": "non_state", "3": "one_sided"}
EVENT_TYPES = {"1": "battle", "2": "battle", "3": "violence_against_civilians"}
DATE_PRECISION = {"1": "day", "2": "week", "3": "week", "4": "month", "5": "year"}
DEATH_COLUMNS = ("best", "low", "high", "deaths_civilians", "deaths_a", "deaths_b", "deaths_unknown")

# ged191.csv, ged231-csv.zip, GEDEvent_v23_1.csv, GEDEvent_v24_0_1.csv (a monthly candidate release),
# ged251_events.json; never a year (ged_2016...).
_NAME_VERSION = re.compile(
    r"(?<![a-z])ged(?:event)?[_-]?v?(\d{2})[._-]?(\d)(?:[._-](\d{1,2}))?(?!\d)", re.IGNORECASE
)


def score(probe: Probe) -> float:
    """How sure we are that ``probe`` is a UCDP GED file (0 = not UCDP)."""
    lower = probe.lower_header
    if not lower:
        return 0.0
    markers = len(lower & _MARKERS)
    dated = bool(lower & {"date_start", "date"})
    if dated and markers >= 3:
        return 0.95
    if dated and {"id", "type_of_violence", "best"} <= lower:
        return 0.9  # the reduced 25.1 sample: id, conflict_id, date, type_of_violence, best, ...
    if dated and markers == 2:
        return 0.6
    if has_hxl_row(probe) and (markers or "best" in lower):
        return 0.3  # an HDX extract; plan() says why it cannot be read as events
    return 0.0


def plan(probe: Probe) -> ReadPlan:
    """The read plan for a UCDP GED file (CSV, HDX CSV, xlsx, GeoJSON, API page or JSON list)."""
    notes: list[str] = []
    header_rows = 1
    api_version = None
    if probe.format in ("json", "geojson"):
        table, kind, api_version, json_notes = json_table(probe)
        reader = f"{SOURCE}.{kind}"
        notes.extend(json_notes)
        header: Sequence[str] = table.column_names
        scan, tables = f"SELECT * FROM {JSON_TABLE}", {JSON_TABLE: table}
    else:
        header = probe.header
        scan, tables, reader = scan_for(probe, SOURCE)
        if has_hxl_row(probe):
            notes.append("row 2 holds HXL hashtags, not data: skipped, and source_row counts data rows only")
            scan, tables, header_rows = skip_hxl_row(probe, scan, tables)
            reader = f"{SOURCE}.hdx.{reader.rsplit('.', 1)[1]}"
    lower = set(h.strip().lower() for h in header)

    def version(notes: list[str]) -> str | None:
        return _version(probe, lower, api_version, notes)

    return _plan(header, probe.path, scan, tables, reader, notes, header_rows, version, probe.original)


# The in-memory table of events from the UCDP API (sync/ucdp.py) that :func:`api_plan` scans.
API_TABLE = "pw_ucdp_api"


def api_plan(table, version: str | None) -> ReadPlan:
    """The reader output of GED records from the UCDP API (``GET /api/gedevents/{version}``): the plan
    a saved API page gives, over ``table`` (pyarrow text columns from
    ``peacewatch.sources.ucdp_formats.records_table``), so a synced event equals the event read from
    the page saved as a file. ``version`` is the release asked for (25.1, 26.0.10)."""
    named = f"GED {version}" if version else None

    def version_note(notes: list[str]) -> str | None:
        if named:
            notes.append(f"version {named} from the UCDP API request")
        return named

    return _plan(
        tuple(table.column_names),
        Path("ucdp-api"),
        f"SELECT * FROM {API_TABLE}",
        {API_TABLE: table},
        f"{SOURCE}.api",
        [],
        1,
        version_note,
        Path("ucdp-api"),
    )


def _plan(header, path, scan, tables, reader, notes, header_rows, version_of, original) -> ReadPlan:
    """The plan over scanned text columns named ``header``; ``version_of(notes)`` tells the version."""
    cols = resolve_columns(header, SYNONYMS)
    if "date_start" not in cols:
        raise SourceError(
            f"{original}: a UCDP GED file needs the date of each event (column date_start, or date "
            f"in reduced samples), found only columns [{', '.join(header)}].",
            hint="HDX's qc_conflict_data_<iso3>.csv holds only year, adm_1 and best: ingest "
            "conflict_data_<iso3>.csv, or GED itself, instead.",
        )
    fields, checks = _dates(cols, notes)
    checks[:0] = json_error_check(header)
    fields.update(_kinds(cols, checks, notes))
    fields.update(_deaths(cols, checks))
    fields.update(_places(cols, checks))
    version = version_of(notes)
    return ReadPlan(
        source=SOURCE,
        reader=reader,
        path=path,
        scan=scan,
        fields=fields,
        checks=tuple(checks),
        source_id=id_text(cols["id"]) if "id" in cols else None,
        version=version,
        csv_rejects=not tables,
        header_rows=header_rows,
        tables=tables,
        notes=tuple(notes),
    )


def _dates(cols: dict[str, str], notes: list[str]) -> tuple[dict[str, str], list[Check]]:
    start = date_from(cols["date_start"])
    checks = [date_check(cols["date_start"])]
    if "date_end" in cols:
        end = date_from(cols["date_end"])
        checks.append(date_check(cols["date_end"]))
    else:
        end = start
        notes.append(f"no date_end: each event is dated to the single day in {cols['date_start']!r}")
    span = f"datediff('day', {start}, {end})"
    by_width = (
        f"CASE WHEN {span} <= 0 THEN 'day' WHEN {span} <= 6 THEN 'week' WHEN {span} <= 30 THEN 'month' "
        f"WHEN {span} <= 365 THEN 'year' ELSE 'range' END"
    )
    if "date_prec" in cols:
        code = id_text(cols["date_prec"])
        precision = (
            f"CASE {code} "
            + " ".join(f"WHEN {quote_literal(k)} THEN {quote_literal(v)}" for k, v in DATE_PRECISION.items())
            + f" ELSE {by_width} END"
        )
        checks.append(
            Check(
                bad=f"{code} IS NOT NULL AND {code} NOT IN ('1', '2', '3', '4', '5')",
                reason=f"'date_prec: expected 1, 2, 3, 4 or 5, found ' || {shown(text(cols['date_prec']))}",
            )
        )
    else:
        precision = by_width
        if "date_end" not in cols:
            notes.append(
                "no date_prec or date_end: date_precision is 'day', which overstates the precision "
                "of events UCDP dates to a window (date_prec 2-5)"
            )
        else:
            notes.append("no date_prec: date_precision is told from the width of date_start..date_end")
    return {"date_start": start, "date_end": end, "date_precision": precision}, checks


def _kinds(cols: dict[str, str], checks: list[Check], notes: list[str]) -> dict[str, str]:
    fields: dict[str, str] = {}
    if "type_of_violence" in cols:
        code = id_text(cols["type_of_violence"])
        fields["violence_type"] = case_map(code, VIOLENCE_TYPES, default=None)
        fields["event_type"] = case_map(code, EVENT_TYPES)
        checks.append(
            Check(
                bad=f"{code} IS NULL OR {code} NOT IN ('1', '2', '3')",
                reason="'type_of_violence: expected 1, 2 or 3, found ' || "
                f"{shown(text(cols['type_of_violence']))}",
            )
        )
    elif "side_b" in cols:
        fields["event_type"] = (
            f"CASE WHEN lower({text(cols['side_b'])}) = 'civilians' "
            "THEN 'violence_against_civilians' ELSE 'battle' END"
        )
        notes.append(
            "no type_of_violence: event_type is violence_against_civilians where side_b is "
            "'Civilians' (GED's one-sided events), battle otherwise; violence_type is unknown"
        )
    else:
        notes.append("no type_of_violence or side_b: event_type is 'other'")
    if "side_a" in cols:
        fields["actor1"] = text(cols["side_a"])
    if "side_b" in cols:
        fields["actor2"] = text(cols["side_b"])
    return fields


def _deaths(cols: dict[str, str], checks: list[Check]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for name in DEATH_COLUMNS:
        if name in cols:
            checks.append(number_check(cols[name], minimum=0, label=name))
    for canonical, name in (
        ("fatalities_best", "best"),
        ("fatalities_low", "low"),
        ("fatalities_high", "high"),
        ("civilian_fatalities", "deaths_civilians"),
    ):
        if name in cols:
            fields[canonical] = number(cols[name])
    # Some releases publish a low estimate above the high one (58 events of the Syria file, off by
    # one). They are real events: keep them, with the estimates as published.
    return fields


def _places(cols: dict[str, str], checks: list[Check]) -> dict[str, str]:
    fields: dict[str, str] = {}
    for canonical, name in (
        ("country", "country"),
        ("iso3", "iso3"),
        ("admin1", "adm_1"),
        ("admin2", "adm_2"),
        ("location", "where_coordinates"),
    ):
        if name in cols:
            fields[canonical] = text(cols[name])
    if "latitude" in cols and "longitude" in cols:
        fields["latitude"] = number(cols["latitude"])
        fields["longitude"] = number(cols["longitude"])
        checks.append(number_check(cols["latitude"], minimum=-90, maximum=90, label="latitude"))
        checks.append(number_check(cols["longitude"], minimum=-180, maximum=180, label="longitude"))
    if "where_prec" in cols:
        fields["geo_precision"] = integer(cols["where_prec"])
        checks.append(number_check(cols["where_prec"], minimum=1, maximum=7, label="where_prec"))
    parts = []
    if "source_headline" in cols:
        parts.append(text(cols["source_headline"]))
    if "where_description" in cols:
        parts.append(f"'where: ' || {text(cols['where_description'])}")
    if parts:
        fields["notes"] = f"NULLIF(concat_ws('; ', {', '.join(parts)}), '')"
    refs = [text(cols[n]) for n in ("source_article", "source_original") if n in cols]
    if refs:
        fields["source_ref"] = f"coalesce({', '.join(refs)})"
    return fields


# -- version ----------------------------------------------------------------------------------------


def _name_version(probe: Probe) -> str | None:
    for name in dict.fromkeys((probe.path.name, probe.original.name)):
        found = _NAME_VERSION.search(name)
        if found:
            major, minor, candidate = found.groups()
            return f"GED {int(major)}.{minor}" + (f".{int(candidate)}" if candidate else "")
    return None


def _release_key(version: str) -> tuple[int, ...]:
    return tuple(int(p) for p in version.split()[1].split("."))


def _version(probe: Probe, lower: set[str], api_version: str | None, notes: list[str]) -> str | None:
    if api_version:
        notes.append(f"version {api_version} from the UCDP API page links")
        return api_version
    layout = None
    if lower >= _FULL_LAYOUT:
        layout = "20.1+" if lower & _NEW_IN_20 else "19.1"
    named = _name_version(probe)
    if named:
        fits = (
            layout is None
            or (layout == "19.1" and _release_key(named) <= (19, 1))
            or (layout == "20.1+" and _release_key(named) >= (20, 0))
        )
        if fits:
            notes.append(f"version {named} from the file name")
            return named
        notes.append(
            f"version unknown: the file name says {named} but the columns are the GED {layout} layout"
        )
        return None
    if layout == "19.1":
        notes.append(
            "version GED 19.1 told from the column layout (no relid, code_status, *_dset_id or "
            "where_description); UCDP's special files in this layout may run past the 19.1 release"
        )
        return "GED 19.1"
    if layout == "20.1+":
        notes.append(
            "version unknown: the file name does not say it, and every release since 20.1 has these columns"
        )
    else:
        notes.append("version unknown: the file name does not say it and the columns are a reduced set")
    return None
