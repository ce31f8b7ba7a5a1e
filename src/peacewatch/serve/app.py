"""The ASGI app: the JSON API (serve/api) and the dashboard (serve/pages) over one store."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from peacewatch.serve.config import ServeConfig

STATIC = Path(__file__).parent / "static"


def create_app(config: ServeConfig) -> FastAPI:
    """The app for ``config``: ``app.state.config`` is the config, ``app.state.store`` the opened
    :class:`peacewatch.api.StoreAPI` (reading the latest snapshot unless a request names one)."""
    from peacewatch.api import open_store
    from peacewatch.serve.api import router as api_router
    from peacewatch.serve.pages import router as pages_router

    app = FastAPI(
        title="peacewatch", version=_version(), docs_url="/api/docs", openapi_url="/api/openapi.json"
    )
    app.state.config = config
    app.state.store = open_store(config.store)
    app.include_router(api_router, prefix="/api")
    app.include_router(pages_router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


def _version() -> str:
    import peacewatch

    return peacewatch.__version__
