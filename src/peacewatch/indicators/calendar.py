"""Calendars: the periods a series is reported on, and the baseline windows a comparison uses.

Pure date arithmetic, no queries. A day is a calendar day; a week is an ISO week, Monday to Sunday,
labelled by its Monday; a month is labelled by its first day. Spans are inclusive on both ends.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from dataclasses import dataclass
from typing import Literal

from peacewatch.errors import IndicatorError

By = Literal["day", "week", "month"]
BY: tuple[By, ...] = ("day", "week", "month")
ONE_DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class Span:
    """An inclusive date range.

    >>> Span(dt.date(2020, 2, 22), dt.date(2020, 2, 29)).days
    8
    """

    start: dt.date
    end: dt.date

    def __post_init__(self):
        if self.start > self.end:
            raise IndicatorError(f"the span {self.start}:{self.end} ends before it starts.")

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def __str__(self) -> str:
        return f"{self.start.isoformat()}:{self.end.isoformat()}"

    def to_dict(self) -> dict:
        return {"start": self.start.isoformat(), "end": self.end.isoformat(), "days": self.days}


def as_span(value: Span | str | tuple, flag: str = "span") -> Span:
    """A Span from a Span, "START:END" or (start, end), dates inclusive; ``flag`` names the option or
    field in the error.

    >>> str(as_span("2020-02-22:2020-02-29", "--window"))
    '2020-02-22:2020-02-29'
    """
    if isinstance(value, Span):
        return value
    try:
        if isinstance(value, str):
            start, sep, end = value.partition(":")
            if not sep:
                raise ValueError
        else:
            start, end = value

        def day(v) -> dt.date:
            return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v).strip())

        return Span(day(start), day(end))
    except (ValueError, TypeError):
        raise IndicatorError(
            f"{flag} {value!r}: expected START:END as YYYY-MM-DD:YYYY-MM-DD (both inclusive)."
        ) from None


def period_start(day: dt.date, by: By) -> dt.date:
    """The label of the period that contains ``day``.

    >>> period_start(dt.date(2020, 2, 29), "week")
    datetime.date(2020, 2, 24)
    """
    if by == "day":
        return day
    if by == "week":
        return day - dt.timedelta(days=day.weekday())
    if by == "month":
        return day.replace(day=1)
    raise IndicatorError(f"--by {by!r}: expected day, week or month.")


def next_period(start: dt.date, by: By) -> dt.date:
    if by == "day":
        return start + ONE_DAY
    if by == "week":
        return start + dt.timedelta(days=7)
    return (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def periods(span: Span, by: By) -> list[dt.date]:
    """Every period label from the period containing span.start to the one containing span.end."""
    out, cur = [], period_start(span.start, by)
    while cur <= span.end:
        out.append(cur)
        cur = next_period(cur, by)
    return out


def fill(span: Span, by: By, counted: dict[dt.date, float]) -> list[tuple[dt.date, float]]:
    """Every period of ``span`` with its value from ``counted``, and 0.0 where it has none: a day
    without events is a zero, not a missing day.

    >>> fill(Span(dt.date(2020, 2, 27), dt.date(2020, 2, 29)), "day", {dt.date(2020, 2, 28): 5.0})
    [(datetime.date(2020, 2, 27), 0.0), (datetime.date(2020, 2, 28), 5.0), (datetime.date(2020, 2, 29), 0.0)]
    """
    return [(p, float(counted.get(p, 0.0))) for p in periods(span, by)]


def days(span: Span) -> list[dt.date]:
    return [span.start + dt.timedelta(days=i) for i in range(span.days)]


def preceding(window: Span, n_days: int) -> Span:
    """The ``n_days`` immediately before ``window``.

    >>> str(preceding(Span(dt.date(2020, 2, 22), dt.date(2020, 2, 29)), 21))
    '2020-02-01:2020-02-21'
    """
    if n_days < 1:
        raise IndicatorError(f"--baseline-preceding {n_days}: expected a number of days >= 1.")
    available = (window.start - dt.date.min).days
    if n_days > available:
        raise IndicatorError(
            f"--baseline-preceding {n_days}: only {available:,} days exist before the window's start "
            f"{window.start}; expected a number of days from 1 to that."
        )
    return Span(window.start - dt.timedelta(days=n_days), window.start - ONE_DAY)


def _shift_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def same_window_previous_years(window: Span, k: int) -> list[Span]:
    """The same calendar window in each of the ``k`` previous years (seasonality: the fighting
    season matters), most recent first.

    >>> [str(s) for s in same_window_previous_years(Span(dt.date(2020, 3, 2), dt.date(2020, 3, 31)), 2)]
    ['2019-03-02:2019-03-31', '2018-03-02:2018-03-31']
    """
    if k < 1:
        raise IndicatorError(f"--baseline-years {k}: expected a number of years >= 1.")
    if k >= window.start.year:
        raise IndicatorError(
            f"--baseline-years {k}: the window starts in {window.start.year}, so at most "
            f"{window.start.year - 1} earlier years exist; expected a number of years from 1 to that."
        )
    spans = [Span(_shift_years(window.start, y), _shift_years(window.end, y)) for y in range(1, k + 1)]
    if spans[0].end >= window.start:
        # A window longer than a year overlaps itself a year earlier: days would count on both sides.
        raise IndicatorError(
            f"--baseline-years {k}: the window {window} is {window.days:,} days long, so the same window a "
            f"year earlier ({spans[0]}) overlaps it; expected a window of at most a year.",
            hint="Give the baseline as --baseline START:END (or baseline: {span: ...} in a case) instead.",
        )
    return spans


def month_span(month: str) -> Span:
    """The span of a month given as YYYY-MM."""
    try:
        first = dt.date.fromisoformat(month + "-01")
    except ValueError:
        raise IndicatorError(f"--month {month!r}: expected a month as YYYY-MM.") from None
    return Span(first, first.replace(day=monthrange(first.year, first.month)[1]))


def months_before(month: Span, k: int) -> Span:
    """The ``k`` whole months before ``month``."""
    start = month.start
    try:
        for _ in range(k):
            start = (start - ONE_DAY).replace(day=1)
    except OverflowError:
        raise IndicatorError(
            f"--month {month.start.year:04d}-{month.start.month:02d}: expected a month with {k} whole "
            "months before it."
        ) from None
    return Span(start, month.start - ONE_DAY)
