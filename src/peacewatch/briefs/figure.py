"""A figure of a brief as a value, and what every figure shares.

A :class:`Figure` is a Vega-Lite spec with its data inlined, its alt text, the data table under it
(with a column spec per column), notes, the command that reproduces the numbers and the datasets
behind them; it renders itself offline (vl-convert) to SVG and PNG, and to CSV and JSON. Beside it:
the look every chart and map shares (font, width, the event types' labels and colours), and the
reading and writing of dates, spans and numbers in their text.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import json
import math
from dataclasses import dataclass, field
from typing import Any

from peacewatch.errors import BriefError, IndicatorError
from peacewatch.indicators import calendar
from peacewatch.indicators.calendar import Span
from peacewatch.textsafe import csv_cell

VEGA_LITE_VERSION = "6.4"
SCHEMA_URL = "https://vega.github.io/schema/vega-lite/v6.4.1.json"
# A generic family that every renderer has; vl-convert resolves it from the system fonts, nothing is fetched.
FONT = "DejaVu Sans, Arial, sans-serif"
WIDTH = 640  # fits the text column of an A4 page at 96 dpi; the HTML scales it up to 1280 px screens
HEIGHT = 260

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


class ChartError(BriefError):
    """A chart was asked for with input it cannot draw (an unknown stack, an unreadable span)."""


@dataclass(frozen=True)
class Figure:
    """A chart and everything a report shows with it.

    ``alt`` is the chart's text alternative (its title, then what it shows); ``description`` is what it
    shows without the title, which the chart draws already; ``caption`` adds the data and snapshot
    read to it, for the figure's caption. ``data`` is the table under the chart (rows of plain values;
    ``columns`` gives each column's key, header and Python format spec), ``notes`` are sentences the
    report prints under the table (partial periods, unmatched names), ``command`` the CLI command(s)
    that reproduce the numbers (one per line), ``datasets`` the provenance of the analysis results
    behind it, ``snapshot`` the store snapshot they were read at (None when not known).
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
    description: str = ""
    snapshot: int | None = None

    @property
    def caption(self) -> str:
        """The figure's caption: what the title does not say (what is plotted, what is shaded or marked,
        the data read and its snapshot), so that a report shows the title once, in the chart.

        >>> Figure("f", "Weekly events", "Weekly events, 2 Jan to 27 Dec 2020: bars.", {}, [], "",
        ...        description="Bars of events per week.", datasets=({"dataset_id": "acled-afg"},),
        ...        snapshot=2).caption
        'Bars of events per week. Data: acled-afg, snapshot 2 of the store.'
        """
        ids = list(dict.fromkeys(str(d["dataset_id"]) for d in self.datasets if d.get("dataset_id")))
        read = ", ".join(ids)
        if self.snapshot is not None:
            read += f"{', ' if read else ''}snapshot {self.snapshot} of the store"
        return " ".join(part for part in (self.description, f"Data: {read}." if read else "") if part)

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

    def csv(self, comments: tuple[str, ...] | list[str] = ()) -> str:
        """The data table as CSV (every key of the rows, in first-seen order), after ``comments`` as
        ``# `` lines (the attribution, see :func:`peacewatch.briefs.attribution.lines`)."""
        keys: list[str] = []
        for row in self.data:
            keys += [k for k in row if k not in keys]
        out = io.StringIO()
        out.writelines(f"# {line}\n" for line in comments)
        writer = csv.DictWriter(out, fieldnames=keys, lineterminator="\n")
        writer.writeheader()
        # Labels come from the data (province and actor names): no cell may run as a formula.
        writer.writerows({k: csv_cell(v) for k, v in row.items()} for row in self.data)
        return out.getvalue()

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "alt": self.alt,
            "caption": self.caption,
            "snapshot": self.snapshot,
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


def as_span(value: Span | str | tuple, what: str = "span") -> Span:
    """A Span for a chart (see ``indicators.calendar.as_span``), failing as a ChartError."""
    try:
        return calendar.as_span(value, what)
    except IndicatorError as exc:
        raise ChartError(exc.message) from None


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
