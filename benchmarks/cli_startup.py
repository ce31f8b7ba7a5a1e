"""How fast the CLI answers small questions: end to end, with start-up reported apart from the work.

Targets (issue 14): ``peacewatch --help``, ``datasets`` and ``actors`` under 0.5 s; ``series`` and
``compare`` on the demo store under 1.0 s, end to end.

Each command runs ``--repeat`` times in a fresh interpreter (median reported). Inside it a small driver
notes three clocks: when Python has started (the bare interpreter, measured as ``python -c pass``),
when ``peacewatch.cli.app`` is imported (start-up), and when the command returns (the work: its own
lazy imports, opening the store, the query and the statistics). The CPU seconds (user + system) of each
run are reported too: on a shared machine they move less with the load than the wall clock does.

Baselines in the same run, each as its own row: the bare interpreter (``python -c pass``),
``python -c "import duckdb"`` (the least a command that reads the store can cost), and the imports a
query through Ibis cannot do without (DuckDB, Ibis with DuckDB's compiler only, NumPy, pyarrow: the
floor under ``series`` and ``compare``).

A second table takes apart opening the DuckLake store (docs/adr/0011), each step timed in a fresh
interpreter: connecting DuckDB, LOADing the ducklake and sqlite extensions (DuckDB checks each file's
signature on LOAD: a hash of 36 and 35 MB), ATTACHing the catalog, reading the latest snapshot and
attaching at it, then the first query; once as ``peacewatch.store.lake`` opens it (one connection:
attached to read the snapshot id, then re-attached at it) and once the same way with
``allow_unsigned_extensions`` (no signature check), to show what each costs.

The demo store is the Makefile's (the reduced ACLED Afghanistan export and UCDP GED's 310 Afghan
events), built into benchmarks/.work/ from the shared data when missing.

    python benchmarks/cli_startup.py [--repeat 7] [--store PATH] [--no-publish] [--against REV ...]
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
import json, os, sys, time
t0 = time.perf_counter()
from peacewatch.cli.app import leave, main
t1 = time.perf_counter()
if os.environ.get("PW_BENCH_PROPOSED_STORE"):
    exec(os.environ["PW_BENCH_PROPOSED_STORE"])
code = main(sys.argv[1:])
t2 = time.perf_counter()
sys.stderr.write("\\n" + json.dumps({"startup": t1 - t0, "work": t2 - t1, "code": code}) + "\\n")
leave()
"""

# What opening the store would cost with the two proposals the store has not taken (docs/adr/0014),
# patched into the driver's process (inside the work clock), never into peacewatch: extensions LOADed
# without DuckDB's signature check (`allow_unsigned_extensions`: a security trade-off), and listings
# (Store.query, `actors`) as rows from fetchall rather than an Arrow table (which imports pyarrow and
# NumPy). The store already opens one connection and binds no parameter on the read path.
PROPOSED_STORE = """
from peacewatch import store as _store
from peacewatch.store import lake as _lake
_connect = _lake.connect
def connect(location, *, read_only, snapshot=None, config=None):
    config = {"allow_unsigned_extensions": True, **(config or {})}
    return _connect(location, read_only=read_only, snapshot=snapshot, config=config)
class Rows(list):
    def to_pylist(self):
        return list(self)
_query = _store.Store.query
def query(self, sql, params=()):
    if params:
        return _query(self, sql, params)
    with self.raw() as con:
        cur = _lake.retrying(lambda: con.execute(sql))
        names = [d[0] for d in cur.description]
        return Rows(dict(zip(names, row)) for row in cur.fetchall())
_lake.connect = connect
_store.Store.query = query
"""

# What a query through Ibis costs to import before any peacewatch code runs, the lazy compilers included.
FLOOR = (
    "from peacewatch.cli import lazy_ibis; lazy_ibis.install(); "
    "import duckdb, numpy, pyarrow, pyarrow.compute, ibis; ibis.duckdb"
)

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


def _ingest_demo(store: Path, src: Path) -> None:
    files = [str(DATA / f) for f in DEMO_FILES]
    env = {**_env(), "PYTHONPATH": str(src)}
    subprocess.run(
        [sys.executable, "-m", "peacewatch", "ingest", "--store", str(store), *files],
        check=True,
        capture_output=True,
        env=env,
        cwd=WORK,
    )


