"""One scope vocabulary for commitments, claims and brief blocks (peacewatch.agreements.scope)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from peacewatch.agreements.models import NoAttacks, Scope
from peacewatch.briefs.claims.model import ClaimFilters
from peacewatch.indicators.filters import Filters

KEYS = st.lists(st.sampled_from(["taliban", "haqqani_network", "iskp", "us_forces", "civilians"]),
                min_size=1, max_size=3, unique=True)  # fmt: skip
TYPES = st.lists(st.sampled_from(["battle", "explosion_remote_violence", "violence_against_civilians"]),
                 max_size=2, unique=True)  # fmt: skip


@given(KEYS, st.one_of(st.just([]), KEYS), TYPES)
def test_old_commitment_spellings_give_the_same_filters_as_the_new_keys(perpetrators, targets, types):
    old = {"perpetrators": perpetrators, "targets": targets, "types": types}
    new = {"dyad": [perpetrators, targets]} if targets else {"actor": perpetrators}
    new["type"] = types
    assert Scope.model_validate(old).to_filters() == Scope.model_validate(new).to_filters()
    period = {"id": "x", "kind": "no_attacks", "period": "2020-01-01:2020-12-31"}
    assert (
        NoAttacks.model_validate({**period, **old}).to_filters()
        == NoAttacks.model_validate({**period, **new}).to_filters()
    )


def test_commitments_and_claims_share_one_vocabulary():
    assert set(Scope.model_fields) == set(ClaimFilters.model_fields)
    spec = {
        "admin1": ["Kachin", "Shan"],
        "violence_type": "state_based",
        "dyad": ["a+b", "c"],
        "type": "battle",
    }
    assert Scope.model_validate(spec).to_filters() == ClaimFilters.model_validate(spec).to_filters()
    assert Scope.model_validate(spec).to_filters() == Filters.from_spec(spec)


def test_no_attacks_takes_places_lists_and_violence_type():
    c = NoAttacks.model_validate(
        {"id": "x", "kind": "no_attacks", "period": "2020-01-01:2020-12-31", "dyad": ["a", "b"],
         "admin1": ["Ouham-Pende", "Nana-Mambere"], "country": "CAF", "violence_type": "one_sided",
         "source": "https://example.org/wording"}
    )  # fmt: skip
    f = c.to_filters()
    assert (f.admin1, f.country, f.violence_type, f.source) == (
        "Ouham-Pende+Nana-Mambere",
        "CAF",
        "one_sided",
        None,
    )
    assert c.who() == "between a and b"


def test_an_old_and_a_new_spelling_together_is_an_error_naming_the_new_key():
    with pytest.raises(ValidationError, match="keep only the new key"):
        Scope.model_validate({"types": ["battle"], "type": ["battle"]})


def test_no_attacks_without_actors_is_refused():
    with pytest.raises(ValidationError, match=r"needs the actors it binds"):
        NoAttacks.model_validate({"id": "x", "kind": "no_attacks", "period": "2020-01-01:2020-12-31"})
