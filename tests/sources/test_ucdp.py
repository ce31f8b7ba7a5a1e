"""The UCDP GED reader on every UCDP GED file in ../shared/data and on small files written for these tests."""

from __future__ import annotations

import csv
import dataclasses
import gzip
import io
import json
import zipfile
from collections import Counter
from pathlib import Path

import pytest

from peacewatch.errors import SourceError
from peacewatch.sources import ucdp
from peacewatch.sources.detect import probe
from peacewatch.store import Store

SYRIA = "ucdp_ged_syria_2016_2019/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz"
GED191 = "ucdp_ged_191_myanmar_bangladesh/ged191_myanmar_bangladesh_subset.csv.gz"
HDX_BGD = "ucdp_ged_191_myanmar_bangladesh/hdx_conflict_data_BGD_with_hxl.csv.gz"
HDX_QC = "ucdp_ged_191_myanmar_bangladesh/hdx_qc_conflict_data_BGD_with_hxl.csv.gz"
SAMPLE231 = "ucdp_ged_231_global_sample/ucdp_ged_231_sample_1000.csv.gz"
MYANMAR = "ucdp_ged_myanmar_1989_2023/ucdp_ged_myanmar_1989_2023.csv.gz"
CAR = "ucdp_ged_231_central_african_republic/GEDEvent_v23_1_CAR.geojson.gz"
SAMPLE251 = "ucdp_ged_251_random_sample_reduced/ged251_events_sample_9972.json.gz"
AFG310 = "ucdp_ged_afghanistan_selected_310/clean_conflicts_afg.geojson"

# file -> (reader, version, rows_read, rows_ingested, rows_quarantined, rows_duplicate). The real files
# read whole; GED rows whose low estimate is above the high one (58 in Syria, 1 in ged191, 7 in the 23.1
# sample, 5 in Myanmar, 15 in CAR) are real events, kept with the estimates as published.
EXPECTED = {
    SYRIA: ("ucdp_ged.csv", "GED 19.1", 16_566, 16_566, 0, 0),
    GED191: ("ucdp_ged.csv", "GED 19.1", 3_194, 3_194, 0, 0),
    HDX_BGD: ("ucdp_ged.hdx.csv", "GED 19.1", 601, 601, 0, 0),
    SAMPLE231: ("ucdp_ged.csv", "GED 23.1", 1_000, 1_000, 0, 0),
    MYANMAR: ("ucdp_ged.csv", None, 7_374, 7_374, 0, 0),
    CAR: ("ucdp_ged.geojson", "GED 23.1", 1_848, 1_848, 0, 0),
    SAMPLE251: ("ucdp_ged.json", "GED 25.1", 9_972, 9_972, 0, 0),
    AFG310: ("ucdp_ged.geojson", None, 310, 310, 0, 0),
}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, data_file):
    """Ingest a shared file into its own store once per module; returns (store, report)."""
    done: dict[str, tuple[Store, object]] = {}

    def get(relative: str):
        if relative not in done:
            store = Store(tmp_path_factory.mktemp("ucdp") / "s.duckdb")
            done[relative] = (store, store.ingest([data_file(relative)])[0])
        return done[relative]

    return get


def _one(store: Store, sql: str, params=()) -> dict:
    rows = store.query(sql, params).to_pylist()
    assert len(rows) == 1, rows
    return rows[0]


@pytest.mark.parametrize("relative", list(EXPECTED), ids=lambda p: p.split("/")[0])
def test_every_real_ged_file_is_read_with_exact_counts_that_reconcile(ingested, relative):
    store, r = ingested(relative)
    reader, version, read, ok, bad, dup = EXPECTED[relative]
    assert (r.source, r.reader, r.version) == ("ucdp_ged", reader, version)
    assert (r.rows_read, r.rows_ingested, r.rows_quarantined, r.rows_duplicate) == (read, ok, bad, dup)
    assert r.rows_read == r.rows_ingested + r.rows_quarantined + r.rows_duplicate
    assert _one(store, "SELECT count(*) AS n FROM quarantine")["n"] == bad + dup
    assert _one(store, "SELECT count(*) AS n FROM events")["n"] == ok


