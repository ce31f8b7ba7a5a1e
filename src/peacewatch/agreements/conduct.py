"""Commitments about conduct, judged on event data: violence_reduction (a rate comparison with its
interval) and no_attacks (a count against a tolerance).

A mixin of the evaluator in ``peacewatch.agreements.evaluate``: it reads the evaluator's store,
signing and as-of dates and dataset choice. When the data cannot answer (a field missing, dates not
covered, two datasets that would double count) the verdict is insufficient_data, naming what is missing.
"""

from __future__ import annotations

from peacewatch.agreements import dates
from peacewatch.agreements.models import MaxRatio, NoAttacks, ViolenceReduction
from peacewatch.errors import (
    AmbiguousDatasetsError,
    CaseError,
    CoverageError,
    IndicatorError,
    MissingFieldError,
    StatisticsError,
)


def days_phrase(n: int) -> str:
    return f"{n:,} day" if n == 1 else f"{n:,} days"


def count_phrase(n: float, noun: str) -> str:
    """'1 event', '3 events', '12.5 fatalities'."""
    n_text = f"{n:,.0f}" if float(n).is_integer() else f"{n:,.1f}"
    return f"{n_text} {noun[:-1] if n == 1 and noun.endswith('s') else noun}"


def rate_phrase(x: float) -> str:
    return f"{x:.1f}" if x >= 1 else f"{x:.2g}"


class ConductJudge:
    """Judges the conduct commitments; the evaluator provides case, store, signed, as_of and dataset."""

    def _dataset(self, own: str | None) -> tuple[str, ...]:
        chosen = self.dataset or own or self.case.agreement.dataset
        return (chosen,) if chosen else ()

    def _no_data(self, exc) -> tuple:
        if isinstance(exc, MissingFieldError):
            fields = ", ".join(exc.fields)
            return (
                "insufficient_data",
                f"The data cannot tell: this needs the field(s) {fields} (who attacked whom), which "
                f"{', '.join(exc.datasets)} does not have. An event dataset with actors (ACLED's full "
                "export, UCDP GED) would settle it.",
                None,
                {"missing_fields": list(exc.fields), "datasets": list(exc.datasets), "error": str(exc)},
            )
        if isinstance(exc, CoverageError | AmbiguousDatasetsError):
            return (
                "insufficient_data",
                f"The data cannot tell: {exc.message}",
                None,
                {"datasets": list(getattr(exc, "datasets", ())), "error": str(exc)},
            )
        return ("insufficient_data", f"The data cannot tell: {exc}", None, {"error": str(exc)})

    def _violence(self, c: ViolenceReduction) -> tuple:
        from peacewatch import analysis
        from peacewatch.indicators.filters import GROUP, Filters

        start, end = dates.resolve_span(c.window, self.signed)
        if end is None or end > self.as_of:
            return "not_due", f"The window {c.window} has not ended by {self.as_of}.", None, {}
        s = c.scope
        baseline = {
            "baseline": None,
            "baseline_preceding": c.baseline.preceding,
            "baseline_years": c.baseline.years,
        }
        if c.baseline.span:
            b0, b1 = dates.resolve_span(c.baseline.span, self.signed)
            baseline["baseline"] = f"{b0}:{b1}"
        f = Filters(
            datasets=self._dataset(s.dataset),
            country=s.country,
            admin1=s.admin1,
            types=tuple(s.types),
            actor=GROUP.join(s.perpetrators) if s.perpetrators and not s.targets else None,
            dyad=(GROUP.join(s.perpetrators), GROUP.join(s.targets))
            if s.perpetrators and s.targets
            else None,
        )
        try:
            r = analysis.compare(f, window=f"{start}:{end}", measure=s.measure, store=self.store, **baseline)
        except (MissingFieldError, CoverageError, AmbiguousDatasetsError, StatisticsError) as exc:
            return self._no_data(exc)
        except IndicatorError as exc:  # a baseline the calendar cannot hold (before year 1, ...)
            raise CaseError(f"{self.case.files[0]}: commitment {c.id!r}: baseline: {exc}") from None
        d = r.to_dict()
        rr, lo, hi = d["rate_ratio"], d["ci_low"], d["ci_high"]
        w, b = d["window"], d["baseline"]
        change = (
            f"{count_phrase(w['total'], s.measure)} in {days_phrase(w['days'])} against "
            f"{count_phrase(b['total'], s.measure)} in {days_phrase(b['days'])} of baseline "
            f"({rate_phrase(w['rate'])} against {rate_phrase(b['rate'])} a day; rate ratio {rr:.2f}, "
            f"95% interval {lo:.2f} to {hi:.2f})"
        )
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
                    (
                        f"the interval straddles the target ratio {t:g}: the data cannot "
                        f"tell whether the reduction reached {pct}%"
                    ),
                )
        elif hi < 1:
            v, why = "met", "a significant reduction: the whole interval lies below 1"
        elif lo >= 1:
            v, why = "not_met", "no reduction: the interval lies at or above 1"
        else:
            v, why = "inconclusive", "the interval includes 1: the data cannot tell a reduction from chance"
        return (
            v,
            f"{change[0].upper()}{change[1:]}: {why}.",
            None,
            {"comparison": d, "command": d["command"], "datasets": d["datasets"]},
        )

    def _no_attacks(self, c: NoAttacks) -> tuple:
        from peacewatch import analysis
        from peacewatch.indicators.filters import GROUP, Filters

        start, end = dates.resolve_span(c.period, self.signed)
        if start > self.as_of:
            return "not_due", f"The period starts {start}, after {self.as_of}.", None, {}
        stop = min(end or self.as_of, self.as_of)
        # One query: the perpetrators as one actor group, against the targets as another; an event
        # involving several of them counts once.
        perpetrators, targets = GROUP.join(c.perpetrators), GROUP.join(c.targets)
        f = Filters(
            datasets=self._dataset(c.dataset),
            country=c.country,
            types=tuple(c.types),
            actor=None if targets else perpetrators,
            dyad=(perpetrators, targets) if targets else None,
            date_from=start,
            date_to=stop,
        )
        try:
            found = analysis.events(f, store=self.store)  # each event once, by date and event id
        except (MissingFieldError, CoverageError, AmbiguousDatasetsError) as exc:
            return self._no_data(exc)
        n = found.num_rows
        # Event data do not say who fired first: a dyad is counted in either direction.
        who = (
            f"between {' or '.join(c.perpetrators)} and {' or '.join(c.targets)}"
            if c.targets
            else f"involving {' or '.join(c.perpetrators)}"
        )
        sample = (
            found.select(["event_id", "date_start", "event_type", "actor1", "actor2", "admin1"])
            .slice(0, 20)
            .to_pylist()
        )
        evidence = {
            "period": f"{start}:{stop}",
            "events": n,
            "tolerance": c.tolerance,
            "first_events": sample,
            "command": f"peacewatch events {f.cli_args(analysis.as_store(self.store).path)} --format csv",
        }
        if n > c.tolerance:
            return (
                "not_met",
                f"{count_phrase(n, 'events')} {who} from {start} to {stop} (tolerance {c.tolerance}).",
                None,
                evidence,
            )
        running = end is None or end > self.as_of
        when = f"so far (to {stop})" if running else f"from {start} to {stop}"
        return (
            "met",
            f"{count_phrase(n, 'events')} {who} {when}, within the tolerance of {c.tolerance}.",
            None,
            evidence,
        )
