"""The datasets page: the catalog with quarantine counts, the snapshots, and what changed between two
snapshots (``?from=N&to=M``; by default the last two)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from peacewatch.errors import ArgumentError, PeacewatchError
from peacewatch.serve.pages.views import api_at, error_page, reading, render

router = APIRouter()

# Moves (country and month) listed under a diff; the command gives them all.
DIFF_ROWS = 20


def _snapshot_id(value: str | None, name: str) -> int | None:
    if value in (None, ""):
        return None
    if not value.isdigit():
        raise ArgumentError(
            f"{name}={value!r}: expected a snapshot id (a whole number).", hint="See the list below."
        )
    return int(value)


@router.get("/datasets", response_class=HTMLResponse, summary="The catalog, snapshots and diffs")
def datasets(
    request: Request,
    snapshot: str | None = None,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
):
    """Each dataset with its rows read, ingested, quarantined and coverage; every snapshot; a diff."""
    try:
        with reading(request, snapshot) as store:
            catalog = store.datasets()
            snapshots = store.snapshots()
            snap, path = store.snapshot, store.path
        ids = [s["snapshot_id"] for s in snapshots if s["snapshot_id"] <= snap]
        a, b = _snapshot_id(from_, "from"), _snapshot_id(to, "to")
        if a is None and b is None and len(ids) >= 2:
            a, b = ids[-2], ids[-1]
        diff = None
        if a is not None:
            d = api_at(request, snap).diff(a, b if b is not None else snap)
            diff = d.to_dict()
    except PeacewatchError as exc:
        return error_page(request, exc)
    return render(
        request,
        "datasets.html.j2",
        title="Datasets",
        catalog=catalog,
        snapshots=list(reversed(snapshots)),
        store={"snapshot": snap, "path": path},
        diff=diff,
        diff_rows=DIFF_ROWS,
        diff_from=a,
        diff_to=b if b is not None else snap,
    )
