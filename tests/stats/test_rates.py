"""compare_rates against independent computations: scipy's binomial test, statsmodels' GLM and NB fits."""

from __future__ import annotations

import json
import math
import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats as sps
from statsmodels.discrete.discrete_model import NegativeBinomial

from peacewatch.errors import StatisticsError
from peacewatch.stats import compare_rates

RNG = np.random.default_rng(20200222)
# Overdispersed days (NB2 alpha 0.1: variance 4.5 times the mean at 35 a day), a week against three.
BASELINE = RNG.negative_binomial(10.0, 10.0 / (10.0 + 35.0), size=21).astype(float)
WINDOW = RNG.negative_binomial(10.0, 10.0 / (10.0 + 7.5), size=8).astype(float)


def _design(window, baseline):
    y = np.concatenate([window, baseline])
    x = np.column_stack([np.ones(y.size), np.r_[np.ones(len(window)), np.zeros(len(baseline))]])
    return y, x


@pytest.mark.parametrize(
    ("window", "baseline"),
    [
        ([8, 6, 7, 9, 5, 7, 8], [30, 41, 35, 28, 37, 33, 36]),
        ([0, 1, 0], [2, 0, 1, 3, 0, 1]),
        ([5], [1, 0, 0, 0]),
    ],
)
def test_exact_method_matches_scipy_binomtest_and_clopper_pearson_beta_quantiles(window, baseline):
    r = compare_rates(window, baseline, method="exact_poisson")
    k, n = sum(window), sum(window) + sum(baseline)
    d_w, d_b = len(window), len(baseline)
    test = sps.binomtest(k, n, d_w / (d_w + d_b))
    ci = test.proportion_ci(confidence_level=0.95, method="exact")
    # Clopper-Pearson written out with beta quantiles, independently of binomtest.
    p_low = sps.beta.ppf(0.025, k, n - k + 1) if k > 0 else 0.0
    p_high = sps.beta.ppf(0.975, k + 1, n - k) if k < n else 1.0
    assert ci.low == pytest.approx(p_low, rel=1e-9, abs=1e-12)
    assert r.ci_low == pytest.approx(p_low / (1 - p_low) * d_b / d_w, rel=1e-9, abs=1e-12)
    assert r.ci_high == pytest.approx(ci.high / (1 - ci.high) * d_b / d_w, rel=1e-9)
    assert r.ci_high == pytest.approx(p_high / (1 - p_high) * d_b / d_w, rel=1e-7)
    assert r.p_value == pytest.approx(test.pvalue, rel=1e-12)
    assert r.rate_ratio == pytest.approx((k / d_w) / (sum(baseline) / d_b))
    assert r.dispersion is None


def test_quasi_poisson_matches_statsmodels_poisson_glm_with_pearson_scale_and_t_quantiles():
    y, x = _design(WINDOW, BASELINE)
    glm = sm.GLM(y, x, family=sm.families.Poisson()).fit(scale="X2", use_t=True)
    assert glm.scale > 1.0  # the floor at 1 is not in play for these data
    r = compare_rates(WINDOW, BASELINE)
    low, high = np.exp(glm.conf_int(alpha=0.05)[1])
    assert r.method == "quasi_poisson"
    assert r.rate_ratio == pytest.approx(math.exp(glm.params[1]), rel=1e-9)
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high), rel=1e-7)
    assert r.p_value == pytest.approx(glm.pvalues[1], rel=1e-6)
    assert r.dispersion == pytest.approx(glm.scale, rel=1e-9)


def test_quasi_poisson_never_gives_an_interval_narrower_than_poisson_when_days_are_underdispersed():
    window, baseline = np.array([5.0, 5, 6, 5, 5, 4, 5]), np.array([10.0, 10, 11, 9, 10, 10, 10, 10])
    y, x = _design(window, baseline)
    poisson = sm.GLM(y, x, family=sm.families.Poisson()).fit(use_t=True)
    r = compare_rates(window, baseline, method="quasi_poisson")
    assert r.dispersion < 1.0
    assert (r.ci_low, r.ci_high) == pytest.approx(tuple(np.exp(poisson.conf_int()[1])), rel=1e-7)


def test_negative_binomial_matches_statsmodels_discrete_nb2_fit():
    y, x = _design(WINDOW, BASELINE)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # BFGS: statsmodels' Newton returns NaN on data such as these (see peacewatch.stats.negbin).
        ref = NegativeBinomial(y, x, loglike_method="nb2").fit(method="bfgs", maxiter=1000, disp=0)
    assert ref.mle_retvals["converged"] and np.all(np.isfinite(ref.bse))
    r = compare_rates(WINDOW, BASELINE, method="negative_binomial")
    low, high = np.exp(ref.conf_int(alpha=0.05)[1])
    assert r.rate_ratio == pytest.approx(math.exp(ref.params[1]), rel=1e-5)
    assert r.dispersion == pytest.approx(ref.params[-1], rel=1e-3)
    assert (r.ci_low, r.ci_high) == pytest.approx((low, high), rel=1e-4)
    assert r.p_value == pytest.approx(ref.pvalues[1], rel=1e-3)


