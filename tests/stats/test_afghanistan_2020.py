"""The statistics on real data: ACLED Afghanistan events per day around the 2020 reduction in violence.

The US-Taliban reduction-in-violence week ran from 22 to 29 February 2020, before the Doha agreement
of 29 February; violence returned from 2 March. Daily counts are built from the event file by
conftest.py (ACLED; Raleigh, Linke, Hegre & Karlsen 2010, Journal of Peace Research 47(5)).
"""

from __future__ import annotations

import numpy as np
import pytest

from peacewatch.stats import compare_rates, monthly_trend, poisson_changepoints


def test_daily_counts_reconcile_with_the_published_derived_table(afghanistan_daily):
    # DERIVED_daily_counts_2020-02-01_2020-03-31.csv beside the data: 39 events on 1 Feb, 8 on 1 Mar.
    dates, counts = afghanistan_daily.between("2020-02-01", "2020-03-31")
    assert dates.size == 60
    assert (counts[0], counts[29], counts[30]) == (39.0, 8.0, 25.0)
    assert counts[:21].sum() == 734 and counts[21:29].sum() == 60


def test_reduction_in_violence_week_cut_daily_events_to_about_a_fifth(afghanistan_daily):
    r = compare_rates(
        afghanistan_daily.counts_between("2020-02-22", "2020-02-29"),
        afghanistan_daily.counts_between("2020-02-01", "2020-02-21"),
    )
    # Measured: 7.5 against 34.95 a day, RR 0.2146 (95% 0.147-0.312), phi 1.85, t-test p 5.0e-9.
    assert r.method == "quasi_poisson"
    assert 0.18 < r.rate_ratio < 0.25
    assert r.ci_high < 0.4
    assert r.window_total == 60 and r.baseline_total == 734
    assert r.dispersion == pytest.approx(1.855, abs=0.01)


def test_violence_returned_in_march_at_more_than_two_and_a_half_times_the_week_rate(afghanistan_daily):
    r = compare_rates(
        afghanistan_daily.counts_between("2020-03-02", "2020-03-31"),
        afghanistan_daily.counts_between("2020-02-22", "2020-02-29"),
    )
    # Measured: 26.57 against 7.5 a day, RR 3.54 (95% 2.30-5.46), phi 2.55.
    assert r.rate_ratio > 2.5
    assert r.ci_low > 1.0
    assert r.significant


def test_the_exact_poisson_interval_is_narrower_than_the_overdispersion_allows(afghanistan_daily):
    window = afghanistan_daily.counts_between("2020-02-22", "2020-02-29")
    baseline = afghanistan_daily.counts_between("2020-02-01", "2020-02-21")
    exact = compare_rates(window, baseline, method="exact_poisson")
    quasi = compare_rates(window, baseline, method="quasi_poisson")
    # Measured: exact 0.162-0.279 against quasi-Poisson 0.147-0.312.
    assert exact.rate_ratio == quasi.rate_ratio
    assert quasi.ci_low < exact.ci_low and exact.ci_high < quasi.ci_high


def test_changepoints_find_the_start_and_end_of_the_reduction_in_violence_week(afghanistan_daily):
    dates, counts = afghanistan_daily.between("2020-01-01", "2020-04-30")
    r = poisson_changepoints(counts, dates)
    found = [np.datetime64(c.date) for c in r.changepoints]
    # Measured: 3 changepoints, 2020-02-22 (34.4 -> 7.6 a day), 2020-03-02 (7.6 -> 29.8) and
    # 2020-03-21 (29.8 -> 20.3); phi 1.62, penalty 7.77.
    assert any(abs((d - np.datetime64("2020-02-22")).astype(int)) <= 2 for d in found)
    assert any(abs((d - np.datetime64("2020-03-02")).astype(int)) <= 2 for d in found)
    assert len(found) <= 5
    start = next(c for c in r.changepoints if c.date == "2020-02-22")
    assert start.rate_before == pytest.approx(34.42, abs=0.01) and start.rate_after == pytest.approx(
        7.56, abs=0.01
    )


def test_a_poisson_penalty_would_find_a_forest_of_changepoints_in_the_same_months(afghanistan_daily):
    dates, counts = afghanistan_daily.between("2020-01-01", "2020-04-30")
    plain = poisson_changepoints(counts, dates, penalty=float(np.log(counts.size)))
    # Measured: 10 changepoints under the Poisson BIC penalty, against 3 under the dispersion-scaled one.
    assert len(plain.changepoints) >= 8


@pytest.mark.parametrize(
    ("month", "previous", "verdict"),
    [
        # Measured: 47.4 against 32.2 a day, RR 1.47 (1.30-1.66).
        (("2019-07-01", "2019-07-31"), ("2019-04-01", "2019-06-30"), "deteriorated"),
        # Measured: 27.4 against 36.0 a day, RR 0.76 (0.64-0.90): the reduction-in-violence week.
        (("2020-02-01", "2020-02-29"), ("2019-11-01", "2020-01-31"), "improved"),
        # Measured: 23.3 against 22.1 a day, RR 1.05 (0.88-1.26).
        (("2020-06-01", "2020-06-30"), ("2020-03-01", "2020-05-31"), "unchanged"),
        # Measured: 6.4 against 36.0 a day, RR 0.18 (0.12-0.27): the month after the Taliban took Kabul.
        (("2021-09-01", "2021-09-30"), ("2021-06-01", "2021-08-31"), "improved"),
    ],
)
def test_monthly_verdicts_on_afghan_months(afghanistan_daily, month, previous, verdict):
    v = monthly_trend(afghanistan_daily.counts_between(*month), afghanistan_daily.counts_between(*previous))
    assert v.verdict == verdict
