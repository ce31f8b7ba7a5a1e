"""Claim checks: the quantitative statements of a briefing, each tested on the loaded data.

A claim in ``claims.yaml`` (docs/brief-format.md) names a check; the check becomes one of four
results, each a value with one plain sentence and the numbers behind it, never a crash:

``change`` (``analysis.compare``, the default quasi-Poisson method, 95% interval of the rate ratio
window / baseline; ``m`` is the optional ``min_effect``, 0 when absent)
    * expect ``decrease``: **supported** when the whole interval lies below 1 - m (below 1 without m);
      **contradicted** when it lies at or above 1 - m (at or above 1 without m: no decrease; with m:
      the fall, if any, is certainly smaller than claimed); **inconclusive** otherwise.
    * expect ``increase``: the mirror image, with 1 + m.
    * expect ``no_change``: **supported** when the interval includes 1 (and, with m, lies within
      [1 - m, 1 + m]); **contradicted** when it excludes 1; **inconclusive** when it includes 1 but
      reaches beyond the band.
``rank`` (``analysis.series`` by month, summed to years for ``by: year``)
    The expected period must hold the maximum (or minimum) total over from..to. When it does, it is
    **supported** if it beats the runner-up by at least the Poisson noise of the two totals,
    |a - b| >= 2 * sqrt(a + b) (about a 95% two-sided test of a = b for independent Poisson counts),
    and **inconclusive** otherwise. When another period holds it, the claim is **contradicted** if that
    period beats the expected one by the same margin, **inconclusive** otherwise. On fatalities the
    Poisson noise understates the real noise (deaths come in clusters): treat a margin near it with care.
``trend`` (monthly totals over from..to)
    A quasi-Poisson log-linear regression of monthly counts on the month index, with log(days in the
    month) as offset; the slope's Wald standard error is scaled by sqrt(phi), phi = Pearson X2 / (n - 2)
    floored at 1, and the interval uses Student's t with n - 2 degrees of freedom (as
    ``peacewatch.stats.rates`` does for two groups; Wedderburn 1974; McCullagh & Nelder 1989, ch. 9).
    The trend is rising when the 95% interval of the monthly rate ratio lies above 1, falling when it
    lies below 1, unclear otherwise: **supported** when it goes the expected way, **contradicted** when
    it goes the other way, **inconclusive** when unclear.

**insufficient_data** when the data cannot answer: a filter needs a field the dataset lacks (the
result names the fields and a dataset that has them), the period lies outside the data's coverage
(the result names the period needed), a named dataset is not in the store (ingest it), or the period
ends after the as-of date.

>>> results = check_claims(load_claims("afghanistan-2020"), store="demo.duckdb")  # doctest: +SKIP
>>> [r.result for r in results]                                                   # doctest: +SKIP
['supported', 'supported', 'insufficient_data', 'insufficient_data', 'insufficient_data']
"""

from __future__ import annotations

import calendar
import datetime as dt
import difflib
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from peacewatch import analysis, schema
from peacewatch.agreements import case_folder
from peacewatch.agreements.yamlfile import LineYAML
from peacewatch.errors import (
    AmbiguousDatasetsError,
    CaseError,
    CoverageError,
    MissingFieldError,
    StatisticsError,
)
from peacewatch.indicators.filters import Filters
from peacewatch.store import Store

RESULTS = ("supported", "contradicted", "inconclusive", "insufficient_data")


# -- the claims.yaml format ----------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _listed(value):
    return [value] if isinstance(value, str) else value


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


class ClaimFilters(_Strict):
    """The CLI filters, plus the measure; ``dataset`` and ``type`` take one value or a list."""

    dataset: list[str] = []
    source: str | None = None
    country: str | None = None
    admin1: str | None = None
    admin2: str | None = None
    actor: str | None = None
    actor1: str | None = None
    actor2: str | None = None
    dyad: tuple[str, str] | None = None
    types: list[str] = Field(default=[], alias="type")
    violence_type: str | None = None
    measure: Literal["events", "fatalities"] = "events"
    estimate: Literal["best", "low", "high"] = "best"

    _as_list = field_validator("dataset", "types", mode="before")(_listed)

    def to_filters(self, date_from: dt.date | None = None, date_to: dt.date | None = None) -> Filters:
        return Filters(
            datasets=tuple(self.dataset),
            source=self.source,
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
        )


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


