"""The CLI in-process: exit codes, JSON shapes (docs/cli.md) and output formats."""

from __future__ import annotations

import json

import pytest

from peacewatch.cli.app import main
from peacewatch.schema import DATASETS


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def store_arg(afghan_store):
    return ("--store", str(afghan_store.path))


def test_datasets_json_lists_every_catalog_field(capsys, store_arg):
    code, out, _ = run(capsys, "datasets", "--json", *store_arg)
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 1
    assert set(rows[0]) == {c.name for c in DATASETS} | {"covers_to"}  # the declared end, or null
    assert rows[0]["rows_read"] == rows[0]["rows_ingested"] == 69_172


def test_ingest_prints_a_summary_and_reports_a_repeat_as_unchanged(capsys, tmp_path, test_data):
    store = str(tmp_path / "s.duckdb")
    code, out, _ = run(capsys, "ingest", "--store", store, str(test_data / "acled_release_a.csv"))
    assert code == 0 and "Ingested into" in out and "fields this file cannot supply" in out
    code, out, _ = run(capsys, "ingest", "--store", store, "--json", str(test_data / "acled_release_a.csv"))
    assert code == 0 and json.loads(out)[0]["status"] == "unchanged"


def test_user_errors_exit_1_with_one_line_and_no_traceback(capsys, tmp_path, store_arg):
    junk = tmp_path / "junk.txt"
    junk.write_text("hello world\n")
    for argv in (
        ("ingest", "--store", str(tmp_path / "s.duckdb"), str(junk)),
        ("events", *store_arg, "--from", "2020-02-31"),
        ("series", *store_arg, "--actor", "taliban"),
        ("compare", *store_arg, "--window", "2020-02-22:2020-02-29"),
        ("datasets", "--no-such-flag"),
    ):
        code, _, err = run(capsys, *argv)
        assert code == 1, argv
        assert err.startswith("error: ") and "Traceback" not in err, (argv, err)


def test_an_unknown_file_lists_the_formats_tried_and_the_header_found(capsys, tmp_path):
    junk = tmp_path / "mystery.csv"
    junk.write_text("foo;bar;baz\n1;2;3\n")
    code, _, err = run(capsys, "ingest", "--store", str(tmp_path / "s.duckdb"), str(junk))
    assert code == 1
    assert "columns [foo, bar, baz]" in err and "UCDP GED" in err and "--mapping" in err


def test_events_formats(capsys, tmp_path, store_arg):
    window = ("--country", "Afghanistan", "--from", "2020-02-27", "--to", "2020-02-27")
    code, out, _ = run(capsys, "events", *store_arg, *window, "--format", "json")
    assert code == 0 and len(json.loads(out)) == 3
    code, out, _ = run(capsys, "events", *store_arg, *window, "--format", "csv")
    assert out.splitlines()[0].startswith("event_id,dataset_id,source") and len(out.splitlines()) == 4
    target = tmp_path / "e.parquet"
    code, _, _ = run(capsys, "events", *store_arg, *window, "--format", "parquet", "--out", str(target))
    import pyarrow.parquet as pq

    assert code == 0 and pq.read_table(target).num_rows == 3


def test_series_json_shape(capsys, store_arg):
    code, out, _ = run(
        capsys,
        "series",
        *store_arg,
        "--country",
        "Afghanistan",
        "--from",
        "2020-02-22",
        "--to",
        "2020-02-29",
        "--format",
        "json",
    )
    d = json.loads(out)
    assert code == 0 and {"by", "measure", "filters", "datasets", "points"} <= set(d)
    assert [p["value"] for p in d["points"]] == [12, 9, 11, 5, 9, 3, 5, 6]


