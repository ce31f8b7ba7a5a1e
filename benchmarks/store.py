"""The living store's targets (issue 11), each contender against its baseline in the same run.

Parts (``--only``, default all, in this order):

- ``ingest``: the 10-million-row file of benchmarks/ingest.py (the reduced ACLED Afghanistan export
  replicated, no event ids) with ``peacewatch ingest`` into a new store folder, against DuckDB's
  ``CREATE TABLE AS SELECT * FROM read_csv`` into a database file and pandas ``read_csv`` +
  ``to_parquet``; ``--repeat`` rounds (the CPU ratio is the one to trust on a shared machine).
- ``release``: the full-schema ACLED sample replicated to 10 million events with unique ids (release A
  of benchmarks/ducklake_floor.py), then release B (about 10,000 rows updated, deleted or inserted)
  with ``peacewatch ingest --release-of``: time per stage, bytes and files the commit added.
- ``big``: ``--big-rows`` events (the 10-million-row file replicated; default 100 million): ingest
  time and peak memory, the store's size against the gzip input; then a one-country daily series
  and a rate-ratio comparison through ``peacewatch.open_store``, warm (median of 5 after a warm-up),
  against hand-written DuckDB SQL on the same Parquet files (through the lake's ATTACH, and through
  ``read_parquet`` over the data folder when the lake holds no delete files).
- ``readers``: four reader processes run the daily series in a loop while a 10-million-row ingest
  commits; every answer is classed as the state before, after, or other (must be none).

Every contender runs in its own process; we take its wall time, its CPU time (user + system, from
the kernel through ``os.wait4``: on a shared machine the steadier figure) and its peak resident
memory. peacewatch runs through its CLI with its progress callback recorded (wall and CPU seconds of
each stage it reports). Inputs are cached in benchmarks/.work/; results are appended to
docs/benchmarks.md.

    python benchmarks/store.py [--only ingest,release,big,readers] [--rows N] [--big-rows N]
                               [--repeat 2] [--skip-pandas] [--memory-limit 12GB] [--no-publish]

``--memory-limit`` replaces peacewatch's DuckDB memory limit (``peacewatch.store.MEMORY_LIMIT``) in
the measured ingests: at core aed8b10 the ten-million-row ingest runs out of memory at every limit up
to 3 GB (docs/benchmarks.md, "Living store"), so the other parts need it to run at all.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from pathlib import Path

from ingest import WORK, make_input
from results import publish
from store_parts import big_input, folder_files, queries_child, reader_child, report_stages

PY = sys.executable
HERE = Path(__file__).resolve()
PARTS = ("ingest", "release", "big", "readers")


# ---------------------------------------------------------------- children


CTAS = """
import duckdb, sys
con = duckdb.connect(sys.argv[2])
con.execute("CREATE TABLE t AS SELECT * FROM read_csv(?)", [sys.argv[1]])
"""

PANDAS = """
import pandas as pd, sys
pd.read_csv(sys.argv[1]).to_parquet(sys.argv[2])
"""


def cli_child(stages: str, *argv: str) -> None:
    """Run the peacewatch CLI with ``argv``, writing each stage its ingest reports (wall and CPU
    seconds since this process started) to ``stages``: the CLI's own progress callback, wrapped."""
    import resource

    def cpu() -> float:
        r = resource.getrusage(resource.RUSAGE_SELF)
        return r.ru_utime + r.ru_stime

    t0 = time.perf_counter()
    log = open(stages, "w")  # noqa: SIM115 - written to the end of the process

    def note(stage: str) -> None:
        log.write(json.dumps([round(time.perf_counter() - t0, 3), round(cpu(), 3), stage]) + "\n")
        log.flush()

    note("start")
    import peacewatch.store as st

    if os.environ.get("PEACEWATCH_BENCH_MEMORY_LIMIT"):  # --memory-limit: DuckDB's limit in the ingest
        st.MEMORY_LIMIT = os.environ["PEACEWATCH_BENCH_MEMORY_LIMIT"]
    import peacewatch.store.ingest as st_ingest

    ingest, changes = st.Store.ingest, st_ingest._changes

    def logged_ingest(self, paths, *args, progress=None, **kw):
        last = [None]

        def p(stage, fraction):
            if stage != last[0]:
                last[0] = stage
                note(stage)
            if progress:
                progress(stage, fraction)

        try:
            return ingest(self, paths, *args, progress=p, **kw)
        finally:
            note("ingest returned")

    def logged_changes(*args, **kw):
        note("change set: comparing with the store")
        try:
            return changes(*args, **kw)
        finally:
            note("change set: written")

    st.Store.ingest = logged_ingest
    st_ingest._changes = logged_changes
    note("imported")
    if argv[0] == "api-release":  # the CLI has no --release-of yet: the same ingest through the API
        st.Store(argv[1]).ingest([Path(argv[3])], release_of=argv[2], progress=lambda s, f: None)
        note("exit")
        return
    sys.argv = ["peacewatch", *argv]
    from peacewatch.cli.app import run

    try:
        run()
    finally:
        note("exit")


