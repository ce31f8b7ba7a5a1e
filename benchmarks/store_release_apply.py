"""A new release applied to a copy of a store that holds release A (issue 11), against DuckDB's own
load of release B in the same run: wall and CPU per stage, and the bytes the commit added.

benchmarks/store.py ``--only release`` ingests release A first; this script starts from a store
already holding it (``A_STORE``, copied, never changed), so that the apply can be measured again
with another source tree (``--src``) on the same input.

    python benchmarks/store_release_apply.py A_STORE B_FILE [--src DIR] [--label NAME]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from ingest import WORK
from store_parts import folder_files, report_stages

from store import CTAS, measure

HERE = Path(__file__).resolve()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("a_store", type=Path)
    parser.add_argument("b_file", type=Path)
    parser.add_argument("--src", type=Path, default=HERE.parents[1] / "src")
    parser.add_argument("--label", default="this branch")
    args = parser.parse_args()
    load0 = os.getloadavg()[0]
    store = WORK / f"release_apply_{args.label.replace(' ', '_').replace('/', '_')}"
    shutil.rmtree(store, ignore_errors=True)
    shutil.copytree(args.a_store, store)
    env_path = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = str(args.src)
    dataset = json.loads(
        subprocess.run(
            [sys.executable, "-m", "peacewatch", "datasets", "--store", str(store), "--json"],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
    )[0]["dataset_id"]
    before = folder_files(store)
    stages = WORK / f"stages-apply-{time.time_ns()}.jsonl"
    argv = ["ingest", "--store", str(store), "--release-of", dataset, str(args.b_file)]
    apply = measure(f"peacewatch ingest --release-of ({args.label})", [sys.executable,
                    str(HERE.with_name("store.py")), "--child", "cli", str(stages), *argv])  # fmt: skip
    apply["stages"] = [json.loads(line) for line in stages.read_text().splitlines()]
    if env_path is None:
        del os.environ["PYTHONPATH"]
    else:
        os.environ["PYTHONPATH"] = env_path
    db = WORK / "release_apply_b.duckdb"
    db.unlink(missing_ok=True)
    base = measure("DuckDB CREATE TABLE AS read_csv of release B", [sys.executable, "-c", CTAS,
                   str(args.b_file), str(db)])  # fmt: skip
    db.unlink(missing_ok=True)
    after = folder_files(store)
    added = {p: n for p, n in after.items() if p not in before}
    grown = {p: after[p] - before[p] for p in after if p in before and after[p] != before[p]}

    def part(prefix: str) -> str:
        files = {p: n for p, n in added.items() if p.startswith(prefix)}
        return f"{len(files)} files, {sum(files.values()) / 1e6:,.2f} MB"

    print(
        f"load average {load0:.1f} at the start, {os.getloadavg()[0]:.1f} at the end "
        f"({time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())})\n"
        f"| {apply['name']} | {apply['seconds']:.1f} | {apply['cpu_s']:.1f} | {apply['peak_mb']:,.0f} |\n"
        f"| {base['name']} | {base['seconds']:.1f} | {base['cpu_s']:.1f} | {base['peak_mb']:,.0f} |\n"
        f"added: data/ {part('data/')}; archive/ {part('archive/')}; grown: "
        + (", ".join(f"{p} {n:+,} bytes" for p, n in sorted(grown.items())) or "none")
    )
    print("\n".join(report_stages(apply)))
    shutil.rmtree(store, ignore_errors=True)


if __name__ == "__main__":
    main()
