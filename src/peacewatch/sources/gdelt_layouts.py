"""Where GDELT's event fields sit in a file: the 1.0 and 2.0 field orders and the detection of a layout.

GDELT's files rarely say what they are: the exports have no header, and tables passed through other
tools carry anybody's names. So the layout is told from the content (see :func:`layout`), and the
Mentions table, which looks like an export at a glance, is recognised so that it can be refused by name.
``peacewatch.sources.gdelt`` maps the fields of a detected layout to canonical events.

>>> layout(probe(Path("20200301.export.CSV")))                                    # doctest: +SKIP
Layout(version='GDELT 2.0', fields=(...), header=False, lead=0)
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from peacewatch.sources.detect import Probe


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


def is_mentions(probe: Probe) -> bool:
    """True when ``probe`` is a GDELT 2.0 Mentions table, by its names or by its published form."""
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
