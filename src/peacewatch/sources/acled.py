"""ACLED: the Armed Conflict Location & Event Data Project (acleddata.com).

Reads the event export in its current column names (event_id_cnty, event_date, sub_event_type,
actor1, assoc_actor_1, admin1..3, latitude, longitude, fatalities, ...), the older ones (upper-case
names, ally_actor_1, the pre-2019 event types), partial exports that keep only some columns (a date
is enough: everything absent is reported in the catalog's fields_missing), the common renamings that
analysts' exports carry (adm1_name, conflict_fatalities, date), CSV or xlsx, and ACLED's aggregated
layout (week, admin1, event type, sub-event type, events, fatalities) into the counts table.

ACLED requires attribution and restricts redistribution of its data: see docs/schema.md.
"""

from __future__ import annotations

from pathlib import Path

from peacewatch.sources.base import (
    Check,
    ReadPlan,
    case_map,
    date_check,
    date_from,
    first_present,
    id_text,
    integer,
    number,
    number_check,
    quote_literal,
    resolve_columns,
    text,
)
from peacewatch.sources.detect import Probe
from peacewatch.sources.scan import scan_for

SOURCE = "acled"

# Canonical field -> the column names ACLED exports have used for it, current first. The last
# entries are renamings seen in analysts' own exports (e.g. adm1_name, conflict_fatalities).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "event_id": ("event_id_cnty", "event_id", "data_id"),
    "event_date": ("event_date", "date", "event date"),
    "time_precision": ("time_precision",),
    "event_type": ("event_type", "event type"),
    "sub_event_type": ("sub_event_type", "sub event type"),
    "actor1": ("actor1", "actor_1"),
    "assoc_actor_1": ("assoc_actor_1", "ally_actor_1"),
    "actor2": ("actor2", "actor_2"),
    "assoc_actor_2": ("assoc_actor_2", "ally_actor_2"),
    "country": ("country", "country_name"),
    "iso3": ("iso3",),
    "admin1": ("admin1", "adm1_name", "admin_1", "province", "region_name"),
    "admin2": ("admin2", "adm2_name", "admin_2", "district"),
    "location": ("location",),
    "latitude": ("latitude", "lat"),
    "longitude": ("longitude", "lon", "long"),
    "geo_precision": ("geo_precision",),
    "fatalities": ("fatalities", "conflict_fatalities", "deaths"),
    "notes": ("notes",),
    "source": ("source",),
}

# Columns that only ACLED uses; two of them (beside a date) make a file ACLED's.
_MARKERS = (
    "event_id_cnty",
    "sub_event_type",
    "disorder_type",
    "inter1",
    "interaction",
    "assoc_actor_1",
    "ally_actor_1",
    "time_precision",
    "geo_precision",
    "source_scale",
    "civilian_targeting",
    "conflict_fatalities",
    "adm1_name",
    "event_id_no_cnty",
)

EVENT_TYPES = {
    "battles": "battle",
    "explosions/remote violence": "explosion_remote_violence",
    "violence against civilians": "violence_against_civilians",
    "protests": "protest",
    "riots": "riot",
    "strategic developments": "strategic_development",
    # Before the 2019 revision of ACLED's codebook.
    "battle-no change of territory": "battle",
    "battle-government regains territory": "battle",
    "battle-non-state actor overtakes territory": "battle",
    "remote violence": "explosion_remote_violence",
    "riots/protests": "protest",
    "strategic development": "strategic_development",
    "headquarters or base established": "strategic_development",
    "non-violent transfer of territory": "strategic_development",
}

# ACLED's time_precision: 1 = the day is known, 2 = within a week, 3 = within a month.
TIME_PRECISION = {"1": "day", "2": "week", "3": "month"}

DATE_FORMATS = ("%Y-%m-%d", "%d %B %Y", "%d-%B-%Y", "%d/%m/%Y", "%d-%b-%y", "%Y/%m/%d")

# ACLED aggregated files: one row per week, admin1, event type and sub-event type.
_AGGREGATE_COLUMNS = ("week", "events", "event_type", "fatalities")


def score(probe: Probe) -> float:
    """How sure we are that ``probe`` is an ACLED file (0 = not ACLED)."""
    lower = probe.lower_header
    if not lower or probe.format in ("json", "geojson"):
        return 0.0
    if all(c in lower for c in _AGGREGATE_COLUMNS):
        return 0.8
    cols = resolve_columns(probe.header, SYNONYMS)
    if "event_date" not in cols:
        return 0.0
    markers = sum(1 for m in _MARKERS if m in lower)
    if markers >= 2:
        return 0.9
    if markers == 1 and "event_type" in cols:
        return 0.6
    return 0.0


