"""Files that would change numbers silently: truncated streams, a file given twice, non-finite numbers
and sentinel dates, each made from a real file of ../shared/data (issue 10, items 1-4)."""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import shutil
import zipfile
from datetime import date
from pathlib import Path

import pytest

from peacewatch.cli.app import main
from peacewatch.errors import IngestError, SourceError
from peacewatch.store import Store

SYRIA = "ucdp_ged_syria_2016_2019/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz"
SYRIA_ROWS = 16_566


def _digest(path: Path) -> str:
    """What the store holds: its snapshots (a failed ingest commits none) and the catalog."""
    s = Store(path)
    return hashlib.sha256(repr((s.snapshots(), s.datasets())).encode()).hexdigest()


def _rows(path: Path) -> list[list[str]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def _write(path: Path, rows: list[list[str]]) -> Path:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "wt", encoding="utf-8", newline="") as fh:
        fh.write(out.getvalue())
    return path


@pytest.fixture(scope="module")
def syria_store_file(tmp_path_factory, data_file) -> Path:
    """A store holding the complete Syria file, to copy per test."""
    store = Store(tmp_path_factory.mktemp("syria-full") / "s.duckdb")
    store.ingest([data_file(SYRIA)])
    return store.path


def _copy_store(src: Path, tmp_path: Path) -> Store:
    target = tmp_path / "s.duckdb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copytree(src, target)
    return Store(target)


# -- 1. streams that end early ---------------------------------------------------------------------


@pytest.mark.parametrize("keep", [0.5, 0.999])
def test_a_truncated_csv_gz_is_refused_and_the_store_is_left_as_it_was(
    tmp_path, data_file, syria_store_file, keep
):
    original = data_file(SYRIA).read_bytes()
    # Same name as the complete file: before the fix it superseded 37,259 rows of it, silently.
    cut = tmp_path / "cut" / data_file(SYRIA).name
    cut.parent.mkdir()
    cut.write_bytes(original[: int(len(original) * keep)])
    store = _copy_store(syria_store_file, tmp_path)
    before = _digest(store.path)
    with pytest.raises(IngestError, match="ends early"):
        store.ingest([cut])
    assert _digest(store.path) == before
    assert [d["rows_ingested"] for d in store.datasets()] == [SYRIA_ROWS]


def test_a_gzip_stream_with_a_corrupt_block_is_refused(tmp_path, data_file):
    data = bytearray(data_file(SYRIA).read_bytes())
    data[5000] ^= 0xFF
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(bytes(data))
    with pytest.raises(IngestError, match="corrupt data"):
        Store(tmp_path / "s.duckdb").ingest([bad])
    assert not (tmp_path / "s.duckdb").exists()


def test_a_gzip_file_of_several_members_is_read_whole(tmp_path, data_file):
    rows = _rows(data_file(SYRIA))
    joined = tmp_path / "ged191_two_members.csv.gz"
    head, tail = io.StringIO(), io.StringIO()
    csv.writer(head, lineterminator="\n").writerows(rows[:1001])
    csv.writer(tail, lineterminator="\n").writerows(rows[1001:2001])
    joined.write_bytes(gzip.compress(head.getvalue().encode()) + gzip.compress(tail.getvalue().encode()))
    report = Store(tmp_path / "s.duckdb").ingest([joined])[0]
    assert (report.rows_read, report.rows_ingested) == (2000, 2000)


