"""UCDP GED's file formats, each turned into a table of text columns that ``ucdp.plan`` can map.

GED reaches users in shapes that differ in more than their delimiter: HDX's CSV and xlsx extracts carry
a second header row of HXL hashtags, and GeoJSON feature collections, UCDP API pages and plain JSON lists
hold records rather than rows. This module knows those shapes and nothing of what GED's columns mean;
``peacewatch.sources.ucdp`` owns the column names, the version and the mapping to canonical fields.

>>> table, kind, api_version, notes = json_table(probe(Path("ged251.geojson")))  # doctest: +SKIP
>>> kind                                                                          # doctest: +SKIP
'geojson'
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any

from peacewatch.errors import SourceError
from peacewatch.sources.base import Check, csv_scan
from peacewatch.sources.detect import Probe, bounded
from peacewatch.sources.scan import XLSX_TABLE

_API_VERSION = re.compile(r"/gedevents/(\d{2}\.\d(?:\.\d{1,2})?)", re.IGNORECASE)


# -- HDX --------------------------------------------------------------------------------------------


def has_hxl_row(probe: Probe) -> bool:
    """True when the first data row holds HXL hashtags (#date+year, #adm1+name, ...), as HDX files do."""
    if probe.format not in ("csv", "tsv", "xlsx") or not probe.rows:
        return False
    cells = [c.strip() for c in probe.rows[0]]
    return any(c.startswith("#") for c in cells) and all(c == "" or c.startswith("#") for c in cells)


def skip_hxl_row(probe: Probe, scan: str, tables: dict[str, Any]) -> tuple[str, dict[str, Any], int]:
    """The scan, tables and header row count of an HDX file, without its row of HXL hashtags.

    The hashtag row is not data, so it is left out of the scan rather than quarantined: source_row then
    counts data rows only, as in GED's own files.
    """
    if probe.format == "xlsx":
        return scan, {XLSX_TABLE: tables[XLSX_TABLE].slice(1)}, 1
    names = list(probe.header)
    return csv_scan(probe.path, delim=probe.delimiter or ",", header=False, skip=2, names=names), tables, 2


# -- JSON and GeoJSON -------------------------------------------------------------------------------


def _as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return _dumped(value)


def _dumped(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False)
    except RecursionError:  # a value nested nearly as deep as the parser allows: kept as a marker
        return "(a JSON value nested too deep to show)"


def _point(geometry: Any) -> tuple[Any, Any]:
    """(longitude, latitude) of a GeoJSON Point, else (None, None)."""
    if isinstance(geometry, dict) and geometry.get("type") == "Point":
        coords = geometry.get("coordinates")
        if isinstance(coords, list) and len(coords) >= 2:
            return coords[0], coords[1]
    return None, None


def json_table(probe: Probe) -> tuple[Any, str, str | None, list[str]]:
    """The records of a GeoJSON, API page or JSON list as a pyarrow table of text columns, in file order.

    Returns the table, the kind of document ("geojson", "api.json" or "json", the end of the reader
    name), the GED version named by an API page's links (else None) and notes for the plan. Records
    that are not JSON objects become rows with only a ``__json_error`` (quarantined).
    """
    import pyarrow as pa

    doc = probe.json_doc
    notes: list[str] = []
    api_version = None
    points: list[tuple[Any, Any]] | None = None
    if probe.format == "geojson":
        features = doc.get("features") or []
        records = [(f.get("properties") or {}) if isinstance(f, dict) else f for f in features]
        points = [_point(f.get("geometry")) if isinstance(f, dict) else (None, None) for f in features]
        kind = "geojson"
    elif isinstance(doc, dict) and isinstance(doc.get("Result"), list):
        records = doc["Result"]
        kind = "api.json"
        for key in ("NextPageUrl", "PreviousPageUrl"):
            found = _API_VERSION.search(str(doc.get(key) or ""))
            if found:
                api_version = f"GED {found.group(1)}"
                break
        total = doc.get("TotalCount")
        if isinstance(total, int) and total != len(records):
            notes.append(
                f"this API page holds {len(records)} of the {total} events the query matched: "
                "ingest every page"
            )
    elif isinstance(doc, list):
        records = doc
        kind = "json"
    else:
        raise SourceError(
            f"{probe.original}: expected GED records as a GeoJSON FeatureCollection, a UCDP API page "
            '({"Result": [...]}) or a JSON list of objects, found another JSON document.'
        )

    names: dict[str, None] = {}
    for r in records:
        if isinstance(r, dict):
            names.update(dict.fromkeys(r))
    bounded(probe, len(names))  # every key of any record becomes a column
    lower = {n.lower() for n in names}
    # Coordinates come from the Point geometry unless the properties carry them themselves.
    from_point = [k for k in ("longitude", "latitude") if k not in lower] if points is not None else []
    columns: dict[str, list[str | None]] = {n: [] for n in [*names, *from_point]}
    errors: list[str | None] = []
    for i, r in enumerate(records):
        ok = isinstance(r, dict)
        errors.append(None if ok else f"record {i + 1}: expected a JSON object, found {_dumped(r)[:200]}")
        for n in names:
            columns[n].append(_as_text(r.get(n)) if ok else None)
        for k in from_point:
            columns[k].append(_as_text(points[i][0 if k == "longitude" else 1]))
    if from_point:
        missing = sum(1 for p in points if p == (None, None))
        if missing:
            notes.append(f"{missing} of {len(points)} features have no Point geometry, so no coordinates")
    if any(errors):
        columns["__json_error"] = errors
    table = pa.table({n: pa.array(v, type=pa.string()) for n, v in columns.items()})
    return table, kind, api_version, notes


def records_table(records: Sequence[Any], columns: Sequence[str]) -> Any:
    """The API records as a pyarrow table of text columns ``columns``, each value written as
    :func:`json_table` writes it (so a synced page and the same page read from a file hash alike); a
    record that is not a JSON object becomes a row with only a ``__json_error`` (quarantined)."""
    import pyarrow as pa

    out: dict[str, list[str | None]] = {n: [] for n in columns}
    errors: list[str | None] = []
    for i, r in enumerate(records):
        ok = isinstance(r, dict)
        errors.append(None if ok else f"record {i + 1}: expected a JSON object, found {_dumped(r)[:200]}")
        for n in columns:
            out[n].append(_as_text(r.get(n)) if ok else None)
    if any(errors):
        out["__json_error"] = errors
    return pa.table({n: pa.array(v, type=pa.string()) for n, v in out.items()})


def json_error_check(header: Sequence[str]) -> list[Check]:
    """The check that quarantines the records :func:`json_table` could not read, if there were any."""
    return (
        [Check(bad='"__json_error" IS NOT NULL', reason='"__json_error"')] if "__json_error" in header else []
    )
