"""The canonical tables of the event store and their vocabularies, defined here and nowhere else.

Every other module refers to these names. ``docs/schema.md`` documents the same columns for users, and
``tests/test_schema.py`` checks that the two agree.

Types are DuckDB SQL type names; the store creates its tables from them and the indicators read them
through Ibis, so they must stay portable (no DuckDB-only types besides lists of VARCHAR).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Final


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    doc: str
    nullable: bool = True


# Canonical event types. ACLED's six event types map one to one; UCDP GED events are all lethal
# organised violence and map from type_of_violence; GDELT and GTD map from their own codes.
EVENT_TYPES: Final = (
    "battle",
    "explosion_remote_violence",
    "violence_against_civilians",
    "protest",
    "riot",
    "strategic_development",
    "other",
)

# UCDP's three categories of organised violence (type_of_violence 1, 2, 3).
VIOLENCE_TYPES: Final = ("state_based", "non_state", "one_sided")

# How exactly the date of an event is known, finest first. UCDP date_prec 1..5 and GTD's unknown
# day or month map onto this scale. UCDP gives each event its own window (date_start..date_end) and
# keeps it, so a "month" window need not be a calendar month; GTD's unknown day gives the calendar month.
DATE_PRECISIONS: Final = ("day", "week", "month", "year", "range")

# Dates outside this range are sentinels or typing errors (0001-01-01, 9999-12-31), not events: an
# ingest quarantines them, since one such row would stretch a dataset's coverage over millennia.
# The default runs from 1946 (the earliest events any supported dataset records are post-war) to one
# year after the day of the ingest (forecast and planned-event files run ahead). Change it per ingest
# with `peacewatch ingest --earliest-date/--latest-date`, or Store.ingest(plausible_dates=...).
EARLIEST_PLAUSIBLE_DATE: Final = date(1946, 1, 1)


def plausible_dates(today: date | None = None) -> tuple[date, date]:
    """The default range of plausible event dates: 1946-01-01 to one year after ``today``.

    >>> plausible_dates(date(2026, 2, 28))
    (datetime.date(1946, 1, 1), datetime.date(2027, 2, 28))
    >>> plausible_dates(date(2024, 2, 29))[1]
    datetime.date(2025, 2, 28)
    """
    today = today or date.today()
    try:
        latest = today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        latest = today.replace(year=today.year + 1, day=28)
    return EARLIEST_PLAUSIBLE_DATE, latest


# Fatality estimates that a measure can use; sources with a single figure fill all three.
ESTIMATES: Final = ("best", "low", "high")

EVENTS: Final = (
    Column(
        "event_id",
        "VARCHAR",
        "Stable id: '<source>:<source id>', or '<source>:h<16 hex of the row's MD5>-<source_row>' "
        "for sources without ids (identical rows are told apart by their position in the file).",
        nullable=False,
    ),
    Column("dataset_id", "VARCHAR", "The catalog entry this row was ingested from.", nullable=False),
    Column("source", "VARCHAR", "ucdp_ged, acled, gdelt, gtd or mapped:NAME.", nullable=False),
    Column("source_event_id", "VARCHAR", "The id the source gives the event, when it has one."),
    Column(
        "source_row", "BIGINT", "1-based data row in the source file (the header is row 0).", nullable=False
    ),
    Column(
        "source_file",
        "VARCHAR",
        "SHA-256 of the source file the row was read from (archived in the store as archive/<sha256>...).",
        nullable=False,
    ),
    Column(
        "content_hash",
        "UBIGINT",
        "DuckDB hash() of every field of the row as read; a new release changes an event when it changes "
        "this (store_meta.hash_duckdb names the DuckDB version that computed it).",
        nullable=False,
    ),
    Column("date_start", "DATE", "First day the event may have happened on.", nullable=False),
    Column(
        "date_end",
        "DATE",
        "Last day the event may have happened on (= date_start when exact).",
        nullable=False,
    ),
    Column("date_precision", "VARCHAR", "One of DATE_PRECISIONS.", nullable=False),
    Column(
        "country",
        "VARCHAR",
        "Country name as the source writes it (GDELT, which writes only FIPS codes: the gazetteer's name).",
    ),
    Column("iso3", "VARCHAR", "ISO 3166-1 alpha-3 code, from the gazetteer."),
    Column("admin1", "VARCHAR", "First-level administrative unit (province, state, region)."),
    Column("admin2", "VARCHAR", "Second-level administrative unit (district)."),
    Column("location", "VARCHAR", "Place name."),
    Column("latitude", "DOUBLE", "WGS84 latitude, -90..90."),
    Column("longitude", "DOUBLE", "WGS84 longitude, -180..180."),
    Column(
        "geo_precision",
        "INTEGER",
        "The source's own spatial precision code (UCDP where_prec, ACLED geo_precision).",
    ),
    Column("event_type", "VARCHAR", "One of EVENT_TYPES.", nullable=False),
    Column("sub_event_type", "VARCHAR", "The source's own finer type, verbatim."),
    Column("violence_type", "VARCHAR", "One of VIOLENCE_TYPES, or null when the source does not code it."),
    Column("actor1", "VARCHAR", "First side as the source writes it."),
    Column("actor2", "VARCHAR", "Second side as the source writes it."),
    Column(
        "actor1_keys", "VARCHAR[]", "Canonical actor keys of side 1; empty when unresolved.", nullable=False
    ),
    Column(
        "actor2_keys", "VARCHAR[]", "Canonical actor keys of side 2; empty when unresolved.", nullable=False
    ),
    Column("fatalities_best", "DOUBLE", "Best estimate of fatalities."),
    Column("fatalities_low", "DOUBLE", "Low estimate of fatalities."),
    Column("fatalities_high", "DOUBLE", "High estimate of fatalities."),
    Column("civilian_fatalities", "DOUBLE", "Civilian fatalities, where the source separates them."),
    Column("notes", "VARCHAR", "Free-text description from the source."),
    Column("source_ref", "VARCHAR", "The source's own reference for the report(s) the event rests on."),
    Column(
        "actor1_names",
        "VARCHAR",
        "The names resolved into actor1_keys when they are more than actor1 (ACLED: actor1 and its "
        "associated actors, joined by '; '); NULL when they are actor1 itself.",
    ),
    Column("actor2_names", "VARCHAR", "The same for actor2_keys."),
)

COUNTS: Final = (
    Column("dataset_id", "VARCHAR", "The catalog entry this row was ingested from.", nullable=False),
    Column("source_row", "BIGINT", "1-based data row in the source file.", nullable=False),
    Column("period_start", "DATE", "First day of the aggregation period.", nullable=False),
    Column("period_end", "DATE", "Last day of the aggregation period (inclusive).", nullable=False),
    Column("country", "VARCHAR", "Country name as the source writes it."),
    Column("iso3", "VARCHAR", "ISO 3166-1 alpha-3 code."),
    Column("admin1", "VARCHAR", "First-level administrative unit, when the aggregate is by unit."),
    Column("event_type", "VARCHAR", "One of EVENT_TYPES.", nullable=False),
    Column("sub_event_type", "VARCHAR", "The source's own finer type."),
    Column("events", "DOUBLE", "Number of events in the period."),
    Column("fatalities", "DOUBLE", "Fatalities in the period."),
)

DATASETS: Final = (
    Column("dataset_id", "VARCHAR", "Short unique name, derived from the file name.", nullable=False),
    Column("source", "VARCHAR", "ucdp_ged, acled, gdelt, gtd or mapped:NAME.", nullable=False),
    Column("reader", "VARCHAR", "The reader that parsed the file, e.g. ucdp_ged.csv.", nullable=False),
    Column("path", "VARCHAR", "Absolute path of the file when it was ingested.", nullable=False),
    Column("sha256", "VARCHAR", "SHA-256 of the file's bytes.", nullable=False),
    Column(
        "archive",
        "VARCHAR",
        "The archived copy inside the store (archive/<sha256><suffixes>, relative to the store); NULL "
        "when ingested with --no-archive, and then only path says where the file was.",
    ),
    Column("snapshot_id", "BIGINT", "The store snapshot that committed this release of the dataset."),
    Column("bytes", "BIGINT", "Size of the file.", nullable=False),
    Column("version", "VARCHAR", "Release of the source (e.g. 'GED 23.1') where it can be told."),
    Column("table_name", "VARCHAR", "events or counts: where the rows went.", nullable=False),
    Column("rows_read", "BIGINT", "Data rows in the file.", nullable=False),
    Column("rows_ingested", "BIGINT", "Rows written to the table.", nullable=False),
    Column(
        "rows_quarantined", "BIGINT", "Rows that could not be read, see the quarantine table.", nullable=False
    ),
    Column(
        "rows_duplicate",
        "BIGINT",
        "Rows repeating a source id already seen in the same file.",
        nullable=False,
    ),
    Column(
        "rows_superseded",
        "BIGINT",
        "Rows of this dataset that left the current state because a newer release of another dataset "
        "carries the same event ids (they stay readable at earlier snapshots).",
        nullable=False,
    ),
    Column(
        "releases",
        "INTEGER",
        "How many releases of this dataset were applied (1 for a new one).",
        nullable=False,
    ),
    Column("date_min", "DATE", "Earliest date_start (period_start for counts)."),
    Column("date_max", "DATE", "Latest date_end (period_end for counts)."),
    Column(
        "countries",
        "VARCHAR[]",
        "ISO3 codes (or names, where unknown) present in the dataset.",
        nullable=False,
    ),
    Column("fields_missing", "VARCHAR[]", "Canonical fields this file cannot supply.", nullable=False),
    Column(
        "news_derived",
        "BOOLEAN",
        "True for machine-coded news data (GDELT): counts reports, not events.",
        nullable=False,
    ),
    Column(
        "notes",
        "VARCHAR[]",
        "What the reader inferred or assumed (version, layout, encoding, mapping file).",
        nullable=False,
    ),
    Column("ingested_at", "TIMESTAMP", "When the ingest committed (UTC).", nullable=False),
)

QUARANTINE: Final = (
    Column("dataset_id", "VARCHAR", "The dataset the row belongs to.", nullable=False),
    Column("source_row", "BIGINT", "1-based data row in the source file.", nullable=False),
    Column(
        "raw",
        "VARCHAR",
        "The row as read (JSON of its fields, or the raw line when it could not be split).",
        nullable=False,
    ),
    Column("reason", "VARCHAR", "Why the row could not be read.", nullable=False),
)

RELEASES: Final = (
    Column("dataset_id", "VARCHAR", "The dataset this file is a release of.", nullable=False),
    Column("release", "INTEGER", "1 for the file that created the dataset, then 2, 3, ...", nullable=False),
    Column("snapshot_id", "BIGINT", "The store snapshot that committed it.", nullable=False),
    Column("path", "VARCHAR", "Absolute path of the file when it was ingested.", nullable=False),
    Column("sha256", "VARCHAR", "SHA-256 of the file's bytes.", nullable=False),
    Column("archive", "VARCHAR", "The archived copy (relative to the store), or NULL (--no-archive)."),
    Column("version", "VARCHAR", "Release of the source where it can be told."),
    Column("rows_read", "BIGINT", "Data rows in the file.", nullable=False),
    Column("rows_added", "BIGINT", "Rows (events: event ids) new in this release.", nullable=False),
    Column(
        "rows_updated",
        "BIGINT",
        "Events whose content changed (same id, other content_hash).",
        nullable=False,
    ),
    Column(
        "rows_deleted",
        "BIGINT",
        "Rows of the dataset's previous release absent from this one.",
        nullable=False,
    ),
    Column(
        "rows_unchanged",
        "BIGINT",
        "Events identical to the previous release (left untouched).",
        nullable=False,
    ),
    Column("ingested_at", "TIMESTAMP", "When the ingest committed (UTC).", nullable=False),
)

TABLES: Final = {
    "events": EVENTS,
    "counts": COUNTS,
    "datasets": DATASETS,
    "quarantine": QUARANTINE,
    "releases": RELEASES,
}

EVENT_FIELDS: Final = tuple(c.name for c in EVENTS)

# Fields a reader may be unable to supply; reported in datasets.fields_missing when a file lacks them.
# The bookkeeping columns (event_id, dataset_id, source, source_row, source_file, content_hash) are
# always present.
OPTIONAL_EVENT_FIELDS: Final = tuple(
    c
    for c in EVENT_FIELDS
    if c
    not in {
        "event_id",
        "dataset_id",
        "source",
        "source_row",
        "source_file",
        "content_hash",
        "actor1_names",
        "actor2_names",
        "date_start",
        "date_end",
        "date_precision",
        "event_type",
        "actor1_keys",
        "actor2_keys",
    }
)

# What a filter or measure needs from a dataset; used to turn "no such field" into a clear error.
ACTOR_FIELDS: Final = ("actor1", "actor2")


# What a number resting on a dataset cannot say, declared once. Every output built on a dataset shows the
# caveats that apply to it: the CLI table footer, the JSON ("caveats"), the CSV header comment lines, the
# chart footer and the brief. Keys are stable (JSON consumers match on them); texts are for readers.
CAVEATS: Final = {
    "news_derived": "News-derived (GDELT): each record is a machine-coded news report of an action, not a "
    "verified event; one action is often coded once per article that reports it, so records outnumber "
    "events (--measure articles counts distinct source articles).",
    "media_volume": "Driven by media volume: counts rise and fall with how much the news covers a place, "
    "not only with what happens there; normalise by total coverage before comparing periods "
    "(docs/methods.md).",
    "no_fatalities": "No fatality figures: the source gives none, so these counts say nothing about how "
    "deadly the events were.",
    "aggregate": "Aggregate counts (events per period, as published): individual events cannot be "
    "checked, deduplicated or filtered by actor.",
    "imprecise_dates": "Imprecise dates: some events are dated only to a window wider than the period "
    "counted; each is counted on the first day it may have happened.",
    "candidate": "UCDP Candidate release: preliminary data, revised in the final annual release.",
}


def dataset_caveats(entry: dict) -> tuple[str, ...]:
    """The CAVEATS keys that hold for a whole dataset, from its catalog row. A UCDP version with a third
    part (GED 24.0.1) is a monthly Candidate release; final releases are major.minor (GED 23.1).

    >>> dataset_caveats({"news_derived": True, "table_name": "events", "fields_missing": ["fatalities_best"]})
    ('news_derived', 'media_volume', 'no_fatalities')
    """
    keys: list[str] = []
    if entry.get("news_derived"):
        keys += ["news_derived", "media_volume"]
    missing = set(entry.get("fields_missing") or ())
    if "fatalities_best" in missing or ("fatalities" in missing and entry.get("table_name") == "counts"):
        keys.append("no_fatalities")
    if entry.get("table_name") == "counts":
        keys.append("aggregate")
    version = str(entry.get("version") or "")
    if version.startswith("GED ") and version.count(".") >= 2:
        keys.append("candidate")
    return tuple(keys)


def dataset_access(entry: dict) -> str:
    """When and how the data of a catalog row was obtained: the sync's note (service, filters, access
    time; written by sync/) for a dataset kept by `peacewatch sync`, else the day it was ingested. A
    brief prints it (ACLED's and UCDP's terms ask for the access date), and so does the note on a case
    read on a stand-in dataset (peacewatch.agreements.standin).

    >>> dataset_access({"notes": ["synced from ACLED's API with countries=Afghanistan; accessed 2026-12-07"]})
    "synced from ACLED's API with countries=Afghanistan; accessed 2026-12-07"
    >>> dataset_access({"ingested_at": "2026-12-07T00:00:00"})
    'accessed (ingested) 2026-12-07'
    """
    for note in entry.get("notes") or ():
        if str(note).startswith("synced from "):
            return str(note)
    day = entry.get("ingested_at")
    return f"accessed (ingested) {str(day)[:10] if day else 'unknown date'}"


def caveat_list(datasets: list[dict], imprecise: dict | None = None) -> list[dict]:
    """The caveats of a result, for its JSON and every rendering of it: one dict per caveat with its
    key, text and the datasets it concerns, in CAVEATS order. ``datasets`` are provenance rows carrying
    their ``caveats`` keys; ``imprecise`` is a result's note on coarsely dated events.

    >>> caveat_list([{"dataset_id": "g", "caveats": ["no_fatalities"]}])[0]["datasets"]
    ['g']
    """
    out = []
    for key, text in CAVEATS.items():
        ids = [d["dataset_id"] for d in datasets if key in (d.get("caveats") or ())]
        if key == "imprecise_dates" and imprecise:
            ids, text = [d["dataset_id"] for d in datasets], imprecise["note"]
        if ids:
            out.append({"key": key, "text": text, "datasets": ids})
    return out


def column(table: str, name: str) -> Column:
    """Return the column definition ``name`` of ``table``.

    >>> column("events", "event_type").type
    'VARCHAR'
    """
    for c in TABLES[table]:
        if c.name == name:
            return c
    raise KeyError(f"{table}.{name}")
