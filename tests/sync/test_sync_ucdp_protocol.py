"""The UCDP client against a local UCDP API: paging, the token, retries, the quota, malformed pages."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from ucdp_service import TOKEN, UcdpService, events

from peacewatch.errors import ArgumentError, CredentialsError, SyncError
from peacewatch.sync.http import ServiceClient
from peacewatch.sync.ucdp_api import UcdpQuery, UcdpSync, check_version
from peacewatch.sync.ucdp_countries import gw_code

NOW = datetime(2026, 12, 7, 12, tzinfo=UTC)


def client(base: str) -> ServiceClient:
    return ServiceClient(base, attempts=3, wait_initial=0.01, wait_max=0.05)


def run(service, base, query, saved=None, quota=5000):
    sync = UcdpSync(client(base), query, TOKEN, saved, now=NOW, quota_limit=quota)
    pages = list(sync.pages())
    return sync, pages


@pytest.fixture
def ged(httpserver):
    service = UcdpService({"25.1": events(23, date(2020, 1, 1), 300)})
    return service, service.install(httpserver)


def test_pages_follow_next_page_links_until_the_last_page(ged):
    service, base = ged
    sync, pages = run(service, base, UcdpQuery("ged", "25.1", pagesize=5))
    assert [p.page for p in pages] == [0, 1, 2, 3, 4]
    assert sorted(sync.seen()) == sorted(str(e["id"]) for e in service.versions["25.1"])
    assert sync.complete and sync.cursor["next_page"] == 5 and sync.cursor["quota"]["used"] == 5
    # The first request carries the filters; the next ones are the service's own links.
    assert "page=0" in service.requests[0] and "page=4" in service.requests[-1]


def test_filters_reach_the_service_as_its_parameters(ged):
    service, base = ged
    query = UcdpQuery("ged", "25.1", countries=(700,), since=date(2020, 3, 1), until=date(2020, 6, 30))
    sync, _ = run(service, base, query)
    assert "Country=700" in service.requests[0] and "StartDate=2020-03-01" in service.requests[0]
    expected = {str(e["id"]) for e in service.matching("25.1", query.params(0))}
    assert sync.seen() == expected and expected


def test_a_missing_or_wrong_token_is_a_credentials_error_without_the_token(ged):
    service, base = ged
    service.token = "another"
    with pytest.raises(CredentialsError) as err:
        run(service, base, UcdpQuery("ged", "25.1"))
    assert "UCDP_TOKEN" in err.value.hint and TOKEN not in str(err.value) + err.value.hint


def test_429_with_retry_after_and_a_500_are_retried(ged):
    service, base = ged
    service.faults = {1: "429", 2: "500"}
    sync, pages = run(service, base, UcdpQuery("ged", "25.1", pagesize=10))
    assert len(pages) == 3 and sync.complete
    assert sync.cursor["quota"]["used"] == 5  # every answer counts against the quota, retries too


def test_a_malformed_page_names_the_request(ged):
    service, base = ged
    service.faults = {1: "malformed"}
    with pytest.raises(SyncError) as err:
        run(service, base, UcdpQuery("ged", "25.1", pagesize=10))
    assert "page=1" in str(err.value) and "malformed JSON" in str(err.value)


def test_the_quota_stops_the_pass_before_it_and_the_next_day_resumes(ged):
    service, base = ged
    query = UcdpQuery("ged", "25.1", pagesize=4)  # 6 pages
    # A request may take 3 attempts: from 4 of 10 used, 4 requests leave 8, and one more could cross 10.
    saved = {"quota": {"day": "2026-12-07", "used": 4}}
    first = UcdpSync(client(base), query, TOKEN, saved, now=NOW, quota_limit=10)
    got = list(first.pages())
    assert len(got) == 4 and not first.complete and len(service.requests) == 4
    assert "2026-12-08 00:00 UTC" in first.stopped and first.cursor["next_page"] == 4
    tomorrow = datetime(2026, 12, 8, 1, tzinfo=UTC)
    second = UcdpSync(client(base), query, TOKEN, first.cursor, now=tomorrow, quota_limit=10)
    rest = list(second.pages())
    assert [p.page for p in rest] == [4, 5] and second.complete
    assert second.seen() == {str(e["id"]) for e in service.versions["25.1"]}
    assert second.cursor["quota"] == {"day": "2026-12-08", "used": 2}


def test_latest_is_the_newest_version_that_answers(httpserver):
    service = UcdpService({"24.1": events(3, date(2022, 1, 1), 30), "25.1": events(4, date(2023, 1, 1), 30)})
    base = service.install(httpserver)
    sync, _ = run(service, base, UcdpQuery("ged", "latest"))
    assert sync.cursor["version"] == "25.1"  # 26.1 answered 404


def test_a_candidate_version_covers_its_month_and_a_ged_release_its_years():
    assert UcdpQuery("candidate", "26.0.2").coverage() == (date(2026, 2, 1), date(2026, 2, 28))
    assert UcdpQuery("ged", "25.1").coverage() == (date(1989, 1, 1), date(2024, 12, 31))
    with pytest.raises(ArgumentError):
        check_version("candidate", "26.1")
    with pytest.raises(ArgumentError):
        check_version("ged", "26.0.10")


def test_countries_are_named_as_elsewhere_and_sent_as_gleditsch_ward_numbers():
    assert gw_code("Afghanistan") == gw_code("afg") == gw_code("700") == 700
    assert gw_code("Myanmar") == 775 and gw_code("Türkiye") == 640
    with pytest.raises(ArgumentError):
        gw_code("Atlantis")


def test_a_version_the_store_holds_whole_is_not_asked_for_again(ged):
    service, base = ged
    first, _ = run(service, base, UcdpQuery("ged", "25.1", pagesize=10))
    asked = len(service.requests)
    again, pages = run(service, base, UcdpQuery("ged", "25.1", pagesize=10), saved=first.cursor)
    assert pages == [] and len(service.requests) == asked and again.cursor["version"] == "25.1"
