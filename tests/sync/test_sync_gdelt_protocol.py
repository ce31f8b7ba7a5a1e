"""The GDELT client against a local GDELT 2.0 folder: lists, verification, parallel bound, filters."""

from __future__ import annotations

from datetime import date

import pytest
from gdelt_service import GdeltService
from pytest_httpserver import HTTPServer

from peacewatch.errors import ArgumentError, SyncError
from peacewatch.sources.gdelt_layouts import GDELT2_FIELDS
from peacewatch.sync.gdelt import GdeltSync, check_roots, parse_list
from peacewatch.sync.http import ServiceClient

COUNTRY = GDELT2_FIELDS.index("ActionGeo_CountryCode")
ROOT = GDELT2_FIELDS.index("EventRootCode")


def client(base: str) -> ServiceClient:
    return ServiceClient(base, attempts=3, wait_initial=0.01, wait_max=0.05)


@pytest.fixture
def folder(httpserver, data_dir):
    service = GdeltService.from_sample(data_dir)
    return service, service.install(httpserver)


def rows_of(pages) -> list[list[str]]:
    return [line.split("\t") for p in pages for line in p.body.decode().splitlines()]


def test_every_listed_export_since_a_day_is_fetched_in_time_order(folder):
    service, base = folder
    sync = GdeltSync(client(base), since=date(2020, 11, 13))
    pages = list(sync.pages())
    assert [p.stamp for p in pages] == sorted(service.files)
    assert sum(p.rows_read for p in pages) == sum(len(r) for r in service.files.values()) == 2824
    assert sync.cursor == {"last_file": max(service.files)}
    assert not any("mentions" in r for r in service.requests)


def test_only_the_asked_countries_and_cameo_roots_are_kept(folder):
    service, base = folder
    sync = GdeltSync(client(base), since=date(2020, 11, 13), countries=("AJ", "AM"), roots=("19", "18"))
    kept = rows_of(sync.pages())
    expected = [
        r
        for rows in service.files.values()
        for r in rows
        if r[COUNTRY] in ("AJ", "AM") and r[ROOT] in ("18", "19")
    ]
    assert kept == expected and 0 < len(kept) < 2824


@pytest.fixture
def threaded_server():
    """A server that answers requests at once (the default one answers them one at a time)."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_downloads_run_in_parallel_but_never_more_than_asked(threaded_server, data_dir):
    service = GdeltService.from_sample(data_dir, stall=0.1)
    base = service.install(threaded_server)
    sync = GdeltSync(client(base), since=date(2020, 11, 13), parallel=3)
    list(sync.pages())
    assert service.peak == 3 == sync.in_flight_peak


def test_a_truncated_zip_is_fetched_again(folder):
    service, base = folder
    stamp = list(service.files)[2]
    service.faults = {stamp: ("truncate", 1)}
    pages = list(GdeltSync(client(base), since=date(2020, 11, 13)).pages())
    assert service.hits[stamp] == 2 and len(pages) == len(service.files)


@pytest.mark.parametrize("kind", ["truncate", "bad_md5"])
def test_a_file_that_stays_broken_fails_the_sync_naming_it(folder, kind):
    service, base = folder
    stamp = list(service.files)[1]
    service.faults = {stamp: (kind, -1)}
    with pytest.raises(SyncError) as err:
        list(GdeltSync(client(base), since=date(2020, 11, 13)).pages())
    assert f"{stamp}.export.CSV.zip" in str(err.value) and service.hits[stamp] == 3
    assert ("MD5" if kind == "bad_md5" else "bytes where the list says") in str(err.value)


def test_a_later_sync_asks_only_for_the_files_after_its_cursor(folder):
    service, base = folder
    stamps = list(service.files)
    saved = {"last_file": stamps[-3]}
    pages = list(GdeltSync(client(base), saved=saved).pages())
    assert [p.stamp for p in pages] == stamps[-2:]
    # Up to date: lastupdate.txt alone says there is nothing new.
    service.requests.clear()
    assert list(GdeltSync(client(base), saved={"last_file": stamps[-1]}).pages()) == []
    assert service.requests == ["/gdeltv2/lastupdate.txt"]


def test_the_next_file_comes_from_lastupdate_without_the_master_list(folder):
    service, base = folder
    stamps = list(service.files)
    service.requests.clear()
    pages = list(GdeltSync(client(base), saved={"last_file": stamps[-2]}).pages())
    assert [p.stamp for p in pages] == stamps[-1:] or "/gdeltv2/masterfilelist.txt" in service.requests


def test_the_first_sync_needs_a_start_and_roots_are_cameo_codes(folder):
    _, base = folder
    with pytest.raises(ArgumentError, match="--since"):
        list(GdeltSync(client(base)).pages())
    assert check_roots(["18", "4", "20"]) == ("18", "04", "20")
    with pytest.raises(ArgumentError):
        check_roots(["21"])


def test_a_list_line_that_is_not_size_md5_url_is_an_error_naming_it():
    with pytest.raises(SyncError, match="line 2"):
        parse_list("1 " + "a" * 32 + " http://h/20200101000000.export.CSV.zip\n<html>\n")
