"""kill -9 in the middle of `peacewatch sync acled` (a subprocess, paging from a local ACLED) leaves
the store at its last snapshot, and the next sync completes it: no event lost, none twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from acled_service import EMAIL, PASSWORD, FakeAcled, assert_no_secret, make_events
from pytest_httpserver import HTTPServer

from peacewatch.store import Store

SRC = Path(__file__).resolve().parents[2] / "src"
DATASET = "acled-api-afghanistan"


@pytest.fixture
def acled_kill_server():
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def _run(fake, store: Path, config: Path) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "ACLED_EMAIL": EMAIL,
        "ACLED_PASSWORD": PASSWORD,
        "PEACEWATCH_CONFIG_DIR": str(config),
        "PEACEWATCH_KEYRING": "0",
    }
    args = ["sync", "acled", "--country", "Afghanistan", "--base-url", fake.base_url, "--page-size", "100"]
    return subprocess.Popen(
        [sys.executable, "-m", "peacewatch", *args, "--store", str(store)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _current(store: Path) -> list[str]:
    return [
        r["source_event_id"]
        for r in Store(store)
        .query("SELECT source_event_id FROM events WHERE dataset_id = ?", [DATASET])
        .to_pylist()
    ]


def test_a_sync_killed_while_paging_leaves_the_last_snapshot_and_the_next_one_completes(
    tmp_path, acled_kill_server
):
    fake = FakeAcled(acled_kill_server, make_events(450))
    store, config = tmp_path / "store", tmp_path / "config"
    first = _run(fake, store, config)
    out, err = first.communicate(timeout=300)
    assert first.returncode == 0, err
    before = Store(store).snapshots()
    assert before[-1]["command"].startswith("peacewatch sync acled --country Afghanistan")
    # ACLED changes; the next sync is killed while it reads the fourth page.
    fake.add(make_events(300, prefix="AFGK", seed=4))
    for eid in ("AFG1", "AFG2"):
        fake.delete(eid)
    fake.edit("AFG3", notes="changed")
    fake.delay = 0.2
    fake.hit_when = lambda path, args: path == "/api/acled/read" and args.get("page") == "3"
    killed = _run(fake, store, config)
    assert fake.hit.wait(120), "the sync never reached page 3"
    time.sleep(0.1)
    os.kill(killed.pid, signal.SIGKILL)
    k_out, k_err = killed.communicate(timeout=60)
    assert killed.returncode == -signal.SIGKILL
    assert Store(store).snapshots() == before  # the store is at its last snapshot
    assert len(_current(store)) == 450
    fake.delay, fake.hit_when = 0.0, None
    rerun = _run(fake, store, config)
    r_out, r_err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, r_err
    assert "300 new, 1 changed, 2 deleted" in r_out
    ids = _current(store)
    assert len(ids) == len(set(ids)) and set(ids) == set(fake.events)
    assert len(Store(store).snapshots()) == len(before) + 1
    assert_no_secret(
        [PASSWORD, *fake.issued], folders=[tmp_path], texts=[out, err, k_out, k_err, r_out, r_err]
    )


def test_a_sync_killed_while_writing_the_store_leaves_the_last_snapshot(tmp_path, acled_kill_server):
    fake = FakeAcled(acled_kill_server, make_events(1000))
    store, config = tmp_path / "store", tmp_path / "config"
    done = _run(fake, store, config)
    assert done.communicate(timeout=300) and done.returncode == 0
    before = Store(store).snapshots()
    fake.add(make_events(1000, prefix="AFGW", seed=5))
    # Killed at growing delays after the last page is served: while staging, writing or committing.
    pages = (1000 + 1000) // 100 + 1
    for extra in (0.2, 0.8, 2.0):
        fake.hit.clear()
        fake.hit_when = lambda path, args: path == "/api/acled/read" and args.get("page") == str(pages)
        run = _run(fake, store, config)
        assert fake.hit.wait(120)
        time.sleep(extra)
        os.kill(run.pid, signal.SIGKILL)
        run.communicate(timeout=60)
        after = Store(store).snapshots()
        if len(after) == len(before) + 1:  # it committed before the kill: complete, not partial
            assert len(_current(store)) == 2000
            return
        assert after == before
        assert len(_current(store)) == 1000
    fake.hit_when = None
    rerun = _run(fake, store, config)
    assert rerun.communicate(timeout=300) and rerun.returncode == 0
    ids = _current(store)
    assert len(ids) == len(set(ids)) == 2000
