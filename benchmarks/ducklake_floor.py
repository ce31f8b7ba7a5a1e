"""What a DuckLake store would cost and guarantee (the design spike of issue 11), measured against
DuckDB's own load in the same run.

Input: the full-schema ACLED sample (31 columns, with event ids) replicated to ROWS rows, each copy's
``event_id_cnty`` made unique, written once as .csv.gz to benchmarks/.work/ ("release A"); release B is
release A with about 10,000 rows updated, deleted or inserted. The store under test is one folder:
``catalog.sqlite`` (DuckLake's catalog in SQLite), ``data/`` (Parquet files written by DuckLake) and
``archive/`` (the source file, by sha256: the raw row is kept by reference, as issue 11 decides). The
event rows carry the canonical fields from the ACLED reader's own SQL (peacewatch.sources), the
source's event id, a content hash, the archived file and the row's position in it (``source_row``).

Measured: (a) ingest against ``CREATE TABLE AS SELECT * FROM read_csv`` (each contender in its own
process: time and peak memory); (b) applying release B as a change set by event id (time, bytes
written) against reloading it whole; (c) time travel: a one-country daily series at the old and the
current snapshot, checked against the baseline tables; (d) concurrency with the SQLite catalog: one
or two writers, three readers, kill -9 of a writer; (e) Ibis over the attached lake with the project's
indicator expressions. Results are appended to docs/benchmarks.md.

DuckLake needs the ``duckdb-extension-ducklake`` and ``-sqlite`` packages, which exist for DuckDB 1.5.5
only and refuse to load in any other version. Without touching the project's environment:

    pip install --no-deps --target benchmarks/.work/duckdb-1.5.5 duckdb==1.5.5
    PYTHONPATH=benchmarks/.work/duckdb-1.5.5:src python benchmarks/ducklake_floor.py [--rows 2000000]
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import gzip
import hashlib
import importlib
import json
import os
import platform
import random
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ingest import DATA, WORK
from results import publish

ACLED_FULL = DATA / "acled_global_sample_2022" / "acled_sample_2022-01_2022-06_9000_events.csv.gz"
LAKE = WORK / "lake"
EXT_DIR = WORK / "duckdb_extensions"
RESULTS = WORK / "ducklake_results.json"
EXTENSIONS = {"ducklake": "ducklake", "sqlite": "sqlite_scanner"}


# ---------------------------------------------------------------- connections


def extension_file(package: str) -> Path:
    """The extension binary shipped by the PyPI package duckdb-extension-<package>."""
    mod = importlib.import_module(f"duckdb_extension_{package}")
    return next(Path(mod.__file__).parent.glob("extensions/*/*.duckdb_extension"))


def install_extensions() -> None:
    """Install the packaged extensions into the benchmark's own extension folder (once, before any
    child starts, so that processes never race to write the same file)."""
    import duckdb

    con = duckdb.connect(config={"extension_directory": str(EXT_DIR)})
    for package in EXTENSIONS:
        con.execute(f"INSTALL '{extension_file(package)}'")


def connect(store: Path | None = None, *, snapshot: int | None = None, alias: str = "lake"):
    """A DuckDB connection with DuckLake loaded and, given ``store``, its catalog attached as ``alias``
    (read-only at ``snapshot`` when one is given)."""
    import duckdb

    con = duckdb.connect(
        config={
            "extension_directory": str(EXT_DIR),
            "autoinstall_known_extensions": False,
            "autoload_known_extensions": False,
        }
    )
    con.execute("SET enable_progress_bar = false")
    for name in EXTENSIONS.values():
        con.execute(f"LOAD {name}")
    if store is not None:
        attach(con, store, snapshot=snapshot, alias=alias)
    return con


def attach(con, store: Path, *, snapshot: int | None = None, alias: str = "lake") -> None:
    # The catalog keeps the absolute data path it was created with; the files are relative to it, so a
    # store folder that was moved or copied opens where it now is only with OVERRIDE_DATA_PATH.
    opts = [f"DATA_PATH '{store / 'data'}/'", "OVERRIDE_DATA_PATH true"]
    if snapshot is not None:
        opts.append(f"SNAPSHOT_VERSION {snapshot}")
    con.execute(f"ATTACH 'ducklake:sqlite:{store / 'catalog.sqlite'}' AS {alias} ({', '.join(opts)})")


def current_snapshot(con, alias: str = "lake") -> int:
    return con.execute(f"SELECT id FROM {alias}.current_snapshot()").fetchone()[0]


# ---------------------------------------------------------------- inputs


def write_gzip_csv(con, select: str, target: Path) -> None:
    """Write ``select`` as CSV with a header, then gzip -1 it (DuckDB's own gzip writer is zlib level 6
    on one thread: ten times slower here)."""
    plain = target.with_suffix(".plain")
    con.execute(f"COPY ({select}) TO '{plain}' (HEADER, FORMAT csv)")
    tmp = target.with_suffix(".tmp")
    with open(tmp, "wb") as out:
        subprocess.run(["gzip", "-1", "-c", str(plain)], stdout=out, check=True)
    plain.unlink()
    tmp.rename(target)


def make_release_a(rows: int) -> Path:
    """The full-schema ACLED sample replicated to ``rows`` rows, ids made unique per copy (cached)."""
    target = WORK / f"acled_full_{rows}.csv.gz"
    if target.exists():
        return target
    import duckdb

    WORK.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect()
    n = con.execute(f"SELECT count(*) FROM read_csv('{ACLED_FULL}', all_varchar=true)").fetchone()[0]
    copies = -(-rows // n)
    write_gzip_csv(
        con,
        f"SELECT * REPLACE (event_id_cnty || 'R' || r.range AS event_id_cnty) "
        f"FROM range({copies}) r, read_csv('{ACLED_FULL}', all_varchar=true) LIMIT {rows}",
        target,
    )
    return target


def make_release_b(src: Path, rows: int) -> Path:
    """Release A with about a third of 10,000 rows each updated (fatalities + 1, notes revised),
    deleted, and inserted as new events (copies under new ids); chosen by a hash of the id (cached)."""
    target = WORK / f"acled_full_{rows}_release_b.csv.gz"
    if target.exists():
        return target
    import duckdb

    m = max(rows // 3334, 3)
    con = duckdb.connect()
    write_gzip_csv(
        con,
        f"""
        WITH a AS (SELECT *, hash(event_id_cnty) % {m} AS k FROM read_csv('{src}', all_varchar=true))
        SELECT * EXCLUDE (k) REPLACE (
            CASE WHEN k = 0 THEN CAST(CAST(fatalities AS DOUBLE) + 1 AS VARCHAR) ELSE fatalities END
                AS fatalities,
            CASE WHEN k = 0 THEN notes || ' [revised]' ELSE notes END AS notes)
        FROM a WHERE k <> 1
        UNION ALL
        SELECT * EXCLUDE (k) REPLACE (event_id_cnty || 'N' AS event_id_cnty) FROM a WHERE k = 2""",
        target,
    )
    return target


def reader_sql(src: Path) -> dict[str, str]:
    """The ACLED reader's scan, canonical field expressions, id expression and header for ``src``."""
    from peacewatch.sources.registry import plan_file

    plan = plan_file(src)
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        header = fh.readline().strip().split(",")
    return {
        "scan": plan.scan,
        "fields": ",\n  ".join(f'{expr} AS "{name}"' for name, expr in plan.fields.items()),
        "source_id": plan.source_id,
        "columns": ", ".join(f'"{c}"' for c in header),
        "columns_md5": "md5_number(concat_ws(chr(31), "
        + ", ".join(f'coalesce("{c}", chr(0))' for c in header)
        + "))",
    }


