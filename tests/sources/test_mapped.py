"""Mapped tables: the weekly ACLED aggregate (wide, unpivoted) and small sheets written for these tests."""

from __future__ import annotations

import csv
import gzip
import json
import re
from collections import Counter
from textwrap import dedent

import pytest

from peacewatch.errors import MappingError
from peacewatch.sources import mapped
from peacewatch.sources.detect import probe
from peacewatch.store import Store

WEEKLY = "acled_afghanistan_weekly_aggregates/acled_afghanistan_weekly_2017_2024.csv.gz"
WEEKS = 415
SUB_EVENT_COLUMNS = 25  # "EventType_SubEventType" columns, each with a "Fatalities_SubEventType" partner
EMPTY_WEEKS = 12  # 2024-09-27 .. 2024-12-13: the file has dates but no counts
TYPES = (
    "Battles",
    "Explosions/Remote violence",
    "Violence against civilians",
    "Protests",
    "Riots",
    "Strategic developments",
)
SUB_EVENT_PATTERN = f"({'|'.join(TYPES)})_(.+)"


@pytest.fixture(scope="module")
def weekly(tmp_path_factory, data_file, test_data):
    store = Store(tmp_path_factory.mktemp("weekly") / "s.duckdb")
    report = store.ingest([data_file(WEEKLY)], mapping=test_data / "mapped_acled_afghanistan_weekly.yaml")[0]
    return store, report


