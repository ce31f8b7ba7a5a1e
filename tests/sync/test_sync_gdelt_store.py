"""`peacewatch sync gdelt` end to end against a local GDELT 2.0 folder: the store holds exactly the
served rows the filters keep, each sync is one snapshot, a broken file keeps nothing, and a later sync
resumes after the last file applied."""

from __future__ import annotations

import json

import pytest
from gdelt_service import GdeltService
from pytest_httpserver import HTTPServer
from ucdpgdelt_checks import events as stored
from ucdpgdelt_checks import run, snapshots

from peacewatch.briefs.attribution import access
from peacewatch.sources.gdelt_layouts import GDELT2_FIELDS
from peacewatch.store import Store

COUNTRY = GDELT2_FIELDS.index("ActionGeo_CountryCode")
ROOT = GDELT2_FIELDS.index("EventRootCode")


def served(service: GdeltService, stamps=None, fips=None, roots=None) -> list[tuple]:
    """The ids of the served rows the filters keep, sorted as the store sorts them."""
    return sorted(
        (r[0],)
        for stamp, rows in service.files.items()
        if stamps is None or stamp in stamps
        for r in rows
        if (fips is None or r[COUNTRY] in fips) and (roots is None or r[ROOT] in roots)
    )


def sync(capsys, store, base, *args):
    return run(capsys, "sync", "gdelt", "--base-url", base, "--store", str(store), *args)


def test_the_filters_keep_the_asked_countries_and_cameo_roots(httpserver, data_dir, tmp_path, capsys):
    service = GdeltService.from_sample(data_dir)
    base = service.install(httpserver)
    store = tmp_path / "store"
    code, out, err = sync(
        capsys, store, base, "--since", "2020-11-13", "--country", "Armenia", "--country", "AZE",
        "--cameo-root", "18,19,20", "--json",
    )  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    kept = served(service, fips={"AM", "AJ"}, roots={"18", "19", "20"})
    assert stored(store, "gdelt-api-armenia-aze-cameo-18-19-20") == kept and kept
    assert report["added"] == len(kept) and report["pages"] == len(service.files)
    assert snapshots(store) == [0, 1]
    entry = next(
        d for d in Store(store).datasets() if d["dataset_id"] == "gdelt-api-armenia-aze-cameo-18-19-20"
    )
    assert access(entry).startswith(
        f"synced from GDELT 2.0's event exports ({base}) with country=Armenia|AZE, cameo_root=18|19|20, "
        "since=2020-11-13; accessed 20"
    )
    # The archive holds the kept rows as GDELT wrote them: `events --raw` shows a synced row's line.
    dataset = "gdelt-api-armenia-aze-cameo-18-19-20"
    code, out, err = run(
        capsys, "events", "--raw", "--json", "--limit", "3", "--dataset", dataset, "--store", str(store)
    )
    assert code == 0, err
    lines = {"\t".join(r) for rows in service.files.values() for r in rows}
    assert all(e["raw"] in lines for e in json.loads(out))
    last = Store(store).last_sync("gdelt", "gdelt-api-armenia-aze-cameo-18-19-20")
    assert last["cursor"] == {"last_file": max(service.files)}
    assert last["filters"] == {
        "country": ["Armenia", "AZE"],
        "cameo_root": ["18", "19", "20"],
        "since": "2020-11-13",
    }


@pytest.mark.parametrize("kind", ["truncate", "bad_md5"])
def test_a_file_that_stays_broken_fails_the_sync_and_keeps_nothing(
    httpserver, data_dir, tmp_path, capsys, kind
):
    service = GdeltService.from_sample(data_dir)
    base = service.install(httpserver)
    store = tmp_path / "store"
    bad = list(service.files)[4]
    service.faults = {bad: (kind, -1)}
    code, _, err = sync(capsys, store, base, "--since", "2020-11-13")
    assert code != 0 and f"{bad}.export.CSV.zip" in err
    assert snapshots(store) in ([], [0]) and stored(store, "gdelt-api-all") == []
    service.faults = {}  # GDELT fixed the file: the next sync completes, nothing lost or doubled
    code, _, err = sync(capsys, store, base, "--since", "2020-11-13")
    assert code == 0, err
    assert stored(store, "gdelt-api-all") == served(service)


def test_a_later_sync_resumes_after_the_last_file_applied(httpserver, data_dir, tmp_path, capsys):
    full = GdeltService.from_sample(data_dir)
    stamps = list(full.files)
    service = GdeltService({s: full.files[s] for s in stamps[:4]})
    base = service.install(httpserver)
    store = tmp_path / "store"
    assert sync(capsys, store, base, "--since", "2020-11-13", "--cameo-root", "19")[0] == 0
    assert stored(store, "gdelt-api-all-cameo-19") == served(service, roots={"19"})

    # Five more files published; an interrupted sync (one of them broken) keeps nothing ...
    service.files.update({s: full.files[s] for s in stamps[4:]})
    for s in stamps[4:]:
        httpserver.expect_request(f"/gdeltv2/{s}.export.CSV.zip").respond_with_handler(service._zip)
    service.faults = {stamps[6]: ("truncate", -1)}
    assert sync(capsys, store, base, "--cameo-root", "19")[0] != 0
    assert snapshots(store) == [0, 1]
    # ... and the next one fetches only the files after the cursor: nothing lost, nothing doubled.
    service.faults, service.hits = {}, type(service.hits)(int)
    code, out, err = sync(capsys, store, base, "--cameo-root", "19", "--json")
    assert code == 0, err
    assert sorted(service.hits) == stamps[4:] and json.loads(out)["pages"] == len(stamps) - 4
    assert stored(store, "gdelt-api-all-cameo-19") == served(full, roots={"19"})
    assert snapshots(store) == [0, 1, 2]


def test_parallel_downloads_stay_within_the_bound(data_dir, tmp_path, capsys):
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    try:
        service = GdeltService.from_sample(data_dir, stall=0.1)
        base = service.install(server)
        code, _, err = sync(capsys, tmp_path / "store", base, "--since", "2020-11-13", "--parallel", "2")
        assert code == 0, err
        assert service.peak == 2
    finally:
        server.clear()
        server.stop()
