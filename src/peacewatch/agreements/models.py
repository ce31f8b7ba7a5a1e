"""The case files as pydantic models: an agreement, its parties and commitments, and a chronology.

Field by field documentation with a complete example: docs/agreement-format.md. Semantic checks that
need more than one field (party keys, actor keys, dates, references between commitments) are in
``peacewatch.agreements.loading``, which also turns every problem into a file:line message.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from peacewatch.agreements.scope import ScopeFilters, Where


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Document(_Strict):
    id: str
    title: str
    date: dt.date | None = None
    citation: str
    pax_agtid: int | None = None


class Party(_Strict):
    key: str
    name: str
    actors: list[str] = []


# The one scope vocabulary (keys of the CLI filters), shared with claims and brief blocks.
Scope = ScopeFilters


class Baseline(_Strict):
    preceding: int | None = Field(default=None, ge=1)
    span: str | None = None
    years: int | None = Field(default=None, ge=1)

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [k for k in ("preceding", "span", "years") if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of preceding, span or years; found {given or 'none'}")
        return self


class MaxRatio(_Strict):
    max_ratio: float = Field(gt=0)


class _Commitment(_Strict):
    id: str
    party: str | None = None
    document: str | None = None
    text: str = ""
    source: str | None = None
    verified: bool = True
    note: str | None = None


class ViolenceReduction(_Commitment):
    kind: Literal["violence_reduction"]
    scope: Scope = Scope()
    window: str
    baseline: Baseline
    target: Literal["significant_reduction"] | MaxRatio = "significant_reduction"


class NoAttacks(_Commitment, Where):
    """No events of the scope's actors (``actor``, or ``dyad`` for who against whom) in ``period``."""

    kind: Literal["no_attacks"]
    period: str
    tolerance: int = Field(default=0, ge=0)

    @model_validator(mode="after")
    def _names_actors(self):
        if not (self.actor or self.actor1 or self.actor2 or self.dyad):
            raise ValueError("no_attacks needs the actors it binds: actor: [KEY, ...] or dyad: [A, B]")
        return self


class Contrast(_Commitment):
    """A place or party outside the agreement's scope, measured like a violence_reduction and shown
    beside it for comparison; it binds no one and gets no compliance verdict."""

    kind: Literal["contrast"]
    scope: Scope = Scope()
    window: str
    baseline: Baseline


class Milestone(_Commitment):
    kind: Literal["milestone"]
    due: dt.date | str
    satisfied_by: str
    parties: list[str] = []


Comparator = Literal["<=", "<", ">=", ">", "=="]


class Quantity(_Commitment):
    kind: Literal["quantity"]
    metric: str
    comparator: Comparator
    value: float
    due: dt.date | str


class Stub(_Commitment):
    """A provision written by ``agreements from-pax`` that still needs a testable form."""

    kind: Literal["stub"]
    category: str | None = None
    pax_variable: str | None = None
    pax_value: float | str | None = None


Obligation = Annotated[ViolenceReduction | NoAttacks | Milestone | Quantity, Field(discriminator="kind")]


class Conditional(_Commitment):
    kind: Literal["conditional"]
    depends_on: list[str] = Field(min_length=1)
    then: dict


Commitment = Annotated[
    ViolenceReduction | NoAttacks | Milestone | Quantity | Conditional | Contrast | Stub,
    Field(discriminator="kind"),
]


class Agreement(_Strict):
    id: str
    title: str
    signed: dt.date
    dataset: str | None = None
    # The countries the case is about, for choosing a stand-in when the store lacks ``dataset``
    # (agreements/standin.py); default: the countries its violence commitments name.
    countries: list[str] = []
    documents: list[Document] = []
    parties: list[Party]
    commitments: list[Commitment]


class Fact(_Strict):
    date: dt.date
    kind: str
    parties: list[str] = []
    metric: str | None = None
    value: float | None = None
    text: str
    source: str

    @model_validator(mode="after")
    def _metric_with_value(self):
        if (self.metric is None) != (self.value is None):
            raise ValueError("metric and value go together: give both or neither")
        return self


class Chronology(_Strict):
    # Fact kinds milestones may name before any fact of that kind has happened ("union_accord_concluded"),
    # each with a line saying what it means; a satisfied_by naming neither a fact's kind nor one of
    # these is an error, so a typo cannot give a silent not_met.
    kinds: dict[str, str] = {}
    facts: list[Fact] = []
