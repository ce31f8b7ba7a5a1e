"""Issue 12's sync targets, each against its baseline in the same run.

- ``full``: `peacewatch sync acled` of N events (default 100,000) from a local ACLED
  (tests/sync/acled_service.py, serving in this process on loopback, pages of 5,000) into a new store,
  against `peacewatch ingest` of the same events as ACLED's CSV export (gzip) into a new store.
  Target: the sync within 1.5x the ingest.
- ``incremental``: a store kept by a sync of M events (default 100,000), then 1,000 changes at the
  service (600 edits, 200 new events, 200 deletions) and `peacewatch sync acled` again, end to end
  (the process start included). Target: under 5 s into a 10-million-event store.

Each contender runs in its own process; we take its wall time and its CPU time (user + system, from
the kernel through ``os.wait4``; the server's CPU is this process's and not counted). Results are
printed as a Markdown table (``--publish`` appends it to docs/benchmarks.md).

    nice python benchmarks/sync.py [--events 100000] [--store-events 100000] [--publish]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve()
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO / "tests" / "sync"))

from acled_service import BASE_TS, EMAIL, PASSWORD, FakeAcled, make_events, write_csv  # noqa: E402
from pytest_httpserver import HTTPServer  # noqa: E402


def run(name: str, argv: list[str], env: dict) -> dict:
    """Run a child and account its CPU through wait4 (Popen.communicate reaps it otherwise)."""
    started = time.perf_counter()
    with open(os.devnull, "w") as null, tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(argv, env=env, stdout=null, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        if status != 0:
            err.seek(0)
            raise SystemExit(f"{name} failed ({status}): {err.read()[-2000:]}")
    return {"name": name, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime}


def pw(*args: str) -> list[str]:
    return [sys.executable, "-m", "peacewatch", *args]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=100_000)
    ap.add_argument("--store-events", type=int, default=100_000)
    ap.add_argument("--publish", action="store_true")
    opts = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pw-sync-bench-"))
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO / "src"),
        "ACLED_EMAIL": EMAIL,
        "ACLED_PASSWORD": PASSWORD,
        "PEACEWATCH_CONFIG_DIR": str(work / "config"),
        "PEACEWATCH_KEYRING": "0",
    }
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    rows = []
    try:
        # full: sync against ingest of the same events
        events = make_events(opts.events, ts_step=100)
        fake = FakeAcled(server, events)
        csv = write_csv(events, work / "acled_afghanistan_export.csv.gz")
        sync_args = ["sync", "acled", "--country", "Afghanistan", "--base-url", fake.base_url]
        ingest = run("ingest CSV (baseline)", pw("ingest", str(csv), "--store", str(work / "ingested")), env)
        sync = run("sync acled (full)", pw(*sync_args, "--store", str(work / "synced")), env)
        rows += [(f"{opts.events:,} events", ingest, None), (f"{opts.events:,} events", sync, ingest)]
        # incremental: a store of --store-events, then 1,000 changes
        server.clear()
        base = make_events(opts.store_events, ts_step=100, ts=BASE_TS)
        fake = FakeAcled(server, base)
        store = work / "incremental"
        seed = run("first sync", pw(*sync_args, "--base-url", fake.base_url, "--store", str(store)), env)
        ids = sorted(base)
        for eid in ids[:600]:
            fake.edit(eid, fatalities="13", notes=f"{eid} revised")
        fake.add(make_events(200, prefix="AFGNEW", seed=7))
        for eid in ids[600:800]:
            fake.delete(eid)
        inc = run(
            "sync acled (1,000 changes)",
            pw(*sync_args, "--base-url", fake.base_url, "--store", str(store)),
            env,
        )
        rows += [
            (f"store of {opts.store_events:,}", seed, None),
            (f"store of {opts.store_events:,}", inc, None),
        ]
    finally:
        server.clear()
        server.stop()
        shutil.rmtree(work, ignore_errors=True)
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    load = os.getloadavg()[0]
    lines = [
        f"### Sync: {opts.events:,} events and 1,000 changes ({when}, load {load:.1f}, "
        f"Python {platform.python_version()})",
        "",
        "| input | contender | wall s | CPU s | ratio (CPU) | ratio (wall) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for label, r, b in rows:
        ratio = f"{r['cpu'] / b['cpu']:.2f}x" if b else ""
        wratio = f"{r['wall'] / b['wall']:.2f}x" if b else ""
        lines.append(f"| {label} | {r['name']} | {r['wall']:.1f} | {r['cpu']:.1f} | {ratio} | {wratio} |")
    report = "\n".join(lines) + "\n"
    print(report)
    if opts.publish:
        sys.path.insert(0, str(HERE.parent))
        from results import publish

        publish(report)


if __name__ == "__main__":
    main()
