"""A case as the dashboard shows it: its verdicts, claim checks, chronology and charts, computed once
per (case, snapshot, as-of) and kept.

A snapshot never changes once committed, so what was computed at one is right for as long as the server
runs; the cache is bounded (``CACHE_SIZE`` entries) so a crawler walking every as-of date cannot fill the
memory. Evaluation and the claim checks of a case run side by side: each reads its own pinned store.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from typing import Any

from peacewatch.errors import PeacewatchError
from peacewatch.serve.cases import CaseRef

CACHE_SIZE = 64
# Days of the series drawn on either side of the windows a chart shades, so the change shows in context.
CONTEXT_DAYS = 14


@dataclasses.dataclass(frozen=True)
class CaseView:
    """What a case page shows; ``evaluation`` and ``claims`` are the CLI's JSON payloads, or None with
    the reason in ``evaluation_error`` / ``claims_error`` (a case the loaded data cannot judge)."""

    ref: CaseRef
    title: str
    snapshot: int
    as_of: dt.date | None
    evaluation: dict[str, Any] | None
    evaluation_error: str | None
    evaluate_command: str | None
    claims: list[dict[str, Any]]
    claims_error: str | None
    check_command: str | None
    chronology: list[dict[str, Any]]


def _message(exc: PeacewatchError) -> str:
    return exc.message + (f" {exc.hint}" if exc.hint else "")


def _evaluate(store, ref: CaseRef, as_of):
    try:
        ev = store.evaluate(str(ref.folder), as_of=as_of)
    except PeacewatchError as exc:
        return None, _message(exc), None
    return ev.to_dict(), None, ev.command.replace(str(ref.folder), ref.name) if ref.builtin else ev.command


def _check(store, ref: CaseRef, as_of):
    if not (ref.folder / "claims.yaml").is_file():
        return [], None, None
    try:
        ck = store.check(str(ref.folder), as_of=as_of)
    except PeacewatchError as exc:
        return [], _message(exc), None
    return (
        ck.to_dict()["claims"],
        None,
        ck.command.replace(str(ref.folder), ref.name) if ref.builtin else ck.command,
    )


@functools.lru_cache(maxsize=CACHE_SIZE)
def case_view(base, ref: CaseRef, snapshot: int, as_of: dt.date | None) -> CaseView:
    """The case ``ref`` judged on ``base`` (the server's StoreAPI) read at ``snapshot``, as of ``as_of``
    (default: today, as ``peacewatch evaluate``)."""
    from peacewatch.agreements import load_case

    store = base.at(snapshot)
    try:
        case = load_case(ref.folder)
    except PeacewatchError as exc:  # a broken case file: its page says what is wrong, the rest shows
        return CaseView(ref, ref.title, snapshot, as_of, None, _message(exc), None, [], None, None, [])
    evaluation, ev_error, ev_cmd = _evaluate(store, ref, as_of)
    claims, ck_error, ck_cmd = _check(store, ref, as_of or dt.date.today())
    day = as_of or dt.date.today()
    facts = [f.model_dump(mode="json") for f in case.chronology.facts if f.date <= day]
    return CaseView(
        ref=ref,
        title=case.agreement.title,
        snapshot=snapshot,
        as_of=as_of,
        evaluation=evaluation,
        evaluation_error=ev_error,
        evaluate_command=ev_cmd,
        claims=claims,
        claims_error=ck_error,
        check_command=ck_cmd,
        chronology=sorted(facts, key=lambda f: f["date"]),
    )


def commitment(view: CaseView, cid: str) -> dict[str, Any] | None:
    """One commitment's verdict (the payload's entry) by id, or None."""
    for c in (view.evaluation or {}).get("commitments", []):
        if c["id"] == cid:
            return c
    return None


def _filters(spec: dict[str, Any]):
    from peacewatch.indicators.filters import Filters

    names = {f.name for f in dataclasses.fields(Filters)}
    values = {k: tuple(v) if isinstance(v, list) else v for k, v in spec.items() if k in names}
    for k in ("date_from", "date_to"):
        if values.get(k):
            values[k] = dt.date.fromisoformat(str(values[k]))
    return Filters(**values)


def _span(part: dict[str, Any]) -> tuple[dt.date, dt.date]:
    return dt.date.fromisoformat(part["start"]), dt.date.fromisoformat(part["end"])


@functools.lru_cache(maxsize=CACHE_SIZE)
def comparisons_figure(
    base,
    snapshot: int,
    key: tuple[tuple[str, str], ...],
    as_of: dt.date | None,
    title: str,
    fid: str,
    by: str | None = None,
):
    """The brief's series chart around comparisons, on ``base`` read at ``snapshot``: ``key`` is
    ((label, compare JSON), ...) of comparisons on the same filters; each window is shaded, each
    baseline in the lighter tone. ``by``: days, weeks or months per bar (default: days, weeks when the
    span is over 400 days); the span ends at ``as_of`` at the latest. None when there is nothing to
    draw (no comparison); a PeacewatchError's message when the data cannot."""
    import json

    from peacewatch.briefs import charts
    from peacewatch.indicators.calendar import Span

    comps = [(label, json.loads(text)) for label, text in key]
    if not comps:
        return None
    spans: list[tuple[dt.date, dt.date]] = []
    windows: dict[str, list[str]] = {}  # span -> the labels shaded on it (riv and riv-80pct share one)
    baselines: dict[str, list[str]] = {}
    for label, c in comps:
        w, b = _span(c["window"]), _span(c["baseline"])
        spans += [w, b, *(_span(s) for s in c["baseline"].get("spans", []))]
        windows.setdefault(f"{w[0]}:{w[1]}", []).append(label)
        baselines.setdefault(f"{b[0]}:{b[1]}", []).append(label)
    shade = [{"label": ", ".join(labels), "span": span} for span, labels in windows.items()]
    shade += [
        {
            "label": "baseline" if labels == ["window"] else f"baseline of {', '.join(labels)}",
            "span": span,
            "tone": "light",
        }
        for span, labels in baselines.items()
        if span not in windows
    ]
    first = comps[0][1]
    bare = Span(min(s[0] for s in spans), max(s[1] for s in spans))
    context = Span(bare.start - dt.timedelta(days=CONTEXT_DAYS), bare.end + dt.timedelta(days=CONTEXT_DAYS))
    if as_of is not None:
        context = Span(context.start, max(min(context.end, as_of), bare.end))
    message = None
    # Days around the windows show the change in context, where the data cover them; else the bare span.
    for full in (context, bare):
        try:
            return charts.series_figure(
                _filters(first["filters"]),
                by=by or ("day" if full.days <= 400 else "week"),
                span=full,
                title=title,
                measure=first.get("measure", "events"),
                estimate=first.get("estimate", "best"),
                shade=shade,
                id=fid,
                store=base.at(snapshot).reader,
            )
        except PeacewatchError as exc:
            message = message or _message(exc)
    return message


