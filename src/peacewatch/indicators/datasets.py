"""Which datasets a filter selects, decided on the catalog rows before any query is built.

A filter that needs a field a selected dataset lacks is refused (MissingFieldError, naming every such
filter and field); several datasets covering the same country and dates are refused unless the user
chose them (AmbiguousDatasetsError), because summing them would count events twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from peacewatch.errors import AmbiguousDatasetsError, IndicatorError, MissingFieldError
from peacewatch.indicators.filters import ALL, Filters, country_codes

# Which catalog field each filter needs from a dataset.
_NEEDS = {
    "admin1": ("admin1",),
    "admin2": ("admin2",),
    "actor": ("actor1", "actor2"),
    "actor1": ("actor1",),
    "actor2": ("actor2",),
    "dyad": ("actor1", "actor2"),
    "violence_type": ("violence_type",),
}


def _country_labels(f: Filters, iso3) -> set[str]:
    """The labels (ISO3 codes and names, upper case) a catalog entry's countries may match."""
    return {label.upper() for pair in country_codes(f, iso3) for label in pair if label}


def _country_matches(entry: Mapping[str, Any], labels: set[str]) -> bool:
    return bool({str(c).upper() for c in entry.get("countries") or []} & labels)


def select_datasets(
    f: Filters,
    catalog: Sequence[Mapping[str, Any]],
    *,
    table: str = "events",
    iso3: str | Sequence[str | None] | None = None,
) -> list[Mapping[str, Any]]:
    """The catalog entries the filters select, after checking fields and double counting.

    Raises MissingFieldError when a filter needs a field a selected dataset lacks, and
    AmbiguousDatasetsError when several datasets cover the same country and dates and the user did
    not choose (``--dataset ID`` or ``--dataset all``).
    """
    entries = [e for e in catalog if e.get("table_name", "events") == table]
    explicit = bool(f.datasets)
    if explicit and ALL not in f.datasets:
        known = {e["dataset_id"] for e in catalog}
        for ds in f.datasets:
            if ds not in known:
                import difflib

                close = difflib.get_close_matches(ds, sorted(known), n=1)
                hint = f" Did you mean {close[0]!r}?" if close else " See `peacewatch datasets`."
                raise IndicatorError(f"--dataset {ds!r} is not in the store.{hint}")
        entries = [e for e in entries if e["dataset_id"] in f.datasets]
    if f.source:
        entries = [e for e in entries if e["source"] == f.source]
    if f.country:
        labels = _country_labels(f, iso3)
        entries = [e for e in entries if _country_matches(e, labels)]
    if f.date_from:
        entries = [e for e in entries if e.get("date_max") is None or _d(e["date_max"]) >= f.date_from]
    if f.date_to:
        entries = [e for e in entries if e.get("date_min") is None or _d(e["date_min"]) <= f.date_to]
    _check_fields(f, entries)
    if not explicit:
        _check_overlap(f, entries, iso3)
    return entries


def require_measure(
    entries: Sequence[Mapping[str, Any]], measure: str, estimate: str = "best", *, table: str = "events"
) -> None:
    """Refuse a measure the selected datasets cannot give: fatalities where a dataset has no fatality
    figures (GDELT, many mapped files), articles where a dataset is not news-derived or stores no
    source article (GDELT 1.0 files before SOURCEURL). A missing figure is not a zero.

    >>> try:
    ...     require_measure([{"dataset_id": "g", "fields_missing": ["fatalities_best"]}], "fatalities")
    ... except MissingFieldError as e:
    ...     print(e.fields, e.datasets)
    ('fatalities_best',) ('g',)
    """
    if measure == "events":
        return
    if measure == "articles":
        needed, why = "source_ref", "a source article per row"
        lacking = tuple(
            e["dataset_id"]
            for e in entries
            if table != "events" or not e.get("news_derived") or needed in (e.get("fields_missing") or [])
        )
        if lacking:
            raise MissingFieldError(
                f"--measure articles counts distinct source articles of news-derived data (GDELT 2.0, or "
                f"GDELT 1.0 with SOURCEURL), which dataset(s) {', '.join(lacking)} do not have ({why}).",
                fields=(needed,),
                datasets=lacking,
                hint="Use --measure events, or choose a GDELT dataset with --dataset ID.",
            )
        return
    needed = "fatalities" if table == "counts" else f"fatalities_{estimate}"
    lacking = tuple(e["dataset_id"] for e in entries if needed in (e.get("fields_missing") or []))
    if lacking:
        raise MissingFieldError(
            f"--measure fatalities needs the field {needed!r}, which dataset(s) {', '.join(lacking)} "
            "do not have (its rows carry no fatality figures).",
            fields=(needed,),
            datasets=lacking,
            hint="Choose a dataset that has it with --dataset ID (see `peacewatch datasets`), "
            "or use --measure events.",
        )


def _d(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _check_fields(f: Filters, entries: Sequence[Mapping[str, Any]]) -> None:
    """Refuse, in one error naming them all, every filter that needs a field a selected dataset lacks."""
    problems: list[tuple[str, list[str]]] = []
    for name, needed in _NEEDS.items():
        if getattr(f, name):
            missing = [n for n in needed if any(n in (e.get("fields_missing") or []) for e in entries)]
            if missing:
                problems.append((name, missing))
    if not problems:
        return
    fields = sorted({m for _, missing in problems for m in missing})
    lacking = tuple(e["dataset_id"] for e in entries if set(fields) & set(e.get("fields_missing") or []))
    parts = [
        f"--{name.replace('_', '-')} needs the field{'s' if len(missing) > 1 else ''} "
        f"{' and '.join(repr(m) for m in missing)}"
        for name, missing in problems
    ]
    raise MissingFieldError(
        f"{'; '.join(parts)}, which dataset(s) {', '.join(lacking)} do not have.",
        fields=tuple(fields),
        datasets=lacking,
        filters=tuple(name for name, _ in problems),
        hint="Choose a dataset that has it with --dataset ID (see `peacewatch datasets`).",
    )


def _check_overlap(f: Filters, entries: Sequence[Mapping[str, Any]], iso3) -> None:
    """Two datasets overlap when they share a country and their date ranges intersect."""
    clashes: set[str] = set()
    for i, a in enumerate(entries):
        for b in entries[i + 1 :]:
            shared = {str(c).upper() for c in a.get("countries") or []} & {
                str(c).upper() for c in b.get("countries") or []
            }
            if f.country:
                shared &= _country_labels(f, iso3)
            if not shared:
                continue
            lo = max(_d(a["date_min"]), _d(b["date_min"]), f.date_from or dt.date.min)
            hi = min(_d(a["date_max"]), _d(b["date_max"]), f.date_to or dt.date.max)
            if lo <= hi:
                clashes.update((a["dataset_id"], b["dataset_id"]))
    if clashes:
        names = tuple(sorted(clashes))
        raise AmbiguousDatasetsError(
            f"the selected events come from {len(names)} datasets covering the same country and dates "
            f"({', '.join(names)}); summing them would count events twice.",
            datasets=names,
            hint="Choose one with --dataset ID, or pass --dataset all to sum them deliberately.",
        )
