"""Pure statistics on arrays of daily counts: rate ratios, interrupted time series, changepoints and
monthly trend verdicts. No store, no Ibis, no I/O; methods and references are in docs/methods.md.

Names are imported on first use (PEP 562), so that ``peacewatch series`` does not pay for loading
ruptures and statsmodels, which only the changepoint and regression methods need.
"""

from __future__ import annotations

import importlib
from typing import Any

_WHERE = {
    "Changepoint": "changepoints",
    "ChangepointResult": "changepoints",
    "Segment": "changepoints",
    "difference_dispersion": "changepoints",
    "poisson_changepoints": "changepoints",
    "Effect": "its",
    "ITSResult": "its",
    "interrupted_time_series": "its",
    "METHODS": "rates",
    "RateComparison": "rates",
    "as_daily_counts": "rates",
    "compare_rates": "rates",
    "TrendVerdict": "trend",
    "monthly_trend": "trend",
    "monthly_trend_fit": "trend",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(importlib.import_module(f"peacewatch.stats.{_WHERE[name]}"), name)
    raise AttributeError(f"module 'peacewatch.stats' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
