"""Acceptance: docs/examples/yemen-2022, a process peacewatch ships nothing for (the UN-mediated truce in
Yemen of 2 April 2022), modelled from the docs alone on ACLED's 2022 sample (9,000 events worldwide,
266 in Yemen, 2022-01-01 to 2022-06-30): its actors.yaml adds ACLED's names to two shipped keys and one
new key, its places are governorates, and its third truce period lies after the data end, so every
verdict and claim on it must be insufficient_data, never a number.

Also the rule that a no_attacks count of zero is no `met` when no event of the data names the actor at
all: on ACLED, the shipped key houthis resolves nothing until the case's actors.yaml adds ACLED's name."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from peacewatch.cli.app import main

CASE = Path(__file__).resolve().parents[2] / "docs" / "examples" / "yemen-2022"
ACLED2022 = "acled_global_sample_2022/acled_sample_2022-01_2022-06_9000_events.csv.gz"
DATASET = "acled-sample-2022-01-2022-06-9000-events"
FIRST, LAST = dt.date(2022, 1, 1), dt.date(2022, 6, 30)
AS_OF = "2022-10-31"


@pytest.fixture(scope="module")
def acled_store(tmp_path_factory, data_file):
    """ACLED's 2022 sample in a store of this module's own, without any taxonomy file."""
    from peacewatch.store import Store

    store = Store(tmp_path_factory.mktemp("yem") / "base")
    store.ingest([data_file(ACLED2022)])
    return store


def _copy(store, tmp_path) -> str:
    path = tmp_path / "store"
    shutil.copytree(store.path, path)
    return str(path)


def _run(capsys, *args: str) -> dict:
    code = main([*args, "--json"])
    out = capsys.readouterr().out
    assert code == 0, out
    return json.loads(out)


@pytest.fixture(scope="module")
def evaluated(acled_store, tmp_path_factory):
    """The example's evaluate and check payloads, on a copy of the store (the case adds its actors.yaml)."""
    import contextlib
    import io

    path = _copy(acled_store, tmp_path_factory.mktemp("yem-case"))
    out = {}
    for command in ("evaluate", "check"):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            code = main([command, str(CASE), "--store", path, "--as-of", AS_OF, "--json"])
        assert code == 0, buffer.getvalue()
        out[command] = json.loads(buffer.getvalue())
    return out


def test_the_example_loads_with_its_actor_files_and_no_stub(acled_store):
    from peacewatch.agreements import load_case
    from peacewatch.briefs.spec import load_brief

    case = load_case(CASE)
    assert case.taxonomy_files == (CASE / "actors.yaml",)
    assert case.agreement.dataset == DATASET
    assert not case.stubs()
    assert load_brief(CASE / "brief.yaml").datasets == [DATASET]


def test_verdicts_claim_nothing_the_sample_does_not_cover(evaluated):
    got = {c["id"]: c for c in evaluated["evaluate"]["commitments"]}
    assert {k: c["verdict"] for k, c in got.items()} == {
        "truce-first-period": "inconclusive",  # 60 events against 76: 0.79 (0.54 to 1.15)
        "truce-third-period": "insufficient_data",  # 2 August to 2 October: after the data end
        "coalition-no-air-raids": "not_met",  # 8 coalition events from 3 April to 30 June
        "no-cross-border-attacks": "insufficient_data",  # none to 30 June, July-October not covered
        "fuel-ships": "met",
        "sanaa-flights": "met",
        "taiz-roads-meeting": "met",
        "taiz-roads-opened": "not_met",
        "renewal": "met",
        "contrast-south": "contrast",
    }
    third = got["truce-third-period"]
    assert "2022-08-02 to 2022-10-02 (62 days) are missing" in third["summary"]
    assert "comparison" not in third["evidence"]
    assert got["no-cross-border-attacks"]["evidence"]["missing_days"] == ["2022-07-01:2022-10-02"]
    # the count names the places it is limited to: not read as no Houthi event anywhere
    assert (
        "0 events involving houthis in Saudi Arabia on the days covered"
        in got["no-cross-border-attacks"]["summary"]
    )
    assert got["coalition-no-air-raids"]["evidence"]["events"] == 8
    c = got["truce-first-period"]["evidence"]["comparison"]
    assert (c["window"]["total"], c["baseline"]["total"]) == (60, 76)
    for v in got.values():
        if comparison := v["evidence"].get("comparison"):
            assert dt.date.fromisoformat(comparison["window"]["end"]) <= LAST, v["id"]


def test_claims_outside_the_coverage_are_insufficient_data(evaluated):
    got = {c["id"]: c for c in evaluated["check"]["claims"]}
    assert {k: c["result"] for k, c in got.items()} == {
        "truce-violence-fell": "inconclusive",
        "marib-front-quiet": "inconclusive",
        "january-worst": "inconclusive",
        "violence-rising-during-truce": "inconclusive",
        "third-period-quiet": "insufficient_data",
        "coalition-strikes-stopped": "supported",  # 4 events against 55: 0.14 (0.05 to 0.42)
    }
    assert got["third-period-quiet"]["evidence"]["missing_days"] == ["2022-08-02:2022-10-02"]