def event_select(sql: dict, file_id: str, dataset: str, *, row_numbers: bool, stable_hash: bool) -> str:
    """The SELECT that turns the scan into event rows (canonical fields + id + hash + reference)."""
    h = sql["columns_md5"] if stable_hash else f"hash({sql['columns']})"
    row = "row_number() OVER ()" if row_numbers else "NULL::BIGINT"
    return (
        f"SELECT '{dataset}' AS dataset_id, '{file_id}' AS source_file, {row} AS source_row, "
        f"{sql['source_id']} AS event_id, {sql['fields']}, {h} AS content_hash FROM ({sql['scan']})"
    )


# ---------------------------------------------------------------- children (one process each)


def child_baseline(src: str, database: str) -> None:
    import duckdb

    duckdb.connect(database).execute(f"CREATE TABLE t AS SELECT * FROM read_csv('{src}')")


def child_ingest(store: str, plan_file: str, variant: str) -> None:
    """Ingest release A into a fresh lake: archive the file by sha256, then one commit of its rows."""
    sql = json.loads(Path(plan_file).read_text())
    root = Path(store)
    src = Path(sql["src"])
    t0 = time.perf_counter()
    digest = hashlib.sha256(src.read_bytes()).hexdigest()
    (root / "archive").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(src, root / "archive" / f"{digest}.csv.gz")
    archive_s = time.perf_counter() - t0
    con = connect()
    con.execute(f"ATTACH 'ducklake:sqlite:{root / 'catalog.sqlite'}' AS lake (DATA_PATH '{root / 'data'}/')")
    select = event_select(
        sql,
        digest[:16],
        "A",
        row_numbers=variant != "rowid",
        stable_hash=variant == "md5",
    )
    con.execute(f"CREATE TABLE lake.events AS {select} LIMIT 0")
    con.execute("BEGIN")
    con.execute(f"INSERT INTO lake.events {select}")
    con.execute("CALL lake.set_commit_message('benchmark', 'peacewatch ingest release A')")
    con.execute("COMMIT")
    print(json.dumps({"archive_s": archive_s}))


def child_apply(store: str, plan_file: str, how: str) -> None:
    """Apply release B as a change set by event id; print the timings and counts as JSON."""
    sql = json.loads(Path(plan_file).read_text())
    src_b = Path(sql["src"])
    root = Path(store)
    out: dict = {}
    t0 = time.perf_counter()
    digest = hashlib.sha256(src_b.read_bytes()).hexdigest()
    shutil.copyfile(src_b, root / "archive" / f"{digest}.csv.gz")
    out["archive_s"] = time.perf_counter() - t0
    con = connect(root)
    t0 = time.perf_counter()
    # Stage release B (all of it must be read to know what changed), then diff it with the lake's
    # current rows by (event_id, content_hash): only the ids are compared, the wide rows stay in staging.
    con.execute(
        f"CREATE TEMP TABLE b AS {event_select(sql, digest[:16], 'A', row_numbers=True, stable_hash=False)}"
    )
    out["stage_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    con.execute(
        "CREATE TEMP TABLE cur AS SELECT event_id, content_hash FROM lake.events WHERE dataset_id = 'A'"
    )
    con.execute("CREATE TEMP TABLE changed AS SELECT b.* FROM b ANTI JOIN cur USING (event_id, content_hash)")
    con.execute("CREATE TEMP TABLE gone AS SELECT event_id FROM cur ANTI JOIN b USING (event_id)")
    out["diff_s"] = time.perf_counter() - t0
    out["updated"], out["inserted"] = con.execute(
        "SELECT count(*) FILTER (WHERE event_id IN (SELECT event_id FROM cur)), "
        "count(*) FILTER (WHERE event_id NOT IN (SELECT event_id FROM cur)) FROM changed"
    ).fetchone()
    out["deleted"] = con.execute("SELECT count(*) FROM gone").fetchone()[0]
    t0 = time.perf_counter()
    con.execute("BEGIN")
    if how == "merge":
        con.execute(
            "MERGE INTO lake.events e USING (SELECT * FROM changed) c "
            "ON e.event_id = c.event_id AND e.dataset_id = c.dataset_id "
            "WHEN MATCHED THEN UPDATE WHEN NOT MATCHED THEN INSERT"
        )
        con.execute(
            "DELETE FROM lake.events WHERE dataset_id = 'A' AND event_id IN (SELECT event_id FROM gone)"
        )
    else:
        con.execute(
            "DELETE FROM lake.events WHERE dataset_id = 'A' AND event_id IN "
            "(SELECT event_id FROM gone UNION ALL SELECT event_id FROM changed)"
        )
        con.execute("INSERT INTO lake.events SELECT * FROM changed")
    con.execute("CALL lake.set_commit_message('benchmark', 'peacewatch ingest release B (change set)')")
    con.execute("COMMIT")
    out["apply_s"] = time.perf_counter() - t0
    print(json.dumps(out))


