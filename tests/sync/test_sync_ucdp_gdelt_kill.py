"""kill -9 in the middle of `peacewatch sync ucdp` and `sync gdelt` (subprocesses, reading from local
services) leaves the store at its last snapshot, and the next sync completes it: no event lost, none
twice, and the UCDP token in nothing written."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from gdelt_service import GdeltService
from pytest_httpserver import HTTPServer
from ucdp_service import TOKEN, UcdpService, events
from ucdpgdelt_checks import assert_no_secret
from ucdpgdelt_checks import events as stored

from peacewatch.store import Store

SRC = Path(__file__).resolve().parents[2] / "src"


@pytest.fixture
def kill_server():
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def _run(store: Path, config: Path, *args: str) -> subprocess.Popen:
    env = {
        **os.environ,
        "PYTHONPATH": str(SRC),
        "UCDP_TOKEN": TOKEN,
        "PEACEWATCH_CONFIG_DIR": str(config),
        "PEACEWATCH_KEYRING": "0",
    }
    return subprocess.Popen(
        [sys.executable, "-m", "peacewatch", "sync", *args, "--store", str(store)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _killed_midway(service, store, config, *args) -> tuple[str, str]:
    service.reached.clear()
    run = _run(store, config, *args)
    assert service.reached.wait(120), "the sync never reached the service"
    time.sleep(0.5)
    os.kill(run.pid, signal.SIGKILL)
    out, err = run.communicate(timeout=60)
    assert run.returncode == -signal.SIGKILL
    return out, err


def test_a_ucdp_sync_killed_while_paging_leaves_the_last_snapshot_and_the_next_completes(
    tmp_path, kill_server
):
    old = events(40, date(2021, 1, 1), 300)
    service = UcdpService(
        {"24.1": old, "25.1": old[8:] + events(9, date(2023, 1, 1), 60, seed=3, first_id=8000)}
    )
    base = service.install(kill_server)
    store, config = tmp_path / "store", tmp_path / "config"
    args = ("ucdp", "--version", "24.1", "--pagesize", "10", "--base-url", base)
    first = _run(store, config, *args)
    outs = list(first.communicate(timeout=300))
    assert first.returncode == 0, outs[1]
    before = Store(store).snapshots()
    service.delay = 0.3
    outs += _killed_midway(
        service, store, config, "ucdp", "--version", "25.1", "--pagesize", "10", "--base-url", base
    )
    assert Store(store).snapshots() == before
    assert [r[0] for r in stored(store, "ucdp-ged-api-all")] == sorted(str(e["id"]) for e in old)
    service.delay = 0.0
    rerun = _run(store, config, "ucdp", "--version", "25.1", "--pagesize", "10", "--base-url", base)
    outs += rerun.communicate(timeout=300)
    assert rerun.returncode == 0, outs[-1]
    assert [r[0] for r in stored(store, "ucdp-ged-api-all")] == sorted(
        str(e["id"]) for e in service.versions["25.1"]
    )
    assert len(Store(store).snapshots()) == len(before) + 1
    assert_no_secret(TOKEN, tmp_path, *outs)


def test_a_gdelt_sync_killed_while_downloading_leaves_the_last_snapshot_and_the_next_completes(
    tmp_path, kill_server, data_dir
):
    service = GdeltService.from_sample(data_dir, stall=0.3)
    base = service.install(kill_server)
    store, config = tmp_path / "store", tmp_path / "config"
    args = ("gdelt", "--since", "2020-11-13", "--parallel", "1", "--base-url", base)
    _killed_midway(service, store, config, *args)
    assert len(Store(store).snapshots()) <= 1  # none, or only the store's creation
    assert stored(store, "gdelt-api-all") == []
    service.stall = 0.0
    rerun = _run(store, config, *args)
    _, err = rerun.communicate(timeout=300)
    assert rerun.returncode == 0, err
    assert stored(store, "gdelt-api-all") == sorted((r[0],) for rows in service.files.values() for r in rows)
