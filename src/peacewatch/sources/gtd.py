"""GTD: the Global Terrorism Database of START, University of Maryland (start.umd.edu/gtd).

Reads GTD's standard columns from CSV (plain, .gz, .zip; UTF-8, or the Latin-1 of START's own CSV
distribution) or xlsx: eventid, iyear/imonth/iday, country_txt, provstate, city, latitude, longitude,
specificity, gname, attacktype1(_txt), targtype1(_txt), nkill, summary, scite1. Subsets that keep only
the numeric codes (attacktype1, targtype1) are decoded with the GTD codebook; everything else stays in
``raw`` (nwound, weapons, the other criteria).

Decisions (see also docs/schema.md):

* Dates: GTD writes 0 for an unknown day or month. An unknown day gives date_precision ``month``
  (date_start the 1st, date_end the last day of the month); an unknown month gives ``year`` (1 January
  to 31 December). Extended incidents (``extended``/``resolution``) are dated by their start.
* actor1 is the perpetrator group (gname, verbatim, "Unknown" included). actor2 is the target type
  (targtype1_txt, e.g. "Military", "Private Citizens & Property"): GTD's target1 is a free-text
  description of the object attacked ("Paan Shop"), not an actor, and stays in raw. An unknown target
  type (20) leaves actor2 empty.
* sub_event_type is the attack type (attacktype1_txt, or its code decoded). event_type follows ACLED's
  lines so that the two sources count alike: bombing/explosion -> explosion_remote_violence;
  assassination and armed assault -> battle when the target is an armed party (police, military,
  terrorists/non-state militia, violent political party; targtype1 3, 4, 17, 22) and
  violence_against_civilians otherwise (and when the target type is unknown); hijacking, hostage taking
  and unarmed assault -> violence_against_civilians; facility/infrastructure attack (arson, sabotage:
  bombings are coded 3) -> strategic_development, as ACLED codes property destruction; unknown -> other.
* nkill fills fatalities best, low and high alike. GTD divides a figure reported for several linked
  attacks among them, so fractional values (2.5) are kept as they are. violence_type stays unknown:
  GTD does not code UCDP's categories.
* A file with only the numeric ``country`` code (no country_txt) has no country: GTD's own country
  codes are not decoded here, and the code stays in raw.
* The version is told from START's file names (globalterrorismdb_0718dist -> "GTD 2018-07"), else None.

START's terms allow non-commercial use with citation and forbid redistribution of the GTD.
"""

from __future__ import annotations

import gzip
import re

from peacewatch.errors import SourceError
from peacewatch.sources.base import (
    Check,
    ReadPlan,
    case_map,
    first_present,
    id_text,
    number,
    number_check,
    quote_literal,
    resolve_columns,
    shown,
    text,
)
from peacewatch.sources.detect import Probe
from peacewatch.sources.scan import scan_for

SOURCE = "gtd"

SYNONYMS: dict[str, tuple[str, ...]] = {
    "eventid": ("eventid",),
    "iyear": ("iyear",),
    "imonth": ("imonth",),
    "iday": ("iday",),
    "country_txt": ("country_txt",),
    "provstate": ("provstate",),
    "city": ("city",),
    "latitude": ("latitude",),
    "longitude": ("longitude",),
    "specificity": ("specificity",),
    "gname": ("gname",),
    "attacktype1": ("attacktype1",),
    "attacktype1_txt": ("attacktype1_txt",),
    "targtype1": ("targtype1",),
    "targtype1_txt": ("targtype1_txt",),
    "nkill": ("nkill",),
    "summary": ("summary",),
    "scite1": ("scite1",),
}

# fmt: off
_MARKERS = frozenset((
    "eventid", "gname", "attacktype1", "attacktype1_txt", "targtype1", "targtype1_txt", "country_txt",
    "provstate", "nkill", "nwound", "specificity", "doubtterr", "crit1", "natlty1", "weaptype1",
    "guncertain1",
))
# fmt: on