def revision(rev: str) -> tuple[str, Path, Path]:
    """(short sha, its src folder, its demo store), unpacked with `git archive` into benchmarks/.work/
    and the store built by that revision's own ingest (store formats differ between revisions)."""
    sha = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", rev], capture_output=True, text=True, check=True
    ).stdout.strip()
    folder = WORK / f"rev-{sha}"
    if not (folder / "src").is_dir():
        folder.mkdir(parents=True, exist_ok=True)
        tar = subprocess.run(["git", "-C", str(ROOT), "archive", sha, "src"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(folder)], input=tar.stdout, check=True)
    store = folder / "demo"
    if not store.exists():
        _ingest_demo(store, folder / "src")
    return sha, folder / "src", store


def console_once(src: Path, argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of `python -m peacewatch ARGV` (the console script's path) with ``src``."""
    env = {**_env(), "PYTHONPATH": str(src)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "peacewatch", *argv], env=env, capture_output=True, check=True, cwd=WORK
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def against_table(revs: list[str], store: Path, repeat: int) -> list[str]:
    """Each command under each revision and this tree, runs interleaved so that all see the same load."""
    versions = [revision(r) for r in revs] + [("this tree", ROOT / "src", store)]
    rows = [
        "| command | "
        + " | ".join(f"{v[0]} wall" for v in versions)
        + " | "
        + " | ".join(f"{v[0]} CPU" for v in versions)
        + " |",
        "|---|" + "---:|" * (2 * len(versions)),
    ]
    for name, argv in COMMANDS.items():
        runs: list[list[tuple[float, float]]] = [[] for _ in versions]
        for _ in range(repeat):
            for i, (_, src, demo) in enumerate(versions):
                full = argv if argv == ["--help"] else [*argv, "--store", str(demo)]
                runs[i].append(console_once(src, full))
        walls = [statistics.median(w for w, _ in r) for r in runs]
        cpus = [statistics.median(c for _, c in r) for r in runs]
        rows.append(f"| {name} | " + " | ".join(f"{x:.2f}" for x in walls + cpus) + " |")
    return rows


def demo_store(path: Path | None) -> Path:
    if path is not None:
        return path
    store = WORK / "demo-store"
    if not (store / "catalog.sqlite").exists():
        WORK.mkdir(parents=True, exist_ok=True)
        _ingest_demo(store, ROOT / "src")
    return store


def _env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT / "src"), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    env["COLUMNS"] = "100"
    return env


def run_once(argv: list[str], proposed: bool = False) -> dict[str, float]:
    """One fresh interpreter: wall seconds, CPU seconds, and the driver's start-up and work."""
    env = _env()
    if proposed:
        env["PW_BENCH_PROPOSED_STORE"] = PROPOSED_STORE
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, *argv], capture_output=True, text=True, env=env, check=False
    )
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    clocks = json.loads(done.stderr.strip().splitlines()[-1])
    if clocks["code"] not in (0, None):
        raise SystemExit(f"{argv}: exit {clocks['code']}\n{done.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "startup": clocks["startup"], "work": clocks["work"]}


def baseline(code: str, repeat: int) -> dict[str, float]:
    """Median wall and CPU seconds of ``python -c CODE`` in fresh interpreters."""
    walls, cpus = [], []
    for _ in range(repeat):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, env=_env())
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
    return {"wall": statistics.median(walls), "cpu": statistics.median(cpus)}


# Opens the store step by step and prints [[step, wall, cpu], ...] as JSON. argv: the store folder and
# "now" (as store/lake.py opens it: one connection, the extensions' signatures checked, attached to read
# the latest snapshot id, then re-attached at it) or "one" (the same with unsigned extensions).
LAKE_PROBE = """
import json, os, sys, time
def clock():
    t = os.times()
    return time.perf_counter(), t.user + t.system
steps, last = [], clock()
def mark(name):
    global last
    now = clock()
    steps.append([name, now[0] - last[0], now[1] - last[1]])
    last = now
import duckdb
mark("import duckdb")
from pathlib import Path
from peacewatch.store import extensions, lake
from peacewatch.store.location import LocalStore
mark("import peacewatch.store")
loc, how = LocalStore(Path(sys.argv[1])), sys.argv[2]
config = {"autoinstall_known_extensions": False, "autoload_known_extensions": False}
if how == "one":
    config["allow_unsigned_extensions"] = True
def opened(which):
    con = duckdb.connect(config=config)
    mark(f"{which}: connect DuckDB")
    for package in loc.extension_packages:
        con.execute(f"LOAD '{extensions.extension_file(package)}'")
        mark(f"{which}: LOAD {package}")
    return con
con = opened("connection")
con.execute(loc.attach_sql(read_only=True))
snap = lake.latest_snapshot(con)
mark("ATTACH, read the latest snapshot id")
con.execute("DETACH lake")
con.execute(loc.attach_sql(read_only=True, snapshot=snap))
con.execute("USE lake")
mark("ATTACH at that snapshot, USE it (DuckLake reads its catalog)")
con.execute("SELECT count(*) FROM events").fetchone()
mark("first query (count events)")
print(json.dumps(steps))
"""


