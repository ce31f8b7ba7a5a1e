"""Results of the change methods beyond a single comparison: a month's trend verdict(s), changepoints
and interrupted time series, as values with ``to_pandas()``, ``to_arrow()``, ``to_dict()``, ``chart()``
and a notebook display (see :mod:`peacewatch.api.results`).
"""

from __future__ import annotations

import copy
import datetime as dt
import html
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from peacewatch.api import display
from peacewatch.api.results import Result, table_of
from peacewatch.indicators.calendar import Span, month_span
from peacewatch.indicators.filters import Filters
from peacewatch.store import Store

if TYPE_CHECKING:
    from peacewatch import analysis
    from peacewatch.briefs.figure import Figure


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


@dataclass(frozen=True)
class Trend(Result):
    """A month against the three before it: one verdict, or one per admin1 unit (``by="admin1"``).

    ``to_dict()`` is the CLI's payload: one dict, or a list of them with ``--by admin1``.
    """

    results: tuple[analysis.TrendResult, ...] = field(repr=False)
    by_admin1: bool
    store: Store = field(repr=False, compare=False)

    def __repr__(self) -> str:
        verdicts = ", ".join(
            f"{r.unit}: {r.verdict.verdict}" if r.unit else r.verdict.verdict for r in self.results
        )
        return f"<Trend {self.results[0].month} against the three months before: {verdicts}>"

    @property
    def verdict(self) -> str:
        """The verdict (of the first unit with ``by="admin1"``)."""
        return str(self.results[0].verdict.verdict)

    def to_dict(self) -> dict[str, Any] | list[dict[str, Any]]:
        payload = [copy.deepcopy(r.to_dict()) for r in self.results]
        return payload if self.by_admin1 else payload[0]

    def to_arrow(self) -> pa.Table:
        rows = [r.to_dict() for r in self.results]
        for row in rows:
            row["month_start"] = _day(row["month"] + "-01")
        return table_of(
            rows,
            {
                "month_start": pa.date32(),
                "admin1": pa.string(),
                "verdict": pa.string(),
                "rate_ratio": pa.float64(),
                "ci_low": pa.float64(),
                "ci_high": pa.float64(),
                "p_value": pa.float64(),
                "month_rate": pa.float64(),
                "baseline_rate": pa.float64(),
                "month_days": pa.int32(),
                "baseline_days": pa.int32(),
                "method": pa.string(),
            },
        )

    def figure(self) -> Figure:
        from peacewatch.briefs import charts

        r = self.results[0]
        month = month_span(r.month)
        full = Span(r.baseline.start, month.end)
        f = r.filters.replace(date_from=full.start, date_to=full.end)
        kwargs: dict[str, Any] = {
            "by": "month",
            "span": full,
            "title": f"{r.month} against the three months before",
            "shade": [{"label": r.month, "span": str(month)}],
            "store": self.store,
        }
        if self.by_admin1:
            return charts.small_multiples_figure(f, id="trend", **kwargs)
        return charts.series_figure(f, id="trend", **kwargs)

    def _repr_html_(self) -> str:
        rows = [r.to_dict() for r in self.results]
        for row in rows:
            row["interval"] = f"{display.number(row['ci_low'])} to {display.number(row['ci_high'])}"
        cols = (["admin1"] if self.by_admin1 else []) + [
            "month",
            "verdict",
            "rate_ratio",
            "interval",
            "month_rate",
            "baseline_rate",
        ]
        first = rows[0]
        return display.page(
            f"{first['month']} against the three months before",
            lines=[display.table_html(rows, cols), f"<small>{html.escape(first['rule'])}</small>"],
            notes=[(r.get("imprecise") or {}).get("note") for r in rows],
            datasets=first["datasets"],
            command=first["command"],
        )


