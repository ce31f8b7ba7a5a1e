"""The original rows of source files, rebuilt from the source_row numbers today's ingest gives.

Every real file format in ../shared/data that ingests as events is ingested with today's code; rows
(first, last, random, with embedded newlines) are rebuilt and checked three ways: the text is a
verbatim piece of the file, it parses to the record an independent reader (Python's csv and json
modules) finds at that position, and it holds the event's own source id. Small files in tests/data
and written here cover quarantined rows, a row after a rejected line, zips, blank lines and xlsx.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import random
import zipfile
from pathlib import Path

import pytest
from hypothesis import given, reject, settings
from hypothesis import strategies as st

from peacewatch.errors import SourceError
from peacewatch.sources import raw_rows
from peacewatch.sources.json_records import RecordScan
from peacewatch.sources.raw_rows import original_rows, row_format
from peacewatch.store import Store

# Every real file that ingests as events, one of each format the readers know.
EVENT_FILES = {
    "acled_reduced": (
        "acled_afghanistan_events_reduced/acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz"
    ),
    "acled_full": "acled_global_sample_2022/acled_sample_2022-01_2022-06_9000_events.csv.gz",
    "acled_argentina": "acled_global_sample_2022/acled_argentina_2022-06_326_events.csv.gz",
    "acled_south_sudan": "acled_south_sudan_events_reduced/acled_south_sudan_reduced.csv.gz",
    "ged_syria": "ucdp_ged_syria_2016_2019/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz",
    "ged_191": "ucdp_ged_191_myanmar_bangladesh/ged191_myanmar_bangladesh_subset.csv.gz",
    "ged_hdx_hxl": "ucdp_ged_191_myanmar_bangladesh/hdx_conflict_data_BGD_with_hxl.csv.gz",
    "ged_231": "ucdp_ged_231_global_sample/ucdp_ged_231_sample_1000.csv.gz",
    "ged_myanmar": "ucdp_ged_myanmar_1989_2023/ucdp_ged_myanmar_1989_2023.csv.gz",
    "ged_geojson_gz": "ucdp_ged_231_central_african_republic/GEDEvent_v23_1_CAR.geojson.gz",
    "ged_json_list": "ucdp_ged_251_random_sample_reduced/ged251_events_sample_9972.json.gz",
    "ged_geojson": "ucdp_ged_afghanistan_selected_310/clean_conflicts_afg.geojson",
    "gtd": "gtd_2012_2015_subset/gtd_2012_2015_38cols.csv.gz",
    "gdelt1_tsv": "gdelt_samples/gdelt1_events_raw_sample_20160728.tsv",
    "gdelt2_csv": "gdelt_samples/gdelt2_events_20201113_relabelled_headers.csv.gz",
}


def _text(path: Path, encoding: str = "utf-8") -> str:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as fh:
        return fh.read().decode(encoding, errors="replace")


def _oracle(path: Path, fmt: raw_rows.RowFormat) -> list:
    """The file's data rows as Python's own readers find them, in order."""
    text = _text(path, fmt.encoding)
    if fmt.kind == "json":
        doc = json.loads(text)
        return doc[fmt.key] if fmt.key else doc
    if fmt.kind == "lines":
        return text.splitlines()
    records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=fmt.delimiter) if r]
    return records[fmt.skip :]


def _parsed(text: str, fmt: raw_rows.RowFormat):
    if fmt.kind == "json":
        return json.loads(text)
    if fmt.kind == "lines":
        return text
    return next(csv.reader(io.StringIO(text, newline=""), delimiter=fmt.delimiter))


@pytest.fixture(scope="module")
def stores(tmp_path_factory, data_file):
    """Each real events file in a store of its own, made when first asked: in one store, files that
    share event ids (the UCDP extracts) would replace each other's rows as newer releases."""
    made: dict[str, Store] = {}

    def store_of(name: str) -> Store:
        if name not in made:
            made[name] = Store(tmp_path_factory.mktemp("raw") / name)
            made[name].ingest([data_file(EVENT_FILES[name])])
        return made[name]

    return store_of


