"""peacewatch: monitor peace processes from conflict-event data.

The public Python API:

>>> import peacewatch
>>> store = peacewatch.open_store("peacewatch.duckdb")                       # doctest: +SKIP
>>> store.ingest(["ged.csv.gz"])                                             # doctest: +SKIP
>>> peacewatch.analysis.events(peacewatch.Filters(country="Syria"), store)   # doctest: +SKIP
"""

from __future__ import annotations

from peacewatch.errors import PeacewatchError
from peacewatch.indicators.filters import Filters

__version__ = "0.1.0"


def open_store(path=None):
    """Open (or name, before the first ingest) a store file; see ``peacewatch.store.Store``."""
    from peacewatch.store import Store

    return Store(path)


def __getattr__(name):
    if name == "analysis":
        import importlib

        return importlib.import_module("peacewatch.analysis")
    raise AttributeError(name)


__all__ = ["Filters", "PeacewatchError", "__version__", "open_store"]
