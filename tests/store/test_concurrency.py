"""Readers in other processes while a writer commits, and writers killed with -9 at several moments:
every answer is the state before or after the commit, never an error or a mix, and the store always
reopens at its last whole snapshot."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from peacewatch.store import Store

REDUCED_ACLED = "acled_afghanistan_events_reduced/acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz"

READER = """
import json, sys, time
from pathlib import Path
from peacewatch.store import Store
path, stop, out = Path(sys.argv[1]), Path(sys.argv[2]), open(sys.argv[3], "w")
while not stop.exists():
    try:
        s = Store(path).pinned()
        n, fat = s.query("SELECT count(*), sum(fatalities_best) FROM events").to_pylist()[0].values()
        cat = sorted(d["dataset_id"] for d in s.datasets())
        row = {"snapshot": s.snapshot, "events": n, "fatalities": fat, "datasets": cat}
        out.write(json.dumps(row) + "\\n")
        s.close()
    except Exception as exc:
        out.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"}) + "\\n")
    out.flush()
    time.sleep(0.05)
"""


def _state(store: Store) -> dict:
    s = Store(store.path).pinned()
    n, fat = s.query("SELECT count(*), sum(fatalities_best) FROM events").to_pylist()[0].values()
    return {"events": n, "fatalities": fat, "datasets": sorted(d["dataset_id"] for d in s.datasets())}


def _ingest(store: Path, file: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "peacewatch", "ingest", "--store", str(store), str(file)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env={**os.environ, "CI": ""},
    )


def test_readers_in_other_processes_see_the_state_before_or_after_a_commit_never_an_error(
    tmp_path, test_data, data_file
):
    store = Store(tmp_path / "s")
    store.ingest([test_data / "acled_release_a.csv"])
    before = _state(store)
    stop = tmp_path / "stop"
    readers = [
        subprocess.Popen([sys.executable, "-c", READER, str(store.path), str(stop), str(tmp_path / f"r{i}")])
        for i in range(3)
    ]
    try:
        time.sleep(1)
        writer = _ingest(store.path, data_file(REDUCED_ACLED))
        assert writer.wait(timeout=600) == 0, writer.stderr.read().decode()
        time.sleep(2)  # let every reader see the new snapshot
    finally:
        stop.touch()
        for r in readers:
            r.wait(timeout=120)
    after = _state(store)
    assert after["events"] == before["events"] + 69_172
    seen = [json.loads(line) for i in range(3) for line in (tmp_path / f"r{i}").read_text().splitlines()]
    assert [s for s in seen if "error" in s] == []
    answers = {json.dumps({k: s[k] for k in before}, sort_keys=True) for s in seen}
    assert answers <= {json.dumps(before, sort_keys=True), json.dumps(after, sort_keys=True)}
    assert json.dumps(after, sort_keys=True) in answers and len(seen) >= 6


@pytest.mark.parametrize("delay", [0.0, 1.5, 4.0])
def test_a_writer_killed_at_any_moment_leaves_the_last_snapshot_and_the_next_write_works(
    tmp_path, test_data, data_file, delay
):
    store = Store(tmp_path / "s")
    store.ingest([test_data / "acled_release_a.csv"])
    before = (Store(store.path).snapshots(), _state(store))
    writer = _ingest(store.path, data_file(REDUCED_ACLED))
    lock = store.path / "writer.lock"
    deadline = time.time() + 120
    while time.time() < deadline and not lock.read_text().startswith(f"pid {writer.pid}:"):
        if writer.poll() is not None:
            pytest.fail(f"the ingest ended before it could be killed: {writer.stderr.read().decode()}")
        time.sleep(0.02)
    time.sleep(delay)
    writer.send_signal(signal.SIGKILL)
    code = writer.wait(timeout=60)
    snapshots, state = Store(store.path).snapshots(), _state(store)
    if code == 0:  # on a quiet machine the writer may commit before the later kills: whole, then
        assert snapshots[:-1] == before[0] and state["events"] == before[1]["events"] + 69_172
    else:
        assert code == -signal.SIGKILL and (snapshots, state) == before
    report = store.ingest([test_data / "acled_release_b.csv"])[0]
    assert report.snapshot_id == snapshots[-1]["snapshot_id"] + 1
    assert _state(store)["events"] == 7 + (69_172 if code == 0 else 0)
    assert not list((store.path / "tmp").glob(f"*-{writer.pid}"))