def test_syria_event_keeps_its_date_sides_estimates_and_place(ingested):
    store, _ = ingested(SYRIA)
    row = _one(store, "SELECT * FROM events WHERE event_id = 'ucdp_ged:214797'")
    assert (row["source_event_id"], row["source_row"]) == ("214797", 1)
    assert (row["date_start"].isoformat(), row["date_end"].isoformat(), row["date_precision"]) == (
        "2016-01-01",
        "2016-01-01",
        "day",
    )
    assert (row["actor1"], row["actor2"]) == ("Government of Syria", "Syrian insurgents")
    assert (row["violence_type"], row["event_type"]) == ("state_based", "battle")
    assert (
        row["fatalities_best"],
        row["fatalities_low"],
        row["fatalities_high"],
        row["civilian_fatalities"],
    ) == (4.0, 4.0, 4.0, 0.0)
    assert (row["admin1"], row["admin2"], row["location"], row["geo_precision"]) == (
        "Homs Governorate",
        "Ar Rastan district",
        "Teir Maaleh village",
        1,
    )
    assert (row["latitude"], row["longitude"], row["country"], row["iso3"]) == (
        34.802462,
        36.707602,
        "Syria",
        "SYR",
    )
    assert row["notes"] == "14 shells hit Dahya al-Assad an clashes continue around Ter Ma’la"
    assert row["source_ref"].startswith('"SOHR,2015-01-01,14 shells')


def test_syria_rows_with_low_above_high_are_kept_as_published(ingested):
    store, _ = ingested(SYRIA)
    row = _one(store, "SELECT * FROM events WHERE event_id = 'ucdp_ged:236249'")
    assert (row["source_row"], row["fatalities_low"], row["fatalities_best"], row["fatalities_high"]) == (
        4023,
        8.0,
        15.0,
        7.0,
    )
    inconsistent = _one(store, "SELECT count(*) AS n FROM events WHERE fatalities_low > fatalities_high")
    assert inconsistent["n"] == 58
    years = store.query(
        "SELECT year(date_start) AS y, count(*) AS n FROM events GROUP BY 1 ORDER BY 1"
    ).to_pylist()
    assert [(r["y"], r["n"]) for r in years] == [(2016, 6170), (2017, 5587), (2018, 2765), (2019, 2044)]


def test_ged191_violence_types_match_the_file_row_for_row(ingested, data_file):
    store, _ = ingested(GED191)
    got = {
        (r["country"], r["violence_type"], r["event_type"]): r["n"]
        for r in store.query(
            "SELECT country, violence_type, event_type, count(*) AS n FROM events GROUP BY ALL"
        ).to_pylist()
    }
    assert got == {
        ("Bangladesh", "state_based", "battle"): 270,
        ("Bangladesh", "non_state", "battle"): 207,
        ("Bangladesh", "one_sided", "violence_against_civilians"): 124,
        ("Myanmar (Burma)", "state_based", "battle"): 1_120,
        ("Myanmar (Burma)", "non_state", "battle"): 77,
        ("Myanmar (Burma)", "one_sided", "violence_against_civilians"): 1_396,
    }
    with gzip.open(data_file(GED191), "rt", encoding="utf-8", newline="") as fh:
        in_file = Counter(r["type_of_violence"] for r in csv.DictReader(fh))
    assert in_file == {"1": 1_390, "2": 284, "3": 1_520}
    isos = store.query("SELECT DISTINCT iso3 FROM events ORDER BY 1").column("iso3").to_pylist()
    assert isos == ["BGD", "MMR"]


def test_date_prec_maps_to_precision_classes_and_keeps_ucdp_windows(ingested):
    store, _ = ingested(GED191)
    rows = store.query("""SELECT date_precision AS p, count(*) AS n, min(date_end - date_start) AS lo,
                          max(date_end - date_start) AS hi FROM events GROUP BY 1 ORDER BY 1""").to_pylist()
    # date_prec 1 -> day, 2 and 3 (2-6 days, the week) -> week, 4 (8-30 days) -> month, 5 -> year.
    assert rows == [
        {"p": "day", "n": 2_623, "lo": 0, "hi": 0},
        {"p": "month", "n": 238, "lo": 7, "hi": 30},
        {"p": "week", "n": 244, "lo": 1, "hi": 6},
        {"p": "year", "n": 89, "lo": 32, "hi": 365},
    ]


def test_hdx_file_skips_its_hxl_row_and_numbers_rows_from_the_first_event(ingested, data_file, with_raw):
    store, r = ingested(HDX_BGD)
    assert any("HXL" in n for n in r.notes)
    first = _one(
        store,
        "SELECT event_id, source_row, iso3, date_start, fatalities_best FROM events WHERE source_row = 1",
    )
    assert (first["event_id"], first["iso3"], first["date_start"].isoformat(), first["fatalities_best"]) == (
        "ucdp_ged:71663",
        "BGD",
        "2013-12-13",
        1.0,
    )
    assert (
        _one(with_raw(store), "SELECT count(*) AS n FROM events_raw WHERE starts_with(raw->>'year', '#')")[
            "n"
        ]
        == 0
    )
    # The same 601 Bangladesh events as in the GED 19.1 file.
    ged, _ = ingested(GED191)
    ids = set(
        ged.query("SELECT source_event_id FROM events WHERE country = 'Bangladesh'")
        .column("source_event_id")
        .to_pylist()
    )
    assert ids == set(store.query("SELECT source_event_id FROM events").column("source_event_id").to_pylist())


