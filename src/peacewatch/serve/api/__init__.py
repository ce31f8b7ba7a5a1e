"""The JSON API: one route module per capability, the same payloads as the CLI's --json.

``router`` holds the read-only endpoints; ``write_router`` the ones that change the store, which the
app includes only with ``--allow-writes`` (docs/serve.md, "Security").
"""

from fastapi import APIRouter

from peacewatch.serve.api import case_routes, indicator_routes, store_routes, write_routes

router = APIRouter()
router.include_router(store_routes.router)
router.include_router(indicator_routes.router)
router.include_router(case_routes.router)

write_router = write_routes.router

__all__ = ["router", "write_router"]
