"""The GDELT reader on the real samples in ../shared/data and on small exports written by these tests."""

from __future__ import annotations

import csv
import json

import pytest

from peacewatch.errors import SourceError
from peacewatch.sources import gdelt
from peacewatch.sources.detect import probe
from peacewatch.store import Store

GDELT1 = "gdelt_samples/gdelt1_events_raw_sample_20160728.tsv"
GDELT2 = "gdelt_samples/gdelt2_events_20201113_relabelled_headers.csv.gz"
MENTIONS = "gdelt_samples/gdelt2_mentions_sample_20170701.csv"
WEEKLY = "acled_afghanistan_weekly_aggregates/acled_afghanistan_weekly_2017_2024.csv.gz"
AFGHAN_ROWS = 19  # located in Afghanistan (ActionGeo_CountryCode AF): 4 in the 1.0 sample, 15 in the 2.0 one


@pytest.fixture(scope="module")
def samples(tmp_path_factory, data_file, with_raw):
    store = Store(tmp_path_factory.mktemp("gdelt") / "s.duckdb")
    one, two = store.ingest([data_file(GDELT1), data_file(GDELT2)])
    return with_raw(store), one, two


def by_type(store, dataset_id):
    rows = store.query(
        "SELECT event_type, count(*) AS n FROM events WHERE dataset_id = ? GROUP BY 1", [dataset_id]
    ).to_pylist()
    return {r["event_type"]: r["n"] for r in rows}


def export_row(event_id, *, version="1.0", day="20200222", code="190", root=None, fips="AF", width=None):
    """One GDELT export row with the fields the reader maps filled in; the rest are empty."""
    names = gdelt.GDELT1_FIELDS if version == "1.0" else gdelt.GDELT2_FIELDS
    values = dict.fromkeys(names, "")
    values.update(
        GLOBALEVENTID=str(event_id),
        SQLDATE=day,
        MonthYear=day[:6],
        Year=day[:4],
        EventCode=code,
        EventBaseCode=code[:3],
        EventRootCode=root or code[:2],
        Actor1Name="TALIBAN",
        Actor2Name="AFGHANISTAN",
        ActionGeo_Type="4",
        ActionGeo_FullName="Lashkar Gah, Helmand, Afghanistan",
        ActionGeo_CountryCode=fips,
        ActionGeo_ADM1Code=f"{fips}10",
        ActionGeo_Lat="31.5938",
        ActionGeo_Long="64.3716",
        DATEADDED="20200222" if version == "1.0" else "20200222120000",
        SOURCEURL=f"https://example.org/{event_id}",
    )
    cells = [values[n] for n in names]
    return "\t".join(cells[: width or len(cells)])


def test_field_orders_match_gdelts_codebooks(data_file):
    for version, fields in (("1", gdelt.GDELT1_FIELDS), ("2", gdelt.GDELT2_FIELDS)):
        with open(
            data_file(f"gdelt_samples/codebook_gdelt{version}_events_columns.csv"), encoding="utf-8"
        ) as fh:
            names = [r["name"] for r in csv.DictReader(fh) if r["type"] in ("INTEGER", "STRING", "FLOAT")]
        assert tuple(names) == fields


def test_gdelt1_raw_export_is_read_whole(samples):
    _, one, _ = samples
    assert (one.source, one.reader, one.version, one.table) == ("gdelt", "gdelt.tsv", "GDELT 1.0", "events")
    assert (one.rows_read, one.rows_ingested, one.rows_quarantined, one.rows_duplicate) == (710, 710, 0, 0)


def test_gdelt1_rows_of_57_and_58_fields_are_both_read(samples):
    store, one, _ = samples
    rows = store.query(
        """SELECT json_extract(raw, '$.field_count')::INT AS fields, count(*) AS n, count(source_ref) AS urls
           FROM events_raw WHERE dataset_id = ? GROUP BY 1 ORDER BY 1""",
        [one.dataset_id],
    ).to_pylist()
    # The 2013 re-adds come without SOURCEURL; the daily rows of 2016-07-28 carry it.
    assert rows == [{"fields": 57, "n": 201, "urls": 0}, {"fields": 58, "n": 509, "urls": 509}]


def test_gdelt_is_news_derived_and_has_no_fatalities(samples):
    store, one, two = samples
    for r in (one, two):
        assert r.news_derived is True
        assert {"fatalities_best", "fatalities_low", "fatalities_high", "violence_type"} <= set(
            r.fields_missing
        )
    flags = store.query("SELECT DISTINCT news_derived FROM datasets").column("news_derived").to_pylist()
    assert flags == [True]


def test_gdelt1_cameo_codes_map_to_canonical_types(samples):
    store, one, _ = samples
    assert by_type(store, one.dataset_id) == {
        "battle": 47,
        "explosion_remote_violence": 2,
        "violence_against_civilians": 7,
        "protest": 7,
        "riot": 1,
        "other": 646,
    }
    violent = store.query(
        """SELECT count(*) AS n FROM events_raw WHERE dataset_id = ?
           AND json_extract_string(raw, '$.EventRootCode') IN ('18', '19', '20')""",
        [one.dataset_id],
    ).to_pylist()[0]["n"]
    assert violent == 56 == 47 + 2 + 7


