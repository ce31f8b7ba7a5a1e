"""`sync acled` for an account whose access level holds back recent events (ACLED's
``data_query_restrictions.date_recency``), against the local ACLED (tests/sync/acled_service.py).

The cut-off moves forward with time, and the events it releases keep their old ``timestamp``: a sync
that read only by ``timestamp`` would never see them. Each test checks that after every sync the
store holds exactly the events the account may see (none missing, none twice), the requests that
got them, the notes and the cursor."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path

import pytest
from acled_service import BASE_TS, EMAIL, PASSWORD, FakeAcled, assert_no_secret, make_events
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from peacewatch.errors import SyncError
from peacewatch.store import Store
from peacewatch.sync import acled
from peacewatch.sync.http import ServiceClient

CUT = date(2020, 6, 30)
READ = "/api/acled/read"


def _events(n: int = 120, **kw) -> dict[str, dict]:
    # One day between the events' timestamps: all but the newest are older than the cursor's margin,
    # as an archive's events are, so a read by timestamp alone would miss those a cut-off releases.
    return make_events(n, ts=BASE_TS - 400 * 86400, ts_step=86400, **kw)


@pytest.fixture(scope="module")
def acled_restricted_server():
    server = HTTPServer(host="127.0.0.1")
    server.start()
    yield server
    server.clear()
    server.stop()


@pytest.fixture
def fake(acled_restricted_server):
    acled_restricted_server.clear()
    f = FakeAcled(acled_restricted_server, _events())
    f.recency_cutoff = CUT
    return f


def _sync(store: Store, fake: FakeAcled, *, since=None, until=None, page_limit=20, attempts=6):
    dataset = acled.dataset_id_for(["Afghanistan"], [], since, until)
    last = store.last_sync("acled", dataset)
    client = ServiceClient(fake.base_url, wait_initial=0.001, wait_max=0.01, attempts=attempts)
    pull = acled.pull(
        email=EMAIL,
        password=PASSWORD,
        countries=["Afghanistan"],
        since=since,
        until=until,
        cursor=last["cursor"] if last else None,
        client=client,
        page_limit=page_limit,
    )
    return store.sync(pull)


def _visible(fake: FakeAcled, since=None, until=None) -> dict[str, dict]:
    """The events the account may see now, within the user's dates."""
    cut = fake.recency_cutoff
    return {
        k: e
        for k, e in fake.events.items()
        if (cut is None or e["event_date"] <= cut.isoformat())
        and (since is None or e["event_date"] >= since.isoformat())
        and (until is None or e["event_date"] <= until.isoformat())
    }


def assert_store_holds(store: Store, dataset: str, expected: dict[str, dict]) -> None:
    rows = store.query(
        "SELECT source_event_id, fatalities_best, notes, date_start FROM events WHERE dataset_id = ?",
        [dataset],
    ).to_pylist()
    ids = [r["source_event_id"] for r in rows]
    assert len(ids) == len(set(ids)), "an event is stored twice"
    assert set(ids) == set(expected)
    for r in rows:
        e = expected[r["source_event_id"]]
        assert (r["fatalities_best"], r["notes"], r["date_start"].isoformat()) == (
            float(e["fatalities"]),
            e["notes"],
            e["event_date"],
        )


def _reads_since(fake: FakeAcled, mark: int) -> list[dict]:
    return [a for m, p, a in fake.log[mark:] if p == READ]


DATASET = acled.dataset_id_for(["Afghanistan"], [], None, None)


def test_a_first_sync_under_a_cutoff_stores_only_the_older_events_and_says_so(tmp_path, fake):
    store = Store(tmp_path / "store")
    report = _sync(store, fake)
    kept = _visible(fake)
    assert 0 < len(kept) < len(fake.events)
    assert (report.added, report.updated, report.duplicate, report.quarantined) == (len(kept), 0, 0, 0)
    assert_store_holds(store, DATASET, kept)
    assert report.cursor["restrictions"]["date_recency"]["date"] == "2020-06-30"
    assert any("left out events dated after 2020-06-30" in n for n in report.notes)
    # a first sync reads the range once: no second read by date
    assert all("event_date" not in a and "timestamp" not in a for a in _reads_since(fake, 0))


