"""Where a store lives: its catalog, its data files, its archive, and its writer lock.

A local store is one folder (``--store PATH``)::

    PATH/catalog.sqlite   DuckLake catalog in SQLite (WAL journal, set when the store is created)
    PATH/data/            Parquet data and delete files, written by DuckLake only
    PATH/archive/         every source file ingested, named <sha256><suffixes>, copied once
    PATH/writer.lock      the flock that admits one writer at a time

The ATTACH statement is built by a pure function (:meth:`LocalStore.attach_sql`), so it is tested
without a database. Another kind of catalog (PostgreSQL for a team) is one more class with the same
four members: ``attach_sql``, ``data_path``, ``archive_path`` and ``lock``.

>>> print(LocalStore(Path("/s")).attach_sql(read_only=True, snapshot=3))  # doctest: +NORMALIZE_WHITESPACE
ATTACH 'ducklake:sqlite:/s/catalog.sqlite' AS lake
    (DATA_PATH '/s/data/', OVERRIDE_DATA_PATH true, READ_ONLY, SNAPSHOT_VERSION 3)
"""

from __future__ import annotations

import fcntl
import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from peacewatch.errors import StoreError

ALIAS = "lake"
DEFAULT_WAIT = 60.0


def sql_literal(text: str) -> str:
    """``text`` as a SQL string literal. A NUL byte cannot be passed through SQL: refused.

    >>> sql_literal("/tmp/it's")
    "'/tmp/it''s'"
    """
    if "\x00" in text:
        raise StoreError(
            f"{text!r}: a store path cannot contain a NUL character.", hint="Choose another --store."
        )
    return "'" + text.replace("'", "''") + "'"


@dataclass(frozen=True)
class LocalStore:
    """A store in a folder on this machine, its catalog in SQLite."""

    folder: Path
    # DuckDB extension packages the ATTACH needs (store/extensions.py).
    extension_packages: tuple[str, ...] = ("ducklake", "sqlite")

    @property
    def catalog_path(self) -> Path:
        return self.folder / "catalog.sqlite"

    @property
    def data_path(self) -> Path:
        return self.folder / "data"

    @property
    def archive_path(self) -> Path:
        return self.folder / "archive"

    @property
    def lock_path(self) -> Path:
        return self.folder / "writer.lock"

    def exists(self) -> bool:
        return self.catalog_path.is_file()

    def describe(self) -> str:
        """How the store is named to a user (in messages and reproduce commands)."""
        return str(self.folder)

    def attach_sql(self, *, read_only: bool, snapshot: int | None = None) -> str:
        """The ATTACH statement of this store as ``lake``, read-only and at ``snapshot`` if asked.

        The catalog records the absolute data path it was made at and the files are relative to it, so
        the path is always given again with OVERRIDE_DATA_PATH: a moved or copied folder opens in place.
        """
        options = [f"DATA_PATH {sql_literal(str(self.data_path) + '/')}", "OVERRIDE_DATA_PATH true"]
        if read_only:
            options.append("READ_ONLY")
        if snapshot is not None:
            options.append(f"SNAPSHOT_VERSION {int(snapshot)}")
        target = sql_literal(f"ducklake:sqlite:{self.catalog_path}")
        return f"ATTACH {target} AS {ALIAS} ({', '.join(options)})"

    def prepare(self) -> None:
        """Make the folder of a new store, and the SQLite catalog in WAL mode (readers then never fail
        while a writer commits: docs/adr/0011, measured)."""
        if self.folder.exists() and not self.folder.is_dir():
            raise StoreError(
                f"{self.folder}: expected a store folder, found a file.",
                hint="Point --store or PEACEWATCH_STORE at a folder (a new one is created).",
            )
        self.folder.mkdir(parents=True, exist_ok=True)
        self.data_path.mkdir(exist_ok=True)
        if not self.catalog_path.exists():
            import sqlite3

            db = sqlite3.connect(self.catalog_path)
            try:
                db.execute("PRAGMA journal_mode=WAL")
            finally:
                db.close()

    @contextmanager
    def lock(self, wait: float = DEFAULT_WAIT, command: str | None = None) -> Iterator[None]:
        """Hold the writer lock for the block; wait up to ``wait`` seconds for another writer, then
        fail with a StoreError naming the lock file and the command that holds it."""
        with file_lock(self.lock_path, wait, command):
            yield


def _holder(path: Path) -> str:
    try:
        text = path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""
    return text.splitlines()[0][:300] if text else ""


@contextmanager
def file_lock(path: Path, wait: float, command: str | None = None) -> Iterator[None]:
    """An exclusive flock on ``path`` with a bounded wait; the holder writes its pid and command
    line into the file, so that the next one can say who writes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + max(wait, 0)
    delay = 0.05
    while True:
        fh = open(path, "a+")  # noqa: SIM115 - closed below, after the lock is released
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.close()
            if time.monotonic() >= deadline:
                holder = _holder(path)
                raise StoreError(
                    f"{path.parent}: another peacewatch process is writing this store (it holds {path}"
                    + (f": {holder}" if holder else "")
                    + f"); waited {wait:g} s.",
                    hint="Wait for it to finish and run the command again, or give a longer --wait.",
                ) from None
            time.sleep(delay)
            delay = min(delay * 2, 0.5)
            continue
        # A lock file deleted (or replaced) between our open and our lock is no lock: take it again.
        try:
            same = os.path.samestat(os.fstat(fh.fileno()), os.stat(path))
        except FileNotFoundError:
            same = False
        if same:
            break
        fh.close()
    try:
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}: {command or ' '.join(sys.argv)}\n")
        fh.flush()
        yield
    finally:
        fcntl.flock(fh, fcntl.LOCK_UN)
        fh.close()
