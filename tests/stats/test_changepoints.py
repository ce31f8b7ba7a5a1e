"""Poisson PELT changepoints: the cost against scipy, known breaks in simulated series, the penalty rule."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import special
from scipy import stats as sps

from peacewatch.errors import StatisticsError
from peacewatch.stats import difference_dispersion, poisson_changepoints
from peacewatch.stats.changepoints import PENALTY_RULE, PoissonSegmentCost


def _piecewise(rng, rates, lengths, alpha=0.0):
    parts = []
    for rate, n in zip(rates, lengths, strict=True):
        if alpha == 0.0:
            parts.append(rng.poisson(rate, n))
        else:
            parts.append(rng.negative_binomial(1 / alpha, 1 / (1 + alpha * rate), n))
    return np.concatenate(parts).astype(float)


def test_segment_cost_is_the_poisson_negative_log_likelihood_at_the_segment_mean_without_log_factorials():
    y = np.array([3.0, 0, 5, 2, 7, 4, 1])
    cost = PoissonSegmentCost().fit(y)
    for start, end in [(0, 7), (1, 4), (2, 3), (5, 7)]:
        seg = y[start:end]
        nll = -sps.poisson.logpmf(seg, seg.mean()).sum()
        assert cost.error(start, end) == pytest.approx(nll - special.gammaln(seg + 1).sum(), rel=1e-12)
    assert PoissonSegmentCost().fit(np.zeros(4)).error(0, 4) == 0.0


def _detection(alpha: float, seeds: range) -> tuple[float, float, list[int]]:
    """Share of series where both true breaks (days 50 and 60) are found within 2 days, share with any
    other changepoint, and the changepoint counts."""
    found, extra, counts = 0, 0, []
    for seed in seeds:
        y = _piecewise(np.random.default_rng(seed), rates=[30, 8, 25], lengths=[50, 10, 60], alpha=alpha)
        indices = [c.index for c in poisson_changepoints(y).changepoints]
        hits = [i for i in indices if min(abs(i - 50), abs(i - 60)) <= 2]
        found += any(abs(i - 50) <= 2 for i in hits) and any(abs(i - 60) <= 2 for i in hits)
        extra += len(indices) > len(hits)
        counts.append(len(indices))
    return found / len(seeds), extra / len(seeds), counts


def test_finds_known_breaks_in_piecewise_poisson_counts_with_few_false_alarms():
    found, extra, counts = _detection(alpha=0.0, seeds=range(40))
    # Measured: both breaks found in 40/40 series, a spurious changepoint in 3/40 (7.5%).
    assert found >= 0.95
    assert extra <= 0.15
    assert max(counts) <= 4


def test_overdispersed_counts_raise_the_penalty_so_no_forest_of_changepoints_grows():
    # NB2 alpha 0.1: at 30 events a day the variance is four times the mean.
    found, extra, counts = _detection(alpha=0.1, seeds=range(100, 140))
    # Measured: both breaks found in 38/40 series, a spurious changepoint in 2/40.
    assert found >= 0.85
    assert extra <= 0.15
    assert max(counts) <= 4
    y = _piecewise(np.random.default_rng(7), rates=[30, 8, 25], lengths=[50, 10, 60], alpha=0.1)
    rule = poisson_changepoints(y)
    assert rule.dispersion > 2.0
    # The same series under the Poisson BIC penalty (phi = 1) is cut into a forest (8 changepoints, not 2).
    assert len(poisson_changepoints(y, penalty=math.log(y.size)).changepoints) > len(rule.changepoints) + 3


def test_a_year_of_constant_rate_poisson_days_has_no_changepoint():
    y = np.random.default_rng(11).poisson(5.0, 365).astype(float)
    assert poisson_changepoints(y).changepoints == ()


def test_penalty_is_phi_times_log_n_with_phi_from_day_to_day_differences():
    y = np.array([10.0, 14, 9, 12, 30, 26, 33, 29, 31, 27])
    phi = max(1.0, np.sum(np.diff(y) ** 2) / np.sum(y[:-1] + y[1:]))
    r = poisson_changepoints(y)
    assert r.dispersion == pytest.approx(phi) == pytest.approx(difference_dispersion(y))
    assert r.penalty == pytest.approx(phi * math.log(10))
    assert r.penalty_rule == PENALTY_RULE and r.method == "PELT, Poisson likelihood"
    assert [(c.index, c.rate_before, c.rate_after) for c in r.changepoints] == [
        (4, 11.25, 29.333333333333332)
    ]


def test_a_penalty_given_by_the_caller_is_used_and_said_to_be():
    y = _piecewise(np.random.default_rng(3), rates=[5, 6, 5], lengths=[30, 30, 30])
    r = poisson_changepoints(y, penalty=0.0)
    assert r.penalty == 0.0 and r.penalty_rule == "supplied by the caller"
    assert len(r.changepoints) > 5  # with no penalty, PELT cuts wherever the likelihood gains
    assert all(s.days >= 3 for s in r.segments)


def test_dates_label_changepoints_and_segments_with_iso_days():
    dates = np.arange(np.datetime64("2020-02-01"), np.datetime64("2020-02-13"))
    r = poisson_changepoints([30, 35, 32, 29, 33, 31, 8, 6, 7, 9, 8, 7], dates)
    (c,) = r.changepoints
    assert (c.index, c.date) == (6, "2020-02-07")
    assert [(s.first_date, s.last_date, s.days, s.total) for s in r.segments] == [
        ("2020-02-01", "2020-02-06", 6, 190.0),
        ("2020-02-07", "2020-02-12", 6, 45.0),
    ]
    d = r.to_dict()
    assert json.loads(json.dumps(d)) == d
    assert d["changepoints"][0]["date"] == "2020-02-07"


@pytest.mark.parametrize(
    ("counts", "kwargs", "message"),
    [
        ([], {}, "at least one day"),
        ([1, 2, 3], {"dates": ["2020-01-01", "2020-01-02"]}, "same length"),
        (
            [1, 2, 3],
            {"dates": ["2020-01-01", "2020-01-02", "2020-01-04"]},
            "consecutive days.*2020-01-02 followed by 2020-01-04",
        ),
        ([1, 2, 3], {"min_size": 0}, "min_size must be a whole number"),
        ([1, 2, 3], {"penalty": -1.0}, "penalty must be a finite number >= 0"),
    ],
)
def test_unusable_inputs_raise_statistics_error(counts, kwargs, message):
    with pytest.raises(StatisticsError, match=message):
        poisson_changepoints(counts, **kwargs)


def test_series_too_short_for_two_segments_or_without_events_are_one_segment():
    short = poisson_changepoints([4, 0, 9, 1, 7], min_size=3)
    assert short.changepoints == () and short.segments[0].days == 5
    quiet = poisson_changepoints(np.zeros(30))
    assert quiet.changepoints == () and quiet.segments[0].rate == 0.0


@settings(max_examples=30, deadline=None)
@given(counts=st.lists(st.integers(0, 40), min_size=1, max_size=80), min_size=st.integers(1, 5))
def test_segments_tile_the_series_and_their_totals_reconcile(counts, min_size):
    r = poisson_changepoints(counts, min_size=min_size)
    assert r.segments[0].start == 0 and r.segments[-1].end == len(counts)
    assert all(a.end == b.start for a, b in zip(r.segments, r.segments[1:], strict=False))
    assert sum(s.total for s in r.segments) == sum(counts)
    assert len(r.changepoints) == len(r.segments) - 1
    if len(r.segments) > 1:
        assert all(s.days >= min_size for s in r.segments)
