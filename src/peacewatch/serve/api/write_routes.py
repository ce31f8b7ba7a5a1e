"""Endpoints that change the store: they exist only with ``--allow-writes``, and each needs the
server's bearer token (``$PEACEWATCH_SERVE_TOKEN``, compared in constant time)."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Depends, Query, Request
from fastapi import Path as PathParam

from peacewatch.serve.api.answering import ERRORS
from peacewatch.serve.problems import Problem
from peacewatch.serve.reading import dumps
from peacewatch.serve.security import require_token

router = APIRouter(responses=ERRORS, dependencies=[Depends(require_token)])

# An upload is spooled to disk; past this size it is refused (413) before the ingest starts.
MAX_UPLOAD = 2 << 30
_SUFFIX = re.compile(r"^[A-Za-z0-9_.-]{1,100}$")


def _suffix(filename: str) -> str:
    """The uploaded file's extension(s), which the readers use to tell formats apart (.csv, .csv.gz,
    .json); the name itself never becomes a path on the server."""
    if not _SUFFIX.match(filename) or filename.startswith("."):
        raise Problem(
            400, "bad-parameter", "Bad parameter", f"filename={filename!r}: expected a plain file name."
        )
    return "".join(Path(filename).suffixes[-2:])


@router.post("/ingest", summary="Ingest an uploaded file (needs --allow-writes and the token)")
async def ingest(
    request: Request,
    filename: Annotated[str, Query(description="The file's name, e.g. ged.csv.gz (its extension counts).")],
    source: Annotated[str | None, Query(description="Force a reader: ucdp_ged, acled, gdelt, gtd.")] = None,
    name: Annotated[str | None, Query(description="The dataset id to give it.")] = None,
) -> Any:
    """The request body is the file (application/octet-stream); it is ingested atomically as
    ``peacewatch ingest`` does, and the answer is the ingest reports (``peacewatch ingest --json``)."""
    suffix = _suffix(filename)
    with tempfile.TemporaryDirectory(prefix="peacewatch-upload-") as tmp:
        path = Path(tmp) / f"upload{suffix}"
        size = 0
        with open(path, "wb") as fh:
            async for chunk in request.stream():
                size += len(chunk)
                if size > MAX_UPLOAD:
                    raise Problem(
                        413, "too-large", "Upload too large", f"The upload exceeds {MAX_UPLOAD:,} bytes."
                    )
                fh.write(chunk)
        if size == 0:
            raise Problem(400, "empty-upload", "Empty upload", "The request body is empty: send the file.")

        def work() -> list[dict[str, Any]]:
            from peacewatch.store import Store

            reports = Store(request.app.state.reader.location).ingest([path], source=source, dataset_id=name)
            return [r.to_dict() for r in reports]

        payload = await anyio.to_thread.run_sync(work)
    request.app.state.reader.clear()
    from fastapi.responses import Response

    return Response(dumps(payload), media_type="application/json")


# The path names a service as `peacewatch sync SERVICE` does; the registry keys are catalog sources.
_SOURCES = {"acled": "acled", "ucdp": "ucdp_ged", "ucdp_ged": "ucdp_ged", "gdelt": "gdelt"}
_FIRST = {
    "acled": "peacewatch sync acled --country COUNTRY --since YYYY-MM-DD",
    "ucdp_ged": "peacewatch sync ucdp --dataset ged",
    "gdelt": "peacewatch sync gdelt --since YYYY-MM-DD",
}


async def _dataset_named(request: Request, dataset: str | None) -> str | None:
    """The dataset the query (``?dataset=``) or a JSON body (``{"dataset": ...}``) names, if any."""
    if dataset:
        return dataset
    body = await request.body()
    if not body.strip():
        return None
    try:
        doc = json.loads(body)
    except ValueError:
        doc = None
    if not isinstance(doc, dict) or not isinstance(doc.get("dataset", ""), str):
        raise Problem(
            400, "bad-parameter", "Bad parameter", 'Expected a JSON body {"dataset": "ID"} or ?dataset=ID.'
        )
    return doc.get("dataset") or None


@router.post(
    "/sync/{source}", summary="Sync a live source into the store (needs --allow-writes and the token)"
)
async def sync(
    request: Request,
    source: Annotated[str, PathParam(pattern=r"^[a-z_]{1,20}$", description="acled, ucdp or gdelt.")],
    dataset: Annotated[
        str | None, Query(description="The synced dataset (default: the source's only one).")
    ] = None,
) -> Any:
    """Sync again a dataset a ``peacewatch sync SOURCE`` made, with the filters, service and cursor of
    its last sync (the registry ``peacewatch watch`` uses), and answer the sync's report
    (``peacewatch sync SOURCE --json``). The store's writer lock is taken as by any sync."""
    from fastapi.responses import Response

    from peacewatch.errors import SyncError
    from peacewatch.store import Store
    from peacewatch.watch.sources import SYNCERS, synced_datasets

    catalog_source = _SOURCES.get(source)
    if catalog_source is None or catalog_source not in SYNCERS:
        raise Problem(
            404, "unknown-source", "Unknown source", f"{source!r}: expected one of acled, ucdp, gdelt."
        )
    named = await _dataset_named(request, dataset)
    location = request.app.state.reader.location
    syncer = SYNCERS[catalog_source]

    def work() -> dict[str, Any]:
        store = Store(location)
        synced = synced_datasets(store, catalog_source)
        ds = named
        if ds is None and len(synced) > 1:
            raise Problem(
                400,
                "ambiguous-dataset",
                "Which dataset?",
                f"{source} has {len(synced)} synced datasets: {', '.join(synced)}; name one with "
                "?dataset=ID.",
            )
        ds = ds or (synced[0] if synced else None)
        if ds is None or ds not in synced:
            what = f"dataset {ds!r} was" if ds else "nothing was"
            raise Problem(
                409,
                "never-synced",
                "Never synced",
                f"{what} never synced from {source} into this store: run `{_FIRST[catalog_source]}` "
                f"(--store {location}) first.",
            )
        try:
            return syncer.sync(store, ds)["report"]
        except SyncError as exc:
            raise Problem(502, "sync-failed", "The sync failed", str(exc)) from None

    payload = await anyio.to_thread.run_sync(work)
    request.app.state.reader.clear()
    return Response(dumps(payload), media_type="application/json")
