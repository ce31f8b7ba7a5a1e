"""`peacewatch sync SERVICE` (keep a dataset current from a live service) and `peacewatch login`.

Each sync command parses its filters, reads the last cursor from the store (``Store.last_sync``),
asks the service module (sync/) for a pull and hands it to :func:`run_sync`, which applies it as one
snapshot with a progress bar on a terminal and prints the summary. Other services' commands join
:data:`sync_app` the same way (``@sync_app.command("ucdp")``) and call :func:`run_sync`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from peacewatch.cli import render
from peacewatch.cli.options import StoreOpt

sync_app = typer.Typer(
    help="Keep datasets current from the live services (ACLED; docs/sync.md).", no_args_is_help=True
)

BaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--base-url", help="The service's address (default: the public service); for mirrors and tests."
    ),
]
WaitOpt = Annotated[
    float, typer.Option("--wait", min=0, help="Seconds to wait for another process writing the store.")
]
FullOpt = Annotated[
    bool,
    typer.Option(
        "--full",
        help="Pull the whole range again, ignoring the last sync's cursor; events no longer in it are "
        "deleted.",
    ),
]
JsonOut = Annotated[bool, typer.Option("--json", help="Print the sync's report as JSON.")]
SUMMARY_COLUMNS = ("country", "month", "added", "updated", "deleted")


def run_sync(pull, store, *, json_out: bool, wait: float) -> None:
    """Apply ``pull`` to the store (a path, or the Store that read the cursor: its connection is
    reused) as one snapshot and print its summary (or its report as JSON)."""
    from peacewatch.store import Store

    s = store if isinstance(store, Store) else Store(store)
    with render.progress_bar(quiet=json_out) as bar:
        task = bar.add_task(f"{pull.source}: connecting", total=None)

        def progress(stage: str, fraction: float | None) -> None:
            bar.update(
                task, description=stage, total=1.0 if fraction is not None else None, completed=fraction or 0
            )

        report = s.sync(pull, progress=progress, wait=wait)
    if json_out:
        render.print_json(report.to_dict())
        return
    if report.by_country_month:
        render.print_table(
            report.by_country_month,
            SUMMARY_COLUMNS,
            title=f"Events changed in {report.dataset_id}, by country and month",
            numeric=("added", "updated", "deleted"),
        )
    render.console.print(
        f"{report.dataset_id}: {report.added:,} new, {report.updated:,} changed, {report.deleted:,} deleted "
        f"events ({report.unchanged:,} unchanged) from {report.pages:,} page(s) of {report.service}; "
        f"snapshot {report.snapshot_id}; accessed {report.accessed_at}."
    )
    if report.quarantined:
        render.console.print(
            f"[yellow]{report.dataset_id}: {report.quarantined:,} rows quarantined; see "
            f"`peacewatch quarantine --dataset {report.dataset_id}`[/yellow]"
        )


def _day(value: datetime | None):
    return value.date() if value else None


@sync_app.command("acled")
def acled(
    country: Annotated[
        list[str] | None, typer.Option("--country", help="A country, as ACLED names it (repeatable).")
    ] = None,
    region: Annotated[
        list[str] | None, typer.Option("--region", help="An ACLED region, by name or number (repeatable).")
    ] = None,
    since: Annotated[
        datetime | None, typer.Option("--since", formats=["%Y-%m-%d"], help="First event date (YYYY-MM-DD).")
    ] = None,
    until: Annotated[
        datetime | None, typer.Option("--until", formats=["%Y-%m-%d"], help="Last event date (YYYY-MM-DD).")
    ] = None,
    name: Annotated[
        str | None, typer.Option(help="Dataset id to keep current (default: acled-api-<filters>).")
    ] = None,
    base_url: BaseUrlOpt = None,
    page_size: Annotated[
        int, typer.Option("--page-size", min=1, help="Events per page (ACLED's limit; default 5000).")
    ] = 5000,
    full: FullOpt = False,
    wait: WaitOpt = 60.0,
    json_out: JsonOut = False,
    store: StoreOpt = None,
) -> None:
    """Sync ACLED events for the filters: the first sync pulls the range, later ones what changed.

    Credentials: ACLED_EMAIL and ACLED_PASSWORD, else `peacewatch login acled`."""
    from peacewatch.store import Store
    from peacewatch.sync import acled as service
    from peacewatch.sync.credentials import credentials

    email, password = service.credentials_for(credentials("acled"))
    countries, regions = list(country or ()), list(region or ())
    dataset_id = name or service.dataset_id_for(countries, regions, _day(since), _day(until))
    target = Store(store)  # one Store: the connection that reads the cursor then writes the sync
    last = None if full else target.last_sync("acled", dataset_id)
    pull = service.pull(
        email=email,
        password=password,
        countries=countries,
        regions=regions,
        since=_day(since),
        until=_day(until),
        cursor=last["cursor"] if last else None,
        base_url=base_url or service.DEFAULT_BASE_URL,
        dataset_id=dataset_id,
        page_limit=page_size,
    )
    pull.complete = full
    run_sync(pull, target, json_out=json_out, wait=wait)


def login(
    service: Annotated[str, typer.Argument(help="The service: acled or ucdp.")],
    json_out: Annotated[bool, typer.Option("--json", help="Print where they were saved as JSON.")] = False,
) -> None:
    """Save a service's credentials for later syncs: in the OS keyring, else a file only you can read."""
    from peacewatch.sync.credentials import FIELDS, SECRET_FIELDS, _known, save

    fields = _known(service)
    values = {}
    for field in FIELDS[service]:
        label = f"{service.upper()} {'e-mail' if field == 'email' else field}"
        values[field] = typer.prompt(label, hide_input=field in SECRET_FIELDS).strip()
    where = save(service, values)
    if json_out:  # never the values themselves
        render.print_json({"service": service, "fields": list(fields), "saved_in": where})
        return
    render.console.print(
        f"Saved the {service} credentials ({', '.join(fields)}) in {where}. The environment variables "
        f"({', '.join(fields.values())}) take precedence when set."
    )


def register(app: typer.Typer) -> None:
    app.add_typer(sync_app, name="sync")
    app.command()(login)