def test_gdelt2_file_with_wrong_header_names_is_read_by_position(samples):
    _, _, two = samples
    assert (two.reader, two.version) == ("gdelt.csv", "GDELT 2.0")
    assert (two.rows_read, two.rows_ingested, two.rows_quarantined, two.rows_duplicate) == (2824, 2824, 0, 0)
    assert any("read by position" in n and "Confidence" in n for n in two.notes)


def test_gdelt2_row_keeps_place_actors_code_and_url(samples):
    store, _, _ = samples
    row = store.query(
        """SELECT date_start, date_precision, iso3, admin1, location, latitude, longitude, geo_precision,
                  event_type, sub_event_type, actor1, actor2, source_ref, raw
           FROM events_raw WHERE event_id = 'gdelt:954680550'"""
    ).to_pylist()[0]
    raw = json.loads(row.pop("raw"))
    assert str(row.pop("date_start")) == "2020-11-13"
    assert row == {
        "date_precision": "day",
        "iso3": "AFG",
        "admin1": "AF10",
        "location": "Helmand, Helmand, Afghanistan",
        "latitude": 31.0,
        "longitude": 64.0,
        "geo_precision": 5,
        "event_type": "battle",
        "sub_event_type": "190",
        "actor1": "AFGHANISTAN",
        "actor2": "UNITED KINGDOM",
        "source_ref": "https://www.elystandard.co.uk/news/scottys-little-soldiers-remembrance-day-good-morning-"
        "britain-1-6927036",
    }
    # GDELT's names replace the file's wrong ones; the pandas index and Confidence stay in raw.
    assert (raw["column_1"], raw["NumMentions"], raw["Confidence"], raw["ActionGeo_ADM2Code"]) == (
        "0",
        "1",
        "10",
        "3544",
    )


def test_gdelt2_cameo_codes_map_to_canonical_types(samples):
    store, _, two = samples
    assert by_type(store, two.dataset_id) == {
        "battle": 111,
        "explosion_remote_violence": 5,
        "violence_against_civilians": 13,
        "protest": 20,
        "riot": 1,
        "other": 2674,
    }


def test_root_codes_that_lost_their_leading_zero_are_read(samples):
    store, _, two = samples
    short = store.query(
        "SELECT count(*) AS n FROM events_raw WHERE dataset_id = ? AND length(json_extract_string(raw, "
        "'$.EventRootCode')) = 1",
        [two.dataset_id],
    ).to_pylist()[0]["n"]
    assert short == 2278  # roots 01-09, written '1'..'9' by pandas; none was quarantined


def test_quadclass_follows_the_root_code_in_both_samples(samples):
    store, _, _ = samples
    rows = store.query(
        """SELECT DISTINCT lpad(json_extract_string(raw, '$.EventRootCode'), 2, '0') AS root,
                  json_extract_string(raw, '$.QuadClass') AS quad
           FROM events_raw WHERE root >= '14' ORDER BY 1"""
    ).to_pylist()
    # Protest is verbal conflict (3) in GDELT's own files; 15-20 are all material conflict (4).
    assert [(r["root"], r["quad"]) for r in rows] == [("14", "3")] + [(str(r), "4") for r in range(15, 21)]


def test_fips_country_codes_become_iso3(samples):
    store, one, two = samples
    rows = store.query(
        """SELECT dataset_id, json_extract_string(raw, '$.ActionGeo_CountryCode') AS fips, count(*) AS n
           FROM events_raw WHERE iso3 IS NULL GROUP BY ALL ORDER BY ALL"""
    ).to_pylist()
    unresolved = {(r["dataset_id"], r["fips"] or ""): r["n"] for r in rows}
    # Only rows without a location, and 'OS' (GDELT's code for the oceans), have no country.
    assert unresolved == {(one.dataset_id, ""): 16, (two.dataset_id, ""): 4, (two.dataset_id, "OS"): 9}
    afghan = store.query(
        """SELECT count(*) FILTER (iso3 = 'AFG') AS iso3,
                  count(*) FILTER (json_extract_string(raw, '$.ActionGeo_CountryCode') = 'AF') AS fips
           FROM events_raw"""
    ).to_pylist()[0]
    assert afghan == {"iso3": AFGHAN_ROWS, "fips": AFGHAN_ROWS}


def test_afghan_actor_rows_of_the_2020_sample_are_counted_by_position(samples):
    store, _, two = samples
    counts = store.query(
        """SELECT count(*) FILTER (json_extract_string(raw, '$.Actor1Code') = 'AFG') AS code,
                  count(*) FILTER (json_extract_string(raw, '$.Actor1CountryCode') = 'AFG') AS country
           FROM events_raw WHERE dataset_id = ?""",
        [two.dataset_id],
    ).to_pylist()[0]
    # PROVENANCE.md's 33 is the column the file labels Actor_1_Country_Code, which is GDELT's Actor1Code;
    # Actor1CountryCode proper (the 8th GDELT field) has one more row, an actor coded AFG plus a role.
    assert counts == {"code": 33, "country": 34}


