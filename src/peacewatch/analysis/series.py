"""Zero-filled series on the store, and the coverage checks every statistic on them shares.

Days outside the coverage of the selected datasets are never read as zeros: asking about them raises
CoverageError (an "insufficient data" answer for later layers). Every result carries the filters, the
datasets (with version and sha256) and the CLI command that reproduces it.

>>> from peacewatch import analysis, Filters
>>> analysis.series(Filters(country="Afghanistan"), by="month", store=".peacewatch/demo")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import math
import shlex
from dataclasses import dataclass
from typing import Any

import numpy as np

from peacewatch.analysis.coverage import Coverage, cut_offs, require_coverage
from peacewatch.analysis.select import StoreLike, as_store, selection
from peacewatch.errors import CoverageError, IndicatorError
from peacewatch.indicators.calendar import By, Span, fill
from peacewatch.indicators.datasets import require_measure
from peacewatch.indicators.filters import Filters, Selection
from peacewatch.indicators.series import (
    FITS,
    count_series,
    dated_event_counts,
    event_counts,
    imprecise_counts,
)
from peacewatch.schema import caveat_list
from peacewatch.store import Store


@dataclass(frozen=True)
class SeriesResult:
    """A zero-filled series and where it came from."""

    by: str
    measure: str
    estimate: str
    filters: Filters
    datasets: list[dict[str, Any]]
    span: Span
    points: list[tuple[dt.date, float]]
    command: str
    imprecise: dict[str, Any] | None = None
    normalised: dict[str, Any] | None = None  # per total news volume (analysis.volume), else None
    snapshot: int | None = None  # the store snapshot read

    def values(self) -> np.ndarray:
        return np.array([v for _, v in self.points], dtype=float)

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "measure": self.measure,
            "estimate": self.estimate,
            "filters": self.filters.to_dict(),
            "datasets": self.datasets,
            "from": self.span.start.isoformat(),
            "to": self.span.end.isoformat(),
            "points": [{"period_start": d.isoformat(), "value": v} for d, v in self.points],
            "command": self.command,
            "imprecise": self.imprecise,
            "caveats": caveat_list(self.datasets, self.imprecise),
            "normalised": self.normalised,
            "snapshot": self.snapshot,
        }


def _series_on(s: Store, sel: Selection, span: Span, by: By, measure: str, estimate: str):
    require_measure(sel.datasets, measure, estimate, table=sel.table)
    if sel.table == "counts":
        expr = count_series(sel.expr, span, by, measure, _period_days(s, sel))
        table = s.execute(expr)
        return list(
            zip(table.column("period_start").to_pylist(), table.column("value").to_pylist(), strict=True)
        )
    table = s.execute(event_counts(sel.expr, by, measure, estimate))
    counted = dict(
        zip(table.column("period_start").to_pylist(), table.column("value").to_pylist(), strict=True)
    )
    return fill(span, by, counted)


def _period_days(s: Store, sel: Selection) -> int:
    ids = [e["dataset_id"] for e in sel.datasets]
    t = s.ibis().table("counts")
    expr = (
        t.filter(t.dataset_id.isin(ids))
        .select(d=(t.period_end.delta(t.period_start, unit="day") + 1).cast("int64"))
        .distinct()
    )
    lengths = s.execute(expr).column("d").to_pylist()
    if len(lengths) != 1:
        raise IndicatorError(
            f"the aggregates {', '.join(ids)} mix periods of {sorted(lengths)} days; "
            "choose one with --dataset."
        )
    return int(lengths[0])


def series(
    f: Filters, *, by: By = "day", measure: str = "events", estimate: str = "best", store: StoreLike = None
) -> SeriesResult:
    """Events or fatalities per day, ISO week or month, zero-filled over --from..--to (default: the
    coverage of the selected datasets). Days outside that coverage raise CoverageError, as in every
    other command: a zero there would be a day without data, not a day without violence."""
    s, sel = selection(f, store)
    if not (f.date_from and f.date_to):  # the span defaults to the coverage of the selected datasets
        spans = Coverage.of(sel.datasets, cut_offs(s, sel.datasets)).spans
        if not spans:
            raise CoverageError(
                "no dataset in the store matches these filters.",
                datasets=(),
                hint="See `peacewatch datasets`.",
            )
        span = Span(f.date_from or spans[0].start, f.date_to or spans[-1].end)
        sel = selection_over(s, f, span)
    else:
        span = Span(f.date_from, f.date_to)
    # Checked before any query, so a span of millennia is a quick error rather than a long fill.
    require_coverage(sel, span, "series")
    points = _series_on(s, sel, span, by, measure, estimate)
    cmd = f"peacewatch series {f.cli_args(s.path, s.snapshot)} --by {by} --measure {measure}"
    if measure == "fatalities":
        cmd += f" --estimate {estimate}"
    return SeriesResult(
        by,
        measure,
        estimate,
        f,
        sel.provenance(),
        span,
        points,
        shlex.join(shlex.split(cmd)),
        imprecise(s, sel, by, estimate=estimate),
        snapshot=s.snapshot,
    )


def imprecise(
    s: Store,
    sel: Selection,
    by: By,
    *,
    estimate: str = "best",
    spans: tuple[Span, ...] = (),
    subject: str = "these events",
) -> dict[str, Any] | None:
    """The selected events dated more coarsely than ``by`` (within ``spans`` when given), which a
    result counts on their first possible day; None when there are none or the data are aggregates.
    ``subject`` names the events in the note ("these events", "the events compared")."""
    if sel.table != "events":
        return None
    row = s.execute(imprecise_counts(sel.expr, by, estimate, spans)).to_pylist()[0]
    return _note(row["events"], row["fatalities"], by, subject)


def _note(events: int, fatalities: float | None, by: By, subject: str) -> dict[str, Any] | None:
    """The imprecise-dates note of ``events`` (with ``fatalities``, None when unknown) dated more
    coarsely than ``by``; None when there are none."""
    if not events:
        return None
    fatalities = fatalities or 0
    coarser = "a day" if by == "day" else f"a {by}"
    return {
        "events": events,
        "fatalities": fatalities,
        "bin": by,
        "note": (
            f"{events:,} of {subject} ({fatalities:,.0f} "
            f"{'fatality' if fatalities == 1 else 'fatalities'}) "
            f"{'is' if events == 1 else 'are'} dated only to a window "
            f"wider than {coarser}; each is counted on the first day it may have happened. "
            f"--precision {FITS[by][-1]} leaves them out."
        ),
    }


def selection_over(s: Store, f: Filters, span: Span) -> Selection:
    """The selection of ``f`` with its dates set to ``span``."""
    return selection(f.replace(date_from=span.start, date_to=span.end), s)[1]


def _daily_selection(s: Store, f: Filters, span: Span, what: str, sel: Selection | None) -> Selection:
    """The event selection of ``f`` over ``span`` for daily statistics (``sel`` when the caller made
    it), refusing an aggregate dataset and days the data do not cover."""
    sel = sel or selection_over(s, f, span)
    if sel.table == "counts":
        raise IndicatorError(
            "daily statistics need event data; the chosen dataset is an aggregate. "
            "Use `peacewatch series` on it, or choose an event dataset."
        )
    require_coverage(sel, span, what, store=s)
    return sel


def daily(
    f: Filters,
    span: Span,
    *,
    measure: str = "events",
    estimate: str = "best",
    store: StoreLike = None,
    what: str = "period",
    sel: Selection | None = None,
) -> tuple[np.ndarray, np.ndarray, Selection]:
    """Zero-filled daily values over ``span`` (dates, values), refusing days the data do not cover.
    ``sel``, when given, is the selection of ``f`` over ``span`` already made by the caller."""
    s = as_store(store)
    sel = _daily_selection(s, f, span, what, sel)
    points = _series_on(s, sel, span, "day", measure, estimate)
    dates = np.arange(np.datetime64(span.start, "D"), np.datetime64(span.end, "D") + 1)
    return dates, np.array([v for _, v in points], dtype=float), sel


def daily_noted(
    f: Filters,
    span: Span,
    *,
    spans: tuple[Span, ...],
    subject: str,
    measure: str = "events",
    estimate: str = "best",
    store: StoreLike = None,
    sel: Selection | None = None,
) -> tuple[np.ndarray, np.ndarray, Selection, dict[str, Any] | None]:
    """:func:`daily`, and the :func:`imprecise` note of the events within ``spans`` (days of
    ``span``), from the same query: (dates, values, selection, note). The same answers as the two
    calls, one scan of the events instead of two."""
    s = as_store(store)
    sel = _daily_selection(s, f, span, "period", sel)
    require_measure(sel.datasets, measure, estimate, table=sel.table)
    rows = s.execute(dated_event_counts(sel.expr, "day", measure, estimate)).to_pylist()
    counted = {r["period_start"]: r["value"] for r in rows}
    values = np.array([v for _, v in fill(span, "day", counted)], dtype=float)
    dates = np.arange(np.datetime64(span.start, "D"), np.datetime64(span.end, "D") + 1)
    # Each day once, as the note's own query counts an event in overlapping spans once.
    inside = [r for r in rows if any(sp.start <= r["period_start"] <= sp.end for sp in spans)]
    events = sum(r["imprecise_events"] for r in inside)
    known = [r["imprecise_fatalities"] for r in inside if r["imprecise_fatalities"] is not None]
    return dates, values, sel, _note(events, math.fsum(known) if known else None, "day", subject)


__all__ = [
    "SeriesResult",
    "daily",
    "daily_noted",
    "imprecise",
    "require_coverage",
    "selection_over",
    "series",
]
