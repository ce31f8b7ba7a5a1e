"""Acceptance: a process peacewatch ships nothing for, modelled from the docs alone
(examples/cases/south-sudan-2018: the R-ARCSS of 12 September 2018, its own actors.yaml and its own
places, the counties ACLED writes in admin1), evaluated and checked on the real reduced ACLED South
Sudan export. Every count is checked against a plain DuckDB query on the store, and no verdict or claim
may rest on a day outside the data's coverage (2011-05-19 to 2026-03-12)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from peacewatch.cli.app import main

CASE = Path(__file__).resolve().parents[2] / "examples" / "cases" / "south-sudan-2018"
SSD = "acled_south_sudan_events_reduced/acled_south_sudan_reduced.csv.gz"
DATASET = "acled-south-sudan-reduced"
FIRST, LAST = dt.date(2011, 5, 19), dt.date(2026, 3, 12)
VIOLENCE = "('battle', 'explosion_remote_violence', 'violence_against_civilians')"
UNITY = "('Rubkona','Guit','Koch','Mayom','Leer','Mayendit','Panyijiar','Abiemnhom','Pariang','Panriang')"


@pytest.fixture(scope="module")
def ssd_store(tmp_path_factory, data_file):
    """The reduced ACLED South Sudan export (17,077 events, no actors) in a store of this module's own."""
    from peacewatch.store import Store

    store = Store(tmp_path_factory.mktemp("ssd") / "ssd")
    store.ingest([data_file(SSD)])
    return store


def _count(store, where: str) -> int:
    return store.query(f"SELECT count(*) FROM events WHERE {where}").column(0)[0].as_py()


def _run(capsys, *args: str) -> dict:
    code = main([*args, "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def test_the_export_covers_its_first_to_its_last_event_day(ssd_store):
    row = ssd_store.query(
        f"SELECT rows_read, rows_ingested, date_min, date_max FROM datasets WHERE dataset_id = '{DATASET}'"
    ).to_pylist()
    assert row == [{"rows_read": 17077, "rows_ingested": 17077, "date_min": FIRST, "date_max": LAST}]


@pytest.fixture(scope="module")
def verdicts(ssd_store, tmp_path_factory):
    from peacewatch.agreements import evaluate, load_case

    case = load_case(CASE, store=ssd_store)
    return {v.id: v for v in evaluate(case, as_of=dt.date(2021, 12, 31), store=ssd_store).verdicts}


def test_the_case_loads_with_its_own_actor_keys_and_no_stub(ssd_store):
    from peacewatch.actors import Taxonomy
    from peacewatch.agreements import load_case

    assert not {"nas", "ssoa", "ssuf", "white_army"} & set(Taxonomy.load().keys())
    case = load_case(CASE, store=ssd_store)
    assert case.taxonomy_files == (CASE / "actors.yaml",)
    assert case.agreement.dataset == DATASET


def test_the_ceasefire_year_is_a_significant_reduction_counted_as_duckdb_counts_it(ssd_store, verdicts):
    v = verdicts["ceasefire-first-year"]
    violence = f"event_type IN {VIOLENCE} AND date_start BETWEEN"
    window = _count(ssd_store, f"{violence} '2018-09-12' AND '2019-09-11'")
    baseline = _count(ssd_store, f"{violence} '2017-09-12' AND '2018-09-11'")
    assert (window, baseline) == (644, 797)
    c = v.evidence["comparison"]
    assert (c["window"]["total"], c["baseline"]["total"]) == (window, baseline)
    assert v.verdict == "met"
    # `peacewatch compare` on the same filters: 0.808 (0.694 to 0.941)
    assert round(c["rate_ratio"], 3) == 0.808


def test_battles_in_the_former_unity_state_fell_by_more_than_half_across_both_county_spellings(
    ssd_store, verdicts
):
    c = verdicts["ceasefire-unity-battles"].evidence["comparison"]
    unity = f"admin1 IN {UNITY} AND event_type = 'battle'"
    window = _count(ssd_store, f"{unity} AND date_start BETWEEN '2018-09-12' AND '2019-09-11'")
    baseline = _count(ssd_store, f"{unity} AND date_start BETWEEN '2017-09-12' AND '2018-09-11'")
    assert (c["window"]["total"], c["baseline"]["total"]) == (window, baseline) == (16, 87)
    assert verdicts["ceasefire-unity-battles"].verdict == "met"


def test_a_dyad_the_data_cannot_see_is_insufficient_data_naming_the_fields(verdicts):
    v = verdicts["no-government-io-clashes"]
    assert v.verdict == "insufficient_data"
    assert "actor1, actor2" in v.summary


def test_the_unity_government_was_formed_286_days_late(verdicts):
    assert (verdicts["rtgonu-formed"].verdict, verdicts["rtgonu-formed"].days_late) == ("late", 286)


def test_the_non_signatory_equatorias_are_shown_beside_not_judged(ssd_store, verdicts):
    v = verdicts["contrast-central-equatoria"]
    c = v.evidence["comparison"]
    assert v.verdict == "contrast"
    assert (c["window"]["total"], c["baseline"]["total"]) == (172, 125)


def _spans(payload: dict) -> list[tuple[dt.date, dt.date]]:
    """Every span of days a verdict's or claim's numbers rest on."""
    c = payload["evidence"].get("comparison")
    if c:
        spans = c["baseline"].get("spans") or [c["baseline"]]
        return [(_day(c["window"]["start"]), _day(c["window"]["end"]))] + [
            (_day(s["start"]), _day(s["end"])) for s in spans
        ]
    if payload["evidence"].get("judged_to"):  # no_attacks: judged up to the day the data end
        return [(FIRST, _day(payload["evidence"]["judged_to"]))]
    return []


@pytest.mark.parametrize("as_of", ["2019-06-30", "2021-12-31", "2026-11-30"])
def test_no_verdict_rests_on_a_day_the_data_do_not_cover(ssd_store, capsys, as_of):
    out = _run(capsys, "evaluate", str(CASE), "--store", str(ssd_store.path), "--as-of", as_of)
    for c in out["commitments"]:
        if c["verdict"] in ("insufficient_data", "not_due") or c["kind"] == "milestone":
            continue
        for start, end in _spans(c):
            assert start >= FIRST and end <= LAST, (c["id"], start, end)
    by_id = {c["id"]: c["verdict"] for c in out["commitments"]}
    # before the window ends the reductions are not due, never judged on part of the year
    if as_of == "2019-06-30":
        assert by_id["ceasefire-first-year"] == by_id["contrast-central-equatoria"] == "not_due"


def test_claims_are_settled_only_within_the_coverage(ssd_store, capsys):
    out = _run(capsys, "check", str(CASE), "--store", str(ssd_store.path), "--as-of", "2026-11-30")
    got = {c["id"]: c for c in out["claims"]}
    assert {k: c["result"] for k, c in got.items()} == {
        "violence-fell-after-signing": "supported",
        "violence-rising-steadily": "inconclusive",  # +3.3% a month, interval 0.969 to 1.102 once widened
        "worst-year-2022": "inconclusive",  # 2,149 in 2022 against 2,069 in 2025: within Poisson noise
        "first-half-2026-calm": "insufficient_data",
    }
    assert got["first-half-2026-calm"]["evidence"]["missing_days"] == ["2026-03-13:2026-06-30"]
    for c in got.values():
        if c["result"] != "insufficient_data":
            for start, end in _spans(c):
                assert start >= FIRST and end <= LAST, (c["id"], start, end)
