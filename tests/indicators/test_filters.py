"""Filters: vocabulary checks, fields a dataset lacks, and no silent double counting."""

from __future__ import annotations

import datetime as dt

import pytest

from peacewatch import analysis
from peacewatch.errors import (
    AmbiguousDatasetsError,
    CoverageError,
    IndicatorError,
    MissingFieldError,
    TaxonomyError,
)
from peacewatch.indicators.filters import Filters, select_datasets
from peacewatch.store import Store


def test_actor_filter_on_a_dataset_without_actors_names_the_missing_field(afghan_store):
    with pytest.raises(MissingFieldError) as info:
        analysis.series(Filters(country="Afghanistan", actor="taliban"), store=afghan_store)
    assert info.value.fields == ("actor1", "actor2")
    assert info.value.datasets == ("acled-afghanistan-2017-01-01-2026-03-13-reduced",)
    assert "--actor needs the fields 'actor1' and 'actor2'" in str(info.value)


def test_unknown_actor_key_suggests_the_closest(afghan_store):
    with pytest.raises(TaxonomyError, match="taliban"):
        analysis.series(Filters(actor="talibn"), store=afghan_store)


def test_unknown_event_type_lists_the_vocabulary(afghan_store):
    with pytest.raises(IndicatorError, match="explosion_remote_violence"):
        analysis.series(Filters(types=("airstrike",)), store=afghan_store)


def _entry(ds, countries, lo, hi, missing=()):
    return {
        "dataset_id": ds,
        "source": "acled",
        "table_name": "events",
        "countries": countries,
        "date_min": lo,
        "date_max": hi,
        "fields_missing": list(missing),
    }


def test_two_datasets_covering_the_same_country_and_dates_are_refused_unless_chosen():
    catalog = [
        _entry("a", ["AFG"], "2017-01-01", "2026-03-13"),
        _entry("b", ["AFG", "SYR"], "2022-01-01", "2022-06-30"),
    ]
    with pytest.raises(AmbiguousDatasetsError) as info:
        select_datasets(Filters(country="Afghanistan"), catalog, iso3="AFG")
    assert info.value.datasets == ("a", "b")
    assert "--dataset" in str(info.value)
    # Dates outside the overlap, another country, an explicit choice, or 'all' are fine.
    assert [
        e["dataset_id"]
        for e in select_datasets(
            Filters(country="Afghanistan", date_to=dt.date(2021, 12, 31)), catalog, iso3="AFG"
        )
    ] == ["a"]
    assert [e["dataset_id"] for e in select_datasets(Filters(country="Syria"), catalog, iso3="SYR")] == ["b"]
    assert [e["dataset_id"] for e in select_datasets(Filters(datasets=("a",)), catalog)] == ["a"]
    assert len(select_datasets(Filters(datasets=("all",), country="Afghanistan"), catalog, iso3="AFG")) == 2


def test_a_dataset_id_that_does_not_exist_suggests_the_closest():
    catalog = [_entry("acled-afg", ["AFG"], "2017-01-01", "2026-03-13")]
    with pytest.raises(IndicatorError, match="Did you mean 'acled-afg'"):
        select_datasets(Filters(datasets=("acled-afh",)), catalog)


def test_days_outside_the_coverage_are_not_counted_as_zero(afghan_store):
    with pytest.raises(CoverageError, match="not covered"):
        analysis.compare(
            Filters(country="Afghanistan"),
            window="2016-12-20:2017-01-10",
            baseline_preceding=30,
            store=afghan_store,
        )


def test_double_counting_is_refused_on_a_real_store(tmp_path, data_file):
    store = Store(tmp_path / "s.duckdb")
    store.ingest(
        [
            data_file(
                "acled_afghanistan_events_reduced/acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz"
            ),
            data_file("acled_global_sample_2022/acled_sample_2022-01_2022-06_9000_events.csv.gz"),
        ]
    )
    with pytest.raises(AmbiguousDatasetsError):
        analysis.series(
            Filters(country="AFG", date_from=dt.date(2022, 1, 1), date_to=dt.date(2022, 1, 31)), store=store
        )
    ok = analysis.series(
        Filters(
            country="AFG", date_from=dt.date(2022, 1, 1), date_to=dt.date(2022, 1, 31), datasets=("all",)
        ),
        store=store,
    )
    assert len(ok.points) == 31