def writer_lock(store: Path, wait_s: float = 60.0):
    """The store's writer lock as the design proposes it: flock on ``writer.lock`` in the store folder,
    waited for at most ``wait_s`` (polled), released by the kernel if the holder dies."""
    import fcntl

    fd = os.open(store / "writer.lock", os.O_RDWR | os.O_CREAT, 0o644)
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() > deadline:
                os.close(fd)
                raise TimeoutError(
                    f"another writer held {store / 'writer.lock'} for {wait_s:.0f} s"
                ) from None
            time.sleep(0.02)


def child_writer(store: str, first_tag: int, commits: int, pause: float, retries: int, lock: str) -> None:
    """Commit ``commits`` times to lake.conc: each commit inserts 2 x 500 rows tagged ``tag`` and
    deletes the rows two tags back, so any reader sees whole tags of exactly 1,000 rows. DuckLake
    retries a commit that meets a conflict or a locked catalog ``retries`` times (its default: 10,
    from 100 ms, backoff 1.5)."""
    con = connect(Path(store))
    con.execute(f"SET ducklake_max_retry_count = {retries}")
    log = []
    for tag in range(first_tag, first_tag + commits):
        t0 = time.perf_counter()
        fd = None
        try:
            fd = writer_lock(Path(store)) if lock == "flock" else None
            con.execute("BEGIN")
            for _ in range(2):
                con.execute(f"INSERT INTO lake.conc SELECT {tag} AS tag, range AS i FROM range(500)")
            con.execute(f"DELETE FROM lake.conc WHERE tag = {tag - 2}")
            con.execute("COMMIT")
            log.append({"tag": tag, "s": time.perf_counter() - t0})
        except Exception as e:
            with contextlib.suppress(Exception):  # no transaction left to roll back
                con.execute("ROLLBACK")
            log.append(
                {
                    "tag": tag,
                    "s": time.perf_counter() - t0,
                    "error": f"{type(e).__name__}: {e}"[:500],
                }
            )
        finally:
            if fd is not None:
                os.close(fd)
        time.sleep(pause)
    print(json.dumps(log))


def child_big_writer(store: str, rows: int) -> None:
    """One large commit: copy ``rows`` events of dataset A as dataset C."""
    con = connect(Path(store))
    con.execute("BEGIN")
    con.execute(
        f"INSERT INTO lake.events SELECT * REPLACE ('C' AS dataset_id) FROM lake.events "
        f"WHERE dataset_id = 'A' LIMIT {rows}"
    )
    con.execute("COMMIT")


def child_reader(store: str, stop: str, query: str) -> None:
    """Run ``query`` in a loop until ``stop`` exists; record latencies, errors and the answers seen."""
    con = connect(Path(store))
    answers: dict[str, int] = {}
    lat, errors = [], []
    while not os.path.exists(stop):
        t0 = time.perf_counter()
        try:
            got = con.execute(query).fetchall()
            key = json.dumps(sorted(got))
            answers[key] = answers.get(key, 0) + 1
        except Exception as e:
            errors.append(f"{type(e).__name__}: {e}"[:500])
        lat.append(time.perf_counter() - t0)
    print(
        json.dumps(
            {
                "queries": len(lat),
                "max_s": max(lat, default=0),
                "median_s": statistics.median(lat or [0]),
                "errors": errors[:5],
                "n_errors": len(errors),
                "answers": answers,
            }
        )
    )


def spawn(*args: str, capture: bool = True) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, __file__, "--child", *args],
        stdout=subprocess.PIPE if capture else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def run_child(name: str, *args: str, rows: int) -> tuple[dict, str]:
    """Run a child process; return its wall seconds, CPU seconds (user + system, from the kernel: less
    sensitive than wall time to other processes sharing the cores), peak memory, and what it printed."""
    with open(WORK / "child_err.txt", "w") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, __file__, "--child", name, *args],
            stdout=subprocess.PIPE,
            stderr=err,
            text=True,
        )
        printed = proc.stdout.read()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{name} failed:\n{(WORK / 'child_err.txt').read_text()}")
    cpu = usage.ru_utime + usage.ru_stime
    return {
        "name": name,
        "seconds": seconds,
        "cpu_s": cpu,
        "peak_mb": usage.ru_maxrss / 1024,
    }, printed


# ---------------------------------------------------------------- measurements


