"""Place filters on real data (UCDP GED 23.1 CAR): matched as users write them, lists, and refusals
instead of zeros. Reference counts are plain DuckDB queries on the store (see each test)."""

from __future__ import annotations

import json

import pytest

from peacewatch import Filters, analysis
from peacewatch.cli.app import main
from peacewatch.errors import MissingFieldError, PlaceError


def _count(store, sql: str) -> int:
    return store.query(sql).column(0)[0].as_py()


def _events(store, **filters) -> int:
    return analysis.events(Filters.from_spec(filters), store=store).num_rows


def test_admin1_written_without_accent_or_unit_word_counts_the_same_events_as_the_source_name(car_store):
    exact = _count(car_store, "SELECT count(*) FROM events WHERE admin1 = 'Ouham-Pendé province'")
    assert exact == 182
    assert _events(car_store, admin1="Ouham-Pende") == 182
    assert _events(car_store, admin1="ouham pende province") == 182


def test_admin1_takes_a_list_and_counts_each_event_once(car_store):
    union = _count(
        car_store, "SELECT count(*) FROM events WHERE admin1 IN ('Ouham province', 'Ouaka province')"
    )
    assert union == 197 + 302
    assert _events(car_store, admin1=["Ouham", "Ouaka"]) == union
    assert _events(car_store, admin1="Ouham+Ouaka") == union


def test_country_takes_its_name_code_or_list(car_store):
    assert _events(car_store, country="CAR") == 1848
    assert _events(car_store, country=["Central African Republic", "CAF"]) == 1848


def test_a_country_matching_nothing_is_a_user_error_not_zeros(car_store, capsys):
    with pytest.raises(PlaceError, match="'Narnia' matches no country"):
        _events(car_store, country="Narnia")
    code = main(["series", "--store", str(car_store.path), "--country", "Narnia", "--by", "month",
                 "--from", "2019-01-01", "--to", "2019-03-31"])  # fmt: skip
    assert code == 1 and "Narnia" in capsys.readouterr().err


def test_a_known_country_the_store_does_not_cover_is_refused_not_zero(car_store):
    with pytest.raises(PlaceError, match=r"'Mali' \(MLI\) has no events .* 'Central African Republic'"):
        _events(car_store, country="Mali")


def test_a_misspelt_admin1_names_the_close_candidates(car_store):
    with pytest.raises(PlaceError) as err:
        _events(car_store, admin1="Kotto")
    assert err.value.candidates == ("'Basse-Kotto province' (CAF)", "'Haute-Kotto province' (CAF)")


def test_admin2_is_resolved_within_the_admin1_given(car_store):
    exact = _count(car_store, "SELECT count(*) FROM events WHERE admin2 = 'Bossangoa region'")
    assert exact == 58
    assert _events(car_store, admin1="Ouham", admin2="bossangoa") == exact


def test_a_place_level_the_dataset_lacks_stays_a_missing_field(afghan_store):
    # The reduced ACLED file has no admin2: verdicts answer insufficient_data, not "unknown place".
    with pytest.raises(MissingFieldError):
        _events(afghan_store, admin2="Panjwayi")


def test_places_lists_names_with_events_per_dataset(car_store, capsys):
    code = main(["places", "--store", str(car_store.path), "--search", "pende", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["level"], r["name"], r["events"], r["by_dataset"]) for r in rows] == [
        ("admin1", "Ouham-Pendé province", 182, {"gedevent-v23-1-car": 182})
    ]
    countries = analysis.places(car_store, level="country")
    assert [(r["name"], r["country_name"], r["events"]) for r in countries] == [
        ("CAF", "Central African Republic", 1848)
    ]
