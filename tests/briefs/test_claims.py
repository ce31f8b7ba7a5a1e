"""Claim checks on real data: the built-in cases come out as documented, every result kind is
reachable, broken claims files are reported with file:line, and the CLI prints the documented JSON."""

from __future__ import annotations

import datetime as dt
import json
import re
import textwrap
from pathlib import Path

import pytest

from peacewatch.agreements import case_folder
from peacewatch.briefs.claims import (
    change_verdict,
    check_claims,
    claims_path,
    load_claims,
)
from peacewatch.cli.app import main
from peacewatch.errors import CaseError

ACLED = "acled-afghanistan-2017-01-01-2026-03-13-reduced"
GED = "ucdp-ged-myanmar-1989-2023"
AS_OF = dt.date(2020, 11, 30)  # the date of the afghanistan-2020 brief


@pytest.fixture(scope="module")
def myanmar_store(tmp_path_factory, data_file):
    from peacewatch.store import Store

    store = Store(tmp_path_factory.mktemp("myanmar") / "myanmar.duckdb")
    store.ingest([data_file("ucdp_ged_myanmar_1989_2023/ucdp_ged_myanmar_1989_2023.csv.gz")])
    return store


@pytest.fixture(scope="module")
def afghanistan(afghan_store):
    return {r.id: r for r in check_claims(load_claims("afghanistan-2020"), store=afghan_store, as_of=AS_OF)}


@pytest.fixture(scope="module")
def myanmar(myanmar_store):
    return {r.id: r for r in check_claims(load_claims("myanmar-2015"), store=myanmar_store)}


def claims_file(tmp_path: Path, body: str, name: str = "claims.yaml") -> Path:
    path = tmp_path / name
    path.write_text("claims:\n" + textwrap.indent(textwrap.dedent(body), "  "), encoding="utf-8")
    return path


def one(tmp_path, store, check: str, **kw):
    """Check one claim with the given check (YAML, indented under `check:`)."""
    body = "- id: c\n  text: t\n  source: s\n  check:\n" + textwrap.indent(textwrap.dedent(check), "    ")
    (result,) = check_claims(load_claims(claims_file(tmp_path, body)), store=store, **kw)
    return result


ALL_TYPES = f"filters: {{dataset: {ACLED}, country: Afghanistan}}\n"
RIV_TYPES = (
    f"filters: {{dataset: {ACLED}, country: Afghanistan,\n"
    "          type: [battle, explosion_remote_violence, violence_against_civilians]}\n"
)


# -- the built-in cases --------------------------------------------------------------------------------


def test_afghanistan_the_riv_week_cut_violence_by_80_percent(afghanistan, afghan_store):
    r = afghanistan["riv-cut-violence"]
    c = r.evidence["comparison"]
    assert r.result == "supported"
    assert (c["window"]["total"], c["baseline"]["total"]) == (54, 711)
    assert c["rate_ratio"] == pytest.approx(6.75 / (711 / 21))
    assert c["ci_low"] == pytest.approx(0.133, abs=1e-3) and c["ci_high"] == pytest.approx(0.299, abs=1e-3)
    assert "0.20 (-80%)" in r.summary and "wholly below 1" in r.summary
    assert r.evidence["command"].startswith(
        f"peacewatch compare --store {afghan_store.path} --snapshot {afghan_store.snapshot} --dataset {ACLED}"
    )
    assert r.evidence["datasets"][0]["dataset_id"] == ACLED and r.evidence["datasets"][0]["sha256"]


def test_afghanistan_violence_resumed_at_almost_four_times_the_riv_rate(afghanistan):
    r = afghanistan["violence-resumed"]
    c = r.evidence["comparison"]
    assert r.result == "supported"
    assert (c["window"]["total"], c["baseline"]["total"]) == (762, 54)
    assert c["rate_ratio"] == pytest.approx(25.4 / 6.75)
    assert c["ci_low"] > 2.3


