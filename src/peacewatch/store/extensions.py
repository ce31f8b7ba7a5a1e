"""DuckDB extensions the store needs, loaded from the files their PyPI packages ship, never downloaded.

``duckdb-extension-ducklake`` and ``duckdb-extension-sqlite`` (and ``-postgres`` for a team catalog) carry
one binary each, built for exactly one DuckDB version (docs/adr/0011): this module finds
``duckdb_extension_<package>/extensions/v<duckdb version>/<file>.duckdb_extension`` through importlib
and LOADs it by path. DuckDB takes an extension's entry point from its file name, and the sqlite
package names its file ``sqlite.duckdb_extension`` while the extension is ``sqlite_scanner``; such a
file is copied once, under the extension's own name, into a cache folder (the user's cache, else the
system's temp folder), atomically so that processes opening stores at the same time never see half a
file. LOAD by path costs a few milliseconds; INSTALL (a copy into DuckDB's extension folder, which may
not be writable) is never needed.
"""

from __future__ import annotations

import importlib
import os
import shutil
import tempfile
from pathlib import Path

import duckdb

from peacewatch.errors import StoreError

# package (duckdb-extension-<package>) -> the extension's own name
EXTENSIONS = {"ducklake": "ducklake", "sqlite": "sqlite_scanner", "postgres": "postgres_scanner"}

_found: dict[str, Path] = {}


def _cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "peacewatch" / "duckdb-extensions" / f"v{duckdb.__version__}"


def extension_file(package: str) -> Path:
    """The loadable file of extension package ``package`` for the running DuckDB.

    >>> extension_file("ducklake").name                                  # doctest: +SKIP
    'ducklake.duckdb_extension'
    """
    if package in _found:
        return _found[package]
    pip_name = f"duckdb-extension-{package}"
    try:
        module = importlib.import_module(f"duckdb_extension_{package}")
    except ImportError:
        raise StoreError(
            f"the DuckDB extension package {pip_name} is not installed; the store needs it.",
            hint=f"Install the one for DuckDB {duckdb.__version__}: "
            f"pip install '{pip_name}=={duckdb.__version__}'.",
        ) from None
    folder = Path(module.__file__).parent / "extensions" / f"v{duckdb.__version__}"
    shipped = sorted(folder.glob("*.duckdb_extension"))
    if not shipped:
        built = sorted(p.name for p in (Path(module.__file__).parent / "extensions").glob("v*"))
        raise StoreError(
            f"{pip_name} has no build for DuckDB {duckdb.__version__} (found: {', '.join(built) or 'none'}).",
            hint=f"Install the matching version: pip install '{pip_name}=={duckdb.__version__}' "
            "(the extension packages and DuckDB move in lockstep, docs/adr/0002).",
        )
    name = EXTENSIONS[package]
    path = shipped[0]
    if path.stem != name:
        path = _named_copy(path, name)
    _found[package] = path
    return path


def _named_copy(shipped: Path, name: str) -> Path:
    """A copy of ``shipped`` named after its extension, made once per DuckDB version and file size."""
    size = shipped.stat().st_size
    for folder in (
        _cache_dir(),
        Path(tempfile.gettempdir()) / f"peacewatch-{os.getuid()}" / _cache_dir().name,
    ):
        target = folder / f"{name}.duckdb_extension"
        try:
            if target.is_file() and target.stat().st_size == size:
                return target
            folder.mkdir(parents=True, exist_ok=True)
            tmp = folder / f".{name}.{os.getpid()}.tmp"
            shutil.copyfile(shipped, tmp)
            os.replace(tmp, target)
            return target
        except OSError:
            continue
    raise StoreError(
        f"cannot copy the DuckDB extension {shipped} to a cache folder ({_cache_dir()} or the temp folder).",
        hint="Make $XDG_CACHE_HOME (or ~/.cache) writable, or set XDG_CACHE_HOME to a writable folder.",
    )


def load(con: duckdb.DuckDBPyConnection, packages: tuple[str, ...] = ("ducklake", "sqlite")) -> None:
    """LOAD the extensions of ``packages`` into ``con`` from their packaged files."""
    for package in packages:
        path = extension_file(package)
        con.execute(f"LOAD '{_literal(str(path))}'")


def _literal(text: str) -> str:
    return text.replace("'", "''")
