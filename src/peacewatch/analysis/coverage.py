"""Which days the loaded data cover, and which days of a question they do not.

A dataset of events covers the days from its catalog ``date_min`` to the last day an event of it
starts: its cut-off as far as the file shows it. Not ``date_max``, the latest ``date_end``: an event
that begins on the cut-off and runs past it (UCDP GED Syria's last event, 2019-11-30 to 2019-12-01)
does not make the day after the cut-off covered, since events starting that day were never collected.
An aggregate covers its periods, ``date_min`` to ``date_max``. Several datasets cover the union of
their ranges; a gap between them is not covered. Days outside the coverage are never read as days without
violence: every verdict and claim that would count them answers ``insufficient_data`` instead, naming
the missing days.

>>> c = Coverage(("ged",), (Span(dt.date(2016, 1, 1), dt.date(2019, 11, 30)),))
>>> [str(m) for m in c.missing(Span(dt.date(2019, 11, 1), dt.date(2020, 1, 31)))]
['2019-12-01:2020-01-31']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from peacewatch.errors import AmbiguousDatasetsError, CoverageError
from peacewatch.indicators.calendar import ONE_DAY, Span
from peacewatch.indicators.filters import Filters, Selection


def _d(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


@dataclass(frozen=True)
class Coverage:
    """The datasets behind a selection and the days they cover, as sorted disjoint spans."""

    datasets: tuple[str, ...]
    spans: tuple[Span, ...]

    @classmethod
    def of(cls, entries: Iterable[Mapping[str, Any]], cut_off: Mapping[str, Any] | None = None) -> Coverage:
        """From catalog entries; ``cut_off`` maps a dataset id to the last day it covers: its last
        event's start, or the day declared with ``ingest --covers-to`` (store/declared.py), which may
        lie after its ``date_max``."""
        entries, cut_off = list(entries), cut_off or {}
        ranges = sorted(
            (_d(e["date_min"]), _d(cut_off.get(e["dataset_id"]) or e["date_max"]))
            for e in entries
            if e.get("date_min") and e.get("date_max")
        )
        merged: list[list[dt.date]] = []
        for lo, hi in ranges:
            if merged and lo <= merged[-1][1] + ONE_DAY:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        return cls(tuple(e["dataset_id"] for e in entries), tuple(Span(lo, hi) for lo, hi in merged))

    @property
    def end(self) -> dt.date | None:
        return self.spans[-1].end if self.spans else None

    def missing(self, span: Span) -> list[Span]:
        """The parts of ``span`` no dataset covers."""
        out, day = [], span.start
        for c in self.spans:
            if c.end < day:
                continue
            if c.start > span.end:
                break
            if c.start > day:
                out.append(Span(day, c.start - ONE_DAY))
            day = max(day, c.end + ONE_DAY)
            if day > span.end:
                return out
        if day <= span.end:
            out.append(Span(day, span.end))
        return out

    def covered(self, span: Span) -> list[Span]:
        """The parts of ``span`` the datasets cover."""
        return [
            Span(max(c.start, span.start), min(c.end, span.end))
            for c in self.spans
            if c.start <= span.end and c.end >= span.start
        ]

    def describe(self) -> str:
        ids = ", ".join(self.datasets) or "no dataset"
        return f"{ids} cover{'s' if len(self.datasets) == 1 else ''} {spans_phrase(self.spans) or 'no days'}"


def spans_phrase(spans: Iterable[Span]) -> str:
    """'2024-01-01 to 2024-06-30 (182 days)', several joined by 'and'."""
    parts = [f"{s.start}" if s.days == 1 else f"{s.start} to {s.end} ({s.days:,} days)" for s in spans]
    return " and ".join(parts)


def cut_offs(s, entries: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The last day each event dataset of ``entries`` covers (:meth:`peacewatch.store.Store.cut_offs`)."""
    if s is None:
        return {}
    ids = {e["dataset_id"] for e in entries if e.get("table_name", "events") == "events"}
    return {k: v for k, v in s.cut_offs().items() if k in ids}


def selection_coverage(s, sel: Selection) -> Coverage:
    """The coverage of the datasets a selection reads; when its dates left none (they all end before
    or start after them), of the datasets the same filters select on any date."""
    if sel.datasets:
        return Coverage.of(sel.datasets, cut_offs(s, sel.datasets))
    return filters_coverage(s, sel.filters)


def filters_coverage(s, f: Filters) -> Coverage:
    """The coverage of the datasets ``f`` selects, whatever its dates."""
    from peacewatch.analysis.select import selection

    undated = f.replace(date_from=None, date_to=None)
    try:
        entries = list(selection(undated, s)[1].datasets)
    except AmbiguousDatasetsError as exc:  # overlapping on other dates than asked: all of them count
        entries = [e for e in s.datasets() if e["dataset_id"] in exc.datasets]
    return Coverage.of(entries, cut_offs(s, entries))


def require_coverage(sel: Selection, span: Span, what: str, *, store=None) -> None:
    """Raise CoverageError, naming the missing days, unless the datasets behind ``sel`` cover every
    day of ``span``. With ``store``, a selection whose dates left no dataset is described by the
    datasets the same filters select on other dates."""
    cover = selection_coverage(store, sel) if store is not None else Coverage.of(sel.datasets)
    if not cover.spans:
        raise CoverageError(
            f"no dataset in the store matches these filters, so the {what} {span} cannot be measured: "
            f"{spans_phrase([span])} are missing.",
            datasets=cover.datasets,
            hint="Ingest a dataset that covers it, or check the filters.",
            missing=(span,),
        )
    gaps = cover.missing(span)
    if gaps:
        raise CoverageError(
            f"the {what} {span} is not covered by the selected data ({cover.describe()}): "
            f"{spans_phrase(gaps)} {'is' if len(gaps) == 1 and gaps[0].days == 1 else 'are'} missing, "
            "and days without data would be counted as days without violence.",
            datasets=cover.datasets,
            hint="Choose dates inside the coverage, or ingest a dataset that covers them.",
            missing=tuple(gaps),
        )


__all__ = ["Coverage", "filters_coverage", "require_coverage", "selection_coverage", "spans_phrase"]