def plan(probe: Probe) -> ReadPlan:
    """The read plan for an ACLED export or aggregate."""
    if all(c in probe.lower_header for c in _AGGREGATE_COLUMNS):
        return _aggregate_plan(probe)
    scan, tables, reader = scan_for(probe, "acled")
    return _events_plan(probe.header, probe.path, scan, tables, reader)


# The in-memory table of rows from ACLED's API (sync/acled.py) that :func:`api_plan` scans.
API_TABLE = "pw_acled_api"


def api_plan(table) -> ReadPlan:
    """The reader output of event rows from ACLED's API (``GET /api/acled/read``, JSON): the fields an
    export with the same columns gives, read from ``table`` (pyarrow, text columns named as the JSON
    fields, which are the export's column names), so a sync and a file give the same events."""
    return _events_plan(
        tuple(table.column_names),
        Path("acled-api"),
        f"SELECT * FROM {API_TABLE}",
        {API_TABLE: table},
        "acled.api",
    )


def _events_plan(header, path: Path, scan: str, tables: dict, reader: str) -> ReadPlan:
    cols = resolve_columns(header, SYNONYMS)
    date_col = cols["event_date"]
    fields: dict[str, str] = {
        "date_start": date_from(date_col, DATE_FORMATS),
        "date_end": date_from(date_col, DATE_FORMATS),
    }
    checks: list[Check] = [date_check(date_col, DATE_FORMATS)]
    if "time_precision" in cols:
        fields["date_precision"] = case_map(
            f"CAST({integer(cols['time_precision'])} AS VARCHAR)", TIME_PRECISION, default="day"
        )
    else:
        fields["date_precision"] = "'day'"
    if "event_type" in cols:
        fields["event_type"] = case_map(text(cols["event_type"]), EVENT_TYPES)
    else:
        fields["event_type"] = "'other'"
    for field in ("country", "admin1", "admin2", "location", "notes", "sub_event_type", "actor1", "actor2"):
        if field in cols:
            fields[field] = text(cols[field])
    if "iso3" in cols:
        fields["iso3"] = text(cols["iso3"])
    if "source" in cols:
        fields["source_ref"] = text(cols["source"])
    if "latitude" in cols and "longitude" in cols:
        fields["latitude"] = number(cols["latitude"])
        fields["longitude"] = number(cols["longitude"])
        checks.append(number_check(cols["latitude"], minimum=-90, maximum=90, label="latitude"))
        checks.append(number_check(cols["longitude"], minimum=-180, maximum=180, label="longitude"))
    if "geo_precision" in cols:
        fields["geo_precision"] = integer(cols["geo_precision"])
    if "fatalities" in cols:
        fat = number(cols["fatalities"])
        for f in ("fatalities_best", "fatalities_low", "fatalities_high"):
            fields[f] = fat
        checks.append(number_check(cols["fatalities"], minimum=0, label="fatalities"))
    actor_names = {}
    for side in ("1", "2"):
        if f"actor{side}" in cols:
            parts = [text(cols[f"actor{side}"])]
            if f"assoc_actor_{side}" in cols:
                parts.append(text(cols[f"assoc_actor_{side}"]))
            actor_names[f"actor{side}_keys"] = f"concat_ws('; ', {', '.join(parts)})"
    return ReadPlan(
        source=SOURCE,
        reader=reader,
        path=path,
        scan=scan,
        fields=fields,
        checks=tuple(checks),
        source_id=id_text(cols["event_id"]) if "event_id" in cols else None,
        csv_rejects=not tables,
        tables=tables,
        actor_names=actor_names,
    )


def _aggregate_plan(probe: Probe) -> ReadPlan:
    h = probe.header
    week = first_present(h, "week")
    scan, tables, reader = scan_for(probe, "acled_aggregate")
    fields = {
        "period_start": date_from(week, DATE_FORMATS),
        "period_end": f"CAST({date_from(week, DATE_FORMATS)} + INTERVAL 6 DAY AS DATE)",
        "event_type": case_map(text(first_present(h, "event_type")), EVENT_TYPES),
        "events": number(first_present(h, "events")),
        "fatalities": number(first_present(h, "fatalities")),
    }
    for field, names in (
        ("country", ("country",)),
        ("admin1", ("admin1",)),
        ("sub_event_type", ("sub_event_type",)),
        ("iso3", ("iso3", "iso")),
    ):
        col = first_present(h, *names)
        if col:
            fields[field] = text(col)
    checks = (
        date_check(week, DATE_FORMATS),
        number_check(first_present(h, "events"), minimum=0, label="events"),
        number_check(first_present(h, "fatalities"), minimum=0, label="fatalities"),
    )
    return ReadPlan(
        source=SOURCE,
        reader=reader,
        path=probe.path,
        scan=scan,
        fields=fields,
        checks=checks,
        table="counts",
        csv_rejects=not tables,
        tables=tables,
        notes=(f"weeks start on the date in column {quote_literal(week)} and last 7 days",),
    )