CASE_CHART_TITLE = "Events per day around the measured windows"


def case_chart(base, view: CaseView):
    """The case page's chart: the windows of its measured commitments (:func:`comparisons_figure`;
    its caption names the windows it shades)."""
    commitments = (view.evaluation or {}).get("commitments", [])
    key = comparisons_key(commitments)
    as_of = (view.evaluation or {}).get("as_of")
    day = dt.date.fromisoformat(as_of) if as_of else None
    return comparisons_figure(base, view.snapshot, key, day, CASE_CHART_TITLE, "case-chart")


def warm(base, ref: CaseRef) -> None:
    """Compute the case page of ``ref`` at the latest snapshot into the cache (``peacewatch serve
    --warm``), so that its first view is as fast as the next."""
    case_chart(base, case_view(base, ref, base.snapshot, None))


def comparisons_key(commitments: list[dict[str, Any]]) -> tuple[tuple[str, str], ...]:
    """The hashable key of :func:`comparisons_figure` for the commitments that carry a comparison,
    those on the filters of the first (one chart draws one series)."""
    import json

    out, first = [], None
    for c in commitments:
        comp = (c.get("evidence") or {}).get("comparison")
        if not comp:
            continue
        filters = json.dumps(comp.get("filters"), sort_keys=True, default=str)
        first = first or filters
        if filters == first:
            out.append((c["id"], json.dumps(comp, sort_keys=True, default=str)))
    return tuple(out)


# Rows of a window shown with --expose-events; the command gives them all.
EVENT_ROWS = 50


def window_events(request, store, comp: dict) -> dict | None:
    """The first events of a comparison's window on its filters, only when the operator exposes event
    rows (``--expose-events``); None otherwise."""
    if not request.app.state.config.expose_events:
        return None
    f = comp.get("filters") or {}
    args = {"country": f.get("country"), "admin1": f.get("admin1"), "actor": f.get("actor")}
    args = {k: v for k, v in args.items() if v}
    if f.get("types"):
        args["type"] = list(f["types"])
    if f.get("datasets"):
        args["dataset"] = list(f["datasets"])
    w = comp["window"]
    try:
        result = store.events(start=w["start"], end=w["end"], limit=EVENT_ROWS, **args)
    except PeacewatchError as exc:
        return {"rows": [], "command": None, "error": exc.message}
    return {"rows": result.to_dict(), "command": result.command, "error": None}
