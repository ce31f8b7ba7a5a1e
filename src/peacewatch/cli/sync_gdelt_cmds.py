"""`peacewatch sync gdelt`: GDELT 2.0's 15-minute event exports (sync/gdelt.py, docs/sync.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from peacewatch.cli.options import StoreOpt
from peacewatch.cli.sync_cmds import BaseUrlOpt, JsonOut, WaitOpt, run_sync, sync_app


@sync_app.command("gdelt")
def gdelt(
    since: Annotated[
        datetime | None,
        typer.Option(
            "--since",
            formats=["%Y-%m-%d"],
            help="First day of files (YYYY-MM-DD); needed by the first sync of these filters.",
        ),
    ] = None,
    country: Annotated[
        list[str] | None,
        typer.Option("--country", help="Where events took place: a name or ISO3 code (repeatable)."),
    ] = None,
    cameo_root: Annotated[
        str | None,
        typer.Option("--cameo-root", help="CAMEO root codes to keep, comma-separated (e.g. 18,19,20)."),
    ] = None,
    parallel: Annotated[
        int, typer.Option("--parallel", min=1, max=16, help="Files downloaded at a time.")
    ] = 4,
    name: Annotated[
        str | None, typer.Option(help="Dataset id to keep current (default: gdelt-api-<filters>).")
    ] = None,
    base_url: BaseUrlOpt = None,
    wait: WaitOpt = 60.0,
    json_out: JsonOut = False,
    store: StoreOpt = None,
) -> None:
    """Sync GDELT 2.0 events: every 15-minute export after the last one applied, verified and filtered.

    No credentials: GDELT's files are public."""
    from peacewatch.store import Store
    from peacewatch.sync import gdelt as service

    names = list(country or ())
    roots = service.check_roots(cameo_root.split(",")) if cameo_root else ()
    dataset_id = name or service.dataset_id_for(names, roots)
    # Imported here: peacewatch.watch loads the evaluation and statistics, which `--help` and
    # every other command's start-up do without (tests/cli/test_startup.py).
    from peacewatch.watch import resync

    pull = resync.gdelt_pull(
        Store(store),
        since=since.date() if since else None,
        countries=names,
        roots=roots,
        parallel=parallel,
        dataset_id=dataset_id,
        base_url=base_url or service.BASE_URL,
    )
    run_sync(pull, store, json_out=json_out, wait=wait)
