"""The JSON API: one route module per capability, the same payloads as the CLI's --json."""

from fastapi import APIRouter

router = APIRouter()
