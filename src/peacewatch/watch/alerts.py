"""Alerts: what moved since the last run, as values that carry their evidence and the snapshot read.

Four kinds (the rules and thresholds are in docs/adr/0017-watch-and-alerts.md):

``verdict_changed``
    A commitment's verdict differs from the one recorded at the last run (``before`` and ``after``).
``claim_changed``
    A claim's result differs from the one recorded at the last run.
``violence_change``
    The latest complete week against the 4 weeks before it (rule ``preceding_4_weeks``) or against the
    same week of earlier years (rule ``same_weeks_earlier_years``), when the 95% interval of the rate
    ratio excludes 1: ``direction`` is ``increase`` or ``decrease``.
``highest_30_days``
    The last 30 days hold more events than any other 30 days of the 1 (or 3) years before, and their
    rate is above that year's (years') with an interval wholly above 1.

>>> a = Alert("verdict_changed", "afghanistan-2020", "riv", "riv: met (was not_due)", 4, "r1")
>>> a.to_dict()["kind"], Alert.from_dict(a.to_dict()) == a
('verdict_changed', True)
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, fields
from typing import Any

KINDS = ("verdict_changed", "claim_changed", "violence_change", "highest_30_days")


@dataclass(frozen=True)
class Alert:
    """One thing that moved: its kind, the case (and the dataset it was watched on), the subject (a
    commitment id, a claim id, or a violence scope), one sentence, the snapshot read and the run."""

    kind: str
    case: str
    subject: str
    summary: str
    snapshot: int | None
    run_id: str
    dataset: str | None = (
        None  # the dataset the case was watched on: --dataset or its stand-in (None: its own)
    )
    evidence: dict[str, Any] = field(default_factory=dict)
    created_at: str = ""  # ISO time, UTC

    @property
    def id(self) -> str:
        """A stable id: the same alert of the same run always has it (a webhook may deduplicate on it)."""
        # A violence scope has several rules and periods: they tell its alerts of one run apart.
        extra = [self.evidence.get("rule"), self.evidence.get("period")]
        key = json.dumps([self.run_id, self.kind, self.case, self.dataset, self.subject, *extra])
        return hashlib.sha256(key.encode()).hexdigest()[:16]

    def text(self) -> str:
        """One line for people (the ``text`` of a webhook's body)."""
        return f"peacewatch watch: {self.case}: {self.summary}"

    def to_dict(self) -> dict[str, Any]:
        out = {"id": self.id}
        out.update({f.name: getattr(self, f.name) for f in fields(self)})
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Alert:
        """The alert a line of alerts.jsonl holds (its ``id`` is derived, so dropped)."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})


def verdict_alert(case, before: dict, after, *, snapshot, run_id, dataset, command: str, when: str) -> Alert:
    """A verdict_changed alert: ``before`` is the state recorded at the last run, ``after`` the new
    :class:`~peacewatch.agreements.Verdict`."""
    was, now = before["verdict"], after.verdict
    return Alert(
        "verdict_changed",
        case,
        after.id,
        f"Commitment {after.id}: {now.replace('_', ' ')} (was {was.replace('_', ' ')} at snapshot "
        f"{before.get('snapshot')}). {after.summary}",
        snapshot,
        run_id,
        dataset,
        {
            "before": before,
            "after": {"verdict": now, "summary": after.summary, "days_late": after.days_late},
            "verdict": after.to_dict(),
            "command": command,
        },
        when,
    )


def claim_alert(case, before: dict, after, *, snapshot, run_id, dataset, when: str) -> Alert:
    """A claim_changed alert: ``before`` as recorded at the last run, ``after`` the new ClaimResult."""
    was, now = before["result"], after.result
    return Alert(
        "claim_changed",
        case,
        after.id,
        f"Claim {after.id}: {now.replace('_', ' ')} (was {was.replace('_', ' ')} at snapshot "
        f"{before.get('snapshot')}). {after.summary}",
        snapshot,
        run_id,
        dataset,
        {
            "before": before,
            "after": {"result": now, "summary": after.summary},
            "claim": after.to_dict(),
            "command": after.evidence.get("command"),
        },
        when,
    )
