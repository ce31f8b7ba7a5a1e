"""The acceptance figures of the indicators issue, on the reduced ACLED Afghanistan export."""

from __future__ import annotations

import datetime as dt

from peacewatch import analysis
from peacewatch.indicators.filters import Filters

AFG = Filters(country="Afghanistan")


def test_reduction_in_violence_week_against_the_three_weeks_before(afghan_store):
    r = analysis.compare(
        AFG, window="2020-02-22:2020-02-29", baseline="2020-02-01:2020-02-21", store=afghan_store
    ).to_dict()
    assert (r["window"]["total"], r["window"]["days"], r["baseline"]["total"], r["baseline"]["days"]) == (
        60,
        8,
        734,
        21,
    )
    assert 0.18 <= r["rate_ratio"] <= 0.25
    assert r["ci_high"] < 0.4
    assert r["method"] == "quasi_poisson" and r["dispersion"] > 1


def test_violence_resumed_in_march_against_the_reduction_week(afghan_store):
    r = analysis.compare(
        AFG, window="2020-03-02:2020-03-31", baseline="2020-02-22:2020-02-29", store=afghan_store
    ).to_dict()
    assert r["rate_ratio"] > 2.5 and r["ci_low"] > 1
    assert r["window"]["total"] == 797


def test_changepoints_find_the_start_and_end_of_the_reduction_week(afghan_store):
    d = analysis.changepoints(AFG, span="2020-01-01:2020-04-30", store=afghan_store)
    dates = [dt.date.fromisoformat(c["date"]) for c in d["changepoints"]]
    start, end = dt.date(2020, 2, 22), dt.date(2020, 3, 1)
    assert any(abs((x - start).days) <= 2 for x in dates)
    assert any(abs((x - end).days) <= 2 for x in dates)
    assert len(dates) <= 5
    drop = next(c for c in d["changepoints"] if abs((dt.date.fromisoformat(c["date"]) - start).days) <= 2)
    assert drop["rate_before"] > 3 * drop["rate_after"]


def test_baseline_in_previous_years_uses_the_same_calendar_window(afghan_store):
    r = analysis.compare(AFG, window="2020-03-02:2020-03-31", baseline_years=2, store=afghan_store).to_dict()
    assert [s["start"] for s in r["baseline"]["spans"]] == ["2019-03-02", "2018-03-02"]
    assert r["baseline"]["days"] == 60