# GTD codebook, attack types (attacktype1) and target/victim types (targtype1), verbatim.
ATTACK_TYPES = {
    "1": "Assassination",
    "2": "Armed Assault",
    "3": "Bombing/Explosion",
    "4": "Hijacking",
    "5": "Hostage Taking (Barricade Incident)",
    "6": "Hostage Taking (Kidnapping)",
    "7": "Facility/Infrastructure Attack",
    "8": "Unarmed Assault",
    "9": "Unknown",
}
TARGET_TYPES = {
    "1": "Business",
    "2": "Government (General)",
    "3": "Police",
    "4": "Military",
    "5": "Abortion Related",
    "6": "Airports & Aircraft",
    "7": "Government (Diplomatic)",
    "8": "Educational Institution",
    "9": "Food or Water Supply",
    "10": "Journalists & Media",
    "11": "Maritime",
    "12": "NGO",
    "13": "Other",
    "14": "Private Citizens & Property",
    "15": "Religious Figures/Institutions",
    "16": "Telecommunication",
    "17": "Terrorists/Non-State Militia",
    "18": "Tourists",
    "19": "Transportation",
    "20": "Unknown",
    "21": "Utilities",
    "22": "Violent Political Party",
}
# Targets that are themselves armed: an assault on them is a battle, not violence against civilians.
ARMED_TARGETS = ("3", "4", "17", "22")

_NAME_VERSION = re.compile(r"globalterrorismdb_(\d{2})(\d{2})dist", re.IGNORECASE)


def score(probe: Probe) -> float:
    """How sure we are that ``probe`` is a GTD file (0 = not GTD)."""
    lower = probe.lower_header
    if not lower or probe.format in ("json", "geojson") or not {"iyear", "imonth", "iday"} <= lower:
        return 0.0
    if "eventid" in lower:
        return 0.95
    return 0.8 if lower & _MARKERS else 0.0


def _whole(col: str) -> str:
    """An INTEGER from a text column holding a whole number ('7', '7.0'); NULL otherwise (never rounded)."""
    raw = id_text(col)
    return f"CASE WHEN regexp_full_match({raw}, '-?[0-9]+') THEN TRY_CAST({raw} AS INTEGER) END"


def _code(cols: dict[str, str], name: str, labels: dict[str, str]) -> str | None:
    """The codebook code of ``name`` as text: from the numeric column, else from its _txt label."""
    if name in cols:
        return f"CAST({_whole(cols[name])} AS VARCHAR)"
    if f"{name}_txt" in cols:
        return case_map(text(cols[f"{name}_txt"]), {v: k for k, v in labels.items()}, default=None)
    return None


def _label(cols: dict[str, str], name: str, labels: dict[str, str]) -> str | None:
    """The codebook label of ``name``: the _txt column verbatim, else the numeric code decoded."""
    if f"{name}_txt" in cols:
        return text(cols[f"{name}_txt"])
    if name in cols:
        return case_map(f"CAST({_whole(cols[name])} AS VARCHAR)", labels, default=None)
    return None


def _dates(cols: dict[str, str]) -> tuple[dict[str, str], Check]:
    y, m, d = (_whole(cols[c]) for c in ("iyear", "imonth", "iday"))
    day = f"TRY_CAST(printf('%04d-%02d-%02d', {y}, {m}, {d}) AS DATE)"
    first_of_month = f"TRY_CAST(printf('%04d-%02d-01', {y}, {m}) AS DATE)"
    start = (
        f"CASE WHEN {m} = 0 THEN TRY_CAST(printf('%04d-01-01', {y}) AS DATE) "
        f"WHEN {d} = 0 THEN {first_of_month} ELSE {day} END"
    )
    end = (
        f"CASE WHEN {m} = 0 THEN TRY_CAST(printf('%04d-12-31', {y}) AS DATE) "
        f"WHEN {d} = 0 THEN last_day({first_of_month}) ELSE {day} END"
    )
    precision = f"CASE WHEN {m} = 0 THEN 'year' WHEN {d} = 0 THEN 'month' ELSE 'day' END"
    found = " || '/' || ".join(f"coalesce({text(cols[c])}, '?')" for c in ("iyear", "imonth", "iday"))
    check = Check(
        bad=f"({start}) IS NULL",
        reason="'iyear/imonth/iday: expected a date (imonth 0 = unknown month, iday 0 = unknown day), "
        f"found ' || {found}",
    )
    return {"date_start": start, "date_end": end, "date_precision": precision}, check


def _event_type(attack: str | None, target: str | None) -> str:
    if attack is None:
        return "'other'"
    armed = f"{target} IN ({', '.join(quote_literal(t) for t in ARMED_TARGETS)})" if target else "false"
    return (
        f"CASE WHEN {attack} = '3' THEN 'explosion_remote_violence' "
        f"WHEN {attack} IN ('1', '2') THEN CASE WHEN {armed} THEN 'battle' "
        "ELSE 'violence_against_civilians' END "
        f"WHEN {attack} IN ('4', '5', '6', '8') THEN 'violence_against_civilians' "
        f"WHEN {attack} = '7' THEN 'strategic_development' ELSE 'other' END"
    )


