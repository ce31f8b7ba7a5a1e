"""A contrast: a party outside the agreement shown beside it with its rate ratio, never judged
(UCDP GED Syria: the Islamic State, which the 2016 cessation of hostilities excluded)."""

from __future__ import annotations

import datetime as dt

import pytest

from peacewatch.agreements.evaluate import evaluate

WINDOW = "2016-02-27:2016-03-25"
SCOPE = {"country": "Syria", "perpetrators": ["syrian_government"], "targets": ["syrian_insurgents"]}


@pytest.fixture(scope="module")
def evaluation(syria_store, syria_case):
    case = syria_case(
        {
            "id": "coh",
            "kind": "violence_reduction",
            "party": "government",
            "scope": SCOPE,
            "window": WINDOW,
            "baseline": {"preceding": 28},
        },
        {
            "id": "is-outside",
            "kind": "contrast",
            "text": "The Islamic State, excluded from the cessation",
            "scope": {"country": "Syria", "perpetrators": ["is"]},
            "window": WINDOW,
            "baseline": {"preceding": 28},
        },
    )
    return evaluate(case, as_of=dt.date(2020, 1, 1), store=syria_store)


def test_a_contrast_shows_its_rate_ratio_and_interval_without_a_compliance_verdict(evaluation):
    v = {x.id: x for x in evaluation.verdicts}["is-outside"]
    assert v.verdict == "contrast"
    d = v.evidence["comparison"]
    assert (d["window"]["total"], d["baseline"]["total"]) == (231, 151)
    assert d["rate_ratio"] == pytest.approx(1.530, abs=1e-3)
    assert (d["ci_low"], d["ci_high"]) == pytest.approx((1.226, 1.908), abs=1e-3)
    assert v.summary.startswith("For comparison, outside the agreement: 231 events in 28 days")
    assert v.summary.endswith("rate ratio 1.53, 95% interval 1.23 to 1.91): a significant rise.")
    assert v.imprecise["events"] == 17


def test_a_contrast_is_not_counted_in_any_party_s_verdicts(evaluation):
    assert evaluation.by_party() == {"government": {"met": 1}}
    assert "is-outside" in {c["id"] for c in evaluation.to_dict()["commitments"]}


def test_a_contrast_the_data_cannot_measure_is_not_counted_either(syria_store, syria_case):
    # A contrast past the data's end (GED Syria stops at 2019-11-30) is insufficient_data, and still
    # binds no one: it must not appear under any party, not even as joint.
    case = syria_case(
        {
            "id": "is-later",
            "kind": "contrast",
            "text": "The Islamic State, after the data end",
            "scope": {"country": "Syria", "perpetrators": ["is"]},
            "window": "2020-03-01:2020-03-28",
            "baseline": {"preceding": 28},
        },
    )
    result = evaluate(case, as_of=dt.date(2021, 1, 1), store=syria_store)
    assert [v.verdict for v in result.verdicts] == ["insufficient_data"]
    assert result.by_party() == {}
