"""`sync acled` against a local ACLED (tests/sync/acled_service.py) over real HTTP: the token grant,
expiry and refresh, paging, 429 with Retry-After, a 500 then success, a malformed page, an account
without data rights, and a release that adds, edits and deletes events between two syncs. Each test
checks the store against the service's final data, the snapshot trail, and that no secret appears in
any output or file written."""

from __future__ import annotations

import json
import time

import pytest
from acled_service import EMAIL, PASSWORD, FakeAcled, assert_no_secret, make_events, write_csv
from pytest_httpserver import HTTPServer

from peacewatch import schema
from peacewatch.cli.app import main
from peacewatch.errors import CredentialsError, SyncError
from peacewatch.store import Store
from peacewatch.sync import acled
from peacewatch.sync.http import ServiceClient

DATASET = "acled-api-afghanistan"


@pytest.fixture
def acled_fake():
    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        yield FakeAcled(server, make_events(120))
    finally:
        server.clear()
        server.stop()


@pytest.fixture
def acled_env(tmp_path, monkeypatch):
    monkeypatch.setenv("ACLED_EMAIL", EMAIL)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    monkeypatch.setenv("PEACEWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PEACEWATCH_KEYRING", "0")
    return tmp_path


def _pull(fake, cursor=None, *, page_limit=50, clock=time.time):
    client = ServiceClient(fake.base_url, wait_initial=0.01, wait_max=0.05)
    return acled.pull(
        email=EMAIL,
        password=PASSWORD,
        countries=["Afghanistan"],
        cursor=cursor,
        base_url=fake.base_url,
        client=client,
        page_limit=page_limit,
        clock=clock,
    )


def _sync(store: Store, fake, **kw):
    last = store.last_sync("acled", DATASET)
    return store.sync(_pull(fake, last["cursor"] if last else None, **kw))


def assert_store_is_the_service(store: Store, fake) -> None:
    """The dataset's current events are exactly the service's: the same ids, once each, and the
    same fields."""
    rows = store.query(
        "SELECT source_event_id, fatalities_best, notes, date_start, admin1 FROM events WHERE dataset_id = ?",
        [DATASET],
    ).to_pylist()
    ids = [r["source_event_id"] for r in rows]
    assert len(ids) == len(set(ids)), "an event is stored twice"
    assert set(ids) == set(fake.events)
    for r in rows:
        e = fake.events[r["source_event_id"]]
        assert (r["fatalities_best"], r["notes"], r["date_start"].isoformat(), r["admin1"]) == (
            float(e["fatalities"]),
            e["notes"],
            e["event_date"],
            e["admin1"],
        )


def _secrets(fake) -> list[str]:
    return [PASSWORD, *fake.issued]


def test_first_sync_reads_every_page_until_a_short_one_and_stores_exactly_the_service(tmp_path, acled_fake):
    store = Store(tmp_path / "store")
    report = _sync(store, acled_fake)
    pages = [a["page"] for m, p, a in acled_fake.log if p == "/api/acled/read"]
    assert pages == ["1", "2", "3"]  # 50 + 50 + 20: the short third page ends the paging
    assert {a["limit"] for m, p, a in acled_fake.log if p == "/api/acled/read"} == {"50"}
    assert acled_fake.grants == ["password"]
    assert (report.added, report.updated, report.deleted, report.pages) == (120, 0, 0, 3)
    assert_store_is_the_service(store, acled_fake)
    assert [s["changes"] for s in store.snapshots()[1:]] == [
        {DATASET: {"added": 120, "updated": 0, "deleted": 0, "unchanged": 0}}
    ]
    last = store.last_sync("acled", DATASET)
    assert last["snapshot_id"] == report.snapshot_id == store.snapshot
    assert last["cursor"]["timestamp"] == max(int(e["timestamp"]) for e in acled_fake.events.values())
    assert last["filters"] == {"countries": ["Afghanistan"]}
    assert sum(m["added"] for m in report.by_country_month) == 120
    assert_no_secret(_secrets(acled_fake), folders=[tmp_path], texts=[repr(report.to_dict())])


def test_the_token_is_refreshed_before_expiry_and_a_login_follows_a_refused_refresh(tmp_path, acled_fake):
    now = [1_000_000.0]
    acled_fake.clock = lambda: now[0]
    acled_fake.access_lifetime = 400  # less than the client's 300 s margin after 100 s
    acled_fake.events = make_events(250)  # six pages

    def step(path, args):  # each data page takes 150 s of the shared clock
        now[0] += 150
        if args.get("page") == "3":
            acled_fake.revoke_refresh()  # as a refresh token past its 14 days
        return False

    acled_fake.hit_when = step
    store = Store(tmp_path / "store")
    pull = _pull(acled_fake, clock=lambda: now[0])
    store.sync(pull)
    assert acled_fake.grants[:3] == ["password", "refresh_token", "refresh_token"]
    # the refresh after page 3 is refused (400 invalid_grant): the client logs in again
    assert acled_fake.grants[3:5] == ["refresh_token", "password"]
    assert pull.session.grants == acled_fake.grants
    assert_store_is_the_service(store, acled_fake)
    assert_no_secret(_secrets(acled_fake), folders=[tmp_path])