def folder_bytes(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def fresh(path: Path) -> Path:
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    return path


def ingest_phase(src: Path, plan: Path, rows: int) -> tuple[list[dict], Path]:
    res = []
    base_db = WORK / "baseline_a.duckdb"
    base_db.unlink(missing_ok=True)
    r, _ = run_child("baseline", str(src), str(base_db), rows=rows)
    r.update(
        label="DuckDB CREATE TABLE AS SELECT * FROM read_csv (the baseline)",
        mb=base_db.stat().st_size / 1e6,
    )
    res.append(r)
    variants = [
        (
            "rownum",
            "DuckLake: canonical fields + id + hash() + source_row (row_number() OVER ()) + archive copy",
        ),
        (
            "rowid",
            "DuckLake: the same without source_row (no window; DuckLake's row id is then not the file "
            "position)",
        ),
        (
            "md5",
            "DuckLake: as the first, content hash md5 (stable across DuckDB versions) instead of hash()",
        ),
    ]
    for variant, label in variants:
        store = fresh(LAKE / variant)
        r, printed = run_child("ingest", str(store), str(plan), variant, rows=rows)
        r.update(json.loads(printed))
        r.update(
            label=label,
            mb=(folder_bytes(store) - folder_bytes(store / "archive")) / 1e6,
            store=store,
        )
        res.append(r)
    res[1]["positions"] = check_positions(src)
    return res, LAKE / "rownum"


def check_positions(src: Path) -> dict:
    """Whether ``source_row`` (window) and DuckLake's row id give each row's position in the file:
    counts of rows that differ from pyarrow's CSV reader, which keeps the file's order."""
    import pyarrow as pa
    import pyarrow.csv as pc

    opts = pc.ConvertOptions(include_columns=["event_id_cnty"], column_types={"event_id_cnty": pa.string()})
    ids = pc.read_csv(src, convert_options=opts).column(0)
    truth = pa.table({"event_id": ids, "pos": pa.array(range(1, len(ids) + 1), pa.int64())})
    out = {"of": len(ids)}
    for variant, expr in (
        ("rownum", "e.source_row"),
        ("rownum_rowid", "e.rowid - m.r0 + 1"),
        ("rowid", "e.rowid - m.r0 + 1"),
    ):
        con = connect(LAKE / variant.split("_")[0])
        con.register("truth", truth)
        out[variant] = con.execute(
            f"SELECT count(*) FILTER (WHERE {expr} <> t.pos) FROM lake.events e "
            "JOIN truth t USING (event_id), (SELECT min(rowid) AS r0 FROM lake.events) m"
        ).fetchone()[0]
        con.close()
    return out


def change_phase(store: Path, src_b: Path, plan_b: Path, rows: int) -> list[dict]:
    res = []
    base_db = WORK / "baseline_b.duckdb"
    base_db.unlink(missing_ok=True)
    r, _ = run_child("baseline", str(src_b), str(base_db), rows=rows)
    r.update(label="reload release B whole: CREATE TABLE AS SELECT * FROM read_csv (the baseline)")
    res.append(r)
    for how, target in (("delete+insert", store), ("merge", LAKE / "merge")):
        if how == "merge":  # a copy of the lake as it was after release A (catalog + files)
            if target.exists():
                shutil.rmtree(target)
            shutil.copytree(LAKE / "before_b", target)
        data_before = {f for f in (target / "data").rglob("*") if f.is_file()}
        cat_before = (target / "catalog.sqlite").stat().st_size
        r, printed = run_child("apply", str(target), str(plan_b), how, rows=rows)
        r.update(json.loads(printed))
        added = [f for f in (target / "data").rglob("*") if f.is_file() and f not in data_before]
        r.update(
            label=f"DuckLake change set ({how})",
            files_added=len(added),
            bytes_added=sum(f.stat().st_size for f in added),
            catalog_growth=(target / "catalog.sqlite").stat().st_size - cat_before,
            store_bytes=folder_bytes(target / "data"),
        )
        res.append(r)
    return res


def series_sql(table: str, country: str, at: str = "") -> str:
    return (
        f"SELECT date_start, count(*) AS n, sum(fatalities_best) AS f FROM {table} {at} "
        f"WHERE country = '{country}' GROUP BY ALL ORDER BY date_start"
    )


def timed(con, sql: str, repeat: int = 5) -> tuple[float, list]:
    got = con.execute(sql).fetchall()  # warm
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        con.execute(sql).fetchall()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), got


def time_travel_phase(store: Path, v_a: int) -> dict:
    import duckdb

    con = connect(store)
    country = con.execute(
        "SELECT country FROM lake.events GROUP BY ALL ORDER BY count(*) DESC LIMIT 1"
    ).fetchone()[0]
    base = {}
    for name in ("a", "b"):
        b = duckdb.connect(str(WORK / f"baseline_{name}.duckdb"), read_only=True)
        base[name] = b.execute(
            f"SELECT event_date, count(*), sum(fatalities) FROM t WHERE country = '{country}' "
            "GROUP BY ALL ORDER BY event_date"
        ).fetchall()
        if name == "a":
            base["sql_s"], _ = timed(
                b,
                f"SELECT event_date, count(*), sum(fatalities) FROM t WHERE country = '{country}' "
                "GROUP BY ALL ORDER BY event_date",
            )
    old_s, old = timed(con, series_sql("lake.events", country, f"AT (VERSION => {v_a})"))
    cur_s, cur = timed(con, series_sql("lake.events", country))
    attach(con, store, snapshot=v_a, alias="lake_a")
    att_s, att = timed(con, series_sql("lake_a.events", country))

    def same(x, y):
        return [(d, n, float(f or 0)) for d, n, f in x] == [(d, n, float(f or 0)) for d, n, f in y]

    return {
        "country": country,
        "days": len(cur),
        "old_equals_release_a": same(old, base["a"]),
        "attached_old_equals_release_a": same(att, base["a"]),
        "current_equals_release_b": same(cur, base["b"]),
        "old_differs_from_current": not same(old, cur),
        "old_s": old_s,
        "current_s": cur_s,
        "attached_old_s": att_s,
        "baseline_sql_s": base["sql_s"],
    }