def _mini_case(folder: Path, period: str) -> Path:
    folder.mkdir()
    (folder / "agreement.yaml").write_text(
        f"""id: mini
title: Houthi attacks across the border
signed: 2022-04-02
dataset: {DATASET}
parties:
  - {{key: ansarallah, name: Ansarallah, actors: [houthis]}}
commitments:
  - id: no-cross-border
    party: ansarallah
    text: "halt all offensive military air, ground and maritime operations ... across its borders"
    source: https://example.org/truce
    kind: no_attacks
    actor: [houthis]
    country: Saudi Arabia
    period: {period}
""",
        encoding="utf-8",
    )
    (folder / "chronology.yaml").write_text("facts: []\n", encoding="utf-8")
    return folder


def test_zero_events_of_an_actor_the_data_never_name_is_no_met(acled_store, tmp_path, capsys):
    store = _copy(acled_store, tmp_path)
    case = _mini_case(tmp_path / "mini", "2022-04-03:2022-06-30")
    out = _run(capsys, "evaluate", str(case), "--store", store, "--as-of", AS_OF)
    (v,) = out["commitments"]
    assert v["verdict"] == "insufficient_data"
    assert v["evidence"]["unmatched_actors"] == ["houthis"]
    assert v["summary"].startswith(
        "The data cannot tell: --actor houthis: no event of acled-sample-2022-01-2022-06-9000-events "
        "names houthis on any date, so a count of zero would say nothing."
    )
    assert "peacewatch actors --unresolved" in v["summary"]
    # once ACLED's name resolves to the key (the example's actors.yaml), the same zero is a met
    out = _run(
        capsys,
        "evaluate",
        str(case),
        "--store",
        store,
        "--as-of",
        AS_OF,
        "--taxonomy",
        str(CASE / "actors.yaml"),
    )
    (v,) = out["commitments"]
    assert v["verdict"] == "met"
    assert v["evidence"]["events"] == 0 and "unmatched_actors" not in v["evidence"]


def test_a_key_no_event_names_is_an_error_in_a_command_and_insufficient_data_in_a_claim(
    acled_store, tmp_path, capsys
):
    # `series --actor houthis` on ACLED's file was a table of zeros: the shipped key matches UCDP's name
    store = _copy(acled_store, tmp_path)
    code = main(["series", "--store", store, "--country", "Yemen", "--actor", "houthis", "--by", "month"])
    err = capsys.readouterr().err
    assert code == 1
    assert "--actor houthis: no event of acled-sample-2022-01-2022-06-9000-events names houthis" in err
    assert "peacewatch actors --unresolved" in err
    # a group counts when any of its keys is named: only a wholly unnamed side is refused
    code = main(
        ["series", "--store", store, "--country", "Yemen", "--actor", "houthis+civilians", "--by", "month"]
    )
    assert code == 0, capsys.readouterr().err
    capsys.readouterr()
    claims = tmp_path / "claims.yaml"
    claims.write_text(
        f"""claims:
  - id: houthi-attacks-fell
    text: "Houthi attacks fell with the truce."
    source: https://example.org/brief
    check:
      kind: change
      filters: {{country: Yemen, actor: houthis, dataset: {DATASET}}}
      window: 2022-04-02:2022-06-02
      baseline: 2022-01-31:2022-04-01
      expect: decrease
""",
        encoding="utf-8",
    )
    out = _run(capsys, "check", str(claims), "--store", store, "--as-of", AS_OF)
    (c,) = out["claims"]
    assert c["result"] == "insufficient_data"
    assert c["evidence"]["unmatched_actors"] == ["houthis"]


def test_a_misspelt_place_in_agreement_yaml_is_named_at_its_line(acled_store, tmp_path, capsys):
    folder = tmp_path / "typo"
    shutil.copytree(CASE, folder)
    agreement = folder / "agreement.yaml"
    lines = agreement.read_text(encoding="utf-8").splitlines()
    line = next(i for i, text in enumerate(lines, 1) if "admin1: [Abyan, Aden," in text)
    lines[line - 1] = lines[line - 1].replace("Aden,", "Adenn,")
    agreement.write_text("\n".join(lines) + "\n", encoding="utf-8")
    store = _copy(acled_store, tmp_path)
    code = main(["evaluate", str(folder), "--store", store, "--as-of", AS_OF])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{agreement}:{line}: commitment 'contrast-south': --admin1 'Adenn' matches no admin1" in " ".join(
        err.split()
    )
    assert "Did you mean 'Aden' (YEM)?" in " ".join(err.split())