def test_afghanistan_actor_claims_are_insufficient_data_naming_the_actor_fields(afghanistan):
    iskp, strikes = afghanistan["taliban-iskp-battles-rose-2019"], afghanistan["us-airstrikes-record-2019"]
    assert iskp.result == strikes.result == "insufficient_data"
    assert iskp.evidence["missing_fields"] == ["actor1", "actor2"]
    assert strikes.evidence["missing_fields"] == ["actor1"]
    assert "actor1, actor2" in iskp.summary and "UCDP GED" in iskp.summary
    assert "sub-event type" in strikes.summary and "AFCENT" in strikes.summary
    assert (
        strikes.evidence["command"].startswith("peacewatch series")
        and "--actor1 us_forces" in (strikes.evidence["command"])
    )


def test_afghanistan_panjwai_needs_districts_and_years_before_the_export(afghanistan):
    r = afghanistan["panjwai-quieter-after-withdrawal"]
    assert r.result == "insufficient_data"
    assert r.evidence["missing_fields"] == ["admin2"]
    assert "admin2" in r.summary and "2017-01-01:2026-03-13" in r.summary
    assert r.evidence["periods_needed"] == ["2015-01-01:2020-09-30", "2011-01-01:2014-12-31"]


def test_myanmar_claims_get_their_honest_results(myanmar):
    assert {k: r.result for k, r in myanmar.items()} == {
        "knu-fighting-fell": "inconclusive",
        "kia-fighting-rose": "contradicted",
        "rohingya-2017-deadliest": "supported",
        # A step (a quiet 2018, then 2019), not a steady log-linear rise: the residuals run in long
        # streaks, and the widened interval of the monthly slope includes 1.
        "arakan-war-escalated": "inconclusive",
    }


def test_myanmar_knu_fighting_was_already_rare_before_the_nca(myanmar):
    c = myanmar["knu-fighting-fell"].evidence["comparison"]
    assert (c["window"]["total"], c["baseline"]["total"]) == (8, 6)
    assert c["ci_low"] < 1 < c["ci_high"]


def test_myanmar_kia_fighting_fell_rather_than_rose(myanmar):
    c = myanmar["kia-fighting-rose"].evidence["comparison"]
    assert (c["window"]["total"], c["baseline"]["total"]) == (62, 96)
    assert c["ci_high"] < 1


def test_myanmar_2017_one_sided_deaths_far_exceed_any_other_year(myanmar):
    r = myanmar["rohingya-2017-deadliest"]
    totals = {t["period"]: t["value"] for t in r.evidence["totals"]}
    assert len(totals) == 35 and totals["2017"] == 1864 and totals["2021"] == 707
    assert (r.evidence["leader"], r.evidence["compared_with"]) == ("2017", "2021")
    assert (
        "--violence-type one_sided" in r.evidence["command"]
        and "--measure fatalities" in r.evidence["command"]
    )


def test_myanmar_arakan_army_fighting_rose_about_9_percent_a_month_but_in_a_step(myanmar):
    r = myanmar["arakan-war-escalated"]
    fit = r.evidence["fit"]
    assert fit["months"] == 24 and sum(p["value"] for p in r.evidence["series"]["points"]) == 112
    assert fit["rate_ratio"] == pytest.approx(1.092, abs=1e-3)
    assert fit["residual_autocorrelation"] == pytest.approx(0.51, abs=0.01)
    assert fit["ci_low"] < 1 < fit["ci_high"] and "widened 2.04 times" in r.summary


# -- every result kind, each check kind -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expect", "extra", "result"),
    [
        ("increase", "", "contradicted"),
        ("no_change", "", "contradicted"),
        ("decrease", "min_effect: 0.5\n", "supported"),
        ("decrease", "min_effect: 0.75\n", "inconclusive"),
        ("decrease", "min_effect: 0.9\n", "contradicted"),
    ],
)
def test_change_results_follow_the_interval(tmp_path, afghan_store, expect, extra, result):
    check = (
        "kind: change\n" + RIV_TYPES + "window: 2020-02-22:2020-02-29\nbaseline: 2020-02-01:2020-02-21\n"
        f"expect: {expect}\n" + extra
    )
    assert one(tmp_path, afghan_store, check).result == result


