"""The events behind a number: every event a comparison, a series or a count used, by the part of the
question it fell in (window, baseline, period), with the events dated only to a range flagged.

A result's payload (``CompareResult.to_dict()``, ``SeriesResult.to_dict()``, or a no_attacks count's
``{"filters", "spans", "by"}``) names its filters and periods; :func:`events_behind` runs the same
selection again over each period. Each event is listed in the part its first possible day falls in,
the day the counts put it on.

>>> from peacewatch import analysis
>>> r = analysis.compare(Filters(country="Syria"), window="2016-02-27:2016-03-25",
...                      baseline_preceding=28, store=".peacewatch/demo")           # doctest: +SKIP
>>> analysis.events_behind(r.to_dict(), store=".peacewatch/demo").counts()        # doctest: +SKIP
{'window': 440, 'baseline': 479}
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from peacewatch.analysis.select import StoreLike, as_store
from peacewatch.analysis.series import selection_over
from peacewatch.errors import IndicatorError
from peacewatch.indicators.calendar import Span, as_span
from peacewatch.indicators.filters import Filters
from peacewatch.indicators.series import FITS

COLUMNS = (
    "event_id",
    "date_start",
    "date_end",
    "date_precision",
    "country",
    "admin1",
    "admin2",
    "actor1",
    "actor2",
    "fatalities_best",
    "dataset_id",
)


@dataclass(frozen=True)
class EventsBehind:
    """The events of each part of a question, in date order; ``bin`` is the day, week or month the
    counts used (an event dated more coarsely is ``imprecise``)."""

    parts: dict[str, tuple[Span, ...]]
    bin: str
    rows: tuple[dict[str, Any], ...]

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(self.parts, 0)
        for r in self.rows:
            out[r["part"]] += 1
        return out

    def imprecise(self) -> int:
        return sum(r["imprecise"] for r in self.rows)

    def to_dict(self) -> dict[str, Any]:
        return {
            "parts": {k: [s.to_dict() for s in v] for k, v in self.parts.items()},
            "bin": self.bin,
            "counts": self.counts(),
            "imprecise": self.imprecise(),
            "events": list(self.rows),
        }


def _filters(d: Mapping[str, Any]) -> Filters:
    """Filters back from their ``to_dict()``."""

    def day(v):
        return dt.date.fromisoformat(v) if isinstance(v, str) else v

    return Filters(
        **{
            **d,
            "datasets": tuple(d.get("datasets") or ()),
            "types": tuple(d.get("types") or ()),
            "dyad": tuple(d["dyad"]) if d.get("dyad") else None,
            "date_from": day(d.get("date_from")),
            "date_to": day(d.get("date_to")),
        }
    )


def _span(d: Mapping[str, Any]) -> Span:
    return Span(dt.date.fromisoformat(d["start"]), dt.date.fromisoformat(d["end"]))


def parts_of(payload: Mapping[str, Any]) -> tuple[Filters, dict[str, tuple[Span, ...]], str]:
    """The filters, the periods by part, and the bin of a result's payload."""
    if "filters" not in payload:
        raise IndicatorError("this result names no filters, so it has no events to list.")
    f = _filters(payload["filters"])
    if "window" in payload and "baseline" in payload:  # a comparison
        spans = payload["baseline"].get("spans") or [payload["baseline"]]
        return f, {"window": (_span(payload["window"]),), "baseline": tuple(_span(s) for s in spans)}, "day"
    if "spans" in payload:  # a count over named periods
        parts = {k: tuple(as_span(s) for s in v) for k, v in payload["spans"].items()}
        return f, parts, payload.get("by", "day")
    if "from" in payload and "to" in payload:  # a series
        span = Span(dt.date.fromisoformat(payload["from"]), dt.date.fromisoformat(payload["to"]))
        return f.replace(date_from=None, date_to=None), {"period": (span,)}, payload.get("by", "day")
    raise IndicatorError("this result names no periods, so it has no events to list.")


def events_behind(payload: Mapping[str, Any], store: StoreLike = None) -> EventsBehind:
    """Every event the result in ``payload`` counted, by part, imprecisely dated ones flagged."""
    f, parts, by = parts_of(payload)
    s = as_store(store)
    fits = FITS.get(by, FITS["day"])
    rows: list[dict[str, Any]] = []
    for part, spans in parts.items():
        for span in spans:
            sel = selection_over(s, f, span)
            if sel.table != "events":
                raise IndicatorError(
                    "the result was measured on an aggregate (counts): it has no events to list."
                )
            expr = sel.expr.select(*COLUMNS).order_by(["date_start", "event_id"])
            for r in s.execute(expr).to_pylist():
                rows.append({"part": part, **r, "imprecise": r["date_precision"] not in fits})
    return EventsBehind(parts, by, tuple(rows))


def place(r: Mapping[str, Any]) -> str:
    """'Idlib / Ariha, Syria': the most precise names an event carries."""
    inner = " / ".join(x for x in (r.get("admin1"), r.get("admin2")) if x)
    return ", ".join(x for x in (inner, r.get("country")) if x)


def rows_for_table(behind: EventsBehind) -> Sequence[dict[str, Any]]:
    """The rows as people read them: part, id, date (a range when imprecise), precision, place,
    actors, deaths."""
    out = []
    for r in behind.rows:
        date = (
            str(r["date_start"])
            if r["date_start"] == r["date_end"]
            else f"{r['date_start']} to {r['date_end']}"
        )
        out.append(
            {
                "part": r["part"],
                "event_id": r["event_id"],
                "date": date,
                "precision": r["date_precision"] + (" (imprecise)" if r["imprecise"] else ""),
                "place": place(r),
                "actors": " vs ".join(x for x in (r.get("actor1"), r.get("actor2")) if x),
                "deaths": r["fatalities_best"],
            }
        )
    return out


__all__ = ["EventsBehind", "events_behind", "parts_of", "rows_for_table"]
