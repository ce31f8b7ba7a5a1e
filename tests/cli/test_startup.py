"""The CLI starts fast because heavy modules load only where needed (issue 14). Each check runs in a
fresh interpreter, since this test process has long since imported everything. Speed itself is
measured by benchmarks/cli_startup.py (docs/benchmarks.md), never by a timed test."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
HEAVY = (
    "statsmodels",
    "scipy",
    "scipy.stats",
    "scipy.optimize",
    "ibis",
    "altair",
    "pandas",
    "ruptures",
    "pydantic",  # typer converts option values with it, unless cli/coercion.py does
    "ibis.backends.sql.compilers.trino",  # one of the 19 compilers the store never uses (cli/lazy_ibis.py)
)

# Runs the CLI in-process with the given arguments and prints which heavy modules it loaded.
PROBE = """
import json, sys
argv = json.loads(sys.argv[1])
import peacewatch.cli.app as app
if argv:
    app.main(argv)
heavy = json.loads(sys.argv[2])
sys.stderr.write("\\n" + json.dumps(sorted(m for m in heavy if m in sys.modules)) + "\\n")
"""


def loaded(argv: list[str]) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(SRC), "COLUMNS": "100"}
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv), json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    return json.loads(done.stderr.strip().splitlines()[-1])


def test_importing_the_cli_loads_no_statsmodels_scipy_ibis_altair_pandas_or_pydantic():
    assert loaded([]) == []


def test_datasets_and_actors_load_no_ibis_scipy_pandas_or_pydantic(afghan_store):
    store = str(afghan_store.path)
    assert loaded(["datasets", "--store", store]) == []
    assert loaded(["actors", "--store", store]) == []


def test_series_and_compare_load_ibis_but_no_statistics_modules_they_do_not_use(afghan_store):
    common = ["--store", str(afghan_store.path), "--country", "Afghanistan"]
    series = loaded(["series", *common, "--from", "2020-01-01", "--to", "2020-04-30", "--by", "week"])
    assert series == ["ibis"]
    compare = loaded(
        ["compare", *common, "--window", "2020-02-22:2020-02-29", "--baseline", "2020-02-01:2020-02-21"]
    )
    assert compare == ["ibis"]  # the t quantile and tail in plain Python (stats/distributions.py)


@pytest.mark.parametrize("module", ["peacewatch", "peacewatch.api.args"])
def test_importing_the_package_root_and_the_argument_checks_is_light(module):
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    code = f"import sys, {module}; print(sorted(m for m in {HEAVY!r} if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "[]"
