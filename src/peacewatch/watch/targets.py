"""What a watched case uses: its agreement, its claims, the datasets its files name, and the areas and
parties whose violence the watch follows.

Datasets come from the case files: agreement.yaml (``dataset``, and a commitment scope's own),
claims.yaml (each check's ``filters.dataset``) and brief.yaml (``datasets``). ``--dataset NAME`` watches
the case on another dataset instead (a synced ``acled-api-afghanistan``, say), as ``peacewatch evaluate
--dataset`` does for the verdicts; the claims are then checked on it too. Without it, a named dataset
the store lacks is read on the case's stand-in, when the store has exactly one
(``peacewatch.agreements.standin``, the rule evaluate, check and brief follow too).

Areas are the places the agreement's violence commitments name (violence_reduction and no_attacks
scopes: country, admin1, admin2; contrasts measure elsewhere by design, so they are left out); a case that
names none is watched over all the events of its dataset. Parties are the agreement's parties with actor
keys, each watched over the case's countries; on a dataset without actor fields a party is not watched,
and the run says so.

>>> t = load_target("afghanistan-2020")        # doctest: +SKIP
>>> [s.name for s in t.scopes]                 # doctest: +SKIP
['Afghanistan', 'party taliban', 'party united_states', 'party coalition', 'party afghan_government']
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from peacewatch.agreements import Case, case_folder, case_taxonomy, load_case, standin
from peacewatch.agreements.models import Conditional, NoAttacks, ViolenceReduction
from peacewatch.briefs.claims import Claim, load_claims
from peacewatch.briefs.spec import load_brief
from peacewatch.indicators.filters import Filters, group_text
from peacewatch.watch.violence import VIOLENCE, Scope


@dataclass(frozen=True)
class Target:
    """One case as a watch reads it. ``name`` is what the user typed (a built-in name or a folder)."""

    name: str
    case: Case
    claims: tuple[Claim, ...]  # as claims.yaml writes them; the cycle reads them through the Reading
    datasets: tuple[str, ...]  # what the watch reads (and syncs): --dataset, or the named ones / stand-in
    dataset: str | None  # the --dataset override, if any
    scopes: tuple[Scope, ...]
    named: tuple[str, ...] = ()  # the datasets the case files name
    countries: tuple[str, ...] = ()  # the case's countries (standin.case_countries)
    stand_in: str | None = None  # the dataset read for the named ones the store lacked, when one was

    @property
    def key(self) -> str:
        """Where its state is kept: the case's id and the dataset it is watched on (--dataset, its
        stand-in, else 'case': its own), so a case watched on the same data keeps one history."""
        return f"{self.case.agreement.id}@{self.dataset or self.stand_in or 'case'}"

    def reading(self, store):
        """The case's :class:`~peacewatch.agreements.standin.Reading` in ``store`` (a snapshot)."""
        return standin.reading(store, self.countries, dataset=self.dataset)


def load_target(name: str, *, store=None, dataset: str | None = None, taxonomy=()) -> Target:
    """Load case ``name`` (a built-in case or a folder) for watching, on ``dataset`` when given (else
    on the datasets its files name, or their stand-in in ``store``)."""
    folder = case_folder(name)
    tax = case_taxonomy(folder, store, taxonomy)
    case = load_case(name, taxonomy=tax)
    claims: tuple[Claim, ...] = ()
    if (folder / "claims.yaml").is_file():
        claims = tuple(load_claims(folder / "claims.yaml", taxonomy=tax))
    named = _named_datasets(case, claims, folder)
    countries = standin.case_countries(case)
    read = standin.reading(store, countries, dataset=dataset) if store is not None else None
    datasets = read.datasets(named) if read is not None else ((dataset,) if dataset else named)
    stand_in = (
        read.stand_in["dataset_id"] if read is not None and read.absent(named) and read.stand_in else None
    )
    chosen = (dataset or stand_in,) if dataset or stand_in else None
    return Target(
        name, case, claims, datasets, dataset, _scopes(case, datasets, chosen), named, countries, stand_in
    )


def _obligations(case: Case):
    for c in case.agreement.commitments:
        yield case.obligations.get(c.id, c) if isinstance(c, Conditional) else c


def _named_datasets(case: Case, claims, folder: Path) -> tuple[str, ...]:
    names: list[str] = []
    if case.agreement.dataset:
        names.append(case.agreement.dataset)
    for c in _obligations(case):
        scope = c.scope if isinstance(c, ViolenceReduction) else c if isinstance(c, NoAttacks) else None
        names += list(scope.dataset) if scope is not None else []
    for claim in claims:
        names += list(claim.check.filters.dataset)
    if (folder / "brief.yaml").is_file():
        names += list(load_brief(folder / "brief.yaml").datasets)
    return tuple(dict.fromkeys(n for n in names if n != "all"))


def _scopes(case: Case, datasets: tuple[str, ...], chosen: tuple[str, ...] | None) -> tuple[Scope, ...]:
    # The violence is counted on the dataset the verdicts read: --dataset or the stand-in (``chosen``),
    # else the agreement's.
    chosen = chosen or ((case.agreement.dataset,) if case.agreement.dataset else datasets[:1])
    places: dict[tuple, None] = {}
    for c in _obligations(case):
        where = c.scope if isinstance(c, ViolenceReduction) else c if isinstance(c, NoAttacks) else None
        if where is not None and (where.country or where.admin1 or where.admin2):
            places[(where.country, where.admin1, where.admin2)] = None
    scopes = [
        Scope(
            " / ".join(p for p in (a2, a1, country) if p) or "all events",
            Filters(datasets=chosen, country=country, admin1=a1, admin2=a2, types=VIOLENCE),
        )
        for country, a1, a2 in places
    ] or [
        Scope(f"all events of {', '.join(chosen) or 'the store'}", Filters(datasets=chosen, types=VIOLENCE))
    ]
    countries = group_text(sorted({c for c, _, _ in places if c}))
    for p in case.agreement.parties:
        if p.actors:
            f = Filters(datasets=chosen, country=countries, actor=group_text(p.actors), types=VIOLENCE)
            scopes.append(Scope(f"party {p.key}", f))
    return tuple(scopes)