def test_negative_binomial_reduces_to_poisson_wald_when_days_are_not_overdispersed():
    window, baseline = np.array([5.0, 5, 6, 5, 5, 4, 5]), np.array([10.0, 10, 11, 9, 10, 10, 10, 10])
    y, x = _design(window, baseline)
    poisson = sm.GLM(y, x, family=sm.families.Poisson()).fit()
    r = compare_rates(window, baseline, method="negative_binomial")
    assert r.dispersion == 0.0
    assert (r.ci_low, r.ci_high) == pytest.approx(tuple(np.exp(poisson.conf_int()[1])), rel=1e-6)


def test_all_methods_agree_on_the_point_estimate_the_plain_ratio_of_daily_rates():
    plain = (WINDOW.sum() / WINDOW.size) / (BASELINE.sum() / BASELINE.size)
    for method in ("exact_poisson", "quasi_poisson", "negative_binomial"):
        assert compare_rates(WINDOW, BASELINE, method=method).rate_ratio == pytest.approx(plain, rel=1e-5)


def test_overdispersion_widens_the_quasi_poisson_interval_beyond_the_exact_one():
    exact = compare_rates(WINDOW, BASELINE, method="exact_poisson")
    quasi = compare_rates(WINDOW, BASELINE, method="quasi_poisson")
    assert quasi.ci_high / quasi.ci_low > exact.ci_high / exact.ci_low


def test_a_window_without_events_gives_ratio_zero_with_the_exact_upper_bound():
    window, baseline = [0, 0, 0, 0, 0, 0, 0], [3, 5, 2, 4, 6, 3, 5, 4, 2, 6, 4, 3, 5, 4]
    exact = compare_rates(window, baseline, method="exact_poisson")
    n, p0 = sum(baseline), 7 / 21
    p_high = 1 - 0.025 ** (1 / n)  # Clopper-Pearson upper bound for 0 successes in n trials
    assert exact.rate_ratio == 0.0 and exact.ci_low == 0.0 and exact.percent_change == -100.0
    assert exact.ci_high == pytest.approx(p_high / (1 - p_high) * 14 / 7, rel=1e-9)
    assert exact.p_value == pytest.approx(sps.binomtest(0, n, p0).pvalue)
    for method in ("quasi_poisson", "negative_binomial"):
        fallback = compare_rates(window, baseline, method=method)
        assert fallback.method == "exact_poisson"
        assert fallback.ci_high == exact.ci_high
        assert method in fallback.note and "ignore overdispersion" in fallback.note


def test_a_baseline_without_events_raises_because_the_ratio_is_undefined():
    with pytest.raises(StatisticsError, match="baseline has no events in its 5 days"):
        compare_rates([1, 2], [0, 0, 0, 0, 0])


@pytest.mark.parametrize(
    ("window", "baseline", "kwargs", "message"),
    [
        ([], [1, 2], {}, "window must hold at least one day"),
        ([1, -2], [1, 2], {}, r"finite non-negative daily counts; found -2.0 at position 1"),
        ([1, 2], [1, np.nan], {}, "baseline must hold finite non-negative"),
        ([[1, 2]], [1, 2], {}, "1-D array"),
        ([1, 2], [1, 2], {"method": "t_test"}, "method must be one of"),
        ([1, 2], [1, 2], {"conf_level": 95}, "conf_level must lie strictly between 0 and 1"),
        ([1.5, 2], [1, 2], {"method": "exact_poisson"}, "exact_poisson needs whole-number counts"),
        ([3], [4], {"method": "quasi_poisson"}, "needs at least 3 days"),
    ],
)
def test_inputs_a_method_cannot_use_raise_statistics_error_saying_what_was_found(
    window, baseline, kwargs, message
):
    with pytest.raises(StatisticsError, match=message):
        compare_rates(window, baseline, **kwargs)


def test_fractional_fatality_counts_are_accepted_by_quasi_poisson():
    r = compare_rates([1.5, 0.5, 2.0, 1.0], [4.0, 3.5, 5.0, 4.5, 6.0])
    assert r.window_total == 5.0 and r.rate_ratio == pytest.approx((5.0 / 4) / (23.0 / 5))


def test_result_reports_rates_percent_change_and_significance_as_json_ready_values():
    r = compare_rates(WINDOW, BASELINE, conf_level=0.9)
    d = r.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["window_days"] == 8 and d["baseline_days"] == 21 and d["conf_level"] == 0.9
    assert d["window_rate"] == pytest.approx(WINDOW.mean())
    assert d["percent_change"] == pytest.approx(100 * (r.rate_ratio - 1))
    assert d["significant"] is (r.ci_high < 1 or r.ci_low > 1)
    assert d["note"] is None
    with pytest.raises(AttributeError):
        r.rate_ratio = 1.0  # results are immutable
