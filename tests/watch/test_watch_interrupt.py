"""Ctrl-C in the middle of a watch cycle: the message says what the cycle committed, not "unchanged"."""

from __future__ import annotations

from pathlib import Path

import pytest

from peacewatch.cli.app import main
from peacewatch.store import Store
from peacewatch.watch import cycle, sources

RELEASE = Path(__file__).parents[1] / "data" / "acled_release_a.csv"


@pytest.fixture
def synced_then_interrupted(watched_afghan_store, monkeypatch):
    """The case's dataset made to look synced: its sync commits a real snapshot (a small ACLED file
    ingested), then the evaluation that follows is interrupted."""
    path = watched_afghan_store.path
    dataset = next(e for e in watched_afghan_store.datasets() if e["dataset_id"].startswith("acled-afgh"))

    def sync(store, dataset_id):
        Store(path).ingest([RELEASE], dataset_id="acled-release-a")
        return {"new": 3, "changed": 0, "deleted": 0, "snapshot": Store(path).snapshot}

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    syncer = sources.Syncer(dataset["source"], lambda store, ds: ds == dataset["dataset_id"], sync)
    monkeypatch.setitem(sources.SYNCERS, dataset["source"], syncer)
    monkeypatch.setattr(cycle, "_watch_case", interrupted)
    return path, dataset["dataset_id"]


def test_ctrl_c_after_the_sync_committed_names_the_snapshot_and_what_was_not_done(
    synced_then_interrupted, capsys
):
    path, dataset = synced_then_interrupted
    code = main(["watch", "afghanistan-2020", "--once", "--store", str(path)])
    err = capsys.readouterr().err
    assert code == 1
    at = Store(path).snapshot
    assert f"synced {dataset} to snapshot {at}" in err
    assert "the cases were not re-evaluated" in err and "run `peacewatch watch` again" in err
    assert "the store is unchanged" not in err


def test_ctrl_c_before_anything_is_committed_still_says_the_store_is_unchanged(
    watched_afghan_store, monkeypatch, capsys
):
    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(cycle, "_watch_case", interrupted)
    before = Store(watched_afghan_store.path).snapshot
    code = main(
        ["watch", "afghanistan-2020", "--once", "--no-sync", "--store", str(watched_afghan_store.path)]
    )
    assert code == 1
    assert "interrupted; the store is unchanged." in capsys.readouterr().err
    assert Store(watched_afghan_store.path).snapshot == before
