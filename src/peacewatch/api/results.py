"""The results of the analysis calls as notebook- and pandas-friendly values.

Each wraps the result of :mod:`peacewatch.analysis` (which stays the one place that computes it) and
adds ``to_pandas()`` (a tidy DataFrame with typed columns), ``to_arrow()``, ``to_dict()`` (the CLI's
``--json`` payload, a fresh copy each call), ``chart()`` (an Altair chart: the brief's own chart for
that result) and ``_repr_html_`` for Jupyter. Results are frozen: nothing a caller does to a returned
dict or frame changes them.

>>> import peacewatch as pw
>>> c = pw.open_store(".peacewatch/demo").compare(country="Afghanistan",
...     window="2020-02-22:2020-02-29", baseline="2020-02-01:2020-02-21")   # doctest: +SKIP
>>> round(c.rate_ratio, 2)                                                   # doctest: +SKIP
0.21
"""

from __future__ import annotations

import copy
import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from peacewatch.api import display
from peacewatch.errors import PeacewatchError
from peacewatch.indicators.calendar import Span, next_period
from peacewatch.indicators.filters import Filters
from peacewatch.store import Store

_ONE_DAY = dt.timedelta(days=1)

if TYPE_CHECKING:
    import altair as alt
    import pandas as pd

    from peacewatch import analysis
    from peacewatch.briefs.figure import Figure


def pandas_of(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a DataFrame with datetime64 date columns (not Python objects)."""
    try:
        import pandas  # noqa: F401
    except ImportError:
        raise PeacewatchError(
            "to_pandas() needs pandas, which is not installed.",
            hint="pip install 'pandas>=2.1', or use to_arrow().",
        ) from None
    frame: pd.DataFrame = table.to_pandas(date_as_object=False)
    return frame


def table_of(rows: list[dict[str, Any]], schema: dict[str, pa.DataType]) -> pa.Table:
    """Rows (dicts) as an Arrow table with the columns and types of ``schema`` (a missing key is null)."""
    return pa.table({k: pa.array([r.get(k) for r in rows], t) for k, t in schema.items()})


class Result:
    """What every result offers; subclasses define the payload, the table and the chart."""

    def to_dict(self) -> Any:
        raise NotImplementedError

    def to_arrow(self) -> pa.Table:
        raise NotImplementedError

    def figure(self) -> Figure:
        """The brief's figure for this result (Vega-Lite spec, data table, notes, command)."""
        raise NotImplementedError

    def to_pandas(self) -> pd.DataFrame:
        """A tidy DataFrame with typed columns (dates as datetime64)."""
        return pandas_of(self.to_arrow())

    def chart(self) -> alt.TopLevelMixin:
        """An Altair chart: the chart the brief draws for this result."""
        return display.altair_chart(self.figure())


def _span_filters(f: Filters, span: Span) -> Filters:
    return f.replace(date_from=span.start, date_to=span.end)


def _shade(label: str, span: Span) -> dict[str, str]:
    return {"label": label, "span": str(span)}


@dataclass(frozen=True)
class Series(Result):
    """A zero-filled series: one row per day, ISO week or month (``to_pandas()``)."""

    result: analysis.SeriesResult = field(repr=False)

    def __repr__(self) -> str:
        r = self.result
        total = sum(float(v) for _, v in r.points)
        return (
            f"<Series {len(r.points)} {r.by}s {r.span.start}..{r.span.end}, "
            f"{display.number(total)} {r.measure}: {r.command}>"
        )

    @property
    def by(self) -> str:
        return self.result.by

    @property
    def command(self) -> str:
        return self.result.command

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.result.to_dict())

    def to_arrow(self) -> pa.Table:
        """period_start, period_end (inclusive), days (of the period inside the span), value."""
        r, span = self.result, self.result.span
        ends = [next_period(d, r.by) - _ONE_DAY for d, _ in r.points]  # type: ignore[arg-type]
        return pa.table(
            {
                "period_start": pa.array([d for d, _ in r.points], pa.date32()),
                "period_end": pa.array(ends, pa.date32()),
                "days": pa.array(
                    [
                        (min(e, span.end) - max(d, span.start)).days + 1
                        for (d, _), e in zip(r.points, ends, strict=True)
                    ],
                    pa.int32(),
                ),
                "value": pa.array([float(v) for _, v in r.points], pa.float64()),
            }
        )

    def figure(self, *, width: int | None = None, height: int | None = None) -> Figure:
        """The brief's series chart; ``width`` and ``height`` in pixels (default: the brief's size)."""
        from peacewatch.briefs.charts import series_chart, unit_title
        from peacewatch.briefs.figure import HEIGHT, WIDTH

        r = self.result
        points = [{"period_start": d.isoformat(), "value": float(v)} for d, v in r.points]
        return series_chart(
            points,
            title=unit_title(r.measure, r.by, r.estimate),
            subtitle=r.filters.replace(date_from=None, date_to=None).cli_args() or None,
            by=r.by,
            measure=r.measure,
            estimate=r.estimate,
            command=r.command,
            span=r.span,
            datasets=r.datasets,
            snapshot=r.snapshot,
            width=width or WIDTH,
            height=height or HEIGHT,
        )

    def _repr_html_(self) -> str:
        r = self.result
        values = [float(v) for _, v in r.points]
        lines = [
            f"{len(values):,} {r.by}s from {r.span.start} to {r.span.end}: total "
            f"<b>{display.number(sum(values))}</b> {r.measure}, highest {display.number(max(values))}"
            if values
            else "no periods"
        ]
        body = display.svg_or_note(self.figure(width=480, height=150)) if values else ""
        notes = [r.imprecise["note"]] if r.imprecise else []
        return display.page(
            f"{r.measure} per {r.by}",
            lines=lines,
            notes=notes,
            body=body,
            datasets=r.datasets,
            command=r.command,
        )