def test_a_truncated_zip_is_a_source_error(tmp_path, data_file):
    packed = tmp_path / "ged191.zip"
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("ged191.csv", gzip.decompress(data_file(SYRIA).read_bytes()))
    data = packed.read_bytes()
    packed.write_bytes(data[: len(data) // 2])
    with pytest.raises(SourceError, match="zip"):
        Store(tmp_path / "s.duckdb").ingest([packed])


def test_superseding_is_reported_in_the_table_and_the_json(tmp_path, data_file, syria_store_file, capsys):
    store = _copy_store(syria_store_file, tmp_path)
    part = _write(tmp_path / "ged191_first_1000.csv.gz", _rows(data_file(SYRIA))[:1001])
    code = main(["ingest", "--store", str(store.path), "--json", str(part)])
    out = json.loads(capsys.readouterr().out)[0]
    assert code == 0 and out["rows_superseded"] == 1000
    assert any(
        "superseded 1,000 rows of dataset ucdp-ged-syria-2016-01-01-2019-11-30" in n for n in out["notes"]
    )
    other = _copy_store(syria_store_file, tmp_path / "again")
    code = main(["ingest", "--store", str(other.path), str(part)])
    table = capsys.readouterr().out
    assert code == 0 and "superseded 1,000 rows of dataset" in table and "superse" in table.splitlines()[3]


# -- 2. the same file twice in one ingest ----------------------------------------------------------


def test_the_same_file_given_twice_in_one_ingest_is_counted_once(tmp_path, data_file):
    store = Store(tmp_path / "s.duckdb")
    copy = tmp_path / "copy.csv.gz"
    copy.write_bytes(data_file(SYRIA).read_bytes())
    reports = store.ingest([data_file(SYRIA), data_file(SYRIA), copy])
    assert [r.status for r in reports] == ["ingested", "unchanged", "unchanged"]
    assert {r.dataset_id for r in reports} == {"ucdp-ged-syria-2016-01-01-2019-11-30"}
    assert "given earlier in this ingest" in reports[2].notes[0]
    assert len(store.datasets()) == 1
    current = store.query("SELECT count(*) AS n FROM events").to_pylist()
    assert current[0]["n"] == SYRIA_ROWS


# -- 3. and 4. non-finite numbers and implausible dates ---------------------------------------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory, data_file):
    rows = _rows(data_file(SYRIA))
    h = rows[0]
    edits = {
        1: ("best", "NaN"),
        2: ("best", "Infinity"),
        3: ("best", "1e309"),
        4: ("latitude", "nan"),
        5: ("low", "-inf"),
        6: ("date_start", "0001-01-01"),
        7: ("date_end", "9999-12-31"),
        8: ("date_start", "2020-02-03 junk"),
        9: ("date_start", "2020-02-29T25:61:00"),
        10: ("date_start", "1945-12-31"),
    }
    for row, (column, value) in edits.items():
        rows[row][h.index(column)] = value
    rows[11][h.index("date_start")] += " 10:30:00"  # a valid time after the date is fine
    path = _write(tmp_path_factory.mktemp("hostile") / "ged191_hostile.csv", rows)
    store = Store(path.with_name("s.duckdb"))
    report = store.ingest([path])[0]
    reasons = {r["source_row"]: r["reason"] for r in store.query("SELECT * FROM quarantine").to_pylist()}
    return store, report, reasons


def test_non_finite_fatalities_and_coordinates_are_quarantined_with_a_reason(hostile):
    _, report, reasons = hostile
    assert reasons[1] == "best: expected a finite number, found 'NaN'"
    assert reasons[2] == "best: expected a finite number, found 'Infinity'"
    assert reasons[3] == "best: expected a finite number, found '1e309'"
    assert reasons[4] == "latitude: expected a finite number, found 'nan'"
    assert reasons[5] == "low: expected a finite number, found '-inf'"
    assert report.rows_read == report.rows_ingested + report.rows_quarantined == SYRIA_ROWS


def test_sentinel_dates_and_text_after_a_date_are_quarantined(hostile):
    store, report, reasons = hostile
    assert reasons[6].startswith("date_start: expected a date from 1946-01-01 to ")
    assert reasons[6].endswith("found 0001-01-01")
    assert reasons[7].startswith("date_end: expected a date from 1946-01-01") and "9999-12-31" in reasons[7]
    assert reasons[8] == "date_start: expected a date (%Y-%m-%d), found '2020-02-03 junk'"
    assert reasons[9] == "date_start: expected a date (%Y-%m-%d), found '2020-02-29T25:61:00'"
    assert "found 1945-12-31" in reasons[10]
    assert 11 not in reasons and report.rows_quarantined == 10
    d = store.datasets()[0]
    assert (d["date_min"], d["date_max"]) == ("2016-01-01", "2019-12-01")


def test_the_plausible_date_range_can_be_set_per_ingest(tmp_path, data_file):
    store = Store(tmp_path / "s.duckdb")
    report = store.ingest([data_file(SYRIA)], plausible_dates=(date(2017, 1, 1), None))[0]
    reasons = store.query("SELECT DISTINCT left(reason, 40) AS r FROM quarantine").to_pylist()
    # 6,170 events of the file begin in 2016 (counted with csv.DictReader on date_start)
    assert report.rows_quarantined == 6170 and len(reasons) == 1
    assert store.datasets()[0]["date_min"] == "2017-01-01"
    with pytest.raises(IngestError, match="earliest-date"):
        store.ingest([data_file(SYRIA)], plausible_dates=(date(2020, 1, 1), date(2019, 1, 1)))


# -- 13. and 15. deep JSON and wide files -----------------------------------------------------------

CAR_GEOJSON = "ucdp_ged_231_central_african_republic/GEDEvent_v23_1_CAR.geojson.gz"


def test_geojson_nested_too_deep_is_a_source_error_not_a_recursion_error(tmp_path, data_file):
    doc = json.loads(gzip.decompress(data_file(CAR_GEOJSON).read_bytes()))
    text = json.dumps(doc)
    deep = "[" * 100_000 + "]" * 100_000
    hostile = tmp_path / "ged231_deep.geojson"
    hostile.write_text(text.replace('"coordinates": [', f'"coordinates": [{deep}, ', 1), encoding="utf-8")
    with pytest.raises(SourceError, match="nesting too deep"):
        Store(tmp_path / "s.duckdb").ingest([hostile])
    doc["features"] = {"not": "a list"}
    hostile.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(SourceError, match="with a list of features, found dict"):
        Store(tmp_path / "s.duckdb").ingest([hostile])
    assert not (tmp_path / "s.duckdb").exists()


def test_a_csv_of_ten_thousand_columns_is_refused_before_it_is_scanned(tmp_path, data_file):
    rows = _rows(data_file(SYRIA))[:4]
    wide = [r + [f"extra_{i}" if n == 0 else "" for i in range(10_000 - len(r))] for n, r in enumerate(rows)]
    path = _write(tmp_path / "ged191_wide.csv", wide)
    with pytest.raises(SourceError, match="expected at most 1,000 columns, found 10,000"):
        Store(tmp_path / "s.duckdb").ingest([path])


def test_a_zip_member_that_fails_its_checksum_is_a_source_error(tmp_path, data_file):
    packed = tmp_path / "ged191.zip"
    text = gzip.decompress(data_file(SYRIA).read_bytes())
    with zipfile.ZipFile(packed, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("ged191.csv", text)
    data = bytearray(packed.read_bytes())
    data[len(data) // 2] ^= 0xFF  # inside the member's data: the central directory is intact
    packed.write_bytes(bytes(data))
    with pytest.raises(SourceError, match="ends early or is corrupt"):
        Store(tmp_path / "s.duckdb").ingest([packed])