@dataclass(frozen=True)
class Changepoints(Result):
    """Days where the daily rate shifts, and the segments between them (``to_pandas()``: segments)."""

    payload: dict[str, Any] = field(repr=False)
    filters: Filters = field(repr=False)
    measure: str
    estimate: str
    store: Store = field(repr=False, compare=False)

    def __repr__(self) -> str:
        days = ", ".join(d.isoformat() for d in self.dates) or "none"
        return f"<Changepoints {self.payload['from']}..{self.payload['to']}: {days}>"

    @property
    def dates(self) -> list[dt.date]:
        """The days the rate changes (each the first day of a new segment)."""
        return [_day(c["date"]) for c in self.payload["changepoints"]]

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.payload)

    def to_arrow(self) -> pa.Table:
        rows = [dict(s) for s in self.payload["segments"]]
        for row in rows:
            row["first_date"] = _day(row["first_date"])
            row["last_date"] = _day(row["last_date"])
        return table_of(
            rows,
            {
                "first_date": pa.date32(),
                "last_date": pa.date32(),
                "days": pa.int32(),
                "total": pa.float64(),
                "rate": pa.float64(),
            },
        )

    def figure(self) -> Figure:
        from peacewatch import analysis
        from peacewatch.briefs.charts import series_chart, unit_title

        p = self.payload
        span = Span(_day(p["from"]), _day(p["to"]))
        daily = analysis.series(
            self.filters.replace(date_from=span.start, date_to=span.end),
            by="day",
            measure=self.measure,
            estimate=self.estimate,
            store=self.store,
        )
        return series_chart(
            [{"period_start": d.isoformat(), "value": float(v)} for d, v in daily.points],
            title=f"Changepoints in {unit_title(self.measure, 'day', self.estimate).lower()}",
            by="day",
            measure=self.measure,
            estimate=self.estimate,
            command=f"{daily.command}\n{p['command']}",
            changepoints=p["changepoints"],
            span=span,
            id="changepoints",
            datasets=p["datasets"],
            snapshot=daily.snapshot,
        )

    def _repr_html_(self) -> str:
        p = self.payload
        n = len(p["changepoints"])
        return display.page(
            f"Changepoints in daily {p['measure']}, {p['from']} to {p['to']}",
            lines=[
                f"<b>{n}</b> changepoint{'s' if n != 1 else ''}; penalty {display.number(p['penalty'])}",
                display.table_html(p["changepoints"], ("date", "rate_before", "rate_after")),
            ],
            notes=[p.get("method"), (p.get("imprecise") or {}).get("note")],
            datasets=p["datasets"],
            command=p["command"],
        )


_EFFECTS = ("level_change", "slope_change", "pre_trend", "post_trend")


@dataclass(frozen=True)
class InterruptedTimeSeries(Result):
    """Level and slope change at an intervention (``to_pandas()``: one row per effect)."""

    payload: dict[str, Any] = field(repr=False)
    filters: Filters = field(repr=False)
    measure: str
    estimate: str
    store: Store = field(repr=False, compare=False)

    def __repr__(self) -> str:
        e, n = self.payload["level_change"], display.number
        return (
            f"<InterruptedTimeSeries at {self.payload['intervention']}: level change {n(e['estimate'])} "
            f"({n(e['ci_low'])} to {n(e['ci_high'])})>"
        )

    @property
    def level_change(self) -> float:
        """The ratio of the rate just after the intervention to the rate the trend before predicted."""
        return float(self.payload["level_change"]["estimate"])

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.payload)

    def to_arrow(self) -> pa.Table:
        rows = [{"effect": name, **self.payload[name]} for name in _EFFECTS if self.payload.get(name)]
        return table_of(
            rows,
            {
                "effect": pa.string(),
                "estimate": pa.float64(),
                "ci_low": pa.float64(),
                "ci_high": pa.float64(),
                "p_value": pa.float64(),
                "significant": pa.bool_(),
            },
        )

    def figure(self) -> Figure:
        from peacewatch.briefs.charts import series_figure

        p = self.payload
        span = Span(_day(p["from"]), _day(p["to"]))
        return series_figure(
            self.filters.replace(date_from=span.start, date_to=span.end),
            by="day",
            span=span,
            title=f"Daily {self.measure} around the intervention of {p['intervention']}",
            measure=self.measure,
            estimate=self.estimate,
            shade=[{"label": "after the intervention", "span": f"{p['intervention']}:{p['to']}"}],
            id="its",
            store=self.store,
        )

    def _repr_html_(self) -> str:
        p = self.payload
        rows = [
            {
                "effect": name.replace("_", " "),
                "ratio": display.number(p[name]["estimate"]),
                "interval": f"{display.number(p[name]['ci_low'])} to {display.number(p[name]['ci_high'])}",
                "p": f"{p[name]['p_value']:.2g}",
            }
            for name in _EFFECTS
            if p.get(name)
        ]
        return display.page(
            f"Interrupted time series at {p['intervention']} ({p['from']} to {p['to']})",
            lines=[display.table_html(rows, ("effect", "ratio", "interval", "p"))],
            notes=[p.get("method"), (p.get("imprecise") or {}).get("note")],
            datasets=p["datasets"],
            command=p["command"],
        )


__all__ = ["Changepoints", "InterruptedTimeSeries", "Trend"]
