"""`--engine spark`: the eight analysis commands give the DuckDB engine's payloads, computed on Spark.

A full `evaluate` and `check` of the built-in afghanistan-2020 case, and series and compare through
the CLI, are run on both engines and their JSON compared whole: the queries run on Spark over the
store's export, the statistics on the counts Spark returns. One Spark session serves the module (its
start takes 20 s or more).
"""

from __future__ import annotations

import json
import os
import shutil

import pytest

from peacewatch.cli.app import main
from peacewatch.store import Store

if os.environ.get("CI", "").lower() == "true":
    import pyspark  # noqa: F401  (CI installs the spark extra: a missing one must fail, not skip)
else:
    pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install '.[spark]')")

pytestmark = pytest.mark.spark

AS_OF = "2026-11-26"
AFGHAN = "acled-afghanistan-2017-01-01-2026-03-13-reduced"


@pytest.fixture(scope="module", autouse=True)
def spark():
    if shutil.which("java") is None:
        pytest.fail("PySpark needs Java: `make test` installs it (apt-get install default-jre-headless)")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("peacewatch-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session  # the engine takes the active session, as it would a notebook's
    session.stop()


@pytest.fixture(scope="module")
def store(tmp_path_factory, afghan_store, data_file, test_data):
    """The Afghanistan sample (the case's dataset) plus ACLED's weekly aggregates, in a private copy
    (the engine writes its export beside the store)."""
    s = Store(tmp_path_factory.mktemp("engine") / "afg")
    shutil.copytree(afghan_store.path, s.path)
    s.ingest(
        [data_file("acled_afghanistan_weekly_aggregates/acled_afghanistan_weekly_2017_2024.csv.gz")],
        mapping=test_data / "mapped_acled_afghanistan_weekly.yaml",
    )
    return s


def _json(capsys, *argv: str):
    code = main(list(argv))
    out = capsys.readouterr()
    assert code == 0, out.err[-2000:]
    return json.loads(out.out)


def _both(capsys, store, *argv: str):
    duck = _json(capsys, *argv, "--store", str(store.path), "--json")
    spark = _json(capsys, *argv, "--store", str(store.path), "--json", "--engine", "spark")
    return duck, spark


def test_evaluate_of_a_built_in_case_gives_the_same_payload_on_spark(capsys, store):
    duck, spark = _both(capsys, store, "evaluate", "afghanistan-2020", "--as-of", AS_OF)
    assert spark == duck
    verdicts = {c["id"]: c["verdict"] for c in duck["commitments"]}
    assert verdicts["riv"] == "met" and verdicts["talks-start"] == "late"
    riv = next(c for c in spark["commitments"] if c["id"] == "riv")
    assert riv["evidence"]["comparison"]["ci_high"] < 1  # computed, not only equal


def test_check_of_a_built_in_case_gives_the_same_payload_on_spark(capsys, store):
    duck, spark = _both(capsys, store, "check", "afghanistan-2020", "--as-of", AS_OF)
    assert spark == duck
    assert [c["result"] for c in duck["claims"]][:2] == ["supported", "supported"]


def test_series_and_compare_on_spark_equal_duckdb(capsys, store):
    daily = ("series", "--country", "Afghanistan", "--from", "2020-02-01", "--to", "2020-03-31")
    duck, spark = _both(capsys, store, *daily, "--measure", "fatalities")
    assert spark == duck and len(duck["points"]) == 60 and sum(p["value"] for p in duck["points"]) > 0
    compare = ("compare", "--country", "Afghanistan", "--window", "2020-02-22:2020-02-29")
    duck, spark = _both(capsys, store, *compare, "--baseline-preceding", "21")
    assert spark == duck and 0.1 < duck["rate_ratio"] < 0.3


def test_an_aggregate_series_on_spark_equals_duckdb(capsys, store):
    weekly = next(d["dataset_id"] for d in store.datasets() if d["table_name"] == "counts")
    argv = ("series", "--dataset", weekly, "--type", "battle", "--by", "week")
    duck, spark = _both(capsys, store, *argv, "--from", "2020-02-01", "--to", "2020-03-31")
    assert spark == duck and len(duck["points"]) >= 8


def test_trend_changepoints_and_its_on_spark_equal_duckdb(capsys, store):
    span = ("--country", "Afghanistan", "--from", "2020-01-01", "--to", "2020-06-30")
    for argv in (
        ("trend", "--country", "Afghanistan", "--month", "2020-03"),
        ("changepoints", *span),
        ("its", *span, "--intervention", "2020-02-22"),
    ):
        duck, spark = _both(capsys, store, *argv)
        assert spark == duck, argv[0]


def test_an_export_folder_is_read_by_spark_and_named_in_the_commands(capsys, store, tmp_path):
    folder = tmp_path / "export"
    assert main(["export", "--store", str(store.path), str(folder)]) == 0
    capsys.readouterr()
    compare = (
        "compare",
        "--dataset",
        AFGHAN,
        "--window",
        "2020-02-22:2020-02-29",
        "--baseline-preceding",
        "21",
    )
    on_store = _json(capsys, *compare, "--store", str(store.path), "--json")
    on_export = _json(capsys, *compare, "--store", str(folder), "--json", "--engine", "spark")
    assert on_export["rate_ratio"] == on_store["rate_ratio"]
    assert on_export["window"] == on_store["window"] and on_export["baseline"] == on_store["baseline"]
    assert f"--store {folder}" in on_export["command"]


def test_the_python_api_takes_the_engine_per_store_and_per_call(store):
    import peacewatch as pw

    args = {"country": "Afghanistan", "window": "2020-02-22:2020-02-29", "baseline_preceding": 21}
    on_duckdb = pw.open_store(store.path).compare(**args).to_dict()
    on_spark = pw.open_store(store.path, engine="spark")
    assert type(on_spark.reader).__name__ == "SparkStore"
    assert on_spark.compare(**args).to_dict() == on_duckdb
    assert pw.open_store(store.path).compare(**args, engine="spark").to_dict() == on_duckdb
