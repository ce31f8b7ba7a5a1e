"""What `sync acled` sends and reads, held against ACLED's API documentation (acleddata.com/
api-documentation, read 2026-12-07; docs/sync.md names each source): the token form, the filter
syntax, paging without ``count``, a 200 that tolerates other envelopes, and the answer of an account
whose access level holds back recent events."""

from __future__ import annotations

import json
import time
from datetime import date

import pytest
from acled_service import EMAIL, PASSWORD, FakeAcled, make_events
from pytest_httpserver import HTTPServer

from peacewatch.errors import ArgumentError, SyncError
from peacewatch.store import Store
from peacewatch.sync import acled
from peacewatch.sync.http import ServiceClient


@pytest.fixture
def fake():
    server = HTTPServer(host="127.0.0.1")
    server.start()
    try:
        yield FakeAcled(server, make_events(120))
    finally:
        server.clear()
        server.stop()


def _pull(fake, **kw):
    client = ServiceClient(fake.base_url, wait_initial=0.01, wait_max=0.05)
    kw.setdefault("countries", ["Afghanistan"])
    return acled.pull(email=EMAIL, password=PASSWORD, base_url=fake.base_url, client=client, **kw)


def test_the_token_requests_send_the_documented_form_fields_and_no_others(fake):
    now = [time.time()]
    pull = _pull(fake, page_limit=50, clock=lambda: now[0])
    pull.session.headers()
    now[0] += 86400  # the access token (expires_in 86400) is due: the refresh grant renews it
    pull.session.headers()
    forms = [a["fields"] for m, p, a in fake.log if p == "/oauth/token"]
    assert forms == [
        ["client_id", "grant_type", "password", "username"],
        ["client_id", "grant_type", "refresh_token"],
    ]
    assert fake.grants == ["password", "refresh_token"]


def test_filters_use_acleds_syntax_pipes_between_values_region_numbers_and_where_operators(fake):
    fake.events["AFG1"]["region"] = "South Asia"
    pull = _pull(
        fake,
        countries=["Afghanistan", "Pakistan"],
        regions=["south asia", "13"],
        since=date(2019, 1, 1),
        until=date(2020, 12, 31),
        page_limit=50,
    )
    list(pull.pages)
    first = next(a for m, p, a in fake.log if p == "/api/acled/read")
    assert first["country"] == "Afghanistan|Pakistan"
    assert first["region"] == "7|13"
    assert (first["event_date"], first["event_date_where"]) == ("2019-01-01|2020-12-31", "BETWEEN")
    assert (first["_format"], first["limit"], first["page"]) == ("json", "50", "1")
    later = _pull(fake, cursor=pull.cursor, page_limit=50)
    list(later.pages)
    update = [a for m, p, a in fake.log if p == "/api/acled/read"][-1]
    assert update["timestamp_where"] == ">=" and int(update["timestamp"]) < pull.cursor["timestamp"]


def test_an_unknown_region_is_an_error_listing_acleds_regions_before_any_request(fake):
    with pytest.raises(ArgumentError, match=r"--region 'Atlantis'.*Middle East \(11\)"):
        _pull(fake, regions=["Atlantis"])
    assert fake.log == []


def test_paging_ends_on_a_short_page_since_answers_carry_no_count(fake):
    # 120 events, 40 a page: three full pages, then an empty one ends the read
    pull = _pull(fake, page_limit=40)
    pages = list(pull.pages)
    reads = [a for m, p, a in fake.log if p == "/api/acled/read"]
    assert [a["page"] for a in reads] == ["1", "2", "3", "4"]
    assert [p.rows for p in pages] == [40, 40, 40, 0]
    assert all("count" not in json.loads(p.body) for p in pages)


def test_a_200_refusal_in_another_envelope_is_read_as_the_same_refusal(fake):
    fake.server.clear()  # answer data reads with a 200 that carries only a message
    fake.server.expect_request("/oauth/token", method="POST").respond_with_handler(fake._token)
    fake.server.expect_request("/api/acled/read").respond_with_json({"message": "Access denied"})
    with pytest.raises(SyncError, match="answered 200 without the data; its answer says: Access denied"):
        list(_pull(fake).pages)


def test_an_access_level_that_holds_back_recent_events_is_said_in_the_notes_and_the_cursor(tmp_path, fake):
    fake.recency_cutoff = date(2020, 1, 31)
    report = Store(tmp_path / "store").sync(_pull(fake, page_limit=50))
    kept = sum(e["event_date"] <= "2020-01-31" for e in fake.events.values())
    assert 0 < report.added == kept < len(fake.events)
    assert any("left out events dated after 2020-01-31" in n and "12 Months" in n for n in report.notes)
    assert report.cursor["restrictions"]["date_recency"]["date"] == "2020-01-31"
