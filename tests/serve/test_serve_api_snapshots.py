"""Snapshots through the API: an answer at snapshot N stays what it was after later ingests, and the
cache never serves a latest-snapshot answer computed before a newer snapshot was committed."""

from __future__ import annotations

import pytest
from serve_api_support import DATA, assert_problem, serve_client, two_release_store

# No from/to: the coverage of the datasets, which release B extends (to 2020-03-06).
MARCH = {"country": "Afghanistan", "measure": "fatalities"}


def test_an_answer_at_snapshot_1_is_reproduced_after_release_b(tmp_path):
    import peacewatch as pw

    s = pw.open_store(tmp_path / "store")
    s.ingest([DATA / "acled_release_a.csv"], name="acled-afg")
    with serve_client(s) as c:
        before = c.get("/api/series", params=MARCH)
        datasets_before = c.get("/api/datasets").json()
    assert before.headers["peacewatch-snapshot"] == "1"
    s.store.ingest([DATA / "acled_release_b.csv"], release_of="acled-afg")
    with serve_client(s) as c:
        again = c.get("/api/series", params={**MARCH, "snapshot": "1"})
        latest = c.get("/api/series", params=MARCH)
        assert c.get("/api/datasets", params={"snapshot": 1}).json() == datasets_before
    assert again.headers["peacewatch-snapshot"] == "1" and again.json() == before.json()
    assert latest.headers["peacewatch-snapshot"] == "2" and latest.json() != before.json()


def test_the_cache_follows_a_new_snapshot_committed_while_serving(tmp_path):
    import peacewatch as pw

    s = pw.open_store(tmp_path / "store")
    s.ingest([DATA / "acled_release_a.csv"], name="acled-afg")
    with serve_client(s) as c:
        first = c.get("/api/series", params=MARCH)
        cached = c.get("/api/series", params=MARCH)
        assert cached.json() == first.json() and c.app.state.reader.hits == 1
        s.store.ingest([DATA / "acled_release_b.csv"], release_of="acled-afg")
        after = c.get("/api/series", params=MARCH)
        assert after.headers["peacewatch-snapshot"] == "2" and after.json() != first.json()
        assert after.headers["etag"] != first.headers["etag"]


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    store = two_release_store(tmp_path_factory.mktemp("serve-snapshots"))
    with serve_client(store) as c:
        yield c


def test_an_etag_that_matches_gets_a_304_without_a_body(client):
    first = client.get("/api/series", params=MARCH)
    again = client.get("/api/series", params=MARCH, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == first.headers["etag"] and again.headers["peacewatch-snapshot"] == "2"
    other = client.get("/api/series", params=MARCH, headers={"If-None-Match": '"something-else"'})
    assert other.status_code == 200


def test_the_order_of_query_parameters_does_not_split_the_cache(client):
    client.get("/api/series", params=[("country", "Afghanistan"), ("by", "week")])
    hits = client.app.state.reader.hits
    client.get("/api/series", params=[("by", "week"), ("country", "Afghanistan")])
    assert client.app.state.reader.hits == hits + 1


def test_a_snapshot_may_be_a_time(client):
    snaps = client.get("/api/snapshots").json()
    at = snaps[1]["time"][:26]
    r = client.get("/api/datasets", params={"snapshot": at})
    assert r.status_code == 200 and r.headers["peacewatch-snapshot"] == "1"


@pytest.mark.parametrize(("value", "status"), [("99", 404), ("yesterday", 400), ("1900-01-01", 404)])
def test_an_unknown_or_malformed_snapshot_is_a_problem(client, value, status):
    assert_problem(client.get("/api/datasets", params={"snapshot": value}), status)


def test_diff_between_the_two_releases(client):
    body = client.get("/api/diff/1", params={"to_snapshot": 2}).json()
    assert body["from_snapshot"] == 1 and body["to_snapshot"] == 2
    assert body["rows"]["events"]["acled-afg"]["updated"] == 3
    assert_problem(client.get("/api/diff/7"), 404, "store")
