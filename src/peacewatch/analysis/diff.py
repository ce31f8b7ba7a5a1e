"""What changed between two snapshots of the store: the question analysts ask after every release.

Two parts, each from the store's own history. The rows: how many rows of each table and dataset were
inserted, updated and deleted from one snapshot to the other (DuckLake's change feed, through
:meth:`peacewatch.store.Store.changes`). The moves: events and fatalities per dataset, country and
month at each of the two snapshots, with the filters of ``series``, and every cell whose numbers
differ, largest move first. Each snapshot is read on its own, with the same filters, so a move is
exactly the difference of the two series a user would get with ``--snapshot``.

>>> from peacewatch import Filters
>>> from peacewatch.analysis.diff import diff
>>> diff(".peacewatch/demo", 1, 2, Filters(country="Afghanistan")).moves[0]   # doctest: +SKIP
{'dataset_id': 'acled-afg', 'iso3': 'AFG', 'month': '2020-03', 'events_before': 2, 'events_after': 4, ...}
"""

from __future__ import annotations

import datetime as dt
import shlex
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from peacewatch.analysis.select import StoreLike, as_store, selection
from peacewatch.errors import PlaceError, StoreError
from peacewatch.indicators.filters import ALL, Filters
from peacewatch.indicators.series import country_months
from peacewatch.store import Store

CHANGES = ("inserted", "updated", "deleted")
Key = tuple[str, str | None, str | None, str]  # dataset_id, iso3, country, month (YYYY-MM)


@dataclass(frozen=True)
class DiffResult:
    """The changes from snapshot ``start`` to ``end``: rows per table and dataset, and the cells of
    events and fatalities per dataset, country and month that moved (largest first)."""

    start: int
    end: int
    filters: Filters
    estimate: str
    rows: dict[str, dict[str, dict[str, int]]]
    moves: list[dict[str, Any]]
    snapshots: list[dict[str, Any]]
    store: str
    command: str

    def totals(self) -> dict[str, int]:
        """Rows inserted, updated and deleted over every table and dataset."""
        out = dict.fromkeys(CHANGES, 0)
        for per in self.rows.values():
            for counts in per.values():
                for k in CHANGES:
                    out[k] += counts.get(k, 0)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "from_snapshot": self.start,
            "to_snapshot": self.end,
            "store": self.store,
            "snapshots": self.snapshots,
            "rows": self.rows,
            "totals": self.totals(),
            "filters": self.filters.to_dict(),
            "estimate": self.estimate,
            "moves": self.moves,
            "command": self.command,
        }


def diff(
    store: StoreLike, start: int, end: int | None = None, f: Filters | None = None, *, estimate: str = "best"
) -> DiffResult:
    """What changed from snapshot ``start`` to ``end`` (default: the snapshot ``store`` reads), the
    moves restricted by ``f`` (the filters of ``series``; default none)."""
    f = f or Filters()
    s = as_store(store)
    end = s.snapshot if end is None else end
    known = {x["snapshot_id"]: x for x in Store(s.path, location=s.location).snapshots()}
    for n in (start, end):
        if n not in known:
            lo, hi = (min(known), max(known)) if known else (None, None)
            raise StoreError(
                f"{s.path}: no snapshot {n}; this store holds snapshots {lo} to {hi}.",
                hint="Give one of those (`peacewatch snapshots` lists them with their commands).",
            )
    if start > end:
        raise StoreError(
            f"diff {start} {end}: expected the earlier snapshot first, found {start} after {end}.",
            hint=f"Swap them: `peacewatch diff {end} {start}`.",
        )
    before, after = s.at(start), s.at(end)
    try:
        rows = after.changes(start, end)["tables"] if start < end else {}
        cells_before, cells_after = _both(before, after, f, estimate)
    finally:
        before.close()
        after.close()
    rows = {
        t: {d: {k: c[k] for k in CHANGES} for d, c in sorted(per.items())} for t, per in rows.items() if per
    }
    words = ["peacewatch", "diff", *shlex.split(f.cli_args(s.path)), str(start), str(end)]
    if estimate != "best":
        words += ["--estimate", estimate]
    return DiffResult(
        start,
        end,
        f,
        estimate,
        rows,
        moves(cells_before, cells_after),
        [_brief(known[n]) for n in sorted(known) if start < n <= end],
        str(s.path),
        shlex.join(words),
    )