CHILDREN = {"cli": cli_child, "reader": reader_child, "queries": queries_child}


# ---------------------------------------------------------------- measuring


def measure(name: str, argv: list[str], check: bool = True) -> dict:
    """Run ``argv``; its wall and CPU seconds, peak memory (MB), and what it printed. A failure ends
    the benchmark, or with ``check=False`` is returned as ``error`` (its last line)."""
    out_path, err_path = WORK / f"child_out-{os.getpid()}.txt", WORK / f"child_err-{os.getpid()}.txt"
    with open(out_path, "w") as out, open(err_path, "w") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    error = None
    if os.waitstatus_to_exitcode(status) != 0:
        if check:
            raise SystemExit(f"{name} failed:\n{err_path.read_text()[-3000:]}")
        error = " ".join(err_path.read_text().split())[:400]
    r = {
        "name": name,
        "seconds": seconds,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
        "printed": out_path.read_text(),
        "error": error,
    }
    print(
        f"{name}: {seconds:.1f} s wall, {r['cpu_s']:.1f} s CPU, {r['peak_mb']:,.0f} MB",
        error or "",
        file=sys.stderr,
    )
    return r


def pw_cli(name: str, *argv: str, check: bool = True) -> dict:
    """The peacewatch CLI as a measured child, with its stages."""
    # one file per run and benchmark process (runs may overlap), kept for a run that is cut short
    stages = WORK / f"stages-{os.getpid()}-{time.time_ns()}.jsonl"
    r = measure(name, [PY, str(HERE), "--child", "cli", str(stages), *argv], check=check)
    r["stages"] = [json.loads(line) for line in stages.read_text().splitlines()]
    print("\n".join(report_stages(r)), file=sys.stderr)
    return r


def limit_note() -> str:
    limit = os.environ.get("PEACEWATCH_BENCH_MEMORY_LIMIT")
    return f", DuckDB memory limit {limit}" if limit else ""


def fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    return path


def heading(title: str) -> list[str]:
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    return [
        f"### {title} ({stamp}, {os.cpu_count()} cores, load average {load}, "
        f"Python {platform.python_version()})",
        "",
    ]


def row(r: dict, base: dict | None = None) -> str:
    if r.get("error"):
        failed = f"{r['name']}: **failed** ({r['error'][:160]})"
        return f"| {failed} | {r['seconds']:.1f} | {r['cpu_s']:.1f} | {r['peak_mb']:,.0f} | | |"
    ratio = (
        f" {r['seconds'] / base['seconds']:.2f}x | {r['cpu_s'] / base['cpu_s']:.2f}x |" if base else " | |"
    )
    return f"| {r['name']} | {r['seconds']:.1f} | {r['cpu_s']:.1f} | {r['peak_mb']:,.0f} |{ratio}"


TABLE = [
    "| contender | wall s | CPU s | peak MB | wall vs DuckDB | CPU vs DuckDB |",
    "|---|---:|---:|---:|---:|---:|",
]


def mb(n: int) -> str:
    return f"{n / 1e6:,.1f} MB"


# ---------------------------------------------------------------- parts