def _catalog_row(store: Store, path: Path) -> dict:
    return next(d for d in store.datasets() if Path(d["path"]) == path.resolve())


@pytest.mark.parametrize("name", sorted(EVENT_FILES))
def test_rebuilt_rows_are_the_file_text_at_the_position_the_ingest_numbered(name, stores, data_file):
    path = data_file(EVENT_FILES[name])
    real_store = stores(name)
    d = _catalog_row(real_store, path)
    events = {
        r["source_row"]: r["source_event_id"]
        for r in real_store.query(
            "SELECT source_row, source_event_id FROM events WHERE dataset_id = ?", [d["dataset_id"]]
        ).to_pylist()
    }
    assert len(events) == d["rows_read"]  # no real file has unreadable rows
    last = max(events)
    rows = {1, last, *random.Random(name).sample(sorted(events), 25)}
    fmt = row_format(path, reader=d["reader"], source=d["source"])
    found = original_rows(path, rows, reader=d["reader"], source=d["source"], sha256=d["sha256"])
    assert found.keys() == rows
    whole, oracle = _text(path, fmt.encoding), _oracle(path, fmt)
    assert len(oracle) == d["rows_read"]
    for row, text in found.items():
        assert text in whole  # byte for byte as in the file, decoded as the reader decoded it
        assert not text.endswith(("\n", "\r"))
        assert _parsed(text, fmt) == oracle[row - 1]
        if events[row] is not None:
            assert events[row] in text


def test_each_format_is_recognised_from_the_catalog_reader(stores, data_file):
    kinds = {}
    for name, rel in EVENT_FILES.items():
        d = _catalog_row(stores(name), data_file(rel))
        fmt = row_format(data_file(rel), reader=d["reader"], source=d["source"])
        kinds[name] = (d["reader"], fmt.kind, fmt.skip, fmt.key, fmt.encoding)
    assert kinds["gdelt1_tsv"] == ("gdelt.tsv", "lines", 0, None, "utf-8")
    assert kinds["gdelt2_csv"] == ("gdelt.csv", "csv", 1, None, "utf-8")
    assert kinds["ged_hdx_hxl"] == ("ucdp_ged.hdx.csv", "csv", 2, None, "utf-8")
    assert kinds["ged_geojson_gz"] == ("ucdp_ged.geojson", "json", 0, "features", "utf-8")
    assert kinds["ged_json_list"] == ("ucdp_ged.json", "json", 0, None, "utf-8")
    assert kinds["gtd"][:2] == ("gtd.csv", "csv")


def test_a_ucdp_row_with_newlines_inside_a_quoted_field_comes_back_whole(data_file):
    path = data_file(EVENT_FILES["ged_myanmar"])
    text = original_rows(path, [14], reader="ucdp_ged.csv", source="ucdp_ged")[14]
    assert text.startswith("48756.0,MYA-1989-1-306-6,")
    assert '"Kayin State (Tikerney camp, close to the Thai border district of Tha Song Yang)\r\n\r\n' in text
    assert text.endswith(",181.0,8.0,775,")
    assert text.count("\n") == 2


def test_json_records_keep_their_layout_in_the_file(data_file):
    path = data_file(EVENT_FILES["ged_json_list"])
    first = original_rows(path, [1], reader="ucdp_ged.json", source="ucdp_ged")[1]
    assert first.startswith('{\n    "id": 121070,\n    "conflict_id": 316,')
    assert first.endswith('"region": "Americas"\n  }')
    feature = original_rows(
        data_file(EVENT_FILES["ged_geojson"]), [310], reader="ucdp_ged.geojson", source="ucdp_ged"
    )
    assert feature[310].startswith('{ "type": "Feature", "properties": { "id": "274390",')
    assert feature[310].endswith('"coordinates": [ 65.93029, 36.215851 ] } }')


