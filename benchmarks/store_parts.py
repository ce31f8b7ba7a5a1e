"""Pieces of benchmarks/store.py: the big input, folder listings, the stage table, the query child
(big part), and the readers-during-a-commit part."""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from ingest import WORK

COUNTRY, TYPE = "Afghanistan", "battle"
FROM, TO = "2017-01-01", "2026-03-13"
WINDOW, BASELINE = ("2020-02-22", "2020-02-29"), ("2020-02-01", "2020-02-21")


def big_input(src: Path, copies: int) -> Path:
    """``src``'s header, then its body ``copies`` times, as concatenated gzip members (a valid .gz
    file that gzip, Python and DuckDB read as one stream), made once: the body is compressed once and
    the copies are byte copies, so a 100-million-row file takes a minute, not a quarter of an hour."""
    target = WORK / f"{src.name.split('.')[0]}_x{copies}.csv.gz"
    if target.exists():
        return target
    body = WORK / f"{src.name.split('.')[0]}_body.gz"
    header = WORK / f"{src.name.split('.')[0]}_header.gz"
    if not body.exists():
        tmp = body.with_suffix(".tmp")
        subprocess.run(f"gzip -dc '{src}' | tail -n +2 | gzip -1 > '{tmp}'", shell=True, check=True)
        subprocess.run(f"gzip -dc '{src}' | head -n 1 | gzip -1 > '{header}'", shell=True, check=True)
        tmp.rename(body)
    tmp = target.with_suffix(".tmp")
    with open(tmp, "wb") as out:
        for part in [header] + [body] * copies:
            with open(part, "rb") as fh:
                while chunk := fh.read(1 << 24):
                    out.write(chunk)
    tmp.rename(target)
    return target


