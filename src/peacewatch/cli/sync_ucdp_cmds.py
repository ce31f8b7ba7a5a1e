"""`peacewatch sync ucdp`: GED and Candidate events from the UCDP API (sync/ucdp.py, docs/sync.md).

The command parses its flags; what it reads from the store (the last cursor, the requests spent on
UCDP's daily quota today, the ids a dataset holds, the GED releases that supersede Candidate events) and
the Candidate deletions after a complete GED release are watch/resync.py's, which `peacewatch watch`
and ``POST /api/sync/ucdp`` share.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from peacewatch.cli import render
from peacewatch.cli.options import StoreOpt
from peacewatch.cli.sync_cmds import BaseUrlOpt, JsonOut, WaitOpt, run_sync, sync_app
from peacewatch.errors import ArgumentError


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
    # Imported here: peacewatch.watch loads the evaluation and statistics, which `--help` and
    # every other command's start-up do without (tests/cli/test_startup.py).
    from peacewatch.watch import resync

    pull = resync.ucdp_pull(
        s, query, token=token, names=names, dataset_id=dataset_id, base_url=base_url or BASE_URL, quota=quota
    )
    run_sync(pull, store, json_out=json_out, wait=wait)
    if pull.sync.stopped:
        render.err_console.print(f"[yellow]{pull.sync.stopped}[/yellow]")
    for superseding in resync.supersede_pulls(Store(store), pull, base_url or BASE_URL):
        run_sync(superseding, store, json_out=json_out, wait=wait)
