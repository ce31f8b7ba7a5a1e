"""Invariants of resolution on arbitrary text (Hypothesis); the docstring examples of the actor modules."""

from __future__ import annotations

import doctest
import importlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peacewatch.actors import Taxonomy
from peacewatch.gazetteer import countries

TAXONOMY = Taxonomy.load()
KEYS = frozenset(TAXONOMY.keys())
ISO3 = st.one_of(st.none(), st.sampled_from([c.iso3 for c in countries()]), st.text(max_size=4))
# Arbitrary text, and text built from pieces of real aliases, separators and noise, which reaches
# the overlapping and scoped cases far more often than random characters do.
PIECES = st.sampled_from(
    [
        "IS",
        "Taleban",
        "Islamic State",
        "(Afghanistan)",
        "Government of",
        "Syria",
        "HTS",
        "Ahrar al-Sham",
        ", ",
        "; ",
        " - ",
        "Former ",
        "Civilians",
        "’",
        "\u00a0",
        "al-",
        "Military Forces of Afghanistan (2021-)",
        "KIA",
        "AA",
        "SNA",
        "Fatah",
        " Halab",
    ]
)
NAMES = st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=8).map("".join))


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(name=st.one_of(st.none(), NAMES), iso3=ISO3)
def test_resolve_never_raises_and_returns_distinct_known_keys(name, iso3):
    keys = TAXONOMY.resolve(name, iso3)
    assert isinstance(keys, tuple)
    assert set(keys) <= KEYS
    assert len(set(keys)) == len(keys)


@settings(max_examples=200)
@given(name=NAMES, iso3=ISO3)
def test_resolution_does_not_depend_on_case_of_the_country_code_or_on_outer_spaces(name, iso3):
    keys = TAXONOMY.resolve(name, iso3)
    assert TAXONOMY.resolve(f"  {name}\t", iso3.lower() if iso3 else iso3) == keys


@settings(max_examples=200)
@given(names=st.lists(NAMES, max_size=6), iso3=ISO3)
def test_resolve_many_gives_what_resolve_gives(names, iso3):
    pairs = [(n, iso3) for n in names]
    assert TAXONOMY.resolve_many(pairs) == {p: TAXONOMY.resolve(*p) for p in pairs}


# Keys whose every alias is scoped to countries (actors UCDP names only by an acronym, "BMA", "MDA").
SCOPED_ONLY = frozenset(k for k in TAXONOMY if all(a.countries for a in TAXONOMY.get(k).aliases))


@settings(max_examples=200)
@given(name=NAMES)
def test_without_a_country_no_country_scoped_key_is_found(name):
    assert not set(TAXONOMY.resolve(name)) & SCOPED_ONLY


def test_some_keys_are_scoped_only():
    assert {"bma", "mda", "mda_lm", "bcp"} <= SCOPED_ONLY


@pytest.mark.parametrize("name", ["peacewatch.actors.taxonomy", "peacewatch.actors.taxonomy_file"])
def test_docstring_examples_of_the_actor_modules_hold(name):
    module = importlib.import_module(name)
    failures, tried = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert tried > 0 and failures == 0
