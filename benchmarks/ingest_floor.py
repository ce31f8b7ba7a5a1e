"""What the store's contract costs: lower bounds for an ingest that keeps the raw row and gives rows
without source ids occurrence-numbered ids, measured against DuckDB's own load in the same run.

The ingest benchmark (benchmarks/ingest.py) compares peacewatch with DuckDB's
``CREATE TABLE AS SELECT * FROM read_csv(...)`` and with pandas. This script asks what any design
would need: each contender below is one ingredient of the schema in docs/schema.md (the raw row, the
canonical fields from the ACLED reader's own SQL, content hashes, row numbers, occurrence numbers),
done by DuckDB alone with nothing else around it, each in its own process on the same input (timed,
peak memory from the kernel). A design cannot be faster than the sum of the ingredients it needs.

    python benchmarks/ingest_floor.py [--rows 10000000]
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    args = parser.parse_args()
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
