"""The violence rules and the schedule, on arrays and a fake clock: no store."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from peacewatch import stats
from peacewatch.errors import WatchError
from peacewatch.watch import parse_every, repeat
from peacewatch.watch.violence import direction, latest_complete_week, record

days = st.lists(st.integers(min_value=0, max_value=60), min_size=7, max_size=7)


@given(week=days)
@settings(max_examples=200, deadline=None)
def test_no_alert_when_the_week_and_its_baseline_have_the_same_counts(week):
    """The same seven daily counts four times over as the baseline: the ratio is 1, so no rule alerts."""
    if sum(week) == 0:
        return  # a baseline without events has no ratio (StatisticsError), so no alert either
    r = stats.compare_rates(week, week * 4)
    assert r.rate_ratio == pytest.approx(1.0)
    assert direction(r) is None


@given(level=st.integers(min_value=1, max_value=50), years=st.sampled_from([1, 3]))
@settings(max_examples=50, deadline=None)
def test_no_record_when_every_day_has_the_same_count(level, years):
    assert record(np.full(years * 365 + 30, float(level)), years) is None


def test_an_alert_needs_an_interval_that_excludes_one():
    rise = stats.compare_rates([30, 28, 35, 31, 29, 33, 30], [10, 12, 9, 11, 10, 13, 8] * 4)
    assert direction(rise) == "increase"
    fall = stats.compare_rates([1, 0, 2, 1, 0, 1, 1], [10, 12, 9, 11, 10, 13, 8] * 4)
    assert direction(fall) == "decrease"
    # A bigger week that noise explains: 9 events against 6 a week, interval straddling 1.
    unsure = stats.compare_rates([2, 1, 1, 2, 1, 1, 1], [1, 1, 1, 1, 1, 1, 0] * 4)
    assert unsure.rate_ratio > 1 and direction(unsure) is None


def test_a_surge_in_the_last_thirty_days_is_a_record_and_names_the_previous_one():
    rng = np.random.default_rng(7)
    values = rng.poisson(5, 365 + 30).astype(float)
    values[100:130] = 9  # the previous highest run, 30 days at 9
    values[-30:] = 15
    found = record(values, 1)
    assert found is not None and found["total"] == 450
    assert found["previous_highest"] >= 270
    assert found["comparison"].ci_low > 1
    # The previous run ended within those 30 days of 9s, counted back from the last day.
    ended = values.size - 1 - found["previous_highest_ends_days_before"]
    assert 100 <= ended <= 129 + 29


def test_a_record_by_a_whisker_that_noise_explains_is_not_raised():
    values = np.full(365 + 30, 1.0)
    values[::7] = 0.0
    values[-30:] = 1.0
    values[-1] = 2.0  # the most in a year, by one event
    assert record(values, 1) is None


@pytest.mark.parametrize(
    ("cut_off", "monday"),
    [("2026-03-13", "2026-03-02"), ("2026-03-08", "2026-03-02"), ("2026-03-09", "2026-03-02")],
)
def test_the_latest_complete_week_ends_on_the_last_sunday_the_data_cover(cut_off, monday):
    week = latest_complete_week(dt.date.fromisoformat(cut_off))
    assert week.start == dt.date.fromisoformat(monday) and week.days == 7 and week.end.weekday() == 6


@pytest.mark.parametrize("text", ["", "1", "d", "0h", "-1d", "1w", "1 day"])
def test_an_every_it_cannot_read_says_what_it_expects(text):
    with pytest.raises(WatchError, match="expected a positive number and a unit"):
        parse_every(text)


def test_repeat_runs_the_bounded_number_of_cycles_counting_the_interval_from_each_start():
    now = [0.0]
    slept = []

    def cycle(n):
        now[0] += 2.0  # each cycle takes 2 s

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    assert repeat(cycle, 10.0, cycles=3, sleep=sleep, clock=lambda: now[0]) == 3
    assert slept == [8.0, 8.0]


def test_ctrl_c_while_waiting_stops_after_the_cycles_done():
    def sleep(_seconds):
        raise KeyboardInterrupt

    ran = []
    assert repeat(ran.append, 60.0, sleep=sleep) == 1
    assert ran == [1]
