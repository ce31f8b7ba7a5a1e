"""A sync reads its cursor and writes on one connection (Store._take_connection): the lake's
extensions, the costly part of opening it, are loaded once; a Store whose connection another Store
reads through (a pinned one) keeps it and writes on a new one."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))

from acled_service import EMAIL, PASSWORD, FakeAcled, make_events

from peacewatch.store import Store, extensions
from peacewatch.sync import acled
from peacewatch.sync.http import ServiceClient

DATASET = "acled-api-afghanistan"


@pytest.fixture
def fake():
    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        yield FakeAcled(server, make_events(60))
    finally:
        server.clear()
        server.stop()


@pytest.fixture
def loads(monkeypatch):
    """How many times a connection loaded the lake's extensions."""
    calls = []
    real = extensions.load

    def counted(con, packages=("ducklake", "sqlite")):
        calls.append(packages)
        return real(con, packages)

    monkeypatch.setattr(extensions, "load", counted)
    return calls


def _sync(store: Store, fake):
    last = store.last_sync("acled", DATASET)
    client = ServiceClient(fake.base_url, wait_initial=0.01, wait_max=0.05)
    pull = acled.pull(
        email=EMAIL,
        password=PASSWORD,
        countries=["Afghanistan"],
        cursor=last["cursor"] if last else None,
        base_url=fake.base_url,
        client=client,
        page_limit=25,
        clock=time.time,
    )
    return store.sync(pull)


def _stored(store: Store) -> dict[str, str]:
    rows = store.query(f"SELECT source_event_id, notes FROM events WHERE dataset_id = '{DATASET}'")
    return dict(zip(*rows.to_pydict().values(), strict=True))


def test_a_sync_that_read_its_cursor_writes_on_the_same_connection(tmp_path, fake, loads):
    _sync(Store(tmp_path / "s"), fake)  # the first: no store yet, nothing to read
    fake.edit("AFG3", notes="revised")
    fake.delete("AFG4")
    store = Store(tmp_path / "s")
    loads.clear()
    report = _sync(store, fake)
    assert (report.updated, report.deleted) == (1, 1)
    assert len(loads) == 1, "the cursor's read connection was not reused for the write"
    stored = _stored(store)  # and the Store reads again, on a new connection, the new snapshot
    assert stored == {k: e["notes"] for k, e in fake.events.items()}
    assert store.snapshot == report.snapshot_id


def test_a_store_read_by_a_pinned_store_keeps_its_connection_and_writes_on_another(tmp_path, fake, loads):
    _sync(Store(tmp_path / "s"), fake)
    store = Store(tmp_path / "s")
    pinned = store.pinned()
    before = _stored(pinned)
    fake.edit("AFG5", notes="revised again")
    loads.clear()
    report = _sync(store, fake)
    assert len(loads) == 1  # the writer's own: the shared connection was not taken
    assert _stored(pinned) == before  # the pinned Store still reads its snapshot
    assert pinned.snapshot == report.snapshot_id - 1
    assert _stored(Store(tmp_path / "s"))["AFG5"] == "revised again"
