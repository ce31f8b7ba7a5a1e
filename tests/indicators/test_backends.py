"""The same indicator expressions on DuckDB and on PySpark (local mode) give identical results.

The store's events are exported to Parquet and read by Spark; the expressions from
peacewatch.indicators are built once per backend from the same code. A gap in a backend is a strict
xfail here, so that it turns red when the backend catches up.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil

import pytest

from peacewatch.indicators.calendar import Span
from peacewatch.indicators.filters import Filters, filter_events
from peacewatch.indicators.series import event_counts, event_series
from peacewatch.store import Store

if os.environ.get("CI", "").lower() == "true":
    import pyspark  # noqa: F401  (CI installs the spark extra: a missing one must fail, not skip)
else:
    pytest.importorskip("pyspark", reason="the spark extra is not installed (pip install '.[spark]')")

pytestmark = pytest.mark.spark

FEB_MAR = Span(dt.date(2020, 2, 1), dt.date(2020, 3, 31))


@pytest.fixture(scope="module")
def spark():
    if shutil.which("java") is None:
        pytest.fail("PySpark needs Java: `make test` installs it (apt-get install default-jre-headless)")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("peacewatch-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def backends(spark, tmp_path_factory, afghan_store, test_data):
    """(duckdb events table, spark events table, catalog) over the Afghanistan sample plus a small file
    with actors."""
    import ibis

    store = Store(tmp_path_factory.mktemp("parity") / "s.duckdb")
    shutil.copytree(afghan_store.path, store.path)
    store.ingest([test_data / "acled_release_a.csv"])
    parquet = store.path.with_name("events.parquet")
    with store.raw() as con:
        con.execute(f"COPY (SELECT * FROM events) TO '{parquet}' (FORMAT parquet)")
    spark.read.parquet(str(parquet)).createOrReplaceTempView("events")
    return store.ibis().table("events"), ibis.pyspark.connect(spark).table("events"), store.datasets()


def _ids(catalog, *names):
    return [e for e in catalog if any(n in e["dataset_id"] for n in names)]


CASES = {
    "all events by day": (Filters(country="Afghanistan"), "day", "events", "reduced"),
    "battles by week": (Filters(country="Afghanistan", types=("battle",)), "week", "events", "reduced"),
    "fatalities by month": (Filters(country="AFG"), "month", "fatalities", "reduced"),
    "one province by day": (Filters(admin1="Helmand"), "day", "events", "reduced"),
    "two types, fatalities by week": (
        Filters(types=("explosion_remote_violence", "violence_against_civilians")),
        "week",
        "fatalities",
        "reduced",
    ),
    "actor on either side": (Filters(actor="taliban"), "day", "events", "release-a"),
    "dyad in either order": (Filters(dyad=("iskp", "taliban")), "day", "events", "release-a"),
    "side one only": (Filters(actor1="us_forces"), "week", "fatalities", "release-a"),
    "actor group": (Filters(actor="iskp+us_forces"), "day", "events", "release-a"),
    "dyad of groups": (Filters(dyad=("taliban", "iskp+us_forces")), "week", "events", "release-a"),
    "date precision": (Filters(precision="week", types=("battle",)), "week", "events", "reduced"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_indicator_suite_gives_identical_results_on_duckdb_and_pyspark(backends, case):
    duck, spark_table, catalog = backends
    f, by, measure, which = CASES[case]
    f = f.replace(date_from=FEB_MAR.start, date_to=FEB_MAR.end)
    datasets = _ids(catalog, which)
    iso3 = "AFG" if f.country else None
    results, sparse = [], []
    for table in (duck, spark_table):
        selected = filter_events(table, f, datasets, iso3=iso3)
        results.append(event_series(selected, FEB_MAR, by, measure).to_pyarrow().to_pylist())
        counts = event_counts(selected, by, measure).to_pyarrow().to_pylist()
        sparse.append(sorted((r["period_start"], r["value"]) for r in counts))
    assert results[0] == results[1]
    assert sparse[0] == sparse[1]
    assert len(results[0]) >= 2 and any(r["value"] for r in results[0])
    # The zero-filled series is the sparse counts on a full calendar.
    assert {(r["period_start"], r["value"]) for r in results[0] if r["value"]} == set(sparse[0])
