"""DuckLake with a PostgreSQL catalog (issue 11's team store): two writers and two readers in separate
processes against a real server on loopback, which this script starts and stops itself.

Each writer commits 10 times: 2 x 500 rows of one tag inserted and the tag two back deleted, so any
reader must see whole tags of 1,000 rows. Records failed commits and their errors, reader errors,
mixed answers, and time travel to the first snapshot. Needs PostgreSQL's server binaries (Debian
`postgresql`: /usr/lib/postgresql/*/bin) and DuckDB 1.5.5 with the ducklake and postgres extension
packages (see benchmarks/ducklake_floor.py for running on 1.5.5 without touching the environment):

    PYTHONPATH=benchmarks/.work/duckdb-1.5.5:src python benchmarks/ducklake_postgres.py
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from ducklake_floor import EXT_DIR, extension_file
from results import publish

DB, USER = "lake", "pw"


def server_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
    if not found:
        raise SystemExit("PostgreSQL server binaries not found: apt-get install postgresql")
    return found[-1].parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def as_server_user(argv: list[str]) -> list[str]:
    # The server refuses to run as root; run its tools as the postgres user then.
    return ["su", "postgres", "-c", " ".join(argv)] if os.geteuid() == 0 else argv


@contextlib.contextmanager
def postgres_server():
    """initdb in a temporary folder, start on 127.0.0.1 at a free port, yield the port, stop."""
    bin_dir = server_bin()
    root = Path(tempfile.mkdtemp(prefix="pw-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
    data, port = root / "data", free_port()
    run = subprocess.run
    run(
        as_server_user([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", USER]),
        check=True,
        capture_output=True,
    )
    opts = f"'-p {port} -k {root} -c listen_addresses=127.0.0.1'"
    run(
        as_server_user(
            [str(bin_dir / "pg_ctl"), "-D", str(data), "-o", opts, "-l", str(root / "log"), "-w", "start"]
        ),
        check=True,
        capture_output=True,
    )
    try:
        run(
            as_server_user([str(bin_dir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", USER, DB]),
            check=True,
            capture_output=True,
        )
        yield port
    finally:
        run(
            as_server_user([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "fast", "stop"]),
            capture_output=True,
        )
        shutil.rmtree(root, ignore_errors=True)


def connect(port: int, data: Path):
    import duckdb

    con = duckdb.connect(config={"extension_directory": str(EXT_DIR)})
    con.execute("SET enable_progress_bar = false")
    for name in ("ducklake", "postgres_scanner"):
        con.execute(f"LOAD {name}")
    con.execute(
        f"ATTACH 'ducklake:postgres:dbname={DB} host=127.0.0.1 port={port} user={USER}' AS lake "
        f"(DATA_PATH '{data}/')"
    )
    return con


def writer(port: int, data: Path, first: int) -> None:
    con = connect(port, data)
    log = []
    for tag in range(first, first + 10):
        t0 = time.perf_counter()
        try:
            con.execute("BEGIN")
            for _ in range(2):
                con.execute(f"INSERT INTO lake.conc SELECT {tag}, range FROM range(500)")
            con.execute(f"DELETE FROM lake.conc WHERE tag = {tag - 2}")
            con.execute("COMMIT")
            log.append({"s": time.perf_counter() - t0})
        except Exception as e:
            with contextlib.suppress(Exception):
                con.execute("ROLLBACK")
            log.append({"s": time.perf_counter() - t0, "error": f"{type(e).__name__}: {e}"[:300]})
    print(json.dumps(log))


def reader(port: int, data: Path, stop: Path) -> None:
    con = connect(port, data)
    n = mixed = 0
    errors, lat = [], []
    while not stop.exists():
        t0 = time.perf_counter()
        try:
            got = con.execute("SELECT tag, count(*) FROM lake.conc GROUP BY tag").fetchall()
            mixed += any(c != 1000 for _, c in got)
            n += 1
        except Exception as e:
            errors.append(f"{type(e).__name__}: {e}"[:300])
        lat.append(time.perf_counter() - t0)
    print(json.dumps({"queries": n, "mixed": mixed, "errors": errors, "max_s": max(lat, default=0)}))


def main() -> None:
    if sys.argv[1:2] == ["--child"]:
        role, port, data, arg = sys.argv[2:6]
        if role == "writer":
            writer(int(port), Path(data), int(arg))
        else:
            reader(int(port), Path(data), Path(arg))
        return
    import duckdb

    con = duckdb.connect(config={"extension_directory": str(EXT_DIR)})
    for package in ("ducklake", "postgres"):
        con.execute(f"INSTALL '{extension_file(package)}'")
    work = Path(tempfile.mkdtemp(prefix="pw-lake-"))
    data, stop = work / "data", work / "stop"
    with postgres_server() as port:
        con = connect(port, data)
        con.execute("CREATE TABLE lake.conc (tag INTEGER, i BIGINT)")
        v0 = con.execute("SELECT id FROM lake.current_snapshot()").fetchone()[0]
        con.close()

        def child(*args):
            argv = [sys.executable, __file__, "--child", *map(str, args)]
            return subprocess.Popen(argv, stdout=subprocess.PIPE, text=True)

        readers = [child("reader", port, data, stop) for _ in range(2)]
        time.sleep(2)
        writers = [child("writer", port, data, first) for first in (1001, 2001)]
        log = [x for w in writers for x in json.loads(w.communicate()[0])]
        stop.touch()
        rs = [json.loads(r.communicate()[0]) for r in readers]
        con = connect(port, data)
        snapshots = con.execute("SELECT id FROM lake.current_snapshot()").fetchone()[0] - v0
        at_first = con.execute(f"SELECT count(*) FROM lake.conc AT (VERSION => {v0})").fetchone()[0]
        con.close()
    shutil.rmtree(work, ignore_errors=True)
    ok = [x["s"] for x in log if "error" not in x]
    errors = sorted({x["error"].replace("\n", " ") for x in log if "error" in x})
    reader_errors = sorted({e.replace("\n", " ") for r in rs for e in r["errors"]})
    lines = [
        "### DuckLake with a PostgreSQL catalog (server on loopback), two writers and two readers",
        "",
        f"`benchmarks/ducklake_postgres.py`: writers committed {len(ok)} of {len(log)} times "
        f"(median {statistics.median(ok):.2f} s, max {max(ok):.2f} s), {snapshots} snapshots; readers ran "
        f"{sum(r['queries'] for r in rs)} queries, {sum(len(r['errors']) for r in rs)} errors, "
        f"{sum(r['mixed'] for r in rs)} mixed answers, longest {max(r['max_s'] for r in rs):.2f} s; at the "
        f"first snapshot the table held {at_first} rows (created empty).",
    ]
    if errors or reader_errors:
        lines += ["", "Errors: " + " | ".join(f"`{e}`" for e in errors + reader_errors)]
    publish("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
