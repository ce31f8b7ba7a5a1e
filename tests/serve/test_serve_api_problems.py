"""Errors are RFC 9457 problem details with a 4xx, never a 500 for bad input; bounds on the work of one
request answer 400 (span, rows) or 503 (time)."""

from __future__ import annotations

import pytest
from serve_api_support import PROBLEM_KEYS, assert_problem, serve_client, two_release_store


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    return two_release_store(tmp_path_factory.mktemp("serve-problems"))


@pytest.fixture(scope="module")
def client(store):
    with serve_client(store, max_days=400, max_rows=50) as c:
        yield c


def test_the_problem_shape_is_pinned(client):
    r = client.get("/api/series", params={"from": "2020-02-30"})
    assert r.status_code == 400
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert list(body) == ["type", "title", "status", "detail", "instance"]
    assert body == {
        "type": "https://peacewatch.dev/problems/bad-parameter",
        "title": "Bad parameter",
        "status": 400,
        "detail": body["detail"],
        "instance": "/api/series?from=2020-02-30",
    }
    assert body["detail"].startswith("from: ") and "'2020-02-30'" in body["detail"]


@pytest.mark.parametrize(
    ("url", "status", "kind"),
    [
        ("/api/series?by=year", 400, "bad-parameter"),
        ("/api/series?measure=deaths", 400, "bad-parameter"),
        ("/api/series?country=Atlantis", 404, "unknown-place"),
        ("/api/series?actor=nobody-at-all", 400, "unknown-actor"),
        ("/api/series?actor=houthis", 422, "unmatched-actor"),
        ("/api/series?violence_type=loud", 400, "bad-indicator"),
        ("/api/series?from=2020-03-05&to=2020-03-01", 400, "bad-parameter"),
        ("/api/series?from=2019-01-01&to=2019-01-31", 422, "outside-coverage"),
        ("/api/compare", 400, "bad-parameter"),
        ("/api/compare?window=2020-03-01", 400, "bad-parameter"),
        ("/api/compare?window=2020-03-01:2020-03-02", 400, "bad-indicator"),
        ("/api/trend?month=2020-13", 400, "bad-indicator"),
        ("/api/changepoints", 400, "bad-request"),
        ("/api/its?intervention=2020-03-02", 400, "bad-request"),
        ("/api/diff/x", 400, "bad-parameter"),
        ("/api/cases/..%2F..%2Fetc/evaluate", 404, None),
        ("/api/cases/afghanistan-2020/evaluate?as_of=soon", 400, "bad-parameter"),
        ("/api/nowhere", 404, "not-found"),
    ],
)
def test_bad_input_is_a_4xx_problem(client, url, status, kind):
    assert_problem(client.get(url), status, kind)


def test_a_wrong_method_is_a_problem_too(client):
    assert_problem(client.post("/api/series"), 405, "method-not-allowed")


def test_a_span_beyond_the_maximum_is_refused_before_any_query(client):
    body = assert_problem(client.get("/api/series", params={"from": "2000-01-01", "to": "2020-12-31"}), 400)
    assert body["type"].endswith("/too-wide") and "at most 400 days" in body["detail"]
    window = {"window": "2000-01-01:2020-12-31", "baseline_preceding": 5}
    assert_problem(client.get("/api/compare", params=window), 400, "too-wide")


def test_an_answer_beyond_the_maximum_rows_is_refused(store):
    with serve_client(store, max_rows=5, expose_events=True) as c:
        body = assert_problem(c.get("/api/series"), 400, "too-many-rows")
        assert "at most 5 rows" in body["detail"]
        assert_problem(c.get("/api/events", params={"limit": 6}), 400, "too-many-rows")
        assert c.get("/api/events", params={"limit": 5}).status_code == 200


def test_a_query_past_the_time_limit_is_a_503_problem_and_the_server_answers_after(store):
    with serve_client(store, query_timeout_s=0.001) as c:
        r = c.get("/api/series", params={"by": "week"})
        body = assert_problem(r, 503, "timeout")
        assert r.headers["retry-after"] == "5" and "--query-timeout" in body["detail"]
    with serve_client(store) as c:
        assert c.get("/api/series", params={"by": "week"}).status_code == 200


def test_a_bug_is_a_500_problem_that_gives_nothing_away(client, monkeypatch):
    from peacewatch import analysis

    def broken(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(analysis, "series", broken)
    r = client.get("/api/series", params={"country": "Afghanistan", "by": "month"})
    body = assert_problem(r, 500, "internal")
    assert "secret" not in r.text and set(body) == PROBLEM_KEYS
