"""Invariants of compare_rates, held by Hypothesis over arbitrary daily counts."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from peacewatch.stats import compare_rates

FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
# The negative binomial fit runs an optimisation per example, so it gets fewer.
SLOW = settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])

days = st.lists(st.integers(min_value=0, max_value=60), min_size=3, max_size=40)
busy_days = days.filter(lambda xs: sum(xs) > 0)
methods = st.sampled_from(["exact_poisson", "quasi_poisson"])


@FAST
@given(counts=busy_days, method=methods)
def test_identical_window_and_baseline_give_a_ratio_of_one(counts, method):
    r = compare_rates(counts, counts, method=method)
    assert r.rate_ratio == pytest.approx(1.0)
    assert r.ci_low <= 1.0 <= r.ci_high
    assert not r.significant


@SLOW
@given(counts=busy_days)
def test_identical_window_and_baseline_give_a_ratio_of_one_under_negative_binomial(counts):
    r = compare_rates(counts, counts, method="negative_binomial")
    assert r.rate_ratio == pytest.approx(1.0, rel=1e-6)
    assert r.ci_low <= 1.0 <= r.ci_high


@FAST
@given(window=days, baseline=busy_days, factor=st.integers(min_value=2, max_value=50), method=methods)
def test_multiplying_all_counts_by_a_whole_number_leaves_the_ratio_unchanged(
    window, baseline, factor, method
):
    plain = compare_rates(window, baseline, method=method)
    scaled = compare_rates(np.multiply(window, factor), np.multiply(baseline, factor), method=method)
    assert scaled.rate_ratio == pytest.approx(plain.rate_ratio, rel=1e-9, abs=1e-12)


@FAST
@given(window=days.filter(lambda xs: sum(xs) > 0), baseline=busy_days, factor=st.integers(2, 50))
def test_quasi_poisson_interval_does_not_depend_on_the_counting_unit_once_overdispersed(
    window, baseline, factor
):
    # Counting every event k times multiplies phi by k and divides the Poisson variance by k.
    plain = compare_rates(window, baseline)
    assume(plain.dispersion >= 1.0)
    scaled = compare_rates(np.multiply(window, factor), np.multiply(baseline, factor))
    assert (scaled.ci_low, scaled.ci_high) == pytest.approx((plain.ci_low, plain.ci_high), rel=1e-7)


@FAST
@given(first=days, second=days, baseline=busy_days, method=methods)
def test_adjacent_windows_add_up_to_their_concatenation(first, second, baseline, method):
    a = compare_rates(first, baseline, method=method)
    b = compare_rates(second, baseline, method=method)
    joined = compare_rates(first + second, baseline, method=method)
    assert joined.window_total == a.window_total + b.window_total
    assert joined.window_days == a.window_days + b.window_days
    assert joined.window_rate == pytest.approx(
        (a.window_rate * a.window_days + b.window_rate * b.window_days) / joined.window_days
    )


@FAST
@given(window=days, baseline=busy_days, method=methods, conf=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_interval_contains_the_estimate_and_p_value_is_a_probability(window, baseline, method, conf):
    r = compare_rates(window, baseline, method=method, conf_level=conf)
    assert 0.0 <= r.ci_low <= r.rate_ratio <= r.ci_high
    assert 0.0 <= r.p_value <= 1.0


@SLOW
@given(window=days, baseline=busy_days)
def test_negative_binomial_interval_contains_the_estimate_and_p_value_is_a_probability(window, baseline):
    r = compare_rates(window, baseline, method="negative_binomial")
    assert r.ci_low <= r.rate_ratio * (1 + 1e-9) and r.rate_ratio <= r.ci_high * (1 + 1e-9)
    assert 0.0 <= r.p_value <= 1.0
    assert r.dispersion is None or r.dispersion >= 0.0


@FAST
@given(window=days.filter(lambda xs: sum(xs) > 0), baseline=busy_days)
def test_quasi_poisson_interval_excludes_one_exactly_when_the_p_value_is_below_its_level(window, baseline):
    r = compare_rates(window, baseline, conf_level=0.95)
    assume(abs(r.p_value - 0.05) > 1e-9)
    assert r.significant == (r.p_value < 0.05)


@FAST
@given(window=days, baseline=busy_days)
def test_a_wider_confidence_level_gives_a_wider_interval(window, baseline):
    narrow = compare_rates(window, baseline, conf_level=0.8)
    wide = compare_rates(window, baseline, conf_level=0.99)
    assert wide.ci_low <= narrow.ci_low and narrow.ci_high <= wide.ci_high
