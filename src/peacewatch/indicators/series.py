"""Series expressions: counts of events (or fatalities) per day, ISO week or month, zero-filled.

These build Ibis expressions and never run them. Zero-filling joins the counts to a calendar table
made with ``ibis.memtable``, which every backend supports, so that a day without events is a 0 and
not a missing row (an average over a window must divide by its days, not by its days with events).

``ibis`` itself is imported in the two functions that call it: expressions on tables reach Ibis through
the tables, and importing this module (as ``peacewatch.analysis`` does) should not cost the CLI the
second that loading Ibis and its compilers takes.
"""

from __future__ import annotations

from typing import Literal

from peacewatch.errors import IndicatorError
from peacewatch.indicators.calendar import By, Span, periods

# events: rows; fatalities: the sum of an estimate; articles: distinct source articles (source_ref), for
# news-derived data where one action is coded once per report (indicators.datasets.require_measure).
Measure = Literal["events", "fatalities", "articles"]
Estimate = Literal["best", "low", "high"]
MEASURES = ("events", "fatalities", "articles")
ESTIMATES = ("best", "low", "high")


def _check(measure: str, estimate: str) -> None:
    if measure not in MEASURES:
        raise IndicatorError(f"--measure {measure!r}: expected events, fatalities or articles.")
    if estimate not in ESTIMATES:
        raise IndicatorError(f"--estimate {estimate!r}: expected best, low or high.")


def calendar(span: Span, by: By):
    """A one-column table ``period_start`` with every period of ``span``."""
    import ibis

    return ibis.memtable({"period_start": periods(span, by)}, schema={"period_start": "date"})


def _bucket(col, by: By):
    if by == "day":
        return col
    return col.truncate("W" if by == "week" else "M").cast("date")


def _value(events, measure: str, estimate: str):
    if measure == "events":
        return events.count()
    if measure == "articles":
        # A GDELT row is one article's coding of an action; several rows may share one SOURCEURL.
        return events.source_ref.nunique()
    return events[f"fatalities_{estimate}"].sum()


def event_series(events, span: Span, by: By, measure: Measure = "events", estimate: Estimate = "best"):
    """Zero-filled counts of filtered ``events`` per period over ``span``: columns period_start, value.

    ``events`` must already be filtered to the span (filters.filter_events with date_from/date_to).
    """
    _check(measure, estimate)
    counted = events.group_by(period_start=_bucket(events.date_start, by)).aggregate(
        n=_value(events, measure, estimate)
    )
    cal = calendar(span, by)
    joined = cal.left_join(counted, cal.period_start == counted.period_start)
    return joined.select(period_start=cal.period_start, value=joined.n.fill_null(0).cast("float64")).order_by(
        "period_start"
    )


def event_counts(events, by: By, measure: Measure = "events", estimate: Estimate = "best"):
    """Counts of filtered ``events`` per period, only for periods with events: columns period_start,
    value. The caller fills the calendar with :func:`peacewatch.indicators.calendar.fill`; this is
    the cheaper form of :func:`event_series` (no calendar table to ship to the engine)."""
    _check(measure, estimate)
    value = _value(events, measure, estimate)
    return events.group_by(period_start=_bucket(events.date_start, by)).aggregate(value=value.cast("float64"))


def dated_event_counts(events, by: By, measure: Measure = "events", estimate: Estimate = "best"):
    """:func:`event_counts` with, per period, the events dated more coarsely than ``by`` and their
    fatalities (as :func:`imprecise_counts` counts them): columns period_start, value,
    imprecise_events, imprecise_fatalities.

    One scan answers both: a result that reports its imprecisely dated events (compare) reads them
    from the rows it counts anyway, instead of a second query on the same selection (at ten million
    events the second query cost a fifth of the first; the extra columns of this one cost less).
    """
    _check(measure, estimate)
    coarse = None
    for p in FITS[by]:
        coarse = events.date_precision != p if coarse is None else coarse & (events.date_precision != p)
    return events.group_by(period_start=_bucket(events.date_start, by)).aggregate(
        value=_value(events, measure, estimate).cast("float64"),
        imprecise_events=events.count(where=coarse),
        imprecise_fatalities=events[f"fatalities_{estimate}"].sum(where=coarse),
    )