def test_a_401_renews_the_token_once_and_the_page_is_read(tmp_path, acled_fake):
    store = Store(tmp_path / "store")
    _sync(store, acled_fake)
    acled_fake.edit("AFG3", fatalities="7")
    acled_fake._access.clear()  # the service forgot every access token it issued
    report = _sync(store, acled_fake)
    assert report.updated == 1
    assert_store_is_the_service(store, acled_fake)


def test_429_with_retry_after_in_seconds_or_as_a_date_is_waited_out(tmp_path, acled_fake):
    acled_fake.fail("/api/acled/read", "429", "429-date", page=2)
    store = Store(tmp_path / "store")
    started = time.monotonic()
    _sync(store, acled_fake)
    assert time.monotonic() - started >= 1.0  # Retry-After: 1 was honoured
    pages = [a["page"] for m, p, a in acled_fake.log if p == "/api/acled/read"]
    assert pages == ["1", "2", "2", "2", "3"]
    assert_store_is_the_service(store, acled_fake)


def test_a_500_then_success_is_retried_and_the_sync_completes(tmp_path, acled_fake):
    acled_fake.fail("/api/acled/read", "500", "500", page=1)
    acled_fake.fail("/oauth/token", "500")
    store = Store(tmp_path / "store")
    report = _sync(store, acled_fake)
    assert report.requests == 2 + 3 + 2  # two token answers, three pages, two 500s
    assert_store_is_the_service(store, acled_fake)


def test_a_service_that_keeps_failing_is_an_error_naming_the_request_and_the_store_is_unchanged(
    tmp_path, acled_fake
):
    store = Store(tmp_path / "store")
    _sync(store, acled_fake)
    before = store.snapshots()
    acled_fake.fail("/api/acled/read", *["500"] * 10, page=1)
    with pytest.raises(SyncError, match=r"GET http://127\.0\.0\.1:\d+/api/acled/read\?.*page=1.*500"):
        _sync(store, acled_fake)
    assert store.snapshots() == before


def test_a_malformed_page_is_an_error_naming_the_request_and_keeps_nothing_of_the_sync(tmp_path, acled_fake):
    store = Store(tmp_path / "store")
    _sync(store, acled_fake)
    before, cursor = store.snapshots(), store.last_sync("acled", DATASET)
    acled_fake.edit("AFG1", notes="edited")
    acled_fake.add(make_events(60, prefix="AFGN", seed=3))  # the changes span two pages
    acled_fake.fail("/api/acled/read", "malformed", page=2)
    with pytest.raises(SyncError) as err:
        _sync(store, acled_fake)
    assert "page=2" in err.value.message and "malformed JSON" in err.value.message
    assert store.snapshots() == before
    assert store.last_sync("acled", DATASET) == cursor
    assert store.query("SELECT count(*) AS n FROM events").to_pylist() == [{"n": 120}]
    _sync(store, acled_fake)  # the next sync completes it
    assert_store_is_the_service(store, acled_fake)
    assert_no_secret(_secrets(acled_fake), folders=[tmp_path], texts=[str(err.value)])


def test_an_account_without_api_access_is_a_refusal_quoting_acled_not_an_empty_dataset(tmp_path, acled_fake):
    acled_fake.no_rights = True  # ACLED's documented answer: 403 {"message": "Access denied"}
    store = Store(tmp_path / "store")
    with pytest.raises(SyncError, match=r"403 Forbidden: Access denied") as err:
        _sync(store, acled_fake)
    assert "has not accepted its terms of use" in err.value.message
    assert "access@acleddata.com" in err.value.hint
    assert not store.exists() or store.last_sync("acled", DATASET) is None


def test_a_wrong_password_is_a_credentials_error_that_does_not_show_it(tmp_path, acled_fake):
    client = ServiceClient(acled_fake.base_url, wait_initial=0.01)
    pull = acled.pull(email=EMAIL, password="wrong pass%word", countries=["Afghanistan"], client=client)
    with pytest.raises(CredentialsError, match="refused the account's e-mail and password") as err:
        Store(tmp_path / "store").sync(pull)
    assert_no_secret(["wrong pass%word"], folders=[tmp_path], texts=[str(err.value)])


