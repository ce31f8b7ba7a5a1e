"""Ibis's SQL compilers loaded one at a time, in the CLI's process.

``ibis.backends.sql.compilers`` is a package whose ``__init__`` only re-exports the compiler of
every SQL dialect Ibis knows (twenty of them, with their sqlglot dialects); the DuckDB backend
imports it for its one compiler, so a command that queries the store paid 0.15-0.25 s for the
nineteen it never uses. Upstream Ibis's fork xorq made that package lazy the same way
(xorq-labs/xorq#2062).

:func:`install` puts an import hook in front of that one module: when Ibis imports it, the real
module is found as usual, and if its body is still nothing but re-exports of its own submodules
(``from ibis.backends.sql.compilers.X import YCompiler``), it is given a module ``__getattr__`` that
imports a submodule when one of its names is first asked for (``sc.DuckDBCompiler``, ``sc.duckdb``,
``getattr(sc, dialect)`` as ``ibis.to_sql`` does). If the body does anything else (another Ibis),
the real module runs unchanged. Nothing is imported when installing, and only the CLI installs it:
the Python API leaves Ibis as it is.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
from types import ModuleType
from typing import Any

COMPILERS = "ibis.backends.sql.compilers"


def reexports(source: str) -> dict[str, str] | None:
    """{name: submodule} when ``source`` only re-exports names of the package's submodules (a
    docstring, ``from __future__``, ``__all__`` and such imports); None otherwise."""
    import ast  # only when Ibis's compilers are imported

    where: dict[str, str] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
            continue  # the docstring
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            continue
        if isinstance(node, ast.Assign) and [getattr(t, "id", None) for t in node.targets] == ["__all__"]:
            continue
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(COMPILERS + "."):
            for alias in node.names:
                where[alias.asname or alias.name] = node.module or ""
            continue
        return None
    return where or None


# A loader and a finder by their protocols (importlib.abc would cost the CLI's start 10-20 ms).
class _Loader:
    def __init__(self, real: importlib.machinery.ModuleSpec):
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the default module object, with the spec's __path__

    def get_source(self, fullname: str) -> str | None:
        return self.real.loader.get_source(fullname)  # type: ignore[union-attr]

    def exec_module(self, module: ModuleType) -> None:
        loader: Any = self.real.loader
        where = reexports(loader.get_source(COMPILERS) or "")
        if where is None:
            loader.exec_module(module)
            return

        def __getattr__(name: str) -> Any:
            if name in where:
                return getattr(importlib.import_module(where[name]), name)
            if not name.startswith("__"):
                try:  # a dialect's submodule by name: sc.duckdb, getattr(sc, "postgres")
                    return importlib.import_module(f"{COMPILERS}.{name}")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{COMPILERS}.{name}":
                        raise
            raise AttributeError(f"module {COMPILERS!r} has no attribute {name!r}")

        module.__getattr__ = __getattr__  # type: ignore[method-assign]
        module.__all__ = sorted(where)
        module.__dir__ = lambda: sorted(where)  # type: ignore[method-assign]


class _Finder:
    def find_spec(self, fullname: str, path: Any, target: Any = None) -> Any:
        if fullname != COMPILERS:
            return None
        real = importlib.machinery.PathFinder.find_spec(fullname, path)
        if real is None or real.loader is None or not hasattr(real.loader, "get_source"):
            return None
        spec = importlib.machinery.ModuleSpec(fullname, _Loader(real), origin=real.origin, is_package=True)
        spec.submodule_search_locations = real.submodule_search_locations
        spec.has_location = real.has_location
        return spec


def install() -> bool:
    """Load Ibis's compilers lazily from now on in this process; False when it is too late (Ibis
    imported them already) or done already."""
    if COMPILERS in sys.modules or any(isinstance(f, _Finder) for f in sys.meta_path):
        return False
    sys.meta_path.insert(0, _Finder())
    return True
