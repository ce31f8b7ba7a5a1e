"""A property: whatever faults the service throws at a run of syncs (429, 500, malformed pages, a
refused token), and however its data changes between them, once a sync completes the store holds
exactly the service's events: none lost, none twice."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from acled_service import EMAIL, PASSWORD, FakeAcled, make_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from peacewatch.errors import SyncError
from peacewatch.store import Store
from peacewatch.sync import acled
from peacewatch.sync.http import ServiceClient

DATASET = "acled-api-afghanistan"
FAULTS = st.sampled_from(["429-0", "500", "malformed", "malformed", "none", "none"])
# Between syncs: ("add", n), ("edit", k), ("delete", k) on the k-th current event.
CHANGES = st.lists(
    st.tuples(st.sampled_from(["add", "edit", "delete"]), st.integers(0, 40)), min_size=0, max_size=6
)


@pytest.fixture(scope="module")
def acled_fault_server():
    server = HTTPServer(host="127.0.0.1")
    server.start()
    yield server
    server.clear()
    server.stop()


def _apply(fake: FakeAcled, changes, round_no: int) -> None:
    for i, (kind, k) in enumerate(changes):
        ids = sorted(fake.events)
        if kind == "add":
            fake.add(make_events(1 + k % 3, prefix=f"AFGR{round_no}x{i}x", seed=k))
        elif ids and kind == "edit":
            fake.edit(ids[k % len(ids)], fatalities=str(k), notes=f"edit {round_no}.{i}")
        elif ids:
            fake.delete(ids[k % len(ids)])


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rounds=st.lists(st.tuples(CHANGES, st.lists(FAULTS, max_size=5)), min_size=1, max_size=2))
def test_random_fault_schedules_lose_and_duplicate_no_event(acled_fault_server, rounds):
    acled_fault_server.clear()
    fake = FakeAcled(acled_fault_server, make_events(45))
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "store")
        for n, (changes, faults) in enumerate(rounds):
            _apply(fake, changes, n)
            for page, fault in enumerate(faults, start=1):
                if fault != "none":
                    fake.fail("/api/acled/read", fault, page=page)
            for _ in range(len(faults) + 2):  # a failed sync is simply run again
                last = store.last_sync("acled", DATASET)
                client = ServiceClient(fake.base_url, wait_initial=0.001, wait_max=0.01, attempts=3)
                pull = acled.pull(
                    email=EMAIL,
                    password=PASSWORD,
                    countries=["Afghanistan"],
                    cursor=last["cursor"] if last else None,
                    client=client,
                    page_limit=20,
                )
                try:
                    store.sync(pull)
                    break
                except SyncError:
                    continue
            else:
                pytest.fail("no sync completed")
            rows = store.query(
                "SELECT source_event_id, fatalities_best, notes FROM events WHERE dataset_id = ?", [DATASET]
            ).to_pylist()
            ids = [r["source_event_id"] for r in rows]
            assert len(ids) == len(set(ids))
            assert set(ids) == set(fake.events)
            assert {(r["source_event_id"], r["notes"]) for r in rows} == {
                (k, e["notes"]) for k, e in fake.events.items()
            }
