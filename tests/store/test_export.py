"""`peacewatch export`: the store at one snapshot as partitioned Parquet with a manifest written last,
and what an engine reading it may trust (no Spark needed here; tests/engines/ runs Spark on it)."""

from __future__ import annotations

import json
import shutil

import duckdb
import pytest

from peacewatch.cli.app import main
from peacewatch.errors import StoreError
from peacewatch.store import Store
from peacewatch.store.export import cached_export, export, read_manifest
from peacewatch.store.spark import SparkStore, open_reader

AFGHAN = "acled-afghanistan-2017-01-01-2026-03-13-reduced"


@pytest.fixture(scope="module")
def store(tmp_path_factory, afghan_store, data_file, test_data):
    """The Afghanistan sample plus ACLED's weekly aggregates (a counts table), in a private copy."""
    s = Store(tmp_path_factory.mktemp("export") / "s")
    shutil.copytree(afghan_store.path, s.path)
    s.ingest(
        [data_file("acled_afghanistan_weekly_aggregates/acled_afghanistan_weekly_2017_2024.csv.gz")],
        mapping=test_data / "mapped_acled_afghanistan_weekly.yaml",
    )
    return s


@pytest.fixture(scope="module")
def exported(store, tmp_path_factory):
    folder = tmp_path_factory.mktemp("out") / "afg"
    return folder, export(store, folder)


def test_the_manifest_counts_every_table_as_the_store_does(store, exported):
    folder, manifest = exported
    assert read_manifest(folder) == manifest == json.loads((folder / "manifest.json").read_text())
    assert manifest["store"] == str(store.path) and manifest["duckdb"] == duckdb.__version__
    assert manifest["snapshot"] == store.snapshot
    with store.raw() as con:
        for table, entry in manifest["tables"].items():
            assert entry["rows"] == con.execute(f"SELECT count(*) FROM {table}").fetchone()[0], table
    assert manifest["tables"]["events"]["rows"] == 69_172
    assert manifest["tables"]["counts"]["rows"] > 0
    assert set(manifest["tables"]) >= {"events", "counts", "datasets", "quarantine"}


def test_events_are_partitioned_by_dataset_and_year_and_agree_with_the_store_per_partition(store, exported):
    folder, _ = exported
    years = sorted(p.name for p in (folder / "events" / f"dataset_id={AFGHAN}").iterdir())
    assert years[0] == "year=2017" and years[-1] == "year=2026" and len(years) == 10
    con = duckdb.connect()
    written = con.execute(
        f"SELECT dataset_id, year, count(*), sum(fatalities_best) FROM read_parquet("
        f"'{folder}/events/**/*.parquet', hive_partitioning = true) GROUP BY ALL ORDER BY ALL"
    ).fetchall()
    with store.raw() as c:
        stored = c.execute(
            "SELECT dataset_id, year(date_start), count(*), sum(fatalities_best) FROM events "
            "GROUP BY ALL ORDER BY ALL"
        ).fetchall()
    assert [(d, int(y), n, f) for d, y, n, f in written] == stored


def test_a_non_empty_folder_is_refused_unless_overwrite_and_then_replaced_whole(store, tmp_path):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine")
    with pytest.raises(StoreError, match=r"not empty.*--overwrite"):
        export(store, folder)
    assert (folder / "notes.txt").read_text() == "mine"
    export(store, folder, overwrite=True)
    assert not (folder / "notes.txt").exists() and read_manifest(folder) is not None
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no working folder left


def test_a_half_written_export_is_not_taken_for_one(exported, tmp_path):
    folder, _ = exported
    half = tmp_path / "half"
    shutil.copytree(folder, half)
    (half / "manifest.json").unlink()  # an export killed before its manifest was written
    assert read_manifest(half) is None
    with pytest.raises(StoreError, match="not a peacewatch export"):
        SparkStore(half)
    shutil.rmtree(half / "events")
    shutil.copy(folder / "manifest.json", half)
    with pytest.raises(StoreError, match="lists events, whose files are gone"):
        read_manifest(half)


