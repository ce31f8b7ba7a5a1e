"""Issue 12's acceptance path, as a new user takes it: with a local ACLED service on loopback standing
in for acleddata.com, `peacewatch sync acled --country Afghanistan`, then `peacewatch watch
afghanistan-2020 --once` WITHOUT --dataset (the case names the reduced ACLED export, which this store
does not hold: it is read on the synced dataset, and says so), then `peacewatch brief` showing the
access date of the data it read. And the rule itself (agreements/standin.py): one candidate, several,
none, the named dataset present, --dataset given."""

from __future__ import annotations

import json
import re
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sync"))
from acled_service import EMAIL, PASSWORD, FakeAcled, make_events

from peacewatch.agreements import load_case, standin
from peacewatch.cli.app import main

SYNCED = "acled-api-afghanistan"
NAMED = "acled-afghanistan-2017-01-01-2026-03-13-reduced"


@pytest.fixture
def user(tmp_path, monkeypatch, httpserver):
    """A user with ACLED credentials in the environment, an empty store, and the service."""
    monkeypatch.setenv("ACLED_EMAIL", EMAIL)
    monkeypatch.setenv("ACLED_PASSWORD", PASSWORD)
    monkeypatch.setenv("PEACEWATCH_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("PEACEWATCH_KEYRING", "0")
    monkeypatch.delenv("PEACEWATCH_WEBHOOK", raising=False)
    fake = FakeAcled(httpserver, make_events(3000, start=date(2019, 1, 1), days=730))
    return fake, tmp_path / "store"


def _run(capsys, *args) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def _flat(text: str) -> str:
    """The text without table borders and line wraps."""
    return " ".join(re.sub("[│┃]", " ", text).split())


def _sync(capsys, fake, store) -> None:
    sync = ["sync", "acled", "--country", "Afghanistan", "--base-url", fake.base_url, "--store", str(store)]
    code, out, err = _run(capsys, *sync)
    assert code == 0, err
    assert f"{SYNCED}: 3,000 new" in out


def test_sync_then_watch_without_dataset_reads_the_synced_data_and_the_brief_shows_its_access_date(
    user, capsys, tmp_path
):
    fake, store = user
    _sync(capsys, fake, store)
    # A week of heavy fighting reported after the first sync: 150 events, 21 to 27 December 2020.
    fake.add(make_events(150, prefix="AFGS", seed=2, start=date(2020, 12, 21), days=7))
    code, out, err = _run(capsys, "watch", "afghanistan-2020", "--once", "--store", str(store))
    assert code == 0, err
    words = _flat(out)
    assert f"synced {SYNCED}: 150 new, 0 changed, 0 deleted" in words
    assert f"afghanistan-2020 on {SYNCED} (stand-in): first run: baseline recorded" in words
    assert f"note: the case names dataset {NAMED}, which this store does not hold; read on {SYNCED}" in words
    assert "synced from ACLED's API" in words and "the one event dataset of the store that covers" in words
    assert "violence_change" in words and "the week 2020-12-21 to 2020-12-27" in words
    assert "0 countries" not in words and "not in the store" not in words

    # The verdicts were read on the synced data, not left insufficient for want of the named export.
    code, out, err = _run(capsys, "evaluate", "afghanistan-2020", "--store", str(store), "--json")
    assert code == 0, err
    ev = json.loads(out)
    assert ev["stand_in"]["named"] == [NAMED] and ev["stand_in"]["read_on"] == SYNCED
    assert ev["notes"] == [ev["stand_in"]["note"]] and "note: the case names dataset" in _flat(err)
    riv = next(c for c in ev["commitments"] if c["id"] == "riv")
    assert riv["verdict"] != "insufficient_data"
    assert riv["evidence"]["stand_in"] == {"named": [NAMED], "read_on": [SYNCED]}

    code, out, err = _run(capsys, "check", "afghanistan-2020", "--store", str(store), "--json")
    assert code == 0, err
    checked = json.loads(out)
    assert checked["stand_in"]["read_on"] == SYNCED
    assert all(f"Checked on {SYNCED}, standing in for {NAMED}" in c["summary"] for c in checked["claims"])

    folder = tmp_path / "brief"
    code, out, err = _run(
        capsys, "brief", "afghanistan-2020", "--out", str(folder), "--no-pdf", "--store", str(store)
    )
    assert code == 0, err
    payload = json.loads((folder / "brief.json").read_text(encoding="utf-8"))
    (read,) = payload["datasets"]
    assert read["dataset_id"] == SYNCED
    accessed = re.search(r"accessed \d{4}-\d{2}-\d{2}T[\d:]+\+00:00", read["accessed"])
    assert read["accessed"].startswith("synced from ACLED's API") and accessed
    assert payload["stand_in"]["read_on"] == SYNCED and payload["notes"]
    html = (folder / "brief.html").read_text(encoding="utf-8")
    assert accessed.group(0) in html and "Read on a stand-in:" in html
    # The 2017-2018 weekly series cannot be drawn from two years of data: said in its place.
    assert "The data read cannot show this figure" in html


def test_two_datasets_covering_the_case_are_not_guessed_between(user, capsys, tmp_path):
    fake, store = user
    _sync(capsys, fake, store)
    other = ["sync", "acled", "--country", "Afghanistan", "--base-url", fake.base_url, "--store", str(store)]
    # A second dataset of the same country (its own months: the same events would supersede the first).
    code, _, err = _run(capsys, *other, "--until", "2019-03-31", "--name", "acled-afghanistan-second")
    assert code == 0, err
    code, out, err = _run(capsys, "evaluate", "afghanistan-2020", "--store", str(store), "--json")
    assert code == 0, err
    ev = json.loads(out)
    assert ev["stand_in"]["read_on"] is None
    assert sorted(ev["stand_in"]["candidates"]) == sorted([SYNCED, "acled-afghanistan-second"])
    riv = next(c for c in ev["commitments"] if c["id"] == "riv")
    assert riv["verdict"] == "insufficient_data"
    assert "peacewatch does not guess between them: pass --dataset ID" in riv["summary"]
    code, out, err = _run(
        capsys, "brief", "afghanistan-2020", "--out", str(tmp_path / "b"), "--store", str(store)
    )
    assert code == 1
    assert "2 of its datasets cover Afghanistan (AFG)" in _flat(err) and "--dataset ID" in _flat(err)
    # --dataset chooses: the same for brief and check as for evaluate, and in the commands they print.
    code, out, err = _run(
        capsys,
        "brief",
        "afghanistan-2020",
        "--out",
        str(tmp_path / "b"),
        "--no-pdf",
        "--store",
        str(store),
        "--dataset",
        SYNCED,
    )
    assert code == 0, err
    assert f"--dataset {SYNCED}" in _flat(out)
    payload = json.loads((tmp_path / "b" / "brief.json").read_text(encoding="utf-8"))
    assert payload["stand_in"] is None and payload["dataset"] == SYNCED
    assert [d["dataset_id"] for d in payload["datasets"]] == [SYNCED]
    code, out, err = _run(capsys, "check", "afghanistan-2020", "--store", str(store), "--dataset", SYNCED)
    assert code == 0, err
    assert f"--dataset {SYNCED}" in _flat(out) and "standing in" not in out


# -- the rule ----------------------------------------------------------------------------------------


def _row(dataset_id: str, countries: list[str], table: str = "events") -> dict:
    return {
        "dataset_id": dataset_id,
        "countries": countries,
        "table_name": table,
        "notes": [],
        "ingested_at": "2026-12-07T10:00:00",
    }


class _Catalog:
    """A store as the rule reads it: its catalog rows."""

    def __init__(self, *rows: dict):
        self.rows = list(rows)

    def exists(self) -> bool:
        return True

    def datasets(self) -> list[dict]:
        return self.rows


@pytest.fixture
def read(monkeypatch):
    monkeypatch.setattr("peacewatch.analysis.select.as_store", lambda s: s)
    return lambda *rows, countries=("AFG",), dataset=None: standin.reading(
        _Catalog(*rows), countries, dataset=dataset
    )


def test_one_dataset_covering_the_case_stands_in_for_the_missing_one(read):
    r = read(_row(SYNCED, ["AFG"]), _row("ucdp-syria", ["SYR"]), _row("afg-counts", ["AFG"], "counts"))
    assert r.datasets([NAMED]) == (SYNCED,)
    assert r.datasets([NAMED, "ucdp-syria"]) == (SYNCED, "ucdp-syria")  # a held one is read as named
    assert r.note([NAMED]).startswith(f"the case names dataset {NAMED}, which this store does not hold")
    assert "accessed (ingested) 2026-12-07" in r.note([NAMED]) and "Afghanistan (AFG)" in r.note([NAMED])
    assert r.to_dict([NAMED])["read_on"] == SYNCED and r.missing([NAMED], "agreement.yaml") is None


def test_several_candidates_choose_none_and_name_them(read):
    r = read(_row(SYNCED, ["AFG"]), _row("ucdp-ged-global", ["AFG", "SYR", "IRQ"]))
    assert r.stand_in is None and r.datasets([NAMED]) == (NAMED,)
    why = r.missing([NAMED], "agreement.yaml")
    assert f"2 of its datasets cover Afghanistan (AFG): {SYNCED}, ucdp-ged-global" in why
    assert "pass --dataset ID" in why and r.note([NAMED]) is None


def test_no_candidate_leaves_the_named_dataset_missing_and_says_why(read):
    r = read(_row("ucdp-syria", ["SYR"]))
    assert r.datasets([NAMED]) == (NAMED,) and r.to_dict([NAMED])["read_on"] is None
    assert "no event dataset of the store covers Afghanistan (AFG)" in r.missing([NAMED], "agreement.yaml")
    nowhere = read(_row(SYNCED, ["AFG"]), countries=())
    assert "the case names no country" in nowhere.missing([NAMED], "agreement.yaml")


def test_a_case_about_several_countries_needs_a_dataset_covering_every_one(read):
    both = ("SYR", "IRQ")
    r = read(_row("ucdp-syria", ["SYR"]), _row("ucdp-levant", ["SYR", "IRQ", "LBN"]), countries=both)
    assert r.datasets([NAMED]) == ("ucdp-levant",)


def test_the_named_dataset_present_changes_nothing(read):
    r = read(_row(NAMED, ["AFG"]), _row(SYNCED, ["AFG"]))
    assert r.datasets([NAMED]) == (NAMED,) and r.to_dict([NAMED]) is None and not r.swapped([NAMED])


def test_dataset_given_replaces_every_named_one_and_is_no_stand_in(read):
    r = read(_row(NAMED, ["AFG"]), _row(SYNCED, ["AFG"]), dataset=SYNCED)
    assert r.datasets([NAMED]) == (SYNCED,) and r.datasets([]) == (SYNCED,)
    assert r.to_dict([NAMED]) is None and r.note([NAMED]) is None and r.swapped([NAMED])


def test_the_case_countries_are_declared_or_those_its_violence_commitments_name():
    assert standin.case_countries(load_case("afghanistan-2020")) == ("AFG",)
    assert standin.case_countries(load_case("syria-2016")) == ("SYR",)
    assert standin.case_countries(load_case("myanmar-2015")) == ("MMR",)  # declared: dyads name no country


def test_watching_a_case_no_dataset_of_the_store_covers_says_so_once(syria_store, tmp_path, capsys):
    import shutil

    store = tmp_path / "syria"
    shutil.copytree(syria_store.path, store, ignore=shutil.ignore_patterns("watch"))
    code, out, err = _run(capsys, "watch", "afghanistan-2020", "--once", "--no-sync", "--store", str(store))
    assert code == 0, err
    words = _flat(out)
    assert "0 countries" not in words and "(stand-in)" not in words
    assert (
        f"party afghan_government: not watched: the dataset {NAMED} (the case files) is not in the store, "
        "and no event dataset of the store covers Afghanistan (AFG) to stand in for it" in words
    )
    assert words.count("not watched") == 1