@pytest.mark.parametrize(
    ("expect", "result", "leader"),
    [
        ("{max: '2017'}", "contradicted", "2018"),  # 14,135 against 13,019
        ("{max: '2018'}", "inconclusive", "2018"),  # 14,135 against 13,908: within 2*sqrt(a+b) = 335
        ("{max: '2019'}", "inconclusive", "2018"),
        ("{min: '2017'}", "supported", "2017"),
    ],
)
def test_rank_by_year_weighs_the_margin_against_poisson_noise(tmp_path, afghan_store, expect, result, leader):
    check = f"kind: rank\n{ALL_TYPES}by: year\nfrom: 2017-01-01\nto: 2019-12-31\nexpect: {expect}\n"
    r = one(tmp_path, afghan_store, check)
    assert (r.result, r.evidence["leader"]) == (result, leader)
    assert {t["period"]: t["value"] for t in r.evidence["totals"]} == {
        "2017": 13019,
        "2018": 14135,
        "2019": 13908,
    }


def test_rank_by_month_finds_september_2019_the_busiest_month(tmp_path, afghan_store):
    check = (
        f"kind: rank\n{ALL_TYPES}by: month\nfrom: 2019-01-01\nto: 2019-12-31\nexpect: {{max: '2019-09'}}\n"
    )
    r = one(tmp_path, afghan_store, check)
    assert r.result == "supported"
    assert "2019-09 had the most events (1,704)" in r.summary and "2019-08 (1,487)" in r.summary


@pytest.mark.parametrize(
    ("span", "expect", "result"),
    [
        ("from: 2022-01-01\nto: 2023-12-31\n", "rising", "contradicted"),  # the decline after the takeover
        ("from: 2022-01-01\nto: 2023-12-31\n", "falling", "supported"),
        # The collapse after August 2021 is a step, not a trend: the months before and after it run in
        # streaks (residual autocorrelation 0.38), and the widened interval of the slope includes 1.
        ("from: 2021-04-01\nto: 2021-12-31\n", "falling", "inconclusive"),
        ("from: 2020-01-01\nto: 2020-12-31\n", "rising", "inconclusive"),  # a dip and a recovery
    ],
)
def test_trend_results_follow_the_monthly_rate_ratio(tmp_path, afghan_store, span, expect, result):
    r = one(tmp_path, afghan_store, f"kind: trend\n{ALL_TYPES}{span}expect: {expect}\n")
    assert r.result == result
    assert r.evidence["command"].startswith("peacewatch series") and "--by month" in r.evidence["command"]


def test_a_period_outside_the_coverage_is_insufficient_data_naming_it(tmp_path, afghan_store):
    check = f"kind: change\n{ALL_TYPES}window: 2017-01-01:2017-01-31\nbaseline: 2016-01-01:2016-12-31\n"
    r = one(tmp_path, afghan_store, check + "expect: increase\n")
    assert r.result == "insufficient_data" and "2016-01-01:2016-12-31" in r.summary
    trend = one(
        tmp_path,
        afghan_store,
        f"kind: trend\n{ALL_TYPES}from: 2016-06-01\nto: 2017-06-30\n" + "expect: rising\n",
    )
    assert trend.result == "insufficient_data" and "2016-06-01:2017-06-30" in trend.summary


def test_a_dataset_missing_from_the_store_is_insufficient_data_saying_to_ingest_it(tmp_path, afghan_store):
    check = "kind: trend\nfilters: {dataset: ucdp-ged-afghanistan}\nfrom: 2019-01-01\nto: 2019-12-31\n"
    r = one(tmp_path, afghan_store, check + "expect: rising\n")
    assert r.result == "insufficient_data"
    assert "ucdp-ged-afghanistan" in r.summary and "ingest" in r.summary


