"""The GTD reader on the real 2012-2015 subset in ../shared/data and on small files written for the tests."""

from __future__ import annotations

import csv
import gzip
from collections import Counter

import pytest

from peacewatch.sources import gtd
from peacewatch.sources.detect import probe
from peacewatch.store import Store

SUBSET = "gtd_2012_2015_subset/gtd_2012_2015_38cols.csv.gz"


@pytest.fixture(scope="module")
def subset(tmp_path_factory, data_file):
    store = Store(tmp_path_factory.mktemp("gtd") / "s.duckdb")
    return store, store.ingest([data_file(SUBSET)])[0]


def _one(store: Store, sql: str, params=()) -> dict:
    rows = store.query(sql, params).to_pylist()
    assert len(rows) == 1, rows
    return rows[0]


def test_subset_is_read_whole_with_counts_that_reconcile(subset):
    store, r = subset
    assert (r.source, r.reader, r.version, r.table) == ("gtd", "gtd.csv", None, "events")
    assert (r.rows_read, r.rows_ingested, r.rows_quarantined, r.rows_duplicate) == (52_134, 52_134, 0, 0)
    assert _one(store, "SELECT count(*) AS n, count(DISTINCT event_id) AS ids FROM events") == {
        "n": 52_134,
        "ids": 52_134,
    }
    # The subset has no summary or source citation, and GTD codes no UCDP violence type.
    assert set(r.fields_missing) == {"admin2", "violence_type", "civilian_fatalities", "notes", "source_ref"}


def test_afghanistan_rows_per_year_match_provenance(subset):
    store, _ = subset
    rows = store.query(
        "SELECT year(date_start) AS y, count(*) AS n FROM events WHERE iso3 = 'AFG' GROUP BY 1 ORDER BY 1"
    ).to_pylist()
    assert rows == [
        {"y": 2012, "n": 1_469},
        {"y": 2013, "n": 1_441},
        {"y": 2014, "n": 1_820},
        {"y": 2015, "n": 1_926},
    ]


def test_first_incident_keeps_its_id_date_place_group_target_and_deaths(subset):
    store, _ = subset
    row = _one(store, "SELECT * FROM events WHERE event_id = 'gtd:201201010001'")
    assert (
        row["source_event_id"],
        row["source_row"],
        row["date_start"].isoformat(),
        row["date_precision"],
    ) == ("201201010001", 1, "2012-01-01", "day")
    assert (row["country"], row["iso3"], row["admin1"], row["location"]) == (
        "Pakistan",
        "PAK",
        "Balochistan",
        "Quetta",
    )
    assert (row["latitude"], row["longitude"], row["geo_precision"]) == (30.209423, 67.018009, 1)
    assert (row["actor1"], row["actor2"]) == ("Unknown", "Business")
    assert (row["sub_event_type"], row["event_type"]) == ("Bombing/Explosion", "explosion_remote_violence")
    assert (row["fatalities_best"], row["fatalities_low"], row["fatalities_high"]) == (0.0, 0.0, 0.0)