class ClaimsFile(_Strict):
    claims: list[Claim] = Field(min_length=1)


# -- loading, with file:line problems --------------------------------------------------------------------

_TAGS = {"change", "rank", "trend"}
_KINDS = {"change": ChangeCheck, "rank": RankCheck, "trend": TrendCheck}


def _keys(model: type[BaseModel]) -> list[str]:
    return sorted(f.alias or name for name, f in model.model_fields.items())


def claims_path(value: str | os.PathLike) -> Path:
    """A claims.yaml path from itself, its case folder, or a built-in case name."""
    path = Path(value)
    if path.is_file():
        return path
    found = (path if path.is_dir() else case_folder(value)) / "claims.yaml"
    if not found.exists():
        raise CaseError(f"{found}: missing; the case has no claims.yaml.", hint="See docs/brief-format.md.")
    return found


def load_claims(path_or_case: str | os.PathLike) -> list[Claim]:
    """Load and check a claims.yaml (or the one of a case folder or built-in case), reporting every
    problem at once with its file:line.

    >>> [c.id for c in load_claims("afghanistan-2020")][:2]   # doctest: +SKIP
    ['riv-cut-violence', 'violence-resumed']
    """
    path = claims_path(path_or_case)
    try:
        doc = LineYAML(path)
    except ValueError as exc:
        raise CaseError(str(exc)) from None
    data = doc.data if isinstance(doc.data, dict) else {}
    problems = _vocabulary(doc, data)
    parsed = None
    try:
        parsed = ClaimsFile.model_validate(data)
    except ValidationError as exc:
        problems = _pydantic_problems(doc, exc, data) + problems
    if problems:
        problems.sort(key=lambda p: int(p[len(str(path)) + 1 :].split(":", 1)[0]))
        raise CaseError(f"{len(problems)} problem(s) in {path}:\n  " + "\n  ".join(problems))
    return list(parsed.claims)


def _pydantic_problems(doc: LineYAML, exc: ValidationError, data: dict) -> list[str]:
    out = []
    for err in exc.errors():
        loc = err["loc"]
        if len(loc) > 3 and loc[2] == "check" and loc[3] in _TAGS:  # the discriminated union's tag
            loc = (*loc[:3], *loc[4:])
        where = ".".join(str(p) for p in loc) or "the file"
        if err["type"] == "extra_forbidden":
            key = str(loc[-1])
            known = _allowed(loc[:-1], data)
            close = difflib.get_close_matches(key, known, n=1)
            hint = f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(known)}"
            out.append(f"{doc.where(loc)}: {where}: unknown key {key!r}; {hint}")
            continue
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            loc = (*loc, "kind")
            where += ".kind"
        if err["type"] == "union_tag_invalid":
            close = difflib.get_close_matches(str(err["ctx"]["tag"]), sorted(_TAGS), n=1)
            msg = f"unknown check kind {err['ctx']['tag']!r}; " + (
                f"did you mean {close[0]!r}?" if close else "expected change, rank or trend"
            )
        found = err.get("input")
        quiet = isinstance(found, dict | list) or err["type"] in (
            "missing",
            "value_error",
            "union_tag_invalid",
        )
        shown = "" if quiet else f", found {found!r}"
        out.append(f"{doc.where(loc)}: {where}: {msg}{shown}")
    return out


def _allowed(parent: tuple, data: dict) -> list[str]:
    if not parent:
        return ["claims"]
    if parent[-1] == "filters":
        return _keys(ClaimFilters)
    if parent[-1] == "expect":
        return ["max", "min"]
    if parent[-1] == "check":
        node: Any = data
        for p in parent:
            node = node[p] if isinstance(node, dict | list) else None
        kind = _KINDS.get(node.get("kind")) if isinstance(node, dict) else None
        return _keys(kind) if kind else sorted({k for m in _KINDS.values() for k in _keys(m)})
    return _keys(Claim)