def concurrency_phase(store: Path, journal: str, retries: int, lock: str, full: bool) -> dict:
    """Writers and readers in separate processes, the SQLite catalog in ``journal`` mode; writers take
    the store's flock first when ``lock`` is 'flock'. ``full``: also one writer alone, a large commit
    and kill -9 trials."""
    import sqlite3

    db = sqlite3.connect(store / "catalog.sqlite")
    mode = db.execute(f"PRAGMA journal_mode={journal}").fetchone()[0]
    db.close()
    con = connect(store)
    con.execute("DROP TABLE IF EXISTS lake.conc")
    con.execute("CREATE TABLE lake.conc (tag INTEGER, i BIGINT)")
    con.close()
    out: dict = {"journal_mode": mode, "retries": retries, "lock": lock}
    q_conc = "SELECT tag, count(*) FROM lake.conc GROUP BY tag"

    def readers(n: int, query: str, stop: Path) -> list[subprocess.Popen]:
        stop.unlink(missing_ok=True)
        return [spawn("reader", str(store), str(stop), query) for _ in range(n)]

    def finish(procs: list[subprocess.Popen], stop: Path) -> list[dict]:
        stop.touch()
        return [json.loads(p.communicate()[0] or "null") for p in procs]

    def mixes(rs: list[dict]) -> int:
        # A mix is a tag with other than 1,000 rows: part of a commit.
        bad = 0
        for r in rs:
            for key, times in r["answers"].items():
                if any(c != 1000 for _, c in json.loads(key)):
                    bad += times
        return bad

    stop = WORK / "stop"
    if full:  # d1: one writer, 20 commits, three readers
        rs = readers(3, q_conc, stop)
        time.sleep(2)
        w = spawn("writer", str(store), "1", "12", "0.05", str(retries), lock)
        log = json.loads(w.communicate()[0])
        time.sleep(0.5)
        rr = finish(rs, stop)
        out["one_writer"] = summarise(log, rr, mixes(rr))
    # d2: two writers at once, three readers
    rs = readers(3, q_conc, stop)
    time.sleep(1)
    ws = [spawn("writer", str(store), str(first), "10", "0.0", str(retries), lock) for first in (1001, 2001)]
    logs = [json.loads(w.communicate()[0]) for w in ws]
    rr = finish(rs, stop)
    out["two_writers"] = summarise(logs[0] + logs[1], rr, mixes(rr))
    if not full:
        return out
    # d3: one large commit (up to 200,000 events) while three readers count events per dataset
    con = connect(store)
    con.execute("DELETE FROM lake.events WHERE dataset_id = 'C'")
    q_big = "SELECT dataset_id, count(*) FROM lake.events GROUP BY ALL"
    before = con.execute(q_big).fetchall()
    con.close()
    rs = readers(3, q_big, stop)
    time.sleep(1)
    t0 = time.perf_counter()
    big = spawn("big_writer", str(store), "200000")
    big.communicate()
    big_s = time.perf_counter() - t0
    time.sleep(1)
    rr = finish(rs, stop)
    con = connect(store)
    after = sorted(con.execute(q_big).fetchall())
    con.close()
    seen = {k for r in rr for k in r["answers"]}
    out["large_commit"] = {
        "rows": dict(after).get("C", 0),
        "writer_s": big_s,
        "queries": sum(r["queries"] for r in rr),
        "errors": sum(r["n_errors"] for r in rr),
        "max_reader_s": max(r["max_s"] for r in rr),
        "error_kinds": sorted({e[:200] for r in rr for e in r["errors"]})[:3],
        "answers_neither_before_nor_after": len(seen - {json.dumps(sorted(before)), json.dumps(after)}),
        "saw_before_and_after": {json.dumps(sorted(before)), json.dumps(after)} <= seen,
    }
    out["kill9"] = kill_phase(store, retries, lock)
    return out


def summarise(log: list[dict], rr: list[dict], mixed: int) -> dict:
    ok = [x["s"] for x in log if "error" not in x]
    return {
        "commits_ok": len(ok),
        "commits_failed": len(log) - len(ok),
        "writer_errors": sorted({x["error"][:400] for x in log if "error" in x})[:3],
        "commit_median_s": statistics.median(ok) if ok else None,
        "commit_max_s": max(ok) if ok else None,
        "reader_queries": sum(r["queries"] for r in rr),
        "reader_errors": sum(r["n_errors"] for r in rr),
        "reader_error_kinds": sorted({e[:400] for r in rr for e in r["errors"]})[:3],
        "reader_max_s": max(r["max_s"] for r in rr),
        "reader_median_s": statistics.median([r["median_s"] for r in rr]),
        "mixed_answers": mixed,
    }


def kill_phase(store: Path, retries: int, lock: str) -> list[dict]:
    """kill -9 a committing writer at random moments; then the lake must open at a whole snapshot,
    every tag whole, and the next write succeed."""
    rng = random.Random(11)
    trials = []
    tag = 5001
    for i in range(5):
        con = connect(store)
        snap_before = current_snapshot(con)
        con.close()
        big = i % 3 == 1
        p = (
            spawn("big_writer", str(store), "300000")
            if big
            else spawn("writer", str(store), str(tag), "40", "0.0", str(retries), lock)
        )
        delay = rng.uniform(1.0, 4.0)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.communicate()
        tag += 100
        t = {
            "writer": "one 300k-row commit" if big else "40 small commits",
            "killed_after_s": round(delay, 2),
        }
        try:
            con = connect(store)
            snap = current_snapshot(con)
            tags = con.execute("SELECT tag, count(*) FROM lake.conc GROUP BY tag").fetchall()
            con.execute("SELECT count(*), sum(fatalities_best) FROM lake.events").fetchall()
            orphans = con.execute(
                "SELECT count(*) FROM ducklake_delete_orphaned_files('lake', dry_run => true, "
                "older_than => now())"
            ).fetchone()[0]
            con.execute(f"INSERT INTO lake.conc SELECT {tag} AS tag, range FROM range(1000)")
            con.execute(f"DELETE FROM lake.conc WHERE tag = {tag}")
            t.update(
                open_ok=True,
                snapshots_committed=snap - snap_before,
                torn_tags=sum(1 for _, c in tags if c != 1000),
                orphan_files=orphans,
                next_write_ok=True,
            )
            con.close()
        except Exception as e:
            t.update(open_ok=False, error=f"{type(e).__name__}: {e}"[:300])
        trials.append(t)
    return trials


