"""A sync's catalog row (first and last dates, countries) is the dataset's exact coverage after each
change, whether it follows from the change set (store/catalog.py: coverage_after) or needs a scan:
deleting the event with the first date, moving an event before it, dropping a country's last events
and bringing them back."""

from __future__ import annotations

import time

import pytest
from acled_service import EMAIL, PASSWORD, FakeAcled, make_events
from pytest_httpserver import HTTPServer

from peacewatch.store import Store
from peacewatch.sync import acled
from peacewatch.sync.http import ServiceClient

COUNTRIES = ["Afghanistan", "Pakistan"]


@pytest.fixture
def fake():
    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        events = make_events(60)
        events.update(make_events(20, country="Pakistan", iso="586", prefix="PAK", seed=3))
        yield FakeAcled(server, events)
    finally:
        server.clear()
        server.stop()


def _sync(store: Store, fake) -> str:
    dataset = store.query("SELECT dataset_id FROM datasets").to_pylist() if store.exists() else []
    last = store.last_sync("acled", dataset[0]["dataset_id"]) if dataset else None
    client = ServiceClient(fake.base_url, wait_initial=0.01, wait_max=0.05)
    pull = acled.pull(
        email=EMAIL,
        password=PASSWORD,
        countries=COUNTRIES,
        cursor=last["cursor"] if last else None,
        base_url=fake.base_url,
        client=client,
        clock=time.time,
    )
    return store.sync(pull).dataset_id


def _assert_catalog_is_the_scan(store: Store, dataset: str) -> dict:
    catalog = store.query(
        "SELECT date_min, date_max, countries FROM datasets WHERE dataset_id = ?", [dataset]
    ).to_pylist()[0]
    scan = store.query(
        "SELECT min(date_start) AS date_min, max(date_end) AS date_max, "
        "list_sort(list(DISTINCT coalesce(iso3, country))) AS countries FROM events WHERE dataset_id = ?",
        [dataset],
    ).to_pylist()[0]
    assert catalog == scan
    return catalog


def _by_date(fake) -> list[str]:
    return sorted(fake.events, key=lambda k: (fake.events[k]["event_date"], k))


def test_the_catalog_row_of_a_synced_dataset_is_its_exact_coverage_after_every_change(tmp_path, fake):
    store = Store(tmp_path / "store")
    dataset = _sync(store, fake)
    first = _assert_catalog_is_the_scan(store, dataset)
    assert first["countries"] == ["AFG", "PAK"]

    # the event holding the first date is deleted, and nothing added reaches back that far
    fake.delete(_by_date(fake)[0])
    _sync(store, fake)
    after = _assert_catalog_is_the_scan(store, dataset)
    assert after["date_min"] >= first["date_min"]

    # an edit moves an event before every other, another past every other
    early, late = _by_date(fake)[5], _by_date(fake)[6]
    fake.edit(early, event_date="2018-06-01", year="2018")
    fake.edit(late, event_date="2021-06-01", year="2021")
    _sync(store, fake)
    moved = _assert_catalog_is_the_scan(store, dataset)
    assert (str(moved["date_min"]), str(moved["date_max"])) == ("2018-06-01", "2021-06-01")

    # the last date's event is edited back inside the range: the last date falls
    fake.edit(late, event_date="2019-06-01", year="2019")
    _sync(store, fake)
    assert str(_assert_catalog_is_the_scan(store, dataset)["date_max"]) < "2021-06-01"

    # every Pakistani event is deleted: the country leaves the row; added back, it returns
    for eid in [k for k in fake.events if k.startswith("PAK")]:
        fake.delete(eid)
    _sync(store, fake)
    assert _assert_catalog_is_the_scan(store, dataset)["countries"] == ["AFG"]
    fake.add(make_events(3, country="Pakistan", iso="586", prefix="PAKB", seed=4))
    fake.edit(_by_date(fake)[10], notes="revised")
    _sync(store, fake)
    assert _assert_catalog_is_the_scan(store, dataset)["countries"] == ["AFG", "PAK"]


def test_a_sync_that_only_deletes_leaves_the_catalog_row_counting_and_covering_the_dataset(tmp_path):
    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        # a day and more between changes: the next read's margin holds only the newest event
        events = make_events(30, ts_step=100_000)
        events.update(make_events(5, country="Pakistan", iso="586", prefix="PAK", seed=3, ts_step=100_000))
        fake = FakeAcled(server, events)
        store = Store(tmp_path / "store")
        dataset = _sync(store, fake)
        newest = max(fake.events, key=lambda k: int(fake.events[k]["timestamp"]))
        first_date = _by_date(fake)[0]
        for eid in {newest, first_date, *(k for k in fake.events if k.startswith("PAK"))}:
            fake.delete(eid)
        report = _sync(store, fake) and store.snapshots()[-1]["changes"][dataset]
        assert (report["added"], report["updated"]) == (0, 0) and report["deleted"] >= 6
        assert _assert_catalog_is_the_scan(store, dataset)["countries"] == ["AFG"]
        (count,) = (
            store.query("SELECT count(*) FROM events WHERE dataset_id = ?", [dataset]).to_pylist()[0].values()
        )
        row = store.query("SELECT rows_ingested FROM datasets WHERE dataset_id = ?", [dataset]).to_pylist()[0]
        assert row["rows_ingested"] == count == len(fake.events)
    finally:
        server.clear()
        server.stop()
