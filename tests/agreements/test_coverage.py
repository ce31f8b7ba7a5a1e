"""No verdict or claim result claims more than the data cover (UCDP GED Syria, 2016-01-01 to 2019-11-30).

Windows and periods are shifted past the data's end by Hypothesis, over every kind of commitment and
claim: the answer is never met, not_met, supported or contradicted, only insufficient_data (or not_due).
"""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peacewatch.agreements.evaluate import evaluate
from peacewatch.briefs.claims import check_claims
from peacewatch.briefs.claims.model import Claim

DATASET = "ucdp-ged-syria-2016-01-01-2019-11-30"
DATA_END = dt.date(2019, 11, 30)
DAY = dt.timedelta(days=1)
SCOPE = {"country": "Syria", "perpetrators": ["syrian_government"], "targets": ["syrian_insurgents"]}
NEVER = {"met", "not_met", "supported", "contradicted", "late"}


def _commitments(kind: str, a: dt.date, b: dt.date | None, tolerance: int) -> list[dict]:
    span = f"{a}:{b or ''}"
    if kind == "no_attacks":
        return [{"id": "c", "kind": kind, **SCOPE, "period": span, "tolerance": tolerance}]
    if kind in ("violence_reduction", "contrast"):
        return [{"id": "c", "kind": kind, "scope": SCOPE, "window": span, "baseline": {"preceding": 28}}]
    # an obligation whose condition is a no_attacks period outside the data
    return [
        {"id": "quiet", "kind": "no_attacks", **SCOPE, "period": span, "tolerance": tolerance},
        {
            "id": "c",
            "kind": "conditional",
            "depends_on": ["quiet"],
            "then": {"kind": "milestone", "due": str(b or a), "satisfied_by": "anything"},
        },
    ]


@pytest.fixture(scope="module")
def verdict(syria_store, syria_case):
    """The verdict of commitment 'c' of a given kind over a..b (b None: an open period)."""

    def judge(kind: str, a: dt.date, b: dt.date | None, tolerance: int, as_of: dt.date):
        result = evaluate(syria_case(*_commitments(kind, a, b, tolerance)), as_of=as_of, store=syria_store)
        return {v.id: v for v in result.verdicts}["c"]

    return judge


KINDS = st.sampled_from(["no_attacks", "violence_reduction", "contrast", "conditional"])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=KINDS, shift=st.integers(1, 2500), days=st.integers(1, 400), tolerance=st.integers(0, 5))
def test_a_window_past_the_data_end_is_never_judged(verdict, kind, shift, days, tolerance):
    a = DATA_END + shift * DAY
    b = a + (days - 1) * DAY
    v = verdict(kind, a, b, tolerance, as_of=b + 30 * DAY)
    assert v.verdict not in NEVER, v.summary
    if kind != "conditional":
        assert v.verdict == "insufficient_data"
        assert "missing" in v.summary


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kind=KINDS, before=st.integers(0, 200), after=st.integers(1, 400))
def test_a_window_running_past_the_data_end_is_never_met(verdict, kind, before, after):
    a, b = DATA_END - before * DAY, DATA_END + after * DAY
    v = verdict(kind, a, b, 10**6, as_of=b + DAY)
    assert v.verdict not in {"met", "supported"}, v.summary
    if kind != "conditional":
        assert v.verdict == "insufficient_data"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(shift=st.integers(1, 2500), as_of_after=st.integers(0, 60))
def test_an_open_period_starting_past_the_data_end_is_insufficient_data(verdict, shift, as_of_after):
    a = DATA_END + shift * DAY
    v = verdict("no_attacks", a, None, 0, as_of=a + as_of_after * DAY)
    assert v.verdict == "insufficient_data"
    assert v.evidence["missing_days"] == [f"{a}:{a + as_of_after * DAY}"]


def test_an_open_period_is_judged_only_to_the_data_end_and_says_so(verdict):
    v = verdict("no_attacks", dt.date(2019, 11, 1), None, 10**6, as_of=dt.date(2020, 6, 30))
    assert v.verdict == "met"
    assert "judged only to 2019-11-30 where the data end" in v.summary
    assert "2019-12-01 to 2020-06-30 (213 days)" in v.summary
    assert v.evidence["missing_days"] == ["2019-12-01:2020-06-30"]
    assert v.evidence["judged_to"] == "2019-11-30"


def test_a_closed_period_partly_past_the_data_end_with_breaches_is_not_met_and_says_what_is_missing(
    verdict,
):
    v = verdict("no_attacks", dt.date(2019, 11, 1), dt.date(2019, 12, 31), 0, dt.date(2020, 1, 31))
    assert v.verdict == "not_met"
    assert v.evidence["events"] > 0
    assert "2019-12-01 to 2019-12-31 (31 days) not covered by the data" in v.summary


def _claim(check: dict) -> Claim:
    return Claim.model_validate({"id": "c", "text": "t", "source": "s", "check": check})


def _month_start(d: dt.date) -> dt.date:
    return d.replace(day=1)


