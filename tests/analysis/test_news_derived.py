"""GDELT counted and labelled honestly, on the GDELT 2.0 export of 13 November 2020 (the day after the
Nagorno-Karabakh ceasefire statement) in ../shared/data: places by FIPS code, distinct source articles
beside raw records, a measure the data lack refused, and the caveats in every output."""

from __future__ import annotations

import json

import pytest

from peacewatch import analysis
from peacewatch.cli.app import main
from peacewatch.errors import IndicatorError, MissingFieldError
from peacewatch.indicators.filters import Filters
from peacewatch.indicators.series import event_counts
from peacewatch.store import Store

DAY = "2020-11-13"


def run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_country_name_iso3_and_gdelts_own_fips_code_select_the_same_rows(gdelt):
    totals = {c: analysis.series(Filters(country=c), store=gdelt).points for c in ("Armenia", "ARM", "AM")}
    assert totals["Armenia"] == totals["ARM"] == totals["AM"]
    assert totals["AM"][0][1] == 25
    # AJ is Azerbaijan in FIPS 10-4 (AZ in ISO): 41 records; with Armenia's 25 the 66 of the issue.
    assert analysis.series(Filters(country="AJ"), store=gdelt).points[0][1] == 41


def test_gdelt_rows_get_the_gazetteer_country_name(gdelt):
    rows = gdelt.query(
        "SELECT iso3, country, count(*) AS n FROM events WHERE iso3 IN ('ARM', 'AZE') GROUP BY ALL ORDER BY 1"
    ).to_pylist()
    assert rows == [
        {"iso3": "ARM", "country": "Armenia", "n": 25},
        {"iso3": "AZE", "country": "Azerbaijan", "n": 41},
    ]
    assert gdelt.query(
        "SELECT count(*) AS n FROM events WHERE iso3 IS NOT NULL AND country IS NULL"
    ).to_pylist() == [{"n": 0}]


def test_a_two_letter_code_naming_different_countries_in_fips_and_iso_is_refused(gdelt):
    with pytest.raises(
        IndicatorError, match=r"FIPS 10-4 AU is Austria \(AUT\) but ISO 3166-1 alpha-2 AU is Australia"
    ):
        analysis.series(Filters(country="AU"), store=gdelt)


def test_distinct_articles_count_ten_for_the_66_records_placed_in_armenia_or_azerbaijan(gdelt):
    t = gdelt.ibis().table("events")
    placed = t.filter(t.iso3.isin(["ARM", "AZE"]))
    records = gdelt.execute(event_counts(placed, "day", "events")).to_pylist()
    articles = gdelt.execute(event_counts(placed, "day", "articles")).to_pylist()
    assert [r["value"] for r in records] == [66.0]
    assert [r["value"] for r in articles] == [10.0]
    # Per country through the analysis API: 6 articles for Armenia's 25, 9 for Azerbaijan's 41 (5 shared).
    assert analysis.series(Filters(country="ARM"), measure="articles", store=gdelt).points[0][1] == 6
    assert analysis.series(Filters(country="AZE"), measure="articles", store=gdelt).points[0][1] == 9


def test_fatalities_on_gdelt_is_a_user_error_naming_the_dataset_and_what_it_lacks(gdelt, capsys):
    with pytest.raises(MissingFieldError) as caught:
        analysis.series(Filters(country="ARM"), measure="fatalities", store=gdelt)
    assert caught.value.fields == ("fatalities_best",)
    assert caught.value.datasets == ("gdelt2-events-20201113-relabelled-headers",)
    code, _, err = run(
        capsys, "series", "--country", "AM", "--measure", "fatalities", "--store", str(gdelt.path)
    )
    assert code == 1
    assert "gdelt2-events-20201113-relabelled-headers" in err and "no fatality figures" in err
    assert "Traceback" not in err


def test_articles_is_refused_on_data_that_are_not_news_derived(afghan_store):
    with pytest.raises(MissingFieldError, match="news-derived"):
        analysis.series(
            Filters.from_spec({"country": "Afghanistan", "from": "2020-02-01", "to": "2020-02-02"}),
            measure="articles",
            store=afghan_store,
        )


