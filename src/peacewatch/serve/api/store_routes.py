"""The store itself: status (mode and attribution), datasets, snapshots, diff, and the events (rows
only with ``--expose-events``; their count always)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from peacewatch.errors import IndicatorError
from peacewatch.serve.api.answering import (
    ERRORS,
    OK_JSON,
    FiltersQ,
    SnapshotQ,
    check_rows,
    check_span,
    run,
)
from peacewatch.serve.problems import Problem

router = APIRouter(responses=ERRORS)

Estimate = Literal["best", "low", "high"]

ENDPOINTS = [
    "GET /api/status",
    "GET /api/datasets",
    "GET /api/snapshots",
    "GET /api/diff/{from_snapshot}",
    "GET /api/events (--expose-events)",
    "GET /api/events/count",
    "GET /api/series",
    "GET /api/compare",
    "GET /api/trend",
    "GET /api/changepoints",
    "GET /api/its",
    "GET /api/cases",
    "GET /api/cases/{name}/evaluate",
    "GET /api/cases/{name}/claims",
    "GET /api/cases/{name}/brief",
    "GET /api/openapi.json",
]


def _status(store: Any, config: Any) -> dict[str, Any]:
    from peacewatch.briefs.attribution import for_source

    catalog = store.datasets()
    sources = sorted({d["source"] for d in catalog})
    exposed = config.expose_events
    return {
        "name": "peacewatch",
        "version": _version(),
        "snapshot": store.snapshot,
        "mode": "events exposed" if exposed else "derived figures only",
        "expose_events": exposed,
        "mode_note": (
            "This server gives event rows (notes, actor names, sources): a private deployment, whose "
            "operator answers for the data's terms."
            if exposed
            else "This server publishes derived figures (counts, rates, verdicts, charts) and their "
            "attribution, never event rows: ACLED's and GTD's terms forbid giving others their raw rows."
        ),
        "allow_writes": config.allow_writes,
        "datasets": [d["dataset_id"] for d in catalog],
        "attribution": [{"source": s, **for_source(s)} for s in sources],
        "endpoints": ENDPOINTS,
    }


def _version() -> str:
    import peacewatch

    return peacewatch.__version__


@router.get("/", responses=OK_JSON, summary="The server's mode, snapshot and attribution")
@router.get("/status", responses=OK_JSON, summary="The server's mode, snapshot and attribution")
async def status(request: Request, snapshot: SnapshotQ = None) -> Response:
    """What this server is: its version, the snapshot it reads, whether it gives event rows (the
    licence mode), whether it accepts writes, and the attribution every figure it serves carries."""
    config = request.app.state.config
    return await run(request, snapshot, lambda s: _status(s, config))


@router.get("/datasets", responses=OK_JSON, summary="The catalog (peacewatch datasets --json)")
async def datasets(request: Request, snapshot: SnapshotQ = None) -> Response:
    """One row per dataset: coverage, row counts (read, ingested, quarantined), version and sha256."""
    return await run(request, snapshot, lambda s: s.catalog())


@router.get("/snapshots", responses=OK_JSON, summary="The store's history (peacewatch snapshots --json)")
async def snapshots(request: Request, snapshot: SnapshotQ = None) -> Response:
    """Every snapshot: id, time, the command that made it, and per dataset the rows it changed."""
    return await run(request, snapshot, lambda s: s.snapshots())


@router.get("/diff/{from_snapshot}", responses=OK_JSON, summary="What changed (peacewatch diff N M --json)")
async def diff(
    request: Request,
    f: FiltersQ,
    from_snapshot: Annotated[int, Path(ge=0, description="The earlier snapshot id.")],
    to_snapshot: Annotated[
        int | None, Query(ge=0, description="The later snapshot id (default: the one read).")
    ] = None,
    estimate: Estimate = "best",
    snapshot: SnapshotQ = None,
) -> Response:
    """Rows inserted, updated and deleted per dataset between two snapshots, and the events and
    fatalities per dataset, country and month that moved, largest first."""
    from peacewatch.analysis.diff import diff as run_diff

    def work(s: Any) -> dict[str, Any]:
        payload = run_diff(s, from_snapshot, to_snapshot, f, estimate=estimate).to_dict()
        check_rows(len(payload["moves"]), "the moved cells", request, "Narrow the diff with filters.")
        return payload

    return await run(request, snapshot, work)


def _events_forbidden() -> Problem:
    return Problem(
        403,
        "events-not-exposed",
        "Event rows not served",
        "This server publishes derived figures only: ACLED's and GTD's terms forbid giving others their "
        "raw rows. GET /api/events/count, /api/series and /api/compare give counts; an operator serving "
        "a private deployment may start the server with `peacewatch serve --expose-events`.",
    )


@router.get("/events", responses={**OK_JSON, 403: ERRORS[400] | {"description": "Events not exposed"}})
async def events(
    request: Request,
    f: FiltersQ,
    limit: Annotated[int, Query(ge=0, description="At most this many rows.")] = 100,
    raw: Annotated[bool, Query(description="Add each event's original row (column raw).")] = False,
    snapshot: SnapshotQ = None,
) -> Response:
    """Events matching the filters, by date and event id (peacewatch events --json): only when the
    server runs with --expose-events, else a 403 problem saying why."""
    config = request.app.state.config
    if not config.expose_events:
        raise _events_forbidden()
    check_rows(limit, f"limit={limit}", request, "Ask for fewer rows, or page with narrower from/to.")
    check_span(f.date_from, f.date_to, "from:to", request)

    def work(s: Any) -> list[dict[str, Any]]:
        from peacewatch import analysis

        table = analysis.events(f, store=s, limit=limit, raw=raw)
        if not raw and "raw" in table.column_names:
            table = table.drop_columns(["raw"])
        return table.to_pylist()

    return await run(request, snapshot, work)


@router.get("/events/count", responses=OK_JSON, summary="How many events match (a derived figure)")
async def events_count(request: Request, f: FiltersQ, snapshot: SnapshotQ = None) -> Response:
    """The number of events matching the filters, and the datasets counted: a derived figure, served
    in every licence mode."""

    def work(s: Any) -> dict[str, Any]:
        from peacewatch import analysis

        s, sel = analysis.selection(f, s)
        if sel.table != "events":
            raise IndicatorError("events/count counts events; the chosen dataset is an aggregate (counts).")
        n = s.execute(sel.expr.aggregate(events=sel.expr.count())).column("events")[0].as_py()
        return {
            "events": n,
            "filters": f.to_dict(),
            "datasets": [d["dataset_id"] for d in sel.datasets],
            "snapshot": s.snapshot,
        }

    return await run(request, snapshot, work)
