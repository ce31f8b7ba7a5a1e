"""Series and change statistics on the store: the numbers every verdict and briefing rests on.

Every result carries the filters, the datasets (with version and sha256) and the CLI command that
reproduces it. Days outside the coverage of the selected datasets are never read as zeros: asking
about them raises CoverageError (an "insufficient data" answer for later layers).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from peacewatch import stats
from peacewatch.analysis.select import selection
from peacewatch.errors import CoverageError, IndicatorError
from peacewatch.indicators.calendar import (
    By,
    Span,
    fill,
    month_span,
    months_before,
    preceding,
    same_window_previous_years,
)
from peacewatch.indicators.filters import Filters, Selection
from peacewatch.indicators.series import count_series, event_counts
from peacewatch.store import Store

StoreLike = Store | str | os.PathLike | None


def as_span(value: Span | str, flag: str) -> Span:
    if isinstance(value, Span):
        return value
    start, sep, end = str(value).partition(":")
    try:
        if not sep:
            raise ValueError
        return Span(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    except ValueError:
        raise IndicatorError(
            f"{flag} {value!r}: expected START:END as YYYY-MM-DD:YYYY-MM-DD (both inclusive)."
        ) from None


def _coverage(sel: Selection) -> Span | None:
    starts = [e["date_min"] for e in sel.datasets if e.get("date_min")]
    ends = [e["date_max"] for e in sel.datasets if e.get("date_max")]
    if not starts:
        return None
    return Span(
        min(dt.date.fromisoformat(str(d)[:10]) for d in starts),
        max(dt.date.fromisoformat(str(d)[:10]) for d in ends),
    )


def _require_coverage(sel: Selection, span: Span, what: str) -> None:
    ids = tuple(e["dataset_id"] for e in sel.datasets)
    cover = _coverage(sel)
    if cover is None:
        raise CoverageError(
            f"no dataset in the store matches these filters, so the {what} {span} cannot be measured.",
            datasets=ids,
            hint="Ingest a dataset that covers it, or check the filters.",
        )
    if span.start < cover.start or span.end > cover.end:
        raise CoverageError(
            f"the {what} {span} is not covered by the selected data ({', '.join(ids)} cover {cover}); "
            "days outside it would be counted as days without violence.",
            datasets=ids,
            hint="Choose dates inside the coverage, or ingest a dataset that covers them.",
        )


@dataclass(frozen=True)
class SeriesResult:
    """A zero-filled series and where it came from."""

    by: str
    measure: str
    estimate: str
    filters: Filters
    datasets: list[dict[str, Any]]
    span: Span
    points: list[tuple[dt.date, float]]
    command: str

    def values(self) -> np.ndarray:
        return np.array([v for _, v in self.points], dtype=float)

    def to_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "measure": self.measure,
            "estimate": self.estimate,
            "filters": self.filters.to_dict(),
            "datasets": self.datasets,
            "from": self.span.start.isoformat(),
            "to": self.span.end.isoformat(),
            "points": [{"period_start": d.isoformat(), "value": v} for d, v in self.points],
            "command": self.command,
        }


def _series_on(s: Store, sel: Selection, span: Span, by: By, measure: str, estimate: str):
    if sel.table == "counts":
        expr = count_series(sel.expr, span, by, measure, _period_days(s, sel))
        table = s.execute(expr)
        return list(
            zip(table.column("period_start").to_pylist(), table.column("value").to_pylist(), strict=True)
        )
    table = s.execute(event_counts(sel.expr, by, measure, estimate))
    counted = dict(
        zip(table.column("period_start").to_pylist(), table.column("value").to_pylist(), strict=True)
    )
    return fill(span, by, counted)


def _period_days(s: Store, sel: Selection) -> int:
    ids = [e["dataset_id"] for e in sel.datasets]
    marks = ", ".join("?" for _ in ids)
    lengths = (
        s.query(
            f"SELECT DISTINCT datediff('day', period_start, period_end) + 1 AS d FROM counts "
            f"WHERE dataset_id IN ({marks})",
            ids,
        )
        .column("d")
        .to_pylist()
    )
    if len(lengths) != 1:
        raise IndicatorError(
            f"the aggregates {', '.join(ids)} mix periods of {sorted(lengths)} days; "
            "choose one with --dataset."
        )
    return int(lengths[0])


def series(
    f: Filters, *, by: By = "day", measure: str = "events", estimate: str = "best", store: StoreLike = None
) -> SeriesResult:
    """Events or fatalities per day, ISO week or month, zero-filled over --from..--to (default: the
    coverage of the selected datasets)."""
    s, sel = selection(f, store)
    if not (f.date_from and f.date_to):  # the span defaults to the coverage of the selected datasets
        cover = _coverage(sel)
        if cover is None:
            raise CoverageError(
                "no dataset in the store matches these filters.",
                datasets=(),
                hint="See `peacewatch datasets`.",
            )
        span = Span(f.date_from or cover.start, f.date_to or cover.end)
        sel = _with_span(s, f, span)
    else:
        span = Span(f.date_from, f.date_to)
    points = _series_on(s, sel, span, by, measure, estimate)
    cmd = f"peacewatch series {f.cli_args()} --by {by} --measure {measure}"
    if measure == "fatalities":
        cmd += f" --estimate {estimate}"
    return SeriesResult(by, measure, estimate, f, sel.provenance(), span, points, " ".join(cmd.split()))


def _with_span(s: Store, f: Filters, span: Span) -> Selection:
    return selection(f.replace(date_from=span.start, date_to=span.end), s)[1]


def daily(
    f: Filters,
    span: Span,
    *,
    measure: str = "events",
    estimate: str = "best",
    store: StoreLike = None,
    what: str = "period",
    sel: Selection | None = None,
) -> tuple[np.ndarray, np.ndarray, Selection]:
    """Zero-filled daily values over ``span`` (dates, values), refusing days the data do not cover.
    ``sel``, when given, is the selection of ``f`` over ``span`` already made by the caller."""
    s = store if isinstance(store, Store) else Store(store)
    sel = sel or _with_span(s, f, span)
    if sel.table == "counts":
        raise IndicatorError(
            "daily statistics need event data; the chosen dataset is an aggregate. "
            "Use `peacewatch series` on it, or choose an event dataset."
        )
    _require_coverage(sel, span, what)
    points = _series_on(s, sel, span, "day", measure, estimate)
    dates = np.arange(np.datetime64(span.start, "D"), np.datetime64(span.end, "D") + 1)
    return dates, np.array([v for _, v in points], dtype=float), sel


@dataclass(frozen=True)
class CompareResult:
    window: Span
    baseline: tuple[Span, ...]
    result: stats.RateComparison
    measure: str
    estimate: str
    filters: Filters
    datasets: list[dict[str, Any]]
    command: str
    baseline_rule: str = "explicit"

    def to_dict(self) -> dict[str, Any]:
        r = self.result
        base = {
            "start": self.baseline[0].start.isoformat() if len(self.baseline) == 1 else None,
            "end": self.baseline[0].end.isoformat() if len(self.baseline) == 1 else None,
            "days": r.baseline_days,
            "total": r.baseline_total,
            "rate": r.baseline_rate,
            "spans": [b.to_dict() for b in self.baseline],
            "rule": self.baseline_rule,
        }
        return {
            "window": {**self.window.to_dict(), "total": r.window_total, "rate": r.window_rate},
            "baseline": base,
            "rate_ratio": r.rate_ratio,
            "ci_low": r.ci_low,
            "ci_high": r.ci_high,
            "conf_level": r.conf_level,
            "p_value": r.p_value,
            "percent_change": r.percent_change,
            "significant": r.significant,
            "method": r.method,
            "dispersion": r.dispersion,
            "note": r.note,
            "measure": self.measure,
            "estimate": self.estimate,
            "filters": self.filters.to_dict(),
            "datasets": self.datasets,
            "command": self.command,
        }


def compare(
    f: Filters,
    *,
    window: Span | str,
    baseline: Span | str | None = None,
    baseline_preceding: int | None = None,
    baseline_years: int | None = None,
    measure: str = "events",
    estimate: str = "best",
    method: str | None = None,
    conf_level: float = 0.95,
    store: StoreLike = None,
) -> CompareResult:
    """The rate in ``window`` against a baseline: explicit dates, the preceding N days, or the same
    calendar window in the previous K years (exactly one of the three)."""
    w = as_span(window, "--window")
    given = [x is not None for x in (baseline, baseline_preceding, baseline_years)]
    if sum(given) != 1:
        raise IndicatorError(
            "give exactly one baseline: --baseline START:END, --baseline-preceding N or --baseline-years K."
        )
    if baseline is not None:
        spans, rule, flag = (
            (as_span(baseline, "--baseline"),),
            "explicit",
            f"--baseline {as_span(baseline, '')}",
        )
    elif baseline_preceding is not None:
        spans, rule = (preceding(w, baseline_preceding),), f"preceding {baseline_preceding} days"
        flag = f"--baseline-preceding {baseline_preceding}"
    else:
        spans = tuple(same_window_previous_years(w, baseline_years))
        rule, flag = (
            f"same window in the previous {baseline_years} years",
            f"--baseline-years {baseline_years}",
        )
    s = store if isinstance(store, Store) else Store(store)
    # One query over the whole stretch, sliced here: each period is checked against the coverage.
    full = Span(min(b.start for b in (w, *spans)), max(b.end for b in (w, *spans)))
    sel = _with_span(s, f, full)
    _require_coverage(sel, w, "window")
    for b in spans:
        _require_coverage(sel, b, "baseline")
    _, values, sel = daily(f, full, measure=measure, estimate=estimate, store=s, sel=sel)

    def part(span: Span) -> np.ndarray:
        lo = (span.start - full.start).days
        return values[lo : lo + span.days]

    wv = part(w)
    bv = np.concatenate([part(b) for b in spans])
    kwargs = {"conf_level": conf_level} | ({"method": method} if method else {})
    result = stats.compare_rates(wv, bv, **kwargs)
    cmd = (
        f"peacewatch compare {f.cli_args()} --window {w} {flag} --measure {measure}"
        + (f" --estimate {estimate}" if measure == "fatalities" else "")
        + (f" --method {method}" if method else "")
    )
    return CompareResult(
        w, spans, result, measure, estimate, f, sel.provenance(), " ".join(cmd.split()), rule
    )


@dataclass(frozen=True)
class TrendResult:
    month: str
    unit: str | None
    verdict: stats.TrendVerdict
    baseline: Span
    filters: Filters
    datasets: list[dict[str, Any]] = field(default_factory=list)
    command: str = ""

    def to_dict(self) -> dict[str, Any]:
        v = self.verdict.to_dict()
        return {
            "month": self.month,
            "admin1": self.unit,
            **v,
            "baseline": self.baseline.to_dict(),
            "filters": self.filters.to_dict(),
            "datasets": self.datasets,
            "command": self.command,
        }


def trend(
    f: Filters,
    *,
    month: str,
    by_admin1: bool = False,
    measure: str = "events",
    estimate: str = "best",
    store: StoreLike = None,
) -> list[TrendResult]:
    """A month against the three months before it: deteriorated, improved or unchanged (rules in
    docs/methods.md). With ``by_admin1``, one verdict per first-level unit."""
    s = store if isinstance(store, Store) else Store(store)
    m = month_span(month)
    base = months_before(m, 3)
    full = Span(base.start, m.end)
    cmd = f"peacewatch trend {f.cli_args()} --month {month}" + (" --by admin1" if by_admin1 else "")
    if not by_admin1:
        _, values, sel = daily(f, full, measure=measure, estimate=estimate, store=s, what="months")
        verdict = stats.monthly_trend(values[base.days :], values[: base.days])
        return [TrendResult(month, None, verdict, base, f, sel.provenance(), " ".join(cmd.split()))]
    sel = _with_span(s, f, full)
    _require_coverage(sel, full, "months")
    units = sorted(
        u for u in s.execute(sel.expr.select("admin1").distinct()).column("admin1").to_pylist() if u
    )
    if not units:
        raise IndicatorError("--by admin1: the selected events carry no admin1 names.")
    out = []
    for unit in units:
        _, values, _ = daily(f.replace(admin1=unit), full, measure=measure, estimate=estimate, store=s)
        verdict = stats.monthly_trend(values[base.days :], values[: base.days])
        out.append(TrendResult(month, unit, verdict, base, f, sel.provenance(), " ".join(cmd.split())))
    return out


def changepoints(
    f: Filters,
    *,
    span: Span | str,
    measure: str = "events",
    estimate: str = "best",
    penalty: float | None = None,
    store: StoreLike = None,
) -> dict[str, Any]:
    """Days where the daily rate shifts (PELT with a Poisson likelihood), with rates before and after."""
    sp = as_span(span, "--from/--to")
    dates, values, sel = daily(f, sp, measure=measure, estimate=estimate, store=store)
    result = stats.poisson_changepoints(values, dates, penalty=penalty)
    cmd = (
        f"peacewatch changepoints {f.replace(date_from=None, date_to=None).cli_args()} --from {sp.start} "
        f"--to {sp.end} --measure {measure}" + (f" --penalty {penalty}" if penalty is not None else "")
    )
    return {
        **result.to_dict(),
        "from": sp.start.isoformat(),
        "to": sp.end.isoformat(),
        "measure": measure,
        "filters": f.to_dict(),
        "datasets": sel.provenance(),
        "command": " ".join(cmd.split()),
    }


def its(
    f: Filters,
    *,
    intervention: str | dt.date,
    span: Span | str,
    measure: str = "events",
    estimate: str = "best",
    seasonal_harmonics: int = 0,
    store: StoreLike = None,
) -> dict[str, Any]:
    """Interrupted time series: level and slope change at ``intervention`` (segmented NB regression)."""
    sp = as_span(span, "--from/--to")
    day = intervention if isinstance(intervention, dt.date) else dt.date.fromisoformat(str(intervention))
    if not sp.start < day <= sp.end:
        raise IndicatorError(f"--intervention {day}: expected a day inside {sp} with days before it.")
    dates, values, sel = daily(f, sp, measure=measure, estimate=estimate, store=store)
    result = stats.interrupted_time_series(
        dates, values, np.datetime64(day, "D"), seasonal_harmonics=seasonal_harmonics
    )
    cmd = (
        f"peacewatch its {f.replace(date_from=None, date_to=None).cli_args()} --intervention {day} "
        f"--from {sp.start} --to {sp.end} --measure {measure}"
        + (f" --seasonal {seasonal_harmonics}" if seasonal_harmonics else "")
    )
    return {
        **result.to_dict(),
        "intervention": day.isoformat(),
        "from": sp.start.isoformat(),
        "to": sp.end.isoformat(),
        "measure": measure,
        "filters": f.to_dict(),
        "datasets": sel.provenance(),
        "command": " ".join(cmd.split()),
    }


__all__ = [
    "CompareResult",
    "SeriesResult",
    "TrendResult",
    "changepoints",
    "compare",
    "daily",
    "its",
    "series",
    "trend",
]
