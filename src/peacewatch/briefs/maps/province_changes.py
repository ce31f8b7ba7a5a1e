"""The numbers behind a change map: each province's events per day in a window against a baseline,
from ``analysis.compare`` restricted to that admin1 unit. A province without events in the baseline
has no ratio (status "no baseline"), never a made-up one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from peacewatch import analysis
from peacewatch.analysis import StoreLike
from peacewatch.briefs.figure import as_span
from peacewatch.errors import StatisticsError
from peacewatch.indicators.calendar import Span
from peacewatch.indicators.filters import Filters

NO_BASELINE = "no baseline"


@dataclass(frozen=True)
class ProvinceChange:
    """A unit's events per day in the window against the baseline; ``rate_ratio`` is None (status
    "no baseline") when the baseline has no events."""

    unit: str
    window_total: float
    window_days: int
    baseline_total: float
    baseline_days: int
    rate_ratio: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    method: str | None = None
    note: str | None = None
    command: str = ""
    status: str = "compared"
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def window_rate(self) -> float:
        return self.window_total / self.window_days

    @property
    def baseline_rate(self) -> float:
        return self.baseline_total / self.baseline_days

    @property
    def significant(self) -> bool | None:
        if self.ci_low is None or self.ci_high is None:
            return None
        return self.ci_high < 1.0 or self.ci_low > 1.0

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("extra")
        return d | {"window_rate": self.window_rate, "baseline_rate": self.baseline_rate}


def _units(f: Filters, spans: Sequence[Span], store) -> tuple[list[str], int]:
    units, unnamed = set(), 0
    for sp in spans:
        names = (
            analysis.events(f.replace(date_from=sp.start, date_to=sp.end), store).column("admin1").to_pylist()
        )
        units |= {n for n in names if n}
        unnamed += sum(1 for n in names if not n)
    return sorted(units), unnamed


def province_changes(
    f: Filters,
    *,
    window: Span | str,
    baseline: Span | str,
    measure: str = "events",
    estimate: str = "best",
    method: str | None = None,
    store: StoreLike = None,
) -> tuple[list[ProvinceChange], int]:
    """One analysis.compare per admin1 unit with an event in the window or the baseline; returns the
    changes and the number of events in either period without an admin1 name."""
    w, b = as_span(window, "window"), as_span(baseline, "baseline")
    units, unnamed = _units(f, (b, w), store)
    out = []
    for u in units:
        g = f.replace(admin1=u)
        try:
            r = analysis.compare(
                g, window=w, baseline=b, measure=measure, estimate=estimate, method=method, store=store
            )
        except StatisticsError:
            totals = {}
            for name, sp in (("window", w), ("baseline", b)):
                s = analysis.series(
                    g.replace(date_from=sp.start, date_to=sp.end),
                    by="day",
                    measure=measure,
                    estimate=estimate,
                    store=store,
                )
                totals[name] = (sum(v for _, v in s.points), sp.days)
            if totals["baseline"][0] != 0:
                raise
            args = analysis.reproduce_flags(g.replace(date_from=b.start, date_to=b.end), store)
            cmd = f"peacewatch series {args} --by day --measure {measure}"
            out.append(
                ProvinceChange(u, *totals["window"], *totals["baseline"], command=cmd, status=NO_BASELINE)
            )
            continue
        c = r.result
        out.append(
            ProvinceChange(
                u,
                c.window_total,
                c.window_days,
                c.baseline_total,
                c.baseline_days,
                c.rate_ratio,
                c.ci_low,
                c.ci_high,
                c.p_value,
                c.method,
                c.note,
                r.command,
                extra={"datasets": r.datasets},
            )
        )
    return out, unnamed
