"""The dashboard's target (issue 13): the case page of afghanistan-2020 fully rendered in a browser in
under 2 s, against baselines of the same page in the same run.

The server is the app of ``peacewatch serve`` (``create_app``) run by uvicorn on a free loopback port in
a thread of this process, over a store holding the reduced ACLED Afghanistan export (built in
$TMPDIR/peacewatch-dashboard-bench/store unless ``--store`` names one). The browser is Debian's
chromium driven by Playwright, headless, a fresh context (empty browser cache) per view. A view is
timed from the navigation's start to the moment the page's charts are drawn
(``html[data-charts=drawn]``, set by static/dashboard.js when vega-embed has drawn every chart) after
the network is idle.

- ``first``: the first view after the server started (nothing cached: the case is evaluated, its claims
  checked, its chart's series queried);
- ``warm``: the same view again, ``--repeat`` times (median; the server's cache answers), and the
  server's answer alone (an HTTP GET of the page, no browser);
- ``--warm``: the first view on a second server started as ``peacewatch serve`` starts by default,
  computing every case page at start-up (the start-up time is given);
- ``static``: the same HTML, scripts and vendored vega included, saved as a file and served as a static
  file by the same server (what the browser alone costs: parsing, vega, drawing);
- ``static, no script``: that HTML without its scripts (the floor: a page of the same size, no chart).

    python benchmarks/dashboard.py [--store PATH] [--repeat 5] [--chromium /usr/bin/chromium]

Prints a Markdown table for docs/benchmarks.md ("Dashboard (issue 13)"), with the load average.
"""

from __future__ import annotations

import argparse
import os
import re
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# Not benchmarks/.work: in some clones that is a symlink into another worktree.
WORK = Path(tempfile.gettempdir()) / "peacewatch-dashboard-bench"
DATA = Path(os.environ.get("PEACEWATCH_DATA", REPO.parent / "shared" / "data"))
REDUCED = DATA / "acled_afghanistan_events_reduced" / "acled_afghanistan_2017-01-01_2026-03-13_reduced.csv.gz"
CASE = "/cases/afghanistan-2020"


def _store(path: Path | None) -> Path:
    if path is not None:
        return path
    from peacewatch.store import Store

    path = WORK / "store"
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        Store(path).ingest([REDUCED])
    return path


def _serve(app) -> tuple[str, object, threading.Thread]:
    import uvicorn

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, thread


def _view(browser, url: str, charts: bool = True) -> float:
    """Seconds from the navigation's start to the page drawn (network idle, charts drawn)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    try:
        start = time.perf_counter()
        page.goto(url, wait_until="networkidle", timeout=300_000)
        if charts:
            page.wait_for_selector("html[data-charts='drawn']", timeout=300_000)
        return time.perf_counter() - start
    finally:
        context.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()

    import httpx
    from fastapi.staticfiles import StaticFiles
    from playwright.sync_api import sync_playwright

    from peacewatch.serve import ServeConfig
    from peacewatch.serve.app import create_app

    store = _store(args.store)
    # `peacewatch serve` warms by default: its first view is measured on a second server below.
    app = create_app(ServeConfig(store=store, warm=False))
    bench = WORK / "static"  # the baselines' files, served as /bench/ by the same server
    bench.mkdir(parents=True, exist_ok=True)
    app.mount("/bench", StaticFiles(directory=bench), name="bench")
    base, server, thread = _serve(app)
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
            first = _view(browser, base + CASE)
            warm = [_view(browser, base + CASE) for _ in range(args.repeat)]
            answer = []
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                html = httpx.get(base + CASE, timeout=300).text
                answer.append(time.perf_counter() - t0)
            (bench / "case.html").write_text(html, encoding="utf-8")
            bare = re.sub(r"<script src=[^>]*></script>", "", html)
            (bench / "case-no-script.html").write_text(bare, encoding="utf-8")
            static = [_view(browser, base + "/bench/case.html") for _ in range(args.repeat)]
            floor = [
                _view(browser, base + "/bench/case-no-script.html", charts=False) for _ in range(args.repeat)
            ]
            server.should_exit = True
            thread.join(timeout=30)
            # The default of `peacewatch serve`: every case page computed at start-up (--warm).
            t0 = time.perf_counter()
            warmed = create_app(ServeConfig(store=store, warm=True))
            base, server, thread = _serve(warmed)  # uvicorn runs the warm-up before it listens
            started = time.perf_counter() - t0
            first_warmed = _view(browser, base + CASE)
            browser.close()
    finally:
        server.should_exit = True
        thread.join(timeout=30)

    load = os.getloadavg()
    med = statistics.median
    print(
        f"\nLoad average {load[0]:.1f} / {load[1]:.1f} / {load[2]:.1f} on {os.cpu_count()} cores; "
        f"page {len(html):,} bytes of HTML.\n"
    )
    print("| view | seconds | target |")
    print("|---|---|---|")
    print(f"| case page, first view (server cold) | {first:.2f} | < 2 |")
    print(f"| case page, warm (median of {len(warm)}; min {min(warm):.2f}) | {med(warm):.2f} | < 2 |")
    print(
        f"| case page, first view after `--warm` (warm-up took {started:.1f} s) | {first_warmed:.2f} | < 2 |"
    )
    print(f"| server's answer alone, warm (HTTP GET, median) | {med(answer):.2f} | |")
    print(f"| same HTML as a static file, charts drawn (median) | {med(static):.2f} | baseline |")
    print(f"| same HTML as a static file, no script (median) | {med(floor):.2f} | floor |")


if __name__ == "__main__":
    main()
