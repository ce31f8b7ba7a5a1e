"""The series chart: bars per day, week or month, optionally stacked by event type, with shaded
windows, changepoint rules and their labels, its alt text and its data table. Pure: rows in,
:class:`Figure` out (the rows come from :mod:`peacewatch.briefs.charts.from_analysis`).

>>> fig = series_chart(
...     [{"period_start": "2020-02-17", "value": 201.0}, {"period_start": "2020-02-24", "value": 60.0}],
...     title="Weekly events", by="week", measure="events", command="peacewatch series --by week")
>>> fig.alt.split(":")[0]
'Weekly events, 17 Feb 2020 to 1 Mar 2020'
>>> fig.data[1]["value"]
60.0
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from peacewatch.briefs.charts.frame import (
    MARKER_COLOUR,
    PARTIAL_OPACITY,
    PERIOD_LABEL,
    SHADE_COLOUR,
    SINGLE_COLOUR,
    Y_AXIS_PX,
    check_period_and_stack,
    layout_labels,
    partial_notes,
    period_words,
    short_day,
    stack_rows,
    top_spec,
    unit_title,
    utc_datetime,
)
from peacewatch.briefs.figure import (
    EVENT_TYPE_COLOURS,
    EVENT_TYPE_LABELS,
    HEIGHT,
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


def series_chart(
    points: Sequence[Mapping[str, Any]],
    *,
    title: str,
    by: str,
    measure: str,
    command: str,
    shade: Sequence[Mapping[str, Any]] = (),
    changepoints: Sequence[Mapping[str, Any]] = (),
    markers: Sequence[Mapping[str, Any]] = (),
    stack: str | None = None,
    span: Span | str | None = None,
    estimate: str = "best",
    id: str = "series",
    subtitle: str | None = None,
    datasets: Sequence[Mapping[str, Any]] = (),
    snapshot: int | None = None,
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Figure:
    """Bars per day, week or month (stacked by canonical event type with ``stack="event_type"``),
    shaded windows and changepoint rules.

    ``points`` are {period_start, value} rows, or {period_start, event_type, value} when stacked
    (analysis.series points, see :func:`series_points`). ``shade`` items are {label, span} with span
    'START:END' (inclusive); ``changepoints`` are items of ``analysis.changepoints(...)["changepoints"]``
    ({date, rate_before, rate_after}). A shade item may say ``tone: light`` (a comparison's baseline
    beside its window). ``markers`` are single dates {label, date} (a signing, a ceasefire day), drawn
    as solid lines with their labels at their dates; a ``shade`` item of one day is drawn as a marker
    too, since a one-day band is too thin to see on weekly or monthly bars.
    ``span`` is the period asked for: periods that only partly lie in it are drawn lighter and named in
    the notes. ``datasets`` and ``snapshot`` say what the points were read from (the caption names them).
    """
    check_period_and_stack(by, stack)
    if not points:
        raise ChartError(f"{title!r}: no points to draw.")
    sp = as_span(span, "span") if span is not None else None
    periods, values, types = stack_rows(points, by, sp, stack)
    starts = sorted(periods)
    d0, d1 = starts[0], periods[starts[-1]][0]
    if sp is None:
        sp = Span(d0, d1 - dt.timedelta(days=1))

    marks, table, totals = [], [], {}
    for s in starts:
        e, inside, full = periods[s]
        partial = inside < full
        base = {"period_start": s.isoformat(), "period_end": e.isoformat(), "days": inside}
        if stack is None:
            v = values[s]
            marks.append({**base, "y0": 0.0, "y1": v, "value": v, "partial": partial})
            table.append({"period_start": s.isoformat(), "days": inside, "value": v})
            totals[s] = v
            continue
        y = 0.0
        row = {"period_start": s.isoformat(), "days": inside}
        for order, t in enumerate(types):
            v = values[s].get(t, 0.0)
            label = EVENT_TYPE_LABELS.get(t, t)
            marks.append(
                {
                    **base,
                    "y0": y,
                    "y1": y + v,
                    "value": v,
                    "event_type": t,
                    "type_label": label,
                    "order": order,
                    "partial": partial,
                }
            )
            y += v
            row[t] = v
        row["total"] = y
        table.append(row)
        totals[s] = y

    # The x axis is titled like the data table's first column (what a bar's date is), so a chart pasted
    # without its caption still says what its dates are; every layer carries the same title, drawn once.
    x = {"field": "period_start", "type": "temporal", "title": PERIOD_LABEL[by], "scale": {"type": "utc"}}
    x_domain = {"domain": [utc_datetime(d0), utc_datetime(d1)], "type": "utc"}
    bars: dict[str, Any] = {
        "data": {"values": marks},
        "mark": {"type": "rect", "stroke": "white", "strokeWidth": 0.5 if by != "day" else 0},
        "encoding": {
            "x": {
                **x,
                "scale": x_domain,
                "axis": _time_axis(d0, d1),
            },
            "x2": {"field": "period_end"},
            "y": {
                "field": "y1",
                "type": "quantitative",
                "title": unit_title(measure, by, estimate),
                # Headroom: the tallest bar never meets the top edge, where it reads as cut off
                # under the labels above the plot; nice rounds the domain up from there.
                "scale": {"zero": True, "nice": True, "domainMax": max(max(totals.values()), 1.0) * 1.05},
            },
            "y2": {"field": "y0"},
            "opacity": {"condition": {"test": "datum.partial", "value": PARTIAL_OPACITY}, "value": 1},
        },
    }
    if stack is None:
        bars["mark"]["fill"] = SINGLE_COLOUR
    else:
        labels = [EVENT_TYPE_LABELS.get(t, t) for t in types]
        bars["encoding"]["fill"] = {
            "field": "type_label",
            "type": "nominal",
            "title": None,
            "sort": labels,
            "scale": {"domain": labels, "range": [EVENT_TYPE_COLOURS.get(t, "#999999") for t in types]},
            "legend": {
                "orient": "bottom",
                "direction": "horizontal",
                "symbolType": "square",
                "columns": 3 if len(types) > 3 else len(types),
            },
        }

    shades, marks_at = [], []
    for item in shade:
        s_span = as_span(item["span"], f"shade {item.get('label', '')!r}")
        if s_span.start == s_span.end:
            marks_at.append({"label": item.get("label", ""), "date": s_span.start})
            continue
        text = f"{item.get('label', '').strip()} {span_text(s_span)}".strip()
        shades.append(
            {
                "start": s_span.start,
                "end": s_span.end + dt.timedelta(days=1),
                "text": text,
                "span": s_span,
                # A lighter tone tells a reference band (a comparison's baseline) from the window.
                "opacity": 0.05 if item.get("tone") == "light" else 0.13,
                "light": item.get("tone") == "light",
            }
        )
    singles = []
    for item in [*markers, *marks_at]:
        d = as_date(item["date"])
        if not d0 <= d < d1:
            raise ChartError(
                f"{title!r}: the marker {item.get('label', '')!r} on {day_text(d)} lies outside the dates "
                f"the chart shows ({day_text(d0)} to {day_text(d1 - dt.timedelta(days=1))})."
            )
        # At noon: inside its own day's bar on a daily chart, not on the edge between two days.
        at = dt.datetime.combine(d, dt.time(12), tzinfo=dt.UTC)
        label = str(item.get("label", "")).strip()
        singles.append({"date": d, "at": at, "text": f"{label} {short_day(d)}".strip(), "label": label})
    rules = []
    for c in changepoints:
        d = as_date(c["date"])
        rules.append(
            {"date": d, "text": day_text(d), "before": c.get("rate_before"), "after": c.get("rate_after")}
        )

    # Priority for the rows above the plot: single dates, then bands, then changepoints (which the notes
    # and the alt text list in full when their label finds no room).
    labels = [{"date": m["at"], "text": m["text"], "kind": "marker"} for m in singles]
    labels += [
        {"date": max(s["start"], d0), "end": min(s["end"], d1), "text": s["text"], "kind": "shade"}
        for s in shades
    ]
    labels += [{"date": r["date"], "text": short_day(r["date"]), "kind": "changepoint"} for r in rules]
    layout_labels(labels, d0, d1, width - Y_AXIS_PX)
    unplaced = [lab for lab in labels if lab["row"] is None]
    labels = [lab for lab in labels if lab["row"] is not None]
    layers: list[dict[str, Any]] = [bars]
    if shades:
        layers.append(
            {
                "data": {
                    "values": [
                        {
                            "start": s["start"].isoformat(),
                            "end": s["end"].isoformat(),
                            "label": s["text"],
                            "opacity": s["opacity"],
                        }
                        for s in shades
                    ]
                },
                "mark": {"type": "rect", "fill": SHADE_COLOUR},
                "encoding": {
                    "x": {**x, "field": "start"},
                    "x2": {"field": "end"},
                    "opacity": {"field": "opacity", "type": "quantitative", "scale": None},
                },
                "name": "shade",
            }
        )
    if singles:
        layers.append(
            {
                "data": {"values": [{"date": _instant(m["at"]), "label": m["text"]} for m in singles]},
                "mark": {"type": "rule", "color": MARKER_COLOUR, "strokeWidth": 1.6},
                "encoding": {"x": {**x, "field": "date"}},
                "name": "markers",
            }
        )
    if rules:
        layers.append(
            {
                "data": {"values": [{"date": r["date"].isoformat(), "label": r["text"]} for r in rules]},
                "mark": {"type": "rule", "color": "#222222", "strokeDash": [4, 3], "strokeWidth": 1},
                "encoding": {"x": {**x, "field": "date"}},
                "name": "changepoints",
            }
        )
    for align in ("left", "right"):
        chosen = [lab for lab in labels if lab["align"] == align]
        if not chosen:
            continue
        layers.append(
            {
                "data": {
                    "values": [
                        {
                            "date": _instant(lab["at"]),
                            "text": lab["text"],
                            "y": -8 - 13 * lab["row"],
                            "kind": lab["kind"],
                        }
                        for lab in chosen
                    ]
                },
                "mark": {
                    "type": "text",
                    "align": align,
                    "baseline": "bottom",
                    "dx": 3 if align == "left" else -3,
                    "fontSize": 10.5,
                    "color": "#222222",
                },
                "encoding": {
                    "x": {**x, "field": "date"},
                    "y": {"field": "y", "type": "quantitative", "scale": None},
                    "text": {"field": "text"},
                },
                "name": f"labels_{align}",
            }
        )

    alt, description = _series_alt(
        title, by, measure, sp, periods, totals, table, types, shades, rules, stack, singles
    )
    notes = partial_notes(periods, by)
    columns = [column("period_start", PERIOD_LABEL[by])]
    if stack is None:
        columns.append(column("value", unit_title(measure, by, estimate), ",.0f"))
    else:
        columns += [column(t, EVENT_TYPE_LABELS.get(t, t), ",.0f") for t in types]
        columns.append(column("total", "All types", ",.0f"))
    if notes:
        columns.insert(1, column("days", "Days in data", "d"))
    if unplaced:
        notes.append(
            f"{len(unplaced)} of the marks above the chart are drawn without their label for lack of room: "
            + ", ".join(
                day_text(lab["date"]) if lab["kind"] == "changepoint" else lab["text"] for lab in unplaced
            )
            + "."
        )
    for r in rules:
        notes.append(
            f"Changepoint on {day_text(r['date'])}: the daily rate went from "
            f"{number_text(r['before'])} to {number_text(r['after'])} a day."
        )
    key = [subtitle] if subtitle else []
    if singles:
        key.append("Solid lines: single dates, labelled above the chart.")
    if rules:
        key.append("Dashed lines: changepoints in the daily rate.")
    if any(m["partial"] for m in marks):
        key.append("Lighter bars: periods only partly inside the dates shown.")
    spec = top_spec(title, key, alt, width, height)
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    spec["title"]["offset"] = 6  # the bounds Vega measures the title from include the label rows
    spec["layer"] = layers
    return Figure(
        id,
        title,
        alt,
        spec,
        table,
        command,
        tuple(columns),
        tuple(notes),
        tuple(datasets),
        description=description,
        snapshot=snapshot,
    )


def _instant(value: dt.date | dt.datetime) -> str:
    """A position on the UTC x scale: a day's midnight, or an exact instant (ISO 8601, Z)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def _series_alt(
    title, by, measure, span, periods, totals, table, types, shades, rules, stack, singles=()
) -> tuple[str, str]:
    """The alt text (the title, then what the chart shows) and the description (what it shows, for the
    caption under a chart that draws its title already)."""
    noun = "events" if measure == "events" else "fatalities"
    complete = {s: v for s, v in totals.items() if periods[s][1] == periods[s][2]} or totals
    hi = max(complete, key=lambda s: complete[s])
    lo = min(complete, key=lambda s: complete[s])
    total = sum(totals.values())
    what = f"bars of {noun} per {by}"
    if stack:
        what += f" stacked by event type ({', '.join(EVENT_TYPE_LABELS.get(t, t) for t in types)})"
    partial = " among complete periods" if len(complete) < len(totals) else ""
    dates = f"{day_text(span.start)} to {day_text(span.end)}"
    parts = [
        f"{number_text(total)} {noun} in all. Highest{partial}: {number_text(complete[hi])} "
        f"{period_words(hi, by)}; lowest: {number_text(complete[lo])} {period_words(lo, by)}."
    ]
    if stack and total:
        shares = [(t, sum(r.get(t, 0.0) for r in table)) for t in types]
        parts.append(
            "Shares: "
            + ", ".join(f"{EVENT_TYPE_LABELS.get(t, t)} {round(100 * v / total)}%" for t, v in shares)
            + "."
        )
    # A lighter band is a reference (a comparison's baseline) beside the window it is compared with.
    parts += [f"Shaded{' lighter' if s['light'] else ''}: {s['text']}." for s in shades]
    parts += [f"Marked: {m['label'] or 'a date'} on {day_text(m['date'])}." for m in singles]
    if rules:
        parts.append(
            "Dashed lines mark changepoints in the daily rate: "
            + "; ".join(
                f"{day_text(r['date'])} ({number_text(r['before'])} to {number_text(r['after'])} a day)"
                for r in rules
            )
            + "."
        )
    rest = " ".join(parts)
    return f"{title}, {dates}: {what}; {rest}", f"{what[0].upper()}{what[1:]}, {dates}; {rest}"


def _time_axis(d0: dt.date, d1: dt.date) -> dict[str, Any]:
    """The x axis of a series chart: over more than a year, a label every six months with its year
    ("Jan 2019"), since Vega's default of month names with the year alone at January sets the two
    side by side ("October2018") and hiding overlaps then drops the years."""
    axis: dict[str, Any] = {"grid": False, "labelFlush": True, "labelOverlap": True}
    if (d1 - d0).days > 400:
        # Not flush: a last label pushed inside the edge runs into its neighbour ("Jul 1998Jan 1999"),
        # which the overlap check misses; greedy hiding keeps the labels that fit, in order.
        axis |= {
            "format": "%b %Y",
            "tickCount": {"interval": "month", "step": 6},
            "labelFlush": False,
            "labelOverlap": "greedy",
            "labelBound": True,
        }
    return axis
