"""Dates in case files: absolute (2020-03-10), relative to the signing ("signed + 135 days",
"signed + 14 months"), and spans of either ("2020-02-22:2020-02-29", "signed:signed + 14 months")."""

from __future__ import annotations

import calendar
import datetime as dt
import re

_RELATIVE = re.compile(r"^signed\s*(?:([+-])\s*(\d+)\s*(day|week|month|year)s?)?$", re.IGNORECASE)


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` moved by whole calendar months, clamped to the end of shorter months.

    >>> add_months(dt.date(2020, 2, 29), 14)
    datetime.date(2021, 4, 29)
    """
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def resolve(value: object, signed: dt.date) -> dt.date:
    """An absolute date from a date, an ISO string or an expression relative to ``signed``.

    >>> resolve("signed + 135 days", dt.date(2020, 2, 29))
    datetime.date(2020, 7, 13)

    Raises ValueError with the accepted forms when ``value`` is none of them.
    """
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    m = _RELATIVE.match(text)
    if not m:
        raise ValueError(
            f"expected a date as YYYY-MM-DD or relative to the signing such as 'signed + 135 days' or "
            f"'signed + 14 months', found {text!r}"
        )
    sign, n, unit = m.groups()
    if not sign:
        return signed
    k = int(n) * (1 if sign == "+" else -1)
    unit = unit.lower()
    if unit == "day":
        return signed + dt.timedelta(days=k)
    if unit == "week":
        return signed + dt.timedelta(weeks=k)
    return add_months(signed, k * (12 if unit == "year" else 1))


def resolve_span(value: object, signed: dt.date) -> tuple[dt.date, dt.date | None]:
    """(start, end) of "START:END"; an empty END ("2020-02-29:") means open-ended.

    >>> resolve_span("2020-02-22:2020-02-29", dt.date(2020, 2, 29))
    (datetime.date(2020, 2, 22), datetime.date(2020, 2, 29))
    """
    text = str(value).strip()
    start, sep, end = text.partition(":")
    if not sep:
        raise ValueError(f"expected a span START:END (dates or 'signed + N days'), found {text!r}")
    a = resolve(start, signed)
    b = resolve(end, signed) if end.strip() else None
    if b is not None and b < a:
        raise ValueError(f"the span {text!r} ends before it starts")
    return a, b
