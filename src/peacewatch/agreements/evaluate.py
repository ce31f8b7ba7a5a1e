"""Turn commitments into verdicts that carry their evidence.

A verdict is a value, never a crash: met, not_met, late, inconclusive, insufficient_data or not_due.
"We cannot tell from the loaded data" (insufficient_data, naming what is missing) is an answer.
Only chronology facts and events dated on or before the as-of date are used.
"""

from __future__ import annotations

import datetime as dt
import operator
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from peacewatch.agreements import conduct, dates, standin
from peacewatch.agreements.judgement import Bench, Judgement, days_phrase
from peacewatch.agreements.loading import Case
from peacewatch.agreements.models import (
    Conditional,
    Contrast,
    Milestone,
    NoAttacks,
    Quantity,
    ViolenceReduction,
)
from peacewatch.errors import CaseError

VERDICTS = ("met", "not_met", "late", "inconclusive", "insufficient_data", "not_due", "contrast")
# A contrast (docs/agreement-format.md) is shown beside the commitments, never counted as one.
COMPLIANCE = VERDICTS[:-1]
SETTLED_OK = ("met", "late")
_OPS = {"<=": operator.le, "<": operator.lt, ">=": operator.ge, ">": operator.gt, "==": operator.eq}


@dataclass(frozen=True)
class Verdict:
    id: str
    party: str | None
    kind: str
    verdict: str
    summary: str
    days_late: int | None = None
    evidence: dict[str, Any] = field(default_factory=dict)
    # Events counted on their first possible day because the source dates them only to a range.
    imprecise: dict[str, Any] | None = None

    def counted(self) -> dict[str, Any] | None:
        """The payload naming the events this verdict counted (filters and periods), if it counted
        any: for ``peacewatch.analysis.events_behind``."""
        return self.evidence.get("comparison") or self.evidence.get("counted")

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "party": self.party,
            "kind": self.kind,
            "verdict": self.verdict,
            "summary": self.summary,
            "days_late": self.days_late,
            "imprecise": self.imprecise,
            "evidence": self.evidence,
        }


# The by_party heading of commitments without an obligor.
JOINT = "(joint: no single party)"


@dataclass(frozen=True)
class Evaluation:
    case: Case
    as_of: dt.date
    verdicts: tuple[Verdict, ...]
    snapshot: int | None = None  # the store snapshot the verdicts read (None: no store)
    # The stand-in the verdicts were read on, or the candidates that left them unread, when the store
    # lacks a dataset agreement.yaml names (agreements/standin.py; None: every one is in the store).
    stand_in: dict[str, Any] | None = None

    @property
    def notes(self) -> list[str]:
        """What every output of the evaluation says beside the verdicts (the stand-in's note)."""
        return [self.stand_in["note"]] if self.stand_in else []

    def by_party(self) -> dict[str, dict[str, int]]:
        """Verdict counts per obligor; commitments that bind no single party (a mutual ceasefire whose
        data cannot say who broke it) are counted under JOINT."""
        out: dict[str, Counter] = {}
        for v in self.verdicts:
            if v.kind == "contrast":  # binds no one, whatever it could measure
                continue
            out.setdefault(v.party or JOINT, Counter())[v.verdict] += 1
        return {p: dict(c) for p, c in out.items()}

    def to_dict(self) -> dict[str, Any]:
        a = self.case.agreement
        return {
            "agreement": {
                "id": a.id,
                "title": a.title,
                "signed": a.signed.isoformat(),
                "documents": [d.model_dump(mode="json") for d in a.documents],
            },
            "as_of": self.as_of.isoformat(),
            "commitments": [v.to_dict() for v in self.verdicts],
            "by_party": self.by_party(),
            "snapshot": self.snapshot,
            "stand_in": self.stand_in,
            "notes": self.notes,
        }


