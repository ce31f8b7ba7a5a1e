"""The built-in afghanistan-2020 case on the reduced ACLED Afghanistan export: the issue's acceptance."""

from __future__ import annotations

import datetime as dt

import pytest

from peacewatch.agreements import evaluate, load_case


@pytest.fixture(scope="module")
def case():
    return load_case("afghanistan-2020")


@pytest.fixture(scope="module")
def today(case, afghan_store):
    return {v.id: v for v in evaluate(case, as_of=dt.date(2026, 11, 26), store=afghan_store).verdicts}


def test_the_reduction_in_violence_as_announced_was_met_with_its_interval(today):
    v = today["riv"]
    assert v.verdict == "met"
    c = v.evidence["comparison"]
    assert c["ci_high"] < 1 and 0.1 < c["rate_ratio"] < 0.3
    assert v.evidence["command"].startswith("peacewatch compare")
    assert "rate ratio" in v.summary and "interval" in v.summary


def test_the_eighty_percent_target_follows_the_interval(today):
    v = today["riv-80pct"]
    c = v.evidence["comparison"]
    expected = "met" if c["ci_high"] < 0.2 else "not_met" if c["ci_low"] > 0.2 else "inconclusive"
    assert v.verdict == expected == "inconclusive"
    assert "straddles" in v.summary and "80%" in v.summary


def test_intra_afghan_negotiations_started_186_days_late(today):
    assert (today["talks-start"].verdict, today["talks-start"].days_late) == ("late", 186)


def test_troops_met_and_prisoners_late(today):
    assert today["us-troops-8600"].verdict == "met"
    assert today["prisoners-5000"].verdict == "late"


def test_commitments_that_need_actors_are_insufficient_data_naming_the_fields(today):
    for cid in (
        "riv-taliban-attributed",
        "taliban-no-attacks-us-coalition",
        "ct-al-qaida",
        "ct-prevent-groups",
    ):
        v = today[cid]
        assert v.verdict == "insufficient_data", cid
        assert v.evidence["missing_fields"] == ["actor1", "actor2"]
        assert "actor1, actor2" in v.summary


def test_as_of_april_2020_the_withdrawal_deadlines_are_not_due(case, afghan_store):
    early = {v.id: v for v in evaluate(case, as_of=dt.date(2020, 4, 1), store=afghan_store).verdicts}
    assert early["us-troops-8600"].verdict == "not_due"
    assert early["us-complete-withdrawal"].verdict == "not_due"
    assert early["talks-start"].verdict == "not_met"


def test_the_json_payload_has_the_documented_shape(case, afghan_store):
    d = evaluate(case, store=afghan_store).to_dict()
    assert set(d) == {"agreement", "as_of", "commitments", "by_party", "snapshot", "stand_in", "notes"}
    assert d["stand_in"] is None and d["notes"] == []  # the case's own dataset is in the store
    assert d["snapshot"] == afghan_store.snapshot
    assert set(d["commitments"][0]) == {
        "id",
        "party",
        "kind",
        "verdict",
        "summary",
        "days_late",
        "imprecise",
        "evidence",
    }
    assert sum(sum(c.values()) for c in d["by_party"].values()) == len(d["commitments"])


def test_myanmar_2015_evaluates_on_ucdp_ged_with_readable_verdicts(tmp_path_factory, data_file):
    from peacewatch.store import Store

    store = Store(tmp_path_factory.mktemp("mmr") / "s.duckdb")
    store.ingest([data_file("ucdp_ged_myanmar_1989_2023/ucdp_ged_myanmar_1989_2023.csv.gz")])
    result = evaluate(load_case("myanmar-2015"), as_of=dt.date(2026, 11, 26), store=store)
    verdicts = {v.id: v for v in result.verdicts}
    # Mutual ceasefires bind no single party (GED does not say who fired first): counted as joint.
    from peacewatch.agreements.evaluate import JOINT

    assert result.by_party()[JOINT]["not_met"] >= 2 and "government" in result.by_party()
    # The KNU and RCSS ceasefires were broken; the DKBA-5 one held; the political track slipped.
    assert (
        verdicts["ceasefire-knu"].verdict == "not_met"
        and "between myanmar_government and knu" in verdicts["ceasefire-knu"].summary
    )
    assert verdicts["ceasefire-dkba5"].verdict == "met"
    assert verdicts["reduction-dkba5"].verdict == "met"
    assert verdicts["dialogue-start"].verdict == "met"
    assert verdicts["upc-session-2019"].verdict == "late"
    assert verdicts["union-accord"].verdict == "not_met"
    assert {v.verdict for v in verdicts.values()} <= {"met", "not_met", "late", "inconclusive"}
