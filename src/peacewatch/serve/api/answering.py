"""What every API route shares: the filter parameters, the snapshot, the bounds on work, and the
response (ETag, 304, the snapshot read in ``Peacewatch-Snapshot``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Query, Request, Response

from peacewatch.indicators.filters import Filters
from peacewatch.serve.problems import PROBLEM_SCHEMA, PROBLEM_TYPE, Problem
from peacewatch.serve.reading import Answer, snapshot_param

SnapshotQ = Annotated[
    str | None,
    Query(
        description="Read the store at this snapshot: an id (GET /api/snapshots), or an ISO time (the "
        "last snapshot committed by then). Default: the latest.",
        pattern=r"^\s*(\d+|@?\d{4}-\d{2}-\d{2}([T ][0-9:.+\-Z]*)?)\s*$",
    ),
]

# The 4xx and 5xx answers every data endpoint may give, for the OpenAPI document.
ERRORS: dict[int | str, dict[str, Any]] = {
    status: {"description": text, "content": {PROBLEM_TYPE: {"schema": PROBLEM_SCHEMA}}}
    for status, text in (
        (400, "Bad request: a parameter is wrong or the request exceeds the server's bounds."),
        (404, "Not found: no such snapshot, case, dataset or place."),
        (422, "The data cannot answer: outside coverage, a missing field, overlapping datasets."),
        (503, "The query ran past the server's time limit and was stopped."),
    )
}
OK_JSON: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}}},
    304: {"description": "Not modified"},
}


def filters(
    dataset: Annotated[list[str] | None, Query(description="Dataset id (repeatable), or 'all'.")] = None,
    source: Annotated[str | None, Query(description="ucdp_ged, acled, gdelt, gtd, mapped:NAME.")] = None,
    country: Annotated[list[str] | None, Query(description="Country name or ISO3; A+B or repeated.")] = None,
    admin1: Annotated[list[str] | None, Query(description="First-level unit; A+B or repeated.")] = None,
    admin2: Annotated[list[str] | None, Query(description="Second-level unit; A+B or repeated.")] = None,
    actor: Annotated[str | None, Query(description="Actor key on either side, or KEY+KEY.")] = None,
    actor1: Annotated[str | None, Query(description="Actor key (or KEY+KEY) on side 1.")] = None,
    actor2: Annotated[str | None, Query(description="Actor key (or KEY+KEY) on side 2.")] = None,
    dyad: Annotated[str | None, Query(description="Two actor keys KEY,KEY, in either order.")] = None,
    type: Annotated[list[str] | None, Query(description="Canonical event type (repeatable).")] = None,
    violence_type: Annotated[str | None, Query(description="state_based, non_state or one_sided.")] = None,
    precision: Annotated[str | None, Query(description="day, week, month, year or range.")] = None,
    date_from: Annotated[dt.date | None, Query(alias="from", description="First day (inclusive).")] = None,
    date_to: Annotated[dt.date | None, Query(alias="to", description="Last day (inclusive).")] = None,
) -> Filters:
    """The CLI's filters (docs/cli.md) as query parameters, with the CLI's names (``from``, ``to``)."""
    values = {
        "dataset": dataset,
        "source": source,
        "country": country,
        "admin1": admin1,
        "admin2": admin2,
        "actor": actor,
        "actor1": actor1,
        "actor2": actor2,
        "dyad": dyad,
        "type": type,
        "violence_type": violence_type,
        "precision": precision,
        "from": date_from,
        "to": date_to,
    }
    spec = {k: v for k, v in values.items() if v not in (None, [], ())}
    if date_from and date_to and date_to < date_from:
        raise Problem(
            400, "bad-parameter", "Bad parameter", f"from={date_from} is after to={date_to}: give from <= to."
        )
    return Filters.from_spec(spec, where="query")


FiltersQ = Annotated[Filters, Depends(filters)]


def check_span(start: dt.date | None, end: dt.date | None, what: str, request: Request) -> None:
    """A 400 when ``start``..``end`` is longer than the server's maximum (``--max-days``)."""
    limit = request.app.state.config.max_days
    if start is not None and end is not None and (end - start).days + 1 > limit:
        raise Problem(
            400,
            "too-wide",
            "Span too wide",
            f"{what} {start}:{end} spans {(end - start).days + 1:,} days; this server answers at most "
            f"{limit:,} days per request. Ask for a shorter span (or run the CLI on the store).",
        )


def check_rows(count: int, what: str, request: Request, hint: str) -> None:
    """A 400 when an answer would hold more than the server's maximum rows (``--max-rows``)."""
    limit = request.app.state.config.max_rows
    if count > limit:
        raise Problem(
            400,
            "too-many-rows",
            "Too many rows",
            f"{what}: {count:,} rows; this server answers at most {limit:,} rows per request. {hint}",
        )


def key_of(request: Request, *extra: Any) -> tuple:
    """The cache key of a request without its snapshot (the reader adds the id it resolved): the path
    and the query parameters sorted, so that their order does not matter."""
    query = tuple(sorted((k, v) for k, v in request.query_params.multi_items() if k != "snapshot"))
    return (request.url.path, query, *extra)


def respond(request: Request, answer: Answer, *, filename: str | None = None) -> Response:
    """The response for ``answer``: 304 when the client holds it (If-None-Match), else the body; both
    with its ETag and the snapshot read."""
    headers = {
        "ETag": answer.etag,
        "Peacewatch-Snapshot": str(answer.snapshot),
        # A response at a snapshot never changes; "no-cache" makes a client revalidate (a cheap 304)
        # because the latest snapshot may move.
        "Cache-Control": "no-cache",
    }
    if filename:
        headers["Content-Disposition"] = f'inline; filename="{filename}"'
    held = request.headers.get("if-none-match", "")
    tags = {t.strip().removeprefix("W/") for t in held.split(",") if t.strip()}
    if answer.etag in tags or "*" in tags:
        return Response(status_code=304, headers=headers)
    return Response(answer.body, media_type=answer.media_type, headers=headers)


async def run(
    request: Request, snapshot: str | None, work: Callable[[Any], Any], *extra: Any, **kw: Any
) -> Response:
    """Answer a request: resolve its snapshot, serve the cached answer or compute ``work(store)``
    within the time limit, and respond."""
    filename = kw.pop("filename", None)
    reader = request.app.state.reader
    answer = await reader.answer(key_of(request, *extra), snapshot_param(snapshot), work, **kw)
    return respond(request, answer, filename=filename)