def test_a_cutoff_moved_forward_a_week_brings_in_exactly_the_released_events(tmp_path, fake):
    store = Store(tmp_path / "store")
    first = _sync(store, fake)
    before = set(_visible(fake))
    # between the syncs: an edit of a stored event, a new event the account sees, one it does not yet
    fake.edit(sorted(before)[3], fatalities="41", notes="edited")
    fake.add(_events(1, prefix="AFGNEWOLD", start=date(2020, 3, 1), days=1))
    fake.add(_events(1, prefix="AFGNEWLATE", start=date(2020, 9, 1), days=1))
    fake.recency_cutoff = CUT + timedelta(days=7)
    released = set(_visible(fake)) - before - {"AFGNEWOLD1"}
    assert released, "the week must release events for the test to mean anything"
    margin = first.cursor["timestamp"] - acled.UPDATE_MARGIN
    assert all(int(fake.events[k]["timestamp"]) < margin for k in released)  # a timestamp read misses them

    mark = len(fake.log)
    report = _sync(store, fake)
    assert_store_holds(store, DATASET, _visible(fake))
    assert "AFGNEWLATE1" not in _visible(fake)
    assert (report.added, report.updated, report.deleted) == (len(released) + 1, 1, 0)
    assert (report.duplicate, report.quarantined) == (0, 0)
    reads = _reads_since(fake, mark)
    changed = [a for a in reads if "timestamp" in a]
    by_date = [a for a in reads if "timestamp" not in a]
    assert {(a["event_date"], a["event_date_where"]) for a in changed} == {("2020-06-29", "<=")}
    assert {(a["event_date"], a["event_date_where"]) for a in by_date} == {("2020-06-30", ">=")}
    assert [a["page"] for a in by_date] == [str(i) for i in range(1, len(by_date) + 1)]
    assert report.cursor["restrictions"]["date_recency"]["date"] == "2020-07-07"
    by_date_rows = sum("2020-06-30" <= e["event_date"] <= "2020-07-07" for e in fake.events.values())
    assert any(f": {by_date_rows:,} event(s)" in n and "dated 2020-06-30 or later" in n for n in report.notes)

    # the next week: only what the cut-off releases again, from the new cut-off on
    fake.recency_cutoff = CUT + timedelta(days=14)
    mark = len(fake.log)
    again = _sync(store, fake)
    assert_store_holds(store, DATASET, _visible(fake))
    assert {a["event_date"] for a in _reads_since(fake, mark) if "timestamp" not in a} == {"2020-07-07"}
    assert again.added == len(set(_visible(fake)) - before - released - {"AFGNEWOLD1"})
    assert_no_secret([PASSWORD, *fake.issued], folders=[tmp_path], texts=[repr(report.to_dict())])


def test_an_upgraded_account_takes_in_every_event_after_the_old_cutoff(tmp_path, fake):
    store = Store(tmp_path / "store")
    _sync(store, fake)
    held = set(fake.events) - set(_visible(fake))
    fake.recency_cutoff = None  # the account's access level was raised
    report = _sync(store, fake)
    assert_store_holds(store, DATASET, fake.events)
    assert report.added == len(held) > 0
    assert "restrictions" not in report.cursor
    assert any("no longer held recent events back" in n for n in report.notes)
    assert not any("left out events" in n for n in report.notes)
    # with no cut-off recorded, the next sync reads by timestamp alone
    mark = len(fake.log)
    assert _sync(store, fake).added == 0
    assert all("timestamp" in a and "event_date" not in a for a in _reads_since(fake, mark))


def test_a_cutoff_moved_backwards_keeps_the_stored_events_and_reads_on_from_the_new_one(tmp_path, fake):
    store = Store(tmp_path / "store")
    _sync(store, fake)
    stored = _visible(fake)
    fake.recency_cutoff = CUT - timedelta(days=30)  # the account lost access to a month
    report = _sync(store, fake)
    assert (report.added, report.updated, report.deleted) == (0, 0, 0)
    assert_store_holds(store, DATASET, stored)  # ACLED did not delete them: they stay
    assert report.cursor["restrictions"]["date_recency"]["date"] == "2020-05-31"
    fake.recency_cutoff = CUT + timedelta(days=7)
    _sync(store, fake)
    assert_store_holds(store, DATASET, _visible(fake))


