"""Reading original rows back (``peacewatch events --raw``): one pass over a gzip file, against the floor.

The full-schema ACLED sample (31 columns, quoted notes) is replicated to ROWS rows (.csv.gz, made once
and cached in benchmarks/.work/). Each contender runs in its own process; we time it and read its peak
resident memory from the kernel (ru_maxrss of the child):

- floor: Python inflating the file and iterating its lines, nothing else (what any one pass costs);
- sha256 only: hashing the compressed bytes (what the change check adds);
- ``original_rows`` for 1,000 random rows, for the last row alone, and for every 10th row.

Results are appended to docs/benchmarks.md.

    python benchmarks/raw_rows.py [--rows 1000000] [--no-publish]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from results import publish

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / ".work"
DATA = Path(os.environ.get("PEACEWATCH_DATA", ROOT.parent / "shared" / "data"))
SOURCE = DATA / "acled_global_sample_2022" / "acled_sample_2022-01_2022-06_9000_events.csv.gz"

CONTENDERS = {
    "floor: inflate and iterate lines": """
import gzip, io
with io.TextIOWrapper(gzip.open(PATH, "rb"), encoding="utf-8", newline="") as fh:
    n = sum(1 for _ in fh)
""",
    "sha256 of the file only": """
import hashlib
h = hashlib.sha256()
with open(PATH, "rb") as fh:
    while chunk := fh.read(1 << 20):
        h.update(chunk)
""",
    "original_rows: 1,000 random rows": """
import random
from peacewatch.sources.raw_rows import original_rows
rows = random.Random(1).sample(range(1, ROWS + 1), 1000)
found = original_rows(PATH, rows, reader="acled.csv", source="acled", sha256=SHA)
assert len(found) == 1000
""",
    "original_rows: the last row": """
from peacewatch.sources.raw_rows import original_rows
assert len(original_rows(PATH, [ROWS], reader="acled.csv", source="acled", sha256=SHA)) == 1
""",
    "original_rows: every 10th row": """
from peacewatch.sources.raw_rows import original_rows
found = original_rows(PATH, range(10, ROWS + 1, 10), reader="acled.csv", source="acled", sha256=SHA)
assert len(found) == ROWS // 10
""",
}


def make_input(rows: int) -> Path:
    target = WORK / f"acled_full_{rows}.csv.gz"
    if target.exists():
        return target
    WORK.mkdir(parents=True, exist_ok=True)
    with gzip.open(SOURCE, "rb") as fh:
        text = fh.read().decode("utf-8")
    header, _, body = text.partition("\n")
    records = body.rstrip("\n").split("\n")  # the sample's records hold no newlines
    tmp = target.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8", compresslevel=6, newline="") as out:
        out.write(header + "\n")
        for i in range(rows):
            out.write(records[i % len(records)] + "\n")
    tmp.rename(target)
    return target


def run(code: str, path: Path, rows: int, sha: str) -> tuple[float, float, float]:
    """Wall seconds, CPU seconds and peak MB of ``code`` in a fresh interpreter."""
    prelude = f"from pathlib import Path\nPATH = Path({str(path)!r})\nROWS = {rows}\nSHA = {sha!r}\n"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    t = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-c", prelude + code], env=env)
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"a contender failed with exit {child.returncode}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-publish", action="store_true")
    args = parser.parse_args()
    path = make_input(args.rows)
    import hashlib

    # In chunks: a child's ru_maxrss starts from this process's size at the fork.
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    sha = digest.hexdigest()
    results = {name: run(code, path, args.rows, sha) for name, code in CONTENDERS.items()}
    _, floor_cpu, _ = results["floor: inflate and iterate lines"]
    mb = path.stat().st_size / 1e6
    lines = [
        f"## Original rows (`events --raw`), {dt.date.today().isoformat()}",
        "",
        f"{args.rows:,} rows of the full-schema ACLED sample replicated ({mb:.0f} MB of gzip), "
        f"Python {platform.python_version()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}; each contender in its own process (peak memory: its ru_maxrss).",
        "",
        "| contender | wall s | CPU s | CPU vs floor | peak MB |",
        "|---|---|---|---|---|",
    ]
    for name, (wall, cpu, peak) in results.items():
        lines.append(f"| {name} | {wall:.2f} | {cpu:.2f} | {cpu / floor_cpu:.2f}x | {peak:.0f} |")
    report = "\n".join(lines) + "\n"
    if args.no_publish:
        print(report)
    else:
        publish(report)


if __name__ == "__main__":
    main()