def test_a_release_that_adds_edits_and_deletes_events_is_applied_by_two_cli_syncs(
    tmp_path, acled_fake, acled_env, capsys
):
    store_dir = tmp_path / "store"
    args = [
        "sync",
        "acled",
        "--country",
        "Afghanistan",
        "--base-url",
        acled_fake.base_url,
        "--store",
        str(store_dir),
    ]
    assert main([*args, "--page-size", "50"]) == 0
    first = capsys.readouterr()
    assert "120 new, 0 changed, 0 deleted" in first.out
    # Between the syncs ACLED adds 5 events, edits 2 and deletes 3.
    acled_fake.add(make_events(5, prefix="AFGX", seed=9))
    acled_fake.edit("AFG10", fatalities="40", notes="revised")
    acled_fake.edit("AFG11", admin1="Kabul")
    for eid in ("AFG20", "AFG21", "AFG22"):
        acled_fake.delete(eid)
    assert main([*args, "--page-size", "50", "--json"]) == 0
    second = capsys.readouterr()
    report = json.loads(second.out)
    assert (report["added"], report["updated"], report["deleted"]) == (5, 2, 3)
    assert sum(m["deleted"] for m in report["by_country_month"]) == 3
    deleted_reads = [a for m, p, a in acled_fake.log if p == "/api/deleted/read"]
    assert len(deleted_reads) == 1 and deleted_reads[0]["deleted_timestamp_where"] == ">="
    store = Store(store_dir)
    assert_store_is_the_service(store, acled_fake)
    trail = store.snapshots()[1:]
    assert [s["changes"][DATASET] for s in trail] == [
        {"added": 120, "updated": 0, "deleted": 0, "unchanged": 0},
        {"added": 5, "updated": 2, "deleted": 3, "unchanged": report["unchanged"]},
    ]
    # in-process the command line is the test runner's (the kill test, in a subprocess, checks that
    # the commit is `peacewatch sync acled ...`)
    assert all(s["command"] for s in trail)
    # the archive holds both syncs' answers, and no secret anywhere
    assert len(list((store_dir / "archive").glob("*.tar.gz"))) == 2
    assert_no_secret(
        _secrets(acled_fake), folders=[tmp_path], texts=[first.out, first.err, second.out, second.err]
    )


def test_a_sync_and_a_file_of_the_same_events_give_identical_events(tmp_path, acled_fake):
    store = Store(tmp_path / "store")
    _sync(store, acled_fake)
    csv_path = write_csv(acled_fake.events, tmp_path / "acled_afghanistan_export.csv.gz")
    filed = Store(tmp_path / "filed")
    filed.ingest([csv_path])
    skip = {"dataset_id", "source_row", "source_file"}
    cols = ", ".join(c.name for c in schema.EVENTS if c.name not in skip)
    synced = store.query(f"SELECT {cols} FROM events ORDER BY event_id").to_pylist()
    from_file = filed.query(f"SELECT {cols} FROM events ORDER BY event_id").to_pylist()
    assert len(synced) == 120
    assert synced == from_file


def test_events_raw_shows_a_synced_events_record_as_the_service_sent_it(tmp_path, acled_fake):
    from peacewatch.store.archive import with_original_rows

    store = Store(tmp_path / "store")
    _sync(store, acled_fake)
    acled_fake.edit("AFG77", notes="edited later")
    _sync(store, acled_fake)
    table = store.query(
        "SELECT dataset_id, source_row, source_file, source_event_id FROM events "
        "WHERE source_event_id IN ('AFG5', 'AFG77', 'AFG120') ORDER BY source_event_id"
    )
    raw = {r["source_event_id"]: json.loads(r["raw"]) for r in with_original_rows(store, table).to_pylist()}
    assert raw == {k: acled_fake.events[k] for k in ("AFG5", "AFG77", "AFG120")}


def test_a_full_sync_applies_the_whole_release_and_summarises_its_changes_per_country_and_month(
    tmp_path, acled_fake, acled_env, capsys
):
    store_dir = tmp_path / "store"
    args = ["sync", "acled", "--country", "Afghanistan", "--base-url", acled_fake.base_url]
    args += ["--store", str(store_dir), "--page-size", "50"]
    assert main(args) == 0
    capsys.readouterr()
    acled_fake.add(make_events(4, prefix="AFGY", seed=3))
    acled_fake.edit("AFG12", fatalities="7")
    acled_fake.delete("AFG30")
    # --full reads the whole range again and applies it as a release (store/ingest.py _apply_release):
    # its summary must count the same changes as the totals, not come out empty.
    assert main([*args, "--full", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert (report["added"], report["updated"], report["deleted"]) == (4, 1, 1)
    months = report["by_country_month"]
    assert (sum(m["added"] for m in months), sum(m["updated"] for m in months)) == (4, 1)
    assert sum(m["deleted"] for m in months) == 1
    assert_store_is_the_service(Store(store_dir), acled_fake)