def test_every_row_of_a_gzip_file_is_read_in_one_pass(data_file, monkeypatch):
    opened = []
    real = raw_rows._opened

    def counting(path, digest):
        opened.append(path)
        return real(path, digest)

    monkeypatch.setattr(raw_rows, "_opened", counting)
    path = data_file(EVENT_FILES["acled_reduced"])
    found = original_rows(path, range(1, 69_173), reader="acled.csv", source="acled")
    assert len(opened) == 1
    assert len(found) == 69_172
    assert (
        found[1]
        == "Afghanistan,Herat,2017-01-01,2017-01-01,2017,Jan,Political violence,Explosions/Remote violence,1"
    )
    assert (
        found[69_172] == "Afghanistan,Nangarhar,2026-03-13,2026-03-13,2026,Mar,Political violence,Battles,0"
    )
    assert original_rows(path, [69_173], reader="acled.csv", source="acled") == {}  # past the end


def test_a_file_changed_since_the_ingest_is_refused_not_guessed(data_file):
    path = data_file(EVENT_FILES["gdelt1_tsv"])
    with pytest.raises(SourceError, match="changed since the ingest") as err:
        original_rows(path, [1], reader="gdelt.tsv", source="gdelt", sha256="0" * 64, what="dataset g1")
    assert "dataset g1" in str(err.value) and "sha256 0000000000000000" in str(err.value)


def test_a_file_replaced_by_one_of_another_format_is_said_to_have_changed(tmp_path, data_file):
    path = tmp_path / "gdelt.tsv"
    path.write_bytes(data_file(EVENT_FILES["gdelt1_tsv"]).read_bytes())
    store = Store(tmp_path / "g.duckdb")
    store.ingest([path])
    d = store.datasets()[0]
    path.write_text("not,a,gdelt\nfile,at,all\n")
    with pytest.raises(SourceError, match="changed since the ingest"):
        original_rows(path, [1], reader=d["reader"], source=d["source"], sha256=d["sha256"])


def test_quarantined_rows_and_the_row_after_a_rejected_line_are_the_ones_the_store_numbered(
    tmp_path, test_data
):
    store = Store(tmp_path / "broken.duckdb")
    path = test_data / "ucdp_broken.csv"
    store.ingest([path])
    quarantined = dict(
        (r["source_row"], r["reason"])
        for r in store.query("SELECT source_row, reason FROM quarantine").to_pylist()
    )
    events = {r["source_row"]: r["source_event_id"] for r in store.query("SELECT * FROM events").to_pylist()}
    assert quarantined[5].startswith("unreadable line")  # a line with 19 of 20 fields
    found = original_rows(path, [*quarantined, *events], reader="ucdp_ged.csv", source="ucdp_ged")
    assert found[5].startswith("900005,AFG-2020-1-5,")
    assert found[6].startswith("900006,")  # the row after the rejected line
    lines = path.read_text().splitlines()
    for row, text in found.items():
        assert text == lines[row]
    for row, source_id in events.items():
        assert found[row].startswith(source_id + ",")


def test_the_data_member_of_a_zip_is_read_without_unpacking(tmp_path, data_file):
    member = _text(data_file(EVENT_FILES["ged_231"]))
    archive = tmp_path / "ged231-csv.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("readme.pdf", b"%PDF")
        zf.writestr("GEDEvent_v23_1_sample.csv", member)
    store = Store(tmp_path / "zip.duckdb")
    store.ingest([archive])
    d = store.datasets()[0]
    ids = {r["source_row"]: r["source_event_id"] for r in store.query("SELECT * FROM events").to_pylist()}
    found = original_rows(archive, [1, 500, 1000], reader=d["reader"], source=d["source"], sha256=d["sha256"])
    lines = member.splitlines()
    assert found[1] == lines[1] and found[1000].startswith(ids[1000])
    for row in (1, 500, 1000):
        assert found[row].split(",")[0].removesuffix(".0") == ids[row]