def part_ingest(args) -> str:
    src = make_input(args.rows)
    out = WORK / "store_ingest"
    out.mkdir(exist_ok=True)
    lines = heading(f"Living store: ingest, {args.rows:,} rows")
    lines += [f"Input: {src.name} ({mb(src.stat().st_size)} gzip level 1), no event ids.", "", *TABLE]
    stage_tables, sizes = [], []
    for round_ in range(1, args.repeat + 1):
        db = fresh(out / "duck.duckdb")
        base = measure(
            f"round {round_}: DuckDB CREATE TABLE AS read_csv", [PY, "-c", CTAS, str(src), str(db)]
        )
        lines.append(row(base))
        db_size = db.stat().st_size
        fresh(db)
        store = fresh(out / "pw")
        pw = pw_cli(
            f"round {round_}: peacewatch ingest (CLI, new store){limit_note()}",
            *("ingest", "--store", str(store), str(src)),
            check=False,
        )
        lines.append(row(pw, base))
        stage_tables.append(report_stages(pw))
        sizes.append((db_size, sum(s for _, s in folder_files(store).items())))  # the last store stays
        if round_ == 1 and not args.skip_pandas:
            pq = fresh(out / "p.parquet")
            pd_run = measure("round 1: pandas read_csv + to_parquet", [PY, "-c", PANDAS, str(src), str(pq)])
            lines.append(row(pd_run, base))
            fresh(pq)
    db_size, store_size = sizes[0]
    lines += [
        "",
        f"On disk: the DuckDB database file {mb(db_size)}; the store folder {mb(store_size)} (Parquet, "
        "catalog and the archived source file).",
        "",
        "Where peacewatch's time goes (the stages its progress callback reports; seconds from the "
        "start of the process, wall and CPU):",
        "",
    ]
    for t in stage_tables:
        lines += [*t, ""]
    return "\n".join(lines)


def part_release(args) -> str:
    from store_parts import release_files

    from peacewatch.store import Store

    a, b = release_files(args.rows)
    store = fresh(WORK / "store_release")
    first = pw_cli("peacewatch ingest of release A (CLI, new store)", "ingest", "--store", str(store), str(a))
    s = Store(store)
    dataset = s.datasets()[0]["dataset_id"]
    s.close()
    before = folder_files(store)
    flag = (
        "--release-of"
        in subprocess.run([PY, "-m", "peacewatch", "ingest", "--help"], capture_output=True, text=True).stdout
    )
    if flag:
        apply = pw_cli("peacewatch ingest --release-of (CLI)", "ingest", "--store", str(store),
                       "--release-of", dataset, str(b))  # fmt: skip
    else:  # the CLI flag is not there yet: the same call through the Python API
        apply = pw_cli("Store.ingest(release_of=) (Python API)", "api-release", str(store), dataset, str(b))
    after = folder_files(store)
    s = Store(store)
    snap = s.snapshots()[-1]
    s.close()
    added = {p: n for p, n in after.items() if p not in before}
    grown = {p: after[p] - before[p] for p in after if p in before and after[p] != before[p]}
    base = measure("DuckDB CREATE TABLE AS read_csv of release B", [PY, "-c", CTAS, str(b),
                   str(fresh(WORK / "store_release_b.duckdb"))])  # fmt: skip
    fresh(WORK / "store_release_b.duckdb")

    def part(prefix: str) -> str:
        files = {p: n for p, n in added.items() if p.startswith(prefix)}
        return f"{len(files)} files, {mb(sum(files.values()))}"

    lines = heading(f"Living store: a new release of {args.rows:,} events")
    lines += [
        f"Release A: {a.name} ({mb(a.stat().st_size)}), the full-schema ACLED sample with ids made unique "
        f"per copy; release B: {b.name} ({mb(b.stat().st_size)}). Changes the commit recorded: "
        f"{json.dumps(snap['changes'])}.",
        "",
        *TABLE,
        row(first),
        row(base),
        row(apply, base),
        "",
        f"The store before release B: {mb(sum(before.values()))} in {len(before)} files. The commit "
        f"added {len(added)} files ({mb(sum(added.values()))}): data/ {part('data/')}, archive/ "
        f"{part('archive/')}; files that grew: "
        + (", ".join(f"{p} {n:+,} bytes" for p, n in sorted(grown.items())) or "none")
        + ".",
        "",
    ]
    if "stages" in apply:
        lines += ["Stages of the release (seconds from the start of the process, wall and CPU):", ""]
        lines += report_stages(apply)
        lines += ["", "Stages of release A's ingest:", "", *report_stages(first)]
    return "\n".join(lines) + "\n"


