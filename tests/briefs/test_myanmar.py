"""The claim checker and the brief work for a second peace process: myanmar-2015 on UCDP GED Myanmar."""

from __future__ import annotations

import pytest

from peacewatch.agreements import case_folder
from peacewatch.briefs import build, render
from peacewatch.briefs.claims import check_claims, load_claims
from peacewatch.store import Store


@pytest.fixture(scope="module")
def myanmar_store(tmp_path_factory, data_file):
    store = Store(tmp_path_factory.mktemp("mmr") / "s.duckdb")
    store.ingest([data_file("ucdp_ged_myanmar_1989_2023/ucdp_ged_myanmar_1989_2023.csv.gz")])
    return store


def test_myanmar_claims_each_get_an_answer_with_numbers(myanmar_store):
    results = {
        r.id: r
        for r in check_claims(load_claims(case_folder("myanmar-2015") / "claims.yaml"), store=myanmar_store)
    }
    assert len(results) >= 3
    assert {r.result for r in results.values()} <= {
        "supported",
        "contradicted",
        "inconclusive",
        "insufficient_data",
    }
    assert results["kia-fighting-rose"].result == "contradicted"
    assert all(any(ch.isdigit() for ch in r.summary) for r in results.values())


def test_myanmar_brief_renders_with_its_own_questions(myanmar_store, tmp_path):
    built = build.build("myanmar-2015", store=myanmar_store)
    paths = render.write(built, tmp_path / "out", pdf=False)
    html = paths["html"].read_text(encoding="utf-8")
    assert "Did the signatories stop fighting each other?" in html
    assert "UCDP Georeferenced Event Dataset" in html and "Sundberg" in html
    assert len(built.payload["figures"]) == 2
    assert "<script" not in html.lower()
