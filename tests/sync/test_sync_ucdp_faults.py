"""A property: whatever faults the UCDP API throws at a sync (429, 500, malformed pages, in any order),
the syncs that fail keep nothing, and the first that succeeds leaves the store holding exactly the
service's events: none lost, none doubled."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ucdp_service import TOKEN, UcdpService, events
from ucdpgdelt_checks import events as stored
from ucdpgdelt_checks import snapshots

from peacewatch.errors import SyncError
from peacewatch.store import Store
from peacewatch.sync import ucdp
from peacewatch.sync.http import ServiceClient
from peacewatch.sync.ucdp_api import UcdpQuery

OLD = events(17, date(2021, 1, 1), 300)
NEW = OLD[4:] + events(3, date(2023, 1, 1), 60, seed=2, first_id=7000)
NEW[0] = {**NEW[0], "best": NEW[0]["best"] + 5}

faults = st.dictionaries(st.integers(0, 14), st.sampled_from(["429", "500", "malformed"]), max_size=6)


def _sync(store: Path, base: str, version: str) -> None:
    client = ServiceClient(base, attempts=3, wait_initial=0.001, wait_max=0.01)
    s = Store(store)
    last = s.last_sync("ucdp_ged", "ucdp-ged-api-all")
    known = ucdp_known(s)
    pull = ucdp.pull(
        token=TOKEN,
        query=UcdpQuery("ged", version, pagesize=5),
        cursor=last["cursor"] if last else None,
        client=client,
        known_ids=known,
    )
    s.sync(pull)


def ucdp_known(store: Store):
    def known(first, last):
        return {r[0] for r in stored(store.path, "ucdp-ged-api-all")}

    return known


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(schedule=faults)
def test_no_fault_schedule_loses_or_doubles_an_event(httpserver, schedule):
    httpserver.clear()
    service = UcdpService({"24.1": OLD, "25.1": NEW}, retry_after="0")
    base = service.install(httpserver)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        _sync(store, base, "24.1")
        service.faults = {len(service.requests) + k: v for k, v in schedule.items()}
        trail = snapshots(store)
        for _ in range(len(schedule) + 2):
            try:
                _sync(store, base, "25.1")
                break
            except SyncError:
                assert snapshots(store) == trail  # a failed sync keeps nothing
        ids = [r[0] for r in stored(store, "ucdp-ged-api-all")]
        assert ids == sorted(str(e["id"]) for e in NEW)  # sorted as text, as the store sorts them
        assert snapshots(store) == [*trail, trail[-1] + 1]
