"""The country table and its look-ups: names, aliases, FIPS and numeric codes."""

from __future__ import annotations

import collections
import doctest
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

import peacewatch.gazetteer as gazetteer
from peacewatch.gazetteer import (
    countries,
    country_name,
    iso3_for,
    iso3_for_fips,
    iso3_for_numeric,
    resolve_countries,
)

ISO3 = frozenset(c.iso3 for c in countries())


@pytest.mark.parametrize(
    ("name", "iso3"),
    [
        # UCDP GED (Gleditsch-Ward names with the former name in brackets)
        ("Myanmar (Burma)", "MMR"),
        ("DR Congo (Zaire)", "COD"),
        ("Russia (Soviet Union)", "RUS"),
        ("Yemen (North Yemen)", "YEM"),
        ("Serbia (Yugoslavia)", "SRB"),
        ("Cambodia (Kampuchea)", "KHM"),
        ("Zimbabwe (Rhodesia)", "ZWE"),
        ("Madagascar (Malagasy)", "MDG"),
        ("Vietnam (North Vietnam)", "VNM"),
        ("Kingdom of eSwatini (Swaziland)", "SWZ"),
        ("Bosnia-Herzegovina", "BIH"),
        ("Macedonia, FYR", "MKD"),
        ("Ivory Coast", "CIV"),
        ("United States of America", "USA"),
        # ACLED
        ("Democratic Republic of Congo", "COD"),
        ("eSwatini", "SWZ"),
        ("Palestine", "PSE"),
        ("Kosovo", "XKX"),
        ("Bailiwick of Guernsey", "GGY"),
        ("Republic of Congo", "COG"),
        ("Czech Republic", "CZE"),
        ("North Macedonia", "MKD"),
        ("Cape Verde", "CPV"),
        ("Curacao", "CUW"),
        ("Reunion", "REU"),
        # GTD
        ("West Bank and Gaza Strip", "PSE"),
        ("Democratic Republic of the Congo", "COD"),
        ("Republic of the Congo", "COG"),
        ("East Timor", "TLS"),
        ("Soviet Union", "RUS"),
        ("West Germany (FRG)", "DEU"),
        ("East Germany (GDR)", "DEU"),
        ("Czechoslovakia", "CZE"),
        ("South Yemen", "YEM"),
        ("Zaire", "COD"),
        ("Rhodesia", "ZWE"),
        ("Yugoslavia", "SRB"),
        ("Serbia-Montenegro", "SRB"),
        ("Slovak Republic", "SVK"),
        ("Macedonia", "MKD"),
        ("New Hebrides", "VUT"),
        ("Vatican City", "VAT"),
        ("South Vietnam", "VNM"),
        # Both spellings of Turkey, and ISO3 codes themselves
        ("Turkey", "TUR"),
        ("Türkiye", "TUR"),
        ("Turkiye", "TUR"),
        ("Côte d'Ivoire", "CIV"),
        ("AFG", "AFG"),
    ],
)
def test_source_country_names_resolve(name, iso3):
    assert iso3_for(name) == iso3


def test_matching_ignores_case_spacing_and_accents_but_is_otherwise_exact():
    assert iso3_for("  MYANMAR(burma) ") == "MMR"
    assert iso3_for("dr congo (zaire)") == "COD"
    assert iso3_for("Cote d’Ivoire") == "CIV"
    assert iso3_for("Myanmar (Birma)") is None
    assert iso3_for("Afghanistann") is None
    assert iso3_for("International") is None  # GTD's label for attacks on international targets
    assert iso3_for(None) is None and iso3_for("") is None


@pytest.mark.parametrize(
    ("code", "iso3"),
    [
        ("AF", "AFG"),
        ("IZ", "IRQ"),
        ("SY", "SYR"),
        ("BM", "MMR"),
        ("GM", "DEU"),
        ("UK", "GBR"),
        ("RS", "RUS"),
        ("KV", "XKX"),
        ("WE", "PSE"),
        ("GZ", "PSE"),
        ("RI", "SRB"),
        ("RB", "SRB"),
        ("OD", "SSD"),
        ("UP", "UKR"),
        ("af", "AFG"),
        ("OS", None),
        ("", None),
        (None, None),
        ("XX", None),
    ],
)
def test_fips_codes_resolve_to_iso3(code, iso3):
    assert iso3_for_fips(code) == iso3


def test_numeric_codes_resolve_as_acled_writes_them():
    assert iso3_for_numeric("4.0") == "AFG"
    assert iso3_for_numeric(760) == "SYR"
    assert iso3_for_numeric("104") == "MMR"
    assert iso3_for_numeric("0.0") is None  # ACLED's code for Kosovo, which has no ISO number
    assert iso3_for_numeric("x") is None and iso3_for_numeric(None) is None


def test_every_name_and_alias_belongs_to_one_country_only():
    owners = collections.defaultdict(set)
    for c in countries():
        for label in (c.iso3, c.name, *c.aliases):
            owners[gazetteer._normalise(label)].add(c.iso3)
    shared = {label: iso for label, iso in owners.items() if len(iso) > 1}
    assert not shared


def test_codes_are_well_formed_and_unique():
    rows = countries()
    assert len(rows) == 250
    for field, pattern in (("iso3", r"[A-Z]{3}"), ("iso2", r"[A-Z]{2}")):
        values = [getattr(c, field) for c in rows]
        assert all(re.fullmatch(pattern, v) for v in values), field
        assert len(set(values)) == len(values), field
    fips = [code for c in rows for code in c.fips]
    assert all(re.fullmatch(r"[A-Z]{2}", code) for code in fips)
    assert len(set(fips)) == len(fips)
    numeric = [c.numeric for c in rows if c.numeric]
    assert all(re.fullmatch(r"\d{3}", n) for n in numeric) and len(set(numeric)) == len(numeric)


def test_each_name_leads_back_to_its_code():
    for c in countries():
        assert country_name(c.iso3) == c.name
        assert iso3_for(c.name) == c.iso3
    assert country_name("xkx") == "Kosovo"
    assert country_name("ZZZ") is None and country_name(None) is None


def test_resolve_countries_answers_each_distinct_name_once():
    assert resolve_countries(["Syria", None, "Syria", "", "Atlantis", "Myanmar (Burma)"]) == {
        "Syria": "SYR",
        "Atlantis": None,
        "Myanmar (Burma)": "MMR",
    }


@given(st.one_of(st.none(), st.text(max_size=60)))
def test_lookups_never_raise_on_arbitrary_text(text):
    assert iso3_for(text) in ISO3 | {None}
    assert iso3_for_fips(text) in ISO3 | {None}
    assert iso3_for_numeric(text) in ISO3 | {None}
    assert country_name(text) is None or iso3_for(country_name(text)) in ISO3


def test_docstring_examples_of_the_gazetteer_hold():
    failures, tried = doctest.testmod(gazetteer, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