def test_hdx_file_with_a_broken_line_keeps_source_rows_in_data_row_numbers(tmp_path, data_file):
    with gzip.open(data_file(HDX_BGD), "rt", encoding="utf-8", newline="") as fh:
        lines = fh.read().splitlines()
    header, tags, first, second, third = lines[:5]
    path = tmp_path / "conflict_data_bgd.csv"
    path.write_text(
        "\n".join([header, tags, first, second.rsplit(",", 3)[0], third]) + "\n", encoding="utf-8"
    )
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([path])[0]
    assert (r.rows_read, r.rows_ingested, r.rows_quarantined) == (3, 2, 1)
    assert store.query("SELECT source_row FROM events ORDER BY 1").column("source_row").to_pylist() == [1, 3]
    row = _one(store, "SELECT source_row, reason FROM quarantine")
    assert row["source_row"] == 2 and "Expected Number of Columns" in row["reason"]


def test_hdx_quality_check_extract_is_refused_with_a_reason_and_the_store_is_untouched(tmp_path, data_file):
    store = Store(tmp_path / "s.duckdb")
    with pytest.raises(SourceError) as info:
        store.ingest([data_file(HDX_QC)])
    message = str(info.value)
    assert "needs the date of each event" in message and "[year, adm_1, best]" in message
    assert "conflict_data_<iso3>.csv" in message
    assert not store.exists()
    assert ucdp.score(probe(data_file(HDX_QC))) == 0.3  # recognised as UCDP via HDX, so the reason is UCDP's


def test_global_23_1_sample_keeps_where_description_and_afghanistan_rows(ingested):
    store, _ = ingested(SAMPLE231)
    row = _one(store, "SELECT * FROM events WHERE event_id = 'ucdp_ged:401115'")
    assert (row["date_start"].isoformat(), row["date_end"].isoformat(), row["date_precision"]) == (
        "2021-05-28",
        "2021-05-29",
        "week",
    )
    assert (row["actor1"], row["actor2"], row["fatalities_best"], row["geo_precision"]) == (
        "Government of Afghanistan",
        "Taleban",
        10.0,
        4,
    )
    assert row["notes"].startswith(
        "More Than Two Hundred Terrorists Perished in Afghanistan; where: Nangarhar"
    )
    afg = store.query(
        "SELECT year(date_start) AS y, count(*) AS n FROM events WHERE iso3 = 'AFG' "
        "AND year(date_start) IN (2019, 2020) GROUP BY 1 ORDER BY 1"
    ).to_pylist()
    assert afg == [{"y": 2019, "n": 12}, {"y": 2020, "n": 11}]  # as PROVENANCE.md counts them


def test_myanmar_file_without_a_named_release_has_no_version_and_says_why(ingested):
    store, r = ingested(MYANMAR)
    assert r.version is None
    assert any("version unknown" in n for n in r.notes)
    span = _one(store, "SELECT min(date_start) AS lo, max(date_end) AS hi FROM events")
    assert (span["lo"].isoformat(), span["hi"].isoformat()) == ("1989-01-01", "2023-12-31")


def test_geojson_takes_coordinates_from_the_point_and_dates_from_iso_datetimes(ingested, with_raw):
    store, r = ingested(CAR)
    assert "latitude" not in r.fields_missing and "longitude" not in r.fields_missing
    row = _one(with_raw(store), "SELECT * FROM events_raw WHERE event_id = 'ucdp_ged:36210'")
    assert (row["latitude"], row["longitude"], row["date_start"].isoformat(), row["date_precision"]) == (
        5.399784,
        26.486881,
        "2009-02-20",
        "day",
    )
    assert (row["actor1"], row["actor2"], row["iso3"]) == ("Government of Uganda", "LRA", "CAF")
    wide = _one(
        store, "SELECT date_start, date_end, date_precision FROM events WHERE event_id = 'ucdp_ged:36211'"
    )
    assert (wide["date_start"].isoformat(), wide["date_end"].isoformat(), wide["date_precision"]) == (
        "2009-08-07",
        "2009-09-10",
        "year",
    )
    assert json.loads(row["raw"])["latitude"] == "5.399784"


