"""The ACLED reader on the real exports in ../shared/data and on small files written for these tests."""

from __future__ import annotations

import gzip

import pytest

from peacewatch.store import Store

REDUCED = "acled_afghanistan_events_reduced/acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz"
SOUTH_SUDAN = "acled_south_sudan_events_reduced/acled_south_sudan_reduced.csv.gz"
GLOBAL = "acled_global_sample_2022/acled_sample_2022-01_2022-06_9000_events.csv.gz"
ARGENTINA = "acled_global_sample_2022/acled_argentina_2022-06_326_events.csv.gz"


@pytest.fixture(scope="module")
def reduced_store(tmp_path_factory, data_file):
    store = Store(tmp_path_factory.mktemp("acled") / "s.duckdb")
    report = store.ingest([data_file(REDUCED)])[0]
    return store, report


def test_reduced_afghanistan_export_is_read_whole_without_a_mapping(reduced_store):
    _, r = reduced_store
    assert (r.source, r.reader, r.table) == ("acled", "acled.csv", "events")
    assert (r.rows_read, r.rows_ingested, r.rows_quarantined, r.rows_duplicate) == (69_172, 69_172, 0, 0)


def test_reduced_export_records_what_it_cannot_supply(reduced_store):
    _, r = reduced_store
    for field in ("source_event_id", "actor1", "actor2", "latitude", "longitude", "admin2", "notes"):
        assert field in r.fields_missing
    for field in ("admin1", "fatalities_best", "country"):
        assert field not in r.fields_missing


def test_identical_rows_are_distinct_events_with_distinct_stable_ids(reduced_store, data_file):
    store, _ = reduced_store
    with gzip.open(data_file(REDUCED), "rt", encoding="utf-8") as fh:
        lines = fh.read().splitlines()[1:]
    repeats = len(lines) - len(set(lines))
    assert repeats == 11_911  # as PROVENANCE.md counts them
    ids = store.query("SELECT count(DISTINCT event_id) AS n, count(*) AS rows FROM events").to_pylist()[0]
    assert ids == {"n": 69_172, "rows": 69_172}
    again = Store(store.path.with_name("again.duckdb"))
    again.ingest([data_file(REDUCED)])
    first = set(store.query("SELECT event_id FROM events").column("event_id").to_pylist())
    second = set(again.query("SELECT event_id FROM events").column("event_id").to_pylist())
    assert first == second


def test_synonym_columns_map_to_canonical_fields(reduced_store):
    store, _ = reduced_store
    row = store.query("""SELECT admin1, event_type, fatalities_best, fatalities_low, fatalities_high, iso3
                         FROM events WHERE source_row = 1""").to_pylist()[0]
    assert row == {
        "admin1": "Herat",
        "event_type": "explosion_remote_violence",
        "fatalities_best": 1.0,
        "fatalities_low": 1.0,
        "fatalities_high": 1.0,
        "iso3": "AFG",
    }


def test_reduction_in_violence_week_matches_the_published_daily_counts(reduced_store):
    store, _ = reduced_store
    rows = store.query("""SELECT date_start, count(*) AS n,
                          count(*) FILTER (event_type = 'battle') AS battles,
                          sum(fatalities_best) AS deaths FROM events
                          WHERE date_start BETWEEN DATE '2020-02-22' AND DATE '2020-02-29'
                          GROUP BY 1 ORDER BY 1""").to_pylist()
    assert [r["n"] for r in rows] == [12, 9, 11, 5, 9, 3, 5, 6]
    assert [r["battles"] for r in rows] == [6, 2, 5, 1, 4, 0, 1, 2]
    assert sum(r["deaths"] for r in rows) == 95


def test_south_sudan_reduced_export(tmp_path, data_file):
    r = Store(tmp_path / "s.duckdb").ingest([data_file(SOUTH_SUDAN)])[0]
    assert (r.rows_read, r.rows_ingested, r.rows_quarantined) == (17_077, 17_077, 0)


def test_full_schema_export_keeps_ids_actors_and_coordinates(tmp_path, data_file):
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([data_file(GLOBAL)])[0]
    assert (r.rows_read, r.rows_ingested, r.rows_quarantined, r.rows_duplicate) == (9_000, 9_000, 0, 0)
    assert "actor1" not in r.fields_missing and "source_event_id" not in r.fields_missing
    row = store.query("SELECT * FROM events WHERE event_id = 'acled:UGA7752'").to_pylist()[0]
    assert row["date_start"].isoformat() == "2022-02-23"
    assert (row["event_type"], row["sub_event_type"]) == ("riot", "Mob violence")
    assert (row["actor1"], row["admin2"], row["latitude"], row["longitude"]) == (
        "Rioters (Uganda)",
        "Oyam",
        2.44,
        32.3894,
    )
    assert row["iso3"] == "UGA"
    afg = store.query("SELECT count(*) AS n FROM events WHERE iso3 = 'AFG'").to_pylist()[0]["n"]
    assert afg == 105


def test_argentina_sample(tmp_path, data_file):
    r = Store(tmp_path / "s.duckdb").ingest([data_file(ARGENTINA)])[0]
    assert (r.rows_read, r.rows_ingested) == (326, 326)


def test_broken_rows_are_quarantined_with_reasons_and_counts_reconcile(tmp_path, test_data):
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([test_data / "acled_broken.csv"])[0]
    assert (r.rows_read, r.rows_ingested, r.rows_quarantined, r.rows_duplicate) == (7, 2, 4, 1)
    rows = store.query("SELECT source_row, reason FROM quarantine ORDER BY 1").to_pylist()
    reasons = {x["source_row"]: x["reason"] for x in rows}
    assert "event_date" in reasons[2] and "'2020-02-31'" in reasons[2]
    assert "latitude" in reasons[3]
    assert "fatalities" in reasons[4]
    assert "Expected Number of Columns: 29 Found: 19" in reasons[5]
    assert reasons[6].startswith("duplicate: source id AFG2001")
    rows = store.query("SELECT source_row FROM events ORDER BY 1").column("source_row").to_pylist()
    assert rows == [1, 7]


def test_xlsx_export_reads_like_csv(tmp_path, test_data):
    import csv

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    with open(test_data / "acled_release_a.csv", encoding="utf-8") as fh:
        for row in csv.reader(fh):
            ws.append(row)
    path = tmp_path / "acled.xlsx"
    wb.save(path)
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([path])[0]
    assert (r.reader, r.rows_read, r.rows_ingested) == ("acled.xlsx", 5, 5)
    keys = store.query("SELECT actor1_keys FROM events WHERE event_id = 'acled:AFG1001'").to_pylist()[0]
    assert keys["actor1_keys"] == ["taliban"]
