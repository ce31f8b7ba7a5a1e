"""Place names as users write them against the names sources write (peacewatch.gazetteer.placenames)."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from peacewatch.gazetteer.placenames import Place, close_places, match_place, place_key

# The admin1 names UCDP GED 23.1 writes for the Central African Republic (the CAR file in ../shared/data).
CAR_ADMIN1 = (
    "Ouaka province", "Bangui province", "Ouham province", "Ouham-Pendé province", "Haute-Kotto province",
    "Haut-Mbomou province", "Basse-Kotto province", "Nana-Grébizi province", "Mbomou province",
    "Nana-Mambéré province", "Ombella-M'Poko province", "Mambéré-Kadéi province", "Vakaga province",
    "Kémo province", "Bamingui-Bangoran province", "Lobaye province", "Sangha-Mbaéré province",
)  # fmt: skip
PLACES = [Place(n, ("CAF",)) for n in CAR_ADMIN1]


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def test_a_name_matches_whatever_its_case_accents_separators_and_unit_word():
    assert place_key("Ouham-Pendé province") == place_key("ouham pende") == place_key("OUHAM-PENDE")
    assert place_key("Kachin state") == place_key("Kachin")
    assert match_place("Ouham-Pende", PLACES).names == ("Ouham-Pendé province",)


def test_ouham_does_not_match_ouham_pende():
    assert match_place("Ouham", PLACES).names == ("Ouham province",)


def test_two_units_differing_only_in_their_unit_word_are_ambiguous_unless_the_word_is_given():
    places = [Place("Kabul city", ("AFG",)), Place("Kabul province", ("AFG",))]
    assert match_place("Kabul", places).ambiguous
    chosen = match_place("Kabul province", places)
    assert chosen.names == ("Kabul province",) and not chosen.ambiguous


def test_one_unit_spelt_two_ways_by_two_sources_is_not_ambiguous():
    m = match_place("kachin", [Place("Kachin", ("MMR",)), Place("Kachin state", ("MMR",))])
    assert m.names == ("Kachin", "Kachin state") and not m.ambiguous


def test_one_name_in_two_countries_is_ambiguous():
    assert match_place("Punjab", [Place("Punjab", ("IND",)), Place("Punjab province", ("PAK",))]).ambiguous


def test_a_partial_or_misspelt_name_gets_close_candidates_only():
    assert {p.name for p in close_places("Kotto", PLACES)} == {"Basse-Kotto province", "Haute-Kotto province"}
    assert close_places("Ouhm", PLACES)[0].name == "Ouham province"
    assert close_places("Narnia", PLACES) == ()


@given(st.sampled_from(CAR_ADMIN1), st.booleans(), st.booleans(), st.booleans())
def test_every_real_name_is_found_under_any_spelling_variant(name, upper, plain, no_unit):
    written = name.removesuffix(" province") if no_unit else name
    written = _strip_accents(written) if plain else written
    written = written.upper() if upper else written.lower()
    assert match_place(written, PLACES).names == (name,)
