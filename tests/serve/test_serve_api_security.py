"""Security: headers on every response, CORS only when configured, write endpoints only with
--allow-writes and the bearer token (compared in constant time), a clear start-up error without it."""

from __future__ import annotations

import pytest
from serve_api_support import DATA, assert_problem, serve_client, two_release_store

from peacewatch.errors import PeacewatchError, StoreError

TOKEN = "a-long-enough-test-token-0123456789"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return two_release_store(tmp_path_factory.mktemp("serve-security"))


@pytest.mark.parametrize(
    "url", ["/api/", "/api/datasets", "/api/nowhere", "/api/events", "/api/openapi.json"]
)
def test_every_response_carries_the_security_headers(store, url):
    with serve_client(store) as c:
        r = c.get(url)
    csp = r.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert "access-control-allow-origin" not in r.headers


def test_cors_only_for_the_configured_origin(store):
    with serve_client(store, cors_origins=("https://team.example",)) as c:
        ok = c.get("/api/datasets", headers={"Origin": "https://team.example"})
        other = c.get("/api/datasets", headers={"Origin": "https://evil.example"})
    assert ok.headers["access-control-allow-origin"] == "https://team.example"
    assert "access-control-allow-origin" not in other.headers


def test_without_allow_writes_there_is_no_write_endpoint(store):
    with serve_client(store) as c:
        assert_problem(c.post("/api/ingest?filename=x.csv", content=b"x"), 404)
        assert_problem(c.post("/api/sync/acled"), 404)
        assert "/api/ingest" not in c.get("/api/openapi.json").json()["paths"]
        assert c.get("/api/").json()["allow_writes"] is False


def test_allow_writes_without_a_token_is_a_startup_error(store, monkeypatch):
    monkeypatch.delenv("PEACEWATCH_SERVE_TOKEN", raising=False)
    with (
        pytest.raises(PeacewatchError, match="PEACEWATCH_SERVE_TOKEN"),
        serve_client(store, allow_writes=True),
    ):
        pass
    monkeypatch.setenv("PEACEWATCH_SERVE_TOKEN", "short")
    with pytest.raises(PeacewatchError, match="at least 16"), serve_client(store, allow_writes=True):
        pass


def test_a_store_that_does_not_exist_is_a_startup_error(tmp_path):
    with pytest.raises(StoreError, match="no store here"), serve_client(tmp_path / "none"):
        pass


@pytest.fixture
def writable(tmp_path, monkeypatch):
    import peacewatch as pw

    monkeypatch.setenv("PEACEWATCH_SERVE_TOKEN", TOKEN)
    s = pw.open_store(tmp_path / "store")
    s.ingest([DATA / "acled_release_a.csv"], name="acled-afg")
    with serve_client(s, allow_writes=True) as c:
        yield c


@pytest.mark.parametrize(
    ("headers", "status"),
    [({}, 401), ({"Authorization": "Basic abc"}, 401), ({"Authorization": "Bearer wrong-token"}, 403)],
)
def test_a_write_without_the_token_is_refused(writable, headers, status):
    r = writable.post(
        "/api/ingest?filename=b.csv", content=(DATA / "acled_release_b.csv").read_bytes(), headers=headers
    )
    assert_problem(r, status)
    assert r.headers["www-authenticate"].startswith("Bearer")
    assert writable.get("/api/").json()["snapshot"] == 1


def test_an_ingest_with_the_token_makes_a_new_snapshot_that_the_next_read_sees(writable):
    assert writable.get("/api/datasets").headers["peacewatch-snapshot"] == "1"
    r = writable.post(
        "/api/ingest",
        params={"filename": "other.csv", "name": "acled-other"},
        content=(DATA / "acled_release_b.csv").read_bytes(),
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert r.status_code == 200, r.text
    assert r.json()[0]["dataset_id"] == "acled-other"
    after = writable.get("/api/datasets")
    assert after.headers["peacewatch-snapshot"] == "2"
    assert {d["dataset_id"] for d in after.json()} == {"acled-afg", "acled-other"}


@pytest.mark.parametrize("filename", ["../x.csv", "/etc/passwd", ".hidden"])
def test_an_upload_name_never_becomes_a_path(writable, filename):
    r = writable.post(
        "/api/ingest",
        params={"filename": filename},
        content=b"a,b\n",
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    assert_problem(r, 400)


def test_a_sync_of_a_dataset_ingested_from_a_file_is_a_409_naming_the_sync_command(writable):
    r = writable.post("/api/sync/acled", headers={"Authorization": f"Bearer {TOKEN}"})
    assert "peacewatch sync acled" in assert_problem(r, 409, "never-synced")["detail"]
