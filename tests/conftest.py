"""Shared fixtures: where the real data lives, and a fresh store per test.

The real data sits outside the repository (ACLED and GTD terms forbid redistribution): ../shared/data,
or the folder named by PEACEWATCH_DATA. Tests that need it skip when it is absent, except under CI
(CI=true), where a missing folder fails the run loudly instead of hiding every data test.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("PEACEWATCH_DATA", REPO.parent / "shared" / "data")).resolve()
TEST_DATA = REPO / "tests" / "data"


def _require_data() -> Path:
    if DATA_DIR.is_dir():
        return DATA_DIR
    message = (
        f"the shared data folder {DATA_DIR} is missing: put ../shared beside the clone "
        "or set PEACEWATCH_DATA to its data folder"
    )
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def data_dir() -> Path:
    """The folder of real datasets (../shared/data or PEACEWATCH_DATA)."""
    return _require_data()


@pytest.fixture(scope="session")
def data_file(data_dir):
    """Return the path of a file in the shared data folder, failing clearly when it is absent."""

    def find(relative: str) -> Path:
        path = data_dir / relative
        if not path.exists():
            pytest.fail(f"expected shared data file {path} is missing", pytrace=False)
        return path

    return find


@pytest.fixture(scope="session")
def test_data() -> Path:
    """Small files the project wrote itself (tests/data)."""
    return TEST_DATA


REDUCED_ACLED = "acled_afghanistan_events_reduced/acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz"
SYRIA_GED = "ucdp_ged_syria_2016_2019/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz"


def _shared_store(tmp_path_factory, name: str, path: Path):
    from peacewatch.store import Store

    store = Store(tmp_path_factory.mktemp(name) / name)
    store.ingest([path])
    return store


@pytest.fixture(scope="session")
def afghan_store(tmp_path_factory, data_file):
    """A store holding the reduced ACLED Afghanistan export (69,172 events), shared read-only."""
    return _shared_store(tmp_path_factory, "afghanistan", data_file(REDUCED_ACLED))


@pytest.fixture(scope="session")
def syria_store(tmp_path_factory, data_file):
    """A store holding UCDP GED Syria 2016-2019 (16,566 events, with actors), shared read-only."""
    return _shared_store(tmp_path_factory, "syria", data_file(SYRIA_GED))


GDELT2 = "gdelt_samples/gdelt2_events_20201113_relabelled_headers.csv.gz"


@pytest.fixture(scope="session")
def gdelt(tmp_path_factory, data_file):
    """A store holding the GDELT 2.0 export of 13 November 2020 (news-derived), shared read-only."""
    return _shared_store(tmp_path_factory, "gdelt", data_file(GDELT2))


CAR_GED = "ucdp_ged_231_central_african_republic/GEDEvent_v23_1_CAR.geojson.gz"


@pytest.fixture(scope="session")
def car_store(tmp_path_factory, data_file):
    """A store holding UCDP GED 23.1 for the Central African Republic (1,848 events; actors the
    shipped taxonomy does not know), ingested without any taxonomy file; shared read-only."""
    return _shared_store(tmp_path_factory, "car", data_file(CAR_GED))


@pytest.fixture
def car_store_copy(car_store, tmp_path):
    """A private copy of ``car_store``, for tests that add taxonomy files to it."""
    import shutil

    from peacewatch.store import Store

    path = tmp_path / "car"
    shutil.copytree(car_store.path, path)
    return Store(path)


@pytest.fixture(scope="session")
def with_raw():
    """``with_raw(store)``: see :func:`_with_raw`."""
    return _with_raw


def _with_raw(store):
    """Make ``events_raw`` (every event with ``raw``: the JSON of its row as read again from the
    store's archived file, joined by ``source_row``) in the store's read connection, for tests that
    check what a reader did with a field it does not map. The store keeps the row by reference
    (docs/adr/0012); this rebuilds it with the reader's own scan. Files with rejected lines are not
    supported here (their later rows shift)."""
    from peacewatch.sources.base import quote_ident, quote_literal
    from peacewatch.sources.registry import plan_file

    parts = []
    with store.raw() as con:
        for d in store.datasets():
            if d["table_name"] != "events" or not d["archive"]:
                continue
            plan = plan_file(
                store.path / d["archive"], source=d["source"] if d["source"] != "mapped" else None
            )
            for name, table in plan.tables.items():
                con.register(name, table)
            cols = [r[0] for r in con.execute(f"DESCRIBE {plan.scan}").fetchall()]
            raw = "json_object(" + ", ".join(f"{quote_literal(c)}, r.{quote_ident(c)}" for c in cols) + ")"
            tmp = f"raw_{len(parts)}"
            con.execute(f"CREATE OR REPLACE TEMP TABLE {tmp} AS SELECT * FROM ({plan.scan}) r")
            con.execute(
                f"CREATE OR REPLACE TEMP TABLE {tmp} AS "
                f"SELECT {quote_literal(d['dataset_id'])} AS dataset_id, "
                f"r.rowid - (SELECT min(rowid) FROM temp.{tmp}) + 1 AS source_row, "
                f"CAST({raw} AS VARCHAR) AS raw FROM temp.{tmp} r"
            )
            parts.append(f"SELECT * FROM temp.{tmp}")
        con.execute(
            "CREATE OR REPLACE TEMP VIEW events_raw AS SELECT e.*, r.raw FROM events e "
            f"JOIN ({' UNION ALL '.join(parts)}) r USING (dataset_id, source_row)"
        )
    return store