def test_blank_lines_are_no_rows_as_in_the_store(tmp_path, test_data):
    src = (test_data / "acled_release_a.csv").read_text().splitlines(keepends=True)
    path = tmp_path / "acled_blank_lines.csv"
    path.write_text("".join([src[0], src[1], "\n", src[2], "\n\n", *src[3:], "\n\n"]))
    store = Store(tmp_path / "blank.duckdb")
    store.ingest([path])
    events = {r["source_row"]: r["source_event_id"] for r in store.query("SELECT * FROM events").to_pylist()}
    found = original_rows(path, events, reader="acled.csv", source="acled")
    assert len(found) == len(events) == len(src) - 1
    for row, source_id in events.items():
        assert found[row].startswith(source_id + ",")


def test_rows_after_blank_lines_and_a_rejected_line_keep_their_position(tmp_path, test_data):
    lines = (test_data / "ucdp_broken.csv").read_text().splitlines(keepends=True)
    path = tmp_path / "blank_then_reject.csv"
    path.write_text("".join([lines[0], lines[1], "\n\n", lines[5], lines[6], lines[7]]))
    store = Store(tmp_path / "btr.duckdb")
    store.ingest([path])
    events = {r["source_event_id"]: r["source_row"] for r in store.query("SELECT * FROM events").to_pylist()}
    assert events == {"900001": 1, "900006": 3}


def test_an_xlsx_row_comes_back_as_its_cells_in_csv(tmp_path, test_data):
    openpyxl = pytest.importorskip("openpyxl")
    rows = list(csv.reader(io.StringIO((test_data / "acled_release_a.csv").read_text())))
    wb = openpyxl.Workbook()
    for r in rows:
        wb.active.append(r)
    path = tmp_path / "acled.xlsx"
    wb.save(path)
    store = Store(tmp_path / "xlsx.duckdb")
    store.ingest([path])
    d = store.datasets()[0]
    found = original_rows(path, [1, 2], reader=d["reader"], source=d["source"], sha256=d["sha256"])
    assert next(csv.reader([found[2]])) == rows[2]


# -- properties of the two scanners -----------------------------------------------------------------

_cell = st.lists(st.sampled_from(["a", "b", " ", ",", '"', "\n", "\r\n", "\u00e9", "\t"]), max_size=6).map(
    "".join
)


@settings(max_examples=150, deadline=None)
@given(
    records=st.lists(st.lists(_cell, min_size=3, max_size=3), min_size=1, max_size=12),
    quoting=st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]),
    crlf=st.booleans(),
)
def test_csv_records_split_where_a_csv_writer_put_them(tmp_path_factory, records, quoting, crlf):
    buf = io.StringIO(newline="")
    csv.writer(buf, quoting=quoting, lineterminator="\r\n" if crlf else "\n").writerows(
        [["h1", "h2", "h3"], *records]
    )
    path = tmp_path_factory.mktemp("prop") / "x.csv"
    path.write_bytes(buf.getvalue().encode())
    fmt = raw_rows.RowFormat("csv")
    with open(path, encoding="utf-8", newline="") as fh:
        got = list(raw_rows._records(fh, fmt))[1:]
    # An all-empty record of one field is an empty line, which is no row; three fields never are.
    assert [next(csv.reader(io.StringIO(t, newline=""))) for t in got] == records


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(alphabet=st.sampled_from('ab"\\[]{},: \n\u00e9')),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner, max_size=3),
    max_leaves=10,
)


@settings(max_examples=200, deadline=None)
@given(
    records=st.lists(_json, max_size=6),
    key=st.sampled_from([None, "features", "Result"]),
    indent=st.sampled_from([None, 1, 2]),
    chunk=st.integers(1, 40),
)
def test_json_records_are_the_elements_json_load_finds(records, key, indent, chunk):
    # The key also appears as a value, in a nested object and after a long string: only the top-level
    # key names the record list.
    doc = (
        records
        if key is None
        else {"type": key, "long": "[" * 100, "other": {key: [0]}, key: records, "z": "]"}
    )
    text = json.dumps(doc, indent=indent, ensure_ascii=False)
    scan = RecordScan(key=key, wanted=range(1, len(records) + 1))
    for i in range(0, len(text), chunk):
        scan.feed(text[i : i + chunk])
    assert scan.count == len(records)
    assert [json.loads(scan.found[i]) for i in range(1, len(records) + 1)] == records
    assert all(scan.found[i] in text for i in scan.found)


