"""Every country name and code in the real files under ../shared/data resolves."""

from __future__ import annotations

import csv
import gzip
import json

import pytest

from peacewatch.gazetteer import iso3_for, iso3_for_fips, iso3_for_numeric, resolve_countries

# file -> the column holding the country name
CSV_COUNTRY_COLUMNS = {
    "ucdp_ged_syria_2016_2019/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz": "country",
    "ucdp_ged_191_myanmar_bangladesh/ged191_myanmar_bangladesh_subset.csv.gz": "country",
    "ucdp_ged_231_global_sample/ucdp_ged_231_sample_1000.csv.gz": "country",
    "ucdp_ged_myanmar_1989_2023/ucdp_ged_myanmar_1989_2023.csv.gz": "country",
    "acled_global_sample_2022/acled_sample_2022-01_2022-06_9000_events.csv.gz": "country",
    "acled_global_sample_2022/acled_argentina_2022-06_326_events.csv.gz": "country",
    "acled_afghanistan_events_reduced/acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz": "country",
    "acled_south_sudan_events_reduced/acled_south_sudan_reduced.csv.gz": "country",
    "acled_afghanistan_weekly_aggregates/acled_afghanistan_weekly_2017_2024.csv.gz": "country",
    "gtd_2012_2015_subset/gtd_2012_2015_38cols.csv.gz": "country_txt",
}


def _csv_rows(path):
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        yield from csv.DictReader(f)


@pytest.mark.parametrize("relative", sorted(CSV_COUNTRY_COLUMNS))
def test_every_country_name_of_a_csv_file_resolves(data_file, relative):
    column = CSV_COUNTRY_COLUMNS[relative]
    names = {r[column] for r in _csv_rows(data_file(relative))}
    unresolved = sorted(n for n, iso3 in resolve_countries(names).items() if iso3 is None)
    assert not unresolved


def test_every_country_name_of_the_ged_json_and_geojson_files_resolves(data_file):
    with gzip.open(data_file("ucdp_ged_251_random_sample_reduced/ged251_events_sample_9972.json.gz")) as f:
        sample = json.load(f)
    with gzip.open(data_file("ucdp_ged_231_central_african_republic/GEDEvent_v23_1_CAR.geojson.gz")) as f:
        car = json.load(f)
    names = {r["country"] for r in sample} | {f["properties"]["country"] for f in car["features"]}
    assert len(names) == 97
    assert all(resolve_countries(names).values())


def test_gtd_names_every_country_of_its_130(data_file):
    rows = _csv_rows(data_file("gtd_2012_2015_subset/gtd_2012_2015_38cols.csv.gz"))
    names = {r["country_txt"] for r in rows}
    assert len(names) == 130
    assert len({iso3_for(n) for n in names}) == 130


def test_acled_numeric_codes_agree_with_acled_country_names(data_file):
    rows = _csv_rows(data_file("acled_global_sample_2022/acled_sample_2022-01_2022-06_9000_events.csv.gz"))
    disagree = {
        (r["iso"], r["country"]) for r in rows if iso3_for_numeric(r["iso"]) != iso3_for(r["country"])
    }
    assert disagree == {("0.0", "Kosovo")}  # ACLED's 0 for Kosovo has no ISO number


def test_termination_data_locations_resolve(data_file):
    rows = _csv_rows(data_file("ucdp_peace_agreements_221/ucdp-term-dyad-3-2021.csv.gz"))
    locations = {part for r in rows for part in r["location"].split(", ")}
    assert all(resolve_countries(locations).values())


def test_gdelt_fips_geography_codes_resolve(data_file):
    # GDELT 1.0 raw export, by position: Actor1Geo_CountryCode (37), Actor2Geo_CountryCode (44) and
    # ActionGeo_CountryCode (51).
    path = data_file("gdelt_samples/gdelt1_events_raw_sample_20160728.tsv")
    with path.open(encoding="utf-8", newline="") as f:
        codes = {row[i] for row in csv.reader(f, delimiter="\t") for i in (37, 44, 51)} - {""}
    unresolved = {c for c in codes if iso3_for_fips(c) is None}
    assert len(codes) > 90
    assert unresolved == set()


def test_gdelt_cameo_actor_country_codes_are_iso3(data_file):
    path = data_file("gdelt_samples/gdelt1_events_raw_sample_20160728.tsv")
    with path.open(encoding="utf-8", newline="") as f:
        codes = {row[i] for row in csv.reader(f, delimiter="\t") for i in (7, 17)} - {""}
    # CAMEO also has regional codes (AFR, EUR, WST, ...) that are not countries.
    regional = {c for c in codes if iso3_for(c) is None}
    cameo_regions = {
        "AFR",
        "ASA",
        "BLK",
        "CAS",
        "CAU",
        "CFR",
        "CRB",
        "EAF",
        "EEU",
        "EIN",
        "EUR",
        "LAM",
        "MEA",
        "MDT",
        "NAF",
        "NMR",
        "PGS",
        "SAF",
        "SAM",
        "SAS",
        "SEA",
        "SCN",
        "WAF",
        "WST",
    }
    assert codes - regional and regional <= cameo_regions
