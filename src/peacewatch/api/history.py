"""The store's history as result values: its snapshots, and what changed between two of them.

>>> import peacewatch as pw
>>> store = pw.open_store(".peacewatch/demo")                  # doctest: +SKIP
>>> store.snapshots().to_pandas()                              # doctest: +SKIP
>>> store.diff(1, 2, country="Afghanistan").moves_table()      # doctest: +SKIP
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from peacewatch.analysis.diff import SNAPSHOT_CHANGES as CHANGES
from peacewatch.analysis.diff import snapshot_rows
from peacewatch.api import display
from peacewatch.api.results import Result, table_of

if TYPE_CHECKING:
    from peacewatch.analysis.diff import DiffResult


@dataclass(frozen=True)
class Snapshots(Result):
    """Every snapshot of the store, oldest first: id, time, command and rows changed per dataset."""

    snapshots: tuple[Mapping[str, Any], ...] = field(repr=False)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.snapshots)

    def __repr__(self) -> str:
        ids = [s["snapshot_id"] for s in self.snapshots]
        return f"<Snapshots {ids[0]}..{ids[-1]}>" if ids else "<Snapshots none>"

    @property
    def latest(self) -> int | None:
        return self.snapshots[-1]["snapshot_id"] if self.snapshots else None

    def to_dict(self) -> list[dict[str, Any]]:
        """As ``peacewatch snapshots --json`` prints it."""
        return [dict(copy.deepcopy(s)) for s in self.snapshots]

    def to_arrow(self) -> pa.Table:
        schema = {
            "snapshot_id": pa.int64(),
            "time": pa.string(),
            "command": pa.string(),
            "dataset_id": pa.string(),
            **dict.fromkeys(CHANGES, pa.int64()),
        }
        return table_of(snapshot_rows(self.snapshots), schema)

    def _repr_html_(self) -> str:
        rows = snapshot_rows(self.snapshots)
        cols = ("snapshot_id", "time", "command", "dataset_id", *CHANGES)
        return display.page(
            f"{len(self.snapshots)} snapshot(s)", body=display.table_html(rows, cols, limit=50)
        )


MOVE_COLUMNS = (
    "dataset_id",
    "iso3",
    "country",
    "month",
    "events_before",
    "events_after",
    "events_change",
    "fatalities_before",
    "fatalities_after",
    "fatalities_change",
)


@dataclass(frozen=True)
class Diff(Result):
    """What changed between two snapshots: rows per dataset (``rows``) and the events and fatalities
    per dataset, country and month that moved (``to_arrow()``/``to_pandas()``: one row per cell)."""

    result: DiffResult = field(repr=False)

    def __repr__(self) -> str:
        t = self.result.totals()
        return (
            f"<Diff {self.result.start}..{self.result.end}: {t['inserted']:,} inserted, "
            f"{t['updated']:,} updated, {t['deleted']:,} deleted; {len(self.result.moves)} cells moved>"
        )

    @property
    def rows(self) -> dict[str, dict[str, dict[str, int]]]:
        """{table: {dataset_id: {inserted, updated, deleted}}}."""
        return copy.deepcopy(self.result.rows)

    @property
    def command(self) -> str:
        return self.result.command

    def to_dict(self) -> dict[str, Any]:
        """As ``peacewatch diff --json`` prints it."""
        return copy.deepcopy(self.result.to_dict())

    def to_arrow(self) -> pa.Table:
        schema = {
            **dict.fromkeys(("dataset_id", "iso3", "country", "month"), pa.string()),
            **dict.fromkeys(("events_before", "events_after", "events_change"), pa.int64()),
            **dict.fromkeys(("fatalities_before", "fatalities_after", "fatalities_change"), pa.float64()),
        }
        return table_of(self.result.moves, schema)

    def _repr_html_(self) -> str:
        t = self.result.totals()
        lines = [
            f"rows: <b>{t['inserted']:,}</b> inserted, <b>{t['updated']:,}</b> updated, "
            f"<b>{t['deleted']:,}</b> deleted; {len(self.result.moves):,} country-months moved"
        ]
        return display.page(
            f"From snapshot {self.result.start} to {self.result.end}",
            lines=lines,
            body=display.table_html(self.result.moves, MOVE_COLUMNS, limit=30),
            command=self.command,
        )


__all__ = ["Diff", "Snapshots"]
