"""The profile-likelihood NB2 fit against statsmodels' joint maximum-likelihood fit."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import statsmodels.api as sm
from statsmodels.discrete.discrete_model import NegativeBinomial

from peacewatch.errors import StatisticsError
from peacewatch.stats.negbin import fit_nb2

RNG = np.random.default_rng(7)
N = 200
X = np.column_stack([np.ones(N), np.arange(N) / 30.0, (np.arange(N) >= 100).astype(float)])


def _statsmodels_nb2(y, x):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ref = NegativeBinomial(y, x, loglike_method="nb2").fit(method="bfgs", maxiter=2000, disp=0)
    assert ref.mle_retvals["converged"] and np.all(np.isfinite(ref.bse))
    return ref


def test_coefficients_and_alpha_match_statsmodels_joint_fit_on_overdispersed_counts():
    mu = np.exp(3.0 - 0.1 * X[:, 1] - 0.7 * X[:, 2])
    y = RNG.negative_binomial(4.0, 4.0 / (4.0 + mu)).astype(float)  # alpha = 0.25
    ref = _statsmodels_nb2(y, X)
    fit = fit_nb2(y, X, what="a simulated series")
    assert fit.params == pytest.approx(ref.params[:-1], rel=1e-4, abs=1e-5)
    assert fit.alpha == pytest.approx(ref.params[-1], rel=1e-3)
    assert fit.llf == pytest.approx(ref.llf, rel=1e-8)
    # GLM (expected information) and joint (observed information) standard errors differ slightly.
    assert fit.bse == pytest.approx(ref.bse[:-1], rel=0.03)


def test_counts_that_are_not_overdispersed_give_alpha_zero_and_the_poisson_fit():
    y = RNG.poisson(np.exp(2.0 + 0.2 * X[:, 2])).astype(float)
    y[::2] = np.round(np.exp(2.0 + 0.2 * X[::2, 2]))  # damp the noise: the variance falls below the mean
    poisson = sm.GLM(y, X, family=sm.families.Poisson()).fit()
    fit = fit_nb2(y, X, what="a regular series")
    assert fit.alpha == 0.0
    assert fit.params == pytest.approx(poisson.params, rel=1e-9)
    assert fit.bse == pytest.approx(poisson.bse, rel=1e-9)


def test_collinear_columns_raise_statistics_error_naming_the_data():
    x = np.column_stack([X, 2 * X[:, 2]])
    with pytest.raises(StatisticsError, match="columns are not linearly independent over 200 days"):
        fit_nb2(np.ones(N), x, what="a series")


def test_a_series_of_zeros_cannot_be_fitted():
    with pytest.raises(StatisticsError, match="every day has count 0"):
        fit_nb2(np.zeros(N), X, what="a quiet series")


def test_barely_overdispersed_counts_settle_although_the_likelihood_is_flat_in_alpha():
    # Poisson days (a month at 30 a day against three months) whose alpha estimate is about 1e-5:
    # an earlier version chased alpha within rounding noise for 100 rounds and gave up.
    window = [
        28,
        26,
        40,
        32,
        23,
        30,
        20,
        30,
        23,
        30,
        34,
        24,
        19,
        31,
        48,
        28,
        36,
        29,
        31,
        27,
        28,
        27,
        33,
        34,
        36,
    ]
    window += [29, 27, 27, 34, 24]
    baseline = [
        23,
        36,
        23,
        24,
        32,
        21,
        27,
        27,
        23,
        41,
        40,
        27,
        31,
        22,
        30,
        27,
        29,
        31,
        41,
        30,
        34,
        33,
        25,
        25,
    ]
    baseline += [
        31,
        34,
        31,
        25,
        31,
        26,
        36,
        22,
        29,
        26,
        41,
        26,
        28,
        37,
        30,
        23,
        23,
        28,
        27,
        35,
        35,
        25,
        35,
        34,
    ]
    baseline += [
        35,
        25,
        37,
        41,
        32,
        47,
        34,
        27,
        36,
        35,
        29,
        35,
        33,
        28,
        42,
        33,
        29,
        31,
        31,
        31,
        27,
        27,
        27,
        32,
    ]
    baseline += [29, 36, 31, 23, 31, 27, 24, 32, 21, 34, 32, 33, 23, 32, 25, 33, 33, 37]
    y = np.array(window + baseline, dtype=float)
    x = np.column_stack([np.ones(y.size), np.r_[np.ones(len(window)), np.zeros(len(baseline))]])
    poisson = sm.GLM(y, x, family=sm.families.Poisson()).fit()
    fit = fit_nb2(y, x, what="a month against three")
    assert 0.0 < fit.alpha < 1e-3
    assert fit.params == pytest.approx(poisson.params, rel=1e-6)
    assert fit.bse == pytest.approx(poisson.bse, rel=1e-3)
