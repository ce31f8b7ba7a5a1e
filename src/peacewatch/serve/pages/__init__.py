"""The dashboard: server-rendered pages (home, case, explore, datasets) over the briefs' templates."""

from fastapi import APIRouter

router = APIRouter()
