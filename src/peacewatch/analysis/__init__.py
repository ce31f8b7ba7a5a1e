"""The Python API behind every interface: filters in, result objects out.

Each function opens the store, builds Ibis expressions with ``peacewatch.indicators``, has the store
execute them, and hands arrays to ``peacewatch.stats``. The CLI prints what these return as tables or
JSON; the HTTP API and the briefs will render the same objects.

>>> from peacewatch import analysis, Filters
>>> analysis.compare(Filters(country="Afghanistan"), window="2020-02-22:2020-02-29",
...                  baseline="2020-02-01:2020-02-21", store="demo.duckdb")  # doctest: +SKIP
"""

from peacewatch.analysis.change import CompareResult, TrendResult, changepoints, compare, its, trend
from peacewatch.analysis.select import StoreLike, actor_summary, as_store, events, selection
from peacewatch.analysis.series import SeriesResult, series

__all__ = [
    "CompareResult",
    "SeriesResult",
    "StoreLike",
    "TrendResult",
    "actor_summary",
    "as_store",
    "changepoints",
    "compare",
    "events",
    "its",
    "selection",
    "series",
    "trend",
]
