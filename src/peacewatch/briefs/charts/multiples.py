"""Small multiples: one small line chart per unit (admin1), the units with most events first, on a
shared y scale. Pure: rows in, :class:`Figure` out."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from peacewatch.briefs.charts.frame import (
    MARKER_COLOUR,
    PERIOD_LABEL,
    SHADE_COLOUR,
    SINGLE_COLOUR,
    Y_AXIS_PX,
    check_period_and_stack,
    partial_notes,
    periods_in,
    top_spec,
    unit_title,
    utc_datetime,
)
from peacewatch.briefs.figure import (
    WIDTH,
    ChartError,
    Figure,
    as_date,
    as_span,
    column,
    day_text,
    number_text,
    span_text,
)
from peacewatch.indicators.calendar import Span


def small_multiples(
    points_by_unit: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    title: str,
    by: str,
    measure: str,
    command: str,
    top: int = 12,
    columns: int = 4,
    span: Span | str | None = None,
    shade: Sequence[Mapping[str, Any]] = (),
    estimate: str = "best",
    unit_label: str = "Province",
    id: str = "small-multiples",
    subtitle: str | None = None,
    datasets: Sequence[Mapping[str, Any]] = (),
    snapshot: int | None = None,
    width: int = WIDTH,
) -> Figure:
    """One small line chart per unit (admin1), the ``top`` units by total, on a shared y scale.

    ``points_by_unit`` maps a unit name to its {period_start, value} rows (see :func:`unit_points`).
    The units left out are counted in the notes, never dropped silently. ``datasets`` and ``snapshot``
    say what the points were read from (the caption names them).
    """
    check_period_and_stack(by, None)
    if not points_by_unit:
        raise ChartError(f"{title!r}: no units to draw.")
    totals = {u: sum(float(p["value"]) for p in pts) for u, pts in points_by_unit.items()}
    ranked = sorted(totals, key=lambda u: (-totals[u], u))
    shown, rest = ranked[:top], ranked[top:]
    sp = as_span(span, "span") if span is not None else None
    periods = periods_in([p for pts in points_by_unit.values() for p in pts], by, sp)
    starts = sorted(periods)
    d0, d1 = starts[0], periods[starts[-1]][0]
    if sp is None:
        sp = Span(d0, d1 - dt.timedelta(days=1))
    # A period only partly inside the span would read as a fall at the edges: it is counted in the
    # table's totals, not drawn.
    complete = {s for s, (_, inside, full) in periods.items() if inside == full}
    values, table = [], []
    for rank, u in enumerate(shown):
        for p in points_by_unit[u]:
            s = as_date(p["period_start"])
            if s in complete:
                values.append(
                    {"unit": u, "rank": rank, "period_start": s.isoformat(), "value": float(p["value"])}
                )
    for u in ranked:
        by_start = {as_date(p["period_start"]): float(p["value"]) for p in points_by_unit[u]}
        peaks = {s: v for s, v in by_start.items() if s in complete} or by_start
        peak = max(peaks, key=lambda s: (peaks[s], -s.toordinal()))
        table.append(
            {
                "unit": u,
                "total": totals[u],
                "peak": peaks[peak],
                "peak_period": peak.isoformat(),
                "shown": u in shown,
            }
        )
    panel_w = int((width - Y_AXIS_PX - 20 * (columns - 1)) / columns)
    x = {
        "field": "period_start",
        "type": "temporal",
        "title": None,
        "scale": {"type": "utc", "domain": [utc_datetime(d0), utc_datetime(d1)]},
        "axis": {"format": "%b %Y", "tickCount": 3, "labelFontSize": 9, "grid": False},
    }
    layer = []
    rects, days, shaded = [], [], []
    for item in shade:
        s_span = as_span(item["span"], "shade")
        how = "Marked" if s_span.start == s_span.end else "Shaded"
        shaded.append(f" {how}: {str(item.get('label', '')).strip()} {span_text(s_span)}".rstrip() + ".")
        if s_span.start == s_span.end:  # one day: a line, as on the series chart (a band would not show)
            days.append({"date": f"{s_span.start.isoformat()}T12:00:00Z"})
            continue
        rects.append(
            {"start": s_span.start.isoformat(), "end": (s_span.end + dt.timedelta(days=1)).isoformat()}
        )
    if rects:
        layer.append(
            {
                "data": {"values": rects},
                "mark": {"type": "rect", "fill": SHADE_COLOUR, "opacity": 0.13},
                "encoding": {"x": {**x, "field": "start"}, "x2": {"field": "end"}},
                "name": "shade",
            }
        )
    if days:
        layer.append(
            {
                "data": {"values": days},
                "mark": {"type": "rule", "color": MARKER_COLOUR, "strokeWidth": 1.2},
                "encoding": {"x": {**x, "field": "date"}},
                "name": "markers",
            }
        )
    layer.append(
        {
            "mark": {"type": "line", "color": SINGLE_COLOUR, "strokeWidth": 1.3},
            "encoding": {
                "x": x,
                "y": {
                    "field": "value",
                    "type": "quantitative",
                    "title": unit_title(measure, by, estimate),
                    "axis": {"tickCount": 3, "labelFontSize": 9},
                },
            },
        }
    )
    alt_rows = "; ".join(f"{u} {number_text(totals[u])}" for u in shown)
    noun = "events" if measure == "events" else "fatalities"
    dates = f"{day_text(sp.start)} to {day_text(sp.end)}"
    shows = f"per {by} in the {len(shown)} {unit_label.lower()}s with most {noun}, on a shared scale"
    alt = f"{title}, {dates}: {noun} {shows}. Totals: {alt_rows}."
    marked = "".join(shaded)
    alt = alt + marked
    description = f"{noun.capitalize()} {shows}, {dates}. Totals: {alt_rows}.{marked}"
    notes = partial_notes(periods, by)
    if notes:
        notes = [n.replace("(drawn lighter)", "(in the table, not drawn)") for n in notes]
    if rest:
        notes.append(
            f"{len(rest)} other {unit_label.lower()}s with {number_text(sum(totals[u] for u in rest))} "
            f"{noun} together are not drawn; the table lists every {unit_label.lower()}."
        )
    spec = top_spec(title, subtitle, alt, panel_w, 90)
    spec.pop("height"), spec.pop("width")
    spec["data"] = {"values": values}
    spec["facet"] = {
        "field": "unit",
        "type": "nominal",
        "title": None,
        "sort": {"field": "rank", "op": "min"},
        "header": {"labelFontSize": 11},
    }
    spec["columns"] = columns
    spec["spec"] = {"width": panel_w, "height": 90, "layer": layer}
    spec["resolve"] = {"scale": {"y": "shared"}}
    cols = (
        column("unit", unit_label),
        column("total", f"{noun.capitalize()} in all", ",.0f"),
        column("peak", f"Most in one {by}", ",.0f"),
        column("peak_period", PERIOD_LABEL[by]),
    )
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
