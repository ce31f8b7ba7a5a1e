"""Cases: the list, a case's verdicts (``evaluate``), its claim checks and its brief (HTML, PDF or the
JSON payload), as ``peacewatch evaluate|check --json`` and ``peacewatch brief`` give them."""

from __future__ import annotations

import datetime as dt
import tempfile
import threading
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request, Response

from peacewatch.serve.api.answering import ERRORS, OK_JSON, SnapshotQ, run
from peacewatch.serve.cases import CaseRef, case_ref, case_refs

router = APIRouter(responses=ERRORS)

CaseName = Annotated[str, Path(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$", description="GET /api/cases.")]
AsOf = Annotated[dt.date | None, Query(description="Judge as of this day (default: today).")]
# A brief's HTML is one self-contained file with its styles inline and no script: it gets a policy of
# its own that allows those styles and nothing else (no script at all, no remote resource).
BRIEF_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; sandbox"


@router.get("/cases", responses=OK_JSON, summary="The cases this server offers")
async def cases(request: Request) -> list[dict[str, Any]]:
    """Every case: built-in ones and the user's (``--cases``), with whether it has claims and a brief."""
    return [r.to_dict() for r in case_refs(request.app.state.config)]


def evaluation(ref: CaseRef, as_of: dt.date | None, dataset: str | None):
    """The work of ``GET /api/cases/{name}/evaluate`` (and of ``--warm``): the case's verdicts."""

    def work(s: Any) -> dict[str, Any]:
        from peacewatch.agreements import evaluate, load_case

        payload: dict[str, Any] = evaluate(
            load_case(ref.folder), as_of=as_of, store=s, dataset=dataset
        ).to_dict()
        return payload

    return work


def evaluation_key(name: str) -> tuple:
    """The cache key of ``GET /api/cases/{name}/evaluate`` without parameters (the day is part of it:
    the default ``as_of`` is today)."""
    return (f"/api/cases/{name}/evaluate", (), dt.date.today())


@router.get("/cases/{name}/evaluate", responses=OK_JSON, summary="Verdicts (peacewatch evaluate --json)")
async def evaluate(
    request: Request,
    name: CaseName,
    as_of: AsOf = None,
    dataset: Annotated[str | None, Query(description="Measure violence on this dataset.")] = None,
    snapshot: SnapshotQ = None,
) -> Response:
    """Each commitment of the case's agreement judged into a verdict with its evidence."""
    ref = case_ref(request.app.state.config, name)
    return await run(request, snapshot, evaluation(ref, as_of, dataset), None if as_of else dt.date.today())


@router.get("/cases/{name}/claims", responses=OK_JSON, summary="Claim checks (peacewatch check --json)")
async def claims(
    request: Request, name: CaseName, as_of: AsOf = None, snapshot: SnapshotQ = None
) -> Response:
    """Each claim of the case's briefing: supported, contradicted, inconclusive or insufficient_data."""
    ref = case_ref(request.app.state.config, name)
    if not ref.has_claims:
        from peacewatch.serve.problems import Problem

        raise Problem(404, "no-claims", "No claims", f"case {name!r} has no claims.yaml to check.")

    def work(s: Any) -> dict[str, Any]:
        from peacewatch.agreements import standin
        from peacewatch.briefs.claims import check_claims, claims_path, load_claims

        claims = load_claims(claims_path(ref.folder))
        reading = standin.for_folder(ref.folder, s)  # the rule evaluate and the case pages use
        results = check_claims(claims, store=s, as_of=as_of, reading=reading)
        stand_in = reading.to_dict(d for c in claims for d in c.check.filters.dataset)
        return {
            "claims": [r.to_dict() for r in results],
            "snapshot": s.snapshot,
            "stand_in": stand_in,
            "notes": [stand_in["note"]] if stand_in else [],
        }

    return await run(request, snapshot, work, None if as_of else dt.date.today())


# A brief runs dozens of queries and draws its charts: it gets this many times the query time limit.
BRIEF_SLOW = 6.0
_BUILT: dict[tuple, Any] = {}
_BUILT_LOCK = threading.Lock()


def _built(ref: CaseRef, store: Any) -> Any:
    """The brief of ``ref`` at the store's snapshot, built once for its three formats (the last few
    kept: a build is the costly part, rendering HTML or JSON is not)."""
    from peacewatch.briefs import build as brief_build

    key = (str(ref.folder), str(store.path), store.snapshot)
    with _BUILT_LOCK:
        found = _BUILT.get(key)
    if found is None:
        found = brief_build.build(ref.folder, store=store)
        with _BUILT_LOCK:
            _BUILT[key] = found
            while len(_BUILT) > 4:
                _BUILT.pop(next(iter(_BUILT)))
    return found


_MEDIA = {"html": "text/html; charset=utf-8", "pdf": "application/pdf", "json": "application/json"}


@router.get(
    "/cases/{name}/brief",
    summary="The case's brief: HTML, PDF or its JSON payload",
    responses={
        200: {"content": {m.split(";")[0]: {} for m in _MEDIA.values()}},
        304: {"description": "Not modified"},
    },
)
async def brief(
    request: Request,
    name: CaseName,
    format: Annotated[Literal["html", "pdf", "json"], Query(description="html, pdf or json.")] = "html",
    snapshot: SnapshotQ = None,
) -> Response:
    """The briefing ``peacewatch brief`` writes, built at the snapshot read: brief.html (one file, no
    script), brief.pdf, or brief.json (the payload behind both)."""
    ref = case_ref(request.app.state.config, name)
    if not ref.has_brief:
        from peacewatch.serve.problems import Problem

        raise Problem(404, "no-brief", "No brief", f"case {name!r} has no brief.yaml to build.")

    def work(s: Any) -> bytes:
        from peacewatch.briefs import render as brief_render

        built = _built(ref, s)
        with tempfile.TemporaryDirectory(prefix="peacewatch-brief-") as tmp:
            paths = brief_render.write(built, FilePath(tmp) / "out", pdf=format == "pdf")
            return FilePath(paths[format]).read_bytes()

    response = await run(
        request,
        snapshot,
        work,
        media_type=_MEDIA[format],
        encode=lambda b: b,
        filename=f"{name}.{format}",
        slow=BRIEF_SLOW,
    )
    if format == "html":
        response.headers["Content-Security-Policy"] = BRIEF_CSP
    return response
