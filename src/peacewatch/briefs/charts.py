"""Charts of a brief as values: Vega-Lite specs with their data inlined, alt text, a data table and
the command that reproduces the numbers. Rendering is offline (vl-convert), with a generic font.

The chart functions are pure: rows in, :class:`Figure` out. The ``*_points`` helpers fetch the rows
by composing calls of :mod:`peacewatch.analysis`, which does every query.

>>> fig = series_chart(
...     [{"period_start": "2020-02-17", "value": 201.0}, {"period_start": "2020-02-24", "value": 60.0}],
...     title="Weekly events", by="week", measure="events", command="peacewatch series --by week")
>>> fig.alt.split(":")[0]
'Weekly events, 17 Feb 2020 to 1 Mar 2020'
>>> fig.data[1]["value"]
60.0
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from peacewatch import analysis, schema
from peacewatch.analysis.measures import StoreLike
from peacewatch.errors import BriefError
from peacewatch.indicators.calendar import Span, next_period
from peacewatch.indicators.filters import Filters

VEGA_LITE_VERSION = "6.4"
SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
# A generic family that every renderer has; vl-convert resolves it from the system fonts, nothing is fetched.
FONT = "DejaVu Sans, Arial, sans-serif"
WIDTH = 640  # fits the text column of an A4 page at 96 dpi; the HTML scales it up to 1280 px screens
HEIGHT = 260
_Y_AXIS_PX = 60  # room the y axis takes inside WIDTH, for placing labels before Vega lays them out

# Display labels of the canonical event types (schema.EVENT_TYPES), in stacking order.
EVENT_TYPE_LABELS: dict[str, str] = {
    "battle": "Battles",
    "explosion_remote_violence": "Explosions/remote violence",
    "violence_against_civilians": "Violence against civilians",
    "protest": "Protests",
    "riot": "Riots",
    "strategic_development": "Strategic developments",
    "other": "Other",
}
# Okabe & Ito (2008), "Color Universal Design": distinguishable with every common colour-vision deficiency.
EVENT_TYPE_COLOURS: dict[str, str] = {
    "battle": "#0072B2",
    "explosion_remote_violence": "#E69F00",
    "violence_against_civilians": "#CC79A7",
    "protest": "#009E73",
    "riot": "#D55E00",
    "strategic_development": "#56B4E9",
    "other": "#999999",
}
SINGLE_COLOUR = "#0072B2"
SHADE_COLOUR = "#000000"
PARTIAL_OPACITY = 0.45
_BY_NOUN = {"day": "day", "week": "week", "month": "month"}
_PERIOD_LABEL = {"day": "Day", "week": "Week starting", "month": "Month"}


class ChartError(BriefError):
    """A chart was asked for with input it cannot draw (an unknown stack, an unreadable span)."""


@dataclass(frozen=True)
class Figure:
    """A chart and everything a report shows with it.

    ``data`` is the table under the chart (rows of plain values; ``columns`` gives each column's key,
    header and Python format spec), ``notes`` are sentences the report prints under the table (partial
    periods, unmatched names), ``command`` the CLI command(s) that reproduce the numbers (one per line),
    ``datasets`` the provenance of the analysis results behind it.
    """

    id: str
    title: str
    alt: str
    spec: dict[str, Any]
    data: list[dict[str, Any]]
    command: str
    columns: tuple[dict[str, str], ...] = ()
    notes: tuple[str, ...] = ()
    datasets: tuple[dict[str, Any], ...] = field(default_factory=tuple)

    def svg(self) -> str:
        """The chart as a standalone SVG string, rendered offline."""
        import vl_convert

        svg = vl_convert.vegalite_to_svg(self.spec, vl_version=VEGA_LITE_VERSION)
        # The alt text as the SVG's accessible name (Vega's own per-mark ARIA labels are turned off in
        # the config: hundreds of "period_start: ..." labels help no one).
        end = svg.index(">", svg.index("<svg"))
        return f'{svg[:end]} role="img"><title>{html.escape(self.alt, quote=False)}</title>{svg[end + 1 :]}'

    def png(self, scale: float = 1.0) -> bytes:
        import vl_convert

        return vl_convert.vegalite_to_png(self.spec, vl_version=VEGA_LITE_VERSION, scale=scale)

    def csv(self) -> str:
        """The data table as CSV (every key of the rows, in first-seen order)."""
        keys: list[str] = []
        for row in self.data:
            keys += [k for k in row if k not in keys]
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.data)
        return out.getvalue()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "alt": self.alt,
            "command": self.command,
            "columns": [dict(c) for c in self.columns],
            "data": self.data,
            "notes": list(self.notes),
            "datasets": [dict(d) for d in self.datasets],
            "spec": self.spec,
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str)


def column(key: str, label: str, fmt: str = "") -> dict[str, str]:
    return {"key": key, "label": label, "format": fmt}


# ---------------------------------------------------------------- dates and text


def as_date(value: dt.date | str) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def as_span(value: Span | str | Sequence, what: str = "span") -> Span:
    """A Span from a Span, 'START:END' or (start, end); dates inclusive."""
    if isinstance(value, Span):
        return value
    try:
        if isinstance(value, str):
            start, sep, end = value.partition(":")
            if not sep:
                raise ValueError
        else:
            start, end = value
        return Span(as_date(start), as_date(end))
    except (ValueError, TypeError):
        raise ChartError(f"{what} {value!r}: expected START:END as YYYY-MM-DD:YYYY-MM-DD.") from None


def day_text(d: dt.date) -> str:
    """A day as people write it.

    >>> day_text(dt.date(2020, 2, 2))
    '2 Feb 2020'
    """
    return f"{d.day} {d:%b %Y}"


def span_text(span: Span) -> str:
    """A compact inclusive range.

    >>> span_text(Span(dt.date(2020, 2, 22), dt.date(2020, 2, 29)))
    '22–29 Feb 2020'
    """
    a, b = span.start, span.end
    if a == b:
        return day_text(a)
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.day}–{b.day} {b:%b %Y}"
    if a.year == b.year:
        return f"{a.day} {a:%b}–{b.day} {b:%b %Y}"
    return f"{day_text(a)}–{day_text(b)}"


def number_text(x: float) -> str:
    """A number for text: thousands separated, small ones to two significant digits.

    >>> number_text(1234.0), number_text(7.555), number_text(0.2146)
    ('1,234', '7.6', '0.21')
    """
    if x is None or not math.isfinite(x):
        return "n/a"
    if abs(x) >= 100 or float(x).is_integer():
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:.1f}"
    return f"{x:.2g}"


def unit_title(measure: str, by: str, estimate: str = "best") -> str:
    """The y-axis title with its unit.

    >>> unit_title("events", "week")
    'Events per week'
    """
    noun = "Events" if measure == "events" else "Fatalities"
    title = f"{noun} per {_BY_NOUN.get(by, by)}"
    if measure == "fatalities":
        title += f" ({estimate} estimate)"
    return title


def _ms(d: dt.date) -> dict[str, Any]:
    """A Vega-Lite DateTime at UTC midnight (the x scales are UTC, so no local time zone shifts a day)."""
    return {"year": d.year, "month": d.month, "date": d.day, "utc": True}


# ---------------------------------------------------------------- rows


def _periods(points: Sequence[Mapping[str, Any]], by: str, span: Span | None):
    """Each period's (start, exclusive end, days inside the span, days in the period)."""
    starts = sorted({as_date(p["period_start"]) for p in points})
    out = {}
    for s in starts:
        e = next_period(s, by)  # exclusive
        full = (e - s).days
        if span is None:
            inside = full
        else:
            lo, hi = max(s, span.start), min(e - dt.timedelta(days=1), span.end)
            inside = max(0, (hi - lo).days + 1)
        out[s] = (e, inside, full)
    return out


