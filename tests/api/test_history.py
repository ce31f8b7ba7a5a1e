"""The front door reads the past too: `pw.open_store(path, snapshot=N)` and `store.at(N)` answer as the
store was at N, `store.snapshots()` and `store.diff(N, M)` give the history as result values."""

from __future__ import annotations

from pathlib import Path

import pytest

import peacewatch as pw
from peacewatch.errors import ArgumentError, StoreError

DATA = Path(__file__).parents[1] / "data"
MARCH = {"country": "Afghanistan", "start": "2020-03-01", "end": "2020-03-04"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    """Release A (snapshot 1), then release B applied to it (snapshot 2)."""
    s = pw.open_store(tmp_path_factory.mktemp("api-history") / "store")
    s.ingest([DATA / "acled_release_a.csv"], name="acled-afg")
    s.store.ingest([DATA / "acled_release_b.csv"], release_of="acled-afg")
    return s


def test_a_store_opened_at_a_snapshot_answers_as_it_was_then(store):
    then = pw.open_store(store.path, snapshot=1)
    assert then.snapshot == 1 and store.snapshot == 2
    old, new = then.series(**MARCH, measure="fatalities"), store.series(**MARCH, measure="fatalities")
    assert sum(old.to_pandas()["value"]) == 18  # AFG1004 (15) and AFG1005 (3) in release A
    assert sum(new.to_pandas()["value"]) == 18  # the same two in B; B's new events come later
    assert old.to_dict()["snapshot"] == 1 and "--snapshot 1 " in old.command
    assert store.at(1).datasets()[0]["rows_ingested"] == 5
    assert repr(store.at(1)).endswith("at snapshot 1>")


def test_snapshots_and_diff_are_result_values(store):
    snaps = store.snapshots()
    assert [s["snapshot_id"] for s in snaps] == [0, 1, 2] and snaps.latest == 2
    table = snaps.to_pandas()
    assert table.set_index("snapshot_id").loc[2, ["added", "updated", "deleted"]].tolist() == [2, 3, 2]
    d = store.diff(1)
    assert d.rows == {"events": {"acled-afg": {"inserted": 2, "updated": 3, "deleted": 2}}}
    moves = d.to_pandas()
    assert moves[["month", "events_change", "fatalities_change"]].values.tolist() == [
        ["2020-03", 2, 37.0],
        ["2020-02", -2, -4.0],
    ]
    assert "2 inserted, 3 updated, 2 deleted; 2 cells moved" in repr(d)
    assert (
        store.diff(1, 2, country="Afghanistan", start="2020-03-01").to_dict()["moves"][0]["month"]
        == "2020-03"
    )


def test_wrong_snapshots_are_clear_errors(store):
    with pytest.raises(ArgumentError, match="from_snapshot='1': expected a snapshot id"):
        store.diff("1")
    with pytest.raises(StoreError, match="no snapshot 7; this store holds snapshots 0 to 2"):
        pw.open_store(store.path, snapshot=7).datasets()


def test_a_read_at_a_fixed_snapshot_adopts_no_taxonomy_but_accepts_one_it_had(store, tmp_path):
    from peacewatch.store import Store

    taxonomy = Path(__file__).parents[1] / "data" / "car-2019" / "actors.yaml"
    copy = tmp_path / "actors.yaml"  # the same file from another folder: the same taxonomy
    copy.write_bytes(taxonomy.read_bytes())
    with pytest.raises(StoreError, match=r"snapshot 2 was not resolved with .*actors\.yaml"):
        Store(store.path, snapshot=2).adopt_taxonomies([taxonomy])
    assert store.snapshots().latest == 2  # nothing was written
    latest = Store(store.path)
    latest.adopt_taxonomies([taxonomy])
    adopted = latest.snapshot
    assert adopted == 3
    assert Store(store.path, snapshot=adopted).adopt_taxonomies([copy]) is None
    assert store.snapshots().latest == adopted
