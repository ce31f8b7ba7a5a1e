"""Zero-filled series on the store, and the coverage checks every statistic on them shares.

Days outside the coverage of the selected datasets are never read as zeros: asking about them raises
CoverageError (an "insufficient data" answer for later layers). Every result carries the filters, the
datasets (with version and sha256) and the CLI command that reproduces it.

>>> from peacewatch import analysis, Filters
>>> analysis.series(Filters(country="Afghanistan"), by="month", store=".peacewatch/demo")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
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
from peacewatch.indicators.series import FITS, count_series, event_counts, imprecise_counts
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


# Per period of a series: its events dated more coarsely than the period, and their fatalities.
Dated = dict[dt.date, tuple[int, Any]]


def _series_on(s: Store, sel: Selection, span: Span, by: By, measure: str, estimate: str):
    return _counted(s, sel, span, by, measure, estimate)[0]


def _counted(
    s: Store, sel: Selection, span: Span, by: By, measure: str, estimate: str
) -> tuple[list[tuple[dt.date, float]], Dated | None]:
    """The zero-filled series, and (events only) the coarsely dated events per period, from one
    query: the note :func:`imprecise` writes then costs no second scan of the events."""
    require_measure(sel.datasets, measure, estimate, table=sel.table)
    if sel.table == "counts":
        expr = count_series(sel.expr, span, by, measure, _period_days(s, sel))
        table = s.execute(expr)
        points = zip(table.column("period_start").to_pylist(), table.column("value").to_pylist(), strict=True)
        return list(points), None
    table = s.execute(event_counts(sel.expr, by, measure, estimate, dated=True)).to_pydict()
    periods = table["period_start"]
    counted = dict(zip(periods, table["value"], strict=True))
    dated = {
        p: (n, f)
        for p, n, f in zip(periods, table["imprecise_events"], table["imprecise_fatalities"], strict=True)
        if n
    }
    return fill(span, by, counted), dated


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
    points, dated = _counted(s, sel, span, by, measure, estimate)
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
        imprecise(s, sel, by, estimate=estimate, dated=dated),
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
    dated: Dated | None = None,
) -> dict[str, Any] | None:
    """The selected events dated more coarsely than ``by`` (within ``spans`` when given), which a
    result counts on their first possible day; None when there are none or the data are aggregates.
    ``subject`` names the events in the note ("these events", "the events compared"). ``dated``: the
    per-period counts the series of ``sel`` at ``by`` already gave (:func:`_counted`), summed here
    instead of asking the engine again (only for ``by="day"`` when ``spans`` are given: a day is
    then exactly a period)."""
    if sel.table != "events":
        return None
    if dated is not None and (not spans or by == "day"):
        row = _dated_total(dated, spans)
    else:
        row = s.execute(imprecise_counts(sel.expr, by, estimate, spans)).to_pylist()[0]
    if not row["events"]:
        return None
    fatalities = row["fatalities"] or 0
    coarser = "a day" if by == "day" else f"a {by}"
    return {
        "events": row["events"],
        "fatalities": fatalities,
        "bin": by,
        "note": (
            f"{row['events']:,} of {subject} ({fatalities:,.0f} "
            f"{'fatality' if fatalities == 1 else 'fatalities'}) "
            f"{'is' if row['events'] == 1 else 'are'} dated only to a window "
            f"wider than {coarser}; each is counted on the first day it may have happened. "
            f"--precision {FITS[by][-1]} leaves them out."
        ),
    }


def _dated_total(dated: Dated, spans: tuple[Span, ...]) -> dict[str, Any]:
    """What imprecise_counts would answer, from the series' per-period counts: the events, and the
    sum of their fatalities (None when every one is missing, as SQL's SUM gives)."""
    kept = [v for p, v in dated.items() if not spans or any(sp.start <= p <= sp.end for sp in spans)]
    known = [f for _, f in kept if f is not None]
    return {"events": sum(n for n, _ in kept), "fatalities": sum(known) if known else None}


def selection_over(s: Store, f: Filters, span: Span) -> Selection:
    """The selection of ``f`` with its dates set to ``span``."""
    return selection(f.replace(date_from=span.start, date_to=span.end), s)[1]


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
    return daily_dated(f, span, measure=measure, estimate=estimate, store=store, what=what, sel=sel)[:3]


def daily_dated(
    f: Filters,
    span: Span,
    *,
    measure: str = "events",
    estimate: str = "best",
    store: StoreLike = None,
    what: str = "period",
    sel: Selection | None = None,
) -> tuple[np.ndarray, np.ndarray, Selection, Dated | None]:
    """:func:`daily`, and the coarsely dated events per day from the same query (``dated`` of
    :func:`imprecise`)."""
    s = as_store(store)
    sel = sel or selection_over(s, f, span)
    if sel.table == "counts":
        raise IndicatorError(
            "daily statistics need event data; the chosen dataset is an aggregate. "
            "Use `peacewatch series` on it, or choose an event dataset."
        )
    require_coverage(sel, span, what, store=s)
    points, dated = _counted(s, sel, span, "day", measure, estimate)
    dates = np.arange(np.datetime64(span.start, "D"), np.datetime64(span.end, "D") + 1)
    return dates, np.array([v for _, v in points], dtype=float), sel, dated


__all__ = [
    "SeriesResult",
    "daily",
    "daily_dated",
    "imprecise",
    "require_coverage",
    "selection_over",
    "series",
]
