"""A property: whatever files GDELT serves broken (cut short or with a changed byte, for a few
downloads each), the syncs that fail keep nothing, and the first that succeeds leaves the store holding
exactly the served rows: none lost, none doubled."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from gdelt_service import GdeltService
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from ucdpgdelt_checks import events as stored
from ucdpgdelt_checks import snapshots

from peacewatch.errors import SyncError
from peacewatch.store import Store
from peacewatch.sync import gdelt
from peacewatch.sync.http import ServiceClient

FILES = 4
faults = st.dictionaries(
    st.integers(0, FILES - 1),
    st.tuples(st.sampled_from(["truncate", "bad_md5"]), st.integers(1, 5)),
    max_size=3,
)


def _sync(store: Path, base: str) -> None:
    s = Store(store)
    last = s.last_sync("gdelt", "gdelt-api-all")
    client = ServiceClient(base, attempts=3, wait_initial=0.001, wait_max=0.01)
    s.sync(gdelt.pull(since=date(2020, 11, 13), cursor=last["cursor"] if last else None, client=client))


@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(schedule=faults)
def test_no_broken_file_loses_or_doubles_a_row(httpserver, data_dir, schedule):
    httpserver.clear()
    sample = GdeltService.from_sample(data_dir)
    service = GdeltService({s: sample.files[s] for s in list(sample.files)[:FILES]})
    stamps = list(service.files)
    service.faults = {stamps[i]: fault for i, fault in schedule.items()}
    base = service.install(httpserver)
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "store"
        for _ in range(4):
            try:
                _sync(store, base)
                break
            except SyncError:
                assert stored(store, "gdelt-api-all") == []  # a failed sync keeps nothing
        expected = sorted((r[0],) for rows in service.files.values() for r in rows)
        assert stored(store, "gdelt-api-all") == expected
        assert snapshots(store) == [0, 1]
