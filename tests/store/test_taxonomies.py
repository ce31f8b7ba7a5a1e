"""A store remembers the taxonomy files its events were resolved with, and re-resolves its events when
one is added or changed, on UCDP GED 23.1 CAR (whose actors the shipped taxonomy does not know)."""

from __future__ import annotations

import json

import pytest

from peacewatch import Filters, analysis
from peacewatch.actors import Taxonomy
from peacewatch.cli.app import main
from peacewatch.errors import TaxonomyError

# Events with FPRC (or its faction FPRC-AK) named on either side, as UCDP GED writes them.
FPRC_SQL = """SELECT count(*) FROM events
    WHERE regexp_matches(actor1, '(^|[^A-Za-z0-9-])FPRC($|[^A-Za-z0-9])')
       OR regexp_matches(actor2, '(^|[^A-Za-z0-9-])FPRC($|[^A-Za-z0-9])')
       OR actor1 LIKE '%FPRC-AK%' OR actor2 LIKE '%FPRC-AK%'"""


@pytest.fixture
def car_actors(test_data):
    return test_data / "car-2019" / "actors.yaml"


def _fprc(store) -> int:
    return analysis.events(Filters(actor="fprc"), store=store).num_rows


def test_keys_of_a_file_the_store_was_resolved_with_work_in_queries(car_store_copy, car_actors):
    store = car_store_copy
    with pytest.raises(TaxonomyError, match="unknown actor key 'fprc'"):
        _fprc(store)
    sides = store.adopt_taxonomies([car_actors])
    assert sides > 0
    expected = store.query(FPRC_SQL).column(0)[0].as_py()
    assert expected == 363
    assert _fprc(store) == expected
    assert [t.path for t in store.taxonomy_files()] == [str(car_actors.resolve())]
    assert store.adopt_taxonomies([car_actors]) is None  # the same file again: nothing to do


def test_reingesting_with_a_new_taxonomy_re_resolves_instead_of_only_saying_unchanged(
    car_store_copy, car_actors, data_file, capsys
):
    path = data_file("ucdp_ged_231_central_african_republic/GEDEvent_v23_1_CAR.geojson.gz")
    store = str(car_store_copy.path)
    code = main(["ingest", "--store", store, "--taxonomy", str(car_actors), "--json", str(path)])
    report = json.loads(capsys.readouterr().out)[0]
    assert code == 0 and report["status"] == "unchanged"
    assert any(n.startswith("actor names re-resolved") for n in report["notes"])
    assert _fprc(car_store_copy) == 363
    code = main(["ingest", "--store", store, "--taxonomy", str(car_actors), "--json", str(path)])
    again = json.loads(capsys.readouterr().out)[0]
    assert not any(n.startswith("actor names re-resolved") for n in again["notes"])  # nothing new


def test_changing_a_taxonomy_file_re_resolves_stored_events(car_store_copy, car_actors, tmp_path):
    own = tmp_path / "actors.yaml"
    text = car_actors.read_text(encoding="utf-8")
    own.write_text(text.replace("ucdp: [FPRC, FPRC-AK]", "ucdp: [FPRC-AK]"))
    store = car_store_copy
    store.adopt_taxonomies([own])
    only_ak = store.query(
        "SELECT count(*) FROM events WHERE actor1 LIKE '%FPRC-AK%' OR actor2 LIKE '%FPRC-AK%'"
    )
    assert _fprc(store) == only_ak.column(0)[0].as_py() == 26
    own.write_text(car_actors.read_text(encoding="utf-8"))
    assert store.adopt_taxonomies([own]) > 0
    assert _fprc(store) == 363
    assert len(store.taxonomy_files()) == 1  # the new version replaced the old one


def test_unknown_keys_suggest_only_close_keys_and_never_list_the_taxonomy(car_store_copy, car_actors):
    shipped = Taxonomy.load()
    with pytest.raises(TaxonomyError) as err:
        shipped.check_key("fprc")
    assert "farc" not in str(err.value) and "did you mean" not in str(err.value)
    assert "taliban" not in str(err.value)  # no list of shipped keys
    car_store_copy.adopt_taxonomies([car_actors])
    with pytest.raises(TaxonomyError, match="did you mean 'fprc'"):
        analysis.events(Filters(actor="fprcc"), store=car_store_copy)


def test_actor_search_finds_user_keys_by_name_with_events_per_dataset(car_store_copy, car_actors, capsys):
    code = main(["actors", "--store", str(car_store_copy.path), "--taxonomy", str(car_actors),
                 "--search", "renaissance", "--json"])  # fmt: skip
    rows = json.loads(capsys.readouterr().out)
    assert code == 0
    assert [(r["key"], r["kind"], r["events"], r["by_dataset"]) for r in rows] == [
        ("fprc", "rebel", 363, {"gedevent-v23-1-car": 363})
    ]
    code = main(["actors", "--store", str(car_store_copy.path), "--json"])
    listed = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert listed["fprc"]["name"].startswith("Front Populaire") and listed["fprc"]["kind"] == "rebel"