def evaluate(
    case: Case, *, as_of: dt.date | None = None, store=None, dataset: str | None = None
) -> Evaluation:
    """Evaluate every commitment of ``case`` as of a date (default: today).

    >>> evaluate(load_case("afghanistan-2020"), store=".peacewatch/demo").by_party()   # doctest: +SKIP
    """
    stubs = case.stubs()
    if stubs:
        names = ", ".join(f"{s.id} ({s.category or 'provision'})" for s in stubs)
        raise CaseError(
            f"{case.files[0]}: the agreement still has {len(stubs)} stub commitment(s) to complete: {names}.",
            hint="Give each a kind (violence_reduction, no_attacks, milestone or quantity) with its fields "
            "and the clause's text and source (docs/agreement-format.md), or remove it.",
        )
    as_of = as_of or dt.date.today()
    read = None
    if store is not None:
        from peacewatch.analysis.select import as_store

        # One Store for the whole evaluation: a path opened per judge would read the catalog and the
        # cut-offs again for every commitment.
        store = as_store(store)
        if case.taxonomy_files:
            store.adopt_taxonomies(case.taxonomy_files)  # the case's own keys must match its events
        read = standin.reading(store, standin.case_countries(case), dataset=dataset)
    ev = _Evaluator(case, as_of, store, dataset, read)
    verdicts = tuple(ev.verdict(c.id) for c in case.agreement.commitments)
    return Evaluation(
        case,
        as_of,
        verdicts,
        store.snapshot if store is not None and store.exists() else None,
        read.to_dict(standin.named_by_agreement(case)) if read is not None else None,
    )