def release_files(rows: int) -> tuple[Path, Path]:
    """Releases A and B of benchmarks/ducklake_floor.py, streamed (its DuckDB COPY holds the whole
    table in memory: 12 GB at ten million rows). A: the full-schema ACLED sample replicated to
    ``rows`` rows, copy k's ids suffixed ``R<k>``. B: A with about 10,000 rows changed, chosen by a hash
    of the id: a third updated (fatalities + 1, notes revised), a third deleted, a third inserted again
    under new ids (suffix ``N``). Made once, cached."""
    import csv
    import gzip
    import io
    import zlib

    from ducklake_floor import ACLED_FULL

    a, b = WORK / f"store_release_a_{rows}.csv.gz", WORK / f"store_release_b_{rows}.csv.gz"
    if a.exists() and b.exists():
        return a, b
    with gzip.open(ACLED_FULL, "rt", encoding="utf-8", newline="") as fh:
        header, *sample = list(csv.reader(fh))
    i_id, i_fat, i_notes = (header.index(c) for c in ("event_id_cnty", "fatalities", "notes"))

    def line(fields: list[str]) -> str:
        buf = io.StringIO()
        csv.writer(buf, lineterminator="\n").writerow(fields)
        return buf.getvalue()

    def split(fields: list[str]) -> tuple[str, str]:  # the line before and after the id
        marked = line([*fields[:i_id], "\x00", *fields[i_id + 1 :]])
        pre, post = marked.split("\x00")
        return pre, post

    plain = [split(r) for r in sample]
    revised = [
        split(
            [
                str(float(f or 0) + 1) if j == i_fat else (f + " [revised]" if j == i_notes else f)
                for j, f in enumerate(r)
            ]
        )
        for r in sample
    ]
    ids = [r[i_id] for r in sample]
    m = max(rows // 3334, 3)
    procs, outs = [], []
    for target in (a, b):
        out = open(target.with_suffix(".tmp"), "wb")  # noqa: SIM115 - closed below
        procs.append(subprocess.Popen(["gzip", "-1", "-c"], stdin=subprocess.PIPE, stdout=out))
        outs.append(out)
    head = line(header).encode()
    for p in procs:
        p.stdin.write(head)
    written, copy = 0, 0
    while written < rows:
        chunk_a, chunk_b = [], []
        for n, (pre, post) in enumerate(plain):
            if written == rows:
                break
            new_id = f"{ids[n]}R{copy}"
            chunk_a.append(pre + new_id + post)
            k = zlib.crc32(new_id.encode()) % m
            if k == 0:
                chunk_b.append(revised[n][0] + new_id + revised[n][1])
            elif k != 1:
                chunk_b.append(pre + new_id + post)
            if k == 2:
                chunk_b.append(pre + new_id + "N" + post)
            written += 1
        procs[0].stdin.write("".join(chunk_a).encode())
        procs[1].stdin.write("".join(chunk_b).encode())
        copy += 1
    for p, out, target in zip(procs, outs, (a, b), strict=True):
        p.stdin.close()
        p.wait()
        out.close()
        target.with_suffix(".tmp").rename(target)
    return a, b


def folder_files(folder: Path) -> dict[str, int]:
    """Every file under ``folder`` (relative path -> bytes)."""
    return {str(p.relative_to(folder)): p.stat().st_size for p in folder.rglob("*") if p.is_file()}


LABELS = {
    "start": "start-up: importing peacewatch.store",
    "imported": "start-up: the CLI, its arguments, the store",
    "": "opening the file's read",
}


def report_stages(run: dict) -> list[str]:
    """The stages a peacewatch child reported, as a table of wall and CPU seconds spent in each (a
    stage lasts until the next one is reported: "hashing" includes taking the writer lock, reading
    the catalog and planning the read)."""
    stages = run["stages"]
    lines = [f"{run['name']}:", "", "| stage | wall s | CPU s |", "|---|---:|---:|"]
    for (t0, c0, name), (t1, c1, _) in itertools.pairwise(stages):
        label = LABELS.get(name, name)
        lines.append(f"| {label} | {t1 - t0:.1f} | {c1 - c0:.1f} |")
    return lines


# ---------------------------------------------------------------- queries (a child process)


def _api(store) -> tuple:
    series = store.series(country=COUNTRY, type=TYPE, start=FROM, end=TO, by="day")
    values = series.to_arrow()["value"].to_pylist()
    return len(values), float(sum(values))


def _api_compare(store) -> float:
    c = store.compare(country=COUNTRY, type=TYPE, window=":".join(WINDOW), baseline=":".join(BASELINE))
    return round(c.rate_ratio, 6)


def _sql_series(con, table: str) -> tuple:
    rows = con.execute(f"""
        WITH days AS (SELECT CAST(d AS DATE) AS day
                      FROM range(DATE '{FROM}', DATE '{TO}' + 1, INTERVAL 1 DAY) t(d)),
             n AS (SELECT date_start AS day, count(*) AS n FROM {table}
                   WHERE country = '{COUNTRY}' AND event_type = '{TYPE}'
                     AND date_start BETWEEN DATE '{FROM}' AND DATE '{TO}' GROUP BY 1)
        SELECT days.day, coalesce(n.n, 0) FROM days LEFT JOIN n USING (day) ORDER BY 1""").fetchall()
    return len(rows), float(sum(v for _, v in rows))


def _sql_compare(con, table: str) -> float:
    (w0, w1), (b0, b1) = WINDOW, BASELINE
    ratio = con.execute(f"""
        SELECT (count(*) FILTER (date_start BETWEEN DATE '{w0}' AND DATE '{w1}') / 8.0) /
               (count(*) FILTER (date_start BETWEEN DATE '{b0}' AND DATE '{b1}') / 21.0)
        FROM {table} WHERE country = '{COUNTRY}' AND event_type = '{TYPE}'
          AND date_start BETWEEN DATE '{b0}' AND DATE '{w1}'""").fetchone()[0]
    return round(float(ratio), 6)


def _timed(fn, repeat: int) -> tuple[float, object]:
    answer = fn()  # the warm-up
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        answer = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), answer


def queries_child(mode: str, store: str, *rest: str) -> None:
    """Time the two queries (API and hand-written SQL) on ``store``; print them as JSON."""
    import peacewatch as pw
    from peacewatch.store import Store, lake

    repeat = 5
    session = pw.open_store(store)
    s = Store(store)
    con = lake.connect(s.location, read_only=True)  # the extensions and the ATTACH, nothing else
    deletes = con.execute(
        "SELECT count(*) FROM __ducklake_metadata_lake.main.ducklake_delete_file"
    ).fetchone()[0]
    data = f"read_parquet('{s.location.data_path}/**/*.parquet')"
    timings: dict[str, dict[str, float]] = {"daily series": {}, "rate ratio": {}}
    answers: dict[str, set] = {"daily series": set(), "rate ratio": set()}
    contenders = [
        ("peacewatch Python API (open_store)", lambda: _api(session), lambda: _api_compare(session))
    ]
    contenders.append(
        (
            "hand-written SQL through the lake's ATTACH",
            lambda: _sql_series(con, "lake.events"),
            lambda: _sql_compare(con, "lake.events"),
        )
    )
    if not deletes:
        contenders.append(
            (
                "hand-written SQL, read_parquet over data/",
                lambda: _sql_series(con, data),
                lambda: _sql_compare(con, data),
            )
        )
    for name, series, compare in contenders:
        for query, fn in (("daily series", series), ("rate ratio", compare)):
            seconds, answer = _timed(fn, repeat)
            timings[query][name] = seconds
            answers[query].add(answer)
    if any(len(a) != 1 for a in answers.values()):
        raise SystemExit(f"the contenders disagree: {answers}")
    print(
        json.dumps(
            {
                "repeat": repeat,
                "deletes": deletes,
                "timings": timings,
                "answer": {q: next(iter(a)) for q, a in answers.items()},
            }
        )
    )


