"""Change on the store: a window against a baseline, a month's trend, changepoints and
interrupted time series, each on the zero-filled daily values of :mod:`peacewatch.analysis.series`.

Every result carries the filters, the datasets (with version and sha256) and the CLI command that
reproduces it; periods outside the coverage of the selected datasets raise CoverageError.

>>> from peacewatch import analysis, Filters
>>> analysis.trend(Filters(country="Afghanistan"), month="2020-03", store="demo")  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from peacewatch import stats
from peacewatch.analysis.coverage import require_coverage
from peacewatch.analysis.select import StoreLike, as_store
from peacewatch.analysis.series import daily, daily_noted, imprecise, selection_over
from peacewatch.errors import IndicatorError
from peacewatch.indicators.calendar import (
    Span,
    as_span,
    month_span,
    months_before,
    preceding,
    same_window_previous_years,
)
from peacewatch.indicators.filters import Filters
from peacewatch.schema import caveat_list


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
    imprecise: dict[str, Any] | None = None
    snapshot: int | None = None  # the store snapshot read

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
            "imprecise": self.imprecise,
            "caveats": caveat_list(self.datasets, self.imprecise),
            "snapshot": self.snapshot,
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
    s = as_store(store)
    # One query over the whole stretch, sliced here: each period is checked against the coverage.
    full = Span(min(b.start for b in (w, *spans)), max(b.end for b in (w, *spans)))
    sel = selection_over(s, f, full)
    require_coverage(sel, w, "window", store=s)
    for b in spans:
        require_coverage(sel, b, "baseline", store=s)
    _, values, sel, dated = daily_noted(
        f,
        full,
        spans=(w, *spans),
        subject="the events compared",
        measure=measure,
        estimate=estimate,
        store=s,
        sel=sel,
    )

    def part(span: Span) -> np.ndarray:
        lo = (span.start - full.start).days
        return values[lo : lo + span.days]

    wv = part(w)
    bv = np.concatenate([part(b) for b in spans])
    kwargs = {"conf_level": conf_level} | ({"method": method} if method else {})
    result = stats.compare_rates(wv, bv, **kwargs)
    cmd = (
        f"peacewatch compare {f.cli_args(s.path, s.snapshot)} --window {w} {flag} --measure {measure}"
        + (f" --estimate {estimate}" if measure == "fatalities" else "")
        + (f" --method {method}" if method else "")
    )
    return CompareResult(
        w,
        spans,
        result,
        measure,
        estimate,
        f,
        sel.provenance(),
        shlex.join(shlex.split(cmd)),
        rule,
        dated,
        snapshot=s.snapshot,
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
    imprecise: dict[str, Any] | None = None
    snapshot: int | None = None  # the store snapshot read

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
            "imprecise": self.imprecise,
            "caveats": caveat_list(self.datasets, self.imprecise),
            "snapshot": self.snapshot,
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
    s = as_store(store)
    m = month_span(month)
    base = months_before(m, 3)
    full = Span(base.start, m.end)
    cmd = (
        f"peacewatch trend {f.cli_args(s.path, s.snapshot)} --month {shlex.quote(month)} --measure {measure}"
        + (f" --estimate {estimate}" if measure == "fatalities" else "")
        + (" --by admin1" if by_admin1 else "")
    )
    cmd = shlex.join(shlex.split(cmd))
    if not by_admin1:
        _, values, sel = daily(f, full, measure=measure, estimate=estimate, store=s, what="months")
        verdict = stats.monthly_trend(values[base.days :], values[: base.days])
        dated = imprecise(s, sel, "month", estimate=estimate)
        return [TrendResult(month, None, verdict, base, f, sel.provenance(), cmd, dated, s.snapshot)]
    sel = selection_over(s, f, full)
    require_coverage(sel, full, "span of the month and the three before it", store=s)
    units = sorted(
        u for u in s.execute(sel.expr.select("admin1").distinct()).column("admin1").to_pylist() if u
    )
    if not units:
        raise IndicatorError("--by admin1: the selected events carry no admin1 names.")
    out = []
    for unit in units:
        _, values, usel = daily(f.replace(admin1=unit), full, measure=measure, estimate=estimate, store=s)
        verdict = stats.monthly_trend(values[base.days :], values[: base.days])
        dated = imprecise(s, usel, "month", estimate=estimate)
        out.append(TrendResult(month, unit, verdict, base, f, sel.provenance(), cmd, dated, s.snapshot))
    return out


def _payload(result, sp: Span, measure: str, f: Filters, sel, cmd: str, **extra) -> dict[str, Any]:
    """The JSON of a daily-series method: its result, the period, filters, datasets, command and the
    store snapshot read (``snapshot`` in ``extra``)."""
    return {
        **result.to_dict(),
        **extra,
        "from": sp.start.isoformat(),
        "to": sp.end.isoformat(),
        "measure": measure,
        "filters": f.to_dict(),
        "datasets": sel.provenance(),
        "command": shlex.join(shlex.split(cmd)),
        "caveats": caveat_list(sel.provenance(), extra.get("imprecise")),
    }


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
    s = as_store(store)
    dates, values, sel, dated = daily_noted(
        f, sp, spans=(sp,), subject="these events", measure=measure, estimate=estimate, store=s
    )
    result = stats.poisson_changepoints(values, dates, penalty=penalty)
    cmd = (
        f"peacewatch changepoints {f.replace(date_from=None, date_to=None).cli_args(s.path, s.snapshot)} "
        f"--from {sp.start} --to {sp.end} --measure {measure}"
        + (f" --estimate {estimate}" if measure == "fatalities" else "")
        + (f" --penalty {penalty}" if penalty is not None else "")
    )
    return _payload(
        result,
        sp,
        measure,
        f,
        sel,
        cmd,
        imprecise=dated,
        snapshot=s.snapshot,
    )


def its(
    f: Filters,
    *,
    intervention: str | dt.date,
    span: Span | str,
    measure: str = "events",
    estimate: str = "best",
    seasonal_harmonics: int = 0,
    adjust_autocorrelation: bool = True,
    store: StoreLike = None,
) -> dict[str, Any]:
    """Interrupted time series: level and slope change at ``intervention`` (segmented NB regression),
    intervals widened for residual autocorrelation unless ``adjust_autocorrelation`` is False."""
    sp = as_span(span, "--from/--to")
    day = intervention if isinstance(intervention, dt.date) else dt.date.fromisoformat(str(intervention))
    if not sp.start < day <= sp.end:
        raise IndicatorError(f"--intervention {day}: expected a day inside {sp} with days before it.")
    s = as_store(store)
    dates, values, sel, dated = daily_noted(
        f, sp, spans=(sp,), subject="these events", measure=measure, estimate=estimate, store=s
    )
    result = stats.interrupted_time_series(
        dates,
        values,
        np.datetime64(day, "D"),
        seasonal_harmonics=seasonal_harmonics,
        adjust_autocorrelation=adjust_autocorrelation,
    )
    cmd = (
        f"peacewatch its {f.replace(date_from=None, date_to=None).cli_args(s.path, s.snapshot)} "
        f"--intervention {day} --from {sp.start} --to {sp.end} --measure {measure}"
        + (f" --estimate {estimate}" if measure == "fatalities" else "")
        + (f" --seasonal {seasonal_harmonics}" if seasonal_harmonics else "")
        + ("" if adjust_autocorrelation else " --independent-days")
    )
    return _payload(
        result,
        sp,
        measure,
        f,
        sel,
        cmd,
        intervention=day.isoformat(),
        imprecise=dated,
        snapshot=s.snapshot,
    )


__all__ = [
    "CompareResult",
    "TrendResult",
    "changepoints",
    "compare",
    "its",
    "trend",
]
