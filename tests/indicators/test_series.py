"""Series: zero-filled calendars by day, ISO week and month; aggregates at their own granularity."""

from __future__ import annotations

import datetime as dt

import pytest

from peacewatch import analysis
from peacewatch.errors import CoverageError, IndicatorError, MissingFieldError
from peacewatch.indicators.calendar import Span, periods
from peacewatch.indicators.filters import Filters

FEB = Filters(country="Afghanistan", date_from=dt.date(2020, 2, 1), date_to=dt.date(2020, 2, 29))


def test_daily_series_matches_the_published_daily_counts(afghan_store, data_file):
    import csv

    with open(
        data_file("acled_afghanistan_events_reduced/DERIVED_daily_counts_2020-02-01_2020-03-31.csv"),
        encoding="utf-8",
    ) as fh:
        published = {r["date"]: r for r in csv.DictReader(fh)}
    events = analysis.series(FEB, store=afghan_store)
    assert len(events.points) == 29
    for day, value in events.points:
        assert value == float(published[day.isoformat()]["events_all"]), day
    battles = analysis.series(FEB.replace(types=("battle",)), store=afghan_store)
    assert [v for _, v in battles.points][21:] == [6, 2, 5, 1, 4, 0, 1, 2]


def test_days_without_events_are_zero_not_missing(afghan_store):
    r = analysis.series(FEB.replace(types=("riot",)), store=afghan_store)
    assert len(r.points) == 29 and min(v for _, v in r.points) == 0.0


def test_weeks_are_iso_weeks_labelled_by_monday_and_months_by_their_first_day(afghan_store):
    weeks = analysis.series(FEB, by="week", store=afghan_store)
    assert [d.isoformat() for d, _ in weeks.points] == [
        "2020-01-27",
        "2020-02-03",
        "2020-02-10",
        "2020-02-17",
        "2020-02-24",
    ]
    daily = analysis.series(FEB, store=afghan_store)
    assert sum(v for _, v in weeks.points) == sum(v for _, v in daily.points)
    months = analysis.series(
        FEB.replace(date_from=dt.date(2020, 1, 1), date_to=dt.date(2020, 3, 31)),
        by="month",
        store=afghan_store,
    )
    assert [d.isoformat() for d, _ in months.points] == ["2020-01-01", "2020-02-01", "2020-03-01"]
    assert months.points[1][1] == sum(v for _, v in daily.points)


def test_fatalities_measure_sums_the_chosen_estimate(afghan_store):
    r = analysis.series(FEB.replace(date_from=dt.date(2020, 2, 22)), measure="fatalities", store=afghan_store)
    assert sum(v for _, v in r.points) == 95
    assert r.to_dict()["command"].endswith("--measure fatalities --estimate best")


def test_series_payload_has_the_documented_shape(afghan_store):
    d = analysis.series(FEB, by="week", store=afghan_store).to_dict()
    assert {"by", "measure", "filters", "datasets", "points"} <= set(d)
    assert set(d["points"][0]) == {"period_start", "value"}
    assert d["datasets"][0]["dataset_id"] == "acled-afghanistan-2017-01-01-2026-03-13-reduced"
    assert len(d["datasets"][0]["sha256"]) == 64


def test_calendar_periods_cover_partial_first_and_last_periods():
    span = Span(dt.date(2020, 2, 26), dt.date(2020, 3, 3))
    assert periods(span, "week") == [dt.date(2020, 2, 24), dt.date(2020, 3, 2)]
    assert periods(span, "month") == [dt.date(2020, 2, 1), dt.date(2020, 3, 1)]


def test_an_unknown_granularity_is_a_clear_error(afghan_store):
    with pytest.raises(IndicatorError, match="expected day, week or month"):
        analysis.series(FEB, by="fortnight", store=afghan_store)


def test_a_weekly_aggregate_reads_by_week_or_month_but_not_by_day(tmp_path, data_file, test_data):
    from peacewatch.store import Store

    store = Store(tmp_path / "s.duckdb")
    store.ingest(
        [data_file("acled_afghanistan_weekly_aggregates/acled_afghanistan_weekly_2017_2024.csv.gz")],
        mapping=test_data / "mapped_acled_afghanistan_weekly.yaml",
    )
    ds = store.datasets()[0]["dataset_id"]
    f = Filters(
        datasets=(ds,), types=("battle",), date_from=dt.date(2020, 2, 1), date_to=dt.date(2020, 3, 31)
    )
    with pytest.raises(IndicatorError, match="cannot be split into days"):
        analysis.series(f, by="day", store=store)
    weeks = analysis.series(f, by="week", store=store)
    by_start = {d.isoformat(): v for d, v in weeks.points}
    # The week ending Friday 2020-02-28 (22-28 Feb) had far fewer battles than the weeks around it.
    assert by_start["2020-02-22"] < by_start["2020-02-15"] / 3
    months = analysis.series(f, by="month", store=store)
    assert [d.isoformat() for d, _ in months.points] == ["2020-02-01", "2020-03-01"]
    assert months.imprecise is None  # aggregates are periods, not dated events
    # An aggregate has no event dates to be precise about: the precision filter is refused, not ignored.
    with pytest.raises(MissingFieldError, match="--precision needs the field 'date_precision'"):
        analysis.series(f.replace(precision="day"), by="week", store=store)


def test_days_before_the_coverage_are_a_coverage_error_not_zeros(afghan_store):
    # The reduced ACLED export starts on 2017-01-01; `compare` refused these days, `series` zero-filled.
    late_december = Filters(
        country="Afghanistan", date_from=dt.date(2016, 12, 25), date_to=dt.date(2017, 1, 31)
    )
    covered = r"2016-12-25:2017-01-31 is not covered .*2017-01-01 to 2026-03-13"
    with pytest.raises(CoverageError, match=covered):
        analysis.series(late_december, store=afghan_store)
    with pytest.raises(CoverageError, match="not covered"):
        analysis.series(Filters(date_to=dt.date(2026, 12, 31)), by="month", store=afghan_store)


def test_a_span_of_millennia_is_a_clear_error_before_any_query(afghan_store, capsys):
    from peacewatch.cli.app import main

    store = ("--store", str(afghan_store.path))
    # Before: ten minutes and 6.7 GB of zero-filled days; --from 0001-01-01 exited 2 (OverflowError).
    for span in (("--from", "0001-01-02", "--to", "9999-12-30"), ("--from", "0001-01-01")):
        assert main(["series", *span, "--by", "day", *store]) == 1
        err = capsys.readouterr().err
        assert "is not covered by the selected data" in err and "Traceback" not in err


def test_baseline_years_refuses_a_window_longer_than_a_year_that_would_overlap_itself(afghan_store):
    # The same window a year earlier would share 2020 with the window: those days would count twice.
    f = Filters(country="Afghanistan")
    with pytest.raises(IndicatorError, match="overlaps it"):
        analysis.compare(f, window="2020-01-01:2021-06-30", baseline_years=1, store=afghan_store)
    # A window of exactly a year still has its year-earlier twin.
    r = analysis.compare(f, window="2020-01-01:2020-12-31", baseline_years=1, store=afghan_store)
    assert str(r.baseline[0]) == "2019-01-01:2019-12-31"