def test_a_period_ending_after_the_as_of_date_is_insufficient_data(tmp_path, afghan_store):
    check = f"kind: trend\n{ALL_TYPES}from: 2020-01-01\nto: 2020-12-31\nexpect: rising\n"
    r = one(tmp_path, afghan_store, check, as_of=AS_OF)
    assert r.result == "insufficient_data" and "2020-12-31" in r.summary and "2020-11-30" in r.summary


@pytest.mark.parametrize(
    ("expect", "lo", "hi", "m", "result"),
    [
        ("decrease", 0.5, 0.9, None, "supported"),
        ("decrease", 0.9, 1.2, None, "inconclusive"),
        ("decrease", 1.0, 1.3, None, "contradicted"),
        ("decrease", 0.85, 0.95, 0.2, "contradicted"),  # a real fall, certainly smaller than 20%
        ("increase", 1.1, 1.5, None, "supported"),
        ("increase", 0.7, 1.0, None, "contradicted"),
        ("increase", 1.1, 1.5, 0.2, "inconclusive"),
        ("no_change", 0.9, 1.1, 0.2, "supported"),
        ("no_change", 0.7, 1.1, 0.2, "inconclusive"),
        ("no_change", 1.05, 1.4, None, "contradicted"),
    ],
)
def test_change_verdict_rules(expect, lo, hi, m, result):
    assert change_verdict(expect, lo, hi, m)[0] == result


# -- loading ---------------------------------------------------------------------------------------------


BROKEN = """\
- id: riv
  text: t
  source: s
  check:
    kind: change
    filters:
      dataset: x
      tpye: [battle]
    window: 2020-02-22:2020-02-29
    baseline: 2020-02-01:2020-02-21
    expect: decrease
- id: riv
  text: t
  source: s
  check:
    kind: chnage
- id: strikes
  text: t
  source: s
  check:
    kind: rank
    filters:
      actor1: us_forcs
      type: [explosions]
    by: year
    from: 2017-01-01
    to: 2019-12-31
    expect: {max: "2020"}
- id: trend
  text: t
  source: s
  check:
    kind: trend
    from: 2019-01-15
    to: 2019-12-31
    expect: rising
    expcet: rising
- id: bad-window
  text: t
  source: s
  check:
    kind: change
    window: 2020-02-30:2020-03-01
    baseline: 2020-02-01
    expect: fell
"""


def test_a_broken_claims_file_lists_every_problem_with_file_and_line(tmp_path):
    path = claims_file(tmp_path, BROKEN)
    with pytest.raises(CaseError) as err:
        load_claims(path)
    text = str(err.value)
    expected = {
        9: r"unknown key 'tpye'; did you mean 'type'\?",
        13: r"claim id 'riv' is used twice",
        17: r"kind: unknown check kind 'chnage'; did you mean 'change'\?",
        24: r"unknown actor key 'us_forcs'; did you mean 'us_forces'\?",
        25: r"unknown event type 'explosions'; did you mean 'explosion_remote_violence'\?",
        29: r"'2020' is not a year \(YYYY\) between from and to",
        36: r"monthly totals need from on the first",
        38: r"unknown key 'expcet'; did you mean 'expect'\?",
        44: r"window: '2020-02-30' in '2020-02-30:2020-03-01' is not a date",
        45: r"baseline: expected START:END",
        46: r"expect: Input should be 'decrease', 'increase' or 'no_change', found 'fell'",
    }
    for line, pattern in expected.items():
        assert re.search(rf"^  {re.escape(str(path))}:{line}: .*{pattern}", text, re.M), (line, pattern, text)
    lines = [int(x) for x in re.findall(rf"{re.escape(str(path))}:(\d+):", text)]
    assert lines == sorted(lines) and len(lines) == len(expected)
    assert text.startswith(f"{len(expected)} problem(s) in {path}")


