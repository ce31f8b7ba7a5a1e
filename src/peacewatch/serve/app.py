"""The ASGI app: the JSON API (serve/api) and the dashboard (serve/pages) over one store."""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from peacewatch.serve.config import ServeConfig

STATIC = Path(__file__).parent / "static"
log = logging.getLogger("peacewatch.serve")


def create_app(config: ServeConfig) -> FastAPI:
    """The app for ``config``: ``app.state.config`` is the config, ``app.state.store`` the opened
    :class:`peacewatch.api.StoreAPI` (reading the latest snapshot unless a request names one), and
    ``app.state.reader`` the :class:`peacewatch.serve.reading.Reader` behind the API's cache.

    A store that does not exist, or ``allow_writes`` without a token, is a PeacewatchError here, before
    the server listens."""
    from peacewatch.api import open_store
    from peacewatch.serve import problems, security
    from peacewatch.serve.api import router as api_router
    from peacewatch.serve.api import write_router
    from peacewatch.serve.pages import router as pages_router
    from peacewatch.serve.reading import Reader
    from peacewatch.store import Store
    from peacewatch.store.team import locate_cli

    token = security.write_token(config.write_token, config.allow_writes)
    location = locate_cli(str(config.store), str(config.data) if config.data is not None else None)
    Store(location)._require()  # a clear error now, not on every request

    app = FastAPI(
        title="peacewatch",
        version=_version(),
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=_lifespan,
        description="A read-only JSON API over a peacewatch store: the payloads of the CLI's --json "
        "(docs/serve.md). Errors are RFC 9457 problem details.",
    )
    app.state.config = config
    app.state.write_token = token
    app.state.store = open_store(location)
    app.state.reader = Reader(location, timeout_s=config.query_timeout_s, threads=config.query_threads)
    problems.install(app)
    security.install(app, tuple(config.cors_origins))
    app.include_router(api_router, prefix="/api")
    if config.allow_writes:
        app.include_router(write_router, prefix="/api")
    # The OpenAPI document describes the JSON API; the dashboard's HTML pages are docs/dashboard.md's.
    app.include_router(pages_router, include_in_schema=False)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


@contextlib.asynccontextmanager
async def _lifespan(app: FastAPI):
    if app.state.config.warm:
        import anyio

        await anyio.to_thread.run_sync(lambda: warm(app))
    try:
        yield
    finally:
        app.state.reader.close()
        app.state.store.store.close()


def warm(app: FastAPI) -> int:
    """Evaluate every case at the latest snapshot into the cache, as ``GET /api/cases/{name}/evaluate``
    would, so that the first view of a case is fast; returns how many were evaluated. A case that
    cannot be evaluated is logged and skipped: its page will say why."""
    from peacewatch.errors import PeacewatchError
    from peacewatch.serve.api.case_routes import evaluation, evaluation_key
    from peacewatch.serve.cases import case_refs
    from peacewatch.serve.pages import casework

    done = 0
    for ref in case_refs(app.state.config):
        try:
            app.state.reader.answer_now(evaluation_key(ref.name), None, evaluation(ref, None, None))
            casework.warm(app.state.store, ref)  # the dashboard's case page and its chart
            done += 1
        except PeacewatchError as exc:
            log.warning("--warm: case %s not evaluated: %s", ref.name, exc)
    return done


def _version() -> str:
    import peacewatch

    return peacewatch.__version__
