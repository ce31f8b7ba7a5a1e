"""Charts of a brief as values: Vega-Lite specs with their data inlined, alt text, a data table and
the command that reproduces the numbers. Rendering is offline (vl-convert), with a generic font.

The chart functions are pure: rows in, :class:`Figure` out (``series``: bars per period, ``multiples``:
one panel per unit; ``frame`` holds what both share). The functions of
``from_analysis`` fetch the rows by composing calls of :mod:`peacewatch.analysis`, which does every
query. The Figure value itself lives in :mod:`peacewatch.briefs.figure`.
"""

from __future__ import annotations

from peacewatch.briefs.charts.frame import unit_title
from peacewatch.briefs.charts.from_analysis import (
    series_figure,
    series_points,
    series_results,
    small_multiples_figure,
    unit_points,
)
from peacewatch.briefs.charts.multiples import small_multiples
from peacewatch.briefs.charts.series import series_chart
from peacewatch.briefs.figure import (
    EVENT_TYPE_COLOURS,
    EVENT_TYPE_LABELS,
    FONT,
    ChartError,
    Figure,
    day_text,
)

__all__ = [
    "EVENT_TYPE_COLOURS",
    "EVENT_TYPE_LABELS",
    "FONT",
    "ChartError",
    "Figure",
    "day_text",
    "series_chart",
    "series_figure",
    "series_points",
    "series_results",
    "small_multiples",
    "small_multiples_figure",
    "unit_points",
    "unit_title",
]
