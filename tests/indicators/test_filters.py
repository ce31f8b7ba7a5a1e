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
from peacewatch.indicators.datasets import select_datasets
from peacewatch.indicators.filters import Filters
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


@pytest.fixture(scope="module")
def syria(syria_store):
    rows = syria_store.query("SELECT actor1_keys, actor2_keys FROM events").to_pylist()
    return syria_store, rows


def _count(store, f):
    return int(analysis.series(f.replace(country="Syria"), by="month", store=store).values().sum())


@pytest.mark.parametrize("group", [("hts", "syrian_insurgents"), ("is", "sdf", "turkey")])
def test_an_actor_group_counts_every_event_of_any_member_once(syria, group):
    store, rows = syria
    expected = sum(1 for r in rows if set(group) & set(r["actor1_keys"] + r["actor2_keys"]))
    got = _count(store, Filters(actor="+".join(group)))
    assert got == expected
    singles = [_count(store, Filters(actor=k)) for k in group]
    # Events between two members count once: IS fights both the SDF and Turkey, so there the union is
    # smaller than the sum; HTS and the other insurgents never share an event in this file.
    assert max(singles) <= got <= sum(singles)
    assert (got < sum(singles)) == ("is" in group)


def test_a_dyad_of_groups_is_any_member_of_one_against_any_member_of_the_other(syria):
    store, rows = syria
    a, b = {"syrian_government", "russia"}, {"hts", "syrian_insurgents"}

    def between(r):
        one, two = set(r["actor1_keys"]), set(r["actor2_keys"])
        return bool((one & a and two & b) or (one & b and two & a))

    got = _count(store, Filters.from_spec({"dyad": "syrian_government+russia,hts+syrian_insurgents"}))
    assert got == sum(1 for r in rows if between(r)) > 0


def test_groups_come_as_lists_or_plus_joined_text_and_reproduce_as_one_flag():
    f = Filters.from_spec({"actor": ["taliban", "haqqani_network"], "dyad": [["is", "iskp"], "taliban"]})
    assert f.actor == "taliban+haqqani_network" and f.dyad == ("is+iskp", "taliban")
    assert "--actor taliban+haqqani_network" in f.cli_args() and "--dyad is+iskp,taliban" in f.cli_args()


def test_event_types_come_repeated_as_a_list_or_plus_joined_like_the_other_filters():
    # `--type battle+explosion_remote_violence` was refused as one unknown type while `--admin1 A+B` and
    # `--actor a+b` worked: every filter that takes several values now takes them joined by '+'.
    joined = Filters.from_spec({"type": "battle + explosion_remote_violence"})
    assert joined.types == Filters.from_spec({"type": ["battle", "explosion_remote_violence"]}).types
    assert joined.types == ("battle", "explosion_remote_violence")
    assert "--type battle --type explosion_remote_violence" in joined.cli_args()


def test_an_unknown_type_inside_a_plus_joined_list_is_named(afghan_store):
    with pytest.raises(IndicatorError, match="'airstrike' is not a canonical event type"):
        analysis.series(Filters.from_spec({"type": "battle+airstrike"}), store=afghan_store)


def test_an_unknown_actor_key_without_a_close_one_says_how_a_case_key_becomes_known(afghan_store):
    with pytest.raises(TaxonomyError) as err:
        analysis.series(Filters(actor="zzz_unknown"), store=afghan_store)
    assert str(err.value).startswith("unknown actor key 'zzz_unknown'. Keys come from")
    assert "--taxonomy CASE/actors.yaml" in str(err.value)


def test_an_unknown_key_inside_a_group_is_named_with_the_closest(afghan_store):
    with pytest.raises(TaxonomyError, match="haqqani_network"):
        analysis.series(Filters(actor="taliban+haqani_network"), store=afghan_store)


JAN_MAR_2016 = {"from": "2016-01-01", "to": "2016-03-31", "dyad": "syrian_government,syrian_insurgents"}


def test_events_dated_only_to_a_year_are_reported_and_left_out_on_request(syria_store):
    f = Filters.from_spec({"country": "Syria", **JAN_MAR_2016})
    r = analysis.series(f, by="month", measure="fatalities", store=syria_store)
    # Measured: UCDP dates three events of this dyad only to the year 2016 (10,128 deaths); on their first
    # possible day they would make January 2016 the deadliest month (11,624 deaths instead of 1,496).
    assert [v for _, v in r.points] == [11624, 1946, 579]
    assert (r.imprecise["events"], r.imprecise["fatalities"]) == (3, 10128)
    assert "--precision month leaves them out" in r.imprecise["note"]
    kept = analysis.series(f.replace(precision="month"), by="month", measure="fatalities", store=syria_store)
    assert [v for _, v in kept.points] == [1496, 1946, 579] and kept.imprecise is None
    assert "--precision month" in kept.command


def test_a_daily_comparison_reports_events_dated_more_coarsely_than_a_day(syria_store, afghan_store):
    f = Filters.from_spec({"country": "Syria", "dyad": JAN_MAR_2016["dyad"]})
    r = analysis.compare(f, window="2016-02-27:2016-03-25", baseline_preceding=28, store=syria_store)
    assert r.imprecise["bin"] == "day" and r.imprecise["events"] > 0
    assert r.to_dict()["imprecise"] == r.imprecise
    exact = analysis.compare(
        f.replace(precision="day"), window="2016-02-27:2016-03-25", baseline_preceding=28, store=syria_store
    )
    assert exact.imprecise is None
    assert (
        exact.result.window_total + exact.result.baseline_total
        < r.result.window_total + r.result.baseline_total
    )
    acled = analysis.compare(
        Filters(country="Afghanistan"),
        window="2020-02-22:2020-02-29",
        baseline_preceding=21,
        store=afghan_store,
    )
    assert acled.imprecise is None  # the reduced export dates every event to the day


def test_an_unknown_precision_lists_the_scale():
    with pytest.raises(IndicatorError, match="day, week, month, year, range"):
        from peacewatch.indicators.filters import validate

        validate(Filters(precision="weekly"))
