"""Indicator and statistics commands: series, compare, trend, changepoints, its.

Each prints a table for people, or with --json the payload documented in docs/cli.md (the same dict
the Python API's result objects give with ``to_dict()``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peacewatch.cli import render
from peacewatch.cli.options import (
    EngineOpt,
    JsonFlag,
    SnapshotOpt,
    StoreOpt,
    output_format,
    parse_date,
    reader,
    with_filters,
)
from peacewatch.errors import PeacewatchError
from peacewatch.indicators.filters import Filters

By = Annotated[str, typer.Option("--by", help="day, week (ISO, Monday first) or month.")]
MeasureOpt = Annotated[
    str,
    typer.Option(
        "--measure",
        help="events, fatalities, or articles (distinct source articles; news-derived data only).",
    ),
]
EstimateOpt = Annotated[str, typer.Option("--estimate", help="Fatality estimate: best, low or high.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


def _fmt(x: float | None, digits: int = 3) -> str:
    return "" if x is None else f"{x:.{digits}g}" if abs(x) < 1000 else f"{x:,.0f}"


@with_filters
def series(
    filters: Filters,
    by: By = "day",
    measure: MeasureOpt = "events",
    estimate: EstimateOpt = "best",
    fmt: Annotated[str, typer.Option("--format", help="table, csv or json.")] = "table",
    out: Annotated[Path | None, typer.Option(help="Write to this file.")] = None,
    json_out: JsonFlag = False,
    per_coverage: Annotated[
        Path | None,
        typer.Option(
            "--per-coverage",
            help="CSV of date,total records of all coverage (GDELT's normfiles/day.csv): "
            "print values per 1,000 of them.",
        ),
    ] = None,
    store: StoreOpt = None,
    engine: EngineOpt = "duckdb",
    snapshot: SnapshotOpt = None,
) -> None:
    """Events or fatalities per day, week or month, zero-filled (dates inclusive)."""
    from peacewatch import analysis

    fmt = output_format(fmt, json_out)

    result = analysis.series(
        filters, by=by, measure=measure, estimate=estimate, store=reader(store, engine, snapshot)
    )
    if per_coverage is not None:
        from peacewatch.analysis.volume import normalise

        result = normalise(result, per_coverage)
    payload = result.to_dict()
    if fmt == "json":
        text = render.dumps(payload) + "\n"
        Path(out).write_text(text) if out else print(text, end="")
        return
    rows = [{"period_start": d, "value": v} for d, v in result.points]
    from peacewatch.briefs import attribution

    comments = attribution.lines(payload) if fmt == "csv" else ()
    title = result.normalised["unit"] if result.normalised else f"{measure} per {by}"
    render.write_rows(rows, fmt, out, title=title, comments=comments)
    if fmt == "table":
        _imprecise_note(payload)
        render.print_caveats(payload)
        render.console.print(f"[dim]{result.command}[/dim]")


def _imprecise_note(payload: dict) -> None:
    if payload.get("imprecise"):
        render.console.print(f"[yellow]Note:[/yellow] {payload['imprecise']['note']}")


def _window_or_fail(window: str | None) -> str:
    if not window:
        raise PeacewatchError("--window START:END is required (dates inclusive).")
    return window


@with_filters
def compare(
    filters: Filters,
    window: Annotated[str | None, typer.Option(help="START:END, both inclusive.")] = None,
    baseline: Annotated[str | None, typer.Option(help="START:END, both inclusive.")] = None,
    baseline_preceding: Annotated[int | None, typer.Option(help="The N days before the window.")] = None,
    baseline_years: Annotated[
        int | None, typer.Option(help="The same window in the K previous years.")
    ] = None,
    measure: MeasureOpt = "events",
    estimate: EstimateOpt = "best",
    method: Annotated[
        str | None,
        typer.Option(
            help="quasi_poisson (default), exact_poisson or negative_binomial; see docs/methods.md."
        ),
    ] = None,
    json_out: JsonOpt = False,
    store: StoreOpt = None,
    engine: EngineOpt = "duckdb",
    snapshot: SnapshotOpt = None,
) -> None:
    """Rate in a window against a baseline: rate ratio, interval, p-value."""
    from peacewatch import analysis

    result = analysis.compare(
        filters,
        window=_window_or_fail(window),
        baseline=baseline,
        baseline_preceding=baseline_preceding,
        baseline_years=baseline_years,
        measure=measure,
        estimate=estimate,
        method=method,
        store=reader(store, engine, snapshot),
    )
    d = result.to_dict()
    if json_out:
        render.print_json(d)
        return
    w, b = d["window"], d["baseline"]
    rows = [
        {
            "": "window",
            "span": f"{w['start']}:{w['end']}",
            "days": w["days"],
            "total": w["total"],
            "per day": _fmt(w["rate"]),
        },
        {
            "": "baseline",
            "span": ", ".join(f"{s['start']}:{s['end']}" for s in b["spans"]),
            "days": b["days"],
            "total": b["total"],
            "per day": _fmt(b["rate"]),
        },
    ]
    render.print_table(
        rows,
        ("", "span", "days", "total", "per day"),
        numeric=("days", "total", "per day"),
        title=f"{measure}: window against baseline ({b['rule']})",
    )
    render.console.print(
        f"rate ratio [bold]{_fmt(d['rate_ratio'])}[/bold] ({int(d['conf_level'] * 100)}% interval "
        f"{_fmt(d['ci_low'])} to {_fmt(d['ci_high'])}), change {d['percent_change']:+.0f}%, "
        f"p = {d['p_value']:.2g}; method {d['method']}, dispersion {_fmt(d['dispersion'])}"
    )
    if d.get("note"):
        render.console.print(f"[yellow]{d['note']}[/yellow]")
    _imprecise_note(d)
    render.print_caveats(d)
    render.console.print(f"[dim]{d['command']}[/dim]")


@with_filters
def trend(
    filters: Filters,
    month: Annotated[str, typer.Option(help="The month to judge, YYYY-MM.")] = "",
    by: Annotated[str | None, typer.Option("--by", help="admin1: one verdict per unit.")] = None,
    measure: MeasureOpt = "events",
    estimate: EstimateOpt = "best",
    json_out: JsonOpt = False,
    store: StoreOpt = None,
    engine: EngineOpt = "duckdb",
    snapshot: SnapshotOpt = None,
) -> None:
    """A month against the three before it: deteriorated, improved or unchanged."""
    from peacewatch import analysis

    if not month:
        raise PeacewatchError("--month YYYY-MM is required.")
    if by not in (None, "admin1"):
        raise PeacewatchError(f"--by {by!r}: expected admin1 (or no --by for one verdict).")
    results = analysis.trend(
        filters,
        month=month,
        by_admin1=by == "admin1",
        measure=measure,
        estimate=estimate,
        store=reader(store, engine, snapshot),
    )
    payload = [r.to_dict() for r in results]
    if json_out:
        render.print_json(payload if by else payload[0])
        return
    render.print_table(
        [
            {
                **p,
                "interval": f"{_fmt(p['ci_low'])} to {_fmt(p['ci_high'])}",
                "rate_ratio": _fmt(p["rate_ratio"]),
            }
            for p in payload
        ],
        (["admin1"] if by else [])
        + ["month", "verdict", "rate_ratio", "interval", "month_rate", "baseline_rate"],
        title=f"{measure}: {month} against the three months before",
        numeric=("month_rate", "baseline_rate"),
    )
    for p in payload:
        _imprecise_note(p)
    render.print_caveats(payload[0])
    render.console.print(f"[dim]{payload[0]['rule']}[/dim]")
    render.console.print(f"[dim]{payload[0]['command']}[/dim]")


def _span(filters: Filters) -> str:
    if not filters.date_from or not filters.date_to:
        raise PeacewatchError("--from and --to are required (dates inclusive).")
    return f"{filters.date_from}:{filters.date_to}"


@with_filters
def changepoints(
    filters: Filters,
    measure: MeasureOpt = "events",
    estimate: EstimateOpt = "best",
    penalty: Annotated[
        float | None, typer.Option(help="Override the penalty rule (docs/methods.md).")
    ] = None,
    json_out: JsonOpt = False,
    store: StoreOpt = None,
    engine: EngineOpt = "duckdb",
    snapshot: SnapshotOpt = None,
) -> None:
    """Days where the daily rate shifts (PELT, Poisson likelihood), with rates before and after."""
    from peacewatch import analysis

    d = analysis.changepoints(
        filters,
        span=_span(filters),
        measure=measure,
        estimate=estimate,
        penalty=penalty,
        store=reader(store, engine, snapshot),
    )
    if json_out:
        render.print_json(d)
        return
    render.print_table(
        d["changepoints"],
        ("date", "rate_before", "rate_after"),
        numeric=("rate_before", "rate_after"),
        title=f"Changepoints in daily {measure}",
    )
    _imprecise_note(d)
    render.print_caveats(d)
    render.console.print(
        f"[dim]{d['method']}; penalty {_fmt(d['penalty'])} ({d.get('penalty_rule', '')})[/dim]"
    )
    render.console.print(f"[dim]{d['command']}[/dim]")


@with_filters
def its(
    filters: Filters,
    intervention: Annotated[str, typer.Option(help="First day after the intervention, YYYY-MM-DD.")] = "",
    measure: MeasureOpt = "events",
    estimate: EstimateOpt = "best",
    seasonal: Annotated[int, typer.Option(help="Fourier pairs for the annual season (0 = none).")] = 0,
    independent_days: Annotated[
        bool,
        typer.Option(
            "--independent-days",
            help="Do not widen the intervals for residual autocorrelation (docs/methods.md).",
        ),
    ] = False,
    json_out: JsonOpt = False,
    store: StoreOpt = None,
    engine: EngineOpt = "duckdb",
    snapshot: SnapshotOpt = None,
) -> None:
    """Interrupted time series: level and slope change at an intervention (segmented NB regression)."""
    from peacewatch import analysis

    day = parse_date(intervention or None, "--intervention")
    if day is None:
        raise PeacewatchError("--intervention YYYY-MM-DD is required.")
    d = analysis.its(
        filters,
        intervention=day,
        span=_span(filters),
        measure=measure,
        estimate=estimate,
        seasonal_harmonics=seasonal,
        adjust_autocorrelation=not independent_days,
        store=reader(store, engine, snapshot),
    )
    if json_out:
        render.print_json(d)
        return
    rows = []
    for name in ("level_change", "slope_change"):
        e = d[name]
        rows.append(
            {
                "effect": name.replace("_", " "),
                "ratio": _fmt(e["estimate"]),
                "interval": f"{_fmt(e['ci_low'])} to {_fmt(e['ci_high'])}",
                "p": f"{e['p_value']:.2g}",
            }
        )
    render.print_table(rows, ("effect", "ratio", "interval", "p"), title=f"Interrupted time series at {day}")
    _imprecise_note(d)
    render.print_caveats(d)
    render.console.print(f"[dim]{d['method']}[/dim]")
    render.console.print(f"[dim]{d['command']}[/dim]")


def register(app: typer.Typer) -> None:
    for command in (series, compare, trend, changepoints, its):
        app.command()(command)
