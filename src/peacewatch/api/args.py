"""The arguments of the Python front door, checked at the call.

Filters are keyword arguments with the CLI's names and meanings (``--from``/``--to`` become ``start``
and ``end``, which Python cannot spell otherwise). Dates may be ISO strings, ``datetime.date``,
``datetime.datetime`` or pandas ``Timestamp`` (any ``datetime`` subclass; the time of day is dropped);
groups may be lists or ``+``-joined strings. A wrong argument raises :class:`ArgumentError` naming it,
before any query runs.

>>> filters_from({"country": "Afghanistan", "type": ["battle"], "start": "2020-02-01"}).cli_args()
'--country Afghanistan --type battle --from 2020-02-01'
>>> str(span_arg(("2020-02-22", "2020-02-29"), "window"))
'2020-02-22:2020-02-29'
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Mapping, Sequence
from typing import Any, Literal, TypeAlias, TypedDict

from peacewatch import schema
from peacewatch.errors import ArgumentError
from peacewatch.indicators.calendar import Span
from peacewatch.indicators.filters import Filters, actor_group

DateLike: TypeAlias = str | dt.date
"""An ISO date string, a ``datetime.date``, or a ``datetime.datetime``/``pandas.Timestamp``."""
SpanLike: TypeAlias = str | tuple[DateLike, DateLike] | Span
"""'START:END' (both inclusive), or a (start, end) pair of dates."""
Group: TypeAlias = str | Sequence[str]
"""One key, a group 'KEY+KEY', or a list of keys."""
By = Literal["day", "week", "month"]
Measure = Literal["events", "fatalities"]
Estimate = Literal["best", "low", "high"]


class FilterArgs(TypedDict, total=False):
    """The filters every analysis call takes, with the CLI's names (docs/cli.md, docs/python.md)."""

    dataset: str | Sequence[str]
    source: str
    country: str
    admin1: str
    admin2: str
    actor: Group
    actor1: Group
    actor2: Group
    dyad: str | Sequence[Group]
    type: str | Sequence[str]
    violence_type: str
    precision: str
    start: DateLike
    end: DateLike


FILTER_NAMES: tuple[str, ...] = tuple(FilterArgs.__annotations__)
_TEXT = ("source", "country", "admin1", "admin2", "violence_type", "precision")
_GROUPS = ("actor", "actor1", "actor2")


def date_arg(value: object, name: str) -> dt.date:
    """A date from an ISO string, a date, a datetime or a pandas Timestamp; ``name`` is the argument.

    >>> date_arg("2020-02-22", "start")
    datetime.date(2020, 2, 22)
    """
    if isinstance(value, dt.datetime):  # pandas.Timestamp is a datetime
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    elif type(value).__name__ == "datetime64":  # numpy, without importing it
        return date_arg(str(value)[:10], name)
    raise ArgumentError(
        f"{name}={value!r}: expected a date as 'YYYY-MM-DD', datetime.date or pandas.Timestamp."
    )


def span_arg(value: object, name: str) -> Span:
    """An inclusive span from 'START:END', a (start, end) pair or a Span; ``name`` is the argument."""
    if isinstance(value, Span):
        return value
    if isinstance(value, str):
        start, sep, end = value.partition(":")
        if not sep:
            raise ArgumentError(f"{name}={value!r}: expected 'START:END' as YYYY-MM-DD:YYYY-MM-DD.")
        pair: tuple[object, object] = (start, end)
    elif isinstance(value, Sequence) and len(value) == 2:
        pair = (value[0], value[1])
    else:
        raise ArgumentError(f"{name}={value!r}: expected 'START:END' or a (start, end) pair of dates.")
    first, last = date_arg(pair[0], f"{name}[0]"), date_arg(pair[1], f"{name}[1]")
    if first > last:
        raise ArgumentError(f"{name}={value!r}: ends before it starts; both days are inclusive.")
    return Span(first, last)


