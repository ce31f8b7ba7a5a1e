"""Issue 11's query target on one store: ``series`` and ``compare`` through the Python API against
hand-written DuckDB SQL through the lake's ATTACH, in the same run, wall and CPU time.

The API runs twice, in separate processes: with this checkout's ``src`` and with another source
tree (``--baseline-src``, e.g. main's, extracted with ``git archive main src | tar -x -C DIR``), so
a change is measured against what it replaces on the same store and the same load. Each contender:
one warm-up, then ``--repeat`` calls; the median wall and CPU seconds per call (CPU of the whole
process, DuckDB's threads included: on a shared machine the steadier figure). The queries are those
of benchmarks/store_parts.py (the daily battle series of Afghanistan over 2017-01-01..2026-03-13 and
the reduction-in-violence rate ratio).

    python benchmarks/store_queries.py STORE [--baseline-src DIR] [--repeat 15] [--publish]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve()
SRC = HERE.parents[1] / "src"


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def _timed(fn, repeat: int) -> dict:
    answer = fn()  # the warm-up
    walls, cpus = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), _cpu()
        answer = fn()
        walls.append(time.perf_counter() - w)
        cpus.append(_cpu() - c)
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus), "answer": answer}


def child(kind: str, store: str, repeat: int) -> None:
    """Time the two queries one way (``api`` or ``sql``); print JSON."""
    sys.path.insert(0, str(HERE.parent))
    from store_parts import _api, _api_compare, _sql_compare, _sql_series

    if kind == "api":
        import peacewatch as pw

        session = pw.open_store(store)
        fns = {"daily series": lambda: _api(session), "rate ratio": lambda: _api_compare(session)}
    else:
        from peacewatch.store import Store, lake

        con = lake.connect(Store(store).location, read_only=True)
        fns = {
            "daily series": lambda: _sql_series(con, "lake.events"),
            "rate ratio": lambda: _sql_compare(con, "lake.events"),
        }
    print(json.dumps({q: _timed(fn, repeat) for q, fn in fns.items()}, default=str))


def run(kind: str, src: Path, store: str, repeat: int) -> dict:
    env = {**os.environ, "PYTHONPATH": str(src)}
    out = subprocess.run(
        [sys.executable, str(HERE), "--child", kind, store, str(repeat)],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return json.loads(out)


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("store")
    parser.add_argument("--baseline-src", type=Path, help="another source tree's src/ to compare with")
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--publish", action="store_true", help="append the table to docs/benchmarks.md")
    args = parser.parse_args()
    load0 = os.getloadavg()
    contenders = {"hand-written SQL through the lake's ATTACH": run("sql", SRC, args.store, args.repeat)}
    contenders["peacewatch Python API (this branch)"] = run("api", SRC, args.store, args.repeat)
    if args.baseline_src:
        contenders[f"peacewatch Python API ({args.baseline_src})"] = run(
            "api", args.baseline_src, args.store, args.repeat
        )
    load1 = os.getloadavg()
    answers = {q: {str(c[q]["answer"]) for c in contenders.values()} for q in ("daily series", "rate ratio")}
    if any(len(a) != 1 for a in answers.values()):
        raise SystemExit(f"the contenders disagree: {answers}")
    sql = contenders["hand-written SQL through the lake's ATTACH"]
    lines = [
        f"Store {args.store}; {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average "
        f"{load0[0]:.1f} at the start, {load1[0]:.1f} at the end; median of {args.repeat} warm calls "
        f"after one warm-up, each contender in its own process; answers equal: "
        + "; ".join(f"{q} {next(iter(a))}" for q, a in answers.items()),
        "",
        "| query | contender | wall s | CPU s | wall vs SQL | CPU vs SQL |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for q in ("daily series", "rate ratio"):
        for name, c in contenders.items():
            w, cpu = c[q]["wall"], c[q]["cpu"]
            lines.append(
                f"| {q} | {name} | {w:.3f} | {cpu:.3f} | {w / sql[q]['wall']:.2f}x | "
                f"{cpu / sql[q]['cpu']:.2f}x |"
            )
    report = "\n".join(lines) + "\n"
    print(report)
    if args.publish:
        from results import publish

        publish(report)


if __name__ == "__main__":
    main()
