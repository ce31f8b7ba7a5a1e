"""A claim whose place its dataset does not hold: insufficient_data saying where the place is, never a
crash that stops the other claims; a place no data holds is the claims file's typo, at its file:line."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from peacewatch.briefs.claims import check_claims, load_claims
from peacewatch.cli.app import main
from peacewatch.errors import CaseError
from peacewatch.store import Store
from peacewatch.watch.targets import load_target

SAMPLE = "acled_global_sample_2022/acled_sample_2022-01_2022-06_9000_events.csv.gz"
SAMPLE_ID = "acled-sample-2022"
RELEASE = Path(__file__).parents[1] / "data" / "acled_release_a.csv"  # 3 events, one in Panjwayi


@pytest.fixture(scope="module")
def districts_store(afghan_store, data_file, tmp_path_factory):
    """The reduced ACLED export (no districts) and ACLED's full-schema 2022 sample (districts, 105
    Afghan events, none in Panjwayi) in one store, as a synced ACLED API dataset beside the export."""
    path = tmp_path_factory.mktemp("claims-places") / "store"
    shutil.copytree(afghan_store.path, path, ignore=shutil.ignore_patterns("watch"))
    store = Store(path)
    store.ingest([data_file(SAMPLE)], dataset_id=SAMPLE_ID)
    return store


def _claim_file(tmp_path: Path, admin1: str, admin2: str) -> Path:
    path = tmp_path / "claims.yaml"
    path.write_text(
        f"""claims:
  - id: district-fell
    text: Violence in the district fell.
    source: test
    check:
      kind: change
      filters:
        dataset: {SAMPLE_ID}
        country: Afghanistan
        admin1: {admin1}
        admin2: {admin2}
      window: 2022-04-01:2022-06-30
      baseline: 2022-01-01:2022-03-31
      expect: decrease
""",
        encoding="utf-8",
    )
    return path


def test_on_a_dataset_without_the_district_the_claim_is_insufficient_data_and_the_others_are_checked(
    districts_store, afghan_store
):
    # As `peacewatch watch afghanistan-2020 --dataset` checks the claims: on another dataset.
    target = load_target("afghanistan-2020", store=districts_store, dataset=SAMPLE_ID)
    read = target.reading(districts_store)
    results = {r.id: r for r in check_claims(list(target.claims), store=districts_store, reading=read)}
    panjwai = results["panjwai-quieter-after-withdrawal"]
    assert panjwai.result == "insufficient_data"
    assert "Panjwayi" in panjwai.summary and SAMPLE_ID in panjwai.summary
    assert "matches no admin2" in panjwai.summary
    assert "Ingest (or sync) a dataset that covers it" in panjwai.summary
    assert panjwai.evidence["place"] == "Panjwayi / Kandahar / Afghanistan"
    assert panjwai.evidence["command"].startswith("peacewatch compare")
    assert len(results) == 5  # every other claim was checked too
    # On the file's own dataset the results are those of the store without UCDP.
    own = load_claims("afghanistan-2020")
    before = [(r.id, r.result, r.summary) for r in check_claims(own, store=afghan_store)]
    after = [(r.id, r.result, r.summary) for r in check_claims(own, store=districts_store)]
    assert [a[:2] for a in after] == [b[:2] for b in before]


def test_a_district_its_dataset_lacks_but_another_holds_names_the_other(districts_store, tmp_path):
    store = Store(tmp_path / "store")
    shutil.copytree(districts_store.path, store.path)
    store = Store(store.path)
    store.ingest([RELEASE], dataset_id="acled-release-a")
    claims = load_claims(_claim_file(tmp_path, "Kandahar", "Panjwayi"))
    (r,) = check_claims(claims, store=store)
    assert r.result == "insufficient_data"
    assert r.evidence["held_by"] == ["acled-release-a"]
    assert "acled-release-a has it: check the claim there" in r.summary


def test_a_misspelt_district_in_the_claims_file_is_an_error_at_its_line(districts_store, tmp_path, capsys):
    path = _claim_file(tmp_path, "Nangarhar", "Jalalbad")
    with pytest.raises(CaseError, match=rf"{path}:11: claim 'district-fell'.*Jalalabad"):
        check_claims(load_claims(path), store=districts_store)
    assert main(["check", str(path), "--store", str(districts_store.path)]) == 1
    assert f"{path}:11" in capsys.readouterr().err


ARGENTINA = "acled_global_sample_2022/acled_argentina_2022-06_326_events.csv.gz"


def test_evaluate_on_a_dataset_without_the_country_gives_insufficient_data_naming_those_with_it(
    districts_store, data_file, tmp_path
):
    # The commitments read as the claims do: a place the chosen dataset lacks is not a crash.
    from peacewatch.agreements import evaluate, load_case

    path = tmp_path / "store"
    shutil.copytree(districts_store.path, path)
    store = Store(path)
    store.ingest([data_file(ARGENTINA)], dataset_id="acled-argentina")
    verdicts = evaluate(
        load_case("afghanistan-2020"), store=store, dataset="acled-argentina", as_of=dt.date(2021, 1, 1)
    ).verdicts
    lacking = [v for v in verdicts if "held_by" in v.evidence]
    assert lacking, "no commitment read the places of the dataset"
    for v in lacking:
        assert v.verdict == "insufficient_data"
        assert "acled-argentina has no Afghanistan" in v.summary
        assert set(v.evidence["held_by"]) == {SAMPLE_ID, "acled-afghanistan-2017-01-01-2026-03-13-reduced"}
