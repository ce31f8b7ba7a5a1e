"""Commitments about conduct, judged on event data: violence_reduction (a rate comparison with its
interval), no_attacks (a count against a tolerance) and contrast (a rate comparison shown beside the
agreement, with no compliance verdict).

Each judge is a function of the commitment and a :class:`~peacewatch.agreements.judgement.Bench`
returning a :class:`~peacewatch.agreements.judgement.Judgement`. When the data cannot answer (a field
missing, days not covered, two datasets that would double count) the verdict is insufficient_data,
naming what is missing. Days the data do not cover are never counted as days without violence.
"""

from __future__ import annotations

from peacewatch.agreements import dates
from peacewatch.agreements.judgement import Bench, Judgement, count_phrase, days_phrase, rate_phrase
from peacewatch.agreements.models import Contrast, MaxRatio, NoAttacks, ViolenceReduction
from peacewatch.errors import (
    AmbiguousDatasetsError,
    CaseError,
    CoverageError,
    IndicatorError,
    MissingFieldError,
    PlaceError,
    StatisticsError,
    UnmatchedActorError,
)

# UnmatchedActorError: a key no event of the data names on any date. A no_attacks count of zero on
# ACLED's Yemen events was a `met` for the Houthis, whom ACLED names otherwise.
_NO_DATA = (MissingFieldError, CoverageError, AmbiguousDatasetsError, UnmatchedActorError)


def no_data(exc: Exception) -> Judgement:
    """insufficient_data for an error the data caused, saying what is missing."""
    if isinstance(exc, MissingFieldError):
        fields = ", ".join(exc.fields)
        return Judgement(
            "insufficient_data",
            f"The data cannot tell: this needs the field(s) {fields} (who attacked whom), which "
            f"{', '.join(exc.datasets)} does not have. An event dataset with actors (ACLED's full "
            "export, UCDP GED) would settle it.",
            {"missing_fields": list(exc.fields), "datasets": list(exc.datasets), "error": str(exc)},
        )
    if isinstance(exc, UnmatchedActorError):
        return Judgement(
            "insufficient_data",
            f"The data cannot tell: {exc}",
            {"unmatched_actors": list(exc.actors), "datasets": list(exc.datasets), "error": str(exc)},
        )
    if isinstance(exc, CoverageError | AmbiguousDatasetsError):
        missing = [str(m) for m in getattr(exc, "missing", ())]
        return Judgement(
            "insufficient_data",
            f"The data cannot tell: {exc.message}",
            {
                "datasets": list(getattr(exc, "datasets", ())),
                "error": str(exc),
                **({"missing_days": missing} if missing else {}),
            },
        )
    return Judgement("insufficient_data", f"The data cannot tell: {exc}", {"error": str(exc)})


def _place_line(case, commitment: str, exc: PlaceError) -> str:
    """agreement.yaml:LINE of the place filter of a commitment that ``exc`` refused (the line of the
    commitment when the filter cannot be told), as a claim's place error gives its line."""
    from peacewatch.yamldoc import LineYAML

    path = case.files[0]
    try:
        doc = LineYAML(path)
        index = next(i for i, c in enumerate(doc.data["commitments"]) if c.get("id") == commitment)
    except Exception:  # the file changed since it was loaded: name the file alone
        return str(path)
    entry = doc.data["commitments"][index]
    for key in ("admin2", "admin1", "country"):
        if f"--{key} " in exc.message:
            for loc in (("scope", key), (key,), ("then", "scope", key), ("then", key)):
                node = entry
                for part in loc:
                    node = node.get(part) if isinstance(node, dict) else None
                if node is not None:
                    return doc.where(("commitments", index, *loc))
    return doc.where(("commitments", index))


def place_lacking(exc: PlaceError, f, bench: Bench, commitment: str, own=None) -> Judgement:
    """insufficient_data for a place the commitment's dataset lacks, naming the datasets that hold it
    (as a claim does); a place no dataset of the store holds, on the datasets the agreement names, is
    the agreement's typo: a CaseError."""
    from peacewatch.analysis.places import datasets_holding
    from peacewatch.analysis.select import as_store

    s = as_store(bench.store)
    holders = datasets_holding(s, f, s.datasets())
    if holders is None and not bench.swapped(own):  # read as written: the agreement's typo
        raise CaseError(
            f"{_place_line(bench.case, commitment, exc)}: commitment {commitment!r}: {exc.message} No "
            "dataset of the store has this place.",
            hint="Correct the place in agreement.yaml; list the store's names with `peacewatch places`.",
        )
    place = " / ".join(p for p in (f.admin2, f.admin1, f.country) if p)
    own = ", ".join(f.datasets) or "the store's datasets"
    elsewhere = (
        f" {', '.join(holders)} {'has' if len(holders) == 1 else 'have'} it: evaluate with --dataset there."
        if holders
        else " Ingest (or sync) a dataset that covers it."
    )
    return Judgement(
        "insufficient_data",
        f"The data cannot tell: {own} has no {place}; {exc.message}{elsewhere}",
        {"place": place, "datasets": list(f.datasets), "held_by": list(holders or ()), "error": str(exc)},
    )


