"""The case page (``/cases/{name}``: verdict board, chart, claim checks, chronology) and a commitment's
evidence page (``/cases/{name}/commitments/{id}``). Both take ``?as_of=YYYY-MM-DD`` and ``?snapshot=N``."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from peacewatch.errors import ArgumentError, PeacewatchError
from peacewatch.serve.cases import UnknownCaseError, case_ref
from peacewatch.serve.pages import casework
from peacewatch.serve.pages.views import api_at, error_page, render, snapshot_of

router = APIRouter()


class UnknownCommitmentError(ArgumentError):
    """A commitment page named a commitment the case does not have (a 404 page)."""


VERDICT_ORDER = ("met", "late", "not_met", "inconclusive", "insufficient_data", "not_due")


def _as_of(value: str | None) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ArgumentError(
            f"as_of={value!r}: expected a date as YYYY-MM-DD.", hint="Fix ?as_of= in the address."
        ) from None


def _view(request: Request, name: str, as_of: str | None, snapshot: str | None):
    config = request.app.state.config
    ref = case_ref(config, name)
    snap = snapshot_of(request, snapshot)
    return casework.case_view(request.app.state.store, ref, snap, _as_of(as_of)), snap


def _board(view: casework.CaseView) -> dict[str, list[dict]]:
    """Commitments grouped by party (joint ones under "joint"), in the agreement's order."""
    board: dict[str, list[dict]] = defaultdict(list)
    for c in (view.evaluation or {}).get("commitments", []):
        board[c["party"] or "joint"].append(c)
    return dict(board)


@router.get("/cases/{name}", response_class=HTMLResponse, summary="A case's dashboard page")
def case_page(request: Request, name: str, as_of: str | None = None, snapshot: str | None = None):
    """The verdict board, the chart of the measured windows, the claim checks and the chronology."""
    try:
        view, _ = _view(request, name, as_of, snapshot)
        commitments = (view.evaluation or {}).get("commitments", [])
        figure = casework.case_chart(request.app.state.store, view)
    except PeacewatchError as exc:
        return error_page(request, exc, 404 if isinstance(exc, UnknownCaseError) else 400)
    return render(
        request,
        "case.html.j2",
        title=view.title,
        view=view,
        board=_board(view),
        verdicts=VERDICT_ORDER,
        figure=figure if not isinstance(figure, str) else None,
        figure_error=figure if isinstance(figure, str) else None,
        datasets=_datasets(commitments),
    )


@router.get("/cases/{name}/commitments/{cid}", response_class=HTMLResponse, summary="A commitment's evidence")
def commitment_page(
    request: Request, name: str, cid: str, as_of: str | None = None, snapshot: str | None = None
):
    """One commitment: its verdict, the quoted text and source, the comparison with its interval and
    the chart with its window shaded, the dated facts, and (with --expose-events) the events."""
    try:
        view, snap = _view(request, name, as_of, snapshot)
        c = casework.commitment(view, cid)
        if c is None:
            ids = ", ".join(x["id"] for x in (view.evaluation or {}).get("commitments", []))
            raise UnknownCommitmentError(
                f"case {name!r} has no commitment {cid!r}; its commitments are: {ids or 'none evaluated'}.",
                hint=f"See /cases/{name}.",
            )
        comp = (c.get("evidence") or {}).get("comparison")
        figure = None
        if comp:
            import json

            figure = casework.comparisons_figure(
                request.app.state.store,
                view.snapshot,
                ((cid, json.dumps(comp, sort_keys=True, default=str)),),
                _as_of(view.evaluation["as_of"]),
                f"Events per day: {cid}, window against baseline",
                f"commitment-{cid}",
            )
        events = casework.window_events(request, api_at(request, snap), comp) if comp else None
    except PeacewatchError as exc:
        return error_page(
            request,
            exc,
            404 if isinstance(exc, UnknownCaseError | UnknownCommitmentError) else 400,
        )
    return render(
        request,
        "commitment.html.j2",
        title=f"{cid}: {c['verdict'].replace('_', ' ')}",
        view=view,
        c=c,
        ev=c.get("evidence") or {},
        comp=comp,
        figure=figure if not isinstance(figure, str) else None,
        figure_error=figure if isinstance(figure, str) else None,
        events=events,
    )


def _datasets(commitments: list[dict]) -> list[dict]:
    seen: dict[str, dict] = {}
    for c in commitments:
        for d in ((c.get("evidence") or {}).get("comparison") or {}).get("datasets", []):
            seen.setdefault(d["dataset_id"], d)
    return list(seen.values())
