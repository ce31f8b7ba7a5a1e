"""Which dataset a case is read on when the store lacks the one its files name (docs/adr/0021).

A case names its data: agreement.yaml ``dataset`` (and a commitment scope's own), claims.yaml
``filters.dataset``, brief.yaml ``datasets`` (and a block's ``filters.dataset``). A new user's store
rarely holds those exact datasets: it holds what ``peacewatch sync`` made (``acled-api-afghanistan``).
The rule, in this one place so that evaluate, check, brief, watch and the served case pages cannot
disagree:

* ``--dataset ID`` given: every dataset the case files name is read on ID (nothing is guessed).
* Else a named dataset the store holds is read as named.
* Else the case is read on a *stand-in*: the store's event datasets whose events cover **every** one of
  the case's countries (:func:`case_countries`). Exactly one: it stands in for every named dataset the
  store lacks, and every output says so in a note (:meth:`Reading.note`). Several: none is chosen; what
  needed the named dataset is insufficient_data, listing them and asking for ``--dataset``. None (or a
  case that names no country): the named dataset is reported missing, as before.

>>> r = Reading(None, ("AFG",), frozenset({"acled-api-afghanistan"}),
...             ({"dataset_id": "acled-api-afghanistan", "notes": [], "ingested_at": "2026-12-07"},))
>>> r.datasets(["acled-afghanistan-reduced"])
('acled-api-afghanistan',)
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from peacewatch.schema import dataset_access

ALL = "all"


@dataclass(frozen=True)
class Reading:
    """The datasets a case is read on, in a store: ``given`` (--dataset), the case's ``countries``
    (ISO3 codes, or names the gazetteer does not know), the dataset ids the store ``held`` and the
    catalog rows of the ``candidates`` (event datasets covering every country)."""

    given: str | None
    countries: tuple[str, ...]
    held: frozenset[str]
    candidates: tuple[dict[str, Any], ...] = ()

    @property
    def stand_in(self) -> dict[str, Any] | None:
        """The catalog row of the one candidate, or None (none, several, or --dataset given)."""
        return self.candidates[0] if not self.given and len(self.candidates) == 1 else None

    def absent(self, named: Iterable[str]) -> list[str]:
        """The named datasets the store does not hold (with --dataset: none; it replaces them all)."""
        if self.given:
            return []
        return [d for d in dict.fromkeys(named) if d != ALL and d not in self.held]

    def datasets(self, named: Iterable[str]) -> tuple[str, ...]:
        """What to read for the datasets a case file names: --dataset, else each as named, the ones
        the store lacks replaced by the stand-in when there is one."""
        if self.given:
            return (self.given,)
        swap = self.stand_in["dataset_id"] if self.stand_in else None
        return tuple(dict.fromkeys(swap if swap and d in self.absent([d]) else d for d in named))

    def swapped(self, named: Iterable[str]) -> bool:
        """Whether the datasets read differ from the named ones (--dataset, or a stand-in)."""
        if self.given:
            return True
        named = tuple(named)
        return bool(named) and self.datasets(named) != tuple(dict.fromkeys(named))

    def countries_phrase(self) -> str:
        from peacewatch.gazetteer import country_name

        return ", ".join(
            f"{country_name(c)} ({c})" if country_name(c) and country_name(c) != c else c
            for c in self.countries
        )

    def missing(self, named: Iterable[str], where: str) -> str | None:
        """Why the named datasets the store lacks cannot be read, as a clause ending in a full stop
        ("the dataset X (agreement.yaml) is not in the store, and ..."), or None when nothing is
        missing or the stand-in answers for them."""
        gone = self.absent(named)
        if not gone or self.stand_in:
            return None
        head = (
            f"the dataset{'s' if len(gone) > 1 else ''} {', '.join(gone)} ({where}) "
            f"{'are' if len(gone) > 1 else 'is'} not in the store"
        )
        if len(self.candidates) > 1:
            ids = ", ".join(c["dataset_id"] for c in self.candidates)
            return (
                f"{head}, and {len(self.candidates)} of its datasets cover {self.countries_phrase()}: {ids}; "
                "peacewatch does not guess between them: pass --dataset ID to read the case on one."
            )
        if not self.countries:
            return (
                f"{head}, and the case names no country (agreement.yaml `countries`, or a commitment's "
                "`country`), so no dataset of the store can stand in for it; ingest it (peacewatch ingest "
                "FILE) or name one with --dataset ID (peacewatch datasets)."
            )
        return (
            f"{head}, and no event dataset of the store covers {self.countries_phrase()} to stand in for "
            f"it; ingest it (peacewatch ingest FILE), sync one (peacewatch sync), or name one with "
            "--dataset ID (peacewatch datasets)."
        )

    def note(self, named: Iterable[str]) -> str | None:
        """The sentence every output of a case read on the stand-in carries, or None."""
        gone, row = self.absent(named), self.stand_in
        if not gone or row is None:
            return None
        return (
            f"the case names dataset{'s' if len(gone) > 1 else ''} {', '.join(gone)}, which this store does "
            f"not hold; read on {row['dataset_id']} ({dataset_access(row)}) instead, the one event dataset "
            f"of the store that covers {self.countries_phrase()}."
        )

    def to_dict(self, named: Iterable[str]) -> dict[str, Any] | None:
        """The stand-in as JSON payloads carry it (``stand_in``): None when every named dataset is in
        the store or --dataset was given."""
        named = tuple(named)
        gone = self.absent(named)
        if not gone:
            return None
        row = self.stand_in
        return {
            "named": gone,
            "read_on": row["dataset_id"] if row else None,
            "accessed": dataset_access(row) if row else None,
            "countries": list(self.countries),
            "candidates": [c["dataset_id"] for c in self.candidates],
            "note": self.note(named) or self.missing(named, "named by the case"),
        }

    def claim_sentence(self, named: Iterable[str]) -> str | None:
        """What a claim checked on the stand-in adds to its summary: its figures were written against
        a release this store lacks."""
        gone, row = self.absent(named), self.stand_in
        if not gone or row is None:
            return None
        return (
            f"Checked on {row['dataset_id']}, standing in for {', '.join(gone)} (not in this store): the "
            "claim's figures come from that release, so a different result may be the data's, not the "
            "claim's."
        )


def reading(store, countries: Sequence[str], *, dataset: str | None = None) -> Reading:
    """The :class:`Reading` of a case with ``countries`` (:func:`case_countries`) in ``store``.

    >>> reading(".peacewatch/demo", ("AFG",)).stand_in["dataset_id"]   # doctest: +SKIP
    'acled-api-afghanistan'
    """
    from peacewatch.analysis.select import as_store

    s = as_store(store)
    catalog = s.datasets() if s.exists() else []
    held = frozenset(e["dataset_id"] for e in catalog)
    if dataset or not countries:
        return Reading(dataset, tuple(countries), held)
    found = tuple(e for e in catalog if e.get("table_name", "events") == "events" and _covers(e, countries))
    return Reading(None, tuple(countries), held, found)


def _covers(entry: dict[str, Any], countries: Sequence[str]) -> bool:
    """Whether a dataset's events cover every country (its catalog ``countries``: ISO3 codes, or
    names the gazetteer does not know)."""
    held = {str(c).upper() for c in entry.get("countries") or ()}
    return all(c.upper() in held for c in countries)


def case_countries(case) -> tuple[str, ...]:
    """The countries a case is about, as ISO3 codes (names the gazetteer does not know stay names):
    agreement.yaml ``countries`` when declared, else the countries its violence_reduction and
    no_attacks commitments name (a contrast measures elsewhere by design). Empty for a case that
    names none, and for None (a brief or claims without an agreement).
    """
    from peacewatch.agreements.models import Conditional, NoAttacks, ViolenceReduction
    from peacewatch.analysis.places import iso3_of
    from peacewatch.indicators.filters import place_group

    if case is None:
        return ()
    names = list(case.agreement.countries)
    if not names:
        for c in case.agreement.commitments:
            c = case.obligations.get(c.id, c) if isinstance(c, Conditional) else c
            where = c.scope if isinstance(c, ViolenceReduction) else c if isinstance(c, NoAttacks) else None
            if where is not None and where.country:
                names += place_group(where.country)
    return tuple(dict.fromkeys(iso3_of(n) or n for n in names))


def named_by_agreement(case) -> tuple[str, ...]:
    """The datasets agreement.yaml names: ``dataset`` and each commitment scope's own."""
    from peacewatch.agreements.models import Conditional, NoAttacks

    names = [case.agreement.dataset] if case.agreement.dataset else []
    for c in case.agreement.commitments:
        c = case.obligations.get(c.id, c) if isinstance(c, Conditional) else c
        where = getattr(c, "scope", None) or (c if isinstance(c, NoAttacks) else None)
        names += list(getattr(where, "dataset", None) or ())
    return tuple(dict.fromkeys(n for n in names if n != ALL))


def for_folder(folder: str | Path, store, *, dataset: str | None = None, taxonomy=None) -> Reading:
    """The Reading of the case in ``folder`` (its agreement.yaml gives the countries; a folder
    without one has none, so no stand-in), for the outputs that do not evaluate the agreement
    themselves: claim checks and briefs."""
    from peacewatch.agreements.loading import load_case

    folder = Path(folder)
    case = load_case(folder, taxonomy=taxonomy) if (folder / "agreement.yaml").is_file() else None
    return reading(store, case_countries(case), dataset=dataset)
