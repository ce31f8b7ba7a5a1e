"""Selecting events: which datasets a request reads, and the filtered rows themselves.

>>> from peacewatch import analysis, Filters
>>> analysis.events(Filters(country="Afghanistan"), store=".peacewatch/demo", limit=5)  # doctest: +SKIP
"""

from __future__ import annotations

import os
from typing import Any

from peacewatch.analysis.places import country_iso3, resolve_places
from peacewatch.errors import IndicatorError, UnmatchedActorError
from peacewatch.indicators.datasets import select_datasets
from peacewatch.indicators.filters import (
    Filters,
    Selection,
    filter_counts,
    filter_events,
    validate,
)
from peacewatch.store import Store
from peacewatch.store.spark import SparkStore

# A store (or another engine's reader of one, peacewatch.store.spark), or the path of one (None: the
# default store).
StoreLike = Store | SparkStore | str | os.PathLike | None


def as_store(store: StoreLike) -> Store | SparkStore:
    """A Store from a Store, a path, or None (PEACEWATCH_STORE, else ./peacewatch-store), pinned at the
    snapshot it reads now; the front door's ``pw.open_store(...)`` (peacewatch.api.StoreAPI) gives the
    reader it holds (``.reader``: its Store, or a SparkStore with engine="spark"). A SparkStore is used
    as it is: it answers the same reads on Spark, from an export of one snapshot."""
    if isinstance(store, SparkStore):
        return store
    if isinstance(store, Store):
        return store.pinned()
    inner = getattr(store, "reader", None) or getattr(store, "store", None)
    if isinstance(inner, SparkStore):
        return inner
    # Pinned: every query of one analysis reads the same snapshot while writers commit.
    return (inner if isinstance(inner, Store) else Store(store)).pinned()


def reproduce_flags(f: Filters, store: StoreLike) -> str:
    """The flags of a command that reproduces a number read from ``store`` with ``f``: ``--store PATH
    --snapshot N`` (the snapshot the store reads) and the filters.

    >>> reproduce_flags(Filters(country="Mali"), Store("/s", snapshot=3))  # doctest: +SKIP
    '--store /s --snapshot 3 --country Mali'
    """
    s = as_store(store)
    return f.cli_args(s.path, s.snapshot)


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
    if table == "events" and entries:  # no dataset selected: the coverage check says why
        require_named_actors(s, f, entries)
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


def require_named_actors(s, f: Filters, entries) -> None:
    """Raise UnmatchedActorError when an actor filter (a key or a group, per flag and per side of a
    dyad) names nothing any event of ``entries`` carries, on any date and whatever the other filters:
    its zeros would not tell "no events" from "a name the taxonomy does not resolve"."""
    flags = [("--actor", f.actor), ("--actor1", f.actor1), ("--actor2", f.actor2)]
    flags += [("--dyad", side) for side in f.dyad or ()]
    unseen = []
    for flag, group in flags:
        if not group or any(group == g for _, g in unseen):
            continue
        probe = filter_events(s.ibis().table("events"), Filters(actor=group), entries)
        if s.execute(probe.select("event_id"), limit=1).num_rows == 0:
            unseen.append((flag, group))
    if not unseen:
        return
    ids = ", ".join(e["dataset_id"] for e in entries)
    names = " and ".join(f"{flag} {group}" for flag, group in unseen)
    raise UnmatchedActorError(
        f"{names}: no event of {ids} names {' or '.join(g for _, g in unseen)} on any date, so a count "
        "of zero would say nothing.",
        actors=tuple(g for _, g in unseen),
        datasets=tuple(e["dataset_id"] for e in entries),
        hint="Either the data never see the actor, or they write it under a name the actor taxonomy "
        "does not resolve: `peacewatch actors --unresolved` lists the names no key resolves; add the "
        "actor's name as an alias of its key (--taxonomy FILE, or a case's actors.yaml; "
        'docs/agreement-format.md, "actors.yaml").',
    )


def events(f: Filters, store: StoreLike = None, *, limit: int | None = None, raw: bool = False):
    """Events matching ``f`` as a pyarrow table, ordered by date and event id. With ``raw``, the
    ``raw`` column holds each event's original row, read back from its source file (see
    ``peacewatch.store.archive``)."""
    s, sel = selection(f, store)
    if sel.table != "events":
        raise IndicatorError(
            "`events` lists events; the chosen dataset is an aggregate (counts). "
            "Use `peacewatch series --dataset ID` for it."
        )
    expr = sel.expr.order_by(["date_start", "event_id"])
    table = s.execute(expr, limit=limit)
    if raw:
        from peacewatch.store.archive import with_original_rows

        table = with_original_rows(s, table)
    return table


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
