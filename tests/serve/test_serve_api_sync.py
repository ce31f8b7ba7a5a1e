"""``POST /api/sync/{source}``: the served store's synced dataset synced again through the watch's
registry (filters, service and cursor of its last sync); the answer is ``peacewatch sync --json``'s
report; the token is required, and a source never synced says which command to run first."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from serve_api_support import assert_problem, serve_client

sys.path.insert(0, str(Path(__file__).parents[1] / "sync"))

from acled_service import EMAIL, PASSWORD, FakeAcled, make_events

from peacewatch.cli.app import main
from peacewatch.store import Store

TOKEN = "a-long-enough-test-token-0123456789"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def synced(tmp_path, monkeypatch, capsys):
    """A store with one ACLED dataset synced from a fake ACLED, and that service (still running)."""
    monkeypatch.setenv("ACLED_EMAIL", EMAIL)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    monkeypatch.setenv("PEACEWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PEACEWATCH_KEYRING", "0")
    monkeypatch.setenv("PEACEWATCH_SERVE_TOKEN", TOKEN)
    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        fake = FakeAcled(server, make_events(30))
        store = tmp_path / "store"
        args = ["sync", "acled", "--country", "Afghanistan", "--base-url", fake.base_url]
        assert main([*args, "--store", str(store)]) == 0
        capsys.readouterr()
        yield store, fake
    finally:
        server.clear()
        server.stop()


def _dataset(store) -> str:
    return next(d["dataset_id"] for d in Store(store).datasets())


def test_a_sync_with_the_token_brings_the_dataset_up_to_date_and_answers_its_report(synced):
    store, fake = synced
    fake.add(make_events(4, prefix="AFGY", seed=3))
    before = Store(store).snapshot
    with serve_client(store, allow_writes=True) as c:
        r = c.post("/api/sync/acled", headers=AUTH)
        assert r.status_code == 200, r.text
        report = r.json()
        assert report["dataset_id"] == _dataset(store) and report["added"] == 4
        assert c.get("/api/").json()["snapshot"] == before + 1


def test_a_sync_names_its_dataset_in_the_query_or_the_body(synced):
    store, _ = synced
    ds = _dataset(store)
    with serve_client(store, allow_writes=True) as c:
        assert c.post("/api/sync/acled", params={"dataset": ds}, headers=AUTH).json()["dataset_id"] == ds
        assert c.post("/api/sync/acled", json={"dataset": ds}, headers=AUTH).json()["dataset_id"] == ds


def test_a_sync_without_the_token_is_refused_and_changes_nothing(synced):
    store, _ = synced
    before = Store(store).snapshot
    with serve_client(store, allow_writes=True) as c:
        assert_problem(c.post("/api/sync/acled"), 401)
        assert_problem(c.post("/api/sync/acled", headers={"Authorization": "Bearer wrong"}), 403)
    assert Store(store).snapshot == before


def test_an_unknown_source_is_a_404_and_a_source_never_synced_names_the_command_to_run(synced):
    store, _ = synced
    with serve_client(store, allow_writes=True) as c:
        assert_problem(c.post("/api/sync/nowhere", headers=AUTH), 404, "unknown-source")
        body = assert_problem(c.post("/api/sync/ucdp", headers=AUTH), 409, "never-synced")
        assert "peacewatch sync ucdp" in body["detail"]
        other = c.post("/api/sync/acled", params={"dataset": "acled-other"}, headers=AUTH)
        assert "peacewatch sync acled" in assert_problem(other, 409, "never-synced")["detail"]


def test_a_source_with_several_synced_datasets_and_none_named_is_a_400_listing_them(synced, capsys):
    store, fake = synced
    args = ["sync", "acled", "--country", "Afghanistan", "--since", "2019-06-01", "--base-url", fake.base_url]
    assert main([*args, "--store", str(store)]) == 0
    capsys.readouterr()
    datasets = sorted(d["dataset_id"] for d in Store(store).datasets())
    before = Store(store).snapshot
    with serve_client(store, allow_writes=True) as c:
        body = assert_problem(c.post("/api/sync/acled", headers=AUTH), 400, "ambiguous-dataset")
        assert all(ds in body["detail"] for ds in datasets) and "?dataset=ID" in body["detail"]
        named = c.post("/api/sync/acled", params={"dataset": datasets[0]}, headers=AUTH)
        assert named.status_code == 200 and named.json()["dataset_id"] == datasets[0]
    assert Store(store).snapshot == before + 1


def test_a_service_failing_past_the_retries_is_a_502_naming_the_request_and_changes_nothing(
    synced, monkeypatch
):
    from peacewatch.sync.http import ServiceClient

    store, fake = synced
    init = ServiceClient.__init__

    def quick(self, *args, **kw):  # the same six attempts, without a minute of backoff
        init(self, *args, **{**kw, "wait_initial": 0.01, "wait_max": 0.05})

    monkeypatch.setattr(ServiceClient, "__init__", quick)
    fake.fail("/api/acled/read", *["500"] * 6)
    before = Store(store).snapshot
    with serve_client(store, allow_writes=True) as c:
        body = assert_problem(c.post("/api/sync/acled", headers=AUTH), 502, "sync-failed")
    assert "/api/acled/read" in body["detail"] and "500" in body["detail"]
    assert "on all 6 attempts" in body["detail"]
    assert PASSWORD not in body["detail"] and not any(t in body["detail"] for t in fake.issued)
    assert Store(store).snapshot == before


def test_an_account_without_api_access_is_a_502_quoting_acleds_refusal(synced):
    store, fake = synced
    fake.no_rights = True  # ACLED answers 403 {"message": "Access denied"}
    before = Store(store).snapshot
    with serve_client(store, allow_writes=True) as c:
        body = assert_problem(c.post("/api/sync/acled", headers=AUTH), 502, "sync-failed")
    assert "403 Forbidden: Access denied" in body["detail"] and "access@acleddata.com" in body["detail"]
    assert Store(store).snapshot == before
