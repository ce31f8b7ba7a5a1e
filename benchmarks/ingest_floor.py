"""What the store's contract costs: lower bounds for an ingest that keeps the raw row and gives rows
without source ids occurrence-numbered ids, measured against DuckDB's own load in the same run.

The ingest benchmark (benchmarks/ingest.py) compares peacewatch with DuckDB's
``CREATE TABLE AS SELECT * FROM read_csv(...)`` and with pandas. This script asks what any design
would need: each contender below is one ingredient of the schema in docs/schema.md (the raw row, the
canonical fields from the ACLED reader's own SQL, content hashes, row numbers, occurrence numbers),
done by DuckDB alone with nothing else around it, each in its own process on the same input (timed,
peak memory from the kernel). A design cannot be faster than the sum of the ingredients it needs.

    python benchmarks/ingest_floor.py [--rows 10000000] [--contract [--publish]]

``--contract`` runs only the store's whole contract as one statement, the baseline and peacewatch's
own ingest, with CPU times (docs/adr/0019).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import json
import os
import platform
import sys
from pathlib import Path

from ingest import WORK, make_input, measure
from results import publish

# Run in a child process: argv = [sql-file, database-or-empty]; statements separated by ';\n'.
RUNNER = """
import duckdb, sys
con = duckdb.connect(sys.argv[2] or ':memory:')
for stmt in open(sys.argv[1], encoding='utf-8').read().split(';\\n'):
    if stmt.strip():
        con.execute(stmt)
"""


def reader_sql(src: Path) -> dict[str, str]:
    """The ACLED reader's own scan and canonical field expressions for ``src`` (as peacewatch plans it)."""
    from peacewatch.sources.registry import plan_file

    plan = plan_file(src)
    scan = f"read_csv('{src}', all_varchar=true)"
    fields = ",\n  ".join(f'{expr} AS "{name}"' for name, expr in plan.fields.items())
    header = csv_header(src)
    columns = ", ".join(f'"{c}"' for c in header)
    raw_json = "json_object(" + ", ".join(f"'{c}', \"{c}\"" for c in header) + ")"
    reasons = ", ".join(f"CASE WHEN ({c.bad}) THEN ({c.reason}) END" for c in plan.checks)
    checks = f"NULLIF(concat_ws('; ', {reasons}), '')"
    return {"scan": scan, "fields": fields, "columns": columns, "raw_json": raw_json, "checks": checks}


def csv_header(src: Path) -> list[str]:
    """The column names in the first line of the gzip CSV ``src``."""
    with gzip.open(src, "rt", encoding="utf-8") as fh:
        return fh.readline().strip().split(",")