def lake_steps(store: Path, how: str, repeat: int) -> list[tuple[str, float, float]]:
    """Median (step, wall, cpu) of opening the store ``how`` ("now" or "one") in fresh interpreters."""
    runs = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", LAKE_PROBE, str(store), how],
            capture_output=True,
            text=True,
            env=_env(),
            check=True,
        )
        runs.append(json.loads(out.stdout))
    return [
        (name, statistics.median(r[i][1] for r in runs), statistics.median(r[i][2] for r in runs))
        for i, (name, *_) in enumerate(runs[0])
    ]


def lake_table(store: Path, repeat: int) -> list[str]:
    rows = []
    for how, title in (
        ("now", "as the store opens it (one connection, signatures checked)"),
        ("one", "one connection, `allow_unsigned_extensions`"),
    ):
        steps = lake_steps(store, how, repeat)
        rows += [f"| {title} | {name} | {wall:.3f} | {cpu:.3f} |" for name, wall, cpu in steps]
        opening = [(w, c) for name, w, c in steps if not name.startswith(("import", "first query"))]
        rows.append(
            f"| {title} | **opening, in all** | **{sum(w for w, _ in opening):.3f}** "
            f"| **{sum(c for _, c in opening):.3f}** |"
        )
    return rows


def duckdb_version() -> str:
    out = subprocess.run(
        [sys.executable, "-c", "import duckdb; print(duckdb.__version__)"], capture_output=True, text=True
    )
    return out.stdout.strip()


def target_of(name: str) -> float:
    word = name.split()[1]
    return TARGETS[word]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--store", type=Path, default=None)
    parser.add_argument("--no-publish", action="store_true", help="Print only; leave docs/benchmarks.md.")
    parser.add_argument(
        "--against",
        action="append",
        default=[],
        metavar="REV",
        help="Also run the commands with the code of git revision REV (repeatable), interleaved with "
        "this tree's, each on a demo store its own ingest built.",
    )
    args = parser.parse_args()
    store = demo_store(args.store)
    rows = []
    for name, code in (
        ("`python -c pass` (baseline)", "pass"),
        ('`python -c "import duckdb"`', "import duckdb"),
        (
            "the imports `series` cannot do without (duckdb, Ibis with DuckDB's compiler, NumPy, pyarrow)",
            FLOOR,
        ),
    ):
        b = baseline(code, args.repeat)
        rows.append(f"| {name} | {b['wall']:.2f} | {b['cpu']:.2f} | | | | |")
    for proposed in (False, True):
        for name, argv in COMMANDS.items():
            if proposed and argv == ["--help"]:
                continue
            full = argv if argv == ["--help"] else [*argv, "--store", str(store)]
            runs = [run_once(full, proposed) for _ in range(args.repeat)]
            med = {k: statistics.median(r[k] for r in runs) for k in ("wall", "cpu", "startup", "work")}
            target = target_of(name)
            label = f"{name}, unsigned extensions, rows not Arrow" if proposed else name
            rows.append(
                f"| {label} | {med['wall']:.2f} | {med['cpu']:.2f} | {med['startup']:.2f} "
                f"| {med['work']:.2f} | {target:.1f} | {'yes' if med['wall'] < target else 'no'} |"
            )
    lake_rows = lake_table(store, args.repeat)
    against = []
    if args.against:
        against = [
            "",
            "Against earlier code, `python -m peacewatch ...` (the console script's path), runs "
            f"interleaved, median of {args.repeat}, seconds:",
            "",
            *against_table(args.against, store, args.repeat),
        ]
    load = os.getloadavg()[0]
    report = "\n".join(
        [
            f"### CLI start-up, demo store ({dt.date.today()}, {os.cpu_count()} cores, load average "
            f"{load:.1f}, Python {platform.python_version()}, DuckDB {duckdb_version()})",
            "",
            f"Median of {args.repeat} runs, seconds. End to end = a fresh `python -c` running the command; "
            "start-up = importing `peacewatch.cli.app`; work = the command itself, its lazy imports "
            "included; the rest of end to end is the interpreter starting and exiting. CPU = user + "
            "system seconds of the process.",
            "",
            "| command | end to end | CPU | start-up | work | target | met |",
            "|---|---:|---:|---:|---:|---:|---|",
            *rows,
            "",
            f"Opening the DuckLake store (`{store.name}`), step by step, median of {args.repeat} fresh "
            "interpreters, seconds:",
            "",
            "| how | step | wall | CPU |",
            "|---|---|---:|---:|",
            *lake_rows,
            *against,
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