def _vocabulary(doc: LineYAML, data: dict) -> list[str]:
    """Event types, violence types and actor keys, checked on the raw document so that every problem
    is reported together with the structural ones."""
    from peacewatch.actors import Taxonomy

    actor_keys = set(Taxonomy.load().keys())
    problems: list[str] = []

    def unknown(loc, what, value, known) -> None:
        close = difflib.get_close_matches(str(value), sorted(known), n=1, cutoff=0.5)
        hint = f"did you mean {close[0]!r}?" if close else f"expected one of {', '.join(sorted(known))}"
        problems.append(f"{doc.where(loc)}: unknown {what} {value!r}; {hint}")

    claims = data.get("claims") if isinstance(data.get("claims"), list) else []
    seen: set[str] = set()
    for i, claim in enumerate(claims):
        if not isinstance(claim, dict):
            continue
        cid = claim.get("id")
        if isinstance(cid, str):
            if cid in seen:
                problems.append(f"{doc.where(('claims', i, 'id'))}: claim id {cid!r} is used twice")
            seen.add(cid)
        check = claim.get("check")
        filters = check.get("filters") if isinstance(check, dict) else None
        if not isinstance(filters, dict):
            continue
        loc = ("claims", i, "check", "filters")
        types = filters.get("type")
        for j, t in enumerate(_listed(types) if isinstance(types, str | list) else []):
            if t not in schema.EVENT_TYPES:
                unknown((*loc, "type", j), "event type", t, schema.EVENT_TYPES)
        vt = filters.get("violence_type")
        if vt is not None and vt not in schema.VIOLENCE_TYPES:
            unknown((*loc, "violence_type"), "violence type", vt, schema.VIOLENCE_TYPES)
        for key in ("actor", "actor1", "actor2"):
            value = filters.get(key)
            if isinstance(value, str) and value not in actor_keys:
                unknown((*loc, key), "actor key", value, actor_keys)
        dyad = filters.get("dyad")
        for j, value in enumerate(dyad if isinstance(dyad, list) else []):
            if isinstance(value, str) and value not in actor_keys:
                unknown((*loc, "dyad", j), "actor key", value, actor_keys)
    return problems


# -- results ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClaimResult:
    """One claim, judged: ``result`` is one of RESULTS; ``evidence`` holds the analysis payload(s)
    with their datasets and the command that reproduces them."""

    id: str
    text: str
    source: str
    result: str
    summary: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "source": self.source,
            "result": self.result,
            "summary": self.summary,
            "evidence": self.evidence,
        }


def check_claims(
    claims: list[Claim], *, store: Store | str | os.PathLike | None = None, as_of: dt.date | None = None
) -> list[ClaimResult]:
    """Judge each claim on the store, using no period that ends after ``as_of`` (default today)."""
    s = store if isinstance(store, Store) else Store(store)
    catalog = s.datasets()
    as_of = as_of or dt.date.today()
    return [_judge(c, s, catalog, as_of) for c in claims]


def _judge(claim: Claim, s: Store, catalog: list[dict], as_of: dt.date) -> ClaimResult:
    c = claim.check
    base = {"kind": c.kind, "check": c.model_dump(mode="json", by_alias=True, exclude_none=True)}

    def done(result: str, summary: str, evidence: dict) -> ClaimResult:
        return ClaimResult(claim.id, claim.text, claim.source, result, summary, {**base, **evidence})

    def cannot(summary: str, evidence: dict) -> ClaimResult:
        tail = f" {claim.settle_with.strip()}" if claim.settle_with else ""
        return done("insufficient_data", summary + tail, {**evidence, "command": _command(c)})

    known = {e["dataset_id"] for e in catalog}
    absent = [d for d in c.filters.dataset if d != "all" and d not in known]
    if absent:
        return cannot(
            f"The data cannot settle this: the dataset(s) {', '.join(absent)} are not in the store; "
            "ingest them (peacewatch ingest FILE) to check this claim.",
            {"datasets_needed": absent},
        )
    end = max(b for _, b in c.periods())
    if end > as_of:
        return cannot(
            f"The data cannot settle this as of {as_of}: the claim needs data up to {end}.",
            {"as_of": as_of.isoformat()},
        )
    try:
        return done(*{"change": _change, "rank": _rank, "trend": _trend}[c.kind](c, s))
    except MissingFieldError as exc:
        return cannot(*_missing_fields(c, exc, catalog))
    except (CoverageError, AmbiguousDatasetsError, StatisticsError) as exc:
        hint = " Name one dataset in the claim's filters." if isinstance(exc, AmbiguousDatasetsError) else ""
        return cannot(
            f"The data cannot settle this: {exc.message}{hint}",
            {"datasets": list(getattr(exc, "datasets", ())), "error": str(exc)},
        )


