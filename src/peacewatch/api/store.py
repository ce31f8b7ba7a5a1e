"""The front door for scripts and notebooks: ``pw.open_store(path)`` and its methods.

Every method takes the filters as keyword arguments with the CLI's names (``start``/``end`` for
``--from``/``--to``; see :class:`peacewatch.api.args.FilterArgs`), checks its arguments at the call
(an :class:`~peacewatch.errors.ArgumentError` names the one that is wrong), asks
:mod:`peacewatch.analysis` for the numbers and returns a result value (:mod:`peacewatch.api.results`).

>>> import peacewatch as pw
>>> store = pw.open_store(".peacewatch/demo")                                         # doctest: +SKIP
>>> store.series(country="Afghanistan", start="2020-01-01", end="2020-04-30",
...              by="week").to_pandas()                                          # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import os
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Unpack

from peacewatch.api.args import (
    By,
    DateLike,
    Estimate,
    FilterArgs,
    Measure,
    SpanLike,
    choice,
    date_arg,
    filters_from,
    period_of,
    span_arg,
)
from peacewatch.api.changes import Changepoints, InterruptedTimeSeries, Trend
from peacewatch.api.history import Diff, Snapshots
from peacewatch.api.results import Comparison, Series
from peacewatch.api.tables import Brief, ClaimChecks, Datasets, Evaluation, Events
from peacewatch.errors import ArgumentError
from peacewatch.indicators.calendar import BY
from peacewatch.schema import ESTIMATES
from peacewatch.store import SnapshotLike, Store

if TYPE_CHECKING:
    from peacewatch.agreements.loading import Case
    from peacewatch.store.ingest import IngestReport

ENGINES = ("duckdb", "spark")  # peacewatch.store.spark.ENGINES, without importing it here
Engine = Literal["duckdb", "spark"]
MEASURES = ("events", "fatalities")  # indicators.series also counts GDELT "articles"; not offered here


def _measure(measure: object, estimate: object) -> tuple[str, str]:
    return choice(measure, "measure", MEASURES), choice(estimate, "estimate", ESTIMATES)


def _as_of(value: DateLike | None) -> dt.date | None:
    return None if value is None else date_arg(value, "as_of")


def _positive(value: object, name: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    raise ArgumentError(f"{name}={value!r}: expected a whole number above 0.")


class StoreAPI:
    """A store opened for analysis. Each method returns an immutable result with ``to_pandas()``,
    ``to_arrow()``, ``to_dict()`` (the CLI's JSON), ``chart()`` and a notebook display.

    ``engine`` is where the analysis methods run their queries: ``"duckdb"`` (the store itself) or
    ``"spark"`` (a Spark session over the store's export at its snapshot, or over an export folder
    given as ``path``); each analysis method also takes ``engine=`` for one call."""

    def __init__(
        self,
        path: str | os.PathLike[str] | None = None,
        snapshot: SnapshotLike = None,
        *,
        engine: Engine = "duckdb",
    ) -> None:
        self.store = Store(path, snapshot)
        """The underlying :class:`peacewatch.store.Store` (ingest, query)."""
        self.engine: str = choice(engine, "engine", ENGINES)

    @property
    def reader(self) -> Any:
        """What the analysis methods read: the Store, or a SparkStore with engine="spark"."""
        return self._on(None)

    def _on(self, engine: str | None, pinned: Store | None = None) -> Any:
        """What one call reads: the store pinned at one snapshot (``pinned``, else pinned now), on
        DuckDB or, with engine "spark", on Spark over its export at that snapshot."""
        from peacewatch.store.spark import open_reader

        return open_reader(pinned or self._pinned(), choice(engine or self.engine, "engine", ENGINES))

    @property
    def path(self) -> Path:
        return self.store.path

    @property
    def snapshot(self) -> int:
        """The snapshot this store reads now: the one it was opened at, else the latest."""
        return self.store.snapshot

    def at(self, snapshot: SnapshotLike) -> StoreAPI:
        """The same store read at ``snapshot`` (an id, a datetime or ISO time): every result of the
        returned store is the one it gave then, whatever was ingested since."""
        return StoreAPI(self.path, snapshot)

    def __repr__(self) -> str:
        fixed = f" at snapshot {self.store._asked}" if self.store.is_pinned else ""
        return f"<peacewatch store {self.path}{fixed}>"

    def _pinned(self) -> Store:
        """The Store one call reads: fixed at one snapshot for all of that call's queries."""
        return self.store.pinned()

    def __fspath__(self) -> str:
        """The store file, so that a StoreAPI goes wherever a store path does (``store=`` arguments)."""
        return str(self.path)

    # -- the store itself ---------------------------------------------------------------------------

    def ingest(
        self,
        paths: Sequence[str | os.PathLike[str]],
        *,
        source: str | None = None,
        mapping: str | os.PathLike[str] | None = None,
        name: str | None = None,
    ) -> list[IngestReport]:
        """Ingest files atomically (all or none), as ``peacewatch ingest``; returns one report each."""
        if isinstance(paths, str | os.PathLike):
            paths = [paths]
        reports: list[IngestReport] = self.store.ingest(
            [Path(p) for p in paths],
            source=source,
            mapping=Path(mapping) if mapping is not None else None,
            dataset_id=name,
        )
        return reports

    def datasets(self) -> Datasets:
        """The catalog: one row per dataset, with coverage, row counts and sha256."""
        return Datasets(tuple(self._pinned().datasets()))

    def snapshots(self) -> Snapshots:
        """The store's history: every snapshot, when, by what command, and per dataset the rows added,
        updated and deleted (``peacewatch snapshots``)."""
        return Snapshots(tuple(self.store.snapshots()))

    def diff(
        self, from_snapshot: int, to_snapshot: int | None = None, /, **filters: Unpack[FilterArgs]
    ) -> Diff:
        """What changed from snapshot ``from_snapshot`` to ``to_snapshot`` (default: the one this store
        reads): rows inserted, updated and deleted per dataset, and the events and fatalities per
        country and month that moved, largest move first (``peacewatch diff``); ``filters`` (the
        filter names of :meth:`series`) narrow the moves."""
        from peacewatch.analysis.diff import diff

        f = filters_from(filters)
        for value, name in ((from_snapshot, "from_snapshot"), (to_snapshot, "to_snapshot")):
            if value is not None and not (isinstance(value, int) and not isinstance(value, bool)):
                raise ArgumentError(f"{name}={value!r}: expected a snapshot id (a whole number).")
        s = self._pinned()
        return Diff(diff(s, from_snapshot, s.snapshot if to_snapshot is None else to_snapshot, f))

    def export(
        self, folder: str | os.PathLike[str], *, snapshot: int | None = None, overwrite: bool = False
    ) -> dict[str, Any]:
        """Write the store at ``snapshot`` (default: the latest) as partitioned Parquet into ``folder``,
        as ``peacewatch export``; returns the manifest (snapshot, versions, tables and their rows)."""
        from peacewatch.store.export import export

        store = self.store if snapshot is None else self.store.at(snapshot)
        manifest: dict[str, Any] = export(store, Path(folder), overwrite=overwrite)
        return manifest

    def events(self, *, limit: int | None = None, raw: bool = False, **filters: Unpack[FilterArgs]) -> Events:
        """Events matching the filters, ordered by date and event id (at most ``limit``). With
        ``raw=True`` the column ``raw`` holds each event's original row, its text exactly as in the
        source file (as ``peacewatch events --raw``); a StoreError when that file is gone, a
        SourceError when it changed since the ingest.

        >>> pw.open_store("car.duckdb").events(limit=2, raw=True).to_dict()[0]["raw"]  # doctest: +SKIP
        '{ "type": "Feature", "properties": { "id": 36210, ...'
        """
        from peacewatch import analysis

        f = filters_from(filters)
        if limit is not None:
            _positive(limit, "limit")
        s = self._pinned()
        table = analysis.events(f, store=s, limit=limit, raw=raw)
        cmd = (
            f"peacewatch events {f.cli_args(s.path, s.snapshot)}"
            + (f" --limit {limit}" if limit else "")
            + (" --raw" if raw else "")
        )
        return Events(table, cmd, raw=raw)

    # -- indicators and change ----------------------------------------------------------------------

    def series(
        self,
        *,
        by: By = "day",
        measure: Measure = "events",
        estimate: Estimate = "best",
        engine: Engine | None = None,
        **filters: Unpack[FilterArgs],
    ) -> Series:
        """Events or fatalities per day, ISO week (Monday first) or month, zero-filled over start..end
        (default: the coverage of the selected datasets)."""
        from peacewatch import analysis

        f = filters_from(filters)
        period = choice(by, "by", BY)
        m, e = _measure(measure, estimate)
        return Series(analysis.series(f, by=period, measure=m, estimate=e, store=self._on(engine)))  # type: ignore[arg-type]

    def compare(
        self,
        *,
        window: SpanLike,
        baseline: SpanLike | None = None,
        baseline_preceding: int | None = None,
        baseline_years: int | None = None,
        measure: Measure = "events",
        estimate: Estimate = "best",
        method: str | None = None,
        conf_level: float = 0.95,
        engine: Engine | None = None,
        **filters: Unpack[FilterArgs],
    ) -> Comparison:
        """The rate in ``window`` against a baseline (exactly one of ``baseline``,
        ``baseline_preceding`` days or ``baseline_years``): rate ratio, interval, p-value."""
        from peacewatch import analysis

        f = filters_from(filters)
        w = span_arg(window, "window")
        given = [x is not None for x in (baseline, baseline_preceding, baseline_years)]
        if sum(given) != 1:
            raise ArgumentError(
                f"baseline=, baseline_preceding= or baseline_years=: expected exactly one, got {sum(given)}."
            )
        b = span_arg(baseline, "baseline") if baseline is not None else None
        if baseline_preceding is not None:
            _positive(baseline_preceding, "baseline_preceding")
        if baseline_years is not None:
            _positive(baseline_years, "baseline_years")
        if method is not None:
            from peacewatch.stats.rates import METHODS  # here: it loads scipy

            choice(method, "method", METHODS)
        if not (isinstance(conf_level, float) and 0 < conf_level < 1):
            raise ArgumentError(f"conf_level={conf_level!r}: expected a number between 0 and 1, e.g. 0.95.")
        m, e = _measure(measure, estimate)
        result = analysis.compare(
            f,
            window=w,
            baseline=b,
            baseline_preceding=baseline_preceding,
            baseline_years=baseline_years,
            measure=m,
            estimate=e,
            method=method,
            conf_level=conf_level,
            store=(reader := self._on(engine)),
        )
        return Comparison(result, reader)

    def trend(
        self,
        *,
        month: str | dt.date,
        by: str | None = None,
        measure: Measure = "events",
        estimate: Estimate = "best",
        engine: Engine | None = None,
        **filters: Unpack[FilterArgs],
    ) -> Trend:
        """A month (YYYY-MM, or any day in it) against the three months before: deteriorated,
        improved or unchanged; ``by="admin1"`` gives one verdict per first-level unit."""
        from peacewatch import analysis

        f = filters_from(filters)
        if isinstance(month, dt.date):
            month = f"{month:%Y-%m}"
        elif not (isinstance(month, str) and len(month) == 7 and _is_month(month)):
            raise ArgumentError(f"month={month!r}: expected a month as 'YYYY-MM' (or a date in it).")
        if by is not None:
            choice(by, "by", ("admin1",))
        m, e = _measure(measure, estimate)
        results = analysis.trend(
            f,
            month=month,
            by_admin1=by == "admin1",
            measure=m,
            estimate=e,
            store=(reader := self._on(engine)),
        )
        return Trend(tuple(results), by == "admin1", reader)

    def changepoints(
        self,
        *,
        measure: Measure = "events",
        estimate: Estimate = "best",
        penalty: float | None = None,
        engine: Engine | None = None,
        **filters: Unpack[FilterArgs],
    ) -> Changepoints:
        """Days between start and end where the daily rate shifts (PELT, Poisson likelihood)."""
        from peacewatch import analysis

        f = filters_from(filters)
        span = period_of(f, "changepoints")
        if penalty is not None and not (isinstance(penalty, int | float) and penalty > 0):
            raise ArgumentError(f"penalty={penalty!r}: expected a number above 0.")
        m, e = _measure(measure, estimate)
        payload = analysis.changepoints(
            f, span=span, measure=m, estimate=e, penalty=penalty, store=(reader := self._on(engine))
        )
        return Changepoints(payload, f, m, e, reader)

    def its(
        self,
        *,
        intervention: DateLike,
        measure: Measure = "events",
        estimate: Estimate = "best",
        seasonal: int = 0,
        independent_days: bool = False,
        engine: Engine | None = None,
        **filters: Unpack[FilterArgs],
    ) -> InterruptedTimeSeries:
        """Interrupted time series between start and end: level and slope change at ``intervention``
        (the first day after it)."""
        from peacewatch import analysis

        f = filters_from(filters)
        span = period_of(f, "its")
        day = date_arg(intervention, "intervention")
        if not span.start < day <= span.end:
            raise ArgumentError(
                f"intervention={day.isoformat()}: expected a day after start={span.start} and no later "
                f"than end={span.end}."
            )
        if not (isinstance(seasonal, int) and seasonal >= 0):
            raise ArgumentError(f"seasonal={seasonal!r}: expected 0 or more Fourier pairs.")
        m, e = _measure(measure, estimate)
        payload = analysis.its(
            f,
            intervention=day,
            span=span,
            measure=m,
            estimate=e,
            seasonal_harmonics=seasonal,
            adjust_autocorrelation=not independent_days,
            store=(reader := self._on(engine)),
        )
        return InterruptedTimeSeries(payload, f, m, e, reader)

    # -- cases --------------------------------------------------------------------------------------

    def evaluate(
        self,
        case: str | os.PathLike[str] | Case,
        *,
        as_of: DateLike | None = None,
        dataset: str | None = None,
        engine: Engine | None = None,
    ) -> Evaluation:
        """Each commitment of a case's agreement judged into a verdict with its evidence; ``case`` is a
        built-in case name, a case folder or a loaded Case."""
        from peacewatch.agreements import evaluate, load_case

        if isinstance(case, str | os.PathLike):
            loaded, name = load_case(Path(case)), case
        else:
            loaded, name = case, case.folder
        s = self._pinned()
        result = evaluate(loaded, as_of=_as_of(as_of), store=self._on(engine, s), dataset=dataset)
        cmd = shlex.join(
            ["peacewatch", "evaluate", str(name), "--store", str(s.path), "--snapshot", str(s.snapshot)]
            + ["--as-of", result.as_of.isoformat()]
            + (["--dataset", dataset] if dataset else [])
        )
        return Evaluation(result, cmd)

    def check(
        self,
        case: str | os.PathLike[str],
        *,
        as_of: DateLike | None = None,
        dataset: str | None = None,
        engine: Engine | None = None,
    ) -> ClaimChecks:
        """Each claim of a briefing (a claims.yaml, a case folder or a built-in case name) checked, on
        ``dataset`` when given (else the datasets the claims name, or the case's stand-in)."""
        from peacewatch.agreements import standin
        from peacewatch.briefs.claims import check_claims, claims_path, load_claims

        day = _as_of(as_of) or dt.date.today()
        path = claims_path(case)
        s = self._pinned()
        on = self._on(engine, s)
        claims = load_claims(path)
        reading = standin.for_folder(path.parent, on, dataset=dataset)
        results = check_claims(claims, store=on, as_of=day, reading=reading)
        cmd = ["peacewatch", "check", str(case), "--store", str(s.path), "--snapshot", str(s.snapshot)]
        cmd += ["--as-of", day.isoformat()] + (["--dataset", dataset] if dataset else [])
        stand_in = reading.to_dict(d for c in claims for d in c.check.filters.dataset)
        return ClaimChecks(tuple(results), shlex.join(cmd), s.snapshot, stand_in)

    def brief(
        self,
        case: str | os.PathLike[str],
        *,
        out: str | os.PathLike[str],
        pdf: bool = True,
        dataset: str | None = None,
        engine: Engine | None = None,
    ) -> Brief:
        """Build and write a briefing (brief.html, brief.pdf unless ``pdf=False``, brief.json,
        figures/) into the folder ``out``, on ``dataset`` when given (else the datasets the case files
        name, or the case's stand-in)."""
        from peacewatch.briefs import build as brief_build
        from peacewatch.briefs import render as brief_render

        s = self._pinned()
        built = brief_build.build(Path(case), store=self._on(engine, s), dataset=dataset)
        paths = brief_render.write(built, Path(out), pdf=pdf)
        cmd = shlex.join(
            ["peacewatch", "brief", str(case), "--store", str(s.path), "--snapshot", str(s.snapshot)]
            + ["--out", str(out)]
            + ([] if pdf else ["--no-pdf"])
            + (["--dataset", dataset] if dataset else [])
        )
        return Brief(built, dict(paths), cmd)


def _is_month(text: str) -> bool:
    try:
        dt.date.fromisoformat(text + "-01")
    except ValueError:
        return False
    return True


def open_store(
    path: str | os.PathLike[str] | None = None, snapshot: SnapshotLike = None, *, engine: Engine = "duckdb"
) -> StoreAPI:
    """Open a store for analysis (default: $PEACEWATCH_STORE, else ./peacewatch-store), at
    ``snapshot`` (an id, a datetime, or an ISO time: the last snapshot committed at or before it;
    default: the latest, read afresh by each call). Each call reads one snapshot and its result records
    it (``snapshot`` in ``to_dict()``, ``--snapshot N`` in its command). With ``engine="spark"`` its
    queries run on Spark (a store, or an export folder: docs/python.md).

    >>> store = open_store(".peacewatch/demo")                                  # doctest: +SKIP
    >>> store.compare(country="Afghanistan", window="2020-02-22:2020-02-29",
    ...               baseline="2020-02-01:2020-02-21").rate_ratio         # doctest: +SKIP
    0.2146...
    """
    return StoreAPI(path, snapshot, engine=engine)


__all__ = ["StoreAPI", "open_store"]
