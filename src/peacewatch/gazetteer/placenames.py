"""Matching a place name as a user writes it to the names a dataset writes.

Sources spell the same unit differently: UCDP GED writes "Kachin state" and "Ouham-Pendé province",
ACLED "Kachin" and "Ouham-Pende". A user should not have to know which. Two names are the same place
when they agree after folding case and accents, treating hyphens, apostrophes and spaces alike, and
dropping a trailing unit word (state, province, region, ...). Nothing looser is guessed: a name that
agrees with no place is refused with the closest names, never answered with zeros.

This module is pure (no store): ``peacewatch.analysis.places`` feeds it the names a store holds.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Unit words sources append to admin names: UCDP GED ("Kachin state", "Bangui province", "Kabul city"),
# ACLED ("Nord-Kivu" without one), GTD. Dropped from the end of a name only.
UNIT_WORDS = (
    "state",
    "province",
    "region",
    "prefecture",
    "district",
    "governorate",
    "division",
    "department",
    "county",
    "municipality",
    "territory",
    "city",
    "oblast",
    "raion",
)
_UNIT = re.compile(rf"(?:\s+(?:{'|'.join(UNIT_WORDS)}))+$")
_SEPARATORS = re.compile(r"[^0-9a-z]+")


def _fold(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return _SEPARATORS.sub(" ", plain).strip()


def _unit_word(name: str) -> str:
    folded = _fold(name)
    return folded[len(_UNIT.sub("", folded)) :].strip()


def place_key(name: str) -> str:
    """The form under which two spellings of one place agree.

    >>> place_key("Ouham-Pendé province"), place_key("ouham pende"), place_key("Kachin State")
    ('ouham pende', 'ouham pende', 'kachin')
    >>> place_key("Ombella-M'Poko"), place_key("Kabul city")
    ('ombella m poko', 'kabul')
    """
    key = _fold(name)
    return _UNIT.sub("", key) or key


@dataclass(frozen=True)
class Place:
    """A name as the store writes it, and where it is: ``within`` names the enclosing units (the
    country, and for a district its province), so one name in two countries can be told apart."""

    name: str
    within: tuple[str, ...] = ()

    def label(self) -> str:
        """The name quoted, then where it is: 'Ouham province' (CAF)."""
        where = ", ".join(w for w in self.within if w)
        return f"{self.name!r} ({where})" if where else repr(self.name)


@dataclass(frozen=True)
class Match:
    """The store's names for what a user wrote; ``ambiguous`` when they lie in different places."""

    wanted: str
    places: tuple[Place, ...]

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(p.name for p in self.places))

    @property
    def ambiguous(self) -> bool:
        """True when the names lie in different places, or differ in their unit word ("Kabul city"
        and "Kabul province" are two units; "Kachin" and "Kachin state" one unit spelt two ways)."""
        units = {_unit_word(p.name) for p in self.places} - {""}
        return len({p.within for p in self.places}) > 1 or len(units) > 1


def match_place(wanted: str, available: Iterable[Place]) -> Match:
    """The places whose key equals the key of ``wanted`` (none when nothing agrees); a name spelt
    with its unit word ("Kabul city") keeps only the names with that same word, when there are any.

    >>> cands = [Place("Ouham-Pendé province", ("CAF",)), Place("Ouham province", ("CAF",))]
    >>> m = match_place("Ouham-Pende", cands)
    >>> m.names, m.ambiguous
    (('Ouham-Pendé province',), False)
    """
    places = list(available)
    key = place_key(wanted)
    found = [p for p in places if place_key(p.name) == key]
    exact = [p for p in found if _fold(p.name) == _fold(wanted)]
    if exact and _unit_word(wanted):
        found = exact
    return Match(wanted, tuple(found))


def close_places(wanted: str, available: Iterable[Place], n: int = 5) -> tuple[Place, ...]:
    """Places a misspelt or partial name probably meant: those whose key contains it, then the
    closest by difflib's ratio (at least 0.6), at most ``n``.

    >>> [p.name for p in close_places("kachn", [Place("Kachin state"), Place("Shan state")])]
    ['Kachin state']
    """
    # In name order, whatever order the store returned them in (it reads Parquet files in parallel),
    # so that the same question always lists the same candidates in the same order.
    places = sorted(dict.fromkeys(available), key=lambda p: (place_key(p.name), p.label()))
    key = place_key(wanted)
    by_key: dict[str, list[Place]] = {}
    for p in places:
        by_key.setdefault(place_key(p.name), []).append(p)
    contains = [k for k in by_key if key and key in k]
    close = difflib.get_close_matches(key, list(by_key), n=n, cutoff=0.6)
    chosen = list(dict.fromkeys(contains + close))[:n]
    return tuple(p for k in chosen for p in by_key[k])
