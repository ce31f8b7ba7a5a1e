"""Ibis's SQL compilers loaded one at a time in the CLI (cli/lazy_ibis.py): the same SQL and the same
answers as with all of them loaded, with only DuckDB's imported. Each check runs in a fresh
interpreter, since this test process may have imported Ibis's compilers long ago."""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

from peacewatch.cli.lazy_ibis import COMPILERS, reexports

SRC = Path(__file__).resolve().parents[2] / "src"

PROBE = """
import json, sys
if sys.argv[1] == "lazy":
    from peacewatch.cli import lazy_ibis
    assert lazy_ibis.install()
import ibis
con = ibis.duckdb.connect()
con.raw_sql("CREATE TABLE t AS SELECT * FROM (VALUES (1, 5), (2, 0), (2, 7), (3, 1)) v(day, n)")
t = con.table("t")
expr = t.group_by("day").agg(total=t.n.sum()).order_by("day")
import ibis.backends.sql.compilers as sc
print(json.dumps({
    "duckdb": str(con.compile(expr)),
    "postgres": str(ibis.to_sql(expr, dialect="postgres")),
    "rows": [list(r.values()) for r in con.to_pyarrow(expr).to_pylist()],
    "names": sorted(sc.__all__),
    "loaded": sorted(m.rsplit(".", 1)[1] for m in sys.modules if m.startswith(sc.__name__ + ".")),
}))
"""


def run(mode: str) -> dict:
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = subprocess.run(
        [sys.executable, "-c", PROBE, mode], capture_output=True, text=True, env=env, check=True
    )
    return json.loads(out.stdout)


def test_the_installed_ibis_compilers_package_is_only_reexports_so_the_hook_applies():
    spec = importlib.util.find_spec(COMPILERS)
    where = reexports(spec.loader.get_source(COMPILERS))
    assert where is not None
    assert where["DuckDBCompiler"] == f"{COMPILERS}.duckdb"
    assert len(where) >= 15


def test_a_compilers_package_doing_anything_else_is_left_to_run_as_it_is():
    assert reexports("from ibis.backends.sql.compilers.duckdb import DuckDBCompiler\nREGISTRY = {}\n") is None
    assert reexports('"""Nothing."""\nfrom __future__ import annotations\n') is None


def test_lazy_compilers_give_the_same_sql_and_rows_and_load_only_what_is_asked_for():
    eager, lazy = run("eager"), run("lazy")
    assert lazy["duckdb"] == eager["duckdb"]
    assert lazy["postgres"] == eager["postgres"]
    assert lazy["rows"] == eager["rows"] == [[1, 5], [2, 7], [3, 1]]
    assert lazy["names"] == eager["names"]
    assert len(eager["loaded"]) > 20
    # DuckDB's (with the base and a shared helper) and Postgres's, asked for by to_sql.
    assert lazy["loaded"] == ["_compat", "base", "duckdb", "postgres"]
