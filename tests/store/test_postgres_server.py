"""The platform a team store stands on: DuckDB with the ducklake and postgres extensions from their
packaged files, a DuckLake catalog in the session's real PostgreSQL server, commits as snapshots and a
read at an earlier one."""

from __future__ import annotations

import importlib
from pathlib import Path

import duckdb

EXTENSIONS = {"ducklake": "ducklake", "postgres": "postgres_scanner"}  # PyPI package -> extension


def _connect(extension_dir: Path) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(
        config={
            "extension_directory": str(extension_dir),
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
    )
    for package, name in EXTENSIONS.items():
        module = importlib.import_module(f"duckdb_extension_{package}")
        folder = Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}"
        (binary,) = folder.glob("*.duckdb_extension")
        con.execute(f"INSTALL '{binary}'")
        con.execute(f"LOAD {name}")
    return con


def test_a_ducklake_catalog_in_postgres_commits_snapshots_and_reads_the_first(
    postgres_server, postgres_database, tmp_path
):
    assert duckdb.__version__ == "1.5.5"
    lake = f"ducklake:postgres:{postgres_server.conninfo(postgres_database)}"
    data = tmp_path / "data"
    con = _connect(tmp_path / "extensions")
    con.execute(f"ATTACH '{lake}' AS lake (DATA_PATH '{data}/')")
    con.execute("CREATE TABLE lake.events (event_id VARCHAR, fatalities INTEGER)")
    con.execute("BEGIN")
    # more rows than DuckLake inlines into the catalog (10), so that they go to a Parquet file
    con.execute("INSERT INTO lake.events SELECT 'e' || range, range % 3 FROM range(1000)")
    con.execute("COMMIT")
    first = con.execute("SELECT id FROM lake.current_snapshot()").fetchone()[0]
    con.execute("BEGIN")
    con.execute("INSERT INTO lake.events VALUES ('new', 7)")
    con.execute("DELETE FROM lake.events WHERE event_id IN ('e0', 'e1')")
    con.execute("COMMIT")
    second = con.execute("SELECT id FROM lake.current_snapshot()").fetchone()[0]
    assert second == first + 1

    def state(sql: str, c=con) -> tuple:
        return c.execute(f"SELECT count(*), sum(fatalities), min(event_id) FROM ({sql})").fetchone()

    assert state("SELECT * FROM lake.events") == (999, 999 - 1 + 7, "e10")
    assert state(f"SELECT * FROM lake.events AT (VERSION => {first})") == (1000, 999, "e0")
    con.close()

    # another connection, attached read-only at the first snapshot, reads it whole
    reader = _connect(tmp_path / "extensions")
    reader.execute(f"ATTACH '{lake}' AS lake (READ_ONLY, SNAPSHOT_VERSION {first})")
    assert state("SELECT * FROM lake.events", reader) == (1000, 999, "e0")
    reader.close()

    # the catalog is PostgreSQL's (the snapshots are rows there), the data are Parquet files in DATA_PATH
    listed = "SELECT string_agg(snapshot_id::text, ',' ORDER BY snapshot_id) FROM ducklake_snapshot"
    ids = postgres_server.sql(listed, dbname=postgres_database)
    assert ids.split(",")[-2:] == [str(first), str(second)]
    assert list(data.rglob("*.parquet"))
