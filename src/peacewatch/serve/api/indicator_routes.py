"""Indicators and statistics: series, compare, trend, changepoints, its, with the payloads of the
CLI's ``--json`` (the same analysis functions; cli/indicator_cmds.py)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response

from peacewatch.errors import PeacewatchError
from peacewatch.indicators.filters import Filters
from peacewatch.serve.api.answering import (
    ERRORS,
    OK_JSON,
    FiltersQ,
    SnapshotQ,
    check_rows,
    check_span,
    run,
)

router = APIRouter(responses=ERRORS)

Measure = Annotated[
    Literal["events", "fatalities", "articles"],
    Query(description="events, fatalities, or articles (news-derived data only)."),
]
Estimate = Annotated[Literal["best", "low", "high"], Query(description="Fatality estimate.")]
SPAN = r"^\d{4}-\d{2}-\d{2}:\d{4}-\d{2}-\d{2}$"


def _span_days(text: str | None, what: str, request: Request) -> None:
    """Hold a START:END span to the server's maximum (a malformed one is left to the analysis, which
    says what it expected)."""
    if not text:
        return
    try:
        start, end = (dt.date.fromisoformat(p) for p in text.split(":"))
    except ValueError:
        return
    check_span(start, end, what, request)


@router.get(
    "/series", responses=OK_JSON, summary="Events or fatalities per period (peacewatch series --json)"
)
async def series(
    request: Request,
    f: FiltersQ,
    by: Annotated[Literal["day", "week", "month"], Query(description="day, week (ISO) or month.")] = "day",
    measure: Measure = "events",
    estimate: Estimate = "best",
    snapshot: SnapshotQ = None,
) -> Response:
    """Events or fatalities per day, ISO week or month, zero-filled over from..to (default: the
    coverage of the selected datasets)."""
    check_span(f.date_from, f.date_to, "from:to", request)

    def work(s: Any) -> dict[str, Any]:
        from peacewatch import analysis

        payload = analysis.series(f, by=by, measure=measure, estimate=estimate, store=s).to_dict()
        check_rows(len(payload["points"]), "the series", request, "Give from/to, or a coarser 'by'.")
        return payload

    return await run(request, snapshot, work)


@router.get("/compare", responses=OK_JSON, summary="A window against a baseline (peacewatch compare --json)")
async def compare(
    request: Request,
    f: FiltersQ,
    window: Annotated[str, Query(pattern=SPAN, description="START:END, both inclusive.")],
    baseline: Annotated[str | None, Query(pattern=SPAN, description="START:END, both inclusive.")] = None,
    baseline_preceding: Annotated[int | None, Query(ge=1, le=36600, description="The N days before.")] = None,
    baseline_years: Annotated[int | None, Query(ge=1, le=100, description="The K previous years.")] = None,
    measure: Measure = "events",
    estimate: Estimate = "best",
    method: Annotated[
        Literal["quasi_poisson", "exact_poisson", "negative_binomial"] | None,
        Query(description="Default quasi_poisson (docs/methods.md)."),
    ] = None,
    snapshot: SnapshotQ = None,
) -> Response:
    """The rate in ``window`` against one baseline (``baseline``, ``baseline_preceding`` or
    ``baseline_years``): rate ratio, its interval and p-value."""
    _span_days(window, "window", request)
    _span_days(baseline, "baseline", request)

    def work(s: Any) -> dict[str, Any]:
        from peacewatch import analysis

        result = analysis.compare(
            f,
            window=window,
            baseline=baseline,
            baseline_preceding=baseline_preceding,
            baseline_years=baseline_years,
            measure=measure,
            estimate=estimate,
            method=method,
            store=s,
        )
        return result.to_dict()

    return await run(request, snapshot, work)


@router.get("/trend", responses=OK_JSON, summary="A month against the three before (peacewatch trend --json)")
async def trend(
    request: Request,
    f: FiltersQ,
    month: Annotated[str, Query(pattern=r"^\d{4}-\d{2}$", description="The month to judge, YYYY-MM.")],
    by: Annotated[Literal["admin1"] | None, Query(description="admin1: one verdict per unit.")] = None,
    measure: Measure = "events",
    estimate: Estimate = "best",
    snapshot: SnapshotQ = None,
) -> Response:
    """Deteriorated, improved or unchanged: one verdict, or a list of them with ``by=admin1``."""

    def work(s: Any) -> Any:
        from peacewatch import analysis

        results = analysis.trend(
            f, month=month, by_admin1=by == "admin1", measure=measure, estimate=estimate, store=s
        )
        payload = [r.to_dict() for r in results]
        return payload if by else payload[0]

    return await run(request, snapshot, work)


def _required_span(f: Filters, request: Request) -> str:
    if not f.date_from or not f.date_to:
        raise PeacewatchError("from and to are required (dates inclusive, YYYY-MM-DD).")
    check_span(f.date_from, f.date_to, "from:to", request)
    return f"{f.date_from}:{f.date_to}"


@router.get("/changepoints", responses=OK_JSON, summary="Where the daily rate shifts (--json)")
async def changepoints(
    request: Request,
    f: FiltersQ,
    measure: Measure = "events",
    estimate: Estimate = "best",
    penalty: Annotated[float | None, Query(gt=0, description="Override the penalty rule.")] = None,
    snapshot: SnapshotQ = None,
) -> Response:
    """Days between ``from`` and ``to`` (both required) where the daily rate shifts (PELT)."""
    span = _required_span(f, request)

    def work(s: Any) -> dict[str, Any]:
        from peacewatch import analysis

        return analysis.changepoints(
            f, span=span, measure=measure, estimate=estimate, penalty=penalty, store=s
        )

    return await run(request, snapshot, work)


@router.get("/its", responses=OK_JSON, summary="Interrupted time series (peacewatch its --json)")
async def its(
    request: Request,
    f: FiltersQ,
    intervention: Annotated[dt.date, Query(description="First day after the intervention.")],
    measure: Measure = "events",
    estimate: Estimate = "best",
    seasonal: Annotated[int, Query(ge=0, le=6, description="Fourier pairs for the season.")] = 0,
    independent_days: Annotated[bool, Query(description="Do not widen for autocorrelation.")] = False,
    snapshot: SnapshotQ = None,
) -> Response:
    """Level and slope change at ``intervention`` between ``from`` and ``to`` (both required)."""
    span = _required_span(f, request)

    def work(s: Any) -> dict[str, Any]:
        from peacewatch import analysis

        return analysis.its(
            f,
            intervention=intervention,
            span=span,
            measure=measure,
            estimate=estimate,
            seasonal_harmonics=seasonal,
            adjust_autocorrelation=not independent_days,
            store=s,
        )

    return await run(request, snapshot, work)
