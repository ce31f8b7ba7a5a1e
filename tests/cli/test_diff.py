"""`peacewatch diff N M` says what changed between two snapshots, and its numbers are exactly those an
analyst would get by comparing the two releases by hand.

Release A of a small ACLED file (tests/data/acled_release_a.csv), then release B of it with two rows
deleted, one revised (fatalities 6 -> 8), two only re-stamped (their timestamp column) and two new.
Every expected number below is recomputed from the two CSV files with the csv module, not from the store.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from peacewatch.analysis.diff import diff
from peacewatch.cli.app import main
from peacewatch.indicators.filters import Filters
from peacewatch.store import Store

DATA = Path(__file__).parents[1] / "data"
DATASET = "acled-afg"


def rows(name: str) -> dict[str, dict[str, str]]:
    with open(DATA / name, newline="", encoding="utf-8") as fh:
        return {r["event_id_cnty"]: r for r in csv.DictReader(fh)}


def cells(
    release: dict[str, dict[str, str]], since: str = "", event_type: str | None = None
) -> dict[tuple[str, str], tuple[int, float]]:
    """Events and fatalities per (country, YYYY-MM) of a release, from ``since`` on, of one type."""
    events: Counter = Counter()
    deaths: defaultdict = defaultdict(float)
    for r in release.values():
        if r["event_date"] >= since and event_type in (None, r["event_type"]):
            key = (r["country"], r["event_date"][:7])
            events[key] += 1
            deaths[key] += float(r["fatalities"])
    return {k: (events[k], deaths[k]) for k in events}


def expected_moves(since: str = "", event_type: str | None = None) -> list[dict]:
    a = cells(rows("acled_release_a.csv"), since, event_type)
    b = cells(rows("acled_release_b.csv"), since, event_type)
    out = []
    for key in a.keys() | b.keys():
        (eb, fb), (ea, fa) = a.get(key, (0, 0.0)), b.get(key, (0, 0.0))
        if (eb, fb) != (ea, fa):
            out.append(
                {
                    "dataset_id": DATASET,
                    "iso3": "AFG",
                    "country": key[0],
                    "month": key[1],
                    "events_before": eb,
                    "events_after": ea,
                    "events_change": ea - eb,
                    "fatalities_before": fb,
                    "fatalities_after": fa,
                    "fatalities_change": fa - fb,
                }
            )
    return sorted(out, key=lambda m: (-abs(m["events_change"]), -abs(m["fatalities_change"]), m["month"]))


@pytest.fixture(scope="module")
def releases(tmp_path_factory):
    store = Store(tmp_path_factory.mktemp("diff") / "store")
    store.ingest([DATA / "acled_release_a.csv"], dataset_id=DATASET)
    a = store.snapshot
    store.ingest([DATA / "acled_release_b.csv"], release_of=DATASET)
    return store.path, a, store.snapshot


def test_rows_inserted_updated_and_deleted_are_those_of_the_two_files(releases):
    path, a, b = releases
    ra, rb = rows("acled_release_a.csv"), rows("acled_release_b.csv")
    expected = {
        "inserted": len(rb.keys() - ra.keys()),
        "updated": sum(ra[k] != rb[k] for k in ra.keys() & rb.keys()),
        "deleted": len(ra.keys() - rb.keys()),
    }
    assert expected == {"inserted": 2, "updated": 3, "deleted": 2}
    assert diff(path, a, b).rows == {"events": {DATASET: expected}}


def test_the_moves_per_country_and_month_equal_a_recount_of_the_two_files(releases):
    path, a, b = releases
    moves = diff(path, a, b).moves
    assert moves == expected_moves()
    assert [(m["month"], m["events_change"], m["fatalities_change"]) for m in moves] == [
        ("2020-03", 2, 37.0),
        ("2020-02", -2, -4.0),
    ]


def test_filters_narrow_the_moves_as_they_narrow_a_series(releases):
    path, a, b = releases
    f = Filters(country="Afghanistan", date_from=dt.date(2020, 3, 1))
    assert diff(path, a, b, f).moves == expected_moves(since="2020-03-01")
    battles = diff(path, a, b, Filters(types=("battle",))).moves
    assert battles == expected_moves(event_type="Battles")


def test_diff_json_carries_rows_moves_and_the_command(releases, capsys):
    path, a, b = releases
    assert main(["diff", str(a), str(b), "--store", str(path), "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert (payload["from_snapshot"], payload["to_snapshot"]) == (a, b)
    assert payload["totals"] == {"inserted": 2, "updated": 3, "deleted": 2}
    assert payload["moves"] == expected_moves()
    assert [s["snapshot_id"] for s in payload["snapshots"]] == [b]
    assert payload["command"] == f"peacewatch diff --store {path} {a} {b}"


def test_diff_table_shows_before_after_and_change(releases, capsys):
    path, a, _ = releases
    assert main(["diff", str(a), "--store", str(path)]) == 0  # TO defaults to the latest
    out = capsys.readouterr().out
    assert "2 -> 4 (+2)" in out and "18 -> 55 (+37)" in out and "12 -> 8 (-4)" in out


def test_a_snapshot_against_itself_changes_nothing(releases):
    path, _, b = releases
    result = diff(path, b, b)
    assert (result.rows, result.moves) == ({}, [])


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["2", "1"], "expected the earlier snapshot first, found 2 after 1"),
        (["1", "9"], "no snapshot 9; this store holds snapshots 0 to 2"),
        (["--from", "1", "--to", "2"], "--from and --to are the date filters"),
        ([], "expected the earlier snapshot id as the first argument"),
    ],
)
def test_a_diff_the_store_cannot_answer_is_one_clear_error(releases, capsys, argv, message):
    path = releases[0]
    assert main(["diff", *argv, "--store", str(path)]) == 1
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err
