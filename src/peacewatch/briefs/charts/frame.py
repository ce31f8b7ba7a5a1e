"""The frame the time charts (series and small multiples) share around their marks: the periods
they draw (which days, weeks or months the points fall in, and how much of each lies inside the dates
asked for), the period and unit in words, dates as UTC positions on the x scale, the rows of labels
placed above the plot before Vega lays it out, the colours, and the top-level Vega-Lite spec."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from peacewatch import schema
from peacewatch.briefs.figure import FONT, SCHEMA_URL, ChartError, as_date, day_text
from peacewatch.indicators.calendar import Span, next_period

SINGLE_COLOUR = "#0072B2"
SHADE_COLOUR = "#000000"
# Single-date markers (a signing, a ceasefire day): solid black lines, apart from every event-type colour
# and from the dashed changepoint rules.
MARKER_COLOUR = "#000000"
PARTIAL_OPACITY = 0.45
BY_NOUN = {"day": "day", "week": "week", "month": "month"}
PERIOD_LABEL = {"day": "Day", "week": "Week starting", "month": "Month"}
Y_AXIS_PX = 60  # room the y axis takes inside WIDTH, for placing labels before Vega lays them out


# ---------------------------------------------------------------- periods


def check_period_and_stack(by: str, stack: str | None) -> None:
    """Raise a ChartError unless ``by`` is day, week or month and ``stack`` is event_type or None."""
    if by not in BY_NOUN:
        raise ChartError(f"by {by!r}: expected day, week or month.")
    if stack not in (None, "event_type"):
        raise ChartError(f"stack {stack!r}: expected event_type or nothing.")


def periods_in(points: Sequence[Mapping[str, Any]], by: str, span: Span | None):
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


def stack_rows(points, by, span, stack):
    """(periods, {start: value} or {start: {event_type: value}}, the event types present in order)."""
    periods = periods_in(points, by, span)
    if stack is None:
        values = {as_date(p["period_start"]): float(p["value"]) for p in points}
        types: list[str] = []
    else:
        types = [t for t in schema.EVENT_TYPES if any(p.get(stack) == t for p in points)]
        values = {}
        for p in points:
            values.setdefault(as_date(p["period_start"]), {})[p[stack]] = float(p["value"])
    return periods, values, types


def partial_notes(periods, by) -> list[str]:
    """A note for each period only partly inside the dates shown."""
    notes = []
    for s, (_, inside, full) in sorted(periods.items()):
        if inside < full:
            noun = {"week": "week starting", "month": "month of", "day": "day"}[by]
            notes.append(
                f"The {noun} {day_text(s)} has {inside} of its {full} days in the period shown "
                "(drawn lighter)."
            )
    return notes


def period_words(d: dt.date, by: str) -> str:
    """The period a value belongs to, in words, with its preposition ("53 on 31 Jan 2020").

    >>> period_words(dt.date(2020, 2, 24), "week"), period_words(dt.date(2020, 1, 31), "day")
    ('in the week of 24 Feb 2020', 'on 31 Jan 2020')
    """
    if by == "day":
        return f"on {day_text(d)}"
    if by == "week":
        return f"in the week of {day_text(d)}"
    return f"in {d:%B %Y}"


def unit_title(measure: str, by: str, estimate: str = "best") -> str:
    """The y-axis title with its unit.

    >>> unit_title("events", "week")
    'Events per week'
    """
    noun = "Events" if measure == "events" else "Fatalities"
    title = f"{noun} per {BY_NOUN.get(by, by)}"
    if measure == "fatalities":
        title += f" ({estimate} estimate)"
    return title


# ---------------------------------------------------------------- positions and labels


def utc_datetime(d: dt.date) -> dict[str, Any]:
    """A Vega-Lite DateTime at UTC midnight (the x scales are UTC, so no local time zone shifts a day)."""
    return {"year": d.year, "month": d.month, "date": d.day, "utc": True}


def _offset_days(value: dt.date | dt.datetime, d0: dt.date) -> float:
    if isinstance(value, dt.datetime):
        start = dt.datetime.combine(d0, dt.time(), tzinfo=value.tzinfo)
        return (value - start).total_seconds() / 86400
    return (value - d0).days


def layout_labels(labels, d0: dt.date, d1: dt.date, width: int, max_rows: int = 3, char_px: float = 6.6):
    """Place labels above the plot in rows so that none overlaps another; returns the rows used.

    Labels are dicts with 'date' (a date, or a datetime for a mark inside a day) and 'text', and
    optionally 'end': the right edge of what they name (a shaded band). They are placed in the order
    given (the first have priority). Each gets 'align': left, starting at its date, unless it would run
    past the right edge: then right, ending at 'end' (so a band's label stays over its band) or at its
    date; 'at': that anchor; and 'row' (None when it fits in none of ``max_rows`` rows: its mark is still
    drawn, its text is not). ``char_px`` is the mean width of a character at the labels' 10.5 px
    (DejaVu Sans digits and capitals are about 0.63 em wide).
    """
    total = max((d1 - d0).days, 1)
    rows: list[list[tuple[float, float]]] = []
    for lab in labels:
        x = _offset_days(lab["date"], d0) / total * width
        w = len(lab["text"]) * char_px + 8
        if x + w <= width:
            lab["align"], lab["at"] = "left", lab["date"]
            lo, hi = x, x + w
        else:
            lab["align"], lab["at"] = "right", lab.get("end", lab["date"])
            right = min(_offset_days(lab["at"], d0) / total * width, width)
            lo, hi = right - w, right
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


# ---------------------------------------------------------------- the spec


def top_spec(
    title: str, subtitle: str | list[str] | None, alt: str, width: int, height: int
) -> dict[str, Any]:
    """The top level of a chart's Vega-Lite spec: title, size, font and the alt text as description."""
    t: dict[str, Any] = {"text": title, "anchor": "start", "fontSize": 14}
    if subtitle:
        import textwrap

        # Vega does not wrap titles: a long line would run off the image. 11 px DejaVu Sans averages
        # about 6.2 px a character.
        given = [subtitle] if isinstance(subtitle, str) else list(subtitle)
        subtitle = [part for line in given for part in textwrap.wrap(line, width=int(width / 6.2)) or [""]]
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
