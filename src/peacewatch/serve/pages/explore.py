"""The explore page: the filters of ``peacewatch series`` and ``compare`` as a GET form; the chart of
the series with the window and its baseline shaded, and the rate ratio with its interval.

The query string is the view: a link reproduces it. Without any parameter the page opens on the
question the dashboard is built to answer first, "did violence fall in Afghanistan during the
reduction-in-violence week (22-29 Feb 2020) against the three weeks before?" (``EXAMPLE``).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse

from peacewatch.errors import ArgumentError, PeacewatchError
from peacewatch.schema import EVENT_TYPES
from peacewatch.serve.pages import casework
from peacewatch.serve.pages.views import api_at, reading, render

router = APIRouter()

EXAMPLE = {
    "country": "Afghanistan",
    "window_start": "2020-02-22",
    "window_end": "2020-02-29",
    "baseline_start": "2020-02-01",
    "baseline_end": "2020-02-21",
    "by": "day",
}
UNITS = ("day", "week", "month")
MEASURES = ("events", "fatalities")
CACHE_SIZE = 128


def _date(value: str, name: str) -> str:
    try:
        return dt.date.fromisoformat(value).isoformat()
    except ValueError:
        raise ArgumentError(
            f"{name}={value!r}: expected a date as YYYY-MM-DD.", hint=f"Fix {name} in the form."
        ) from None


@functools.lru_cache(maxsize=CACHE_SIZE)
def _answer(base, snapshot: int, query: tuple[tuple[str, Any], ...]) -> dict[str, Any]:
    """The comparison and its chart for one query at one snapshot (kept: a snapshot never changes)."""
    q = dict(query)
    store = base.at(snapshot)
    filters: dict[str, Any] = {k: q[k] for k in ("country", "admin1", "actor") if q.get(k)}
    if q.get("type"):
        filters["type"] = list(q["type"])
    if q.get("dataset"):
        filters["dataset"] = q["dataset"]
    window = f"{q['window_start']}:{q['window_end']}"
    baseline = f"{q['baseline_start']}:{q['baseline_end']}"
    comp = store.compare(window=window, baseline=baseline, measure=q["measure"], **filters).to_dict()
    figure = casework.comparisons_figure(
        base,
        snapshot,
        (("window", json.dumps(comp, sort_keys=True, default=str)),),
        None,
        f"{q['measure'].capitalize()} per {q['by']}: window against baseline",
        "explore-chart",
        by=q["by"],
    )
    return {"comparison": comp, "figure": figure}


@router.get("/explore", response_class=HTMLResponse, summary="Explore: series and compare as a form")
def explore(
    request: Request,
    country: str | None = None,
    admin1: str | None = None,
    actor: str | None = None,
    type: Annotated[list[str] | None, Query()] = None,
    dataset: str | None = None,
    window_start: str | None = None,
    window_end: str | None = None,
    baseline_start: str | None = None,
    baseline_end: str | None = None,
    by: str = "day",
    measure: str = "events",
    snapshot: str | None = None,
):
    """The form, and for a complete query the chart and the rate ratio with its interval."""
    asked = {
        "country": country,
        "admin1": admin1,
        "actor": actor,
        "dataset": dataset,
        "window_start": window_start,
        "window_end": window_end,
        "baseline_start": baseline_start,
        "baseline_end": baseline_end,
    }
    type = type or []
    if not any(asked.values()) and not type:
        asked |= EXAMPLE
        by = EXAMPLE["by"]
    form = {k: (v or "").strip() for k, v in asked.items()}
    result, error, catalog, snap = None, None, [], None
    try:
        with reading(request, snapshot) as store:
            snap = int(store.snapshot)
            catalog = [d["dataset_id"] for d in store.datasets()]
        if by not in UNITS:
            raise ArgumentError(f"by={by!r}: expected one of {', '.join(UNITS)}.")
        if measure not in MEASURES:
            raise ArgumentError(f"measure={measure!r}: expected one of {', '.join(MEASURES)}.")
        bad = [t for t in type if t not in EVENT_TYPES]
        if bad:
            raise ArgumentError(f"type={bad[0]!r}: expected one of {', '.join(EVENT_TYPES)}.")
        spans = ("window_start", "window_end", "baseline_start", "baseline_end")
        missing = [k for k in spans if not form[k]]
        if missing:
            raise ArgumentError(
                f"{', '.join(missing)}: needed to compare a window with its baseline.",
                hint="Fill in the four dates.",
            )
        for k in spans:
            form[k] = _date(form[k], k)
        query = tuple(sorted({**form, "type": tuple(type), "by": by, "measure": measure}.items()))
        result = _answer(request.app.state.store, snap, query)
    except PeacewatchError as exc:
        error = exc.message + (f" {exc.hint}" if exc.hint else "")
    figure = result["figure"] if result else None
    events = None
    if result and snap is not None:
        events = casework.window_events(request, api_at(request, snap), result["comparison"])
    return render(
        request,
        "explore.html.j2",
        status_code=200 if error is None else 400,
        title="Explore",
        form=form,
        types=type,
        by=by,
        measure=measure,
        units=UNITS,
        measures=MEASURES,
        event_types=EVENT_TYPES,
        catalog=catalog,
        snapshot=snap,
        comp=result["comparison"] if result else None,
        figure=figure if figure is not None and not isinstance(figure, str) else None,
        figure_error=figure if isinstance(figure, str) else None,
        error=error,
        events=events,
    )
