"""Commitments about groups of actors: several perpetrators (and targets) are one actor group."""

from __future__ import annotations

import datetime as dt
import textwrap

import pytest

from peacewatch import analysis
from peacewatch.agreements import evaluate, load_case
from peacewatch.indicators.filters import Filters

# A test fixture, not a case: the shape of the February 2016 cessation of hostilities in Syria, used
# only to exercise grouped scopes on UCDP GED data that has actors.
AGREEMENT = """
id: grouped-test
title: Grouped scopes (test fixture)
signed: 2016-02-27
dataset: ucdp-ged-syria-2016-01-01-2019-11-30
documents:
  - id: text
    title: Test fixture
    date: 2016-02-27
    citation: https://example.org/test-fixture
parties:
  - key: government_side
    name: The government and its ally
    actors: [syrian_government, russia]
commitments:
  - id: fewer-attacks-on-insurgents
    party: government_side
    document: text
    text: "cease hostilities"
    source: https://example.org/test-fixture
    kind: violence_reduction
    scope:
      country: Syria
      perpetrators: [syrian_government, russia]
      targets: [syrian_insurgents, hts]
    window: 2016-02-27:2016-03-11
    baseline: {preceding: 28}
    target: significant_reduction
  - id: no-clashes-with-the-sdf
    party: government_side
    document: text
    text: "no hostilities"
    source: https://example.org/test-fixture
    kind: no_attacks
    country: Syria
    perpetrators: [syrian_government, russia]
    targets: [sdf, syrian_insurgents]
    period: 2016-02-27:2016-03-11
    tolerance: 0
"""


@pytest.fixture(scope="module")
def evaluated(tmp_path_factory, syria_store):
    store = syria_store
    case_dir = tmp_path_factory.mktemp("grouped") / "case"
    case_dir.mkdir()
    (case_dir / "agreement.yaml").write_text(textwrap.dedent(AGREEMENT), encoding="utf-8")
    (case_dir / "chronology.yaml").write_text("facts: []\n", encoding="utf-8")
    result = evaluate(load_case(case_dir), as_of=dt.date(2016, 12, 31), store=store)
    return store, {v.id: v for v in result.verdicts}


def test_a_reduction_by_a_group_against_a_group_is_one_comparison(evaluated):
    store, verdicts = evaluated
    v = verdicts["fewer-attacks-on-insurgents"]
    assert v.verdict in {"met", "not_met", "inconclusive"}
    assert "--dyad syrian_government+russia,syrian_insurgents+hts" in v.evidence["command"]
    group = Filters(country="Syria", dyad=("syrian_government+russia", "syrian_insurgents+hts"))
    window = analysis.series(
        group.replace(date_from=dt.date(2016, 2, 27), date_to=dt.date(2016, 3, 11)), by="day", store=store
    )
    assert v.evidence["comparison"]["window"]["total"] == window.values().sum() > 0


def test_no_attacks_counts_each_event_between_the_groups_once(evaluated):
    store, verdicts = evaluated
    v = verdicts["no-clashes-with-the-sdf"]
    f = Filters(
        country="Syria",
        dyad=("syrian_government+russia", "sdf+syrian_insurgents"),
        date_from=dt.date(2016, 2, 27),
        date_to=dt.date(2016, 3, 11),
    )
    n = len(analysis.events(f, store=store))
    assert v.evidence["events"] == n > 0 and v.verdict == "not_met"
    assert "between syrian_government or russia and sdf or syrian_insurgents" in v.summary
    assert v.evidence["command"].startswith("peacewatch events ") and "--dyad" in v.evidence["command"]