def country_months(events, estimate: Estimate = "best"):
    """Events and fatalities of filtered ``events`` per dataset, country and month (of date_start, as
    series count them): columns dataset_id, iso3, country, month, events, fatalities. A diff of two
    snapshots compares these cells (analysis.diff)."""
    _check("events", estimate)
    return events.group_by(
        dataset_id=events.dataset_id,
        iso3=events.iso3,
        country=events.country,
        month=_bucket(events.date_start, "month"),
    ).aggregate(events=events.count(), fatalities=events[f"fatalities_{estimate}"].sum().cast("float64"))


# Granularity of an aggregate by the length of its periods, in days.
# The date precisions an event may have and still sit honestly in a bin: a week-dated event belongs in a
# weekly series, not in a daily one.
FITS: dict[str, tuple[str, ...]] = {
    "day": ("day",),
    "week": ("day", "week"),
    "month": ("day", "week", "month"),
}


def imprecise_counts(events, by: By, estimate: Estimate = "best", spans: tuple[Span, ...] = ()):
    """How many of the filtered ``events`` (and their fatalities) are dated more coarsely than the bin
    ``by``, optionally only those starting in ``spans``: one row, columns events and fatalities.

    Series place each event on its date_start, the first day it may have happened; for these events that
    day is a convention, not a fact (UCDP dates some events only to a year), so results report them.
    """
    _check("events", estimate)
    # One inequality per precision that fits, not NOT IN: DuckDB passes inequalities to the lake's
    # scan, which skips every Parquet file whose statistics say it holds only precisions that fit
    # (no file read when none is imprecise: 37 ms instead of 287 on ten million events); NOT IN it
    # evaluates on every row. The same rows either way (a missing precision matches neither).
    t = events.filter(*[events.date_precision != p for p in FITS[by]])
    if spans:
        inside = [(t.date_start >= sp.start) & (t.date_start <= sp.end) for sp in spans]
        import ibis

        t = t.filter(ibis.or_(*inside))
    return t.aggregate(events=t.count(), fatalities=t[f"fatalities_{estimate}"].sum())


def granularity(period_days: int) -> By | None:
    if period_days == 1:
        return "day"
    if period_days == 7:
        return "week"
    if 28 <= period_days <= 31:
        return "month"
    return None


def count_series(counts, span: Span, by: By, measure: Measure, period_days: int):
    """Zero-filled series from an aggregated ``counts`` table (events per period).

    An aggregate can be read at its own granularity or coarser; a period is assigned to the
    period of ``by`` that contains its first day. Weekly aggregates need not start on Mondays, so at
    ``by='week'`` their own weeks are kept, labelled by their first day.
    """
    _check(measure, "best")
    own = granularity(period_days)
    order = {"day": 0, "week": 1, "month": 2}
    if own is None or order[by] < order[own]:
        raise IndicatorError(
            f"--by {by}: this aggregate counts {period_days}-day periods and cannot be split into "
            f"{by}s; ask for --by {own or 'month'} or coarser."
        )
    value = counts[measure].sum()
    if by == own:
        return (
            counts.group_by(period_start=counts.period_start)
            .aggregate(value=value.cast("float64"))
            .order_by("period_start")
        )
    counted = counts.group_by(period_start=_bucket(counts.period_start, by)).aggregate(n=value)
    cal = calendar(span, by)
    joined = cal.left_join(counted, cal.period_start == counted.period_start)
    return joined.select(period_start=cal.period_start, value=joined.n.fill_null(0).cast("float64")).order_by(
        "period_start"
    )
