"""Acceptance: a case for a conflict the shipped taxonomy does not cover (the 2019 Political Agreement
for Peace and Reconciliation in the Central African Republic, tests/data/car-2019), with its own
actors.yaml, run through evaluate, check and brief with actor and dyad scopes on UCDP GED 23.1 CAR.

Every count is checked against a plain DuckDB query on the store's source names (REF below), written
without peacewatch's actor resolution or place matching.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from peacewatch.agreements import evaluate, load_case
from peacewatch.cli.app import main

AS_OF = dt.date(2022, 12, 31)
GOV = "'Government of Central African Republic'"


def _named(col: str, pattern: str) -> str:
    return f"regexp_matches({col}, '(^|[^A-Za-z0-9])({pattern})($|[^A-Za-z0-9])')"


def _between(a: str, b: str) -> str:
    """Events with a name matching ``a`` on one side and ``b`` on the other (source names)."""
    one_way = f"({_named('actor1', a)} AND {_named('actor2', b)})"
    other_way = f"({_named('actor1', b)} AND {_named('actor2', a)})"
    return f"({one_way} OR {other_way})"


GOV_NAME = "Government of Central African Republic"
SIGNATORIES = "UPC|FPRC|FPRC-AK|MPC|3R|anti-Balaka|Anti-Balaka - Mokom|MLCJ|RPRC"
REF = {
    "ceasefire-upc": f"date_start BETWEEN '2019-02-06' AND '2020-12-14' AND {_between(GOV_NAME, 'UPC')}",
    "three-r": "date_start BETWEEN '2019-02-06' AND '2019-12-31' AND admin1 IN ('Ouham-Pendé province', "
    f"'Nana-Mambéré province') AND {_between('3R', 'Civilians')}",
    "fprc": "date_start BETWEEN '2019-02-06' AND '2020-12-14' AND event_type = 'battle' AND "
    f"{_between(GOV_NAME, 'FPRC|FPRC-AK')}",
    "civilians-window": "date_start BETWEEN '2019-02-06' AND '2020-02-05' AND violence_type = 'one_sided' "
    f"AND {_between(SIGNATORIES, 'Civilians')}",
    "civilians-baseline": "date_start BETWEEN '2018-02-06' AND '2019-02-05' AND violence_type = 'one_sided' "
    f"AND {_between(SIGNATORIES, 'Civilians')}",
}  # fmt: skip


@pytest.fixture
def case_dir(test_data):
    return test_data / "car-2019"


def _ref(store, name: str) -> int:
    return store.query(f"SELECT count(*) FROM events WHERE {REF[name]}").column(0)[0].as_py()


def test_the_case_keys_are_unknown_to_the_shipped_taxonomy(case_dir):
    from peacewatch.actors import Taxonomy

    shipped = Taxonomy.load()
    assert not {"car_government", "upc", "fprc", "three_r", "anti_balaka"} & set(shipped.keys())
    case = load_case(case_dir)  # the folder's actors.yaml makes them valid
    assert case.taxonomy_files == (case_dir / "actors.yaml",)


def test_evaluate_counts_actor_and_dyad_scopes_with_the_case_actors(car_store_copy, case_dir):
    case = load_case(case_dir, store=car_store_copy)
    got = {v.id: v for v in evaluate(case, as_of=AS_OF, store=car_store_copy).verdicts}
    s = car_store_copy
    assert (_ref(s, "ceasefire-upc"), _ref(s, "three-r"), _ref(s, "fprc")) == (7, 7, 4)
    assert got["ceasefire-upc"].verdict == "not_met"
    assert got["ceasefire-upc"].evidence["events"] == 7
    # admin1 written as a user would ("Ouham-Pende", "Nana-Mambere") and given as a list.
    assert got["three-r-civilians-northwest"].verdict == "not_met"
    assert got["three-r-civilians-northwest"].evidence["events"] == 7
    # The old spelling (perpetrators/targets/types) gives the same filter as dyad/type.
    assert got["ceasefire-fprc-old-spelling"].evidence["events"] == 4
    window, baseline = _ref(s, "civilians-window"), _ref(s, "civilians-baseline")
    assert (window, baseline) == (23, 32)
    d = got["civilians-first-year"].evidence["comparison"]
    assert (d["window"]["total"], d["baseline"]["total"]) == (window, baseline)
    assert got["civilians-first-year"].verdict == "inconclusive"


def test_loading_notes_each_old_scope_spelling_with_its_line(case_dir):
    notes = load_case(case_dir).notes
    assert [n.split(": ", 1)[1].split(" is ")[0] for n in notes] == ["'perpetrators'", "'targets'", "'types'"]
    assert all(n.startswith(f"{case_dir / 'agreement.yaml'}:") for n in notes)


def test_check_settles_claims_with_case_actor_keys_and_place_lists(car_store_copy, case_dir, capsys):
    code = main(
        ["check", str(case_dir), "--store", str(car_store_copy.path), "--as-of", str(AS_OF), "--json"]
    )
    got = {c["id"]: c for c in json.loads(capsys.readouterr().out)["claims"]}
    assert code == 0
    upc = got["government-upc-fighting-fell"]["evidence"]["comparison"]
    assert (upc["window"]["total"], upc["baseline"]["total"]) == (7, 11)
    assert got["government-upc-fighting-fell"]["result"] == "inconclusive"
    by_year = car_store_copy.query(
        f"SELECT year(date_start) AS y, count(*) AS n FROM events WHERE violence_type = 'state_based' "
        f"AND actor1 = {GOV} AND {_named('actor2', 'CPC|' + SIGNATORIES)} "
        "AND date_start BETWEEN '2019-01-01' AND '2021-12-31' GROUP BY y ORDER BY n DESC"
    ).to_pylist()
    assert by_year[0] == {"y": 2021, "n": 119}
    assert got["cpc-war-2021"]["result"] == "supported"
    nw = got["northwest-civilians"]["evidence"]["comparison"]
    assert (nw["window"]["total"], nw["baseline"]["total"]) == (9, 20)


def test_the_brief_renders_verdicts_claims_and_a_dyad_chart_for_the_case(car_store_copy, case_dir):
    from peacewatch.briefs import build as brief_build

    built = brief_build.build(case_dir, store=car_store_copy)
    payload = built.payload
    blocks = payload["sections"][0]["blocks"]
    verdicts = {r["id"]: r["verdict"] for r in blocks[0]["rows"]}
    assert verdicts == {
        "civilians-first-year": "inconclusive",
        "ceasefire-upc": "not_met",
        "three-r-civilians-northwest": "not_met",
    }
    assert "--dyad upc+fprc+mpc+three_r+anti_balaka,civilians" in blocks[1]["figure"]["command"]
    assert {r["id"]: r["result"] for r in blocks[2]["rows"]}["cpc-war-2021"] == "supported"


def test_evaluate_cli_adopts_the_case_actors_into_a_store_that_lacks_them(car_store_copy, case_dir, capsys):
    assert car_store_copy.taxonomy_files() == []
    code = main(
        ["evaluate", str(case_dir), "--store", str(car_store_copy.path), "--as-of", str(AS_OF), "--json"]
    )
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert {c["id"]: c["verdict"] for c in out["commitments"]}["ceasefire-upc"] == "not_met"
    assert [t.path for t in car_store_copy.taxonomy_files()] == [str((case_dir / "actors.yaml").resolve())]