def test_a_latin_1_gtd_file_is_decoded_as_its_reader_decoded_it(tmp_path, test_data):
    text = (test_data / "gtd_dates_and_codes.csv").read_text(encoding="utf-8")
    path = tmp_path / "gtd_latin1.csv"
    path.write_bytes(text.replace("Kabul,Kabul", "Kaboul,Kaboul é").encode("latin-1"))
    store = Store(tmp_path / "latin.duckdb")
    store.ingest([path])
    d = store.datasets()[0]
    assert row_format(path, reader=d["reader"], source=d["source"]).encoding == "latin-1"
    found = original_rows(path, [1], reader=d["reader"], source=d["source"], sha256=d["sha256"])
    assert found[1].startswith("201503000001,2015,3,0,4,Afghanistan,Kaboul,Kaboul é,34.5")
    city = store.query("SELECT location FROM events WHERE source_row = 1").to_pylist()[0]["location"]
    assert city == "Kaboul é"


def _field(cell: str) -> str:
    """A CSV field as exports write them: quoted when it must be, and a quote inside an unquoted
    value left as it is (DuckDB reads it as a character, and so must the rebuild)."""
    if cell == "" or "," in cell or "\n" in cell or cell.startswith('"'):
        return '"' + cell.replace('"', '""') + '"' if cell else ""
    return cell


@settings(max_examples=60, deadline=None)
@given(
    records=st.lists(st.lists(_cell, min_size=3, max_size=3), min_size=1, max_size=8),
    crlf=st.booleans(),
)
def test_the_rebuild_numbers_records_as_duckdbs_scan_does(tmp_path_factory, records, crlf):
    import duckdb

    from peacewatch.sources.base import csv_scan

    end = "\r\n" if crlf else "\n"
    body = end.join(
        ",".join(_field(c.replace("\r\n", "\n")) for c in r) for r in [["h1", "h2", "h3"], *records]
    )
    path = tmp_path_factory.mktemp("duck") / "x.csv"
    path.write_bytes((body + end).encode())
    con = duckdb.connect()
    # As staging numbers rows: the scan copied into a table in file order, source_row = rowid + 1.
    try:
        con.execute(f"CREATE TABLE scan_text AS SELECT * FROM ({csv_scan(path)}) r")
    except duckdb.InvalidInputException:  # e.g. ' "' at a field's start: refused, so never ingested
        reject()
    scanned = con.execute("SELECT * FROM scan_text ORDER BY rowid").fetchall()
    with open(path, encoding="utf-8", newline="") as fh:
        rebuilt = [
            next(csv.reader(io.StringIO(t, newline="")))
            for t in list(raw_rows._records(fh, raw_rows.RowFormat("csv")))[1:]
        ]
    assert [[v or None for v in r] for r in rebuilt] == [[v or None for v in r] for r in scanned]


def test_a_rejected_line_after_blank_lines_is_quarantined_at_its_data_row(tmp_path, test_data):
    # DuckDB's reject table numbers the bad line 7 (it counts the three empty lines); it is data row 3.
    lines = (test_data / "ucdp_broken.csv").read_text().splitlines(keepends=True)
    path = tmp_path / "blanks_between.csv"
    second = lines[1].replace("900001", "900011", 1)
    path.write_text("".join([lines[0], lines[1], "\n", second, "\n\n", lines[5], lines[6]]))
    store = Store(tmp_path / "bb")
    store.ingest([path])
    events = {r["source_event_id"]: r["source_row"] for r in store.query("SELECT * FROM events").to_pylist()}
    assert events == {"900001": 1, "900011": 2, "900006": 4}
    quarantined = store.query("SELECT source_row, reason FROM quarantine").to_pylist()
    assert [q["source_row"] for q in quarantined] == [3]
    assert quarantined[0]["reason"].startswith("unreadable line")
    d = store.datasets()[0]
    back = original_rows(path, [3, 4], reader=d["reader"], source=d["source"])
    assert back == {3: lines[5].rstrip("\n"), 4: lines[6].rstrip("\n")}