def test_the_catalog_read_from_an_export_is_the_stores_own(store, exported):
    folder, _ = exported
    reader = SparkStore(folder)  # no Spark session: the catalog is read from its Parquet file
    assert reader.datasets() == store.datasets()
    assert reader.taxonomy_files() == store.taxonomy_files()
    assert reader.path == folder and SparkStore(folder, source=store).path == store.path


def test_the_cached_export_is_made_once_per_snapshot_and_again_after_a_write(
    tmp_path, afghan_store, test_data
):
    s = Store(tmp_path / "s")
    shutil.copytree(afghan_store.path, s.path)
    first, manifest = cached_export(s)
    assert first == tmp_path / "s" / "exports" / str(s.snapshot)
    assert cached_export(Store(s.path)) == (first, manifest)  # reused, not written again
    s.ingest([test_data / "acled_release_a.csv"])
    second, after = cached_export(Store(s.path))
    assert second != first and after["snapshot"] > manifest["snapshot"]
    assert after["tables"]["events"]["rows"] > manifest["tables"]["events"]["rows"]
    # The older snapshot's export is what that snapshot held, whatever was ingested since.
    assert (
        export(Store(s.path, snapshot=manifest["snapshot"]), tmp_path / "old")["tables"] == manifest["tables"]
    )


def test_an_export_refuses_taxonomy_files_it_was_not_made_with(exported, test_data):
    folder, _ = exported
    with pytest.raises(StoreError, match="cannot adopt the taxonomy"):
        SparkStore(folder).adopt_taxonomies([test_data / "car-2019" / "actors.yaml"])


def test_engines_are_named_and_the_duckdb_engine_sends_an_export_back_to_its_store(exported):
    folder, _ = exported
    with pytest.raises(StoreError, match="expected one of duckdb, spark"):
        open_reader(folder, "polars")
    with pytest.raises(StoreError, match="an export folder; the DuckDB engine reads the store"):
        open_reader(folder, "duckdb")


def test_the_export_command_writes_and_refuses_with_exit_1(capsys, store, tmp_path):
    out = tmp_path / "x"
    assert main(["export", "--store", str(store.path), str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["tables"]["events"]["rows"] == 69_172
    assert main(["export", "--store", str(store.path), str(out)]) == 1
    assert "not empty" in capsys.readouterr().err
    before = max(s["snapshot_id"] for s in store.snapshots() if s["snapshot_id"] < store.snapshot)
    assert main(["export", "--store", str(store.path), "--snapshot", str(before), str(tmp_path / "y")]) == 0
    earlier = read_manifest(tmp_path / "y")
    assert earlier["snapshot"] == before  # before the aggregates were ingested
    assert (earlier["tables"]["events"]["rows"], earlier["tables"]["counts"]["rows"]) == (69_172, 0)


def test_an_export_never_moves_another_one_from_under_its_readers(tmp_path):
    from peacewatch.store.export import ExportRaceError, _put_in_place

    dest, mine = tmp_path / "5", tmp_path / ".5.tmp-1"
    (dest / "events").mkdir(parents=True)  # another process's whole export, put there first
    (dest / "manifest.json").write_text("{}")
    (mine / "events").mkdir(parents=True)
    with pytest.raises(ExportRaceError, match="another export was put there"):
        _put_in_place(mine, dest, replace=False)
    assert (dest / "manifest.json").read_text() == "{}"
    _put_in_place(mine, dest, replace=True)  # --overwrite: replaced once the new one is whole
    assert not (dest / "manifest.json").exists() and not list(tmp_path.glob(".5.old-*"))


def test_the_python_front_door_exports_a_snapshot(store, tmp_path):
    import peacewatch as pw

    manifest = pw.open_store(store.path).export(tmp_path / "z")
    assert manifest == read_manifest(tmp_path / "z") and manifest["snapshot"] == store.snapshot
    assert (
        pw.open_store(store.path).export(tmp_path / "z", overwrite=True)["tables"]["events"]["rows"] == 69_172
    )
