"""Ingest speed and memory: peacewatch against DuckDB's own CSV load and pandas, in the same run.

The reduced ACLED Afghanistan export is replicated to ROWS rows (.csv.gz, made once and cached in
benchmarks/.work/). Each contender runs in its own process; we time it and read its peak resident
memory from the kernel (ru_maxrss of the child). Results are appended to docs/benchmarks.md.

    python benchmarks/ingest.py [--rows 10000000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from results import publish

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work"
DATA = Path(os.environ.get("PEACEWATCH_DATA", ROOT.parent / "shared" / "data"))
SOURCE = DATA / "acled_afghanistan_events_reduced" / "acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz"


def make_input(rows: int) -> Path:
    target = WORK / f"acled_afg_{rows}.csv.gz"
    if target.exists():
        return target
    WORK.mkdir(parents=True, exist_ok=True)
    with gzip.open(SOURCE, "rt", encoding="utf-8") as fh:
        header, *lines = fh.read().splitlines()
    block = ("\n".join(lines) + "\n").encode()
    full, rest = divmod(rows, len(lines))
    tmp = target.with_suffix(".tmp")
    # gzip level 1 through the command-line tool: a realistic export, made in seconds.
    with open(tmp, "wb") as out:
        proc = subprocess.Popen(["gzip", "-1", "-c"], stdin=subprocess.PIPE, stdout=out)
        proc.stdin.write((header + "\n").encode())
        for _ in range(full):
            proc.stdin.write(block)
        proc.stdin.write(("\n".join(lines[:rest]) + ("\n" if rest else "")).encode())
        proc.stdin.close()
        proc.wait()
    tmp.rename(target)
    return target


def measure(name: str, argv: list[str], rows: int) -> dict:
    """Run argv as a child process; return wall seconds, rows per second and peak RSS in MB."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    err = proc.stderr.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{name} failed:\n{err}")
    return {"name": name, "seconds": seconds, "rows_per_s": rows / seconds, "peak_mb": usage.ru_maxrss / 1024}


DUCKDB_CTAS = """
import duckdb, sys
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [sys.argv[1]])
"""

PANDAS = """
import pandas as pd, sys
pd.read_csv(sys.argv[1]).to_parquet(sys.argv[2])
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--skip-pandas", action="store_true", help="pandas needs over 4 GB at 10M rows")
    args = parser.parse_args()
    src = make_input(args.rows)
    out = WORK / "out"
    out.mkdir(exist_ok=True)
    for f in out.iterdir():  # a store is a folder now (issue 11)
        shutil.rmtree(f) if f.is_dir() else f.unlink()
    py = sys.executable
    results = [
        measure(
            "gunzip alone (ceiling of one gzip stream)",
            ["sh", "-c", f"gzip -dc '{src}' > /dev/null"],
            args.rows,
        ),
        measure(
            "DuckDB CREATE TABLE AS read_csv",
            [py, "-c", DUCKDB_CTAS, str(src), str(out / "duck.duckdb")],
            args.rows,
        ),
    ]
    if not args.skip_pandas:
        results.append(
            measure(
                "pandas read_csv + to_parquet",
                [py, "-c", PANDAS, str(src), str(out / "p.parquet")],
                args.rows,
            )
        )
    results.append(
        measure(
            "peacewatch ingest (CLI)",
            [py, "-m", "peacewatch", "ingest", "--store", str(out / "pw.duckdb"), str(src)],
            args.rows,
        )
    )
    lines = [
        f"### Ingest, {args.rows:,} rows ({dt.date.today().isoformat()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()})",
        "",
        f"Input: the reduced ACLED Afghanistan export replicated to {args.rows:,} rows, gzip level 1 "
        f"({src.stat().st_size / 1e6:,.0f} MB).",
        "",
        "| contender | seconds | rows/s | peak memory (MB) |",
        "|---|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r['name']} | {r['seconds']:.2f} | {r['rows_per_s']:,.0f} | {r['peak_mb']:,.0f} |")
    pw = results[-1]
    baselines = [r for r in results if r["name"].startswith(("DuckDB", "pandas"))]
    lines += [
        "",
        "Against the baselines: "
        + "; ".join(f"{pw['rows_per_s'] / b['rows_per_s']:.2f}x {b['name'].split()[0]}" for b in baselines)
        + ".",
        "",
    ]
    report = "\n".join(lines)
    publish(report)


if __name__ == "__main__":
    main()
