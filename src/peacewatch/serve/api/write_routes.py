"""Endpoints that change the store: they exist only with ``--allow-writes``, and each needs the
server's bearer token (``$PEACEWATCH_SERVE_TOKEN``, compared in constant time)."""

from __future__ import annotations

import importlib
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


@router.post(
    "/sync/{source}", summary="Sync a live source into the store (needs --allow-writes and the token)"
)
async def sync(
    request: Request,
    source: Annotated[str, PathParam(pattern=r"^[a-z_]{1,20}$", description="acled, ucdp or gdelt.")],
) -> Any:
    """Run ``peacewatch sync SOURCE`` against the served store, when this build of peacewatch has
    live sources (peacewatch.sync); otherwise a 501 problem."""
    try:
        module = importlib.import_module("peacewatch.sync.run")
    except ImportError:
        raise Problem(
            501,
            "not-implemented",
            "Not implemented",
            "This build of peacewatch has no live sources (peacewatch.sync): ingest files with POST "
            "/api/ingest instead.",
        ) from None
    runner = getattr(module, "sync_store", None)
    if runner is None:
        raise Problem(501, "not-implemented", "Not implemented", "peacewatch.sync offers no sync_store().")

    def work() -> Any:
        return runner(request.app.state.reader.location, source)

    payload = await anyio.to_thread.run_sync(work)
    request.app.state.reader.clear()
    from fastapi.responses import Response

    return Response(dumps(payload), media_type="application/json")