def _stack_rows(points, by, span, stack):
    periods = _periods(points, by, span)
    if stack is None:
        values = {as_date(p["period_start"]): float(p["value"]) for p in points}
        types: list[str] = []
    else:
        types = [t for t in schema.EVENT_TYPES if any(p.get(stack) == t for p in points)]
        values = {}
        for p in points:
            values.setdefault(as_date(p["period_start"]), {})[p[stack]] = float(p["value"])
    return periods, values, types


def _check(by: str, stack: str | None) -> None:
    if by not in _BY_NOUN:
        raise ChartError(f"by {by!r}: expected day, week or month.")
    if stack not in (None, "event_type"):
        raise ChartError(f"stack {stack!r}: expected event_type or nothing.")


# ---------------------------------------------------------------- label layout


def _layout_labels(labels, d0: dt.date, d1: dt.date, width: int, max_rows: int = 3, char_px: float = 6.0):
    """Place labels above the plot in rows so that none overlaps another; returns the rows used.

    Labels are dicts with 'date' and 'text', placed in the order given (the first have priority).
    Each gets 'align' (left of its date, unless it would run past the right edge) and 'row' (None
    when it fits in none of ``max_rows`` rows: its mark is still drawn, its text is not).
    """
    total = max((d1 - d0).days, 1)
    rows: list[list[tuple[float, float]]] = []
    for lab in labels:
        x = (lab["date"] - d0).days / total * width
        w = len(lab["text"]) * char_px + 8
        lab["align"] = "left" if x + w <= width else "right"
        lo, hi = (x, x + w) if lab["align"] == "left" else (x - w, x)
        lab["row"] = None
        for i in range(max_rows):
            if i == len(rows):
                rows.append([])
            if all(hi < a or lo > b for a, b in rows[i]):
                rows[i].append((lo, hi))
                lab["row"] = i
                break
    return sum(1 for r in rows if r)


