"""Syncing the sources a watched case uses, before it is evaluated.

A registry maps a source name (the catalog's ``source`` of a dataset: ``acled``, ``ucdp_ged``, ...) to
a :class:`Syncer`: whether a dataset of the store was made by a sync (and so can be brought up to date
by one), and the function that syncs it again with the filters it was first synced with. Datasets
ingested from files are read as they are: there is no service to ask.

>>> sorted(SYNCERS)          # doctest: +SKIP
['acled']
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Syncer:
    """How to bring a synced dataset up to date: ``synced(store, dataset_id)`` says whether the store
    holds a sync's record for it; ``sync(store, dataset_id)`` syncs it again and returns the sync's
    summary (a dict: new, changed and deleted events, and the snapshot written)."""

    source: str
    synced: Callable[[Any, str], bool]
    sync: Callable[[Any, str], dict[str, Any]]


SYNCERS: dict[str, Syncer] = {}


def register(syncer: Syncer) -> None:
    """Add a source's syncer (a sync module calls this for itself)."""
    SYNCERS[syncer.source] = syncer


def sync_datasets(store, datasets: Iterable[str]) -> list[dict[str, Any]]:
    """Sync every dataset of ``datasets`` that a sync made, once each; returns their summaries,
    each with ``dataset`` and ``source``. A dataset not in the store, or ingested from a file, is left
    as it is."""
    catalog = {e["dataset_id"]: e for e in store.datasets()}
    out = []
    for ds in dict.fromkeys(datasets):
        entry = catalog.get(ds)
        syncer = SYNCERS.get(entry["source"]) if entry else None
        if syncer is None or not syncer.synced(store, ds):
            continue
        out.append({"dataset": ds, "source": syncer.source, **syncer.sync(store, ds)})
    return out