def test_reduced_25_1_sample_reads_single_dates_and_reports_what_it_lacks(ingested):
    store, r = ingested(SAMPLE251)
    for field in ("actor1", "actor2", "fatalities_low", "fatalities_high", "admin1", "location", "notes"):
        assert field in r.fields_missing
    for field in ("fatalities_best", "civilian_fatalities", "violence_type", "latitude", "country"):
        assert field not in r.fields_missing
    assert any("overstates" in n for n in r.notes)
    afg = store.query(
        "SELECT year(date_start) AS y, count(*) AS n FROM events WHERE iso3 = 'AFG' GROUP BY 1"
    ).to_pylist()
    by_year = {x["y"]: x["n"] for x in afg}
    assert (sum(by_year.values()), by_year[2019], by_year[2020]) == (1_009, 95, 64)  # as PROVENANCE.md
    kinds = {
        x["violence_type"]: x["n"]
        for x in store.query("SELECT violence_type, count(*) AS n FROM events GROUP BY 1").to_pylist()
    }
    assert kinds == {"state_based": 6_664, "non_state": 1_279, "one_sided": 2_029}


def test_afghanistan_310_extract_lists_every_missing_field_and_types_events_by_side_b(ingested):
    store, r = ingested(AFG310)
    for field in (
        "country",
        "admin1",
        "violence_type",
        "fatalities_best",
        "fatalities_low",
        "fatalities_high",
        "civilian_fatalities",
        "geo_precision",
        "notes",
    ):
        assert field in r.fields_missing
    for field in ("actor1", "actor2", "admin2", "latitude", "longitude", "source_ref", "source_event_id"):
        assert field not in r.fields_missing
    kinds = store.query("SELECT event_type, count(*) AS n FROM events GROUP BY 1").to_pylist()
    assert kinds == [{"event_type": "battle", "n": 310}]  # no side_b is 'Civilians' in this extract
    assert _one(store, "SELECT count(*) AS n FROM events WHERE violence_type IS NOT NULL")["n"] == 0
    row = _one(store, "SELECT * FROM events WHERE event_id = 'ucdp_ged:197861'")
    assert (row["actor1"], row["actor2"], row["admin2"], row["date_precision"]) == (
        "IS",
        "Taleban",
        "Khaki Safed district",
        "week",
    )
    assert (row["latitude"], row["longitude"]) == (32.755167, 62.073124)


def test_broken_rows_are_quarantined_each_with_its_reason_and_counts_reconcile(tmp_path, test_data):
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([test_data / "ucdp_broken.csv"])[0]
    assert (r.rows_read, r.rows_ingested, r.rows_quarantined, r.rows_duplicate) == (11, 3, 7, 1)
    assert r.rows_read == r.rows_ingested + r.rows_quarantined + r.rows_duplicate
    reasons = {
        x["source_row"]: x["reason"]
        for x in store.query("SELECT source_row, reason FROM quarantine").to_pylist()
    }
    assert reasons[2].startswith("date_start: expected a date (%Y-%m-%d), found '2020-02-31'")
    assert reasons[3] == "latitude: expected a number >= -90 and <= 90, found '123'"
    assert reasons[4] == "best: expected a number >= 0, found '-2'"
    assert "Expected Number of Columns: 20 Found: 19" in reasons[5]
    assert 6 not in reasons  # a low estimate above the high one is kept as published
    assert reasons[7] == "type_of_violence: expected 1, 2 or 3, found '4'"
    assert reasons[8] == "date_prec: expected 1, 2, 3, 4 or 5, found '9'"
    assert reasons[9].startswith("duplicate: source id 900001 already read at row 1")
    assert reasons[11] == "best: expected a number >= 0, found 'many'"
    rows = store.query("SELECT source_row, event_type, violence_type, date_precision FROM events ORDER BY 1")
    assert rows.to_pylist() == [
        {"source_row": 1, "event_type": "battle", "violence_type": "state_based", "date_precision": "day"},
        {"source_row": 6, "event_type": "battle", "violence_type": "state_based", "date_precision": "day"},
        {
            "source_row": 10,
            "event_type": "violence_against_civilians",
            "violence_type": "one_sided",
            "date_precision": "month",
        },
    ]


def _sample_lines(data_file, n: int) -> list[str]:
    with gzip.open(data_file(SAMPLE231), "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))[: n + 1]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().splitlines()


def test_zipped_csv_is_read_and_its_release_told_from_the_member_name(tmp_path, data_file):
    path = tmp_path / "download.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ged231.csv", "\n".join(_sample_lines(data_file, 25)) + "\n")
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([path])[0]
    assert (r.reader, r.version, r.rows_read, r.rows_ingested) == ("ucdp_ged.csv", "GED 23.1", 25, 25)
    assert _one(store, "SELECT source_row FROM events WHERE event_id = 'ucdp_ged:300380'")["source_row"] == 1