def absent(bench: Bench, own: list[str] | str | None) -> Judgement | None:
    """insufficient_data when the dataset a commitment names is not in the store (as a claim does)."""
    from peacewatch.analysis.select import as_store

    wanted = [d for d in bench.datasets(own) if d != "all"]
    known = {e["dataset_id"] for e in as_store(bench.store).datasets()}
    missing = [d for d in wanted if d not in known]
    if not missing:
        return None
    if bench.dataset or bench.reading is None:
        where = "--dataset" if bench.dataset else "agreement.yaml"
        return Judgement(
            "insufficient_data",
            f"The data cannot tell: the dataset {', '.join(missing)} ({where}) is not in the store; ingest "
            "it (peacewatch ingest FILE) or name one that is (peacewatch datasets).",
            {"datasets_needed": missing},
        )
    # The case's own dataset is missing and no single stand-in answers for it (agreements/standin.py).
    why = bench.reading.missing(missing, "agreement.yaml")
    return Judgement(
        "insufficient_data",
        f"The data cannot tell: {why}",
        {"datasets_needed": missing, "candidates": [c["dataset_id"] for c in bench.reading.candidates]},
    )


def read_on(bench: Bench, own: list[str] | str | None) -> dict:
    """The evidence of a commitment read on a stand-in: the datasets named and the one read."""
    if bench.dataset or bench.reading is None or not bench.swapped(own):
        return {}
    return {"stand_in": {"named": list(bench.named(own)), "read_on": list(bench.datasets(own))}}


def _comparison(c: ViolenceReduction | Contrast, bench: Bench):
    """The comparison of a window against its baseline, or the Judgement saying why there is none."""
    from peacewatch import analysis

    start, end = dates.resolve_span(c.window, bench.signed)
    if end is None or end > bench.as_of:
        return None, Judgement("not_due", f"The window {c.window} has not ended by {bench.as_of}.")
    if lacking := absent(bench, c.scope.dataset):
        return None, lacking
    baseline = {
        "baseline": None,
        "baseline_preceding": c.baseline.preceding,
        "baseline_years": c.baseline.years,
    }
    if c.baseline.span:
        b0, b1 = dates.resolve_span(c.baseline.span, bench.signed)
        baseline["baseline"] = f"{b0}:{b1}"
    # Actors as groups: an event involving several of them counts once.
    f = c.scope.to_filters(datasets=bench.datasets(c.scope.dataset))
    try:
        r = analysis.compare(
            f,
            window=f"{start}:{end}",
            measure=c.scope.measure,
            estimate=c.scope.estimate,
            store=bench.store,
            **baseline,
        )
    except (*_NO_DATA, StatisticsError) as exc:
        return None, no_data(exc)
    except PlaceError as exc:
        return None, place_lacking(exc, f, bench, c.id, c.scope.dataset)
    except IndicatorError as exc:  # a window or baseline the calendar cannot hold (before year 1, ...)
        raise CaseError(f"{bench.case.files[0]}: commitment {c.id!r}: {exc}") from None
    d = r.to_dict()
    w, b = d["window"], d["baseline"]
    m = c.scope.measure
    change = (
        f"{count_phrase(w['total'], m)} in {days_phrase(w['days'])} against "
        f"{count_phrase(b['total'], m)} in {days_phrase(b['days'])} of baseline "
        f"({rate_phrase(w['rate'])} against {rate_phrase(b['rate'])} a day; "
        f"rate ratio {d['rate_ratio']:.2f}, "
        f"95% interval {d['ci_low']:.2f} to {d['ci_high']:.2f})"
    )
    return (d, f"{change[0].upper()}{change[1:]}"), None


def _evidence(d: dict, bench: Bench, own) -> dict:
    return {"comparison": d, "command": d["command"], "datasets": d["datasets"], **read_on(bench, own)}


def violence_reduction(c: ViolenceReduction, bench: Bench) -> Judgement:
    """met when the whole 95% interval of the rate ratio lies below the target (1, or max_ratio)."""
    done, why_not = _comparison(c, bench)
    if why_not:
        return why_not
    d, change = done
    lo, hi = d["ci_low"], d["ci_high"]
    if isinstance(c.target, MaxRatio):
        t = c.target.max_ratio
        pct = round((1 - t) * 100)
        if hi < t:
            v, why = "met", f"the whole interval lies below {t:g}, a reduction of more than {pct}%"
        elif lo > t:
            v, why = "not_met", f"the whole interval lies above {t:g}: the reduction was less than {pct}%"
        else:
            v, why = (
                "inconclusive",
                f"the interval straddles the target ratio {t:g}: the data cannot tell whether the "
                f"reduction reached {pct}%",
            )
    elif hi < 1:
        v, why = "met", "a significant reduction: the whole interval lies below 1"
    elif lo >= 1:
        v, why = "not_met", "no reduction: the interval lies at or above 1"
    else:
        v, why = "inconclusive", "the interval includes 1: the data cannot tell a reduction from chance"
    return Judgement(
        v, f"{change}: {why}.", _evidence(d, bench, c.scope.dataset), imprecise=d.get("imprecise")
    )