def ibis_phase(store: Path, v_a: int, country: str) -> dict:
    """The project's indicator expressions over a table of the attached lake, current and at release A."""
    import ibis

    from peacewatch.indicators.calendar import Span
    from peacewatch.indicators.filters import Filters, filter_events
    from peacewatch.indicators.series import event_series

    con = ibis.duckdb.connect(extension_directory=str(EXT_DIR))
    raw = con.con
    for name in EXTENSIONS.values():
        raw.execute(f"LOAD {name}")
    attach(raw, store)
    attach(raw, store, snapshot=v_a, alias="lake_a")
    span = Span(dt.date(2022, 1, 1), dt.date(2022, 6, 30))
    f = Filters(country=country, date_from=span.start, date_to=span.end)
    out = {}
    for alias in ("lake", "lake_a"):
        t = con.table("events", database=(alias, "main")).mutate(superseded_by=ibis.null("string"))
        expr = event_series(filter_events(t, f, [{"dataset_id": "A"}], all_datasets=True), span, "day")
        t0 = time.perf_counter()
        got = expr.execute()
        ibis_s = time.perf_counter() - t0
        sql_s, sql = timed(raw, series_sql(f"{alias}.events", country), repeat=3)
        by_day = {d: n for d, n, _ in sql}
        same = all(by_day.get(r.period_start.date(), 0) == r.value for r in got.itertuples())
        out[alias] = {
            "ibis_s": ibis_s,
            "sql_s": sql_s,
            "equal": bool(same),
            "total": float(got.value.sum()),
        }
    return out


def export_phase(store: Path, v_a: int, country: str) -> dict:
    """`peacewatch export --snapshot N DIR` as it would be: the lake attached at release A's snapshot,
    copied to Parquet partitioned by dataset and year; then Spark (local) reads the export and runs
    the project's series expressions through ibis.pyspark. Also: what a reader that globbed the lake's
    own data files would count (DuckLake keeps deletions in separate files and the catalog decides
    which files are live, so such a reader is wrong)."""
    out_dir = WORK / "export"
    if out_dir.exists():
        shutil.rmtree(out_dir)
    con = connect(store, snapshot=v_a)
    t0 = time.perf_counter()
    con.execute(
        f"COPY (SELECT *, year(date_start) AS year FROM lake.events) TO '{out_dir}' "
        "(FORMAT parquet, PARTITION_BY (dataset_id, year))"
    )
    export_s = time.perf_counter() - t0
    rows = con.execute("SELECT count(*) FROM lake.events").fetchone()[0]
    con.close()
    con = connect(store)
    files = con.execute("SELECT data_file, delete_file FROM ducklake_list_files('lake', 'events')").fetchall()
    true_now = con.execute("SELECT count(*) FROM lake.events").fetchone()[0]
    con.close()
    import duckdb

    # A naive reader: every non-empty data file in the folder (delete files and the empty files that
    # killed writers leave behind set aside), as Spark would see `data/main/events/*.parquet`.
    naive = [
        str(f)
        for f in (store / "data" / "main" / "events").glob("*.parquet")
        if f.stat().st_size and not f.name.endswith("-delete.parquet")
    ]
    globbed = duckdb.connect().execute(f"SELECT count(*) FROM read_parquet({naive})").fetchone()[0]
    p = spawn("spark", str(out_dir), country, str(v_a))
    try:
        printed, err = p.communicate(timeout=420)
        spark = json.loads(printed) if p.returncode == 0 else {"error": err.strip().splitlines()[-1:]}
    except subprocess.TimeoutExpired:
        p.kill()
        spark = {"error": "timed out after 420 s"}
    con = connect(store, snapshot=v_a)
    duck = {str(d): n for d, n, _ in con.execute(series_sql("lake.events", country)).fetchall()}
    if "by_day" in spark:
        spark["equal_to_duckdb_at_snapshot"] = spark.pop("by_day") == duck
    return {
        "export_s": export_s,
        "rows": rows,
        "export_mb": folder_bytes(out_dir) / 1e6,
        "partitions": len(list(out_dir.glob("*/*"))),
        "live_data_files_now": len(files),
        "live_delete_files_now": sum(1 for _, d in files if d),
        "rows_now": true_now,
        "rows_if_data_files_globbed": globbed,
        "spark": spark,
    }