def part_big(args) -> str:
    src = big_input(make_input(args.rows), args.big_rows // args.rows)
    store = fresh(WORK / "store_big")
    pw = pw_cli(f"peacewatch ingest, {args.big_rows:,} rows (CLI, new store){limit_note()}", "ingest",
                "--store", str(store), str(src), check=False)  # fmt: skip
    if pw["error"]:
        return "\n".join([*heading(f"Living store: {args.big_rows:,} events"), *TABLE, row(pw), ""])
    files = folder_files(store)
    size = sum(files.values())
    data = sum(n for p, n in files.items() if p.startswith("data/"))
    q = measure("queries", [PY, str(HERE), "--child", "queries", "run", str(store)])
    res = json.loads(q["printed"])
    lines = heading(f"Living store: {args.big_rows:,} events")
    lines += [
        f"Input: {src.name}, the {args.rows:,}-row file's body replicated {args.big_rows // args.rows} times "
        f"behind one header as concatenated gzip members ({mb(src.stat().st_size)}).",
        "",
        "| step | wall s | CPU s | peak MB |",
        "|---|---:|---:|---:|",
        f"| {pw['name']} | {pw['seconds']:.1f} | {pw['cpu_s']:.1f} | {pw['peak_mb']:,.0f} |",
        "",
        f"On disk: the store {mb(size)} (data/ {mb(data)} in "
        f"{sum(p.startswith('data/') for p in files)} files), "
        f"{size / src.stat().st_size:.2f}x the gzip input "
        f"(the archive holds a copy of the input: {mb(size - data)} outside data/).",
        "",
        f"Queries, warm (one warm-up, then the median of {res['repeat']}; the same process, the store "
        f"opened once; the lake {'has' if res['deletes'] else 'has no'} delete files). Every contender "
        f"gives the same answer ({res['answer']}).",
        "",
        "| query | contender | seconds | vs SQL (ATTACH) |",
        "|---|---|---:|---:|",
    ]
    for query, timings in res["timings"].items():
        sql = timings["hand-written SQL through the lake's ATTACH"]
        for name, sec in timings.items():
            lines.append(f"| {query} | {name} | {sec:.3f} | {sec / sql:.2f}x |")
    lines += ["", "Stages of the ingest:", "", *report_stages(pw), ""]
    return "\n".join(lines)


def part_readers(args) -> str:
    from store_parts import readers_run

    src = make_input(args.rows)
    return readers_run(src, args.rows, fresh(WORK / "store_readers"), pw_cli, heading)


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--child":
        CHILDREN[sys.argv[2]](*sys.argv[3:])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts: {', '.join(PARTS)}")
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--big-rows", type=int, default=100_000_000)
    parser.add_argument("--repeat", type=int, default=2, help="rounds of the ingest comparison")
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--no-publish", action="store_true", help="print only")
    parser.add_argument(
        "--memory-limit", help="DuckDB's memory limit in peacewatch's ingest (default: its own)"
    )
    args = parser.parse_args()
    if args.memory_limit:
        os.environ["PEACEWATCH_BENCH_MEMORY_LIMIT"] = args.memory_limit
    parts = [p.strip() for p in args.only.split(",") if p.strip()]
    unknown = set(parts) - set(PARTS)
    if unknown:
        parser.error(f"--only: unknown parts {sorted(unknown)}; expected some of {', '.join(PARTS)}")
    WORK.mkdir(parents=True, exist_ok=True)
    runs = {"ingest": part_ingest, "release": part_release, "big": part_big, "readers": part_readers}
    for p in PARTS:
        if p in parts:
            report = runs[p](args)
            print(report) if args.no_publish else publish(report)


if __name__ == "__main__":
    main()
