"""The three checks, each run on the store and turned into a result, a one-sentence summary with the
numbers, and the evidence behind it (the rules are in the package docstring):

* ``change``: :func:`peacewatch.analysis.compare` of a window against a baseline, judged by
  :func:`change_verdict`;
* ``rank``: monthly totals summed to the periods compared, the margin weighed against Poisson noise;
* ``trend``: monthly totals, fitted by :func:`peacewatch.stats.trend.monthly_trend_fit`.

A check raises the indicator and statistics errors it meets; :mod:`peacewatch.briefs.claims.results`
turns them into ``insufficient_data``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import math
import re

import numpy as np

from peacewatch import analysis
from peacewatch.agreements.judgement import count_phrase
from peacewatch.analysis.coverage import require_coverage
from peacewatch.briefs.claims.model import ChangeCheck, ClaimFilters, RankCheck, TrendCheck, _label
from peacewatch.indicators.calendar import Span
from peacewatch.stats.changepoints import poisson_changepoints
from peacewatch.stats.trend import monthly_trend_fit
from peacewatch.store import Store


def _d(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _words(f: ClaimFilters) -> str:
    return "events" if f.measure == "events" else f"{f.estimate}-estimate fatalities"


# -- change ----------------------------------------------------------------------------------------------


def change_verdict(expect: str, lo: float, hi: float, min_effect: float | None = None) -> tuple[str, str]:
    """The result of a change claim from the 95% interval of the rate ratio, and why (the rules of
    the package docstring).

    >>> change_verdict("decrease", 0.13, 0.30)
    ('supported', 'wholly below 1: a fall')
    """
    m = min_effect or 0.0
    if expect == "no_change":
        if lo > 1 or hi < 1:
            return "contradicted", "which excludes 1: a real change"
        if m and (lo < 1 - m or hi > 1 + m):
            band = f"{1 - m:g} to {1 + m:g}"
            return (
                "inconclusive",
                f"which includes 1 but reaches beyond {band}: a change of {m:.0%} is possible",
            )
        return "supported", "which includes 1" + (f" and lies within {1 - m:g} to {1 + m:g}" if m else "")
    fall = expect == "decrease"
    bound, word = (1 - m, "fall") if fall else (1 + m, "rise")
    if (hi < bound) if fall else (lo > bound):
        return "supported", f"wholly {'below' if fall else 'above'} {bound:g}: a {word}" + (
            f" of more than {m:.0%}" if m else ""
        )
    if (lo >= bound) if fall else (hi <= bound):
        return "contradicted", f"at or {'above' if fall else 'below'} {bound:g}: no {word}" + (
            f" as large as the {m:.0%} claimed" if m else ""
        )
    return "inconclusive", f"which straddles {bound:g}: the data cannot tell " + (
        f"whether the {word} reached {m:.0%}" if m else f"a {word} from chance"
    )


def _change(c: ChangeCheck, s: Store) -> tuple[str, str, dict]:
    f = c.filters
    r = analysis.compare(
        f.to_filters(), window=c.window, baseline=c.baseline, measure=f.measure, estimate=f.estimate, store=s
    )
    d = r.to_dict()
    result, why = change_verdict(c.expect, d["ci_low"], d["ci_high"], c.min_effect)
    w, b = d["window"], d["baseline"]
    summary = (
        f"{count_phrase(w['total'], _words(f))} in the window {w['start']} to {w['end']} "
        f"({w['rate']:.3g} a day) "
        f"against {b['total']:,.0f} in the baseline {b['start']} to {b['end']} ({b['rate']:.3g} a day): "
        f"a rate ratio of {d['rate_ratio']:.2f} ({d['percent_change']:+.0f}%), 95% interval "
        f"{d['ci_low']:.2f} to {d['ci_high']:.2f}, {why}."
    )
    if d["note"]:  # a clause of the statistics ("the window has no events, ..."), made a sentence here
        summary += f" {d['note'][0].upper()}{d['note'][1:]}."
    return result, summary, {"comparison": d, "datasets": d["datasets"], "command": d["command"]}


# -- rank ------------------------------------------------------------------------------------------------


def _series(c: RankCheck | TrendCheck, s: Store):
    f = c.filters
    g = f.to_filters(c.date_from, c.date_to)
    # A month the data do not cover would be ranked or fitted as a month without violence.
    _, sel = analysis.selection(g, s)
    require_coverage(sel, Span(c.date_from, c.date_to), "period", store=s)
    return analysis.series(g, by="month", measure=f.measure, estimate=f.estimate, store=s)


def _rank(c: RankCheck, s: Store) -> tuple[str, str, dict]:
    sr = _series(c, s)
    totals: dict[str, float] = {}
    for d, v in sr.points:
        totals[_label(d, c.by)] = totals.get(_label(d, c.by), 0.0) + v
    want_max = c.expect.max is not None
    expected = c.expect.max or c.expect.min
    order = sorted(totals, key=lambda k: (-totals[k] if want_max else totals[k], k != expected))
    unit, most = f"{c.by}s", "most" if want_max else "fewest"
    words = _words(c.filters)
    evidence = {
        "series": sr.to_dict(),
        "totals": [{"period": k, "value": v} for k, v in totals.items()],
        "datasets": sr.datasets,
        "command": sr.command,
    }
    if not any(totals.values()):
        return "inconclusive", f"No {words} at all in {c.date_from}:{c.date_to}: nothing to rank.", evidence
    leader = order[0]
    other = order[1] if leader == expected else expected
    a, b = totals[leader], totals[other]
    margin, noise = abs(a - b), 2 * math.sqrt(a + b)
    pct = f" ({margin / b:.0%})" if b else ""
    evidence |= {"leader": leader, "compared_with": other, "margin": margin, "noise": noise}
    beyond = margin >= noise
    noise_words = f"Poisson noise (2*sqrt(a+b) = {noise:,.0f})"
    head = (
        f"Of the {len(totals)} {unit} {_label(c.date_from, c.by)} to {_label(c.date_to, c.by)}, "
        f"{leader} had the {most} {words} ({a:,.0f})"
    )
    if leader == expected:
        gap = f"{margin:,.0f}{pct} {'more' if want_max else 'fewer'} than the runner-up {other} ({b:,.0f})"
        if beyond:
            return "supported", f"{head}, {gap}, beyond {noise_words}.", evidence
        return (
            "inconclusive",
            f"{head}, only {gap}: within {noise_words}, so the data cannot rank them.",
            evidence,
        )
    gap = f"not {expected} ({b:,.0f}), a difference of {margin:,.0f}{pct}"
    if beyond:
        return "contradicted", f"{head}, {gap}, beyond {noise_words}.", evidence
    return "inconclusive", f"{head}, {gap}, within {noise_words}: the data cannot tell which.", evidence


# -- trend -----------------------------------------------------------------------------------------------

# Words that make a trend claim one about shape, not only the average slope (unless shape: says otherwise).
STEADY_WORDS = re.compile(
    r"\b(steady|steadily|consistent|consistently|continuous|continuously|continual|continually|"
    r"uninterrupted|unbroken|month after month|every month|each month)\b",
    re.IGNORECASE,
)
# The shortest run of months a reversal must last to count (one odd month is not a reversal).
REVERSAL_MIN_MONTHS = 2


def trend_shape(c: TrendCheck, text: str) -> tuple[str, str | None]:
    """``steady`` or ``average``, and the word of the claim that asked for steady (None when declared).

    >>> c = TrendCheck.model_validate({"kind": "trend", "from": "2020-01-01", "to": "2020-12-31",
    ...                                "expect": "rising"})
    >>> trend_shape(c, "Violence has risen steadily since January")
    ('steady', 'steadily')
    """
    if c.shape is not None:
        return c.shape, None
    found = STEADY_WORDS.search(text or "")
    return ("steady", found.group(0)) if found else ("average", None)


def _trend(c: TrendCheck, s: Store, text: str = "") -> tuple[str, str, dict]:
    sr = _series(c, s)
    values = sr.values()
    months = [d for d, _ in sr.points]
    days = np.array([calendar.monthrange(d.year, d.month)[1] for d in months])
    evidence = {"series": sr.to_dict(), "datasets": sr.datasets, "command": sr.command}
    span = f"{_label(c.date_from, 'month')} to {_label(c.date_to, 'month')}"
    words = _words(c.filters)
    if not values.any():
        return "inconclusive", f"No {words} at all in {span}: there is no trend to estimate.", evidence
    fit = monthly_trend_fit(values, days)
    rr, lo, hi = fit["rate_ratio"], fit["ci_low"], fit["ci_high"]
    direction = "rising" if lo > 1 else "falling" if hi < 1 else "unclear"
    shape, word = trend_shape(c, text)
    evidence |= {"fit": fit, "direction": direction, "shape": shape}
    result = (
        "inconclusive" if direction == "unclear" else "supported" if direction == c.expect else "contradicted"
    )
    why = {
        "rising": "the whole interval lies above 1, a rising trend",
        "falling": "the whole interval lies below 1, a falling trend",
        "unclear": "the interval includes 1: no clear trend",
    }[direction]
    summary = (
        f"Monthly {words} changed by {rr - 1:+.1%} a month over {span} ({fit['months']} months, "
        f"{values.sum():,.0f} in all; rate ratio per month {rr:.3f}, "
        f"95% interval {lo:.3f} to {hi:.3f}): {why}. {_noise(fit)}"
    )
    if shape == "average":
        return (
            result,
            summary + " This checks the average slope only, not that the change was steady.",
            evidence,
        )
    steady = _steadiness(values, months, c.expect)
    evidence["steadiness"] = steady
    asked = f"The claim says {word!r}, so" if word else "The claim is declared steady, so"
    summary += (
        f" {asked} its shape is checked too: {steady['months_beyond_previous']} of {len(values) - 1} months "
        f"were {'above' if c.expect == 'rising' else 'below'} the month before; "
    )
    against = steady["reversals"]
    if not against:
        summary += f"monthly changepoints find no significant {_against(c.expect)} within the period."
        return result, summary, evidence
    first = against[0]
    summary += (
        f"monthly changepoints find {len(against)} significant {_against(c.expect)}(s), the first from "
        f"{first['rate_before']:,.0f} to {first['rate_after']:,.0f} a month from {first['month']}"
    )
    if result == "supported":
        return "contradicted", summary + f": {c.expect} on average, but not steadily.", evidence
    return result, summary + ".", evidence


def _against(expect: str) -> str:
    return "fall" if expect == "rising" else "rise"


def _noise(fit: dict) -> str:
    out = f"Months vary {fit['dispersion']:.1f} times as much as Poisson counts would (overdispersion)"
    if fit["interval_inflation"] > 1.0:
        out += (
            f", and they run in streaks (residual lag-1 autocorrelation "
            f"{fit['residual_autocorrelation']:.2f}), so the interval is widened "
            f"{fit['interval_inflation']:.2f} times ({fit['effective_months']:.1f} effective months)"
        )
    return out + "."


def _steadiness(values: np.ndarray, months: list, expect: str) -> dict:
    """The share of months beyond the month before, and the changepoints in the monthly counts (PELT,
    the penalty rule of docs/methods.md, runs of at least REVERSAL_MIN_MONTHS months) that go
    against the claimed direction."""
    step = np.diff(values)
    beyond = int((step > 0).sum() if expect == "rising" else (step < 0).sum())
    cps = poisson_changepoints(values, min_size=REVERSAL_MIN_MONTHS)
    found = [
        {
            "month": _label(months[cp.index], "month"),
            "rate_before": cp.rate_before,
            "rate_after": cp.rate_after,
        }
        for cp in cps.changepoints
    ]
    sign = 1.0 if expect == "rising" else -1.0
    reversals = [r for r in found if sign * (r["rate_after"] - r["rate_before"]) < 0]
    return {
        "months_beyond_previous": beyond,
        "changepoints": found,
        "reversals": reversals,
        "penalty": cps.penalty,
        "method": f"{cps.method}, on monthly counts, segments of at least {REVERSAL_MIN_MONTHS} months; "
        f"penalty {cps.penalty_rule}",
    }


_CHECKS = {"change": _change, "rank": _rank}  # trend also reads the claim's text: see run_check


def run_check(c: ChangeCheck | RankCheck | TrendCheck, s: Store, text: str = "") -> tuple[str, str, dict]:
    """Run one check on the store: its result, summary and evidence. ``text`` is the claim's wording
    (a trend claim that says "steadily" is checked for its shape). The indicator and statistics
    errors that the data cause are raised; ``check_claims`` turns them into insufficient_data."""
    if isinstance(c, TrendCheck):
        return _trend(c, s, text)
    return _CHECKS[c.kind](c, s)
