"""Country names and codes: one table (``countries.csv``) that every source's country column resolves to.

The sources disagree on names and codes. UCDP GED writes the Gleditsch-Ward state and its former name
("Myanmar (Burma)", "DR Congo (Zaire)", "Yemen (North Yemen)"), ACLED writes today's common name
("Democratic Republic of Congo", "eSwatini") and a numeric ISO code, GTD keeps names of states that no
longer exist ("Soviet Union", "West Germany (FRG)"), and GDELT locates events with FIPS 10-4 codes
(ActionGeo_CountryCode) while its actor codes are CAMEO, which uses ISO 3166-1 alpha-3.

``countries.csv`` has one row per ISO 3166-1 entry plus Kosovo (XKX), with the columns:

- ``iso3``: ISO 3166-1 alpha-3 (XKX for Kosovo, the code the EU and the World Bank use);
- ``iso2``: ISO 3166-1 alpha-2;
- ``fips``: FIPS 10-4 code(s), pipe-separated where one ISO entry covers several FIPS entities
  (Palestine is West Bank WE and Gaza Strip GZ; Serbia is RI, with RB and YI as older codes GDELT uses);
- ``numeric``: ISO 3166-1 numeric (ACLED's ``iso`` column); empty for Kosovo, which has none;
- ``name``: the common English name;
- ``aliases``: pipe-separated variants used by UCDP, ACLED, GTD and others, including historical states.

A historical state maps to the present state that holds its capital, the usual successor convention
(Soviet Union -> RUS, Yugoslavia -> SRB, Czechoslovakia -> CZE, South Vietnam -> VNM, both Yemens ->
YEM, both Germanys -> DEU, Netherlands Antilles -> CUW). GTD's "International" has no country.

Names match after Unicode normalisation, with accents, case and all white space ignored, so
"Türkiye", "turkiye" and "T ü r k i y e" are the same name; otherwise the match is exact, never fuzzy.
"""

from __future__ import annotations

import csv
import functools
import io
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources

__all__ = [
    "Country",
    "code_meanings",
    "countries",
    "country",
    "country_name",
    "iso3_for",
    "iso3_for_fips",
    "iso3_for_numeric",
    "resolve_countries",
]


@dataclass(frozen=True)
class Country:
    """One row of ``countries.csv``."""

    iso3: str
    iso2: str
    fips: tuple[str, ...]
    numeric: str | None
    name: str
    aliases: tuple[str, ...]


def _normalise(text: str) -> str:
    # Accents and spacing vary between sources ("Cote d'Ivoire", "Côte d’Ivoire"); identity does not.
    decomposed = unicodedata.normalize("NFKD", text.replace("’", "'"))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(stripped.casefold().split())


@functools.cache
def countries() -> tuple[Country, ...]:
    """Every country of the gazetteer, in file order.

    >>> next(c for c in countries() if c.iso3 == "PSE").fips
    ('WE', 'GZ')
    """
    text = resources.files(__name__).joinpath("countries.csv").read_text(encoding="utf-8")
    rows = []
    for r in csv.DictReader(io.StringIO(text)):
        rows.append(
            Country(
                iso3=r["iso3"],
                iso2=r["iso2"],
                fips=tuple(c for c in r["fips"].split("|") if c),
                numeric=r["numeric"] or None,
                name=r["name"],
                aliases=tuple(a for a in r["aliases"].split("|") if a),
            )
        )
    return tuple(rows)


@functools.cache
def _by_name() -> dict[str, str]:
    table: dict[str, str] = {}
    for c in countries():
        for label in (c.iso3, c.name, *c.aliases):
            # The CSV is checked by tests to give each label one country; first wins otherwise.
            table.setdefault(_normalise(label), c.iso3)
    return table


@functools.cache
def _by_fips() -> dict[str, str]:
    return {code: c.iso3 for c in countries() for code in c.fips}


