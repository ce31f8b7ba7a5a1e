"""The Python API behind every interface: filters in, result objects out.

Each function opens the store, builds Ibis expressions with ``peacewatch.indicators``, has the store
execute them, and hands arrays to ``peacewatch.stats``. The CLI prints what these return as tables or
JSON; the front door (``peacewatch.api``, docs/python.md) and the briefs render the same objects.

Names are imported on first use (PEP 562), as in ``peacewatch.stats``: ``peacewatch actors`` needs only
``select`` and should not pay for NumPy and the change methods.

>>> from peacewatch import analysis, Filters
>>> analysis.compare(Filters(country="Afghanistan"), window="2020-02-22:2020-02-29",
...                  baseline="2020-02-01:2020-02-21", store=".peacewatch/demo")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from peacewatch.analysis.actors import find_actors
    from peacewatch.analysis.change import CompareResult, TrendResult, changepoints, compare, its, trend
    from peacewatch.analysis.evidence import EventsBehind, events_behind
    from peacewatch.analysis.places import iso3_of, places
    from peacewatch.analysis.select import (
        StoreLike,
        actor_summary,
        as_store,
        events,
        reproduce_flags,
        selection,
    )
    from peacewatch.analysis.series import SeriesResult, series

_WHERE = {
    "CompareResult": "change",
    "TrendResult": "change",
    "changepoints": "change",
    "compare": "change",
    "its": "change",
    "trend": "change",
    "find_actors": "actors",
    "EventsBehind": "evidence",
    "events_behind": "evidence",
    "iso3_of": "places",
    "places": "places",
    "as_store": "select",
    "StoreLike": "select",
    "reproduce_flags": "select",
    "actor_summary": "select",
    "events": "select",
    "selection": "select",
    "SeriesResult": "series",
    "series": "series",
}

__all__ = [
    "CompareResult",
    "EventsBehind",
    "SeriesResult",
    "StoreLike",
    "TrendResult",
    "actor_summary",
    "as_store",
    "changepoints",
    "compare",
    "events",
    "events_behind",
    "find_actors",
    "iso3_of",
    "its",
    "places",
    "reproduce_flags",
    "selection",
    "series",
    "trend",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        value = getattr(importlib.import_module(f"peacewatch.analysis.{_WHERE[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'peacewatch.analysis' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__


# Functions named as the submodule that defines them: ``analysis.series`` and ``analysis.places``.
_SAME_NAME = ("series", "places")


class _Package(types.ModuleType):
    """``analysis.series`` (and ``places``) is the function, as it was when this package imported it
    eagerly: loading the submodule of the same name (Python then sets it on the package) binds its
    function instead."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _SAME_NAME and isinstance(value, types.ModuleType):
            value = getattr(value, name)
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package
