"""New significant changes in violence over a case's areas and parties: the rules of
docs/adr/0017-watch-and-alerts.md, each a rate ratio with its 95% interval, and a finding only when
the interval supports it (it excludes 1).

* ``preceding_4_weeks``: the latest complete ISO week (Monday to Sunday, every day covered by the data)
  against the 28 days before it, ``analysis.compare(..., baseline_preceding=28)``.
* ``same_weeks_earlier_years``: the same week against the same calendar days of the 3 years before (fewer
  when the data start later), ``analysis.compare(..., baseline_years=K)``; seasonality (the fighting
  season) makes a week unusual for its time of year a different finding from a week unusual for its month.
* ``highest_30_days``: the 30 days ending with that week hold more events than any other 30 consecutive
  days of the 3 years (else the 1 year) before, and their daily rate against those years' has an
  interval wholly above 1 (a record by a whisker that noise explains is not raised). Ending with the
  week, not with the last day, makes a surge one alert a week rather than one a day.

Rates are the quasi-Poisson ratios of ``peacewatch.stats.rates`` (the house default). Days the data do
not cover are never counted: a rule that would need them is skipped with a note saying so.

>>> latest_complete_week(dt.date(2026, 3, 13))
Span(start=datetime.date(2026, 3, 2), end=datetime.date(2026, 3, 8))
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from peacewatch import analysis, stats
from peacewatch.analysis.coverage import filters_coverage
from peacewatch.analysis.series import daily
from peacewatch.errors import (
    AmbiguousDatasetsError,
    CoverageError,
    IndicatorError,
    MissingFieldError,
    StatisticsError,
)
from peacewatch.indicators.calendar import Span, same_window_previous_years
from peacewatch.indicators.filters import Filters

# The violence a watch counts: ACLED's three political-violence types (UCDP GED's organised violence
# maps onto them); protests, riots and strategic developments are not violence.
VIOLENCE = ("battle", "explosion_remote_violence", "violence_against_civilians")
WEEKS_BEFORE = 4
YEARS_BACK = 3
RECORD_DAYS = 30
RECORD_YEARS = (3, 1)  # the longer record first: a 3-year high is also a 1-year high, said once
_CANNOT = (MissingFieldError, CoverageError, AmbiguousDatasetsError, StatisticsError, IndicatorError)


@dataclass(frozen=True)
class Scope:
    """What a watch counts for one area or party of a case: a name for people and the filters."""

    name: str
    filters: Filters

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "filters": self.filters.to_dict()}


@dataclass(frozen=True)
class Finding:
    """A change the interval supports. ``key`` names the scope, the rule and the period, so the same
    finding is raised once however often the watch runs on the same data."""

    kind: str  # violence_change or highest_30_days
    rule: str
    scope: Scope
    period: str
    direction: str  # increase or decrease
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.scope.name}|{self.rule}|{self.period}"


def latest_complete_week(cut_off: dt.date) -> Span:
    """The last ISO week (Monday to Sunday) that ends on or before ``cut_off``."""
    sunday = cut_off - dt.timedelta(days=(cut_off.weekday() + 1) % 7)
    return Span(sunday - dt.timedelta(days=6), sunday)


def direction(r: stats.RateComparison) -> str | None:
    """``increase`` or ``decrease`` when the interval of the rate ratio excludes 1, else None.

    >>> direction(stats.compare_rates([5] * 7, [5] * 28)) is None
    True
    """
    if r.ci_low > 1.0:
        return "increase"
    if r.ci_high < 1.0:
        return "decrease"
    return None


def record(values: np.ndarray, years: int, days: int = RECORD_DAYS) -> dict[str, Any] | None:
    """The highest_30_days rule on daily values ending at the cut-off (the last value): the total of
    the last ``days`` against every run of ``days`` consecutive days within the ``years`` * 365 days
    before them (runs that overlap the last ``days`` would compare a surge with itself), and their
    rate against those years' rate. None unless both hold.

    >>> record(np.ones(400), 1) is None   # a flat year has no record
    True
    """
    span = years * 365
    if values.size < span + days:
        raise StatisticsError(f"the rule needs {span + days} days of data; found {values.size}")
    sums = np.convolve(values, np.ones(days), mode="valid")  # sums[i]: the days i .. i+days-1
    # The runs that end before the last ``days`` begin and start within the years before them.
    current, before = float(sums[-1]), sums[-1 - span : -days]
    top = int(np.argmax(before))
    if current <= float(before[top]):
        return None
    r = stats.compare_rates(values[-days:], values[-days - span : -days])
    if direction(r) != "increase":
        return None
    # The run that held the record before: its last day, counted back from the cut-off.
    return {
        "total": current,
        "previous_highest": float(before[top]),
        "previous_highest_ends_days_before": int(before.size - top + days - 1),
        "comparison": r,
    }


def findings(scope: Scope, store) -> tuple[list[Finding], list[tuple[str, str]]]:
    """Every finding of the three rules on ``scope`` at the store's snapshot, and notes (scope name,
    text) on the rules the data cannot answer (a missing field, too few years, no events in a baseline)."""
    f = scope.filters
    try:
        cover = filters_coverage(store, f)
    except _CANNOT as exc:
        return [], [(scope.name, f"not watched: {exc.message}")]
    if not cover.spans:
        return [], [(scope.name, "not watched: no dataset in the store matches its filters.")]
    data = cover.spans[-1]  # the stretch of days up to the cut-off, without a gap
    week = latest_complete_week(data.end)
    if week.start < data.start:
        return [], [(scope.name, f"not watched: the data ({data}) hold no complete week.")]
    out, notes = [], []
    for rule, kwargs in _weekly_rules(week, data):
        if kwargs is None:
            notes.append((scope.name, f"{rule}: the data ({data}) do not reach back far enough."))
            continue
        try:
            r = analysis.compare(f, window=week, store=store, **kwargs)
        except _CANNOT as exc:
            notes.append((scope.name, f"{rule}: {exc.message}"))
            continue
        way = direction(r.result)
        if way:
            out.append(_weekly(scope, rule, week, way, r))
    try:
        found = _highest(scope, store, Span(data.start, week.end))
    except _CANNOT as exc:
        found, notes = None, [*notes, (scope.name, f"highest_30_days: {exc.message}")]
    if found is not None:
        out.append(found)
    return out, notes


def _weekly_rules(week: Span, data: Span):
    yield (
        "preceding_4_weeks",
        (
            {"baseline_preceding": 7 * WEEKS_BEFORE}
            if week.start - dt.timedelta(days=7 * WEEKS_BEFORE) >= data.start
            else None
        ),
    )
    years = [
        k for k in range(YEARS_BACK, 0, -1) if same_window_previous_years(week, k)[-1].start >= data.start
    ]
    yield "same_weeks_earlier_years", {"baseline_years": years[0]} if years else None


def _weekly(scope: Scope, rule: str, week: Span, way: str, r) -> Finding:
    d = r.to_dict()
    against = (
        f"the {WEEKS_BEFORE} weeks before"
        if rule == "preceding_4_weeks"
        else f"the same days of the {len(r.baseline)} year{'s' if len(r.baseline) > 1 else ''} before"
    )
    summary = (
        f"{scope.name}: {d['window']['total']:,.0f} events in the week {week.start} to {week.end} against "
        f"{d['baseline']['total']:,.0f} in {against} (rate ratio {d['rate_ratio']:.2f}, 95% interval "
        f"{d['ci_low']:.2f} to {d['ci_high']:.2f}): {'a rise' if way == 'increase' else 'a fall'}."
    )
    evidence = {"scope": scope.to_dict(), "rule": rule, "comparison": d, "command": d["command"]}
    return Finding("violence_change", rule, scope, str(week), way, summary, evidence)


def _highest(scope: Scope, store, data: Span) -> Finding | None:
    """The highest_30_days finding for the 30 days ending ``data.end`` (the latest complete week's
    Sunday), or None."""
    longest = next((y for y in RECORD_YEARS if data.days >= y * 365 + RECORD_DAYS), None)
    if longest is None:
        raise StatisticsError(f"the data ({data}) hold fewer than {365 + RECORD_DAYS} days")
    span = Span(data.end - dt.timedelta(days=longest * 365 + RECORD_DAYS - 1), data.end)
    _, values, sel = daily(scope.filters, span, store=store)
    for years in (y for y in RECORD_YEARS if y <= longest):
        found = record(values, years)
        if found is None:
            continue
        r = found.pop("comparison")
        last = Span(data.end - dt.timedelta(days=RECORD_DAYS - 1), data.end)
        base = Span(last.start - dt.timedelta(days=years * 365), last.start - dt.timedelta(days=1))
        held = data.end - dt.timedelta(days=found["previous_highest_ends_days_before"])
        f = scope.filters
        compare_cmd = (
            f"peacewatch compare {f.cli_args(store.path, store.snapshot)} --window {last} --baseline {base} "
            "--measure events"
        )
        dated = f.replace(date_from=span.start, date_to=span.end)
        series_cmd = (
            f"peacewatch series {dated.cli_args(store.path, store.snapshot)} --by day --measure events"
        )
        against = "that year" if years == 1 else f"those {years} years"
        summary = (
            f"{scope.name}: {found['total']:,.0f} events in the 30 days {last.start} to {last.end}, the most "
            f"in any 30 days of the {years} year{'s' if years > 1 else ''} before (the previous highest, "
            f"{found['previous_highest']:,.0f}, ended {held}); rate ratio {r.rate_ratio:.2f} against "
            f"{against}, 95% interval {r.ci_low:.2f} to {r.ci_high:.2f}."
        )
        evidence = {
            "scope": scope.to_dict(),
            "rule": "highest_30_days",
            "years": years,
            **found,
            "previous_highest_ended": held.isoformat(),
            "window": last.to_dict(),
            "baseline": base.to_dict(),
            "comparison": r.to_dict(),
            "datasets": sel.provenance(),
            "command": shlex.join(shlex.split(compare_cmd)),
            "series_command": shlex.join(shlex.split(series_cmd)),
        }
        return Finding("highest_30_days", "highest_30_days", scope, str(last), "increase", summary, evidence)
    return None