def choice(value: object, name: str, allowed: Sequence[str]) -> str:
    """``value`` when it is one of ``allowed``, else an ArgumentError naming ``name``."""
    if isinstance(value, str) and value in allowed:
        return value
    raise ArgumentError(f"{name}={value!r}: expected one of {', '.join(repr(a) for a in allowed)}.")


def _listed(value: object, name: str) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    if isinstance(value, Sequence) and all(isinstance(v, str) for v in value):
        return tuple(value)
    raise ArgumentError(f"{name}={value!r}: expected a string or a list of strings.")


def _group(value: object, name: str) -> str:
    keys = actor_group(_listed(value, name) if not isinstance(value, str) else value)
    if not keys:
        raise ArgumentError(f"{name}={value!r}: expected an actor key, 'KEY+KEY' or a list of keys.")
    return "+".join(keys)


def _dyad(value: object) -> tuple[str, str]:
    sides: list[object]
    if isinstance(value, str):
        sides = [p.strip() for p in value.split(",")]
    elif isinstance(value, Sequence):
        sides = list(value)
    else:
        sides = []
    if len(sides) != 2:
        raise ArgumentError(f"dyad={value!r}: expected two sides, 'A,B' or [A, B] (each a key or a group).")
    return _group(sides[0], "dyad[0]"), _group(sides[1], "dyad[1]")


def filters_from(args: Mapping[str, Any]) -> Filters:
    """Filters from keyword arguments with the CLI's names (see :class:`FilterArgs`)."""
    unknown = sorted(set(args) - set(FILTER_NAMES))
    if unknown:
        name = unknown[0]
        close = difflib.get_close_matches(name, FILTER_NAMES, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        raise ArgumentError(
            f"{name}=: not a filter{hint}; the filters are {', '.join(FILTER_NAMES)} (docs/python.md)."
        )
    given = {k: v for k, v in args.items() if v is not None}
    for name in _TEXT:
        if name in given and not isinstance(given[name], str):
            raise ArgumentError(f"{name}={given[name]!r}: expected a string.")
    types = _listed(given["type"], "type") if "type" in given else ()
    for t in types:
        if t not in schema.EVENT_TYPES:
            raise ArgumentError(f"type={t!r}: expected one of {', '.join(schema.EVENT_TYPES)}.")
    if "violence_type" in given:
        choice(given["violence_type"], "violence_type", schema.VIOLENCE_TYPES)
    if "precision" in given:
        choice(given["precision"], "precision", schema.DATE_PRECISIONS)
    start = date_arg(given["start"], "start") if "start" in given else None
    end = date_arg(given["end"], "end") if "end" in given else None
    if start and end and start > end:
        raise ArgumentError(f"start={start.isoformat()} is after end={end.isoformat()}; both are inclusive.")
    return Filters(
        datasets=_listed(given["dataset"], "dataset") if "dataset" in given else (),
        source=given.get("source"),
        country=given.get("country"),
        admin1=given.get("admin1"),
        admin2=given.get("admin2"),
        actor=_group(given["actor"], "actor") if "actor" in given else None,
        actor1=_group(given["actor1"], "actor1") if "actor1" in given else None,
        actor2=_group(given["actor2"], "actor2") if "actor2" in given else None,
        dyad=_dyad(given["dyad"]) if "dyad" in given else None,
        types=types,
        violence_type=given.get("violence_type"),
        date_from=start,
        date_to=end,
        precision=given.get("precision"),
    )


def period_of(f: Filters, what: str) -> Span:
    """The start..end of ``f`` as a span; both are required for ``what`` (a method's name)."""
    if not (f.date_from and f.date_to):
        missing = "start" if not f.date_from else "end"
        raise ArgumentError(f"{what} needs start= and end= (dates, both inclusive); {missing}= is missing.")
    return Span(f.date_from, f.date_to)


__all__ = [
    "By",
    "DateLike",
    "Estimate",
    "FilterArgs",
    "Group",
    "Measure",
    "SpanLike",
    "choice",
    "date_arg",
    "filters_from",
    "period_of",
    "span_arg",
]