def _api_record(i: int, **changes) -> dict:
    record = {
        "id": 500000 + i,
        "relid": f"AFG-2019-1-{i}",
        "year": 2019,
        "active_year": True,
        "code_status": "Clear",
        "type_of_violence": 1,
        "conflict_new_id": 333,
        "side_a": "Government of Afghanistan",
        "side_b": "Taleban",
        "where_prec": 1,
        "where_coordinates": "Ghazni town",
        "where_description": "in Ghazni city",
        "adm_1": "Ghazni province",
        "adm_2": "Ghazni district",
        "latitude": 33.55,
        "longitude": 68.42,
        "country": "Afghanistan",
        "date_prec": 1,
        "date_start": f"2019-03-0{i}T00:00:00.000",
        "date_end": f"2019-03-0{i}T00:00:00.000",
        "deaths_a": 1,
        "deaths_b": 2,
        "deaths_civilians": 0,
        "deaths_unknown": 0,
        "best": 3,
        "low": 3,
        "high": 5,
    }
    record.update(changes)
    return record


def test_api_page_is_read_with_its_release_and_says_it_holds_one_page(tmp_path):
    path = tmp_path / "page1.json"
    path.write_text(
        json.dumps(
            {
                "TotalCount": 3,
                "TotalPages": 2,
                "PreviousPageUrl": "",
                "NextPageUrl": "https://ucdpapi.pcr.uu.se/api/gedevents/24.1?pagesize=2&page=1",
                "Result": [_api_record(1), _api_record(2, latitude=-95.0)],
            }
        )
    )
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([path])[0]
    assert (r.reader, r.version) == ("ucdp_ged.api.json", "GED 24.1")
    assert (r.rows_read, r.rows_ingested, r.rows_quarantined) == (2, 1, 1)
    assert any("2 of the 3 events" in n for n in r.notes)
    row = _one(store, "SELECT * FROM events")
    assert (row["event_id"], row["date_start"].isoformat(), row["fatalities_high"], row["iso3"]) == (
        "ucdp_ged:500001",
        "2019-03-01",
        5.0,
        "AFG",
    )
    assert _one(store, "SELECT reason FROM quarantine")["reason"].startswith("latitude: expected a number")


def test_json_list_with_a_record_that_is_not_an_object_quarantines_that_record(tmp_path):
    path = tmp_path / "events.json"
    path.write_text(json.dumps([_api_record(1), 7, _api_record(3)]))
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([path])[0]
    assert (r.reader, r.version, r.rows_read, r.rows_ingested, r.rows_quarantined) == (
        "ucdp_ged.json",
        None,
        3,
        2,
        1,
    )
    row = _one(store, "SELECT source_row, reason FROM quarantine")
    assert row["source_row"] == 2 and row["reason"].startswith("record 2: expected a JSON object, found 7")


@pytest.mark.parametrize(
    ("name", "version"),
    [
        ("ged191.csv", "GED 19.1"),
        ("ged201-csv.zip", "GED 20.1"),
        ("GEDEvent_v23_1.csv", "GED 23.1"),
        ("GEDEvent_v24_0_3.csv", "GED 24.0.3"),
        ("ged251_events.json", "GED 25.1"),
        ("ucdp_ged_2016.csv", None),
        ("conflicts.csv", None),
    ],
)
def test_release_is_told_from_file_names_but_never_from_a_year(tmp_path, name, version):
    path = tmp_path / ("events.csv" if name.endswith(".zip") else name)
    path.write_text("id,date_start,type_of_violence,best\n1,2020-01-01,1,2\n")
    found = probe(Path(path))
    if name.endswith(".zip"):  # as if extracted from the archive: the name of the original is the zip's
        found = dataclasses.replace(found, original=tmp_path / name)
    assert ucdp.plan(found).version == version


def test_a_file_named_for_one_release_with_another_layout_gets_no_version(tmp_path, data_file):
    path = tmp_path / "ged231.csv"
    with gzip.open(data_file(SYRIA), "rt", encoding="utf-8", newline="") as fh:
        path.write_text("".join(next(fh) for _ in range(3)), encoding="utf-8")
    p = ucdp.plan(probe(path))
    assert p.version is None
    assert any("file name says GED 23.1 but the columns are the GED 19.1 layout" in n for n in p.notes)
