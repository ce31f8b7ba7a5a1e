"""Time to build the afghanistan-2020 brief (HTML and PDF) from an ingested store; target 15 s.

The store holds the reduced ACLED Afghanistan export (ingested once into benchmarks/.work/). We time
the whole command a user runs, `peacewatch brief afghanistan-2020 --out DIR` (start-up, queries,
charts, map, HTML and PDF), and the same work through the Python API in one process, and write the
results to docs/benchmarks.md.

    python benchmarks/brief.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

from results import publish

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work"
DATA = Path(os.environ.get("PEACEWATCH_DATA", ROOT.parent / "shared" / "data")).resolve()
SOURCE = DATA / "acled_afghanistan_events_reduced" / "acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    store = WORK / "brief_store.duckdb"
    if not store.exists():
        subprocess.run(
            [sys.executable, "-m", "peacewatch", "ingest", "--store", str(store), str(SOURCE)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
    env = {**os.environ, "PEACEWATCH_DATA": str(DATA)}
    cli_times = []
    for i in range(args.repeat):
        start = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "peacewatch",
                "brief",
                "afghanistan-2020",
                "--store",
                str(store),
                "--out",
                str(WORK / f"brief-{i}"),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            env=env,
        )
        cli_times.append(time.perf_counter() - start)

    os.environ["PEACEWATCH_DATA"] = str(DATA)
    from peacewatch.briefs import build, render
    from peacewatch.store import Store

    api_times, parts = [], {}
    for i in range(args.repeat):
        start = time.perf_counter()
        built = build.build("afghanistan-2020", store=Store(store))
        built_at = time.perf_counter()
        render.write(built, WORK / f"brief-api-{i}", pdf=False)
        html_at = time.perf_counter()
        render.write(built, WORK / f"brief-api-{i}", pdf=True)
        done = time.perf_counter()
        api_times.append(built_at - start + done - html_at)
        parts = {
            "build (queries, verdicts, claims, charts)": built_at - start,
            "HTML and figures": html_at - built_at,
            "HTML, figures and PDF": done - html_at,
        }
    cli, api = statistics.median(cli_times), statistics.median(api_times)
    lines = [
        f"### Brief, afghanistan-2020 ({dt.date.today().isoformat()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()})",
        "",
        f"From a store holding the reduced ACLED Afghanistan export; median of {args.repeat} runs. "
        "Target: 15 s.",
        "",
        "| what | seconds |",
        "|---|---:|",
        f"| `peacewatch brief afghanistan-2020 --out DIR` (whole command, HTML and PDF) | {cli:.1f} |",
        f"| Python API, build and render with PDF | {api:.1f} |",
        *[f"| of which (last run): {k} | {v:.1f} |" for k, v in parts.items()],
        "",
    ]
    report = "\n".join(lines)
    publish(report)


if __name__ == "__main__":
    main()
