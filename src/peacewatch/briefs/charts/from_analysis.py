"""The series blocks of a brief from the loaded data: the ``*_points`` and ``*_results`` functions
fetch rows by composing calls of :mod:`peacewatch.analysis`, which does every query, and the
``*_figure`` functions draw them with the commands and datasets that reproduce them."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import Any

from peacewatch import analysis, schema
from peacewatch.analysis import StoreLike
from peacewatch.briefs.charts.frame import check_period_and_stack
from peacewatch.briefs.charts.multiples import small_multiples
from peacewatch.briefs.charts.series import series_chart
from peacewatch.briefs.figure import ChartError, Figure, as_span
from peacewatch.indicators.calendar import Span
from peacewatch.indicators.filters import Filters


def _span_filters(f: Filters, span: Span | str | None) -> Filters:
    if span is None:
        return f
    sp = as_span(span, "span")
    return f.replace(date_from=sp.start, date_to=sp.end)


def series_results(
    f: Filters,
    *,
    by: str,
    span: Span | str | None = None,
    measure: str = "events",
    estimate: str = "best",
    stack: str | None = None,
    store: StoreLike = None,
) -> list[tuple[str | None, analysis.SeriesResult]]:
    """The analysis.series results behind a series chart: one (None, result) unstacked, or one
    (event_type, result) per canonical type with any event when ``stack="event_type"`` (the filter's
    own types if it names some)."""
    check_period_and_stack(by, stack)
    g = _span_filters(f, span)
    if stack is None:
        return [(None, analysis.series(g, by=by, measure=measure, estimate=estimate, store=store))]
    out = []
    for t in f.types or schema.EVENT_TYPES:
        r = analysis.series(g.replace(types=(t,)), by=by, measure=measure, estimate=estimate, store=store)
        if any(v for _, v in r.points):
            out.append((t, r))
    return out


def series_points(
    f: Filters,
    *,
    by: str,
    span: Span | str | None = None,
    measure: str = "events",
    estimate: str = "best",
    stack: str | None = None,
    store: StoreLike = None,
) -> list[dict[str, Any]]:
    """Rows for :func:`series_chart`: {period_start, value}, or {period_start, event_type, value} with
    ``stack="event_type"`` (types without any event are left out)."""
    rows = []
    for t, r in series_results(
        f, by=by, span=span, measure=measure, estimate=estimate, stack=stack, store=store
    ):
        for d, v in r.points:
            rows.append({"period_start": d.isoformat(), "value": float(v)} | ({"event_type": t} if t else {}))
    return rows


def unit_points(
    f: Filters,
    *,
    by: str,
    span: Span | str,
    measure: str = "events",
    estimate: str = "best",
    store: StoreLike = None,
    commands: dict[str, str] | None = None,
) -> dict[str, list[dict[str, Any]]]:
    """{admin1 unit: {period_start, value} rows} for every unit with an event in ``span`` (event data);
    ``commands``, when given, receives the command that reproduces each unit's series."""
    g = _span_filters(f, span)
    units = sorted(u for u in set(analysis.events(g, store).column("admin1").to_pylist()) if u)
    out = {}
    for u in units:
        r = analysis.series(g.replace(admin1=u), by=by, measure=measure, estimate=estimate, store=store)
        out[u] = [{"period_start": d.isoformat(), "value": float(v)} for d, v in r.points]
        if commands is not None:
            commands[u] = r.command
    return out


def series_figure(
    f: Filters,
    *,
    by: str,
    span: Span | str,
    title: str,
    measure: str = "events",
    estimate: str = "best",
    stack: str | None = None,
    shade: Sequence[Mapping[str, Any]] = (),
    changepoints: bool = False,
    markers: Sequence[Mapping[str, Any]] = (),
    id: str = "series",
    subtitle: str | None = None,
    store: StoreLike = None,
) -> Figure:
    """The series block of a brief in one call: points, changepoints (found on the daily series of the
    same filters over ``span``), the commands that reproduce them, and the datasets behind them."""
    sp = as_span(span, "span")
    results = series_results(f, by=by, span=sp, measure=measure, estimate=estimate, stack=stack, store=store)
    if stack:
        total = analysis.series(_span_filters(f, sp), by=by, measure=measure, estimate=estimate, store=store)
        commands = [total.command] + [r.command for _, r in results]
    else:
        total = results[0][1]
        commands = [total.command]
    datasets = total.datasets
    points = [
        {"period_start": d.isoformat(), "value": float(v)} | ({"event_type": t} if t else {})
        for t, r in results
        for d, v in r.points
    ]
    found: list[dict[str, Any]] = []
    if changepoints:
        cp = analysis.changepoints(f, span=sp, measure=measure, estimate=estimate, store=store)
        found = cp["changepoints"]
        commands.append(cp["command"])
    figure = series_chart(
        points,
        title=title,
        by=by,
        measure=measure,
        command="\n".join(commands),
        shade=shade,
        changepoints=found,
        markers=markers,
        stack=stack,
        span=sp,
        estimate=estimate,
        id=id,
        subtitle=subtitle,
        datasets=datasets,
        snapshot=total.snapshot,
    )
    return _noting_imprecise_dates(figure, total)


def _noting_imprecise_dates(figure: Figure, result: analysis.SeriesResult) -> Figure:
    """The figure with the caveats of its datasets (schema.CAVEATS) and a note on events its bars place
    on a convention date (dated only to a window wider than a bar), when there are any."""
    notes = [f"Caveat: {c['text']}" for c in result.to_dict()["caveats"] if c["key"] != "imprecise_dates"]
    if result.imprecise:
        notes.append(result.imprecise["note"])
    return dataclasses.replace(figure, notes=(*figure.notes, *notes)) if notes else figure


def small_multiples_figure(
    f: Filters,
    *,
    by: str,
    span: Span | str,
    title: str,
    measure: str = "events",
    estimate: str = "best",
    top: int = 12,
    shade: Sequence[Mapping[str, Any]] = (),
    id: str = "small-multiples",
    subtitle: str | None = None,
    store: StoreLike = None,
) -> Figure:
    """The ``small_multiples: admin1`` series block in one call (one analysis.series per unit)."""
    sp = as_span(span, "span")
    commands: dict[str, str] = {}
    by_unit = unit_points(
        f, by=by, span=sp, measure=measure, estimate=estimate, store=store, commands=commands
    )
    if not by_unit:
        raise ChartError(f"{title!r}: no event in {sp} carries an admin1 name.")
    total = analysis.series(_span_filters(f, sp), by=by, measure=measure, estimate=estimate, store=store)
    # One command per unit drawn (the top units by total, as multiples.small_multiples ranks them), each
    # one that runs as printed: no placeholder for the reader to fill in.
    totals = {u: sum(p["value"] for p in points) for u, points in by_unit.items()}
    shown = sorted(totals, key=lambda u: (-totals[u], u))[:top]
    command = "\n".join(commands[u] for u in shown)
    figure = small_multiples(
        by_unit,
        title=title,
        by=by,
        measure=measure,
        command=command,
        top=top,
        span=sp,
        shade=shade,
        estimate=estimate,
        id=id,
        subtitle=subtitle,
        datasets=total.datasets,
        snapshot=total.snapshot,
    )
    return _noting_imprecise_dates(figure, total)
