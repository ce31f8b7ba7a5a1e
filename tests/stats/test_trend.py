"""Monthly trend verdicts: each rule fires where it should, and nowhere else; the monthly trend fit
matches statsmodels."""

from __future__ import annotations

import calendar
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

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
    fit = monthly_trend_fit(y, days, adjust_autocorrelation=False)
    assert np.log(fit["rate_ratio"]) == pytest.approx(0.02066877, rel=1e-6)
    assert fit["dispersion"] == pytest.approx(27.1306, rel=1e-5)
    half = np.log(fit["ci_high"] / fit["ci_low"]) / 2
    assert half == pytest.approx(2.228139 * 0.01486299, rel=1e-5)  # scipy.stats.t.ppf(0.975, 10)


# ACLED South Sudan, battles + violence against civilians + explosions/remote violence, monthly events
# March 2020 to December 2021 (the issue-15 claim "violence has risen steadily since February 2020").
SOUTH_SUDAN = np.array(
    [62, 92, 107, 73, 91, 47, 40, 42, 61, 117, 140, 177, 247, 110, 182, 126, 142, 117, 103, 99, 106, 157.0]
)
SOUTH_SUDAN_DAYS = np.array(
    [calendar.monthrange(2020 + (2 + i) // 12, (2 + i) % 12 + 1)[1] for i in range(SOUTH_SUDAN.size)]
)


def test_serially_correlated_months_widen_the_trend_interval_until_it_includes_1():
    plain = monthly_trend_fit(SOUTH_SUDAN, SOUTH_SUDAN_DAYS, adjust_autocorrelation=False)
    # What the issue reported: +3.3% a month, 1.003 to 1.065, overdispersion about 19.6.
    assert round(plain["rate_ratio"], 3) == 1.033 and plain["dispersion"] == pytest.approx(19.65, abs=0.01)
    assert (round(plain["ci_low"], 3), round(plain["ci_high"], 3)) == (1.003, 1.065)
    fit = monthly_trend_fit(SOUTH_SUDAN, SOUTH_SUDAN_DAYS)
    assert fit["rate_ratio"] == plain["rate_ratio"]
    assert fit["residual_autocorrelation"] == pytest.approx(0.527, abs=0.001)
    # r = 0.527 + (1 + 3 * 0.527) / 22 = 0.644 after bias correction: factor sqrt(1.644 / 0.356) = 2.15
    assert fit["interval_inflation"] == pytest.approx(2.150, abs=0.001)
    assert fit["effective_months"] == pytest.approx(22 * 0.356 / 1.644, abs=0.01)
    assert (round(fit["ci_low"], 3), round(fit["ci_high"], 3)) == (0.969, 1.102)
    assert "widened by 2.15" in fit["method"] and "Santer" in fit["method"]


def test_independent_months_are_barely_widened():
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(200):
        y = rng.poisson(600 * 1.02 ** np.arange(24)).astype(float)
        fit = monthly_trend_fit(y, np.full(24, 30.0))
        hits += fit["ci_low"] < 1.02 < fit["ci_high"]
    assert 0.92 <= hits / 200 <= 0.99


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=500), min_size=4, max_size=30))
def test_the_autocorrelation_adjustment_only_ever_widens_the_interval(counts):
    y, days = np.array(counts, dtype=float), np.full(len(counts), 30.0)
    try:
        plain = monthly_trend_fit(y, days, adjust_autocorrelation=False)
    except StatisticsError:
        return
    fit = monthly_trend_fit(y, days)
    assert fit["ci_low"] <= plain["ci_low"] * (1 + 1e-12) and fit["ci_high"] >= plain["ci_high"] * (1 - 1e-12)
    assert fit["interval_inflation"] >= 1.0 and fit["effective_months"] <= len(counts)
