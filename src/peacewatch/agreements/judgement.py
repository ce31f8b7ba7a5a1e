"""What judging one obligation yields, and what every judge reads: small frozen values.

A :class:`Judgement` is the verdict of one obligation with the sentence that explains it and the
evidence it rests on; ``peacewatch.agreements.evaluate`` wraps it with the commitment's id, party and
text into a ``Verdict``. A :class:`Bench` is what a judge may read: the case, the store, the signing
and as-of dates and the dataset chosen on the command line.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Judgement:
    """One obligation judged.

    >>> Judgement("not_due", "Due 2021-05-01; nothing yet as of 2021-01-01.").days_late is None
    True
    """

    verdict: str
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)
    days_late: int | None = None
    # Events counted on their first possible day because the source dates them only to a range.
    imprecise: dict[str, Any] | None = None


@dataclass(frozen=True)
class Bench:
    """What a judge reads: the case, the store, the signing and as-of dates, the dataset override and
    the :class:`~peacewatch.agreements.standin.Reading` of the case in the store (None: no store)."""

    case: Any
    store: Any
    as_of: dt.date
    dataset: str | None = None
    reading: Any = None

    @property
    def signed(self) -> dt.date:
        return self.case.agreement.signed

    def named(self, own: list[str] | str | None) -> tuple[str, ...]:
        """The datasets the case files name for a commitment: its own, else the agreement's."""
        if isinstance(own, str):
            own = [own]
        return tuple(own or ()) or ((self.case.agreement.dataset,) if self.case.agreement.dataset else ())

    def datasets(self, own: list[str] | str | None) -> tuple[str, ...]:
        """The datasets a commitment reads: --dataset, else its own (else the agreement's), each the
        store lacks replaced by the case's stand-in when it has one (agreements/standin.py)."""
        if self.dataset:
            return (self.dataset,)
        named = self.named(own)
        return self.reading.datasets(named) if self.reading is not None else named

    def swapped(self, own: list[str] | str | None) -> bool:
        """Whether the commitment reads other datasets than the case names (--dataset, a stand-in)."""
        return bool(self.dataset) or (self.reading is not None and self.reading.swapped(self.named(own)))


def days_phrase(n: int) -> str:
    """'1 day', '12 days'."""
    return f"{n:,} day" if n == 1 else f"{n:,} days"


def count_phrase(n: float, noun: str) -> str:
    """'1 event', '3 events', '12.5 fatalities', '1 fatality'."""
    n_text = f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"
    if n == 1:
        noun = noun[:-3] + "y" if noun.endswith("ies") else noun[:-1] if noun.endswith("s") else noun
    return f"{n_text} {noun}"


def rate_phrase(x: float) -> str:
    return f"{x:.1f}" if x >= 1 else f"{x:.2g}"
