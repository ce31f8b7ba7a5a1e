"""peacewatch: monitor peace processes from conflict-event data.

The public Python API (docs/python.md):

>>> import peacewatch as pw
>>> store = pw.open_store("peacewatch-store")                                 # doctest: +SKIP
>>> store.ingest(["ged.csv.gz"])                                               # doctest: +SKIP
>>> store.compare(country="Syria", window="2016-02-27:2016-03-26",
...               baseline_preceding=28).to_pandas()                           # doctest: +SKIP

Importing peacewatch stays light: the store, Ibis and the statistics load on first use, so the CLI
starts fast.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

from peacewatch.errors import ArgumentError, PeacewatchError
from peacewatch.indicators.filters import Filters

if TYPE_CHECKING:
    from peacewatch.api import StoreAPI

__version__ = "0.1.0"


def open_store(
    path: str | os.PathLike[str] | None = None, snapshot: int | str | Any = None, *, engine: str = "duckdb"
) -> StoreAPI:
    """Open a store for analysis: ``path``, else $PEACEWATCH_STORE, else ./peacewatch-store (see
    :class:`peacewatch.api.StoreAPI`; the Store itself is ``.store``), read at ``snapshot`` (an id,
    a datetime or an ISO time; default: the latest, as of each call). ``engine="spark"`` runs the
    queries on Spark over an export of the store (or an export folder given as ``path``)."""
    from peacewatch.api import open_store as _open

    return _open(path, snapshot, engine=engine)  # type: ignore[arg-type]


def __getattr__(name: str) -> Any:
    if name in ("analysis", "api"):
        import importlib

        return importlib.import_module(f"peacewatch.{name}")
    raise AttributeError(name)


__all__ = ["ArgumentError", "Filters", "PeacewatchError", "__version__", "open_store"]
