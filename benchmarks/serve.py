"""Serving speed (issue 13): 32 concurrent clients against `peacewatch serve`, and against a minimal
endpoint in the same run that answers the same questions with hand-written DuckDB SQL on the same
store, both under uvicorn with the same workers on loopback; and the cache's speed-up.

The store holds the reduced ACLED Afghanistan export replicated with shifted dates (benchmarks/
indicators.py builds it, cached in benchmarks/.work/). Each request asks a different question (the
series' last day, the compare window move by one day per request) so that the cache does not answer
it: this measures the work. The cache is measured apart: one question asked once, then again.

    python benchmarks/serve.py [--rows 200000] [--requests 96] [--clients 32] [--workers 2]

Besides latency and throughput, each scenario records the CPU time (user + system) its server's
processes spent (read from /proc: the uvicorn parent and its workers), per request, and the load average
before and after: on a shared machine the ratio of CPU per request is the steadier figure.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BENCH = Path(__file__).resolve().parent
# The replicated store's coverage ends before the export's last day (copies are shifted by up to two
# weeks): the series end inside it.
FROM, LAST = dt.date(2017, 1, 1), dt.date(2026, 2, 28)
WINDOW0 = dt.date(2020, 2, 22)


# -- the minimal endpoint: hand-written SQL, the same questions ------------------------------------------

_local = threading.local()


def _con():
    """This thread's connection to the store (the lake attached at its latest snapshot)."""
    if getattr(_local, "con", None) is None:
        from peacewatch.store import Store

        store = Store(os.environ["SERVE_BENCH_STORE"]).pinned()
        with store.raw() as con:
            pass  # the Store keeps the connection open (as benchmarks/indicators.py does)
        _local.store, _local.con = store, con
    return _local.con


def sql_series(to: str) -> dict:
    rows = (
        _con()
        .execute(f"""
        WITH days AS (SELECT CAST(d AS DATE) AS day
                      FROM range(DATE '{FROM}', DATE '{to}' + 1, INTERVAL 1 DAY) t(d)),
             n AS (SELECT date_start AS day, count(*) AS n FROM events
                   WHERE country = 'Afghanistan' AND event_type = 'battle'
                     AND date_start BETWEEN DATE '{FROM}' AND DATE '{to}' GROUP BY 1)
        SELECT days.day, coalesce(n.n, 0) FROM days LEFT JOIN n USING (day) ORDER BY 1""")
        .fetchall()
    )
    return {"points": [{"period_start": d.isoformat(), "value": float(v)} for d, v in rows]}


def sql_compare(w0: str, w1: str, b0: str, b1: str) -> dict:
    days_w = (dt.date.fromisoformat(w1) - dt.date.fromisoformat(w0)).days + 1
    days_b = (dt.date.fromisoformat(b1) - dt.date.fromisoformat(b0)).days + 1
    ratio = (
        _con()
        .execute(f"""
        SELECT (count(*) FILTER (date_start BETWEEN DATE '{w0}' AND DATE '{w1}') / {days_w}.0) /
               (count(*) FILTER (date_start BETWEEN DATE '{b0}' AND DATE '{b1}') / {days_b}.0)
        FROM events WHERE country = 'Afghanistan' AND event_type = 'battle'
          AND date_start BETWEEN DATE '{b0}' AND DATE '{w1}'""")
        .fetchone()[0]
    )
    return {"rate_ratio": float(ratio)}


def sql_app():
    """The minimal endpoint: Starlette, one route per question, the SQL above (uvicorn --factory)."""
    import anyio
    from starlette.applications import Starlette
    from starlette.responses import Response
    from starlette.routing import Route

    # The same bound on queries at once per worker as `peacewatch serve --query-threads 4`: without it
    # 32 connections per worker thrash the two cores (and a worker ran out of memory in a trial run).
    limiter = anyio.CapacityLimiter(4)

    async def series(request):
        payload = await anyio.to_thread.run_sync(sql_series, request.query_params["to"], limiter=limiter)
        return Response(json.dumps(payload), media_type="application/json")

    async def compare(request):
        q = request.query_params
        w0, w1 = q["window"].split(":")
        b0, b1 = q["baseline"].split(":")
        payload = await anyio.to_thread.run_sync(sql_compare, w0, w1, b0, b1, limiter=limiter)
        return Response(json.dumps(payload), media_type="application/json")

    return Starlette(routes=[Route("/sql/series", series), Route("/sql/compare", compare)])


# -- the load --------------------------------------------------------------------------------------------


