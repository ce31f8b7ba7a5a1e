"""Releases as change sets, snapshots and pinned reads: a new release of a dataset changes only the
rows that changed, every ingest is one snapshot, and a read pinned at an earlier snapshot gives exactly
the results it gave before."""

from __future__ import annotations

import csv
import gzip
import io
from pathlib import Path

import pytest

from peacewatch import analysis
from peacewatch.errors import IngestError, StoreError
from peacewatch.indicators.filters import Filters
from peacewatch.store import Store

ARGENTINA = "acled_global_sample_2022/acled_argentina_2022-06_326_events.csv.gz"


def _ids(store: Store) -> list[str]:
    return store.query("SELECT event_id FROM events ORDER BY event_id").column("event_id").to_pylist()


def _results(store: Store) -> dict:
    f = Filters(country="Afghanistan")
    return {
        "datasets": store.datasets(),
        "series": analysis.series(f, by="day", store=store).to_dict(),
        "compare": analysis.compare(
            f, window="2020-03-02:2020-03-04", baseline="2020-02-23:2020-03-01", store=store
        ).to_dict(),
    }


def test_release_b_of_a_is_applied_as_a_change_set_and_a_s_snapshot_reads_as_before(tmp_path, test_data):
    store = Store(tmp_path / "s")
    a = store.ingest([test_data / "acled_release_a.csv"])[0]
    before = _results(store.pinned())
    b = store.ingest([test_data / "acled_release_b.csv"], release_of=a.dataset_id)[0]
    # B drops AFG1001-1002, revises 1003-1005 (notes, fatalities or ACLED's timestamp), adds 1006-1007.
    assert (b.dataset_id, b.release_of, b.snapshot_id) == (a.dataset_id, a.dataset_id, a.snapshot_id + 1)
    assert (b.rows_added, b.rows_updated, b.rows_deleted, b.rows_unchanged) == (2, 3, 2, 0)
    assert b.rows_superseded == 0 and any("new release of dataset acled-release-a" in n for n in b.notes)
    assert _ids(store) == [f"acled:AFG100{i}" for i in range(3, 8)]
    revised = store.query("SELECT fatalities_best, source_file FROM events WHERE event_id = 'acled:AFG1003'")
    (entry,) = store.datasets()
    assert revised.to_pylist() == [{"fatalities_best": 8.0, "source_file": entry["sha256"]}]
    assert (entry["dataset_id"], entry["releases"], entry["rows_ingested"], entry["snapshot_id"]) == (
        a.dataset_id,
        2,
        5,
        b.snapshot_id,
    )
    assert entry["path"].endswith("acled_release_b.csv") and entry["archive"].startswith("archive/")
    releases = store.query("SELECT release, snapshot_id, rows_added, rows_deleted FROM releases ORDER BY 1")
    assert releases.to_pylist() == [
        {"release": 1, "snapshot_id": a.snapshot_id, "rows_added": 5, "rows_deleted": 0},
        {"release": 2, "snapshot_id": b.snapshot_id, "rows_added": 2, "rows_deleted": 2},
    ]
    # Every result at A's snapshot is what it was before B, whatever was ingested since.
    at_a = store.at(a.snapshot_id)
    assert at_a.snapshot == a.snapshot_id and _results(at_a) == before
    assert _results(store.pinned()) != before
    # Release A given again is no change: it is not applied back over B.
    again = store.ingest([test_data / "acled_release_a.csv"])[0]
    assert (again.status, again.dataset_id) == ("unchanged", a.dataset_id)
    assert Store(store.path).snapshot == b.snapshot_id and _ids(store) == [
        f"acled:AFG100{i}" for i in range(3, 8)
    ]


def test_the_snapshots_say_what_each_ingest_did_and_the_changes_between_them(tmp_path, test_data):
    store = Store(tmp_path / "s")
    a = store.ingest([test_data / "acled_release_a.csv"], message="peacewatch ingest release-a")[0]
    b = store.ingest([test_data / "acled_release_b.csv"], release_of=a.dataset_id, message="release b")[0]
    listed = {s["snapshot_id"]: s for s in store.snapshots()}
    assert listed[a.snapshot_id]["command"] == "peacewatch ingest release-a"
    assert listed[b.snapshot_id]["command"] == "release b"
    assert listed[b.snapshot_id]["changes"] == {
        a.dataset_id: {"added": 2, "updated": 3, "deleted": 2, "unchanged": 0}
    }
    assert (
        listed[b.snapshot_id]["time"] >= listed[a.snapshot_id]["time"]
        and "T" in listed[a.snapshot_id]["time"]
    )
    moved = store.changes(a.snapshot_id, b.snapshot_id)
    assert moved["tables"]["events"] == {a.dataset_id: {"inserted": 2, "updated": 3, "deleted": 2}}
    rows = {r["event_id"]: r["change"] for r in moved["events"].select(["event_id", "change"]).to_pylist()}
    assert rows == {
        "acled:AFG1001": "deleted",
        "acled:AFG1002": "deleted",
        "acled:AFG1003": "updated",
        "acled:AFG1004": "updated",
        "acled:AFG1005": "updated",
        "acled:AFG1006": "inserted",
        "acled:AFG1007": "inserted",
    }
    with pytest.raises(StoreError, match=r"no snapshot 99; this store holds snapshots 0 to 2"):
        store.changes(a.snapshot_id, 99)
    with pytest.raises(StoreError, match=r"no snapshot 42; this store holds snapshots 0 to 2"):
        Store(store.path, snapshot=42).datasets()
    # A time reads the last snapshot committed at or before it.
    assert Store(store.path, snapshot=listed[a.snapshot_id]["time"]).snapshot == a.snapshot_id
    assert Store(store.path, snapshot="2100-01-01T00:00:00Z").snapshot == b.snapshot_id
    with pytest.raises(StoreError, match="no snapshot at or before 1999-01-01"):
        Store(store.path, snapshot="1999-01-01").datasets()
    with pytest.raises(StoreError, match="expected a snapshot time as an ISO timestamp"):
        Store(store.path, snapshot="last tuesday").datasets()


