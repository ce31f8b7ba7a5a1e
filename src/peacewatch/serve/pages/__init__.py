"""The dashboard: server-rendered pages (home, case, commitment, explore, datasets) over the Python API
and the briefs' chart specs (docs/dashboard.md). Tables and text need no JavaScript; charts are drawn
by the vendored vega-embed from JSON blocks (static/dashboard.js), under a strict CSP."""

from fastapi import APIRouter

from peacewatch.serve.pages import case_pages, datasets, explore, home

router = APIRouter()
for _module in (home, case_pages, explore, datasets):
    router.include_router(_module.router)
