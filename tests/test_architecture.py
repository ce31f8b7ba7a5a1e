"""The one-way imports of ../shared/ARCHITECTURE.md, held by a test.

cli/api -> briefs -> agreements -> analysis -> indicators, stats, store -> sources -> actors, gazetteer
-> schema, errors (with yamldoc beside errors). stats imports nothing above errors; indicators never
import the store (and so never duckdb), which keeps them portable to other Ibis backends.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "peacewatch"

# What each part of the package may import from peacewatch (besides itself).
ALLOWED = {
    "errors": set(),
    "yamldoc": set(),
    "textsafe": set(),
    "schema": {"errors"},
    "stats": {"errors"},
    "gazetteer": {"errors", "schema"},
    "actors": {"errors", "schema", "gazetteer"},
    "sources": {"errors", "schema", "gazetteer", "actors"},
    "store": {"errors", "schema", "gazetteer", "actors", "sources"},
    "indicators": {"errors", "schema", "gazetteer", "actors"},
    "analysis": {"errors", "schema", "gazetteer", "actors", "indicators", "stats", "store"},
    "agreements": {"errors", "schema", "gazetteer", "actors", "indicators", "stats", "store", "analysis"},
    "briefs": {
        "errors",
        "schema",
        "gazetteer",
        "actors",
        "indicators",
        "stats",
        "store",
        "analysis",
        "agreements",
    },
}
# sync/ sits beside sources/ and imports no store: it yields pages as reader output; the command that
# syncs reads the cursor from the store and hands the pages to it (../shared/ARCHITECTURE.md).
ALLOWED["sync"] = {"errors", "schema", "gazetteer", "actors", "sources"}
# watch/ re-evaluates cases after a sync and turns what moved into alerts.
ALLOWED["watch"] = set(ALLOWED["briefs"]) | {"briefs", "sync"}
ALLOWED["cli"] = set(ALLOWED) | {"briefs", "__init__"}
ALLOWED["api"] = set(ALLOWED["cli"])
# serve/ is an interface like cli/: routes over the Python API (api/), pages over the briefs' templates.
ALLOWED["serve"] = set(ALLOWED["api"]) | {"api", "__init__"}
ALLOWED["cli"] |= {"serve"}
# The package root is the front door: open_store hands over to peacewatch.api (docs/python.md).
ALLOWED["__init__"] = {"errors", "indicators", "store", "analysis", "api"}
ALLOWED["__main__"] = {"cli"}
# yamldoc (YAML that remembers the line of every key and item) sits beside errors at the bottom and
# imports nothing from peacewatch: case files, mapping files and actor taxonomy files are read at
# different stages, and each must report its problems as file:line.
# textsafe (terminal-safe messages, spreadsheet-safe CSV cells) sits there too: errors are printed and
# CSV is written at several stages (the CLI's exports, a brief's figure tables).
# payloads (the JSON of a payload, one encoder) sits there as well: the CLI prints payloads and the
# server serves them, and neither may import the other.
ALLOWED["payloads"] = set()
for _part in set(ALLOWED) - {"errors", "yamldoc", "textsafe", "payloads"}:
    ALLOWED[_part].update({"yamldoc", "textsafe", "payloads"})


def _part(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py") if rel.parts else ""


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.lineno, node.module
            if node.module == "peacewatch":
                for alias in node.names:
                    yield node.lineno, f"peacewatch.{alias.name}"


def test_imports_point_one_way():
    problems = []
    for path in sorted(SRC.rglob("*.py")):
        part = _part(path)
        for line, module in _imports(path):
            if not module.startswith("peacewatch."):
                continue
            target = module.split(".")[1]
            if target == part:
                continue
            if target not in ALLOWED.get(part, set()):
                problems.append(f"{path.relative_to(SRC.parent)}:{line}: {part} imports {module}")
    assert not problems, "\n".join(problems)


def test_stats_use_no_store_no_ibis_no_io_libraries():
    for path in (SRC / "stats").rglob("*.py"):
        for line, module in _imports(path):
            root = module.split(".")[0]
            assert root not in {"ibis", "duckdb", "pandas", "pyarrow"}, f"{path.name}:{line} imports {module}"


@pytest.mark.parametrize(
    "module", ["peacewatch.indicators.filters", "peacewatch.indicators", "peacewatch.stats"]
)
def test_importing_indicators_loads_no_duckdb_or_pandas(module):
    code = (
        f"import sys, {module}; bad = [m for m in ('duckdb', 'pandas') if m in sys.modules]; "
        "print(','.join(bad)); sys.exit(1 if bad else 0)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, f"{module} loaded {done.stdout.strip()} {done.stderr[-500:]}"


def test_no_two_modules_of_briefs_import_each_other():
    """briefs/build.py assembles the blocks and briefs/figures.py the figures; what both need (the data
    folder, a block's filters) lives in briefs/spec.py, so neither imports the other."""
    graph: dict[str, set[str]] = {}
    for path in (SRC / "briefs").rglob("*.py"):
        name = "peacewatch." + ".".join(path.relative_to(SRC.parent).with_suffix("").parts[1:])
        name = name.removesuffix(".__init__")
        deps = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("peacewatch.briefs"):
                deps |= {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
        graph[name] = deps
    pairs = sorted(
        f"{a} <-> {b}" for a, deps in graph.items() for b in deps if a < b and a in graph.get(b, set())
    )
    assert not pairs, pairs