_NEEDS = {  # the fields each filter reads (indicators.filters checks them against the catalog)
    "admin1": ("admin1",),
    "admin2": ("admin2",),
    "actor": ("actor1", "actor2"),
    "actor1": ("actor1",),
    "actor2": ("actor2",),
    "dyad": ("actor1", "actor2"),
    "violence_type": ("violence_type",),
}
_WHAT = {
    "actor1": "the actors",
    "actor2": "the actors",
    "admin2": "the district",
    "admin1": "the province",
    "violence_type": "the type of violence",
}


def _missing_fields(c, exc: MissingFieldError, catalog: list[dict]) -> tuple[str, dict]:
    entries = [e for e in catalog if e["dataset_id"] in exc.datasets]
    lacking = {f for e in entries for f in e.get("fields_missing") or []}
    used = [k for k in _NEEDS if getattr(c.filters, k) and set(_NEEDS[k]) & lacking] or list(exc.fields)
    fields = sorted({f for k in used for f in _NEEDS.get(k, ()) if f in lacking} or set(exc.fields))
    what = sorted({_WHAT.get(f, f) for f in fields})
    # ACLED codes no UCDP type of violence; both code actors and districts.
    having = "UCDP GED" if "violence_type" in fields else "ACLED's full export or UCDP GED"
    summary = (
        f"The data cannot settle this: the filter(s) {', '.join(used)} need the field(s) "
        f"{', '.join(fields)} ({'; '.join(what)}), which {', '.join(exc.datasets)} lacks; an event "
        f"dataset that has them, such as {having}, would settle it."
    )
    starts = [_d(e["date_min"]) for e in entries if e.get("date_min")]
    ends = [_d(e["date_max"]) for e in entries if e.get("date_max")]
    outside = [(a, b) for a, b in c.periods() if starts and ends and (a < min(starts) or b > max(ends))]
    if outside:
        spans = " and ".join(f"{a}:{b}" for a, b in outside)
        summary += (
            f" It would also need data for {spans}, which reach outside the dates that dataset covers "
            f"({min(starts)}:{max(ends)})."
        )
    evidence = {"missing_fields": fields, "datasets": list(exc.datasets), "error": str(exc)}
    if outside:
        evidence["periods_needed"] = [f"{a}:{b}" for a, b in outside]
    return summary, evidence