def test_the_users_dates_bound_both_reads_and_are_never_widened(tmp_path, fake):
    since, until = date(2020, 1, 1), date(2020, 7, 3)
    dataset = acled.dataset_id_for(["Afghanistan"], [], since, until)
    store = Store(tmp_path / "store")
    _sync(store, fake, since=since, until=until)
    assert_store_holds(store, dataset, _visible(fake, since, until))
    fake.recency_cutoff = CUT + timedelta(days=7)
    mark = len(fake.log)
    _sync(store, fake, since=since, until=until)
    assert_store_holds(store, dataset, _visible(fake, since, until))
    reads = _reads_since(fake, mark)
    assert {(a["event_date"], a["event_date_where"], "timestamp" in a) for a in reads} == {
        ("2020-01-01|2020-06-29", "BETWEEN", True),
        ("2020-06-30|2020-07-03", "BETWEEN", False),
    }


def test_a_range_wholly_before_or_after_the_cutoff_makes_one_read():
    cursor = {"timestamp": BASE_TS, "restrictions": {"date_recency": {"date": "2020-06-30"}}}
    before = acled._reads([], [], None, date(2020, 6, 1), cursor)
    after = acled._reads([], [], date(2020, 7, 1), None, cursor)
    assert [(k, q["event_date"], q["event_date_where"]) for k, q in before] == [
        ("changed", "2020-06-01", "<=")
    ]
    assert [(k, q["event_date"], q["event_date_where"], "timestamp" in q) for k, q in after] == [
        ("released", "2020-07-01", ">=", False)
    ]


def test_an_unreadable_recorded_cutoff_is_an_error_naming_the_fix_before_any_request(fake):
    cursor = {"timestamp": BASE_TS, "restrictions": {"date_recency": {"date": "last August"}}}
    mark = len(fake.log)
    with pytest.raises(SyncError, match=r"cut-off date 'last August'.*expected a date YYYY-MM-DD") as err:
        acled.pull(email=EMAIL, password=PASSWORD, cursor=cursor, base_url=fake.base_url)
    assert "--full" in err.value.hint
    assert fake.log[mark:] == []


def test_a_failed_read_of_released_events_leaves_the_store_and_its_cursor(tmp_path, fake):
    store = Store(tmp_path / "store")
    _sync(store, fake, page_limit=200)
    snapshot, cursor = store.snapshot, store.last_sync("acled", DATASET)["cursor"]
    fake.recency_cutoff = CUT + timedelta(days=7)
    fake.fail(READ, "ok", "malformed", page=1)  # the read by timestamp answers; the read by date breaks
    with pytest.raises(SyncError):
        _sync(store, fake, page_limit=200)
    assert (store.snapshot, store.last_sync("acled", DATASET)["cursor"]) == (snapshot, cursor)
    report = _sync(store, fake, page_limit=200)
    assert_store_holds(store, DATASET, _visible(fake))
    assert report.cursor["restrictions"]["date_recency"]["date"] == "2020-07-07"


# Between syncs: changes ("add" dated around the cut-off, "edit", "delete" the k-th event), then the
# cut-off moves forward some days (0: it stays) or the restriction ends.
CHANGES = st.lists(
    st.tuples(st.sampled_from(["add", "edit", "delete"]), st.integers(0, 60)), min_size=0, max_size=5
)
MOVES = st.one_of(st.integers(0, 12), st.just("upgrade"))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    rounds=st.lists(st.tuples(CHANGES, MOVES), min_size=1, max_size=3),
    page_limit=st.sampled_from([7, 50]),
)
def test_moving_cutoffs_and_changes_lose_and_duplicate_no_event(acled_restricted_server, rounds, page_limit):
    acled_restricted_server.clear()
    fake = FakeAcled(acled_restricted_server, _events(60))
    fake.recency_cutoff = CUT
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(Path(tmp) / "store")
        _sync(store, fake, page_limit=page_limit)
        for n, (changes, move) in enumerate(rounds):
            for i, (kind, k) in enumerate(changes):
                ids = sorted(fake.events)
                if kind == "add":  # dated from two months before the cut-off to a month after it
                    start = CUT - timedelta(days=60 - k)
                    fake.add(_events(1 + k % 2, prefix=f"AFGP{n}x{i}x", seed=k, start=start, days=30))
                elif ids and kind == "edit":
                    fake.edit(ids[k % len(ids)], fatalities=str(k), notes=f"edit {n}.{i}")
                elif ids:
                    fake.delete(ids[k % len(ids)])
            if move == "upgrade":
                fake.recency_cutoff = None
            elif fake.recency_cutoff is not None:
                fake.recency_cutoff += timedelta(days=move)
            report = _sync(store, fake, page_limit=page_limit)
            assert (report.duplicate, report.quarantined) == (0, 0)
            assert_store_holds(store, DATASET, _visible(fake))
