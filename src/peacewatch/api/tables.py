"""Results that are listings rather than estimates: events, the catalog, an agreement's verdicts, a
briefing's claim checks and a written brief. Same interface as :mod:`peacewatch.api.results`:
``to_pandas()``, ``to_arrow()``, ``to_dict()`` (the CLI's ``--json`` payload), ``chart()`` and a
notebook display.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from peacewatch.api import display
from peacewatch.api.results import Result, table_of

if TYPE_CHECKING:
    import altair as alt

    from peacewatch.agreements.evaluate import Evaluation as _Evaluation
    from peacewatch.briefs.build import BuiltBrief
    from peacewatch.briefs.claims import ClaimResult
    from peacewatch.briefs.figure import Figure


def _vega_lite(spec: dict[str, Any]) -> alt.TopLevelMixin:
    import altair as alt

    chart: alt.TopLevelMixin = alt.Chart.from_dict(
        {"$schema": "https://vega.github.io/schema/vega-lite/v6.json", **spec}
    )
    return chart


def _bars(rows: list[dict[str, Any]], *, x: str, y: str, color: str, title: str) -> alt.TopLevelMixin:
    """A small horizontal stacked bar chart of counts (verdicts or claim results)."""
    return _vega_lite(
        {
            "title": title,
            "data": {"values": rows},
            "mark": "bar",
            "encoding": {
                "x": {"field": x, "type": "quantitative", "title": "count"},
                "y": {"field": y, "type": "nominal", "title": None},
                "color": {"field": color, "type": "nominal"},
                "tooltip": [{"field": f, "type": "nominal"} for f in (y, color)]
                + [{"field": x, "type": "quantitative"}],
            },
        }
    )


@dataclass(frozen=True)
class Events(Result):
    """Events matching the filters, ordered by date and event id (``to_arrow()``: the store's columns)."""

    table: pa.Table = field(repr=False)
    command: str
    raw: bool = False  # the raw column holds each event's original row (``events(raw=True)``)

    def __len__(self) -> int:
        return int(self.table.num_rows)

    def __repr__(self) -> str:
        return f"<Events {len(self):,} rows: {self.command}>"

    def to_dict(self) -> list[dict[str, Any]]:
        """The rows, as ``peacewatch events --format json`` prints them: with ``raw``, the original
        row of each event, as ``--raw`` adds it; else without the store's ``raw`` column."""
        table = self.table
        if not self.raw and "raw" in table.column_names:
            table = table.drop_columns(["raw"])
        rows: list[dict[str, Any]] = table.to_pylist()
        return rows

    def to_arrow(self) -> pa.Table:
        return self.table

    def figure(self) -> Figure:
        from peacewatch.briefs.charts import series_chart

        days = Counter(self.table.column("date_start").to_pylist())
        if not days:
            from peacewatch.briefs.figure import ChartError

            raise ChartError("no events to draw.")
        return series_chart(
            [{"period_start": d.isoformat(), "value": float(n)} for d, n in sorted(days.items())],
            title="Events listed, per day",
            by="day",
            measure="events",
            command=self.command,
            id="events",
        )

    def _repr_html_(self) -> str:
        rows = self.table.select(
            [
                c
                for c in ("event_id", "date_start", "country", "admin1", "event_type", "fatalities_best")
                if c in self.table.column_names
            ]
        ).to_pylist()
        datasets = [{"dataset_id": d} for d in sorted(set(self.table.column("dataset_id").to_pylist()))]
        return display.page(
            f"{len(self):,} events",
            lines=[display.table_html(rows, list(rows[0]) if rows else [], limit=10)],
            datasets=datasets,
            command=self.command,
        )


@dataclass(frozen=True)
class Datasets(Result):
    """The store's catalog: one row per dataset. Iterating gives the rows as dicts."""

    rows: tuple[Mapping[str, Any], ...] = field(repr=False)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return iter(self.to_dict())

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"<Datasets {', '.join(self.ids) or 'none'}>"

    def __getitem__(self, i: int) -> dict[str, Any]:
        return dict(copy.deepcopy(self.rows[i]))

    @property
    def ids(self) -> list[str]:
        return [str(r["dataset_id"]) for r in self.rows]

    def to_dict(self) -> list[dict[str, Any]]:
        """The catalog as ``peacewatch datasets --json`` prints it."""
        return [dict(copy.deepcopy(r)) for r in self.rows]

    def to_arrow(self) -> pa.Table:
        rows = self.to_dict()
        for r in rows:
            for k in ("date_min", "date_max"):
                r[k] = dt.date.fromisoformat(r[k][:10]) if r.get(k) else None
            r["ingested_at"] = dt.datetime.fromisoformat(r["ingested_at"]) if r.get("ingested_at") else None
        schema = {
            "dataset_id": pa.string(),
            "source": pa.string(),
            "version": pa.string(),
            "table_name": pa.string(),
            "rows_read": pa.int64(),
            "rows_ingested": pa.int64(),
            "rows_quarantined": pa.int64(),
            "rows_duplicate": pa.int64(),
            "date_min": pa.date32(),
            "date_max": pa.date32(),
            "news_derived": pa.bool_(),
            "sha256": pa.string(),
            "path": pa.string(),
            "ingested_at": pa.timestamp("us"),
        }
        return table_of(rows, schema)

    def chart(self) -> alt.TopLevelMixin:
        """Each dataset's coverage as a bar from its first to its last day."""
        rows = [
            {"dataset_id": r["dataset_id"], "from": r["date_min"], "to": r["date_max"]}
            for r in self.rows
            if r.get("date_min")
        ]
        return _vega_lite(
            {
                "title": "Coverage of the datasets in the store",
                "data": {"values": rows},
                "mark": "bar",
                "encoding": {
                    "x": {"field": "from", "type": "temporal", "title": None},
                    "x2": {"field": "to"},
                    "y": {"field": "dataset_id", "type": "nominal", "title": None},
                    "tooltip": [
                        {"field": "dataset_id", "type": "nominal"},
                        {"field": "from", "type": "temporal"},
                        {"field": "to", "type": "temporal"},
                    ],
                },
            }
        )

    def _repr_html_(self) -> str:
        cols = (
            "dataset_id",
            "source",
            "version",
            "rows_ingested",
            "rows_quarantined",
            "date_min",
            "date_max",
        )
        return display.page(
            f"{len(self.rows)} dataset(s)",
            lines=[display.table_html(list(self.rows), cols)],
            datasets=self.rows,
            command="peacewatch datasets",
        )


@dataclass(frozen=True)
class Evaluation(Result):
    """An agreement's commitments, each judged into a verdict with its evidence."""

    evaluation: _Evaluation = field(repr=False)
    command: str

    def __repr__(self) -> str:
        counts = Counter(v.verdict for v in self.evaluation.verdicts)
        tally = ", ".join(f"{k} {n}" for k, n in sorted(counts.items()))
        return f"<Evaluation {self.evaluation.case.agreement.id} as of {self.evaluation.as_of}: {tally}>"

    def verdict(self, commitment: str) -> str:
        """The verdict of one commitment, by its id."""
        for v in self.evaluation.verdicts:
            if v.id == commitment:
                return v.verdict
        ids = ", ".join(v.id for v in self.evaluation.verdicts)
        from peacewatch.errors import ArgumentError

        raise ArgumentError(f"commitment={commitment!r}: not in this agreement; expected one of {ids}.")

    def to_dict(self) -> dict[str, Any]:
        return copy.deepcopy(self.evaluation.to_dict())

    def to_arrow(self) -> pa.Table:
        rows = [v.to_dict() for v in self.evaluation.verdicts]
        schema = {
            "id": pa.string(),
            "party": pa.string(),
            "kind": pa.string(),
            "verdict": pa.string(),
            "days_late": pa.int32(),
            "summary": pa.string(),
        }
        return table_of(rows, schema)

    def chart(self) -> alt.TopLevelMixin:
        """Verdicts per party, as stacked bars."""
        counts = self.evaluation.by_party()
        rows = [{"party": p, "verdict": v, "count": n} for p, c in counts.items() for v, n in c.items()]
        return _bars(rows, x="count", y="party", color="verdict", title="Verdicts per party")

    def _repr_html_(self) -> str:
        d = self.evaluation.to_dict()
        rows = [{**v, "party": v["party"] or "joint"} for v in d["commitments"]]
        tally = "; ".join(
            f"{html.escape(p)}: " + ", ".join(f"{k} {n}" for k, n in sorted(c.items()))
            for p, c in d["by_party"].items()
        )
        return display.page(
            f"{d['agreement']['title']} (as of {d['as_of']})",
            lines=[
                tally,
                display.table_html(rows, ("id", "party", "verdict", "days_late", "summary"), limit=40),
            ],
            command=self.command,
        )


@dataclass(frozen=True)
class ClaimChecks(Result):
    """The claims of a briefing, each supported, contradicted, inconclusive or insufficient_data."""

    results: tuple[ClaimResult, ...] = field(repr=False)
    command: str
    snapshot: int | None = None  # the store snapshot the checks read
    # The stand-in the claims were read on when the store lacks the datasets they name (None: it
    # holds them, or --dataset was given): agreements/standin.py.
    stand_in: dict[str, Any] | None = None

    def __repr__(self) -> str:
        counts = Counter(r.result for r in self.results)
        return f"<ClaimChecks {', '.join(f'{k} {n}' for k, n in sorted(counts.items()))}>"

    @property
    def notes(self) -> list[str]:
        return [self.stand_in["note"]] if self.stand_in else []

    def to_dict(self) -> dict[str, Any]:
        """As ``peacewatch check --json`` prints it: {"claims": [...], "snapshot": N, "stand_in": ...,
        "notes": [...]}."""
        return {
            "claims": [copy.deepcopy(r.to_dict()) for r in self.results],
            "snapshot": self.snapshot,
            "stand_in": copy.deepcopy(self.stand_in),
            "notes": self.notes,
        }

    def to_arrow(self) -> pa.Table:
        rows = [r.to_dict() for r in self.results]
        for r in rows:
            r["command"] = r["evidence"].get("command")
        keys = ("id", "text", "source", "result", "summary", "command")
        return table_of(rows, dict.fromkeys(keys, pa.string()))

    def chart(self) -> alt.TopLevelMixin:
        """How many claims got each result."""
        counts = Counter(r.result for r in self.results)
        rows = [{"result": k, "claims": n, "all": "claims"} for k, n in counts.items()]
        return _bars(rows, x="claims", y="all", color="result", title="Claims checked")

    def _repr_html_(self) -> str:
        rows = [r.to_dict() for r in self.results]
        counts = Counter(r.result for r in self.results)
        return display.page(
            f"{len(rows)} claim(s) checked",
            lines=[
                ", ".join(f"{k} {n}" for k, n in counts.items()),
                display.table_html(rows, ("id", "result", "summary"), limit=40),
            ],
            command=self.command,
        )


@dataclass(frozen=True)
class Brief(Result):
    """A written brief: its files, its payload (brief.json) and its figures."""

    built: BuiltBrief = field(repr=False)
    paths: Mapping[str, Path]
    command: str

    def __repr__(self) -> str:
        return f"<Brief {', '.join(str(p) for p in self.paths.values())}>"

    @property
    def figures(self) -> Sequence[Figure]:
        return tuple(self.built.figures)

    def to_dict(self) -> dict[str, Any]:
        """The brief's payload, as written to brief.json."""
        return copy.deepcopy(self.built.payload)

    def to_arrow(self) -> pa.Table:
        """The files written: kind and path."""
        return pa.table(
            {
                "kind": pa.array(list(self.paths), pa.string()),
                "path": pa.array([str(p) for p in self.paths.values()], pa.string()),
            }
        )

    def chart(self, figure: int | str = 0) -> alt.TopLevelMixin:
        """One of the brief's charts, by position or id (default: the first)."""
        figs = list(self.built.figures)
        chosen = [f for f in figs if f.id == figure] if isinstance(figure, str) else figs[figure : figure + 1]
        if not chosen:
            from peacewatch.errors import ArgumentError

            raise ArgumentError(
                f"figure={figure!r}: expected a position below {len(figs)} or one of "
                f"{', '.join(f.id for f in figs)}."
            )
        return display.altair_chart(chosen[0])

    def _repr_html_(self) -> str:
        links = "".join(
            f"<li>{html.escape(k)}: <a href='{html.escape(p.resolve().as_uri())}'>"
            f"{html.escape(str(p))}</a></li>"
            for k, p in self.paths.items()
        )
        return display.page(
            str(self.built.payload.get("title", "Brief")),
            lines=[f"<ul>{links}</ul>", f"{len(self.built.figures)} figure(s)"],
            command=self.command,
        )


__all__ = ["Brief", "ClaimChecks", "Datasets", "Evaluation", "Events"]
