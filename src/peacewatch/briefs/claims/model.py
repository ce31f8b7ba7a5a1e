"""The claims.yaml format (docs/brief-format.md): a claim names one check, ``change``, ``rank`` or
``trend``, with its filters, periods and expected outcome. The models check the shape of each value;
:mod:`peacewatch.briefs.claims.load` reports their problems with file:line.
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from peacewatch.agreements.scope import ScopeFilters


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _span(value: Any) -> tuple[dt.date, dt.date]:
    parts = str(value).split(":")
    if len(parts) != 2:
        raise ValueError(
            f"expected START:END as YYYY-MM-DD:YYYY-MM-DD (both inclusive), found {str(value)!r}"
        )
    days = []
    for part in parts:
        try:
            days.append(dt.date.fromisoformat(part.strip()))
        except ValueError:
            raise ValueError(f"{part.strip()!r} in {str(value)!r} is not a date (YYYY-MM-DD)") from None
    if days[0] > days[1]:
        raise ValueError(f"{str(value)!r} ends before it starts")
    return days[0], days[1]


class ClaimFilters(ScopeFilters):
    """The one scope vocabulary (``peacewatch.agreements.scope``): the CLI filters, plus the measure
    and the estimate; places and ``type`` take one value or a list, the actor filters (and each side
    of ``dyad``) one key or a group of keys (a list, or KEY+KEY)."""


class ChangeCheck(_Strict):
    kind: Literal["change"]
    filters: ClaimFilters = ClaimFilters()
    window: str
    baseline: str
    expect: Literal["decrease", "increase", "no_change"]
    min_effect: float | None = Field(default=None, gt=0, lt=1)

    @field_validator("window", "baseline", mode="before")
    @classmethod
    def _is_span(cls, value):
        _span(value)
        return str(value)

    def periods(self) -> list[tuple[dt.date, dt.date]]:
        return [_span(self.window), _span(self.baseline)]


class RankExpect(_Strict):
    max: str | None = None
    min: str | None = None

    @field_validator("max", "min", mode="before")
    @classmethod
    def _label(cls, value):
        return str(value) if isinstance(value, int | dt.date) else value

    @model_validator(mode="after")
    def _one(self):
        if (self.max is None) == (self.min is None):
            raise ValueError("give exactly one of max or min, e.g. {max: '2019'}")
        return self


def _month_end(d: dt.date) -> dt.date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def _label(d: dt.date, by: str) -> str:
    return f"{d.year}" if by == "year" else f"{d.year}-{d.month:02d}"


def _aligned(by: str, a: dt.date | None, b: dt.date) -> None:
    if a is None:
        return
    if a > b:
        raise ValueError(f"from {a} is after to {b}")
    if by == "year" and not (a.month == a.day == 1 and (b.month, b.day) == (12, 31)):
        raise ValueError(f"yearly totals need from on 1 January and to on 31 December, found {a} and {b}")
    if a.day != 1 or b != _month_end(b):
        raise ValueError(
            f"monthly totals need from on the first and to on the last day of a month, found {a} and {b}"
        )


def _labels(a: dt.date, b: dt.date, by: str) -> list[str]:
    out, d = [], a
    while d <= b:
        out.append(_label(d, by))
        d = dt.date(d.year + 1, 1, 1) if by == "year" else _month_end(d) + dt.timedelta(days=1)
    return out


class RankCheck(_Strict):
    kind: Literal["rank"]
    filters: ClaimFilters = ClaimFilters()
    by: Literal["year", "month"]
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")
    expect: RankExpect

    @field_validator("date_to")
    @classmethod
    def _aligned(cls, value, info):
        _aligned(info.data.get("by", "month"), info.data.get("date_from"), value)
        return value

    @field_validator("expect")
    @classmethod
    def _in_range(cls, value, info):
        a, b, by = info.data.get("date_from"), info.data.get("date_to"), info.data.get("by")
        label = value.max or value.min
        if a and b and by and label not in _labels(a, b, by):
            form = "YYYY" if by == "year" else "YYYY-MM"
            raise ValueError(f"{label!r} is not a {by} ({form}) between from and to")
        return value

    def periods(self) -> list[tuple[dt.date, dt.date]]:
        return [(self.date_from, self.date_to)]


class TrendCheck(_Strict):
    kind: Literal["trend"]
    filters: ClaimFilters = ClaimFilters()
    date_from: dt.date = Field(alias="from")
    date_to: dt.date = Field(alias="to")
    expect: Literal["rising", "falling"]
    # steady: no significant reversal within the period; average: the mean slope only. When absent,
    # the claim's wording decides (steadily, consistently, ...: see checks.STEADY_WORDS).
    shape: Literal["steady", "average"] | None = None

    @field_validator("date_to")
    @classmethod
    def _months(cls, value, info):
        a = info.data.get("date_from")
        _aligned("month", a, value)
        if a and len(_labels(a, value, "month")) < 3:
            raise ValueError(f"a trend needs at least 3 months, found {len(_labels(a, value, 'month'))}")
        return value

    def periods(self) -> list[tuple[dt.date, dt.date]]:
        return [(self.date_from, self.date_to)]


Check = Annotated[ChangeCheck | RankCheck | TrendCheck, Field(discriminator="kind")]


class Claim(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]*$")
    text: str
    source: str
    settle_with: str | None = None  # appended when the data cannot settle the claim
    check: Check
    # Where the claim's place filter is written (file:line) and the datasets written there, set by
    # load_claims: a place no data holds is then the file's typo, unless the dataset was swapped
    # since (``watch --dataset``), when it is the data that cannot tell.
    _written: tuple[str, tuple[str, ...]] | None = PrivateAttr(default=None)

    def written_at(self) -> str | None:
        """file:line of the claim's place filters, as loaded, or None for a claim made in code."""
        return self._written[0] if self._written else None

    def on_datasets(self, datasets: tuple[str, ...]) -> Claim:
        """The claim with its check reading ``datasets`` (--dataset, or a stand-in) instead of its own."""
        check = self.check
        filters = check.filters.model_copy(update={"dataset": list(datasets)})
        return self.model_copy(update={"check": check.model_copy(update={"filters": filters})})

    def datasets_swapped(self) -> bool:
        """Whether the check now reads other datasets than its file names (``watch --dataset``)."""
        return bool(self._written) and tuple(self.check.filters.dataset) != self._written[1]


class ClaimsFile(_Strict):
    claims: list[Claim] = Field(min_length=1)