def _brief(snap: dict[str, Any]) -> dict[str, Any]:
    return {k: snap.get(k) for k in ("snapshot_id", "time", "command", "changes")}


def _both(before: Store, after: Store, f: Filters, estimate: str):
    """The cells at both snapshots. A place that only one of them holds (a country a later ingest
    added) counts nothing at the other; a place neither holds is the user's error, as in ``series``."""
    cells, errors = [], []
    for s in (before, after):
        try:
            cells.append(_cells(s, f, estimate))
        except PlaceError as exc:
            cells.append({})
            errors.append(exc)
    if len(errors) == 2:
        raise errors[1]
    return cells


def _cells(s: Store, f: Filters, estimate: str) -> dict[Key, tuple[int, float | None]]:
    """Events and fatalities per (dataset, iso3, country, month) at ``s``'s snapshot, with ``f``:
    every dataset (or those of --dataset that the snapshot holds), each counted on its own."""
    ids = {d["dataset_id"] for d in s.datasets() if d.get("table_name", "events") == "events"}
    chosen = tuple(d for d in f.datasets if d in ids) if f.datasets and ALL not in f.datasets else (ALL,)
    if not ids or not chosen:
        return {}
    _, sel = selection(f.replace(datasets=chosen), s)
    if not sel.datasets:
        return {}
    table = s.execute(country_months(sel.expr, estimate)).to_pylist()
    out: dict[Key, tuple[int, float | None]] = {}
    for r in table:
        month = r["month"]
        label = month.strftime("%Y-%m") if isinstance(month, dt.date) else str(month)[:7]
        out[(r["dataset_id"], r["iso3"], r["country"], label)] = (int(r["events"]), r["fatalities"])
    return out


def moves(
    before: dict[Key, tuple[int, float | None]], after: dict[Key, tuple[int, float | None]]
) -> list[dict[str, Any]]:
    """The cells whose events or fatalities differ between ``before`` and ``after`` (a cell absent on
    one side counts 0 there), ordered by the size of the move in events, then in fatalities.

    >>> cell = ("d", "AFG", "Afghanistan", "2020-02")
    >>> moves({cell: (3, 12.0)}, {cell: (1, 8.0)})[0]["events_change"]
    -2
    """
    out = []
    for key in before.keys() | after.keys():
        eb, fb = before.get(key, (0, 0.0))
        ea, fa = after.get(key, (0, 0.0))
        if ea == eb and fa == fb:
            continue
        df = None if fa is None or fb is None else fa - fb
        dataset_id, iso3, country, month = key
        out.append(
            {
                "dataset_id": dataset_id,
                "iso3": iso3,
                "country": country,
                "month": month,
                "events_before": eb,
                "events_after": ea,
                "events_change": ea - eb,
                "fatalities_before": fb,
                "fatalities_after": fa,
                "fatalities_change": df,
            }
        )
    out.sort(
        key=lambda m: (
            -abs(m["events_change"]),
            -abs(m["fatalities_change"] or 0),
            m["dataset_id"],
            m["iso3"] or "",
            m["country"] or "",
            m["month"],
        )
    )
    return out


SNAPSHOT_CHANGES = ("added", "updated", "deleted")  # per dataset, as each snapshot records them


def snapshot_rows(snapshots: tuple[Mapping[str, Any], ...]) -> list[dict[str, Any]]:
    """One row per snapshot and dataset it changed (a snapshot that changed no dataset's rows, such
    as a taxonomy adoption, gets one row without a dataset): the table ``peacewatch snapshots`` prints.
    """
    rows = []
    for s in snapshots:
        base = {"snapshot_id": s["snapshot_id"], "time": s["time"], "command": s["command"]}
        per = s.get("changes") or {}
        if not per:
            rows.append({**base, "dataset_id": None, **dict.fromkeys(SNAPSHOT_CHANGES)})
        for ds, c in sorted(per.items()):
            rows.append({**base, "dataset_id": ds, **{k: c.get(k, 0) for k in SNAPSHOT_CHANGES}})
    return rows


__all__ = ["SNAPSHOT_CHANGES", "DiffResult", "diff", "moves", "snapshot_rows"]