def _month_end(d: dt.date) -> dt.date:
    nxt = (d.replace(day=28) + 4 * DAY).replace(day=1)
    return nxt - DAY


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    kind=st.sampled_from(["change", "rank", "trend"]),
    shift=st.integers(-200, 2000),
    months=st.integers(3, 24),
)
def test_a_claim_about_months_past_the_data_end_is_never_settled(syria_store, kind, shift, months):
    a = _month_start(DATA_END + (shift + 1) * DAY)
    b = _month_end(a + (months * 31 - 20) * DAY)
    if b <= DATA_END:  # the shift must take the claim's period past the data end
        b = _month_end(DATA_END + DAY)
    filters = {"dataset": DATASET, "dyad": ["syrian_government", "syrian_insurgents"]}
    if kind == "change":
        check = {
            "kind": "change",
            "filters": filters,
            "window": f"{a}:{b}",
            "baseline": "2016-01-01:2016-02-26",
            "expect": "decrease",
        }
    elif kind == "rank":
        check = {
            "kind": "rank",
            "filters": filters,
            "by": "month",
            "from": str(a),
            "to": str(b),
            "expect": {"max": f"{a:%Y-%m}"},
        }
    else:
        check = {"kind": "trend", "filters": filters, "from": str(a), "to": str(b), "expect": "falling"}
    (r,) = check_claims([_claim(check)], store=syria_store, as_of=b + 30 * DAY)
    assert r.result == "insufficient_data", r.summary
    assert "missing" in r.summary


@pytest.mark.parametrize("kind", ["violence_reduction", "contrast"])
def test_a_comparison_window_past_the_data_end_names_the_missing_days(verdict, kind):
    v = verdict(kind, dt.date(2019, 11, 20), dt.date(2019, 12, 10), 0, dt.date(2020, 1, 1))
    assert v.verdict == "insufficient_data"
    assert "2019-12-01 to 2019-12-10 (10 days) are missing" in v.summary
    assert v.evidence["missing_days"] == ["2019-12-01:2019-12-10"]


def test_a_dataset_covers_up_to_the_last_day_an_event_starts_not_the_last_day_one_ends(syria_store):
    # GED Syria's last event runs from 2019-11-30 to 2019-12-01: the catalog's date_max is 2019-12-01,
    # but no event starting on 2019-12-01 was collected, so that day is not covered.
    (entry,) = syria_store.datasets()
    assert entry["date_max"] == "2019-12-01"
    assert syria_store.cut_offs() == {DATASET: "2019-11-30"}


@given(
    ranges=st.lists(st.tuples(st.integers(0, 400), st.integers(0, 60)), min_size=1, max_size=4),
    start=st.integers(-50, 500),
    length=st.integers(1, 200),
)
def test_the_missing_and_covered_days_of_a_span_partition_it(ranges, start, length):
    from peacewatch.analysis.coverage import Coverage
    from peacewatch.indicators.calendar import Span

    day0 = dt.date(2016, 1, 1)
    entries = [
        {"dataset_id": f"d{i}", "date_min": str(day0 + a * DAY), "date_max": str(day0 + (a + n) * DAY)}
        for i, (a, n) in enumerate(ranges)
    ]
    cover = Coverage.of(entries)
    span = Span(day0 + start * DAY, day0 + (start + length - 1) * DAY)

    def days(spans):
        return [s.start + i * DAY for s in spans for i in range(s.days)]

    inside = {d for a, n in ranges for d in (day0 + (a + i) * DAY for i in range(n + 1))}
    expected_covered = sorted(d for d in days([span]) if d in inside)
    assert days(cover.covered(span)) == expected_covered
    assert sorted(days(cover.missing(span))) == sorted(set(days([span])) - inside)


@pytest.mark.parametrize("kind", ["no_attacks", "violence_reduction", "contrast"])
def test_a_dataset_the_store_does_not_hold_is_insufficient_data_naming_it(syria_store, syria_case, kind):
    (c,) = _commitments(kind, dt.date(2016, 2, 27), dt.date(2016, 3, 25), 0)
    c = (
        {**c, "dataset": "ged-syria-2099"}
        if kind == "no_attacks"
        else {**c, "scope": {**c["scope"], "dataset": "ged-syria-2099"}}
    )
    case = syria_case(c)
    # A case about a country no dataset of the store covers: nothing can stand in (agreements/standin.py).
    case = dataclasses.replace(case, agreement=case.agreement.model_copy(update={"countries": ["Iraq"]}))
    (v,) = [x for x in evaluate(case, as_of=dt.date(2020, 1, 1), store=syria_store).verdicts if x.id == "c"]
    assert v.verdict == "insufficient_data"
    assert "the dataset ged-syria-2099 (agreement.yaml) is not in the store" in v.summary
    assert "no event dataset of the store covers Iraq (IRQ) to stand in for it" in v.summary


@pytest.mark.parametrize("kind", ["no_attacks", "violence_reduction"])
def test_a_commitments_own_dataset_the_store_lacks_is_read_on_the_stand_in(syria_store, syria_case, kind):
    (c,) = _commitments(kind, dt.date(2016, 2, 27), dt.date(2016, 3, 25), 0)
    c = (
        {**c, "dataset": "ged-syria-2099"}
        if kind == "no_attacks"
        else {**c, "scope": {**c["scope"], "dataset": "ged-syria-2099"}}
    )
    ev = evaluate(syria_case(c), as_of=dt.date(2020, 1, 1), store=syria_store)
    (v,) = [x for x in ev.verdicts if x.id == "c"]
    assert v.verdict != "insufficient_data"
    assert v.evidence["stand_in"] == {"named": ["ged-syria-2099"], "read_on": [DATASET]}
    assert ev.stand_in["named"] == ["ged-syria-2099"] and ev.stand_in["read_on"] == DATASET
