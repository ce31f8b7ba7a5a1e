"""How fast the CLI answers small questions: end to end, with start-up reported apart from the work.

Targets (issue 14): ``peacewatch --help``, ``datasets`` and ``actors`` under 0.5 s; ``series`` and
``compare`` on the demo store under 1.0 s, end to end.

Each command runs ``--repeat`` times in a fresh interpreter (median reported). Inside it a small driver
notes three clocks: when Python has started (the bare interpreter, measured as ``python -c pass``),
when ``peacewatch.cli.app`` is imported (start-up), and when the command returns (the work: its own
lazy imports, opening the store, the query and the statistics). The CPU seconds (user + system) of each
run are reported too: on a shared machine they move less with the load than the wall clock does.

The demo store is the Makefile's (the reduced ACLED Afghanistan export and UCDP GED's 310 Afghan
events), built into benchmarks/.work/ from the shared data when missing.

    python benchmarks/cli_startup.py [--repeat 7] [--store PATH] [--no-publish]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work"
DATA = Path(os.environ.get("PEACEWATCH_DATA", ROOT.parent / "shared" / "data"))
DEMO_FILES = (
    "acled_afghanistan_events_reduced/acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz",
    "ucdp_ged_afghanistan_selected_310/clean_conflicts_afg.geojson",
)

# Runs one command in this interpreter and prints the clocks as JSON on stderr's last line.
# As the console script does, it calls leave() before exiting (peacewatch.cli.app.run).
DRIVER = """
import json, sys, time
t0 = time.perf_counter()
from peacewatch.cli.app import leave, main
t1 = time.perf_counter()
code = main(sys.argv[1:])
t2 = time.perf_counter()
sys.stderr.write("\\n" + json.dumps({"startup": t1 - t0, "work": t2 - t1, "code": code}) + "\\n")
leave()
"""

COMMANDS = {
    "peacewatch --help": ["--help"],
    "peacewatch datasets": ["datasets"],
    "peacewatch actors": ["actors"],
    "peacewatch series (weekly, Jan-Apr 2020)": [
        "series",
        "--country",
        "Afghanistan",
        "--from",
        "2020-01-01",
        "--to",
        "2020-04-30",
        "--by",
        "week",
    ],
    "peacewatch compare (RiV week)": [
        "compare",
        "--country",
        "Afghanistan",
        "--window",
        "2020-02-22:2020-02-29",
        "--baseline",
        "2020-02-01:2020-02-21",
    ],
}
TARGETS = {"--help": 0.5, "datasets": 0.5, "actors": 0.5, "series": 1.0, "compare": 1.0}


def demo_store(path: Path | None) -> Path:
    if path is not None:
        return path
    store = WORK / "demo.duckdb"
    if not store.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        files = [str(DATA / f) for f in DEMO_FILES]
        subprocess.run(
            [sys.executable, "-m", "peacewatch", "ingest", "--store", str(store), *files],
            check=True,
            capture_output=True,
        )
    return store


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["COLUMNS"] = "100"
    return env


def run_once(argv: list[str]) -> dict[str, float]:
    """One fresh interpreter: wall seconds, CPU seconds, and the driver's start-up and work."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, *argv], capture_output=True, text=True, env=_env(), check=False
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    clocks = json.loads(done.stderr.strip().splitlines()[-1])
    if clocks["code"] not in (0, None):
        raise SystemExit(f"{argv}: exit {clocks['code']}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "startup": clocks["startup"], "work": clocks["work"]}


def bare_python(repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def target_of(name: str) -> float:
    word = name.split()[1]
    return TARGETS[word]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--no-publish", action="store_true", help="Print only; leave docs/benchmarks.md.")
    args = parser.parse_args()
    store = demo_store(args.store)
    python = bare_python(args.repeat)
    rows = []
    for name, argv in COMMANDS.items():
        full = argv if argv == ["--help"] else [*argv, "--store", str(store)]
        runs = [run_once(full) for _ in range(args.repeat)]
        med = {k: statistics.median(r[k] for r in runs) for k in ("wall", "cpu", "startup", "work")}
        target = target_of(name)
        rows.append(
            f"| {name} | {med['wall']:.2f} | {med['cpu']:.2f} | {med['startup']:.2f} | {med['work']:.2f} "
            f"| {target:.1f} | {'yes' if med['wall'] < target else 'no'} |"
        )
    load = os.getloadavg()[0]
    report = "\n".join(
        [
            f"### CLI start-up, demo store ({dt.date.today()}, {os.cpu_count()} cores, load average "
            f"{load:.1f}, Python {platform.python_version()})",
            "",
            f"Median of {args.repeat} runs, seconds. End to end = a fresh `python -c` running the command "
            f"(the bare interpreter alone: {python:.2f}); start-up = importing `peacewatch.cli.app`; work = "
            "the command itself, its lazy imports included. CPU = user + system seconds of the process.",
            "",
            "| command | end to end | CPU | start-up | work | target | met |",
            "|---|---:|---:|---:|---:|---:|---|",
            *rows,
        ]
    )
    if args.no_publish:
        print(report)
        return
    sys.path.insert(0, str(ROOT / "benchmarks"))
    from results import publish

    publish(report)


if __name__ == "__main__":
    main()
