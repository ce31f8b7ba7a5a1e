"""``peacewatch chart``: a series or a comparison as SVG, PNG or Vega-Lite JSON, with its source,
filters, access date, reproduce command and caveats inside the image (docs/cli.md)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from peacewatch.cli import render
from peacewatch.cli.options import SnapshotOpt, StoreOpt, parse_date, reading_store, with_filters
from peacewatch.errors import PeacewatchError
from peacewatch.indicators.filters import Filters


def _labelled(values: list[str] | None, flag: str, what: str) -> list[tuple[str, str]]:
    out = []
    for v in values or []:
        label, sep, value = v.rpartition("=")
        if not sep or not value.strip():
            raise PeacewatchError(f"{flag} {v!r}: expected LABEL={what}, e.g. {flag} 'Signing=2020-02-29'.")
        out.append((label.strip(), value.strip()))
    return out


@with_filters
def chart(
    filters: Filters,
    out: Annotated[Path, typer.Option("--out", help="The file to write: .svg, .png or .json (Vega-Lite).")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="svg, png or json (default: from --out).")
    ] = None,
    by: Annotated[
        str | None,
        typer.Option("--by", help="day, week or month (default: day up to 4 months, week up to 3 years)."),
    ] = None,
    measure: Annotated[str, typer.Option("--measure", help="events, fatalities or articles.")] = "events",
    estimate: Annotated[
        str, typer.Option("--estimate", help="Fatality estimate: best, low or high.")
    ] = "best",
    stack: Annotated[bool, typer.Option("--stack", help="Stack the bars by event type.")] = False,
    shade: Annotated[
        list[str] | None,
        typer.Option("--shade", help="LABEL=START:END, a shaded band (repeatable); one day draws a line."),
    ] = None,
    mark: Annotated[
        list[str] | None, typer.Option("--mark", help="LABEL=YYYY-MM-DD, a single date (repeatable).")
    ] = None,
    changepoints: Annotated[
        bool, typer.Option("--changepoints", help="Draw changepoints of the daily rate.")
    ] = False,
    window: Annotated[
        str | None, typer.Option(help="Chart a comparison of this window, START:END (see `compare`).")
    ] = None,
    baseline: Annotated[str | None, typer.Option(help="START:END, with --window.")] = None,
    baseline_preceding: Annotated[int | None, typer.Option(help="The N days before the window.")] = None,
    baseline_years: Annotated[
        int | None, typer.Option(help="The same window in the K previous years.")
    ] = None,
    method: Annotated[str | None, typer.Option(help="Comparison method (see `compare`).")] = None,
    title: Annotated[str | None, typer.Option(help="The chart's title (default: what, where, when).")] = None,
    scale: Annotated[float, typer.Option(help="PNG pixels per chart pixel.")] = 2.0,
    store: StoreOpt = None,
    snapshot: SnapshotOpt = None,
) -> None:
    """Chart a series (or, with --window, a comparison) with its attribution and caveats in the image."""
    from peacewatch.briefs.charts import standalone

    kind = standalone.chart_format(out, fmt)
    s = reading_store(store, snapshot)
    markers = [
        {"label": label, "date": parse_date(d, f"--mark {label}=")}
        for label, d in _labelled(mark, "--mark", "DATE")
    ]
    shades = [{"label": label, "span": span} for label, span in _labelled(shade, "--shade", "START:END")]
    if window:
        if stack or changepoints or shades:
            raise PeacewatchError(
                "--window charts a comparison: its window and baseline are the shaded bands, so "
                "--shade, --stack and --changepoints do not apply; chart the series without --window "
                "for them."
            )
        fig = standalone.compare_chart_figure(
            filters,
            window=window,
            baseline=baseline,
            baseline_preceding=baseline_preceding,
            baseline_years=baseline_years,
            by=by,
            measure=measure,
            estimate=estimate,
            method=method,
            markers=markers,
            title=title,
            store=s,
        )
    else:
        if baseline or baseline_preceding or baseline_years or method:
            raise PeacewatchError(
                "--baseline, --baseline-preceding, --baseline-years and --method need --window."
            )
        fig = standalone.series_chart_figure(
            filters,
            by=by,
            measure=measure,
            estimate=estimate,
            stack="event_type" if stack else None,
            shade=shades,
            markers=markers,
            changepoints=changepoints,
            title=title,
            store=s,
        )
    Path(out).write_bytes(standalone.render(fig, kind, scale=scale))
    render.err_console.print(f"wrote {kind.upper()} chart to {out}")
    for note in fig.notes:
        render.err_console.print(f"[dim]{note}[/dim]")


def register(app: typer.Typer) -> None:
    app.command()(chart)
