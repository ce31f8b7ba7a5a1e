"""Which reader reads a file: each reader scores the file's probe and the best score wins.

Built-in readers are modules with ``SOURCE``, ``score(probe) -> float`` and ``plan(probe) -> ReadPlan``.
Plugins join through the ``peacewatch.readers`` entry point group with an object of the same shape;
``--source NAME`` forces a reader by its SOURCE name.
"""

from __future__ import annotations

import importlib
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from peacewatch.errors import SourceError, UnknownFormatError
from peacewatch.sources.base import ReadPlan
from peacewatch.sources.detect import Probe, probe

_BUILTIN = (
    "peacewatch.sources.ucdp",
    "peacewatch.sources.acled",
    "peacewatch.sources.gdelt",
    "peacewatch.sources.gtd",
)

# What each built-in reader accepts, for the message when nothing matched.
FORMATS = {
    "ucdp_ged": "UCDP GED (CSV/.gz/.zip with id, date_start, type_of_violence, best; HDX variant; GeoJSON; "
    "UCDP API JSON with a Result list)",
    "acled": "ACLED (CSV/xlsx with event_date plus ACLED columns such as event_id_cnty, sub_event_type, "
    "disorder_type; or an aggregate with week, event_type, events, fatalities)",
    "gdelt": "GDELT 1.0/2.0 event export (tab-separated, 57/58 or 61 fields, with or without header)",
    "gtd": "GTD (CSV/xlsx with eventid, iyear, imonth, iday, country_txt)",
    "mapped": "any table, with --mapping FILE.yaml describing its columns",
}


@cache
def readers() -> dict[str, Any]:
    """The readers by source name: built-ins first, then plugins."""
    found: dict[str, Any] = {}
    for name in _BUILTIN:
        module = importlib.import_module(name)
        found[module.SOURCE] = module
    for ep in entry_points(group="peacewatch.readers"):
        reader = ep.load()
        found[reader.SOURCE] = reader
    return found


def plan_file(
    path: Path, *, source: str | None = None, mapping: Path | None = None, workdir: Path | None = None
) -> ReadPlan:
    """Detect the format of ``path`` and return its read plan. A zip's data member is unpacked into
    ``workdir``, which the caller removes once the plan has been read.

    >>> plan_file(Path("ged.csv"), source="ucdp_ged")  # doctest: +SKIP
    """
    found = probe(Path(path), workdir=workdir)
    if mapping is not None:
        from peacewatch.sources import mapped

        return mapped.plan(found, mapping)
    available = readers()
    if source is not None:
        if source not in available:
            raise SourceError(
                f"--source {source!r} is not a reader; expected one of {', '.join(sorted(available))}."
            )
        return available[source].plan(found)
    scores = sorted(((r.score(found), name) for name, r in available.items()), reverse=True)
    best_score, best = scores[0] if scores else (0.0, None)
    if not best_score:
        raise _unknown(found, available)
    return available[best].plan(found)


def _unknown(found: Probe, available: dict[str, Any]) -> UnknownFormatError:
    tried = "; ".join(FORMATS.get(name, name) for name in available)
    return UnknownFormatError(
        f"{found.original}: no reader recognised this file. Found {found.describe()}. Tried: {tried}.",
        hint="Force one with --source NAME, or describe the columns with --mapping FILE.yaml "
        "(see docs/mapping.md).",
    )