def test_rows_without_a_location_get_no_coordinates(samples):
    store, one, _ = samples
    placed = store.query(
        """SELECT count(*) AS n FROM events_raw WHERE dataset_id = ? AND location IS NULL
           AND json_extract_string(raw, '$.ActionGeo_CountryCode') = '' AND latitude IS NOT NULL""",
        [one.dataset_id],
    ).to_pylist()[0]["n"]
    assert placed == 0  # GDELT writes 0, 0 for "no location"; that is not a point in the Gulf of Guinea


def test_mentions_table_is_refused_with_what_it_is_and_what_was_expected(tmp_path, data_file):
    with pytest.raises(SourceError) as err:
        Store(tmp_path / "s.duckdb").ingest([data_file(MENTIONS)])
    message = str(err.value)
    assert "GDELT 2.0 Mentions table" in message and "not an event export" in message
    assert "57 or 58 fields per row (GDELT 1.0) or 61 (GDELT 2.0)" in message
    assert not (tmp_path / "s.duckdb").exists()


def test_other_tables_are_not_taken_for_gdelt(data_file):
    assert gdelt.score(probe(data_file(WEEKLY))) == 0.0


def test_headerless_row_with_a_wrong_field_count_is_quarantined(tmp_path):
    path = tmp_path / "20200222.export.CSV"
    rows = [export_row(1), export_row(2, width=57), export_row(3, width=40), export_row(4)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([path])[0]
    assert (r.version, r.rows_read, r.rows_ingested, r.rows_quarantined) == ("GDELT 1.0", 4, 3, 1)
    bad = store.query("SELECT source_row, reason FROM quarantine").to_pylist()
    assert bad == [
        {"source_row": 3, "reason": "expected 57 or 58 tab-separated fields (GDELT 1.0), found 40"}
    ]


def test_gdelt2_headerless_export_and_its_bad_rows(tmp_path):
    path = tmp_path / "20200222120000.export.CSV"
    rows = [
        export_row(10, version="2.0"),
        export_row(11, version="2.0", day="20200231"),
        export_row(12, version="2.0", code="042", root="99"),
        export_row(13, version="2.0", width=58),
        export_row(14, version="2.0", fips="OS"),
    ]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([path])[0]
    assert (r.version, r.rows_read, r.rows_ingested, r.rows_quarantined) == ("GDELT 2.0", 5, 2, 3)
    reasons = {
        q["source_row"]: q["reason"]
        for q in store.query("SELECT source_row, reason FROM quarantine").to_pylist()
    }
    assert reasons[2] == "SQLDATE: expected a date (%Y%m%d), found '20200231'"
    assert reasons[3] == "EventRootCode: expected a CAMEO root code 01-20, found '99'"
    assert reasons[4].startswith("expected 61 tab-separated fields (GDELT 2.0), found 58")
    iso = store.query("SELECT source_event_id, iso3 FROM events ORDER BY 1").to_pylist()
    assert iso == [{"source_event_id": "10", "iso3": "AFG"}, {"source_event_id": "14", "iso3": None}]


def test_header_of_gdelt_names_is_not_read_as_a_row(tmp_path):
    path = tmp_path / "events_with_header.tsv"
    header = "\t".join(gdelt.GDELT1_FIELDS)
    path.write_text("\n".join([header, export_row(1), export_row(2)]) + "\n", encoding="utf-8")
    r = Store(tmp_path / "s.duckdb").ingest([path])[0]
    assert (r.version, r.reader, r.rows_read, r.rows_ingested) == ("GDELT 1.0", "gdelt.tsv", 2, 2)


CAMEO_EXAMPLES = {
    "141": "protest",
    "145": "riot",
    "1451": "riot",
    "180": "violence_against_civilians",
    "1823": "violence_against_civilians",
    "183": "explosion_remote_violence",
    "1831": "explosion_remote_violence",
    "190": "battle",
    "193": "battle",
    "194": "explosion_remote_violence",
    "195": "explosion_remote_violence",
    "202": "violence_against_civilians",
    "2041": "explosion_remote_violence",
    "173": "other",
    "042": "other",
}


def test_cameo_codes_map_to_canonical_types_one_by_one(tmp_path):
    path = tmp_path / "codes.export.CSV"
    rows = [export_row(i, code=code) for i, code in enumerate(CAMEO_EXAMPLES, start=1)]
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    store = Store(tmp_path / "s.duckdb")
    store.ingest([path])
    found = store.query("SELECT sub_event_type, event_type FROM events").to_pylist()
    assert {r["sub_event_type"]: r["event_type"] for r in found} == CAMEO_EXAMPLES
