"""The watch's re-sync of a UCDP dataset: the registry syncs it again from its ``syncs`` row (filters,
service, cursor) with the latest version the service offers, and the store then holds the new events."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))

from ucdp_service import TOKEN, UcdpService, events
from ucdpgdelt_checks import events as stored
from ucdpgdelt_checks import run

from peacewatch.store import Store
from peacewatch.watch import sources

GED = "ucdp-ged-api-all"


@pytest.fixture(autouse=True)
def ucdp_token(monkeypatch, tmp_path):
    monkeypatch.setenv("UCDP_TOKEN", TOKEN)
    monkeypatch.setenv("PEACEWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PEACEWATCH_KEYRING", "0")


def test_a_watch_resyncs_a_ucdp_dataset_with_the_newest_release_and_sees_its_new_events(
    httpserver, tmp_path, capsys
):
    first = events(12, date(2021, 1, 1), 300)
    service = UcdpService({"24.1": first})
    base = service.install(httpserver)
    store = tmp_path / "store"
    code, _, err = run(capsys, "sync", "ucdp", "--base-url", base, "--store", str(store), "--version", "24.1")
    assert code == 0, err
    added = events(3, date(2023, 3, 1), 60, seed=9, first_id=5000)
    service.versions["25.1"] = first + added

    summaries = sources.sync_datasets(Store(store), [GED])

    assert [(s["dataset"], s["source"], s["new"], s["deleted"]) for s in summaries] == [
        (GED, "ucdp_ged", 3, 0)
    ]
    assert {r[0] for r in stored(store, GED)} == {str(e["id"]) for e in first + added}
    assert Store(store).last_sync("ucdp_ged", GED)["cursor"]["version"] == "25.1"


def test_the_registry_lists_the_datasets_a_ucdp_sync_made(httpserver, tmp_path, capsys):
    service = UcdpService({"24.1": events(4, date(2021, 1, 1), 30)})
    base = service.install(httpserver)
    store = tmp_path / "store"
    assert sources.synced_datasets(Store(store), "ucdp_ged") == []
    code, _, err = run(capsys, "sync", "ucdp", "--base-url", base, "--store", str(store), "--version", "24.1")
    assert code == 0, err
    assert sources.synced_datasets(Store(store), "ucdp_ged") == [GED]
    assert set(sources.SYNCERS) >= {"acled", "ucdp_ged", "gdelt"}
