"""Monthly trend verdicts: each rule fires where it should, and nowhere else; the monthly trend fit
matches statsmodels."""

from __future__ import annotations

import calendar
import json

import numpy as np
import pytest

from peacewatch.errors import StatisticsError
from peacewatch.stats import compare_rates, monthly_trend, monthly_trend_fit

RNG = np.random.default_rng(2019)


def _days(rate: float, n: int, alpha: float = 0.05) -> np.ndarray:
    return RNG.negative_binomial(1 / alpha, 1 / (1 + alpha * rate), n).astype(float)


PREVIOUS = _days(20.0, 91)


def test_a_clear_and_large_rise_is_a_deterioration():
    v = monthly_trend(_days(40.0, 30), PREVIOUS)
    assert v.verdict == "deteriorated"
    assert v.ci_low > 1.0 and v.rate_ratio >= 1.25
    assert v.rule.startswith("deteriorated: the 95% interval of the rate ratio lies above 1")


def test_a_clear_and_large_fall_is_an_improvement():
    v = monthly_trend(_days(8.0, 31), PREVIOUS)
    assert v.verdict == "improved"
    assert v.ci_high < 1.0 and v.rate_ratio <= 0.8
    assert "at most 0.8" in v.rule


def test_a_statistically_clear_but_small_rise_is_unchanged_because_of_the_minimum_effect():
    previous = np.full(91, 1000.0) + RNG.integers(-20, 21, 91)
    month = np.full(30, 1100.0) + RNG.integers(-20, 21, 30)
    comparison = compare_rates(month, previous)
    assert comparison.ci_low > 1.0  # a 10% rise no noise can explain
    v = monthly_trend(month, previous)
    assert v.verdict == "unchanged" and v.rate_ratio == pytest.approx(comparison.rate_ratio)
    assert monthly_trend(month, previous, min_ratio=1.05).verdict == "deteriorated"


def test_a_large_but_noisy_rise_is_unchanged_because_the_interval_includes_one():
    previous = np.tile([0.0, 0, 0, 0, 0, 0, 3], 13)  # three events one day a week
    month = np.r_[np.zeros(26), [0.0, 20, 0, 0]]  # one bad day: 0.67 a day against 0.43
    v = monthly_trend(month, previous)
    assert v.rate_ratio > 1.25 and v.ci_low < 1.0
    assert v.verdict == "unchanged"
    assert v.rule.startswith("unchanged: neither")


def test_a_month_without_events_after_a_violent_quarter_is_an_improvement_by_the_exact_interval():
    v = monthly_trend(np.zeros(30), PREVIOUS)
    assert v.verdict == "improved" and v.rate_ratio == 0.0
    assert v.method == "exact_poisson"


@pytest.mark.parametrize(
    ("month", "previous", "reason"),
    [
        (np.ones(13), np.ones(90), "the month has 13 days of counts, fewer than the 14 needed"),
        ([], np.ones(90), "the month has 0 days"),
        (np.ones(30), np.ones(27), "the previous months have 27 days of counts, fewer than the 28 needed"),
        (np.ones(30), np.zeros(90), "the previous 90 days have no events"),
        (np.zeros(30), np.zeros(90), "the previous 90 days have no events"),
    ],
)
def test_too_few_days_or_an_empty_baseline_give_insufficient_data_not_an_error(month, previous, reason):
    v = monthly_trend(month, previous)
    assert v.verdict == "insufficient_data"
    assert v.rule.startswith(f"insufficient_data: {reason}")
    assert v.rate_ratio is None and v.ci_low is None and v.ci_high is None and v.p_value is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"min_ratio": 1.0}, "min_ratio must be greater than 1"), ({"conf_level": 0.0}, "conf_level")],
)
def test_invalid_thresholds_raise_statistics_error(kwargs, message):
    with pytest.raises(StatisticsError, match=message):
        monthly_trend(np.ones(30), np.ones(90), **kwargs)


def test_negative_counts_are_an_error_not_insufficient_data():
    with pytest.raises(StatisticsError, match="finite non-negative"):
        monthly_trend(np.r_[np.ones(29), -1.0], np.ones(90))


def test_verdict_is_json_ready_and_names_its_method_and_threshold():
    v = monthly_trend(_days(20.0, 30), PREVIOUS, method="negative_binomial", conf_level=0.9, min_ratio=1.5)
    d = v.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["method"] == "negative_binomial" and d["min_ratio"] == 1.5 and d["conf_level"] == 0.9
    assert d["month_days"] == 30 and d["baseline_days"] == 91
    assert "90% interval" in d["rule"] and "at least 1.5" in d["rule"]


def test_the_trend_fit_matches_statsmodels_quasi_poisson():
    # Reference: statsmodels 0.15 GLM(y, [1, t], Poisson(), offset=log(days)).fit(scale="X2") on the
    # reduced ACLED export's monthly events of 2020 gives slope 0.02066877, se 0.01486299, scale 27.1306.
    y = np.array([1056, 794, 805, 604, 626, 700, 893, 901, 901, 1113, 1010, 944.0])
    days = np.array([calendar.monthrange(2020, m)[1] for m in range(1, 13)])
    fit = monthly_trend_fit(y, days)
    assert np.log(fit["rate_ratio"]) == pytest.approx(0.02066877, rel=1e-6)
    assert fit["dispersion"] == pytest.approx(27.1306, rel=1e-5)
    half = np.log(fit["ci_high"] / fit["ci_low"]) / 2
    assert half == pytest.approx(2.228139 * 0.01486299, rel=1e-5)  # scipy.stats.t.ppf(0.975, 10)
