"""What `--engine spark` costs against DuckDB: the eight analysis commands on the demo store.

In one process, as a notebook would use it: the export of the store (cold), the Spark session's start,
then each command through the CLI's entry point with ``--json`` on DuckDB, on Spark the first time (the
JVM still compiling) and on Spark again (warm). Each Spark payload is checked equal to DuckDB's (for
``brief``, the brief.json files), so the table only times answers that agree.

The demo store is the Makefile's first ingest (the reduced ACLED Afghanistan export and UCDP GED's 310
Afghan events, the files benchmarks/cli_startup.py names), built into a scratch folder, or ``--store``
(copied, so that its export cache starts empty).

    python benchmarks/spark_engine.py [--store PATH] [--master local[2]] [--no-publish]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "benchmarks")]

SPAN = ("--country", "Afghanistan", "--from", "2020-01-01", "--to", "2020-06-30")
COMMANDS = {
    "series (daily, Jan-Jun 2020)": ("series", *SPAN),
    "compare (RiV week)": (
        "compare",
        "--country",
        "Afghanistan",
        "--window",
        "2020-02-22:2020-02-29",
        "--baseline",
        "2020-02-01:2020-02-21",
    ),
    "trend (March 2020)": ("trend", "--country", "Afghanistan", "--month", "2020-03"),
    "changepoints (Jan-Jun 2020)": ("changepoints", *SPAN),
    "its (Jan-Jun 2020, at 22 Feb)": ("its", *SPAN, "--intervention", "2020-02-22"),
    "evaluate afghanistan-2020": ("evaluate", "afghanistan-2020", "--as-of", "2026-11-26"),
    "check afghanistan-2020": ("check", "afghanistan-2020", "--as-of", "2026-11-26"),
    "brief afghanistan-2020 (no PDF)": ("brief", "afghanistan-2020", "--no-pdf"),
}


def _run(argv: list[str], out: Path | None) -> tuple[float, object]:
    """One command in this process: wall seconds and its payload (printed JSON, or brief.json)."""
    from peacewatch.cli.app import main

    if argv[0] == "brief":
        shutil.rmtree(out, ignore_errors=True)
        argv = [*argv, "--out", str(out)]
    else:
        argv = [*argv, "--json"]
    buffer = io.StringIO()
    t0 = time.perf_counter()
    with contextlib.redirect_stdout(buffer):
        code = main(argv)
    wall = time.perf_counter() - t0
    if code != 0:
        raise SystemExit(f"{' '.join(argv)}: exit {code}")
    payload = (
        json.loads((out / "brief.json").read_text()) if argv[0] == "brief" else json.loads(buffer.getvalue())
    )
    return wall, payload


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--master", default="local[2]", help="Spark master (default local[2]: 2 cores here).")
    parser.add_argument("--no-publish", action="store_true", help="Print only; leave docs/benchmarks.md.")
    args = parser.parse_args()
    from cli_startup import DATA, DEMO_FILES

    from peacewatch.store import Store

    os.environ["PEACEWATCH_SPARK_MASTER"] = args.master
    work = Path(tempfile.mkdtemp(prefix="spark-bench-"))
    store = work / "demo"
    if args.store is not None:
        shutil.copytree(args.store, store, ignore=shutil.ignore_patterns("exports"))
    else:
        Store(store).ingest([DATA / f for f in DEMO_FILES])

    from peacewatch.store.export import cached_export
    from peacewatch.store.spark import spark_session

    t0 = time.perf_counter()
    _, manifest = cached_export(Store(store))
    export_s = time.perf_counter() - t0
    size = sum(p.stat().st_size for p in (store / "exports").rglob("*") if p.is_file())
    t0 = time.perf_counter()
    spark_session()
    session_s = time.perf_counter() - t0

    rows = []
    for name, argv in COMMANDS.items():
        base = [*argv, "--store", str(store)]
        duck_s, duck = _run(base, work / "brief-duckdb")
        first_s, first = _run([*base, "--engine", "spark"], work / "brief-spark")
        warm_s, warm = _run([*base, "--engine", "spark"], work / "brief-spark")
        same = "yes" if duck == first == warm else "NO"
        rows.append(
            f"| {name} | {duck_s:.2f} | {first_s:.2f} | {warm_s:.2f} | {warm_s / duck_s:.1f}x | {same} |"
        )
    shutil.rmtree(work, ignore_errors=True)
    events = manifest["tables"]["events"]["rows"]
    report = "\n".join(
        [
            f"### Spark engine, demo store ({dt.date.today()}, {os.cpu_count()} cores, load average "
            f"{os.getloadavg()[0]:.1f} at the end, Python {platform.python_version()}, Spark master "
            f"{args.master})",
            "",
            f"The demo store's {events:,} events. Export of the store at its snapshot (cold, once per "
            f"snapshot): {export_s:.2f} s, {size / 1e6:.1f} MB of Parquet. Spark session start: "
            f"{session_s:.1f} s. Then each command in the same process, wall seconds: on DuckDB, on Spark "
            "the first time (the JVM still compiling its code paths) and again (warm); 'same' = the Spark "
            "payloads equal DuckDB's (`--json`; brief.json for the brief).",
            "",
            "| command | DuckDB | Spark, first | Spark, warm | warm / DuckDB | same |",
            "|---|---:|---:|---:|---:|---|",
            *rows,
        ]
    )
    if args.no_publish:
        print(report)
        return
    from results import publish

    publish(report)


if __name__ == "__main__":
    main()