class _Evaluator:
    def __init__(self, case: Case, as_of: dt.date, store, dataset: str | None, read=None):
        self.case, self.as_of, self.store, self.dataset, self.read = case, as_of, store, dataset, read
        self.bench = Bench(case, store, as_of, dataset, read)
        self.signed = case.agreement.signed
        self.facts = [f for f in case.chronology.facts if f.date <= as_of]
        self.done: dict[str, Verdict] = {}

    def verdict(self, cid: str) -> Verdict:
        if cid not in self.done:
            self.done[cid] = self._judge(self.case.commitment(cid))
        return self.done[cid]

    def _base(self, c) -> dict[str, Any]:
        return {
            "text": c.text,
            "source": c.source,
            "verified": c.verified,
            "document": c.document,
            **({"note": c.note} if c.note else {}),
        }

    def _judge(self, c) -> Verdict:
        if isinstance(c, Conditional):
            return self._conditional(c)
        return self._obligation(c, c)

    def _obligation(self, c, head) -> Verdict:
        judge = {
            ViolenceReduction: lambda x: conduct.violence_reduction(x, self.bench),
            NoAttacks: lambda x: conduct.no_attacks(x, self.bench),
            Contrast: lambda x: conduct.contrast(x, self.bench),
            Milestone: self._milestone,
            Quantity: self._quantity,
        }[type(c)]
        j: Judgement = judge(c)
        return Verdict(
            head.id,
            head.party,
            head.kind,
            j.verdict,
            j.summary,
            j.days_late,
            {**self._base(head), **j.evidence},
            j.imprecise,
        )

    # -- conditional -----------------------------------------------------------------------------

    def _conditional(self, c: Conditional) -> Verdict:
        then = self.case.obligations[c.id]
        due = getattr(then, "due", None)
        due = dates.resolve(due, self.signed) if due is not None else None
        # Conditions about conduct (no attacks, less violence) are judged on the events up to the date
        # the obligation fell due: an attack after the deadline cannot cancel it retroactively. Dated
        # steps (milestones, quantities) are judged as of now, so a step taken late still counts.
        at_due = (
            _Evaluator(self.case, due, self.store, self.dataset, self.read)
            if due and due < self.as_of
            else self
        )

        def judge(dep: str) -> Verdict:
            on_events = isinstance(self.case.commitment(dep), NoAttacks | ViolenceReduction)
            return (at_due if on_events else self).verdict(dep)

        deps = [judge(d) for d in c.depends_on]
        conditions = [{"id": d.id, "verdict": d.verdict, "days_late": d.days_late} for d in deps]
        evidence = {**self._base(c), "conditions": conditions}

        def verdict(v: str, summary: str) -> Verdict:
            return Verdict(c.id, c.party, c.kind, v, summary, None, evidence)

        if due is not None and due > self.as_of:
            status = ", ".join(f"{d.id} {d.verdict.replace('_', ' ')}" for d in deps)
            return verdict("not_due", f"Due {due}, after {self.as_of} (conditions: {status}).")
        failed = [d.id for d in deps if d.verdict == "not_met"]
        if failed:
            return verdict(
                "not_due", f"The obligation did not arise: its condition {', '.join(failed)} was not met."
            )
        open_ = [f"{d.id} ({d.verdict.replace('_', ' ')})" for d in deps if d.verdict not in SETTLED_OK]
        if open_:
            return verdict(
                "inconclusive", f"Not evaluated yet: its condition(s) {', '.join(open_)} are not settled."
            )
        inner = self._obligation(then, c)
        late = [f"{d.id} late by {days_phrase(d.days_late)}" for d in deps if d.verdict == "late"]
        met = "Its conditions were met" + (
            f" ({', '.join(late)}; the deadline stands as written)" if late else ""
        )
        summary = f"{met}; {inner.summary[0].lower()}{inner.summary[1:]}"
        return Verdict(
            c.id,
            c.party,
            c.kind,
            inner.verdict,
            summary,
            inner.days_late,
            {**inner.evidence, **evidence},
            inner.imprecise,
        )

    # -- dated facts ------------------------------------------------------------------------------

    def _due_verdict(self, due: dt.date, first, what: str, facts_used: list) -> Judgement:
        evidence = {"due": due.isoformat(), "facts": facts_used}
        if first is not None:
            late = (first.date - due).days
            said = f" ({' '.join(first.text.split()).rstrip('.')}; {first.source})"
            if late <= 0:
                return Judgement("met", f"{what} on {first.date}, by the due date {due}{said}.", evidence)
            return Judgement(
                "late",
                f"{what} on {first.date}, {days_phrase(late)} after the due date {due}{said}.",
                evidence,
                late,
            )
        if self.as_of < due:
            return Judgement("not_due", f"Due {due}; nothing yet as of {self.as_of}.", evidence)
        overdue = (self.as_of - due).days
        return Judgement(
            "not_met",
            f"Not done as of {self.as_of}, {days_phrase(overdue)} after the due date {due}.",
            evidence,
        )

    @staticmethod
    def _fact(f) -> dict[str, Any]:
        return {k: v for k, v in f.model_dump(mode="json").items() if v not in (None, [])}

    def _milestone(self, c: Milestone) -> Judgement:
        due = dates.resolve(c.due, self.signed)
        matches = [
            f
            for f in self.facts
            if f.kind == c.satisfied_by and (not c.parties or set(c.parties) & set(f.parties))
        ]
        first = min(matches, key=lambda f: f.date, default=None)
        return self._due_verdict(due, first, f"Done ({c.satisfied_by})", [self._fact(f) for f in matches])

    def _quantity(self, c: Quantity) -> Judgement:
        due = dates.resolve(c.due, self.signed)
        series = sorted((f for f in self.facts if f.metric == c.metric), key=lambda f: f.date)
        first = next((f for f in series if _OPS[c.comparator](f.value, c.value)), None)
        label = f"Reached {c.metric} {c.comparator} {c.value:g}" + (f" ({first.value:g})" if first else "")
        verdict = self._due_verdict(due, first, label, [self._fact(f) for f in series])
        if verdict.verdict in ("not_met", "not_due") and series:
            last = series[-1]
            verdict = replace(verdict, summary=verdict.summary + f" Latest: {last.value:g} on {last.date}.")
        return verdict