def _is_utf8(probe: Probe) -> bool:
    """Whether the first megabyte of a delimited file decodes as UTF-8 (START's own CSV is Latin-1)."""
    opener = gzip.open if probe.path.suffix.lower() == ".gz" else open
    with opener(probe.path, "rb") as fh:
        head = fh.read(1 << 20)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return len(head) == 1 << 20 and exc.start >= len(head) - 3  # a character cut by the sample
    return True


def plan(probe: Probe) -> ReadPlan:
    """The read plan for a GTD export (CSV or xlsx)."""
    cols = resolve_columns(probe.header, SYNONYMS)
    missing = [c for c in ("iyear", "imonth", "iday") if c not in cols]
    if missing:
        raise SourceError(
            f"{probe.original}: a GTD file needs the columns iyear, imonth and iday, found no "
            f"{', '.join(missing)} among [{', '.join(probe.header)}].",
            hint="Ingest GTD's own export, or describe the columns with --mapping FILE.yaml.",
        )
    notes: list[str] = []
    latin = probe.format in ("csv", "tsv") and not _is_utf8(probe)
    scan, tables, reader = scan_for(probe, SOURCE, **({"encoding": "latin-1"} if latin else {}))
    if latin:
        notes.append("the file is not UTF-8: read as Latin-1, the encoding of START's CSV distribution")
    fields, date_ok = _dates(cols)
    checks: list[Check] = [date_ok]

    attack, target = _code(cols, "attacktype1", ATTACK_TYPES), _code(cols, "targtype1", TARGET_TYPES)
    fields["event_type"] = _event_type(attack, target)
    if "attacktype1" in cols:
        raw = text(cols["attacktype1"])
        known = ", ".join(map(quote_literal, ATTACK_TYPES))
        checks.append(
            Check(
                bad=f"{raw} IS NOT NULL AND coalesce({attack} NOT IN ({known}), true)",
                reason=f"'attacktype1: expected a GTD attack type code 1..9, found ' || {shown(raw)}",
            )
        )
    if (label := _label(cols, "attacktype1", ATTACK_TYPES)) is not None:
        fields["sub_event_type"] = label
    if (label := _label(cols, "targtype1", TARGET_TYPES)) is not None:
        # An unknown target type says nothing about who was attacked; it is not an unidentified actor.
        fields["actor2"] = f"NULLIF({label}, 'Unknown')"
    for canonical, name in (
        ("actor1", "gname"),
        ("country", "country_txt"),
        ("admin1", "provstate"),
        ("location", "city"),
        ("notes", "summary"),
        ("source_ref", "scite1"),
    ):
        if name in cols:
            fields[canonical] = text(cols[name])
    if "country_txt" not in cols and first_present(probe.header, "country"):
        notes.append("only GTD's numeric country codes (column country), which are not decoded: no country")
    if "latitude" in cols and "longitude" in cols:
        fields["latitude"] = number(cols["latitude"])
        fields["longitude"] = number(cols["longitude"])
        checks.append(number_check(cols["latitude"], minimum=-90, maximum=90, label="latitude"))
        checks.append(number_check(cols["longitude"], minimum=-180, maximum=180, label="longitude"))
    if "specificity" in cols:
        fields["geo_precision"] = _whole(cols["specificity"])
        checks.append(number_check(cols["specificity"], minimum=1, maximum=5, label="specificity"))
    if "nkill" in cols:
        for f in ("fatalities_best", "fatalities_low", "fatalities_high"):
            fields[f] = number(cols["nkill"])
        checks.append(number_check(cols["nkill"], minimum=0, label="nkill"))

    version = None
    found = _NAME_VERSION.search(probe.original.name) or _NAME_VERSION.search(probe.path.name)
    if found:
        version = f"GTD 20{found.group(2)}-{found.group(1)}"
        notes.append(f"version {version} from START's file name")
    return ReadPlan(
        source=SOURCE,
        reader=reader,
        path=probe.path,
        scan=scan,
        fields=fields,
        checks=tuple(checks),
        source_id=id_text(cols["eventid"]) if "eventid" in cols else None,
        version=version,
        csv_rejects=not tables,
        tables=tables,
        notes=tuple(notes),
        encoding="latin-1" if latin else "utf-8",
    )