def _d(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _command(c) -> str:
    f = c.filters
    measure = f" --measure {f.measure}" + (f" --estimate {f.estimate}" if f.measure == "fatalities" else "")
    if isinstance(c, ChangeCheck):
        args = f.to_filters().cli_args()
        return " ".join(
            f"peacewatch compare {args} --window {c.window} --baseline {c.baseline}{measure}".split()
        )
    args = f.to_filters(c.date_from, c.date_to).cli_args()
    return " ".join(f"peacewatch series {args} --by month{measure}".split())


def _words(f: ClaimFilters) -> str:
    return "events" if f.measure == "events" else f"{f.estimate}-estimate fatalities"


# -- change ----------------------------------------------------------------------------------------------


def change_verdict(expect: str, lo: float, hi: float, min_effect: float | None = None) -> tuple[str, str]:
    """The result of a change claim from the 95% interval of the rate ratio, and why (the rules of
    the module docstring).

    >>> change_verdict("decrease", 0.13, 0.30)
    ('supported', 'wholly below 1: a fall')
    """
    m = min_effect or 0.0
    if expect == "no_change":
        if lo > 1 or hi < 1:
            return "contradicted", "which excludes 1: a real change"
        if m and (lo < 1 - m or hi > 1 + m):
            band = f"{1 - m:g} to {1 + m:g}"
            return (
                "inconclusive",
                f"which includes 1 but reaches beyond {band}: a change of {m:.0%} is possible",
            )
        return "supported", "which includes 1" + (f" and lies within {1 - m:g} to {1 + m:g}" if m else "")
    fall = expect == "decrease"
    bound, word = (1 - m, "fall") if fall else (1 + m, "rise")
    if (hi < bound) if fall else (lo > bound):
        return "supported", f"wholly {'below' if fall else 'above'} {bound:g}: a {word}" + (
            f" of more than {m:.0%}" if m else ""
        )
    if (lo >= bound) if fall else (hi <= bound):
        return "contradicted", f"at or {'above' if fall else 'below'} {bound:g}: no {word}" + (
            f" as large as the {m:.0%} claimed" if m else ""
        )
    return "inconclusive", f"which straddles {bound:g}: the data cannot tell " + (
        f"whether the {word} reached {m:.0%}" if m else f"a {word} from chance"
    )


def _change(c: ChangeCheck, s: Store) -> tuple[str, str, dict]:
    f = c.filters
    r = analysis.compare(
        f.to_filters(), window=c.window, baseline=c.baseline, measure=f.measure, estimate=f.estimate, store=s
    )
    d = r.to_dict()
    result, why = change_verdict(c.expect, d["ci_low"], d["ci_high"], c.min_effect)
    w, b = d["window"], d["baseline"]
    summary = (
        f"{w['total']:,.0f} {_words(f)} in the window {w['start']} to {w['end']} ({w['rate']:.3g} a day) "
        f"against {b['total']:,.0f} in the baseline {b['start']} to {b['end']} ({b['rate']:.3g} a day): "
        f"a rate ratio of {d['rate_ratio']:.2f} ({d['percent_change']:+.0f}%), 95% interval "
        f"{d['ci_low']:.2f} to {d['ci_high']:.2f}, {why}."
    )
    if d["note"]:
        summary += f" {d['note']}"
    return result, summary, {"comparison": d, "datasets": d["datasets"], "command": d["command"]}


# -- rank ------------------------------------------------------------------------------------------------


def _series(c: RankCheck | TrendCheck, s: Store):
    f = c.filters
    sr = analysis.series(
        f.to_filters(c.date_from, c.date_to), by="month", measure=f.measure, estimate=f.estimate, store=s
    )
    if not sr.datasets:
        raise CoverageError(
            f"no dataset in the store matches these filters, so {c.date_from}:{c.date_to} "
            "cannot be measured.",
            datasets=(),
        )
    lo = min(_d(e["date_min"]) for e in sr.datasets)
    hi = max(_d(e["date_max"]) for e in sr.datasets)
    if c.date_from < lo or c.date_to > hi:
        ids = tuple(e["dataset_id"] for e in sr.datasets)
        raise CoverageError(
            f"the period {c.date_from}:{c.date_to} is not covered by the selected data "
            f"({', '.join(ids)} cover {lo}:{hi}); days outside it would be counted as days without violence.",
            datasets=ids,
        )
    return sr


def _rank(c: RankCheck, s: Store) -> tuple[str, str, dict]:
    sr = _series(c, s)
    totals: dict[str, float] = {}
    for d, v in sr.points:
        totals[_label(d, c.by)] = totals.get(_label(d, c.by), 0.0) + v
    want_max = c.expect.max is not None
    expected = c.expect.max or c.expect.min
    order = sorted(totals, key=lambda k: (-totals[k] if want_max else totals[k], k != expected))
    unit, most = f"{c.by}s", "most" if want_max else "fewest"
    words = _words(c.filters)
    evidence = {
        "series": sr.to_dict(),
        "totals": [{"period": k, "value": v} for k, v in totals.items()],
        "datasets": sr.datasets,
        "command": sr.command,
    }
    if not any(totals.values()):
        return "inconclusive", f"No {words} at all in {c.date_from}:{c.date_to}: nothing to rank.", evidence
    leader = order[0]
    other = order[1] if leader == expected else expected
    a, b = totals[leader], totals[other]
    margin, noise = abs(a - b), 2 * math.sqrt(a + b)
    pct = f" ({margin / b:.0%})" if b else ""
    evidence |= {"leader": leader, "compared_with": other, "margin": margin, "noise": noise}
    beyond = margin >= noise
    noise_words = f"Poisson noise (2*sqrt(a+b) = {noise:,.0f})"
    head = (
        f"Of the {len(totals)} {unit} {_label(c.date_from, c.by)} to {_label(c.date_to, c.by)}, "
        f"{leader} had the {most} {words} ({a:,.0f})"
    )
    if leader == expected:
        gap = f"{margin:,.0f}{pct} {'more' if want_max else 'fewer'} than the runner-up {other} ({b:,.0f})"
        if beyond:
            return "supported", f"{head}, {gap}, beyond {noise_words}.", evidence
        return (
            "inconclusive",
            f"{head}, only {gap}: within {noise_words}, so the data cannot rank them.",
            evidence,
        )
    gap = f"not {expected} ({b:,.0f}), a difference of {margin:,.0f}{pct}"
    if beyond:
        return "contradicted", f"{head}, {gap}, beyond {noise_words}.", evidence
    return "inconclusive", f"{head}, {gap}, within {noise_words}: the data cannot tell which.", evidence


# -- trend -----------------------------------------------------------------------------------------------


_DIVERGED = (
    "the monthly trend cannot be estimated: nearly all the counts fall in the first or last month, "
    "so the fitted slope runs off to infinity."
)


def monthly_trend_fit(counts: np.ndarray, days: np.ndarray, conf_level: float = 0.95) -> dict[str, Any]:
    """Quasi-Poisson regression of monthly counts on the month index with log(days) as offset:
    the rate ratio per month with its Wald-t interval (rules and references in the module docstring).

    >>> fit = monthly_trend_fit(np.array([10, 12, 15, 18, 22, 26]), np.full(6, 30))
    >>> round(fit["rate_ratio"], 3), fit["ci_low"] > 1
    (1.212, True)
    """
    from scipy import stats as sps

    y, n = np.asarray(counts, dtype=float), len(counts)
    x = np.column_stack([np.ones(n), np.arange(n, dtype=float)])
    offset = np.log(np.asarray(days, dtype=float))
    beta = np.array([math.log(y.sum() / np.exp(offset).sum()), 0.0])
    for _ in range(100):  # IRLS for the Poisson log link
        mu = np.exp(x @ beta + offset)
        xtwx = x.T @ (mu[:, None] * x)
        step = np.linalg.solve(xtwx, x.T @ (y - mu))
        beta = beta + step
        if np.max(np.abs(step)) < 1e-10:
            break
    else:
        raise StatisticsError(_DIVERGED)
    mu = np.exp(x @ beta + offset)
    if abs(beta[1]) > 5:  # a rate multiplied by e^5 each month: the estimate is running off to infinity
        raise StatisticsError(_DIVERGED)
    phi = float(np.sum((y - mu) ** 2 / mu) / (n - 2))
    se = math.sqrt(np.linalg.inv(x.T @ (mu[:, None] * x))[1, 1] * max(1.0, phi))
    q = sps.t.ppf(0.5 + conf_level / 2, n - 2)
    return {
        "rate_ratio": math.exp(beta[1]),
        "ci_low": math.exp(beta[1] - q * se),
        "ci_high": math.exp(beta[1] + q * se),
        "p_value": float(2 * sps.t.sf(abs(beta[1] / se), n - 2)),
        "dispersion": phi,
        "months": n,
        "conf_level": conf_level,
        "method": "quasi-Poisson regression of monthly counts on the month index, log(days) offset",
    }


def _trend(c: TrendCheck, s: Store) -> tuple[str, str, dict]:
    sr = _series(c, s)
    values = sr.values()
    days = np.array([calendar.monthrange(d.year, d.month)[1] for d, _ in sr.points])
    evidence = {"series": sr.to_dict(), "datasets": sr.datasets, "command": sr.command}
    span = f"{_label(c.date_from, 'month')} to {_label(c.date_to, 'month')}"
    words = _words(c.filters)
    if not values.any():
        return "inconclusive", f"No {words} at all in {span}: there is no trend to estimate.", evidence
    fit = monthly_trend_fit(values, days)
    rr, lo, hi = fit["rate_ratio"], fit["ci_low"], fit["ci_high"]
    direction = "rising" if lo > 1 else "falling" if hi < 1 else "unclear"
    evidence |= {"fit": fit, "direction": direction}
    result = (
        "inconclusive" if direction == "unclear" else "supported" if direction == c.expect else "contradicted"
    )
    why = {
        "rising": "the whole interval lies above 1, a rising trend",
        "falling": "the whole interval lies below 1, a falling trend",
        "unclear": "the interval includes 1: no clear trend",
    }[direction]
    summary = (
        f"Monthly {words} changed by {rr - 1:+.1%} a month over {span} ({fit['months']} months, "
        f"{values.sum():,.0f} in all; rate ratio per month {rr:.3f}, "
        f"95% interval {lo:.3f} to {hi:.3f}): {why}."
    )
    return result, summary, evidence


__all__ = [
    "RESULTS",
    "Claim",
    "ClaimResult",
    "change_verdict",
    "check_claims",
    "claims_path",
    "load_claims",
    "monthly_trend_fit",
]
