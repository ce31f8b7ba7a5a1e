"""Errors as RFC 9457 problem details (``application/problem+json``), never a 500 for bad input.

Every answer that is not a success has the same shape::

    {"type": "https://peacewatch.dev/problems/bad-argument", "title": "Bad argument", "status": 400,
     "detail": "start='2020-02-30': expected a date as 'YYYY-MM-DD' ...", "instance": "/api/series?..."}

``type`` names the kind of problem (one page per kind in docs/serve.md, "Problems"); ``detail`` is the
message a :class:`PeacewatchError` carries, which says what was expected, what was found and where to
fix it. A :class:`PeacewatchError` a request caused is the user's to fix: a 4xx, chosen by its class.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from peacewatch import errors

PROBLEM_TYPE = "application/problem+json"
TYPE_BASE = "https://peacewatch.dev/problems/"
log = logging.getLogger("peacewatch.serve")


class Problem(Exception):
    """A problem the server answers with: ``status``, a ``kind`` (the slug of ``type``), a ``title``
    and the ``detail`` sentence; ``headers`` go on the response (``WWW-Authenticate``, ``Retry-After``)."""

    def __init__(
        self, status: int, kind: str, title: str, detail: str, *, headers: dict[str, str] | None = None
    ):
        super().__init__(detail)
        self.status, self.kind, self.title, self.detail = status, kind, title, detail
        self.headers = headers or {}


# The most specific class first: a CoverageError is an IndicatorError, and both are PeacewatchErrors.
# 404: the thing named is not there; 422: the request is well formed but the data cannot answer it;
# 400: the request itself is wrong.
_STATUS: list[tuple[type[Exception], int, str, str]] = [
    (errors.ArgumentError, 400, "bad-argument", "Bad argument"),
    (errors.CoverageError, 422, "outside-coverage", "Outside the data's coverage"),
    (errors.MissingFieldError, 422, "missing-field", "The data lack a field"),
    (errors.AmbiguousDatasetsError, 422, "ambiguous-datasets", "Datasets overlap"),
    (errors.UnmatchedActorError, 422, "unmatched-actor", "No event names the actor"),
    (errors.PlaceError, 404, "unknown-place", "Unknown place"),
    (errors.TaxonomyError, 400, "unknown-actor", "Unknown actor"),
    (errors.StatisticsError, 422, "statistics", "The method cannot be applied"),
    (errors.IndicatorError, 400, "bad-indicator", "Bad indicator request"),
    (errors.IngestError, 422, "ingest-refused", "Ingest refused"),
    (errors.StoreError, 404, "store", "Not in the store"),
    (errors.SourceError, 422, "source", "Source file problem"),
    (errors.BriefError, 422, "brief", "The brief cannot be built"),
    (errors.CaseError, 422, "case", "Case problem"),
    (errors.PeacewatchError, 400, "bad-request", "Bad request"),
]


def from_error(exc: errors.PeacewatchError) -> Problem:
    """The problem a :class:`PeacewatchError` becomes (a case name the server does not offer is a
    404 like any other name it does not know)."""
    from peacewatch.serve.cases import UnknownCaseError

    if isinstance(exc, UnknownCaseError):
        return Problem(404, "unknown-case", "Unknown case", str(exc))
    for cls, status, kind, title in _STATUS:
        if isinstance(exc, cls):
            return Problem(status, kind, title, str(exc))
    raise AssertionError("PeacewatchError is the last entry")  # pragma: no cover


def body(problem: Problem, instance: str) -> dict[str, Any]:
    """The problem's JSON members (RFC 9457, section 3.1)."""
    return {
        "type": TYPE_BASE + problem.kind,
        "title": problem.title,
        "status": problem.status,
        "detail": problem.detail,
        "instance": instance,
    }


def response(problem: Problem, request: Request) -> JSONResponse:
    """The problem+json response for ``problem``, its ``instance`` the request's path and query."""
    instance = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return JSONResponse(
        body(problem, instance), status_code=problem.status, media_type=PROBLEM_TYPE, headers=problem.headers
    )


def _validation_detail(exc: RequestValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = [str(p) for p in err.get("loc", ()) if p not in ("query", "path", "body")]
        found = err.get("input")
        shown = "" if found is None or isinstance(found, dict | list) else f", found {found!r}"
        parts.append(f"{'.'.join(loc) or 'the request'}: {err.get('msg', 'invalid')}{shown}")
    return "; ".join(parts) + " (docs/serve.md lists each endpoint's parameters)."


_HTTP_KINDS = {
    404: ("not-found", "Not found"),
    405: ("method-not-allowed", "Method not allowed"),
    406: ("not-acceptable", "Not acceptable"),
    413: ("too-large", "Request body too large"),
    415: ("unsupported-media-type", "Unsupported media type"),
}


def install(app: FastAPI) -> None:
    """Answer every error as problem+json: PeacewatchErrors by their class, bad parameters 400,
    unknown routes 404, and anything else (a bug) a 500 whose detail gives nothing away."""

    @app.exception_handler(Problem)
    async def _problem(request: Request, exc: Problem) -> JSONResponse:
        return response(exc, request)

    @app.exception_handler(errors.PeacewatchError)
    async def _peacewatch(request: Request, exc: errors.PeacewatchError) -> JSONResponse:
        return response(from_error(exc), request)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        return response(Problem(400, "bad-parameter", "Bad parameter", _validation_detail(exc)), request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        kind, title = _HTTP_KINDS.get(exc.status_code, ("http", "HTTP error"))
        detail = exc.detail if isinstance(exc.detail, str) else json.dumps(exc.detail)
        if exc.status_code == 404 and detail == "Not Found":
            detail = f"{request.url.path}: no such page or endpoint; GET /api/ lists the API's endpoints."
        problem = Problem(exc.status_code, kind, title, detail, headers=dict(exc.headers or {}))
        return response(problem, request)

    @app.exception_handler(Exception)
    async def _bug(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s", request.url.path)
        problem = Problem(
            500,
            "internal",
            "Internal error",
            "A bug in peacewatch: the server's log has the traceback; please report it.",
        )
        return response(problem, request)


# The problem's schema, for the OpenAPI document's error responses.
PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status", "detail", "instance"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
    },
}