def test_attack_codes_decode_to_codebook_labels_and_event_types(subset, data_file):
    store, _ = subset
    got = {
        (r["sub_event_type"], r["event_type"]): r["n"]
        for r in store.query(
            "SELECT sub_event_type, event_type, count(*) AS n FROM events GROUP BY ALL"
        ).to_pylist()
    }
    assert got == {
        ("Bombing/Explosion", "explosion_remote_violence"): 28_123,
        ("Armed Assault", "battle"): 7_320,
        ("Armed Assault", "violence_against_civilians"): 5_160,
        ("Assassination", "battle"): 985,
        ("Assassination", "violence_against_civilians"): 2_157,
        ("Hostage Taking (Kidnapping)", "violence_against_civilians"): 3_551,
        ("Facility/Infrastructure Attack", "strategic_development"): 2_294,
        ("Unknown", "other"): 2_072,
        ("Unarmed Assault", "violence_against_civilians"): 200,
        ("Hostage Taking (Barricade Incident)", "violence_against_civilians"): 165,
        ("Hijacking", "violence_against_civilians"): 107,
    }
    with gzip.open(data_file(SUBSET), "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    armed = Counter(r["attacktype1"] for r in rows if r["targtype1"] in {"3.0", "4.0", "17.0", "22.0"})
    assert (armed["1.0"], armed["2.0"]) == (985, 7_320)
    # Target type 20 (Unknown) leaves actor2 empty rather than naming an unidentified actor.
    unknown_targets = sum(1 for r in rows if r["targtype1"] == "20.0")
    assert (
        _one(store, "SELECT count(*) AS n FROM events WHERE actor2 IS NULL")["n"] == unknown_targets == 2_622
    )


def test_fractional_deaths_gtd_shares_among_linked_attacks_are_kept(subset, with_raw):
    store, _ = subset
    with_raw(store)
    row = _one(
        store,
        "SELECT fatalities_best, raw->>'nwound' AS nwound FROM events_raw "
        "WHERE event_id = 'gtd:201201010002'",
    )
    assert row == {"fatalities_best": 2.5, "nwound": "14.0"}
    assert _one(store, "SELECT count(*) AS n FROM events WHERE fatalities_best IS NULL")["n"] == 2_387


def test_unknown_days_and_months_widen_the_date_and_bad_rows_are_quarantined(tmp_path, test_data):
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([test_data / "gtd_dates_and_codes.csv"])[0]
    assert (r.rows_read, r.rows_ingested, r.rows_quarantined, r.rows_duplicate) == (9, 5, 4, 0)
    events = {
        e["source_event_id"]: e
        for e in store.query(
            "SELECT source_event_id, date_start, date_end, date_precision, event_type, sub_event_type, "
            "actor2, fatalities_best, notes FROM events"
        ).to_pylist()
    }
    month = events["201503000001"]
    assert (month["date_start"].isoformat(), month["date_end"].isoformat(), month["date_precision"]) == (
        "2015-03-01",
        "2015-03-31",
        "month",
    )
    assert month["notes"] == "A bomb exploded in a market."
    year = events["201500000001"]
    assert (year["date_start"].isoformat(), year["date_end"].isoformat(), year["date_precision"]) == (
        "2015-01-01",
        "2015-12-31",
        "year",
    )
    assert (year["sub_event_type"], year["actor2"], year["event_type"]) == (
        "Armed Assault",
        "Military",
        "battle",
    )
    assert (events["201504040001"]["event_type"], events["201504040001"]["fatalities_best"]) == (
        "violence_against_civilians",
        2.5,
    )
    assert events["201602290001"]["event_type"] == "strategic_development"
    assert events["201602290001"]["date_start"].isoformat() == "2016-02-29"
    kidnap = events["201504060001"]
    assert (kidnap["event_type"], kidnap["fatalities_best"]) == ("violence_against_civilians", None)
    reasons = {
        x["source_row"]: x["reason"]
        for x in store.query("SELECT source_row, reason FROM quarantine").to_pylist()
    }
    assert reasons == {
        3: "iyear/imonth/iday: expected a date (imonth 0 = unknown month, iday 0 = unknown day), "
        "found 2015/2/30",
        4: "attacktype1: expected a GTD attack type code 1..9, found '12'",
        5: "nkill: expected a number >= 0, found '-1'",
        6: "latitude: expected a number >= -90 and <= 90, found '123'",
    }


def test_xlsx_export_reads_like_csv(tmp_path, test_data):
    from openpyxl import Workbook

    wb = Workbook()
    with open(test_data / "gtd_dates_and_codes.csv", encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            wb.active.append(row)
    path = tmp_path / "globalterrorismdb_0718dist.xlsx"
    wb.save(path)
    r = Store(tmp_path / "s.duckdb").ingest([path])[0]
    assert (r.reader, r.version, r.rows_read, r.rows_ingested, r.rows_quarantined) == (
        "gtd.xlsx",
        "GTD 2018-07",
        9,
        5,
        4,
    )


def test_latin1_export_with_labels_and_numeric_country_only_is_read(tmp_path):
    path = tmp_path / "gtd_latin1.csv"
    path.write_bytes(
        "eventid,iyear,imonth,iday,country,city,attacktype1_txt,targtype1_txt,gname,nkill\n"
        "201401010001,2014,1,1,30,São Paulo,Armed Assault,Police,Unknown,1\n"
        "201401020001,2014,1,2,30,Bogotá,Bombing/Explosion,Business,Unknown,0\n".encode("latin-1")
    )
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([path])[0]
    assert (r.rows_read, r.rows_ingested, r.rows_quarantined) == (2, 2, 0)
    assert "country" in r.fields_missing and "iso3" in r.fields_missing
    assert any("Latin-1" in n for n in r.notes) and any("numeric country codes" in n for n in r.notes)
    rows = store.query("SELECT location, event_type, actor2 FROM events ORDER BY source_row").to_pylist()
    assert rows == [
        {"location": "São Paulo", "event_type": "battle", "actor2": "Police"},
        {"location": "Bogotá", "event_type": "explosion_remote_violence", "actor2": "Business"},
    ]


def test_gtd_is_recognised_by_its_columns_and_not_confused_with_ucdp(data_file):
    from peacewatch.sources import ucdp

    found = probe(data_file(SUBSET))
    assert (gtd.score(found), ucdp.score(found)) == (0.95, 0.0)
    ged = probe(data_file("ucdp_ged_231_global_sample/ucdp_ged_231_sample_1000.csv.gz"))
    assert gtd.score(ged) == 0.0