def _re_export(src: Path, target: Path) -> tuple[int, int, int]:
    """A new ACLED export of the same country: 5 events dropped, 3 with revised fatalities, 2 new."""
    with gzip.open(src, "rt", encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    header, body = rows[0], rows[1:]
    fat, eid = header.index("fatalities"), header.index("event_id_cnty")
    kept = body[5:]
    for r in kept[:3]:
        r[fat] = str(float(r[fat] or 0) + 1)
    new = [list(r) for r in kept[10:12]]
    for n, r in enumerate(new):
        r[eid] = f"ARGNEW{n}"
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([header, *kept, *new])
    target.write_bytes(gzip.compress(out.getvalue().encode("utf-8")))
    return 2, 3, 5


def test_a_re_export_with_most_of_a_dataset_s_ids_is_found_as_its_release(tmp_path, data_file):
    store = Store(tmp_path / "s")
    first = store.ingest([data_file(ARGENTINA)])[0]
    assert (first.rows_ingested, first.rows_added) == (326, 326)
    re_export = tmp_path / "acled_argentina_2022-06_reexport.csv.gz"
    added, updated, deleted = _re_export(data_file(ARGENTINA), re_export)
    second = store.ingest([re_export])[0]
    assert (
        second.release_of == first.dataset_id
        and "321 of its 326 current event ids (98.5%" in second.notes[-1]
    )
    assert (second.rows_added, second.rows_updated, second.rows_deleted) == (added, updated, deleted)
    assert second.rows_unchanged == 326 - deleted - updated
    # Unchanged events still point at the first file (same text there); changed ones at the new one.
    files = store.query("SELECT source_file, count(*) AS n FROM events GROUP BY 1 ORDER BY 2").to_pylist()
    assert {(r["source_file"][:8], r["n"]) for r in files} == {
        (store.datasets()[0]["sha256"][:8], added + updated),
        (_sha(data_file(ARGENTINA))[:8], 326 - deleted - updated),
    }
    assert len(store.datasets()) == 1 and store.datasets()[0]["rows_ingested"] == 323


def _sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_release_of_a_dataset_that_does_not_exist_is_refused_and_writes_nothing(tmp_path, test_data):
    store = Store(tmp_path / "s")
    store.ingest([test_data / "acled_release_a.csv"])
    snapshots = store.snapshots()
    with pytest.raises(IngestError, match=r"--release-of nope: no such dataset .*acled-release-a"):
        store.ingest([test_data / "acled_release_b.csv"], release_of="nope")
    assert Store(store.path).snapshots() == snapshots


def test_an_ingest_without_archive_keeps_only_the_path(tmp_path, test_data):
    store = Store(tmp_path / "s")
    report = store.ingest([test_data / "acled_release_a.csv"], archive=False)[0]
    assert report.archive is None and store.datasets()[0]["archive"] is None
    assert not (store.path / "archive").exists()
    archived = store.ingest([test_data / "acled_release_b.csv"])[0]
    assert (store.path / archived.archive).read_bytes() == (test_data / "acled_release_b.csv").read_bytes()


def test_compact_expires_old_snapshots_and_removes_unreferenced_files_keeping_the_current_state(
    tmp_path, test_data
):
    store = Store(tmp_path / "s")
    a = store.ingest([test_data / "acled_release_a.csv"])[0]
    b = store.ingest([test_data / "acled_release_b.csv"], release_of=a.dataset_id)[0]
    current = store.query("SELECT * EXCLUDE (content_hash) FROM events ORDER BY event_id").to_pylist()
    stray = store.path / "archive" / f"{'0' * 64}.csv"  # a copy whose ingest never committed
    stray.write_text("event_id_cnty\n")
    orphan = store.path / "data" / "main" / "events" / "killed-writer.parquet"
    orphan.parent.mkdir(parents=True, exist_ok=True)
    orphan.write_bytes(b"PAR1")
    done = store.compact(keep=1)
    assert (done["expired"], done["kept"]) == ([0, a.snapshot_id], [b.snapshot_id])
    assert str(stray) in done["removed"] and str(orphan) in done["removed"]
    assert not stray.exists() and not orphan.exists() and len(list((store.path / "archive").iterdir())) == 2
    after = Store(store.path)
    assert after.query("SELECT * EXCLUDE (content_hash) FROM events ORDER BY event_id").to_pylist() == current
    assert [s["snapshot_id"] for s in after.snapshots()] == [b.snapshot_id]
    with pytest.raises(StoreError, match=f"no snapshot {a.snapshot_id}; this store holds snapshots 2 to 2"):
        Store(store.path, snapshot=a.snapshot_id).datasets()
