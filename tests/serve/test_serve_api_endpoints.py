"""Every read endpoint of the API on the reduced ACLED Afghanistan export: the payload of the CLI's
--json, the snapshot it read named in the Peacewatch-Snapshot header."""

from __future__ import annotations

import pytest
from serve_api_support import assert_problem, cli_json, serve_client

RIV = {"country": "Afghanistan", "window": "2020-02-22:2020-02-29", "baseline": "2020-02-01:2020-02-21"}


@pytest.fixture(scope="module")
def client(afghan_store):
    with serve_client(afghan_store, query_timeout_s=300) as c:  # a shared, loaded machine
        yield c


@pytest.fixture(scope="module")
def store_path(afghan_store):
    return str(afghan_store.path)


def test_status_says_the_mode_and_the_attribution(client, afghan_store):
    body = client.get("/api/").json()
    assert body["mode"] == "derived figures only" and body["expose_events"] is False
    assert body["snapshot"] == afghan_store.snapshot
    assert body["attribution"][0]["source"] == "acled"
    assert "ACLED" in body["attribution"][0]["terms"]
    assert client.get("/api/status").json() == body


def test_datasets_and_snapshots_are_the_cli_payloads(client, store_path):
    r = client.get("/api/datasets")
    assert r.json() == cli_json("datasets", "--store", store_path)
    assert r.headers["peacewatch-snapshot"] == str(r.json() and client.get("/api/").json()["snapshot"])
    assert client.get("/api/snapshots").json() == cli_json("snapshots", "--store", store_path)


def test_series_is_the_cli_payload(client, store_path):
    q = {"country": "Afghanistan", "from": "2020-01-01", "to": "2020-04-30", "by": "week"}
    r = client.get("/api/series", params=q)
    assert r.status_code == 200
    cli = cli_json(
        "series",
        "--store",
        store_path,
        "--country",
        "Afghanistan",
        "--from",
        "2020-01-01",
        "--to",
        "2020-04-30",
        "--by",
        "week",
    )
    assert r.json() == cli
    assert [p["value"] for p in r.json()["points"][:3]] == [181.0, 194.0, 210.0]


def test_compare_gives_the_reduction_in_violence_rate_ratio(client, store_path):
    r = client.get("/api/compare", params=RIV)
    body = r.json()
    assert round(body["rate_ratio"], 2) == 0.21 and round(body["ci_low"], 2) == 0.15
    cli = cli_json(
        "compare",
        "--store",
        store_path,
        "--country",
        "Afghanistan",
        "--window",
        RIV["window"],
        "--baseline",
        RIV["baseline"],
    )
    assert body == cli


def test_trend_changepoints_and_its_are_the_cli_payloads(client, store_path):
    assert client.get("/api/trend", params={"country": "Afghanistan", "month": "2020-03"}).json()[
        "verdict"
    ] == ("improved")
    span = {"country": "Afghanistan", "from": "2020-01-01", "to": "2020-06-30"}
    cp = client.get("/api/changepoints", params=span).json()
    assert [c["date"] for c in cp["changepoints"]][:2] == ["2020-02-22", "2020-03-02"]
    its = client.get("/api/its", params={**span, "intervention": "2020-02-22"}).json()
    cli = cli_json(
        "its",
        "--store",
        store_path,
        "--country",
        "Afghanistan",
        "--from",
        "2020-01-01",
        "--to",
        "2020-06-30",
        "--intervention",
        "2020-02-22",
    )
    assert its == cli


def test_trend_by_admin1_is_a_list(client):
    r = client.get("/api/trend", params={"country": "Afghanistan", "month": "2020-03", "by": "admin1"})
    assert isinstance(r.json(), list) and {"admin1", "verdict"} <= set(r.json()[0])


def test_diff_from_the_first_snapshot(client, afghan_store):
    body = client.get(f"/api/diff/{afghan_store.snapshot}").json()
    assert body["to_snapshot"] == afghan_store.snapshot and body["moves"] == []


def test_event_count_is_served_but_event_rows_are_not(client):
    count = client.get(
        "/api/events/count", params={"country": "Afghanistan", "from": "2020-02-29", "to": "2020-02-29"}
    ).json()
    assert count["events"] > 0 and count["datasets"]
    body = assert_problem(client.get("/api/events"), 403, "events-not-exposed")
    assert "--expose-events" in body["detail"] and "terms" in body["detail"]


def test_event_rows_with_expose_events(afghan_store, store_path):
    with serve_client(afghan_store, expose_events=True) as c:
        q = {"country": "Afghanistan", "from": "2020-02-29", "to": "2020-02-29", "limit": 2}
        rows = c.get("/api/events", params=q).json()
        assert c.get("/api/").json()["mode"] == "events exposed"
    cli = cli_json(
        "events",
        "--store",
        store_path,
        "--country",
        "Afghanistan",
        "--from",
        "2020-02-29",
        "--to",
        "2020-02-29",
        "--limit",
        "2",
    )
    assert rows == cli and len(rows) == 2


def test_cases_evaluate_and_claims(client, store_path):
    names = [c["name"] for c in client.get("/api/cases").json()]
    assert "afghanistan-2020" in names
    r = client.get("/api/cases/afghanistan-2020/evaluate", params={"as_of": "2020-12-31"})
    verdicts = {v["id"]: v["verdict"] for v in r.json()["commitments"]}
    assert verdicts["riv"] == "met" and verdicts["talks-start"] == "late"
    assert r.json() == cli_json(
        "evaluate", "afghanistan-2020", "--store", store_path, "--as-of", "2020-12-31"
    )
    claims = client.get("/api/cases/afghanistan-2020/claims", params={"as_of": "2020-12-31"}).json()
    assert {c["id"]: c["result"] for c in claims["claims"]}["riv-cut-violence"] == "supported"
    assert claims == cli_json("check", "afghanistan-2020", "--store", store_path, "--as-of", "2020-12-31")


@pytest.mark.slow
def test_the_brief_as_json_and_as_html_without_script(client):
    payload = client.get("/api/cases/afghanistan-2020/brief", params={"format": "json"})
    assert payload.status_code == 200 and payload.json()["snapshot"] == int(
        payload.headers["peacewatch-snapshot"]
    )
    html = client.get("/api/cases/afghanistan-2020/brief")
    assert html.headers["content-type"].startswith("text/html") and "<script" not in html.text
    assert "script-src" not in html.headers["content-security-policy"]  # default-src 'none' covers it
    assert "sandbox" in html.headers["content-security-policy"]


def test_an_unknown_case_is_a_404_problem(client):
    assert_problem(client.get("/api/cases/afghanistan-2021/evaluate"), 404, "unknown-case")
