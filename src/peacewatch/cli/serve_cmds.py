"""`peacewatch serve`: the JSON API and the dashboard over a store, for a team (docs/serve.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peacewatch.cli.options import DataOpt, StoreOpt
from peacewatch.errors import PeacewatchError


def serve(
    store: StoreOpt = None,
    data: DataOpt = None,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on; beyond loopback is warned about.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, max=64, help="Worker processes (uvicorn).")] = 2,
    expose_events: Annotated[
        bool,
        typer.Option(
            "--expose-events",
            help="Also serve event rows (notes, actor names, sources): only for a private deployment, "
            "since ACLED's and GTD's terms forbid giving others their raw rows.",
        ),
    ] = False,
    allow_writes: Annotated[
        bool,
        typer.Option(
            "--allow-writes",
            help="Add POST /api/ingest and /api/sync/SOURCE, which need the bearer token in "
            "$PEACEWATCH_SERVE_TOKEN (refused at start-up without it).",
        ),
    ] = False,
    cases: Annotated[
        Path | None,
        typer.Option("--cases", help="A folder of your own case folders, offered beside the built-in cases."),
    ] = None,
    warm: Annotated[
        bool, typer.Option("--warm/--no-warm", help="Evaluate every case at start-up (a fast first view).")
    ] = True,
    cors_origin: Annotated[
        list[str] | None,
        typer.Option("--cors-origin", help="Allow this origin to read the API from a browser (repeatable)."),
    ] = None,
    max_days: Annotated[
        int, typer.Option("--max-days", min=1, help="Longest date span one request may ask about.")
    ] = 366 * 30,
    max_rows: Annotated[
        int, typer.Option("--max-rows", min=1, help="Most rows one answer may hold.")
    ] = 10_000,
    query_threads: Annotated[
        int,
        typer.Option("--query-threads", min=1, max=64, help="Queries run at once per worker; others wait."),
    ] = 4,
    query_timeout: Annotated[
        float, typer.Option("--query-timeout", min=0.1, help="Seconds a request's queries may run.")
    ] = 30.0,
) -> None:
    """Serve the store over HTTP: a read-only JSON API (/api/) and the dashboard, loopback only by
    default. Prints the URL; Ctrl-C stops it."""
    from peacewatch.serve import ServeConfig
    from peacewatch.serve.launch import run

    if cases is not None and not cases.is_dir():
        raise PeacewatchError(f"--cases {cases}: expected a folder of case folders, found none there.")
    location = store or "peacewatch-store"
    if ":" not in location.split("/")[0]:  # a folder (not postgres:...): absolute, as workers see it
        location = str(Path(location).expanduser().resolve())
    config = ServeConfig(
        store=location,
        data=data,
        expose_events=expose_events,
        allow_writes=allow_writes,
        max_days=max_days,
        max_rows=max_rows,
        query_timeout_s=query_timeout,
        query_threads=query_threads,
        cors_origins=tuple(cors_origin or ()),
        cases=str(cases.resolve()) if cases is not None else None,
        warm=warm,
    )
    run(config, host=host, port=port, workers=workers)


def register(app: typer.Typer) -> None:
    app.command()(serve)