def contenders(src: Path, out: Path) -> list[tuple[str, str, str]]:
    """(name, SQL, database) for each ingredient; database '' means in memory."""
    s = reader_sql(src)
    scan, fields, columns, raw_json = s["scan"], s["fields"], s["columns"], s["raw_json"]
    h = f"hash({columns})"
    return [
        (
            "DuckDB CREATE TABLE AS read_csv (the baseline)",
            f"CREATE TABLE t AS SELECT * FROM read_csv('{src}')",
            "base",
        ),
        ("scan only: count the rows of the gzip CSV", f"SELECT count(*) FROM {scan}", ""),
        (
            "raw row as text columns, DuckDB table (CTAS all_varchar)",
            f"CREATE TABLE t AS SELECT * FROM {scan}",
            "varchar",
        ),
        (
            "raw row as JSON beside the text columns, DuckDB table",
            f"CREATE TABLE t AS SELECT *, {raw_json} AS raw FROM {scan}",
            "json",
        ),
        (
            "canonical fields (the reader's SQL), no raw, no ids, DuckDB table",
            f"CREATE TABLE t AS SELECT {fields} FROM {scan}",
            "canon",
        ),
        ("raw row as text columns, Parquet", f"COPY (SELECT * FROM {scan}) TO '{out / 'raw.parquet'}'", ""),
        (
            "raw row + canonical fields + content hash, Parquet (no row or occurrence numbers)",
            f"COPY (SELECT {columns}, {fields}, {h} AS h FROM {scan}) TO '{out / 'canon.parquet'}'",
            "",
        ),
        (
            "canonical fields + content hash, Parquet (no raw row, no row or occurrence numbers)",
            f"COPY (SELECT {fields}, {h} AS h FROM {scan}) TO '{out / 'canon_only.parquet'}'",
            "",
        ),
        (
            "content hash of every row, in file order, to Parquet (narrow)",
            f"COPY (SELECT {h} AS h FROM {scan}) TO '{out / 'h.parquet'}'",
            "",
        ),
        (
            "occurrence numbers from the narrow hashes (window, in file order)",
            f"COPY (SELECT row_number() OVER (PARTITION BY h ORDER BY file_row_number) AS occ "
            f"FROM read_parquet('{out / 'h.parquet'}', file_row_number=true) ORDER BY file_row_number) "
            f"TO '{out / 'occ.parquet'}'",
            "",
        ),
        (
            "row numbers on the scan (ordered row_number() OVER (), then a hash)",
            "SELECT count(*), count(DISTINCT h) FROM "
            f"(SELECT row_number() OVER () AS rn, {h} AS h FROM {scan})",
            "",
        ),
        (
            "the whole two-scan Parquet design: hash pass, occurrence numbers, second scan joined by "
            "position writing raw row + canonical fields + checks + ids to Parquet",
            f"COPY (SELECT {h} AS h FROM {scan}) TO '{out / 'd_h.parquet'}';\n"
            f"COPY (SELECT h, row_number() OVER (PARTITION BY h ORDER BY file_row_number) AS occ "
            f"FROM read_parquet('{out / 'd_h.parquet'}', file_row_number=true) ORDER BY file_row_number) "
            f"TO '{out / 'd_occ.parquet'}';\n"
            f"COPY (SELECT {columns}, {fields}, {s['checks']} AS reason, o.h, o.occ FROM {scan} "
            f"POSITIONAL JOIN read_parquet('{out / 'd_occ.parquet'}') o) TO '{out / 'design.parquet'}'",
            "",
        ),
        (
            "scan joined by position with the occurrence numbers",
            f"SELECT count(*), sum(occ) FROM {scan} POSITIONAL JOIN read_parquet('{out / 'occ.parquet'}')",
            "",
        ),
    ]


def contract(src: Path, out: Path) -> list[tuple[str, str, str]]:
    """The store's whole contract for a file without source ids as ONE hand-written DuckDB statement
    (issue 11's question: is 1.25x CTAS reachable at all?): typed canonical fields (the reader's
    SQL), its checks as a quarantine reason, the raw text (JSON) of the quarantined rows only, the
    content hash, ``source_row`` (the row's position, ``row_number() OVER ()``) and the event id
    (source, MD5 of the row's fields, position), written as Parquet in two parts (good rows and
    quarantine: ``PARTITION_BY``). Beside it the same without ``source_row`` and the position in the id
    (no window over the scan), and DuckDB's CTAS baseline."""
    s = reader_sql(src)
    scan, fields, columns = s["scan"], s["fields"], s["columns"]
    header = csv_header(src)
    md5 = "md5(concat_ws(chr(31), " + ", ".join(f'coalesce("{c}", chr(0))' for c in header) + "))"
    raw = "CASE WHEN reason IS NOT NULL THEN " + s["raw_json"] + " END"

    def statement(position: bool, target: str) -> str:
        row = "row_number() OVER ()" if position else "NULL::BIGINT"
        ident = f"'acled:h' || left({md5}, 16)" + (" || '-' || source_row" if position else "")
        return (
            f"COPY (SELECT * EXCLUDE ({columns}), {ident} AS event_id, {raw} AS raw, "
            f"reason IS NOT NULL AS quarantined FROM (SELECT {row} AS source_row, {columns}, {fields}, "
            f"hash({columns}) AS content_hash, {s['checks']} AS reason FROM {scan})) "
            f"TO '{out / target}' (FORMAT parquet, PARTITION_BY (quarantined), OVERWRITE_OR_IGNORE)"
        )

    return [
        (
            "DuckDB CREATE TABLE AS read_csv (the baseline)",
            f"CREATE TABLE t AS SELECT * FROM read_csv('{src}')",
            "base",
        ),
        (
            "the contract in one statement: typed fields + checks + quarantine (raw JSON) + content "
            "hash + source_row + ids, to Parquet",
            statement(True, "contract"),
            "",
        ),
        (
            "the same without source_row (no window over the scan; ids without the position)",
            statement(False, "contract_nopos"),
            "",
        ),
    ]