def test_invalid_yaml_is_reported_with_its_line(tmp_path):
    path = tmp_path / "claims.yaml"
    path.write_text("claims:\n  - id: a\n    text: [unclosed\n", encoding="utf-8")
    with pytest.raises(CaseError, match=rf"{re.escape(str(path))}:\d+: not valid YAML"):
        load_claims(path)


def test_claims_are_found_by_file_folder_or_built_in_case_name(tmp_path):
    folder = case_folder("afghanistan-2020")
    assert claims_path("afghanistan-2020") == claims_path(folder) == claims_path(folder / "claims.yaml")
    (tmp_path / "agreement.yaml").write_text("{}", encoding="utf-8")
    with pytest.raises(CaseError, match=r"claims\.yaml: missing"):
        claims_path(tmp_path)
    with pytest.raises(CaseError, match="no such case folder"):
        claims_path("no-such-case")


# -- the CLI ---------------------------------------------------------------------------------------------


def test_check_json_has_the_documented_shape(capsys, afghan_store):
    code = main(
        ["check", "afghanistan-2020", "--store", str(afghan_store.path), "--as-of", "2020-11-30", "--json"]
    )
    out = capsys.readouterr().out
    assert code == 0
    payload = json.loads(out)
    assert list(payload) == ["claims", "snapshot", "stand_in", "notes"]
    assert payload["snapshot"] == afghan_store.snapshot
    assert payload["stand_in"] is None and payload["notes"] == []  # the named dataset is in the store
    assert [c["result"] for c in payload["claims"]] == ["supported", "supported"] + ["insufficient_data"] * 3
    for c in payload["claims"]:
        assert {"id", "text", "result", "summary", "evidence"} <= set(c)
        assert c["evidence"]["command"].startswith("peacewatch ")


def test_check_prints_a_table_for_people(capsys, afghan_store):
    code = main(["check", str(case_folder("afghanistan-2020")), "--store", str(afghan_store.path)])
    out = capsys.readouterr().out
    assert code == 0 and "riv-cut-violence" in out and "insufficient_data" in out


def test_check_on_a_broken_file_exits_1_with_the_file_and_line(capsys, tmp_path, afghan_store):
    path = claims_file(tmp_path, BROKEN)
    code = main(["check", str(path), "--store", str(afghan_store.path)])
    err = capsys.readouterr().err
    assert code == 1 and f"{path}:9:" in err


def test_actor_groups_in_claims_are_checked_member_by_member(tmp_path):
    path = claims_file(
        tmp_path,
        """\
- id: g
  text: t
  source: s
  check:
    kind: change
    filters:
      actor: [taliban, haqani_network]
      dyad: [iskp+us_forcs, taliban]
    window: 2020-03-01:2020-03-31
    baseline: 2020-02-01:2020-02-21
    expect: decrease
""",
    )
    with pytest.raises(CaseError) as err:
        load_claims(path)
    text = str(err.value)
    assert re.search(rf"{re.escape(str(path))}:8: .*unknown actor key 'haqani_network'; did you mean", text)
    assert re.search(rf"{re.escape(str(path))}:9: .*unknown actor key 'us_forcs'; did you mean", text)
    ok = path.read_text(encoding="utf-8").replace("haqani", "haqqani").replace("us_forcs", "us_forces")
    path.write_text(ok, encoding="utf-8")
    f = load_claims(path)[0].check.filters.to_filters()
    assert f.actor == "taliban+haqqani_network" and f.dyad == ("iskp+us_forces", "taliban")


SSD_VIOLENCE = "filters: {type: [battle, violence_against_civilians, explosion_remote_violence]}\n"


@pytest.fixture(scope="module")
def south_sudan_store(tmp_path_factory, data_file):
    from peacewatch.store import Store

    store = Store(tmp_path_factory.mktemp("ssd") / "ssd.duckdb")
    store.ingest([data_file("acled_south_sudan_events_reduced/acled_south_sudan_reduced.csv.gz")])
    return store


