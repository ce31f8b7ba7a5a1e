"""The Python front door (docs/python.md): open a store, ask questions with the CLI's filter names,
get results that display themselves in Jupyter and convert to pandas, Arrow, JSON and Altair.

>>> import peacewatch as pw
>>> store = pw.open_store(".peacewatch/demo")                                  # doctest: +SKIP
>>> store.compare(country="Afghanistan", window="2020-02-22:2020-02-29",
...               baseline="2020-02-01:2020-02-21")                       # doctest: +SKIP

Modules: ``args`` (the arguments, checked at the call), ``store`` (the methods), ``results``,
``changes``, ``tables`` and ``history`` (the result values), ``display`` (charts and notebook HTML).
"""

from peacewatch.api.changes import Changepoints, InterruptedTimeSeries, Trend
from peacewatch.api.history import Diff, Snapshots
from peacewatch.api.results import Comparison, Result, Series
from peacewatch.api.store import StoreAPI, open_store
from peacewatch.api.tables import Brief, ClaimChecks, Datasets, Evaluation, Events

__all__ = [
    "Brief",
    "Changepoints",
    "ClaimChecks",
    "Comparison",
    "Datasets",
    "Diff",
    "Evaluation",
    "Events",
    "InterruptedTimeSeries",
    "Result",
    "Series",
    "Snapshots",
    "StoreAPI",
    "Trend",
    "open_store",
]
