"""The store file on disk: one writer at a time, readers never blocked, no half-written state.

DuckDB lets one process write a database file, and other processes cannot open it while it does.
So an ingest never writes the store in place: it copies the file, writes the copy and renames the
copy over the original (an atomic step on POSIX file systems). Readers that opened the old file keep
reading it; readers that open after the rename see the new one; an ingest killed at any moment
leaves only a stray copy that the next writer removes. See docs/adr/0003-copy-on-write-store.md.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from peacewatch.errors import StoreError


def _tmp_path(path: Path) -> Path:
    return path.with_name(f"{path.name}.tmp-{os.getpid()}")


def _remove(*paths: Path) -> None:
    for p in paths:
        if p.is_dir():
            shutil.rmtree(p, ignore_errors=True)
        else:
            p.unlink(missing_ok=True)


def _remove_stale(path: Path) -> None:
    _remove(*path.parent.glob(f"{path.name}.tmp-*"))


@contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """Hold the store's writer lock (a ``.lock`` file beside it) for the duration of the block."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lock = path.with_name(f"{path.name}.lock")
    with open(lock, "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise StoreError(
                f"{path}: another peacewatch process is writing this store.",
                hint="Wait for it to finish, or use another --store.",
            ) from exc
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


@contextmanager
def copy_on_write(path: Path) -> Iterator[Path]:
    """Yield a private copy of the store to write; on success it replaces the store atomically.

    On any exception (including KeyboardInterrupt) the copy is removed and the store is untouched.
    """
    with writer_lock(path):
        _remove_stale(path)
        tmp = _tmp_path(path)
        if path.exists():
            shutil.copyfile(path, tmp)
        try:
            yield tmp
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
            os.replace(tmp, path)
            dir_fd = os.open(path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        finally:
            _remove(tmp, *tmp.parent.glob(tmp.name + ".*"))