@pytest.fixture(scope="module")
def wide(data_file):
    with gzip.open(data_file(WEEKLY), "rt", encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def test_weekly_wide_table_becomes_one_count_row_per_week_and_sub_event(weekly):
    _, r = weekly
    assert (r.source, r.reader, r.table, r.version) == (
        "mapped:acled_afghanistan_weekly",
        "mapped.csv",
        "counts",
        "macisluca/afg_demo a38a837",
    )
    assert r.rows_read == WEEKS * SUB_EVENT_COLUMNS == 10_375
    assert (r.rows_ingested, r.rows_quarantined, r.rows_duplicate) == (
        (WEEKS - EMPTY_WEEKS) * SUB_EVENT_COLUMNS,
        EMPTY_WEEKS * SUB_EVENT_COLUMNS,
        0,
    )
    assert r.fields_missing == ("admin1",)


def test_reduction_in_violence_week_has_19_armed_clashes_between_151_and_140(weekly):
    store, _ = weekly
    rows = store.query(
        """SELECT period_start, period_end, events FROM counts WHERE sub_event_type = 'Armed clash'
           AND period_end BETWEEN DATE '2020-02-21' AND DATE '2020-03-06' ORDER BY 1"""
    ).to_pylist()
    assert [(str(r["period_start"]), str(r["period_end"]), r["events"]) for r in rows] == [
        ("2020-02-15", "2020-02-21", 151.0),
        ("2020-02-22", "2020-02-28", 19.0),
        ("2020-02-29", "2020-03-06", 140.0),
    ]


def test_weeks_end_on_the_labelled_friday_and_last_seven_days(weekly):
    store, _ = weekly
    spans = store.query(
        """SELECT DISTINCT datediff('day', period_start, period_end) AS days, dayofweek(period_end) AS dow
           FROM counts"""
    ).to_pylist()
    assert spans == [{"days": 6, "dow": 5}]


def test_totals_reconcile_with_the_wide_files_column_sums(weekly, wide):
    store, _ = weekly
    events, deaths = Counter(), Counter()
    for row in wide:
        for col, value in row.items():
            m = re.fullmatch(SUB_EVENT_PATTERN, col)
            if m and value:
                events[m.group(2)] += float(value)
                deaths[m.group(2)] += float(row[f"Fatalities_{m.group(2)}"])
    assert len(events) == SUB_EVENT_COLUMNS
    rows = store.query("SELECT sub_event_type, sum(events) AS e, sum(fatalities) AS f FROM counts GROUP BY 1")
    loaded = {r["sub_event_type"]: (r["e"], r["f"]) for r in rows.to_pylist()}
    assert loaded == {k: (events[k], deaths[k]) for k in events}
    assert sum(events.values()) == 66_460


def test_event_types_come_from_the_column_name_prefix(weekly):
    store, _ = weekly
    rows = store.query(
        "SELECT event_type, count(DISTINCT sub_event_type) AS subs, sum(events) AS n FROM counts GROUP BY 1"
    ).to_pylist()
    assert {r["event_type"]: (r["subs"], r["n"]) for r in rows} == {
        "battle": (3, 40_800.0),
        "explosion_remote_violence": (6, 17_358.0),
        "protest": (3, 1_315.0),
        "riot": (2, 141.0),
        "strategic_development": (8, 2_563.0),
        "violence_against_civilians": (3, 4_283.0),
    }


def test_empty_weeks_are_quarantined_not_counted_as_zero(weekly, wide):
    store, r = weekly
    rows = store.query(
        """SELECT json_extract_string(raw, '$.event_date') AS week, count(*) AS n, min(reason) AS reason
           FROM quarantine WHERE dataset_id = ? GROUP BY 1 ORDER BY 1""",
        [r.dataset_id],
    ).to_pylist()
    assert [x["week"] for x in rows] == [
        "2024-09-27",
        "2024-10-04",
        "2024-10-11",
        "2024-10-18",
        "2024-10-25",
        "2024-11-01",
        "2024-11-08",
        "2024-11-15",
        "2024-11-22",
        "2024-11-29",
        "2024-12-06",
        "2024-12-13",
    ]
    assert {x["n"] for x in rows} == {SUB_EVENT_COLUMNS}
    assert rows[0]["reason"].startswith(
        "no count: expected a number in n_events or n_fatalities (unpivoted from "
    )
    zeros = store.query("SELECT count(*) AS n FROM counts WHERE events = 0").to_pylist()[0]["n"]
    matched = [c for c in wide[0] if re.fullmatch(SUB_EVENT_PATTERN, c)]
    assert zeros == sum(1 for row in wide for c in matched if row[c] and float(row[c]) == 0) == 5_871


def test_count_rows_are_numbered_file_row_by_matched_column(weekly):
    store, _ = weekly
    row = store.query(
        """SELECT source_row FROM counts
           WHERE period_end = DATE '2020-02-28' AND sub_event_type = 'Armed clash'"""
    ).to_pylist()[0]
    # The week ending 2020-02-28 is data row 165; Armed clash is the first of the 25 matched columns.
    assert row["source_row"] == (165 - 1) * SUB_EVENT_COLUMNS + 1


def test_analyst_sheet_loads_as_events_with_unreadable_rows_quarantined(tmp_path, test_data):
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([test_data / "mapped_incidents.csv"], mapping=test_data / "mapped_incidents.yaml")[0]
    assert (r.source, r.table, r.version) == ("mapped:district_incidents", "events", "sheet of 2020-03-01")
    assert (r.rows_read, r.rows_ingested, r.rows_quarantined, r.rows_duplicate) == (7, 4, 3, 0)
    reasons = {q["source_row"]: q["reason"] for q in store.query("SELECT * FROM quarantine").to_pylist()}
    assert reasons == {
        4: "incident_type: expected a value listed in event_type.map (mapped_incidents.yaml:17) or a "
        "canonical type, found 'Kidnap'",
        5: "Date: expected a date (%d/%m/%Y), found '31/02/2020'",
        6: "Killed: expected a number >= 0, found 'unknown'",
    }


def test_analyst_sheet_fields_land_in_the_canonical_columns(tmp_path, test_data):
    store = Store(tmp_path / "s.duckdb")
    store.ingest([test_data / "mapped_incidents.csv"], mapping=test_data / "mapped_incidents.yaml")
    rows = store.query(
        """SELECT event_id, source_row, strftime(date_start, '%Y-%m-%d') AS day, date_precision,
                  country, iso3, admin1, admin2, event_type, sub_event_type, actor1, actor2,
                  fatalities_best, fatalities_high, notes FROM events ORDER BY source_row"""
    ).to_pylist()
    assert [r["event_type"] for r in rows] == ["battle", "explosion_remote_violence", "protest", "battle"]
    assert rows[0] == {
        "event_id": "mapped:district_incidents:AF-001",
        "source_row": 1,
        "day": "2020-02-22",
        "date_precision": "day",
        "country": "Afghanistan",
        "iso3": "AFG",
        "admin1": "Helmand",
        "admin2": "Nad Ali",
        "event_type": "battle",
        "sub_event_type": "Armed clash",
        "actor1": "Taliban",
        "actor2": "ANA",
        "fatalities_best": 3.0,
        "fatalities_high": 3.0,
        "notes": "clash near a checkpoint",
    }
    assert rows[3]["sub_event_type"] == "armed CLASH"  # matched to the map ignoring case, kept verbatim


def test_the_same_sheet_as_xlsx_gives_the_same_events(tmp_path, test_data):
    from openpyxl import Workbook

    book = Workbook()
    with open(test_data / "mapped_incidents.csv", encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            book.active.append(row)
    path = tmp_path / "incidents.xlsx"
    book.save(path)
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([path], mapping=test_data / "mapped_incidents.yaml")[0]
    assert (r.reader, r.rows_read, r.rows_ingested, r.rows_quarantined) == ("mapped.xlsx", 7, 4, 3)
    ids = store.query("SELECT source_event_id FROM events ORDER BY 1").column("source_event_id").to_pylist()
    assert ids == ["AF-001", "AF-002", "AF-003", "AF-007"]


def test_monthly_periods_start_on_the_labelled_month(tmp_path, test_data):
    store = Store(tmp_path / "s.duckdb")
    r = store.ingest([test_data / "mapped_monthly.csv"], mapping=test_data / "mapped_monthly.yaml")[0]
    assert (r.rows_read, r.rows_ingested, r.rows_quarantined) == (3, 2, 1)
    rows = store.query(
        "SELECT strftime(period_start, '%Y-%m-%d') AS s, strftime(period_end, '%Y-%m-%d') AS e, iso3, "
        "events, fatalities FROM counts ORDER BY source_row"
    ).to_pylist()
    assert rows == [
        {"s": "2020-01-01", "e": "2020-01-31", "iso3": "AFG", "events": 40.0, "fatalities": 61.0},
        {"s": "2020-02-01", "e": "2020-02-29", "iso3": "AFG", "events": 25.0, "fatalities": None},
    ]
    reason = store.query("SELECT reason FROM quarantine").column("reason").to_pylist()
    assert reason == ["no count: expected a number in incidents or deaths, found an empty value"]


def test_the_ingest_report_names_the_mapping_and_its_digest(weekly, test_data):
    _, r = weekly
    assert any(
        str(test_data / "mapped_acled_afghanistan_weekly.yaml") in n and "sha256" in n for n in r.notes
    )


BROKEN = [
    (
        "mapped_broken_column.yaml",
        "mapped_incidents.csv",
        6,
        "columns.admin1: expected a column of mapped_incidents.csv, found 'Provence'; "
        "did you mean 'Province'?",
    ),
    (
        "mapped_broken_event_type.yaml",
        "mapped_incidents.csv",
        9,
        "columns.event_type.map.Armed clash: expected one of battle, explosion_remote_violence, "
        "violence_against_civilians, protest, riot, strategic_development, other, found 'battles'; "
        "did you mean 'battle'?",
    ),
    ("mapped_broken_field.yaml", "mapped_incidents.csv", 6, "found 'admin_1'; did you mean 'admin1'?"),
    (
        "mapped_broken_yaml.yaml",
        "mapped_incidents.csv",
        5,
        "expected valid YAML, found an error: mapping values are not allowed here.",
    ),
    (
        "mapped_broken_period.yaml",
        "mapped_monthly.csv",
        4,
        "columns.period.length: expected a length such as '7 days', '1 week' or '1 month', "
        "found 'one month'.",
    ),
    (
        "mapped_broken_missing_type.yaml",
        "mapped_incidents.csv",
        4,
        "columns: expected an event_type entry (a column with a map, or {value: other}), found none.",
    ),
]


@pytest.mark.parametrize(("mapping", "table", "line", "message"), BROKEN, ids=[b[0] for b in BROKEN])
def test_broken_mapping_names_the_file_line_and_the_problem(test_data, mapping, table, line, message):
    with pytest.raises(MappingError) as err:
        mapped.plan(probe(test_data / table), test_data / mapping)
    first = str(err.value).splitlines()[0]
    assert first.startswith(f"{test_data / mapping}:{line}: ")
    assert message in first


def test_unpivot_partner_that_is_missing_is_named_with_the_closest_column(test_data, data_file):
    with pytest.raises(MappingError) as err:
        mapped.plan(probe(data_file(WEEKLY)), test_data / "mapped_broken_unpivot_pair.yaml")
    assert str(err.value).startswith(
        f"{test_data / 'mapped_broken_unpivot_pair.yaml'}:12: unpivot.with.n_deaths: expected a column to "
        "pair with 'Battles_Armed clash', found 'Fatality_Armed clash'; "
        "did you mean 'Fatalities_Armed clash'?"
    )


def test_every_problem_of_a_mapping_is_reported_at_once(test_data):
    path = test_data / "mapped_broken_several.yaml"
    with pytest.raises(MappingError) as err:
        mapped.plan(probe(test_data / "mapped_incidents.csv"), path)
    lines = str(err.value).splitlines()
    assert lines[0] == f"{path}: 4 problems in the mapping:"
    assert [re.match(rf"  {re.escape(str(path))}:(\d+): ", x).group(1) for x in lines[1:5]] == [
        "1",
        "2",
        "4",
        "5",
    ]
    assert "found 'event'; did you mean 'events'?" in lines[2]
    assert "found 'Datum'; did you mean 'Date'?" in lines[3]


def test_a_failed_mapping_leaves_no_store_behind(tmp_path, test_data):
    with pytest.raises(MappingError):
        Store(tmp_path / "s.duckdb").ingest(
            [test_data / "mapped_incidents.csv"], mapping=test_data / "mapped_broken_column.yaml"
        )
    assert not (tmp_path / "s.duckdb").exists()


def test_raw_of_an_unpivoted_row_names_its_file_row_and_column(weekly):
    store, _ = weekly
    raw = store.query(
        """SELECT q.raw FROM quarantine q WHERE q.source_row = (SELECT min(source_row) FROM quarantine)"""
    ).to_pylist()[0]["raw"]
    row = json.loads(raw)
    assert (row["file_row"], row["source_column"], row["event_date"]) == (
        404,
        "Battles_Armed clash",
        "2024-09-27",
    )


def test_dates_known_to_the_month_or_a_range_span_their_days(tmp_path):
    sheet = tmp_path / "log.csv"
    sheet.write_text(
        "no,month,from,to,what,side,killed\n"
        "1,2020-02,,,clash,state,2\n"
        "2,,2020-02-27,2020-03-02,clash,state,1\n"
        "3,,2020-03-05,2020-03-05,protest,,0\n"
        "3,,2020-03-06,2020-03-06,protest,,0\n",
        encoding="utf-8",
    )
    by_month = tmp_path / "by_month.yaml"
    by_month.write_text(
        dedent("""\
            name: log
            table: events
            columns:
              id: no                 # YAML would read a bare no as false; column names are taken as written
              date: {column: month, format: '%Y-%m', precision: month}
              event_type: {column: what, map: {clash: battle}, default: other}
              violence_type: {column: side, map: {state: state_based}, default: non_state}
            """),
        encoding="utf-8",
    )
    by_range = tmp_path / "by_range.yaml"
    by_range.write_text(
        dedent("""\
            name: log
            table: events
            news_derived: true
            columns:
              id: no
              date_start: from
              date_end: to
              event_type: {column: what, map: {clash: battle}}
              fatalities_best: killed
            """),
        encoding="utf-8",
    )
    store = Store(tmp_path / "month.duckdb")
    r = store.ingest([sheet], mapping=by_month)[0]
    assert (r.rows_ingested, r.rows_quarantined) == (1, 3)  # rows 2-4 have no month
    row = store.query("SELECT date_start, date_end, date_precision, violence_type FROM events").to_pylist()[0]
    assert (str(row["date_start"]), str(row["date_end"]), row["date_precision"], row["violence_type"]) == (
        "2020-02-01",
        "2020-02-29",
        "month",
        "state_based",
    )
    store = Store(tmp_path / "range.duckdb")
    r = store.ingest([sheet], mapping=by_range)[0]
    assert (r.news_derived, r.rows_read, r.rows_ingested, r.rows_quarantined, r.rows_duplicate) == (
        True,
        4,
        2,
        1,
        1,
    )
    rows = store.query("SELECT source_row, date_precision, event_type FROM events ORDER BY 1").to_pylist()
    assert rows == [
        {"source_row": 2, "date_precision": "range", "event_type": "battle"},
        {"source_row": 3, "date_precision": "day", "event_type": "protest"},
    ]
