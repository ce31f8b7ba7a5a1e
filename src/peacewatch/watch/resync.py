"""What a UCDP or GDELT sync reads from the store before it asks the service, shared by the commands
(``peacewatch sync ucdp|gdelt``) and the re-syncs of ``peacewatch watch`` and ``POST /api/sync``.

A UCDP sync needs the requests spent on UCDP's daily quota today (the cursors of every UCDP dataset),
the ids the dataset holds (to tell the ids a version lacks), and the complete GED releases (Candidate
events they cover are left out); after a complete GED release, the Candidate events it covers are
deleted (:func:`supersede_pulls`). A GDELT sync needs the dataset's cursor and the FIPS codes of its
countries. These functions take a :class:`~peacewatch.store.Store` and the options, and return pulls for
``Store.sync``: the caller applies them (with a progress bar, or quietly).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

from peacewatch.errors import ArgumentError

UCDP = "ucdp_ged"


def ucdp_syncs(store) -> list[dict[str, Any]]:
    """The last ``syncs`` row of every UCDP dataset (filters and cursor as dicts)."""
    if not store.exists() or not store._has_table("syncs"):
        return []
    rows = store.query(
        "SELECT * FROM syncs WHERE source = ? QUALIFY row_number() OVER "
        "(PARTITION BY dataset_id ORDER BY snapshot_id DESC) = 1",
        [UCDP],
    ).to_pylist()
    for r in rows:
        r["filters"], r["cursor"] = json.loads(r["filters"]), json.loads(r["cursor"])
    return rows


def quota_used_today(rows: list[dict[str, Any]], today: str) -> dict | None:
    """The quota record of today with the most requests (one token's count across datasets)."""
    days = [r["cursor"].get("quota") or {} for r in rows]
    today_rows = [q for q in days if q.get("day") == today]
    return max(today_rows, key=lambda q: q.get("used", 0)) if today_rows else None


def ged_coverage(rows: list[dict[str, Any]]) -> list[tuple[frozenset[int] | None, date]]:
    """The complete GED releases in the store: (their Gleditsch-Ward countries or None, last day)."""
    from peacewatch.sync.ucdp_api import UcdpQuery

    out = []
    for r in rows:
        cursor, filters = r["cursor"], r["filters"]
        if filters.get("dataset") != "ged" or not cursor.get("complete") or not cursor.get("version"):
            continue
        last = UcdpQuery("ged", cursor["version"]).coverage()[1]
        if filters.get("until"):
            last = min(last, date.fromisoformat(filters["until"]))
        gws = filters.get("gw_countries")
        out.append((frozenset(gws) if gws else None, last))
    return out


def _known_ids(store, dataset_id: str):
    def known(first: date | None, last: date | None) -> set[str]:
        if not store.exists() or not any(d["dataset_id"] == dataset_id for d in store.datasets()):
            return set()
        rows = store.query(
            "SELECT source_event_id FROM events WHERE dataset_id = ? AND date_start >= ? AND date_start <= ?",
            [dataset_id, first or date(1900, 1, 1), last or date(9999, 12, 31)],
        ).to_pylist()
        return {r["source_event_id"] for r in rows}

    return known


def ucdp_pull(store, query, *, token: str, names: Sequence[str], dataset_id: str, base_url: str, quota: int):
    """The pull of a UCDP sync of ``dataset_id``: it resumes the dataset's cursor, counts today's
    requests of every UCDP dataset against ``quota``, and (Candidate) leaves out what GED covers."""
    from peacewatch.sync import ucdp as service

    rows = ucdp_syncs(store)
    last = next((r for r in rows if r["dataset_id"] == dataset_id), None)
    cursor = dict(last["cursor"]) if last else {}
    spent = quota_used_today(rows, datetime.now(UTC).date().isoformat())
    if spent:
        cursor["quota"] = spent
    return service.pull(
        token=token,
        query=query,
        cursor=cursor,
        base_url=base_url,
        dataset_id=dataset_id,
        names=list(names),
        known_ids=_known_ids(store, dataset_id),
        superseded=ged_coverage(rows) if query.dataset == "candidate" else (),
        quota_limit=quota,
    )


def supersede_pulls(store, pull, base_url: str) -> Iterator[Any]:
    """After ``pull`` (a UCDP sync, applied) completed a GED release: a pull per Candidate dataset that
    deletes the events the release now covers. Nothing for a Candidate sync or an unfinished pass.
    Lazy: each pull reads the store as the previous one left it."""
    from peacewatch.sync.ucdp import supersede_pull
    from peacewatch.sync.ucdp_api import UcdpQuery
    from peacewatch.sync.ucdp_countries import GW_BY_ISO3

    sync = pull.sync
    if pull.filters.get("dataset") != "ged" or not sync.complete:
        return
    version = sync.query.version
    last = UcdpQuery("ged", version).coverage()[1]
    if pull.filters.get("until"):
        last = min(last, date.fromisoformat(pull.filters["until"]))
    gws = set(pull.filters.get("gw_countries") or ())
    iso3s = sorted(i for i, g in GW_BY_ISO3.items() if g in gws)
    for row in ucdp_syncs(store):
        if row["filters"].get("dataset") != "candidate":
            continue
        sql = "SELECT source_event_id FROM events WHERE dataset_id = ? AND date_start <= ?"
        params: list[Any] = [row["dataset_id"], last]
        if iso3s:
            sql += f" AND iso3 IN ({', '.join('?' * len(iso3s))})"
            params += iso3s
        ids = sorted(r["source_event_id"] for r in store.query(sql, params).to_pylist())
        if ids:
            yield supersede_pull(
                dataset_id=row["dataset_id"],
                ids=ids,
                ged_version=version,
                covered_until=last,
                last=row,
                base_url=base_url,
            )


def fips_codes(countries: Sequence[str]) -> list[str]:
    """The FIPS 10-4 codes (what GDELT's ActionGeo_CountryCode holds) of countries named as elsewhere."""
    from peacewatch.gazetteer import country, iso3_for

    codes = []
    for name in countries:
        iso3 = name.upper() if country(name.upper()) else iso3_for(name)
        found = country(iso3) if iso3 else None
        if found is None or not found.fips:
            what = "no country of that name" if found is None else f"{found.name}, which has none"
            raise ArgumentError(
                f"--country {name!r}: expected a country with a FIPS 10-4 code (GDELT locates events by "
                f"them), found {what}.",
                hint="Give a country's name or ISO3 code (peacewatch sync gdelt --country Afghanistan).",
            )
        codes.extend(found.fips)
    return list(dict.fromkeys(codes))


def gdelt_pull(
    store,
    *,
    since: date | None,
    countries: Sequence[str],
    roots: Sequence[str],
    parallel: int,
    dataset_id: str,
    base_url: str,
):
    """The pull of a GDELT sync of ``dataset_id``, from the file after the last one its cursor applied."""
    from peacewatch.sync import gdelt as service

    last = store.last_sync(service.SOURCE, dataset_id)
    return service.pull(
        since=since,
        countries=list(countries),
        fips=fips_codes(countries),
        roots=tuple(roots),
        parallel=parallel,
        cursor=last["cursor"] if last else None,
        base_url=base_url,
        dataset_id=dataset_id,
    )
