"""Judging claims: each claim's check run on the store and turned into a :class:`ClaimResult`, or into
``insufficient_data`` with the reason and what would settle it when the data cannot answer.
"""

from __future__ import annotations

import datetime as dt
import shlex
from dataclasses import dataclass, field
from typing import Any

from peacewatch.agreements.standin import Reading
from peacewatch.analysis.select import StoreLike, as_store
from peacewatch.briefs.claims.checks import _d, run_check
from peacewatch.briefs.claims.model import ChangeCheck, Claim
from peacewatch.errors import (
    AmbiguousDatasetsError,
    CaseError,
    CoverageError,
    MissingFieldError,
    PlaceError,
    StatisticsError,
    UnmatchedActorError,
)
from peacewatch.store import Store

RESULTS = ("supported", "contradicted", "inconclusive", "insufficient_data")


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

    def counted(self) -> dict[str, Any] | None:
        """The payload naming the events this claim's check counted, if any (for
        ``peacewatch.analysis.events_behind``)."""
        return self.evidence.get("comparison") or self.evidence.get("series")

    @property
    def imprecise(self) -> dict[str, Any] | None:
        """Events counted on their first possible day because the source dates them only to a range
        (the counted payload's own note)."""
        return (self.counted() or {}).get("imprecise")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "source": self.source,
            "result": self.result,
            "summary": self.summary,
            "imprecise": self.imprecise,
            "evidence": self.evidence,
        }


def check_claims(
    claims: list[Claim],
    *,
    store: StoreLike = None,
    as_of: dt.date | None = None,
    reading: Reading | None = None,
) -> list[ClaimResult]:
    """Judge each claim on the store (or a reader of it on another engine), using no period that
    ends after ``as_of`` (default today). ``reading`` (``peacewatch.agreements.standin.for_folder``)
    says what to read for the datasets the claims name: --dataset, or the case's stand-in when the
    store lacks them; a claim read on a stand-in says so in its summary."""
    s = as_store(store)
    catalog = s.datasets()
    as_of = as_of or dt.date.today()
    return [_judge(c, s, catalog, as_of, reading) for c in claims]


def _judge(
    claim: Claim, s: Store, catalog: list[dict], as_of: dt.date, reading: Reading | None = None
) -> ClaimResult:
    named = tuple(claim.check.filters.dataset)
    stand_in: dict = {}
    sentence = None
    if reading is not None and reading.swapped(named):
        claim = claim.on_datasets(reading.datasets(named))
        if sentence := reading.claim_sentence(named):
            stand_in = {"named": list(reading.absent(named)), "read_on": list(claim.check.filters.dataset)}
    c = claim.check
    base = {"kind": c.kind, "check": c.model_dump(mode="json", by_alias=True, exclude_none=True)}

    def done(result: str, summary: str, evidence: dict) -> ClaimResult:
        if stand_in:  # the claim's figures were written against a release this store lacks
            summary, evidence = f"{summary} {sentence}", {**evidence, "stand_in": stand_in}
        return ClaimResult(claim.id, claim.text, claim.source, result, summary, {**base, **evidence})

    def cannot(summary: str, evidence: dict) -> ClaimResult:
        tail = f" {claim.settle_with.strip()}" if claim.settle_with else ""
        return done("insufficient_data", summary + tail, {**evidence, "command": _command(c, s)})

    if reading is not None and (why := reading.missing(named, "claims.yaml")):
        return cannot(
            f"The data cannot settle this: {why}",
            {
                "datasets_needed": reading.absent(named),
                "candidates": [e["dataset_id"] for e in reading.candidates],
            },
        )
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
        return done(*run_check(c, s, text=claim.text))
    except MissingFieldError as exc:
        return cannot(*_missing_fields(c, exc, catalog))
    except UnmatchedActorError as exc:
        return cannot(
            f"The data cannot settle this: {exc}",
            {"unmatched_actors": list(exc.actors), "datasets": list(exc.datasets), "error": str(exc)},
        )
    except PlaceError as exc:
        return cannot(*_place_lacking(claim, s, catalog, exc))
    except (CoverageError, AmbiguousDatasetsError, StatisticsError) as exc:
        hint = " Name one dataset in the claim's filters." if isinstance(exc, AmbiguousDatasetsError) else ""
        return cannot(
            f"The data cannot settle this: {exc.message}{hint}",
            {
                "datasets": list(getattr(exc, "datasets", ())),
                "error": str(exc),
                "missing_days": [str(m) for m in getattr(exc, "missing", ())],
            },
        )


_WHAT = {
    "actor1": "the actors",
    "actor2": "the actors",
    "admin2": "the district",
    "admin1": "the province",
    "violence_type": "the type of violence",
}


def _place_lacking(claim: Claim, s: Store, catalog: list[dict], exc: PlaceError) -> tuple[str, dict]:
    """Why a place filter the claim's datasets refused means the data cannot tell; raises CaseError at
    the claims file's line when the place is a typo (held by no dataset of the store, not a country
    the gazetteer knows, and the datasets are the ones the file names)."""
    from peacewatch.analysis.places import datasets_holding

    f = claim.check.filters.to_filters()
    holders = datasets_holding(s, f, catalog)
    if holders is None and not claim.datasets_swapped():
        where = claim.written_at() or f"claim {claim.id}"
        raise CaseError(
            f"{where}: claim {claim.id!r}: {exc.message} No dataset of the store has this place.",
            hint="Correct the place in the claims file; list the store's names with `peacewatch places`.",
        )
    place = " / ".join(p for p in (f.admin2, f.admin1, f.country) if p)
    own = ", ".join(d for d in f.datasets if d != "all") or "the store's datasets"
    elsewhere = (
        f" {', '.join(holders)} {'has' if len(holders) == 1 else 'have'} it: check the claim there "
        "(its filters.dataset, or watch --dataset)."
        if holders
        else " Ingest (or sync) a dataset that covers it."
    )
    summary = f"The data cannot settle this: {own} has no {place}; {exc.message}{elsewhere}"
    return summary, {
        "place": place,
        "datasets": list(f.datasets),
        "held_by": list(holders or ()),
        "error": str(exc),
    }


def _missing_fields(c, exc: MissingFieldError, catalog: list[dict]) -> tuple[str, dict]:
    entries = [e for e in catalog if e["dataset_id"] in exc.datasets]
    # The error names every filter that needs a missing field, and every such field.
    used, fields = list(exc.filters) or list(exc.fields), sorted(exc.fields)
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


def _command(c, store: Store) -> str:
    """The command that reproduces a claim's numbers on ``store`` at the snapshot it reads."""
    f = c.filters
    measure = ["--measure", f.measure] + (["--estimate", f.estimate] if f.measure == "fatalities" else [])
    if isinstance(c, ChangeCheck):
        args = shlex.split(f.to_filters().cli_args(store=store.path, snapshot=store.snapshot))
        words = ["compare", *args, "--window", str(c.window), "--baseline", str(c.baseline), *measure]
    else:
        args = shlex.split(
            f.to_filters(c.date_from, c.date_to).cli_args(store=store.path, snapshot=store.snapshot)
        )
        words = ["series", *args, "--by", "month", *measure]
    return shlex.join(["peacewatch", *words])