def measure_cpu(name: str, argv: list[str]) -> dict:
    """Wall and CPU seconds (user + system of the child, from the kernel) and peak memory of argv."""
    import subprocess
    import time

    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{name} failed:\n{proc.stderr.read().decode()[-3000:]}")
    return {
        "name": name,
        "seconds": seconds,
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "peak_mb": usage.ru_maxrss / 1024,
    }


def main_contract(args) -> None:
    """``--contract``: the baseline, the one-statement contract and peacewatch's own ingest, in turn."""
    src = make_input(args.rows)
    out = WORK / "floor"
    out.mkdir(parents=True, exist_ok=True)
    load0 = os.getloadavg()[0]
    results = []
    for name, sql, db in contract(src, out):
        for f in out.glob("*.duckdb*"):
            f.unlink()
        script = out / "stmt.sql"
        script.write_text(sql + ";\n", encoding="utf-8")
        database = str(out / f"{db}.duckdb") if db else ""
        results.append(measure_cpu(name, [sys.executable, "-c", RUNNER, str(script), database]))
        print(json.dumps(results[-1]), flush=True)
    store = out / "pw_store"
    import shutil

    shutil.rmtree(store, ignore_errors=True)
    results.append(
        measure_cpu(
            "peacewatch ingest (CLI, new store)",
            [sys.executable, "-m", "peacewatch", "ingest", "--store", str(store), str(src)],
        )
    )
    print(json.dumps(results[-1]), flush=True)
    shutil.rmtree(store, ignore_errors=True)
    base = results[0]
    lines = [
        f"### Ingest floor: the store's contract in one statement, {args.rows:,} rows "
        f"({dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, {os.cpu_count()} cores, load average "
        f"{load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end, Python {platform.python_version()})",
        "",
        "`python benchmarks/ingest_floor.py --contract`; each in its own process, in turn; CPU is the "
        "child's user + system time from the kernel.",
        "",
        "| contender | wall s | CPU s | peak MB | wall vs baseline | CPU vs baseline |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['name']} | {r['seconds']:.1f} | {r['cpu_s']:.1f} | {r['peak_mb']:,.0f} | "
            f"{r['seconds'] / base['seconds']:.2f}x | {r['cpu_s'] / base['cpu_s']:.2f}x |"
        )
    report = "\n".join(lines) + "\n"
    publish(report) if args.publish else print(report)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument(
        "--contract", action="store_true", help="only the one-statement contract, CTAS and peacewatch"
    )
    parser.add_argument("--publish", action="store_true", help="with --contract: add to docs/benchmarks.md")
    args = parser.parse_args()
    if args.contract:
        main_contract(args)
        return
    src = make_input(args.rows)
    out = WORK / "floor"
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for name, sql, db in contenders(src, out):
        for f in out.glob("*.duckdb*"):
            f.unlink()
        script = out / "stmt.sql"
        script.write_text(sql + ";\n", encoding="utf-8")
        database = str(out / f"{db}.duckdb") if db else ""
        r = measure(name, [sys.executable, "-c", RUNNER, str(script), database], args.rows)
        r["mb"] = os.path.getsize(database) / 1e6 if database else None
        results.append(r)
        print(json.dumps(r), flush=True)
    base = results[0]["seconds"]
    lines = [
        f"### Ingest floor, {args.rows:,} rows ({dt.date.today().isoformat()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()})",
        "",
        "Each ingredient of the store's contract done by DuckDB alone, in its own process, on the input "
        "of the ingest benchmark; 'vs baseline' is its time over the baseline's in this run.",
        "",
        "| ingredient | seconds | vs baseline | peak memory (MB) | file (MB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        size = f"{r['mb']:,.0f}" if r["mb"] is not None else ""
        ratio = r["seconds"] / base
        lines.append(f"| {r['name']} | {r['seconds']:.2f} | {ratio:.2f}x | {r['peak_mb']:,.0f} | {size} |")
    publish("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
