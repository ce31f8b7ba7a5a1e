"""Pure statistics on arrays of daily counts: rate ratios, interrupted time series, changepoints and
monthly trend verdicts. No store, no Ibis, no I/O; methods and references are in docs/methods.md.
"""

from peacewatch.stats.changepoints import (
    Changepoint,
    ChangepointResult,
    Segment,
    difference_dispersion,
    poisson_changepoints,
)
from peacewatch.stats.its import Effect, ITSResult, interrupted_time_series
from peacewatch.stats.rates import METHODS, RateComparison, as_daily_counts, compare_rates
from peacewatch.stats.trend import TrendVerdict, monthly_trend

__all__ = [
    "METHODS",
    "Changepoint",
    "ChangepointResult",
    "Effect",
    "ITSResult",
    "RateComparison",
    "Segment",
    "TrendVerdict",
    "as_daily_counts",
    "compare_rates",
    "difference_dispersion",
    "interrupted_time_series",
    "monthly_trend",
    "poisson_changepoints",
]
