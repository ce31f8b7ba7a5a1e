"""Place filters resolved against the names a store actually holds, and the listing of those names.

A user writes "Kachin" or "Ouham-Pende"; the store holds "Kachin state" and "Ouham-Pendé province".
:func:`resolve_places` rewrites a filter's country, admin1 and admin2 to the store's own names
(``peacewatch.gazetteer.placenames`` decides what agrees), and refuses a name that matches nothing, or
several different places, with a :class:`PlaceError` naming the close candidates: an unknown place
must never be answered with zeros.

>>> from peacewatch import analysis, Filters
>>> analysis.places(store="car-store", search="ouham")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from peacewatch.errors import IndicatorError, PlaceError
from peacewatch.gazetteer import code_meanings, country_name, iso3_for
from peacewatch.gazetteer.placenames import Place, close_places, match_place, place_key
from peacewatch.indicators.filters import (
    GROUP,
    Filters,
    country_codes,
    filter_counts,
    filter_events,
    place_group,
)

_FLAGS = {"country": "--country", "admin1": "--admin1", "admin2": "--admin2"}


def iso3_of(country: str | None) -> str | None:
    """The ISO3 code of one --country value: a name, an alias or an ISO3 code, else a two-letter FIPS
    10-4 code (GDELT's own, e.g. AM, AJ) or ISO alpha-2 code, refused when the two systems name
    different countries; None for a name the gazetteer does not know (matched against the store).

    >>> iso3_of("AJ"), iso3_of("Armenia"), iso3_of("Narnia")
    ('AZE', 'ARM', None)
    """
    if not country:
        return None
    found = iso3_for(country)
    if found or len(country.strip()) != 2:
        return found
    meanings = code_meanings(country)
    if len(set(meanings.values())) > 1:
        said = " but ".join(
            f"{system} {country.strip().upper()} is {country_name(iso3)} ({iso3})"
            for system, iso3 in meanings.items()
        )
        raise IndicatorError(
            f"--country {country!r} is ambiguous: {said}.",
            hint="Give the country's name or ISO3 code instead.",
        )
    return next(iter(meanings.values()), None)


def country_iso3(f: Filters) -> tuple[str | None, ...] | None:
    """The ISO3 code of each country name in ``f`` (None for names the gazetteer does not know)."""
    names = place_group(f.country)
    return tuple(iso3_of(n) for n in names) if names else None


def _refuse(level: str, wanted: str, available: Sequence[Place], found: Sequence[Place] = ()) -> PlaceError:
    flag = _FLAGS[level]
    if found:
        labels = tuple(p.label() for p in found)
        return PlaceError(
            f"{flag} {wanted!r} matches several places in the store: {'; '.join(labels)}.",
            candidates=labels,
            hint="Write the one you mean as the store does"
            + (", or add --country (or --admin1) to tell them apart." if level != "country" else "."),
        )
    close = tuple(p.label() for p in close_places(wanted, available))
    where = (
        f" Did you mean {' or '.join(close)}?"
        if close
        else f" The store has {len({p.name for p in available})} {level} name(s)."
    )
    return PlaceError(
        f"{flag} {wanted!r} matches no {level} in the selected data.{where}",
        candidates=close,
        hint=f"List the names with `peacewatch places{' --country C' if level != 'country' else ''}`.",
    )


def _distinct(s, f: Filters, entries, iso3, columns: list[str]) -> list[tuple]:
    con = s.ibis()
    counts = [e for e in entries if e.get("table_name") == "counts"]
    events = [e for e in entries if e.get("table_name", "events") == "events"]
    rows: list[tuple] = []
    if events:
        expr = filter_events(con.table("events"), f, events, iso3=iso3)
        rows += s.execute(expr.select(columns).distinct()).to_pylist()
    if counts and "admin2" not in columns:
        expr = filter_counts(con.table("counts"), f, counts, iso3=iso3)
        rows += s.execute(expr.select(columns).distinct()).to_pylist()
    return [tuple(r[c] for c in columns) for r in rows]


def _resolve(level: str, value: str | None, available: Sequence[Place]) -> str | None:
    if not value:
        return value
    names: list[str] = []
    for wanted in place_group(value):
        m = match_place(wanted, available)
        if not m.places:
            raise _refuse(level, wanted, available)
        if m.ambiguous:
            raise _refuse(level, wanted, available, m.places)
        names += m.names
    return GROUP.join(dict.fromkeys(names))


def resolve_places(s, f: Filters, catalog: Sequence[Mapping[str, Any]]) -> Filters:
    """``f`` with its country, admin1 and admin2 names as the store writes them.

    A country the gazetteer knows is kept as written (rows are matched by ISO3 code); any other is
    matched against the store's country names. Admin names are matched within the datasets, and the
    country, the filter selects. Raises PlaceError for a name that matches nothing or several places.
    """
    if not (f.country or f.admin1 or f.admin2):
        return f
    known = {e["dataset_id"] for e in catalog}
    if any(d != "all" and d not in known for d in f.datasets):
        return f  # the dataset selection refuses a dataset the store lacks, naming it (not "0 countries")
    scope = Filters(datasets=f.datasets, source=f.source)
    entries = _entries(scope, catalog)
    if f.country and None in (country_iso3(f) or ()):
        stored = [Place(name) for (name,) in _distinct(s, scope, entries, None, ["country"]) if name]
        known = [
            part if iso3_of(part) else _resolve("country", part, stored) for part in place_group(f.country)
        ]
        f = f.replace(country=GROUP.join(known))
    iso3 = country_iso3(f)
    if f.country:
        _check_covered(f, iso3, entries)
    where = scope.replace(country=f.country)
    if f.admin1 and _have(entries, "admin1"):
        rows = _distinct(s, where, entries, iso3, ["admin1", "iso3", "country"])
        available = [Place(a, (i or c or "",)) for a, i, c in rows if a]
        f = f.replace(admin1=_resolve("admin1", f.admin1, available))
    if f.admin2 and _have(entries, "admin2"):
        where = where.replace(admin1=f.admin1)
        rows = _distinct(s, where, entries, iso3, ["admin2", "admin1", "iso3", "country"])
        available = [Place(a, (i or c or "", b or "")) for a, b, i, c in rows if a]
        f = f.replace(admin2=_resolve("admin2", f.admin2, available))
    return f


def _have(entries: Sequence[Mapping[str, Any]], field: str) -> bool:
    """Whether every dataset has the field; when one lacks it, the filter is left as written and the
    dataset selection refuses it (MissingFieldError, which verdicts turn into insufficient_data)."""
    return all(field not in (e.get("fields_missing") or ()) for e in entries)


def _check_covered(f: Filters, iso3, entries: Sequence[Mapping[str, Any]]) -> None:
    """A known country that no selected dataset covers is refused: its zeros would mean nothing."""
    held = {str(c).upper() for e in entries for c in e.get("countries") or []}
    for name, code in country_codes(f, iso3):
        if not ({name.upper(), (code or "").upper()} & held):
            stored = [Place(country_name(c) or c) for c in sorted(held)]
            close = tuple(p.label() for p in close_places(name, stored) or stored[:8])
            raise PlaceError(
                f"--country {name!r}{f' ({code})' if code and code != name.upper() else ''} has no events "
                f"in the selected data, which cover {len(held)} countr{'y' if len(held) == 1 else 'ies'}: "
                f"{', '.join(close)}{'' if len(close) == len(held) else ', ...'}.",
                candidates=close,
                hint="Ingest a dataset that covers it, or list what the store has with `peacewatch places`.",
            )


def _entries(f: Filters, catalog: Sequence[Mapping[str, Any]]) -> list[Mapping[str, Any]]:
    """The datasets a place name is looked up in: those chosen with --dataset/--source, else all."""
    entries = list(catalog)
    if f.datasets and "all" not in f.datasets:
        entries = [e for e in entries if e["dataset_id"] in f.datasets]
    if f.source:
        entries = [e for e in entries if e["source"] == f.source]
    return entries


def places(
    store=None, *, country: str | None = None, search: str | None = None, level: str | None = None
) -> list[dict[str, Any]]:
    """Countries, admin1 and admin2 names of the store with their event counts per dataset.

    ``country`` restricts to one country (resolved as a filter is); ``search`` keeps names whose
    folded form contains the folded text ("pende" finds "Ouham-Pendé province"); ``level`` keeps one
    of country, admin1, admin2. Each row: level, name, country (ISO3 or name), admin1 (for admin2
    rows), events, and events by dataset.
    """
    from peacewatch.analysis.select import as_store

    s = as_store(store)
    catalog = [e for e in s.datasets() if e.get("table_name", "events") == "events"]
    f = resolve_places(s, Filters(country=country), catalog) if country else Filters()
    where = ""
    params: list[Any] = []
    if f.country:
        pairs = country_codes(f, country_iso3(f))
        codes = [c for _, c in pairs if c]
        names = [n.lower() for n, c in pairs if not c]
        where = " AND (iso3 IN (SELECT unnest(?)) OR lower(country) IN (SELECT unnest(?)))"
        params = [codes, names]
    table = s.query(
        f"""
        WITH e AS (SELECT coalesce(iso3, country) AS c, admin1, admin2, dataset_id FROM events
                   WHERE true{where}),
        g AS (
            SELECT 'country' AS level, c AS name, c AS country, NULL AS admin1, dataset_id, count(*) AS n
            FROM e WHERE c IS NOT NULL GROUP BY ALL
            UNION ALL
            SELECT 'admin1', admin1, c, NULL, dataset_id, count(*) FROM e WHERE admin1 IS NOT NULL
            GROUP BY ALL
            UNION ALL
            SELECT 'admin2', admin2, c, admin1, dataset_id, count(*) FROM e WHERE admin2 IS NOT NULL
            GROUP BY ALL)
        SELECT level, name, country, admin1, sum(n)::BIGINT AS events,
               map(list(dataset_id ORDER BY dataset_id), list(n ORDER BY dataset_id)) AS by_dataset
        FROM g GROUP BY level, name, country, admin1
        ORDER BY CASE level WHEN 'country' THEN 0 WHEN 'admin1' THEN 1 ELSE 2 END, country, admin1, name""",
        params,
    )
    rows = table.to_pylist()
    for r in rows:
        r["by_dataset"] = dict(r["by_dataset"])
        if r["level"] == "country":
            r["country_name"] = country_name(r["name"]) or r["name"]
    if level:
        rows = [r for r in rows if r["level"] == level]
    if search:
        needle = place_key(search)
        rows = [
            r
            for r in rows
            if needle in place_key(r["name"]) or needle in place_key(r.get("country_name") or "")
        ]
    return rows


def datasets_holding(s, f: Filters, catalog: Sequence[Mapping[str, Any]]) -> tuple[str, ...] | None:
    """Where the places of ``f`` are, once its own datasets have refused them (a PlaceError): the
    datasets of the store in which every place of ``f`` resolves, each looked at on its own. An empty
    tuple when none holds them but they are real (countries the gazetteer knows, no admin names);
    None when the places exist nowhere the store or the gazetteer knows, which makes them a typo.

    A claim or commitment uses this to tell "this dataset lacks the place" (insufficient_data) from a
    misspelt name (the user's error to fix).
    """
    levels = [lvl for lvl in ("admin1", "admin2") if getattr(f, lvl)]
    found = []
    for e in catalog:
        if any(lvl in (e.get("fields_missing") or ()) for lvl in levels):
            continue  # a dataset without districts can neither hold nor refuse one
        try:
            resolve_places(s, f.replace(datasets=(e["dataset_id"],), source=None), catalog)
        except PlaceError:
            continue
        found.append(e["dataset_id"])
    if found:
        return tuple(dict.fromkeys(found))
    known = not levels and f.country and None not in (country_iso3(f) or (None,))
    return () if known else None