@functools.cache
def _by_iso2() -> dict[str, str]:
    return {c.iso2: c.iso3 for c in countries() if c.iso2}


@functools.cache
def _by_iso3() -> dict[str, Country]:
    return {c.iso3: c for c in countries()}


@functools.cache
def _by_numeric() -> dict[int, str]:
    return {int(c.numeric): c.iso3 for c in countries() if c.numeric}


def iso3_for(name: str | None) -> str | None:
    """The ISO3 code of a country name, alias or ISO3 code; None when it is not a known country.

    >>> iso3_for("Myanmar (Burma)"), iso3_for("democratic republic of congo"), iso3_for("AFG")
    ('MMR', 'COD', 'AFG')
    >>> iso3_for("International") is None
    True
    """
    if not name:
        return None
    return _by_name().get(_normalise(name))


def iso3_for_fips(code: str | None) -> str | None:
    """The ISO3 code of a FIPS 10-4 country code (GDELT's ActionGeo_CountryCode).

    >>> iso3_for_fips("AF"), iso3_for_fips("IZ"), iso3_for_fips("WE"), iso3_for_fips("OS")
    ('AFG', 'IRQ', 'PSE', None)
    """
    if not code:
        return None
    return _by_fips().get(code.strip().upper())


def code_meanings(code: str | None) -> dict[str, str]:
    """What a two-letter code can mean: {"FIPS 10-4": iso3, "ISO 3166-1 alpha-2": iso3}, each system
    that knows it. GDELT places events by FIPS 10-4 and most other data use ISO alpha-2; 74 codes name
    different countries in the two ("AU" is Austria in FIPS and Australia in ISO), so a caller that gets
    two different ISO3 codes here must ask which was meant rather than pick one.

    >>> code_meanings("AM"), code_meanings("aj")
    ({'FIPS 10-4': 'ARM', 'ISO 3166-1 alpha-2': 'ARM'}, {'FIPS 10-4': 'AZE'})
    >>> code_meanings("AU")
    {'FIPS 10-4': 'AUT', 'ISO 3166-1 alpha-2': 'AUS'}
    """
    key = (code or "").strip().upper()
    found = {"FIPS 10-4": _by_fips().get(key), "ISO 3166-1 alpha-2": _by_iso2().get(key)}
    return {system: iso3 for system, iso3 in found.items() if iso3}


def iso3_for_numeric(code: int | float | str | None) -> str | None:
    """The ISO3 code of an ISO 3166-1 numeric code, as ACLED's ``iso`` column gives it.

    ACLED writes 0 for Kosovo, which has no numeric code; resolve Kosovo by name instead.

    >>> iso3_for_numeric(4), iso3_for_numeric("760.0"), iso3_for_numeric(0)
    ('AFG', 'SYR', None)
    """
    if code is None or code == "":
        return None
    try:
        number = int(float(code))
    except (ValueError, OverflowError):  # "x", "nan", "inf"
        return None
    return _by_numeric().get(number)


def country(iso3: str | None) -> Country | None:
    """The gazetteer row of an ISO3 code, or None.

    >>> country("XKX").fips
    ('KV',)
    """
    if not iso3:
        return None
    return _by_iso3().get(iso3.strip().upper())


def country_name(iso3: str | None) -> str | None:
    """The common English name of an ISO3 code, or None when the code is unknown.

    >>> country_name("COD"), country_name("civ")
    ('DR Congo', 'Ivory Coast')
    """
    found = country(iso3)
    return found.name if found else None


def resolve_countries(names: Iterable[str | None]) -> dict[str, str | None]:
    """Resolve many country names at once: each distinct non-empty name to its ISO3 code or None.

    >>> resolve_countries(["Syria", "Syria", "Serbia (Yugoslavia)", None, "Atlantis"])
    {'Syria': 'SYR', 'Serbia (Yugoslavia)': 'SRB', 'Atlantis': None}
    """
    return {n: iso3_for(n) for n in dict.fromkeys(names) if n}