def short_day(d: dt.date) -> str:
    """A day without its year, for labels on a chart whose axis gives the year.

    >>> short_day(dt.date(2020, 3, 2))
    '2 Mar'
    """
    return f"{d.day} {d:%b}"


# ---------------------------------------------------------------- the series chart


def series_chart(
    points: Sequence[Mapping[str, Any]],
    *,
    title: str,
    by: str,
    measure: str,
    command: str,
    shade: Sequence[Mapping[str, Any]] = (),
    changepoints: Sequence[Mapping[str, Any]] = (),
    stack: str | None = None,
    span: Span | str | None = None,
    estimate: str = "best",
    id: str = "series",
    subtitle: str | None = None,
    datasets: Sequence[Mapping[str, Any]] = (),
    width: int = WIDTH,
    height: int = HEIGHT,
) -> Figure:
    """Bars per day, week or month (stacked by canonical event type with ``stack="event_type"``),
    shaded windows and changepoint rules.

    ``points`` are {period_start, value} rows, or {period_start, event_type, value} when stacked
    (analysis.series points, see :func:`series_points`). ``shade`` items are {label, span} with span
    'START:END' (inclusive); ``changepoints`` are items of ``analysis.changepoints(...)["changepoints"]``
    ({date, rate_before, rate_after}). ``span`` is the period asked for: periods that only partly lie in
    it are drawn lighter and named in the notes.
    """
    _check(by, stack)
    if not points:
        raise ChartError(f"{title!r}: no points to draw.")
    sp = as_span(span, "span") if span is not None else None
    periods, values, types = _stack_rows(points, by, sp, stack)
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

    x = {"field": "period_start", "type": "temporal", "title": None, "scale": {"type": "utc"}}
    x_domain = {"domain": [_ms(d0), _ms(d1)], "type": "utc"}
    bars: dict[str, Any] = {
        "data": {"values": marks},
        "mark": {"type": "rect", "stroke": "white", "strokeWidth": 0.5 if by != "day" else 0},
        "encoding": {
            "x": {**x, "scale": x_domain, "axis": {"grid": False, "labelFlush": True}},
            "x2": {"field": "period_end"},
            "y": {
                "field": "y1",
                "type": "quantitative",
                "title": unit_title(measure, by, estimate),
                "scale": {"zero": True, "nice": True},
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

    shades = []
    for item in shade:
        s_span = as_span(item["span"], f"shade {item.get('label', '')!r}")
        text = f"{item.get('label', '').strip()} {span_text(s_span)}".strip()
        shades.append(
            {"start": s_span.start, "end": s_span.end + dt.timedelta(days=1), "text": text, "span": s_span}
        )
    rules = []
    for c in changepoints:
        d = as_date(c["date"])
        rules.append(
            {"date": d, "text": day_text(d), "before": c.get("rate_before"), "after": c.get("rate_after")}
        )

    labels = [{"date": max(s["start"], d0), "text": s["text"], "kind": "shade"} for s in shades]
    labels += [{"date": r["date"], "text": short_day(r["date"]), "kind": "changepoint"} for r in rules]
    _layout_labels(labels, d0, d1, width - _Y_AXIS_PX)
    unplaced = [lab for lab in labels if lab["row"] is None]
    labels = [lab for lab in labels if lab["row"] is not None]
    layers: list[dict[str, Any]] = [bars]
    if shades:
        layers.append(
            {
                "data": {
                    "values": [
                        {"start": s["start"].isoformat(), "end": s["end"].isoformat(), "label": s["text"]}
                        for s in shades
                    ]
                },
                "mark": {"type": "rect", "fill": SHADE_COLOUR, "opacity": 0.13},
                "encoding": {"x": {**x, "field": "start"}, "x2": {"field": "end"}},
                "name": "shade",
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
                            "date": lab["date"].isoformat(),
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

    alt = _series_alt(title, by, measure, sp, periods, totals, table, types, shades, rules, stack)
    notes = _partial_notes(periods, by)
    columns = [column("period_start", _PERIOD_LABEL[by])]
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
            + ", ".join(lab["text"] if lab["kind"] == "shade" else day_text(lab["date"]) for lab in unplaced)
            + "."
        )
    for r in rules:
        notes.append(
            f"Changepoint on {day_text(r['date'])}: the daily rate went from "
            f"{number_text(r['before'])} to {number_text(r['after'])} a day."
        )
    key = [subtitle] if subtitle else []
    if rules:
        key.append("Dashed lines: changepoints in the daily rate.")
    if any(m["partial"] for m in marks):
        key.append("Lighter bars: periods only partly inside the dates shown.")
    spec = _top(title, key, alt, width, height)
    spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    spec["title"]["offset"] = 6  # the bounds Vega measures the title from include the label rows
    spec["layer"] = layers
    return Figure(id, title, alt, spec, table, command, tuple(columns), tuple(notes), tuple(datasets))


def _top(title: str, subtitle: str | list[str] | None, alt: str, width: int, height: int) -> dict[str, Any]:
    t: dict[str, Any] = {"text": title, "anchor": "start", "fontSize": 14}
    if subtitle:
        t["subtitle"] = subtitle
        t["subtitleFontSize"] = 11
        t["subtitleColor"] = "#444"
    return {
        "$schema": SCHEMA_URL,
        "description": alt,  # becomes the SVG's aria-label
        "title": t,
        "width": width,
        "height": height,
        "background": "white",
        "config": {
            "font": FONT,
            "aria": False,
            "view": {"stroke": None},
            "axis": {"labelFontSize": 11, "titleFontSize": 11, "labelColor": "#333", "titleColor": "#333"},
            "legend": {"labelFontSize": 11, "titleFontSize": 11},
        },
    }


def _partial_notes(periods, by) -> list[str]:
    notes = []
    for s, (_, inside, full) in sorted(periods.items()):
        if inside < full:
            noun = {"week": "week starting", "month": "month of", "day": "day"}[by]
            notes.append(
                f"The {noun} {day_text(s)} has {inside} of its {full} days in the period shown "
                "(drawn lighter)."
            )
    return notes


def _when(d: dt.date, by: str) -> str:
    """The period a value belongs to, in words.

    >>> _when(dt.date(2020, 2, 24), "week")
    'the week of 24 Feb 2020'
    """
    if by == "day":
        return day_text(d)
    if by == "week":
        return f"the week of {day_text(d)}"
    return f"{d:%B %Y}"


def _series_alt(title, by, measure, span, periods, totals, table, types, shades, rules, stack) -> str:
    noun = "events" if measure == "events" else "fatalities"
    complete = {s: v for s, v in totals.items() if periods[s][1] == periods[s][2]} or totals
    hi = max(complete, key=lambda s: complete[s])
    lo = min(complete, key=lambda s: complete[s])
    total = sum(totals.values())
    what = f"bars of {noun} per {by}"
    if stack:
        what += f" stacked by event type ({', '.join(EVENT_TYPE_LABELS.get(t, t) for t in types)})"
    partial = " among complete periods" if len(complete) < len(totals) else ""
    parts = [
        f"{title}, {day_text(span.start)} to {day_text(span.end)}: {what}; {number_text(total)} {noun} in "
        f"all. Highest{partial}: {number_text(complete[hi])} in {_when(hi, by)}; lowest: "
        f"{number_text(complete[lo])} in {_when(lo, by)}."
    ]
    if stack and total:
        shares = [(t, sum(r.get(t, 0.0) for r in table)) for t in types]
        parts.append(
            "Shares: "
            + ", ".join(f"{EVENT_TYPE_LABELS.get(t, t)} {round(100 * v / total)}%" for t, v in shares)
            + "."
        )
    parts += [f"Shaded: {s['text']}." for s in shades]
    if rules:
        parts.append(
            "Dashed lines mark changepoints in the daily rate: "
            + "; ".join(
                f"{day_text(r['date'])} ({number_text(r['before'])} to {number_text(r['after'])} a day)"
                for r in rules
            )
            + "."
        )
    return " ".join(parts)


# ---------------------------------------------------------------- small multiples


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
    width: int = WIDTH,
) -> Figure:
    """One small line chart per unit (admin1), the ``top`` units by total, on a shared y scale.

    ``points_by_unit`` maps a unit name to its {period_start, value} rows (see :func:`unit_points`).
    The units left out are counted in the notes, never dropped silently.
    """
    _check(by, None)
    if not points_by_unit:
        raise ChartError(f"{title!r}: no units to draw.")
    totals = {u: sum(float(p["value"]) for p in pts) for u, pts in points_by_unit.items()}
    ranked = sorted(totals, key=lambda u: (-totals[u], u))
    shown, rest = ranked[:top], ranked[top:]
    sp = as_span(span, "span") if span is not None else None
    periods = _periods([p for pts in points_by_unit.values() for p in pts], by, sp)
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
    panel_w = int((width - _Y_AXIS_PX - 20 * (columns - 1)) / columns)
    x = {
        "field": "period_start",
        "type": "temporal",
        "title": None,
        "scale": {"type": "utc", "domain": [_ms(d0), _ms(d1)]},
        "axis": {"format": "%b %Y", "tickCount": 3, "labelFontSize": 9, "grid": False},
    }
    layer = []
    if shade:
        rects = []
        for item in shade:
            s_span = as_span(item["span"], "shade")
            rects.append(
                {"start": s_span.start.isoformat(), "end": (s_span.end + dt.timedelta(days=1)).isoformat()}
            )
        layer.append(
            {
                "data": {"values": rects},
                "mark": {"type": "rect", "fill": SHADE_COLOUR, "opacity": 0.13},
                "encoding": {"x": {**x, "field": "start"}, "x2": {"field": "end"}},
                "name": "shade",
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
    alt = (
        f"{title}, {day_text(sp.start)} to {day_text(sp.end)}: {noun} per {by} in the {len(shown)} "
        f"{unit_label.lower()}s with most {noun}, on a shared scale. Totals: {alt_rows}."
    )
    notes = _partial_notes(periods, by)
    if notes:
        notes = [n.replace("(drawn lighter)", "(in the table, not drawn)") for n in notes]
    if rest:
        notes.append(
            f"{len(rest)} other {unit_label.lower()}s with {number_text(sum(totals[u] for u in rest))} "
            f"{noun} together are not drawn; the table lists every {unit_label.lower()}."
        )
    spec = _top(title, subtitle, alt, panel_w, 90)
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
        column("peak_period", _PERIOD_LABEL[by]),
    )
    return Figure(id, title, alt, spec, table, command, cols, tuple(notes), tuple(datasets))


# ---------------------------------------------------------------- data access (through analysis)


def _span_filters(f: Filters, span: Span | str | None) -> Filters:
    if span is None:
        return f
    sp = as_span(span, "span")
    return f.replace(date_from=sp.start, date_to=sp.end)


def series_results(
    f: Filters,
    *,
    by: str,
    span: Span | str | None = None,
    measure: str = "events",
    estimate: str = "best",
    stack: str | None = None,
    store: StoreLike = None,
) -> list[tuple[str | None, analysis.SeriesResult]]:
    """The analysis.series results behind a series chart: one (None, result) unstacked, or one
    (event_type, result) per canonical type with any event when ``stack="event_type"`` (the filter's
    own types if it names some)."""
    _check(by, stack)
    g = _span_filters(f, span)
    if stack is None:
        return [(None, analysis.series(g, by=by, measure=measure, estimate=estimate, store=store))]
    out = []
    for t in f.types or schema.EVENT_TYPES:
        r = analysis.series(g.replace(types=(t,)), by=by, measure=measure, estimate=estimate, store=store)
        if any(v for _, v in r.points):
            out.append((t, r))
    return out


def series_points(
    f: Filters,
    *,
    by: str,
    span: Span | str | None = None,
    measure: str = "events",
    estimate: str = "best",
    stack: str | None = None,
    store: StoreLike = None,
) -> list[dict[str, Any]]:
    """Rows for :func:`series_chart`: {period_start, value}, or {period_start, event_type, value} with
    ``stack="event_type"`` (types without any event are left out)."""
    rows = []
    for t, r in series_results(
        f, by=by, span=span, measure=measure, estimate=estimate, stack=stack, store=store
    ):
        for d, v in r.points:
            rows.append({"period_start": d.isoformat(), "value": float(v)} | ({"event_type": t} if t else {}))
    return rows


def unit_points(
    f: Filters,
    *,
    by: str,
    span: Span | str,
    measure: str = "events",
    estimate: str = "best",
    store: StoreLike = None,
) -> dict[str, list[dict[str, Any]]]:
    """{admin1 unit: {period_start, value} rows} for every unit with an event in ``span`` (event data)."""
    g = _span_filters(f, span)
    units = sorted(u for u in set(analysis.events(g, store).column("admin1").to_pylist()) if u)
    out = {}
    for u in units:
        r = analysis.series(g.replace(admin1=u), by=by, measure=measure, estimate=estimate, store=store)
        out[u] = [{"period_start": d.isoformat(), "value": float(v)} for d, v in r.points]
    return out


def series_figure(
    f: Filters,
    *,
    by: str,
    span: Span | str,
    title: str,
    measure: str = "events",
    estimate: str = "best",
    stack: str | None = None,
    shade: Sequence[Mapping[str, Any]] = (),
    changepoints: bool = False,
    id: str = "series",
    subtitle: str | None = None,
    store: StoreLike = None,
) -> Figure:
    """The series block of a brief in one call: points, changepoints (found on the daily series of the
    same filters over ``span``), the commands that reproduce them, and the datasets behind them."""
    sp = as_span(span, "span")
    results = series_results(f, by=by, span=sp, measure=measure, estimate=estimate, stack=stack, store=store)
    if stack:
        total = analysis.series(_span_filters(f, sp), by=by, measure=measure, estimate=estimate, store=store)
        commands = [total.command] + [r.command for _, r in results]
        datasets = total.datasets
    else:
        commands = [results[0][1].command]
        datasets = results[0][1].datasets
    points = [
        {"period_start": d.isoformat(), "value": float(v)} | ({"event_type": t} if t else {})
        for t, r in results
        for d, v in r.points
    ]
    found: list[dict[str, Any]] = []
    if changepoints:
        cp = analysis.changepoints(f, span=sp, measure=measure, estimate=estimate, store=store)
        found = cp["changepoints"]
        commands.append(cp["command"])
    return series_chart(
        points,
        title=title,
        by=by,
        measure=measure,
        command="\n".join(commands),
        shade=shade,
        changepoints=found,
        stack=stack,
        span=sp,
        estimate=estimate,
        id=id,
        subtitle=subtitle,
        datasets=datasets,
    )


def small_multiples_figure(
    f: Filters,
    *,
    by: str,
    span: Span | str,
    title: str,
    measure: str = "events",
    estimate: str = "best",
    top: int = 12,
    shade: Sequence[Mapping[str, Any]] = (),
    id: str = "small-multiples",
    subtitle: str | None = None,
    store: StoreLike = None,
) -> Figure:
    """The ``small_multiples: admin1`` series block in one call (one analysis.series per unit)."""
    sp = as_span(span, "span")
    by_unit = unit_points(f, by=by, span=sp, measure=measure, estimate=estimate, store=store)
    if not by_unit:
        raise ChartError(f"{title!r}: no event in {sp} carries an admin1 name.")
    total = analysis.series(_span_filters(f, sp), by=by, measure=measure, estimate=estimate, store=store)
    command = total.command.replace("peacewatch series", "peacewatch series --admin1 UNIT", 1)
    return small_multiples(
        by_unit,
        title=title,
        by=by,
        measure=measure,
        command=command,
        top=top,
        span=sp,
        shade=shade,
        estimate=estimate,
        id=id,
        subtitle=subtitle,
        datasets=total.datasets,
    )


__all__ = [
    "EVENT_TYPE_COLOURS",
    "EVENT_TYPE_LABELS",
    "FONT",
    "ChartError",
    "Figure",
    "series_chart",
    "series_figure",
    "series_points",
    "series_results",
    "small_multiples",
    "small_multiples_figure",
    "unit_points",
]
