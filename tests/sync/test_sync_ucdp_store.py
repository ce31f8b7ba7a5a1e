"""`peacewatch sync ucdp` end to end against a local UCDP API: the store equals the service's data
exactly after every sync, each sync is one snapshot, and the token is in nothing written or printed."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from ucdp_service import TOKEN, UcdpService, events
from ucdpgdelt_checks import assert_no_secret, run, snapshots
from ucdpgdelt_checks import events as stored

from peacewatch import schema
from peacewatch.briefs.attribution import access
from peacewatch.briefs.build import _candidate_days, _dataset
from peacewatch.store import Store

GED = "ucdp-ged-api-all"
COLUMNS = "source_event_id, date_start, fatalities_best, country, event_type"


@pytest.fixture(autouse=True)
def token(monkeypatch, tmp_path):
    monkeypatch.setenv("UCDP_TOKEN", TOKEN)
    monkeypatch.setenv("PEACEWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PEACEWATCH_KEYRING", "0")


def expected(records) -> list[tuple]:
    """What the store should hold for these records, in the columns of COLUMNS, sorted."""
    kinds = {1: "battle", 2: "battle", 3: "violence_against_civilians"}
    return sorted(
        (
            str(r["id"]),
            date.fromisoformat(r["date_start"][:10]),
            float(r["best"]),
            r["country"],
            kinds[r["type_of_violence"]],
        )
        for r in records
    )


def sync(capsys, store, base, *args):
    return run(capsys, "sync", "ucdp", "--base-url", base, "--store", str(store), "--pagesize", "10", *args)


def test_a_release_is_synced_page_by_page_and_the_next_one_adds_edits_and_deletes(
    httpserver, tmp_path, capsys
):
    first = events(37, date(2021, 1, 1), 700)
    second = copy.deepcopy(first[5:])  # 5 events gone
    second[0]["best"] += 7  # an edit
    second[1]["side_b"] = "Another group"  # an edit that changes no column shown here
    second += events(4, date(2023, 3, 1), 90, seed=9, first_id=5000)  # 4 new
    service = UcdpService({"24.1": first})
    base = service.install(httpserver)
    store = tmp_path / "store"

    code, out, err = sync(capsys, store, base, "--version", "24.1")
    assert code == 0, err
    assert stored(store, GED, COLUMNS) == expected(first)
    assert len([r for r in service.requests if "gedevents/24.1" in r]) == 4  # 37 events, 10 a page
    assert "37 new" in " ".join(out.split()) and snapshots(store) == [0, 1]  # 0: the store's creation

    service.versions["25.1"] = second
    code, out2, err2 = sync(capsys, store, base, "--version", "latest", "--json")
    assert code == 0, err2
    report = json.loads(out2)
    assert (report["added"], report["updated"], report["deleted"]) == (4, 2, 5)
    assert stored(store, GED, COLUMNS) == expected(second)
    assert snapshots(store) == [0, 1, 2] and report["snapshot_id"] == 2
    row = Store(store).last_sync("ucdp_ged", GED)
    assert row["cursor"]["version"] == "25.1" and row["cursor"]["complete"]
    # The access note a brief prints (UCDP's terms ask for the access date).
    entry = next(d for d in Store(store).datasets() if d["dataset_id"] == GED)
    assert access(entry).startswith(
        f"synced from the UCDP API ({base}/gedevents) with dataset=ged; accessed 20"
    )
    assert entry["version"] == "GED 25.1"
    assert_no_secret(TOKEN, store, out, err, out2, err2)


def test_429_and_500_are_retried_and_a_malformed_page_keeps_nothing(httpserver, tmp_path, capsys):
    data = events(25, date(2021, 1, 1), 300)
    service = UcdpService({"25.1": data}, faults={1: "429", 2: "500"}, retry_after="1")
    base = service.install(httpserver)
    store = tmp_path / "store"
    code, _, err = sync(capsys, store, base, "--version", "25.1")
    assert code == 0, err
    assert stored(store, GED, COLUMNS) == expected(data)

    service.versions["26.1"] = data[:20] + events(3, date(2024, 1, 1), 30, seed=3, first_id=9000)
    service.faults = {len(service.requests) + 1: "malformed"}
    code, out, err = sync(capsys, store, base, "--version", "26.1")
    assert code != 0
    assert "malformed JSON" in err and "page=1" in err
    assert stored(store, GED, COLUMNS) == expected(data) and snapshots(store) == [0, 1]
    assert_no_secret(TOKEN, store, out, err)


def test_without_the_token_the_service_answers_401_and_the_error_says_where_to_set_it(
    httpserver, tmp_path, capsys
):
    service = UcdpService({"25.1": events(3, date(2021, 1, 1), 30)}, token="the-service-wants-this")
    base = service.install(httpserver)
    code, out, err = sync(capsys, tmp_path / "store", base, "--version", "25.1")
    assert code != 0 and "401" in err and "UCDP_TOKEN" in err
    assert snapshots(tmp_path / "store") in ([], [0])
    assert_no_secret(TOKEN, tmp_path, out, err)


def test_the_quota_stops_a_sync_cleanly_and_the_next_one_resumes_at_the_next_page(
    httpserver, tmp_path, capsys
):
    data = events(45, date(2021, 1, 1), 300)  # 5 pages of 10
    service = UcdpService({"25.1": data})
    base = service.install(httpserver)
    store = tmp_path / "store"
    # A request may take 6 attempts: a quota of 7 leaves room for 2 requests (a third could make 9).
    code, _, err = sync(capsys, store, base, "--version", "25.1", "--quota", "7")
    assert code == 0, err
    assert "quota" in err and "00:00 UTC" in err
    assert stored(store, GED, COLUMNS) == expected(data[:20])
    cursor = Store(store).last_sync("ucdp_ged", GED)["cursor"]
    assert cursor["next_page"] == 2 and not cursor["complete"] and cursor["quota"]["used"] == 2

    asked = len(service.requests)
    code, _, err = sync(capsys, store, base, "--version", "25.1", "--quota", "100")
    assert code == 0, err
    assert [r.split("page=")[1] for r in service.requests[asked:]] == ["2", "3", "4"]
    assert stored(store, GED, COLUMNS) == expected(data)
    cursor = Store(store).last_sync("ucdp_ged", GED)["cursor"]
    assert cursor["complete"] and cursor["quota"]["used"] == 5  # today's count went on


def test_a_pass_split_by_the_quota_still_deletes_what_the_new_release_lacks(httpserver, tmp_path, capsys):
    old = events(30, date(2021, 1, 1), 300)
    service = UcdpService({"24.1": old, "25.1": old[10:]})
    base = service.install(httpserver)
    store = tmp_path / "store"
    assert sync(capsys, store, base, "--version", "24.1")[0] == 0
    # 3 requests spent today: a quota of 9 leaves room for 1 more (of up to 6 attempts): 1 page of 2.
    assert sync(capsys, store, base, "--version", "25.1", "--quota", "9")[0] == 0
    assert len(stored(store, GED)) == 30
    assert sync(capsys, store, base, "--version", "25.1", "--quota", "100")[0] == 0
    assert stored(store, GED, COLUMNS) == expected(old[10:])


def test_candidate_events_give_way_to_the_ged_release_that_covers_their_dates(httpserver, tmp_path, capsys):
    june = events(6, date(2024, 6, 1), 30, seed=4, first_id=100)
    january = events(5, date(2025, 1, 1), 31, seed=5, first_id=200)
    july = events(4, date(2024, 7, 1), 31, seed=6, first_id=300)
    final = events(12, date(2024, 1, 1), 366, seed=7, first_id=400)
    service = UcdpService({"24.0.6": june, "25.0.1": january, "24.0.7": july, "25.1": final})
    base = service.install(httpserver)
    store = tmp_path / "store"
    candidate = "ucdp-candidate-api-all"
    for version in ("24.0.6", "25.0.1"):
        code, _, err = sync(capsys, store, base, "--dataset", "candidate", "--version", version)
        assert code == 0, err
    assert stored(store, candidate, COLUMNS) == expected(june + january)

    code, out, err = sync(capsys, store, base, "--dataset", "ged", "--version", "25.1")
    assert code == 0, err
    # One event per real event: June 2024 is GED's now; January 2025 still rests on Candidate data.
    assert stored(store, GED, COLUMNS) == expected(final)
    assert stored(store, candidate, COLUMNS) == expected(january)
    # A later Candidate release of a month GED covers adds nothing.
    code, out, err = sync(capsys, store, base, "--dataset", "candidate", "--version", "24.0.7", "--json")
    assert code == 0, err
    assert stored(store, candidate, COLUMNS) == expected(january)
    assert len(snapshots(store)) == 6  # creation, 2 Candidate syncs, GED, the Candidate deletions, 24.0.7
    assert_no_secret(TOKEN, store, out, err)

    # A first Candidate sync into a new dataset leaves out what GED covers as well.
    code, _, err = sync(
        capsys, store, base, "--dataset", "candidate", "--version", "24.0.6", "--name", "fresh"
    )
    assert code == 0, err
    assert stored(store, "fresh") == []

    # A brief's dataset notes say which days rest on Candidate data: January 2025's, no longer June's.
    s = Store(store)
    entry = next(d for d in s.datasets() if d["dataset_id"] == candidate)
    assert "candidate" in schema.dataset_caveats(entry)
    noted = _candidate_days(_dataset(entry), s, date(2026, 1, 1))
    days = sorted({d for _, d, *_ in expected(january)})
    assert noted["candidate_days"] == f"{days[0]} to {days[-1]} ({len(days)} days with events)"