# ---------------------------------------------------------------- readers during a commit


def _answer(store) -> tuple[str, int]:
    # dataset="all": after the ingest the store holds two datasets of the same country and dates
    series = store.series(country=COUNTRY, type=TYPE, start=FROM, end=TO, by="day", dataset="all")
    values = series.to_arrow()["value"].to_pylist()
    return hashlib.sha1(json.dumps(values).encode()).hexdigest()[:12], int(sum(values))


def reader_child(store: str, stop: str, out: str) -> None:
    """Ask the daily series through the Python API in a loop until ``stop`` exists; write each
    answer's digest and latency (and any error) to ``out`` as JSON."""
    import peacewatch as pw

    session = pw.open_store(store)  # unpinned: each call reads the newest snapshot
    seen: dict[str, int] = {}
    totals: dict[str, int] = {}
    lat, errors = [], []
    while not os.path.exists(stop):
        t = time.perf_counter()
        try:
            digest, total = _answer(session)
            seen[digest] = seen.get(digest, 0) + 1
            totals[digest] = total
        except Exception as exc:  # counted and reported, never hidden
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
        lat.append(time.perf_counter() - t)
    Path(out).write_text(json.dumps({"answers": seen, "totals": totals, "latency": lat, "errors": errors}))


def readers_run(src: Path, rows: int, store: Path, pw_cli, heading, readers: int = 4) -> str:
    """A store with the real (small) export; four readers in a loop while ``src`` is ingested."""
    from ingest import SOURCE

    from peacewatch.store import Store

    pw_cli("first ingest (small)", "ingest", "--store", str(store), str(SOURCE))
    stop = WORK / "readers.stop"
    stop.unlink(missing_ok=True)
    outs = [WORK / f"reader_{i}.json" for i in range(readers)]
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("store.py")),
                "--child",
                "reader",
                str(store),
                str(stop),
                str(o),
            ],
            stderr=subprocess.DEVNULL,
        )
        for o in outs
    ]
    time.sleep(5)
    run = pw_cli(
        f"peacewatch ingest, {rows:,} rows, 4 readers running", "ingest", "--store", str(store), str(src)
    )
    time.sleep(5)
    stop.touch()
    for p in procs:
        p.wait()
    import peacewatch as pw

    after_snap = Store(store).snapshot

    def at(snapshot: int) -> tuple[str, int]:
        api = pw.open_store(store)
        api.store = Store(store, snapshot=snapshot)
        return _answer(api)

    before, after = at(after_snap - 1), at(after_snap)
    lines = heading(f"Living store: {readers} readers during a {rows:,}-row ingest")
    lines += [
        f"The store held the reduced ACLED Afghanistan export (snapshot {after_snap - 1}); {rows:,} rows "
        f"({src.name}) were ingested (snapshot {after_snap}) while each reader asked the daily battle "
        f"series of Afghanistan ({FROM}..{TO}) through `peacewatch.open_store` in a loop. The ingest: "
        f"{run['seconds']:.1f} s wall, {run['cpu_s']:.1f} s CPU, {run['peak_mb']:,.0f} MB peak. Before: "
        f"{before[1]:,} events; after: {after[1]:,}.",
        "",
        "| reader | queries | errors | before | after | other | median s | p95 s | max s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for i, o in enumerate(outs, start=1):
        r = json.loads(o.read_text())
        n_before = r["answers"].get(before[0], 0)
        n_after = r["answers"].get(after[0], 0)
        other = sum(r["answers"].values()) - n_before - n_after
        lat = sorted(r["latency"])
        p95 = lat[min(len(lat) - 1, int(0.95 * len(lat)))] if lat else 0
        lines.append(
            f"| {i} | {len(lat)} | {len(r['errors'])} | {n_before} | {n_after} | {other} | "
            f"{statistics.median(lat or [0]):.2f} | {p95:.2f} | {max(lat, default=0):.2f} |"
        )
        if r["errors"]:
            lines.append(f"| | first error: {r['errors'][0]} | | | | | | | |")
    return "\n".join(lines) + "\n"