def contrast(c: Contrast, bench: Bench) -> Judgement:
    """A place or party outside the agreement, measured like a violence_reduction but not judged:
    the verdict is 'contrast' (or not_due / insufficient_data when there is nothing to show)."""
    done, why_not = _comparison(c, bench)
    if why_not:
        return why_not
    d, change = done
    lo, hi = d["ci_low"], d["ci_high"]
    reading = (
        "a significant fall" if hi < 1 else "a significant rise" if lo > 1 else "no change the data can tell"
    )
    summary = f"For comparison, outside the agreement: {change[0].lower()}{change[1:]}: {reading}."
    return Judgement("contrast", summary, _evidence(d, bench, c.scope.dataset), imprecise=d.get("imprecise"))


def no_attacks(c: NoAttacks, bench: Bench) -> Judgement:
    """not_met when the events counted exceed the tolerance; met when the data cover the whole period
    (an open period: up to the data's end, said in the summary) and the count stays within it."""
    from peacewatch import analysis
    from peacewatch.analysis.coverage import selection_coverage, spans_phrase
    from peacewatch.analysis.series import imprecise
    from peacewatch.indicators.calendar import ONE_DAY, Span

    start, end = dates.resolve_span(c.period, bench.signed)
    as_of = bench.as_of
    if start > as_of:
        return Judgement("not_due", f"The period starts {start}, after {as_of}.")
    if lacking := absent(bench, c.dataset):
        return lacking
    running = end is None or end > as_of
    stop = as_of if running else end
    # One query: each side of the dyad (or the actor) as one actor group; an event involving
    # several of them counts once.
    f = c.to_filters(start, stop, datasets=bench.datasets(c.dataset))
    try:
        s, sel = analysis.selection(f, bench.store)
        cover = selection_coverage(s, sel)
    except _NO_DATA as exc:
        return no_data(exc)
    except PlaceError as exc:
        return place_lacking(exc, f, bench, c.id, c.dataset)
    period = Span(start, stop)
    gaps, covered = cover.missing(period), cover.covered(period)
    coverage = {
        "period": str(period),
        "covered_days": [str(x) for x in covered],
        "missing_days": [str(x) for x in gaps],
        "datasets": list(cover.datasets),
        **read_on(bench, c.dataset),
    }
    if not covered:
        return Judgement(
            "insufficient_data",
            f"The data cannot tell: {cover.describe()}, so none of the period {start} to {stop} is "
            f"covered ({spans_phrase(gaps)} missing); days without data are not days without attacks.",
            coverage,
        )
    found = s.execute(sel.expr.order_by(["date_start", "event_id"]))
    n = found.num_rows
    # Event data do not say who fired first: a dyad is counted in either direction.
    who = c.who()
    # the places the count is limited to, so "0 events involving houthis" is not read as nationwide
    places = [" or ".join(p.split("+")) for p in (c.admin2, c.admin1, c.country) if p]
    if places:
        who += f" in {', '.join(places)}"
    sample = (
        found.select(["event_id", "date_start", "event_type", "actor1", "actor2", "admin1"])
        .slice(0, 20)
        .to_pylist()
    )
    judged_to = covered[-1].end
    evidence = {
        **coverage,
        # what `evaluate --show-events` lists: the same filters over the days covered
        "counted": {"filters": f.to_dict(), "spans": {"period": [str(x) for x in covered]}, "by": "day"},
        "events": n,
        "tolerance": c.tolerance,
        "first_events": sample,
        "command": f"peacewatch events {f.cli_args(s.path, s.snapshot)} --format csv",
    }
    dated = imprecise(s, sel, "day", spans=(period,), subject="the events counted")
    counted = count_phrase(n, "events")
    if n > c.tolerance:
        unseen = f" ({spans_phrase(gaps)} not covered by the data)" if gaps else ""
        summary = f"{counted} {who} from {start} to {stop}{unseen} (tolerance {c.tolerance})."
        return Judgement("not_met", summary, evidence, imprecise=dated)
    if not gaps:
        when = f"so far (to {stop})" if running else f"from {start} to {stop}"
        summary = f"{counted} {who} {when}, within the tolerance of {c.tolerance}."
        return Judgement("met", summary, evidence, imprecise=dated)
    if running and gaps == [Span(judged_to + ONE_DAY, stop)]:
        summary = (
            f"{counted} {who} so far, judged only to {judged_to} where the data end ({cover.describe()}; "
            f"{spans_phrase(gaps)} not yet covered), within the tolerance of {c.tolerance}."
        )
        return Judgement("met", summary, {**evidence, "judged_to": judged_to.isoformat()}, imprecise=dated)
    summary = (
        f"The data cannot tell: {counted} {who} on the days covered, within the tolerance of "
        f"{c.tolerance}, but {spans_phrase(gaps)} of the period {start} to {stop} "
        f"{'is' if len(gaps) == 1 and gaps[0].days == 1 else 'are'} missing ({cover.describe()}); "
        "days without data are not days without attacks."
    )
    return Judgement("insufficient_data", summary, evidence, imprecise=dated)
