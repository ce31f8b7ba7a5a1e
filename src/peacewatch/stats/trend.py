"""Monthly trend verdicts: did a month deteriorate, improve or stay as it was, against the three before?

In the spirit of the arrows of International Crisis Group's CrisisWatch, but measured: the month's
mean daily count is compared with the mean daily count of the preceding three months by
:func:`peacewatch.stats.rates.compare_rates`, and the verdict follows from the rate ratio RR and its
interval [low, high]. The rules, tried in this order:

1. ``insufficient_data`` when the month has fewer than 14 days, the previous months fewer than 28
   days, or the previous months have no events (the ratio is then undefined);
2. ``deteriorated`` when low > 1 and RR >= min_ratio (default 1.25, a rise of at least 25%);
3. ``improved`` when high < 1 and RR <= 1 / min_ratio (default 0.8, a fall of at least 20%);
4. ``unchanged`` otherwise.

Two conditions each, because each guards against a different error. The interval keeps noise from
being called a trend: one bad week in a quiet month is not a deterioration. The minimum effect keeps
a trivial change from being called a trend when counts are large: in a month of 1,500 events a 6%
rise can be statistically clear yet means nothing to the analyst. 1.25 and its mirror image 0.8 are
symmetric on the log scale, so a rise and a fall of the same proportion are judged alike.
"unchanged" therefore means "no clear and material change", not proof that nothing changed.

Reference: International Crisis Group, CrisisWatch (monthly conflict tracker),
https://www.crisisgroup.org/crisiswatch, whose judgements are qualitative; these rules are ours.

:func:`monthly_trend_fit` answers a different question, the trend over a run of months: a
quasi-Poisson log-linear regression of the monthly counts on the month index, with log(days in the
month) as offset. The slope's Wald standard error is scaled by sqrt(phi), phi = Pearson X2 / (n - 2)
floored at 1, and the interval uses Student's t with n - 2 degrees of freedom, as
:func:`peacewatch.stats.rates.compare_rates` does for two groups (Wedderburn 1974; McCullagh & Nelder
1989, ch. 9). The tests check the slope, its standard error and phi against statsmodels'
``GLM(counts, [1, month], Poisson(), offset=log(days)).fit(scale="X2")``.

Months are not independent: a bad month tends to be followed by another, which makes that interval
too narrow. So, by default, as :func:`peacewatch.stats.its.interrupted_time_series` does for days, the
standard error is multiplied by sqrt((1 + r) / (1 - r)) when r > 0, the effective-sample-size
correction of Santer et al. (2000): the months count as n_eff = n (1 - r) / (1 + r). r is the lag-1
autocorrelation r1 of the Pearson residuals, corrected for its small-sample bias as
r1 + (1 + 3 r1) / n (Kendall 1954; over 12-24 months the raw r1 is far too low) and capped at 0.9.
The simulated coverage of the 95% interval is in docs/methods.md (section 5).

References: Santer, B. D. et al. (2000) Journal of Geophysical Research 105(D6), 7337-7356. Kendall,
M. G. (1954) Note on bias in the estimation of autocorrelation. Biometrika 41(3/4), 403-404.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, fields
from typing import Any, Literal

import numpy as np

from peacewatch.errors import StatisticsError
from peacewatch.stats.distributions import t_ppf, t_sf
from peacewatch.stats.its import MAX_ADJUSTED_AUTOCORRELATION
from peacewatch.stats.rates import DEFAULT_METHOD, RateMethod, as_daily_counts, compare_rates

Verdict = Literal["deteriorated", "improved", "unchanged", "insufficient_data"]
MIN_MONTH_DAYS = 14
MIN_BASELINE_DAYS = 28
DEFAULT_MIN_RATIO = 1.25


@dataclass(frozen=True)
class TrendVerdict:
    """A month's verdict against the preceding months, with the comparison it rests on.

    ``rule`` states the rule that decided the verdict. The ratio, interval and p-value are None when
    the verdict is ``insufficient_data``.
    """

    verdict: Verdict
    rate_ratio: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    month_rate: float | None
    baseline_rate: float | None
    month_days: int
    baseline_days: int
    conf_level: float
    min_ratio: float
    rule: str
    method: str

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


def monthly_trend(
    month: Any,
    previous: Any,
    *,
    conf_level: float = 0.95,
    method: RateMethod = DEFAULT_METHOD,
    min_ratio: float = DEFAULT_MIN_RATIO,
) -> TrendVerdict:
    """Judge a month's daily counts against the preceding three months' daily counts.

    See the module docstring for the rules. ``min_ratio`` (> 1) is the smallest rise counted as a
    deterioration; its inverse is the largest ratio counted as an improvement.

    >>> quiet = [10, 12, 9, 11, 10, 8, 12] * 13
    >>> monthly_trend([21, 25, 19, 23, 20, 18, 24] * 4 + [22, 20], quiet).verdict
    'deteriorated'
    """
    if not min_ratio > 1.0:
        raise StatisticsError(f"min_ratio must be greater than 1; found {min_ratio!r}")
    if not 0.0 < conf_level < 1.0:
        raise StatisticsError(f"conf_level must lie strictly between 0 and 1; found {conf_level!r}")
    m = _counts_or_empty(month, name="month")
    b = _counts_or_empty(previous, name="previous")
    common = {
        "month_days": int(m.size),
        "baseline_days": int(b.size),
        "conf_level": float(conf_level),
        "min_ratio": float(min_ratio),
        "method": method,
    }
    month_rate = float(m.mean()) if m.size else None
    baseline_rate = float(b.mean()) if b.size else None
    reason = None
    if m.size < MIN_MONTH_DAYS:
        reason = f"the month has {m.size} days of counts, fewer than the {MIN_MONTH_DAYS} needed"
    elif b.size < MIN_BASELINE_DAYS:
        reason = (
            f"the previous months have {b.size} days of counts, fewer than the {MIN_BASELINE_DAYS} needed"
        )
    elif not b.any():
        reason = f"the previous {b.size} days have no events, so the rate ratio is undefined"
    if reason is not None:
        return TrendVerdict(
            verdict="insufficient_data",
            rate_ratio=None,
            ci_low=None,
            ci_high=None,
            p_value=None,
            month_rate=month_rate,
            baseline_rate=baseline_rate,
            rule=f"insufficient_data: {reason}",
            **common,
        )

    r = compare_rates(m, b, method=method, conf_level=conf_level)
    pct = f"{conf_level:.0%}"
    rise = f"the {pct} interval of the rate ratio lies above 1 and the ratio is at least {min_ratio:g}"
    fall = f"the {pct} interval of the rate ratio lies below 1 and the ratio is at most {1 / min_ratio:g}"
    if r.ci_low > 1.0 and r.rate_ratio >= min_ratio:
        verdict, rule = "deteriorated", f"deteriorated: {rise}"
    elif r.ci_high < 1.0 and r.rate_ratio <= 1.0 / min_ratio:
        verdict, rule = "improved", f"improved: {fall}"
    else:
        verdict, rule = "unchanged", f"unchanged: neither {rise}, nor {fall}"
    common["method"] = r.method
    return TrendVerdict(
        verdict=verdict,
        rate_ratio=r.rate_ratio,
        ci_low=r.ci_low,
        ci_high=r.ci_high,
        p_value=r.p_value,
        month_rate=r.window_rate,
        baseline_rate=r.baseline_rate,
        rule=rule,
        **common,
    )


def _counts_or_empty(values: Any, *, name: str) -> np.ndarray:
    # An empty month is a verdict (insufficient_data), not an error; anything else is validated.
    if np.size(values) == 0:
        return np.zeros(0)
    return as_daily_counts(values, name=name)


_DIVERGED = (
    "the monthly trend cannot be estimated: nearly all the counts fall in the first or last month, "
    "so the fitted slope runs off to infinity."
)


def monthly_trend_fit(
    counts: np.ndarray, days: np.ndarray, conf_level: float = 0.95, *, adjust_autocorrelation: bool = True
) -> dict[str, Any]:
    """Quasi-Poisson regression of monthly counts on the month index with log(days) as offset:
    the rate ratio per month with its Wald-t interval, widened for positive lag-1 autocorrelation of
    the residuals unless ``adjust_autocorrelation`` is False (method and references in the module
    docstring).

    >>> fit = monthly_trend_fit(np.array([10, 12, 15, 18, 22, 26]), np.full(6, 30))
    >>> round(fit["rate_ratio"], 3), fit["ci_low"] > 1
    (1.212, True)
    """
    y, n = np.asarray(counts, dtype=float), len(counts)
    x = np.column_stack([np.ones(n), np.arange(n, dtype=float)])
    offset = np.log(np.asarray(days, dtype=float))
    beta = np.array([math.log(y.sum() / np.exp(offset).sum()), 0.0])
    for _ in range(100):  # IRLS for the Poisson log link
        mu = np.exp(x @ beta + offset)
        xtwx = x.T @ (mu[:, None] * x)
        step = np.linalg.solve(xtwx, x.T @ (y - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    else:
        raise StatisticsError(_DIVERGED)
    mu = np.exp(x @ beta + offset)
    if abs(beta[1]) > 5:  # a rate multiplied by e^5 each month: the estimate is running off to infinity
        raise StatisticsError(_DIVERGED)
    pearson = (y - mu) / np.sqrt(mu)
    phi = float(np.sum(pearson**2) / (n - 2))
    r1 = _lag1(pearson)
    # Kendall's (1954) first-order bias correction: r underestimates rho by about (1 + 3 rho) / n.
    r = min(r1 + (1.0 + 3.0 * r1) / n, MAX_ADJUSTED_AUTOCORRELATION) if adjust_autocorrelation else 0.0
    inflation = math.sqrt((1.0 + r) / (1.0 - r)) if r > 0 else 1.0
    df = n - 2
    se = math.sqrt(np.linalg.inv(x.T @ (mu[:, None] * x))[1, 1] * max(1.0, phi)) * inflation
    q = t_ppf(0.5 + conf_level / 2, df)
    return {
        "rate_ratio": math.exp(beta[1]),
        "ci_low": math.exp(beta[1] - q * se),
        "ci_high": math.exp(beta[1] + q * se),
        "p_value": float(2 * t_sf(abs(beta[1] / se), df)),
        "dispersion": phi,
        "months": n,
        "residual_autocorrelation": r1,
        "interval_inflation": inflation,
        "effective_months": n / inflation**2,
        "conf_level": conf_level,
        "method": "quasi-Poisson regression of monthly counts on the month index, log(days) offset"
        + _widening_text(inflation, r1, r, adjust_autocorrelation, n / inflation**2, n),
    }


def _lag1(residuals: np.ndarray) -> float:
    r = residuals - residuals.mean()
    denominator = float((r**2).sum())
    return 0.0 if denominator == 0.0 else float((r[:-1] * r[1:]).sum() / denominator)


def _widening_text(inflation: float, r1: float, r: float, adjusted: bool, n_eff: float, n: int) -> str:
    if not adjusted:
        return "; months assumed independent (not adjusted for autocorrelation)"
    if inflation == 1.0:
        return f"; no positive residual autocorrelation to adjust for (lag-1 {r1:.2f})"
    capped = f", capped at {MAX_ADJUSTED_AUTOCORRELATION}" if r >= MAX_ADJUSTED_AUTOCORRELATION else ""
    return (
        f"; interval widened by {inflation:.2f} for the residual lag-1 autocorrelation {r1:.2f} "
        f"({r:.2f} after bias correction{capped}): "
        f"{n_eff:.1f} effective of {n} months (Santer et al. 2000)"
    )
