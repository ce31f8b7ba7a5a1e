"""The one vocabulary of scopes: which events a commitment, a claim or a brief block is about.

The keys are those of the CLI's filters, with the same meaning everywhere (docs/agreement-format.md,
docs/brief-format.md): ``dataset``, ``source``, ``country``, ``admin1``, ``admin2`` (each one value or a
list), ``actor``, ``actor1``, ``actor2`` (a key, or a group of keys as a list or KEY+KEY), ``dyad``
(two sides, each a key or a group), ``type`` (one event type or a list), ``violence_type``,
``precision``; a violence scope adds ``measure`` and ``estimate``.

Commitments once said ``types``, ``perpetrators`` and ``targets``. They still work, read as ``type``,
``actor`` (perpetrators alone: the group on either side) and ``dyad`` (perpetrators against targets),
and loading a case notes each one with its file:line (:func:`old_spellings`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from peacewatch.indicators.filters import Filters, actor_group, dyad_sides, group_text

# Old commitment spelling -> how to write it now.
OLD_KEYS = {
    "types": "type: [...]",
    "perpetrators": "actor: [...] (with targets: dyad: [perpetrators, targets])",
    "targets": "dyad: [perpetrators, targets]",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=False)


def _listed(value):
    return [value] if isinstance(value, str) else value


def _group(value):
    """One value, or a list of values or a text A+B, as the filter's text A+B."""
    return group_text(value) if isinstance(value, str | list) else value


def _dyad(value):
    return dyad_sides(value) if isinstance(value, str | list | tuple) else value


def upgrade_old_keys(data: Any) -> Any:
    """A scope written with the old commitment keys, in the one vocabulary.

    >>> upgrade_old_keys({"perpetrators": ["taliban"], "targets": ["us_forces"], "types": ["battle"]})
    {'type': ['battle'], 'dyad': [['taliban'], ['us_forces']]}
    >>> upgrade_old_keys({"perpetrators": ["iskp", "is"]})
    {'actor': ['iskp', 'is']}
    """
    if not isinstance(data, dict) or not OLD_KEYS.keys() & data.keys():
        return data
    out = {k: v for k, v in data.items() if k not in OLD_KEYS}
    clash = [
        old
        for old, new in (("types", "type"), ("perpetrators", "actor"), ("targets", "dyad"))
        if old in data and new in data
    ]
    if "perpetrators" in data and "dyad" in data:
        clash.append("perpetrators")
    if clash:
        raise ValueError(
            f"{', '.join(clash)} (old spelling) and the new key both given; keep only the new key "
            "(type, actor, dyad)"
        )
    if "types" in data:
        out["type"] = data["types"]
    perpetrators, targets = data.get("perpetrators"), data.get("targets")
    if targets and not perpetrators:
        raise ValueError(
            "targets need perpetrators (the dyad is perpetrators against targets); write dyad: [A, B]"
        )
    if perpetrators and targets:
        out["dyad"] = [_listed(perpetrators), _listed(targets)]
    elif perpetrators:
        out["actor"] = perpetrators
    return out


class Where(_Strict):
    """Which events: places, actors, event and violence types, the dataset. (A no_attacks commitment
    carries these keys itself, beside its own ``source``, the citation of its wording: so the filter
    on the event source is ``ScopeFilters.source`` only.)"""

    dataset: list[str] = []
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    actor: str | None = None
    actor1: str | None = None
    actor2: str | None = None
    dyad: tuple[str, str] | None = None
    types: list[str] = Field(default=[], alias="type")
    violence_type: str | None = None
    precision: Literal["day", "week", "month", "year", "range"] | None = None

    _as_list = field_validator("dataset", "types", mode="before")(_listed)
    _as_group = field_validator("country", "admin1", "admin2", "actor", "actor1", "actor2", mode="before")(
        _group
    )
    _as_dyad = field_validator("dyad", mode="before")(_dyad)

    @model_validator(mode="before")
    @classmethod
    def _old_keys(cls, data: Any) -> Any:
        return upgrade_old_keys(data)

    def actor_keys(self) -> list[tuple[str, str]]:
        """(key, member) for every actor key the scope names, to check against the taxonomy."""
        out = [(name, k) for name in ("actor", "actor1", "actor2") for k in actor_group(getattr(self, name))]
        return out + [("dyad", k) for side in self.dyad or () for k in actor_group(side)]

    def _event_source(self) -> str | None:
        return None

    def who(self) -> str:
        """The actors in words: "between A or B and C", "involving A", or "" when none is named."""
        if self.dyad:
            a, b = (" or ".join(actor_group(side)) for side in self.dyad)
            return f"between {a} and {b}"
        sides = [" or ".join(actor_group(v)) for v in (self.actor, self.actor1, self.actor2) if v]
        return f"involving {' and '.join(sides)}" if sides else ""

    def to_filters(
        self,
        date_from: dt.date | None = None,
        date_to: dt.date | None = None,
        *,
        datasets: tuple[str, ...] | None = None,
    ) -> Filters:
        """The Filters of this scope; ``datasets`` overrides the scope's own (e.g. --dataset)."""
        return Filters(
            datasets=tuple(self.dataset) if datasets is None else datasets,
            source=self._event_source(),
            country=self.country,
            admin1=self.admin1,
            admin2=self.admin2,
            actor=self.actor,
            actor1=self.actor1,
            actor2=self.actor2,
            dyad=self.dyad,
            types=tuple(self.types),
            violence_type=self.violence_type,
            date_from=date_from,
            date_to=date_to,
            precision=self.precision,
        )


class ScopeFilters(Where):
    """A scope that measures violence: adds the measure (events or fatalities) and the estimate."""

    source: str | None = None  # the event source (ucdp_ged, acled, ...), as --source
    measure: Literal["events", "fatalities"] = "events"
    estimate: Literal["best", "low", "high"] = "best"

    def _event_source(self) -> str | None:
        return self.source


def old_spellings(node: Any, path: tuple = ()) -> list[tuple[tuple, str]]:
    """Where a raw commitments list uses old scope keys: (path to the key, key)."""
    found: list[tuple[tuple, str]] = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k in OLD_KEYS:
                found.append(((*path, k), k))
            found += old_spellings(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += old_spellings(v, (*path, i))
    return found
