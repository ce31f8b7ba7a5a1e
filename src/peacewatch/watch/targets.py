"""What a watched case uses: its agreement, its claims, the datasets its files name, and the areas and
parties whose violence the watch follows.

Datasets come from the case files: agreement.yaml (``dataset``, and a commitment scope's own),
claims.yaml (each check's ``filters.dataset``) and brief.yaml (``datasets``). ``--dataset NAME`` watches
the case on another dataset instead (a synced ``acled-afghanistan``, say), as ``peacewatch evaluate
--dataset`` does for the verdicts; the claims are then checked on it too.

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

from peacewatch.agreements import Case, case_folder, case_taxonomy, load_case
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
    claims: tuple[Claim, ...]
    datasets: tuple[str, ...]
    dataset: str | None  # the --dataset override, if any
    scopes: tuple[Scope, ...]

    @property
    def key(self) -> str:
        """Where its state is kept: the case's id and the dataset it is watched on."""
        return f"{self.case.agreement.id}@{self.dataset or 'case'}"


def load_target(name: str, *, store=None, dataset: str | None = None, taxonomy=()) -> Target:
    """Load case ``name`` (a built-in case or a folder) for watching, on ``dataset`` when given."""
    folder = case_folder(name)
    tax = case_taxonomy(folder, store, taxonomy)
    case = load_case(name, taxonomy=tax)
    claims: tuple[Claim, ...] = ()
    if (folder / "claims.yaml").is_file():
        claims = tuple(load_claims(folder / "claims.yaml", taxonomy=tax))
        if dataset:
            claims = tuple(_on_dataset(c, dataset) for c in claims)
    datasets = (dataset,) if dataset else _named_datasets(case, claims, folder)
    return Target(name, case, claims, datasets, dataset, _scopes(case, datasets, dataset))


def _on_dataset(claim: Claim, dataset: str) -> Claim:
    check = claim.check
    filters = check.filters.model_copy(update={"dataset": [dataset]})
    return claim.model_copy(update={"check": check.model_copy(update={"filters": filters})})


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


def _scopes(case: Case, datasets: tuple[str, ...], dataset: str | None) -> tuple[Scope, ...]:
    # The violence is counted on the dataset the verdicts read: --dataset, else the agreement's.
    chosen = (
        (dataset,) if dataset else ((case.agreement.dataset,) if case.agreement.dataset else datasets[:1])
    )
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