def test_compare_json_shape(capsys, store_arg):
    code, out, _ = run(
        capsys,
        "compare",
        *store_arg,
        "--country",
        "Afghanistan",
        "--window",
        "2020-02-22:2020-02-29",
        "--baseline",
        "2020-02-01:2020-02-21",
        "--json",
    )
    d = json.loads(out)
    assert code == 0
    assert {
        "window",
        "baseline",
        "rate_ratio",
        "ci_low",
        "ci_high",
        "conf_level",
        "p_value",
        "percent_change",
        "method",
        "dispersion",
        "datasets",
    } <= set(d)
    assert set(d["window"]) >= {"start", "end", "days", "total", "rate"}
    assert set(d["baseline"]) >= {"start", "end", "days", "total", "rate"}
    assert d["command"].startswith(
        f"peacewatch compare --store {store_arg[1]} --snapshot {d['snapshot']} --country Afghanistan "
        "--window 2020-02-22:2020-02-29"
    )


def test_trend_changepoints_and_its_json_shapes(capsys, store_arg):
    code, out, _ = run(
        capsys, "trend", *store_arg, "--country", "Afghanistan", "--month", "2020-03", "--json"
    )
    d = json.loads(out)
    assert code == 0 and {"month", "verdict", "rate_ratio", "ci_low", "ci_high"} <= set(d)
    code, out, _ = run(
        capsys,
        "trend",
        *store_arg,
        "--country",
        "Afghanistan",
        "--month",
        "2020-03",
        "--by",
        "admin1",
        "--json",
    )
    rows = json.loads(out)
    assert (
        code == 0
        and len(rows) >= 30
        and {r["verdict"] for r in rows} <= {"deteriorated", "improved", "unchanged", "insufficient_data"}
    )
    code, out, _ = run(
        capsys,
        "changepoints",
        *store_arg,
        "--country",
        "Afghanistan",
        "--from",
        "2020-01-01",
        "--to",
        "2020-04-30",
        "--json",
    )
    d = json.loads(out)
    assert code == 0 and {"changepoints", "method", "penalty"} <= set(d)
    assert set(d["changepoints"][0]) >= {"date", "rate_before", "rate_after"}
    code, out, _ = run(
        capsys,
        "its",
        *store_arg,
        "--country",
        "Afghanistan",
        "--intervention",
        "2020-03-01",
        "--from",
        "2019-12-01",
        "--to",
        "2020-05-31",
        "--json",
    )
    d = json.loads(out)
    assert code == 0 and {"level_change", "slope_change", "intervention"} <= set(d)


def test_tables_for_people(capsys, store_arg):
    code, out, _ = run(
        capsys,
        "compare",
        *store_arg,
        "--country",
        "Afghanistan",
        "--window",
        "2020-02-22:2020-02-29",
        "--baseline-preceding",
        "21",
    )
    assert code == 0 and "rate ratio" in out and "2020-02-01:2020-02-21" in out


def test_python_dash_m_runs_the_same_command():
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "peacewatch", "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "ingest" in done.stdout


def test_series_and_compare_say_when_events_are_dated_more_coarsely_than_their_bins(capsys, syria_store):
    s = ("--store", str(syria_store.path), "--dyad", "syrian_government,syrian_insurgents")
    q1 = (*s, "--from", "2016-01-01", "--to", "2016-03-31", "--by", "month")
    code, out, _ = run(capsys, "series", *q1, "--measure", "fatalities")
    assert code == 0 and "Note:" in out and "10,128 fatalities" in " ".join(out.split())
    code, out, _ = run(capsys, "series", *q1, "--precision", "month", "--format", "json")
    assert code == 0 and json.loads(out)["imprecise"] is None
    code, out, _ = run(
        capsys, "compare", *s, "--window", "2016-02-27:2016-03-25", "--baseline-preceding", "28"
    )
    assert code == 0 and "--precision day leaves them out" in " ".join(out.split())
    code, _, err = run(capsys, "series", *s, "--precision", "monthly")
    assert code == 1 and "expected one of day, week, month, year, range" in err
    for argv in (
        ("changepoints", *s, "--from", "2016-01-01", "--to", "2016-04-30", "--json"),
        ("its", *s, "--from", "2016-01-01", "--to", "2016-06-30", "--intervention", "2016-02-27", "--json"),
    ):
        code, out, _ = run(capsys, *argv)
        assert code == 0 and json.loads(out)["imprecise"]["bin"] == "day", argv
    code, out, _ = run(capsys, "trend", *s, "--month", "2016-05", "--json")
    assert code == 0 and "imprecise" in json.loads(out)
