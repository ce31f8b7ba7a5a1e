"""`peacewatch sync ucdp`: GED and Candidate events from the UCDP API (sync/ucdp.py, docs/sync.md).

The command reads what the service module needs from the store (the last cursor, the requests spent on
UCDP's daily quota today, the ids a dataset holds, the GED releases that supersede Candidate events),
hands over the pull, and after a GED release is complete deletes the Candidate events it covers.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Annotated, Any

import typer

from peacewatch.cli import render
from peacewatch.cli.options import StoreOpt
from peacewatch.cli.sync_cmds import BaseUrlOpt, JsonOut, WaitOpt, run_sync, sync_app
from peacewatch.errors import ArgumentError

SOURCE = "ucdp_ged"


def _syncs(store) -> list[dict[str, Any]]:
    """The last ``syncs`` row of every UCDP dataset (filters and cursor as dicts)."""
    if not store.exists() or not store._has_table("syncs"):
        return []
    rows = store.query(
        "SELECT * FROM syncs WHERE source = ? QUALIFY row_number() OVER "
        "(PARTITION BY dataset_id ORDER BY snapshot_id DESC) = 1",
        [SOURCE],
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


def _supersede(store_path, rows, ged_filters: dict, version: str, base_url: str, json_out: bool, wait):
    """Delete the Candidate events the complete GED release ``version`` now covers."""
    from peacewatch.store import Store
    from peacewatch.sync.ucdp import supersede_pull
    from peacewatch.sync.ucdp_api import UcdpQuery
    from peacewatch.sync.ucdp_countries import GW_BY_ISO3

    last = UcdpQuery("ged", version).coverage()[1]
    if ged_filters.get("until"):
        last = min(last, date.fromisoformat(ged_filters["until"]))
    gws = set(ged_filters.get("gw_countries") or ())
    iso3s = sorted(i for i, g in GW_BY_ISO3.items() if g in gws)
    store = Store(store_path)
    for row in rows:
        if row["filters"].get("dataset") != "candidate":
            continue
        sql = "SELECT source_event_id FROM events WHERE dataset_id = ? AND date_start <= ?"
        params: list[Any] = [row["dataset_id"], last]
        if iso3s:
            sql += f" AND iso3 IN ({', '.join('?' * len(iso3s))})"
            params += iso3s
        ids = sorted(r["source_event_id"] for r in store.query(sql, params).to_pylist())
        if ids:
            pull = supersede_pull(
                dataset_id=row["dataset_id"],
                ids=ids,
                ged_version=version,
                covered_until=last,
                last=row,
                base_url=base_url,
            )
            run_sync(pull, store_path, json_out=json_out, wait=wait)


@sync_app.command("ucdp")
def ucdp(
    dataset: Annotated[
        str, typer.Option("--dataset", help="ged (final yearly releases) or candidate (monthly releases).")
    ] = "ged",
    version: Annotated[
        str,
        typer.Option(
            "--version", help="The release: 25.1 (GED), 26.0.10 (Candidate: month 10 of 2026), or latest."
        ),
    ] = "latest",
    country: Annotated[
        list[str] | None,
        typer.Option("--country", help="A country: name, ISO3 code or Gleditsch-Ward number (repeatable)."),
    ] = None,
    since: Annotated[
        datetime | None, typer.Option("--since", formats=["%Y-%m-%d"], help="First event date (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option("--until", formats=["%Y-%m-%d"], help="Last event date (YYYY-MM-DD).")
    ] = None,
    pagesize: Annotated[int, typer.Option("--pagesize", min=1, max=1000, help="Events per page.")] = 1000,
    quota: Annotated[
        int, typer.Option("--quota", min=1, help="Requests a day the token may make (UCDP's default: 5000).")
    ] = 5000,
    name: Annotated[
        str | None, typer.Option(help="Dataset id to keep current (default: ucdp-<dataset>-api-<filters>).")
    ] = None,
    base_url: BaseUrlOpt = None,
    wait: WaitOpt = 60.0,
    json_out: JsonOut = False,
    store: StoreOpt = None,
) -> None:
    """Sync UCDP GED or Candidate events; stops before UCDP's daily quota and resumes the next day.

    Credentials: UCDP_TOKEN, else `peacewatch login ucdp`."""
    from peacewatch.store import Store
    from peacewatch.sync import ucdp as service
    from peacewatch.sync.credentials import credentials
    from peacewatch.sync.ucdp_api import BASE_URL, UcdpQuery, check_version
    from peacewatch.sync.ucdp_countries import gw_code

    check_version(dataset, version)
    if since and until and since > until:
        raise ArgumentError(f"--since {since.date()} is after --until {until.date()}: expected a range.")
    token = credentials("ucdp")["token"]
    names = list(country or ())
    query = UcdpQuery(
        dataset,
        version,
        tuple(gw_code(c) for c in names),
        since.date() if since else None,
        until.date() if until else None,
        pagesize,
    )
    dataset_id = name or service.dataset_id_for(dataset, names, query.since, query.until)
    s = Store(store)
    rows = _syncs(s)
    last = next((r for r in rows if r["dataset_id"] == dataset_id), None)
    cursor = dict(last["cursor"]) if last else {}
    spent = quota_used_today(rows, datetime.now(UTC).date().isoformat())
    if spent:
        cursor["quota"] = spent
    pull = service.pull(
        token=token,
        query=query,
        cursor=cursor,
        base_url=base_url or BASE_URL,
        dataset_id=dataset_id,
        names=names,
        known_ids=_known_ids(s, dataset_id),
        superseded=ged_coverage(rows) if dataset == "candidate" else (),
        quota_limit=quota,
    )
    run_sync(pull, store, json_out=json_out, wait=wait)
    sync = pull.sync
    if sync.stopped:
        render.err_console.print(f"[yellow]{sync.stopped}[/yellow]")
    if dataset == "ged" and sync.complete:
        version = sync.query.version
        _supersede(store, _syncs(Store(store)), pull.filters, version, base_url or BASE_URL, json_out, wait)
