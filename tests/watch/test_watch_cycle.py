"""One watch cycle on real data: a baseline first, then exactly what moved between two snapshots."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from watch_cases import DATASET, write_case, write_prefix

from peacewatch.store import Store
from peacewatch.watch import WatchFolder, run_cycle

EXPORT = "acled_afghanistan_events_reduced/acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz"
AS_OF = dt.date(2020, 12, 31)


@pytest.fixture
def two_releases(tmp_path, data_file):
    """A store whose first snapshot holds the export's rows up to 2020-02-25 (the window of the
    reduction in violence not yet covered) and a case on it; ``advance()`` applies the next release,
    the rows up to 2020-03-31, as a new snapshot."""
    export = data_file(EXPORT)
    store = Store(tmp_path / "store")
    first = write_prefix(export, tmp_path / "acled_watch_1.csv", "2019-06-01", "2020-02-25")
    store.ingest([first], dataset_id=DATASET)
    case = write_case(tmp_path / "watch-test")

    def advance():
        later = write_prefix(export, tmp_path / "acled_watch_2.csv", "2019-06-01", "2020-03-31")
        store.ingest([later], release_of=DATASET)

    return store, case, advance


def test_first_run_records_the_baseline_and_raises_no_verdict_or_claim_alert(two_releases):
    store, case, _ = two_releases
    run = run_cycle([str(case)], store=store.path, as_of=AS_OF, sync=False)
    report = run.cases[0]
    assert report.first_run and report.previous_snapshot is None
    assert report.verdicts == {"insufficient_data": 1, "met": 1}
    assert report.claims == {"insufficient_data": 1}
    assert not [a for a in run.alerts if a.kind in ("verdict_changed", "claim_changed")]
    state = WatchFolder(store.path).load()["cases"]["watch-test@case"]
    assert state["verdicts"]["riv"]["verdict"] == "insufficient_data"
    assert state["snapshot"] == run.snapshot


def test_a_verdict_that_changed_between_snapshots_is_one_alert_with_its_evidence(two_releases):
    store, case, advance = two_releases
    first = run_cycle([str(case)], store=store.path, as_of=AS_OF, sync=False)
    advance()
    run = run_cycle([str(case)], store=store.path, as_of=AS_OF, sync=False)
    assert run.snapshot > first.snapshot
    changed = [a for a in run.alerts if a.kind == "verdict_changed"]
    assert len(changed) == 1
    alert = changed[0]
    assert (alert.subject, alert.snapshot) == ("riv", run.snapshot)
    assert alert.evidence["before"]["verdict"] == "insufficient_data"
    assert alert.evidence["before"]["snapshot"] == first.snapshot
    assert alert.evidence["after"]["verdict"] == "met"
    comparison = alert.evidence["verdict"]["evidence"]["comparison"]
    assert comparison["ci_high"] < 1 and comparison["snapshot"] == run.snapshot
    assert f"--snapshot {run.snapshot}" in alert.evidence["command"]
    applied = alert.evidence["data_changes"]["snapshots"]
    assert [s["snapshot"] for s in applied] == [run.snapshot]
    assert applied[0]["changes"][DATASET]["added"] > 0
    claims = [a for a in run.alerts if a.kind == "claim_changed"]
    assert [(a.subject, a.evidence["after"]["result"]) for a in claims] == [("riv-cut-violence", "supported")]
    # Stored: one JSON line per alert, with the run id.
    lines = WatchFolder(store.path).alerts_path.read_text(encoding="utf-8").splitlines()
    stored = [json.loads(line) for line in lines if json.loads(line)["run_id"] == run.run_id]
    assert {s["id"] for s in stored} == {a.id for a in run.alerts}


def test_a_second_run_without_new_data_raises_nothing(two_releases):
    store, case, advance = two_releases
    run_cycle([str(case)], store=store.path, as_of=AS_OF, sync=False)
    advance()
    moved = run_cycle([str(case)], store=store.path, as_of=AS_OF, sync=False)
    assert moved.alerts
    again = run_cycle([str(case)], store=store.path, as_of=AS_OF, sync=False)
    assert again.alerts == []
    assert again.snapshot == moved.snapshot and not again.cases[0].first_run
    # alerts.jsonl is only ever appended to.
    every = WatchFolder(store.path).alerts()
    assert [a.id for a in every][-len(moved.alerts) :] == [a.id for a in moved.alerts]


def test_violence_alerts_on_the_afghanistan_export_carry_their_interval(watched_afghan_store):
    """The latest complete week of the export (2 to 8 March 2026) against the 4 weeks before: 65
    events against 100 (rate ratio 2.60, quasi-Poisson 95% interval 1.02 to 6.61, as `peacewatch
    compare ... --window 2026-03-02:2026-03-08 --baseline-preceding 28` gives)."""
    run = run_cycle(["afghanistan-2020"], store=watched_afghan_store.path, sync=False)
    assert run.cases[0].first_run
    assert {a.kind for a in run.alerts} <= {"violence_change", "highest_30_days"}
    weekly = {a.evidence["rule"]: a for a in run.alerts if a.kind == "violence_change"}
    week = weekly["preceding_4_weeks"].evidence["comparison"]
    assert (week["window"]["start"], week["window"]["end"]) == ("2026-03-02", "2026-03-08")
    assert (week["window"]["total"], week["baseline"]["total"]) == (65, 100)
    assert week["rate_ratio"] == pytest.approx(2.60)
    assert (round(week["ci_low"], 2), round(week["ci_high"], 2)) == (1.02, 6.61)
    for a in run.alerts:
        c = a.evidence["comparison"]
        assert c["ci_low"] > 1 or c["ci_high"] < 1, "an alert the interval does not support"
        assert a.snapshot == run.snapshot
    # The parties cannot be watched on an export without actors, and the run says so once.
    notes = " ".join(run.cases[0].notes)
    assert "party taliban" in notes and "actor1" in notes


def test_a_run_killed_before_its_state_is_saved_raises_its_alerts_again_and_loses_none(
    watched_afghan_store, monkeypatch
):
    path = watched_afghan_store.path

    def killed(self, state):
        raise KeyboardInterrupt

    monkeypatch.setattr(WatchFolder, "save", killed)
    with pytest.raises(KeyboardInterrupt):
        run_cycle(["afghanistan-2020"], store=path, sync=False)
    kept = WatchFolder(path).alerts()
    assert kept  # written before the state
    monkeypatch.undo()
    again = run_cycle(["afghanistan-2020"], store=path, sync=False)
    assert again.cases[0].first_run  # no state was saved: the baseline is recorded now
    assert [a.summary for a in again.alerts] == [a.summary for a in kept]


def test_a_second_watch_of_the_same_store_is_refused_while_one_runs(watched_afghan_store):
    from peacewatch.errors import WatchError

    refused = pytest.raises(WatchError, match="another `peacewatch watch` is running")
    with WatchFolder(watched_afghan_store.path).lock(), refused:
        run_cycle(["afghanistan-2020"], store=watched_afghan_store.path, sync=False)
