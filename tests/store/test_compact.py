"""`peacewatch store compact --keep N` drops the past, never the present: every result of the current
state is the same after it, the snapshots it drops are listed with their time and command (results
citing them can no longer be reproduced, and reading them fails clearly), and the files only they
needed are deleted. The compaction is Store.compact (store/snapshots.py); these tests hold the report
of it (store/maintenance.py) and the command.

The store: the ACLED Argentina sample (326 events), then two releases of it written here: B drops its
first 30 rows and adds one death to each of the next 10; C drops B's first 30 rows (those 10 among them).
"""

from __future__ import annotations

import csv
import gzip
import json
import shutil
from pathlib import Path

import pytest

from peacewatch.cli.app import main
from peacewatch.errors import StoreError
from peacewatch.store import Store
from peacewatch.store.maintenance import compact_report

ARGENTINA = "acled_global_sample_2022/acled_argentina_2022-06_326_events.csv.gz"
DATASET = "argentina"


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.fixture(scope="module")
def three_releases(tmp_path_factory, data_file):
    work = tmp_path_factory.mktemp("compact")
    source = data_file(ARGENTINA)
    with gzip.open(source, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    b = [dict(r) for r in rows[30:]]
    for r in b[:10]:
        r["fatalities"] = str(int(float(r["fatalities"] or 0)) + 1)
    store = Store(work / "store")
    store.ingest([source], dataset_id=DATASET)
    store.ingest([_write(work / "release_b.csv", b)], release_of=DATASET)
    store.ingest([_write(work / "release_c.csv", b[30:])], release_of=DATASET)
    return store.path


@pytest.fixture
def store(three_releases, tmp_path) -> Store:
    """A copy of the three-release store of its own (a moved store folder opens in place)."""
    return Store(shutil.copytree(three_releases, tmp_path / "store"))


def _state(s: Store) -> dict:
    """The current state as results see it: the catalog, every event, the store's taxonomy files."""
    s = s.at(s.snapshot)
    return {
        "datasets": s.datasets(),
        "events": s.query("SELECT * FROM events ORDER BY event_id").to_pylist(),
        "quarantine": s.query("SELECT * FROM quarantine ORDER BY source_row").to_pylist(),
    }


def _files(s: Store) -> set[Path]:
    return {p for p in s.path.rglob("*") if p.is_file() and p.parent.name != "tmp"}


def test_compact_keeps_the_current_state_and_lists_the_snapshots_it_drops(store):
    before, latest, files = _state(store), store.snapshot, _files(store)
    report = compact_report(store, 1)
    assert report.kept == [latest]
    assert [e["snapshot_id"] for e in report.expired] == [0, 1, 2]
    assert report.expired[0]["command"] is None and report.expired[1]["command"]
    assert all(e["time"] for e in report.expired)
    assert _state(Store(store.path)) == before
    assert [s["snapshot_id"] for s in Store(store.path).snapshots()] == [latest]
    # Release B's delete file: C's deletions replaced it, and no kept snapshot reads it.
    gone = {Path(p) for p in report.data_files + report.archive_files}
    assert report.data_files and gone <= files and not gone & _files(store)
    assert report.bytes_freed > 0
    assert len(list((store.path / "archive").iterdir())) == 3  # every release's source stays


def test_a_dry_run_lists_what_would_go_and_changes_nothing(store):
    snaps, files = store.snapshots(), _files(store)
    dry = compact_report(store, 2, dry_run=True)
    assert dry.dry_run and dry.kept == [2, 3] and [e["snapshot_id"] for e in dry.expired] == [0, 1]
    assert Store(store.path).snapshots() == snaps and _files(store) == files
    real = compact_report(store, 2)
    assert (real.expired, real.data_files, real.archive_files) == (
        dry.expired,
        dry.data_files,
        dry.archive_files,
    )
    assert real.bytes_freed == dry.bytes_freed


def test_an_expired_snapshot_can_no_longer_be_read_and_says_so(store):
    compact_report(store, 1)
    with pytest.raises(StoreError, match="no snapshot 1; this store holds snapshots 3 to 3"):
        Store(store.path, snapshot=1).datasets()


def test_files_an_interrupted_writer_left_are_deleted_and_every_kept_snapshot_reads_the_same(store):
    folder = store.path / "data" / "main" / "events"
    orphan = folder / "ducklake-00000000-0000-0000-0000-000000000000.parquet"
    shutil.copyfile(next(folder.glob("*.parquet")), orphan)
    states = {n: _state(Store(store.path, snapshot=n)) for n in (1, 2, 3)}
    dry = compact_report(store, 4, dry_run=True)  # keeps every snapshot
    assert dry.expired == [] and str(orphan) in dry.data_files and orphan.exists()
    report = compact_report(store, 4)
    assert report.data_files == dry.data_files and report.bytes_freed == dry.bytes_freed
    assert not orphan.exists()
    assert {n: _state(Store(store.path, snapshot=n)) for n in (1, 2, 3)} == states


def test_the_command_lists_the_dropped_snapshots_and_warns_they_cannot_be_reproduced(store, capsys):
    assert main(["store", "compact", "--keep", "2", "--dry-run", "--store", str(store.path)]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert "Would drop 2 snapshot(s); kept: 2-3" in out
    assert "names snapshot 0-1 would no longer be reproduced" in out
    assert main(["store", "compact", "--keep", "1", "--store", str(store.path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert [e["snapshot_id"] for e in payload["expired"]] == [0, 1, 2] and not payload["dry_run"]
    assert main(["store", "compact", "--keep", "1", "--store", str(store.path)]) == 0
    assert "Nothing to drop" in capsys.readouterr().out


@pytest.mark.parametrize("keep", ["0", "-1"])
def test_keep_must_leave_the_current_snapshot(store, capsys, keep):
    assert main(["store", "compact", "--keep", keep, "--store", str(store.path)]) == 1
    assert "--keep" in capsys.readouterr().err
