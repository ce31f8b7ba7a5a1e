"""One watch cycle: sync the sources the cases use, re-evaluate the cases and their claims at the
store's new snapshot, compare with the last run, and turn what moved into alerts that are stored,
returned and (with a webhook) delivered.

The first run of a case (no state for it yet) records its verdicts and claim results as the baseline
and raises only the violence alerts: there is nothing earlier to compare the verdicts with.

>>> run = run_cycle(["afghanistan-2020"], store=".peacewatch/demo")   # doctest: +SKIP
>>> [a.kind for a in run.alerts]                                     # doctest: +SKIP
['violence_change', 'violence_change']
"""

from __future__ import annotations

import datetime as dt
import shlex
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from peacewatch.agreements import evaluate
from peacewatch.briefs.claims import check_claims
from peacewatch.errors import PeacewatchError
from peacewatch.store import Store, interrupts
from peacewatch.watch import sources, violence, webhook
from peacewatch.watch.alerts import Alert, claim_alert, verdict_alert
from peacewatch.watch.state import WatchFolder, url_key
from peacewatch.watch.targets import Target, load_target

Progress = Callable[[str], None]


@dataclass
class CaseReport:
    """What one cycle did for one case."""

    name: str
    key: str
    dataset: str | None
    first_run: bool
    snapshot: int
    previous_snapshot: int | None
    as_of: str
    verdicts: dict[str, int]
    claims: dict[str, int]
    notes: list[str] = field(default_factory=list)
    # The dataset read for the ones the case names when the store lacks them (agreements/standin.py):
    # {"named", "read_on", "accessed", "countries", "candidates", "note"}; None when nothing was missing.
    stand_in: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Run:
    """One cycle: its id, the store and snapshot read, the syncs done, each case's report, the new
    alerts, and the webhook's delivery (of the alerts it had not accepted before, then the new ones)."""

    run_id: str
    started: str
    store: str
    snapshot: int
    synced: list[dict[str, Any]]
    cases: list[CaseReport]
    alerts: list[Alert]
    alerts_file: str
    delivery: webhook.Delivery | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "started": self.started,
            "store": self.store,
            "snapshot": self.snapshot,
            "synced": self.synced,
            "cases": [c.to_dict() for c in self.cases],
            "alerts": [a.to_dict() for a in self.alerts],
            "alerts_file": self.alerts_file,
            "delivery": self.delivery.to_dict() if self.delivery else None,
        }


def run_cycle(
    cases: Sequence[str],
    *,
    store=None,
    dataset: str | None = None,
    as_of: dt.date | None = None,
    sync: bool = True,
    webhook_url: str | None = None,
    taxonomy: Sequence[str] = (),
    progress: Progress | None = None,
) -> Run:
    """Run one watch cycle over ``cases`` on ``store`` (see the module docstring)."""
    say = progress or (lambda _message: None)
    base = store if isinstance(store, Store) else Store(store)
    base.refresh()  # a StoreError naming the path when there is no store there yet
    folder = WatchFolder(base.location.folder)
    now = dt.datetime.now(dt.UTC)
    run_id = now.strftime("%Y%m%dT%H%M%SZ-") + uuid.uuid4().hex[:6]
    interrupts.forget_done()  # Ctrl-C says what the cycle committed (store/interrupts.py)
    with folder.lock():
        say("loading the cases")
        targets = [load_target(c, store=base, dataset=dataset, taxonomy=taxonomy) for c in cases]
        synced: list[dict[str, Any]] = []
        if sync:
            say("syncing the sources the cases use")
            synced = sources.sync_datasets(base, [d for t in targets for d in t.datasets])
        reader = Store(base.path, location=base.location).pinned()
        state = folder.load()
        reports, alerts = [], []
        for t in targets:
            say(f"evaluating {t.name}")
            report, raised = _watch_case(t, reader, state, run_id, as_of or dt.date.today(), now.isoformat())
            reports.append(report)
            alerts += raised
        folder.append(alerts)  # before the state: a crash between the two repeats alerts, never loses them
        if alerts:
            interrupts.record_done(
                f"wrote {len(alerts)} alert(s) to {folder.alerts_path}",
                "the watch state was not saved, so the next run raises them again",
            )
        delivery = None
        if webhook_url:
            say("posting the alerts to the webhook")
            pending = state["undelivered"].get(url_key(webhook_url), [])
            earlier = folder.alerts(pending)
            delivery = webhook.deliver(webhook_url, [*earlier, *alerts])
            if delivery.failed:
                state["undelivered"][url_key(webhook_url)] = delivery.failed
            else:
                state["undelivered"].pop(url_key(webhook_url), None)
        folder.save(state)
    interrupts.forget_done()
    return Run(
        run_id,
        now.isoformat(),
        str(base.location.describe()),
        reader.snapshot,
        synced,
        reports,
        alerts,
        str(folder.alerts_path),
        delivery,
    )