def test_every_output_of_a_gdelt_series_shows_the_news_derived_caveat(gdelt, capsys, tmp_path):
    store = ("--store", str(gdelt.path))
    code, out, _ = run(capsys, "series", "--country", "ARM", *store)
    assert code == 0 and "Caveat: News-derived (GDELT)" in " ".join(out.split())
    code, out, _ = run(capsys, "series", "--country", "ARM", "--format", "json", *store)
    d = json.loads(out)
    assert [c["key"] for c in d["caveats"]] == ["news_derived", "media_volume", "no_fatalities"]
    assert d["datasets"][0]["caveats"] == ["news_derived", "media_volume", "no_fatalities"]
    csv_path = tmp_path / "arm.csv"
    code, _, _ = run(capsys, "series", "--country", "ARM", "--format", "csv", "--out", str(csv_path), *store)
    lines = csv_path.read_text().splitlines()
    comments = [line for line in lines if line.startswith("# ")]
    assert comments[0].startswith("# Source: The GDELT Project, https://www.gdeltproject.org")
    assert any(line.startswith("# Caveat: News-derived (GDELT)") for line in comments)
    assert lines[len(comments) :] == ["period_start,value", f"{DAY},25.0"]


def test_compare_on_gdelt_carries_the_caveats_too(gdelt):
    d = analysis.compare(
        Filters(country="AM"),
        window=f"{DAY}:{DAY}",
        baseline=f"{DAY}:{DAY}",
        method="exact_poisson",
        store=gdelt,
    ).to_dict()
    assert "news_derived" in [c["key"] for c in d["caveats"]]


def test_per_coverage_divides_by_the_total_records_of_the_same_day(gdelt, capsys, test_data):
    # The totals file is the sample's own total (2,824 records, every row of the 13 November sample),
    # written for this test; GDELT's normfiles/day.csv has the same form with the total of all GDELT.
    totals = test_data / "gdelt2_sample_totals_20201113.csv"
    code, out, _ = run(
        capsys,
        "series",
        "--country",
        "AM",
        "--per-coverage",
        str(totals),
        "--format",
        "json",
        "--store",
        str(gdelt.path),
    )
    d = json.loads(out)
    assert code == 0 and d["points"][0]["value"] == round(25 * 1000 / 2824, 6)
    assert d["normalised"]["unit"] == "events per 1,000 records of all coverage"
    assert d["command"].endswith(f"--per-coverage {totals}")


def test_a_totals_file_with_a_bad_row_stops_with_its_line(gdelt, capsys, test_data):
    code, _, err = run(
        capsys,
        "series",
        "--country",
        "AM",
        "--per-coverage",
        str(test_data / "gdelt_totals_broken.csv"),
        "--store",
        str(gdelt.path),
    )
    assert code == 1 and "gdelt_totals_broken.csv:3: expected a date" in err


def test_a_country_the_gazetteer_does_not_know_is_named_in_the_error(gdelt, capsys):
    code, _, err = run(capsys, "series", "--country", "Atlantis", "--store", str(gdelt.path))
    assert code == 1 and "--country 'Atlantis' matches no country in the selected data" in err


def test_the_events_table_of_gdelt_rows_ends_with_the_caveats(gdelt, capsys):
    code, out, _ = run(capsys, "events", "--country", "AJ", "--limit", "3", "--store", str(gdelt.path))
    assert code == 0
    assert "Caveat: News-derived (GDELT)" in " ".join(out.split())


def test_every_fips_code_of_the_gazetteer_selects_its_country_or_is_refused_as_ambiguous():
    from peacewatch.gazetteer import countries

    ambiguous = 0
    for c in countries():
        for code in c.fips:
            try:
                assert analysis.iso3_of(code) == c.iso3, code
            except IndicatorError as exc:
                ambiguous += 1
                assert f"FIPS 10-4 {code} is" in str(exc) and f"({c.iso3})" in str(exc)
    # Codes that name another country in ISO alpha-2 (AU, AS, BF, ...): never resolved silently.
    assert ambiguous >= 70


def test_an_aggregate_carries_the_aggregate_caveat_and_a_ucdp_candidate_release_its_own(
    tmp_path, data_file, test_data
):
    from peacewatch import schema

    store = Store(tmp_path / "w.duckdb")
    (report,) = store.ingest(
        [data_file("acled_afghanistan_weekly_aggregates/acled_afghanistan_weekly_2017_2024.csv.gz")],
        mapping=test_data / "mapped_acled_afghanistan_weekly.yaml",
    )
    d = analysis.series(Filters(datasets=(report.dataset_id,)), by="week", store=store).to_dict()
    # The weekly table has fatalities (its fields_missing is only admin1): aggregate is its one caveat.
    assert [c["key"] for c in d["caveats"]] == ["aggregate"]
    assert d["caveats"][0]["datasets"] == [report.dataset_id]
    assert schema.dataset_caveats({"version": "GED 24.0.1", "table_name": "events"}) == ("candidate",)
    assert schema.dataset_caveats({"version": "GED 23.1", "table_name": "events"}) == ()