def claim_with_text(tmp_path, store, text: str, check: str):
    body = f"- id: c\n  text: {text}\n  source: s\n  check:\n" + textwrap.indent(
        textwrap.dedent(check), "    "
    )
    (result,) = check_claims(load_claims(claims_file(tmp_path, body)), store=store)
    return result


def test_a_steady_rise_with_persistent_months_is_no_longer_supported(tmp_path, south_sudan_store):
    # Issue 15: "+3.3% a month, 1.003-1.065" was called supported; the months are serially correlated.
    r = claim_with_text(
        tmp_path,
        south_sudan_store,
        "Violence has risen steadily since February 2020",
        f"kind: trend\n{SSD_VIOLENCE}from: 2020-03-01\nto: 2021-12-31\nexpect: rising\n",
    )
    assert r.result == "inconclusive"
    fit = r.evidence["fit"]
    assert round(fit["rate_ratio"], 3) == 1.033 and (round(fit["ci_low"], 3), round(fit["ci_high"], 3)) == (
        0.969,
        1.102,
    )
    assert "+3.3% a month" in r.summary and "19.6 times as much as Poisson" in r.summary
    assert "widened 2.15 times" in r.summary
    assert r.evidence["shape"] == "steady" and "The claim says 'steadily'" in r.summary
    assert "13 of 21 months were above the month before" in r.summary


def test_a_claim_without_steady_wording_says_only_the_average_slope_is_checked(tmp_path, afghan_store):
    r = claim_with_text(
        tmp_path,
        afghan_store,
        "Violence fell after the takeover",
        f"kind: trend\n{ALL_TYPES}from: 2022-01-01\nto: 2023-12-31\nexpect: falling\n",
    )
    assert r.result == "supported" and r.evidence["shape"] == "average"
    assert r.summary.endswith("This checks the average slope only, not that the change was steady.")
    assert "steadiness" not in r.evidence


@pytest.mark.parametrize(
    ("span", "result", "reversal"),
    [
        ("from: 2022-01-01\nto: 2023-12-31\n", "supported", None),
        # Falling on average, but a significant rise from January 2022 (203 -> 286 events a month).
        ("from: 2021-11-01\nto: 2023-10-31\n", "contradicted", "2022-01"),
    ],
)
def test_a_steady_claim_is_contradicted_by_a_significant_reversal(
    tmp_path, afghan_store, span, result, reversal
):
    r = claim_with_text(
        tmp_path,
        afghan_store,
        "Violence fell consistently after the takeover",
        f"kind: trend\n{ALL_TYPES}{span}expect: falling\n",
    )
    assert r.evidence["direction"] == "falling" and r.result == result
    reversals = r.evidence["steadiness"]["reversals"]
    assert [x["month"] for x in reversals][:1] == ([reversal] if reversal else [])
    if reversal:
        assert "falling on average, but not steadily" in r.summary and "from 2022-01" in r.summary
    else:
        assert "find no significant rise within the period" in r.summary


def test_a_declared_shape_overrides_the_wording(tmp_path, afghan_store):
    check = f"kind: trend\n{ALL_TYPES}from: 2021-11-01\nto: 2023-10-31\nexpect: falling\nshape: average\n"
    r = claim_with_text(tmp_path, afghan_store, "Violence fell steadily", check)
    assert r.result == "supported" and r.evidence["shape"] == "average"
    r = claim_with_text(tmp_path, afghan_store, "Violence fell", check.replace("average", "steady"))
    assert r.result == "contradicted" and "The claim is declared steady" in r.summary


def test_an_unknown_shape_is_reported_at_its_line(tmp_path):
    body = (
        "- id: c\n  text: t\n  source: s\n  check:\n    kind: trend\n    from: 2020-01-01\n"
        "    to: 2020-12-31\n    expect: rising\n    shape: stedy\n"
    )
    path = claims_file(tmp_path, body)
    with pytest.raises(CaseError) as err:
        load_claims(path)
    assert f"{path}:10:" in str(err.value) and "'steady' or 'average'" in str(err.value)