def _watch_case(
    t: Target, s: Store, state: dict, run_id: str, as_of: dt.date, when: str
) -> tuple[CaseReport, list[Alert]]:
    snap = s.snapshot
    before = state["cases"].get(t.key)
    reading = t.reading(s)  # after the sync: the note gives the stand-in's new access time
    stand_in = reading.to_dict(t.named)
    notes: list[str] = [stand_in["note"]] if stand_in else []
    try:
        verdicts = evaluate(t.case, as_of=as_of, store=s, dataset=t.dataset).verdicts
    except PeacewatchError as exc:  # a monitor keeps watching the rest: said, and the verdicts kept
        notes.append(f"the commitments could not be evaluated{_on(t)}: {exc}")
        verdicts = None
    results = []
    for claim in t.claims:
        try:
            results += check_claims([claim], store=s, as_of=as_of, reading=reading)
        except PeacewatchError as exc:  # one claim the data cannot take (a place it lacks, ...)
            notes.append(f"claim {claim.id} could not be checked{_on(t)}: {exc}")
    now_verdicts = (
        {
            v.id: {"verdict": v.verdict, "summary": v.summary, "snapshot": snap, "as_of": as_of.isoformat()}
            for v in verdicts
        }
        if verdicts is not None
        else dict(before["verdicts"])
        if before
        else {}
    )
    now_claims = {
        r.id: {"result": r.result, "summary": r.summary, "snapshot": snap, "as_of": as_of.isoformat()}
        for r in results
    }
    read_on = t.dataset or t.stand_in
    common = {"snapshot": snap, "run_id": run_id, "dataset": read_on, "when": when}
    alerts: list[Alert] = []
    if before is not None:
        changes = _data_changes(s, before.get("snapshot"), snap)
        command = _evaluate_command(t, s, as_of)
        for v in verdicts or ():
            was = before["verdicts"].get(v.id)
            if was is not None and was["verdict"] != v.verdict:
                a = verdict_alert(t.case.agreement.id, was, v, command=command, **common)
                alerts.append(_with(a, changes))
        for r in results:
            was = before["claims"].get(r.id)
            if was is not None and was["result"] != r.result:
                alerts.append(_with(claim_alert(t.case.agreement.id, was, r, **common), changes))
        new = sorted(set(now_verdicts) - set(before["verdicts"])) + sorted(
            set(now_claims) - set(before["claims"])
        )
        if new:
            notes.append(f"new since the last run, recorded without an alert: {', '.join(new)}")
    raised = dict(before.get("violence", {})) if before else {}
    unanswered: dict[str, list[str]] = {}  # one note for the scopes a reason applies to
    counted = {d for scope in t.scopes for d in scope.filters.datasets if d != "all"}
    gone = [d for d in sorted(counted) if d not in reading.held]
    if gone:  # no scope can be counted on a dataset the store does not hold
        why = reading.missing(gone, "the case files") or f"{', '.join(gone)} is not in the store."
        unanswered[f"not watched: {why}"] = [scope.name for scope in t.scopes]
    for scope in t.scopes if not gone else ():
        found, scope_notes = violence.findings(scope, s)
        for name, text in scope_notes:
            unanswered.setdefault(text, []).append(name)
        for f in found:
            if raised.get(f.key) == f.direction:
                continue  # raised by an earlier run on the same data
            raised[f.key] = f.direction
            alerts.append(
                Alert(
                    f.kind,
                    t.case.agreement.id,
                    f.scope.name,
                    f.summary,
                    snap,
                    run_id,
                    read_on,
                    {**f.evidence, "direction": f.direction, "period": f.period},
                    when,
                )
            )
    notes += [f"{', '.join(names)}: {text}" for text, names in unanswered.items()]
    state["cases"][t.key] = {
        "case": t.name,
        "dataset": read_on,
        "snapshot": snap,
        "as_of": as_of.isoformat(),
        "run_id": run_id,
        "time": when,
        "verdicts": now_verdicts,
        "claims": now_claims,
        "violence": raised,
    }
    report = CaseReport(
        t.name,
        t.key,
        t.dataset,
        before is None,
        snap,
        before.get("snapshot") if before else None,
        as_of.isoformat(),
        _tally(v["verdict"] for v in now_verdicts.values()),
        _tally(r["result"] for r in now_claims.values()),
        notes,
        stand_in,
    )
    return report, alerts


def _on(t: Target) -> str:
    return f" on {t.dataset or t.stand_in}" if t.dataset or t.stand_in else ""


def _tally(values) -> dict[str, int]:
    out: dict[str, int] = {}
    for v in values:
        out[v] = out.get(v, 0) + 1
    return dict(sorted(out.items()))


def _with(alert: Alert, changes: dict[str, Any]) -> Alert:
    """The alert with the store's changes since the last run in its evidence (what moved the data)."""
    return Alert(**{**alert.__dict__, "evidence": {**alert.evidence, "data_changes": changes}})


def _data_changes(s: Store, since: int | None, upto: int) -> dict[str, Any]:
    """The snapshots committed after ``since`` up to ``upto``: each one's command and per-dataset
    counts of rows added, updated and deleted (from the store's own record, no scan of events)."""
    if since is None:
        return {}
    snaps = [x for x in s.snapshots() if since < x["snapshot_id"] <= upto]
    return {
        "from_snapshot": since,
        "to_snapshot": upto,
        "snapshots": [
            {
                "snapshot": x["snapshot_id"],
                "time": x["time"],
                "command": x["command"],
                "changes": x["changes"],
            }
            for x in snaps
        ],
    }


def _evaluate_command(t: Target, s: Store, as_of: dt.date) -> str:
    words = ["peacewatch", "evaluate", t.name, "--store", str(s.path), "--snapshot", str(s.snapshot)]
    words += ["--as-of", as_of.isoformat()] + (["--dataset", t.dataset] if t.dataset else [])
    return shlex.join(words)
