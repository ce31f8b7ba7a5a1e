"""The points map: events as dots at their recorded coordinates, coloured by canonical event type,
over the province boundaries; rows without coordinates are counted in the notes."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from peacewatch.briefs.figure import (
    EVENT_TYPE_COLOURS,
    EVENT_TYPE_LABELS,
    FONT,
    SCHEMA_URL,
    WIDTH,
    Figure,
    column,
)
from peacewatch.briefs.maps.boundaries import Boundaries


def points_map(
    events: Any,
    *,
    title: str,
    command: str,
    boundaries: Boundaries | None = None,
    id: str = "points",
    subtitle: str | None = None,
    datasets: Sequence[Mapping[str, Any]] = (),
    snapshot: int | None = None,
    width: int = WIDTH,
    height: int = 470,
) -> Figure:
    """Events as dots at their coordinates, coloured by canonical event type, over the boundaries.

    ``events`` are rows with latitude, longitude and event_type (a list of dicts, or the pyarrow table
    analysis.events returns). Rows without coordinates are counted in the notes. The data table counts
    events by type (the dots themselves are too many for a table).
    """
    rows = events.to_pylist() if hasattr(events, "to_pylist") else list(events)
    dots, missing, counts = [], 0, {}
    for r in rows:
        lat, lon = r.get("latitude"), r.get("longitude")
        t = r.get("event_type") or "other"
        counts[t] = counts.get(t, 0) + 1
        if lat is None or lon is None or not (math.isfinite(lat) and math.isfinite(lon)):
            missing += 1
            continue
        dots.append(
            {"lon": round(float(lon), 4), "lat": round(float(lat), 4), "type": EVENT_TYPE_LABELS.get(t, t)}
        )
    types = [t for t in EVENT_TYPE_LABELS if t in counts] + sorted(
        t for t in counts if t not in EVENT_TYPE_LABELS
    )
    labels = [EVENT_TYPE_LABELS.get(t, t) for t in types]
    layers: list[dict[str, Any]] = []
    if boundaries is not None:
        layers.append(
            {
                "data": {
                    "values": [
                        {"type": "Feature", "geometry": p.geometry, "properties": {}}
                        for p in boundaries.provinces
                    ]
                },
                "mark": {"type": "geoshape", "fill": "#eeeeee", "stroke": "#ffffff", "strokeWidth": 0.8},
                "name": "boundaries",
            }
        )
    layers.append(
        {
            "data": {"values": dots},
            "mark": {"type": "circle", "size": 14, "opacity": 0.6},
            "encoding": {
                "longitude": {"field": "lon", "type": "quantitative"},
                "latitude": {"field": "lat", "type": "quantitative"},
                "color": {
                    "field": "type",
                    "type": "nominal",
                    "title": None,
                    "scale": {
                        "domain": labels,
                        "range": [EVENT_TYPE_COLOURS.get(t, "#999999") for t in types],
                    },
                    "legend": {"orient": "bottom", "columns": 3, "symbolOpacity": 1},
                },
            },
            "name": "events",
        }
    )
    total = len(rows)
    description = (
        f"A map of {len(dots):,} {'event' if len(dots) == 1 else 'events'} at their recorded "
        "coordinates, coloured by type. "
        + (f"Of all {total:,} events: " if total != 1 else "Of the 1 event: ")
        + ", ".join(f"{EVENT_TYPE_LABELS.get(t, t)} {counts[t]:,}" for t in types)
        + "."
    )
    alt = f"{title}: {description[0].lower()}{description[1:]}"
    notes = []
    if missing:
        notes.append(
            f"{missing:,} of {total:,} events {'has' if missing == 1 else 'have'} no coordinates and "
            f"{'is' if missing == 1 else 'are'} not drawn."
        )
    table = [{"event_type": t, "label": EVENT_TYPE_LABELS.get(t, t), "events": counts[t]} for t in types]
    spec = {
        "$schema": SCHEMA_URL,
        "description": alt,
        "title": {"text": title, "anchor": "start", "fontSize": 14}
        | ({"subtitle": subtitle, "subtitleFontSize": 11} if subtitle else {}),
        "width": width,
        "height": height,
        "background": "white",
        "projection": {"type": "mercator"},
        "config": {"font": FONT, "aria": False, "view": {"stroke": None}, "legend": {"labelFontSize": 11}},
        "layer": layers,
    }
    cols = (column("label", "Event type"), column("events", "Events", ",.0f"))
    return Figure(
        id,
        title,
        alt,
        spec,
        table,
        command,
        cols,
        tuple(notes),
        tuple(datasets),
        description=description,
        snapshot=snapshot,
    )
