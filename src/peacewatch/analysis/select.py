"""Selecting events: which datasets a request reads, and the filtered rows themselves.

>>> from peacewatch import analysis, Filters
>>> analysis.events(Filters(country="Afghanistan"), store=".peacewatch/demo", limit=5)  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any

from peacewatch.analysis.places import country_iso3, resolve_places
from peacewatch.errors import IndicatorError
from peacewatch.indicators.datasets import select_datasets
from peacewatch.indicators.filters import (
    Filters,
    Selection,
    filter_counts,
    filter_events,
    validate,
)
from peacewatch.store import Store

# A store, or the path of one (None: the default store).
StoreLike = Store | str | os.PathLike | None


def as_store(store: StoreLike) -> Store:
    """A Store from a Store, a path, or None (PEACEWATCH_STORE, else ./peacewatch-store), pinned at the
    snapshot it reads now; the front door's ``pw.open_store(...)`` (peacewatch.api.StoreAPI) gives the
    Store it holds as ``.store``."""
    if isinstance(store, Store):
        return store.pinned()
    inner = getattr(store, "store", None)
    # Pinned: every query of one analysis reads the same snapshot while writers commit.
    return (inner if isinstance(inner, Store) else Store(store)).pinned()


def _table_of(f: Filters, catalog) -> str:
    """Aggregates are read only when asked for by --dataset; otherwise events."""
    chosen = [e for e in catalog if e["dataset_id"] in f.datasets]
    if chosen and all(e["table_name"] == "counts" for e in chosen):
        return "counts"
    return "events"


def selection(f: Filters, store: StoreLike = None):
    """The filtered rows as an unexecuted Ibis expression, the table they come from ('events' or
    'counts'), and the catalog entries behind them."""
    s = as_store(store)
    # The taxonomy (hundreds of alias patterns to compile, a third of a second) only checks actor keys.
    validate(f, s.taxonomy() if (f.actor or f.actor1 or f.actor2 or f.dyad) else None)
    catalog = s.datasets()
    f = resolve_places(s, f, catalog)
    iso3 = country_iso3(f)
    table = _table_of(f, catalog)
    entries = select_datasets(f, catalog, table=table, iso3=iso3)
    con = s.ibis()
    if table == "counts":
        expr = filter_counts(con.table("counts"), f, entries, iso3=iso3)
    else:
        every = {e["dataset_id"] for e in catalog if e["table_name"] == "events"}
        expr = filter_events(
            con.table("events"),
            f,
            entries,
            iso3=iso3,
            all_datasets=every == {e["dataset_id"] for e in entries},
        )
    return s, Selection(expr=expr, table=table, datasets=tuple(entries), filters=f)


def events(f: Filters, store: StoreLike = None, *, limit: int | None = None):
    """Events matching ``f`` as a pyarrow table, ordered by date and event id."""
    s, sel = selection(f, store)
    if sel.table != "events":
        raise IndicatorError(
            "`events` lists events; the chosen dataset is an aggregate (counts). "
            "Use `peacewatch series --dataset ID` for it."
        )
    expr = sel.expr.order_by(["date_start", "event_id"])
    return s.execute(expr, limit=limit)


def actor_summary(
    store: StoreLike = None, *, unresolved: bool = False, limit: int = 30
) -> list[dict[str, Any]]:
    """Actor keys with their event counts, or the most frequent names that resolved to no key."""
    s = as_store(store)
    # The limit is written into the SQL (an int, so nothing to escape): binding any parameter makes
    # DuckDB import pandas, which costs `peacewatch actors` half a second.
    if unresolved:
        # One row per name: grouping by (name, event country) would split a name over the countries
        # its events are placed in (GDELT's "TURKEY" in France, Turkey, the USA...), rows that read as
        # if France were Turkey's country. The places are listed instead, busiest first. An event that
        # names the same unresolved actor on both sides counts once.
        table = s.query(
            f"""
            WITH sides AS (
                SELECT trim(actor1) AS name, iso3, dataset_id, event_id FROM events
                WHERE trim(actor1) <> '' AND len(actor1_keys) = 0
                UNION ALL
                SELECT trim(actor2), iso3, dataset_id, event_id FROM events
                WHERE trim(actor2) <> '' AND len(actor2_keys) = 0),
            placed AS (
                SELECT name, iso3, count(DISTINCT (dataset_id, event_id)) AS n FROM sides
                WHERE iso3 IS NOT NULL GROUP BY name, iso3)
            SELECT sides.name, count(DISTINCT (dataset_id, event_id)) AS events,
                   list_sort(list(DISTINCT dataset_id)) AS datasets,
                   (SELECT list(iso3 ORDER BY n DESC, iso3) FROM placed WHERE placed.name = sides.name)
                       AS event_countries
            FROM sides GROUP BY sides.name ORDER BY events DESC, sides.name LIMIT {int(limit)}"""
        )
        return [{**r, "event_countries": r["event_countries"] or []} for r in table.to_pylist()]
    table = s.query(
        f"""
        WITH keys AS (
            SELECT unnest(list_distinct(list_concat(actor1_keys, actor2_keys))) AS key, dataset_id
            FROM events)
        SELECT key, count(*) AS events, list_sort(list(DISTINCT dataset_id)) AS datasets
        FROM keys GROUP BY key ORDER BY events DESC, key LIMIT {int(limit)}"""
    )
    taxonomy = s.taxonomy()
    rows = table.to_pylist()
    for r in rows:
        actor = taxonomy.get(r["key"])
        r["name"] = getattr(actor, "name", None)
        r["kind"] = getattr(actor, "kind", None)
    return rows