def questions(kind: str, n: int, prefix: str) -> list[str]:
    """``n`` different URLs of one kind: the series' last day or the compare window moved by a day."""
    out = []
    for i in range(n):
        if kind == "series":
            to = LAST - dt.timedelta(days=i)
            api = f"country=Afghanistan&type=battle&from={FROM}&to={to}&by=day"
            q = api if prefix == "/api" else f"to={to}"
        else:
            w0 = WINDOW0 + dt.timedelta(days=i)
            w1, b0, b1 = w0 + dt.timedelta(days=7), w0 - dt.timedelta(days=21), w0 - dt.timedelta(days=1)
            q = f"window={w0}:{w1}&baseline={b0}:{b1}"
            q = f"country=Afghanistan&type=battle&{q}" if prefix == "/api" else q
        out.append(f"{prefix}/{kind}?{q}")
    return out


async def load(base: str, urls: list[str], clients: int) -> dict:
    """``urls`` fetched by ``clients`` concurrent clients; latencies, errors and throughput."""
    import httpx

    queue: asyncio.Queue = asyncio.Queue()
    for u in urls:
        queue.put_nowait(u)
    latencies: list[float] = []
    errors: list[str] = []

    async def client(http):
        while not queue.empty():
            url = queue.get_nowait()
            start = time.perf_counter()
            try:
                r = await http.get(base + url)
                if r.status_code != 200:
                    errors.append(f"{r.status_code} {url} {r.text[:200]}")
            except httpx.HTTPError as exc:
                errors.append(f"{type(exc).__name__} {url}")
            latencies.append(time.perf_counter() - start)

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(timeout=600, limits=limits) as http:
        start = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        wall = time.perf_counter() - start
    latencies.sort()
    return {
        "requests": len(urls),
        "errors": errors,
        "p50": statistics.median(latencies),
        "p95": latencies[max(0, round(0.95 * len(latencies)) - 1)],
        "throughput": len(urls) / wall,
    }


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system) spent so far by process ``pid`` and every process under it (Linux
    /proc; the workers uvicorn starts are its children)."""
    tick = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, float]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        fields = text[text.rindex(")") + 2 :].split()  # after "pid (comm) "
        stats[int(entry.name)] = (int(fields[1]), (int(fields[11]) + int(fields[12])) / tick)
    tree, total = {pid}, 0.0
    grew = True
    while grew:
        grew = False
        for p, (parent, _) in stats.items():
            if parent in tree and p not in tree:
                tree.add(p)
                grew = True
    for p in tree:
        total += stats.get(p, (0, 0.0))[1]
    return total


def measured(base: str, urls: list[str], clients: int, pid: int) -> dict:
    """:func:`load`, with the CPU time of the server ``pid`` and the load average around it."""
    before, load0 = server_cpu(pid), os.getloadavg()[0]
    r = asyncio.run(load(base, urls, clients))
    r["cpu"] = server_cpu(pid) - before
    r["load"] = (load0, os.getloadavg()[0])
    return r


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, limit: float = 300) -> None:
    import httpx

    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited: {proc.stderr.read() if proc.stderr else ''}")
        try:
            httpx.get(url, timeout=60)
            return
        except httpx.TransportError:
            time.sleep(0.5)
    raise SystemExit(f"no answer from {url} in {limit:.0f} s")


def _stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--requests", type=int, default=96, help="per scenario")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sys.path.insert(0, str(BENCH))
    from indicators import build_store

    store, _ = build_store(args.rows)
    env = {**os.environ, "SERVE_BENCH_STORE": str(store), "PYTHONPATH": str(ROOT / "src")}
    pw_port, sql_port = _free_port(), _free_port()
    pw = subprocess.Popen(
        [sys.executable, "-m", "peacewatch", "serve", "--store", str(store), "--port", str(pw_port),
         "--workers", str(args.workers), "--no-warm", "--query-timeout", "300"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    sql = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "--factory", "serve:sql_app", "--app-dir", str(BENCH),
         "--host", "127.0.0.1", "--port", str(sql_port), "--workers", str(args.workers),
         "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    pw_base, sql_base = f"http://127.0.0.1:{pw_port}", f"http://127.0.0.1:{sql_port}"
    results: dict[str, dict] = {}
    try:
        _wait(pw_base + "/api/datasets", pw)
        _wait(sql_base + f"/sql/series?to={LAST}", sql)
        # Warm-up, not measured: every worker thread opens its connection (seconds each on this machine).
        # The warm-up questions carry an extra parameter so that the measured ones are not in the cache.
        for base, prefix in ((pw_base, "/api"), (sql_base, "/sql")):
            warm = [u + "&warm=1" for u in questions("compare", args.clients, prefix)]
            asyncio.run(load(base, warm, args.clients))
        for kind in ("series", "compare"):
            for name, base, prefix, proc in (
                ("peacewatch", pw_base, "/api", pw),
                ("hand-written SQL", sql_base, "/sql", sql),
            ):
                urls = questions(kind, args.requests, prefix)
                results[f"{kind}: {name}"] = measured(base, urls, args.clients, proc.pid)
                r = results[f"{kind}: {name}"]
                print(kind, name, {**r, "errors": len(r["errors"])}, flush=True)
        cache = _cache(pw_base)
    finally:
        _stop(pw)
        _stop(sql)
    _publish(args, results, cache)


def _cache(base: str) -> dict:
    """One question asked once (computed), then again (from the cache): the median of 20 repeats."""
    import httpx

    url = base + f"/api/series?country=Afghanistan&type=battle&from={FROM}&to={LAST}&by=month"
    with httpx.Client(timeout=600) as http:
        start = time.perf_counter()
        http.get(url).raise_for_status()
        first = time.perf_counter() - start
        repeats = []
        for _ in range(20):
            start = time.perf_counter()
            http.get(url).raise_for_status()
            repeats.append(time.perf_counter() - start)
        etag = http.get(url).headers["etag"]
        start = time.perf_counter()
        not_modified = http.get(url, headers={"If-None-Match": etag})
        revalidate = time.perf_counter() - start
    assert not_modified.status_code == 304
    return {"first": first, "repeat": statistics.median(repeats), "revalidate": revalidate}


def _publish(args, results: dict[str, dict], cache: dict) -> None:
    from results import publish

    lines = [
        f"## Serving (issue 13), {dt.date.today().isoformat()}",
        "",
        f"`python benchmarks/serve.py --rows {args.rows} --requests {args.requests} --clients {args.clients} "
        f"--workers {args.workers}` on {platform.machine()}, {os.cpu_count()} cores shared with other "
        "work, Python " + platform.python_version() + ". The store: the reduced ACLED Afghanistan export "
        f"replicated with shifted dates to {args.rows:,} events (benchmarks/indicators.py). Both servers "
        f"run under uvicorn with {args.workers} workers on 127.0.0.1, loaded by {args.clients} concurrent "
        "clients in one process on the same machine; each request a different question (the cache does "
        "not answer it): the daily battle series of Afghanistan 2017-01-01..(last day moved back one day "
        "per request), and the 8-day window from 2020-02-22 (moved by a day per request) against the 21 "
        "days before. The baseline in the same run is a minimal Starlette endpoint that runs the same "
        "hand-written SQL on the same store (`sql_app` in the script). CPU is the user + system time "
        "of the server's processes during the scenario, per request; load is the 1-minute load average "
        "before and after it.",
        "",
        "| scenario | requests | errors | p50 (s) | p95 (s) | requests/s | CPU per request (s) | load |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, r in results.items():
        lines.append(
            f"| {name} | {r['requests']} | {len(r['errors'])} | {r['p50']:.3f} | {r['p95']:.3f} | "
            f"{r['throughput']:.2f} | {r['cpu'] / r['requests']:.3f} | "
            f"{r['load'][0]:.1f} -> {r['load'][1]:.1f} |"
        )
    for kind in ("series", "compare"):
        a, b = results[f"{kind}: peacewatch"], results[f"{kind}: hand-written SQL"]
        lines.append("")
        lines.append(
            f"{kind}: the hand-written SQL endpoint served {b['throughput'] / a['throughput']:.2f}x the "
            "requests per second of peacewatch (target: within 1.3x); peacewatch spent "
            f"{a['cpu'] / b['cpu']:.2f}x its CPU time."
        )
    lines += [
        "",
        f"Cache: the monthly battle series 2017-01..2026-02 took {cache['first']:.3f} s when computed, "
        f"{cache['repeat'] * 1000:.1f} ms when asked again (median of 20; "
        f"{cache['first'] / cache['repeat']:.0f}x faster; target 10x), and a revalidation with its ETag "
        f"(304, no body) {cache['revalidate'] * 1000:.1f} ms.",
        "",
    ]
    for name, r in results.items():
        for e in r["errors"][:3]:
            lines.append(f"- error in {name}: {e}")
    publish("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