def child_spark(export: str, country: str, _snapshot: str) -> None:
    import ibis
    from pyspark.sql import SparkSession

    from peacewatch.indicators.calendar import Span
    from peacewatch.indicators.filters import Filters, filter_events
    from peacewatch.indicators.series import event_counts

    t0 = time.perf_counter()
    spark = (
        SparkSession.builder.master("local[2]")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.shuffle.partitions", "4")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    start_s = time.perf_counter() - t0
    spark.read.parquet(export).createOrReplaceTempView("events")
    t = ibis.pyspark.connect(spark).table("events").mutate(superseded_by=ibis.null("string"))
    span = Span(dt.date(2022, 1, 1), dt.date(2022, 6, 30))
    f = Filters(country=country, date_from=span.start, date_to=span.end)
    t0 = time.perf_counter()
    got = event_counts(filter_events(t, f, [{"dataset_id": "A"}], all_datasets=True), "day").execute()
    query_s = time.perf_counter() - t0
    by_day = {
        str(r.period_start.date() if hasattr(r.period_start, "date") else r.period_start): int(r.value)
        for r in got.itertuples()
    }
    spark.stop()
    print(json.dumps({"start_s": start_s, "query_s": query_s, "by_day": by_day}))


# ---------------------------------------------------------------- report


CHILDREN = {
    "baseline": child_baseline,
    "ingest": child_ingest,
    "apply": child_apply,
    "writer": lambda s, f, c, p, r="10", lk="none": child_writer(s, int(f), int(c), float(p), int(r), lk),
    "big_writer": lambda s, r: child_big_writer(s, int(r)),
    "reader": child_reader,
    "spark": child_spark,
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    parser.add_argument(
        "--report-only",
        action="store_true",
        help="publish the last run's saved results",
    )
    parser.add_argument("--only", choices=["ingest"], help="run only this phase (inputs cached)")
    args = parser.parse_args()
    if args.report_only:
        publish(report(**json.loads(RESULTS.read_text())))
        return
    if args.child:
        CHILDREN[args.child[0]](*args.child[1:])
        return
    import duckdb

    if duckdb.__version__ != "1.5.5":
        raise SystemExit(
            f"DuckDB {duckdb.__version__} is imported, but the duckdb-extension-* packages exist for 1.5.5 "
            "only and refuse to load in any other version. See this script's docstring."
        )
    install_extensions()
    t_start = time.perf_counter()
    src = make_release_a(args.rows)
    src_b = make_release_b(src, args.rows)
    plans = {}
    for name, path in (("a", src), ("b", src_b)):
        plans[name] = WORK / f"plan_{name}.json"
        plans[name].write_text(json.dumps(dict(reader_sql(path), src=str(path))))
    print(f"inputs ready after {time.perf_counter() - t_start:.1f} s", flush=True)
    if args.only == "ingest":
        ingest, _ = ingest_phase(src, plans["a"], args.rows)
        (WORK / "ducklake_ingest_results.json").write_text(json.dumps(ingest, default=str))
        publish(report_ingest_only(args.rows, str(src), ingest, time.perf_counter() - t_start))
        return

    ingest, store = ingest_phase(src, plans["a"], args.rows)
    print(json.dumps(ingest, default=str), flush=True)
    con = connect(store)
    v_a = current_snapshot(con)
    con.close()
    if (LAKE / "before_b").exists():
        shutil.rmtree(LAKE / "before_b")
    shutil.copytree(store, LAKE / "before_b")
    change = change_phase(store, src_b, plans["b"], args.rows)
    print(json.dumps(change, default=str), flush=True)
    travel = time_travel_phase(store, v_a)
    print(json.dumps(travel, default=str), flush=True)
    via_ibis = ibis_phase(store, v_a, travel["country"])
    print(json.dumps(via_ibis, default=str), flush=True)
    export = export_phase(store, v_a, travel["country"])
    print(json.dumps(export, default=str), flush=True)
    conc = {}
    for journal, retries, lock, full in (
        ("delete", 10, "none", True),
        ("wal", 100, "none", False),
        ("wal", 10, "flock", True),
    ):
        conc[f"{journal}/{lock}"] = concurrency_phase(store, journal, retries, lock, full)
        print(json.dumps(conc[f"{journal}/{lock}"], default=str), flush=True)
    total = time.perf_counter() - t_start
    saved = dict(rows=args.rows, src=str(src), ingest=ingest, change=change, travel=travel)
    saved.update(via_ibis=via_ibis, export=export, conc=conc, total=total)
    RESULTS.write_text(json.dumps(saved, default=str))
    publish(report(**saved))


def export_line(e: dict) -> str:
    sp = e["spark"]
    if "error" in sp:
        spark = f"Spark failed: `{sp['error']}`"
    else:
        spark = (
            "Spark (local[2], ibis.pyspark, the project's `filter_events` + `event_counts`) read it: "
            f"session "
            f"{sp['start_s']:.1f} s, query {sp['query_s']:.1f} s, daily counts equal to DuckDB's at that "
            f"snapshot: {sp['equal_to_duckdb_at_snapshot']}"
        )
    return (
        "Export of release A's snapshot (attached with `SNAPSHOT_VERSION`) to Parquet partitioned by "
        "dataset "
        f"and year: {e['rows']:,} rows in {e['export_s']:.1f} s, {e['export_mb']:,.0f} MB, {e['partitions']} "
        f"partitions. {spark}. Reading the lake's own folder instead is wrong: now {e['rows_now']:,} rows "
        "are "
        f"live, but its non-empty data files hold {e['rows_if_data_files_globbed']:,} (deleted rows sit in "
        f"delete files, and files of killed writers or expired snapshots stay until cleaned)."
    )


def ingest_table(ingest: list[dict]) -> list[str]:
    """The ingest contenders: wall time and, where measured, CPU time, each against the baseline."""
    base, base_cpu = ingest[0]["seconds"], ingest[0].get("cpu_s")
    lines = [
        "| ingest | wall s | wall vs baseline | CPU s | CPU vs baseline | peak memory (MB) | on disk (MB) |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in ingest:
        cpu = r.get("cpu_s")
        cpu_cells = f"{cpu:.1f} | {cpu / base_cpu:.2f}x" if cpu and base_cpu else " | "
        lines.append(
            f"| {r['label']} | {r['seconds']:.1f} | {r['seconds'] / base:.2f}x | {cpu_cells} | "
            f"{r['peak_mb']:,.0f} | {r['mb']:,.0f} |"
        )
    arch = ingest[1].get("archive_s")
    pos = ingest[1].get("positions")
    if pos:
        lines += [
            "",
            "Rows whose position in the file (pyarrow's CSV reader) differs from `source_row` by the "
            f"window: {pos['rownum']:,}; from DuckLake's row id in that lake: {pos['rownum_rowid']:,}; from "
            f"DuckLake's row id in the lake written without the window: {pos['rowid']:,} of {pos['of']:,}.",
        ]
    return [
        *lines,
        "",
        f"Of the DuckLake ingest, sha256 + copy of the source file into `archive/`: {arch:.2f} s.",
    ]


def report_ingest_only(rows: int, src: str, ingest: list[dict], total: float) -> str:
    lines = [
        f"### DuckLake store spike, ingest again with CPU time, {rows:,} rows "
        f"({dt.date.today().isoformat()}, {os.cpu_count()} cores, DuckDB 1.5.5)",
        "",
        f"`benchmarks/ducklake_floor.py --only ingest` ({total:.0f} s): the same contenders and input "
        f"({Path(src).stat().st_size / 1e6:,.0f} MB gzip), each in its own process; CPU time is user + "
        "system from the kernel, which other engineers' processes on the same two cores disturb far "
        "less than wall time.",
        "",
        *ingest_table(ingest),
    ]
    return "\n".join(lines) + "\n"


def report(rows, src, ingest, change, travel, via_ibis, export, conc, total) -> str:
    src = Path(src)
    gz = src.stat().st_size / 1e6
    lines = [
        f"### DuckLake store spike, {rows:,} rows ({dt.date.today().isoformat()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, DuckDB 1.5.5, SQLite catalog)",
        "",
        f"Input: the full-schema ACLED sample replicated to {rows:,} rows with unique ids, gzip "
        f"({gz:,.0f} MB). Script: `benchmarks/ducklake_floor.py` ({total:.0f} s in all). Each ingest in its "
        "own "
        "process; 'vs baseline' is its time over the baseline's in this run.",
        "",
        *ingest_table(ingest),
        "",
    ]
    rb = change[0]["seconds"]
    lines += [
        "| release B (change set by event id) | seconds (process) | stage B | diff | apply (commit) "
        "| rows upd/del/ins | files added | bytes added | catalog growth |",
        "|---|---:|---:|---:|---:|---|---:|---:|---:|",
        f"| {change[0]['label']} | {rb:.2f} | | | | | | | |",
    ]
    for r in change[1:]:
        lines.append(
            f"| {r['label']} | {r['seconds']:.2f} | {r['stage_s']:.2f} | {r['diff_s']:.2f} | "
            f"{r['apply_s']:.2f} | "
            f"{r['updated']:,}/{r['deleted']:,}/{r['inserted']:,} | {r['files_added']} | "
            f"{r['bytes_added'] / 1e6:.2f} MB | {r['catalog_growth'] / 1e3:,.0f} kB |"
        )
    t = travel
    lines += [
        "",
        f"Time travel, daily series of {t['country']} ({t['days']} days; count and fatalities), median of "
        "5 warm: "
        f"at release A's snapshot `AT (VERSION => n)` {t['old_s'] * 1000:.0f} ms, attached at that snapshot "
        f"(`SNAPSHOT_VERSION`) {t['attached_old_s'] * 1000:.0f} ms, current {t['current_s'] * 1000:.0f} ms; "
        f"hand-written SQL on the baseline DuckDB table {t['baseline_sql_s'] * 1000:.0f} ms. "
        f"Old snapshot equals release A loaded by DuckDB: {t['old_equals_release_a']} (attached: "
        f"{t['attached_old_equals_release_a']}); current equals release B: {t['current_equals_release_b']}; "
        f"the two differ: {t['old_differs_from_current']}.",
        "",
        "Ibis (`ibis.duckdb.connect`, ATTACH, `con.table('events', database=(lake, 'main'))`) with the "
        "project's "
        "`filter_events` + `event_series`: "
        + "; ".join(
            f"{k}: {v['ibis_s'] * 1000:.0f} ms (SQL {v['sql_s'] * 1000:.0f} ms), equal to SQL: {v['equal']}"
            for k, v in via_ibis.items()
        )
        + ".",
        "",
        export_line(export),
        "",
        "| concurrency (SQLite catalog) | journal | commits ok / failed | commit median / max (s) "
        "| reader queries | reader errors | reader max (s) | mixed answers |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    notes = []
    for cm in conc.values():
        j = f"{cm['journal_mode']}, {cm['retries']} retries" + (", flock" if cm["lock"] == "flock" else "")
        for key, label in (
            ("one_writer", "1 writer, 12 commits, 3 readers"),
            ("two_writers", "2 writers, 10 commits each, 3 readers"),
        ):
            if key not in cm:
                continue
            c = cm[key]
            med = f"{c['commit_median_s']:.2f} / {c['commit_max_s']:.2f}" if c["commit_median_s"] else ""
            lines.append(
                f"| {label} | {j} | {c['commits_ok']} / {c['commits_failed']} | {med} | "
                f"{c['reader_queries']} | "
                f"{c['reader_errors']} | {c['reader_max_s']:.2f} | {c['mixed_answers']} |"
            )
            notes += c["writer_errors"] + c["reader_error_kinds"]
        if "large_commit" not in cm:
            continue
        big = cm["large_commit"]
        lines.append(
            f"| 1 commit of {big['rows']:,} events ({big['writer_s']:.1f} s), 3 readers counting per "
            f"dataset | {j} | 1 / 0 | | {big['queries']} | {big['errors']} | {big['max_reader_s']:.2f} | "
            f"{big['answers_neither_before_nor_after']} |"
        )
        notes += big["error_kinds"]
    if notes:
        lines += [
            "",
            "Errors met: " + " | ".join(f"`{e}`".replace("\n", " ") for e in sorted(set(notes))),
        ]
    for cm in conc.values():
        if "kill9" not in cm:
            continue
        k = cm["kill9"]
        lines += [
            "",
            f"kill -9 of a writer ({cm['journal_mode']} journal, lock: {cm['lock']}), {len(k)} trials at "
            "1-4 s: the next open worked in "
            f"{sum(x.get('open_ok', False) for x in k)}, torn tags {sum(x.get('torn_tags', 0) for x in k)}, "
            f"next write worked in {sum(x.get('next_write_ok', False) for x in k)}; snapshots the killed "
            "writer "
            f"had committed: {', '.join(str(x.get('snapshots_committed')) for x in k)}; orphaned data files "
            f"(cumulative, before cleanup): {', '.join(str(x.get('orphan_files')) for x in k)}.",
        ]
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    main()