@dataclass(frozen=True)
class Comparison(Result):
    """A window against a baseline: the rate ratio with its interval (``to_pandas()``: one row)."""

    result: analysis.CompareResult = field(repr=False)
    store: Store = field(repr=False, compare=False)

    def __repr__(self) -> str:
        r, n = self.result.result, display.number
        return (
            f"<Comparison rate ratio {n(r.rate_ratio)} ({round(r.conf_level * 100)}% interval "
            f"{n(r.ci_low)} to {n(r.ci_high)}), p = {r.p_value:.2g}: {self.command}>"
        )

    @property
    def rate_ratio(self) -> float:
        return float(self.result.result.rate_ratio)

    @property
    def ci_low(self) -> float:
        return float(self.result.result.ci_low)

    @property
    def ci_high(self) -> float:
        return float(self.result.result.ci_high)

    @property
    def p_value(self) -> float:
        return float(self.result.result.p_value)

    @property
    def command(self) -> str:
        return self.result.command

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.result.to_dict())

    def to_arrow(self) -> pa.Table:
        d = self.result.to_dict()
        w, b = d["window"], d["baseline"]
        row = {
            "window_start": (self.result.window.start, pa.date32()),
            "window_end": (self.result.window.end, pa.date32()),
            "window_days": (w["days"], pa.int32()),
            "window_total": (float(w["total"]), pa.float64()),
            "window_rate": (float(w["rate"]), pa.float64()),
            "baseline_rule": (b["rule"], pa.string()),
            "baseline_days": (b["days"], pa.int32()),
            "baseline_total": (float(b["total"]), pa.float64()),
            "baseline_rate": (float(b["rate"]), pa.float64()),
            "rate_ratio": (d["rate_ratio"], pa.float64()),
            "ci_low": (d["ci_low"], pa.float64()),
            "ci_high": (d["ci_high"], pa.float64()),
            "conf_level": (d["conf_level"], pa.float64()),
            "p_value": (d["p_value"], pa.float64()),
            "percent_change": (d["percent_change"], pa.float64()),
            "significant": (d["significant"], pa.bool_()),
            "method": (d["method"], pa.string()),
            "dispersion": (d["dispersion"], pa.float64()),
            "measure": (d["measure"], pa.string()),
        }
        return pa.table({k: pa.array([v], t) for k, (v, t) in row.items()})

    def figure(self) -> Figure:
        from peacewatch.briefs.charts import series_figure

        r = self.result
        spans = (r.window, *r.baseline)
        full = Span(min(s.start for s in spans), max(s.end for s in spans))
        by = "day" if full.days <= 400 else "week"
        shade = [_shade("window", r.window)] + [_shade("baseline", b) for b in r.baseline]
        return series_figure(
            _span_filters(r.filters, full),
            by=by,
            span=full,
            title=f"{r.measure.capitalize()} per {by}: window against baseline",
            measure=r.measure,
            estimate=r.estimate,
            shade=shade,
            id="compare",
            store=self.store,
        )

    def _repr_html_(self) -> str:
        d = self.result.to_dict()
        w, b = d["window"], d["baseline"]
        n = display.number
        lines = [
            f"rate ratio <b>{n(d['rate_ratio'])}</b> ({round(d['conf_level'] * 100)}% interval "
            f"{n(d['ci_low'])} to {n(d['ci_high'])}), change {d['percent_change']:+.0f}%, "
            f"p = {d['p_value']:.2g}; {d['method']}, dispersion {n(d['dispersion'])}",
            f"window {w['start']}:{w['end']}: {n(w['total'])} {d['measure']} in {w['days']} days "
            f"({n(w['rate'])} a day); baseline ({b['rule']}): {n(b['total'])} in {b['days']} days "
            f"({n(b['rate'])} a day)",
        ]
        notes = [d.get("note"), (d.get("imprecise") or {}).get("note")]
        return display.page(
            f"{d['measure']}: window against baseline",
            lines=lines,
            notes=notes,
            datasets=d["datasets"],
            command=d["command"],
        )


__all__ = ["Comparison", "Result", "Series", "pandas_of", "table_of"]
