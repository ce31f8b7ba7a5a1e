"""The store folder: its ATTACH statement, archive, writer lock, working folders, and the refusal of a
store written by an earlier peacewatch (one DuckDB file) with the commands that rebuild it."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pytest

from peacewatch.errors import StoreError
from peacewatch.store import Store, extensions
from peacewatch.store.files import suffixes
from peacewatch.store.legacy import rebuild_commands
from peacewatch.store.location import LocalStore, file_lock


def test_the_attach_statement_is_built_without_a_database():
    loc = LocalStore(Path("/data/lake"))
    assert loc.attach_sql(read_only=False) == (
        "ATTACH 'ducklake:sqlite:/data/lake/catalog.sqlite' AS lake "
        "(DATA_PATH '/data/lake/data/', OVERRIDE_DATA_PATH true)"
    )
    assert loc.attach_sql(read_only=True, snapshot=7).endswith("READ_ONLY, SNAPSHOT_VERSION 7)")


def test_a_quote_in_the_store_path_is_escaped_and_a_nul_refused():
    sql = LocalStore(Path("/tmp/it's here")).attach_sql(read_only=True)
    assert "'ducklake:sqlite:/tmp/it''s here/catalog.sqlite'" in sql and "'/tmp/it''s here/data/'" in sql
    with pytest.raises(StoreError, match="NUL"):
        LocalStore(Path("/tmp/a\x00b")).attach_sql(read_only=True)


def test_a_store_whose_path_has_a_quote_ingests_and_reads(tmp_path, test_data):
    store = Store(tmp_path / "analyst's store")
    store.ingest([test_data / "acled_release_a.csv"])
    assert Store(store.path).query("SELECT count(*) AS n FROM events").to_pylist() == [{"n": 5}]


def test_a_moved_store_folder_opens_where_it_now_is(tmp_path, test_data):
    store = Store(tmp_path / "s")
    store.ingest([test_data / "acled_release_a.csv"])
    store.close()
    moved = tmp_path / "elsewhere"
    store.path.rename(moved)
    assert Store(moved).query("SELECT count(*) AS n FROM events").to_pylist() == [{"n": 5}]


def test_archive_names_keep_the_file_type():
    assert suffixes(Path("/d/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz")) == ".csv.gz"
    assert suffixes(Path("/d/GEDEvent_v23_1_CAR.geojson.gz")) == ".geojson.gz"
    assert suffixes(Path("/d/ged_v25.1.csv")) == ".csv"
    assert suffixes(Path("/d/README")) == ""


def test_a_file_ingested_twice_under_other_names_is_archived_once(tmp_path, test_data):
    copy = tmp_path / "copy.csv"
    copy.write_bytes((test_data / "acled_release_a.csv").read_bytes())
    store = Store(tmp_path / "s")
    first, again = store.ingest([test_data / "acled_release_a.csv", copy])
    assert again.status == "unchanged" and len(list((store.path / "archive").iterdir())) == 1
    assert (store.path / first.archive).read_bytes() == copy.read_bytes()


def test_a_second_writer_waits_for_the_lock_then_names_its_holder(tmp_path):
    lock = tmp_path / "writer.lock"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from pathlib import Path; from peacewatch.store.location import file_lock\n"
            "with file_lock(Path(sys.argv[1]), 0, 'peacewatch ingest big.csv'):\n"
            "    print('held', flush=True); time.sleep(60)",
            str(lock),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "held"
        started = time.monotonic()
        with pytest.raises(StoreError) as info, file_lock(lock, 0.6):
            pass
        assert 0.5 < time.monotonic() - started < 10
        assert f"pid {holder.pid}: peacewatch ingest big.csv" in str(info.value)
        assert str(lock) in str(info.value) and "--wait" in info.value.hint
    finally:
        holder.kill()
        holder.wait()
    with file_lock(lock, 0):  # the lock of a killed holder is free at once
        assert lock.read_text().startswith(f"pid {os.getpid()}:")


def test_a_dead_writer_s_working_folder_is_removed_by_the_next_writer(tmp_path, test_data):
    store = Store(tmp_path / "s")
    store.ingest([test_data / "acled_release_a.csv"])
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    left = store.path / "tmp" / f"spill-{dead.pid}"
    left.mkdir(parents=True)
    (left / "x.tmp").write_bytes(b"spill")
    store.ingest([test_data / "acled_release_b.csv"])
    assert not left.exists()


def test_a_missing_extension_package_names_the_pip_package(monkeypatch):
    import importlib

    real = importlib.import_module
    monkeypatch.setattr(extensions, "_found", {})
    monkeypatch.setattr(
        importlib,
        "import_module",
        lambda name, *a: (
            (_ for _ in ()).throw(ImportError(name)) if name.startswith("duckdb_ext") else real(name)
        ),
    )
    with pytest.raises(StoreError, match=r"duckdb-extension-ducklake is not installed") as info:
        extensions.extension_file("ducklake")
    assert f"duckdb-extension-ducklake=={duckdb.__version__}" in info.value.hint


def _old_store(path: Path, rows: list[tuple]) -> Path:
    """A store as the earlier peacewatch wrote it: one DuckDB file with a datasets catalog."""
    con = duckdb.connect(str(path))
    con.execute(
        "CREATE TABLE datasets (dataset_id VARCHAR, source VARCHAR, reader VARCHAR, path VARCHAR, "
        "sha256 VARCHAR, notes VARCHAR[], ingested_at TIMESTAMP)"
    )
    con.execute("CREATE TABLE events (event_id VARCHAR, raw JSON, superseded_by VARCHAR)")
    for n, r in enumerate(rows):
        con.execute(
            f"INSERT INTO datasets VALUES (?, ?, ?, ?, 'x', ?, TIMESTAMP '2026-01-0{n + 1}')", list(r)
        )
    con.close()
    return path


def test_a_store_written_by_the_earlier_peacewatch_is_refused_with_the_commands_that_rebuild_it(
    tmp_path, data_file, test_data
):
    ged = data_file("ucdp_ged_syria_2016_2019/ucdp_ged_syria_2016-01-01_2019-11-30.csv.gz")
    mapping = Path("examples/mappings/acled_afghanistan_weekly.yaml").resolve()
    old = _old_store(
        tmp_path / "old.duckdb",
        [
            ("ged", "ucdp_ged", "ucdp_ged.csv", str(ged), []),
            (
                "weekly",
                "mapped:acled_weekly",
                "mapped",
                "/d/weekly.csv.gz",
                [f"mapped by {mapping} (sha256 ab12)"],
            ),
            ("a", "acled", "acled.csv", str(test_data / "acled_release_a.csv"), []),
        ],
    )
    with pytest.raises(StoreError) as info:
        Store(old).datasets()
    message = str(info.value)
    assert "written by an earlier peacewatch (one DuckDB file); rebuild it:" in message
    new = tmp_path / "old-store"
    assert f"peacewatch ingest --store {new} {ged} {test_data / 'acled_release_a.csv'}" in message
    assert f"peacewatch ingest --store {new} --mapping {mapping} /d/weekly.csv.gz" in message
    with pytest.raises(StoreError, match="earlier peacewatch"):
        Store(old).ingest([test_data / "acled_release_b.csv"])
    # The printed command does rebuild it.
    command = next(line.strip() for line in message.splitlines() if "acled_release_a" in line)
    from peacewatch.cli.app import main

    assert main(shlex.split(command)[1:]) == 0
    assert {d["dataset_id"] for d in Store(new).datasets()} == {
        "ucdp-ged-syria-2016-01-01-2019-11-30",
        "acled-release-a",
    }


def test_rebuild_commands_group_files_by_how_they_must_be_read():
    rows = [
        {"path": "/d/a b.csv", "source": "acled", "notes": []},
        {"path": "/d/m.csv", "source": "mapped:x", "notes": ["mapped by /m/x.yaml (sha256 00ff)"]},
        {"path": "/d/n.csv", "source": "mapped:y", "notes": []},
    ]
    assert rebuild_commands(rows, Path("/s")) == [
        "peacewatch ingest --store /s '/d/a b.csv'",
        "peacewatch ingest --store /s --mapping /m/x.yaml /d/m.csv",
        "peacewatch ingest --store /s --mapping '<the mapping file of mapped:y>' /d/n.csv",
    ]
